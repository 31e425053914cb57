#!/bin/sh
# setup --status, the bundled tree's git state, doctor and the setup lock, on the real
# KBRIDGE_HOME prepared by `kbridge setup`.
. "$(dirname "$0")/../lib.sh"
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}

t_begin "setup --status says everything is ready"
"$KBRIDGE" setup --status > "$T_TMP/status.out" 2>&1
expect_status 0 $?
for step in extract import config build initramfs probes; do
	grep -qE "^  $step +ready" "$T_TMP/status.out" || t_fail "step $step is not ready"
done
t_end

t_begin "the bundled tree is one base commit naming the version, tagged, with a clean status"
git -C "$HOME_DIR/linux" log --format=%s > "$T_TMP/log.out" 2>&1
expect_contains "$T_TMP/log.out" "Linux 6.12."
[ "$(wc -l < "$T_TMP/log.out")" -eq 1 ] || t_fail "expected one commit, got $(wc -l < "$T_TMP/log.out")"
git -C "$HOME_DIR/linux" rev-parse -q --verify kbridge-base > /dev/null || t_fail "no kbridge-base tag"
files=$(git -C "$HOME_DIR/linux" ls-files | wc -l)
[ "$files" -gt 80000 ] || t_fail "only $files files in the base commit"
dirty=$(git -C "$HOME_DIR/linux" status --porcelain | head -5)
[ -z "$dirty" ] || t_fail "the bundled tree is not clean: $dirty"
t_end

t_begin "the Debian .gitignore block is gone: a new top-level file is not ignored"
expect_not_contains "$HOME_DIR/linux/.gitignore" "!/debian/"
git -C "$HOME_DIR/linux" check-ignore -q newfile.rs && t_fail "a new top-level file is ignored"
git -C "$HOME_DIR/linux" check-ignore -q samples/kbridge/x.rs && t_fail "a new sample file is ignored"
t_end

t_begin "a second setup while one runs is refused with a clear message"
# hold the lock the way a running setup does
exec 9>>"$HOME_DIR/setup.lock"
flock -n 9 || t_fail "could not take the lock for the test"
"$KBRIDGE" setup > "$T_TMP/locked.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/locked.out" "another kbridge setup is running"
exec 9>&-
t_end

# A clang that writes down each compiler probe it is asked (the try-run form Kbuild uses:
# "-c -x c /dev/null -o DIR/.tmp_PID/tmp"), then is the real clang. scripts/kbuild-cc runs
# KBRIDGE_CC_REAL, and kbridge hands its environment to the builds. Both it and its log
# sit in the module's folder: the only one a sandboxed build sees besides the system's.
mkdir -p "$T_TMP/mod"
FAKE="$T_TMP/mod/.probe-clang"
LOG="$T_TMP/mod/.probes.log"
printf '#!/bin/sh\ncase " $* " in *" /dev/null -o "*/.tmp_*) echo probe >> "%s" ;; esac\nexec /usr/bin/clang "$@"\n' \
	"$LOG" > "$FAKE"
chmod +x "$FAKE"
printf '%s\n' '#include <linux/module.h>' \
	'static int __init kbcc_init(void) { pr_info("kbcc: %d\n", 40 + 2); return 0; }' \
	'static void __exit kbcc_exit(void) { }' 'module_init(kbcc_init);' 'module_exit(kbcc_exit);' \
	'MODULE_LICENSE("GPL");' > "$T_TMP/mod/kbcc.c"
echo 'obj-m := kbcc.o' > "$T_TMP/mod/Kbuild"
flags() {   # the compile line Kbuild recorded for kbcc.o, one word a line, the compiler left out
	sed -n 1p "$T_TMP/mod/.kbcc.o.cmd" | tr ' ' '\n' | grep -v -e '/cc$' -e '^clang$' | sort
}
plain_make() {   # plain_make TARGET: Kbuild with clang itself
	PATH=/usr/bin:$PATH make -s -C "$HOME_DIR/build" M="$T_TMP/mod" LLVM=1 RUSTC=/usr/bin/rustc \
		RUSTDOC=/usr/bin/rustdoc HOSTRUSTC=/usr/bin/rustc BINDGEN="$HOME_DIR/tools/bindgen" "$1"
}

t_begin "a module build takes Kbuild's compiler probes from setup's record: clang is asked none"
: > "$LOG"
KBRIDGE_CC_REAL="$FAKE" "$KBRIDGE" boot --build "$T_TMP/mod" --run true > "$T_TMP/cached.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/cached.out" "kbcc: 42"
[ "$(wc -l < "$LOG")" -eq 0 ] || t_fail "clang was asked $(wc -l < "$LOG") probes"
t_end

