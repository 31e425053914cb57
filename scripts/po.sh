#!/bin/sh
# po.sh - kbridge's own catalogs (src/base/intl.h): the template assets/po/kbridge.pot and
# its translations assets/po/LANG.po.
#
#   scripts/po.sh pot          extract the template from src/ and merge it into every LANG.po
#                              (a changed English string becomes fuzzy: the translator's cue)
#   scripts/po.sh merge FILE   add FILE's translations (a PO file) to assets/po/zh_CN.po, theirs
#                              first, then merge with the template
#   scripts/po.sh stats        each catalog's translated/fuzzy/untranslated counts
#   scripts/po.sh check        fail when the template is not what src/ has or a catalog has an
#                              untranslated or fuzzy entry (make test runs it)
set -eu
cd "$(dirname "$0")/.."
POT=assets/po/kbridge.pot
KEYWORDS="-k_ -kN_ -kC_:1c,2 -kkb_ngettext:1,2 -kkb_error_set:2 -kkb_die:1"

extract() {   # $1: output
	# shellcheck disable=SC2086
	xgettext --from-code=UTF-8 --language=C $KEYWORDS --add-comments=TRANSLATORS: \
		--sort-by-file --package-name=kbridge --msgid-bugs-address=kbridge \
		-o "$1" $(ls src/*/*.c src/*/*.h | LC_ALL=C sort)
	# a template that has no entry yet is still a template
	[ -f "$1" ] || : > "$1"
	# a format with no word in it ("%s", "%s: %s") has nothing to translate, unless it has a
	# context (C_("ctx", "%s (%s)"): its punctuation is the language's). A msgid of only
	# "ok" or "%zu" is kept or dropped wrongly: say it in more words. xgettext's
	# header stays until then: its charset (UTF-8) is how msggrep reads a msgid such as
	# "kernel ✓" whole; then it goes (header() writes the template's own)
	sed -i 's/charset=CHARSET/charset=UTF-8/' "$1"
	msggrep --msgid -E -e '[[:alpha:]]{3}' --msgctxt -E -e '.' -o "$1.words" "$1" && sed '1,/^$/d' "$1.words" > "$1"
	rm -f "$1.words"
	[ -f "$1" ] || : > "$1"
}

header() {
	cat <<'HDR'
# kbridge's own words (screens, CLI messages, --help, check reports).
# Extracted by scripts/po.sh pot from src/; do not edit by hand.
msgid ""
msgstr ""
"Project-Id-Version: kbridge\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\n"

HDR
}

case "${1:-}" in
pot)
	tmp=$(mktemp)
	extract "$tmp"
	{ header; cat "$tmp"; } > "$POT"
	rm -f "$tmp"
	for po in assets/po/*.po; do
		[ -f "$po" ] || continue
		msgmerge --quiet --update --backup=none --sort-by-file "$po" "$POT"
	done
	;;
merge)
	part=$2
	exec 9> assets/po/.lock
	flock 9
	msgcat --use-first --sort-by-file -o assets/po/zh_CN.po.new "$part" assets/po/zh_CN.po
	# the catalog keeps its own header (a part's header says only how that file was written)
	{ sed -n '1,/^$/p' assets/po/zh_CN.po; sed '1,/^$/d' assets/po/zh_CN.po.new; } > assets/po/zh_CN.po.head
	msgmerge --quiet --sort-by-file -o assets/po/zh_CN.po assets/po/zh_CN.po.head "$POT"
	rm -f assets/po/zh_CN.po.new assets/po/zh_CN.po.head
	;;
stats)
	for po in assets/po/*.po; do
		printf '%s: ' "$po"
		msgfmt --statistics -o /dev/null "$po" 2>&1
	done
	;;
check)
	tmp=$(mktemp)
	extract "$tmp"
	want=$(mktemp); have=$(mktemp)
	# with the template's header, so that a msgid such as "kernel ✓" is read as UTF-8
	{ header; cat "$tmp"; } | msgcat --sort-output --no-location - 2>/dev/null | sed '1,/^$/d' | grep -v '^#' > "$want" || true
	msgcat --sort-output --no-location "$POT" 2>/dev/null | sed '1,/^$/d' | grep -v '^#' > "$have" || true
	rc=0
	if ! diff -q "$want" "$have" >/dev/null; then
		echo "assets/po/kbridge.pot is not what src/ marks: run scripts/po.sh pot" >&2
		diff "$have" "$want" | head -20 >&2
		rc=1
	fi
	for po in assets/po/*.po; do
		out=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1) || { echo "$po: $out" >&2; rc=1; continue; }
		case "$out" in
		*fuzzy*|*untranslated*) echo "$po: $out" >&2; rc=1 ;;
		esac
	done
	rm -f "$tmp" "$want" "$have"
	exit $rc
	;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
