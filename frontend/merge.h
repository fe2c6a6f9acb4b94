/*
 * merge.h - merging compose trees (merge.c has the rules).
 */
#ifndef COMPOSEC_MERGE_H
#define COMPOSEC_MERGE_H

#include "frontend/node.h"

/* Merge `over` onto `base` (either may be NULL) and return the result;
 * neither input is modified.  `prefix` is the path of both trees in the
 * whole model (e.g. {"services", "web"} when merging one service for
 * extends), so that the path-specific rules apply.  `!reset` and
 * `!override` tags in `over` are honoured and removed. */
struct node *merge_trees(struct arena *a, struct diag *d, struct node *base, struct node *over,
			 const char *const *prefix, size_t nprefix);

#endif
