#!/bin/sh
# Output safety with -o, for every target that is built:
#  1. names holding "/", "..", control characters or absurd lengths never
#     put a file outside the output directory, nor a file whose name holds
#     a control byte or a component longer than 255 bytes;
#  2. a run killed (SIGKILL) at any system call leaves every output file
#     either wholly old or wholly new, never truncated or mixed;
#  3. a file composec did not generate is never overwritten (nor is any
#     other file written in that run) unless --force, and a symlink in the
#     output directory never leads a write outside it;
#  4. --check writes nothing, not even the output directory.
# shellcheck disable=SC2015 # ok never fails, so "test && ok || fail" is fine
set -eu
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
run() { set +e; "$@" >"$tmp/stdout" 2>"$tmp/err"; rc=$?; set -e; }

# The targets: directory outputs, and single-file outputs with their file.
dir_targets=
file_targets=
"$composec" --help >"$tmp/help"
for t in systemd quadlet k8s sh plan; do
	if grep -q "^  $t .*(not built yet)" "$tmp/help"; then
		continue
	fi
	case $t in
	sh | plan) file_targets="$file_targets $t" ;;
	*) dir_targets="$dir_targets $t" ;;
	esac
done
outname() { # target -> the -o argument below a directory
	case $1 in
	sh) echo up.sh ;;
	plan) echo plan.json ;;
	*) echo "$1" ;;
	esac
}

# snapshot DIR: every path under DIR with its type, mode, size and checksum.
snapshot() {
	if [ -e "$1" ]; then
		(cd "$1" && find . -print | LC_ALL=C sort | while IFS= read -r f; do
			if [ -f "$f" ] && [ ! -L "$f" ]; then
				printf '%s %s %s\n' "$f" "$(stat -c '%F %a %s %Y' "$f")" "$(cksum <"$f")"
			else
				printf '%s %s\n' "$f" "$(stat -c '%F %a' "$f")"
			fi
		done)
	else
		echo absent
	fi
}

# --- 1. hostile names stay inside the output directory --------------------------
h=$tmp/hostile
mkdir -p "$h/proj"
long=$(awk 'BEGIN { for (i = 0; i < 5000; i++) printf "L" }')
touch "$h/proj/token" "$h/proj/conf"
cat >"$h/proj/compose.yaml" <<EOF
name: safety
services:
  web:
    image: "nginx"
    container_name: "../../../escaped-container"
    hostname: "../../escaped-host"
    networks: [front, back]
    volumes: [data:/data, "../../escaped-bind:/x"]
    secrets: [tok]
    configs: [cfg]
    labels:
      "../../label": "/../x"
  "..":
    image: "dots"
    container_name: ".."
  ".":
    image: "dot"
  Odd.Name_x-:
    image: "busybox"
    container_name: "a/b/../../c\u0001\u001b[31m\n"
  $(awk 'BEGIN { for (i = 0; i < 255; i++) printf "s" }'):
    image: x
    container_name: "$long"
networks:
  front:
    name: "../../escaped-net/\u0007x"
  back:
    name: "/abs/escaped-net"
volumes:
  data:
    name: "../escaped-vol\u0000"
secrets:
  tok:
    file: ./token
    name: "../escaped-secret"
configs:
  cfg:
    file: ./conf
    name: "/abs/../../escaped-cfg$long"
EOF
run "$composec" config -f "$h/proj/compose.yaml"
if [ "$rc" -gt 1 ]; then fail "hostile config: exit $rc"; cat "$tmp/err"; else ok; fi
# every service name that would escape is refused before any backend runs
for bad in '../x' 'a/b' '/etc' "x$(printf '\033')y" "$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "n" }')"; do
	printf 'services:\n  "%s":\n    image: x\n' "$bad" >"$h/bad.yaml"
	mkdir -p "$h/badout"
	run "$composec" systemd -f "$h/bad.yaml" -o "$h/badout/units"
	if [ "$rc" -ne 1 ] || [ -e "$h/badout/units" ] || [ "$(find "$h" -mindepth 1 -newer "$h/bad.yaml" ! -path "$h/badout" | wc -l)" -ne 0 ]; then
		fail "service name \"$bad\": exit $rc, or something was written"
	else
		ok
	fi
	# (a raw control character is not even YAML)
	grep -q 'error: .*\(service name\|control character\)' "$tmp/err" || { fail "service name \"$bad\": no error naming it"; cat "$tmp/err"; }
	rm -rf "$h/badout"
