/*
 * audit_explain.c - "what it will do": the start order with every wait and
 * lifecycle step, and, per backend that is built, what that backend will
 * not express.  The latter runs each backend's emit into a scratch file
 * set with a scratch diagnostics sink that holds each message as a record
 * and keeps its warnings and errors: a backend reports exactly what it
 * drops, so the audit never keeps its own list of gaps.  What gets
 * created and what is published are read from the project directly by the
 * formatters.
 */
#include "audit/audit_internal.h"

#include "base/emit.h"

#include <stdlib.h>
#include <string.h>

const char *const explain_step_names[STEP__MAX] = { "wait", "pre_start", "start", "post_start" };

/* Every backend the audit asks, in the order the report lists them;
 * those that are not built are skipped. */
static const char *const backend_names[] = { "systemd", "quadlet", "sh", "k8s", "plan" };

struct steps {
	struct explain_step *v;
	size_t n;
};

static void step(struct audit_ctx *c, struct steps *st, enum explain_step_kind kind, size_t index, const char *fmt,
		 ...) PRINTF_LIKE(5, 6);
static void step(struct audit_ctx *c, struct steps *st, enum explain_step_kind kind, size_t index, const char *fmt,
		 ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	st->v = arena_grow(c->a, st->v, st->n * sizeof(*st->v), (st->n + 1) * sizeof(*st->v));
	st->v[st->n++] = (struct explain_step){ kind, index, sb_to_arena(&sb, c->a) };
	sb_release(&sb);
}

/* A command as the argv the engine receives: ["a", "b"]. */
static const char *command_text(struct audit_ctx *c, const struct command *cmd, const char *unset)
{
	if (cmd->kind == CMD_UNSET)
		return unset;
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	for (size_t i = 0; i < cmd->argv.n; i++) {
		if (i)
			sb_adds(&sb, ", ");
		json_escape_string(&sb, cmd->argv.v[i]);
	}
	sb_addc(&sb, ']');
	const char *r = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return r;
}

static const char *user_text(struct audit_ctx *c, const char *user)
{
	return user ? arena_printf(c->a, "user %s", audit_q(c, user)) : "the image's default user";
}

/* The waits the plan layer decided (its depends_on edges to enabled
 * services). */
static void add_waits(struct audit_ctx *c, const struct plan_service *ps, struct steps *st)
{
	static const char *const what[DEP__MAX] = { "to start", "to be healthy", "to complete successfully" };
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		step(c, st, STEP_WAIT, 0, "%s %s%s%s", audit_q(c, e->target->name), what[e->wait],
		     e->required ? "" : " (if it is started at all)",
		     e->dep->implicit ? " (implied by links, volumes_from or a shared namespace)" : "");
	}
}

static void add_hooks(struct audit_ctx *c, const struct service *s, const struct hook *h, size_t n,
		      enum explain_step_kind kind, struct steps *st)
{
	for (size_t i = 0; i < n; i++) {
		const char *user = h[i].user;
		if (!user && (kind != STEP_PRE_START || h[i].image_inherited))
			user = s->user;
		const char *where = kind == STEP_PRE_START
					    ? arena_printf(c->a, " in a new container of image %s", audit_q(c, h[i].image ? h[i].image : ""))
					    : " in the service's container";
		step(c, st, kind, i + 1, "%s%s as %s%s", command_text(c, &h[i].command, "(no command)"), where,
		     user_text(c, user), h[i].privileged == TRI_TRUE ? ", privileged" : "");
	}
}

static void add_start(struct audit_ctx *c, const struct service *s, struct steps *st)
{
	const char *from = s->build.present ? arena_printf(c->a, "the image built from %s", audit_q(c, s->build.context))
					    : arena_printf(c->a, "image %s", audit_q(c, s->image ? s->image : ""));
	const char *cmd = s->command.kind == CMD_UNSET ? "the image's command"
						       : arena_printf(c->a, "command %s", command_text(c, &s->command, ""));
	step(c, st, STEP_START, 0, "%s, %s, as %s%s%s", from, cmd, user_text(c, s->user),
	     s->privileged == TRI_TRUE ? ", privileged" : "",
	     s->replicas > 1 ? arena_printf(c->a, ", %lld replicas", (long long)s->replicas) : "");
}

