/*
 * test_fields.c - the field table (ir/fields.c): in name order, found by
 * name, and every plain row read by lowering, located, known to be set and
 * printed by `config` by its type alone, so that a row added later is
 * checked here without a word of this file changing.  Also the merge and
 * uniqueness columns as the frontend applies them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/field_samples.h"

#include "frontend/load.h"

struct fx {
	struct arena a;
	struct diag d;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	strcpy(f->dir, "/tmp/test_fields.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Write files[0..n) (name, text pairs) and load the first ones as -f. */
static struct project *load_files(struct fx *f, const char *const *files, size_t n, size_t n_compose,
				  const char *profile)
{
	struct load_options o = { 0 };
	if (profile)
		strvec_push(&o.profiles, &f->a, profile);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(&f->a, "%s/%s", f->dir, files[2 * i]);
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		assert_int_equal(fputs(files[2 * i + 1], fp) >= 0, 1);
		assert_int_equal(fclose(fp), 0);
		if (i < n_compose)
			strvec_push(&o.files, &f->a, path);
	}
	static char *env[] = { "HOME=/home/u", NULL };
	o.environ = env;
	o.cwd = f->dir;
	return load_project(&f->a, &f->d, &o);
}

static void test_sorted_and_found(void **state)
{
	(void)state;
	assert_true(ir_n_service_fields > 80);
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		if (i)
			assert_true(strcmp(ir_service_fields[i - 1].name, ir_service_fields[i].name) < 0);
		assert_ptr_equal(ir_service_field(ir_service_fields[i].name), &ir_service_fields[i]);
	}
	assert_null(ir_service_field("enviroment"));
	assert_null(ir_service_field(""));
	assert_null(ir_service_field("zzz"));
}

/* A value of each plain row, as a compose file writes it: by its type,
 * but for the few whose value names something. */
static const char *sample(const struct ir_field *fl)
{
	static const char *const named[][2] = {
		{ "links", "[\"s000\"]" },
		{ "profiles", "[\"on\"]" },
		{ "volumes_from", "[\"container:c\"]" },
		{ "tmpfs", "\"/run\"" },
		{ "dns", "\"10.0.0.1\"" },
		{ "container_name", "\"c1\"" }, /* the pattern wants two characters */
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(fl->name, named[i][0]) == 0)
			return named[i][1];
	return field_sample_of_type(fl->type);
}

/* Every plain row, one per service (service s<i> writes row i on line
 * 4 + 3i, and an image): lowered without a word, set, located at its key,
 * and printed by config. */
static void test_every_plain_row(void **state)
{
	struct fx *f = *state;
	struct strbuf y = STRBUF_INIT;
	sb_adds(&y, "name: t\nservices:\n");
	size_t plain = 0;
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		const struct ir_field *fl = &ir_service_fields[i];
		const char *v = sample(fl);
		sb_addf(&y, "  s%03zu:\n    %s: %s\n", i, v ? fl->name : "# not plain", v ? v : "");
		sb_adds(&y, strcmp(fl->name, "image") == 0 ? "    # the image\n" : "    image: img\n");
		plain += v != NULL;
	}
	assert_true(plain > 60);
	const char *files[] = { "compose.yaml", y.buf };
	struct project *p = load_files(f, files, 1, 1, "on");
	if (!p || f->d.errors || f->d.warnings)
		fail_msg("%s", f->d.out.buf);
	struct strbuf out = STRBUF_INIT;
	dump_config(p, DUMP_YAML, &out);
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		const struct ir_field *fl = &ir_service_fields[i];
		if (!sample(fl))
			continue;
		char name[32];
		snprintf(name, sizeof(name), "s%03zu", i);
		const struct service *s = project_service(p, name);
		assert_non_null(s);
		if (!ir_field_set(s, fl))
			fail_msg("%s: not set", fl->name);
		struct loc at = ir_field_loc(s, fl);
		assert_int_equal(at.line, 4 + 3 * (int)i);
		assert_int_equal(at.col, 5);
		/* config prints it under its own key */
		const char *svc = strstr(out.buf, arena_printf(&f->a, "  %s:\n", name));
		assert_non_null(svc);
		const char *next = strstr(svc + 1, "\n  s");
		const char *key = strstr(svc, arena_printf(&f->a, "\n    %s:", fl->name));
		if (!key || (next && key > next))
			fail_msg("config does not print %s", fl->name);
		/* nothing else is set on a service that writes one row */
		for (size_t k = 0; k < ir_n_service_fields; k++)
			if (k != i && strcmp(ir_service_fields[k].name, "image") && sample(&ir_service_fields[k]) &&
			    ir_field_set(s, &ir_service_fields[k]))
				fail_msg("%s set where only %s is written", ir_service_fields[k].name, fl->name);
	}
	sb_release(&out);
	sb_release(&y);
}

/* The merge column: an override file's lists and maps as the row says. */
static void test_merge_column(void **state)
{
	struct fx *f = *state;
	const char *files[] = {
		"compose.yaml",
		"services:\n  a:\n    image: i\n    cap_add: [A, B]\n    security_opt: [x]\n"
		"    labels: {k1: one, k2: two}\n    command: [first, one]\n",
		"override.yaml",
		"services:\n  a:\n    cap_add: [B, C]\n    security_opt: [x]\n    labels: [k2=zwei]\n"
		"    command: [second]\n",
	};
	struct project *p = load_files(f, files, 2, 2, NULL);
	if (!p || f->d.errors)
		fail_msg("%s", f->d.out.buf);
	const struct service *s = project_service(p, "a");
	assert_int_equal(ir_service_field("cap_add")->merge, IR_MERGE_UNIQUE);
	assert_int_equal(s->cap_add.n, 3); /* unique: B once */
	assert_int_equal(ir_service_field("security_opt")->merge, IR_MERGE_PLAIN);
	assert_int_equal(s->security_opt.n, 2); /* appended */
	assert_int_equal(ir_service_field("labels")->merge, IR_MERGE_MAP);
	assert_string_equal(kvlist_get(&s->labels, "k1")->value, "one");
	assert_string_equal(kvlist_get(&s->labels, "k2")->value, "zwei");
	assert_int_equal(ir_service_field("command")->merge, IR_MERGE_REPLACE);
	assert_int_equal(s->command.argv.n, 1);
}

/* The uniqueness column: a repeated item in one file is an error where the
 * schema says uniqueItems, and not elsewhere. */
static void test_unique_column(void **state)
{
	struct fx *f = *state;
	assert_true(ir_service_field("cap_add")->flags & IR_UNIQUE);
	assert_false(ir_service_field("command")->flags & IR_UNIQUE);
	const char *bad[] = { "compose.yaml", "services:\n  a:\n    image: i\n    cap_add: [A, A]\n" };
	assert_null(load_files(f, bad, 1, 1, NULL));
	assert_non_null(strstr(f->d.out.buf, "\"services.a.cap_add\": items 0 and 1 are equal"));
	diag_release(&f->d);
	diag_init(&f->d, &f->a);
	const char *ok[] = { "compose.yaml", "services:\n  a:\n    image: i\n    command: [A, A]\n" };
	assert_non_null(load_files(f, ok, 1, 1, NULL));
	assert_int_equal(f->d.errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_and_found),
		cmocka_unit_test_setup_teardown(test_every_plain_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_column, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
