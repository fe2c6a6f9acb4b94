/*
 * lower_service.c - one service: every attribute lowered to the long form
 * (ports, volumes, depends_on, environment, env_file, healthcheck,
 * commands, hooks, deploy, networks, ...), then the per-service
 * normalization (default network, implicit dependencies, pre_start
 * inheritance) and the consistency checks of enabled services.
 */
#include "frontend/lower_internal.h"

#include "frontend/syntax.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(w, at, type) ((type *)((char *)(w)->obj + (at)->off))

/* Room for one more element at the end of an arena array of n elements. */
static void *grow1(struct arena *a, void *v, size_t n, size_t sz)
{
	return ir_array_grow(a, v, n, 1, sz); /* appending one at a time copied O(n^2) bytes */
}

static bool need_map(struct lower_ctx *c, const struct node *v, const char *path)
{
	if (v->kind == NODE_MAP)
		return true;
	lower_type_error(c, v, path, "a mapping");
	return false;
}

static bool need_seq(struct lower_ctx *c, const struct node *v, const char *path)
{
	if (v->kind == NODE_SEQ)
		return true;
	lower_type_error(c, v, path, "a list");
	return false;
}

/* Walk a sub-mapping into obj with its own table; x-* keys are dropped
 * (returned when ext is not NULL). */
static void walk_sub(struct lower_ctx *c, void *obj, void *aux, const struct node *map, const char *path,
		     const struct attr *t, size_t n, struct ir_value **extra, struct ir_value **ext)
{
	struct walk w = { .c = c, .obj = obj, .aux = aux, .path = path };
	walk_map(&w, map, t, n);
	if (extra)
		*extra = mvec_finish(c, &w.extra, map->loc);
	if (ext)
		*ext = mvec_finish(c, &w.ext, map->loc);
}

/* ---- commands ------------------------------------------------------------- */

static void lower_command(struct lower_ctx *c, struct command *cmd, const struct node *k,
			  const struct node *v, const char *path)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->loc = k->loc;
	if (node_is_null(v))
		return;
	if (v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		const char *err = NULL;
		cmd->kind = CMD_SHELL;
		cmd->shell = v->scalar.text;
		if (shell_split(c->a, v->scalar.text, &cmd->argv, &err) != 0)
			diag_error(c->d, v->loc, "\"%s\": %s", path, err ? err : "invalid command");
		return;
	}
	if (v->kind != NODE_SEQ) {
		lower_type_error(c, v, path, "a string or a list");
		return;
	}
	cmd->kind = CMD_EXEC;
	cmd->argv.v = arena_alloc(c->a, (v->seq.n + 1) * sizeof(*cmd->argv.v));
	cmd->argv.locs = arena_alloc(c->a, (v->seq.n + 1) * sizeof(*cmd->argv.locs));
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct node *it = v->seq.items[i];
		if (it->kind != NODE_SCALAR || node_scalar_type(it) == SCALAR_NULL) {
			lower_type_error(c, it, lower_path_idx(c, path, i), "a string");
			continue;
		}
		cmd->argv.locs[cmd->argv.n] = it->loc;
		cmd->argv.v[cmd->argv.n++] = scalar_string(c, it);
	}
}

static void attr_command(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	lower_command(w->c, FIELD(w, at, struct command), k, v, path);
}

static void attr_environment(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			     const char *path)
{
	(void)k;
	get_kvlist(w->c, v, path, BARE_ENV, FIELD(w, at, struct kvlist));
}

/* ---- build ------------------------------------------------------------------- */

static void attr_build_args(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			    const char *path)
{
	(void)k;
	get_kvlist(w->c, v, path, BARE_ENV_OR_DROP, FIELD(w, at, struct kvlist));
}

static void lower_extra_hosts(struct lower_ctx *c, struct kvlist *l, const struct node *v, const char *path);

/* build.extra_hosts stays untyped but reads and prints like the service's. */
static void attr_build_hosts(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			     const char *path)
{
	(void)at;
	struct lower_ctx *c = w->c;
	struct kvlist l = { 0 };
	if (node_is_null(v))
		return;
	lower_extra_hosts(c, &l, v, path);
	struct ir_value *list = arena_alloc(c->a, sizeof(*list));
	list->kind = VAL_LIST;
	list->loc = v->loc;
	list->list.items = arena_alloc(c->a, (l.n + 1) * sizeof(*list->list.items));
	for (size_t i = 0; i < l.n; i++) {
		struct ir_value *h = arena_alloc(c->a, sizeof(*h));
		h->kind = VAL_STR;
		h->loc = l.v[i].loc;
		h->s = l.v[i].value ? arena_printf(c->a, "%s=%s", l.v[i].key, l.v[i].value) : l.v[i].key;
		list->list.items[list->list.n++] = h;
	}
	mvec_add(c, &w->extra, k->scalar.text, list);
}

#define B(name, fn, field) { name, fn, offsetof(struct build, field) }
static const struct attr build_attrs[] = {
	B("additional_contexts", attr_contexts, extra),
	B("args", attr_build_args, args),
	B("cache_from", attr_strlist, cache_from),
	B("cache_to", attr_strlist, cache_to),
	B("context", attr_str, context),
	B("dockerfile", attr_str, dockerfile),
	B("dockerfile_inline", attr_str, dockerfile_inline),
	B("entitlements", attr_extra, extra),
	B("extra_hosts", attr_build_hosts, extra),
	B("isolation", attr_extra, extra),
	B("labels", attr_labels, labels),
	B("network", attr_str, network),
	B("no_cache", attr_tri, no_cache),
	B("platforms", attr_strlist, platforms),
	B("privileged", attr_tri, privileged),
	B("provenance", attr_bool_as_str, extra),
	B("pull", attr_tri, pull),
	B("sbom", attr_bool_as_str, extra),
	B("secrets", attr_file_mounts, extra),
	B("shm_size", attr_bytes, shm_size),
	B("ssh", attr_extra, extra),
	B("tags", attr_strlist, tags),
	B("target", attr_str, target),
	B("ulimits", attr_extra, extra),
};

static bool is_remote_context(const char *s)
{
	return strstr(s, "://") || str_has_prefix(s, "git@") || str_has_prefix(s, "github.com/");
}

static void h_build(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	struct build *b = &s->build;
	if (node_is_null(v))
		return;
	b->present = true;
	b->loc = k->loc;
	if (v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		b->context = v->scalar.text;
	} else if (v->kind == NODE_MAP) {
		walk_sub(c, b, NULL, v, path, build_attrs, ARRAY_SIZE(build_attrs), &b->extra, NULL);
	} else {
		lower_type_error(c, v, path, "a string or a mapping");
		b->present = false;
		return;
	}
	if (!b->context)
		b->context = ".";
	if (!is_remote_context(b->context))
		b->context = lower_abs_path(c, b->context);
	if (b->dockerfile && b->dockerfile_inline)
		diag_error(c->d, k->loc, "\"%s\": \"dockerfile\" and \"dockerfile_inline\" are mutually exclusive",
			   path);
	if (!b->dockerfile && !b->dockerfile_inline)
		b->dockerfile = "Dockerfile";
}

/* ---- ports ------------------------------------------------------------------- */

static bool parse_u16(const char *s, const char **end, uint32_t *out)
{
	unsigned long v = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return false;
		p++;
	}
	*end = p;
	*out = (uint32_t)v;
	return true;
}

/* "8080" or "8000-8010" */
static bool parse_published(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *e;
	if (!parse_u16(s, &e, lo))
		return false;
	*hi = *lo;
	if (*e == '-') {
		if (!parse_u16(e + 1, &e, hi) || *hi < *lo)
			return false;
	}
	return *e == '\0';
}

static bool valid_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void port_target(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			const char *path)
{
	(void)at;
	(void)k;
	struct port *p = w->obj;
	int64_t t = IR_UNSET;
	if (!get_int(w->c, v, path, &t) || t == IR_UNSET)
		return;
	if (t < 1 || t > 65535) {
		diag_error(w->c->d, v->loc, "\"%s\": invalid port %lld", path, (long long)t);
		return;
	}
	p->target = (uint32_t)t;
}

static void port_published(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			   const char *path)
{
	(void)at;
	(void)k;
	struct port *p = w->obj;
	const char *s = NULL;
	if (!get_scalar_str(w->c, v, path, &s) || !s || !*s)
		return;
	if (!parse_published(s, &p->published_lo, &p->published_hi)) {
		diag_error(w->c->d, v->loc, "\"%s\": invalid published port \"%s\"", path, s);
		return;
	}
	p->published = s;
}

static void port_protocol(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)k;
	struct port *p = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	char *low = arena_strdup(w->c->a, s);
	for (char *q = low; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	int i = ir_lookup(port_proto_names, PROTO__MAX, low);
	if (i < 0)
		diag_error(w->c->d, v->loc, "\"%s\": invalid protocol \"%s\"", path, s);
	else
		p->protocol = (enum port_proto)i;
}

