#!/bin/sh
# test_quadlet_generator.sh COMPOSEC [--sid]
#
# Podman's real Quadlet generator (5.4, tests/validate/fetch-quadlet.sh;
# with --sid 5.8 and systemd 262 of the Debian sid root, tests/e2e/sid-root.sh)
# converts every .container, .network, .volume and .build file composec
# generates from every golden case and corpus file, and
# `systemd-analyze verify` accepts every unit it generates.
#
# The cases: each golden/<case>/ with a compose file (or -f in its args) and
# no non-zero expected/exit.  For each, `composec quadlet` runs as
# tests/golden.sh runs the case (in the case directory, with only PATH, HOME
# and the case's env file in the environment) with the input options of its
# args file (-f, -p, --project-directory, --env-file, --profile, --strict,
# --loose), for the default --podman-version (5.0) and for 4.4, 5.2 and 5.4
# (and 5.8 with --sid): every version up to the generator's own.  A
# run that composec refuses for the version alone (an attribute that needs
# a newer podman: "needs podman X.Y") counts as refused, not failed, and
# must succeed at the newest version.  From 5.0 each case also runs with
# --pod (the containers in one <project>.pod); a case that cannot be one
# pod (network_mode, a host port published twice: "--pod") counts as
# refused.  With --sid the generator and
# systemd-analyze run inside the sid root (sid-root.sh enter), on this
# test's directory only.
# tests/validate/quadlet.sh runs the generator on each directory (system
# units; user units too for the default version), and every Quadlet file
# must have become its service.  The generated units are checked by
# verify-units.sh with podman's own units available (what `quadlet.sh -V`
# does one directory at a time, batched).  Work is spread over up to 4
# parallel jobs.
#
# Warnings: the generator warns about every image that is not a fully
# qualified name ("nginx", "postgres:16").  Those names come from the compose
# files, are what docker and podman accept, and composec passes them on
# unchanged by design, so quadlet.sh runs with -w; any other message, and any
# other warning, is a failure.  The short-name warnings are counted.
#
# Without the cached generator (run tests/validate/fetch-quadlet.sh, or
# sid-root.sh for --sid; CI does before `make test`) or systemd-analyze the
# test is skipped; with
# COMPOSEC_REQUIRE_TOOLS=1 (CI) a skip is a failure.
# shellcheck disable=SC2317 # the *_item and verify_group functions are called through parallel
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != --sid ]; }; then
	echo "usage: test_quadlet_generator.sh COMPOSEC [--sid]" >&2
	exit 2
fi
composec=$1 sid=${2:+1}
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
verify=$top/tests/validate/verify-units.sh
quadlet_sh=$top/tests/validate/quadlet.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quadlet-generator.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP PIPE
pass=0 fails=0 skips=0
jobs=$(nproc 2>/dev/null || echo 2)
if [ "$jobs" -gt 4 ]; then jobs=4; fi

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
t_start=$(date +%s%N)
elapsed() { echo "$((($(date +%s%N) - t_start) / 1000000)) ms"; }
# tally FILE: count the "ok" and "FAIL ..." lines a job wrote; print the rest
tally() {
	while IFS= read -r line; do
		case $line in
		ok) ok ;;
		"FAIL "*) echo "$line" && fails=$((fails + 1)) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$1"
}
# parallel LIST FUNCTION: FUNCTION ITEM for each line of LIST, in $jobs
# background jobs; their output is tallied
parallel() {
	_pk=0
	while [ "$_pk" -lt "$jobs" ]; do
		_pn=0
		while IFS= read -r _pitem; do
			if [ $((_pn % jobs)) -eq "$_pk" ]; then "$2" "$_pitem"; fi
			_pn=$((_pn + 1))
		done <"$1" >"$tmp/job.$_pk" 2>&1 &
		_pk=$((_pk + 1))
	done
	wait
	_pk=0
	while [ "$_pk" -lt "$jobs" ]; do
		tally "$tmp/job.$_pk"
		_pk=$((_pk + 1))
	done
}

# is_case CASEDIR: the case loads (no non-zero expected/exit) and has input
is_case() {
	if [ -f "$1/expected/exit" ] && [ "$(tr -d ' \t\n' <"$1/expected/exit")" != 0 ]; then
		return 1
	fi
	for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
		if [ -f "$1/$f" ]; then return 0; fi
	done
	[ -f "$1/args" ] && grep -qx -e -f -e --file "$1/args"
}

