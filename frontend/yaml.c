/*
 * yaml.c - build node trees from YAML events (yaml_events.h).
 *
 * We build from events rather than from libfyaml's document tree: the
 * tree we want (node.h) is ours anyway, building it once is cheaper than
 * building two, and it gives us control over the three things a hostile
 * file can abuse: alias expansion (aliases share the anchored node; every
 * container records the weight of its full expansion, and a document
 * heavier than the limit is rejected before anything walks it), nesting
 * depth, and duplicate keys (libfyaml's parser does not check them).
 *
 * Two parsers feed the builder.  The fast scanner (yaml_fast.c) reads the
 * block-style subset compose files are written in, several times cheaper
 * than libfyaml; when it gives up, or the builder finds anything wrong in
 * what it read, everything built is undone (arena marks) and libfyaml
 * (yaml_fy.c), the complete parser, parses the text again: its syntax
 * errors are the ones reported, and the builder's errors are reported
 * from that second pass only.  yaml_diff.c proves the two agree: the fuzz
 * target fuzz_yamldiff and the test yaml-diff compare their event streams
 * field by field, positions included.
 */
#include "frontend/yaml.h"
#include "frontend/yaml_events.h"

#include <stdarg.h>
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
	 * of a large map. */
	struct node_pair *pairs;
	struct node **items;
	struct islot *slots;
	size_t pairs_cap, items_cap, slots_cap;
	/* the hash of the key frame_find looked up last, for frame_add_pair */
	const struct node *hashed_key;
	uint32_t hashed;
};

/* A slot of a key index: the pair index + 1 (0: free) and the key's hash,
 * compared before the key itself is (a key's text is far away in a big
 * map, the hash is here) and used again when the index grows. */
struct islot {
	uint32_t at;
	uint32_t hash;
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
	/* Fed by the fast scanner: an error is not reported but makes the
	 * whole attempt fail, so that libfyaml's parse reports it (or the
	 * syntax error that comes first). */
	bool trial;
	struct ptrvec *docs;
};

#define INDEX_THRESHOLD 8

static size_t sat_add(size_t x, size_t y)
{
	return x + y < x ? (size_t)-1 : x + y;
}

static struct loc ev_loc(const struct builder *b, const struct yev *e)
{
	struct loc l = { b->name, e->line, e->col };
	return l;
}

