/*
 * plan.c - the plan layer's decisions (plan.h): restart policies, names,
 * compose's labels, what one host cannot run.
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

const char *const engine_names[ENGINE__MAX] = { "docker", "podman" };

/* ---- restart ------------------------------------------------------------------- */

/* deploy.restart_policy.condition -> the engine's policy, as docker compose
 * maps it (mapRestartPolicyCondition); RCOND_UNSET is no policy. */
static const enum restart_policy policy_of_condition[RCOND__MAX] = {
	[RCOND_UNSET] = RESTART_UNSET,	      [RCOND_NONE] = RESTART_NO,   [RCOND_NO] = RESTART_NO,
	[RCOND_ON_FAILURE] = RESTART_ON_FAILURE, [RCOND_ANY] = RESTART_ALWAYS, [RCOND_ALWAYS] = RESTART_ALWAYS,
	[RCOND_UNLESS_STOPPED] = RESTART_UNLESS_STOPPED, [RCOND_OTHER] = RESTART_UNSET,
};

static struct plan_restart restart_of(const struct service *s)
{
	const struct deploy *dp = &s->deploy;
	if (dp->restart_policy.present)
		return (struct plan_restart){
			.policy = policy_of_condition[dp->restart_policy.condition],
			.other = dp->restart_policy.condition == RCOND_OTHER ? dp->restart_policy.condition_other : NULL,
			.max_retries = dp->restart_policy.max_attempts,
			.loc = dp->restart_policy.loc.file ? dp->restart_policy.loc : s->loc,
		};
	return (struct plan_restart){
		.policy = s->restart,
		.max_retries = s->restart_max_retries,
		.loc = s->restart_loc.file ? s->restart_loc : s->loc,
	};
}

const char *plan_restart_word(const struct plan_restart *r)
{
	if (r->other)
		return r->other;
	return r->policy == RESTART_UNSET ? NULL : restart_policy_names[r->policy];
}

/* The engine takes a retry count with on-failure only ("maximum retry
 * count cannot be used with restart policy"): docker compose up fails at
 * create time; a one-host target says so before it writes anything. */
static void check_restart(struct diag *d, const struct service *s, const struct plan_restart *r)
{
	if (r->max_retries == IR_UNSET || r->max_retries == 0 || r->policy == RESTART_ON_FAILURE || r->other)
		return;
	diag_error(d, r->loc,
		   "service \"%s\": a maximum number of restarts goes with on-failure only: the engine refuses it "
		   "with restart policy \"%s\"",
		   s->name, r->policy == RESTART_UNSET ? "" : restart_policy_names[r->policy]);
}

/* ---- engine features ------------------------------------------------------------- */

/* From the engines' release notes and sources: host-gateway came with
 * docker 20.10 (moby#40007) and podman 4.7 (podman#19152); a volume's
 * subpath with docker 26.0 (volume-subpath) and podman 5.4 (podman#24532);
 * --health-start-interval and more than one network at create (API
 * 1.44: below it the daemon answers "Container cannot be connected to
 * network endpoints") and a MAC address per network with docker 25.0, a
 * network's gateway priority with docker 28.0 (podman has none);
 * --annotation with docker 24.0 (API 1.43); a bind mount's
 * bind-recursive= with docker 25.0 (podman has none); an image mount with
 * docker 28.0.  podman has no --domainname,
 * --link, --volume-driver, --isolation, --cpu-count, --cpu-percent or
 * --health-start-interval, and --runtime is a global option of podman's,
 * not one of `podman run`. */
const struct plan_feature_info plan_features[FEAT__MAX] = {
	[FEAT_DOMAINNAME] = { "domainname", { 100, 0 } },
	[FEAT_LINK] = { "links", { 100, 0 } },
	[FEAT_VOLUME_DRIVER] = { "volume_driver", { 100, 0 } },
	[FEAT_ISOLATION] = { "isolation", { 100, 0 } },
	[FEAT_RUNTIME] = { "runtime", { 100, 0 } },
	[FEAT_CPU_COUNT] = { "cpu_count", { 100, 0 } },
	[FEAT_CPU_PERCENT] = { "cpu_percent", { 100, 0 } },
	[FEAT_HEALTH_START_INTERVAL] = { "healthcheck.start_interval", { 2500, 0 } },
	[FEAT_HOST_GATEWAY] = { "extra_hosts \"host-gateway\"", { 2010, 407 } },
	[FEAT_VOLUME_SUBPATH] = { "volumes.volume.subpath", { 2600, 504 } },
	[FEAT_NETWORKS_AT_CREATE] = { "networks (more than one at create)", { 2500, 100 } },
	[FEAT_ENDPOINT_MAC] = { "networks.mac_address", { 2500, 100 } },
	[FEAT_GW_PRIORITY] = { "networks.gw_priority", { 2800, 0 } },
	[FEAT_ANNOTATIONS] = { "annotations", { 2400, 100 } },
	[FEAT_BIND_RECURSIVE] = { "volumes.bind.recursive", { 2500, 0 } },
	[FEAT_IMAGE_MOUNT] = { "a volume of type image", { 2800, 100 } },
};