done
# no control byte reaches the terminal through a message
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/err"; then fail "control bytes in messages"; else ok; fi

# Nothing may appear outside out/ (the project and out/ are under $h).
# Exit 0 or 1 (a name refused) are both fine; a crash is not.
touch "$h/stamp"
sleep 1
for t in $dir_targets $file_targets; do
	rm -rf "$h/out"
	mkdir "$h/out"
	for e in docker podman; do
		run "$composec" "$t" --engine "$e" -f "$h/proj/compose.yaml" -o "$h/out/$(outname "$t")-$e"
		if [ "$rc" -gt 1 ]; then fail "$t/$e: exit $rc"; head -n 3 "$tmp/err"; else ok; fi
		if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/err"; then fail "$t/$e: control bytes in messages"; else ok; fi
	done
	outside=$(find "$h" -mindepth 1 -newer "$h/stamp" ! -path "$h/out" ! -path "$h/out/*" -print)
	if [ -n "$outside" ]; then fail "$t wrote outside -o: $outside"; else ok; fi
	if [ -n "$(find / -maxdepth 2 -name 'escaped-*' 2>/dev/null)" ]; then fail "$t: escaped-* outside"; else ok; fi
	bad=$(cd "$h/out" && find . | LC_ALL=C grep "$(printf '[\001-\037\177]')\\|/\\.\\.\\(/\\|$\\)\\|[^/]\\{256\\}" || :)
	if [ -n "$bad" ]; then fail "$t: bad output names: $bad"; else ok; fi
	if [ -n "$(find "$h/out" -type l)" ]; then fail "$t: symlinks written"; else ok; fi
done

# --- 2. a killed run leaves every file old or new ---------------------------------
# Each run below is killed at one system call: under strace, SIGKILL is
# injected at the k-th write, rename, openat, fsync or close, for every k
# until a run completes; after each kill every file must be wholly old or
# wholly new.  Without strace, kills land after a delay spread over a run.
# big VERSION N: N services whose every unit changes between versions.
big() {
	awk -v v="$1" -v n="$2" 'BEGIN {
		print "name: killtest\nservices:"
		for (i = 0; i < n; i++) {
			printf "  s%d:\n    image: registry.example/app%d:%s\n", i, i, v
			printf "    environment:\n      PAD: \"%s-", v
			for (k = 0; k < 40; k++) printf "0123456789"
			printf "\"\n"
		}
	}'
}
k=$tmp/kill
mkdir -p "$k"
# sums DIR: "checksum size name" of every file in DIR (names are plain).
sums() { (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs cksum); }
# check_old_or_new DIR OLD NEW: every file of DIR equals its OLD or NEW
# version, every file of NEW is there; leftover temporary files may only
# be "*.composec-tmp-*".
check_old_or_new() {
	sums "$2" >"$tmp/old.sums"
	sums "$3" >"$tmp/new.sums"
	sums "$1" | awk -v old="$tmp/old.sums" -v new="$tmp/new.sums" '
		BEGIN {
			while ((getline l < old) > 0) { split(l, f, " "); want[f[3], f[1] " " f[2]] = 1 }
			while ((getline l < new) > 0) { split(l, f, " "); want[f[3], f[1] " " f[2]] = 1; need[f[3]] = 1 }
		}
		$3 ~ /\.composec-tmp-/ { next }
		{ seen[$3] = 1; if (!want[$3, $1 " " $2]) { bad++; if (bad <= 3) print "  " $3 " is neither old nor new (" $2 " bytes)" } }
		END { for (n in need) if (!seen[n]) { bad++; print "  " n " missing" } exit bad > 0 }'
}
# after_kill TARGET WHAT: check the live output against old and new.
after_kill() {
	if [ -d "$k/new/$o" ]; then
		if check_old_or_new "$k/live/$o" "$k/old/$o" "$k/new/$o"; then ok; else fail "$1: killed $2"; fi
	elif cmp -s "$k/live/$o" "$k/old/$o" || cmp -s "$k/live/$o" "$k/new/$o"; then
		ok
	else
		fail "$1: killed $2: $o is neither old nor new ($(wc -c <"$k/live/$o") bytes)"
	fi
}
fresh_live() {
	rm -rf "$k/live/$o"
	cp -R "$k/old/$o" "$k/live/$o"
}
skips=0
if command -v strace >/dev/null 2>&1; then
	services=8
