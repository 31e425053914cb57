#!/bin/sh
# A shared lab server: one read-only kernel home (kbridge lab init) serving four learners
# who are four real Unix users, each with their own workspace and progress. Their checks
# run at once against a limit of two: two wait in line and are told their place, every
# learner gets the right verdict, and no learner can read or write another's workspace
# or the lab's tree (file modes verified, and tried as the other user). Entries a learner
# forges in the queue or the running list (pid 1, another learner's process, a dead
# process) delay no one, and entries for their own processes hold one place at most.
# Needs root, or sudo without a password, to make the users. Real Kbuild, real QEMU,
# real libgit2 workspaces (each a full clone of the kernel tree: ~30 s apiece).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" -eq 0 ]; then
	AS_ROOT=''
elif sudo -n true 2>/dev/null; then
	AS_ROOT='sudo -n'
else
	t_begin "a shared lab server with four learners"
	t_fail "this test makes four Unix users and needs root or sudo without a password; neither is available"
	t_end
	t_finish
fi
root() { $AS_ROOT "$@"; }

HOME_K=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
LAB=$(mktemp -d /tmp/kbridge-lab.XXXXXX)
chmod 755 "$LAB"
USERS="kblab1 kblab2 kblab3 kblab4"
cleanup() {
	for u in $USERS; do root userdel -r "$u" >/dev/null 2>&1; done
	root rm -rf "$LAB"
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# kbridge as the learners run it: installed where everyone can read it
make -s -C "$ROOT" install PREFIX="$LAB/prefix" > /dev/null
KB="$LAB/prefix/bin/kbridge"
cp -R "$ROOT/tests/fixtures/labpack" "$LAB/pack"
# the correct solution is the lesson's own; the wrong one is a tree in the fixture
"$KB" pack export "$LAB/pack" square "$LAB/pack/right"
chmod -R a+rX "$LAB/prefix" "$LAB/pack"

t_begin "lab init makes a copy of the kernel home a lab home with a limit of two"
root "$KB" lab init --max-checks 2 --from "$HOME_K" "$LAB/home" > "$T_TMP/init.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/init.out" "is a lab home: 2 checks at once"
"$KB" lab status "$LAB/home" > "$T_TMP/status0.out" 2>&1
expect_contains "$T_TMP/status0.out" "limit:     2 checks at once"
expect_contains "$T_TMP/status0.out" "running:   0"
# nothing in the lab home is writable by others but the queue and the running list
# (sticky, like /tmp)
root find "$LAB/home" -perm -o+w ! -type l | sort > "$T_TMP/writable"
[ "$(cat "$T_TMP/writable")" = "$(printf '%s\n' "$LAB/home/lab/queue" "$LAB/home/lab/running")" ] ||
	t_fail "writable by others: $(cat "$T_TMP/writable")"
[ "$(stat -c %a "$LAB/home/lab/queue")" = 1777 ] || t_fail "the queue is not 1777"
[ "$(stat -c %a "$LAB/home/lab/running")" = 1777 ] || t_fail "the running list is not 1777"
t_end

for u in $USERS; do root userdel -r "$u" >/dev/null 2>&1; done   # left by an interrupted run
n=0
for u in $USERS; do
	n=$((n + 1))
	root useradd -m -d "$LAB/u$n" -s /bin/sh "$u" || t_fail "useradd $u"
	# a home anyone may look into, as on many systems: kbridge must keep the workspace private itself
	root chmod 755 "$LAB/u$n"
done
as() {   # as N COMMAND...: run as learner N with the lab's environment
	_n=$1
	shift
	root runuser -u "kblab$_n" -- env HOME="$LAB/u$_n" KBRIDGE_HOME="$LAB/home" NO_COLOR=1 TMPDIR="$LAB/u$_n" "$@"
}

t_begin "four learners start the lesson, each in a private workspace of their own"
start=$(date +%s)
for n in 1 2 3 4; do
	as $n "$KB" start square --pack "$LAB/pack" --workspace "$LAB/u$n/ws" > "$T_TMP/start$n.out" 2>&1 &
done
wait
echo "# four workspaces made in $(( $(date +%s) - start )) s"
for n in 1 2 3 4; do
	expect_contains "$T_TMP/start$n.out" "Task print"
	expect_contains "$T_TMP/start$n.out" "  edit: $LAB/u$n/ws/linux/samples/kbridge/square/square.c"
	expect_contains "$T_TMP/start$n.out" "  read: $LAB/u$n/ws/linux/samples/kbridge/square/Kbuild"
	[ "$(stat -c %a "$LAB/u$n/ws")" = 700 ] || t_fail "workspace $n has mode $(stat -c %a "$LAB/u$n/ws"), not 700"
	# inside a private workspace: looked at as root (the test may run as another user)
	[ "$(root stat -c %U "$LAB/u$n/ws/linux/samples/kbridge/square/square.c")" = "kblab$n" ] ||
		t_fail "learner $n's lesson file is not theirs"
	# the git objects are borrowed from the lab, not copied
	root grep -qx "$LAB/home/linux/.git/objects" "$LAB/u$n/ws/linux/.git/objects/info/alternates" ||
		t_fail "learner $n's workspace does not borrow the lab's objects"
done
t_end

# learners 1 and 3 write a correct solution, 2 and 4 a wrong one (n*n*n)
for n in 1 2 3 4; do
	case $n in 1|3) tree=right ;; *) tree=wrong ;; esac
	as $n cp "$LAB/pack/$tree/samples/kbridge/square/square.c" "$LAB/u$n/ws/linux/samples/kbridge/square/square.c"
done

