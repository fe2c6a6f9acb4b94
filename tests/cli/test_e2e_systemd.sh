#!/bin/sh
# test_e2e_systemd.sh COMPOSEC
#
# The units `composec systemd` generates, run by a real systemd user manager
# (tests/e2e/systemd-run.sh) with the recorder (tests/e2e/recorder) standing
# in for docker and podman.  What the engine was asked to do is read back from
# the recorder's log with jq and compared with `composec config --format json`.
#
#  a  examples/compose.yaml (db with a healthcheck, app with two pre_start
#     steps), --engine docker and --engine podman: starting demo.target
#     creates the network and both volumes before the containers that use
#     them, runs db, waits until db is healthy (docker: the inspect loop;
#     podman: Type=notify, READY=1 held back 2 s by the recorder, during
#     which app must not have started), runs app's steps in order, then app;
#     db and app end up active.
#  b  golden/e2e-hostile (the TESTING.md hostile strings in every field),
#     --engine docker and --engine podman: the argv of every run, exec and step is byte-exact
#     what config says: command words (after the --entrypoint's first word on
#     docker; podman takes the entrypoint whole),
#     --entrypoint, each --env=K=V, each --label, --workdir, --user,
#     --volume, --health-cmd; each pre_start step's command, merged
#     environment, user and working directory; post_start and pre_stop execs.
#  c  examples/compose.yaml plus a service web that depends on app, the
#     recorder failing app's first pre_start step: starting web fails
#     (exit 1), app is not active, its container and its second step never
#     run, web never runs.  With app's restart: "no" app is failed at once;
#     with the seed's restart: unless-stopped systemd retries the unit
#     (Restart=always re-runs ExecStartPre=) until the start limit composec
#     gives units with pre_start steps leaves it failed.
#  d  service_completed_successfully: a oneshot dependency whose run takes
#     2 s holds its dependent back until that run ended;
#     service_healthy: a dependency whose health inspect answers "starting"
#     twice holds its dependent back until the third answer, "healthy".
#
# Needs root, systemd, unshare and jq; without them the test is skipped, and
# with COMPOSEC_REQUIRE_TOOLS=1 (CI) a skip is a failure.
# shellcheck disable=SC2016 # jq programs and scripts for the namespace are literal
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test_e2e_systemd.sh COMPOSEC" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/tests/e2e/systemd-run.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-systemd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP PIPE
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

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (systemd-run.sh)"
	finish
fi
for need in /lib/systemd/systemd unshare jq; do
	if ! command -v "$need" >/dev/null; then
		skip "needs $need"
		finish
	fi
done

# compile DIR OUT ARG...: composec ARG... -o OUT, run in DIR with only PATH and
# HOME in the environment (as tests/golden.sh runs it)
compile() {
	cdir=$1 cout=$2
	shift 2
	set -- "$composec" "$@"
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		eval "val=\${$v-}"
		if [ -n "$val" ]; then set -- "$v=$val" "$@"; fi
	done
	mkdir -p "$cout"
	if (cd "$cdir" && exec timeout 30 env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@" -o "$cout") \
		</dev/null >"$cout.log" 2>&1; then
		ok
	else
		fail "composec $* -o $cout:"
		cat "$cout.log"
	fi
}
config() { # DIR OUT ARG...: composec config --format json ARG... >OUT
	cdir=$1 cout=$2
	shift 2
	if (cd "$cdir" && exec timeout 30 env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		"$composec" config --format json "$@") </dev/null >"$cout" 2>"$cout.err"; then
		ok
	else
		fail "composec config $*:"
		cat "$cout.err"
	fi
}

# tally FILE: count the "ok ..." and "FAIL ..." lines of a check's output;
# print every other line (diagnostics)
tally() {
	while IFS= read -r line; do
		case $line in
		"ok "*) ok ;;
		"FAIL "*) echo "$line" && fails=$((fails + 1)) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$1"
}

