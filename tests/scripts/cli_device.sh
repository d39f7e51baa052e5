#!/bin/bash
# `hearth device list` and `hearth device fingerprint`, in English and in
# Chinese (LANG=en_US.UTF-8, LANG=zh_CN.UTF-8; the CLI falls back to
# LANGUAGE when the system lacks the locale):
#   - a new vault lists one device: this one, certified, since today;
#     --json gives its full id, its public key and the same facts;
#   - the fingerprint is 12 groups of 5 digits, the same in both
#     languages, in --json and after reopening;
#   - a copied vault folder moves to a new device id: it lists the new id,
#     certified, and the original id as retired, with the same fingerprint;
#   - a vault without keys (as made before identities existed) gains them
#     on its next open, and the audit log says so;
#   - bad usage exits 2; nothing printed holds a byte of a secret key.
#
#   bash tests/scripts/cli_device.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_device.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_device.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-device.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault
OUT=$T/all-output # everything hearth printed, for the secret check

fail() { echo "FAIL: $*" >&2; exit 1; }

# run LANG ARGS...: hearth's stdout on stdout; stdout and stderr also
# appended to $OUT.  Fails the script on a non-zero exit.
run() {
	local lang=$1
	shift
	LANG=$lang "$HEARTH" "$@" 2>>"$OUT" | tee -a "$OUT"
	[ "${PIPESTATUS[0]}" = 0 ] || fail "hearth $* exited ${PIPESTATUS[0]}"
}

# digits TEXT: the fingerprint's digits only.
digits() { tr -cd '0-9' <<<"$1"; }

"$HEARTH" init >/dev/null 2>&1

# ---- device list ----
list_en=$(run en_US.UTF-8 device list)
[ "$(wc -l <<<"$list_en")" = 2 ] || fail "one device expected:
$list_en"
head -1 <<<"$list_en" | grep -q '^Device  *This device  *Certified  *Since$' ||
	fail "English header: $list_en"
sed -n 2p <<<"$list_en" | grep -Eq "^[0-9a-f]{8}  +yes  +yes  +$(date +%Y-%m-%d) [0-9]{2}:[0-9]{2}$" ||
	fail "English row: $list_en"
list_zh=$(run zh_CN.UTF-8 device list)
head -1 <<<"$list_zh" | grep -q '^设备  *本设备  *已认证  *起始时间$' || fail "Chinese header: $list_zh"
sed -n 2p <<<"$list_zh" | grep -Eq '^[0-9a-f]{8}  +是  +是  +' || fail "Chinese row: $list_zh"

json=$(run en_US.UTF-8 --json device list)
[ "$(jq '.devices | length' <<<"$json")" = 1 ] || fail "json: $json"
[ "$(jq -r '.devices[0] | [.this_device, .certified, .retired] | @tsv' <<<"$json")" = \
	"$(printf 'true\ttrue\tfalse')" ] || fail "json flags: $json"
dev=$(jq -r '.devices[0].device' <<<"$json")
[[ $dev =~ ^[0-9a-f]{16}$ ]] || fail "json device id: $dev"
[ "${dev:0:8}" = "$(sed -n 2p <<<"$list_en" | cut -c1-8)" ] || fail "short id is not the id's start"
[[ $(jq -r '.devices[0].public_key' <<<"$json") =~ ^[0-9a-f]{64}$ ]] || fail "json key: $json"
[ "$(jq -r '.devices[0].since_ms > 0' <<<"$json")" = true ] || fail "json since: $json"
# The store's device id is the one listed.
[ "$("$VAULT_SQL" "$HEARTH_VAULT" "SELECT value FROM meta WHERE key='device'")" = "$dev" ] ||
	fail "listed id is not the store's"

# ---- device fingerprint ----
fp_en=$(run en_US.UTF-8 device fingerprint)
fp_zh=$(run zh_CN.UTF-8 device fingerprint)
head -1 <<<"$fp_en" | grep -q "^Fingerprint of this vault's identity (compare it in person):$" ||
	fail "English fingerprint: $fp_en"
head -1 <<<"$fp_zh" | grep -q '^本保险库身份的指纹（请当面核对）：$' || fail "Chinese fingerprint: $fp_zh"
# Three lines of four groups of five digits.
[ "$(tail -n +2 <<<"$fp_en" | grep -Ec '^  [0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}$')" = 3 ] ||
	fail "fingerprint layout: $fp_en"
