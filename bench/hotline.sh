#!/usr/bin/env bash
# Hotline benchmark: `intake ingest` (release) of generated GB18030 exports — rows/s and peak
# RSS at 10 000 and at 1 000 000 rows — beside `sqlite3 .import` of the same rows as UTF-8
# into a table with no indexes, in the same run.
#
#   ROWS=1000000 bench/hotline.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
SMALL=${SMALL:-10000}
BIN=${BIN:-.build/release/intake}
work=$(mktemp -d /tmp/intake-hotline-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

sed -e "s#\./var#$work/var#g" -e "s#level: info#level: warning#" -e "/^admin:/,/^[^ ]/ s#enabled: true#enabled: false#" deploy/intake.dev.yaml > "$work/intake.yaml"

for rows in "$SMALL" "$ROWS"; do
  echo "generating $rows rows ..."
  python3 bench/make_hotline_export.py --rows "$rows" --encoding utf-8 --out "$work/rows-$rows.utf8.csv"
  python3 bench/make_hotline_export.py --rows "$rows" --encoding gb18030 --out "$work/rows-$rows.gb18030.csv"
done

seconds() { python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$2" "$1"; }

echo
printf "%-34s %10s %12s %12s\n" "run" "rows" "rows/s" "peak RSS"
for rows in "$SMALL" "$ROWS"; do
  rm -f "$work/import.db"
  start=$(date +%s.%N)
  sqlite3 "$work/import.db" ".mode csv" ".import $work/rows-$rows.utf8.csv orders"
  end=$(date +%s.%N)
  elapsed=$(seconds "$start" "$end")
  printf "%-34s %10d %12.0f %12s\n" "sqlite3 .import (UTF-8)" "$rows" "$(python3 -c "print($rows / $elapsed)")" "-"

  rm -rf "$work/var"
  start=$(date +%s.%N)
  /usr/bin/time -v "$BIN" ingest --channel hotline --config "$work/intake.yaml" "$work/rows-$rows.gb18030.csv" \
    > "$work/ingest-$rows.out" 2> "$work/ingest-$rows.time"
  end=$(date +%s.%N)
  elapsed=$(seconds "$start" "$end")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f MiB", $2 / 1024}' "$work/ingest-$rows.time")
  printf "%-34s %10d %12.0f %12s\n" "intake ingest (GB18030, durable)" "$rows" "$(python3 -c "print($rows / $elapsed)")" "$rss"
  grep -q "cases         $rows created" "$work/ingest-$rows.out" || { echo "ingest did not create $rows cases:"; cat "$work/ingest-$rows.out"; exit 1; }
done
