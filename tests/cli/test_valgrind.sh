#!/bin/sh
# composec under valgrind (memcheck, full leak check) on a sample of the
# golden cases, each with the arguments of its case and then through
# every backend: any invalid access, use of uninitialised memory or leak
# fails the test.
#
# valgrind cannot run a binary built with AddressSanitizer, which is what
# `make test` builds; then a plain composec is built first, once, next to
# the given one (<its build dir>/valgrind-plain/).  Skipped without
# valgrind; with COMPOSEC_REQUIRE_TOOLS=1 (set by CI) a skip is a failure.
# VALGRIND_CASES (default 12) sets how many golden cases are sampled.
set -eu
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP valgrind is not installed"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
fi

if grep -q __asan_init "$composec" 2>/dev/null; then
	plain=$(dirname "$composec")/valgrind-plain
	echo "building a composec without sanitizers in $plain"
	cmake -S "$top" -B "$plain" -DCMAKE_BUILD_TYPE=Debug -DCOMPOSEC_TESTS=OFF -DCOMPOSEC_WERROR=OFF >/dev/null
	cmake --build "$plain" --target composec -j 2 >"$plain.log" 2>&1 || { cat "$plain.log"; exit 1; }
	composec=$plain/composec
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
vg() { # dir args...: composec under valgrind in dir; nonzero exit 99 is a finding
	d=$1
	shift
	set +e
	(cd "$d" && exec env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$composec" "$@") </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*==' "$tmp/err"; then
		echo "FAIL valgrind: $d: composec $*"
		grep '^==[0-9]*==' "$tmp/err" | head -n 30
		fails=$((fails + 1))
	else
		pass=$((pass + 1))
	fi
}

# The sample: fixed cases that cover the frontend's features and errors,
# then every n-th of the rest, so that the whole list is reached over time
# as cases are added.
n=${VALGRIND_CASES:-12}
{
	for c in interpolation env-file extends include anchors err-alias-bomb err-many e2e-hostile; do
		[ -d "$top/golden/$c" ] && echo "$top/golden/$c"
	done
	find "$top/golden" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort | awk -v n="$n" 'NR % 9 == 1' | head -n "$n"
} | awk '!seen[$0]++' >"$tmp/cases"

# case_args DIR: vg with the case's arguments (one per line, as golden.sh
# reads them), "-o @OUTDIR@..." left out so that output goes to stdout.
case_args() {
	c=$1
	set --
	if [ -f "$c/args" ]; then
		skip=0
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			-o) skip=1 ;;
			*) if [ "$skip" = 1 ]; then skip=0; else set -- "$@" "$line"; fi ;;
			esac
		done <"$c/args"
	else
		set -- config
	fi
	vg "$c" "$@"
}

while IFS= read -r c; do
	case_args "$c"
	if [ ! -f "$c/expected/exit" ]; then
		for t in systemd quadlet k8s sh plan audit; do
			vg "$c" "$t"
		done
	fi
done <"$tmp/cases"

echo "test_valgrind: $pass runs clean, $fails with findings ($(wc -l <"$tmp/cases") cases)"
[ "$fails" -eq 0 ]
