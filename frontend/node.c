/*
 * node.c - construction and queries of the generic YAML tree (node.h), and
 * the YAML 1.2 core-schema typing of plain scalars as go-yaml v4 does it.
 */
#include "frontend/node.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <math.h>

/* Node structures and their pair and item arrays go to arena_aux(a),
 * which the loader releases once the tree is lowered; scalar texts, which
 * the IR keeps pointing at, to a itself. */
struct node *node_new_scalar(struct arena *a, struct loc loc, const char *text, size_t len,
			     enum scalar_style style)
{
	struct node *n = arena_alloc(arena_aux(a), sizeof(*n));
	n->kind = NODE_SCALAR;
	n->style = style;
	n->loc = loc;
	n->scalar.text = arena_strndup(a, text, len);
	n->scalar.len = len;
	return n;
}

struct node *node_new_map(struct arena *a, struct loc loc)
{
	struct node *n = arena_alloc(arena_aux(a), sizeof(*n));
	n->kind = NODE_MAP;
	n->loc = loc;
	return n;
}

struct node *node_new_seq(struct arena *a, struct loc loc)
{
	struct node *n = arena_alloc(arena_aux(a), sizeof(*n));
	n->kind = NODE_SEQ;
	n->loc = loc;
	return n;
}

void node_map_add(struct arena *a, struct node *map, struct node *key, struct node *value)
{
	if (map->map.n == map->map.cap) {
		size_t cap = map->map.cap ? map->map.cap * 2 : 4;
		map->map.pairs = arena_grow(arena_aux(a), map->map.pairs, map->map.n * sizeof(struct node_pair),
					    cap * sizeof(struct node_pair));
		map->map.cap = cap;
	}
	map->map.pairs[map->map.n].key = key;
	map->map.pairs[map->map.n].value = value;
	map->map.n++;
}

void node_seq_add(struct arena *a, struct node *seq, struct node *item)
{
	if (seq->seq.n == seq->seq.cap) {
		size_t cap = seq->seq.cap ? seq->seq.cap * 2 : 4;
		seq->seq.items = arena_grow(arena_aux(a), seq->seq.items, seq->seq.n * sizeof(struct node *),
					    cap * sizeof(struct node *));
		seq->seq.cap = cap;
	}
	seq->seq.items[seq->seq.n++] = item;
}

struct node *node_copy(struct arena *a, const struct node *n)
{
	a = arena_aux(a);
	struct node *c = arena_alloc(a, sizeof(*c));
	*c = *n;
	c->stype = 0;
	if (n->kind == NODE_MAP) {
		c->map.pairs = n->map.n ? arena_alloc(a, n->map.n * sizeof(struct node_pair)) : NULL;
		if (n->map.n)
			memcpy(c->map.pairs, n->map.pairs, n->map.n * sizeof(struct node_pair));
		c->map.cap = n->map.n;
	} else if (n->kind == NODE_SEQ) {
		c->seq.items = n->seq.n ? arena_alloc(a, n->seq.n * sizeof(struct node *)) : NULL;
		if (n->seq.n)
			memcpy(c->seq.items, n->seq.items, n->seq.n * sizeof(struct node *));
		c->seq.cap = n->seq.n;
	}
	return c;
}

struct node *node_clone(struct arena *a, const struct node *n)
{
	struct node *c = node_copy(a, n);
	if (n->kind == NODE_MAP) {
		for (size_t i = 0; i < c->map.n; i++)
			c->map.pairs[i].value = node_clone(a, c->map.pairs[i].value);
	} else if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < c->seq.n; i++)
			c->seq.items[i] = node_clone(a, c->seq.items[i]);
	}
	return c;
}

struct node_pair *node_map_find(const struct node *map, const char *key)
{
	if (!map || map->kind != NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->map.n; i++) {
		const char *k = map->map.pairs[i].key->scalar.text;
		if (k[0] == key[0] && strcmp(k, key) == 0) /* most keys differ at once */
			return &map->map.pairs[i];
	}
	return NULL;
}

struct node *node_map_get(const struct node *map, const char *key)
{
	struct node_pair *p = node_map_find(map, key);
	return p ? p->value : NULL;
}

bool node_map_remove(struct node *map, const char *key)
{
	struct node_pair *p = node_map_find(map, key);
	if (!p)
		return false;
	size_t i = (size_t)(p - map->map.pairs);
	memmove(p, p + 1, (map->map.n - i - 1) * sizeof(*p));
	map->map.n--;
	return true;
}