t_begin "four checks at once, two at a time: the others wait in line and each gets the right verdict"
for n in 1 2 3 4; do
	as $n "$KB" check square --pack "$LAB/pack" --workspace "$LAB/u$n/ws" --timeout 60 > "$T_TMP/check$n.out" 2>&1 &
	eval "pid$n=\$!"
done
# while they run: never more than two at once, and the status says so
busy=0
for i in $(seq 1 60); do
	"$KB" lab status "$LAB/home" > "$T_TMP/status.out" 2>&1
	r=$(sed -n 's/^running: *//p' "$T_TMP/status.out")
	[ "${r:-0}" -gt 2 ] && t_fail "lab status shows $r checks running with a limit of 2"
	[ "${r:-0}" -eq 2 ] && busy=1
	[ $busy -eq 1 ] && break
	sleep 0.2
done
[ $busy -eq 1 ] || t_fail "lab status never showed 2 checks running"
for n in 1 2 3 4; do
	eval "wait \$pid$n"
	eval "st$n=\$?"
done
expect_status 0 "$st1"
expect_status 1 "$st2"
expect_status 0 "$st3"
expect_status 1 "$st4"
for n in 1 3; do expect_contains "$T_TMP/check$n.out" "PASS  square/print"; done
for n in 2 4; do expect_contains "$T_TMP/check$n.out" "[NOT MET] the kernel log contains"; done
waited=$(cat "$T_TMP"/check?.out | grep -c "kbridge: the lab runs 2 checks at once; waiting, [0-9]* ahead of you")
[ "$waited" -ge 2 ] || t_fail "expected at least two learners told their place in line, saw $waited lines"
cat "$T_TMP"/check?.out | grep "waiting, " | sed 's/^/# /'
t_end

t_begin "each learner's progress is their own"
for n in 1 2 3 4; do
	case $n in 1|3) want=true ;; *) want=false ;; esac
	as $n cat "$LAB/u$n/ws/progress.json" > "$T_TMP/progress$n.json"
	expect_contains "$T_TMP/progress$n.json" "\"passed\":	$want"
	expect_contains "$T_TMP/progress$n.json" "\"attempts\":	1"
done
t_end

t_begin "no learner can read or write another's workspace, or the lab's tree"
for spy in 1 2 3 4; do
	for n in 1 2 3 4; do
		[ $spy -eq $n ] && continue
		as $spy ls "$LAB/u$n/ws" > /dev/null 2>&1 && t_fail "learner $spy can list learner $n's workspace"
		as $spy cat "$LAB/u$n/ws/progress.json" > /dev/null 2>&1 && t_fail "learner $spy can read learner $n's progress"
		as $spy cat "$LAB/u$n/ws/linux/samples/kbridge/square/square.c" > /dev/null 2>&1 &&
			t_fail "learner $spy can read learner $n's solution"
		as $spy touch "$LAB/u$n/ws/intruder" > /dev/null 2>&1 && t_fail "learner $spy can write in learner $n's workspace"
	done
	as $spy touch "$LAB/home/linux/Makefile" > /dev/null 2>&1 && t_fail "learner $spy can write the lab's tree"
	as $spy touch "$LAB/home/build/intruder" > /dev/null 2>&1 && t_fail "learner $spy can write the lab's build"
	as $spy touch "$LAB/home/lab/lab.conf" > /dev/null 2>&1 && t_fail "learner $spy can change the lab's limit"
done
t_end

t_begin "entries forged by a learner (pid 1, another learner's process, a dead one; their own processes) do not delay a check"
Q="$LAB/home/lab/queue"
R="$LAB/home/lab/running"
now_ns() { awk '{ printf "%.0f", $1 * 1000000000 }' /proc/uptime; }   # %d stops at 2^31 in mawk
start_of() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'; }
as 3 sleep 300 &
sleeper=$!
sleep 0.5
other=$(pgrep -u kblab3 -x sleep | head -n 1)
dead=$(as 2 sh -c 'echo $$')
for d in "$Q" "$R"; do
	as 2 touch "$d/$(now_ns)-1-$(start_of 1)" "$d/0-1" "$d/$(now_ns)-$other-$(start_of "$other")" "$d/$(now_ns)-$dead-1"
done
# and learner 2 holds two places by hand, for two processes of their own
as 2 sleep 300 &
own1=$!
as 2 sleep 300 &
own2=$!
sleep 0.5
for p in $(pgrep -u kblab2 -x sleep); do as 2 touch "$R/$(now_ns)-$p-$(start_of "$p")"; done
[ "$(ls "$Q" | wc -l)" -ge 4 ] && [ "$(ls "$R" | wc -l)" -ge 6 ] || t_fail "the forged entries were not written"
"$KB" lab status "$LAB/home" > "$T_TMP/forged-status.out" 2>&1
expect_contains "$T_TMP/forged-status.out" "waiting:   0"
expect_contains "$T_TMP/forged-status.out" "running:   1"
start=$(date +%s)
as 1 "$KB" check square --pack "$LAB/pack" --workspace "$LAB/u1/ws" --timeout 60 > "$T_TMP/forged.out" 2>&1
expect_status 0 $?
took=$(( $(date +%s) - start ))
echo "# the check took $took s with the forged tickets in the queue"
expect_contains "$T_TMP/forged.out" "PASS  square/print"
expect_not_contains "$T_TMP/forged.out" "ahead of you"
root kill "$sleeper" "$other" "$own1" "$own2" $(pgrep -u kblab2 -x sleep) 2> /dev/null
root rm -f "$Q"/* "$R"/*
t_end

t_begin "a learner's kbridge setup on the lab home says it is ready and changes nothing"
as 1 "$KB" setup > "$T_TMP/setup.out" 2>&1
expect_status 0 $?
expect_contains "$T_TMP/setup.out" "is ready (a shared lab home"
t_end

t_finish
