#!/bin/bash
# Everything `hearth` says in Chinese is Chinese.
#
# Under LANGUAGE=zh_CN LANG=C.UTF-8 this runs `hearth --help`, every
# group's --help and every subcommand's --help (the groups and subcommands
# are read from the English help, so a new one is covered the day it
# appears), the normal output of each list and show command (and of the
# commands that change things) on a small vault, and the typical error
# messages, and asserts of each output:
#
#   1. no English text of the message catalogue is left in it: every
#      translated msgid is cut at its conversions (%s ...) and line ends,
#      and no piece of two or more words that its translation does not
#      keep appears verbatim;
#   2. no run of two or more English words is left in it, once what is
#      meant to stay as typed is taken out (command lines, options, $VARS,
#      instrument ids, quoted commands);
#   3. list and show output holds no bare English word (a status, band or
#      flag shown as its stored id, say "booked" or "mild");
#   4. it holds Chinese characters (unless it is only an id or a number).
#
# Instrument sources and licences are bibliographic text kept as
# published and are left out of checks 1 and 2.
#
#   bash tests/scripts/cli_i18n.sh BUILD/cli/hearth [BUILD/tests/vault_sql]
#
# (meson runs it as suite 'cli'.)  The catalogue is the build tree's
# (BUILD/po/locale, as an uninstalled `hearth` uses) or $HEARTH_LOCALEDIR.
set -eu

