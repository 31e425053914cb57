#!/bin/sh
# An oops in a module is decoded to the module's source lines: modules are built with
# debug information, kb.boot decodes the fault (fault_at, fault_brief, frames) and
# kb.expect_no_fault shows the decoded lines and points at the first one.
# Real Kbuild, the real course kernel, real QEMU (tests/fixtures/oopsy).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PACK="$ROOT/tests/fixtures/oopsy"
mkdir -p "$T_TMP/tree"
cp -R "$PACK/oopsy/solution/samples" "$T_TMP/tree/"

t_begin "a C NULL dereference and a Rust index panic are decoded to file:line"
"$KBRIDGE" check oopsy/decode --pack "$PACK" --workspace "$T_TMP/tree" --timeout 30 > "$T_TMP/out" 2>&1
expect_status 1 $?
for met in "the oops is decoded to oopsy.c:13" "the first frame is the RIP in oopsy_read" \
	"the caller's frame names the line of the call" "the brief leaves out the registers" \
	"the panic's frame is decoded to rpanic.rs:7" "kb.decode on the excerpt gives the same frames, demangled"; do
	expect_contains "$T_TMP/out" "[met]     $met"
done
t_end

t_begin "expect_no_fault shows the decoded oops and points at its line"
expect_contains "$T_TMP/out" "[NOT MET] no oops or panic in the kernel log"
expect_contains "$T_TMP/out" "| an oops (BUG: kernel NULL pointer dereference"
expect_contains "$T_TMP/out" "|     at samples/kbridge/oopsy/oopsy.c:13 (oopsy_read)"
expect_contains "$T_TMP/out" "look at: samples/kbridge/oopsy/oopsy.c:13"
expect_not_contains "$T_TMP/out" "RAX:"
t_end

t_begin "a command that never ends is said to have hung, not to have exited"
"$KBRIDGE" check oopsy/hang --pack "$PACK" --workspace "$T_TMP/tree" --timeout 30 > "$T_TMP/hang.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/hang.out" "[met]     the boot is a hang"
expect_contains "$T_TMP/hang.out" "[met]     kb.lines drops timestamps, empty lines and CRs, and nothing else"
expect_contains "$T_TMP/hang.out" "[NOT MET] 'sleep 1000' exits with status 0"
expect_contains "$T_TMP/hang.out" "the guest hung and was stopped at the timeout"
t_end

t_finish
