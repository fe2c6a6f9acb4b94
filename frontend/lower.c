/*
 * lower.c - from the merged YAML tree to the typed IR: the project, the
 * top-level resources, normalization (default network, resource names),
 * profiles, cross-service validation and the dependency order.  The
 * service attributes are in lower_service.c; the typed readers and the
 * table walker shared by both are here.
 */
#include "frontend/lower_internal.h"

#include "frontend/syntax.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics and paths ------------------------------------------------ */

/* Paths only ever name an attribute in a message, while lowering: they
 * go to the short-lived arena (released with the YAML trees). */
char *lower_path(struct lower_ctx *c, const char *parent, const char *key)
{
	if (!parent || !*parent)
		return arena_strdup(arena_aux(c->a), key);
	size_t pl = strlen(parent), kl = strlen(key);
	char *p = arena_alloc(arena_aux(c->a), pl + kl + 2);
	memcpy(p, parent, pl);
	p[pl] = '.';
	memcpy(p + pl + 1, key, kl + 1);
	return p;
}

/* parent[i], spelled out by hand: one per list item, most never shown */
char *lower_path_idx(struct lower_ctx *c, const char *parent, size_t i)
{
	char digits[24];
	size_t nd = 0;
	do
		digits[nd++] = (char)('0' + i % 10);
	while ((i /= 10) && nd < sizeof(digits));
	size_t pl = strlen(parent);
	char *p = arena_alloc(arena_aux(c->a), pl + nd + 3), *o = p + pl;
	memcpy(p, parent, pl);
	*o++ = '[';
	while (nd)
		*o++ = digits[--nd];
	*o++ = ']';
	*o = '\0';
	return p;
}

void lower_type_error(struct lower_ctx *c, const struct node *n, const char *path, const char *what)
{
	struct loc loc = n ? n->loc : (struct loc){ 0 };
	diag_error(c->d, loc, "\"%s\" must be %s", path, what);
}

/* Edits from a to b: insertions, deletions, substitutions, and two
 * neighbours swapped counting once ("enviornment"); stops counting past
 * limit (returns limit + 1). */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 64 || nb > 64 || (na > nb ? na - nb : nb - na) > limit)
		return limit + 1;
	size_t d[65][65];
	for (size_t i = 0; i <= na; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[na][nb] > limit ? limit + 1 : d[na][nb];
}

const char *lower_nearest(const char *key, const void *names, size_t n, size_t stride)
{
	size_t len = strlen(key);
	size_t limit = len < 5 ? 1 : len < 9 ? 2 : 3, best = limit + 1;
	const char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name = *(const char *const *)(const void *)((const char *)names + i * stride);
		size_t d = edit_distance(key, name, limit);
		if (d < best) {
			best = d;
			found = name;
		}
	}
	return found;
}

void lower_unknown_near(struct lower_ctx *c, const struct node *key, const char *path, const char *meant)
{
	const char *hint = meant ? arena_printf(c->a, " (did you mean \"%s\"?)", meant) : "";
	switch (c->in->unknown) {
	case UNKNOWN_WARN:
		diag_warning(c->d, key->loc, "unknown attribute \"%s\", ignoring%s", path, hint);
		break;
	case UNKNOWN_ERROR:
		diag_error(c->d, key->loc, "unknown attribute \"%s\"%s", path, hint);
		break;
	case UNKNOWN_IGNORE:
		break;
	}
}

void lower_unknown(struct lower_ctx *c, const struct node *key, const char *path)
{
	lower_unknown_near(c, key, path, NULL);
}

/* ---- generic values ------------------------------------------------------- */

const char *go_format_float(struct arena *a, double f)
{
	if (isnan(f))
		return "NaN";
	if (isinf(f))
		return f > 0 ? "+Inf" : "-Inf";
	char buf[64];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	if (prec > 17)
		prec = 17;
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
	const char *e = strchr(buf, 'e');
	int exp = e ? atoi(e + 1) : 0;
	if (exp < -4 || exp >= 21) {
		/* Go: mantissa, 'e', sign, at least two exponent digits */
		char mant[40];
		size_t ml = (size_t)(e - buf);
		memcpy(mant, buf, ml);
		mant[ml] = '\0';
		return arena_printf(a, "%se%c%02d", mant, exp < 0 ? '-' : '+', abs(exp));
	}
	int decimals = prec - 1 - exp;
	if (decimals < 0)
		decimals = 0;
	return arena_printf(a, "%.*f", decimals, f);
}

const char *scalar_string(struct lower_ctx *c, const struct node *n)
{
	if (!n || n->kind != NODE_SCALAR)
		return NULL;
	long long i;
	double f;
	bool b;
	switch (node_scalar_type(n)) {
	case SCALAR_NULL:
		return NULL;
	case SCALAR_BOOL:
		scalar_parse_bool(n->scalar.text, &b);
		return b ? "true" : "false";
	case SCALAR_INT:
		if (scalar_parse_int(n->scalar.text, &i))
			return arena_printf(c->a, "%lld", i);
		break;
	case SCALAR_FLOAT:
		if (scalar_parse_float(n->scalar.text, &f))
			return go_format_float(c->a, f);
		break;
	case SCALAR_STR:
		break;
	}
	return n->scalar.text;
}

static int member_cmp(const void *a, const void *b)
{
	const struct ir_member *x = a, *y = b;
	return strcmp(x->key, y->key);
}

void mvec_add(struct lower_ctx *c, struct mvec *mv, const char *key, struct ir_value *v)
{
	for (size_t i = 0; i < mv->n; i++) {
		if (strcmp(mv->v[i].key, key) == 0) {
			mv->v[i].value = v;
			return;
		}
	}
	if (mv->n == mv->cap) {
		size_t cap = mv->cap ? mv->cap * 2 : 8;
		mv->v = arena_grow(c->a, mv->v, mv->n * sizeof(*mv->v), cap * sizeof(*mv->v));
		mv->cap = cap;
	}
	mv->v[mv->n].key = key;
	mv->v[mv->n].value = v;
	mv->n++;
}

