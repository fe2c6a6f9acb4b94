/*
 * systemd.c - the systemd backend (DESIGN.md §6 "systemd units"): one
 * service unit per compose service that runs the container in the
 * foreground with `<engine> run --rm`, oneshot units that create the
 * networks and volumes and build the images, and `<project>.target`, which
 * wants every service.
 *
 * Requires a validated project (names match [a-zA-Z0-9._-], dependency
 * targets resolved).  Provides a sorted file set in which every compose
 * string went through escape.h.  Choices, and why:
 *  - depends_on (DESIGN.md §6a, as docker compose does it): Wants= plus
 *    After=, and PartOf= with restart: true; never Requires=, which
 *    restarts a dependent whenever systemd restarts its dependency, also
 *    after a crash.  The dependent waits for its dependency itself, in
 *    ExecStartPre= sh loops bounded by their own count and by
 *    TimeoutStartSec=: until every container of it runs (service_started;
 *    the dependency's unit is active as soon as `run` is forked), is
 *    healthy (service_healthy; failing on "unhealthy" as compose does;
 *    podman runs the check itself with `healthcheck run`, which needs none
 *    of its timers), or until its oneshot unit is active, that is its
 *    container exited 0 (service_completed_successfully).  A failed wait,
 *    or the dependency's unit not starting, fails the dependent only; the
 *    dependency keeps running.  required: false waits for nothing.  The
 *    loops ask `systemctl ${XDG_RUNTIME_DIR:+--user}`: a user manager gives
 *    its services XDG_RUNTIME_DIR, the system manager does not.
 *  - replicas != 1: a template `<project>-<service>@.service`; the target
 *    wants instances 1..N and the container is `<project>-<service>-%i`.
 *  - pre_start steps (a template's without per_replica) run once, in the
 *    oneshot `<project>-<service>-pre-start.service` that the service's
 *    unit (every instance) requires: Restart= does not run them again, as
 *    the engine's restart does not in docker compose.  Units with steps
 *    have TimeoutStartSec=infinity: a step runs to completion, as compose
 *    runs it.  post_start hooks exec into the
 *    container, which for Type=simple may not exist yet when
 *    ExecStartPost= starts: a bounded loop waits until it runs.
 *  - Restart=: the engines never give up on always/unless-stopped/
 *    on-failure, so those get StartLimitIntervalSec=0 and RestartSec=1s
 *    (a crash loop never ends in a permanently failed unit); on-failure:N
 *    allows N restarts (StartLimitBurst=N+1).
 *  - `<engine> stop` makes `run` exit 143 (128+SIGTERM) for most programs:
 *    SuccessExitStatus= lists it (and the stop_signal's status), so that a
 *    stop is not a failure.
 *  - configs and secrets written inline or taken from the environment
 *    (plan_files): the unit creates the container, copies them in with
 *    <project>-<service>.files.sh beside it (%Y), then starts it attached,
 *    as docker compose creates, copies and starts; the script, not an
 *    Exec*= line (anyone's to read over D-Bus), holds the contents.
 *  - Unit names: compose names are already valid unit-name characters and
 *    are used as written (systemd-escape would write '-' as \x2d, which only
 *    matters for names that must map back to paths).
 */
#include "backends/backend.h"
#include "backends/unitplan.h"
#include "backends/escape.h"
#include "backends/runargs.h"

#include <stdlib.h>
#include <string.h>

#define STOP_TIMEOUT_DEFAULT 10 /* seconds, the engines' default for stop -t */
#define STOP_MARGIN 30          /* TimeoutStopSec= above the engine's stop timeout */
#define RUNNING_WAIT 300        /* seconds a post_start hook waits for its container */
#define WAIT_MARGIN 30          /* TimeoutStartSec= above a wait loop's own bound */
#define UNIT_NAME_MAX 255
/* Where a template unit's container name holds the instance (%i).  Only
 * arguments this file builds (names, wait scripts) are searched for it. */
#define INSTANCE_MARK (RUN_ARGS_INSTANCE[0])



/* How a service unit's start job completes: what After= on it waits for. */
enum start_mode {
	START_SIMPLE,  /* the fork of `run`; dependents wait for what they need */
	START_ONESHOT, /* the container exited 0 (service_completed_successfully) */
};

struct sd {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct plan *plan;
	const struct backend_options *o;
	struct fileset *out;
	const char *engine; /* absolute path of the engine binary */
	const char *target; /* <project>.target */
	bool failed;
};

/* One service's unit being written. */
struct svc {
	const struct service *s;
	enum start_mode mode;
	bool tmpl;
	bool shared_steps;    /* template with a <base>-pre-start.service */
	const char *base;     /* "<project>-<service>" */
	const char *unit;     /* the file name: base + ".service" or "@.service" */
	const char *name;     /* container name, INSTANCE_MARK for %i */
	struct ptrvec marked; /* arguments that may hold INSTANCE_MARK */
};

/* ---- names --------------------------------------------------------------------- */

/* "<project>-<name><suffix>" (escape.h) */
static const char *unit_name(struct sd *sd, const char *name, const char *suffix)
{
	return unit_base_name(sd->a, sd->p->name, name, suffix);
}

static const char *resource_unit(struct sd *sd, const struct resource *r)
{
	return unit_name(sd, r->key, r->kind == RES_NETWORK ? "-network.service" : "-volume.service");
}

/* The units that run service s: base.service, or base@1..N.service. */
static void service_units(struct sd *sd, const struct service *s, struct strvec *out)
{
	if (s->replicas == 1) {
		strvec_push(out, sd->a, unit_name(sd, s->name, ".service"));
		return;
	}
	for (int64_t i = 1; i <= s->replicas; i++)
		strvec_push(out, sd->a,
			    arena_printf(sd->a, "%s@%lld.service", unit_name(sd, s->name, ""), (long long)i));
}

/* ---- writing lines -------------------------------------------------------------- */

static void push_unique(struct sd *sd, struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return;
	strvec_push(v, sd->a, s);
}

