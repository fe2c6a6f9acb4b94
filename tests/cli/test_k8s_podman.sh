#!/bin/sh
# test_k8s_podman.sh COMPOSEC - the Kubernetes manifests of the seed example
# (examples/compose.yaml) run under `podman kube play` (Debian's podman 4.3,
# TESTING.md "Kubernetes manifests"):
#   - db starts; app's init containers run in order: wait-for-db (the
#     nslookup loop composec writes), pre_start step 1 (fetches the schema
#     from db into the shared volume), step 2 (writes the page); then app
#     serves what the steps wrote to the volume;
#   - with a failing pre_start step the pod stops there: the app container
#     never starts and kube play fails.
# The manifests are played through tests/validate/k8s/kube-play-copy.mjs,
# which changes only what podman 4.3 needs (Pods named after the workloads,
# restartPolicy Never, local images, prefixed volume names; see there).
# Images: localhost/busybox:latest from tests/e2e/podman-setup.sh, and for
# the wait container a copy of it with nslookup.
#
# Needs root, podman and node; a missing tool is a skip, which fails the run
# with COMPOSEC_REQUIRE_TOOLS=1 (set by CI as root).
set -eu

composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
k8s=$top/tests/validate/k8s
setup=$top/tests/e2e/podman-setup.sh
prefix="composec-k8s-test"
net=$prefix
wait_image=localhost/$prefix-wait:latest
tmp=$(mktemp -d)
pass=0
fails=0
skips=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# exit 1 on a failure, 77 (CTest: skipped) when a check could not run
finish() {
	echo "$pass passed, $fails failed, $skips skipped"
	[ "$fails" -eq 0 ] || exit 1
	[ "$skips" -eq 0 ] || exit 77
	exit 0
}
skip() {
	echo "SKIP $*"
	skips=$((skips + 1))
	if [ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ]; then fail "skipped although COMPOSEC_REQUIRE_TOOLS=1: $*"; fi
	finish
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for f in "$tmp"/play-*.yaml; do
		if [ -f "$f" ]; then podman kube down "$f" >/dev/null 2>&1 || :; fi
	done
	podman volume rm -f "$prefix-site" "$prefix-dbdata" >/dev/null 2>&1 || :
	podman network rm -f "$net" >/dev/null 2>&1 || :
	podman image rm "$wait_image" >/dev/null 2>&1 || :
	rm -rf "$tmp"
}

if [ "$(id -u)" -ne 0 ]; then skip "podman kube play: needs root"; fi
if ! command -v node >/dev/null 2>&1; then skip "podman kube play: needs node"; fi
# podman-setup.sh comes with the e2e harness; wait for it a while when a
# checkout is being assembled
waited=0
while [ ! -x "$setup" ] && [ "$waited" -lt 1200 ]; do
	sleep 10
	waited=$((waited + 10))
done
[ -x "$setup" ] || skip "podman kube play: no $setup"
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
if ! "$setup" >"$tmp/setup.log" 2>&1; then
	cat "$tmp/setup.log"
	skip "podman kube play: podman-setup.sh failed"
fi
# the node packages (yaml) that kube-play-copy.mjs reads
"$k8s/validate.sh" --no-tsc "$top/golden/k8s-seed/expected/out" >"$tmp/validate.log" 2>&1 ||
	{ cat "$tmp/validate.log"; fail "validate.sh on the seed manifests"; }

# the wait container needs nslookup, which the test image does not link
podman rm -f "$prefix-img" >/dev/null 2>&1 || :
if podman run --name "$prefix-img" localhost/busybox:latest busybox ln -s busybox /bin/nslookup >/dev/null &&
	podman commit -q "$prefix-img" "$wait_image" >/dev/null; then ok; else fail "building $wait_image"; fi
podman rm -f "$prefix-img" >/dev/null 2>&1 || :
podman network exists "$net" || podman network create "$net" >/dev/null
images="busybox:1.36=$wait_image,*=localhost/busybox:latest"

