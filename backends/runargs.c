/*
 * runargs.c - compose attributes to docker/podman command lines
 * (reference/compose_semantics.md §5), for the targets that drive the
 * engine CLI: systemd units, sh scripts and the plan.
 *
 * Conventions, the same for every command built here:
 *  - Every flag with a value is one argv word in the joined long form
 *    `--flag=value` (never `-e K=V` or `--flag value`), so a value that
 *    starts with '-' is never taken for a flag, by docker or by podman.
 *  - run_args_service writes its flags in the fixed order of the table
 *    run_flags below (identity, environment, labels, ports, networks,
 *    mounts, security, lifecycle, health, logging, resources, devices,
 *    namespaces, runtime, entrypoint); lists keep model order and maps are
 *    sorted by key, so the output is deterministic.
 *  - `restart` and `deploy.restart_policy` give no `--restart` among the
 *    service's flags: a `--rm` container cannot carry a restart policy;
 *    the targets that create detached containers add run_arg_restart of
 *    the plan's policy.
 *  - `--network` and `--mount` option lists are CSV records (docker and
 *    podman read them with encoding/csv), so a comma or a quote in a path or
 *    alias survives; `-v` syntax is used only when no path holds a ':'.
 *    Read-only mounts say `ro`, which both engines accept for every mount
 *    type (podman refuses `readonly` on volume and tmpfs mounts).
 *  - docker's `--network` takes `name=N,alias=A,...`, podman's `N:alias=A,...`.
 *  - Whatever a flag cannot carry is reported (when warnings are asked
 *    for): `service "x": <attr> cannot be expressed by `<engine> run`,
 *    ignoring`.  That covers the flags podman lacks (--domainname, --link,
 *    --volume-driver, --isolation, --runtime, --cpu-count, --cpu-percent,
 *    --health-start-interval), content/environment secrets and configs,
 *    and the untyped attributes in service.extra that would change the
 *    container (gpus, blkio_config, ...) or what compose does around it
 *    (develop's watch, pull_refresh_after's pulls).  Metadata without
 *    effect on the container (ports' mode, name and app_protocol, x-*) is
 *    left out silently.
 * Argument vectors hold raw strings; escaping is the emitting backend's job.
 */
#include "backends/runargs.h"

#include "backends/escape.h"
#include "base/emit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* The member at off of obj, read-only: T without its own const (a
 * `const char *` member is read as FIELD(obj, off, char *)). */
#define FIELD(obj, off, T) (*(const T *)(const void *)((const char *)(obj) + (off)))

#define LABEL_PROJECT "com.docker.compose.project"
#define LABEL_SERVICE "com.docker.compose.service"

const char *run_args_hash_label(struct arena *a, uint64_t h)
{
	return arena_printf(a, "--label=" LABEL_CONFIG_HASH "=%016llx", (unsigned long long)h);
}

uint64_t run_args_hash_text(uint64_t h, const char *text, const char *dir)
{
	size_t dl = dir ? strlen(dir) : 0;
	for (const char *m; dl && (m = strstr(text, dir));) {
		h = hash_fnv1a_more(h, text, (size_t)(m - text));
		h = hash_fnv1a_more(h, ".", 1);
		text = m + dl;
	}
	return hash_fnv1a_more(h, text, strlen(text) + 1);
}

bool run_args_compose_label(const char *word)
{
	return str_has_prefix(word, "--label=com.docker.compose.");
}

const char *run_arg_restart(struct arena *a, const struct plan_restart *r)
{
	const char *w = plan_restart_word(r);
	if (!w)
		return NULL;
	if (r->policy == RESTART_ON_FAILURE && r->max_retries != IR_UNSET && r->max_retries > 0)
		return arena_printf(a, "--restart=on-failure:%lld", (long long)r->max_retries);
	return arena_concat(a, "--restart=", w, (char *)NULL);
}

/* ---- the context every builder gets ------------------------------------------------ */

struct ra {
	struct arena *a;
	struct diag *d; /* NULL: no warnings */
	const struct project *p;
	const struct service *s;
	enum engine e;
	const struct plan *pl; /* a service container's; NULL for a step */
	struct strvec *v;
	/* a service container's: its name (the first network alias, as
	 * docker compose gives it) and compose's labels; NULL for a step */
	const char *cname;
	const struct kvlist *compose_labels;
};

static void push(struct ra *r, const char *word)
{
	strvec_push(r->v, r->a, word);
}

/* flag=value, or flag=key=value when key is set, as one word: each
 * length taken once and no format to read (flag words are the bulk of
 * what the engine targets write). */
static const char *flag_word(struct arena *a, const char *flag, const char *key, const char *value)
{
	size_t fl = strlen(flag), kl = key ? strlen(key) : 0, vl = strlen(value);
	char *w = arena_alloc(a, fl + kl + vl + 3), *q = w;
	memcpy(q, flag, fl);
	q += fl;
	*q++ = '=';
	if (key) {
		memcpy(q, key, kl);
		q += kl;
		*q++ = '=';
	}
	memcpy(q, value, vl);
	q[vl] = '\0';
	return w;
}

static void push_flag(struct ra *r, const char *flag, const char *value)
{
	push(r, flag_word(r->a, flag, NULL, value));
}

static void push_flag_kv(struct ra *r, const char *flag, const char *k, const char *v)
{
	push(r, flag_word(r->a, flag, k, v));
}

static void push_flag_int(struct ra *r, const char *flag, long long v)
{
	push(r, arena_printf(r->a, "%s=%lld", flag, v));
}

/* The strbuf's text as a flag value; the strbuf is released. */
static void push_flag_sb(struct ra *r, const char *flag, struct strbuf *sb)
{
	push_flag(r, flag, sb->buf);
	sb_release(sb);
}

static void push_kvlist(struct ra *r, const char *flag, const struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].value) /* an unresolved value has no place in a command line */
			push_flag_kv(r, flag, l->v[i].key, l->v[i].value);
}

/* The container's compose labels (the plan's), or a step's project and
 * service. */
static void push_compose_labels(struct ra *r)
{
	if (!r->compose_labels) {
		push_flag_kv(r, "--label", LABEL_PROJECT, r->p->name);
		push_flag_kv(r, "--label", LABEL_SERVICE, r->s->name);
		return;
	}
	for (size_t i = 0; i < r->compose_labels->n; i++)
		push_flag_kv(r, "--label", r->compose_labels->v[i].key, r->compose_labels->v[i].value);
}

static void cannot(struct ra *r, struct loc loc, const char *attr)
{
	if (r->d)
		diag_warning(r->d, loc, "service \"%s\": %s cannot be expressed by `%s run`, ignoring", r->s->name,
			     attr, engine_names[r->e]);
}

/* One field of a CSV record, as Go's encoding/csv reads it back. */
static void csv_field(struct strbuf *sb, const char *f)
{
	if (!strpbrk(f, ",\"\r\n")) {
		sb_adds(sb, f);
		return;
	}
	sb_addc(sb, '"');
	for (; *f; f++) {
		if (*f == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *f);
	}
	sb_addc(sb, '"');
}

/* Append the field k=v to a CSV record (comma-separated after the first). */
static void csv_kv(struct strbuf *sb, const char *k, const char *v)
{
	struct strbuf f = STRBUF_INIT;
	sb_addf(&f, "%s=%s", k, v);
	if (sb->len)
		sb_addc(sb, ',');
	csv_field(sb, f.buf);
	sb_release(&f);
}

