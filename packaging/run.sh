#!/bin/sh
# Sets everything up, builds Hearth, and runs it.  Arguments go to `hearth`;
# with none, it prints the command list.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/packaging/install-deps.sh"
if [ ! -f "$top/build/build.ninja" ]; then
  meson setup "$top/build" "$top" -Dbuildtype=release -Dtests=false >/dev/null
fi
ninja -C "$top/build" >/dev/null
export HEARTH_DATA_DIR="${HEARTH_DATA_DIR:-$top/data}"
if [ $# -eq 0 ]; then
  exec "$top/build/cli/hearth" --help
fi
exec "$top/build/cli/hearth" "$@"
