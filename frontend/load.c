/*
 * load.c - the frontend pipeline (see load.h): which files, which
 * environment, which project name, then for every YAML document of every
 * file: interpolation, include, extends and the merge onto the model,
 * and finally lowering to the IR.  Relative paths of included and extended
 * files are made absolute here, against their own directories, because
 * lowering only knows the project directory.
 */
#include "frontend/load.h"
#include "frontend/merge.h"
#include "frontend/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lctx {
	struct arena *a;
	struct diag *d;
	const struct load_options *o;
	struct strmap warned; /* unset variables already reported */
	struct ptrvec include_stack; /* absolute paths being included */
	/* load_project_text: the one file read from memory, not from disk */
	const char *mem_path, *mem_text;
	size_t mem_len;
	size_t interp_budget; /* shared by every interpolation of the project (env.h) */
	size_t bytes_read;    /* by read_file, for LOAD_MAX_TOTAL_SIZE */
	struct ptrvec ignores; /* the ignore comments of the texts read (o->key_locs) */
	/* o->key_locs: "file:line:col" of each interpolated scalar -> its text
	 * with every variable unset (defaults kept): what the file itself
	 * ships (kv.shipped) */
	struct strmap shipped;
};

/* The environment and base directory a tree is read with. */
struct scope {
	const struct env *env;
	const char *dir; /* directory relative paths of this file resolve against */
	const char *file;
};

/* ---- paths and files ----------------------------------------------------- */

static const char *path_join(struct arena *a, const char *dir, const char *p)
{
	if (p[0] == '/')
		return p;
	if (strcmp(p, ".") == 0)
		return dir;
	if (p[0] == '.' && p[1] == '/')
		p += 2;
	return arena_printf(a, "%s%s%s", dir, str_has_suffix(dir, "/") ? "" : "/", p);
}

static const char *path_dir(struct arena *a, const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return ".";
	if (slash == p)
		return "/";
	return arena_strndup(a, p, (size_t)(slash - p));
}

