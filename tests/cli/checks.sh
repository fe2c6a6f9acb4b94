# checks.sh - the counting and skipping the command-line tests share,
# sourced at their start (tests/reference/judge.sh sources it too):
#   ok, fail WHAT   count a check ($pass, $fails); fail prints FAIL WHAT
#   skip WHY        SKIP WHY, exit 77 (CTest: skipped), or fail the test
#                   under COMPOSEC_REQUIRE_TOOLS=1 (CI: nothing it claims
#                   to check may be skipped)
#   finish          print the counts; exit 1 after a failure, else 0
# shellcheck shell=sh
pass=0 fails=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() {
	echo "SKIP $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
}
finish() {
	echo "$pass passed, $fails failed"
	[ "$fails" -eq 0 ] || exit 1
	exit 0
}
