# unhealthy: 10 s after up, db runs (unhealthy) and app does not (docker
# compose has created its container, the others make none: not compared)
# podman runs healthchecks from systemd timers, which podman 4.3 outside a
# systemd manager (as on these machines) cannot start: it stays "starting";
# podman 5.8 in the sid root reaches its user manager's (test_quadlet_behaviour)
only_engines="docker podman5.8"
act() {
	sleep 10
}
observe() {
	echo "db $(runs db) $(health db); app $(runs app)"
}