# e2e NAME UNITDIR BODY ARG...: run the prelude plus BODY next to a user
# manager loading UNITDIR; the script's checks are tallied; prints the time
e2e() {
	ename=$1 eunits=$2
	shift 2
	cat "$tmp/prelude.sh" "$1" >"$tmp/$ename.sh"
	shift
	t0=$(date +%s%N)
	rc=0
	sh "$run" -j -t 40 "$eunits" "$tmp/$ename.sh" "$@" >"$tmp/$ename.out" 2>&1 || rc=$?
	took=$((($(date +%s%N) - t0) / 1000000))
	tally "$tmp/$ename.out"
	if [ "$rc" -eq 0 ]; then ok; else fail "$ename: exit $rc"; fi
	echo "$ename: ${took} ms (manager start, units, stop and clean up)"
}

# jqcheck NAME ARG...: jq -n -r ARG..., output tallied
jqcheck() {
	jname=$1
	shift
	if jq -n -r "$@" >"$tmp/$jname.jq.out" 2>&1; then ok; else fail "$jname: jq failed"; fi
	tally "$tmp/$jname.jq.out"
}

# What the scripts inside the namespace start with: check helpers that print
# "ok NAME" / "FAIL NAME: ..." (tallied outside), and log waits.
cat >"$tmp/prelude.sh" <<'EOF'
. "$E2E_LIB"
st=0
ok() { echo "ok $*"; }
bad() { echo "FAIL $*"; st=1; }
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: $3, expected $2"; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
in_log() { grep -qF -- "$1" "$RECORD_LOG"; }
wait_log() { # STRING SECONDS: until the recorder log holds STRING
	_n=$(($2 * 20))
	until in_log "$1"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.05
	done
}
EOF

# jq helpers shared by the checks: u undoes config's "$$" escaping (config
# prints a literal "$" as "$$"), vals collects the values of a flag given as
# "--flag=value" or "--flag" "value", split_run cuts a run's argv at the image.
defs='
def u: walk(if type == "string" then gsub("\\$\\$"; "$") else . end);
def vals($names): . as $o | [range(0; length) as $k | $o[$k] as $w | $names[] as $n
	| if $w == $n then $o[$k + 1]
	  elif ($w | startswith($n + "=")) then $w[($n | length) + 1:]
	  else empty end];
def split_run($img): (.[2:] | index($img)) as $i
	| if $i == null then {opts: [], args: null} else {opts: .[2:2 + $i], args: .[3 + $i:]} end;
def envlist: to_entries | map("\(.key)=\(.value)") | sort;
def at(f): [to_entries[] | select(.value | f) | .key];
def fst(f): at(f) | .[0];
def named($n): .[1] == "run" and (index("--name=" + $n) != null);
def volumes($v): [$v[] | "\(.source):\(.target)\(if .read_only then ":ro" else "" end)"];
def before($a; $b): $a != null and $b != null and $a < $b;
def check($name; $want; $got):
	if $want == $got then "ok \($name)"
	elif ($want | type) == "array" and ($got | type) == "array"
		and (($want - $got) != [] or ($got - $want) != []) then
		"FAIL \($name)\n\tmissing    \($want - $got | tojson)\n\tunexpected \($got - $want | tojson)"
	elif ($want | type) == "array" and ($got | type) == "array" then
		first(range(0; [$want, $got | length] | max) | select($want[.] != $got[.])) as $i
		| "FAIL \($name): at [\($i)] want \($want[$i] | tojson), got \($got[$i] | tojson)"
		+ "\n\twant \($want | tojson)\n\tgot  \($got | tojson)"
	else "FAIL \($name)\n\twant \($want | tojson)\n\tgot  \($got | tojson)" end;
def cond($name; $c; $detail): if $c then "ok \($name)" else "FAIL \($name): \($detail | tojson)" end;
'

# --- a: the seed example, in order -------------------------------------------
cat >"$tmp/a.body" <<'EOF'
eng=$2
e2e_ctl "FAIL network inspect" "FAIL volume inspect"
if [ "$eng" = docker ]; then
	# app's wait for db's health may start before db's run is even
	# recorded, so it says "starting" once
	e2e_ctl "TIMES 1 PRINT starting State.Health"
fi
if [ "$eng" = podman ]; then
	# db's check passes from its third run (a second apart): app's steps
	# must wait for it; meanwhile its status is "starting" (not unhealthy,
	# which would end the wait)
	e2e_ctl "TIMES 2 FAIL healthcheck run" "TIMES 2 PRINT starting State.Health"
