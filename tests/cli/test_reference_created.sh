#!/bin/sh
# docker compose itself judges what gets created: the example
# (examples/compose.yaml), twenty corpus files and the cases of
# tests/reference/cases/ are brought up on a private
# Docker Engine (tests/e2e/dockerd.sh) by docker compose v2 (the pre_start
# steps cut, which this compose predates), then by composec sh --engine
# docker and by composec plan --engine docker with composec-run, each taken
# down between (the exit status of each up must be docker compose's), and
# the systemd units of the example and of ref-networks under a real user
# manager; every target with the engine's own version (--docker-version);
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
# podman too unless CREATED_PODMAN_CASES is empty
# (not the example: its app waits for db to be healthy, and podman runs
# healthchecks from systemd timers, which it cannot start outside a systemd
# manager on these machines: docker compose would wait for ever)
pcases=${CREATED_PODMAN_CASES-"ref-restart ref-networks ref-entrypoint ref-volumes corpus-gitea-postgres
	corpus-postgresql-pgadmin corpus-nextcloud-postgres corpus-minecraft"}
sleeper=
if [ -n "$pcases" ]; then judge_needs docker podman; else judge_needs docker; fi

# The example, and corpus files whose services busybox can stand in for
# (tagged under their images' names, built ones too: an image that exists
# is not built, by docker compose nor by composec's targets); a corpus file
# whose first service busybox cannot start fails alike in every tool, and
# the sh script stops there, so such files (mysql's and mariadb's flags as
# the command) are not among them, nor those that bind host paths outside
# the test (docker.sock, /etc/pihole, /usr/share/appdata: a missing source
# is created on the host).
# The cases of tests/reference/cases/ (ref-NAME) are written for one rule each.
cases=${CREATED_CASES:-"example corpus-gitea-postgres corpus-nextcloud-postgres corpus-postgresql-pgadmin
	corpus-prometheus-grafana corpus-portainer corpus-minecraft corpus-elasticsearch-logstash-kibana
	corpus-angular corpus-django corpus-fastapi corpus-flask corpus-flask-redis corpus-nginx-golang
	corpus-nginx-flask-mongo corpus-react-express-mongodb corpus-react-rust-postgres corpus-spring-postgres
	corpus-vuejs corpus-sparkjava corpus-apache-php ref-restart ref-networks ref-entrypoint ref-volumes"}

tmp=$(mktemp -d /tmp/created.XXXXXX)
engine=$tmp/engine
# shellcheck disable=SC2317 # called by the EXIT trap
podman_service=
cleanup() {
	[ -z "$podman_service" ] || kill "$podman_service" 2>/dev/null || :
	sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1 || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
DOCKER_HOST=$(sh "$top/tests/e2e/dockerd.sh" start "$engine") || { fail "dockerd did not start"; exit 1; }
export DOCKER_HOST
snaps=$tmp/snaps
# the targets' flags are those of the engine that runs them
vopt=$(version_option docker) || { fail "the version of docker"; exit 1; }
echo "docker: $vopt"

# copy CASE DIR: the case's files in DIR (the example, a golden corpus case
# without its expectations, or a case of tests/reference/cases), where
# every tool runs in turn: bind sources and labels hold the directory
copy() {
	d=$2
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

# down_volumes TARGET UP... -- DOWN...: in the case's copy, UP then DOWN
# (a down that removes volumes): every volume the up made, named or
# anonymous, is gone again, as after docker compose down -v.  The volumes
# the up made are the project's: those its containers mount and those
# labelled with it (other tests may make volumes on the same engine
# meanwhile).
down_volumes() {
	t=$1
	shift
	up_cmd=
	while [ "$1" != -- ]; do up_cmd="$up_cmd '$1'" && shift; done
	shift
	before=$(docker volume ls -q | sort | tr '\n' ' ')
	(cd "$tmp/w/$case" && HOME=$tmp/home eval "$up_cmd") >"$tmp/$t.vup" 2>&1 ||
		{ fail "$case/$t: up before down -v" && cat "$tmp/$t.vup"; }
	made=$( (docker volume ls -q --filter "label=com.docker.compose.project=$proj"
		for c in $(docker ps -aq --filter "label=com.docker.compose.project=$proj"); do
			docker inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{println .Name}}{{end}}{{end}}' "$c"
		done) | grep -v '^$' | sort -u | while IFS= read -r v; do
		case " $before " in *" $v "*) ;; *) printf '%s ' "$v" ;; esac
	done)
	(cd "$tmp/w/$case" && HOME=$tmp/home "$@") >"$tmp/$t.vdown" 2>&1 ||
		{ fail "$case/$t: down -v" && cat "$tmp/$t.vdown"; }
	after=" $(docker volume ls -q | tr '\n' ' ')"
	left=
	for v in $made; do
		case "$after " in *" $v "*) left="$left $v" ;; esac
	done
	echo "$case/$t: down -v: $(echo "$made" | wc -w) volumes made by the up, $(echo "$left" | wc -w) left after down -v"
	if [ -n "$made" ] && [ -z "$left" ]; then ok; else
		fail "$case/$t: down -v left \"$left\" of the up's \"$made\""
	fi
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
# run_case CASE ENGINE: CASE under docker compose, composec sh and
# composec-run on ENGINE (docker: the private Docker Engine; podman: the
# machine's, docker compose through its Docker-compatible socket), each
# taken down again; the snapshots go to $snaps/LABEL, LABEL being CASE on
# docker and CASE@podman on podman
run_case() {
	src=$1 E=$2
	case=$src
	[ "$E" = docker ] || case=$src@$E
	proj=$src
	[ "$src" = example ] && proj=demo
	# on podman, names of this run's own: other tests use the machine's
	# podman at the same time
	[ "$E" = docker ] || proj=cr$$-$src
	w=$tmp/w/$case
	copy "$src" "$w"
	# what docker compose reads: the file without the hooks
	strip_hooks "$w/compose.yaml" "$w/compose-ref.yaml"
	# every image the file names is the local busybox (a corpus file's on
	# podman one that sleeps and stops at SIGKILL: a busybox that exits at
	# once under a restart policy loops, and podman 4.3's stop and inspect
	# race with the loop; the rule cases run busybox itself, which the
	# behaviour test uses on the same podman at the same time)
	stand_in=localhost/busybox:latest
	case $E:$src in podman:corpus-*) stand_in=$sleeper ;; esac
	(cd "$w" && "$compose" -p "$proj" -f compose-ref.yaml config --images) | while IFS= read -r img; do
		docker tag "$stand_in" "$img"
	done
	want_vols=$( (cd "$w" && "$compose" -p "$proj" -f compose-ref.yaml config --volumes) |
		sed "s/^/${proj}_/" | sort | tr '\n' ' ')
	main=false
	[ "$E" = docker ] && [ "$src" = example ] && main=true

	up compose "$compose" -p "$proj" -f compose-ref.yaml up -d
	compose_ps=$(running)
	"$main" && engine_restart compose
	down compose "$compose" -p "$proj" -f compose-ref.yaml down

	# shellcheck disable=SC2086 # $vopt: an option and its value
	HOME=$tmp/home "$composec" sh --engine "$E" $vopt -p "$proj" -f "$w/compose.yaml" -o "$w/up.sh"
	up sh sh up.sh
	if "$main"; then
		engine_restart sh
		manage sh
		up sh sh up.sh
		compose_up_after sh
	fi
	down sh sh up.sh down

	# shellcheck disable=SC2086 # $vopt: an option and its value
	HOME=$tmp/home "$composec" plan --engine "$E" $vopt -p "$proj" -f "$w/compose.yaml" -o "$w/plan.json"
	up run "$runner" --state-dir state plan.json up -d
	if "$main"; then
		engine_restart run
		manage run
		up run "$runner" --state-dir state plan.json up -d
	fi
	down run "$runner" --state-dir state plan.json down
	if [ "$src" = ref-volumes ]; then
		down_volumes compose "$compose" -p "$proj" -f compose-ref.yaml up -d -- \
			"$compose" -p "$proj" -f compose-ref.yaml down -v
		down_volumes sh sh up.sh -- sh up.sh down -v
		down_volumes run "$runner" --state-dir state plan.json up -d -- \
			"$runner" --state-dir state plan.json down --volumes
	fi
}
for c in $cases; do
	run_case "$c" docker