static void port_mode(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct port *p = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(port_mode_names, PORT_MODE__MAX, s);
	if (i < 0)
		diag_error(w->c->d, v->loc, "\"%s\": invalid port mode \"%s\"", path, s);
	else
		p->mode = (enum port_mode)i;
}

static void port_host_ip(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	(void)k;
	struct port *p = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	/* "" too (an unset ${BIND_IP:-}): docker compose refuses it */
	if (!valid_ip(s)) {
		diag_error(w->c->d, v->loc, "\"%s\": invalid ip address \"%s\"", path, s);
		return;
	}
	p->host_ip = s;
}

#define P(name, fn, field) { name, fn, offsetof(struct port, field) }
static const struct attr port_attrs[] = {
	P("app_protocol", attr_str, app_protocol), P("host_ip", port_host_ip, host_ip),
	P("mode", port_mode, mode),                P("name", attr_str, name),
	P("protocol", port_protocol, protocol),    P("published", port_published, published),
	P("target", port_target, target),
};

/* After canonicalisation, compose-go de-duplicates ports again by their
 * canonical form ("8080:80" and {target: 80, published: "8080"} are one
 * port): the later entry takes the earlier one's place.  (Through a map
 * when there are many: a range expands to thousands of ports, and
 * comparing each with all before it took minutes.) */
static bool same_port(const struct port *a, const struct port *b)
{
	return a->target == b->target && a->protocol == b->protocol &&
	       strcmp(a->host_ip ? a->host_ip : "0.0.0.0", b->host_ip ? b->host_ip : "0.0.0.0") == 0 &&
	       strcmp(a->published ? a->published : "", b->published ? b->published : "") == 0;
}

static void dedupe_ports(struct lower_ctx *c, struct service *s)
{
	size_t n = 0;
	if (s->n_ports <= 16) { /* the usual few: compared pairwise, nothing allocated */
		for (size_t i = 0; i < s->n_ports; i++) {
			size_t j = 0;
			while (j < n && !same_port(&s->ports[j], &s->ports[i]))
				j++;
			s->ports[j] = s->ports[i];
			n += j == n;
		}
		s->n_ports = n;
		return;
	}
	struct strmap seen; /* canonical form -> index + 1 in the result */
	strmap_init(&seen, arena_aux(c->a));
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct port *p = &s->ports[i];
		const char *key = arena_printf(arena_aux(c->a), "%u/%d/%s/%s", (unsigned)p->target, (int)p->protocol,
					       p->host_ip ? p->host_ip : "0.0.0.0", p->published ? p->published : "");
		size_t j = (size_t)strmap_get(&seen, key);
		if (!j) {
			j = ++n;
			strmap_put(&seen, key, (void *)j);
		}
		s->ports[j - 1] = *p;
	}
	s->n_ports = n;
}

/* Ranges expand ("1-65535" is 65,535 ports): the ports of a project are
 * bounded; past the limit the service's ports are dropped after one error. */
static bool too_many_ports(struct lower_ctx *c, struct service *s, const struct node *v)
{
	if (c->ports + s->n_ports <= LOWER_MAX_PORTS)
		return false;
	diag_error(c->d, v->loc, "ports expand to more than %d in the project (limit: number of ports)", LOWER_MAX_PORTS);
	c->ports = LOWER_MAX_PORTS + 1; /* every later service fails at once */
	s->n_ports = 0;
	return true;
}

static void h_ports(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v) || !need_seq(c, v, path))
		return;
	for (size_t i = 0; i < v->seq.n; i++) {
		struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		enum scalar_type t = it->kind == NODE_SCALAR ? node_scalar_type(it) : SCALAR_NULL;
		if (too_many_ports(c, s, v))
			return;
		if (it->kind == NODE_SCALAR && (t == SCALAR_STR || t == SCALAR_INT)) {
			const char *err = NULL;
			if (parse_port_short(c->a, scalar_string(c, it), it->loc, &s->ports, &s->n_ports, &err) != 0)
				diag_error(c->d, it->loc, "\"%s\": %s", ipath, err ? err : "invalid port");
			continue;
		}
		if (it->kind != NODE_MAP) {
			lower_type_error(c, it, ipath, "a string, a number or a mapping");
			continue;
		}
		struct port p = { .loc = it->loc };
		walk_sub(c, &p, NULL, it, ipath, port_attrs, ARRAY_SIZE(port_attrs), NULL, NULL);
		if (!p.target && !node_map_get(it, "target")) {
			diag_error(c->d, it->loc, "\"%s.target\" is required", ipath);
			continue;
		}
		s->ports = grow1(c->a, s->ports, s->n_ports, sizeof(*s->ports));
		s->ports[s->n_ports++] = p;
	}
	if (too_many_ports(c, s, v))
		return;
	dedupe_ports(c, s);
	c->ports += s->n_ports;
}

/* ---- volumes ------------------------------------------------------------------ */

struct mount_aux {
	bool type_set;
};

static void m_type(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct mount *m = w->obj;
	struct mount_aux *aux = w->aux;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(mount_type_names, MOUNT__MAX, s);
	if (i < 0) {
		diag_error(w->c->d, v->loc, "\"%s\": invalid mount type \"%s\"", path, s);
		return;
	}
	m->type = (enum mount_type)i;
	aux->type_set = true;
}

static void m_bool(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	enum tri t = TRI_UNSET;
	if (get_bool(w->c, v, path, &t))
		*FIELD(w, at, bool) = t == TRI_TRUE;
}

static void m_propagation(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)k;
	struct mount *m = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(propagation_names, PROP__MAX, s);
	if (i <= 0)
		diag_error(w->c->d, v->loc, "\"%s\": invalid propagation \"%s\"", path, s);
	else
		m->bind.propagation = (enum propagation)i;
}

static void m_selinux(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path)
{
	(void)at;
	(void)k;
	struct mount *m = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	if (strcmp(s, "z") != 0 && strcmp(s, "Z") != 0)
		diag_error(w->c->d, v->loc, "\"%s\": invalid selinux label \"%s\" (use z or Z)", path, s);
	else
		m->bind.selinux = s;
}

/* A file mode: an int (YAML 0440 is already octal) or an octal string. */
static bool get_mode(struct lower_ctx *c, const struct node *v, const char *path, int64_t *out)
{
	if (node_is_null(v))
		return true;
	if (v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		char *end;
		errno = 0;
		long m = strtol(v->scalar.text, &end, 8);
		if (*v->scalar.text && !*end && !errno && m >= 0) {
			*out = m;
			return true;
		}
		diag_error(c->d, v->loc, "\"%s\": invalid file mode \"%s\"", path, v->scalar.text);
		return false;
	}
	return get_int(c, v, path, out);
}

static void m_tmpfs_mode(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	(void)k;
	struct mount *m = w->obj;
	get_mode(w->c, v, path, &m->tmpfs.mode);
}

#define MNT(name, fn, field) { name, fn, offsetof(struct mount, field) }
static const struct attr bind_attrs[] = {
	MNT("create_host_path", attr_tri, bind.create_host_path),
	MNT("propagation", m_propagation, bind.propagation),
	MNT("recursive", attr_str, bind.recursive),
	MNT("selinux", m_selinux, bind.selinux),
};
static const struct attr volume_opt_attrs[] = {
	MNT("labels", attr_labels, volume.labels),
	MNT("nocopy", m_bool, volume.nocopy),
	MNT("subpath", attr_str, volume.subpath),
};
static const struct attr tmpfs_attrs[] = {
	MNT("mode", m_tmpfs_mode, tmpfs.mode),
	MNT("size", attr_bytes, tmpfs.size),
};
static const struct attr image_attrs[] = {
	MNT("subpath", attr_str, image.subpath),
};

static void m_sub(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	struct mount *m = w->obj;
	const struct attr *t;
	size_t n;
	switch (at->off) {
	case MOUNT_BIND:
		m->has_bind = true;
		t = bind_attrs;
		n = ARRAY_SIZE(bind_attrs);
		break;
	case MOUNT_VOLUME:
		m->has_volume = true;
		t = volume_opt_attrs;
		n = ARRAY_SIZE(volume_opt_attrs);
		break;
	case MOUNT_TMPFS:
		m->has_tmpfs = true;
		t = tmpfs_attrs;
		n = ARRAY_SIZE(tmpfs_attrs);
		break;
	default:
		m->has_image = true;
		t = image_attrs;
		n = ARRAY_SIZE(image_attrs);
		break;
	}
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	walk_sub(w->c, m, NULL, v, path, t, n, NULL, NULL);
}

static const struct attr mount_attrs[] = {
	{ "bind", m_sub, MOUNT_BIND },
	MNT("consistency", attr_str, consistency),
	{ "image", m_sub, MOUNT_IMAGE },
	MNT("read_only", m_bool, read_only),
	MNT("source", attr_str, source),
	MNT("target", attr_str, target),
	{ "tmpfs", m_sub, MOUNT_TMPFS },
	MNT("type", m_type, type),
	{ "volume", m_sub, MOUNT_VOLUME },
};

