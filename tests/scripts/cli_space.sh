#!/bin/bash
# `hearth space create|list|members|invite|join|approve|remove`, in English
# and in Chinese, between two real vaults (a lead and an invitee; the ops
# themselves travel with `hearth sync`, which this script does not need):
#   - create makes a space with this vault as its only lead, epoch 1, key
#     held; list and --json say so in both languages;
#   - invite prints a one-time code and the lead's fingerprint; join on the
#     other vault prints a request and its fingerprint; approve admits it
#     with the invitation's role and prints the same fingerprint;
#   - members lists both; remove marks the member removed, starts epoch 2
#     and says that what they already read stays readable to them;
#   - a mistyped code or request is refused as bad usage (exit 2) naming
#     the checksum, a second approve of one invitation, an unknown member
#     and removing a removed member fail (exit 1): none of them changes
#     the vault (same op count);
#   - each verb leaves its audit entry; nothing printed is a secret key.
#
#   bash tests/scripts/cli_space.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_space.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_space.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-space.XXXXXX)
trap 'rm -rf "$T"' EXIT
LEAD=$T/lead
MEMBER=$T/member
OUT=$T/all-output # everything hearth printed, for the secret check

fail() { echo "FAIL: $*" >&2; exit 1; }

# run VAULT LANG ARGS...: hearth's stdout; fails the script on a non-zero exit.
run() {
	local vault=$1 lang=$2
	shift 2
	HEARTH_VAULT=$vault LANG=$lang "$HEARTH" "$@" 2>>"$OUT" | tee -a "$OUT"
	[ "${PIPESTATUS[0]}" = 0 ] || fail "hearth $* exited ${PIPESTATUS[0]}"
}

# refused VAULT CODE PATTERN ARGS...: hearth must exit CODE and say PATTERN
# on stderr, and change nothing (same number of ops and audit entries).
refused() {
	local vault=$1 want=$2 pattern=$3 rc=0 before after err
	shift 3
	before=$(ops "$vault")
	err=$(HEARTH_VAULT=$vault LANG=en_US.UTF-8 "$HEARTH" "$@" 2>&1 >>"$OUT") || rc=$?
	echo "$err" >>"$OUT"
	[ "$rc" = "$want" ] || fail "hearth $* exited $rc, not $want: $err"
	grep -q -- "$pattern" <<<"$err" || fail "hearth $*: '$pattern' not in: $err"
	after=$(ops "$vault")
	[ "$before" = "$after" ] || fail "hearth $* changed the vault ($before -> $after)"
}

ops() { "$VAULT_SQL" "$1" "SELECT count(*) FROM op" | tr -d '\n'; }
audits() { "$VAULT_SQL" "$1" "SELECT count(*) FROM audit WHERE action='$2'" | tr -d '\n'; }
digits() { tr -cd '0-9' <<<"$1"; }

HEARTH_VAULT=$LEAD "$HEARTH" init >/dev/null 2>&1
HEARTH_VAULT=$MEMBER "$HEARTH" init >/dev/null 2>&1

# ---- create and list ----
out=$(run "$LEAD" en_US.UTF-8 space create --name '心理服务队')
grep -Eq "^Created space 心理服务队 \([0-9a-f]{32}\); you are its lead\.$" <<<"$out" ||
	fail "create: $out"
space=$(grep -Eo '[0-9a-f]{32}' <<<"$out")
list=$(run "$LEAD" en_US.UTF-8 space list)
head -1 <<<"$list" | grep -q '^Space  *Space name  *Role  *Members  *Epoch  *Key$' ||
	fail "list header: $list"
sed -n 2p <<<"$list" | grep -Eq "^${space:0:8}  +心理服务队  +lead  +1  +1  +yes$" ||
	fail "list row: $list"
list_zh=$(run "$LEAD" zh_CN.UTF-8 space list)
head -1 <<<"$list_zh" | grep -q '^空间  *空间名称  *角色  *成员  *密钥周期  *密钥$' ||
	fail "Chinese list header: $list_zh"
