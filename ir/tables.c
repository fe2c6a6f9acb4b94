/*
 * tables.c - the string tables shared by the parser and the printers, the
 * binary-search lookups on the sorted parts of the model (kv lists,
 * services, top-level resources), and Go-style duration formatting.
 * Everything here is pure: no allocation, no state.
 */
#include "ir/ir.h"

#include <string.h>

const char *const port_proto_names[PROTO__MAX] = { "tcp", "udp", "sctp" };
const char *const port_mode_names[PORT_MODE__MAX] = { "ingress", "host" };
const char *const mount_type_names[MOUNT__MAX] = {
	"bind", "volume", "tmpfs", "image", "npipe", "cluster",
};
const char *const propagation_names[PROP__MAX] = {
	NULL, "rprivate", "private", "rshared", "shared", "rslave", "slave",
};
const char *const dep_condition_names[DEP__MAX] = {
	"service_started", "service_healthy", "service_completed_successfully",
};
const char *const restart_policy_names[RESTART__MAX] = {
	NULL, "no", "always", "on-failure", "unless-stopped",
};
const char *const deploy_mode_names[DEPLOY__MAX] = {
	"replicated", "global", "replicated-job", "global-job",
};
const char *const restart_condition_names[RCOND__MAX] = { NULL,	"none",		  "on-failure", "any",
							   "no", "always", "unless-stopped", NULL };
const char *const resource_kind_names[RES__MAX] = { "networks", "volumes", "secrets", "configs" };

int ir_lookup(const char *const *table, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (table[i] && strcmp(table[i], s) == 0)
			return i;
	return -1;
}

const struct kv *kvlist_get(const struct kvlist *l, const char *key)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].key, key);
		if (c == 0)
			return &l->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct service *project_service(const struct project *p, const char *name)
{
	size_t lo = 0, hi = p->n_services;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->services[mid]->name, name);
		if (c == 0)
			return p->services[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct resource *project_resource(const struct project *p, enum resource_kind k, const char *key)
{
	struct resource **v = p->res[k];
	size_t lo = 0, hi = p->n_res[k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid]->key, key);
		if (c == 0)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Append v / 10^prec as Go's fmtFrac + fmtInt do: the integer part, then
 * the fraction without trailing zeros (and without the point when it is
 * zero). */
static void add_fixed(struct strbuf *out, uint64_t v, int prec)
{
	uint64_t scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	sb_addf(out, "%llu", (unsigned long long)(v / scale));
	uint64_t frac = v % scale;
	if (!frac)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		prec--;
	}
	sb_addf(out, ".%0*llu", prec, (unsigned long long)frac);
}

void ir_format_duration(int64_t usec, struct strbuf *out)
{
	uint64_t u = usec < 0 ? -(uint64_t)usec : (uint64_t)usec;
	if (usec < 0)
		sb_addc(out, '-');
	if (u == 0) {
		sb_adds(out, "0s");
	} else if (u < 1000) {
		add_fixed(out, u, 0);
		sb_adds(out, "\xc2\xb5s"); /* U+00B5 MICRO SIGN, as Go writes it */
	} else if (u < 1000000) {
		add_fixed(out, u, 3);
		sb_adds(out, "ms");
	} else {
		uint64_t secs = u / 1000000, hours = secs / 3600, mins = secs / 60;
		if (hours)
			sb_addf(out, "%lluh", (unsigned long long)hours);
		if (mins)
			sb_addf(out, "%llum", (unsigned long long)(mins % 60));
		add_fixed(out, (secs % 60) * 1000000 + u % 1000000, 6);
		sb_addc(out, 's');
	}
}
