#!/bin/sh
# test_k8s_validate.sh COMPOSEC - every Kubernetes document composec writes
# for the golden cases and the corpus is accepted by the Kubernetes schemas
# and the unknown-field check (tests/validate/k8s/validate.sh).
#
#   1. Each golden case whose input loads (`composec config` with the case's
#      arguments, environment and stdin exits 0) is compiled with
#      `composec k8s -o DIR` (its subcommand and -o replaced); that must
#      exit 0.  One case is also printed to stdout, as the multi-document
#      stream.
#   2. validate.sh checks all of it at once; figures are printed.
#   3. The checker proves itself on documents with a misspelled field, a
#      wrong type, a duplicate key and a bad name: each is reported.
#   4. Hostile strings read back, kubelet-expanded, as compose gives them
#      (hostile.mjs), and on the kompose-style cases everything kompose
#      emits is carried (kompose.mjs).
#   5. Every compiled case behaves as compose on the network (network.mjs):
#      each service reached by its name and aliases, each connection between
#      services admitted or refused by the NetworkPolicies as compose's
#      networks do, no livenessProbe unless asked.
#   6. Every case's Helm chart (--format helm) passes `helm lint`, and
#      `helm template` with its values renders the plain output's objects
#      (chart.mjs); values set on the command line reach the objects.
#
# Needs node and npm (the npm registry for the first `npm ci`); without
# them the test is skipped, which fails the run with COMPOSEC_REQUIRE_TOOLS=1.
set -eu

composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
k8s=$top/tests/validate/k8s
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "SKIP k8s validation: needs node and npm"
	skips=1
	if [ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ]; then fail "skipped although COMPOSEC_REQUIRE_TOOLS=1"; fi
	finish
fi

# run_case CASEDIR SUBCOMMAND [ARG...]: composec in the case's directory with
# its environment, stdin and arguments, minus its subcommand and its -o
# (and --check, and --format helm: a chart's case compiles plain here).
run_case() {
	dir=$1
	shift
	(
		cd "$dir"
		n=$#
		# env KEY=VALUE words first, then composec, then ours, then the case's
		if [ -f env ]; then
			while IFS= read -r line || [ -n "$line" ]; do
				case $line in '' | '#'*) continue ;; esac
				set -- "$@" "$line"
			done <"./env"
		fi
		set -- "$@" "$composec"
		i=0
		while [ "$i" -lt "$n" ]; do
			set -- "$@" "$1"
			shift
			i=$((i + 1))
		done
		if [ -f args ]; then
			first=1 skip_next=0 format=0
			while IFS= read -r line || [ -n "$line" ]; do
				if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
				# --format helm: ours decides whether this is the chart
				if [ "$format" = 1 ]; then
					format=0
					[ "$line" = helm ] || set -- "$@" --format "$line"
					continue
				fi
				case $first$line in
				1config | 1systemd | 1quadlet | 1k8s | 1sh | 1plan | 1audit) first=0; continue ;;
				*-o | *--output) skip_next=1; first=0; continue ;;
				*--check) first=0; continue ;;
				*--format) format=1; first=0; continue ;;
				esac
				first=0
				set -- "$@" "$line"
			done <"./args"
		fi
		stdin=/dev/null
		if [ -f stdin ]; then stdin=stdin; fi
		exec env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@" <"$stdin"
	)
}

out=$tmp/out
mkdir -p "$out"
cases=0
loaded=0
for dir in "$top"/golden/*/; do
	dir=${dir%/}
	name=${dir##*/}
	[ -f "$dir/compose.yaml" ] || [ -f "$dir/args" ] || continue
	cases=$((cases + 1))
	if ! run_case "$dir" config >/dev/null 2>&1; then
		continue
	fi
	loaded=$((loaded + 1))
	if run_case "$dir" k8s -o "$out/$name" >/dev/null 2>"$tmp/err"; then ok; else
		fail "$name: composec k8s failed"
		cat "$tmp/err"
	fi
done
mkdir -p "$out/stream"
run_case "$top/golden/k8s-kompose-app" k8s >"$out/stream/stream.yaml" 2>/dev/null || fail "stream: composec k8s"
echo "k8s: $loaded of $cases golden cases load; compiled to $(find "$out" -type f | wc -l) files"

# --- 2. the schemas and the unknown-field check --------------------------------------------
start=$(date +%s%N)
if "$k8s/validate.sh" "$out" >"$tmp/validate.log" 2>&1; then ok; else fail "validate.sh found problems:"; fi
grep -v '^validate-k8s:' "$tmp/validate.log" | head -n 40 || :
echo "$(grep '^validate-k8s:' "$tmp/validate.log" || tail -n 3 "$tmp/validate.log") ($((($(date +%s%N) - start) / 1000000)) ms)"

# --- 3. the checker catches what it should -------------------------------------------------
mkdir -p "$tmp/bad"
cat >"$tmp/bad/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "2"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolcy: Never
EOF
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: Web_1\n  name: web\nspec: {}\n' >"$tmp/bad/service.yaml"
printf 'apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n' >"$tmp/bad/widget.yaml"
rc=0
"$k8s/validate.sh" "$tmp/bad" >"$tmp/bad.log" 2>&1 || rc=$?
if [ "$rc" -eq 1 ]; then ok; else fail "validate.sh on bad documents: exit $rc"; cat "$tmp/bad.log"; fi
for want in "replicas must be integer" "imagePullPolcy" "Map keys must be unique" "no model for v1 Widget"; do
	if grep -qF -- "$want" "$tmp/bad.log"; then ok; else fail "validate.sh did not report \"$want\""; cat "$tmp/bad.log"; fi
done

