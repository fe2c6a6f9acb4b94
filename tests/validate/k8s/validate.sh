#!/bin/sh
# validate.sh PATH... - check Kubernetes manifests offline (validate.mjs:
# YAML, the kubernetes-models schemas, name rules, and a TypeScript
# unknown-field check).  Installs the pinned npm packages of this directory
# first (`npm ci`, from package-lock.json) when node_modules is missing or
# older than the lock file.
#
# Exit status: 0 all valid, 1 a problem was found, 2 usage, 125 node or npm
# is missing or the packages cannot be installed (the caller decides
# whether that is a skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	echo "usage: validate.sh [--no-tsc] PATH..." >&2
	exit 2
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "validate.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
	exit 125
fi
stamp=$here/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ -n "$(find "$here/package-lock.json" -newer "$stamp")" ]; then
	# engines says node >= 22; node 20 runs these packages (TESTING.md)
	if ! (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "validate.sh: npm ci failed in $here" >&2
		exit 125
	fi
fi
exec node "$here/validate.mjs" "$@"
