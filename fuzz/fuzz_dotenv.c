/*
 * fuzz_dotenv.c - libFuzzer target: the env_file / .env parser, with
 * interpolation of values against a small environment and the keys read
 * so far.  The first byte picks `format: raw`; the rest is the file.  The
 * diagnostics are formatted (with the source line and caret) and dropped.
 */
#include "frontend/env.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null_out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		abort();
	bool raw = data[0] & 1;
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	struct env base, out;
	env_init(&base, &a);
	env_init(&out, &a);
	env_set(&base, "HOME", "/root");
	env_set(&base, "EMPTY", "");
	env_set(&base, "Q", "'\"$");
	const char *text = arena_strndup(&a, (const char *)data + 1, size - 1);
	diag_add_source(&d, ".env", text, size - 1);
	dotenv_parse(&a, &d, ".env", text, size - 1, raw, env_lookup, &base, &out);
	for (size_t i = 0; i < out.keys.n; i++)
		if (!env_get(&out, out.keys.v[i]))
			abort(); /* every key read has a value */
	diag_flush(&d, null_out);
	diag_release(&d);
	arena_release(&a);
	return 0;
}
