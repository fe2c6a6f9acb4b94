/*
 * canon.c - canonical forms for the attributes the IR keeps untyped.
 *
 * Some attributes no backend reads are stored as generic values (extra),
 * but `config` must still print them the way compose-go's canonical
 * transform and struct decoding leave them: build secrets as {source},
 * build contexts as absolute paths, build hosts as sorted host=ip,
 * provenance/sbom as strings, and GPU device requests with an integer
 * count (-1 for "all", and for a request that names neither a count nor
 * device ids).  Each handler here has the attr_fn signature and adds its
 * value to w->extra under the attribute's key.
 */
#include "frontend/lower_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct ir_value *new_value(struct lower_ctx *c, enum value_kind kind, struct loc loc)
{
	struct ir_value *v = arena_alloc(c->a, sizeof(*v));
	v->kind = kind;
	v->loc = loc;
	return v;
}

static struct ir_value *map_member(const struct ir_value *map, const char *key)
{
	for (size_t i = 0; map && map->kind == VAL_MAP && i < map->map.n; i++)
		if (strcmp(map->map.members[i].key, key) == 0)
			return map->map.members[i].value;
	return NULL;
}

/* build.secrets: a name stands for {source: name}. */
void attr_file_mounts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)path;
	struct lower_ctx *c = w->c;
	struct ir_value *val = node_to_value(c, v);
	for (size_t i = 0; val->kind == VAL_LIST && i < val->list.n; i++) {
		struct ir_value *it = val->list.items[i];
		if (it->kind != VAL_STR)
			continue;
		struct mvec mv = { 0 };
		mvec_add(c, &mv, "source", it);
		val->list.items[i] = mvec_finish(c, &mv, it->loc);
	}
	mvec_add(c, &w->extra, k->scalar.text, val);
}

/* A context that is a URL, a service or an image stays as written. */
static bool context_is_path(const char *s)
{
	return !strstr(s, "://") && !str_has_prefix(s, "service:") && !str_has_prefix(s, "git@") &&
	       !str_has_prefix(s, "github.com/");
}

/* build.additional_contexts (already a mapping after the merge pass). */
void attr_contexts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)path;
	struct lower_ctx *c = w->c;
	struct ir_value *val = node_to_value(c, v);
	for (size_t i = 0; val->kind == VAL_MAP && i < val->map.n; i++) {
		struct ir_value *ctx = val->map.members[i].value;
		if (ctx && ctx->kind == VAL_STR && *ctx->s && context_is_path(ctx->s))
			ctx->s = lower_abs_path(c, ctx->s);
	}
	mvec_add(c, &w->extra, k->scalar.text, val);
}

/* develop: each watch rule's path is made absolute, as docker compose
 * resolves it against the project directory (ignore and include patterns
 * stay relative to it). */
void attr_develop(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)path;
	struct lower_ctx *c = w->c;
	struct ir_value *val = node_to_value(c, v);
	struct ir_value *watch = val->kind == VAL_MAP ? map_member(val, "watch") : NULL;
	for (size_t i = 0; watch && watch->kind == VAL_LIST && i < watch->list.n; i++) {
		struct ir_value *rule = watch->list.items[i];
		struct ir_value *p = rule && rule->kind == VAL_MAP ? map_member(rule, "path") : NULL;
		if (p && p->kind == VAL_STR && *p->s)
			p->s = lower_abs_path(c, p->s);
	}
	mvec_add(c, &w->extra, k->scalar.text, val);
}

/* provenance / sbom: a boolean is kept as its string. */
void attr_bool_as_str(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)path;
	struct ir_value *val = node_to_value(w->c, v);
	if (val->kind == VAL_BOOL) {
		val->s = val->b ? "true" : "false";
		val->kind = VAL_STR;
	}
	mvec_add(w->c, &w->extra, k->scalar.text, val);
}

static bool device_count(const char *s, long long *out)
{
	char *end;
	if (strcasecmp(s, "all") == 0) {
		*out = -1;
		return true;
	}
	*out = strtoll(s, &end, 10);
	return *s && !*end;
}

/* count "all" is -1, a number string its value; no count and no
 * device_ids means all devices. */
static void canon_device_request(struct lower_ctx *c, struct ir_value *req)
{
	struct ir_value *count = map_member(req, "count");
	long long n;
	if (count && count->kind == VAL_STR && device_count(count->s, &n)) {
		count->kind = VAL_INT;
		count->i = n;
	} else if (!count && !map_member(req, "device_ids")) {
		struct ir_value *all = new_value(c, VAL_INT, req->loc);
		all->i = -1;
		struct mvec mv = { .v = req->map.members, .n = req->map.n, .cap = req->map.n };
		mvec_add(c, &mv, "count", all);
		*req = *mvec_finish(c, &mv, req->loc);
	}
}

static void canon_device_requests(struct lower_ctx *c, struct ir_value *list)
{
	for (size_t i = 0; list && list->kind == VAL_LIST && i < list->list.n; i++)
		if (list->list.items[i]->kind == VAL_MAP)
			canon_device_request(c, list->list.items[i]);
}

/* deploy.resources.reservations.devices */
void attr_device_requests(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path)
{
	(void)at;
	(void)path;
	struct ir_value *val = node_to_value(w->c, v);
	canon_device_requests(w->c, val);
	mvec_add(w->c, &w->extra, k->scalar.text, val);
}

/* gpus: the short form (`all`) is one request for every device. */
void attr_gpus(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)path;
	struct lower_ctx *c = w->c;
	struct ir_value *val = node_to_value(c, v);
	if (val->kind == VAL_STR) {
		struct ir_value *list = new_value(c, VAL_LIST, val->loc);
		list->list.items = arena_alloc(c->a, 2 * sizeof(*list->list.items));
		list->list.items[list->list.n++] = new_value(c, VAL_MAP, val->loc);
		val = list;
	}
	canon_device_requests(c, val);
	mvec_add(c, &w->extra, k->scalar.text, val);
}
