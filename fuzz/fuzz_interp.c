/*
 * fuzz_interp.c - libFuzzer target: compose-go interpolation.
 *
 * The first byte picks the options (nesting bound, whether an unset
 * variable is reported); the rest is the template.  Besides the
 * sanitizers, one property is checked: text without '$' comes back
 * unchanged.
 */
#include "frontend/env.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int unset_calls;

static void on_unset(void *ctx, const char *name)
{
	(void)ctx, (void)name;
	unset_calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned opts = data[0];
	const char *s = (const char *)data + 1;
	size_t len = size - 1;
	struct arena a;
	arena_init(&a);
	struct env e;
	env_init(&e, &a);
	env_set(&e, "A", "a");
	env_set(&e, "EMPTY", "");
	env_set(&e, "NESTED", "${A}$$");
	env_set(&e, "LONG", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	env_set(&e, "x_1", "}{:-");
	struct interp ip = { .arena = &a, .lookup = env_lookup, .lookup_ctx = &e };
	if (opts & 1)
		ip.on_unset = on_unset;
	if (opts & 2)
		ip.max_depth = (int)(opts >> 2) % 8;
	const char *out = NULL, *err = NULL;
	size_t outlen = 0;
	int r = interpolate(&ip, s, len, &out, &outlen, &err);
	if (r == 0) {
		if (!out || out[outlen] != '\0')
			abort();
		if (!memchr(s, '$', len) && (outlen != len || memcmp(out, s, len) != 0))
			abort();
	} else if (!err) {
		abort();
	}
	arena_release(&a);
	return 0;
}
