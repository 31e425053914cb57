#!/bin/sh
# Packs from git: real repositories made here (git init, a pack from `kbridge pack new`,
# tags, branches, commits), reached by path, by file:// URL and as a bare repository,
# pinned to a tag, a branch and a commit; the cache reused without the network and
# fetched again only for a missing ref or `kbridge pack update`; the errors for a missing
# ref, a path that is not a repository, a bad URL, a failed clone and a repository
# without pack.lua; the kernel requirement of git and folder packs; and `kbridge check`
# running a pinned pack's check on a learner's tree (real Kbuild, real QEMU).
. "$(dirname "$0")/../lib.sh"

export XDG_CACHE_HOME="$T_TMP/cache"
export GIT_AUTHOR_NAME=Instructor GIT_AUTHOR_EMAIL=teach@example.org
export GIT_COMMITTER_NAME=Instructor GIT_COMMITTER_EMAIL=teach@example.org
CACHE="$XDG_CACHE_HOME/kbridge/packs"
NOWS="$T_TMP/no-workspace"
R="$T_TMP/labs"

# the instructor's repository: v1 (version 0.1), then version 0.2 on main; a branch
# "old" whose pack asks for Linux 6.6; a bare copy
"$KBRIDGE" pack new "$T_TMP/new" > /dev/null || { echo "pack new failed"; exit 1; }
git init -q -b main "$R"
cp -r "$T_TMP/new/." "$R/"
git -C "$R" add . && git -C "$R" commit -qm "the hello lesson" && git -C "$R" tag v1
C1=$(git -C "$R" rev-parse HEAD)
sed -i 's/version = "0.1"/version = "0.2"/' "$R/pack.lua"
git -C "$R" commit -qam "version 0.2"
C2=$(git -C "$R" rev-parse HEAD)
git -C "$R" checkout -q -b old
sed -i 's/kernel = "[0-9.]*"/kernel = "6.6"/' "$R/pack.lua"
git -C "$R" commit -qam "for Linux 6.6"
git -C "$R" checkout -q main
git clone -q --bare "$R" "$T_TMP/labs-bare.git"

list() { # source out
	"$KBRIDGE" list --pack "$1" --workspace "$NOWS" > "$T_TMP/$2.out" 2> "$T_TMP/$2.err"
}

t_begin "a local repository pinned to a tag: cloned into the cache, the tag's commit loaded"
list "$R#v1" tag
expect_status 0 $?
expect_contains "$T_TMP/tag.out" "My kbridge lessons 0.1 (for Linux"
expect_contains "$T_TMP/tag.out" "from file://$R#v1 (tag v1, commit $(echo "$C1" | cut -c1-12))"
expect_contains "$T_TMP/tag.out" "hello"
expect_contains "$T_TMP/tag.err" "cloning the pack file://$R into $CACHE/labs-"
entry=$(ls -d "$CACHE"/labs-* 2>/dev/null | head -n 1)
[ -d "$entry/repo.git" ] || t_fail "no bare clone in $entry"
[ -f "$entry/trees/$C1/pack.lua" ] || t_fail "the tag's commit is not checked out in $entry/trees/$C1"
[ -e "$entry/trees/$C1/.git" ] && t_fail "the checkout is a plain tree of the commit, not a repository"
[ "$(cat "$entry/source")" = "file://$R" ] || t_fail "the entry does not name its URL"
t_end

t_begin "the same source again: the cache is used, nothing is fetched"
list "$R#v1" again
expect_status 0 $?
expect_contains "$T_TMP/again.out" "My kbridge lessons 0.1"
[ -s "$T_TMP/again.err" ] && t_fail "expected no clone or fetch, got: $(cat "$T_TMP/again.err")"
t_end

t_begin "a file:// URL without a ref: the default branch, from the clone the path made"
list "file://$R" url
expect_status 0 $?
[ "$(ls -d "$CACHE"/labs-* | wc -l)" = 1 ] || t_fail "the path and its file:// URL should share one cache entry"
expect_contains "$T_TMP/url.out" "My kbridge lessons 0.2"
expect_contains "$T_TMP/url.out" "from file://$R (default branch, commit $(echo "$C2" | cut -c1-12))"
t_end