struct ir_value *mvec_finish(struct lower_ctx *c, struct mvec *mv, struct loc loc)
{
	if (!mv->n)
		return NULL;
	struct ir_value *v = arena_alloc(c->a, sizeof(*v));
	v->kind = VAL_MAP;
	v->loc = loc;
	qsort(mv->v, mv->n, sizeof(*mv->v), member_cmp);
	v->map.members = mv->v;
	v->map.n = mv->n;
	return v;
}

struct ir_value *node_to_value(struct lower_ctx *c, const struct node *n)
{
	struct ir_value *v = arena_alloc(c->a, sizeof(*v));
	if (!n) {
		v->kind = VAL_NULL;
		return v;
	}
	v->loc = n->loc;
	switch (n->kind) {
	case NODE_SCALAR:
		switch (node_scalar_type(n)) {
		case SCALAR_NULL:
			v->kind = VAL_NULL;
			break;
		case SCALAR_BOOL:
			v->kind = VAL_BOOL;
			scalar_parse_bool(n->scalar.text, &v->b);
			break;
		case SCALAR_INT:
			v->kind = VAL_INT;
			scalar_parse_int(n->scalar.text, &v->i);
			break;
		case SCALAR_FLOAT:
			v->kind = VAL_FLOAT;
			scalar_parse_float(n->scalar.text, &v->f);
			break;
		case SCALAR_STR:
			v->kind = VAL_STR;
			v->s = n->scalar.text;
			break;
		}
		break;
	case NODE_SEQ:
		v->kind = VAL_LIST;
		v->list.n = n->seq.n;
		v->list.items = arena_alloc(c->a, (n->seq.n + 1) * sizeof(*v->list.items));
		for (size_t i = 0; i < n->seq.n; i++)
			v->list.items[i] = node_to_value(c, n->seq.items[i]);
		break;
	case NODE_MAP:
		v->kind = VAL_MAP;
		v->map.n = n->map.n;
		v->map.members = arena_alloc(c->a, (n->map.n + 1) * sizeof(*v->map.members));
		for (size_t i = 0; i < n->map.n; i++) {
			v->map.members[i].key = n->map.pairs[i].key->scalar.text;
			v->map.members[i].value = node_to_value(c, n->map.pairs[i].value);
		}
		qsort(v->map.members, v->map.n, sizeof(*v->map.members), member_cmp);
		break;
	}
	return v;
}

/* ---- the table walker ----------------------------------------------------- */

/* The entry of table for key.  The tables are written in name order:
 * bisection to the names with key's first letter, then strcmp among
 * them; a table out of order (or a key it lacks) is still searched
 * whole, so order is a matter of speed only. */
static const struct attr *find_attr(const struct attr *table, size_t n, const char *key)
{
	unsigned char first = (unsigned char)key[0];
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((unsigned char)table[mid].key[0] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t j = lo; j < n && (unsigned char)table[j].key[0] == first; j++)
		if (strcmp(table[j].key, key) == 0)
			return &table[j];
	for (size_t j = 0; j < n; j++)
		if (table[j].key[0] == key[0] && strcmp(table[j].key, key) == 0)
			return &table[j];
	return NULL;
}

void walk_map(struct walk *w, const struct node *map, const struct attr *table, size_t n)
{
	for (size_t i = 0; i < map->map.n; i++) {
		struct node *k = map->map.pairs[i].key, *v = map->map.pairs[i].value;
		const char *key = k->scalar.text;
		if (key[0] == 'x' && key[1] == '-') {
			mvec_add(w->c, &w->ext, key, node_to_value(w->c, v));
			continue;
		}
		ir_key_record(w->c->p, w->c->a, map->loc, key, k->loc, v->loc);
		const struct attr *at = find_attr(table, n, key);
		const char *path = lower_path(w->c, w->path, key);
		if (!at) {
			lower_unknown_near(w->c, k, path, lower_nearest(key, table, n, sizeof(*table)));
			continue;
		}
		at->fn(w, at, k, v, path);
	}
}

/* ---- typed readers ------------------------------------------------------------ */

static bool is_scalar_of(const struct node *n, enum scalar_type t)
{
	return n->kind == NODE_SCALAR && node_scalar_type(n) == t;
}

bool get_str(struct lower_ctx *c, const struct node *n, const char *path, const char **out)
{
	if (node_is_null(n))
		return true;
	if (!is_scalar_of(n, SCALAR_STR)) {
		lower_type_error(c, n, path, "a string");
		return false;
	}
	*out = n->scalar.text;
	return true;
}

bool get_scalar_str(struct lower_ctx *c, const struct node *n, const char *path, const char **out)
{
	if (node_is_null(n))
		return true;
	if (n->kind != NODE_SCALAR) {
		lower_type_error(c, n, path, "a string or a number");
		return false;
	}
	*out = scalar_string(c, n);
	return true;
}

