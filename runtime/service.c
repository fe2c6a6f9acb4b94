/*
 * service.c - what one service goes through, command by command: its
 * bring-up (run in a worker process by sched.c), its stop, its removal,
 * its line in `ps`; and the resources before and after all services.
 *
 * Every command that changes something gets one progress line with its
 * duration; probes (status, exists) only inform the next line.  A failing
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

#include <string.h>
#include <unistd.h>

struct up {
	struct arena *a;
	const struct rt_plan *p;
	const struct rt_service *s;
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

/* Container c: reuse it, or remove it (when it exists) and create it. */
static int up_create(struct up *u, size_t c)
{
	const struct rt_container *ct = &u->s->containers[c];
	double began = rt_now();
	int rc = probe(&ct->status, &u->out);
	u->exists[c] = rc == 0;
	u->running[c] = rc == 0 && strcmp(answer(u->a, &u->out), "running") == 0;
	u->reused[c] = u->exists[c] && !u->o->force_recreate && u->st.definition &&
		       strcmp(u->st.definition, u->s->definition) == 0;
	if (u->reused[c]) {
		rt_progress(u->s->name, what_for(u, "container", c), began,
			    u->running[c] ? "reused (running, unchanged)" : "reused (unchanged)", NULL);
		return 0;
	}
	if (u->exists[c] && (rc = command(u->a, u->s->name, what_for(u, "remove", c), &ct->remove, NULL, &u->out)))
		return rc;
	u->running[c] = false;
	return command(u->a, u->s->name, what_for(u, "create", c), &ct->create, NULL, &u->out);
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
	if (!rc)
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
 * runs, then remove it when `remove`. */
static int stop_or_down(const struct rt_plan *p, size_t i, bool remove)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	const struct rt_service *s = &p->svc[i];
	int failed = 0;
	arena_init(&a);
	for (size_t c = s->n_containers; c-- > 0;) {
		const struct rt_container *ct = &s->containers[c];
		if (probe(&ct->status, &out) != 0)
			continue;
		if (strcmp(answer(&a, &out), "running") == 0)
			failed |= stop_container(&a, s, ct, &out);
		if (remove)
			failed |= command(&a, s->name, arena_printf(&a, "remove %s", ct->name), &ct->remove, NULL,
					  &out) != 0;
	}
	sb_release(&out);
	arena_release(&a);
	return failed;
}

int rt_service_stop(const struct rt_plan *p, size_t i)
{
	return stop_or_down(p, i, false);
}

int rt_service_down(const struct rt_plan *p, size_t i)
{
	return stop_or_down(p, i, true);
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
	struct strbuf out = STRBUF_INIT;
	struct rt_state st;
	const struct rt_service *s = &p->svc[i];
	arena_init(&a);
	rt_state_load(&st, &a, o->state_dir, s->name);
	for (size_t c = 0; c < s->n_containers; c++) {
		const struct rt_container *ct = &s->containers[c];
		const char *state = probe(&ct->status, &out) == 0 ? answer(&a, &out) : "absent";
		rt_say(false, "%-20s %-32s %-10s %s", s->name, ct->name, *state ? state : "unknown",
		       steps_summary(&a, &st, s, ct));
	}
	sb_release(&out);
	arena_release(&a);
}

/* ---- resources ------------------------------------------------------------------------ */

int rt_resources_up(const struct rt_plan *p)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	int rc = 0;
	arena_init(&a);
	for (size_t i = 0; i < p->n_res && !rc && !rt_interrupted; i++) {
		const struct rt_resource *r = &p->res[i];
		const char *who = arena_printf(&a, "%s %s", r->kind, r->name);
		double began = rt_now();
		if (probe(&r->exists, &out) == 0)
			rt_progress(who, "exists", began, "ok", NULL);
		else if (r->external) {
			rt_progress(who, "exists", began, "FAILED (external, and it does not exist)", &out);
			rc = 1;
		} else
			rc = command(&a, who, "create", &r->create, NULL, &out) ? 1 : 0;
	}
	sb_release(&out);
	arena_release(&a);
	return rc;
}

int rt_resources_down(const struct rt_plan *p, bool volumes)
{
	struct arena a;
	struct strbuf out = STRBUF_INIT;
	int rc = 0;
	arena_init(&a);
	for (size_t i = p->n_res; i-- > 0;) {
		const struct rt_resource *r = &p->res[i];
		if (r->external || (!volumes && strcmp(r->kind, "volume") == 0) || probe(&r->exists, &out) != 0)
			continue;
		rc |= command(&a, arena_printf(&a, "%s %s", r->kind, r->name), "remove", &r->remove, NULL, &out) != 0;
	}
	sb_release(&out);
	arena_release(&a);
	return rc;
}
