#!/bin/bash
# A team space through bundle files only (`hearth sync export --space
# NAME` and `hearth sync import`), between three vaults: a lead and two
# counsellors, A and B, and a device linked to the lead:
#   - the lead creates the space and invites A and B; they join, the lead
#     approves, exports; A and B import (their first import: the space is
#     not known to them, the genesis in the bundle vouches for its author)
#     and read the space's name and its person;
#   - A adds a person in the space, exports; the lead and B import it;
#   - the lead removes B and writes more; B, not knowing yet, writes too
#     and exports; B then imports the lead's newer bundle: what was written
#     after its removal is kept aside, and B's vault does not hold it;
#   - the lead and A import B's bundle: B's ops past its cutoff are
#     refused (not applied), its earlier ones stay;
#   - at the end the lead and A hold the same ops of the space;
#   - a device linked to the lead imports the team space, reads it and
#     forwards it;
#   - a device linked to counsellor A writes in the space (A lists it in
#     its own member record), and its bundle reaches the lead, who holds
#     its note; once A revokes it, the lead and A refuse its later writes
#     and it cannot read what is written after;
#   - messages in English and in Chinese.
#
#   bash tests/scripts/cli_team.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_team.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_team.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-team.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# on WHO LANG ARGS...: hearth's stdout in vault WHO; stderr into $T/err.
# The exit status is kept in $T/rc.
on() {
	local who=$1 lang=$2 rc=0
	shift 2
	HEARTH_VAULT=$T/$who LANG=$lang "$HEARTH" "$@" 2>"$T/err" || rc=$?
	echo "$rc" >"$T/rc"
}
ok() { on "$@" >"$T/out"; [ "$(cat "$T/rc")" = 0 ] || fail "$1: hearth ${*:3}: $(cat "$T/err")"; cat "$T/out"; }
rc() { cat "$T/rc"; }

