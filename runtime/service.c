/*
 * service.c - what one service goes through, command by command: its
 * bring-up (run in a worker process by sched.c), its stop, its removal,
 * its line in `ps`; and the resources before and after all services.
 *
 * Every command that changes something gets one progress line with its
 * duration.  What exists and what runs comes from one look at all
 * containers and resources (rt_look, before the workers start), not from
 * a probe each: the plan's `status` and `exists` say what each look asks,
 * the look asks it of all names at once.  A failing
 * command ends the service's bring-up: its line says FAILED with the exit
 * status and the output's tail follows.  The skip rule for pre_start steps
 * is in runtime/PLAN.md; here it reads:
 *   reuse a container  <=>  it exists, no --force-recreate, and the state's
 *                           definition equals the plan's;
 *   any container recreated  =>  the service's step records are forgotten;
 *   skip a step  <=>  its record in its scope says ok for the same hash;
 *   a step that runs first stops the reused containers that run.
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct up {
	struct arena *a;
	const struct rt_plan *p;
	const struct rt_service *s;
	const char **seen; /* the service's row of o->seen->state */
	const struct rt_opts *o;
	struct rt_state st;
	int notify_fd;
	bool *exists, *running, *reused; /* per container */
	struct strbuf out;               /* the last command's output */
};

/* "create" or "create demo-web-2" when the service has replicas */
static const char *what_for(struct up *u, const char *what, size_t c)
{
	if (u->s->n_containers < 2)
		return what;
	return arena_printf(u->a, "%s %s", what, u->s->containers[c].name);
}

static const char *failure(struct arena *a, int rc)
{
	if (rt_interrupted)
		return arena_printf(a, "interrupted (exit %d)", rc);
	if (rc == 127)
		return "FAILED (the engine could not be run)";
	return arena_printf(a, "FAILED (exit %d)", rc);
}

/* Run argv with a progress line; the output stays in *out. */
static int command(struct arena *a, const char *who, const char *what, const struct rt_argv *argv,
		   const char *stdin_data, struct strbuf *out)
{
	double began = rt_now();
	sb_reset(out);
	int rc = rt_run(argv, stdin_data, out);
	rt_progress(who, what, began, rc ? failure(a, rc) : "ok", rc && !rt_interrupted ? out : NULL);
	return rc;
}

static int probe(const struct rt_argv *argv, struct strbuf *out)
{
	sb_reset(out);
	return rt_run(argv, NULL, out);
}

/* The first line of the output, without surrounding blanks. */
static const char *answer(struct arena *a, const struct strbuf *out)
{
	const char *s = out->buf + strspn(out->buf, " \t\r\n");
	size_t n = strcspn(s, "\r\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

static void notify(struct up *u, char milestone)
{
	if (u->notify_fd >= 0 && write(u->notify_fd, &milestone, 1) != 1)
		rt_say(true, "%s: cannot report to the scheduler", u->s->name);
}

static void save_state(struct up *u)
{
	if (rt_state_save(&u->st) != 0)
		rt_say(true, "%s: cannot write the state file %s; its pre_start steps will run again", u->s->name,
		       u->st.path);
}

/* ---- bring-up ---------------------------------------------------------------------- */

/* mkdir -p of an absolute path; 0, or -1 with errno. */
static int mkdir_p(struct arena *a, const char *path)
{
	char *p = arena_strdup(a, path);
	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q)
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*q = c;
		if (!c)
			return 0;
	}
}

/* The bind sources docker compose creates when they are missing, as
 * directories (the plan's bind_dirs); an existing path is left alone. */
static int up_bind_dirs(struct up *u)
{
	for (size_t i = 0; i < u->s->bind_dirs.n; i++) {
		const char *d = u->s->bind_dirs.v[i];
		struct stat st;
		if (lstat(d, &st) == 0)
			continue;
		double t0 = rt_now();
		const char *what = arena_printf(u->a, "create %s", d);
		if (mkdir_p(u->a, d) != 0) {
			rt_progress(u->s->name, what, t0, arena_printf(u->a, "FAILED (%s)", strerror(errno)), NULL);
			return 1;
		}
		rt_progress(u->s->name, what, t0, "ok", NULL);
	}
	return 0;
}

