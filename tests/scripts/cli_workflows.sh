#!/bin/bash
# End-to-end scenarios of the counselling workflows through `hearth`:
# appointments and series with conflicts, no-shows, follow-ups and their
# escalation, the safety rule and case closing, append-only notes,
# activities, a person's timeline; in English and in Chinese.
#
#   bash tests/scripts/cli_workflows.sh BUILD/cli/hearth
#
# (meson runs it as suite 'cli'.)  Dates are fixed with HEARTH_TODAY so
# every run sees the same calendar.  Commands refused for bad input are
# checked to leave the vault's files byte-identical.
set -eu

HEARTH=${1:?usage: cli_workflows.sh /path/to/hearth}
case $HEARTH in /*) ;; *) HEARTH=$PWD/$HEARTH ;; esac

export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-14
export LC_ALL=C.UTF-8 LANGUAGE=en
unset HEARTH_LOCALEDIR LANG || true

T=$(mktemp -d /tmp/hearth-workflows.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault
STEP=start

fail() {
	echo "FAIL [$STEP]: $*" >&2
	[ -f "$T/out" ] && { echo "--- stdout:" >&2; cat "$T/out" >&2; }
	[ -f "$T/err" ] && { echo "--- stderr:" >&2; cat "$T/err" >&2; }
	exit 1
}
step() { STEP=$1; echo "# $1"; }
run() {
	set +e
	"$HEARTH" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}
expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1"; }
expect_ok() { expect_rc 0; }
expect_out() { grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1'"; }
expect_no_out() { ! grep -qF -- "$1" "$T/out" || fail "stdout has '$1'"; }
expect_err() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1'"; }
expect_no_err() { ! grep -qF -- "$1" "$T/err" || fail "stderr has '$1'"; }
# count_err TEXT N: TEXT appears on exactly N lines of stderr.
count_err() {
	local n
	n=$(grep -cF -- "$1" "$T/err" || true)
	[ "$n" = "$2" ] || fail "stderr has '$1' $n times, expected $2"
}
json() {
	python3 -c '
import json, os, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
e = os.environ
if not eval(sys.argv[2]):
    sys.exit(1)
' "$T/out" "$1" || fail "JSON check failed: $1"
}
snapshot() {
	(cd "$HEARTH_VAULT" && find . -type f ! -name '*-shm' | LC_ALL=C sort | xargs -r sha256sum)
}
before() { snapshot >"$T/snap"; }
unchanged() {
	snapshot >"$T/snap2"
	cmp -s "$T/snap" "$T/snap2" || fail "vault files changed"
}
# first line of stdout
out1() { head -n 1 "$T/out"; }

# ---------------------------------------------------------------- set-up
step "set-up"
run init; expect_ok
run person add --name "王芳" --unit "三号车间"; expect_ok; WANG=$(out1)
run person add --name "赵强"; expect_ok; ZHAO=$(out1)
run person add --name "Liu Wei"; expect_ok; LIU=$(out1)

# ---------------------------------------------------------------- help
step "help"
for c in "appt" "appt add" "appt list" "appt move" "appt cancel" "appt done" \
	"appt noshow" "followup" "followup add" "followup list" "followup done" \
	"followup unreachable" "note" "note add" "note amend" "note show" \
	"note missing" "activity" "activity add" "activity list" \
	"person risk" "person case" "person counsellor"; do
	# shellcheck disable=SC2086
	run $c --help; expect_ok; expect_out "Usage: hearth"
done
run appt add --help; expect_out "--strict"; expect_no_out "--rest-of-series"
run person --help; expect_out "risk"; expect_out "case"

# ---------------------------------------------------------------- appointments
step "weekly series colliding in week 3"
run appt add --person "$ZHAO" --at "2026-12-14 10:30" --counsellor Li --place "Room 2"
expect_ok; OTHER=$(out1 | sed 's/^Booked \([0-9a-f]*\) .*/\1/')
[ ${#OTHER} = 32 ] || fail "no id in '$(out1)'"
run appt add --person "${WANG:0:8}" --at "2026-11-30 10:00" --counsellor Li --place "Room 1" \
	--repeat weekly --count 6
expect_ok
expect_out "Booked 6 sessions"
count_err "conflicts with appointment" 1
expect_err "warning: 2026-12-14 10:00 conflicts with appointment ${OTHER:0:8} (same counsellor)"
for d in 2026-11-30 2026-12-07 2026-12-14 2026-12-21 2026-12-28 2027-01-04; do
	expect_out "$d 10:00"
done
WEEK3=$(grep -F "2026-12-14 10:00" "$T/out" | awk '{print $3}')
WEEK1=$(grep -F "2026-11-30 10:00" "$T/out" | awk '{print $3}')
WEEK2=$(grep -F "2026-12-07 10:00" "$T/out" | awk '{print $3}')
WEEK4=$(grep -F "2026-12-21 10:00" "$T/out" | awk '{print $3}')
WEEK5=$(grep -F "2026-12-28 10:00" "$T/out" | awk '{print $3}')

step "cancelling week 3 keeps the rest"
run appt cancel "${WEEK3:0:8}"; expect_ok; expect_out "Cancelled appointment ${WEEK3:0:8}."
run --json appt list --person "$WANG"; expect_ok
json 'len(j) == 6 and sum(a["status"] == "cancelled" for a in j) == 1'
json '[a["at"] for a in j if a["status"] == "cancelled"] == ["2026-12-14 10:00"]'
json 'sum(a["status"] == "booked" for a in j) == 5 and len({a["series"] for a in j}) == 1'
run appt list --from 2026-12-14 --to 2026-12-14; expect_ok
expect_out "Cancelled"; expect_out "赵强"; expect_no_out "2026-12-07"

step "strict booking writes nothing"
before
run appt add --person "$LIU" --at "2026-12-21 09:30" --counsellor li --strict
expect_rc 1
expect_err "conflict: 2026-12-21 09:30 conflicts with appointment ${WEEK4:0:8} (same counsellor)"
expect_err "nothing was booked"
unchanged
run --json appt list --person "$LIU"; json 'j == []'

step "bad appointment input"
before
run appt add --person "$LIU" --at "2026-02-30 10:00"; expect_rc 2
expect_err "'2026-02-30 10:00' is not a valid date and time: use YYYY-MM-DD HH:MM"
run appt add --person "$LIU" --at "2026-12-14 25:00"; expect_rc 2
run appt add --person "$LIU" --at "2026-12-14 10:00" --repeat weekly; expect_rc 2
expect_err "--repeat needs --count N or --until DATE"
run appt add --person "$LIU" --at "2026-12-14 10:00" --repeat monthly --count 2; expect_rc 2
run appt add --person "$LIU" --at "2026-12-14 10:00" --minutes 0; expect_rc 2
run appt add --person "$LIU" --at "2026-12-14 10:00" --mode fax; expect_rc 2
run appt add --person "$LIU" --at "2026-12-14 10:00" --repeat weekly --until 2027-02-29; expect_rc 2
expect_err "'2027-02-29' is not a valid date: use YYYY-MM-DD"
run appt list --from 2026-13-01; expect_rc 2
run appt add --at "2026-12-14 10:00"; expect_rc 2; expect_err "missing --person"
run appt cancel zz; expect_rc 2
run appt cancel 000000000000; expect_rc 1
unchanged

step "until, move, rest of series"
run appt add --person "$LIU" --at "2026-12-02 15:00" --repeat biweekly --until 2027-01-27 \
	--counsellor Chen
expect_ok; expect_out "Booked 5 sessions"
L3=$(grep -F "2026-12-30 15:00" "$T/out" | awk '{print $3}')
L1=$(grep -F "2026-12-02 15:00" "$T/out" | awk '{print $3}')
run appt move "$L1" --at "2026-12-02 16:00"; expect_ok; expect_out "2026-12-02 16:00"
run appt cancel "$L3" --rest-of-series; expect_ok; expect_out "and 2 later sessions"
run --json appt list --person "$LIU"
json '[a["status"] for a in j] == ["booked", "booked", "cancelled", "cancelled", "cancelled"]'
json 'j[0]["at"] == "2026-12-02 16:00"'
run appt cancel "$L3"; expect_rc 1; expect_err "not booked"

step "no-show creates a next-day reach-out"
run appt done "$WEEK1"; expect_ok
HEARTH_TODAY=2026-12-07 run appt noshow "$WEEK2"; expect_rc 0
expect_out "marked as a no-show"; expect_out "is due 2026-12-08"
run --json followup list --person "$WANG"; expect_ok
json 'len(j) == 1 and j[0]["source"] == "noshow" and j[0]["priority"] == "normal"'
json 'j[0]["due"] == "2026-12-08" and j[0]["days_overdue"] == 6'
NOSHOW_FU=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T/out")
run appt noshow "$WEEK2"; expect_rc 1

# ---------------------------------------------------------------- follow-ups
step "follow-up unreachable three times escalates"
run followup add --person "$LIU" --due 2026-12-14 --reason "check in after the lecture"
expect_ok; FU=$(out1)
run followup unreachable "$FU"; expect_ok
expect_out "attempt 1"; expect_out "2026-12-15"; expect_no_out "Escalated"
HEARTH_TODAY=2026-12-15 run followup unreachable "${FU:0:10}"; expect_ok
expect_out "attempt 2"; expect_no_out "Escalated"
run --json followup list --person "$LIU"
json 'j[0]["priority"] == "normal" and not j[0]["escalated"] and j[0]["attempts"] == 2'
HEARTH_TODAY=2026-12-16 run followup unreachable "$FU"; expect_ok
expect_out "attempt 3"; expect_out "Escalated: high priority, flagged for the team lead."
run --json followup list --person "$LIU"
json 'j[0]["priority"] == "high" and j[0]["escalated"] and j[0]["due"] == "2026-12-17"'
HEARTH_TODAY=2026-12-17 run followup list; expect_ok
expect_out "escalated to team lead"; expect_out "3 attempts"

step "follow-up list order and overdue"
run followup add --person "$ZHAO" --due 2026-12-01 --reason "late low" --priority low; expect_ok
run followup add --person "$ZHAO" --due 2026-12-20 --reason "future normal"; expect_ok
run --json followup list
json '[f["priority"] for f in j] == sorted([f["priority"] for f in j], key=["high","normal","low"].index)'
json 'j[0]["reason"] == "check in after the lecture"'
run followup list; expect_ok
expect_out "Priority"; expect_out "Overdue"; expect_out "6 days"; expect_out "Liu Wei"
run --json followup list --overdue
json 'all(f["days_overdue"] > 0 for f in j) and len(j) == 2'
run followup list --overdue; expect_out "late low"; expect_no_out "future normal"

step "bad follow-up input"
before
run followup add --person "$ZHAO" --due 2026-02-30 --reason x; expect_rc 2
expect_err "'2026-02-30' is not a valid date: use YYYY-MM-DD"
run followup add --person "$ZHAO" --due 2026-12-30; expect_rc 2; expect_err "missing --reason"
run followup add --person "$ZHAO" --due 2026-12-30 --reason x --priority urgent; expect_rc 2
run followup done "$FU"; expect_rc 2; expect_err "missing --outcome"
HEARTH_TODAY=2026-12-32 run followup list; expect_rc 2
expect_err "HEARTH_TODAY='2026-12-32' is not a valid date"
unchanged
run followup done "$NOSHOW_FU" --outcome "called, rebooked"; expect_ok
run followup done "$NOSHOW_FU" --outcome "again"; expect_rc 1; expect_err "done already"

# ---------------------------------------------------------------- safety and case
step "high-risk hotline call: safety follow-up, case cannot close"
run activity add hotline --date 2026-12-14 --person "$ZHAO" --risk high --minutes 40 \
	--outcome "safety plan made"
expect_ok; expect_out "safety follow-up"; expect_out "due today (2026-12-14)"
run --json followup list --person "$ZHAO"
json 'j[0]["safety"] and j[0]["priority"] == "high" and j[0]["due"] == "2026-12-14" and j[0]["source"] == "hotline"'
SAFE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T/out")
run --json person show "$ZHAO"; json 'j["risk"] == "high" and j["case"] == "followup"'
# A second trigger the same day adds no second safety follow-up.
run --json activity add hotline --date 2026-12-14 --person "$ZHAO" --risk high --minutes 10
expect_ok; export SAFE; json 'j["followup"] == e["SAFE"]'
run --json followup list --person "$ZHAO"; json 'sum(f["safety"] for f in j) == 1'
before
run person case "$ZHAO" closed; expect_rc 1
expect_err "has an open safety follow-up ${SAFE:0:8}"
unchanged
run followup done "$SAFE" --outcome "seen with supervisor"; expect_ok
run --json person show "$ZHAO"; json 'j["risk"] == "high" and j["case"] == "followup"'
run person case "$ZHAO" closed; expect_ok; expect_out "Closed"
run person risk "$ZHAO" extreme; expect_rc 2
run person risk "$ZHAO" moderate; expect_ok
run person counsellor "$ZHAO" "Li"; expect_ok
run --json person show "$ZHAO"
json 'j["risk"] == "moderate" and j["case"] == "closed" and j["counsellor"] == "Li"'

step "anonymous high-risk call is recorded, no follow-up attached"
run activity add hotline --date 2026-12-14 --risk high; expect_ok
expect_err "no safety follow-up could be attached"
run --json activity list --type hotline
json 'len(j) == 3 and j[2].get("safety") == "unattached" and "followup" in j[0]'
json 'j[0]["followup"] == j[1]["followup"]'

step "activities"
run activity add lecture --date 2026-12-10 --topic "睡眠与压力" --unit "三号车间" --attendance 42 \
	--minutes 90
expect_ok
run activity add group --date 2026-12-11 --topic "团辅" --attendance 12; expect_ok
run activity list --from 2026-12-10 --to 2026-12-11; expect_ok
expect_out "睡眠与压力"; expect_out "42"; expect_out "Group session"; expect_no_out "Hotline"
before
run activity add lecture --date 2026-02-30; expect_rc 2
expect_err "'2026-02-30' is not a valid date: use YYYY-MM-DD"
run activity add party --date 2026-12-10; expect_rc 2
run activity add lecture --date 2026-12-10 --attendance -3; expect_rc 2
run activity add lecture; expect_rc 2; expect_err "missing --date"
unchanged

# ---------------------------------------------------------------- notes
step "notes are append-only"
run note missing; expect_ok; expect_out "2026-11-30 10:00"
run note add --person "$WANG" --appt "$WEEK1" --format dap --text "D: sleeps badly"
expect_ok; NOTE=$(out1); export NOTE
run note missing; expect_ok; expect_out "Every held appointment has a note."
run note amend "$NOTE" --text "P: meet every two weeks"; expect_ok; AM=$(out1)
run note show "$NOTE"; expect_ok
expect_out "D: sleeps badly"; expect_out "Amendment $AM"; expect_out "P: meet every two weeks"
run --json note show "$AM"
json 'len(j) == 2 and j[0]["text"] == "D: sleeps badly" and j[1]["amends"] == e["NOTE"]'
before
run note add --person "$ZHAO" --appt "$WEEK1" --text "wrong person"; expect_rc 1
run note add --person "$WANG" --format poem --text x; expect_rc 2
run note add --person "$WANG"; expect_rc 2; expect_err "missing --text"
run note amend "$NOTE"; expect_rc 2
unchanged

step "person show timeline"
run person show "$WANG"; expect_ok
expect_out "Timeline:"; expect_out "note"; expect_out "amendment"; expect_out "appointment"
expect_out "follow-up"
run --json person show "$WANG"
json '[t["kind"] for t in j["timeline"]].count("appointment") == 6'
json '[t["kind"] for t in j["timeline"]].index("amendment") == [t["kind"] for t in j["timeline"]].index("note") + 1'

step "an appointment cannot be marked held before its day"
run appt add --person "$LIU" --at "2026-12-14 23:00" --counsellor Zhou; expect_ok
TONIGHT=$(out1 | sed 's/^Booked \([0-9a-f]*\) .*/\1/')
run appt add --person "$LIU" --at "2027-01-05 09:00" --counsellor Zhou; expect_ok
LATER=$(out1 | sed 's/^Booked \([0-9a-f]*\) .*/\1/')
before
run appt done "$LATER"; expect_rc 1
expect_err "appointment on 2027-01-05 09:00 has not happened yet"
unchanged
run appt done "$TONIGHT"; expect_ok
HEARTH_TODAY=2027-01-05 run appt done "$LATER"; expect_ok
run --json appt list --person "$LIU" --from 2026-12-14; export TONIGHT LATER
json '[a["status"] for a in j if a["id"] in (e["TONIGHT"], e["LATER"])] == ["done", "done"]'
run note add --person "$LIU" --appt "$TONIGHT" --text "met"; expect_ok
run note add --person "$LIU" --appt "$LATER" --text "met again"; expect_ok

# ---------------------------------------------------------------- Chinese
step "Chinese messages"
export LANGUAGE=zh_CN LANG=C.UTF-8
unset LC_ALL
run appt add --person "$ZHAO" --at "2026-12-28 10:20" --counsellor Li; expect_ok
expect_err "警告：2026-12-28 10:20 与预约 ${WEEK5:0:8} 冲突（同一咨询师）"
run appt list --from 2026-02-30; expect_rc 2; expect_err "“2026-02-30”不是有效日期"
run followup list; expect_ok; expect_out "优先级"; expect_out "逾期"; expect_out "已上报组长"
run followup unreachable "$FU"; expect_ok; expect_out "未联系上"
run note missing; expect_ok; expect_out "所有已完成的预约都有咨询记录。"
run activity list --type lecture; expect_ok; expect_out "讲座"
run activity add hotline --date 2026-12-14 --risk high; expect_ok; expect_err "无法建立安全随访"
run activity add hotline --date 2026-12-14 --person "$LIU" --risk high; expect_ok
expect_out "高风险：安全随访"
run person case "$LIU" closed; expect_rc 1; expect_err "请先完成该随访再结案"
run person show "$LIU"; expect_ok; expect_out "时间线："; expect_out "风险等级"
run appt done "$WEEK5"; expect_rc 1; expect_err "2026-12-28 10:00 的预约还没有到时间"
run appt noshow "$WEEK5"; expect_ok; expect_out "已记为爽约"

# ---------------------------------------------------------------- no way around the safety rule
export LANGUAGE=en LC_ALL=C.UTF-8
# jget EXPR: a value from the JSON in $T/out.
jget() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1], encoding="utf-8")); print(eval(sys.argv[2]))' \
		"$T/out" "$1"
}