fi
e2e_ctl "SLEEP infinity httpd -f"
systemctl --user start --no-block demo.target
if [ "$eng" = podman ]; then
	if wait_log '"--name=demo-db-1"' 10; then
		t_db=$(now_ms)
		# the wait is app's: db's own unit is active at once
		expect "a/podman: db active" active "$(e2e_state demo-db.service)"
		sleep 1
		if in_log '"--name=demo-app-pre-start-1"'; then
			bad "a/podman: app's first step ran before db was ready"
		else
			ok "a/podman: app held back while db is not ready"
		fi
		if wait_log '"--name=demo-app-pre-start-1"' 10; then
			waited=$(($(now_ms) - t_db))
			# (the log is polled: allow for seeing db's run late)
			if [ "$waited" -ge 1500 ]; then ok "a/podman: app waited for db's check to pass"; else
				bad "a/podman: app's first step ${waited} ms after db's run, its check passed after 2 s"; fi
			echo "a/podman: app's first step ran ${waited} ms after db's run started (check passed after 2 s)"
		else
			bad "a/podman: app's first step never ran"
		fi
	else
		bad "a/podman: db never ran"
	fi
fi
e2e_wait demo-app.service active 20 || { e2e_logs demo-db.service; e2e_logs demo-app.service; }
timeout 20 systemctl --user start demo.target || bad "a/$eng: start demo.target"
for u in demo-db demo-app demo-default-network demo-dbdata-volume demo-site-volume; do
	expect "a/$eng: $u active" active "$(e2e_state $u.service)"
