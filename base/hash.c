/*
 * hash.c - FNV-1a and an open-addressing string map (arena-backed, keys
 * borrowed).  Used for name lookups in the frontend and for content hashes.
 */
#include "base.h"

#include <string.h>

uint64_t hash_fnv1a(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void strmap_init(struct strmap *m, struct arena *a)
{
	m->slots = NULL;
	m->n = m->cap = 0;
	m->arena = a;
}

static struct strmap_entry *find_slot(struct strmap_entry *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash_fnv1a(key, strlen(key)) & (cap - 1);
	for (;;) {
		if (!slots[i].key || strcmp(slots[i].key, key) == 0)
			return &slots[i];
		i = (i + 1) & (cap - 1);
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct strmap_entry *e = find_slot(m->slots, m->cap, key);
	return e->key ? e->value : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
	return m->cap && find_slot(m->slots, m->cap, key)->key != NULL;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->n + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct strmap_entry *slots = arena_alloc(m->arena, cap * sizeof(*slots));
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
		m->slots = slots;
		m->cap = cap;
	}
	struct strmap_entry *e = find_slot(m->slots, m->cap, key);
	if (!e->key) {
		e->key = key;
		m->n++;
	}
	e->value = value;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