static bool lower_mount_long(struct lower_ctx *c, struct node *it, const char *path, struct mount *m)
{
	struct mount_aux aux = { 0 };
	m->tmpfs.size = IR_UNSET;
	m->tmpfs.mode = IR_UNSET;
	struct walk w = { .c = c, .obj = m, .aux = &aux, .path = path };
	int e0 = c->d->errors;
	walk_map(&w, it, mount_attrs, ARRAY_SIZE(mount_attrs));
	if (c->d->errors > e0)
		return false;
	if (!aux.type_set) {
		diag_error(c->d, it->loc, "\"%s.type\" is required", path);
		return false;
	}
	if (!m->target || !*m->target) {
		if (m->type != MOUNT_NPIPE) {
			diag_error(c->d, it->loc, "\"%s.target\" is required", path);
			return false;
		}
	} else {
		m->target = path_clean(c->a, m->target);
	}
	if (m->source && !*m->source)
		m->source = NULL;
	switch (m->type) {
	case MOUNT_BIND:
		if (!m->source) {
			diag_error(c->d, it->loc, "\"%s\": a bind mount needs a \"source\"", path);
			return false;
		}
		m->source_written = m->source;
		m->source = lower_abs_path(c, m->source);
		break;
	case MOUNT_TMPFS:
		if (m->source) {
			diag_error(c->d, it->loc, "\"%s\": a tmpfs mount has no \"source\"", path);
			return false;
		}
		break;
	case MOUNT_IMAGE:
		if (!m->source) {
			diag_error(c->d, it->loc, "\"%s\": an image mount needs a \"source\"", path);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

static void h_volumes(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v) || !need_seq(c, v, path))
		return;
	for (size_t i = 0; i < v->seq.n; i++) {
		struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		struct mount m = { 0 };
		if (it->kind == NODE_SCALAR && node_scalar_type(it) == SCALAR_STR) {
			const char *err = NULL;
			m.tmpfs.size = IR_UNSET;
			m.tmpfs.mode = IR_UNSET;
			if (parse_volume_short(c->a, it->scalar.text, &m, &err) != 0) {
				diag_error(c->d, it->loc, "\"%s\": %s", ipath, err ? err : "invalid volume");
				continue;
			}
			if (m.type == MOUNT_BIND && m.source) {
				m.source_written = m.source;
				m.source = lower_abs_path(c, m.source);
			}
		} else if (it->kind == NODE_MAP) {
			if (!lower_mount_long(c, it, ipath, &m))
				continue;
		} else {
			lower_type_error(c, it, ipath, "a string or a mapping");
			continue;
		}
		m.loc = it->loc;
		s->volumes = grow1(c->a, s->volumes, s->n_volumes, sizeof(*s->volumes));
		s->volumes[s->n_volumes++] = m;
	}
}

/* ---- depends_on ------------------------------------------------------------ */

static void add_dependency(struct lower_ctx *c, struct service *s, struct dependency d)
{
	/* never overwrite an earlier (explicit) entry; a map, not a scan of the
	 * list: 100,000 depends_on entries took minutes */
	const char *key = arena_printf(c->a, "%p %s", (void *)s, d.service);
	if (strmap_has(&c->deps_seen, key))
		return;
	strmap_put(&c->deps_seen, key, (void *)1);
	s->depends_on = grow1(c->a, s->depends_on, s->n_depends_on, sizeof(*s->depends_on));
	s->depends_on[s->n_depends_on++] = d;
}

static void dep_condition(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)k;
	struct dependency *d = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(dep_condition_names, DEP__MAX, s);
	if (i < 0)
		diag_error(w->c->d, v->loc,
			   "\"%s\": invalid condition \"%s\" (expected service_started, service_healthy or "
			   "service_completed_successfully)",
			   path, s);
	else
		d->condition = (enum dep_condition)i;
}

static void dep_bool(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	enum tri t = TRI_UNSET;
	if (get_bool(w->c, v, path, &t) && t != TRI_UNSET)
		*FIELD(w, at, bool) = t == TRI_TRUE;
}

#define D(name, fn, field) { name, fn, offsetof(struct dependency, field) }
static const struct attr dep_attrs[] = {
	D("condition", dep_condition, condition),
	D("required", dep_bool, required),
	D("restart", dep_bool, restart),
};

static void h_depends_on(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v))
		return;
	if (v->kind == NODE_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct node *it = v->seq.items[i];
			if (it->kind != NODE_SCALAR || node_scalar_type(it) != SCALAR_STR) {
				lower_type_error(c, it, lower_path_idx(c, path, i), "a string");
				continue;
			}
			add_dependency(c, s,
				       (struct dependency){ .service = it->scalar.text, .required = true, .loc = it->loc });
		}
		return;
	}
	if (v->kind != NODE_MAP) {
		lower_type_error(c, v, path, "a list or a mapping");
		return;
	}
	for (size_t i = 0; i < v->map.n; i++) {
		struct node *dk = v->map.pairs[i].key, *dv = v->map.pairs[i].value;
		struct dependency d = { .service = dk->scalar.text, .required = true, .loc = dk->loc };
		const char *dpath = lower_path(c, path, dk->scalar.text);
		if (!node_is_null(dv)) {
			if (!need_map(c, dv, dpath))
				continue;
			walk_sub(c, &d, NULL, dv, dpath, dep_attrs, ARRAY_SIZE(dep_attrs), NULL, NULL);
		}
		add_dependency(c, s, d);
	}
}

/* ---- healthcheck --------------------------------------------------------------- */

static void hc_test(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct healthcheck *h = w->obj;
	struct command cmd;
	if (node_is_null(v))
		return;
	if (v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		h->test_kind = HC_TEST_CMD_SHELL;
		h->test_args.v = arena_alloc(c->a, 2 * sizeof(*h->test_args.v));
		h->test_args.locs = arena_alloc(c->a, 2 * sizeof(*h->test_args.locs));
		h->test_args.v[0] = v->scalar.text;
		h->test_args.locs[0] = v->loc;
		h->test_args.n = 1;
		return;
	}
	if (v->kind != NODE_SEQ) {
		lower_type_error(c, v, path, "a string or a list");
		return;
	}
	lower_command(c, &cmd, k, v, path);
	if (!cmd.argv.n)
		return;
	const char *first = cmd.argv.v[0];
	if (strcmp(first, "CMD") == 0)
		h->test_kind = HC_TEST_CMD;
	else if (strcmp(first, "CMD-SHELL") == 0)
		h->test_kind = HC_TEST_CMD_SHELL;
	else if (strcmp(first, "NONE") == 0)
		h->test_kind = HC_TEST_NONE;
	else {
		diag_error(c->d, v->seq.items[0]->loc,
			   "\"%s\": the first word must be \"CMD\", \"CMD-SHELL\" or \"NONE\", not \"%s\"", path, first);
		return;
	}
	h->test_args.v = cmd.argv.v + 1;
	h->test_args.locs = cmd.argv.locs + 1;
	h->test_args.n = cmd.argv.n - 1;
}

static void hc_disable(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		       const char *path)
{
	(void)at;
	(void)k;
	struct healthcheck *h = w->obj;
	enum tri t = TRI_UNSET;
	if (get_bool(w->c, v, path, &t))
		h->disable = t == TRI_TRUE;
}

#define HC(name, fn, field) { name, fn, offsetof(struct healthcheck, field) }
static const struct attr hc_attrs[] = {
	HC("disable", hc_disable, disable),
	HC("interval", attr_duration, interval),
	HC("retries", attr_int, retries),
	HC("start_interval", attr_duration, start_interval),
	HC("start_period", attr_duration, start_period),
	HC("test", hc_test, test_kind),
	HC("timeout", attr_duration, timeout),
};

static void h_healthcheck(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	struct service *s = w->obj;
	struct healthcheck *h = &s->healthcheck;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	h->present = true;
	h->loc = k->loc;
	walk_sub(w->c, h, NULL, v, path, hc_attrs, ARRAY_SIZE(hc_attrs), NULL, NULL);
}

/* ---- hooks ---------------------------------------------------------------------- */

#define HK(name, fn, field) { name, fn, offsetof(struct hook, field) }
static const struct attr pre_start_attrs[] = {
	HK("command", attr_command, command),
	HK("environment", attr_environment, own_environment),
	HK("image", attr_str, image),
	HK("per_replica", attr_tri, per_replica),
	HK("privileged", attr_tri, privileged),
	HK("user", attr_str, user),
	HK("working_dir", attr_str, working_dir),
};
static const struct attr service_hook_attrs[] = {
	HK("command", attr_command, command),
	HK("environment", attr_environment, own_environment),
	HK("privileged", attr_tri, privileged),
	HK("user", attr_str, user),
	HK("working_dir", attr_str, working_dir),
};

enum hook_kind { HOOK_PRE_START, HOOK_POST_START, HOOK_PRE_STOP };

