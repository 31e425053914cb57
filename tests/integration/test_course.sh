#!/bin/sh
# The built-in course (lessons/core): `pack validate` proves every task fails on its
# starter and passes on its solution; then each lesson's checks run on kept trees
# under tests/fixtures/course/LESSON/, kept as patches against the solution: `alt*.patch`
# are correct solutions written differently from the reference (they must pass),
# `wrong*.patch` are wrong solutions that print the expected words from the wrong place
# or break a rule the check judges (they must fail). Also kb.build's vars and clean
# options, on a throwaway pack.
# Real Kbuild, the real course kernel, real QEMU.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORE="$ROOT/lessons/core"
FIX="$ROOT/tests/fixtures/course"

t_begin "pack validate lessons/core: every task fails on its starter and passes on its solution"
start=$(date +%s)
TMPDIR="$T_TMP" "$KBRIDGE" pack validate "$CORE" > "$T_TMP/validate.out" 2>&1
expect_status 0 $?
# every lesson of pack.lua has its tasks proven both ways
for lesson in $(sed -n '/lessons = {/,/}/s/^ *"\([a-z0-9_-]*\)",*$/\1/p' "$CORE/pack.lua"); do
	expect_contains "$T_TMP/validate.out" "ok   $lesson/"
	expect_not_contains "$T_TMP/validate.out" "FAIL $lesson/"
done
expect_contains "$T_TMP/validate.out" " passed, 0 failed"
echo "# pack validate lessons/core took $(( $(date +%s) - start )) s"
t_end

# a fixture tree is a plain folder of lesson files: `check` judges it as a kernel tree
check_tree() {   # check_tree ID TREE OUT
	"$KBRIDGE" check "$1" --pack "$CORE" --workspace "$2" --timeout 30 > "$3" 2>&1
}

# A fixture variant is a patch against the lesson's solution (scripts/fixture-patch.sh
# makes one from a tree): the tree checked is `kbridge pack export` of the solution with
# the patch applied.
tree_for() {   # tree_for LESSON VARIANT: prints the tree's path
	_t="$T_TMP/trees/$1/$2"
	mkdir -p "$_t"
	"$KBRIDGE" pack export "$CORE" "$1" "$_t" >&2 && (cd "$_t" && git apply "$FIX/$1/$2.patch") >&2 ||
		echo "    could not make the $1/$2 tree" >&2
	echo "$_t"
}

for dir in "$FIX"/*/; do
	lesson=$(basename "$dir")
	for alt in "$dir"/alt*.patch; do
		a=$(basename "$alt" .patch)
		t_begin "$lesson: a correct solution written differently passes ($a)"
		check_tree "$lesson" "$(tree_for "$lesson" "$a")" "$T_TMP/$lesson-$a.out"
		st=$?
		expect_status 0 $st
		[ $st -eq 0 ] || sed 's/^/    | /' "$T_TMP/$lesson-$a.out" | tail -30
		expect_not_contains "$T_TMP/$lesson-$a.out" "FAIL  "
		t_end
	done
	for wrong in "$dir"/wrong*.patch; do
		w=$(basename "$wrong" .patch)
		t_begin "$lesson: $w fails"
		check_tree "$lesson" "$(tree_for "$lesson" "$w")" "$T_TMP/$lesson-$w.out"
		# (in a lesson of two tasks, the task the patch leaves alone still passes)
		expect_status 1 $?
		expect_contains "$T_TMP/$lesson-$w.out" "[NOT MET]"
		t_end
	done
done

# What makes each wrong solution fail is the behaviour the lesson is about: each
# lesson's `reasons` file lists, per wrong tree, a text its check output must hold.
for reasons in "$FIX"/*/reasons; do
	lesson=$(basename "$(dirname "$reasons")")
	t_begin "$lesson: the wrong solutions fail for the right reason"
	while IFS='	' read -r w text; do
		case "$w" in ''|'#'*) continue ;; esac
		expect_contains "$T_TMP/$lesson-$w.out" "$text"
	done < "$reasons"
	t_end
done

