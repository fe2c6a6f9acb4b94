# depfails: 8 s after up, app does not run
wait_for=
act() {
	sleep 8
}
observe() {
	echo "db $(runs db); app $(runs app)"
}
