/*
 * emit.h - a streaming writer for block-style YAML and for JSON, and the
 * escapers every string goes through on its way into either.
 *
 * Invariants:
 *  - The caller drives it like a SAX writer: begin/end containers, a key
 *    before every value inside a map, values inside a sequence.  Misuse (a
 *    value in a map without a key, an unbalanced end) is a programming
 *    error and dies.
 *  - Output is appended to a caller-owned strbuf; nothing else is kept
 *    except the container stack, so two emitters can run side by side.
 *  - YAML: 2-space indent, sequences indented under their key
 *    ("key:\n  - a"), a map inside a sequence starts on the dash line
 *    ("- k: v"); scalars are plain when that reads back as the same string,
 *    else double-quoted.  JSON: 2-space indent, "key": value.
 *  - An empty map or sequence is written `{}` / `[]` in both formats.
 *  - Every key and string value goes through yaml_quote_scalar or
 *    json_escape_string; nothing is written raw but the caller's own
 *    template text (emit_raw, emit_directive: a Helm chart's expressions,
 *    YAML only).  In a template (template_text set) every "{{" of a key
 *    or string becomes {{ "{{" }}, which Helm renders back to "{{".
 *  - A complete document ends with a newline.
 */
#ifndef COMPOSEC_EMIT_H
#define COMPOSEC_EMIT_H

#include "base/base.h"

enum emit_format { EMIT_YAML, EMIT_JSON };

struct emit {
	struct strbuf *out;
	enum emit_format fmt;
	struct strbuf stack; /* per open container: 'm'/'s' empty, 'M'/'S' not */
	int cursor;          /* YAML: where the last write left the line */
	bool key_pending;    /* a key was written, its value not yet */
	bool template_text;  /* YAML for Go's text/template: "{{" of a scalar escaped */
};

void emit_init(struct emit *e, struct strbuf *out, enum emit_format fmt);
void emit_release(struct emit *e);

void emit_map_begin(struct emit *e);
void emit_map_end(struct emit *e);
void emit_seq_begin(struct emit *e);
void emit_seq_end(struct emit *e);
void emit_key(struct emit *e, const char *key);

void emit_str(struct emit *e, const char *s);
void emit_int(struct emit *e, long long v);
/* Shortest text that reads back as v, Go style: YAML as strconv 'g'
 * (1e+06, .inf, .nan), JSON as encoding/json (1000000, 1e-7; NaN and
 * infinities, which JSON cannot hold, as null). */
void emit_float(struct emit *e, double v);
void emit_bool(struct emit *e, bool v);
void emit_null(struct emit *e);
/* YAML only: a scalar value written as text is, a template expression the
 * caller built ("{{ ... }}"; never a user's string: those go through
 * go_string_literal into it). */
void emit_raw(struct emit *e, const char *text);
/* YAML only: a template action on a line of its own, between a map's
 * entries: text must begin with "{{-", which trims the line break before
 * it, so the line renders to nothing. */
void emit_directive(struct emit *e, const char *text);
/* Append s as a Go string literal (text/template's "..." syntax):
 * \ " \n \t \r, \xNN for other control bytes and bytes of broken
 * UTF-8. */
void go_string_literal(struct strbuf *out, const char *s);
/* Append text with every "{{" made {{ "{{" }}: user text for a Go
 * template (a YAML comment of a chart's template). */
void go_template_text(struct strbuf *out, const char *text, size_t n);

/* Append s as a YAML scalar that reads back as the string s: plain when
 * unambiguous (not null, bool, number, timestamp, no indicator, only
 * printable characters), otherwise double-quoted with \" \\ \n \t \r,
 * \xNN for other control bytes and for bytes that are not UTF-8, and
 * \uNNNN for non-printable code points. */
void yaml_quote_scalar(struct strbuf *out, const char *s);
/* True when s may be written as a plain YAML scalar. */
bool yaml_plain_ok(const char *s);
/* Append s as a JSON string literal, quotes included (RFC 8259); bytes
 * that are not UTF-8 become \ufffd. */
void json_escape_string(struct strbuf *out, const char *s);
/* Append v as emit_float does. */
void emit_format_float(struct strbuf *out, double v, enum emit_format fmt);

#endif
