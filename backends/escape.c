/*
 * escape.c - the named escapers of escape.h: POSIX shell words, systemd
 * Exec*= arguments, other systemd values, and unit-name components.
 *
 * The systemd rules were checked with systemd 252 (TESTING.md, "Quoting in
 * Exec*= lines"): an Exec argument is always double-quoted, \ " and control
 * characters become C escapes, % becomes %% (specifiers are resolved in
 * every word, quoted or not) and $ becomes $$ (variables are expanded
 * anywhere, quotes do not stop it).  Bytes that are not valid UTF-8 (as
 * systemd's utf8_is_valid sees it: no overlong forms, surrogates or
 * non-characters) are written as \xNN, which systemd turns back into the
 * same byte, so the unit file stays valid UTF-8 and the argument byte-exact.
 * Unit names follow systemd-escape (without --path), checked against the
 * tool.
 */
#include "backends/escape.h"

#include <string.h>

enum {
	ESC_PERCENT = 1 << 0, /* % -> %% */
	ESC_DOLLAR = 1 << 1,  /* $ -> $$ */
	ESC_QUOTE = 1 << 2,   /* " -> \" */
};

static const char hexdigits[] = "0123456789abcdef";

static void add_hex_escape(struct strbuf *out, unsigned char c)
{
	char e[4] = { '\\', 'x', hexdigits[c >> 4], hexdigits[c & 15] };
	sb_add(out, e, sizeof(e));
}

static bool unichar_valid(uint32_t u)
{
	if (u >= 0x110000 || (u & 0xfffff800) == 0xd800)
		return false;
	if (u >= 0xfdd0 && u <= 0xfdef)
		return false;
	return (u & 0xfffe) != 0xfffe;
}

/* Length of the valid UTF-8 sequence of 2..4 bytes at p, or 0. */
static size_t utf8_valid_len(const unsigned char *p)
{
	size_t len;
	uint32_t u;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		u = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		u = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		u = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		u = (u << 6) | (p[i] & 0x3f);
	}
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (u < min[len] || !unichar_valid(u))
		return 0;
	return len;
}

/* Append one byte below 0x80 with C escapes for \ and controls. */
static void add_ascii(struct strbuf *out, unsigned char c, unsigned flags)
{
	switch (c) {
	case '\\': sb_adds(out, "\\\\"); return;
	case '\n': sb_adds(out, "\\n"); return;
	case '\t': sb_adds(out, "\\t"); return;
	case '\r': sb_adds(out, "\\r"); return;
	case '"':
		sb_adds(out, flags & ESC_QUOTE ? "\\\"" : "\"");
		return;
	case '%':
		sb_adds(out, flags & ESC_PERCENT ? "%%" : "%");
		return;
	case '$':
		sb_adds(out, flags & ESC_DOLLAR ? "$$" : "$");
		return;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		add_hex_escape(out, c);
	else
		sb_addc(out, (char)c);
}

/* The body shared by the systemd escapers: C escapes, valid UTF-8 kept,
 * other high bytes as \xNN, and the optional %, $ and " rules. */
/* Printable ASCII that no rule touches, whatever the flags: copied in
 * runs, not byte by byte.  Filled before main, so that no two threads
 * fill it at once. */
static bool plain[256];

__attribute__((constructor)) static void init_plain(void)
{
	for (int c = 0x20; c < 0x7f; c++)
		plain[c] = !strchr("\\\"%$", c);
}

static void add_c_escaped(struct strbuf *out, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		const unsigned char *run = p;
		while (plain[*p])
			p++;
		if (p > run) {
			sb_add(out, run, (size_t)(p - run));
			continue;
		}
		if (*p < 0x80) {
			add_ascii(out, *p++, flags);
			continue;
		}
		size_t n = utf8_valid_len(p);
		if (n) {
			sb_add(out, p, n);
			p += n;
		} else {
			add_hex_escape(out, *p++);
		}
	}
}

void sh_quote(struct strbuf *out, const char *s)
{
	sb_addc(out, '\'');
	for (;;) {
		size_t run = strcspn(s, "'");
		sb_add(out, s, run);
		s += run;
		if (!*s)
			break;
		sb_adds(out, "'\\''");
		s++;
	}
	sb_addc(out, '\'');
}

void sh_comment_text(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		sb_addc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

void systemd_exec_arg(struct strbuf *out, const char *s)
{
	sb_addc(out, '"');
	add_c_escaped(out, s, ESC_PERCENT | ESC_DOLLAR | ESC_QUOTE);
	sb_addc(out, '"');
}

void systemd_exec_line(struct strbuf *out, const char *const *argv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(out, ' ');
		systemd_exec_arg(out, argv[i]);
	}
}

void systemd_value(struct strbuf *out, const char *s)
{
	add_c_escaped(out, s, ESC_PERCENT);
}

void systemd_quoted_value(struct strbuf *out, const char *s)
{
	sb_addc(out, '"');
	add_c_escaped(out, s, ESC_PERCENT | ESC_QUOTE);
	sb_addc(out, '"');
}

/* systemd's do_escape(): '/' -> '-', [A-Za-z0-9:_.] kept, everything else
 * (including '-' and '\') as \xNN, and a leading '.' escaped so that no
 * unit name starts with a dot. */
void unit_name_escape(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (*p == '.')
		add_hex_escape(out, *p++);
	for (; *p; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == ':' || *p == '_' || *p == '.';
		if (*p == '/')
			sb_addc(out, '-');
		else if (keep)
			sb_addc(out, (char)*p);
		else
			add_hex_escape(out, *p);
	}
}

void unit_name_component(struct strbuf *sb, const char *s)
{
	bool safe = *s != '\0';
	for (const char *c = s; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.-", *c))
			safe = false;
	if (safe)
		sb_adds(sb, s);
	else
		unit_name_escape(sb, s);
}

const char *unit_base_name(struct arena *a, const char *project, const char *name, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	unit_name_component(&sb, project);
	sb_addc(&sb, '-');
	unit_name_component(&sb, name);
	sb_adds(&sb, suffix);
	const char *r = sb_to_arena(&sb, a);
	sb_release(&sb);
	return r;
}
