#!/bin/sh
# grade.sh - grade a learner's lesson files with kbridge: the steps the CI templates beside
# this file (github-actions.yml, gitlab-ci.yml) run, one command each, so the same
# commands run by hand give the same report.
#
#   grade.sh deps        install kbridge's Debian packages (scripts/install-deps.sh;
#                        sudo when not root)
#   grade.sh install     build kbridge from its source and install it (make install)
#   grade.sh cache-key   print the key the course kernel is cached under: kbridge's
#                        version, a hash of assets/kernel.config and the versions of the
#                        Debian packages the kernel is built from
#   grade.sh setup       prepare the course kernel in KBRIDGE_HOME (quick when a cache
#                        restored it: kbridge setup redoes only what is stale)
#   grade.sh check       run every check of the pack on the learner's tree and write the
#                        report (JUnit XML by default)
#   grade.sh all         deps, install, setup and check
#
# Settings, from the environment (all optional):
#   KBRIDGE_SRC      kbridge's source checkout, for deps and install (default: the
#                    checkout this script is in)
#   KBRIDGE_PREFIX   where install puts kbridge (default /usr/local)
#   KBRIDGE          the kbridge to run (default: KBRIDGE_PREFIX/bin/kbridge when there,
#                    else kbridge on PATH)
#   KBRIDGE_HOME     where the course kernel lives (kbridge's default:
#                    ~/.local/share/kbridge; CI points it at a cached folder)
#   KBRIDGE_PACK     the lesson pack: a folder, or a git URL or repository with #REF
#                    (default: kbridge's built-in pack)
#   KBRIDGE_TREE     the learner's tree: the lesson files at their kernel-tree paths
#                    (default: the current folder)
#   KBRIDGE_FORMAT   junit (default), tap, json, text or classroom
#   KBRIDGE_REPORT   the report file (default kbridge-report.xml, .tap, .json or .txt)
#   KBRIDGE_CLASSROOM  also write GitHub Classroom's result to this file (each task worth
#                    its points in the pack, 1 unless given): check says "Points X/Y", and
#                    on GitHub Actions sets the step's output `result` to it, base64
#                    encoded, for classroom-resources/autograding-grading-reporter
#   KBRIDGE_TIMEOUT  seconds allowed to each boot (default: kbridge's, 60)
#   KBRIDGE_FAIL_ON_FAILED  1 (default): check exits 1 when a task fails, so the CI job
#                    shows it; 0: exit 0 whenever a report was written
#
# Exit status: 0 on success; 1 when a step failed (check: a task failed); 2 when check
# wrote no report (kbridge could not run the checks at all) or for a bad command.
set -u

# relative folders are taken from the current one (CI templates give paths relative to
# the job's folder, which is not the same path inside and outside a container)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
[ -n "${KBRIDGE_HOME:-}" ] && KBRIDGE_HOME=$(abs "$KBRIDGE_HOME") && export KBRIDGE_HOME
[ -n "${KBRIDGE_SRC:-}" ] && KBRIDGE_SRC=$(abs "$KBRIDGE_SRC")
[ -n "${KBRIDGE_PREFIX:-}" ] && KBRIDGE_PREFIX=$(abs "$KBRIDGE_PREFIX")

here=$(cd "$(dirname "$0")" && pwd)
# kbridge's data: the source checkout (assets/ci/..) or the installed share/kbridge
data=$(cd "$here/../.." && pwd)
src=${KBRIDGE_SRC:-$data}
prefix=${KBRIDGE_PREFIX:-/usr/local}

say() { printf 'grade: %s\n' "$*"; }
die() { printf 'grade: error: %s\n' "$*" >&2; exit "${2:-1}"; }

kbridge_bin() {
	if [ -n "${KBRIDGE:-}" ]; then
		echo "$KBRIDGE"
	elif [ -x "$prefix/bin/kbridge" ]; then
		echo "$prefix/bin/kbridge"
	elif command -v kbridge > /dev/null 2>&1; then
		command -v kbridge
	else
		die "kbridge is not installed (run: grade.sh install, or set KBRIDGE)"
	fi
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo > /dev/null 2>&1; then
		sudo "$@"
	else
		die "not root and no sudo: run as root: $*"
	fi
}

step_deps() {
	deps=$src/scripts/install-deps.sh
	[ -f "$deps" ] || deps=$data/scripts/install-deps.sh
	[ -f "$deps" ] || die "no scripts/install-deps.sh in $src or $data (set KBRIDGE_SRC)"
	say "installing kbridge's Debian packages ($deps)"
	sh "$deps" || die "installing the Debian packages failed"
}

step_install() {
	[ -f "$src/Makefile" ] || die "$src is not a kbridge source checkout (set KBRIDGE_SRC)"
	say "building and installing kbridge from $src into $prefix"
	make -C "$src" kbridge > /dev/null || die "building kbridge failed"
	if [ -w "$prefix" ] || { [ ! -e "$prefix" ] && [ -w "$(dirname "$prefix")" ]; }; then
		make -C "$src" install PREFIX="$prefix" > /dev/null
	else
		as_root make -C "$src" install PREFIX="$prefix" > /dev/null
	fi || die "make install failed"
	"$prefix/bin/kbridge" --version || die "the installed kbridge does not run"
}