done

# The systemd units of a case under a real user manager
# (tests/e2e/systemd-run.sh -e: the real engine, DOCKER_HOST reaching the
# units through the manager's environment): the example, and ref-networks
# (its units create each container, connect it to its other networks and
# start it on a daemon older than docker 25.0).  Cases whose services run
# until stopped: a corpus image's busybox exits at once, and a unit's
# `run --rm` container is gone before it can be looked at.
# systemd_case CASE PROJECT VOLUMES N: the snapshot once N containers run
systemd_case() {
	case=$1 proj=$2 want_vols=$3 w=$tmp/w/$1
	# shellcheck disable=SC2086 # $vopt: an option and its value
	"$composec" systemd --engine docker $vopt -p "$proj" -f "$w/compose.yaml" -o "$w/units"
	{
		echo "systemctl --user start $proj.target || exit 1"
		echo "i=0"
		echo "until [ \"\$(docker ps -q --filter label=com.docker.compose.project=$proj | wc -l)\" -eq $4 ]; do"
		echo "	i=\$((i + 1))"
		echo "	[ \"\$i\" -lt 300 ] || { systemctl --user status '$proj-*'; exit 1; }"
		echo "	sleep 0.1"
		echo "done"
		echo "mkdir -p '$snaps/$case'"
		echo "python3 '$ref/created_diff.py' snapshot $proj '$snaps/$case/systemd.json'"
		echo "systemctl --user stop $proj.target '$proj-*'"
	} >"$tmp/systemd-script.sh"
	t0=$(date +%s%N)
	if sh "$top/tests/e2e/systemd-run.sh" -e -t 120 "$w/units" "$tmp/systemd-script.sh" >"$tmp/systemd.out" 2>&1; then
		ok
	else
		fail "$case/systemd: the units did not start and stop (exit $?)"
		cat "$tmp/systemd.out"
	fi
	echo "$case/systemd: start, look and stop in $((($(date +%s%N) - t0) / 1000000)) ms"
	down_left "$case/systemd: stop"
}
for case in $cases; do
	case $case in
	example) systemd_case example demo "demo_dbdata demo_site " 2 ;;
	ref-networks) systemd_case ref-networks ref-networks "" 4 ;;
	esac
