/*
 * plan_load.c - reads a plan (runtime/PLAN.md) into struct rt_plan.
 *
 * JSON is YAML, so libyaml's document loader reads it; what JSON allows
 * in a string and YAML 1.1 does not take raw (DEL, C1 controls, U+2028,
 * U+2029, U+FEFF, U+FFFE, U+FFFF) is turned into \u escapes first, which
 * is safe anywhere since those characters are only legal inside strings.
 * Then the tree is walked with the schema of PLAN.md: a wrong type, a
 * missing key, an empty argv or a dependency that does not come earlier
 * is an error naming its path (services[1].containers[0].create).  The
 * first error stops the load.
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define PLAN_MAX_SIZE (64u << 20)

struct ld {
	struct arena *a;
	yaml_document_t *doc;
	struct strbuf *err;
	bool failed;
};

const char *const rt_cond_names[RT_COND__MAX] = {
	"service_started", "service_healthy", "service_completed_successfully",
};

static void fail(struct ld *l, const char *where, const char *what)
{
	if (l->failed)
		return;
	l->failed = true;
	sb_addf(l->err, "%s: %s", where, what);
}

/* ---- the escaping pre-pass ------------------------------------------------------ */

/* Length of a raw character YAML refuses at s (0: none). */
static size_t refused_len(const unsigned char *s, size_t n, size_t at)
{
	if (s[0] == 0x7f)
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	if (n >= 3 && s[0] == 0xef && ((s[1] == 0xbb && s[2] == 0xbf && at > 0) || (s[1] == 0xbf && s[2] >= 0xbe)))
		return 3;
	return 0;
}

static uint32_t decode(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0];
	if (len == 2)
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
}

static void escape_refused(const char *text, size_t len, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = refused_len(s + i, len - i, i);
		if (!n) {
			sb_addc(out, (char)s[i++]);
			continue;
		}
		sb_addf(out, "\\u%04x", (unsigned)decode(s + i, n));
		i += n;
	}
}

/* ---- typed access ---------------------------------------------------------------- */

static yaml_node_t *node(struct ld *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "null") == 0 || strcmp(v, "~") == 0;
}

static yaml_node_t *get(struct ld *l, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return node(l, p->value);
	}
	return NULL;
}

static const char *path(struct ld *l, const char *where, const char *key)
{
	return arena_printf(l->a, "%s%s%s", where, *where ? "." : "", key);
}

/* A string; NULL when null/absent and optional, else an error. */
static const char *str_at(struct ld *l, yaml_node_t *map, const char *where, const char *key, bool optional)
{
	yaml_node_t *n = get(l, map, key);
	if (is_null(n)) {
		if (!optional)
			fail(l, path(l, where, key), "missing");
		return NULL;
	}
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		fail(l, path(l, where, key), "expected a string");
		return NULL;
	}
	return arena_strndup(l->a, (const char *)n->data.scalar.value, n->data.scalar.length);
}

static long long int_at(struct ld *l, yaml_node_t *map, const char *where, const char *key)
{
	yaml_node_t *n = get(l, map, key);
	char *end = NULL;
	long long v = 0;
	if (n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		errno = 0;
		v = strtoll((const char *)n->data.scalar.value, &end, 10);
	}
	if (!end || *end || end == (const char *)n->data.scalar.value || errno || v < 0) {
		fail(l, path(l, where, key), "expected a non-negative integer");
		return 0;
	}
	return v;
}

static bool bool_at(struct ld *l, yaml_node_t *map, const char *where, const char *key)
{
	yaml_node_t *n = get(l, map, key);
	const char *v = n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
				? (const char *)n->data.scalar.value
				: "";
	if (strcmp(v, "true") && strcmp(v, "false"))
		fail(l, path(l, where, key), "expected true or false");
	return strcmp(v, "true") == 0;
}

/* A sequence node (NULL, with an error unless optional, when absent). */
static yaml_node_t *seq_at(struct ld *l, yaml_node_t *map, const char *where, const char *key, bool optional)
{
	yaml_node_t *n = get(l, map, key);
	if (is_null(n)) {
		if (!optional)
			fail(l, path(l, where, key), "missing");
		return NULL;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		fail(l, path(l, where, key), "expected an array");
		return NULL;
	}
	return n;
}

static size_t seq_len(const yaml_node_t *n)
{
	return n ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 0;
}

