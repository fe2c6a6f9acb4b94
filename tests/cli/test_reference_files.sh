#!/bin/sh
# test_reference_files.sh COMPOSEC - configs and secrets written inline or
# taken from the environment, judged by docker compose itself.
#
# tests/reference/files/compose.yaml is brought up by docker compose on a
# private Docker Engine (tests/e2e/dockerd.sh); each container lists and
# prints its files (mode, owner, contents).  The script `composec sh`
# writes for docker, and composec-run with the plan `composec plan`
# writes for docker, then bring the same file up on the same engine; the
# script and the plan written for podman on this machine's podman: each
# container must print what docker compose's printed, byte for byte but
# the dates.  So must the systemd units written for docker and for podman,
# started under a user manager (tests/e2e/systemd-run.sh -e), and Quadlet's
# units for podman 5.8 under systemd 262 in the Debian sid root
# (tests/e2e/sid-root.sh).  The script, the plan and the units' scripts hold
# the secret's value: they must be readable by their owner only.  The test
# fails on the composec before each target carried them, which dropped
# these configs and secrets with a warning.
#
# Needs root, dockerd, docker compose, podman and the busybox image
# (tests/tools.sh); without them the test is skipped (exit 77), and with
# COMPOSEC_REQUIRE_TOOLS=1 a skip is a failure.
set -u
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
# shellcheck source=tests/cli/checks.sh
. "$(dirname "$0")/checks.sh" # ok, fail, skip, finish
[ "$(id -u)" -eq 0 ] || skip "needs root (a Docker Engine)"
command -v dockerd >/dev/null || skip "no dockerd (sh tests/tools.sh install)"
command -v podman >/dev/null || skip "no podman (sh tests/tools.sh install)"
compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
docker=$(command -v docker) || skip "no docker client"
runner=${composec%/*}/composec-run
[ -x "$runner" ] || skip "no $runner"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ref-files.XXXXXX")
engine=$tmp/engine
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -f "$tmp/up-podman.sh" ] && sh "$tmp/up-podman.sh" down >/dev/null 2>&1
	[ -f "$tmp/plan-podman.json" ] && "$runner" "$tmp/plan-podman.json" down >/dev/null 2>&1
	sh "$top/tests/e2e/dockerd.sh" stop "$engine" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
cp "$ref/files/compose.yaml" "$ref/files/file.txt" "$tmp/"
cd "$tmp" || exit 1
DOCKER_HOST=$(sh "$top/tests/e2e/dockerd.sh" start "$engine") || { fail "dockerd did not start"; exit 1; }
export DOCKER_HOST
export TOKEN="s3cr'et \$1"

# logs ENGINE PREFIX: each service's listing, dates removed, into PREFIX-<service>
# (a file of its own: the scripts run beside a user manager source it too)
cat >logs.sh <<'SH'
logs() {
	for s in app plain; do
		n=0
		until "$1" logs "composec-files-$s-1" 2>&1 | grep -q '^END$' || [ "$n" -ge 60 ]; do
			sleep 0.5
			n=$((n + 1))
		done
		"$1" logs "composec-files-$s-1" 2>&1 | sed -E 's/[A-Z][a-z]{2} +[0-9]+ +[0-9:]+ //' >"$2-$s"
	done
}
SH
# shellcheck disable=SC1091 # written just above
. ./logs.sh

timeout 120 "$compose" up -d >compose.out 2>&1 || { fail "docker compose up"; cat compose.out; }
logs "$docker" ref
"$compose" down -t 0 >/dev/null 2>&1
for s in app plain; do
	if grep -q '^END$' "ref-$s" && [ "$(grep -c -- '^-r' "ref-$s")" -ge 3 ]; then ok; else
		fail "docker compose's $s did not list its files"; cat "ref-$s"
	fi
done

"$composec" sh -q -o up-docker.sh || fail "composec sh"
"$composec" sh -q --engine podman -o up-podman.sh || fail "composec sh --engine podman"
"$composec" plan -q -o plan-docker.json || fail "composec plan"
"$composec" plan -q --engine podman -o plan-podman.json || fail "composec plan --engine podman"
"$composec" systemd -q -o units-docker || fail "composec systemd"
"$composec" systemd -q --engine podman -o units-podman || fail "composec systemd --engine podman"
"$composec" quadlet -q --podman-version 5.8 -o units-quadlet || fail "composec quadlet"
for f in up-docker.sh up-podman.sh plan-docker.json plan-podman.json units-*/*.files.sh; do
	mode=$(stat -c %A "$f")
	case $mode in -rw[x-]------) ok ;; *) fail "$f, which holds the secret, is $mode" ;; esac
