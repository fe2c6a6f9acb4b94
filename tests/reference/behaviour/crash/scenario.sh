# crash: db's process exits 1; after 5 s, is app the container it was,
# and does db run again?
act() {
	until_running app
	app_before=$(started app)
	"$CLI" exec "$(cid db)" touch /tmp/crash
	sleep 5
}
observe() {
	echo "db $(runs db); app $(runs app); app restarted $([ "$(started app)" = "$app_before" ] && echo no || echo yes)"
}
