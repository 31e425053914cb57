#!/bin/sh
# Packs that carry translations (engine/i18n.h): the language chosen by --lang or the
# environment (with no locale but C.UTF-8 installed), strings and pages shown in Chinese,
# a string whose English changed since its translation shown in English and named by
# `pack validate --lang zh-CN` with its file:line, a check's texts translated in its JSON
# report with the same keys and verdict, `pack pot` and msgmerge, and `pack new`'s
# translated example; the shell's own words in zh-CN at 80x24, and a check that fails
# and one that passes on the course kernel (the one in KBRIDGE_HOME, as test_ui uses).
# UPDATE=1 rewrites tests/i18n/*.ref.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX=$ROOT/tests/fixtures/packs/i18n-stale
KERNEL_HOME="${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}"
export TERM=xterm LINES=24 COLUMNS=80 TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$T_TMP/home"
unset LANGUAGE LC_MESSAGES NO_COLOR VISUAL EDITOR KBRIDGE_PACK KBRIDGE_WORKSPACE
mkdir -p "$HOME"

t_begin "validate --lang zh-CN names each stale string with its file:line and fails"
"$KBRIDGE" pack validate --no-run --lang zh-CN "$FIX" >"$T_TMP/v.out" 2>&1
expect_status 1 $?
# the goal: its PO entry (line 58) and where the English is now (lesson.lua:23)
# --lang zh-CN shows validate's own words in Chinese too; file:line stay as they are
expect_contains "$T_TMP/v.out" "FAIL hello/po/zh-CN.po:58: 已过时：task:greet/goal 翻译的是“Make hi.c print 'hi' when it is loaded.”，但 hello/lesson.lua:23 现在写的是“Make hi.c print 'hi' twice when it is loaded.”"
expect_contains "$T_TMP/v.out" "FAIL hello/changed.zh-CN.md:1: 已过时：翻译的是 changed.md 的旧版本"
expect_contains "$T_TMP/v.out" "FAIL zh-CN：22 个字符串中已翻译 20 个（2 个已过时，0 个未翻译）"
expect_not_contains "$T_TMP/v.out" "intro.zh-CN.md"
expect_contains "$T_TMP/v.out" "7 个通过，3 个未通过"
t_end

t_begin "plain validate prints one line per language and passes"
"$KBRIDGE" pack validate --no-run "$FIX" >"$T_TMP/p.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/p.out" "     zh-CN: 20 of 22 strings translated, 2 stale, 0 untranslated"
[ "$(grep -c 'zh-CN:' "$T_TMP/p.out")" = 1 ] || t_fail "more than one line for zh-CN"
expect_not_contains "$T_TMP/p.out" "FAIL"
t_end

t_begin "the shell in zh-CN: Chinese where translated, English for what changed (screens)"
"$KBRIDGE" --lang zh-CN shell --pack "$FIX" --workspace "$T_TMP/none" \
	--replay "@$ROOT/tests/i18n/stale.keys" --dump "$T_TMP/stale.out" >"$T_TMP/shell.out" 2>&1
expect_status 0 $?
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$T_TMP/stale.out" "$ROOT/tests/i18n/stale.ref"
elif ! diff -u "$ROOT/tests/i18n/stale.ref" "$T_TMP/stale.out" >"$T_TMP/stale.diff"; then
	t_fail "the screens differ from tests/i18n/stale.ref:"
	head -40 "$T_TMP/stale.diff" | sed 's/^/    | /'
fi
# what the screens must hold, whatever the layout
expect_contains "$T_TMP/stale.out" "翻译过的课程"
expect_contains "$T_TMP/stale.out" "你好，两种语言"
expect_contains "$T_TMP/stale.out" "这一课已经译成中文"
expect_contains "$T_TMP/stale.out" "This page was translated, then its English changed"
expect_not_contains "$T_TMP/stale.out" "这一页翻译过"
expect_contains "$T_TMP/stale.out" "哪条命令加载内核模块？"
expect_contains "$T_TMP/stale.out" "任务：向日志问好"
expect_contains "$T_TMP/stale.out" "Make hi.c print 'hi' twice when it is loaded."
expect_not_contains "$T_TMP/stale.out" "让 hi.c 在加载时打印"
expect_not_contains "$T_TMP/stale.out" "kbridge translation of"
t_end

