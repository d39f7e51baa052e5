#!/bin/bash
# The counselling scenarios of issue 3, end to end through the real
# `hearth` binary, each asserting what a user relies on:
#
#   a. a PHQ-9 totalling 6 with item 9 = 1 raises the safety flag: the
#      person becomes high risk, a high-priority follow-up is due the same
#      day, and the crisis card shows the vault's help lines;
#   b. a weekly series colliding with another booking in week 3 warns with
#      that date; cancelling that one occurrence keeps the rest;
#   c. a follow-up unreachable three times escalates; twice does not;
#   d. a report equals what the raw records give (counted here, in python,
#      from the list and show commands' JSON over seeded random data), and
#      its CSV starts with the UTF-8 BOM and holds no name and no id;
#   e. `hearth audit verify` passes, and fails naming entry 3 once that
#      entry is deleted from the database (with tests/tools/vault_sql).
#   f. save first, then ask (issue 7): a high C-SSRS result without
#      --action is saved with its safety follow-up, shows the crisis card
#      and the command that records the action, is listed by `screen
#      pending`, at the top of `followup list` and `person show`, until
#      `screen action` records it (once); help lines are rows with hours
#      and the day verified, and stale ones are named.
#
# Each runs in English, and again in Chinese (LANGUAGE=zh_CN
# LANG=C.UTF-8), each in a fresh vault.
#
#   bash tests/scripts/cli_scenarios.sh BUILD/cli/hearth BUILD/tests/vault_sql ["a b c"]
#
# The optional third argument names the scenarios to run (default: all;
# meson runs a-e as one test and f as another, cli_scenarios_safety).
#
# (meson runs it as suite 'cli'.)  Scenario d draws its data from $RANDOM
# seeded with HEARTH_TEST_SEED (default: from the clock); a failure prints
# the seed, and HEARTH_TEST_SEED=N replays it.
set -eu