static void push_all(struct sd *sd, struct strvec *v, const struct strvec *from)
{
	for (size_t i = 0; i < from->n; i++)
		push_unique(sd, v, from->v[i]);
}

/* Key=a b c for a list of unit names (which need no quoting). */
static void add_list(struct strbuf *sb, const char *key, const struct strvec *v)
{
	if (!v->n)
		return;
	sb_adds(sb, key);
	sb_addc(sb, '=');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			sb_addc(sb, ' ');
		systemd_value(sb, v->v[i]);
	}
	sb_addc(sb, '\n');
}

/* The first lines of every file: the generated mark and where it comes
 * from.  `what` is built from names and never ends in a backslash, so the
 * comment cannot continue onto the next line. */
static void add_header(struct sd *sd, struct strbuf *sb, struct loc loc, const char *what)
{
	sb_addf(sb, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n# ", sd->p->name);
	if (loc.file) {
		systemd_value(sb, loc.file);
		if (loc.line)
			sb_addf(sb, ":%d:%d", loc.line, loc.col);
		sb_adds(sb, ": ");
	}
	sb_adds(sb, what);
	sb_addc(sb, '\n');
}

static bool is_marked(const struct svc *sv, const char *arg)
{
	for (size_t i = 0; sv && i < sv->marked.n; i++)
		if (sv->marked.v[i] == arg)
			return true;
	return false;
}

/* One Exec argument.  In a template unit, INSTANCE_MARK in an argument
 * this file built becomes the %i specifier, which must not be escaped. */
static void add_exec_arg(const struct svc *sv, struct strbuf *sb, const char *arg)
{
	if (!sv || !sv->tmpl || !is_marked(sv, arg)) {
		systemd_exec_arg(sb, arg);
		return;
	}
	struct strbuf piece = STRBUF_INIT, esc = STRBUF_INIT;
	sb_addc(sb, '"');
	for (const char *c = arg;; c++) {
		if (*c && *c != INSTANCE_MARK) {
			sb_addc(&piece, *c);
			continue;
		}
		sb_reset(&esc);
		systemd_exec_arg(&esc, piece.buf);
		sb_add(sb, esc.buf + 1, esc.len - 2); /* without its quotes */
		sb_reset(&piece);
		if (!*c)
			break;
		sb_adds(sb, "%i");
	}
	sb_addc(sb, '"');
	sb_release(&piece);
	sb_release(&esc);
}

/* Key=<prefix>argv... */
static void add_exec(const struct svc *sv, struct strbuf *sb, const char *key, const char *prefix,
		     const struct strvec *argv)
{
	sb_adds(sb, key);
	sb_addc(sb, '=');
	sb_adds(sb, prefix);
	for (size_t i = 0; i < argv->n; i++) {
		if (i)
			sb_addc(sb, ' ');
		add_exec_arg(sv, sb, argv->v[i]);
	}
	sb_addc(sb, '\n');
}

static void add_file(struct sd *sd, const char *path, struct loc loc, const struct strbuf *sb)
{
	if (strlen(path) <= UNIT_NAME_MAX && fileset_add(sd->out, path, 0644, sb) == 0)
		return;
	diag_error(sd->d, loc, "cannot write unit \"%s\": not a valid unit file name, or another unit has that name",
		   path);
	sd->failed = true;
}

/* ---- argument vectors ------------------------------------------------------------ */

static struct strvec engine_argv(struct sd *sd)
{
	struct strvec v = { 0 };
	strvec_push(&v, sd->a, sd->engine);
	return v;
}

static void push_words(struct sd *sd, struct strvec *v, const char *const *words)
{
	for (; *words; words++)
		strvec_push(v, sd->a, *words);
}

static void append(struct sd *sd, struct strvec *v, const struct strvec *more)
{
	for (size_t i = 0; i < more->n; i++)
		strvec_push(v, sd->a, more->v[i]);
}

/* <engine> <w1> <w2> <container> */
static struct strvec engine_on_container(struct sd *sd, struct svc *sv, const char *w1, const char *w2)
{
	struct strvec v = engine_argv(sd);
	strvec_push(&v, sd->a, w1);
	if (w2)
		strvec_push(&v, sd->a, w2);
	strvec_push(&v, sd->a, sv->name);
	return v;
}

/* /bin/sh -c SCRIPT; the script is marked, as it may name the container. */
static struct strvec shell_argv(struct sd *sd, struct svc *sv, const struct strbuf *script)
{
	struct strvec v = { 0 };
	const char *text = sb_to_arena(script, sd->a);
	push_words(sd, &v, (const char *const[]){ "/bin/sh", "-c", NULL });
	strvec_push(&v, sd->a, text);
	if (sv)
		ptrvec_push(&sv->marked, sd->a, (void *)text);
	return v;
}

/* ---- dependencies ---------------------------------------------------------------- */

struct deps {
	struct strvec requires, wants, part_of, after;
};

/* depends_on -> Wants= and After=, PartOf= with restart: true.  Not
 * Requires=: systemd restarts (and stops) a unit's Requires= dependents
 * when it restarts it, also by Restart= after a crash, where the engine's
 * restart of a dependency leaves docker compose's dependents running.
 * Whether the dependency started, is healthy or completed is waited for by
 * the dependent itself (add_dep_waits), which fails alone when it is not,
 * as in docker compose.  PartOf= gives restart: true's restart of the
 * dependent when the dependency's unit is restarted, by systemctl or, a
 * limit of systemd (docker compose does not), by Restart=. */
static void collect_dependencies(struct sd *sd, const struct service *s, struct deps *dp)
{
	const struct plan_service *ps = plan_service(sd->plan, s);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		struct strvec units = { 0 };
		service_units(sd, e->target, &units);
		push_all(sd, &dp->wants, &units);
		if (e->restart)
			push_all(sd, &dp->part_of, &units);
		push_all(sd, &dp->after, &units);
	}
}

/* Require the unit of resource r; an external one has none, a comment
 * says so (once). */
