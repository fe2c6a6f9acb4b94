#!/bin/sh
# systemd-run.sh [-e] [-g] [-j] [-k] [-t SECONDS] UNITDIR SCRIPT [ARG...]
#
# Run SCRIPT next to a fresh systemd user manager (systemd 252) that loads its
# units from UNITDIR, in a private mount and PID namespace, with the recorder
# (tests/e2e/recorder) standing in for docker and podman.  SCRIPT runs inside
# the namespace with `systemctl --user` working; its exit status is ours.
# Without systemd as PID 1 the manager needs what TESTING.md lists: a tmpfs on
# /run/systemd holding /run/systemd/system, a cgroup subtree of its own, and
# XDG_RUNTIME_DIR/HOME/XDG_CONFIG_HOME under a temporary directory.
#
#   -e          the real engines, not the recorder: docker and podman are
#               the machine's (DOCKER_HOST and the rest of the caller's
#               environment reach the units through the manager)
#   -g          UNITDIR holds Quadlet files: podman's Quadlet generator
#               (/usr/libexec/podman/quadlet -user, the program behind the
#               user manager's podman-user-generator) turns them into the
#               units the manager loads, before it starts; with -e, in the
#               sid root (tests/e2e/sid-root.sh) the real podman 5.8 runs them
#   -j          run a private systemd-journald too (journalctl --user-unit=X,
#               systemctl --user status X show the logs); without it the
#               services' output goes to $E2E_MANAGER_LOG and the manager's
#               own messages are lost
#   -k          keep the temporary directory (its path is printed)
#   -t SECONDS  bound on the whole run (default 120); 124 when exceeded
#
# SCRIPT sees: XDG_RUNTIME_DIR, HOME, XDG_CONFIG_HOME, UNIT_DIR, E2E_DIR (the
# temporary directory), E2E_MANAGER_LOG, E2E_LIB (tests/e2e/lib.sh, helpers to
# source), RECORD_LOG, RECORD_CTL, RECORD_STATE (the recorder's files; write
# RECORD_CTL to make calls fail or sleep).  /usr/bin/docker and
# /usr/bin/podman are the recorder inside the namespace only; stub targets for
# system-only targets (network-online.target, ...) follow UNITDIR in the unit
# search path.
#
# Exit status: SCRIPT's; 124 on timeout; 125 when the harness itself fails
# (not root, no unshare, the manager does not come up).  Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
self=$here/$(basename "$0")

die() {
	echo "systemd-run.sh: $*" >&2
	exit 125
}

# --- inside the namespace --------------------------------------------------

# Targets a user manager lacks but system-flavoured units order on.
STUB_TARGETS="network-online.target network.target network-pre.target
nss-lookup.target time-sync.target time-set.target multi-user.target
local-fs.target remote-fs.target sysinit.target"

