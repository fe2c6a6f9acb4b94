#!/bin/sh
# Re-loading what `composec config` prints must give the same model: for
# every golden case that loads without error, print the model (YAML and
# JSON), load the printed model again and compare the two outputs.
set -eu
composec=$1
golden=$(cd "$(dirname "$0")/../../golden" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
checked=0
for dir in "$golden"/*/; do
	case=$(basename "$dir")
	[ -f "$dir/expected/exit" ] && [ "$(cat "$dir/expected/exit")" != 0 ] && continue
	[ -f "$dir/args" ] && ! head -n 1 "$dir/args" | grep -qx config && continue
	# env assignments, then composec and its arguments (as golden.sh does)
	set --
	if [ -f "$dir/env" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in '' | '#'*) continue ;; esac
			set -- "$@" "$line"
		done <"$dir/env"
	fi
	set -- "$@" "$composec"
	if [ -f "$dir/args" ]; then
		while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done <"$dir/args"
	else
		set -- "$@" config
	fi
	for fmt in yaml json; do
		out1=$tmp/$case.1.$fmt
		out2=$tmp/$case.2.$fmt
		if ! (cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@" --format "$fmt" >"$out1" 2>/dev/null); then
			continue
		fi
		# Profiles were applied when printing: enable every profile on reload.
		if ! (cd "$tmp" && env -i PATH=/usr/bin:/bin HOME=/nonexistent COMPOSE_PROFILES='*' \
			"$composec" config --format "$fmt" -f "$out1" >"$out2" 2>"$tmp/err"); then
			echo "FAIL $case ($fmt): the printed model does not load:"
			cat "$tmp/err"
			failed=$((failed + 1))
			continue
		fi
		if ! diff -u "$out1" "$out2"; then
			echo "FAIL $case ($fmt): the re-loaded model differs"
			failed=$((failed + 1))
		fi
		checked=$((checked + 1))
	done
done
echo "round trip: $checked checked, $failed failed"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