static const char *path_base(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The name a file is shown with in messages: relative to the current
 * directory when it is below it, as the user most likely wrote it. */
static const char *display_name(const struct lctx *c, const char *path)
{
	size_t n = strlen(c->o->cwd);
	if (strncmp(path, c->o->cwd, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

static struct loc file_loc(const char *name)
{
	return (struct loc){ name, 1, 1 };
}

/* The text given to load_project_text, under the same limit as a file. */
static const char *read_memory(struct lctx *c, const char *name, size_t *len)
{
	if (c->mem_len > LOAD_MAX_FILE_SIZE) {
		diag_error(c->d, file_loc(name), "file is larger than %u MiB (limit: file size)",
			   LOAD_MAX_FILE_SIZE >> 20);
		return NULL;
	}
	if (c->bytes_read + c->mem_len > LOAD_MAX_TOTAL_SIZE) {
		diag_error(c->d, file_loc(name), "files read add up to more than %u MiB (limit: total file size)",
			   LOAD_MAX_TOTAL_SIZE >> 20);
		return NULL;
	}
	c->bytes_read += c->mem_len;
	char *text = arena_strndup(c->a, c->mem_text, c->mem_len);
	*len = c->mem_len;
	if (c->o->key_locs)
		load_record_ignores(c->a, &c->ignores, name, text, *len);
	diag_add_source(c->d, name, text, *len);
	return text;
}

/* Read a whole file (or stdin for "-") and register it as a diagnostics
 * source.  Returns NULL after reporting.  With owned NULL the text is in
 * the arena; otherwise *owned is the size of the malloc'd block it is in
 * instead (0: in the arena), for release_text once parsed (a file that
 * can be read again for a message, unless the options keep every text). */
static const char *read_file(struct lctx *c, const char *path, size_t *len, const char **shown, size_t *owned)
{
	if (owned)
		*owned = 0;
	const char *name = display_name(c, path);
	*shown = name;
	if (c->mem_path && strcmp(path, c->mem_path) == 0)
		return read_memory(c, name, len);
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!fp) {
		diag_error(c->d, file_loc(name), "cannot open file: %s", strerror(errno));
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	bool too_big = false, too_much = false;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		too_big = sb.len + n > LOAD_MAX_FILE_SIZE;
		too_much = c->bytes_read + sb.len + n > LOAD_MAX_TOTAL_SIZE;
		if (too_big || too_much)
			break;
		sb_add(&sb, buf, n);
	}
	bool failed = ferror(fp);
	struct stat st;
	bool droppable = owned && !c->o->keep_sources && fp != stdin && fstat(fileno(fp), &st) == 0 &&
			 S_ISREG(st.st_mode) && (size_t)st.st_size == sb.len;
	if (fp != stdin)
		fclose(fp);
	if (too_big)
		diag_error(c->d, file_loc(name), "file is larger than %u MiB (limit: file size)", LOAD_MAX_FILE_SIZE >> 20);
	else if (too_much)
		diag_error(c->d, file_loc(name), "files read add up to more than %u MiB (limit: total file size)",
			   LOAD_MAX_TOTAL_SIZE >> 20);
	else if (failed)
		diag_error(c->d, file_loc(name), "cannot read file: %s", strerror(errno));
	if (too_big || too_much || failed) {
		sb_release(&sb);
		return NULL;
	}
	c->bytes_read += sb.len;
	if (c->o->key_locs)
		load_record_ignores(c->a, &c->ignores, name, sb.buf, sb.len);
	if (droppable) {
		size_t block = sb.alloc;
		char *text = sb_detach(&sb, len);
		diag_add_file_source(c->d, name, text, *len, arena_strdup(c->a, path), (long long)st.st_mtim.tv_sec,
				     (long long)st.st_mtim.tv_nsec);
		*owned = block ? block : 1; /* an empty text: sb_detach's malloc(1) */
		return text;
	}
	char *text = sb_to_arena(&sb, c->a);
	*len = sb.len;
	sb_release(&sb);
	diag_add_source(c->d, name, text, *len);
	return text;
}

/* A parsed text is not needed any more (the tree holds copies of what it
 * uses); messages read their lines back from the file.  Its memory goes
 * to the arena, which allocates the IR from it next: pages already in
 * place instead of as many new ones (a megabyte at 1,000 services). */
static void release_text(struct lctx *c, const char *text, size_t owned)
{
	if (!owned)
		return;
	diag_drop_text(c->d, text);
	arena_donate(c->a, (char *)text, owned);
}

/* ---- interpolation over a tree ------------------------------------------- */

/* Where the walk is: one frame per container on the way down, on the C
 * stack; the dotted path is spelled out only for a message. */
struct ipath {
	const struct ipath *up;
	const struct node *n; /* a map or a sequence */
	size_t i;             /* the child being walked */
};

struct ictx {
	struct lctx *c;
	const struct scope *sc;
	struct interp ip;
	struct loc at;
	const struct ipath *where;
};

/* "services.web.ports[0].target" */
static void ipath_format(const struct ipath *p, struct strbuf *sb)
{
	if (!p)
		return;
	ipath_format(p->up, sb);
	if (p->n->kind == NODE_SEQ) {
		sb_addf(sb, "[%zu]", p->i);
		return;
	}
	if (sb->len)
		sb_addc(sb, '.');
	sb_adds(sb, p->n->map.pairs[p->i].key->scalar.text);
}

static void on_unset(void *ctx, const char *name)
{
	struct ictx *ic = ctx;
	if (strmap_has(&ic->c->warned, name))
		return;
	strmap_put(&ic->c->warned, arena_strdup(ic->c->a, name), (void *)1);
	diag_warning(ic->c->d, ic->at, "variable \"%s\" is not set, defaulting to a blank string", name);
}

/* Scalars are interpolated in place rather than copied with every mapping
 * above them: a tree is interpolated once, in one scope (each file, include
 * and extends source is a tree of its own), so a node shared through an
 * alias gets the same result wherever it is reached. */
static const char *no_variable(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* The scalar's text with no variable set: a default or literal text around a
 * reference is the file's own ("${PASSWORD:-secret}", "user:pw@${HOST}"). */
static void record_shipped(struct ictx *ic, const struct node *n)
{
	struct interp alone = { .arena = ic->c->a, .lookup = no_variable, .max_depth = ic->ip.max_depth };
	const char *out, *err;
	size_t outlen;
	if (interpolate(&alone, n->scalar.text, n->scalar.len, &out, &outlen, &err) != 0)
		out = ""; /* ${X:?...}: the file ships nothing */
	strmap_put(&ic->c->shipped, arena_printf(ic->c->a, "%s:%d:%d", n->loc.file, n->loc.line, n->loc.col), (void *)out);
}

static void interp_scalar(struct ictx *ic, struct node *n)
{
	if ((n->tags & TAG_INTERPOLATED) || !memchr(n->scalar.text, '$', n->scalar.len) ||
	    node_scalar_type(n) != SCALAR_STR)
		return;
	const char *out, *err;
	size_t outlen;
	ic->at = n->loc;
	if (interpolate(&ic->ip, n->scalar.text, n->scalar.len, &out, &outlen, &err) != 0) {
		struct strbuf path = STRBUF_INIT;
		ipath_format(ic->where, &path);
		diag_error(ic->c->d, n->loc, "in \"%s\": %s", path.buf, err);
		sb_release(&path);
		return;
	}
	if (ic->c->o->key_locs)
		record_shipped(ic, n);
	n->scalar.text = out;
	n->scalar.len = outlen;
	n->style = STYLE_QUOTED; /* a substituted value is a string; typed fields cast it */
	n->stype = 0;
	n->tags |= TAG_INTERPOLATED;
}

static void interp_node(struct ictx *ic, struct node *n)
{
	if (n->kind == NODE_SCALAR) {
		interp_scalar(ic, n);
		return;
	}
	size_t count = n->kind == NODE_MAP ? n->map.n : n->seq.n;
	struct ipath here = { ic->where, n, 0 };
	for (size_t i = 0; i < count; i++) {
		here.i = i;
		ic->where = &here;
		interp_node(ic, n->kind == NODE_MAP ? n->map.pairs[i].value : n->seq.items[i]);
		ic->where = here.up;
	}
}

static struct node *interpolate_tree(struct lctx *c, const struct scope *sc, struct node *root)
{
	struct ictx ic = { .c = c, .sc = sc };
	ic.ip.arena = c->a;
	ic.ip.lookup = env_lookup;
	ic.ip.lookup_ctx = (void *)sc->env;
	ic.ip.on_unset = on_unset;
	ic.ip.unset_ctx = &ic;
	ic.ip.budget = &c->interp_budget;
	interp_node(&ic, root);
	return root;
}

/* ---- relative paths of included and extended files ------------------------ */

static struct node *abs_scalar(struct lctx *c, struct node *n, const char *dir)
{
	if (!n || n->kind != NODE_SCALAR || node_is_null(n))
		return n;
	const char *s = n->scalar.text;
	if (s[0] == '/' || s[0] == '~' || strstr(s, "://") || str_has_prefix(s, "git@") ||
	    str_has_prefix(s, "github.com/"))
		return n;
	struct node *r = node_copy(c->a, n);
	r->scalar.text = path_join(c->a, dir, s);
	r->scalar.len = strlen(r->scalar.text);
	return r;
}

/* A short volume "./src:/dst:ro" with a relative bind source. */
static struct node *abs_short_volume(struct lctx *c, struct node *n, const char *dir)
{
	const char *s = n->scalar.text, *colon = strchr(s, ':');
	if (!colon || s[0] != '.')
		return n;
	const char *src = arena_strndup(c->a, s, (size_t)(colon - s));
	struct node *r = node_copy(c->a, n);
	r->scalar.text = arena_printf(c->a, "%s%s", path_join(c->a, dir, src), colon);
	r->scalar.len = strlen(r->scalar.text);
	return r;
}

static void abs_key(struct lctx *c, struct node *map, const char *key, const char *dir)
{
	struct node_pair *p = node_map_find(map, key);
	if (p)
		p->value = abs_scalar(c, p->value, dir);
}

static void abs_list_or_paths(struct lctx *c, struct node *map, const char *key, const char *field,
			      const char *dir)
{
	struct node_pair *p = node_map_find(map, key);
	if (!p)
		return;
	if (p->value->kind == NODE_SCALAR) {
		p->value = abs_scalar(c, p->value, dir);
		return;
	}
	if (p->value->kind != NODE_SEQ)
		return;
	p->value = node_copy(c->a, p->value);
	for (size_t i = 0; i < p->value->seq.n; i++) {
		struct node *it = p->value->seq.items[i];
		if (it->kind == NODE_SCALAR) {
			p->value->seq.items[i] = abs_scalar(c, it, dir);
		} else if (it->kind == NODE_MAP && field) {
			it = node_copy(c->a, it);
			abs_key(c, it, field, dir);
			p->value->seq.items[i] = it;
		}
	}
}

static void abs_volumes(struct lctx *c, struct node *svc, const char *dir)
{
	struct node_pair *p = node_map_find(svc, "volumes");
	if (!p || p->value->kind != NODE_SEQ)
		return;
	p->value = node_copy(c->a, p->value);
	for (size_t i = 0; i < p->value->seq.n; i++) {
		struct node *it = p->value->seq.items[i];
		if (it->kind == NODE_SCALAR) {
			p->value->seq.items[i] = abs_short_volume(c, it, dir);
		} else if (it->kind == NODE_MAP && node_is_str(node_map_get(it, "type"), "bind")) {
			it = node_copy(c->a, it);
			abs_key(c, it, "source", dir);
			p->value->seq.items[i] = it;
		}
	}
}

static void abs_service(struct lctx *c, struct node *svc, const char *dir)
{
	struct node_pair *b = node_map_find(svc, "build");
	if (b && b->value->kind == NODE_SCALAR) {
		b->value = abs_scalar(c, b->value, dir);
	} else if (b && b->value->kind == NODE_MAP) {
		b->value = node_copy(c->a, b->value);
		abs_key(c, b->value, "context", dir);
	}
	abs_list_or_paths(c, svc, "env_file", "path", dir);
	abs_list_or_paths(c, svc, "label_file", NULL, dir);
	abs_volumes(c, svc, dir);
	struct node_pair *e = node_map_find(svc, "extends");
	if (e && e->value->kind == NODE_MAP) {
		e->value = node_copy(c->a, e->value);
		abs_key(c, e->value, "file", dir);
	}
}

/* Make the relative paths of a whole tree absolute against dir (copying
 * what it changes). */
static struct node *abs_paths(struct lctx *c, struct node *root, const char *dir)
{
	if (root->kind != NODE_MAP)
		return root;
	root = node_copy(c->a, root);
	struct node_pair *svcs = node_map_find(root, "services");
	if (svcs && svcs->value->kind == NODE_MAP) {
		svcs->value = node_copy(c->a, svcs->value);
		for (size_t i = 0; i < svcs->value->map.n; i++) {
			struct node_pair *sp = &svcs->value->map.pairs[i];
			if (sp->value->kind != NODE_MAP)
				continue;
			sp->value = node_copy(c->a, sp->value);
			abs_service(c, sp->value, dir);
		}
	}
	static const char *const kinds[] = { "secrets", "configs" };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct node_pair *rp = node_map_find(root, kinds[k]);
		if (!rp || rp->value->kind != NODE_MAP)
			continue;
		rp->value = node_copy(c->a, rp->value);
		for (size_t i = 0; i < rp->value->map.n; i++) {
			struct node_pair *e = &rp->value->map.pairs[i];
			if (e->value->kind != NODE_MAP)
				continue;
			e->value = node_copy(c->a, e->value);
			abs_key(c, e->value, "file", dir);
		}
	}
	return root;
}

/* ---- env files ----------------------------------------------------------- */

/* Read dotenv files in order into `out`, looking variables up in `base`
 * first (so the process environment always wins). */
static void read_env_files(struct lctx *c, const struct strvec *files, const struct env *base, struct env *out,
			   struct loc at)
{
	for (size_t i = 0; i < files->n; i++) {
		size_t len;
		if (!is_file(files->v[i])) {
			diag_error(c->d, at.file ? at : file_loc(display_name(c, files->v[i])), "env file \"%s\" not found",
				   display_name(c, files->v[i]));
			continue;
		}
		const char *shown;
		const char *text = read_file(c, files->v[i], &len, &shown, NULL);
		if (text)
			dotenv_parse(c->a, c->d, shown, text, len, false, env_lookup, (void *)base, out);
	}
}

/* base + file values that base does not set. */
static struct env *env_overlay(struct lctx *c, const struct env *base, const struct env *files)
{
	struct env *e = arena_alloc(c->a, sizeof(*e));
	env_init(e, c->a);
	for (size_t i = 0; i < base->keys.n; i++)
		env_set(e, base->keys.v[i], env_get(base, base->keys.v[i]));
	for (size_t i = 0; i < files->keys.n; i++)
		env_set_default(e, files->keys.v[i], env_get(files, files->keys.v[i]));
	return e;
}

/* ---- documents ----------------------------------------------------------- */

struct loaded {
	struct node *model; /* merged documents of a set of files */
	const char *name;   /* last non-empty top-level name */
};

static void load_files(struct lctx *c, const struct scope *sc, const struct strvec *files, struct loaded *out);

static const char *scalar_of(const struct node *n)
{
	return n && n->kind == NODE_SCALAR && !node_is_null(n) ? n->scalar.text : NULL;
}

static void strvec_from_node(struct lctx *c, struct node *n, const char *dir, struct strvec *out)
{
	if (!n)
		return;
	if (n->kind == NODE_SCALAR && !node_is_null(n)) {
		strvec_push(out, c->a, path_join(c->a, dir, n->scalar.text));
	} else if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->seq.n; i++)
			strvec_from_node(c, n->seq.items[i], dir, out);
	} else if (!node_is_null(n)) {
		diag_error(c->d, n->loc, "must be a string or a list of strings, not a %s", node_kind_name(n));
	}
}

static bool on_include_stack(struct lctx *c, const char *path)
{
	for (size_t i = 0; i < c->include_stack.n; i++)
		if (strcmp(c->include_stack.v[i], path) == 0)
			return true;
	return false;
}

/* Load one include entry into a model of its own. */
static struct node *load_include(struct lctx *c, const struct scope *sc, struct node *entry)
{
	struct node *paths = entry, *pdir = NULL, *envf = NULL;
	if (entry->kind == NODE_MAP) {
		paths = node_map_get(entry, "path");
		pdir = node_map_get(entry, "project_directory");
		envf = node_map_get(entry, "env_file");
		if (!paths) {
			diag_error(c->d, entry->loc, "include entry needs a \"path\"");
			return NULL;
		}
	}
	struct strvec files = { 0 };
	strvec_from_node(c, paths, sc->dir, &files);
	if (!files.n)
		return NULL;
	for (size_t i = 0; i < files.n; i++) {
		if (on_include_stack(c, files.v[i])) {
			diag_error(c->d, entry->loc, "include cycle: \"%s\" includes itself", files.v[i]);
			return NULL;
		}
		if (c->include_stack.n >= LOAD_MAX_INCLUDE_DEPTH) {
			diag_error(c->d, entry->loc, "includes nested deeper than %d levels (limit: include depth)",
				   LOAD_MAX_INCLUDE_DEPTH);
			return NULL;
		}
	}
	const char *dir = scalar_of(pdir) ? path_join(c->a, sc->dir, scalar_of(pdir)) : path_dir(c->a, files.v[0]);
	struct strvec env_files = { 0 };
	if (envf)
		strvec_from_node(c, envf, sc->dir, &env_files);
	else if (is_file(path_join(c->a, dir, ".env")))
		strvec_push(&env_files, c->a, path_join(c->a, dir, ".env"));
	struct env fenv;
	env_init(&fenv, c->a);
	read_env_files(c, &env_files, sc->env, &fenv, entry->loc);
	struct scope isc = { env_overlay(c, sc->env, &fenv), dir, files.v[0] };
	for (size_t i = 0; i < files.n; i++)
		ptrvec_push(&c->include_stack, c->a, (void *)files.v[i]);
	struct loaded inc = { 0 };
	load_files(c, &isc, &files, &inc);
	c->include_stack.n -= files.n;
	return inc.model ? abs_paths(c, inc.model, dir) : NULL;
}

/* Import the resources of an included model into doc; a local definition
 * is merged over the included one. */
static struct node *import_model(struct lctx *c, struct node *doc, struct node *inc)
{
	static const char *const kinds[] = { "services", "networks", "volumes", "secrets", "configs" };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct node *src = node_map_get(inc, kinds[k]);
		if (!src || src->kind != NODE_MAP)
			continue;
		struct node *dst = node_map_get(doc, kinds[k]);
		const char *prefix[] = { kinds[k] };
		node_map_set(c->a, doc, kinds[k], merge_trees(c->a, c->d, src, dst ? dst : node_new_map(c->a, src->loc), prefix, 1));
	}
	return doc;
}

