/*
 * arena.c - bump allocator that owns every object of one compilation, and
 * the arena-backed vectors.  Chunks grow geometrically; a request larger
 * than a chunk gets a chunk of its own.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_CHUNK (64 * 1024)

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
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c = malloc(sizeof(*c) + size);
	if (!c)
		die("out of memory (%zu bytes)", size);
	c->size = size;
	c->used = 0;
	c->next = NULL;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	struct arena_chunk *c = a->head;
	if (need < n)
		die("arena: allocation too large");
	if (!c || c->size - c->used < need) {
		size_t size = c ? c->size * 2 : ARENA_MIN_CHUNK;
		if (size > 16 * 1024 * 1024)
			size = 16 * 1024 * 1024;
		if (size < need)
			size = need;
		c = chunk_new(size);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used_total += need;
	memset(p, 0, n);
	return p;
}

void *arena_grow(struct arena *a, void *old, size_t old_bytes, size_t new_bytes)
{
	void *p = arena_alloc(a, new_bytes);
	if (old && old_bytes)
		memcpy(p, old, old_bytes < new_bytes ? old_bytes : new_bytes);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	char *p = sb_to_arena(&sb, a);
	sb_release(&sb);
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
