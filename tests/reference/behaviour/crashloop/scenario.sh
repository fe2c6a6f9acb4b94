# crashloop: 20 s after up, has db started at least 6 times (docker: 8, at
# 0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 and 12.7 s), and does it still try?
wait_for=
act() {
	sleep 20
}
observe() {
	n=$(wc -l <counter/starts 2>/dev/null || echo 0)
	echo "db started at least 6 times: $([ "$n" -ge 6 ] && echo yes || echo "no ($n)")"
}
