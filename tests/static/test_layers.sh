#!/bin/sh
# src/ is layered (scripts/check-layers.py): it passes on the real tree, and it catches an
# upward include, an include without its folder and a cycle on a copy of it.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK="$ROOT/scripts/check-layers.py"

t_begin "src/: every include names its layer, points down, and no modules include each other"
python3 "$CHECK" "$ROOT/src" > "$T_TMP/real.out" 2>&1
st=$?
expect_status 0 $st
[ $st -eq 0 ] || sed 's/^/    | /' "$T_TMP/real.out"
expect_contains "$T_TMP/real.out" "3 passed, 0 failed"
t_end

copy() { rm -rf "$T_TMP/src"; cp -R "$ROOT/src" "$T_TMP/src"; }

t_begin "an include from a layer above is caught, with its file and line"
copy
printf '#include "engine/check.h"\n' >> "$T_TMP/src/base/util.c"
python3 "$CHECK" "$T_TMP/src" > "$T_TMP/up.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/up.out" "not ok - every include points to its own layer or one below"
expect_contains "$T_TMP/up.out" "src/base/util.c:"
expect_contains "$T_TMP/up.out" "base includes from engine"
t_end

t_begin "an include without its folder is caught"
copy
printf '#include "util.h"\n' >> "$T_TMP/src/sys/lab.c"
python3 "$CHECK" "$T_TMP/src" > "$T_TMP/bare.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/bare.out" "\"util.h\" names no layer folder"
t_end

t_begin "two modules of one layer that include each other are a cycle"
copy
printf '#include "engine/course.h"\n' >> "$T_TMP/src/engine/check.c"
printf '#include "engine/check.h"\n' >> "$T_TMP/src/engine/course.c"
python3 "$CHECK" "$T_TMP/src" > "$T_TMP/cycle.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/cycle.out" "not ok - no include cycle between modules"
expect_contains "$T_TMP/cycle.out" "engine/check -> engine/course -> engine/check"
t_end

t_finish
