#!/bin/sh
# bench/run.sh - the benchmark behind `make bench` (README, "Performance").
#
#   sh bench/run.sh [BUILD_DIR]        (default: build)
#
# In one run, for N = 10, 100, 1,000 and 10,000 services (bench/gen.c):
#   - composec config, systemd, quadlet, sh, k8s and plan, output to stdout
#     (as the other tools print theirs);
#   - the libfyaml floors (bench/floor.c): the document parse, with and
#     without libfyaml's duplicate-key check, and the event parse;
#   - the tools a user would otherwise run, from Debian: docker-compose
#     config (v1, given the file without what it rejects: pre_start and
#     the top-level name) and podman-compose --dry-run up with /bin/true as
#     podman (the whole file); a run that does not finish within
#     BENCH_TIMEOUT seconds is reported as such;
# each as the median wall time of repeated runs (hyperfine when installed;
# composec in passes over the sizes, see interleave; each peer run next to
# runs of composec, see paired),
# with its ratio to the libfyaml document parse and its peak memory (GNU
# time, one run); then composec --version; then, as root with podman, the
# runtime: composec-run up -d / down against docker-compose up -d / down
# through podman's Docker-compatible socket, on one 20-service busybox file
# (without pre_start, which docker-compose v1 rejects), wall time of one
# run each.  Everything is printed and kept in BUILD_DIR/bench/results.md.
#
# As root, missing tools (hyperfine, time, docker-compose, podman-compose)
# are installed with apt-get; otherwise what is missing is reported and
# skipped.  Environment: BENCH_N (sizes), BENCH_TIMEOUT (default 60),
# BENCH_PEERS=0 (no docker-compose/podman-compose), BENCH_RUNTIME=0 (no
# container runs), BENCH_RUNS (runs per median; default by duration),
# BENCH_PASSES (passes over the sizes for composec and the floor it is
# divided by, default 11: see interleave),
# BENCH_ONLY=runtime (only the runtime rows), BENCH_RT_RUNS (runtime runs,
# default 1: composec-run and docker-compose alternately, so that the load
# of a shared machine weighs on both alike; each run and the median).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
composec=$build/composec
runner=$build/composec-run
work=$build/bench
sizes=${BENCH_N:-10 100 1000 10000}
limit=${BENCH_TIMEOUT:-60}
results=$work/results.md

say() { echo "bench: $*" >&2; }
die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$composec" ] || die "no $composec: build first (make build)"
mkdir -p "$work"

# ---- tools ---------------------------------------------------------------------------

have() { command -v "$1" >/dev/null 2>&1; }

# install_missing CMD PACKAGE...: as root, install what provides a missing
# command; never fails (a tool that stays missing is reported later).
install_missing() {
	cmd=$1
	shift
	have "$cmd" && return 0
	if [ "$(id -u)" -eq 0 ] && have apt-get; then
		say "installing $*"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; } ||
			say "could not install $*"
	fi
	have "$cmd" || say "no $cmd"
}

install_missing hyperfine hyperfine
[ -x /usr/bin/time ] || install_missing /usr/bin/time time
if [ "${BENCH_PEERS:-1}" = 1 ]; then
	install_missing docker-compose docker-compose
	install_missing podman-compose podman-compose
fi

cc=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config prints several words
"$cc" -O2 -std=c11 -o "$work/gen" "$top/bench/gen.c" || die "cannot build bench/gen.c"
# shellcheck disable=SC2046
"$cc" -O2 -std=c11 -o "$work/floor" "$top/bench/floor.c" $(pkg-config --cflags --libs libfyaml) ||
	die "cannot build bench/floor.c (needs libfyaml-dev)"

# ---- measuring -----------------------------------------------------------------------

