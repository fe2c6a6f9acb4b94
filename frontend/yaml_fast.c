/*
 * yaml_fast.c - a scanner for the block-style YAML compose files are
 * written in, producing the events libfyaml would (yaml_events.h).
 *
 * On a big file libfyaml's event parse costs more than everything else
 * composec does; this scanner reads the same text in a fraction of that.
 * It covers a conservative subset and gives up on everything else, never
 * reporting an error itself: yaml_parse then parses the input again with
 * libfyaml, the only judge of what is wrong with a file.  yaml_diff (the
 * fuzz target fuzz_yamldiff, the test yaml-diff) checks that whatever it
 * accepts gives libfyaml's events, marks included.
 *
 * The subset, one document per file, optionally after `---`:
 *  - block mappings and sequences, `- key: value` compact mappings, and
 *    sequences at the indentation of their parent key;
 *  - single-line plain scalars, single-line single-quoted and
 *    double-quoted scalars (the common escapes), aliases, `&anchor`, the
 *    tags `!reset`, `!override` and `!!str`;
 *  - one-line flow sequences and flow mappings of scalars, `[]` and `{}`;
 *  - literal block scalars (`|`, `|-`, `|+`) with detected indentation;
 *  - comments anywhere a comment may go.
 * It gives up on tabs, carriage returns, multi-line flow or plain scalars,
 * folded block scalars, explicit keys, directives, several documents,
 * other tags, and on a column it would have to count past a non-ASCII
 * character.
 */
#include "frontend/yaml_events.h"

#include <string.h>

/* Deeper nesting is left to libfyaml (the builder's limit is lower). */
#define MAX_NESTING 128
/* YAML bounds implicit keys at 1024 characters: stay well below. */
#define MAX_KEY 1000

struct scan {
	const char *p, *end;
	const char *ls; /* the start of p's line */
	int line;       /* p's line, 1-based */
	int indent;     /* of the content line at p; -1 at the end of the input */
	bool ascii;     /* no byte of the input is >= 0x80 */
	bool start_ok;  /* a `---` may still open the document */
	unsigned depth;
	struct strbuf *buf; /* decoded scalars */
	yev_sink sink;
	void *ctx;
};

/* Node properties: what precedes a node. */
struct props {
	const char *anchor;
	size_t anchor_len;
	unsigned char tags;
	bool tagged;
};

static bool at_break(const struct scan *s, const char *q)
{
	return q == s->end || *q == '\n';
}

static bool at_space_or_break(const struct scan *s, const char *q)
{
	return q == s->end || *q == '\n' || *q == ' ';
}

static const char *skip_spaces(const struct scan *s, const char *q)
{
	while (q < s->end && *q == ' ')
		q++;
	return q;
}

/* No byte of [q, e) is outside ASCII. */
static bool ascii_run(const char *q, const char *e)
{
	for (; q < e; q++)
		if ((unsigned char)*q >= 0x80)
			return false;
	return true;
}

/* Give e the position of at.  Past a non-ASCII character on the same
 * line, whether a column counts bytes or characters is libfyaml's
 * business: we do not try. */
static bool mark(const struct scan *s, struct yev *e, const char *at)
{
	if (!s->ascii && !ascii_run(s->ls, at))
		return false;
	e->line = s->line;
	e->col = (int)(at - s->ls) + 1;
	return true;
}

static bool emit(const struct scan *s, const struct yev *e)
{
	return s->sink(s->ctx, e);
}

/* ---- the input as a whole ------------------------------------------------ */

/* Characters that are line breaks or a byte order mark to some YAML
 * reader (NEL, LS, PS, BOM): libfyaml's view of them is not ours to
 * guess. */
static bool odd_unicode(const unsigned char *p, const unsigned char *e)
{
	if (p[0] == 0xC2)
		return p + 1 < e && p[1] == 0x85;
	if (p[0] == 0xE2)
		return p + 2 < e && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
	if (p[0] == 0xEF)
		return p + 2 < e && p[1] == 0xBB && p[2] == 0xBF;
	return false;
}

/* Printable ASCII and newlines, plus non-ASCII characters that are
 * neither breaks nor a BOM: no tab, no carriage return.  Eight bytes at a
 * time while they are plain ASCII. */
