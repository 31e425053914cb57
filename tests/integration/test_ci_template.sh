#!/bin/sh
# The CI templates (assets/ci): both YAML files parse and every step after fetching kbridge
# calls assets/ci/grade.sh; the fetch step's commands run against this repository; and
# grade.sh's own commands run here for real on a learner's repository made in the test
# (a pack from `kbridge pack new` with two lessons, published in git and pinned by tag;
# one lesson solved, one not): deps, install (make install into a temporary prefix),
# cache-key, setup (on a home standing for a restored cache), check in JUnit, TAP and
# JSON. The JUnit report is validated against Jenkins' JUnit schema with xmllint. Then
# gitlab-ci.yml itself runs under a real GitLab CI runner, gitlab-ci-local (pinned, put
# in the cache by scripts/gitlab-ci-local.sh) with the shell executor: the job fails on
# the learner's repository with one task failed, and passes once it is fixed; its JUnit
# artifact says which task failed. Real Kbuild, the real course kernel, real QEMU.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CI=$ROOT/assets/ci
XSD=$ROOT/tests/fixtures/junit/jenkins-junit.xsd
# gitlab-ci-local, the GitLab CI runner, is installed once into the user's cache (outside
# the clone and this test's folder) by scripts/gitlab-ci-local.sh
export KBRIDGE_RUNNER_CACHE="${KBRIDGE_RUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbridge}"
export XDG_CACHE_HOME="$T_TMP/cache"
export GIT_AUTHOR_NAME=Instructor GIT_AUTHOR_EMAIL=teach@example.org
export GIT_COMMITTER_NAME=Instructor GIT_COMMITTER_EMAIL=teach@example.org
unset GITHUB_STEP_SUMMARY KBRIDGE_PACK KBRIDGE_TREE KBRIDGE_FORMAT KBRIDGE_REPORT KBRIDGE_SRC KBRIDGE_PREFIX

t_begin "the templates parse, and each step after fetching kbridge calls grade.sh"
python3 - "$CI/github-actions.yml" "$CI/gitlab-ci.yml" > "$T_TMP/yaml.out" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/yaml.out")"
import sys, re, yaml
gh = yaml.safe_load(open(sys.argv[1]))
gl = yaml.safe_load(open(sys.argv[2]))

def grade_calls(lines):
    return [m.group(1) for l in lines for m in [re.search(r'assets/ci/grade\.sh"? ([a-z-]+)', l)] if m]

# GitHub Actions ('on' is read as True by YAML 1.1)
assert True in gh or "on" in gh, "no triggers"
for k in ("KBRIDGE_GIT_URL", "KBRIDGE_REF", "KBRIDGE_PACK"):
    assert k in gh["env"], k
# GitHub Classroom takes the score only from this workflow name and job name
assert gh["name"] == "Autograding Tests", gh["name"]
assert list(gh["jobs"]) == ["run-autograding-tests"], list(gh["jobs"])
job = gh["jobs"]["run-autograding-tests"]
assert job["container"] == "debian:12", job["container"]
steps = job["steps"]
runs = [s for s in steps if "run" in s]
fetch = [s for s in runs if "grade.sh" not in s["run"]]
assert len(fetch) == 1 and fetch[0] is steps[0], [s.get("name") for s in fetch]
assert "$KBRIDGE_GIT_URL" in fetch[0]["run"] and "$KBRIDGE_REF" in fetch[0]["run"]
calls = grade_calls(s["run"] for s in runs)
assert calls == ["deps", "install", "cache-key", "setup", "check"], calls
uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
restore, save = uses["actions/cache/restore"], uses["actions/cache/save"]
key = "${{ steps.key.outputs.key }}"
assert restore["with"]["key"] == key and save["with"]["key"] == key
assert restore["with"]["path"] == save["with"]["path"] == ".kbridge-home"
assert job["env"]["KBRIDGE_HOME"] == ".kbridge-home"
assert "github.workspace" not in str(job["env"])   # the runner's path, not the container's
order = [s.get("name") for s in steps]
assert order.index(save["name"]) == order.index("Set up the course kernel") + 1
junit = uses["mikepenz/action-junit-report"]
art = uses["actions/upload-artifact"]
assert junit["if"] == "always()" and art["if"] == "always()"
assert junit["with"]["report_paths"] == "kbridge-report.xml"
assert art["with"]["path"].split() == ["kbridge-report.xml", "kbridge-classroom.json"], art["with"]["path"]
assert job["env"]["KBRIDGE_REPORT"] == "kbridge-report.xml"
assert job["env"]["KBRIDGE_TREE"] == [s for s in steps if s.get("uses", "").startswith("actions/checkout")][0]["with"]["path"]
assert gh["permissions"]["checks"] == "write"
# the points: the check step writes the classroom result and its output `result`, which
# the autograding reporter reads from KBRIDGE_RESULTS (runner id "kbridge")
check = [s for s in steps if "grade.sh\" check" in s.get("run", "")][0]
assert check["id"] == "kbridge" and job["env"]["KBRIDGE_CLASSROOM"] == "kbridge-classroom.json"
rep = uses["classroom-resources/autograding-grading-reporter"]
assert rep["if"] == "always()" and rep["with"]["runners"] == "kbridge", rep
assert rep["env"]["KBRIDGE_RESULTS"] == "${{ steps.kbridge.outputs.result }}", rep["env"]
assert order.index(rep["name"]) > order.index(check["name"])

