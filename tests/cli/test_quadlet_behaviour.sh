#!/bin/sh
# docker compose judges what Quadlet's units do at run time, on the newest
# consumers: podman 5.8 under a systemd 262 user manager, in the Debian sid
# root (tests/e2e/sid-root.sh).  Each scenario of tests/reference/behaviour/
# is brought up twice on that podman: by docker compose through podman's
# Docker-compatible socket (the reference; the file without the hooks,
# which this compose predates), and by the units that podman's Quadlet
# generator makes of `composec quadlet --podman-version 5.8`, started in
# the user manager (tests/e2e/systemd-run.sh -e -g) as `up` starts the
# project: every service's unit; and with --pod, where the project's one
# unit, <project>-pod.service, starts them all.  Then act does what the
# scenario is about and observe prints one line; each Quadlet side's line
# must be docker compose's, or be listed in
# tests/reference/behaviour-differences.tsv as podman5.8/quadlet or
# podman5.8/quadlet-pod.  Figures: each side's time per scenario.
#
# podman runs healthchecks from transient systemd timers, which rootful
# podman asks of the manager at /run/systemd/private: inside the namespace
# that is the user manager's socket, so health works for both sides.  All
# scenarios' files are written into one directory, one project each: they
# coexist there (issue 16): each project written alone gives the same files,
# all of them found in the shared directory.  BEHAVIOUR_CASES chooses scenarios.
#
# Needs root, the sid root and docker compose (sh tests/tools.sh install
# test); without them the test is skipped (exit 77), which fails with
# COMPOSEC_REQUIRE_TOOLS=1.
set -eu
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
sid_root=$top/tests/e2e/sid-root.sh
runner=$(dirname "$composec")/composec-run
# shellcheck source=tests/reference/judge.sh
. "$ref/judge.sh" # skip, ok, fail, strip_hooks
[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, podman)"
sh "$sid_root" -n >/dev/null 2>&1 || skip "no sid root (sh tests/tools.sh install test)"
compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
command -v python3 >/dev/null || skip "no python3"

# every scenario whose only_engines, if it has one, names podman5.8
scenarios=
for name in ${BEHAVIOUR_CASES:-$(cd "$ref/behaviour" && ls)}; do
	only=$(sed -n 's/^only_engines=//p' "$ref/behaviour/$name/scenario.sh" | tr -d '"')
	case " ${only:-podman5.8} " in *" podman5.8 "*) scenarios="$scenarios $name" ;; esac
