/*
 * yaml_events.h - the YAML event stream between the parsers and the tree
 * builder in yaml.c (internal to the frontend).
 *
 * Two parsers produce it: libfyaml (complete, and the only source of
 * syntax errors) and yaml_fast.c (a scanner for the block-style subset
 * compose files are written in, which gives up on anything else).  An
 * event holds exactly what the builder uses, already in the builder's
 * terms, so that the two streams can be compared field by field
 * (yaml_diff): for an input the fast scanner accepts, both must be equal.
 */
#ifndef COMPOSEC_YAML_EVENTS_H
#define COMPOSEC_YAML_EVENTS_H

#include "frontend/node.h"

enum yev_kind {
	YEV_DOC_START,
	YEV_DOC_END,
	YEV_MAP_START,
	YEV_MAP_END,
	YEV_SEQ_START,
	YEV_SEQ_END,
	YEV_SCALAR,
	YEV_ALIAS,
};

struct yev {
	unsigned char kind;  /* enum yev_kind */
	unsigned char style; /* scalars: enum scalar_style */
	unsigned char tags;  /* enum node_tag bits */
	int line, col;       /* 1-based; a quoted scalar's is its opening quote */
	const char *text;    /* scalar: the value (len bytes); alias: the anchor name */
	size_t len;
	const char *anchor; /* the anchor defined here, or NULL */
	size_t anchor_len;
};

/* Receives each event; false stops the parse. */
typedef bool (*yev_sink)(void *ctx, const struct yev *e);

/* A syntax error as libfyaml reports it (line and col 1-based, 0 when
 * unknown). */
struct yev_error {
	int line, col;
	const char *msg;
};

/* libfyaml's events for text: 0 when the stream was parsed, -1 after a
 * syntax error (every event before it was delivered; its messages are
 * added to errors, struct yev_error in scratch, when errors is not NULL),
 * 1 when the sink stopped it.  Decoded texts may be allocated in
 * scratch. */
int yaml_events_fy(const char *text, size_t len, struct arena *scratch, yev_sink sink, void *ctx,
		   struct ptrvec *errors);

/* The fast scanner's events for text: true when it handled the whole
 * stream, false when it gave up (the events delivered so far are then
 * meaningless: the caller must undo them and ask libfyaml).  It never
 * reports errors. */
struct strbuf;
bool yaml_events_fast(const char *text, size_t len, struct strbuf *buf, yev_sink sink, void *ctx);

/* Run both parsers on text (already known to be printable UTF-8) and
 * compare their streams: 1 when the fast scanner accepted it and the
 * streams are equal, 0 when it gave up, -1 when they differ (why goes to
 * why). */
int yaml_diff(const char *text, size_t len, struct strbuf *why);

/* Eight bytes at a time: the high bit of each byte of w that is below n
 * (n <= 0x80), equal to c, or above 0x7E.  Exact per byte (no borrow or
 * carry crosses bytes), so that a clean word is skipped in a few
 * instructions. */
#define YAML_ONES 0x0101010101010101ull
static inline uint64_t yaml_bytes_below(uint64_t w, unsigned n)
{
	return ~(((w & 0x7F * YAML_ONES) + (0x80 - n) * YAML_ONES) | w) & 0x80 * YAML_ONES;
}
static inline uint64_t yaml_bytes_equal(uint64_t w, unsigned char c)
{
	return yaml_bytes_below(w ^ (c * YAML_ONES), 1);
}
static inline uint64_t yaml_bytes_above_7e(uint64_t w)
{
	return (((w & 0x7F * YAML_ONES) + YAML_ONES) | w) & 0x80 * YAML_ONES;
}

/* What yaml_parse checks before parsing: printable UTF-8. */
bool yaml_text_ok(const char *text, size_t len);

#endif