/* "service:x" -> "container:<x's container name>"; anything else as is. */
static const char *service_ref(struct ra *r, const char *v)
{
	struct plan_ref ref = plan_ref(r->a, r->p, v, REF_NAMESPACE);
	return plan_ref_namespace(r->a, &ref);
}

static const char *duration(struct ra *r, int64_t usec)
{
	struct strbuf sb = STRBUF_INIT;
	ir_format_duration(usec, &sb);
	const char *s = sb_to_arena(&sb, r->a);
	sb_release(&sb);
	return s;
}

/* ---- networks -------------------------------------------------------------------- */

/* The top-level network's real name. */
static const char *network_real_name(struct ra *r, const struct service_network *n)
{
	(void)r;
	return n->def ? n->def->name : n->name;
}

static int64_t net_priority(const struct service_network *n)
{
	return n->priority == IR_UNSET ? 0 : n->priority;
}

static int net_order_cmp(const void *a, const void *b)
{
	const struct service_network *x = *(const struct service_network *const *)a;
	const struct service_network *y = *(const struct service_network *const *)b;
	if (net_priority(x) != net_priority(y))
		return net_priority(x) > net_priority(y) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* One option of podman's `NAME:k=v,k=v`; podman splits on ',' without
 * quoting, so a value with a comma cannot be passed. */
static void podman_net_opt(struct ra *r, struct strbuf *sb, const char *k, const char *v, struct loc loc)
{
	if (strchr(v, ',')) {
		cannot(r, loc, arena_printf(r->a, "network option %s=\"%s\" (a comma)", k, v));
		return;
	}
	sb_addc(sb, strchr(sb->buf, ':') ? ',' : ':');
	sb_addf(sb, "%s=%s", k, v);
}

static void network_podman(struct ra *r, const struct service_network *n, bool endpoint)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, network_real_name(r, n));
	if (endpoint) {
		if (r->cname)
			podman_net_opt(r, &sb, "alias", r->cname, n->loc);
		podman_net_opt(r, &sb, "alias", r->s->name, n->loc);
		for (size_t i = 0; i < n->aliases.n; i++)
			if (strcmp(n->aliases.v[i], r->s->name) != 0)
				podman_net_opt(r, &sb, "alias", n->aliases.v[i], n->loc);
		const char *opts[][2] = { { "ip", n->ipv4_address }, { "ip6", n->ipv6_address },
					  { "mac", n->mac_address }, { "interface_name", n->interface_name } };
		for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
			if (opts[i][1])
				podman_net_opt(r, &sb, opts[i][0], opts[i][1], n->loc);
		if (n->link_local_ips.n)
			cannot(r, n->loc, "networks.link_local_ips");
		if (n->driver_opts.n)
			cannot(r, n->loc, "networks.driver_opts");
		if (n->gw_priority != IR_UNSET)
			cannot(r, n->loc, "networks.gw_priority");
	}
	push_flag_sb(r, "--network", &sb);
}

static void docker_endpoint(struct ra *r, struct strbuf *sb, const struct service_network *n)
{
	if (r->cname)
		csv_kv(sb, "alias", r->cname);
	csv_kv(sb, "alias", r->s->name);
	for (size_t i = 0; i < n->aliases.n; i++)
		if (strcmp(n->aliases.v[i], r->s->name) != 0)
			csv_kv(sb, "alias", n->aliases.v[i]);
	if (n->ipv4_address)
		csv_kv(sb, "ip", n->ipv4_address);
	if (n->ipv6_address)
		csv_kv(sb, "ip6", n->ipv6_address);
	if (n->mac_address && plan_has(r->pl, FEAT_ENDPOINT_MAC))
		csv_kv(sb, "mac-address", n->mac_address);
	for (size_t i = 0; i < n->link_local_ips.n; i++)
		csv_kv(sb, "link-local-ip", n->link_local_ips.v[i]);
	if (n->interface_name)
		csv_kv(sb, "driver-opt", arena_printf(r->a, "com.docker.network.endpoint.ifname=%s", n->interface_name));
	for (size_t i = 0; i < n->driver_opts.n; i++) /* one without a value is left out, as a resource's */
		if (n->driver_opts.v[i].value)
			csv_kv(sb, "driver-opt",
			       arena_printf(r->a, "%s=%s", n->driver_opts.v[i].key, n->driver_opts.v[i].value));
	if (n->gw_priority != IR_UNSET && plan_has(r->pl, FEAT_GW_PRIORITY))
		csv_kv(sb, "gw-priority", arena_printf(r->a, "%lld", (long long)n->gw_priority));
	else if (n->gw_priority != IR_UNSET)
		plan_feature_missing(r->d, r->pl, FEAT_GW_PRIORITY, r->s, n->loc, NULL);
}

