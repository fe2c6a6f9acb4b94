/*
 * parallel.c - see parallel.h.  Items go in runs of RUN: the calling
 * thread writes runs 0, 2, 4, ... straight into the output, the worker
 * runs 1, 3, 5, ... into two slots that the calling thread empties in
 * turn (the output of one run, its held messages), so at most two runs
 * wait in memory whatever the number of items.
 */
#include "backends/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RUN 32 /* items per run: a few hundred microseconds of work */
/* Fewer items than this are written on the calling thread alone: a thread
 * costs about as much as a few dozen services take to write. */
#define MIN_ITEMS (4 * RUN)

struct slot {
	struct strbuf sb;
	struct arena a; /* of the held messages */
	struct diag d;
	bool full;
};

struct worker {
	item_fn fn;
	void *ctx;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[2];
	struct arena scratch;
};

static void slot_init(struct slot *s)
{
	sb_init(&s->sb);
	arena_init(&s->a);
	diag_init(&s->d, &s->a);
	s->d.hold = true;
	s->full = false;
}

/* The run's output and messages are out: the slot is empty again. */
static void slot_reset(struct slot *s)
{
	sb_reset(&s->sb);
	diag_release(&s->d);
	arena_release(&s->a);
	arena_init(&s->a);
	diag_init(&s->d, &s->a);
	s->d.hold = true;
}

static void slot_release(struct slot *s)
{
	sb_release(&s->sb);
	diag_release(&s->d);
	arena_release(&s->a);
}

/* Items [from, to) into env->sb, the scratch rewound after each. */
static void write_run(item_fn fn, void *ctx, const struct item_env *env, size_t from, size_t to)
{
	struct arena_mark mark = arena_mark(env->a);
	for (size_t i = from; i < to; i++) {
		fn(ctx, env, i);
		arena_rewind(env->a, mark);
	}
}

static size_t run_end(size_t run, size_t n)
{
	return (run + 1) * RUN < n ? (run + 1) * RUN : n;
}

/* Runs 1, 3, 5, ...: run r into slot (r / 2) % 2 once the calling thread
 * has emptied it. */
static void *work(void *arg)
{
	struct worker *w = arg;
	for (size_t r = 1; r * RUN < w->n; r += 2) {
		struct slot *s = &w->slot[(r / 2) % 2];
		pthread_mutex_lock(&w->mu);
		while (s->full)
			pthread_cond_wait(&w->cv, &w->mu);
		pthread_mutex_unlock(&w->mu);
		struct item_env env = { &w->scratch, &s->d, &s->sb };
		write_run(w->fn, w->ctx, &env, r * RUN, run_end(r, w->n));
		pthread_mutex_lock(&w->mu);
		s->full = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

static bool one_thread(size_t n)
{
	const char *v = getenv("COMPOSEC_THREADS");
	return n < MIN_ITEMS || (v && strcmp(v, "1") == 0);
}

void emit_items(size_t n, item_fn fn, void *ctx, struct diag *d, struct strbuf *sb, struct fileset *out)
{
	struct arena scratch;
	arena_init(&scratch);
	arena_alloc(&scratch, 1); /* a chunk to come back to, not one made again per item */
	struct item_env env = { &scratch, d, sb };
	struct worker w = { .fn = fn, .ctx = ctx, .n = n };
	pthread_t th;
	bool threaded = !one_thread(n);
	if (threaded) {
		pthread_mutex_init(&w.mu, NULL);
		pthread_cond_init(&w.cv, NULL);
		slot_init(&w.slot[0]);
		slot_init(&w.slot[1]);
		arena_init(&w.scratch);
		arena_alloc(&w.scratch, 1);
		threaded = pthread_create(&th, NULL, work, &w) == 0;
		if (!threaded) {
			slot_release(&w.slot[0]);
			slot_release(&w.slot[1]);
			arena_release(&w.scratch);
			pthread_cond_destroy(&w.cv);
			pthread_mutex_destroy(&w.mu);
		}
	}
	for (size_t r = 0; r * RUN < n; r++) {
		if (!threaded || r % 2 == 0) {
			write_run(fn, ctx, &env, r * RUN, run_end(r, n));
		} else {
			struct slot *s = &w.slot[(r / 2) % 2];
			pthread_mutex_lock(&w.mu);
			while (!s->full)
				pthread_cond_wait(&w.cv, &w.mu);
			pthread_mutex_unlock(&w.mu);
			sb_add(sb, s->sb.buf, s->sb.len);
			diag_replay(d, &s->d);
			slot_reset(s);
			pthread_mutex_lock(&w.mu);
			s->full = false;
			pthread_cond_broadcast(&w.cv);
			pthread_mutex_unlock(&w.mu);
		}
		fileset_stream(out, sb);
	}
	if (threaded) {
		pthread_join(th, NULL);
		slot_release(&w.slot[0]);
		slot_release(&w.slot[1]);
		arena_release(&w.scratch);
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
	}
	arena_release(&scratch);
}
