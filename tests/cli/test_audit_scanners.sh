#!/bin/sh
# test_audit_scanners.sh COMPOSEC - composec's audit beside compose-lint and
# dclint, on their own samples (tests/audit/compose-lint/ and
# tests/audit/dclint/, copied under their MIT licences: SOURCE.md there),
# service by service (tests/audit/compare.py): each of their findings that
# a composec rule answers must get that rule on the same service (for
# compose-lint, at the same line: the item), and each composec finding that
# answers one of their rules must be one of theirs, except where
# tests/audit/compose-lint-expected.tsv or dclint-expected.tsv says why;
# a listed difference that is gone fails too, and the README's tables must
# name the same rules.  dclint itself runs (from npm); compose-lint's
# findings are its recorded output (compose-lint/findings.tsv).  Samples
# docker compose's own config refuses are judged service by service where a
# service alone is accepted.  Prints the figures of each tool.
#
# Needs docker compose (tests/reference/fetch-compose.sh), python3 and
# dclint (tests/audit/dclint-tool), all installed by tests/tools.sh; without
# them the test is skipped (exit 77), and with COMPOSEC_REQUIRE_TOOLS=1 a
# skip is a failure.
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
skip() {
	echo "SKIP $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
}
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
compose=$(sh "$top/tests/reference/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
dclint=$top/tests/audit/dclint-tool/node_modules/.bin/dclint
if [ ! -x "$dclint" ] || ! command -v node >/dev/null 2>&1; then
	skip "dclint is not installed (sh tests/tools.sh install)"
fi
status=0
python3 "$top/tests/audit/compare.py" compose-lint "$composec" "$compose" || status=1
python3 "$top/tests/audit/compare.py" dclint "$composec" "$compose" "$dclint" || status=1
exit $status