static void h_hooks(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	struct hook **list;
	size_t *n;
	switch ((enum hook_kind)at->off) {
	case HOOK_PRE_START:
		list = &s->pre_start, n = &s->n_pre_start;
		break;
	case HOOK_POST_START:
		list = &s->post_start, n = &s->n_post_start;
		break;
	default:
		list = &s->pre_stop, n = &s->n_pre_stop;
		break;
	}
	bool pre = at->off == HOOK_PRE_START;
	if (node_is_null(v) || !need_seq(c, v, path))
		return;
	for (size_t i = 0; i < v->seq.n; i++) {
		struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		if (!need_map(c, it, ipath))
			continue;
		struct hook h = { .loc = it->loc };
		walk_sub(c, &h, NULL, it, ipath, pre ? pre_start_attrs : service_hook_attrs,
			 pre ? ARRAY_SIZE(pre_start_attrs) : ARRAY_SIZE(service_hook_attrs), NULL, &h.extensions);
		if (!pre && !node_map_get(it, "command")) {
			diag_error(c->d, it->loc, "\"%s.command\" is required", ipath);
			continue;
		}
		*list = grow1(c->a, *list, *n, sizeof(**list));
		(*list)[(*n)++] = h;
	}
}

/* ---- restart ---------------------------------------------------------------------- */

static void h_restart(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path)
{
	(void)at;
	struct service *s = w->obj;
	const char *str = NULL;
	if (!get_str(w->c, v, path, &str) || !str)
		return;
	s->restart_loc = k->loc;
	if (str_has_prefix(str, "on-failure:")) {
		long long n;
		const char *num = str + strlen("on-failure:");
		char *end;
		errno = 0;
		n = strtoll(num, &end, 10);
		if (!*num || *end || errno || n < 0) {
			diag_error(w->c->d, v->loc, "\"%s\": invalid restart policy \"%s\"", path, str);
			return;
		}
		s->restart = RESTART_ON_FAILURE;
		s->restart_max_retries = n;
		return;
	}
	int i = ir_lookup(restart_policy_names, RESTART__MAX, str);
	if (i <= 0) {
		diag_error(w->c->d, v->loc,
			   "\"%s\": invalid restart policy \"%s\" (expected \"no\", always, on-failure[:N] or "
			   "unless-stopped)",
			   path, str);
		return;
	}
	s->restart = (enum restart_policy)i;
}

/* ---- deploy ------------------------------------------------------------------------ */

static void dp_mode(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct deploy *d = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(deploy_mode_names, DEPLOY__MAX, s);
	if (i < 0) {
		diag_error(w->c->d, v->loc, "\"%s\": invalid deploy mode \"%s\"", path, s);
		return;
	}
	d->mode = (enum deploy_mode)i;
	d->has_mode = true;
}

static void rp_condition(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	(void)k;
	struct deploy *d = w->obj;
	const char *s = NULL;
	if (!get_str(w->c, v, path, &s) || !s)
		return;
	int i = ir_lookup(restart_condition_names, RCOND__MAX, s);
	if (i <= 0) {
		/* docker compose passes any other word to the engine */
		diag_warning(w->c->d, v->loc,
			     "\"%s\": unknown restart condition \"%s\" (none, no, on-failure, any, always, "
			     "unless-stopped): passed to the engine as is, which refuses it",
			     path, s);
		d->restart_policy.condition = RCOND_OTHER;
		d->restart_policy.condition_other = s;
		return;
	}
	d->restart_policy.condition = (enum restart_condition)i;
}

#define DP(name, fn, field) { name, fn, offsetof(struct deploy, field) }
static const struct attr restart_policy_attrs[] = {
	DP("condition", rp_condition, restart_policy.condition),
	DP("delay", attr_duration, restart_policy.delay),
	DP("max_attempts", attr_int, restart_policy.max_attempts),
	DP("window", attr_duration, restart_policy.window),
};

static void dp_restart_policy(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			      const char *path)
{
	(void)at;
	struct deploy *d = w->obj;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	d->restart_policy.present = true;
	d->restart_policy.loc = k->loc;
	walk_sub(w->c, d, NULL, v, path, restart_policy_attrs, ARRAY_SIZE(restart_policy_attrs), NULL, NULL);
}

#define RS(name, fn, field) { name, fn, offsetof(struct resource_spec, field) }
static const struct attr limits_attrs[] = {
	RS("cpus", attr_double, cpus),
	RS("memory", attr_bytes, memory),
	RS("pids", attr_int, pids),
};
static const struct attr reservations_attrs[] = {
	RS("cpus", attr_double, cpus),
	{ "devices", attr_device_requests, 0 },
	{ "generic_resources", attr_extra, 0 },
	RS("memory", attr_bytes, memory),
	RS("pids", attr_int, pids),
};

static void rs_spec(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	struct deploy *d = w->obj;
	bool lim = at->off == 0;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	struct ir_value *extra = NULL;
	(lim ? &d->limits : &d->reservations)->present = true;
	walk_sub(w->c, lim ? &d->limits : &d->reservations, NULL, v, path, lim ? limits_attrs : reservations_attrs,
		 lim ? ARRAY_SIZE(limits_attrs) : ARRAY_SIZE(reservations_attrs), &extra, NULL);
	if (extra)
		mvec_add(w->c, &w->extra, k->scalar.text, extra);
}

static const struct attr resources_attrs[] = {
	{ "limits", rs_spec, 0 },
	{ "reservations", rs_spec, 1 },
};

static void dp_resources(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	struct ir_value *extra = NULL;
	walk_sub(w->c, w->obj, NULL, v, path, resources_attrs, ARRAY_SIZE(resources_attrs), &extra, NULL);
	if (extra)
		mvec_add(w->c, &w->extra, k->scalar.text, extra);
}

static const struct attr deploy_attrs[] = {
	DP("endpoint_mode", attr_extra, extra),
	DP("labels", attr_labels, labels),
	DP("mode", dp_mode, mode),
	DP("placement", attr_extra, extra),
	DP("replicas", attr_int, replicas),
	DP("resources", dp_resources, limits),
	DP("restart_policy", dp_restart_policy, restart_policy),
	DP("rollback_config", attr_extra, extra),
	DP("update_config", attr_extra, extra),
};

static void h_deploy(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	struct service *s = w->obj;
	struct deploy *d = &s->deploy;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	d->present = true;
	d->loc = k->loc;
	walk_sub(w->c, d, NULL, v, path, deploy_attrs, ARRAY_SIZE(deploy_attrs), &d->extra, NULL);
}

/* ---- ulimits, extra_hosts, devices, logging ------------------------------------ */

static int ulimit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ulimit *)a)->name, ((const struct ulimit *)b)->name);
}

static void h_ulimits(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v) || !need_map(c, v, path))
		return;
	for (size_t i = 0; i < v->map.n; i++) {
		struct node *uk = v->map.pairs[i].key, *uv = v->map.pairs[i].value;
		const char *upath = lower_path(c, path, uk->scalar.text);
		struct ulimit u = { .name = uk->scalar.text, .soft = IR_UNSET, .hard = IR_UNSET, .loc = uk->loc };
		if (uv->kind == NODE_MAP) {
			for (size_t j = 0; j < uv->map.n; j++) {
				struct node *kk = uv->map.pairs[j].key, *vv = uv->map.pairs[j].value;
				const char *kpath = lower_path(c, upath, kk->scalar.text);
				if (strcmp(kk->scalar.text, "soft") == 0)
					get_int(c, vv, kpath, &u.soft);
				else if (strcmp(kk->scalar.text, "hard") == 0)
					get_int(c, vv, kpath, &u.hard);
				else if (!str_has_prefix(kk->scalar.text, "x-"))
					lower_unknown(c, kk, kpath);
			}
			if (u.soft == IR_UNSET || u.hard == IR_UNSET) {
				diag_error(c->d, uk->loc, "\"%s\": both \"soft\" and \"hard\" are required", upath);
				continue;
			}
		} else {
			int64_t n = IR_UNSET;
			if (!get_int(c, uv, upath, &n) || n == IR_UNSET) {
				if (node_is_null(uv))
					lower_type_error(c, uv ? uv : uk, upath, "an integer or a mapping");
				continue;
			}
			u.soft = u.hard = n;
			u.single = true;
		}
		size_t j;
		for (j = 0; j < s->n_ulimits; j++)
			if (strcmp(s->ulimits[j].name, u.name) == 0)
				break;
		if (j == s->n_ulimits)
			s->ulimits = grow1(c->a, s->ulimits, s->n_ulimits++, sizeof(*s->ulimits));
		s->ulimits[j] = u;
	}
	if (s->n_ulimits)
		qsort(s->ulimits, s->n_ulimits, sizeof(*s->ulimits), ulimit_cmp);
}

static int host_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : strcmp(x->value ? x->value : "", y->value ? y->value : "");
}

static const char *strip_brackets(struct lower_ctx *c, const char *ip)
{
	size_t n = strlen(ip);
	if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']')
		return arena_strndup(c->a, ip + 1, n - 2);
	return ip;
}

