/*
 * dotenv.c - the .env / env_file parser, with the grammar of compose-go's
 * dotenv package (what docker compose v2 reads), and docker's `format: raw`
 * kvfile reader.
 *
 * A statement is `[export ]KEY=value`, `KEY: value` or a bare `KEY`.
 * Unquoted values run to the end of the line, lose an inline " #" comment
 * and trailing space, then are interpolated.  Single-quoted values are
 * literal but for \'.  Double-quoted values expand C-like escapes, then
 * are interpolated.  Quoted values may span lines, and parsing goes on
 * right after the closing quote, as compose-go does.  Interpolation looks
 * a name up in the caller's lookup first, then in the keys read so far, so
 * the process environment beats the file's own earlier definitions.
 *
 * Every error is reported with file:line:col.  After a bad key the parser
 * still consumes that statement's value, so one typo gives one message;
 * an unterminated quote swallows the rest of the file and ends the parse.
 */
#include "frontend/env.h"

#include <limits.h>
#include <string.h>

#define NONE ((size_t)-1)

struct dparser {
	struct arena *a;
	struct diag *d;
	const char *name;
	const char *s;
	size_t len, pos;
	env_lookup_fn lookup;
	void *ctx;
	struct env *out;
	int errors;
	/* loc_at() is asked for offsets in increasing order; remember where
	 * the last answer was so that lines are counted once. */
	size_t loc_off, loc_bol;
	int loc_line;
	struct loc value_loc; /* of the value being interpolated */
	size_t budget; /* of substituted bytes, for the whole file (env.h) */
};

/* ---- characters ---------------------------------------------------------- */

/* Decode one UTF-8 sequence as Go does: anything malformed (overlong,
 * surrogate, truncated, above U+10FFFF) is U+FFFD of length 1. */
static size_t utf8_decode(const char *p, size_t n, uint32_t *r)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t need = s[0] >= 0xC2 && s[0] <= 0xDF ? 1 : s[0] >= 0xE0 && s[0] <= 0xEF ? 2
		      : s[0] >= 0xF0 && s[0] <= 0xF4 ? 3 : 0;
	*r = s[0] < 0x80 ? s[0] : 0xFFFD;
	if (need == 0 || need >= n)
		return 1;
	uint32_t v = s[0] & (0x3Fu >> need);
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		v = v << 6 | (s[i] & 0x3F);
	}
	if ((need == 2 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (need == 3 && (v < 0x10000 || v > 0x10FFFF)))
		return 1;
	*r = v;
	return need + 1;
}

/* Go's unicode.IsSpace. */
static bool is_uspace(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200A;
}

/* compose-go's isSpace: a space that is not a line break. */
static bool is_hspace(uint32_t r)
{
	return r != '\n' && (r < 0x100 ? is_uspace(r) : false);
}

/* Letters and digits of Latin-1 (Go's unicode.IsLetter/IsNumber). */
static bool latin1_alnum(uint32_t r)
{
	return r == 0xAA || r == 0xB5 || r == 0xBA || r == 0xB2 || r == 0xB3 || r == 0xB9 ||
	       (r >= 0xBC && r <= 0xBE) || (r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7);
}

/* Key characters: letters, digits, "_.-[]".  Beyond Latin-1 this is an
 * approximation of unicode.IsLetter/IsNumber: spaces, general punctuation
 * and specials are refused, every other character is taken as a letter. */
static bool is_key_rune(uint32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		       r == '_' || r == '.' || r == '-' || r == '[' || r == ']';
	if (r < 0x100)
		return latin1_alnum(r);
	if (is_uspace(r) || (r >= 0x2000 && r <= 0x206F) || (r >= 0x3000 && r <= 0x3003))
		return false;
	return r != 0xFEFF && !(r >= 0xFFF0 && r <= 0xFFFF);
}

/* End of [from, to) once trailing unicode spaces are dropped. */
static size_t trim_right(const char *s, size_t from, size_t to)
{
	size_t end = from;
	for (size_t i = from; i < to;) {
		uint32_t r;
		i += utf8_decode(s + i, to - i, &r);
		if (!is_uspace(r))
			end = i;
	}
	return end;
}

/* Quote user text for a message; escape what would break it. */
static const char *quoted(struct arena *a, const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			sb_addf(&sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sb_addf(&sb, "\\x%02x", ch);
		else
			sb_addc(&sb, (char)ch);
	}
	sb_addc(&sb, '"');
	const char *q = sb_to_arena(&sb, a);
	sb_release(&sb);
	return q;
}

/* ---- locations and results ----------------------------------------------- */

