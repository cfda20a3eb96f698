#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz and runs each one for
# PARLEY_FUZZ_SECONDS seconds (default 20). For a longer run: PARLEY_FUZZ_SECONDS=3600 tools/fuzz.sh
# New inputs found are kept in build-fuzz/tests/fuzz/corpus-*.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang++ >/dev/null || { sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo);
    "${sudo_cmd[@]}" apt-get install -y -qq clang libclang-rt-14-dev; }
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARLEY_FUZZ=ON -DPARLEY_BUILD_DESKTOP=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)"
ctest --test-dir build-fuzz --output-on-failure --no-tests=error -L fuzz
