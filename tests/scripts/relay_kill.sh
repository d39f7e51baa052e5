#!/bin/bash
# relay_kill.sh RELAY PUSHER - kill -9 hearth-relay in the middle of pushes,
# many times: every envelope it acknowledged (answered "stored" or "held")
# is there after a restart (issue 11: durable before acknowledging).
# PUSHER is tests/tools/relay_pusher.  ROUNDS (env) defaults to 12.
set -u
relay=$1
pusher=$2
rounds=${ROUNDS:-12}
dir=$(mktemp -d /tmp/hearth-relay-kill-XXXXXX)
rpid=
cleanup() {
	[ -n "$rpid" ] && kill -9 "$rpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
start() {
	relay_start "$dir/log" --store "sqlite:$dir/relay.db" --listen 127.0.0.1:0 --rate 0
}

"$pusher" gen "$dir" 400 || fail "gen"
: > "$dir/acked"
for round in $(seq 1 "$rounds"); do
	start
	"$pusher" push "$dir" "$port" 2>> "$dir/push.log" &
	ppid=$!
	# Somewhere in the middle of the pushes.
	sleep "0.$(( RANDOM % 6 + 1 ))"
	kill -9 "$rpid"
	wait "$rpid" 2>/dev/null
	rpid=
	wait "$ppid"
	prc=$?
	[ "$prc" = 0 ] || [ "$prc" = 3 ] || fail "round $round: the pusher failed ($prc): $(tail -3 "$dir/push.log")"
	start
	"$pusher" check "$dir" "$port" || fail "round $round: an acknowledged envelope is missing after kill -9"
	kill "$rpid"
	wait "$rpid" 2>/dev/null
	rpid=
done
n=$(sort -u "$dir/acked" | wc -l)
[ "$n" -gt 0 ] || fail "nothing was acknowledged"
echo "relay_kill: $rounds kills, $n distinct envelopes acknowledged, none lost"
