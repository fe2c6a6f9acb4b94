/*
 * audit_cmd.c - the `audit` subcommand: read the ignore file (--ignore-file,
 * else .composec-ignore in the project directory when there is one), run
 * the audit (audit/audit_run.c), write the report as text, JSON or
 * SARIF, and turn --fail-on into the exit code: 1 when an unsuppressed
 * finding is at or above the level, 2 for a usage error, 0 otherwise (also
 * without --fail-on, whatever was found).  --list-rules prints the rule
 * table without loading a project.
 */
#include "audit/audit.h"
#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_IGNORE_FILE ".composec-ignore"

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF };

static int parse_format(const struct cli *cli, enum report_format *fmt)
{
	static const char *const names[] = { "text", "json", "sarif" };
	*fmt = FORMAT_TEXT;
	for (size_t i = 0; cli->format && i < ARRAY_SIZE(names); i++)
		if (strcmp(cli->format, names[i]) == 0) {
			*fmt = (enum report_format)i;
			return 0;
		}
	if (!cli->format)
		return 0;
	fprintf(stderr, "composec: audit: --format must be text, json or sarif, not \"%s\"\n", cli->format);
	return -1;
}

/* The name a path is shown with: relative to the current directory when
 * below it. */
static const char *shown_name(const struct cli *cli, const char *path)
{
	size_t n = strlen(cli->load.cwd);
	if (strncmp(path, cli->load.cwd, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

/* Read the ignore file into o and register it as a diagnostics source.
 * Returns -1 when an explicitly named file cannot be read. */
static int read_ignore(struct cli *cli, const struct project *p, struct audit_options *o)
{
	const char *path = cli->ignore_file;
	if (!path) {
		path = arena_printf(cli->arena, "%s/%s", p->working_dir, DEFAULT_IGNORE_FILE);
		if (access(path, F_OK) != 0)
			return 0;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "composec: audit: cannot read the ignore file \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	o->ignore_name = shown_name(cli, path);
	o->ignore_text = sb_to_arena(&sb, cli->arena);
	o->ignore_len = sb.len;
	sb_release(&sb);
	diag_add_source(&cli->diag, o->ignore_name, o->ignore_text, o->ignore_len);
	return 0;
}

static int fail_on_level(const struct cli *cli, int *level)
{
	*level = SEV__MAX; /* never */
	if (!cli->fail_on)
		return 0;
	*level = audit_severity_parse(cli->fail_on);
	if (*level >= 0)
		return 0;
	fprintf(stderr, "composec: audit: --fail-on must be info, low, medium, high or critical, not \"%s\"\n",
		cli->fail_on);
	return -1;
}

int cmd_audit(struct cli *cli, const struct subcommand *sub, struct project *p)
{
	(void)sub;
	enum report_format fmt;
	int level;
	struct audit_options o = {
		.cwd = cli->load.cwd,
		.backend = { .engine = ENGINE_DOCKER, .podman_version = PLAN_PODMAN_VERSION_DEFAULT, .docker_version = PLAN_DOCKER_VERSION_DEFAULT },
	};
	if (parse_format(cli, &fmt) != 0 || fail_on_level(cli, &level) != 0 || read_ignore(cli, p, &o) != 0)
		return 2;
	if (cli->engine && strcmp(cli->engine, "podman") == 0)
		o.backend.engine = ENGINE_PODMAN;
	/* -q keeps the findings and drops "what it will do". */
	o.explain = !cli->quiet && fmt != FORMAT_SARIF;
	struct audit_report r;
	audit_run(cli->arena, &cli->diag, p, &o, &r);
	struct strbuf out = STRBUF_INIT;
	if (fmt == FORMAT_SARIF)
		audit_format_sarif(&r, &out);
	else if (fmt == FORMAT_JSON)
		audit_format_json(&r, &out);
	else
		audit_format_text(&r, &cli->diag, &out);
	int rc = output_single(cli, &out, 0644);
	sb_release(&out);
	if (rc == 0 && audit_max_severity(&r) >= level)
		rc = 1;
	return rc;
}

int cmd_audit_rules(struct cli *cli)
{
	struct strbuf out = STRBUF_INIT;
	if (cli->format && strcmp(cli->format, "json") != 0 && strcmp(cli->format, "text") != 0) {
		fprintf(stderr, "composec: audit: --list-rules --format must be text or json, not \"%s\"\n", cli->format);
		return 2;
	}
	audit_format_rules(cli->format && strcmp(cli->format, "json") == 0, &out);
	int rc = output_single(cli, &out, 0644);
	sb_release(&out);
	return rc;
}
