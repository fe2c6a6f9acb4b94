/*
 * load.h - the frontend's entry point: compose files to the model IR.
 *
 * The pipeline (load.c), as compose-go runs it:
 *   find files -> project env (process env, then --env-file/.env) ->
 *   parse every file (yaml.c) -> project name -> per document:
 *   interpolate, include, extends, merge onto the model (merge.c) ->
 *   lower to the IR (lower.c: canonical forms, defaults, env_file,
 *   profiles, validation, dependency order).
 */
#ifndef COMPOSEC_LOAD_H
#define COMPOSEC_LOAD_H

#include "frontend/lower.h"

#define LOAD_MAX_FILE_SIZE (64u << 20)
/* All files read (every include and extends counted each time it is read) */
#define LOAD_MAX_TOTAL_SIZE (256u << 20)
#define LOAD_MAX_INCLUDE_DEPTH 32
#define LOAD_MAX_EXTENDS_DEPTH 64

struct load_options {
	struct strvec files;      /* -f; "-" is stdin; empty: COMPOSE_FILE or defaults */
	const char *project_name; /* -p */
	const char *project_dir;  /* --project-directory */
	struct strvec env_files;  /* --env-file */
	struct strvec profiles;   /* --profile */
	enum unknown_policy unknown;
	bool all_resources;       /* --all-resources: keep what no service uses */
	bool lenient;             /* audit: consistency errors are warnings */
	bool keep_sources;        /* keep every text read in memory (the audit's report quotes its lines) */
	bool key_locs;            /* record where every key is and the ignore comments (audit) */
	char *const *environ;     /* the process environment */
	const char *cwd;          /* absolute current directory */
};

/* The "# composec-ignore:" comments of text (the file known as file), as
 * struct ir_ignore_comment * pushed to out (ignores.c). */
void load_record_ignores(struct arena *a, struct ptrvec *out, const char *file, const char *text, size_t len);

/* Returns the project, or NULL after reporting errors to d. */
struct project *load_project(struct arena *a, struct diag *d, const struct load_options *o);

/* As load_project, with the one compose file given as text instead of
 * o->files (which is ignored): name is the path it is known by (relative to
 * o->cwd, or absolute), shown in messages and the base of its relative
 * paths.  Other files (include, extends, env files) are read from disk;
 * a reference back to name reads the text again.  For tests and fuzzing. */
struct project *load_project_text(struct arena *a, struct diag *d, const struct load_options *o, const char *name,
				  const char *text, size_t len);

/* Project names: normalise a name from the file or directory; check one
 * given by -p or COMPOSE_PROJECT_NAME. */
const char *project_name_normalize(struct arena *a, const char *s);
bool project_name_valid(const char *s);

#endif
