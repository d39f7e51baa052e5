#!/bin/bash
# `hearth sync export` and `hearth sync import`, in English and in Chinese
# (LANG=en_US.UTF-8, LANG=zh_CN.UTF-8):
#   - vault B is a copy of vault A (same identity, its own device id);
#     what A writes afterwards reaches B through a bundle: B then lists
#     the same people as A and holds the same op log; the export prints a
#     cursor, and an export past it holds only what is new;
#   - importing a bundle again applies nothing and says so;
#   - a bundle cut short (at envelope boundaries and elsewhere), with a
#     flipped byte, with an envelope's signature broken (the bundle's hash
#     made to match), or not a bundle at all: refused with a clear
#     message, exit 1, and B's stored data exactly as before;
#   - B's own changes, signed by a device A has no certificate for, are
#     kept aside by A, named, exit 1, and A's data unchanged;
#   - bad usage exits 2.
#
#   bash tests/scripts/cli_sync.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_sync.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_sync.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-sync.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
A=$T/a
B=$T/b

fail() { echo "FAIL: $*" >&2; exit 1; }

# in VAULT LANG ARGS...: hearth's stdout; fails the script on a non-zero exit.
hv() {
	local v=$1 lang=$2
	shift 2
	HEARTH_VAULT=$v LANG=$lang "$HEARTH" "$@" || fail "hearth $* in $v exited $?"
}

# refused VAULT LANG WANT_EXIT ARGS...: runs hearth, which must exit
# WANT_EXIT; its stderr goes to $T/err.
refused() {
	local v=$1 lang=$2 want=$3 rc
	shift 3
	set +e
	HEARTH_VAULT=$v LANG=$lang "$HEARTH" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	[ $rc = "$want" ] || fail "hearth $*: exit $rc, not $want: $(cat "$T/err")"
}

# state VAULT: everything a vault stores that an import could change.
state() {
	"$VAULT_SQL" "$1" "SELECT device, seq, hex(hash), state FROM op ORDER BY device, seq" &&
	"$VAULT_SQL" "$1" "SELECT arrival, hex(id), state FROM envelope ORDER BY arrival" &&
	"$VAULT_SQL" "$1" "SELECT hex(record), name, value FROM field ORDER BY 1, 2"
}

people() { hv "$1" en_US.UTF-8 --json person list | jq -c '[.[] | .name] | sort'; }

HEARTH_VAULT=$A "$HEARTH" init >/dev/null 2>&1
hv "$A" en_US.UTF-8 person add --name 王芳 >/dev/null
cp -a "$A" "$B"
hv "$B" en_US.UTF-8 person list >/dev/null 2>&1 # B moves to its own device id
hv "$A" en_US.UTF-8 person add --name 李明 --unit 3 >/dev/null
[ "$(people "$A")" != "$(people "$B")" ] || fail "the copy already has A's new person"

# ---- export, import, again ----
out=$(hv "$A" en_US.UTF-8 sync export --space private --out "$T/1.bundle")
grep -q '^Envelopes written:  *1$' <<<"$out" || fail "export: $out"
grep -q '^Sealed now:  *1 (5 changes)$' <<<"$out" || fail "export sealed: $out"
cursor=$(sed -n 's/^Cursor:  *\([0-9]*\) (next time: --since \1)$/\1/p' <<<"$out")
[ -n "$cursor" ] || fail "no cursor: $out"
[ -f "$T/1.bundle" ] || fail "no bundle written"
! ls "$T"/1.bundle.* >/dev/null 2>&1 || fail "temporary file left"

out=$(hv "$B" en_US.UTF-8 sync import "$T/1.bundle")
grep -q '^Applied:  *1 (5 changes)$' <<<"$out" || fail "import: $out"
[ "$(people "$A")" = "$(people "$B")" ] || fail "B differs from A: $(people "$B")"
[ "$("$VAULT_SQL" "$A" "SELECT device, seq, hex(hash) FROM op ORDER BY 1, 2")" = \
  "$("$VAULT_SQL" "$B" "SELECT device, seq, hex(hash) FROM op ORDER BY 1, 2")" ] ||
	fail "the op logs differ"
before=$(state "$B")
out=$(hv "$B" en_US.UTF-8 sync import "$T/1.bundle")
grep -q '^Nothing new: every envelope in the bundle is already here.$' <<<"$out" ||
	fail "re-import: $out"
