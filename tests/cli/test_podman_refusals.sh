#!/bin/sh
# What docker compose does on any engine and podman refuses as written:
#  - a bind mount whose host directory is missing: docker compose creates
#    it (short syntax, and long syntax with create_host_path: true), where
#    podman refuses the container ("statfs ...: no such file or directory");
#  - a network with docker's com.docker.network.driver.mtu option, which
#    podman refuses ("unsupported bridge network option"); its own is mtu.
# The sh script and composec-run, on podman with the local busybox image
# (tests/e2e/podman-setup.sh), must bring such a service up as docker
# compose does: the directories are made, the container writes into them,
# and its network has the MTU.  (The systemd and Quadlet units make the
# directories with ExecStartPre=-/bin/mkdir -p, which the golden cases and
# systemd-analyze verify check.)
#
# Needs root and podman; without them the test is skipped, unless
# COMPOSEC_REQUIRE_TOOLS=1 (set by CI as root), which makes a skip a failure.
# shellcheck disable=SC2015 # ok never fails, so "test && ok || fail" is fine
set -eu
composec=$1
bindir=$(cd "$(dirname "$composec")" && pwd)
composec=$bindir/${composec##*/}
runtime=$bindir/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fails=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() {
	echo "SKIP test_podman_refusals: $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && exit 1
	exit 77 # CTest: skipped
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v podman >/dev/null || skip "no podman"

tmp=$(mktemp -d)
proj=bind$$
# cleanup_project: whatever a run left of the project
cleanup_project() {
	podman ps -aq --filter "label=com.docker.compose.project=$proj" | xargs -r podman rm -f >/dev/null 2>&1 || :
	podman network ls -q --filter "label=com.docker.compose.project=$proj" |
		xargs -r podman network rm >/dev/null 2>&1 || :
}
cleanup() {
	cleanup_project
	rm -rf "$tmp"
}
trap cleanup EXIT
"$top/tests/e2e/podman-setup.sh" >"$tmp/setup.out" 2>&1 || { cat "$tmp/setup.out"; fail "podman-setup.sh"; exit 1; }

# one TARGET CMD...: in a fresh directory, CMD brings the service up; the
# two missing bind sources exist afterwards and hold what the container
# wrote, the network has its MTU; then the project is removed
one() {
	t=$1
	shift
	d=$tmp/$t
	mkdir -p "$d"
	cat >"$d/compose.yaml" <<'YAML'
services:
  app:
    image: localhost/busybox:latest
    command: ["sh", "-c", "echo short >/data/ok && echo long >/long/ok && sleep 60"]
    stop_signal: SIGKILL
    volumes:
      - ./state/data:/data
      - type: bind
        source: ./made-by-long
        target: /long
        bind:
          create_host_path: true
    networks: [net]
networks:
  net:
    driver_opts:
      com.docker.network.driver.mtu: "1400"
YAML
	rc=0
	(cd "$d" && timeout 120 "$@") >"$d/out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then ok; else fail "$t: up exited $rc:" && cat "$d/out"; fi
	i=0
	while { [ ! -s "$d/state/data/ok" ] || [ ! -s "$d/made-by-long/ok" ]; } && [ "$i" -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if [ "$(cat "$d/state/data/ok" 2>/dev/null)" = short ]; then ok; else fail "$t: nothing written to ./state/data"; fi
	if [ "$(cat "$d/made-by-long/ok" 2>/dev/null)" = long ]; then ok; else fail "$t: nothing written to ./made-by-long"; fi
	mtu=$(podman network inspect -f '{{index .Options "mtu"}}' "${proj}_net" 2>/dev/null) || mtu=
	if [ "$mtu" = 1400 ]; then ok; else fail "$t: network ${proj}_net has mtu \"$mtu\", not 1400"; fi
	cleanup_project
}

one sh sh -c "'$composec' sh --engine podman -p $proj -o up.sh && sh up.sh"
one run sh -c "'$composec' plan --engine podman -p $proj -o plan.json && '$runtime' --state-dir state-rt plan.json up -d"
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