# GitLab CI
job = gl["kbridge"]
assert job["image"] == "debian:12"
for k in ("KBRIDGE_GIT_URL", "KBRIDGE_REF", "KBRIDGE_PACK"):
    assert k in gl["variables"], k
assert not [l for l in job["before_script"] if "grade.sh" in l]
assert any("$KBRIDGE_GIT_URL" in l and "$KBRIDGE_REF" in l for l in job["before_script"])
# apt-get runs unless KBRIDGE_APT is "0" (a prepared shell runner, as below)
apt = [l for l in job["before_script"] if "apt-get" in l]
assert gl["variables"]["KBRIDGE_APT"] == "1" and len(apt) == 1, apt
assert apt[0].startswith('if [ "$KBRIDGE_APT" != 0 ]; then apt-get update'), apt
assert all("assets/ci/grade.sh" in l for l in job["script"]), job["script"]
assert grade_calls(job["script"]) == ["deps", "install", "setup", "check"], job["script"]
assert job["artifacts"]["reports"]["junit"] == "kbridge-report.xml"
assert job["artifacts"]["when"] == "always"
assert gl["variables"]["KBRIDGE_REPORT"].endswith("/kbridge-report.xml")
assert job["cache"]["paths"] == [".kbridge-home/"] and job["cache"]["when"] == "always"
assert gl["variables"]["KBRIDGE_HOME"].endswith("/.kbridge-home")
# a job container cannot make the namespaces bubblewrap needs: both templates say they
# build unconfined, and why, next to the setting
assert gh["env"]["KBRIDGE_NO_SANDBOX"] == "1" and gl["variables"]["KBRIDGE_NO_SANDBOX"] == "1"
for f in sys.argv[1:3]:
    text = open(f).read()
    before = text[:text.index("KBRIDGE_NO_SANDBOX")]
    assert "bubblewrap" in before[-800:] and "namespaces" in before[-800:], f
print("templates ok")
PY
t_end

t_begin "the fetch step's commands fetch kbridge at a ref (this repository by file://)"
# the GitHub step's lines, less the apt-get line (the packages are here already)
python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["jobs"]["run-autograding-tests"]["steps"][0]["run"])' \
	"$CI/github-actions.yml" | grep -v '^apt-get' > "$T_TMP/fetch.sh"
KBRIDGE_SRC="$T_TMP/kbridge-src" KBRIDGE_GIT_URL="file://$ROOT" KBRIDGE_REF=HEAD sh -e "$T_TMP/fetch.sh" > "$T_TMP/fetch.out" 2>&1
expect_status 0 $?
[ -f "$T_TMP/kbridge-src/Makefile" ] || t_fail "no kbridge source fetched: $(cat "$T_TMP/fetch.out")"
[ "$(git -C "$T_TMP/kbridge-src" rev-parse HEAD)" = "$(git -C "$ROOT" rev-parse HEAD)" ] || t_fail "fetched another commit"
t_end

