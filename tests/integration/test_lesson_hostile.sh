#!/bin/sh
# Hostile lessons: each check of tests/fixtures/packs/hostile attacks the sandbox or the
# workspace boundary (line 8 of its lesson.lua). kbridge must stop each one with a clear
# message naming file and line, stay alive, and still run the lesson that behaves.
# Then hostile packs made here: symbolic links and special files in a pack (a page, a
# solution file, a lesson folder, a file of a git-cloned pack) refused with nothing read
# or copied, and a check that prints and reports 30 MiB kept under the caps.
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

# ---- packs are plain files --------------------------------------------------------------

SECRET="$T_TMP/secret"
echo "TOP-SECRET-4242" > "$SECRET"
LAB=$(cd "$(dirname "$0")/../fixtures/labpack" && pwd)
export XDG_CACHE_HOME="$T_TMP/cache"
mkpack() {   # mkpack DIR: a copy of the lab fixture pack (lesson square) to spoil
	rm -rf "$1"
	cp -R "$LAB" "$1"
}
SOL=square/solution/samples/kbridge/square

t_begin "a page that is a symbolic link to /etc/shadow: the pack is refused, the page never shown"
mkpack "$T_TMP/p-page"
ln -sf /etc/shadow "$T_TMP/p-page/square/intro.md"
"$KBRIDGE" list --pack "$T_TMP/p-page" > "$T_TMP/page.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/page.out" "square/intro.md is a symbolic link (to /etc/shadow): a lesson pack holds only plain files"
"$KBRIDGE" shell --pack "$T_TMP/p-page" --workspace "$T_TMP/ws-page" --replay '<Enter><Enter>q' --dump "$T_TMP/page.dump" \
	> "$T_TMP/page-shell.out" 2>&1
[ $? -ne 0 ] || t_fail "the shell opened a pack with a symlinked page"
expect_contains "$T_TMP/page-shell.out" "square/intro.md is a symbolic link"
expect_not_contains "$T_TMP/page-shell.out" "root:"
[ ! -s "$T_TMP/page.dump" ] || ! grep -q "root:" "$T_TMP/page.dump" || t_fail "the shell showed /etc/shadow"
t_end

t_begin "a solution file that is a symbolic link: start, solution, export and validate refuse it; nothing is copied"
mkpack "$T_TMP/p-sol"
rm "$T_TMP/p-sol/$SOL/Kbuild"
ln -s "$SECRET" "$T_TMP/p-sol/$SOL/Kbuild"
"$KBRIDGE" start square --pack "$T_TMP/p-sol" --workspace "$T_TMP/ws-sol" > "$T_TMP/sol.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/sol.out" "$SOL/Kbuild is a symbolic link (to $SECRET)"
"$KBRIDGE" solution square --reveal --pack "$T_TMP/p-sol" --workspace "$T_TMP/ws-sol" > "$T_TMP/sol2.out" 2>&1
[ $? -ne 0 ] || t_fail "kbridge solution showed a symlinked solution"
"$KBRIDGE" pack export "$T_TMP/p-sol" square "$T_TMP/export" > "$T_TMP/sol3.out" 2>&1
[ $? -ne 0 ] || t_fail "pack export copied a symlinked solution"
"$KBRIDGE" pack validate "$T_TMP/p-sol" > "$T_TMP/sol4.out" 2>&1
[ $? -ne 0 ] || t_fail "pack validate accepted a symlinked solution"
for f in sol2 sol3 sol4; do expect_contains "$T_TMP/$f.out" "$SOL/Kbuild is a symbolic link"; done
cat "$T_TMP"/sol*.out > "$T_TMP/sol-all.out"
expect_not_contains "$T_TMP/sol-all.out" "TOP-SECRET-4242"
if grep -rqs "TOP-SECRET-4242" "$T_TMP/ws-sol" "$T_TMP/export"; then t_fail "the secret was copied"; fi
t_end

