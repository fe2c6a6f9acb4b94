# optfails: 8 s after up, what runs
wait_for=
act() {
	sleep 8
}
observe() {
	echo "db $(runs db); app $(runs app)"
}
