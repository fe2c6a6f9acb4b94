#!/bin/sh
# podman-setup.sh: make this machine run real containers with podman, for the
# end-to-end tests (TESTING.md, "Podman: real containers with a local image").
# As root, and idempotent; every step says what it did or that nothing was
# needed:
#   1. checks that podman and what it runs with are installed (the packages
#      come from tests/tools.sh, the one list of test tools);
#   2. writes /etc/containers/containers.conf with the settings this kind of
#      machine needs (runc, cgroupfs, file events, ulimits the sandbox can
#      grant), unless the file already has them; an existing file is kept as
#      containers.conf.composec-backup;
#   3. builds localhost/busybox:latest from Debian's busybox-static (no
#      registry is reachable), unless an image with the same applet list is
#      there already;
#   4. runs a container once to prove it works.
# With --check it changes nothing and only says (exit 0 or 1) whether steps
# 1-3 are done.
# Exit status: 0 ready, 1 a step failed, 2 not root.
#
# Environment: PODMAN_SETUP_IMAGE (default localhost/busybox:latest).
set -eu

image=${PODMAN_SETUP_IMAGE:-localhost/busybox:latest}
top=$(cd "$(dirname "$0")/../.." && pwd)
applets="sh echo cat sleep true false wget nc httpd id ls mkdir touch chown test printf env grep rm cp mv"
conf=/etc/containers/containers.conf

say() { echo "podman-setup: $*"; }
die() {
	echo "podman-setup: $*" >&2
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "podman-setup: must run as root" >&2
	exit 2
fi

# One setup at a time: the tests that need podman run concurrently, and two
# writers of containers.conf or of the image would race.
if [ -z "${PODMAN_SETUP_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	PODMAN_SETUP_LOCKED=1 exec flock /run/composec-podman-setup.lock "$0" "$@"
fi

# The packages come from the one list of test tools (tests/tools.sh), which
# runs this script after installing them.
check_tools() {
	for t in podman runc /usr/lib/podman/netavark iptables /bin/busybox; do
		command -v "$t" >/dev/null 2>&1 ||
			die "$t missing: run sh $top/tests/tools.sh install test (as root)"
	done
	say "tools present: podman runc netavark iptables busybox"
}

# The settings of TESTING.md; a file that already holds all four is left alone.
conf_ok() {
	[ -f "$conf" ] &&
		grep -Eq '^[[:space:]]*runtime[[:space:]]*=[[:space:]]*"runc"' "$conf" &&
		grep -Eq '^[[:space:]]*cgroup_manager[[:space:]]*=[[:space:]]*"cgroupfs"' "$conf" &&
		grep -Eq '^[[:space:]]*events_logger[[:space:]]*=[[:space:]]*"file"' "$conf" &&
		grep -Eq '^[[:space:]]*default_ulimits[[:space:]]*=.*nofile=' "$conf"
}

write_conf() {
	if conf_ok; then
		say "$conf already configured"
		return
	fi
	mkdir -p "${conf%/*}"
	if [ -f "$conf" ] && [ ! -f "$conf.composec-backup" ]; then
		cp -p "$conf" "$conf.composec-backup"
		say "kept the previous $conf as $conf.composec-backup"
	fi
	tmpconf=$(mktemp "$conf.XXXXXX")
	cat >"$tmpconf" <<'EOF'
# Written by composec's tests/e2e/podman-setup.sh.
[containers]
# the sandbox lacks CAP_SYS_RESOURCE: ask only for limits it can grant
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
# crun 1.8.1 refuses the hybrid cgroup v1/v2 layout found here
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
	chmod 0644 "$tmpconf"
	mv "$tmpconf" "$conf"
	say "wrote $conf"
}

image_label() {
	podman image inspect --format '{{index .Labels "composec.busybox"}}' "$image" 2>/dev/null || :
}

# A root directory with /bin/busybox, one link per applet, and the few files
# programs expect (/etc/passwd, /etc/group, /tmp).
build_image() {
	want=$(echo "$applets" | tr ' ' ',')
	if [ "$(image_label)" = "$want" ]; then
		say "image $image present"
		return
	fi
	[ -x /bin/busybox ] || die "/bin/busybox missing (package busybox-static)"
	root=$(mktemp -d)
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for a in $applets; do ln -s busybox "$root/bin/$a"; done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/:/bin/false' \
		>"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
	tar -C "$root" -c . | podman import -q --change 'ENV=PATH=/bin' \
		--change 'CMD ["/bin/sh"]' --change "LABEL=composec.busybox=$want" \
		- "$image" >/dev/null || die "podman import failed"
	rm -rf "$root"
	trap - EXIT
	say "built $image from /bin/busybox ($applets)"
}

smoke() {
	out=$(podman run --rm "$image" echo ok 2>&1) || die "podman run $image failed: $out"
	[ "$out" = ok ] || die "podman run $image printed: $out"
	say "podman runs $image"
}

if [ "${1-}" = --check ]; then
	check_tools >/dev/null
	conf_ok || die "$conf lacks the settings of this script"
	[ "$(image_label)" = "$(echo "$applets" | tr ' ' ',')" ] || die "no image $image"
	exit 0
fi
check_tools
write_conf
build_image
smoke