# shq WORD: WORD single-quoted for hyperfine's command line.
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# measure CMD...: one run first, bounded by $limit seconds, for the peak
# memory and to choose the number of runs; then the median of those runs.
# Sets med (seconds, or "timeout" / "failed") and rss (MiB, or "-").
measure() {
	set +e
	timeout -s KILL "$limit" /usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>"$work/err.out"
	rc=$?
	set -e
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		med=timeout
		rss=-
		return
	fi
	if [ "$rc" -ne 0 ]; then
		med=failed
		rss=-
		say "failed (exit $rc): $*"
		sed -n '1,3p' "$work/err.out" >&2
		return
	fi
	first=$(awk 'END { print $1 }' "$work/time.out")
	rss=$(awk 'END { printf "%.1f", $2 / 1024 }' "$work/time.out")
	runs=${measure_runs:-${BENCH_RUNS:-$(awk -v t="$first" 'BEGIN { print t < 0.2 ? 31 : t < 2 ? 11 : t < 10 ? 5 : 3 }')}}
	if [ "$runs" -le 1 ]; then
		med=$first
		return
	fi
	if have hyperfine; then
		line=
		for w in "$@"; do line="$line $(shq "$w")"; done
		hyperfine -N -w 1 -r "$runs" --export-json "$work/hf.json" "$line" >/dev/null 2>&1 || {
			med=failed
			return
		}
		med=$(sed -n 's/^ *"median": *\([0-9.eE+-]*\),*$/\1/p' "$work/hf.json" | head -n 1)
	else
		: >"$work/times"
		i=0
		while [ "$i" -lt "$runs" ]; do
			t0=$(date +%s%N)
			"$@" >/dev/null 2>&1 || :
			t1=$(date +%s%N)
			echo "$(((t1 - t0) / 1000))" >>"$work/times"
			i=$((i + 1))
		done
		med=$(sort -n "$work/times" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m / 1e6 }')
	fi
}

# The composec rows and the document floor they are divided by are timed
# in BENCH_PASSES passes (default 11), every size and command in turn
# within a pass, a few runs each (3; 1 at 10,000 services and more), so
# that a slow spell of a shared machine, which lasts seconds to minutes,
# falls on all sizes alike rather than on one (the linear target compares
# 1,000 with 10,000 services).  interleave: for each of those commands,
# the times of all passes in $work/times.<key>.<n>, one per line
# (seconds); needs hyperfine.  One warm-up run, in the first pass.
passes=${BENCH_PASSES:-11}
interleave() {
	rm -f "$work"/times.*
	have hyperfine || return 0
	p=0
	while [ "$p" -lt "$passes" ]; do
		warm=$((p == 0))
		for n in $sizes; do
			runs=3
			[ "$n" -lt 10000 ] || runs=1
			for key in doc-nodup config systemd quadlet sh k8s plan; do
				case $key in
				doc-*) line="$(shq "$work/floor") doc-nodup $(shq "c$n.yaml")" ;;
				*) line="$(shq "$composec") $key -f $(shq "c$n.yaml")" ;;
				esac
				hyperfine -N -w "$warm" -r "$runs" --export-json "$work/hf.json" "$line" >/dev/null 2>&1 ||
					die "failed: $line"
				awk '/"times": *\[/ { t = 1; next } t && /\]/ { exit } t { gsub(/[ ,]/, ""); print }' \
					"$work/hf.json" >>"$work/times.$key.$n"
			done
		done
		p=$((p + 1))
	done
}

# median FILE: the median of the numbers in FILE, one per line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { printf "%.9f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# timed KEY N: sets med to the median of the interleaved times of KEY at
# size N, when there are any (else keeps what measure set).
timed() {
	[ -s "$work/times.$1.$2" ] || return 0
	med=$(median "$work/times.$1.$2")
}

# versus MED CMED KIND: "113× sh (31.0 ms alongside)", or the ratio to the
# row of composec KIND when nothing was timed alongside.
versus() {
	if [ -n "$2" ]; then
		echo "$(ratio "$1" "$2")× $3 ($(ms "$2") ms alongside)"
	else
		eval "echo \"\$(ratio \"\$1\" \"\$c_$3\")× $3\""
	fi
}

