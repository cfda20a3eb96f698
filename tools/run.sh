#!/usr/bin/env bash
# Sets up (tools/setup.sh), builds and launches Parley. Until the desktop app lands this starts
# the headless hub on port 4000; arguments are passed to it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
if [[ -x build/app/parley/parley ]]; then
    exec build/app/parley/parley "$@"
fi
exec build/app/parley-hub/parley-hub "$@"
