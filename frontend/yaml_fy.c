/*
 * yaml_fy.c - libfyaml's parser events as our events (yaml_events.h).
 *
 * libfyaml is the complete parser: every input the fast scanner gives up
 * on comes here, and its messages are the syntax errors we report.
 */
#include "frontend/yaml_events.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

/* ---- single-quoted scalars --------------------------------------------- */

/* libfyaml 0.7.12 gets a single-quoted scalar with many '' escapes wrong:
 * once a line needs more than 8 chunks, the text it returns repeats an
 * escape where later characters belong ('abcd' reads as
 * "ab''") and the chunk array leaks (libfyaml issue #233, fixed
 * upstream after 0.7.12).  Scalars with an escape are therefore decoded
 * here, from the source between the quotes, by YAML 1.2's rules: '' is
 * one quote (7.3.2); lines are folded as in every flow scalar (6.5):
 * white space around line breaks goes, one break becomes a space and n+1
 * breaks become n newlines. */
static bool is_white(char c)
{
	return c == ' ' || c == '\t';
}

static void add_unescaped(struct strbuf *out, const char *s, const char *e)
{
	while (s < e) {
		const char *q = memchr(s, '\'', (size_t)(e - s));
		if (!q) {
			sb_add(out, s, (size_t)(e - s));
			return;
		}
		sb_add(out, s, (size_t)(q + 1 - s)); /* up to and with the quote */
		s = q + 1 < e && q[1] == '\'' ? q + 2 : q + 1;
	}
}

/* The end of the line at s (a break or e); *next is where the next line
 * starts, NULL after the last. */
static const char *line_end(const char *s, const char *e, const char **next)
{
	const char *p = s;
	while (p < e && *p != '\n' && *p != '\r')
		p++;
	if (p == e)
		*next = NULL;
	else
		*next = *p == '\r' && p + 1 < e && p[1] == '\n' ? p + 2 : p + 1;
	return p;
}

static const char *decode_single_quoted(struct arena *into, const char *s, size_t n, size_t *len)
{
	struct strbuf out = STRBUF_INIT;
	const char *e = s + n, *next;
	size_t empties = 0;
	for (bool first = true; s; s = next, first = false) {
		const char *a = s, *z = line_end(s, e, &next);
		if (!first)
			while (a < z && is_white(*a))
				a++;
		if (next) /* not the last line */
			while (z > a && is_white(z[-1]))
				z--;
		if (!first && a == z && next) {
			empties++;
			continue;
		}
		if (!first && !empties)
			sb_addc(&out, ' ');
		for (; empties; empties--)
			sb_addc(&out, '\n');
		add_unescaped(&out, a, z);
	}
	char *r = sb_to_arena(&out, into);
	*len = out.len;
	sb_release(&out);
	return r;
}

/* The text of a scalar token; NULL when libfyaml has none. */
static const char *scalar_text(struct fy_token *t, const char *input, size_t input_len, struct arena *a,
			       size_t *len)
{
	const struct fy_mark *s = fy_token_start_mark(t), *e = fy_token_end_mark(t);
	if (fy_token_scalar_style(t) == FYSS_SINGLE_QUOTED && s && e && s->input_pos <= e->input_pos &&
	    e->input_pos <= input_len) {
		const char *raw = input + s->input_pos;
		size_t n = e->input_pos - s->input_pos;
		if (memmem(raw, n, "\'\'", 2))
			return decode_single_quoted(a, raw, n, len);
	}
	return fy_token_get_text(t, len);
}

static void set_mark(struct yev *y, const struct fy_mark *m)
{
	y->line = m ? m->line + 1 : 0;
	y->col = m ? m->column + 1 : 0;
}

static unsigned tag_bits(struct fy_token *tag)
{
	const char *t = tag ? fy_token_get_text0(tag) : NULL;
	if (!t)
		return TAG_NONE;
	if (strcmp(t, "!reset") == 0)
		return TAG_RESET;
	if (strcmp(t, "!override") == 0)
		return TAG_OVERRIDE;
	if (strcmp(t, "tag:yaml.org,2002:str") == 0)
		return TAG_STR;
	return TAG_NONE;
}

static void set_anchor(struct yev *y, struct fy_token *anchor)
{
	y->anchor = anchor ? fy_token_get_text(anchor, &y->anchor_len) : NULL;
}

