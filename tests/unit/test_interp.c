/*
 * test_interp.c - interpolation against the vectors of compose-go's
 * template_test.go and the compose spec, plus the edge cases the scanner
 * must get right: brace matching, lazy defaults, the unset report, the
 * nesting bound and length-delimited input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/env.h"

struct fx {
	struct arena a;
	struct env env;
	struct interp ip;
	struct strvec unset; /* names reported by on_unset, in order */
};

struct vec {
	const char *in, *want;
};

static void record_unset(void *ctx, const char *name)
{
	struct fx *f = ctx;
	strvec_push(&f->unset, &f->a, name);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	arena_init(&f->a);
	env_init(&f->env, &f->a);
	env_set(&f->env, "FOO", "first");
	env_set(&f->env, "BAR", "");
	env_set(&f->env, "JSON", "{\"json\":2}");
	f->ip = (struct interp){ &f->a, env_lookup, &f->env, record_unset, f, 0 };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Interpolate from an exactly-sized heap copy, so that ASan sees any read
 * past len.  Returns the result or fails the test with the error. */
static const char *subst_n(struct fx *f, const char *s, size_t len, size_t *outlen)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, s, len);
	const char *out = NULL, *err = NULL;
	int r = interpolate(&f->ip, copy, len, &out, outlen, &err);
	free(copy);
	if (r != 0)
		fail_msg("%s: unexpected error: %s", s, err ? err : "(null)");
	return out;
}

static const char *subst(struct fx *f, const char *s)
{
	size_t n = 0;
	const char *out = subst_n(f, s, strlen(s), &n);
	assert_int_equal(n, strlen(out));
	return out;
}

static const char *subst_err(struct fx *f, const char *s)
{
	const char *out = NULL, *err = NULL;
	size_t n = 0;
	int r = interpolate(&f->ip, s, strlen(s), &out, &n, &err);
	if (r != -1)
		fail_msg("%s: expected an error, got \"%s\"", s, out ? out : "(null)");
	assert_non_null(err);
	return err;
}

static void check_vectors(struct fx *f, const struct vec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = subst(f, v[i].in);
		if (strcmp(got, v[i].want) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", v[i].in, v[i].want, got);
	}
}

static void test_plain_and_escapes(void **state)
{
	static const struct vec v[] = {
		{ "foo", "foo" },
		{ "", "" },
		{ "$$", "$" },
		{ "$${foo}", "${foo}" },
		{ "$$FOO", "$FOO" },
		{ "a $ string", "a $ string" },
		{ "^REGEX$", "^REGEX$" },
		{ "$}", "$}" },
		{ "$", "$" },
		{ "$1", "$1" },
		{ "$1$FOO", "$1first" },
		{ "$FOO-bar", "first-bar" },
		{ "$FOO.bar", "first.bar" },
		{ "This $FOO var", "This first var" },
		{ "This ${FOO} var", "This first var" },
		{ "This ${missing} var", "This  var" },
		{ "This ${BAR} var", "This  var" },
		{ "${JSON}", "{\"json\":2}" },
		{ "$foo_bar9x", "" },
		{ "x\n${FOO}\n$FOO", "x\nfirst\nfirst" },
	};
	check_vectors(*state, v, ARRAY_SIZE(v));
}

static void test_operators(void **state)
{
	static const struct vec v[] = {
		{ "${BAR-def}", "" },
		{ "${BAR:-def}", "def" },
		{ "${BAR+x}", "x" },
		{ "${BAR:+x}", "" },
		{ "ok ${missing:-def}", "ok def" },
		{ "ok ${missing-def}", "ok def" },
		{ "ok ${FOO:-def}", "ok first" },
		{ "ok ${BAR-def}", "ok " },
		{ "ok ${UNSET_VAR:+presence_value}", "ok " },
		{ "ok ${UNSET_VAR+presence_value}", "ok " },
		{ "ok ${FOO:+presence_value}", "ok presence_value" },
		{ "ok ${FOO+presence_value}", "ok presence_value" },
		{ "ok ${BAR+presence_value}", "ok presence_value" },
		{ "ok ${BAR:+presence_value}", "ok " },
		{ "ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric" },
		{ "ok ${FOO:?err}", "ok first" },
		{ "ok ${FOO?err}", "ok first" },
		{ "ok ${BAR?err}", "ok " },
		{ "ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first" },
		{ "${UNSET_VAR-myerror?msg}", "myerror?msg" },
		{ "${FOO?bar-baz}", "first" },
		{ "${BAR:-default_value_for_empty_var}", "default_value_for_empty_var" },
		{ "${UNSET_VAR-default_value_for_unset_var}", "default_value_for_unset_var" },
		{ "${UNSET:-}", "" },
		{ "${foo:-lower}", "lower" },
	};
	check_vectors(*state, v, ARRAY_SIZE(v));
}

/* compose-go TestInterpolationExternalInterference: operator characters
 * outside the braces must not change the operator chosen inside. */
