#!/bin/sh
# kbridge's own catalogs (src/base/intl.h): the template is what src/ marks, every catalog is
# whole (no untranslated or fuzzy entry), and the check catches a string marked after the
# template was made and an untranslated entry.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

t_begin "assets/po: the template matches src/ and zh_CN.po translates every entry"
"$ROOT/scripts/po.sh" check > "$T_TMP/check.out" 2>&1
st=$?
expect_status 0 $st
[ $st -eq 0 ] || sed 's/^/    | /' "$T_TMP/check.out" | head -20
t_end

t_begin "a newly marked string and an untranslated entry fail the check"
mkdir -p "$T_TMP/tree/scripts" "$T_TMP/tree/assets/po" "$T_TMP/tree/src/cli"
cp "$ROOT/scripts/po.sh" "$T_TMP/tree/scripts/"
printf 'const char *a(void) { return _("first words"); }\n' > "$T_TMP/tree/src/cli/a.c"
( cd "$T_TMP/tree" && scripts/po.sh pot && msginit --no-translator --locale=zh_CN.UTF-8 \
	-i assets/po/kbridge.pot -o assets/po/zh_CN.po ) > /dev/null 2>&1
( cd "$T_TMP/tree" && scripts/po.sh check ) > "$T_TMP/untr.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/untr.out" "untranslated"
printf 'const char *b(void) { return _("second words"); }\n' >> "$T_TMP/tree/src/cli/a.c"
( cd "$T_TMP/tree" && scripts/po.sh check ) > "$T_TMP/stale.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/stale.out" "second words"
t_end

t_finish
