#!/bin/sh
# fresh-machine.sh - check the README's promise on a fresh Debian 12.
#
# Builds a minimal Debian 12 (debootstrap minbase plus build-essential, git
# and ca-certificates: what a newcomer is assumed to have), puts the source
# tree in /src, and runs `make demo` and `make test` there as root in a
# chroot.  Whatever those need and do not install, a newcomer lacks too.
#
# Run as root from anywhere in the checkout:  sh tests/fresh-machine.sh
#   WORKTREE=1  copy the work tree as it is (minus .git, build*/ and out/)
#               instead of `git archive HEAD` (the last commit)
#   KEEP=1      keep the root directory afterwards (its path is printed)
#   ROOT=DIR    where to build the root (must not exist; default: a new
#               directory under /var/tmp)
# Installs debootstrap when it is missing.  Needs the Debian archive (the one
# in /etc/apt/sources.list.d/debian.sources); takes a few minutes.  Not run
# in CI.
set -eu

say() { printf '== fresh-machine: %s\n' "$*"; }
die() {
	printf 'fresh-machine: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount, chroot)"
src=$(cd "$(dirname "$0")/.." && pwd -P)

# The archive this host uses, so that the chroot sees the same packages.
uri=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	uri=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list)
fi
uri=${uri:-http://deb.debian.org/debian}

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
fi

if [ -n "${ROOT:-}" ]; then
	[ ! -e "$ROOT" ] || die "ROOT=$ROOT exists; give a new path"
	mkdir -p "$ROOT"
	root=$(cd "$ROOT" && pwd -P)
else
	root=$(mktemp -d /var/tmp/composec-fresh.XXXXXX)
fi

# Unmount in reverse order, then delete the root only when nothing is
# mounted below it any more (rm -rf across a bind mount of /dev would
# delete the host's device nodes).
mounted=
cleanup() {
	status=$?
	trap - EXIT HUP INT TERM
	for m in $mounted; do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	# debootstrap may leave its own proc/sys mounts behind when it fails.
	awk -v r="$root/" 'index($2 "/", r) == 1 { print $2 }' /proc/mounts | sort -r |
		while IFS= read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" || true
		done
	if awk -v r="$root/" 'index($2 "/", r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		echo "fresh-machine: something is still mounted under $root; not deleting it" >&2
	elif [ "${KEEP:-0}" = 1 ]; then
		echo "fresh-machine: kept $root"
	else
		rm -rf --one-file-system "$root"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

mount_in() { # mount_in TARGET MOUNT-ARGS...
	target=$root$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	mounted="$target $mounted"
}

say "debootstrap bookworm from $uri into $root"
debootstrap --variant=minbase --include=build-essential,git,ca-certificates \
	bookworm "$root" "$uri"
cp /etc/resolv.conf "$root/etc/resolv.conf"

mkdir -p "$root/src"
if [ "${WORKTREE:-0}" = 1 ]; then
	say "copying the work tree of $src"
	tar -C "$src" --anchored --exclude=./.git --exclude='./build*' --exclude=./out -cf - . |
		tar -C "$root/src" -xf -
else
	say "git archive HEAD of $src"
	git -C "$src" archive --format=tar HEAD | tar -C "$root/src" -xf -
fi

mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /sys --bind /sys
mount_in /proc -t proc proc

# A clean login-like environment: nothing from this shell leaks in.
run_in() {
	say "chroot: $*"
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c 'cd /src && exec "$@"' sh "$@"
}
run_in make demo
run_in make test
say "ok: make demo and make test pass on a fresh Debian 12"