sql() { "$VAULT_SQL" "$T/$1" "$2" | tr -d '\n'; }
# The ops of the space, every column, in order: the same on two vaults
# that hold the same.
dump() { "$VAULT_SQL" "$T/$1" "SELECT hex(hlc), device, hex(record), kind, field,
	quote(value) FROM op WHERE hex(space) = upper('$S') ORDER BY hlc"; }
has_name() { [ "$(sql "$1" "SELECT count(*) FROM op WHERE value = '$2'")" != 0 ]; }

for v in lead a b; do HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1; done

# ---- create, invite, join, approve -------------------------------------
out=$(ok lead en_US.UTF-8 space create --name 'Dock team')
S=$(grep -Eo '[0-9a-f]{32}' <<<"$out")
ok lead en_US.UTF-8 person add --space 'Dock team' --name 'Wang Fang' >/dev/null
for who in a b; do
	inv=$(ok lead en_US.UTF-8 space invite 'Dock team')
	code=$(sed -n 2p <<<"$inv" | tr -d ' ')
	join=$(ok "$who" en_US.UTF-8 space join "$code")
	req=$(sed -n 2p <<<"$join" | tr -d ' ')
	[ "$who" = b ] && b_fp=$(tail -n 3 <<<"$join" | tr -cd '0-9')
	ok lead en_US.UTF-8 space approve 'Dock team' "$req" >/dev/null
done

# --space takes the space's name, its id, or an id prefix.
ok lead en_US.UTF-8 sync export --space 'Dock team' --out "$T/l1" >/dev/null
grep -q '^Envelopes written: *[1-9]' "$T/out" || fail "lead export: $(cat "$T/out")"
ok lead en_US.UTF-8 sync export --space "$S" --out "$T/l1-id" >/dev/null
ok lead en_US.UTF-8 sync export --space "${S:0:10}" --out "$T/l1-prefix" >/dev/null
on lead en_US.UTF-8 sync export --space 'No such team' --out "$T/x" >/dev/null
[ "$(rc)" != 0 ] && grep -q "No such team" "$T/err" || fail "unknown space: $(cat "$T/err")"
[ ! -e "$T/x" ] || fail "an export of an unknown space wrote a file"

# A's first import: everything applied, the space known, its key held.
ok a en_US.UTF-8 sync import "$T/l1" >/dev/null
grep -q '^Kept aside: *0$' "$T/out" || fail "A's first import: $(cat "$T/out")"
grep -q '^Refused: *0$' "$T/out" || fail "A's first import: $(cat "$T/out")"
list=$(ok a en_US.UTF-8 space list)
grep -q 'Dock team  *counsellor  *3  *1  *yes' <<<"$list" || fail "A's space list: $list"
has_name a 'Wang Fang' || fail "A cannot read the lead's person"
# Again: nothing new.
ok a en_US.UTF-8 sync import "$T/l1" >/dev/null
grep -q 'Nothing new' "$T/out" || fail "second import: $(cat "$T/out")"
# B in Chinese.
ok b zh_CN.UTF-8 sync import "$T/l1" >/dev/null
has_name b 'Wang Fang' || fail "B cannot read the lead's person"

# ---- A writes; the lead and B read it -----------------------------------
ok a en_US.UTF-8 person add --space 'Dock team' --name 'Li Qiang' >/dev/null
# A names itself: the others' member lists show it once it arrives.
ok a en_US.UTF-8 space name 'Dock team' 'Counsellor A' >/dev/null
ok a en_US.UTF-8 sync export --space 'Dock team' --out "$T/a1" >/dev/null
ok lead en_US.UTF-8 sync import "$T/a1" >/dev/null
ok b en_US.UTF-8 sync import "$T/a1" >/dev/null
has_name lead 'Li Qiang' || fail "the lead cannot read A's person"
has_name b 'Li Qiang' || fail "B cannot read A's person"
for v in lead b; do
	ok "$v" en_US.UTF-8 --json space members 'Dock team' >/dev/null
	[ "$(jq -r '[.members[] | select(.name == "Counsellor A")] | length' "$T/out")" = 1 ] ||
		fail "$v does not see A's name: $(cat "$T/out")"
done
# The relay, or anyone holding the bundle, does not read it.
! grep -qa 'Counsellor A' "$T/a1" || fail "A's name is in the bundle in clear"
# B writes before its removal, and the lead and A get it.
ok b en_US.UTF-8 person add --space 'Dock team' --name 'Zhao Min' >/dev/null
ok b en_US.UTF-8 sync export --space 'Dock team' --out "$T/b1" >/dev/null
ok lead en_US.UTF-8 sync import "$T/b1" >/dev/null
ok a en_US.UTF-8 sync import "$T/b1" >/dev/null

# ---- the lead removes B and writes more ----------------------------------
[ ${#b_fp} -ge 20 ] || fail "no fingerprint of B"
ok lead en_US.UTF-8 space remove 'Dock team' "$b_fp" >/dev/null
ok lead en_US.UTF-8 person add --space 'Dock team' --name 'Secret Sun' >/dev/null
ok lead en_US.UTF-8 sync export --space 'Dock team' --out "$T/l2" >/dev/null
# B, not knowing yet, writes too and exports (at the epoch it holds).
ok b en_US.UTF-8 person add --space 'Dock team' --name 'Late Qian' >/dev/null
ok b en_US.UTF-8 sync export --space 'Dock team' --out "$T/b2" >/dev/null

# B imports the lead's bundle: the removal is applied, what was written
# after it stays sealed: kept aside, named, exit 1, and not in B's vault.
on b en_US.UTF-8 sync import "$T/l2" >"$T/out"
[ "$(rc)" = 1 ] || fail "B's import after removal exited $(rc): $(cat "$T/err")"
grep -q '^Kept aside: *[1-9]' "$T/out" || fail "B's import after removal: $(cat "$T/out")"
grep -q 'kept aside: that device is not known to write to its space yet' "$T/err" ||
	fail "B's import names nothing kept aside: $(cat "$T/err")"
has_name b 'Secret Sun' && fail "B reads a person written after its removal"
list=$(ok b en_US.UTF-8 --json space list)
[ "$(jq '.spaces | length' <<<"$list")" = 0 ] || fail "B still lists the space: $list"
# In Chinese too (the same bundle: held, kept aside again).
on b zh_CN.UTF-8 sync import "$T/l2" >"$T/out"
grep -q '暂存' "$T/out" "$T/err" || fail "Chinese import after removal: $(cat "$T/out" "$T/err")"
# B may not export the space any more: it is no longer one of its spaces.
on b en_US.UTF-8 sync export --space "$S" --out "$T/b3" >/dev/null
[ "$(rc)" = 1 ] && grep -q "no space '$S'" "$T/err" ||
	fail "B exports after learning of its removal: $(cat "$T/err")"
[ ! -e "$T/b3" ] || fail "B wrote a bundle after its removal"

# The lead and A import B's bundle: B's later ops are refused, its earlier
# ones stay.
for who in a lead; do
	[ $who = a ] && ok a en_US.UTF-8 sync import "$T/l2" >/dev/null
	on $who en_US.UTF-8 sync import "$T/b2" >"$T/out"
	[ "$(rc)" = 1 ] || fail "$who: import of B's late bundle exited $(rc): $(cat "$T/err")"
	grep -q '^Refused: *[1-9]' "$T/out" || fail "$who: $(cat "$T/out")"
	grep -q 'refused: that device may not write those changes' "$T/err" ||
		fail "$who: $(cat "$T/err")"
	has_name $who 'Late Qian' && fail "$who applied B's op past its cutoff"
	has_name $who 'Zhao Min' || fail "$who lost B's earlier op"
	has_name $who 'Secret Sun' || fail "$who lacks the lead's late person"
done
on lead zh_CN.UTF-8 sync import "$T/b2" >"$T/out"
grep -q '被拒绝：该设备无权写入这些更改' "$T/err" || fail "Chinese refusal: $(cat "$T/err")"

# Both hold the same ops of the space.
ok lead en_US.UTF-8 sync export --space 'Dock team' --out "$T/l3" >/dev/null
ok a en_US.UTF-8 sync import "$T/l3" >/dev/null
ok a en_US.UTF-8 sync export --space 'Dock team' --out "$T/a3" >/dev/null
ok lead en_US.UTF-8 sync import "$T/a3" >/dev/null
[ "$(dump lead)" = "$(dump a)" ] || fail "the lead and A hold different ops of the space"
[ -n "$(dump lead)" ] || fail "empty dump"

# ---- a device linked to the lead reads the team space --------------------
HEARTH_VAULT=$T/lead2 "$HEARTH" init >/dev/null 2>&1
code=$(ok lead2 en_US.UTF-8 device link | sed -n 2p | tr -d ' ')
ok lead en_US.UTF-8 device approve "$code" --out "$T/pkg" >/dev/null
ok lead2 en_US.UTF-8 device link --accept "$T/pkg" >/dev/null
ok lead2 en_US.UTF-8 sync import "$T/l3" >/dev/null
ok lead2 en_US.UTF-8 sync import "$T/a3" >/dev/null
has_name lead2 'Secret Sun' || fail "the linked device cannot read the team space"
has_name lead2 'Li Qiang' || fail "the linked device cannot read A's person"
# It forwards what it holds: A finds nothing new in its bundle.
ok lead2 en_US.UTF-8 sync export --space 'Dock team' --out "$T/l4" >/dev/null
ok a en_US.UTF-8 sync import "$T/l4" >/dev/null
grep -q 'Nothing new' "$T/out" || fail "A imports the linked device's bundle: $(cat "$T/out")"
# ---- a device linked to counsellor A writes in the team space -------------
# A links A2: A's approval lists A2 in A's own member record of the space
# (no lead needed) and seals the current key to it.  A2 writes a note for
# a team person; its bundle alone reaches the lead (it forwards A's
# listing); the lead, A and A2 converge.  Then A revokes A2: its later
# writes are refused by the lead and A, and it cannot read what the lead
# writes after.
HEARTH_VAULT=$T/a2 "$HEARTH" init >/dev/null 2>&1
code=$(ok a2 en_US.UTF-8 device link | sed -n 2p | tr -d ' ')
ok a en_US.UTF-8 device approve "$code" --out "$T/pkg-a2" >/dev/null
ok a2 en_US.UTF-8 device link --accept "$T/pkg-a2" >/dev/null
dev_a2=$(ok a2 en_US.UTF-8 --json device list | jq -r '.devices[0].device')
ok a en_US.UTF-8 sync export --space 'Dock team' --out "$T/a4" >/dev/null
ok a2 en_US.UTF-8 sync import "$T/a4" >/dev/null
grep -q '^Kept aside: *0$' "$T/out" && grep -q '^Refused: *0$' "$T/out" ||
	fail "A2's first import: $(cat "$T/out")"
list=$(ok a2 en_US.UTF-8 space list)
grep -q 'Dock team  *counsellor .* yes' <<<"$list" || fail "A2's space list: $list"
li=$(ok a2 en_US.UTF-8 --json person list --search 'Li Qiang' | jq -r '.[0].id // .people[0].id')
[ -n "$li" ] && [ "$li" != null ] || fail "A2 cannot see the team's person"
ok a2 en_US.UTF-8 note add --person "$li" --text 'Note by A2 after the shift' >/dev/null
ok a2 en_US.UTF-8 sync export --space 'Dock team' --out "$T/a2-1" >/dev/null
ok lead en_US.UTF-8 sync import "$T/a2-1" >/dev/null
grep -q '^Kept aside: *0$' "$T/out" && grep -q '^Refused: *0$' "$T/out" ||
	fail "the lead's import of A2's bundle: $(cat "$T/out")"
has_name lead 'Note by A2 after the shift' || fail "the lead does not hold A2's note"
ok lead en_US.UTF-8 sync import "$T/a4" >/dev/null
for round in 1 2; do
	for who in lead a a2; do
		ok $who en_US.UTF-8 sync export --space "$S" --out "$T/r-$who" >/dev/null
	done
	for who in lead a a2; do
		for from in lead a a2; do
			[ $who = $from ] || ok $who en_US.UTF-8 sync import "$T/r-$from" >/dev/null
		done
	done
done
[ "$(dump lead)" = "$(dump a)" ] || fail "the lead and A differ after A2 wrote"
[ "$(dump lead)" = "$(dump a2)" ] || fail "the lead and A2 differ"

# A revokes A2: a new epoch in the team space, without A2.
out=$(ok a en_US.UTF-8 device revoke "$dev_a2")
grep -q "^Device $dev_a2 revoked" <<<"$out" || fail "A's revoke: $out"
sql a "SELECT detail FROM audit WHERE action = 'device.revoke'" | grep -q 'spaces=1$' ||
	fail "the revocation reached no team space: $(sql a "SELECT detail FROM audit WHERE action = 'device.revoke'")"
ok a en_US.UTF-8 sync export --space 'Dock team' --out "$T/a5" >/dev/null
ok lead en_US.UTF-8 sync import "$T/a5" >/dev/null
# A2, not knowing, writes on: the lead and A refuse it.
ok a2 en_US.UTF-8 note add --person "$li" --text 'Note by A2 after its revocation' >/dev/null
ok a2 en_US.UTF-8 sync export --space 'Dock team' --out "$T/a2-2" >/dev/null
for who in lead a; do
	on $who en_US.UTF-8 sync import "$T/a2-2" >"$T/out"
	[ "$(rc)" = 1 ] || fail "$who: import of revoked A2's bundle exited $(rc): $(cat "$T/err")"
	grep -q '^Refused: *[1-9]' "$T/out" || fail "$who did not refuse A2: $(cat "$T/out")"
	has_name $who 'Note by A2 after its revocation' && fail "$who applied revoked A2's note"
	has_name $who 'Note by A2 after the shift' || fail "$who lost A2's earlier note"
done
# The lead writes after the revocation: A2 cannot read it.
ok lead en_US.UTF-8 person add --space 'Dock team' --name 'After Revocation Wu' >/dev/null
ok lead en_US.UTF-8 sync export --space 'Dock team' --out "$T/l5" >/dev/null
on a2 en_US.UTF-8 sync import "$T/l5" >"$T/out"
grep -q '^Kept aside: *[1-9]' "$T/out" || fail "A2's import after revocation: $(cat "$T/out")"
has_name a2 'After Revocation Wu' && fail "revoked A2 reads what the lead wrote after"
ok a en_US.UTF-8 sync import "$T/l5" >/dev/null
has_name a 'After Revocation Wu' || fail "A cannot read the lead's person after the revocation"
echo "cli_team: ok"
