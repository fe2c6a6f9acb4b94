# optunhealthy: 12 s after up (cache is unhealthy within 4 s), what runs
# (docker, and podman 5.8 in the sid root: podman's healthchecks run from
# systemd timers, which podman 4.3 here cannot start outside a systemd manager)
wait_for=
only_engines="docker podman5.8"
act() {
	sleep 12
}
observe() {
	echo "cache $(runs cache) $(health cache); app $(runs app)"
}
