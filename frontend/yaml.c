/*
 * yaml.c - build node trees from libfyaml parser events.
 *
 * We use the event API rather than libfyaml's document tree: the tree we
 * want (node.h) is ours anyway, building it once is cheaper than building
 * two, and it gives us control over the three things a hostile file can
 * abuse: alias expansion (aliases share the anchored node; every container
 * records the weight of its full expansion, and a document heavier than
 * the limit is rejected before anything walks it), nesting depth, and
 * duplicate keys (libfyaml's parser does not check them).
 */
#include "frontend/yaml.h"

#include <libfyaml.h>
#include <string.h>

struct frame {
	struct node *node;
	const char *anchor;
	struct node *key;       /* map: key waiting for its value */
	bool merge_pending;     /* map: the waiting key is `<<` */
	struct ptrvec merges;   /* map: merge sources in order */
	struct strmap index;    /* map: key -> pair index + 1, once large */
	bool indexed;
};

struct builder {
	struct arena *a;
	struct diag *d;
	const char *name;
	const struct yaml_limits *lim;
	struct frame *stack;
	size_t depth, cap;
	struct strmap anchors;
	struct node *root;
	bool failed; /* a fatal error: stop building this stream */
};

#define INDEX_THRESHOLD 8

static size_t sat_add(size_t x, size_t y)
{
	return x + y < x ? (size_t)-1 : x + y;
}

static struct loc mark_loc(const struct builder *b, const struct fy_mark *m)
{
	struct loc l = { b->name, m ? m->line + 1 : 0, m ? m->column + 1 : 0 };
	return l;
}

static const char *token_text(struct builder *b, struct fy_token *t)
{
	size_t len;
	const char *s = t ? fy_token_get_text(t, &len) : NULL;
	return s ? arena_strndup(b->a, s, len) : NULL;
}

static unsigned tag_bits(struct fy_token *tag)
{
	const char *t = tag ? fy_token_get_text0(tag) : NULL;
	if (!t)
		return TAG_NONE;
	if (strcmp(t, "!reset") == 0)
		return TAG_RESET;
	if (strcmp(t, "!override") == 0)
		return TAG_OVERRIDE;
	if (strcmp(t, "tag:yaml.org,2002:str") == 0)
		return TAG_STR;
	return TAG_NONE;
}

/* Find key in a map frame: linear while small, hashed once large. */
static struct node_pair *frame_find(struct builder *b, struct frame *f, const char *key)
{
	struct node *m = f->node;
	if (!f->indexed && m->map.n >= INDEX_THRESHOLD) {
		strmap_init(&f->index, b->a);
		for (size_t i = 0; i < m->map.n; i++)
			strmap_put(&f->index, m->map.pairs[i].key->scalar.text, (void *)(i + 1));
		f->indexed = true;
	}
	if (f->indexed) {
		size_t i = (size_t)strmap_get(&f->index, key);
		return i ? &m->map.pairs[i - 1] : NULL;
	}
	return node_map_find(m, key);
}

static void frame_add_pair(struct builder *b, struct frame *f, struct node *key, struct node *value)
{
	node_map_add(b->a, f->node, key, value);
	if (f->indexed)
		strmap_put(&f->index, key->scalar.text, (void *)f->node->map.n);
}

static bool is_merge_key(const struct node *k)
{
	return k->style == STYLE_PLAIN && !(k->tags & TAG_STR) && strcmp(k->scalar.text, "<<") == 0;
}

static void add_key(struct builder *b, struct frame *f, struct node *key)
{
	if (key->kind != NODE_SCALAR) {
		diag_error(b->d, key->loc, "mapping key must be a string, not a %s", node_kind_name(key));
		key = node_new_scalar(b->a, key->loc, "", 0, STYLE_QUOTED); /* keep going */
	} else if (!is_merge_key(key) && node_scalar_type(key) != SCALAR_STR) {
		diag_error(b->d, key->loc, "mapping key \"%s\" must be a string, not a %s", key->scalar.text,
			   node_kind_name(key));
	}
	f->key = key;
	f->merge_pending = is_merge_key(key);
}

