/*
 * audit_output.c - the audit report as text and as JSON, and the rule
 * table.  Text reads like compiler output (file:line:col: severity:
 * message [rule], the source line, a caret, the fix), then a summary and
 * the explanation.  JSON is a versioned envelope for tools; every string
 * in it goes through the emitter.  Both are deterministic: no times, no
 * host names, paths as the report holds them.
 */
#include "audit/audit_internal.h"

#include "base/emit.h"

#include <string.h>

#define AUDIT_JSON_VERSION "1"

static const char *const resource_singular[RES__MAX] = { "network", "volume", "secret", "config" };

/* ---- text ------------------------------------------------------------------------ */

static const struct diag_source *find_source(const struct diag *d, const char *name)
{
	for (size_t i = d->sources.n; name && i-- > 0;) {
		const struct diag_source *s = d->sources.v[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* The source line of loc and a caret under its column, as diagnostics
 * show them; control bytes become spaces. */
static void quote_line(struct strbuf *out, const struct diag *d, struct loc loc)
{
	const struct diag_source *s = find_source(d, loc.file);
	if (!s || loc.line < 1)
		return;
	const char *p = s->text, *end = s->text + s->len;
	for (int l = 1; l < loc.line && p; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : NULL;
	}
	if (!p || p >= end)
		return;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	size_t n = (size_t)((eol ? eol : end) - p);
	n = n > 200 ? 200 : n;
	sb_adds(out, "  ");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		sb_addc(out, (ch < 0x20 && ch != '\t') || ch == 0x7f ? ' ' : (char)ch);
	}
	sb_adds(out, "\n  ");
	for (int i = 1; i < loc.col && (size_t)(i - 1) < n; i++)
		sb_addc(out, p[i - 1] == '\t' ? '\t' : ' ');
	sb_adds(out, "^\n");
}

static void text_finding(struct strbuf *out, const struct diag *d, const struct audit_finding *f)
{
	if (f->loc.file && f->loc.line > 0)
		sb_addf(out, "%s:%d:%d: ", f->loc.file, f->loc.line, f->loc.col > 0 ? f->loc.col : 1);
	else if (f->loc.file)
		sb_addf(out, "%s: ", f->loc.file);
	sb_addf(out, "%s: %s [%s]\n", audit_severity_names[f->severity], f->message, f->rule->id);
	quote_line(out, d, f->loc);
	sb_addf(out, "  fix: %s\n", f->rule->hint);
}

static void text_summary(struct strbuf *out, const struct audit_report *r)
{
	size_t count[SEV__MAX] = { 0 }, shown = 0;
	for (size_t i = 0; i < r->n_findings; i++)
		if (!r->findings[i].suppressed)
			count[r->findings[i].severity]++, shown++;
	if (!shown)
		sb_adds(out, "no findings");
	else
		sb_addf(out, "%zu finding%s:", shown, shown == 1 ? "" : "s");
	const char *sep = " ";
	for (int sev = SEV_CRITICAL; sev >= SEV_INFO; sev--)
		if (count[sev]) {
			sb_addf(out, "%s%zu %s", sep, count[sev], audit_severity_names[sev]);
			sep = ", ";
		}
	if (r->n_suppressed)
		sb_addf(out, " (%zu suppressed)", r->n_suppressed);
	sb_addc(out, '\n');
}

/* A user string for text output: as is when it is one plain word, else
 * quoted with escapes. */
static void q(struct strbuf *out, const char *s)
{
	s = s ? s : "";
	size_t plain = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@+");
	if (*s && !s[plain])
		sb_adds(out, s);
	else
		json_escape_string(out, s);
}

static void text_order(struct strbuf *out, const struct explain *e)
{
	sb_adds(out, "\nstart order:\n");
	for (size_t i = 0; i < e->n_order; i++) {
		sb_addf(out, "  %zu. ", i + 1);
		q(out, e->order[i].service->name);
		sb_addc(out, '\n');
		for (size_t k = 0; k < e->order[i].n_steps; k++) {
			const struct explain_step *st = &e->order[i].steps[k];
			sb_addf(out, "       %s", explain_step_names[st->kind]);
			if (st->index)
				sb_addf(out, " %zu", st->index);
			sb_addf(out, ": %s\n", st->text);
		}
	}
}

/* Where a secret's or config's content comes from. */
static void resource_origin(struct strbuf *out, const struct resource *r)
{
	if (r->file) {
		sb_adds(out, " from file ");
		q(out, r->file);
	} else if (r->environment) {
		sb_adds(out, " from the environment variable ");
		q(out, r->environment);
	} else if (r->content) {
		sb_adds(out, " from inline content");
	}
}

static void text_created(struct strbuf *out, const struct project *p)
{
	sb_adds(out, "\ncreated:\n");
	size_t shown = 0;
	for (int k = 0; k < RES__MAX; k++)
		for (size_t i = 0; i < p->n_res[k]; i++, shown++) {
			const struct resource *r = p->res[k][i];
			sb_addf(out, "  %s ", resource_singular[k]);
			q(out, r->key);
			sb_adds(out, r->external ? ": uses the existing " : " as ");
			q(out, r->name);
			if (r->external)
				sb_adds(out, " (external, not created)");
			else if (r->driver) {
				sb_adds(out, " with driver ");
				q(out, r->driver);
			}
			resource_origin(out, r);
			sb_addc(out, '\n');
		}
	if (!shown)
		sb_adds(out, "  nothing\n");
}

static void text_port(struct strbuf *out, const struct service *s, const struct port *pt)
{
	sb_adds(out, "  ");
	if (!pt->host_ip)
		sb_adds(out, "all interfaces");
	else if (strchr(pt->host_ip, ':')) {
		sb_addc(out, '[');
		q(out, pt->host_ip);
		sb_addc(out, ']');
	} else
		q(out, pt->host_ip);
	sb_adds(out, ":");
	if (pt->published)
		q(out, pt->published);
	else
		sb_adds(out, "(a random port)");
	sb_adds(out, " -> ");
	q(out, s->name);
	sb_addf(out, ":%u/%s\n", (unsigned)pt->target, port_proto_names[pt->protocol]);
}

static void text_published(struct strbuf *out, const struct project *p)
{
	sb_adds(out, "\npublished:\n");
	size_t shown = 0;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		if (s->network_mode && strcmp(s->network_mode, "host") == 0) {
			sb_adds(out, "  ");
			q(out, s->name);
			sb_adds(out, " uses the host network: every port it listens on, on all interfaces\n");
			shown++;
			continue;
		}
		for (size_t k = 0; k < s->n_ports; k++, shown++)
			text_port(out, s, &s->ports[k]);
	}
	if (!shown)
		sb_adds(out, "  nothing\n");
}

static void text_losses(struct strbuf *out, const struct explain *e)
{
	static const char *const levels[] = { "note", "warning", "error" };
	sb_adds(out, "\nnot expressed:\n");
	for (size_t i = 0; i < e->n_backends; i++) {
		const struct explain_backend *b = &e->backends[i];
		sb_addf(out, "  %s:%s\n", b->name, b->n_losses ? "" : " everything is expressed");
		for (size_t k = 0; k < b->n_losses; k++) {
			const struct explain_loss *l = &b->losses[k];
			sb_adds(out, "    ");
			if (l->loc.file && l->loc.line > 0)
				sb_addf(out, "%s:%d:%d: ", l->loc.file, l->loc.line, l->loc.col);
			else if (l->loc.file)
				sb_addf(out, "%s: ", l->loc.file);
			sb_addf(out, "%s: %s\n", levels[l->level], l->message);
		}
	}
	if (!e->n_backends)
		sb_adds(out, "  (no backend is built)\n");
}

void audit_format_text(const struct audit_report *r, const struct diag *d, struct strbuf *out)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (!r->findings[i].suppressed)
			text_finding(out, d, &r->findings[i]);
	text_summary(out, r);
	if (!r->explain.order)
		return;
	text_order(out, &r->explain);
	text_created(out, r->project);
	text_published(out, r->project);
	text_losses(out, &r->explain);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void kv_str(struct emit *e, const char *key, const char *v)
{
	emit_key(e, key);
	if (v)
		emit_str(e, v);
	else
		emit_null(e);
}

static void kv_int(struct emit *e, const char *key, long long v)
{
	emit_key(e, key);
	emit_int(e, v);
}

/* "CWE-250 CIS-Docker-5.5" as a list. */
static void emit_refs(struct emit *e, const char *refs)
{
	emit_seq_begin(e);
	for (const char *p = refs; *p;) {
		size_t n = strcspn(p, " ");
		if (n) {
			char buf[64];
			snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
			emit_str(e, buf);
		}
		p += n + (p[n] == ' ');
	}
	emit_seq_end(e);
}

static void json_finding(struct emit *e, const struct audit_finding *f)
{
	char fp[17];
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)f->fingerprint);
	emit_map_begin(e);
	kv_str(e, "rule_id", f->rule->id);
	kv_str(e, "severity", audit_severity_names[f->severity]);
	kv_str(e, "file", f->file);
	kv_int(e, "line", f->loc.line);
	kv_int(e, "column", f->loc.col);
	kv_str(e, "service", f->service);
	kv_str(e, "attribute", f->attribute);
	kv_str(e, "evidence", f->evidence);
	kv_str(e, "message", f->message);
	kv_str(e, "fix", f->rule->hint);
	emit_key(e, "references");
	emit_refs(e, f->rule->refs);
	kv_str(e, "fingerprint", fp);
	emit_key(e, "suppressed");
	emit_bool(e, f->suppressed);
	kv_str(e, "suppressed_by", f->suppressed_by);
	emit_map_end(e);
}