t_begin "the compile is the same with recorded probes as with clang asked: the same flags"
flags > "$T_TMP/cached.flags"
plain_make clean > /dev/null 2>&1
plain_make modules > "$T_TMP/plain.out" 2>&1
expect_status 0 $?
flags > "$T_TMP/plain.flags"
diff "$T_TMP/plain.flags" "$T_TMP/cached.flags" > "$T_TMP/flags.diff" || t_fail "the flags differ: $(cat "$T_TMP/flags.diff")"
[ "$(wc -l < "$T_TMP/plain.flags")" -gt 50 ] || t_fail "no compile line read from .kbcc.o.cmd"
t_end

t_begin "a changed configuration makes the record stale: builds ask clang itself again"
# a home standing for this one: the same tree (a link), the build's files hard-linked but
# a .config of its own
mkdir "$T_TMP/home2"
ln -s "$HOME_DIR/linux" "$T_TMP/home2/linux"
cp -al "$HOME_DIR/build" "$HOME_DIR/stamps" "$HOME_DIR/tools" "$HOME_DIR/initramfs.cpio" "$T_TMP/home2/"
rm "$T_TMP/home2/build/.config"
{ cat "$HOME_DIR/build/.config"; echo "# changed"; } > "$T_TMP/home2/build/.config"
KBRIDGE_HOME="$T_TMP/home2" "$KBRIDGE" setup --status > "$T_TMP/status2.out" 2>&1
expect_status 0 $?
grep -qE "^  probes +out of date" "$T_TMP/status2.out" || t_fail "probes not out of date: $(cat "$T_TMP/status2.out")"
# (unconfined: the home standing for this one lies in /tmp, which a sandboxed build does
# not see)
: > "$LOG"
KBRIDGE_NO_SANDBOX=1 KBRIDGE_HOME="$T_TMP/home2" KBRIDGE_CC_REAL="$FAKE" "$KBRIDGE" boot --build "$T_TMP/mod" \
	--run true > "$T_TMP/stale.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/stale.out" "kbcc: 42"
# the stale record is not used: Kbuild runs clang itself, probes and all
first=$(sed -n '1s/^[^=]*:= *\([^ ]*\).*/\1/p' "$T_TMP/mod/.kbcc.o.cmd")
[ "$first" = clang ] || t_fail "kbcc.o was compiled by '$first', not clang itself"
t_end

# The import and the configuration are both made from the extracted tree and run side by
# side: a missing import leaves the configuration and the build standing; a missing
# configuration takes the build (made from it) along, not the import.
t_begin "setup's steps: a missing import leaves the build ready, a missing configuration does not"
mkdir "$T_TMP/home3"
ln -s "$HOME_DIR/linux" "$T_TMP/home3/linux"
cp -al "$HOME_DIR/build" "$HOME_DIR/stamps" "$HOME_DIR/tools" "$HOME_DIR/initramfs.cpio" "$T_TMP/home3/"
rm "$T_TMP/home3/stamps/import"
KBRIDGE_HOME="$T_TMP/home3" "$KBRIDGE" setup --status > "$T_TMP/status3.out" 2>&1
expect_status 1 $?
for step in extract config build initramfs probes; do
	grep -qE "^  $step +ready" "$T_TMP/status3.out" || t_fail "without the import, $step is not ready: $(cat "$T_TMP/status3.out")"
done
grep -qE "^  import +missing" "$T_TMP/status3.out" || t_fail "the import is not missing"
cp "$HOME_DIR/stamps/import" "$T_TMP/home3/stamps/import"
rm "$T_TMP/home3/stamps/config"
KBRIDGE_HOME="$T_TMP/home3" "$KBRIDGE" setup --status > "$T_TMP/status4.out" 2>&1
expect_status 1 $?
grep -qE "^  import +ready" "$T_TMP/status4.out" || t_fail "without the configuration, the import is not ready"
grep -qE "^  build +out of date" "$T_TMP/status4.out" || t_fail "the build still looks ready: $(cat "$T_TMP/status4.out")"
grep -qE "^  probes +out of date" "$T_TMP/status4.out" || t_fail "the probes still look ready"
t_end

