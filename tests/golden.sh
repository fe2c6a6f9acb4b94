#!/bin/sh
# golden.sh COMPOSEC CASEDIR - run one golden case and compare with expected/.
#
# A case directory holds the input (compose.yaml and whatever it refers to)
# and these optional files:
#   args      arguments to composec, one per line, taken literally (an empty
#             line is an empty argument); default: the single argument
#             "config".  An argument starting with @OUTDIR@ has that prefix
#             replaced by a fresh empty directory (for -o); what composec
#             writes there is compared with expected/out/.
#   env       KEY=VALUE lines (blank lines and # comments skipped): the only
#             variables besides PATH=/usr/bin:/bin and HOME=/nonexistent that
#             composec sees.
#   stdin     fed to composec's standard input (default /dev/null).
#   expected/stdout  expected standard output (absent: must be empty)
#   expected/stderr  expected standard error (absent: must be empty)
#   expected/exit    expected exit code (absent: 0)
#   expected/out/    expected contents of @OUTDIR@ (when args use it)
# composec runs in a copy of the case directory under /tmp (same name, a
# path of the same length wherever the checkout is).  In every output the
# absolute path of that directory reads @CASEDIR@ and that of the output
# directory @OUTDIR@, so expectations do not depend on the checkout's
# location.
#
# UPDATE_GOLDEN=1 rewrites expected/ from the actual results instead of
# comparing; review the change with git diff.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: golden.sh COMPOSEC CASEDIR" >&2
	exit 2
fi
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
casedir=$(cd "$2" && pwd -P)
name=${casedir##*/}

# Paths are part of some outputs (a build context in a wrapped sh line),
# so the case runs from a copy whose path has the same length wherever the
# checkout is (and whatever TMPDIR says): a golden file must not change with
# the checkout's place.  The copy keeps the case's name (a project name).
tmp=$(mktemp -d /tmp/golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
outdir=$tmp/out
mkdir "$outdir"
uses_outdir=0

fail() {
	echo "golden/$name: $*" >&2
	exit 1
}

if [ "${UPDATE_GOLDEN:-0}" != 1 ] && [ ! -d "$casedir/expected" ]; then
	fail "no expected/ yet; create it with UPDATE_GOLDEN=1 (tests/update-golden.sh) and review it"
fi

# Build the command line in the positional parameters: the environment
# assignments first, then composec and its arguments (env(1) runs the first
# word without '=' as the command, so every env line is checked).
set --
if [ -f "$casedir/env" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'' | '#'*) continue ;;
		esac
		case ${line%%=*} in
		"$line" | '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*)
			fail "env: not a KEY=VALUE line: $line" ;;
		esac
		set -- "$@" "$line"
	done <"$casedir/env"
fi
set -- "$@" "$composec"
if [ -f "$casedir/args" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		@OUTDIR@*)
			line=$outdir${line#@OUTDIR@}
			uses_outdir=1
			;;
		esac
		set -- "$@" "$line"
	done <"$casedir/args"
else
	set -- "$@" config
fi
stdin=/dev/null
if [ -f "$casedir/stdin" ]; then
	stdin=$casedir/stdin
fi

# Sanitizer settings pass through: they change how a failure is reported,
# never what composec outputs.
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v-}"
	if [ -n "$val" ]; then
		set -- "$v=$val" "$@"
	fi
done

mkdir "$tmp/c"
cp -pR "$casedir" "$tmp/c/$name"
rundir=$(cd "$tmp/c/$name" && pwd -P)

code=0
(cd "$rundir" && exec timeout 60 env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@") \
	<"$stdin" >"$tmp/stdout.raw" 2>"$tmp/stderr.raw" || code=$?

# Escape a string for use as a literal in a sed regular expression.
sed_literal() {
	printf '%s\n' "$1" | sed 's/[][\/.^$*&]/\\&/g'
}
case_re=$(sed_literal "$rundir")
out_re=$(sed_literal "$outdir")
normalize() {
	sed -e "s/$out_re/@OUTDIR@/g" -e "s/$case_re/@CASEDIR@/g" "$1"
}

mkdir "$tmp/actual"
normalize "$tmp/stdout.raw" >"$tmp/actual/stdout"
normalize "$tmp/stderr.raw" >"$tmp/actual/stderr"
echo "$code" >"$tmp/actual/exit"
if [ "$uses_outdir" = 1 ]; then
	mkdir "$tmp/actual/out"
	(cd "$outdir" && find . -type d) | while IFS= read -r d; do
		mkdir -p "$tmp/actual/out/$d"
	done
	(cd "$outdir" && find . -type f) | while IFS= read -r f; do
		normalize "$outdir/$f" >"$tmp/actual/out/$f"
	done
fi

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	exp=$casedir/expected
	rm -rf "$exp"
	mkdir -p "$exp"
	cp "$tmp/actual/stdout" "$exp/stdout"
	if [ -s "$tmp/actual/stderr" ]; then
		cp "$tmp/actual/stderr" "$exp/stderr"
	fi
	if [ "$code" -ne 0 ]; then
		cp "$tmp/actual/exit" "$exp/exit"
	fi
	if [ "$uses_outdir" = 1 ]; then
		cp -R "$tmp/actual/out" "$exp/out"
	fi
	echo "golden/$name: updated (exit $code)"
	exit 0
fi

# Absent expectation files mean: empty output, exit 0, no files.
exp=$tmp/expected
mkdir "$exp"
for f in stdout stderr; do
	if [ -f "$casedir/expected/$f" ]; then
		cp "$casedir/expected/$f" "$exp/$f"
	else
		: >"$exp/$f"
	fi
done
want=0
if [ -f "$casedir/expected/exit" ]; then
	want=$(tr -d ' \t\n' <"$casedir/expected/exit")
fi
echo "$want" >"$exp/exit"
if [ "$uses_outdir" = 1 ]; then
	if [ -d "$casedir/expected/out" ]; then
		cp -R "$casedir/expected/out" "$exp/out"
	else
		mkdir "$exp/out"
	fi
fi

status=0
for f in exit stderr stdout; do
	diff -u --label "expected/$f" --label "actual/$f" "$exp/$f" "$tmp/actual/$f" || status=1
done
if [ "$uses_outdir" = 1 ]; then
	(cd "$tmp" && diff -ru expected/out actual/out) || status=1
fi
if [ "$status" -ne 0 ]; then
	fail "differs from expected/ (UPDATE_GOLDEN=1 rewrites it)"
fi
