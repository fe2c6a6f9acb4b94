#!/bin/sh
# test_install.sh COMPOSEC - `cmake --install` of the build COMPOSEC is in
# puts exactly the expected files and links under the install root and
# nothing anywhere else: with --prefix, and with DESTDIR and --prefix.
# The compose2<target> names, their man pages and their completions are
# links that resolve inside the root; the installed compose2systemd runs,
# and man reads the installed page.  The test failed before the links
# were installed below the root: they went to the configure step's prefix
# (/usr/local/bin), outside it, where they dangled.
set -u
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
build=${composec%/*}
# shellcheck source=tests/cli/checks.sh
. "$(dirname "$0")/checks.sh" # ok, fail, finish
tmp=$(mktemp -d "${TMPDIR:-/tmp}/install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# what an install holds, relative to its prefix: type, path, link target
cat >"$tmp/want" <<'LIST'
f bin/composec
f bin/composec-run
l bin/compose2k8s composec
l bin/compose2quadlet composec
l bin/compose2sh composec
l bin/compose2systemd composec
f share/bash-completion/completions/composec
l share/bash-completion/completions/compose2k8s composec
l share/bash-completion/completions/compose2quadlet composec
l share/bash-completion/completions/compose2sh composec
l share/bash-completion/completions/compose2systemd composec
l share/bash-completion/completions/composec-run composec
f share/doc/composec/changelog.gz
f share/doc/composec/copyright
f share/man/man1/composec-run.1.gz
f share/man/man1/composec.1.gz
l share/man/man1/compose2k8s.1.gz composec.1.gz
l share/man/man1/compose2quadlet.1.gz composec.1.gz
l share/man/man1/compose2sh.1.gz composec.1.gz
l share/man/man1/compose2systemd.1.gz composec.1.gz
LIST
sort -o "$tmp/want" "$tmp/want"

# check NAME ROOT PREFIX LOG: the install in ROOT (its files under
# ROOT/PREFIX), whose cmake output is LOG
check() {
	name=$1 root=$2 prefix=$3 log=$4
	(cd "$root" && find . \( -type f -o -type l \) -printf '%y %P %l\n') | sed 's/ $//' | sort >"$tmp/$name.all"
	sed -n "s|^\([fl]\) ${prefix#/}/|\1 |p" "$tmp/$name.all" | sort >"$tmp/$name.got"
	if [ "$(wc -l <"$tmp/$name.all")" -eq "$(wc -l <"$tmp/$name.got")" ]; then ok; else
		fail "$name: files outside $prefix:" && grep -v " ${prefix#/}/" "$tmp/$name.all"
	fi
	if diff "$tmp/want" "$tmp/$name.got" >"$tmp/diff"; then ok; else
		fail "$name: the installed files (>) are not the expected ones (<):" && cat "$tmp/diff"
	fi
	# every path cmake reports is inside the root
	outside=$(sed -n 's/^-- \(Installing\|Up-to-date\): //p' "$log" | grep -v "^$root/")
	if [ -z "$outside" ] && grep -q '^-- Installing: ' "$log"; then ok; else
		fail "$name: cmake installed outside $root:" && echo "$outside"
	fi
	# the links resolve inside the root
	sed -n 's/^l \([^ ]*\) .*/\1/p' "$tmp/want" >"$tmp/links"
	while read -r l; do
		t=$(readlink -f "$root$prefix/$l")
		case $t in
		"$root$prefix"/*) if [ -e "$t" ]; then ok; else fail "$name: $l dangles"; fi ;;
		*) fail "$name: $l leaves the root: $t" ;;
		esac
	done <"$tmp/links"
	if "$root$prefix/bin/compose2systemd" --help >/dev/null 2>&1; then ok; else fail "$name: compose2systemd --help"; fi
	if command -v man >/dev/null; then
		if MANWIDTH=80 man -l "$root$prefix/share/man/man1/compose2systemd.1.gz" 2>&1 | grep -q '^NAME'; then ok; else
			fail "$name: man -l compose2systemd.1.gz"
		fi
	fi
}

# --prefix at install time, not the configure step's
mkdir -p "$tmp/a"
cmake --install "$build" --prefix "$tmp/a/usr" >"$tmp/a.log" 2>&1 || { fail "cmake --install --prefix: exit $?"; cat "$tmp/a.log"; }
check prefix "$tmp/a" /usr "$tmp/a.log"
# DESTDIR beneath another prefix
mkdir -p "$tmp/b"
DESTDIR=$tmp/b cmake --install "$build" --prefix /opt/composec >"$tmp/b.log" 2>&1 ||
	{ fail "DESTDIR cmake --install: exit $?"; cat "$tmp/b.log"; }
check destdir "$tmp/b" /opt/composec "$tmp/b.log"
finish
