#!/bin/sh
# From nothing to a new learner's first verdict, as `make run` takes them there on a
# machine with the packages installed: a fresh clone of this repository compiled (as
# `make run` compiles it), `kbridge setup` into a fresh KBRIDGE_HOME with the learner's
# workspace cloned alongside the build, then orientation started and checked. Prints each
# step's share of the wall time and the machine's load; judges nothing.
# Takes minutes (a whole kernel build) and the disk of a kernel tree three times over
# (~6 GB in TMPDIR, removed at the end). KEEP=1 keeps it.
set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-first.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

echo "from nothing to the first verdict (load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs)"
git clone -q "$REPO" "$TMP/kbridge"
# REV=COMMIT: time kbridge as it was at another commit (this script all the same)
[ -z "${REV:-}" ] || git -C "$TMP/kbridge" checkout -q "$REV"
t0=$(now)
make -C "$TMP/kbridge" --no-print-directory -s -j"$(nproc)" all > "$TMP/make.out" 2>&1 ||
	{ cat "$TMP/make.out"; exit 1; }
t1=$(now)
KB="$TMP/kbridge/kbridge"
export KBRIDGE_HOME="$TMP/home" KBRIDGE_WORKSPACE="$TMP/ws"
"$KB" setup --workspace "$KBRIDGE_WORKSPACE" > "$TMP/setup.out" 2> "$TMP/setup.err" ||
	{ tail -20 "$TMP/setup.err"; exit 1; }
t2=$(now)
"$KB" start orientation > "$TMP/start.out" 2>&1 || { cat "$TMP/start.out"; exit 1; }
t3=$(now)
# the starter as the learner first gets it: its check gives a verdict all the same
set +e
"$KB" check orientation > "$TMP/check.out" 2>&1
verdict=$?
set -e
t4=$(now)
total=$(secs "$t0" "$t4")
share() { awk -v s="$2" -v t="$total" -v w="$1" 'BEGIN {printf "  %-46s %7.1f s %5.1f%%\n", w, s, 100 * s / t}'; }
share "compile kbridge (make -j$(nproc) all)" "$(secs "$t0" "$t1")"
share "kbridge setup, of which:" "$(secs "$t1" "$t2")"
# the steps' own lines: "kernel source extracted (14.0 s)", the import's and the clone's
# run alongside the configuration and the build
tr '\r' '\n' < "$TMP/setup.err" | sed -n 's/^\(.*\) (\([0-9.]*\) s)$/\1|\2/p' | while IFS='|' read -r what s; do
	case "$what" in
	*imported*) what="$what (alongside)";;
	esac
	share "  $what" "$s"
done
clone=$(tr '\r' '\n' < "$TMP/setup.err" | sed -n 's/^workspace: ready: .*(cloned in \([0-9.]*\) s)$/\1/p')
[ -n "$clone" ] && share "  workspace cloned (alongside the build)" "$clone"
share "kbridge start orientation" "$(secs "$t2" "$t3")"
share "kbridge check orientation (exit $verdict)" "$(secs "$t3" "$t4")"
printf '  %-46s %7.1f s (goal: 300 s idle)\n' "first verdict" "$total"
echo "  the verdict: $(grep -m1 -iE 'verdict|passed|failed|not met' "$TMP/check.out" || tail -1 "$TMP/check.out")"