step_cache_key() {
	version=''
	[ -f "$src/Makefile" ] && version=$(sed -n 's/^VERSION := *//p' "$src/Makefile")
	[ -n "$version" ] || version=$("$(kbridge_bin)" --version | sed 's/^kbridge //')
	config=$src/assets/kernel.config
	[ -f "$config" ] || config=$data/assets/kernel.config
	[ -f "$config" ] || die "no assets/kernel.config in $src or $data"
	cfg=$(sha256sum "$config" | cut -c1-16)
	pkgs=''
	for p in linux-source-6.12 rustc-web bindgen clang busybox-static; do
		v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null) || v=none
		pkgs="$pkgs $p=$v"
	done
	debs=$(echo "$pkgs" | sha256sum | cut -c1-12)
	echo "kbridge-$version-config-$cfg-debs-$debs"
}

step_setup() {
	kb=$(kbridge_bin)
	home=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
	key=$(step_cache_key)
	if [ -f "$home/ci-cache-key" ]; then
		if [ "$(cat "$home/ci-cache-key")" = "$key" ]; then
			say "the course kernel in $home comes from the cache ($key)"
		else
			say "the cached course kernel was made for $(cat "$home/ci-cache-key"); kbridge setup redoes what is stale"
		fi
	else
		say "no cached course kernel in $home: kbridge setup makes it (about 5 minutes on 2 cores)"
	fi
	"$kb" setup || die "kbridge setup failed"
	mkdir -p "$home" && echo "$key" > "$home/ci-cache-key"
}

# "tests=3 failures=1 errors=0" from the report's first <testsuites ...> line
junit_counts() {
	sed -n 's/.*<testsuites[^>]* tests="\([0-9]*\)" failures="\([0-9]*\)" errors="\([0-9]*\)".*/\1 \2 \3/p' "$1" | head -n 1
}

# "Points X/Y" from a classroom result (cJSON's layout: one field a line), into the log,
# the step summary, and on GitHub Actions the step's output `result` (base64), which
# classroom-resources/autograding-grading-reporter reads from <RUNNER>_RESULTS
classroom_points() {
	points=$(awk -F: '/^[[:space:]]*"max_score":/ { gsub(/[^0-9]/, "", $2); max = $2 }
		/^[[:space:]]*"score":/ { gsub(/[^0-9]/, "", $2); got += $2 }
		END { print got + 0 "/" max + 0 }' "$1")
	say "Points $points (GitHub Classroom result: $1)"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		printf 'Points %s\n' "$points" >> "$GITHUB_STEP_SUMMARY"
	fi
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf 'result=%s\n' "$(base64 -w 0 "$1")" >> "$GITHUB_OUTPUT"
	fi
}

step_check() {
	kb=$(kbridge_bin)
	format=${KBRIDGE_FORMAT:-junit}
	case $format in
	junit) ext=xml ;; tap) ext=tap ;; json | classroom) ext=json ;; text) ext=txt ;;
	*) die "KBRIDGE_FORMAT must be junit, tap, json, text or classroom, not '$format'" 2 ;;
	esac
	report=${KBRIDGE_REPORT:-kbridge-report.$ext}
	tree=${KBRIDGE_TREE:-.}
	[ -d "$tree" ] || die "the learner's tree $tree is not a folder" 2
	set -- check --all --workspace "$tree" --format "$format"
	[ -n "${KBRIDGE_PACK:-}" ] && set -- "$@" --pack "$KBRIDGE_PACK"
	[ -n "${KBRIDGE_TIMEOUT:-}" ] && set -- "$@" --timeout "$KBRIDGE_TIMEOUT"
	classroom=${KBRIDGE_CLASSROOM:-}
	[ -n "$classroom" ] && set -- "$@" --classroom "$classroom"
	[ "$format" = classroom ] && classroom=$report
	say "$kb $* > $report"
	"$kb" "$@" > "$report.tmp"
	status=$?
	if [ ! -s "$report.tmp" ]; then
		rm -f "$report.tmp"
		die "kbridge check wrote no report (exit status $status): see the messages above" 2
	fi
	mv "$report.tmp" "$report"
	if [ "$format" = junit ]; then
		# shellcheck disable=SC2046 # three numbers, split on purpose
		set -- $(junit_counts "$report")
		if [ $# -eq 3 ]; then
			line="$1 tasks: $(($1 - $2 - $3)) passed, $2 failed, $3 could not run"
			say "$line (report: $report)"
			if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
				printf '### kbridge\n\n%s\n' "$line" >> "$GITHUB_STEP_SUMMARY"
			fi
		fi
	else
		say "report: $report"
	fi
	[ -n "$classroom" ] && [ -s "$classroom" ] && classroom_points "$classroom"
	[ "$status" -eq 0 ] && return 0
	[ "${KBRIDGE_FAIL_ON_FAILED:-1}" = 0 ] && return 0
	return 1
}

case ${1:-} in
deps) step_deps ;;
install) step_install ;;
cache-key) step_cache_key ;;
setup) step_setup ;;
check) step_check ;;
all) step_deps && step_install && step_setup && step_check ;;
-h | --help | help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
*)
	echo "usage: grade.sh deps | install | cache-key | setup | check | all   (grade.sh --help)" >&2
	exit 2
	;;
esac
