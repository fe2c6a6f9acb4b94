/*
 * table.c - the name table of the backend layer, and how a backend is
 * run on the plan of a project.  A backend is found by name here and nowhere else (no switch on
 * the target anywhere); adding one is one file and one line below.
 */
#include "backends/backend.h"

#include <string.h>

extern const struct backend backend_systemd, backend_quadlet;
extern const struct backend backend_plan;
extern const struct backend backend_sh;
extern const struct backend backend_k8s;

static const struct backend *const backend_table[] = {
	&backend_systemd,
	&backend_quadlet,
	&backend_plan,
	&backend_sh,
	&backend_k8s,
};

const struct backend *backend_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(backend_table); i++)
		if (strcmp(backend_table[i]->name, name) == 0)
			return backend_table[i];
	return NULL;
}

int backend_run(struct arena *a, struct diag *d, const struct backend *b, const struct project *p,
		const struct backend_options *o, struct fileset *out)
{
	struct plan pl;
	enum engine e = b->podman_only ? ENGINE_PODMAN : o->engine;
	struct plan_options po = {
		.engine = e,
		.engine_version = e == ENGINE_PODMAN ? o->podman_version : o->docker_version,
		.one_host = b->one_host,
		.qualified_images = b->podman_only,
		.copy_files = b->copies_files,
	};
	if (plan_build(a, d, p, &po, &pl) != 0)
		return -1;
	return b->emit(a, d, &pl, o, out);
}
