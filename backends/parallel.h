/*
 * parallel.h - the items of a one-file target (sh's services) written on
 * two threads.  Runs of consecutive items alternate between the calling
 * thread and one worker; the worker writes each of its runs into a buffer
 * of its own and holds its messages (diag_hold), and the calling thread
 * puts everything together in item order.  The output and the messages
 * are byte for byte those of writing the items one after the other: an
 * item sees nothing of any other, and a message is formatted where the
 * sink is, on the calling thread.
 *
 * COMPOSEC_THREADS=1 in the environment keeps everything on the calling
 * thread (the tests compare the two); so does a project too small for a
 * thread to pay for itself, or a thread that cannot be started.
 */
#ifndef COMPOSEC_PARALLEL_H
#define COMPOSEC_PARALLEL_H

#include "backends/backend.h"

/* What an item is written with: a scratch arena rewound after each item,
 * the messages' sink, and the text so far, which ends with a newline
 * (items start at the beginning of a line). */
struct item_env {
	struct arena *a;
	struct diag *d;
	struct strbuf *sb;
};

/* Writes item i of ctx.  Called on either thread: it must only read what
 * ctx shares, and allocate from env->a alone. */
typedef void (*item_fn)(void *ctx, const struct item_env *env, size_t i);

/* fn for every i in [0, n), in that order in sb and in d; sb is handed to
 * fileset_stream(out, sb) after each run. */
void emit_items(size_t n, item_fn fn, void *ctx, struct diag *d, struct strbuf *sb, struct fileset *out);

#endif