static yaml_node_t *seq_item(struct ld *l, yaml_node_t *n, size_t i)
{
	return node(l, n->data.sequence.items.start[i]);
}

static const char *item_path(struct ld *l, const char *where, const char *key, size_t i)
{
	return arena_printf(l->a, "%s%s%s[%zu]", where, *where ? "." : "", key, i);
}

/* ---- the parts ------------------------------------------------------------------- */

static struct rt_argv argv_of(struct ld *l, yaml_node_t *n, const char *where)
{
	struct rt_argv v = { 0 };
	if (!n || n->type != YAML_SEQUENCE_NODE || seq_len(n) == 0) {
		fail(l, where, "expected a non-empty array of strings");
		return v;
	}
	v.n = seq_len(n);
	v.v = arena_alloc(l->a, (v.n + 1) * sizeof(*v.v));
	for (size_t i = 0; i < v.n; i++) {
		yaml_node_t *s = seq_item(l, n, i);
		if (s->type != YAML_SCALAR_NODE || s->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			fail(l, arena_printf(l->a, "%s[%zu]", where, i), "expected a string");
			return (struct rt_argv){ 0 };
		}
		v.v[i] = arena_strndup(l->a, (const char *)s->data.scalar.value, s->data.scalar.length);
	}
	return v;
}

static struct rt_argv argv_at(struct ld *l, yaml_node_t *map, const char *where, const char *key, bool optional)
{
	yaml_node_t *n = get(l, map, key);
	if (is_null(n)) {
		if (!optional)
			fail(l, path(l, where, key), "missing");
		return (struct rt_argv){ 0 };
	}
	return argv_of(l, n, path(l, where, key));
}

static struct rt_argvs argvs_at(struct ld *l, yaml_node_t *map, const char *where, const char *key)
{
	struct rt_argvs r = { 0 };
	yaml_node_t *n = seq_at(l, map, where, key, true);
	r.n = seq_len(n);
	r.v = arena_alloc(l->a, (r.n + 1) * sizeof(*r.v));
	for (size_t i = 0; i < r.n; i++)
		r.v[i] = argv_of(l, seq_item(l, n, i), item_path(l, where, key, i));
	return r;
}

static struct rt_steps steps_at(struct ld *l, yaml_node_t *map, const char *where)
{
	struct rt_steps r = { 0 };
	yaml_node_t *n = seq_at(l, map, where, "pre_start", true);
	r.n = seq_len(n);
	r.v = arena_alloc(l->a, (r.n + 1) * sizeof(*r.v));
	for (size_t i = 0; i < r.n; i++) {
		yaml_node_t *m = seq_item(l, n, i);
		const char *w = item_path(l, where, "pre_start", i);
		r.v[i].label = str_at(l, m, w, "label", false);
		r.v[i].hash = str_at(l, m, w, "hash", false);
		r.v[i].argv = argv_at(l, m, w, "argv", false);
		if (r.v[i].hash && (!*r.v[i].hash || strpbrk(r.v[i].hash, " \t\n/")))
			fail(l, path(l, w, "hash"), "expected a word");
	}
	return r;
}

static void health_at(struct ld *l, yaml_node_t *map, const char *where, struct rt_health *h)
{
	yaml_node_t *n = get(l, map, "health");
	if (is_null(n))
		return;
	const char *w = path(l, where, "health");
	h->present = true;
	h->argv = argv_at(l, n, w, "argv", false);
	const char *check = str_at(l, n, w, "check", false);
	if (check && strcmp(check, "exit_status") == 0)
		h->check = RT_CHECK_EXIT_STATUS;
	else if (check && strcmp(check, "health_status") == 0)
		h->check = RT_CHECK_HEALTH_STATUS;
	else
		fail(l, path(l, w, "check"), "expected exit_status or health_status");
	h->interval_ms = int_at(l, n, w, "interval_ms");
	h->timeout_ms = int_at(l, n, w, "timeout_ms");
	h->retries = int_at(l, n, w, "retries");
	h->start_period_ms = int_at(l, n, w, "start_period_ms");
	h->poll_ms = int_at(l, n, w, "poll_ms");
	h->deadline_ms = int_at(l, n, w, "deadline_ms");
}