done
tmp=$(mktemp -d /tmp/quadlet-behaviour.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# the two copies of each scenario, and every project's Quadlet files in
# one directory
mkdir -p "$tmp/units"
sides="quadlet quadlet-pod" nfiles=0
for name in $scenarios; do
	for t in compose $sides; do
		mkdir -p "$tmp/w/$name-$t"
		cp "$ref/behaviour/$name/compose.yaml" "$tmp/w/$name-$t/"
	done
	strip_hooks "$tmp/w/$name-compose/compose.yaml" "$tmp/w/$name-compose/compose.yaml"
	for t in $sides; do
		if [ "$t" = quadlet-pod ]; then set -- --pod; else set --; fi
		(cd "$tmp/w/$name-$t" && "$composec" quadlet --podman-version 5.8 "$@" -p "$name-$t" -o "$tmp/units") \
			>"$tmp/$name.$t.gen" 2>&1 || { cat "$tmp/$name.$t.gen"; fail "$name: composec quadlet $*"; }
		# the same project written alone: every file of it is in the
		# shared directory, unchanged (projects coexist there)
		(cd "$tmp/w/$name-$t" && "$composec" quadlet --podman-version 5.8 "$@" -p "$name-$t" \
			-o "$tmp/alone/$name-$t") >/dev/null 2>&1 || fail "$name: composec quadlet $* alone"
		for f in "$tmp/alone/$name-$t"/*; do
			nfiles=$((nfiles + 1))
			cmp -s "$f" "$tmp/units/${f##*/}" || fail "$name-$t: ${f##*/} not in the shared directory as written alone"
		done
	done
done
n=$(find "$tmp/units" -type f | wc -l)
if [ "$n" -eq "$nfiles" ]; then ok; else fail "$n files in the shared directory, $nfiles written alone"; fi
echo "one directory: $n Quadlet files of $(echo "$scenarios" | wc -w | tr -d ' ') x 2 projects"

# What runs inside the sid root, beside the user manager.
cat >"$tmp/inner.sh" <<SH
set -u
tmp='$tmp' ref='$ref' compose='$compose' scenarios='$(echo "$scenarios" | tr '\n' ' ')'
SH
cat >>"$tmp/inner.sh" <<'SH'
# rootful podman asks the manager at /run/systemd/private for its
# healthcheck timers: let it be this user manager
ln -sf "$XDG_RUNTIME_DIR/systemd/private" /run/systemd/private
podman system service --time=0 "unix://$tmp/podman.sock" >"$tmp/podman-service.log" 2>&1 &
i=0
until [ -S "$tmp/podman.sock" ] || [ "$i" -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
CLI=podman
. "$ref/scenario-helpers.sh" # cid, runs, state, health, started, until_running
clear_project() {
	ids=$(podman ps -aq --filter "label=com.docker.compose.project=$1")
	[ -z "$ids" ] || podman rm -f $ids >/dev/null 2>&1
	podman network ls -q --filter "name=$1_" | xargs -r podman network rm >/dev/null 2>&1 || :
	podman volume ls -q --filter "label=com.docker.compose.project=$1" | xargs -r podman volume rm >/dev/null 2>&1 || :
}
# side NAME T UP...: UP brings the project up in its copy, then act and observe
side() {
	name=$1 t=$2
	shift 2
	t0=$(date +%s%N)
	(
		cd "$tmp/w/$name-$t"
		PROJECT=$name-$t
		wait_for=db
		. "$ref/behaviour/$name/scenario.sh"
		"$@" >"$tmp/$name.$t.up" 2>&1 || :
		[ -z "$wait_for" ] || until_running "$wait_for"
		act
		observe >"$tmp/$name.$t"
	)
	echo "$name/podman5.8/$t: $((($(date +%s%N) - t0) / 1000000)) ms: $(cat "$tmp/$name.$t")"
}
# the project's units: one per Quadlet .container file, as `up` starts
# every service; with --pod the pod's unit, which starts them
units_of() {
	if [ -f "$UNIT_DIR/$1.pod" ]; then
		echo "$1-pod.service"
		return
	fi
	# (by the project's mark: "x-quadlet-*" would match x-quadlet-pod's too)
	for f in $(grep -lx "# generated by composec for project \"$1\"" "$UNIT_DIR"/*.container); do
		b=${f##*/}
		case $b in *-pre-start.container) continue ;; esac
		echo "${b%.container}.service"
	done
}
for name in $scenarios; do
	p=$name-compose
	DOCKER_HOST=unix://$tmp/podman.sock side "$name" compose "$compose" -p "$p" up -d
	(cd "$tmp/w/$p" && DOCKER_HOST=unix://$tmp/podman.sock "$compose" -p "$p" down) >/dev/null 2>&1 || :
	clear_project "$p"
	for t in quadlet quadlet-pod; do
		p=$name-$t
		side "$name" "$t" systemctl --user start --no-block $(units_of "$p")
		systemctl --user status --no-pager -n 10 $(units_of "$p") 2>&1 | grep -v "^ *[│├└]" |
			cut -c1-240 >"$tmp/$name.$t.status" || :
		# a unit still starting stops only when its start times out:
		# bounded, then killed
		timeout 30 systemctl --user stop $(units_of "$p") >/dev/null 2>&1 ||
			systemctl --user kill --signal=SIGKILL $(units_of "$p") >/dev/null 2>&1 || :
		systemctl --user reset-failed >/dev/null 2>&1 || :
		clear_project "$p"
		podman pod rm -f "$p" >/dev/null 2>&1 || :
	done
done
SH

t0=$(date +%s)
share="$top $tmp $(dirname "$compose")"
if ! TESTS_SHARE=$share sh "$sid_root" enter sh "$top/tests/e2e/systemd-run.sh" -e -g -j -t 900 \
	"$tmp/units" "$tmp/inner.sh" >"$tmp/inner.out" 2>&1; then
	fail "the scenarios did not run in the sid root"
fi
grep -E '^[a-z]+/podman5\.8/' "$tmp/inner.out" || :
echo "in the sid root: $(($(date +%s) - t0)) s"

# judge: the units' line against docker compose's, or the table's
table=$ref/behaviour-differences.tsv
: >"$tmp/used"
for name in $scenarios; do
	want=$(cat "$tmp/$name.compose" 2>/dev/null) || {
		fail "$name: docker compose observed nothing"
		continue
	}
	for t in $sides; do
		got=$(cat "$tmp/$name.$t" 2>/dev/null || echo "(nothing observed)")
		judge_line "$name" "podman5.8/$t" "$want" "$got" "$tmp/used" || cat "$tmp/$name.$t.status"
	done
done
awk -F '\t' '!/^#/ && NF >= 4 && $2 ~ /^podman5\.8\// { print NR "\t" $1 }' "$table" |
	while IFS="$(printf '\t')" read -r nr sc; do
		# shellcheck disable=SC2086 # one scenario per word
		printf '%s\n' $scenarios | grep -qx "$sc" || continue
		grep -qx "$nr" "$tmp/used" || echo "FAIL table line $nr: no longer differs"
	done >"$tmp/stale"
if [ -s "$tmp/stale" ]; then cat "$tmp/stale"; fails=$((fails + $(wc -l <"$tmp/stale"))); else ok; fi
if [ "$fails" -ne 0 ]; then
	echo "--- the run in the sid root"
	tail -n 40 "$tmp/inner.out"
fi
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
