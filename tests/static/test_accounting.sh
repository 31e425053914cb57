#!/bin/sh
# Honest test accounting: how scripts/suite.sh counts a suite, and how a cmocka group
# (tests/unit/kbtest.h) counts tests that never ran because its setup failed.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# run_suite in a subshell on a fake suite; prints "passed failed broken"
count() {   # count SCRIPT_TEXT
	printf '%s\n' "$1" > "$T_TMP/suite.sh"
	( . "$ROOT/scripts/suite.sh"; run_suite fake sh "$T_TMP/suite.sh" > "$T_TMP/suite.out"
	  echo "$suite_passed $suite_failed$suite_broken" )
}

t_begin "a suite that ends '3 passed, 0 failed' and exits 0 counts 3 passed"
got=$(count 'echo "3 passed, 0 failed"')
[ "$got" = "3 0" ] || t_fail "counted '$got'"
t_end

t_begin "a suite whose output looks fine but that exits 1 counts as failed"
got=$(count 'echo "3 passed, 0 failed"; exit 1')
[ "$got" = "3 1 fake" ] || t_fail "counted '$got'"
expect_contains "$T_TMP/suite.out" "exited with status 1 though its summary says 0 failed"
t_end

t_begin "a suite that crashes before its summary counts one failure"
got=$(count 'echo "ok - one"; kill -SEGV $$')
[ "$got" = "0 1 fake" ] || t_fail "counted '$got'"
expect_contains "$T_TMP/suite.out" "ended without a summary line"
t_end

t_begin "a suite's own failures are counted as it says"
got=$(count 'echo "2 passed, 2 failed"; exit 1')
[ "$got" = "2 2 fake" ] || t_fail "counted '$got'"
t_end

t_begin "a cmocka group whose setup fails counts its tests as failed"
cat > "$T_TMP/setup_fails.c" <<'C'
#include "kbtest.h"
static int setup(void **state) { (void)state; return -1; }
static void test_a(void **state) { (void)state; }
static void test_b(void **state) { (void)state; }
static const struct CMUnitTest tests[] = { cmocka_unit_test(test_a), cmocka_unit_test(test_b) };
KB_TEST_MAIN_GROUP(tests, setup, NULL)
C
if ! cc -I"$ROOT/tests/unit" -o "$T_TMP/setup_fails" "$T_TMP/setup_fails.c" -lcmocka 2> "$T_TMP/cc.out"; then
	t_fail "could not build the fake group: $(cat "$T_TMP/cc.out")"
else
	"$T_TMP/setup_fails" > "$T_TMP/group.out" 2>&1
	expect_status 1 $?
	expect_contains "$T_TMP/group.out" "0 passed, 2 failed"
fi
t_end

t_begin "a cmocka group whose setup succeeds counts its tests as they end"
sed 's/return -1;/return 0;/' "$T_TMP/setup_fails.c" > "$T_TMP/setup_ok.c"
cc -I"$ROOT/tests/unit" -o "$T_TMP/setup_ok" "$T_TMP/setup_ok.c" -lcmocka 2> "$T_TMP/cc.out" &&
	"$T_TMP/setup_ok" > "$T_TMP/group.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/group.out" "2 passed, 0 failed"
t_end

t_finish