static struct node *apply_includes(struct lctx *c, const struct scope *sc, struct node *doc)
{
	struct node *inc = node_map_get(doc, "include");
	if (!inc)
		return doc;
	doc = node_copy(c->a, doc);
	node_map_remove(doc, "include");
	if (inc->kind != NODE_SEQ) {
		if (!node_is_null(inc))
			diag_error(c->d, inc->loc, "\"include\" must be a list, not a %s", node_kind_name(inc));
		return doc;
	}
	for (size_t i = 0; i < inc->seq.n; i++) {
		struct node *m = load_include(c, sc, inc->seq.items[i]);
		if (m)
			doc = import_model(c, doc, m);
	}
	return doc;
}

/* ---- extends ------------------------------------------------------------- */

struct ext_frame {
	const char *file, *service;
};

/* The position of each service of a services mapping, so that a project
 * of thousands of services extending others is not quadratic; one per
 * mapping seen (the file's own, and those of extends.file). */
#define EXT_INDEXES 8

struct ext_index {
	const struct node *services;
	struct strmap pos; /* name -> pair index + 1 */
};

struct ext_ctx {
	struct lctx *c;
	struct ext_frame stack[LOAD_MAX_EXTENDS_DEPTH];
	size_t depth;
	struct ext_index ix[EXT_INDEXES];
	size_t n_ix;
	struct ptrvec files; /* struct ext_file *: extends.file read once each */
};

