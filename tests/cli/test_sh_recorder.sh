#!/bin/sh
# test_sh_recorder.sh COMPOSEC
#
# The script `composec sh` generates from golden/e2e-hostile (the TESTING.md
# hostile strings in every field), run by sh (dash) with the recorder
# (tests/e2e/recorder) first on PATH as docker and as podman.  The argv of
# every engine call that changes something (create, run, start, exec, stop,
# rm, network create/rm, healthcheck run) is compared, call by call and
# byte for byte, with the argv built here with jq from `composec config
# --format json`; the state queries (inspect) are answered through the
# recorder's control file and left out of the comparison.  HOME and X hold
# canaries: no compose value may be expanded by the shell.
#  up      a fresh host: network, create, both pre_start steps, start,
#          post_start exec, (podman: healthcheck run), client create, start
#  again   every container up to date and running: nothing is done
#  changed one container runs with another definition hash: it is stopped,
#          removed, created again, its steps run, it starts
#  down    pre_stop exec, stop and rm in reverse order, network rm
#  fail    step 2 fails: the script exits 1 naming the service and the step,
#          and nothing runs after it
#  usage   an unknown argument: exit 2
#
# Needs jq; without it the test is skipped, and with COMPOSEC_REQUIRE_TOOLS=1
# (CI) a skip is a failure.
# shellcheck disable=SC2016 # jq programs and recorder directives are literal
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test_sh_recorder.sh COMPOSEC" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
case_dir=$top/golden/e2e-hostile
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sh-recorder.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
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
# tally FILE: count the "ok ..." and "FAIL ..." lines; print the others
tally() {
	while IFS= read -r line; do
		case $line in
		"ok "*) ok ;;
		"FAIL "*) echo "$line" && fails=$((fails + 1)) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$1"
}

if ! command -v jq >/dev/null; then
	skip "needs jq"
	finish
fi
shell="sh"
if command -v dash >/dev/null; then shell=dash; fi

mkdir "$tmp/bin"
ln -s "$top/tests/e2e/recorder" "$tmp/bin/docker"
ln -s "$top/tests/e2e/recorder" "$tmp/bin/podman"

# composec in the case directory, with only PATH and HOME (as golden.sh runs it)
in_case() {
	(cd "$case_dir" && exec timeout 30 env -i PATH=/usr/bin:/bin HOME=/nonexistent "$composec" "$@")
}
if in_case config --format json >"$tmp/config.json" 2>"$tmp/config.err"; then ok; else
	fail "composec config:" && cat "$tmp/config.err"
	finish
fi

# run SCENARIO ENGINE CTL-LINES...: the script of ENGINE under $shell with a
# fresh recorder log and these control lines; sets rc
run() {
	rname=$1 reng=$2
	shift 2
	d=$tmp/$reng.$rname
	mkdir -p "$d"
	printf '%s\n' "$@" >"$d/ctl"
	: >"$d/log"
	set -- up
	case $rname in down | usage) set -- "$rname" ;; esac
	if [ "$rname" = usage ]; then set -- bogus; fi
	rc=0
	timeout 60 env -i PATH="$tmp/bin:/usr/bin:/bin" HOME=/canary-home X=canary-x \
		RECORD_LOG="$d/log" RECORD_CTL="$d/ctl" RECORD_STATE="$d/state" \
		"$shell" "$tmp/$reng.sh" "$@" >"$d/out" 2>&1 || rc=$?
}

