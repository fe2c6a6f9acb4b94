/*
 * audit_run.c - running the audit.  Requires a lowered project and the
 * diagnostics sink that holds its source texts; provides the report: every
 * rule's findings for every enabled service, each with its path relative
 * to the project directory, a fingerprint that survives edits elsewhere in
 * the file, whether a "# composec-ignore:" comment or the ignore file
 * suppresses it, in a stable order; then the explanation.
 */
#include "audit/audit_internal.h"

#include "base/emit.h"

#include <stdlib.h>
#include <string.h>

const char *const audit_severity_names[SEV__MAX] = { "info", "low", "medium", "high", "critical" };

int audit_severity_parse(const char *s)
{
	for (int i = 0; i < SEV__MAX; i++)
		if (s && strcmp(s, audit_severity_names[i]) == 0)
			return i;
	return -1;
}

const char *audit_q(struct audit_ctx *c, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_escape_string(&sb, s ? s : "");
	char *r = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return r;
}

/* ---- paths ---------------------------------------------------------------------- */

/* An absolute path with ".", ".." and empty segments removed. */
static const char *path_clean(struct arena *a, const char *abs)
{
	char *out = arena_alloc(a, strlen(abs) + 2);
	size_t n = 0;
	for (const char *p = abs; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			n = n > 0 ? n - 1 : 0;
		} else if (!(len == 1 && p[0] == '.')) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

struct loc audit_key(const struct service *s, const char *name)
{
	const struct ir_field *f = ir_service_field(name);
	return f ? ir_field_loc(s, f) : s->loc;
}

/* The deepest key of path below the mapping at map (the model's key
 * locations); *found keys were found. */
static struct loc key_path(struct audit_ctx *c, struct loc map, struct loc best, const char *const *path, int *found)
{
	int d = 0;
	for (struct ir_key_loc k; path[d] && ir_key_at(c->p, map, path[d], &k); d++) {
		best = k.key;
		map = k.value;
	}
	*found = d;
	return best;
}

struct loc audit_locate(struct audit_ctx *c, const struct service *s, const char *const *path, int *depth)
{
	int found;
	struct loc at = key_path(c, s->body, s->loc, path, &found);
	if (depth)
		*depth = found;
	return at;
}

bool audit_locate_in_item(struct audit_ctx *c, struct loc item, const char *const *path, struct loc *out)
{
	int found;
	struct loc at = key_path(c, item, item, path, &found);
	if (found)
		*out = at;
	return found > 0;
}

/* Whether the names after "composec-ignore:" (p..e) list rule. */
static bool list_names(const char *p, const char *e, const char *rule)
{
	size_t rn = strlen(rule);
	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *b = p;
		while (p < e && (*p == '-' || *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				 (*p >= '0' && *p <= '9')))
			p++;
		if ((size_t)(p - b) == rn && memcmp(b, rule, rn) == 0)
			return true;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == b || p >= e || *p != ',')
			return false;
		p++;
	}
}

bool audit_comment_suppresses(struct audit_ctx *c, struct loc loc, const char *rule, const char **why)
{
	const struct project *p = c->p;
	for (size_t i = 0; i < p->n_ignore_comments; i++) {
		const struct ir_ignore_comment *ic = p->ignore_comments[i];
		bool here = ic->line == loc.line || (ic->alone && ic->line == loc.line - 1);
		if (!here || strcmp(ic->file, loc.file) != 0 || !list_names(ic->rules, ic->rules + strlen(ic->rules), rule))
			continue;
		*why = arena_printf(c->a, "comment at %s:%d", audit_project_path(c, loc.file), ic->line);
		return true;
	}
	return false;
}

const char *audit_abs_path(struct audit_ctx *c, const char *file)
{
	if (!file || strcmp(file, "-") == 0)
		return file ? file : "";
	if (file[0] == '/')
		return path_clean(c->a, file);
	return path_clean(c->a, arena_printf(c->a, "%s/%s", c->o->cwd ? c->o->cwd : "", file));
}

const char *audit_project_path(struct audit_ctx *c, const char *file)
{
	const char *abs = audit_abs_path(c, file);
	const char *dir = c->p->working_dir ? c->p->working_dir : "/";
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return abs[0] == '/' && abs[1] ? abs + 1 : abs;
	if (strncmp(abs, dir, n) == 0 && abs[n] == '/' && abs[n + 1])
		return abs + n + 1;
	return abs;
}

/* ---- findings --------------------------------------------------------------------- */

struct audit_finding *audit_add(struct audit_ctx *c, const struct service *s, struct loc loc, const char *attribute,
				const char *evidence, const char *fmt, ...)
{
	struct audit_report *r = c->r;
	if (r->n_findings == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		r->findings = arena_grow(c->a, r->findings, r->cap * sizeof(*r->findings), cap * sizeof(*r->findings));
		r->cap = cap;
	}
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	struct audit_finding *f = &r->findings[r->n_findings++];
	*f = (struct audit_finding){
		.rule = c->rule,
		.severity = c->rule->severity,
		.loc = loc,
		.file = loc.file ? audit_project_path(c, loc.file) : "",
		.service = s ? s->name : NULL,
		.attribute = s ? arena_printf(c->a, "services.%s.%s", s->name, attribute) : attribute,
		.evidence = evidence ? evidence : "",
		.message = sb_to_arena(&msg, c->a),
	};
	sb_release(&msg);
	return f;
}

