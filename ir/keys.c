/*
 * keys.c - where each key of the compose file is.  The frontend records
 * every key it lowers, by the location of the mapping that holds it, so
 * that a finding about `deploy.resources.limits` or a mount's `source`
 * points at that key without the text being read again: the audit walks
 * these from a service's mapping (service->body) or a list item's.
 */
#include "ir/ir.h"

#include <string.h>

static const char *key_of(struct arena *a, struct loc map, const char *key)
{
	return arena_printf(a, "%s:%d:%d|%s", map.file ? map.file : "", map.line, map.col, key);
}

void ir_key_record(struct project *p, struct arena *a, struct loc map, const char *key, struct loc key_loc,
		   struct loc value_loc)
{
	if (!map.file || !p->key_locs.arena)
		return;
	struct ir_key_loc *k = arena_alloc(a, sizeof(*k));
	*k = (struct ir_key_loc){ key_loc, value_loc };
	strmap_put(&p->key_locs, key_of(a, map, key), k);
}

bool ir_key_at(const struct project *p, struct loc map, const char *key, struct ir_key_loc *out)
{
	if (!map.file || !p->key_locs.arena)
		return false;
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s:%d:%d|%s", map.file, map.line, map.col, key);
	const struct ir_key_loc *k = strmap_get(&p->key_locs, sb.buf);
	sb_release(&sb);
	if (k)
		*out = *k;
	return k != NULL;
}
