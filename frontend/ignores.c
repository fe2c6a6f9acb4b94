/*
 * ignores.c - the "# composec-ignore: RULE[,RULE...]" comments of the
 * compose files the loader reads, recorded as it reads them (the audit's
 * suppressions), so that nothing reads a file's text again for them.
 * A comment is one when its '#' starts the line or follows a space or tab
 * outside a quoted scalar, and the marker follows the '#'s and spaces;
 * what follows the marker is kept as written (the audit reads the names).
 */
#include "frontend/load.h"

#include <string.h>

#define IGNORE_MARK "composec-ignore:"

/* The end of the quoted scalar that starts at p[i], or n. */
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

/* Where the line's comment starts (its '#'), from i; n when none. */
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

void load_record_ignores(struct arena *a, struct ptrvec *out, const char *file, const char *text, size_t len)
{
	const char *end = text + len, *at = text;
	int line = 1;
	const char *counted = text; /* lines counted up to here */
	while ((at = memmem(at, (size_t)(end - at), IGNORE_MARK, strlen(IGNORE_MARK))) != NULL) {
		const char *b = at;
		while (b > text && b[-1] != '\n')
			b--;
		const char *e = memchr(at, '\n', (size_t)(end - at));
		e = e ? e : end;
		for (const char *c = counted; c < b; c++)
			line += *c == '\n';
		counted = b;
		size_t n = (size_t)(e - b), i = 0;
		while (i < n && (b[i] == ' ' || b[i] == '\t'))
			i++;
		size_t h = comment_start(b, i, n);
		size_t m = h;
		while (m < n && (b[m] == ' ' || b[m] == '#'))
			m++;
		if (h < n && b + m == at) {
			struct ir_ignore_comment *ic = arena_alloc(a, sizeof(*ic));
			ic->file = file;
			ic->line = line;
			ic->alone = h == i;
			ic->rules = arena_strndup(a, at + strlen(IGNORE_MARK), (size_t)(e - at) - strlen(IGNORE_MARK));
			ptrvec_push(out, a, ic);
		}
		at = e;
	}
}
