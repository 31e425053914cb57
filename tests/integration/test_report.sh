#!/bin/sh
# kbridge report: three learners with known histories, the exact table and summary in CSV
# and Markdown, the files -o writes, and workspaces that are missing or damaged. Then the
# check reports (every format) and pack validate in Chinese against English.
#
# ana's history is made by kbridge itself in a real workspace (a clone of the bundled
# kernel tree): start, check, hint, solution --reveal and check again on the lessons of
# a small fixture pack whose checks only read a text file (no build, no boot). Creating
# a workspace clones the 86,691-file tree (25-45 s), so ben and cleo are hand-written
# progress.json files in plain folders: what an instructor receives when learners hand
# in their progress.json, and how numbers a command-line history cannot make (time
# spent, which only the shell counts; a lesson no longer in the pack) get in.
. "$(dirname "$0")/../lib.sh"
PACK=$(cd "$(dirname "$0")/../fixtures/packs/report" && pwd)
C="$T_TMP/class"
ANA="$C/ana"
# ana's commands run at known times (libfaketime, the clock frozen at the time given;
# file times and the monotonic clock kbridge times children with stay real): time spent
# is the gaps between a learner's commands on a lesson, each up to 15 minutes
kb_ana() {
	_at=$1
	shift
	NO_FAKE_STAT=1 FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "2030-01-07 $_at" "$KBRIDGE" "$@" --pack "$PACK" --workspace "$ANA"
}
report() { "$KBRIDGE" report --pack "$PACK" "$@"; }
crlf() { sed 's/$/\r/'; }
# same FILE WANT: the file is exactly WANT, or the test fails showing the difference
same() {
	if ! cmp -s "$1" "$2"; then
		t_fail "$(basename "$1") is not as expected (- expected, + got):"
		diff -u "$2" "$1" | sed 's/\r$/<CR>/; s/^/    | /' | head -40
	fi
}

t_begin "ana's history is made by kbridge: start, check, hints, pass, reveal"
start=$(date +%s)
kb_ana 10:00:00 start greet > "$T_TMP/start.out" 2>&1
expect_status 0 $?
echo "    (workspace created and lesson started in $(( $(date +%s) - start )) s)"
kb_ana 10:04:00 check greet > "$T_TMP/c1.out" 2>&1
expect_status 1 $?
kb_ana 10:05:00 hint greet > /dev/null 2>&1
kb_ana 10:06:00 hint greet > "$T_TMP/h2.out" 2>&1
expect_contains "$T_TMP/h2.out" "Hint 2 of 2"
kb_ana 10:10:00 check greet > "$T_TMP/c2.out" 2>&1
expect_status 1 $?
printf 'Hello, class\n' > "$ANA/linux/kbridge/report/greet.txt"
kb_ana 10:30:00 check greet > "$T_TMP/c3.out" 2>&1
expect_status 0 $?
kb_ana 10:31:00 start answer > /dev/null 2>&1
expect_status 0 $?
kb_ana 10:32:00 solution answer --reveal > "$T_TMP/sol.out" 2>&1
expect_status 0 $?
kb_ana 10:40:00 check answer > "$T_TMP/c4.out" 2>&1
expect_status 1 $?
[ "$(git -C "$ANA/linux" log --format=%s | grep -c '^pass greet$')" = 1 ] || t_fail "no 'pass greet' commit"
expect_contains "$ANA/progress.json" '"solution_revealed":	true'
t_end

# ben: greet at once; answer after 4 checks and both hints; farewell not yet; and a lesson
# the pack no longer has. cleo: greet on the second check; answer revealed and not passed.
mkdir -p "$C/ben" "$C/cleo"
cat > "$C/ben/progress.json" <<'EOF'
{ "version": 1, "pack": "report", "current": "farewell",
  "lessons": {
    "greet":      { "passed": true,  "attempts": 1, "hints": 0, "solution_revealed": false, "seconds": 300 },
    "answer":     { "passed": true,  "attempts": 4, "hints": 2, "solution_revealed": false, "seconds": 1200.4 },
    "farewell":   { "passed": false, "attempts": 2, "hints": 1, "solution_revealed": false, "seconds": 600 },
    "old-lesson": { "passed": true,  "attempts": 9, "hints": 0, "solution_revealed": false, "seconds": 50 } } }
