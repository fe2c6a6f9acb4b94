#!/bin/sh
# The harnesses that run the real consumers of composec's output prove
# themselves here on hand-written files: each passes what it should and
# fails what it should.  recorder (the fake engine), verify-units.sh
# (systemd-analyze verify), quadlet.sh (Podman's Quadlet generator) and
# systemd-run.sh (a systemd user manager in a private namespace).
#
# A part whose tools are missing (systemd, root, the cached Quadlet
# generator) is skipped with a message; with COMPOSEC_REQUIRE_TOOLS=1 (set by
# CI) a skip is a failure.  The composec argument is not used.
# shellcheck disable=SC2016 # '$' in unit files and JSON is literal
# shellcheck disable=SC2015 # ok never fails, so "test && ok || fail" is fine
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
recorder=$top/tests/e2e/recorder
verify=$top/tests/validate/verify-units.sh
quadlet_sh=$top/tests/validate/quadlet.sh
run=$top/tests/e2e/systemd-run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
skips=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() {
	echo "SKIP $*"
	skips=$((skips + 1))
	if [ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ]; then fail "skipped although COMPOSEC_REQUIRE_TOOLS=1: $*"; fi
}
check() { # name expected-exit actual-exit
	if [ "$2" = "$3" ]; then ok; else fail "$1: exit $3, expected $2"; cat "$tmp/out" 2>/dev/null || :; fi
}
run() { set +e; "$@" >"$tmp/out" 2>&1; rc=$?; set -e; }
has() { # name pattern: the last output contains the fixed string
	if grep -qF -- "$2" "$tmp/out"; then ok; else fail "$1: no \"$2\" in:"; cat "$tmp/out"; fi
}
same() { # name expected-file actual-file
	if cmp -s "$2" "$3"; then ok; else fail "$1:"; diff -u "$2" "$3" || :; fi
}
unit() { # file lines...: write a unit file
	f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# --- recorder ---------------------------------------------------------------
mkdir -p "$tmp/bin"
ln -s "$recorder" "$tmp/bin/docker"
RECORD_LOG=$tmp/rec.log RECORD_CTL=$tmp/rec.ctl RECORD_STATE=$tmp/rec.state
export RECORD_LOG RECORD_CTL RECORD_STATE
nl='
'
tab=$(printf '\t')
ctrl=$(printf '\001\002\007\010\013\014\015\016\037\177x')
"$tmp/bin/docker" run --rm 'a b' "it's" 'say "hi"' '$HOME' '$$' '${X}' '%h' \
	'back\slash' "x${nl}y" "x${tab}y" "$ctrl" 'ünïcødé ✓' '' '-x' '`id`'
"$tmp/bin/docker"
{
	printf '%s\n' '["docker","run","--rm","a b","it'"'"'s","say \"hi\"","$HOME","$$","${X}","%h","back\\slash","x\ny","x\ty","\u0001\u0002\u0007\b\u000b\f\r\u000e\u001f'"$(printf '\177')"'x","ünïcødé ✓","","-x","`id`"]'
	printf '%s\n' '["docker"]'
} >"$tmp/rec.want"
same recorder-json "$tmp/rec.want" "$RECORD_LOG"
if command -v jq >/dev/null; then
	jq -e . "$RECORD_LOG" >/dev/null 2>&1 && ok || fail "recorder-json: jq rejects the log"
	[ "$(jq -r '.[10]' "$RECORD_LOG" | head -n 1)" = 'back\slash' ] && ok || fail "recorder-json: jq round trip"
fi

: >"$RECORD_LOG"
cat >"$RECORD_CTL" <<'EOF'
# comment
TIMES 2 EXIT 3 run web
FAIL pull bad
SLEEP 0.3 run slow
PRINT starting inspect --format {{.State.Health.Status}} starting
EOF
run "$tmp/bin/docker" run web; check ctl-times-1 3 $rc
run "$tmp/bin/docker" run web; check ctl-times-2 3 $rc
run "$tmp/bin/docker" run web; check ctl-times-after 0 $rc
run "$tmp/bin/docker" pull bad:1; check ctl-fail 1 $rc
run "$tmp/bin/docker" pull good; check ctl-unmatched 0 $rc
start=$(date +%s%N)
run "$tmp/bin/docker" run slow; check ctl-sleep 0 $rc
[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 300 ] && ok || fail "ctl-sleep: did not sleep"
run "$tmp/bin/docker" inspect --format '{{.State.Health.Status}}' starting
check ctl-print 0 $rc
[ "$(cat "$tmp/out")" = starting ] && ok || fail "ctl-print: printed $(cat "$tmp/out")"
run "$tmp/bin/docker" inspect --format '{{.State.Health.Status}}' other
[ "$(cat "$tmp/out")" = healthy ] && ok || fail "inspect-default: printed $(cat "$tmp/out")"
[ "$(wc -l <"$RECORD_LOG")" -eq 8 ] && ok || fail "recorder: one log line per call"
unset RECORD_LOG RECORD_CTL RECORD_STATE
run "$tmp/bin/docker" ps; check recorder-unconfigured 127 $rc

# --- verify-units.sh --------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
	skip "verify-units.sh: no systemd-analyze"
else
	good=$tmp/v/good
	mkdir -p "$good"
	unit "$good/app-db.service" '[Unit]' 'Description=db' \
		'Wants=network-online.target' 'After=network-online.target' \
		'[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
		'ExecStartPre=-/usr/bin/docker rm -f "app-db"' \
		'ExecStart=/usr/bin/docker run --rm --name "app-db" "say \"hi\"" "100%%" "$$HOME"' \
		'[Install]' 'WantedBy=app.target'
	unit "$good/app-web.service" '[Unit]' 'Requires=app-db.service' 'After=app-db.service' \
		'PartOf=app.target' '[Service]' 'ExecStart=/usr/bin/podman run "app-web"' \
		'ExecStop=/usr/bin/podman stop -t 10 "app-web"' 'Restart=on-failure' 'TimeoutStopSec=20'
	unit "$good/app.target" '[Unit]' 'Wants=app-db.service app-web.service' \
		'[Install]' 'WantedBy=multi-user.target'
	mkdir -p "$good/app-web.service.d"
	unit "$good/app-web.service.d/10-env.conf" '[Service]' 'Environment="A=b c"'
	run "$verify" "$good"; check verify-good 0 $rc
	has verify-summary "verify-units: 3 units in 1 directories: 0 with findings"

	bad() { # case-name expected-message unit-lines...: one bad unit in its own directory
		name=$1 msg=$2
		shift 2
		mkdir -p "$tmp/v/$name"
		unit "$tmp/v/$name/x.service" "$@"
		run "$verify" "$tmp/v/$name"; check "verify-$name" 1 $rc
		has "verify-$name" "$msg"
	}
	bad unknown-key "Unknown key 'Bogus'" '[Service]' 'ExecStart=/usr/bin/docker run a' 'Bogus=1'
	bad bad-escape "unknown escape" '[Service]' 'ExecStart=/usr/bin/docker run "a\qb"'
	bad bad-restart "restart specifier" '[Service]' 'ExecStart=/usr/bin/docker run a' 'Restart=sometimes'
	bad missing-program "/usr/bin/no-such-engine" '[Service]' 'ExecStart=/usr/bin/no-such-engine run'
	bad target-typo "netwrok-online.target" '[Unit]' 'Requires=netwrok-online.target' \
		'[Service]' 'ExecStart=/usr/bin/docker run a'
	# verify exits 0 on this one: only its output tells
	bad obsolete "obsolete" '[Service]' 'ExecStart=/usr/bin/docker run a' 'StandardOutput=syslog'
	bad bad-specifier "%Z" '[Service]' 'ExecStart=/usr/bin/docker run %Z'
	has verify-names-source-dir "$tmp/v/bad-specifier/x.service:2"
	# a system-only target: fine for the system manager, not for a user unit
	mkdir -p "$tmp/v/online"
	unit "$tmp/v/online/x.service" '[Unit]' 'Requires=network-online.target' \
		'After=network-online.target' '[Service]' 'ExecStart=/usr/bin/podman run a'
	run "$verify" "$tmp/v/online"; check verify-system-target 0 $rc
	run "$verify" --user "$tmp/v/online"; check verify-user-target 1 $rc
	has verify-user-target "network-online.target not found"
	mkdir -p "$tmp/v/empty"
	run "$verify" "$tmp/v/empty"; check verify-empty-dir 1 $rc
	run "$verify" "$good" "$tmp/v/unknown-key"; check verify-many 1 $rc
	has verify-many "4 units in 2 directories: 1 with findings"
	run "$verify"; check verify-usage 2 $rc
fi

# --- quadlet.sh ---------------------------------------------------------------
if ! "$top/tests/validate/fetch-quadlet.sh" -n >/dev/null 2>&1; then
	skip "quadlet.sh: Quadlet generator not cached (run tests/validate/fetch-quadlet.sh)"
elif ! command -v systemd-analyze >/dev/null; then
	skip "quadlet.sh: no systemd-analyze"
else
	qd=$tmp/q/good
	mkdir -p "$qd"
	unit "$qd/db.container" '[Unit]' 'Description=db' '[Container]' \
		'Image=localhost/busybox:latest' 'ContainerName=app-db' 'Network=app.network' \
		'Exec=sh -c "echo 100%% $$HOME"' '[Service]' 'Restart=always'
	unit "$qd/web.container" '[Unit]' 'Requires=db.service' 'After=db.service' \
		'[Container]' 'Image=localhost/busybox:latest' 'ContainerName=app-web' \
		'PublishPort=8080:80' '[Install]' 'WantedBy=default.target'
	unit "$qd/app.network" '[Network]' 'Subnet=10.89.7.0/24'
	run "$quadlet_sh" "$qd"; check quadlet-good 0 $rc
	has quadlet-summary "quadlet: 3 files in $qd: accepted"
	run "$quadlet_sh" -V -o "$tmp/q/out" "$qd"; check quadlet-verify 0 $rc
	has quadlet-verify "3 units in 1 directories: 0 with findings"
	[ -f "$tmp/q/out/web.service" ] && ok || fail "quadlet -o: no web.service"
	run "$quadlet_sh" --user -V -o "$tmp/q/user" "$qd"; check quadlet-user-verify 0 $rc
	grep -q podman-user-wait-network-online "$tmp/q/user/web.service" && ok ||
		fail "quadlet --user: not user units"

	qbad() { # case-name expected-message file-name lines...
		name=$1 msg=$2 file=$3
		shift 3
		mkdir -p "$tmp/q/$name"
		unit "$tmp/q/$name/$file" "$@"
		run "$quadlet_sh" "$tmp/q/$name"; check "quadlet-$name" 1 $rc
		has "quadlet-$name" "$msg"
	}
	qbad unknown-key "unsupported key 'Bogus'" x.container '[Container]' \
		'Image=localhost/busybox:latest' 'Bogus=1'
	qbad no-image "no Image" x.container '[Container]' 'Exec=true'
	qbad short-name "not a fully qualified image name" x.container '[Container]' 'Image=busybox'
	run "$quadlet_sh" -w "$tmp/q/short-name"; check quadlet-warnings-allowed 0 $rc
	mkdir -p "$tmp/q/none"
	run "$quadlet_sh" "$tmp/q/none"; check quadlet-no-files 1 $rc
fi

# --- systemd-run.sh -----------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip "systemd-run.sh: needs root"
elif [ ! -x /lib/systemd/systemd ] || ! command -v unshare >/dev/null; then
	skip "systemd-run.sh: needs systemd and unshare"
else
	ud=$tmp/u
	mkdir -p "$ud"
	# b requires and follows a; a is a oneshot that stays active and needs a
	# system-only target (a stub)
	unit "$ud/a.service" '[Unit]' 'Description=a' \
		'Requires=network-online.target' 'After=network-online.target' \
		'[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
		'ExecStartPre=/usr/bin/docker pull "img a"' \
		'ExecStart=/usr/bin/docker run --rm --name a "say \"hi\"" "100%%" "$$HOME"'
	unit "$ud/b.service" '[Unit]' 'Description=b' 'Requires=a.service' 'After=a.service' \
		'[Service]' 'UnsetEnvironment=RECORD_LOG RECORD_CTL RECORD_STATE' \
		'ExecStart=/usr/bin/podman run --rm --name b img-b'
	cat >"$tmp/order.sh" <<'EOF'
. "$E2E_LIB"
echo "$E2E_DIR $E2E_CG" >"$1"
e2e_start b.service || { e2e_logs a.service; e2e_logs b.service; exit 1; }
[ "$(e2e_state a.service)" = active ] || { echo "a is $(e2e_state a.service)"; exit 1; }
e2e_wait b.service inactive || exit 1
[ "$(systemctl --user show -P Result b.service)" = success ] || exit 1
cp "$RECORD_LOG" "$2"
EOF
	printf '%s\n' '["docker","pull","img a"]' \
		'["docker","run","--rm","--name","a","say \"hi\"","100%","$HOME"]' \
		'["podman","run","--rm","--name","b","img-b"]' >"$tmp/order.want"
	start=$(date +%s%N)
	run "$run" "$ud" "$tmp/order.sh" "$tmp/where" "$tmp/order.log"
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	check run-order 0 $rc
	same run-order-calls "$tmp/order.want" "$tmp/order.log"
	echo "systemd-run.sh: manager start, two units, stop and clean up: ${took} ms"
	read -r e2e_dir e2e_cg <"$tmp/where" || :
	[ -n "${e2e_dir-}" ] && [ ! -e "$e2e_dir" ] && ok || fail "run-cleanup: $e2e_dir left"
	left=$(find /sys/fs/cgroup/ -maxdepth 6 -name "$e2e_cg.slice" 2>/dev/null | head -n 1)
	[ -n "${e2e_cg-}" ] && [ -z "$left" ] && ok || fail "run-cleanup: cgroup $left left"

	# a failing ExecStartPre= fails a; b, which requires it, does not start
	cat >"$tmp/fail.sh" <<'EOF'
. "$E2E_LIB"
e2e_ctl "FAIL pull"
rc=0
e2e_start b.service 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || { echo "start b: exit $rc, expected 1"; exit 1; }
[ "$(e2e_state a.service)" = failed ] || { echo "a is $(e2e_state a.service)"; exit 1; }
[ "$(e2e_state b.service)" = inactive ] || { echo "b is $(e2e_state b.service)"; exit 1; }
printf '%s\n' '["docker","pull","img a"]' >"$E2E_DIR/want"
e2e_expect_calls "$E2E_DIR/want"
EOF
	run "$run" "$ud" "$tmp/fail.sh"; check run-failing-pre 0 $rc

	# SCRIPT's status is the harness's; a hang is cut by -t
	printf 'exit 7\n' >"$tmp/seven.sh"
	run "$run" "$ud" "$tmp/seven.sh"; check run-status 7 $rc
	printf 'systemctl --user start --no-block a.service\nsleep 60\n' >"$tmp/hang.sh"
	start=$(date +%s)
	run "$run" -t 2 "$ud" "$tmp/hang.sh"; check run-timeout 124 $rc
	[ $(($(date +%s) - start)) -lt 15 ] && ok || fail "run-timeout: took too long"
	run "$run" "$tmp/no-such-dir" "$tmp/seven.sh"; check run-usage 125 $rc

	# with -j the manager's messages reach a private journal
	cat >"$tmp/journal.sh" <<'EOF'
. "$E2E_LIB"
e2e_start a.service || exit 1
timeout 10 journalctl --no-pager --user-unit=a.service | grep -q 'Finished a.service'
EOF
	run "$run" -j "$ud" "$tmp/journal.sh"; check run-journal 0 $rc

	# Quadlet's units run too, the recorder answering for podman (--sdnotify)
	if [ -d "$tmp/q/user" ]; then
		cat >"$tmp/quadlet.sh" <<'EOF'
. "$E2E_LIB"
e2e_ctl "NOTIFY podman run" "SLEEP infinity podman run"
e2e_start web.service || { e2e_logs db.service; e2e_logs web.service; exit 1; }
e2e_state web.service
sed 's/"--cidfile=[^"]*"/CID/' "$RECORD_LOG"
EOF
		run "$run" "$tmp/q/user" "$tmp/quadlet.sh"; check run-quadlet 0 $rc
		has run-quadlet-net '["podman","network","create","--ignore","--subnet","10.89.7.0/24","systemd-app"]'
		has run-quadlet-escapes '"sh","-c","echo 100% $HOME"]'
		sed -n '/"podman","run"/s/.*"--name","\([^"]*\)".*/\1/p' "$tmp/out" >"$tmp/q.order"
		printf 'app-db\napp-web\n' >"$tmp/q.want"
		same run-quadlet-order "$tmp/q.want" "$tmp/q.order"
	fi
fi

echo "$pass passed, $fails failed, $skips skipped"
[ "$fails" -eq 0 ] || exit 1
# 77: CTest counts the test as skipped (a check could not run)
[ "$skips" -eq 0 ] || exit 77