static void test_outer_text(void **state)
{
	static const struct vec v[] = {
		{ "-ok ${BAR:-defaultValue}", "-ok defaultValue" },
		{ "+ok ${UNSET:-${BAR-defaultValue}}", "+ok " },
		{ "-ok ${FOO:-defaultValue}", "-ok first" },
		{ ":-ok ${UNSET-defaultValue}", ":-ok defaultValue" },
		{ ":-ok ${BAR-defaultValue}", ":-ok " },
		{ ":?ok ${BAR-defaultValue}", ":?ok " },
		{ ":?ok ${BAR:-defaultValue}", ":?ok defaultValue" },
		{ ":+ok ${BAR:-defaultValue}", ":+ok defaultValue" },
		{ "+ok ${BAR-defaultValue}", "+ok " },
		{ "?ok ${BAR:-defaultValue}", "?ok defaultValue" },
	};
	check_vectors(*state, v, ARRAY_SIZE(v));
}

static void test_nested(void **state)
{
	static const struct vec v[] = {
		{ "${A:-${B:-c}}", "c" },
		{ "${A:-${FOO:-c}}", "first" },
		{ "${FOO:-${B:-c}}", "first" },
		{ "ok ${UNSET_VAR-$FOO}", "ok first" },
		{ "ok ${UNSET_VAR-${FOO}}", "ok first" },
		{ "ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first" },
		{ "ok ${BAR:-$FOO}", "ok first" },
		{ "ok ${BAR:-${FOO}}", "ok first" },
		{ "ok ${BAR:-${FOO} ${FOO}}", "ok first first" },
		{ "ok ${BAR+$FOO}", "ok first" },
		{ "ok ${BAR+$FOO ${FOO:+second}}", "ok first second" },
		{ "${FOO:+${FOO},}B", "first,B" },
		{ "${A:+${A},}B", "B" },
	};
	struct fx *f = *state;
	check_vectors(f, v, ARRAY_SIZE(v));
	assert_string_equal(subst_err(f, "${A?$FOO}x"), "required variable \"A\" is missing a value: first");
	assert_string_equal(subst(f, "${FOO?$FOO}x"), "firstx");
}

/* How the close brace is found: the first balanced one within the text up
 * to the last '}' of the line; counting skips the character after '{'. */
static void test_brace_matching(void **state)
{
	static const struct vec v[] = {
		{ "${UNSET:-{x}}", "{x}" },
		{ "${UNSET:-{\"json\":2}}", "{\"json\":2}" },
		{ "${UNSET-a}b}", "ab}" },
		{ "${UNSET:-a}b}c", "ab}c" },
		{ "${UNSET:-a}\n}", "a\n}" },
		{ "${FOO:-${BAR}", "first" }, /* unbalanced, but the default is never used */
		{ "${UNSET-x{}", "x{" },
		{ "${UNSET-a}${UNSET-b}${FOO}", "abfirst" },
		{ "${UNSET-{}}", "{}" },
		{ "${UNSET-{}x}y}", "{}x}y" }, /* the '}' right after '{' is skipped */
	};
	struct fx *f = *state;
	check_vectors(f, v, ARRAY_SIZE(v));
	/* the unbalanced default is used: "${BAR" alone is not a template */
	assert_string_equal(subst_err(f, "${UNSET:-${BAR}"), "invalid interpolation format for \"${UNSET:-${BAR}\"");
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"${", "${}", "${ }", "${ foo}", "${foo }", "${foo!}", "${VAR/foo/bar}", "${#VAR}",
		"${FOO:x}", "${FOO:-x", "${FOO-x\n}", "${1}", "ok ${FOO} ${", "$${FOO} ${-}",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *err = subst_err(f, bad[i]);
		if (strncmp(err, "invalid interpolation format for \"", 34) != 0)
			fail_msg("%s: wrong error: %s", bad[i], err);
	}
	assert_string_equal(subst_err(f, "${ x}"), "invalid interpolation format for \"${ x}\"");
	assert_string_equal(subst_err(f, "a\"\\${\n"), "invalid interpolation format for \"a\\\"\\\\${\\n\"");
}

static void test_required(void **state)
{
	static const struct vec v[] = {
		{ "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
		  "required variable \"UNSET_VAR\" is missing a value: Mandatory Variable Unset" },
		{ "not ok ${BAR:?Mandatory Variable Empty}",
		  "required variable \"BAR\" is missing a value: Mandatory Variable Empty" },
		{ "not ok ${UNSET_VAR:?}", "required variable \"UNSET_VAR\" is missing a value" },
		{ "not ok ${UNSET_VAR?Mandatory Variable Unset}",
		  "required variable \"UNSET_VAR\" is missing a value: Mandatory Variable Unset" },
		{ "not ok ${UNSET_VAR?}", "required variable \"UNSET_VAR\" is missing a value" },
		{ "not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}",
		  "required variable \"UNSET_VAR\" is missing a value: Mandatory Variable first" },
		{ "not ok ${UNSET_VAR?Mandatory Variable ${FOO}}",
		  "required variable \"UNSET_VAR\" is missing a value: Mandatory Variable first" },
		{ "${UNSET_VAR?bar-baz}", "required variable \"UNSET_VAR\" is missing a value: bar-baz" },
		{ "${FOO} ${X:?${ bad}}", "invalid interpolation format for \"${FOO} ${X:?${ bad}}\"" },
	};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		const char *err = subst_err(f, v[i].in);
		if (strcmp(err, v[i].want) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", v[i].in, v[i].want, err);
	}
	/* the message is only interpolated when it is used */
	assert_string_equal(subst(f, "${FOO:?${ bad}}"), "first");
}

