/*
 * prune.c - drop the top-level resources that no enabled service uses.
 *
 * docker compose passes every project through WithoutUnnecessaryResources
 * unless --all-resources is given: `config` does not print a network,
 * volume, secret, config or model that no enabled service refers to, and
 * `up` does not create it.  A resource used only by services that
 * profiles disable goes too, and so does an external one nobody uses.
 * What counts as a use is compose-go's list: named volume mounts (not
 * binds, not anonymous volumes), service networks, secrets, configs,
 * build secrets and service models.
 *
 * Requires: p->services holding the enabled services, p->res collected.
 * Provides: p->res and the top-level `models` reduced in place, order kept.
 */
#include "frontend/lower_internal.h"

#include <string.h>

struct used {
	struct strmap kind[RES__MAX];
	struct strmap models;
};

static void use(struct strmap *m, const char *key)
{
	if (key)
		strmap_put(m, key, (void *)key);
}

static const struct ir_value *member(const struct ir_value *map, const char *key)
{
	if (!map || map->kind != VAL_MAP)
		return NULL;
	for (size_t i = 0; i < map->map.n; i++)
		if (strcmp(map->map.members[i].key, key) == 0)
			return map->map.members[i].value;
	return NULL;
}

/* build.secrets stays untyped: each item is a name or {source: name}. */
static void use_build_secrets(struct used *u, const struct service *s)
{
	const struct ir_value *l = member(s->build.extra, "secrets");
	if (!l || l->kind != VAL_LIST)
		return;
	for (size_t i = 0; i < l->list.n; i++) {
		const struct ir_value *it = l->list.items[i];
		if (it && it->kind == VAL_MAP)
			it = member(it, "source");
		if (it && it->kind == VAL_STR)
			use(&u->kind[RES_SECRET], it->s);
	}
}

/* Service models are untyped too: a list of names or a mapping by name. */
static void use_models(struct used *u, const struct service *s)
{
	const struct ir_value *v = member(s->extra, "models");
	if (v && v->kind == VAL_LIST) {
		for (size_t i = 0; i < v->list.n; i++)
			if (v->list.items[i] && v->list.items[i]->kind == VAL_STR)
				use(&u->models, v->list.items[i]->s);
	} else if (v && v->kind == VAL_MAP) {
		for (size_t i = 0; i < v->map.n; i++)
			use(&u->models, v->map.members[i].key);
	}
}

static void mark_service(struct used *u, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		if (s->volumes[i].type == MOUNT_VOLUME)
			use(&u->kind[RES_VOLUME], s->volumes[i].source);
	for (size_t i = 0; i < s->n_networks; i++)
		use(&u->kind[RES_NETWORK], s->networks[i].name);
	for (size_t i = 0; i < s->n_secrets; i++)
		use(&u->kind[RES_SECRET], s->secrets[i].source);
	for (size_t i = 0; i < s->n_configs; i++)
		use(&u->kind[RES_CONFIG], s->configs[i].source);
	use_build_secrets(u, s);
	use_models(u, s);
}

static void prune_kind(struct project *p, int k, const struct strmap *used)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_res[k]; i++)
		if (strmap_has(used, p->res[k][i]->key))
			p->res[k][n++] = p->res[k][i];
	p->n_res[k] = n;
}

/* Keep the used members of map; the map is the project's own copy. */
static void keep_members(struct ir_value *map, const struct strmap *used)
{
	size_t n = 0;
	for (size_t i = 0; i < map->map.n; i++)
		if (strmap_has(used, map->map.members[i].key))
			map->map.members[n++] = map->map.members[i];
	map->map.n = n;
}

/* The top-level models live in p->extra; an emptied `models` goes too. */
static void prune_models(struct project *p, const struct strmap *used)
{
	struct ir_value *extra = p->extra;
	if (!extra || extra->kind != VAL_MAP)
		return;
	size_t n = 0;
	for (size_t i = 0; i < extra->map.n; i++) {
		struct ir_member *m = &extra->map.members[i];
		if (strcmp(m->key, "models") == 0 && m->value && m->value->kind == VAL_MAP) {
			keep_members(m->value, used);
			if (!m->value->map.n)
				continue;
		}
		extra->map.members[n++] = *m;
	}
	extra->map.n = n;
}

void prune_unused_resources(struct project *p, struct arena *a)
{
	struct used u;
	for (int k = 0; k < RES__MAX; k++)
		strmap_init(&u.kind[k], a);
	strmap_init(&u.models, a);
	for (size_t i = 0; i < p->n_services; i++)
		mark_service(&u, p->services[i]);
	for (int k = 0; k < RES__MAX; k++)
		prune_kind(p, k, &u.kind[k]);
	prune_models(p, &u.models);
}