sed -n 2p <<<"$list_zh" | grep -q '负责人' || fail "Chinese list row: $list_zh"
json=$(run "$LEAD" en_US.UTF-8 --json space list)
[ "$(jq -r '.spaces[0] | [.space, .name, .role, .members, .epoch, .has_key] | @tsv' <<<"$json")" = \
	"$(printf '%s\t心理服务队\tlead\t1\t1\ttrue' "$space")" ] || fail "list json: $json"
[ "$(audits "$LEAD" space.create)" = 1 ] || fail "no space.create audit entry"
# The other vault is not a member of it.
[ "$(run "$MEMBER" en_US.UTF-8 --json space list | jq '.spaces | length')" = 0 ] ||
	fail "the invitee lists the space before joining"
refused "$MEMBER" 1 "no space '心理服务队'" space invite '心理服务队'
refused "$LEAD" 2 'a space needs a name' space create

# ---- invite, join, approve ----
inv=$(run "$LEAD" en_US.UTF-8 space invite "${space:0:10}")
grep -q '^Invitation code (one use, valid for 7 days):$' <<<"$inv" || fail "invite: $inv"
code=$(sed -n 2p <<<"$inv" | tr -d ' ')
[[ $code =~ ^([0-9A-Z]{5}-)+[0-9A-Z]+$ ]] || fail "code shape: $code"
lead_fp=$(digits "$(tail -n 3 <<<"$inv")")
[ "$lead_fp" = "$(digits "$(run "$LEAD" en_US.UTF-8 device fingerprint | tail -n 3)")" ] ||
	fail "invite shows another fingerprint than the lead's"
[ "$(audits "$LEAD" space.invite)" = 1 ] || fail "no space.invite audit entry"
refused "$LEAD" 2 "unknown role 'boss'" space invite '心理服务队' --role boss

# A mistyped code: one character changed.
c=${code:3:1}
[ "$c" = 7 ] && typo=8 || typo=7
bad=${code:0:3}$typo${code:4}
refused "$MEMBER" 2 'checksum does not match' space join "$bad"
refused "$MEMBER" 2 'this is not an invitation code' space join 'hello'

join=$(run "$MEMBER" zh_CN.UTF-8 space join "$(tr 'A-Z' 'a-z' <<<"$code")")
grep -q "^以咨询师身份加入空间 $space 的申请；请交给负责人：$" <<<"$join" || fail "Chinese join: $join"
req=$(sed -n 2p <<<"$join" | tr -d ' ')
member_fp=$(digits "$(tail -n 3 <<<"$join")")
[ "$member_fp" = "$(digits "$(run "$MEMBER" en_US.UTF-8 device fingerprint | tail -n 3)")" ] ||
	fail "join shows another fingerprint than the member's"
[ "$(audits "$MEMBER" space.join)" = 1 ] || fail "no space.join audit entry"

bad=${req:0:20}$([ "${req:20:1}" = 7 ] && echo 8 || echo 7)${req:21}
refused "$LEAD" 2 'checksum does not match' space approve '心理服务队' "$bad"
app=$(run "$LEAD" en_US.UTF-8 space approve '心理服务队' "$req")
grep -Eq '^Approved member [0-9a-f]{32}\.$' <<<"$app" || fail "approve: $app"
member=$(grep -Eo '[0-9a-f]{32}' <<<"$app")
[ "$(digits "$(tail -n 3 <<<"$app")")" = "$member_fp" ] ||
	fail "approve shows another fingerprint than the joiner's"
refused "$LEAD" 1 'this invitation was used already' space approve '心理服务队' "$req"
[ "$(audits "$LEAD" space.approve)" = 1 ] || fail "no space.approve audit entry"

# ---- names ----
out=$(run "$LEAD" en_US.UTF-8 space name '心理服务队' '  李 主任 ')
grep -q '^Your name is saved; the other members see it once they sync\.$' <<<"$out" ||
	fail "name: $out"
