#!/usr/bin/env bash
# Installs what Parley needs on Debian 12 (only what is missing), the npm packages of the
# interop tests from their lockfile, then configures and builds into ./build.
# Usage: tools/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config ccache libssl-dev
          qt6-base-dev qt6-websockets-dev libqt6sql6-sqlite qt6-svg-dev libgl-dev
          libqrencode-dev qtkeychain-qt6-dev gnome-keyring libsecret-1-0 dbus
          xvfb xauth clang libclang-rt-14-dev openssl chromium)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "Installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -d tests/interop/node_modules/phoenix || tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

build_type=${PARLEY_BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
cmake --build build -j"$(nproc)"
