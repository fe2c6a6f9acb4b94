/*
 * table.c - the name tables of the backend layer: the engines and the
 * backends.  A backend is found by name here and nowhere else (no switch on
 * the target anywhere); adding one is one file and one line below.
 */
#include "backends/backend.h"

#include <string.h>

const char *const engine_names[ENGINE__MAX] = { "docker", "podman" };

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