static int up_build(struct up *u)
{
	const struct rt_build *b = &u->s->build;
	if (!b->present)
		return 0;
	if (!u->o->build && probe(&b->exists, &u->out) == 0) {
		rt_progress(u->s->name, "build", rt_now(), "skipped (image present; --build builds it)", NULL);
		return 0;
	}
	return command(u->a, u->s->name, "build", &b->argv, b->stdin_data, &u->out);
}

/* A container made anew that has no pre_start step to run before its start
 * is created and started by one call instead of two: `create` as `run
 * --detach` (PLAN.md).  A step, or a network to connect, needs the
 * container created and stopped. */
static bool runs_at_create(const struct up *u, size_t c)
{
	const struct rt_argv *create = &u->s->containers[c].create;
	const struct rt_container *ct = &u->s->containers[c];
	return !u->s->pre_start.n && !ct->pre_start.n && !ct->connect.n && !ct->copy.n && create->n >= 2 &&
	       strcmp(create->v[1], "create") == 0;
}

/* <engine> create FLAGS... -> <engine> run --detach FLAGS... */
static struct rt_argv run_argv(struct arena *a, const struct rt_argv *create)
{
	struct rt_argv run = { arena_alloc(a, (create->n + 2) * sizeof(*run.v)), create->n + 1 };
	run.v[0] = create->v[0];
	run.v[1] = "run";
	run.v[2] = "--detach";
	memcpy(&run.v[3], &create->v[2], (create->n - 2) * sizeof(*run.v));
	run.v[run.n] = NULL;
	return run;
}

/* Run container c: the scheduler counts it as created before the call,
 * so that an interruption during it stops what the engine made of it. */
static int up_run(struct up *u, size_t c)
{
	struct rt_argv run = run_argv(u->a, &u->s->containers[c].create);
	notify(u, RT_MS_CREATED);
	int rc = command(u->a, u->s->name, what_for(u, "run", c), &run, NULL, &u->out);
	u->running[c] = rc == 0;
	return rc;
}

/* File f into the created container c: a one-file archive on the stdin of
 * f's `<engine> cp - NAME:/`. */
static int copy_in(struct up *u, size_t c, const struct rt_copy *f)
{
	const char *what = what_for(u, arena_printf(u->a, "copy /%s", f->path), c);
	struct strbuf tar = STRBUF_INIT;
	if (rt_tar_one(&tar, f->path, f->mode, f->uid, f->gid, f->content, strlen(f->content), (long long)time(NULL))) {
		sb_release(&tar);
		sb_reset(&u->out);
		sb_addf(&u->out, "composec-run: cannot archive /%s (a path too long, or uid %s, gid %s not numbers)\n",
			f->path, f->uid, f->gid);
		rt_progress(u->s->name, what, rt_now(), "failed", &u->out);
		return 1;
	}
	double began = rt_now();
	sb_reset(&u->out);
	int rc = rt_run_bytes(&f->argv, tar.buf, tar.len, &u->out);
	sb_release(&tar);
	rt_progress(u->s->name, what, began, rc ? failure(u->a, rc) : "ok", rc && !rt_interrupted ? &u->out : NULL);
	return rc;
}

/* Container c: reuse it, or remove it (when it exists) and create it (or
 * run it). */
static int up_create(struct up *u, size_t c)
{
	const struct rt_container *ct = &u->s->containers[c];
	double began = rt_now();
	const char *state = u->seen[c];
	u->exists[c] = state != NULL;
	u->running[c] = state && strcmp(state, "running") == 0;
	u->reused[c] = u->exists[c] && !u->o->force_recreate && u->st.definition &&
		       strcmp(u->st.definition, u->s->definition) == 0;
	if (u->reused[c]) {
		rt_progress(u->s->name, what_for(u, "container", c), began,
			    u->running[c] ? "reused (running, unchanged)" : "reused (unchanged)", NULL);
		return 0;
	}
	int rc = u->exists[c] ? command(u->a, u->s->name, what_for(u, "remove", c), &ct->remove, NULL, &u->out) : 0;
	if (rc)
		return rc;
	u->running[c] = false;
	if (runs_at_create(u, c))
		return up_run(u, c);
	rc = command(u->a, u->s->name, what_for(u, "create", c), &ct->create, NULL, &u->out);
	for (size_t i = 0; !rc && i < ct->connect.n; i++) /* before the first start */
		rc = command(u->a, u->s->name, what_for(u, arena_printf(u->a, "connect %zu", i + 1), c), &ct->connect.v[i],
			     NULL, &u->out);
	for (size_t i = 0; !rc && i < ct->copy.n; i++) /* the configs and secrets docker compose copies in */
		rc = copy_in(u, c, &ct->copy.v[i]);
	return rc;
}