step "a safety follow-up made in Chinese reads in English, and back"
run person add --name "Sun Li"; expect_ok; SUN=$(out1)
LANGUAGE=zh_CN run screen phq9 --person "$SUN" --answers 1,0,2,0,1,0,0,1,1; expect_ok
run --json followup list --person "$SUN"; expect_ok
json 'len(j) == 1 and j[0]["safety"] and j[0]["reason_code"] == "screening_safety"'
json 'j[0]["reason_instrument"] == "phq9" and j[0]["reason"] == "safety check after a phq9 screening"'
SUNFU=$(jget 'j[0]["id"]')
run followup list --person "$SUN"; expect_ok
expect_out "safety check after a phq9 screening"; expect_no_out "筛查"
LANGUAGE=zh_CN run followup list --person "$SUN"; expect_ok
expect_out "phq9 筛查后的安全随访"; expect_no_out "safety check"
LANGUAGE=zh_CN run person show "$SUN"; expect_ok; expect_out "phq9 筛查后的安全随访"
run person show "$SUN"; expect_ok; expect_out "safety check after a phq9 screening"
# A no-show recorded in English reads in Chinese.
run appt add --person "$SUN" --at "2026-12-09 09:00"; expect_ok
SUNAP=$(out1 | sed 's/^Booked \([0-9a-f]*\) .*/\1/')
run appt noshow "$SUNAP"; expect_ok
run --json followup list --person "$SUN"; expect_ok
json '[f["reason_code"] for f in j] == ["screening_safety", "noshow"]'
json 'j[1]["reason_at"] == "2026-12-09 09:00" and j[1]["reason"] == "no-show 2026-12-09 09:00"'
LANGUAGE=zh_CN run followup list --person "$SUN"; expect_ok
expect_out "爽约 2026-12-09 09:00"; expect_no_out "no-show"