static void use_resource(struct sd *sd, const struct resource *r, struct deps *dp, struct strvec *external)
{
	if (!r->external) {
		push_unique(sd, &dp->requires, resource_unit(sd, r));
		push_unique(sd, &dp->after, resource_unit(sd, r));
		return;
	}
	struct strbuf note = STRBUF_INIT;
	sb_adds(&note, r->kind == RES_NETWORK ? "# external network " : "# external volume ");
	systemd_value(&note, r->name);
	sb_adds(&note, ": it must exist before this unit starts\n");
	push_unique(sd, external, sb_to_arena(&note, sd->a));
	sb_release(&note);
}

/* The network and volume units s uses; comments on external ones. */
static void collect_resources(struct sd *sd, const struct service *s, struct deps *dp, struct strvec *external)
{
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct resource *r = project_resource(sd->p, RES_NETWORK, s->networks[i].name);
		if (r)
			use_resource(sd, r, dp, external);
	}
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		const struct resource *r = m->type == MOUNT_VOLUME && m->source
						   ? project_resource(sd->p, RES_VOLUME, m->source)
						   : NULL;
		if (r)
			use_resource(sd, r, dp, external);
	}
}

/* Units every unit running the engine orders after: the docker daemon
 * (itself after network-online.target); podman has no daemon, so units
 * that may pull wait for the network themselves, as Quadlet's do. */
static void engine_order(struct sd *sd, struct deps *dp, bool pulls)
{
	if (sd->o->engine == ENGINE_DOCKER) {
		push_unique(sd, &dp->after, "docker.service");
		push_unique(sd, &dp->after, "docker.socket");
	} else if (pulls) {
		push_unique(sd, &dp->wants, "network-online.target");
		push_unique(sd, &dp->after, "network-online.target");
	}
}

static void add_deps(struct strbuf *sb, const struct deps *dp)
{
	add_list(sb, "Requires", &dp->requires);
	add_list(sb, "Wants", &dp->wants);
	add_list(sb, "PartOf", &dp->part_of);
	add_list(sb, "After", &dp->after);
}

/* ---- restart --------------------------------------------------------------------- */

/* The exit status of `run` when the container died of the stop signal. */
static int stop_signal_status(const char *sig)
{
	static const char *const names[] = { "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
					     "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM" };
	if (!sig)
		return 0;
	if (str_has_prefix(sig, "SIG"))
		sig += 3;
	char *end;
	long n = strtol(sig, &end, 10);
	if (*sig && !*end)
		return n > 0 && n < 64 ? 128 + (int)n : 0;
	for (size_t i = 1; i < ARRAY_SIZE(names); i++)
		if (strcmp(names[i], sig) == 0)
			return 128 + (int)i;
	return 0;
}

/* ---- health and running waits ------------------------------------------------------ */

/* Whole seconds of a plan edge's bound. */
static int64_t edge_seconds(const struct plan_edge *e)
{
	return (e->bound + IR_USEC_PER_SEC - 1) / IR_USEC_PER_SEC;
}

/* Seconds a dependent waits for its dependencies at most: a start (the
 * pull and the creation of the container), or the time health takes. */
static int64_t dep_wait_seconds(const struct sd *sd, const struct service *s)
{
	const struct plan_service *ps = plan_service(sd->plan, s);
	int64_t max = 0;
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		if (e->wait != DEP_COMPLETED && edge_seconds(e) > max)
			max = edge_seconds(e);
	}
	return max;
}

/* <engine> inspect -f FORMAT <container> 2>/dev/null, sh-quoted */
static void add_inspect(struct sd *sd, struct svc *sv, struct strbuf *sb, const char *format)
{
	sh_quote(sb, sd->engine);
	sb_adds(sb, " inspect -f ");
	sh_quote(sb, format);
	sb_addc(sb, ' ');
	sh_quote(sb, sv->name);
	sb_adds(sb, " 2>/dev/null");
}

/* ExecStartPre=<prefix>/bin/sh -c '<wait>': until container (of unit) is
 * running or healthy within bound, or the unit of a completed dependency
 * is active (exited 0).  prefix "-": its failure does not fail the unit. */
static void add_dep_wait(struct sd *sd, struct strbuf *sb, enum dep_condition cond, int64_t bound,
			 const char *container, const char *unit, const char *prefix)
{
	struct strbuf script = STRBUF_INIT;
	unit_wait_script(sd->a, &script, sd->engine, sd->o->engine, cond, bound, container, unit);
	struct strvec argv = shell_argv(sd, NULL, &script);
	add_exec(NULL, sb, "ExecStartPre", prefix, &argv);
	sb_release(&script);
}

/* ExecStartPre= lines that hold the service back until each dependency
 * is what its condition asks: every container running (service_started)
 * or healthy (service_healthy), bounded; the unit of a
 * service_completed_successfully dependency (a oneshot) active, that is
 * exited 0.  A wait that fails fails this unit only: the dependency keeps
 * running, as docker compose leaves it (§6a).  A dependency that is not
 * required must have started all the same (docker compose's up stops at a
 * start that fails); its condition's wait may fail ("-"). */
static void add_dep_waits(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	const struct plan_service *ps = plan_service(sd->plan, sv->s);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		struct strvec units = { 0 };
		service_units(sd, e->target, &units);
		for (size_t k = 0; k < units.n; k++) {
			const char *container = plan_container_name(sd->a, sd->p, e->target, (int)k + 1);
			/* a dependency that is not required must still have
			 * started; only its condition may fail (plan.h) */
			if (!e->required && e->wait == DEP_HEALTHY)
				add_dep_wait(sd, sb, DEP_STARTED, PLAN_WAIT_ALLOWANCE, container, units.v[k], "");
			add_dep_wait(sd, sb, e->wait, e->bound, container, units.v[k],
				     e->required || e->wait == DEP_STARTED ? "" : "-");
		}
	}
}

/* ExecStartPost= that waits until the container runs: with Type=simple,
 * ExecStartPost= starts right after the fork of `run`, before the
 * container exists, and a post_start hook execs into it. */
