/*
 * test_diag.c - the diagnostics sink (base/diag.c): a message quotes its
 * source line under the caret, also when the text was dropped after
 * parsing and the line is read back from the file, and never quotes a
 * file that changed or went away since it was read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

struct fx {
	struct arena a;
	struct diag d;
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	strcpy(f->dir, "/tmp/test_diag.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/compose.yaml", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unlink(f->path);
	rmdir(f->dir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* Write text and register a copy of it as read from the file, as the
 * loader does; the caller drops and frees the copy. */
static char *add_read(struct fx *f, const char *text)
{
	write_text(f->path, text);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	char *copy = strdup(text);
	assert_non_null(copy);
	diag_add_file_source(&f->d, "compose.yaml", copy, strlen(copy), f->path, (long long)st.st_mtim.tv_sec,
			     (long long)st.st_mtim.tv_nsec);
	return copy;
}

/* The same, dropped at once, as once the file is parsed. */
static void add_dropped(struct fx *f, const char *text)
{
	char *copy = add_read(f, text);
	diag_drop_text(&f->d, copy);
	free(copy);
}

static void report(struct fx *f, int line, int col)
{
	diag_error(&f->d, (struct loc){ "compose.yaml", line, col }, "bad");
}

static void test_quote_read_back(void **state)
{
	struct fx *f = *state;
	add_dropped(f, "services:\n  web:\n    image: 42\n    ports: [x]");
	report(f, 3, 12);
	report(f, 4, 13); /* the last line, without a newline */
	report(f, 1, 1);
	assert_string_equal(f->d.out.buf, "compose.yaml:3:12: error: bad\n"
					  "      image: 42\n"
					  "             ^\n"
					  "compose.yaml:4:13: error: bad\n"
					  "      ports: [x]\n"
					  "              ^\n"
					  "compose.yaml:1:1: error: bad\n"
					  "  services:\n"
					  "  ^\n");
}

static void test_long_line_and_past_the_end(void **state)
{
	struct fx *f = *state;
	struct strbuf t = STRBUF_INIT;
	sb_adds(&t, "a: ");
	for (int i = 0; i < 400; i++)
		sb_addc(&t, (char)('a' + i % 26));
	sb_adds(&t, "\nb: 1\n");
	add_dropped(f, t.buf);
	report(f, 1, 4);
	report(f, 9, 1); /* no such line: the message alone */
	const char *out = f->d.out.buf;
	const char *quoted = strchr(out, '\n') + 1;
	assert_memory_equal(quoted, "  a: abc", 8);
	assert_int_equal(strchr(quoted, '\n') - quoted, 2 + 200); /* cut at 200 bytes */
	assert_non_null(strstr(out, "\n     ^\ncompose.yaml:9:1: error: bad\n"));
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_null(strstr(strstr(out, ":9:1:"), "  ^"));
	sb_release(&t);
}

static void test_changed_or_gone_not_quoted(void **state)
{
	struct fx *f = *state;
	add_dropped(f, "services:\n  web:\n    image: 42\n");
	write_text(f->path, "services:\n  web:\n    image: \"forty-two\"\n"); /* changed since read */
	report(f, 3, 12);
	assert_string_equal(f->d.out.buf, "compose.yaml:3:12: error: bad\n");
	sb_reset(&f->d.out);
	unlink(f->path);
	report(f, 3, 12);
	assert_string_equal(f->d.out.buf, "compose.yaml:3:12: error: bad\n");
}

/* A line quoted while the text was there and one quoted after it was
 * dropped read the same. */
static void test_quoted_before_and_after_drop(void **state)
{
	struct fx *f = *state;
	char *copy = add_read(f, "x:\n  y: [1,\n     2]\n");
	report(f, 3, 6);
	diag_drop_text(&f->d, copy);
	memset(copy, '#', strlen(copy)); /* what was dropped is not read again */
	free(copy);
	report(f, 3, 6);
	assert_string_equal(f->d.out.buf, "compose.yaml:3:6: error: bad\n"
					  "       2]\n"
					  "       ^\n"
					  "compose.yaml:3:6: error: bad\n"
					  "       2]\n"
					  "       ^\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quote_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_and_past_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_or_gone_not_quoted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_before_and_after_drop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
