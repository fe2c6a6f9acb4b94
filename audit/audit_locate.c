/*
 * audit_locate.c - what the audit still reads from the compose source
 * texts (the texts the frontend registered with the diagnostics sink),
 * which the model does not hold yet: the raw text of one scalar (to tell
 * a literal from an interpolated value, or "./data" from "/data") and the
 * suppression comments, "# composec-ignore: RULE[,RULE]" on the finding's
 * line or on a comment line right above it.  It reads block-style YAML one
 * line at a time.  Where keys are comes from the model (ir_key_at,
 * audit_locate in audit_run.c); every value the rules judge comes from the
 * IR.
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




/* ---- walking block mappings ------------------------------------------------ */







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


/* ---- the public lookups ---------------------------------------------------- */


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
