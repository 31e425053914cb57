#!/bin/sh
# gitlab-ci-local.sh - install gitlab-ci-local, a GitLab CI runner that runs a
# .gitlab-ci.yml on this machine without a GitLab server, and print the path of its
# command. tests/integration/test_ci_template.sh runs assets/ci/gitlab-ci.yml with it.
#
# The version and every dependency are pinned by scripts/gitlab-ci-local/package-lock.json
# (gitlab-ci-local 4.63.0: the newest whose dependencies all declare node 18, Debian 12's
# nodejs; 4.64 brings in packages for node 20, and 4.66 on needs node 22). `npm ci`
# installs exactly that tree, without install scripts, into a cache outside the clone,
# once:
#
#   ${KBRIDGE_RUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbridge}/gitlab-ci-local-VERSION
#
# and later runs reuse it while the lock file is unchanged. node and npm come from
# scripts/install-deps.sh (Debian's nodejs and npm, or an npm that came with nodejs).
#
# Usage: scripts/gitlab-ci-local.sh          install when missing, print the command
# Exit status: 0, the command printed; 1 node or npm missing, too old, or npm ci failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pin=$here/gitlab-ci-local
say() { printf 'gitlab-ci-local.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

command -v node > /dev/null 2>&1 || die "no node: run scripts/install-deps.sh (Debian's nodejs)"
command -v npm > /dev/null 2>&1 || die "no npm: run scripts/install-deps.sh (Debian's npm)"

# the pinned version and its engines.node ('>=18'), read from the lock file
info=$(node -e '
const lock = require(process.argv[1]);
const p = lock.packages["node_modules/gitlab-ci-local"];
console.log(p.version + " " + ((p.engines || {}).node || ""));
' "$pin/package-lock.json") || die "cannot read $pin/package-lock.json"
version=${info%% *}
engines=${info#* }

# every engines.node of the tree is a '>=N' or older form; the runner's own is the highest
need=$(echo "$engines" | sed -n 's/^>= *\([0-9][0-9]*\).*/\1/p')
have=$(node -p 'process.versions.node.split(".")[0]')
if [ -n "$need" ] && [ "$have" -lt "$need" ]; then
	die "gitlab-ci-local $version needs node $engines; this node is $(node --version)"
fi

cache=${KBRIDGE_RUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbridge}
dir=$cache/gitlab-ci-local-$version
bin=$dir/node_modules/gitlab-ci-local/src/index.js

if [ -f "$bin" ] && cmp -s "$pin/package-lock.json" "$dir/package-lock.json"; then
	echo "$bin"
	exit 0
fi

say "installing gitlab-ci-local $version (pinned) into $dir"
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.gitlab-ci-local.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$pin/package.json" "$pin/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
	die "npm ci failed (the npm registry must be reachable for the first install)"
[ -f "$tmp/node_modules/gitlab-ci-local/src/index.js" ] || die "npm ci installed no gitlab-ci-local"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$bin"