HEARTH=${1:?usage: cli_i18n.sh /path/to/hearth}
case $HEARTH in /*) ;; *) HEARTH=$PWD/$HEARTH ;; esac
BUILD=$(dirname "$(dirname "$HEARTH")")
MO=${HEARTH_LOCALEDIR:-$BUILD/po/locale}/zh_CN/LC_MESSAGES/hearth.mo
if [ ! -f "$MO" ]; then
	echo "SKIP: no catalogue at $MO (msgfmt missing at build time?)" >&2
	exit 77
fi

export HEARTH_TEST_WEAK_KDF=1
export HEARTH_PASSPHRASE='correct horse 电池 staple'
export HEARTH_TODAY=2026-12-14
unset HEARTH_VAULT HEARTH_NEW_PASSPHRASE LC_ALL LC_MESSAGES || true

T=$(mktemp -d /tmp/hearth-i18n.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HEARTH_VAULT=$T/vault
O=$T/o
mkdir -p "$O"
N=0
STEP=start

fail() {
	echo "FAIL [$STEP]: $*" >&2
	exit 1
}
step() { STEP=$1; echo "# $1"; }

# cap KIND ARGS...: runs hearth in Chinese (stdin from $CAP_IN, else
# /dev/null) and keeps the command, stdout, stderr and exit code as $O/N.*;
# KIND (help, list, act, error) says which checks apply.  Leaves N and RC
# set.
cap() {
	local kind=$1
	shift
	N=$((N + 1))
	printf '%s\n' "$kind" >"$O/$N.kind"
	printf '%s\n' "$*" >"$O/$N.cmd"
	set +e
	LANGUAGE=zh_CN LANG=C.UTF-8 "$HEARTH" "$@" >"$O/$N.out" 2>"$O/$N.err" <"${CAP_IN:-/dev/null}"
	RC=$?
	set -e
	echo "$RC" >"$O/$N.rc"
}
# cap_ok / cap_fail: as cap, and the exit code must be 0 / the one given.
cap_ok() {
	cap "$@"
	[ "$RC" = 0 ] || { cat "$O/$N.err" >&2; fail "'${*:2}' exited $RC"; }
}
cap_rc() {
	local want=$1
	shift
	cap error "$@"
	[ "$RC" = "$want" ] || { cat "$O/$N.err" >&2; fail "'$*' exited $RC, expected $want"; }
	[ -s "$O/$N.err" ] || fail "'$*' printed no message"
}
last_out() { cat "$O/$N.out"; }
jid() { python3 -c 'import json, sys; j = json.load(sys.stdin); print(j["appointments"][0]["id"] if "appointments" in j else j["id"])'; }

# ---------------------------------------------------------------- help
step "help of every group and subcommand"
cap_ok help --help
GROUPS_FOUND=$(LANGUAGE=en "$HEARTH" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}')
for g in init passwd recover person screen instruments appt note followup activity report journal audit config; do
	grep -qx "$g" <<<"$GROUPS_FOUND" || fail "'hearth --help' does not list '$g'"
done
SUBS=0
for g in $GROUPS_FOUND; do
	cap_ok help "$g" --help
	for s in $(LANGUAGE=en "$HEARTH" "$g" --help | sed -n '/^Subcommands:/,/^$/p' |
		awk 'NR > 1 && /^  [a-z]/ {print $1}'); do
		cap_ok help "$g" "$s" --help
		SUBS=$((SUBS + 1))
	done
done
[ "$SUBS" -ge 30 ] || fail "only $SUBS subcommands found in the help"

# ---------------------------------------------------------------- a small vault
step "a small vault"
cap_ok act init
A=$(LANGUAGE=en "$HEARTH" person add --name 王芳 --unit 三号车间 --tag 司机 --phone 13800000000 --note 夜班)
cap_ok act person add --name 赵强
B=$(last_out)
cap_ok act person add --name 孙丽
C=$(last_out)
cap_ok act person edit "$C" --unit 五号车间 --tag 焊工
cap_ok act screen phq9 --person "$A" --answers 1,0,2,0,1,0,0,1,1
cap_ok act screen gad7 --person "$B" --answers 3,3,3,3,0,0,0
cap_ok act screen who5 --person "$B" --answers 1,1,1,1,1
cap_ok act screen phq2 --person "$B" --answers 2,2
cap_ok act screen gad2 --person "$B" --answers 0,1
cap_ok act screen cssrs --person "$B" --answers 1,1,1,0,0,1,1 --action 已陪同就医
# A high C-SSRS without --action is saved, its action still to record.
cap_ok act screen cssrs --person "$A" --answers 1,1,1,1,0,0
SA=$(LANGUAGE=en "$HEARTH" --json screen pending | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["screening"][:8])')
grep -qF "hearth screen action $SA --action 文字" "$O/$N.out" || fail "no record-action command in Chinese"
cap_ok act config helpline add 工会热线 0355-1234567 --hours 8:00-22:00 --verified 2026-12-01
cap_ok act config helpline verify 12356
cap_ok act config helpline add 报警 110 --hours 24小时
cap_ok act appt add --person "$A" --at "2026-12-14 10:00" --counsellor 李老师 --place 二号室 \
	--repeat weekly --count 3
cap_ok act appt add --person "$C" --at "2026-12-14 10:30" --counsellor 李老师 --place 一号室
AP=$(LANGUAGE=en "$HEARTH" --json appt add --person "$B" --at "2026-12-10 09:00" --counsellor 李老师 --mode phone | jid)
cap_ok act appt done "${AP:0:8}"
AP2=$(LANGUAGE=en "$HEARTH" --json appt add --person "$B" --at "2026-12-11 09:00" --mode video | jid)
cap_ok act appt noshow "${AP2:0:8}"
AP3=$(LANGUAGE=en "$HEARTH" --json appt add --person "$C" --at "2026-12-16 09:00" --repeat biweekly --count 3 | jid)
cap_ok act appt move "${AP3:0:8}" --at "2026-12-16 15:00"
cap_ok act appt cancel "${AP3:0:8}" --rest-of-series
NOTE=$(LANGUAGE=en "$HEARTH" --json note add --person "$B" --appt "${AP:0:8}" --format dap --text 谈了工作压力 | jid)
cap_ok act note amend "${NOTE:0:8}" --text 补充：睡眠不好
cap_ok act followup add --person "$A" --due 2026-12-01 --reason 电话回访
F=$(LANGUAGE=en "$HEARTH" --json followup add --person "$C" --due 2026-12-14 --reason 再次联系 --priority low | jid)
cap_ok act followup unreachable "${F:0:8}"
cap_ok act followup unreachable "${F:0:8}"
cap_ok act followup unreachable "${F:0:8}"
F2=$(LANGUAGE=en "$HEARTH" --json followup add --person "$C" --due 2026-12-20 --reason 了解近况 | jid)
cap_ok act followup done "${F2:0:8}" --outcome 已联系
cap_ok act activity add hotline --date 2026-12-02 --person "$A" --topic 情绪 --minutes 30 --risk low --outcome 已疏导
cap_ok act activity add hotline --date 2026-12-14 --person "$C" --risk high
cap_ok act activity add hotline --date 2026-12-14 --risk high
cap_ok act activity add group --date 2026-12-03 --topic 减压 --unit 三号车间 --attendance 12
cap_ok act activity add lecture --date 2026-12-04 --topic 睡眠 --attendance 40
cap_ok act activity add callback --date 2026-12-05 --person "$B"
cap_ok act activity add outreach --date 2026-12-06 --unit 物流站
cap_ok act person risk "$B" moderate --reason 已联系，安全计划已定
cap_ok act person case "$B" open
cap_ok act person counsellor "$B" 李老师
cap_ok act config set supervisor '张主任 13900000000'
cap_ok act config set phq9_cutoff 7
cap_ok act journal add --mood 2 --text 有点累
cap_ok act journal add --mood 4 --date 2026-12-10
cap_ok act journal screen phq9 --answers 1,1,1,1,1,1,1,1,0
cap_ok act journal screen phq9 --answers 0,0,0,0,0,0,0,0,1
cap_ok act journal grounding
# Questions asked one at a time (no --answers), answers read from stdin.
printf '1\n0\n2\n0\n1\n0\n0\n1\n0\n\n' >"$T/answers"
CAP_IN=$T/answers cap_ok act screen phq9 --person "$C"
grep -qF "请回答" "$O/$N.out" || fail "the questions were not asked in Chinese"
printf '\n\n\n\n\n\n\n' >"$T/enter"
CAP_IN=$T/enter cap_ok act journal grounding
cap_ok act report --from 2026-12-01 --to 2026-12-31 --csv "$T/report.csv"

# ---------------------------------------------------------------- list and show
step "list and show"
cap_ok list person list
cap_ok list person list --search 王
for p in "$A" "$B" "$C"; do cap_ok list person show "$p"; done
cap_ok list instruments list
for i in phq9 phq2 gad7 gad2 who5 cssrs; do cap_ok list instruments show "$i"; done
cap_ok list appt list
cap_ok list appt list --person "$C"
cap_ok list note show "${NOTE:0:8}"
cap_ok list note missing
cap_ok list followup list
cap_ok list followup list --overdue
cap_ok list activity list
cap_ok list journal list
cap_ok list journal trend
cap_ok list journal trend --instrument phq9
cap_ok list audit list --last 12
cap_ok list audit verify
cap_ok list config list
cap_ok list config get helplines
cap_ok list config helpline list
cap_ok list screen pending
cap_ok list followup list --person "$A"
cap_ok list report --from 2026-12-01 --to 2026-12-31
cap_ok list report --from 2026-11-01 --to 2026-12-31 --by month
cap_ok list report --from 2026-12-01 --to 2026-12-31 --by week
# The CSV's headers are Chinese too.
python3 - "$T/report.csv" <<'EOF' || fail "the CSV header is not Chinese"
import sys
h = open(sys.argv[1], encoding="utf-8-sig").readline()
sys.exit(0 if "热线来电" in h and "Hotline" not in h else 1)
EOF

# ---------------------------------------------------------------- errors
step "error messages"
cap_rc 2
cap_rc 2 nosuch
cap_rc 2 --bogus
cap_rc 2 person
cap_rc 2 person frobnicate
cap_rc 2 person add
cap_rc 2 person add --name
cap_rc 2 person show
cap_rc 2 person show xyz123
cap_rc 2 person show 12345
cap_rc 1 person show 123456
cap_rc 2 person risk "$A" extreme
cap_rc 1 person case "$C" closed
cap_rc 2 screen phq9 --person "$A" --answers 1,0,9
cap_rc 2 screen phq9 --person "$A" --answers 1,x
cap_rc 2 screen phq9 --person "$A" --answers 1,0,1
cap_rc 2 screen phq9 --person "$A" --answers 1,1,1,1,1,1,1,1,1,1,1
cap_rc 2 screen cssrs --person "$A" --answers 0,0,1,1,1,0
cap_rc 2 screen action "$SA" --action ' '
cap_rc 2 screen action "$SA"
cap_rc 1 screen action 123456 --action 已处理
cap_ok act screen action "$SA" --action 已陪同就医
cap_rc 1 screen action "$SA" --action 再次
cap_rc 2 config helpline add 某热线 12345 --verified 2026-02-30
cap_rc 2 config helpline verify 12356 --date 2026-12-15
cap_rc 1 config helpline remove 999
cap_rc 1 screen nosuch --person "$A" --answers 1
cap_rc 2 screen phq9 --person "$A" --answers 1,1,1,1,1,1,1,1,1 --difficulty 9
cap_rc 2 instruments show
cap_rc 1 instruments show nosuch
cap_rc 2 appt add --person "$A" --at "2026-02-30 10:00"
cap_rc 2 appt add --person "$A" --at "2026-12-14 10:00" --repeat weekly
cap_rc 1 appt add --person "$A" --at "2026-12-14 10:10" --counsellor 李老师 --strict
cap_rc 2 appt list --from yesterday
cap_rc 1 appt done "${AP:0:8}"
cap_rc 2 note add --person "$A"
cap_rc 2 note amend
cap_rc 2 followup add --person "$A" --due 2026-12-32 --reason x
cap_rc 1 followup done "${F2:0:8}" --outcome again
cap_rc 2 activity add
cap_rc 2 activity add party --date 2026-12-01
cap_rc 2 report --from 2026-12-01
cap_rc 2 report --from 2026-12-01 --to 2026-12-31 --by day
cap_rc 2 journal add --mood 9
cap_rc 2 journal screen cssrs
cap_rc 2 journal trend --instrument nosuch
grep -qF "没有名为“nosuch”的量表" "$O/$N.err" || fail "unknown instrument not named"
cap_rc 2 config get nokey
cap_rc 2 config set phq9_cutoff 8
cap_rc 2 config set lang fr
cap_rc 2 config set helplines bad
cap_rc 2 config set
HEARTH_PASSPHRASE='not the passphrase' cap_rc 1 person list
HEARTH_VAULT=$T/none cap_rc 1 person list
cap_rc 1 init
# A damaged page and a vault from a newer version.
cp -a "$HEARTH_VAULT" "$T/dmg"
python3 - "$T/dmg/hearth.db" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(2000)
    b = f.read(1)
    f.seek(2000)
    f.write(bytes([b[0] ^ 0xff]))
EOF
HEARTH_VAULT=$T/dmg cap_rc 1 person list
grep -qE '^hearth: 保险库已损坏：第 [0-9]+ 页未通过认证$' "$O/$N.err" || fail "damaged page not named in Chinese"
cp -a "$HEARTH_VAULT" "$T/newer"
python3 - "$T/newer/vault.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["format"] = 99
json.dump(d, open(sys.argv[1], "w"))
EOF
HEARTH_VAULT=$T/newer cap_rc 1 person list

# ---------------------------------------------------------------- checks
step "no English left"
python3 - "$MO" "$O" <<'EOF' || fail "English left in Chinese output"
import gettext, glob, os, re, sys

mo, out = sys.argv[1], sys.argv[2]
cat = gettext.GNUTranslations(open(mo, "rb"))._catalog
SPEC = re.compile(r"%(?:\d+\$)?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp%]")
pieces = {}
for k, v in cat.items():
    if isinstance(k, tuple):
        k = k[0]
    if not k or not v:
        continue
    for line in k.split("\n"):
        for p in SPEC.split(line):
            p = p.strip()
            if len(re.findall(r"[A-Za-z]{2,}", p)) < 2 or len(p) < 8 or p in v:
                continue
            pieces[p] = k
if len(pieces) < 200:
    sys.exit("only %d English pieces in the catalogue: is it the right one?" % len(pieces))

# Text that stays as typed, removed before looking for English words.
KEEP = [
    r"hearth(?: [a-z][a-z0-9_-]*)*",            # command lines
    r"--?[A-Za-z][\w-]*",                        # options
    r"\$[A-Z_]+",                                # environment variables
    r"“[\x20-\x7e]*”",                            # a quoted command or value
    r"\b(?:PHQ|GAD|WHO|C-SSRS|CSV|JSON|UTF|ISO|YYYY|MM|DD|HH|MiB|DAP|SOAP)\b[-0-9]*",
    r"\b[0-9a-f]{8}(?:[0-9a-f]{24})?\b",          # ids, even those with no digit
    r"[A-Za-z0-9_.+-]*[0-9_.][A-Za-z0-9_.+-]*",   # dates, phq9, person.add, paths
    r"\b[A-Z]\b",                                # one-letter placeholders
]
keep = re.compile("|".join(KEEP))
# Words joined by one space or ", " (two spaces or more part table columns).
RUN = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:,? [A-Za-z][A-Za-z'’-]+)+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’_-]*[A-Za-z]")
# Words list and show may print as they are: ids of instruments and
# setting keys the user types.
ALLOWED = {"phq9", "phq2", "gad7", "gad2", "who5", "cssrs", "helplines",
           "phq9_cutoff", "lang", "supervisor", "en"}
CJK = re.compile("[\u4e00-\u9fff]")

bad = []
n = 0
for f in sorted(glob.glob(os.path.join(out, "*.cmd")), key=lambda x: int(os.path.basename(x)[:-4])):
    base = f[:-4]
    cmd = open(f, encoding="utf-8").read().strip()
    kind = open(base + ".kind").read().strip()
    for stream in ("out", "err"):
        text = open(base + "." + stream, encoding="utf-8").read()
        if not text:
            continue
        n += 1
        where = "%s of 'hearth %s'" % (stream, cmd)
        lines = [l for l in text.split("\n")
                 if not re.match(r"\s*(来源|许可)：", l)]
        # The audit log shows its entries as recorded: action codes
        # ("person.show", "report") and the core's short details are the
        # same in every language, so logs compare across devices.  Only
        # its header is text for the reader.
        if cmd.startswith("audit list") and stream == "out":
            lines = lines[:1]
        body = "\n".join(lines)
        for p in pieces:
            if p in body:
                bad.append("%s: English text %r (msgid %r)" % (where, p, pieces[p][:60]))
        for l in lines:
            rest = keep.sub(" ", l)
            for m in RUN.finditer(rest):
                bad.append("%s: English words %r in %r" % (where, m.group(0), l.strip()[:80]))
            if kind == "list" and stream == "out":
                for w in WORD.findall(rest):
                    if w not in ALLOWED and w.lower() == w:
                        bad.append("%s: English word %r in %r" % (where, w, l.strip()[:80]))
        # Only ids, numbers and what the user typed need no Chinese.
        if not CJK.search(text) and re.search("[A-Za-z]", keep.sub(" ", text)):
            bad.append("%s: no Chinese in %r" % (where, text[:80]))
for b in bad:
    print(b)
print("%d outputs checked, %d problems" % (n, len(bad)))
sys.exit(1 if bad else 0)
EOF
echo "all Chinese output checked"