EOF
cat > "$C/cleo/progress.json" <<'EOF'
{ "version": 1, "pack": "report", "current": "answer",
  "lessons": {
    "greet":  { "passed": true,  "attempts": 2, "hints": 1, "solution_revealed": false, "seconds": 724 },
    "answer": { "passed": false, "attempts": 3, "hints": 2, "solution_revealed": true,  "seconds": 900 } } }
EOF

# The expected numbers, worked out by hand:
#   ana       greet: start 10:00, check 10:04 (+240), hints 10:05 and 10:06 (+60 +60),
#             check 10:10 (+240), check 10:30 (20 min: +900, the most a gap counts) = 1500 s;
#             answer: start 10:31, reveal 10:32 (not counted), check 10:40 (+540) = 540 s
#   greet     passed by all 3; attempts 3 (ana), 1, 2 -> median 2; time 1500, 300, 724
#             -> median 724 s = 12m 04s
#   answer    passed by ben only; attempts 1, 4, 3 -> median 3; time 540, 1200.4 -> 1200,
#             900 -> median 900 s = 15m 00s; revealed by ana and cleo; ana and cleo still
#             trying (2: the most of any lesson) -> stuck
#   farewell  ben alone tried it: 2 attempts, 600 s = 10m 00s, not passed; 1 still trying
crlf > "$T_TMP/want.csv" <<'EOF'
learner,lesson,passed,attempts,hints,solution_revealed,seconds
ana,greet,yes,3,2,no,1500
ana,answer,no,1,0,yes,540
ana,farewell,no,0,0,no,0
ben,greet,yes,1,0,no,300
ben,answer,yes,4,2,no,1200
ben,farewell,no,2,1,no,600
cleo,greet,yes,2,1,no,724
cleo,answer,no,3,2,yes,900
cleo,farewell,no,0,0,no,0
EOF
crlf > "$T_TMP/want-summary.csv" <<'EOF'
lesson,passed,learners,attempted,median_attempts,median_seconds,revealed,still_trying,stuck
greet,3,3,3,2,724,0,0,no
answer,1,3,3,3,900,2,2,yes
farewell,0,3,1,2,600,0,1,no
EOF
cat > "$T_TMP/want.md" <<'EOF'
# Class report: Report test

3 learners, 3 lessons.

| learner | lesson | passed | attempts | hints | solution revealed | time (s) | time |
|---|---|---|---:|---:|---|---:|---:|
| ana | greet | yes | 3 | 2 | no | 1500 | 25m 00s |
| ana | answer | no | 1 | 0 | yes | 540 | 9m 00s |
| ana | farewell | no | 0 | 0 | no | 0 | 0s |
| ben | greet | yes | 1 | 0 | no | 300 | 5m 00s |
| ben | answer | yes | 4 | 2 | no | 1200 | 20m 00s |
| ben | farewell | no | 2 | 1 | no | 600 | 10m 00s |
| cleo | greet | yes | 2 | 1 | no | 724 | 12m 04s |
| cleo | answer | no | 3 | 2 | yes | 900 | 15m 00s |
| cleo | farewell | no | 0 | 0 | no | 0 | 0s |

## Per lesson

| lesson | passed | attempted | median attempts | median time | revealed | still trying | stuck |
|---|---:|---:|---:|---:|---:|---:|---|
| greet | 3/3 | 3 | 2 | 12m 04s | 0 | 0 |  |
| answer | 1/3 | 3 | 3 | 15m 00s | 2 | 2 | **yes** |
| farewell | 0/3 | 1 | 2 | 10m 00s | 0 | 1 |  |

Attempted: ran at least one check. Still trying: attempted, not passed. Median attempts: over the learners who attempted. Median time: over the learners with time recorded (the shell counts the time its screens are open, the commands the gaps between them, each up to 15 minutes). With an even count a median is the mean of the two middle values. Stuck: the lesson(s) with the most learners still trying; ties go to the higher median attempts.
EOF