static void test_unset_report(void **state)
{
	struct fx *f = *state;
	assert_string_equal(subst(f, "${UNSET}-$OTHER-${BAR}"), "--");
	assert_int_equal(f->unset.n, 2);
	assert_string_equal(f->unset.v[0], "UNSET");
	assert_string_equal(f->unset.v[1], "OTHER");

	/* defaults, replacements and required values are no "unset" reference,
	 * and an unused default is never looked at */
	assert_string_equal(subst(f, "${U1:-x}${U2-y}${U3:+z}${U4+w}${FOO:-${U5}}${FOO?${U6}}"), "xyfirstfirst");
	assert_int_equal(f->unset.n, 2);

	/* a used default is interpolated, and reports its own unset names */
	assert_string_equal(subst(f, "${U7:-<${U8}>}"), "<>");
	assert_int_equal(f->unset.n, 3);
	assert_string_equal(f->unset.v[2], "U8");

	/* no callback: no crash, same result */
	f->ip.on_unset = NULL;
	assert_string_equal(subst(f, "a${U9}b"), "ab");
}

static const char *nest(struct fx *f, int levels)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < levels; i++)
		sb_adds(&sb, "${U:-");
	sb_adds(&sb, "end");
	for (int i = 0; i < levels; i++)
		sb_addc(&sb, '}');
	const char *s = sb_to_arena(&sb, &f->a);
	sb_release(&sb);
	return s;
}

static void test_depth(void **state)
{
	struct fx *f = *state;
	assert_string_equal(subst(f, nest(f, 64)), "end");
	assert_string_equal(subst_err(f, nest(f, 65)), "interpolation nested deeper than 64 levels (limit: interpolation depth)");
	assert_string_equal(subst_err(f, nest(f, 100000)), "interpolation nested deeper than 64 levels (limit: interpolation depth)");
	f->ip.max_depth = 2;
	assert_string_equal(subst(f, nest(f, 2)), "end");
	assert_string_equal(subst_err(f, nest(f, 3)), "interpolation nested deeper than 2 levels (limit: interpolation depth)");
	/* depth is nesting, not the number of references */
	f->ip.max_depth = 1;
	assert_string_equal(subst(f, "${U:-a}${U:-b}${U:-c}${U:-d}"), "abcd");
}

static void test_length_delimited(void **state)
{
	struct fx *f = *state;
	size_t n = 0;
	const char *out = subst_n(f, "a${FOO}\0$FOO", 12, &n);
	assert_int_equal(n, 12);
	assert_memory_equal(out, "afirst\0first", 13);
	/* the bytes after len are not part of the template */
	assert_string_equal(subst_n(f, "$FOOBAR", 4, &n), "first");
	assert_string_equal(subst_n(f, "$$$", 2, &n), "$");
	assert_string_equal(subst_n(f, "${FOO}x", 0, &n), "");
	const char *err = NULL;
	assert_int_equal(interpolate(&f->ip, "${FOO}", 5, &out, &n, &err), -1);
	assert_string_equal(err, "invalid interpolation format for \"${FOO\"");
	assert_int_equal(interpolate(&f->ip, "${FOO:-x}", 8, &out, &n, &err), -1);
	assert_int_equal(interpolate(&f->ip, NULL, 0, &out, &n, &err), 0);
	assert_string_equal(out, "");
}

static void test_no_lookup(void **state)
{
	struct fx *f = *state;
	f->ip.lookup = NULL;
	assert_string_equal(subst(f, "${FOO:-d}$FOO"), "d");
	assert_string_equal(subst_err(f, "${FOO?}"), "required variable \"FOO\" is missing a value");
}

/* Every prefix of some nasty templates, each in an exactly-sized buffer:
 * the result is an output or an error message, never a crash or a read
 * past the end. */
static void test_prefixes(void **state)
{
	static const char *const t[] = {
		"${A:-${B:+{x}}}-$$-${C?${D:-e}}}}", "$}${", "${A-\n}}${B:-{{{{}", "x$1${FOO:+${BAR-${JSON}}}y",
		"${{}}${}$", "${A:?}${A:}${A::-}",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		size_t len = strlen(t[i]);
		for (size_t n = 0; n <= len; n++) {
			char *copy = malloc(n ? n : 1);
			memcpy(copy, t[i], n);
			const char *out = NULL, *err = NULL;
			size_t outlen = 0;
			int r = interpolate(&f->ip, copy, n, &out, &outlen, &err);
			free(copy);
			assert_true((r == 0 && out && strlen(out) == outlen) || (r == -1 && err && *err));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_and_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outer_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_brace_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_delimited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
