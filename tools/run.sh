#!/usr/bin/env bash
# Sets up (tools/setup.sh), builds and launches the Parley desktop app. On first start it asks
# for a nickname and lists the hubs on the network beside hosting one; arguments go to the app
# (--help lists them).
# LAN discovery defaults to loopback here so nothing is broadcast by accident; on a real LAN run
#   PARLEY_DISCOVERY=lan tools/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
export PARLEY_DISCOVERY=${PARLEY_DISCOVERY:-loopback}
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
    echo "No display found: starting the headless hub instead (parley-hub --help for options)." >&2
    exec build/app/parley-hub/parley-hub "$@"
fi
exec build/app/parley/parley "$@"