# kb.build options on a one-lesson pack: vars reach make, only allowed names pass,
# clean rebuilds
P="$T_TMP/optpack"
mkdir -p "$P/opts/solution/samples/kbridge/opts"
printf 'pack { name = "opts", version = "1", kernel = "6.12", lessons = { "opts" } }\n' > "$P/pack.lua"
printf '# intro\n\nkb.build options.\n' > "$P/opts/intro.md"
printf 'obj-$(CONFIG_KB_OPTS_TEST) += opts.o\n' > "$P/opts/solution/samples/kbridge/opts/Kbuild"
cat > "$P/opts/solution/samples/kbridge/opts/opts.c" <<'C'
#include <linux/module.h>
MODULE_LICENSE("GPL");
C
cat > "$P/opts/lesson.lua" <<'LUA'
lesson {
  id = "opts", title = "kb.build options",
  history = { year = 2021, milestone = "test", source = "test" },
  steps = {
    page "intro.md",
    task {
      id = "vars", goal = "build", files = { "samples/kbridge/opts/Kbuild", "samples/kbridge/opts/opts.c" },
      hints = { "a", "b" },
      check = function(kb)
        local d = "samples/kbridge/opts"
        local on = kb.build(d, { vars = { CONFIG_KB_OPTS_TEST = "m" } })
        kb.expect(#on.modules == 1, "with the symbol: opts.ko")
        local stale = kb.build(d)
        kb.expect(#stale.modules == 0, "a .ko left by the earlier build is not counted")
        local off = kb.build(d, { clean = true })
        kb.expect(off.ok == false and #off.modules == 0, "after clean, without the symbol: nothing")
        local rep = kb.build(d, { vars = { CONFIG_KB_OPTS_TEST = "m" }, replace = { ["opts.c"] = "#error replaced here\n" } })
        kb.expect(rep.ok == false and (rep.errors or ""):find("replaced here", 1, true) ~= nil and #rep.modules == 0
                  and not rep.log:find("kb-build-", 1, true)
                  and kb.read(d .. "/opts.c"):find("MODULE_LICENSE", 1, true) ~= nil,
                  "replace builds a copy with the file replaced, names the workspace folder; the workspace is untouched")
        kb.expect(not pcall(kb.build, d, { replace = { ["../opts.c"] = "" } }), "replace refuses a path")
        local ok1 = pcall(kb.build, d, { vars = { CC = "gcc" } })
        local ok2 = pcall(kb.build, d, { vars = { CONFIG_X = "m; rm -rf /" } })
        local ok3 = pcall(kb.build, d, { vars = "CONFIG_X=m" })
        kb.expect(not ok1 and not ok2 and not ok3, "vars refuses other names, odd values and non-tables")
        local _, msg = pcall(kb.build, d, { vars = { RUSTC = "x" } })
        print(msg)
      end,
    },
  },
}
LUA
mkdir -p "$T_TMP/optws/samples/kbridge"
cp -r "$P/opts/solution/samples/kbridge/opts" "$T_TMP/optws/samples/kbridge/"
t_begin "kb.build: vars set Kconfig symbols, clean rebuilds, other variables are refused"
"$KBRIDGE" check opts --pack "$P" --workspace "$T_TMP/optws" > "$T_TMP/opts.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/opts.out" "PASS  opts/vars"
expect_contains "$T_TMP/opts.out" "'RUSTC' is not allowed (only CONFIG_* symbols, CLIPPY and W)"
t_end

# Faults count by default: a C module reading past an array (UBSAN) fails
# kb.expect_no_fault in a lesson that never mentions warnings, named and decoded to its line;
# allow = {"warning"} is how a lesson says it expects one
U="$T_TMP/ubpack"
mkdir -p "$U/ub/solution/samples/kbridge/ub"
printf 'pack { name = "ub", version = "1", kernel = "6.12", lessons = { "ub" } }\n' > "$U/pack.lua"
printf '# intro\n\nA read past an array.\n' > "$U/ub/intro.md"
printf 'obj-m += ub.o\n' > "$U/ub/solution/samples/kbridge/ub/Kbuild"
cat > "$U/ub/solution/samples/kbridge/ub/ub.c" <<'C'
#include <linux/module.h>
#include <linux/moduleparam.h>
static int idx = 4;
module_param(idx, int, 0);
static int table[4] = {1, 2, 3, 4};
static int __init ub_init(void)
{
	pr_info("ub: table[%d] = %d\n", idx, table[idx]);
	return 0;
}
static void __exit ub_exit(void) {}
module_init(ub_init);
module_exit(ub_exit);
MODULE_LICENSE("GPL");
C
cat > "$U/ub/lesson.lua" <<'LUA'
lesson {
  id = "ub", title = "a read past an array",
  history = { year = 2026, milestone = "test", source = "test" },
  steps = {
    page "intro.md",
    task {
      id = "read", goal = "load the module", files = { "samples/kbridge/ub/Kbuild", "samples/kbridge/ub/ub.c" },
      hints = { "a" },
      check = function(kb)
        local b = kb.build("samples/kbridge/ub")
        if not kb.expect_build(b) then return end
        local r = kb.boot { modules = b, timeout = 30 }
        kb.expect_boot(r)
        kb.expect_no_fault(r)
        print("allowed: " .. tostring(kb.expect_no_fault(r, { allow = { "warning" } })))
      end,
    },
  },
}
LUA
"$KBRIDGE" pack export "$U" ub "$T_TMP/ubws" >/dev/null 2>&1
t_begin "kb.expect_no_fault: a UBSAN out-of-bounds read fails it without any option, named and decoded"
"$KBRIDGE" check ub --pack "$U" --workspace "$T_TMP/ubws" --timeout 30 > "$T_TMP/ub.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/ub.out" "[NOT MET] no oops or panic in the kernel log, nor a WARNING, UBSAN or lockdep report"
expect_contains "$T_TMP/ub.out" "a warning (UBSAN: array-index-out-of-bounds in"
expect_contains "$T_TMP/ub.out" "at samples/kbridge/ub/ub.c:8 (ub_init)"
expect_contains "$T_TMP/ub.out" "look at: samples/kbridge/ub/ub.c:8"
expect_contains "$T_TMP/ub.out" "[met]     no oops or panic in the kernel log"
expect_contains "$T_TMP/ub.out" "allowed: true"
t_end

# A file given to read is the pack's: grade.sh check on a learner's repository where
# kbuser.c (read) prints the two answers as constants, with the Rust half at its starter,
# fails, names the file and keeps the learner's copy as it was (a one-lesson copy of the
# pack, so that --all checks only this lesson)
G="$T_TMP/gradepack"
cp -R "$CORE" "$G"
sed -i '/lessons = {/,/}/{/"rust-from-c"/!{/^ *"[a-z0-9-]*",$/d}}' "$G/pack.lua"
R="$T_TMP/learner-repo"
"$KBRIDGE" pack export "$CORE" rust-from-c "$R" >/dev/null 2>&1 &&
	(cd "$R" && git apply "$FIX/rust-from-c/wrong-readonly.patch" && git init -q && git add -A &&
	 git -c user.name=l -c user.email=l@localhost commit -q -m work)
before=$(cd "$R" && git status --porcelain; md5sum samples/kbridge/rustlib/kbuser.c)
t_begin "grade.sh check: a learner's repository whose read-only kbuser.c was edited to pass fails"
(cd "$R" && KBRIDGE="$KBRIDGE" KBRIDGE_PACK="$G" KBRIDGE_FORMAT=text KBRIDGE_TIMEOUT=30 \
	sh "$ROOT/assets/ci/grade.sh" check) > "$T_TMP/grade.out" 2>&1
expect_status 1 $?
expect_contains "$G/pack.lua" '"rust-from-c"'
expect_not_contains "$G/pack.lua" '"finale"'
expect_contains "$R/kbridge-report.txt" "FAIL  rust-from-c/boundary"
expect_contains "$R/kbridge-report.txt" "kbridge: samples/kbridge/rustlib/kbuser.c is given to read and your copy differs from the lesson's: the lesson's version was checked"
expect_contains "$R/kbridge-report.txt" "[NOT MET] kbuser prints, in order:"
after=$(cd "$R" && git status --porcelain | grep -v kbridge-report; md5sum samples/kbridge/rustlib/kbuser.c)
[ "$before" = "$after" ] || t_fail "the learner's tree changed: $before / $after"
t_end

# pack validate proves the right failure: a starter that does not compile is a finding
# unless the task says the error is the point; the expectations a starter missed are
# listed; a second task that lists only its own file is checked in the tree start makes
V="$T_TMP/nobuild"
mkdir -p "$V/nb/solution/samples/kbridge/nb"
printf 'pack { name = "nb", version = "1", kernel = "6.12", lessons = { "nb" } }\n' > "$V/pack.lua"
printf '# intro\n\nA starter that does not compile.\n' > "$V/nb/intro.md"
printf 'obj-m += nb.o\nnb-y := nb_main.o nb_add.o nb_twice.o\n' > "$V/nb/solution/samples/kbridge/nb/Kbuild"
cat > "$V/nb/solution/samples/kbridge/nb/nb_main.c" <<'C'
#include <linux/module.h>
int nb_add(int a, int b);
int nb_twice(int x);
static int __init nb_init(void)
{
	pr_info("nb: %d, twice 21: %d\n", nb_add(20, 22), nb_twice(21));
	return 0;
}
module_init(nb_init);
MODULE_LICENSE("GPL");
C
cat > "$V/nb/solution/samples/kbridge/nb/nb_add.c" <<'C'
int nb_add(int a, int b);
int nb_add(int a, int b)
{
	// TODO-BEGIN: return the sum
	return a + b;
	// TODO-STARTER
	// return a + ;
	// TODO-END
}
C
cat > "$V/nb/solution/samples/kbridge/nb/nb_twice.c" <<'C'
int nb_twice(int x);
int nb_twice(int x)
{
	// TODO-BEGIN: return twice x
	return 2 * x;
	// TODO-STARTER
	// return x;
	// TODO-END
}
C
nb_lesson() {   # nb_lesson EXTRA-TASK-FIELD
	cat > "$V/nb/lesson.lua" <<LUA
lesson {
  id = "nb", title = "nb",
  history = { year = 2026, milestone = "test", source = "test" },
  steps = {
    page "intro.md",
    task {
      id = "add", goal = "add", $1
      files = { "samples/kbridge/nb/Kbuild", "samples/kbridge/nb/nb_main.c", "samples/kbridge/nb/nb_add.c" },
      hints = { "a" },
      check = function(kb)
        local b = kb.build("samples/kbridge/nb")
        if not kb.expect_build(b) then return end
        local r = kb.boot { modules = b, timeout = 30 }
        kb.expect_log(r, "nb: 42,")
      end,
    },
    task {
      id = "twice", goal = "twice: builds with the files of the task before",
      files = { "samples/kbridge/nb/nb_twice.c" },
      hints = { "a" },
      check = function(kb)
        local b = kb.build("samples/kbridge/nb")
        if not kb.expect_build(b) then return end
        local r = kb.boot { modules = b, timeout = 30 }
        kb.expect_log(r, "nb: 42, twice 21: 42")
      end,
    },
  },
}
LUA
}
nb_lesson ""
t_begin "pack validate: a starter that does not compile is a finding, with the expectation it missed"
TMPDIR="$T_TMP" "$KBRIDGE" pack validate "$V" > "$T_TMP/nb1.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/nb1.out" "ok   nb/add: the check fails on the starter"
expect_contains "$T_TMP/nb1.out" "       missed: the module in samples/kbridge/nb builds with Kbuild"
expect_contains "$T_TMP/nb1.out" "FAIL nb/add: the starter does not build"
expect_contains "$T_TMP/nb1.out" "starter_build_fails = true"
expect_contains "$T_TMP/nb1.out" "ok   nb/add: the check passes on the solution"
expect_contains "$T_TMP/nb1.out" " passed, 1 failed"
t_end
nb_lesson "starter_build_fails = true,"
t_begin "pack validate: with starter_build_fails = true the same starter is what the task is about"
TMPDIR="$T_TMP" "$KBRIDGE" pack validate "$V" > "$T_TMP/nb2.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/nb2.out" "ok   nb/add: the starter does not build (the task says that is the point)"
expect_contains "$T_TMP/nb2.out" "ok   nb/twice: the check fails on the starter"
expect_contains "$T_TMP/nb2.out" "       missed: the kernel log contains \"nb: 42, twice 21: 42\""
expect_contains "$T_TMP/nb2.out" "ok   nb/twice: the starter builds"
expect_contains "$T_TMP/nb2.out" "ok   nb/twice: the check passes on the solution"
expect_contains "$T_TMP/nb2.out" " passed, 0 failed"
t_end

t_finish
