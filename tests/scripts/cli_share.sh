#!/bin/bash
# `hearth share contact|list|link` and `hearth journal share|unshare|shares`
# on one pair of vaults: employee E and counsellor C (and C2, another
# counsellor), in English and Chinese.
#
# First each side's own steps: C's contact code and fingerprint; E's share
# naming that fingerprint, an entry never copied twice, --all taking new
# entries, one counsellor at a time, unshare saying that what was received
# stays readable; the refusals (a typo, one's own code, a bad id) with
# their exit codes and no change.
#
# Then the whole flow.  There is no `hearth sync` yet (bundles and the
# relay come with their own branches): the test tool `vault_sql --ship`
# carries the share space's ops as envelopes will, sealed at the current
# epoch and opened only with the receiver's own keys.  The chosen
# counsellor lists the share, ties it to a person and sees the entry on
# the timeline, marked as shared by the employee (EN, ZH); another
# counsellor given the same envelopes opens none; after unshare nothing
# new arrives, and no unshared text is ever in a counsellor's vault.
#
#   bash tests/scripts/cli_share.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_share.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_share.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-01
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-share.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# en VAULT ARGS...: hearth on that vault, English; stdout only.
en() {
	local v=$1
	shift
	HEARTH_VAULT=$T/$v LANG=en_US.UTF-8 "$HEARTH" "$@"
}
# zh VAULT ARGS...: the same in Chinese.
zh() {
	local v=$1
	shift
	HEARTH_VAULT=$T/$v LANG=zh_CN.UTF-8 LANGUAGE=zh_CN "$HEARTH" "$@"
}
# refused CODE VAULT ARGS...: hearth must exit CODE; its stderr is printed.
refused() {
	local want=$1 rc=0
	shift
	en "$@" >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "hearth $* exited $rc, not $want: $(cat "$T/err")"
	cat "$T/err"
}
digits() { tr -cd '0-9' <<<"$1"; }

for v in e c c2; do
	HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1
done

# ---- the counsellor's contact code ----
out=$(en c share contact)
grep -q '^Your contact code, for the employee to type in:$' <<<"$out" || fail "contact: $out"
fp_c=$(en c --json device fingerprint | jq -r .fingerprint)
grep -qF "$fp_c" <<<"$out" || fail "contact shows no fingerprint: $out"
zh c share contact | grep -q '^你的联系码，供职工输入：$' || fail "contact in Chinese"
code=$(en c --json share contact | jq -r .code)
[ "$(en c --json share contact | jq -r .fingerprint)" = "$fp_c" ] || fail "json fingerprint"
grep -Eq '^[0-9A-Z]{5}(-[0-9A-Z]{1,5})+$' <<<"$code" || fail "code shape: $code"
code2=$(en c2 --json share contact | jq -r .code)
code_e=$(en e --json share contact | jq -r .code)

# ---- the employee shares ----
en e journal add --mood 2 --text "night shift again" --date 2026-11-30 >/dev/null
en e journal add --mood 4 --date 2026-12-01 >/dev/null
first=$(en e --json journal list | jq -r '.entries[0].id')
second=$(en e --json journal list | jq -r '.entries[1].id')
out=$(en e journal share "${first:0:8}" --with "$code" --as "Wang")
grep -q '^Shared 1 entry in share [0-9a-f]\{32\}\.$' <<<"$out" || fail "share: $out"
grep -qF "  $fp_c" <<<"$out" || fail "share names no counsellor fingerprint: $out"
grep -q "same as on the counsellor's screen" <<<"$out" || fail "no check asked: $out"
share=$(grep -Eo '[0-9a-f]{32}' <<<"$out" | head -1)
# Shared again with another: copied once.
out=$(en e journal share "$first" "$second" --with "$code")
grep -q '^Shared 1 entry in share '"$share" <<<"$out" || fail "second share: $out"
grep -q '^1 entry was shared already: it is not copied twice\.$' <<<"$out" || fail "twice: $out"
json=$(en e --json journal shares)
[ "$(jq -r '.shares | length' <<<"$json")" = 1 ] || fail "one share: $json"
[ "$(jq -r '.shares[0] | [.share, .entries, .active, .follow, .name] | @tsv' <<<"$json")" = \
	"$(printf '%s\t2\ttrue\tfalse\tWang' "$share")" ] || fail "shares json: $json"
[ "$(digits "$(jq -r '.shares[0].counsellor' <<<"$json")")" = "$(digits "$fp_c")" ] ||
	fail "counsellor in json"
