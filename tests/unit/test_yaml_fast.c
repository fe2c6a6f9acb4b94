/*
 * test_yaml_fast.c - the fast YAML scanner at its edges: what it must
 * accept (and then give exactly libfyaml's events: yaml_diff), what it
 * must leave to libfyaml, and that errors stay libfyaml's or the
 * builder's, reported once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/yaml.h"
#include "frontend/yaml_events.h"

/* 1: accepted, and equal to libfyaml's events; 0: left to libfyaml. */
static int diff(const char *text)
{
	struct strbuf why = STRBUF_INIT;
	int rc = yaml_diff(text, strlen(text), &why);
	if (rc < 0)
		fail_msg("differs on [%s]:\n%s", text, why.buf);
	sb_release(&why);
	return rc;
}

static void accepted(const char *text)
{
	if (diff(text) != 1)
		fail_msg("the fast scanner gave up on [%s]", text);
}

static void left_to_libfyaml(const char *text)
{
	if (diff(text) != 0)
		fail_msg("the fast scanner accepted [%s]", text);
}

static void test_empty_values(void **state)
{
	(void)state;
	accepted("a:\nb: 1\n");
	accepted("a:\n  b:\nc:\n");
	accepted("a:\n- x\n-\n  k: v\n- y\n");
	accepted("a: &x\nb: !reset\n");
	accepted("a:");
	accepted("");
	accepted("# nothing but a comment\n");
}

static void test_comments(void **state)
{
	(void)state;
	accepted("# top\na: 1 # after\n# between\nb:   # after a key\n  - x # after an item\n"
		 "      # deeper\n  # level\n# bottom\n");
	accepted("a:\n    # more indented than the next key\nb: c\n");
	accepted("--- # a comment after the start\na: 1\n");
}

static void test_quoted(void **state)
{
	(void)state;
	accepted("a: 'it''s'\nb: ''\nc: ''''\n");
	accepted("a: \"q\\\"\\\\\\n\\t\\/ x\"\nb: \"\"\nc: \"it's\"\nd: 'say \"hi\"'\n");
	accepted("\"quoted key\": 1\n'single key': 2\n");
	left_to_libfyaml("a: \"\\x41\"\n");
	left_to_libfyaml("a: \"\\u00e9\"\n");
	left_to_libfyaml("a: 'multi\n  line'\n");
	left_to_libfyaml("a: \"multi\n  line\"\n");
}

static void test_plain(void **state)
{
	(void)state;
	accepted("a: x   \nb: 'y'  \n"); /* trailing spaces */
	accepted("a: x#y\nb: 'c # d'\nc: e #f\nd: g:h\ne: http://x:80/p?q=1&r=[2]{3},4\n");
	accepted("key with spaces: v\n<<: {}\n-dash: -1\n");
	accepted("a: 1\nb: end");
	left_to_libfyaml("a: b\n  c\n");       /* a multi-line plain scalar */
	left_to_libfyaml("a: b\n\n  c\n");
	left_to_libfyaml("key: a: b\n");       /* an error: libfyaml's to report */
	left_to_libfyaml("a:\tb\n");
	left_to_libfyaml("a: 1\r\nb: 2\r\n");
}

static void test_collections(void **state)
{
	(void)state;
	accepted("a:\n- x\n- y: 1\n  z: [a, \"b\", 'c', -c, d e]\n- {}\n- []\nb:\n  - 1\n");
	accepted("- a\n-\n  - b\n");
	accepted("x: &a\n  k: v\ny: *a\nz:\n  <<: *a\n  k: w\ns: &s\n- 1\n");
	accepted("a: !reset\nb: !override [x]\nc: !!str 5\nd: !reset {}\n");
	/* one-line flow mappings of scalars; anything else in them is not ours */
	accepted("a: {b: 1}\nl:\n  options: {max-size: 10m, max-file: \"3\"}\ns:\n- {x: 'y z', \"q\": ~}\n");
	accepted("a: &m { b: c , d: e }  # note\nc: *m\n");
	left_to_libfyaml("a: {b: {c: 1}}\n");
	left_to_libfyaml("a: {b: [1]}\n");
	left_to_libfyaml("a: {b:1}\n");
	left_to_libfyaml("a: {b: }\n");
	left_to_libfyaml("a: {b: 1,}\n");
	left_to_libfyaml("a: {b: http://x}\n");
	left_to_libfyaml("a: {b: 1,\n  c: 2}\n");
	left_to_libfyaml("a: { }\n");
	left_to_libfyaml("- - x\n");
	left_to_libfyaml("a: [[x]]\n");
	left_to_libfyaml("a: [x,\n  y]\n");
	left_to_libfyaml("a: [x, ]\n");
	left_to_libfyaml("? a\n: b\n");
	left_to_libfyaml("a: !custom x\n");
	left_to_libfyaml("- &a k: v\n");
	left_to_libfyaml("a:\n-\nb: 1\n"); /* libfyaml rejects an empty entry here */
}

