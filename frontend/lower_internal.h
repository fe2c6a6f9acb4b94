/*
 * lower_internal.h - shared between lower.c (project, resources,
 * normalization, validation) and lower_service.c (service attributes).
 *
 * Lowering walks each mapping with a table that maps an attribute name to
 * a handler (struct attr).  Generic handlers store into a field of the
 * object being built at the table entry's offset; specific handlers cast
 * the object.  x-* keys are collected as extensions, known but untyped
 * keys as generic values (`extra`), anything else is reported as an
 * unknown attribute according to the input's policy.
 *
 * Messages name the attribute by its dotted path in quotes:
 *   "services.web.ports[0].target" must be an integer
 */
#ifndef COMPOSEC_LOWER_INTERNAL_H
#define COMPOSEC_LOWER_INTERNAL_H

#include "frontend/lower.h"

struct lower_ctx {
	const struct lower_input *in;
	struct arena *a;
	struct diag *d;
	struct project *p;
	struct strmap res[RES__MAX]; /* key -> struct resource * */
	struct ptrvec services;      /* struct service *, in source order */
	struct strmap svc_by_name;   /* name -> struct service * */
	struct strmap svc_enabled;   /* name -> non-NULL when enabled */
	bool default_net_used;
	size_t file_bytes; /* read from env and label files so far */
	size_t ports;      /* of the services lowered so far, for LOWER_MAX_PORTS */
	struct strmap deps_seen; /* "<service address> <dependency>": no duplicate, no scan */
};

