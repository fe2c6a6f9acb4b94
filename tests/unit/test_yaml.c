/*
 * test_yaml.c - the event-built YAML tree: anchors, aliases, merge keys,
 * tags, duplicate and non-string keys, limits, syntax errors with
 * positions, and the YAML 1.2 typing of plain scalars.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/yaml.h"

struct fx {
	struct arena a;
	struct diag d;
	struct ptrvec docs;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

static int parse(struct fx *f, const char *text)
{
	diag_add_source(&f->d, "t.yaml", text, strlen(text));
	f->docs.n = 0;
	return yaml_parse(&f->a, &f->d, "t.yaml", text, strlen(text), NULL, &f->docs);
}

static const char *str_at(struct node *root, const char *k1, const char *k2)
{
	struct node *n = node_map_get(root, k1);
	if (k2)
		n = node_map_get(n, k2);
	return n && n->kind == NODE_SCALAR ? n->scalar.text : NULL;
}

static void test_scalars_and_positions(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "services:\n  web:\n    image: \"nginx\"\n    x: 1\n"), 0);
	assert_int_equal(f->docs.n, 1);
	struct node *web = node_map_get(node_map_get(f->docs.v[0], "services"), "web");
	struct node *img = node_map_get(web, "image");
	assert_string_equal(img->scalar.text, "nginx");
	assert_int_equal(img->style, STYLE_QUOTED);
	assert_int_equal(img->loc.line, 3);
	assert_int_equal(img->loc.col, 12);
	assert_int_equal(node_map_find(web, "x")->key->loc.col, 5);
}

static void test_core_schema_types(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "a: yes\nb: true\nc: 0755\nd: 1_000\ne: 1e3\nf: ~\ng: 80:80\nh: 0x1F\ni: '1'\n"
				  "j: .inf\nk: !!str 12\nl: 2024-01-01\n"),
			 0);
	struct node *r = f->docs.v[0];
	assert_int_equal(node_scalar_type(node_map_get(r, "a")), SCALAR_STR); /* YAML 1.2: yes is a string */
	assert_int_equal(node_scalar_type(node_map_get(r, "b")), SCALAR_BOOL);
	assert_int_equal(node_scalar_type(node_map_get(r, "c")), SCALAR_INT);
	assert_int_equal(node_scalar_type(node_map_get(r, "d")), SCALAR_INT);
	assert_int_equal(node_scalar_type(node_map_get(r, "e")), SCALAR_FLOAT);
	assert_int_equal(node_scalar_type(node_map_get(r, "f")), SCALAR_NULL);
	assert_int_equal(node_scalar_type(node_map_get(r, "g")), SCALAR_STR);
	assert_int_equal(node_scalar_type(node_map_get(r, "h")), SCALAR_INT);
	assert_int_equal(node_scalar_type(node_map_get(r, "i")), SCALAR_STR);
	assert_int_equal(node_scalar_type(node_map_get(r, "j")), SCALAR_FLOAT);
	assert_int_equal(node_scalar_type(node_map_get(r, "k")), SCALAR_STR);
	assert_int_equal(node_scalar_type(node_map_get(r, "l")), SCALAR_STR);
	long long v;
	assert_true(scalar_parse_int("0755", &v));
	assert_int_equal(v, 493);
	assert_true(scalar_parse_int("-0x10", &v));
	assert_int_equal(v, -16);
	assert_false(scalar_parse_int("08", &v));
	assert_false(scalar_parse_int("99999999999999999999", &v));
}

static void test_anchor_alias_and_merge(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "x-base: &base\n  image: busybox\n  restart: always\n"
				  "x-env: &env\n  user: root\n  restart: never\n"
				  "services:\n  a:\n    <<: [*base, *env]\n    restart: \"no\"\n"
				  "  b:\n    <<: *env\n  c: *base\n"),
			 0);
	struct node *r = f->docs.v[0];
	struct node *svcs = node_map_get(r, "services");
	assert_string_equal(str_at(node_map_get(svcs, "a"), "image", NULL), "busybox");
	/* explicit key wins over every merge source */
	assert_string_equal(str_at(node_map_get(svcs, "a"), "restart", NULL), "no");
	assert_string_equal(str_at(node_map_get(svcs, "a"), "user", NULL), "root");
	assert_null(node_map_get(node_map_get(svcs, "a"), "<<"));
	assert_string_equal(str_at(node_map_get(svcs, "b"), "restart", NULL), "never");
	assert_string_equal(str_at(node_map_get(svcs, "c"), "image", NULL), "busybox");
	/* first merge source wins among sources */
	assert_int_equal(parse(f, "a: &a {k: 1}\nb: &b {k: 2}\nc:\n  <<: [*a, *b]\n"), 0);
	assert_string_equal(str_at(f->docs.v[0], "c", "k"), "1");
}

static void test_tags(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "a: !reset []\nb: !override {x: 1}\nc: !reset null\n"), 0);
	struct node *r = f->docs.v[0];
	assert_true(node_map_get(r, "a")->tags & TAG_RESET);
	assert_true(node_map_get(r, "b")->tags & TAG_OVERRIDE);
	assert_true(node_map_get(r, "c")->tags & TAG_RESET);
}

static void test_multi_document(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "a: 1\n---\na: 2\n---\n"), 0);
	assert_int_equal(f->docs.n, 3);
	assert_string_equal(str_at(f->docs.v[1], "a", NULL), "2");
	assert_true(node_is_null(f->docs.v[2]));
}