static void test_documents(void **state)
{
	(void)state;
	accepted("---\na: 1\n");
	left_to_libfyaml("---\n");
	left_to_libfyaml("a: 1\n---\nb: 2\n");
	left_to_libfyaml("a: 1\n...\n");
	left_to_libfyaml("%YAML 1.2\n---\na: 1\n");
	left_to_libfyaml("plain root\n");
}

static void test_block_scalars(void **state)
{
	(void)state;
	accepted("a: |\n  line1\n\n  line2\nb: |-\n  s\nc: |+\n  k\n\nd: |\n\n   deeper\n    more\ne: 1\n");
	accepted("- |\n  x\n- |-\n    y\n    # not a comment\n");
	left_to_libfyaml("a: >\n  folded\n");
	left_to_libfyaml("a: |2\n   x\n");
	left_to_libfyaml("a: |\n  no break at the end");
	left_to_libfyaml("a: |\nb: 1\n"); /* empty */
}

static void test_unicode_columns(void **state)
{
	(void)state;
	accepted("a: \"ünï\" # ✓\nb: ✓\n# ✓\n");
	left_to_libfyaml("\"✓\": x\n"); /* x's column is past a multi-byte character */
	left_to_libfyaml("a: [\"✓\", b]\n");
	left_to_libfyaml("a: x\xc2\x85y\n"); /* NEL */
}

struct fx {
	struct arena a;
	struct diag d;
	struct ptrvec docs;
};

static int parse(struct fx *f, const char *text)
{
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	diag_add_source(&f->d, "t.yaml", text, strlen(text));
	f->docs = (struct ptrvec){ 0 };
	return yaml_parse(&f->a, &f->d, "t.yaml", text, strlen(text), NULL, &f->docs);
}

static void done(struct fx *f)
{
	diag_release(&f->d);
	arena_release(&f->a);
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The builder's errors on input the fast scanner reads are reported once,
 * by the libfyaml pass; syntax errors are libfyaml's. */
static void test_errors_reported_once(void **state)
{
	(void)state;
	struct fx f;
	assert_int_equal(parse(&f, "a: 1\nb: 2\na: 3\n"), -1);
	assert_int_equal(count(f.d.out.buf, "error:"), 1);
	assert_non_null(strstr(f.d.out.buf, "t.yaml:3:1: error: mapping key \"a\" already defined at line 1"));
	done(&f);
	assert_int_equal(parse(&f, "a: *nope\n"), -1);
	assert_int_equal(count(f.d.out.buf, "error:"), 1);
	assert_non_null(strstr(f.d.out.buf, "unknown anchor \"nope\""));
	done(&f);
	assert_int_equal(parse(&f, "key: a: b\n"), -1);
	assert_non_null(strstr(f.d.out.buf, "t.yaml:1:"));
	assert_non_null(strstr(f.d.out.buf, "error: invalid YAML: "));
	done(&f);
}

/* The limits hold on input the fast scanner reads: the builder enforces
 * them whichever parser feeds it. */
static void test_limits(void **state)
{
	(void)state;
	const char *bomb = "a: &a [x, x, x, x, x]\nb: &b\n- *a\n- *a\n- *a\n- *a\nc: &c\n- *b\n- *b\n- *b\n- *b\n";
	const char *deep = "a:\n b:\n  c:\n   d:\n    e: 1\n";
	accepted(bomb);
	accepted(deep);
	struct yaml_limits lim = { 3, 50 };
	struct fx f;
	arena_init(&f.a);
	diag_init(&f.d, &f.a);
	f.docs = (struct ptrvec){ 0 };
	assert_int_equal(yaml_parse(&f.a, &f.d, "t.yaml", bomb, strlen(bomb), &lim, &f.docs), -1);
	assert_non_null(strstr(f.d.out.buf, "(limit: alias expansion)"));
	assert_int_equal(yaml_parse(&f.a, &f.d, "t.yaml", deep, strlen(deep), &lim, &f.docs), -1);
	assert_non_null(strstr(f.d.out.buf, "t.yaml:4:4: error: nesting deeper than 3 levels"));
	done(&f);
}

/* What the fast scanner built is the tree libfyaml's events build. */
static void test_tree(void **state)
{
	(void)state;
	struct fx f;
	assert_int_equal(parse(&f, "x: &b\n  k: \"v\\tw\"\ns:\n  a:\n    <<: *b\n    l: [1, 'two']\n"), 0);
	struct node *a = node_map_get(node_map_get(f.docs.v[0], "s"), "a");
	struct node *k = node_map_get(a, "k");
	assert_string_equal(k->scalar.text, "v\tw");
	assert_int_equal(k->style, STYLE_QUOTED);
	assert_int_equal(k->loc.line, 2);
	assert_int_equal(k->loc.col, 6);
	struct node *l = node_map_get(a, "l");
	assert_int_equal(l->seq.n, 2);
	assert_int_equal(l->seq.items[1]->loc.col, 12);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_collections),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_block_scalars),
		cmocka_unit_test(test_unicode_columns),
		cmocka_unit_test(test_errors_reported_once),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