# No line of a screen is wider than the screen (80 columns, a Chinese character two) and
# no line starts with closing punctuation.
screen_lines_ok() {
	python3 - "$1" >"$T_TMP/lines.check" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/lines.check")"
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if line.startswith("=== screen"):
        continue
    assert width(line) <= 80, "line %d is %d columns: %s" % (n, width(line), line)
    body = line.lstrip(" │>")
    assert not body[:1] or body[0] not in "，。：；、）」！？", "line %d starts with punctuation: %s" % (n, line)
PY
}

t_begin "the built-in course in zh-CN at 80x24: timeline, page, quiz, task (screens)"
mkdir -p "$T_TMP/nokernel"
# the default workspace (~/kbridge-workspace, in this test's HOME): pages show it as written
KBRIDGE_HOME="$T_TMP/nokernel" "$KBRIDGE" --lang zh-CN shell --pack "$ROOT/lessons/core" \
	--replay "@$ROOT/tests/i18n/core.keys" --dump "$T_TMP/core.raw" >"$T_TMP/core.stdout" 2>&1
expect_status 0 $?
sed "s#$T_TMP#TMP#g" "$T_TMP/core.raw" >"$T_TMP/core.out"
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$T_TMP/core.out" "$ROOT/tests/i18n/core.ref"
elif ! diff -u "$ROOT/tests/i18n/core.ref" "$T_TMP/core.out" >"$T_TMP/core.diff"; then
	t_fail "the screens differ from tests/i18n/core.ref:"
	head -40 "$T_TMP/core.diff" | sed 's/^/    | /'
fi
expect_contains "$T_TMP/core.out" "入门：工作区、检查与时间线"
expect_contains "$T_TMP/core.out" "这里的每个任务都是实打实的内核开发。你修改的文件在自己的 Linux 6.12 源码树"
expect_contains "$T_TMP/core.out" "~/kbridge-workspace/linux"
expect_contains "$T_TMP/core.out" "2019 │ 内存安全问题被指为内核漏洞的主要来源"
expect_contains "$T_TMP/core.out" "任务的判定结果从哪里来？"
expect_contains "$T_TMP/core.out" "修改 orientation.c，让它在加载时打印"
expect_contains "$T_TMP/core.out" "UBSAN 只管报告：写操作照样执行"
# the shell's own words are Chinese: the bars, the tabs, the task's headings
expect_contains "$T_TMP/core.out" "时间线：共 16 课，已通过 0 课"
expect_contains "$T_TMP/core.out" " j/k 移动  Enter 打开  ? 帮助  q 退出"
expect_contains "$T_TMP/core.out" "  1 页面   2 小测   3 页面   4 任务   第 1/4 步：这门课怎么上"
expect_contains "$T_TMP/core.out" " e 编辑  c 检查  h 提示  d 差异  n/p 步骤  ? 帮助  q 返回"
expect_contains "$T_TMP/core.out" "内核：未安装"
expect_contains "$T_TMP/core.out" "文件（工作区创建后位于你的内核源码树中）："
expect_not_contains "$T_TMP/core.out" "Timeline:"
expect_not_contains "$T_TMP/core.out" " help "
# a line cut at the screen's edge says so
expect_contains "$T_TMP/core.out" "要解决的是内›"
screen_lines_ok "$T_TMP/core.out"
t_end

t_begin "the built-in course in zh-CN at 80x24: a check not passed, its log, then passed (screens)"
if [ ! -e "$KERNEL_HOME/stamps/build" ] || [ ! -e "$KERNEL_HOME/stamps/initramfs" ]; then
	t_fail "the course kernel is not set up in $KERNEL_HOME (kbridge setup)"
fi
CWS=$T_TMP/cws
KBRIDGE_HOME=$KERNEL_HOME "$KBRIDGE" start orientation --pack "$ROOT/lessons/core" --workspace "$CWS" \
	>"$T_TMP/cstart.out" 2>&1 || t_fail "kbridge start failed: $(tail -3 "$T_TMP/cstart.out")"
KBRIDGE_HOME=$KERNEL_HOME EDITOR=$ROOT/tests/ui/solution-editor.sh KB_SOLUTION=$ROOT/lessons/core/orientation/solution \
	"$KBRIDGE" --lang zh-CN shell --pack "$ROOT/lessons/core" --workspace "$CWS" \
	--replay "@$ROOT/tests/i18n/check.keys" --dump "$T_TMP/check.raw" >"$T_TMP/check.stdout" 2>&1
