#!/usr/bin/env bash
# Runs the benchmark suite B1-B10 (docs/reference: performance.md section 5) against parley-hub
# and the same-workload peers (Node ws, Socket.IO), then writes docs/benchmarks.md. "parley" is the
# hub's own cost (in-memory store, no rate limit) on the default QWebSocketServer transport,
# "parley-epoll" the same on `--transport epoll`; "parley-default" is the hub as shipped (SQLite,
# rate limit on), run for B4, B6 and B7 only.
#
#   bench/run.sh [--quick] [--only B1,B4,...] [--servers parley,parley-epoll,parley-tls,parley-default,ws,socketio] [--repeats N]
#                [--build DIR] [--baseline DIR] [--out FILE] [--resume RESULTS_DIR]
#
# --baseline DIR adds the kinds parley-base and parley-default-base: the same two configurations
# with DIR's parley-hub (an earlier commit's build), run in the same run, point after point, so
# a change is measured against what came before it on the same machine at the same time.
#
# Expects DIR/app/parley-hub/parley-hub and DIR/bench/parley-loadgen (DIR defaults to build/);
# builds nothing except `npm ci` in bench/peers. The server is pinned to CPU 0 and the load
# generator to CPU 1. Every point starts a fresh server, runs one bounded loadgen, and stops the
# server; raw JSON goes to DIR/bench-results/<stamp>/. Loopback only.
set -euo pipefail
ARGS="$*"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$ROOT/docs/benchmarks.md
QUICK=0
ONLY=""
SERVERS="parley,parley-epoll,parley-tls,parley-default,ws,socketio"
REPEATS=""
RESUME=""
BASELINE=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) QUICK=1 ;;
        --only) ONLY=$2; shift ;;
        --servers) SERVERS=$2; shift ;;
        --repeats) REPEATS=$2; shift ;;
        --build) BUILD=$(cd "$2" && pwd); shift ;;
        --baseline) BASELINE=$(cd "$2" && pwd); shift ;;
        --out) OUT=$2; shift ;;
        --resume) RESUME=$(cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

HUB=$BUILD/app/parley-hub/parley-hub
LOADGEN=$BUILD/bench/parley-loadgen
BASE_HUB=${BASELINE:+$BASELINE/app/parley-hub/parley-hub}
if [[ -n $BASELINE && $SERVERS != *-base* ]]; then SERVERS="$SERVERS,parley-base,parley-default-base"; fi
for bin in "$HUB" "$LOADGEN" $BASE_HUB; do
    [[ -x $bin ]] || { echo "run.sh: missing $bin (build parley-hub and parley-loadgen first)" >&2; exit 2; }
done
if [[ $SERVERS == *ws* || $SERVERS == *socketio* ]]; then
    [[ -d $ROOT/bench/peers/node_modules ]] || (cd "$ROOT/bench/peers" && npm ci --no-audit --no-fund >/dev/null)
fi
ulimit -n "$(ulimit -Hn)"

if [[ -z $REPEATS ]]; then REPEATS=$([[ $QUICK == 1 ]] && echo 1 || echo 3); fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=${RESUME:-$BUILD/bench-results/$STAMP} # --resume: keep finished points, run the rest
mkdir -p "$RESULTS"

# Durations and sizes: full suite (performance.md section 5) or --quick.
if [[ $QUICK == 1 ]]; then
    B1_HOLD=60; MEASURE=15; B4_MEMBERS=1000; B4_RATE=100; B5_MEMBERS=2000; B10_MEMBERS=1000; B10_RATE=100
else
    B1_HOLD=600; MEASURE=60; B4_MEMBERS=10000; B4_RATE=10; B5_MEMBERS=15000; B10_MEMBERS=10000; B10_RATE=10
fi

# One benchmark point: id, loadgen arguments (without --port/--hub-pid/--proto).
declare -a POINTS=(
    "B1|--mode hold --clients 15000 --rooms 150 --inflight 256 --duration $B1_HOLD"
    "B3|--mode storm --clients 15000 --rooms 150 --inflight 256 --duration 2"
    "B3b|--mode storm --clients 15000 --rooms 5000 --inflight 256 --duration 2"
    # Issue 16: one big room (until every member's presence is complete), and a big hub where
    # everyone is in hub:lobby and one of 100 rooms, as the desktop app does.
    "B3c|--mode storm --clients 5000 --rooms 1 --inflight 256 --duration 2 --converge"
    "B11|--mode storm --clients 10000 --rooms 100 --lobby --inflight 256 --duration 2"
    "B4|--mode fanout --clients $B4_MEMBERS --rate $B4_RATE --body-bytes 150 --duration $MEASURE"
    "B5|--mode fanout --clients $B5_MEMBERS --rate 1 --duration $MEASURE"
    "B6a|--mode rooms --clients 10000 --rooms 1000 --rate 1 --duration $MEASURE"
    "B6b|--mode rooms --clients 10000 --rooms 1000 --rate 10 --duration $MEASURE"
    "B7|--mode rtt --clients 10000 --rooms 100 --active 200 --rate 5 --duration $MEASURE"
    "B8|--mode presence-churn --clients 1000 --churners 100 --churn-rate 50 --duration $MEASURE"
    "B10|--mode slow-consumer --clients $B10_MEMBERS --rate $B10_RATE --slow-percent 1 --body-bytes 150 --duration $MEASURE"
    # B10's slow members get ~2.6 KB/s: they would need half an hour to fill the 4 MiB cap. B10c
    # sends them ~220 KB/s (2,000-byte bodies at 100 msg/s) so that the cut-off itself happens,
    # within 60 s in both the quick and the full run.
    "B10c|--mode slow-consumer --clients 1000 --rate 100 --slow-percent 1 --body-bytes 2000 --duration 60"
)
# The default configuration (parley-default) runs these points only, and so does parley-tls (the
# hub's own cost over wss://: what encryption costs per connection, join and delivery).
DEFAULT_POINTS=",B4,B6a,B6b,B7,"
TLS_POINTS=",B1,B3,B4,B6a,B6b,B7,"

# parley-loadgen speaks plain ws://: every Parley kind runs with --no-tls (a hub from before TLS
# by default has no such option and serves ws:// anyway).
PLAIN=(); "$HUB" --help | grep -q -- --no-tls && PLAIN=(--no-tls)
BASE_PLAIN=(); [[ -n $BASE_HUB ]] && "$BASE_HUB" --help | grep -q -- --no-tls && BASE_PLAIN=(--no-tls)
# The limits per address and per user (issue 27) are lifted like the rate limit for the hub's own
# cost; the hub as shipped keeps them, but for the rooms one setup connection makes (a benchmark
# is not a user making 6,000 rooms).
NO_LIMITS=(); "$HUB" --help | grep -q -- --join-output-rate && NO_LIMITS=(--max-connections-per-address 0
    --max-handshakes-per-address 0 --join-output-rate 0 --rooms-per-user 0 --rooms-per-hour 0)
SETUP_ROOMS=(); "$HUB" --help | grep -q -- --rooms-per-hour && SETUP_ROOMS=(--rooms-per-user 0 --rooms-per-hour 0)
SERVER_PID=""
SERVER_PORT=""
SERVER_FINGERPRINT=""
start_server() { # kind log
    local kind=$1 log=$2
    case $kind in
        parley) taskset -c 0 "$HUB" "${PLAIN[@]}" "${NO_LIMITS[@]}" --port 0 --bind 127.0.0.1 --discovery off --ephemeral \
                    --max-rate 0 --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        parley-tls) taskset -c 0 "$HUB" "${NO_LIMITS[@]}" --port 0 --bind 127.0.0.1 --discovery off --ephemeral \
                    --max-rate 0 --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        parley-epoll) taskset -c 0 "$HUB" "${PLAIN[@]}" "${NO_LIMITS[@]}" --port 0 --bind 127.0.0.1 --discovery off --ephemeral --transport epoll \
                    --max-rate 0 --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        parley-default) rm -rf "$log.data"
                taskset -c 0 "$HUB" "${PLAIN[@]}" "${SETUP_ROOMS[@]}" --port 0 --bind 127.0.0.1 --discovery off --data-dir "$log.data" \
                    --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        parley-base) taskset -c 0 "$BASE_HUB" "${BASE_PLAIN[@]}" --port 0 --bind 127.0.0.1 --discovery off --ephemeral \
                    --max-rate 0 --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        parley-default-base) rm -rf "$log.data"
                taskset -c 0 "$BASE_HUB" "${BASE_PLAIN[@]}" --port 0 --bind 127.0.0.1 --discovery off --data-dir "$log.data" \
                    --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$log" 2>&1 & ;;
        ws) taskset -c 0 node "$ROOT/bench/peers/ws-peer.mjs" --port 0 >"$log" 2>&1 & ;;
        socketio) taskset -c 0 node "$ROOT/bench/peers/socketio-peer.mjs" --port 0 >"$log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 100); do
        SERVER_PORT=$(sed -n 's|^Listening on wss\{0,1\}://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" 2>/dev/null || true)
        SERVER_FINGERPRINT=$(sed -n 's|^Listening on wss://.* fingerprint sha256:\([0-9a-f]*\).*|\1|p' "$log" 2>/dev/null || true)
        [[ -n $SERVER_PORT ]] && return 0
        sleep 0.1
    done
    echo "run.sh: $kind did not start (see $log)" >&2
    return 1
}
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
trap stop_server EXIT