# The journal list says which entries went out (a column only then).
out=$(en e journal list)
head -1 <<<"$out" | grep -q '^Date  *Mood  *Self-check  *Note  *Shared$' || fail "list header: $out"
grep -Eq '^2026-11-30  +2 a bit low  +night shift again  +shared$' <<<"$out" || fail "list: $out"
[ "$(en e --json journal list | jq -r '[.entries[].shared] | @tsv')" = "$(printf 'true\ttrue')" ] ||
	fail "list json"
en c2 journal add --mood 3 --date 2026-12-01 >/dev/null
en c2 journal list | head -1 | grep -q '^Date  *Mood  *Self-check  *Note$' ||
	fail "a column for nothing shared: $(en c2 journal list)"
en e journal shares | grep -Eq "^${share:0:8}  +$fp_c  +2  +active$" || fail "shares table"
zh e journal shares | head -1 | grep -q '^分享  *咨询师  *条目数  *状态$' || fail "Chinese header"

# --all: every entry, and new ones while it lasts.
out=$(en e journal share --all --with "$code")
grep -q '^New entries will be shared too, until you end the share\.$' <<<"$out" || fail "all: $out"
en e journal add --mood 3 --date 2026-12-02 >/dev/null
[ "$(en e --json journal shares | jq -r '.shares[0] | [.entries, .follow] | @tsv')" = \
	"$(printf '3\ttrue')" ] || fail "a new entry did not follow"

# ---- refusals change nothing ----
before=$(en e --json journal shares)
audit_before=$(en e --json audit list | jq '.entries | length')
err=$(refused 1 e journal share "$first" --with "$code2")
grep -q 'shared with another counsellor now' <<<"$err" || fail "second counsellor: $err"
bad=${code:0:20}$( [ "${code:20:1}" = 7 ] && echo 8 || echo 7 )${code:21}
err=$(refused 2 e journal share "$first" --with "$bad")
grep -q 'not a contact code (or it has a typo)' <<<"$err" || fail "typo: $err"
err=$(refused 2 e journal share "$first" --with "$code_e")
grep -q 'your own contact code' <<<"$err" || fail "own code: $err"
refused 2 e journal share "$first" >/dev/null
refused 2 e journal share --all "$first" --with "$code" >/dev/null
refused 2 e journal share zz --with "$code" >/dev/null
refused 1 e journal share 0123456789 --with "$code" >/dev/null
HEARTH_VAULT=$T/e LANG=zh_CN.UTF-8 LANGUAGE=zh_CN "$HEARTH" journal share "$first" \
	--with "$bad" 2>&1 >/dev/null | grep -q '这不是联系码' || fail "typo in Chinese"
[ "$(en e --json journal shares)" = "$before" ] || fail "a refusal changed the shares"
[ "$(en e --json audit list | jq '.entries | length')" = "$audit_before" ] ||
	fail "a refusal was audited as a change"

# ---- unshare ----
out=$(en e journal unshare "${share:0:8}")
grep -q "^Share $share has ended: the counsellor $fp_c was removed from it\.$" <<<"$out" ||
	fail "unshare: $out"
grep -q '^Nothing you write from now on can be read by them' <<<"$out" || fail "unshare: $out"
grep -q '^The 3 entries shared before stay readable to them once received' <<<"$out" ||
	fail "unshare must say what stays: $out"
err=$(refused 1 e journal unshare "${share:0:8}")
grep -q 'has ended already' <<<"$err" || fail "unshare twice: $err"
refused 2 e journal unshare xyz >/dev/null
refused 1 e journal unshare 0123456789 >/dev/null
en e journal add --mood 1 --date 2026-12-03 >/dev/null
[ "$(en e --json journal shares | jq -r '.shares[0] | [.entries, .active, .follow] | @tsv')" = \
	"$(printf '3\tfalse\tfalse')" ] || fail "after unshare"
# Now another counsellor may be chosen; the Chinese side says it ended.
out=$(zh e journal share "$first" --with "$code2")
grep -q '^已在分享 [0-9a-f]\{32\} 中分享 1 个条目。$' <<<"$out" || fail "Chinese share: $out"
share2=$(grep -Eo '[0-9a-f]{32}' <<<"$out" | head -1)
out=$(zh e journal unshare "$share2")
grep -q '已经到达某台设备的分享无法收回' <<<"$out" || fail "Chinese unshare: $out"

# ---- the counsellor's side, before anything arrives ----
en c share list | grep -q '^No journal has been shared with you yet\.$' || fail "share list"
[ "$(en c --json share list | jq '.shares | length')" = 0 ] || fail "share list json"
person=$(en c --json person add --name "王芳" | jq -r .id)
err=$(refused 1 c share link "${share:0:8}" "${person:0:8}")
grep -q 'no share' <<<"$err" || fail "link of a share not received: $err"
refused 2 c share link xyz "${person:0:8}" >/dev/null
refused 2 c share link "${share:0:8}" >/dev/null

