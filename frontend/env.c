/*
 * env.c - a variable environment: an ordered string map whose keys and
 * values live in the arena.  The insertion order is kept in `keys` so that
 * anything printed from an env (unit files, manifests) comes out the same
 * on every run, whatever the hash order.
 */
#include "frontend/env.h"

#include <string.h>

void env_init(struct env *e, struct arena *a)
{
	memset(e, 0, sizeof(*e));
	e->arena = a;
	strmap_init(&e->map, a);
}

const char *env_get(const struct env *e, const char *key)
{
	return strmap_get(&e->map, key);
}

/* A NULL value is stored as "" so that env_get() keeps its meaning:
 * NULL only ever says "unset". */
void env_set(struct env *e, const char *key, const char *value)
{
	const char *v = arena_strdup(e->arena, value ? value : "");
	if (strmap_has(&e->map, key)) {
		strmap_put(&e->map, key, (void *)v); /* keeps the stored key */
		return;
	}
	const char *k = arena_strdup(e->arena, key);
	strmap_put(&e->map, k, (void *)v);
	strvec_push(&e->keys, e->arena, k);
}

bool env_set_default(struct env *e, const char *key, const char *value)
{
	if (strmap_has(&e->map, key))
		return false;
	env_set(e, key, value);
	return true;
}

/* Entries without '=' or with an empty name (Windows keeps "=C:=..."
 * entries) are not variables and are skipped. */
void env_load_environ(struct env *e, char *const *environ)
{
	if (!environ)
		return;
	for (char *const *p = environ; *p; p++) {
		const char *eq = strchr(*p, '=');
		if (!eq || eq == *p)
			continue;
		char *key = arena_strndup(e->arena, *p, (size_t)(eq - *p));
		env_set(e, key, eq + 1);
	}
}

const char *env_lookup(void *ctx, const char *name)
{
	return ctx ? env_get(ctx, name) : NULL;
}
