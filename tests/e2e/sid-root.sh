#!/bin/sh
# sid-root.sh [-n]
# sid-root.sh chroot CMD [ARG...]
# sid-root.sh enter CMD [ARG...]
#
# The newest consumers (TESTING.md, "The newest consumers: a Debian sid
# root"): a Debian sid root with podman and Quadlet 5.8 and systemd 262,
# built once by debootstrap into ${FETCH_CACHE:-<repo>/build-tools}/sid-root
# (about 8 minutes) with podman, systemd, runc and busybox-static installed
# and podman's settings for this kind of machine (runc, cgroupfs, file
# events, no pids limit: the unified hierarchy here has no controllers),
# and the local busybox image under the names the tests' compose files
# use (localhost/busybox, docker.io/library/busybox; no registry here).
# A user bus (dbus-user-session) lets podman start its healthcheck timers
# under a user manager.
#
#   (no command)  print the root's path, building it first; -n: do not
#                 build, fail (exit 1) unless it is built
#   chroot        run CMD in a plain chroot of the root, with /proc, /dev
#                 and /sys, in a private mount namespace (the generator,
#                 systemd-analyze verify)
#   enter         run CMD in the root entered with pivot_root inside private
#                 mount, PID, network and cgroup namespaces, with the unified
#                 cgroup hierarchy on /sys/fs/cgroup (systemd 262 knows no
#                 other), tmpfs on /run and /tmp, loopback up: what runc and
#                 a user manager need. The caller's directories in
#                 TESTS_SHARE (words), if set, are bind-mounted at the same
#                 paths inside.
#
# Environment: FETCH_CACHE, FETCH_MIRROR (as tests/validate/fetch-deb.sh).
# Progress goes to stderr. Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${FETCH_CACHE:-$here/../../build-tools}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
root=$cache/sid-root
packages="podman systemd runc netavark aardvark-dns nftables iptables iproute2
busybox-static catatonit conmon passt util-linux dbus dbus-user-session"

die() {
	echo "sid-root.sh: $*" >&2
	exit 1
}

built() { [ -f "$root/.composec-complete" ]; }

# import_image: localhost/busybox:latest from the root's busybox, tagged
# docker.io/library/busybox:latest (inside the entered root)
import_image() {
	if podman image exists docker.io/library/busybox:latest; then return 0; fi
	tar -C /opt/composec/busybox -c . | podman import --quiet --change ENV=PATH=/bin --change 'CMD ["/bin/sh"]' - \
		localhost/busybox:latest >/dev/null &&
		podman tag localhost/busybox:latest docker.io/library/busybox:latest
}

# shellcheck source=tests/e2e/debroot.sh
. "$here/debroot.sh"

build() {
	work=$cache/.sid-root.work
	debroot_bootstrap sid-root.sh sid "$work"
	printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
	chmod 755 "$work/usr/sbin/policy-rc.d"
	# shellcheck disable=SC2086 # the package list: words
	pkgs=$(printf '%s ' $packages)
	debroot_in_chroot "$work" sh -c 'export DEBIAN_FRONTEND=noninteractive
		apt-get -q update && apt-get -q -y --no-install-recommends install '"$pkgs"' &&
		apt-get clean' >&2 || die "installing podman and systemd into the sid root failed"
	mkdir -p "$work/etc/containers"
	cat >"$work/etc/containers/containers.conf" <<'EOF'
# composec's tests: what this kind of machine needs (TESTING.md)
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
pids_limit = 0
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
	# a busybox root to import as localhost/busybox:latest when entered
	# (the layout of tests/e2e/podman-setup.sh's image)
	bb=$work/opt/composec/busybox
	mkdir -p "$bb/bin" "$bb/etc" "$bb/tmp" "$bb/root"
	chmod 1777 "$bb/tmp"
	cp "$work/bin/busybox" "$bb/bin/busybox"
	for a in sh echo cat sleep true false wget nc httpd id ls mkdir touch chown test printf env grep rm cp mv; do
		ln -sf busybox "$bb/bin/$a"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/:/bin/false' >"$bb/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$bb/etc/group"
	rm -rf "$root"
	mv "$work" "$root"
	TESTS_SHARE=$here unshare --mount --pid --net --cgroup --fork --propagation private \
		sh "$here/sid-root.sh" _enter "$root" sh "$here/sid-root.sh" _image >&2 ||
		die "importing the busybox image failed"
	# shellcheck disable=SC2016 # dpkg-query's own ${Version}
	v=$(chroot "$root" dpkg-query -W -f='podman ${Version}, systemd ' podman)$(chroot "$root" dpkg-query -W -f='${Version}' systemd)
	echo "$v" >"$root/.composec-complete"
	echo "sid-root.sh: built $root ($v)" >&2
}

# enter_inside ROOT CMD...: run in the new namespaces (see the header).
enter_inside() {
	r=$1
	shift
	mount --make-rprivate /
	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount --rbind /dev "$r/dev"
	mount --rbind /sys "$r/sys"
	mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
	mount -t tmpfs -o size=256m tmpfs "$r/run"
	mount -t tmpfs tmpfs "$r/tmp"
	mkdir -p "$r/run/lock" "$r/.oldroot"
	for d in ${TESTS_SHARE:-}; do
		mkdir -p "$r$d"
		mount --bind "$d" "$r$d"
	done
	ip link set lo up 2>/dev/null || :
	cd "$r"
	pivot_root . .oldroot
	cd /
	umount -l /.oldroot
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	exec "$@"
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
case ${1-} in
_image) import_image ;;
_enter)
	shift
	enter_inside "$@"
	;;
chroot | enter)
	what=$1
	shift
	[ $# -ge 1 ] || die "usage: sid-root.sh $what CMD [ARG...]"
	built || die "no sid root in $root (run sid-root.sh to build it)"
	if [ "$what" = chroot ]; then
		debroot_in_chroot "$root" "$@"
	else
		exec unshare --mount --pid --net --cgroup --fork --propagation private \
			sh "$here/sid-root.sh" _enter "$root" "$@"
	fi
	;;
-n)
	built || die "no sid root in $root (run tests/tools.sh install test)"
	echo "$root"
	;;
'')
	if ! built; then
		# one build at a time (tests may run in parallel)
		exec 9>"$cache/.sid-root.lock"
		flock -w 1800 9 || die "cannot lock $cache"
		built || build
	fi
	echo "$root"
	;;
*)
	echo "usage: sid-root.sh [-n] | chroot CMD [ARG...] | enter CMD [ARG...]" >&2
	exit 2
	;;
esac
