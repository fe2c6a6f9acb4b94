/*
 * audit_locate.c - finding keys in the compose source texts.
 *
 * The IR carries locations for services, list items and map entries, but
 * not for scalar attributes (`privileged: true`, `network_mode: host`).  A
 * finding about one of those must still point at its key, so this file
 * looks the key path up in the texts the frontend registered with the
 * diagnostics sink.  It reads block-style YAML line by line (indentation,
 * "- " items, plain and quoted keys); flow mappings, anchors merged with
 * "<<" and keys split over lines are not followed, and the lookup then
 * settles for the deepest key it did find (at worst the service key).  It
 * only ever produces locations and the raw text of one scalar (to tell a
 * literal from an interpolated value, or "./data" from "/data"); every
 * value the rules judge comes from the IR.
 *
 * Suppression comments are read here too: "# composec-ignore: RULE[,RULE]"
 * on the finding's line or on a comment line right above it.
 */
#include "audit/audit_internal.h"

#include <string.h>

#define MAX_EXTENDS 16

struct src_index {
	const struct diag_source *src;
	size_t *start; /* start[i]: offset of line i + 1; start[n] = len + 1 */
	int n;
};

/* One line of block YAML, as far as locating keys needs it. */
struct yline {
	bool content;     /* neither blank nor only a comment */
	bool dash;        /* starts with a "- " list item */
	int indent;       /* leading spaces */
	int key_col;      /* 1-based column of the key; 0: no "key:" on the line */
	const char *key;  /* the key without its quotes */
	size_t key_len;
	const char *val;  /* after "key:" (or after "- "), comment dropped, trimmed */
	size_t val_len;
};

/* ---- sources split into lines -------------------------------------------- */

static struct src_index *index_build(struct arena *a, const struct diag_source *s)
{
	struct src_index *x = arena_alloc(a, sizeof(*x));
	int n = 1;
	for (size_t i = 0; i < s->len; i++)
		n += s->text[i] == '\n';
	x->src = s;
	x->start = arena_alloc(a, (size_t)(n + 1) * sizeof(*x->start));
	int l = 0;
	x->start[l++] = 0;
	for (size_t i = 0; i < s->len; i++)
		if (s->text[i] == '\n')
			x->start[l++] = i + 1;
	x->start[l] = s->len + 1;
	x->n = n;
	return x;
}

/* The index of source i (built on first use; sources registered after
 * the last call are picked up). */
static struct src_index *source_index_at(struct audit_ctx *c, size_t i)
{
	if (c->n_idx < c->d->sources.n) {
		struct src_index **v = arena_alloc(c->a, c->d->sources.n * sizeof(*v));
		if (c->n_idx)
			memcpy(v, c->idx, c->n_idx * sizeof(*v));
		c->idx = v;
		c->n_idx = c->d->sources.n;
	}
	if (!c->idx[i])
		c->idx[i] = index_build(c->a, c->d->sources.v[i]);
	return c->idx[i];
}

/* The index of the source registered last under name, or NULL (also when
 * its text was dropped after parsing: audit loads keep_sources). */
static struct src_index *source_index(struct audit_ctx *c, const char *name)
{
	for (size_t i = c->d->sources.n; name && i-- > 0;) {
		const struct diag_source *s = c->d->sources.v[i];
		if (strcmp(s->name, name) == 0)
			return s->text ? source_index_at(c, i) : NULL;
	}
	return NULL;
}

static bool line_text(const struct src_index *x, int line, const char **p, size_t *n)
{
	if (!x || line < 1 || line > x->n)
		return false;
	size_t b = x->start[line - 1], e = x->start[line] - 1;
	if (e > b && x->src->text[e - 1] == '\r')
		e--;
	if (line == 1 && e - b >= 3 && memcmp(x->src->text, "\xef\xbb\xbf", 3) == 0)
		b += 3; /* a byte order mark is not indentation */
	*p = x->src->text + b;
	*n = e - b;
	return true;
}

/* ---- one line of YAML ------------------------------------------------------ */

/* End of a quoted scalar starting at p[i] (the quote), or n if unclosed. */
static size_t quoted_end(const char *p, size_t i, size_t n)
{
	char q = p[i];
	for (size_t j = i + 1; j < n; j++) {
		if (q == '"' && p[j] == '\\')
			j++;
		else if (p[j] == q && q == '\'' && j + 1 < n && p[j + 1] == '\'')
			j++;
		else if (p[j] == q)
			return j;
	}
	return n;
}

/* Where a comment starts (a '#' at the start or after a blank, outside
 * quotes), or n. */
