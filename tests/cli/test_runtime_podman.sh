#!/bin/sh
# composec-run for real on podman with the local busybox image
# (tests/e2e/podman-setup.sh), on the seed's example (examples/compose.yaml):
#   - up: db healthy, then app's pre_start steps in order, then app; the files
#     the steps wrote into the shared volume are what app serves
#   - a second up reuses the containers and skips the steps; after a change
#     of step 2, step 1 is skipped and step 2 runs again
#   - down removes the containers, the network and the state (volumes stay;
#     down --volumes removes them, and the containers' anonymous volumes)
#   - a failing step: its message and output tail, app created but not
#     started, its dependent not created, an independent service started at
#     the same time as db
# Every run of composec-run is bounded by timeout(1).  An override sets a
# short stop_grace_period: busybox httpd as PID 1 ignores SIGTERM, and the
# default 10 s per container would only make the test slow.
#
# Needs root and podman; without them the test is skipped, unless
# COMPOSEC_REQUIRE_TOOLS=1 (set by CI as root), which makes a skip a failure.
# The argument is the composec binary; composec-run is beside it.
# shellcheck disable=SC2015 # ok never fails, so "test && ok || fail" is fine
set -eu
composec=$1
bindir=$(cd "$(dirname "$composec")" && pwd)
composec=$bindir/${composec##*/}
runtime=$bindir/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
pass=0

skip() {
	echo "SKIP test_runtime_podman: $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && exit 1
	exit 77 # CTest: skipped
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v podman >/dev/null || skip "no podman"

tmp=$(mktemp -d)
proj=rtp$$
port=$((20000 + $$ % 10000))
image=localhost/busybox:latest
# remove whatever the test's two projects left, whatever happened
cleanup() {
	for p in "$proj" "${proj}f"; do
		podman ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r podman rm -f >/dev/null 2>&1 || :
		podman network ls -q --filter "label=com.docker.compose.project=$p" |
			xargs -r podman network rm >/dev/null 2>&1 || :
		podman volume ls -q --filter "label=com.docker.compose.project=$p" |
			xargs -r podman volume rm >/dev/null 2>&1 || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # name expected-exit actual-exit
	if [ "$2" = "$3" ]; then ok; else fail "$1: exit $3, expected $2"; cat "$tmp/out"; fi
}
has() { # name fixed-string [file]
	if grep -qF -- "$2" "${3:-$tmp/out}"; then ok; else fail "$1: no \"$2\" in:"; cat "${3:-$tmp/out}"; fi
}
is() { # name expected actual
	if [ "$2" = "$3" ]; then ok; else fail "$1: \"$3\", expected \"$2\""; fi
}
# rt ARGS...: composec-run, bounded, with the test's state directory;
# status in $rc, wall time in $ms
rt() {
	t0=$(date +%s%N)
	set +e
	timeout 180 "$runtime" --state-dir "$tmp/state" "$@" >"$tmp/out" 2>&1
	rc=$?
	set -e
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
# plan NAME DIR PROJECT: compile DIR/compose.yaml + override.yaml for podman
plan() {
	APP_PORT=$port "$composec" plan --engine podman -p "$3" -f "$2/compose.yaml" -f "$2/override.yaml" \
		-o "$tmp/$1.json" 2>"$tmp/plan.err" || { fail "composec plan $2:"; cat "$tmp/plan.err"; }
}
# the line number of the first progress line "WHO: WHAT ..." (0: none)
line_of() { grep -n -m 1 -F "] $1" "$tmp/out" | cut -d: -f1 || echo 0; }
in_order() { # name line-text...: each first seen after the one before
	name=$1 last=0
	shift
	for t in "$@"; do
		n=$(line_of "$t")
		if [ "${n:-0}" -le "$last" ]; then
			fail "$name: \"$t\" not after the line before it:"
			cat "$tmp/out"
			return
		fi
		last=$n
	done
	ok
}
state_of() { podman container inspect --format '{{.State.Status}}' "$1" 2>/dev/null || echo absent; }
began() { sed -n "s/^\[ *\([0-9.]*\)s\] $1: $2 .*/\1/p" "$tmp/out"; }

"$top/tests/e2e/podman-setup.sh" >"$tmp/setup.out" 2>&1 || {
	cat "$tmp/setup.out"
	fail "podman-setup.sh"
	exit 1
}

# --- the seed: up in order ------------------------------------------------------------------------
mkdir -p "$tmp/seed"
cp "$top/examples/compose.yaml" "$top/examples/.env" "$tmp/seed/"
printf '%s\n' 'services:' '  app: {stop_grace_period: 1s}' '  db: {stop_grace_period: 1s}' >"$tmp/seed/override.yaml"
plan seed "$tmp/seed" "$proj"
rt "$tmp/seed.json" up -d
check up 0 $rc
echo "podman: first up took $ms ms"
sed 's/^/    /' "$tmp/out"
# db has no step: created and started by one run --detach; app's steps need
# it created and not started
in_order up-order "db: run ok" "db: healthy ok" "app: create ok" "app: pre_start 1 ok" "app: pre_start 2 ok" \
	"app: start ok"
is db-running running "$(state_of "$proj-db-1")"
is app-running running "$(state_of "$proj-app-1")"
is step-file-seen-by-app "schema v1" "$(podman exec "$proj-app-1" cat /srv/www/schema.txt 2>&1)"
page=$(busybox wget -q -O - "http://127.0.0.1:$port/index.html" 2>&1 || :)
is app-serves-step-page "<h1>composec demo</h1><p>Hello from composec</p>" "$page"
rt "$tmp/seed.json" ps
has ps "$proj-app-1"
has ps-steps "running    2/2 ok"

# --- second up: nothing to do ---------------------------------------------------------------------------
rt "$tmp/seed.json" up -d
check up-again 0 $rc
echo "podman: second up took $ms ms"
has up-again-reused "app: container reused (running, unchanged)"
has up-again-skip-1 "app: pre_start 1 skipped (succeeded before, unchanged)"
has up-again-skip-2 "app: pre_start 2 skipped (succeeded before, unchanged)"

# --- a changed step runs again, the unchanged one does not ------------------------------------------------
sed -i 's/TITLE: composec demo/TITLE: changed step/' "$tmp/seed/compose.yaml"
plan seed "$tmp/seed" "$proj"
rt "$tmp/seed.json" up -d
check up-changed 0 $rc
has changed-skip-1 "app: pre_start 1 skipped (succeeded before, unchanged)"
in_order changed-order "app: stop before pre_start ok" "app: pre_start 2 ok" "app: start ok"
is changed-page "<h1>changed step</h1><p>Hello from composec</p>" \
	"$(podman exec "$proj-app-1" cat /srv/www/index.html 2>&1)"
is changed-app-running running "$(state_of "$proj-app-1")"

# --- down ---------------------------------------------------------------------------------------------------
rt "$tmp/seed.json" down
check down 0 $rc
echo "podman: down took $ms ms"
is down-containers "" "$(podman ps -aq --filter "label=com.docker.compose.project=$proj")"
podman network exists "${proj}_default" && fail "down: the network is left" || ok
podman volume exists "${proj}_site" && ok || fail "down: the volume site was removed without --volumes"
[ ! -e "$tmp/state/$proj" ] && ok || fail "down: the state is left"
rt "$tmp/seed.json" down --volumes
check down-volumes 0 $rc
podman volume exists "${proj}_site" && fail "down --volumes: the volume site is left" || ok

# --- a failing step ------------------------------------------------------------------------------------------
mkdir -p "$tmp/fail"
cp "$top/examples/compose.yaml" "$top/examples/.env" "$tmp/fail/"
cat >"$tmp/fail/override.yaml" <<EOF
services:
  app:
    stop_grace_period: 1s
    pre_start: !override
      - command: ["sh", "-c", "echo step-is-failing; exit 4"]
      - command: ["touch", "/srv/www/never"]
  db: {stop_grace_period: 1s}
  web:
    image: $image
    command: ["sleep", "60"]
    stop_grace_period: 1s
    depends_on: [app]
  other:
    image: $image
    command: ["sleep", "60"]
    stop_grace_period: 1s
    volumes: ["/scratch"]
EOF
plan fail "$tmp/fail" "${proj}f"
rt "$tmp/fail.json" up -d
check fail-exit 1 $rc
sed 's/^/    /' "$tmp/out"
has fail-message "app: pre_start 1 FAILED (exit 4)"
has fail-tail "    | step-is-failing"
has fail-dependent "web: not started (it requires app, which failed)"
has fail-summary "composec-run: up: 2 of 4 services started; app failed; web not started"
is fail-app-created created "$(state_of "${proj}f-app-1")"
is fail-web-absent absent "$(state_of "${proj}f-web-1")"
is fail-other-running running "$(state_of "${proj}f-other-1")"
grep -q 'pre_start 2' "$tmp/out" && fail "fail: step 2 ran after step 1 failed" || ok
# independent services come up at the same time: other (after db in the
# plan's order) is run before db's run has ended
other0=$(began other run) dbs=$(began db run)
dbe=$(sed -n 's/^\[.*\] db: run ok (\([0-9.]*\)s)$/\1/p' "$tmp/out")
echo "podman: other run began at ${other0}s, db run ran from ${dbs}s for ${dbe}s"
awk "BEGIN { exit !($other0 < $dbs + $dbe) }" && ok || fail "fail: other waited for db"
# other's anonymous volume goes with down --volumes, as docker compose down -v
anon=$(podman inspect -f '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}' "${proj}f-other-1" 2>/dev/null) || anon=
[ -n "$anon" ] && ok || fail "fail: other has no anonymous volume at /scratch"
rt "$tmp/fail.json" down --volumes
check fail-down 0 $rc
is fail-down-containers "" "$(podman ps -aq --filter "label=com.docker.compose.project=${proj}f")"
if [ -n "$anon" ] && podman volume exists "$anon"; then fail "fail: down --volumes left other's anonymous volume"; else ok; fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