/* The start order and waits as the plan layer decides them, for the
 * engine and version the audit is asked about (the plan is indexed in
 * start order). */
static void build_order(struct audit_ctx *c)
{
	const struct project *p = c->p;
	struct explain *e = &c->r->explain;
	const struct backend_options *bo = &c->o->backend;
	struct plan_options po = { .engine = bo->engine,
				   .engine_version = bo->engine == ENGINE_PODMAN ? bo->podman_version : bo->docker_version };
	struct plan pl;
	struct diag scratch; /* what one engine cannot run is each backend's to say */
	diag_init(&scratch, c->a);
	scratch.hold = true;
	int rc = p->order ? plan_build(c->a, &scratch, p, &po, &pl) : -1;
	diag_release(&scratch);
	e->order = arena_alloc(c->a, (p->n_services + 1) * sizeof(*e->order));
	for (size_t i = 0; rc == 0 && i < p->n_services; i++) {
		const struct plan_service *ps = &pl.svc[i];
		const struct service *s = ps->s;
		struct steps st = { 0 };
		add_waits(c, ps, &st);
		add_hooks(c, s, s->pre_start, s->n_pre_start, STEP_PRE_START, &st);
		add_start(c, s, &st);
		add_hooks(c, s, s->post_start, s->n_post_start, STEP_POST_START, &st);
		e->order[e->n_order++] = (struct explain_service){ s, st.v, st.n };
	}
}

/* ---- what each backend will not express ----------------------------------------- */

/* Each message the backend reports, kept as a record (a held sink): its
 * level, location and text as reported, never parsed back from a printed
 * line. */
static void run_backend(struct audit_ctx *c, const struct backend *b, struct explain_backend *out)
{
	struct diag scratch;
	struct fileset fs;
	diag_init(&scratch, c->a);
	scratch.hold = true;
	fileset_init(&fs, c->a);
	backend_run(c->a, &scratch, b, c->p, &c->o->backend, &fs);
	out->name = b->name;
	for (size_t i = 0; i < scratch.held.n; i++) {
		const struct diag_record *h = scratch.held.v[i];
		if (h->lvl < DIAG_WARNING)
			continue;
		struct explain_loss l = { .level = h->lvl };
		struct strbuf text = STRBUF_INIT;
		diag_escape_text(&text, h->text);
		l.message = sb_to_arena(&text, c->a);
		sb_release(&text);
		if (h->loc.file && h->loc.line > 0) {
			/* as a message prints it: a column of at least 1 */
			l.loc = (struct loc){ h->loc.file, h->loc.line, h->loc.col > 0 ? h->loc.col : 1 };
			l.file = audit_project_path(c, l.loc.file);
		} else if (h->loc.file) {
			l.file = l.loc.file = h->loc.file;
		}
		out->losses = arena_grow(c->a, out->losses, out->n_losses * sizeof(l), (out->n_losses + 1) * sizeof(l));
		out->losses[out->n_losses++] = l;
	}
	diag_release(&scratch);
}

static void build_losses(struct audit_ctx *c)
{
	struct explain *e = &c->r->explain;
	e->backends = arena_alloc(c->a, ARRAY_SIZE(backend_names) * sizeof(*e->backends));
	for (size_t i = 0; i < ARRAY_SIZE(backend_names); i++) {
		const struct backend *b = backend_find(backend_names[i]);
		if (b)
			run_backend(c, b, &e->backends[e->n_backends++]);
	}
}

void audit_build_explain(struct audit_ctx *c)
{
	build_order(c);
	build_losses(c);
}
