#!/bin/sh
# Lesson packs end to end: `kbridge pack validate` on the fixture pack (three lessons
# whose checks use builds, boots, command output and KUnit/KTAP) and on the pack that
# `kbridge pack new` makes; then `kbridge check` on the kept workspaces in every format.
# Real Kbuild, the real course kernel, real QEMU.
. "$(dirname "$0")/../lib.sh"
PACKS=$(cd "$(dirname "$0")/../fixtures/packs" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

t_begin "pack validate: the fixture pack (build + boot + output + KTAP) is sound"
TMPDIR="$T_TMP" "$KBRIDGE" pack validate --keep "$PACKS/history" > "$T_TMP/history.out" 2>&1
expect_status 0 $?
for t in rust-hello/greet kunit-add/overflow c-calls-rust/answer; do
	expect_contains "$T_TMP/history.out" "ok   $t: the check fails on the starter"
	expect_contains "$T_TMP/history.out" "ok   $t: the starter builds"
	expect_contains "$T_TMP/history.out" "ok   $t: the check passes on the solution"
done
expect_contains "$T_TMP/history.out" "ok   c-calls-rust: quiz abi has a right answer (choices 1, 2 of 4)"
expect_contains "$T_TMP/history.out" "ok   kunit-add/overflow: 2 file(s), starter made from TODO markers"
expect_contains "$T_TMP/history.out" "24 passed, 0 failed"
t_end
WS=$(sed -n 's/.*the workspaces are kept in //p' "$T_TMP/history.out")

# Tasks side by side (-j): the same findings in the same order as one by one, and a task
# whose solution fails its check is reported at its place even when a task before it is
# still building and booting.
t_begin "pack validate -j 3 prints what -j 1 prints, in the pack's order, a failing task at its place"
TMPDIR="$T_TMP" "$KBRIDGE" pack validate -j 1 "$PACKS/side" > "$T_TMP/side1.out" 2>&1
expect_status 1 $?
TMPDIR="$T_TMP" "$KBRIDGE" pack validate --jobs 3 "$PACKS/side" > "$T_TMP/side3.out" 2>&1
expect_status 1 $?
for n in 1 3; do   # the times differ from run to run, nothing else may
	sed -e 's/, [0-9.]* s)$/)/' -e 's/loaded in [0-9.]* ms$/loaded/' "$T_TMP/side$n.out" > "$T_TMP/side$n.txt"
done
cmp -s "$T_TMP/side1.txt" "$T_TMP/side3.txt" ||
	t_fail "-j 3 printed otherwise than -j 1: $(diff "$T_TMP/side1.txt" "$T_TMP/side3.txt" | head -20)"
expect_contains "$T_TMP/side3.out" "21 passed, 1 failed"
# the findings in the pack's order, the failing one between the lessons around it
grep -n '^ok   built/ready: the check passes on the solution\|^FAIL broken/note: the check passes on the solution\|^       \[NOT MET\] the note contains\|^ok   last: lesson.lua loads\|^ok   last/done: the check passes on the solution' \
	"$T_TMP/side3.out" | cut -d: -f2- | cut -c1-40 > "$T_TMP/side-order.txt"
printf '%s\n' "ok   built/ready: the check passes on th" "FAIL broken/note: the check passes on th" \
	"       [NOT MET] the note contains \"a li" "ok   last: lesson.lua loads" "ok   last/done: the check passes on the " \
	> "$T_TMP/side-want.txt"
cmp -s "$T_TMP/side-order.txt" "$T_TMP/side-want.txt" ||
	t_fail "out of the pack's order: $(cat "$T_TMP/side-order.txt")"
[ "$(grep -c '^FAIL' "$T_TMP/side3.out")" = 1 ] || t_fail "not exactly one FAIL: $(grep '^FAIL' "$T_TMP/side3.out")"
"$KBRIDGE" pack validate -j 0 "$PACKS/side" > "$T_TMP/side0.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/side0.out" "-j takes a number of tasks at once"
t_end

# Each run's time is kept in KBRIDGE_HOME/validate.times (the order of the next -j run
# comes from it): a line for every run of the pack, the lines of other packs kept, those of
# a pack folder that is gone dropped.
t_begin "pack validate keeps each run's time in validate.times, and drops the lines of packs gone"
if [ -n "$KBRIDGE_HOME" ]; then H=$KBRIDGE_HOME; else H=${XDG_DATA_HOME:-$HOME/.local/share}/kbridge; fi
TIMES="$H/validate.times"
printf '1.50\t%s\tother/kept\tstarter\n9.00\t%s\tgone/dropped\tsolution\n' "$PACKS/history" "$T_TMP/no-such-pack" >> "$TIMES"
TMPDIR="$T_TMP" "$KBRIDGE" pack validate -j 2 "$PACKS/side" > "$T_TMP/side2.out" 2>&1
expect_status 1 $?
SIDE=$(cd "$PACKS/side" && pwd -P)
for run in built/ready broken/note last/done; do
	for part in starter solution; do
		grep -q "^[0-9][0-9.]*	$SIDE	$run	$part\$" "$TIMES" || t_fail "no time for $run on the $part in $TIMES"
	done
done
expect_contains "$TIMES" "$PACKS/history	other/kept	starter"
expect_not_contains "$TIMES" "gone/dropped"
grep -v "	other/kept	" "$TIMES" > "$T_TMP/times" && cat "$T_TMP/times" > "$TIMES"
t_end

t_begin "pack validate: the starters made from TODO markers"
S="$WS/kunit-add-overflow-starter/linux/samples/kbridge/kunit_add/kb_add.c"
expect_contains "$S" "	// TODO: return -EOVERFLOW when a + b does not fit in an int"
expect_contains "$S" "	*sum = a + b;"
expect_not_contains "$S" "check_add_overflow"
expect_not_contains "$S" "TODO-"
K="$WS/rust-hello-greet-starter/linux/samples/kbridge/hello/Kbuild"
expect_contains "$K" "# TODO: build hello_rust.rs as a module"
expect_not_contains "$K" "obj-m"
expect_not_contains "$WS/kunit-add-overflow-solution/linux/samples/kbridge/kunit_add/kb_add.c" "TODO"
t_end

t_begin "check --all, text: each expectation met or not, with what was seen and where to look"
"$KBRIDGE" check --all --pack "$PACKS/history" --workspace "$WS/kunit-add-overflow-starter/linux" > "$T_TMP/text.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/text.out" "FAIL  kunit-add/overflow"
expect_contains "$T_TMP/text.out" "[met]     the module in samples/kbridge/kunit_add builds with Kbuild"
expect_contains "$T_TMP/text.out" "[NOT MET] the KUnit suite 'kb_add' runs and passes"
expect_contains "$T_TMP/text.out" "not ok kb_add.kb_add_overflow"
expect_contains "$T_TMP/text.out" "EXPECTATION FAILED at"
expect_contains "$T_TMP/text.out" "look at: samples/kbridge/kunit_add/kb_add.c: kb_add()"
expect_contains "$T_TMP/text.out" "samples/kbridge/hello: no such folder in your workspace"
expect_contains "$T_TMP/text.out" "KUnit: 1 passed, 1 failed, 0 skipped"
expect_contains "$T_TMP/text.out" "0 passed, 3 failed"
t_end

t_begin "check LESSON/TASK on a solution passes with exit status 0"
"$KBRIDGE" check c-calls-rust/answer --pack "$PACKS/history" --workspace "$WS/c-calls-rust-answer-solution/linux" > "$T_TMP/pass.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/pass.out" "PASS  c-calls-rust/answer"
expect_contains "$T_TMP/pass.out" "[met]     /sys/module/mixed/parameters/answer reads 42"
expect_contains "$T_TMP/pass.out" "1 passed, 0 failed"
t_end

# One workspace with the solution of one lesson and the starter of another, so the
# machine formats carry a pass, a fail and a lesson error all at once.
MIX="$T_TMP/mixed/linux"
mkdir -p "$MIX"
cp -r "$WS/c-calls-rust-answer-solution/linux/samples" "$MIX/"
cp -r "$WS/kunit-add-overflow-starter/linux/samples/kbridge/kunit_add" "$MIX/samples/kbridge/"
cp -r "$PACKS/history" "$T_TMP/pack"
printf 'lesson {\n  id = "rust-hello",\n  title = 42,\n}\n' > "$T_TMP/pack/rust-hello/lesson.lua"

t_begin "check --format junit: XML a CI system accepts"
"$KBRIDGE" check --all --format junit --pack "$T_TMP/pack" --workspace "$MIX" > "$T_TMP/junit.xml" 2>"$T_TMP/junit.err"
expect_status 1 $?
python3 - "$T_TMP/junit.xml" > "$T_TMP/junit.py" 2>&1 <<'PY' || t_fail "the JUnit XML is not what CI expects: $(cat "$T_TMP/junit.py")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("errors") == "1", root.attrib
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == ["history.rust-hello", "history.kunit-add", "history.c-calls-rust"], suites
cases = root.findall("testsuite/testcase")
assert [c.get("name") for c in cases] == ["load", "overflow", "answer"]
err = cases[0].find("error")
assert err is not None and "rust-hello/lesson.lua:1: lesson.title must be a string" in err.get("message"), err.attrib
fail = cases[1].find("failure")
assert fail is not None and "not ok kb_add.kb_add_overflow" in fail.text
assert "KUnit: 1 passed" in cases[1].find("system-out").text
assert cases[2].find("failure") is None and cases[2].find("error") is None
for c in cases:
    float(c.get("time"))
print("junit ok")
PY
t_end

t_begin "check --format tap: TAP version 13 with YAML diagnostics"
"$KBRIDGE" check --all --format tap --pack "$T_TMP/pack" --workspace "$MIX" > "$T_TMP/tap.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/tap.out" "TAP version 13"
expect_contains "$T_TMP/tap.out" "1..3"
expect_contains "$T_TMP/tap.out" "not ok 1 - rust-hello/load"
expect_contains "$T_TMP/tap.out" "not ok 2 - kunit-add/overflow"
expect_contains "$T_TMP/tap.out" "ok 3 - c-calls-rust/answer"
expect_contains "$T_TMP/tap.out" '    - expected: "the KUnit suite '"'"'kb_add'"'"' runs and passes"'
expect_contains "$T_TMP/tap.out" "      met: false"
python3 - "$T_TMP/tap.out" > "$T_TMP/tap.py" 2>&1 <<'PY' || t_fail "TAP YAML blocks do not parse: $(cat "$T_TMP/tap.py")"
import sys, json, re
# each YAML block ("  ---" .. "  ...") uses only "key: scalar" and "- key:" lines whose
# scalars are JSON-compatible double-quoted strings, numbers or booleans
block = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line == "  ---": block = []; continue
    if line == "  ...": block = None; continue
    if block is None: continue
    m = re.match(r'^ +(?:- )?([a-z_]+):(?: (.*))?$', line)
    assert m, line
    v = m.group(2)
    if v is not None: json.loads(v)
print("tap ok")
PY
t_end

t_begin "check --format json: the documented shape"
"$KBRIDGE" check --all --format json --pack "$T_TMP/pack" --workspace "$MIX" > "$T_TMP/out.json" 2>&1
expect_status 1 $?
python3 - "$T_TMP/out.json" > "$T_TMP/json.py" 2>&1 <<'PY' || t_fail "JSON shape: $(cat "$T_TMP/json.py")"
import sys, json
d = json.load(open(sys.argv[1]))
assert d["pack"]["name"] == "history" and d["pack"]["kernel"] == "6.12"
assert d["summary"] == {"total": 3, "passed": 1, "failed": 1, "errors": 1}, d["summary"]
r = {x["id"]: x for x in d["results"]}
assert r["rust-hello/load"]["verdict"] == "error"
assert r["kunit-add/overflow"]["verdict"] == "fail"
e = [x for x in r["kunit-add/overflow"]["expectations"] if not x["met"]]
assert len(e) == 1 and "kb_add_overflow" in e[0]["seen"] and e[0]["line"] > 0
ok = r["c-calls-rust/answer"]
assert ok["verdict"] == "pass" and ok["boots"] == 1
# where the time went: builds, boots, the lab queue, finding the kernel and probing its
# toolchain, and the check's own Lua; the parts add up to the whole
for k in ("build_seconds", "boot_seconds", "queue_seconds", "setup_seconds", "lua_seconds"):
    assert ok[k] >= 0, (k, ok[k])
assert ok["setup_seconds"] > 0, ok
parts = sum(ok[k] for k in ("build_seconds", "boot_seconds", "queue_seconds", "setup_seconds", "lua_seconds"))
assert abs(parts - ok["elapsed"]) < 0.01, (parts, ok["elapsed"])
print("json ok")
PY
t_end

t_begin "pack new makes a pack whose example task fails on its starter and passes on its solution"
"$KBRIDGE" pack new "$T_TMP/newpack" > "$T_TMP/new.out" 2>&1
expect_status 0 $?
TMPDIR="$T_TMP" "$KBRIDGE" pack validate "$T_TMP/newpack" > "$T_TMP/newval.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/newval.out" "ok   hello/greet: the check fails on the starter"
expect_contains "$T_TMP/newval.out" "ok   hello/greet: the check passes on the solution"
expect_contains "$T_TMP/newval.out" "9 passed, 0 failed"
"$KBRIDGE" pack new "$T_TMP/newpack" > "$T_TMP/new2.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/new2.out" "already exists and is not empty"
t_end

# A pack whose check draws its inputs from math.random and fails: its seed is printed in
# every format, and --seed replays exactly the same inputs and verdict.
mkdir -p "$T_TMP/seedpack/draw/solution/kbridge" "$T_TMP/seedws/kbridge"
echo "a note" > "$T_TMP/seedpack/draw/solution/kbridge/note.txt"
echo "a note" > "$T_TMP/seedws/kbridge/note.txt"
cat > "$T_TMP/seedpack/pack.lua" <<'LUA'
pack { name = "seeds", version = "1", kernel = "6.12", lessons = { "draw" } }
LUA
cat > "$T_TMP/seedpack/draw/lesson.lua" <<'LUA'
lesson {
  id = "draw", title = "inputs from one seed",
  history = { year = 2026, milestone = "replayable checks", source = "kbridge tests" },
  steps = { task {
    id = "t", goal = "fail on inputs the check chose", files = { "kbridge/note.txt" }, hints = { "none" },
    check = function(kb)
      local a, b, c = math.random(1, 1000000), math.random(1, 1000000), math.random()
      print(string.format("inputs %d %d %.12f", a, b, c))
      kb.expect(false, "an input the learner cannot know: " .. a)
    end,
  } },
}
LUA
seedcheck() {   # seedcheck OUT [ARGS...]
	_out=$1
	shift
	"$KBRIDGE" check draw --pack "$T_TMP/seedpack" --workspace "$T_TMP/seedws" "$@" > "$_out" 2>&1
}

t_begin "a failed check names its seed in text, JSON, JUnit and TAP"
seedcheck "$T_TMP/seed.txt"
expect_status 1 $?
seed=$(sed -n 's/^  seed: \([0-9]*\) (the same inputs again: kbridge check draw\/t --seed [0-9]*)$/\1/p' "$T_TMP/seed.txt")
[ -n "$seed" ] || t_fail "no seed line in the text report: $(cat "$T_TMP/seed.txt")"
seedcheck "$T_TMP/seed.json" --format json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; assert isinstance(r["seed"], int) and r["seed"] >= 0, r' \
	"$T_TMP/seed.json" 2> "$T_TMP/seedjson.err" || t_fail "JSON has no seed: $(cat "$T_TMP/seedjson.err")"
seedcheck "$T_TMP/seed.xml" --format junit
expect_contains "$T_TMP/seed.xml" "(seed "
expect_contains "$T_TMP/seed.xml" "--seed "
seedcheck "$T_TMP/seed.tap" --format tap
grep -qE '^  seed: [0-9]+$' "$T_TMP/seed.tap" || t_fail "TAP has no seed"
t_end

t_begin "check --seed N twice: the same inputs and the same verdict; another seed draws others"
seedcheck "$T_TMP/replay1.txt" --seed "${seed:-42}"
st1=$?
seedcheck "$T_TMP/replay2.txt" --seed "${seed:-42}"
st2=$?
[ $st1 -eq 1 ] && [ $st2 -eq 1 ] || t_fail "verdicts $st1 and $st2, not 1 and 1"
in1=$(grep '^    inputs ' "$T_TMP/replay1.txt")
in2=$(grep '^    inputs ' "$T_TMP/replay2.txt")
in0=$(grep '^    inputs ' "$T_TMP/seed.txt")
[ -n "$in1" ] && [ "$in1" = "$in2" ] || t_fail "a replay drew other inputs: '$in1' then '$in2'"
[ "$in1" = "$in0" ] || t_fail "--seed $seed did not replay the first run: '$in0' then '$in1'"
expect_contains "$T_TMP/replay1.txt" "  seed: ${seed:-42} "
seedcheck "$T_TMP/other.txt" --seed 7
[ "$(grep '^    inputs ' "$T_TMP/other.txt")" != "$in1" ] || t_fail "seed 7 drew the same inputs as seed $seed"
seedcheck "$T_TMP/bad.txt" --seed -3
expect_status 2 $?
expect_contains "$T_TMP/bad.txt" "--seed takes the number a check printed"
t_end

# The kb API an instructor asked for: kb.ktap_case, expect_ktap's expect_fail (a test that
# must catch a wrong build), kb.boot's params, and options refused by name when unknown.
mkdir -p "$T_TMP/apipack/api/solution/samples/kbridge/parm"
cp -r "$WS/kunit-add-overflow-solution/linux/samples/kbridge/kunit_add" "$T_TMP/apipack/api/solution/samples/kbridge/"
cat > "$T_TMP/apipack/api/solution/samples/kbridge/parm/parm.c" <<'C'
#include <linux/module.h>
static int n;
module_param(n, int, 0444);
static int __init parm_init(void) { pr_info("parm: n=%d\n", n); return 0; }
static void __exit parm_exit(void) { }
module_init(parm_init);
module_exit(parm_exit);
MODULE_LICENSE("GPL");
C
echo 'obj-m := parm.o' > "$T_TMP/apipack/api/solution/samples/kbridge/parm/Kbuild"
cat > "$T_TMP/apipack/pack.lua" <<'LUA'
pack { name = "api", version = "1", kernel = "6.12", lessons = { "api" } }
LUA
cat > "$T_TMP/apipack/api/lesson.lua" <<'LUA'
local files = { "samples/kbridge/kunit_add/kb_add.c", "samples/kbridge/kunit_add/Kbuild",
                "samples/kbridge/parm/parm.c", "samples/kbridge/parm/Kbuild" }
lesson {
  id = "api", title = "the kb API",
  history = { year = 2026, milestone = "instructors", source = "kbridge tests" },
  steps = {
    task {
      id = "catch", goal = "the suite catches the overflow bug", files = files, hints = { "none" },
      learner = { "samples/kbridge/kunit_add/kb_add.c" },   -- the test swaps in a wrong one
      check = function(kb)
        local r = kb.boot { modules = kb.build("samples/kbridge/kunit_add") }
        local k = kb.ktap(r)
        local a, b = kb.ktap_case(k, "kb_add", "kb_add_overflow"), kb.ktap_case(r, "kb_add", "kb_add_overflow")
        print("cases " .. (a and a.result or "nil") .. " " .. (b and b.result or "nil") .. " "
              .. tostring(kb.ktap_case(k, "kb_add", "no_such_case")))
        kb.expect_ktap(r, "kb_add", { expect_fail = { "kb_add_overflow" } })
      end,
    },
    task {
      id = "params", goal = "module parameters", files = files, hints = { "none" },
      check = function(kb)
        local n = math.random(1000, 9999)
        local r = kb.boot { modules = kb.build("samples/kbridge/parm"), params = { ["parm.ko"] = "n=" .. n } }
        kb.expect_log(r, "parm: n=" .. n)
        local ok, err = pcall(kb.boot, { modules = {}, params = { ["parm.ko"] = "n=1; reboot" } })
        kb.expect(not ok and tostring(err):find("params names parm.ko", 1, true) ~= nil,
                  "params for a module not in the boot are refused", { seen = tostring(err) })
      end,
    },
    task {
      id = "typo", goal = "a misspelt option", files = files, hints = { "none" },
      check = function(kb)
        kb.build("samples/kbridge/parm", { timout = 5 })
      end,
    },
  },
}
LUA
"$KBRIDGE" pack export "$T_TMP/apipack" api "$T_TMP/apiws" > /dev/null 2>&1 || true
apicheck() {   # apicheck ID OUT
	"$KBRIDGE" check "$1" --pack "$T_TMP/apipack" --workspace "$T_TMP/apiws" > "$2" 2>&1
}

t_begin "kb.ktap_case finds a case from kb.ktap's table or the boot; expect_fail: a wrong build the test catches passes"
cp "$WS/kunit-add-overflow-starter/linux/samples/kbridge/kunit_add/kb_add.c" "$T_TMP/apiws/samples/kbridge/kunit_add/kb_add.c"
apicheck api/catch "$T_TMP/catch-wrong.out"
expect_status 0 $?
expect_contains "$T_TMP/catch-wrong.out" "[met]     the KUnit suite 'kb_add' catches the wrong build: kb_add_overflow fails, the other cases pass"
expect_contains "$T_TMP/catch-wrong.out" "cases fail fail nil"
t_end

t_begin "expect_fail on a build the test cannot tell from a right one: not met, and why"
cp "$WS/kunit-add-overflow-solution/linux/samples/kbridge/kunit_add/kb_add.c" "$T_TMP/apiws/samples/kbridge/kunit_add/kb_add.c"
apicheck api/catch "$T_TMP/catch-right.out"
expect_status 1 $?
expect_contains "$T_TMP/catch-right.out" "kb_add_overflow passed on this build, which is wrong on purpose"
expect_contains "$T_TMP/catch-right.out" "cases ok ok nil"
t_end

t_begin "kb.boot params: the module gets them on its insmod line; params for a module not booted are refused"
apicheck api/params "$T_TMP/params.out"
expect_status 0 $?
expect_contains "$T_TMP/params.out" "PASS  api/params"
t_end

t_begin "an unknown option is refused by name, with the options there are"
apicheck api/typo "$T_TMP/typo.out"
expect_status 1 $?
expect_contains "$T_TMP/typo.out" "kb.build: unknown option 'timout' (its options: timeout, vars, clean, debug, replace)"
expect_contains "$T_TMP/typo.out" "api/lesson.lua:"
t_end

# scripts/check-fixtures.sh: an instructor's kept solutions, as patches with reasons
t_begin "check-fixtures.sh: an alternative passes, a wrong solution fails for its reason; a wrong reason is caught"
mkdir -p "$T_TMP/fx-alt" "$T_TMP/fx-wrong"
"$KBRIDGE" pack export "$PACKS/history" c-calls-rust "$T_TMP/fx-alt" > /dev/null 2>&1
"$KBRIDGE" pack export "$PACKS/history" c-calls-rust "$T_TMP/fx-wrong" > /dev/null 2>&1
sed -i 's|/// Adds two numbers for C.|/// The sum, for C (written otherwise).|' "$T_TMP/fx-alt/samples/kbridge/mixed/rpart.rs"
sed -i 's/a + b/a - b/' "$T_TMP/fx-wrong/samples/kbridge/mixed/rpart.rs"
mkdir -p "$T_TMP/fx/c-calls-rust"
"$ROOT/scripts/fixture-patch.sh" "$PACKS/history" c-calls-rust "$T_TMP/fx-alt" > "$T_TMP/fx/c-calls-rust/alt.patch"
"$KBRIDGE" check c-calls-rust --pack "$PACKS/history" --workspace "$T_TMP/fx-wrong" > /dev/null 2>&1
"$ROOT/scripts/fixture-patch.sh" "$PACKS/history" c-calls-rust "$T_TMP/fx-wrong" > "$T_TMP/fx/c-calls-rust/wrong-sub.patch"
grep -q '\.ko\|\.o\b\|Module.symvers' "$T_TMP/fx/c-calls-rust/wrong-sub.patch" && t_fail "the patch holds build outputs"
printf 'wrong-sub\t[NOT MET] /sys/module/mixed/parameters/answer reads 42\n' > "$T_TMP/fx/c-calls-rust/reasons"
"$ROOT/scripts/check-fixtures.sh" "$PACKS/history" "$T_TMP/fx" > "$T_TMP/fx.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/fx.out" "ok - c-calls-rust/alt passes"
expect_contains "$T_TMP/fx.out" "ok - c-calls-rust/wrong-sub fails for its reason"
expect_contains "$T_TMP/fx.out" "3 passed, 0 failed"
printf 'wrong-sub\tthe module prints a poem\n' > "$T_TMP/fx/c-calls-rust/reasons"
"$ROOT/scripts/check-fixtures.sh" "$PACKS/history" "$T_TMP/fx" > "$T_TMP/fx2.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/fx2.out" "not ok - c-calls-rust/wrong-sub does not say: the module prints a poem"
t_end

t_finish
