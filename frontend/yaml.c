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
#include <stdlib.h>
#include <string.h>

struct frame {
	struct node *node;
	const char *anchor;
	struct node *key;       /* map: key waiting for its value */
	bool merge_pending;     /* map: the waiting key is `<<` */
	struct ptrvec merges;   /* map: merge sources in order */
	bool indexed;           /* map: slots hold the keys */
	/* Buffers of this depth (malloc), reused by every container opened at
	 * it: the pairs or items while the container is open (settle() copies
	 * them out when it closes), and an open-addressing index of the keys
	 * of a large map, each slot a pair index + 1 (0: free). */
	struct node_pair *pairs;
	struct node **items;
	uint32_t *slots;
	size_t pairs_cap, items_cap, slots_cap;
};

struct builder {
	struct arena *a;
	struct arena scratch; /* the stack, key indexes, anchors: released at the end */
	struct diag *d;
	const char *name;
	const struct yaml_limits *lim;
	struct frame *stack;
	size_t depth, cap;
	struct strmap anchors;
	struct node *root;
	size_t max_weight;
	bool failed; /* a fatal error: stop building this stream */
	const char *input; /* the text being parsed */
	size_t input_len;
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
	return s ? arena_strndup(&b->scratch, s, len) : NULL; /* anchor names: scratch */
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

static void *grow_buffer(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		die("out of memory");
	*cap = c;
	return p;
}

/* The slot of key in the frame's index: where it is, or the free slot
 * where it would go. */
static uint32_t *index_slot(struct frame *f, const char *key)
{
	size_t mask = f->slots_cap - 1, i = (size_t)hash_fnv1a(key, strlen(key)) & mask;
	while (f->slots[i] && strcmp(f->node->map.pairs[f->slots[i] - 1].key->scalar.text, key) != 0)
		i = (i + 1) & mask;
	return &f->slots[i];
}

/* (Re)build the index of the frame's map with room for twice its keys. */
static void index_build(struct frame *f)
{
	size_t n = f->node->map.n, cap = 16;
	while (cap < 2 * (n + 1))
		cap *= 2;
	if (cap > f->slots_cap) {
		free(f->slots);
		f->slots = malloc(cap * sizeof(*f->slots));
		if (!f->slots)
			die("out of memory");
		f->slots_cap = cap;
	}
	memset(f->slots, 0, f->slots_cap * sizeof(*f->slots));
	for (size_t i = 0; i < n; i++)
		*index_slot(f, f->node->map.pairs[i].key->scalar.text) = (uint32_t)(i + 1);
	f->indexed = true;
}

/* Find key in a map frame: linear while small, hashed once large. */
static struct node_pair *frame_find(struct builder *b, struct frame *f, const char *key)
{
	(void)b;
	struct node *m = f->node;
	if (!f->indexed && m->map.n >= INDEX_THRESHOLD)
		index_build(f);
	if (f->indexed) {
		uint32_t i = *index_slot(f, key);
		return i ? &m->map.pairs[i - 1] : NULL;
	}
	return node_map_find(m, key);
}

/* While a container is open its pairs or items grow in the buffers of its
 * depth; settle() gives it an array of the exact size when it closes. */
static void frame_add_pair(struct builder *b, struct frame *f, struct node *key, struct node *value)
{
	(void)b;
	struct node *m = f->node;
	f->pairs = grow_buffer(f->pairs, &f->pairs_cap, m->map.n + 1, sizeof(*f->pairs));
	m->map.pairs = f->pairs;
	m->map.cap = f->pairs_cap;
	m->map.pairs[m->map.n].key = key;
	m->map.pairs[m->map.n].value = value;
	m->map.n++;
	if (!f->indexed)
		return;
	if (2 * (m->map.n + 1) > f->slots_cap)
		index_build(f);
	else
		*index_slot(f, key->scalar.text) = (uint32_t)m->map.n;
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
		ptrvec_push(&f->merges, &b->scratch, value);
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
	if (f->node->kind == NODE_SEQ) {
		struct node *s = f->node;
		f->items = grow_buffer(f->items, &f->items_cap, s->seq.n + 1, sizeof(*f->items));
		s->seq.items = f->items;
		s->seq.cap = f->items_cap;
		s->seq.items[s->seq.n++] = n;
	}
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
	n->weight = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
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
		b->stack = arena_grow(&b->scratch, b->stack, b->depth * sizeof(*b->stack), cap * sizeof(*b->stack));
		b->cap = cap;
	}
	struct frame *f = &b->stack[b->depth++];
	struct frame keep = *f; /* the buffers of this depth */
	memset(f, 0, sizeof(*f));
	f->pairs = keep.pairs, f->pairs_cap = keep.pairs_cap;
	f->items = keep.items, f->items_cap = keep.items_cap;
	f->slots = keep.slots, f->slots_cap = keep.slots_cap;
	f->node = n;
	f->anchor = token_text(b, anchor);
}

