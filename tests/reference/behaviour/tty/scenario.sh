# tty: 3 s after up, db runs
act() {
	sleep 3
}
observe() {
	echo "db $(runs db)"
}
