#!/bin/sh
# test_sh_podman.sh COMPOSEC
#
# The script of `composec sh --engine podman`, run for real by sh (dash) on
# podman with the local image localhost/busybox:latest (tests/e2e/podman-setup.sh
# prepares the machine).  Under a project name of its own (so that other
# tests' containers are never touched) and its own published port:
#  a  examples/compose.yaml up: podman's event log shows db started and its
#     health checked before app's first pre_start step, the steps in order,
#     then app; the schema that step 1 fetched from db over the network and
#     the page step 2 wrote into the shared volume are seen, and served, by
#     app; the script took N ms.
#  b  up again: exit 0, the same containers (ids) still running, nothing
#     created; ps lists both.  Then GREETING changed: app is recreated and
#     its steps run again (the new page), db is left alone.
#  c  down: no container of the project, no network; the volumes stay (as
#     compose down keeps them).
#  d  a copy of the example whose first step fails (exit 3), plus a service
#     web that depends on app: up exits 1 naming service "app" and its
#     pre_start step 1, app's container was never started, step 2 did not
#     run, web has no container, db runs; down then removes it all.
#
# Needs root and a working podman; without them the test is skipped, and with
# COMPOSEC_REQUIRE_TOOLS=1 (CI) a skip is a failure.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test_sh_podman.sh COMPOSEC" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
setup=$top/tests/e2e/podman-setup.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sh-podman.XXXXXX")
base=shpodman$$
proj=$base
greeting=
port=$((20000 + $$ % 20000))
pass=0 fails=0 skips=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() {
	echo "SKIP $*"
	skips=$((skips + 1))
	if [ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ]; then fail "skipped although COMPOSEC_REQUIRE_TOOLS=1: $*"; fi
}
# exit 1 on a failure, 77 (CTest: skipped) when a check could not run
finish() {
	echo "$pass passed, $fails failed, $skips skipped"
	[ "$fails" -eq 0 ] || exit 1
	[ "$skips" -eq 0 ] || exit 77
	exit 0
}
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok; else fail "$1: got \"$3\", expected \"$2\""; fi
}
has() { # NAME FILE STRING: FILE holds the fixed STRING
	if grep -qF -- "$3" "$2"; then ok; else fail "$1: no \"$3\" in:" && cat "$2"; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Whatever happens, the projects' containers, networks and volumes go.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	for p in "$base" "${base}f"; do
		if [ -f "$tmp/$p.sh" ]; then timeout 60 sh "$tmp/$p.sh" down >/dev/null 2>&1 || :; fi
		ids=$(podman ps -aq --filter "label=com.docker.compose.project=$p" 2>/dev/null) || ids=
		for id in $ids; do podman rm -f -t 0 "$id" >/dev/null 2>&1 || :; done
		for v in dbdata site; do podman volume rm -f "${p}_$v" >/dev/null 2>&1 || :; done
		podman network rm -f "${p}_default" >/dev/null 2>&1 || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (podman-setup.sh)"
	finish
fi
if ! command -v podman >/dev/null || [ ! -f "$setup" ]; then
	skip "needs podman and tests/e2e/podman-setup.sh"
	finish
fi
if ! timeout 300 sh "$setup" >"$tmp/setup.out" 2>&1; then
	cat "$tmp/setup.out"
	skip "podman-setup.sh could not prepare podman"
	finish
fi

# compile NAME ARG...: composec sh --engine podman -p NAME ARG... -o $tmp/NAME.sh
# ($greeting, when set, overrides the GREETING of examples/.env)
compile() {
	cname=$1
	shift
	set -- "$composec" sh --engine podman -p "$cname" "$@" -o "$tmp/$cname.sh"
	if [ -n "$greeting" ]; then set -- "GREETING=$greeting" "$@"; fi
	if (cd "$top" && exec timeout 30 env -i PATH=/usr/bin:/bin HOME=/nonexistent APP_PORT="$port" "$@") \
		>"$tmp/$cname.log" 2>&1; then
		ok
	else
		fail "composec sh $*:" && cat "$tmp/$cname.log"
	fi
}
# script NAME ARG...: run the script under sh, its output in $tmp/NAME.out; sets rc and took (ms)
script() {
	sname=$1
	shift
	t0=$(now_ms)
	rc=0
	timeout 180 sh "$tmp/$sname.sh" "$@" >"$tmp/$sname.out" 2>&1 || rc=$?
	took=$(($(now_ms) - t0))
}
# events SINCE: the project's container events since SINCE (seconds), as "STATUS NAME"
events() {
	podman events --stream=false --since "$1" --filter type=container \
		--format '{{.Status}} {{.Name}}' 2>/dev/null | grep " $proj-" || :
}
# line FILE PATTERN: number of the first line of FILE that is PATTERN, or 0
line() {
	awk -v p="$2" '$0 == p { print NR; exit } END { if (!NR) print 0 }' "$1" | head -n 1
}
before() { # NAME FILE A B: line A comes before line B in FILE
	la=$(line "$2" "$3") lb=$(line "$2" "$4")
	if [ "${la:-0}" -gt 0 ] && [ "${lb:-0}" -gt "$la" ]; then ok; else
		fail "$1: \"$3\" (line ${la:-0}) not before \"$4\" (line ${lb:-0}) in:" && cat "$2"
	fi
}
state() { podman container inspect -f '{{.State.Status}}' "$1" 2>/dev/null || echo absent; }
cid() { podman container inspect -f '{{.Id}}' "$1" 2>/dev/null || echo absent; }

# --- a: up, in order -------------------------------------------------------------
compile "$proj" -f examples/compose.yaml
since=$(date +%s)
script "$proj"
expect "a: up exit status" 0 "$rc"
[ "$rc" -eq 0 ] || cat "$tmp/$proj.out"
echo "a: up of the seed example (network, 2 volumes, db healthy, 2 steps, app): $took ms"
events "$since" >"$tmp/a.events"
before "a: db starts before its health is checked" "$tmp/a.events" "start $proj-db-1" "health_status $proj-db-1"
before "a: db's health checked before app's first step" "$tmp/a.events" "health_status $proj-db-1" \
	"start $proj-app-1-pre-start-1"
before "a: step 1 ends before step 2 starts" "$tmp/a.events" "died $proj-app-1-pre-start-1" \
	"start $proj-app-1-pre-start-2"
before "a: step 2 ends before app starts" "$tmp/a.events" "died $proj-app-1-pre-start-2" "start $proj-app-1"
before "a: app created before its steps run" "$tmp/a.events" "create $proj-app-1" "start $proj-app-1-pre-start-1"
expect "a: db runs" running "$(state "$proj-db-1")"
expect "a: app runs" running "$(state "$proj-app-1")"
expect "a: step containers removed" "absent absent" "$(state "$proj-app-1-pre-start-1") $(state "$proj-app-1-pre-start-2")"
expect "a: step 1 fetched the schema from db" "schema v1" \
	"$(podman exec "$proj-app-1" cat /srv/www/schema.txt 2>&1)"
expect "a: app sees the page step 2 wrote" "<h1>composec demo</h1><p>Hello from composec</p>" \
	"$(podman exec "$proj-app-1" cat /srv/www/index.html 2>&1)"
expect "a: app serves it" "<h1>composec demo</h1><p>Hello from composec</p>" \
	"$(podman exec "$proj-app-1" wget -q -O - http://127.0.0.1:8080/index.html 2>&1)"
has "a: progress names the wait" "$tmp/$proj.out" "service \"app\": wait until \"db\" is healthy"

# --- b: up again changes nothing -----------------------------------------------------
app_id=$(cid "$proj-app-1") db_id=$(cid "$proj-db-1")
sleep 1
since=$(date +%s)
script "$proj"
expect "b: second up exit status" 0 "$rc"
echo "b: second up (nothing to do): $took ms"
expect "b: same app container" "$app_id" "$(cid "$proj-app-1")"
expect "b: same db container" "$db_id" "$(cid "$proj-db-1")"
expect "b: app still runs" running "$(state "$proj-app-1")"
events "$since" | grep -Ev '^(health_status|exec_died|exec) ' >"$tmp/b.events" || :
expect "b: no container created, started or removed" "" "$(cat "$tmp/b.events")"
has "b: app left alone" "$tmp/$proj.out" "service \"app\": $proj-app-1 runs, up to date"
script "$proj" ps
expect "b: ps exit status" 0 "$rc"
has "b: ps lists db" "$tmp/$proj.out" "$proj-db-1"
has "b: ps lists app" "$tmp/$proj.out" "$proj-app-1"

# --- b2: a changed definition recreates what changed only ---------------------------------
greeting="changed greeting"
compile "$proj" -f examples/compose.yaml
greeting=
script "$proj"
expect "b2: up exit status" 0 "$rc"
echo "b2: up with app's environment changed (app stopped, recreated, its steps run again): $took ms"
if [ "$(cid "$proj-app-1")" != "$app_id" ]; then ok; else fail "b2: app was not recreated"; fi
expect "b2: same db container" "$db_id" "$(cid "$proj-db-1")"
expect "b2: the steps ran again" "<h1>composec demo</h1><p>changed greeting</p>" \
	"$(podman exec "$proj-app-1" cat /srv/www/index.html 2>&1)"

# --- c: down ---------------------------------------------------------------------------
script "$proj" down
expect "c: down exit status" 0 "$rc"
echo "c: down (busybox httpd ignores SIGTERM: the stop timeouts run out): $took ms"
expect "c: no container left" "" "$(podman ps -aq --filter "label=com.docker.compose.project=$proj")"
if podman network exists "${proj}_default"; then fail "c: network ${proj}_default left"; else ok; fi
if podman volume exists "${proj}_site"; then ok; else fail "c: volume ${proj}_site removed by down"; fi

# --- d: a failing step ---------------------------------------------------------------------
proj=${base}f
mkdir "$tmp/d"
cp "$top/examples/.env" "$tmp/d/.env"
sed 's/&& echo migrated/\&\& exit 3/' "$top/examples/compose.yaml" >"$tmp/d/compose.yaml"
cat >"$tmp/d/web.yaml" <<'EOF'
services:
  web:
    image: localhost/busybox:latest
    command: ["sleep", "300"]
    depends_on: [app]
    stop_grace_period: 1s
  db:
    stop_grace_period: 1s
  app:
    stop_grace_period: 1s
EOF
if grep -q 'exit 3' "$tmp/d/compose.yaml"; then ok; else fail "d: the copy has no failing step"; fi
compile "$proj" -f "$tmp/d/compose.yaml" -f "$tmp/d/web.yaml"
script "$proj"
expect "d: up exit status" 1 "$rc"
echo "d: up until the failing step: $took ms"
has "d: message names service and step" "$tmp/$proj.out" \
	"$proj.sh: service \"app\": pre_start step 1 failed (exit 3)"
expect "d: db runs" running "$(state "$proj-db-1")"
expect "d: app never started" created "$(state "$proj-app-1")"
expect "d: web has no container" absent "$(state "$proj-web-1")"
if grep -qF 'pre_start step 2' "$tmp/$proj.out"; then fail "d: step 2 ran"; else ok; fi
expect "d: no page written" "no page" "$(podman run --rm -v "${proj}_site:/srv" localhost/busybox:latest \
	sh -c 'test -e /srv/index.html && echo page || echo no page' 2>&1)"
script "$proj" down
expect "d: down exit status" 0 "$rc"
expect "d: no container left" "" "$(podman ps -aq --filter "label=com.docker.compose.project=$proj")"
finish
