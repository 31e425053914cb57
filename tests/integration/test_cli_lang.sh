#!/bin/sh
# kbridge's commands in the learner's language: --help, errors and the learner's commands
# in Simplified Chinese with --lang zh-CN or from the environment (gettext's order), in
# English without them or with --lang en, on a machine whose only locale is C.UTF-8; the
# exit codes the same in both. Then LESSON/TASK for hint, diff, reset and solution, and
# `hint LESSON` going to the first task not passed yet, on a two-task lesson whose checks
# only read a text file (no build, no boot) in a real workspace (a clone of the bundled
# kernel tree, 25-45 s).
. "$(dirname "$0")/../lib.sh"
O="$T_TMP/out"
mkdir -p "$O"
# has_cjk FILE: FILE holds a CJK ideograph (UTF-8 E4..E9 lead byte)
has_cjk() { LC_ALL=C grep -q "$(printf '[\344-\351]')" "$1"; }
expect_chinese() { has_cjk "$1" || { t_fail "no Chinese in $(basename "$1"):"; sed 's/^/    | /' "$1" | head -20; }; }
expect_english() { ! has_cjk "$1" || { t_fail "Chinese in $(basename "$1"):"; LC_ALL=C grep -n "$(printf '[\344-\351]')" "$1" | head -5 | sed 's/^/    | /'; }; }

t_begin "--help: Chinese with --lang zh-CN, English without --lang and with --lang en"
"$KBRIDGE" --help > "$O/help-en.out" 2>&1
expect_status 0 $?
"$KBRIDGE" --lang zh-CN --help > "$O/help-zh.out" 2>&1
expect_status 0 $?
"$KBRIDGE" --help --lang en > "$O/help-en2.out" 2>&1
expect_status 0 $?
expect_english "$O/help-en.out"
expect_contains "$O/help-en.out" "usage: kbridge [--help]"
expect_contains "$O/help-zh.out" "用法：kbridge [--help] [--version] [--no-sandbox] [--lang TAG] COMMAND [ARGS]"
expect_contains "$O/help-zh.out" "  hint     查看一课"
expect_contains "$O/help-zh.out" "环境变量："
expect_chinese "$O/help-zh.out"
cmp -s "$O/help-en.out" "$O/help-en2.out" || t_fail "--lang en is not the English --help"
# command names and option names stay as they are
for w in "  setup    " "  solution " "--no-sandbox" "KBRIDGE_HOME" "LC_MESSAGES"; do
	expect_contains "$O/help-zh.out" "$w"
done
t_end

t_begin "every command's --help is Chinese with --lang zh-CN, options and metavariables kept"
for cmd in list start hint diff reset solution setup doctor lab boot shell; do
	"$KBRIDGE" --lang zh-CN $cmd --help > "$O/$cmd-help-zh.out" 2>&1
	expect_status 0 $?
	"$KBRIDGE" $cmd --help > "$O/$cmd-help-en.out" 2>&1
	expect_status 0 $?
	expect_chinese "$O/$cmd-help-zh.out"
	expect_english "$O/$cmd-help-en.out"
	expect_contains "$O/$cmd-help-zh.out" "用法：kbridge $cmd"
	# every option of the English text is in the Chinese one
	for opt in $(grep -oE -- '--[a-z][a-z-]+' "$O/$cmd-help-en.out" | sort -u); do
		expect_contains "$O/$cmd-help-zh.out" "$opt"
	done
done
expect_contains "$O/hint-help-zh.out" "用法：kbridge hint LESSON[/TASK] [--pack PACK] [--workspace DIR]"
expect_contains "$O/list-help-zh.out" "  --workspace DIR   你的工作区"
t_end

t_begin "list --help in Chinese keeps its option column: each description at column 21"
# the lines of the options table start with "  -" or with 20 spaces (a continuation)
awk '/^  -/ { if (substr($0, 19, 2) != "  " || substr($0, 21, 1) == " ") bad = bad NR ": " $0 "\n" }
     /^                    [^ ]/ { n++ }
     END { printf "%s", bad; exit (bad != "" || n < 3) }' "$O/list-help-zh.out" > "$O/cols.out" ||
	{ t_fail "misaligned option lines:"; sed 's/^/    | /' "$O/cols.out"; }
t_end