static void add_running_wait(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	struct strbuf body = STRBUF_INIT, script = STRBUF_INIT;
	sb_adds(&body, "if [ \"$(");
	add_inspect(sd, sv, &body, "{{.State.Running}}");
	sb_adds(&body, ")\" = true ]; then exit 0; fi;");
	const char *what = arena_printf(sd->a, "%s is not running after %d seconds", sv->name, RUNNING_WAIT);
	unit_wait_loop(&script, body.buf, what, RUNNING_WAIT);
	struct strvec argv = shell_argv(sd, sv, &script);
	add_exec(sv, sb, "ExecStartPost", "", &argv);
	sb_release(&body);
	sb_release(&script);
}

/* ---- service units ---------------------------------------------------------------- */

/* What a oneshot unit (service_completed_successfully) cannot do: wait
 * for health, restart always (systemd refuses it: it becomes no), run
 * hooks in a container that has already exited. */
static void warn_mode_conflicts(struct sd *sd, const struct svc *sv, struct unit_restart *r)
{
	const struct service *s = sv->s;
	if (sv->mode != START_ONESHOT)
		return;
	if (plan_service(sd->plan, s)->waited & PLAN_WAITED_HEALTHY)
		diag_warning(sd->d, s->loc,
			     "service \"%s\" is waited for both to be healthy and to complete: its unit waits for "
			     "completion",
			     s->name);
	if (strcmp(r->policy, "always") == 0) {
		diag_warning(sd->d, s->restart_loc.file ? s->restart_loc : s->loc,
			     "service \"%s\": restart is ignored: a service waited for with "
			     "service_completed_successfully runs once (Type=oneshot allows on-failure only)",
			     s->name);
		r->policy = "no";
	}
	const struct hook *hooks[] = { s->n_post_start ? s->post_start : NULL, s->n_pre_stop ? s->pre_stop : NULL };
	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++)
		if (hooks[i])
			diag_warning(sd->d, hooks[i]->loc,
				     "service \"%s\": %s is ignored: the container of a service waited for with "
				     "service_completed_successfully has exited when it would run",
				     s->name, i ? "pre_stop" : "post_start");
}

/* Steps run in the service's oneshot <base>-pre-start.service, which the
 * service's unit requires: a restart of the service by Restart= does not
 * run them again (docker compose runs them when it creates the container,
 * not when the engine restarts it).  A template's per_replica steps run in
 * each instance instead (ExecStartPre=), and so again at each restart. */
static bool step_shared(const struct svc *sv, size_t i)
{
	return sv->s->replicas == 1 || sv->s->pre_start[i].per_replica != TRI_TRUE;
}

static size_t own_steps(const struct svc *sv)
{
	size_t n = 0;
	for (size_t i = 0; i < sv->s->n_pre_start; i++)
		n += !step_shared(sv, i);
	return n;
}


static void check_step_order(struct sd *sd, const struct svc *sv)
{
	bool per_replica_seen = false;
	for (size_t i = 0; i < sv->s->n_pre_start; i++) {
		if (!step_shared(sv, i)) {
			per_replica_seen = true;
			continue;
		}
		if (per_replica_seen)
			diag_warning(sd->d, sv->s->pre_start[i].loc,
				     "service \"%s\": pre_start step %zu runs once for all replicas, before the "
				     "per-replica steps listed above it",
				     sv->s->name, i + 1);
	}
}

static void svc_init(struct sd *sd, const struct service *s, struct svc *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->s = s;
	sv->tmpl = s->replicas != 1;
	sv->base = unit_name(sd, s->name, "");
	sv->unit = arena_printf(sd->a, "%s%s", sv->base, sv->tmpl ? "@.service" : ".service");
	sv->name = sv->tmpl ? arena_printf(sd->a, "%s-%s-%c", sd->p->name, s->name, INSTANCE_MARK)
			    : plan_container_name(sd->a, sd->p, s, 1);
	ptrvec_push(&sv->marked, sd->a, (void *)sv->name);
	if (plan_service(sd->plan, s)->waited & PLAN_WAITED_COMPLETED)
		sv->mode = START_ONESHOT;
	for (size_t i = 0; i < s->n_pre_start; i++)
		if (step_shared(sv, i))
			sv->shared_steps = true;
}

/* What every unit that runs for service s requires: its networks and
 * volumes, its build, its dependencies. */
static void service_requirements(struct sd *sd, const struct service *s, struct deps *dp, struct strvec *notes)
{
	collect_resources(sd, s, dp, notes);
	if (s->build.present) {
		push_unique(sd, &dp->requires, unit_name(sd, s->name, "-build.service"));
		push_unique(sd, &dp->after, unit_name(sd, s->name, "-build.service"));
	}
	collect_dependencies(sd, s, dp);
	engine_order(sd, dp, true);
}

static void add_service_unit_section(struct sd *sd, struct svc *sv, struct strbuf *sb, const struct unit_restart *r)
{
	struct deps dp = { 0 };
	struct strvec notes = { 0 };
	service_requirements(sd, sv->s, &dp, &notes);
	if (sv->shared_steps) {
		push_unique(sd, &dp.requires, unit_name(sd, sv->s->name, "-pre-start.service"));
		push_unique(sd, &dp.after, unit_name(sd, sv->s->name, "-pre-start.service"));
	}
	push_unique(sd, &dp.part_of, sd->target);
	for (size_t i = 0; i < notes.n; i++)
		sb_adds(sb, notes.v[i]);
	sb_adds(sb, "\n[Unit]\nDescription=");
	systemd_value(sb, arena_printf(sd->a, "%s: service %s", sd->p->name, sv->s->name));
	sb_adds(sb, sv->tmpl ? ", replica %i\n" : "\n");
	add_deps(sb, &dp);
	unit_start_limit(sb, r, own_steps(sv) > 0);
}

