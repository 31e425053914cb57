#!/bin/sh
# Hostile lessons: each check of tests/fixtures/packs/hostile attacks the sandbox or the
# workspace boundary (line 8 of its lesson.lua). kbridge must stop each one with a clear
# message naming file and line, stay alive, and still run the lesson that behaves.
. "$(dirname "$0")/../lib.sh"
PACK=$(cd "$(dirname "$0")/../fixtures/packs/hostile" && pwd)
WS="$T_TMP/ws"
mkdir -p "$WS/kbridge"
echo "a note" > "$WS/kbridge/note.txt"
ln -s /etc/passwd "$WS/kbridge/link"
ln -s /etc "$WS/kbridge/linkdir"
rm -f /tmp/kbridge-hostile-pwned

"$KBRIDGE" check --all --pack "$PACK" --workspace "$WS" > "$T_TMP/out" 2>&1
status=$?

t_begin "kbridge survives every hostile lesson and reports each one"
expect_status 1 $status
expect_contains "$T_TMP/out" "PASS  good/t"
expect_contains "$T_TMP/out" "1 passed, 23 failed (23 could not run)"
expect_not_contains "$T_TMP/out" "Segmentation"
expect_not_contains "$T_TMP/out" "unknown error"
[ ! -e /tmp/kbridge-hostile-pwned ] || t_fail "os.execute ran"
t_end

hostile() { # id  message
	t_begin "hostile $1: stopped with '$2'"
	expect_contains "$T_TMP/out" "ERROR $1/t"
	expect_contains "$T_TMP/out" "    $1/lesson.lua:8: $2"
	t_end
}
hostile io "'io' is not available in a lesson"
hostile os "'os' is not available in a lesson"
hostile require "'require' is not available in a lesson"
hostile load "'load' is not available in a lesson"
hostile dofile "'dofile' is not available in a lesson"
hostile debug "'debug' is not available in a lesson"
hostile string-dump "string.dump is not available in a lesson"
hostile collectgarbage "'collectgarbage' is not available in a lesson"
hostile loop "the lesson ran too long"
hostile loop-pcall "the lesson ran too long"
hostile membomb "the lesson used too much memory (more than 64 MiB)"
hostile recursion "stack overflow"
hostile dotdot "kb.read('../../etc/passwd'): '..' is not allowed"
hostile absolute "kb.read('/etc/passwd'): '/etc/passwd' is absolute"
hostile symlink "kb.read('kbridge/link'): 'link' is a symbolic link"
hostile symlink-dir "kb.read('kbridge/linkdir/passwd'): 'linkdir' is a symbolic link"
hostile build-escape "kb.build('../..'): '..' is not allowed"
hostile error-table "error() was called with a table value"
hostile error-nil "error() was called with nil"
hostile env-metatable "cannot change a protected metatable"
hostile global-write "assignment to undeclared global 'helper'"
hostile gc-finalizer "__gc metamethods are not available in a lesson"

t_begin "a lesson that loops at load time is stopped by the load budget; the others load"
expect_contains "$T_TMP/out" "ERROR load-loop/load"
expect_contains "$T_TMP/out" "load-loop/lesson.lua:3: the lesson ran too long"
t_end

t_begin "the same lessons one at a time: each its own verdict, exit status 1"
"$KBRIDGE" check string-dump --pack "$PACK" --workspace "$WS" > "$T_TMP/one" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/one" "string-dump/lesson.lua:8: string.dump is not available in a lesson"
"$KBRIDGE" check good/t --pack "$PACK" --workspace "$WS" > "$T_TMP/good" 2>&1
expect_status 0 $?
t_end

t_finish