static void settle(struct builder *b, struct node *n)
{
	struct arena *a = arena_aux(b->a);
	if (n->kind == NODE_MAP && n->map.n) {
		struct node_pair *p = arena_alloc(a, n->map.n * sizeof(*p));
		memcpy(p, n->map.pairs, n->map.n * sizeof(*p));
		n->map.pairs = p;
		n->map.cap = n->map.n;
	} else if (n->kind == NODE_SEQ && n->seq.n) {
		struct node **v = arena_alloc(a, n->seq.n * sizeof(*v));
		memcpy(v, n->seq.items, n->seq.n * sizeof(*v));
		n->seq.items = v;
		n->seq.cap = n->seq.n;
	}
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
	settle(b, n);
	compute_weight(n);
	if (n->weight > b->max_weight) {
		diag_error(b->d, n->loc,
			   "document expands to more than %zu nodes (limit: alias expansion); "
			   "is this an alias bomb?",
			   b->max_weight);
		b->failed = true;
		return;
	}
	register_anchor(b, f->anchor, n);
	add_value(b, n);
}

/* ---- single-quoted scalars --------------------------------------------- */

/* libfyaml 0.7.12 gets a single-quoted scalar with many '' escapes wrong:
 * once a line needs more than 8 chunks, the text it returns repeats an
 * escape where later characters belong ('abcd' reads as
 * "ab''") and the chunk array leaks (libfyaml issue #233, fixed
 * upstream after 0.7.12).  Scalars with an escape are therefore decoded
 * here, from the source between the quotes, by YAML 1.2's rules: '' is
 * one quote (7.3.2); lines are folded as in every flow scalar (6.5):
 * white space around line breaks goes, one break becomes a space and n+1
 * breaks become n newlines. */
static bool is_white(char c)
{
	return c == ' ' || c == '\t';
}

static void add_unescaped(struct strbuf *out, const char *s, const char *e)
{
	while (s < e) {
		const char *q = memchr(s, '\'', (size_t)(e - s));
		if (!q) {
			sb_add(out, s, (size_t)(e - s));
			return;
		}
		sb_add(out, s, (size_t)(q + 1 - s)); /* up to and with the quote */
		s = q + 1 < e && q[1] == '\'' ? q + 2 : q + 1;
	}
}

/* The end of the line at s (a break or e); *next is where the next line
 * starts, NULL after the last. */
static const char *line_end(const char *s, const char *e, const char **next)
{
	const char *p = s;
	while (p < e && *p != '\n' && *p != '\r')
		p++;
	if (p == e)
		*next = NULL;
	else
		*next = *p == '\r' && p + 1 < e && p[1] == '\n' ? p + 2 : p + 1;
	return p;
}

static const char *decode_single_quoted(struct builder *b, const char *s, size_t n, size_t *len)
{
	struct strbuf out = STRBUF_INIT;
	const char *e = s + n, *next;
	size_t empties = 0;
	for (bool first = true; s; s = next, first = false) {
		const char *a = s, *z = line_end(s, e, &next);
		if (!first)
			while (a < z && is_white(*a))
				a++;
		if (next) /* not the last line */
			while (z > a && is_white(z[-1]))
				z--;
		if (!first && a == z && next) {
			empties++;
			continue;
		}
		if (!first && !empties)
			sb_addc(&out, ' ');
		for (; empties; empties--)
			sb_addc(&out, '\n');
		add_unescaped(&out, a, z);
	}
	char *r = sb_to_arena(&out, b->a);
	*len = out.len;
	sb_release(&out);
	return r;
}