static int64_t stop_seconds(const struct service *s)
{
	return s->stop_grace_period == IR_UNSET ? STOP_TIMEOUT_DEFAULT : s->stop_grace_period / IR_USEC_PER_SEC;
}

/* TimeoutStartSec= covers ExecStartPre= (pre_start steps: no limit; the
 * waits for dependencies: the longest bound) and the ExecStartPost= wait
 * for post_start hooks, plus a margin. */
static void add_timeouts(const struct sd *sd, const struct svc *sv, struct strbuf *sb)
{
	int64_t wait = sv->shared_steps ? 0 : dep_wait_seconds(sd, sv->s);
	if (sv->mode == START_SIMPLE && sv->s->n_post_start && wait < RUNNING_WAIT)
		wait = RUNNING_WAIT;
	if (sv->mode != START_ONESHOT && own_steps(sv))
		sb_adds(sb, "TimeoutStartSec=infinity\n");
	else if (wait)
		sb_addf(sb, "TimeoutStartSec=%llds\n", (long long)(wait + WAIT_MARGIN));
	sb_addf(sb, "TimeoutStopSec=%llds\n", (long long)(stop_seconds(sv->s) + STOP_MARGIN));
}

/* Restart=, RestartSec= (1s unless given: the engines back off, systemd's
 * 100ms would spin), and the exit statuses of a stopped container. */
static void add_restart(const struct svc *sv, struct strbuf *sb, const struct unit_restart *r)
{
	sb_addf(sb, "Restart=%s\n", r->policy);
	if (unit_restarts(r))
		unit_restart_sec(sb, r);
	if (sv->mode == START_ONESHOT)
		return;
	int code = stop_signal_status(sv->s->stop_signal);
	if (code && code != 143 && code != 137)
		sb_addf(sb, "SuccessExitStatus=143 %d\n", code);
	else
		sb_adds(sb, "SuccessExitStatus=143\n");
}

/* The name of pre_start step i's container. */
static const char *step_name(struct sd *sd, struct svc *sv, size_t i)
{
	const char *name = arena_printf(sd->a, "%s-pre-start-%zu", sv->name, i + 1);
	ptrvec_push(&sv->marked, sd->a, (void *)name);
	return name;
}

/* Mark the arguments of v that runargs built from a name of this unit
 * (equal to `value`), so that its instance mark becomes %i. */
static void mark_equal(struct sd *sd, struct svc *sv, const struct strvec *v, const char *value)
{
	for (size_t i = 0; sv->tmpl && i < v->n; i++)
		if (strcmp(v->v[i], value) == 0)
			ptrvec_push(&sv->marked, sd->a, (void *)v->v[i]);
}

/* Key=<engine> run --rm --name=STEP ... of pre_start step i. */
static void add_step(struct sd *sd, struct svc *sv, struct strbuf *sb, const char *key, size_t i)
{
	struct strvec argv = engine_argv(sd), step = { 0 };
	const char *name = step_name(sd, sv, i);
	run_args_pre_start(sd->a, sd->plan, sv->s, i, name, &step);
	mark_equal(sd, sv, &step, arena_printf(sd->a, "--name=%s", name));
	append(sd, &argv, &step);
	add_exec(sv, sb, key, "", &argv);
}

static void add_rm(struct sd *sd, struct svc *sv, struct strbuf *sb, const char *key, const char *name)
{
	struct strvec argv = engine_argv(sd);
	push_words(sd, &argv, (const char *const[]){ "rm", "-f", name, NULL });
	add_exec(sv, sb, key, "-", &argv);
}

/* ExecStartPre=-<engine> rm -f NAME: leftovers of the container and of
 * the steps this unit runs, e.g. after a crash of the engine.  One name
 * per line: podman 4.3's `rm -f A B` removes nothing when B is missing. */
static void add_cleanup(struct sd *sd, struct svc *sv, struct strbuf *sb, const char *key, bool shared)
{
	if (!shared)
		add_rm(sd, sv, sb, key, sv->name);
	for (size_t i = 0; i < sv->s->n_pre_start; i++)
		if (step_shared(sv, i) == shared)
			add_rm(sd, sv, sb, key, step_name(sd, sv, i));
}

/* tty with stdin_open: `docker run -it` refuses to run without a terminal
 * ("the input device is not a TTY"), which a unit does not have, and the
 * unit would fail at every start; docker compose creates such a container
 * and starts it without one.  The unit runs it with --tty only (its stdin
 * is /dev/null anyway), and says so.  podman only warns. */
static void drop_interactive(struct sd *sd, const struct service *s, struct strvec *flags)
{
	if (sd->o->engine != ENGINE_DOCKER || s->tty != TRI_TRUE || s->stdin_open != TRI_TRUE)
		return;
	size_t n = 0;
	for (size_t i = 0; i < flags->n; i++)
		if (strcmp(flags->v[i], "--interactive") != 0)
			flags->v[n++] = flags->v[i];
	flags->n = n;
	flags->v[n] = NULL;
	diag_warning(sd->d, s->loc,
		     "service \"%s\": stdin_open with tty cannot be given to `docker run` in a unit, which has no "
		     "terminal (it refuses -it without one): the container runs with a tty and no open stdin",
		     s->name);
}

/* ExecStartPre=/bin/sh %Y/<base>.files.sh ENGINE CONTAINER, the script
 * beside the unit (%Y: the directory it is loaded from) that copies the
 * configs and secrets written inline or from the environment into the
 * created container (unitplan.h), and the script itself.  The contents
 * stay in that file: an Exec*= line is anyone's to read over D-Bus. */
static void add_copy(struct sd *sd, struct svc *sv, struct strbuf *sb, const struct plan_file *files, size_t n)
{
	const char *script = unit_files_script_name(sd->a, sd->p, sv->s);
	sb_adds(sb, "ExecStartPre=");
	systemd_exec_arg(sb, "/bin/sh");
	sb_addc(sb, ' ');
	unit_exec_path_arg(sb, "%Y/", script);
	sb_addc(sb, ' ');
	add_exec_arg(sv, sb, sd->engine);
	sb_addc(sb, ' ');
	add_exec_arg(sv, sb, sv->name);
	sb_addc(sb, '\n');
	struct strbuf text = STRBUF_INIT;
	unit_files_script(sd->a, sd->p, sv->s, files, n, UNIT_FILES_COPY, sv->unit, &text);
	add_file(sd, script, sv->s->loc, &text);
	sb_release(&text);
}

