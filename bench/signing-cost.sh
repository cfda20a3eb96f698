#!/usr/bin/env bash
# What signed connects cost the join storm (docs/benchmarks.md, "What a signed connect costs"):
# B3 (100-member rooms) and B3b (3-member rooms) storms against a hub that does not verify
# connects (OLD: a build from before signed connects) and one that does (NEW), alternating,
# REPEATS times each, with the same parley-loadgen (it signs every connect; the old hub ignores
# the extra params). NEW runs twice: pinned to CPU 0 like the hub in run.sh, and on CPUs 0-1 so
# that its verification pool may use the second core (where the loadgen runs too).
#   bench/signing-cost.sh OLD_PARLEY_HUB NEW_PARLEY_HUB PARLEY_LOADGEN [REPEATS]
# Prints one line per run: point, variant, repeat, joins/s, hub CPU per join (ms), failures,
# join p99 (ms). Loopback only; each storm is bounded by a timeout.
set -euo pipefail
OLD=${1:?usage: signing-cost.sh OLD_HUB NEW_HUB LOADGEN [REPEATS]}
NEW=${2:?}
LOADGEN=${3:?}
REPEATS=${4:-3}
ulimit -n "$(ulimit -Hn)"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for rep in $(seq "$REPEATS"); do
  for variant in old new new-two-cores; do
    for point in "B3|150" "B3b|5000"; do
      id=${point%%|*}; rooms=${point#*|}
      hub=$NEW; cores=0
      [[ $variant == old ]] && hub=$OLD
      [[ $variant == new-two-cores ]] && cores=0,1
      # parley-loadgen speaks plain ws://; hubs from before TLS by default have no --no-tls.
      plain=(); "$hub" --help | grep -q -- --no-tls && plain=(--no-tls)
      taskset -c "$cores" "$hub" --port 0 --bind 127.0.0.1 --discovery off --ephemeral --max-rate 0 "${plain[@]}" \
          --max-connections 20000 --max-rooms 6000 --idle-timeout 120 >"$LOG" 2>&1 &
      pid=$!
      port=""
      for _ in $(seq 100); do
        port=$(sed -n 's|^Listening on ws://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$LOG")
        [[ -n $port ]] && break
        sleep 0.1
      done
      sleep 0.5
      out=$(timeout 600 taskset -c 1 "$LOADGEN" --mode storm --clients 15000 --rooms "$rooms" \
          --inflight 256 --duration 2 --port "$port" --hub-pid "$pid" --setup-timeout 300 --allow-loss || true)
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "$id $variant $rep $(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["joins_per_s"], d.get("server_cpu_ms_per_join"), d["join_failures"], d["join_latency_ms"]["p99"])' <<<"$out")"
    done
  done
done
