/*
 * lower.h - from the merged YAML tree to the typed IR.
 *
 * Requires: the model root after interpolation, include, extends and the
 * merge of every file (frontend/load.c); its relative paths not yet
 * resolved.  Provides: a struct project with every short syntax lowered,
 * env_file merged into environment, paths absolute, resource names set,
 * the default network added when used, implicit dependencies added,
 * profiles applied, pre_start image/environment inherited, validation
 * errors reported, the dependency order computed, and (with
 * prune_unused) the resources no enabled service uses dropped.
 */
#ifndef COMPOSEC_LOWER_H
#define COMPOSEC_LOWER_H

#include "frontend/env.h"
#include "frontend/node.h"
#include "ir/ir.h"

/* Limits (DESIGN.md section 9); each error names its limit. */
#define LOWER_MAX_SERVICES 10000  /* services in a project */
#define LOWER_MAX_RESOURCES 10000 /* networks, volumes, secrets, configs: each */
#define LOWER_MAX_NAME 255        /* bytes in a service or resource name */
#define LOWER_MAX_PORTS 65536     /* ports in a project, ranges expanded */
#define LOWER_MAX_FILE_SIZE (64u << 20) /* env_file, label_file: as LOAD_MAX_FILE_SIZE */
#define LOWER_MAX_FILES_TOTAL (256u << 20) /* all of them, every service's reading counted */

enum unknown_policy { UNKNOWN_WARN = 0, UNKNOWN_ERROR, UNKNOWN_IGNORE };

struct lower_input {
	struct arena *arena;
	struct diag *diag;
	struct node *model;           /* root mapping */
	const char *project_name;     /* already normalized */
	const char *working_dir;      /* absolute project directory */
	const struct env *env;        /* project environment (process env + .env) */
	struct strlist profiles;      /* active profiles; "*" enables all */
	struct strlist config_files;  /* absolute paths of the -f files */
	enum unknown_policy unknown;
	bool prune_unused;            /* drop resources no enabled service uses */
	/* Report consistency problems (undefined references, no image,
	 * conflicting settings) as warnings: `audit` reads files that docker
	 * compose would refuse, to tell what is wrong with them. */
	bool lenient;
	bool key_locs; /* record where every key is (project->key_locs) */
	/* with key_locs: what each interpolated scalar is with no variable set,
	 * by "file:line:col" (kv.shipped); may be NULL */
	const struct strmap *shipped;
};

/* Returns the project, or NULL when errors were reported. */
struct project *lower_project(const struct lower_input *in);

#endif