static void add_host(struct lower_ctx *c, struct kvlist *l, const char *host, const char *ip, struct loc loc)
{
	l->v = grow1(c->a, l->v, l->n, sizeof(*l->v));
	l->v[l->n++] = (struct kv){ host, strip_brackets(c, ip), loc };
}

/* extra_hosts: a list of host=ip / host:ip, or a mapping host -> ip(s);
 * the result is sorted, as compose's HostsList prints it. */
static void lower_extra_hosts(struct lower_ctx *c, struct kvlist *l, const struct node *v, const char *path)
{
	if (node_is_null(v))
		return;
	if (v->kind == NODE_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct node *it = v->seq.items[i];
			const char *ipath = lower_path_idx(c, path, i);
			if (it->kind != NODE_SCALAR || node_scalar_type(it) != SCALAR_STR) {
				lower_type_error(c, it, ipath, "a string");
				continue;
			}
			const char *err = NULL;
			size_t n0 = l->n;
			if (parse_extra_host(c->a, it->scalar.text, &l->v, &l->n, &err) != 0) {
				diag_error(c->d, it->loc, "\"%s\": %s", ipath, err ? err : "invalid extra host");
				continue;
			}
			for (size_t j = n0; j < l->n; j++)
				l->v[j].loc = it->loc;
		}
	} else if (v->kind == NODE_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			const struct node *hk = v->map.pairs[i].key, *hv = v->map.pairs[i].value;
			const char *hpath = lower_path(c, path, hk->scalar.text);
			if (hv->kind == NODE_SCALAR && node_scalar_type(hv) == SCALAR_STR) {
				add_host(c, l, hk->scalar.text, hv->scalar.text, hk->loc);
			} else if (hv->kind == NODE_SEQ) {
				for (size_t j = 0; j < hv->seq.n; j++) {
					const struct node *ip = hv->seq.items[j];
					if (ip->kind != NODE_SCALAR || node_scalar_type(ip) != SCALAR_STR)
						lower_type_error(c, ip, lower_path_idx(c, hpath, j), "a string");
					else
						add_host(c, l, hk->scalar.text, ip->scalar.text, hk->loc);
				}
			} else {
				lower_type_error(c, hv, hpath, "a string or a list");
			}
		}
	} else {
		lower_type_error(c, v, path, "a list or a mapping");
		return;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), host_cmp);
}

static void h_extra_hosts(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)k;
	lower_extra_hosts(w->c, &((struct service *)w->obj)->extra_hosts, v, path);
}

#define DV(name, fn, field) { name, fn, offsetof(struct device, field) }
static const struct attr device_attrs[] = {
	DV("permissions", attr_str, permissions),
	DV("source", attr_str, source),
	DV("target", attr_str, target),
};

static void h_devices(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v) || !need_seq(c, v, path))
		return;
	for (size_t i = 0; i < v->seq.n; i++) {
		struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		struct device d = { 0 };
		if (it->kind == NODE_SCALAR && node_scalar_type(it) == SCALAR_STR) {
			const char *err = NULL;
			if (parse_device_short(c->a, it->scalar.text, &d, &err) != 0) {
				diag_error(c->d, it->loc, "\"%s\": %s", ipath, err ? err : "invalid device");
				continue;
			}
		} else if (it->kind == NODE_MAP) {
			walk_sub(c, &d, NULL, it, ipath, device_attrs, ARRAY_SIZE(device_attrs), NULL, NULL);
			if (!d.source) {
				diag_error(c->d, it->loc, "\"%s.source\" is required", ipath);
				continue;
			}
			if (!d.target)
				d.target = d.source;
			if (!d.permissions)
				d.permissions = "rwm";
		} else {
			lower_type_error(c, it, ipath, "a string or a mapping");
			continue;
		}
		d.loc = it->loc;
		s->devices = grow1(c->a, s->devices, s->n_devices, sizeof(*s->devices));
		s->devices[s->n_devices++] = d;
	}
}

#define LG(name, fn, field) { name, fn, offsetof(struct logging, field) }
static const struct attr logging_attrs[] = {
	LG("driver", attr_str, driver),
	LG("options", attr_opts, options),
};

static void h_logging(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct service *s = w->obj;
	if (node_is_null(v) || !need_map(w->c, v, path))
		return;
	s->logging.present = true;
	walk_sub(w->c, &s->logging, NULL, v, path, logging_attrs, ARRAY_SIZE(logging_attrs), NULL, NULL);
}

/* ---- secrets / configs references ------------------------------------------------ */

static void fr_mode(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	struct file_ref *f = w->obj;
	get_mode(w->c, v, path, &f->mode);
}

#define FR(name, fn, field) { name, fn, offsetof(struct file_ref, field) }
static const struct attr file_ref_attrs[] = {
	FR("gid", attr_scalar_str, gid),  FR("mode", fr_mode, mode),       FR("source", attr_str, source),
	FR("target", attr_str, target), FR("uid", attr_scalar_str, uid),
};

static void h_file_refs(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			const char *path)
{
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	bool secrets = at->off == RES_SECRET;
	struct file_ref **list = secrets ? &s->secrets : &s->configs;
	size_t *n = secrets ? &s->n_secrets : &s->n_configs;
	if (node_is_null(v) || !need_seq(c, v, path))
		return;
	for (size_t i = 0; i < v->seq.n; i++) {
		struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		struct file_ref f = { .mode = IR_UNSET, .loc = it->loc };
		if (it->kind == NODE_SCALAR && node_scalar_type(it) == SCALAR_STR) {
			f.source = it->scalar.text;
		} else if (it->kind == NODE_MAP) {
			walk_sub(c, &f, NULL, it, ipath, file_ref_attrs, ARRAY_SIZE(file_ref_attrs), NULL, NULL);
			if (!f.source) {
				diag_error(c->d, it->loc, "\"%s.source\" is required", ipath);
				continue;
			}
		} else {
			lower_type_error(c, it, ipath, "a string or a mapping");
			continue;
		}
		if (secrets && !f.target) /* compose-go's default, also what the engine gets */
			f.target = arena_printf(c->a, "/run/secrets/%s", f.source);
		*list = grow1(c->a, *list, *n, sizeof(**list));
		(*list)[(*n)++] = f;
	}
}

/* ---- networks ---------------------------------------------------------------------- */

#define SN(name, fn, field) { name, fn, offsetof(struct service_network, field) }
static const struct attr svc_network_attrs[] = {
	SN("aliases", attr_strlist, aliases),
	SN("driver_opts", attr_opts, driver_opts),
	SN("gw_priority", attr_int, gw_priority),
	SN("interface_name", attr_str, interface_name),
	SN("ipv4_address", attr_str, ipv4_address),
	SN("ipv6_address", attr_str, ipv6_address),
	SN("link_local_ips", attr_strlist, link_local_ips),
	SN("mac_address", attr_str, mac_address),
	SN("priority", attr_int, priority),
};

static void add_network(struct lower_ctx *c, struct service *s, struct service_network n)
{
	for (size_t i = 0; i < s->n_networks; i++) {
		if (strcmp(s->networks[i].name, n.name) == 0) {
			s->networks[i] = n;
			return;
		}
	}
	s->networks = grow1(c->a, s->networks, s->n_networks, sizeof(*s->networks));
	s->networks[s->n_networks++] = n;
	if (strcmp(n.name, "default") == 0)
		c->default_net_used = true;
}

static void h_networks(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		       const char *path)
{
	(void)at;
	(void)k;
	struct lower_ctx *c = w->c;
	struct service *s = w->obj;
	if (node_is_null(v))
		return;
	if (v->kind == NODE_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct node *it = v->seq.items[i];
			if (it->kind != NODE_SCALAR || node_scalar_type(it) != SCALAR_STR) {
				lower_type_error(c, it, lower_path_idx(c, path, i), "a string");
				continue;
			}
			add_network(c, s,
				    (struct service_network){ .name = it->scalar.text, .priority = IR_UNSET,
							      .gw_priority = IR_UNSET, .loc = it->loc });
		}
		return;
	}
	if (v->kind != NODE_MAP) {
		lower_type_error(c, v, path, "a list or a mapping");
		return;
	}
	for (size_t i = 0; i < v->map.n; i++) {
		struct node *nk = v->map.pairs[i].key, *nv = v->map.pairs[i].value;
		const char *npath = lower_path(c, path, nk->scalar.text);
		struct service_network n = {
			.name = nk->scalar.text, .priority = IR_UNSET, .gw_priority = IR_UNSET, .loc = nk->loc
		};
		if (!node_is_null(nv)) {
			if (!need_map(c, nv, npath))
				continue;
			n.has_config = true;
			walk_sub(c, &n, NULL, nv, npath, svc_network_attrs, ARRAY_SIZE(svc_network_attrs), NULL, NULL);
		}
		add_network(c, s, n);
	}
}

/* ---- small specific handlers ---------------------------------------------------------- */

static void h_pull_policy(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)k;
	struct service *s = w->obj;
	const char *str = NULL;
	if (!get_str(w->c, v, path, &str) || !str)
		return;
	s->pull_policy = strcmp(str, "if_not_present") == 0 ? "missing" : str;
}

