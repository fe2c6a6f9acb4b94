#!/bin/sh
# docker compose itself judges what gets created: the example
# (examples/compose.yaml) and six corpus files are brought up on a private
# Docker Engine (tests/e2e/dockerd.sh) by docker compose v2 (the pre_start
# steps cut, which this compose predates), then by composec sh --engine
# docker and by composec plan --engine docker with composec-run, each taken
# down between (the exit status of each up must be docker compose's), and
# the example's systemd units under a real user manager;
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
# (tests/reference/fetch-compose.sh), systemd and python3; without them the test is
# skipped (exit 77), which fails with COMPOSEC_REQUIRE_TOOLS=1.
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
runner=$(dirname "$composec")/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
# shellcheck source=tests/reference/judge.sh
. "$ref/judge.sh"
judge_needs docker

# The example, and the corpus files without a build whose services busybox
# can stand in for (tagged under their images' names); a corpus file whose
# first service busybox cannot start fails alike in every tool, and the sh
# script stops there, so such files (mysql's and mariadb's flags as the
# command) are not among them.
# The cases of tests/reference/cases/ (ref-NAME) are written for one rule each.
cases=${CREATED_CASES:-"example corpus-gitea-postgres corpus-nextcloud-postgres corpus-postgresql-pgadmin
	corpus-prometheus-grafana corpus-portainer corpus-minecraft ref-restart"}

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
snaps=$tmp/snaps

# copy CASE: the case's files in $tmp/w/CASE (the example, a golden corpus
# case without its expectations, or a case of tests/reference/cases), where every tool runs in turn: bind
# sources and labels hold the directory
copy() {
	d=$tmp/w/$1
	mkdir -p "$d"
	if [ "$1" = example ]; then
		cp "$top/examples/compose.yaml" "$top/examples/.env" "$d/"
	elif [ "${1#ref-}" != "$1" ]; then
		cp -R "$top/tests/reference/cases/${1#ref-}/." "$d/"
	else
		cp -R "$top/golden/$1/." "$d/"
		rm -rf "$d/expected" "$d/args"
	fi
}
# down_left WHAT: after a down, the project has no container and no network
# left, and still has its named volumes (then removed for the next target)
down_left() {
	left=$(docker ps -aq --filter "label=com.docker.compose.project=$proj"; docker network ls -q --filter "name=${proj}_")
	if [ -z "$left" ]; then ok; else fail "$1 left: $left"; fi
	vols=$(docker volume ls -q --filter "name=${proj}_" | sort | tr '\n' ' ')
	if [ "$vols" = "$want_vols" ]; then ok; else fail "$1 kept the volumes \"$vols\", not \"$want_vols\""; fi
	# shellcheck disable=SC2086 # names
	[ -z "$vols" ] || docker volume rm $vols >/dev/null
}
# up TARGET CMD...: CMD in the case's copy for TARGET; its exit status must
# be docker compose's (busybox cannot run every corpus image's command, and
# then both fail); then the snapshot of what it left running
up() {
	t=$1
	shift
	t0=$(date +%s%N)
	rc=0
	(cd "$tmp/w/$case" && HOME=$tmp/home "$@") >"$tmp/$t.out" 2>&1 || rc=$?
	echo "$case/$t: up in $((($(date +%s%N) - t0) / 1000000)) ms, exit $rc"
	if [ "$t" = compose ]; then
		compose_rc=$rc
	elif [ "$(( rc != 0 ))" = "$(( compose_rc != 0 ))" ]; then ok; else
		fail "$case/$t: exit $rc where docker compose exited $compose_rc"
		cat "$tmp/$t.out"
	fi
	mkdir -p "$snaps/$case"
	python3 "$ref/created_diff.py" snapshot "$proj" "$snaps/$case/$t.json"
}
# down TARGET CMD...: CMD in the case's copy for TARGET, then down_left
down() {
	t=$1
	shift
	if (cd "$tmp/w/$case" && HOME=$tmp/home "$@") >"$tmp/$t.down" 2>&1; then ok; else
		fail "$case/$t: down: exit $?"
		cat "$tmp/$t.down"
	fi
	down_left "$case/$t: down"
}

# running: the services of the project docker compose -p sees running,
# from a directory without a compose file (it reads the containers' labels)
running() {
	(cd "$tmp/home" && "$compose" -p "$proj" ps --format '{{.Service}}') | sort | tr '\n' ' '
}
# manage TARGET: docker compose -p PROJECT, without the file, manages what
# TARGET started: ps lists the services its own up left running, logs reads
# each of them, and down removes them all (down_left)
manage() {
	got=$(running)
	if [ "$got" = "$compose_ps" ]; then ok; else
		fail "$case/$1: docker compose ps lists \"$got\", after its own up \"$compose_ps\""
	fi
	for svc in $got; do
		if (cd "$tmp/home" && "$compose" -p "$proj" logs --no-color "$svc") >"$tmp/logs" 2>&1; then ok; else
			fail "$case/$1: docker compose logs $svc:" && cat "$tmp/logs"
		fi
	done
	if (cd "$tmp/home" && "$compose" -p "$proj" down) >"$tmp/$1.cdown" 2>&1; then ok; else
		fail "$case/$1: docker compose down:" && cat "$tmp/$1.cdown"
	fi
	down_left "$case/$1: docker compose down"
}
# engine_restart TARGET: the engine stops as on a host's shutdown and
# starts again; what TARGET started comes back as docker compose's stack
# does (dockerd restores the containers whose restart policy says so; the
# example's services say unless-stopped)
engine_restart() {
	sh "$top/tests/e2e/dockerd.sh" restart "$engine" >"$tmp/restart.out" 2>&1 ||
		{ fail "$case/$1: the engine did not start again:" && cat "$tmp/restart.out"; return; }
	t0=$(date +%s%N)
	i=0
	while got=$(running) && [ "$got" != "$compose_ps" ] && [ "$i" -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if [ "$got" = "$compose_ps" ]; then ok; else
		fail "$case/$1: after an engine restart \"$got\" run, where docker compose's \"$compose_ps\" did"
	fi
	echo "$case/$1: running again $((($(date +%s%N) - t0) / 1000000)) ms after the engine answered"
}
# compose_up_after TARGET: docker compose up -d of the same file over what
# TARGET started.  Compose recreates a container whose com.docker.compose.
# config-hash label differs from its own hash of the service (sha256 of Go's
# JSON of compose-go's ServiceConfig, which composec does not reproduce), so
# today it recreates every one: counted, and checked to end as its own up.
compose_up_after() {
	before=$(docker ps -q --filter "label=com.docker.compose.project=$proj" | sort | tr '\n' ' ')
	(cd "$tmp/w/$case" && HOME=$tmp/home "$compose" -p "$proj" -f compose-ref.yaml up -d) >"$tmp/after.out" 2>&1 ||
		{ fail "$case/$1: docker compose up -d after $1:" && cat "$tmp/after.out"; }
	kept=0
	for id in $before; do docker inspect "$id" >/dev/null 2>&1 && kept=$((kept + 1)); done
	n=$(echo "$before" | wc -w)
	echo "$case/$1: docker compose up -d after $1 kept $kept of $n containers, recreated $((n - kept))"
	if [ "$kept" -eq 0 ]; then ok; else fail "$case/$1: compose kept $kept containers: update the README"; fi
	got=$(running)
	if [ "$got" = "$compose_ps" ]; then ok; else fail "$case/$1: after compose up: \"$got\""; fi
}

mkdir -p "$tmp/home"
# the example's published port, one of this run's own (the podman tests
# publish the example too, beside it)
APP_PORT=$((40000 + $$ % 10000))
export APP_PORT
for case in $cases; do
	proj=$case
	[ "$case" = example ] && proj=demo
	copy "$case"
	w=$tmp/w/$case
	# what docker compose reads: the file without the hooks
	strip_hooks "$w/compose.yaml" "$w/compose-ref.yaml"
	# every image the file names is the local busybox
	(cd "$w" && "$compose" -p "$proj" -f compose-ref.yaml config --images) | while IFS= read -r img; do
		docker tag localhost/busybox:latest "$img"
	done
	want_vols=$( (cd "$w" && "$compose" -p "$proj" -f compose-ref.yaml config --volumes) |
		sed "s/^/${proj}_/" | sort | tr '\n' ' ')

	up compose "$compose" -p "$proj" -f compose-ref.yaml up -d
	compose_ps=$(running)
	[ "$case" = example ] && engine_restart compose
	down compose "$compose" -p "$proj" -f compose-ref.yaml down

	HOME=$tmp/home "$composec" sh --engine docker -p "$proj" -f "$w/compose.yaml" -o "$w/up.sh"
	up sh sh up.sh
	if [ "$case" = example ]; then
		engine_restart sh
		manage sh
		up sh sh up.sh
		compose_up_after sh
	fi
	down sh sh up.sh down

	HOME=$tmp/home "$composec" plan --engine docker -p "$proj" -f "$w/compose.yaml" -o "$w/plan.json"
	up run "$runner" --state-dir state plan.json up -d
	if [ "$case" = example ]; then
		engine_restart run
		manage run
		up run "$runner" --state-dir state plan.json up -d
	fi
	down run "$runner" --state-dir state plan.json down
done

# The systemd units of the example under a real user manager
# (tests/e2e/systemd-run.sh -e: the real engine, DOCKER_HOST reaching the
# units through the manager's environment).  The example only: its services
# run until stopped, where a corpus image's busybox exits at once and a
# unit's `run --rm` container is gone before it can be looked at.
systemd_example() {
	case=example proj=demo w=$tmp/w/example
	want_vols="demo_dbdata demo_site "
	"$composec" systemd --engine docker -p "$proj" -f "$w/compose.yaml" -o "$w/units"
	{
		echo "systemctl --user start $proj.target || exit 1"
		echo "i=0"
		echo "until [ \"\$(docker inspect -f '{{.State.Running}}' $proj-app-1 2>/dev/null)\" = true ]; do"
		echo "	i=\$((i + 1))"
		echo "	[ \"\$i\" -lt 300 ] || { systemctl --user status $proj-db $proj-app; exit 1; }"
		echo "	sleep 0.1"
		echo "done"
		echo "mkdir -p '$snaps/$case'"
		echo "python3 '$ref/created_diff.py' snapshot $proj '$snaps/$case/systemd.json'"
		echo "systemctl --user stop $proj.target $proj-app.service $proj-db.service $proj-default-network.service"
	} >"$tmp/systemd-script.sh"
	t0=$(date +%s%N)
	if sh "$top/tests/e2e/systemd-run.sh" -e -t 120 "$w/units" "$tmp/systemd-script.sh" >"$tmp/systemd.out" 2>&1; then
		ok
	else
		fail "example/systemd: the units did not start and stop (exit $?)"
		cat "$tmp/systemd.out"
	fi
	echo "example/systemd: start, look and stop in $((($(date +%s%N) - t0) / 1000000)) ms"
	down_left "example/systemd: stop"
}
for case in $cases; do
	[ "$case" = example ] && systemd_example
done

python3 "$ref/created_diff.py" --self-test || fails=$((fails + 1))
if python3 "$ref/created_diff.py" compare "$ref/created-differences.tsv" "$snaps"; then ok; else
	fails=$((fails + 1))
fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
