#!/bin/bash
# A request to erase a worker's data: `hearth person erase ID --yes`
# removes the person's text and every record about them from the vault,
# op log included, leaves other people alone, asks for --yes first, waits
# while a safety follow-up is open, and speaks Chinese.
#
#   bash tests/scripts/cli_erase.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_erase.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_erase.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-06 LANGUAGE=en
unset LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-erase.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault

fail() { echo "FAIL: $*" >&2; exit 1; }
# count TEXT: ops in the vault's log that still hold TEXT as a value.
count() { "$VAULT_SQL" "$HEARTH_VAULT" "SELECT count(*) FROM op WHERE value = '$1'"; }

"$HEARTH" init >/dev/null
P=$("$HEARTH" person add --name 钱芳 --note 家暴求助)
Q=$("$HEARTH" person add --name 孙丽)
"$HEARTH" note add --person "$P" --text "她说丈夫昨晚又动手了" >/dev/null
"$HEARTH" note add --person "$Q" --text "孙丽的记录" >/dev/null
"$HEARTH" screen gad7 --person "$P" --answers 1,1,1,2,0,3,1 >/dev/null 2>&1
[ "$(count 钱芳)" = 1 ] || fail "the name is not in the log to begin with"

# Without --yes: a usage error, nothing erased.
set +e
"$HEARTH" person erase "$P" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "erase without --yes exited $rc"
grep -q -- "--yes" "$T/err" || fail "erase without --yes does not say to add it"
[ "$(count 钱芳)" = 1 ] || fail "erase without --yes changed the vault"

# In Chinese, the refusal is Chinese.
set +e
LANGUAGE=zh_CN LANG=C.UTF-8 "$HEARTH" person erase "$P" 2>"$T/err"
set -e
grep -q "无法撤销" "$T/err" || { cat "$T/err" >&2; fail "the refusal is not in Chinese"; }

"$HEARTH" person erase "${P:0:8}" --yes >"$T/out"
# The person, the note, the screening and the follow-up it asked for.
grep -q "Erased $P: 4 records" "$T/out" || { cat "$T/out" >&2; fail "erase says: $(cat "$T/out")"; }
for text in 钱芳 家暴求助 她说丈夫昨晚又动手了; do
	[ "$(count "$text")" = 0 ] || fail "'$text' is still in the op log"
done
set +e
"$HEARTH" person show "$P" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "the erased person still shows (exit $rc)"
"$HEARTH" person show "$Q" | grep -q 孙丽 || fail "the other person went too"
[ "$(count 孙丽的记录)" = 1 ] || fail "the other person's note went too"
"$HEARTH" audit verify >/dev/null || fail "the audit chain breaks"

# An open safety follow-up holds the erasure back, as it holds a delete.
R=$("$HEARTH" person add --name 周强)
"$HEARTH" screen phq9 --person "$R" --answers 1,0,2,0,1,0,0,1,1 >/dev/null 2>&1
set +e
"$HEARTH" person erase "$R" --yes >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "erase with an open safety follow-up exited $rc"
grep -q "open safety follow-up" "$T/err" || { cat "$T/err" >&2; fail "no reason given"; }
[ "$(count 周强)" = 1 ] || fail "a refused erase changed the vault"
echo "ok: erase"