/* A file named by extends.file, parsed, interpolated and merged, kept
 * when that gave no message at all (so reading it again could only do the
 * same work again). */
struct ext_file {
	const char *path;
	const struct env *env;
	struct node *services;
	struct scope fsc;
};

/* services[name]: extends only replaces values in a services mapping, so
 * the positions stay valid. */
static struct node_pair *find_service(struct ext_ctx *x, struct node *services, const char *name)
{
	if (services->kind != NODE_MAP || services->map.n < 16)
		return node_map_find(services, name);
	struct ext_index *ix = NULL;
	for (size_t i = 0; i < x->n_ix && !ix; i++)
		if (x->ix[i].services == services)
			ix = &x->ix[i];
	if (!ix && x->n_ix == EXT_INDEXES)
		return node_map_find(services, name);
	if (!ix) {
		ix = &x->ix[x->n_ix++];
		ix->services = services;
		strmap_init(&ix->pos, arena_aux(x->c->a));
		for (size_t i = services->map.n; i-- > 0;) /* the first of equal keys wins, as in a scan */
			strmap_put(&ix->pos, services->map.pairs[i].key->scalar.text, (void *)(uintptr_t)(i + 1));
	}
	uintptr_t at = (uintptr_t)strmap_get(&ix->pos, name);
	return at ? &services->map.pairs[at - 1] : NULL;
}