# The import for real, in its own process, and the learner's clone it starts: a home whose
# tree is a hard-linked copy of this one's (the import only adds .git and replaces
# .gitignore with a new file, so the links are never written through) and whose other
# steps are done.
t_begin "setup imports in a process of its own, then clones the learner's workspace from it"
mkdir "$T_TMP/home5"
cp -al "$HOME_DIR/linux" "$HOME_DIR/build" "$HOME_DIR/stamps" "$HOME_DIR/tools" "$HOME_DIR/initramfs.cpio" "$T_TMP/home5/"
rm "$T_TMP/home5/stamps/import"
KBRIDGE_HOME="$T_TMP/home5" "$KBRIDGE" setup --workspace "$T_TMP/ws5" > "$T_TMP/setup5.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/setup5.out" "alongside the configuration and the build"
expect_contains "$T_TMP/setup5.out" "kernel tree imported into git ("
expect_contains "$T_TMP/setup5.out" "workspace: ready: $T_TMP/ws5 (cloned in"
KBRIDGE_HOME="$T_TMP/home5" "$KBRIDGE" setup --status > "$T_TMP/status5.out" 2>&1
expect_status 0 $?
[ "$(git -C "$T_TMP/home5/linux" rev-parse kbridge-base^{commit})" = "$(git -C "$HOME_DIR/linux" rev-parse kbridge-base^{commit})" ] ||
	t_fail "the import made another base commit than this home's"
[ -z "$(git -C "$T_TMP/ws5/linux" status --porcelain | head -3)" ] || t_fail "the cloned workspace is not clean"
[ "$(git -C "$T_TMP/ws5/linux" rev-parse HEAD)" = "$(git -C "$HOME_DIR/linux" rev-parse kbridge-base^{commit})" ] ||
	t_fail "the workspace is not at the base commit"
rm -rf "$T_TMP/home5" "$T_TMP/ws5"
t_end

t_begin "doctor: everything found, the wrapper decision stated, exit 0"
"$KBRIDGE" doctor > "$T_TMP/doctor.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/doctor.out" "bindgen wrapper"
expect_contains "$T_TMP/doctor.out" "rust-src"
expect_contains "$T_TMP/doctor.out" "Everything the course needs is here."
t_end

t_begin "doctor on an empty KBRIDGE_HOME: the missing steps named with their fix, exit 1"
KBRIDGE_HOME="$T_TMP/empty" "$KBRIDGE" doctor > "$T_TMP/doctor2.out" 2>&1
expect_status 1 $?
expect_contains "$T_TMP/doctor2.out" "MISSING"
expect_contains "$T_TMP/doctor2.out" "fix: kbridge setup"
t_end

t_begin "an interrupted setup leaves no half step that looks done, and resumes"
# a scratch KBRIDGE_HOME: interrupt the extract, then let it pass the extract and
# interrupt the import; each rerun starts the unfinished step cleanly
SCRATCH="$T_TMP/scratch"
KBRIDGE_HOME="$SCRATCH" "$KBRIDGE" setup > "$T_TMP/int1.out" 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid
expect_status 130 $?
expect_contains "$T_TMP/int1.out" "interrupted; run it again"
KBRIDGE_HOME="$SCRATCH" "$KBRIDGE" setup --status > "$T_TMP/int1.status" 2>&1
grep -qE "^  extract +missing" "$T_TMP/int1.status" || t_fail "a half extract looks done"
# the group was killed; give init a moment to reap tar's own child
i=0
while pgrep -x tar > /dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
pgrep -x tar > /dev/null && t_fail "tar outlived the interrupted setup"
KBRIDGE_HOME="$SCRATCH" "$KBRIDGE" setup > "$T_TMP/int2.out" 2>&1 &
pid=$!
# (the extract takes ~12 s on an idle machine; a loaded one may take minutes)
i=0
while ! grep -q "kernel source extracted" "$T_TMP/int2.out" && [ $i -lt 600 ]; do
	sleep 0.5
	i=$((i + 1))
done
sleep 2
kill -INT $pid
wait $pid
expect_status 130 $?
KBRIDGE_HOME="$SCRATCH" "$KBRIDGE" setup --status > "$T_TMP/int2.status" 2>&1
grep -qE "^  extract +ready" "$T_TMP/int2.status" || t_fail "the finished extract was not kept"
grep -qE "^  import +missing" "$T_TMP/int2.status" || t_fail "a half import looks done"
grep -qE "^  config +missing" "$T_TMP/int2.status" || t_fail "a half configuration looks done"
# the import's own process ended with setup
pgrep -f "kbridge setup" > /dev/null && t_fail "a setup process outlived the interrupted setup: $(pgrep -af 'kbridge setup')"
[ -d "$SCRATCH/linux.partial" ] && t_fail "linux.partial was left behind"
[ -f "$SCRATCH/linux/Makefile" ] || t_fail "the extracted tree is incomplete"
rm -rf "$SCRATCH"
t_end

t_begin "every command has --help"
for c in setup doctor boot; do
	"$KBRIDGE" $c --help > "$T_TMP/help.out" 2>&1 || t_fail "kbridge $c --help failed"
	grep -q "usage: kbridge $c" "$T_TMP/help.out" || t_fail "kbridge $c --help has no usage line"
done
t_end

t_finish