static bool plain_text(struct scan *s, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *e = p + len;
	s->ascii = true;
	while (p < e) {
		if (e - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (!((yaml_bytes_below(w, 0x20) & ~yaml_bytes_equal(w, '\n')) | yaml_bytes_above_7e(w))) {
				p += 8;
				continue;
			}
		}
		unsigned char c = *p;
		if ((c < 0x20 && c != '\n') || c == 0x7F || (c >= 0x80 && odd_unicode(p, e)))
			return false;
		if (c >= 0x80)
			s->ascii = false;
		p++;
	}
	return true;
}

/* ---- lines ----------------------------------------------------------------- */

static void next_line(struct scan *s, const char *nl)
{
	s->p = s->ls = nl + 1;
	s->line++;
}

/* A `---` opening the document: the rest of its line is blank or a
 * comment; anything else there is not ours. */
static bool document_start(struct scan *s, const char *q)
{
	if (!s->start_ok || s->end - q < 3 || memcmp(q, "---", 3) != 0 || !at_space_or_break(s, q + 3))
		return false;
	s->start_ok = false;
	q = skip_spaces(s, q + 3);
	if (q < s->end && *q == '#' && q[-1] == ' ')
		q = memchr(q, '\n', (size_t)(s->end - q));
	else if (!at_break(s, q))
		return false;
	if (!q || q == s->end)
		s->p = s->end;
	else
		next_line(s, q);
	return true;
}

/* From the start of a line, on to the next line with content: blank and
 * comment lines are skipped, p ends at the first character of the
 * content and indent is its column (-1: the input ended).  False at a
 * document marker or directive at the start of a line. */
static bool next_content(struct scan *s)
{
	for (;;) {
		const char *q = skip_spaces(s, s->p);
		if (q == s->end) {
			s->p = s->end;
			s->indent = -1;
			return true;
		}
		if (*q != '\n' && *q != '#') {
			if (q == s->p && (*q == '-' || *q == '.' || *q == '%')) {
				if (document_start(s, q))
					continue;
				if (*q == '%' || (s->end - q >= 3 && (!memcmp(q, "---", 3) || !memcmp(q, "...", 3))))
					return false;
			}
			s->start_ok = false;
			s->indent = (int)(q - s->p);
			s->p = q;
			return true;
		}
		const char *nl = memchr(q, '\n', (size_t)(s->end - q));
		if (!nl) {
			s->p = s->end;
			s->indent = -1;
			return true;
		}
		next_line(s, nl);
	}
}

/* After a node's last character: the rest of the line may be blank or a
 * comment; then on to the next content. */
static bool end_line(struct scan *s)
{
	const char *q = skip_spaces(s, s->p);
	if (q < s->end && *q == '#') {
		if (q[-1] != ' ')
			return false;
		q = memchr(q, '\n', (size_t)(s->end - q));
		if (!q)
			q = s->end;
	}
	if (q == s->end) {
		s->p = s->end;
		s->indent = -1;
		return true;
	}
	if (*q != '\n')
		return false;
	next_line(s, q);
	return next_content(s);
}

/* A line ended a node of a collection at indentation n: what follows may
 * not be more indented (it would continue the scalar, or be an error). */
static bool leaf_done(struct scan *s, int n)
{
	return end_line(s) && s->indent <= n;
}

static bool at_dash(const struct scan *s)
{
	return *s->p == '-' && at_space_or_break(s, s->p + 1);
}

/* ---- scalars --------------------------------------------------------------- */

/* Character classes, for the loops over every character of a scalar. */
enum {
	C_STOP = 1,      /* may end a plain scalar (block context): ' ', ':', break */
	C_INDICATOR = 2, /* cannot start a plain scalar */
	C_NOT_FLOW = 4,  /* not in a plain scalar of a flow sequence (for us) */
	C_DASH_OK = 8,   /* after a leading '-', keeps it a scalar (for us) */
};
#define DIGITS(c) ['0'] = c, ['1'] = c, ['2'] = c, ['3'] = c, ['4'] = c, ['5'] = c, ['6'] = c, ['7'] = c, \
		  ['8'] = c, ['9'] = c