[ "$(audits "$LEAD" space.name)" = 1 ] || fail "no space.name audit entry"
refused "$LEAD" 1 'the name cannot be empty' space name '心理服务队' '   '
refused "$LEAD" 1 'the name is longer than 64 bytes' space name '心理服务队' \
	"$(printf '%065d' 0)"
refused "$LEAD" 2 'SPACE NAME' space name '心理服务队'
[ "$(audits "$LEAD" space.name)" = 1 ] || fail "a refused name was audited"
out=$(run "$LEAD" zh_CN.UTF-8 space name --help)
grep -q '指纹' <<<"$out" || fail "Chinese name help: $out"

# ---- members ----
mem=$(run "$LEAD" en_US.UTF-8 space members '心理服务队')
head -1 <<<"$mem" | grep -q '^Member  *Name  *Role  *Status  *Devices  *Fingerprint  *Last change$' ||
	fail "members: $mem"
# Nothing of the new member's devices has reached the lead yet (no name,
# "-"); the lead's own changes have (its name, a time).
grep -Eq "^${member:0:8}  +-  +counsellor  +member  +1  +[0-9]{5} [0-9]{5}  +-$" <<<"$mem" ||
	fail "members row: $mem"
grep -Eq "  +李 主任  +lead  +member  +1  +[0-9]{5} [0-9]{5}  +[0-9]{4}-[0-9]{2}-[0-9]{2} " <<<"$mem" ||
	fail "lead's row: $mem"
mem_zh=$(run "$LEAD" zh_CN.UTF-8 space members '心理服务队')
grep -q "^${member:0:8}  *-  *咨询师  *成员  *1" <<<"$mem_zh" || fail "Chinese members: $mem_zh"
json=$(run "$LEAD" en_US.UTF-8 --json space members '心理服务队')
[ "$(jq '.members | length' <<<"$json")" = 2 ] || fail "members json: $json"
[ "$(jq -r '.members[] | select(.role == "lead") | .name' <<<"$json")" = '李 主任' ] &&
	[ "$(jq -r --arg m "$member" '.members[] | select(.member == $m) | .name' <<<"$json")" = null ] ||
	fail "members json name: $json"
[ "$(jq -r --arg m "$member" '.members[] | select(.member == $m) | .fingerprint' <<<"$json" |
	tr -d ' ')" = "$member_fp" ] || fail "members json fingerprint: $json"
[ "$(jq -r --arg m "$member" '.members[] | select(.member == $m) | .last_change' <<<"$json")" = null ] &&
	jq -r --arg m "$member" '.members[] | select(.member != $m) | .last_change' <<<"$json" |
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' || fail "members json last_change: $json"

# ---- roles ----
lead_member=$(jq -r '.members[] | select(.role == "lead") | .member' <<<"$json")
refused "$LEAD" 1 'a space needs a lead: make another member a lead first' \
	space role '心理服务队' "${lead_member:0:8}" counsellor
refused "$LEAD" 2 "unknown role 'boss'" space role '心理服务队' "${member:0:8}" boss
refused "$LEAD" 2 'SPACE MEMBER ROLE' space role '心理服务队' "${member:0:8}"
out=$(run "$LEAD" en_US.UTF-8 space role '心理服务队' "${member:0:8}" lead)
grep -q "^Member $member is now a lead\.$" <<<"$out" || fail "role: $out"
grep -Eq "^${member:0:8}  +-  +lead  +member " <<<"$(run "$LEAD" en_US.UTF-8 space members '心理服务队')" ||
	fail "the member is not listed as a lead"
# Two leads now: the first may step down, and comes back (the other lead
# being the member, whose vault has not heard of it: the lead writes it).
out=$(run "$LEAD" zh_CN.UTF-8 space role '心理服务队' "${member:0:8}" counsellor)
grep -q "^成员 $member 现在是咨询师。$" <<<"$out" || fail "Chinese role: $out"
[ "$(audits "$LEAD" space.role)" = 2 ] || fail "expected 2 space.role audit entries"
out=$(run "$LEAD" zh_CN.UTF-8 space role --help)
grep -q '负责人' <<<"$out" || fail "Chinese role help: $out"