static void json_summary(struct emit *e, const struct audit_report *r)
{
	size_t count[SEV__MAX] = { 0 };
	for (size_t i = 0; i < r->n_findings; i++)
		if (!r->findings[i].suppressed)
			count[r->findings[i].severity]++;
	emit_map_begin(e);
	for (int sev = SEV_CRITICAL; sev >= SEV_INFO; sev--)
		kv_int(e, audit_severity_names[sev], (long long)count[sev]);
	kv_int(e, "suppressed", (long long)r->n_suppressed);
	emit_map_end(e);
}

static void json_order(struct emit *e, const struct explain *x)
{
	emit_seq_begin(e);
	for (size_t i = 0; i < x->n_order; i++) {
		emit_map_begin(e);
		kv_str(e, "service", x->order[i].service->name);
		emit_key(e, "steps");
		emit_seq_begin(e);
		for (size_t k = 0; k < x->order[i].n_steps; k++) {
			emit_map_begin(e);
			kv_str(e, "kind", explain_step_names[x->order[i].steps[k].kind]);
			if (x->order[i].steps[k].index)
				kv_int(e, "index", (long long)x->order[i].steps[k].index);
			kv_str(e, "text", x->order[i].steps[k].text);
			emit_map_end(e);
		}
		emit_seq_end(e);
		emit_map_end(e);
	}
	emit_seq_end(e);
}

