/*
 * graph.c - the service dependency graph.  Requires the enabled services
 * sorted by name (p->services); provides p->order, a topological order
 * with dependencies first (Kahn's algorithm, ready services taken in name
 * order), and each service's index in it.  Edges go from a service to the
 * enabled services of its depends_on; an edge to a disabled or unknown
 * service is ignored here (the frontend reports those).  When the graph
 * has cycles, a depth-first search in name order reports one cycle per
 * back edge, so every cycle is broken by fixing the reported ones.
 */
#include "ir/ir.h"

#include <string.h>

struct edge {
	size_t to;
	const struct dependency *dep;
};

/* Forward edges (i depends on fwd[k].to) and reverse edges (rev[k]
 * depends on i), both in compressed rows indexed by service index. */
struct graph {
	size_t n;
	size_t *fwd_off, *rev_off; /* n + 1 entries each */
	struct edge *fwd;
	size_t *rev;
	size_t *indeg; /* Kahn: dependencies not yet placed */
};

/* Index of the enabled service a dependency points at, or n.  Relies on
 * service->order holding the index in p->services (see graph_build). */
static size_t dep_index(const struct project *p, const struct dependency *d)
{
	struct service *t = d->target ? d->target : project_service(p, d->service);
	if (!t || t->order >= p->n_services || p->services[t->order] != t)
		return p->n_services;
	return t->order;
}

static void graph_fill(struct graph *g, const struct project *p)
{
	size_t *rev_fill = g->indeg; /* borrowed as a cursor, reset below */
	for (size_t i = 0; i < g->n; i++) {
		const struct service *s = p->services[i];
		size_t k = g->fwd_off[i];
		for (size_t j = 0; j < s->n_depends_on; j++) {
			size_t t = dep_index(p, &s->depends_on[j]);
			if (t == g->n)
				continue;
			g->fwd[k].to = t;
			g->fwd[k++].dep = &s->depends_on[j];
			g->rev[g->rev_off[t] + rev_fill[t]++] = i;
		}
	}
	for (size_t i = 0; i < g->n; i++)
		g->indeg[i] = g->fwd_off[i + 1] - g->fwd_off[i];
}

