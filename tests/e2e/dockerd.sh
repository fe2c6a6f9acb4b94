#!/bin/sh
# dockerd.sh start|restart|stop DIR - a private Docker Engine for the tests
# (TESTING.md, "A Docker Engine"): Debian 12's dockerd with all its state
# under DIR (data root, exec root, socket, pid, log), so that it touches
# neither a Docker the machine may run nor another test's.
#
#   start DIR   start dockerd, wait for its socket, import
#               localhost/busybox:latest from Debian's busybox-static (no
#               registry is reachable) with the applets the tests use; print
#               the DOCKER_HOST to use.  Exit 1 when it does not come up.
#   restart DIR stop it as a host's shutdown would (SIGTERM) and start it
#               again on the same state: dockerd restores the containers
#               whose restart policy says so.
#   stop DIR    stop it (SIGTERM, then SIGKILL after 20 s), unmount what it
#               left under DIR and remove DIR.
#
# The engine runs without the default bridge and without iptables rules
# (--bridge=none --iptables=false): the tests compare what gets created and
# how it starts, not traffic, and two engines or podman's netavark on one
# host must not fight over docker0 or the DOCKER chains.  Compose networks
# are user-defined bridges and work as usual.  Needs root.
set -eu

applets="sh echo cat sleep true false wget nc httpd id ls mkdir touch chown test printf env grep rm cp mv"
image=localhost/busybox:latest

die() {
	echo "dockerd.sh: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: dockerd.sh start|restart|stop DIR"
cmd=$1
dir=$2
sock=$dir/docker.sock

# A root directory with /bin/busybox and one link per applet, imported.
import_busybox() {
	[ -x /bin/busybox ] || die "/bin/busybox missing (package busybox-static)"
	root=$dir/busybox-root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for a in $applets; do ln -s busybox "$root/bin/$a"; done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/:/bin/false' >"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
	tar -C "$root" -c . | DOCKER_HOST=unix://$sock docker import --change 'ENV PATH=/bin' \
		--change 'CMD ["/bin/sh"]' - "$image" >/dev/null || die "docker import failed"
	rm -rf "$root"
}

# run: dockerd on DIR's state, answering on its socket
run() {
	dockerd --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$sock" --pidfile "$dir/pid" \
		--bridge=none --iptables=false --ip-masq=false --userland-proxy=true \
		--log-level=warn >"$dir/log" 2>&1 &
	i=0
	until DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 150 ]; then
			cat "$dir/log" >&2
			die "dockerd did not answer on $sock within 30 s"
		fi
		sleep 0.2
	done
}

start() {
	[ "$(id -u)" -eq 0 ] || die "needs root"
	command -v dockerd >/dev/null || die "no dockerd (package docker.io)"
	command -v docker >/dev/null || die "no docker client"
	mkdir -p "$dir"
	run
	import_busybox
	echo "unix://$sock"
}

# halt: SIGTERM, SIGKILL after 20 s
halt() {
	if [ -f "$dir/pid" ]; then
		pid=$(cat "$dir/pid")
		kill "$pid" 2>/dev/null || :
		i=0
		while kill -0 "$pid" 2>/dev/null; do
			i=$((i + 1))
			if [ "$i" -eq 100 ]; then kill -9 "$pid" 2>/dev/null || :; fi
			if [ "$i" -gt 150 ]; then break; fi
			sleep 0.2
		done
	fi
}

stop() {
	halt
	# what the engine left mounted (overlays, netns, shm)
	awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/mounts | sort -r |
		while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || :; done
	rm -rf "$dir"
}

case $cmd in
start) start ;;
restart) halt && run ;;
stop) stop ;;
*) die "usage: dockerd.sh start|restart|stop DIR" ;;
esac
