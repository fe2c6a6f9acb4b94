/*
 * interp.c - variable interpolation with the semantics of compose-go's
 * template package (the loader of docker compose v2).
 *
 * compose-go matches `\$(?i:(\$)|([_a-z][_a-z0-9]*)|{(?:([_a-z][_a-z0-9]*
 * (?::?[-+?](.*))?)}|()))` over the text, then re-splits each braced match
 * at its first balanced close brace and substitutes what follows the close
 * on its own.  This file does the same with one left-to-right scan:
 *  - "$$" gives "$"; "$NAME" stops at the first non-name character; a "$"
 *    followed by anything else ("$1", "$}", a trailing "$") is literal;
 *  - "${" must be followed by a name and then "}" or an operator, or the
 *    template is invalid;
 *  - with an operator, the regex's greedy "(.*)}" needs a "}" later on the
 *    same line (`.` does not match a newline), and the body ends at the
 *    first balanced close brace within that match, or at the match's last
 *    "}" when the braces never balance;
 *  - defaults, replacements and error messages are substituted lazily,
 *    only when they are used, so an unused default never warns.
 * Nesting recurses only through operator bodies, bounded by max_depth.
 */
#include "frontend/env.h"

#include <string.h>

#define NONE ((size_t)-1)

struct ictx {
	const struct interp *ip;
	const char *top; /* the whole input, quoted in error messages */
	size_t toplen;
	int max_depth;
	size_t *budget;
	const char *err;
};

/* The last '}' of one line of the text being scanned, so that a line
 * holding many ${X-y} is searched once, not once per reference. */
struct line_cache {
	size_t start, eol, last;
};

struct op {
	char kind; /* '-', '+' or '?' */
	bool colon; /* ":-" etc.: an empty value counts as unset */
	size_t len;
};

static int subst(struct ictx *c, const char *s, size_t len, int depth, struct strbuf *out);

static bool is_name_start(char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static size_t name_len(const char *s, size_t len)
{
	size_t n = 0;
	if (len == 0 || !is_name_start(s[0]))
		return 0;
	while (n < len && is_name_char(s[n]))
		n++;
	return n;
}

/* Messages quote user text; escape what would break the line or the
 * quotes. */
static void add_quoted(struct strbuf *sb, const char *s, size_t n)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			sb_addf(sb, "\\%c", ch);
		else if (ch == '\n')
			sb_adds(sb, "\\n");
		else if (ch == '\t')
			sb_adds(sb, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			sb_addf(sb, "\\x%02x", ch);
		else
			sb_addc(sb, (char)ch);
	}
	sb_addc(sb, '"');
}

static int fail_invalid(struct ictx *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "invalid interpolation format for ");
	add_quoted(&sb, c->top, c->toplen);
	c->err = sb_to_arena(&sb, c->ip->arena);
	sb_release(&sb);
	return -1;
}

static int fail_required(struct ictx *c, const char *name, size_t n, const struct strbuf *msg)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "required variable ");
	add_quoted(&sb, name, n);
	sb_adds(&sb, " is missing a value");
	if (msg->len) {
		sb_adds(&sb, ": ");
		sb_add(&sb, msg->buf, msg->len);
	}
	c->err = sb_to_arena(&sb, c->ip->arena);
	sb_release(&sb);
	return -1;
}

static const char *lookup(struct ictx *c, const char *name, size_t n)
{
	if (!c->ip->lookup)
		return NULL;
	return c->ip->lookup(c->ip->lookup_ctx, arena_strndup(c->ip->arena, name, n));
}

/* Append a variable's value, within the budget. */
static int add_value(struct ictx *c, const char *v, struct strbuf *out)
{
	size_t n = strlen(v);
	if (n > *c->budget) {
		c->err = arena_printf(c->ip->arena, "interpolation expands to more than %zu MiB (limit: interpolation size)",
				      INTERP_MAX_OUTPUT >> 20);
		return -1;
	}
	*c->budget -= n;
	sb_add(out, v, n);
	return 0;
}

/* A reference with no operator: unset gives "" and a report. */
static int emit_var(struct ictx *c, const char *name, size_t n, struct strbuf *out)
{
	const char *v = lookup(c, name, n);
	if (v)
		return add_value(c, v, out);
	if (c->ip->on_unset)
		c->ip->on_unset(c->ip->unset_ctx, arena_strndup(c->ip->arena, name, n));
	return 0;
}

/* The operator right after the name.  compose-go picks the operator that
 * occurs earliest in the match, ":x" winning a tie; since a name holds no
 * operator character, that is always the one right after the name. */
static bool parse_op(const char *s, size_t len, struct op *op)
{
	size_t i = 0;
	op->colon = len > 0 && s[0] == ':';
	if (op->colon)
		i++;
	if (i >= len || !strchr("-+?", s[i]) || s[i] == '\0')
		return false;
	op->kind = s[i];
	op->len = i + 1;
	return true;
}

