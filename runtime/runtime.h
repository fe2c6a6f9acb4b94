/*
 * runtime.h - composec-run: executes a plan (runtime/PLAN.md) with the
 * engine's CLI.  Depends on base/ and libyaml only; knows nothing of
 * compose.
 *
 * Modules:
 *   plan_load.c  the plan's JSON (read with libyaml) into struct rt_plan
 *   exec.c       one command: fork/execvp (never a shell), output captured
 *                for the failure tail, signals passed on, progress lines
 *   state.c      the pre_start records of a service in the state directory
 *   service.c    what one service goes through: up (in a worker process),
 *                stop, down, ps
 *   sched.c      the scheduler: which service may start, the workers, the
 *                stop in reverse order
 *   main.c       options and commands
 *
 * Invariants: an argv is never empty once loaded (argv.v[0] is the
 * program, argv.v[argv.n] is NULL); services are in dependency order and
 * every dependency index is below its dependent's; one arena owns the plan.
 */
#ifndef COMPOSEC_RUNTIME_H
#define COMPOSEC_RUNTIME_H

#include "base/base.h"

#include <signal.h>
#include <sys/types.h>

#define RT_PLAN_VERSION 1
#define RT_TAIL_LINES 20

/* ---- the plan ---------------------------------------------------------------- */

struct rt_argv {
	const char **v; /* NULL-terminated; v == NULL: absent */
	size_t n;
};

struct rt_argvs {
	struct rt_argv *v;
	size_t n;
};

struct rt_step {
	const char *label; /* "pre_start 2" */
	const char *hash;  /* the definition hash */
	struct rt_argv argv;
};

struct rt_steps {
	struct rt_step *v;
	size_t n;
};

enum rt_check { RT_CHECK_EXIT_STATUS, RT_CHECK_HEALTH_STATUS };

struct rt_health {
	bool present;
	struct rt_argv argv;
	enum rt_check check;
	long long interval_ms, timeout_ms, retries, start_period_ms, poll_ms, deadline_ms;
};

/* A file copied into the created container (plan "copy"): argv reads a tar
 * archive of it on stdin. */
struct rt_copy {
	struct rt_argv argv;
	const char *path; /* relative to the container's root */
	long long mode;
	const char *uid, *gid; /* numeric */
	const char *content;
};
struct rt_copies {
	struct rt_copy *v;
	size_t n;
};

struct rt_container {
	const char *name;
	struct rt_argv status, create, start, completion, stop, remove;
	struct rt_argv remove_volumes; /* optional: remove with its anonymous volumes */
	struct rt_argvs connect;       /* optional: networks joined between create and start */
	struct rt_copies copy;         /* optional: files copied in between create and start */
	struct rt_steps pre_start;
	struct rt_argvs post_start, pre_stop;
	struct rt_health health;
};

enum rt_cond { RT_COND_STARTED, RT_COND_HEALTHY, RT_COND_COMPLETED, RT_COND__MAX };
extern const char *const rt_cond_names[RT_COND__MAX];

struct rt_dep {
	const char *service;
	size_t index; /* in plan->svc, below the dependent's */
	enum rt_cond cond;
	bool required;
};

struct rt_build {
	bool present;
	const char *image;
	struct rt_argv exists, argv;
	const char *stdin_data; /* NULL: none */
};

struct rt_service {
	const char *name;
	const char *definition;
	struct rt_argv bind_dirs; /* created when missing, before the containers */
	struct rt_dep *deps;
	size_t n_deps;
	struct rt_build build;
	struct rt_steps pre_start; /* shared by all containers */
	struct rt_container *containers;
	size_t n_containers;
};

struct rt_resource {
	const char *kind; /* "network", "volume" */
	const char *key, *name;
	bool external;
	struct rt_argv exists, create, remove;
};

struct rt_plan {
	const char *project, *engine;
	struct rt_resource *res;
	size_t n_res;
	struct rt_service *svc;
	size_t n_svc;
};

/* Parse a plan; on error returns -1 with a message (no newline) in err. */
int rt_plan_parse(struct arena *a, const char *text, size_t len, struct rt_plan *out, struct strbuf *err);
int rt_plan_load(struct arena *a, const char *path, struct rt_plan *out, struct strbuf *err);

