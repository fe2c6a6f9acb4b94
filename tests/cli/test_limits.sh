#!/bin/sh
# Every limit of DESIGN.md section 9, at the limit and just past it: past
# it composec must fail quickly with the error that names the limit (the
# exact text is asserted, so a removed or loosened limit fails here), at
# it composec must succeed.  Every run is bounded in time (LIMIT_SECONDS,
# default 60, generous for a sanitizer build): a limit that no longer
# holds shows up as a timeout, an abort or a missing message.
#
# file size, total size read, nesting depth, alias expansion, number of
# services and networks, number of ports, name lengths, interpolation depth
# and size, include depth, extends depth.
set -eu
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
secs=${LIMIT_SECONDS:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# run DIR ARGS...: composec ARGS in DIR within $secs seconds; sets rc and
# leaves stderr in $tmp/err.
run() {
	dir=$1
	shift
	set +e
	(cd "$dir" && exec timeout -s KILL "$secs" env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		ASAN_OPTIONS="${ASAN_OPTIONS-}" UBSAN_OPTIONS="${UBSAN_OPTIONS-}" "$composec" "$@") \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
}

# past NAME MESSAGE: the last run failed (exit 1) in time with MESSAGE.
past() {
	if [ "$rc" -eq 137 ]; then
		fail "$1: no answer within ${secs}s"
	elif [ "$rc" -ne 1 ]; then
		fail "$1: exit $rc, expected 1"
		head -n 5 "$tmp/err"
	elif ! grep -qF -- "$2" "$tmp/err"; then
		fail "$1: no \"$2\" in:"
		head -n 5 "$tmp/err"
	else
		pass=$((pass + 1))
	fi
}

# within NAME: the last run succeeded in time.
within() {
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail "$1: exit $rc, expected 0"
		head -n 5 "$tmp/err"
	fi
}

# new DIR: an empty project directory.
new() {
	rm -rf "${tmp:?}/$1"
	mkdir "$tmp/$1"
	echo "$tmp/$1"
}

svc='services:
  web:
    image: nginx'

# --- file size: 64 MiB per file, 256 MiB read in all -------------------------
d=$(new size)
printf '%s\n' "$svc" >"$d/compose.yaml"
truncate -s 65M "$d/big.yaml"
run "$d" config -f big.yaml
past file-size "big.yaml:1:1: error: file is larger than 64 MiB (limit: file size)"
# the same through standard input, which has no size to look at first
set +e
head -c 67108865 /dev/zero | (cd "$d" && timeout -s KILL "$secs" "$composec" config -f - >/dev/null 2>"$tmp/err")
rc=$?
set -e
past file-size-stdin "error: file is larger than 64 MiB (limit: file size)"
# an env_file, read while lowering
printf '%s\n    env_file: big.env\n' "$svc" >"$d/compose.yaml"
truncate -s 65M "$d/big.env"
run "$d" config
past env-file-size "big.env\" is larger than 64 MiB (limit: file size)"
# under the per-file limit, but read five times: 60 MiB of comment each
head -c 62914560 /dev/zero | tr '\0' '#' >"$d/c.env"
{
	echo 'services:'
	for i in 1 2 3 4 5; do printf '  s%s:\n    image: x\n    env_file: c.env\n' "$i"; done
} >"$d/compose.yaml"
run "$d" config
past env-files-total "env and label files read add up to more than 256 MiB (limit: total file size)"
printf '%s\n' "$svc" >"$d/compose.yaml"
run "$d" config --env-file c.env --env-file c.env --env-file c.env --env-file c.env --env-file c.env
past files-total "c.env:1:1: error: files read add up to more than 256 MiB (limit: total file size)"
run "$d" config --env-file c.env --env-file c.env --env-file c.env
within files-total-under
rm -f "$d/big.yaml" "$d/big.env" "$d/c.env"

# --- nesting depth: 64 levels ---------------------------------------------------
# nest N: a top-level x- key holding N nested lists (the document is level 1)
nest() {
	awk -v n="$1" 'BEGIN { s = "x-deep: "; for (i = 0; i < n; i++) s = s "["; for (i = 0; i < n; i++) s = s "]"; print s }'
}
d=$(new nesting)
{ printf '%s\n' "$svc"; nest 63; } >"$d/compose.yaml"
run "$d" config
within nesting-64
{ printf '%s\n' "$svc"; nest 64; } >"$d/compose.yaml"
run "$d" config
past nesting-65 "compose.yaml:4:72: error: nesting deeper than 64 levels (limit: maximum nesting depth)"
{ printf '%s\n' "$svc"; nest 200000; } >"$d/compose.yaml"
run "$d" config
past nesting-200000 "error: nesting deeper than 64 levels (limit: maximum nesting depth)"

# --- alias expansion: a document of at most 1,000,000 nodes -----------------------
d=$(new alias)
{
	echo 'x-a: &a [l,l,l,l,l,l,l,l,l,l]'
	prev=a
	for n in b c d e f g h i j; do
		printf 'x-%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $n $n $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
		prev=$n
	done
	printf '%s\n    command: *j\n' "$svc"
} >"$d/compose.yaml"
run "$d" config
past alias-bomb "error: document expands to more than 1000000 nodes (limit: alias expansion); is this an alias bomb?"
# 10^5 expanded nodes is fine
sed -e '/^x-f/,$d' "$d/compose.yaml" >"$d/ok.yaml"
printf '%s\n' "$svc" >>"$d/ok.yaml"
run "$d" config -f ok.yaml
within alias-under

# --- number of services and of networks: 10,000 each ----------------------------
d=$(new count)
awk 'BEGIN { print "services:"; for (i = 0; i < 10000; i++) printf "  s%d:\n    image: x\n", i }' >"$d/compose.yaml"
run "$d" config
within services-10000
echo '  one-more: {image: x}' >>"$d/compose.yaml"
run "$d" config
past services-10001 "compose.yaml:2:3: error: 10001 services, more than 10000 (limit: number of services)"
awk 'BEGIN { print "services:\n  web: {image: x}\nnetworks:"; for (i = 0; i <= 10000; i++) printf "  n%d: {}\n", i }' >"$d/compose.yaml"
run "$d" config
past networks-10001 "compose.yaml:4:3: error: 10001 networks, more than 10000 (limit: number of networks)"

# --- ports: 65,536 in a project, ranges expanded ---------------------------------
d=$(new ports)
printf '%s\n    ports: ["1-65535", "8080:80"]\n' "$svc" >"$d/compose.yaml"
run "$d" config
within ports-65536
printf '%s\n    ports: ["1-65535", "8080:80", "8081:81"]\n' "$svc" >"$d/compose.yaml"
run "$d" config
past ports-65537 "compose.yaml:4:12: error: ports expand to more than 65536 in the project (limit: number of ports)"
# long lists are built in linear time and memory (each append used to copy
# the whole list: 20,000 volumes took 8 GB)
awk 'BEGIN { print "services:\n  web:\n    image: x\n    volumes:"; for (i = 0; i < 50000; i++) printf "      - /h%d:/c%d\n", i, i
	print "    extra_hosts:"; for (i = 0; i < 50000; i++) printf "      - h%d=10.0.0.1\n", i
	print "    ports:"; for (i = 1; i <= 50000; i++) printf "      - %d\n", i }' >"$d/compose.yaml"
