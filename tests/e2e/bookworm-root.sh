#!/bin/sh
# bookworm-root.sh [-n]
# bookworm-root.sh chroot ROOT CMD [ARG...]
#
# A fresh Debian 12 for the package's install check (tests/cli/test_package.sh):
# debootstrap's minbase of bookworm with man-db (what a server has to read a
# man page), built once into ${FETCH_CACHE:-<repo>/build-tools}/bookworm-root
# (about a minute with the archive reachable).  Nothing is ever installed
# into it: a test copies it and works on the copy.
#
#   (no command)  print the root's path, building it first; -n: do not
#                 build, fail (exit 1) unless it is built
#   chroot        run CMD in a plain chroot of ROOT (the root or a copy of
#                 it), with /proc, /dev, /sys and a tmpfs /run, in a private
#                 mount namespace (nothing stays mounted afterwards)
#
# Environment: FETCH_CACHE, FETCH_MIRROR (as tests/validate/fetch-deb.sh).
# Progress goes to stderr.  Needs root and debootstrap.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${FETCH_CACHE:-$here/../../build-tools}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
root=$cache/bookworm-root

die() {
	echo "bookworm-root.sh: $*" >&2
	exit 1
}

built() { [ -f "$root/.composec-complete" ]; }

# shellcheck source=tests/e2e/debroot.sh
. "$here/debroot.sh"

build() {
	work=$cache/.bookworm-root.work
	debroot_bootstrap bookworm-root.sh bookworm "$work" --include=man-db
	debroot_in_chroot "$work" apt-get clean >&2
	rm -rf "$root"
	mv "$work" "$root"
	date -u +%FT%TZ >"$root/.composec-complete"
	echo "bookworm-root.sh: built $root" >&2
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
case ${1-} in
chroot)
	shift
	[ $# -ge 2 ] || die "usage: bookworm-root.sh chroot ROOT CMD [ARG...]"
	debroot_in_chroot "$@"
	;;
-n)
	built || die "no bookworm root in $root (run tests/tools.sh install test)"
	echo "$root"
	;;
'')
	if ! built; then
		exec 9>"$cache/.bookworm-root.lock"
		flock -w 1800 9 || die "cannot lock $cache"
		built || build
	fi
	echo "$root"
	;;
*)
	echo "usage: bookworm-root.sh [-n] | chroot ROOT CMD [ARG...]" >&2
	exit 2
	;;
esac