/* cpu_rt_period / cpu_rt_runtime: microseconds, as an int or a duration */
static void h_cpu_rt(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	int64_t *f = FIELD(w, at, int64_t);
	if (v && v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		long long i;
		if (scalar_parse_int(v->scalar.text, &i)) {
			*f = i;
			return;
		}
		get_duration(w->c, v, path, f);
		return;
	}
	get_int(w->c, v, path, f);
}

/* ---- the service attributes ------------------------------------------------------------ */

/* The attributes read by code of their own; every other one is read by
 * its type in the field table (ir/fields.c).  In name order. */
#define S(name, fn, field) { name, fn, offsetof(struct service, field) }
#define SX(name, fn, off) { name, fn, off }
static const struct attr service_special[] = {
	S("build", h_build, build),
	SX("configs", h_file_refs, RES_CONFIG),
	S("depends_on", h_depends_on, depends_on),
	S("deploy", h_deploy, deploy),
	SX("develop", attr_develop, 0),
	S("devices", h_devices, devices),
	S("extra_hosts", h_extra_hosts, extra_hosts),
	SX("gpus", attr_gpus, 0),
	S("healthcheck", h_healthcheck, healthcheck),
	S("logging", h_logging, logging),
	S("networks", h_networks, networks),
	S("ports", h_ports, ports),
	SX("post_start", h_hooks, HOOK_POST_START),
	SX("pre_start", h_hooks, HOOK_PRE_START),
	SX("pre_stop", h_hooks, HOOK_PRE_STOP),
	S("pull_policy", h_pull_policy, pull_policy),
	S("restart", h_restart, restart),
	SX("secrets", h_file_refs, RES_SECRET),
	S("ulimits", h_ulimits, ulimits),
	S("volumes", h_volumes, volumes),
};
#undef S
#undef SX

/* How the field table's types are read. */
static const attr_fn read_type[] = {
	[IR_FT_STR] = attr_str,
	[IR_FT_INT] = attr_int,
	[IR_FT_USEC] = h_cpu_rt,
	[IR_FT_BYTES] = attr_bytes,
	[IR_FT_DURATION] = attr_duration,
	[IR_FT_BOOL] = attr_tri,
	[IR_FT_FLOAT] = attr_double,
	[IR_FT_LIST] = attr_strlist,
	[IR_FT_LIST_NUM] = attr_strlist_num,
	[IR_FT_STR_OR_LIST] = attr_str_or_list,
	[IR_FT_MAP] = attr_labels,
	[IR_FT_OPTS] = attr_opts,
	[IR_FT_ENV] = attr_environment,
	[IR_FT_COMMAND] = attr_command,
	[IR_FT_TYPED] = NULL, /* service_special */
	[IR_FT_EXTRA] = attr_extra,
	[IR_FT_LOADER] = attr_ignore,
};

static const struct attr *special_of(const char *key)
{
	size_t lo = 0, hi = ARRAY_SIZE(service_special);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(service_special[mid].key, key);
		if (cmp == 0)
			return &service_special[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every pair of the service's mapping: x-* keys to w->ext, an attribute
 * by its special reader or its type, where its key is to s->field_locs,
 * anything else reported as unknown. */
static void walk_service(struct walk *w, struct service *s, const struct node *map)
{
	s->field_locs = arena_alloc(w->c->a, ir_n_service_fields * sizeof(*s->field_locs));
	memset(s->field_locs, 0, ir_n_service_fields * sizeof(*s->field_locs));
	for (size_t i = 0; i < map->map.n; i++) {
		struct node *k = map->map.pairs[i].key, *v = map->map.pairs[i].value;
		const char *key = k->scalar.text;
		if (key[0] == 'x' && key[1] == '-') {
			mvec_add(w->c, &w->ext, key, node_to_value(w->c, v));
			continue;
		}
		ir_key_record(w->c->p, w->c->a, map->loc, key, k->loc, v->loc);
		const struct ir_field *f = ir_service_field(key);
		const char *path = lower_path(w->c, w->path, key);
		if (!f) {
			lower_unknown_near(w->c, k, path,
					   lower_nearest(key, ir_service_fields, ir_n_service_fields, sizeof(*ir_service_fields)));
			continue;
		}
		s->field_locs[f - ir_service_fields] = k->loc;
		const struct attr *at = special_of(key);
		struct attr plain = { f->name, read_type[f->type], f->off };
		if (!at && plain.fn)
			at = &plain;
		if (!at) {
			diag_error(w->c->d, k->loc, "internal: no reader for \"%s\"", path);
			continue;
		}
		at->fn(w, at, k, v, path);
	}
}

/* ---- env_file / label_file ---------------------------------------------------------------- */

struct file_entry {
	const char *path;
	bool required;
	bool raw;
	struct loc loc;
};

/* env_file / label_file: a string, or a list of strings or {path, required, format}. */
static size_t file_entries(struct lower_ctx *c, const struct node *v, const char *path, bool allow_long,
			   struct file_entry **out)
{
	size_t n = 0;
	struct file_entry *e = NULL;
	if (node_is_null(v))
		return 0;
	if (v->kind == NODE_SCALAR && node_scalar_type(v) == SCALAR_STR) {
		e = arena_alloc(c->a, sizeof(*e));
		e[0] = (struct file_entry){ lower_abs_path(c, v->scalar.text), true, false, v->loc };
		*out = e;
		return 1;
	}
	if (v->kind != NODE_SEQ) {
		lower_type_error(c, v, path, "a string or a list");
		return 0;
	}
	e = arena_alloc(c->a, (v->seq.n + 1) * sizeof(*e));
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct node *it = v->seq.items[i];
		const char *ipath = lower_path_idx(c, path, i);
		if (it->kind == NODE_SCALAR && node_scalar_type(it) == SCALAR_STR) {
			e[n++] = (struct file_entry){ lower_abs_path(c, it->scalar.text), true, false, it->loc };
			continue;
		}
		if (!allow_long || it->kind != NODE_MAP) {
			lower_type_error(c, it, ipath, allow_long ? "a string or a mapping" : "a string");
			continue;
		}
		struct file_entry fe = { NULL, true, false, it->loc };
		bool ok = true;
		for (size_t j = 0; j < it->map.n; j++) {
			const struct node *kk = it->map.pairs[j].key, *vv = it->map.pairs[j].value;
			const char *key = kk->scalar.text, *kpath = lower_path(c, ipath, key);
			if (strcmp(key, "path") == 0) {
				ok &= get_str(c, vv, kpath, &fe.path);
			} else if (strcmp(key, "required") == 0) {
				enum tri t = TRI_UNSET;
				ok &= get_bool(c, vv, kpath, &t);
				if (t != TRI_UNSET)
					fe.required = t == TRI_TRUE;
			} else if (strcmp(key, "format") == 0) {
				const char *f = NULL;
				ok &= get_str(c, vv, kpath, &f);
				if (f && strcmp(f, "raw") == 0) {
					fe.raw = true;
				} else if (f && *f && strcmp(f, ".env") != 0) {
					diag_error(c->d, vv->loc, "\"%s\": unsupported env_file format \"%s\"", kpath, f);
					ok = false;
				}
			} else if (!str_has_prefix(key, "x-")) {
				lower_unknown(c, kk, kpath);
			}
		}
		if (!fe.path) {
			if (ok)
				diag_error(c->d, it->loc, "\"%s.path\" is required", ipath);
			continue;
		}
		if (!ok)
			continue;
		fe.path = lower_abs_path(c, fe.path);
		e[n++] = fe;
	}
	*out = e;
	return n;
}

/* NULL when missing; reports other read errors. */
static const char *read_file(struct lower_ctx *c, const char *path, struct loc loc, size_t *len,
			     bool *missing)
{
	*missing = false;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			*missing = true;
		else
			diag_error(c->d, loc, "cannot read \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	bool too_big = false, too_much = false;
	while (!too_big && !too_much && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		too_big = sb.len + n > LOWER_MAX_FILE_SIZE;
		too_much = c->file_bytes + sb.len + n > LOWER_MAX_FILES_TOTAL;
		sb_add(&sb, buf, n);
	}
	bool err = ferror(fp);
	fclose(fp);
	if (too_big)
		diag_error(c->d, loc, "\"%s\" is larger than %u MiB (limit: file size)", path, LOWER_MAX_FILE_SIZE >> 20);
	else if (too_much)
		diag_error(c->d, loc, "env and label files read add up to more than %u MiB (limit: total file size)",
			   LOWER_MAX_FILES_TOTAL >> 20);
	else if (err)
		diag_error(c->d, loc, "cannot read \"%s\"", path);
	if (err || too_big || too_much) {
		sb_release(&sb);
		return NULL;
	}
	c->file_bytes += sb.len;
	char *text = sb_to_arena(&sb, c->a);
	*len = sb.len;
	sb_release(&sb);
	return text;
}

/* Variables in an env_file resolve as docker compose 2.40 resolves them:
 * the project environment first, then values read from the service's
 * earlier env_files (the file's own earlier keys come last, in
 * dotenv_parse).  Checked against docker compose itself: golden/env-file-order,
 * tests/cli/test_reference_config.sh. */
struct envfile_lookup_ctx {
	const struct env *earlier;
	const struct env *project;
	const struct kvlist *service;
};

static const char *envfile_lookup(void *ctx, const char *name)
{
	struct envfile_lookup_ctx *l = ctx;
	const char *v = l->project ? env_get(l->project, name) : NULL;
	if (v)
		return v;
	v = l->earlier ? env_get(l->earlier, name) : NULL;
	if (v)
		return v;
	if (l->service) {
		const struct kv *kv = kv_find(l->service, name);
		if (kv)
			return kv->value;
	}
	return NULL;
}

/* Read the files into a kv list; `over` (environment or labels) wins. */
static void merge_files(struct lower_ctx *c, struct service *s, const struct node *v, const char *what,
			bool allow_long, struct kvlist *over, const struct kvlist *lookup_service)
{
	struct file_entry *e = NULL;
	size_t n = file_entries(c, v, lower_path(c, lower_path(c, "services", s->name), what), allow_long, &e);
	if (!n)
		return;
	struct env vars;
	env_init(&vars, c->a);
	struct envfile_lookup_ctx lctx = { NULL, c->in->env, lookup_service };
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		struct env *earlier = arena_alloc(c->a, sizeof(*earlier));
		env_init(earlier, c->a);
		for (size_t k = 0; k < vars.keys.n; k++)
			env_set(earlier, vars.keys.v[k], env_get(&vars, vars.keys.v[k]));
		lctx.earlier = earlier;
		bool missing;
		const char *text = read_file(c, e[i].path, e[i].loc, &len, &missing);
		if (!text) {
			if (missing && e[i].required)
				diag_error(c->d, e[i].loc, "%s \"%s\" not found",
					   strcmp(what, "env_file") == 0 ? "env file" : "label file", e[i].path);
			continue;
		}
		diag_add_source(c->d, e[i].path, text, len);
		dotenv_parse(c->a, c->d, e[i].path, text, len, e[i].raw, envfile_lookup, &lctx, &vars);
	}
	struct kvb b;
	kvb_init(&b, c->a);
	kvb_reserve(&b, c->a, vars.keys.n + over->n);
	for (size_t i = 0; i < vars.keys.n; i++) {
		const char *k = vars.keys.v[i];
		kvb_set(&b, c->a, k, env_get(&vars, k), e[0].loc);
	}
	for (size_t i = 0; i < over->n; i++) {
		kvb_set(&b, c->a, over->v[i].key, over->v[i].value, over->v[i].loc);
		b.v[b.n - 1].literal = over->v[i].literal;
		b.v[b.n - 1].shipped = over->v[i].shipped;
	}
	*over = kvb_finish(&b);
}

/* The specification's pattern for container_name, which its schema applies
 * as JSON Schema does, unanchored: somewhere in the name, a letter or digit
 * then one or more of letters, digits, _ . -.  (The engine anchors it: the
 * audit reports the names only it refuses.) */
static bool container_name_pattern(const char *n)
{
	for (size_t i = 0; n[i]; i++)
		if (isalnum((unsigned char)n[i]) && n[i + 1] &&
		    (isalnum((unsigned char)n[i + 1]) || strchr("_.-", n[i + 1])))
			return true;
	return false;
}

/* ---- normalization and checks --------------------------------------------------------------- */

static bool kv_sorted(const struct kvlist *l)
{
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].key, l->v[i].key) >= 0)
			return false;
	return true;
}

