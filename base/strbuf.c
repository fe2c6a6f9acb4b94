/*
 * strbuf.c - growable, always NUL-terminated byte buffer (after git's
 * strbuf).  Output text of every backend is built in one of these.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

char strbuf_empty[1];

void sb_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void sb_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	size_t want = sb->len + extra + 1;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < want)
		alloc *= 2;
	char *p = sb->alloc ? realloc(sb->buf, alloc) : malloc(alloc);
	if (!p)
		die("out of memory (%zu bytes)", alloc);
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = alloc;
}

void sb_add_slow(struct strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

char *decimal(char *buf, unsigned long long v)
{
	char digits[24], *end = digits + sizeof(digits), *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return buf;
}

void sb_addu(struct strbuf *sb, unsigned long long v)
{
	if (v < 10) { /* most lengths and counts */
		sb_addc(sb, (char)('0' + v));
		return;
	}
	char digits[24];
	sb_adds(sb, decimal(digits, v));
}

void sb_addc_slow(struct strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/* ---- a vsnprintf for the conversions composec uses ------------------------ */

/* Whether every conversion of fmt is one that fmt_simple does exactly as
 * libc would: %s %c %% and %d %i %u %x %X, optionally zero-padded to a
 * fixed width, with l, ll or z.  Anything else goes to libc. */
static bool simple_format(const char *f)
{
	while ((f = strchr(f, '%')) != NULL) {
		f++;
		if (*f == '%' || *f == 's' || *f == 'c') {
			f++;
			continue;
		}
		if (*f == '0')
			while (*f >= '0' && *f <= '9')
				f++;
		if (*f == 'z')
			f++;
		else if (f[0] == 'l' && f[1] == 'l')
			f += 2;
		else if (*f == 'l')
			f++;
		if (!*f || !strchr("diuxX", *f))
			return false;
		f++;
	}
	return true;
}

struct fmt_out {
	char *buf;
	size_t size, n; /* n: the full length, as vsnprintf returns it */
};

static void fmt_put(struct fmt_out *o, const char *s, size_t len)
{
	if (o->n < o->size) {
		size_t room = o->size - o->n;
		memcpy(o->buf + o->n, s, len < room ? len : room);
	}
	o->n += len;
}

/* fmt must pass simple_format.  Same result and return value as
 * vsnprintf(buf, size, fmt, ap). */
static size_t fmt_simple(char *buf, size_t size, const char *f, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	for (;;) {
		const char *pct = strchr(f, '%');
		fmt_put(&o, f, pct ? (size_t)(pct - f) : strlen(f));
		if (!pct)
			break;
		f = pct + 1;
		if (*f == '%' || *f == 'c') {
			char ch = *f == '%' ? '%' : (char)va_arg(ap, int);
			fmt_put(&o, &ch, 1);
			f++;
			continue;
		}
		if (*f == 's') {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			fmt_put(&o, s, strlen(s));
			f++;
			continue;
		}
		size_t width = 0;
		if (*f == '0')
			for (; *f >= '0' && *f <= '9'; f++)
				width = width * 10 + (size_t)(*f - '0');
		int size_mod = 0; /* 0 int, 1 long, 2 long long, 3 size_t */
		if (*f == 'z')
			size_mod = 3, f++;
		else if (f[0] == 'l' && f[1] == 'l')
			size_mod = 2, f += 2;
		else if (*f == 'l')
			size_mod = 1, f++;
		char conv = *f++;
		unsigned long long u;
		bool neg = false;
		if (conv == 'd' || conv == 'i') {
			long long v = size_mod == 0 ? va_arg(ap, int)
				      : size_mod == 1 ? va_arg(ap, long)
				      : size_mod == 2 ? va_arg(ap, long long)
						      : (long long)va_arg(ap, size_t);
			neg = v < 0;
			u = neg ? 0 - (unsigned long long)v : (unsigned long long)v;
		} else {
			u = size_mod == 0 ? va_arg(ap, unsigned)
			    : size_mod == 1 ? va_arg(ap, unsigned long)
			    : size_mod == 2 ? va_arg(ap, unsigned long long)
					    : va_arg(ap, size_t);
		}
		char digits[72], *end = digits + sizeof(digits), *p = end;
		unsigned base = conv == 'x' || conv == 'X' ? 16 : 10;
		const char *set = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
		do {
			*--p = set[u % base];
			u /= base;
		} while (u);
		size_t nd = (size_t)(end - p) + neg;
		if (neg)
			fmt_put(&o, "-", 1);
		for (; nd < width; nd++)
			fmt_put(&o, "0", 1);
		fmt_put(&o, p, (size_t)(end - p));
	}
	if (size)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return o.n;
}

int sb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	if (!simple_format(fmt))
		return vsnprintf(buf, size, fmt, ap);
	size_t n = fmt_simple(buf, size, fmt, ap);
	return n > (size_t)2147483647 ? -1 : (int)n;
}

/* Format straight into the spare room (made at least 64 bytes), and a
 * second time only when the result did not fit. */
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	sb_grow(sb, 64);
	size_t room = sb->alloc - sb->len;
	int n = sb_vsnprintf(sb->buf + sb->len, room, fmt, cp);
	va_end(cp);
	if (n < 0)
		die("vsnprintf failed");
	if ((size_t)n >= room) {
		sb_grow(sb, (size_t)n);
		sb_vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *sb_to_arena(const struct strbuf *sb, struct arena *a)
{
	return arena_strndup(a, sb->buf, sb->len);
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p;
	if (len)
		*len = sb->len;
	if (sb->alloc) {
		p = sb->buf;
	} else {
		p = malloc(1);
		if (!p)
			die("out of memory");
		p[0] = '\0';
	}
	sb_init(sb);
	return p;
}
