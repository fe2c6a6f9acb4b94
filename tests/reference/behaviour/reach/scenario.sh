# reach: once client runs, what it fetches from web by each name
# (podman 5.8 in the sid root only: Debian 12's busybox-static crashes
# resolving a name, a static glibc without NSS, and the private Docker
# Engine here runs without the iptables rules its embedded DNS needs)
only_engines=podman5.8
wait_for=client
act() {
	until_running web
	sleep 1
}
fetch() {
	"$CLI" exec "$(cid client)" wget -q -T 5 -O - "http://$1:8080/" 2>/dev/null || echo failed
}
observe() {
	echo "by service name: $(fetch web); by alias: $(fetch www); by container name: $(fetch "$PROJECT-web-1")"
}
