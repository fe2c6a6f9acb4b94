/*
 * plan.c - the plan backend (DESIGN.md §6 "Plan and runtime"): one JSON
 * file that composec-run (runtime/) executes.  The format is specified in
 * runtime/PLAN.md; this file is its only writer.
 *
 * Requires a validated project with its dependency order.  Provides
 * `plan.json`: the resources to create, then the services in dependency
 * order, each with its containers (one per replica) and, for every
 * container, the argv of each thing the runtime may do to it: status,
 * create, pre_start steps, start, post_start hooks, the health and
 * completion waits, pre_stop hooks, stop, remove.  The engine's command
 * lines come from runargs.h, as for the systemd and sh targets; every
 * string goes into the JSON through base/emit.h's escaper.  Choices:
 *  - argv[0] is the engine's name (or --engine-path): the runtime finds it
 *    on PATH with execvp, so a fake engine first on PATH records the calls.
 *  - Containers are created detached (`create` then `start`), so restarts
 *    are the engine's: `restart`/`deploy.restart_policy` become --restart.
 *  - Each pre_start step carries pre_start_hash() of its definition, and
 *    each service a hash of its create/build argvs: the runtime's rule for
 *    skipping steps and reusing containers (PLAN.md) rests on the two.
 *  - Step containers have no name: `run --rm` removes them, and one that a
 *    killed runtime left behind cannot block the next run with "name in
 *    use".  `remove` names one container: podman 4.3's `rm -f A B` removes
 *    nothing when B does not exist.
 *  - Health: podman runs a check on demand (`healthcheck run`, exit 0 when
 *    healthy: its timers need systemd), docker reports the status its own
 *    checks found (`inspect --format {{.State.Health.Status}}`).
 */
#include "backends/backend.h"
#include "backends/runargs.h"
#include "base/emit.h"

#include <string.h>

#define STOP_TIMEOUT_DEFAULT 10 /* seconds, the engines' default for stop -t */
#define HEALTH_POLL_MAX_MS 1000


struct pl {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct plan *plan;
	const struct backend_options *o;
	const char *engine; /* argv[0] of every command */
	struct emit e;
};

/* ---- argv --------------------------------------------------------------------- */

/* <engine> w1 w2 ... (NULL-terminated words) */
static struct strvec cmd(struct pl *pl, const char *const *words)
{
	struct strvec v = { 0 };
	strvec_push(&v, pl->a, pl->engine);
	for (; *words; words++)
		strvec_push(&v, pl->a, *words);
	return v;
}

static void append(struct pl *pl, struct strvec *v, const struct strvec *more)
{
	for (size_t i = 0; i < more->n; i++)
		strvec_push(v, pl->a, more->v[i]);
}

/* <engine> followed by what a runargs builder wrote */
static struct strvec with_engine(struct pl *pl, const struct strvec *args)
{
	struct strvec v = cmd(pl, (const char *const[]){ NULL });
	append(pl, &v, args);
	return v;
}

static void emit_argv(struct pl *pl, const struct strvec *v)
{
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < v->n; i++)
		emit_str(&pl->e, v->v[i]);
	emit_seq_end(&pl->e);
}

static void key_argv(struct pl *pl, const char *key, const struct strvec *v)
{
	emit_key(&pl->e, key);
	if (v)
		emit_argv(pl, v);
	else
		emit_null(&pl->e);
}

static void key_str(struct pl *pl, const char *key, const char *s)
{
	emit_key(&pl->e, key);
	if (s)
		emit_str(&pl->e, s);
	else
		emit_null(&pl->e);
}

static void key_int(struct pl *pl, const char *key, long long v)
{
	emit_key(&pl->e, key);
	emit_int(&pl->e, v);
}

static const char *hex64(struct pl *pl, uint64_t h)
{
	char *hex = arena_alloc(pl->a, 17);
	hex16(hex, h);
	return hex;
}

/* ---- resources ------------------------------------------------------------------ */

