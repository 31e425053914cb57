#!/bin/sh
# The course kernel as built has the configuration docs/lesson-api.md states: every
# line of assets/kernel.config, and the values the doc takes from tinyconfig and
# Kconfig's defaults (Rust overflow checks on, no KASAN, ...).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}

t_begin "the built .config has what docs/lesson-api.md says"
[ -f "$HOME_DIR/build/.config" ] || t_fail "no course kernel in $HOME_DIR (kbridge setup makes it)"
python3 "$ROOT/scripts/kernel-config-doc.py" --check "$ROOT/docs/lesson-api.md" "$HOME_DIR/build/.config" > "$T_TMP/check.out" 2>&1
expect_status 0 $?
[ -s "$T_TMP/check.out" ] && t_fail "$(cat "$T_TMP/check.out")"
t_end

t_finish
