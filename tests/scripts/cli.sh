#!/bin/bash
# End-to-end tests of the `hearth` command line: vault set-up, passphrase
# handling, people, id prefixes, error messages and exit codes, and the
# zh_CN translation, all against real vault directories.
#
#   bash tests/scripts/cli.sh BUILD/cli/hearth
#
# (meson runs it as suite 'cli'.)  Every failing command is also checked to
# leave the vault's files byte-identical (sha256 of every file but the
# -shm index, which SQLite may rewrite on any open).
#
# What can't be made from the command line is tested elsewhere: an
# ambiguous id prefix needs two random ids sharing six hex digits, so it is
# covered by tests/fuzz/fuzz_idprefix.c and the store's unit tests.
set -eu

HEARTH=${1:?usage: cli.sh /path/to/hearth}
case $HEARTH in /*) ;; *) HEARTH=$PWD/$HEARTH ;; esac

# Cheap Argon2id (test-only switch) and English messages for the checks.
export HEARTH_TEST_WEAK_KDF=1
export LC_ALL=C.UTF-8 LANGUAGE=en
unset HEARTH_VAULT HEARTH_PASSPHRASE HEARTH_NEW_PASSPHRASE HEARTH_LOCALEDIR LANG || true

T=$(mktemp -d /tmp/hearth-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
V=$T/vault
PASS='correct horse 电池 staple'
STEP=start

fail() {
	echo "FAIL [$STEP]: $*" >&2
	[ -f "$T/out" ] && { echo "--- stdout:" >&2; cat "$T/out" >&2; }
	[ -f "$T/err" ] && { echo "--- stderr:" >&2; cat "$T/err" >&2; }
	exit 1
}
step() { STEP=$1; echo "# $1"; }

# run ARGS...: runs hearth, keeping stdout in $T/out, stderr in $T/err and
# the exit code in RC; never stops the script.
run() {
	set +e
	"$HEARTH" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}
expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1"; }
expect_ok() { expect_rc 0; }
# expect_err TEXT: stderr holds TEXT (fixed string).
expect_err() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1'"; }
expect_out() { grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1'"; }
expect_no_out() { ! grep -qF -- "$1" "$T/out" || fail "stdout has '$1'"; }
# The first line of stderr must be "hearth: MESSAGE".
expect_msg() {
	local first
	first=$(head -n 1 "$T/err")
	[ "$first" = "hearth: $1" ] || fail "message '$first', expected 'hearth: $1'"
}

snapshot() {
	(cd "$1" && find . -type f ! -name '*-shm' | LC_ALL=C sort | xargs -r sha256sum)
}
# unchanged DIR: the vault's files match the snapshot taken by `before DIR`.
before() { snapshot "$1" >"$T/snap"; }
unchanged() {
	snapshot "$1" >"$T/snap2"
	cmp -s "$T/snap" "$T/snap2" || { diff "$T/snap" "$T/snap2" >&2 || true; fail "vault files changed"; }
}

# json EXPR: evaluates a python expression over the JSON on stdout (as j);
# fails unless it is true.  Extra values come in through the environment.
json() {
	python3 -c '
import json, os, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
e = os.environ
if not eval(sys.argv[2]):
    sys.exit(1)
' "$T/out" "$1" || fail "JSON check failed: $1"
}

export HEARTH_VAULT=$V

# ---------------------------------------------------------------- help
step "help and version"
run --help; expect_ok; expect_out "Usage: hearth"; expect_out "--vault"
expect_out "person"
run --version; expect_ok; expect_out "hearth "
for c in init passwd recover person "person add" "person list" "person show" \
	"person edit" "person delete"; do
	# shellcheck disable=SC2086
	run $c --help; expect_ok; expect_out "Usage: hearth $c"
done
run init --help; expect_out "--low-memory"; expect_out "64 MiB"
run person add --help; expect_out "--name"; expect_out "--tag"
[ ! -e "$V" ] || fail "--help created the vault directory"

# ---------------------------------------------------------------- usage
step "bad usage"
run; expect_rc 2; expect_msg "no command given"
run frobnicate; expect_rc 2; expect_msg "unknown command 'frobnicate'"
expect_err "Try 'hearth --help'."
run --bogus person list; expect_rc 2; expect_msg "unknown option '--bogus'"
run --vault; expect_rc 2; expect_msg "option '--vault' needs an argument"
run person; expect_rc 2; expect_msg "missing subcommand"
run person frob; expect_rc 2; expect_msg "unknown subcommand 'frob'"
run person list --bogus; expect_rc 2; expect_msg "unknown option '--bogus'"
expect_err "Try 'hearth person list --help'."
run --lang xx person list; expect_rc 2; expect_msg "unknown language 'xx': use zh_CN or en"
[ ! -e "$V" ] || fail "bad usage created the vault directory"

# ---------------------------------------------------------------- no vault
step "missing vault"
HEARTH_PASSPHRASE=$PASS run --vault "$T/none" person list
expect_rc 1; expect_msg "no vault at '$T/none': run 'hearth init'"
[ ! -e "$T/none" ] || fail "a failed open created '$T/none'"
HEARTH_PASSPHRASE=$PASS run --vault "$T/none" passwd
expect_rc 1; expect_msg "no vault at '$T/none': run 'hearth init'"

# ---------------------------------------------------------------- prompt
step "passphrase prompt on a terminal"
# A pseudo-terminal becomes hearth's controlling terminal; the helper types
# the answers and checks that nothing typed is echoed and that echo is on
# again after exit, including after Ctrl-C (SIGINT) at the prompt.
cat >"$T/pty.py" <<'PYEOF'
import os, sys, termios, fcntl, subprocess, time, signal, select

hearth, vault, mode = sys.argv[1], sys.argv[2], sys.argv[3]
master, slave = os.openpty()
env = dict(os.environ)
env.pop("HEARTH_PASSPHRASE", None)
env["HEARTH_VAULT"] = vault
def ctty():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
args = {"init": ["init"], "list": ["person", "list"], "sigint": ["person", "list"],
        "mismatch": ["init"]}[mode]
p = subprocess.Popen([hearth] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, env=env, preexec_fn=ctty)
out = b""
def read_until(s, t=20):
    global out
    end = time.time() + t
    while s not in out and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                out += os.read(master, 1024)
            except OSError:
                break
    if s not in out:
        sys.exit("prompt %r not seen; got %r" % (s, out))
def echo_on():
    return bool(termios.tcgetattr(slave)[3] & termios.ECHO)
secret = "pty secret 密码 12345"
if mode in ("init", "mismatch"):
    read_until(b"New passphrase: ")
    time.sleep(0.2)
    assert not echo_on(), "echo on during prompt"
    os.write(master, (secret + "\n").encode())
    read_until(b"Repeat the passphrase: ")
    os.write(master, (secret + ("x" if mode == "mismatch" else "") + "\n").encode())
elif mode == "list":
    read_until(b"Passphrase: ")
    os.write(master, (secret + "\n").encode())
elif mode == "sigint":
    read_until(b"Passphrase: ")
    time.sleep(0.2)
    assert not echo_on(), "echo on during prompt"
    os.write(master, b"half typed")
    time.sleep(0.1)
    p.send_signal(signal.SIGINT)
so, se = p.communicate(timeout=60)
time.sleep(0.1)
try:
    while True:
        r, _, _ = select.select([master], [], [], 0.1)
        if not r: break
        out += os.read(master, 1024)
except OSError:
    pass
if secret.encode() in out or b"half typed" in out:
    sys.exit("passphrase echoed: %r" % out)
if not echo_on():
    sys.exit("echo left off after exit")
sys.stdout.write("rc=%d\n" % p.returncode)
sys.stdout.write(so.decode())
sys.stderr.write(se.decode())
PYEOF
ptyrun() { # ptyrun MODE: output in $T/out and $T/err
	set +e
	python3 "$T/pty.py" "$HEARTH" "$T/pv" "$1" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	[ "$RC" = 0 ] || fail "pty helper failed in mode $1"
}
ptyrun mismatch; expect_out "rc=1"; expect_msg "the two passphrases differ; nothing was changed"
[ ! -e "$T/pv/vault.json" ] || fail "mismatched passphrases made a vault"
ptyrun init; expect_out "rc=0"; expect_out "Recovery code"
ptyrun list; expect_out "rc=0"; expect_out "No people yet."
ptyrun sigint; expect_out "rc=-2"

# ---------------------------------------------------------------- init
step "init refuses weak passphrases"
HEARTH_PASSPHRASE='' run init; expect_rc 1
expect_msg "the passphrase is empty; nothing was changed"
HEARTH_PASSPHRASE='short' run init; expect_rc 1; expect_err "too short"
HEARTH_PASSPHRASE='七个汉字的密码' run init; expect_rc 1; expect_err "too short"
[ ! -e "$V/vault.json" ] || fail "a refused init left a vault"

step "init without a terminal"
if command -v setsid >/dev/null; then
	set +e
	setsid -w "$HEARTH" init </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	expect_rc 1; expect_err "no terminal to ask for the passphrase on"
fi

step "init"
HEARTH_PASSPHRASE=$PASS run init; expect_ok
CODE=$(grep -Eo '[A-Z0-9]{4}(-[A-Z0-9]{4}){7}' "$T/out" | head -n 1)
[ -n "$CODE" ] || fail "no recovery code printed"
expect_out "shown only this once"; expect_out "Write it down"
[ -f "$V/vault.json" ] && [ -f "$V/hearth.db" ] || fail "vault files missing"
if grep -qF "$CODE" "$V/vault.json"; then fail "recovery code stored in clear"; fi

before "$V"
HEARTH_PASSPHRASE=$PASS run init; expect_rc 1
expect_msg "a vault already exists at '$V'"
unchanged "$V"

step "init --json and default vault locations"
export T
HEARTH_PASSPHRASE=$PASS run --vault "$T/v2" --json init; expect_ok
json 'len(j["recovery_code"]) == 39 and j["vault"] == e["T"] + "/v2"'
(unset HEARTH_VAULT; XDG_DATA_HOME=$T/xdg HEARTH_PASSPHRASE=$PASS "$HEARTH" init >/dev/null) ||
	fail "init in \$XDG_DATA_HOME failed"
[ -f "$T/xdg/hearth/vault.json" ] || fail "no vault in \$XDG_DATA_HOME/hearth"
mkdir -p "$T/home"
(unset HEARTH_VAULT XDG_DATA_HOME; HOME=$T/home HEARTH_PASSPHRASE=$PASS "$HEARTH" init >/dev/null) ||
	fail "init in ~/.local/share failed"
[ -f "$T/home/.local/share/hearth/vault.json" ] || fail "no vault in ~/.local/share/hearth"

step "key derivation cost"
# Without the test switch: 256 MiB by default, 64 MiB with --low-memory.
kdf() { # kdf VAULT: prints "memlimit opslimit" of both key slots
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1] + "/vault.json"))
print(" ".join("%d/%d" % (d[s]["kdf"]["memlimit"], d[s]["kdf"]["opslimit"])
               for s in ("passphrase", "recovery")))' "$1"
}
HEARTH_TEST_WEAK_KDF=0 HEARTH_PASSPHRASE=$PASS run --vault "$T/lowmem" init --low-memory
expect_ok
[ "$(kdf "$T/lowmem")" = "67108864/3 67108864/3" ] || fail "--low-memory used $(kdf "$T/lowmem")"
HEARTH_TEST_WEAK_KDF=0 HEARTH_PASSPHRASE=$PASS run --vault "$T/full" init
expect_ok
[ "$(kdf "$T/full")" = "268435456/3 268435456/3" ] || fail "default init used $(kdf "$T/full")"
[ "$(kdf "$V")" = "8388608/1 8388608/1" ] || fail "HEARTH_TEST_WEAK_KDF=1 used $(kdf "$V")"

export HEARTH_PASSPHRASE=$PASS

# ---------------------------------------------------------------- people
step "person add"
export N1='王小明' U1='车间' T1='货车司机' T1b='夜班' P1='138 0000 0000'
export NOTE1='第一次来访，情绪低落。
说话慢，睡眠差。"引号" \反斜杠 emoji 🙂'
run person add --name "$N1" --unit "$U1" --tag "$T1" --tag "$T1b" --tag "$T1" \
	--phone "$P1" --note "$NOTE1"
expect_ok
ID1=$(cat "$T/out")
[[ $ID1 =~ ^[0-9a-f]{32}$ ]] || fail "add printed '$ID1', not an id"

run --json person add --name '李华' --unit '二车间' --tag '外卖骑手'; expect_ok
json 'len(j["id"]) == 32'
ID2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/out")
run person add --name 'Zhang Wei' --unit 'Depot 7' --json; expect_ok
ID3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/out")
export ID1 ID2 ID3

step "person add refuses bad input"
before "$V"
run person add --unit '车间'; expect_rc 2; expect_msg "missing --name"
expect_err "Try 'hearth person add --help'."
run person add --name ''; expect_rc 2; expect_msg "the name cannot be empty"
run person add --name; expect_rc 2; expect_msg "option '--name' needs an argument"
run person add --name "$(printf 'bad\xffbyte')"; expect_rc 2
expect_msg "the value of '--name' is not valid UTF-8 text"
run person add --name "$(printf 'a\033[2Jb')"; expect_rc 2
expect_msg "the value of '--name' holds a control character"
run person add --name x --tag ''; expect_rc 2; expect_msg "a tag cannot be empty"
run person add --name x extra; expect_rc 2; expect_msg "unexpected argument 'extra'"
run person add --name x --clear-tags; expect_rc 2
unchanged "$V"

step "person list"
run person list; expect_ok
expect_out "${ID1:0:8}"; expect_out "$N1"; expect_out "$U1"; expect_out "$T1, $T1b"
expect_out "${ID2:0:8}"; expect_out "李华"; expect_out "Zhang Wei"
expect_no_out "$ID1"   # tables show short ids
# Columns line up by display width: CJK characters take two columns.
python3 - "$T/out" <<'EOF' || fail "table columns are not aligned by display width"
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
header = lines[0]
col = width(header[:header.index("Unit")])
for line in lines[1:]:
    for unit in ("车间", "二车间", "Depot 7"):
        i = line.find(unit)
        if i >= 0 and (i == 0 or line[i - 1] == " ") and line[i - 2:i] == "  ":
            if width(line[:i]) != col:
                sys.exit(1)
            break
    else:
        sys.exit(1)
EOF

run person list --json; expect_ok
json 'len(j) == 3'
json '[p for p in j if p["id"] == e["ID1"]][0]["name"] == e["N1"]'
json '[p for p in j if p["id"] == e["ID1"]][0]["unit"] == e["U1"]'
json '[p for p in j if p["id"] == e["ID1"]][0]["phone"] == e["P1"]'
json '[p for p in j if p["id"] == e["ID1"]][0]["note"] == e["NOTE1"]'
json '[p for p in j if p["id"] == e["ID1"]][0]["tags"] == [e["T1"], e["T1b"]]'
# Chinese is printed as UTF-8, not \u escapes.
expect_out '"name": "王小明"'
cp "$T/out" "$T/list-before.json"

step "person list --search"
run person list --search '货车'; expect_ok
expect_out "$N1"; expect_no_out "李华"; expect_no_out "Zhang"
run person list --search 'zhang wei'; expect_ok; expect_out "Zhang Wei"; expect_no_out "$N1"
run person list --search 'DEPOT'; expect_ok; expect_out "Zhang Wei"
run person list --search '睡眠'; expect_ok; expect_out "$N1"
run person list --search '0000 0000'; expect_ok; expect_out "$N1"
run --json person list --search '骑手'; expect_ok
json '[p["id"] for p in j] == [e["ID2"]]'
run person list --search '没有这个人'; expect_ok; expect_out "No one matches '没有这个人'."

step "person show and id prefixes"
run person show "${ID1:0:6}"; expect_ok
expect_out "$N1"; expect_out "$ID1"; expect_out "Unit:"; expect_out "$U1"
expect_out "$P1"; expect_out "说话慢，睡眠差。"
run person show "$(echo "${ID1:0:10}" | tr a-f A-F)"; expect_ok; expect_out "$N1"
run person show "$ID1" --json; expect_ok
json 'j["id"] == e["ID1"] and j["name"] == e["N1"] and j["note"] == e["NOTE1"]'
json 'j["tags"] == [e["T1"], e["T1b"]]'
run --json person show "${ID2:0:8}"; expect_ok; json 'j["name"] == "李华"'

before "$V"
run person show "${ID1:0:5}"; expect_rc 2
expect_msg "id '${ID1:0:5}' is too short: give at least 6 hex digits"
run person show 'xyz123'; expect_rc 2; expect_msg "'xyz123' is not an id: ids are hexadecimal"
run person show "${ID1}0"; expect_rc 2; expect_err "is too long"
# A six-digit prefix no id has.
NOPE=$(python3 -c '
import os
ids = [os.environ[k] for k in ("ID1", "ID2", "ID3")]
for n in range(1 << 24):
    p = "%06x" % n
    if not any(i.startswith(p) for i in ids):
        print(p); break')
run person show "$NOPE"; expect_rc 1; expect_msg "no person with id '$NOPE'"
run person show; expect_rc 2; expect_msg "missing ID"
run person show "$ID1" "$ID2"; expect_rc 2; expect_err "unexpected argument"
unchanged "$V"

step "person edit"
run person edit "${ID1:0:6}" --unit '二车间'; expect_ok; expect_out "Updated $ID1."
run --json person show "$ID1"; expect_ok
json 'j["unit"] == "二车间" and j["name"] == e["N1"] and j["note"] == e["NOTE1"]'
json 'j["tags"] == [e["T1"], e["T1b"]] and j["phone"] == e["P1"]'
run person edit "$ID1" --tag '外卖骑手' --tag "$T1"; expect_ok
run --json person show "$ID1"; json 'j["tags"] == [e["T1"], e["T1b"], "外卖骑手"]'
run person edit "$ID1" --clear-tags --tag '司机'; expect_ok
run --json person show "$ID1"; json 'j["tags"] == ["司机"]'
run person edit "$ID1" --clear-tags --phone ''; expect_ok
run --json person show "$ID1"; json '"tags" in j and j["tags"] == [] and "phone" not in j'
run person edit "$ID1" --name '王晓明'; expect_ok
run --json person show "$ID1"; json 'j["name"] == "王晓明"'

before "$V"
run person edit "$ID1" --name ''; expect_rc 2; expect_msg "the name cannot be empty"
run person edit "$ID1"; expect_rc 2
expect_msg "nothing to change: give at least one field option"
run person edit --unit x; expect_rc 2; expect_msg "missing ID"
run person edit "$NOPE" --unit x; expect_rc 1; expect_msg "no person with id '$NOPE'"
run person edit "${ID1:0:3}" --unit x; expect_rc 2; expect_err "is too short"
unchanged "$V"

step "person delete"
run person delete "${ID2:0:6}"; expect_ok; expect_out "Deleted $ID2."
run person list --json; json 'sorted(p["id"] for p in j) == sorted([e["ID1"], e["ID3"]])'
before "$V"
run person show "$ID2"; expect_rc 1; expect_msg "no person with id '$ID2'"
run person delete "$ID2"; expect_rc 1; expect_msg "no person with id '$ID2'"
unchanged "$V"
run person list --json; cp "$T/out" "$T/list-before.json"

# ---------------------------------------------------------------- failures
step "wrong passphrase"
before "$V"
HEARTH_PASSPHRASE='not the passphrase' run person list; expect_rc 1
expect_msg "wrong passphrase"
unchanged "$V"

step "passphrase file"
printf '%s\n' "$PASS" >"$T/pass"
(unset HEARTH_PASSPHRASE; "$HEARTH" --passphrase-file "$T/pass" person list --json >"$T/out" 2>"$T/err") ||
	fail "--passphrase-file was refused"
cmp -s "$T/out" "$T/list-before.json" || fail "list differs when unlocked by file"
printf '%s\r\n' "$PASS" >"$T/pass-crlf"
HEARTH_PASSPHRASE=wrong run --passphrase-file "$T/pass-crlf" person list; expect_ok
printf '%s' "$PASS" >"$T/pass-nonl"
run --passphrase-file "$T/pass-nonl" person list; expect_ok
printf 'wrong passphrase\n%s\n' "$PASS" >"$T/pass-2lines"
run --passphrase-file "$T/pass-2lines" person list; expect_rc 1; expect_msg "wrong passphrase"
before "$V"
run --passphrase-file "$T/missing" person list; expect_rc 2
expect_msg "cannot read passphrase file '$T/missing': No such file or directory"
unchanged "$V"

step "newer vault format"
cp -a "$V" "$T/newer"
python3 - "$T/newer/vault.json" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["format"] = 99
json.dump(d, open(p, "w"))
EOF
before "$T/newer"
run --vault "$T/newer" person list; expect_rc 1
expect_msg "vault at '$T/newer' was made by a newer version of hearth"
unchanged "$T/newer"

step "key file of another vault"
# $T/v2 has the same passphrase but its own master key: its key file
# unwraps, and the clear vault id beside the database names the mix-up.
cp -a "$V" "$T/mixed"; cp "$T/v2/vault.json" "$T/mixed/vault.json"
before "$T/mixed"
run --vault "$T/mixed" person list; expect_rc 1
expect_msg "this key file belongs to another vault"
LANGUAGE=zh_CN run --vault "$T/mixed" person list; expect_rc 1
expect_msg "此密钥文件属于另一个保险库"
unchanged "$T/mixed"

step "damaged pages"
# The WAL is checkpointed into hearth.db when the last connection closes.
[ ! -s "$V/hearth.db-wal" ] || fail "hearth.db-wal left behind after close"
flip() { # flip FILE OFFSET: inverts one byte
	python3 - "$1" "$2" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xff]))
EOF
}
PAGES=$(( $(stat -c %s "$V/hearth.db") / 4096 ))
[ "$PAGES" -ge 3 ] || fail "hearth.db has only $PAGES pages"
cp -a "$V" "$T/dmg1"; flip "$T/dmg1/hearth.db" 2000
before "$T/dmg1"
run --vault "$T/dmg1" person list; expect_rc 1
expect_msg "vault damaged: page 1 failed authentication"
unchanged "$T/dmg1"
# Every page but the first: whichever page is read first is named.
cp -a "$V" "$T/dmg2"
for ((p = 1; p < PAGES; p++)); do flip "$T/dmg2/hearth.db" $((p * 4096 + 1000)); done
before "$T/dmg2"
run --vault "$T/dmg2" person list; expect_rc 1
grep -qE '^hearth: vault damaged: page ([2-9]|[1-9][0-9]+) failed authentication$' "$T/err" ||
	fail "no damaged page named"
unchanged "$T/dmg2"

# ---------------------------------------------------------------- passwd
step "passwd"
NEW='new passphrase 新密码'
before "$V"
HEARTH_NEW_PASSPHRASE='short' run passwd; expect_rc 1; expect_err "too short"
HEARTH_PASSPHRASE=wrongwrong HEARTH_NEW_PASSPHRASE=$NEW run passwd; expect_rc 1
expect_msg "wrong passphrase"
unchanged "$V"
HEARTH_NEW_PASSPHRASE=$NEW run passwd; expect_ok; expect_out "Passphrase changed."
run person list; expect_rc 1; expect_msg "wrong passphrase"
HEARTH_PASSPHRASE=$NEW run person list --json; expect_ok
cmp -s "$T/out" "$T/list-before.json" || fail "records differ after passwd"
printf '%s\n' "$PASS" >"$T/newpass"
HEARTH_PASSPHRASE=$NEW run passwd --new-passphrase-file "$T/newpass"; expect_ok
run person list; expect_ok

# ---------------------------------------------------------------- recover
step "recover"
NEW2='recovered 恢复后的密码'
before "$V"
HEARTH_NEW_PASSPHRASE=$NEW2 run recover --code 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA'
expect_rc 1; expect_msg "wrong recovery code"
HEARTH_NEW_PASSPHRASE=$NEW2 run recover --code 'not-a-code'; expect_rc 1
expect_err "recovery code"
HEARTH_NEW_PASSPHRASE=short run recover --code "$CODE"; expect_rc 1; expect_err "too short"
unchanged "$V"
HEARTH_NEW_PASSPHRASE=$NEW2 run recover --code "$CODE"; expect_ok
# The used code is replaced: a new one is shown once, as at init.
expect_out "The recovery code you used no longer works."
expect_out "New recovery code (shown only this once):"; expect_out "Write it down"
export CODE2; CODE2=$(grep -Eo '[A-Z0-9]{4}(-[A-Z0-9]{4}){7}' "$T/out" | head -n 1)
[ -n "$CODE2" ] || fail "no new recovery code printed"
[ "$CODE2" != "$CODE" ] || fail "recover printed the code it was given"
if grep -qF "$CODE2" "$V/vault.json"; then fail "new recovery code stored in clear"; fi
run person list; expect_rc 1; expect_msg "wrong passphrase"
HEARTH_PASSPHRASE=$NEW2 run --json person list; expect_ok
cmp -s "$T/out" "$T/list-before.json" || fail "records differ after recover"
# The old code no longer works, and changes nothing.
before "$V"
HEARTH_NEW_PASSPHRASE=$PASS run recover --code "$CODE"; expect_rc 1
expect_msg "wrong recovery code"
unchanged "$V"
# Case, spaces and dashes in the code do not matter.
LOOSE=$(echo "$CODE2" | tr 'A-Z-' 'a-z ')
HEARTH_NEW_PASSPHRASE=$PASS run --json recover --code "$LOOSE"; expect_ok
json 'j["changed"] and len(j["recovery_code"]) == 39 and j["recovery_code"] != e["CODE2"]'
run person list; expect_ok

# ---------------------------------------------------------------- zh_CN
step "zh_CN messages"
HEARTH_PASSPHRASE=wrongwrong LANGUAGE=zh_CN run person list; expect_rc 1
expect_msg "密码错误"
HEARTH_PASSPHRASE=wrongwrong LANGUAGE='' LC_ALL='' LANG=zh_CN.UTF-8 run person list
expect_rc 1; expect_msg "密码错误"
# A zh_CN locale the system does not have still gives Chinese.
HEARTH_PASSPHRASE=wrongwrong LANGUAGE='' LC_ALL='' LANG=zh_CN.GB18030-missing run person list
expect_rc 1; expect_msg "密码错误"
run --lang zh_CN person list; expect_ok; expect_out "姓名"; expect_out "单位"
run person list --lang zh_CN; expect_ok; expect_out "姓名"
LANGUAGE=zh_CN run person list --lang en; expect_ok; expect_out "Name"
LANGUAGE=zh_CN run person add; expect_rc 2; expect_msg "缺少 --name"
expect_err '请运行“hearth person add --help”查看用法。'
LANGUAGE=zh_CN run person show "$ID1"; expect_ok; expect_out "姓名："
LANGUAGE=zh_CN run --help; expect_ok; expect_out "用法："

echo "all cli tests passed"