else
	skips=1
	echo "SKIP strace is not installed: killing after delays instead"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && fail "strace skipped although COMPOSEC_REQUIRE_TOOLS=1"
	services=600
fi
big v1 "$services" >"$k/v1.yaml"
big v2 "$services" >"$k/v2.yaml"
for t in $dir_targets $file_targets; do
	o=$(outname "$t")
	rm -rf "$k/old" "$k/new" "$k/live"
	mkdir "$k/old" "$k/new" "$k/live"
	"$composec" "$t" -f "$k/v1.yaml" -o "$k/old/$o" 2>/dev/null
	"$composec" "$t" -f "$k/v2.yaml" -o "$k/new/$o" 2>/dev/null
	if [ "$services" -eq 8 ]; then
		for sc in write rename openat fsync close; do
			n=0
			while [ "$n" -lt 400 ]; do
				n=$((n + 1))
				fresh_live
				set +e
				strace -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$n" \
					"$composec" "$t" -f "$k/v2.yaml" -o "$k/live/$o" >/dev/null 2>&1
				rc=$?
				set -e
				[ "$rc" -eq 137 ] || break
				after_kill "$t" "at $sc #$n"
			done
			[ "$n" -gt 1 ] || fail "$t: no $sc to kill at"
			[ "$n" -lt 400 ] || fail "$t: still calling $sc after 400 kills"
		done
	else
		cp -R "$k/old/$o" "$k/live/$o"
		start=$(date +%s%N)
		"$composec" "$t" -f "$k/v2.yaml" -o "$k/live/$o" 2>/dev/null
		span=$((($(date +%s%N) - start) / 1000000 + 1))
		for i in 1 2 3 4 5 6; do
			fresh_live
			ms=$((span * i / 6))
			"$composec" "$t" -f "$k/v2.yaml" -o "$k/live/$o" 2>/dev/null &
			pid=$!
			sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
			kill -KILL "$pid" 2>/dev/null || :
			wait "$pid" 2>/dev/null || :
			after_kill "$t" "after ${ms}ms"
		done
	fi
	# a full run afterwards completes the new version
	"$composec" "$t" -f "$k/v2.yaml" -o "$k/live/$o" 2>/dev/null
	if [ -d "$k/new/$o" ]; then
		check_old_or_new "$k/live/$o" "$k/new/$o" "$k/new/$o" && ok || fail "$t: rerun after kills"
	else
		cmp -s "$k/live/$o" "$k/new/$o" && ok || fail "$t: rerun after kills"
	fi
done

