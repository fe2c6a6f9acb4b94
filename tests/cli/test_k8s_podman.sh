#!/bin/sh
# test_k8s_podman.sh COMPOSEC [--sid] - the Kubernetes manifests of the seed
# example (examples/compose.yaml) run under `podman kube play` as composec
# emits them, in its order (TESTING.md "Kubernetes manifests"): Debian 12's
# podman 4.3 here, podman 5.8 in the Debian sid root with --sid
# (tests/e2e/sid-root.sh):
#   - db starts; app's init containers run in order: wait-for-db (the
#     nslookup loop composec writes), pre_start step 1 (fetches the schema
#     from db into the shared volume), step 2 (writes the page); then app
#     serves what the steps wrote to the volume;
#   - with a failing pre_start step the pod stops there: the app container
#     never starts and kube play fails.
# The stream is the files in name order through
# tests/validate/k8s/kube-play-copy.mjs, which changes only what the engine
# forces: local images, imagePullPolicy Never, and for 4.3 Pods named after
# the workloads with restartPolicy Never (see there).  5.8 plays the
# Deployments and Services as they are.
# Images: localhost/busybox:latest (tests/e2e/podman-setup.sh here, the sid
# root's own there), and for the wait container a copy of it with nslookup.
#
# Needs root, podman and node (and the sid root for --sid); a missing tool
# is a skip, which fails the run with COMPOSEC_REQUIRE_TOOLS=1 (set by CI as
# root).  `--play DIR 43|58` is the part that runs where podman is.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
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

# ---- where podman is: play DIR/play-*.yaml and check ------------------------------
if [ "${1-}" = --play ]; then
	dir=$2 engine=$3
	net="composec-k8s-test"
	wait_image=localhost/composec-k8s-test-wait:latest
	# the pods' names: 4.3 plays Pods named as the workloads, 5.8 names a
	# Deployment's pod <name>-pod
	pod() { if [ "$engine" = 43 ]; then echo "$1"; else echo "$1-pod"; fi; }
	# shellcheck disable=SC2317 # run by the EXIT trap
	cleanup() {
		for f in "$dir"/play-*.yaml; do
			if [ -f "$f" ]; then podman kube down "$f" >/dev/null 2>&1 || :; fi
		done
		podman volume rm -f site dbdata >/dev/null 2>&1 || :
		podman network rm -f "$net" >/dev/null 2>&1 || :
		podman image rm "$wait_image" >/dev/null 2>&1 || :
	}
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$engine" = 58 ]; then sh "$top/tests/e2e/sid-root.sh" _image || fail "importing the busybox image"; fi
	podman --version
	# the wait container needs nslookup, which the test image does not link
	podman rm -f composec-k8s-test-img >/dev/null 2>&1 || :
	if podman run --name composec-k8s-test-img localhost/busybox:latest busybox ln -s busybox /bin/nslookup >/dev/null &&
		podman commit -q composec-k8s-test-img "$wait_image" >/dev/null; then ok; else fail "building $wait_image"; fi
	podman rm -f composec-k8s-test-img >/dev/null 2>&1 || :
	podman network exists "$net" || podman network create "$net" >/dev/null

	# play NAME: play $dir/play-NAME.yaml; sets rc and ms
	play() {
		podman kube down "$dir/play-$1.yaml" >/dev/null 2>&1 || :
		podman volume rm -f site dbdata >/dev/null 2>&1 || :
		since=$(date +%s)
		start=$(date +%s%N)
		rc=0
		timeout 180 podman kube play --network "$net" "$dir/play-$1.yaml" >"$dir/$1.play" 2>&1 || rc=$?
		ms=$((($(date +%s%N) - start) / 1000000))
	}
	# init events since $since for the pod $1: the containers in start order
	started() {
		podman events --stream=false --since "$since" --filter event=init --format '{{.Name}}' 2>/dev/null |
			grep "^$1-" | grep -v -- '-infra$' | tr '\n' ' '
	}

	# --- the seed example
	play seed
	if [ "$rc" -eq 0 ]; then ok; else fail "seed: kube play exit $rc"; cat "$dir/seed.play"; fi
	echo "podman kube play of the seed example: ${ms} ms (exit $rc)"
	app=$(pod app) db=$(pod db)
	order=$(started "$app")
	want="$app-wait-for-db $app-pre-start-1 $app-pre-start-2 $app-app "
	if [ "$order" = "$want" ]; then ok; else fail "seed: containers of app started as \"$order\", expected \"$want\""; fi
	if [ "$(started "$db")" = "$db-db " ]; then ok; else fail "seed: db started as \"$(started "$db")\""; fi
	page=$(podman exec "$app-app" wget -q -O - http://127.0.0.1:8080/index.html 2>/dev/null || :)
	if [ "$page" = "<h1>composec demo</h1><p>Hello from composec</p>" ]; then ok; else
		fail "seed: app serves \"$page\" as the page pre_start step 2 wrote"
	fi
	schema=$(podman exec "$app-app" cat /srv/www/schema.txt 2>/dev/null || :)
	if [ "$schema" = "schema v1" ]; then ok; else fail "seed: step 1's file from db reads \"$schema\""; fi
	podman kube down "$dir/play-seed.yaml" >/dev/null 2>&1 || :

	# --- a failing pre_start step stops the pod
	play fail
	if [ "$rc" -ne 0 ]; then ok; else fail "fail: kube play exit 0 with a failing pre_start step"; fi
	order=$(started "$app")
	want="$app-pre-start-1 $app-pre-start-2 "
	if [ "$order" = "$want" ]; then ok; else fail "fail: containers of app started as \"$order\", expected \"$want\""; fi
	vol=$(podman volume inspect --format '{{.Mountpoint}}' site 2>/dev/null || :)
	if [ -n "$vol" ] && [ -f "$vol/one" ] && [ ! -e "$vol/three" ] && [ ! -e "$vol/app" ]; then ok; else
		fail "fail: the volume holds $(cd "$vol" 2>/dev/null && find . -type f | tr '\n' ' ')(expected only one)"
	fi
	echo "podman kube play with a failing step: ${ms} ms (exit $rc)"
	finish
fi

# ---- here: compile, copy for the engine, play there --------------------------------
if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != --sid ]; }; then
	echo "usage: test_k8s_podman.sh COMPOSEC [--sid]" >&2
	exit 2
