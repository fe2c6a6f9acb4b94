/*
 * audit_sarif.c - the audit report as SARIF 2.1.0, for code-scanning
 * upload (GitHub and others).
 *
 * What GitHub reads, and so what is written: one run; tool.driver with
 * name, version and every rule (also those that found nothing, so that a
 * fixed alert can be closed), each rule with shortDescription,
 * fullDescription, help, defaultConfiguration.level and properties.tags
 * ("security" plus external/cwe/cwe-N) and properties.security-severity;
 * results with ruleId, ruleIndex, level, message, one location (a URI
 * relative to the project directory, startLine and startColumn) and
 * partialFingerprints from the finding's fingerprint, which hashes the
 * rule, file, service, attribute and offending value but never the line.
 * Severity maps to level as KICS does (critical, high: error; medium:
 * warning; low, info: note) and to security-severity as GitHub ranks it
 * (9.5, 8.0, 5.5, 2.0; info has none).  Suppressed findings are left out:
 * GitHub ignores result.suppressions and would open them as alerts.
 */
#include "audit/audit.h"

#include "base/emit.h"

#include <ctype.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define FINGERPRINT_KEY "composecFingerprint/v1"

static const char *const sarif_level[SEV__MAX] = { "note", "note", "warning", "error", "error" };
static const char *const security_severity[SEV__MAX] = { NULL, "2.0", "5.5", "8.0", "9.5" };

static void kv_str(struct emit *e, const char *key, const char *v)
{
	emit_key(e, key);
	emit_str(e, v);
}

static void kv_text(struct emit *e, const char *key, const char *text)
{
	emit_key(e, key);
	emit_map_begin(e);
	kv_str(e, "text", text);
	emit_map_end(e);
}

/* "engine-socket" -> "EngineSocket" (reportingDescriptor.name). */
static void rule_name(const char *id, char *buf, size_t size)
{
	size_t n = 0;
	for (bool up = true; *id && n + 1 < size; id++) {
		if (*id == '-') {
			up = true;
			continue;
		}
		buf[n++] = up ? (char)toupper((unsigned char)*id) : *id;
		up = false;
	}
	buf[n] = '\0';
}

/* "security", then the references: CWE-250 as external/cwe/cwe-250. */
static void rule_tags(struct emit *e, const char *refs)
{
	emit_key(e, "tags");
	emit_seq_begin(e);
	emit_str(e, "security");
	for (const char *p = refs; *p;) {
		size_t n = strcspn(p, " ");
		char buf[96];
		if (n && str_has_prefix(p, "CWE-"))
			snprintf(buf, sizeof(buf), "external/cwe/cwe-%.*s", (int)n - 4, p + 4);
		else
			snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		if (n)
			emit_str(e, buf);
		p += n + (p[n] == ' ');
	}
	emit_seq_end(e);
}

static void sarif_rule(struct emit *e, const struct audit_rule *r)
{
	char name[64];
	rule_name(r->id, name, sizeof(name));
	struct strbuf md = STRBUF_INIT;
	sb_addf(&md, "%s\n\n**Fix:** %s", r->description, r->hint);
	emit_map_begin(e);
	kv_str(e, "id", r->id);
	kv_str(e, "name", name);
	kv_text(e, "shortDescription", r->title);
	kv_text(e, "fullDescription", r->description);
	emit_key(e, "help");
	emit_map_begin(e);
	kv_str(e, "text", r->hint);
	kv_str(e, "markdown", md.buf);
	emit_map_end(e);
	emit_key(e, "defaultConfiguration");
	emit_map_begin(e);
	kv_str(e, "level", sarif_level[r->severity]);
	emit_map_end(e);
	emit_key(e, "properties");
	emit_map_begin(e);
	rule_tags(e, r->refs);
	if (security_severity[r->severity])
		kv_str(e, "security-severity", security_severity[r->severity]);
	kv_str(e, "precision", "high");
	emit_map_end(e);
	emit_map_end(e);
	sb_release(&md);
}

