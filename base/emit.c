/*
 * emit.c - streaming YAML/JSON writer and the two escapers behind it.
 *
 * yaml_quote_scalar decides between a plain and a double-quoted scalar.
 * A plain scalar is chosen only when no reader could take it for anything
 * but this string: the resolution rules of YAML 1.2 core and go-yaml are
 * covered, and so are the YAML 1.1 ones (yes/no, base 60, timestamps)
 * that PyYAML-based tools still apply, because quoting too much is
 * harmless and quoting too little changes the model.
 *
 * The writer keeps one byte per open container and, for YAML, where the
 * last write left the line: after "key:", after "- ", or at the start of
 * a line.  Container begins write nothing in YAML, so that an empty
 * container can still be written `{}` on the key's line when it ends.
 */
#include "base/emit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { CUR_LINE, CUR_KEY, CUR_DASH };

/* ---- UTF-8 and character classes ----------------------------------------- */

/* Decode one strict UTF-8 sequence (no overlong forms, no surrogates);
 * returns its length, or 0 when s does not start with one.  Stops at the
 * terminating NUL, which is never a continuation byte. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* YAML's c-printable, minus the line breaks and the BOM. */
static bool yaml_printable(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f;
	if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
		return false;
	return cp != 0xfffe && cp != 0xffff;
}

/* ---- what a plain scalar would resolve to -------------------------------- */

/* The words share s's first letter: the second tells most apart
 * without a call. */
static bool in_words(const char *s, const char *const *words)
{
	for (; *words; words++)
		if ((*words)[1] == s[1] && strcmp(s, *words) == 0)
			return true;
	return false;
}

/* null, YAML 1.2 and 1.1 booleans, the merge key and the 1.1 value key,
 * by first letter: most keys and values start with one of them ("name",
 * "test"), and are compared only with the few words that do too. */
static bool is_reserved_word(const char *s)
{
	static const char *const tilde[] = { "~", NULL }, *const n[] = { "null", "n", "no", NULL },
				 *const N[] = { "Null", "NULL", "N", "No", "NO", NULL }, *const t[] = { "true", NULL },
				 *const T[] = { "True", "TRUE", NULL }, *const f[] = { "false", NULL },
				 *const F[] = { "False", "FALSE", NULL }, *const y[] = { "y", "yes", NULL },
				 *const Y[] = { "Y", "Yes", "YES", NULL }, *const o[] = { "on", "off", NULL },
				 *const O[] = { "On", "ON", "Off", "OFF", NULL }, *const lt[] = { "<<", NULL },
				 *const eq[] = { "=", NULL };
	switch (s[0]) {
	case '~': return in_words(s, tilde);
	case 'n': return in_words(s, n);
	case 'N': return in_words(s, N);
	case 't': return in_words(s, t);
	case 'T': return in_words(s, T);
	case 'f': return in_words(s, f);
	case 'F': return in_words(s, F);
	case 'y': return in_words(s, y);
	case 'Y': return in_words(s, Y);
	case 'o': return in_words(s, o);
	case 'O': return in_words(s, O);
	case '<': return in_words(s, lt);
	case '=': return in_words(s, eq);
	default: return false;
	}
}

static size_t skip_digits(const char **p, const char *set)
{
	size_t n = strspn(*p, set);
	*p += n;
	return n;
}

/* strconv.ParseInt(s, 0, 64) syntax: 0x, 0o, 0b, leading-0 octal. */
static bool looks_int(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
		static const char *const sets[] = { "0123456789abcdefABCDEF", "01234567", "01" };
		char k = (char)(p[1] | 0x20);
		p += 2;
		if (!skip_digits(&p, sets[k == 'x' ? 0 : k == 'o' ? 1 : 2]))
			return false;
	} else if (!skip_digits(&p, "0123456789")) {
		return false;
	}
	return *p == '\0';
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and .inf/.nan. */
static bool looks_float(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (strcasecmp(p, ".inf") == 0 || strcasecmp(p, ".nan") == 0)
		return true;
	size_t whole = skip_digits(&p, "0123456789"), frac = 0;
	if (*p == '.') {
		p++;
		frac = skip_digits(&p, "0123456789");
	}
	if (!whole && !frac)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!skip_digits(&p, "0123456789"))
			return false;
	}
	return *p == '\0';
}