bool plan_has(const struct plan *pl, enum plan_feature f)
{
	int since = plan_features[f].since[pl->opts.engine];
	return since && pl->opts.engine_version >= since;
}

void plan_feature_missing(struct diag *d, const struct plan *pl, enum plan_feature f, const struct service *s,
			  struct loc loc, const char *what)
{
	if (!d)
		return;
	const char *engine = engine_names[pl->opts.engine];
	int since = plan_features[f].since[pl->opts.engine], v = pl->opts.engine_version;
	if (!what)
		what = plan_features[f].what;
	if (since)
		diag_warning(d, loc, "service \"%s\": %s needs %s %d.%d (this output is for %d.%d: --%s-version), ignoring",
			     s->name, what, engine, since / 100, since % 100, v / 100, v % 100, engine);
	else
		diag_warning(d, loc, "service \"%s\": %s cannot be expressed by `%s run`, ignoring", s->name, what,
			     engine);
}

static void refuse(struct diag *d, const struct plan *pl, enum plan_feature f, const struct service *s,
		   struct loc loc, const char *what, const char *why)
{
	int since = plan_features[f].since[pl->opts.engine], v = pl->opts.engine_version;
	const char *engine = engine_names[pl->opts.engine];
	diag_error(d, loc, "service \"%s\": %s needs %s %d.%d (this output is for %d.%d: --%s-version); %s", s->name,
		   what, engine, since / 100, since % 100, v / 100, v % 100, engine, why);
}

/* What a missing feature would change unseen: a volume's subpath left out
 * mounts the whole volume where the file asked for a part of it, an image
 * mount left out leaves its files out.  A target for an engine without it
 * refuses the file. */
static void check_features(struct diag *d, const struct plan *pl, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		if (m->type == MOUNT_VOLUME && m->volume.subpath && !plan_has(pl, FEAT_VOLUME_SUBPATH))
			refuse(d, pl, FEAT_VOLUME_SUBPATH, s, m->loc, "volume.subpath",
			       "without it the whole volume would be mounted");
		if (m->type == MOUNT_IMAGE && !plan_has(pl, FEAT_IMAGE_MOUNT))
			refuse(d, pl, FEAT_IMAGE_MOUNT, s, m->loc, "a volume of type image",
			       "without it the container would lack the image's files");
	}
}

/* ---- healthcheck -------------------------------------------------------------------- */

static int64_t or_default(int64_t v, int64_t def)
{
	return v == IR_UNSET ? def : v;
}

static struct plan_health health_of(const struct service *s)
{
	const struct healthcheck *h = &s->healthcheck;
	return (struct plan_health){
		.disabled = h->present && (h->disable || h->test_kind == HC_TEST_NONE),
		.written = h->present && h->test_kind != HC_TEST_UNSET,
		.interval = or_default(h->interval, PLAN_HEALTH_INTERVAL),
		.timeout = or_default(h->timeout, PLAN_HEALTH_TIMEOUT),
		.start_period = or_default(h->start_period, 0),
		.start_interval = or_default(h->start_interval, PLAN_HEALTH_START_INTERVAL),
		.retries = or_default(h->retries, PLAN_HEALTH_RETRIES),
	};
}

/* ---- depends_on ---------------------------------------------------------------------- */

