#!/bin/bash
# `hearth device revoke`: a person's linked device is lost or stolen.
#   - B is linked to A; A revokes B (by an 8-digit prefix): the message
#     says what was done and what was not, in English and in Chinese;
#     `device list` shows B as revoked;
#   - B's private-space writes before the revocation that A held stay;
#     B's later writes are refused by A (sync import reports them refused
#     and A does not hold them);
#   - D, also linked to A, learns of the revocation from A's private-space
#     bundle: it lists B as revoked and refuses B's later writes too;
#   - this very device, an unknown device, a device revoked already and
#     bad usage are refused with a message and nothing changed.
# (The team-space side, a new epoch without the revoked device, is tested
# in tests/test_spaces.c, test_revoke_device.)
#
#   bash tests/scripts/cli_revoke.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_revoke.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_revoke.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-revoke.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

on() {
	local v=$1 lang=$2
	shift 2
	HEARTH_VAULT=$T/$v LANG=$lang "$HEARTH" "$@" 2>"$T/err" ||
		fail "hearth $* on $v exited $?: $(cat "$T/err")"
}

refused() {
	local v=$1 lang=$2 want=$3 rc=0
	shift 3
	HEARTH_VAULT=$T/$v LANG=$lang "$HEARTH" "$@" >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "hearth $* on $v: exit $rc, expected $want: $(cat "$T/err")"
}

state() {
	"$VAULT_SQL" "$T/$1" "SELECT key, hex(value) FROM meta ORDER BY key"
	"$VAULT_SQL" "$T/$1" "SELECT count(*) FROM op"
}

for v in a b c d; do HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1; done
for v in b d; do
	code=$(on $v en_US.UTF-8 --json device link | jq -r .code)
	on a en_US.UTF-8 device approve "$code" --out "$T/pkg" >/dev/null
	on $v en_US.UTF-8 device link --accept "$T/pkg" >/dev/null
done
dev_a=$(on a en_US.UTF-8 --json device list | jq -r '.devices[0].device')
dev_b=$(on b en_US.UTF-8 --json device list | jq -r '.devices[0].device')
dev_c=$(on c en_US.UTF-8 --json device list | jq -r '.devices[0].device')

# B writes; A takes it before B is lost.
on b en_US.UTF-8 person add --name "张伟" >/dev/null
on b en_US.UTF-8 sync export --space private --out "$T/b1.bundle" >/dev/null
on a en_US.UTF-8 sync import "$T/b1.bundle" >/dev/null
on a en_US.UTF-8 person list | grep -q "张伟" || fail "A did not receive B's person"

# ---- refusals: a message, a non-zero exit, nothing changed ----
before=$(state a)
refused a en_US.UTF-8 1 device revoke "$dev_a"
grep -q 'this device' "$T/err" || fail "own device: $(cat "$T/err")"
refused a en_US.UTF-8 1 device revoke "$dev_c"
grep -q 'no linked device' "$T/err" || fail "unknown device: $(cat "$T/err")"
refused a en_US.UTF-8 1 device revoke "12ab"
grep -q 'not a device id' "$T/err" || fail "short id: $(cat "$T/err")"
refused a zh_CN.UTF-8 1 device revoke "$dev_c"
grep -q '没有' "$T/err" || fail "Chinese unknown device: $(cat "$T/err")"
refused a en_US.UTF-8 2 device revoke
refused a en_US.UTF-8 2 device revoke "$dev_b" extra
[ "$(state a)" = "$before" ] || fail "a refused revocation changed vault a"

# ---- the revocation ----
out=$(on a zh_CN.UTF-8 device revoke "${dev_b:0:8}")
grep -q "已吊销设备 $dev_b" <<<"$out" || fail "Chinese revoke: $out"
grep -q '新的身份' <<<"$out" || fail "Chinese revoke says nothing of the identity: $out"
on a en_US.UTF-8 device list | grep -Eq "^${dev_b:0:8}  +no  +revoked  +" ||
	fail "A does not list B as revoked: $(on a en_US.UTF-8 device list)"
[ "$(on a en_US.UTF-8 --json device list |
	jq -r --arg d "$dev_b" '.devices[] | select(.device == $d) | [.revoked, .linked] | @tsv')" = \
	"$(printf 'true\tfalse')" ] || fail "json list: B not revoked"
refused a en_US.UTF-8 1 device revoke "$dev_b"
grep -q 'revoked already' "$T/err" || fail "twice: $(cat "$T/err")"
[ "$("$VAULT_SQL" "$T/a" "SELECT count(*) FROM audit WHERE action = 'device.revoke'")" = 1 ] ||
	fail "revocation not audited once"

# ---- B writes on: A refuses it, keeps what it had ----
on b en_US.UTF-8 person add --name "李雷" >/dev/null
on b en_US.UTF-8 sync export --space private --out "$T/b2.bundle" >/dev/null
rc=0
HEARTH_VAULT=$T/a LANG=en_US.UTF-8 "$HEARTH" sync import "$T/b2.bundle" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "import of revoked B's ops: exit $rc: $(cat "$T/err")"
grep -q 'refused' "$T/err" "$T/out" || fail "A did not say it refused B's ops: $(cat "$T/out" "$T/err")"
on a en_US.UTF-8 person list | grep -q "李雷" && fail "A took a write of revoked B"
on a en_US.UTF-8 person list | grep -q "张伟" || fail "A lost B's earlier write"

# ---- D, linked to A too, learns of it from A's private space ----
on d en_US.UTF-8 sync import "$T/b1.bundle" >/dev/null
on a en_US.UTF-8 sync export --space private --out "$T/a1.bundle" >/dev/null
on d en_US.UTF-8 sync import "$T/a1.bundle" >/dev/null
on d en_US.UTF-8 device list | grep -Eq "^${dev_b:0:8}  +no  +revoked  +" ||
	fail "D does not list B as revoked: $(on d en_US.UTF-8 device list)"
rc=0
HEARTH_VAULT=$T/d LANG=en_US.UTF-8 "$HEARTH" sync import "$T/b2.bundle" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "D's import of revoked B's ops: exit $rc: $(cat "$T/err")"
grep -q '^Refused: *[1-9]' "$T/out" || fail "D did not refuse B's ops: $(cat "$T/out")"
on d en_US.UTF-8 person list | grep -q "李雷" && fail "D took a write of revoked B"
on d en_US.UTF-8 person list | grep -q "张伟" || fail "D lost B's earlier write"

# The English message.
code=$(on c en_US.UTF-8 --json device link | jq -r .code)
on a en_US.UTF-8 device approve "$code" --out "$T/pkg-c" >/dev/null
on c en_US.UTF-8 device link --accept "$T/pkg-c" >/dev/null
on c en_US.UTF-8 --json device list | jq -e --arg d "$dev_b" '[.devices[] | select(.device == $d)] | length == 0' >/dev/null ||
	fail "C, linked after, was told of revoked B"
out=$(on c en_US.UTF-8 device revoke "$dev_a")
grep -q "^Device $dev_a revoked: its writes after number [0-9]* are refused.$" <<<"$out" ||
	fail "English revoke: $out"
grep -q 'cannot move you to a new identity yet' <<<"$out" || fail "English caveat: $out"
grep -q 'hearth sync export --space private' <<<"$out" || fail "English: nothing on the other devices: $out"
echo "cli_revoke: ok"
