#!/bin/bash
# `hearth device link` and `hearth device approve`: a person's second
# device joins their identity, in English and in Chinese.
#   - B (a new vault) prints a link code; A approves it into a package file;
#     B takes the package: both then show one fingerprint, B's private
#     space is A's, and each lists the other as linked;
#   - a mistyped code, a package for another device, a damaged package and
#     a vault that already holds records are refused with a message that
#     names the problem, a non-zero exit, and no change to the vault;
#   - the two devices then sync their private space both ways by bundle
#     files and hold the same records;
#   - bad usage exits 2.
#
#   bash tests/scripts/cli_link.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_link.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_link.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-link.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# on VAULT LANG ARGS...: runs hearth on vault $T/VAULT; stdout on stdout,
# stderr in $T/err; fails the script on a non-zero exit.
on() {
	local v=$1 lang=$2
	shift 2
	HEARTH_VAULT=$T/$v LANG=$lang "$HEARTH" "$@" 2>"$T/err" ||
		fail "hearth $* on $v exited $?: $(cat "$T/err")"
}

# refused VAULT LANG WANT_EXIT ARGS...: the command must exit WANT_EXIT;
# its stderr is left in $T/err.
refused() {
	local v=$1 lang=$2 want=$3 rc=0
	shift 3
	HEARTH_VAULT=$T/$v LANG=$lang "$HEARTH" "$@" >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "hearth $* on $v: exit $rc, expected $want: $(cat "$T/err")"
}

digits() { tr -cd '0-9' <<<"$1"; }
fp_of() { digits "$(on "$1" en_US.UTF-8 --json device fingerprint | jq -r .fingerprint)"; }
# state VAULT: what a refused link must not change.
state() {
	echo "$(fp_of "$1")"
	"$VAULT_SQL" "$T/$1" "SELECT key, hex(value) FROM meta ORDER BY key"
	"$VAULT_SQL" "$T/$1" "SELECT count(*) FROM op"
}

for v in a b c; do HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1; done
on a en_US.UTF-8 person add --name "王芳" >/dev/null
[ "$(fp_of a)" != "$(fp_of b)" ] || fail "two new vaults share an identity"

# ---- the link ----
out_en=$(on b en_US.UTF-8 device link)
grep -q '^Link code of this device:$' <<<"$out_en" || fail "English link: $out_en"
code=$(sed -n 2p <<<"$out_en" | tr -d ' ')
[[ $code =~ ^HL(-[0-9A-Z]{1,4}){18}$ ]] || fail "link code: $code"
out_zh=$(on b zh_CN.UTF-8 device link)
grep -q '^本设备的关联码：$' <<<"$out_zh" || fail "Chinese link: $out_zh"
[ "$(on b en_US.UTF-8 --json device link | jq -r .code)" = "$code" ] || fail "json code"

approved=$(on a zh_CN.UTF-8 device approve "$code" --out "$T/pkg")
grep -q "已批准设备" <<<"$approved" || fail "Chinese approve: $approved"
[ -s "$T/pkg" ] || fail "no package written"
ls "$T" | grep -q 'tmp-' && fail "a temporary file was left: $(ls "$T")"
# The package holds no clear secret: not the identity's fingerprint text,
# not the name.
grep -q "王芳" "$T/pkg" && fail "package holds a name in clear"

accepted=$(on b en_US.UTF-8 device link --accept "$T/pkg")
grep -q '^This device is now linked to the identity below.$' <<<"$accepted" ||
	fail "English accept: $accepted"
[ "$(fp_of a)" = "$(fp_of b)" ] || fail "fingerprints differ after linking"
[ "$(digits "$accepted")" = "$(fp_of a)" ] || fail "accept shows another fingerprint"
space_a=$("$VAULT_SQL" "$T/a" "SELECT hex(value) FROM meta WHERE key='private_space'")
space_b=$("$VAULT_SQL" "$T/b" "SELECT hex(value) FROM meta WHERE key='private_space'")
[ "$space_a" = "$space_b" ] || fail "private spaces differ: $space_a $space_b"
dev_b=$(on b en_US.UTF-8 --json device list | jq -r '.devices[0].device')
dev_a=$(on a en_US.UTF-8 --json device list | jq -r '.devices[0].device')
[ "$(on a en_US.UTF-8 --json device list |
	jq -r --arg d "$dev_b" '.devices[] | select(.device == $d) | [.linked, .certified] | @tsv')" = \
	"$(printf 'true\ttrue')" ] || fail "A does not list B as linked"
