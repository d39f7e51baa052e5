#!/bin/bash
# Two devices edit one worker's note before they sync: `hearth person show`
# keeps and shows both texts, in English and in Chinese, and --json lists
# them; an edit made after seeing both leaves one text on both devices.
#
#   bash tests/scripts/cli_concurrent.sh BUILD/cli/hearth BUILD/tests/vault_sql
#
# The two vaults are brought together with `vault_sql --merge` (a test
# tool that sends every op of one vault to the other, as a sync will).
set -eu

HEARTH=${1:?usage: cli_concurrent.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_concurrent.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset HEARTH_VAULT LC_ALL LC_MESSAGES LANGUAGE || true

T=$(mktemp -d /tmp/hearth-concurrent.XXXXXX)
trap 'rm -rf "$T"' EXIT
A=$T/a
B=$T/b

fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "no '$2' in $3"; }; }
hasnt() { ! grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "'$2' still in $3"; }; }
merge() { "$VAULT_SQL" --merge "$1" "$2" >/dev/null; }

"$HEARTH" --vault "$A" init >/dev/null
"$HEARTH" --vault "$B" init >/dev/null
ID=$("$HEARTH" --vault "$A" person add --name 赵磊 --note 初诊)
merge "$A" "$B"
"$HEARTH" --vault "$B" person show "$ID" >/dev/null

# Both devices edit the note while apart.
"$HEARTH" --vault "$A" person edit "$ID" --note "夜班后睡不着" >/dev/null
"$HEARTH" --vault "$B" person edit "$ID" --note "Trouble sleeping after nights" >/dev/null
merge "$A" "$B"
merge "$B" "$A"

for v in "$A" "$B"; do
	LANGUAGE=en "$HEARTH" --vault "$v" person show "$ID" >"$T/en"
	has "$T/en" "夜班后睡不着" "person show (en) of $v"
	has "$T/en" "Trouble sleeping after nights" "person show (en) of $v"
	has "$T/en" "Also written on another device at the same time" "person show (en) of $v"
	LANGUAGE=zh_CN LANG=C.UTF-8 "$HEARTH" --vault "$v" person show "$ID" >"$T/zh"
	has "$T/zh" "夜班后睡不着" "person show (zh) of $v"
	has "$T/zh" "Trouble sleeping after nights" "person show (zh) of $v"
	hasnt "$T/zh" "Also written" "person show (zh) of $v"
	"$HEARTH" --vault "$v" person show --json "$ID" >"$T/json"
	has "$T/json" '"conflicts"' "person show --json of $v"
	has "$T/json" '"field": "note"' "person show --json of $v"
done
# Both devices show the same text first.
"$HEARTH" --vault "$A" person show --json "$ID" | grep '"note"' | head -1 >"$T/na"
"$HEARTH" --vault "$B" person show --json "$ID" | grep '"note"' | head -1 >"$T/nb"
cmp -s "$T/na" "$T/nb" || fail "the two devices show different notes"

# Choosing one text on one device resolves it on both.
"$HEARTH" --vault "$B" person edit "$ID" --note "夜班后睡不着，想换岗" >/dev/null
merge "$B" "$A"
for v in "$A" "$B"; do
	LANGUAGE=en "$HEARTH" --vault "$v" person show "$ID" >"$T/en"
	has "$T/en" "夜班后睡不着，想换岗" "person show after the edit, $v"
	hasnt "$T/en" "Also written" "person show after the edit, $v"
	hasnt "$T/en" "Trouble sleeping after nights" "person show after the edit, $v"
done
echo "ok: concurrent edits kept and resolved"
