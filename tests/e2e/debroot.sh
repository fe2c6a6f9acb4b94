# debroot.sh - sourced by sid-root.sh and bookworm-root.sh: the two Debian
# roots the tests build with debootstrap and run commands in.

# debroot_in_chroot DIR CMD...: CMD inside DIR with /proc, /dev, /sys and a
# tmpfs /run, in a private mount namespace so nothing stays mounted.
debroot_in_chroot() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount --rbind /sys "$r/sys"
		mount -t tmpfs tmpfs "$r/run"
		mkdir -p "$r/run/lock"
		exec chroot "$r" "$@"' sh "$@"
}

# debroot_bootstrap NAME SUITE DIR [DEBOOTSTRAP-OPTION...]: debootstrap's
# minbase of SUITE into DIR (emptied first) from the mirror fetch-deb.sh
# names, with apt told to accept a Release that this machine's clock finds
# expired.  NAME prefixes the messages; HERE is the caller's directory.
debroot_bootstrap() {
	name=$1 suite=$2 work=$3
	shift 3
	command -v debootstrap >/dev/null 2>&1 || die "debootstrap missing (tests/tools.sh install test)"
	rm -rf "$work"
	# shellcheck disable=SC2154 # here: the sourcing script's directory
	mirror=$(sh "$here/../validate/fetch-deb.sh" -m)
	echo "$name: debootstrap $suite from $mirror" >&2
	debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$@" \
		"$suite" "$work" "$mirror" >&2 || {
		tail -n 20 "$work/debootstrap/debootstrap.log" >&2 2>/dev/null || :
		die "debootstrap failed"
	}
	echo 'Acquire::Check-Valid-Until "false";' >"$work/etc/apt/apt.conf.d/99composec"
}