/* go-yaml strips '_' before trying the number syntaxes. */
static bool looks_number(const char *s)
{
	if (!strchr(s, '_'))
		return looks_int(s) || looks_float(s);
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++)
		if (*s != '_')
			sb_addc(&sb, *s);
	bool r = looks_int(sb.buf) || looks_float(sb.buf);
	sb_release(&sb);
	return r;
}

/* YAML 1.1 base 60: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)? */
static bool looks_base60(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	p += strspn(p, "0123456789_");
	if (*p != ':')
		return false;
	while (*p == ':') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		if (p[1] >= '0' && p[1] <= '9') {
			if (*p > '5')
				return false;
			p++;
		}
		p++;
	}
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789_");
	return *p == '\0';
}

/* A date prefix YYYY-M-D: go-yaml and YAML 1.1 read these as timestamps. */
static bool looks_timestamp(const char *p)
{
	size_t y = strspn(p, "0123456789");
	if (y != 4 || p[4] != '-')
		return false;
	size_t m = strspn(p + 5, "0123456789");
	if (m < 1 || m > 2 || p[5 + m] != '-')
		return false;
	size_t d = strspn(p + 6 + m, "0123456789");
	return d >= 1 && d <= 2;
}

/* ---- the scalar escapers ------------------------------------------------- */

/* Only printable characters, no ": " or " #", no trailing ':'; the
 * length in *len.  ASCII, nearly all of what we write, takes the short
 * way. */
/* Byte classes, filled before main (not on first use, which two threads
 * writing at once could race on): fine whatever follows in a plain
 * scalar, printable ASCII but ':' and ' '; as is in a JSON string,
 * printable ASCII but '"' and '\\'. */
static bool fine[256], as_is[256];

__attribute__((constructor)) static void init_classes(void)
{
	for (int c = 0x21; c < 0x7f; c++)
		fine[c] = c != ':';
	for (int c = 0x20; c < 0x80; c++)
		as_is[c] = c != '"' && c != '\\';
}

static bool plain_chars_ok(const unsigned char *s, size_t *len)
{
	const unsigned char *p = s;
	for (;;) {
		while (fine[*p])
			p++;
		if (!*p)
			break;
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return false;
			if ((p[0] == ':' && (p[1] == ' ' || p[1] == '\0')) || (p[0] == ' ' && p[1] == '#'))
				return false;
			p++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(p, &cp);
		if (!n || !yaml_printable(cp))
			return false;
		p += n;
	}
	*len = (size_t)(p - s);
	return true;
}

/* Whether s could be a number, a base 60 number or a timestamp: each
 * starts, after a sign and the underscores go-yaml ignores, with a digit
 * or a '.'. */
static bool may_be_number(const char *s)
{
	while (*s == '_')
		s++;
	if (*s == '+' || *s == '-')
		s++;
	while (*s == '_')
		s++;
	return (*s >= '0' && *s <= '9') || *s == '.';
}

/* yaml_plain_ok, and the length of s when it is. */
static bool plain_ok(const char *s, size_t *lenp)
{
	static const bool indicator[256] = {
		['-'] = true, ['?'] = true, [':'] = true, [','] = true, ['['] = true, [']'] = true, ['{'] = true,
		['}'] = true, ['#'] = true, ['&'] = true, ['*'] = true, ['!'] = true, ['|'] = true, ['>'] = true,
		['\''] = true, ['"'] = true, ['%'] = true, ['@'] = true, ['`'] = true, [' '] = true, ['\0'] = true,
	};
	size_t len;
	if (indicator[(unsigned char)s[0]])
		return false;
	if (!plain_chars_ok((const unsigned char *)s, &len) || s[len - 1] == ' ')
		return false;
	if (s[0] == '.' && s[1] == '.' && s[2] == '.')
		return false;
	if (len <= 5 && is_reserved_word(s))
		return false;
	*lenp = len;
	if (!may_be_number(s))
		return true;
	if (looks_number(s))
		return false;
	return !looks_base60(s) && !looks_timestamp(s);
}

