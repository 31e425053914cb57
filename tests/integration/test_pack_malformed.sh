#!/bin/sh
# Malformed packs (tests/fixtures/packs/malformed): `kbridge pack validate` gives one clear
# message for each, naming the file and the line, and fails.
. "$(dirname "$0")/../lib.sh"
M=$(cd "$(dirname "$0")/../fixtures/packs/malformed" && pwd)

malformed() { # pack  message
	t_begin "malformed $1: $2"
	"$KBRIDGE" pack validate --no-run "$M/$1" > "$T_TMP/$1.out" 2>&1
	expect_status 1 $?
	expect_contains "$T_TMP/$1.out" "$2"
	n=$(grep -c '^FAIL' "$T_TMP/$1.out")
	[ "$n" = 1 ] || t_fail "expected exactly one failing finding, got $n"
	t_end
}

t_begin "the well-formed twin of these packs validates"
"$KBRIDGE" pack validate --no-run "$M/good" > "$T_TMP/good.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/good.out" "6 passed, 0 failed"
t_end

malformed syntax "one/lesson.lua:4: '}' expected (to close '{' at line 1) near 'history'"
malformed missing-field "one/lesson.lua:1: lesson has no 'title'"
malformed wrong-type "one/lesson.lua:1: lesson.history.year must be a number (e.g. 2022), not a string"
malformed unknown-field "one/lesson.lua:1: lesson has an unknown field 'titel'"
malformed unknown-lesson "pack.lua:7: lesson 'ghost' is listed but there is no ghost/lesson.lua"
malformed missing-file "one/lesson.lua:8: task 'task1': file one/solution/samples/kbridge/one/one.c not found"
malformed missing-page "one/lesson.lua:6: page file 'intro.md' not found in one/"
malformed bad-quiz "one/lesson.lua:7: quiz 'quiz1': answer 5 is not a choice (there are 3)"
malformed no-answer "one/lesson.lua:7: quiz 'quiz1' has no 'answer'"
malformed dup-id "one/lesson.lua:8: id 'quiz1' is used twice in lesson 'one'"
malformed todo-unbalanced "one/solution/samples/kbridge/one/one.c:5: TODO-BEGIN without TODO-END"
malformed pack-syntax "pack.lua:4: '}' expected (to close '{' at line 1) near 'kernel'"
malformed pack-missing "pack.lua:1: pack has no 'version'"
malformed helpers-syntax "helpers.lua:4: 'end' expected (to close 'function' at line 2) near 'return'"
malformed helpers-not-table "helpers.lua: must end with 'return { ... }' (a table of helpers), not a nil"
malformed pack-kernel "pack.lua:1: pack 'pack-kernel' is written for Linux 7.2; this kbridge's course kernel is 6.12 ("

t_begin "check names an unknown lesson id and lists the pack's lessons"
mkdir -p "$T_TMP/ws"
"$KBRIDGE" check nosuch --pack "$M/good" --workspace "$T_TMP/ws" > "$T_TMP/nosuch.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/nosuch.out" "no lesson 'nosuch' in the pack good (its lessons: one)"
t_end

t_begin "check and pack answer --help"
"$KBRIDGE" check --help > "$T_TMP/h1" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/h1" "--format F"
"$KBRIDGE" pack --help > "$T_TMP/h2" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/h2" "kbridge pack validate"
t_end

t_finish