static const unsigned char cclass[256] = {
	[0] = C_INDICATOR | C_NOT_FLOW,
	['\n'] = C_STOP | C_INDICATOR | C_NOT_FLOW,
	[' '] = C_STOP | C_INDICATOR,
	[':'] = C_STOP | C_INDICATOR | C_NOT_FLOW,
	['?'] = C_INDICATOR, [','] = C_INDICATOR | C_NOT_FLOW,
	['['] = C_INDICATOR | C_NOT_FLOW, [']'] = C_INDICATOR | C_NOT_FLOW,
	['{'] = C_INDICATOR | C_NOT_FLOW, ['}'] = C_INDICATOR | C_NOT_FLOW,
	['#'] = C_INDICATOR | C_NOT_FLOW, ['&'] = C_INDICATOR, ['*'] = C_INDICATOR, ['!'] = C_INDICATOR,
	['|'] = C_INDICATOR, ['>'] = C_INDICATOR, ['\''] = C_INDICATOR | C_NOT_FLOW,
	['"'] = C_INDICATOR | C_NOT_FLOW, ['%'] = C_INDICATOR, ['@'] = C_INDICATOR, ['`'] = C_INDICATOR,
	['-'] = C_DASH_OK, ['.'] = C_DASH_OK, ['/'] = C_DASH_OK, ['_'] = C_DASH_OK, DIGITS(C_DASH_OK),
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A plain scalar may start here (block context): not at an indicator,
 * and `-` only before a character that keeps it a scalar. */
static bool plain_start(const struct scan *s, const char *q)
{
	unsigned char c = (unsigned char)*q;
	if (c == '-')
		return q + 1 < s->end && ((cclass[(unsigned char)q[1]] & C_DASH_OK) || is_alpha(q[1]));
	return !(cclass[c] & C_INDICATOR);
}

/* The end of a plain scalar (block context) starting at q: before ` #`,
 * a `:` that ends a key, or the line break, less trailing spaces.  *stop
 * is where scanning stopped. */
static const char *plain_end(const struct scan *s, const char *q, const char **stop)
{
	const char *last = q, *e = s->end;
	for (;;) {
		while (q < e && !(cclass[(unsigned char)*q] & C_STOP))
			q++;
		if (q > last && q[-1] != ' ')
			last = q;
		if (q == e || *q == '\n')
			break;
		if (*q == ' ') {
			if (q + 1 < e && q[1] == '#')
				break;
		} else if (at_space_or_break(s, q + 1)) { /* a ':' ending a key */
			break;
		} else {
			last = q + 1;
		}
		q++;
	}
	*stop = q;
	return last;
}

/* A single-quoted scalar on one line, q at the quote: the position after
 * the closing quote (NULL: not ours), the text in *text (the source, or
 * buf when '' escapes had to be undone). */
static const char *single_quoted(struct scan *s, const char *q, const char **text, size_t *len)
{
	const char *start = q + 1;
	bool escaped = false;
	for (q = start;; q++) {
		if (at_break(s, q))
			return NULL;
		if (*q != '\'')
			continue;
		if (q + 1 < s->end && q[1] == '\'') {
			escaped = true;
			q++;
			continue;
		}
		break;
	}
	*text = start, *len = (size_t)(q - start);
	if (escaped) {
		sb_reset(s->buf);
		for (const char *r = start; r < q; r++) {
			sb_addc(s->buf, *r);
			if (*r == '\'')
				r++;
		}
		*text = s->buf->buf, *len = s->buf->len;
	}
	return q + 1;
}

/* The character a double-quoted escape stands for; 0 when we leave it to
 * libfyaml (\x, \u, \U, the Unicode ones, line continuations). */
static char unescape(char c)
{
	switch (c) {
	case '\\': return '\\';
	case '"': return '"';
	case '/': return '/';
	case ' ': return ' ';
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'e': return '\x1b';
	case 'f': return '\f';
	case 'v': return '\v';
	default: return 0;
	}
}

/* A double-quoted scalar on one line, as single_quoted. */
static const char *double_quoted(struct scan *s, const char *q, const char **text, size_t *len)
{
	const char *start = q + 1;
	bool escaped = false;
	for (q = start;; q++) {
		if (at_break(s, q))
			return NULL;
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (q + 1 == s->end || !unescape(q[1]))
				return NULL;
			escaped = true;
			q++;
		}
	}
	*text = start, *len = (size_t)(q - start);
	if (escaped) {
		sb_reset(s->buf);
		for (const char *r = start; r < q; r++)
			sb_addc(s->buf, *r == '\\' ? unescape(*++r) : *r);
		*text = s->buf->buf, *len = s->buf->len;
	}
	return q + 1;
}

