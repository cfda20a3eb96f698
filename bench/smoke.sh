#!/usr/bin/env bash
# Smoke benchmark for ctest (bench_smoke): start parley-hub, drive one room of 1,000 clients with
# parley-loadgen --mode fanout for ~3 s, fail on any lost or duplicated delivery (counted per
# member and message number, not in totals), failed join or dropped connection. No timing
# assertions: the machine may be busy. Loopback only, bounded by timeout.
#   bench/smoke.sh PATH/TO/parley-hub PATH/TO/parley-loadgen
set -euo pipefail

HUB=${1:?usage: smoke.sh parley-hub parley-loadgen}
LOADGEN=${2:?usage: smoke.sh parley-hub parley-loadgen}
LOG=$(mktemp)
HUB_PID=""
cleanup() {
    if [[ -n $HUB_PID ]]; then
        kill "$HUB_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$HUB_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$HUB_PID" 2>/dev/null || true
    fi
    rm -f "$LOG"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)"
# --no-tls: parley-loadgen speaks plain ws://.
timeout 110 "$HUB" --port 0 --bind 127.0.0.1 --discovery off --ephemeral --max-rate 0 --no-tls \
    --max-connections 2000 >"$LOG" 2>&1 &
HUB_PID=$! # the timeout process: it forwards our SIGTERM to the hub
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's|^Listening on ws://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$LOG")
    [[ -n $PORT ]] && break
    kill -0 "$HUB_PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.1
done
[[ -n $PORT ]] || { echo "smoke.sh: parley-hub did not start" >&2; cat "$LOG" >&2; exit 1; }

REAL_PID=$(pgrep -P "$HUB_PID" | head -n 1 || true) # the hub itself, for /proc sampling

# Exits non-zero on loss, duplicates, failed connects or joins and drops; prints one JSON line.
timeout 100 "$LOADGEN" --mode fanout --port "$PORT" --hub-pid "${REAL_PID:-$HUB_PID}" --clients 1000 \
    --rate 20 --duration 3 --drain 10 --setup-timeout 70