/* Errors of the tree (not of the syntax) go through here. */
static void build_error(struct builder *b, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void build_error(struct builder *b, struct loc loc, const char *fmt, ...)
{
	if (b->trial) {
		b->failed = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	diag_report(b->d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

/* Anchor names outlive the event: copied to scratch. */
static const char *anchor_name(struct builder *b, const struct yev *e)
{
	return e->anchor ? arena_strndup(&b->scratch, e->anchor, e->anchor_len) : NULL;
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

static uint32_t key_hash(const struct node *key)
{
	return (uint32_t)hash_fnv1a(key->scalar.text, key->scalar.len);
}

static bool same_key(const struct node *a, const struct node *b)
{
	return a->scalar.len == b->scalar.len && memcmp(a->scalar.text, b->scalar.text, a->scalar.len) == 0;
}

/* The slot of key (hash h) in the frame's index: where it is, or the free
 * slot where it would go. */
static struct islot *index_slot(struct frame *f, const struct node *key, uint32_t h)
{
	size_t mask = f->slots_cap - 1, i = h & mask;
	while (f->slots[i].at &&
	       (f->slots[i].hash != h || !same_key(f->node->map.pairs[f->slots[i].at - 1].key, key)))
		i = (i + 1) & mask;
	return &f->slots[i];
}

static void index_put(struct frame *f, const struct node *key, uint32_t h, uint32_t at)
{
	struct islot *s = index_slot(f, key, h);
	s->at = at;
	s->hash = h;
}

/* Build the index of the frame's map, with room for twice its keys. */
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
		index_put(f, f->node->map.pairs[i].key, key_hash(f->node->map.pairs[i].key), (uint32_t)(i + 1));
	f->indexed = true;
}

/* Twice the room, from the index as it is: the hashes are kept, so no key
 * is read again. */
static void index_grow(struct frame *f)
{
	size_t cap = f->slots_cap * 2, mask = cap - 1;
	struct islot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		die("out of memory");
	for (size_t i = 0; i < f->slots_cap; i++) {
		if (!f->slots[i].at)
			continue;
		size_t j = f->slots[i].hash & mask;
		while (slots[j].at)
			j = (j + 1) & mask;
		slots[j] = f->slots[i];
	}
	free(f->slots);
	f->slots = slots;
	f->slots_cap = cap;
}

/* Find key in a map frame: linear while small (lengths compared first:
 * most keys differ there), hashed once large. */
static struct node_pair *frame_find(struct builder *b, struct frame *f, const struct node *key)
{
	(void)b;
	struct node *m = f->node;
	if (!f->indexed && m->map.n >= INDEX_THRESHOLD)
		index_build(f);
	if (f->indexed) {
		uint32_t h = key_hash(key);
		f->hashed_key = key;
		f->hashed = h;
		uint32_t i = index_slot(f, key, h)->at;
		return i ? &m->map.pairs[i - 1] : NULL;
	}
	for (size_t i = 0; i < m->map.n; i++)
		if (same_key(m->map.pairs[i].key, key))
			return &m->map.pairs[i];
	return NULL;
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
		index_grow(f);
	index_put(f, key, f->hashed_key == key ? f->hashed : key_hash(key), (uint32_t)m->map.n);
}

static bool is_merge_key(const struct node *k)
{
	return k->style == STYLE_PLAIN && !(k->tags & TAG_STR) && strcmp(k->scalar.text, "<<") == 0;
}

/* Most keys are words: a plain scalar starting with a letter other than
 * n, t, f (null, true, false in any case) is a string (node.c's typing:
 * every other type starts with one of those, '~', a sign, a digit, '.' or
 * '_'), which spares typing tens of thousands of keys the long way. */
static bool is_word_key(const struct node *k)
{
	if (k->kind != NODE_SCALAR)
		return false;
	char c = (char)(k->scalar.text[0] | 0x20); /* lower case, for letters */
	return c >= 'a' && c <= 'z' && c != 'n' && c != 't' && c != 'f';
}

static void add_key(struct builder *b, struct frame *f, struct node *key)
{
	if (is_word_key(key)) {
		key->stype = SCALAR_STR + 1;
	} else if (key->kind != NODE_SCALAR) {
		build_error(b, key->loc, "mapping key must be a string, not a %s", node_kind_name(key));
		key = node_new_scalar(b->a, key->loc, "", 0, STYLE_QUOTED); /* keep going */
	} else if (!is_merge_key(key) && node_scalar_type(key) != SCALAR_STR) {
		build_error(b, key->loc, "mapping key \"%s\" must be a string, not a %s", key->scalar.text,
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
	struct node_pair *dup = frame_find(b, f, key);
	if (dup) {
		build_error(b, key->loc, "mapping key \"%s\" already defined at line %d", key->scalar.text,
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
					build_error(b, one->loc, "merge key \"<<\" needs mappings, not a %s",
						   node_kind_name(one));
					continue;
				}
				for (size_t k = 0; k < one->map.n; k++)
					if (!frame_find(b, f, one->map.pairs[k].key))
						frame_add_pair(b, f, one->map.pairs[k].key, one->map.pairs[k].value);
			}
		} else if (src->kind == NODE_MAP) {
			for (size_t k = 0; k < src->map.n; k++)
				if (!frame_find(b, f, src->map.pairs[k].key))
					frame_add_pair(b, f, src->map.pairs[k].key, src->map.pairs[k].value);
		} else {
			build_error(b, src->loc, "merge key \"<<\" needs a mapping, not a %s", node_kind_name(src));
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

static void begin_container(struct builder *b, struct node *n, const char *anchor)
{
	if (b->depth >= b->lim->max_depth) {
		build_error(b, n->loc, "nesting deeper than %zu levels (limit: maximum nesting depth)",
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
	f->anchor = anchor;
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
		build_error(b, n->loc,
			   "document expands to more than %zu nodes (limit: alias expansion); "
			   "is this an alias bomb?",
			   b->max_weight);
		b->failed = true;
		return;
	}
	register_anchor(b, f->anchor, n);
	add_value(b, n);
}

static void on_scalar(struct builder *b, const struct yev *e)
{
	struct loc loc = ev_loc(b, e);
	size_t len = e->len;
	if (memchr(e->text, '\0', len)) {
		build_error(b, loc, "scalar contains a NUL byte");
		len = strlen(e->text);
	}
	struct node *n = node_new_scalar(b->a, loc, e->text, len, e->style);
	n->tags = e->tags;
	n->weight = 1;
	register_anchor(b, anchor_name(b, e), n);
	add_value(b, n);
}

static void on_alias(struct builder *b, const struct yev *e)
{
	struct loc loc = ev_loc(b, e);
	const char *name = arena_strndup(&b->scratch, e->text, e->len);
	struct node *n = strmap_get(&b->anchors, name);
	if (!n) {
		build_error(b, loc, "unknown anchor \"%s\"", name);
		n = node_new_scalar(b->a, loc, "", 0, STYLE_PLAIN);
		n->weight = 1;
	}
	add_value(b, n);
}

/* The sink both parsers feed. */
static bool on_event(void *ctx, const struct yev *e)
{
	struct builder *b = ctx;
	struct node *n;
	switch (e->kind) {
	case YEV_DOC_START:
		strmap_init(&b->anchors, &b->scratch);
		b->root = NULL;
		break;
	case YEV_DOC_END:
		if (!b->root)
			b->root = node_new_scalar(b->a, ev_loc(b, e), "", 0, STYLE_PLAIN);
		ptrvec_push(b->docs, b->a, b->root);
		break;
	case YEV_MAP_START:
	case YEV_SEQ_START:
		n = e->kind == YEV_MAP_START ? node_new_map(b->a, ev_loc(b, e)) : node_new_seq(b->a, ev_loc(b, e));
		n->tags = e->tags;
		begin_container(b, n, anchor_name(b, e));
		break;
	case YEV_MAP_END:
	case YEV_SEQ_END:
		end_container(b);
		break;
	case YEV_SCALAR:
		on_scalar(b, e);
		break;
	case YEV_ALIAS:
		on_alias(b, e);
		break;
	}
	return !b->failed;
}

static void report_syntax_errors(struct builder *b, const struct ptrvec *errors)
{
	for (size_t i = 0; i < errors->n; i++) {
		const struct yev_error *ye = errors->v[i];
		struct loc loc = { b->name, ye->line > 0 ? ye->line : 1, ye->col > 0 ? ye->col : 1 };
		diag_error(b->d, loc, "invalid YAML: %s", ye->msg);
	}
	if (!errors->n)
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

/* The common case, eight bytes at a time: printable ASCII, tabs and line
 * breaks only. */
static bool printable_ascii(const unsigned char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t low = yaml_bytes_below(w, 0x20);
		if (yaml_bytes_above_7e(w))
			return false;
		if (low && (low & ~yaml_bytes_equal(w, '\n') & ~yaml_bytes_equal(w, '\t') & ~yaml_bytes_equal(w, '\r')))
			return false;
	}
	for (; i < len; i++)
		if ((s[i] < 0x20 || s[i] > 0x7E) && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* YAML streams are printable Unicode, and compose-go's reader rejects
 * anything else before parsing; so do we.  This also keeps libfyaml 0.7
 * away from two bugs: a loop on a malformed byte in a directive line
 * ("%\t\xea") and a crash when it frees the parser after a NUL
 * ("? - x:\t\0"). */
static bool check_text(struct builder *b, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	if (printable_ascii(s, len))
		return true;
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		unsigned cp = 0;
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (!n || !yaml_printable(cp)) {
			if (!b)
				return false;
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

bool yaml_text_ok(const char *text, size_t len)
{
	return check_text(NULL, text, len);
}

/* The fast scanner's attempt: true when it built the documents; else
 * everything it did is undone, and nothing was reported. */
static bool parse_fast(struct builder *b, const char *text, size_t len)
{
	struct arena *aux = arena_aux(b->a);
	struct arena_mark ma = arena_mark(b->a), mx = arena_mark(aux);
	struct ptrvec docs = *b->docs;
	struct strbuf buf = STRBUF_INIT;
	b->trial = true;
	bool ok = yaml_events_fast(text, len, &buf, on_event, b) && !b->failed;
	b->trial = false;
	sb_release(&buf);
	if (ok)
		return true;
	if (aux != b->a)
		arena_rewind(aux, mx);
	arena_rewind(b->a, ma);
	*b->docs = docs;
	b->depth = 0;
	b->root = NULL;
	b->failed = false;
	return false;
}

static void parse_fy(struct builder *b, const char *text, size_t len)
{
	struct ptrvec errors = { 0 };
	if (yaml_events_fy(text, len, &b->scratch, on_event, b, &errors) < 0)
		report_syntax_errors(b, &errors);
}

int yaml_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
	       const struct yaml_limits *limits, struct ptrvec *docs)
{
	static const struct yaml_limits defaults = { YAML_MAX_DEPTH, YAML_MAX_WEIGHT };
	struct builder b = { .a = a, .d = d, .name = name, .lim = limits ? limits : &defaults, .docs = docs };
	/* Without aliases a document has fewer nodes than bytes: the default
	 * limit grows with the input, so that only expansion trips it. */
	b.max_weight = b.lim->max_weight;
	if (!limits && len > b.max_weight)
		b.max_weight = len;
	int errors_before = d->errors;
	if (!check_text(&b, text, len))
		return -1;
	arena_init(&b.scratch);
	strmap_init(&b.anchors, &b.scratch);
	if (!parse_fast(&b, text, len))
		parse_fy(&b, text, len);
	for (size_t i = 0; i < b.cap; i++) {
		free(b.stack[i].pairs);
		free(b.stack[i].items);
		free(b.stack[i].slots);
	}
	arena_release(&b.scratch);
	return d->errors > errors_before ? -1 : 0;
}
