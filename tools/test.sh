#!/usr/bin/env bash
# Sets up (tools/setup.sh), builds and runs every test: the libFuzzer targets for a bounded time
# (tools/fuzz.sh, 20 s each), then unit, integration, interop (phoenix.js) and ui tests.
# Everything talks to 127.0.0.1 only and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/fuzz.sh
export PARLEY_DISCOVERY=loopback QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j2 "$@"
