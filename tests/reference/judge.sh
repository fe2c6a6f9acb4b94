# judge.sh - what the tests that make docker compose the judge share
# (test_reference_created.sh, test_reference_behaviour.sh), sourced after
# they set composec, runner and ref:
#   skip, ok, fail  tests/cli/checks.sh's
#   judge_needs ENGINE...
#                   root, dockerd, docker compose (sets $compose),
#                   composec-run, systemd, and podman when among ENGINEs;
#                   else skip
#   version_option ENGINE
#                   --docker-version|--podman-version X.Y of the engine
#                   that answers (DOCKER_HOST; podman's own), for the
#                   targets' flags to be the ones it has
#   judge_line SCENARIO ENGINE/TARGET WANT GOT USED
#                   ok when GOT (a target's observed line) is WANT (docker
#                   compose's), or is listed for SCENARIO and ENGINE/TARGET
#                   in tests/reference/behaviour-differences.tsv (the line's
#                   number is appended to the file USED); else fail (status 1)
#   strip_hooks IN OUT
#                   IN without the hooks (pre_start, post_start, pre_stop),
#                   which the docker compose of these tests predates
# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # ref, runner are the test's; compose is for it
# shellcheck source=tests/cli/checks.sh
. "$ref/../cli/checks.sh"

judge_needs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (a Docker Engine)"
	command -v dockerd >/dev/null || skip "no dockerd (sh tests/tools.sh install)"
	case " $* " in *" podman "*)
		command -v podman >/dev/null || skip "no podman (sh tests/tools.sh install)" ;;
	esac
	compose=$(sh "$ref/fetch-compose.sh" -n 2>/dev/null) || skip "docker compose not cached (sh tests/tools.sh install)"
	[ -x "$runner" ] || skip "no $runner"
	[ -x /lib/systemd/systemd ] || skip "no systemd (package systemd)"
}

version_option() {
	if [ "$1" = podman ]; then
		v=$(podman version --format '{{.Client.Version}}')
	else
		v=$(docker version --format '{{.Server.Version}}')
	fi
	v=$(echo "$v" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	[ -n "$v" ] || { echo "FAIL no version of $1" >&2; return 1; }
	echo "--$1-version $v"
}

strip_hooks() {
	python3 - "$1" "$2" "$ref" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import config_diff
with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(config_diff.strip_hooks_text(text))
PY
}

judge_line() {
	if [ "$4" = "$3" ]; then
		ok
		return 0
	fi
	_line=$(awk -F '\t' -v n="$1" -v t="$2" -v g="$4" '$1 == n && $2 == t && $3 == g { print NR; exit }' \
		"$ref/behaviour-differences.tsv")
	if [ -n "$_line" ]; then
		ok
		echo "$_line" >>"$5"
		echo "$1/$2: listed (line $_line): \"$4\" where docker compose \"$3\""
		return 0
	fi
	fail "$1/$2: \"$4\" where docker compose \"$3\""
	return 1
}