static struct rt_copies copies_at(struct ld *l, yaml_node_t *map, const char *where)
{
	struct rt_copies r = { 0 };
	yaml_node_t *n = seq_at(l, map, where, "copy", true);
	r.n = seq_len(n);
	r.v = arena_alloc(l->a, (r.n + 1) * sizeof(*r.v));
	for (size_t i = 0; i < r.n; i++) {
		yaml_node_t *m = seq_item(l, n, i);
		const char *w = item_path(l, where, "copy", i);
		r.v[i].argv = argv_at(l, m, w, "argv", false);
		r.v[i].path = str_at(l, m, w, "path", false);
		r.v[i].mode = int_at(l, m, w, "mode");
		r.v[i].uid = str_at(l, m, w, "uid", false);
		r.v[i].gid = str_at(l, m, w, "gid", false);
		r.v[i].content = str_at(l, m, w, "content", false);
		if (r.v[i].path && (!*r.v[i].path || r.v[i].path[0] == '/'))
			fail(l, path(l, w, "path"), "expected a path relative to the container's root");
	}
	return r;
}

static void container_at(struct ld *l, yaml_node_t *m, const char *w, struct rt_container *c)
{
	c->name = str_at(l, m, w, "name", false);
	c->status = argv_at(l, m, w, "status", false);
	c->create = argv_at(l, m, w, "create", false);
	c->connect = argvs_at(l, m, w, "connect");
	c->copy = copies_at(l, m, w);
	c->pre_start = steps_at(l, m, w);
	c->start = argv_at(l, m, w, "start", false);
	c->post_start = argvs_at(l, m, w, "post_start");
	health_at(l, m, w, &c->health);
	c->completion = argv_at(l, m, w, "completion", false);
	c->pre_stop = argvs_at(l, m, w, "pre_stop");
	c->stop = argv_at(l, m, w, "stop", false);
	c->remove = argv_at(l, m, w, "remove", false);
	c->remove_volumes = argv_at(l, m, w, "remove_volumes", true);
}

static void build_at(struct ld *l, yaml_node_t *map, const char *where, struct rt_build *b)
{
	yaml_node_t *n = get(l, map, "build");
	if (is_null(n))
		return;
	const char *w = path(l, where, "build");
	b->present = true;
	b->image = str_at(l, n, w, "image", false);
	b->exists = argv_at(l, n, w, "exists", false);
	b->argv = argv_at(l, n, w, "argv", false);
	b->stdin_data = str_at(l, n, w, "stdin", true);
}

