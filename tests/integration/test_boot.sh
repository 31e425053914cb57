#!/bin/sh
# The spine end to end: real Kbuild, the real course kernel, real QEMU. Needs `kbridge
# setup` done (scripts/run-tests.sh does it first).
. "$(dirname "$0")/../lib.sh"
FIX=$(cd "$(dirname "$0")/../fixtures/modules" && pwd)
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}

# The kernel's own samples/rust/rust_minimal.rs, copied out of the bundled tree into a
# folder with a Kbuild, built as an external module, inserted and removed.
t_begin "rust_minimal from the kernel's samples: built, loaded, unloaded"
mkdir -p "$T_TMP/rust_minimal"
cp "$HOME_DIR/linux/samples/rust/rust_minimal.rs" "$T_TMP/rust_minimal/"
echo 'obj-m := rust_minimal.o' > "$T_TMP/rust_minimal/Kbuild"
"$KBRIDGE" boot --build "$T_TMP/rust_minimal" --run 'cat /proc/modules' > "$T_TMP/minimal.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/minimal.out" "RUSTC [M]"
expect_contains "$T_TMP/minimal.out" "Rust minimal sample (init)"
expect_contains "$T_TMP/minimal.out" "Rust minimal sample (exit)"
expect_contains "$T_TMP/minimal.out" "My numbers are [72, 108, 200]"
expect_contains "$T_TMP/minimal.out" "$ insmod /kb/mod/rust_minimal.ko"
expect_contains "$T_TMP/minimal.out" "rust_minimal "
expect_contains "$T_TMP/minimal.out" "== verdict: ok"
t_end

t_begin "composite module: C calls a Rust extern \"C\" function in the same .ko"
cp -r "$FIX/composite" "$T_TMP/"
cp -r "$FIX/composite" "$T_TMP/composite-again"
"$KBRIDGE" boot --build "$T_TMP/composite" > "$T_TMP/composite.out" 2>&1 </dev/null --run true
expect_status 0 $?
expect_contains "$T_TMP/composite.out" "CC [M]"
expect_contains "$T_TMP/composite.out" "RUSTC [M]"
expect_contains "$T_TMP/composite.out" "composite: C asked Rust for 6 * 7 + 100 = 142"
expect_contains "$T_TMP/composite.out" "composite: exit"
t_end

t_begin "a Rust panic in init is reported as such, with the excerpt, well under the timeout"
cp -r "$FIX/rust_panic" "$T_TMP/"
start=$(date +%s)
"$KBRIDGE" boot --build "$T_TMP/rust_panic" --run true --timeout 60 > "$T_TMP/panic.out" 2>&1
status=$?
took=$(( $(date +%s) - start ))
expect_status 1 $status
expect_contains "$T_TMP/panic.out" "== rust-panic"
expect_contains "$T_TMP/panic.out" "panicked at"
expect_contains "$T_TMP/panic.out" "index out of bounds"
expect_contains "$T_TMP/panic.out" "rust_panic.rs"
expect_contains "$T_TMP/panic.out" "== verdict: FAILED"
[ $took -lt 40 ] || t_fail "the panic took $took s to report (timeout 60 s)"
t_end

t_begin "a .ko left by an earlier build is not counted once its Kbuild line is gone"
# (a lesson reset to a starter whose Kbuild has no obj-m yet must not pass on an old .ko)
echo '# obj-m removed' > "$T_TMP/composite/Kbuild"
"$KBRIDGE" boot --build "$T_TMP/composite" --run true > "$T_TMP/stale.out" 2>&1
expect_contains "$T_TMP/stale.out" "the build made no .ko"
expect_not_contains "$T_TMP/stale.out" "insmod /kb/mod/composite.ko"
t_end

