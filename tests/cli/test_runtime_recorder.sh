#!/bin/sh
# composec-run against the recording fake engine (tests/e2e/recorder) first
# on PATH: what the runtime asks the engine to do, call by call.
#   hostile      the argv of every call equal the plan's (golden/plan-hostile),
#                in the order the plan intends, and the compose strings arrive
#                byte-exact: one look at all containers and resources, then
#                create (or run --detach when no pre_start step comes between
#                create and start), the steps, start, ...
#   concurrency  two independent services whose start sleeps 1 s start at
#                the same time (their progress lines overlap; with -j 1 not)
#   failure      a failing pre_start step: its output tail, the service and its
#                dependents not started, the others started, exit 1; fixed,
#                the containers the look found (as docker's "/NAME") are kept,
#                the others made
#   state        a second up reuses the container the look found running
#                (no start) and skips the steps; a changed step runs (after a
#                stop, then a start), the unchanged one does not; a failed
#                step runs again
#   signals      SIGTERM after the start: pre_stop hooks and stops in reverse
#                order, exit 0; SIGTERM during a start: exit 143, what was
#                created is stopped
#   down         a dependent stops before its dependency, independent
#                services at the same time; what the look did not find is
#                left alone; a stop that fails is said, and the removal
#                decides
#   ps, usage
# Needs jq (the recorder's log is JSON); without it the test is skipped,
# unless COMPOSEC_REQUIRE_TOOLS=1.  The argument is the composec binary;
# composec-run is beside it.
# shellcheck disable=SC2015 # ok never fails, so "test && ok || fail" is fine
set -eu
composec=$1
bindir=$(cd "$(dirname "$composec")" && pwd)
composec=$bindir/${composec##*/}
runtime=$bindir/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
if ! command -v jq >/dev/null; then
	echo "SKIP test_runtime_recorder: no jq"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && exit 1
	exit 77 # CTest: skipped
fi
check() { # name expected-exit actual-exit
	if [ "$2" = "$3" ]; then ok; else fail "$1: exit $3, expected $2"; cat "$tmp/out"; fi
}
has() { # name fixed-string [file]: the file (default: the last output) holds it
	if grep -qF -- "$2" "${3:-$tmp/out}"; then ok; else fail "$1: no \"$2\" in:"; cat "${3:-$tmp/out}"; fi
}
lacks() { # name fixed-string [file]
	if grep -qF -- "$2" "${3:-$tmp/out}"; then fail "$1: unexpected \"$2\" in:"; cat "${3:-$tmp/out}"; else ok; fi
}
same() { # name expected-file actual-file
	if cmp -s "$2" "$3"; then ok; else fail "$1:"; diff -u "$2" "$3" || :; fi
}

mkdir -p "$tmp/bin"
ln -s "$top/tests/e2e/recorder" "$tmp/bin/docker"
PATH=$tmp/bin:$PATH
RECORD_LOG=$tmp/rec.log RECORD_CTL=$tmp/rec.ctl RECORD_STATE=$tmp/rec.state
export PATH RECORD_LOG RECORD_CTL RECORD_STATE

# ctl LINE...: a fresh control file and log
ctl() {
	printf '%s\n' "$@" >"$RECORD_CTL"
	: >"$RECORD_LOG"
	rm -rf "$RECORD_STATE"
}
# rt ARGS...: composec-run with the test's state directory; status in $rc
rt() {
	set +e
	timeout 60 "$runtime" --state-dir "$tmp/state" "$@" >"$tmp/out" 2>&1
	rc=$?
	set -e
}
# plan NAME DIR: compile DIR/compose.yaml to $tmp/NAME.json
plan() {
	"$composec" plan -f "$2/compose.yaml" -o "$tmp/$1.json" 2>"$tmp/plan.err" ||
		{ fail "composec plan $2:"; cat "$tmp/plan.err"; }
}
# progress lines: "[  1.234s] who: what result (0.12s)" -> begin and duration
began() { sed -n "s/^\[ *\([0-9.]*\)s\] $1: $2 .*/\1/p" "$tmp/out"; }
lasted() { sed -n "s/^\[.*\] $1: $2 .*(\([0-9.]*\)s)\$/\1/p" "$tmp/out"; }
# awk arithmetic on decimals: cond EXPR -> exit 0 when true
cond() { awk "BEGIN { exit !($1) }"; }
# the look at all containers: "NAME=STATE" per container that exists, exit 1
# when one does not; absent_everything: none exists
absent_everything='EXIT 1 {{.State.Status}}'

# --- hostile: every argv as the plan intends it -------------------------------------------
plan hostile "$top/golden/plan-hostile"
ctl "$absent_everything" 'EXIT 1 network inspect'
rt "$tmp/hostile.json" up -d
check hostile-up 0 $rc
# The order the plan intends for services that wait for each other: one
# look at the containers, one per kind of resource, the resources' create
# (all at once: here only one), then per service its containers' create (run
# --detach for a container without steps), its shared steps, per container
# its steps, start (not after run) and post_start, then the waits its
# dependents need.
jq -c '. as $p
	| def waited($n; $c): [$p.services[].depends_on[] | select(.service == $n and .condition == $c)] | length > 0;
	def runs($s): ($s.pre_start | length) == 0 and (.pre_start | length) == 0;
	[.engine, "container", "inspect", "--format", "{{.Name}}={{.State.Status}}"] + [.services[].containers[].name],
	(("network", "volume") as $k | [$p.resources[] | select(.kind == $k) | .name] | select(length > 0)
		| [$p.engine, $k, "inspect", "--format", "{{.Name}}=exists"] + .),
	(.resources[] | .create),
	(.services[] | . as $s
		| ($s.containers[] | if runs($s) then .create[0:1] + ["run", "--detach"] + .create[2:] else .create end),
		  ($s.pre_start[] | .argv),
		  ($s.containers[] | (.pre_start[] | .argv), (if runs($s) then empty else .start end), .post_start[]),
		  (if waited($s.name; "service_healthy") then ($s.containers[] | .health.argv) else empty end),
		  (if waited($s.name; "service_completed_successfully") then ($s.containers[] | .completion) else empty end))' \
	"$tmp/hostile.json" >"$tmp/hostile.want"
jq -c . "$RECORD_LOG" >"$tmp/hostile.got"
same hostile-argv "$tmp/hostile.want" "$tmp/hostile.got"
# and the strings are the compose file's, byte for byte
(cd "$top/golden/plan-hostile" && "$composec" config --format json) >"$tmp/hostile.config"
# (config writes a literal $ as $$, as docker compose config does)
jq -c '.services["odd.name_-x"].command | map(gsub("\\$\\$"; "$"))' "$tmp/hostile.config" >"$tmp/cmd.want"
n=$(jq '.services["odd.name_-x"].command | length' "$tmp/hostile.config")
jq -c "select(.[1] == \"create\" and (.[2] | startswith(\"--name=hostile-odd\"))) | .[-$n:]" \
	"$RECORD_LOG" >"$tmp/cmd.got"
same hostile-command-bytes "$tmp/cmd.want" "$tmp/cmd.got"
jq -c '.services["odd.name_-x"].pre_start[0].command | map(gsub("\\$\\$"; "$"))' "$tmp/hostile.config" >"$tmp/step.want"
jq -c "select(.[1] == \"run\") | .[-$n:]" "$RECORD_LOG" | head -n 1 >"$tmp/step.got"
same hostile-step-bytes "$tmp/step.want" "$tmp/step.got"
grep -q '"--env=NEWLINE=new\\nline"' "$RECORD_LOG" && ok || fail "hostile: the newline in NEWLINE changed"

# --- concurrency ------------------------------------------------------------------------------
mkdir -p "$tmp/conc"
cat >"$tmp/conc/compose.yaml" <<'EOF'
name: conc
services:
  a: {image: img, network_mode: none}
  b: {image: img, network_mode: none}
  c: {image: img, network_mode: none, depends_on: [a, b]}
EOF
plan conc "$tmp/conc"
# (no steps: each container is created and started by one run --detach)
ctl "$absent_everything" 'SLEEP 1 --name=conc-a' 'SLEEP 1 --name=conc-b'
t0=$(date +%s%N)
rt "$tmp/conc.json" up -d
took=$(( ($(date +%s%N) - t0) / 1000000 ))
check conc-up 0 $rc
sa=$(began a run) sb=$(began b run) da=$(lasted a run) db=$(lasted b run) sc=$(began c run)
echo "concurrency: a run at ${sa}s for ${da}s, b run at ${sb}s for ${db}s, c run at ${sc}s; up took ${took} ms"
grep -E '^\[.*\] (a|b|c): ' "$tmp/out" | sed 's/^/    /'
cond "$da >= 1 && $db >= 1" && ok || fail "conc: the starts did not sleep"
cond "($sa - $sb) < 0.5 && ($sb - $sa) < 0.5" && ok || fail "conc: a and b did not start together"
cond "$sc >= $sa + 1 && $sc >= $sb + 1" && ok || fail "conc: c did not wait for a and b"
[ "$took" -lt 1900 ] && ok || fail "conc: up took $took ms: the starts ran one after the other"
ctl "$absent_everything" 'SLEEP 1 --name=conc-a' 'SLEEP 1 --name=conc-b'
t0=$(date +%s%N)
rt -j 1 "$tmp/conc.json" up -d
took=$(( ($(date +%s%N) - t0) / 1000000 ))
check conc-j1 0 $rc
[ "$took" -ge 2000 ] && ok || fail "conc -j 1: up took $took ms, less than two sleeps"

# --- failure ------------------------------------------------------------------------------------
mkdir -p "$tmp/f"
cat >"$tmp/f/compose.yaml" <<'EOF'
name: f
services:
  app:
    image: img
    network_mode: none
    pre_start:
      - command: [migrate-step, up]
      - command: [second-step]
  web: {image: img, network_mode: none, depends_on: [app]}
  far: {image: img, network_mode: none, depends_on: [web]}
  other: {image: img, network_mode: none}
EOF
plan f "$tmp/f"
ctl "$absent_everything" 'PRINT migration-log-line migrate-step' 'EXIT 3 migrate-step'
rt "$tmp/f.json" up -d
check failure-exit 1 $rc
has failure-line "app: pre_start 1 FAILED (exit 3)"
has failure-tail "    | migration-log-line"
has failure-dependent "web: not started (it requires app, which failed)"
has failure-transitive "far: not started (it requires web, which was not started)"
has failure-summary "composec-run: up: 1 of 4 services started; app failed; web not started; far not started"
has failure-other "other: run ok"
lacks failure-no-second-step "second-step" "$RECORD_LOG"
lacks failure-app-not-started '["docker","start","f-app-1"]' "$RECORD_LOG"
lacks failure-web-not-created '"--name=f-web-1"' "$RECORD_LOG"
# fixed: the container the look found is reused (created, same definition),
# the failed step runs again; the look did not find web and far (docker
# writes "/NAME"; exit 1 for the missing ones): they are made
ctl 'PRINT /f-app-1=created {{.State.Status}}' 'PRINT /f-other-1=running {{.State.Status}}' "$absent_everything"
rt "$tmp/f.json" up -d
check failure-fixed 0 $rc
has failure-rerun "app: pre_start 1 ok"
has failure-reused "app: container reused (unchanged)"
has failure-other-reused "other: container reused (running, unchanged)"
lacks failure-no-recreate '"--name=f-app-1"' "$RECORD_LOG"
lacks failure-no-status '"{{.State.Status}}","f-app-1"]' "$RECORD_LOG"
has failure-web-made '["docker","run","--detach","--name=f-web-1"' "$RECORD_LOG"
[ "$(grep -c '{{.State.Status}}' "$RECORD_LOG")" -eq 1 ] && ok || fail "failure-fixed: not one look"

# --- state: skip what succeeded unchanged, run what changed ------------------------------------------
mkdir -p "$tmp/s"
cat >"$tmp/s/compose.yaml" <<'EOF'
name: s
services:
  app:
    image: img
    network_mode: none
    pre_start:
      - command: [step-one]
      - command: [step-two, v1]
EOF
plan s "$tmp/s"
ctl "$absent_everything"
rt "$tmp/s.json" up -d
check state-first 0 $rc
[ "$(grep -c '"run","--rm"' "$RECORD_LOG")" -eq 2 ] && ok || fail "state-first: not two steps run"
ctl 'PRINT s-app-1=running {{.State.Status}}'
rt "$tmp/s.json" up -d
check state-second 0 $rc
has state-skip-1 "app: pre_start 1 skipped (succeeded before, unchanged)"
has state-skip-2 "app: pre_start 2 skipped (succeeded before, unchanged)"
lacks state-no-run '"run","--rm"' "$RECORD_LOG"
lacks state-no-create '"create"' "$RECORD_LOG"
lacks state-no-start '["docker","start","s-app-1"]' "$RECORD_LOG" # it runs: nothing to start
sed -i 's/step-two, v1/step-two, v2/' "$tmp/s/compose.yaml"
plan s "$tmp/s"
ctl 'PRINT s-app-1=running {{.State.Status}}'
rt "$tmp/s.json" up -d
check state-changed 0 $rc
has state-changed-skip "app: pre_start 1 skipped"
has state-changed-run "app: pre_start 2 ok"
jq -c 'select(.[1] != "container") | .[0:3] + [.[-1]]' "$RECORD_LOG" >"$tmp/changed.got"
printf '%s\n' '["docker","stop","-t","s-app-1"]' '["docker","run","--rm","v2"]' \
	'["docker","start","s-app-1","s-app-1"]' >"$tmp/changed.want"
same state-changed-calls "$tmp/changed.want" "$tmp/changed.got"
ctl 'PRINT s-app-1=running {{.State.Status}}'
rt "$tmp/s.json" up -d --force-recreate
check state-force 0 $rc
[ "$(grep -c '"run","--rm"' "$RECORD_LOG")" -eq 2 ] && ok || fail "state --force-recreate: steps not run again"
ctl 'PRINT s-app-1=running {{.State.Status}}'
rt "$tmp/s.json" ps
check ps 0 $rc
has ps-line "app                  s-app-1                          running    2/2 ok"

# --- signals ------------------------------------------------------------------------------------------------
mkdir -p "$tmp/g"
cat >"$tmp/g/compose.yaml" <<'EOF'
name: g
services:
  first: {image: img, network_mode: none}
  second:
    image: img
    network_mode: none
    depends_on: [first]
    pre_stop: [{command: [drain-now]}]
EOF
plan g "$tmp/g"
# up in the foreground until SIGTERM (the look of up: none exists; the look of
# the stop: both run)
ctl 'TIMES 1 EXIT 1 {{.State.Status}}' 'PRINT g-first-1=running {{.State.Status}}' 'PRINT g-second-1=running {{.State.Status}}'
"$runtime" --state-dir "$tmp/state" "$tmp/g.json" up >"$tmp/out" 2>&1 &
pid=$!
n=0
while ! grep -q 'up: running' "$tmp/out" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM $pid
rc=0
wait $pid || rc=$?
check signal-clean-stop 0 $rc
jq -c 'select(.[1] != "container") | .[1:]' "$RECORD_LOG" | tail -n 3 >"$tmp/sig.got"
printf '%s\n' '["exec","g-second-1","drain-now"]' '["stop","-t","10","g-second-1"]' '["stop","-t","10","g-first-1"]' \
	>"$tmp/sig.want"
same signal-reverse-order "$tmp/sig.want" "$tmp/sig.got"
# SIGTERM while first starts (run --detach): second never starts, first is stopped
ctl 'TIMES 1 EXIT 1 {{.State.Status}}' 'PRINT g-first-1=running {{.State.Status}}' 'SLEEP 10 --name=g-first-1'
"$runtime" --state-dir "$tmp/state" "$tmp/g.json" up >"$tmp/out" 2>&1 &
pid=$!
n=0
while ! grep -q '"--name=g-first-1"' "$RECORD_LOG" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
t0=$(date +%s%N)
kill -TERM $pid
rc=0
wait $pid || rc=$?
took=$(( ($(date +%s%N) - t0) / 1000000 ))
check signal-during-start 143 $rc
[ "$took" -lt 5000 ] && ok || fail "signal-during-start: took $took ms"
has signal-interrupted "first: run interrupted"
lacks signal-second-not-created '"--name=g-second-1"' "$RECORD_LOG"
has signal-first-stopped '["docker","stop","-t","10","g-first-1"]' "$RECORD_LOG"

# --- down ----------------------------------------------------------------------------------------------------
plan g2 "$top/golden/plan-seed"
everything_there() {
	ctl 'PRINT demo-app-1=running {{.State.Status}}' 'PRINT demo-db-1=running {{.State.Status}}' \
		'PRINT demo_default=exists network inspect' 'PRINT demo_site=exists volume inspect'
}
everything_there
ls "$tmp/state/demo" >/dev/null 2>&1 || mkdir -p "$tmp/state/demo"
: >"$tmp/state/demo/service-app.state"
rt "$tmp/g2.json" down
check down 0 $rc
# app (which depends on db) stops first; its removal and db's stop may
# overlap; the network goes last
jq -c 'select(.[2] != "inspect") | .[1:]' "$RECORD_LOG" >"$tmp/down.got"
printf '%s\n' '["stop","-t","5","demo-app-1"]' '["rm","-f","demo-app-1"]' '["stop","-t","10","demo-db-1"]' \
	'["rm","-f","demo-db-1"]' '["network","rm","demo_default"]' >"$tmp/down.want"
sort "$tmp/down.want" >"$tmp/down.want.sorted"
sort "$tmp/down.got" >"$tmp/down.got.sorted"
same down-calls "$tmp/down.want.sorted" "$tmp/down.got.sorted"
at() { grep -nF -- "$1" "$tmp/down.got" | cut -d: -f1; }
[ "$(at '"stop","-t","5","demo-app-1"')" -lt "$(at '"stop","-t","10","demo-db-1"')" ] && ok ||
	fail "down: db stopped before app, which depends on it"
[ "$(at '"stop","-t","10","demo-db-1"')" -lt "$(at '"rm","-f","demo-db-1"')" ] && ok || fail "down: db removed before its stop"
[ "$(tail -n 1 "$tmp/down.got")" = '["network","rm","demo_default"]' ] && ok || fail "down: the network not last"
[ "$(grep -c '"inspect"' "$RECORD_LOG")" -eq 3 ] && ok || fail "down: not one look per kind"
[ ! -e "$tmp/state/demo" ] && ok || fail "down: the state directory is left"
# a stop that fails (podman 4.3 refuses to stop a container its restart
# policy is restarting): down says so, removes it all the same and ends
# well, as docker compose's down; a plain stop would fail
ctl 'EXIT 125 stop -t 10 demo-db-1' 'PRINT demo-app-1=running {{.State.Status}}' \
	'PRINT demo-db-1=running {{.State.Status}}' 'PRINT demo_default=exists network inspect' \
	'PRINT demo_site=exists volume inspect'
rt "$tmp/g2.json" down
check down-stop-fails 0 $rc
has down-stop-fails-removed '["docker","rm","-f","demo-db-1"]' "$RECORD_LOG"
has down-stop-fails-said "db: stop demo-db-1 FAILED" "$tmp/out"
everything_there
rt "$tmp/g2.json" down --volumes
check down-volumes 0 $rc
has down-volume '["docker","volume","rm","demo_site"]' "$RECORD_LOG"
lacks down-volume-absent '["docker","volume","rm","demo_dbdata"]' "$RECORD_LOG"
# two independent services stop at the same time
ctl 'PRINT conc-a=running {{.State.Status}}' 'PRINT conc-b=running {{.State.Status}}' \
	'SLEEP 1 stop -t 10 conc-a' 'SLEEP 1 stop -t 10 conc-b'
t0=$(date +%s%N)
rt "$tmp/conc.json" down
took=$(( ($(date +%s%N) - t0) / 1000000 ))
check down-conc 0 $rc
[ "$took" -lt 1900 ] && ok || fail "down-conc: down took $took ms: the stops ran one after the other"

# --- usage and bad plans ---------------------------------------------------------------------------------------
rt
check usage-none 2 $rc
rt "$tmp/g2.json" sideways
check usage-command 2 $rc
rt "$tmp/g2.json" ps --volumes
check usage-misplaced 2 $rc
printf '{"composec_plan": 9}\n' >"$tmp/bad.json"
rt "$tmp/bad.json" up
check bad-plan 2 $rc
has bad-plan-message "bad.json: composec_plan: unsupported plan version"
rt "$tmp/none.json" up
check missing-plan 2 $rc
"$runtime" --help | grep -q 'usage: composec-run' && ok || fail "--help"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