for lang in en_US.UTF-8 zh_CN.UTF-8; do
	LANG=$lang "$HEARTH" share --help >/dev/null || fail "share --help"
	LANG=$lang "$HEARTH" journal share --help >/dev/null || fail "journal share --help"
	LANG=$lang "$HEARTH" journal unshare --help >/dev/null || fail "journal unshare --help"
done
# ---- the whole flow, envelopes carried by vault_sql --ship ----
for v in emp cou other; do
	HEARTH_VAULT=$T/$v "$HEARTH" init >/dev/null 2>&1
done
ship() { "$VAULT_SQL" --ship "$1" "$T/emp" "$T/$2"; }
code=$(en cou --json share contact | jq -r .code)
fp_cou=$(en cou --json device fingerprint | jq -r .fingerprint)
fp_emp=$(en emp --json device fingerprint | jq -r .fingerprint)
en emp journal add --mood 2 --text "shared words" --date 2026-11-28 >/dev/null
entry=$(en emp --json journal list | jq -r '.entries[0].id')
share=$(en emp --json journal share "$entry" --with "$code" | jq -r .share)
en emp journal add --mood 5 --text "kept to myself" --date 2026-11-29 >/dev/null
read -r opened refused < <(ship "$share" cou)
[ "$opened" -ge 3 ] && [ "$refused" = 0 ] || fail "ship to the counsellor: $opened $refused"
# Another counsellor given every envelope opens none and holds no entry.
read -r opened refused < <(ship "$share" other)
[ "$opened" = 0 ] && [ "$refused" -ge 3 ] || fail "ship to another: $opened $refused"
en other share list | grep -q '^No journal has been shared with you yet\.$' || fail "other lists a share"
"$VAULT_SQL" --dump "$T/other" | grep -q 'shared words' && fail "another counsellor holds the entry"
# The chosen counsellor lists it, ties it to a person, sees it there.
json=$(en cou --json share list)
[ "$(jq -r '.shares[0] | [.share, .entries, .active] | @tsv' <<<"$json")" = \
	"$(printf '%s\t1\ttrue' "$share")" ] || fail "the counsellor's list: $json"
[ "$(jq -r '.shares[0].employee' <<<"$json")" = "$fp_emp" ] || fail "employee fingerprint"
[ "$(jq -r '.shares[0].counsellor' <<<"$json")" = "$fp_cou" ] || fail "counsellor fingerprint"
en cou share list | grep -Eq "^${share:0:8}  +$fp_emp  +1  +active  +not tied to a person$" ||
	fail "share list table: $(en cou share list)"
person=$(en cou --json person add --name "王芳" | jq -r .id)
en cou share link "${share:0:8}" "${person:0:8}" |
	grep -q "^Share $share is tied to person $person" || fail "share link"
en cou share list | grep -Eq "^${share:0:8} .* ${person:0:8}$" || fail "linked in the list"
out=$(en cou person show "${person:0:8}")
grep -Eq '^  2026-11-28  +shared by the employee  +[0-9a-f]{8}  +mood 2 of 5, shared words$' \
	<<<"$out" || fail "timeline: $out"
out=$(zh cou person show "${person:0:8}")
grep -Eq '^  2026-11-28  +职工分享  +[0-9a-f]{8}  +心情 2/5, shared words$' <<<"$out" ||
	fail "Chinese timeline: $out"
[ "$(en cou --json person show "${person:0:8}" | jq -r '[.timeline[] | select(.kind == "shared")] | length')" = 1 ] ||
	fail "timeline json"
"$VAULT_SQL" --dump "$T/cou" | grep -q 'kept to myself' && fail "an entry not shared reached the counsellor"
# The employee ends it; what is written after never arrives.
en emp journal unshare "${share:0:8}" >/dev/null
en emp journal add --mood 1 --text "after the end" --date 2026-11-30 >/dev/null
read -r opened refused < <(ship "$share" cou)
[ "$opened" = 0 ] || fail "the counsellor opened $opened envelopes after unshare"
"$VAULT_SQL" --dump "$T/cou" | grep -q 'after the end' && fail "a later entry reached the counsellor"
json=$(en cou --json share list)
[ "$(jq -r '.shares[0] | [.entries, .active] | @tsv' <<<"$json")" = "$(printf '1\tfalse')" ] ||
	fail "after unshare, the counsellor's list: $json"
en cou person show "${person:0:8}" | grep -q 'mood 2 of 5, shared words' ||
	fail "what was received must stay"
echo "cli_share: ok"