# gen CASEDIR OUTDIR SUBCOMMAND [OPTION...]: composec SUBCOMMAND OPTION...
# -o OUTDIR on the case's input, as golden.sh runs it; output in OUTDIR.log
gen() {
	gdir=$1 gout=$2
	shift 2
	set -- "$composec" "$@" -o "$gout"
	if [ -f "$gdir/args" ]; then
		first=1 value=0
		while IFS= read -r line || [ -n "$line" ]; do
			if [ "$value" = 1 ]; then set -- "$@" "$line" && value=0 && continue; fi
			if [ "$first" = 1 ]; then
				first=0
				case $line in config | systemd | quadlet | k8s | sh | plan | audit) continue ;; esac
			fi
			case $line in
			-f | --file | -p | --project-name | --project-directory | --env-file | --profile)
				set -- "$@" "$line" && value=1 ;;
			--file=* | --project-name=* | --project-directory=* | --env-file=* | --profile=* | \
				--strict | --loose) set -- "$@" "$line" ;;
			esac
		done <"$gdir/args"
	fi
	if [ -f "$gdir/env" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in '' | '#'*) continue ;; esac
			set -- "$line" "$@"
		done <"$gdir/env"
	fi
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		eval "val=\${$v-}"
		if [ -n "$val" ]; then set -- "$v=$val" "$@"; fi
	done
	mkdir -p "$gout"
	(cd "$gdir" && exec timeout 30 env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@") \
		</dev/null >"$gout.log" 2>&1
}

# gen_item "CASE VERSION[ pod]": one composec run; prints "ok" or "FAIL ..."
gen_item() {
	name=${1%% *} rest=${1#* }
	version=${rest% pod} mode=
	if [ "$version" != "$rest" ]; then mode=pod; fi
	if [ "$version" = default ]; then set --; else set -- --podman-version "$version"; fi
	out=$tmp/in/$name.$version
	if [ -n "$mode" ]; then set -- "$@" --pod && out=$out.pod; fi
	if gen "$top/golden/$name" "$out" quadlet "$@"; then
		echo ok
	elif [ "$version" != "$newest" ] && grep -q 'error: .* needs podman [0-9.]* (this output is for' "$out.log"; then
		echo "refused $name $version"
		rm -rf "$out"
	elif [ -n "$mode" ] && grep -q 'error: .*--pod' "$out.log"; then
		echo "refused $name $version pod"
		rm -rf "$out"
	else
		echo "FAIL composec quadlet $* on golden/$name: exit $?"
		cat "$out.log"
		rm -rf "$out"
	fi
}

# convert_item "MODE DIR": the generator on $tmp/in/DIR into $tmp/MODE/DIR;
# checks its messages and that every Quadlet file became a service; prints
# "ok" or "FAIL ...", and "files N" and "short N" for the figures
convert_item() {
	mode=${1% *} dir=${1#* }
	cin=$tmp/in/$dir cout=$tmp/$mode/$dir
	if [ "$mode" = user ]; then set -- --user; else set --; fi
	log=$tmp/$mode/$dir.log
	rc=0
	timeout 30 sh "$quadlet_sh" "$@" -w -o "$cout" "$cin" >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL quadlet.sh $* on $dir: exit $rc"
		cat "$log"
		return 0
	fi
	# quadlet-generator[PID]: Warning: web.container specifies the image "web"
	# which not a fully qualified image name. ...
	if grep -v '^quadlet: ' "$log" | grep -v 'Warning: .* which not a fully qualified image name'; then
		echo "FAIL quadlet.sh $* on $dir: unexpected messages (above)"
		return 0
	fi
	echo "short $(grep -c 'not a fully qualified image name' "$log" || :)"
	missing='' n=0
	for f in "$cin"/*; do
		base=${f##*/}
		case $base in
		*.container) svc=${base%.container}.service ;;
		*.network) svc=${base%.network}-network.service ;;
		*.volume) svc=${base%.volume}-volume.service ;;
		*.build) svc=${base%.build}-build.service ;;
		*.pod) svc=${base%.pod}-pod.service ;;
		*.image) svc=${base%.image}-image.service ;;
		*) continue ;;
		esac
		n=$((n + 1))
		[ -f "$cout/$svc" ] || missing="$missing $base"
	done
	echo "files $n"
	if [ -z "$missing" ]; then echo ok; else echo "FAIL quadlet.sh $* on $dir: no service for$missing"; fi
}

