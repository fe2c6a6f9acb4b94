#!/bin/sh
# docker compose judges what happens at run time.  Each scenario of
# tests/reference/behaviour/ (compose.yaml, and scenario.sh with act and
# observe) is brought up on an engine by docker compose (the reference), by
# composec sh, by composec plan with composec-run, and by composec systemd
# under a real user manager (tests/e2e/systemd-run.sh -e), each for that
# engine: on a private Docker Engine (tests/e2e/dockerd.sh), then on the
# machine's podman (4.3.1 on Debian 12), where docker compose talks to
# podman's Docker-compatible socket (podman system service);
# (docker compose reads the file without the hooks, which this compose
# predates); then act does what the scenario is about (a crash, a wait) and observe
# prints one line of what it sees (which containers run, which were
# restarted, health).  Each target's line must be docker compose's, or be
# listed in tests/reference/behaviour-differences.tsv (SCENARIO, ENGINE/TARGET,
# its line, the reason); a listed line that no longer occurs fails too.
# BEHAVIOUR_CASES chooses scenarios, BEHAVIOUR_ENGINES engines.  Figures: each target's time per
# scenario.
#
# Needs root, dockerd, podman, docker compose (tests/reference/fetch-compose.sh),
# systemd; without them the test is skipped (exit 77), which fails with
# COMPOSEC_REQUIRE_TOOLS=1.
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
runner=$(dirname "$composec")/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
# shellcheck source=tests/reference/judge.sh
. "$ref/judge.sh"
judge_needs docker podman

scenarios=${BEHAVIOUR_CASES:-$(cd "$ref/behaviour" && ls)}
engines=${BEHAVIOUR_ENGINES:-docker podman}
podman_service=
CLI=docker
tmp=$(mktemp -d /tmp/behaviour.XXXXXX)
engine=$tmp/engine
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1 || :
	[ -z "$podman_service" ] || kill "$podman_service" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# What a scenario's act and observe use (tests/reference/scenario-helpers.sh),
# here and in the user manager:
# PROJECT names the project, CLI the engine's command line (docker for the
# Docker Engine; podman itself for podman: a container that the units start
# in the user manager's private mount namespace has its network namespace
# there, where podman's socket service outside cannot look).  A scenario may set wait_for (default db): the
# service whose container runs before act, or nothing.

# run_scenario NAME TARGET UP...: in the scenario's copy for TARGET on the
# engine $E, UP brings the project up; then act and observe, whose line
# goes to $tmp/NAME.E.TARGET
run_scenario() {
	name=$1 t=$2
	shift 2
	w=$tmp/w/$name-$E-$t
	t0=$(date +%s%N)
	(
		cd "$w"
		export PROJECT="$name-$E-$t" CLI
		wait_for=db
		# shellcheck source=tests/reference/scenario-helpers.sh
		. "$ref/scenario-helpers.sh"
		# shellcheck disable=SC1090
		. "$ref/behaviour/$name/scenario.sh"
		"$@" >"$tmp/$name.$E.$t.up" 2>&1 || :
		[ -z "$wait_for" ] || until_running "$wait_for"
		act
		observe >"$tmp/$name.$E.$t"
	)
	echo "$name/$E/$t: $((($(date +%s%N) - t0) / 1000000)) ms: $(cat "$tmp/$name.$E.$t")"
}
# clear PROJECT: whatever the run left
clear_project() {
	ids=$("$CLI" ps -aq --filter "label=com.docker.compose.project=$1")
	# shellcheck disable=SC2086 # ids
	[ -z "$ids" ] || "$CLI" rm -f $ids >/dev/null
	"$CLI" network ls -q --filter "name=$1_" | xargs -r "$CLI" network rm >/dev/null 2>&1 || :
}

