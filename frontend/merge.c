/*
 * merge.c - merge one compose tree onto another (several -f files,
 * multi-document files, extends, include conflicts), by the rules of the
 * spec's merge section as compose-go implements them:
 *  - mappings merge recursively, sequences append, scalars are replaced,
 *    a null override keeps the base;
 *  - command, entrypoint, healthcheck.test are replaced;
 *  - environment, labels, ... (key=value maps written as map or list) merge
 *    by key; depends_on, service networks, build (short forms) merge as maps;
 *  - ports, volumes, secrets, configs, devices, env_file, expose, dns*,
 *    cap_*, ... are appended and then de-duplicated by their unique key, the
 *    later entry taking the earlier one's place;
 *  - logging merges only when the drivers agree; ulimits.* are replaced;
 *  - `!reset` removes the key, `!override` replaces without merging.
 * Nodes are never modified in place: changed containers are copied.
 */
#include "frontend/merge.h"
#include "frontend/syntax.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH 16

/* What a service attribute is to merging, found once when the path
 * reaches it (services.<name>.<attribute>) instead of by comparing names
 * at every node below it. */
enum attr {
	A_OTHER,
	A_REPLACED,   /* command, entrypoint: the override replaces the list */
	A_KV,         /* environment, labels, annotations, sysctls */
	A_NAMES,      /* depends_on, networks, models: a list of names is a mapping */
	A_BUILD,      /* build: a string is {context: ...} */
	A_DEPLOY,     /* deploy: its labels are key=value */
	A_HEALTHCHECK,/* healthcheck: its test is replaced */
	A_ULIMITS,    /* ulimits: each entry is replaced */
	A_LOGGING,
	A_PORTS,
	A_VOLUMES,
	A_SECRETS,
	A_CONFIGS,
	A_DEVICES,
	A_ENV_FILE,
	A_EXTRA_HOSTS,
	A_UNIQUE,     /* dns, cap_add, ...: an item is unique by its value up to '=' */
};

/* The attributes with a merge rule of their own (IR_MERGE_OWN in the
 * field table), in name order. */
static const struct {
	const char *name;
	enum attr attr;
} own_rules[] = {
	{ "build", A_BUILD },	 { "configs", A_CONFIGS },	   { "deploy", A_DEPLOY },
	{ "devices", A_DEVICES }, { "env_file", A_ENV_FILE },	   { "extra_hosts", A_EXTRA_HOSTS },
	{ "healthcheck", A_HEALTHCHECK }, { "logging", A_LOGGING }, { "ports", A_PORTS },
	{ "secrets", A_SECRETS }, { "ulimits", A_ULIMITS },	   { "volumes", A_VOLUMES },
};

/* What the field table (ir/fields.c) says of key's merge. */
static enum attr attr_of(const char *key)
{
	const struct ir_field *f = ir_service_field(key);
	if (!f)
		return A_OTHER;
	switch (f->merge) {
	case IR_MERGE_PLAIN: return A_OTHER;
	case IR_MERGE_MAP: return A_KV;
	case IR_MERGE_UNIQUE: return A_UNIQUE;
	case IR_MERGE_REPLACE: return A_REPLACED;
	case IR_MERGE_NAMES: return A_NAMES;
	case IR_MERGE_OWN: break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(own_rules); i++)
		if (strcmp(own_rules[i].name, key) == 0)
			return own_rules[i].attr;
	return A_OTHER;
}

struct mctx {
	struct arena *a;
	struct diag *d;
	const char *path[MAX_PATH];
	size_t depth;
	bool services; /* path[0] is "services" (depth >= 1) */
	enum attr attr; /* of path[2], a service's attribute (depth >= 3) */
};

static void push(struct mctx *m, const char *key)
{
	m->path[m->depth++] = key;
	if (m->depth == 1)
		m->services = strcmp(key, "services") == 0;
	else if (m->depth == 3)
		m->attr = m->services ? attr_of(key) : A_OTHER;
}