t_begin "env -i with only C.UTF-8: --lang zh-CN is Chinese, no --lang is English"
env -i PATH="$PATH" "$KBRIDGE" --lang zh-CN --help > "$O/envi-zh.out" 2>&1
expect_status 0 $?
expect_contains "$O/envi-zh.out" "用法：kbridge"
env -i PATH="$PATH" "$KBRIDGE" --lang zh-CN list --help > "$O/envi-list-zh.out" 2>&1
expect_status 0 $?
cmp -s "$O/envi-list-zh.out" "$O/list-help-zh.out" || t_fail "list --help under env -i differs from the usual one"
env -i PATH="$PATH" "$KBRIDGE" --help > "$O/envi-en.out" 2>&1
expect_english "$O/envi-en.out"
t_end

t_begin "the environment in gettext's order chooses Chinese; --lang en wins over it"
env -i PATH="$PATH" LANG=zh_CN.UTF-8 "$KBRIDGE" --help > "$O/lang.out" 2>&1
expect_contains "$O/lang.out" "用法：kbridge"
env -i PATH="$PATH" LANGUAGE=zh_CN:en LANG=C.UTF-8 "$KBRIDGE" --help > "$O/language.out" 2>&1
expect_contains "$O/language.out" "用法：kbridge"
env -i PATH="$PATH" LC_ALL=zh_CN.UTF-8 "$KBRIDGE" list --help > "$O/lcall.out" 2>&1
expect_contains "$O/lcall.out" "用法：kbridge list"
env -i PATH="$PATH" LC_MESSAGES=zh_CN.UTF-8 "$KBRIDGE" --help > "$O/lcmsg.out" 2>&1
expect_contains "$O/lcmsg.out" "用法：kbridge"
env -i PATH="$PATH" LANGUAGE=zh_CN:en LANG=zh_CN.UTF-8 "$KBRIDGE" --lang en --help > "$O/lang-en.out" 2>&1
expect_status 0 $?
expect_english "$O/lang-en.out"
env -i PATH="$PATH" LANG=zh_CN.UTF-8 "$KBRIDGE" list --help --lang=en > "$O/lang-en2.out" 2>&1
expect_english "$O/lang-en2.out"
# gettext's order: LANGUAGE before LANG
env -i PATH="$PATH" LANGUAGE=en LANG=zh_CN.UTF-8 "$KBRIDGE" --help > "$O/language-en.out" 2>&1
expect_english "$O/language-en.out"
t_end

# both LANG: run kbridge in English and in Chinese with the same arguments; the same exit
# code, the English output English and the Chinese one Chinese. Outputs in $O/NAME.en/.zh
both() {
	_name=$1
	shift
	"$KBRIDGE" "$@" > "$O/$_name.en" 2>&1
	_en=$?
	"$KBRIDGE" --lang zh-CN "$@" > "$O/$_name.zh" 2>&1
	_zh=$?
	[ "$_en" = "$_zh" ] || t_fail "kbridge $*: exit $_en in English, $_zh in Chinese"
	BOTH_STATUS=$_en
	expect_english "$O/$_name.en"
	expect_chinese "$O/$_name.zh"
}

t_begin "errors are Chinese, with the same exit codes as in English"
both unknown frobnicate
expect_status 2 "$BOTH_STATUS"
expect_contains "$O/unknown.zh" "frobnicate"
head -1 "$O/unknown.zh" > "$O/unknown1.zh"
expect_chinese "$O/unknown1.zh"
both nolesson hint no-such-lesson
expect_status 1 "$BOTH_STATUS"
expect_contains "$O/nolesson.zh" "no-such-lesson"
both which hint
expect_status 2 "$BOTH_STATUS"
# the prefix "kbridge CMD: " is the same in every language (tools grep it)
expect_contains "$O/which.zh" "kbridge hint: 要哪一课？"
both extra doctor extra-arg
expect_status 2 "$BOTH_STATUS"
both labcmd lab frob
expect_status 2 "$BOTH_STATUS"
both timeout boot --timeout 0 --run true
expect_status 2 "$BOTH_STATUS"
both listextra list surplus
expect_status 2 "$BOTH_STATUS"
expect_contains "$O/listextra.zh" "“surplus”"
t_end