# The instructor's pack: `kbridge pack new`'s hello lesson and a copy of it, bye, in a git
# repository tagged v1. The learner's repository: hello solved, bye left as its starter.
"$KBRIDGE" pack new "$T_TMP/pack" > /dev/null || { echo "pack new failed"; exit 1; }
cp -r "$T_TMP/pack/hello" "$T_TMP/pack/bye"
mv "$T_TMP/pack/bye/solution/samples/kbridge/hello" "$T_TMP/pack/bye/solution/samples/kbridge/bye"
mv "$T_TMP/pack/bye/solution/samples/kbridge/bye/hello_rust.rs" "$T_TMP/pack/bye/solution/samples/kbridge/bye/bye_rust.rs"
sed -i 's/hello_rust/bye_rust/g; s|kbridge/hello|kbridge/bye|g; s/id = "hello"/id = "bye"/' \
	"$T_TMP/pack/bye/lesson.lua" "$T_TMP/pack/bye/solution/samples/kbridge/bye/bye_rust.rs" \
	"$T_TMP/pack/bye/solution/samples/kbridge/bye/Kbuild"
sed -i 's/lessons = { "hello" }/lessons = { "hello", "bye" }/' "$T_TMP/pack/pack.lua"
# bye is worth 3 points in GitHub Classroom's result; hello the default, 1
sed -i 's/^      id = "greet",$/      id = "greet",\n      points = 3,/' "$T_TMP/pack/bye/lesson.lua"
grep -q 'points = 3,' "$T_TMP/pack/bye/lesson.lua" || { echo "could not give bye its points"; exit 1; }
git init -q -b main "$T_TMP/pack"
git -C "$T_TMP/pack" add . && git -C "$T_TMP/pack" commit -qm "two lessons" && git -C "$T_TMP/pack" tag v1
L="$T_TMP/learner"
mkdir -p "$L/samples/kbridge/hello" "$L/samples/kbridge/bye"
S="$T_TMP/pack/hello/solution/samples/kbridge/hello"
grep -v 'TODO-' "$S/hello_rust.rs" > "$L/samples/kbridge/hello/hello_rust.rs"
cp "$S/Kbuild" "$L/samples/kbridge/hello/Kbuild"
S="$T_TMP/pack/bye/solution/samples/kbridge/bye"
sed '/TODO-BEGIN/,/TODO-END/d' "$S/bye_rust.rs" > "$L/samples/kbridge/bye/bye_rust.rs"
cp "$S/Kbuild" "$L/samples/kbridge/bye/Kbuild"
git init -q -b main "$L" && git -C "$L" add . && git -C "$L" commit -qm "my work"
export KBRIDGE_PACK="file://$T_TMP/pack#v1"

t_begin "grade.sh deps and install: make install puts kbridge and assets/ci in the prefix"
sh "$CI/grade.sh" deps > "$T_TMP/deps.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/deps.out" "installing kbridge's Debian packages ($ROOT/scripts/install-deps.sh)"
P="$T_TMP/prefix"
KBRIDGE_PREFIX="$P" sh "$CI/grade.sh" install > "$T_TMP/install.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/install.out" "kbridge $(sed -n 's/^VERSION := *//p' "$ROOT/Makefile")"
for f in grade.sh github-actions.yml gitlab-ci.yml; do
	cmp -s "$CI/$f" "$P/share/kbridge/assets/ci/$f" || t_fail "make install did not install assets/ci/$f"
done
[ -x "$P/share/kbridge/assets/ci/grade.sh" ] || t_fail "the installed grade.sh is not executable"
t_end