static struct loc loc_at(struct dparser *p, size_t off)
{
	if (off < p->loc_off) {
		p->loc_off = p->loc_bol = 0;
		p->loc_line = 1;
	}
	while (p->loc_off < off) {
		const char *nl = memchr(p->s + p->loc_off, '\n', off - p->loc_off);
		if (!nl) {
			p->loc_off = off;
			break;
		}
		p->loc_line++;
		p->loc_off = p->loc_bol = (size_t)(nl - p->s) + 1;
	}
	size_t col = off - p->loc_bol + 1;
	return (struct loc){ p->name, p->loc_line, col > INT_MAX ? INT_MAX : (int)col };
}

static void error_at(struct dparser *p, size_t off, const char *msg)
{
	diag_error(p->d, loc_at(p, off), "%s", msg);
	p->errors++;
}

static void set_value(struct dparser *p, const char *key, const char *v, size_t n, struct loc loc)
{
	if (memchr(v, '\0', n)) {
		diag_error(p->d, loc, "value of %s contains a NUL character", quoted(p->a, key, strlen(key)));
		p->errors++;
		return;
	}
	env_set(p->out, key, arena_strndup(p->a, v, n)); /* v need not end in NUL */
}

/* ---- interpolation of values --------------------------------------------- */

static const char *chain_lookup(void *ctx, const char *name)
{
	struct dparser *p = ctx;
	const char *v = p->lookup ? p->lookup(p->ctx, name) : NULL;
	return v ? v : env_get(p->out, name);
}

/* docker compose warns about these in env files too. */
static void warn_unset(void *ctx, const char *name)
{
	struct dparser *p = ctx;
	diag_warning(p->d, p->value_loc, "variable %s is not set, defaulting to a blank string",
		     quoted(p->a, name, strlen(name)));
}

static void set_interpolated(struct dparser *p, const char *key, const char *s, size_t n, struct loc loc)
{
	struct interp ip = { p->a, chain_lookup, p, warn_unset, p, 0, &p->budget };
	const char *v, *err = "invalid interpolation";
	size_t vlen;
	p->value_loc = loc;
	if (interpolate(&ip, s, n, &v, &vlen, &err) < 0) {
		diag_error(p->d, loc, "%s", err);
		p->errors++;
		return;
	}
	set_value(p, key, v, vlen, loc);
}

/* ---- values -------------------------------------------------------------- */

/* "\0" and up to three digits, as compose-go does it: the "0" is dropped
 * and strconv.UnquoteChar gets the rest, which only accepts exactly three
 * octal digits worth at most 255; anything else is kept as written minus
 * that "0".  Returns the number of characters consumed after the '\'. */
static size_t expand_octal(struct dparser *p, const char *s, size_t n, struct strbuf *out, struct loc loc)
{
	size_t m = 0;
	unsigned v = 0;
	bool ok = true;
	while (m < 3 && 1 + m < n && s[1 + m] >= '0' && s[1 + m] <= '9') {
		ok = ok && s[1 + m] <= '7';
		v = v * 8 + (unsigned)(s[1 + m] - '0');
		m++;
	}
	if (!ok || m < 3 || v > 255) {
		sb_addc(out, '\\');
		sb_add(out, s + 1, m);
	} else if (v == 0) {
		diag_error(p->d, loc, "escape \"\\0000\" gives a NUL character, which a variable cannot hold");
		p->errors++;
	} else if (v < 0x80) {
		sb_addc(out, (char)v);
	} else { /* Go writes the rune U+0080..U+00FF as UTF-8 */
		sb_addc(out, (char)(0xC0 | v >> 6));
		sb_addc(out, (char)(0x80 | (v & 0x3F)));
	}
	return 1 + m;
}

/* The escapes of a double-quoted value.  "\$" becomes "$$" so that the
 * interpolation that follows leaves a literal "$".  False on error. */
static bool expand_escapes(struct dparser *p, const char *s, size_t n, struct strbuf *out, struct loc loc)
{
	static const char from[] = "abfnrtv\"\\", to[] = "\a\b\f\n\r\t\v\"\\";
	int errors = p->errors;
	for (size_t i = 0; i < n; i++) {
		char e = i + 1 < n && s[i] == '\\' ? s[i + 1] : '\0';
		const char *hit = e ? strchr(from, e) : NULL;
		if (e == '$') {
			sb_add(out, "$$", 2);
			i++;
		} else if (e == '0') {
			i += expand_octal(p, s + i + 1, n - i - 1, out, loc);
		} else if (hit) {
			sb_addc(out, to[hit - from]);
			i++;
		} else {
			sb_addc(out, s[i]); /* unknown escapes are kept as written */
		}
	}
	return p->errors == errors;
}

/* Text between the quotes; a backslash before the closing quote character
 * drops, any other backslash stays for expand_escapes().  Returns the
 * offset of the closing quote or NONE. */