expect_status 0 $?
# what changes from run to run: paths, the name the check drew (always three digits), the
# seed (up to 15 digits: the replay command it ends goes on the next line or not, so the
# seed line is joined and empty lines are left out), the kernel's own lines in the log
# (what a boot prints and when depends on the machine's load: only the build's lines
# are compared, and a run of "CC [M]" lines in sorted order: make -j compiles them in
# either order)
sed -e "s#$CWS#WS#g" -e "s#$KERNEL_HOME#KBHOME#g" -e "s#$T_TMP#TMP#g" -e 's/\[ *[0-9]*\.[0-9]*\]/[ T ]/g' \
	-e 's/learner[0-9][0-9][0-9]/learnerNNN/g' "$T_TMP/check.raw" | python3 -c '
import re, sys
t = sys.stdin.read()
t = re.sub(r"种子 \d+ (\S+) 重放：kbridge check (\S+) --seed\s*\d+", r"种子 N \1 重放：kbridge check \2 --seed N", t)
out, kernel = [], False
for l in t.splitlines(True):
    if re.match(r" \[ T \]", l) or (kernel and re.match(r" {3}↪ ", l)):
        kernel = True   # a line of the kernel log, or its continuation
        continue
    kernel = False
    if l.strip():
        out.append(l)
# entries: a line and its continuations; runs of "CC [M]" entries sorted
entries = []
for l in out:
    if re.match(r" {3}↪ ", l) and entries:
        entries[-1] += l
    else:
        entries.append(l)
res, run = [], []
for e in entries + [None]:
    if e is not None and re.match(r" {3}CC \[M\]", e):
        run.append(e)
        continue
    res += sorted(run)
    run = []
    if e is not None:
        res.append(e)
sys.stdout.write("".join(res))' >"$T_TMP/check.out"
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$T_TMP/check.out" "$ROOT/tests/i18n/check.ref"
elif ! diff -u "$ROOT/tests/i18n/check.ref" "$T_TMP/check.out" >"$T_TMP/check.diff"; then
	t_fail "the screens differ from tests/i18n/check.ref:"
	head -60 "$T_TMP/check.diff" | sed 's/^/    | /'
fi
# not passed: the verdict, expected and seen, the keys, in Chinese; no "- s" for a time
expect_contains "$T_TMP/check.out" "orientation/greet 的检查结果"
expect_contains "$T_TMP/check.out" " 未通过  "
expect_contains "$T_TMP/check.out" "项未满足"
expect_contains "$T_TMP/check.out" "实际输出："
expect_contains "$T_TMP/check.out" "尚未通过：请对照预期和实际输出。"
expect_contains "$T_TMP/check.out" " l 日志  c 重查  j/k 滚动  e 编辑  ? 帮助  q 返回"
expect_contains "$T_TMP/check.out" "── 启动（串口控制台）"
expect_contains "$T_TMP/check.out" "种子 N · 重放：kbridge check orientation/greet --seed N"
# passed and recorded
expect_contains "$T_TMP/check.out" " 通过  "
expect_contains "$T_TMP/check.out" "项预期全部满足：编译 1 次，启动 1 次"
expect_contains "$T_TMP/check.out" "本课通过！你的文件已在工作区中提交为“pass orientation”。"
expect_contains "$T_TMP/check.out" "已通过 1/16 课"
expect_not_contains "$T_TMP/check.out" "- s"
expect_not_contains "$T_TMP/check.out" "seen:"
expect_not_contains "$T_TMP/check.out" "PASS"
git -C "$CWS/linux" log --format=%s -1 >"$T_TMP/clog" 2>&1
expect_contains "$T_TMP/clog" "pass orientation"
screen_lines_ok "$T_TMP/check.out"
t_end

t_begin "the same shell in English without --lang"
"$KBRIDGE" shell --pack "$FIX" --workspace "$T_TMP/none" --replay '<dump><Enter><dump>' \
	--dump "$T_TMP/en.out" >/dev/null 2>&1
expect_contains "$T_TMP/en.out" "Translated lessons"
expect_contains "$T_TMP/en.out" "A lesson translated into Chinese"
expect_not_contains "$T_TMP/en.out" "你好"
t_end

t_begin "the language from the environment, as gettext orders it, with only C.UTF-8 installed"
list() { "$KBRIDGE" "$@" list --pack "$FIX" --workspace "$T_TMP/none" 2>&1 | head -1; }
[ "$(LANG=zh_CN.UTF-8 LC_ALL= list)" = "翻译过的课程 0.1（适用于 Linux 6.12）- 共 1 课；工作区 $T_TMP/none（尚未创建）" ] ||
	t_fail "LANG=zh_CN.UTF-8: $(LANG=zh_CN.UTF-8 LC_ALL= list)"
