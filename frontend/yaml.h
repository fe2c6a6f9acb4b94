/*
 * yaml.h - YAML text to node trees (node.h), built from parser events:
 * a fast scanner's for the common subset, else libfyaml's (yaml.c).
 *
 * Provides: one tree per YAML document; anchors and aliases resolved
 * (aliases share the anchored node, and the total expansion is bounded);
 * `<<` merge keys applied (explicit keys win, earlier merge sources win);
 * duplicate keys, non-string keys, unknown anchors and excessive nesting
 * reported as errors with file:line:col; `!reset`, `!override`, `!!str`
 * recorded as node tags.
 */
#ifndef COMPOSEC_YAML_H
#define COMPOSEC_YAML_H

#include "frontend/node.h"

struct yaml_limits {
	size_t max_depth;  /* nesting of mappings/sequences */
	size_t max_weight; /* nodes in a document after alias expansion */
};
#define YAML_MAX_DEPTH 64
#define YAML_MAX_WEIGHT 1000000 /* by default: or the input's length in bytes, if larger */

/* Parse `len` bytes of `text` (named `name` in messages) into documents
 * appended to `docs` (struct node *; an empty document gives a null
 * scalar).  Returns 0, or -1 after reporting errors to d. */
int yaml_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
	       const struct yaml_limits *limits, struct ptrvec *docs);

#endif