static struct node *resolve_extends(struct ext_ctx *x, const struct scope *sc, struct node *services,
				    const char *name, struct loc at);

/* The services of another file named by extends.file. */
static struct node *extends_file_services(struct ext_ctx *x, const struct scope *sc, const char *path,
					  struct scope *fsc, struct loc at)
{
	struct lctx *c = x->c;
	size_t len;
	if (!is_file(path)) {
		diag_error(c->d, at, "cannot extend from \"%s\": file not found", path);
		return NULL;
	}
	for (size_t i = 0; i < x->files.n; i++) {
		const struct ext_file *f = x->files.v[i];
		if (f->env == sc->env && strcmp(f->path, path) == 0) {
			*fsc = f->fsc;
			return node_copy(c->a, f->services);
		}
	}
	int messages = c->d->errors + c->d->warnings;
	const char *shown;
	size_t owned;
	const char *text = read_file(c, path, &len, &shown, &owned);
	struct ptrvec docs = { 0 };
	int parsed = text ? yaml_parse(c->a, c->d, shown, text, len, NULL, &docs) : -1;
	if (text)
		release_text(c, text, owned);
	if (parsed != 0)
		return NULL;
	*fsc = (struct scope){ sc->env, path_dir(c->a, path), path };
	struct node *model = NULL;
	for (size_t i = 0; i < docs.n; i++) {
		struct node *doc = docs.v[i];
		if (doc->kind != NODE_MAP)
			continue;
		doc = abs_paths(c, interpolate_tree(c, fsc, doc), fsc->dir);
		model = merge_trees(c->a, c->d, model, doc, NULL, 0);
	}
	struct node *svcs = node_map_get(model, "services");
	if (!svcs || svcs->kind != NODE_MAP) {
		diag_error(c->d, at, "cannot extend from \"%s\": no services section", path);
		return NULL;
	}
	if (c->d->errors + c->d->warnings == messages) {
		struct ext_file *f = arena_alloc(c->a, sizeof(*f));
		*f = (struct ext_file){ path, sc->env, svcs, *fsc };
		ptrvec_push(&x->files, c->a, f);
	}
	return node_copy(c->a, svcs);
}

static struct node *extends_base(struct ext_ctx *x, const struct scope *sc, struct node *services,
				 struct node *ext, const char *name)
{
	struct lctx *c = x->c;
	const char *base = scalar_of(ext), *file = NULL;
	if (ext->kind == NODE_MAP) {
		base = scalar_of(node_map_get(ext, "service"));
		file = scalar_of(node_map_get(ext, "file"));
		if (!base) {
			diag_error(c->d, ext->loc, "\"extends\" of service \"%s\" needs a \"service\"", name);
			return NULL;
		}
	} else if (!base) {
		diag_error(c->d, ext->loc, "\"extends\" must be a string or a mapping, not a %s", node_kind_name(ext));
		return NULL;
	}
	if (!file)
		return resolve_extends(x, sc, services, base, ext->loc);
	struct scope fsc;
	struct node *fsvcs = extends_file_services(x, sc, path_join(c->a, sc->dir, file), &fsc, ext->loc);
	return fsvcs ? resolve_extends(x, &fsc, fsvcs, base, ext->loc) : NULL;
}

/* The service `name` of `services` with its extends chain applied;
 * services is updated in place so each service is resolved once. */
