#!/bin/sh
# test_systemd_verify.sh COMPOSEC
#
# Every unit composec generates from every golden case and corpus file passes
# `systemd-analyze verify` with no output at all (tests/validate/verify-units.sh).
#
# The cases: each golden/<case>/ with a compose file (or -f in its args) and
# no non-zero expected/exit.  For each, `composec systemd` runs as
# tests/golden.sh runs the case (in the case directory, with only PATH, HOME
# and the case's env file in the environment) with the input options of its
# args file (-f, -p, --project-directory, --env-file, --profile, --strict,
# --loose; the rest belongs to the case's own command), three times:
# --engine docker, --engine podman (Type=notify readiness) and --engine
# podman --podman-version 4.3 (the health-check loop).  verify-units.sh then
# checks every directory as system units, and the docker ones as user units
# too.  Work is spread over up to 4 parallel jobs.
#
# Without systemd-analyze the test is skipped; with COMPOSEC_REQUIRE_TOOLS=1
# (CI) a skip is a failure.
# shellcheck disable=SC2317 # gen_item and verify_group are called through parallel
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test_systemd_verify.sh COMPOSEC" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
verify=$top/tests/validate/verify-units.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/systemd-verify.XXXXXX")
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

# gen_item "CASE VARIANT": one composec run; prints "ok" or "FAIL ..."
gen_item() {
	name=${1% *} variant=${1#* }
	case $variant in
	docker) set -- --engine docker ;;
	podman) set -- --engine podman ;;
	podman43) set -- --engine podman --podman-version 4.3 ;;
	esac
	out=$tmp/units/$name.$variant
	if gen "$top/golden/$name" "$out" systemd "$@"; then
		echo ok
	elif grep -q 'error: .* needs [a-z]* [0-9.]* (this output is for' "$out.log"; then
		# refused for the engine's version alone (a volume's subpath on
		# podman below 5.4): by design
		echo "refused $name $variant"
		rm -rf "$out"
	else
		echo "FAIL composec systemd $* on golden/$name: exit $?"
		cat "$out.log"
		rm -rf "$out"
	fi
}

# verify_group "K": verify-units.sh over every K-th directory of $tmp/dirs
verify_group() {
	group=$1
	set --
	n=0
	while IFS= read -r d; do
		if [ $((n % jobs)) -eq "$group" ]; then set -- "$@" "$d"; fi
		n=$((n + 1))
	done <"$tmp/dirs"
	if [ $# -eq 0 ]; then echo ok && return 0; fi
	if timeout 50 sh "$verify" ${vflags:+"$vflags"} "$@" >"$tmp/vout.$group" 2>&1; then
		echo ok
	else
		echo "FAIL verify-units.sh ($mode units): exit $?"
	fi
	sed "s|$tmp/units/||g" "$tmp/vout.$group"
}

if ! command -v systemd-analyze >/dev/null; then
	skip "no systemd-analyze (package systemd)"
	finish
fi

ncases=0
: >"$tmp/items"
for gdir in "$top"/golden/*/; do
	gdir=${gdir%/}
	is_case "$gdir" || continue
	ncases=$((ncases + 1))
	for variant in docker podman podman43; do echo "${gdir##*/} $variant"; done >>"$tmp/items"
done
if [ "$ncases" -gt 0 ]; then ok; else fail "no golden cases found"; fi
mkdir -p "$tmp/units"
parallel "$tmp/items" gen_item
echo "composec: $(wc -l <"$tmp/items") runs, $(elapsed) so far"

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
for mode in system user; do
	if [ "$mode" = user ]; then
		vflags=--user
		find "$tmp/units" -mindepth 1 -maxdepth 1 -type d -name '*.docker' | sort >"$tmp/dirs"
	else
		vflags=
		find "$tmp/units" -mindepth 1 -maxdepth 1 -type d | sort >"$tmp/dirs"
	fi
	if [ ! -s "$tmp/dirs" ]; then
		fail "no unit directories generated"
		continue
	fi
	k=0
	: >"$tmp/groups"
	while [ "$k" -lt "$jobs" ]; do echo "$k" >>"$tmp/groups" && k=$((k + 1)); done
	parallel "$tmp/groups" verify_group >"$tmp/verify.log"
	grep -v '^verify-units: ' "$tmp/verify.log" || :
	if [ "$mode" = user ]; then summary " (user units, --engine docker)"; else
		summary " (system units, --engine docker, podman, podman 4.3)"; fi
done
echo "systemd: $ncases golden cases, $(elapsed) in all"
finish