static void emit_resource(struct pl *pl, const struct resource *r)
{
	const char *kind = r->kind == RES_NETWORK ? "network" : "volume";
	struct strvec exists = cmd(pl, (const char *const[]){ kind, "inspect", r->name, NULL });
	struct strvec remove = cmd(pl, (const char *const[]){ kind, "rm", r->name, NULL });
	struct strvec args = { 0 };
	if (r->kind == RES_NETWORK)
		run_args_network_create(pl->a, pl->p, r, pl->o->engine, &args);
	else
		run_args_volume_create(pl->a, pl->p, r, &args);
	struct strvec create = with_engine(pl, &args);
	emit_map_begin(&pl->e);
	key_str(pl, "kind", kind);
	key_str(pl, "key", r->key);
	key_str(pl, "name", r->name);
	emit_key(&pl->e, "external");
	emit_bool(&pl->e, r->external);
	key_argv(pl, "exists", &exists);
	key_argv(pl, "create", r->external ? NULL : &create);
	key_argv(pl, "remove", r->external ? NULL : &remove);
	emit_map_end(&pl->e);
}

static void emit_resources(struct pl *pl)
{
	static const enum resource_kind kinds[] = { RES_NETWORK, RES_VOLUME };
	emit_key(&pl->e, "resources");
	emit_seq_begin(&pl->e);
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		const bool *used = project_resources_used(pl->p, kinds[k], pl->a);
		for (size_t i = 0; i < pl->p->n_res[kinds[k]]; i++)
			if (used[i])
				emit_resource(pl, pl->p->res[kinds[k]][i]);
	}
	emit_seq_end(&pl->e);
}

/* ---- service parts ------------------------------------------------------------------- */

/* Where a create argv gets compose's config-hash label: the definition
 * hash, which covers the argvs (but compose's labels, this one among
 * them), is known once they all are. */
static const char HASH_PLACEHOLDER[] = "--label=" LABEL_CONFIG_HASH "=";

/* <engine> create --name=NAME --label=<hash> [--restart=P] FLAGS IMAGE COMMAND */
static struct strvec create_argv(struct pl *pl, const struct service *s, int replica, const char *name)
{
	struct strvec argv = cmd(pl, (const char *const[]){ "create", NULL }), flags = { 0 }, image = { 0 };
	run_args_service(pl->a, pl->d, pl->plan, s, replica, replica == 1, &flags, &image);
	strvec_push(&argv, pl->a, arena_printf(pl->a, "--name=%s", name));
	strvec_push(&argv, pl->a, HASH_PLACEHOLDER); /* the definition hash, once known */
	const char *restart = run_arg_restart(pl->a, &plan_service(pl->plan, s)->restart);
	if (restart)
		strvec_push(&argv, pl->a, restart);
	append(pl, &argv, &flags);
	append(pl, &argv, &image);
	return argv;
}

/* The build: {image, exists, argv, stdin}.  A dockerfile_inline goes to
 * the build's stdin, with --file=- before the context (runargs puts the
 * context last). */
static struct strvec build_argv(struct pl *pl, const struct service *s)
{
	struct strvec args = { 0 }, argv = cmd(pl, (const char *const[]){ NULL });
	run_args_build(pl->a, pl->plan, s, &args);
	for (size_t i = 0; i < args.n; i++) {
		if (i + 1 == args.n && s->build.dockerfile_inline)
			strvec_push(&argv, pl->a, "--file=-");
		strvec_push(&argv, pl->a, args.v[i]);
	}
	return argv;
}

static void emit_build(struct pl *pl, const struct service *s, const struct strvec *argv)
{
	emit_key(&pl->e, "build");
	if (!argv) {
		emit_null(&pl->e);
		return;
	}
	const char *image = plan_image_name(pl->a, pl->p, s);
	struct strvec exists = cmd(pl, (const char *const[]){ "image", "inspect", image, NULL });
	emit_map_begin(&pl->e);
	key_str(pl, "image", image);
	key_argv(pl, "exists", &exists);
	key_argv(pl, "argv", argv);
	key_str(pl, "stdin", s->build.dockerfile_inline);
	emit_map_end(&pl->e);
}