# ---- the lead's overview ----
pid=$(run "$LEAD" en_US.UTF-8 --json person add --space '心理服务队' --name 'Gao Lin' | jq -r .id)
run "$LEAD" en_US.UTF-8 person risk "$pid" high >/dev/null
ov=$(run "$LEAD" en_US.UTF-8 space overview)
grep -q '^Safety follow-ups (0)$' <<<"$ov" && grep -q '^High risk (1)$' <<<"$ov" &&
	grep -q '^  Gao Lin  -$' <<<"$ov" && grep -q '^Nobody assigned (1)$' <<<"$ov" ||
	fail "overview: $ov"
grep -Eq '^-  +1  +0$' <<<"$ov" || fail "overview loads: $ov"
json=$(run "$LEAD" en_US.UTF-8 --json space overview)
[ "$(jq -r '.spaces, .high_risk[0].name, .unassigned[0].id, (.counsellors | length)' \
	<<<"$json" | tr '\n' ' ')" = "1 Gao Lin $pid 1 " ] || fail "overview json: $json"
[ "$(run "$MEMBER" en_US.UTF-8 space overview)" = 'This vault leads no team space.' ] ||
	fail "a vault that leads nothing"
grep -q '安全随访' <<<"$(run "$LEAD" zh_CN.UTF-8 space overview)" || fail "Chinese overview"
refused "$LEAD" 2 "unexpected argument 'x'" space overview x

# ---- remove ----
refused "$LEAD" 1 "no member 'abcdef' in this space" space remove '心理服务队' abcdef
out=$(run "$LEAD" en_US.UTF-8 space remove '心理服务队' "${member:0:8}")
grep -q "^Removed member $member; the space's new epoch is 2\.$" <<<"$out" || fail "remove: $out"
grep -q '^What they already read stays readable to them; nothing written from now on is\.$' \
	<<<"$out" || fail "remove says nothing of what stays readable: $out"
refused "$LEAD" 1 'this member was removed already' space remove '心理服务队' "${member:0:8}"
mem=$(run "$LEAD" en_US.UTF-8 space members '心理服务队')
grep -Eq "^${member:0:8}  +-  +counsellor  +removed  +1 " <<<"$mem" || fail "removed row: $mem"
sed -n 2p <<<"$(run "$LEAD" en_US.UTF-8 space list)" | grep -Eq '  +1  +2  +yes$' ||
	fail "list after remove: $(run "$LEAD" en_US.UTF-8 space list)"
[ "$(audits "$LEAD" space.remove)" = 1 ] || fail "no space.remove audit entry"
out=$(run "$LEAD" zh_CN.UTF-8 space remove --help)
grep -q '对方已经读过的内容仍然可读' <<<"$out" || fail "Chinese remove help: $out"

# ---- nothing secret was printed ----
# The identity's and the device's secret keys and every epoch key held (as
# stored: hex from vault_sql), in no output of any command above.
n=0
for v in "$LEAD" "$MEMBER"; do
	for key in $("$VAULT_SQL" "$v" "SELECT key FROM meta WHERE key LIKE 'secret.identity'
		OR key LIKE 'secret.device_key' OR key LIKE 'secret.key.%'"); do
		hex=$("$VAULT_SQL" "$v" "SELECT value FROM meta WHERE key='$key'")
		[ ${#hex} -ge 64 ] || fail "no $key in $v"
		[ ${#hex} = 64 ] && secret=$hex || secret=${hex:2:64}
		for needle in "${secret:0:24}" "${secret:24:24}" "${secret:40:24}"; do
			! grep -qi "$needle" "$OUT" || fail "the bytes of $key were printed"
		done
		n=$((n + 1))
	done
done
# Two identities, two device keys, the lead's two epoch keys.
[ "$n" = 6 ] || fail "expected 6 secrets to check, found $n"
echo "cli_space: ok"
