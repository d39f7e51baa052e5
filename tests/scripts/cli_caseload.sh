#!/bin/bash
# Cases and spaces on the command line: `person add --space SPACE` makes a
# person in a team space and everything recorded about them lands there;
# `person show` and `person list --json` say which space; `hearth space
# move PERSON SPACE` copies a case whole into a team space (a PHQ-9
# item-9 safety flag and its open safety follow-up come along, open) and
# deletes the originals; bad input is refused with a reason, changing
# nothing, in English and in Chinese.
#
#   bash tests/scripts/cli_caseload.sh BUILD/cli/hearth BUILD/tests/vault_sql
#
# The second part needs the `hearth space` group (cli/cmd_space.c) with
# its `move` subcommand (cli_space_move, cli/cmd_move.c).  A build without
# that group runs the first part only and says so on stderr.
set -eu

HEARTH=${1:?usage: cli_caseload.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_caseload.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-06 LANGUAGE=en
unset LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-caseload.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault

fail() { echo "FAIL: $*" >&2; exit 1; }
# ops: how many ops the vault's log holds (a refusal adds none).
ops() { "$VAULT_SQL" "$HEARTH_VAULT" "SELECT count(*) FROM op"; }
# run EXPECTED_RC CMD...: runs the command, output in $T/out and $T/err.
run() {
	local want=$1 rc
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	[ "$rc" = "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $rc, not $want"; }
}

"$HEARTH" init >/dev/null
P=$("$HEARTH" person add --name 钱芳 --unit 运输队)

# ---- part 1: the private space, and what --space refuses ---------------
"$HEARTH" person show "$P" >"$T/out"
grep -q "^In space: *private (this vault's own)" "$T/out" ||
	{ cat "$T/out" >&2; fail "person show does not name the private space"; }
LANGUAGE=zh_CN LANG=C.UTF-8 "$HEARTH" person show "$P" | grep -q "所在空间：.*私人空间" ||
	fail "person show does not name the private space in Chinese"
"$HEARTH" person list --json >"$T/out"
grep -q '"private": true' "$T/out" || { cat "$T/out" >&2; fail "person list --json has no space"; }
n=$(ops)
run 2 "$HEARTH" person add --name 孙丽 --space ""
grep -q -- "--space needs a space's name or id" "$T/err" || fail "empty --space: $(cat "$T/err")"
run 2 "$HEARTH" person edit "$P" --space team
grep -q "hearth space move" "$T/err" || fail "edit --space does not point to a move"
[ "$(ops)" = "$n" ] || fail "a refused add or edit wrote to the vault"

# ---- part 2: team spaces and moves ---------------------------------------
"$HEARTH" space create --name 运输队心理服务 >/dev/null
S=$("$HEARTH" space list --json | sed -n 's/.*"space": *"\([0-9a-f]*\)".*/\1/p' | head -1)
[ ${#S} = 32 ] || fail "no space id from space list: $("$HEARTH" space list --json)"

n=$(ops)
run 1 "$HEARTH" person add --name 孙丽 --space nosuch
grep -q "no space 'nosuch'" "$T/err" || fail "an unknown space: $(cat "$T/err")"
[ "$(ops)" = "$n" ] || fail "a refused add wrote to the vault"

Q=$("$HEARTH" person add --name 孙丽 --space 运输队心理服务)
R=$("$HEARTH" person add --name 周强 --space "${S:0:8}")
"$HEARTH" person show "$R" | grep -q "^In space: *运输队心理服务" ||
	fail "--space by id prefix did not put the person in the space"
"$HEARTH" person show "$Q" | grep -q "^In space: *运输队心理服务 (${S:0:8})" ||
	fail "person show does not name the team space"
"$HEARTH" person list --json | grep -q "\"name\": \"运输队心理服务\"" ||
	fail "person list --json does not name the team space"
# A note about the person lands in the team space.
"$HEARTH" note add --person "$Q" --text "第一次面谈" >/dev/null
[ "$("$VAULT_SQL" "$HEARTH_VAULT" "SELECT count(*) FROM record WHERE kind = 'note' AND hex(space) = upper('$S')")" = 1 ] ||
	fail "the note is not in the person's space"

# A safety result on the private person: item 9 answered.
"$HEARTH" screen phq9 --person "$P" --answers 1,0,2,0,1,0,0,1,1 >/dev/null 2>&1 || true
"$HEARTH" followup list --json | grep -q '"safety": true' || fail "no safety follow-up to begin with"
"$HEARTH" note add --person "$P" --text "她说夜里睡不着" >/dev/null

# Refusals: not a person, an unknown space; nothing written.
NOTE=$("$VAULT_SQL" "$HEARTH_VAULT" "SELECT lower(hex(id)) FROM record WHERE kind = 'note' AND hex(space) <> upper('$S')")
n=$(ops)
run 1 "$HEARTH" space move "$NOTE" "$S"
grep -q "only a person can be moved" "$T/err" || fail "moving a note: $(cat "$T/err")"
run 1 "$HEARTH" space move "$P" nosuch
grep -q "no space 'nosuch'" "$T/err" || fail "moving into an unknown space: $(cat "$T/err")"
LANGUAGE=zh_CN LANG=C.UTF-8 run 1 "$HEARTH" space move "$NOTE" "$S"
grep -q "只能迁移人员" "$T/err" || fail "the refusal is not in Chinese: $(cat "$T/err")"
run 2 "$HEARTH" space move "$P"
[ "$(ops)" = "$n" ] || fail "a refused move wrote to the vault"

# The move: the person, the screening, its safety follow-up and the note.
run 0 "$HEARTH" space move "${P:0:8}" 运输队心理服务
grep -q "Moved ${P:0:8} into space 运输队心理服务 (${S:0:8}): 4 records" "$T/out" ||
	{ cat "$T/out" >&2; fail "move says: $(cat "$T/out")"; }
P2=$(sed -n "s/^The person's id in that space: //p" "$T/out")
[ ${#P2} = 32 ] || fail "no new id printed"
run 1 "$HEARTH" person show "$P"
"$HEARTH" person show "$P2" >"$T/out"
grep -q "钱芳" "$T/out" || fail "the copy lost the name"
grep -q "^In space: *运输队心理服务" "$T/out" || fail "the copy is not in the team space"
grep -q "她说夜里睡不着" "$T/out" || grep -q "phq9" "$T/out" || fail "the copy has no timeline"
# The safety follow-up is open, on the copy, and still keeps the case open.
"$HEARTH" followup list --json >"$T/out"
grep -q '"safety": true' "$T/out" || fail "the safety follow-up was lost by the move"
grep -q "$P2" "$T/out" || fail "the safety follow-up does not name the copy"
run 1 "$HEARTH" person case "$P2" closed
grep -q "open safety follow-up" "$T/err" || fail "the copy's case could close: $(cat "$T/err")"
# Moving the deleted original again, by its full id, says why not.
run 1 "$HEARTH" space move "$P" "$S"
grep -q "is deleted" "$T/err" || fail "moving a moved person: $(cat "$T/err")"
run 1 "$HEARTH" space move "$P2" "$S"
grep -q "already" "$T/err" || fail "moving into its own space: $(cat "$T/err")"
"$HEARTH" audit list --json | grep -q '"record.move"' || fail "no audit entry record.move"
"$HEARTH" audit verify >/dev/null || fail "the audit chain breaks"

# ---- part 3: a safety result written late for a moved person ------------
# A linked device of the same person records a
# PHQ-9 with item 9 marked for W without a network; meanwhile this vault
# moves W into the team space.  When this vault imports the copy's
# bundle, the copy's risk is high and its case in follow-up, as the
# safety rule set them on the original.
W=$("$HEARTH" person add --name 吴敏 --unit 装卸班)
"$HEARTH" person risk "$W" low >/dev/null
HEARTH_VAULT=$T/vault2 "$HEARTH" init >/dev/null 2>&1
code=$(HEARTH_VAULT=$T/vault2 "$HEARTH" device link | sed -n 2p | tr -d ' ')
"$HEARTH" device approve "$code" --out "$T/pkg" >/dev/null
HEARTH_VAULT=$T/vault2 "$HEARTH" device link --accept "$T/pkg" >/dev/null
"$HEARTH" sync export --space private --out "$T/own.bundle" >/dev/null
HEARTH_VAULT=$T/vault2 "$HEARTH" sync import "$T/own.bundle" >/dev/null
HEARTH_VAULT=$T/vault2 "$HEARTH" screen phq9 --person "$W" --answers 0,0,0,0,0,0,0,0,2 >/dev/null 2>&1 || true
HEARTH_VAULT=$T/vault2 "$HEARTH" person show "$W" | grep -q "^Risk: *High" ||
	fail "the second device's safety rule did not raise the risk"
run 0 "$HEARTH" space move "$W" "$S"
W2=$(sed -n "s/^The person's id in that space: //p" "$T/out")
"$HEARTH" person show "$W2" | grep -q "^Risk: *Low" || fail "the move did not copy the risk"
HEARTH_VAULT=$T/vault2 "$HEARTH" sync export --space private --out "$T/late.bundle" >/dev/null
run 0 "$HEARTH" sync import "$T/late.bundle"
"$HEARTH" person show "$W2" >"$T/out"
grep -q "^Risk: *High" "$T/out" || { cat "$T/out" >&2; fail "the late safety result left the moved copy's risk below high"; }
grep -q "^Case: *Follow-up" "$T/out" || { cat "$T/out" >&2; fail "the late safety result left the moved copy's case state"; }
"$HEARTH" audit list --json | grep -q "written for moved original ${W:0:8}" ||
	fail "no audit entry for the settled risk"
"$HEARTH" audit verify >/dev/null || fail "the audit chain breaks"
echo "ok: caseload"