done
cp "$RECORD_LOG" "$1"
exit "$st"
EOF
config "$top/examples" "$tmp/seed.json"
for eng in docker podman; do
	compile "$top" "$tmp/a-$eng" systemd --engine "$eng" -f examples/compose.yaml
	e2e "a-$eng" "$tmp/a-$eng" "$tmp/a.body" "$tmp/a-$eng.log" "$eng"
	[ -f "$tmp/a-$eng.log" ] || { fail "a/$eng: no recorder log"; continue; }
	jqcheck "a-$eng" --arg eng "$eng" --slurpfile L "$tmp/a-$eng.log" \
		--slurpfile cfg "$tmp/seed.json" "$defs"'
	($cfg[0] | u) as $c | $L
	| fst(.[1:3] == ["network", "create"] and .[-1] == "demo_default") as $net
	| fst(.[1:3] == ["volume", "create"] and .[-1] == "demo_dbdata") as $vdb
	| fst(.[1:3] == ["volume", "create"] and .[-1] == "demo_site") as $vsite
	| at(named("demo-db-1")) as $db
	| at(.[1] == "inspect" and .[-1] == "demo-db-1" and (join(" ") | contains("Health"))) as $insp
	| at(.[1:3] == ["healthcheck", "run"] and .[-1] == "demo-db-1") as $hc
	| at(named("demo-app-pre-start-1")) as $p1
	| at(named("demo-app-pre-start-2")) as $p2
	| at(named("demo-app-1")) as $app
	| {net: $net, vdb: $vdb, vsite: $vsite, db: $db, inspect: $insp, hc: $hc, p1: $p1, p2: $p2, app: $app} as $where
	| "a/\($eng)" as $t
	| cond("\($t): network created before db runs"; before($net; $db[0]); $where),
	  cond("\($t): volume dbdata created before db runs"; before($vdb; $db[0]); $where),
	  cond("\($t): volume site created before app'"'"'s steps run"; before($vsite; $p1[0]); $where),
	  cond("\($t): db, its steps and app run once each";
		[$db, $p1, $p2, $app | length] == [1, 1, 1, 1]; $where),
	  (if $eng == "docker" then
		cond("\($t): db health polled until healthy after db runs, then app'"'"'s first step";
			($insp | length) == 2 and before($db[0]; $insp[-1]) and before($insp[-1]; $p1[0]); $where)
	  else
		cond("\($t): db'"'"'s check run until it passed, then app'"'"'s first step";
			($hc | length) == 3 and before($db[0]; $hc[-1]) and before($hc[-1]; $p1[0]); $where)
	  end),
	  cond("\($t): app'"'"'s steps in order after db, then app";
		before($db[0]; $p1[0]) and before($p1[0]; $p2[0]) and before($p2[0]; $app[0]); $where),
	  (range(0; $c.services.app.pre_start | length) as $i
		| check("\($t): step \($i + 1) command";
			$c.services.app.pre_start[$i].command;
			[.[] | select(named("demo-app-pre-start-\($i + 1)"))][0] | split_run($c.services.app.image).args))
	'
done

# --- b: hostile strings, byte-exact -------------------------------------------
cat >"$tmp/b.body" <<'EOF'
eng=$2
e2e_ctl "FAIL network inspect"
# odd.name_-x runs (its post_start hook waits for that)
e2e_ctl "PRINT true State.Running"
e2e_ctl "SLEEP infinity --health-cmd="
e2e_start e2e-hostile.target ||
	{ bad "b/$eng: start e2e-hostile.target"; e2e_logs e2e-hostile-odd.name_-x.service; }
expect "b/$eng: odd.name_-x active" active "$(e2e_state e2e-hostile-odd.name_-x.service)"
e2e_wait e2e-hostile-client.service inactive || :
expect "b/$eng: client ran and exited 0" success "$(systemctl --user show -P Result e2e-hostile-client.service)"
systemctl --user stop e2e-hostile-odd.name_-x.service || bad "b/$eng: stop odd.name_-x"
expect "b/$eng: odd.name_-x stopped cleanly" inactive "$(e2e_state e2e-hostile-odd.name_-x.service)"
cp "$RECORD_LOG" "$1"
exit "$st"
EOF
hostile=$top/golden/e2e-hostile
config "$hostile" "$tmp/hostile.json"
for eng in docker podman; do
	compile "$hostile" "$tmp/b-$eng" systemd --engine "$eng"
	e2e "b-$eng" "$tmp/b-$eng" "$tmp/b.body" "$tmp/b-$eng.log" "$eng"
	[ -f "$tmp/b-$eng.log" ] || { fail "b/$eng: no recorder log"; continue; }
	jqcheck "b-$eng" --arg t "b/$eng" --slurpfile L "$tmp/b-$eng.log" --slurpfile cfg "$tmp/hostile.json" "$defs"'
	($cfg[0] | u) as $c | $c.services["odd.name_-x"] as $s
	| "\($c.name)-odd.name_-x-1" as $cn
	| [$L[] | select(.[1] == "run") | . as $a | split_run($s.image) + {argv: $a}
		| .labels = (.opts | vals(["--label", "-l"]))] as $runs
	| [$runs[] | select(.opts | vals(["--name"]) == [$cn])] as $main
	| [$runs[] | select(.labels | index(["com.docker.compose.hook=pre_start"]))] as $steps
	| [$L[] | select(.[1:3] == ["exec", $cn]) | .[3:]] as $execs
	| check("\($t): one run of odd.name_-x"; 1; $main | length),
	($main[0] // {opts: [], args: null, labels: []}
	# podman takes the entrypoint whole (JSON), docker its first word and the
	# rest before the command
	| ($t | endswith("podman")) as $podman
	| check("\($t): command words"; (if $podman then [] else $s.entrypoint[1:] end) + $s.command; .args),
	  check("\($t): --entrypoint"; if $podman then [$s.entrypoint | tojson] else [$s.entrypoint[0]] end;
		.opts | vals(["--entrypoint"])),
	  check("\($t): --env"; $s.environment | envlist; .opts | vals(["--env", "-e"]) | sort),
	  check("\($t): --label"; $s.labels | envlist;
		.labels | map(select(startswith("com.docker.compose.") | not)) | sort),
	  check("\($t): compose labels"; ["com.docker.compose.container-number=1", "com.docker.compose.oneoff=False",
		"com.docker.compose.project=\($c.name)", "com.docker.compose.service=odd.name_-x"];
		.labels | map(select(test("^com[.]docker[.]compose[.](container-number|oneoff|project|service)=")))
		| sort),
	  check("\($t): --workdir"; [$s.working_dir]; .opts | vals(["--workdir", "-w"])),
	  check("\($t): --user"; [$s.user]; .opts | vals(["--user", "-u"])),
	  check("\($t): --volume"; volumes($s.volumes); .opts | vals(["--volume", "-v"])),
	  check("\($t): --health-cmd"; [$s.healthcheck.test[1]]; .opts | vals(["--health-cmd"]))),
	check("\($t): pre_start steps run"; $s.pre_start | length; $steps | length),
	(range(0; $s.pre_start | length) as $i | $s.pre_start[$i] as $p | ($steps[$i] // {opts: [], argv: []})
	| check("\($t): step \($i + 1) command"; $p.command; .args),
	  check("\($t): step \($i + 1) image"; [$p.image // $s.image]; [.argv[2 + (.opts | length)]]),
	  check("\($t): step \($i + 1) --env"; $s.environment + ($p.environment // {}) | envlist;
		.opts | vals(["--env", "-e"]) | sort),
	  check("\($t): step \($i + 1) --workdir"; [$p.working_dir // $s.working_dir]; .opts | vals(["--workdir", "-w"])),
	  check("\($t): step \($i + 1) --user"; [$p.user // $s.user]; .opts | vals(["--user", "-u"])),
	  check("\($t): step \($i + 1) --volume"; volumes($s.volumes); .opts | vals(["--volume", "-v"]))),
	check("\($t): post_start exec"; $s.post_start[0].command; $execs[0]),
	check("\($t): pre_stop exec"; $s.pre_stop[0].command; $execs[1]),
	check("\($t): execs"; 2; $execs | length),
	check("\($t): client command"; $c.services.client.command;
		[$runs[] | select(.argv | index("--name=\($c.name)-client-1"))][0].args)
	'
done

# --- c: a failing pre_start step ----------------------------------------------
cat >"$tmp/c.body" <<'EOF'
mode=$2
e2e_ctl "FAIL network inspect" "FAIL volume inspect" "FAIL /srv/www/schema.txt" \
	"SLEEP infinity httpd -f" "SLEEP infinity web-serve"
rc=0
e2e_start demo-web.service 2>/dev/null || rc=$?
expect "c/$mode: starting web fails" 1 "$rc"
# long enough for systemd to restart app (RestartSec=1s) if it does
sleep 2.5
expect "c/$mode: db active" active "$(e2e_state demo-db.service)"
# the steps run in app's own oneshot unit: it fails, app's start fails
# with it and is not restarted whatever its policy (the engine's restart
# never re-runs pre_start steps in docker compose)
expect "c/$mode: app's steps' result" exit-code "$(systemctl --user show -P Result demo-app-pre-start.service)"
expect "c/$mode: app's steps failed" failed "$(e2e_state demo-app-pre-start.service)"
expect "c/$mode: app not running" inactive "$(e2e_state demo-app.service)"
tries=$(jq -c 'select(index("--name=demo-app-pre-start-1"))' "$RECORD_LOG" | wc -l)
expect "c/$mode: the failing step ran once" 1 "$tries"
# web's wait for app sees app's start fail: web fails, as docker compose's
# up fails for it
expect "c/$mode: web failed" failed "$(e2e_state demo-web.service)"
expect "c/$mode: web's result" exit-code "$(systemctl --user show -P Result demo-web.service)"
cp "$RECORD_LOG" "$1"
exit "$st"
EOF
mkdir -p "$tmp/c-in"
for mode in restart-no restart-always; do
	{
		echo 'services:'
		if [ "$mode" = restart-no ]; then printf '  app:\n    restart: "no"\n'; fi
		printf '  web:\n    image: localhost/busybox:latest\n    command: ["web-serve"]\n'
		printf '    depends_on: [app]\n'
	} >"$tmp/c-in/$mode.yaml"
	compile "$top" "$tmp/c-$mode" systemd -f examples/compose.yaml -f "$tmp/c-in/$mode.yaml"
	e2e "c-$mode" "$tmp/c-$mode" "$tmp/c.body" "$tmp/c-$mode.log" "$mode"
	[ -f "$tmp/c-$mode.log" ] || { fail "c/$mode: no recorder log"; continue; }
	jqcheck "c-$mode" --arg t "c/$mode" --slurpfile L "$tmp/c-$mode.log" "$defs"'
	$L
	| check("\($t): app'"'"'s first step ran"; true; at(named("demo-app-pre-start-1")) | length >= 1),
	  check("\($t): app'"'"'s second step never ran"; 0; at(named("demo-app-pre-start-2")) | length),
	  check("\($t): app never ran"; 0; at(named("demo-app-1")) | length),
	  check("\($t): web never ran"; 0; at(named("demo-web-1")) | length)
	'
done

# --- d: conditions hold dependents back -----------------------------------------
mkdir -p "$tmp/d-in"
cat >"$tmp/d-in/compose.yaml" <<'EOF'
name: deps
services:
  init:
    image: localhost/busybox:latest
    command: ["init-step"]
  after-init:
    image: localhost/busybox:latest
    command: ["after-init-serve"]
    depends_on:
      init:
        condition: service_completed_successfully
  db:
    image: localhost/busybox:latest
    command: ["db-serve"]
    healthcheck:
      test: ["CMD", "db-check"]
      interval: 1s
  after-db:
    image: localhost/busybox:latest
    command: ["after-db-serve"]
    depends_on:
      db:
        condition: service_healthy
EOF
cat >"$tmp/d.body" <<'EOF'
e2e_ctl "FAIL network inspect" "SLEEP 2 init-step" "TIMES 2 PRINT starting State.Health" \
	"SLEEP infinity -serve"
# service_completed_successfully: init's run takes 2 s
systemctl --user start --no-block deps-after-init.service
if wait_log '"init-step"' 10; then
	t0=$(now_ms)
	sleep 1
	expect "d: init activating while its run lasts" activating "$(e2e_state deps-init.service)"
	if in_log '"after-init-serve"'; then bad "d: after-init ran while init was running"; else
		ok "d: after-init held back while init runs"; fi
	if wait_log '"after-init-serve"' 10; then
		waited=$(($(now_ms) - t0))
		# (the log is polled: allow for seeing init's run late)
		if [ "$waited" -ge 1500 ]; then ok "d: after-init ran after init's run ended"; else
			bad "d: after-init ran ${waited} ms after init's run started, which took 2000 ms"; fi
		echo "d: after-init ran ${waited} ms after init's 2 s run started"
	else
		bad "d: after-init never ran"
	fi
else
	bad "d: init never ran"
fi
e2e_wait deps-after-init.service active 10 || e2e_logs deps-after-init.service
expect "d: init exited 0 and stays active" active "$(e2e_state deps-init.service)"
expect "d: init's result" success "$(systemctl --user show -P Result deps-init.service)"
# service_healthy: db reports "starting" twice, then "healthy"
systemctl --user start --no-block deps-after-db.service
if wait_log '"db-serve"' 10; then
	t0=$(now_ms)
	sleep 1
	# the wait is after-db's: db's own unit is active at once, after-db's
	# is activating while it waits
	expect "d: db active while starting" active "$(e2e_state deps-db.service)"
	expect "d: after-db activating while db starts" activating "$(e2e_state deps-after-db.service)"
	if in_log '"after-db-serve"'; then bad "d: after-db ran before db was healthy"; else
		ok "d: after-db held back while db is starting"; fi
	if wait_log '"after-db-serve"' 10; then
		echo "d: after-db ran $(($(now_ms) - t0)) ms after db's run started (two \"starting\" answers, 1 s apart)"
	else
		bad "d: after-db never ran"
	fi
else
	bad "d: db never ran"
fi
e2e_wait deps-after-db.service active 10 || e2e_logs deps-after-db.service
expect "d: db active" active "$(e2e_state deps-db.service)"
cp "$RECORD_LOG" "$1"
exit "$st"
EOF
compile "$tmp/d-in" "$tmp/d" systemd --engine docker
e2e d "$tmp/d" "$tmp/d.body" "$tmp/d.log"
if [ -f "$tmp/d.log" ]; then
	jqcheck d --slurpfile L "$tmp/d.log" "$defs"'
	$L
	| at(named("deps-init-1")) as $init | at(named("deps-after-init-1")) as $ai
	| at(named("deps-db-1")) as $db | at(named("deps-after-db-1")) as $ad
	| at(.[1] == "inspect" and .[-1] == "deps-db-1" and (join(" ") | contains("Health"))) as $insp
	| {init: $init, after_init: $ai, db: $db, after_db: $ad, inspect: $insp} as $where
	| cond("d: init runs once, then after-init once"; ($init | length) == 1 and ($ai | length) == 1
		and before($init[0]; $ai[0]); $where),
	  cond("d: db health polled three times (starting, starting, healthy) before after-db runs";
		($insp | length) == 3 and ($db | length) == 1 and ($ad | length) == 1
		and before($db[0]; $insp[2]) and before($insp[2]; $ad[0]); $where)
	'
fi

finish