bool get_bool(struct lower_ctx *c, const struct node *n, const char *path, enum tri *out)
{
	if (node_is_null(n))
		return true;
	if (n->kind == NODE_SCALAR) {
		enum scalar_type t = node_scalar_type(n);
		const char *s = n->scalar.text;
		bool b;
		if (t == SCALAR_BOOL && scalar_parse_bool(s, &b)) {
			*out = b ? TRI_TRUE : TRI_FALSE;
			return true;
		}
		if (t == SCALAR_STR) {
			static const char *const yes[] = { "y", "yes", "on" };
			static const char *const no[] = { "n", "no", "off" };
			if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
				*out = strcasecmp(s, "true") == 0 ? TRI_TRUE : TRI_FALSE;
				return true;
			}
			for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
				bool is_yes = strcasecmp(s, yes[i]) == 0, is_no = strcasecmp(s, no[i]) == 0;
				if (is_yes || is_no) {
					diag_warning(c->d, n->loc,
						     "\"%s\": \"%s\" for boolean is not supported by YAML 1.2, "
						     "please use \"%s\"",
						     path, s, is_yes ? "true" : "false");
					*out = is_yes ? TRI_TRUE : TRI_FALSE;
					return true;
				}
			}
		}
	}
	lower_type_error(c, n, path, "a boolean");
	return false;
}

/* strconv.Atoi: optional sign, decimal digits only. */
static bool parse_dec(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

bool get_int(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out)
{
	if (node_is_null(n))
		return true;
	long long v;
	if (n->kind == NODE_SCALAR) {
		enum scalar_type t = node_scalar_type(n);
		if (t == SCALAR_INT && scalar_parse_int(n->scalar.text, &v)) {
			*out = v;
			return true;
		}
		if (t == SCALAR_STR && parse_dec(n->scalar.text, &v)) {
			*out = v;
			return true;
		}
	}
	lower_type_error(c, n, path, "an integer");
	return false;
}

bool get_float(struct lower_ctx *c, const struct node *n, const char *path, double *out)
{
	if (node_is_null(n))
		return true;
	if (n->kind == NODE_SCALAR) {
		enum scalar_type t = node_scalar_type(n);
		long long i;
		double f;
		if (t == SCALAR_INT && scalar_parse_int(n->scalar.text, &i)) {
			*out = (double)i;
			return true;
		}
		if (t == SCALAR_FLOAT && scalar_parse_float(n->scalar.text, &f)) {
			*out = f;
			return true;
		}
		if (t == SCALAR_STR && *n->scalar.text) {
			char *end;
			errno = 0;
			f = strtod(n->scalar.text, &end);
			if (!*end && !errno) {
				*out = f;
				return true;
			}
		}
	}
	lower_type_error(c, n, path, "a number");
	return false;
}

bool get_bytes(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out)
{
	if (node_is_null(n))
		return true;
	if (n->kind == NODE_SCALAR) {
		enum scalar_type t = node_scalar_type(n);
		long long i;
		if (t == SCALAR_INT && scalar_parse_int(n->scalar.text, &i)) {
			*out = i;
			return true;
		}
		if (t == SCALAR_STR) {
			const char *err = NULL;
			int64_t b;
			if (parse_bytes(c->a, n->scalar.text, &b, &err) == 0) {
				*out = b;
				return true;
			}
			diag_error(c->d, n->loc, "\"%s\": %s", path, err ? err : "invalid size");
			return false;
		}
	}
	lower_type_error(c, n, path, "a byte size (an integer or a string like \"512m\")");
	return false;
}

bool get_duration(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out)
{
	if (node_is_null(n))
		return true;
	if (n->kind == NODE_SCALAR && node_scalar_type(n) != SCALAR_BOOL) {
		const char *err = NULL;
		int64_t us;
		if (parse_duration(c->a, n->scalar.text, &us, &err) == 0) {
			*out = us;
			return true;
		}
		diag_error(c->d, n->loc, "\"%s\": %s", path, err ? err : "invalid duration");
		return false;
	}
	lower_type_error(c, n, path, "a duration");
	return false;
}

static void strlist_push(struct lower_ctx *c, struct strlist *l, size_t *cap, const char *s, struct loc loc)
{
	if (l->n + 1 >= *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		l->v = arena_grow(c->a, (void *)l->v, l->n * sizeof(*l->v), nc * sizeof(*l->v));
		l->locs = arena_grow(c->a, l->locs, l->n * sizeof(*l->locs), nc * sizeof(*l->locs));
		*cap = nc;
	}
	l->v[l->n] = s;
	l->locs[l->n] = loc;
	l->n++;
	l->v[l->n] = NULL;
}

bool get_strlist(struct lower_ctx *c, const struct node *n, const char *path, bool allow_num,
		 bool allow_string, struct strlist *out)
{
	if (node_is_null(n))
		return true;
	struct strlist l = { 0 };
	size_t cap = 0;
	bool ok = true;
	if (n->kind == NODE_SCALAR && allow_string) {
		enum scalar_type t = node_scalar_type(n);
		if (t == SCALAR_STR || (allow_num && (t == SCALAR_INT || t == SCALAR_FLOAT))) {
			strlist_push(c, &l, &cap, scalar_string(c, n), n->loc);
			*out = l;
			return true;
		}
	}
	if (n->kind != NODE_SEQ) {
		lower_type_error(c, n, path, allow_string ? "a string or a list" : "a list");
		return false;
	}
	/* an explicit [] is kept distinct from absent */
	l.v = arena_alloc(c->a, sizeof(*l.v));
	for (size_t i = 0; i < n->seq.n; i++) {
		const struct node *it = n->seq.items[i];
		enum scalar_type t = it->kind == NODE_SCALAR ? node_scalar_type(it) : SCALAR_NULL;
		if (it->kind == NODE_SCALAR &&
		    (t == SCALAR_STR || (allow_num && (t == SCALAR_INT || t == SCALAR_FLOAT)))) {
			strlist_push(c, &l, &cap, scalar_string(c, it), it->loc);
			continue;
		}
		lower_type_error(c, it, lower_path_idx(c, path, i), allow_num ? "a string or a number" : "a string");
		ok = false;
	}
	*out = l;
	return ok;
}

/* ---- kv lists ---------------------------------------------------------------- */

/* The index is needed only while the list is built: short-lived arena. */
void kvb_init(struct kvb *b, struct arena *a)
{
	(void)a;
	memset(b, 0, sizeof(*b));
}

void kvb_reserve(struct kvb *b, struct arena *a, size_t n)
{
	if (n <= b->cap)
		return;
	b->v = arena_grow(a, b->v, b->n * sizeof(*b->v), n * sizeof(*b->v));
	b->cap = n;
}

/* Every entry is appended; kvb_finish sorts and lets the last of a key
 * win, which costs one sort instead of a lookup per entry. */
void kvb_set(struct kvb *b, struct arena *a, const char *key, const char *value, struct loc loc)
{
	if (b->n == b->cap)
		kvb_reserve(b, a, b->cap ? b->cap * 2 : 8);
	b->v[b->n++] = (struct kv){ .key = key, .value = value, .loc = loc };
}

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	return strcmp(x->key, y->key);
}

