# completedfails: 6 s after up, how often init ran, and whether app runs
wait_for=
act() {
	sleep 6
}
observe() {
	echo "init ran $(wc -l <out/runs 2>/dev/null || echo 0) times; app $(runs app)"
}