t_begin "a NULL dereference in C is reported as an oops with the function named"
cp -r "$FIX/c_oops" "$T_TMP/"
"$KBRIDGE" boot --build "$T_TMP/c_oops" --run true > "$T_TMP/oops.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/oops.out" "== oops"
expect_contains "$T_TMP/oops.out" "BUG: kernel NULL pointer dereference"
expect_contains "$T_TMP/oops.out" "RIP: 0010:init_module+"
expect_contains "$T_TMP/oops.out" "[c_oops]"
expect_contains "$T_TMP/oops.out" "== verdict: FAILED"
t_end

t_begin "a guest that never ends is stopped at the timeout and reported as a hang"
start=$(date +%s)
# this boot's initramfs lies in a folder of its own: its QEMU is told from any other
mkdir -p "$T_TMP/hang"
TMPDIR="$T_TMP/hang" "$KBRIDGE" boot --run 'echo going to sleep' --run 'sleep 1000' --timeout 8 > "$T_TMP/hang.out" 2>&1
status=$?
took=$(( $(date +%s) - start ))
expect_status 1 $status
expect_contains "$T_TMP/hang.out" "== boot: hang"
expect_contains "$T_TMP/hang.out" "going to sleep"
expect_contains "$T_TMP/hang.out" "[did not finish]"
expect_contains "$T_TMP/hang.out" "did not finish within 8 s"
[ $took -lt 20 ] || t_fail "a timeout of 8 s took $took s"
pgrep -f "$T_TMP/hang/kbridge-initramfs" >/dev/null && t_fail "a QEMU process outlived the timeout"
t_end

t_begin "a module that does not compile: the compiler's error comes back"
cp -r "$FIX/broken_rust" "$T_TMP/"
"$KBRIDGE" boot --build "$T_TMP/broken_rust" --run true > "$T_TMP/broken.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/broken.out" "error[E0308]: mismatched types"
expect_contains "$T_TMP/broken.out" "broken_rust.rs"
expect_contains "$T_TMP/broken.out" "== build failed"
t_end

t_begin "a failing guest command fails the boot; its output and status are reported"
"$KBRIDGE" boot --run 'echo before; ls /no/such/file; echo after' --run 'exit 3' > "$T_TMP/cmd.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/cmd.out" "No such file or directory"
expect_contains "$T_TMP/cmd.out" "[exit 3]"
expect_contains "$T_TMP/cmd.out" "== boot: ok"
t_end

t_begin "with no --run: an interactive shell in the guest, the module inserted, exit powers off"
if command -v tmux > /dev/null; then
	mkdir -p "$T_TMP/interactive"
	cp "$HOME_DIR/linux/samples/rust/rust_minimal.rs" "$T_TMP/interactive/"
	echo 'obj-m := rust_minimal.o' > "$T_TMP/interactive/Kbuild"
	sock="$T_TMP/tmux.sock"
	tmux -S "$sock" new-session -d -x 100 -y 30 \
		"'$KBRIDGE' boot --build '$T_TMP/interactive'; echo \"boot exited \$?\" > '$T_TMP/interactive.status'; sleep 60"
	i=0
	until tmux -S "$sock" capture-pane -p | grep -q "built-in shell" || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
	tmux -S "$sock" send-keys "cat /proc/modules" Enter
	sleep 1
	tmux -S "$sock" send-keys "exit" Enter
	i=0
	until [ -s "$T_TMP/interactive.status" ] || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
	tmux -S "$sock" capture-pane -p -S -100 > "$T_TMP/interactive.out"
	tmux -S "$sock" kill-server 2> /dev/null
	expect_contains "$T_TMP/interactive.out" "Rust minimal sample (init)"
	expect_contains "$T_TMP/interactive.out" "rust_minimal 12288"
	expect_contains "$T_TMP/interactive.status" "boot exited 0"
else
	t_fail "tmux is not installed (make deps installs it)"
fi
t_end