t_begin "grade.sh cache-key: kbridge's version, kernel.config and the packages; the same from the installed copy"
KEY=$(sh "$CI/grade.sh" cache-key)
echo "$KEY" | grep -Eq '^kbridge-[0-9.]+-config-[0-9a-f]{16}-debs-[0-9a-f]{12}$' || t_fail "odd key '$KEY'"
CFG=$(sha256sum "$ROOT/assets/kernel.config" | cut -c1-16)
case $KEY in *"-config-$CFG-"*) ;; *) t_fail "the key does not hold kernel.config's hash $CFG: $KEY" ;; esac
KEY2=$(KBRIDGE="$P/bin/kbridge" sh "$P/share/kbridge/assets/ci/grade.sh" cache-key)
[ "$KEY" = "$KEY2" ] || t_fail "the installed grade.sh gives another key: $KEY2"
t_end

# KBRIDGE_HOME as a cache would restore it: the course kernel this machine set up
REAL_HOME=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
# outside /tmp: Kbuild runs in a sandbox with a /tmp of its own, where a course kernel
# home under /tmp would be out of its sight
mkdir -p "$KBRIDGE_RUNNER_CACHE"
HOMES=$(mktemp -d "$KBRIDGE_RUNNER_CACHE/ci-test.XXXXXX")
# removed when the test ends, or is stopped: they are outside /tmp
trap 'rm -rf "$T_TMP" "$HOMES"' EXIT
trap 'exit 130' HUP INT TERM
CH="$HOMES/cached-home"
mkdir -p "$CH"
for x in linux build initramfs.cpio tools stamps; do
	[ -e "$REAL_HOME/$x" ] && ln -s "$REAL_HOME/$x" "$CH/$x"
done
export KBRIDGE_HOME="$CH" KBRIDGE="$P/bin/kbridge" KBRIDGE_PREFIX="$P"

t_begin "grade.sh setup: the restored course kernel is used, and marked with the key (a relative KBRIDGE_HOME too)"
sh "$CI/grade.sh" setup > "$T_TMP/setup.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/setup.out" "no cached course kernel in $CH"
[ "$(cat "$CH/ci-cache-key" 2>/dev/null)" = "$KEY" ] || t_fail "no ci-cache-key written"
(cd "$HOMES" && KBRIDGE_HOME=cached-home sh "$CI/grade.sh" setup) > "$T_TMP/setup2.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/setup2.out" "comes from the cache ($KEY)"
t_end

t_begin "grade.sh check: a JUnit report with one pass and one failure, valid against the JUnit schema"
cd "$L" || exit 1
GITHUB_STEP_SUMMARY="$T_TMP/summary.md" sh "$CI/grade.sh" check > "$T_TMP/check.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/check.out" "check --all --workspace . --format junit --pack file://$T_TMP/pack#v1 > kbridge-report.xml"
expect_contains "$T_TMP/check.out" "2 tasks: 1 passed, 1 failed, 0 could not run (report: kbridge-report.xml)"
expect_contains "$T_TMP/summary.md" "2 tasks: 1 passed, 1 failed, 0 could not run"
xmllint --noout --schema "$XSD" kbridge-report.xml > "$T_TMP/xmllint.out" 2>&1 ||
	t_fail "the report does not validate: $(cat "$T_TMP/xmllint.out")"
python3 - kbridge-report.xml > "$T_TMP/junit.py" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/junit.py")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get("tests") == "2" and root.get("failures") == "1" and root.get("errors") == "0", root.attrib
cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
assert set(cases) == {("pack.hello", "greet"), ("pack.bye", "greet")}, cases
assert cases[("pack.hello", "greet")].find("failure") is None
f = cases[("pack.bye", "greet")].find("failure")
assert f is not None and "Hello from Rust" in (f.get("message", "") + (f.text or "")), ET.tostring(f)
print("junit ok")
PY
t_end

t_begin "grade.sh check with KBRIDGE_CLASSROOM: GitHub Classroom's result beside the JUnit report, Points 1/4"
: > "$T_TMP/gh-output"
GITHUB_OUTPUT="$T_TMP/gh-output" GITHUB_STEP_SUMMARY="$T_TMP/summary2.md" KBRIDGE_CLASSROOM=kbridge-classroom.json \
	sh "$CI/grade.sh" check > "$T_TMP/classroom.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/classroom.out" "--pack file://$T_TMP/pack#v1 --classroom kbridge-classroom.json > kbridge-report.xml"
