#!/bin/sh
# docs/lesson-api.md's tables of the course kernel's configuration are what
# scripts/kernel-config-doc.py makes from assets/kernel.config, and the check notices a
# table that drifts (the comparison with the built .config is in
# tests/integration/test_kernel_config_built.sh).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN="$ROOT/scripts/kernel-config-doc.py"
DOC="$ROOT/docs/lesson-api.md"

t_begin "docs/lesson-api.md holds the tables kernel.config gives"
python3 "$GEN" --check "$DOC" > "$T_TMP/check.out" 2>&1
expect_status 0 $?
expect_contains "$DOC" '| `SMP=y`, `NR_CPUS=2` |'
expect_contains "$DOC" '| `RUST_OVERFLOW_CHECKS` | `y` |'
# every CONFIG_ line of kernel.config is in the doc
grep -E '^(# )?CONFIG_' "$ROOT/assets/kernel.config" | sed -E 's/^CONFIG_([A-Z0-9_]+)=(.*)/`\1=\2`/; s/^# CONFIG_([A-Z0-9_]+) is not set/`\1` off/' |
	while read -r cell; do grep -qF -- "$cell" "$DOC" || echo "$cell"; done > "$T_TMP/missing"
[ -s "$T_TMP/missing" ] && t_fail "not in the doc: $(cat "$T_TMP/missing")"
t_end

t_begin "a doc whose table drifted from kernel.config is caught"
sed 's/`NR_CPUS=2`/`NR_CPUS=4`/' "$DOC" > "$T_TMP/drift.md"
python3 "$GEN" --check "$T_TMP/drift.md" > "$T_TMP/drift.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/drift.out" "the kernel configuration tables are not what assets/kernel.config gives"
expect_contains "$T_TMP/drift.out" "NR_CPUS=4"
t_end

t_begin "a built .config that does not have what the doc says is caught"
printf 'CONFIG_RUST_OVERFLOW_CHECKS=y\nCONFIG_KASAN=y\nCONFIG_NR_CPUS=2\n' > "$T_TMP/fake.config"
python3 "$GEN" --check "$DOC" "$T_TMP/fake.config" > "$T_TMP/fake.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/fake.out" "CONFIG_KASAN is y, the doc says off"
expect_contains "$T_TMP/fake.out" "CONFIG_SMP is off, kernel.config asks y"
expect_not_contains "$T_TMP/fake.out" "CONFIG_NR_CPUS"
t_end

t_finish