/* "<len>:<word>;", as sb_addf("%zu:%s;") wrote it, without a format to
 * read for each of the thousands of words. */
static void ser_word(struct strbuf *sb, const char *w)
{
	size_t len = strlen(w);
	sb_addu(sb, len);
	sb_addc(sb, ':');
	sb_add(sb, w, len);
	sb_addc(sb, ';');
}

/* Definition of a service: its build and create argvs, length-prefixed,
 * without compose's labels (run_args_compose_label). */
static uint64_t definition_hash(const struct strvec *build, const struct strvec *creates, size_t n,
			       const struct plan_file *files, size_t nfiles)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "composec service v1;");
	for (size_t i = 0; build && i < build->n; i++) {
		sb_addc(&sb, 'B');
		ser_word(&sb, build->v[i]);
	}
	for (size_t c = 0; c < n; c++) {
		size_t words = 0;
		for (size_t i = 0; i < creates[c].n; i++)
			words += !run_args_compose_label(creates[c].v[i]);
		sb_addc(&sb, 'C');
		sb_addu(&sb, words);
		sb_addc(&sb, ';');
		for (size_t i = 0; i < creates[c].n; i++)
			if (!run_args_compose_label(creates[c].v[i]))
				ser_word(&sb, creates[c].v[i]);
	}
	for (size_t i = 0; i < nfiles; i++) { /* a changed file makes new containers */
		sb_addc(&sb, 'F');
		ser_word(&sb, files[i].path);
		sb_addu(&sb, (size_t)files[i].mode);
		sb_addc(&sb, ';');
		ser_word(&sb, files[i].uid ? files[i].uid : "0");
		ser_word(&sb, files[i].gid ? files[i].gid : "0");
		ser_word(&sb, files[i].content);
	}
	uint64_t h = hash_fnv1a(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

static void emit_depends(struct pl *pl, const struct service *s)
{
	emit_key(&pl->e, "depends_on");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		if (!dep->target)
			continue;
		emit_map_begin(&pl->e);
		key_str(pl, "service", dep->service);
		key_str(pl, "condition", dep_condition_names[dep->condition]);
		emit_key(&pl->e, "required");
		emit_bool(&pl->e, dep->required);
		emit_map_end(&pl->e);
	}
	emit_seq_end(&pl->e);
}

/* A template's step without per_replica runs once for the service, as in
 * the systemd backend. */
static bool step_shared(const struct service *s, size_t i)
{
	return s->replicas != 1 && s->pre_start[i].per_replica != TRI_TRUE;
}

/* The steps of one scope: shared ones (container NULL) or a container's. */
static void emit_steps(struct pl *pl, const struct service *s, const char *container)
{
	emit_key(&pl->e, "pre_start");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < s->n_pre_start; i++) {
		if (step_shared(s, i) != !container)
			continue;
		struct strvec args = { 0 };
		run_args_pre_start(pl->a, pl->plan, s, i, NULL, &args);
		struct strvec argv = with_engine(pl, &args);
		emit_map_begin(&pl->e);
		key_str(pl, "label", arena_printf(pl->a, "pre_start %zu", i + 1));
		key_str(pl, "hash", hex64(pl, pre_start_hash(&s->pre_start[i])));
		key_argv(pl, "argv", &argv);
		emit_map_end(&pl->e);
	}
	emit_seq_end(&pl->e);
}

static void emit_hooks(struct pl *pl, const char *key, const struct hook *hooks, size_t n, const char *container)
{
	emit_key(&pl->e, key);
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < n; i++) {
		struct strvec args = { 0 };
		run_args_exec_hook(pl->a, &hooks[i], container, &args);
		struct strvec argv = with_engine(pl, &args);
		emit_argv(pl, &argv);
	}
	emit_seq_end(&pl->e);
}

static bool has_health(const struct pl *pl, const struct service *s)
{
	const struct healthcheck *hc = &s->healthcheck;
	if (hc->present)
		return !hc->disable && hc->test_kind != HC_TEST_NONE;
	return plan_service(pl->plan, s)->waited & PLAN_WAITED_HEALTHY; /* the image's own check */
}

