#!/bin/sh
# fetch-quadlet.sh [-n]
#
# Print the path of Podman's Quadlet generator (usr/libexec/podman/quadlet
# from Debian trixie's podman package, 5.4.x: Debian 12's podman 4.3 predates
# Quadlet).  The package is fetched once with apt-get from a private source
# list (the archive URI of this machine's Debian sources, suite trixie) and
# private state, without installing anything, and cached under
# ${QUADLET_CACHE:-<repo>/build-tools}/podman-trixie/: the generator, the
# unit files podman ships (usr/lib/systemd/{system,user}) and VERSION.
# The generator needs only libc.
#
#   -n   do not fetch: fail (exit 1) unless the generator is already cached
#
# Environment: QUADLET_CACHE (cache directory), QUADLET_MIRROR (archive URI,
# default: the first main-suite URI in /etc/apt/sources.list.d/debian.sources
# or /etc/apt/sources.list, else http://deb.debian.org/debian).
# Progress goes to stderr; stdout is the path only.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${QUADLET_CACHE:-$here/../../build-tools}
dest=$cache/podman-trixie
quadlet=$dest/usr/libexec/podman/quadlet

cached() {
	if [ -x "$quadlet" ]; then
		(cd "$(dirname "$quadlet")" && printf '%s/quadlet\n' "$(pwd)")
		return 0
	fi
	return 1
}

# The archive URI of the machine's main suite (not -security, -updates).
mirror() {
	if [ -n "${QUADLET_MIRROR-}" ]; then
		echo "$QUADLET_MIRROR"
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

fetch() {
	work=$cache/.podman-trixie.work
	rm -rf "$work"
	mkdir -p "$work/sources.list.d" "$work/preferences.d" "$work/lists/partial" \
		"$work/archives/partial" "$work/cache" "$work/deb"
	uri=$(mirror)
	printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
		"$uri" /usr/share/keyrings/debian-archive-keyring.gpg >"$work/sources.list.d/trixie.sources"
	set -- -o Dir::Etc::SourceList=/dev/null \
		-o "Dir::Etc::SourceParts=$work/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null \
		-o "Dir::Etc::PreferencesParts=$work/preferences.d" \
		-o "Dir::State::Lists=$work/lists" \
		-o Dir::State::status=/dev/null \
		-o "Dir::Cache=$work/cache" \
		-o "Dir::Cache::Archives=$work/archives" \
		-o APT::Sandbox::User=root -q
	echo "fetch-quadlet.sh: podman from $uri trixie" >&2
	apt-get "$@" update >&2
	(cd "$work/deb" && apt-get "$@" download podman >&2)
	deb=$(find "$work/deb" -name 'podman_*.deb' | head -n 1)
	[ -n "$deb" ] || { echo "fetch-quadlet.sh: no podman package downloaded" >&2; exit 1; }
	mkdir -p "$work/root"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$work/root" ./usr/libexec/podman/quadlet ./usr/lib/systemd
	dpkg-deb -f "$deb" Version >"$work/root/VERSION"
	rm -rf "$dest"
	mv "$work/root" "$dest"
	rm -rf "$work"
	echo "fetch-quadlet.sh: cached podman $(cat "$dest/VERSION") in $dest" >&2
}

offline=''
case ${1-} in
-n) offline=1 ;;
'') ;;
*) echo "usage: fetch-quadlet.sh [-n]" >&2; exit 2 ;;
esac

cached && exit 0
if [ -n "$offline" ]; then
	echo "fetch-quadlet.sh: quadlet not cached in $dest (run tests/validate/fetch-quadlet.sh)" >&2
	exit 1
fi
mkdir -p "$cache"
# one fetch at a time (tests may run in parallel)
exec 9>"$cache/.podman-trixie.lock"
flock -w 600 9 || { echo "fetch-quadlet.sh: cannot lock $cache" >&2; exit 1; }
cached && exit 0
fetch
cached || { echo "fetch-quadlet.sh: no quadlet in the podman package" >&2; exit 1; }
"$quadlet" -version >&2 || { echo "fetch-quadlet.sh: $quadlet does not run here" >&2; exit 1; }