t_begin "a starter file, helpers.lua or pack.lua that is a symbolic link, a fifo page: refused, naming the file"
mkpack "$T_TMP/p-more"
mkdir -p "$T_TMP/p-more/square/starter/samples/kbridge/square"
ln -s "$SECRET" "$T_TMP/p-more/square/starter/samples/kbridge/square/square.c"
"$KBRIDGE" list --pack "$T_TMP/p-more" > "$T_TMP/starter.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/starter.out" "square/starter/samples/kbridge/square/square.c is a symbolic link"
mkpack "$T_TMP/p-helpers"
ln -s "$SECRET" "$T_TMP/p-helpers/helpers.lua"
"$KBRIDGE" list --pack "$T_TMP/p-helpers" > "$T_TMP/helpers.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/helpers.out" "helpers.lua is a symbolic link"
mkpack "$T_TMP/p-packlua"
mv "$T_TMP/p-packlua/pack.lua" "$T_TMP/real-pack.lua"
ln -s "$T_TMP/real-pack.lua" "$T_TMP/p-packlua/pack.lua"
"$KBRIDGE" list --pack "$T_TMP/p-packlua" > "$T_TMP/packlua.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/packlua.out" "pack.lua is a symbolic link"
mkpack "$T_TMP/p-fifo"
rm "$T_TMP/p-fifo/square/intro.md"
mkfifo "$T_TMP/p-fifo/square/intro.md"
timeout 20 "$KBRIDGE" list --pack "$T_TMP/p-fifo" > "$T_TMP/fifo.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/fifo.out" "square/intro.md is a named pipe"
t_end

t_begin "a lesson folder that is a symbolic link to a folder outside the pack: refused"
mkpack "$T_TMP/p-dir"
mv "$T_TMP/p-dir/square" "$T_TMP/outside-square"
ln -s "$T_TMP/outside-square" "$T_TMP/p-dir/square"
"$KBRIDGE" start square --pack "$T_TMP/p-dir" --workspace "$T_TMP/ws-dir" > "$T_TMP/dir.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/dir.out" "square is a symbolic link (to $T_TMP/outside-square)"
[ ! -e "$T_TMP/ws-dir/linux/samples/kbridge/square" ] || t_fail "files of the linked lesson were copied"
t_end

t_begin "a git-cloned pack with a symbolic link inside: refused, naming the file; nothing copied"
mkpack "$T_TMP/repo"
rm "$T_TMP/repo/$SOL/square.c"
ln -s "$SECRET" "$T_TMP/repo/$SOL/square.c"
git -C "$T_TMP/repo" init -q
git -C "$T_TMP/repo" add -A
git -C "$T_TMP/repo" -c user.name=t -c user.email=t@example.org commit -qm "a pack with a link"
git -C "$T_TMP/repo" ls-files -s "$SOL/square.c" | grep -q "^120000" || t_fail "the test repository holds no symlink"
"$KBRIDGE" start square --pack "file://$T_TMP/repo" --workspace "$T_TMP/ws-git" > "$T_TMP/git.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/git.out" "$SOL/square.c is a symbolic link (to $SECRET)"
if grep -rqs "TOP-SECRET-4242" "$T_TMP/ws-git"; then t_fail "the secret was copied from the git pack"; fi
t_end

# ---- bounded output ---------------------------------------------------------------------

