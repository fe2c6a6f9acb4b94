#!/bin/sh
# test_package.sh COMPOSEC - `make package` builds a Debian package that
# lintian finds nothing in (pedantic included), whose Depends: come from the
# binaries (dpkg-shlibdeps: libfyaml0, libyaml-0-2, libc6), and that installs
# on a fresh Debian 12 (tests/e2e/bookworm-root.sh, a copy of it) with
# `apt-get install ./composec_*.deb`: then compose2systemd --help,
# composec-run --help, `man composec` and `man compose2systemd` work and the
# completion is loaded by name; `apt-get purge --autoremove` then leaves the
# root as it was, file for file (apt's and dpkg's own records aside).
# Figures: the build, lintian, the install and the purge, in seconds.
#
# Needs root, lintian, dpkg-dev, debootstrap and the archive (tests/tools.sh);
# without them the test is skipped (exit 77), which fails with
# COMPOSEC_REQUIRE_TOOLS=1.
set -u
composec=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cli/checks.sh
. "$(dirname "$0")/checks.sh" # ok, fail, skip, finish
[ -n "$composec" ] || exit 2
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot)"
for t in lintian dpkg-buildflags cpack; do
	command -v "$t" >/dev/null || skip "no $t (sh tests/tools.sh install)"
done
base=$(sh "$top/tests/e2e/bookworm-root.sh" -n 2>/dev/null) || skip "no Debian 12 root (sh tests/tools.sh install)"
tmp=$(mktemp -d /var/tmp/package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
secs() { echo $((($(date +%s%N) - $1) / 1000000000)); }

t0=$(date +%s%N)
if make -s -C "$top" package DEB_BUILD="$tmp/build" >"$tmp/make.log" 2>&1; then ok; else
	fail "make package" && tail -n 30 "$tmp/make.log"
	echo "$pass passed, $fails failed"
	exit 1
fi
deb=$(ls "$tmp"/build/composec_*.deb)
echo "make package: $(secs "$t0") s: ${deb##*/}, $(stat -c %s "$deb") bytes"

t0=$(date +%s%N)
lintian --fail-on error,warning,info,pedantic --display-level '>=pedantic' "$deb" 2>&1 |
	grep -v '^running with root privileges' >"$tmp/lintian.out"
if [ ! -s "$tmp/lintian.out" ]; then ok; else fail "lintian:" && cat "$tmp/lintian.out"; fi
echo "lintian $(lintian --version | sed 's/^Lintian v//'): $(secs "$t0") s, $(wc -l <"$tmp/lintian.out") tags"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libfyaml0 libyaml-0-2; do
	case ", $depends" in *", $lib"*) ok ;; *) fail "Depends: $depends lacks $lib" ;; esac
done

# a copy of the fresh root, and what it holds before
root=$tmp/root
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
cp "$deb" "$root/tmp/"
# files FILE: every path in the root but apt's, dpkg's and the logs and caches
files() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
		-o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \) -prune \
		-o -printf '%y %m %p %l\n' | sort) >"$1"
}
files "$tmp/before"
in_root() { sh "$top/tests/e2e/bookworm-root.sh" chroot "$root" sh -c "$1"; }

t0=$(date +%s%N)
if in_root "export DEBIAN_FRONTEND=noninteractive; apt-get -q update && apt-get -q -y install ./tmp/${deb##*/}" \
	>"$tmp/install.log" 2>&1; then ok; else
	fail "apt-get install ./${deb##*/}" && tail -n 20 "$tmp/install.log"
fi
echo "apt-get install: $(secs "$t0") s"
for cmd in "compose2systemd --help" "compose2quadlet --help" "composec --version" "composec-run --help"; do
	if in_root "$cmd" >"$tmp/cmd.out" 2>&1; then ok; else fail "$cmd after the install:" && cat "$tmp/cmd.out"; fi
done
# what an operator types first on a server
for page in composec compose2systemd composec-run; do
	if in_root "MANPAGER=cat MANWIDTH=80 man $page" >"$tmp/man.out" 2>"$tmp/man.err" &&
		grep -q "^NAME" "$tmp/man.out" && grep -q "$page" "$tmp/man.out" && [ ! -s "$tmp/man.err" ]; then ok; else
		fail "man $page:" && cat "$tmp/man.err" "$tmp/man.out" | head -n 5
	fi
done
if in_root 'bash -c ". /usr/share/bash-completion/completions/compose2systemd && complete -p compose2systemd"' \
	>"$tmp/compl.out" 2>&1 && grep -q _composec "$tmp/compl.out"; then ok; else
	fail "the completion of compose2systemd:" && cat "$tmp/compl.out"
fi

t0=$(date +%s%N)
if in_root "export DEBIAN_FRONTEND=noninteractive; apt-get -q -y purge --autoremove composec" \
	>"$tmp/purge.log" 2>&1; then ok; else
	fail "apt-get purge composec" && tail -n 20 "$tmp/purge.log"
fi
echo "apt-get purge --autoremove: $(secs "$t0") s"
files "$tmp/after"
if diff "$tmp/before" "$tmp/after" >"$tmp/diff"; then ok; else
	fail "the purge left the root changed (< before, > after):" && head -n 40 "$tmp/diff"
fi
finish