t_begin "pinned to a commit, full and abbreviated, and to a branch"
list "file://$R#$C1" full
expect_status 0 $?
expect_contains "$T_TMP/full.out" "My kbridge lessons 0.1"
expect_contains "$T_TMP/full.out" "(commit $(echo "$C1" | cut -c1-12))"
list "file://$R#$(echo "$C1" | cut -c1-8)" short
expect_status 0 $?
expect_contains "$T_TMP/short.out" "My kbridge lessons 0.1"
list "file://$R#main" branch
expect_status 0 $?
expect_contains "$T_TMP/branch.out" "(branch main, commit $(echo "$C2" | cut -c1-12))"
t_end

t_begin "a bare repository by path"
list "$T_TMP/labs-bare.git" bare
expect_status 0 $?
expect_contains "$T_TMP/bare.out" "My kbridge lessons 0.2"
expect_contains "$T_TMP/bare.out" "from file://$T_TMP/labs-bare.git (default branch"
t_end

t_begin "a folder holding pack.lua is loaded as a folder, uncommitted edits included"
sed -i 's/title = "My kbridge lessons"/title = "Work in progress"/' "$R/pack.lua"
list "$R" folder
expect_status 0 $?
expect_contains "$T_TMP/folder.out" "Work in progress 0.2"
expect_not_contains "$T_TMP/folder.out" "from $R"
git -C "$R" checkout -q -- pack.lua
t_end

t_begin "a missing ref: fetched once, then named with the refs there are"
list "file://$R#v9" missing
expect_status 1 $?
expect_contains "$T_TMP/missing.err" "v9 is not in the cached clone: fetching file://$R"
expect_contains "$T_TMP/missing.err" "file://$R has no tag, branch or commit 'v9' (tags: v1; branches: main, old)"
t_end

t_begin "a tag published after the clone is fetched when asked for"
git -C "$R" tag v2 "$C2"
list "file://$R#v2" newtag
expect_status 0 $?
expect_contains "$T_TMP/newtag.err" "v2 is not in the cached clone: fetching"
expect_contains "$T_TMP/newtag.out" "My kbridge lessons 0.2"
expect_contains "$T_TMP/newtag.out" "(tag v2, commit"
t_end

t_begin "a branch stays where it was fetched until kbridge pack update"
sed -i 's/version = "0.2"/version = "0.3"/' "$R/pack.lua"
git -C "$R" commit -qam "version 0.3"
C3=$(git -C "$R" rev-parse HEAD)
list "file://$R" stale
expect_status 0 $?
expect_contains "$T_TMP/stale.out" "My kbridge lessons 0.2"
"$KBRIDGE" pack update "file://$R" > "$T_TMP/update.out" 2> "$T_TMP/update.err"
expect_status 0 $?
expect_contains "$T_TMP/update.out" "file://$R (default branch, commit $(echo "$C3" | cut -c1-12))"
expect_contains "$T_TMP/update.out" "/trees/$C3"
list "file://$R" fresh
expect_status 0 $?
expect_contains "$T_TMP/fresh.out" "My kbridge lessons 0.3"
"$KBRIDGE" pack update > "$T_TMP/update-all.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/update-all.out" "file://$R: fetched into $CACHE/labs-"
expect_contains "$T_TMP/update-all.out" "file://$T_TMP/labs-bare.git: fetched into"
"$KBRIDGE" pack update "$T_TMP/new" > "$T_TMP/update-folder.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/update-folder.out" "$T_TMP/new is a folder: only a pack from git is fetched"
t_end

t_begin "a path that is not a git repository"
mkdir -p "$T_TMP/plain"
list "$T_TMP/plain#v1" plainref
expect_status 1 $?
expect_contains "$T_TMP/plainref.err" "bad pack source '$T_TMP/plain#v1': $T_TMP/plain is not a git repository"
list "$T_TMP/plain" plain
expect_status 1 $?
expect_contains "$T_TMP/plain.err" "$T_TMP/plain is neither a lesson pack (it has no pack.lua) nor a git repository"
list "$T_TMP/nowhere#v1" nowhere
expect_status 1 $?
expect_contains "$T_TMP/nowhere.err" "no lesson pack at $T_TMP/nowhere: no such folder"
t_end

