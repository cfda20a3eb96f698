#!/usr/bin/env bash
# Sets up (tools/setup.sh), builds and runs every test: the libFuzzer targets for a bounded time
# (tools/fuzz.sh, 20 s each), then unit, integration, interop (phoenix.js under Node and in
# Chromium) and ui tests. Everything talks to 127.0.0.1 only and stops by itself.
# No family may be missing: a family with no registered test fails the run, ctest fails when it
# selects no test, and each test fails when its cases were all skipped (cmake/ParleyTest.cmake,
# tests/interop/interop.cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/fuzz.sh
export PARLEY_DISCOVERY=loopback QT_QPA_PLATFORM=offscreen
for family in unit integration interop browser ui; do
    count=$(ctest --test-dir build -N -L "^${family}\$" | sed -n 's/^Total Tests: *//p')
    if [[ ${count:-0} -eq 0 ]]; then
        echo "tools/test.sh: no '$family' test is registered; the build is missing a test family" >&2
        exit 1
    fi
    echo "tools/test.sh: $count '$family' test(s) registered"
done
ctest --test-dir build --output-on-failure --no-tests=error -j2 "$@"
