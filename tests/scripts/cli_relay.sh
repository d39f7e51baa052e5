#!/bin/bash
# `hearth sync` through a real hearth-relay in LAN mode (TLS with a
# self-signed certificate on a loopback port), between a lead and a
# counsellor:
#   - the lead creates a team space and invites A, who joins; the lead
#     syncs with --relay URL --pin FP (the pin hearth-relay --lan printed):
#     the space is registered and pushed; A syncs and gets the space;
#   - A writes and syncs without --relay (remembered with its pin); the
#     lead syncs: both hold the same ops of the space; a sync with nothing
#     new says so;
#   - a wrong pin, no pin (the certificate is self-signed), plain http to
#     another host: refused, naming the problem, nothing changed;
#   - `hearth sync status` (text and --json): the relay, the space, the
#     cursor, no problem; messages in Chinese;
#   - --cacert: a second relay with a certificate for 127.0.0.1 signed by
#     a private CA is trusted with --cacert CA and refused without it.
#
#   bash tests/scripts/cli_relay.sh BUILD/cli/hearth BUILD/tests/vault_sql BUILD/sync/relay/hearth-relay
set -eEu

HEARTH=${1:?usage: cli_relay.sh /path/to/hearth /path/to/vault_sql /path/to/hearth-relay}
VAULT_SQL=${2:?usage: cli_relay.sh /path/to/hearth /path/to/vault_sql /path/to/hearth-relay}
RELAY=${3:?usage: cli_relay.sh /path/to/hearth /path/to/vault_sql /path/to/hearth-relay}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-relaycli.XXXXXX)
RELAY_PID=
CA_PID=
cleanup() {
	[ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
	[ -n "$CA_PID" ] && kill "$CA_PID" 2>/dev/null && wait "$CA_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# set -e ends the script at a failing command with no word of its own:
# name the line (a CI run once failed here in 2 s with nothing printed).
trap 'echo "cli_relay: a command failed at line $LINENO (exit $?)" >&2' ERR


fail() { echo "FAIL: $*" >&2; exit 1; }

on() {
	local who=$1 lang=$2 rc=0
	shift 2
	HEARTH_VAULT=$T/$who LANG=$lang "$HEARTH" "$@" 2>"$T/err" || rc=$?
	echo "$rc" >"$T/rc"
}
ok() { on "$@" >"$T/out"; [ "$(cat "$T/rc")" = 0 ] || fail "$1: hearth ${*:3}: $(cat "$T/err")"; cat "$T/out"; }
rc() { cat "$T/rc"; }
dump() { "$VAULT_SQL" "$T/$1" "SELECT device, seq, hex(record), field, quote(value)
	FROM op WHERE hex(space) = upper('$S') ORDER BY device, seq"; }

# ---- the relay: LAN mode on a free loopback port ------------------------
for try in 1 2 3 4 5 6 7 8; do
	PORT=$((20000 + RANDOM % 40000))
	"$RELAY" --lan --listen "127.0.0.1:$PORT" --store "sqlite:$T/relay.db" \
		--lan-dir "$T" --rate 0 >"$T/relay.out" 2>"$T/relay.err" &
	RELAY_PID=$!
	for i in $(seq 50); do
		grep -q 'fingerprint:' "$T/relay.out" 2>/dev/null && break
		kill -0 "$RELAY_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q 'fingerprint:' "$T/relay.out" && break
	wait "$RELAY_PID" 2>/dev/null || true
	RELAY_PID=
done
[ -n "$RELAY_PID" ] || fail "hearth-relay did not start: $(cat "$T/relay.err")"
FP=$(sed -n 's/^ *fingerprint: *//p' "$T/relay.out" | head -1)
case $FP in sha256//*) ;; *) fail "no pin printed: $(cat "$T/relay.out")" ;; esac
URL=https://127.0.0.1:$PORT

for v in lead a; do HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1; done
out=$(ok lead en_US.UTF-8 space create --name 'Dock team')
S=$(grep -Eo '[0-9a-f]{32}' <<<"$out")
ok lead en_US.UTF-8 person add --space 'Dock team' --name 'Wang Fang' >/dev/null
inv=$(ok lead en_US.UTF-8 space invite 'Dock team')
code=$(sed -n 2p <<<"$inv" | tr -d ' ')
join=$(ok a en_US.UTF-8 space join "$code")
req=$(sed -n 2p <<<"$join" | tr -d ' ')
ok lead en_US.UTF-8 space approve 'Dock team' "$req" >/dev/null

# ---- refusals first: nothing is remembered or changed -------------------
on lead en_US.UTF-8 sync --relay http://relay.example.org >/dev/null
[ "$(rc)" = 2 ] && grep -q "plain http" "$T/err" || fail "http to another host: $(rc) $(cat "$T/err")"
on lead en_US.UTF-8 sync --relay "$URL" --pin 'sha256//nope' >/dev/null
[ "$(rc)" = 2 ] && grep -q "pin" "$T/err" || fail "malformed pin: $(rc) $(cat "$T/err")"
on lead en_US.UTF-8 sync >/dev/null
[ "$(rc)" != 0 ] && grep -q "no relay given" "$T/err" || fail "no relay: $(cat "$T/err")"
WRONG='sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
on lead en_US.UTF-8 sync --relay "$URL" --pin "$WRONG" >/dev/null
[ "$(rc)" = 1 ] && grep -qi "relay" "$T/err" || fail "wrong pin: $(rc) $(cat "$T/err")"
# Without the pin the self-signed certificate is not trusted.
on lead en_US.UTF-8 sync --relay "$URL" >/dev/null
[ "$(rc)" = 1 ] || fail "self-signed accepted without a pin"
case $(ok lead en_US.UTF-8 config get relay_url) in ""|"(none)") ;; *) fail "a failed sync remembered the relay" ;; esac

# ---- the lead registers the space, A joins through the relay ------------
ok lead en_US.UTF-8 sync --relay "$URL" --pin "$FP" >/dev/null
grep -q "Dock team: sent [1-9].*in sync" "$T/out" || fail "lead's sync: $(cat "$T/out") $(cat "$T/err")"
[ "$(ok lead en_US.UTF-8 config get relay_url)" = "$URL" ] || fail "relay not remembered"
ok a en_US.UTF-8 sync --relay "$URL" --pin "$FP" >/dev/null
grep -q "in sync" "$T/out" || fail "A's sync: $(cat "$T/out") $(cat "$T/err")"
ok a en_US.UTF-8 space list | grep -q 'Dock team' || fail "A does not know the space"

# ---- A writes; remembered relay and pin ---------------------------------
ok a en_US.UTF-8 person add --space 'Dock team' --name 'Li Qiang' >/dev/null
ok a en_US.UTF-8 sync >/dev/null
grep -q "sent [1-9]" "$T/out" || fail "A's push: $(cat "$T/out")"
ok lead en_US.UTF-8 sync >/dev/null
grep -q "received [1-9]" "$T/out" || fail "lead's pull: $(cat "$T/out")"
[ "$(dump lead)" = "$(dump a)" ] || fail "the space differs between the lead and A"
ok lead en_US.UTF-8 sync >/dev/null
grep -q "sent 0, received 0 (0 applied), in sync" "$T/out" || fail "no change: $(cat "$T/out")"

# ---- status --------------------------------------------------------------
ok a en_US.UTF-8 sync status >/dev/null
grep -q "$URL" "$T/out" && grep -q 'Dock team' "$T/out" || fail "status: $(cat "$T/out")"
ok a en_US.UTF-8 --json sync status >/dev/null
python3 - "$T/out" "$URL" <<'EOF' || fail "status --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["relays"] if r["name"] == "Dock team"]
assert rows and rows[0]["relay"] == sys.argv[2], d
assert rows[0]["cursor"] > 0 and rows[0]["problem"] is None and rows[0]["last_sync"], d
EOF
ok a en_US.UTF-8 --json sync >/dev/null
python3 - "$T/out" <<'EOF' || fail "sync --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert all(s["ok"] and s["in_sync"] for s in d["spaces"]), d
EOF

# ---- Chinese -------------------------------------------------------------
ok a zh_CN.UTF-8 sync >/dev/null
grep -q "已同步\|同步" "$T/out" || fail "zh_CN sync: $(cat "$T/out")"
on a zh_CN.UTF-8 sync --relay http://relay.example.org >/dev/null
grep -q "http" "$T/err" && grep -qP '[\x{4e00}-\x{9fff}]' "$T/err" || fail "zh_CN refusal: $(cat "$T/err")"
# ---- --cacert: a relay whose certificate a private CA signed -------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=test-ca -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-days 2 -extfile "$T/san" -out "$T/srv.pem" 2>/dev/null
[ -s "$T/srv.pem" ] || fail "openssl could not make the test certificates"
# Starts a second relay on a free loopback port: URL_BASE (e.g.
# https://127.0.0.1), OUT (its output), then curl's options to reach it
# (split on spaces: $T has none; may be empty), then the relay's own
# options.  Sets CA_PID (the
# cleanup stops it) and UP_PORT once its /healthz answers.
relay_up() {
	local base=$1 out=$2 curlopt=$3 try i up
	shift 3
	for try in 1 2 3 4 5 6 7 8; do
		UP_PORT=$((20000 + RANDOM % 40000))
		"$RELAY" --listen "127.0.0.1:$UP_PORT" --rate 0 "$@" >"$out" 2>&1 &
		CA_PID=$!
		up=
		for i in $(seq 50); do
			curl -s $curlopt "$base:$UP_PORT/healthz" >/dev/null 2>&1 && { up=1; break; }
			kill -0 "$CA_PID" 2>/dev/null || break
			sleep 0.1
		done
		[ -n "$up" ] && return 0
		kill "$CA_PID" 2>/dev/null; wait "$CA_PID" 2>/dev/null || true
		CA_PID=
	done
	fail "the relay did not start: $(cat "$out")"
}
relay_up https://127.0.0.1 "$T/relay2.out" "--cacert $T/ca.pem" --store "sqlite:$T/relay2.db" \
	--tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
CPORT=$UP_PORT
on lead en_US.UTF-8 sync --relay "https://127.0.0.1:$CPORT" --space 'Dock team' >/dev/null
[ "$(rc)" = 1 ] || fail "a certificate of an unknown CA was accepted"
ok lead en_US.UTF-8 sync --relay "https://127.0.0.1:$CPORT" --cacert "$T/ca.pem" >/dev/null
grep -q "Dock team: sent [1-9].*in sync" "$T/out" || fail "--cacert sync: $(cat "$T/out") $(cat "$T/err")"
on lead en_US.UTF-8 sync --relay "https://127.0.0.1:$CPORT" --cacert "$T/nosuch.pem" >/dev/null
[ "$(rc)" = 2 ] && grep -q "nosuch.pem" "$T/err" || fail "missing CA file: $(rc) $(cat "$T/err")"
# ---- --register-allow: a list that is not fingerprints stops the relay --
printf '# the union office\n12345 67890 12345 67890\n' >"$T/bad.allow"
rc=0
LANG=en_US.UTF-8 "$RELAY" --store "sqlite:$T/relay3.db" --listen 127.0.0.1:0 \
	--register-allow "$T/bad.allow" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "bad.allow:2: not a fingerprint" "$T/err" ||
	fail "a bad --register-allow line: $rc $(cat "$T/err")"
rc=0
LANG=zh_CN.UTF-8 "$RELAY" --store "sqlite:$T/relay3.db" --listen 127.0.0.1:0 \
	--register-allow "$T/bad.allow" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "不是指纹" "$T/err" || fail "zh_CN: $rc $(cat "$T/err")"
printf '# nobody yet\n\n' >"$T/empty.allow"
rc=0
LANG=en_US.UTF-8 "$RELAY" --store "sqlite:$T/relay3.db" --listen 127.0.0.1:0 \
	--register-allow "$T/empty.allow" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "lists no fingerprint" "$T/err" || fail "an empty list: $rc $(cat "$T/err")"
[ ! -e "$T/relay3.db" ] || fail "a refused start made a store"
# ---- a relay that refuses: `sync status` says so in the user's language --
# It registers spaces only for an identity that is not the lead's: the
# lead's sync is refused (403), and the status tells that kind of problem
# in Chinese, the relay's English detail after it and in --json.
printf '00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000\n' >"$T/other.allow"
kill "$CA_PID" 2>/dev/null; wait "$CA_PID" 2>/dev/null || true
CA_PID=
relay_up http://127.0.0.1 "$T/relay4.out" "" --store "sqlite:$T/relay4.db" \
	--register-allow "$T/other.allow"
RPORT=$UP_PORT
on lead zh_CN.UTF-8 sync --relay "http://127.0.0.1:$RPORT" --space 'Dock team' >/dev/null
[ "$(rc)" = 1 ] || fail "a refusing relay: $(rc) $(cat "$T/err")"
# The relay's error code is said in words of the user's language, once,
# after the space's name, with no "no error" line after it.
grep -q "Dock team：.*无权限（HTTP 403）" "$T/err" && ! grep -q "forbidden" "$T/err" &&
	[ "$(wc -l <"$T/err")" = 1 ] || fail "zh_CN error of a refusal: $(cat "$T/err")"
ok lead zh_CN.UTF-8 sync status >/dev/null
grep "127.0.0.1:$RPORT" "$T/out" | grep -q "中继拒绝了本设备的请求" ||
	fail "zh_CN status of a refusal: $(cat "$T/out")"
grep "127.0.0.1:$RPORT" "$T/out" | grep -q "forbidden" ||
	fail "zh_CN status lost the detail: $(cat "$T/out")"
grep -q "中继不可达\|无法连接中继" "$T/out" && fail "a refusal told as unreachable: $(cat "$T/out")"
ok lead zh_CN.UTF-8 --json sync status >/dev/null
python3 - "$T/out" "http://127.0.0.1:$RPORT" <<'EOF' || fail "status --json of a refusal: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["relays"] if r["relay"] == sys.argv[2]]
assert rows and rows[0]["problem_kind"] == "refused", d
assert "forbidden" in rows[0]["problem"], d
assert all(r["problem_kind"] == "none" for r in d["relays"] if r["relay"] != sys.argv[2]), d
EOF

echo "cli_relay: ok"