expect_contains "$T_TMP/classroom.out" "2 tasks: 1 passed, 1 failed, 0 could not run"
expect_contains "$T_TMP/classroom.out" "Points 1/4 (GitHub Classroom result: kbridge-classroom.json)"
expect_contains "$T_TMP/summary2.md" "Points 1/4"
xmllint --noout --schema "$XSD" kbridge-report.xml > /dev/null 2>&1 || t_fail "the JUnit report beside it does not validate"
python3 - kbridge-classroom.json "$T_TMP/gh-output" > "$T_TMP/classroom.py" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/classroom.py")"
import sys, json, base64
raw = open(sys.argv[1], "rb").read()
d = json.loads(raw)
# the result the autograding reporter reads: version 1, status, max_score, tests
assert d["version"] == 1 and d["status"] == "fail", d
assert d["max_score"] == 4, d["max_score"]      # hello: 1 (the default), bye: points = 3
tests = {t["name"]: t for t in d["tests"]}
assert set(tests) == {"hello/greet: Greet the kernel log", "bye/greet: Greet the kernel log"}, tests
for t in d["tests"]:
    assert isinstance(t["message"], str) and isinstance(t["score"], int), t
    assert t["test_code"] == "kbridge check " + t["name"].split(":")[0], t
h, b = tests["hello/greet: Greet the kernel log"], tests["bye/greet: Greet the kernel log"]
assert (h["status"], h["score"]) == ("pass", 1), h
assert (b["status"], b["score"]) == ("fail", 0), b            # a failed task scores 0
assert "[NOT MET]" in b["message"] and "Hello from Rust" in b["message"], b["message"]
assert sum(t["score"] for t in d["tests"]) == 1
# the step output: result=<the same file, base64>, as the reporter takes it
lines = [l for l in open(sys.argv[2]).read().splitlines() if l.startswith("result=")]
assert len(lines) == 1 and base64.b64decode(lines[0][7:]) == raw, lines
print("classroom ok")
PY
t_end

t_begin "check --format classroom: a task that passes scores its points, the status is pass"
"$KBRIDGE" check hello/greet --format classroom --workspace . --pack "$KBRIDGE_PACK" > "$T_TMP/one.json" 2> "$T_TMP/one.err"
expect_status 0 $?
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["version"], d["status"], d["max_score"]) == (1, "pass", 1), d
assert [(t["status"], t["score"]) for t in d["tests"]] == [("pass", 1)], d["tests"]
' "$T_TMP/one.json" 2> "$T_TMP/one.py" || t_fail "$(cat "$T_TMP/one.py") $(cat "$T_TMP/one.err")"
t_end

t_begin "a task's points must be a whole number from 0 to 1000"
for bad in -1 2.5 '"3"'; do
	rm -rf "$T_TMP/badpts" && cp -r "$T_TMP/pack" "$T_TMP/badpts" && rm -rf "$T_TMP/badpts/.git"
	sed -i "s/points = 3,/points = $bad,/" "$T_TMP/badpts/bye/lesson.lua"
	"$KBRIDGE" pack validate --no-run "$T_TMP/badpts" > "$T_TMP/badpts.out" 2>&1
	expect_status 1 $?
	expect_contains "$T_TMP/badpts.out" "bye/lesson.lua:"
	expect_contains "$T_TMP/badpts.out" "task.points must be a whole number from 0 to 1000"
done
t_end

t_begin "the schema check can fail: a report without a test name is rejected"
sed 's/ name="greet"//' kbridge-report.xml > "$T_TMP/broken.xml"
xmllint --noout --schema "$XSD" "$T_TMP/broken.xml" > "$T_TMP/broken.out" 2>&1
[ $? -ne 0 ] || t_fail "xmllint accepted a testcase without a name"
expect_contains "$T_TMP/broken.out" "The attribute 'name' is required"
t_end

