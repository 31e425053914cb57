#!/bin/sh
# kbridge benchmarks: medians over repeated runs, printed as figures (not pass/fail).
#   module build, cold (a fresh folder)           make -C BUILD M=DIR LLVM=1 modules
#   module build after editing one .rs
#   boot + insmod + rmmod                         kbridge boot --insmod X.ko --run true
#   build + boot of one small Rust module after an edit
#   edit -> verdict of a lesson check, sequential against overlapped (bench-edit-verdict.sh)
#   then obj/bench/*: the lesson engine, the shell, the workspace, and the classroom
#   parts (report for 30 learners x 16 lessons; a lab check slot taken and given back);
#   then scripts/bench-course.sh: each core lesson's check, wall against builds + boots,
#   and list/hint/diff/reset end to end
#   then scripts/bench-validate.sh: pack validate lessons/core with -j 1, then side by side
#   (-j CPUs) in the same run, and the ratio
# Needs the course kernel (kbridge setup). RUNS=N sets the repetitions (default 7).
set -eu
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
$KB setup --no-workspace >/dev/null 2>&1 || $KB setup --no-workspace
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fresh_module() {
	rm -rf "$1"
	mkdir -p "$1"
	cp "$HOME_DIR/linux/samples/rust/rust_minimal.rs" "$1/"
	echo 'obj-m := rust_minimal.o' > "$1/Kbuild"
}

build() {   # build DIR [CC=...]: Kbuild as kbridge runs it, clang asked its probes unless CC says otherwise
	_dir=$1
	shift
	make -s -C "$HOME_DIR/build" M="$_dir" LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
		HOSTRUSTC=/usr/bin/rustc BINDGEN="$HOME_DIR/tools/bindgen" "$@" modules >/dev/null
}
# the compiler probes setup recorded (scripts/kbuild-cc): what kbridge's builds use
export KBRIDGE_CC_PROBES="$HOME_DIR/tools/cc-probes"
CACHED="CC=$HOME_DIR/tools/cc"
[ -x "$HOME_DIR/tools/cc" ] && [ -f "$KBRIDGE_CC_PROBES" ] || { echo "(no recorded probes: run kbridge setup)"; CACHED="CC=clang"; }

echo "kbridge benchmarks ($RUNS runs each, median; $(nproc) CPUs, $(uname -m); load $(cut -d' ' -f1-3 /proc/loadavg))"

: > "$TMP/cold"
for i in $(seq "$RUNS"); do
	fresh_module "$TMP/m"
	t0=$(now); PATH=/usr/bin:$PATH build "$TMP/m" "$CACHED"; t1=$(now)
	echo "$t1 - $t0" | bc >> "$TMP/cold"
done
printf '%-48s %6.2f s\n' "module build, cold (rust_minimal)" "$(median < "$TMP/cold")"

# a build with nothing to do and a one-file edit, with clang asked its ~30 probes each
# time (before) and with the answers setup recorded (after, what kbridge does)
for mode in before after; do
	cc=CC=clang
	[ $mode = after ] && cc=$CACHED
	PATH=/usr/bin:$PATH build "$TMP/m" "$cc"
	: > "$TMP/noop-$mode"
	: > "$TMP/edit-$mode"
	for i in $(seq "$RUNS"); do
		t0=$(now); PATH=/usr/bin:$PATH build "$TMP/m" "$cc"; t1=$(now)
		echo "$t1 - $t0" | bc >> "$TMP/noop-$mode"
		echo "// edit $mode $i" >> "$TMP/m/rust_minimal.rs"
		t0=$(now); PATH=/usr/bin:$PATH build "$TMP/m" "$cc"; t1=$(now)
		echo "$t1 - $t0" | bc >> "$TMP/edit-$mode"
	done
done
printf '%-48s %6.2f s -> %5.2f s\n' "module build with nothing to do (probes asked -> recorded)" \
	"$(median < "$TMP/noop-before")" "$(median < "$TMP/noop-after")"
printf '%-48s %6.2f s -> %5.2f s\n' "module build after a one-file .rs edit (same)" \
	"$(median < "$TMP/edit-before")" "$(median < "$TMP/edit-after")"

: > "$TMP/warm"
for i in $(seq "$RUNS"); do
	sed -i "s/Rust minimal sample (init).*\\\\n/Rust minimal sample (init) $i\\\\n/" "$TMP/m/rust_minimal.rs"
	t0=$(now); PATH=/usr/bin:$PATH build "$TMP/m" "$CACHED"; t1=$(now)
	echo "$t1 - $t0" | bc >> "$TMP/warm"
done
printf '%-48s %6.2f s\n' "module build after editing the .rs" "$(median < "$TMP/warm")"

: > "$TMP/boot"
: > "$TMP/qemu"
for i in $(seq "$RUNS"); do
	t0=$(now)
	$KB boot --insmod "$TMP/m/rust_minimal.ko" --run true > "$TMP/boot.out" 2>&1
	t1=$(now)
	grep -q "== verdict: ok" "$TMP/boot.out" || { echo "boot failed:"; cat "$TMP/boot.out"; exit 1; }
	echo "$t1 - $t0" | bc >> "$TMP/boot"
	sed -n 's/^== boot: ok (\([0-9.]*\) s)$/\1/p' "$TMP/boot.out" >> "$TMP/qemu"
done
printf '%-48s %6.2f s\n' "boot + insmod + rmmod (kbridge boot, wall)" "$(median < "$TMP/boot")"
printf '%-48s %6.2f s\n' "  of which QEMU ran" "$(median < "$TMP/qemu")"

: > "$TMP/both"
for i in $(seq "$RUNS"); do
	sed -i "s/Rust minimal sample (exit).*\\\\n/Rust minimal sample (exit) $i\\\\n/" "$TMP/m/rust_minimal.rs"
	t0=$(now)
	$KB boot --build "$TMP/m" --run true > "$TMP/both.out" 2>&1
	t1=$(now)
	grep -q "== verdict: ok" "$TMP/both.out" || { echo "build+boot failed:"; cat "$TMP/both.out"; exit 1; }
	echo "$t1 - $t0" | bc >> "$TMP/both"
done
printf '%-48s %6.2f s\n' "edit + build + boot one Rust module (wall)" "$(median < "$TMP/both")"

# edit -> verdict through a lesson check (kb.build then kb.boot): build then boot, against
# the guest booting while Kbuild runs, side by side
RUNS=$RUNS sh scripts/bench-edit-verdict.sh

# The engine, the shell, the workspace and the classroom parts: each benchmark binary with
# the arguments it needs; a benchmark that fails is reported and the others still run.
bench_failed=0
run_bench() {   # run_bench NAME COMMAND...
	echo "--- $1"
	shift
	"$@" || { echo "(benchmark failed: exit $?)"; bench_failed=$((bench_failed + 1)); }
}
run_bench "the lesson engine" scripts/bench-lessons.sh
run_bench "the shell" obj/bench/bench_ui ./kbridge tests/ui/pack
run_bench "the workspace" obj/bench/bench_workspace
run_bench "the class report and the lab" obj/bench/bench_class
run_bench "each lesson's check: wall time against its builds and boots; commands that build nothing" \
	scripts/bench-course.sh
run_bench "pack validate: one run at a time against side by side" scripts/bench-validate.sh
[ "$bench_failed" -eq 0 ] || { echo "$bench_failed benchmarks failed"; exit 1; }
