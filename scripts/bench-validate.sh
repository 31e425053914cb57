#!/bin/sh
# `kbridge pack validate lessons/core` one run at a time (-j 1) and side by side (-j N,
# N = the number of CPUs unless JOBS says otherwise), one after the other in the same run
# so both meet the same machine; then the ratio parallel / serial. The -j N run starts
# the longest runs first by the times the -j 1 run just kept (KBRIDGE_HOME/validate.times).
# Both runs must agree on the counts. Printed, not judged. Needs the course kernel.
set -eu
cd "$(dirname "$0")/.."
KB=./kbridge
JOBS=${JOBS:-$(nproc)}
PACK=${PACK:-lessons/core}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-validate.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }

run() {   # run J: validate with -j J, its wall time in $TMP/J.s and its output in $TMP/J.out
	t0=$(now)
	TMPDIR="$TMP" $KB pack validate -j "$1" "$PACK" > "$TMP/$1.out" 2>&1 || true
	t1=$(now)
	echo "$t1 - $t0" | bc > "$TMP/$1.s"
}

echo "pack validate $PACK ($(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg))"
run 1
run "$JOBS"
counts1=$(tail -n 1 "$TMP/1.out")
countsj=$(tail -n 1 "$TMP/$JOBS.out")
printf '%-40s %7.1f s   %s\n' "one run at a time (-j 1)" "$(cat "$TMP/1.s")" "$counts1"
printf '%-40s %7.1f s   %s\n' "side by side, longest first (-j $JOBS)" "$(cat "$TMP/$JOBS.s")" "$countsj"
printf '%-40s %7.2f\n' "ratio (-j $JOBS / -j 1)" "$(echo "scale=4; $(cat "$TMP/$JOBS.s") / $(cat "$TMP/1.s")" | bc)"
if [ "$counts1" != "$countsj" ]; then
	echo "the two runs disagree: '$counts1' against '$countsj'; their failures:"
	for j in 1 "$JOBS"; do
		echo "  -j $j:"
		grep -A6 '^FAIL' "$TMP/$j.out" | sed 's/^/    /'
	done
	exit 1
fi
