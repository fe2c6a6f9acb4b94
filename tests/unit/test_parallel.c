/*
 * test_parallel.c - emit_items (backends/parallel.c): items written on two
 * threads come out in item order, with their messages in item order and
 * formatted as the calling thread's own, the same as on one thread; each
 * item starts with a clean scratch arena; the worker really takes part.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/parallel.h"

#define N 1000

struct ctx {
	pthread_t caller;
	bool elsewhere[N]; /* item i was written by another thread */
	bool dirty[N];     /* item i found its scratch memory not cleared */
	int calls[N];
};

static void item(void *arg, const struct item_env *env, size_t i)
{
	struct ctx *c = arg;
	c->calls[i]++;
	c->elsewhere[i] = !pthread_equal(pthread_self(), c->caller);
	unsigned char *p = arena_alloc(env->a, 256);
	for (size_t k = 0; k < 256; k++)
		c->dirty[i] |= p[k] != 0;
	memset(p, 0xa5, 256); /* the next item must not see this */
	sb_addf(env->sb, "item %zu: %s\n", i, i % 2 ? "odd" : "even");
	if (i % 7 == 0)
		diag_warning(env->d, (struct loc){ "x.yaml", (int)i + 1, 3 }, "item %zu \x01warns", i);
	if (i % 250 == 0)
		diag_error(env->d, (struct loc){ 0 }, "item %zu fails", i);
}

struct run {
	struct strbuf out;
	struct arena a;
	struct diag d;
	struct ctx c;
};

static void run(struct run *r, size_t n, const char *threads)
{
	if (threads)
		setenv("COMPOSEC_THREADS", threads, 1);
	else
		unsetenv("COMPOSEC_THREADS");
	memset(r, 0, sizeof(*r));
	sb_init(&r->out);
	arena_init(&r->a);
	diag_init(&r->d, &r->a);
	r->c.caller = pthread_self();
	struct fileset fs = { 0 };
	emit_items(n, item, &r->c, &r->d, &r->out, &fs);
	unsetenv("COMPOSEC_THREADS");
}

static void done(struct run *r)
{
	sb_release(&r->out);
	diag_release(&r->d);
	arena_release(&r->a);
}

static void test_same_as_one_thread(void **state)
{
	(void)state;
	struct run *two = calloc(1, sizeof(*two)), *one = calloc(1, sizeof(*one));
	assert_non_null(two);
	assert_non_null(one);
	run(two, N, NULL);
	run(one, N, "1");
	assert_string_equal(two->out.buf, one->out.buf);
	assert_string_equal(two->d.out.buf, one->d.out.buf);
	assert_int_equal(two->d.warnings, one->d.warnings);
	assert_int_equal(two->d.errors, one->d.errors);
	assert_int_equal(two->d.errors, 4);
	assert_int_equal(two->d.warnings, (N + 6) / 7);
	size_t on_worker = 0;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(two->c.calls[i], 1);
		assert_false(two->c.dirty[i]);
		assert_false(one->c.elsewhere[i]);
		on_worker += two->c.elsewhere[i];
	}
	assert_true(on_worker > 0 && on_worker < N); /* both threads wrote */
	done(two);
	done(one);
	free(two);
	free(one);
}

/* Items and messages in item order: text line k is item k; message k is
 * about item 7k, with its control byte escaped as on the calling thread. */
static void test_order(void **state)
{
	(void)state;
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	run(r, N, NULL);
	const char *p = r->out.buf;
	char want[64];
	for (size_t i = 0; i < N; i++) {
		int len = snprintf(want, sizeof(want), "item %zu: %s\n", i, i % 2 ? "odd" : "even");
		assert_memory_equal(p, want, (size_t)len);
		p += len;
	}
	assert_int_equal(*p, '\0');
	const char *m = r->d.out.buf;
	for (size_t i = 0; i < N; i++) {
		if (i % 7 == 0) {
			int len = snprintf(want, sizeof(want), "x.yaml:%zu:3: warning: item %zu \\x01warns\n", i + 1, i);
			assert_memory_equal(m, want, (size_t)len);
			m += len;
		}
		if (i % 250 == 0) {
			int len = snprintf(want, sizeof(want), "composec: error: item %zu fails\n", i);
			assert_memory_equal(m, want, (size_t)len);
			m += len;
		}
	}
	assert_int_equal(*m, '\0');
	done(r);
	free(r);
}

/* A few items are written on the calling thread alone. */
static void test_small_stays_on_caller(void **state)
{
	(void)state;
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	run(r, 20, NULL);
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(r->c.calls[i], 1);
		assert_false(r->c.elsewhere[i]);
	}
	assert_int_equal(r->c.calls[20], 0);
	done(r);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_one_thread),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_small_stays_on_caller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
