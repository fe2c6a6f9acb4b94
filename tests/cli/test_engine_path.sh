#!/bin/sh
# test_engine_path.sh COMPOSEC - --engine-path: the engine's command in the
# systemd units, the Quadlet files and the plan.
#
# For the example (examples/, a stack with health waits) and a path with a
# space in it: every Exec*= line of the systemd units and of the Quadlet
# files runs that path or /bin/sh, each engine call inside the /bin/sh
# scripts (the waits) runs it, nothing names /usr/bin/docker or
# /usr/bin/podman any more; the plan's commands run it.  A bare name
# ("docker") is left for systemd to find in its search path: the units
# pass `systemd-analyze verify` (tests/validate/verify-units.sh puts the
# engine at /usr/bin/docker in its root), and a name systemd cannot find
# does not.  Values that are neither an absolute path nor a bare name are
# refused.  Without systemd-analyze the verify part is skipped (exit 77;
# a failure under COMPOSEC_REQUIRE_TOOLS=1).
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/engine-path.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fails=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
cd "$top/examples"

engine='/opt/my engine/bin/docker'
# the program of each Exec*= line (not Quadlet's Exec=, the container's
# command), after the -@:+! prefixes, unquoted
programs() {
	awk '/^Exec[A-Za-z]+=/ { v = $0; sub(/^[^=]*=/, "", v); while (v ~ /^[-@:+!]/) v = substr(v, 2)
		if (v ~ /^"/) { v = substr(v, 2); v = substr(v, 1, index(v, "\"") - 1) } else sub(/ .*$/, "", v)
		print v }' "$@"
}

"$composec" systemd -q --engine-path "$engine" -o "$tmp/sd" || fail "systemd --engine-path"
"$composec" quadlet -q --engine-path "/opt/my engine/bin/podman" -o "$tmp/q" || fail "quadlet --engine-path"
n=$(programs "$tmp"/sd/*.service | wc -l)
bad=$(programs "$tmp"/sd/*.service | grep -v -x -e "$engine" -e /bin/sh || true)
if [ "$n" -gt 0 ] && [ -z "$bad" ]; then ok; else fail "systemd: Exec programs other than the engine and /bin/sh: $bad"; fi
waits=$(grep -c "'/opt/my engine/bin/docker' inspect" "$tmp"/sd/*.service | awk -F: '{ s += $2 } END { print s }')
if [ "$waits" -gt 0 ]; then ok; else fail "systemd: no wait script calls the engine by its path"; fi
if grep -q '/usr/bin/docker\|/usr/bin/podman' "$tmp"/sd/*; then fail "systemd: /usr/bin/<engine> still named"; else ok; fi
bad=$(programs "$tmp"/q/* | grep -v -x -e "/opt/my engine/bin/podman" -e /bin/sh || true)
if [ -z "$bad" ]; then ok; else fail "quadlet: Exec programs other than the engine and /bin/sh: $bad"; fi
if grep -q "'/opt/my engine/bin/podman' \(inspect\|healthcheck\)" "$tmp"/q/*; then ok; else fail "quadlet: the waits do not call the engine by its path"; fi
if grep -q '/usr/bin/podman' "$tmp"/q/*; then fail "quadlet: /usr/bin/podman still named"; else ok; fi
"$composec" plan -q --engine-path "$engine" -o "$tmp/plan.json" || fail "plan --engine-path"
if python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
argv0 = set()
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "argv" and isinstance(v, list) and v:
                argv0.add(v[0])
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(p)
sys.exit(0 if argv0 == {sys.argv[2]} else print(argv0) or 1)' "$tmp/plan.json" "$engine"; then ok; else fail "plan: commands other than the engine's path"; fi

# values that are neither an absolute path nor a name
for v in '' ./docker bin/docker; do
	if "$composec" systemd -q --engine-path "$v" -o "$tmp/refused" >/dev/null 2>&1; then
		fail "--engine-path '$v' accepted"
	else ok; fi
done
if [ -e "$tmp/refused" ]; then fail "a refused --engine-path wrote output"; else ok; fi

# a bare name: systemd finds it in its search path, or reports it missing
if command -v systemd-analyze >/dev/null 2>&1; then
	"$composec" systemd -q --engine-path docker -o "$tmp/name" || fail "systemd --engine-path docker"
	if programs "$tmp"/name/*.service | grep -q -x docker; then ok; else fail "the bare name is not the Exec program"; fi
	if sh "$top/tests/validate/verify-units.sh" "$tmp/name" >"$tmp/verify.out" 2>&1; then ok; else
		fail "verify refuses units that run the engine by name"; cat "$tmp/verify.out"
	fi
	"$composec" systemd -q --engine-path no-such-engine -o "$tmp/missing" || fail "systemd --engine-path no-such-engine"
	if sh "$top/tests/validate/verify-units.sh" "$tmp/missing" >"$tmp/verify2.out" 2>&1; then
		fail "verify accepts a name systemd cannot find"
	else ok; fi
else
	echo "SKIP systemd-analyze is not installed"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && fail "skipped although COMPOSEC_REQUIRE_TOOLS=1"
	echo "$pass passed, $fails failed"
	[ "$fails" -eq 0 ] || exit 1
	exit 77
fi
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
