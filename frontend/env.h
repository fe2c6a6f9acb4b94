/*
 * env.h - variable environments and the interpolation and env_file parsers.
 *
 * An env is an ordered string map (insertion order kept for determinism,
 * later set() replaces).  Lookups used by interpolation go through a
 * callback so that callers can chain sources (process environment first,
 * then .env, then the keys read so far from the same env_file).
 */
#ifndef COMPOSEC_ENV_H
#define COMPOSEC_ENV_H

#include "base/base.h"

struct env {
	struct arena *arena;
	struct strmap map;  /* key -> const char * value */
	struct strvec keys; /* insertion order, unique */
};

void env_init(struct env *e, struct arena *a);
const char *env_get(const struct env *e, const char *key); /* NULL: unset */
void env_set(struct env *e, const char *key, const char *value); /* copies both */
/* Set only if absent; returns true if set. */
bool env_set_default(struct env *e, const char *key, const char *value);
/* Load environ-style "K=V" strings (e.g. from the process). */
void env_load_environ(struct env *e, char *const *environ);

/* Returns the value of name, or NULL when unset. */
typedef const char *(*env_lookup_fn)(void *ctx, const char *name);
/* A lookup over one env (ctx is the struct env *). */
const char *env_lookup(void *ctx, const char *name);

/* ---- interpolation (compose-go template semantics) ---------------------- */

/* Called once per reference to an unset variable with no default. */
typedef void (*interp_unset_fn)(void *ctx, const char *name);

struct interp {
	struct arena *arena;
	env_lookup_fn lookup;
	void *lookup_ctx;
	interp_unset_fn on_unset; /* may be NULL */
	void *unset_ctx;
	int max_depth; /* nesting bound for ${A:-${B:-...}}; 0: default 64 */
	/* Bytes of variable values still allowed to be substituted, shared by
	 * every call given the same counter and decremented by each; NULL:
	 * INTERP_MAX_OUTPUT for this call alone.  Without it, a value made of
	 * references to earlier values ("B=$A$A$A", "C=$B$B$B", ...) grows
	 * exponentially. */
	size_t *budget;
};
#define INTERP_MAX_OUTPUT ((size_t)64 << 20)

/* Substitute $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e},
 * ${VAR:+r}, ${VAR+r} (nested, lazily), and $$ -> $.  On success returns 0
 * and sets *out (arena, NUL-terminated; may contain no NUL).  On error
 * returns -1 and sets *err to an arena message without location, e.g.
 * "required variable X is missing a value: msg" or
 * "invalid interpolation format for \"${ x}\"" or, past the budget,
 * "interpolation expands to more than 64 MiB (limit: interpolation size)". */
int interpolate(const struct interp *ip, const char *s, size_t len, const char **out, size_t *outlen,
		const char **err);

/* ---- env_file / .env parser (the spec's "Env_file format") -------------- */

/* Parse text of file `name`.  Each assignment is added to `out` (later
 * wins).  Unquoted and double-quoted values are interpolated with `lookup`
 * first, then the keys already in `out`; a bare KEY takes its value from
 * the same lookup and is skipped when unset.  raw: format: raw (no quotes,
 * no interpolation, everything after '=' literal).  Errors go to d with
 * name:line:col; returns the number of errors. */
int dotenv_parse(struct arena *a, struct diag *d, const char *name, const char *text, size_t len,
		 bool raw, env_lookup_fn lookup, void *ctx, struct env *out);

#endif