step "lowering the risk from high needs a reason while a safety follow-up is open"
before
run person risk "$SUN" moderate; expect_rc 1
expect_err "person ${SUN:0:8} has an open safety follow-up ${SUNFU:0:8} (due 2026-12-14)"
expect_err "lowering the risk from high needs a reason (--reason TEXT)"
run person risk "$SUN" low --reason "  "; expect_rc 2; expect_err "--reason cannot be empty"
run person risk "$SUN" low --reason "$(printf 'two\nlines')"; expect_rc 2
unchanged
run --json person show "$SUN"; json 'j["risk"] == "high"'
run person risk "$SUN" moderate --reason "reached by phone, safety plan agreed"; expect_ok
expect_out "is now Moderate"
run --json audit list; expect_ok; export SUNFU
json '[x for x in j["entries"] if x["action"] == "person.risk"][-1]["detail"] == "moderate; from high with safety follow-up " + e["SUNFU"][:8] + " open; reason: reached by phone, safety plan agreed"'

step "a case cannot close while a safety follow-up is open, whatever the risk"
before
run person case "$SUN" closed; expect_rc 1
expect_err "person ${SUN:0:8} has an open safety follow-up ${SUNFU:0:8} (due 2026-12-14): complete it before closing the case"
LANGUAGE=zh_CN run person case "$SUN" closed; expect_rc 1; expect_err "请先完成该随访再结案"
unchanged
run --json person show "$SUN"; json 'j["risk"] == "moderate" and j["case"] == "followup"'
run followup done "$SUNFU" --outcome "met with supervisor, safe"; expect_ok
run person case "$SUN" closed; expect_ok; expect_out "Closed"

step "safety follow-ups sort first in every list"
run person add --name "Qian Yu"; expect_ok; QIAN=$(out1)
run followup add --person "$QIAN" --due 2026-11-01 --priority high --reason "very late high"
expect_ok; QLATE=$(out1)
run activity add hotline --date 2026-12-14 --person "$QIAN" --risk high; expect_ok
export QLATE
for args in "" "--overdue" "--person $QIAN" "--overdue --person $QIAN"; do
	# shellcheck disable=SC2086
	HEARTH_TODAY=2026-12-16 run --json followup list $args; expect_ok
	json 'j[0]["safety"] and j[0]["days_overdue"] == 2'
	json 'all(j[i]["safety"] >= j[i + 1]["safety"] for i in range(len(j) - 1))'
	json '[f["id"] for f in j].index(e["QLATE"]) > 0 and [f for f in j if f["id"] == e["QLATE"]][0]["days_overdue"] == 45'
done
HEARTH_TODAY=2026-12-16 run followup list --person "$QIAN"; expect_ok
sed -n 2p "$T/out" | grep -qF "high-risk hotline call" || fail "the safety follow-up is not first"
sed -n 3p "$T/out" | grep -qF "very late high" || fail "the late high one is not second"

echo "all workflow scenarios passed"
