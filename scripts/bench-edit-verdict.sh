#!/bin/sh
# Edit -> verdict: a one-file Rust edit, then `kbridge check` of a task that builds the
# module and boots it (kb.build, then kb.boot), wall time until the verdict is printed.
# Two paths side by side in the same run, alternating: sequential (KBRIDGE_BOOT_OVERLAP=0:
# build, then boot) and overlapped (the guest boots while Kbuild runs). Prints the
# medians and their ratio; judges nothing. Needs the course kernel. RUNS=N (default 7).
set -eu
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-edit.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# a one-task pack: build samples/kbridge/minimal (the kernel's rust_minimal), boot it,
# expect its line in the kernel log
mkdir -p "$TMP/pack/edit" "$TMP/tree/samples/kbridge/minimal"
echo 'pack { name = "bench", version = "1", kernel = "6.12", lessons = { "edit" } }' > "$TMP/pack/pack.lua"
echo "# Edit" > "$TMP/pack/edit/intro.md"
cat > "$TMP/pack/edit/lesson.lua" <<'EOF'
lesson {
  id = "edit", title = "Edit, then verdict", summary = "a one-file Rust edit, checked",
  history = { year = 2024, milestone = "benchmark", source = "kbridge's benchmarks" },
  steps = {
    page { file = "intro.md" },
    task {
      id = "t", title = "rust_minimal", goal = "it loads and says its numbers",
      files = { "samples/kbridge/minimal/rust_minimal.rs" },
      check = function(kb)
        local b = kb.build("samples/kbridge/minimal")
        if not kb.expect_build(b) then return end
        local r = kb.boot { modules = b, run = "true" }
        kb.expect_boot(r)
        kb.expect_log(r, "My numbers are [72, 108, 200]")
        kb.expect_no_fault(r)
      end,
    },
  },
}
EOF
mkdir -p "$TMP/pack/edit/solution/samples/kbridge"
M="$TMP/tree/samples/kbridge/minimal"
cp "$HOME_DIR/linux/samples/rust/rust_minimal.rs" "$M/"
echo 'obj-m := rust_minimal.o' > "$M/Kbuild"
cp -R "$M" "$TMP/pack/edit/solution/samples/kbridge/"

check() {   # check MODE I: edit the .rs, then kbridge check; wall, build and boot seconds
	sed -i "s/Rust minimal sample (init).*\\\\n/Rust minimal sample (init) $1 $2\\\\n/" "$M/rust_minimal.rs"
	t0=$(now)
	KBRIDGE_BOOT_OVERLAP=$1 $KB check edit/t --pack "$TMP/pack" --workspace "$TMP/tree" --format json \
		> "$TMP/out" 2>&1 || { echo "the check failed:"; cat "$TMP/out"; exit 1; }
	t1=$(now)
	grep -q '"verdict":.*"pass"' "$TMP/out" || { echo "it did not pass:"; cat "$TMP/out"; exit 1; }
	echo "$t1 - $t0" | bc >> "$TMP/$1"
	sed -n 's/.*"build_seconds":[^0-9]*\([0-9.e-]*\).*/\1/p' "$TMP/out" >> "$TMP/$1.build"
	sed -n 's/.*"boot_seconds":[^0-9]*\([0-9.e-]*\).*/\1/p' "$TMP/out" >> "$TMP/$1.boot"
}
check 0 warm   # the first build of the folder is a cold one: not counted
for f in 0 1 0.build 1.build 0.boot 1.boot; do : > "$TMP/$f"; done
for i in $(seq "$RUNS"); do
	check 0 "$i"
	check 1 "$i"
done
seq_m=$(median < "$TMP/0")
ovl_m=$(median < "$TMP/1")
printf '%-48s %6.2f s  (kb.build %.2f s, kb.boot %.2f s)\n' "edit -> verdict, build then boot (sequential)" \
	"$seq_m" "$(median < "$TMP/0.build")" "$(median < "$TMP/0.boot")"
printf '%-48s %6.2f s  (kb.build %.2f s, kb.boot %.2f s)\n' "edit -> verdict, boot while building (overlapped)" \
	"$ovl_m" "$(median < "$TMP/1.build")" "$(median < "$TMP/1.boot")"
printf '%-48s %6.2f   (load %s)\n' "  overlapped / sequential" "$(echo "$ovl_m / $seq_m" | bc -l)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