static const char *quoted(struct scan *s, const char *q, const char **text, size_t *len)
{
	return *q == '"' ? double_quoted(s, q, text, len) : single_quoted(s, q, text, len);
}

static bool anchor_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

/* The name after & or * at q; NULL unless it is made of the usual
 * characters and followed by a space or the line break. */
static const char *anchor_name(const struct scan *s, const char *q, size_t *len)
{
	const char *r = q + 1;
	while (r < s->end && anchor_char(*r))
		r++;
	*len = (size_t)(r - q - 1);
	return *len && at_space_or_break(s, r) ? q + 1 : NULL;
}

static bool tag_is(const struct scan *s, const char *q, const char *tag)
{
	size_t n = strlen(tag);
	return (size_t)(s->end - q) >= n && memcmp(q, tag, n) == 0 && at_space_or_break(s, q + n);
}

/* Properties before a node, q after the indicator that introduced it;
 * *q ends at what follows them and their spaces. */
static bool read_props(const struct scan *s, const char **q, struct props *pr)
{
	for (;;) {
		const char *r = skip_spaces(s, *q);
		if (r < s->end && *r == '&' && !pr->anchor) {
			pr->anchor = anchor_name(s, r, &pr->anchor_len);
			if (!pr->anchor)
				return false;
			*q = pr->anchor + pr->anchor_len;
		} else if (r < s->end && *r == '!' && !pr->tagged) {
			static const struct {
				const char *text;
				unsigned char bits;
			} known[] = { { "!reset", TAG_RESET }, { "!override", TAG_OVERRIDE }, { "!!str", TAG_STR } };
			size_t i = 0;
			while (i < sizeof(known) / sizeof(known[0]) && !tag_is(s, r, known[i].text))
				i++;
			if (i == sizeof(known) / sizeof(known[0]))
				return false;
			pr->tags = known[i].bits;
			pr->tagged = true;
			*q = r + strlen(known[i].text);
		} else {
			*q = r;
			return true;
		}
	}
}

static bool has_props(const struct props *pr)
{
	return pr->anchor || pr->tagged;
}

static void set_props(struct yev *e, const struct props *pr)
{
	e->anchor = pr->anchor;
	e->anchor_len = pr->anchor_len;
	e->tags = pr->tags;
}

static bool emit_scalar(struct scan *s, const char *at, const char *text, size_t len, unsigned char style,
			const struct props *pr)
{
	struct yev e = { .kind = YEV_SCALAR, .style = style, .text = text, .len = len };
	set_props(&e, pr);
	return mark(s, &e, at) && emit(s, &e);
}

/* ---- nodes ----------------------------------------------------------------- */

/* What holds a node: a mapping, or a sequence indented under its key or
 * not (libfyaml rejects an empty entry in the latter). */
enum parent { IN_MAP, IN_SEQ, IN_FLAT_SEQ };

static bool block_map(struct scan *s, const struct props *pr);
static bool block_seq(struct scan *s, const struct props *pr, enum parent items);

/* A block collection at the content line s is on. */
static bool nested(struct scan *s, const struct props *pr)
{
	return at_dash(s) ? block_seq(s, pr, IN_SEQ) : block_map(s, pr);
}

/* `key:` or `-` with nothing after it on the line: libfyaml gives the
 * empty scalar no position. */
static bool empty_scalar(struct scan *s, const struct props *pr)
{
	struct yev e = { .kind = YEV_SCALAR, .style = STYLE_PLAIN, .text = "", .len = 0 };
	set_props(&e, pr);
	return emit(s, &e);
}

/* An item of a one-line flow collection at *q: a scalar that ends before
 * a comma or `close`; *q ends after it. */
static bool flow_item(struct scan *s, const char **q, char close)
{
	const char *r = *q, *text;
	size_t len;
	struct props none = { 0 };
	if (*r == '"' || *r == '\'') {
		const char *after = quoted(s, r, &text, &len);
		if (!after || !emit_scalar(s, r, text, len, STYLE_QUOTED, &none))
			return false;
		*q = after;
		return true;
	}
	if (!plain_start(s, r))
		return false;
	const char *last = r;
	for (const char *t = r; t < s->end && *t != ',' && *t != close; t++) {
		if (cclass[(unsigned char)*t] & C_NOT_FLOW)
			return false;
		if (*t != ' ')
			last = t + 1;
	}
	if (!emit_scalar(s, r, r, (size_t)(last - r), STYLE_PLAIN, &none))
		return false;
	*q = last;
	return true;
}

