/*
 * test_arena.c - the arena's promises (base/arena.c): memory handed out
 * is zero, also after a rewind and from a donated block; a donated block
 * is allocated from next and freed with the arena, or at once when it is
 * too small to bother (the sanitizer build catches a leak or a double
 * free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_rewind_gives_zeroed_memory_again(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	arena_alloc(&a, 1);
	struct arena_mark m = arena_mark(&a);
	for (int round = 0; round < 3; round++) {
		unsigned char *p = arena_alloc(&a, 1000);
		char *s = arena_strdup(&a, "text from the top of the chunk");
		unsigned char *big = arena_alloc(&a, 300 * 1024); /* a chunk of its own */
		assert_true(all_zero(p, 1000));
		assert_true(all_zero(big, 300 * 1024));
		memset(p, 0xff, 1000);
		memset(big, 0xff, 300 * 1024);
		assert_string_equal(s, "text from the top of the chunk");
		arena_rewind(&a, m);
	}
	arena_release(&a);
}

static void test_donated_block_is_used_and_zero(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	arena_alloc(&a, 16);
	size_t size = 1 << 20;
	unsigned char *block = malloc(size);
	assert_non_null(block);
	memset(block, 0x5a, size); /* a file's text, say */
	arena_donate(&a, block, size);
	unsigned char *p = arena_alloc(&a, 4096);
	assert_true(p > block && p + 4096 <= block + size);
	assert_true(all_zero(p, 4096));
	char *s = arena_strdup(&a, "from the top");
	assert_true((unsigned char *)s > block && (unsigned char *)s < block + size);
	/* the rest of the block is zero too: allocate it all */
	size_t got = 4096 + 16;
	for (;;) {
		unsigned char *q = arena_alloc(&a, 4096);
		if (q < block || q >= block + size)
			break;
		assert_true(all_zero(q, 4096));
		got += 4096;
	}
	assert_true(got > size - 8192);
	arena_release(&a); /* frees the block: no leak */
}

static void test_small_donation_and_rewind_past_it(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	arena_alloc(&a, 1);
	arena_donate(&a, malloc(100), 100); /* freed at once */
	struct arena_mark m = arena_mark(&a);
	unsigned char *block = malloc(256 * 1024);
	assert_non_null(block);
	arena_donate(&a, block, 256 * 1024);
	unsigned char *p = arena_alloc(&a, 64);
	assert_true(p > block && p < block + 256 * 1024);
	arena_rewind(&a, m); /* the donated block goes with what came after m */
	assert_true(all_zero(arena_alloc(&a, 64), 64));
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewind_gives_zeroed_memory_again),
		cmocka_unit_test(test_donated_block_is_used_and_zero),
		cmocka_unit_test(test_small_donation_and_rewind_past_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