/* ExecStart=<engine> run --rm --name=NAME FLAGS IMAGE COMMAND */
static void add_run(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	struct strvec argv = engine_argv(sd), flags = { 0 }, image = { 0 };
	run_args_service(sd->a, sd->d, sd->plan, sv->s, sv->tmpl ? 0 : 1, true, &flags, &image);
	drop_interactive(sd, sv->s, &flags);
	/* only ours: compose's label wins, and the container's name is the
	 * first alias of each --network flag */
	for (size_t i = 0; sv->tmpl && i < flags.n; i++)
		if (strcmp(flags.v[i], RUN_ARGS_INSTANCE_LABEL) == 0 ||
		    (str_has_prefix(flags.v[i], "--network=") && strstr(flags.v[i], sv->name)))
			ptrvec_push(&sv->marked, sd->a, (void *)flags.v[i]);
	/* an engine that takes one network at create: created, connected to
	 * the others, then started attached (run_args_connects) */
	size_t n_connects;
	struct strvec *connects = run_args_connects(sd->a, sd->d, sd->plan, sv->s, sv->name, &n_connects);
	/* configs and secrets copied in between create and start (plan_files) */
	size_t n_files;
	struct plan_file *files = plan_files(sd->a, sd->d, sd->plan, sv->s, &n_files);
	bool split = n_connects || n_files;
	push_words(sd, &argv, (const char *const[]){ split ? "create" : "run", "--rm", NULL });
	const char *name_flag = arena_printf(sd->a, "--name=%s", sv->name);
	ptrvec_push(&sv->marked, sd->a, (void *)name_flag);
	strvec_push(&argv, sd->a, name_flag);
	/* compose's config-hash (plan.h): of what the container is made from */
	uint64_t h = hash_fnv1a("composec unit v1", 16);
	const struct strvec *parts[] = { &flags, &image };
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++)
		for (size_t i = 0; i < parts[p]->n; i++)
			if (!run_args_compose_label(parts[p]->v[i]))
				h = run_args_hash_text(h, parts[p]->v[i], sd->p->working_dir);
	h = unit_files_hash(h, files, n_files);
	strvec_push(&argv, sd->a, run_args_hash_label(sd->a, h));
	append(sd, &argv, &flags);
	append(sd, &argv, &image);
	if (!split) {
		add_exec(sv, sb, "ExecStart", "", &argv);
		return;
	}
	add_exec(sv, sb, "ExecStartPre", "", &argv);
	for (size_t i = 0; i < n_connects; i++) {
		struct strvec connect = engine_argv(sd);
		for (size_t k = 0; sv->tmpl && k < connects[i].n; k++)
			if (strchr(connects[i].v[k], INSTANCE_MARK))
				ptrvec_push(&sv->marked, sd->a, (void *)connects[i].v[k]);
		append(sd, &connect, &connects[i]);
		add_exec(sv, sb, "ExecStartPre", "", &connect);
	}
	if (n_files)
		add_copy(sd, sv, sb, files, n_files);
	struct strvec start = engine_argv(sd);
	push_words(sd, &start, (const char *const[]){ "start", "--attach", sv->name, NULL });
	add_exec(sv, sb, "ExecStart", "", &start);
}

/* One Key=<engine> exec ... line per hook. */
static void add_hooks(struct sd *sd, struct svc *sv, struct strbuf *sb, const char *key, const char *prefix,
		      const struct hook *hooks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strvec argv = engine_argv(sd), hook = { 0 };
		run_args_exec_hook(sd->a, &hooks[i], sv->name, &hook);
		mark_equal(sd, sv, &hook, sv->name);
		append(sd, &argv, &hook);
		add_exec(sv, sb, key, prefix, &argv);
	}
}

/* ExecStartPre=-/bin/mkdir -p DIR: the bind sources docker compose
 * creates when missing (plan.h); '-': an existing file is left to the
 * engine to report. */
static void add_bind_dirs(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	const struct strlist *l = &plan_service(sd->plan, sv->s)->bind_dirs;
	for (size_t i = 0; i < l->n; i++) {
		struct strvec argv = { 0 };
		push_words(sd, &argv, (const char *const[]){ PLAN_MKDIR, "-p", l->v[i], NULL });
		add_exec(NULL, sb, "ExecStartPre", "-", &argv);
	}
}

static void add_start_lines(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	const struct service *s = sv->s;
	if (!sv->shared_steps) /* else the pre-start unit waited */
		add_dep_waits(sd, sv, sb);
	add_bind_dirs(sd, sv, sb);
	add_cleanup(sd, sv, sb, "ExecStartPre", false);
	for (size_t i = 0; i < s->n_pre_start; i++)
		if (!step_shared(sv, i))
			add_step(sd, sv, sb, "ExecStartPre", i);
	add_run(sd, sv, sb);
	if (sv->mode == START_ONESHOT)
		return;
	if (s->n_post_start)
		add_running_wait(sd, sv, sb);
	add_hooks(sd, sv, sb, "ExecStartPost", "", s->post_start, s->n_post_start);
}

/* pre_stop hooks ('-': a failing hook does not keep the container
 * running), the engine's stop, and the removal of leftovers. */
static void add_stop_lines(struct sd *sd, struct svc *sv, struct strbuf *sb)
{
	if (sv->mode != START_ONESHOT) {
		add_hooks(sd, sv, sb, "ExecStop", "-", sv->s->pre_stop, sv->s->n_pre_stop);
		struct strvec argv = engine_argv(sd);
		push_words(sd, &argv, (const char *const[]){ "stop", "-t", NULL });
		strvec_push(&argv, sd->a, arena_printf(sd->a, "%lld", (long long)stop_seconds(sv->s)));
		strvec_push(&argv, sd->a, sv->name);
		add_exec(sv, sb, "ExecStop", "", &argv);
	}
	struct strvec rm = engine_on_container(sd, sv, "rm", "-f");
	add_exec(sv, sb, "ExecStopPost", "-", &rm);
}

