/*
 * test_fileset.c - the in-memory output set of a backend
 * (backends/fileset.c): which relative paths are accepted, duplicates,
 * copies of the contents, and the sort; and the name tables of the backend
 * layer (backends/table.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/backend.h"

static int add(struct fileset *fs, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "x\n");
	int rc = fileset_add(fs, path, 0644, &sb);
	sb_release(&sb);
	return rc;
}

static void test_safe_paths(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct fileset fs;
	fileset_init(&fs, &a);
	const char *ok[] = { "a.service", "dir/b.container", "demo-web@.service", ".hidden", "a..b", "..x", "x..",
			     "deep/er/still/fine.txt", "h\xc3\xa9.txt" };
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (add(&fs, ok[i]) != 0)
			fail_msg("rejected %s", ok[i]);
	assert_int_equal(fs.n, ARRAY_SIZE(ok));
	arena_release(&a);
}

static void test_unsafe_paths(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct fileset fs;
	fileset_init(&fs, &a);
	char longc[300], longp[1100];
	memset(longc, 'c', 256);
	longc[256] = '\0';
	for (size_t i = 0; i < sizeof(longp) - 1; i++)
		longp[i] = i % 100 == 99 ? '/' : 'p';
	longp[sizeof(longp) - 1] = '\0';
	const char *bad[] = { "", "/etc/passwd", "..", "../x", "a/../b", "a/..", ".", "./a", "a/./b", "a//b", "a/",
			      "a\\b", "tab\tname", "nl\nname", "del\x7fname", "esc\x1b[0m", longc, longp };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (add(&fs, bad[i]) != -1)
			fail_msg("accepted bad path %zu", i);
	assert_int_equal(fs.n, 0);
	/* the limits themselves are allowed */
	longc[255] = '\0';
	assert_int_equal(add(&fs, longc), 0);
	char maxp[1025];
	for (size_t i = 0; i < 1024; i++)
		maxp[i] = i % 200 == 199 ? '/' : 'm';
	maxp[1024] = '\0';
	assert_int_equal(add(&fs, maxp), 0);
	arena_release(&a);
}

static void test_duplicates_and_copies(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct fileset fs;
	fileset_init(&fs, &a);
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "a\0b", 3);
	char path[] = "x.service";
	assert_int_equal(fileset_add(&fs, path, 0755, &sb), 0);
	assert_int_equal(fileset_add(&fs, "x.service", 0644, &sb), -1);
	path[0] = 'y'; /* path and contents are copied */
	sb_reset(&sb);
	sb_adds(&sb, "changed");
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.files[0].path, "x.service");
	assert_int_equal(fs.files[0].mode, 0755);
	assert_int_equal(fs.files[0].len, 3);
	assert_memory_equal(fs.files[0].data, "a\0b", 3);
	assert_int_equal(fs.files[0].data[3], '\0');
	sb_release(&sb);
	arena_release(&a);
}

static void test_sort(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct fileset fs;
	fileset_init(&fs, &a);
	const char *in[] = { "web.service", "a/z", "B.network", "a.target", "db.service", "a-b", "Z" };
	const char *want[] = { "B.network", "Z", "a-b", "a.target", "a/z", "db.service", "web.service" };
	for (size_t i = 0; i < 40; i++) /* enough to grow the array a few times */
		assert_int_equal(add(&fs, arena_printf(&a, "gen/%02zu", 39 - i)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(add(&fs, in[i]), 0);
	fileset_sort(&fs);
	assert_int_equal(fs.n, 47);
	for (size_t i = 0; i < 6; i++) /* '-' < '.' < '/' < 'd' < 'g' < 'w' */
		assert_string_equal(fs.files[i].path, want[i]);
	for (size_t i = 0; i < 40; i++)
		assert_string_equal(fs.files[6 + i].path, arena_printf(&a, "gen/%02zu", i));
	assert_string_equal(fs.files[46].path, want[6]);
	arena_release(&a);
}

static void test_tables(void **state)
{
	(void)state;
	assert_string_equal(engine_names[ENGINE_DOCKER], "docker");
	assert_string_equal(engine_names[ENGINE_PODMAN], "podman");
	const char *names[] = { "systemd", "quadlet" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct backend *b = backend_find(names[i]);
		assert_non_null(b);
		assert_string_equal(b->name, names[i]);
	}
	assert_null(backend_find("nope"));
	assert_null(backend_find(""));
	assert_null(backend_find(NULL));
	assert_null(backend_find("Systemd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_paths),
		cmocka_unit_test(test_unsafe_paths),
		cmocka_unit_test(test_duplicates_and_copies),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
