#!/bin/sh
# validate.sh FILE... - check SARIF logs offline (validate.mjs: the OASIS
# SARIF 2.1.0 schema and GitHub code scanning's conventions).  Installs the
# pinned npm packages of this directory first (`npm ci`, from
# package-lock.json) when node_modules is missing or older than the lock
# file.
#
# Exit status: 0 all valid, 1 a problem was found, 2 usage, 125 node or npm
# is missing or the packages cannot be installed (the caller decides
# whether that is a skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	echo "usage: validate.sh FILE..." >&2
	exit 2
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "validate.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
	exit 125
fi
stamp=$here/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ -n "$(find "$here/package-lock.json" -newer "$stamp")" ]; then
	if ! (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "validate.sh: npm ci failed in $here" >&2
		exit 125
	fi
fi
exec node "$here/validate.mjs" "$@"