# paired T CMD...: the peer CMD timed run by run, each run next to three
# of composec T (on c$n.yaml), so that their ratio compares times taken in
# the same minutes: on a shared machine a slow spell while one of them was
# timed moved the ratio by a third.  measure first (one run: the peak, and
# the number of runs as measure would choose it).  Sets med (the peer's
# median), cmed (composec's alongside) and rss; without hyperfine, or when
# the peer failed or timed out, cmed is empty and med is measure's.
paired() {
	t=$1
	shift
	cmed=
	measure_runs=1
	measure "$@"
	measure_runs=
	case $med in [0-9]*) ;; *) return ;; esac
	have hyperfine || return 0
	runs=${BENCH_RUNS:-$(awk -v t="$med" 'BEGIN { print t < 0.2 ? 31 : t < 2 ? 11 : t < 10 ? 5 : 3 }')}
	line=
	for w in "$@"; do line="$line $(shq "$w")"; done
	: >"$work/peer.times"
	: >"$work/mine.times"
	i=0
	while [ "$i" -lt "$runs" ]; do
		hyperfine -N -w 0 -r 1 --export-json "$work/hf.json" "$line" >/dev/null 2>&1 || die "failed: $*"
		awk '/"times": *\[/ { t = 1; next } t && /\]/ { exit } t { gsub(/[ ,]/, ""); print }' \
			"$work/hf.json" >>"$work/peer.times"
		hyperfine -N -w 0 -r 3 --export-json "$work/hf.json" "$(shq "$composec") $t -f $(shq "c$n.yaml")" \
			>/dev/null 2>&1 || die "failed: composec $t"
		awk '/"times": *\[/ { t = 1; next } t && /\]/ { exit } t { gsub(/[ ,]/, ""); print }' \
			"$work/hf.json" >>"$work/mine.times"
		i=$((i + 1))
	done
	med=$(median "$work/peer.times")
	cmed=$(median "$work/mine.times")
}

# ms SECONDS: "12.3" (milliseconds) or the word.
ms() { case $1 in [0-9]*) awk -v s="$1" 'BEGIN { v = s * 1000; printf(v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v) }' ;; *) echo "$1" ;; esac; }
# ratio A B: A / B as "1.23", or "-"
ratio() {
	case "$1$2" in
	*[!0-9.eE+-]*) echo - ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else { r = a / b; printf(r < 10 ? "%.2f" : "%.0f", r) } }' ;;
	esac
}

row() { # N input what median ratio vs rss
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$@" | tee -a "$results"
}

# ---- the table -----------------------------------------------------------------------

if [ "${BENCH_ONLY:-}" = runtime ]; then
	: >"$results"