t_begin "with no --run and no terminal (</dev/null): no shell; the module goes in and out and boot ends by itself"
start=$(date +%s)
timeout 120 "$KBRIDGE" boot --build "$T_TMP/composite-again" > "$T_TMP/nostdin.out" 2>&1 < /dev/null
status=$?
took=$(( $(date +%s) - start ))
[ $status -eq 124 ] && t_fail "kbridge boot </dev/null was still running after 120 s"
expect_status 0 $status
expect_contains "$T_TMP/nostdin.out" "$ insmod /kb/mod/composite.ko"
expect_contains "$T_TMP/nostdin.out" "$ rmmod composite"
expect_contains "$T_TMP/nostdin.out" "composite: C asked Rust for 6 * 7 + 100 = 142"
expect_contains "$T_TMP/nostdin.out" "== verdict: ok"
expect_not_contains "$T_TMP/nostdin.out" "interactive"
[ $took -lt 60 ] || t_fail "kbridge boot </dev/null took $took s"
t_end

t_begin "with no --run and a pipe: each line up to the end of input is a command"
printf 'echo hi from stdin\n# a comment\n\ncat /proc/modules\n' |
	timeout 120 "$KBRIDGE" boot --build "$T_TMP/composite-again" > "$T_TMP/pipe.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/pipe.out" "$ echo hi from stdin"
expect_contains "$T_TMP/pipe.out" "hi from stdin"
expect_contains "$T_TMP/pipe.out" "composite 12288"
expect_not_contains "$T_TMP/pipe.out" "$ # a comment"
t_end

t_begin "a pipe that never ends: reading commands stops at --timeout"
mkfifo "$T_TMP/endless"
sleep 60 > "$T_TMP/endless" &
writer=$!
start=$(date +%s)
timeout 60 "$KBRIDGE" boot --timeout 3 < "$T_TMP/endless" > "$T_TMP/endless.out" 2>&1
status=$?
took=$(( $(date +%s) - start ))
kill $writer 2> /dev/null
expect_status 2 $status
expect_contains "$T_TMP/endless.out" "standard input did not end within 3 s (--timeout)"
[ $took -lt 15 ] || t_fail "--timeout 3 took $took s"
t_end

t_begin "an interactive shell given --timeout is powered off at the timeout"
if command -v tmux > /dev/null; then
	sock="$T_TMP/tmux2.sock"
	start=$(date +%s)
	tmux -S "$sock" new-session -d -x 100 -y 30 \
		"'$KBRIDGE' boot --timeout 6; echo \"boot exited \$?\" > '$T_TMP/itimeout.status'; sleep 60"
	i=0
	until [ -s "$T_TMP/itimeout.status" ] || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done
	took=$(( $(date +%s) - start ))
	tmux -S "$sock" capture-pane -p -S -100 > "$T_TMP/itimeout.out"
	tmux -S "$sock" kill-server 2> /dev/null
	expect_contains "$T_TMP/itimeout.out" "built-in shell"
	[ -s "$T_TMP/itimeout.status" ] || t_fail "the interactive boot with --timeout 6 was still running after 30 s"
	[ $took -lt 25 ] || t_fail "--timeout 6 took $took s"
else
	t_fail "tmux is not installed (make deps installs it)"
fi
t_end

t_begin "boot refuses bad arguments"
"$KBRIDGE" boot --insmod /no/such.ko --run true > "$T_TMP/bad.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/bad.out" "module /no/such.ko not found"
"$KBRIDGE" boot --timeout -3 > "$T_TMP/bad2.out" 2>&1
expect_status 2 $?
t_end

t_begin "a kernel home under /tmp builds in the sandbox, whose /tmp is a private one"
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
mkdir -p "$T_TMP/home"
cp -al "$HOME_DIR/build" "$HOME_DIR/stamps" "$HOME_DIR/tools" "$HOME_DIR/initramfs.cpio" "$T_TMP/home/"
ln -s "$HOME_DIR/linux" "$T_TMP/home/linux"
cp -r "$FIX/composite" "$T_TMP/tmphome_mod"
KBRIDGE_HOME="$T_TMP/home" "$KBRIDGE" boot --build "$T_TMP/tmphome_mod" --run true > "$T_TMP/tmphome.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/tmphome.out" "== verdict: ok"
t_end

t_finish
