#!/bin/sh
# test_e2e_quadlet.sh COMPOSEC
#
# The Quadlet files `composec quadlet` generates, turned into user units by
# Podman's real Quadlet generator (tests/validate/quadlet.sh --user), run by
# a real systemd user manager (tests/e2e/systemd-run.sh) with the recorder
# (tests/e2e/recorder) answering as podman.  What podman was asked to do is
# read back from the recorder's log with jq and compared with
# `composec config --format json`.
#
#  a  examples/compose.yaml (db with a healthcheck, app with two pre_start
#     steps): starting demo-app.service creates the network and both volumes
#     before the containers that use them, runs db (active once its
#     container runs), then app's steps unit waits for db's health itself
#     (`podman healthcheck run` fails twice, a second apart, and the steps
#     must not run before it passes), runs the steps in order (the first in
#     ExecStartPre=, the last as the unit's container), then app; db, the
#     steps' unit and app end up active.
#  c  two projects (the example as alpha and beta) written into one
#     directory: as many files as both written alone, and both projects'
#     units start under one manager, each on its own network.
#  b  golden/e2e-hostile (the TESTING.md hostile strings in every field),
#     for the default --podman-version and for 4.4 (older keys: PodmanArgs=,
#     ExecStartPre= network creation): the argv of
#     every run, exec and step is byte-exact what config says: command
#     words, --entrypoint (JSON), each --env, each --label, --workdir,
#     --user, --volume, --health-cmd, --sdnotify=conmon; each pre_start step's
#     command, merged environment, user and working directory; post_start
#     and pre_stop execs.  Quadlet's Exec= cannot carry an empty word or a
#     lone ";": composec warns about each (checked) and leaves them out, so
#     they are expected to be missing from the container's command and the
#     last step's (the steps unit's container), and only there.
#
# Needs root, systemd, unshare, jq and the cached Quadlet generator
# (tests/validate/fetch-quadlet.sh; CI fetches it before `make test`);
# without them the test is skipped, and with COMPOSEC_REQUIRE_TOOLS=1 (CI) a
# skip is a failure.
# shellcheck disable=SC2016 # jq programs and scripts for the namespace are literal
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test_e2e_quadlet.sh COMPOSEC" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/tests/e2e/systemd-run.sh
quadlet_sh=$top/tests/validate/quadlet.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-quadlet.XXXXXX")
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
if ! QUADLET=$(sh "$top/tests/validate/fetch-quadlet.sh" -n 2>/dev/null); then
	skip "Quadlet generator not cached (run tests/validate/fetch-quadlet.sh)"
	finish
fi
export QUADLET

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

defs=$defs'
def mainrun($n): .[1] == "run" and (.[2:] | vals(["--name"]) | index($n) != null);
def step($svc): .[1] == "run" and (.[2:] | vals(["--label"])
	| index("com.docker.compose.hook=pre_start") != null and index("com.docker.compose.service=\($svc)") != null);
'

# convert IN OUT: the Quadlet generator's user units for the files in IN
convert() {
	if timeout 30 sh "$quadlet_sh" --user -o "$2" "$1" >"$2.log" 2>&1; then
		ok
	else
		fail "quadlet.sh --user -o $2 $1:"
		cat "$2.log"
	fi
}

# --- a: the seed example, in order -------------------------------------------
cat >"$tmp/a.body" <<'EOF2'
# steps end at once; db's health check fails twice before it passes; the
# containers notify READY=1 and run
e2e_ctl "EXIT 0 com.docker.compose.hook=pre_start" "TIMES 2 FAIL healthcheck run" \
	"TIMES 2 PRINT starting inspect" "NOTIFY run --name" "SLEEP infinity run --name"
systemctl --user start --no-block demo-app.service
if wait_log '"demo-db-1"' 10; then
	t_db=$(now_ms)
	e2e_wait demo-db.service active 10 || :
	expect "a: db active before it is healthy" active "$(e2e_state demo-db.service)"
	sleep 1
	if in_log 'schema.txt'; then bad "a: app's first step ran before db was healthy"; else
		ok "a: app's steps held back while db is not healthy"; fi
	if wait_log 'schema.txt' 10; then
		waited=$(($(now_ms) - t_db))
		# (the log is polled: allow for seeing db's run late)
		if [ "$waited" -ge 1500 ]; then ok "a: app's steps waited for db's health"; else
			bad "a: app's first step ${waited} ms after db's run, health came after 2000 ms"; fi
		echo "a: app's first step ran ${waited} ms after db's run started (healthy after two failed checks)"
	else
		bad "a: app's first step never ran"
	fi