LC_ALL=zh_CN.UTF-8 LANG=en_US.UTF-8 list | grep -q '^翻译过的课程' || t_fail "LC_ALL does not come before LANG"
LC_ALL= LC_MESSAGES=zh_CN.UTF-8 LANG=en_US.UTF-8 list | grep -q '^翻译过的课程' || t_fail "LC_MESSAGES does not come before LANG"
LANGUAGE=zh_CN:en LC_ALL= LANG=C.UTF-8 list | grep -q '^翻译过的课程' || t_fail "LANGUAGE is not read first"
LANGUAGE=en:zh_CN LC_ALL=zh_CN.UTF-8 list | grep -q '^Translated lessons' || t_fail "LANGUAGE=en:... is not English"
LANGUAGE=zh_CN LC_ALL=C list | grep -q '^Translated lessons' || t_fail "LANGUAGE counts in the C locale (gettext ignores it there)"
LC_ALL=zh_CN.UTF-8 list --lang en | grep -q '^Translated lessons' || t_fail "--lang en does not win over the environment"
list --lang=zh-CN | grep -q '^翻译过的课程' || t_fail "--lang=zh-CN"
"$KBRIDGE" --lang '!!' list --pack "$FIX" >"$T_TMP/bad.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/bad.out" "--lang !!: not a language"
t_end

t_begin "a check's texts in zh-CN: same keys, verdict and line in JSON, Chinese messages"
mkdir -p "$T_TMP/ws/samples/kbridge/hi"
cp "$FIX/hello/solution/samples/kbridge/hi/"* "$T_TMP/ws/samples/kbridge/hi/"
grep -v 'pr_info("hi\\n");' "$FIX/hello/solution/samples/kbridge/hi/hi.c" >"$T_TMP/ws/samples/kbridge/hi/hi.c"
echo '	pr_info("hi\n");' >>"$T_TMP/ws/samples/kbridge/hi/hi.c"
"$KBRIDGE" --lang zh-CN check hello/greet --pack "$FIX" --workspace "$T_TMP/ws" --format json >"$T_TMP/zh.json" 2>"$T_TMP/zh.err"
zs=$?
"$KBRIDGE" check hello/greet --pack "$FIX" --workspace "$T_TMP/ws" --format json >"$T_TMP/en.json" 2>"$T_TMP/en.err"
es=$?
expect_status $es $zs
python3 - "$T_TMP/en.json" "$T_TMP/zh.json" >"$T_TMP/cmp.out" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/cmp.out")"
import json, sys
en, zh = (json.load(open(p)) for p in sys.argv[1:3])
def keys(x):
    if isinstance(x, dict): return {k: keys(v) for k, v in x.items()}
    if isinstance(x, list): return [keys(v) for v in x]
    return None
assert keys(en) == keys(zh), "the JSON keys differ"
a, b = en["results"][0], zh["results"][0]
assert a["verdict"] == b["verdict"] == "fail", (a["verdict"], b["verdict"])
e, z = a["expectations"][0], b["expectations"][0]
assert e["met"] == z["met"] and e["line"] == z["line"]
assert e["expected"] == "hi.c calls pr_info() at least 2 times", e["expected"]
assert z["expected"] == "hi.c 至少调用 pr_info() 2 次", z["expected"]
assert z["seen"] == "hi.c 调用了 1 次", z["seen"]
assert z["hint"] == "打印两次 'hi'", z["hint"]
assert b["title"] == "向日志问好" and a["title"] == "Greet the log"
PY
t_end

