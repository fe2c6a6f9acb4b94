#!/bin/sh
# test_unit_files.sh COMPOSEC - the scripts beside the units that put
# configs and secrets written inline or taken from the environment in place
# (<project>-<service>.files.sh), run as their units run them, with a fake
# engine that keeps what it is given; no container engine needed.
#
# systemd's (`sh SCRIPT ENGINE CONTAINER`): each `ENGINE cp [OPTION] -
# CONTAINER:/` gets a one-file archive whose member is the file's path,
# mode, numeric owner and contents, with docker compose's cp option.
# Quadlet's (`sh SCRIPT DIR PODMAN`): DIR is made afresh, owner-only, and
# holds each file with its mode and contents, owned as given: as root by
# chown, and as a user (rootless podman) through `PODMAN unshare chown`,
# which no harness here reaches otherwise (they run podman as root); a file
# that goes to the container's user is left to podman's U option.
# test_reference_files.sh runs the same scripts on the real engines.
#
# Needs root (chown, and a user to run as) and GNU tar.
set -u
composec=$1
case $composec in /*) ;; *) composec=$PWD/$composec ;; esac
# shellcheck source=tests/cli/checks.sh
. "$(dirname "$0")/checks.sh" # ok, fail, skip, finish
[ "$(id -u)" -eq 0 ] || skip "needs root (chown, runuser)"
command -v runuser >/dev/null || skip "no runuser (util-linux)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unit-files.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
cd "$tmp" || exit 1

cat >compose.yaml <<'YAML'
name: uf
services:
  app:
    image: busybox
    configs:
      - source: conf
        target: /etc/app/app.conf
        mode: 0440
        uid: "1234"
        gid: "5678"
    secrets: [tok]
  usr:
    image: busybox
    user: "1000"
    configs:
      - source: conf
        target: /c
        uid: "7"
YAML
cat >>compose.yaml <<'YAML'
configs:
  conf:
    content: |
      it's $${HOME} 100%
secrets:
  tok:
    environment: TOK
YAML
# shellcheck disable=SC2016 # a literal $1, which no shell may expand
export TOK='s3cr"et $1'

# the fake engine: its arguments one a line into $FAKE_LOG, stdin (an
# archive) into $FAKE_LOG.<n>
cat >fake <<'SH'
#!/bin/sh
n=$(($(cat "$FAKE_LOG.n" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_LOG.n"
printf '%s\n' "$*" >>"$FAKE_LOG"
case $1 in cp) cat >"$FAKE_LOG.$n" ;; esac
exit 0
SH
chmod 755 fake

# --- systemd: the archives
"$composec" systemd -q --engine docker -o sd-docker || fail "composec systemd"
"$composec" systemd -q --engine podman -o sd-podman || fail "composec systemd --engine podman"
for e in docker podman; do
	rm -f "log-$e"*
	if FAKE_LOG=$tmp/log-$e sh "sd-$e/uf-app.files.sh" "$tmp/fake" uf-app-1 2>"err-$e"; then ok; else
		fail "$e: uf-app.files.sh:" && cat "err-$e"
	fi
	# the secret first, then the config
	want_cp='cp - uf-app-1:/'
	[ "$e" = docker ] || want_cp='cp --archive=false - uf-app-1:/'
	got=$(sed -n 1p "log-$e")
	if [ "$got" = "$want_cp" ]; then ok; else fail "$e: the secret's copy: [$got], want [$want_cp]"; fi
	want_cp='cp -a - uf-app-1:/'
	[ "$e" = docker ] || want_cp='cp --archive=false - uf-app-1:/'
	got=$(sed -n 2p "log-$e")
	if [ "$got" = "$want_cp" ]; then ok; else fail "$e: the config's copy: [$got], want [$want_cp]"; fi
	# mode, owner, path of each member
	got=$(tar -tvf "log-$e.1" --numeric-owner | awk '{ print $1, $2, $NF }')
	if [ "$got" = "-r--r--r-- 0/0 run/secrets/tok" ]; then ok; else fail "$e: the secret's archive: $got"; fi
	got=$(tar -tvf "log-$e.2" --numeric-owner | awk '{ print $1, $2, $NF }')
	if [ "$got" = "-r--r----- 1234/5678 etc/app/app.conf" ]; then ok; else fail "$e: the config's archive: $got"; fi
	if [ "$(tar -xOf "log-$e.1")" = "$TOK" ]; then ok; else fail "$e: the secret's contents"; fi
	if [ "$(tar -xOf "log-$e.2")" = "it's \${HOME} 100%" ]; then ok; else fail "$e: the config's contents"; fi
done

# --- Quadlet: the directory the container binds from
"$composec" quadlet -q -o q || fail "composec quadlet"
# mode owner name, of each file of DIR
listing() { (cd "$1" && find . -mindepth 1 -printf '%m %U:%G %P\n' | sort); }
d=$tmp/run/composec/uf-app-1
mkdir -p "$d"
touch "$d/stale"
if FAKE_LOG=$tmp/qlog sh q/uf-app.files.sh "$d" "$tmp/fake" 2>qerr; then ok; else fail "quadlet uf-app.files.sh:" && cat qerr; fi
got=$(listing "$d" | tr '\n' ';')
if [ "$got" = "440 1234:5678 2;444 0:0 1;" ]; then ok; else fail "quadlet as root: $got"; fi
if [ "$(stat -c %a "$d")" = 700 ]; then ok; else fail "quadlet: $d is $(stat -c %a "$d"), not 700"; fi
if [ "$(cat "$d/1")" = "$TOK" ] && [ "$(cat "$d/2")" = "it's \${HOME} 100%" ]; then ok; else fail "quadlet: contents"; fi
if [ ! -s "$tmp/qlog" ]; then ok; else fail "quadlet as root called podman: $(cat "$tmp/qlog")"; fi
# the file that goes to the container's user: podman's U option, no chown
if grep -q '^Volume=%t/composec/uf-usr-1/1:/c:U$' q/uf-usr.container; then ok; else fail "uf-usr: no U bind"; fi
du=$tmp/run/composec/uf-usr-1
FAKE_LOG=$tmp/qlog-usr sh q/uf-usr.files.sh "$du" "$tmp/fake" 2>/dev/null || fail "uf-usr.files.sh"
got=$(listing "$du")
if [ "$got" = "444 0:0 1" ] && [ ! -s "$tmp/qlog-usr" ]; then ok; else fail "uf-usr as root: $got"; fi

# as a user (rootless podman): the owner through podman unshare chown
user=nobody
ud=$tmp/user
mkdir -p "$ud" && chown "$user" "$ud"
cp q/uf-app.files.sh "$ud/s.sh" && chown "$user" "$ud/s.sh"
if runuser -u "$user" -- env FAKE_LOG="$ud/log" sh "$ud/s.sh" "$ud/run/composec/uf-app-1" "$tmp/fake" 2>uerr; then ok; else
	fail "uf-app.files.sh as $user:" && cat uerr
fi
got=$(cat "$ud/log" 2>/dev/null)
if [ "$got" = "unshare chown 1234:5678 $ud/run/composec/uf-app-1/2" ]; then ok; else
	fail "as $user: podman got [$got], want unshare chown 1234:5678 of the config"
fi
got=$(listing "$ud/run/composec/uf-app-1" | awk '{ print $1, $3 }' | tr '\n' ';')
if [ "$got" = "440 2;444 1;" ]; then ok; else fail "as $user: $got"; fi
finish