t_begin "a check that prints and reports 30 MiB: text, JUnit, TAP and JSON stay under the caps, with notes of what was cut"
mkdir -p "$T_TMP/flood/flood/solution/kbridge" "$T_TMP/ws-flood/kbridge"
echo note > "$T_TMP/flood/flood/solution/kbridge/note.txt"
echo note > "$T_TMP/ws-flood/kbridge/note.txt"
cat > "$T_TMP/flood/pack.lua" <<'LUA'
pack { name = "flood", version = "1", kernel = "6.12", lessons = { "flood" } }
LUA
cat > "$T_TMP/flood/flood/lesson.lua" <<'LUA'
lesson {
  id = "flood", title = "a check that floods its report",
  history = { year = 2026, milestone = "sandbox test", source = "kbridge tests" },
  steps = { task {
    id = "t", goal = "flood the report", files = { "kbridge/note.txt" },
    check = function(kb)
      local mib = ("x"):rep(1024 * 1024)
      for i = 1, 30 do print(mib) end                       -- 30 MiB printed
      local big = ("<&\"y"):rep(30 * 256 * 1024)            -- 30 MiB, all to escape in XML
      kb.expect(false, big, { seen = big, hint = big, where = big })
      for i = 1, 2000 do kb.expect(i % 2 == 0, "expectation " .. i, { seen = mib }) end
    end,
  } },
}
LUA
"$KBRIDGE" check flood --pack "$T_TMP/flood" --workspace "$T_TMP/ws-flood" > "$T_TMP/flood.txt" 2>&1
expect_status 1 $?
"$KBRIDGE" check flood --pack "$T_TMP/flood" --workspace "$T_TMP/ws-flood" --format junit > "$T_TMP/flood.xml" 2> "$T_TMP/flood.err"
expect_status 1 $?
"$KBRIDGE" check flood --pack "$T_TMP/flood" --workspace "$T_TMP/ws-flood" --format tap > "$T_TMP/flood.tap" 2>&1
"$KBRIDGE" check flood --pack "$T_TMP/flood" --workspace "$T_TMP/ws-flood" --format json > "$T_TMP/flood.json" 2>&1
for f in flood.txt flood.xml flood.tap flood.json; do
	size=$(wc -c < "$T_TMP/$f")
	echo "# $f: $size bytes"
	[ "$size" -lt 1048576 ] || t_fail "$f holds $size bytes: the caps did not hold"
done
expect_contains "$T_TMP/flood.txt" "FAIL  flood/t"
expect_contains "$T_TMP/flood.txt" "bytes left out (one print is cut at 4096 bytes)"
expect_contains "$T_TMP/flood.txt" "more bytes of print left out (a check's print is capped at 64 KiB)"
expect_contains "$T_TMP/flood.txt" "bytes left out (seen is cut at 4096 bytes)"
expect_contains "$T_TMP/flood.txt" "bytes left out (an expectation is cut at 1024 bytes)"
expect_contains "$T_TMP/flood.txt" "1746 more expectations left out (873 not met): a check records at most 256"
expect_contains "$T_TMP/flood.xml" "bytes left out (seen is cut at 4096 bytes)"
expect_contains "$T_TMP/flood.xml" "<failure type=\"expectation\""
if command -v python3 > /dev/null; then
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T_TMP/flood.xml" ||
		t_fail "the JUnit report is not well-formed XML"
	python3 -c 'import sys, json; json.load(open(sys.argv[1]))' "$T_TMP/flood.json" || t_fail "the JSON report does not parse"
fi
t_end

# ---- limits a check runs under, and the build sandbox (tests/fixtures/packs/hostile-limits)
# The checks run in a process of their own: a limit, a signal or the shell's q ends them
# whatever the Lua does. Builds and boots need the course kernel (kbridge setup).
LIM=$(cd "$(dirname "$0")/../fixtures/packs/hostile-limits" && pwd)
HOME_K=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
LWS="$T_TMP/lws"
mkdir -p "$LWS/kbridge" "$T_TMP/home"
echo "a note" > "$LWS/kbridge/note.txt"
evil_module() { # folder  extra Kbuild lines
	mkdir -p "$LWS/kbridge/$1"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' > "$LWS/kbridge/$1/evil.c"
	printf '%s\nobj-m := evil.o\n' "$2" > "$LWS/kbridge/$1/Kbuild"
}
evil_module evil-home '$(shell touch $(HOME)/kbridge-pwned)'
# a socket to a listener of this test on the host's loopback: it writes a file when reached
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
while True:
    c, _ = s.accept(); open(sys.argv[2], "w").write("reached\n"); c.close()
' "$PORT" "$T_TMP/net-reached" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; rm -rf "$T_TMP"' EXIT
evil_module evil-net '$(info NET=$(shell python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $(KBTEST_PORT)), 3); print(\"connected\")" 2>&1 | tail -1))'
evil_module evil-slow '$(shell sleep 120)'
lim() { # the kbridge command line, with this test's HOME (the course kernel's stays)
	env HOME="$T_TMP/home" KBRIDGE_HOME="$HOME_K" KBTEST_PORT=$PORT "$KBRIDGE" "$@"
}