/* [a, "b", 'c'] on one line, q at the bracket: scalars only. */
static bool flow_seq(struct scan *s, const char *q, const struct props *pr, int n)
{
	struct yev e = { .kind = YEV_SEQ_START };
	set_props(&e, pr);
	if (!mark(s, &e, q) || !emit(s, &e))
		return false;
	q = skip_spaces(s, q + 1);
	if (q < s->end && *q != ']') {
		for (;;) {
			if (!flow_item(s, &q, ']'))
				return false;
			q = skip_spaces(s, q);
			if (q < s->end && *q == ']')
				break;
			if (q == s->end || *q != ',')
				return false;
			q = skip_spaces(s, q + 1);
			if (q == s->end || *q == ']') /* a trailing comma */
				return false;
		}
	}
	if (q == s->end)
		return false;
	struct yev end = { .kind = YEV_SEQ_END };
	if (!emit(s, &end))
		return false;
	s->p = q + 1;
	return leaf_done(s, n);
}

static bool empty_flow_map(struct scan *s, const char *q, const struct props *pr, int n)
{
	struct yev e = { .kind = YEV_MAP_START };
	set_props(&e, pr);
	if (!mark(s, &e, q) || !emit(s, &e))
		return false;
	struct yev end = { .kind = YEV_MAP_END };
	if (!emit(s, &end))
		return false;
	s->p = q + 2;
	return leaf_done(s, n);
}

/* A key of a one-line flow mapping at *q, a scalar followed by `: `; *q
 * ends after the colon. */
static bool flow_key(struct scan *s, const char **q)
{
	const char *r = *q, *text, *after;
	size_t len;
	struct props none = { 0 };
	if (*r == '"' || *r == '\'') {
		after = quoted(s, r, &text, &len);
		if (!after || after == s->end || *after != ':' || !emit_scalar(s, r, text, len, STYLE_QUOTED, &none))
			return false;
	} else {
		if (!plain_start(s, r))
			return false;
		const char *t = r, *last = r;
		for (; t < s->end && *t != ':'; t++) {
			if (cclass[(unsigned char)*t] & C_NOT_FLOW)
				return false;
			if (*t != ' ')
				last = t + 1;
		}
		if (t == s->end || last - r > MAX_KEY || !emit_scalar(s, r, r, (size_t)(last - r), STYLE_PLAIN, &none))
			return false;
		after = t;
	}
	if (!at_space_or_break(s, after + 1) || at_break(s, after + 1))
		return false; /* `a:b` is one scalar in flow context; no value: not ours */
	*q = after + 1;
	return true;
}

/* {a: b, "c": 'd'} on one line, q at the brace: scalar keys with scalar
 * values (`options: {max-size: 10m}` under logging is common); `{}` too. */
static bool flow_map(struct scan *s, const char *q, const struct props *pr, int n)
{
	if (s->end - q >= 2 && q[1] == '}')
		return empty_flow_map(s, q, pr, n);
	struct yev e = { .kind = YEV_MAP_START };
	set_props(&e, pr);
	if (!mark(s, &e, q) || !emit(s, &e))
		return false;
	q = skip_spaces(s, q + 1);
	for (;;) {
		if (q == s->end || !flow_key(s, &q))
			return false;
		q = skip_spaces(s, q);
		if (q == s->end || *q == ',' || *q == '}' || *q == '\n')
			return false; /* an empty value */
		if (!flow_item(s, &q, '}'))
			return false;
		q = skip_spaces(s, q);
		if (q < s->end && *q == '}')
			break;
		if (q == s->end || *q != ',')
			return false;
		q = skip_spaces(s, q + 1);
		if (q == s->end || *q == '}') /* a trailing comma */
			return false;
	}
	struct yev end = { .kind = YEV_MAP_END };
	if (!emit(s, &end))
		return false;
	s->p = q + 1;
	return leaf_done(s, n);
}

/* The indentation of a literal block scalar's content, from its first
 * line that is not empty (q: the line after the header); -1 when it is
 * not ours (no content, or an empty line before it that is longer). */