t_begin "CSV: the lesson x learner table, exactly"
md5sum "$ANA/progress.json" "$C/ben/progress.json" "$C/cleo/progress.json" > "$T_TMP/before.md5"
report "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/got.csv" 2> "$T_TMP/got.err"
expect_status 0 $?
same "$T_TMP/got.csv" "$T_TMP/want.csv"
expect_contains "$T_TMP/got.err" "note: $C/ben: lesson not in the pack 'report', left out: old-lesson"
[ "$(wc -l < "$T_TMP/got.err")" -eq 1 ] || t_fail "more on stderr than the note: $(cat "$T_TMP/got.err")"
md5sum -c --quiet "$T_TMP/before.md5" || t_fail "report changed a progress.json"
t_end

t_begin "CSV: the per-lesson summary, exactly (--summary-only)"
report --summary-only "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/got-summary.csv" 2>/dev/null
expect_status 0 $?
same "$T_TMP/got-summary.csv" "$T_TMP/want-summary.csv"
t_end

t_begin "Markdown: table and summary, exactly"
report --format markdown "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/got.md" 2>/dev/null
expect_status 0 $?
same "$T_TMP/got.md" "$T_TMP/want.md"
report --format markdown --summary-only "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/got-sum.md" 2>/dev/null
expect_status 0 $?
expect_not_contains "$T_TMP/got-sum.md" "| ana |"
expect_contains "$T_TMP/got-sum.md" "| answer | 1/3 | 3 | 3 | 15m 00s | 2 | 2 | **yes** |"
t_end

t_begin "-o FILE.csv writes the table there and the summary in FILE-summary.csv"
mkdir -p "$T_TMP/out"
report -o "$T_TMP/out/class.csv" "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/o.out" 2> "$T_TMP/o.err"
expect_status 0 $?
[ -s "$T_TMP/o.out" ] && t_fail "something went to standard output with -o"
same "$T_TMP/out/class.csv" "$T_TMP/want.csv"
same "$T_TMP/out/class-summary.csv" "$T_TMP/want-summary.csv"
expect_contains "$T_TMP/o.err" "wrote $T_TMP/out/class.csv and $T_TMP/out/class-summary.csv"
report --format markdown -o "$T_TMP/out/class.md" "$ANA" "$C/ben" "$C/cleo" 2>/dev/null
same "$T_TMP/out/class.md" "$T_TMP/want.md"
report --summary-only -o "$T_TMP/out/only.csv" "$ANA" "$C/ben" "$C/cleo" 2>/dev/null
expect_status 0 $?
same "$T_TMP/out/only.csv" "$T_TMP/want-summary.csv"
[ -e "$T_TMP/out/only-summary.csv" ] && t_fail "--summary-only -o wrote a second file"
t_end

t_begin "a workspace where nothing is recorded yet is reported with nothing done"
# the workspace's marks without a clone: .kbridge and linux/.git, no progress.json
mkdir -p "$T_TMP/fresh/new/linux" && : > "$T_TMP/fresh/new/.kbridge" && git init -q "$T_TMP/fresh/new/linux"
report "$T_TMP/fresh/new" > "$T_TMP/fresh.csv" 2> "$T_TMP/fresh.err"
expect_status 0 $?
crlf > "$T_TMP/want-fresh.csv" <<'EOF2'
learner,lesson,passed,attempts,hints,solution_revealed,seconds
new,greet,no,0,0,no,0
new,answer,no,0,0,no,0
new,farewell,no,0,0,no,0
EOF2
same "$T_TMP/fresh.csv" "$T_TMP/want-fresh.csv"
[ -s "$T_TMP/fresh.err" ] && t_fail "unexpected message: $(cat "$T_TMP/fresh.err")"
t_end