static int up_containers(struct up *u)
{
	bool recreated = false;
	for (size_t c = 0; c < u->s->n_containers; c++) {
		int rc = up_create(u, c);
		if (rc)
			return rc;
		recreated |= !u->reused[c];
	}
	if (recreated)
		rt_state_forget(&u->st);
	u->st.definition = u->s->definition;
	save_state(u);
	notify(u, RT_MS_CREATED);
	return 0;
}

/* Steps run while the service's containers [from, to) are stopped. */
static int stop_running(struct up *u, size_t from, size_t to)
{
	for (size_t c = from; c < to; c++) {
		if (!u->running[c])
			continue;
		int rc = command(u->a, u->s->name, what_for(u, "stop before pre_start", c), &u->s->containers[c].stop,
				 NULL, &u->out);
		if (rc)
			return rc;
		u->running[c] = false;
	}
	return 0;
}

/* The steps of one scope; the containers [from, to) must not run meanwhile. */
static int up_steps(struct up *u, const struct rt_steps *steps, const char *scope, size_t from, size_t to)
{
	for (size_t i = 0; i < steps->n; i++) {
		const struct rt_step *st = &steps->v[i];
		const char *what = to - from == 1 ? what_for(u, st->label, from) : st->label;
		if (rt_state_get(&u->st, scope, st->hash) == RT_STEP_OK) {
			rt_progress(u->s->name, what, rt_now(), "skipped (succeeded before, unchanged)", NULL);
			continue;
		}
		int rc = stop_running(u, from, to);
		if (!rc)
			rc = command(u->a, u->s->name, what, &st->argv, NULL, &u->out);
		rt_state_set(&u->st, scope, st->hash, rc ? RT_STEP_FAILED : RT_STEP_OK);
		save_state(u);
		if (rc)
			return rc;
	}
	return 0;
}

static int up_start(struct up *u, size_t c)
{
	const struct rt_container *ct = &u->s->containers[c];
	int rc = up_steps(u, &ct->pre_start, ct->name, c, c + 1);
	if (!rc && !u->running[c]) /* run, or reused running and no step stopped it */
		rc = command(u->a, u->s->name, what_for(u, "start", c), &ct->start, NULL, &u->out);
	for (size_t i = 0; !rc && i < ct->post_start.n; i++)
		rc = command(u->a, u->s->name, what_for(u, arena_printf(u->a, "post_start %zu", i + 1), c),
			     &ct->post_start.v[i], NULL, &u->out);
	return rc;
}

/* One look at the health: 1 healthy, 0 not yet, -1 unhealthy. */
static int health_look(struct up *u, const struct rt_health *h)
{
	int rc = probe(&h->argv, &u->out);
	if (h->check == RT_CHECK_EXIT_STATUS)
		return rc == 0;
	const char *s = answer(u->a, &u->out);
	return rc == 0 && strcmp(s, "healthy") == 0 ? 1 : rc == 0 && strcmp(s, "unhealthy") == 0 ? -1 : 0;
}

static int wait_healthy(struct up *u, size_t c)
{
	const struct rt_container *ct = &u->s->containers[c];
	const struct rt_health *h = &ct->health;
	const char *what = what_for(u, "healthy", c);
	double began = rt_now();
	if (!h->present) {
		rt_progress(u->s->name, what, began, "FAILED (no healthcheck, and a dependent waits for health)",
			    NULL);
		return 1;
	}
	for (;;) {
		int look = health_look(u, h);
		if (look > 0 || rt_interrupted) {
			rt_progress(u->s->name, what, began, look > 0 ? "ok" : "interrupted", NULL);
			return look > 0 ? 0 : 1;
		}
		double spent = rt_now() - began;
		if (look < 0 || spent * 1000 >= (double)h->deadline_ms) {
			const char *why = look < 0 ? "FAILED (unhealthy)"
						   : arena_printf(u->a, "FAILED (not healthy after %.0fs)", spent);
			rt_progress(u->s->name, what, began, why, &u->out);
			return 1;
		}
		rt_sleep_ms(h->poll_ms);
	}
}