static struct node *resolve_extends(struct ext_ctx *x, const struct scope *sc, struct node *services,
				    const char *name, struct loc at)
{
	struct lctx *c = x->c;
	struct node_pair *sp = find_service(x, services, name);
	if (!sp) {
		diag_error(c->d, at, "cannot extend service \"%s\": not found in \"%s\"", name, sc->file);
		return NULL;
	}
	struct node *ext = node_map_get(sp->value, "extends");
	if (!ext)
		return sp->value;
	for (size_t i = 0; i < x->depth; i++) {
		if (strcmp(x->stack[i].service, name) == 0 && strcmp(x->stack[i].file, sc->file) == 0) {
			diag_error(c->d, ext->loc, "extends cycle: service \"%s\" extends itself", name);
			return NULL;
		}
	}
	if (x->depth >= LOAD_MAX_EXTENDS_DEPTH) {
		diag_error(c->d, ext->loc, "extends chain longer than %d (limit: extends depth)", LOAD_MAX_EXTENDS_DEPTH);
		return NULL;
	}
	x->stack[x->depth++] = (struct ext_frame){ sc->file, name };
	struct node *base = extends_base(x, sc, services, ext, name);
	x->depth--;
	struct node *local = node_copy(c->a, sp->value);
	node_map_remove(local, "extends");
	if (!base)
		return local;
	if (node_map_get(base, "extends")) { /* not once resolved: then it is a merge result */
		base = node_copy(c->a, base);
		node_map_remove(base, "extends");
	}
	const char *prefix[] = { "services", name };
	struct node *merged = merge_trees(c->a, c->d, base, local, prefix, 2);
	find_service(x, services, name)->value = merged;
	return merged;
}

static struct node *apply_extends(struct lctx *c, const struct scope *sc, struct node *doc)
{
	struct node *svcs = node_map_get(doc, "services");
	if (!svcs || svcs->kind != NODE_MAP)
		return doc;
	doc = node_copy(c->a, doc);
	svcs = node_copy(c->a, svcs);
	node_map_set(c->a, doc, "services", svcs);
	struct ext_ctx x = { .c = c };
	/* only services with extends need the lookup by name, which is linear */
	for (size_t i = 0; i < svcs->map.n; i++)
		if (node_map_get(svcs->map.pairs[i].value, "extends"))
			resolve_extends(&x, sc, svcs, svcs->map.pairs[i].key->scalar.text, svcs->map.pairs[i].key->loc);
	return doc;
}

/* ---- the schema's unique lists ------------------------------------------------ */

/* Equal as JSON values, as the schema's uniqueItems compares them: the same
 * kind, a scalar's type and text, a mapping's pairs in any order. */
static bool node_same(const struct node *a, const struct node *b)
{
	if (!a || !b || a->kind != b->kind)
		return a == b;
	switch (a->kind) {
	case NODE_SCALAR:
		return node_scalar_type(a) == node_scalar_type(b) && a->scalar.len == b->scalar.len &&
		       memcmp(a->scalar.text, b->scalar.text, a->scalar.len) == 0;
	case NODE_SEQ:
		if (a->seq.n != b->seq.n)
			return false;
		for (uint32_t i = 0; i < a->seq.n; i++)
			if (!node_same(a->seq.items[i], b->seq.items[i]))
				return false;
		return true;
	case NODE_MAP:
		if (a->map.n != b->map.n)
			return false;
		for (uint32_t i = 0; i < a->map.n; i++) {
			const struct node *v = node_map_get(b, a->map.pairs[i].key->scalar.text);
			if (!v || !node_same(a->map.pairs[i].value, v))
				return false;
		}
		return true;
	}
	return false;
}

/* The service attributes whose list form the Compose schema declares
 * uniqueItems (IR_UNIQUE in the field table: the lists themselves,
 * list_of_strings, the list forms of list_or_dict and extra_hosts).
 * docker compose checks each file after interpolation and before the
 * merge, which appends lists and removes what repeats: a repeat inside one
 * file is an error there. */
static bool unique_list(const char *key)
{
	const struct ir_field *f = ir_service_field(key);
	return f && (f->flags & IR_UNIQUE);
}

static void check_unique_lists(struct lctx *c, const struct node *doc)
{
	const struct node *services = node_map_get(doc, "services");
	if (!services || services->kind != NODE_MAP)
		return;
	for (uint32_t i = 0; i < services->map.n; i++) {
		const struct node *svc = services->map.pairs[i].value;
		if (!svc || svc->kind != NODE_MAP)
			continue;
		for (uint32_t p = 0; p < svc->map.n; p++) { /* in the file's order */
			const char *key = svc->map.pairs[p].key->scalar.text;
			const struct node *l = svc->map.pairs[p].value;
			if (!l || l->kind != NODE_SEQ || l->seq.n > 4096 /* quadratic: real lists are short */ ||
			    !unique_list(key))
				continue;
			for (uint32_t x = 1; x < l->seq.n; x++)
				for (uint32_t y = 0; y < x; y++)
					if (node_same(l->seq.items[x], l->seq.items[y])) {
						diag_error(c->d, l->seq.items[x]->loc,
							   "\"services.%s.%s\": items %u and %u are equal (each may appear "
							   "once)",
							   services->map.pairs[i].key->scalar.text, key, y, x);
						break;
					}
		}
	}
}

/* ---- files --------------------------------------------------------------- */

static void load_document(struct lctx *c, const struct scope *sc, struct node *doc, struct loaded *out)
{
	if (node_is_null(doc))
		return;
	if (doc->kind != NODE_MAP) {
		diag_error(c->d, doc->loc, "top-level object must be a mapping, not a %s", node_kind_name(doc));
		return;
	}
	doc = interpolate_tree(c, sc, doc);
	check_unique_lists(c, doc);
	struct node *version = node_map_get(doc, "version");
	if (version) {
		diag_warning(c->d, version->loc, "the attribute \"version\" is obsolete, ignoring");
		doc = node_copy(c->a, doc);
		node_map_remove(doc, "version");
	}
	const char *name = scalar_of(node_map_get(doc, "name"));
	if (name && *name)
		out->name = name;
	doc = apply_includes(c, sc, doc);
	doc = apply_extends(c, sc, doc);
	out->model = merge_trees(c->a, c->d, out->model, doc, NULL, 0);
}