static void graph_build(struct graph *g, const struct project *p, struct arena *a)
{
	size_t n = p->n_services, m = 0;
	g->n = n;
	for (size_t i = 0; i < n; i++)
		p->services[i]->order = i;
	g->fwd_off = arena_alloc(a, (n + 1) * sizeof(size_t));
	g->rev_off = arena_alloc(a, (n + 1) * sizeof(size_t));
	g->indeg = arena_alloc(a, (n + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		const struct service *s = p->services[i];
		g->fwd_off[i + 1] = g->fwd_off[i];
		for (size_t j = 0; j < s->n_depends_on; j++) {
			size_t t = dep_index(p, &s->depends_on[j]);
			if (t < n) {
				g->fwd_off[i + 1]++;
				g->rev_off[t + 1]++;
				m++;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		g->rev_off[i + 1] += g->rev_off[i];
	g->fwd = arena_alloc(a, (m + 1) * sizeof(struct edge));
	g->rev = arena_alloc(a, (m + 1) * sizeof(size_t));
	graph_fill(g, p);
}

/* A binary min-heap of service indices: the smallest index is the ready
 * service whose name sorts first. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	while (i > 0 && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--*n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (v <= h[c])
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
	return top;
}

/* Kahn's algorithm; returns how many services were placed. */
static size_t kahn(struct graph *g, struct service **order, struct service **svc, struct arena *a)
{
	size_t *heap = arena_alloc(a, (g->n + 1) * sizeof(size_t));
	size_t nh = 0, placed = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->indeg[i] == 0)
			heap_push(heap, &nh, i);
	while (nh) {
		size_t i = heap_pop(heap, &nh);
		order[placed++] = svc[i];
		for (size_t k = g->rev_off[i]; k < g->rev_off[i + 1]; k++)
			if (--g->indeg[g->rev[k]] == 0)
				heap_push(heap, &nh, g->rev[k]);
	}
	return placed;
}

/* The DFS stack: path[0..depth) are the services on the current path,
 * via[k] the edge taken from path[k] to path[k + 1]. */
struct dfs {
	const struct project *p;
	const struct graph *g;
	struct diag *d;
	size_t *path, *next; /* next: per service, the next edge to try */
	const struct edge **via;
	size_t depth;
	unsigned char *color; /* 0 unvisited, 1 on the path, 2 done */
	size_t *pos;          /* position on the path while color == 1 */
};

/* Report the cycle path[from..depth) closed by edge e, starting at the
 * service whose name sorts first so the text does not depend on where
 * the search entered the cycle. */
static void report_cycle(struct dfs *s, size_t from, const struct edge *e)
{
	size_t len = s->depth - from, start = 0;
	for (size_t k = 1; k < len; k++)
		if (s->path[from + k] < s->path[from + start])
			start = k;
	struct strbuf msg = STRBUF_INIT;
	for (size_t k = 0; k <= len; k++) {
		size_t at = from + (start + k) % len;
		sb_addf(&msg, "%s\"%s\"", k ? " -> " : "", s->p->services[s->path[at]]->name);
	}
	size_t at = from + start;
	const struct edge *first = at + 1 < s->depth ? s->via[at] : e;
	diag_error(s->d, first->dep->loc, "dependency cycle: %s", msg.buf);
	sb_release(&msg);
}

static void dfs_push(struct dfs *s, size_t v)
{
	s->color[v] = 1;
	s->pos[v] = s->depth;
	s->path[s->depth++] = v;
}

static void dfs_from(struct dfs *s, size_t root)
{
	dfs_push(s, root);
	while (s->depth) {
		size_t v = s->path[s->depth - 1];
		if (s->g->fwd_off[v] + s->next[v] == s->g->fwd_off[v + 1]) {
			s->color[v] = 2;
			s->depth--;
			continue;
		}
		const struct edge *e = &s->g->fwd[s->g->fwd_off[v] + s->next[v]++];
		if (s->color[e->to] == 1) {
			report_cycle(s, s->pos[e->to], e);
		} else if (s->color[e->to] == 0) {
			s->via[s->depth - 1] = e;
			dfs_push(s, e->to);
		}
	}
}

static void report_cycles(const struct project *p, const struct graph *g, struct diag *d, struct arena *a)
{
	size_t n = g->n + 1;
	struct dfs s = { .p = p, .g = g, .d = d };
	s.path = arena_alloc(a, n * sizeof(size_t));
	s.next = arena_alloc(a, n * sizeof(size_t));
	s.pos = arena_alloc(a, n * sizeof(size_t));
	s.via = arena_alloc(a, n * sizeof(*s.via));
	s.color = arena_alloc(a, n);
	for (size_t i = 0; i < g->n; i++)
		if (s.color[i] == 0)
			dfs_from(&s, i);
}

size_t project_service_index(const struct project *p, const struct service *s)
{
	size_t lo = 0, hi = p->n_services;
	while (s && s->name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->services[mid]->name, s->name);
		if (c == 0) {
			if (p->services[mid] == s)
				return mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < p->n_services; i++) /* not found by name: as a scan would */
		if (p->services[i] == s)
			return i;
	return p->n_services;
}

size_t project_resource_index(const struct project *p, enum resource_kind k, const char *key)
{
	size_t lo = 0, hi = p->n_res[k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->res[k][mid]->key, key);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return p->n_res[k];
}

bool *project_resources_used(const struct project *p, enum resource_kind k, struct arena *a)
{
	bool *used = arena_alloc(a, p->n_res[k] + 1);
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		for (size_t j = 0; k == RES_NETWORK && j < s->n_networks; j++)
			used[project_resource_index(p, k, s->networks[j].name)] = true;
		for (size_t j = 0; k == RES_VOLUME && j < s->n_volumes; j++)
			if (s->volumes[j].type == MOUNT_VOLUME && s->volumes[j].source)
				used[project_resource_index(p, k, s->volumes[j].source)] = true;
	}
	return used;
}

int project_order(struct project *p, struct arena *a, struct diag *d)
{
	struct graph g;
	graph_build(&g, p, a);
	p->order = arena_alloc(a, (p->n_services + 1) * sizeof(struct service *));
	size_t placed = kahn(&g, p->order, p->services, a);
	int rc = 0;
	if (placed < p->n_services) {
		/* Keep order a full permutation: the services left in cycles
		 * (or behind one) follow in name order. */
		for (size_t i = 0; i < p->n_services; i++)
			if (g.indeg[i])
				p->order[placed++] = p->services[i];
		report_cycles(p, &g, d, a);
		rc = -1;
	}
	for (size_t i = 0; i < p->n_services; i++)
		p->order[i]->order = i;
	return rc;
}