DEFINE_SORT_BY_KEY(kv_sort, struct kv)

struct kvlist kvb_finish(struct kvb *b)
{
	if (!b->n)
		return (struct kvlist){ NULL, 0 }; /* as if nothing was reserved */
	struct kv *tmp = b->n > 16 ? malloc((b->n / 2) * sizeof(*tmp)) : NULL;
	if (b->n > 16 && !tmp)
		die("out of memory");
	kv_sort(b->v, tmp, b->n);
	free(tmp);
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (i + 1 == b->n || strcmp(b->v[i].key, b->v[i + 1].key) != 0)
			b->v[n++] = b->v[i]; /* the last of its key */
	return (struct kvlist){ b->v, n };
}

const struct kv *kv_find(const struct kvlist *l, const char *key)
{
	struct kv k = { .key = key };
	if (!l->n)
		return NULL;
	return bsearch(&k, l->v, l->n, sizeof(*l->v), kv_cmp);
}

static const char *bare_value(struct lower_ctx *c, const char *key, enum bare_mode mode, bool *drop)
{
	*drop = false;
	if (mode == BARE_EMPTY)
		return "";
	const char *v = c->in->env ? env_get(c->in->env, key) : NULL;
	if (!v && mode == BARE_ENV_OR_DROP)
		*drop = true;
	return v;
}

/* kv.shipped of the interpolated scalar v (the value, or a list item
 * "KEY=VALUE" when item): the loader's record of it with no variable set. */
static const char *shipped_of(struct lower_ctx *c, const struct node *v, bool item)
{
	if (!c->in->shipped || !(v->tags & TAG_INTERPOLATED))
		return NULL;
	const char *s = strmap_get(c->in->shipped, arena_printf(c->a, "%s:%d:%d", v->loc.file, v->loc.line, v->loc.col));
	if (s && item) {
		const char *eq = strchr(s, '=');
		s = eq ? eq + 1 : "";
	}
	return s;
}

bool get_kvlist(struct lower_ctx *c, const struct node *n, const char *path, enum bare_mode mode,
		struct kvlist *out)
{
	if (node_is_null(n))
		return true;
	struct kvb b;
	bool ok = true, drop;
	kvb_init(&b, c->a);
	kvb_reserve(&b, c->a, n->kind == NODE_SEQ ? n->seq.n : n->kind == NODE_MAP ? n->map.n : 0);
	if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->seq.n; i++) {
			const struct node *it = n->seq.items[i];
			if (it->kind != NODE_SCALAR || node_scalar_type(it) == SCALAR_NULL) {
				lower_type_error(c, it, lower_path_idx(c, path, i), "a string");
				ok = false;
				continue;
			}
			const char *s = scalar_string(c, it);
			const char *eq = strchr(s, '=');
			const char *key, *val;
			if (eq) {
				key = arena_strndup(c->a, s, (size_t)(eq - s));
				val = eq + 1;
			} else {
				key = s;
				val = bare_value(c, key, mode, &drop);
				if (drop)
					continue;
			}
			if (!*key) {
				diag_error(c->d, it->loc, "\"%s\": empty key in \"%s\"", lower_path_idx(c, path, i), s);
				ok = false;
				continue;
			}
			kvb_set(&b, c->a, key, val, it->loc);
			b.v[b.n - 1].literal = eq && !(it->tags & TAG_INTERPOLATED);
			if (eq)
				b.v[b.n - 1].shipped = shipped_of(c, it, true);
		}
	} else if (n->kind == NODE_MAP) {
		for (size_t i = 0; i < n->map.n; i++) {
			const struct node *k = n->map.pairs[i].key, *v = n->map.pairs[i].value;
			const char *val;
			if (node_is_null(v)) {
				val = bare_value(c, k->scalar.text, mode, &drop);
				if (drop)
					continue;
			} else if (v->kind == NODE_SCALAR) {
				val = scalar_string(c, v);
			} else {
				lower_type_error(c, v, lower_path(c, path, k->scalar.text),
						 "a string, number, boolean or null");
				ok = false;
				continue;
			}
			kvb_set(&b, c->a, k->scalar.text, val, k->loc);
			b.v[b.n - 1].literal = !node_is_null(v) && !(v->tags & TAG_INTERPOLATED);
			if (!node_is_null(v)) /* a list item made a mapping by the merge keeps the item's place */
				b.v[b.n - 1].shipped = shipped_of(c, v, v->loc.line == k->loc.line && v->loc.col == k->loc.col);
		}
	} else {
		lower_type_error(c, n, path, "a list or a mapping");
		return false;
	}
	*out = kvb_finish(&b);
	return ok;
}

