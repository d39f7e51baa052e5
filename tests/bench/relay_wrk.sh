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
echo "== signed pull (8 envelopes)"
wrk -t2 -c64 -d"${secs}s" --latency -s "$here/relay_wrk.lua" "http://127.0.0.1:$port" \
	-- "$path" "$(cat "$dir/device")" "$dir/sigs" 2 |
	grep -E "Requests/sec|Non-2xx|99%|50%"
echo "store: ${HEARTH_RELAY_STORE_URI:-sqlite}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
