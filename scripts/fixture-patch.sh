#!/bin/sh
# fixture-patch.sh PACK LESSON TREE: print TREE (a folder holding a lesson's files at their
# tree paths: an alternative or a wrong solution) as a patch against the lesson's
# solution, which is what tests/fixtures/course/LESSON/*.patch hold. Files the solution
# has and TREE does not are left as in the solution. What Kbuild made in TREE (a check
# was run there: .o, .ko, .mod, .mod.c, .cmd, modules.order, Module.symvers, .rmeta) and
# hidden files are left out, so the patch holds sources only.
#   scripts/fixture-patch.sh lessons/core errors /tmp/my-wrong > tests/fixtures/course/errors/wrong-x.patch
# Try a patch by hand: kbridge pack export lessons/core errors /tmp/t && (cd /tmp/t && git apply PATCH)
set -eu
[ $# -eq 3 ] || { sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ -d "$3" ] || { echo "fixture-patch.sh: $3 is not a folder" >&2; exit 2; }
KBRIDGE=${KBRIDGE:-$(cd "$(dirname "$0")/.." && pwd)/kbridge}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KBRIDGE" pack export "$1" "$2" "$work/t"
git -C "$work/t" init -q
git -C "$work/t" add -A
git -C "$work/t" -c user.name=kbridge -c user.email=kbridge@localhost commit -q -m solution
(cd "$3" && find . -type f ! -path '*/.*' ! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	! -name '*.cmd' ! -name '*.order' ! -name '*.symvers' ! -name '*.rmeta' -print) |
while IFS= read -r f; do
	mkdir -p "$work/t/$(dirname "$f")"
	cp "$3/$f" "$work/t/$f"
done
git -C "$work/t" add -A
git -C "$work/t" diff --cached --no-color --no-ext-diff