bool get_opts(struct lower_ctx *c, const struct node *n, const char *path, struct kvlist *out)
{
	if (node_is_null(n))
		return true;
	if (n->kind != NODE_MAP) {
		lower_type_error(c, n, path, "a mapping");
		return false;
	}
	struct kvb b;
	bool ok = true;
	kvb_init(&b, c->a);
	kvb_reserve(&b, c->a, n->map.n);
	for (size_t i = 0; i < n->map.n; i++) {
		const struct node *k = n->map.pairs[i].key, *v = n->map.pairs[i].value;
		if (!node_is_null(v) && v->kind != NODE_SCALAR) {
			lower_type_error(c, v, lower_path(c, path, k->scalar.text), "a string or a number");
			ok = false;
			continue;
		}
		kvb_set(&b, c->a, k->scalar.text, scalar_string(c, v), k->loc);
	}
	*out = kvb_finish(&b);
	return ok;
}

/* ---- generic handlers ----------------------------------------------------- */

#define FIELD(w, at, type) ((type *)((char *)(w)->obj + (at)->off))

void attr_str(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_str(w->c, v, path, FIELD(w, at, const char *));
}

void attr_scalar_str(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		     const char *path)
{
	(void)k;
	get_scalar_str(w->c, v, path, FIELD(w, at, const char *));
}

void attr_tri(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_bool(w->c, v, path, FIELD(w, at, enum tri));
}

void attr_int(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_int(w->c, v, path, FIELD(w, at, int64_t));
}

void attr_double(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_float(w->c, v, path, FIELD(w, at, double));
}

void attr_bytes(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_bytes(w->c, v, path, FIELD(w, at, int64_t));
}

void attr_duration(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		   const char *path)
{
	(void)k;
	get_duration(w->c, v, path, FIELD(w, at, int64_t));
}

void attr_strlist(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		  const char *path)
{
	(void)k;
	get_strlist(w->c, v, path, false, false, FIELD(w, at, struct strlist));
}

void attr_strlist_num(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path)
{
	(void)k;
	get_strlist(w->c, v, path, true, false, FIELD(w, at, struct strlist));
}

void attr_str_or_list(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path)
{
	(void)k;
	get_strlist(w->c, v, path, false, true, FIELD(w, at, struct strlist));
}

void attr_labels(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		 const char *path)
{
	(void)k;
	get_kvlist(w->c, v, path, BARE_EMPTY, FIELD(w, at, struct kvlist));
}

void attr_opts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	get_opts(w->c, v, path, FIELD(w, at, struct kvlist));
}

void attr_extra(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)path;
	(void)at;
	mvec_add(w->c, &w->extra, k->scalar.text, node_to_value(w->c, v));
}

void attr_ignore(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		 const char *path)
{
	(void)w;
	(void)at;
	(void)k;
	(void)v;
	(void)path;
}

/* ---- paths ---------------------------------------------------------------- */

/* C:\data, D:/win or \\server\share: absolute on Windows, so compose-go
 * leaves them as written (a drive letter alone, C:data, is relative). */
static bool path_is_windows_absolute(const char *p)
{
	if (p[0] == '\\' && p[1] == '\\')
		return true;
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	       (p[2] == '\\' || p[2] == '/');
}

const char *lower_abs_path(struct lower_ctx *c, const char *p)
{
	if (p[0] == '~' && (p[1] == '\0' || p[1] == '/')) {
		const char *home = c->in->env ? env_get(c->in->env, "HOME") : NULL;
		if (home && *home)
			p = arena_printf(c->a, "%s%s", home, p + 1);
	}
	if (p[0] == '/' || path_is_windows_absolute(p))
		return p;
	const char *wd = c->in->working_dir ? c->in->working_dir : ".";
	return path_clean(c->a, arena_printf(c->a, "%s/%s", wd, p));
}

/* ---- top-level resources ---------------------------------------------------- */

struct res_aux {
	const struct node *external_key;
	const char *legacy_name; /* external: {name: x} */
	const struct node *legacy_node;
	const struct node *name_node;
};

static void res_external(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	struct resource *r = w->obj;
	struct res_aux *aux = w->aux;
	aux->external_key = k;
	if (v->kind == NODE_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			struct node *kk = v->map.pairs[i].key;
			const char *sub = lower_path(w->c, path, kk->scalar.text);
			if (strcmp(kk->scalar.text, "name") == 0) {
				get_str(w->c, v->map.pairs[i].value, sub, &aux->legacy_name);
				aux->legacy_node = kk;
			} else if (!str_has_prefix(kk->scalar.text, "x-")) {
				lower_unknown(w->c, kk, sub);
			}
		}
		r->external = true;
		return;
	}
	enum tri t = TRI_UNSET;
	if (get_bool(w->c, v, path, &t))
		r->external = t == TRI_TRUE;
}

static void res_name(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	struct res_aux *aux = w->aux;
	aux->name_node = k;
	attr_str(w, at, k, v, path);
}

static void res_generic(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			const char *path)
{
	(void)k;
	(void)path;
	*FIELD(w, at, struct ir_value *) = node_to_value(w->c, v);
}

#define R(name, fn, field) { name, fn, offsetof(struct resource, field) }

static const struct attr network_attrs[] = {
	R("attachable", attr_tri, attachable),   R("driver", attr_str, driver),
	R("driver_opts", attr_opts, driver_opts), R("enable_ipv4", attr_tri, enable_ipv4),
	R("enable_ipv6", attr_tri, enable_ipv6), R("external", res_external, external),
	R("internal", attr_tri, internal),       R("ipam", res_generic, ipam),
	R("labels", attr_labels, labels),        R("name", res_name, name),
};

static const struct attr volume_attrs[] = {
	R("driver", attr_str, driver),    R("driver_opts", attr_opts, driver_opts),
	R("external", res_external, external), R("labels", attr_labels, labels),
	R("name", res_name, name),
};

static const struct attr secret_attrs[] = {
	R("driver", attr_str, driver),
	R("driver_opts", attr_opts, driver_opts),
	R("environment", attr_str, environment),
	R("external", res_external, external),
	R("file", attr_str, file),
	R("labels", attr_labels, labels),
	R("name", res_name, name),
	R("template_driver", attr_str, template_driver),
};