static void edges_of(struct arena *a, struct plan *pl, const struct service *s)
{
	struct plan_service *ps = &pl->svc[s->order];
	ps->edges = arena_alloc(a, (s->n_depends_on + 1) * sizeof(*ps->edges));
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		if (!dep->target)
			continue;
		struct plan_edge *e = &ps->edges[ps->n_edges++];
		*e = (struct plan_edge){ dep, dep->target, dep->condition, dep->required, dep->restart, 0 };
		if (dep->condition == DEP_HEALTHY)
			e->bound = plan_health_bound(&pl->svc[dep->target->order].health) + PLAN_WAIT_ALLOWANCE;
		else if (dep->condition == DEP_STARTED)
			e->bound = PLAN_WAIT_ALLOWANCE;
		pl->svc[dep->target->order].waited |= dep->condition == DEP_HEALTHY	   ? PLAN_WAITED_HEALTHY
						       : dep->condition == DEP_COMPLETED ? PLAN_WAITED_COMPLETED
											  : 0u;
	}
}

/* A health wait on a service without a healthcheck of its own: the
 * image's HEALTHCHECK decides; a disabled one never gets healthy. */
static void check_health_waits(struct diag *d, const struct plan *pl, const struct service *s)
{
	const struct plan_service *ps = &pl->svc[s->order];
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		if (e->wait != DEP_HEALTHY)
			continue;
		const struct plan_health *h = &pl->svc[e->target->order].health;
		if (h->disabled)
			diag_warning(d, e->dep->loc,
				     "service \"%s\" waits for \"%s\" to be healthy, but its healthcheck is disabled: "
				     "\"%s\" will not start",
				     s->name, e->target->name, s->name);
		else if (!e->target->healthcheck.present)
			diag_warning(d, e->dep->loc,
				     "service \"%s\" waits for \"%s\" to be healthy, but \"%s\" has no healthcheck: its "
				     "image must define one",
				     s->name, e->target->name, e->target->name);
	}
}

/* ---- bind sources ------------------------------------------------------------------- */

static struct strlist bind_dirs_of(struct arena *a, const struct service *s)
{
	struct strlist l = { 0 };
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		if (m->type == MOUNT_BIND && m->source && m->source[0] == '/' && m->bind.create_host_path == TRI_TRUE) {
			l.v = arena_grow(a, (void *)l.v, l.n * sizeof(*l.v), (l.n + 1) * sizeof(*l.v));
			l.v[l.n++] = m->source;
		}
	}
	if (l.n > 1)
		qsort((void *)l.v, l.n, sizeof(*l.v), str_cmp_ptr);
	size_t n = 0;
	for (size_t i = 0; i < l.n; i++)
		if (!n || strcmp(l.v[n - 1], l.v[i]) != 0)
			l.v[n++] = l.v[i];
	l.n = n;
	return l;
}

/* ---- what one host cannot run ---------------------------------------------------- */

/* A fixed host port shared by replicas: the second replica's container
 * finds it taken ("port is already allocated" from docker compose up); a
 * range gives each replica a port of its own. */
static void check_ports(struct diag *d, const struct service *s)
{
	if (s->replicas <= 1)
		return;
	for (size_t k = 0; k < s->n_ports; k++) {
		const struct port *pt = &s->ports[k];
		if (pt->published && pt->published_lo == pt->published_hi)
			diag_error(d, pt->loc,
				   "service \"%s\": published port %s cannot be shared by %lld replicas on one host (use "
				   "a port range, or no published port)",
				   s->name, pt->published, (long long)s->replicas);
	}
}

/* ---- names and labels ------------------------------------------------------------- */

const char *plan_container_name(struct arena *a, const struct project *p, const struct service *s, int replica)
{
	if (s->container_name)
		return s->container_name;
	return arena_printf(a, "%s-%s-%d", p->name, s->name, replica);
}

const char *plan_image_name(struct arena *a, const struct project *p, const struct service *s)
{
	if (s->image)
		return s->image;
	return arena_concat(a, p->name, "-", s->name, (char *)NULL);
}

const char *plan_image_qualified(struct arena *a, const char *name)
{
	size_t first = strcspn(name, "/");
	if (!name[first])
		return arena_concat(a, "docker.io/library/", name, (char *)NULL);
	bool registry = memchr(name, '.', first) || memchr(name, ':', first) ||
			(first == 9 && strncmp(name, "localhost", 9) == 0);
	return registry ? name : arena_concat(a, "docker.io/", name, (char *)NULL);
}

const char *plan_image_podman(struct arena *a, const struct project *p, const struct service *s)
{
	if (!s->image)
		return arena_concat(a, "localhost/", plan_image_name(a, p, s), (char *)NULL);
	return plan_image_qualified(a, s->image);
}

