/*
 * unitplan.h - the plan layer's run-time decisions (plan/plan.h) as
 * systemd settings, shared by the targets whose output systemd runs: the
 * systemd units and Quadlet (DESIGN.md §6a).
 *  - Dependencies: a dependent waits itself, bounded, in ExecStartPre=
 *    sh loops, so that a dependency that fails, restarts or never becomes
 *    healthy fails the dependent only, as in docker compose; the
 *    dependency's unit is never failed or restarted for it (no Requires=).
 *  - Restart: Restart= of the plan's policy, paced by RestartSec=, and no
 *    start limit where the engines never give up.
 */
#ifndef COMPOSEC_UNITPLAN_H
#define COMPOSEC_UNITPLAN_H

#include "plan/plan.h"

/* `systemctl [--user]`, for the manager the unit runs under: a user
 * manager gives its services XDG_RUNTIME_DIR, the system manager does not. */
#define UNIT_SYSTEMCTL "systemctl ${XDG_RUNTIME_DIR:+--user}"

/* A bounded sh loop into sb: `body` exits 0 when the wait is over (or 1
 * when it failed); after `limit` tries a second apart it fails with
 * `what` on stderr. */
void unit_wait_loop(struct strbuf *sb, const char *body, const char *what, int64_t limit);

/* The script that waits until `container` (run by `unit`) is what cond
 * asks within bound usec: running (DEP_STARTED), healthy (DEP_HEALTHY:
 * docker's health status, failing on "unhealthy" as compose does; podman
 * runs the check itself with `healthcheck run`, which needs none of its
 * timers), or the unit of a completed dependency active, that is its
 * container exited 0 (DEP_COMPLETED, no bound).  When the unit's start
 * failed (inactive or failed once its job is over, which After= ensures)
 * the wait fails at once; while it restarts (activating) it goes on.
 * engine is the engine's absolute path, kind which engine it is. */
void unit_wait_script(struct arena *a, struct strbuf *script, const char *engine, enum engine kind,
		    enum dep_condition cond, int64_t bound, const char *container, const char *unit);

/* A timespan systemd reads back exactly: "Key=5s", "1500ms" or "250us". */
void unit_timespan(struct strbuf *sb, const char *key, int64_t usec);

struct unit_restart {
	const char *policy; /* Restart= value: no, always, on-failure */
	int64_t retries;    /* on-failure:N, or IR_UNSET */
	int64_t delay, window; /* deploy.restart_policy's, or IR_UNSET */
};
/* Restart= of the plan's policy (systemd has no unless-stopped: always;
 * a condition the engine would refuse: no).  deploy.restart_policy's delay
 * and window, which docker compose does not use, pace systemd's restarts
 * when written (RestartSec=, StartLimitIntervalSec=). */
struct unit_restart unit_restart_of(const struct plan *pl, const struct service *s);
bool unit_restarts(const struct unit_restart *r);
/* RestartSec=: the delay when given, else 1s (the engines back off from
 * 100 ms; systemd's own 100 ms would spin for ever). */
void unit_restart_sec(struct strbuf *sb, const struct unit_restart *r);
/* StartLimit*= for [Unit].  on-failure:N allows N restarts, i.e. N+1
 * starts; compose gives no window, so the count does not expire by itself
 * (`systemctl reset-failed` clears it), as compose2nix does.  The engines
 * never give up on the other policies, while systemd's default start limit
 * (5 starts in 10s) would stop a crash loop for good: turn it off.  The
 * exception, step_retries: a unit with pre_start steps among its
 * ExecStartPre= lines, which systemd re-runs when it restarts the unit
 * (also after a failed step, where compose gives up at once): such a unit
 * tries UNIT_STEP_START_LIMIT times a minute, then stays failed. */
#define UNIT_STEP_START_LIMIT 3
void unit_start_limit(struct strbuf *sb, const struct unit_restart *r, bool step_retries);

/* ---- configs and secrets written inline or from the environment ---- */

/* The file beside the units that puts s's copied configs and secrets
 * (plan_files) in place: "<project>-<service>.files.sh", a POSIX sh script
 * marked as every generated file, holding the contents (so owner-only when
 * the project holds values, as the driver makes every such file).  The
 * unit runs it with /bin/sh; neither systemd nor Quadlet loads a file of
 * that name. */
const char *unit_files_script_name(struct arena *a, const struct project *p, const struct service *s);

enum unit_files_how {
	/* `sh SCRIPT ENGINE CONTAINER`: copy each file into the created
	 * container with `ENGINE cp` of a one-file archive, as docker compose
	 * copies it (the plan_file's owner, mode and cp option): the systemd
	 * units, which create, copy and then start. */
	UNIT_FILES_COPY,
	/* `sh SCRIPT DIR PODMAN`: write each file as DIR/<n> (n from 1, in
	 * plan_files' order) with its mode and owner, in DIR made owner-only
	 * afresh, for the container to bind (unit_files_volume): Quadlet, whose
	 * `podman run` cannot be split.  An owner uid:gid is given with chown
	 * (podman unshare chown when not root: the container's ids in a
	 * rootless user namespace); a file that goes to the container's user
	 * is bound with podman's U option instead. */
	UNIT_FILES_WRITE,
};
/* The script's text into out: its header names where it comes from
 * (loc of s) and which unit runs it. */
void unit_files_script(struct arena *a, const struct project *p, const struct service *s, const struct plan_file *f,
		       size_t n, enum unit_files_how how, const char *unit, struct strbuf *out);

/* One Exec argument "<raw><path>": raw (a specifier such as %Y, or "")
 * written as is, path through systemd's escaping. */
void unit_exec_path_arg(struct strbuf *sb, const char *raw, const char *path);

/* What the config-hash of a container covers of its copied files (the
 * contents are part of its definition: a change makes a new container). */
uint64_t unit_files_hash(uint64_t h, const struct plan_file *f, size_t n);

#endif