t_begin "pack pot writes templates; msgmerge marks the changed entry fuzzy; the translator's fix passes"
cp -r "$FIX" "$T_TMP/fix"
"$KBRIDGE" pack pot "$T_TMP/fix" >"$T_TMP/pot.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/pot.out" "hello/po/lesson.pot: 18 strings"
expect_contains "$T_TMP/fix/hello/po/lesson.pot" 'msgctxt "task:greet/goal"'
expect_contains "$T_TMP/fix/hello/po/lesson.pot" "#: hello/lesson.lua:23"
expect_contains "$T_TMP/fix/hello/po/lesson.pot" 'msgid "hi.c calls pr_info() at least %s times"'
expect_contains "$T_TMP/fix/po/pack.pot" 'msgctxt "pack/description"'
msgfmt --check -o /dev/null "$T_TMP/fix/hello/po/lesson.pot" 2>"$T_TMP/msgfmt.err" || t_fail "msgfmt refuses the template: $(cat "$T_TMP/msgfmt.err")"
(cd "$T_TMP/fix/hello" && msgmerge --quiet --previous --update --backup=none po/zh-CN.po po/lesson.pot) || t_fail "msgmerge failed"
expect_contains "$T_TMP/fix/hello/po/zh-CN.po" "#| msgid \"Make hi.c print 'hi' when it is loaded.\""
"$KBRIDGE" pack validate --no-run --lang zh-CN "$T_TMP/fix" >"$T_TMP/v2.out" 2>&1
expect_contains "$T_TMP/v2.out" "已过时：task:greet/goal 翻译的是“Make hi.c print 'hi' twice when it is loaded.”（fuzzy）"
# the translator: a new msgstr, the fuzzy mark gone; the page again, with its new blob id
python3 - "$T_TMP/fix/hello/po/zh-CN.po" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = "".join(l for l in s.splitlines(True) if not l.startswith("#|") and l != "#, fuzzy\n")
s = s.replace("让 hi.c 在加载时打印 'hi'。", "让 hi.c 在加载时打印两次 'hi'。")
open(p, "w", encoding="utf-8").write(s)
PY
id=$(git hash-object "$T_TMP/fix/hello/changed.md")
printf '[//]: # (kbridge translation of changed.md %s)\n\n# 改过的一页\n\n这一页翻译过，后来英文改了。\n' "$id" >"$T_TMP/fix/hello/changed.zh-CN.md"
"$KBRIDGE" pack validate --no-run --lang zh-CN "$T_TMP/fix" >"$T_TMP/v3.out" 2>&1
expect_status 0 $?
expect_not_contains "$T_TMP/v3.out" "未使用"
expect_contains "$T_TMP/v3.out" "ok   zh-CN：22 个字符串中已翻译 22 个（0 个已过时，0 个未翻译）"
"$KBRIDGE" --lang zh-CN shell --pack "$T_TMP/fix" --workspace "$T_TMP/none" --replay '<Enter>nnn<dump>' \
	--dump "$T_TMP/fixed.out" >/dev/null 2>&1
expect_contains "$T_TMP/fixed.out" "让 hi.c 在加载时打印两次 'hi'。"
t_end

t_begin "a check's text reworded: the new one is untranslated, the old entry named as unused"
cp -r "$FIX" "$T_TMP/reword"
sed -i 's/hint = "print .hi. twice"/hint = "print it twice"/' "$T_TMP/reword/hello/lesson.lua"
"$KBRIDGE" pack validate --no-run --lang zh-CN "$T_TMP/reword" >"$T_TMP/rw.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/rw.out" "FAIL hello/lesson.lua:34: 未翻译：check “print it twice”"
expect_contains "$T_TMP/rw.out" "hello/po/zh-CN.po:81: 未使用：check “print 'hi' twice”已不是这课的字符串"
t_end

t_begin "a broken PO file: the lesson is shown in English, validate names the file and line"
cp -r "$FIX" "$T_TMP/broken"
printf 'msgctxt "x"\nmsgid "unterminated\n' >>"$T_TMP/broken/hello/po/zh-CN.po"
"$KBRIDGE" --lang zh-CN list --pack "$T_TMP/broken" --workspace "$T_TMP/none" >"$T_TMP/b.out" 2>"$T_TMP/b.err"
expect_status 0 $?
expect_contains "$T_TMP/b.out" "Hello, in two languages"
expect_contains "$T_TMP/b.err" "hello/po/zh-CN.po:"
expect_contains "$T_TMP/b.err" "(shown in English)"
"$KBRIDGE" pack validate --no-run --lang zh-CN "$T_TMP/broken" >"$T_TMP/b2.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/b2.out" "FAIL zh-CN: hello/po/zh-CN.po:"
t_end

t_begin "pack new: the example is translated and validates in zh-CN"
"$KBRIDGE" pack new "$T_TMP/new" >"$T_TMP/new.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/new.out" "hello/po/zh-CN.po, hello/intro.zh-CN.md"
"$KBRIDGE" pack validate --no-run --lang zh-CN "$T_TMP/new" >"$T_TMP/nv.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/nv.out" "ok   zh-CN：16 个字符串中已翻译 16 个"
"$KBRIDGE" --lang zh-CN shell --pack "$T_TMP/new" --workspace "$T_TMP/none" --replay '<Enter><dump>' \
	--dump "$T_TMP/new.screen" >/dev/null 2>&1
expect_contains "$T_TMP/new.screen" "你的任务：让这个模块向内核日志打印"
t_end

t_finish
