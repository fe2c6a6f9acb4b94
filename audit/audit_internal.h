/*
 * audit_internal.h - what the audit's files share: the checking context,
 * adding a finding, and where keys and suppression comments are (from the
 * model: audit_run.c).
 */
#ifndef COMPOSEC_AUDIT_INTERNAL_H
#define COMPOSEC_AUDIT_INTERNAL_H

#include "audit/audit.h"

struct src_index; /* a registered source split into lines */

struct audit_ctx {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct audit_options *o;
	struct audit_report *r;
	const struct audit_rule *rule; /* the rule being checked */
	struct src_index **idx;        /* one per registered source, built lazily */
	size_t n_idx;
};

/* Add a finding of the current rule with its default severity; the caller
 * may change the returned finding's severity.  attribute is the key path
 * without list indexes, evidence the normalized offending value (NULL: ""). */
struct audit_finding *audit_add(struct audit_ctx *c, const struct service *s, struct loc loc, const char *attribute,
				const char *evidence, const char *fmt, ...) PRINTF_LIKE(6, 7);

/* s as a JSON string literal, quotes included: the one way a user string
 * enters a message, so that text output cannot carry control bytes. */
const char *audit_q(struct audit_ctx *c, const char *s);

/* The location of the service's attribute `name` (its key, where the
 * model's field table has it; else the service's). */
struct loc audit_key(const struct service *s, const char *name);

/* ---- locating keys: the model's (audit_run.c) --------------------------- */

/* The location of services.<s>.<path[0]>.<path[1]>... (path NULL-ended):
 * the deepest key of the path found in the service's mapping as the
 * frontend lowered it (ir_key_at: after merge, include and extends, each
 * key where it was written); s->loc when not even the first key is found.
 * *depth (may be NULL) gets how many keys were found. */
struct loc audit_locate(struct audit_ctx *c, const struct service *s, const char *const *path, int *depth);
#define AUDIT_LOCATE(c, s, ...) audit_locate((c), (s), (const char *const[]){ __VA_ARGS__, NULL }, NULL)

/* The key path below the mapping at `item` (a list item written as a
 * mapping): the deepest key found.  Returns false, leaving *out alone,
 * when not even the first is there. */
bool audit_locate_in_item(struct audit_ctx *c, struct loc item, const char *const *path, struct loc *out);
#define AUDIT_LOCATE_IN_ITEM(c, item, out, ...) \
	audit_locate_in_item((c), (item), (const char *const[]){ __VA_ARGS__, NULL }, (out))

/* Whether a "# composec-ignore: RULE[,RULE...]" comment on loc's line or a
 * comment line right above it names rule (the comments the frontend
 * recorded, project->ignore_comments); *why gets "comment at FILE:LINE". */
bool audit_comment_suppresses(struct audit_ctx *c, struct loc loc, const char *rule, const char **why);

/* ---- explanation (audit_explain.c) --------------------------------------- */

void audit_build_explain(struct audit_ctx *c);

/* ---- paths ----------------------------------------------------------------- */

/* loc.file relative to the project directory when it is below it, else
 * absolute; "." and ".." segments resolved. */
const char *audit_project_path(struct audit_ctx *c, const char *file);
/* file made absolute against the current directory, "." and ".."
 * segments and repeated slashes removed. */
const char *audit_abs_path(struct audit_ctx *c, const char *file);

#endif