t_begin "missing, unreadable and damaged workspaces are named; the others are still reported"
mkdir -p "$C/dora" "$C/eve/progress.json" "$C/fay" "$C/notes"
printf '{ "version": 1, "lessons": { "greet": { "passed": tru' > "$C/dora/progress.json"
printf '{ "version": 7, "lessons": {} }\n' > "$C/fay/progress.json"
echo "not a workspace" > "$C/notes/todo.txt"
report "$ANA" "$C/gone" "$C/ben" "$C/dora" "$C/eve" "$C/cleo" "$C/fay" "$C/notes" "$C/notes/todo.txt" \
	> "$T_TMP/bad.csv" 2> "$T_TMP/bad.err"
expect_status 1 $?
same "$T_TMP/bad.csv" "$T_TMP/want.csv"
expect_contains "$T_TMP/bad.err" "skipped $C/gone: no such folder"
expect_contains "$T_TMP/bad.err" "skipped $C/dora: $C/dora/progress.json is damaged (not JSON"
expect_contains "$T_TMP/bad.err" "skipped $C/eve: cannot read $C/eve/progress.json: Is a directory"
expect_contains "$T_TMP/bad.err" "skipped $C/fay: $C/fay/progress.json has an unknown version"
expect_contains "$T_TMP/bad.err" "skipped $C/notes: not a kbridge workspace"
expect_contains "$T_TMP/bad.err" "skipped $C/notes/todo.txt: not a folder"
[ "$(grep -c skipped "$T_TMP/bad.err")" -eq 6 ] || t_fail "expected 6 skipped workspaces: $(cat "$T_TMP/bad.err")"
if [ "$(id -u)" != 0 ]; then   # root reads anything: this case only means something for others
	mkdir -p "$C/gil" && echo '{"version":1}' > "$C/gil/progress.json" && chmod 000 "$C/gil/progress.json"
	report "$C/gil" "$C/ben" > /dev/null 2> "$T_TMP/perm.err"
	expect_status 1 $?
	expect_contains "$T_TMP/perm.err" "Permission denied"
fi
report "$C/gone" > "$T_TMP/none.csv" 2>/dev/null
expect_status 1 $?
printf 'learner,lesson,passed,attempts,hints,solution_revealed,seconds\r\n' > "$T_TMP/header.csv"
same "$T_TMP/none.csv" "$T_TMP/header.csv"
t_end

t_begin "names: --names, and parent folders where folder names are the same"
report --names "Ana A.,Ben B.,Cleo C." "$ANA" "$C/ben" "$C/cleo" > "$T_TMP/names.csv" 2>/dev/null
expect_status 0 $?
expect_contains "$T_TMP/names.csv" "Cleo C.,answer,no,3,2,yes,900"
report --names "one,two" "$ANA" "$C/ben" "$C/cleo" > /dev/null 2> "$T_TMP/names.err"
expect_status 2 $?
expect_contains "$T_TMP/names.err" "--names gives 2 names for 3 workspaces"
mkdir -p "$T_TMP/lab/pc1/kbridge-workspace" "$T_TMP/lab/pc2/kbridge-workspace"
cp "$C/ben/progress.json" "$T_TMP/lab/pc1/kbridge-workspace/"
cp "$C/cleo/progress.json" "$T_TMP/lab/pc2/kbridge-workspace/"
report "$T_TMP/lab/pc1/kbridge-workspace" "$T_TMP/lab/pc2/kbridge-workspace/" > "$T_TMP/lab.csv" 2>/dev/null
expect_contains "$T_TMP/lab.csv" "pc1/kbridge-workspace,answer,yes,4,2,no,1200"
expect_contains "$T_TMP/lab.csv" "pc2/kbridge-workspace,answer,no,3,2,yes,900"
t_end

t_begin "bad arguments: exit 2 and no report"
report --format xml "$C/ben" > "$T_TMP/a1.out" 2> "$T_TMP/a1.err"
expect_status 2 $?
expect_contains "$T_TMP/a1.err" "unknown format 'xml'"
report > /dev/null 2> "$T_TMP/a2.err"
expect_status 2 $?
expect_contains "$T_TMP/a2.err" "which workspaces?"
"$KBRIDGE" report --pack "$T_TMP/no-pack" "$C/ben" > "$T_TMP/a3.out" 2> "$T_TMP/a3.err"
expect_status 2 $?
expect_contains "$T_TMP/a3.err" "does not load"
[ -s "$T_TMP/a1.out" ] || [ -s "$T_TMP/a3.out" ] && t_fail "a report was printed after bad arguments"
report -o "$T_TMP/no-such-dir/class.csv" "$C/ben" 2> "$T_TMP/a4.err"
expect_status 2 $?
[ -e "$T_TMP/no-such-dir" ] && t_fail "a folder was made for -o"
t_end

