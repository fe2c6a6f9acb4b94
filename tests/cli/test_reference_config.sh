#!/bin/sh
# docker compose itself judges the model: for every golden case (the 39
# corpus files among them) `composec config --format json` and docker compose
# v2's `config --format json` run on the same files, in the same directory,
# with the same environment and loading options, and must agree after the
# written normalisation of tests/reference/config_diff.py; or both fail with
# the same kind of error; or the difference is listed, with its reason, in
# tests/reference/differences.tsv.  An unlisted difference fails, and so does
# a listed one that no longer differs.  The normalisation's own self-test
# (a changed value still fails after it) runs first.
#
# Needs docker compose (tests/reference/fetch-compose.sh, installed by
# tests/tools.sh) and python3 with PyYAML; without them the test is skipped
# (exit 77), and with COMPOSEC_REQUIRE_TOOLS=1 a skip is a failure.
set -eu
composec=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference

skip() {
	echo "SKIP $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
}
python3 -c 'import yaml' 2>/dev/null || skip "python3 with PyYAML is not installed"
compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"

python3 "$ref/config_diff.py" --self-test
exec python3 "$ref/config_diff.py" "$composec" "$compose" "$top/golden" "$ref/differences.tsv"
