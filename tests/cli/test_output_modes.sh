#!/bin/sh
# Values others must not read: a project whose services have an
# environment value (from the file, .env, --env-file or env_file), a build
# argument, a secret or a config taken from the environment gets every
# output file written readable by its owner only (0600; 0700 for the sh
# script), whatever the umask, for every target and for `config -o`; the
# values are checked to be in those files.  A project without any keeps
# 0644 (0755 for the script).
set -eu
composec=$1
case $composec in
/*) ;;
*) composec=$PWD/$composec ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fails=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# with: a password from .env, one from env_file, one from a secret file
mkdir -p "$tmp/with" "$tmp/without" "$tmp/confenv"
printf 'DB_PASSWORD=dotenv-s3cret\n' >"$tmp/with/.env"
printf 'API_TOKEN=envfile-s3cret\n' >"$tmp/with/app.env"
printf 'file-s3cret\n' >"$tmp/with/token.txt"
cat >"$tmp/with/compose.yaml" <<'YAML'
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
  app:
    image: busybox
    env_file: app.env
    secrets: [token]
secrets:
  token:
    file: token.txt
YAML
# confenv: a config whose value comes from .env, which every target carries
printf 'GREETING=confenv-s3cret\n' >"$tmp/confenv/.env"
cat >"$tmp/confenv/compose.yaml" <<'YAML'
services:
  app:
    image: busybox
    configs: [greeting]
configs:
  greeting:
    environment: GREETING
YAML
cat >"$tmp/without/compose.yaml" <<'YAML'
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
YAML

# modes DIR: "MODE PATH" of every file under DIR, sorted
modes() { (cd "$1" && find . -type f -exec stat -c '%a %n' {} + | sort); }

for case in with confenv without; do
	for t in systemd quadlet k8s sh plan config; do
		out=$tmp/out-$case-$t
		case $t in
		sh) dest=$out/up.sh ;; plan) dest=$out/plan.json ;; config) dest=$out/compose.yaml ;; *) dest=$out ;;
		esac
		mkdir -p "$out"
		if (cd "$tmp/$case" && umask 000 && "$composec" "$t" -o "$dest") >"$tmp/log" 2>&1; then ok; else
			fail "$case/$t: exit $?" && cat "$tmp/log"
			continue
		fi
		bad=$(modes "$out" | awk -v c="$case" '
			c != "without" && $1 != "600" && !($1 == "700" && $2 ~ /up\.sh$/) { print }
			c == "without" && $1 != "644" && !($1 == "755" && $2 ~ /up\.sh$/) { print }')
		n=$(modes "$out" | wc -l)
		if [ -z "$bad" ] && [ "$n" -gt 0 ]; then ok; else
			fail "$case/$t: $n files, these with the wrong mode:" && echo "$bad"
		fi
		if [ "$case" = with ]; then
			# the values are there, in the files made owner-only
			for v in dotenv-s3cret envfile-s3cret; do
				if grep -rqF "$v" "$out"; then ok; else fail "with/$t: $v is in no output file"; fi
			done
		fi
		if [ "$case" = confenv ]; then
			if grep -rqF confenv-s3cret "$out"; then ok; else fail "confenv/$t: the value is in no output file"; fi
		fi
	done
done
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