static const struct attr config_attrs[] = {
	R("content", attr_str, content),
	R("environment", attr_str, environment),
	R("external", res_external, external),
	R("file", attr_str, file),
	R("labels", attr_labels, labels),
	R("name", res_name, name),
	R("template_driver", attr_str, template_driver),
};

static const struct {
	const struct attr *attrs;
	size_t n;
	const char *what; /* singular, for messages */
} res_tables[RES__MAX] = {
	[RES_NETWORK] = { network_attrs, ARRAY_SIZE(network_attrs), "network" },
	[RES_VOLUME] = { volume_attrs, ARRAY_SIZE(volume_attrs), "volume" },
	[RES_SECRET] = { secret_attrs, ARRAY_SIZE(secret_attrs), "secret" },
	[RES_CONFIG] = { config_attrs, ARRAY_SIZE(config_attrs), "config" },
};

static const char *const res_section[RES__MAX] = { "networks", "volumes", "secrets", "configs" };

bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (!isalnum(ch) && ch != '.' && ch != '_' && ch != '-')
			return false;
	}
	return true;
}

bool name_too_long(struct lower_ctx *c, const char *what, const char *name, struct loc loc)
{
	size_t n = strlen(name);
	if (n <= LOWER_MAX_NAME)
		return false;
	diag_error(c->d, loc, "%s name \"%.32s...\" is %zu bytes long, more than %d (limit: name length)", what, name,
		   n, LOWER_MAX_NAME);
	return true;
}

/* More than max entries in a section: one error, and the section is not
 * lowered at all (what follows would only repeat the problem). */
static bool too_many(struct lower_ctx *c, const struct node *section, const char *what, size_t max)
{
	if (section->map.n <= max)
		return false;
	diag_error(c->d, section->loc, "%zu %s, more than %zu (limit: number of %s)", (size_t)section->map.n, what, max, what);
	return true;
}

static struct resource *new_resource(struct lower_ctx *c, enum resource_kind kind, const char *key,
				     struct loc loc)
{
	struct resource *r = arena_alloc(c->a, sizeof(*r));
	r->kind = kind;
	r->key = key;
	r->loc = loc;
	return r;
}

static void lower_resource(struct lower_ctx *c, enum resource_kind kind, struct node *k, struct node *v)
{
	const char *key = k->scalar.text;
	const char *path = lower_path(c, res_section[kind], key);
	if (!name_too_long(c, res_tables[kind].what, key, k->loc) && !valid_name(key))
		diag_error(c->d, k->loc, "invalid %s name \"%s\": must match [a-zA-Z0-9._-]+",
			   res_tables[kind].what, key);
	struct resource *r = new_resource(c, kind, key, k->loc);
	struct res_aux aux = { 0 };
	if (!node_is_null(v)) {
		if (v->kind != NODE_MAP) {
			lower_type_error(c, v, path, "a mapping or null");
			strmap_put(&c->res[kind], key, r);
			return;
		}
		struct walk w = { .c = c, .obj = r, .aux = &aux, .path = path };
		walk_map(&w, v, res_tables[kind].attrs, res_tables[kind].n);
		r->extra = mvec_finish(c, &w.extra, k->loc);
		r->extensions = mvec_finish(c, &w.ext, k->loc);

		/* external: {name: x} (deprecated) */
		if (aux.legacy_name) {
			if (r->name && strcmp(r->name, aux.legacy_name) != 0)
				diag_error(c->d, aux.legacy_node->loc,
					   "%s: name and external.name conflict; only use name", path);
			else
				diag_warning(c->d, aux.legacy_node->loc,
					     "%s: external.name is deprecated, please set name and external: true",
					     path);
			r->name = aux.legacy_name;
		}
		/* an external resource has nothing but name and external */
		if (r->external) {
			for (size_t i = 0; i < v->map.n; i++) {
				const struct node *kk = v->map.pairs[i].key;
				const char *s = kk->scalar.text;
				if (strcmp(s, "name") == 0 || strcmp(s, "external") == 0 || str_has_prefix(s, "x-"))
					continue;
				diag_error(c->d, kk->loc, "%s: conflicting parameters \"external\" and \"%s\" specified",
					   path, s);
			}
		}
	}

	if (!r->name)
		r->name = r->external ? key : arena_printf(c->a, "%s_%s", c->in->project_name, key);

	switch (kind) {
	case RES_VOLUME: {
		/* driver_opts.device of a local bind volume is a host path */
		const struct kv *o = kv_find(&r->driver_opts, "o");
		const struct kv *dev = kv_find(&r->driver_opts, "device");
		if ((!r->driver || strcmp(r->driver, "local") == 0) && o && o->value && dev && dev->value &&
		    strstr(o->value, "bind") && dev->value[0] != '/') {
			((struct kv *)dev)->value = lower_abs_path(c, dev->value);
		}
		break;
	}
	case RES_SECRET:
	case RES_CONFIG: {
		if (r->file)
			r->file = lower_abs_path(c, r->file);
		if (r->environment) {
			r->content = c->in->env ? env_get(c->in->env, r->environment) : NULL;
			if (!r->content)
				diag_warning(c->d, k->loc, "%s \"%s\": environment variable \"%s\" is not set",
					     res_tables[kind].what, key, r->environment);
		}
		int n = !!r->file + !!r->environment + (kind == RES_CONFIG && r->content && !r->environment);
		if (r->external || r->driver)
			break;
		if (n > 1) {
			diag_error(c->d, k->loc, "%s \"%s\": %s are mutually exclusive", res_tables[kind].what, key,
				   kind == RES_SECRET ? "\"file\" and \"environment\""
						      : "\"file\", \"environment\" and \"content\"");
		} else if (n == 0) {
			if (kind == RES_SECRET)
				diag_error(c->d, k->loc, "secret \"%s\" must declare either \"file\" or \"environment\"",
					   key);
			else
				diag_error(c->d, k->loc,
					   "config \"%s\" must declare one of \"file\", \"environment\" or \"content\"",
					   key);
		}
		break;
	}
	case RES_NETWORK:
	case RES__MAX:
		break;
	}
	strmap_put(&c->res[kind], key, r);
}