# --- 4. hostile strings and kompose --------------------------------------------------------
run_case "$top/golden/k8s-hostile" config --format json >"$tmp/hostile.json" 2>/dev/null
if (cd "$k8s" && node hostile.mjs "$out/k8s-hostile" "$tmp/hostile.json") >"$tmp/hostile.log" 2>&1; then ok; else
	fail "hostile strings:"
	cat "$tmp/hostile.log"
fi
tail -n 1 "$tmp/hostile.log"
for name in k8s-kompose-app k8s-kompose-guestbook k8s-kompose-labels; do
	mkdir -p "$tmp/kompose/$name"
	run_case "$top/golden/$name" k8s -o "$tmp/kompose/$name" 2>/dev/null >/dev/null || :
	if (cd "$k8s" && node kompose.mjs "$top/golden/$name/kompose-k8s.yaml" "$tmp/kompose/$name") >"$tmp/kompose.log" 2>&1; then ok; else
		fail "$name: composec does not carry what kompose emits:"
		cat "$tmp/kompose.log"
	fi
	tail -n 1 "$tmp/kompose.log"
done

# --- 5. names, isolation and probes as compose has them --------------------------------------
# every compiled case: each service reached by name, each connection admitted
# or refused by the NetworkPolicies as compose's networks do (network.mjs)
start=$(date +%s%N)
nets=0 admitted=0 refused=0 policies=0
for compiled in "$out"/*/; do
	compiled=${compiled%/}
	name=${compiled##*/}
	[ "$name" != stream ] || continue
	run_case "$top/golden/$name" config --format json >"$tmp/config.json" 2>/dev/null || continue
	if (cd "$k8s" && node network.mjs "$tmp/config.json" "$compiled") >"$tmp/network.log" 2>&1; then ok; else
		fail "$name: the cluster does not reach and refuse as compose does:"
		head -n 20 "$tmp/network.log"
	fi
	# shellcheck disable=SC2046 # three numbers, or none
	set -- $(sed -n 's/^network: .* \([0-9]*\) NetworkPolicies, \([0-9]*\) connections admitted and \([0-9]*\) refused.*/\1 \2 \3/p' "$tmp/network.log")
	if [ $# -eq 3 ]; then
		nets=$((nets + 1)) policies=$((policies + $1)) admitted=$((admitted + $2)) refused=$((refused + $3))
	fi
done
echo "network: $nets cases, $policies NetworkPolicies, $admitted connections admitted and $refused refused as compose does ($((($(date +%s%N) - start) / 1000000)) ms)"
if [ "$nets" -gt 100 ] && [ "$refused" -gt 0 ] && [ "$policies" -gt 0 ]; then ok; else
	fail "network: too few cases, policies or refusals checked ($nets, $policies, $refused)"
fi

# --- 6. the Helm chart of every case ---------------------------------------------------------
# `composec k8s --format helm`: helm lint passes, and helm template with the
# chart's own values renders the objects of the plain output (chart.mjs)
helm=$top/tests/validate/helm/helm.sh
start=$(date +%s%N)
charts=0 objects=0
mkdir -p "$tmp/chart"
for compiled in "$out"/*/; do
	compiled=${compiled%/}
	name=${compiled##*/}
	[ "$name" != stream ] || continue
	chart=$tmp/chart/$name
	run_case "$top/golden/$name" k8s --format helm -o "$chart" >/dev/null 2>&1 || {
		fail "$name: composec k8s --format helm failed"
		continue
	}
	[ -f "$chart/Chart.yaml" ] || continue # the case asks for another --format
	charts=$((charts + 1))
	if sh "$helm" lint --quiet "$chart" >"$tmp/lint.log" 2>&1; then ok; else
		fail "$name: helm lint:"
		head -n 20 "$tmp/lint.log"
	fi
	if ! sh "$helm" template "$name" "$chart" >"$tmp/rendered.yaml" 2>"$tmp/template.log"; then
		fail "$name: helm template:"
		head -n 20 "$tmp/template.log"
		continue
	fi
	if (cd "$k8s" && node chart.mjs "$compiled" "$tmp/rendered.yaml") >"$tmp/chart.log" 2>&1; then ok; else
		fail "$name: the chart does not render the plain manifests:"
		head -n 20 "$tmp/chart.log"
	fi
	n=$(sed -n 's/^chart: \([0-9]*\) objects rendered.*/\1/p' "$tmp/chart.log")
	objects=$((objects + ${n:-0}))
done
echo "helm: $charts charts linted and rendered to $objects objects, each as the plain output ($((($(date +%s%N) - start) / 1000000)) ms)"
if [ "$charts" -gt 100 ]; then ok; else fail "helm: too few charts ($charts)"; fi

# the values reach the objects: one of each kind changed on the command line
chart=$tmp/chart/k8s-kompose-labels
if sh "$helm" template blog "$chart" --set services.web.replicas=3 --set services.web.image.tag=2.2 \
	--set services.web.service.type=LoadBalancer --set volumes.uploads.size=9Gi \
	--set-json 'services.api.ingress.hosts=["www.example.org","api.example.com"]' --set services.db.env.POSTGRES_DB=other \
	--set 'services.lb.resources.limits.memory=64Mi' >"$tmp/set.yaml" 2>"$tmp/set.log"; then
	for want in "replicas: 3" 'image: "ghcr.io/example/blog-web:2.2"' 'type: "LoadBalancer"' 'storage: "9Gi"' \
		'host: "www.example.org"' 'value: "other"' '"memory":"64Mi"'; do
		if grep -qF -- "$want" "$tmp/set.yaml"; then ok; else fail "helm --set: no \"$want\" in what the chart renders"; fi
	done
else
	fail "helm template --set:"
	cat "$tmp/set.log"
fi

finish