t_begin "setup --status in Chinese, its state column padded by display width"
both status setup --status
expect_contains "$O/status.zh" "KBRIDGE_HOME: "
# the step names stay; the state column is 12 columns wide whatever its language
grep -E '^  (extract|import|config|build|initramfs|probes) ' "$O/status.zh" > "$O/steps.zh"
[ "$(wc -l < "$O/steps.zh")" -ge 5 ] || t_fail "setup --status lists no steps"
python3 - "$O/steps.zh" <<'PYEOF' || t_fail "setup --status's columns are not aligned by display width"
import sys, unicodedata
def width(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in open(sys.argv[1], encoding="utf-8"):
    state_and_title = line[13:]
    state = state_and_title.split(" ")[0]
    # 2 + 10 + 1 columns, then the state padded to 12 columns, a space, the title
    rest = state_and_title[len(state):]
    assert width(state) + len(rest) - len(rest.lstrip(" ")) == 13, repr(line)
PYEOF
t_end

# ---- the learner's commands on LESSON/TASK ---------------------------------------------

PACK="$T_TMP/pack"
mkdir -p "$PACK/two/solution/kbridge/lang"
cat > "$PACK/pack.lua" <<'EOF'
pack { name = "lang", title = "Language test", version = "1.0", kernel = "6.12", lessons = { "two", "later" } }
EOF
cat > "$PACK/two/lesson.lua" <<'EOF'
lesson {
  id = "two",
  title = "Two tasks",
  history = { year = 2026, milestone = "language test", source = "kbridge tests" },
  steps = {
    task {
      id = "first", goal = "Write `one` in kbridge/lang/first.txt.", files = { "kbridge/lang/first.txt" },
      hints = { "first-hint-A says ``a `b` c``", "first-hint-B" },
      check = function(kb)
        local text, err = kb.read("kbridge/lang/first.txt")
        kb.expect(text ~= nil and text:find("one", 1, true) ~= nil, "`first.txt` says one", { seen = text or err })
      end,
    },
    task {
      id = "second", goal = "Write 'two' in kbridge/lang/second.txt.", files = { "kbridge/lang/second.txt" },
      hints = { "second-hint-A", "second-hint-B" },
      check = function(kb)
        local text, err = kb.read("kbridge/lang/second.txt")
        kb.expect(text ~= nil and text:find("two", 1, true) ~= nil, "second.txt says two", { seen = text or err, hint = "write `two` in it" })
      end,
    },
  },
}
EOF
mkdir -p "$PACK/later/solution/kbridge/lang" "$PACK/later/starter/kbridge/lang"
cat > "$PACK/later/lesson.lua" <<'EOF'
lesson {
  id = "later",
  title = "Not started",
  history = { year = 2026, milestone = "language test", source = "kbridge tests" },
  steps = {
    task {
      id = "only", goal = "Write 'later' in kbridge/lang/later.txt.", files = { "kbridge/lang/later.txt" },
      check = function(kb)
        local text, err = kb.read("kbridge/lang/later.txt")
        kb.expect(text ~= nil and text:find("later", 1, true) ~= nil, "later.txt says later", { seen = text or err })
      end,
    },
  },
}
EOF
printf 'later\n' > "$PACK/later/solution/kbridge/lang/later.txt"
printf 'TODO\n' > "$PACK/later/starter/kbridge/lang/later.txt"
printf 'one\n' > "$PACK/two/solution/kbridge/lang/first.txt"
printf 'two\n' > "$PACK/two/solution/kbridge/lang/second.txt"
mkdir -p "$PACK/two/starter/kbridge/lang"
printf 'TODO\n' > "$PACK/two/starter/kbridge/lang/first.txt"
printf 'TODO\n' > "$PACK/two/starter/kbridge/lang/second.txt"
W="$T_TMP/ws"
kb() { "$KBRIDGE" "$@" --pack "$PACK" --workspace "$W"; }

t_begin "start in Chinese: the lesson's tasks and files, the next commands"
start=$(date +%s)
kb --lang zh-CN start two > "$O/start.zh" 2>&1
expect_status 0 $?
echo "    (workspace created and lesson started in $(( $(date +%s) - start )) s)"
expect_contains "$O/start.zh" "two 这一课已开始"
expect_contains "$O/start.zh" "任务 first："
expect_contains "$O/start.zh" "然后运行：kbridge check two"
# Markdown's code spans without their backticks, as the shell shows them
expect_contains "$O/start.zh" "任务 first：Write one in kbridge/lang/first.txt."
t_end

t_begin "check on a lesson not started: said as diff says it, exit 2, nothing built or recorded"
cp "$W/progress.json" "$O/progress.before"
head0=$(git -C "$W/linux" rev-parse HEAD)
both notstarted check later --pack "$PACK" --workspace "$W"
expect_status 2 "$BOTH_STATUS"
kb diff later > "$O/notstarted-diff.en" 2>&1
expect_status 1 $?
expect_contains "$O/notstarted.en" "kbridge check: lesson later is not started yet (kbridge start later)"
expect_contains "$O/notstarted-diff.en" "lesson later is not started yet (kbridge start later)"
expect_contains "$O/notstarted.zh" "kbridge check: later 这一课还没有开始（运行 kbridge start later）"
expect_not_contains "$O/notstarted.en" "FAIL"
expect_not_contains "$O/notstarted.en" "your copy"
cmp -s "$O/progress.before" "$W/progress.json" || t_fail "check of a lesson not started changed progress.json"
[ "$(git -C "$W/linux" rev-parse HEAD)" = "$head0" ] || t_fail "check of a lesson not started made a commit"
# one lesson not started among the ids: nothing of the others runs either
kb check two/first later > "$O/notstarted2.out" 2>&1
expect_status 2 $?
expect_not_contains "$O/notstarted2.out" "PASS"
cmp -s "$O/progress.before" "$W/progress.json" || t_fail "a check refused for one id counted the others"
t_end

t_begin "check: an unknown task names the lesson's tasks, exit 2"
both checknotask check two/third --pack "$PACK" --workspace "$W"
expect_status 2 "$BOTH_STATUS"
expect_contains "$O/checknotask.en" "kbridge check: lesson 'two' has no task 'third' (its tasks: two/first, two/second)"
expect_contains "$O/checknotask.zh" "two 这一课没有任务“third”（它的任务有：two/first, two/second）"
t_end

t_begin "an unknown task is an error naming the lesson's tasks, in both languages, exit 1"
both notask hint two/third --pack "$PACK" --workspace "$W"
expect_status 1 "$BOTH_STATUS"
expect_contains "$O/notask.en" "lesson two has no task 'third' (its tasks: two/first, two/second)"
expect_contains "$O/notask.zh" "two 这一课没有任务“third”（它的任务有：two/first, two/second）"
t_end

t_begin "hint LESSON/TASK: that task's next hint, only that task's hints shown"
kb hint two/second > "$O/h1.out" 2>&1
expect_status 0 $?
expect_contains "$O/h1.out" "Hint 1 of 2 (task second): second-hint-A"
expect_not_contains "$O/h1.out" "first-hint"
kb --lang zh-CN hint two/second > "$O/h2.out" 2>&1
expect_status 0 $?
expect_contains "$O/h2.out" "提示 1/2（任务 second）：second-hint-A"
expect_contains "$O/h2.out" "提示 2/2（任务 second）：second-hint-B"
expect_contains "$O/h2.out" "这已经是最后一条提示了。"
t_end

t_begin "diff and reset LESSON/TASK touch only that task's files"
mkdir -p "$W/linux/kbridge/lang"
printf 'one\n' > "$W/linux/kbridge/lang/first.txt"
printf 'my second\n' > "$W/linux/kbridge/lang/second.txt"
kb diff two/first > "$O/diff1.out" 2>&1
expect_status 0 $?
expect_contains "$O/diff1.out" "first.txt"
expect_not_contains "$O/diff1.out" "second.txt"
kb --lang zh-CN diff two/second > "$O/diff2.out" 2>&1
expect_status 0 $?
expect_contains "$O/diff2.out" "+my second"
expect_not_contains "$O/diff2.out" "first.txt"
kb --lang zh-CN reset two/second > "$O/reset.out" 2>&1
expect_status 0 $?
expect_contains "$O/reset.out" "任务 two/second 的文件已恢复到开始时的样子："
expect_contains "$O/reset.out" "refs/kbridge/saved/two"
expect_contains "$W/linux/kbridge/lang/first.txt" "one"
expect_not_contains "$W/linux/kbridge/lang/second.txt" "my second"
t_end

t_begin "solution LESSON/TASK: held back until the task passes, then only that task's files"
kb --lang zh-CN solution two/first > "$O/sol0.out" 2>&1
expect_status 1 $?
expect_contains "$O/sol0.out" "任务 two/first 的参考答案要等它通过之后才显示"
kb check two/first > "$O/check1.out" 2>&1
expect_status 0 $?
# the human header without backticks; TAP's test name (read by tools) as the lesson has it
expect_contains "$O/check1.out" "two/first  Write one in kbridge/lang/first.txt."
kb check two/first --format tap > "$O/check1.tap" 2>&1
expect_contains "$O/check1.tap" "Write \`one\` in kbridge/lang/first.txt."
expect_contains "$O/check1.out" "first.txt says one"
expect_not_contains "$O/check1.out" "\`"
kb check two/second > "$O/check2.out" 2>&1
expect_status 1 $?
expect_contains "$O/check2.out" "hint: write two in it"
kb solution two/first > "$O/sol1.out" 2>&1
expect_status 0 $?
expect_contains "$O/sol1.out" "The reference solution of task two/first"
expect_not_contains "$O/sol1.out" "second.txt"
kb solution two > "$O/sol2.out" 2>&1
expect_status 1 $?
t_end

t_begin "hint LESSON after the first task passed: the second task's hint, not the first's"
# the hints so far (two of the second task) came after the first task's two in the
# lesson's order; start over from none to see where hint LESSON goes
python3 - "$W/progress.json" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["lessons"]["two"]["hints"] = 0
p["lessons"]["two"].pop("task_hints", None)
json.dump(p, open(sys.argv[1], "w"))
PYEOF
grep -q '"first"' "$W/progress.json" || t_fail "the first task is not recorded as passed"
kb hint two > "$O/h3.out" 2>&1
expect_status 0 $?
expect_contains "$O/h3.out" "Hint 1 of 2 (task second): second-hint-A"
expect_not_contains "$O/h3.out" "first-hint"
kb hint two > "$O/h4.out" 2>&1
expect_contains "$O/h4.out" "Hint 2 of 2 (task second): second-hint-B"
expect_contains "$O/h4.out" "That was the last hint."
expect_not_contains "$O/h4.out" "first-hint"
# asked by name, a passed task's hints still come, with a note
kb --lang zh-CN hint two/first > "$O/h5.out" 2>&1
expect_status 0 $?
expect_contains "$O/h5.out" "（任务 first 已经通过了。）"
expect_contains "$O/h5.out" "first-hint-A says a \`b\` c"
t_end

t_begin "hints are counted per task: one task's hints leave the other's alone; list sums them"
# now: second 2 of 2, first 1 of 2
kb hint two/first > "$O/h6.out" 2>&1
expect_contains "$O/h6.out" "Hint 2 of 2 (task first): first-hint-B"
kb hint two/second > "$O/h7.out" 2>&1
expect_contains "$O/h7.out" "Hint 2 of 2 (task second)"
python3 - "$W/progress.json" <<'PYEOF' || t_fail "progress.json does not count the hints per task"
import json, sys
l = json.load(open(sys.argv[1]))["lessons"]["two"]
assert l["task_hints"] == {"second": 2, "first": 2} and l["hints"] == 4, l
PYEOF
kb list > "$O/list-hints.out" 2>&1
grep -qE "^ +2026 two +in progress +[0-9]+ +4 " "$O/list-hints.out" || t_fail "list does not show 4 hints: $(grep ' two ' "$O/list-hints.out")"
t_end

t_begin "a progress file from before per-task hints: its lesson count read in task order"
python3 - "$W/progress.json" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
l = p["lessons"]["two"]
l.pop("task_hints")
l["hints"] = 3   # the first task's two, then one of the second's
json.dump(p, open(sys.argv[1], "w"))
PYEOF
kb list > "$O/list-old.out" 2>&1
grep -qE "^ +2026 two +in progress +[0-9]+ +3 " "$O/list-old.out" || t_fail "list of an old file: $(grep ' two ' "$O/list-old.out")"
kb hint two/second > "$O/h8.out" 2>&1
expect_contains "$O/h8.out" "Hint 2 of 2 (task second)"
python3 - "$W/progress.json" <<'PYEOF' || t_fail "the old count was not kept per task"
import json, sys
l = json.load(open(sys.argv[1]))["lessons"]["two"]
assert l["task_hints"] == {"first": 2, "second": 2} and l["hints"] == 4, l
PYEOF
t_end

t_begin "list in Chinese: the headings and states padded by display width"
kb --lang zh-CN list > "$O/list.zh" 2>&1
expect_status 0 $?
kb list > "$O/list.en" 2>&1
expect_contains "$O/list.zh" "已通过 0/2 课"
python3 - "$O/list.en" "$O/list.zh" <<'PYEOF' || t_fail "the Chinese list's columns are not where the English ones are"
import sys, unicodedata
def width(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
en = open(sys.argv[1], encoding="utf-8").read().splitlines()
zh = open(sys.argv[2], encoding="utf-8").read().splitlines()
# the title starts at the same display column in both: the heading's last word, and the
# lesson's title (not translated in this pack) on its row
def col(line, word): return width(line[:line.rindex(word)])
def find(lines, word): return next(l for l in lines if word in l)
eh, zh_h = find(en, " title"), find(zh, " 标题")
er, zr = find(en, "Two tasks"), find(zh, "Two tasks")
assert col(eh, "title") == col(zh_h, "标题"), (eh, zh_h)
assert col(er, "Two tasks") == col(zr, "Two tasks"), (er, zr)
# the attempts column (8 wide, then hints 5 and time 6) ends where its heading ends
assert col(zh_h, "检查次数") + 8 == col(zr, "Two tasks") - 15, (zh_h, zr)
PYEOF
t_end

t_finish
