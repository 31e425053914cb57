#!/bin/sh
# Install the Debian 12 packages kbridge needs, and only those that are missing.
# Prints each missing package with the reason it is needed; uses sudo when not root.
# Usage: scripts/install-deps.sh [--check]   (--check: list what is missing, exit 1 if any)
set -eu

# package|why[|command]: a line with a command is met too when that command is on PATH
# from elsewhere (npm comes with some nodejs builds, which conflict with Debian's npm).
# No single quote in a reason: the list is one single-quoted string.
PACKAGES='
build-essential|compiles kbridge
pkg-config|finds the libraries kbridge links against
libncurses-dev|the terminal shell (ncursesw)
libgit2-dev|the kernel tree and the learner workspace are git repositories
liblua5.4-dev|lessons are Lua scripts
libmd4c-dev|renders lesson Markdown
libcjson-dev|JSON output and progress files
libcmocka-dev|unit tests
libgettextpo-dev|reads the gettext PO files that carry the translations of a lesson pack (gettext-po.h)
gettext|msgfmt, msgmerge and msginit: the tests check translations with the tools translators use
linux-source-6.12|the bundled Linux 6.12 tree the course builds
rustc-web|the Rust compiler the kernel is built with (rustc >= 1.78)
rust-web-src|the Rust core library source the kernel compiles
rust-web-clippy|lints lesson code (CLIPPY=1)
bindgen|generates the kernel Rust bindings from C headers
clang|compiles the kernel with LLVM=1
lld|links the kernel with LLVM=1
llvm|LLVM tools (llvm-ar, llvm-nm, llvm-objcopy) for LLVM=1
flex|kernel configuration
bison|kernel configuration
bc|kernel build
libelf-dev|kernel build (objtool)
libssl-dev|kernel build (sign-file, certs)
python3|kernel scripts (rust-analyzer project generation)
qemu-system-x86|boots the course kernel
bubblewrap|module builds run in a sandbox (bwrap): read-only file system but the module folder, no network
busybox-static|the guest userland in the initramfs
xz-utils|unpacks the kernel source
cpio|inspects initramfs archives in tests
tmux|the terminal smoke tests
git|tests read the workspaces kbridge writes and make pack repositories
python3-yaml|tests parse the CI templates in assets/ci
libxml2-utils|tests validate JUnit reports against a schema (xmllint)
faketime|the report test runs the commands of a learner at known times (time spent: the gaps between them)
nodejs|runs gitlab-ci-local, the GitLab CI runner the CI template test runs assets/ci/gitlab-ci.yml with (node >= 18)
npm|installs gitlab-ci-local, pinned by scripts/gitlab-ci-local/package-lock.json, into the cache (scripts/gitlab-ci-local.sh)|npm
rsync|gitlab-ci-local copies the files of a job with it
'

missing=''
reasons=''
IFS='
'
for line in $PACKAGES; do
	[ -n "$line" ] || continue
	pkg=${line%%|*}
	why=${line#*|}
	cmd=''
	case $why in *'|'*) cmd=${why##*|} why=${why%|*} ;; esac
	[ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1 && continue
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $pkg"
		reasons="$reasons  $pkg: $why
"
	fi
done
unset IFS

if [ -z "$missing" ]; then
	[ "${1:-}" = --check ] && echo "all packages present"
	exit 0
fi

echo "kbridge needs these Debian packages, not installed yet:"
printf '%s' "$reasons"
if [ "${1:-}" = --check ]; then
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=''
elif command -v sudo >/dev/null 2>&1; then
	SUDO='sudo'
	echo "Installing them with sudo (you may be asked for your password)."
else
	echo "error: not root and sudo is not available; as root run:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "+ apt-get update"
$SUDO apt-get update -q || { echo "error: apt-get update failed" >&2; exit 1; }
echo "+ apt-get install -y --no-install-recommends$missing"
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing || {
	echo "error: apt-get install failed (see above)" >&2
	exit 1
}