/* Of what does not change when lines move or messages are reworded. */
static uint64_t fingerprint(const struct audit_finding *f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *parts[] = { f->rule->id, f->file, f->service ? f->service : "", f->attribute, f->evidence };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		sb_add(&sb, parts[i], strlen(parts[i]) + 1);
	uint64_t h = hash_fnv1a(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

/* ---- the ignore file ------------------------------------------------------------------ */

struct ignore {
	const char *rule;
	const char *service; /* "RULE SERVICE" */
	const char *file;    /* "RULE FILE:LINE": project-relative */
	int line;
	int at; /* its line in the ignore file */
};

/* FILE:LINE with a line number after the last colon. */
static bool split_file_line(struct audit_ctx *c, const char *t, struct ignore *ig)
{
	const char *colon = strrchr(t, ':');
	char *end;
	if (!colon || colon == t || !colon[1])
		return false;
	long line = strtol(colon + 1, &end, 10);
	if (*end || line < 1 || line > 1000000000)
		return false;
	const char *file = arena_strndup(c->a, t, (size_t)(colon - t));
	const char *abs = file[0] == '/' ? file : arena_printf(c->a, "%s/%s", c->p->working_dir, file);
	ig->file = audit_project_path(c, abs);
	ig->line = (int)line;
	return true;
}

static void ignore_line(struct audit_ctx *c, const char *p, size_t n, int at, struct ptrvec *out)
{
	char *s = arena_strndup(c->a, p, n);
	char *h = strchr(s, '#');
	if (h)
		*h = '\0';
	const char *tok[3] = { NULL, NULL, NULL };
	size_t nt = 0;
	for (char *save = NULL, *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save))
		tok[nt < 3 ? nt++ : 2] = t;
	struct loc loc = { c->o->ignore_name, at, 1 };
	if (nt == 0)
		return;
	if (nt > 2) {
		diag_warning(c->d, loc, "expected \"RULE\", \"RULE SERVICE\" or \"RULE FILE:LINE\", ignoring the line");
		return;
	}
	if (!audit_rule_find(tok[0])) {
		diag_warning(c->d, loc, "unknown audit rule %s, ignoring the line", audit_q(c, tok[0]));
		return;
	}
	struct ignore *ig = arena_alloc(c->a, sizeof(*ig));
	ig->rule = tok[0];
	ig->at = at;
	if (nt == 2 && !split_file_line(c, tok[1], ig))
		ig->service = tok[1];
	ptrvec_push(out, c->a, ig);
}

static void parse_ignore(struct audit_ctx *c, struct ptrvec *out)
{
	const char *p = c->o->ignore_text, *end = p ? p + c->o->ignore_len : NULL;
	for (int at = 1; p && p < end; at++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		ignore_line(c, p, n, at, out);
		p += n + 1;
	}
}

static bool ignore_matches(const struct ignore *ig, const struct audit_finding *f)
{
	if (strcmp(ig->rule, f->rule->id) != 0)
		return false;
	if (ig->service)
		return f->service && strcmp(ig->service, f->service) == 0;
	if (ig->file)
		return ig->line == f->loc.line && strcmp(ig->file, f->file) == 0;
	return true;
}

static void suppress(struct audit_ctx *c, const struct ptrvec *ignores, struct audit_finding *f)
{
	const char *why = NULL;
	if (f->loc.file && f->loc.line > 0 && audit_comment_suppresses(c, f->loc, f->rule->id, &why)) {
		f->suppressed = true;
		f->suppressed_by = why;
		return;
	}
	for (size_t i = 0; i < ignores->n; i++) {
		const struct ignore *ig = ignores->v[i];
		if (ignore_matches(ig, f)) {
			f->suppressed = true;
			f->suppressed_by = arena_printf(c->a, "%s:%d", c->o->ignore_name, ig->at);
			return;
		}
	}
}

/* ---- order and the entry point ------------------------------------------------------- */

static int cmp_finding(const void *pa, const void *pb)
{
	const struct audit_finding *a = pa, *b = pb;
	int r = strcmp(a->file, b->file);
	if (r == 0)
		r = (a->loc.line > b->loc.line) - (a->loc.line < b->loc.line);
	if (r == 0)
		r = (a->loc.col > b->loc.col) - (a->loc.col < b->loc.col);
	if (r == 0)
		r = strcmp(a->rule->id, b->rule->id);
	if (r == 0)
		r = strcmp(a->evidence, b->evidence);
	return r ? r : strcmp(a->message, b->message);
}

int audit_run(struct arena *a, struct diag *d, const struct project *p, const struct audit_options *o,
	      struct audit_report *r)
{
	memset(r, 0, sizeof(*r));
	r->project = p;
	struct audit_ctx c = { .a = a, .d = d, .p = p, .o = o, .r = r };
	size_t nr;
	const struct audit_rule *rules = audit_rules(&nr);
	for (size_t i = 0; i < p->n_services; i++)
		for (size_t k = 0; k < nr; k++) {
			c.rule = &rules[k];
			rules[k].check(&c, p->services[i]);
		}
	struct ptrvec ignores = { 0 };
	parse_ignore(&c, &ignores);
	for (size_t i = 0; i < r->n_findings; i++) {
		struct audit_finding *f = &r->findings[i];
		f->fingerprint = fingerprint(f);
		suppress(&c, &ignores, f);
		r->n_suppressed += f->suppressed;
	}
	if (r->n_findings)
		qsort(r->findings, r->n_findings, sizeof(*r->findings), cmp_finding);
	if (o->explain)
		audit_build_explain(&c);
	return 0;
}

int audit_max_severity(const struct audit_report *r)
{
	int max = -1;
	for (size_t i = 0; i < r->n_findings; i++)
		if (!r->findings[i].suppressed && (int)r->findings[i].severity > max)
			max = (int)r->findings[i].severity;
	return max;
}
