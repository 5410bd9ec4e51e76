#!/usr/bin/env bash
# Retention benchmark.
#  1. The store's size over simulated time: intake-bench feeds CASES cases over DAYS simulated
#     days (distinct enterprises, texts and requesters, one in ten with a photo, events
#     delivered daily) and sweeps once a simulated day; it prints the size every 40 days.
#     Short horizons (raw inputs 60 d, delivered 30 d, trace 120 d) so that a steady state
#     is reached inside the run; the same feed without sweeping for comparison.
#  2. Webhook throughput with the sweeper running, against without: two copies of the
#     unswept store (its last day ends now, so the default horizons find ~7 months of raw
#     inputs, a year of delivered events and dedup rows to remove), a release daemon on each
#     with the default horizons, sweep_interval_secs 0 (off) or 1; the same closed-loop load
#     from bench/loadgen. "catching up" is a run while the first sweep works through that
#     backlog (the worst case: a store that never swept, or a horizon just shortened);
#     "steady" is a run after it, sweeping every second.
#
#   DAYS=400 CASES=200000 COUNT=60000 CONNS=32 bench/retention.sh
#   (SIZES=0 skips the first part's sweeping feed, about 18 minutes here)
set -euo pipefail
cd "$(dirname "$0")/.."

DAYS=${DAYS:-400}
CASES=${CASES:-200000}
COUNT=${COUNT:-60000}
CONNS=${CONNS:-32}
BIN=${BIN:-.build/release/intake}
BENCH=${BENCH:-.build/release/intake-bench}

work=$(mktemp -d /tmp/intake-retention.XXXXXX)
pid=
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "######## store size over $DAYS simulated days"
if [ "${SIZES:-1}" != 0 ]; then
  "$BENCH" --retention-days "$DAYS" --retention-cases "$CASES" --horizons 60,30,120,90 --every 40
  echo
fi
"$BENCH" --retention-days "$DAYS" --retention-cases "$CASES" --no-sweep --every 100 --keep "$work/backlog"

removed() { # PORT -> the sweeper's removals so far, all kinds
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^intake_retention_removed_total/ {sum += $NF} END {printf "%d", sum}'
}

closed_loop() { # PORT LABEL
  python3 bench/make_requests.py --count "$COUNT" --secret-file deploy/dev/webhook.secret --port "$1" --run-id "$2-$RANDOM" --out "$work/closed.req"
  bench/loadgen -f "$work/closed.req" -p "$1" -c "$CONNS" > "$work/$2.out"
  grep -o 'rps=[0-9.]*' "$work/$2.out" | head -1 | cut -d= -f2
}

declare -A rate
for mode in off on; do
  interval=0; [ "$mode" = on ] && interval=1
  mkdir -p "$work/$mode/var"
  cp "$work/backlog/intake.sqlite" "$work/$mode/var/intake.sqlite"
  cp -r "$work/backlog/blobs" "$work/$mode/var/blobs"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -e "s#\./var#$work/$mode/var#g" -e "s#listen_port: 8080#listen_port: $port#" -e "s#level: info#level: warning#" -e "/^admin:/,/^[^ ]/ s#enabled: true#enabled: false#" \
    deploy/intake.dev.yaml > "$work/$mode/intake.yaml"
  printf 'retention:\n  sweep_interval_secs: %d\n' "$interval" >> "$work/$mode/intake.yaml"
  "$BIN" run --config "$work/$mode/intake.yaml" 2> "$work/$mode/daemon.log" &
  pid=$!
  # (a store with a year of backlog takes a while to open: the dedup index is rebuilt)
  for _ in $(seq 1200); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "the daemon stopped:" >&2; cat "$work/$mode/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
  python3 bench/make_requests.py --count 5000 --secret-file deploy/dev/webhook.secret --port "$port" --run-id "warm-$mode" --out "$work/warm.req"
  bench/loadgen -f "$work/warm.req" -p "$port" -c "$CONNS" > /dev/null
  echo
  if [ "$mode" = off ]; then
    rate[off]=$(closed_loop "$port" off)
    echo "== sweeper off: ${rate[off]} req/s ($COUNT requests, $CONNS connections)"
  else
    before=$(removed "$port")
    rate[catchup]=$(closed_loop "$port" catchup)
    during=$(removed "$port")
    echo "== sweeper catching up: ${rate[catchup]} req/s (sweeps finished during the run removed $((during - before)) rows and files)"
    # Until the backlog is gone: two readings a few seconds apart that agree.
    last=-1
    for _ in $(seq 300); do
      # (counted when a sweep ends: 0 until the first one is through)
      now=$(removed "$port"); [ "$now" -gt 0 ] && [ "$now" = "$last" ] && break; last=$now; sleep 3
    done
    echo "   the first sweep removed $now in all before the steady run"
    rate[steady]=$(closed_loop "$port" steady)
    echo "== sweeper steady (every second): ${rate[steady]} req/s"
    curl -sf "http://127.0.0.1:$port/metrics" | grep '^intake_retention_removed' | sed 's/^/   /'
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
python3 - "${rate[off]}" "${rate[catchup]}" "${rate[steady]}" <<'PY'
import sys
off, catchup, steady = (float(x or 0) for x in sys.argv[1:])
print(f"== summary: sweeper off {off:.0f} req/s; catching up {catchup:.0f} ({catchup / off:.1%} of off); steady {steady:.0f} ({steady / off:.1%} of off)")
PY
