#!/bin/sh
# Run every kbridge test suite and add up their closing "N passed, N failed" lines.
#   static:      tests/static/test_*.sh       (the source's layers, the test accounting)
#   unit:        obj/tests/test_*              (cmocka; no kernel needed)
#   integration: tests/integration/test_*.sh  (real kernel, real Kbuild, real QEMU)
# The course kernel is prepared first with `kbridge setup` (cached in KBRIDGE_HOME, so
# reruns are quick). How a suite counts: scripts/suite.sh.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/suite.sh

for t in tests/static/test_*.sh; do
	[ -f "$t" ] || continue
	run_suite "static $(basename "$t" .sh)" sh "$t"
done

for t in obj/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	run_suite "unit $(basename "$t")" "$t"
done

echo "=== kbridge setup (the course kernel; cached after the first run)"
if ! ./kbridge setup --no-workspace; then
	echo "!!! kbridge setup failed: the integration tests cannot run"
	suite_failed=$((suite_failed + 1))
	suite_broken="$suite_broken setup"
else
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		run_suite "integration $(basename "$t" .sh)" sh "$t"
	done
fi

[ -n "$suite_broken" ] && echo "failing suites:$suite_broken"
echo "$suite_passed passed, $suite_failed failed"
[ "$suite_failed" -eq 0 ]