static void lower_resources(struct lower_ctx *c, enum resource_kind kind, struct node *n)
{
	if (node_is_null(n))
		return;
	if (n->kind != NODE_MAP) {
		lower_type_error(c, n, res_section[kind], "a mapping");
		return;
	}
	if (too_many(c, n, res_section[kind], LOWER_MAX_RESOURCES))
		return;
	for (size_t i = 0; i < n->map.n; i++)
		lower_resource(c, kind, n->map.pairs[i].key, n->map.pairs[i].value);
}

static int res_cmp(const void *a, const void *b)
{
	const struct resource *x = *(struct resource *const *)a, *y = *(struct resource *const *)b;
	return strcmp(x->key, y->key);
}

static void collect_resources(struct lower_ctx *c)
{
	for (int k = 0; k < RES__MAX; k++) {
		const struct strmap *m = &c->res[k];
		struct resource **v = arena_alloc(c->a, (m->n + 1) * sizeof(*v));
		size_t n = 0;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				v[n++] = m->slots[i].value;
		qsort(v, n, sizeof(*v), res_cmp);
		c->p->res[k] = v;
		c->p->n_res[k] = n;
	}
}

/* ---- the project ------------------------------------------------------------ */

struct top_aux {
	struct node *services, *res[RES__MAX];
};

static void top_services(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			 const char *path)
{
	(void)at;
	(void)k;
	(void)path;
	((struct top_aux *)w->aux)->services = v;
}

static void top_res(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)k;
	(void)path;
	((struct top_aux *)w->aux)->res[at->off] = v;
}

static void top_name(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path)
{
	(void)at;
	(void)k;
	const char *s = NULL;
	get_str(w->c, v, path, &s);
}

static const struct attr top_attrs[] = {
	{ "configs", top_res, RES_CONFIG },
	{ "include", attr_ignore, 0 }, /* applied by the loader */
	{ "models", attr_extra, 0 },
	{ "name", top_name, 0 },
	{ "networks", top_res, RES_NETWORK },
	{ "secrets", top_res, RES_SECRET },
	{ "services", top_services, 0 },
	{ "version", attr_ignore, 0 }, /* obsolete; the loader warns */
	{ "volumes", top_res, RES_VOLUME },
};

/* A mapping that reads as a service of the old format: image or build. */
static bool looks_like_service(const struct node *v)
{
	return v && v->kind == NODE_MAP && (node_map_get(v, "image") || node_map_get(v, "build"));
}

/* Every top-level key is one of top_attrs or an x- extension: docker
 * compose rejects any other, whatever --loose says, and so do we.  A file
 * without "services" whose unknown keys look like services is the old
 * format (services at the top level): say so, since loading it as an empty
 * project would deploy nothing. */
static bool top_level_known(struct lower_ctx *c, const struct node *model)
{
	size_t unknown = 0, services = 0;
	const struct node *first = NULL;
	for (size_t i = 0; i < model->map.n; i++) {
		const struct node *k = model->map.pairs[i].key;
		const char *key = k->scalar.text;
		if ((key[0] == 'x' && key[1] == '-') || find_attr(top_attrs, ARRAY_SIZE(top_attrs), key))
			continue;
		diag_error(c->d, k->loc, "unknown top-level attribute \"%s\"", key);
		if (!unknown++)
			first = k;
		services += looks_like_service(model->map.pairs[i].value);
	}
	if (services && !node_map_get(model, "services"))
		diag_note(c->d, first->loc,
			  "this looks like the old Compose file format, with services at the top level: "
			  "put them under \"services:\"");
	return unknown == 0;
}

static int svc_cmp(const void *a, const void *b)
{
	const struct service *x = *(struct service *const *)a, *y = *(struct service *const *)b;
	return strcmp(x->name, y->name);
}

bool service_enabled(const struct lower_ctx *c, const struct service *s)
{
	if (!s->profiles.n)
		return true;
	for (size_t i = 0; i < c->in->profiles.n; i++) {
		const char *a = c->in->profiles.v[i];
		if (strcmp(a, "*") == 0)
			return true;
		for (size_t j = 0; j < s->profiles.n; j++)
			if (strcmp(a, s->profiles.v[j]) == 0)
				return true;
	}
	return false;
}

static void resolve_dependencies(struct lower_ctx *c, struct service *s, bool enabled)
{
	for (size_t i = 0; i < s->n_depends_on; i++) {
		struct dependency *d = &s->depends_on[i];
		struct service *t = strmap_get(&c->svc_by_name, d->service);
		bool t_enabled = t && strmap_get(&c->svc_enabled, d->service);
		if (!enabled) {
			d->target = t;
			continue;
		}
		if (t && t_enabled) {
			d->target = t;
		} else {
			d->target = NULL;
			if (d->required)
				consistency_error(c, d->loc, "service \"%s\" depends on undefined service \"%s\"", s->name,
					   d->service);
		}
	}
}

/* build.additional_contexts NAME=service:TARGET: TARGET must be a service
 * that is built, whose image is the context (docker compose's check). */
