#!/bin/sh
# fetch-compose.sh [-n]
#
# Print the path of docker compose v2, the reference the tests compare
# composec with: the plugin binary of Debian sid's docker-compose package
# (usr/libexec/docker/cli-plugins/docker-compose, 2.40.x), fetched once by
# tests/validate/fetch-deb.sh into build-tools/docker-compose-sid/.  It needs
# only libc and runs standalone (`docker-compose config` needs no daemon).
#
#   -n   do not fetch: fail (exit 1) unless it is already cached
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=usr/libexec/docker/cli-plugins/docker-compose
case ${1-} in
-n) exec sh "$here/../validate/fetch-deb.sh" -n sid docker-compose "$bin" ;;
'') ;;
*) echo "usage: fetch-compose.sh [-n]" >&2; exit 2 ;;
esac
compose=$(sh "$here/../validate/fetch-deb.sh" sid docker-compose "$bin")
"$compose" version >&2 || { echo "fetch-compose.sh: $compose does not run here" >&2; exit 1; }
echo "$compose"