static int wait_completed(struct up *u, size_t c)
{
	const struct rt_container *ct = &u->s->containers[c];
	double began = rt_now();
	sb_reset(&u->out);
	int rc = rt_run(&ct->completion, NULL, &u->out);
	const char *code = answer(u->a, &u->out);
	bool ok = rc == 0 && strcmp(code, "0") == 0;
	const char *result = ok ? "ok" : rt_interrupted ? "interrupted"
				 : rc ? failure(u->a, rc)
				      : arena_printf(u->a, "FAILED (the container exited with %s)", code);
	rt_progress(u->s->name, what_for(u, "completed", c), began, result, ok || rt_interrupted ? NULL : &u->out);
	return ok ? 0 : 1;
}

static int up_waits(struct up *u, unsigned needs)
{
	static const struct {
		unsigned bit;
		int (*wait)(struct up *u, size_t c);
		char milestone;
	} waits[] = {
		{ 1u << RT_COND_HEALTHY, wait_healthy, RT_MS_HEALTHY },
		{ 1u << RT_COND_COMPLETED, wait_completed, RT_MS_COMPLETED },
	};
	for (size_t w = 0; w < ARRAY_SIZE(waits); w++) {
		if (!(needs & waits[w].bit))
			continue;
		for (size_t c = 0; c < u->s->n_containers; c++)
			if (waits[w].wait(u, c))
				return 1;
		notify(u, waits[w].milestone);
	}
	return 0;
}

static int service_up(struct up *u, unsigned needs)
{
	size_t n = u->s->n_containers;
	int rc = up_build(u);
	if (!rc)
		rc = up_bind_dirs(u);
	if (!rc)
		rc = up_containers(u);
	if (!rc)
		rc = up_steps(u, &u->s->pre_start, "-", 0, n);
	for (size_t c = 0; !rc && c < n; c++)
		rc = up_start(u, c);
	if (rc)
		return rc;
	notify(u, RT_MS_STARTED);
	return up_waits(u, needs);
}

int rt_service_up(const struct rt_plan *p, size_t i, const struct rt_opts *o, unsigned needs, int notify_fd)
{
	struct arena a;
	arena_init(&a);
	const struct rt_service *s = &p->svc[i];
	size_t n = s->n_containers + 1;
	struct up u = { .a = &a, .p = p, .s = s, .o = o, .notify_fd = notify_fd, .out = STRBUF_INIT };
	u.seen = o->seen->state[i];
	u.exists = arena_alloc(&a, n * sizeof(bool));
	u.running = arena_alloc(&a, n * sizeof(bool));
	u.reused = arena_alloc(&a, n * sizeof(bool));
	rt_state_load(&u.st, &a, o->state_dir, s->name);
	int rc = service_up(&u, needs);
	sb_release(&u.out);
	arena_release(&a);
	return rc == 0 ? RT_WORKER_OK : rt_interrupted ? RT_WORKER_INTERRUPTED : RT_WORKER_FAILED;
}

/* ---- stop, down, ps --------------------------------------------------------------------- */

/* pre_stop hooks (a failing one is reported, not fatal) and stop. */
static int stop_container(struct arena *a, const struct rt_service *s, const struct rt_container *ct,
			  struct strbuf *out)
{
	for (size_t i = 0; i < ct->pre_stop.n; i++)
		command(a, s->name, arena_printf(a, "pre_stop %zu %s", i + 1, ct->name), &ct->pre_stop.v[i], NULL,
			out);
	return command(a, s->name, arena_printf(a, "stop %s", ct->name), &ct->stop, NULL, out) ? 1 : 0;
}

/* For each container (last first) that status finds: stop it when it
 * runs; then tell the scheduler that the service stopped, so that its
 * dependencies may stop while its containers are removed (when `remove`).
 * Returns a worker exit code. */