static void add_service_section(struct sd *sd, struct svc *sv, struct strbuf *sb, const struct unit_restart *r)
{
	static const char *const types[] = { [START_SIMPLE] = "simple", [START_ONESHOT] = "oneshot" };
	sb_addf(sb, "\n[Service]\nType=%s\n", types[sv->mode]);
	if (sv->mode == START_ONESHOT)
		sb_adds(sb, "RemainAfterExit=yes\n");
	add_restart(sv, sb, r);
	add_timeouts(sd, sv, sb);
	add_start_lines(sd, sv, sb);
	add_stop_lines(sd, sv, sb);
}

static void emit_service(struct sd *sd, const struct service *s)
{
	struct svc sv;
	struct strbuf sb = STRBUF_INIT;
	struct unit_restart r = unit_restart_of(sd->plan, s);
	svc_init(sd, s, &sv);
	warn_mode_conflicts(sd, &sv, &r);
	check_step_order(sd, &sv);
	add_header(sd, &sb, s->loc,
		   arena_printf(sd->a, "service \"%s\"%s", s->name, sv.tmpl ? ", one instance per replica" : ""));
	if (sv.tmpl)
		sb_addf(&sb, "# %lld replicas: the target wants %s\n", (long long)s->replicas,
			s->replicas ? arena_printf(sd->a, "instances 1..%lld", (long long)s->replicas) : "none");
	add_service_unit_section(sd, &sv, &sb, &r);
	add_service_section(sd, &sv, &sb, &r);
	sb_adds(&sb, "\n[Install]\nWantedBy=");
	systemd_value(&sb, sd->target);
	sb_addc(&sb, '\n');
	add_file(sd, sv.unit, s->loc, &sb);
	sb_release(&sb);
}

/* ---- the other units ---------------------------------------------------------------- */

/* [Service] of a unit that runs once and then counts as active. */
static void add_oneshot(struct strbuf *sb)
{
	sb_adds(sb, "\n[Service]\nType=oneshot\nRemainAfterExit=yes\n");
}

/* <project>-<service>-pre-start.service: the service's pre_start steps
 * (a template's without per_replica), once before the service's unit or
 * any instance; steps run to completion (TimeoutStartSec=infinity). */
static void emit_shared_steps(struct sd *sd, const struct service *s)
{
	struct svc sv;
	struct deps dp = { 0 };
	struct strvec notes = { 0 };
	struct strbuf sb = STRBUF_INIT;
	svc_init(sd, s, &sv);
	if (!sv.shared_steps)
		return;
	sv.tmpl = false; /* no instance here: the steps' names have none */
	sv.name = arena_printf(sd->a, "%s-%s", sd->p->name, s->name);
	add_header(sd, &sb, s->loc,
		   arena_printf(sd->a, "pre_start steps of service \"%s\"%s", s->name,
				s->replicas != 1 ? ", once for all replicas" : ""));
	service_requirements(sd, s, &dp, &notes);
	push_unique(sd, &dp.part_of, sd->target);
	for (size_t i = 0; i < notes.n; i++)
		sb_adds(&sb, notes.v[i]);
	sb_adds(&sb, "\n[Unit]\nDescription=");
	systemd_value(&sb, arena_printf(sd->a, "%s: pre_start steps of service %s", sd->p->name, s->name));
	sb_addc(&sb, '\n');
	add_deps(&sb, &dp);
	add_oneshot(&sb);
	sb_adds(&sb, "TimeoutStartSec=infinity\n");
	add_dep_waits(sd, &sv, &sb);
	add_bind_dirs(sd, &sv, &sb);
	add_cleanup(sd, &sv, &sb, "ExecStartPre", true);
	for (size_t i = 0; i < s->n_pre_start; i++)
		if (step_shared(&sv, i))
			add_step(sd, &sv, &sb, "ExecStart", i);
	add_file(sd, unit_name(sd, s->name, "-pre-start.service"), s->loc, &sb);
	sb_release(&sb);
}

/* dockerfile_inline: the Dockerfile comes on stdin (`--file=-`, before
 * the context, which runargs puts last):
 * /bin/sh -c 'printf %s CONTENT | <engine> build ... --file=- CONTEXT' */
static struct strvec inline_build_argv(struct sd *sd, const struct service *s, const struct strvec *build)
{
	struct strbuf script = STRBUF_INIT;
	sb_adds(&script, "printf '%s' ");
	sh_quote(&script, s->build.dockerfile_inline);
	sb_adds(&script, " | ");
	sh_quote(&script, sd->engine);
	for (size_t i = 0; i < build->n; i++) {
		sb_addc(&script, ' ');
		if (i + 1 == build->n)
			sb_adds(&script, "--file=- ");
		sh_quote(&script, build->v[i]);
	}
	struct strvec argv = shell_argv(sd, NULL, &script);
	sb_release(&script);
	return argv;
}

/* <project>-<service>-build.service */
static void emit_build(struct sd *sd, const struct service *s)
{
	struct deps dp = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct strvec argv = engine_argv(sd), build = { 0 };
	struct loc loc = s->build.loc.file ? s->build.loc : s->loc;
	add_header(sd, &sb, loc, arena_printf(sd->a, "build of service \"%s\"", s->name));
	engine_order(sd, &dp, true);
	push_unique(sd, &dp.part_of, sd->target); /* restarting the project builds again */
	sb_adds(&sb, "\n[Unit]\nDescription=");
	systemd_value(&sb, arena_printf(sd->a, "%s: build the image of service %s", sd->p->name, s->name));
	sb_addc(&sb, '\n');
	add_deps(&sb, &dp);
	add_oneshot(&sb);
	run_args_build(sd->a, sd->plan, s, &build);
	if (s->build.dockerfile_inline) {
		struct strvec inline_argv = inline_build_argv(sd, s, &build);
		add_exec(NULL, &sb, "ExecStart", "", &inline_argv);
	} else {
		append(sd, &argv, &build);
		add_exec(NULL, &sb, "ExecStart", "", &argv);
	}
	add_file(sd, unit_name(sd, s->name, "-build.service"), loc, &sb);
	sb_release(&sb);
}