static void add_map_value(struct builder *b, struct frame *f, struct node *value)
{
	struct node *key = f->key;
	f->key = NULL;
	if (f->merge_pending) {
		f->merge_pending = false;
		ptrvec_push(&f->merges, b->a, value);
		return;
	}
	struct node_pair *dup = frame_find(b, f, key->scalar.text);
	if (dup) {
		diag_error(b->d, key->loc, "mapping key \"%s\" already defined at line %d", key->scalar.text,
			   dup->key->loc.line);
		return;
	}
	frame_add_pair(b, f, key, value);
}

static void add_value(struct builder *b, struct node *n)
{
	if (!b->depth) {
		b->root = n;
		return;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == NODE_SEQ)
		node_seq_add(b->a, f->node, n);
	else if (!f->key)
		add_key(b, f, n);
	else
		add_map_value(b, f, n);
}

/* `<<: *a` or `<<: [*a, *b]`: keys not set explicitly come from the
 * sources, the first source that has a key winning. */
static void apply_merges(struct builder *b, struct frame *f)
{
	for (size_t i = 0; i < f->merges.n; i++) {
		struct node *src = f->merges.v[i];
		if (src->kind == NODE_SEQ) {
			for (size_t j = 0; j < src->seq.n; j++) {
				struct node *one = src->seq.items[j];
				if (one->kind != NODE_MAP) {
					diag_error(b->d, one->loc, "merge key \"<<\" needs mappings, not a %s",
						   node_kind_name(one));
					continue;
				}
				for (size_t k = 0; k < one->map.n; k++)
					if (!frame_find(b, f, one->map.pairs[k].key->scalar.text))
						frame_add_pair(b, f, one->map.pairs[k].key, one->map.pairs[k].value);
			}
		} else if (src->kind == NODE_MAP) {
			for (size_t k = 0; k < src->map.n; k++)
				if (!frame_find(b, f, src->map.pairs[k].key->scalar.text))
					frame_add_pair(b, f, src->map.pairs[k].key, src->map.pairs[k].value);
		} else {
			diag_error(b->d, src->loc, "merge key \"<<\" needs a mapping, not a %s", node_kind_name(src));
		}
	}
}

static void compute_weight(struct node *n)
{
	size_t w = 1;
	if (n->kind == NODE_MAP)
		for (size_t i = 0; i < n->map.n; i++)
			w = sat_add(w, sat_add(1, n->map.pairs[i].value->weight));
	else if (n->kind == NODE_SEQ)
		for (size_t i = 0; i < n->seq.n; i++)
			w = sat_add(w, n->seq.items[i]->weight);
	n->weight = w;
}

static void register_anchor(struct builder *b, const char *anchor, struct node *n)
{
	if (anchor)
		strmap_put(&b->anchors, anchor, n);
}

static void begin_container(struct builder *b, struct node *n, struct fy_token *anchor)
{
	if (b->depth >= b->lim->max_depth) {
		diag_error(b->d, n->loc, "nesting deeper than %zu levels (limit: maximum nesting depth)",
			   b->lim->max_depth);
		b->failed = true;
		return;
	}
	if (b->depth == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		b->stack = arena_grow(b->a, b->stack, b->depth * sizeof(*b->stack), cap * sizeof(*b->stack));
		b->cap = cap;
	}
	struct frame *f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = token_text(b, anchor);
}

static void end_container(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	struct node *n = f->node;
	if (n->kind == NODE_MAP) {
		if (f->key) /* cannot happen with a well-formed event stream */
			add_map_value(b, f, node_new_scalar(b->a, f->key->loc, "", 0, STYLE_PLAIN));
		apply_merges(b, f);
	}
	compute_weight(n);
	if (n->weight > b->lim->max_weight) {
		diag_error(b->d, n->loc,
			   "document expands to more than %zu nodes (limit: alias expansion); "
			   "is this an alias bomb?",
			   b->lim->max_weight);
		b->failed = true;
		return;
	}
	register_anchor(b, f->anchor, n);
	add_value(b, n);
}

static void on_scalar(struct builder *b, struct fy_event *e)
{
	size_t len = 0;
	const char *text = fy_token_get_text(e->scalar.value, &len);
	struct loc loc = mark_loc(b, fy_token_start_mark(e->scalar.value));
	enum fy_scalar_style fss = fy_token_scalar_style(e->scalar.value);
	enum scalar_style style = fss == FYSS_PLAIN ? STYLE_PLAIN : STYLE_QUOTED;
	if ((fss == FYSS_SINGLE_QUOTED || fss == FYSS_DOUBLE_QUOTED) && loc.col > 1)
		loc.col--; /* point at the opening quote */
	if (text && memchr(text, '\0', len)) {
		diag_error(b->d, loc, "scalar contains a NUL byte");
		len = strlen(text);
	}
	struct node *n = node_new_scalar(b->a, loc, text ? text : "", len, style);
	n->tags = tag_bits(e->scalar.tag);
	n->weight = 1;
	register_anchor(b, token_text(b, e->scalar.anchor), n);
	add_value(b, n);
}