HEARTH=${1:?usage: cli_scenarios.sh /path/to/hearth /path/to/vault_sql}
VAULT_SQL=${2:?usage: cli_scenarios.sh /path/to/hearth /path/to/vault_sql}
SCENARIOS=${3:-a b c d e f}
case $HEARTH in /*) ;; *) HEARTH=$PWD/$HEARTH ;; esac
case $VAULT_SQL in /*) ;; *) VAULT_SQL=$PWD/$VAULT_SQL ;; esac

export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-14
unset HEARTH_VAULT HEARTH_LOCALEDIR HEARTH_NEW_PASSPHRASE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-scenarios.XXXXXX)
trap 'rm -rf "$T"' EXIT
STEP=start
SEED=${HEARTH_TEST_SEED:-$(( $(date +%s) % 1000000 ))}

fail() {
	echo "FAIL [$STEP] (HEARTH_TEST_SEED=$SEED): $*" >&2
	[ -f "$T/out" ] && { echo "--- stdout:" >&2; cat "$T/out" >&2; }
	[ -f "$T/err" ] && { echo "--- stderr:" >&2; cat "$T/err" >&2; }
	exit 1
}
step() { STEP="$1 ($L)"; echo "# $STEP"; }
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
count_err() {
	local n
	n=$(grep -cF -- "$1" "$T/err" || true)
	[ "$n" = "$2" ] || fail "stderr has '$1' $n times, expected $2"
}
# json EXPR: EXPR holds for j, the JSON on stdout (e: the environment).
json() {
	python3 -c '
import json, os, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
e = os.environ
if not eval(sys.argv[2]):
    sys.exit(1)
' "$T/out" "$1" || fail "JSON check failed: $1"
}
# jget EXPR: prints EXPR of j.
jget() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
print(eval(sys.argv[2]))
' "$T/out" "$1"
}
# Output in Chinese must hold Chinese (not only digits and ids).
expect_cjk() {
	python3 -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if re.search("[\u4e00-\u9fff]", t) else 1)
' "$1" || fail "no Chinese in $(basename "$1")"
}

# use_lang en|zh: the language of the commands that follow.
use_lang() {
	L=$1
	if [ "$L" = zh ]; then
		export LANGUAGE=zh_CN LANG=C.UTF-8
	else
		export LANGUAGE=en LANG=C.UTF-8
	fi
}
# fresh NAME: a new empty vault for one scenario.
fresh() {
	export HEARTH_VAULT=$T/$1-$L
	run init; expect_ok
}
id_of_json() { jget 'j["id"]'; }

# ---------------------------------------------------------------- a
scenario_a() {
	step "a: PHQ-9 of 6 with item 9 = 1"
	fresh a
	run config set helplines "Union line:12345,Emergency:120"; expect_ok
	run person add --name "王芳"; expect_ok; local P; P=$(head -n 1 "$T/out")
	run person add --name "Liu Wei"; expect_ok; local Q; Q=$(head -n 1 "$T/out")

	# Control: the same total without item 9 raises nothing.
	run screen phq9 --person "$Q" --answers 1,0,2,0,1,0,0,2,0; expect_ok
	run --json person show "$Q"; json 'j.get("risk", "") != "high"'
	run --json followup list --person "$Q"; json 'all(not f["safety"] for f in j)'

	run screen phq9 --person "$P" --answers 1,0,2,0,1,0,0,1,1; expect_ok
	cp "$T/out" "$T/screen.out"
	run --json followup list --person "$P"; expect_ok
	local FU
	FU=$(jget 'j[0]["id"][:8]')
	cp "$T/screen.out" "$T/out"
	if [ "$L" = en ]; then
		expect_out "Score: 6 of 27"
		expect_out "Flags: safety"
		expect_out "Safety follow-up $FU due 2026-12-14 (high priority)"
		expect_out "The person is now marked high risk."
		expect_out "Safety first: act now"
		expect_out "Stay with the person"
		expect_out "Tell your supervisor"
		expect_out "not a diagnosis"
	else
		expect_out "得分：6 / 27"
		expect_out "标记： 安全"
		expect_out "安全随访 $FU，截止 2026-12-14（高优先级）"
		expect_out "此人现已标记为高风险。"
		expect_out "安全第一：立即行动"
		expect_out "陪伴在对方身边"
		expect_out "告知您的督导"
		expect_out "不是诊断"
	fi
	# The crisis card names the help lines configured for this vault.
	expect_out "Union line"; expect_out "12345"; expect_out "Emergency"
	expect_no_out "12356"
	# Never worded as a diagnosis: no "depression" or "抑郁症" verdict.
	expect_no_out "You have"; expect_no_out "患有"

	run --json person show "$P"; expect_ok
	json 'j["risk"] == "high"'
	json 'any(t["kind"] == "screening" and t["when"] == "2026-12-14" and "safety" in t["summary"] for t in j["timeline"])'
	run --json followup list --person "$P"; expect_ok
	json 'len(j) == 1 and j[0]["safety"] and j[0]["priority"] == "high"'
	json 'j[0]["due"] == e["HEARTH_TODAY"] and j[0]["days_overdue"] == 0 and j[0]["status"] == "open"'
	run followup list; expect_ok
	local line
	line=$(grep -F "$FU" "$T/out") || fail "followup list lacks $FU"
	case $L in
	en) [[ $line == *High*2026-12-14*王芳*safety* ]] || fail "followup line '$line'" ;;
	zh) [[ $line == *高*2026-12-14*王芳*安全* ]] || fail "followup line '$line'" ;;
	esac

	# --json gives the same facts to a program.
	run person add --name "赵强"; expect_ok; local R; R=$(head -n 1 "$T/out")
	run --json screen phq9 --person "$R" --answers 1,0,2,0,1,0,0,1,1; expect_ok
	json 'j["total"] == 6 and "safety" in j["flags"] and j["safety"] and j["person_marked_high"]'
	json 'j["followup"]["due"] == e["HEARTH_TODAY"] and j["followup"]["priority"] == "high"'
	json '[h["number"] for h in j["crisis_card"]["helplines"]] == ["12345", "120"]'
}

# ---------------------------------------------------------------- b
scenario_b() {
	step "b: weekly series colliding in week 3"
	fresh b
	run person add --name "王芳"; expect_ok; local P; P=$(head -n 1 "$T/out")
	run person add --name "赵强"; expect_ok; local Q; Q=$(head -n 1 "$T/out")
	run --json appt add --person "$Q" --at "2026-12-14 10:30" --counsellor Li --place "Room 2"
	expect_ok; local OTHER; OTHER=$(jget 'j["appointments"][0]["id"]')

	run appt add --person "$P" --at "2026-11-30 10:00" --counsellor Li --place "Room 1" \
		--repeat weekly --count 6
	expect_ok
	if [ "$L" = en ]; then
		expect_out "Booked 6 sessions"
		count_err "conflicts with appointment" 1
		expect_err "warning: 2026-12-14 10:00 conflicts with appointment ${OTHER:0:8} (same counsellor)"
	else
		count_err "冲突" 1
		expect_err "警告：2026-12-14 10:00 与预约 ${OTHER:0:8} 冲突（同一咨询师）"
	fi
	# Only week 3 collides: no other week's date is named.
	for d in 2026-11-30 2026-12-07 2026-12-21 2026-12-28 2027-01-04; do
		expect_no_err "$d"
	done

	run --json appt list --person "$P"; expect_ok
	json 'len(j) == 6 and all(a["status"] == "booked" for a in j)'
	local W3
	W3=$(jget '[a["id"] for a in j if a["at"] == "2026-12-14 10:00"][0]')

	# --strict books nothing when anything conflicts.
	run appt add --person "$P" --at "2026-12-14 10:15" --counsellor Li --strict; expect_rc 1
	run --json appt list --person "$P"; json 'len(j) == 6'

	run appt cancel "${W3:0:8}"; expect_ok
	case $L in
	en) expect_out "Cancelled appointment ${W3:0:8}." ;;
	zh) expect_out "已取消预约 ${W3:0:8}。" ;;
	esac
	run --json appt list --person "$P"; expect_ok
	json 'len(j) == 6 and [a["at"] for a in j if a["status"] == "cancelled"] == ["2026-12-14 10:00"]'
	json 'sorted(a["at"][:10] for a in j if a["status"] == "booked") == ["2026-11-30", "2026-12-07", "2026-12-21", "2026-12-28", "2027-01-04"]'
	json 'len({a["series"] for a in j}) == 1'
	run appt list --person "$P"; expect_ok
	local booked cancelled
	case $L in
	en) booked=Booked; cancelled=Cancelled ;;
	zh) booked=已预约; cancelled=已取消 ;;
	esac
	for d in 2026-11-30 2026-12-07 2026-12-21 2026-12-28 2027-01-04; do
		grep -F "$d 10:00" "$T/out" | grep -qF "$booked" || fail "$d is not shown $booked"
	done
	grep -F "2026-12-14 10:00" "$T/out" | grep -qF "$cancelled" || fail "week 3 is not shown $cancelled"
	# The other person's booking is untouched.
	run --json appt list --person "$Q"; json '[a["status"] for a in j] == ["booked"]'
}

# ---------------------------------------------------------------- c
scenario_c() {
	step "c: unreachable three times escalates"
	fresh c
	run person add --name "王芳"; expect_ok; local P; P=$(head -n 1 "$T/out")
	run person add --name "赵强"; expect_ok; local Q; Q=$(head -n 1 "$T/out")
	run --json followup add --person "$P" --due 2026-12-14 --reason "call after the lecture"
	expect_ok; local F3; F3=$(id_of_json)
	run --json followup add --person "$Q" --due 2026-12-14 --reason "call back"
	expect_ok; local F2; F2=$(id_of_json)

	local esc_out esc_flag
	case $L in
	en) esc_out="Escalated: high priority, flagged for the team lead."; esc_flag="escalated to team lead" ;;
	zh) esc_out="已上报：设为高优先级，并提请组长关注。"; esc_flag="已上报组长" ;;
	esac

	# Each failure schedules a retry 24 hours later.
	local day
	for day in 2026-12-14 2026-12-15; do
		HEARTH_TODAY=$day run followup unreachable "${F2:0:8}"; expect_ok; expect_no_out "$esc_out"
		HEARTH_TODAY=$day run followup unreachable "${F3:0:8}"; expect_ok; expect_no_out "$esc_out"
	done
	run --json followup list
	json '{f["id"]: (f["attempts"], f["priority"], f["escalated"], f["due"]) for f in j} == {"'"$F2"'": (2, "normal", False, "2026-12-16"), "'"$F3"'": (2, "normal", False, "2026-12-16")}'

	HEARTH_TODAY=2026-12-16 run followup unreachable "${F3:0:8}"; expect_ok; expect_out "$esc_out"
	run --json followup list
	json '[(f["id"], f["attempts"], f["priority"], f["escalated"]) for f in j] == [("'"$F3"'", 3, "high", True), ("'"$F2"'", 2, "normal", False)]'
	HEARTH_TODAY=2026-12-17 run followup list; expect_ok
	grep -F "${F3:0:8}" "$T/out" | grep -qF "$esc_flag" || fail "escalated follow-up not flagged"
	grep -F "${F2:0:8}" "$T/out" | grep -qF "$esc_flag" && fail "follow-up unreachable twice is flagged"
	true
}

# ---------------------------------------------------------------- d
# Brute-force counts over the raw records, as hearth/reports.h defines them.
# Input: a directory with people.json (person list), show-*.json (person
# show of each), appts.json, activities.json, closed.txt ("ID DATE" per
# follow-up done), report.json; prints nothing and exits 0 when every count
# of every bucket matches.
cat >"$T/brute.py" <<'EOF'
import json, sys, glob, os
d = sys.argv[1]
load = lambda n: json.load(open(os.path.join(d, n), encoding="utf-8"))
report = load("report.json")
appts = load("appts.json")
acts = load("activities.json")
closed = dict(l.split() for l in open(os.path.join(d, "closed.txt")) if l.strip())
screens, fus = [], []
for f in glob.glob(os.path.join(d, "show-*.json")):
    p = json.load(open(f, encoding="utf-8"))
    for t in p["timeline"]:
        t = dict(t, person=p["id"])
        if t["kind"] == "screening":
            parts = t["summary"].split(", ")
            t["instrument"] = parts[0]
            t["flags"] = parts[2].split() if len(parts) > 2 else []
            screens.append(t)
        elif t["kind"] == "followup":
            fus.append(t)
as_of = report["overdue_as_of"]
assert as_of == min(report["to"], os.environ["HEARTH_TODAY"]), as_of

def counts(lo, hi):
    inp = lambda day: lo <= day <= hi
    c = {}
    people = set()
    def typ(t):
        sel = [a for a in acts if a["type"] == t and inp(a["date"])]
        people.update(a["person"] for a in sel if a.get("person"))
        return sel
    c["hotline_calls"] = len(typ("hotline"))
    c["callbacks"] = len(typ("callback"))
    c["outreach"] = len(typ("outreach"))
    g = typ("group"); c["group_sessions"] = len(g)
    c["group_attendees"] = sum(a.get("attendance", 0) for a in g)
    le = typ("lecture"); c["lectures"] = len(le)
    c["lecture_attendees"] = sum(a.get("attendance", 0) for a in le)
    ap = [a for a in appts if inp(a["at"][:10])]
    booked = [a for a in ap if a["status"] != "cancelled"]
    # Served: only a held appointment serves its person.
    people.update(a["person"] for a in booked if a["status"] == "done")
    c["appointments_booked"] = len(booked)
    c["appointments_held"] = sum(a["status"] == "done" for a in booked)
    c["appointments_noshow"] = sum(a["status"] == "noshow" for a in booked)
    c["appointments_cancelled"] = len(ap) - len(booked)
    c["one_to_one_sessions"] = c["appointments_held"]
    sc = [s for s in screens if inp(s["when"])]
    people.update(s["person"] for s in sc)
    c["screenings"] = len(sc)
    c["safety_flags"] = (sum("safety" in s["flags"] or (s["instrument"] == "cssrs" and s["status"] == "high") for s in sc)
                         + sum(a.get("risk") == "high" and inp(a["date"]) for a in acts))
    done = [f for f in fus if f["id"] in closed and inp(closed[f["id"]])]
    for f in fus:
        assert (f["status"] == "done") == (f["id"] in closed), f
    c["followups_done"] = len(done)
    over = [f for f in fus if inp(f["when"]) and f["when"] < as_of
            and (f["id"] not in closed or closed[f["id"]] > as_of)]
    c["followups_overdue"] = len(over)
    # A follow-up done serves its person; an overdue one serves nobody.
    people.update(f["person"] for f in done)
    c["people_served"] = len(people)
    bands = {}
    for s in sc:
        bands[(s["instrument"], s["status"])] = bands.get((s["instrument"], s["status"]), 0) + 1
    return c, bands

bad = []
buckets = [report["total"]] + report.get("buckets", [])
for b in buckets:
    c, bands = counts(b["from"], b["to"])
    for k, v in c.items():
        if b["counts"].get(k) != v:
            bad.append("%s..%s %s: report %s, records %s" % (b["from"], b["to"], k, b["counts"].get(k), v))
    got = {(x["instrument"], x["band"]): x["count"] for x in b["screenings_by_band"]}
    if got != bands:
        bad.append("%s..%s bands: report %s, records %s" % (b["from"], b["to"], got, bands))
if report.get("buckets"):
    for k in report["total"]["counts"]:
        if k != "people_served" and sum(b["counts"][k] for b in report["buckets"]) != report["total"]["counts"][k]:
            bad.append("buckets of %s do not add up" % k)
if sum(report["total"]["counts"].values()) == 0:
    bad.append("the report counted nothing: the data set is empty")
for m in bad:
    print(m)
sys.exit(1 if bad else 0)
EOF

# DAYS: the 90 days from 2026-10-20.  The data below is drawn with
# $RANDOM in this shell only (never in a $(...) subshell, which would
# reseed it), so a seed always gives the same vault.
mapfile -t DAYS < <(for ((i = 0; i < 90; i++)); do date -u -d "2026-10-20 + $i days" +%F; done)

scenario_d() {
	step "d: report equals the raw records (seed $SEED)"
	fresh d
	RANDOM=$SEED
	local D=$T/d-$L-data
	mkdir -p "$D"
	: >"$D/closed.txt"
	local names=("王芳" "赵强" "Liu Wei" "陈静" "Zhang Min" "李娜" "周杰伦")
	local ids=() n i id when t hour
	for n in "${names[@]}"; do
		run person add --name "$n" --unit "三号车间"; expect_ok
		ids+=("$(head -n 1 "$T/out")")
	done
	# pick: PICKED becomes one of the people, at random.
	pick() { PICKED=${ids[RANDOM % ${#ids[@]}]}; }
	local types=(hotline callback group lecture outreach) risks=("" "" low moderate high)
	local args
	for ((i = 0; i < 28; i++)); do
		t=${types[RANDOM % 5]}
		when=${DAYS[RANDOM % 90]}
		args=(activity add "$t" --date "$when")
		((RANDOM % 3)) && pick && args+=(--person "$PICKED")
		case $t in group | lecture) ((RANDOM % 4)) && args+=(--attendance $((RANDOM % 60 + 1))) ;; esac
		local r=${risks[RANDOM % 5]}
		[ -n "$r" ] && args+=(--risk "$r")
		HEARTH_TODAY=$when run "${args[@]}"; expect_ok
	done
	for ((i = 0; i < 16; i++)); do
		when=${DAYS[RANDOM % 90]}
		pick
		printf -v hour '%02d' $((8 + RANDOM % 9))
		run --json appt add --person "$PICKED" --at "$when $hour:00" \
			--counsellor "C$((RANDOM % 3))"
		expect_ok; id=$(jget 'j["appointments"][0]["id"]')
		case $((RANDOM % 6)) in
		0 | 1) HEARTH_TODAY=$when run appt done "$id"; expect_ok ;;
		2) HEARTH_TODAY=$when run appt noshow "$id"; expect_ok ;;
		3) run appt cancel "$id"; expect_ok ;;
		esac
	done
	local answers=("1,0,2,0,1,0,0,1,1" "0,0,0,0,0,0,0,0,0" "3,3,2,2,1,1,2,2,0" "2,2,2,2,2,2,2,2,2")
	local forms=(phq9 gad7 who5 phq2 gad2 cssrs)
	for ((i = 0; i < 14; i++)); do
		when=${DAYS[RANDOM % 90]}
		case ${forms[RANDOM % 6]} in
		phq9) args=(screen phq9 --answers "${answers[RANDOM % 4]}") ;;
		gad7) args=(screen gad7 --answers "$((RANDOM % 4)),$((RANDOM % 4)),1,2,0,3,$((RANDOM % 4))") ;;
		who5) args=(screen who5 --answers "$((RANDOM % 6)),3,4,$((RANDOM % 6)),5") ;;
		phq2) args=(screen phq2 --answers "$((RANDOM % 4)),$((RANDOM % 4))") ;;
		gad2) args=(screen gad2 --answers "$((RANDOM % 4)),$((RANDOM % 4))") ;;
		cssrs) case $((RANDOM % 3)) in
			0) args=(screen cssrs --answers "1,0,-,-,-,0") ;;
			1) args=(screen cssrs --answers "1,1,1,0,0,0") ;;
			2) args=(screen cssrs --answers "1,1,1,1,0,0" --action "stayed, called 12356") ;;
			esac ;;
		esac
		pick
		HEARTH_TODAY=$when run "${args[@]}" --person "$PICKED"; expect_ok
	done
	# An employee's private self-screening is not service: never counted.
	HEARTH_TODAY=${DAYS[40]} run journal screen phq9 --answers 1,1,1,1,1,1,1,1,1; expect_ok
	for ((i = 0; i < 12; i++)); do
		when=${DAYS[RANDOM % 90]}
		pick
		run --json followup add --person "$PICKED" --due "$when" --reason "check $i"
		expect_ok; id=$(id_of_json)
		((RANDOM % 3 == 0)) && { run followup unreachable "$id"; expect_ok; }
	done
	# Close about half of all follow-ups (hand-made, no-show and safety
	# ones alike), each on a random day; the day is the record's "closed".
	run --json followup list; expect_ok
	for id in $(jget '" ".join(f["id"] for f in j)'); do
		((RANDOM % 2)) && continue
		when=${DAYS[RANDOM % 90]}
		HEARTH_TODAY=$when run followup done "$id" --outcome "reached"; expect_ok
		echo "$id $when" >>"$D/closed.txt"
	done

	# Two people nobody served in the period (people_served must leave
	# them out): one only booked, with a follow-up overdue; one who did not
	# come (the reach-out stays overdue) and cancelled.
	run person add --name "吴敏"; expect_ok; id=$(head -n 1 "$T/out"); ids+=("$id")
	run appt add --person "$id" --at "2026-12-03 10:00"; expect_ok
	run followup add --person "$id" --due 2026-11-20 --reason "not reached"; expect_ok
	run person add --name "郑浩"; expect_ok; id=$(head -n 1 "$T/out"); ids+=("$id")
	run --json appt add --person "$id" --at "2026-11-12 10:00"; expect_ok
	HEARTH_TODAY=2026-11-12 run appt noshow "$(jget 'j["appointments"][0]["id"]')"; expect_ok
	run --json appt add --person "$id" --at "2026-12-09 10:00"; expect_ok
	run appt cancel "$(jget 'j["appointments"][0]["id"]')"; expect_ok
	names+=("吴敏" "郑浩")

	# The raw records.
	run --json person list; expect_ok; cp "$T/out" "$D/people.json"
	for id in "${ids[@]}"; do
		run --json person show "$id"; expect_ok; cp "$T/out" "$D/show-$id.json"
	done
	run --json appt list; expect_ok; cp "$T/out" "$D/appts.json"
	run --json activity list; expect_ok; cp "$T/out" "$D/activities.json"

	local period
	for period in "2026-11-01 2026-12-31 2027-01-05" "2026-10-20 2027-01-17 2026-12-14"; do
		set -- $period
		export HEARTH_TODAY=$3
		run --json report --from "$1" --to "$2"; expect_ok
		cp "$T/out" "$D/report.json"
		python3 "$T/brute.py" "$D" >"$T/err" || fail "report $1..$2 differs from the records"
		run --json report --from "$1" --to "$2" --by month; expect_ok
		cp "$T/out" "$D/report.json"
		python3 "$T/brute.py" "$D" >"$T/err" || fail "monthly report $1..$2 differs"
		run --json report --from "$1" --to "$2" --by week; expect_ok
		cp "$T/out" "$D/report.json"
		python3 "$T/brute.py" "$D" >"$T/err" || fail "weekly report $1..$2 differs"
	done
	export HEARTH_TODAY=2026-12-14

	# The plain report shows the same counts, in the user's language.
	run --json report --from 2026-11-01 --to 2026-12-31; cp "$T/out" "$D/report.json"
	local hot; hot=$(jget 'j["total"]["counts"]["hotline_calls"]')
	run report --from 2026-11-01 --to 2026-12-31; expect_ok
	case $L in
	en) grep -qE "^Hotline calls +$hot\$" "$T/out" || fail "report text lacks 'Hotline calls $hot'" ;;
	zh) grep -qE "^热线来电 +$hot\$" "$T/out" || fail "report text lacks '热线来电 $hot'"
	    expect_cjk "$T/out" ;;
	esac

	step "d: the CSV holds no name"
	local csv=$T/report-$L.csv lang=en
	[ "$L" = zh ] && lang=zh_CN
	run report --from 2026-11-01 --to 2026-12-31 --by month --csv "$csv" --lang "$lang"; expect_ok
	[ -s "$csv" ] || fail "no CSV written"
	[ "$(head -c 3 "$csv" | od -An -tx1 | tr -d ' \n')" = efbbbf ] || fail "CSV does not start with the UTF-8 BOM"
	for n in "${names[@]}" "${ids[@]}"; do
		! grep -qF -- "$n" "$csv" || fail "CSV holds '$n'"
	done
	for id in "${ids[@]}"; do
		! grep -qiF -- "${id:0:8}" "$csv" || fail "CSV holds an id"
	done
	python3 - "$csv" "$D/report.json" "$L" <<'EOF' || fail "CSV counts are not the report's (with <5)"
import csv, json, sys, re
raw = open(sys.argv[1], "rb").read()
text = raw[3:].decode("utf-8")
assert "\r\n" in text, "lines do not end in CRLF"
rows = list(csv.reader(text.splitlines()))
rep = json.load(open(sys.argv[2], encoding="utf-8"))
total = rows[-1]
keys = list(rep["total"]["counts"])
if sys.argv[3] == "zh":
    assert "热线来电" in rows[0], rows[0]
else:
    assert "Hotline calls" in rows[0], rows[0]
assert len(rows) == 1 + 2 + 1, "expected a header, two months and the whole"
shown = lambda n: "0" if n == 0 else "<5" if n < 5 else str(n)
for i, k in enumerate(keys):
    assert total[3 + i] == shown(rep["total"]["counts"][k]), (k, total[3 + i])
for r in rows[1:]:
    for cell in r[3:]:
        assert cell == "<5" or (re.fullmatch("[0-9]+", cell) and (int(cell) == 0 or int(cell) >= 5)), cell
EOF
}

# ---------------------------------------------------------------- e
scenario_e() {
	step "e: a deleted audit entry is found"
	fresh e
	run person add --name "王芳"; expect_ok; local P; P=$(head -n 1 "$T/out")
	run person show "$P"; expect_ok
	run person edit "$P" --unit "三号车间"; expect_ok
	run followup add --person "$P" --due 2026-12-20 --reason "check"; expect_ok
	run audit verify; expect_ok
	case $L in
	en) expect_out "audit log intact: " ;;
	zh) expect_out "审计日志完好" ;;
	esac
	run --json audit verify; expect_ok; json 'j["intact"] and j["entries"] >= 4'
	run --json audit list; expect_ok
	json '[x["seq"] for x in j["entries"]][:4] == [1, 2, 3, 4]'

	"$VAULT_SQL" "$HEARTH_VAULT" "SELECT count(*) FROM audit WHERE seq = 3" >"$T/out" 2>"$T/err" ||
		fail "vault_sql cannot read the audit table"
	[ "$(cat "$T/out")" = 1 ] || fail "no audit entry 3 to delete"
	"$VAULT_SQL" "$HEARTH_VAULT" "DELETE FROM audit WHERE seq = 3" >"$T/out" 2>"$T/err" ||
		fail "vault_sql cannot delete"

	run audit verify; expect_rc 1
	case $L in
	en) expect_err "audit log broken at entry 3" ;;
	zh) expect_err "审计日志在第 3 条处断裂" ;;
	esac
	run --json audit verify; expect_rc 1; json 'not j["intact"] and j["broken_at"] == 3'
	# Nothing else is refused: the log is evidence, not a lock.
	run person list; expect_ok
}

# ---------------------------------------------------------------- f
scenario_f() {
	step "f: a safety result is saved first, the action recorded after"
	fresh f
	run person add --name "王芳"; expect_ok; local P; P=$(head -n 1 "$T/out")
	run screen pending; expect_ok
	case $L in
	en) expect_out "No safety result is waiting" ;;
	zh) expect_out "没有等待记录行动的安全结果" ;;
	esac

	# High C-SSRS without --action: saved (exit 0), not refused.
	run screen cssrs --person "$P" --answers 1,1,1,1,0,0; expect_ok
	local S
	S=$(sed -n 's/.*hearth screen action \([0-9a-f]*\) --action.*/\1/p' "$T/out" | head -n 1)
	[ -n "$S" ] || fail "no record-action command printed"
	case $L in
	en) expect_out "Screening $S saved."
	    expect_out "Safety first: act now"
	    expect_out "The action taken is not yet recorded"
	    expect_out "hearth screen action $S --action TEXT"
	    expect_out "12356 (24 h; not verified)"
	    expect_err "help line National mental-health helpline (12356) was never verified"
	    expect_err "hearth config helpline verify 12356" ;;
	zh) expect_out "筛查 $S 已保存。"
	    expect_out "安全第一：立即行动"
	    expect_out "尚未记录所采取的行动"
	    expect_out "hearth screen action $S --action 文字"
	    expect_out "12356（24小时；未核实）"
	    expect_err "求助热线 全国心理援助热线（12356）从未核实"
	    expect_err "hearth config helpline verify 12356" ;;
	esac
	# The card comes before the command that records the action.
	[ "$(grep -n -m1 -e 'Safety first' -e '安全第一' "$T/out" | cut -d: -f1)" -lt \
	  "$(grep -n -m1 'hearth screen action' "$T/out" | cut -d: -f1)" ] ||
		fail "the record-action command comes before the crisis card"
	run --json person show "$P"; expect_ok
	json 'j["risk"] == "high" and j["action_pending"] and len(j["pending_actions"]) == 1'
	run --json followup list --person "$P"; expect_ok
	json 'len(j) == 1 and j[0]["safety"] and j[0]["due"] == e["HEARTH_TODAY"]'

	# Listed until recorded: screen pending, followup list, person show.
	run --json screen pending; expect_ok
	json 'len(j) == 1 and j[0]["screening"].startswith("'"$S"'") and j[0]["instrument"] == "cssrs" and j[0]["action_pending"]'
	run screen pending; expect_ok
	expect_out "$S"; expect_out "王芳"
	run followup list; expect_ok
	head -n 1 "$T/out" | grep -qF "hearth screen action $S" || fail "followup list does not start with the pending action"
	run person show "$P"; expect_ok
	head -n 1 "$T/out" | grep -qF "hearth screen action $S" || fail "person show does not start with the pending action"

	# --json at submit says so too.
	run person add --name "赵强"; expect_ok; local Q; Q=$(head -n 1 "$T/out")
	run --json screen phq9 --person "$Q" --answers 0,0,0,0,0,0,0,0,1; expect_ok
	json 'j["safety"] and j["action_pending"] and j["further_check"] and j["band"]["id"] == "minimal"'
	json 'not any("No further check" in s or "无需进一步" in s for s in j["next_steps"])'
	json 'j["record_action"].startswith("hearth screen action ")'
	local S2; S2=$(jget 'j["id"][:8]')
	# Never "no further check" under a crisis card, in text either.
	run screen phq9 --person "$Q" --answers 0,0,0,0,0,0,0,0,1; expect_ok
	expect_no_out "No further check"; expect_no_out "无需进一步"
	expect_no_out "Not a positive screen"; expect_no_out "非阳性"
	case $L in
	en) expect_out "but the safety flag asks for a check now" ;;
	zh) expect_out "但安全标记要求现在就进一步了解" ;;
	esac
	run --json screen pending; expect_ok; json 'len(j) == 3'
	run --json screen pending --person "$Q"; expect_ok; json 'len(j) == 2'

	# screen action: bad input is refused and changes nothing.
	run screen action "$S" --action "  "; expect_rc 2
	run screen action "$S"; expect_rc 2
	run screen action zz12 --action x; expect_rc 2
	run screen action 123456 --action x; expect_rc 1
	run --json screen pending; json 'len(j) == 3'
	run screen action "$S" --action "stayed with her, called 12356, told the supervisor"; expect_ok
	case $L in
	en) expect_out "Recorded the action taken on screening $S." ;;
	zh) expect_out "已记录对筛查 $S 所采取的行动。" ;;
	esac
	run screen action "$S" --action "again"; expect_rc 1
	case $L in
	en) expect_err "recorded already" ;;
	zh) expect_err "已经记录过了" ;;
	esac
	run --json screen action "$S2" --action "called 120"; expect_ok
	json 'j["action_pending"] == False and j["id"].startswith("'"$S2"'")'
	run --json screen pending; json 'len(j) == 1'
	run --json person show "$P"; json 'not j["action_pending"] and j["pending_actions"] == []'
	run person show "$P"; expect_ok; expect_no_out "hearth screen action"
	run --json audit list; expect_ok
	json 'sum(x["action"] == "screening.action" for x in j["entries"]) == 2'
	# --action at submit still records it at once.
	run --json screen cssrs --person "$Q" --answers 1,1,1,1,0,0 --action "called 12356"; expect_ok
	json 'j["safety"] and not j["action_pending"]'
	run --json screen pending; json 'len(j) == 1'

	step "f: help lines as rows, with the day verified"
	run config helpline list; expect_ok
	expect_out "12356"
	case $L in
	en) expect_out "never"; expect_out "call to verify" ;;
	zh) expect_out "从未"; expect_out "请拨打核实" ;;
	esac
	count_err "helpline verify" 3
	run config helpline add "Union line" 0355-1234567 --hours "8:00-22:00" --verified 2026-12-01; expect_ok
	expect_out "Union line"; expect_out "8:00-22:00"; expect_out "2026-12-01"
	count_err "helpline verify" 3
	run config helpline verify 12356; expect_ok
	count_err "helpline verify" 2
	run --json config helpline list; expect_ok
	json '[h["number"] for h in j] == ["12356", "120", "110", "0355-1234567"]'
	json 'j[0]["verified"] == e["HEARTH_TODAY"] and not j[0]["stale"] and j[1]["stale"]'
	json 'j[3]["hours"] == "8:00-22:00" and j[3]["verified"] == "2026-12-01" and not j[3]["stale"]'
	# Verified 91 days before today is stale and named; 90 is not.
	run config helpline verify 120 --date 2026-09-14; expect_ok
	run --json config helpline list; json 'j[1]["stale"]'
	run config list; expect_ok
	case $L in
	en) expect_err "help line Emergency (ambulance) (120) was last verified on 2026-09-14, more than 90 days ago" ;;
	zh) expect_err "上次核实于 2026-09-14，已超过 90 天" ;;
	esac
	run config helpline verify 120 --date 2026-09-15; expect_ok
	run --json config helpline list; json 'not j[1]["stale"]'
	# Bad input: refused, nothing changed.
	run config helpline add "Bad line" 555 --verified 2026-02-30; expect_rc 2
	run config helpline add "Bad line" 555 --verified 2026-12-15; expect_rc 2
	run config helpline verify 120 --date 2026-12-15; expect_rc 2
	run config helpline verify 999; expect_rc 1
	run config helpline remove 999; expect_rc 1
	run --json config helpline list; json 'len(j) == 4 and j[1]["verified"] == "2026-09-15"'
	# Replace by number, remove, and the card shows hours and dates.
	run config helpline add "Union hotline" "0355 1234567" --hours "24 h"; expect_ok
	run --json config helpline list; json 'len(j) == 4 and j[3]["name"] == "Union hotline" and j[3]["verified"] == ""'
	run config helpline remove 110; expect_ok
	run --json screen phq9 --person "$Q" --answers 0,0,0,0,0,0,0,0,2; expect_ok
	json '[h["number"] for h in j["crisis_card"]["helplines"]] == ["12356", "120", "0355 1234567"]'
	json 'j["crisis_card"]["helplines"][0]["verified"] == e["HEARTH_TODAY"]'
	run screen phq9 --person "$Q" --answers 0,0,0,0,0,0,0,0,2; expect_ok
	case $L in
	en) expect_out "12356 (24 h; verified 2026-12-14)"; expect_out "0355 1234567 (24 h; not verified)" ;;
	zh) expect_out "12356（24小时；2026-12-14 已核实）"; expect_out "0355 1234567（24 h；未核实）" ;;
	esac
	count_err "helpline verify" 1
}

for lang in en zh; do
	use_lang $lang
	for which in $SCENARIOS; do
		case $which in
		[a-f]) "scenario_$which" ;;
		*) fail "no scenario '$which' (a-f)" ;;
		esac
	done
done
echo "all scenarios passed (HEARTH_TEST_SEED=$SEED)"