static int literal_indent(const struct scan *s, const char *q)
{
	int longest_empty = 0;
	for (;;) {
		const char *r = skip_spaces(s, q);
		if (r == s->end)
			return -1;
		if (*r != '\n') {
			int k = (int)(r - q);
			return longest_empty > k ? -1 : k;
		}
		if (r - q > longest_empty)
			longest_empty = (int)(r - q);
		q = r + 1;
	}
}

/* A literal block scalar, q at the `|`, in a collection at indentation
 * n.  libfyaml puts it at the start of the line after the header. */
static bool literal(struct scan *s, const char *q, const struct props *pr, int n)
{
	int chomp = 0; /* -1: strip, 0: clip, 1: keep */
	q++;
	if (q < s->end && (*q == '-' || *q == '+'))
		chomp = *q++ == '-' ? -1 : 1;
	if (!at_space_or_break(s, q))
		return false; /* an indentation indicator */
	q = skip_spaces(s, q);
	if (q < s->end && *q == '#' && q[-1] == ' ')
		q = memchr(q, '\n', (size_t)(s->end - q));
	if (!q || q == s->end || *q != '\n')
		return false;
	struct yev e = { .kind = YEV_SCALAR, .style = STYLE_QUOTED, .line = s->line + 1, .col = 1 };
	set_props(&e, pr);
	const char *r = q + 1;
	int k = literal_indent(s, r), line = s->line + 1;
	if (k <= n)
		return false;
	sb_reset(s->buf);
	size_t empties = 0;
	while (r < s->end) {
		const char *t = skip_spaces(s, r);
		if (t == s->end)
			return false; /* spaces and no line break to end the input */
		if (*t == '\n') {
			if (t - r > k)
				return false; /* spaces past the indentation: content */
			empties++;
		} else if (t - r < k) {
			break;
		} else {
			t = memchr(r + k, '\n', (size_t)(s->end - r - k));
			if (!t)
				return false; /* the last line has no break */
			for (; empties; empties--)
				sb_addc(s->buf, '\n');
			sb_add(s->buf, r + k, (size_t)(t - r - k));
			sb_addc(s->buf, '\n');
		}
		r = t + 1;
		line++;
	}
	size_t len = s->buf->len;
	if (chomp < 0)
		len--;
	for (; chomp > 0 && empties; empties--)
		sb_addc(s->buf, '\n'), len++;
	e.text = s->buf->buf;
	e.len = len;
	if (!emit(s, &e))
		return false;
	s->p = s->ls = r;
	s->line = line;
	return next_content(s) && s->indent <= n;
}

/* An alias, q at the `*`; libfyaml puts it at its name. */
static bool alias(struct scan *s, const char *q, int n)
{
	struct yev e = { .kind = YEV_ALIAS };
	e.text = anchor_name(s, q, &e.len);
	if (!e.text || !mark(s, &e, e.text) || !emit(s, &e))
		return false;
	s->p = e.text + e.len;
	return leaf_done(s, n);
}

/* A `:` ending a key at q (after spaces). */
static const char *key_colon(const struct scan *s, const char *q)
{
	q = skip_spaces(s, q);
	return q < s->end && *q == ':' && at_space_or_break(s, q + 1) ? q : NULL;
}

/* A compact mapping in a sequence entry (`- key: value`), its first key
 * at q. */
static bool compact_map(struct scan *s, const char *q)
{
	struct props none = { 0 };
	s->p = q;
	s->indent = (int)(q - s->ls);
	return block_map(s, &none);
}

static bool quoted_node(struct scan *s, const char *q, const struct props *pr, int n, enum parent in)
{
	const char *text;
	size_t len;
	const char *after = quoted(s, q, &text, &len);
	if (!after)
		return false;
	if (key_colon(s, after))
		return in != IN_MAP && !has_props(pr) && compact_map(s, q);
	if (!emit_scalar(s, q, text, len, STYLE_QUOTED, pr))
		return false;
	s->p = after;
	return leaf_done(s, n);
}

static bool plain_node(struct scan *s, const char *q, const struct props *pr, int n, enum parent in)
{
	if (!plain_start(s, q))
		return false;
	const char *stop, *last = plain_end(s, q, &stop);
	if (stop < s->end && *stop == ':')
		return in != IN_MAP && !has_props(pr) && compact_map(s, q);
	if (!emit_scalar(s, q, q, (size_t)(last - q), STYLE_PLAIN, pr))
		return false;
	s->p = last;
	return leaf_done(s, n);
}

