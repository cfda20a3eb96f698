#!/usr/bin/env bash
# The desktop app in a busy room (parley-clientbench), optionally against the build of an
# earlier commit in the same run, repeats alternating between the two; prints a markdown table
# of medians. Loopback only; every run stops by itself.
#
#   bench/client.sh [--build DIR] [--baseline DIR] [--repeats N] [--messages N] [--out FILE]
#
# --messages: the memory scenario's count (default 100000; the baseline gets at most 20000,
# which already takes it minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
baseline=
repeats=1
messages=100000
out=
while (($#)); do
    case $1 in
        --build) build=$2; shift 2 ;;
        --baseline) baseline=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='parley.*=false' PARLEY_DISCOVERY=loopback
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$results/run}
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

run() { # kind dir scenario extra-args...
    local kind=$1 dir=$2 scenario=$3
    shift 3
    timeout 1800 "$dir/bench/parley-clientbench" --scenario "$scenario" "$@" 2>/dev/null \
        | grep '^{' | sed "s/^{/{\"kind\":\"$kind\",/" >> "$results/lines.jsonl" || true
}

for ((i = 0; i < repeats; i++)); do
    for kind in ${baseline:+baseline} current; do
        dir=$build
        n=$messages
        if [[ $kind == baseline ]]; then
            dir=$baseline
            n=$((messages < 20000 ? messages : 20000))
        fi
        run "$kind" "$dir" idle
        run "$kind" "$dir" steady --rate 50 --seconds 20
        run "$kind" "$dir" burst
        run "$kind" "$dir" switch
        run "$kind" "$dir" memory --messages "$n"
    done
done

python3 - "$results/lines.jsonl" "${out:-/dev/stdout}" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def median(kind, scenario, key):
    values = [r[key] for r in rows if r['kind'] == kind and r['scenario'] == scenario and key in r]
    return statistics.median(values) if values else None
def fmt(value, digits=1):
    if value is None:
        return '–'
    return f'{value:,.{digits}f}'
kinds = [k for k in ('baseline', 'current') if any(r['kind'] == k for r in rows)]
lines = ['| metric | ' + ' | '.join(kinds) + ' |', '|---|' + '---|' * len(kinds)]
metrics = [
    ('idle: app CPU, % of a core', 'idle', 'app_cpu_percent_of_core', 1),
    ('50 msg/s for 20 s: app CPU per message, ms', 'steady', 'app_cpu_ms_per_msg', 2),
    ('50 msg/s for 20 s: app CPU, % of a core', 'steady', 'app_cpu_percent_of_core', 1),
    ('50 msg/s: last message shown after, ms', 'steady', 'last_shown_after_ms', 0),
    ('500 msg/s for 10 s: app CPU per message, ms', 'burst', 'app_cpu_ms_per_msg', 2),
    ('500 msg/s for 10 s: last message shown after it was sent, ms', 'burst', 'last_shown_after_ms', 0),
    ('switch to a loaded room: median, ms', 'switch', 'median_ms', 1),
    ('switch to a loaded room: slowest of 20, ms', 'switch', 'max_ms', 1),
    ('memory: messages received', 'memory', 'messages', 0),
    ('memory: RSS growth, MB', 'memory', 'rss_growth_mb', 1),
    ('memory: rows held at the end', 'memory', 'rows_held', 0),
    ('memory: app CPU per message, ms', 'memory', 'app_cpu_ms_per_msg', 2),
]
for label, scenario, key, digits in metrics:
    lines.append(f'| {label} | ' + ' | '.join(fmt(median(k, scenario, key), digits) for k in kinds) + ' |')
with open(sys.argv[2], 'w') as out:
    out.write('\n'.join(lines) + '\n')
EOF
