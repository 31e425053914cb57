#!/bin/sh
# The learner's workspace end to end, on a clone of the real bundled tree: start, check,
# diff, reset, pass, solution, hints, progress, the lock. Uses the fixture pack.
. "$(dirname "$0")/../lib.sh"
PACK=$(cd "$(dirname "$0")/../fixtures/packs/history" && pwd)
W="$T_TMP/ws"
kb() { "$KBRIDGE" "$@" --pack "$PACK" --workspace "$W"; }
LESSON_DIR="$W/linux/samples/kbridge/hello"

t_begin "list before anything: every lesson new, no workspace yet"
kb list > "$T_TMP/list0.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/list0.out" "(not created yet)"
grep -qE "rust-hello +new" "$T_TMP/list0.out" || t_fail "rust-hello is not listed as new"
t_end

t_begin "start ends within 2 s of SIGTERM while it clones the tree; the next start goes on"
"$KBRIDGE" start rust-hello --pack "$PACK" --workspace "$W" > "$T_TMP/start-term.out" 2>&1 &
pid=$!
sleep 2
t0=$(( $(date +%s%N) / 1000000 ))
kill -TERM $pid
wait $pid
st=$?
took=$(( $(date +%s%N) / 1000000 - t0 ))
echo "    SIGTERM to exit: $took ms"
[ $st -ne 0 ] || t_fail "the interrupted start exited 0"
[ $took -lt 2000 ] || t_fail "it took $took ms"
expect_contains "$T_TMP/start-term.out" "interrupted while cloning the kernel tree"
[ ! -e "$W/.kbridge" ] || t_fail "an interrupted clone is marked as a workspace"
t_end

t_begin "start creates the workspace (a clone of the real tree) and commits the starter"
start=$(date +%s)
kb start rust-hello > "$T_TMP/start.out" 2>&1
expect_status 0 $?
echo "    (workspace created and lesson started in $(( $(date +%s) - start )) s)"
expect_contains "$T_TMP/start.out" "committed as \"start rust-hello\""
# files with TODO markers are to edit (a file the same in starter and solution is to
# read: tests/integration/test_lab.sh)
expect_contains "$T_TMP/start.out" "  edit: $W/linux/samples/kbridge/hello/hello_rust.rs"
expect_contains "$T_TMP/start.out" "  edit: $W/linux/samples/kbridge/hello/Kbuild"
expect_contains "$LESSON_DIR/hello_rust.rs" "// TODO: print \"Hello from Rust\""
expect_not_contains "$LESSON_DIR/hello_rust.rs" "TODO-BEGIN"
[ "$(git -C "$W/linux" log --format=%s -1)" = "start rust-hello" ] || t_fail "HEAD is not 'start rust-hello'"
[ "$(git -C "$W/linux" ls-files | wc -l)" -gt 80000 ] || t_fail "the clone is not the whole tree"
[ -z "$(git -C "$W/linux" status --porcelain)" ] || t_fail "the new workspace is not clean"
[ ! -e "$W/linux.partial" ] || t_fail "the interrupted clone's partial tree was left"
# rust-analyzer's project: the kernel crates, and the lesson's own file as a crate using them
python3 - "$LESSON_DIR/rust-project.json" "$LESSON_DIR/hello_rust.rs" <<'PYEOF' || t_fail "rust-project.json does not describe the lesson's crate"
import json, sys
crates = json.load(open(sys.argv[1]))["crates"]
names = [c["display_name"] for c in crates]
assert "kernel" in names and "core" in names, names
mine = [c for c in crates if c["root_module"] == sys.argv[2]]
assert mine and {d["name"] for d in mine[0]["deps"]} >= {"core", "kernel"}, mine
PYEOF
t_end