/* How often to look: the interval (the start interval while starting)
 * but at least once a second, so that a slow interval does not delay
 * dependents; the check runs on demand with podman anyway. */
static long long poll_ms(const struct healthcheck *hc, const struct plan_health *ph)
{
	int64_t every = ph->interval;
	if (hc->start_interval != IR_UNSET && ph->start_interval < every)
		every = ph->start_interval;
	long long ms = (long long)(every / 1000);
	return ms < 1 ? 1 : ms > HEALTH_POLL_MAX_MS ? HEALTH_POLL_MAX_MS : ms;
}

static void emit_health(struct pl *pl, const struct service *s, const char *container)
{
	emit_key(&pl->e, "health");
	if (!has_health(pl, s)) {
		emit_null(&pl->e);
		return;
	}
	const struct healthcheck *hc = &s->healthcheck;
	bool podman = pl->o->engine == ENGINE_PODMAN;
	struct strvec argv =
		podman ? cmd(pl, (const char *const[]){ "healthcheck", "run", container, NULL })
		       : cmd(pl, (const char *const[]){ "inspect", "--format", "{{.State.Health.Status}}", container, NULL });
	const struct plan_health *ph = &plan_service(pl->plan, s)->health;
	int64_t interval = ph->interval / 1000;
	int64_t timeout = ph->timeout / 1000;
	int64_t retries = ph->retries;
	int64_t start = ph->start_period / 1000;
	emit_map_begin(&pl->e);
	key_argv(pl, "argv", &argv);
	key_str(pl, "check", podman ? "exit_status" : "health_status");
	key_int(pl, "interval_ms", (long long)interval);
	key_int(pl, "timeout_ms", (long long)timeout);
	key_int(pl, "retries", (long long)retries);
	key_int(pl, "start_period_ms", (long long)start);
	key_int(pl, "poll_ms", poll_ms(hc, ph));
	key_int(pl, "deadline_ms", (long long)((plan_health_bound(ph) + PLAN_WAIT_ALLOWANCE) / 1000));
	emit_map_end(&pl->e);
}

/* "connect": the `network connect` argvs between create and start on an
 * engine that takes one network at create (run_args_connects); optional
 * in the plan, absent when there are none. */
static void emit_connects(struct pl *pl, const struct service *s, const char *name, bool warn)
{
	size_t n;
	struct strvec *connects = run_args_connects(pl->a, warn ? pl->d : NULL, pl->plan, s, name, &n);
	if (!n)
		return;
	emit_key(&pl->e, "connect");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < n; i++) {
		struct strvec argv = with_engine(pl, &connects[i]);
		emit_argv(pl, &argv);
	}
	emit_seq_end(&pl->e);
}

/* "copy": the configs and secrets written inline or from the environment,
 * each an archive of one file the runtime gives to `<engine> cp - NAME:/`
 * between create and start, as docker compose copies them (plan_files,
 * with the cp option that gives compose's ownership); optional in the
 * plan, absent when there are none. */
static void emit_copies(struct pl *pl, const char *name, const struct plan_file *files,
			size_t n)
{
	if (!n)
		return;
	emit_key(&pl->e, "copy");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < n; i++) {
		const struct plan_file *f = &files[i];
		const char *opt = f->cp_option;
		const char *to = arena_concat(pl->a, name, ":/", (const char *)NULL);
		struct strvec argv = opt ? cmd(pl, (const char *const[]){ "cp", opt, "-", to, NULL })
					 : cmd(pl, (const char *const[]){ "cp", "-", to, NULL });
		emit_map_begin(&pl->e);
		key_argv(pl, "argv", &argv);
		key_str(pl, "path", f->path + 1);
		key_int(pl, "mode", (long long)f->mode);
		key_str(pl, "uid", f->uid ? f->uid : "0");
		key_str(pl, "gid", f->gid ? f->gid : "0");
		key_str(pl, "content", f->content);
		emit_map_end(&pl->e);
	}
	emit_seq_end(&pl->e);
}