# verify_group "K": verify-units.sh over every K-th directory of $tmp/dirs
verify_group() {
	group=$1
	if [ "$mode" = user ]; then set -- --user -I "$podman_units/user"; else set -- -I "$podman_units/system"; fi
	nflags=$#
	n=0
	while IFS= read -r d; do
		if [ $((n % jobs)) -eq "$group" ]; then set -- "$@" "$d"; fi
		n=$((n + 1))
	done <"$tmp/dirs"
	if [ $# -eq "$nflags" ]; then echo ok && return 0; fi
	if [ -n "$sid" ]; then set -- env TESTS_SHARE="$top $tmp" sh "$sid_root" enter sh "$verify" "$@"; else
		set -- sh "$verify" "$@"; fi
	if timeout 100 "$@" >"$tmp/vout.$group" 2>&1; then
		echo ok
	else
		echo "FAIL verify-units.sh ($mode units): exit $?"
	fi
	sed "s|$tmp/||g" "$tmp/vout.$group"
}

# summary DESCRIPTION: add up the groups' "verify-units: N units in M
# directories...: K with findings" lines; every directory must be counted
summary() {
	cat "$tmp"/vout.* 2>/dev/null | sed -n \
		's/^verify-units: \([0-9]*\) units in \([0-9]*\) directories.*: \([0-9]*\) with findings$/\1 \2 \3/p' \
		>"$tmp/counts"
	u=0 d=0 f=0
	while read -r a b c; do u=$((u + a)) d=$((d + b)) f=$((f + c)); done <"$tmp/counts"
	echo "verify-units: $u units in $d directories$1: $f with findings"
	want=$(wc -l <"$tmp/dirs")
	if [ "$d" -eq "$want" ] && [ "$u" -gt 0 ]; then ok; else
		fail "verify-units.sh checked $u units in $d directories, expected $want directories"; fi
	rm -f "$tmp"/vout.*
}

versions="default 4.4 5.2 5.4" newest=5.4
sid_root=$top/tests/e2e/sid-root.sh
if [ -n "$sid" ]; then
	if ! sh "$sid_root" -n >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
		skip "no sid root (run tests/e2e/sid-root.sh as root)"
		finish
	fi
	versions="$versions 5.8" newest=5.8
	# the generator of the sid root, on this test's files (shared inside)
	quadlet=$tmp/quadlet-sid
	printf '#!/bin/sh\nTESTS_SHARE=%s exec sh %s enter /usr/libexec/podman/quadlet "$@"\n' \
		"$tmp" "$sid_root" >"$quadlet"
	chmod 755 "$quadlet"
	podman_units=/usr/lib/systemd
	echo "generator: $(sh "$sid_root" chroot /usr/libexec/podman/quadlet -version)," \
		"$(sh "$sid_root" chroot systemd-analyze --version | head -n 1)"
	export TMPDIR="$tmp/t"
	mkdir -p "$TMPDIR"
else
	if ! quadlet=$(sh "$top/tests/validate/fetch-quadlet.sh" -n 2>/dev/null); then
		skip "Quadlet generator not cached (run tests/validate/fetch-quadlet.sh)"
		finish
	fi
	if ! command -v systemd-analyze >/dev/null; then
		skip "no systemd-analyze (package systemd)"
		finish
	fi
	podman_units=$(dirname "$(dirname "$(dirname "$quadlet")")")/lib/systemd
fi
export QUADLET="$quadlet"

ncases=0
: >"$tmp/items"
for gdir in "$top"/golden/*/; do
	gdir=${gdir%/}
	is_case "$gdir" || continue
	ncases=$((ncases + 1))
	for version in $versions; do
		echo "${gdir##*/} $version"
		case $version in 4.*) ;; *) echo "${gdir##*/} $version pod" ;; esac
	done >>"$tmp/items"
done
if [ "$ncases" -gt 0 ]; then ok; else fail "no golden cases found"; fi
mkdir -p "$tmp/in" "$tmp/system" "$tmp/user"
parallel "$tmp/items" gen_item
echo "composec: $(wc -l <"$tmp/items") runs, $(elapsed) so far"

: >"$tmp/items"
for d in "$tmp"/in/*/; do
	d=${d%/}
	echo "system ${d##*/}"
	case $d in *.default | *.default.pod) echo "user ${d##*/}" ;; esac
done >"$tmp/items"
parallel "$tmp/items" convert_item >"$tmp/convert.log"
echo "quadlet.sh: $(wc -l <"$tmp/items") runs, $(elapsed) so far"
grep -v -e '^files ' -e '^short ' "$tmp/convert.log" || :
nfiles=$(sed -n 's/^files //p' "$tmp/convert.log" | { s=0; while read -r n; do s=$((s + n)); done; echo "$s"; })
nshort=$(sed -n 's/^short //p' "$tmp/convert.log" | { s=0; while read -r n; do s=$((s + n)); done; echo "$s"; })
count() { find "$tmp/in" -type f -name "*.$1" | wc -l; }
echo "quadlet: $ncases golden cases x $(echo "$versions" | wc -w) podman versions (and --pod from 5.0):" \
	"$(count container) .container, $(count network) .network, $(count volume) .volume, $(count build) .build," \
	"$(count pod) .pod files; $nfiles conversions (system units," \
	"and user units for the default version), $nshort short-name image warnings"
if [ "$nfiles" -gt 0 ]; then ok; else fail "no Quadlet files converted"; fi
# images are fully qualified (as docker resolves short names): podman has
# nothing to ask a unit that cannot answer
if [ "$nshort" -eq 0 ]; then ok; else fail "$nshort short-name image warnings from the generator"; fi

k=0
: >"$tmp/groups"
while [ "$k" -lt "$jobs" ]; do echo "$k" >>"$tmp/groups" && k=$((k + 1)); done
for mode in system user; do
	find "$tmp/$mode" -mindepth 1 -maxdepth 1 -type d | sort >"$tmp/dirs"
	if [ ! -s "$tmp/dirs" ]; then
		fail "no $mode units generated"
		continue
	fi
	parallel "$tmp/groups" verify_group >"$tmp/verify.log"
	grep -v '^verify-units: ' "$tmp/verify.log" || :
	summary " ($mode units)"
done
echo "verified, $(elapsed) in all"
finish