static int stop_or_down(const struct rt_plan *p, const struct rt_opts *o, size_t i, bool remove, int notify_fd)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	const struct rt_service *s = &p->svc[i];
	int failed = 0;
	char stopped = RT_MS_STOPPED;
	arena_init(&a);
	bool *exists = arena_alloc(&a, (s->n_containers + 1) * sizeof(bool));
	for (size_t c = s->n_containers; c-- > 0;) {
		const struct rt_container *ct = &s->containers[c];
		const char *state = o->seen->state[i][c];
		exists[c] = state != NULL;
		/* down: a stop that fails is said, and the removal (rm -f) that
		 * follows decides, as docker compose's down ends with the
		 * containers gone (podman 4.3 refuses to stop a container its
		 * restart policy is restarting at that moment) */
		if (state && strcmp(state, "running") == 0 && stop_container(&a, s, ct, &out) && !remove)
			failed = 1;
	}
	if (write(notify_fd, &stopped, 1) != 1)
		rt_say(true, "%s: cannot report to the scheduler", s->name);
	for (size_t c = s->n_containers; remove && c-- > 0;) {
		const struct rt_container *ct = &s->containers[c];
		/* down --volumes: the container's anonymous volumes go too */
		const struct rt_argv *rm = o->volumes && ct->remove_volumes.v ? &ct->remove_volumes : &ct->remove;
		if (exists[c])
			failed |= command(&a, s->name, arena_printf(&a, "remove %s", ct->name), rm, NULL, &out) != 0;
	}
	sb_release(&out);
	arena_release(&a);
	return failed ? RT_WORKER_FAILED : RT_WORKER_OK;
}

int rt_service_stop(const struct rt_plan *p, const struct rt_opts *o, size_t i, int notify_fd)
{
	return stop_or_down(p, o, i, false, notify_fd);
}

int rt_service_down(const struct rt_plan *p, const struct rt_opts *o, size_t i, int notify_fd)
{
	return stop_or_down(p, o, i, true, notify_fd);
}

/* "2/2 ok", "1/2 ok, 1 failed", "-" */
static const char *steps_summary(struct arena *a, const struct rt_state *st, const struct rt_service *s,
				 const struct rt_container *ct)
{
	const struct rt_steps *scopes[] = { &s->pre_start, &ct->pre_start };
	size_t total = 0, ok = 0, failed = 0;
	for (size_t k = 0; k < ARRAY_SIZE(scopes); k++)
		for (size_t i = 0; i < scopes[k]->n; i++) {
			enum rt_step_result r = rt_state_get(st, k ? ct->name : "-", scopes[k]->v[i].hash);
			total++;
			ok += r == RT_STEP_OK;
			failed += r == RT_STEP_FAILED;
		}
	if (!total)
		return "-";
	if (!failed)
		return arena_printf(a, "%zu/%zu ok", ok, total);
	return arena_printf(a, "%zu/%zu ok, %zu failed", ok, total, failed);
}

void rt_service_ps(const struct rt_plan *p, size_t i, const struct rt_opts *o)
{
	struct arena a;
	struct rt_state st;
	const struct rt_service *s = &p->svc[i];
	arena_init(&a);
	rt_state_load(&st, &a, o->state_dir, s->name);
	for (size_t c = 0; c < s->n_containers; c++) {
		const struct rt_container *ct = &s->containers[c];
		const char *state = o->seen->state[i][c];
		state = !state ? "absent" : *state ? state : "unknown";
		rt_say(false, "%-20s %-32s %-10s %s", s->name, ct->name, state, steps_summary(&a, &st, s, ct));
	}
	arena_release(&a);
}

/* ---- one look at everything ----------------------------------------------------------------- */

/* "NAME=VALUE" (docker writes "/NAME"): found[k] = VALUE when NAME is
 * names[k]; anything else (the engine's message about a missing one) is not
 * such a line. */
static void look_line(struct arena *a, const char *line, size_t len, const char **names, size_t n,
		      const char **found)
{
	if (len && *line == '/') {
		line++;
		len--;
	}
	const char *eq = memchr(line, '=', len);
	size_t name_len = eq ? (size_t)(eq - line) : 0;
	for (size_t k = 0; eq && k < n; k++)
		if (strlen(names[k]) == name_len && memcmp(names[k], line, name_len) == 0)
			found[k] = arena_strndup(a, eq + 1, len - name_len - 1);
}

/* `<engine> KIND inspect --format FORMAT NAMES...`, RT_LOOK_CHUNK names
 * at a time: a line for each that exists, a message for each that does
 * not (and a non-zero exit, which tells nothing more). */
