#!/usr/bin/env bash
# Renders the screenshots of docs/screenshots/ offscreen with the real widgets, an embedded hub
# and scripted users, all on 127.0.0.1 (loopback discovery only). Builds nothing: build first,
# e.g. `ninja -C build parley_screenshots`.
#   tools/screenshots.sh [OUTPUT_DIR]     (default docs/screenshots; BUILD_DIR defaults to build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
out_dir="${1:-docs/screenshots}"
program="$build_dir/tests/parley_screenshots"
if [[ ! -x "$program" ]]; then
    echo "screenshots: $program is missing; build it with: ninja -C $build_dir parley_screenshots" >&2
    exit 1
fi
export QT_QPA_PLATFORM=offscreen
export PARLEY_DISCOVERY=loopback
export QT_LOGGING_RULES="parley.*.debug=false;parley.*.info=false;qt.qpa.*=false"
export QT_SCALE_FACTOR="${QT_SCALE_FACTOR:-1}"
mkdir -p "$out_dir"
timeout 120 "$program" "$out_dir"
timeout 120 "$program" "$out_dir" --dark