/* At services.<name>.<attribute>, or one below it (sub). */
static bool at_attr(const struct mctx *m, enum attr a)
{
	return m->depth == 3 && m->services && m->attr == a;
}

static bool below_attr(const struct mctx *m, enum attr a, const char *sub)
{
	return m->depth == 4 && m->services && m->attr == a && (!sub || strcmp(m->path[3], sub) == 0);
}

static const char *const build_kv_keys[] = { "args", "labels", "additional_contexts" };

static bool key_in(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

/* map[k] = v while a list becomes a mapping: a later entry replaces the
 * value of an earlier one where it is (["A=1", "B=2", "A=3"] is A=3, B=2),
 * found through ix (key -> pair index + 1): a scan per entry made a
 * list of 100,000 names take minutes. */
static void set_entry(struct mctx *m, struct node *map, struct strmap *ix, struct node *k, struct node *v)
{
	size_t at = (size_t)strmap_get(ix, k->scalar.text);
	if (at) {
		map->map.pairs[at - 1].value = v;
		return;
	}
	node_map_add(m->a, map, k, v);
	strmap_put(ix, k->scalar.text, (void *)(uintptr_t)map->map.n);
}

/* A key=value list (["A=1", "B"]) or mapping, as a mapping; list entries
 * without '=' get a null value. */
static struct node *kv_as_map(struct mctx *m, struct node *n)
{
	if (n->kind != NODE_SEQ)
		return n;
	struct node *map = node_new_map(m->a, n->loc);
	map->tags = n->tags;
	struct strmap ix;
	strmap_init(&ix, arena_aux(m->a));
	for (size_t i = 0; i < n->seq.n; i++) {
		struct node *it = n->seq.items[i];
		if (it->kind != NODE_SCALAR)
			return n; /* leave it to validation */
		const char *s = it->scalar.text, *eq = strchr(s, '=');
		size_t klen = eq ? (size_t)(eq - s) : strlen(s);
		struct node *k = node_new_scalar(m->a, it->loc, s, klen, STYLE_QUOTED);
		struct node *v = eq ? node_new_scalar(m->a, it->loc, eq + 1, strlen(eq + 1), STYLE_QUOTED)
				    : node_new_scalar(m->a, it->loc, "", 0, STYLE_PLAIN);
		v->tags |= it->tags & TAG_INTERPOLATED; /* the value was interpolated (kv.literal) */
		set_entry(m, map, &ix, k, v);
	}
	return map;
}

/* A list of names (["a", "b"]) as a mapping of names to null. */
static struct node *names_as_map(struct mctx *m, struct node *n)
{
	if (n->kind != NODE_SEQ)
		return n;
	struct node *map = node_new_map(m->a, n->loc);
	map->tags = n->tags;
	struct strmap ix;
	strmap_init(&ix, arena_aux(m->a));
	for (size_t i = 0; i < n->seq.n; i++) {
		struct node *it = n->seq.items[i];
		if (it->kind != NODE_SCALAR)
			return n;
		set_entry(m, map, &ix, it, node_new_scalar(m->a, it->loc, "", 0, STYLE_PLAIN));
	}
	return map;
}

static struct node *build_as_map(struct mctx *m, struct node *n)
{
	if (n->kind != NODE_SCALAR || node_is_null(n))
		return n;
	struct node *map = node_new_map(m->a, n->loc);
	node_map_set(m->a, map, "context", n);
	return map;
}

/* Normalise the short forms that merge as mappings. */
static struct node *normalise(struct mctx *m, struct node *n)
{
	/* only lists (and a scalar build) are rewritten, at depth 3 or 4 */
	if (!n || n->kind == NODE_MAP || m->depth < 3 || m->depth > 4 || !m->services)
		return n;
	if (n->kind == NODE_SCALAR)
		return at_attr(m, A_BUILD) ? build_as_map(m, n) : n;
	if (m->depth == 3) {
		switch (m->attr) {
		case A_KV:
			return kv_as_map(m, n);
		case A_NAMES:
			return names_as_map(m, n);
		case A_BUILD:
			return build_as_map(m, n);
		default:
			return n;
		}
	}
	if (below_attr(m, A_BUILD, NULL) && key_in(m->path[3], build_kv_keys, ARRAY_SIZE(build_kv_keys)))
		return kv_as_map(m, n);
	if (below_attr(m, A_DEPLOY, "labels"))
		return kv_as_map(m, n);
	return n;
}

/* The unique key of a sequence item at the current path, or NULL when
 * items of this sequence are not de-duplicated.  Keys are only compared:
 * they go to the short-lived arena. */
static const char *item_key(struct mctx *m, const struct node *it)
{
	if (m->depth != 3 || !m->services)
		return NULL;
	enum attr k = m->attr;
	const char *err;
	if (it->kind == NODE_MAP) {
		if (k == A_PORTS) {
			struct node *ip = node_map_get(it, "host_ip"), *pub = node_map_get(it, "published");
			struct node *tg = node_map_get(it, "target"), *pr = node_map_get(it, "protocol");
			return arena_printf(arena_aux(m->a), "%s:%s:%s/%s", ip && ip->kind == NODE_SCALAR ? ip->scalar.text : "0.0.0.0",
					    pub && pub->kind == NODE_SCALAR ? pub->scalar.text : "",
					    tg && tg->kind == NODE_SCALAR ? tg->scalar.text : "",
					    pr && pr->kind == NODE_SCALAR ? pr->scalar.text : "tcp");
		}
		struct node *t = node_map_get(it, k == A_ENV_FILE ? "path" : "target");
		if (t && t->kind == NODE_SCALAR)
			return t->scalar.text;
		if (k == A_SECRETS || k == A_CONFIGS) {
			struct node *s = node_map_get(it, "source");
			if (s && s->kind == NODE_SCALAR)
				return arena_concat(arena_aux(m->a), k == A_SECRETS ? "/run/secrets/" : "/",
						    s->scalar.text, (char *)NULL);
		}
		return NULL;
	}
	if (it->kind != NODE_SCALAR)
		return NULL;
	const char *s = it->scalar.text;
	switch (k) {
	case A_VOLUMES: {
		struct mount mt;
		memset(&mt, 0, sizeof(mt));
		return parse_volume_short(arena_aux(m->a), s, &mt, &err) == 0 ? mt.target : NULL;
	}
	case A_SECRETS:
		return arena_concat(arena_aux(m->a), "/run/secrets/", s, (char *)NULL);
	case A_CONFIGS:
		return arena_concat(arena_aux(m->a), "/", s, (char *)NULL);
	case A_DEVICES: {
		struct device dv;
		return parse_device_short(arena_aux(m->a), s, &dv, &err) == 0 ? dv.target : NULL;
	}
	case A_PORTS:
	case A_ENV_FILE:
	case A_EXTRA_HOSTS:
		return s;
	case A_UNIQUE: {
		const char *eq = strchr(s, '=');
		return eq ? arena_strndup(arena_aux(m->a), s, (size_t)(eq - s)) : s;
	}
	default:
		return NULL;
	}
}

/* Append override's items; a later item with the key of an earlier one
 * takes its place.  Each item's key is computed once, and looked up in a
 * map once the list is long. */
static struct node *merge_seq(struct mctx *m, const struct node *base, struct node *over)
{
	size_t total = base->seq.n + over->seq.n, n = 0;
	if (!base->seq.n && (m->depth != 3 || !m->services))
		return over; /* no unique keys here: the same items in the same order */
	struct node **items = malloc((total + 1) * sizeof(*items));
	const char **keys = malloc((total + 1) * sizeof(*keys));
	if (!items || !keys)
		die("out of memory");
	struct strmap ix;
	bool indexed = total > 16;
	if (indexed)
		strmap_init(&ix, arena_aux(m->a));
	const struct node *parts[2] = { base, over };
	for (int p = 0; p < 2; p++) {
		for (size_t i = 0; i < parts[p]->seq.n; i++) {
			struct node *it = parts[p]->seq.items[i];
			const char *key = item_key(m, it);
			size_t j = n;
			if (key && indexed) {
				uintptr_t at = (uintptr_t)strmap_get(&ix, key);
				j = at ? at - 1 : n;
			} else if (key) {
				for (j = 0; j < n; j++)
					if (keys[j] && strcmp(keys[j], key) == 0)
						break;
			}
			if (j < n) {
				items[j] = it;
				continue;
			}
			if (key && indexed)
				strmap_put(&ix, key, (void *)(uintptr_t)(n + 1));
			keys[n] = key;
			items[n++] = it;
		}
	}
	struct node *out = over;
	if (base->seq.n || n != over->seq.n) { /* else nothing was replaced: over itself */
		out = node_new_seq(m->a, over->loc);
		out->seq.items = arena_alloc(arena_aux(m->a), (n ? n : 1) * sizeof(*items));
		memcpy(out->seq.items, items, n * sizeof(*items));
		out->seq.n = out->seq.cap = n;
	}
	free(items);
	free(keys);
	return out;
}

static struct node *merge_node(struct mctx *m, struct node *base, struct node *over);

/* The position of each key of map when the merge is big enough that a
 * linear search per key would make it quadratic (a project with
 * thousands of services); NULL for small merges.  1-based. */
static struct strmap *key_index(struct mctx *m, const struct node *map, const struct node *over)
{
	if (map->map.n + over->map.n < 16)
		return NULL;
	struct strmap *ix = arena_alloc(arena_aux(m->a), sizeof(*ix));
	strmap_init(ix, arena_aux(m->a));
	for (size_t i = 0; i < map->map.n; i++)
		strmap_put(ix, map->map.pairs[i].key->scalar.text, (void *)(uintptr_t)(i + 1));
	return ix;
}

static struct node_pair *find_pair(struct node *map, const struct strmap *ix, const char *key)
{
	if (!ix)
		return node_map_find(map, key);
	uintptr_t i = (uintptr_t)strmap_get(ix, key);
	return i ? &map->map.pairs[i - 1] : NULL;
}

/* Marks a pair removed by !reset until merge_map compacts the map, so
 * that the positions in the index stay valid meanwhile. */
static struct node removed_pair;

static void drop_removed(struct node *map)
{
	size_t n = 0;
	for (size_t i = 0; i < map->map.n; i++)
		if (map->map.pairs[i].value != &removed_pair)
			map->map.pairs[n++] = map->map.pairs[i];
	map->map.n = n;
}

static struct node *merge_map(struct mctx *m, struct node *base, struct node *over)
{
	/* a copy of base with room for every key of over, made once: a copy
	 * grown later (or by doubling) would leave garbage in the arena */
	struct node *out = node_new_map(m->a, base->loc);
	*out = *base;
	out->stype = 0;
	size_t room = base->map.n + over->map.n;
	out->map.pairs = arena_alloc(arena_aux(m->a), (room ? room : 1) * sizeof(*out->map.pairs));
	if (base->map.n)
		memcpy(out->map.pairs, base->map.pairs, base->map.n * sizeof(*out->map.pairs));
	out->map.cap = (uint32_t)room;
	struct strmap *ix = key_index(m, out, over);
	bool removed = false;
	out->tags = over->tags;
	for (size_t i = 0; i < over->map.n; i++) {
		struct node_pair *op = &over->map.pairs[i];
		const char *key = op->key->scalar.text;
		/* keys are unique in over, and merge_node does not touch out */
		struct node_pair *bp = find_pair(out, ix, key);
		if (op->value->tags & TAG_RESET) {
			if (bp)
				bp->value = &removed_pair;
			removed |= bp != NULL;
			continue;
		}
		struct node *v = op->value;
		if (m->depth < MAX_PATH) {
			push(m, key);
			v = merge_node(m, bp ? bp->value : NULL, op->value);
			m->depth--;
		}
		if (bp) {
			bp->value = v;
		} else {
			node_map_add(m->a, out, op->key, v);
			if (ix)
				strmap_put(ix, key, (void *)(uintptr_t)out->map.n);
		}
	}
	if (removed)
		drop_removed(out);
	return out;
}

/* Remove !reset entries from a tree that is not merged onto anything:
 * merge_map onto an empty map, except that a mapping in which nothing
 * changes is returned as it is instead of copied. */
static struct node *strip_resets(struct mctx *m, struct node *n)
{
	if (n->kind != NODE_MAP)
		return n;
	struct node *out = NULL;
	for (size_t i = 0; i < n->map.n; i++) {
		struct node_pair *op = &n->map.pairs[i];
		bool drop = op->value->tags & TAG_RESET;
		struct node *v = op->value;
		if (!drop && m->depth < MAX_PATH) {
			push(m, op->key->scalar.text);
			v = merge_node(m, NULL, op->value);
			m->depth--;
		}
		if (!out && (drop || v != op->value)) {
			out = node_new_map(m->a, n->loc);
			out->tags = n->tags;
			out->map.pairs = arena_alloc(arena_aux(m->a), n->map.n * sizeof(*out->map.pairs));
			out->map.cap = n->map.n;
			memcpy(out->map.pairs, n->map.pairs, i * sizeof(*out->map.pairs));
			out->map.n = i;
		}
		if (out && !drop)
			node_map_add(m->a, out, op->key, v);
	}
	return out ? out : n;
}

static bool logging_compatible(const struct node *base, const struct node *over)
{
	struct node *bd = node_map_get(base, "driver"), *od = node_map_get(over, "driver");
	if (!bd || !od || node_is_null(bd) || node_is_null(od))
		return true;
	return bd->kind == NODE_SCALAR && od->kind == NODE_SCALAR && strcmp(bd->scalar.text, od->scalar.text) == 0;
}

static struct node *merge_node(struct mctx *m, struct node *base, struct node *over)
{
	over = normalise(m, over);
	if (!base && over->kind == NODE_SEQ) { /* unique keys hold within one file too */
		static const struct node empty = { .kind = NODE_SEQ };
		return merge_seq(m, &empty, over);
	}
	if (!base)
		return over->kind == NODE_MAP ? strip_resets(m, over) : over;
	base = normalise(m, base);
	if (node_is_null(over) && !(over->tags & TAG_OVERRIDE))
		return base;
	if (over->tags & TAG_OVERRIDE)
		return over->kind == NODE_MAP ? strip_resets(m, over) : over;
	if (at_attr(m, A_REPLACED) || below_attr(m, A_HEALTHCHECK, "test") || below_attr(m, A_ULIMITS, NULL))
		return over;
	if (at_attr(m, A_LOGGING) && base->kind == NODE_MAP && over->kind == NODE_MAP &&
	    !logging_compatible(base, over))
		return strip_resets(m, over);
	if (base->kind == NODE_MAP && over->kind == NODE_MAP)
		return merge_map(m, base, over);
	if (base->kind == NODE_SEQ && over->kind == NODE_SEQ)
		return merge_seq(m, base, over);
	if (base->kind == NODE_SCALAR && over->kind == NODE_SCALAR)
		return over;
	if (node_is_null(base))
		return over;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < m->depth; i++)
		sb_addf(&sb, "%s%s", i ? "." : "", m->path[i]);
	diag_error(m->d, over->loc, "cannot override \"%s\": a %s cannot be merged with a %s", sb.buf,
		   node_kind_name(base), node_kind_name(over));
	sb_release(&sb);
	return over;
}

struct node *merge_trees(struct arena *a, struct diag *d, struct node *base, struct node *over,
			 const char *const *prefix, size_t nprefix)
{
	struct mctx m = { .a = a, .d = d };
	for (size_t i = 0; i < nprefix && i < MAX_PATH; i++)
		push(&m, prefix[i]);
	return merge_node(&m, base, over);
}
