# relay_lib.sh - sourced by the relay's scripts.
# relay_start LOG ARGS...: starts "$relay" ARGS in the background with its
# stderr to LOG (stdout to LOG.out) and waits until it says its port; sets
# rpid and port.  Calls fail (the script's) if it does not start.
relay_start() {
	local log=$1
	shift
	: > "$log"
	"$relay" "$@" > "$log.out" 2> "$log" &
	rpid=$!
	port=
	for _ in $(seq 1 200); do
		port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$log")
		[ -n "$port" ] && return 0
		kill -0 "$rpid" 2>/dev/null || fail "the relay did not start: $(cat "$log")"
		sleep 0.05
	done
	fail "the relay did not say its port"
}
