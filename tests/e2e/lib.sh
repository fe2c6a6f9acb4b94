# lib.sh: helpers for scripts run by systemd-run.sh (source "$E2E_LIB").
# Every wait is bounded; a helper that gives up says why on stderr and
# returns 1.  POSIX sh.

# e2e_start UNIT... : systemctl --user start, bounded by $E2E_START_TIMEOUT
# seconds (default 30); returns systemctl's status (1 when a dependency
# failed, 124 on timeout).
e2e_start() {
	timeout "${E2E_START_TIMEOUT:-30}" systemctl --user start "$@"
}

# e2e_state UNIT: the unit's ActiveState (active, inactive, failed, ...)
e2e_state() {
	systemctl --user show -P ActiveState "$1"
}

# e2e_wait UNIT STATE [SECONDS]: wait until UNIT's ActiveState is STATE
# (default at most 10 s, polled every 50 ms).
e2e_wait() {
	_n=$((${3:-10} * 20))
	while [ "$(e2e_state "$1")" != "$2" ]; do
		_n=$((_n - 1))
		if [ "$_n" -le 0 ]; then
			echo "e2e_wait: $1 is $(e2e_state "$1"), not $2" >&2
			return 1
		fi
		sleep 0.05
	done
}

# e2e_expect_calls FILE: the recorder log must equal FILE (one JSON array per
# line); prints a diff when it does not.
e2e_expect_calls() {
	diff -u "$1" "$RECORD_LOG" >&2
}

# e2e_ctl LINE...: append control directives for the recorder (see README).
e2e_ctl() {
	printf '%s\n' "$@" >>"$RECORD_CTL"
}

# e2e_logs UNIT: what is known about UNIT, for a failure message.
e2e_logs() {
	systemctl --user status --no-pager "$1" >&2 || :
	if [ -s "${E2E_MANAGER_LOG:-/dev/null}" ]; then tail -n 20 "$E2E_MANAGER_LOG" >&2; fi
}