bool yaml_plain_ok(const char *s)
{
	size_t len;
	return plain_ok(s, &len);
}

static void yaml_add_quoted(struct strbuf *out, const unsigned char *s)
{
	sb_addc(out, '"');
	while (*s) {
		/* a run of printable ASCII but '"' and '\\' goes as it is */
		const unsigned char *run = s;
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s > run) {
			sb_add(out, run, (size_t)(s - run));
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s, &cp);
		if (*s == '"' || *s == '\\')
			sb_addf(out, "\\%c", *s);
		else if (*s == '\n')
			sb_adds(out, "\\n");
		else if (*s == '\t')
			sb_adds(out, "\\t");
		else if (*s == '\r')
			sb_adds(out, "\\r");
		else if (n == 0 || cp < 0x20 || cp == 0x7f)
			sb_addf(out, "\\x%02X", *s);
		else if (!yaml_printable(cp))
			sb_addf(out, "\\u%04X", (unsigned)cp);
		else
			sb_add(out, s, n);
		s += n ? n : 1;
	}
	sb_addc(out, '"');
}

void yaml_quote_scalar(struct strbuf *out, const char *s)
{
	size_t len;
	if (plain_ok(s, &len))
		sb_add(out, s, len);
	else
		yaml_add_quoted(out, (const unsigned char *)s);
}

static const char *json_short_escape(unsigned char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: return NULL;
	}
}

void json_escape_string(struct strbuf *out, const char *str)
{
	/* a run of as_is bytes goes as it is */
	const unsigned char *s = (const unsigned char *)str;
	sb_addc(out, '"');
	while (*s) {
		const unsigned char *run = s;
		while (as_is[*s])
			s++;
		if (s > run) {
			sb_add(out, run, (size_t)(s - run));
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s, &cp);
		const char *esc = json_short_escape(*s);
		if (esc)
			sb_adds(out, esc);
		else if (n == 0)
			sb_adds(out, "\\ufffd");
		else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029)
			sb_addf(out, "\\u%04x", (unsigned)cp);
		else
			sb_add(out, s, n);
		s += n ? n : 1;
	}
	sb_addc(out, '"');
}

/* ---- numbers ------------------------------------------------------------- */

/* Shortest %e text that reads back as v; *nd gets its digit count and
 * *exp its decimal exponent. */
static void shortest_e(double v, char *buf, size_t size, int *nd, int *exp)
{
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, size, "%.*e", p - 1, v);
		*nd = p;
		if (strtod(buf, NULL) == v)
			break;
	}
	*exp = atoi(strchr(buf, 'e') + 1);
}

void emit_format_float(struct strbuf *out, double v, enum emit_format fmt)
{
	if (isnan(v) || isinf(v)) {
		if (fmt == EMIT_JSON)
			sb_adds(out, "null");
		else
			sb_adds(out, isnan(v) ? ".nan" : v < 0 ? "-.inf" : ".inf");
		return;
	}
	char buf[64];
	int nd, exp;
	shortest_e(v, buf, sizeof(buf), &nd, &exp);
	bool use_e = fmt == EMIT_JSON ? v != 0 && (fabs(v) < 1e-6 || fabs(v) >= 1e21)
				      : exp < -4 || exp >= 6;
	if (!use_e) {
		int decimals = nd - 1 - exp;
		sb_addf(out, "%.*f", decimals > 0 ? decimals : 0, v);
		return;
	}
	/* encoding/json writes e-7, not e-07. */
	char *e = strchr(buf, 'e');
	if (fmt == EMIT_JSON && e[1] == '-' && e[2] == '0' && e[3] && !e[4])
		memmove(e + 2, e + 3, 2);
	sb_adds(out, buf);
}