/* A URI reference for path: relative paths stay relative, absolute ones
 * become file:// URIs; bytes outside the unreserved set and '/' are
 * percent-encoded. */
static void path_uri(struct strbuf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	if (path[0] == '/')
		sb_adds(out, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || strchr("-._~/", *p))
			sb_addc(out, (char)*p);
		else {
			sb_addc(out, '%');
			sb_addc(out, hex[*p >> 4]);
			sb_addc(out, hex[*p & 15]);
		}
	}
}

static void sarif_location(struct emit *e, const struct audit_finding *f)
{
	struct strbuf uri = STRBUF_INIT;
	path_uri(&uri, f->file[0] ? f->file : "compose.yaml");
	emit_seq_begin(e);
	emit_map_begin(e);
	emit_key(e, "physicalLocation");
	emit_map_begin(e);
	emit_key(e, "artifactLocation");
	emit_map_begin(e);
	kv_str(e, "uri", uri.buf);
	emit_map_end(e);
	if (f->loc.line > 0) {
		emit_key(e, "region");
		emit_map_begin(e);
		emit_key(e, "startLine");
		emit_int(e, f->loc.line);
		emit_key(e, "startColumn");
		emit_int(e, f->loc.col > 0 ? f->loc.col : 1);
		emit_map_end(e);
	}
	emit_map_end(e);
	emit_map_end(e);
	emit_seq_end(e);
	sb_release(&uri);
}

static void sarif_result(struct emit *e, const struct audit_finding *f, size_t rule_index)
{
	char fp[17];
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)f->fingerprint);
	emit_map_begin(e);
	kv_str(e, "ruleId", f->rule->id);
	emit_key(e, "ruleIndex");
	emit_int(e, (long long)rule_index);
	kv_str(e, "level", sarif_level[f->severity]);
	kv_text(e, "message", f->message);
	emit_key(e, "locations");
	sarif_location(e, f);
	emit_key(e, "partialFingerprints");
	emit_map_begin(e);
	kv_str(e, FINGERPRINT_KEY, fp);
	emit_map_end(e);
	emit_key(e, "properties");
	emit_map_begin(e);
	kv_str(e, "severity", audit_severity_names[f->severity]);
	if (f->service)
		kv_str(e, "service", f->service);
	kv_str(e, "attribute", f->attribute);
	emit_map_end(e);
	emit_map_end(e);
}

static void sarif_driver(struct emit *e)
{
	size_t n;
	const struct audit_rule *rules = audit_rules(&n);
	emit_key(e, "tool");
	emit_map_begin(e);
	emit_key(e, "driver");
	emit_map_begin(e);
	kv_str(e, "name", "composec");
	kv_str(e, "version", COMPOSEC_VERSION);
	kv_str(e, "semanticVersion", COMPOSEC_VERSION);
	emit_key(e, "rules");
	emit_seq_begin(e);
	for (size_t i = 0; i < n; i++)
		sarif_rule(e, &rules[i]);
	emit_seq_end(e);
	emit_map_end(e);
	emit_map_end(e);
}

void audit_format_sarif(const struct audit_report *r, struct strbuf *out)
{
	size_t n;
	const struct audit_rule *rules = audit_rules(&n);
	struct emit e;
	emit_init(&e, out, EMIT_JSON);
	emit_map_begin(&e);
	kv_str(&e, "$schema", SARIF_SCHEMA);
	kv_str(&e, "version", "2.1.0");
	emit_key(&e, "runs");
	emit_seq_begin(&e);
	emit_map_begin(&e);
	sarif_driver(&e);
	emit_key(&e, "results");
	emit_seq_begin(&e);
	for (size_t i = 0; i < r->n_findings; i++)
		if (!r->findings[i].suppressed)
			sarif_result(&e, &r->findings[i], (size_t)(r->findings[i].rule - rules));
	emit_seq_end(&e);
	emit_map_end(&e);
	emit_seq_end(&e);
	emit_map_end(&e);
	emit_release(&e);
}
