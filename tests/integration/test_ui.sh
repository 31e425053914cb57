#!/bin/sh
# The shell's screens, without a terminal: each tests/ui/NAME.keys is replayed by
# `kbridge shell --replay @NAME.keys --dump OUT` (curses on newterm, no tty) and the
# dumped screens are compared with tests/ui/NAME.ref, tig's way: TERM, LINES, COLUMNS,
# TZ, HOME and the locale pinned. A .keys file's second line says what it needs:
#   pack: ui|check|history   workspace: none|shared   editor: solution   home: empty   keep: yes
#   progress: unwritable (progress.json cannot be written: the shell must say so)
# The shared workspace is a real one (a clone of the course kernel tree) with the
# fixture lesson rust-hello started; before each test its progress and files go back to
# the start unless "keep: yes". UPDATE=1 rewrites the .ref files from what is shown now.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UI=$ROOT/tests/ui
export KBRIDGE_HOME="${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}"
export TERM=xterm LINES=30 COLUMNS=100 TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8
export HOME="$T_TMP/home"
unset NO_COLOR VISUAL EDITOR KBRIDGE_PACK KBRIDGE_WORKSPACE
mkdir -p "$HOME"
WS=$T_TMP/ws
HIST=$ROOT/tests/fixtures/packs/history

t_begin "shared workspace for the screen tests"
if "$KBRIDGE" start rust-hello --pack "$HIST" --workspace "$WS" >"$T_TMP/start.out" 2>&1; then
	cp "$WS/progress.json" "$T_TMP/progress.start"
else
	t_fail "kbridge start failed"
	cat "$T_TMP/start.out"
fi
t_end

# normalise what changes from run to run: temporary paths, the kernel's timestamps, the
# seed a check drew its inputs from
normalise() {
	sed -e "s#$WS#WS#g" -e "s#$KBRIDGE_HOME#KBHOME#g" -e "s#$T_TMP#TMP#g" \
	    -e 's/\[ *[0-9]*\.[0-9]*\]/[ T ]/g' -e 's/seed [0-9][0-9]*/seed N/g' "$1"
}

# "progress: unwritable": the workspace's progress.json cannot be replaced (immutable for
# root, who ignores permissions; a folder without write permission for anyone else)
progress_lock() {
	if [ "$(id -u)" = 0 ]; then
		chattr +i "$1/progress.json" || t_fail "chattr +i failed: cannot make progress.json unwritable here"
	else
		chmod a-w "$1"
	fi
}
progress_unlock() {
	if [ "$(id -u)" = 0 ]; then chattr -i "$1/progress.json"; else chmod u+w "$1"; fi
}