t_begin "--help names every option and the exit status"
"$KBRIDGE" report --help > "$T_TMP/help.out" 2>&1
expect_status 0 $?
for word in --pack --format --summary-only "-o, --output FILE" --names "Exit status" "median" "stuck"; do
	expect_contains "$T_TMP/help.out" "$word"
done
t_end


# ---- check reports in two languages -----------------------------------------------------
# kbridge check on the same fixture pack in English and with --lang zh-CN, in every format:
# the machine-readable fields (keys, verdicts, ids, seeds, scores, exit status) are the
# same, and only the human text, in Chinese, differs. No kernel: the checks read a file.
LP="$T_TMP/langpack"
LW="$T_TMP/langws"
cp -r "$PACK" "$LP"
# farewell's check records nothing: a result that could not finish (verdict "error")
sed -i '/kb.expect(/d' "$LP/farewell/lesson.lua"
mkdir -p "$LW/kbridge/report"
printf 'Hello, class\n' > "$LW/kbridge/report/greet.txt"
printf '41\n' > "$LW/kbridge/report/answer.txt"
kb_check() { "$KBRIDGE" check --all --pack "$LP" --workspace "$LW" --seed 11 "$@"; }

t_begin "check in zh-CN: every format keeps its keys, verdicts, ids, seeds and exit status; its human text is Chinese"
for f in json junit tap classroom; do
	kb_check --format "$f" > "$T_TMP/en.$f" 2> "$T_TMP/en.$f.err"
	es=$?
	kb_check --lang zh-CN --format "$f" > "$T_TMP/zh.$f" 2> "$T_TMP/zh.$f.err"
	zs=$?
	[ "$es" = 1 ] || t_fail "$f: English exit status $es, not 1"
	[ "$es" = "$zs" ] || t_fail "$f: exit status $es in English, $zs in Chinese"
	python3 - "$f" "$T_TMP/en.$f" "$T_TMP/zh.$f" > "$T_TMP/cmp.$f" 2>&1 <<'PY' || t_fail "$f: $(cat "$T_TMP/cmp.$f")"
import json, re, sys
import xml.etree.ElementTree as ET
fmt, en_path, zh_path = sys.argv[1:4]
en_text, zh_text = (open(p, encoding="utf-8").read() for p in (en_path, zh_path))
cjk = re.compile(r"[\u4e00-\u9fff]")
def chinese(s, what):
    assert s and cjk.search(s), "%s is not Chinese: %r" % (what, s)
def english(s, what):
    assert s is None or not cjk.search(s), "%s is not English: %r" % (what, s)
def same_keys(a, b, path="$"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), "%s: keys %s / %s" % (path, list(a), list(b))
        for k in a:
            same_keys(a[k], b[k], path + "." + k)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), "%s: lengths differ" % path
        for i, (x, y) in enumerate(zip(a, b)):
            same_keys(x, y, "%s[%d]" % (path, i))
    else:
        assert type(a) == type(b), "%s: %r / %r" % (path, a, b)
if fmt == "json":
    en, zh = json.loads(en_text), json.loads(zh_text)
    same_keys(en, zh)
    human = {"title", "error", "traceback", "output", "expected", "seen", "where", "hint"}
    timing = {"elapsed", "build_seconds", "boot_seconds", "queue_seconds", "setup_seconds", "lua_seconds"}
    for a, b in zip(en["results"], zh["results"]):
        for k in a:
            if k not in human | timing | {"expectations"}:
                assert a[k] == b[k], "%s: %r / %r" % (k, a[k], b[k])
        for x, y in zip(a["expectations"], b["expectations"]):
            assert (x["met"], x["line"]) == (y["met"], y["line"])
    assert en["summary"] == zh["summary"] == {"total": 3, "passed": 1, "failed": 1, "errors": 1}, zh["summary"]
    assert [r["verdict"] for r in zh["results"]] == ["pass", "fail", "error"]
    assert [r["seed"] for r in zh["results"]] == [11, 11, 11]
    assert en["pack"] == zh["pack"] and en["kbridge"] == zh["kbridge"]
    english(en["results"][2]["error"], "the English error")
    chinese(zh["results"][2]["error"], "the error kbridge words itself")