const char *plan_image(struct arena *a, const struct plan *pl, const struct service *s)
{
	return pl->opts.qualified_images ? plan_image_podman(a, pl->project, s) : plan_image_name(a, pl->project, s);
}

const char *plan_step_image(struct arena *a, const struct plan *pl, const struct service *s, const struct hook *h)
{
	if (!h->image)
		return plan_image(a, pl, s);
	return pl->opts.qualified_images ? plan_image_qualified(a, h->image) : h->image;
}

/* A service's first container; a service that is not enabled (a
 * disabled one that is not required) by the name compose would give it. */
static const char *service_container(struct arena *a, const struct project *p, const char *name)
{
	const struct service *t = project_service(p, name);
	return t ? plan_container_name(a, p, t, 1) : arena_printf(a, "%s-%s-1", p->name, name);
}

struct plan_ref plan_ref(struct arena *a, const struct project *p, const char *v, enum plan_ref_syntax syntax)
{
	struct plan_ref r = { .kind = REF_SERVICE, .rest = "" };
	if (str_has_prefix(v, "container:")) {
		r.kind = REF_CONTAINER;
		v += strlen("container:");
	} else if (str_has_prefix(v, "service:")) {
		v += strlen("service:");
	} else if (syntax == REF_NAMESPACE) {
		r.kind = REF_MODE;
		r.mode = v;
		return r;
	}
	const char *colon = syntax == REF_NAMESPACE ? NULL : strchr(v, ':');
	const char *name = colon ? arena_strndup(a, v, (size_t)(colon - v)) : v;
	if (colon)
		r.rest = colon;
	r.container = r.kind == REF_CONTAINER ? name : service_container(a, p, name);
	return r;
}

const char *plan_ref_namespace(struct arena *a, const struct plan_ref *r)
{
	return r->kind == REF_MODE ? r->mode : arena_concat(a, "container:", r->container, (char *)NULL);
}

static int kv_cmp(const void *x, const void *y)
{
	return strcmp(((const struct kv *)x)->key, ((const struct kv *)y)->key);
}

static struct kvlist kv_sorted(struct kv *v, size_t n)
{
	qsort(v, n, sizeof(*v), kv_cmp);
	return (struct kvlist){ v, n };
}

/* service:condition:restart of every dependency, as docker compose writes
 * them (in its map's order, which is random; here by name). */
static const char *depends_on_label(struct arena *a, const struct service *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		if (i)
			sb_addc(&sb, ',');
		sb_addf(&sb, "%s:%s:%s", dep->service, dep_condition_names[dep->condition],
			dep->restart ? "true" : "false");
	}
	const char *v = sb_to_arena(&sb, a);
	sb_release(&sb);
	return v;
}

static const char *joined(struct arena *a, const struct strlist *l)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			sb_addc(&sb, ',');
		sb_adds(&sb, l->v[i]);
	}
	const char *v = sb_to_arena(&sb, a);
	sb_release(&sb);
	return v;
}

static struct kvlist service_labels(struct arena *a, const struct project *p, const struct service *s)
{
	struct kv *v = arena_alloc(a, 6 * sizeof(*v));
	size_t n = 0;
	v[n++] = (struct kv){ LABEL_PROJECT, p->name, s->loc };
	v[n++] = (struct kv){ LABEL_SERVICE, s->name, s->loc };
	v[n++] = (struct kv){ LABEL_ONEOFF, "False", s->loc };
	v[n++] = (struct kv){ LABEL_DEPENDS_ON, depends_on_label(a, s), s->loc };
	if (p->working_dir)
		v[n++] = (struct kv){ LABEL_WORKING_DIR, p->working_dir, s->loc };
	if (p->config_files.n)
		v[n++] = (struct kv){ LABEL_CONFIG_FILES, joined(a, &p->config_files), s->loc };
	return kv_sorted(v, n);
}

struct kvlist plan_container_labels(struct arena *a, const struct plan *pl, const struct service *s, int replica)
{
	const struct kvlist *base = &plan_service(pl, s)->labels;
	struct kv *v = arena_alloc(a, (base->n + 1) * sizeof(*v));
	memcpy(v, base->v, base->n * sizeof(*v));
	v[base->n] = (struct kv){ LABEL_NUMBER, arena_printf(a, "%d", replica), s->loc };
	return kv_sorted(v, base->n + 1);
}