else
	{
		echo "# composec benchmark"
		echo
		echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) CPUs" \
			"($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), load $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "composec $("$composec" --version | cut -d' ' -f2), libfyaml $(pkg-config --modversion libfyaml)" \
			"$(have docker-compose && docker-compose version --short 2>/dev/null | sed 's/^/, docker-compose /')" \
			"$(have podman-compose && podman-compose version 2>/dev/null | sed -n 's/^podman-compose[a-z]* version */, podman-compose /p' | head -n 1)"
		echo
		echo "Median wall time; \"÷ doc\": the time divided by that of the libfyaml document parse without the"
		echo "duplicate-key check (the lower of the two document floors); peak: maximum resident set size."
		echo
		echo "| N | input | what | median ms | ÷ doc | vs composec | peak MiB |"
		echo "|---:|---:|---|---:|---:|---:|---:|"
	} | tee "$results"

	cd "$work"
	mkdir -p data # the bind source of the generated files
	for n in $sizes; do
		"$work/gen" "$n" >"c$n.yaml"
		"$work/gen" "$n" --v1 >"v1-$n.yaml"
	done
	say "composec and the document floor, $passes passes over the sizes"
	interleave
	interleaved= # the runs to measure a row that interleave timed: one, for the peak
	if have hyperfine; then interleaved=1; fi
	for n in $sizes; do
		size=$(wc -c <"c$n.yaml" | awk '{ printf(($1 < 1048576) ? "%.0f KiB" : "%.1f MiB", ($1 < 1048576) ? $1 / 1024 : $1 / 1048576) }')
		say "N=$n ($size)"
		measure_runs=$interleaved
		measure "$work/floor" doc-nodup "c$n.yaml"
		measure_runs=
		timed doc-nodup "$n"
		doc=$med
		row "$n" "$size" "libfyaml document, no duplicate-key check" "$(ms "$doc")" 1 "" "$rss"
		measure "$work/floor" doc "c$n.yaml"
		row "$n" "$size" "libfyaml document" "$(ms "$med")" "$(ratio "$med" "$doc")" "" "$rss"
		measure "$work/floor" events "c$n.yaml"
		row "$n" "$size" "libfyaml events" "$(ms "$med")" "$(ratio "$med" "$doc")" "" "$rss"
		for t in config systemd quadlet sh k8s plan; do
			measure_runs=$interleaved
			measure "$composec" "$t" -f "c$n.yaml"
			measure_runs=
			timed "$t" "$n"
			eval "c_$t=\$med"
			row "$n" "$size" "composec $t" "$(ms "$med")" "$(ratio "$med" "$doc")" "" "$rss"
		done
		if [ "${BENCH_PEERS:-1}" = 1 ] && have docker-compose; then
			paired config docker-compose -p bench -f "v1-$n.yaml" config
			row "$n" "$size" "docker-compose config (v1 file)" "$(ms "$med")" "$(ratio "$med" "$doc")" \
				"$(versus "$med" "$cmed" config)" "$rss"
		fi
		if [ "${BENCH_PEERS:-1}" = 1 ] && have podman-compose; then
			paired sh podman-compose --dry-run --podman-path /bin/true -f "c$n.yaml" up
			row "$n" "$size" "podman-compose --dry-run up" "$(ms "$med")" "$(ratio "$med" "$doc")" \
				"$(versus "$med" "$cmed" sh)" "$rss"
		fi
	done
	measure "$composec" --version
	row "" "" "composec --version" "$(ms "$med")" "" "" "$rss"
fi

# ---- the runtime ---------------------------------------------------------------------

