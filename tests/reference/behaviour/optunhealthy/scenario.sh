# optunhealthy: 12 s after up (cache is unhealthy within 4 s), what runs
# (docker only: podman's healthchecks run from systemd timers, which the
# podman of these machines cannot start outside a systemd manager)
wait_for=
only_engines=docker
act() {
	sleep 12
}
observe() {
	echo "cache $(runs cache) $(health cache); app $(runs app)"
}