on b en_US.UTF-8 device list | grep -Eq "^${dev_a:0:8}  +no  +yes, linked  +" ||
	fail "B does not list A as linked: $(on b en_US.UTF-8 device list)"
on b zh_CN.UTF-8 device list | grep -q "是，已关联" || fail "Chinese linked"

# ---- linked devices sync their private space both ways by bundles ----
on a en_US.UTF-8 sync export --space private --out "$T/a1.bundle" >/dev/null
on b en_US.UTF-8 sync import "$T/a1.bundle" >/dev/null
on b en_US.UTF-8 person list | grep -q "王芳" || fail "B did not receive A's person"
on b en_US.UTF-8 person add --name "张伟" >/dev/null
on b en_US.UTF-8 sync export --space private --out "$T/b1.bundle" >/dev/null
on a en_US.UTF-8 sync import "$T/b1.bundle" >/dev/null ||
	fail "A refused its linked device's bundle"
on a en_US.UTF-8 person list | grep -q "张伟" || fail "A did not receive B's person"
dump() { "$VAULT_SQL" "$T/$1" "SELECT hex(id), name, hex(value) FROM field JOIN record ON record.id = field.record ORDER BY 1, 2"; }
[ "$(dump a)" = "$(dump b)" ] || fail "linked devices differ after syncing both ways"

# ---- refusals: a message, a non-zero exit, nothing changed ----
before=$(state c)
bad=${code:0:5}$([ "${code:5:1}" = A ] && echo B || echo A)${code:6}
refused a en_US.UTF-8 1 device approve "$bad" --out "$T/pkg2"
grep -q 'mistyped' "$T/err" || fail "mistyped code: $(cat "$T/err")"
[ -e "$T/pkg2" ] && fail "a package was written for a mistyped code"
refused a zh_CN.UTF-8 1 device approve "$bad" --out "$T/pkg2"
grep -q '输错' "$T/err" || fail "Chinese mistyped: $(cat "$T/err")"
refused c en_US.UTF-8 1 device link --accept "$T/pkg"
grep -q 'not for this device' "$T/err" || fail "package for another: $(cat "$T/err")"
cp "$T/pkg" "$T/pkg-bad"
printf '\x00' | dd of="$T/pkg-bad" bs=1 seek=40 conv=notrunc 2>/dev/null
refused c en_US.UTF-8 1 device link --accept "$T/pkg-bad"
head -c 5 "$T/pkg" >"$T/pkg-short"
refused c zh_CN.UTF-8 1 device link --accept "$T/pkg-short"
grep -q '关联包' "$T/err" || fail "Chinese not a package: $(cat "$T/err")"
refused c en_US.UTF-8 1 device link --accept "$T/no-such-file"
grep -q "cannot read $T/no-such-file" "$T/err" || fail "missing file: $(cat "$T/err")"
[ "$(state c)" = "$before" ] || fail "a refused link changed vault c"

# A vault with records of its own is not linked (they would be left behind).
code_a=$(on a en_US.UTF-8 --json device link | jq -r .code)
on c en_US.UTF-8 person add --name "李雷" >/dev/null
code_c=$(on c en_US.UTF-8 --json device link | jq -r .code)
on b en_US.UTF-8 device approve "$code_c" --out "$T/pkg-c" >/dev/null
before=$(state c)
refused c en_US.UTF-8 1 device link --accept "$T/pkg-c"
grep -q 'already holds records' "$T/err" || fail "records of its own: $(cat "$T/err")"
[ "$(state c)" = "$before" ] || fail "a refused link changed vault c"
refused a en_US.UTF-8 1 device approve "$code_a" --out "$T/pkg-self"
grep -q "own" "$T/err" || fail "own code: $(cat "$T/err")"

# ---- usage ----
refused a en_US.UTF-8 2 device approve "$code"
refused a en_US.UTF-8 2 device approve --out "$T/x"
refused a en_US.UTF-8 2 device link extra
echo "cli_link: ok"
