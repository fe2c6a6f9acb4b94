#!/bin/sh
# test_audit_kics.sh COMPOSEC - composec's audit on the Docker Compose test
# samples of KICS (tests/audit/kics/, copied under its licence: SOURCE.md):
# every sample that docker compose's own `config` accepts is judged; a
# positive must get the composec rule that answers its query, a negative
# none, except where tests/audit/kics-expected.tsv says why composec
# differs (deliberately, broader, a loader difference, or a gap still to
# close); a listed difference that is gone fails as well
# (tests/audit/kics_check.py).  Prints one line per query and the figures.
#
# Needs docker compose (tests/reference/fetch-compose.sh, installed by
# tests/tools.sh) and python3; without them the test is skipped (exit 77),
# and with COMPOSEC_REQUIRE_TOOLS=1 a skip is a failure.
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
exec python3 "$top/tests/audit/kics_check.py" "$composec" "$compose"
