#!/bin/sh
# fresh-machine.sh - check the README's promise on a fresh Debian 12.
#
# Builds a minimal Debian 12 (debootstrap minbase plus build-essential, git
# and ca-certificates: what a newcomer is assumed to have), puts the source
# tree in /src, and runs `make demo` and `make test` there as root, inside
# the root (pivot_root: see run_in).  Whatever those need and do not install,
# a newcomer lacks too.
# Then `make package`, and the package installed with apt-get, used (--help,
# man) and purged, leaving no file of it.
# Those two commands must install every test tool (tests/tools.sh): the run
# fails unless CTest ran every test, none skipped, all passed.  The time of
# each command is printed.
#
# With AS_USER=1 the newcomer is a normal user instead: root installs only
# the build packages (the command `make` prints for them), then the user runs
# `make demo` and `make test`; the test tools stay missing, and the run fails
# unless CTest's summary names the skipped tests and none failed.
#
# Run as root from anywhere in the checkout:  sh tests/fresh-machine.sh
#   WORKTREE=1  copy the work tree as it is (minus .git, build*/, out/ and
#               node_modules/)
#               instead of `git archive HEAD` (the last commit)
#   PACKAGE=1   only `make package` and the package's install, use and purge
#               with apt-get (run after make test otherwise)
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
# The host's own trust, as its network needs it (a proxy that re-signs TLS,
# as on these machines, for npm): its local certificates, and the variable
# that points Node.js at the bundle when the host sets it.
extra_ca=
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" /usr/sbin/update-ca-certificates >/dev/null
	if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then extra_ca=$NODE_EXTRA_CA_CERTS; fi
fi

mkdir -p "$root/src"
if [ "${WORKTREE:-0}" = 1 ]; then
	say "copying the work tree of $src"
	tar -C "$src" --anchored --exclude=./.git --exclude='./build*' --exclude=./out \
		--no-anchored --exclude=node_modules -cf - . |
		tar -C "$root/src" -xf -
else
	say "git archive HEAD of $src"
	git -C "$src" archive --format=tar HEAD | tar -C "$root/src" -xf -
fi

# The root is a mount point of its own, as / is on a machine: podman's
# storage remounts / private when it unpacks an image, which fails on a
# plain directory.
mount_in '' --bind "$root"
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
# /sys with the cgroup hierarchies below it (runc needs them), kept a slave
# so that unmounting the copy never unmounts anything of the host's
mount_in /sys --rbind /sys
mount --make-rslave "$root/sys"
mount_in /proc -t proc proc

# timed NAME CMD...: run, keep the output in $root/NAME.log, print the seconds
timed() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" 2>&1 | tee "$root/$name.log"
	# tee hides the command's status; run_in prints it last
	rc=$(tail -n 1 "$root/$name.log" | sed -n 's/^fresh-machine-status=//p')
	say "$name: exit ${rc:-?} in $(($(date +%s) - t0)) s"
	[ "${rc:-1}" = 0 ]
}

# run_in USER CMD...: as USER (root or newcomer) in the root, from /src, in a
# clean login-like environment; the last line is the status.  The root is
# entered the way a machine is booted into it, not by chroot: pivot_root in
# private mount and PID namespaces with a /proc of their own (runc's exec
# cannot join a container's mounts from a chroot, so `podman exec` would see
# none of them).  The network stays the host's: apt-get and npm need it.
run_in() {
	user=$1
	shift
	say "in the root ($user): $*"
	# shellcheck disable=SC2016 # the script expands its own arguments
	unshare --mount --pid --fork --propagation private /bin/sh -c '
		set -e
		root=$1 home=$2 user=$3 extra_ca=$4
		shift 4
		cd "$root"
		mkdir -p .old-root
		pivot_root . .old-root
		mount -t proc proc /proc
		umount -l /.old-root
		rmdir /.old-root
		exec /usr/bin/env -i HOME="$home" TERM=dumb ${extra_ca:+NODE_EXTRA_CA_CERTS="$extra_ca"} \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/usr/sbin/runuser -u "$user" -- /bin/sh -c \
			"cd /src && \"\$@\"; echo fresh-machine-status=\$?" sh "$@"
	' sh "$root" "$(home_of "$user")" "$user" "$extra_ca" "$@"
}
home_of() { if [ "$1" = root ]; then echo /root; else echo "/home/$1"; fi; }

if [ "${AS_USER:-0}" = 1 ]; then
	chroot "$root" /usr/sbin/useradd -m newcomer
	chroot "$root" /bin/chown -R newcomer: /src
	timed build-packages run_in root sh tests/tools.sh install build
	timed demo run_in newcomer make demo
	timed test run_in newcomer make test || :
	grep -q 'tools.sh: missing test tools:' "$root/test.log" ||
		die "make test as a normal user did not say which test tools are missing"
	grep -q 'sudo sh /src/tests/tools.sh install all' "$root/test.log" ||
		die "make test as a normal user did not print the command to install them"
	grep -Eq '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$root/test.log" ||
		die "CTest's summary names no skipped test"
	if grep -Eq '^[[:space:]]*[0-9]+ - .*\(Failed\)$' "$root/test.log"; then
		die "tests failed as a normal user"
	fi
	say "skipped as a normal user without the test tools:"
	grep -E '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$root/test.log"
	say "ok: as a normal user make test names the skipped tests and fails none"
	exit 0
fi

# package_check: make package, then the package installed with apt-get on this
# fresh machine, used, and purged without a trace of it
package_check() {
	timed package run_in root make package || die "make package failed"
	timed package-install run_in root sh -c 'export DEBIAN_FRONTEND=noninteractive
		apt-get -q update && apt-get -q -y install man-db ./build-deb/composec_*.deb &&
		cd / && compose2systemd --help >/dev/null && composec-run --help >/dev/null &&
		MANPAGER=cat man composec | grep -q compose2systemd && MANPAGER=cat man compose2sh >/dev/null &&
		apt-get -q -y purge --autoremove composec && ! command -v composec &&
		! ls /usr/share/man/man1/compose* /usr/share/bash-completion/completions/compose* /usr/share/doc/composec 2>/dev/null' ||
		die "the package did not install, work and purge"
	say "ok: the package installs with apt-get, works (--help, man) and purges on a fresh Debian 12"
}
if [ "${PACKAGE:-0}" = 1 ]; then
	package_check
	exit 0
fi

timed demo run_in root make demo || die "make demo failed"
timed test run_in root make test || die "make test failed"
if grep -q 'The following tests did not run' "$root/test.log"; then
	die "make test skipped tests although it ran as root"
fi
grep -Eq '^100% tests passed, 0 tests failed out of [0-9]+$' "$root/test.log" ||
	die "no 100% line in CTest's summary"
grep -E '^100% tests passed' "$root/test.log"
say "ok: make demo and make test pass on a fresh Debian 12, no test skipped"
package_check