grep -q '^Already here:  *1$' <<<"$out" || fail "re-import count: $out"
out=$(hv "$B" zh_CN.UTF-8 sync import "$T/1.bundle")
grep -q '^没有新内容：同步包中的每个信封本设备都已存在。$' <<<"$out" || fail "re-import (zh): $out"
[ "$(state "$B")" = "$before" ] || fail "a re-import changed B"
[ "$(hv "$B" en_US.UTF-8 --json sync import "$T/1.bundle" | jq -c '[.applied, .already_held]')" = \
	"[0,1]" ] || fail "re-import json"

# Past the cursor: only what is new.
hv "$A" en_US.UTF-8 person add --name 张伟 >/dev/null
out=$(hv "$A" en_US.UTF-8 sync export --space private --out "$T/2.bundle" --since "$cursor")
grep -q '^Envelopes written:  *1$' <<<"$out" || fail "export --since: $out"
out=$(hv "$A" zh_CN.UTF-8 sync export --space private --out "$T/3.bundle" --since 0)
grep -q '^写入的信封：* *2$' <<<"$out" || grep -q '^写入的信封  *2$' <<<"$out" ||
	grep -q '写入的信封.*2' <<<"$out" || fail "export (zh): $out"
grep -q '^游标' <<<"$out" || fail "export cursor (zh): $out"