/* base with over's values on top, sorted: one merge of the two sorted
 * lists (as setting base's then over's entries one by one and sorting
 * would give). */
static struct kvlist kv_overlay(struct lower_ctx *c, const struct kvlist *base, const struct kvlist *over)
{
	if (!kv_sorted(base) || !kv_sorted(over)) {
		struct kvb b;
		kvb_init(&b, c->a);
		for (size_t j = 0; j < base->n; j++) {
			kvb_set(&b, c->a, base->v[j].key, base->v[j].value, base->v[j].loc);
			b.v[b.n - 1].literal = base->v[j].literal;
			b.v[b.n - 1].shipped = base->v[j].shipped;
		}
		for (size_t j = 0; j < over->n; j++) {
			kvb_set(&b, c->a, over->v[j].key, over->v[j].value, over->v[j].loc);
			b.v[b.n - 1].literal = over->v[j].literal;
			b.v[b.n - 1].shipped = over->v[j].shipped;
		}
		return kvb_finish(&b);
	}
	if (!base->n && !over->n)
		return (struct kvlist){ NULL, 0 };
	if (!over->n)
		return *base; /* the same entries: shared (nothing changes a lowered list) */
	struct kvlist out = { arena_alloc(c->a, (base->n + over->n) * sizeof(struct kv)), 0 };
	size_t i = 0, j = 0;
	while (i < base->n || j < over->n) {
		int cmp = i == base->n ? 1 : j == over->n ? -1 : strcmp(base->v[i].key, over->v[j].key);
		if (cmp < 0) {
			out.v[out.n++] = base->v[i++];
		} else if (cmp > 0) {
			out.v[out.n++] = over->v[j++];
		} else {
			out.v[out.n++] = over->v[j++]; /* the later file's entry, key and all */
			i++;
		}
	}
	return out;
}

static void implicit_dep(struct lower_ctx *c, struct service *s, const char *name, size_t len, bool restart,
			 struct loc loc)
{
	if (!len)
		return;
	add_dependency(c, s,
		       (struct dependency){ .service = arena_strndup(c->a, name, len),
					    .condition = DEP_STARTED,
					    .required = true,
					    .restart = restart,
					    .implicit = true,
					    .loc = loc });
}

static struct loc key_loc(const struct node *svc, const char *key, struct loc dflt)
{
	const struct node_pair *p = node_map_find(svc, key);
	return p ? p->key->loc : dflt;
}

static int dep_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dependency *)a)->service, ((const struct dependency *)b)->service);
}

static int net_cmp(const void *a, const void *b)
{
	return strcmp(((const struct service_network *)a)->name, ((const struct service_network *)b)->name);
}

static void normalize(struct lower_ctx *c, struct service *s, const struct node *svc)
{
	/* implicit dependencies: links, namespaces, volumes_from */
	for (size_t i = 0; i < s->links.n; i++) {
		const char *l = s->links.v[i], *colon = strchr(l, ':');
		implicit_dep(c, s, l, colon ? (size_t)(colon - l) : strlen(l), true, s->links.locs[i]);
	}
	const struct {
		const char *key, *val;
	} ns[] = {
		{ "network_mode", s->network_mode }, { "ipc", s->ipc }, { "pid", s->pid },
		{ "uts", s->uts },                   { "cgroup", s->cgroup },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		if (ns[i].val && str_has_prefix(ns[i].val, "service:")) {
			const char *t = ns[i].val + strlen("service:");
			implicit_dep(c, s, t, strlen(t), true, key_loc(svc, ns[i].key, s->loc));
		}
	}
	for (size_t i = 0; i < s->volumes_from.n; i++) {
		const char *vf = s->volumes_from.v[i];
		if (str_has_prefix(vf, "container:"))
			continue;
		if (str_has_prefix(vf, "service:"))
			vf += strlen("service:");
		const char *colon = strchr(vf, ':');
		implicit_dep(c, s, vf, colon ? (size_t)(colon - vf) : strlen(vf), false, s->volumes_from.locs[i]);
	}
	if (s->n_depends_on)
		qsort(s->depends_on, s->n_depends_on, sizeof(*s->depends_on), dep_cmp);

	/* the default network */
	bool provider = node_map_get(svc, "provider") != NULL;
	if (!provider && !s->network_mode && !s->n_networks)
		add_network(c, s,
			    (struct service_network){ .name = "default", .priority = IR_UNSET,
						      .gw_priority = IR_UNSET, .loc = s->loc });
	if (s->n_networks)
		qsort(s->networks, s->n_networks, sizeof(*s->networks), net_cmp);

	/* replicas */
	s->replicas = s->deploy.replicas != IR_UNSET ? s->deploy.replicas : s->scale != IR_UNSET ? s->scale : 1;

	/* hooks: pre_start image and environment */
	struct hook *lists[] = { s->pre_start, s->post_start, s->pre_stop };
	size_t counts[] = { s->n_pre_start, s->n_post_start, s->n_pre_stop };
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			struct hook *h = &lists[l][i];
			if (l != 0) {
				h->environment = h->own_environment;
				continue;
			}
			if (!h->image) {
				if (s->image)
					h->image = s->image;
				else if (s->build.present)
					h->image = arena_printf(c->a, "%s-%s", c->in->project_name, s->name);
				h->image_inherited = h->image != NULL;
			}
			h->environment = kv_overlay(c, &s->environment, &h->own_environment);
		}
	}
}