/* /bin/sh -c '<engine> network inspect NAME >/dev/null 2>&1 || exec <engine> network create ...':
 * creates the resource unless it exists; every word sh-quoted. */
static struct strvec create_argv(struct sd *sd, const struct resource *r)
{
	struct strvec create = { 0 };
	const char *kind = r->kind == RES_NETWORK ? "network" : "volume";
	if (r->kind == RES_NETWORK)
		run_args_network_create(sd->a, sd->p, r, sd->o->engine, &create);
	else
		run_args_volume_create(sd->a, sd->p, r, &create);
	struct strbuf script = STRBUF_INIT;
	sh_quote(&script, sd->engine);
	sb_addf(&script, " %s inspect ", kind);
	sh_quote(&script, r->name);
	sb_adds(&script, " >/dev/null 2>&1 || exec ");
	sh_quote(&script, sd->engine);
	for (size_t i = 0; i < create.n; i++) {
		sb_addc(&script, ' ');
		sh_quote(&script, create.v[i]);
	}
	struct strvec argv = shell_argv(sd, NULL, &script);
	sb_release(&script);
	return argv;
}

/* <project>-<key>-network.service / -volume.service.  A network goes with
 * the project (PartOf=, removed on stop as `compose down` does, once the
 * services that use it stopped); a volume and its data stay. */
static void emit_resource(struct sd *sd, const struct resource *r)
{
	struct deps dp = { 0 };
	struct strbuf sb = STRBUF_INIT;
	bool net = r->kind == RES_NETWORK;
	const char *kind = net ? "network" : "volume";
	if (r->loc.file)
		add_header(sd, &sb, r->loc, arena_printf(sd->a, "%s \"%s\"", kind, r->key));
	else
		add_header(sd, &sb, r->loc,
			   arena_printf(sd->a, "the %s \"%s\" of project \"%s\"", kind, r->key, sd->p->name));
	engine_order(sd, &dp, false);
	if (net)
		push_unique(sd, &dp.part_of, sd->target);
	sb_adds(&sb, "\n[Unit]\nDescription=");
	systemd_value(&sb, arena_printf(sd->a, "%s: %s %s", sd->p->name, kind, r->name));
	sb_addc(&sb, '\n');
	add_deps(&sb, &dp);
	add_oneshot(&sb);
	struct strvec create = create_argv(sd, r);
	add_exec(NULL, &sb, "ExecStart", "", &create);
	if (net) {
		struct strvec rm = engine_argv(sd);
		push_words(sd, &rm, (const char *const[]){ "network", "rm", r->name, NULL });
		add_exec(NULL, &sb, "ExecStop", "-", &rm);
	}
	add_file(sd, resource_unit(sd, r), r->loc, &sb);
	sb_release(&sb);
}

static void emit_resources(struct sd *sd, enum resource_kind k)
{
	const bool *used = project_resources_used(sd->p, k, sd->a);
	for (size_t i = 0; i < sd->p->n_res[k]; i++) {
		const struct resource *r = sd->p->res[k][i];
		if (!r->external && used[i])
			emit_resource(sd, r);
	}
}

/* <project>.target: wants every service (each instance of a template). */
static void emit_target(struct sd *sd)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec wants = { 0 };
	for (size_t i = 0; i < sd->p->n_services; i++)
		service_units(sd, sd->p->services[i], &wants);
	add_header(sd, &sb, (struct loc){ 0 }, arena_printf(sd->a, "compose project \"%s\"", sd->p->name));
	sb_adds(&sb, "\n[Unit]\nDescription=");
	systemd_value(&sb, arena_printf(sd->a, "%s (compose project)", sd->p->name));
	sb_addc(&sb, '\n');
	add_list(&sb, "Wants", &wants);
	sb_adds(&sb, "\n[Install]\nWantedBy=multi-user.target\n");
	add_file(sd, sd->target, (struct loc){ 0 }, &sb);
	sb_release(&sb);
}

static int emit_systemd(struct arena *a, struct diag *d, const struct plan *plan,
			const struct backend_options *o, struct fileset *out)
{
	const struct project *p = plan->project;
	struct sd sd = { .a = a, .d = d, .p = p, .plan = plan, .o = o, .out = out };
	sd.engine = o->engine_path ? o->engine_path : arena_printf(a, "/usr/bin/%s", engine_names[o->engine]);
	struct strbuf target = STRBUF_INIT;
	unit_name_component(&target, p->name);
	sb_adds(&target, ".target");
	sd.target = sb_to_arena(&target, a);
	sb_release(&target);
	/* what a service needs while its units are written (argv, names) is
	 * scratch, reused from one service to the next; the units themselves
	 * are copied into the file set's arena */
	struct arena scratch;
	arena_init(&scratch);
	arena_alloc(&scratch, 1);
	struct arena_mark mark = arena_mark(&scratch);
	sd.a = &scratch;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		emit_service(&sd, s);
		emit_shared_steps(&sd, s);
		if (s->build.present)
			emit_build(&sd, s);
		arena_rewind(&scratch, mark);
	}
	sd.a = a;
	arena_release(&scratch);
	emit_resources(&sd, RES_NETWORK);
	emit_resources(&sd, RES_VOLUME);
	emit_target(&sd);
	fileset_sort(out);
	return sd.failed ? -1 : 0;
}

const struct backend backend_systemd = {
	.name = "systemd",
	.output = OUTPUT_DIR,
	.emit = emit_systemd,
	.one_host = true,
	.copies_files = true,
};
