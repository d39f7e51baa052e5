#!/bin/bash
# A vault made by the release before op ids (schema 2, kept in
# tests/data/vault-2026-12 with the outputs that release printed) opens in
# this one: it migrates forward, every command prints what it printed
# then, the audit chain still verifies, and a new vault that receives its
# ops converges with it, both ways.
#
#   bash tests/scripts/cli_migrate.sh BUILD/cli/hearth BUILD/tests/vault_sql
#
# The fixture was made with: init; three people (one edited, one deleted);
# a PHQ-9 with item 9 answered (a safety follow-up); a GAD-7; an
# appointment; a follow-up; a note and its amendment; a lecture; a journal
# entry — all on 2026-12-05 with HEARTH_TODAY set.  One output differs by
# design: the first open gives the vault its identity and a certified
# device key, audited (identity.create, device.certify), so expected.9
# counts those 2 entries beyond the 20 that release printed.
set -eu

HEARTH=${1:?usage: cli_migrate.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_migrate.sh /path/to/hearth /path/to/vault_sql}
DATA=$(cd "$(dirname "$0")/../data/vault-2026-12" && pwd)
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-05 LANGUAGE=en
unset HEARTH_VAULT LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-migrate.XXXXXX)
trap 'rm -rf "$T"' EXIT
OLD=$T/old
NEW=$T/new
mkdir "$OLD"
cp "$DATA"/vault.json "$DATA"/hearth.db "$DATA"/hearth.id "$OLD"/

fail() { echo "FAIL: $*" >&2; exit 1; }

i=0
while read -r line; do
	i=$((i + 1))
	# shellcheck disable=SC2086 # the line is a command's words
	"$HEARTH" --vault "$OLD" $line >"$T/out" 2>&1 || true
	if ! cmp -s "$T/out" "$DATA/expected.$i"; then
		diff -u "$DATA/expected.$i" "$T/out" >&2 || true
		fail "'hearth $line' prints something else after the migration"
	fi
done <"$DATA/commands"
echo "ok: $i commands print what they printed before the migration"

"$HEARTH" --vault "$NEW" init >/dev/null
"$VAULT_SQL" --merge "$OLD" "$NEW" >/dev/null
"$VAULT_SQL" --dump "$OLD" >"$T/dump.old"
"$VAULT_SQL" --dump "$NEW" >"$T/dump.new"
# The new vault also holds its own settings record; the old vault's records
# must all be there, identical.
grep -c '^record ' "$T/dump.old" >/dev/null || fail "empty dump"
python3 - "$T/dump.old" "$T/dump.new" <<'PY'
import sys
def records(path):
    out, cur = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("record "):
            cur = line.split()[1]
            out[cur] = []
        out[cur].append(line)
    return out
old, new = records(sys.argv[1]), records(sys.argv[2])
missing = [r for r in old if old[r] != new.get(r)]
if missing:
    sys.exit("records differ after the merge: %s" % ", ".join(missing))
PY

# Writes on both sides, then both ways: identical dumps.
"$HEARTH" --vault "$NEW" person add --name 孙丽 >/dev/null
"$HEARTH" --vault "$OLD" person edit 166459748b7e666dad518bfa33ca3a10 --unit 二车间 >/dev/null
"$VAULT_SQL" --merge "$OLD" "$NEW" >/dev/null
"$VAULT_SQL" --merge "$NEW" "$OLD" >/dev/null
"$VAULT_SQL" --dump "$OLD" >"$T/dump.old"
"$VAULT_SQL" --dump "$NEW" >"$T/dump.new"
cmp -s "$T/dump.old" "$T/dump.new" || {
	diff -u "$T/dump.old" "$T/dump.new" >&2 || true
	fail "the migrated vault and the new one differ after a sync both ways"
}
"$HEARTH" --vault "$NEW" --json person list >"$T/list.new"
grep -q 二车间 "$T/list.new" || fail "the edit did not reach the new vault"
grep -q 孙丽 "$T/list.new" || fail "the new vault lost its own person"
echo "ok: the migrated vault converges with a new one"
