#!/bin/sh
# fetch-quadlet.sh [-n]
#
# Print the path of Podman's Quadlet generator (usr/libexec/podman/quadlet
# from Debian trixie's podman package, 5.4.x: Debian 12's podman 4.3 predates
# Quadlet), fetched once by fetch-deb.sh into build-tools/podman-trixie/ with
# the unit files podman ships (usr/lib/systemd/{system,user}) and VERSION.
# The generator needs only libc.
#
#   -n   do not fetch: fail (exit 1) unless the generator is already cached
#
# Environment: as fetch-deb.sh (FETCH_CACHE, FETCH_MIRROR).
# Progress goes to stderr; stdout is the path only.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
case ${1-} in
-n) exec sh "$here/fetch-deb.sh" -n trixie podman usr/libexec/podman/quadlet ;;
'') ;;
*) echo "usage: fetch-quadlet.sh [-n]" >&2; exit 2 ;;
esac
quadlet=$(sh "$here/fetch-deb.sh" trixie podman usr/libexec/podman/quadlet usr/lib/systemd)
"$quadlet" -version >&2 || { echo "fetch-quadlet.sh: $quadlet does not run here" >&2; exit 1; }
echo "$quadlet"