static int service_index(const struct rt_plan *p, size_t below, const char *name)
{
	for (size_t i = 0; i < below; i++)
		if (p->svc[i].name && strcmp(p->svc[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int cond_lookup(const char *s)
{
	for (int i = 0; i < RT_COND__MAX; i++)
		if (strcmp(rt_cond_names[i], s) == 0)
			return i;
	return -1;
}

static void deps_at(struct ld *l, yaml_node_t *map, const char *where, struct rt_plan *p, size_t self)
{
	struct rt_service *s = &p->svc[self];
	yaml_node_t *n = seq_at(l, map, where, "depends_on", true);
	s->n_deps = seq_len(n);
	s->deps = arena_alloc(l->a, (s->n_deps + 1) * sizeof(*s->deps));
	for (size_t i = 0; i < s->n_deps && !l->failed; i++) {
		yaml_node_t *m = seq_item(l, n, i);
		const char *w = item_path(l, where, "depends_on", i);
		struct rt_dep *d = &s->deps[i];
		d->service = str_at(l, m, w, "service", false);
		const char *cond = str_at(l, m, w, "condition", false);
		d->required = bool_at(l, m, w, "required");
		int c = cond ? cond_lookup(cond) : -1;
		int idx = d->service ? service_index(p, self, d->service) : -1;
		if (c < 0)
			fail(l, path(l, w, "condition"), "expected service_started, service_healthy or "
							 "service_completed_successfully");
		else if (idx < 0)
			fail(l, path(l, w, "service"), "not a service listed before this one");
		d->cond = c < 0 ? RT_COND_STARTED : (enum rt_cond)c;
		d->index = idx < 0 ? 0 : (size_t)idx;
	}
}

static void service_at(struct ld *l, yaml_node_t *m, const char *w, struct rt_plan *p, size_t i)
{
	struct rt_service *s = &p->svc[i];
	s->name = str_at(l, m, w, "name", false);
	s->definition = str_at(l, m, w, "definition", false);
	s->bind_dirs = argv_at(l, m, w, "bind_dirs", true);
	deps_at(l, m, w, p, i);
	build_at(l, m, w, &s->build);
	s->pre_start = steps_at(l, m, w);
	yaml_node_t *cs = seq_at(l, m, w, "containers", false);
	s->n_containers = seq_len(cs);
	s->containers = arena_alloc(l->a, (s->n_containers + 1) * sizeof(*s->containers));
	for (size_t c = 0; c < s->n_containers; c++)
		container_at(l, seq_item(l, cs, c), item_path(l, w, "containers", c), &s->containers[c]);
}

static void resource_at(struct ld *l, yaml_node_t *m, const char *w, struct rt_resource *r)
{
	r->kind = str_at(l, m, w, "kind", false);
	r->key = str_at(l, m, w, "key", false);
	r->name = str_at(l, m, w, "name", false);
	r->external = bool_at(l, m, w, "external");
	r->exists = argv_at(l, m, w, "exists", false);
	r->create = argv_at(l, m, w, "create", r->external);
	r->remove = argv_at(l, m, w, "remove", r->external);
	if (r->kind && strcmp(r->kind, "network") && strcmp(r->kind, "volume"))
		fail(l, path(l, w, "kind"), "expected network or volume");
}

/* A project name is a directory name in the state directory. */
static bool project_ok(const char *s)
{
	if (!s || !*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == strlen(s);
}

static void plan_at(struct ld *l, yaml_node_t *root, struct rt_plan *p)
{
	if (!root || root->type != YAML_MAPPING_NODE) {
		fail(l, "plan", "expected a JSON object");
		return;
	}
	if (int_at(l, root, "", "composec_plan") != RT_PLAN_VERSION && !l->failed)
		fail(l, "composec_plan", "unsupported plan version (this composec-run reads version 1)");
	p->project = str_at(l, root, "", "project", false);
	p->engine = str_at(l, root, "", "engine", false);
	if (p->project && !project_ok(p->project))
		fail(l, "project", "not a valid project name");
	yaml_node_t *rs = seq_at(l, root, "", "resources", false);
	p->n_res = seq_len(rs);
	p->res = arena_alloc(l->a, (p->n_res + 1) * sizeof(*p->res));
	for (size_t i = 0; i < p->n_res; i++)
		resource_at(l, seq_item(l, rs, i), item_path(l, "", "resources", i), &p->res[i]);
	yaml_node_t *ss = seq_at(l, root, "", "services", false);
	p->n_svc = seq_len(ss);
	p->svc = arena_alloc(l->a, (p->n_svc + 1) * sizeof(*p->svc));
	for (size_t i = 0; i < p->n_svc && !l->failed; i++)
		service_at(l, seq_item(l, ss, i), item_path(l, "", "services", i), p, i);
}

int rt_plan_parse(struct arena *a, const char *text, size_t len, struct rt_plan *out, struct strbuf *err)
{
	struct strbuf clean = STRBUF_INIT;
	escape_refused(text, len, &clean);
	yaml_parser_t parser;
	yaml_document_t doc;
	memset(out, 0, sizeof(*out));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)clean.buf, clean.len);
	if (!yaml_parser_load(&parser, &doc)) {
		sb_addf(err, "line %zu: %s", parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "cannot parse");
		yaml_parser_delete(&parser);
		sb_release(&clean);
		return -1;
	}
	struct ld l = { .a = a, .doc = &doc, .err = err };
	plan_at(&l, yaml_document_get_root_node(&doc), out);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	sb_release(&clean);
	return l.failed ? -1 : 0;
}

int rt_plan_load(struct arena *a, const char *file, struct rt_plan *out, struct strbuf *err)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!fp) {
		sb_addf(err, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct strbuf text = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && text.len <= PLAN_MAX_SIZE)
		sb_add(&text, buf, n);
	bool bad = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	int rc = -1;
	if (bad)
		sb_addf(err, "cannot read: %s", strerror(errno));
	else if (text.len > PLAN_MAX_SIZE)
		sb_addf(err, "larger than the limit of %u bytes", PLAN_MAX_SIZE);
	else
		rc = rt_plan_parse(a, text.buf, text.len, out, err);
	sb_release(&text);
	return rc;
}