echo "run.sh: results in $RESULTS (quick=$QUICK, repeats=$REPEATS)"
for point in "${POINTS[@]}"; do
    id=${point%%|*}
    args=${point#*|}
    if [[ -n $ONLY && ",$ONLY," != *",${id%[abc]},"* && ",$ONLY," != *",$id,"* ]]; then continue; fi
    # Repeat by repeat, every kind once: the kinds alternate (the baseline's hub beside this
    # one), so drift in the machine's state hits them alike.
    for rep in $(seq "$REPEATS"); do
        for kind in ${SERVERS//,/ }; do
            proto=phoenix
            [[ $kind == socketio ]] && proto=socketio
            # Socket.IO has no presence (nor hub:lobby): the churn and the presence storms do not apply.
            [[ $kind == socketio && ( $id == B8 || $id == B3c || $id == B11 ) ]] && continue
            [[ ( $kind == parley-default || $kind == parley-default-base ) && $DEFAULT_POINTS != *",$id,"* ]] && continue
            [[ $kind == parley-tls && $TLS_POINTS != *",$id,"* ]] && continue
            name=$id-$kind-$rep
            [[ -s $RESULTS/$name.json ]] && continue
            start_server "$kind" "$RESULTS/$name.server.log" || { stop_server; continue; }
            sleep 0.5
            # Hard bound: the loadgen's own alarm is setup-timeout + duration + drain + 15 s.
            tls=()
            [[ -n $SERVER_FINGERPRINT ]] && tls=(--tls-fingerprint "$SERVER_FINGERPRINT")
            timeout 1200 taskset -c 1 "$LOADGEN" $args "${tls[@]}" --proto "$proto" --port "$SERVER_PORT" \
                --hub-pid "$SERVER_PID" --setup-timeout "${PARLEY_BENCH_SETUP_TIMEOUT:-600}" --allow-loss \
                >"$RESULTS/$name.json" 2>"$RESULTS/$name.err" || true
            stop_server
            rm -rf "$RESULTS/$name.server.log.data" # the default configuration's SQLite file
            echo "  $name: $(head -c 300 "$RESULTS/$name.json" 2>/dev/null)"
        done
    done
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$ROOT/bench/report.py" --results "$RESULTS" --out "$OUT" --quick "$QUICK" \
    --repeats "$REPEATS" \
    --command "${PARLEY_BENCH_SETUP_TIMEOUT:+PARLEY_BENCH_SETUP_TIMEOUT=$PARLEY_BENCH_SETUP_TIMEOUT }bench/run.sh${ARGS:+ $ARGS}" \
    --loadavg-start "$LOAD_START" --loadavg "$LOAD" --b1-hold "$B1_HOLD" --measure "$MEASURE" \
    ${BASELINE:+--baseline "$(git -C "$BASELINE" log -1 --format='%h %s' 2>/dev/null || echo "$BASELINE")"}
echo "run.sh: wrote $OUT"
