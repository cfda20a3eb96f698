#!/usr/bin/env bash
# Runs a command on a private D-Bus session bus with an unlocked GNOME Keyring (a real Secret
# Service) whose home is a temporary directory: the user's keyring is never touched, and the bus,
# the keyring daemon and the directory end with the command. Usage: with-keyring.sh COMMAND...
set -euo pipefail
home=$(mktemp -d "${TMPDIR:-/tmp}/parley-keyring.XXXXXX")
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config \
       XDG_CACHE_HOME=$home/cache XDG_RUNTIME_DIR=$home/run
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
# The keyring daemon creates and unlocks the login keyring with the password on its input.
dbus-run-session -- bash -c \
    'printf parley-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' \
    with-keyring "$@"
