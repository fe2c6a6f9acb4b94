/*
 * test_dotenv.c - the env_file parser against the fixtures and vectors of
 * compose-go's dotenv package (godotenv_test.go, parser_test.go), the
 * lookup order of interpolation, the error messages with their locations,
 * and docker's `format: raw`.
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
	struct diag d;
	struct env os;  /* what the lookup callback sees */
	struct env out; /* what the parser fills */
};

struct kv {
	const char *key, *value;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	env_init(&f->os, &f->a);
	env_init(&f->out, &f->a);
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

/* Parse an exactly-sized heap copy of text (ASan catches reads past len);
 * returns the error count. */
static int parse_n(struct fx *f, const char *text, size_t len, bool raw)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	diag_add_source(&f->d, "t.env", text, len);
	int n = dotenv_parse(&f->a, &f->d, "t.env", copy, len, raw, env_lookup, &f->os, &f->out);
	free(copy);
	return n;
}

static void parse_ok(struct fx *f, const char *text)
{
	int n = parse_n(f, text, strlen(text), false);
	if (n != 0 || f->d.out.len)
		fail_msg("unexpected diagnostics for %s:\n%s", text, f->d.out.buf);
}

static void expect(struct fx *f, const struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = env_get(&f->out, kv[i].key);
		if (!got || strcmp(got, kv[i].value) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", kv[i].key, kv[i].value, got ? got : "(unset)");
	}
	assert_int_equal(f->out.keys.n, n);
}

static void expect_diag(struct fx *f, const char *msg)
{
	if (!strstr(f->d.out.buf, msg))
		fail_msg("want \"%s\" in:\n%s", msg, f->d.out.buf);
}

/* One line, one key: compose-go's TestParsing. */
static void check_line(const char *line, const char *key, const char *value)
{
	struct fx *f;
	setup((void **)&f);
	parse_ok(f, line);
	const char *got = env_get(&f->out, key);
	if (!got || strcmp(got, value) != 0)
		fail_msg("%s: want %s=\"%s\", got \"%s\"", line, key, value, got ? got : "(unset)");
	teardown((void **)&f);
}

static void test_quoted_fixture(void **state)
{
	static const char text[] = "OPTION_A='1'\nOPTION_B='2'\nOPTION_C=''\nOPTION_D='\\n'\n"
				   "OPTION_E=\"1\"\nOPTION_F=\"2\"\nOPTION_G=\"\"\nOPTION_H=\"\\n\"\n"
				   "OPTION_I = \"echo 'asd'\"\nOPTION_J = 'first line\nsecond line\nthird line\n"
				   "and so on'\nOPTION_K='Let\\'s go!'\nOPTION_Z = \"last value\"\n";
	static const struct kv want[] = {
		{ "OPTION_A", "1" },  { "OPTION_B", "2" },	     { "OPTION_C", "" },
		{ "OPTION_D", "\\n" }, { "OPTION_E", "1" },	     { "OPTION_F", "2" },
		{ "OPTION_G", "" },   { "OPTION_H", "\n" },	     { "OPTION_I", "echo 'asd'" },
		{ "OPTION_J", "first line\nsecond line\nthird line\nand so on" },
		{ "OPTION_K", "Let's go!" }, { "OPTION_Z", "last value" },
	};
	struct fx *f = *state;
	parse_ok(f, text);
	expect(f, want, ARRAY_SIZE(want));
}

static void test_plain_fixture(void **state)
{
	static const char text[] = "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n"
				   "OPTION_F = \nOPTION_G=\nOPTION_H=1 2\r\n";
	static const struct kv want[] = {
		{ "OPTION_A", "1" }, { "OPTION_B", "2" }, { "OPTION_C", "3" }, { "OPTION_D", "4" },
		{ "OPTION_E", "5" }, { "OPTION_F", "" },  { "OPTION_G", "" },  { "OPTION_H", "1 2" },
	};
	struct fx *f = *state;
	parse_ok(f, text);
	expect(f, want, ARRAY_SIZE(want));
	/* insertion order is kept */
	assert_string_equal(f->out.keys.v[0], "OPTION_A");
	assert_string_equal(f->out.keys.v[7], "OPTION_H");
}

