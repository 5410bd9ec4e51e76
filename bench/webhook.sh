#!/usr/bin/env bash
# Webhook benchmark: the release daemon on a scratch copy of the dev config, driven by
# bench/loadgen with distinct signed ~1 KiB requests. Prints requests/s and latency for
# a closed-loop run (as fast as it goes) and for a fixed offered rate, then checks that
# every 202 is a committed case.
#
#   RATE=10000 SECS=10 CONNS=64 COUNT=100000 bench/webhook.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-2000}       # fixed offered load, requests/s (the issue's target is 10000)
SECS=${SECS:-10}         # duration of the fixed-rate run
CONNS=${CONNS:-64}       # concurrent keep-alive connections
COUNT=${COUNT:-100000}   # requests in the closed-loop run
BIN=${BIN:-.build/release/intake}

work=$(mktemp -d /tmp/intake-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

sed -e "s#\./var#$work/var#g" -e "s#listen_port: 8080#listen_port: $port#" -e "s#level: info#level: warning#" \
  deploy/intake.dev.yaml > "$work/intake.yaml"
"$BIN" run --config "$work/intake.yaml" 2> "$work/daemon.log" &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

fixed=$((RATE * SECS))
echo "generating $((COUNT + fixed + 5000)) signed requests ..."
python3 bench/make_requests.py --count 5000 --secret-file deploy/dev/webhook.secret --port "$port" --run-id warm --out "$work/warm.req"
python3 bench/make_requests.py --count "$COUNT" --secret-file deploy/dev/webhook.secret --port "$port" --run-id closed --out "$work/closed.req"
python3 bench/make_requests.py --count "$fixed" --secret-file deploy/dev/webhook.secret --port "$port" --run-id fixed --out "$work/fixed.req"

bench/loadgen -f "$work/warm.req" -p "$port" -c "$CONNS" > /dev/null
echo
echo "== closed loop: $COUNT requests, $CONNS connections"
bench/loadgen -f "$work/closed.req" -p "$port" -c "$CONNS" | tee "$work/closed.out"
echo
echo "== fixed rate: $RATE requests/s for $SECS s, $CONNS connections"
bench/loadgen -f "$work/fixed.req" -p "$port" -c "$CONNS" -r "$RATE" -d "$SECS" | tee "$work/fixed.out"

sleep 2
accepted=$(( $(grep -o 'ok2xx=[0-9]*' "$work/closed.out" | cut -d= -f2) + $(grep -o 'ok2xx=[0-9]*' "$work/fixed.out" | cut -d= -f2) + 5000 ))
python3 - "$work/var/intake.sqlite" "$accepted" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cases = db.execute("select count(*) from intake_case").fetchone()[0]
states = dict(db.execute("select state, count(*) from outbox group by state").fetchall())
print(f"\n== store: {cases} cases committed for {sys.argv[2]} answers 202; outbox {states}")
# Requests still in flight when a timed run ends are committed but not counted as answered.
sys.exit(0 if cases >= int(sys.argv[2]) else 1)
PY