t_begin "grade.sh check in TAP and JSON; KBRIDGE_FAIL_ON_FAILED=0 keeps the job green"
KBRIDGE_FORMAT=tap KBRIDGE_FAIL_ON_FAILED=0 sh "$CI/grade.sh" check > "$T_TMP/tap.out" 2>&1
expect_status 0 $?
expect_contains kbridge-report.tap "ok 1 - hello/greet"
expect_contains kbridge-report.tap "not ok 2 - bye/greet"
KBRIDGE_FORMAT=json KBRIDGE_REPORT="$T_TMP/r.json" sh "$CI/grade.sh" check > "$T_TMP/json.out" 2>&1
expect_status 1 $?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["passed"] == 1 and d["summary"]["failed"] == 1, d["summary"]' \
	"$T_TMP/r.json" 2> "$T_TMP/json.py" || t_fail "JSON report: $(cat "$T_TMP/json.py")"
t_end

t_begin "grade.sh check says so when kbridge could not run the checks at all"
KBRIDGE_PACK="file://$T_TMP/pack#v9" KBRIDGE_REPORT="$T_TMP/none.xml" sh "$CI/grade.sh" check > "$T_TMP/nocheck.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/nocheck.out" "has no tag, branch or commit 'v9'"
expect_contains "$T_TMP/nocheck.out" "kbridge check wrote no report"
[ -e "$T_TMP/none.xml" ] && t_fail "an empty report was left behind"
KBRIDGE_FORMAT=html sh "$CI/grade.sh" check > "$T_TMP/badfmt.out" 2>&1
expect_status 2 $?
expect_contains "$T_TMP/badfmt.out" "KBRIDGE_FORMAT must be junit, tap, json, text or classroom, not 'html'"
t_end
cd "$ROOT" || exit 1

# The GitLab template under a real GitLab CI runner: gitlab-ci-local with the shell
# executor runs the kbridge job of assets/ci/gitlab-ci.yml, as committed to a clone of the
# learner's repository, on this machine: the before_script fetches kbridge (a snapshot of
# this working tree, by file://), grade.sh deps, install, setup and check run as written.
# What the test sets, with --variable: CI_PROJECT_DIR (gitlab-ci-local's shell executor
# would give the container path /builds/...), the kbridge URL and ref, the pack, a prefix
# in the test's folder instead of /usr/local, and KBRIDGE_APT=0 (git is here; apt-get
# would need the network). The course kernel is not built: .kbridge-home in the clone
# stands for the cache GitLab restores, as above.
t_begin "gitlab-ci-local (pinned) installs into the cache and runs on this node"
GCL=$(sh "$ROOT/scripts/gitlab-ci-local.sh" 2> "$T_TMP/gcl-install.out")
expect_status 0 $?
case $GCL in "$KBRIDGE_RUNNER_CACHE"/gitlab-ci-local-*/*) ;; *) t_fail "installed outside the cache: '$GCL' $(cat "$T_TMP/gcl-install.out")" ;; esac
PINNED=$(sed -n 's/.*"gitlab-ci-local": "\([0-9.]*\)".*/\1/p' "$ROOT/scripts/gitlab-ci-local/package.json")
[ "$(node "$GCL" --version 2>&1)" = "$PINNED" ] || t_fail "gitlab-ci-local --version is not $PINNED: $(node "$GCL" --version 2>&1)"
[ "$(sh "$ROOT/scripts/gitlab-ci-local.sh" 2>&1)" = "$GCL" ] || t_fail "a second run did not reuse the installed copy"
t_end

SNAP="$T_TMP/kbridge-snapshot"
mkdir -p "$SNAP"
(cd "$ROOT" && git ls-files -z -co --exclude-standard | xargs -0 cp -P --parents -t "$SNAP" 2> /dev/null)
git -C "$SNAP" init -q -b main && git -C "$SNAP" add -A && git -C "$SNAP" commit -qm snapshot
G="$HOMES/gitlab-learner"   # its .kbridge-home is a home: outside /tmp
git clone -q "$L" "$G"
cp "$CI/gitlab-ci.yml" "$G/.gitlab-ci.yml"
git -C "$G" add .gitlab-ci.yml && git -C "$G" commit -qm "kbridge autograding"
mkdir -p "$G/.kbridge-home"
for x in linux build initramfs.cpio tools stamps; do
	[ -e "$REAL_HOME/$x" ] && ln -s "$REAL_HOME/$x" "$G/.kbridge-home/$x"