static size_t comment_start(const char *p, size_t i, size_t n)
{
	for (size_t j = i; j < n; j++) {
		if ((p[j] == '"' || p[j] == '\'') && (j == i || p[j - 1] == ' ' || p[j - 1] == '\t'))
			j = quoted_end(p, j, n);
		else if (p[j] == '#' && (j == i || p[j - 1] == ' ' || p[j - 1] == '\t'))
			return j;
	}
	return n;
}

static void set_value(struct yline *y, const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	size_t e = comment_start(p, i, n);
	while (e > i && (p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	y->val = p + i;
	y->val_len = e - i;
}

/* A key starting at p[i]: returns the index of its ':' or 0. */
static size_t key_colon(const char *p, size_t i, size_t n, size_t *kb, size_t *ke)
{
	if (i >= n || strchr("{[&*!|>%@`#", p[i]))
		return 0;
	size_t j = i;
	if (p[i] == '"' || p[i] == '\'') {
		j = quoted_end(p, i, n);
		*kb = i + 1;
		*ke = j;
		j++;
		while (j < n && p[j] == ' ')
			j++;
	} else {
		while (j < n && !(p[j] == ':' && (j + 1 == n || p[j + 1] == ' ' || p[j + 1] == '\t'))) {
			if (p[j] == '#' && j > i && (p[j - 1] == ' ' || p[j - 1] == '\t'))
				return 0;
			j++;
		}
		*kb = i;
		*ke = j;
		while (*ke > *kb && p[*ke - 1] == ' ')
			(*ke)--;
	}
	if (j >= n || p[j] != ':' || (j + 1 < n && p[j + 1] != ' ' && p[j + 1] != '\t'))
		return 0;
	return j;
}

static void parse_line(const char *p, size_t n, struct yline *y)
{
	memset(y, 0, sizeof(*y));
	size_t i = 0;
	while (i < n && p[i] == ' ')
		i++;
	y->indent = (int)i;
	if (i == n || p[i] == '#')
		return;
	y->content = true;
	if (p[i] == '-' && (i + 1 == n || p[i + 1] == ' ')) {
		y->dash = true;
		for (i++; i < n && p[i] == ' ';)
			i++;
	}
	size_t kb = 0, ke = 0, colon = key_colon(p, i, n, &kb, &ke);
	if (!colon) {
		set_value(y, p, i, n);
		return;
	}
	y->key_col = (int)i + 1;
	y->key = p + kb;
	y->key_len = ke - kb;
	set_value(y, p, colon + 1, n);
}

static bool get_line(const struct src_index *x, int line, struct yline *y)
{
	const char *p;
	size_t n;
	if (!line_text(x, line, &p, &n))
		return false;
	parse_line(p, n, y);
	return true;
}

static bool key_is(const struct yline *y, const char *key)
{
	return y->key_col && y->key_len == strlen(key) && memcmp(y->key, key, y->key_len) == 0;
}

/* A value that only holds an anchor or a tag ("&x", "!override") leaves
 * the block below it as the real value. */
static bool value_is_block(const struct yline *y)
{
	if (!y->val) /* a blank or comment line: nothing on it */
		return true;
	const char *v = y->val, *e = y->val + y->val_len;
	while (v < e && (*v == '&' || *v == '!')) {
		while (v < e && *v != ' ')
			v++;
		while (v < e && *v == ' ')
			v++;
	}
	return v == e;
}

/* ---- walking block mappings ------------------------------------------------ */

/* The line of key in the block mapping whose keys sit at column col and
 * whose first key is on line; 0 when absent. */
static int map_find(const struct src_index *x, int line, int col, const char *key)
{
	struct yline y;
	for (int l = line; get_line(x, l, &y); l++) {
		if (!y.content)
			continue;
		if (l > line && y.indent < col - 1)
			break;
		if (y.key_col == col && key_is(&y, key))
			return l;
	}
	return 0;
}

/* The block mapping that is the value of the key at (line, col): its first
 * line and key column.  False for scalars, flow values and sequences. */
static bool key_block(const struct src_index *x, int line, int col, int *bline, int *bcol)
{
	struct yline y;
	if (!get_line(x, line, &y) || !value_is_block(&y))
		return false;
	for (int l = line + 1; get_line(x, l, &y); l++) {
		if (!y.content)
			continue;
		if (y.indent < col || y.dash || !y.key_col)
			return false;
		*bline = l;
		*bcol = y.key_col;
		return true;
	}
	return false;
}

/* Follow path from the key at (line, col); returns the number of keys
 * found and leaves the deepest one in *at. */
/* The key whose value is the anchor "&name" with a block below it. */
static bool anchor_key(const struct src_index *x, const char *name, size_t n, int *line, int *col)
{
	struct yline y;
	for (int l = 1; get_line(x, l, &y); l++)
		if (y.key_col && y.val_len > n && y.val[0] == '&' && memcmp(y.val + 1, name, n) == 0 &&
		    (y.val_len == n + 1 || y.val[n + 1] == ' ')) {
			*line = l;
			*col = y.key_col;
			return true;
		}
	return false;
}

/* key in the block mapping at (bl, bc), or in what its "<<: *anchor"
 * (or "<<: [*a, *b]") merges in, the first anchor first as YAML merges
 * them.  Returns the line and sets *kcol, or 0. */
static int block_find(const struct src_index *x, int bl, int bc, const char *key, int *kcol, int hops)
{
	int l = map_find(x, bl, bc, key);
	if (l) {
		*kcol = bc;
		return l;
	}
	struct yline y;
	int m = hops < MAX_EXTENDS ? map_find(x, bl, bc, "<<") : 0;
	if (!m || !get_line(x, m, &y))
		return 0;
	for (const char *p = y.val, *e = y.val + y.val_len; p < e; p++) {
		if (*p != '*')
			continue;
		size_t n = 0;
		while (p + 1 + n < e && !strchr(" ,]", p[1 + n]))
			n++;
		int al, ac, ml, mc;
		if (anchor_key(x, p + 1, n, &al, &ac) && key_block(x, al, ac, &ml, &mc) &&
		    (l = block_find(x, ml, mc, key, kcol, hops + 1)))
			return l;
	}
	return 0;
}

static int walk(const struct src_index *x, int line, int col, const char *const *path, struct loc *at)
{
	int depth = 0;
	for (; path[depth]; depth++) {
		int bl, bc;
		if (!key_block(x, line, col, &bl, &bc))
			break;
		int l = block_find(x, bl, bc, path[depth], &col, 0);
		if (!l)
			break;
		line = l;
		*at = (struct loc){ x->src->name, line, col };
	}
	return depth;
}

/* The key of service name under a top-level "services:" of x. */
static bool find_service(const struct src_index *x, const char *name, int *line, int *col)
{
	struct yline y;
	for (int l = 1; get_line(x, l, &y); l++) {
		if (!y.content || y.indent != 0 || y.dash || !key_is(&y, "services"))
			continue;
		int bl, bc;
		if (!key_block(x, l, 1, &bl, &bc))
			continue;
		int sl = map_find(x, bl, bc, name);
		if (sl) {
			*line = sl;
			*col = bc;
			return true;
		}
	}
	return false;
}

/* ---- raw scalars ----------------------------------------------------------- */

static const char *unquote(struct arena *a, const char *v, size_t n)
{
	if (n >= 2 && (v[0] == '"' || v[0] == '\'')) {
		size_t e = quoted_end(v, 0, n);
		return arena_strndup(a, v + 1, e > 0 ? e - 1 : 0);
	}
	return arena_strndup(a, v, n);
}

/* The text at (line, col) parsed as one line of YAML starting there. */
static bool line_from(const struct src_index *x, struct loc loc, struct yline *y)
{
	const char *p;
	size_t n;
	if (!line_text(x, loc.line, &p, &n) || loc.col < 1 || (size_t)loc.col > n + 1)
		return false;
	parse_line(p + loc.col - 1, n - (size_t)(loc.col - 1), y);
	return y->content;
}

const char *audit_raw_value(struct audit_ctx *c, struct loc loc)
{
	struct yline y;
	if (!line_from(source_index(c, loc.file), loc, &y))
		return NULL;
	return unquote(c->a, y.val, y.val_len);
}

bool audit_is_key(struct audit_ctx *c, struct loc loc)
{
	struct yline y;
	return line_from(source_index(c, loc.file), loc, &y) && y.key_col == 1;
}

/* The source whose name, made absolute, is abs. */
static struct src_index *source_by_path(struct audit_ctx *c, const char *abs)
{
	for (size_t i = c->d->sources.n; i-- > 0;) {
		const struct diag_source *s = c->d->sources.v[i];
		if (strcmp(audit_abs_path(c, s->name), abs) == 0)
			return source_index_at(c, i);
	}
	return NULL;
}

/* The scalar value of the key path below the key at (line, col), or NULL. */
static const char *value_at(struct audit_ctx *c, struct src_index *x, int line, int col, const char *key)
{
	struct loc at;
	struct yline y;
	if (walk(x, line, col, (const char *const[]){ key, NULL }, &at) != 1 || !get_line(x, at.line, &y) ||
	    !y.val_len)
		return NULL;
	return unquote(c->a, y.val, y.val_len);
}

bool audit_raw_env(struct audit_ctx *c, struct loc loc, const char *name, const char **value)
{
	struct yline y;
	size_t n = strlen(name);
	if (!line_from(source_index(c, loc.file), loc, &y))
		return false;
	if (y.key_col) {
		*value = unquote(c->a, y.val, y.val_len);
		return y.key_len == n && memcmp(y.key, name, n) == 0;
	}
	const char *v = unquote(c->a, y.val, y.val_len);
	if (strncmp(v, name, n) != 0 || (v[n] != '=' && v[n] != '\0'))
		return false;
	*value = v[n] ? v + n + 1 : "";
	return true;
}

/* The extends of the service at (line, col) of x: the base service's name
 * and the source it is in (x itself without `file:`). */
static bool extends_of(struct audit_ctx *c, struct src_index *x, int line, int col, struct src_index **bx,
		       const char **base)
{
	struct loc at;
	struct yline y;
	if (walk(x, line, col, (const char *const[]){ "extends", NULL }, &at) != 1 || !get_line(x, at.line, &y))
		return false;
	*bx = x;
	if (y.val_len) {
		*base = unquote(c->a, y.val, y.val_len);
		return true;
	}
	*base = value_at(c, x, at.line, at.col, "service");
	const char *file = value_at(c, x, at.line, at.col, "file");
	if (file && file[0] != '/') {
		const char *name = audit_abs_path(c, x->src->name);
		file = arena_printf(c->a, "%.*s/%s", (int)(strrchr(name, '/') - name), name, file);
	}
	if (file)
		*bx = source_by_path(c, audit_abs_path(c, file));
	return *base && *bx;
}

/* ---- the public lookups ---------------------------------------------------- */

static void consider(int d, struct loc at, int *best_d, struct loc *best)
{
	if (d > *best_d) {
		*best_d = d;
		*best = at;
	}
}

/* The service's own block, then its extends chain. */
static void locate_own(struct audit_ctx *c, const struct service *s, const char *const *path, int *best_d,
		       struct loc *best)
{
	struct src_index *x = source_index(c, s->loc.file);
	int line = s->loc.line, col = s->loc.col;
	for (int hop = 0; x && hop < MAX_EXTENDS; hop++) {
		struct loc at;
		consider(walk(x, line, col, path, &at), at, best_d, best);
		const char *base;
		struct src_index *bx;
		if (!extends_of(c, x, line, col, &bx, &base) || !find_service(bx, base, &line, &col))
			return;
		x = bx;
	}
}

struct loc audit_locate(struct audit_ctx *c, const struct service *s, const char *const *path, int *depth)
{
	size_t want = 0;
	while (path[want])
		want++;
	struct loc best = s->loc;
	int best_d = 0;
	locate_own(c, s, path, &best_d, &best);
	for (size_t i = 0; i < c->d->sources.n && (size_t)best_d < want; i++) {
		struct src_index *x = source_index_at(c, i);
		int line, col;
		struct loc at;
		if (find_service(x, s->name, &line, &col))
			consider(walk(x, line, col, path, &at), at, &best_d, &best);
	}
	if (depth)
		*depth = best_d;
	return best;
}

bool audit_locate_in_item(struct audit_ctx *c, struct loc item, const char *const *path, struct loc *out)
{
	struct src_index *x = source_index(c, item.file);
	int l = x ? map_find(x, item.line, item.col, path[0]) : 0;
	if (!l)
		return false;
	*out = (struct loc){ x->src->name, l, item.col };
	walk(x, l, item.col, path + 1, out);
	return true;
}

/* ---- suppression comments -------------------------------------------------- */

/* Whether the comment text after "composec-ignore:" lists rule. */
static bool list_names(const char *p, const char *e, const char *rule)
{
	size_t rn = strlen(rule);
	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *b = p;
		while (p < e && (*p == '-' || *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				 (*p >= '0' && *p <= '9')))
			p++;
		if ((size_t)(p - b) == rn && memcmp(b, rule, rn) == 0)
			return true;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == b || p >= e || *p != ',')
			return false;
		p++;
	}
}

static bool comment_names(const char *p, size_t n, const char *rule, bool only_comment)
{
	static const char mark[] = "composec-ignore:";
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	size_t h = comment_start(p, i, n);
	if (h == n || (only_comment && h != i))
		return false;
	for (h++; h < n && (p[h] == ' ' || p[h] == '#'); h++)
		;
	if (n - h < sizeof(mark) - 1 || memcmp(p + h, mark, sizeof(mark) - 1) != 0)
		return false;
	return list_names(p + h + sizeof(mark) - 1, p + n, rule);
}

bool audit_comment_suppresses(struct audit_ctx *c, struct loc loc, const char *rule, const char **why)
{
	struct src_index *x = source_index(c, loc.file);
	const char *p;
	size_t n;
	for (int l = loc.line; l >= loc.line - 1 && l >= 1; l--) {
		if (!line_text(x, l, &p, &n) || !comment_names(p, n, rule, l != loc.line))
			continue;
		*why = arena_printf(c->a, "comment at %s:%d", audit_project_path(c, loc.file), l);
		return true;
	}
	return false;
}
