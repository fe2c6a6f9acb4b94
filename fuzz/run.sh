#!/bin/sh
# run.sh BUILDDIR SECONDS [TARGET...] - seed and run the libFuzzer targets
# one after the other (make fuzz, make fuzz-smoke).
#
# Seeds come from the repository: the compose files of golden/ (every
# *.yaml/*.yml outside expected/; for fuzz_yamldiff those of tests/ too),
# their env files, the kept regression
# inputs of tests/fuzz-regressions/<target>/, and the directories in
# FUZZ_EXTRA_SEEDS (space-separated, searched for *.yml/*.yaml; e.g. a
# checkout of awesome-compose).  Each target keeps its corpus in
# BUILDDIR/corpus-<target> across runs, writes crashes to
# BUILDDIR/artifacts-<target>/ (emptied at the start) and its log to BUILDDIR/fuzz-<target>.log.
# A summary line per target (executions, coverage, features, corpus size,
# findings) is printed at the end; the exit status is 1 when any target
# found something.
#
# The fuzzers run niced, one process each, with a 2 GiB RSS limit and a
# 10 s timeout per input; FUZZ_FLAGS adds libFuzzer flags.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: run.sh BUILDDIR SECONDS [TARGET...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
secs=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	set -- fuzz_frontend fuzz_interp fuzz_dotenv fuzz_backends fuzz_yamldiff
fi

# put DIR FILE [0|1]: copy FILE into DIR under a content-derived name,
# after an option byte 0x00 or 0x01 when one is given.
put() {
	tmpf=$1/.new
	case $3 in
	0) { printf '\000'; cat "$2"; } >"$tmpf" ;;
	1) { printf '\001'; cat "$2"; } >"$tmpf" ;;
	*) cat "$2" >"$tmpf" ;;
	esac
	sum=$(cksum <"$tmpf" | tr ' ' '-')
	mv "$tmpf" "$1/seed-$sum"
}

compose_files() {
	find "$top/golden" -path '*/expected' -prune -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print
	for d in ${FUZZ_EXTRA_SEEDS-}; do
		find "$d" -type f \( -name '*.yaml' -o -name '*.yml' \) -size -64k -print
	done
}

# Every YAML file of the repository: the compose files and the YAML the
# tests keep (fuzz_yamldiff).
yaml_files() {
	compose_files
	find "$top/tests" -type f \( -name '*.yaml' -o -name '*.yml' \) -print
}

env_files() {
	find "$top/golden" -path '*/expected' -prune -o -type f \( -name '*.env' -o -name '.env' -o -name env \) -print
}

seed() { # target dir
	case $1 in
	fuzz_frontend | fuzz_backends)
		compose_files | while IFS= read -r f; do put "$2" "$f" ''; done ;;
	fuzz_yamldiff)
		yaml_files | while IFS= read -r f; do put "$2" "$f" ''; done ;;
	fuzz_dotenv)
		env_files | while IFS= read -r f; do
			put "$2" "$f" 0
			put "$2" "$f" 1
		done ;;
	fuzz_interp)
		# every line of the compose files that interpolates something
		compose_files | xargs grep -h '\$' 2>/dev/null | head -n 2000 >"$2/.lines" || :
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			printf '%s' "$line" >"$2/.line"
			put "$2" "$2/.line" 0
		done <"$2/.lines"
		rm -f "$2/.lines" "$2/.line" ;;
	esac
	if [ -d "$top/tests/fuzz-regressions/$1" ]; then
		for f in "$top/tests/fuzz-regressions/$1"/*; do
			[ -f "$f" ] && put "$2" "$f" ''
		done
	fi
	return 0
}

# The last value of "name: N" in libFuzzer's status lines or final stats.
stat_of() { # log key
	sed -n "s/.* $2: *\\([0-9][0-9]*\\).*/\\1/p" "$1" | tail -n 1
}
final_of() { # log key
	sed -n "s/^stat::$2: *\\([0-9][0-9]*\\)/\\1/p" "$1" | tail -n 1
}

summary=$build/fuzz-summary.txt
: >"$summary"
status=0
for t in "$@"; do
	bin=$build/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin is not built" >&2
		exit 2
	fi
	corpus=$build/corpus-$t
	seeds=$build/seeds-$t
	art=$build/artifacts-$t
	log=$build/fuzz-$t.log
	rm -rf "$seeds" "$art"
	mkdir -p "$corpus" "$seeds" "$art"
	seed "$t" "$seeds"
	dict=
	case $t in
	fuzz_frontend | fuzz_backends) dict=-dict=$top/fuzz/compose.dict ;;
	fuzz_yamldiff) dict=-dict=$top/fuzz/yaml.dict ;;
	esac
	echo "== $t: ${secs}s, corpus $corpus ($(find "$corpus" -type f | wc -l) files), seeds $(find "$seeds" -type f | wc -l)"
	rc=0
	start=$(date +%s)
	# shellcheck disable=SC2086 # dict and FUZZ_FLAGS are word lists
	(cd "$build" && ASAN_OPTIONS=detect_leaks=1:${ASAN_OPTIONS-} \
		nice -n 19 "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
		-timeout=10 -artifact_prefix="$art/" $dict ${FUZZ_FLAGS-} "$corpus" "$seeds") \
		</dev/null >"$log" 2>&1 || rc=$?
	elapsed=$(($(date +%s) - start))
	execs=$(final_of "$log" number_of_executed_units)
	findings=$(find "$art" -type f | wc -l)
	line="$t: ${elapsed}s, executions ${execs:-?}, cov $(stat_of "$log" cov), ft $(stat_of "$log" ft), corpus $(find "$corpus" -type f | wc -l) files, findings $findings"
	echo "$line" | tee -a "$summary"
	if [ "$rc" -ne 0 ] || [ "$findings" -ne 0 ]; then
		echo "run.sh: $t found something (exit $rc); see $log and $art/" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 >&2 || :
		status=1
	fi
done
echo "== summary ($summary)"
cat "$summary"
exit "$status"
