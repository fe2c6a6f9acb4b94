# unhealthy: 10 s after up, db runs (unhealthy) and app does not (docker
# compose has created its container, the others make none: not compared)
# podman runs healthchecks from systemd timers, which podman outside a
# systemd manager (as on these machines) cannot start: it stays "starting"
only_engines=docker
act() {
	sleep 10
}
observe() {
	echo "db $(runs db) $(health db); app $(runs app)"
}
