#!/bin/sh
# with_pg.sh PG_TMP CMD [ARGS...] - runs CMD with HEARTH_RELAY_STORE_URI
# naming a private PostgreSQL server (pg_tmp.sh, path PG_TMP) that lives
# for this run only: started in a fresh directory under /tmp, stopped and
# removed afterwards, whether CMD passed, failed or was interrupted.
set -u
[ $# -ge 2 ] || { echo "usage: with_pg.sh PG_TMP CMD [ARGS...]" >&2; exit 2; }
pg_tmp=$1
shift
dir=$(mktemp -d /tmp/hearth-pg.XXXXXX) || exit 1
cleanup() {
	sh "$pg_tmp" stop "$dir" || echo "with_pg.sh: left a server in $dir" >&2
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
uri=$(sh "$pg_tmp" start "$dir") || exit 1
HEARTH_RELAY_STORE_URI=$uri "$@"
