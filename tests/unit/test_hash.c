/*
 * test_hash.c - FNV-1a (base/hash.c): the published test vectors, and the
 * continued and side-by-side forms giving the very hash of the plain one
 * (the definition hashes in sh and plan output use them; a changed value
 * would recreate every container of a deployed project).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

/* Vectors of the FNV reference (64-bit FNV-1a). */
static void test_vectors(void **state)
{
	(void)state;
	assert_true(hash_fnv1a("", 0) == 0xcbf29ce484222325ULL);
	assert_true(hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(hash_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
}

static void test_more_is_concatenation(void **state)
{
	(void)state;
	const char *s = "composec pre_start v1;S5:image;";
	size_t n = strlen(s);
	for (size_t cut = 0; cut <= n; cut++)
		assert_true(hash_fnv1a_more(hash_fnv1a(s, cut), s + cut, n - cut) == hash_fnv1a(s, n));
}

/* Buffers of every length from 0 to 40 in groups of 1 to 7: lanes finish
 * at different times, empty ones at once, and more than three wait for
 * a lane to free up. */
static void test_many_equals_one_by_one(void **state)
{
	(void)state;
	char text[64];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('!' + (i * 37) % 90);
	for (size_t k = 1; k <= 7; k++) {
		for (size_t first = 0; first <= 40; first++) {
			const void *data[7];
			size_t len[7];
			uint64_t out[7];
			for (size_t i = 0; i < k; i++) {
				len[i] = (first + i * 13) % 41;
				data[i] = text + i;
				out[i] = 0;
			}
			hash_fnv1a_many(data, len, out, k);
			for (size_t i = 0; i < k; i++)
				assert_true(out[i] == hash_fnv1a(data[i], len[i]));
		}
	}
	hash_fnv1a_many(NULL, NULL, NULL, 0); /* nothing to do */
}

static void test_hex16(void **state)
{
	(void)state;
	char out[17], want[17];
	const uint64_t v[] = { 0, 1, 0xabcdef0123456789ULL, UINT64_MAX };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex16(out, v[i]);
		snprintf(want, sizeof(want), "%016llx", (unsigned long long)v[i]);
		assert_string_equal(out, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_more_is_concatenation),
		cmocka_unit_test(test_many_equals_one_by_one),
		cmocka_unit_test(test_hex16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
