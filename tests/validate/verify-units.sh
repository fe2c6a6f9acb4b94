#!/bin/sh
# verify-units.sh [--user] [-I DEPDIR]... DIR...
#
# Check every unit file at the top of each DIR with systemd's own loader:
# `systemd-analyze verify --man=no --recursive-errors=yes`, one invocation per
# DIR, offline (no systemd as PID 1 needed).  verify exits 0 on many warnings
# (unknown key, bad escape, bad Restart= value), so ANY output is a failure.
#
# It runs against a private --root that holds
#   - DIR's files (drop-in and .wants directories too) in /etc/systemd/system;
#   - stubs for the targets and slices systemd 252 ships (the system set, or
#     with --user the set a user manager has), so a typo in a target name or
#     a system-only target in a user unit is still an error;
#   - each DEPDIR's unit files (e.g. podman's own units) in /usr/lib/systemd;
#   - an empty executable for every Exec*= program that exists on this host,
#     and for docker and podman, which need not be installed (a relative
#     name is looked up in systemd's PATH).  A program that exists nowhere
#     stays missing and verify reports it.
# systemd 252 cannot verify user units under --root, so --user verifies them
# in system mode against the user manager's targets.
#
# Prints the findings per DIR, then one summary line.  Exit 0 when every DIR
# is clean, 1 otherwise, 2 on usage errors.
set -eu

usage() {
	echo "usage: verify-units.sh [--user] [-I DEPDIR]... DIR..." >&2
	exit 2
}

# systemd 252 (Debian 12): targets and slices of the system manager
SYSTEM_UNITS="basic.target bluetooth.target boot-complete.target
cryptsetup-pre.target cryptsetup.target ctrl-alt-del.target default.target
emergency.target exit.target factory-reset.target final.target
first-boot-complete.target getty-pre.target getty.target graphical.target
halt.target hibernate.target hybrid-sleep.target initrd-fs.target
initrd-root-device.target initrd-root-fs.target initrd-switch-root.target
initrd-usr-fs.target initrd.target integritysetup-pre.target
integritysetup.target kexec.target local-fs-pre.target local-fs.target
machine.slice multi-user.target network-online.target network-pre.target
network.target nss-lookup.target nss-user-lookup.target paths.target
poweroff.target printer.target reboot.target remote-cryptsetup.target
remote-fs-pre.target remote-fs.target remote-veritysetup.target
rescue.target rpcbind.target shutdown.target sigpwr.target sleep.target
slices.target smartcard.target sockets.target sound.target
suspend-then-hibernate.target suspend.target swap.target sysinit.target
system-update-pre.target system-update.target time-set.target
time-sync.target timers.target umount.target usb-gadget.target user.slice
veritysetup-pre.target veritysetup.target"

# ... and of the user manager (sysinit.target only because --user runs in
# system mode, whose default dependencies name it)
USER_UNITS="app.slice background.slice session.slice basic.target
bluetooth.target default.target exit.target graphical-session-pre.target
graphical-session.target paths.target printer.target shutdown.target
smartcard.target sockets.target sound.target timers.target
xdg-desktop-autostart.target sysinit.target"

UNIT_SUFFIXES="service socket target timer path mount automount swap slice"
SYSTEMD_PATH="/usr/local/sbin /usr/local/bin /usr/sbin /usr/bin"

# Prints the program of every Exec*= line (after the -@:+! prefixes).
# shellcheck disable=SC2016 # an awk program
EXEC_PROGRAMS='
/^[ \t]*Exec[A-Za-z]*[ \t]*=/ && !/^[ \t]*ExecSearchPath/ {
	v = $0
	sub(/^[^=]*=[ \t]*/, "", v)
	while (v ~ /^[-@:+!]/) v = substr(v, 2)
	if (v ~ /^"/) {
		v = substr(v, 2)
		i = index(v, "\"")
		if (i) v = substr(v, 1, i - 1)
	} else {
		sub(/[ \t].*$/, "", v)
	}
	if (v != "") print v
}'