done

timeout 120 sh up-docker.sh up >docker.out 2>&1 || { fail "the docker script's up"; cat docker.out; }
logs "$docker" docker
sh up-docker.sh down >/dev/null 2>&1
timeout 120 sh up-podman.sh up >podman.out 2>&1 || { fail "the podman script's up"; cat podman.out; }
logs podman podman
sh up-podman.sh down >/dev/null 2>&1
timeout 120 "$runner" plan-docker.json up -d >run-docker.out 2>&1 || { fail "composec-run up (docker)"; cat run-docker.out; }
logs "$docker" run-docker
"$runner" plan-docker.json down >/dev/null 2>&1
timeout 120 "$runner" plan-podman.json up -d >run-podman.out 2>&1 || { fail "composec-run up (podman)"; cat run-podman.out; }
logs podman run-podman
"$runner" plan-podman.json down >/dev/null 2>&1

# The systemd units under a user manager (tests/e2e/systemd-run.sh -e, the
# real engines): for docker on the same engine, for podman on this
# machine's; each unit creates its container, copies the files in with the
# script beside it, and starts it.
for e in docker podman; do
	cat >"sd-$e.sh" <<SH
. '$tmp/logs.sh'
systemctl --user start composec-files.target || exit 1
logs $e '$tmp/systemd-$e'
systemctl --user stop composec-files.target 'composec-files-*'
SH
	if timeout 200 sh "$top/tests/e2e/systemd-run.sh" -e -t 150 "$tmp/units-$e" "$tmp/sd-$e.sh" >"sd-$e.out" 2>&1; then
		ok
	else
		fail "the systemd units for $e did not start and stop"
		cat "sd-$e.out"
	fi
done
# Quadlet's units on the newest consumers, podman 5.8 under a systemd 262
# user manager in the Debian sid root: each unit writes the files with the
# script beside its .container (named by the absolute -o directory) into
# its runtime directory, and its container binds them.
if sh "$top/tests/e2e/sid-root.sh" -n >/dev/null 2>&1; then
	cat >sd-quadlet.sh <<SH
. '$tmp/logs.sh'
systemctl --user start composec-files-app.service composec-files-plain.service || exit 1
logs podman '$tmp/quadlet'
systemctl --user stop composec-files-app.service composec-files-plain.service
SH
	if TESTS_SHARE="$top $tmp" timeout 300 sh "$top/tests/e2e/sid-root.sh" enter sh "$top/tests/e2e/systemd-run.sh" \
		-e -g -t 200 "$tmp/units-quadlet" "$tmp/sd-quadlet.sh" >sd-quadlet.out 2>&1; then
		ok
	else
		fail "Quadlet's units did not start and stop in the sid root"
		cat sd-quadlet.out
	fi
	quadlet=quadlet
else
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && fail "no sid root (sh tests/tools.sh install test)"
	echo "no sid root: Quadlet's units not run (sh tests/tools.sh install test)"
	quadlet=
fi

for e in docker podman run-docker run-podman systemd-docker systemd-podman $quadlet; do
	for s in app plain; do
		if diff "ref-$s" "$e-$s" >diff.out; then ok; else
			fail "$e: service $s's files differ from docker compose's:"
			cat diff.out
		fi
	done
done
finish
