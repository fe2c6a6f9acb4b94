/*
 * diag.c - the diagnostics sink.  Messages are formatted as
 *   file:line:col: error: message
 *     <source line>
 *     <caret under the column>
 * and collected in order; the driver flushes them.  Counting errors here
 * lets a phase report everything it finds before the driver stops.
 */
#include "base.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


void diag_init(struct diag *d, struct arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	sb_init(&d->out);
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->sources.n; i++) {
		struct diag_source *s = d->sources.v[i];
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
	}
	sb_release(&d->out);
}

void diag_add_source(struct diag *d, const char *name, const char *text, size_t len)
{
	struct diag_source *s = arena_alloc(d->arena, sizeof(*s));
	s->name = name;
	s->text = text;
	s->len = len;
	s->fd = -1;
	ptrvec_push(&d->sources, d->arena, s);
}

void diag_add_file_source(struct diag *d, const char *name, const char *text, size_t len, const char *path,
			  long long mtime_s, long long mtime_ns)
{
	diag_add_source(d, name, text, len);
	struct diag_source *s = d->sources.v[d->sources.n - 1];
	s->path = path;
	s->size = (long long)len;
	s->mtime_s = mtime_s;
	s->mtime_ns = mtime_ns;
}

void diag_drop_text(struct diag *d, const char *text)
{
	for (size_t i = 0; i < d->sources.n; i++) {
		struct diag_source *s = d->sources.v[i];
		if (s->text == text && s->path)
			s->text = NULL;
	}
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

/* Where each line of the file behind s starts, in one streaming pass. */
static bool index_file(struct diag *d, struct diag_source *s, int fd)
{
	size_t cap = 1024, n = 0, off = 0;
	uint32_t *starts = malloc(cap * sizeof(*starts));
	if (!starts)
		die("out of memory");
	starts[n++] = 0;
	char buf[65536];
	ssize_t got;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (const char *p = buf, *end = buf + got; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
			if (n == cap) {
				cap *= 2;
				starts = realloc(starts, cap * sizeof(*starts));
				if (!starts)
					die("out of memory");
			}
			starts[n++] = (uint32_t)(off + (size_t)(p - buf) + 1);
		}
		off += (size_t)got;
	}
	bool ok = got == 0 && off == s->len;
	if (ok) {
		s->line_start = arena_alloc(d->arena, n * sizeof(*starts));
		memcpy(s->line_start, starts, n * sizeof(*starts));
		s->n_lines = n;
	}
	free(starts);
	return ok;
}

/* A dropped text's file, opened once (and indexed if it was not while the
 * text was there); false if it cannot be read or is not what was parsed
 * any more. */
static bool open_dropped(struct diag *d, struct diag_source *s)
{
	if (s->fd >= 0)
		return true;
	if (s->unreadable || s->len > UINT32_MAX)
		return false;
	s->unreadable = true; /* until shown otherwise */
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || (long long)st.st_size != s->size ||
	    (long long)st.st_mtim.tv_sec != s->mtime_s || (long long)st.st_mtim.tv_nsec != s->mtime_ns) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!s->line_start && !index_file(d, s, fd)) { /* else indexed while the text was there */
		close(fd);
		return false;
	}
	s->fd = fd;
	s->unreadable = false;
	return true;
}

/* The first bytes (enough to quote) of line (1-based) of a dropped text,
 * read back into buf; false past the end or when the file cannot be read. */
static bool read_back_line(struct diag *d, struct diag_source *s, int line, struct strbuf *buf)
{
	if (!open_dropped(d, s) || line < 1 || (size_t)line > s->n_lines)
		return false;
	size_t from = s->line_start[line - 1];
	size_t to = (size_t)line < s->n_lines ? s->line_start[line] : s->len;
	if (to - from > 256)
		to = from + 256;
	sb_grow(buf, to - from);
	ssize_t got = pread(s->fd, buf->buf, to - from, (off_t)from);
	if (got < 0)
		return false;
	buf->len = (size_t)got;
	buf->buf[buf->len] = '\0';
	return true;
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
	struct strbuf back = STRBUF_INIT;
	const char *p, *end;
	if (s->text) {
		p = line_at(d, s, line);
		end = s->text + s->len;
	} else if (read_back_line(d, s, line, &back)) {
		p = back.buf;
		end = back.buf + back.len;
	} else {
		p = end = NULL;
	}
	if (!p || p >= end) {
		sb_release(&back);
		return;
	}
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
	sb_release(&back);
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

void diag_escape_text(struct strbuf *out, const char *text)
{
	size_t start = out->len;
	sb_adds(out, text);
	escape_controls(out, start);
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
	if (d->hold) {
		struct strbuf msg = STRBUF_INIT;
		sb_vaddf(&msg, fmt, ap);
		struct diag_record *h = arena_alloc(d->arena, sizeof(*h));
		h->lvl = lvl;
		h->loc = loc;
		h->text = sb_to_arena(&msg, d->arena);
		sb_release(&msg);
		ptrvec_push(&d->held, d->arena, h);
		return;
	}
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

static void report(struct diag *d, enum diag_level lvl, struct loc loc, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void report(struct diag *d, enum diag_level lvl, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_report(d, lvl, loc, fmt, ap);
	va_end(ap);
}

void diag_replay(struct diag *d, struct diag *held)
{
	for (size_t i = 0; i < held->held.n; i++) {
		const struct diag_record *h = held->held.v[i];
		report(d, h->lvl, h->loc, "%s", h->text);
	}
	held->held.n = 0;
	held->errors = held->warnings = 0;
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