static void emit_container(struct pl *pl, const struct service *s, const char *name, const struct strvec *create,
			   bool first, const struct plan_file *files, size_t nfiles)
{
	struct strvec status = cmd(pl, (const char *const[]){ "container", "inspect", "--format",
							     "{{.State.Status}}", name, NULL });
	struct strvec start = cmd(pl, (const char *const[]){ "start", name, NULL });
	struct strvec wait = cmd(pl, (const char *const[]){ "wait", name, NULL });
	int64_t grace = s->stop_grace_period == IR_UNSET ? STOP_TIMEOUT_DEFAULT : s->stop_grace_period / IR_USEC_PER_SEC;
	struct strvec stop = cmd(pl, (const char *const[]){ "stop", "-t", arena_printf(pl->a, "%lld", (long long)grace),
							   name, NULL });
	struct strvec remove = cmd(pl, (const char *const[]){ "rm", "-f", name, NULL });
	/* down --volumes: its anonymous volumes too, as docker compose down -v */
	struct strvec remove_volumes = cmd(pl, (const char *const[]){ "rm", "-f", "-v", name, NULL });
	emit_map_begin(&pl->e);
	key_str(pl, "name", name);
	key_argv(pl, "status", &status);
	key_argv(pl, "create", create);
	emit_connects(pl, s, name, first);
	emit_copies(pl, name, files, nfiles);
	emit_steps(pl, s, name);
	key_argv(pl, "start", &start);
	emit_hooks(pl, "post_start", s->post_start, s->n_post_start, name);
	emit_health(pl, s, name);
	key_argv(pl, "completion", &wait);
	emit_hooks(pl, "pre_stop", s->pre_stop, s->n_pre_stop, name);
	key_argv(pl, "stop", &stop);
	key_argv(pl, "remove", &remove);
	key_argv(pl, "remove_volumes", &remove_volumes);
	emit_map_end(&pl->e);
}

/* "decided": what the plan layer decided for the service (plan.h), for
 * people and tools to read; the runtime acts on the argvs, not on this.
 * restart: the engine's policy ("" for none) and its retry count; health:
 * the effective healthcheck in ms (null without a written one); depends_on:
 * each edge with what is waited for, whether it must be reached, whether
 * restarts are tied, and the wait's bound in ms (0: none). */
static void emit_decided(struct pl *pl, const struct service *s)
{
	const struct plan_service *ps = plan_service(pl->plan, s);
	emit_key(&pl->e, "decided");
	emit_map_begin(&pl->e);
	const char *word = plan_restart_word(&ps->restart);
	key_str(pl, "restart", word ? word : "");
	key_int(pl, "restart_max_retries", ps->restart.max_retries == IR_UNSET ? 0 : (long long)ps->restart.max_retries);
	emit_key(&pl->e, "health");
	if (ps->health.written && !ps->health.disabled) {
		emit_map_begin(&pl->e);
		key_int(pl, "interval_ms", (long long)(ps->health.interval / 1000));
		key_int(pl, "timeout_ms", (long long)(ps->health.timeout / 1000));
		key_int(pl, "start_period_ms", (long long)(ps->health.start_period / 1000));
		key_int(pl, "start_interval_ms", (long long)(ps->health.start_interval / 1000));
		key_int(pl, "retries", (long long)ps->health.retries);
		key_int(pl, "unhealthy_within_ms", (long long)(plan_health_bound(&ps->health) / 1000));
		emit_map_end(&pl->e);
	} else {
		emit_null(&pl->e);
	}
	emit_key(&pl->e, "depends_on");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		emit_map_begin(&pl->e);
		key_str(pl, "service", e->target->name);
		key_str(pl, "wait", dep_condition_names[e->wait]);
		emit_key(&pl->e, "required");
		emit_bool(&pl->e, e->required);
		emit_key(&pl->e, "restart");
		emit_bool(&pl->e, e->restart);
		key_int(pl, "bound_ms", (long long)(e->bound / 1000));
		emit_map_end(&pl->e);
	}
	emit_seq_end(&pl->e);
	emit_map_end(&pl->e);
}