/* A consistency problem: an error, or a warning when loading leniently. */
void consistency_error(struct lower_ctx *c, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* A growable member list, turned into a sorted VAL_MAP at the end. */
struct mvec {
	struct ir_member *v;
	size_t n, cap;
};

struct walk {
	struct lower_ctx *c;
	void *obj;         /* the struct being filled */
	void *aux;         /* handler-specific state */
	const char *path;  /* dotted path of the mapping */
	struct mvec extra; /* known attributes kept untyped */
	struct mvec ext;   /* x-* keys */
};

struct attr;
typedef void (*attr_fn)(struct walk *w, const struct attr *at, struct node *key, struct node *val,
			const char *path);
struct attr {
	const char *key;
	attr_fn fn;
	size_t off; /* offset of the field in w->obj for generic handlers */
};

/* Walk every pair of map with table; map must be a mapping (checked by
 * the caller).  x-* keys go to w->ext, unknown keys are reported. */
void walk_map(struct walk *w, const struct node *map, const struct attr *table, size_t n);
/* Sorted VAL_MAP of the collected members, NULL when empty. */
struct ir_value *mvec_finish(struct lower_ctx *c, struct mvec *mv, struct loc loc);
void mvec_add(struct lower_ctx *c, struct mvec *mv, const char *key, struct ir_value *v);

/* ---- diagnostics ---------------------------------------------------------- */
void lower_type_error(struct lower_ctx *c, const struct node *n, const char *path, const char *what);
void lower_unknown(struct lower_ctx *c, const struct node *key, const char *path);
/* The same, naming meant (when not NULL) as what was probably meant. */
void lower_unknown_near(struct lower_ctx *c, const struct node *key, const char *path, const char *meant);
/* The name among n (each the first member, a const char *, of an element
 * of stride bytes at names) that key is probably a slip of: the nearest by
 * edits, within 1 edit for keys under 5 characters, 2 under 9, else 3;
 * NULL when none is. */
const char *lower_nearest(const char *key, const void *names, size_t n, size_t stride);
char *lower_path(struct lower_ctx *c, const char *parent, const char *key);
char *lower_path_idx(struct lower_ctx *c, const char *parent, size_t i);

/* ---- typed readers: false (after reporting) on a wrong type ------------- */
/* A string (null: *out = NULL, returns true). */
bool get_str(struct lower_ctx *c, const struct node *n, const char *path, const char **out);
/* A string or a number/bool, stringified like Go's fmt.Sprint. */
bool get_scalar_str(struct lower_ctx *c, const struct node *n, const char *path, const char **out);
bool get_bool(struct lower_ctx *c, const struct node *n, const char *path, enum tri *out);
bool get_int(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out);
bool get_float(struct lower_ctx *c, const struct node *n, const char *path, double *out);
bool get_bytes(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out);
bool get_duration(struct lower_ctx *c, const struct node *n, const char *path, int64_t *out);
/* A list of strings (numbers stringified when allow_num). */
bool get_strlist(struct lower_ctx *c, const struct node *n, const char *path, bool allow_num,
		 bool allow_string, struct strlist *out);
/* list_or_dict: list "k=v" / "k" (bare_value for "k" alone; bare_from_env
 * looks the key up in the project env), or map k -> scalar (null ->
 * null_value or env). */
enum bare_mode { BARE_EMPTY, BARE_ENV, BARE_ENV_OR_DROP };
bool get_kvlist(struct lower_ctx *c, const struct node *n, const char *path, enum bare_mode mode,
		struct kvlist *out);
/* A mapping of string -> string-or-number (driver_opts, logging options). */
bool get_opts(struct lower_ctx *c, const struct node *n, const char *path, struct kvlist *out);

struct ir_value *node_to_value(struct lower_ctx *c, const struct node *n);
const char *scalar_string(struct lower_ctx *c, const struct node *n); /* fmt.Sprint-like */
const char *go_format_float(struct arena *a, double f);

/* ---- kv lists ---------------------------------------------------------------- */
struct kvb {
	struct kv *v;
	size_t n, cap;
};
void kvb_init(struct kvb *b, struct arena *a);
/* Room for n entries in all (one allocation when the size is known). */
void kvb_reserve(struct kvb *b, struct arena *a, size_t n);
void kvb_set(struct kvb *b, struct arena *a, const char *key, const char *value, struct loc loc);
/* Sorted, unique keys. */
struct kvlist kvb_finish(struct kvb *b);
const struct kv *kv_find(const struct kvlist *l, const char *key);

/* ---- generic handlers (field at at->off) -------------------------------- */
void attr_str(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_scalar_str(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		     const char *path);
void attr_tri(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_int(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_double(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_bytes(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_duration(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		   const char *path);
void attr_strlist(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		  const char *path);
void attr_strlist_num(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path);
void attr_str_or_list(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		      const char *path);
void attr_labels(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		 const char *path);
void attr_opts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_extra(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_ignore(struct walk *w, const struct attr *at, struct node *k, struct node *v,
		 const char *path);

/* ---- paths ---------------------------------------------------------------- */
/* ~ expanded (HOME from the project env), joined to the working dir and
 * cleaned; absolute paths are returned unchanged. */
const char *lower_abs_path(struct lower_ctx *c, const char *p);

/* ---- services (lower_service.c) ------------------------------------------ */
bool service_enabled(const struct lower_ctx *c, const struct service *s);
bool valid_name(const char *s);
/* Report a name longer than LOWER_MAX_NAME (what: "service", "network",
 * ...); returns true when it is. */
bool name_too_long(struct lower_ctx *c, const char *what, const char *name, struct loc loc);
/* Lower one service; NULL only on an unusable node (errors reported). */
struct service *lower_service(struct lower_ctx *c, struct node *key, struct node *val);
/* Checks against the top-level resources; resolves def pointers. */
void service_resolve_refs(struct lower_ctx *c, struct service *s, bool enabled);

/* ---- canon.c: untyped attributes in compose's canonical form ------------- */
void attr_file_mounts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_develop(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_contexts(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_bool_as_str(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);
void attr_device_requests(struct walk *w, const struct attr *at, struct node *k, struct node *v,
			  const char *path);
void attr_gpus(struct walk *w, const struct attr *at, struct node *k, struct node *v, const char *path);

/* ---- prune.c ---------------------------------------------------------------- */
/* Drop the resources and models no enabled service uses, as docker compose
 * does without --all-resources. */
void prune_unused_resources(struct project *p, struct arena *a);

#endif
