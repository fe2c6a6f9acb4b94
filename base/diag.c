/*
 * diag.c - the diagnostics sink.  Messages are formatted as
 *   file:line:col: error: message
 *     <source line>
 *     <caret under the column>
 * and collected in order; the driver flushes them.  Counting errors here
 * lets a phase report everything it finds before the driver stops.
 */
#include "base.h"

#include <string.h>

void diag_init(struct diag *d, struct arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	sb_init(&d->out);
}

void diag_release(struct diag *d)
{
	sb_release(&d->out);
}

void diag_add_source(struct diag *d, const char *name, const char *text, size_t len)
{
	struct diag_source *s = arena_alloc(d->arena, sizeof(*s));
	s->name = name;
	s->text = text;
	s->len = len;
	ptrvec_push(&d->sources, d->arena, s);
}

static struct diag_source *find_source(const struct diag *d, const char *name)
{
	for (size_t i = d->sources.n; i-- > 0;) {
		struct diag_source *s = d->sources.v[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Where each line of s starts: one pass, the first time a message quotes
 * s, so that many messages about a big file do not each scan it from the
 * top.  Lines past the last newline are not in the table. */
static void index_lines(struct diag *d, struct diag_source *s)
{
	size_t n = 1;
	for (const char *p = s->text, *end = s->text + s->len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	s->line_start = arena_alloc(d->arena, n * sizeof(*s->line_start));
	s->n_lines = 0;
	s->line_start[s->n_lines++] = 0;
	for (const char *p = s->text, *end = s->text + s->len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		s->line_start[s->n_lines++] = (uint32_t)(p + 1 - s->text);
}

/* The start of line (1-based) in s, or NULL past the end: as a scan from
 * the top would find it. */
static const char *line_at(struct diag *d, struct diag_source *s, int line)
{
	if (s->len > UINT32_MAX) { /* too big for the table: scan */
		const char *p = s->text, *end = s->text + s->len;
		for (int l = 1; l < line && p < end; l++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				return NULL;
			p = nl + 1;
		}
		return p;
	}
	if (!s->line_start)
		index_lines(d, s);
	if (line < 1 || (size_t)line > s->n_lines)
		return NULL;
	return s->text + s->line_start[line - 1];
}

/* Append the quoted source line and a caret; tabs are kept so the caret
 * lines up in a terminal, other control bytes become spaces. */
static void quote_line(struct diag *d, struct strbuf *out, struct diag_source *s, int line, int col)
{
	const char *p = line_at(d, s, line), *end = s->text + s->len;
	if (!p || p >= end)
		return;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	size_t n = (size_t)(eol - p);
	if (n > 200)
		n = 200;
	sb_adds(out, "  ");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		sb_addc(out, (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char)c);
	}
	sb_adds(out, "\n  ");
	for (int i = 1; i < col && (size_t)(i - 1) < n; i++)
		sb_addc(out, p[i - 1] == '\t' ? '\t' : ' ');
	sb_adds(out, "^\n");
}

/* Control bytes in what was appended from `from` on (file names and
 * quoted values from a hostile compose file) become \xNN: a message stays
 * one line and cannot drive the terminal it is printed on.  Tabs stay. */
static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void escape_controls(struct strbuf *sb, size_t from)
{
	size_t i = from;
	while (i < sb->len && !is_control((unsigned char)sb->buf[i]))
		i++;
	if (i == sb->len)
		return;
	struct strbuf rest = STRBUF_INIT;
	sb_add(&rest, sb->buf + i, sb->len - i);
	sb->len = i;
	sb->buf[i] = '\0';
	for (size_t k = 0; k < rest.len; k++) {
		unsigned char c = (unsigned char)rest.buf[k];
		if (is_control(c))
			sb_addf(sb, "\\x%02x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_release(&rest);
}

/* Held messages past this size go to d->overflow: short output keeps its
 * order (the driver's own messages first), a long one is not held whole. */
#define DIAG_HOLD_MAX (64 * 1024)

void diag_report(struct diag *d, enum diag_level lvl, struct loc loc, const char *fmt, va_list ap)
{
	static const char *const names[] = { "note", "warning", "error" };
	if (lvl == DIAG_ERROR)
		d->errors++;
	else if (lvl == DIAG_WARNING)
		d->warnings++;
	if (lvl == DIAG_WARNING && d->quiet)
		return;
	size_t start = d->out.len;
	if (loc.file && loc.line > 0)
		sb_addf(&d->out, "%s:%d:%d: ", loc.file, loc.line, loc.col > 0 ? loc.col : 1);
	else if (loc.file)
		sb_addf(&d->out, "%s: ", loc.file);
	else
		sb_adds(&d->out, "composec: ");
	sb_addf(&d->out, "%s: ", names[lvl]);
	sb_vaddf(&d->out, fmt, ap);
	escape_controls(&d->out, start);
	sb_addc(&d->out, '\n');
	if (loc.file && loc.line > 0) {
		struct diag_source *s = find_source(d, loc.file);
		if (s)
			quote_line(d, &d->out, s, loc.line, loc.col);
	}
	if (d->overflow && d->out.len > DIAG_HOLD_MAX)
		diag_flush(d, d->overflow);
}

void diag_error(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_report(d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_report(d, DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

void diag_note(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_report(d, DIAG_NOTE, loc, fmt, ap);
	va_end(ap);
}

void diag_flush(struct diag *d, FILE *fp)
{
	if (d->out.len)
		fwrite(d->out.buf, 1, d->out.len, fp);
	sb_reset(&d->out);
}
