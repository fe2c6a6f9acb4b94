/*
 * test_escape.c - the named escapers (backends/escape.c).
 *
 * The expected texts are pinned.  How they were checked against the real
 * consumers (systemd 252, Debian 12):
 *  - systemd_exec_arg / systemd_exec_line: a unit whose ExecStart= ran a
 *    recorder with every hostile argument below was started by a real
 *    `systemd --user` manager (TESTING.md, private mount namespace); the
 *    argv the recorder received was byte-identical to the input, including
 *    the bytes that are not UTF-8.  `systemd-analyze verify
 *    --recursive-errors=yes` printed nothing for that unit.  Raw U+FFFE,
 *    surrogates and stray bytes make systemd drop the line ("String is not
 *    UTF-8 clean"), which is why they are \x-escaped.
 *  - systemd_quoted_value: Environment="V<i>=<value>" lines for the same
 *    strings reached the process environment byte-identical (values that are
 *    not UTF-8 are refused by systemd for Environment= whatever the escape).
 *  - go_string_literal and the template escape of base/emit.c: the
 *    golden chart k8s-helm, whose strings are template text, rendered by
 *    helm 4.1 to the plain manifests' objects (test_k8s_validate.sh).
 *  - unit_name_escape: compared with `systemd-escape -- STRING` on all the
 *    strings below and on one string holding every byte 1..255; the vectors
 *    are the tool's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/escape.h"
#include "base/emit.h"

struct vec {
	const char *in, *out;
};

typedef void (*escaper)(struct strbuf *, const char *);

static void check_vectors(escaper fn, const struct vec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, "<"); /* escapers append: keep what was there */
		fn(&sb, v[i].in);
		if (strcmp(sb.buf + 1, v[i].out) != 0 || sb.buf[0] != '<')
			fail_msg("vector %zu (%s): got [%s], want [%s]", i, v[i].in, sb.buf + 1, v[i].out);
		sb_release(&sb);
	}
}