# play NAME COMPOSE-FILE: compile, copy for podman, play; sets rc and ms
play() {
	mkdir -p "$tmp/$1"
	"$composec" k8s -f "$2" -o "$tmp/$1" 2>"$tmp/$1.err" || { cat "$tmp/$1.err"; fail "$1: composec k8s"; }
	(cd "$k8s" && node kube-play-copy.mjs "$tmp/$1" "$images" "$prefix") >"$tmp/play-$1.yaml" ||
		fail "$1: kube-play-copy.mjs"
	podman kube down "$tmp/play-$1.yaml" >/dev/null 2>&1 || :
	podman volume rm -f "$prefix-site" "$prefix-dbdata" >/dev/null 2>&1 || :
	since=$(date +%s)
	start=$(date +%s%N)
	rc=0
	timeout 180 podman kube play --network "$net" "$tmp/play-$1.yaml" >"$tmp/$1.play" 2>&1 || rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
}

# init events since $since for the pod $1: the containers in start order
started() {
	podman events --stream=false --since "$since" --filter event=init --format '{{.Name}}' 2>/dev/null |
		grep "^$1-" | grep -v -- '-infra$' | tr '\n' ' '
}

# --- the seed example ------------------------------------------------------------
play seed "$top/examples/compose.yaml"
if [ "$rc" -eq 0 ]; then ok; else fail "seed: kube play exit $rc"; cat "$tmp/seed.play"; fi
echo "podman kube play of the seed example: ${ms} ms (exit $rc)"
order=$(started app)
want="app-wait-for-db app-pre-start-1 app-pre-start-2 app-app "
if [ "$order" = "$want" ]; then ok; else fail "seed: containers of app started as \"$order\", expected \"$want\""; fi
if [ "$(started db)" = "db-db " ]; then ok; else fail "seed: db started as \"$(started db)\""; fi
page=$(podman exec app-app wget -q -O - http://127.0.0.1:8080/index.html 2>/dev/null || :)
if [ "$page" = "<h1>composec demo</h1><p>Hello from composec</p>" ]; then ok; else
	fail "seed: app serves \"$page\" as the page pre_start step 2 wrote"
fi
schema=$(podman exec app-app cat /srv/www/schema.txt 2>/dev/null || :)
if [ "$schema" = "schema v1" ]; then ok; else fail "seed: step 1's file from db reads \"$schema\""; fi
podman kube down "$tmp/play-seed.yaml" >/dev/null 2>&1 || :
podman volume rm -f "$prefix-site" "$prefix-dbdata" >/dev/null 2>&1 || :

# --- a failing pre_start step stops the pod -------------------------------------------
cat >"$tmp/fail.yaml" <<'EOF'
name: failing
services:
  app:
    image: localhost/busybox:latest
    command: ["sh", "-c", "echo started > /data/app; exec sleep 300"]
    volumes:
      - site:/data
    pre_start:
      - command: ["sh", "-c", "echo one > /data/one"]
      - command: ["sh", "-c", "exit 3"]
      - command: ["sh", "-c", "echo three > /data/three"]
volumes:
  site:
EOF
play fail "$tmp/fail.yaml"
if [ "$rc" -ne 0 ]; then ok; else fail "fail: kube play exit 0 with a failing pre_start step"; fi
order=$(started app)
want="app-pre-start-1 app-pre-start-2 "
if [ "$order" = "$want" ]; then ok; else fail "fail: containers of app started as \"$order\", expected \"$want\""; fi
vol=$(podman volume inspect --format '{{.Mountpoint}}' "$prefix-site" 2>/dev/null || :)
if [ -n "$vol" ] && [ -f "$vol/one" ] && [ ! -e "$vol/three" ] && [ ! -e "$vol/app" ]; then ok; else
	fail "fail: the volume holds $(cd "$vol" 2>/dev/null && find . -type f | tr '\n' ' ')(expected only one)"
fi
echo "podman kube play with a failing step: ${ms} ms (exit $rc)"

finish