static void test_parsing_vectors(void **state)
{
	(void)state;
	check_line("FOO=bar", "FOO", "bar");
	check_line("FOO =bar", "FOO", "bar");
	check_line("FOO= bar", "FOO", "bar");
	check_line("FOO=\"bar\"", "FOO", "bar");
	check_line("FOO='bar'", "FOO", "bar");
	check_line("FOO=\"escaped\\\"bar\"", "FOO", "escaped\"bar");
	check_line("FOO=\"\\\"quoted\\\"\"", "FOO", "\"quoted\"");
	check_line("FOO=\"'d'\"", "FOO", "'d'");
	check_line("OPTION_A: 1", "OPTION_A", "1");
	check_line("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar");
	check_line("OPTION_A=1:B", "OPTION_A", "1:B");
	check_line("FOO=\"bar\\nbaz\"", "FOO", "bar\nbaz");
	check_line("FOO=a\\tb", "FOO", "a\\tb");
	check_line("FOO=\"a\\tb\"", "FOO", "a\tb");
	check_line("FOO.BAR=foobar", "FOO.BAR", "foobar");
	check_line("FOO=foobar=", "FOO", "foobar=");
	check_line("FOO=bar ", "FOO", "bar");
	check_line(" KEY =value", "KEY", "value");
	check_line("   KEY=value", "KEY", "value");
	check_line("\tKEY=value", "KEY", "value");
	check_line("VAR-WITH-DASHES=dashes", "VAR-WITH-DASHES", "dashes");
	check_line("a[1]=c", "a[1]", "c");
	check_line("a.propertyKey=d", "a.propertyKey", "d");
	check_line("árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép", "árvíztűrő-TÜKÖRFÚRÓGÉP",
		   "ÁRVÍZTŰRŐ-tükörfúrógép");
	check_line("OPTION_A=postgres://localhost:5432/database?sslmode=disable", "OPTION_A",
		   "postgres://localhost:5432/database?sslmode=disable");
	check_line("TEST_URLS=\"stratum+tcp://a:3333\nstratum+tcp://b:443\"", "TEST_URLS",
		   "stratum+tcp://a:3333\nstratum+tcp://b:443");
}

static void test_comments(void **state)
{
	(void)state;
	check_line("FOO=bar # this is foo", "FOO", "bar");
	check_line("FOO=bar #this is foo", "FOO", "bar");
	check_line("FOO=bar #", "FOO", "bar");
	check_line("FOO=bar\t# tab is not a comment start", "FOO", "bar\t# tab is not a comment start");
	check_line("FOO=123#not-an-inline-comment", "FOO", "123#not-an-inline-comment");
	check_line("FOO=\"bar#baz\"", "FOO", "bar#baz");
	check_line("FOO=\"bar#baz\"#", "FOO", "bar#baz");
	check_line("FOO=\"bar#baz\" # comment", "FOO", "bar#baz");
	check_line("FOO='bar#baz' # comment", "FOO", "bar#baz");
	check_line("FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang");
	check_line("# comment\n\t # indented comment\n\n\r\nFOO=x\n#FOO=y", "FOO", "x");
	/* after "=" the spaces go first, so this "#" has no space before it */
	check_line("FOO= # not a comment", "FOO", "# not a comment");
}

