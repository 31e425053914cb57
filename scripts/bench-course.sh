#!/bin/sh
# Per lesson of the built-in course: a check of its solution, wall time against the sum
# of its builds and boots (what is left is Lua, the toolchain probe, pinning and kbridge
# itself), from `kbridge check --format json`; then the end-to-end time of the commands
# that build nothing (list, hint, diff, reset) in a real workspace. Printed, not judged.
# Needs the course kernel. RUNS=N checks per lesson (default 1: the course takes minutes).
set -eu
cd "$(dirname "$0")/.."
KB=./kbridge
RUNS=${RUNS:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-course.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }

printf '%-14s %8s %8s %8s %8s %6s\n' lesson wall builds boots rest rest%
for lesson in $(sed -n '/lessons = {/,/}/s/^ *"\([a-z0-9_-]*\)",*$/\1/p' lessons/core/pack.lua); do
	tree="$TMP/$lesson"
	mkdir -p "$tree"
	$KB pack export lessons/core "$lesson" "$tree" > /dev/null 2>&1 || { echo "$lesson: export failed"; continue; }
	for i in $(seq "$RUNS"); do
		$KB check "$lesson" --pack lessons/core --workspace "$tree" --format json > "$TMP/$lesson-$i.json" 2>/dev/null || true
	done
	python3 - "$lesson" "$TMP/$lesson"-*.json <<'PY'
import json, sys, statistics
rows = []
for f in sys.argv[2:]:
    try:
        rows += json.load(open(f))["results"]
    except Exception:
        pass
if not rows:
    print("%-14s (no result)" % sys.argv[1]); sys.exit(0)
# a lesson's tasks add up; several runs: the median of the sums
runs = len(sys.argv) - 2
def total(k): return sum(r[k] for r in rows) / runs
wall, b, t = total("elapsed"), total("build_seconds"), total("boot_seconds")
rest = wall - b - t
ok = all(r["verdict"] == "pass" for r in rows)
print("%-14s %7.2fs %7.2fs %7.2fs %7.2fs %5.1f%%%s" % (sys.argv[1], wall, b, t, rest, 100 * rest / wall if wall else 0,
      "" if ok else "  (not all passed)"))
PY
done

# commands that build nothing, end to end, in a workspace with orientation started
WS="$TMP/ws"
KBRIDGE_WORKSPACE="$WS" $KB start orientation > /dev/null 2>&1
for cmd in "list" "hint orientation" "diff orientation" "reset orientation"; do
	: > "$TMP/t"
	for i in 1 2 3 4 5; do
		t0=$(now)
		KBRIDGE_WORKSPACE="$WS" $KB $cmd > /dev/null 2>&1 < /dev/null || true
		t1=$(now)
		echo "$t1 - $t0" | bc >> "$TMP/t"
	done
	printf '%-48s %6.0f ms\n' "kbridge $cmd (end to end, median of 5)" \
		"$(sort -n "$TMP/t" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] * 1000}')"
done