static size_t scan_quoted(const char *s, size_t len, size_t open, struct strbuf *v)
{
	bool esc = false;
	for (size_t i = open + 1; i < len; i++) {
		if (esc) {
			esc = false;
			if (s[i] != s[open])
				sb_addc(v, '\\');
			sb_addc(v, s[i]);
		} else if (s[i] == '\\') {
			esc = true;
		} else if (s[i] == s[open]) {
			return i;
		} else {
			sb_addc(v, s[i]);
		}
	}
	return NONE;
}

static bool parse_quoted(struct dparser *p, const char *key, bool keep)
{
	struct strbuf raw = STRBUF_INIT, esc = STRBUF_INIT;
	size_t open = p->pos;
	size_t close = scan_quoted(p->s, p->len, open, &raw);
	struct loc loc = loc_at(p, open);
	if (close == NONE) {
		diag_error(p->d, loc, "unterminated quoted value for %s", quoted(p->a, key, strlen(key)));
		p->errors++;
		p->pos = p->len;
	} else if (keep && p->s[open] == '\'') {
		set_value(p, key, raw.buf, raw.len, loc);
	} else if (keep && expand_escapes(p, raw.buf, raw.len, &esc, loc)) {
		set_interpolated(p, key, esc.buf, esc.len, loc);
	}
	if (close != NONE)
		p->pos = close + 1;
	sb_release(&raw);
	sb_release(&esc);
	return close != NONE;
}

static void parse_unquoted(struct dparser *p, const char *key, bool keep)
{
	size_t start = p->pos, end;
	const char *nl = memchr(p->s + start, '\n', p->len - start);
	size_t eol = nl ? (size_t)(nl - p->s) : p->len;
	for (end = start; end < eol; end++)
		if (p->s[end] == ' ' && end + 1 < eol && p->s[end + 1] == '#')
			break;
	end = trim_right(p->s, start, end);
	p->pos = eol;
	if (keep)
		set_interpolated(p, key, p->s + start, end - start, loc_at(p, start));
}

/* Returns false when the rest of the file cannot be parsed. */
static bool parse_value(struct dparser *p, const char *key, bool keep)
{
	while (p->pos < p->len) {
		uint32_t r;
		size_t n = utf8_decode(p->s + p->pos, p->len - p->pos, &r);
		if (!is_hspace(r))
			break;
		p->pos += n;
	}
	if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\''))
		return parse_quoted(p, key, keep);
	parse_unquoted(p, key, keep);
	return true;
}

/* ---- statements ---------------------------------------------------------- */

/* Spaces, blank lines and comment lines before the next statement. */
static void skip_blank(struct dparser *p)
{
	while (p->pos < p->len) {
		uint32_t r;
		size_t n = utf8_decode(p->s + p->pos, p->len - p->pos, &r);
		if (is_uspace(r)) {
			p->pos += n;
		} else if (r == '#') {
			const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
			p->pos = nl ? (size_t)(nl - p->s) : p->len;
		} else {
			break;
		}
	}
}

/* "export" and whitespace (Go's `^export\s+`), then horizontal space. */
static void skip_export(struct dparser *p)
{
	size_t i = p->pos + 6;
	if (p->len - p->pos <= 6 || memcmp(p->s + p->pos, "export", 6) != 0 || !strchr("\t\n\f\r ", p->s[i]) ||
	    p->s[i] == '\0')
		return;
	while (i < p->len) {
		uint32_t r;
		size_t n = utf8_decode(p->s + i, p->len - i, &r);
		if (!is_hspace(r))
			break;
		i += n;
	}
	p->pos = i;
}

struct keyscan {
	size_t start, end; /* the key, right-trimmed */
	size_t term;       /* offset of '=', ':' or '\n'; len at the end */
	size_t bad;        /* first character not allowed in a key, or NONE */
	size_t space;      /* first space inside the key, or NONE */
};

static void scan_key(struct dparser *p, struct keyscan *k)
{
	size_t i = p->pos;
	k->start = i;
	k->bad = k->space = NONE;
	while (i < p->len && p->s[i] != '=' && p->s[i] != ':' && p->s[i] != '\n') {
		uint32_t r;
		size_t n = utf8_decode(p->s + i, p->len - i, &r);
		if (is_hspace(r) && k->space == NONE)
			k->space = i;
		else if (!is_hspace(r) && !is_key_rune(r) && k->bad == NONE)
			k->bad = i;
		i += n;
	}
	k->term = i;
	k->end = trim_right(p->s, k->start, i);
	if (k->space != NONE && k->space >= k->end)
		k->space = NONE;
}

