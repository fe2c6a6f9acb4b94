/*
 * hash.c - FNV-1a and an open-addressing string map (arena-backed, keys
 * borrowed).  Used for name lookups in the frontend and for content hashes.
 */
#include "base.h"

#include <string.h>

#define FNV_PRIME 0x100000001b3ULL

uint64_t hash_fnv1a_more(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t hash_fnv1a(const void *data, size_t n)
{
	return hash_fnv1a_more(FNV1A_INIT, data, n);
}

/* Each FNV-1a step waits for the multiplication before it, a few cycles
 * a byte however wide the CPU, but the chains of different buffers do
 * not wait for each other: three hashed side by side take about as long
 * as the longest alone. */
void hash_fnv1a_many(const void *const *data, const size_t *len, uint64_t *out, size_t k)
{
	const unsigned char *p[3];
	size_t n[3], lane_of[3], next = 0, live = 0;
	uint64_t h[3];
	for (;;) {
		for (; live < 3 && next < k; live++, next++) {
			p[live] = data[next];
			n[live] = len[next];
			h[live] = FNV1A_INIT;
			lane_of[live] = next;
		}
		if (!live)
			return;
		size_t m = n[0];
		for (size_t j = 1; j < live; j++)
			m = n[j] < m ? n[j] : m;
		if (live == 3) {
			uint64_t a = h[0], b = h[1], c = h[2];
			for (size_t i = 0; i < m; i++) {
				a = (a ^ p[0][i]) * FNV_PRIME;
				b = (b ^ p[1][i]) * FNV_PRIME;
				c = (c ^ p[2][i]) * FNV_PRIME;
			}
			h[0] = a, h[1] = b, h[2] = c;
		} else if (live == 2) {
			uint64_t a = h[0], b = h[1];
			for (size_t i = 0; i < m; i++) {
				a = (a ^ p[0][i]) * FNV_PRIME;
				b = (b ^ p[1][i]) * FNV_PRIME;
			}
			h[0] = a, h[1] = b;
		} else {
			h[0] = hash_fnv1a_more(h[0], p[0], m);
		}
		size_t kept = 0;
		for (size_t j = 0; j < live; j++) {
			if (n[j] == m) {
				out[lane_of[j]] = h[j];
				continue;
			}
			p[kept] = p[j] + m;
			n[kept] = n[j] - m;
			h[kept] = h[j];
			lane_of[kept++] = lane_of[j];
		}
		live = kept;
	}
}

void hex16(char *out, uint64_t v)
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = "0123456789abcdef"[v & 15];
	out[16] = '\0';
}

void strmap_init(struct strmap *m, struct arena *a)
{
	m->slots = NULL;
	m->n = m->cap = 0;
	m->arena = a;
}

/* The entry of key (hash h), or the free one where it would go.  A slot
 * whose hash differs is passed without reading its key, which in a big
 * map is a cache miss away. */
static struct strmap_entry *find_slot(struct strmap_entry *slots, size_t cap, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);
	for (;;) {
		const struct strmap_entry *e = &slots[i];
		if (!e->key || (e->hash == h && (e->key == key || strcmp(e->key, key) == 0)))
			return &slots[i];
		i = (i + 1) & (cap - 1);
	}
}

static uint64_t key_hash(const char *key)
{
	return hash_fnv1a(key, strlen(key));
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct strmap_entry *e = find_slot(m->slots, m->cap, key, key_hash(key));
	return e->key ? e->value : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
	return m->cap && find_slot(m->slots, m->cap, key, key_hash(key))->key != NULL;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->n + 1) * 4 > m->cap * 3) { /* twice the room; the keys are not read again */
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct strmap_entry *slots = arena_alloc(m->arena, cap * sizeof(*slots));
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->slots[i].key)
				continue;
			size_t j = (size_t)m->slots[i].hash & (cap - 1);
			while (slots[j].key)
				j = (j + 1) & (cap - 1);
			slots[j] = m->slots[i];
		}
		m->slots = slots;
		m->cap = cap;
	}
	uint64_t h = key_hash(key);
	struct strmap_entry *e = find_slot(m->slots, m->cap, key, h);
	if (!e->key) {
		e->key = key;
		e->hash = h;
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
