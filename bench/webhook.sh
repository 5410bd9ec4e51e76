#!/usr/bin/env bash
# Webhook benchmark: the release daemon on a scratch copy of the dev config (deduplication
# on, the file sink), driven by bench/loadgen over keep-alive connections. Two kinds of
# requests, each on a fresh store:
#   realistic   every request its own enterprise and text (~470 bytes), one in 25 a re-send;
#   worst case  near-identical ~1 KiB bodies, names from a small set (--worst-case).
# For each: closed-loop req/s and latency, the daemon's own GET /healthz req/s in the same
# run and the ratio, p50/p99 at a fixed offered rate, bytes the daemon wrote per request
# (/proc/PID/io: wchar = write calls, write_bytes = reached the disk; WAL, checkpoints and
# the sink's files included), and store bytes per case beyond the raw inputs' own bytes.
# Then checks that every 202 is a committed case.
#
#   RATE=5000 SECS=10 CONNS=32 COUNT=100000 bench/webhook.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-5000}       # fixed offered load, requests/s
SECS=${SECS:-10}         # duration of the fixed-rate run
CONNS=${CONNS:-32}       # concurrent keep-alive connections
COUNT=${COUNT:-100000}   # requests in the closed-loop run
BIN=${BIN:-.build/release/intake}
KINDS=${KINDS:-"realistic worst-case"}

work=$(mktemp -d /tmp/intake-bench.XXXXXX)
pid=
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

io() { awk -v key="$2" '$1 == key":" {print $2}' "/proc/$1/io"; }

for kind in $KINDS; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "$work/var"
  sed -e "s#\./var#$work/var#g" -e "s#listen_port: 8080#listen_port: $port#" -e "s#level: info#level: warning#" -e "/^admin:/,/^[^ ]/ s#enabled: true#enabled: false#" \
    deploy/intake.dev.yaml > "$work/intake.yaml"
  "$BIN" run --config "$work/intake.yaml" 2> "$work/daemon.log" &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

  flag=""; [ "$kind" = "worst-case" ] && flag="--worst-case"
  fixed=$((RATE * SECS))
  echo
  echo "######## $kind requests"
  python3 bench/make_requests.py $flag --count 5000 --secret-file deploy/dev/webhook.secret --port "$port" --run-id "warm-$kind" --out "$work/warm.req"
  python3 bench/make_requests.py $flag --count "$COUNT" --secret-file deploy/dev/webhook.secret --port "$port" --run-id "closed-$kind" --out "$work/closed.req"
  python3 bench/make_requests.py $flag --count "$fixed" --secret-file deploy/dev/webhook.secret --port "$port" --run-id "fixed-$kind" --out "$work/fixed.req"
  python3 - "$port" "$work/healthz.req" <<'PY'
import sys
port, out = sys.argv[1], sys.argv[2]
raw = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
with open(out, "wb") as f:
    for _ in range(200000):
        f.write(b"@@ %d\n" % len(raw) + raw + b"\n")
PY

  bench/loadgen -f "$work/warm.req" -p "$port" -c "$CONNS" > /dev/null
  sleep 1
  wchar0=$(io "$pid" wchar); disk0=$(io "$pid" write_bytes)
  echo "== closed loop: $COUNT requests, $CONNS connections"
  bench/loadgen -f "$work/closed.req" -p "$port" -c "$CONNS" | tee "$work/closed.out"
  sleep 2  # the forwarder's last rounds and a checkpoint
  wchar1=$(io "$pid" wchar); disk1=$(io "$pid" write_bytes)
  echo "== the daemon's own GET /healthz, same run"
  bench/loadgen -f "$work/healthz.req" -p "$port" -c "$CONNS" | tee "$work/healthz.out"
  echo "== fixed rate: $RATE requests/s for $SECS s, $CONNS connections"
  bench/loadgen -f "$work/fixed.req" -p "$port" -c "$CONNS" -r "$RATE" -d "$SECS" | tee "$work/fixed.out"
  sleep 2

  rate=$(grep -o 'rps=[0-9.]*' "$work/closed.out" | head -1 | cut -d= -f2)
  health=$(grep -o 'rps=[0-9.]*' "$work/healthz.out" | head -1 | cut -d= -f2)
  python3 - "$rate" "$health" "$COUNT" "$wchar0" "$wchar1" "$disk0" "$disk1" <<'PY'
import sys
rate, health, count = float(sys.argv[1] or 0), float(sys.argv[2] or 0), int(sys.argv[3])
wchar, disk = int(sys.argv[5]) - int(sys.argv[4]), int(sys.argv[7]) - int(sys.argv[6])
print(f"== summary: {rate:.0f} req/s, /healthz {health:.0f} req/s, ratio {rate / health if health else 0:.3f}; "
      f"written per request {wchar / count / 1024:.1f} KiB (write calls), {disk / count / 1024:.1f} KiB (to disk)")
PY
  accepted=$(( $(grep -o 'ok2xx=[0-9]*' "$work/closed.out" | cut -d= -f2) + $(grep -o 'ok2xx=[0-9]*' "$work/fixed.out" | cut -d= -f2) + 5000 ))
  python3 - "$work/var/intake.sqlite" "$accepted" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cases = db.execute("select count(*) from intake_case").fetchone()[0]
states = dict(db.execute("select state, count(*) from outbox group by state").fetchall())
raw = db.execute("select coalesce(sum(length(body)), 0) from raw_input").fetchone()[0]
try:
    tables = db.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    total = sum(size for _, size in tables)
except sqlite3.OperationalError:
    tables = []
    page = db.execute("pragma page_size").fetchone()[0]
    total = db.execute("pragma page_count").fetchone()[0] * page
print(f"== store: {cases} cases committed for {sys.argv[2]} answers 202; outbox {states}")
print(f"   {total / max(cases, 1) / 1024:.2f} KiB per case, {(total - raw) / max(cases, 1) / 1024:.2f} KiB beyond the raw inputs' bytes")
print("   " + ", ".join(f"{name} {size / max(cases, 1):.0f} B" for name, size in tables[:8]))
# Requests still in flight when a timed run ends are committed but not counted as answered.
sys.exit(0 if cases >= int(sys.argv[2]) else 1)
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