static void network_docker(struct ra *r, const struct service_network *n, bool endpoint)
{
	const char *name = network_real_name(r, n);
	if (!endpoint && !strpbrk(name, "=,\"")) {
		push_flag(r, "--network", name);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	csv_kv(&sb, "name", name);
	if (endpoint)
		docker_endpoint(r, &sb, n);
	push_flag_sb(r, "--network", &sb);
	/* before docker 25.0 a container has one network at create, whose
	 * MAC address is the container's own (as docker compose sets it for
	 * such a daemon) */
	if (endpoint && n->mac_address && !plan_has(r->pl, FEAT_ENDPOINT_MAC))
		push_flag(r, "--mac-address", n->mac_address);
}

/* network_mode, or every network by priority (desc) then name; with
 * endpoint, the aliases and addresses of the service on each network. */
static void push_networks(struct ra *r, bool endpoint)
{
	const struct service *s = r->s;
	if (s->network_mode) {
		push_flag(r, "--network", service_ref(r, s->network_mode));
		return;
	}
	if (!s->n_networks)
		return;
	const struct service_network **v = arena_alloc(r->a, s->n_networks * sizeof(*v));
	for (size_t i = 0; i < s->n_networks; i++)
		v[i] = &s->networks[i];
	qsort(v, s->n_networks, sizeof(*v), net_order_cmp);
	/* an engine that takes one network at create gets the first; a
	 * container's others are connected before its start
	 * (run_args_connects), a pre_start step has the first only */
	size_t n = r->pl && !plan_has(r->pl, FEAT_NETWORKS_AT_CREATE) ? 1 : s->n_networks;
	for (size_t i = 0; i < n; i++) {
		if (r->e == ENGINE_PODMAN)
			network_podman(r, v[i], endpoint);
		else
			network_docker(r, v[i], endpoint);
	}
}

/* ---- mounts ---------------------------------------------------------------------- */

static void mount_start(struct strbuf *sb, const char *type, const char *src, const char *dst)
{
	csv_kv(sb, "type", type);
	if (src)
		csv_kv(sb, "src", src);
	csv_kv(sb, "dst", dst);
}

/* A read-only bind of a host file (secrets, configs). */
static void push_bind_ro(struct ra *r, const char *src, const char *dst)
{
	if (!strchr(src, ':') && !strchr(dst, ':')) {
		push(r, arena_concat(r->a, "--volume=", src, ":", dst, ":ro", (char *)NULL));
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	mount_start(&sb, "bind", src, dst);
	sb_adds(&sb, ",ro");
	push_flag_sb(r, "--mount", &sb);
}

static void bind_as_mount(struct ra *r, const struct mount *m)
{
	struct strbuf sb = STRBUF_INIT;
	mount_start(&sb, "bind", m->source, m->target);
	if (m->read_only)
		sb_adds(&sb, ",ro");
	if (m->bind.propagation)
		csv_kv(&sb, "bind-propagation", propagation_names[m->bind.propagation]);
	if (m->bind.recursive && plan_has(r->pl, FEAT_BIND_RECURSIVE))
		csv_kv(&sb, "bind-recursive", m->bind.recursive);
	else if (m->bind.recursive)
		plan_feature_missing(r->d, r->pl, FEAT_BIND_RECURSIVE, r->s, m->loc, NULL);
	if (m->bind.selinux)
		cannot(r, m->loc, "volumes.bind.selinux together with create_host_path: false or ':' in a path");
	push_flag_sb(r, "--mount", &sb);
}

/* -v creates a missing host directory, as compose does; --mount is needed
 * when that must not happen, for bind.recursive, and for paths with ':'. */
static void mount_bind(struct ra *r, const struct mount *m)
{
	bool need_mount = strchr(m->source, ':') || strchr(m->target, ':') ||
			  m->bind.create_host_path == TRI_FALSE || m->bind.recursive;
	if (need_mount) {
		bind_as_mount(r, m);
		return;
	}
	struct strbuf opts = STRBUF_INIT;
	if (m->read_only)
		sb_adds(&opts, "ro");
	if (m->bind.selinux)
		sb_addf(&opts, "%s%s", opts.len ? "," : "", m->bind.selinux);
	if (m->bind.propagation)
		sb_addf(&opts, "%s%s", opts.len ? "," : "", propagation_names[m->bind.propagation]);
	push(r, arena_concat(r->a, "--volume=", m->source, ":", m->target, opts.len ? ":" : "", opts.buf, (char *)NULL));
	sb_release(&opts);
}

static void volume_as_mount(struct ra *r, const struct mount *m, const char *src)
{
	struct strbuf sb = STRBUF_INIT;
	mount_start(&sb, "volume", src, m->target);
	if (m->read_only)
		sb_adds(&sb, ",ro");
	if (m->volume.nocopy && r->e == ENGINE_DOCKER)
		sb_adds(&sb, ",volume-nocopy");
	else if (m->volume.nocopy)
		cannot(r, m->loc, "volumes.volume.nocopy together with subpath, labels or ':' in a path");
	if (m->volume.subpath)
		csv_kv(&sb, r->e == ENGINE_DOCKER ? "volume-subpath" : "subpath", m->volume.subpath);
	for (size_t i = 0; i < m->volume.labels.n && r->e == ENGINE_DOCKER; i++)
		csv_kv(&sb, "volume-label", arena_printf(r->a, "%s=%s", m->volume.labels.v[i].key,
							 m->volume.labels.v[i].value ? m->volume.labels.v[i].value : ""));
	if (m->volume.labels.n && r->e != ENGINE_DOCKER)
		cannot(r, m->loc, "volumes.volume.labels");
	push_flag_sb(r, "--mount", &sb);
}

/* A named volume (source = the top-level volume's real name) or an
 * anonymous one. */
static void mount_volume(struct ra *r, const struct mount *m)
{
	const char *src = NULL;
	if (m->source) {
		const struct resource *res = project_resource(r->p, RES_VOLUME, m->source);
		src = res ? res->name : m->source;
	}
	bool need_mount = strchr(m->target, ':') || (src && strchr(src, ':')) || m->volume.subpath ||
			  m->volume.labels.n || (!src && (m->read_only || m->volume.nocopy));
	if (need_mount) {
		volume_as_mount(r, m, src);
		return;
	}
	if (!src) {
		push_flag(r, "--volume", m->target);
		return;
	}
	const char *opts = m->read_only && m->volume.nocopy ? ":ro,nocopy"
			   : m->read_only		  ? ":ro"
			   : m->volume.nocopy		  ? ":nocopy"
							  : "";
	push(r, arena_concat(r->a, "--volume=", src, ":", m->target, opts, (char *)NULL));
}

static void mount_tmpfs(struct ra *r, const struct mount *m)
{
	struct strbuf sb = STRBUF_INIT;
	mount_start(&sb, "tmpfs", NULL, m->target);
	if (m->read_only)
		sb_adds(&sb, ",ro");
	if (m->tmpfs.size != IR_UNSET)
		sb_addf(&sb, ",tmpfs-size=%lld", (long long)m->tmpfs.size);
	if (m->tmpfs.mode != IR_UNSET)
		sb_addf(&sb, ",tmpfs-mode=0%llo", (unsigned long long)m->tmpfs.mode);
	push_flag_sb(r, "--mount", &sb);
}

static void mount_image(struct ra *r, const struct mount *m)
{
	struct strbuf sb = STRBUF_INIT;
	mount_start(&sb, "image", m->source, m->target);
	if (m->image.subpath)
		csv_kv(&sb, r->e == ENGINE_DOCKER ? "image-subpath" : "subpath", m->image.subpath);
	push_flag_sb(r, "--mount", &sb);
}

/* shared_only: the mounts a pre_start step shares (no tmpfs, no
 * anonymous volume: those are per container). */
static void push_mount(struct ra *r, const struct mount *m, bool shared_only)
{
	switch (m->type) {
	case MOUNT_BIND: mount_bind(r, m); break;
	case MOUNT_VOLUME:
		if (m->source || !shared_only)
			mount_volume(r, m);
		break;
	case MOUNT_TMPFS:
		if (!shared_only)
			mount_tmpfs(r, m);
		break;
	case MOUNT_IMAGE: mount_image(r, m); break;
	default:
		cannot(r, m->loc, arena_printf(r->a, "volumes (type %s)", mount_type_names[m->type]));
		break;
	}
}

/* "service:x[:mode]", "x[:mode]" -> "<x's container>[:mode]";
 * "container:c[:mode]" -> "c[:mode]". */
static const char *volumes_from_value(struct ra *r, const char *v)
{
	struct plan_ref ref = plan_ref(r->a, r->p, v, REF_VOLUMES_FROM);
	return arena_concat(r->a, ref.container, ref.rest, (char *)NULL);
}

static void push_file_refs(struct ra *r, const struct file_ref *refs, size_t n, enum resource_kind k)
{
	const char *what = k == RES_SECRET ? "secret" : "config";
	for (size_t i = 0; i < n; i++) {
		const struct file_ref *f = &refs[i];
		const struct resource *def = f->def ? f->def : project_resource(r->p, k, f->source);
		if (plan_file_copied(def) && r->pl && r->pl->opts.copy_files)
			continue; /* the target copies it in (plan_files) */
		if (!def || !def->file || def->external) {
			cannot(r, f->loc, arena_printf(r->a, "%s \"%s\" (not from a file)", what, f->source));
			continue;
		}
		const char *target = f->target ? f->target : arena_printf(r->a, "/%s", f->source);
		push_bind_ro(r, def->file, target);
		if (f->uid || f->gid || f->mode != IR_UNSET)
			cannot(r, f->loc, arena_printf(r->a, "uid, gid and mode of %s \"%s\"", what, f->source));
	}
}

/* The mounts a pre_start step shares with its service. */
static void push_shared_mounts(struct ra *r)
{
	const struct service *s = r->s;
	for (size_t i = 0; i < s->n_volumes; i++)
		push_mount(r, &s->volumes[i], true);
	for (size_t i = 0; i < s->volumes_from.n; i++)
		push_flag(r, "--volumes-from", volumes_from_value(r, s->volumes_from.v[i]));
	push_file_refs(r, s->secrets, s->n_secrets, RES_SECRET);
	push_file_refs(r, s->configs, s->n_configs, RES_CONFIG);
}

/* ---- the flag table ---------------------------------------------------------------- */

struct run_flag {
	const char *attr; /* compose attribute, for warnings */
	const char *flag;
	void (*fn)(struct ra *r, const struct run_flag *f);
	size_t off;        /* of the attribute in struct service */
	size_t alt;        /* a deploy.resources fallback when the attribute is unset; 0: none */
	int feature;       /* the plan_feature the flag needs; -1: every engine has it */
	/* The Quadlet key that takes the flag's values (run_args_quadlet:
	 * Key=value, or the flag in PodmanArgs= where the key is too new), or
	 * QUADLET_OWN when backends/quadlet.c writes the attribute itself;
	 * NULL: Quadlet has no key and takes these flags as they are into
	 * PodmanArgs= (run_args_podman_args), so a row added here reaches
	 * Quadlet too. */
	const char *quadlet;
};

/* Where attribute attr of s is written (its key), else the service. */
static struct loc attr_loc(const struct service *s, const char *attr)
{
	const struct ir_field *fl = ir_service_field(attr);
	return fl ? ir_field_loc(s, fl) : s->loc;
}

static bool supported(struct ra *r, const struct run_flag *f)
{
	if (f->feature < 0 || plan_has(r->pl, (enum plan_feature)f->feature))
		return true;
	plan_feature_missing(r->d, r->pl, (enum plan_feature)f->feature, r->s, attr_loc(r->s, f->attr), f->attr);
	return false;
}

static void f_str(struct ra *r, const struct run_flag *f)
{
	const char *v = FIELD(r->s, f->off, char *);
	if (v && supported(r, f))
		push_flag(r, f->flag, v);
}

/* ipc, pid, uts, network_mode: service:x joins x's container. */
static void f_svcref(struct ra *r, const struct run_flag *f)
{
	const char *v = FIELD(r->s, f->off, char *);
	if (v && supported(r, f))
		push_flag(r, f->flag, service_ref(r, v));
}

static void f_strlist(struct ra *r, const struct run_flag *f)
{
	const struct strlist *l = &FIELD(r->s, f->off, struct strlist);
	if (!l->n || !supported(r, f))
		return;
	for (size_t i = 0; i < l->n; i++)
		push_flag(r, f->flag, l->v[i]);
}

static void f_kvlist(struct ra *r, const struct run_flag *f)
{
	const struct kvlist *l = &FIELD(r->s, f->off, struct kvlist);
	if (l->n && supported(r, f))
		push_kvlist(r, f->flag, l);
}

static void f_tri(struct ra *r, const struct run_flag *f)
{
	if (FIELD(r->s, f->off, enum tri) == TRI_TRUE && supported(r, f))
		push(r, f->flag);
}

static void f_int(struct ra *r, const struct run_flag *f)
{
	int64_t v = FIELD(r->s, f->off, int64_t);
	if (v == IR_UNSET && f->alt)
		v = FIELD(r->s, f->alt, int64_t);
	if (v != IR_UNSET && supported(r, f))
		push_flag_int(r, f->flag, (long long)v);
}

static void f_double(struct ra *r, const struct run_flag *f)
{
	double v = FIELD(r->s, f->off, double);
	if (isnan(v) && f->alt)
		v = FIELD(r->s, f->alt, double);
	if (isnan(v) || !supported(r, f))
		return;
	struct strbuf sb = STRBUF_INIT;
	emit_format_float(&sb, v, EMIT_JSON);
	push_flag_sb(r, f->flag, &sb);
}

static void h_labels(struct ra *r, const struct run_flag *f)
{
	/* compose's own labels win over the file's, as in docker compose */
	const struct kvlist *l = &r->s->labels;
	for (size_t i = 0; i < l->n; i++) {
		const char *k = l->v[i].key;
		bool compose = r->compose_labels ? kvlist_get(r->compose_labels, k) != NULL
						 : strcmp(k, LABEL_PROJECT) == 0 || strcmp(k, LABEL_SERVICE) == 0;
		if (!compose)
			push_flag_kv(r, f->flag, k, l->v[i].value ? l->v[i].value : "");
	}
	push_compose_labels(r);
}

static void h_ports(struct ra *r, const struct run_flag *f)
{
	for (size_t i = 0; i < r->s->n_ports; i++) {
		const struct port *pt = &r->s->ports[i];
		struct strbuf sb = STRBUF_INIT;
		if (pt->host_ip)
			sb_addf(&sb, strchr(pt->host_ip, ':') ? "[%s]:" : "%s:", pt->host_ip);
		if (pt->published)
			sb_addf(&sb, "%s:", pt->published);
		else if (pt->host_ip)
			sb_addc(&sb, ':');
		sb_addf(&sb, "%u/%s", (unsigned)pt->target, port_proto_names[pt->protocol]);
		push_flag_sb(r, f->flag, &sb);
	}
}

static void h_networks(struct ra *r, const struct run_flag *f)
{
	(void)f;
	push_networks(r, true);
}

/* links: "svc[:alias]" -> "<svc's container>:<alias or svc>". */
static void h_links(struct ra *r, const struct run_flag *f)
{
	const struct strlist *l = &r->s->links;
	if (!l->n || !supported(r, f))
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct plan_ref ref = plan_ref(r->a, r->p, l->v[i], REF_LINK);
		const char *alias = ref.rest[0] ? ref.rest + 1 : l->v[i];
		push(r, arena_printf(r->a, "%s=%s:%s", f->flag, ref.container, alias));
	}
}

static void h_extra_hosts(struct ra *r, const struct run_flag *f)
{
	const struct kvlist *l = &r->s->extra_hosts;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].value && strcmp(l->v[i].value, "host-gateway") == 0 && !plan_has(r->pl, FEAT_HOST_GATEWAY))
			plan_feature_missing(r->d, r->pl, FEAT_HOST_GATEWAY, r->s, l->v[i].loc, NULL);
		else
			push(r, arena_printf(r->a, "%s=%s:%s", f->flag, l->v[i].key, l->v[i].value ? l->v[i].value : ""));
}