t_begin "start's Then: line repeats --pack and --workspace, quoted for the shell"
expect_contains "$T_TMP/start.out" "Then: kbridge check rust-hello --pack $PACK --workspace $W   (hints: kbridge hint rust-hello --pack $PACK --workspace $W)"
# the same workspace by a path sh must have quoted
ln -s "$W" "$T_TMP/it's my ws"
"$KBRIDGE" start rust-hello --pack "$PACK" --workspace "$T_TMP/it's my ws" > "$T_TMP/again.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/again.out" "was already started"
line=$(sed -n 's/^Then: kbridge \(check .*\)   (hints: .*/\1/p' "$T_TMP/again.out")
eval "set -- $line"
[ $# -eq 6 ] && [ "$1 $2 $3 $5" = "check rust-hello --pack --workspace" ] && [ "$4" = "$PACK" ] &&
	[ "$6" = "$T_TMP/it's my ws" ] || t_fail "the Then: line does not give back the options: '$line'"
# from the environment, which the next command reads too: no options to repeat
KBRIDGE_PACK="$PACK" KBRIDGE_WORKSPACE="$W" "$KBRIDGE" start rust-hello > "$T_TMP/plain.out" 2>&1
expect_status 0 $?
grep -q '^Then: kbridge check rust-hello   (hints: kbridge hint rust-hello)$' "$T_TMP/plain.out" ||
	t_fail "with no options the Then: line has none: $(grep '^Then:' "$T_TMP/plain.out")"
t_end

t_begin "the starter fails its check; the attempt is counted"
kb check rust-hello > "$T_TMP/check1.out" 2>&1
expect_status 1 $?
expect_contains "$W/progress.json" '"attempts":	1'
expect_contains "$W/progress.json" '"passed":	false'
t_end

t_begin "diff shows only the lesson's changes"
sed -i 's|// TODO: print "Hello from Rust"|pr_info!("Hello from Rust\\n");|' "$LESSON_DIR/hello_rust.rs"
echo "/* the learner's own note */" >> "$W/linux/init/main.c"
kb diff rust-hello > "$T_TMP/diff.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/diff.out" '+        pr_info!("Hello from Rust\n");'
expect_contains "$T_TMP/diff.out" '-        // TODO: print "Hello from Rust"'
expect_not_contains "$T_TMP/diff.out" "init/main.c"
t_end

t_begin "the solution stays hidden before a pass"
kb solution rust-hello > "$T_TMP/sol0.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/sol0.out" "shown once you pass it"
t_end

t_begin "reset keeps the learner's version on a side ref and touches nothing else"
kb reset rust-hello > "$T_TMP/reset.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/reset.out" "refs/kbridge/saved/rust-hello"
expect_contains "$LESSON_DIR/hello_rust.rs" "// TODO: print \"Hello from Rust\""
git -C "$W/linux" show refs/kbridge/saved/rust-hello:samples/kbridge/hello/hello_rust.rs > "$T_TMP/saved.rs"
expect_contains "$T_TMP/saved.rs" 'pr_info!("Hello from Rust\n");'
expect_contains "$W/linux/init/main.c" "the learner's own note"
t_end

t_begin "hints come one at a time and are counted"
kb hint rust-hello > "$T_TMP/hint1.out" 2>&1
expect_contains "$T_TMP/hint1.out" "Hint 1 of 2"
expect_not_contains "$T_TMP/hint1.out" "Hint 2 of 2"
kb hint rust-hello > "$T_TMP/hint2.out" 2>&1
expect_contains "$T_TMP/hint2.out" "Hint 2 of 2"
expect_contains "$T_TMP/hint2.out" "That was the last hint."
expect_contains "$W/progress.json" '"hints":	2'
t_end

t_begin "a pass commits the learner's files: the log is the record"
sed -i 's|// TODO: print "Hello from Rust"|pr_info!("Hello from Rust\\n");|' "$LESSON_DIR/hello_rust.rs"
sed -i 's|^# TODO: .*|obj-m := hello_rust.o|' "$LESSON_DIR/Kbuild"
kb check rust-hello > "$T_TMP/check2.out" 2>&1
expect_status 0 $?
git -C "$W/linux" log --format=%s -3 > "$T_TMP/log.out"
[ "$(head -n 1 "$T_TMP/log.out")" = "pass rust-hello" ] || t_fail "HEAD is not 'pass rust-hello': $(cat "$T_TMP/log.out")"
git -C "$W/linux" show HEAD:samples/kbridge/hello/Kbuild > "$T_TMP/kbuild.committed"
expect_contains "$T_TMP/kbuild.committed" "obj-m := hello_rust.o"
expect_contains "$W/progress.json" '"passed":	true'
expect_contains "$W/progress.json" '"attempts":	2'
kb list > "$T_TMP/list1.out" 2>&1
grep -qE "rust-hello +passed" "$T_TMP/list1.out" || t_fail "list does not show rust-hello passed"
t_end

t_begin "after the pass the solution is shown as a diff against the learner's version"
kb solution rust-hello > "$T_TMP/sol1.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/sol1.out" "reference solution of lesson rust-hello"
t_end

t_begin "--reveal shows an unpassed lesson's solution and is recorded"
kb start kunit-add > /dev/null 2>&1
kb solution kunit-add --reveal > "$T_TMP/sol2.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/sol2.out" "+"
kb list > "$T_TMP/list2.out" 2>&1
expect_contains "$T_TMP/list2.out" "(solution seen)"
t_end

t_begin "a second kbridge on a workspace in use is refused with a clear message"
exec 9>>"$W/.lock"
flock -n 9 || t_fail "could not take the lock for the test"
kb hint rust-hello > "$T_TMP/locked.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/locked.out" "is in use by another kbridge"
# what only reads works beside it
kb list > "$T_TMP/locked-list.out" 2>&1
expect_status 0 $?
exec 9>&-
t_end

t_begin "a folder that is not a workspace is left alone"
mkdir -p "$T_TMP/notes" && echo "mine" > "$T_TMP/notes/todo.txt"
"$KBRIDGE" start rust-hello --pack "$PACK" --workspace "$T_TMP/notes" > "$T_TMP/stranger.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/stranger.out" "is not a kbridge workspace"
[ "$(cat "$T_TMP/notes/todo.txt")" = "mine" ] || t_fail "the folder was changed"
t_end

t_finish
