#!/bin/sh
# check-fixtures.sh PACK FIXTURES: prove a pack's kept solutions behave. FIXTURES holds one
# folder per lesson (FIXTURES/LESSON/) with patches against the lesson's solution, made
# with scripts/fixture-patch.sh:
#   alt*.patch     correct solutions written differently: each must pass
#   wrong*.patch   wrong solutions: each must fail (exit 1, an expectation not met)
#   reasons        one line per reason: WRONG-NAME<TAB>a text its check output must hold
#                  (why it fails: a NOT MET line, a hint, a note); # starts a comment
# Each patch is applied to `kbridge pack export PACK LESSON` in a fresh folder and checked
# with `kbridge check LESSON --pack PACK --workspace FOLDER`. Keep FIXTURES beside the
# pack (not inside it: a pack holds lessons). Prints a line per patch and reason, ends with
# "N passed, N failed", and exits 1 when any failed.
#   scripts/check-fixtures.sh ~/mypack ~/mypack-tests
set -u
[ $# -eq 2 ] || { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
PACK=$1
FIX=$2
KBRIDGE=${KBRIDGE:-$(cd "$(dirname "$0")/.." && pwd)/kbridge}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
bad() { echo "not ok - $*"; failed=$((failed + 1)); }

for dir in "$FIX"/*/; do
	lesson=$(basename "$dir")
	for patch in "$dir"alt*.patch "$dir"wrong*.patch; do
		[ -f "$patch" ] || continue
		name=$(basename "$patch" .patch)
		tree="$work/$lesson-$name"
		out="$work/$lesson-$name.out"
		mkdir -p "$tree"
		if ! "$KBRIDGE" pack export "$PACK" "$lesson" "$tree" > "$out" 2>&1 ||
		   ! (cd "$tree" && git apply "$patch") >> "$out" 2>&1; then
			bad "$lesson/$name: the patch does not apply to the solution: $(tail -n 3 "$out")"
			continue
		fi
		"$KBRIDGE" check "$lesson" --pack "$PACK" --workspace "$tree" > "$out" 2>&1
		st=$?
		case $name in
		alt*)
			if [ $st -eq 0 ]; then ok "$lesson/$name passes"
			else bad "$lesson/$name should pass (exit $st):"; sed 's/^/    | /' "$out" | tail -n 20; fi ;;
		*)
			if [ $st -eq 1 ] && grep -qF "[NOT MET]" "$out"; then ok "$lesson/$name fails"
			else bad "$lesson/$name should fail on an expectation (exit $st):"; sed 's/^/    | /' "$out" | tail -n 20; fi ;;
		esac
	done
	[ -f "$dir/reasons" ] || continue
	tab=$(printf '\t')
	while IFS="$tab" read -r w text; do
		case "$w" in ''|'#'*) continue ;; esac
		if [ ! -f "$work/$lesson-$w.out" ]; then
			bad "$lesson/$w: reasons names a fixture that is not there ($w.patch)"
		elif grep -qF -- "$text" "$work/$lesson-$w.out"; then
			ok "$lesson/$w fails for its reason: $text"
		else
			bad "$lesson/$w does not say: $text"
			sed 's/^/    | /' "$work/$lesson-$w.out" | tail -n 20
		fi
	done < "$dir/reasons"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