static void h_volumes(struct ra *r, const struct run_flag *f)
{
	(void)f;
	for (size_t i = 0; i < r->s->n_volumes; i++)
		push_mount(r, &r->s->volumes[i], false);
}

static void h_volumes_from(struct ra *r, const struct run_flag *f)
{
	const struct strlist *l = &r->s->volumes_from;
	for (size_t i = 0; i < l->n; i++)
		push_flag(r, f->flag, volumes_from_value(r, l->v[i]));
}

static void h_secrets(struct ra *r, const struct run_flag *f)
{
	(void)f;
	push_file_refs(r, r->s->secrets, r->s->n_secrets, RES_SECRET);
}

static void h_configs(struct ra *r, const struct run_flag *f)
{
	(void)f;
	push_file_refs(r, r->s->configs, r->s->n_configs, RES_CONFIG);
}

static void h_stop_timeout(struct ra *r, const struct run_flag *f)
{
	if (r->s->stop_grace_period != IR_UNSET) /* whole seconds, truncated, as compose does */
		push_flag_int(r, f->flag, (long long)(r->s->stop_grace_period / IR_USEC_PER_SEC));
}

/* podman reads --health-cmd as JSON when it parses as an array, and
 * re-splits it when its first word is CMD, NONE or CMD-SHELL; any other
 * string becomes ["CMD-SHELL", string] unchanged. */