static void convert_scalar(struct yev *y, struct fy_event *e, const char *input, size_t input_len,
			   struct arena *a)
{
	struct fy_token *t = e->scalar.value;
	y->kind = YEV_SCALAR;
	y->text = scalar_text(t, input, input_len, a, &y->len);
	if (!y->text)
		y->text = "", y->len = 0;
	set_mark(y, fy_token_start_mark(t));
	enum fy_scalar_style fss = fy_token_scalar_style(t);
	y->style = fss == FYSS_PLAIN ? STYLE_PLAIN : STYLE_QUOTED;
	if ((fss == FYSS_SINGLE_QUOTED || fss == FYSS_DOUBLE_QUOTED) && y->col > 1)
		y->col--; /* point at the opening quote */
	y->tags = (unsigned char)tag_bits(e->scalar.tag);
	set_anchor(y, e->scalar.anchor);
}

/* The event as ours; false for the events the builder has no use for
 * (stream start and end). */
static bool convert(struct yev *y, struct fy_event *e, const char *input, size_t input_len, struct arena *a)
{
	memset(y, 0, sizeof(*y));
	switch (e->type) {
	case FYET_DOCUMENT_START:
		y->kind = YEV_DOC_START;
		break;
	case FYET_DOCUMENT_END:
		y->kind = YEV_DOC_END;
		set_mark(y, fy_event_start_mark(e));
		break;
	case FYET_MAPPING_START:
		y->kind = YEV_MAP_START;
		set_mark(y, fy_event_start_mark(e));
		y->tags = (unsigned char)tag_bits(e->mapping_start.tag);
		set_anchor(y, e->mapping_start.anchor);
		break;
	case FYET_SEQUENCE_START:
		y->kind = YEV_SEQ_START;
		set_mark(y, fy_event_start_mark(e));
		y->tags = (unsigned char)tag_bits(e->sequence_start.tag);
		set_anchor(y, e->sequence_start.anchor);
		break;
	case FYET_MAPPING_END:
		y->kind = YEV_MAP_END;
		break;
	case FYET_SEQUENCE_END:
		y->kind = YEV_SEQ_END;
		break;
	case FYET_SCALAR:
		convert_scalar(y, e, input, input_len, a);
		break;
	case FYET_ALIAS:
		y->kind = YEV_ALIAS;
		set_mark(y, fy_event_start_mark(e));
		y->text = fy_token_get_text(e->alias.anchor, &y->len);
		if (!y->text)
			y->text = "", y->len = 0;
		break;
	default:
		return false;
	}
	return true;
}

/* libfyaml's own syntax errors, collected instead of printed. */
static void collect_errors(struct fy_diag *fd, struct arena *a, struct ptrvec *errors)
{
	void *it = NULL;
	struct fy_diag_error *de;
	while ((de = fy_diag_errors_iterate(fd, &it)) != NULL) {
		if (de->type < FYET_ERROR)
			continue;
		struct yev_error *ye = arena_alloc(a, sizeof(*ye));
		ye->line = de->line > 0 ? de->line : 0;
		ye->col = de->column > 0 ? de->column : 0;
		ye->msg = arena_strdup(a, de->msg);
		ptrvec_push(errors, a, ye);
	}
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag, (void)user, (void)buf, (void)len;
}

static struct fy_diag *quiet_diag(void)
{
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = discard_output;
	dc.colorize = false;
	struct fy_diag *fd = fy_diag_create(&dc);
	if (!fd)
		die("libfyaml: cannot create diagnostics");
	fy_diag_set_collect_errors(fd, true);
	return fd;
}

int yaml_events_fy(const char *text, size_t len, struct arena *scratch, yev_sink sink, void *ctx,
		   struct ptrvec *errors)
{
	struct fy_diag *fd = quiet_diag();
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
				    .diag = fd };
	struct fy_parser *p = fy_parser_create(&cfg);
	if (!p)
		die("libfyaml: cannot create parser");
	if (fy_parser_set_string(p, text, len) != 0)
		die("libfyaml: cannot set input");
	int rc = 0;
	struct fy_event *e;
	struct yev y;
	while (rc == 0 && (e = fy_parser_parse(p)) != NULL) {
		if (convert(&y, e, text, len, scratch) && !sink(ctx, &y))
			rc = 1;
		fy_parser_event_free(p, e);
	}
	if (rc == 0 && fy_parser_get_stream_error(p)) {
		rc = -1;
		if (errors)
			collect_errors(fd, scratch, errors);
	}
	fy_parser_destroy(p);
	fy_diag_destroy(fd);
	return rc;
}