# --- 3. foreign files ---------------------------------------------------------------
f=$tmp/foreign
mkdir -p "$f"
printf 'name: fp\nservices:\n  web:\n    image: nginx\n  db:\n    image: postgres\n' >"$f/compose.yaml"
for t in $dir_targets $file_targets; do
	o=$(outname "$t")
	rm -rf "$f/out" "$f/ref"
	mkdir -p "$f/out" "$f/ref"
	"$composec" "$t" -f "$f/compose.yaml" -o "$f/ref/$o" 2>/dev/null
	if [ -d "$f/ref/$o" ]; then
		mkdir "$f/out/$o"
		victim=$(cd "$f/ref/$o" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | head -n 1)
		echo precious >"$f/out/$o/$victim"
		echo 'unrelated, keep me' >"$f/out/$o/zz-not-ours.txt"
	else
		victim=
		echo precious >"$f/out/$o"
	fi
	before=$(snapshot "$f/out")
	run "$composec" "$t" -f "$f/compose.yaml" -o "$f/out/$o"
	[ "$rc" -eq 1 ] && ok || fail "$t: foreign file: exit $rc, expected 1"
	grep -q 'exists and was not generated by composec; use --force' "$tmp/err" && ok || fail "$t: foreign file: no message"
	[ "$(snapshot "$f/out")" = "$before" ] && ok || fail "$t: foreign file: something was written"
	run "$composec" "$t" -f "$f/compose.yaml" -o "$f/out/$o" --force
	[ "$rc" -eq 0 ] && ok || fail "$t: --force: exit $rc"
	if [ -n "$victim" ]; then
		cmp -s "$f/out/$o/$victim" "$f/ref/$o/$victim" && ok || fail "$t: --force did not overwrite"
		grep -qx 'unrelated, keep me' "$f/out/$o/zz-not-ours.txt" && ok || fail "$t: an unrelated file was touched"
		# a symlink to a file outside: replaced by the new file, its target untouched
		echo "# generated by composec, but outside" >"$f/target"
		rm "$f/out/$o/$victim"
		ln -s "$f/target" "$f/out/$o/$victim"
		run "$composec" "$t" -f "$f/compose.yaml" -o "$f/out/$o"
		[ "$rc" -eq 0 ] && ok || fail "$t: symlink: exit $rc"
		grep -qx '# generated by composec, but outside' "$f/target" && ok || fail "$t: write through a symlink"
		[ -L "$f/out/$o/$victim" ] && fail "$t: symlink kept" || ok
	else
		cmp -s "$f/out/$o" "$f/ref/$o" && ok || fail "$t: --force did not overwrite"
	fi
done

# --- 4. --check writes nothing -------------------------------------------------------
c=$tmp/check
mkdir -p "$c"
printf 'name: ck\nservices:\n  web:\n    image: nginx\n' >"$c/compose.yaml"
for t in $dir_targets $file_targets; do
	o=$(outname "$t")
	rm -rf "$c/out"
	run "$composec" "$t" -f "$c/compose.yaml" -o "$c/out/$o" --check
	[ "$rc" -eq 1 ] && ok || fail "$t: --check on nothing: exit $rc"
	[ ! -e "$c/out" ] && ok || fail "$t: --check created the output"
	mkdir -p "$c/out"
	"$composec" "$t" -f "$c/compose.yaml" -o "$c/out/$o" 2>/dev/null
	printf 'name: ck\nservices:\n  web:\n    image: httpd\n' >"$c/v2.yaml"
	before=$(snapshot "$c/out")
	sleep 1
	run "$composec" "$t" -f "$c/v2.yaml" -o "$c/out/$o" --check
	[ "$rc" -eq 1 ] && ok || fail "$t: --check on a stale output: exit $rc"
	run "$composec" "$t" -f "$c/compose.yaml" -o "$c/out/$o" --check
	[ "$rc" -eq 0 ] && ok || fail "$t: --check on a current output: exit $rc"
	[ "$(snapshot "$c/out")" = "$before" ] && ok || fail "$t: --check changed the output"
done

echo "test_output_safety: $pass passed, $fails failed, $skips skipped (targets:$dir_targets$file_targets)"
[ "$fails" -eq 0 ] || exit 1
# 77: CTest counts the test as skipped (the kill at each system call did not run)
[ "$skips" -eq 0 ] || exit 77
