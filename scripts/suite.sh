# suite.sh - run one test suite and add its count to the total (sourced by run-tests.sh
# and by tests/static/test_accounting.sh, which proves the rules below).
#
#   run_suite NAME COMMAND [ARG...]
#
# The suite's output is shown as it comes and kept. Its count is its last line
# "N passed, N failed" (one word and a colon may stand before it). Rules:
#   - no such line: one failure ("ended without a summary line");
#   - the suite's own exit status decides too: a suite that exits non-zero while its
#     line says "0 failed" counts one failure more, so output that looks fine cannot
#     hide a crash or an exit 1.
# Totals: suite_passed, suite_failed; suite_broken lists the suites that failed.
suite_passed=0
suite_failed=0
suite_broken=''

run_suite() {
	_name=$1
	shift
	echo "=== $_name"
	_out=$(mktemp)
	_st=$(mktemp)
	{ "$@" 2>&1; echo $? > "$_st"; } | tee "$_out"
	_status=$(cat "$_st")
	_summary=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$_out" | tail -n 1)
	if [ -z "$_summary" ]; then
		echo "!!! $_name ended without a summary line (exit status $_status)"
		suite_failed=$((suite_failed + 1))
		suite_broken="$suite_broken $_name"
	else
		_p=$(echo "$_summary" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
		_f=$(echo "$_summary" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
		if [ "$_status" != 0 ] && [ "$_f" -eq 0 ]; then
			echo "!!! $_name exited with status $_status though its summary says 0 failed"
			_f=1
		fi
		suite_passed=$((suite_passed + _p))
		suite_failed=$((suite_failed + _f))
		[ "$_f" -gt 0 ] && suite_broken="$suite_broken $_name"
	fi
	rm -f "$_out" "$_st"
	return 0
}
