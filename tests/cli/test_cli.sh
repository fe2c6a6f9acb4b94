#!/bin/sh
# The driver's contract: exit codes, argv[0] links, --version, usage
# errors, and safe writing with -o (atomic, never over a foreign file
# without --force, --check compares).
set -eu
composec=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
check() { # name expected-exit actual-exit
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: exit $3, expected $2"; fails=$((fails + 1)); fi
}
run() { set +e; "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e; }
printf 'services:\n  web:\n    image: nginx\n' > "$tmp/compose.yaml"

run "$composec" --version; check version 0 $rc
grep -q '^composec [0-9]' "$tmp/out" || { echo "FAIL version text"; fails=$((fails + 1)); }
run "$composec"; check no-command 2 $rc
run "$composec" frobnicate; check unknown-command 2 $rc
run "$composec" config --no-such-option; check unknown-option 2 $rc
run "$composec" config --engine rkt "$tmp/compose.yaml"; check bad-engine 2 $rc
run "$composec" config --format xml "$tmp/compose.yaml"; check bad-format 2 $rc
# Subcommands --help lists as not built yet must say so and exit 2.
"$composec" --help >"$tmp/help"
for t in systemd quadlet k8s sh plan audit; do
	if grep -q "^  $t .*(not built yet)" "$tmp/help"; then
		run "$composec" "$t" "$tmp/compose.yaml"; check "not-built-$t" 2 $rc
		grep -q "\"$t\" is not built yet" "$tmp/err" || { echo "FAIL $t message"; fails=$((fails + 1)); }
	fi
done
# compose2<target> picks the subcommand from its name.
ln -s "$composec" "$tmp/compose2systemd"
run "$tmp/compose2systemd" --bogus-option; check link-usage 2 $rc
if grep -q '^  systemd .*(not built yet)' "$tmp/help"; then
	run "$tmp/compose2systemd" "$tmp/compose.yaml"; check link-systemd 2 $rc
	grep -q '"systemd" is not built yet' "$tmp/err" || { echo "FAIL link picks systemd"; fails=$((fails + 1)); }
else
	run "$tmp/compose2systemd" "$tmp/compose.yaml"; check link-systemd 0 $rc
	grep -q '^# FileName=.*\.service$' "$tmp/out" || { echo "FAIL link prints units"; fails=$((fails + 1)); }
fi
run "$composec" quadlet --podman-version five "$tmp/compose.yaml"; check bad-podman-version 2 $rc
run "$composec" systemd --pod "$tmp/compose.yaml"; check pod-not-quadlet 0 $rc
grep -q -- 'warning: --pod is an option of quadlet; systemd ignores it' "$tmp/err" ||
	{ echo "FAIL --pod message"; fails=$((fails + 1)); }
run "$composec" quadlet --pod "$tmp/compose.yaml"; check pod 0 $rc
grep -q '^# FileName=.*\.pod$' "$tmp/out" || { echo "FAIL --pod prints a .pod"; fails=$((fails + 1)); }

# options after the subcommand and after the file
run "$composec" config "$tmp/compose.yaml" --format json; check options-anywhere 0 $rc
grep -q '"services"' "$tmp/out" || { echo "FAIL json output"; fails=$((fails + 1)); }

# -o writes atomically; refuses a foreign file; --force overwrites it
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/model.yaml"; check write 0 $rc
grep -q 'image: nginx' "$tmp/model.yaml" || { echo "FAIL written content"; fails=$((fails + 1)); }
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/model.yaml" --check; check check-same 0 $rc
printf 'services:\n  web:\n    image: httpd\n' > "$tmp/compose.yaml"
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/model.yaml" --check; check check-differs 1 $rc
grep -q 'image: nginx' "$tmp/model.yaml" || { echo "FAIL --check wrote"; fails=$((fails + 1)); }
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/model.yaml"; check rewrite-own 0 $rc
echo 'precious' > "$tmp/foreign.yaml"
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/foreign.yaml"; check foreign 1 $rc
grep -qx precious "$tmp/foreign.yaml" || { echo "FAIL foreign file overwritten"; fails=$((fails + 1)); }
run "$composec" config -f "$tmp/compose.yaml" -o "$tmp/foreign.yaml" --force; check force 0 $rc
for f in "$tmp"/*composec-tmp*; do [ -e "$f" ] && { echo "FAIL temporary file left: $f"; fails=$((fails + 1)); }; done

# A set of files too big to hold (units past 16 MiB go to a temporary
# file) is printed as -o writes it, in the order of the names.
if ! grep -q '^  systemd .*(not built yet)' "$tmp/help"; then
	awk 'BEGIN {
		pad = sprintf("%8000s", ""); gsub(/ /, "0123456789", pad)
		print "services:"
		for (i = 0; i < 220; i++) printf "  s%03d:\n    image: x\n    environment:\n      PAD: \"%d-%s\"\n", i, i, pad
	}' >"$tmp/big.yaml"
	run "$composec" systemd -f "$tmp/big.yaml" -o "$tmp/bigout"; check big-write 0 $rc
	run "$composec" systemd -f "$tmp/big.yaml"; check big-print 0 $rc
	(cd "$tmp/bigout" && first=1 && for f in $(find . -type f | sed 's|^\./||' | LC_ALL=C sort); do
		[ "$first" = 1 ] || echo ---
		first=0
		echo "# FileName=$f"
		cat "$f"
	done) >"$tmp/big.expected"
	cmp -s "$tmp/out" "$tmp/big.expected" || { echo "FAIL big set printed unlike -o"; fails=$((fails + 1)); }
	[ "$(wc -c <"$tmp/out")" -gt 16777216 ] || { echo "FAIL big set is not big"; fails=$((fails + 1)); }
fi

# sh writes a big project's services on two threads (backends/parallel.c):
# script and warnings the same as on one thread, printed or written.
awk 'BEGIN {
	print "services:"
	for (i = 0; i < 400; i++) {
		printf "  s%03d:\n    image: x\n    environment:\n      N: \"%d\"\n", i, i
		if (i % 9 == 0)
			printf "    isolation: process\n"
		if (i % 13 == 1)
			printf "    depends_on:\n      s%03d:\n        condition: service_healthy\n", i - 1
	}
}' >"$tmp/many.yaml"
run "$composec" sh --engine podman -f "$tmp/many.yaml"; check many-two 0 $rc
mv "$tmp/out" "$tmp/many.two"
mv "$tmp/err" "$tmp/many.two.err"
COMPOSEC_THREADS=1 run "$composec" sh --engine podman -f "$tmp/many.yaml"; check many-one 0 $rc
cmp -s "$tmp/out" "$tmp/many.two" || { echo "FAIL sh on two threads differs from one"; fails=$((fails + 1)); }
cmp -s "$tmp/err" "$tmp/many.two.err" || { echo "FAIL sh warnings on two threads differ from one"; fails=$((fails + 1)); }
[ "$(grep -c 'warning: ' "$tmp/many.two.err")" -eq 76 ] || { echo "FAIL sh warnings: $(grep -c 'warning: ' "$tmp/many.two.err")"; fails=$((fails + 1)); }
run "$composec" sh --engine podman -f "$tmp/many.yaml" -o "$tmp/many.sh"; check many-write 0 $rc
cmp -s "$tmp/many.sh" "$tmp/many.two" || { echo "FAIL sh written differs from printed"; fails=$((fails + 1)); }

# stdin
run sh -c "printf 'services:\n  s:\n    image: x\n' | '$composec' config -f - -p stdin"; check stdin 0 $rc

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
