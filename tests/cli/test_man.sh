#!/bin/sh
# test_man.sh COMPOSEC - the man pages (dist/*.1) and the bash completion
# (dist/composec.bash) say what the programs do.
#
# Each page renders without a word from `groff -ww` and `mandoc -T lint`
# (style messages included), names the version `composec --version`
# prints, and lists exactly the options and commands `--help` lists (every
# --long option and -x short option either prints is on its page and in
# its completion, and no other).  The completion, run in bash, completes
# the commands, the options, and the values of --engine, --format (per
# command), --fail-on, --service-type and --controller, for composec, a
# compose2<target> name and composec-run.
#
# Needs groff, mandoc and bash (tests/tools.sh); without them the test is
# skipped (exit 77), which fails with COMPOSEC_REQUIRE_TOOLS=1.
set -u
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
runner=${composec%/*}/composec-run
top=$(cd "$(dirname "$0")/../.." && pwd)
dist=$top/dist
# shellcheck source=tests/cli/checks.sh
. "$(dirname "$0")/checks.sh" # ok, fail, skip, finish
for t in groff mandoc bash; do
	command -v "$t" >/dev/null || skip "no $t (sh tests/tools.sh install)"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

version=$("$composec" --version | sed 's/^composec //')
if [ -n "$version" ]; then ok; else fail "composec --version printed no version"; fi

# options FILE: the options a text names, one a line, sorted and unique
options() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIR]//g' "$1" | grep -oE '(^|[^a-z0-9-])--?[a-z][a-z-]*' |
		sed -E 's/^[^-]+//' | grep -vE '^-[a-z][a-z]' | sort -u
}

for prog in composec composec-run; do
	page=$dist/$prog.1
	if [ "$prog" = composec ]; then bin=$composec; else bin=$runner; fi
	out=$(LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 "$page" 2>&1)
	if [ -z "$out" ]; then ok; else fail "groff -ww on $prog.1: $out"; fi
	out=$(mandoc -T lint "$page" 2>&1)
	if [ -z "$out" ]; then ok; else fail "mandoc -T lint on $prog.1: $out"; fi
	# man -l as an operator reads it
	if MANWIDTH=80 man -l "$page" 2>"$tmp/man.err" | grep -q "^NAME" && [ ! -s "$tmp/man.err" ]; then ok; else
		fail "man -l $prog.1:" && cat "$tmp/man.err"
	fi
	th=$(sed -n 's/^\.TH .*"composec \([^"]*\)".*/\1/p' "$page")
	if [ "$th" = "$version" ]; then ok; else fail "$prog.1 names version \"$th\", the program $version"; fi
	"$bin" --help >"$tmp/help" 2>&1 || fail "$prog --help: exit $?"
	options "$tmp/help" >"$tmp/help.opts"
	# the page's options: from OPTIONS on, where each is a .TP item
	sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$page" >"$tmp/page"
	options "$tmp/page" >"$tmp/page.opts"
	if [ "$(wc -l <"$tmp/help.opts")" -gt 5 ]; then ok; else fail "$prog --help: too few options found"; fi
	if diff "$tmp/help.opts" "$tmp/page.opts" >"$tmp/diff"; then ok; else
		fail "$prog: the options of --help (<) and of $prog.1 (>) differ:" && cat "$tmp/diff"
	fi
	cp "$tmp/help.opts" "$tmp/$prog.opts"
done

# the commands of composec --help and of its page's COMMANDS
"$composec" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort >"$tmp/help.cmds"
sed -n '/^\.SH COMMANDS/,/^\.SH OPTIONS/p' "$dist/composec.1" | awk '/^\.TP/ { getline; print $2 }' | sort >"$tmp/page.cmds"
if [ -s "$tmp/help.cmds" ] && diff "$tmp/help.cmds" "$tmp/page.cmds" >"$tmp/diff"; then ok; else
	fail "the commands of composec --help (<) and of composec.1 (>) differ:" && cat "$tmp/diff"
fi

# complete WORD...: what the completion offers for the last word (COMP_CWORD
# the last), one a line, sorted
complete_words() {
	# shellcheck disable=SC2016 # the script is bash's, with its own $
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		f=_composec; [ "$1" = composec-run ] && f=_composec_run
		$f; printf "%s\n" "${COMPREPLY[@]}"' sh "$dist/composec.bash" "$@" | sed '/^$/d' | sort
}
# expect WANT WORD...: WANT (words, space-separated) is exactly what is offered
expect() {
	# shellcheck disable=SC2086 # one word a line
	want=$(printf '%s\n' $1 | sort)
	shift
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then ok; else
		fail "completing \"$*\": got [$(echo "$got" | tr '\n' ' ')], want [$(echo "$want" | tr '\n' ' ')]"
	fi
}
complete_words composec - >"$tmp/compl.opts"
if diff "$tmp/composec.opts" "$tmp/compl.opts" >"$tmp/diff"; then ok; else
	fail "the options of composec --help (<) and of the completion (>) differ:" && cat "$tmp/diff"
fi
complete_words composec-run - >"$tmp/compl-run.opts"
if diff "$tmp/composec-run.opts" "$tmp/compl-run.opts" >"$tmp/diff"; then ok; else
	fail "the options of composec-run --help (<) and of the completion (>) differ:" && cat "$tmp/diff"
fi
expect "$(cat "$tmp/help.cmds")" composec ""
expect "systemd sh" composec s
expect "docker podman" composec systemd --engine ""
expect "docker podman" compose2systemd --engine ""
expect "yaml json" composec config --format ""
expect "yaml json helm" compose2k8s --format ""
expect "text json sarif" composec audit --format ""
expect "info low medium high critical" composec audit --fail-on ""
expect "clusterip nodeport loadbalancer headless" composec k8s --service-type ""
expect "deployment statefulset daemonset" composec k8s --controller ""
expect "--pod --podman-version --profile --project-directory --project-name --pvc-size" compose2quadlet --p
expect "up down ps" composec-run plan.json ""
finish
