#!/bin/sh
# update-golden.sh [COMPOSEC [CASE...]] - rewrite expected/ of golden cases.
#
# COMPOSEC defaults to build/composec (run `make` first).  CASE is a case
# directory or a case name under golden/; default: every case.  Review the
# result with `git diff golden/` before committing: this records whatever
# composec does now, right or wrong.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd -P)
composec=${1:-$top/build/composec}
if [ $# -gt 0 ]; then
	shift
fi
if [ ! -x "$composec" ]; then
	echo "update-golden.sh: $composec is not an executable; run make first" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	for d in "$top"/golden/*/; do
		set -- "$@" "${d%/}"
	done
fi

status=0
for c in "$@"; do
	if [ ! -d "$c" ] && [ -d "$top/golden/$c" ]; then
		c=$top/golden/$c
	fi
	UPDATE_GOLDEN=1 sh "$top/tests/golden.sh" "$composec" "$c" || status=1
done
exit "$status"
