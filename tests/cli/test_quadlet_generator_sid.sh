#!/bin/sh
# test_quadlet_generator_sid.sh COMPOSEC: test_quadlet_generator.sh with
# the newest consumers, Podman's Quadlet generator 5.8 and systemd 262's
# `systemd-analyze verify`, from the Debian sid root (tests/e2e/sid-root.sh),
# over every golden case and corpus file at every --podman-version up to 5.8.
exec sh "$(dirname "$0")/test_quadlet_generator.sh" "$1" --sid