fp=$(digits "$(tail -n +2 <<<"$fp_en")")
[ ${#fp} = 60 ] || fail "60 digits expected: $fp"
[ "$(digits "$(tail -n +2 <<<"$fp_zh")")" = "$fp" ] || fail "the languages differ"
fp_json=$(run en_US.UTF-8 --json device fingerprint | jq -r .fingerprint)
[[ $fp_json =~ ^[0-9]{5}( [0-9]{5}){11}$ ]] || fail "json fingerprint: $fp_json"
[ "$(digits "$fp_json")" = "$fp" ] || fail "json fingerprint differs"
[ "$(digits "$(run en_US.UTF-8 device fingerprint)")" = "$fp" ] || fail "not stable across opens"

# ---- a copied vault ----
cp -a "$HEARTH_VAULT" "$T/copy"
copy_json=$(HEARTH_VAULT=$T/copy run en_US.UTF-8 --json device list)
[ "$(jq '.devices | length' <<<"$copy_json")" = 2 ] || fail "copy lists: $copy_json"
new=$(jq -r '.devices[0].device' <<<"$copy_json")
[ "$new" != "$dev" ] || fail "the copy kept the original's device id"
[ "$(jq -r '.devices[0] | [.this_device, .certified, .retired] | @tsv' <<<"$copy_json")" = \
	"$(printf 'true\ttrue\tfalse')" ] || fail "the copy's own device: $copy_json"
[ "$(jq -r '.devices[1] | [.device, .this_device, .certified, .retired] | @tsv' <<<"$copy_json")" = \
	"$(printf '%s\tfalse\ttrue\ttrue' "$dev")" ] || fail "the original's id: $copy_json"
[ "$(jq -r '.devices[0].public_key != .devices[1].public_key' <<<"$copy_json")" = true ] ||
	fail "the copy signs with the original's key"
copy_list=$(HEARTH_VAULT=$T/copy run en_US.UTF-8 device list)
sed -n 3p <<<"$copy_list" | grep -Eq "^${dev:0:8}  +no  +yes, retired  +" || fail "retired row: $copy_list"
copy_zh=$(HEARTH_VAULT=$T/copy run zh_CN.UTF-8 device list)
sed -n 3p <<<"$copy_zh" | grep -Eq "^${dev:0:8}  +否  +是，已停用  +" || fail "retired row (zh): $copy_zh"
[ "$(digits "$(HEARTH_VAULT=$T/copy run en_US.UTF-8 device fingerprint)")" = "$fp" ] ||
	fail "the copy has another identity"
HEARTH_VAULT=$T/copy run en_US.UTF-8 audit list | grep -c 'device.certify' | grep -qx 2 ||
	fail "the copy's new certificate is not audited"
# The original is untouched.
[ "$(run en_US.UTF-8 --json device list | jq -r '.devices | length, .[0].device' | tr '\n' ' ')" = "1 $dev " ] ||
	fail "the original changed"

# ---- a vault from before identities ----
"$VAULT_SQL" "$T/copy" "DELETE FROM meta WHERE key LIKE 'secret.%'" >/dev/null
mig=$(HEARTH_VAULT=$T/copy run en_US.UTF-8 --json device list)
[ "$(jq -r '.devices[0].certified' <<<"$mig")" = true ] || fail "no certificate after migration: $mig"
HEARTH_VAULT=$T/copy run en_US.UTF-8 audit list | grep -q 'identity.create' ||
	fail "the new identity is not audited"
HEARTH_VAULT=$T/copy run en_US.UTF-8 audit verify >/dev/null

# ---- bad usage ----
for args in "device" "device nosuch" "device list extra" "device fingerprint 1" "device list --bogus"; do
	set +e
	# shellcheck disable=SC2086 # split on purpose
	"$HEARTH" $args >/dev/null 2>"$T/err"
	rc=$?
	set -e
	[ $rc = 2 ] || fail "hearth $args: exit $rc, not 2"
	[ -s "$T/err" ] || fail "hearth $args: no message"
done
run en_US.UTF-8 device --help | grep -q 'fingerprint' || fail "device --help"

# ---- nothing secret was printed ----
# The secret halves of the identity's and the device's keys (their stored
# forms: a version byte, then the Ed25519 seed ...), as lowercase and
# uppercase hex, and as base64, in no output of any command above.
for v in "$HEARTH_VAULT" "$T/copy"; do
	for key in identity device_key; do
		hex=$("$VAULT_SQL" "$v" "SELECT value FROM meta WHERE key='secret.$key'")
		[ ${#hex} -ge 130 ] || fail "no secret.$key in $v"
		seed=${hex:2:64}
		for needle in "${seed:0:24}" "${seed:24:24}" "${seed:40:24}"; do
			! grep -qi "$needle" "$OUT" || fail "a secret key's bytes were printed"
		done
		b64=$(xxd -r -p <<<"$seed" | base64 -w0)
		! grep -qF "${b64:0:16}" "$OUT" || fail "a secret key was printed in base64"
		if [ "$key" = identity ]; then # the X25519 secret key: the last 32 bytes
			xsk=${hex: -64}
			! grep -qi "${xsk:0:24}" "$OUT" || fail "the box secret key was printed"
		fi
	done
done
echo "cli_device: ok"