static void check_context_services(struct lower_ctx *c, const struct service *s)
{
	const struct ir_value *ctx = NULL;
	const struct ir_value *extra = s->build.present ? s->build.extra : NULL;
	for (size_t i = 0; extra && extra->kind == VAL_MAP && i < extra->map.n; i++)
		if (strcmp(extra->map.members[i].key, "additional_contexts") == 0)
			ctx = extra->map.members[i].value;
	for (size_t i = 0; ctx && ctx->kind == VAL_MAP && i < ctx->map.n; i++) {
		const struct ir_value *v = ctx->map.members[i].value;
		if (!v || v->kind != VAL_STR || !str_has_prefix(v->s, "service:"))
			continue;
		const char *name = v->s + strlen("service:");
		const struct service *t = strmap_get(&c->svc_by_name, name);
		if (!t)
			consistency_error(c, v->loc, "service \"%s\" declares unknown service \"%s\" as additional context \"%s\"",
					  s->name, name, ctx->map.members[i].key);
		else if (!t->build.present)
			consistency_error(c, v->loc,
					  "service \"%s\" declares service \"%s\", which has no build, as additional "
					  "context \"%s\"",
					  s->name, name, ctx->map.members[i].key);
	}
}

void consistency_error(struct lower_ctx *c, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_report(c->d, c->in->lenient ? DIAG_WARNING : DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

struct project *lower_project(const struct lower_input *in)
{
	struct lower_ctx ctx = { 0 }, *c = &ctx;
	int errors0 = in->diag->errors;
	c->in = in;
	c->a = in->arena;
	c->d = in->diag;
	for (int k = 0; k < RES__MAX; k++)
		strmap_init(&c->res[k], c->a);
	strmap_init(&c->svc_by_name, c->a);
	strmap_init(&c->svc_enabled, c->a);
	strmap_init(&c->deps_seen, c->a);

	struct project *p = arena_alloc(c->a, sizeof(*p));
	c->p = p;
	if (in->key_locs)
		strmap_init(&p->key_locs, c->a);
	p->name = in->project_name;
	p->working_dir = in->working_dir;
	p->config_files = in->config_files;

	struct top_aux top = { 0 };
	if (in->model && !node_is_null(in->model)) {
		if (in->model->kind != NODE_MAP) {
			diag_error(c->d, in->model->loc, "top-level object must be a mapping");
			return NULL;
		}
		if (!top_level_known(c, in->model))
			return NULL;
		struct walk w = { .c = c, .obj = p, .aux = &top, .path = "" };
		walk_map(&w, in->model, top_attrs, ARRAY_SIZE(top_attrs));
		p->extensions = mvec_finish(c, &w.ext, in->model->loc);
		p->extra = mvec_finish(c, &w.extra, in->model->loc);
	}

	for (int k = 0; k < RES__MAX; k++)
		lower_resources(c, (enum resource_kind)k, top.res[k]);

	if (!node_is_null(top.services)) {
		if (top.services->kind != NODE_MAP) {
			lower_type_error(c, top.services, "services", "a mapping");
		} else if (!too_many(c, top.services, "services", LOWER_MAX_SERVICES)) {
			/* what a service leaves in the short-lived arena (paths,
			 * key indexes) is dead once it is lowered */
			struct arena *aux = arena_aux(c->a);
			for (size_t i = 0; i < top.services->map.n; i++) {
				struct node *k = top.services->map.pairs[i].key;
				struct arena_mark mark = arena_mark(aux);
				struct service *s = lower_service(c, k, top.services->map.pairs[i].value);
				if (aux != c->a)
					arena_rewind(aux, mark);
				if (!s)
					continue;
				ptrvec_push(&c->services, c->a, s);
				strmap_put(&c->svc_by_name, s->name, s);
				if (service_enabled(c, s))
					strmap_put(&c->svc_enabled, s->name, s);
			}
		}
	}

	/* the default network exists only when some service uses it */
	if (c->default_net_used && !strmap_get(&c->res[RES_NETWORK], "default")) {
		struct resource *r = new_resource(c, RES_NETWORK, "default", (struct loc){ 0 });
		r->name = arena_printf(c->a, "%s_default", in->project_name);
		strmap_put(&c->res[RES_NETWORK], "default", r);
	}
	collect_resources(c);

	size_t n_en = 0, n_dis = 0;
	struct strmap names; /* container_name -> the service that has it */
	strmap_init(&names, c->a);
	for (size_t i = 0; i < c->services.n; i++) {
		struct service *s = c->services.v[i];
		bool en = strmap_get(&c->svc_enabled, s->name) != NULL;
		service_resolve_refs(c, s, en);
		resolve_dependencies(c, s, en);
		check_context_services(c, s);
		if (en && s->container_name) { /* one container per name: docker compose's check */
			const struct service *other = strmap_get(&names, s->container_name);
			if (other)
				consistency_error(c, s->loc, "service \"%s\": container name \"%s\" is already in use by "
							     "service \"%s\"",
						  s->name, s->container_name, other->name);
			else
				strmap_put(&names, s->container_name, s);
		}
		if (en)
			n_en++;
		else
			n_dis++;
	}
	p->services = arena_alloc(c->a, (n_en + 1) * sizeof(*p->services));
	p->disabled = arena_alloc(c->a, (n_dis + 1) * sizeof(*p->disabled));
	for (size_t i = 0; i < c->services.n; i++) {
		struct service *s = c->services.v[i];
		if (strmap_get(&c->svc_enabled, s->name))
			p->services[p->n_services++] = s;
		else
			p->disabled[p->n_disabled++] = s;
	}
	qsort(p->services, p->n_services, sizeof(*p->services), svc_cmp);
	qsort(p->disabled, p->n_disabled, sizeof(*p->disabled), svc_cmp);
	if (in->prune_unused)
		prune_unused_resources(p, c->a);

	project_order(p, c->a, c->d);

	if (c->d->errors > errors0)
		return NULL;
	return p;
}