fi
composec=$1 sid=${2:+1}
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
k8s=$top/tests/validate/k8s
setup=$top/tests/e2e/podman-setup.sh
sid_root=$top/tests/e2e/sid-root.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -ne 0 ]; then skip "podman kube play: needs root"; fi
if ! command -v node >/dev/null 2>&1; then skip "podman kube play: needs node"; fi
if [ -n "$sid" ]; then
	sh "$sid_root" -n >/dev/null 2>&1 || skip "podman kube play: no sid root (sh tests/tools.sh install test)"
	engine=58 copy=
else
	# podman-setup.sh comes with the e2e harness; wait for it a while when
	# a checkout is being assembled
	waited=0
	while [ ! -x "$setup" ] && [ "$waited" -lt 1200 ]; do
		sleep 10
		waited=$((waited + 10))
	done
	[ -x "$setup" ] || skip "podman kube play: no $setup"
	if ! "$setup" >"$tmp/setup.log" 2>&1; then
		cat "$tmp/setup.log"
		skip "podman kube play: podman-setup.sh failed"
	fi
	engine=43 copy=--podman43
fi
# the node packages (yaml) that kube-play-copy.mjs reads
"$k8s/validate.sh" --no-tsc "$top/golden/k8s-seed/expected/out" >"$tmp/validate.log" 2>&1 ||
	{ cat "$tmp/validate.log"; fail "validate.sh on the seed manifests"; }
images="busybox:1.36=localhost/composec-k8s-test-wait:latest,*=localhost/busybox:latest"

# compile NAME COMPOSE-FILE: the manifests, and the stream for the engine
compile() {
	mkdir -p "$tmp/$1"
	"$composec" k8s -f "$2" -o "$tmp/$1" 2>"$tmp/$1.err" || { cat "$tmp/$1.err"; fail "$1: composec k8s"; }
	# shellcheck disable=SC2086 # $copy is empty or one word
	(cd "$k8s" && node kube-play-copy.mjs $copy "$tmp/$1" "$images") >"$tmp/play-$1.yaml" ||
		fail "$1: kube-play-copy.mjs"
}
compile seed "$top/examples/compose.yaml"
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
compile fail "$tmp/fail.yaml"

rc=0
if [ -n "$sid" ]; then
	TESTS_SHARE="$top $tmp" sh "$sid_root" enter sh "$top/tests/cli/test_k8s_podman.sh" --play "$tmp" 58 || rc=$?
else
	sh "$top/tests/cli/test_k8s_podman.sh" --play "$tmp" 43 || rc=$?
fi
if [ "$rc" -eq 0 ]; then ok; else fail "the plays in podman (exit $rc)"; fi
finish
