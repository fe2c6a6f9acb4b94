/*
 * node.h - the frontend's generic YAML tree.
 *
 * yaml.c builds it straight from parser events (the fast scanner's, or
 * libfyaml's when it gives up): aliases share the anchored node (with a
 * bound on the expansion), `<<` merge keys are applied, duplicate keys
 * rejected, `!reset` / `!override` recorded as flags.  The loader then
 * interpolates (in place), merges files, applies include/extends/profiles
 * on this tree, and lower.c turns it into the typed IR (ir/ir.h).  No
 * libfyaml type appears here.
 *
 * Invariants:
 *  - Every node carries the location of its first character.
 *  - A scalar's text is NUL-terminated; `len` may be smaller than strlen
 *    only if the text holds a NUL byte (which the loader rejects).
 *  - Map keys are scalars; their text is the key.  Maps keep source order.
 *  - Nodes are arena-owned and may be shared between trees after a merge
 *    (treat them as immutable once built; copy before changing).  The
 *    node structures and their arrays live in arena_aux(a), scalar texts
 *    in a: the loader releases the aux arena once the tree is lowered, so
 *    nothing that outlives loading may point at a node, only at texts.
 */
#ifndef COMPOSEC_NODE_H
#define COMPOSEC_NODE_H

#include "base/base.h"

enum node_kind { NODE_SCALAR, NODE_MAP, NODE_SEQ };

/* How a scalar was written: plain scalars are typed by the YAML 1.2 core
 * schema (go-yaml rules), quoted ones are always strings. */
enum scalar_style { STYLE_PLAIN, STYLE_QUOTED };

enum node_tag {
	TAG_NONE = 0,
	TAG_RESET = 1,    /* !reset: remove from what earlier files set */
	TAG_OVERRIDE = 2, /* !override: replace what earlier files set */
	TAG_STR = 4,      /* !!str and other explicit string tags */
	/* not a YAML tag: the loader's mark of a scalar it has interpolated in
	 * place, so that a scalar reached twice (an alias) is not interpolated
	 * twice ("$$" must not become "$" and then a variable) */
	TAG_INTERPOLATED = 8,
};

struct node;

struct node_pair {
	struct node *key; /* always NODE_SCALAR */
	struct node *value;
};

struct node {
	/* bytes, not enums, so that a node takes 48 bytes: a big file has
	 * millions of them */
	unsigned char kind;  /* enum node_kind */
	unsigned char style; /* enum scalar_style */
	unsigned char tags;  /* enum node_tag bits */
	/* scalars: node_scalar_type + 1 once computed, 0 before; node_copy
	 * clears it, so a copy may change its text, style or tags */
	unsigned char stype;
	uint32_t weight; /* nodes in the full expansion (1 + children), saturating */
	struct loc loc;
	union {
		struct {
			const char *text;
			size_t len;
		} scalar;
		struct {
			struct node_pair *pairs;
			uint32_t n, cap; /* 32 bits keep a node at 40 bytes */
		} map;
		struct {
			struct node **items;
			uint32_t n, cap;
		} seq;
	};
};

/* The type a plain scalar resolves to (YAML 1.2 core schema as go-yaml v4
 * resolves it).  Quoted and !!str scalars are always SCALAR_STR. */
enum scalar_type { SCALAR_NULL, SCALAR_BOOL, SCALAR_INT, SCALAR_FLOAT, SCALAR_STR };

/* ---- construction ------------------------------------------------------- */
struct node *node_new_scalar(struct arena *a, struct loc loc, const char *text, size_t len,
			     enum scalar_style style);
struct node *node_new_map(struct arena *a, struct loc loc);
struct node *node_new_seq(struct arena *a, struct loc loc);
void node_map_add(struct arena *a, struct node *map, struct node *key, struct node *value);
void node_seq_add(struct arena *a, struct node *seq, struct node *item);
/* Shallow copy (the pair/item arrays are copied, children shared). */
struct node *node_copy(struct arena *a, const struct node *n);
/* Deep copy. */
struct node *node_clone(struct arena *a, const struct node *n);

/* ---- queries ------------------------------------------------------------ */
/* The value for key in a map, or NULL (also NULL when map is not a map). */
struct node *node_map_get(const struct node *map, const char *key);
struct node_pair *node_map_find(const struct node *map, const char *key);
/* Remove key from map in place; returns true if it was there. */
bool node_map_remove(struct node *map, const char *key);
/* Set (replace in place, or append) key in map. */
void node_map_set(struct arena *a, struct node *map, const char *key, struct node *value);

enum scalar_type node_scalar_type(const struct node *n);
bool node_is_null(const struct node *n); /* NULL pointer or a null scalar */
bool node_is_str(const struct node *n, const char *s);
/* Integer value of a plain int scalar (go's ParseInt base 0 + underscores);
 * false if it is not one. */
bool scalar_parse_int(const char *s, long long *out);
bool scalar_parse_float(const char *s, double *out);
/* go-yaml bool words (true/True/TRUE/false/False/FALSE). */
bool scalar_parse_bool(const char *s, bool *out);
const char *node_kind_name(const struct node *n);

#endif