static bool podman_health_plain_ok(const char *s)
{
	const char *p = s + strspn(s, " \t\r\n");
	if (*p == '[')
		return false;
	size_t n = strcspn(s, " ");
	static const char *const words[] = { "CMD", "NONE", "CMD-SHELL" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (n == strlen(words[i]) && strncasecmp(s, words[i], n) == 0)
			return false;
	return true;
}

static const char *json_array(struct ra *r, const char *first, const struct strlist *l)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	if (first)
		json_escape_string(&sb, first);
	for (size_t i = 0; i < l->n; i++) {
		if (i || first)
			sb_addc(&sb, ',');
		json_escape_string(&sb, l->v[i]);
	}
	sb_addc(&sb, ']');
	const char *s = sb_to_arena(&sb, r->a);
	sb_release(&sb);
	return s;
}

/* docker's --health-cmd is always CMD-SHELL: an exec-form test is
 * shell-quoted into one string (the image then needs a shell).  podman
 * takes an exec form of two or more words as a JSON array, exactly. */
static const char *health_cmd(struct ra *r, const struct healthcheck *h)
{
	const struct strlist *l = &h->test_args;
	if (!l->n)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			sb_addc(&sb, ' ');
		if (h->test_kind == HC_TEST_CMD)
			sh_quote(&sb, l->v[i]);
		else
			sb_adds(&sb, l->v[i]);
	}
	const char *s = sb_to_arena(&sb, r->a);
	sb_release(&sb);
	if (r->e != ENGINE_PODMAN) {
		/* docker's --health-cmd is a shell command: the exec form
		 * runs through the image's /bin/sh, which docker compose
		 * (through the API) does not need */
		if (h->test_kind == HC_TEST_CMD && r->d)
			diag_warning(r->d, h->loc,
				     "service \"%s\": the exec form of healthcheck.test (CMD) cannot be given to `%s "
				     "run`, whose --health-cmd is a shell command: it runs through /bin/sh in the image",
				     r->s->name, engine_names[r->e]);
		return s;
	}
	/* podman takes the exec form as a JSON array of two words or more
	 * (4.3.1 makes a one-word array ["CMD-SHELL", word]) */
	if (h->test_kind == HC_TEST_CMD && l->n > 1)
		return json_array(r, NULL, l);
	if (podman_health_plain_ok(s))
		return s;
	struct strlist one = { .v = &s, .n = 1 };
	return json_array(r, "CMD-SHELL", &one);
}

static void h_health(struct ra *r, const struct run_flag *f)
{
	(void)f;
	const struct healthcheck *h = &r->s->healthcheck;
	if (!h->present)
		return;
	if (h->disable || h->test_kind == HC_TEST_NONE) {
		push(r, "--no-healthcheck");
		return;
	}
	const char *cmd = h->test_kind == HC_TEST_UNSET ? NULL : health_cmd(r, h);
	if (cmd)
		push_flag(r, "--health-cmd", cmd);
	if (h->interval != IR_UNSET)
		push_flag(r, "--health-interval", duration(r, h->interval));
	if (h->timeout != IR_UNSET)
		push_flag(r, "--health-timeout", duration(r, h->timeout));
	if (h->start_period != IR_UNSET)
		push_flag(r, "--health-start-period", duration(r, h->start_period));
	if (h->start_interval != IR_UNSET && plan_has(r->pl, FEAT_HEALTH_START_INTERVAL))
		push_flag(r, "--health-start-interval", duration(r, h->start_interval));
	else if (h->start_interval != IR_UNSET)
		plan_feature_missing(r->d, r->pl, FEAT_HEALTH_START_INTERVAL, r->s, h->loc, NULL);
	if (h->retries != IR_UNSET)
		push_flag_int(r, "--health-retries", (long long)h->retries);
}

static void h_logging(struct ra *r, const struct run_flag *f)
{
	(void)f;
	const struct logging *l = &r->s->logging;
	if (l->driver)
		push_flag(r, "--log-driver", l->driver);
	push_kvlist(r, "--log-opt", &l->options);
}

static void h_ulimits(struct ra *r, const struct run_flag *f)
{
	for (size_t i = 0; i < r->s->n_ulimits; i++) {
		const struct ulimit *u = &r->s->ulimits[i];
		if (u->single)
			push(r, arena_printf(r->a, "%s=%s=%lld", f->flag, u->name, (long long)u->soft));
		else
			push(r, arena_printf(r->a, "%s=%s=%lld:%lld", f->flag, u->name, (long long)u->soft,
					     (long long)u->hard));
	}
}

static void h_devices(struct ra *r, const struct run_flag *f)
{
	for (size_t i = 0; i < r->s->n_devices; i++) {
		const struct device *dv = &r->s->devices[i];
		const char *dst = dv->target ? dv->target : dv->source;
		if (dv->permissions)
			push(r, arena_printf(r->a, "%s=%s:%s:%s", f->flag, dv->source, dst, dv->permissions));
		else if (strcmp(dst, dv->source) != 0)
			push(r, arena_printf(r->a, "%s=%s:%s", f->flag, dv->source, dst));
		else
			push_flag(r, f->flag, dv->source);
	}
}

static void h_pull(struct ra *r, const struct run_flag *f)
{
	const char *v = r->s->pull_policy;
	if (!v)
		return;
	if (strcmp(v, "always") == 0 || strcmp(v, "missing") == 0 || strcmp(v, "never") == 0)
		push_flag(r, f->flag, v);
	else
		cannot(r, r->s->loc, arena_printf(r->a, "pull_policy \"%s\"", v));
}

/* podman takes a whole exec-form entrypoint as the JSON array it reads
 * from --entrypoint when the value is one ('["sh","-c"]'), so the
 * container's Entrypoint is the file's, as docker compose creates it.
 * docker's --entrypoint is one word: [a, b...] is `--entrypoint=a IMAGE
 * b... CMD...`, the same process, whose inspect shows Entrypoint [a] and
 * the rest in Cmd. */
static bool entrypoint_whole(const struct ra *r)
{
	const struct command *c = &r->s->entrypoint;
	return r->e == ENGINE_PODMAN && (c->argv.n > 1 || (c->argv.n == 1 && c->argv.v[0][0] == '['));
}

static void h_entrypoint(struct ra *r, const struct run_flag *f)
{
	const struct command *c = &r->s->entrypoint;
	if (c->kind == CMD_UNSET)
		return;
	if (entrypoint_whole(r))
		push_flag(r, f->flag, json_array(r, NULL, &c->argv));
	else
		push_flag(r, f->flag, c->argv.n ? c->argv.v[0] : "");
}

/* A member of a generic (untyped) map value, or NULL. */
static const struct ir_value *value_get(const struct ir_value *m, const char *key)
{
	if (!m || m->kind != VAL_MAP)
		return NULL;
	for (size_t i = 0; i < m->map.n; i++)
		if (strcmp(m->map.members[i].key, key) == 0)
			return m->map.members[i].value;
	return NULL;
}

/* Untyped attributes that would change the container: the service's, and
 * deploy.resources.reservations.devices (device requests, GPUs). */
static void h_extra(struct ra *r, const struct run_flag *f)
{
	(void)f;
	static const char *const unexpressed[] = {
		"blkio_config", "credential_spec", "develop", "gpus", "models", "provider", "pull_refresh_after",
		"use_api_socket",
	};
	const struct ir_value *x = r->s->extra;
	for (size_t i = 0; x && x->kind == VAL_MAP && i < x->map.n; i++)
		if (ir_lookup(unexpressed, (int)ARRAY_SIZE(unexpressed), x->map.members[i].key) >= 0)
			cannot(r, x->map.members[i].value->loc, x->map.members[i].key);
	const struct ir_value *dev =
		value_get(value_get(value_get(r->s->deploy.extra, "resources"), "reservations"), "devices");
	if (dev)
		cannot(r, dev->loc, "deploy.resources.reservations.devices");
}