static void test_export_and_bom(void **state)
{
	(void)state;
	check_line("export OPTION_A=2", "OPTION_A", "2");
	check_line("export OPTION_B='\\n'", "OPTION_B", "\\n");
	check_line("export exportFoo=2", "exportFoo", "2");
	check_line("exportFOO=2", "exportFOO", "2");
	check_line("export_FOO =2", "export_FOO", "2");
	check_line("export.FOO= 2", "export.FOO", "2");
	check_line("export\tOPTION_A=2", "OPTION_A", "2");
	check_line("  export OPTION_A=2", "OPTION_A", "2");
	check_line("export OPTION_A=\"export A\"", "OPTION_A", "export A");
	check_line("export=1", "export", "1");
	check_line("\xEF\xBB\xBFOPTION_A=1\nOPTION_B=2", "OPTION_A", "1");
	check_line("\xEF\xBB\xBFOPTION_A=1\nOPTION_B=2", "OPTION_B", "2");
}

static void test_escapes(void **state)
{
	(void)state;
	check_line("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY", "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ");
	check_line("KEY=\"\\0123\"", "KEY", "S");
	check_line("KEY=\"\\0351\"", "KEY", "\xC3\xA9"); /* Go writes rune U+00E9 */
	check_line("KEY=\"\\012\"", "KEY", "\\12");       /* not three digits: kept, minus the 0 */
	check_line("KEY=\"\\0400\"", "KEY", "\\400");     /* above 255 */
	check_line("KEY=\"\\x07\"", "KEY", "\\x07");
	check_line("KEY=\"\\u12e4\"", "KEY", "\\u12e4");
	check_line("KEY=\"\\U00101234\"", "KEY", "\\U00101234");
	check_line("KEY=\"\\c\"", "KEY", "\\c");
	check_line("FOO=\"bar\\n\\ b\\az\"", "FOO", "bar\n\\ b\az");
	check_line("FOO=\"bar\\\\\\n\\ b\\az\"", "FOO", "bar\\\n\\ b\az");
	check_line("FOO=\"bar\\\\r\\ b\\az\"", "FOO", "bar\\r\\ b\az");
	check_line("FOO=\"bar\\nbaz\\\\\"", "FOO", "bar\nbaz\\");
	check_line("FOO=\"foo\\$BAR\"", "FOO", "foo$BAR");
	check_line("FOO=\"foo\\${BAR}\"", "FOO", "foo${BAR}");
	check_line("FOO='a\\\\b\\'c'", "FOO", "a\\\\b'c"); /* single quotes: only \' */
	check_line("FOO='$$x'", "FOO", "$$x");
}