TAB=$(printf '\t')
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# the pids of every process below $1
descendants() {
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
# start `lim check $1`, wait until a process whose command matches $2 runs below it (or
# $3 s), send SIGTERM; sets FOUND (1 when it ran), TERM_MS (how long kbridge took to
# end), TERM_RC, LEFT (what is still alive of what ran below it)
term_check() {
	env HOME="$T_TMP/home" KBRIDGE_HOME="$HOME_K" KBTEST_PORT=$PORT \
		"$KBRIDGE" check "$1" --pack "$LIM" --workspace "$LWS" > "$T_TMP/term.out" 2>&1 &
	_pid=$!
	_t=0
	FOUND=0
	_below=''
	while [ $_t -lt $(($3 * 10)) ]; do
		sleep 0.1
		_t=$((_t + 1))
		_below=$(descendants $_pid)
		if [ -n "$_below" ] && ps -o args= -p "$(echo $_below | tr ' ' ,)" 2>/dev/null | grep -q -- "$2"; then
			FOUND=1
			break
		fi
	done
	_below=$(descendants $_pid)
	_t0=$(now_ms)
	kill -TERM $_pid
	wait $_pid
	TERM_RC=$?
	TERM_MS=$(( $(now_ms) - _t0 ))
	sleep 0.2
	LEFT=''
	for p in $_below; do
		# a zombie waiting for init to reap it is gone too
		_st=$(ps -o stat= -p "$p" 2>/dev/null)
		case "$_st" in ''|Z*) ;; *) LEFT="$LEFT $p($(ps -o comm= -p "$p"))" ;; esac
	done
}

t_begin "a pattern that backtracks for hours is stopped at the task's 3 s limit"
_t0=$(now_ms)
lim check pattern --pack "$LIM" --workspace "$LWS" > "$T_TMP/pattern" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/pattern" "ERROR pattern/t"
expect_contains "$T_TMP/pattern" "pattern/lesson.lua:7: the check ran past its time limit of 3 s and was stopped"
_took=$(( $(now_ms) - _t0 ))
[ $_took -lt 6000 ] || t_fail "it took $_took ms"
t_end

t_begin "the same verdict in every format"
lim check pattern --pack "$LIM" --workspace "$LWS" --format json > "$T_TMP/pattern.json" 2>&1
expect_contains "$T_TMP/pattern.json" "\"verdict\":$TAB\"error\""
expect_contains "$T_TMP/pattern.json" "the check ran past its time limit of 3 s"
lim check pattern --pack "$LIM" --workspace "$LWS" --format junit > "$T_TMP/pattern.xml" 2>&1
expect_contains "$T_TMP/pattern.xml" "the check ran past its time limit of 3 s"
t_end

t_begin "kbridge check on it ends within 2 s of SIGTERM, and nothing of it is left"
term_check pattern-forever 'check pattern-forever' 10
[ $FOUND = 1 ] || t_fail "the check's own process never ran below kbridge"
echo "    SIGTERM to exit: $TERM_MS ms"
[ $TERM_MS -lt 2000 ] || t_fail "it took $TERM_MS ms"
[ -z "$LEFT" ] || t_fail "still running:$LEFT"
expect_contains "$T_TMP/term.out" "interrupted"
t_end

t_begin "SIGINT too"
env HOME="$T_TMP/home" KBRIDGE_HOME="$HOME_K" "$KBRIDGE" check pattern-forever --pack "$LIM" \
	--workspace "$LWS" > "$T_TMP/int.out" 2>&1 &
_pid=$!
sleep 1
_t0=$(now_ms)
kill -INT $_pid
wait $_pid
_took=$(( $(now_ms) - _t0 ))
echo "    SIGINT to exit: $_took ms"
[ $_took -lt 2000 ] || t_fail "it took $_took ms"
expect_contains "$T_TMP/int.out" "interrupted"
t_end

t_begin "a build that never ends: SIGTERM ends kbridge, make and what it ran within 2 s"
term_check build-forever 'sleep 120' 60
[ $FOUND = 1 ] || t_fail "'sleep 120' never ran below kbridge"
echo "    SIGTERM to exit: $TERM_MS ms"
[ $TERM_MS -lt 2000 ] || t_fail "it took $TERM_MS ms"
[ -z "$LEFT" ] || t_fail "still running:$LEFT"
t_end