static void look(struct arena *a, const char *engine, const char *kind, const char *format, const char **names,
		 size_t n, const char **found)
{
	struct strbuf out = STRBUF_INIT;
	for (size_t from = 0; from < n; from += RT_LOOK_CHUNK) {
		size_t m = n - from < RT_LOOK_CHUNK ? n - from : RT_LOOK_CHUNK;
		struct rt_argv argv = { arena_alloc(a, (m + 6) * sizeof(*argv.v)), m + 5 };
		memcpy(argv.v, (const char *[]){ engine, kind, "inspect", "--format", format }, 5 * sizeof(*argv.v));
		memcpy(&argv.v[5], &names[from], m * sizeof(*argv.v));
		sb_reset(&out);
		rt_run(&argv, NULL, &out);
		for (const char *l = out.buf; *l;) {
			size_t len = strcspn(l, "\r\n");
			look_line(a, l, len, &names[from], m, &found[from]);
			l += len + strspn(l + len, "\r\n");
		}
	}
	sb_release(&out);
}

/* The resources of one kind: seen->resource[r] for those that exist. */
static void look_resources(struct arena *a, const struct rt_plan *p, const char *kind, struct rt_seen *seen)
{
	const char **names = arena_alloc(a, (p->n_res + 1) * sizeof(*names));
	const char **found = arena_alloc(a, (p->n_res + 1) * sizeof(*found));
	size_t *index = arena_alloc(a, (p->n_res + 1) * sizeof(*index)), n = 0;
	for (size_t r = 0; r < p->n_res; r++)
		if (strcmp(p->res[r].kind, kind) == 0) {
			index[n] = r;
			names[n++] = p->res[r].name;
		}
	if (n)
		look(a, p->engine, kind, "{{.Name}}=exists", names, n, found);
	for (size_t k = 0; k < n; k++)
		seen->resource[index[k]] = found[k];
}

const struct rt_seen *rt_look(struct arena *a, const struct rt_plan *p, bool resources)
{
	struct rt_seen *seen = arena_alloc(a, sizeof(*seen));
	size_t total = 0;
	for (size_t i = 0; i < p->n_svc; i++)
		total += p->svc[i].n_containers;
	const char **names = arena_alloc(a, (total + 1) * sizeof(*names));
	const char **found = arena_alloc(a, (total + 1) * sizeof(*found));
	seen->state = arena_alloc(a, (p->n_svc + 1) * sizeof(*seen->state));
	for (size_t i = 0, k = 0; i < p->n_svc; k += p->svc[i++].n_containers) {
		seen->state[i] = &found[k];
		for (size_t c = 0; c < p->svc[i].n_containers; c++)
			names[k + c] = p->svc[i].containers[c].name;
	}
	look(a, p->engine, "container", "{{.Name}}={{.State.Status}}", names, total, found);
	if (resources) {
		seen->resource = arena_alloc(a, (p->n_res + 1) * sizeof(*seen->resource));
		look_resources(a, p, "network", seen);
		look_resources(a, p, "volume", seen);
	}
	return seen;
}

/* ---- resources ------------------------------------------------------------------------ */

/* exists, else create (or fail when external). */
static int resource_up(const struct rt_plan *p, const struct rt_opts *o, size_t i)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	const struct rt_resource *r = &p->res[i];
	int rc = 0;
	arena_init(&a);
	const char *who = arena_printf(&a, "%s %s", r->kind, r->name);
	double began = rt_now();
	if (o->seen->resource[i])
		rt_progress(who, "exists", began, "ok", NULL);
	else if (r->external) {
		rt_progress(who, "exists", began, "FAILED (external, and it does not exist)", NULL);
		rc = 1;
	} else
		rc = command(&a, who, "create", &r->create, NULL, &out) ? 1 : 0;
	sb_release(&out);
	arena_release(&a);
	return rc;
}

/* remove when it is ours and exists; volumes only with --volumes. */
static int resource_down(const struct rt_plan *p, const struct rt_opts *o, size_t i)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	const struct rt_resource *r = &p->res[i];
	int rc = 0;
	arena_init(&a);
	if (!r->external && (o->volumes || strcmp(r->kind, "volume") != 0) && o->seen->resource[i])
		rc = command(&a, arena_printf(&a, "%s %s", r->kind, r->name), "remove", &r->remove, NULL, &out) != 0;
	sb_release(&out);
	arena_release(&a);
	return rc;
}

/* The resources are independent of each other: all at once. */
int rt_resources_up(const struct rt_plan *p, const struct rt_opts *o)
{
	return rt_each(p, o, p->n_res, resource_up);
}

int rt_resources_down(const struct rt_plan *p, const struct rt_opts *o)
{
	return rt_each(p, o, p->n_res, resource_down);
}