else
	bad "a: db never ran"
fi
e2e_wait demo-app.service active 20 || { e2e_logs demo-db.service; e2e_logs demo-app-pre-start.service; e2e_logs demo-app.service; }
for u in db app app-pre-start default-network dbdata-volume site-volume; do
	expect "a: $u active" active "$(e2e_state demo-$u.service)"
done
cp "$RECORD_LOG" "$1"
exit "$st"
EOF2
config "$top/examples" "$tmp/seed.json"
compile "$top" "$tmp/a-in" quadlet -f examples/compose.yaml
convert "$tmp/a-in" "$tmp/a"
if [ -d "$tmp/a" ]; then
	e2e a "$tmp/a" "$tmp/a.body" "$tmp/a.log"
fi
if [ -f "$tmp/a.log" ]; then
	jqcheck a --slurpfile L "$tmp/a.log" --slurpfile cfg "$tmp/seed.json" "$defs"'
	($cfg[0] | u) as $c | $L
	| fst(.[1:3] == ["network", "create"] and .[-1] == "demo_default") as $net
	| fst(.[1:3] == ["volume", "create"] and .[-1] == "demo_dbdata") as $vdb
	| fst(.[1:3] == ["volume", "create"] and .[-1] == "demo_site") as $vsite
	| at(mainrun("demo-db-1")) as $db
	| at(step("app")) as $steps
	| at(mainrun("demo-app-1")) as $app
	| {net: $net, vdb: $vdb, vsite: $vsite, db: $db, steps: $steps, app: $app} as $where
	| cond("a: network created before db runs"; before($net; $db[0]); $where),
	  cond("a: volume dbdata created before db runs"; before($vdb; $db[0]); $where),
	  cond("a: volume site created before app'"'"'s steps run"; before($vsite; $steps[0]); $where),
	  cond("a: db, two steps and app run"; [$db, $steps, $app | length] == [1, 2, 1]; $where),
	  cond("a: db runs with --sdnotify=conmon"; $L[$db[0]] | index("--sdnotify=conmon") != null; $where),
	  cond("a: db'"'"'s health checked by the dependent, three times, before the steps";
		[at(.[1:4] == ["healthcheck", "run", "demo-db-1"])[] | select(. < $steps[0])] | length == 3; $where),
	  cond("a: app'"'"'s steps in order after db, then app";
		before($db[0]; $steps[0]) and before($steps[0]; $steps[1]) and before($steps[1]; $app[0]); $where),
	  (range(0; $c.services.app.pre_start | length) as $i | $c.services.app.pre_start[$i] as $p
		| ($L[$steps[$i]] // [] | split_run($p.image)) as $r
		| check("a: step \($i + 1) command"; $p.command; $r.args),
		  check("a: step \($i + 1) --env"; $c.services.app.environment + ($p.environment // {}) | envlist;
			$r.opts | vals(["--env", "-e"]) | sort))
	'
fi

# --- c: two projects in one directory ---------------------------------------
# The example written as projects alpha and beta into one directory: every
# file of both is there, and both projects' units start under one manager,
# each running its own containers on its own network.
cat >"$tmp/c.body" <<'EOF2'
e2e_ctl "EXIT 0 com.docker.compose.hook=pre_start" "NOTIFY run --name" "SLEEP infinity run --name"
for p in alpha beta; do
	systemctl --user start --no-block "$p-app.service"
done
for p in alpha beta; do
	e2e_wait "$p-app.service" active 20 || e2e_logs "$p-app.service"
	for u in db app app-pre-start default-network; do
		expect "c: $p-$u active" active "$(e2e_state "$p-$u.service")"
	done
done
cp "$RECORD_LOG" "$1"
exit "$st"
EOF2
for p in alpha beta; do
	compile "$top" "$tmp/c-in" quadlet -p "$p" -f examples/compose.yaml
	compile "$top" "$tmp/c-$p-alone" quadlet -p "$p" -f examples/compose.yaml
done
n_both=$(find "$tmp/c-in" -type f | wc -l)
n_alone=$(($(find "$tmp/c-alpha-alone" -type f | wc -l) + $(find "$tmp/c-beta-alone" -type f | wc -l)))
if [ "$n_both" -eq "$n_alone" ] && [ "$n_both" -gt 0 ]; then ok; else
	fail "c: $n_both files in the shared directory, $n_alone written alone"; fi
convert "$tmp/c-in" "$tmp/c"
if [ -d "$tmp/c" ]; then
	e2e c "$tmp/c" "$tmp/c.body" "$tmp/c.log"
fi
if [ -f "$tmp/c.log" ]; then
	jqcheck c --slurpfile L "$tmp/c.log" "$defs"'
	["alpha", "beta"][] as $p
	| [$L[] | select(mainrun("\($p)-db-1") or mainrun("\($p)-app-1"))] as $runs
	| check("c: \($p)'"'"'s db and app run"; 2; $runs | length),
	  check("c: \($p)'"'"'s containers on \($p)_default";
		[range(0; $runs | length) | "\($p)_default"]; [$runs[] | .[2:] | vals(["--network"])[] | split(":")[0]])
	'
fi

# --- b: hostile strings, byte-exact -------------------------------------------
cat >"$tmp/b.body" <<'EOF2'
t=$2
e2e_ctl "EXIT 0 com.docker.compose.hook=pre_start" "NOTIFY run --name" "SLEEP infinity run --name"
e2e_start e2e-hostile-client.service || { bad "$t: start e2e-hostile-client.service"; e2e_logs e2e-hostile-odd.name_-x.service; e2e_logs e2e-hostile-client.service; }
expect "$t: odd.name_-x active" active "$(e2e_state e2e-hostile-odd.name_-x.service)"
expect "$t: client active" active "$(e2e_state e2e-hostile-client.service)"
systemctl --user stop e2e-hostile-client.service e2e-hostile-odd.name_-x.service || bad "$t: stop"
# A main process that ends with 143 on SIGTERM (the recorder, as conmon does
# for a container killed by SIGTERM) is a clean stop: composec adds
# SuccessExitStatus=143 (podman#16726).
state=$(e2e_state e2e-hostile-odd.name_-x.service)
status=$(systemctl --user show -P ExecMainStatus e2e-hostile-odd.name_-x.service)
case $state in
inactive) ok "$t: odd.name_-x stopped cleanly" ;;
*) bad "$t: odd.name_-x is $state (main process status $status) after stop" ;;
esac
cp "$RECORD_LOG" "$1"
exit "$st"
EOF2
hostile=$top/golden/e2e-hostile
config "$hostile" "$tmp/hostile.json"
# the default --podman-version and 4.4 (before NetworkName= and others:
# PodmanArgs= and ExecStartPre=)
for version in default 4.4; do
	t=b/$version
	if [ "$version" = default ]; then set --; else set -- --podman-version "$version"; fi
	compile "$hostile" "$tmp/b-$version-in" quadlet "$@"
	# the words Exec= cannot carry: one warning each (odd.name_-x's "" is
	# in its command and in its step's, the steps unit's container)
	for w in '1 "odd.name_-x": the command argument ";" cannot' '2 "odd.name_-x": the command argument "" cannot' \
		'1 "client": the command argument ";" cannot' '1 "client": the command argument "" cannot'; do
		if [ "$(grep -cF -- "${w#* }" "$tmp/b-$version-in.log")" -eq "${w%% *}" ]; then ok; else
			fail "$t: not ${w%% *} warning(s): ${w#* }"; fi
	done
	want=5 notify=conmon
	n=$(grep -c 'warning:' "$tmp/b-$version-in.log" || :)
	if [ "$n" -eq "$want" ]; then ok; else
		fail "$t: $n warnings from composec quadlet, expected $want:" && cat "$tmp/b-$version-in.log"; fi
	convert "$tmp/b-$version-in" "$tmp/b-$version"
	[ -d "$tmp/b-$version" ] || continue
	e2e "b-$version" "$tmp/b-$version" "$tmp/b.body" "$tmp/b-$version.log" "$t"
	[ -f "$tmp/b-$version.log" ] || { fail "$t: no recorder log"; continue; }
	jqcheck "b-$version" --arg t "$t" --arg notify "$notify" --slurpfile L "$tmp/b-$version.log" \
		--slurpfile cfg "$tmp/hostile.json" "$defs"'
	($cfg[0] | u) as $c | $c.services["odd.name_-x"] as $s
	| "\($c.name)-odd.name_-x-1" as $cn
	| def exec_words: map(select(. != "" and . != ";"));
	[$L[] | select(mainrun($cn)) | split_run($s.image)] as $main
	| [$L[] | select(step("odd.name_-x")) | . as $a | split_run($s.image) + {argv: $a}] as $steps
	| [$L[] | select(.[1:3] == ["exec", $cn]) | .[3:]] as $execs
	| check("\($t): one run of odd.name_-x"; 1; $main | length),
	($main[0] // {opts: [], args: null}
	| check("\($t): command words (command without \"\" and \";\")"; $s.command | exec_words; .args),
	  check("\($t): --entrypoint (JSON)"; [$s.entrypoint]; .opts | vals(["--entrypoint"]) | map(fromjson? // .)),
	  check("\($t): --env"; $s.environment | envlist; .opts | vals(["--env", "-e"]) | sort),
	  check("\($t): --label"; $s.labels | envlist;
		.opts | vals(["--label", "-l"]) | map(select(startswith("com.docker.compose.") | not)) | sort),
	  check("\($t): compose labels"; ["com.docker.compose.container-number=1", "com.docker.compose.oneoff=False",
		"com.docker.compose.project=\($c.name)", "com.docker.compose.service=odd.name_-x"];
		.opts | vals(["--label", "-l"]) | map(select(test("^com[.]docker[.]compose[.](container-number|oneoff|project|service)=")))
		| sort),
	  check("\($t): --workdir"; [$s.working_dir]; .opts | vals(["--workdir", "-w"])),
	  check("\($t): --user"; [$s.user]; .opts | vals(["--user", "-u"])),
	  check("\($t): --volume"; volumes($s.volumes); .opts | vals(["--volume", "-v"])),
	  check("\($t): --health-cmd"; [$s.healthcheck.test[1]]; .opts | vals(["--health-cmd"])),
	  check("\($t): --sdnotify"; [$notify]; .opts | vals(["--sdnotify"]))),
	check("\($t): pre_start steps run"; $s.pre_start | length; $steps | length),
	(range(0; $s.pre_start | length) as $i | $s.pre_start[$i] as $p | ($steps[$i] // {opts: [], argv: []})
	| check("\($t): step \($i + 1) command";
		$p.command | if $i == ($s.pre_start | length) - 1 then exec_words else . end; .args),
	  check("\($t): step \($i + 1) image"; [$p.image // $s.image]; [.argv[2 + (.opts | length)]]),
	  check("\($t): step \($i + 1) --env"; $s.environment + ($p.environment // {}) | envlist;
		.opts | vals(["--env", "-e"]) | sort),
	  check("\($t): step \($i + 1) --workdir"; [$p.working_dir // $s.working_dir]; .opts | vals(["--workdir", "-w"])),
	  check("\($t): step \($i + 1) --user"; [$p.user // $s.user]; .opts | vals(["--user", "-u"])),
	  check("\($t): step \($i + 1) --volume"; volumes($s.volumes); .opts | vals(["--volume", "-v"]))),
	check("\($t): post_start exec"; $s.post_start[0].command; $execs[0]),
	check("\($t): pre_stop exec"; $s.pre_stop[0].command; $execs[1]),
	check("\($t): execs"; 2; $execs | length),
	check("\($t): client command (without \"\" and \";\")"; $c.services.client.command | exec_words;
		[$L[] | select(mainrun("\($c.name)-client-1")) | split_run($c.services.client.image)][0].args)
	'
done

finish