# Where this process sits in each cgroup hierarchy: "MOUNTDIR PATH" lines.
# v1 hierarchies are mounted at /sys/fs/cgroup/<controllers> (name=systemd at
# .../systemd), v2 at /sys/fs/cgroup/unified (hybrid) or /sys/fs/cgroup.
cgroup_places() {
	while IFS=: read -r _ ctrl path; do
		if [ -z "$ctrl" ]; then
			if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then
				dir=/sys/fs/cgroup/unified
			else
				dir=/sys/fs/cgroup
			fi
		else
			dir=/sys/fs/cgroup/${ctrl#name=}
		fi
		[ -f "$dir/cgroup.procs" ] && echo "$dir ${path%/}"
	done </proc/self/cgroup
}

# Move the calling shell ($1 = its pid) into <E2E_CG>.slice/user@0.service
# below its current cgroup in every hierarchy.
cgroup_enter() {
	cgroup_places | while read -r dir path; do
		cg=$dir$path/$E2E_CG.slice/user@0.service
		mkdir -p "$cg"
		if [ -f "$dir$path/cpuset.cpus" ]; then # v1 cpuset starts empty
			for f in cpuset.cpus cpuset.mems; do
				cat "$dir$path/$f" >"$dir$path/$E2E_CG.slice/$f"
				cat "$dir$path/$f" >"$cg/$f"
			done
		fi
		echo "$1" >"$cg/cgroup.procs"
	done
}

# Wait until the command succeeds, polling every 10 ms, at most $1 seconds.
wait_for() {
	n=$(($1 * 100))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.01
	done
}

# the process has exited (a zombie not yet reaped counts)
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

inner() {
	script=$1
	shift
	mkdir -p /run/systemd
	mount -t tmpfs -o size=64m,mode=0755 tmpfs /run/systemd || die "cannot mount a tmpfs"
	mkdir -p /run/systemd/system
	# A user manager logs to /dev/console when no journald runs; keep that
	# off the host's console (it refuses a non-tty, so its log is lost: use
	# -j to keep it).
	if [ -c /dev/console ]; then mount --bind /dev/null /dev/console; fi

	# The recorder at the engine paths: a read-only overlay puts
	# $E2E_DIR/bin in front of each directory where systemd or a PATH
	# lookup could find an engine.
	for d in /usr/bin /usr/local/bin /usr/local/sbin /usr/sbin; do
		if [ -n "$E2E_REAL" ] || [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
		if [ "$d" = /usr/bin ] || [ -e "$d/docker" ] || [ -e "$d/podman" ]; then
			mount -t overlay overlay -o "lowerdir=$E2E_DIR/bin:$d" "$d" ||
				die "cannot mount an overlay on $d"
		fi
	done

	export XDG_RUNTIME_DIR="$E2E_DIR/runtime" HOME="$E2E_DIR/home"
	export XDG_CONFIG_HOME="$HOME/.config" UNIT_DIR="$E2E_UNITDIR"
	export SYSTEMD_UNIT_PATH="$E2E_UNITDIR:$E2E_DIR/stubs:/usr/lib/systemd/user"
	mkdir -m 0700 "$XDG_RUNTIME_DIR"
	mkdir -p "$XDG_CONFIG_HOME"
	if [ -n "$E2E_QUADLET" ]; then
		# what the generator writes is what the manager loads
		mkdir -p "$E2E_DIR/generated"
		QUADLET_UNIT_DIRS=$E2E_UNITDIR /usr/libexec/podman/quadlet -user -no-kmsg-log \
			"$E2E_DIR/generated" >>"$E2E_MANAGER_LOG" 2>&1 ||
			die "the Quadlet generator failed (see $E2E_MANAGER_LOG)"
		export SYSTEMD_UNIT_PATH="$E2E_DIR/generated:$E2E_DIR/stubs:/usr/lib/systemd/user"
	fi

	if [ -n "$E2E_JOURNAL" ]; then
		[ -f /etc/systemd/journald.conf ] || die "-j needs /etc/systemd/journald.conf"
		mkdir -p /run/log
		mount -t tmpfs -o size=64m,mode=0755 tmpfs /run/log
		printf '[Journal]\nStorage=volatile\nReadKMsg=no\n' >"$E2E_DIR/journald.conf"
		mount --bind "$E2E_DIR/journald.conf" /etc/systemd/journald.conf
		/lib/systemd/systemd-journald >>"$E2E_MANAGER_LOG" 2>&1 &
		wait_for 10 test -S /run/systemd/journal/socket ||
			die "journald did not start (see $E2E_MANAGER_LOG)"
	fi
	log_target=console output=inherit
	if [ -n "$E2E_JOURNAL" ]; then log_target=journal output=journal; fi

	# A subshell moves itself into the cgroup subtree and becomes the
	# manager.  Its environment reaches the services (a user manager passes
	# its own environment on), so the recorder finds its files either way.
	(
		read -r pid _ </proc/self/stat
		cgroup_enter "$pid"
		exec /lib/systemd/systemd --user --unit=basic.target --log-target="$log_target" \
			--default-standard-output="$output" --default-standard-error="$output"
	) >>"$E2E_MANAGER_LOG" 2>&1 &
	manager=$!
	wait_for 10 test -S "$XDG_RUNTIME_DIR/systemd/private" || {
		cat "$E2E_MANAGER_LOG" >&2
		die "the user manager did not start"
	}
	# Startup (basic.target, nothing from UNITDIR) done before SCRIPT runs.
	timeout 10 systemctl --user is-system-running --wait >/dev/null 2>&1 || :

	rc=0
	if [ -x "$script" ]; then
		"$script" "$@" || rc=$?
	else
		sh "$script" "$@" || rc=$?
	fi

	timeout 20 systemctl --user exit >/dev/null 2>&1 || kill "$manager" 2>/dev/null || :
	wait_for 20 gone "$manager" ||
		kill -9 "$manager" 2>/dev/null || :
	return "$rc"
}

# --- outside ---------------------------------------------------------------

# Kill what is left in our cgroup subtrees and remove them, deepest first.
cgroup_remove() {
	cgroup_places | while read -r dir path; do
		top=$dir$path/$E2E_CG.slice
		[ -d "$top" ] || continue
		find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null |
			while read -r pid; do kill -9 "$pid" 2>/dev/null || :; done
		i=0
		while ! find "$top" -depth -type d -exec rmdir {} + 2>/dev/null; do
			i=$((i + 1))
			[ "$i" -lt 50 ] || { echo "systemd-run.sh: cannot remove $top" >&2; break; }
			sleep 0.1
		done
	done
}

cleanup() {
	cgroup_remove
	if [ -n "$keep" ]; then
		echo "systemd-run.sh: kept $E2E_DIR" >&2
	else
		rm -rf "$E2E_DIR"
	fi
}

outer() {
	journal='' keep='' limit=120 real='' quadlet=''
	while getopts egjkt: opt; do
		case $opt in
		e) real=1 ;;
		g) quadlet=1 ;;
		j) journal=1 ;;
		k) keep=1 ;;
		t) limit=$OPTARG ;;
		*) die "usage: systemd-run.sh [-e] [-g] [-j] [-k] [-t SECONDS] UNITDIR SCRIPT [ARG...]" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 2 ] || die "usage: systemd-run.sh [-e] [-g] [-j] [-k] [-t SECONDS] UNITDIR SCRIPT [ARG...]"
	[ "$(id -u)" -eq 0 ] || die "needs root (mount namespaces, cgroups)"
	command -v unshare >/dev/null || die "needs unshare (util-linux)"
	[ -x /lib/systemd/systemd ] || die "needs /lib/systemd/systemd (package systemd)"
	unshare --mount --pid --fork true 2>/dev/null || die "cannot create mount and PID namespaces"
	[ -d "$1" ] || die "no unit directory $1"
	[ -f "$2" ] || die "no script $2"
	unitdir=$(cd "$1" && pwd)
	script=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	shift 2

	E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/composec-e2e.XXXXXX")
	E2E_CG=composec-e2e-$$-${E2E_DIR##*.}
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE

	mkdir -p "$E2E_DIR/bin" "$E2E_DIR/stubs" "$E2E_DIR/recorder"
	# The recorder copy knows its directory, whatever environment it gets.
	sed "s|^RECORD_DIR=.*|RECORD_DIR='$E2E_DIR/recorder'|" "$here/recorder" >"$E2E_DIR/bin/docker"
	chmod 0755 "$E2E_DIR/bin/docker"
	cp "$E2E_DIR/bin/docker" "$E2E_DIR/bin/podman"
	: >"$E2E_DIR/recorder/record.log"
	: >"$E2E_DIR/recorder/ctl"
	: >"$E2E_DIR/manager.log"
	for t in $STUB_TARGETS; do
		[ -e "/usr/lib/systemd/user/$t" ] ||
			printf '[Unit]\nDescription=Stub for %s (composec e2e)\n' "$t" >"$E2E_DIR/stubs/$t"
	done
	# Quadlet's user units wait for the system manager's
	# network-online.target through podman's own unit, which asks a system
	# manager that does not run here: the network counts as online.
	if [ -n "$quadlet" ]; then
		printf '[Unit]\nDescription=Stub for %s (composec e2e)\n[Service]\nType=oneshot\n%s\n%s\n' \
			podman-user-wait-network-online.service ExecStart=/bin/true RemainAfterExit=yes \
			>"$E2E_DIR/stubs/podman-user-wait-network-online.service"
	fi

	export E2E_DIR E2E_CG E2E_JOURNAL="$journal" E2E_UNITDIR="$unitdir" E2E_REAL="$real"
	export E2E_QUADLET="$quadlet"
	export E2E_MANAGER_LOG="$E2E_DIR/manager.log" E2E_LIB="$here/lib.sh"
	export RECORD_LOG="$E2E_DIR/recorder/record.log" RECORD_CTL="$E2E_DIR/recorder/ctl"
	export RECORD_STATE="$E2E_DIR/recorder/state"
	rc=0
	timeout -k 5 "$limit" unshare --mount --propagation private --pid --fork \
		--kill-child --mount-proc sh "$self" --inner "$script" "$@" || rc=$?
	[ "$rc" -ne 124 ] || echo "systemd-run.sh: timed out after ${limit}s" >&2
	return "$rc"
}

case ${1-} in
--inner)
	shift
	inner "$@"
	;;
*) outer "$@" ;;
esac