/* Parse every file; each document is a struct node * in docs, and the
 * file it came from is in paths (parallel). */
static void parse_files(struct lctx *c, const struct strvec *files, struct ptrvec *docs, struct strvec *paths)
{
	for (size_t i = 0; i < files->n; i++) {
		size_t len, before = docs->n;
		const char *shown;
		size_t owned;
		const char *text = read_file(c, files->v[i], &len, &shown, &owned);
		int parsed = text ? yaml_parse(c->a, c->d, shown, text, len, NULL, docs) : -1;
		if (text)
			release_text(c, text, owned);
		if (parsed != 0)
			continue;
		for (size_t j = before; j < docs->n; j++)
			strvec_push(paths, c->a, files->v[i]);
	}
}

static void process_docs(struct lctx *c, const struct scope *sc, const struct ptrvec *docs,
			 const struct strvec *paths, struct loaded *out)
{
	for (size_t i = 0; i < docs->n && i < paths->n; i++) {
		struct scope fsc = *sc;
		fsc.file = paths->v[i];
		load_document(c, &fsc, docs->v[i], out);
	}
}

static void load_files(struct lctx *c, const struct scope *sc, const struct strvec *files, struct loaded *out)
{
	struct ptrvec docs = { 0 };
	struct strvec paths = { 0 };
	parse_files(c, files, &docs, &paths);
	process_docs(c, sc, &docs, &paths, out);
}

/* The last non-empty top-level name: of the documents, interpolated on its
 * own (it decides COMPOSE_PROJECT_NAME, which the rest may use). */
static const char *name_from_docs(struct lctx *c, const struct scope *sc, const struct ptrvec *docs)
{
	const char *name = NULL;
	for (size_t i = 0; i < docs->n; i++) {
		struct node *n = node_map_get(docs->v[i], "name");
		if (!n || n->kind != NODE_SCALAR)
			continue;
		/* a copy: the document is interpolated later, with
		 * COMPOSE_PROJECT_NAME set */
		n = interpolate_tree(c, sc, node_copy(c->a, n));
		if (*n->scalar.text)
			name = n->scalar.text;
	}
	return name;
}

/* ---- project name, files, environment ------------------------------------ */

const char *project_name_normalize(struct arena *a, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = s; *p; p++) {
		char ch = (char)tolower((unsigned char)*p);
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
			if (sb.len || (ch != '_' && ch != '-'))
				sb_addc(&sb, ch);
	}
	char *r = sb_to_arena(&sb, a);
	sb_release(&sb);
	return r;
}

bool project_name_valid(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

static const char *choose_name(struct lctx *c, const struct env *env, const char *from_file, const char *dir)
{
	const char *given = c->o->project_name;
	const char *what = "-p";
	if (!given && env_get(env, "COMPOSE_PROJECT_NAME") && *env_get(env, "COMPOSE_PROJECT_NAME")) {
		given = env_get(env, "COMPOSE_PROJECT_NAME");
		what = "COMPOSE_PROJECT_NAME";
	}
	if (given) {
		if (!project_name_valid(given)) {
			diag_error(c->d, (struct loc){ 0 },
				   "invalid project name \"%s\" (from %s): must consist only of lowercase alphanumeric "
				   "characters, hyphens and underscores, and start with a letter or digit",
				   given, what);
			return NULL;
		}
		return given;
	}
	const char *n = project_name_normalize(c->a, from_file ? from_file : path_base(dir));
	if (!*n)
		n = NULL;
	if (!n)
		diag_error(c->d, (struct loc){ 0 }, "project name must not be empty (use -p or a top-level \"name\")");
	return n;
}

static const char *const default_files[] = { "compose.yaml", "compose.yml", "docker-compose.yml",
					     "docker-compose.yaml" };
static const char *const override_files[] = { "compose.override.yml", "compose.override.yaml",
					      "docker-compose.override.yml", "docker-compose.override.yaml" };

/* Look for the default files in dir and its parents. */
static bool find_default_files(struct lctx *c, const char *dir, struct strvec *out)
{
	for (const char *d = dir;; d = path_dir(c->a, d)) {
		for (size_t i = 0; i < ARRAY_SIZE(default_files); i++) {
			const char *p = path_join(c->a, d, default_files[i]);
			if (!is_file(p))
				continue;
			strvec_push(out, c->a, p);
			for (size_t j = 0; j < ARRAY_SIZE(override_files); j++) {
				const char *q = path_join(c->a, d, override_files[j]);
				if (is_file(q)) {
					strvec_push(out, c->a, q);
					break;
				}
			}
			return true;
		}
		if (strcmp(d, "/") == 0)
			return false;
	}
}

static const char *absolute(struct lctx *c, const char *p)
{
	return strcmp(p, "-") == 0 ? p : path_join(c->a, c->o->cwd, p);
}

static void split_list(struct lctx *c, const char *s, char sep, const char *base, struct strvec *out)
{
	while (s && *s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n) {
			const char *item = arena_strndup(c->a, s, n);
			strvec_push(out, c->a, base ? path_join(c->a, base, item) : item);
		}
		s = e ? e + 1 : NULL;
	}
}

