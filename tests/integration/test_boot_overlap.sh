#!/bin/sh
# Boot while building: kb.build starts the guest of the kb.boot that follows, and the
# modules reach it when Kbuild is done. The verdicts and every output format must be the
# same as when the build and the boot run one after the other (KBRIDGE_BOOT_OVERLAP=0),
# and no QEMU may be left behind: a failed build, a check that only builds, a check that
# raises, an interrupt. Needs `kbridge setup` done. No timing is judged here (make bench
# prints the figures).
. "$(dirname "$0")/../lib.sh"
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}

# QEMU's temporary initramfs is made under TMPDIR: a folder of this test's own tells its
# QEMUs from those of anything else running on the machine
TMPD="$T_TMP/tmp"
mkdir -p "$TMPD"
OURS="$TMPD/kbridge-initramfs-"
EARLY="$OURS.* -append console=ttyS0 .*rdinit=/kb/wait"

# ---- a pack whose tasks cover what a boot can end with ---------------------------------
PACK="$T_TMP/pack"
mkdir -p "$PACK/over"
cat > "$PACK/pack.lua" <<'EOF'
pack { name = "overlap", version = "1", kernel = "6.12", lessons = { "over" } }
EOF
echo "# Boot while building" > "$PACK/over/intro.md"
cat > "$PACK/over/lesson.lua" <<'EOF'
local function t(id, check)
  return task { id = id, title = id, goal = "a test of kbridge's boots", check = check,
                files = { "samples/kbridge/square/square.c" } }
end
lesson {
  id = "over", title = "Boot while building", summary = "kbridge's overlapped boots",
  history = { year = 2024, milestone = "test fixture", source = "kbridge's tests" },
  steps = {
    page { file = "intro.md" },
    t("square", function(kb)
      local b = kb.build("samples/kbridge/square")
      if not kb.expect_build(b) then return end
      local n = math.random(2, 40000)
      local r = kb.boot { modules = b, params = { ["square.ko"] = "n=" .. n }, run = { "cat /proc/modules", "false" } }
      kb.expect_boot(r)
      kb.expect_exit(r, 1, 0)
      kb.expect_exit(r, 2, 0)
      kb.expect_log(r, ("square: %d"):format(n * n))
      kb.expect_no_fault(r)
    end),
    t("rust", function(kb)
      local b = kb.build("samples/kbridge/minimal")
      if not kb.expect_build(b) then return end
      local r = kb.boot { modules = b, run = "grep rust_minimal /proc/modules" }
      kb.expect_boot(r)
      kb.expect_log(r, "My numbers are [72, 108, 200]")
      kb.expect_no_fault(r)
    end),
    t("oops", function(kb)
      local b = kb.build("faults/c_oops")
      if not kb.expect_build(b) then return end
      local r = kb.boot { modules = b, run = "true", timeout = 30 }
      kb.expect_boot(r)
      kb.expect_no_fault(r)
    end),
    t("panic", function(kb)
      local b = kb.build("faults/rust_panic")
      if not kb.expect_build(b) then return end
      local r = kb.boot { modules = b, run = "true", timeout = 30 }
      kb.expect_boot(r)
      kb.expect_no_fault(r)
    end),
    t("cpus", function(kb)
      local b = kb.build("samples/kbridge/square")
      if not kb.expect_build(b) then return end
      local r = kb.boot { modules = b, params = { ["square.ko"] = "n=12" }, run = "nproc", cpus = 2 }
      kb.expect_exit(r, 1, 0)
      kb.expect_output(r, 1, "2")
      kb.expect_log(r, "square: 144")
    end),
    t("broken", function(kb)
      local b = kb.build("faults/broken")
      if not kb.expect_build(b) then return end
      kb.boot { modules = b, run = "true" }
    end),
    t("build-only", function(kb)
      kb.expect_build(kb.build("samples/kbridge/square"))
    end),
    t("raise", function(kb)
      kb.build("samples/kbridge/square")
      error("the check stops after its build")
    end),
  },
}
EOF
mkdir -p "$PACK/over/solution/samples/kbridge"
cp -R "$FIX/labpack/square/solution/samples/kbridge/square" "$PACK/over/solution/samples/kbridge/"

# the tree checked: the square module, the kernel's rust_minimal, an oops, a Rust panic
# and a module that does not compile
TREE="$T_TMP/tree"
mkdir -p "$TREE/samples/kbridge/minimal" "$TREE/faults/broken"
cp -R "$FIX/labpack/square/solution/samples/kbridge/square" "$TREE/samples/kbridge/"
cp "$HOME_DIR/linux/samples/rust/rust_minimal.rs" "$TREE/samples/kbridge/minimal/"
echo 'obj-m := rust_minimal.o' > "$TREE/samples/kbridge/minimal/Kbuild"
cp -R "$FIX/modules/c_oops" "$FIX/modules/rust_panic" "$TREE/faults/"
cp -R "$FIX/labpack/square/solution/samples/kbridge/square/." "$TREE/faults/broken/"
echo 'this is not C;' >> "$TREE/faults/broken/square.c"