/* ---- the writer ---------------------------------------------------------- */

void emit_init(struct emit *e, struct strbuf *out, enum emit_format fmt)
{
	e->out = out;
	e->fmt = fmt;
	sb_init(&e->stack);
	e->cursor = CUR_LINE;
	e->key_pending = false;
	e->template_text = false;
}

void emit_release(struct emit *e)
{
	sb_release(&e->stack);
}

static char top(const struct emit *e)
{
	return e->stack.len ? e->stack.buf[e->stack.len - 1] : '\0';
}

static void indent(struct emit *e, size_t levels)
{
	static const char spaces[] = "                                ";
	for (size_t n = 2 * levels; n;) { /* nearly always one piece */
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		sb_add(e->out, spaces, k);
		n -= k;
	}
}

/* JSON: the separator and line break before the next item of the open
 * container, and mark it not empty. */
static void json_next_item(struct emit *e)
{
	if (top(e) == 'M' || top(e) == 'S')
		sb_addc(e->out, ',');
	sb_addc(e->out, '\n');
	indent(e, e->stack.len);
}

/* YAML: the dash of the next sequence item. */
static void yaml_next_item(struct emit *e)
{
	if (e->cursor == CUR_KEY)
		sb_addc(e->out, '\n');
	if (e->cursor != CUR_DASH)
		indent(e, e->stack.len - 1);
	sb_adds(e->out, "- ");
	e->cursor = CUR_DASH;
}

/* Everything that must happen before a value: consume the pending key in
 * a map, write the item prefix in a sequence. */
static void begin_value(struct emit *e)
{
	char t = top(e);
	if (t == 'm' || t == 'M') {
		if (!e->key_pending)
			die("emit: value in a map without a key");
		e->key_pending = false;
		return;
	}
	if (t == '\0')
		return;
	if (e->fmt == EMIT_JSON)
		json_next_item(e);
	else
		yaml_next_item(e);
	e->stack.buf[e->stack.len - 1] = 'S';
}

/* After a value: YAML scalars end their line; a finished JSON document
 * gets its final newline. */
static void end_value(struct emit *e)
{
	if (e->fmt == EMIT_YAML) {
		sb_addc(e->out, '\n');
		e->cursor = CUR_LINE;
	} else if (e->stack.len == 0) {
		sb_addc(e->out, '\n');
	}
}

static void scalar_prefix(struct emit *e)
{
	begin_value(e);
	if (e->fmt == EMIT_YAML && e->cursor == CUR_KEY)
		sb_addc(e->out, ' ');
}

void go_template_text(struct strbuf *out, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '{' && i + 1 < n && text[i + 1] == '{') {
			sb_adds(out, "{{ \"{{\" }}");
			i++;
		} else {
			sb_addc(out, text[i]);
		}
	}
}

void go_string_literal(struct strbuf *out, const char *s)
{
	sb_addc(out, '"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\') {
			sb_addc(out, '\\');
			sb_addc(out, (char)*c);
		} else if (*c == '\n') {
			sb_adds(out, "\\n");
		} else if (*c == '\t') {
			sb_adds(out, "\\t");
		} else if (*c == '\r') {
			sb_adds(out, "\\r");
		} else if (*c < 0x20 || *c == 0x7f || *c >= 0x80) {
			/* a byte of UTF-8 or a control byte: \xNN is that byte in Go */
			sb_addf(out, "\\x%02x", *c);
		} else {
			sb_addc(out, (char)*c);
		}
	}
	sb_addc(out, '"');
}

/* A key or string value as YAML, escaped for a template when asked. */
static void yaml_scalar(struct emit *e, const char *s)
{
	if (!e->template_text || !strstr(s, "{")) {
		yaml_quote_scalar(e->out, s);
		return;
	}
	struct strbuf q = STRBUF_INIT;
	yaml_quote_scalar(&q, s);
	go_template_text(e->out, q.buf, q.len);
	sb_release(&q);
}

