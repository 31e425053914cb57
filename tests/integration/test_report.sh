#!/bin/sh
# kbridge report: three learners with known histories, the exact table and summary in CSV
# and Markdown, the files -o writes, and workspaces that are missing or damaged.
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

t_finish