t_begin "a loop of 1000 boots: SIGTERM during a boot leaves no QEMU"
term_check boot-loop 'qemu-system' 60
[ $FOUND = 1 ] || t_fail "'qemu-system' never ran below kbridge"
echo "    SIGTERM to exit: $TERM_MS ms"
[ $TERM_MS -lt 2000 ] || t_fail "it took $TERM_MS ms"
[ -z "$LEFT" ] || t_fail "still running:$LEFT"
t_end

t_begin "a loop of 1000 boots is cut off after 8 (the default limit)"
lim check boot-loop --pack "$LIM" --workspace "$LWS" --format json > "$T_TMP/boots.json" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/boots.json" "kb.boot: the check already started 8 boots, the most it may"
expect_contains "$T_TMP/boots.json" "\"boots\":$TAB8"
t_end

t_begin "caught with pcall, the loop is still cut off (limits.boots = 2) and the check fails"
lim check boot-loop-pcall --pack "$LIM" --workspace "$LWS" --format json > "$T_TMP/boots2.json" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/boots2.json" "\"verdict\":$TAB\"error\""
expect_contains "$T_TMP/boots2.json" "kb.boot: the check already started 2 boots"
expect_contains "$T_TMP/boots2.json" "\"boots\":$TAB2"
t_end

t_begin "a Kbuild's \$(shell touch \$HOME/x) writes nothing: the file system is read-only"
rm -f "$T_TMP/home/kbridge-pwned"
lim check build-home --pack "$LIM" --workspace "$LWS" > "$T_TMP/home.out" 2>&1
expect_contains "$T_TMP/home.out" "PASS  build-home/t"
[ ! -e "$T_TMP/home/kbridge-pwned" ] || t_fail "the Kbuild wrote into HOME"
# the same build unconfined does write it: the attack is real
lim --no-sandbox check build-home --pack "$LIM" --workspace "$LWS" > "$T_TMP/home2.out" 2>&1
[ -e "$T_TMP/home/kbridge-pwned" ] || t_fail "unconfined, the Kbuild did not write into HOME either: the test proves nothing"
t_end

t_begin "a Kbuild cannot open a network socket (the loopback listener is not reached)"
rm -f "$T_TMP/net-reached"
lim check build-net --pack "$LIM" --workspace "$LWS" --format json > "$T_TMP/net.json" 2>&1
expect_contains "$T_TMP/net.json" "\"verdict\":$TAB\"pass\""
[ ! -e "$T_TMP/net-reached" ] || t_fail "the Kbuild reached the host's listener"
KBRIDGE_NO_SANDBOX=1 lim check build-net --pack "$LIM" --workspace "$LWS" > "$T_TMP/net2.out" 2>&1
[ -e "$T_TMP/net-reached" ] || t_fail "unconfined, the Kbuild did not reach the listener either: the test proves nothing"
t_end

t_begin "without namespaces, a build says so in one line with the fix, and runs nothing"
mkdir -p "$T_TMP/nobwrap"
printf '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' > "$T_TMP/nobwrap/bwrap"
chmod +x "$T_TMP/nobwrap/bwrap"
rm -f "$T_TMP/home/kbridge-pwned"
PATH="$T_TMP/nobwrap:$PATH" lim check build-home --pack "$LIM" --workspace "$LWS" > "$T_TMP/nons.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/nons.out" "bwrap cannot make namespaces here (bwrap: No permissions to create new namespace)"
expect_contains "$T_TMP/nons.out" "run unconfined with --no-sandbox or KBRIDGE_NO_SANDBOX=1"
[ ! -e "$T_TMP/home/kbridge-pwned" ] || t_fail "the build ran unconfined"
PATH="$T_TMP/nobwrap:$PATH" lim doctor > "$T_TMP/doctor.out" 2>&1
expect_contains "$T_TMP/doctor.out" "MISSING build sandbox"
t_end

kill $LISTENER 2>/dev/null

t_finish
