# scenario-helpers.sh - what a behaviour scenario's act and observe use
# (tests/reference/behaviour/*/scenario.sh), sourced by the judges
# (test_reference_behaviour.sh, test_quadlet_behaviour.sh) with PROJECT
# naming the project and CLI the engine's command line (docker, podman).
# shellcheck shell=sh
# cid SERVICE: its container (the newest), or nothing
cid() {
	"$CLI" ps -aq --filter "label=com.docker.compose.project=$PROJECT" \
		--filter "label=com.docker.compose.service=$1" | head -n 1
}
# runs SERVICE: "runs" or "does not run" (created, exited, absent)
runs() {
	if [ "$(state "$1")" = running ]; then echo runs; else echo "does not run"; fi
}
# state SERVICE: running, exited, restarting, created, or absent
state() {
	c=$(cid "$1")
	if [ -z "$c" ]; then echo absent; else "$CLI" inspect -f '{{.State.Status}}' "$c"; fi
}
# health SERVICE: healthy, unhealthy, starting, or none
health() {
	c=$(cid "$1")
	h=$([ -n "$c" ] && "$CLI" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")
	echo "${h:-none}"
}
# started SERVICE: which container, started when
started() {
	c=$(cid "$1")
	[ -z "$c" ] || "$CLI" inspect -f '{{.Id}} {{.State.StartedAt}}' "$c"
}
# until_running SERVICE: wait up to 20 s for it to run
until_running() {
	i=0
	while [ "$(state "$1")" != running ] && [ "$i" -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
}