#define OFF(field) offsetof(struct service, field)
#define F(attr, flag, fn, field, q) { attr, flag, fn, OFF(field), 0, -1, q }
#define FALT(attr, flag, fn, field, alt, q) { attr, flag, fn, OFF(field), OFF(alt), -1, q }
#define FNEEDS(attr, flag, fn, field, feature, q) { attr, flag, fn, OFF(field), 0, feature, q }
#define QUADLET_OWN "" /* Quadlet's own code says what becomes of it */

/* The order of this table is the order of the flags. */
static const struct run_flag run_flags[] = {
	F("hostname", "--hostname", f_str, hostname, "HostName"),
	FNEEDS("domainname", "--domainname", f_str, domainname, FEAT_DOMAINNAME, NULL),
	F("user", "--user", f_str, user, QUADLET_OWN),
	F("working_dir", "--workdir", f_str, working_dir, "WorkingDir"),
	F("environment", "--env", f_kvlist, environment, "Environment"),
	F("labels", "--label", h_labels, labels, QUADLET_OWN),
	FNEEDS("annotations", "--annotation", f_kvlist, annotations, FEAT_ANNOTATIONS, "Annotation"),
	F("ports", "--publish", h_ports, ports, QUADLET_OWN),
	F("expose", "--expose", f_strlist, expose, QUADLET_OWN),
	F("networks", "--network", h_networks, networks, QUADLET_OWN),
	FNEEDS("links", "--link", h_links, links, FEAT_LINK, QUADLET_OWN),
	FNEEDS("external_links", "--link", f_strlist, external_links, FEAT_LINK, QUADLET_OWN),
	F("extra_hosts", "--add-host", h_extra_hosts, extra_hosts, QUADLET_OWN),
	F("dns", "--dns", f_strlist, dns, "DNS"),
	F("dns_opt", "--dns-option", f_strlist, dns_opt, "DNSOption"),
	F("dns_search", "--dns-search", f_strlist, dns_search, "DNSSearch"),
	F("volumes", NULL, h_volumes, volumes, QUADLET_OWN),
	F("volumes_from", "--volumes-from", h_volumes_from, volumes_from, NULL),
	FNEEDS("volume_driver", "--volume-driver", f_str, volume_driver, FEAT_VOLUME_DRIVER, NULL),
	F("tmpfs", "--tmpfs", f_strlist, tmpfs, "Tmpfs"),
	F("secrets", NULL, h_secrets, secrets, QUADLET_OWN),
	F("configs", NULL, h_configs, configs, QUADLET_OWN),
	F("cap_add", "--cap-add", f_strlist, cap_add, "AddCapability"),
	F("cap_drop", "--cap-drop", f_strlist, cap_drop, "DropCapability"),
	F("privileged", "--privileged", f_tri, privileged, NULL),
	F("security_opt", "--security-opt", f_strlist, security_opt, QUADLET_OWN),
	F("read_only", "--read-only", f_tri, read_only, "ReadOnly"),
	F("init", "--init", f_tri, init, "RunInit"),
	F("stop_signal", "--stop-signal", f_str, stop_signal, "StopSignal"),
	F("stop_grace_period", "--stop-timeout", h_stop_timeout, stop_grace_period, QUADLET_OWN),
	F("healthcheck", NULL, h_health, healthcheck, QUADLET_OWN),
	F("logging", NULL, h_logging, logging, QUADLET_OWN),
	F("ulimits", "--ulimit", h_ulimits, ulimits, QUADLET_OWN),
	F("sysctls", "--sysctl", f_kvlist, sysctls, "Sysctl"),
	F("storage_opt", "--storage-opt", f_kvlist, storage_opt, NULL),
	FALT("pids_limit", "--pids-limit", f_int, pids_limit, deploy.limits.pids, "PidsLimit"),
	F("shm_size", "--shm-size", f_int, shm_size, "ShmSize"),
	FALT("mem_limit", "--memory", f_int, mem_limit, deploy.limits.memory, "Memory"),
	FALT("mem_reservation", "--memory-reservation", f_int, mem_reservation, deploy.reservations.memory, NULL),
	F("memswap_limit", "--memory-swap", f_int, memswap_limit, NULL),
	F("mem_swappiness", "--memory-swappiness", f_int, mem_swappiness, NULL),
	F("oom_kill_disable", "--oom-kill-disable", f_tri, oom_kill_disable, NULL),
	F("oom_score_adj", "--oom-score-adj", f_int, oom_score_adj, NULL),
	FALT("cpus", "--cpus", f_double, cpus, deploy.limits.cpus, NULL),
	F("cpu_shares", "--cpu-shares", f_int, cpu_shares, NULL),
	F("cpu_period", "--cpu-period", f_int, cpu_period, NULL),
	F("cpu_quota", "--cpu-quota", f_int, cpu_quota, NULL),
	F("cpu_rt_period", "--cpu-rt-period", f_int, cpu_rt_period, NULL),
	F("cpu_rt_runtime", "--cpu-rt-runtime", f_int, cpu_rt_runtime, NULL),
	F("cpuset", "--cpuset-cpus", f_str, cpuset, NULL),
	FNEEDS("cpu_count", "--cpu-count", f_int, cpu_count, FEAT_CPU_COUNT, NULL),
	FNEEDS("cpu_percent", "--cpu-percent", f_double, cpu_percent, FEAT_CPU_PERCENT, NULL),
	F("devices", "--device", h_devices, devices, QUADLET_OWN),
	F("device_cgroup_rules", "--device-cgroup-rule", f_strlist, device_cgroup_rules, NULL),
	F("group_add", "--group-add", f_strlist, group_add, "GroupAdd"),
	F("ipc", "--ipc", f_svcref, ipc, NULL),
	F("pid", "--pid", f_svcref, pid, NULL),
	F("uts", "--uts", f_svcref, uts, NULL),
	F("userns_mode", "--userns", f_str, userns_mode, "UserNS"),
	F("cgroup", "--cgroupns", f_str, cgroup, NULL),
	F("cgroup_parent", "--cgroup-parent", f_str, cgroup_parent, NULL),
	FNEEDS("isolation", "--isolation", f_str, isolation, FEAT_ISOLATION, NULL),
	FNEEDS("runtime", "--runtime", f_str, runtime, FEAT_RUNTIME, QUADLET_OWN),
	F("platform", "--platform", f_str, platform, NULL),
	F("pull_policy", "--pull", h_pull, pull_policy, QUADLET_OWN),
	F("stdin_open", "--interactive", f_tri, stdin_open, NULL),
	F("tty", "--tty", f_tri, tty, NULL),
	F("mac_address", "--mac-address", f_str, mac_address, NULL),
	F("entrypoint", "--entrypoint", h_entrypoint, entrypoint, QUADLET_OWN),
	F("extra", NULL, h_extra, extra, QUADLET_OWN),
};

static void push_command(struct ra *r, const struct command *c)
{
	for (size_t i = 0; i < c->argv.n; i++)
		push(r, c->argv.v[i]);
}