void node_map_set(struct arena *a, struct node *map, const char *key, struct node *value)
{
	struct node_pair *p = node_map_find(map, key);
	if (p) {
		p->value = value;
		return;
	}
	node_map_add(a, map, node_new_scalar(a, value ? value->loc : map->loc, key, strlen(key), STYLE_PLAIN),
		     value);
}

bool scalar_parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "true", "True", "TRUE" }, *const f[] = { "false", "False", "FALSE" };
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(s, t[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, f[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* strconv.ParseInt(s, 0, 64) after removing underscores: sign, then 0x,
 * 0o, 0b prefixes, or a leading 0 for octal. */
bool scalar_parse_int(const char *s, long long *out)
{
	char buf[80];
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '_')
			continue;
		if (n + 1 >= sizeof(buf))
			return false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++) {
		int d = isdigit((unsigned char)*q) ? *q - '0'
			: isalpha((unsigned char)*q) ? tolower((unsigned char)*q) - 'a' + 10 : 99;
		if (d >= base)
			return false;
	}
	errno = 0;
	unsigned long long v = strtoull(p, NULL, base);
	if (errno == ERANGE || v > (neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX))
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and .inf/.nan. */
bool scalar_parse_float(const char *s, double *out)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF" }, *const nan[] = { ".nan", ".NaN", ".NAN" };
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(p, inf[i]) == 0) {
			*out = neg ? -HUGE_VAL : HUGE_VAL;
			return true;
		}
		if (p == s && strcmp(p, nan[i]) == 0) {
			*out = NAN;
			return true;
		}
	}
	const char *q = p;
	size_t digits = 0;
	while (isdigit((unsigned char)*q))
		q++, digits++;
	if (*q == '.') {
		q++;
		while (isdigit((unsigned char)*q))
			q++, digits++;
	}
	if (!digits)
		return false;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!isdigit((unsigned char)*q))
			return false;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q)
		return false;
	*out = strtod(s, NULL);
	return true;
}

static enum scalar_type plain_scalar_type(const char *s)
{
	bool b;
	long long i;
	double f;
	if (!*s || (s[0] == '~' && !s[1]) ||
	    ((*s == 'n' || *s == 'N') && (strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)))
		return SCALAR_NULL;
	/* every bool word starts with t, T, f or F; every number with a sign,
	 * a digit, a '.' or (underscores being ignored) a '_' */
	if ((*s == 't' || *s == 'T' || *s == 'f' || *s == 'F') && scalar_parse_bool(s, &b))
		return SCALAR_BOOL;
	if (!(*s == '+' || *s == '-' || *s == '.' || *s == '_' || (*s >= '0' && *s <= '9')))
		return SCALAR_STR;
	if (scalar_parse_int(s, &i))
		return SCALAR_INT;
	if (scalar_parse_float(s, &f))
		return SCALAR_FLOAT;
	return SCALAR_STR;
}

/* Typing is asked for again and again (keys, interpolation, merge,
 * lowering), so a scalar remembers its type; nodes are immutable once
 * built, and node_copy forgets it. */
enum scalar_type node_scalar_type(const struct node *n)
{
	if (n->kind != NODE_SCALAR || n->style != STYLE_PLAIN || (n->tags & TAG_STR))
		return SCALAR_STR;
	if (n->stype)
		return (enum scalar_type)(n->stype - 1);
	enum scalar_type t = plain_scalar_type(n->scalar.text);
	((struct node *)n)->stype = (unsigned char)(t + 1);
	return t;
}

bool node_is_null(const struct node *n)
{
	return !n || (n->kind == NODE_SCALAR && node_scalar_type(n) == SCALAR_NULL);
}

bool node_is_str(const struct node *n, const char *s)
{
	return n && n->kind == NODE_SCALAR && strcmp(n->scalar.text, s) == 0;
}

const char *node_kind_name(const struct node *n)
{
	if (!n)
		return "null";
	switch (n->kind) {
	case NODE_MAP:
		return "mapping";
	case NODE_SEQ:
		return "sequence";
	case NODE_SCALAR:
		break;
	}
	switch (node_scalar_type(n)) {
	case SCALAR_NULL:
		return "null";
	case SCALAR_BOOL:
		return "boolean";
	case SCALAR_INT:
	case SCALAR_FLOAT:
		return "number";
	case SCALAR_STR:
		break;
	}
	return "string";
}