done

# gl_run OUT: run the kbridge job in $G; the job's log is $G/.gitlab-ci-local/output/kbridge.log
gl_run() {
	(cd "$G" && env -u KBRIDGE -u KBRIDGE_HOME -u KBRIDGE_PREFIX -u KBRIDGE_PACK \
		node "$GCL" --force-shell-executor --home "$T_TMP/gcl-home" \
		--variable "CI_PROJECT_DIR=$G" \
		--variable "KBRIDGE_GIT_URL=file://$SNAP" --variable KBRIDGE_REF=HEAD \
		--variable "KBRIDGE_PACK=file://$T_TMP/pack#v1" \
		--variable "KBRIDGE_PREFIX=$T_TMP/gl-prefix" --variable KBRIDGE_APT=0 \
		kbridge) > "$1" 2>&1
}

# junit_check REPORT TESTS FAILURES: valid against the schema, with those counts
junit_check() {
	xmllint --noout --schema "$XSD" "$1" > "$T_TMP/gl-xmllint.out" 2>&1 ||
		t_fail "the artifact does not validate: $(cat "$T_TMP/gl-xmllint.out")"
	python3 - "$@" > "$T_TMP/gl-junit.py" 2>&1 <<'PY' || t_fail "$(cat "$T_TMP/gl-junit.py")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert (root.get("tests"), root.get("failures"), root.get("errors")) == (sys.argv[2], sys.argv[3], "0"), root.attrib
cases = {c.get("classname"): c.find("failure") is None for c in root.iter("testcase")}
assert cases["pack.hello"], "hello failed"
assert cases["pack.bye"] == (sys.argv[3] == "0"), cases
PY
}

ART="$G/.gitlab-ci-local/artifacts/kbridge/kbridge-report.xml"
LOG="$G/.gitlab-ci-local/output/kbridge.log"
t_begin "gitlab-ci.yml under gitlab-ci-local: one task failed, the job fails, the JUnit artifact says which"
gl_run "$T_TMP/gl1.out"
expect_status 1 $?
expect_contains "$T_TMP/gl1.out" "FAIL  kbridge"
expect_contains "$LOG" "grade: 2 tasks: 1 passed, 1 failed, 0 could not run (report: $G/kbridge-report.xml)"
expect_contains "$LOG" "no cached course kernel in $G/.kbridge-home"
expect_contains "$LOG" "--pack file://$T_TMP/pack#v1"
expect_not_contains "$LOG" "Reading package lists"
SECS=$(sed -n 's/.*the course kernel is ready (\([0-9]*\) s).*/\1/p' "$LOG")
{ [ -n "$SECS" ] && [ "$SECS" -lt 60 ]; } || t_fail "kbridge setup in the job took '$SECS' s: was the kernel rebuilt?"
[ -x "$T_TMP/gl-prefix/bin/kbridge" ] || t_fail "the job did not install kbridge into its prefix"
[ "$(git -C "$G/.kbridge-src" rev-parse HEAD)" = "$(git -C "$SNAP" rev-parse HEAD)" ] || t_fail "the job fetched another kbridge"
[ -f "$ART" ] || t_fail "no JUnit artifact at $ART"
junit_check "$ART" 2 1
t_end

t_begin "gitlab-ci.yml under gitlab-ci-local: the learner fixes the task, the job passes"
S="$T_TMP/pack/bye/solution/samples/kbridge/bye"
grep -v 'TODO-' "$S/bye_rust.rs" > "$G/samples/kbridge/bye/bye_rust.rs"
git -C "$G" commit -qam "bye done"
rm -f "$ART"
gl_run "$T_TMP/gl2.out"
expect_status 0 $?
expect_contains "$T_TMP/gl2.out" "PASS  kbridge"
expect_contains "$LOG" "grade: 2 tasks: 2 passed, 0 failed, 0 could not run"
expect_contains "$LOG" "the course kernel in $G/.kbridge-home comes from the cache"
[ -f "$ART" ] || t_fail "no JUnit artifact at $ART"
junit_check "$ART" 2 0
t_end

t_finish