static void test_expanding(void **state)
{
	(void)state;
	check_line("FOO=test\nBAR=$FOO", "BAR", "test");
	check_line("FOO=test\nBAR=${FOO}bar", "BAR", "testbar");
	check_line("FOO=test\nBAR=\"quote $FOO\"", "BAR", "quote test");
	check_line("FOO=test\nBAR='quote $FOO'", "BAR", "quote $FOO");
	check_line("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"", "BAR", "foo${FOO} test");
	check_line("FOO=test\nBAR=$$FOO", "BAR", "$FOO");
	check_line("A=${UNSET:-x y} # c", "A", "x y");
}

/* compose-go's substitutions.env and substitutions-default.env, with and
 * without OPTION_A in the environment: the lookup comes before the keys
 * already read, but does not replace the file's own assignment. */
static void test_lookup_order(void **state)
{
	static const char subst[] = "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n"
				    "OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";
	static const char dflt[] = "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n"
				   "OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";
	static const struct kv own[] = {
		{ "OPTION_A", "1" }, { "OPTION_B", "1" }, { "OPTION_C", "1" }, { "OPTION_D", "1_1" }, { "OPTION_E", "" },
	};
	static const struct kv os_wins[] = {
		{ "OPTION_A", "1" }, { "OPTION_B", "5" }, { "OPTION_C", "5" }, { "OPTION_D", "5_5" }, { "OPTION_E", "" },
	};
	static const struct kv os_dflt[] = {
		{ "OPTION_A", "5" }, { "OPTION_B", "5" }, { "OPTION_C", "5" }, { "OPTION_D", "5_5" }, { "OPTION_E", "" },
	};
	struct fx *f = *state;
	assert_int_equal(parse_n(f, subst, strlen(subst), false), 0);
	expect(f, own, ARRAY_SIZE(own));
	expect_diag(f, "t.env:5:10: warning: variable \"OPTION_NOT_DEFINED\" is not set, defaulting to a blank string");

	env_init(&f->out, &f->a);
	env_set(&f->os, "OPTION_A", "5");
	assert_int_equal(parse_n(f, subst, strlen(subst), false), 0);
	expect(f, os_wins, ARRAY_SIZE(os_wins));

	env_init(&f->out, &f->a);
	assert_int_equal(parse_n(f, dflt, strlen(dflt), false), 0);
	expect(f, os_dflt, ARRAY_SIZE(os_dflt));
}

/* Keys from earlier files (already in out) are seen, after the lookup. */
static void test_earlier_files(void **state)
{
	struct fx *f = *state;
	env_set(&f->out, "X", "earlier");
	env_set(&f->out, "Y", "earlier");
	env_set(&f->os, "Y", "os");
	parse_ok(f, "A=$X/$Y\nX=later");
	assert_string_equal(env_get(&f->out, "A"), "earlier/os");
	assert_string_equal(env_get(&f->out, "X"), "later");
}

static void test_inherited(void **state)
{
	struct fx *f = *state;
	env_set(&f->os, "VAR_FROM_OS", "SOME_RANDOM_VALUE");
	env_set(&f->os, "EMPTY", "");
	parse_ok(f, "VAR_FROM_OS\nfoo=bar\nVARIABLE_NOT_FOUND\nEMPTY  \r\nexport\n  bar: baz\nLAST_FROM_OS");
	env_set(&f->os, "LAST_FROM_OS", "x"); /* too late: already parsed */
	static const struct kv want[] = {
		{ "VAR_FROM_OS", "SOME_RANDOM_VALUE" }, { "foo", "bar" }, { "EMPTY", "" }, { "bar", "baz" },
	};
	expect(f, want, ARRAY_SIZE(want));

	env_init(&f->out, &f->a);
	parse_ok(f, "A=1\nLAST_FROM_OS"); /* bare key on a last line without newline */
	assert_string_equal(env_get(&f->out, "LAST_FROM_OS"), "x");
	/* a bare key is taken from the lookup only, not from earlier keys */
	env_init(&f->out, &f->a);
	parse_ok(f, "K=v\nK2=w\nK2\n");
	assert_string_equal(env_get(&f->out, "K2"), "w");
	env_set(&f->os, "K2", "os");
	parse_ok(f, "K2\n");
	assert_string_equal(env_get(&f->out, "K2"), "os");
}

/* Parsing goes on right after a closing quote, as in compose-go. */
static void test_after_quote(void **state)
{
	struct fx *f = *state;
	parse_ok(f, "A=\"x\" B=y\nC='z'   \nD=1");
	static const struct kv want[] = { { "A", "x" }, { "B", "y" }, { "C", "z" }, { "D", "1" } };
	expect(f, want, ARRAY_SIZE(want));
}

static void test_later_wins(void **state)
{
	struct fx *f = *state;
	parse_ok(f, "A=1\nB=2\nA=3");
	static const struct kv want[] = { { "A", "3" }, { "B", "2" } };
	expect(f, want, ARRAY_SIZE(want));
	assert_string_equal(f->out.keys.v[0], "A");
}

static void test_unterminated(void **state)
{
	static const char *const cases[] = {
		"KEY=\"", "KEY=\"value", "KEY=\"value\\\"", "KEY=\"value'", "KEY='", "KEY='value", "KEY='value\\'", "KEY='value\"",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		sb_reset(&f->d.out);
		assert_int_equal(parse_n(f, cases[i], strlen(cases[i]), false), 1);
		expect_diag(f, "t.env:1:5: error: unterminated quoted value for \"KEY\"");
	}
	sb_reset(&f->d.out);
	const char *text = "A=1\n# c\n  KEY = \"open\nB=2\n";
	assert_int_equal(parse_n(f, text, strlen(text), false), 1);
	expect_diag(f, "t.env:3:9: error: unterminated quoted value for \"KEY\"\n    KEY = \"open\n          ^\n");
	assert_null(env_get(&f->out, "B"));
}

static void test_bad_keys(void **state)
{
	struct fx *f = *state;
	const char *text = "A!B=1\nOK=2\n%!(EXTRA string)=foo\nlol$wut\nA B=\"multi\nline\"\nC=3\n=value\n";
	assert_int_equal(parse_n(f, text, strlen(text), false), 5);
	expect_diag(f, "t.env:1:2: error: unexpected character \"!\" in variable name \"A!B\"");
	expect_diag(f, "t.env:3:1: error: unexpected character \"%\" in variable name \"%!(EXTRA string)\"");
	expect_diag(f, "t.env:4:4: error: unexpected character \"$\" in variable name \"lol$wut\"");
	expect_diag(f, "t.env:5:2: error: unexpected space in variable name \"A B\"");
	expect_diag(f, "t.env:8:1: error: missing variable name before \"=\"");
	/* each bad statement is skipped whole; the good ones are kept */
	static const struct kv want[] = { { "OK", "2" }, { "C", "3" } };
	expect(f, want, ARRAY_SIZE(want));

	sb_reset(&f->d.out);
	assert_int_equal(parse_n(f, "K\x01=1\nK\xff=2\nK\xe2\x80\x94=3\nK\xc3\x97=4\nK\xc2\xb5\xc2\xaa=5", 30, false), 4);
	expect_diag(f, "t.env:1:2: error: unexpected character \"\\x01\" in variable name \"K\\x01\"");
	expect_diag(f, "t.env:2:2: error: unexpected character \"\xff\"");
	expect_diag(f, "t.env:3:2: error: unexpected character \"\xe2\x80\x94\"");
	expect_diag(f, "t.env:4:2: error: unexpected character \"\xc3\x97\""); /* U+00D7 is no letter */
	assert_string_equal(env_get(&f->out, "K\xc2\xb5\xc2\xaa"), "5");   /* U+00B5, U+00AA are */
}

static void test_value_errors(void **state)
{
	struct fx *f = *state;
	const char *text = "A=${ x}\nB=\"${UNSET:?need it}\"\nC=\"\\0000\"\nD=ok";
	assert_int_equal(parse_n(f, text, strlen(text), false), 3);
	expect_diag(f, "t.env:1:3: error: invalid interpolation format for \"${ x}\"");
	expect_diag(f, "t.env:2:3: error: required variable \"UNSET\" is missing a value: need it");
	expect_diag(f, "t.env:3:3: error: escape \"\\0000\" gives a NUL character");
	static const struct kv want[] = { { "D", "ok" } };
	expect(f, want, ARRAY_SIZE(want));

	sb_reset(&f->d.out);
	assert_int_equal(parse_n(f, "E=a\0b\nF='\0'", 11, false), 2);
	expect_diag(f, "t.env:1:3: error: value of \"E\" contains a NUL character");
	expect_diag(f, "t.env:2:3: error: value of \"F\" contains a NUL character");
}

static void test_raw(void **state)
{
	struct fx *f = *state;
	env_set(&f->os, "FROM_OS", "os value");
	const char *text = "\xEF\xBB\xBF"
			   "A=$FOO \"q\" # not a comment \n# comment\n\n  B=x=y\nFROM_OS\nUNSET\nC='z'\r\nD=\\n\nE=";
	assert_int_equal(parse_n(f, text, strlen(text), true), 0);
	static const struct kv want[] = {
		{ "A", "$FOO \"q\" # not a comment " }, { "B", "x=y" }, { "FROM_OS", "os value" },
		{ "C", "'z'" },				{ "D", "\\n" },	 { "E", "" },
	};
	expect(f, want, ARRAY_SIZE(want));

	sb_reset(&f->d.out);
	text = "A B=1\n=x\nC =1\nD\xff=1\nOK=1";
	assert_int_equal(parse_n(f, text, strlen(text), true), 4);
	expect_diag(f, "t.env:1:2: error: unexpected space in variable name \"A B\"");
	expect_diag(f, "t.env:2:1: error: missing variable name before \"=\"");
	expect_diag(f, "t.env:3:2: error: unexpected space in variable name \"C \"");
	expect_diag(f, "t.env:4:2: error: invalid UTF-8 byte sequence");
	assert_string_equal(env_get(&f->out, "OK"), "1");
}

static void test_empty_input(void **state)
{
	struct fx *f = *state;
	assert_int_equal(dotenv_parse(&f->a, &f->d, "t.env", NULL, 0, false, NULL, NULL, &f->out), 0);
	assert_int_equal(dotenv_parse(&f->a, &f->d, "t.env", "", 0, true, NULL, NULL, &f->out), 0);
	assert_int_equal(parse_n(f, "\xEF\xBB\xBF", 3, false), 0);
	assert_int_equal(parse_n(f, "\n\n   \t\n# only comments", 22, false), 0);
	assert_int_equal(f->out.keys.n, 0);
	/* no lookup callback: bare keys are dropped, values still interpolate */
	assert_int_equal(dotenv_parse(&f->a, &f->d, "t.env", "A\nB=1\nC=$B", 10, false, NULL, NULL, &f->out), 0);
	static const struct kv want[] = { { "B", "1" }, { "C", "1" } };
	expect(f, want, ARRAY_SIZE(want));
}

/* env.c itself: copies, insertion order, defaults, environ loading. */
static void test_env_basics(void **state)
{
	struct fx *f = *state;
	char key[] = "K", val[] = "v";
	env_set(&f->out, key, val);
	key[0] = 'X';
	val[0] = 'x';
	assert_string_equal(env_get(&f->out, "K"), "v");
	assert_null(env_get(&f->out, "X"));
	assert_false(env_set_default(&f->out, "K", "other"));
	assert_true(env_set_default(&f->out, "D", "d"));
	env_set(&f->out, "K", "v2");
	env_set(&f->out, "N", NULL);
	static const struct kv want[] = { { "K", "v2" }, { "D", "d" }, { "N", "" } };
	expect(f, want, ARRAY_SIZE(want));
	assert_string_equal(f->out.keys.v[0], "K");
	assert_null(f->out.keys.v[3]);

	char *environ_[] = { "A=1", "B==2", "NOEQ", "=C:=x", "E=", "A=3", NULL };
	env_load_environ(&f->os, environ_);
	env_load_environ(&f->os, NULL);
	static const struct kv want_os[] = { { "A", "3" }, { "B", "=2" }, { "E", "" } };
	f->out = f->os;
	expect(f, want_os, ARRAY_SIZE(want_os));
	assert_string_equal(env_lookup(&f->os, "B"), "=2");
	assert_null(env_lookup(&f->os, "NOEQ"));
}

/* Every prefix of some nasty files, each in an exactly-sized buffer: the
 * parser returns an error count and never reads past the end. */
static void test_prefixes(void **state)
{
	static const char *const t[] = {
		"\xEF\xBB\xBF export A = \"x\\\"y\\0123\\$z${B:-{q}}\" # c\nB:'a\\'b'\n\tC\r\nD=${",
		"A!\xe2\x80\x94 B=\"\n\"\n\xc3=1\nexport\n=\"\\0000\"",
		"K='v'x\"y\nZ=\"\\",
	};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		size_t len = strlen(t[i]);
		for (size_t n = 0; n <= len; n++) {
			int e1 = parse_n(f, t[i], n, false);
			int e2 = parse_n(f, t[i], n, true);
			assert_true(e1 >= 0 && e1 <= (int)n && e2 >= 0 && e2 <= (int)n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quoted_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_fixture, setup, teardown),
		cmocka_unit_test(test_parsing_vectors),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_export_and_bom),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_expanding),
		cmocka_unit_test_setup_teardown(test_lookup_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_earlier_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inherited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_quote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unterminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
