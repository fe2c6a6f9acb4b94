# unhealthy: 10 s after up, db runs (unhealthy) and app does not (docker
# compose has created its container, the others make none: not compared)
act() {
	sleep 10
}
observe() {
	echo "db $(runs db) $(health db); app $(runs app)"
}