static void json_created(struct emit *e, const struct project *p)
{
	emit_seq_begin(e);
	for (int k = 0; k < RES__MAX; k++)
		for (size_t i = 0; i < p->n_res[k]; i++) {
			const struct resource *r = p->res[k][i];
			emit_map_begin(e);
			kv_str(e, "kind", resource_singular[k]);
			kv_str(e, "key", r->key);
			kv_str(e, "name", r->name);
			emit_key(e, "external");
			emit_bool(e, r->external);
			kv_str(e, "driver", r->driver);
			kv_str(e, "file", r->file);
			kv_str(e, "environment", r->environment);
			emit_map_end(e);
		}
	emit_seq_end(e);
}

static void json_published(struct emit *e, const struct project *p)
{
	emit_seq_begin(e);
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		bool host = s->network_mode && strcmp(s->network_mode, "host") == 0;
		for (size_t k = 0; k < s->n_ports && !host; k++) {
			const struct port *pt = &s->ports[k];
			emit_map_begin(e);
			kv_str(e, "service", s->name);
			kv_str(e, "host_ip", pt->host_ip);
			emit_key(e, "all_interfaces");
			emit_bool(e, !pt->host_ip);
			kv_str(e, "published", pt->published);
			kv_int(e, "target", pt->target);
			kv_str(e, "protocol", port_proto_names[pt->protocol]);
			emit_map_end(e);
		}
	}
	emit_seq_end(e);
}

