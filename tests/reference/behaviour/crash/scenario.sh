# crash: db's process exits 1; after 5 s, is app the container it was,
# and does db run again (within 20 s more: podman 4.3 restarts through its
# cleanup process, which a loaded machine delays past 5 s)?  The exec that
# makes db exit may itself fail on podman 4.3, whose exec loses its "died"
# event when the container dies with it: its status is not the judge;
# whether db started again is observed.
act() {
	until_running app
	app_before=$(started app)
	db_before=$(started db)
	"$CLI" exec "$(cid db)" touch /tmp/crash || :
	sleep 5
	until_running db
}
observe() {
	echo "db $(runs db); db restarted $([ "$(started db)" = "$db_before" ] && echo no || echo yes);" \
		"app $(runs app); app restarted $([ "$(started app)" = "$app_before" ] && echo no || echo yes)"
}
