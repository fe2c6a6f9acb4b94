/*
 * audit.h - `composec audit`: what a compose project will actually do, and
 * what in it is dangerous.
 *
 * The audit reads the model IR (never the compose text for values) and
 * produces:
 *  - findings: a rule from a fixed table, a severity, the source location
 *    of the offending key (the list item for a list entry, the service key
 *    for a missing attribute), a message, a fix hint and a fingerprint that
 *    does not change when lines move;
 *  - an explanation: the start order with every wait and pre_start step,
 *    what gets created under which real name, what is published on which
 *    host address, and per backend what it will not express.
 *
 * Invariants:
 *  - Library code: nothing here prints or reads files.  The driver (cli/)
 *    reads the ignore file and writes the formatted report.
 *  - Locations are those of the original source (after merge, include and
 *    extends).  Attributes the IR keeps without a location (scalars such as
 *    `privileged`) are found in the registered source texts by key path
 *    (audit/audit_locate.c); values are never taken from the text.
 *  - A suppressed finding stays in the report (JSON marks it) but never
 *    counts toward --fail-on; SARIF leaves it out.
 *  - Output is deterministic: findings are sorted by file, line, column and
 *    rule; paths in JSON and SARIF are relative to the project directory.
 */
#ifndef COMPOSEC_AUDIT_H
#define COMPOSEC_AUDIT_H

#include "backends/backend.h"

enum audit_severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV__MAX };
extern const char *const audit_severity_names[SEV__MAX]; /* "info", ... "critical" */
/* The severity named s, or -1. */
int audit_severity_parse(const char *s);

struct audit_ctx;
struct service;

struct audit_rule {
	const char *id;          /* kebab-case, stable: suppressions and SARIF use it */
	enum audit_severity severity;
	const char *title;       /* one line, no full stop */
	const char *description; /* why it matters */
	const char *hint;        /* how to fix it */
	const char *refs;        /* space-separated: CWE-250 CIS-Docker-5.5 OWASP-Docker-3 */
	/* Called once per enabled service; adds findings with audit_add(). */
	void (*check)(struct audit_ctx *c, const struct service *s);
};

/* The rule table, in --list-rules order. */
const struct audit_rule *audit_rules(size_t *n);
const struct audit_rule *audit_rule_find(const char *id);

struct audit_finding {
	const struct audit_rule *rule;
	enum audit_severity severity; /* the rule's, or raised/lowered by the check */
	struct loc loc;
	const char *file;      /* loc.file relative to the project directory */
	const char *service;   /* NULL: not about one service */
	const char *attribute; /* key path without list indexes: services.web.volumes */
	const char *evidence;  /* the normalized offending value, "" if none */
	const char *message;
	uint64_t fingerprint;  /* of rule, file, service, attribute, evidence */
	bool suppressed;
	const char *suppressed_by; /* "comment at compose.yaml:3", ".composec-ignore:2" */
};

/* ---- the explanation ---------------------------------------------------- */

enum explain_step_kind { STEP_WAIT, STEP_PRE_START, STEP_START, STEP_POST_START, STEP__MAX };
extern const char *const explain_step_names[STEP__MAX]; /* "wait", "pre_start", ... */
struct explain_step {
	enum explain_step_kind kind;
	size_t index;     /* pre_start, post_start: 1-based step number; else 0 */
	const char *text; /* one line, already quoted where it holds user strings */
};
struct explain_service {
	const struct service *service;
	struct explain_step *steps;
	size_t n_steps;
};
struct explain_loss {
	enum diag_level level; /* warning: not expressed; error: refused */
	struct loc loc;        /* as the backend reported it; file NULL: none */
	const char *file;      /* loc.file relative to the project directory */
	const char *message;
};
struct explain_backend {
	const char *name;
	struct explain_loss *losses;
	size_t n_losses;
};
struct explain {
	struct explain_service *order; /* project->order */
	size_t n_order;
	struct explain_backend *backends; /* every backend that is built */
	size_t n_backends;
};

struct audit_report {
	const struct project *project;
	struct audit_finding *findings;
	size_t n_findings, cap;
	size_t n_suppressed;
	struct explain explain;
};

struct audit_options {
	const char *cwd; /* absolute; loc.file names are relative to it */
	/* The ignore file: lines "RULE", "RULE SERVICE" or "RULE FILE:LINE",
	 * '#' comments.  NULL text: none. */
	const char *ignore_name;
	const char *ignore_text;
	size_t ignore_len;
	/* Options the backends run with for the "not expressed" section. */
	struct backend_options backend;
	bool explain; /* build the explanation (text and JSON show it) */
};

/* Run every rule over p and build the explanation.  d holds the source
 * texts (locations, suppression comments) and receives warnings about the
 * ignore file.  Returns 0. */
int audit_run(struct arena *a, struct diag *d, const struct project *p, const struct audit_options *o,
	      struct audit_report *r);

/* The highest severity of an unsuppressed finding, or -1 when none. */
int audit_max_severity(const struct audit_report *r);

/* ---- output (audit/audit_output.c, audit/audit_sarif.c) ----------- */

/* Compiler-style findings with the source line and a caret, a summary,
 * then (when built) the explanation.  d supplies the source lines. */
void audit_format_text(const struct audit_report *r, const struct diag *d, struct strbuf *out);
/* A versioned envelope: {version, tool, project, findings, summary, explain}. */
void audit_format_json(const struct audit_report *r, struct strbuf *out);
/* SARIF 2.1.0 with every rule declared and one run. */
void audit_format_sarif(const struct audit_report *r, struct strbuf *out);
/* The rule table as text (id, severity, title, refs) or JSON. */
void audit_format_rules(bool json, struct strbuf *out);

#endif