/* The hostile set of TESTING.md, plus what systemd treats specially. */
static const struct vec exec_vectors[] = {
	{ "a b", "\"a b\"" },
	{ "it's", "\"it's\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "$HOME", "\"$$HOME\"" },
	{ "$$", "\"$$$$\"" },
	{ "${X}", "\"$${X}\"" },
	{ "%h", "\"%%h\"" },
	{ "100%", "\"100%%\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "line1\nline2", "\"line1\\nline2\"" },
	{ "tab\there", "\"tab\\there\"" },
	{ ";", "\";\"" },
	{ "&&", "\"&&\"" },
	{ "|", "\"|\"" },
	{ "`id`", "\"`id`\"" },
	{ "$(id)", "\"$$(id)\"" },
	{ "*", "\"*\"" },
	{ "~", "\"~\"" },
	{ "#x", "\"#x\"" },
	{ "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\xb3", "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\xb3\"" },
	{ "-leading", "\"-leading\"" },
	{ "", "\"\"" },
	{ "cr\rx", "\"cr\\rx\"" },
	{ "bell\x07", "\"bell\\x07\"" },
	{ "del\x7f", "\"del\\x7f\"" },
	{ "x\x1b[0m", "\"x\\x1b[0m\"" },
	{ "bad\xff\xfe", "\"bad\\xff\\xfe\"" },
	{ "lone\xc3", "\"lone\\xc3\"" },
	{ "over\xc0\xaf", "\"over\\xc0\\xaf\"" },     /* overlong '/' */
	{ "\xe0\x80\x80", "\"\\xe0\\x80\\x80\"" },    /* overlong NUL */
	{ "a\xed\xa0\x80z", "\"a\\xed\\xa0\\x80z\"" }, /* surrogate D800 */
	{ "a\xef\xbf\xbez", "\"a\\xef\\xbf\\xbez\"" }, /* U+FFFE */
	{ "\xef\xb7\x90", "\"\\xef\\xb7\\x90\"" },    /* U+FDD0 */
	{ "\xf4\x90\x80\x80", "\"\\xf4\\x90\\x80\\x80\"" }, /* > U+10FFFF */
	{ "\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"" }, /* U+10000 is fine */
	{ "\xef\xbf\xbd", "\"\xef\xbf\xbd\"" },        /* U+FFFD is fine */
	{ "\\n literal", "\"\\\\n literal\"" },
	{ "'single'", "\"'single'\"" },
	{ "%%", "\"%%%%\"" },
	{ "$$$", "\"$$$$$$\"" },
	{ "\\;", "\"\\\\;\"" },
	{ "${X:-y}", "\"$${X:-y}\"" },
	{ "%i %n %N", "\"%%i %%n %%N\"" },
	{ "\"", "\"\\\"\"" },
	{ "\\", "\"\\\\\"" },
	{ "@at", "\"@at\"" },
	{ ":colon", "\":colon\"" },
	{ "+plus", "\"+plus\"" },
	{ "!bang", "\"!bang\"" },
};

static void test_exec_arg(void **state)
{
	(void)state;
	check_vectors(systemd_exec_arg, exec_vectors, ARRAY_SIZE(exec_vectors));
}

static void test_exec_line(void **state)
{
	(void)state;
	const char *argv[] = { "/usr/bin/docker", "run", "--env=A=$HOME 100%", "", "x\ny" };
	struct strbuf sb = STRBUF_INIT;
	systemd_exec_line(&sb, argv, ARRAY_SIZE(argv));
	assert_string_equal(sb.buf, "\"/usr/bin/docker\" \"run\" \"--env=A=$$HOME 100%%\" \"\" \"x\\ny\"");
	sb_reset(&sb);
	systemd_exec_line(&sb, argv, 0);
	assert_string_equal(sb.buf, "");
	systemd_exec_line(&sb, argv, 1);
	assert_string_equal(sb.buf, "\"/usr/bin/docker\"");
	sb_release(&sb);
}

static const struct vec sh_vectors[] = {
	{ "a b", "'a b'" },
	{ "it's", "'it'\\''s'" },
	{ "say \"hi\"", "'say \"hi\"'" },
	{ "$HOME", "'$HOME'" },
	{ "${X}", "'${X}'" },
	{ "%h", "'%h'" },
	{ "back\\slash", "'back\\slash'" },
	{ "line1\nline2", "'line1\nline2'" },
	{ "`id`", "'`id`'" },
	{ "$(id)", "'$(id)'" },
	{ "*", "'*'" },
	{ "~", "'~'" },
	{ "#x", "'#x'" },
	{ "-leading", "'-leading'" },
	{ "", "''" },
	{ "''", "''\\'''\\'''" },
	{ "plain", "'plain'" },
	{ "h\xc3\xa9llo\xff", "'h\xc3\xa9llo\xff'" },
};

static void test_sh_quote(void **state)
{
	(void)state;
	check_vectors(sh_quote, sh_vectors, ARRAY_SIZE(sh_vectors));
}

/* Not $-expanded settings: % doubled, \ and controls escaped, quotes and $
 * left alone (the caller quotes when it must). */
static const struct vec value_vectors[] = {
	{ "plain text", "plain text" },
	{ "100% $HOME", "100%% $HOME" },
	{ "a\\b", "a\\\\b" },
	{ "x\ny\tz\r", "x\\ny\\tz\\r" },
	{ "say \"hi\"", "say \"hi\"" },
	{ "\x01", "\\x01" },
	{ "bad\xff", "bad\\xff" },
	{ "\xc3\xa9", "\xc3\xa9" },
	{ "", "" },
};

static const struct vec quoted_vectors[] = {
	{ "A=two words", "\"A=two words\"" },
	{ "A=100% $HOME ${X}", "\"A=100%% $HOME ${X}\"" },
	{ "A=say \"hi\"", "\"A=say \\\"hi\\\"\"" },
	{ "A=back\\slash", "\"A=back\\\\slash\"" },
	{ "A=l1\nl2", "\"A=l1\\nl2\"" },
	{ "A=it's", "\"A=it's\"" },
	{ "", "\"\"" },
};

static void test_systemd_values(void **state)
{
	(void)state;
	check_vectors(systemd_value, value_vectors, ARRAY_SIZE(value_vectors));
	check_vectors(systemd_quoted_value, quoted_vectors, ARRAY_SIZE(quoted_vectors));
}

/* Output of systemd-escape 252 for each input. */
static const struct vec unit_vectors[] = {
	{ "web", "web" },
	{ "my app/web-1", "my\\x20app-web\\x2d1" },
	{ ".hidden", "\\x2ehidden" },
	{ "..", "\\x2e." },
	{ "a.b.", "a.b." },
	{ "/abs/path", "-abs-path" },
	{ "a/b/c", "a-b-c" },
	{ "//", "--" },
	{ "x:y_z", "x:y_z" },
	{ "CamelCase09", "CamelCase09" },
	{ "", "" },
	{ "a b", "a\\x20b" },
	{ "it's", "it\\x27s" },
	{ "say \"hi\"", "say\\x20\\x22hi\\x22" },
	{ "$HOME", "\\x24HOME" },
	{ "${X}", "\\x24\\x7bX\\x7d" },
	{ "%h", "\\x25h" },
	{ "100%", "100\\x25" },
	{ "back\\slash", "back\\x5cslash" },
	{ "line1\nline2", "line1\\x0aline2" },
	{ "tab\there", "tab\\x09here" },
	{ ";", "\\x3b" },
	{ "&&", "\\x26\\x26" },
	{ "|", "\\x7c" },
	{ "`id`", "\\x60id\\x60" },
	{ "$(id)", "\\x24\\x28id\\x29" },
	{ "*", "\\x2a" },
	{ "~", "\\x7e" },
	{ "#x", "\\x23x" },
	{ "h\xc3\xa9llo \xe2\x9c\x93", "h\\xc3\\xa9llo\\x20\\xe2\\x9c\\x93" },
	{ "-leading", "\\x2dleading" },
	{ "del\x7f", "del\\x7f" },
	{ "bad\xff\xfe", "bad\\xff\\xfe" },
	{ "@at", "\\x40at" },
	{ ":colon", ":colon" },
	{ "${X:-y}", "\\x24\\x7bX:\\x2dy\\x7d" },
};

static const struct vec go_vectors[] = {
	{ "web", "\"web\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "a\nb\tc\r", "\"a\\nb\\tc\\r\"" },
	{ "{{ x }}", "\"{{ x }}\"" },
	{ "\x01\x7f", "\"\\x01\\x7f\"" },
	{ "caf\xc3\xa9", "\"caf\\xc3\\xa9\"" },
	{ "", "\"\"" },
};

static void test_go_string_literal(void **state)
{
	(void)state;
	check_vectors(go_string_literal, go_vectors, sizeof(go_vectors) / sizeof(go_vectors[0]));
}

/* A chart's template: user keys and strings with "{{" escaped, the
 * caller's expressions and actions written as they are. */
static void test_template_text(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct emit e;
	emit_init(&e, &sb, EMIT_YAML);
	e.template_text = true;
	emit_map_begin(&e);
	emit_key(&e, "a{{b");
	emit_str(&e, "{{ .Values.x }}}}");
	emit_key(&e, "count");
	emit_raw(&e, "{{ .Values.n }}");
	emit_directive(&e, "{{- with .Values.r }}");
	emit_key(&e, "r");
	emit_raw(&e, "{{ toJson . }}");
	emit_directive(&e, "{{- end }}");
	emit_key(&e, "plain");
	emit_str(&e, "{ not a template }");
	emit_map_end(&e);
	emit_release(&e);
	assert_string_equal(sb.buf, "a{{ \"{{\" }}b: \"{{ \"{{\" }} .Values.x }}}}\"\n"
				    "count: {{ .Values.n }}\n"
				    "{{- with .Values.r }}\n"
				    "r: {{ toJson . }}\n"
				    "{{- end }}\n"
				    "plain: \"{ not a template }\"\n");
	sb_release(&sb);
	/* the same without template_text: nothing escaped */
	emit_init(&e, &sb, EMIT_YAML);
	emit_str(&e, "{{x}}");
	emit_release(&e);
	assert_string_equal(sb.buf, "\"{{x}}\"\n");
	sb_release(&sb);
}

static void test_unit_name_escape(void **state)
{
	(void)state;
	check_vectors(unit_name_escape, unit_vectors, ARRAY_SIZE(unit_vectors));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_arg),
		cmocka_unit_test(test_exec_line),
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_systemd_values),
		cmocka_unit_test(test_unit_name_escape),
		cmocka_unit_test(test_go_string_literal),
		cmocka_unit_test(test_template_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