# check MODE ARGS...: kbridge check on the tree, overlapped (MODE 1) or one after the
# other (MODE 0); output in $T_TMP/out; SEEN=1 when one of our early guests was seen
check() {
	_mode=$1
	shift
	rm -f "$T_TMP/seen"
	env TMPDIR="$TMPD" KBRIDGE_BOOT_OVERLAP=$_mode "$KBRIDGE" check "$@" --pack "$PACK" \
		--workspace "$TREE" > "$T_TMP/out" 2>&1 &
	_pid=$!
	while kill -0 $_pid 2>/dev/null; do
		pgrep -f "$EARLY" > /dev/null && : > "$T_TMP/seen"
		sleep 0.05
	done
	wait $_pid
	STATUS=$?
	SEEN=0
	[ -e "$T_TMP/seen" ] && SEEN=1
	LEFT=$(pgrep -f "$OURS" | tr '\n' ' ')
}

# what differs between two boots of the same check whatever the path: times, durations,
# kernel timestamps (a guest that waited for its build has a later clock), and the
# values in an oops's register dump (the stack canary; the guest that waited ran a few
# processes more, so the pid, the page tables and the stack of insmod differ too)
normalize() {
	sed -E -e 's/[0-9]+\.[0-9]+(e[-+][0-9]+)?/N/g' -e 's/duration_ms: [0-9]+/duration_ms: N/' \
		-e 's/\[ *N\]/[N]/g' -e 's/PID: [0-9]+/PID: P/g' -e 's/(PGD|P4D|PUD|PMD|PTE) [0-9a-f]+/\1 H/g' -e 's/\b[0-9a-f]{8,16}\b/H/g' "$1"
}

same_outputs() {   # same_outputs FORMAT ARGS...: both paths, the same output and status
	_f=$1
	shift
	check 0 "$@" --seed 7 --format "$_f"
	normalize "$T_TMP/out" > "$T_TMP/seq.$_f"
	_st0=$STATUS
	[ $SEEN = 0 ] || t_fail "KBRIDGE_BOOT_OVERLAP=0 started an early guest"
	check 1 "$@" --seed 7 --format "$_f"
	normalize "$T_TMP/out" > "$T_TMP/ovl.$_f"
	cp "$T_TMP/out" "$T_TMP/raw.$_f"
	[ $SEEN = 1 ] || t_fail "KBRIDGE_BOOT_OVERLAP=1 never started an early guest"
	expect_status $_st0 $STATUS
	if ! cmp -s "$T_TMP/seq.$_f" "$T_TMP/ovl.$_f"; then
		t_fail "the $_f outputs differ (sequential -> overlapped):"
		diff "$T_TMP/seq.$_f" "$T_TMP/ovl.$_f" | head -30 | sed 's/^/    | /'
	fi
	[ -z "$LEFT" ] || t_fail "QEMU left running: $LEFT"
}

t_begin "every task: the same verdicts and JSON on both paths"
same_outputs json --all
expect_contains "$T_TMP/raw.json" '"id":	"over/square",'
expect_contains "$T_TMP/raw.json" 'an oops (BUG: kernel NULL pointer dereference'
expect_contains "$T_TMP/raw.json" 'at faults/c_oops/c_oops.c:16 (c_oops_init)'
t_end

t_begin "every task: the same text on both paths, the faults found"
same_outputs text --all
expect_contains "$T_TMP/raw.text" "FAIL  over/square"
expect_contains "$T_TMP/raw.text" "[NOT MET] 'false' exits with status 0"
expect_contains "$T_TMP/raw.text" "PASS  over/rust"
expect_contains "$T_TMP/raw.text" "FAIL  over/oops"
expect_contains "$T_TMP/raw.text" "FAIL  over/panic"
expect_contains "$T_TMP/raw.text" "PASS  over/cpus"
expect_contains "$T_TMP/raw.text" "FAIL  over/broken"
expect_contains "$T_TMP/raw.text" "ERROR over/raise"
t_end

t_begin "the same TAP and JUnit on both paths"
same_outputs tap over/square
same_outputs junit over/square
expect_contains "$T_TMP/raw.junit" "over/square"
t_end

t_begin "a failed build stops its guest: none is left when the check ends"
check 1 over/broken
expect_status 1 $STATUS
expect_contains "$T_TMP/out" "FAIL  over/broken"
[ $SEEN = 1 ] || t_fail "no early guest was started for the build"
[ -z "$LEFT" ] || t_fail "QEMU left running: $LEFT"
t_end

t_begin "a check that only builds, and one that raises after its build, leave no QEMU"
check 1 over/build-only
expect_status 0 $STATUS
[ -z "$LEFT" ] || t_fail "QEMU left running after build-only: $LEFT"
check 1 over/raise
expect_status 1 $STATUS
expect_contains "$T_TMP/out" "the check stops after its build"
[ -z "$LEFT" ] || t_fail "QEMU left running after raise: $LEFT"
t_end

t_begin "SIGINT while the guest waits for the build: kbridge ends and no QEMU is left"
env TMPDIR="$TMPD" KBRIDGE_BOOT_OVERLAP=1 "$KBRIDGE" check over/rust --pack "$PACK" \
	--workspace "$TREE" > "$T_TMP/int.out" 2>&1 &
_pid=$!
_n=0
until pgrep -f "$EARLY" > /dev/null || [ $_n -ge 400 ]; do
	sleep 0.05
	_n=$((_n + 1))
done
pgrep -f "$EARLY" > /dev/null || t_fail "no early guest was started"
kill -INT $_pid
wait $_pid
sleep 0.2
LEFT=$(pgrep -f "$OURS" | tr '\n' ' ')
[ -z "$LEFT" ] || t_fail "QEMU left running: $LEFT"
expect_contains "$T_TMP/int.out" "interrupted"
t_end

t_finish