runtime() {
	if [ "$(id -u)" -ne 0 ] || ! have podman || ! have docker-compose || [ ! -x "$runner" ]; then
		echo "runtime: skipped (needs root, podman, docker-compose and $runner)"
		return
	fi
	sh "$top/tests/e2e/podman-setup.sh" >/dev/null 2>&1 || {
		echo "runtime: skipped (tests/e2e/podman-setup.sh failed)"
		return
	}
	rt=$work/runtime
	rm -rf "$rt"
	mkdir -p "$rt/data"
	proj=benchrt$$
	"$work/gen" 20 --runtime --v1 >"$rt/compose.yaml"
	sock=$rt/podman.sock
	podman system service --time=0 "unix://$sock" >"$rt/podman-service.log" 2>&1 &
	svc=$!
	i=0
	while [ ! -S "$sock" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cleanup_rt() {
		podman ps -aq --filter "label=com.docker.compose.project=$proj" | xargs -r podman rm -f >/dev/null 2>&1 || :
		podman network ls -q --filter "label=com.docker.compose.project=$proj" | xargs -r podman network rm >/dev/null 2>&1 || :
		podman volume ls -q --filter "label=com.docker.compose.project=$proj" | xargs -r podman volume rm >/dev/null 2>&1 || :
	}
	# timed LABEL CMD...: wall time of one run in seconds, in $secs
	timed() {
		label=$1
		shift
		t0=$(date +%s%N)
		set +e
		(cd "$rt" && timeout -s KILL 600 "$@") >"$rt/$label.log" 2>&1
		trc=$?
		set -e
		t1=$(date +%s%N)
		secs=$(awk -v d="$((t1 - t0))" 'BEGIN { printf "%.2f", d / 1e9 }')
		[ "$trc" -eq 0 ] || secs="failed:exit-$trc:$rt/$label.log" # one word: the runs are a list
	}
	# median WORDS...: the median of numbers, or the first word that is not one
	median() {
		printf '%s\n' "$@" | sort -n | awk '!/^[0-9.]+$/ { print; bad = 1; exit }
			{ v[NR] = $1 } END { if (!bad) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	}
	"$composec" plan --engine podman -p "$proj" -f "$rt/compose.yaml" -o "$rt/plan.json" 2>"$rt/plan.err"
	cr_ups='' cr_downs='' dc_ups='' dc_downs='' loads=''
	i=0
	while [ "$i" -lt "${BENCH_RT_RUNS:-1}" ]; do
		i=$((i + 1))
		loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
		cleanup_rt
		timed "cr-up-$i" "$runner" --state-dir "$rt/state" plan.json up -d
		cr_ups="$cr_ups $secs"
		timed "cr-down-$i" "$runner" --state-dir "$rt/state" plan.json down
		cr_downs="$cr_downs $secs"
		cleanup_rt
		timed "dc-up-$i" env DOCKER_HOST="unix://$sock" docker-compose -p "$proj" -f compose.yaml up -d
		dc_ups="$dc_ups $secs"
		timed "dc-down-$i" env DOCKER_HOST="unix://$sock" docker-compose -p "$proj" -f compose.yaml down
		dc_downs="$dc_downs $secs"
	done
	cleanup_rt
	kill "$svc" 2>/dev/null || :
	wait "$svc" 2>/dev/null || :
	# shellcheck disable=SC2086 # the lists are words
	{
		cr_up=$(median $cr_ups) cr_down=$(median $cr_downs) dc_up=$(median $dc_ups) dc_down=$(median $dc_downs)
	}
	echo "runtime: the same 20-service busybox file (depends_on chains of 10, volumes, healthchecks), podman $(podman version --format '{{.Client.Version}}' 2>/dev/null); median of $i run(s), alternately, 1-minute load before each:$loads"
	echo
	echo "| | up -d s | down s | runs: up -d | runs: down |"
	echo "|---|---:|---:|---|---|"
	echo "| composec-run (plan for podman) | $cr_up | $cr_down |$cr_ups |$cr_downs |"
	echo "| docker-compose v1 via podman's socket | $dc_up | $dc_down |$dc_ups |$dc_downs |"
}

# ---- the fast YAML path ----------------------------------------------------------------

# How much of the real world the fast scanner (frontend/yaml_fast.c) reads
# without falling back to libfyaml: the corpus files (golden/corpus-*, the
# yaml-diff test's own count), and what a one-line flow mapping per service
# costs, in instructions (callgrind: the same figure whatever the load).
fast_path() {
	yd=$build/tests/yamldiff
	if [ ! -x "$yd" ]; then
		echo "fast YAML path: skipped (no $yd: build with the tests)"
		return
	fi
	"$yd" 0 0 "$top/golden" >"$work/yamldiff.out" 2>&1 || :
	awk '/^yamldiff:/ { split($11, c, "/"); printf "fast YAML path: %d of %d corpus files (%.0f%%), %d of %d YAML files of golden/ in all\n", c[1], c[2], c[2] ? 100 * c[1] / c[2] : 0, $7, $2 }' "$work/yamldiff.out"
	if ! have valgrind; then
		echo "instructions: skipped (no valgrind)"
		return
	fi
	"$work/gen" 1000 >"$work/c1000.yaml"
	"$work/gen" 1000 --flow >"$work/f1000.yaml"
	for f in c1000 f1000; do
		(cd "$work" && valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			"$composec" config -f "$f.yaml" >/dev/null 2>"$work/$f.cg") || :
		eval "ir_$f=\$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' \"\$work/\$f.cg\")"
	done
	# shellcheck disable=SC2154 # set by the eval above
	awk -v c="$ir_c1000" -v f="$ir_f1000" 'BEGIN {
		printf "instructions, composec config of 1,000 services: the benchmark file %.1f M, with a flow mapping per service %.1f M (%.2f x)\n", c / 1e6, f / 1e6, c ? f / c : 0 }'
}

{
	echo
	if [ "${BENCH_ONLY:-}" != runtime ]; then fast_path; echo; fi
	if [ "${BENCH_RUNTIME:-1}" = 1 ]; then runtime; else echo "runtime: skipped (BENCH_RUNTIME=0)"; fi
} | tee -a "$results"
say "written to $results"
