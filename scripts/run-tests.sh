#!/bin/sh
# Run every kbridge test suite and add up their closing "N passed, N failed" lines.
#   unit:        obj/tests/test_*      (cmocka; no kernel needed)
#   integration: tests/integration/test_*.sh  (real kernel, real Kbuild, real QEMU)
# The course kernel is prepared first with `kbridge setup` (cached in KBRIDGE_HOME, so
# reruns are quick). A suite that ends without its summary line counts as one failure.
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
broken=''

run_suite() {
	name=$1
	shift
	echo "=== $name"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	status=$?
	summary=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "!!! $name ended without a summary line"
		failed=$((failed + 1))
		broken="$broken $name"
	else
		p=$(echo "$summary" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
		f=$(echo "$summary" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -gt 0 ] && broken="$broken $name"
	fi
	rm -f "$out"
}

for t in obj/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	run_suite "unit $(basename "$t")" "$t"
done

echo "=== kbridge setup (the course kernel; cached after the first run)"
if ! ./kbridge setup; then
	echo "!!! kbridge setup failed: the integration tests cannot run"
	failed=$((failed + 1))
	broken="$broken setup"
else
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		run_suite "integration $(basename "$t" .sh)" sh "$t"
	done
fi

[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
