#!/bin/sh
# Per lesson of the built-in course: a check of its solution, wall time against the sum
# of its builds and boots; what is left ("rest") is kbridge itself: of it, "setup" is the
# kernel's status and the toolchain's answers (kb.build's first call) and "lua" the
# lesson's check script, from `kbridge check --format json`. Then the end-to-end time of
# the commands that build nothing (list, hint, diff, reset, solution) in a real
# workspace. Printed, not judged.
# Needs the course kernel. RUNS=N checks per lesson (default 1: the course takes minutes);
# KB=PATH times another kbridge binary (default ./kbridge); LESSONS="a b" only those.
set -eu
cd "$(dirname "$0")/.."
KB=${KB:-./kbridge}
export KBRIDGE_DATADIR="${KBRIDGE_DATADIR:-$(pwd)}"
RUNS=${RUNS:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-course.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }

echo "kbridge check per lesson ($RUNS run(s) each, the run of median wall time; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-14s %8s %8s %8s %8s %6s %8s %8s\n' lesson wall builds boots rest rest% setup lua
for lesson in ${LESSONS:-$(sed -n '/lessons = {/,/}/s/^ *"\([a-z0-9_-]*\)",*$/\1/p' lessons/core/pack.lua)}; do
	tree="$TMP/$lesson"
	mkdir -p "$tree"
	$KB pack export lessons/core "$lesson" "$tree" > /dev/null 2>&1 || { echo "$lesson: export failed"; continue; }
	for i in $(seq "$RUNS"); do
		$KB check "$lesson" --pack lessons/core --workspace "$tree" --format json > "$TMP/$lesson-$i.json" 2>/dev/null || true
	done
	python3 - "$lesson" "$TMP/$lesson"-*.json <<'PY'
import json, sys, statistics
runs = []   # per run: the lesson's tasks added up
for f in sys.argv[2:]:
    try:
        rows = json.load(open(f))["results"]
    except Exception:
        continue
    if rows:
        runs.append({k: sum(r[k] for r in rows) for k in
                     ("elapsed", "build_seconds", "boot_seconds", "setup_seconds", "lua_seconds")} |
                    {"ok": all(r["verdict"] == "pass" for r in rows)})
if not runs:
    print("%-14s (no result)" % sys.argv[1]); sys.exit(0)
# several runs: the run of median wall time, so that its parts add up
runs.sort(key=lambda r: r["elapsed"])
m = runs[(len(runs) - 1) // 2]
wall, b, t = m["elapsed"], m["build_seconds"], m["boot_seconds"]
rest = wall - b - t
ok = all(r["ok"] for r in runs)
print("%-14s %7.2fs %7.2fs %7.2fs %7.2fs %5.1f%% %7.3fs %7.3fs%s" % (sys.argv[1], wall, b, t, rest,
      100 * rest / wall if wall else 0, m["setup_seconds"], m["lua_seconds"],
      "" if ok else "  (not all passed)"))
PY
done

# commands that build nothing, end to end, in a workspace with orientation started
WS="$TMP/ws"
KBRIDGE_WORKSPACE="$WS" $KB start orientation > /dev/null 2>&1
for cmd in "list" "hint orientation" "diff orientation" "reset orientation" "solution orientation --reveal"; do
	: > "$TMP/t"
	for i in 1 2 3 4 5; do
		t0=$(now)
		KBRIDGE_WORKSPACE="$WS" $KB $cmd > /dev/null 2>&1 < /dev/null || true
		t1=$(now)
		echo "$t1 - $t0" | bc >> "$TMP/t"
	done
	printf '%-62s %6.0f ms\n' "kbridge $cmd (end to end, median of 5)" \
		"$(sort -n "$TMP/t" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] * 1000}')"
done