done

# The same on podman (the machine's: 4.3.1 on Debian 12), docker compose
# talking to its Docker-compatible socket (podman system service) and
# composec's targets for podman at its version, judged by the same table
# (its lines for podman name their case CASE@podman): the cases written
# for one rule, four corpus files.  No engine restart (podman
# has no daemon) and no systemd units (their containers are in the user
# manager's mount namespace, which the socket's service cannot see).
if [ -n "$pcases" ]; then
	sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1 || :
	if "$top/tests/e2e/podman-setup.sh" >"$tmp/podman-setup.out" 2>&1; then
		podman system service --time=0 "unix://$tmp/podman.sock" >"$tmp/podman-service.log" 2>&1 &
		podman_service=$!
		DOCKER_HOST=unix://$tmp/podman.sock
		export DOCKER_HOST
		i=0
		until docker version >/dev/null 2>&1 || [ "$i" -ge 50 ]; do sleep 0.2 && i=$((i + 1)); done
		vopt=$(version_option podman) || fail "the version of podman"
		echo "podman: $vopt"
		sleeper=localhost/composec-sleeper:latest
		podman rm -f "cr$$-sleeper" >/dev/null 2>&1 || :
		if ! podman create --name "cr$$-sleeper" localhost/busybox:latest true >/dev/null ||
			! podman commit -q --change 'CMD ["sleep", "3600"]' --change 'STOPSIGNAL SIGKILL' "cr$$-sleeper" \
				"$sleeper" >/dev/null; then
			fail "the sleeping stand-in image"
		fi
		podman rm -f "cr$$-sleeper" >/dev/null 2>&1 || :
		for c in $pcases; do
			run_case "$c" podman
		done
	else
		cat "$tmp/podman-setup.out"
		fail "podman-setup.sh"
	fi
fi

python3 "$ref/created_diff.py" --self-test || fails=$((fails + 1))
if python3 "$ref/created_diff.py" compare "$ref/created-differences.tsv" "$snaps"; then ok; else
	fails=$((fails + 1))
fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
