#!/bin/bash
# relay_wrk.sh RELAY PUSHER [SECONDS] - hearth-relay under wrk on loopback
# (docs/BENCHMARKS.md): GET /healthz (the baseline) and signed pulls of 8
# envelopes, 64 connections, 2 wrk threads, SQLite store in a temp dir
# (or the store HEARTH_RELAY_STORE_URI names: tests/tools/with_pg.sh runs
# it on a private PostgreSQL server).
#   meson setup build-rel -Dbuildtype=release -Dgui=false
#   ninja -C build-rel sync/relay/hearth-relay tests/relay_pusher
#   tests/bench/relay_wrk.sh build-rel/sync/relay/hearth-relay build-rel/tests/relay_pusher 10
set -u
relay=$1
pusher=$2
secs=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/hearth-relay-wrk-XXXXXX)
rpid=
fail() { echo "FAIL: $*" >&2; exit 1; }
trap '[ -n "$rpid" ] && kill "$rpid"; rm -rf "$dir"' EXIT
. "$here/../scripts/relay_lib.sh"

"$pusher" gen "$dir" 64 || fail gen
relay_start "$dir/log" --store "${HEARTH_RELAY_STORE_URI:-sqlite:$dir/relay.db}" \
	--listen 127.0.0.1:0 --rate 0
"$pusher" push "$dir" "$port" || fail push
space=$(cat "$dir/space")
# The space holds its control envelope and 64 data envelopes: seqs 1-65.
path="/v1/spaces/$space/envelopes?after=57"
# Enough signatures for 20,000 pulls/s.
"$pusher" sign "$dir" "$path" $(( secs * 20000 )) > "$dir/sigs" 2> "$dir/device"
echo "store: ${HEARTH_RELAY_STORE_URI:-sqlite}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== GET /healthz"
wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" |
	grep -E "Requests/sec|Non-2xx|99%|50%"
# CPU time (clock ticks, user + system) of the relay and, on a private
# PostgreSQL server (tests/tools/pg_tmp.sh: its socket directory holds
# data/postmaster.pid), of the server's processes: per pull, what the
# pulls cost the two cores whatever else ran on them.
pg_pids() {
	local host pm
	host=$(printf '%s' "${HEARTH_RELAY_STORE_URI:-}" | sed -n 's/.*[?&]host=\([^&]*\).*/\1/p')
	[ -n "$host" ] && [ -r "$host/data/postmaster.pid" ] || return 0
	pm=$(head -1 "$host/data/postmaster.pid")
	echo "$pm" $(pgrep -P "$pm")
}
ticks() {
	local t=0 p f
	for p in "$@"; do
		f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
		t=$(( t + $(echo "$f" | awk '{ print $12 + $13 }') ))
	done
	echo "$t"
}
echo "== signed pull (8 envelopes)"
pgp=$(pg_pids)
r0=$(ticks "$rpid"); s0=$(ticks $pgp)
wrk -t2 -c64 -d"${secs}s" --latency -s "$here/relay_wrk.lua" "http://127.0.0.1:$port" \
	-- "$path" "$(cat "$dir/device")" "$dir/sigs" 2 > "$dir/wrk.out"
r1=$(ticks "$rpid"); s1=$(ticks $pgp)
grep -E "Requests/sec|Non-2xx|99%|50%" "$dir/wrk.out"
n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$dir/wrk.out")
hz=$(getconf CLK_TCK)
[ -n "$n" ] && [ "$n" -gt 0 ] &&
	awk -v r=$(( r1 - r0 )) -v s=$(( s1 - s0 )) -v n="$n" -v hz="$hz" -v pg="${pgp:+1}" 'BEGIN {
		printf "CPU per pull: relay %.1f us", r * 1e6 / hz / n
		if (pg) printf ", PostgreSQL server %.1f us, together %.1f us", s * 1e6 / hz / n, (r + s) * 1e6 / hz / n
		printf " (%d pulls)\n", n }'
echo "store: ${HEARTH_RELAY_STORE_URI:-sqlite}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