/* The project's environment: the process environment, with --env-file or
 * <dir>/.env values for what it does not set. */
static struct env *project_env(struct lctx *c, const struct env *os, const char *dir)
{
	struct strvec files = { 0 };
	for (size_t i = 0; i < c->o->env_files.n; i++)
		strvec_push(&files, c->a, absolute(c, c->o->env_files.v[i]));
	const char *disable = env_get(os, "COMPOSE_DISABLE_ENV_FILE");
	bool disabled = disable && (strcmp(disable, "1") == 0 || strcasecmp(disable, "true") == 0);
	if (!files.n && !disabled && is_file(path_join(c->a, dir, ".env")))
		strvec_push(&files, c->a, path_join(c->a, dir, ".env"));
	struct env fenv;
	env_init(&fenv, c->a);
	read_env_files(c, &files, os, &fenv, (struct loc){ 0 });
	return env_overlay(c, os, &fenv);
}

static bool choose_files(struct lctx *c, const struct env *env, const char *dir, struct strvec *files)
{
	for (size_t i = 0; i < c->o->files.n; i++)
		strvec_push(files, c->a, absolute(c, c->o->files.v[i]));
	if (files->n)
		return true;
	const char *cf = env_get(env, "COMPOSE_FILE");
	if (cf && *cf) {
		const char *sep = env_get(env, "COMPOSE_PATH_SEPARATOR");
		split_list(c, cf, sep && *sep ? sep[0] : ':', dir, files);
		return true;
	}
	if (find_default_files(c, dir, files))
		return true;
	diag_error(c->d, (struct loc){ 0 },
		   "no configuration file provided: no compose.yaml, compose.yml, docker-compose.yml or "
		   "docker-compose.yaml in \"%s\" or its parents",
		   dir);
	return false;
}

static struct project *load_files_and_lower(struct lctx *cp)
{
	struct lctx c = *cp;
	struct arena *a = c.a;
	struct diag *d = c.d;
	const struct load_options *o = c.o;
	c.interp_budget = INTERP_MAX_OUTPUT;
	strmap_init(&c.warned, a);
	strmap_init(&c.shipped, a);
	struct env os;
	env_init(&os, a);
	env_load_environ(&os, o->environ);
	const char *dir = o->project_dir ? absolute(&c, o->project_dir) : NULL;
	const char *first = o->files.n && strcmp(o->files.v[0], "-") != 0 ? absolute(&c, o->files.v[0]) : NULL;
	if (!dir)
		dir = first ? path_dir(a, first) : o->cwd;
	struct env *env = project_env(&c, &os, dir);
	struct strvec files = { 0 };
	if (!choose_files(&c, env, dir, &files))
		return NULL;
	if (!o->project_dir && !o->files.n && files.n && strcmp(files.v[0], "-") != 0)
		dir = path_dir(a, files.v[0]);
	struct scope sc = { env, dir, NULL };
	struct ptrvec docs = { 0 };
	struct strvec paths = { 0 };
	parse_files(&c, &files, &docs, &paths);
	if (d->errors)
		return NULL;
	const char *name = choose_name(&c, env, name_from_docs(&c, &sc, &docs), dir);
	if (!name)
		return NULL;
	env_set_default(env, "COMPOSE_PROJECT_NAME", name);
	struct loaded model = { 0 };
	process_docs(&c, &sc, &docs, &paths, &model);
	if (d->errors)
		return NULL;
	if (!model.model) { /* every document was empty, as compose-go reports */
		diag_error(d, file_loc(display_name(&c, files.v[files.n - 1])), "empty compose file");
		return NULL;
	}
	struct lower_input in = { .arena = a, .diag = d, .model = model.model, .project_name = name,
				  .working_dir = dir, .env = env, .unknown = o->unknown,
				  .prune_unused = !o->all_resources, .lenient = o->lenient,
				  .key_locs = o->key_locs, .shipped = o->key_locs ? &c.shipped : NULL };
	struct strvec profiles = o->profiles;
	if (!profiles.n)
		split_list(&c, env_get(env, "COMPOSE_PROFILES"), ',', NULL, &profiles);
	in.profiles.v = profiles.v;
	in.profiles.n = profiles.n;
	in.config_files.v = files.v;
	in.config_files.n = files.n;
	struct project *p = lower_project(&in);
	if (p) {
		p->ignore_comments = (struct ir_ignore_comment **)c.ignores.v;
		p->n_ignore_comments = c.ignores.n;
	}
	return p;
}

/* The YAML trees (node structures, their arrays, merge and extends
 * scratch) go to an arena of their own, released as soon as the IR is
 * built: the IR points at texts only (node.h), never at nodes. */
static struct project *load(struct lctx *cp)
{
	struct arena trees;
	arena_init(&trees);
	struct arena *outer = cp->a->aux;
	cp->a->aux = &trees;
	struct project *p = load_files_and_lower(cp);
	cp->a->aux = outer;
	arena_release(&trees);
	return p;
}

struct project *load_project(struct arena *a, struct diag *d, const struct load_options *o)
{
	struct lctx c = { .a = a, .d = d, .o = o };
	return load(&c);
}

struct project *load_project_text(struct arena *a, struct diag *d, const struct load_options *o, const char *name,
				  const char *text, size_t len)
{
	struct load_options one = *o;
	one.files = (struct strvec){ 0 };
	strvec_push(&one.files, a, name);
	struct lctx c = { .a = a, .d = d, .o = &one, .mem_text = text, .mem_len = len };
	c.mem_path = absolute(&c, name);
	return load(&c);
}