static void emit_service(struct pl *pl, const struct service *s)
{
	size_t n = s->replicas > 0 ? (size_t)s->replicas : 0;
	const char **names = arena_alloc(pl->a, (n + 1) * sizeof(*names));
	struct strvec *creates = arena_alloc(pl->a, (n + 1) * sizeof(*creates));
	for (size_t i = 0; i < n; i++) {
		names[i] = plan_container_name(pl->a, pl->p, s, (int)i + 1);
		creates[i] = create_argv(pl, s, (int)i + 1, names[i]);
	}
	struct strvec build = { 0 };
	if (s->build.present)
		build = build_argv(pl, s);
	size_t nfiles;
	struct plan_file *files = plan_files(pl->a, pl->d, pl->plan, s, &nfiles);
	emit_map_begin(&pl->e);
	key_str(pl, "name", s->name);
	uint64_t def = definition_hash(s->build.present ? &build : NULL, creates, n, files, nfiles);
	const char *label = run_args_hash_label(pl->a, def);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < creates[i].n; k++)
			if (creates[i].v[k] == HASH_PLACEHOLDER)
				creates[i].v[k] = label;
	key_str(pl, "definition", hex64(pl, def));
	emit_decided(pl, s);
	const struct strlist *dirs = &plan_service(pl->plan, s)->bind_dirs;
	struct strvec bind_dirs = { 0 };
	for (size_t i = 0; i < dirs->n; i++)
		strvec_push(&bind_dirs, pl->a, dirs->v[i]);
	if (bind_dirs.n) /* optional in the plan: runtime/PLAN.md */
		key_argv(pl, "bind_dirs", &bind_dirs);
	emit_depends(pl, s);
	emit_build(pl, s, s->build.present ? &build : NULL);
	emit_steps(pl, s, NULL);
	emit_key(&pl->e, "containers");
	emit_seq_begin(&pl->e);
	for (size_t i = 0; i < n; i++)
		emit_container(pl, s, names[i], &creates[i], i == 0, files, nfiles);
	emit_seq_end(&pl->e);
	emit_map_end(&pl->e);
}

static int emit_plan(struct arena *a, struct diag *d, const struct plan *plan,
			const struct backend_options *o, struct fileset *out)
{
	const struct project *p = plan->project;
	struct strbuf sb = STRBUF_INIT;
	struct pl pl = { .a = a, .d = d, .p = p, .plan = plan, .o = o };
	pl.engine = o->engine_path ? o->engine_path : engine_names[o->engine];
	emit_init(&pl.e, &sb, EMIT_JSON);
	emit_map_begin(&pl.e);
	key_int(&pl, "composec_plan", 1);
	key_str(&pl, "comment", BACKEND_GENERATED_MARK "; run it with composec-run (runtime/PLAN.md)");
	key_str(&pl, "project", p->name);
	key_str(&pl, "engine", engine_names[o->engine]);
	emit_resources(&pl);
	emit_key(&pl.e, "services");
	emit_seq_begin(&pl.e);
	/* what a service needs while it is written (argv, names, hashes) is
	 * scratch, reused from one service to the next */
	struct arena scratch;
	arena_init(&scratch);
	arena_alloc(&scratch, 1);
	struct arena_mark mark = arena_mark(&scratch);
	pl.a = &scratch;
	for (size_t i = 0; i < p->n_services; i++) {
		emit_service(&pl, p->order[i]);
		arena_rewind(&scratch, mark);
		fileset_stream(out, &sb);
	}
	pl.a = a;
	arena_release(&scratch);
	emit_seq_end(&pl.e);
	emit_map_end(&pl.e);
	emit_release(&pl.e);
	return fileset_take(out, "plan.json", 0644, &sb);
}

const struct backend backend_plan = {
	.name = "plan",
	.output = OUTPUT_FILE,
	.emit = emit_plan,
	.one_host = true,
	.copies_files = true,
};