void run_args_service(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
		      int replica, bool warn, struct strvec *flags, struct strvec *image_and_cmd)
{
	enum engine e = pl->opts.engine;
	const struct project *p = pl->project;
	struct kvlist labels = plan_container_labels(a, pl, s, replica ? replica : 1);
	const char *cname = plan_container_name(a, p, s, replica ? replica : 1);
	if (!replica) { /* any instance: its number is the caller's to fill in */
		for (size_t i = 0; i < labels.n; i++)
			if (strcmp(labels.v[i].key, LABEL_NUMBER) == 0)
				labels.v[i].value = RUN_ARGS_INSTANCE;
		cname = arena_concat(a, p->name, "-", s->name, "-", RUN_ARGS_INSTANCE, (char *)NULL);
	}
	struct ra r = { a, warn ? d : NULL, p, s, e, pl, flags, cname, &labels };
	for (size_t i = 0; i < ARRAY_SIZE(run_flags); i++)
		run_flags[i].fn(&r, &run_flags[i]);

	r.v = image_and_cmd;
	push(&r, plan_image(a, pl, s));
	for (size_t i = 1; i < s->entrypoint.argv.n && !entrypoint_whole(&r); i++)
		push(&r, s->entrypoint.argv.v[i]);
	push_command(&r, &s->command);
	if (s->command.kind != CMD_UNSET && !s->command.argv.n)
		cannot(&r, s->command.loc, "an empty command (clearing the image's CMD)");
}

/* `network connect` of container cname to network n, as docker compose
 * connects it before the start when the daemon's API is older than 1.44
 * (its aliases, addresses and driver options; the endpoint's MAC address
 * and gateway priority have no connect option before docker 25.0 and 28.0). */
static void push_connect(struct ra *r, const struct service_network *n)
{
	push(r, "network");
	push(r, "connect");
	if (r->cname)
		push_flag(r, "--alias", r->cname);
	push_flag(r, "--alias", r->s->name);
	for (size_t i = 0; i < n->aliases.n; i++)
		if (strcmp(n->aliases.v[i], r->s->name) != 0)
			push_flag(r, "--alias", n->aliases.v[i]);
	if (n->ipv4_address)
		push_flag(r, "--ip", n->ipv4_address);
	if (n->ipv6_address)
		push_flag(r, "--ip6", n->ipv6_address);
	for (size_t i = 0; i < n->link_local_ips.n; i++)
		push_flag(r, "--link-local-ip", n->link_local_ips.v[i]);
	if (n->interface_name)
		push_flag_kv(r, "--driver-opt", "com.docker.network.endpoint.ifname", n->interface_name);
	for (size_t i = 0; i < n->driver_opts.n; i++) /* one without a value is left out, as a resource's */
		if (n->driver_opts.v[i].value)
			push_flag_kv(r, "--driver-opt", n->driver_opts.v[i].key, n->driver_opts.v[i].value);
	if (n->mac_address)
		cannot(r, n->loc, "networks.mac_address on a network other than the first");
	if (n->gw_priority != IR_UNSET)
		cannot(r, n->loc, "networks.gw_priority on a network other than the first");
	push(r, "--");
	push(r, network_real_name(r, n));
	push(r, r->cname);
}

struct strvec *run_args_connects(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
				 const char *cname, size_t *n)
{
	*n = 0;
	if (s->network_mode || s->n_networks < 2 || plan_has(pl, FEAT_NETWORKS_AT_CREATE))
		return NULL;
	const struct service_network **v = arena_alloc(a, s->n_networks * sizeof(*v));
	for (size_t i = 0; i < s->n_networks; i++)
		v[i] = &s->networks[i];
	qsort(v, s->n_networks, sizeof(*v), net_order_cmp);
	struct strvec *out = arena_alloc(a, (s->n_networks - 1) * sizeof(*out));
	for (size_t i = 1; i < s->n_networks; i++) {
		out[i - 1] = (struct strvec){ 0 };
		struct ra r = { a, d, pl->project, s, pl->opts.engine, pl, &out[i - 1], cname, NULL };
		push_connect(&r, v[i]);
	}
	*n = s->n_networks - 1;
	return out;
}

/* The rows whose flags carry plain values: a string, each item of a list
 * or a map, a number, a boolean. */
static bool plain_row(const struct run_flag *f)
{
	return f->fn == f_str || f->fn == f_strlist || f->fn == f_kvlist || f->fn == f_int || f->fn == f_double ||
	       f->fn == f_tri;
}

size_t run_args_quadlet(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			struct run_opt **out)
{
	struct ra r = { a, d, pl->project, s, pl->opts.engine, pl, NULL, NULL, NULL };
	size_t n = 0, cap = 0;
	*out = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(run_flags); i++) {
		const struct run_flag *f = &run_flags[i];
		if (!f->quadlet || !f->quadlet[0] || !plain_row(f))
			continue;
		struct strvec words = { 0 };
		r.v = &words;
		f->fn(&r, f);
		size_t fl = strlen(f->flag);
		for (size_t k = 0; k < words.n; k++) {
			if (n == cap) {
				size_t grown = cap ? 2 * cap : 16;
				*out = arena_grow(a, *out, cap * sizeof(**out), grown * sizeof(**out));
				cap = grown;
			}
			const char *w = words.v[k];
			(*out)[n++] = (struct run_opt){ f->quadlet, f->flag, w[fl] == '=' ? w + fl + 1 : "true",
							attr_loc(s, f->attr) };
		}
	}
	return n;
}

void run_args_podman_args(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			  struct strvec *words)
{
	struct ra r = { a, d, pl->project, s, pl->opts.engine, pl, words, plan_container_name(a, pl->project, s, 1),
			NULL };
	for (size_t i = 0; i < ARRAY_SIZE(run_flags); i++)
		if (!run_flags[i].quadlet)
			run_flags[i].fn(&r, &run_flags[i]);
}

/* ---- pre_start steps and hooks ----------------------------------------------------- */

static void push_hook_common(struct ra *r, const struct hook *h, const char *user, const char *workdir)
{
	if (h->privileged == TRI_TRUE)
		push(r, "--privileged");
	if (user)
		push_flag(r, "--user", user);
	if (workdir)
		push_flag(r, "--workdir", workdir);
	push_kvlist(r, "--env", &h->environment);
}

/* Defaults as the compose spec states them (05-services.md, pre_start):
 * the user is the service's when the step inherits the service image, the
 * working directory is the service's (docker compose 5.3 passes only the
 * step's own; the spec is the contract here).  The image's ENTRYPOINT
 * stays (no --entrypoint); the step's command is the CMD.  The step shares
 * what compose shares through VolumesFrom: binds, named volumes, image
 * mounts, volumes_from and file secrets/configs, but no tmpfs or anonymous
 * volume (those belong to one container). */
void run_args_pre_start_flags(struct arena *a, const struct plan *pl, const struct service *s, size_t i,
			      struct strvec *flags)
{
	const struct hook *h = &s->pre_start[i];
	struct ra r = { a, NULL, pl->project, s, pl->opts.engine, pl, flags };
	const char *user = h->user ? h->user : h->image_inherited ? s->user : NULL;
	push_hook_common(&r, h, user, h->working_dir ? h->working_dir : s->working_dir);
	push_compose_labels(&r);
	push_flag_kv(&r, "--label", "com.docker.compose.hook", "pre_start");
	push_networks(&r, false);
	push_shared_mounts(&r);
}

void run_args_pre_start(struct arena *a, const struct plan *pl, const struct service *s, size_t i, const char *name,
			struct strvec *argv)
{
	const struct hook *h = &s->pre_start[i];
	struct ra r = { a, NULL, pl->project, s, pl->opts.engine, pl, argv };
	push(&r, "run");
	push(&r, "--rm");
	if (name)
		push_flag(&r, "--name", name);
	run_args_pre_start_flags(a, pl, s, i, argv);
	push(&r, plan_step_image(a, pl, s, h));
	push_command(&r, &h->command);
}