t_begin "bad URLs and a failed clone name what failed"
list "ftp://example.org/labs.git" ftp
expect_status 1 $?
expect_contains "$T_TMP/ftp.err" "bad pack source 'ftp://example.org/labs.git': the URL scheme 'ftp' is not one kbridge clones from"
list "https://example.org#v1" nopath
expect_status 1 $?
expect_contains "$T_TMP/nopath.err" "the URL names no repository path"
list "file://$T_TMP/gone.git#v1" gone
expect_status 1 $?
expect_contains "$T_TMP/gone.err" "cannot clone file://$T_TMP/gone.git: failed to resolve path"
ls -d "$CACHE"/gone-* > /dev/null 2>&1 && t_fail "a failed clone left an entry in the cache"
t_end

t_begin "a repository without pack.lua at its top"
git init -q -b main "$T_TMP/notapack"
echo "notes" > "$T_TMP/notapack/README"
git -C "$T_TMP/notapack" add README && git -C "$T_TMP/notapack" commit -qm notes
list "file://$T_TMP/notapack" nopack
expect_status 1 $?
expect_contains "$T_TMP/nopack.err" "file://$T_TMP/notapack at its default branch (commit"
expect_contains "$T_TMP/nopack.err" "has no pack.lua at the top of the repository"
t_end

t_begin "the kernel requirement: a git pack and a folder pack written for another kernel are refused"
list "file://$R#old" k66
expect_status 1 $?
expect_contains "$T_TMP/k66.err" "pack 'new' is written for Linux 6.6; this kbridge's course kernel is 6.12"
mkdir -p "$T_TMP/learner"
"$KBRIDGE" check --all --pack "file://$R#old" --workspace "$T_TMP/learner" > "$T_TMP/k66check.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/k66check.out" "kbridge check: pack.lua:"
expect_contains "$T_TMP/k66check.out" "is written for Linux 6.6"
cp -r "$T_TMP/new" "$T_TMP/folder66"
sed -i 's/kernel = "[0-9.]*"/kernel = "6.6"/' "$T_TMP/folder66/pack.lua"
list "$T_TMP/folder66" f66
expect_status 1 $?
expect_contains "$T_TMP/f66.err" "pack 'new' is written for Linux 6.6; this kbridge's course kernel is 6.12"
sed -i 's/kernel = "[0-9.]*"/kernel = "6.1"/' "$T_TMP/folder66/pack.lua"
list "$T_TMP/folder66" f61
expect_status 1 $?
expect_contains "$T_TMP/f61.err" "is written for Linux 6.1;"
t_end

t_begin "pack validate takes a git source and says where it comes from"
"$KBRIDGE" pack validate --no-run "file://$R#v1" > "$T_TMP/validate.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/validate.out" "the pack comes from file://$R#v1 (tag v1, commit"
expect_contains "$T_TMP/validate.out" "ok   pack.lua loads (new)"
t_end

t_begin "the cache serves a pinned pack when the repository is gone"
mv "$R" "$T_TMP/labs-moved"
list "file://$R#v1" offline
expect_status 0 $?
expect_contains "$T_TMP/offline.out" "My kbridge lessons 0.1"
[ -s "$T_TMP/offline.err" ] && t_fail "expected no fetch, got: $(cat "$T_TMP/offline.err")"
mv "$T_TMP/labs-moved" "$R"
t_end

t_begin "kbridge --pack URL#TAG opens the shell on the pinned pack"
"$KBRIDGE" --pack "file://$R#v1" --workspace "$NOWS" --replay q --dump "$T_TMP/shell.txt" > "$T_TMP/shell.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/shell.txt" "My kbridge lessons"
expect_contains "$T_TMP/shell.txt" "Hello from Rust"
t_end

t_begin "check --pack URL#TAG runs the pinned pack's checks on a learner's tree"
H="$T_TMP/learner/samples/kbridge/hello"
mkdir -p "$H"
grep -v 'TODO-' "$T_TMP/new/hello/solution/samples/kbridge/hello/hello_rust.rs" > "$H/hello_rust.rs"
cp "$T_TMP/new/hello/solution/samples/kbridge/hello/Kbuild" "$H/Kbuild"
"$KBRIDGE" check --all --format junit --pack "file://$R#v1" --workspace "$T_TMP/learner" > "$T_TMP/check.xml" 2> "$T_TMP/check.err"
expect_status 0 $?
expect_contains "$T_TMP/check.xml" '<testsuite name="new.hello"'
expect_contains "$T_TMP/check.xml" 'failures="0"'
expect_not_contains "$T_TMP/check.xml" "<failure"
t_end

t_finish