/* ---- running commands (exec.c) ----------------------------------------------- */

/* Set by SIGINT/SIGTERM (the signal number); read everywhere a wait may be
 * long.  rt_signals_install sets handlers without SA_RESTART. */
extern volatile sig_atomic_t rt_interrupted;
void rt_signals_install(void);

/* Run argv with fork/execvp, stdout and stderr captured into out (the
 * last RT_CAPTURE_MAX bytes), stdin from stdin_data (NULL: /dev/null).
 * Returns the exit status, 128+N when killed by signal N, 127 when the
 * program could not be run.  An interruption passes SIGTERM on to it. */
#define RT_CAPTURE_MAX (64 * 1024)
int rt_run(const struct rt_argv *argv, const char *stdin_data, struct strbuf *out);
/* The same with stdin from len bytes of data (which may hold NULs). */
int rt_run_bytes(const struct rt_argv *argv, const char *data, size_t len, struct strbuf *out);

/* A ustar archive of one regular file (path relative, mode, numeric uid and
 * gid, content) into out.  -1 when path is too long for the format or uid
 * or gid is not a number. */
int rt_tar_one(struct strbuf *out, const char *path, long long mode, const char *uid, const char *gid,
	       const char *content, size_t len, long long mtime);

/* Seconds since the runtime started (monotonic). */
double rt_now(void);
/* Sleep ms milliseconds, or less when interrupted. */
void rt_sleep_ms(long long ms);

/* One progress line, written with one write(2) so that workers' lines do
 * not mix: "[  1.234s] WHO: WHAT RESULT (0.12s)", followed by the last
 * RT_TAIL_LINES lines of tail when not NULL. */