elif fmt == "classroom":
    en, zh = json.loads(en_text), json.loads(zh_text)
    same_keys(en, zh)
    assert (en["version"], en["status"], en["max_score"]) == (zh["version"], zh["status"], zh["max_score"])
    for a, b in zip(en["tests"], zh["tests"]):
        for k in ("name", "status", "score", "test_code"):
            assert a[k] == b[k], "%s: %r / %r" % (k, a[k], b[k])
        english(a["message"], "the English message")
        chinese(b["message"], "the message of " + b["name"])
    assert "[未满足]" in zh["tests"][1]["message"] and "种子：11" in zh["tests"][1]["message"]
    assert "[NOT MET]" in en["tests"][1]["message"] and "seed: 11" in en["tests"][1]["message"]
elif fmt == "junit":
    en, zh = ET.fromstring(en_text), ET.fromstring(zh_text)
    def walk(a, b):
        assert a.tag == b.tag, (a.tag, b.tag)
        assert sorted(a.attrib) == sorted(b.attrib), (a.tag, a.attrib, b.attrib)
        for k in a.attrib:
            if k not in ("message", "time"):
                assert a.attrib[k] == b.attrib[k], "%s@%s: %r / %r" % (a.tag, k, a.attrib[k], b.attrib[k])
        if a.tag in ("failure", "error"):
            english(a.text, "the English " + a.tag)
            chinese(b.text, "the Chinese " + b.tag)
            chinese(b.attrib["message"] if a.tag == "failure" else b.text, "the message of " + a.tag)
        assert len(a) == len(b), a.tag
        for x, y in zip(a, b):
            walk(x, y)
    walk(en, zh)
    assert zh.find(".//failure").attrib["message"].startswith("预期：")
elif fmt == "tap":
    el, zl = en_text.splitlines(), zh_text.splitlines()
    assert len(el) == len(zl), "%d / %d lines" % (len(el), len(zl))
    messages = 0
    for a, b in zip(el, zl):
        key = re.match(r"\s*(?:- )?([a-z_]+):", a)
        if key and key.group(1) in ("message", "duration_ms", "expected", "seen"):
            assert re.match(r"\s*(?:- )?%s:" % key.group(1), b), (a, b)
            if key.group(1) == "message":
                messages += 1
                english(a, "the English message")
                chinese(b, "the message")
        else:
            assert a == b, "%r / %r" % (a, b)
    assert messages == 2, messages
    assert '  message: "1 条预期中有 1 条未满足"' in zl, zh_text
PY
	[ -s "$T_TMP/zh.$f.err" ] && t_fail "$f: something on stderr: $(cat "$T_TMP/zh.$f.err")"
done
t_end

t_begin "check in zh-CN, text: Chinese words, columns aligned by display width; English unchanged"
kb_check > "$T_TMP/en.txt" 2>&1
expect_status 1 $?
kb_check --lang zh-CN > "$T_TMP/zh.txt" 2>&1
expect_status 1 $?
env -i PATH="$PATH" HOME="$HOME" "$KBRIDGE" --lang zh-CN check --all --pack "$LP" --workspace "$LW" --seed 11 \
	> "$T_TMP/zh-c.txt" 2>&1
expect_status 1 $?
# the same report but for the times each check took
sed 's/([0-9.]* s)$//' "$T_TMP/zh.txt" > "$T_TMP/zh.notime"
sed 's/([0-9.]* s)$//' "$T_TMP/zh-c.txt" > "$T_TMP/zh-c.notime"
cmp -s "$T_TMP/zh.notime" "$T_TMP/zh-c.notime" ||
	t_fail "with only the C locale the report differs: $(diff "$T_TMP/zh.notime" "$T_TMP/zh-c.notime" | head -5)"
