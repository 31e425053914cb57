# tests/lib.sh - a small harness for kbridge's shell tests (sourced).
#   t_begin NAME          start a test case
#   t_ok / t_fail MSG     end it
#   expect_contains FILE TEXT / expect_not_contains FILE TEXT / expect_status WANT GOT
#   t_finish              print "N passed, N failed" and exit 1 on any failure
# Each test case runs its checks in order; the first failing check fails the case.
T_PASSED=0
T_FAILED=0
T_NAME=''
T_BAD=0
KBRIDGE=${KBRIDGE:-$(cd "$(dirname "$0")/../.." && pwd)/kbridge}
# kbridge shows lessons in the language LANGUAGE, LC_ALL, LC_MESSAGES or LANG name: the
# tests read English whatever the machine's locale, unless one asks with --lang
unset LANGUAGE LC_MESSAGES
export LC_ALL=C.UTF-8
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

t_begin() {
	T_NAME=$1
	T_BAD=0
}

t_fail() {
	if [ $T_BAD -eq 0 ]; then
		echo "not ok - $T_NAME: $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	T_BAD=1
}

t_end() {
	if [ $T_BAD -eq 0 ]; then
		echo "ok - $T_NAME"
		T_PASSED=$((T_PASSED + 1))
	fi
}

expect_contains() {
	if ! grep -qF -- "$2" "$1"; then
		t_fail "expected to find '$2' in $(basename "$1"); it held:"
		sed 's/^/    | /' "$1" | tail -40
	fi
}

expect_not_contains() {
	if grep -qF -- "$2" "$1"; then
		t_fail "did not expect '$2' in $(basename "$1")"
		grep -nF -- "$2" "$1" | head -5 | sed 's/^/    | /'
	fi
}

expect_status() {
	[ "$1" = "$2" ] || t_fail "expected exit status $1, got $2"
}

t_finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ $T_FAILED -eq 0 ]
}