/* The node after `key:` or `-` (s->p just past it) in a collection at
 * indentation n. */
static bool node(struct scan *s, int n, enum parent in)
{
	struct props pr = { 0 };
	const char *q = s->p;
	if (!read_props(s, &q, &pr))
		return false;
	if (at_break(s, q) || (*q == '#' && q[-1] == ' ')) {
		s->p = q;
		if (!end_line(s))
			return false;
		if (s->indent > n)
			return nested(s, &pr);
		if (in == IN_MAP && s->indent == n && at_dash(s))
			return block_seq(s, &pr, IN_FLAT_SEQ);
		return in != IN_FLAT_SEQ && empty_scalar(s, &pr);
	}
	switch (*q) {
	case '*':
		return !has_props(&pr) && alias(s, q, n);
	case '[':
		return flow_seq(s, q, &pr, n);
	case '{':
		return flow_map(s, q, &pr, n);
	case '|':
		return literal(s, q, &pr, n);
	case '"':
	case '\'':
		return quoted_node(s, q, &pr, n, in);
	default:
		return plain_node(s, q, &pr, n, in);
	}
}

/* A key at s->p, and its value. */
static bool map_entry(struct scan *s, int m)
{
	const char *q = s->p, *text, *after, *stop;
	size_t len;
	unsigned char style = STYLE_QUOTED;
	if (*q == '"' || *q == '\'') {
		after = quoted(s, q, &text, &len);
	} else {
		if (!plain_start(s, q))
			return false;
		after = plain_end(s, q, &stop);
		text = q, len = (size_t)(after - q), style = STYLE_PLAIN;
	}
	const char *colon = after ? key_colon(s, after) : NULL;
	struct props none = { 0 };
	if (!colon || colon - q > MAX_KEY || !emit_scalar(s, q, text, len, style, &none))
		return false;
	s->p = colon + 1;
	return node(s, m, IN_MAP);
}

static bool enter(struct scan *s, enum yev_kind kind, const struct props *pr)
{
	if (++s->depth > MAX_NESTING)
		return false;
	struct yev e = { .kind = (unsigned char)kind };
	set_props(&e, pr);
	return mark(s, &e, s->p) && emit(s, &e);
}

static bool leave(struct scan *s, enum yev_kind kind)
{
	s->depth--;
	struct yev e = { .kind = (unsigned char)kind };
	return emit(s, &e);
}

/* A block mapping whose first key is at s->p: its entries are the lines
 * at that indentation. */
static bool block_map(struct scan *s, const struct props *pr)
{
	int m = s->indent;
	if (!enter(s, YEV_MAP_START, pr))
		return false;
	do {
		if (!map_entry(s, m))
			return false;
		if (s->indent > m || (s->indent == m && at_dash(s)))
			return false;
	} while (s->indent == m);
	return leave(s, YEV_MAP_END);
}

/* A block sequence whose first `-` is at s->p; it ends at a line less
 * indented, or at one as indented without a `-` (the parent mapping's
 * next key, when the sequence is at its key's indentation). */
static bool block_seq(struct scan *s, const struct props *pr, enum parent items)
{
	int m = s->indent;
	if (!enter(s, YEV_SEQ_START, pr))
		return false;
	do {
		s->p++;
		if (!node(s, m, items) || s->indent > m)
			return false;
	} while (s->indent == m && at_dash(s));
	return leave(s, YEV_SEQ_END);
}

bool yaml_events_fast(const char *text, size_t len, struct strbuf *buf, yev_sink sink, void *ctx)
{
	struct scan s = { .p = text, .end = text + len, .ls = text, .line = 1, .start_ok = true, .buf = buf,
			  .sink = sink, .ctx = ctx };
	struct props none = { 0 };
	if (!plain_text(&s, text, len) || !next_content(&s))
		return false;
	if (s.indent < 0) /* no document, unless `---` opened an empty one */
		return s.start_ok;
	struct yev start = { .kind = YEV_DOC_START }, end = { .kind = YEV_DOC_END };
	return emit(&s, &start) && nested(&s, &none) && s.indent < 0 && emit(&s, &end);
}
