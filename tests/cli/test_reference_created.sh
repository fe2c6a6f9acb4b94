#!/bin/sh
# docker compose itself judges what gets created: the example
# (examples/compose.yaml) is brought up on a private Docker Engine
# (tests/e2e/dockerd.sh) by docker compose v2 (its pre_start steps cut, which
# this compose predates), then by composec sh --engine docker and by
# composec plan --engine docker with composec-run, each taken down between;
# every container, network and volume each left running is compared field
# by field with docker compose's (tests/reference/created_diff.py: image,
# command, entrypoint, environment, user, working dir, labels, ports,
# mounts, networks and aliases, capabilities, privileged, read-only, restart
# policy, security options, ulimits, sysctls, devices, extra hosts, DNS,
# shm, resources, init, stop signal and timeout, healthcheck, tty,
# hostname, name).  Known differences are listed in
# tests/reference/created-differences.tsv; any other fails, and so does a
# listed one that is gone.  Each target's down must leave no container and
# no network behind, and keep the named volumes, as docker compose down does
# (they are removed by hand before the next target).
#
# Needs root, dockerd (package docker.io), docker compose
# (tests/reference/fetch-compose.sh) and python3; without them the test is
# skipped (exit 77), which fails with COMPOSEC_REQUIRE_TOOLS=1.
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
runner=$(dirname "$composec")/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
pass=0 fails=0

skip() {
	echo "SKIP $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
}
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

[ "$(id -u)" -eq 0 ] || skip "needs root (a Docker Engine)"
command -v dockerd >/dev/null || skip "no dockerd (sh tests/tools.sh install)"
compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
[ -x "$runner" ] || skip "no $runner"

tmp=$(mktemp -d /tmp/created.XXXXXX)
engine=$tmp/engine
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1 || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
DOCKER_HOST=$(sh "$top/tests/e2e/dockerd.sh" start "$engine") || { fail "dockerd did not start"; exit 1; }
export DOCKER_HOST
proj=demo

# copy NAME: the example in a directory of its own
copy() {
	mkdir -p "$tmp/$1"
	cp "$top/examples/compose.yaml" "$top/examples/.env" "$tmp/$1/"
}
# down_left WHAT: after a down, the project has no container and no network
# left, and still has its named volumes (then removed for the next target)
down_left() {
	left=$(docker ps -aq --filter "label=com.docker.compose.project=$proj"; docker network ls -q --filter "name=${proj}_")
	if [ -z "$left" ]; then ok; else fail "$1 left: $left"; fi
	vols=$(docker volume ls -q --filter "name=${proj}_" | sort | tr '\n' ' ')
	if [ "$vols" = "${proj}_dbdata ${proj}_site " ]; then ok; else fail "$1 kept the volumes \"$vols\""; fi
	# shellcheck disable=SC2086 # names
	docker volume rm $vols >/dev/null
}
# run NAME CMD...: CMD in $tmp/NAME, its output kept; a failure is reported
run() {
	d=$1
	shift
	if (cd "$tmp/$d" && "$@") >"$tmp/$d.out" 2>&1; then ok; else
		fail "$d: $* (exit $?)"
		cat "$tmp/$d.out"
	fi
}
snap() { python3 "$ref/created_diff.py" snapshot "$proj" "$tmp/$1.json"; }

copy compose
python3 - "$tmp/compose/compose.yaml" "$ref" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import config_diff
p = sys.argv[1]
with open(p, encoding="utf-8") as f:
    text = f.read()
with open(p, "w", encoding="utf-8") as f:
    f.write(config_diff.strip_hooks_text(text))
PY
t0=$(date +%s%N)
run compose "$compose" -p "$proj" up -d
echo "docker compose up -d: $((($(date +%s%N) - t0) / 1000000)) ms"
snap compose
run compose "$compose" -p "$proj" down
down_left "docker compose down"

copy sh
run sh "$composec" sh --engine docker -p "$proj" -o up.sh
t0=$(date +%s%N)
run sh sh up.sh
echo "composec sh up: $((($(date +%s%N) - t0) / 1000000)) ms"
snap sh
run sh sh up.sh down
down_left "the sh script's down"

copy run
run run "$composec" plan --engine docker -p "$proj" -o plan.json
t0=$(date +%s%N)
run run "$runner" --state-dir state plan.json up -d
echo "composec-run up -d: $((($(date +%s%N) - t0) / 1000000)) ms"
snap run
run run "$runner" --state-dir state plan.json down
down_left "composec-run down"

python3 "$ref/created_diff.py" --self-test || fails=$((fails + 1))
if python3 "$ref/created_diff.py" compare "$ref/created-differences.tsv" example "$tmp/compose.json" \
	"sh:$tmp/sh.json" "run:$tmp/run.json"; then ok; else fails=$((fails + 1)); fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
