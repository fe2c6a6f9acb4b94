/*
 * backend.h - what every target implements, and the table that finds it.
 *
 * A backend never writes files: it fills an in-memory file set of
 * {relative path, mode, contents}; the driver (cli/) writes it atomically
 * or prints it.  Adding a backend is one file and one entry in the table
 * (backends/table.c).
 */
#ifndef COMPOSEC_BACKEND_H
#define COMPOSEC_BACKEND_H

#include "ir/ir.h"
#include "plan/plan.h"

struct out_file {
	const char *path; /* relative, '/'-separated, checked by fileset_add */
	unsigned mode;    /* 0644, 0755 */
	const char *data; /* NULL: in the set's spill file, from spill_at */
	size_t len;
	long long spill_at;
};

struct fileset {
	struct arena *arena;
	struct out_file *files; /* sorted by path when the backend returns */
	size_t n, cap;
	struct strmap paths; /* once there are many files: the paths, for uniqueness */
	/* Set by the driver when the one file of an OUTPUT_FILE backend goes
	 * straight to a stream (standard output, whole, nothing to compare):
	 * then the file need not be held in memory at once (see
	 * fileset_stream).  NULL: every file is kept. */
	FILE *stream;
	/* Set by the driver when the set is only printed: contents past the
	 * first FILESET_HOLD bytes go to an unlinked temporary file instead of
	 * memory, so that a big project's units are not all held at once. */
	bool may_spill;
	FILE *spill; /* made when first needed */
	char *spill_buf; /* its stdio buffer */
	size_t held; /* bytes of contents in memory */
	size_t spill_len; /* bytes written to the spill file */
	char *spill_map;      /* the spill file mapped, once printing starts */
	size_t spill_printed; /* bytes printed from it since its pages were let go */
	/* The project the files are for (set by the driver): in a directory,
	 * a file marked for it and not in the set is one composec no longer
	 * generates. */
	const char *project;
};

void fileset_init(struct fileset *fs, struct arena *a);
/* Add a file (contents copied).  Returns -1, and adds nothing, when path is
 * not a safe relative name (empty, absolute, "..", control bytes, too
 * long) or already present. */
int fileset_add(struct fileset *fs, const char *path, unsigned mode, const struct strbuf *contents);
/* fileset_add without the copy: the set takes contents' buffer (freed with
 * the arena) and contents is left empty, whether the file was added or not. */
int fileset_take(struct fileset *fs, const char *path, unsigned mode, struct strbuf *contents);
void fileset_sort(struct fileset *fs);
/* Write the contents of f, a file of fs, to fp, from memory or from the
 * spill file.  Returns 0, or -1 when the spill file cannot be read. */
int fileset_print_file(struct fileset *fs, const struct out_file *f, FILE *fp);
/* Close the spill file, if there is one. */
void fileset_release(struct fileset *fs);
/* For a backend with one file, between two pieces of it: when fs->stream
 * is set and contents has grown past a chunk, write it out and empty it
 * (its memory is kept for the next piece); else nothing.  The backend
 * then ends with fileset_take of the rest as usual, which writes that
 * too, and must not fail after its first call. */
void fileset_stream(struct fileset *fs, struct strbuf *contents);

struct backend_options {
	enum engine engine;     /* --engine; default docker */
	int podman_version;     /* --podman-version as major*100+minor; default PLAN_PODMAN_VERSION_DEFAULT */
	int docker_version;     /* --docker-version, the same; default PLAN_DOCKER_VERSION_DEFAULT */
	/* the engine's command in units and plans: an absolute path, or a name
	 * systemd (>= 239) looks up in its search path; default /usr/bin/<engine>
	 * (units), <engine> (plan) */
	const char *engine_path;
	/* the absolute path of the output directory (-o DIR), NULL when the
	 * files are printed: Quadlet's units name the files written beside
	 * them by it */
	const char *output_dir;
	const char *namespace;   /* k8s: --namespace; NULL: none */
	const char *format;      /* k8s: --format yaml|json; NULL: yaml */
	bool pod;                /* quadlet: --pod, the containers in one <project>.pod */
	const char *wait_image;    /* k8s: --wait-image, the wait init containers' (sh, nc, nslookup) */
	const char *kubectl_image; /* k8s: --kubectl-image, the waits for a completed Job */
	const char *service_type;  /* k8s: --service-type, of services that publish ports; NULL: clusterip */
	const char *controller;    /* k8s: --controller, of long-running services; NULL: deployment */
	const char *pvc_size;      /* k8s: --pvc-size, a claim's request; NULL: 1Gi */
};

enum output_kind { OUTPUT_DIR, OUTPUT_FILE };

struct backend {
	const char *name;
	enum output_kind output;
	/* The output runs on one engine: the plan layer reports what one host
	 * cannot run. */
	bool one_host;
	/* The output runs on podman whatever --engine says (Quadlet). */
	bool podman_only;
	/* The output puts the configs and secrets written inline or from the
	 * environment into each container (plan_files): copied in between
	 * create and start, as docker compose does, or (Quadlet) bound from
	 * files its unit writes. */
	bool copies_files;
	/* Format the plan into out; report what cannot be expressed as
	 * warnings with the location of the compose attribute.  Returns 0, or
	 * -1 after errors. */
	int (*emit)(struct arena *a, struct diag *d, const struct plan *pl, const struct backend_options *o,
		    struct fileset *out);
};

const struct backend *backend_find(const char *name);
/* The podman release (major*100+minor) that introduced Quadlet key `key`
 * of group `group` (Container, Network, Volume, Build) as composec's key
 * table has it, or -1 when composec writes no such key. */
int quadlet_key_since(const char *group, const char *key);
/* Build the plan of p for b (plan_build) and emit it.  Returns 0, or -1
 * after errors. */
int backend_run(struct arena *a, struct diag *d, const struct backend *b, const struct project *p,
		const struct backend_options *o, struct fileset *out);

/* The first line (as a comment) of every file composec generates; a file
 * of a multi-file target goes on with BACKEND_PROJECT_MARK and the
 * project's name, so that a later run for the same project can tell its
 * own files from another project's (cli/output.c removes those it no
 * longer generates). */
#define BACKEND_GENERATED_MARK "generated by composec"
#define BACKEND_PROJECT_MARK " for project \""

#endif