void emit_raw(struct emit *e, const char *text)
{
	if (e->fmt != EMIT_YAML)
		die("emit: template text in JSON");
	scalar_prefix(e);
	sb_adds(e->out, text);
	end_value(e);
}

void emit_directive(struct emit *e, const char *text)
{
	char t = top(e);
	if (e->fmt != EMIT_YAML || (t != 'm' && t != 'M') || e->key_pending || strncmp(text, "{{-", 3) != 0)
		die("emit: a template action outside a map's entries");
	if (e->cursor == CUR_KEY)
		sb_addc(e->out, '\n');
	indent(e, e->stack.len - 1);
	sb_adds(e->out, text);
	sb_addc(e->out, '\n');
	e->cursor = CUR_LINE;
}

void emit_key(struct emit *e, const char *key)
{
	char t = top(e);
	if ((t != 'm' && t != 'M') || e->key_pending)
		die("emit: key outside a map or after a key");
	if (e->fmt == EMIT_JSON) {
		json_next_item(e);
		json_escape_string(e->out, key);
		sb_adds(e->out, ": ");
	} else {
		if (e->cursor == CUR_KEY)
			sb_addc(e->out, '\n');
		if (e->cursor != CUR_DASH)
			indent(e, e->stack.len - 1);
		yaml_scalar(e, key);
		sb_addc(e->out, ':');
		e->cursor = CUR_KEY;
	}
	e->stack.buf[e->stack.len - 1] = 'M';
	e->key_pending = true;
}

static void container_begin(struct emit *e, char kind)
{
	begin_value(e);
	sb_addc(&e->stack, kind);
	if (e->fmt == EMIT_JSON)
		sb_addc(e->out, kind == 'm' ? '{' : '[');
}

static void container_end(struct emit *e, char kind)
{
	char t = top(e);
	if ((t | 0x20) != kind || e->key_pending)
		die("emit: unbalanced end of %s", kind == 'm' ? "map" : "sequence");
	bool empty = t == kind;
	e->stack.len--;
	e->stack.buf[e->stack.len] = '\0';
	if (e->fmt == EMIT_JSON) {
		if (!empty) {
			sb_addc(e->out, '\n');
			indent(e, e->stack.len);
		}
		sb_addc(e->out, kind == 'm' ? '}' : ']');
		end_value(e);
	} else if (empty) {
		sb_adds(e->out, e->cursor == CUR_KEY ? " " : "");
		sb_adds(e->out, kind == 'm' ? "{}" : "[]");
		end_value(e);
	}
}

void emit_map_begin(struct emit *e)
{
	container_begin(e, 'm');
}

void emit_map_end(struct emit *e)
{
	container_end(e, 'm');
}

void emit_seq_begin(struct emit *e)
{
	container_begin(e, 's');
}

void emit_seq_end(struct emit *e)
{
	container_end(e, 's');
}

void emit_str(struct emit *e, const char *s)
{
	scalar_prefix(e);
	if (e->fmt == EMIT_JSON)
		json_escape_string(e->out, s);
	else
		yaml_scalar(e, s);
	end_value(e);
}

void emit_int(struct emit *e, long long v)
{
	scalar_prefix(e);
	if (v < 0)
		sb_addc(e->out, '-');
	sb_addu(e->out, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
	end_value(e);
}

void emit_float(struct emit *e, double v)
{
	scalar_prefix(e);
	emit_format_float(e->out, v, e->fmt);
	end_value(e);
}

void emit_bool(struct emit *e, bool v)
{
	scalar_prefix(e);
	sb_adds(e->out, v ? "true" : "false");
	end_value(e);
}

void emit_null(struct emit *e)
{
	scalar_prefix(e);
	sb_adds(e->out, "null");
	end_value(e);
}