static void on_alias(struct builder *b, struct fy_event *e)
{
	const char *name = token_text(b, e->alias.anchor);
	struct loc loc = mark_loc(b, fy_event_start_mark(e));
	struct node *n = name ? strmap_get(&b->anchors, name) : NULL;
	if (!n) {
		diag_error(b->d, loc, "unknown anchor \"%s\"", name ? name : "");
		n = node_new_scalar(b->a, loc, "", 0, STYLE_PLAIN);
		n->weight = 1;
	}
	add_value(b, n);
}

static void on_event(struct builder *b, struct fy_event *e, struct ptrvec *docs)
{
	struct node *n;
	switch (e->type) {
	case FYET_DOCUMENT_START:
		strmap_init(&b->anchors, b->a);
		b->root = NULL;
		break;
	case FYET_DOCUMENT_END:
		if (!b->root) {
			struct loc loc = mark_loc(b, fy_event_start_mark(e));
			b->root = node_new_scalar(b->a, loc, "", 0, STYLE_PLAIN);
		}
		ptrvec_push(docs, b->a, b->root);
		break;
	case FYET_MAPPING_START:
		n = node_new_map(b->a, mark_loc(b, fy_event_start_mark(e)));
		n->tags = tag_bits(e->mapping_start.tag);
		begin_container(b, n, e->mapping_start.anchor);
		break;
	case FYET_SEQUENCE_START:
		n = node_new_seq(b->a, mark_loc(b, fy_event_start_mark(e)));
		n->tags = tag_bits(e->sequence_start.tag);
		begin_container(b, n, e->sequence_start.anchor);
		break;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		end_container(b);
		break;
	case FYET_SCALAR:
		on_scalar(b, e);
		break;
	case FYET_ALIAS:
		on_alias(b, e);
		break;
	default:
		break;
	}
}

/* libfyaml's own syntax errors, collected instead of printed. */
static void report_fy_errors(struct builder *b, struct fy_diag *fd)
{
	void *it = NULL;
	struct fy_diag_error *de;
	int n = 0;
	while ((de = fy_diag_errors_iterate(fd, &it)) != NULL) {
		if (de->type < FYET_ERROR)
			continue;
		struct loc loc = { b->name, de->line > 0 ? de->line : 1, de->column > 0 ? de->column : 1 };
		diag_error(b->d, loc, "invalid YAML: %s", de->msg);
		n++;
	}
	if (!n)
		diag_error(b->d, (struct loc){ b->name, 0, 0 }, "invalid YAML");
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag, (void)user, (void)buf, (void)len;
}

int yaml_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
	       const struct yaml_limits *limits, struct ptrvec *docs)
{
	static const struct yaml_limits defaults = { YAML_MAX_DEPTH, YAML_MAX_WEIGHT };
	struct builder b = { .a = a, .d = d, .name = name, .lim = limits ? limits : &defaults };
	int errors_before = d->errors;
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = discard_output;
	dc.colorize = false;
	struct fy_diag *fd = fy_diag_create(&dc);
	if (!fd)
		die("libfyaml: cannot create diagnostics");
	fy_diag_set_collect_errors(fd, true);
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
				    .diag = fd };
	struct fy_parser *p = fy_parser_create(&cfg);
	if (!p)
		die("libfyaml: cannot create parser");
	strmap_init(&b.anchors, a);
	if (fy_parser_set_string(p, text, len) != 0)
		die("libfyaml: cannot set input");
	struct fy_event *e;
	while (!b.failed && (e = fy_parser_parse(p)) != NULL) {
		on_event(&b, e, docs);
		fy_parser_event_free(p, e);
	}
	if (!b.failed && fy_parser_get_stream_error(p))
		report_fy_errors(&b, fd);
	fy_parser_destroy(p);
	fy_diag_destroy(fd);
	return d->errors > errors_before ? -1 : 0;
}
