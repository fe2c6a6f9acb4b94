/*
 * arena.c - bump allocator that owns every object of one compilation, and
 * the arena-backed vectors.  Chunks grow geometrically; a request larger
 * than a chunk gets a chunk of its own.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	bool mapped; /* from mmap (big chunks), else from calloc */
	unsigned char *lo, *hi; /* the free part when the chunk stopped being the head */
	_Alignas(16) unsigned char data[];
};

struct arena_owned {
	struct arena_owned *next;
	void *p;
};

#define ARENA_MIN_CHUNK (64 * 1024)
/* Chunks from this size on come straight from mmap and go back with
 * munmap: through malloc, freeing them (an arena released or rewound)
 * would raise glibc's mmap threshold and keep later memory in the heap,
 * where it is not given back. */
#define ARENA_MAP_FROM (256 * 1024)

static void chunk_free(struct arena_chunk *c)
{
	if (c->mapped)
		munmap(c, sizeof(*c) + c->size);
	else
		free(c);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("composec: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_total = 0;
	a->cur = a->end = NULL;
	a->owned = NULL;
	a->aux = NULL;
}

struct arena_mark arena_mark(const struct arena *a)
{
	return (struct arena_mark){ a->head, a->cur, a->end, a->used_total, a->owned };
}

/* Chunks made since the mark are freed; what the mark's chunk handed out
 * since is cleared again (from the bottom and from the top), since the
 * arena promises zeroed memory without clearing on allocation. */
void arena_rewind(struct arena *a, struct arena_mark m)
{
	while (a->owned != m.owned) {
		struct arena_owned *o = a->owned;
		a->owned = o->next;
		free(o->p);
	}
	unsigned char *lo = a->cur, *hi = a->end;
	while (a->head != m.head) {
		struct arena_chunk *c = a->head;
		a->head = c->next;
		lo = a->head ? a->head->lo : NULL;
		hi = a->head ? a->head->hi : NULL;
		chunk_free(c);
	}
	if (m.head) {
		memset(m.cur, 0, (size_t)(lo - m.cur));
		memset(hi, 0, (size_t)(m.end - hi));
	}
	a->cur = m.cur;
	a->end = m.end;
	a->used_total = m.used_total;
}

void arena_donate(struct arena *a, void *p, size_t size)
{
	if (size < sizeof(struct arena_chunk) + ARENA_MIN_CHUNK) {
		free(p);
		return;
	}
	struct arena_chunk *c = p;
	memset(p, 0, size); /* arena memory is zero */
	c->size = size - sizeof(*c);
	c->mapped = false; /* freed with free() */
	if (a->head) {
		a->head->lo = a->cur;
		a->head->hi = a->end;
	}
	c->next = a->head;
	a->head = c;
	a->cur = c->data;
	a->end = c->data + c->size;
}

void arena_adopt(struct arena *a, void *p)
{
	struct arena_owned *o = arena_alloc(a, sizeof(*o));
	o->p = p;
	o->next = a->owned;
	a->owned = o;
}

void arena_release(struct arena *a)
{
	for (struct arena_owned *o = a->owned; o; o = o->next)
		free(o->p);
	a->owned = NULL;
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		chunk_free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
	a->cur = a->end = NULL;
}

/* calloc: a chunk is zero from the start (for free when the memory is
 * fresh from the system), and the arena never reuses memory, so
 * arena_alloc need not clear anything. */
static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c;
	if (sizeof(*c) + size >= ARENA_MAP_FROM) {
		c = mmap(NULL, sizeof(*c) + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			die("out of memory (%zu bytes)", size);
		c->mapped = true;
	} else {
		c = calloc(1, sizeof(*c) + size);
		if (!c)
			die("out of memory (%zu bytes)", size);
		c->mapped = false;
	}
	c->size = size;
	c->next = NULL;
	return c;
}

/* The head chunk is full (or there is none): a new one. */
void *arena_alloc_slow(struct arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct arena_chunk *c = a->head;
	if (need < n)
		die("arena: allocation too large");
	if (c) {
		c->lo = a->cur;
		c->hi = a->end;
	}
	size_t size = c ? c->size * 2 : ARENA_MIN_CHUNK;
	if (size > 16 * 1024 * 1024)
		size = 16 * 1024 * 1024;
	if (size < need)
		size = need;
	c = chunk_new(size);
	c->next = a->head;
	a->head = c;
	a->cur = c->data + need;
	a->end = c->data + size;
	a->used_total += need;
	return c->data;
}

void *arena_grow(struct arena *a, void *old, size_t old_bytes, size_t new_bytes)
{
	void *p = arena_alloc(a, new_bytes);
	if (old && old_bytes)
		memcpy(p, old, old_bytes < new_bytes ? old_bytes : new_bytes);
	return p;
}

/* n bytes without alignment, for strings: taken from the top of the free
 * part of the head chunk (objects are taken from the bottom), so that a
 * string costs its length, not a multiple of ARENA_ALIGN. */
static char *arena_bytes(struct arena *a, size_t n)
{
	if (n <= (size_t)(a->end - a->cur)) {
		a->end -= n;
		a->used_total += n;
		return (char *)a->end;
	}
	return arena_alloc_slow(a, n);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_bytes(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* One vsnprintf into a stack buffer for the usual short result; a second
 * one straight into the arena only when it did not fit. */
char *arena_printf(struct arena *a, const char *fmt, ...)
{
	char buf[256];
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = sb_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		die("vsnprintf failed");
	char *p;
	if ((size_t)n < sizeof(buf)) {
		p = arena_strndup(a, buf, (size_t)n);
	} else {
		p = arena_bytes(a, (size_t)n + 1);
		sb_vsnprintf(p, (size_t)n + 1, fmt, cp);
	}
	va_end(cp);
	return p;
}

char *arena_concat(struct arena *a, ...)
{
	va_list ap;
	size_t len = 0;
	va_start(ap, a);
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
		len += strlen(s);
	va_end(ap);
	char *p = arena_bytes(a, len + 1), *q = p;
	va_start(ap, a);
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;) {
		size_t n = strlen(s);
		memcpy(q, s, n);
		q += n;
	}
	va_end(ap);
	*q = '\0';
	return p;
}

void ptrvec_push(struct ptrvec *pv, struct arena *a, void *p)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 8;
		pv->v = arena_grow(a, pv->v, pv->n * sizeof(void *), cap * sizeof(void *));
		pv->cap = cap;
	}
	pv->v[pv->n++] = p;
}

void strvec_push(struct strvec *sv, struct arena *a, const char *s)
{
	if (sv->n + 1 >= sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = arena_grow(a, (void *)sv->v, sv->n * sizeof(char *), cap * sizeof(char *));
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}