static const char *mount_target_of_tmpfs(struct lower_ctx *c, const char *t)
{
	const char *colon = strchr(t, ':');
	return colon ? arena_strndup(c->a, t, (size_t)(colon - t)) : t;
}

static void check_service(struct lower_ctx *c, struct service *s, const struct node *svc)
{
	const char *path = lower_path(c, "services", s->name);
	if (!s->image && !s->build.present && !node_map_get(svc, "provider"))
		consistency_error(c, s->loc, "service \"%s\" has neither an image nor a build context specified", s->name);

	const struct node *nets = node_map_get(svc, "networks");
	if (s->network_mode && nets && !node_is_null(nets) &&
	    ((nets->kind == NODE_SEQ && nets->seq.n) || (nets->kind == NODE_MAP && nets->map.n)))
		consistency_error(c, key_loc(svc, "network_mode", s->loc),
			   "service \"%s\" declares mutually exclusive \"network_mode\" and \"networks\"", s->name);

	if (s->scale != IR_UNSET && s->scale < 0)
		consistency_error(c, key_loc(svc, "scale", s->loc), "\"%s.scale\" must be >= 0", path);
	if (s->deploy.replicas != IR_UNSET && s->deploy.replicas < 0)
		consistency_error(c, s->deploy.loc, "\"%s.deploy.replicas\" must be >= 0", path);
	if (s->scale != IR_UNSET && s->deploy.replicas != IR_UNSET && s->scale != s->deploy.replicas)
		consistency_error(c, key_loc(svc, "scale", s->loc),
			   "service \"%s\": \"scale\" (%lld) and \"deploy.replicas\" (%lld) disagree", s->name,
			   (long long)s->scale, (long long)s->deploy.replicas);

	if (s->container_name && !container_name_pattern(s->container_name))
		diag_error(c->d, key_loc(svc, "container_name", s->loc),
			   "\"%s.container_name\" \"%s\" does not match the pattern [a-zA-Z0-9][a-zA-Z0-9_.-]+", path,
			   s->container_name);
	if (s->container_name && s->replicas > 1)
		consistency_error(c, key_loc(svc, "container_name", s->loc),
			   "service \"%s\": container_name \"%s\" cannot be used with %lld replicas (container names "
			   "must be unique)",
			   s->name, s->container_name, (long long)s->replicas);
	/* a fixed published port shared by replicas loads, as in docker
	 * compose (valid with swarm's ingress); the single-host targets report
	 * it (plan/plan.c) */

	/* resource limits given twice must agree, as docker compose checks
	 * them: a non-zero service value against deploy.resources.limits
	 * (reservations) once that mapping is written, where an unset field
	 * counts as 0 */
	const struct resource_spec *lim = &s->deploy.limits, *res = &s->deploy.reservations;
	if (!isnan(s->cpus) && s->cpus != 0 && lim->present && (isnan(lim->cpus) ? 0 : lim->cpus) != s->cpus)
		consistency_error(c, key_loc(svc, "cpus", s->loc),
			   "service \"%s\": \"cpus\" and \"deploy.resources.limits.cpus\" disagree", s->name);
	if (s->mem_limit != IR_UNSET && s->mem_limit != 0 && lim->present &&
	    (lim->memory == IR_UNSET ? 0 : lim->memory) != s->mem_limit)
		consistency_error(c, key_loc(svc, "mem_limit", s->loc),
			   "service \"%s\": \"mem_limit\" and \"deploy.resources.limits.memory\" disagree", s->name);
	if (s->mem_reservation != IR_UNSET && s->mem_reservation != 0 && res->present &&
	    (res->memory == IR_UNSET ? 0 : res->memory) != s->mem_reservation)
		consistency_error(c, key_loc(svc, "mem_reservation", s->loc),
			   "service \"%s\": \"mem_reservation\" and \"deploy.resources.reservations.memory\" disagree",
			   s->name);
	if (s->pids_limit != IR_UNSET && s->pids_limit != 0 && lim->present &&
	    (lim->pids == IR_UNSET ? 0 : lim->pids) != s->pids_limit)
		consistency_error(c, key_loc(svc, "pids_limit", s->loc),
			   "service \"%s\": \"pids_limit\" and \"deploy.resources.limits.pids\" disagree", s->name);

	/* mount targets are unique (the map is dead once the service is
	 * lowered: the short-lived arena) */
	struct strmap seen;
	strmap_init(&seen, arena_aux(c->a));
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		if (!m->target)
			continue;
		if (strmap_has(&seen, m->target))
			diag_error(c->d, m->loc, "service \"%s\": target %s is mounted more than once", s->name,
				   m->target);
		strmap_put(&seen, m->target, (void *)m);
	}
	for (size_t i = 0; i < s->tmpfs.n; i++) {
		const char *t = path_clean(c->a, mount_target_of_tmpfs(c, s->tmpfs.v[i]));
		if (strmap_has(&seen, t))
			diag_error(c->d, s->tmpfs.locs ? s->tmpfs.locs[i] : s->loc,
				   "service \"%s\": target %s is mounted more than once", s->name, t);
		strmap_put(&seen, t, (void *)s);
	}
}

static void init_service(struct service *s)
{
	s->restart_max_retries = IR_UNSET;
	s->stop_grace_period = IR_UNSET;
	s->scale = IR_UNSET;
	s->mem_limit = s->mem_reservation = s->memswap_limit = s->shm_size = IR_UNSET;
	s->mem_swappiness = s->oom_score_adj = s->pids_limit = IR_UNSET;
	s->cpus = s->cpu_percent = NAN;
	s->cpu_shares = s->cpu_period = s->cpu_quota = s->cpu_rt_period = s->cpu_rt_runtime = s->cpu_count =
		IR_UNSET;
	struct healthcheck *h = &s->healthcheck;
	h->interval = h->timeout = h->start_period = h->start_interval = h->retries = IR_UNSET;
	s->build.shm_size = IR_UNSET;
	struct deploy *d = &s->deploy;
	d->replicas = IR_UNSET;
	d->limits.cpus = d->reservations.cpus = NAN;
	d->limits.memory = d->reservations.memory = d->limits.pids = d->reservations.pids = IR_UNSET;
	d->restart_policy.delay = d->restart_policy.window = d->restart_policy.max_attempts = IR_UNSET;
	s->replicas = 1;
}

struct service *lower_service(struct lower_ctx *c, struct node *key, struct node *val)
{
	const char *name = key->scalar.text;
	const char *path = lower_path(c, "services", name);
	if (!name_too_long(c, "service", name, key->loc) && !valid_name(name))
		diag_error(c->d, key->loc, "invalid service name \"%s\": must match [a-zA-Z0-9._-]+", name);
	struct service *s = arena_alloc(c->a, sizeof(*s));
	init_service(s);
	s->name = name;
	s->loc = key->loc;
	static struct node empty = { .kind = NODE_MAP };
	if (node_is_null(val)) {
		val = &empty;
	} else if (val->kind != NODE_MAP) {
		lower_type_error(c, val, path, "a mapping");
		return NULL;
	}
	s->body = val->loc;
	struct walk w = { .c = c, .obj = s, .path = path };
	walk_service(&w, s, val);
	s->extra = mvec_finish(c, &w.extra, key->loc);
	s->extensions = mvec_finish(c, &w.ext, key->loc);

	/* env_file under environment, label_file under labels */
	merge_files(c, s, node_map_get(val, "env_file"), "env_file", true, &s->environment, &s->environment);
	merge_files(c, s, node_map_get(val, "label_file"), "label_file", false, &s->labels, NULL);

	normalize(c, s, val);
	if (service_enabled(c, s))
		check_service(c, s, val);
	return s;
}

void service_resolve_refs(struct lower_ctx *c, struct service *s, bool enabled)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		if (m->type != MOUNT_VOLUME || !m->source)
			continue;
		if (!strmap_get(&c->res[RES_VOLUME], m->source) && enabled)
			consistency_error(c, m->loc, "service \"%s\" refers to undefined volume \"%s\"", s->name, m->source);
	}
	for (size_t i = 0; i < s->n_networks; i++) {
		struct service_network *n = &s->networks[i];
		n->def = strmap_get(&c->res[RES_NETWORK], n->name);
		if (!n->def && enabled)
			consistency_error(c, n->loc, "service \"%s\" refers to undefined network \"%s\"", s->name, n->name);
	}
	for (size_t i = 0; i < s->n_secrets; i++) {
		struct file_ref *f = &s->secrets[i];
		f->def = strmap_get(&c->res[RES_SECRET], f->source);
		if (!f->def && enabled)
			consistency_error(c, f->loc, "service \"%s\" refers to undefined secret \"%s\"", s->name, f->source);
	}
	for (size_t i = 0; i < s->n_configs; i++) {
		struct file_ref *f = &s->configs[i];
		f->def = strmap_get(&c->res[RES_CONFIG], f->source);
		if (!f->def && enabled)
			consistency_error(c, f->loc, "service \"%s\" refers to undefined config \"%s\"", s->name, f->source);
	}
}