run "$d" config
within long-lists
# a list that becomes a mapping (depends_on, links, environment, ...) too
awk 'BEGIN { print "services:\n  web:\n    image: x\n    depends_on:"; for (i = 0; i < 100000; i++) printf "      - s%d\n", i }' >"$d/compose.yaml"
run "$d" config
past long-depends-on 'compose.yaml:5:9: error: service "web" depends on undefined service "s0"'

# --- name length: 255 bytes -------------------------------------------------------
d=$(new names)
n255=$(awk 'BEGIN { for (i = 0; i < 255; i++) printf "a" }')
printf 'services:\n  %s:\n    image: x\n' "$n255" >"$d/compose.yaml"
run "$d" config
within service-name-255
printf 'services:\n  %sb:\n    image: x\n' "$n255" >"$d/compose.yaml"
run "$d" config
past service-name-256 'compose.yaml:2:3: error: service name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." is 256 bytes long, more than 255 (limit: name length)'
printf '%s\n    volumes: [%sb:/data]\nvolumes:\n  %sb: {}\n' "$svc" "$n255" "$n255" >"$d/compose.yaml"
run "$d" config
past volume-name-256 'compose.yaml:6:3: error: volume name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." is 256 bytes long, more than 255 (limit: name length)'

# --- interpolation depth: 64 levels; size: 64 MiB substituted ---------------------
# interp N: ${U:-${U:-...end...}} nested N deep
interp() {
	awk -v n="$1" 'BEGIN { s = "end"; for (i = 0; i < n; i++) s = "${U:-" s "}"; print s }'
}
d=$(new interp)
printf '%s\n    labels:\n      x: "%s"\n' "$svc" "$(interp 64)" >"$d/compose.yaml"
run "$d" config
within interpolation-depth-64
printf '%s\n    labels:\n      x: "%s"\n' "$svc" "$(interp 65)" >"$d/compose.yaml"
run "$d" config
past interpolation-depth-65 'compose.yaml:5:10: error: in "services.web.labels.x": interpolation nested deeper than 64 levels (limit: interpolation depth)'
# a 1 MiB variable substituted 65 times in the compose file
{
	printf 'X='
	head -c 1048576 /dev/zero | tr '\0' x
	echo
} >"$d/.env"
refs=$(awk 'BEGIN { for (i = 0; i < 65; i++) printf "$X" }')
printf '%s\n    labels:\n      x: "%s"\n' "$svc" "$refs" >"$d/compose.yaml"
run "$d" config
past interpolation-size 'error: in "services.web.labels.x": interpolation expands to more than 64 MiB (limit: interpolation size)'
refs=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "$X" }')
printf '%s\n    labels:\n      x: "%s"\n' "$svc" "$refs" >"$d/compose.yaml"
run "$d" config
within interpolation-size-under
# an env file whose values double each line: 2^40 bytes unless bounded
awk 'BEGIN { print "A0=xx"; for (i = 1; i <= 40; i++) printf "A%d=${A%d}${A%d}\n", i, i - 1, i - 1 }' >"$d/.env"
printf '%s\n' "$svc" >"$d/compose.yaml"
run "$d" config
past env-interpolation-size '.env:26:5: error: interpolation expands to more than 64 MiB (limit: interpolation size)'

# --- include depth: 32; extends depth: 64 ---------------------------------------
d=$(new include)
i=0
while [ $i -le 33 ]; do
	printf 'include:\n  - inc%d.yaml\n' $((i + 1)) >"$d/inc$i.yaml"
	i=$((i + 1))
done
printf '%s\n' "$svc" >"$d/inc34.yaml"
run "$d" config -f inc0.yaml
past include-depth "error: includes nested deeper than 32 levels (limit: include depth)"
printf '%s\n' "$svc" >"$d/inc32.yaml"
run "$d" config -f inc0.yaml
within include-depth-32

d=$(new extends)
# chain N: s0 extends s1 ... extends sN, which has the image
chain() {
	awk -v n="$1" 'BEGIN { print "services:"; for (i = 0; i < n; i++) printf "  s%d:\n    extends: s%d\n", i, i + 1; printf "  s%d:\n    image: x\n", n }'
}
chain 65 >"$d/compose.yaml"
run "$d" config
past extends-depth "compose.yaml:131:14: error: extends chain longer than 64 (limit: extends depth)"
chain 64 >"$d/compose.yaml"
run "$d" config
within extends-depth-64

echo "test_limits: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