static void test_duplicate_key(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "services:\n  a: {}\n  a: {}\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:3:3: error: mapping key \"a\" already defined at line 2"));
	/* large maps use the hashed index */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 50; i++)
		sb_addf(&sb, "k%d: %d\n", i, i);
	sb_adds(&sb, "k7: again\n");
	assert_int_equal(parse(f, sb.buf), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:51:1: error: mapping key \"k7\" already defined at line 8"));
	/* keys found again after the index grew several times (hashes kept),
	 * the first, one in the middle and the last; and keys that share a
	 * prefix or differ only in length are not taken for one another */
	sb_reset(&sb);
	for (int i = 0; i < 3000; i++)
		sb_addf(&sb, "k%d: %d\n", i, i);
	sb_adds(&sb, "k0: a\nk1500: b\nk2999: c\nk30000: new\nk: new\n");
	sb_reset(&f->d.out);
	assert_int_equal(parse(f, sb.buf), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:3001:1: error: mapping key \"k0\" already defined at line 1\n"));
	assert_non_null(strstr(f->d.out.buf, "t.yaml:3002:1: error: mapping key \"k1500\" already defined at line 1501\n"));
	assert_non_null(strstr(f->d.out.buf, "t.yaml:3003:1: error: mapping key \"k2999\" already defined at line 3000\n"));
	assert_null(strstr(f->d.out.buf, "\"k30000\""));
	assert_null(strstr(f->d.out.buf, "\"k\""));
	sb_release(&sb);
}

static void test_non_string_key(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "services:\n  123:\n    image: x\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:2:3: error: mapping key \"123\" must be a string"));
	assert_int_equal(parse(f, "? [a]\n: 1\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "mapping key must be a string, not a sequence"));
}

static void test_unknown_anchor_and_syntax_error(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "a: [1\nb: 2\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:"));
	assert_non_null(strstr(f->d.out.buf, "error: invalid YAML"));
	assert_int_equal(parse(f, "a: *nope\n"), -1);
}

static void test_alias_bomb(void **state)
{
	struct fx *f = *state;
	const char *bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
			   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
			   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			   "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
			   "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
			   "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
			   "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
			   "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	assert_int_equal(parse(f, bomb), -1);
	assert_non_null(strstr(f->d.out.buf, "limit: alias expansion"));
	/* a small expansion below the limit is fine */
	assert_int_equal(parse(f, "a: &a [x,x]\nb: [*a,*a]\n"), 0);
}

static void test_depth_limit(void **state)
{
	struct fx *f = *state;
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "a: ");
	for (int i = 0; i < 200; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < 200; i++)
		sb_addc(&sb, ']');
	sb_addc(&sb, '\n');
	assert_int_equal(parse(f, sb.buf), -1);
	assert_non_null(strstr(f->d.out.buf, "limit: maximum nesting depth"));
	sb_release(&sb);
}

/* libfyaml 0.7.12 returned wrong text (and leaked) for single-quoted
 * scalars with many '' escapes; yaml.c decodes those itself. */
static void test_single_quoted_escapes(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "e: 'ab''''''''''''cd'\n"
				  "q: ''''''''''''\n"
				  "s: 'it''s'\n"
				  "m: 'a''b  \n   c''d\n\n  \te '' \n  '\n"
				  "n: 'x''\r\n  y'\n"),
			 0);
	struct node *root = f->docs.v[0];
	assert_string_equal(str_at(root, "e", NULL), "ab''''''cd");
	assert_string_equal(str_at(root, "q", NULL), "'''''");
	assert_string_equal(str_at(root, "s", NULL), "it's");
	/* folding: a break is a space, an empty line a newline, white space
	 * around breaks goes, a break before the closing quote is a space */
	assert_string_equal(str_at(root, "m", NULL), "a'b c'd\ne ' ");
	assert_string_equal(str_at(root, "n", NULL), "x' y");
	assert_int_equal(node_map_get(root, "e")->loc.col, 4);
}

/* Not UTF-8: rejected before libfyaml sees it (a malformed byte in a
 * directive line made libfyaml 0.7.12 loop forever). */
static void test_invalid_utf8(void **state)
{
	struct fx *f = *state;
	assert_int_equal(parse(f, "%\t\xea\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:1:3: error: invalid YAML: invalid UTF-8 byte 0xea"));
	assert_int_equal(parse(f, "a: b\n# \xc0\xaf overlong\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:2:3: error: invalid YAML: invalid UTF-8 byte 0xc0"));
	assert_int_equal(parse(f, "a: \xed\xa0\x80\n"), -1); /* a surrogate */
	assert_int_equal(parse(f, "a: \xf0\x9f\x90\xb3 \xc3\xa9\t\r\n"), 0);
}

/* Control characters are not YAML (a NUL after a tab in a complex key
 * crashed libfyaml 0.7.12 when the parser was freed). */
static void test_control_characters(void **state)
{
	struct fx *f = *state;
	const char nul[] = "? - x:\t\0\n";
	diag_add_source(&f->d, "t.yaml", nul, sizeof(nul) - 1);
	assert_int_equal(yaml_parse(&f->a, &f->d, "t.yaml", nul, sizeof(nul) - 1, NULL, &f->docs), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:1:8: error: invalid YAML: control character U+0000 is not allowed"));
	assert_int_equal(parse(f, "a: \"x\001y\"\n"), -1);
	assert_non_null(strstr(f->d.out.buf, "t.yaml:1:6: error: invalid YAML: control character U+0001 is not allowed"));
	assert_int_equal(parse(f, "# \x7f\n"), -1);
	assert_int_equal(parse(f, "a: \"\\0 \\x01 escaped\"\n"), -1); /* "\0" is a NUL in the value */
	assert_int_equal(parse(f, "a: \"\\x01 escaped\"\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scalars_and_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_core_schema_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_alias_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_string_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_anchor_and_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_bomb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_quoted_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
