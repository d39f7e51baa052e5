#!/bin/bash
# A vault whose clock lies a day ahead (a device whose clock ran a day
# fast left its time stamps there): every command that opens it says so
# once on stderr, in English and in Chinese (LANG=en_US.UTF-8 and
# LANG=zh_CN.UTF-8), with the lead and the drift allowed in words, what to
# check, until when changes made here win, and that stamps cannot be moved
# back; what the command prints on stdout, and its exit status, stay as
# they were.  A write made now is stamped a day ahead.  A lead within the
# 5 minutes allowed says nothing.
#
#   bash tests/scripts/cli_clock.sh BUILD/cli/hearth BUILD/tests/vault_sql
set -eu

HEARTH=${1:?usage: cli_clock.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_clock.sh /path/to/hearth /path/to/vault_sql}
export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-06
unset LANGUAGE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-clock.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault
DAY_MS=86400000

fail() { echo "FAIL: $*" >&2; exit 1; }

# plant MS: sets the vault's clock (table meta, "clock": 6 bytes of ms,
# 2 of counter, 8 of device id) to MS ms since the epoch, as a device
# whose clock read MS when it last wrote leaves it.
plant() {
	local dev
	dev=$("$VAULT_SQL" "$HEARTH_VAULT" "SELECT value FROM meta WHERE key='device'")
	[ ${#dev} = 16 ] || fail "no device id in meta: '$dev'"
	"$VAULT_SQL" "$HEARTH_VAULT" \
		"UPDATE meta SET value = X'$(printf '%012x0000%s' "$1" "$dev")' WHERE key = 'clock'"
}
now_ms() { echo $(($(date +%s) * 1000)); }

# run NAME LANG ARGS...: runs hearth with LANG, keeping stdout, stderr and
# the exit status as $T/NAME.out, .err, .rc.
run() {
	local name=$1 lang=$2
	shift 2
	set +e
	LANG=$lang "$HEARTH" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
	set -e
}

# The commands checked, each in both languages: a list, its JSON, a show,
# and one that fails (an unknown id: exit 1).
"$HEARTH" init >/dev/null
P=$("$HEARTH" person add --name 陈静 --unit 三车间)
cmds=("person list" "--json person list" "person show $P" "person show 0123456789ab")
for lang in en_US.UTF-8 zh_CN.UTF-8; do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086 # the commands are split on purpose
		run "before.$lang.$i" "$lang" ${cmds[$i]}
		[ ! -s "$T/before.$lang.$i.err" ] || [ "$i" = 3 ] ||
			fail "'${cmds[$i]}' ($lang) says something on stderr before the clock is planted: $(cat "$T/before.$lang.$i.err")"
	done
done
[ "$(cat "$T/before.en_US.UTF-8.3.rc")" = 1 ] || fail "an unknown id does not exit 1"
grep -q 陈静 "$T/before.zh_CN.UTF-8.0.out" || fail "the list does not show the person"

# Within the drift allowed (4 minutes ahead): nothing to tell.  (Before
# the day: the clock continues after the greatest stamp the vault holds.)
plant $(($(now_ms) + 4 * 60000))
for lang in en_US.UTF-8 zh_CN.UTF-8; do
	run within "$lang" person list
	[ ! -s "$T/within.err" ] || fail "a clock 4 minutes ahead gives a notice ($lang): $(cat "$T/within.err")"
	[ "$(cat "$T/within.rc")" = 0 ] || fail "person list exits $(cat "$T/within.rc")"
done

# A day ahead, as a device that ran a day fast leaves it.
plant $(($(now_ms) + DAY_MS))

for lang in en_US.UTF-8 zh_CN.UTF-8; do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		run "after.$lang.$i" "$lang" ${cmds[$i]}
		cmd="'${cmds[$i]}' ($lang)"
		cmp -s "$T/before.$lang.$i.out" "$T/after.$lang.$i.out" ||
			fail "$cmd prints another stdout with the clock ahead: $(diff "$T/before.$lang.$i.out" "$T/after.$lang.$i.out")"
		cmp -s "$T/before.$lang.$i.rc" "$T/after.$lang.$i.rc" ||
			fail "$cmd exits $(cat "$T/after.$lang.$i.rc"), not $(cat "$T/before.$lang.$i.rc")"
		err=$T/after.$lang.$i.err
		if [ "$lang" = en_US.UTF-8 ]; then
			first="Notice: this device's clock is behind the vault's time stamps by"
			want=("1 day, more than the 5 minutes allowed"
			      "Check this device's date and time settings."
			      "Changes saved now are stamped up to 1 day ahead."
			      "they win over edits made to the same records on other"
			      "cannot be moved back.")
		else
			first="提示：本设备的时钟比保险库的时间戳慢 1 天，超过允许的 5 分钟："
			want=("请检查日期和时间设置。"
			      "现在保存的更改，时间戳最多会提前 1 天。"
			      "它们会覆盖其他设备对同一记录的修改"
			      "已写入的时间戳无法改回。")
		fi
		[ "$(grep -c -F "$first" "$err")" = 1 ] ||
			{ cat "$err" >&2; fail "$cmd does not give the clock notice once"; }
		for w in "${want[@]}"; do
			grep -q -F "$w" "$err" || { cat "$err" >&2; fail "$cmd: the notice does not say '$w'"; }
		done
		# Until when: a day from now, give or take the minute it
		# took (the vault's time, in local time).
		until_ok=0
		for s in -120 -60 0 60; do
			d=$(date -d "@$(($(date +%s) + DAY_MS / 1000 + s))" '+%Y-%m-%d %H:%M')
			grep -q -F "$d" "$err" && until_ok=1
		done
		[ $until_ok = 1 ] || { cat "$err" >&2; fail "$cmd does not say until when"; }
		# Nothing English left in the Chinese one.
		if [ "$lang" = zh_CN.UTF-8 ] && grep -q 'Notice\|ahead\|clock' "$err"; then
			cat "$err" >&2
			fail "$cmd: the Chinese notice holds English"
		fi
	done
done
# The failing command still says why it failed, after the notice.
grep -q 0123456789ab "$T/after.en_US.UTF-8.3.err" || fail "the unknown id's error is gone"

# A write made now is stamped a day ahead (it would win over edits
# elsewhere), and says so like any command; its output is an id.
run write en_US.UTF-8 person add --name 王强
[ "$(cat "$T/write.rc")" = 0 ] || fail "person add exits $(cat "$T/write.rc")"
grep -q -E '^[0-9a-f]{32}$' "$T/write.out" || fail "person add prints '$(cat "$T/write.out")'"
[ "$(grep -c "clock is behind" "$T/write.err")" = 1 ] || fail "person add does not give the notice once"
hlc=$("$VAULT_SQL" "$HEARTH_VAULT" "SELECT hex(hlc) FROM op ORDER BY arrival DESC LIMIT 1")
stamped=$((16#${hlc:0:12}))
[ $((stamped - $(now_ms))) -gt $((DAY_MS - 120000)) ] ||
	fail "the write is stamped $(((stamped - $(now_ms)) / 1000)) s ahead, not a day"

echo "ok"
