#!/bin/sh
# pg_tmp.sh - a private PostgreSQL server for tests and benchmarks, never
# the system's cluster: its data, its log and its Unix socket all live in
# DIR, it listens on no TCP address, and the port number only names the
# socket file (DIR/.s.PGSQL.PORT).
#
#   pg_tmp.sh start DIR   makes DIR/data (initdb -A trust), starts the
#                         server, prints its URI:
#                         postgresql:///postgres?host=DIR&port=N&user=postgres
#   pg_tmp.sh stop DIR    stops it (the caller removes DIR)
#
# initdb refuses to run as root, so as root (CI) the server runs as the
# unprivileged user `nobody` (PG_TMP_USER overrides), which gets DIR; DIR's
# parents must let it through (a directory made by mktemp -d under /tmp
# does).  The binaries are found in /usr/lib/postgresql/*/bin (the newest),
# or PG_BINDIR.
set -u

die() { echo "pg_tmp.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: pg_tmp.sh start|stop DIR"
cmd=$1
dir=$2
case "$dir" in
/*) ;;
*) dir=$(cd "$dir" 2>/dev/null && pwd) || die "no directory '$2'" ;;
esac
# The path goes into a URI and a config file unquoted.
case "$dir" in
*[!A-Za-z0-9/._-]*) die "directory '$dir': use only letters, digits and / . _ -" ;;
esac
[ -d "$dir" ] || die "no directory '$dir'"

# Nothing of the environment may point us at another cluster.
unset PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGPASSFILE

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		bindir=$d
	done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	die "PostgreSQL server programs not found (no initdb and pg_ctl in /usr/lib/postgresql/*/bin; set PG_BINDIR, or install the server: packaging/install-deps.sh)"
fi

# as CMD...: runs CMD as the server's user.
if [ "$(id -u)" -eq 0 ]; then
	user=${PG_TMP_USER:-nobody}
	id "$user" >/dev/null 2>&1 || die "no user '$user' to run PostgreSQL as (initdb refuses root)"
	as() {
		if command -v runuser >/dev/null 2>&1; then
			runuser -u "$user" -- "$@"
		else
			setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups "$@"
		fi
	}
else
	as() { "$@"; }
fi

case "$cmd" in
start)
	[ -e "$dir/data" ] && die "'$dir/data' exists: one server per directory"
	[ "$(id -u)" -eq 0 ] && chown "$user" "$dir"
	as test -w "$dir" -a -x "$dir" ||
		die "'$dir' cannot be entered by the user PostgreSQL runs as (its parents?)"
	# A port for the socket's name; nothing else listens in a private
	# directory, so any number is free there.
	port=$(( 20000 + $$ % 40000 ))
	as "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
		--locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed in '$dir'"; }
	cat >>"$dir/data/postgresql.conf" <<CONF
# pg_tmp.sh: private, socket only
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
synchronous_commit = on
CONF
	echo "$port" >"$dir/port"
	as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1 ||
		{ tail -n 20 "$dir/server.log" >&2 2>/dev/null; die "the server in '$dir' did not start"; }
	echo "postgresql:///postgres?host=$dir&port=$port&user=postgres"
	;;
stop)
	[ -f "$dir/data/postmaster.pid" ] || exit 0
	as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
		die "the server in '$dir' did not stop"
	;;
*)
	die "usage: pg_tmp.sh start|stop DIR"
	;;
esac