for keys in "$UI"/*.keys; do
	name=$(basename "$keys" .keys)
	t_begin "screens: $name ($(sed -n 1p "$keys" | sed 's/^# //'))"
	spec=$(sed -n 2p "$keys")
	pack=$HIST
	case $spec in *"pack: ui"*) pack=$UI/pack ;; *"pack: check"*) pack=$UI/checkpack ;; esac
	ws=$T_TMP/none-$name
	case $spec in *"workspace: shared"*) ws=$WS ;; esac
	if [ "$ws" = "$WS" ] && ! echo "$spec" | grep -q "keep: yes"; then
		cp "$T_TMP/progress.start" "$WS/progress.json"
		"$KBRIDGE" reset rust-hello --pack "$HIST" --workspace "$WS" >/dev/null 2>&1
	fi
	home=$KBRIDGE_HOME
	case $spec in *"home: empty"*) home=$T_TMP/empty-home; mkdir -p "$home" ;; esac
	editor=
	case $spec in *"editor: solution"*) editor=$UI/solution-editor.sh ;; esac
	out=$T_TMP/$name.out
	unwritable=
	case $spec in *"progress: unwritable"*) unwritable=$ws/progress.json; progress_lock "$ws" ;; esac
	KBRIDGE_HOME=$home EDITOR=$editor KB_SOLUTION=$HIST/rust-hello/solution \
		"$KBRIDGE" shell --pack "$pack" --workspace "$ws" --replay "@$keys" --dump "$out.raw" \
		>"$T_TMP/$name.stdout" 2>&1
	status=$?
	if [ -n "$unwritable" ]; then
		progress_unlock "$ws"
		# the shell said so on leaving, with status 1; the file is as it was
		expect_status 1 $status
		expect_contains "$T_TMP/$name.stdout" "your progress could not be saved"
		expect_contains "$T_TMP/$name.stdout" "Your files in the workspace are kept"
		cmp -s "$unwritable" "$T_TMP/progress.start" || t_fail "progress.json changed though it could not be written"
	else
		expect_status 0 $status
	fi
	normalise "$out.raw" >"$out"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$out" "$UI/$name.ref"
	elif ! diff -u "$UI/$name.ref" "$out" >"$T_TMP/$name.diff"; then
		t_fail "the screens differ from $name.ref:"
		head -60 "$T_TMP/$name.diff" | sed 's/^/    | /'
	fi
	if [ "$name" = check-pass ]; then
		# the pass is recorded: the passed flag, an attempt, a "pass" commit
		expect_contains "$WS/progress.json" '"passed":	true'
		expect_contains "$WS/progress.json" '"attempts":	1'
		git -C "$WS/linux" log --format=%s -1 >"$T_TMP/log"
		expect_contains "$T_TMP/log" "pass rust-hello"
	fi
	t_end
done

t_begin "the step and the hints are saved in progress"
cp "$T_TMP/progress.start" "$WS/progress.json"
"$KBRIDGE" shell --pack "$HIST" --workspace "$WS" --replay 'G<Enter>nnh' --dump /dev/null
expect_contains "$WS/progress.json" '"step":	2'
expect_contains "$WS/progress.json" '"hints":	1'
t_end

t_begin "the timeline opens at the first lesson not passed, not at the one opened last"
cp "$T_TMP/progress.start" "$WS/progress.json"
# rust-hello, the last of the three, is the one opened last (started there); kunit-add,
# the first, is not passed: the cursor is there, its details below
grep -q '"current":	"rust-hello"' "$WS/progress.json" || t_fail "progress.json names no current lesson rust-hello"
"$KBRIDGE" shell --pack "$HIST" --workspace "$WS" --replay '<dump>' --dump "$T_TMP/place.out" >/dev/null 2>&1
expect_contains "$T_TMP/place.out" " kunit-add: 1 page, 0 quizzes, 1 task"
expect_not_contains "$T_TMP/place.out" " rust-hello: "
t_end

t_begin "a second shell on the same workspace is refused"
flock "$WS/.lock" sleep 3 &
sleep 0.3
"$KBRIDGE" shell --pack "$HIST" --workspace "$WS" --replay 'q' --dump /dev/null >"$T_TMP/lock.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/lock.out" "in use by another kbridge"
expect_contains "$T_TMP/lock.out" "Only one kbridge window"
wait
t_end

t_begin "beside an open shell, list, diff and solution read the workspace; hint, which records, is refused"
flock "$WS/.lock" sleep 5 &
sleep 0.3
"$KBRIDGE" list --pack "$HIST" --workspace "$WS" >"$T_TMP/ro-list.out" 2>&1
st=$?
expect_status 0 $st
[ $st -eq 0 ] || sed "s/^/    | /" "$T_TMP/ro-list.out"
expect_contains "$T_TMP/ro-list.out" "kunit-add"
"$KBRIDGE" diff rust-hello --pack "$HIST" --workspace "$WS" >"$T_TMP/ro-diff.out" 2>&1
st=$?
expect_status 0 $st
[ $st -eq 0 ] || sed "s/^/    | /" "$T_TMP/ro-diff.out"
"$KBRIDGE" solution rust-hello --pack "$HIST" --workspace "$WS" >"$T_TMP/ro-sol.out" 2>&1
expect_contains "$T_TMP/ro-sol.out" "is shown once you pass it"
expect_not_contains "$T_TMP/ro-sol.out" "in use by another kbridge"
cp "$WS/progress.json" "$T_TMP/ro-progress.before"
"$KBRIDGE" hint rust-hello --pack "$HIST" --workspace "$WS" >"$T_TMP/ro-hint.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/ro-hint.out" "in use by another kbridge"
expect_contains "$T_TMP/ro-hint.out" "list, diff and solution work beside it"
cmp -s "$WS/progress.json" "$T_TMP/ro-progress.before" || t_fail "a refused hint changed progress.json"
wait
t_end

t_begin "kbridge shell --help names the keys' help and the options"
"$KBRIDGE" shell --help >"$T_TMP/help.out"
expect_contains "$T_TMP/help.out" "--workspace DIR"
expect_contains "$T_TMP/help.out" "Press ? in the shell"
t_end

t_begin "without a terminal the shell says so"
"$KBRIDGE" shell --pack "$HIST" --workspace "$T_TMP/x" </dev/null >"$T_TMP/notty.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/notty.out" "needs a terminal"
t_end

# ---- the real binary on a real terminal: tmux ---------------------------------------------
# Each screen the smoke test reaches is kept in $SCREENS (docs/screens.md is made from them
# with SCREENS=docs/screens).
if command -v tmux >/dev/null 2>&1; then
	TM=kbui$$
	SCREENS=${SCREENS:-$T_TMP/screens}
	mkdir -p "$SCREENS"
	# wait until the pane shows $1 (up to $2 seconds)
	wait_for() {
		i=0
		while [ $i -lt $((${2:-10} * 10)) ]; do
			tmux capture-pane -p -t $TM >"$T_TMP/pane" 2>/dev/null
			grep -qF -- "$1" "$T_TMP/pane" && return 0
			sleep 0.1
			i=$((i + 1))
		done
		t_fail "the screen never showed '$1'; it showed:"
		sed 's/^/    | /' "$T_TMP/pane"
		return 1
	}
	shot() { tmux capture-pane -p -t $TM >"$SCREENS/$1.txt"; }
	keys() { tmux send-keys -t $TM "$@"; }

	t_begin "tmux: open, lesson, hint, quiz, failing and passing checks, diff, quit; terminal sane"
	cp "$T_TMP/progress.start" "$WS/progress.json"
	"$KBRIDGE" reset rust-hello --pack "$HIST" --workspace "$WS" >/dev/null 2>&1
	rm -f "$WS/linux/samples/kbridge/hello/"*.ko   # a module built by an earlier test
	tmux kill-session -t $TM 2>/dev/null
	tmux new-session -d -s $TM -x 100 -y 30 "env -u NO_COLOR HOME=$HOME KBRIDGE_HOME=$KBRIDGE_HOME TERM=screen-256color PS1='READY> ' sh"
	keys "export EDITOR=$UI/solution-editor.sh KB_SOLUTION=$HIST/rust-hello/solution" Enter
	keys "clear; $KBRIDGE shell --pack $HIST --workspace $WS" Enter
	wait_for "Timeline: 3 lessons" && shot timeline
	keys G Enter
	wait_for "Kbuild meets rustc" && shot lesson
	keys n
	wait_for "Which line in a Kbuild file" && keys 1 && wait_for "Right." && shot quiz
	keys n
	wait_for "Files in your kernel tree" && keys h && wait_for "Hint 1 of 2" && shot task
	keys c
	wait_for "Checking rust-hello/greet" 5 && wait_for "build (Kbuild)" 30 && shot check-running
	wait_for "FAIL" 120 && shot check-fail
	keys q
	wait_for "Files in your kernel tree" && keys e j e
	wait_for "PASS" 120 && shot check-pass
	expect_contains "$SCREENS/check-pass.txt" 'committed as "pass rust-hello"'
	keys d
	wait_for "Your changes to lesson rust-hello" && shot diff
	keys '?'
	wait_for "Everywhere" && shot help
	keys Q
	wait_for 'READY>' 5
	keys "stty -a > $T_TMP/stty; echo stty-\$((40 + 2))-done" Enter
	wait_for "stty-42-done" 5
	expect_contains "$T_TMP/stty" " icanon"
	expect_contains "$T_TMP/stty" " echo "
	git -C "$WS/linux" log --format=%s -1 >"$T_TMP/log"
	expect_contains "$T_TMP/log" "pass rust-hello"
	t_end

	t_begin "tmux: a small window gives a message; SIGTERM restores the terminal; NO_COLOR has no colors"
	keys "clear; NO_COLOR=1 $KBRIDGE shell --pack $HIST --workspace $WS" Enter
	wait_for "Timeline: 3 lessons"
	tmux capture-pane -p -e -t $TM >"$T_TMP/pane-e"
	if grep -q "$(printf '\033')\[3[0-7]m\|$(printf '\033')\[38;5" "$T_TMP/pane-e"; then
		t_fail "NO_COLOR=1 but the screen has colors"
	fi
	tmux resize-window -t $TM -x 70 -y 20 2>/dev/null || tmux resize-pane -t $TM -x 70 -y 20
	wait_for "at least 80" 5 && shot small
	tmux resize-window -t $TM -x 100 -y 30 2>/dev/null || tmux resize-pane -t $TM -x 100 -y 30
	wait_for "Timeline: 3 lessons" 5
	pid=$(pgrep -n -f "kbridge shell --pack $HIST --workspace $WS")
	[ -n "$pid" ] && kill -TERM "$pid"
	wait_for "progress is saved" 5
	keys "stty -a > $T_TMP/stty2; echo stty2-\$((40 + 2))-done" Enter
	wait_for "stty2-42-done" 5
	expect_contains "$T_TMP/stty2" " icanon"
	expect_contains "$T_TMP/stty2" " echo "
	t_end
	tmux kill-session -t $TM 2>/dev/null
else
	t_begin "tmux smoke test"
	t_fail "tmux is not installed (apt-get install tmux)"
	t_end
fi

t_finish
