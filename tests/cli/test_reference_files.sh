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
# the dates.  The script and the plan hold the secret's value: they must
# be readable by their owner only.  The test fails on the previous
# composec, which dropped these configs and secrets with a warning.
#
# Needs root, dockerd, docker compose, podman and the busybox image
# (tests/tools.sh); without them the test is skipped (exit 77), and with
# COMPOSEC_REQUIRE_TOOLS=1 a skip is a failure.
set -u
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
ref=$top/tests/reference
pass=0 fails=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() {
	echo "SKIP $*"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (a Docker Engine)"
command -v dockerd >/dev/null || skip "no dockerd (sh tests/tools.sh install)"
command -v podman >/dev/null || skip "no podman (sh tests/tools.sh install)"
compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
docker=$(command -v docker) || skip "no docker client"
runner=${composec%/*}/composec-run
[ -x "$runner" ] || skip "no $runner"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ref-files.XXXXXX")
engine=$tmp/engine
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
logs() {
	for s in app plain; do
		n=0
		until "$1" logs "composec-files-$s-1" 2>&1 | grep -q '^END$' || [ "$n" -ge 30 ]; do
			sleep 0.5
			n=$((n + 1))
		done
		"$1" logs "composec-files-$s-1" 2>&1 | sed -E 's/[A-Z][a-z]{2} +[0-9]+ +[0-9:]+ //' >"$2-$s"
	done
}

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
for f in up-docker.sh up-podman.sh plan-docker.json plan-podman.json; do
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

for e in docker podman run-docker run-podman; do
	for s in app plain; do
		if diff "ref-$s" "$e-$s" >diff.out; then ok; else
			fail "$e: service $s's files differ from docker compose's:"
			cat diff.out
		fi
	done
done
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
