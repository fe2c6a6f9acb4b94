/*
 * fuzz_common.h - what the libFuzzer targets share: a private, empty
 * working directory per process (the fuzzed compose file is loaded from
 * memory as compose.yaml in it, so nothing the input names is found next
 * to it), a fixed small environment, and diagnostics thrown away after
 * being formatted (formatting is code under test too).
 *
 * Header-only on purpose: every target is one .c file plus this.
 */
#ifndef COMPOSEC_FUZZ_COMMON_H
#define COMPOSEC_FUZZ_COMMON_H

#include "frontend/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Variables the inputs may refer to: set, empty, and one with a '$'. */
static char *fuzz_environ[] = {
	"FOO=foo", "EMPTY=", "TAG=1.2", "PORT=8080", "DOLLAR=a$b", "COMPOSE_PROFILES=", NULL,
};

static char fuzz_tmp[64], fuzz_cwd[4096];
static FILE *fuzz_null;

static void fuzz_cleanup(void)
{
	rmdir(fuzz_cwd);
	rmdir(fuzz_tmp);
}

/* Once per process: chdir into a fresh empty directory named "proj" (the
 * default project name). */
static void fuzz_setup(void)
{
	if (fuzz_null)
		return;
	snprintf(fuzz_tmp, sizeof(fuzz_tmp), "/tmp/composec-fuzz.XXXXXX");
	if (!mkdtemp(fuzz_tmp))
		abort();
	snprintf(fuzz_cwd, sizeof(fuzz_cwd), "%s/proj", fuzz_tmp);
	if (mkdir(fuzz_cwd, 0700) != 0 || chdir(fuzz_cwd) != 0)
		abort();
	atexit(fuzz_cleanup);
	fuzz_null = fopen("/dev/null", "w");
	if (!fuzz_null)
		abort();
}

/* Load data as <cwd>/compose.yaml; NULL when it has errors. */
static struct project *fuzz_load(struct arena *a, struct diag *d, const uint8_t *data, size_t size)
{
	struct load_options o = { 0 };
	o.environ = fuzz_environ;
	o.cwd = fuzz_cwd;
	o.key_locs = true; /* as the audit loads: its locations are fuzzed too */
	return load_project_text(a, d, &o, "compose.yaml", (const char *)data, size);
}

#endif