void run_args_exec_hook(struct arena *a, const struct hook *h, const char *container, struct strvec *argv)
{
	struct ra r = { .a = a, .v = argv };
	push(&r, "exec");
	push_hook_common(&r, h, h->user, h->working_dir);
	push(&r, container);
	push_command(&r, &h->command);
}

/* ---- build, networks, volumes -------------------------------------------------------- */

/* docker and podman read a relative --file against the current directory,
 * compose against the context: make it absolute for a local context. */
static const char *dockerfile_path(struct arena *a, const struct build *b)
{
	if (b->dockerfile[0] == '/' || b->context[0] != '/')
		return b->dockerfile;
	size_t n = strlen(b->context);
	bool slash = n && b->context[n - 1] == '/';
	return arena_printf(a, "%s%s%s", b->context, slash ? "" : "/", b->dockerfile);
}

static void push_build_lists(struct ra *r, const struct build *b)
{
	const struct { const char *flag; const struct strlist *l; } lists[] = {
		{ "--cache-from", &b->cache_from },
		{ "--cache-to", &b->cache_to },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		for (size_t j = 0; j < lists[i].l->n; j++)
			push_flag(r, lists[i].flag, lists[i].l->v[j]);
	if (b->platforms.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t j = 0; j < b->platforms.n; j++)
			sb_addf(&sb, "%s%s", j ? "," : "", b->platforms.v[j]);
		push_flag_sb(r, "--platform", &sb);
	}
}

/* A dockerfile_inline cannot be passed (it would need `-f -` and stdin):
 * no --file is written, the caller reports it. */
void run_args_build(struct arena *a, const struct plan *pl, const struct service *s, struct strvec *argv)
{
	const struct build *b = &s->build;
	struct ra r = { a, NULL, pl->project, s, ENGINE_DOCKER, NULL, argv };
	push(&r, "build");
	push_flag(&r, "--tag", plan_image(a, pl, s));
	for (size_t i = 0; i < b->tags.n; i++)
		push_flag(&r, "--tag", b->tags.v[i]);
	if (b->dockerfile && !b->dockerfile_inline)
		push_flag(&r, "--file", dockerfile_path(a, b));
	push_kvlist(&r, "--build-arg", &b->args);
	if (b->target)
		push_flag(&r, "--target", b->target);
	push_kvlist(&r, "--label", &b->labels);
	if (b->network)
		push_flag(&r, "--network", b->network);
	if (b->no_cache == TRI_TRUE)
		push(&r, "--no-cache");
	if (b->pull == TRI_TRUE)
		push(&r, "--pull");
	if (b->shm_size != IR_UNSET)
		push_flag_int(&r, "--shm-size", (long long)b->shm_size);
	push_build_lists(&r, b);
	push(&r, b->context);
}

static const char *value_str(const struct ir_value *m, const char *key)
{
	const struct ir_value *v = value_get(m, key);
	return v && v->kind == VAL_STR ? v->s : NULL;
}

/* ipam: {driver, config: [{subnet, gateway, ip_range}]}. */
static void push_ipam(struct ra *r, const struct ir_value *ipam)
{
	const char *driver = value_str(ipam, "driver");
	if (driver)
		push_flag(r, "--ipam-driver", driver);
	const struct ir_value *cfg = value_get(ipam, "config");
	if (!cfg || cfg->kind != VAL_LIST)
		return;
	static const char *const keys[][2] = {
		{ "subnet", "--subnet" }, { "gateway", "--gateway" }, { "ip_range", "--ip-range" },
	};
	for (size_t i = 0; i < cfg->list.n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			const char *v = value_str(cfg->list.items[i], keys[k][0]);
			if (v)
				push_flag(r, keys[k][1], v);
		}
}

/* --driver and --opt of a network or a volume; a network's options as the
 * engine names them (run_args_network_opt). */
static void push_resource_common(struct ra *r, const struct resource *res)
{
	if (res->driver)
		push_flag(r, "--driver", res->driver);
	for (size_t i = 0; i < res->driver_opts.n; i++) {
		const struct kv *o = &res->driver_opts.v[i];
		if (o->value)
			push_flag_kv(r, "--opt", res->kind == RES_NETWORK ? run_args_network_opt(o->key, r->e) : o->key,
				     o->value);
	}
}

/* `attachable` is not written: it only matters to swarm, and podman has
 * no such flag. */
const char *run_args_network_opt(const char *key, enum engine e)
{
	if (e == ENGINE_PODMAN && strcmp(key, "com.docker.network.driver.mtu") == 0)
		return "mtu";
	return key;
}

void run_args_network_create(struct arena *a, const struct project *p, const struct resource *res, enum engine e,
			     struct strvec *argv)
{
	struct ra r = { .a = a, .p = p, .e = e, .v = argv };
	push(&r, "network");
	push(&r, "create");
	push_resource_common(&r, res);
	push_ipam(&r, res->ipam);
	if (res->internal == TRI_TRUE)
		push(&r, "--internal");
	if (res->enable_ipv6 == TRI_TRUE)
		push(&r, "--ipv6");
	push_kvlist(&r, "--label", &res->labels);
	push_flag_kv(&r, "--label", LABEL_PROJECT, p->name);
	push_flag_kv(&r, "--label", "com.docker.compose.network", res->key);
	push(&r, res->name);
}

void run_args_volume_create(struct arena *a, const struct project *p, const struct resource *res,
			    struct strvec *argv)
{
	struct ra r = { .a = a, .p = p, .v = argv };
	push(&r, "volume");
	push(&r, "create");
	push_resource_common(&r, res);
	push_kvlist(&r, "--label", &res->labels);
	push_flag_kv(&r, "--label", LABEL_PROJECT, p->name);
	push_flag_kv(&r, "--label", "com.docker.compose.volume", res->key);
	push(&r, res->name);
}

/* ---- the definition hash of a pre_start step ---------------------------------------- */

/* Length-prefixed, so that no two definitions serialize alike; NULL is
 * distinct from "". */
static void ser_str(struct strbuf *sb, const char *s)
{
	if (!s) {
		sb_adds(sb, "N;");
		return;
	}
	size_t len = strlen(s);
	sb_addc(sb, 'S');
	sb_addu(sb, len);
	sb_addc(sb, ':');
	sb_add(sb, s, len);
	sb_addc(sb, ';');
}

static void ser_int(struct strbuf *sb, long long v)
{
	sb_addc(sb, 'I');
	if (v < 0)
		sb_addc(sb, '-');
	sb_addu(sb, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
	sb_addc(sb, ';');
}

void pre_start_serialize(const struct hook *h, struct strbuf *sb)
{
	sb_grow(sb, 2048); /* a step with its environment, in one allocation */
	sb_adds(sb, "composec pre_start v1;");
	ser_str(sb, h->image);
	ser_int(sb, h->command.kind);
	ser_int(sb, (long long)h->command.argv.n);
	for (size_t i = 0; i < h->command.argv.n; i++)
		ser_str(sb, h->command.argv.v[i]);
	ser_str(sb, h->user);
	ser_int(sb, h->privileged);
	ser_str(sb, h->working_dir);
	ser_int(sb, (long long)h->environment.n);
	for (size_t i = 0; i < h->environment.n; i++) {
		ser_str(sb, h->environment.v[i].key);
		ser_str(sb, h->environment.v[i].value);
	}
	ser_int(sb, h->per_replica);
}

uint64_t pre_start_hash(const struct hook *h)
{
	struct strbuf sb = STRBUF_INIT;
	pre_start_serialize(h, &sb);
	uint64_t hash = hash_fnv1a(sb.buf, sb.len);
	sb_release(&sb);
	return hash;
}