/* Reports what is wrong with the key; false if it is not usable. */
static bool check_key(struct dparser *p, const struct keyscan *k, const char *key)
{
	bool empty = k->start == k->end && k->term < p->len && p->s[k->term] != '\n';
	if (k->bad == NONE && k->space == NONE && !empty)
		return true;
	const char *q = quoted(p->a, key, strlen(key));
	if (k->bad != NONE) {
		uint32_t r;
		size_t n = utf8_decode(p->s + k->bad, p->len - k->bad, &r);
		const char *ch = quoted(p->a, p->s + k->bad, n);
		diag_error(p->d, loc_at(p, k->bad), "unexpected character %s in variable name %s", ch, q);
	} else if (k->space != NONE) {
		diag_error(p->d, loc_at(p, k->space), "unexpected space in variable name %s", q);
	} else {
		diag_error(p->d, loc_at(p, k->term), "missing variable name before %s",
			   quoted(p->a, p->s + k->term, 1));
	}
	p->errors++;
	return false;
}

/* One statement; false when the rest of the file cannot be parsed. */
static bool parse_statement(struct dparser *p)
{
	struct keyscan k;
	skip_export(p);
	scan_key(p, &k);
	const char *key = arena_strndup(p->a, p->s + k.start, k.end - k.start);
	bool ok = check_key(p, &k, key);
	if (k.term >= p->len || p->s[k.term] == '\n') {
		/* A bare KEY takes its value from the lookup, or is left out.
		 * (compose-go mis-reads a bare key on a last line without a
		 * newline as a value for the key ""; it is treated as bare.) */
		const char *v = ok && *key && p->lookup ? p->lookup(p->ctx, key) : NULL;
		if (v)
			env_set(p->out, key, v);
		p->pos = k.term;
		return true;
	}
	p->pos = k.term + 1;
	return parse_value(p, key, ok);
}

/* ---- format: raw (docker's kvfile) --------------------------------------- */

static bool raw_check_line(struct dparser *p, size_t start, size_t end)
{
	for (size_t i = start; i < end;) {
		uint32_t r;
		size_t n = utf8_decode(p->s + i, end - i, &r);
		if (r == 0xFFFD && n == 1) {
			error_at(p, i, "invalid UTF-8 byte sequence");
			return false;
		}
		if (r == 0) {
			error_at(p, i, "unexpected NUL character");
			return false;
		}
		i += n;
	}
	return true;
}

/* KEY=VALUE taken literally: the value is everything after the first '='
 * up to the end of the line (a CR before the newline dropped). */
static void raw_line(struct dparser *p, size_t start, size_t end)
{
	if (!raw_check_line(p, start, end))
		return;
	size_t i = start;
	while (i < end) {
		uint32_t r;
		size_t n = utf8_decode(p->s + i, end - i, &r);
		if (!is_uspace(r))
			break;
		i += n;
	}
	if (i == end || p->s[i] == '#')
		return;
	const char *eq = memchr(p->s + i, '=', end - i);
	size_t kend = eq ? (size_t)(eq - p->s) : end;
	const char *key = arena_strndup(p->a, p->s + i, kend - i);
	size_t sp = strcspn(key, " \t");
	if (key[sp] != '\0') {
		error_at(p, i + sp, arena_printf(p->a, "unexpected space in variable name %s",
						 quoted(p->a, key, kend - i)));
	} else if (!*key) {
		error_at(p, i, "missing variable name before \"=\"");
	} else if (eq) {
		set_value(p, key, eq + 1, end - kend - 1, loc_at(p, kend + 1));
	} else {
		const char *v = p->lookup ? p->lookup(p->ctx, key) : NULL;
		if (v)
			env_set(p->out, key, v);
	}
}

static void parse_raw(struct dparser *p)
{
	while (p->pos < p->len) {
		size_t start = p->pos;
		const char *nl = memchr(p->s + start, '\n', p->len - start);
		size_t eol = nl ? (size_t)(nl - p->s) : p->len;
		p->pos = nl ? eol + 1 : p->len;
		if (eol > start && p->s[eol - 1] == '\r')
			eol--;
		raw_line(p, start, eol);
	}
}

int dotenv_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
		 bool raw, env_lookup_fn lookup, void *ctx, struct env *out)
{
	struct dparser p = {
		.a = a, .d = d, .name = name, .s = text ? text : "", .len = text ? len : 0,
		.lookup = lookup, .ctx = ctx, .out = out, .loc_line = 1, .budget = INTERP_MAX_OUTPUT,
	};
	if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	if (raw) {
		parse_raw(&p);
		return p.errors;
	}
	for (;;) {
		skip_blank(&p);
		if (p.pos >= p.len || !parse_statement(&p))
			break;
	}
	return p.errors;
}