# ---- damaged bundles: refused, nothing applied ----
before=$(state "$B")
size=$(stat -c %s "$T/3.bundle")
len1=$(( $(od -An -tu1 -j9 -N4 "$T/3.bundle" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}') ))
for cut in 5 9 13 $((13 + len1)) $((17 + len1)) 100 $((size / 2)) $((size - 33)) $((size - 1)); do
	head -c "$cut" "$T/3.bundle" >"$T/cut.bundle"
	refused "$B" en_US.UTF-8 1 sync import "$T/cut.bundle"
	if [ "$cut" -ge 9 ]; then
		grep -q '^hearth: bundle refused: it is truncated$' "$T/err" || fail "cut at $cut: $(cat "$T/err")"
	fi
	grep -q "^hearth: nothing from '$T/cut.bundle' was applied$" "$T/err" ||
		fail "cut at $cut, second line: $(cat "$T/err")"
	[ "$(state "$B")" = "$before" ] || fail "a bundle cut at $cut changed B"
done
refused "$B" zh_CN.UTF-8 1 sync import "$T/cut.bundle"
grep -q '^hearth: 同步包被拒绝：内容不完整（被截断）$' "$T/err" || fail "cut (zh): $(cat "$T/err")"
grep -qF "hearth: "'“'"$T/cut.bundle"'”中的任何内容都未被应用' "$T/err" || fail "cut (zh) 2: $(cat "$T/err")"

for at in 0 8 20 200 $((size - 40)) $((size - 5)); do
	cp "$T/3.bundle" "$T/flip.bundle"
	byte=$(od -An -tu1 -j"$at" -N1 "$T/flip.bundle" | tr -d ' ')
	# shellcheck disable=SC2059 # the byte, written as an octal escape
	printf "$(printf '\\%03o' $(( byte ^ 4 )))" |
		dd of="$T/flip.bundle" bs=1 seek="$at" conv=notrunc 2>/dev/null
	refused "$B" en_US.UTF-8 1 sync import "$T/flip.bundle"
	[ "$(state "$B")" = "$before" ] || fail "a flipped byte at $at changed B"
done
grep -q '^hearth: bundle refused: it is damaged: its checksum does not match$' "$T/err" ||
	fail "flipped: $(cat "$T/err")"
refused "$B" zh_CN.UTF-8 1 sync import "$T/flip.bundle"
grep -q '^hearth: 同步包被拒绝：' "$T/err" || fail "flipped (zh): $(cat "$T/err")"
echo 'SQLite format 3' >"$T/not.bundle"
refused "$B" en_US.UTF-8 1 sync import "$T/not.bundle"
grep -q '^hearth: bundle refused: it is not a Hearth bundle$' "$T/err" || fail "not a bundle: $(cat "$T/err")"
refused "$B" en_US.UTF-8 1 sync import "$T/nosuch.bundle"
grep -q "^hearth: cannot read bundle '$T/nosuch.bundle': No such file or directory$" "$T/err" ||
	fail "missing file: $(cat "$T/err")"
[ "$(state "$B")" = "$before" ] || fail "a refused bundle changed B"

# A flipped byte inside an envelope's signature, the bundle's own hash
# made to match (BLAKE2b-256 of all before it, as anyone can): the
# envelope's signature refuses it, and nothing of the bundle applies.
head -c $((size - 32)) "$T/3.bundle" >"$T/sig.bundle"
sigat=$((13 + len1 - 1)) # the last byte of the first envelope: its signature
byte=$(od -An -tu1 -j"$sigat" -N1 "$T/sig.bundle" | tr -d ' ')
# shellcheck disable=SC2059 # the byte, written as an octal escape
printf "$(printf '\\%03o' $(( byte ^ 1 )))" |
	dd of="$T/sig.bundle" bs=1 seek="$sigat" conv=notrunc 2>/dev/null
sum=$(b2sum -l 256 "$T/sig.bundle" | cut -d' ' -f1)
xxd -r -p <<<"$sum" >>"$T/sig.bundle"
refused "$B" en_US.UTF-8 1 sync import "$T/sig.bundle"
grep -Eq '^hearth: envelope from device [0-9a-f]{16} refused: its signature does not verify$' "$T/err" ||
	fail "bad signature: $(cat "$T/err")"
grep -Eq "^hearth: nothing from '$T/sig.bundle' was applied \(envelope 1, id [0-9a-f]{16}, was refused\)$" \
	"$T/err" || fail "bad signature, second line: $(cat "$T/err")"
refused "$B" zh_CN.UTF-8 1 sync import "$T/sig.bundle"
grep -q '的信封被拒绝：签名验证失败$' "$T/err" || fail "bad signature (zh): $(cat "$T/err")"
[ "$(state "$B")" = "$before" ] || fail "a bundle with a bad signature changed B"

# The whole one still applies.
out=$(hv "$B" en_US.UTF-8 sync import "$T/3.bundle")
grep -q '^Applied:  *1 (2 changes)$' <<<"$out" || fail "import after refusals: $out"
[ "$(people "$A")" = "$(people "$B")" ] || fail "B differs from A after all"

# ---- a device A does not know ----
hv "$B" en_US.UTF-8 person add --name "B's own" >/dev/null
hv "$B" en_US.UTF-8 sync export --space private --out "$T/b.bundle" >/dev/null
before=$(hv "$A" en_US.UTF-8 --json person list)
refused "$A" en_US.UTF-8 1 sync import "$T/b.bundle"
grep -Eq '^hearth: envelope [0-9]+ \(id [0-9a-f]{16}\) from device [0-9a-f]{16} kept aside: that device is not known to write to its space yet$' \
	"$T/err" || fail "kept aside: $(cat "$T/err")"
grep -q "^hearth: envelopes of '$T/b.bundle' not applied: 1 (named above)$" "$T/err" ||
	fail "kept aside summary: $(cat "$T/err")"
grep -q '^Kept aside:  *1$' "$T/out" || fail "kept aside count: $(cat "$T/out")"
[ "$(hv "$A" en_US.UTF-8 --json person list)" = "$before" ] || fail "A applied an unknown device's ops"
refused "$A" zh_CN.UTF-8 1 sync import "$T/b.bundle"
grep -q '已暂存：尚不知道该设备可以写入其空间$' "$T/err" || fail "kept aside (zh): $(cat "$T/err")"

# ---- a bundle that cannot be written ----
before=$(state "$A")
refused "$A" en_US.UTF-8 1 sync export --space private --out "$T/no/such/dir.bundle"
grep -q "^hearth: cannot write bundle '$T/no/such/dir.bundle': No such file or directory$" "$T/err" ||
	fail "unwritable: $(cat "$T/err")"
[ "$(state "$A")" = "$before" ] || fail "a failed export changed A"

# ---- audit ----
hv "$B" en_US.UTF-8 audit list | grep -q 'sync.import' || fail "import not audited"
hv "$A" en_US.UTF-8 audit list | grep -q 'sync.export' || fail "export not audited"

# ---- bad usage ----
for args in "sync" "sync nosuch" "sync export --out $T/x" "sync export --space private" \
	"sync export --space private --out $T/x --since -1" \
	"sync export --space private --out $T/x --since abc" "sync import" "sync import a b"; do
	# shellcheck disable=SC2086 # split on purpose
	refused "$A" en_US.UTF-8 2 $args
	[ -s "$T/err" ] || fail "hearth $args: no message"
done
# A space this vault is not a member of (--space takes a team space's name
# too): not found, exit 1, no file.
refused "$A" en_US.UTF-8 1 sync export --space nothex --out "$T/x"
grep -q "no space 'nothex'" "$T/err" || fail "unknown space: $(cat "$T/err")"
[ ! -e "$T/x" ] || fail "an export of an unknown space wrote a file"
hv "$A" en_US.UTF-8 sync export --help | grep -q -- '--since CURSOR' || fail "export --help"
hv "$A" zh_CN.UTF-8 sync import --help | grep -q '^用法：hearth sync import FILE$' || fail "import --help (zh)"
echo "cli_sync: ok"
