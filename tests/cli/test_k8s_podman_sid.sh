#!/bin/sh
# test_k8s_podman_sid.sh COMPOSEC: test_k8s_podman.sh with the newest
# consumer, podman 5.8's `kube play` in the Debian sid root
# (tests/e2e/sid-root.sh), which plays composec's Deployments and Services
# as they are, in the order composec writes them.
exec sh "$(dirname "$0")/test_k8s_podman.sh" "$1" --sid
