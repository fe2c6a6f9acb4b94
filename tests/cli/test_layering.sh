#!/bin/sh
# The layers of DESIGN.md §3 are enforced by include paths: each library
# compiles with a view of the folders it may use (CMakeLists.txt
# composec_layer).  Checked here by compiling, with each view, an include
# of a header from every folder: those a layer must not see do not compile
# (a backend cannot include the frontend, the frontend cannot include the
# plan layer or a backend, the runtime sees base only), and those it may
# see do.
set -eu
build=$(cd "$(dirname "$1")" && pwd)
cc=${CC:-cc}
# compiled from an empty directory: a quoted include looks there first
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# layer: the folders it may see (the rest of base ir frontend plan backends audit runtime cli it may not)
rules="cbase:base
cir:base ir
cfrontend:base ir frontend
cplan:base ir plan
cbackends:base ir plan backends
caudit:base ir plan backends audit
cruntime:base runtime"
header() { # one header of a folder
	case $1 in
	base) echo base/base.h ;; ir) echo ir/ir.h ;; frontend) echo frontend/load.h ;;
	plan) echo plan/plan.h ;; backends) echo backends/backend.h ;; audit) echo audit/audit.h ;;
	runtime) echo runtime/runtime.h ;;
	cli) echo cli/cli.h ;;
	esac
}
echo "$rules" | while IFS=: read -r lib allowed; do
	view=$build/layers/$lib
	[ -d "$view" ] || { echo "FAIL no include view $view"; exit 1; }
	for folder in base ir frontend plan backends audit runtime cli; do
		want=no
		for a in $allowed; do [ "$a" = "$folder" ] && want=yes; done
		if printf '#include "%s"\n' "$(header "$folder")" |
			"$cc" -std=c11 -D_GNU_SOURCE -fsyntax-only -I"$view" -x c - 2>/dev/null; then got=yes; else got=no; fi
		if [ "$got" = "$want" ]; then :; else
			echo "FAIL $lib: including $(header "$folder") compiles: $got, should: $want"
			exit 1
		fi
	done
	echo "ok $lib sees $allowed"
done