expect_contains "$T_TMP/en.txt" "  [NOT MET] kbridge/report/answer.txt says '42'"
expect_contains "$T_TMP/en.txt" "            seen:"
expect_contains "$T_TMP/en.txt" "  seed: 11 (the same inputs again: kbridge check answer/t --seed 11)"
expect_contains "$T_TMP/en.txt" "1 passed, 2 failed (1 could not run)"
expect_contains "$T_TMP/zh.txt" "  种子：11（用同样的输入再来一次：kbridge check answer/t --seed 11）"
expect_contains "$T_TMP/zh.txt" "1 个通过，2 个未通过（其中 1 个无法运行）"
expect_contains "$T_TMP/zh.txt" "检查没能完成："
python3 - "$T_TMP/zh.txt" > "$T_TMP/align.out" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/align.out")"
import sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
# the task id starts in the same column on every verdict line
verdicts = [l for l in lines if l and not l.startswith(" ")][:-1]
assert len(verdicts) == 3, verdicts
cols = {width(l[:l.index(" " + t)]) for l in verdicts for t in ("greet/t", "answer/t", "farewell/t") if " " + t + " " in l}
assert len(cols) == 1, "the task ids start in columns %s" % sorted(cols)
assert any(l.startswith("通过") for l in lines) and any(l.startswith("未通过") for l in lines), lines
# what was seen starts where the expectation's text does
exp = next(l for l in lines if "[未满足]" in l)
col = width(exp[:exp.index("kbridge/report/answer.txt")])
seen = next(l for l in lines if "实际输出：" in l)
assert width(seen) - width(seen.lstrip(" ")) == col, "seen at column %d, the expectation at %d" % (
    width(seen) - width(seen.lstrip(" ")), col)
bar = next(l for l in lines if l.strip().startswith("| 41"))
assert width(bar) - width(bar.lstrip(" ")) == col + 2, bar
PY
t_end

t_begin "pack validate in zh-CN: findings and per-language counts in Chinese, file:line kept"
I18N=$(cd "$(dirname "$0")/../fixtures/packs/i18n-stale" && pwd)
"$KBRIDGE" pack validate --no-run --lang zh-CN "$I18N" > "$T_TMP/pv.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/pv.out" "FAIL hello/po/zh-CN.po:58: 已过时：task:greet/goal 翻译的是“Make hi.c print 'hi' when it is loaded.”，但 hello/lesson.lua:23 现在写的是“Make hi.c print 'hi' twice when it is loaded.”"
expect_contains "$T_TMP/pv.out" "FAIL hello/changed.zh-CN.md:1: 已过时：翻译的是 changed.md 的旧版本"
expect_contains "$T_TMP/pv.out" "FAIL zh-CN：22 个字符串中已翻译 20 个（2 个已过时，0 个未翻译）"
expect_contains "$T_TMP/pv.out" "ok   hello: lesson.lua 加载成功"
expect_contains "$T_TMP/pv.out" "7 个通过，3 个未通过"
# the interface in Chinese from the environment, no --lang: one count line per language
LANGUAGE=zh_CN LC_ALL= LANG=C.UTF-8 "$KBRIDGE" pack validate --no-run "$I18N" > "$T_TMP/pv2.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/pv2.out" "     zh-CN：22 个字符串中已翻译 20 个，2 个已过时，0 个未翻译（pack validate --lang zh-CN 会逐个列出）"
expect_not_contains "$T_TMP/pv2.out" "FAIL"
"$KBRIDGE" pack validate --no-run "$I18N" > "$T_TMP/pv3.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/pv3.out" "     zh-CN: 20 of 22 strings translated, 2 stale, 0 untranslated (pack validate --lang zh-CN lists them)"
expect_contains "$T_TMP/pv3.out" "7 passed, 0 failed"
expect_contains "$T_TMP/pv2.out" "7 个通过，0 个未通过"
t_end

t_finish