# The argv the script should issue, from config, for each scenario, and the
# comparison with what the recorder logged (state queries left out).
cat >"$tmp/check.jq" <<'EOF'
def u: walk(if type == "string" then gsub("\\$\\$"; "$") else . end);
def envs($e): $e | to_entries | sort_by(.key) | map("--env=\(.key)=\(.value)");
def labels($l): ($l // {}) | to_entries | sort_by(.key) | map("--label=\(.key)=\(.value)");
def vols($v): [$v[] | "--volume=\(.source):\(.target)\(if .read_only then ":ro" else "" end)"];
def net($n; $cname; $alias):
	if $eng == "docker" then "--network=name=\($n),alias=\($cname),alias=\($alias)"
	else "--network=\($n):alias=\($cname),alias=\($alias)" end;
def compose_labels($p; $svc): ["--label=com.docker.compose.project=\($p)", "--label=com.docker.compose.service=\($svc)"];
# a service container's: docker compose's labels, sorted by key
def container_labels($p; $svc; $deps):
	["--label=com.docker.compose.container-number=1", "--label=com.docker.compose.depends_on=\($deps)",
	 "--label=com.docker.compose.oneoff=False", "--label=com.docker.compose.project=\($p)",
	 "--label=com.docker.compose.project.config_files=\($dir)/compose.yaml",
	 "--label=com.docker.compose.project.working_dir=\($dir)", "--label=com.docker.compose.service=\($svc)"];
def deps($svc): [$svc.depends_on // {} | to_entries[] | "\(.key):\(.value.condition):\(.value.restart // false)"] | join(",");
def query: (.[1] == "container" and .[2] == "inspect") or (.[1:3] | IN(["network", "inspect"], ["volume", "inspect"], ["image", "inspect"]));

($cfg[0] | u) as $c | $c.name as $p | $c.networks.default.name as $net
| $c.services["odd.name_-x"] as $s | "\($p)-odd.name_-x-1" as $cn
| $c.services.client as $cl | "\($p)-client-1" as $cc
| [$eng, "network", "create", "--label=com.docker.compose.project=\($p)",
	"--label=com.docker.compose.network=default", $net] as $net_create
| ([$eng, "create", "--name=\($cn)", "--label=com.docker.compose.config-hash=\($h1)",
	"--user=\($s.user)", "--workdir=\($s.working_dir)"]
	+ envs($s.environment) + labels($s.labels) + container_labels($p; "odd.name_-x"; deps($s))
	+ [net($net; $cn; "odd.name_-x")] + vols($s.volumes)
	+ ["--health-cmd=\($s.healthcheck.test[1])", "--health-interval=\($s.healthcheck.interval)",
	   "--health-retries=\($s.healthcheck.retries)",
	   # podman takes the entrypoint whole (JSON), docker its first word
	   (if $eng == "podman" then "--entrypoint=\($s.entrypoint | tojson)" else "--entrypoint=\($s.entrypoint[0])" end),
	   $s.image]
	+ (if $eng == "podman" then [] else $s.entrypoint[1:] end) + $s.command) as $create
| [range(0; $s.pre_start | length) as $i | $s.pre_start[$i] as $h
	| [$eng, "run", "--rm", "--name=\($cn)-pre-start-\($i + 1)"]
	+ (if $h.privileged then ["--privileged"] else [] end)
	+ ["--user=\($h.user // $s.user)", "--workdir=\($h.working_dir // $s.working_dir)"]
	+ envs($s.environment + ($h.environment // {})) + compose_labels($p; "odd.name_-x")
	+ ["--label=com.docker.compose.hook=pre_start", "--network=\($net)"] + vols($s.volumes)
	+ [$h.image // $s.image] + $h.command] as $steps
| [$eng, "start", $cn] as $start
| ([$eng, "exec", $cn] + $s.post_start[0].command) as $post
| (if $eng == "podman" then [[$eng, "healthcheck", "run", $cn]] else [] end) as $health
| ([$eng, "create", "--name=\($cc)", "--label=com.docker.compose.config-hash=\($h2)"] + container_labels($p; "client"; deps($cl))
	+ [net($net; $cc; "client"), $cl.image] + $cl.command) as $client
| {
	up: ([$net_create, $create] + $steps + [$start, $post] + $health + [$client, [$eng, "start", $cc]]),
	again: $health,
	changed: ([[$eng, "stop", $cn], [$eng, "rm", "-f", $cn], $create] + $steps + [$start, $post] + $health),
	down: [[$eng, "stop", "-t", "10", $cc], [$eng, "rm", "-f", $cc],
		([$eng, "exec", $cn] + $s.pre_stop[0].command), [$eng, "stop", "-t", "10", $cn],
		[$eng, "rm", "-f", $cn], [$eng, "network", "rm", $net]],
	fail: ([$net_create, $create] + $steps),
	usage: []
  }[$scenario] as $want
| [$L[] | select(query | not)] as $got
| "\($eng)/\($scenario)" as $t
| (range(0; [$want, $got | length] | max) as $i
	| if $want[$i] == $got[$i] then "ok \($t) call \($i + 1)"
	  else "FAIL \($t) call \($i + 1)\n\twant \($want[$i] | tojson)\n\tgot  \($got[$i] | tojson)" end),
  (if ($want | length) == ($got | length) then "ok \($t) calls"
   else "FAIL \($t): \($got | length) calls, expected \($want | length)" end),
  (if [$L[][] | select(test("canary|uid="))] == [] then "ok \($t) nothing expanded"
   else "FAIL \($t): a value was expanded by the shell" end)
EOF

# check SCENARIO ENGINE: compare the log of the last run
check() {
	d=$tmp/$2.$1
	if jq -n -r --arg eng "$2" --arg scenario "$1" --arg h1 "$h1" --arg h2 "$h2" --arg dir "$case_dir" \
		--slurpfile L "$d/log" --slurpfile cfg "$tmp/config.json" -f "$tmp/check.jq" >"$d/jq.out" 2>&1; then
		ok
	else
		fail "$2/$1: jq failed"
	fi
	tally "$d/jq.out"
}
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok; else fail "$1: $3, expected $2" && cat "$d/out"; fi
}

st="-f {{.State.Status}}"
for eng in docker podman; do
	if in_case sh --engine "$eng" -o "$tmp/$eng.sh" 2>"$tmp/$eng.err"; then ok; else
		fail "composec sh --engine $eng:" && cat "$tmp/$eng.err"
		continue
	fi
	# the definition hashes, as the script passes them to ensure
	h1=$(sed -n "s/^	ensure .* 'e2e-hostile-odd\.name_-x-1' '\([0-9a-f]\{16\}\)' .*/\1/p" "$tmp/$eng.sh")
	h2=$(sed -n "s/^	ensure .* 'e2e-hostile-client-1' '\([0-9a-f]\{16\}\)' .*/\1/p" "$tmp/$eng.sh")
	if [ "${#h1}" = 16 ] && [ "${#h2}" = 16 ] && [ "$h1" != "$h2" ]; then ok; else
		fail "$eng: no definition hashes in the script ($h1, $h2)"
	fi

	# a fresh host: nothing exists (the first two state queries of a
	# container, ensure's "running?" and "exists?", find nothing); once
	# created, a container answers "created"
	t0=$(date +%s%N)
	run up "$eng" "EXIT 1 network inspect" "EXIT 1 $st e2e-hostile-odd.name_-x-1-pre-start" \
		"TIMES 2 EXIT 1 $st e2e-hostile-odd.name_-x-1" "TIMES 2 EXIT 1 $st e2e-hostile-client-1" \
		"PRINT created $st"
	took=$((($(date +%s%N) - t0) / 1000000))
	expect "$eng/up: exit status" 0 "$rc"
	check up "$eng"
	echo "$eng/up: $(wc -l <"$tmp/$eng.up/log") engine calls in $took ms"

	# everything up to date and running
	run again "$eng" "PRINT $h1 \"com.docker.compose.config-hash\"}} e2e-hostile-odd.name_-x-1" \
		"PRINT $h2 \"com.docker.compose.config-hash\"}} e2e-hostile-client-1" "PRINT running $st"
	expect "$eng/again: exit status" 0 "$rc"
	check again "$eng"
	if grep -qF 'service "odd.name_-x": e2e-hostile-odd.name_-x-1 runs, up to date' "$d/out"; then ok; else
		fail "$eng/again: no up-to-date message" && cat "$d/out"
	fi

	# odd.name_-x runs with another definition: stopped, removed, created
	# again, its steps run, started; client is up to date
	run changed "$eng" "EXIT 1 $st e2e-hostile-odd.name_-x-1-pre-start" \
		"PRINT 0123456789abcdef \"com.docker.compose.config-hash\"}} e2e-hostile-odd.name_-x-1" \
		"PRINT $h2 \"com.docker.compose.config-hash\"}} e2e-hostile-client-1" \
		"TIMES 2 PRINT running $st e2e-hostile-odd.name_-x-1" "TIMES 2 EXIT 0 $st e2e-hostile-odd.name_-x-1" \
		"PRINT created $st e2e-hostile-odd.name_-x-1" "EXIT 0 $st e2e-hostile-odd.name_-x-1" "PRINT running $st"
	expect "$eng/changed: exit status" 0 "$rc"
	check changed "$eng"

	run down "$eng" "EXIT 1 $st e2e-hostile-odd.name_-x-1-pre-start" "PRINT running $st"
	expect "$eng/down: exit status" 0 "$rc"
	check down "$eng"

	run fail "$eng" "EXIT 1 network inspect" "EXIT 1 $st e2e-hostile-odd.name_-x-1-pre-start" \
		"TIMES 2 EXIT 1 $st e2e-hostile-odd.name_-x-1" "PRINT created $st" \
		"FAIL --name=e2e-hostile-odd.name_-x-1-pre-start-2"
	expect "$eng/fail: exit status" 1 "$rc"
	check fail "$eng"
	if grep -qxF "$eng.sh: service \"odd.name_-x\": pre_start step 2 failed (exit 1)" "$d/out"; then ok; else
		fail "$eng/fail: no message naming the service and the step" && cat "$d/out"
	fi

	run usage "$eng"
	expect "$eng/usage: exit status" 2 "$rc"
	check usage "$eng"
done
finish
