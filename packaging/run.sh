#!/bin/sh
# Sets everything up, builds Hearth, and starts the app, hearth-gtk.
#
#   sh packaging/run.sh                 the app: your vault if you have one,
#                                       otherwise a throw-away demo vault
#                                       filled with fictional people
#   sh packaging/run.sh --vault DIR     the app on DIR (first run creates it)
#   sh packaging/run.sh hearth ARGS...  the command line instead
#
# With no display to open a window on, it runs the command line's help.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/packaging/install-deps.sh"
build="$top/build"
# Quiet when all is well; on failure, what meson or the compiler said.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$build/build.ninja" ] &&
   ! meson setup "$build" "$top" -Dbuildtype=release -Dtests=false >"$log" 2>&1; then
  cat "$log" >&2
  echo "run.sh: configuring the build failed (see above)" >&2
  exit 1
fi
if ! ninja -C "$build" >"$log" 2>&1; then
  cat "$log" >&2
  echo "run.sh: the build failed (see above)" >&2
  exit 1
fi
rm -f "$log"
export HEARTH_DATA_DIR="${HEARTH_DATA_DIR:-$top/data}"

if [ "${1:-}" = hearth ]; then
  shift
  exec "$build/cli/hearth" "$@"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run.sh: no display for the app; here is the command line instead" >&2
  echo "        (sh packaging/run.sh hearth COMMAND ...)" >&2
  exec "$build/cli/hearth" --help
fi

vault="${HEARTH_VAULT:-${XDG_DATA_HOME:-$HOME/.local/share}/hearth}"
if [ $# -eq 0 ] && [ ! -f "$vault/vault.json" ]; then
  set -- --demo
fi
exec "$build/gui-gtk/hearth-gtk" "$@"
