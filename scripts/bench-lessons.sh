#!/bin/sh
# Lesson-engine figures (printed, not pass/fail):
#   - loading a 20-lesson pack (manifest + 20 lessons, each in its own sandbox), median
#   - the same Lua work in a kbridge sandbox and in a bare Lua state (the sandbox's cost)
#   - edit -> verdict: a real check after an edit of the scaffold's Rust module, and where its time goes
# The first two need no kernel; the last needs `kbridge setup`.
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory -s kbridge >/dev/null 2>&1 || echo "(make kbridge failed: benchmarking the objects built so far)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbridge-bench-lessons.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# a 20-lesson pack: the scaffold's lesson twenty times
./kbridge pack new "$TMP/one" >/dev/null
mkdir -p "$TMP/pack20"
ids=''
for i in $(seq -w 1 20); do
	cp -r "$TMP/one/hello" "$TMP/pack20/l$i"
	sed -i "s/id = \"hello\"/id = \"l$i\"/" "$TMP/pack20/l$i/lesson.lua"
	ids="$ids \"l$i\","
done
printf 'pack {\n  name = "bench20", version = "1", kernel = "6.12",\n  lessons = {%s },\n}\n' "$ids" > "$TMP/pack20/pack.lua"

make --no-print-directory -s obj/bench/bench_lessons
obj/bench/bench_lessons "$TMP/pack20"

start=$(date +%s%N)
./kbridge pack validate --no-run "$TMP/pack20" >/dev/null
end=$(date +%s%N)
echo "kbridge pack validate --no-run on it (whole process): $(( (end - start) / 1000000 )) ms"

if ./kbridge setup --status >/dev/null 2>&1; then
	TMPDIR="$TMP" ./kbridge pack validate --keep "$TMP/one" > "$TMP/v.out" 2>&1 || { cat "$TMP/v.out"; exit 1; }
	WS=$(sed -n 's/.*the workspaces are kept in //p' "$TMP/v.out")/hello-greet-solution/linux
	RS=$(find "$WS/samples" -name '*.rs' | head -n 1)
	for i in 1 2 3 4 5; do
		echo "// edit $i" >> "$RS"   # an edit, so each check rebuilds: edit -> verdict
		./kbridge check hello/greet --format json --pack "$TMP/one" --workspace "$WS" > "$TMP/c$i.json" || true
	done
	python3 - "$TMP"/c*.json <<'PY'
import json, sys, statistics
rows = [json.load(open(f))["results"][0] for f in sys.argv[1:]]
med = lambda k: statistics.median(r[k] for r in rows)
print("edit -> verdict: a real check after an edit (scaffold's hello/greet, %d runs, medians): %.2f s total = build %.2f s + boot %.2f s"
      " + sandbox/Lua and everything else %.1f ms (%.2f %%)" % (len(rows), med("elapsed"), med("build_seconds"),
      med("boot_seconds"), med("lua_seconds") * 1000, 100 * med("lua_seconds") / med("elapsed")))
PY
else
	echo "(the course kernel is not set up: skipping the real check; run kbridge setup)"
fi