struct kvlist plan_resource_labels(struct arena *a, const struct project *p, const struct resource *r)
{
	struct kv *v = arena_alloc(a, 2 * sizeof(*v));
	v[0] = (struct kv){ LABEL_PROJECT, p->name, r->loc };
	v[1] = (struct kv){ r->kind == RES_NETWORK ? LABEL_NETWORK : LABEL_VOLUME, r->key, r->loc };
	return kv_sorted(v, 2);
}

/* ---- what the outputs hold ---------------------------------------------------------- */

static bool has_value(const struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].value && l->v[i].value[0])
			return true;
	return false;
}

bool plan_file_copied(const struct resource *r)
{
	return r && !r->external && !r->file && r->content;
}

struct plan_file *plan_files(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			     size_t *n)
{
	struct plan_file *out = NULL;
	*n = 0;
	for (int k = 0; k < 2; k++) {
		bool secret = k == 0;
		const struct file_ref *refs = secret ? s->secrets : s->configs;
		size_t nr = secret ? s->n_secrets : s->n_configs;
		for (size_t i = 0; i < nr; i++) {
			const struct file_ref *f = &refs[i];
			const struct resource *r =
				f->def ? f->def : project_resource(pl->project, secret ? RES_SECRET : RES_CONFIG, f->source);
			if (!plan_file_copied(r))
				continue;
			if (s->read_only == TRI_TRUE) {
				if (d)
					diag_error(d, f->loc,
					   "service \"%s\": cannot create %s \"%s\" in a read-only service (only a "
					   "file-based %s can be mounted there), as docker compose refuses",
					   s->name, secret ? "secret" : "config", f->source, secret ? "secret" : "config");
				continue;
			}
			const char *t = f->target;
			if (!t)
				t = arena_concat(a, secret ? "/run/secrets/" : "/", f->source, (const char *)NULL);
			else if (secret && t[0] != '/')
				t = arena_concat(a, "/run/secrets/", t, (const char *)NULL);
			bool owner = f->uid || f->gid; /* docker compose's CopyUIDGID */
			bool to_user = owner && s->user;
			const char *cp = pl->opts.engine == ENGINE_DOCKER ? (owner ? "-a" : NULL)
									  : (to_user ? NULL : "--archive=false");
			out = arena_grow(a, out, *n * sizeof(*out), (*n + 1) * sizeof(*out));
			out[(*n)++] = (struct plan_file){ secret ? "secret" : "config", f->source, t,
							  f->mode != IR_UNSET ? f->mode : 0444, f->uid, f->gid, r->content,
							  cp, to_user, f->loc };
		}
	}
	return out;
}

bool plan_holds_values(const struct project *p)
{
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		if (has_value(&s->environment) || has_value(&s->build.args) || s->n_secrets)
			return true;
		for (size_t k = 0; k < s->n_configs; k++) { /* a config's value from the environment */
			const struct file_ref *f = &s->configs[k];
			const struct resource *r = f->def ? f->def : project_resource(p, RES_CONFIG, f->source);
			if (r && r->environment && plan_file_copied(r))
				return true;
		}
		for (size_t k = 0; k < s->n_pre_start; k++)
			if (has_value(&s->pre_start[k].environment))
				return true;
	}
	return false;
}

/* ---- the pass ---------------------------------------------------------------------- */

int plan_build(struct arena *a, struct diag *d, const struct project *p, const struct plan_options *o,
	       struct plan *out)
{
	int errors = d->errors;
	*out = (struct plan){ .project = p, .opts = *o };
	out->svc = arena_alloc(a, (p->n_services ? p->n_services : 1) * sizeof(*out->svc));
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		struct plan_service *ps = &out->svc[s->order];
		ps->s = s;
		ps->restart = restart_of(s);
		ps->labels = service_labels(a, p, s);
		ps->health = health_of(s);
		ps->bind_dirs = bind_dirs_of(a, s);
		if (o->one_host) {
			check_ports(d, s);
			check_restart(d, s, &ps->restart);
			check_features(d, out, s);
		}
	}
	/* edges once every service's health is known */
	for (size_t i = 0; i < p->n_services; i++)
		edges_of(a, out, p->services[i]);
	for (size_t i = 0; o->one_host && i < p->n_services; i++)
		check_health_waits(d, out, p->services[i]);
	return d->errors == errors ? 0 : -1;
}