void rt_progress(const char *who, const char *what, double began, const char *result, const struct strbuf *tail);
/* The last `lines` lines of out, each as "    | line\n". */
void rt_tail(const struct strbuf *out, int lines, struct strbuf *dst);
/* A message on stdout (one write), "composec-run: " prefixed when err. */
void rt_say(bool err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ---- pre_start state (state.c) -------------------------------------------------- */

enum rt_step_result { RT_STEP_NONE, RT_STEP_OK, RT_STEP_FAILED };

struct rt_record {
	const char *scope; /* container name, or "-" for shared steps */
	const char *hash;
	enum rt_step_result result;
};

struct rt_state {
	struct arena *a;
	const char *path; /* the service's file; NULL: no state kept */
	const char *definition;
	struct rt_record *rec;
	size_t n, cap;
};

/* The state directory of a project: dir, or the default (PLAN.md). */
const char *rt_state_dir(struct arena *a, const char *dir, const char *project);
/* Load the state of a service (an absent file is an empty state). */
void rt_state_load(struct rt_state *st, struct arena *a, const char *dir, const char *service);
enum rt_step_result rt_state_get(const struct rt_state *st, const char *scope, const char *hash);
void rt_state_set(struct rt_state *st, const char *scope, const char *hash, enum rt_step_result r);
/* Forget every step record (the containers were recreated). */
void rt_state_forget(struct rt_state *st);
/* Write atomically; returns 0 or -1 (errno). */
int rt_state_save(const struct rt_state *st);
/* Remove the project's state files and directory. */
void rt_state_remove_project(struct arena *a, const char *dir);

/* ---- services (service.c) ------------------------------------------------------ */

struct rt_opts {
	const char *state_dir; /* the project's state directory */
	bool build, force_recreate, detach, volumes;
	int jobs;
	const struct rt_seen *seen; /* set by the command before any worker starts */
};

/* What rt_look found by one engine call per kind (and per RT_LOOK_CHUNK
 * names), instead of a `status` or `exists` each. */
struct rt_seen {
	const char ***state;   /* [service][container]: "running", ...; NULL: absent */
	const char **resource; /* [resource]: non-NULL when it exists; NULL when not looked at */
};

/* Milestones a worker reports on its pipe, one byte each. */
#define RT_MS_CREATED 'c'
#define RT_MS_STARTED 'S'
#define RT_MS_HEALTHY 'H'
#define RT_MS_COMPLETED 'C'
#define RT_MS_STOPPED 's' /* stop, down: the containers no longer run */

/* Which waits a service's dependents need: bits (1 << RT_COND_*). */
unsigned rt_needs(const struct rt_plan *p, size_t i);

/* Worker exit codes. */
enum { RT_WORKER_OK = 0, RT_WORKER_FAILED = 1, RT_WORKER_INTERRUPTED = 3 };

/* Bring service i up (in a worker): build, create or reuse, pre_start,
 * start, post_start, then the waits in `needs`; each milestone is written
 * to notify_fd.  Returns a worker exit code. */
int rt_service_up(const struct rt_plan *p, size_t i, const struct rt_opts *o, unsigned needs, int notify_fd);
/* pre_stop hooks and stop for the running containers of service i (in a
 * worker); RT_MS_STOPPED is written to notify_fd once they stopped.
 * Returns a worker exit code. */
int rt_service_stop(const struct rt_plan *p, const struct rt_opts *o, size_t i, int notify_fd);
/* The same, then remove for every container of service i that exists. */
int rt_service_down(const struct rt_plan *p, const struct rt_opts *o, size_t i, int notify_fd);
/* One line per container. */
void rt_service_ps(const struct rt_plan *p, size_t i, const struct rt_opts *o);
/* Look at every container of the plan (and every resource, with
 * `resources`): `<engine> container inspect --format
 * {{.Name}}={{.State.Status}} NAMES...`, `<engine> network|volume inspect
 * --format {{.Name}}=exists NAMES...` (PLAN.md). */
#define RT_LOOK_CHUNK 100
const struct rt_seen *rt_look(struct arena *a, const struct rt_plan *p, bool resources);
/* Resources, all at once (at most o->jobs): exists, else create; exists,
 * then remove for the networks (and the volumes with o->volumes).
 * Return 0, or 1 when one failed. */
int rt_resources_up(const struct rt_plan *p, const struct rt_opts *o);
int rt_resources_down(const struct rt_plan *p, const struct rt_opts *o);

/* ---- the scheduler (sched.c) ----------------------------------------------------- */

enum rt_status { RT_PENDING, RT_RUNNING, RT_DONE, RT_FAILED, RT_BLOCKED, RT_INTERRUPTED };

struct rt_svc_state {
	enum rt_status status;
	unsigned reached; /* bits (1 << RT_COND_*), plus RT_REACHED_CREATED, RT_REACHED_STOPPED */
	pid_t pid;
	int fd;
};
#define RT_REACHED_CREATED (1u << RT_COND__MAX)
#define RT_REACHED_STOPPED (1u << (RT_COND__MAX + 1))

enum rt_verdict { RT_WAIT, RT_READY, RT_NOT_STARTED };

/* May service i start now?  RT_NOT_STARTED when a required dependency
 * can no longer reach its condition (*blocker: its index). */
enum rt_verdict rt_verdict(const struct rt_plan *p, const struct rt_svc_state *st, size_t i, size_t *blocker);
/* May service i stop now (stop, down)?  Once every service that depends on
 * it stopped or ended; never RT_NOT_STARTED (blocker is unused). */
enum rt_verdict rt_stop_verdict(const struct rt_plan *p, const struct rt_svc_state *st, size_t i, size_t *blocker);
/* Record a milestone byte from a worker. */
void rt_reach(struct rt_svc_state *s, char milestone);

/* fn(p, o, i) for every i below n, each in a worker process, at most
 * o->jobs at once; an interruption stops the launches and passes SIGTERM
 * on.  Returns 0, or 1 when one returned non-zero or could not run. */
int rt_each(const struct rt_plan *p, const struct rt_opts *o, size_t n,
	    int (*fn)(const struct rt_plan *p, const struct rt_opts *o, size_t i));

/* The commands.  Return the exit status of composec-run. */
int rt_up(const struct rt_plan *p, const struct rt_opts *o);
int rt_down(const struct rt_plan *p, const struct rt_opts *o);
int rt_ps(const struct rt_plan *p, const struct rt_opts *o);

#endif