# scenarios_on E: every scenario under docker compose and the targets,
# on the engine E (docker: the private dockerd; podman: the machine's, with
# docker compose through its Docker-compatible socket)
# shellcheck disable=SC2086 # $vopt: an option and its value, two words
scenarios_on() {
	E=$1
	for name in $scenarios; do
		# a scenario may name the engines it runs on (only_engines=...)
		only=$(sed -n 's/^only_engines=//p' "$ref/behaviour/$name/scenario.sh" | tr -d '"')
		case " ${only:-$E} " in *" $E "*) ;; *) echo "$name/$E: not on this engine ($only)"; continue ;; esac
		for t in compose sh run systemd; do
			mkdir -p "$tmp/w/$name-$E-$t"
			cp "$ref/behaviour/$name/compose.yaml" "$tmp/w/$name-$E-$t/"
		done
		f=$tmp/w/$name-$E-compose/compose.yaml
		strip_hooks "$f" "$f"
		p=$name-$E-compose
		run_scenario "$name" compose "$compose" -p "$p" up -d
		(cd "$tmp/w/$p" && "$compose" -p "$p" down) >/dev/null 2>&1 || :
		clear_project "$p"

		p=$name-$E-sh
		(cd "$tmp/w/$p" && HOME=$tmp/home "$composec" sh --engine "$E" $vopt -p "$p" -o up.sh)
		run_scenario "$name" sh sh up.sh
		(cd "$tmp/w/$p" && sh up.sh down) >/dev/null 2>&1 || :
		clear_project "$p"

		p=$name-$E-run
		(cd "$tmp/w/$p" && HOME=$tmp/home "$composec" plan --engine "$E" $vopt -p "$p" -o plan.json)
		run_scenario "$name" run "$runner" --state-dir state plan.json up -d
		(cd "$tmp/w/$p" && "$runner" --state-dir state plan.json down) >/dev/null 2>&1 || :
		clear_project "$p"

		# the units under a user manager: the scenario runs inside it
		p=$name-$E-systemd
		w=$tmp/w/$p
		(cd "$w" && HOME=$tmp/home "$composec" systemd --engine "$E" $vopt -p "$p" -o units)
		{
			echo "set -u"
			echo "cd '$w'"
			echo "PROJECT=$p"
			echo "CLI=$CLI"
			echo "wait_for=db"
			echo ". '$ref/scenario-helpers.sh'"
			echo ". '$ref/behaviour/$name/scenario.sh'"
			echo "t0=\$(date +%s%N)"
			echo "systemctl --user start --no-block $p.target"
			echo "[ -z \"\$wait_for\" ] || until_running \"\$wait_for\""
			echo "act"
			echo "observe >'$tmp/$name.$E.systemd'"
			echo "echo \"$name/$E/systemd: \$(((\$(date +%s%N) - t0) / 1000000)) ms: \$(cat '$tmp/$name.$E.systemd')\""
			echo "systemctl --user stop $p.target"
		} >"$tmp/$name.$E.systemd.sh"
		if sh "$top/tests/e2e/systemd-run.sh" -e -t 120 "$w/units" "$tmp/$name.$E.systemd.sh" \
			>"$tmp/$name.$E.systemd.out" 2>&1; then
			grep "^$name/$E/systemd: " "$tmp/$name.$E.systemd.out" || :
		else
			fail "$name/$E/systemd: the scenario did not run (exit $?)"
			cat "$tmp/$name.$E.systemd.out"
		fi
		clear_project "$p"
	done
}

mkdir -p "$tmp/home"
for E in $engines; do
	if [ "$E" = docker ]; then
		DOCKER_HOST=$(sh "$top/tests/e2e/dockerd.sh" start "$engine") || { fail "dockerd did not start"; exit 1; }
		export DOCKER_HOST
		docker tag localhost/busybox:latest busybox:latest
		CLI=docker
	else
		"$top/tests/e2e/podman-setup.sh" >"$tmp/podman-setup.out" 2>&1 ||
			{ cat "$tmp/podman-setup.out"; fail "podman-setup.sh"; continue; }
		podman system service --time=0 "unix://$tmp/podman.sock" >"$tmp/podman-service.log" 2>&1 &
		podman_service=$!
		export DOCKER_HOST="unix://$tmp/podman.sock"
		i=0
		until docker version >/dev/null 2>&1 || [ "$i" -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
		podman tag localhost/busybox:latest docker.io/library/busybox:latest
		CLI=podman
	fi
	vopt=$(version_option "$E") || { fail "the version of $E"; continue; }
	echo "$E: $vopt"
	scenarios_on "$E"
	if [ "$E" = docker ]; then sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1 || :; fi
done

# judge: every target's line against docker compose's on the same engine,
# or the table's
table=$ref/behaviour-differences.tsv
: >"$tmp/used"
for E in $engines; do
	for name in $scenarios; do
		only=$(sed -n 's/^only_engines=//p' "$ref/behaviour/$name/scenario.sh" | tr -d '"')
		case " ${only:-$E} " in *" $E "*) ;; *) continue ;; esac
		want=$(cat "$tmp/$name.$E.compose" 2>/dev/null) || { fail "$name/$E: docker compose observed nothing"; continue; }
		for t in sh run systemd; do
			got=$(cat "$tmp/$name.$E.$t" 2>/dev/null || echo "(nothing observed)")
			judge_line "$name" "$E/$t" "$want" "$got" "$tmp/used" || :
		done
	done
done
# a listed difference that no longer occurs, in the scenarios that ran
# (the lines of this test's engines: podman5.8/quadlet is test_quadlet_behaviour's)
awk -F '\t' '!/^#/ && NF >= 4 && $2 ~ /^(docker|podman)\// { print NR "\t" $1 }' "$table" | while IFS="$(printf '\t')" read -r nr sc; do
	# shellcheck disable=SC2086 # one scenario per word
	printf '%s\n' $scenarios | grep -qx "$sc" || continue
	grep -qx "$nr" "$tmp/used" || echo "FAIL table line $nr: no longer differs"
done >"$tmp/stale"
if [ -s "$tmp/stale" ]; then cat "$tmp/stale"; fails=$((fails + $(wc -l <"$tmp/stale"))); else ok; fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
