#!/bin/sh
# quadlet.sh [--user] [-w] [-o OUT] [-V] DIR
#
# Run Podman's Quadlet generator (5.4, see fetch-quadlet.sh) over the Quadlet
# files in DIR (.container, .network, .volume, .pod, .build, .image, .kube):
#   QUADLET_UNIT_DIRS=DIR quadlet -no-kmsg-log [-user] (-dryrun | OUT)
# It exits non-zero on a file it cannot convert (an unknown key in a Quadlet
# group, no Image=); it does not check values.  Besides its status, any line
# on its stderr other than "Loading source unit file" is a failure.
#
#   --user  generate user units (quadlet -user), as for ~/.config/containers/systemd
#   -w      let "Warning:" lines pass (printed), e.g. short image names
#   -o OUT  write the generated units to OUT (created if missing) instead of
#           a dry run
#   -V      then check the generated units with verify-units.sh, with podman's
#           own units (podman-user-wait-network-online.service, ...) available
#
# The generator is $QUADLET when set, else the one fetch-quadlet.sh prints
# (fetched on first use).  Exit 0 when clean, 1 on findings, 2 on usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: quadlet.sh [--user] [-w] [-o OUT] [-V] DIR" >&2
	exit 2
}

user='' warn_ok='' out='' verify=''
while [ $# -gt 0 ]; do
	case $1 in
	--user) user=1 ;;
	-w) warn_ok=1 ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	-V) verify=1 ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
[ -d "$1" ] || { echo "quadlet.sh: no directory $1" >&2; exit 2; }
name=$1
dir=$(cd "$1" && pwd)

quadlet=${QUADLET:-$(sh "$here/fetch-quadlet.sh")}
[ -x "$quadlet" ] || { echo "quadlet.sh: no quadlet generator ($quadlet)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quadlet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP PIPE

set -- -no-kmsg-log
[ -z "$user" ] || set -- "$@" -user
if [ -n "$out" ]; then
	mkdir -p "$out"
	set -- "$@" "$out"
elif [ -n "$verify" ]; then
	out=$tmp/out
	mkdir "$out"
	set -- "$@" "$out"
else
	set -- "$@" -dryrun
fi

rc=0
QUADLET_UNIT_DIRS=$dir "$quadlet" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
grep -v '^quadlet-generator\[[0-9]*\]: Loading source unit file ' "$tmp/stderr" >"$tmp/said" || :
bad=$rc
if [ -s "$tmp/said" ]; then
	cat "$tmp/said"
	if [ -z "$warn_ok" ] || grep -qv 'Warning: ' "$tmp/said"; then bad=1; fi
fi
[ "$rc" -eq 0 ] || echo "(quadlet exited $rc)"
n=$(find "$dir" -maxdepth 1 -type f \( -name '*.container' -o -name '*.network' \
	-o -name '*.volume' -o -name '*.pod' -o -name '*.build' -o -name '*.image' \
	-o -name '*.kube' \) | wc -l)
if [ "$n" -eq 0 ]; then
	echo "quadlet.sh: no Quadlet files in $name"
	bad=1
fi
if [ "$bad" -ne 0 ]; then
	echo "quadlet: $n files in $name: rejected"
	exit 1
fi
echo "quadlet: $n files in $name: accepted"

if [ -n "$verify" ]; then
	podman_units=$(dirname "$(dirname "$(dirname "$quadlet")")")/lib/systemd
	if [ -n "$user" ]; then
		sh "$here/verify-units.sh" --user -I "$podman_units/user" "$out"
	else
		sh "$here/verify-units.sh" -I "$podman_units/system" "$out"
	fi
fi