/* The text of a scalar token; NULL when libfyaml has none. */
static const char *scalar_text(struct builder *b, struct fy_token *t, size_t *len)
{
	const struct fy_mark *s = fy_token_start_mark(t), *e = fy_token_end_mark(t);
	if (fy_token_scalar_style(t) == FYSS_SINGLE_QUOTED && s && e && s->input_pos <= e->input_pos &&
	    e->input_pos <= b->input_len) {
		const char *raw = b->input + s->input_pos;
		size_t n = e->input_pos - s->input_pos;
		if (memmem(raw, n, "\'\'", 2))
			return decode_single_quoted(b, raw, n, len);
	}
	return fy_token_get_text(t, len);
}

static void on_scalar(struct builder *b, struct fy_event *e)
{
	size_t len = 0;
	const char *text = scalar_text(b, e->scalar.value, &len);
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
		strmap_init(&b->anchors, &b->scratch);
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

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 when it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as in Go's utf8.Valid.  *cp is the code point. */
static size_t utf8_seq(const unsigned char *s, size_t left, unsigned *cp)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (n == 0 || n > left)
		return 0;
	*cp = n == 1 ? c : c & (0x7Fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3Fu);
	}
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
	    (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

/* YAML's c-printable: what a stream may hold (tab and line breaks, but no
 * other control character, nor U+FFFE and U+FFFF). */
static bool yaml_printable(unsigned cp)
{
	return cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
	       (cp >= 0xA0 && cp <= 0xFFFD) || cp >= 0x10000;
}

/* YAML streams are printable Unicode, and compose-go's reader rejects
 * anything else before parsing; so do we.  This also keeps libfyaml 0.7
 * away from two bugs: a loop on a malformed byte in a directive line
 * ("%\t\xea") and a crash when it frees the parser after a NUL
 * ("? - x:\t\0"). */
static bool check_text(struct builder *b, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	/* the common case first: printable ASCII, tabs and line breaks only */
	size_t ascii = 0;
	while (ascii < len && ((s[ascii] >= 0x20 && s[ascii] <= 0x7E) || s[ascii] == '\n' || s[ascii] == '\t' ||
			       s[ascii] == '\r'))
		ascii++;
	if (ascii == len)
		return true;
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		unsigned cp = 0;
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (!n || !yaml_printable(cp)) {
			struct loc at = { b->name, line, col };
			if (!n)
				diag_error(b->d, at, "invalid YAML: invalid UTF-8 byte 0x%02x", s[i]);
			else
				diag_error(b->d, at, "invalid YAML: control character U+%04X is not allowed", cp);
			return false;
		}
		if (s[i] == '\n')
			line++, col = 0;
		col++;
		i += n;
	}
	return true;
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag, (void)user, (void)buf, (void)len;
}

int yaml_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
	       const struct yaml_limits *limits, struct ptrvec *docs)
{
	static const struct yaml_limits defaults = { YAML_MAX_DEPTH, YAML_MAX_WEIGHT };
	struct builder b = { .a = a, .d = d, .name = name, .lim = limits ? limits : &defaults, .input = text,
			     .input_len = len };
	/* Without aliases a document has fewer nodes than bytes: the default
	 * limit grows with the input, so that only expansion trips it. */
	b.max_weight = b.lim->max_weight;
	if (!limits && len > b.max_weight)
		b.max_weight = len;
	int errors_before = d->errors;
	if (!check_text(&b, text, len))
		return -1;
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
	arena_init(&b.scratch);
	strmap_init(&b.anchors, &b.scratch);
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
	for (size_t i = 0; i < b.cap; i++) {
		free(b.stack[i].pairs);
		free(b.stack[i].items);
		free(b.stack[i].slots);
	}
	arena_release(&b.scratch);
	return d->errors > errors_before ? -1 : 0;
}