stub_program() { # root program
	case $2 in
	*%*) return 0 ;; # a specifier: leave it to verify
	/usr/bin/docker | /usr/bin/podman) target=$2 ;;
	/*) [ -x "$2" ] || return 0; target=$2 ;;
	docker | podman) target=/usr/bin/$2 ;;
	*)
		target=
		for d in $SYSTEMD_PATH; do
			if [ -x "$d/$2" ]; then target=$d/$2 && break; fi
		done
		[ -n "$target" ] || return 0
		;;
	esac
	[ -e "$1$target" ] && return 0
	mkdir -p "$1${target%/*}"
	printf '#!/bin/sh\nexit 0\n' >"$1$target"
	chmod 0755 "$1$target"
}

is_unit_name() {
	for s in $UNIT_SUFFIXES; do
		case $1 in *."$s") return 0 ;; esac
	done
	return 1
}

# escape a string for use as a literal in a sed s||| pattern
sed_literal() {
	printf '%s\n' "$1" | sed 's/[]\/$*.^[|]/\\&/g'
}

user=''
deps=''
while [ $# -gt 0 ]; do
	case $1 in
	--user) user=1 ;;
	-I) [ $# -ge 2 ] || usage; deps="$deps
$2"; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
command -v systemd-analyze >/dev/null || {
	echo "verify-units.sh: needs systemd-analyze (package systemd)" >&2
	exit 2
}

root=$(mktemp -d "${TMPDIR:-/tmp}/verify-units.XXXXXX")
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT TERM HUP PIPE
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/systemd/system" "$root/etc/systemd"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"

if [ -n "$user" ]; then stubs=$USER_UNITS; else stubs=$SYSTEM_UNITS; fi
for t in $stubs; do
	printf '[Unit]\nDescription=Stub for %s\n' "$t" >"$root/usr/lib/systemd/system/$t"
done

# dependency units, then the programs every unit runs
oldifs=$IFS
IFS='
'
for d in $deps; do
	[ -d "$d" ] || { echo "verify-units.sh: no directory $d" >&2; exit 2; }
	for f in "$d"/*; do
		if [ -f "$f" ] && is_unit_name "${f##*/}"; then cp "$f" "$root/usr/lib/systemd/system/"; fi
	done
done
IFS=$oldifs
for dir in "$@"; do
	[ -d "$dir" ] || { echo "verify-units.sh: no directory $dir" >&2; exit 2; }
done
find "$root/usr/lib/systemd/system" "$@" -type f \( -name '*.conf' -o -name '*.service' \
	-o -name '*.socket' -o -name '*.mount' -o -name '*.swap' \) -print0 |
	xargs -0r awk "$EXEC_PROGRAMS" | sort -u |
	while IFS= read -r p; do stub_program "$root" "$p"; done

ndirs=$#
units_total=0
dirs_bad=0
units_dir=$root/etc/systemd/system
for dir in "$@"; do
	rm -rf "$units_dir"
	mkdir "$units_dir"
	cp -R "$dir/." "$units_dir/"
	set --
	for f in "$units_dir"/*; do
		if [ -f "$f" ] && [ ! -L "$f" ] && is_unit_name "${f##*/}"; then set -- "$@" "$f"; fi
	done
	if [ $# -eq 0 ]; then
		echo "== $dir"
		echo "verify-units.sh: no unit files in $dir"
		dirs_bad=$((dirs_bad + 1))
		continue
	fi
	units_total=$((units_total + $#))
	rc=0
	out=$(systemd-analyze verify --man=no --recursive-errors=yes --root="$root" "$@" 2>&1) || rc=$?
	if [ -n "$out" ] || [ "$rc" -ne 0 ]; then
		echo "== $dir"
		[ -z "$out" ] || printf '%s\n' "$out" |
			sed "s|$(sed_literal "$units_dir/")|$(sed_literal "${dir%/}/")|g"
		[ "$rc" -eq 0 ] || echo "(systemd-analyze verify exited $rc)"
		dirs_bad=$((dirs_bad + 1))
	fi
done
[ -z "$user" ] || mode=" (user units)"
echo "verify-units: $units_total units in $ndirs directories${mode-}: $dirs_bad with findings"
[ "$dirs_bad" -eq 0 ]