static size_t last_brace_on_line(const char *s, size_t len, size_t from, struct line_cache *lc)
{
	if (lc->start == NONE || from < lc->start || from >= lc->eol) {
		const char *nl = memchr(s + from, '\n', len - from);
		lc->start = from;
		lc->eol = nl ? (size_t)(nl - s) : len;
		lc->last = NONE;
		for (size_t i = lc->eol; i-- > from;) {
			if (s[i] == '}') {
				lc->last = i;
				break;
			}
		}
	}
	return lc->last != NONE && lc->last >= from ? lc->last : NONE;
}

/* compose-go's getFirstBraceClosingIndex: counts every '{' and '}', and
 * skips the character after a '{'. */
static size_t balanced_close(const char *s, size_t from, size_t to)
{
	int open = 0;
	for (size_t i = from; i < to; i++) {
		if (s[i] == '}' && --open == 0)
			return i;
		if (s[i] == '{') {
			open++;
			i++;
		}
	}
	return NONE;
}

static int apply_required(struct ictx *c, const char *name, size_t n, const char *v, bool set,
			  const char *body, size_t blen, int depth, struct strbuf *out)
{
	if (set)
		return add_value(c, v, out);
	struct strbuf msg = STRBUF_INIT;
	int r = subst(c, body, blen, depth + 1, &msg);
	if (r == 0)
		r = fail_required(c, name, n, &msg);
	sb_release(&msg);
	return r;
}

static int apply_op(struct ictx *c, const struct op *op, const char *name, size_t n,
		    const char *body, size_t blen, int depth, struct strbuf *out)
{
	const char *v = lookup(c, name, n);
	bool set = v && (!op->colon || *v);
	switch (op->kind) {
	case '-':
		if (set)
			return add_value(c, v, out);
		return subst(c, body, blen, depth + 1, out);
	case '+': /* when not replaced, the value is unset or empty: "" */
		return set ? subst(c, body, blen, depth + 1, out) : 0;
	default:
		return apply_required(c, name, n, v, set, body, blen, depth, out);
	}
}

/* s[*pos] is the '$' of "${".  On success *pos is past the reference. */
static int braced(struct ictx *c, const char *s, size_t len, size_t *pos, int depth,
		  struct strbuf *out, struct line_cache *lc)
{
	size_t q = *pos + 2;
	size_t n = name_len(s + q, len - q);
	if (n == 0)
		return fail_invalid(c);
	const char *name = s + q;
	q += n;
	if (q < len && s[q] == '}') {
		*pos = q + 1;
		return emit_var(c, name, n, out);
	}
	struct op op;
	if (!parse_op(s + q, len - q, &op))
		return fail_invalid(c);
	size_t body = q + op.len;
	size_t last = last_brace_on_line(s, len, body, lc);
	if (last == NONE)
		return fail_invalid(c);
	size_t close = balanced_close(s, *pos, last + 1);
	if (close == NONE)
		close = last;
	*pos = close + 1;
	return apply_op(c, &op, name, n, s + body, close - body, depth, out);
}

static int subst(struct ictx *c, const char *s, size_t len, int depth, struct strbuf *out)
{
	struct line_cache lc = { NONE, 0, NONE };
	if (depth > c->max_depth) {
		c->err = arena_printf(c->ip->arena, "interpolation nested deeper than %d levels (limit: interpolation depth)",
				      c->max_depth);
		return -1;
	}
	size_t i = 0;
	while (i < len) {
		const char *d = memchr(s + i, '$', len - i);
		if (!d) {
			sb_add(out, s + i, len - i);
			break;
		}
		sb_add(out, s + i, (size_t)(d - (s + i)));
		i = (size_t)(d - s);
		char next = i + 1 < len ? s[i + 1] : '\0';
		size_t n = i + 1 < len ? name_len(s + i + 1, len - i - 1) : 0;
		if (i + 1 < len && next == '$') {
			sb_addc(out, '$');
			i += 2;
		} else if (n) {
			if (emit_var(c, s + i + 1, n, out) < 0)
				return -1;
			i += 1 + n;
		} else if (i + 1 < len && next == '{') {
			if (braced(c, s, len, &i, depth, out, &lc) < 0)
				return -1;
		} else {
			sb_addc(out, '$');
			i++;
		}
	}
	return 0;
}

int interpolate(const struct interp *ip, const char *s, size_t len, const char **out, size_t *outlen,
		const char **err)
{
	size_t own = INTERP_MAX_OUTPUT;
	struct ictx c = { ip, s ? s : "", s ? len : 0, ip->max_depth > 0 ? ip->max_depth : 64,
			  ip->budget ? ip->budget : &own, NULL };
	struct strbuf sb = STRBUF_INIT;
	int r = subst(&c, c.top, c.toplen, 0, &sb);
	if (r == 0) {
		*out = sb_to_arena(&sb, ip->arena);
		if (outlen)
			*outlen = sb.len;
	} else if (err) {
		*err = c.err;
	}
	sb_release(&sb);
	return r;
}
