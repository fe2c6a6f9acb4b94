/*
 * yaml_diff.c - the differential check of the fast scanner: both parsers
 * on one input, their event streams compared field by field.  The fuzz
 * target fuzz_yamldiff and the test yaml-diff (tests/yamldiff.c) run it;
 * yaml_parse relies on what it proves: a stream the fast scanner accepts
 * is the stream libfyaml would have produced.
 */
#include "frontend/yaml_events.h"

#include <string.h>

/* Events recorded with their own copies of the texts. */
struct recording {
	struct arena *a;
	struct yev *v;
	size_t n, cap;
};

static bool record(void *ctx, const struct yev *e)
{
	struct recording *r = ctx;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		r->v = arena_grow(r->a, r->v, r->n * sizeof(*r->v), cap * sizeof(*r->v));
		r->cap = cap;
	}
	struct yev *y = &r->v[r->n++];
	*y = *e;
	if (e->text)
		y->text = arena_strndup(r->a, e->text, e->len);
	if (e->anchor)
		y->anchor = arena_strndup(r->a, e->anchor, e->anchor_len);
	return true;
}

static bool same_bytes(const char *x, size_t xn, const char *y, size_t yn)
{
	if (!x || !y)
		return !x && !y;
	return xn == yn && memcmp(x, y, xn) == 0;
}

static void describe(struct strbuf *why, const char *who, const struct yev *e)
{
	sb_addf(why, "  %s: kind %d style %d tags %d at %d:%d", who, e->kind, e->style, e->tags, e->line, e->col);
	if (e->text)
		sb_addf(why, " text [%.*s] (%zu)", (int)(e->len > 80 ? 80 : e->len), e->text, e->len);
	if (e->anchor)
		sb_addf(why, " anchor [%.*s]", (int)e->anchor_len, e->anchor);
	sb_addc(why, '\n');
}

static bool same_event(const struct yev *x, const struct yev *y)
{
	return x->kind == y->kind && x->style == y->style && x->tags == y->tags && x->line == y->line &&
	       x->col == y->col && same_bytes(x->text, x->len, y->text, y->len) &&
	       same_bytes(x->anchor, x->anchor_len, y->anchor, y->anchor_len);
}

/* The fields the builder reads depend on the kind: only those count. */
static void normalise(struct yev *e)
{
	bool marked = e->kind != YEV_DOC_START && e->kind != YEV_MAP_END && e->kind != YEV_SEQ_END;
	if (!marked)
		e->line = e->col = 0;
	if (e->kind != YEV_SCALAR)
		e->style = 0;
	if (e->kind != YEV_SCALAR && e->kind != YEV_ALIAS)
		e->text = NULL, e->len = 0;
}

static int compare(struct recording *fast, struct recording *fy, struct strbuf *why)
{
	size_t n = fast->n < fy->n ? fast->n : fy->n;
	for (size_t i = 0; i < n; i++) {
		normalise(&fast->v[i]);
		normalise(&fy->v[i]);
		if (!same_event(&fast->v[i], &fy->v[i])) {
			sb_addf(why, "event %zu differs:\n", i);
			describe(why, "fast", &fast->v[i]);
			describe(why, "libfyaml", &fy->v[i]);
			return -1;
		}
	}
	if (fast->n != fy->n) {
		sb_addf(why, "%zu events from the fast scanner, %zu from libfyaml\n", fast->n, fy->n);
		return -1;
	}
	return 1;
}

int yaml_diff(const char *text, size_t len, struct strbuf *why)
{
	struct arena a;
	arena_init(&a);
	struct recording fast = { .a = &a }, fy = { .a = &a };
	struct strbuf buf = STRBUF_INIT;
	int rc = 0;
	if (yaml_events_fast(text, len, &buf, record, &fast)) {
		if (yaml_events_fy(text, len, &a, record, &fy, NULL) != 0) {
			sb_addf(why, "the fast scanner accepted what libfyaml rejects (%zu events before the error)\n",
				fy.n);
			rc = -1;
		} else {
			rc = compare(&fast, &fy, why);
		}
	}
	sb_release(&buf);
	arena_release(&a);
	return rc;
}
