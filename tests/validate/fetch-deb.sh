#!/bin/sh
# fetch-deb.sh [-n] SUITE PACKAGE PROGRAM [PATH...]
#
# Print the path of PROGRAM (a path inside the package, e.g.
# usr/libexec/podman/quadlet) from the Debian package PACKAGE of suite SUITE,
# fetched once without installing anything: apt-get with a private source list
# (the archive URI of this machine's Debian sources, suite SUITE) and private
# state downloads the .deb, and PROGRAM plus the extra PATHs (files or
# directories inside the package) are unpacked into
# ${FETCH_CACHE:-<repo>/build-tools}/PACKAGE-SUITE/, with VERSION beside them.
# This is how the tests get consumers newer than Debian 12's (trixie's Quadlet,
# sid's docker compose v2): programs that need only libc run here as they are.
#
#   -n   do not fetch: fail (exit 1) unless PROGRAM is already cached
#
# fetch-deb.sh -m prints the archive URI it would use, and nothing else.
#
# Environment: FETCH_CACHE (cache directory; QUADLET_CACHE is read too, its
# old name), FETCH_MIRROR (archive URI, default: the first main-suite URI in
# /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list, else
# http://deb.debian.org/debian; QUADLET_MIRROR is read too).
# Progress goes to stderr; stdout is the path only.
set -eu

usage() {
	echo "usage: fetch-deb.sh [-n] SUITE PACKAGE PROGRAM [PATH...]" >&2
	exit 2
}
offline=''
print_mirror=''
if [ "${1-}" = -m ]; then
	print_mirror=1
elif [ "${1-}" = -n ]; then
	offline=1
	shift
fi
if [ -z "$print_mirror" ]; then
	[ $# -ge 3 ] || usage
	suite=$1 package=$2 program=$3
	shift 3
else
	suite='' package='' program=''
fi

here=$(cd "$(dirname "$0")" && pwd)
cache=${FETCH_CACHE:-${QUADLET_CACHE:-$here/../../build-tools}}
dest=$cache/$package-$suite
target=$dest/$program

cached() {
	if [ -x "$target" ]; then
		(cd "$(dirname "$target")" && printf '%s/%s\n' "$(pwd)" "${target##*/}")
		return 0
	fi
	return 1
}

# The archive URI of the machine's main suite (not -security, -updates).
mirror() {
	m=${FETCH_MIRROR:-${QUADLET_MIRROR-}}
	if [ -n "$m" ]; then
		echo "$m"
		return
	fi
	uri=''
	if [ -r /etc/apt/sources.list.d/debian.sources ]; then
		uri=$(awk '
		function flush() {
			if (!found && uris != "" && types ~ /(^| )deb( |$)/ &&
			    suites ~ /(^| )[a-z]+( |$)/ && uris !~ /security/) {
				split(uris, u, " "); print u[1]; found = 1
			}
			uris = suites = types = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
		END { flush() }' /etc/apt/sources.list.d/debian.sources)
	fi
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $2 !~ /^\[/ && $3 ~ /^[a-z]+$/ && $2 !~ /security/ {
			print $2; exit }' /etc/apt/sources.list)
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

# fetch PATH...: download the package, unpack PROGRAM and PATH... into $dest
fetch() {
	work=$cache/.$package-$suite.work
	rm -rf "$work"
	mkdir -p "$work/sources.list.d" "$work/preferences.d" "$work/lists/partial" \
		"$work/archives/partial" "$work/cache" "$work/deb"
	uri=$(mirror)
	# An archive's Release can look expired to a machine whose clock is ahead.
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$suite" /usr/share/keyrings/debian-archive-keyring.gpg >"$work/sources.list.d/$suite.sources"
	set -- -o Dir::Etc::SourceList=/dev/null \
		-o "Dir::Etc::SourceParts=$work/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null \
		-o "Dir::Etc::PreferencesParts=$work/preferences.d" \
		-o "Dir::State::Lists=$work/lists" \
		-o Dir::State::status=/dev/null \
		-o "Dir::Cache=$work/cache" \
		-o "Dir::Cache::Archives=$work/archives" \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root -q
	echo "fetch-deb.sh: $package from $uri $suite" >&2
	apt-get "$@" update >&2
	(cd "$work/deb" && apt-get "$@" download "$package" >&2)
	deb=$(find "$work/deb" -name "${package}_*.deb" | head -n 1)
	[ -n "$deb" ] || { echo "fetch-deb.sh: no $package package downloaded" >&2; exit 1; }
	mkdir -p "$work/root"
	# shellcheck disable=SC2086 # paths: words without spaces, from the caller
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/root" "./$program" $paths
	dpkg-deb -f "$deb" Version >"$work/root/VERSION"
	rm -rf "$dest"
	mv "$work/root" "$dest"
	rm -rf "$work"
	echo "fetch-deb.sh: cached $package $(cat "$dest/VERSION") in $dest" >&2
}

if [ -n "$print_mirror" ]; then
	mirror
	exit 0
fi
paths=''
for p in "$@"; do paths="$paths ./$p"; done

cached && exit 0
if [ -n "$offline" ]; then
	echo "fetch-deb.sh: $program not cached in $dest (run tests/tools.sh install)" >&2
	exit 1
fi
mkdir -p "$cache"
# one fetch at a time (tests may run in parallel)
exec 9>"$cache/.$package-$suite.lock"
flock -w 600 9 || { echo "fetch-deb.sh: cannot lock $cache" >&2; exit 1; }
cached && exit 0
fetch
cached || { echo "fetch-deb.sh: no $program in the $package package" >&2; exit 1; }
