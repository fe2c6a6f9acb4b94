#!/bin/sh
# `composec audit --format sarif` of every golden audit case and every
# corpus file is valid SARIF 2.1.0 and follows GitHub code scanning's
# conventions (tests/validate/sarif/validate.sh); its fingerprints do not
# change when lines move; and the audit command's exit codes (--fail-on,
# bad --format, bad --fail-on, a missing --ignore-file, --list-rules).
#
# Without node and npm (or the pinned packages) the validation is skipped
# with a message; with COMPOSEC_REQUIRE_TOOLS=1 (set by CI) a skip is a
# failure.
set -eu
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
validate=$top/tests/validate/sarif/validate.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # name expected-exit actual-exit
	if [ "$2" = "$3" ]; then ok; else fail "$1: exit $3, expected $2"; cat "$tmp/err" 2>/dev/null || :; fi
}

# Run composec audit --format sarif in a golden case directory with the
# case's environment and its file arguments (-f, --ignore-file), as
# golden.sh would, minus the options that change the format or the exit.
audit_case() { # dir out
	dir=$1
	set --
	if [ -f "$dir/env" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in '' | '#'*) continue ;; esac
			set -- "$@" "$line"
		done <"$dir/env"
	fi
	set -- "$@" "$composec" audit --format sarif
	if [ -f "$dir/args" ]; then
		skip_next=0
		while IFS= read -r line || [ -n "$line" ]; do
			if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
			case $line in
			audit | -q) ;;
			--format | --fail-on) skip_next=1 ;;
			--list-rules) return 1 ;;
			*) set -- "$@" "$line" ;;
			esac
		done <"$dir/args"
	fi
	(cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@")
}

n=0
for dir in "$top"/golden/audit-* "$top"/golden/corpus-*; do
	[ -d "$dir" ] || continue
	name=${dir##*/}
	set +e
	audit_case "$dir" >"$tmp/$name.sarif" 2>"$tmp/err"
	rc=$?
	set -e
	if [ "$rc" = 1 ] && [ ! -s "$tmp/$name.sarif" ]; then
		rm -f "$tmp/$name.sarif" # --list-rules: no project
		continue
	fi
	check "$name" 0 "$rc"
	n=$((n + 1))
done

set +e
"$validate" "$tmp"/*.sarif >"$tmp/validate" 2>&1
rc=$?
set -e
skips=0
if [ "$rc" = 125 ]; then
	echo "SKIP SARIF schema validation: $(cat "$tmp/validate")"
	skips=1
	if [ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ]; then fail "skipped although COMPOSEC_REQUIRE_TOOLS=1"; fi
else
	check "validate $n SARIF logs" 0 "$rc"
	if [ "$rc" != 0 ]; then cat "$tmp/validate"; fi
fi

# Fingerprints ignore where a finding is: shift every line down.
mkdir "$tmp/moved"
{
	printf '# three lines\n# pushed in\n\n'
	cat "$top/golden/audit-suppress/compose.yaml"
} >"$tmp/moved/compose.yaml"
fingerprints() { grep -o '"composecFingerprint/v1": "[0-9a-f]*"' "$1" | sort; }
(cd "$top/golden/audit-suppress" && "$composec" audit --format sarif --ignore-file /dev/null) >"$tmp/a.sarif" 2>/dev/null
(cd "$tmp/moved" && "$composec" audit --format sarif) >"$tmp/b.sarif" 2>/dev/null
fingerprints "$tmp/a.sarif" >"$tmp/a.fp"
fingerprints "$tmp/b.sarif" >"$tmp/b.fp"
if [ -s "$tmp/a.fp" ] && cmp -s "$tmp/a.fp" "$tmp/b.fp"; then ok; else fail "fingerprints moved with the lines"; fi
lines() { grep -o '"startLine": [0-9]*' "$1" | sed 's/.* //'; }
lines "$tmp/a.sarif" | while read -r l; do echo $((l + 3)); done >"$tmp/a.lines"
lines "$tmp/b.sarif" >"$tmp/b.lines"
if [ -s "$tmp/a.lines" ] && cmp -s "$tmp/a.lines" "$tmp/b.lines"; then ok; else fail "the lines did not move by 3"; fi

# Exit codes.
run() { set +e; "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e; }
c=$top/golden/audit-host/compose.yaml
run "$composec" audit -q "$c"; check "no --fail-on" 0 "$rc"
run "$composec" audit -q --fail-on critical "$c"; check "--fail-on critical" 1 "$rc"
run "$composec" audit -q --fail-on critical "$top/golden/audit-clean/compose.yaml"; check "--fail-on clean" 0 "$rc"
run "$composec" audit --fail-on severe "$c"; check "bad --fail-on" 2 "$rc"
run "$composec" audit --format xml "$c"; check "bad --format" 2 "$rc"
run "$composec" audit --ignore-file "$tmp/none" "$c"; check "missing --ignore-file" 2 "$rc"
run "$composec" audit --list-rules --format json; check "--list-rules json" 0 "$rc"
if grep -q '"id": "engine-socket"' "$tmp/out"; then ok; else fail "--list-rules json output"; fi

echo "$pass passed, $fails failed, $skips skipped"
[ "$fails" = 0 ] || exit 1
# 77: CTest counts the test as skipped (the schema check could not run)
[ "$skips" = 0 ] || exit 77