static void json_losses(struct emit *e, const struct explain *x)
{
	static const char *const levels[] = { "note", "warning", "error" };
	emit_seq_begin(e);
	for (size_t i = 0; i < x->n_backends; i++) {
		emit_map_begin(e);
		kv_str(e, "backend", x->backends[i].name);
		emit_key(e, "losses");
		emit_seq_begin(e);
		for (size_t k = 0; k < x->backends[i].n_losses; k++) {
			const struct explain_loss *l = &x->backends[i].losses[k];
			emit_map_begin(e);
			kv_str(e, "level", levels[l->level]);
			kv_str(e, "file", l->file);
			kv_int(e, "line", l->loc.line);
			kv_int(e, "column", l->loc.col);
			kv_str(e, "message", l->message);
			emit_map_end(e);
		}
		emit_seq_end(e);
		emit_map_end(e);
	}
	emit_seq_end(e);
}

static void json_explain(struct emit *e, const struct audit_report *r)
{
	emit_key(e, "explain");
	emit_map_begin(e);
	emit_key(e, "start_order");
	json_order(e, &r->explain);
	emit_key(e, "created");
	json_created(e, r->project);
	emit_key(e, "published");
	json_published(e, r->project);
	emit_key(e, "not_expressed");
	json_losses(e, &r->explain);
	emit_map_end(e);
}

void audit_format_json(const struct audit_report *r, struct strbuf *out)
{
	struct emit e;
	emit_init(&e, out, EMIT_JSON);
	emit_map_begin(&e);
	kv_str(&e, "version", AUDIT_JSON_VERSION);
	emit_key(&e, "tool");
	emit_map_begin(&e);
	kv_str(&e, "name", "composec");
	kv_str(&e, "version", COMPOSEC_VERSION);
	emit_map_end(&e);
	emit_key(&e, "project");
	emit_map_begin(&e);
	kv_str(&e, "name", r->project->name);
	kv_str(&e, "directory", r->project->working_dir);
	emit_map_end(&e);
	emit_key(&e, "findings");
	emit_seq_begin(&e);
	for (size_t i = 0; i < r->n_findings; i++)
		json_finding(&e, &r->findings[i]);
	emit_seq_end(&e);
	emit_key(&e, "summary");
	json_summary(&e, r);
	if (r->explain.order)
		json_explain(&e, r);
	emit_map_end(&e);
	emit_release(&e);
}

/* ---- the rule table --------------------------------------------------------------- */

static void rules_json(struct strbuf *out)
{
	size_t n;
	const struct audit_rule *rules = audit_rules(&n);
	struct emit e;
	emit_init(&e, out, EMIT_JSON);
	emit_seq_begin(&e);
	for (size_t i = 0; i < n; i++) {
		emit_map_begin(&e);
		kv_str(&e, "id", rules[i].id);
		kv_str(&e, "severity", audit_severity_names[rules[i].severity]);
		kv_str(&e, "title", rules[i].title);
		kv_str(&e, "description", rules[i].description);
		kv_str(&e, "fix", rules[i].hint);
		emit_key(&e, "references");
		emit_refs(&e, rules[i].refs);
		emit_map_end(&e);
	}
	emit_seq_end(&e);
	emit_release(&e);
}

void audit_format_rules(bool json, struct strbuf *out)
{
	if (json) {
		rules_json(out);
		return;
	}
	size_t n;
	const struct audit_rule *rules = audit_rules(&n);
	sb_addf(out, "%-31s %-9s %s\n", "RULE", "SEVERITY", "TITLE");
	for (size_t i = 0; i < n; i++) {
		sb_addf(out, "%-31s %-9s %s", rules[i].id, audit_severity_names[rules[i].severity], rules[i].title);
		if (rules[i].refs[0])
			sb_addf(out, " (%s)", rules[i].refs);
		sb_addc(out, '\n');
	}
}
