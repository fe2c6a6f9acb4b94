/*
 * test_field_targets.c - nothing lost without a word: for every plain row of
 * the field table (ir/fields.c, one compose attribute each), a service that
 * sets it is compiled by every target beside the same service without it;
 * each target must either carry the attribute (what it emits differs) or
 * report it at the attribute's line.  An attribute that does neither fails,
 * and a row added to the table later falls under this test with no word of
 * it changing (the rows of a type of their own have samples of theirs;
 * extends is the loader's, as profiles: it makes the service, and the
 * attributes it brings are the rows).  For the plan, what differs is read
 * where the engine gets it: the argvs composec-run's plan loader gives the
 * engine (create, connect, copy, start, health, hooks).  The other targets
 * are compared by what their consumer reads, which is what it gives the
 * engine: the units systemd runs, the files Quadlet's generator converts,
 * the script sh runs, the objects the API server gets, all without their
 * comments and descriptions (a difference only there is not carried).
 * A second test does the same for configs and secrets written inline and
 * taken from the environment, which every target must carry, unreported.
 * Prints, per target, the attributes it reports as not expressible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/field_samples.h"

#include "backends/backend.h"
#include "frontend/load.h"
#include "runtime/runtime.h"

struct fx {
	struct arena a;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	strcpy(f->dir, "/tmp/test_field_targets.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* A value of the row's type that loads without a word (as test_fields.c:
 * named rows first, then by type); NULL for rows that are not plain. */
static const char *sample(const struct ir_field *fl)
{
	static const char *const named[][2] = {
		{ "ports", "[\"8080:80\"]" },
		{ "expose", "[\"80\"]" },
		{ "volumes", "[\"/srv:/srv\"]" },
		{ "devices", "[\"/dev/null:/dev/n\"]" },
		{ "ulimits", "{\"nofile\": 1024}" },
		{ "extra_hosts", "[\"h:10.0.0.1\"]" },
		{ "networks", "{\"default\": {\"aliases\": [\"app-alias\"]}}" },
		{ "network_mode", "\"none\"" },
		{ "pid", "\"host\"" },
		{ "ipc", "\"host\"" },
		{ "uts", "\"host\"" },
		{ "userns_mode", "\"host\"" },
		{ "cgroup", "\"host\"" },
		{ "restart", "\"on-failure:3\"" },
		{ "pull_policy", "\"always\"" },
		{ "stop_signal", "\"SIGINT\"" },
		{ "platform", "\"linux/amd64\"" },
		{ "isolation", "\"default\"" },
		{ "runtime", "\"runc\"" },
		{ "cpuset", "\"0\"" },
		{ "mac_address", "\"02:42:ac:11:00:02\"" },
		{ "image", "\"other:1\"" },
		{ "container_name", "\"c1\"" },
		{ "volumes_from", "[\"container:c\"]" },
		{ "tmpfs", "\"/run\"" },
		{ "dns", "\"10.0.0.1\"" },
		{ "cap_add", "[\"NET_ADMIN\"]" },
		{ "cap_drop", "[\"ALL\"]" },
		{ "security_opt", "[\"no-new-privileges:true\"]" },
		{ "group_add", "[\"audio\"]" },
		{ "sysctls", "{\"net.core.somaxconn\": \"1024\"}" },
		{ "storage_opt", "{\"size\": \"1G\"}" },
		{ "device_cgroup_rules", "[\"c 1:3 mr\"]" },
		{ "user", "\"1000\"" },
		{ "working_dir", "\"/srv\"" },
		{ "profiles", "[\"on\"]" },
		{ "domainname", "\"example.org\"" },
		{ "hostname", "\"h1\"" },
		{ "dns_opt", "[\"ndots:2\"]" },
		{ "dns_search", "[\"example.org\"]" },
		{ "labels", "{\"k\": \"v\"}" },
		{ "annotations", "{\"a.b\": \"c\"}" },
		{ "environment", "{\"K\": \"v\"}" },
		{ "links", "[\"other\"]" },
		{ "external_links", "[\"c:alias\"]" },
		{ "shm_size", "\"64m\"" },
		{ "mem_limit", "\"64m\"" },
		{ "mem_reservation", "\"32m\"" },
		{ "memswap_limit", "\"128m\"" },
		{ "cpu_count", "2" },
		{ "cpu_percent", "50" },
		{ "scale", "2" },
		/* rows of their own type */
		{ "build", "{\"context\": \".\"}" },
		{ "healthcheck", "{\"test\": [\"CMD\", \"true\"], \"interval\": \"5s\"}" },
		{ "logging", "{\"driver\": \"json-file\", \"options\": {\"max-size\": \"1m\"}}" },
		{ "deploy", "{\"resources\": {\"limits\": {\"memory\": \"64m\"}}}" },
		{ "depends_on", "[\"other\"]" },
		{ "pre_start", "[{\"command\": [\"true\"]}]" },
		{ "post_start", "[{\"command\": [\"true\"]}]" },
		{ "pre_stop", "[{\"command\": [\"true\"]}]" },
		{ "secrets", "[\"s1\"]" },
		{ "configs", "[\"c1\"]" },
		{ "env_file", "[\"e.env\"]" },
		{ "label_file", "[\"l.labels\"]" },
		{ "attach", "false" },
		{ "blkio_config", "{\"weight\": 300}" },
		{ "credential_spec", "{\"file\": \"spec.json\"}" },
		{ "gpus", "\"all\"" },
		{ "use_api_socket", "true" },
		{ "develop", "{\"watch\": [{\"path\": \".\", \"action\": \"rebuild\"}]}" },
		{ "models", "[\"m1\"]" },
		{ "provider", "{\"type\": \"model\", \"options\": {\"model\": \"ai/m\"}}" },
		{ "pull_refresh_after", "\"1h\"" },
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(fl->name, named[i][0]) == 0)
			return named[i][1];
	return field_sample_of_type(fl->type);
}

/* The project of one service "app" (and "other", which links may name),
 * with row ROW: VALUE on line 5, or a comment there. */
static struct project *load(struct fx *f, struct diag *d, const char *row, const char *value)
{
	const char *yaml = arena_printf(&f->a,
					"name: t\n"
					"services:\n"
					"  app:\n"
					"    image: img\n"
					"    %s%s%s\n"
					"  other:\n"
					"    image: img\n"
					"secrets:\n"
					"  s1: {file: ./s1}\n"
					"  s2: {environment: S2}\n"
					"configs:\n"
					"  c1: {file: ./c1}\n"
					"  c2: {content: \"inline\"}\n"
					"models:\n"
					"  m1: {model: ai/m}\n",
					value ? row : "# without ", value ? ": " : row, value ? value : "");
	static const char *const files[][2] = {
		{ "s1", "secret\n" }, { "c1", "config\n" }, { "e.env", "FROM_FILE=1\n" }, { "l.labels", "lk=lv\n" },
		{ "Dockerfile", "FROM scratch\n" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *fp = fopen(arena_printf(&f->a, "%s/%s", f->dir, files[i][0]), "w");
		assert_non_null(fp);
		fputs(files[i][1], fp);
		fclose(fp);
	}
	char *path = arena_printf(&f->a, "%s/compose.yaml", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(yaml, fp);
	fclose(fp);
	static char *env[] = { "PATH=/usr/bin:/bin", "HOME=/home/u", "S2=from-env", NULL };
	struct load_options o = { .environ = env, .cwd = f->dir };
	strvec_push(&o.files, &f->a, path);
	strvec_push(&o.profiles, &f->a, "on");
	struct project *p = load_project(&f->a, d, &o);
	if (!p || d->errors)
		fail_msg("%s: %s", row, d->out.buf);
	return p;
}

struct target {
	const char *name;
	const char *backend; /* backend_find's name */
	enum engine engine;
};

/* What the engine gets from a plan: each container's argvs, in order. */
static void plan_argvs(struct fx *f, const struct fileset *fs, struct strbuf *out)
{
	struct rt_plan p;
	struct strbuf err = STRBUF_INIT;
	if (rt_plan_parse(&f->a, fs->files[0].data, fs->files[0].len, &p, &err) != 0)
		fail_msg("plan: %s", err.buf);
	sb_release(&err);
	const struct rt_argv *const *lists;
	for (size_t i = 0; i < p.n_svc; i++) {
		const struct rt_service *s = &p.svc[i];
		for (size_t k = 0; k < s->bind_dirs.n; k++)
			sb_addf(out, "bind_dir %s\n", s->bind_dirs.v[k]);
		for (size_t c = 0; c < s->n_containers; c++) {
			const struct rt_container *ct = &s->containers[c];
			const struct rt_argv *one[] = { &ct->create, &ct->start, &ct->health.argv, &ct->stop, NULL };
			lists = one;
			for (size_t l = 0; lists[l]; l++) {
				for (size_t w = 0; w < lists[l]->n; w++)
					sb_addf(out, "%s\x1f", lists[l]->v[w]);
				sb_addc(out, '\n');
			}
			for (size_t k = 0; k < ct->connect.n; k++)
				for (size_t w = 0; w < ct->connect.v[k].n; w++)
					sb_addf(out, "connect %s\n", ct->connect.v[k].v[w]);
			for (size_t k = 0; k < ct->copy.n; k++)
				sb_addf(out, "copy %s %lld %s\n", ct->copy.v[k].path, ct->copy.v[k].mode, ct->copy.v[k].content);
			for (size_t k = 0; k < ct->post_start.n; k++)
				for (size_t w = 0; w < ct->post_start.v[k].n; w++)
					sb_addf(out, "post_start %s\n", ct->post_start.v[k].v[w]);
			for (size_t k = 0; k < ct->pre_stop.n; k++)
				for (size_t w = 0; w < ct->pre_stop.v[k].n; w++)
					sb_addf(out, "pre_stop %s\n", ct->pre_stop.v[k].v[w]);
			for (size_t k = 0; k < ct->pre_start.n; k++)
				for (size_t w = 0; w < ct->pre_start.v[k].argv.n; w++)
					sb_addf(out, "pre_start %s\n", ct->pre_start.v[k].argv.v[w]);
		}
		for (size_t k = 0; k < s->pre_start.n; k++)
			for (size_t w = 0; w < s->pre_start.v[k].argv.n; w++)
				sb_addf(out, "pre_start %s\n", s->pre_start.v[k].argv.v[w]);
		for (size_t k = 0; k < s->n_deps; k++)
			sb_addf(out, "dep %s %d %d\n", s->deps[k].service, (int)s->deps[k].cond, (int)s->deps[k].required);
		if (s->build.present)
			for (size_t w = 0; w < s->build.argv.n; w++)
				sb_addf(out, "build %s\n", s->build.argv.v[w]);
	}
}

/* The lines of a file its consumer acts on: not comment lines, not a
 * unit's Description=. */
static void add_read(struct strbuf *out, const char *data, size_t len)
{
	const char *end = data + len;
	for (const char *l = data; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);
		size_t lead = 0;
		while (lead < n && (l[lead] == ' ' || l[lead] == '\t'))
			lead++;
		bool skip = (lead < n && l[lead] == '#') || (n >= 12 && strncmp(l, "Description=", 12) == 0);
		if (!skip) {
			sb_add(out, l, n);
			sb_addc(out, '\n');
		}
		l += n + 1;
	}
}

/* What target t makes of p: the plan's argvs, or the files; its warnings
 * into d (held). */
static void compile(struct fx *f, const struct target *t, const struct project *p, struct diag *d,
		    struct strbuf *out)
{
	struct fileset fs;
	fileset_init(&fs, &f->a);
	struct backend_options o = { .engine = t->engine,
				     .podman_version = PLAN_PODMAN_VERSION_DEFAULT,
				     .docker_version = PLAN_DOCKER_VERSION_DEFAULT };
	const struct backend *b = backend_find(t->backend);
	assert_non_null(b);
	int rc = backend_run(&f->a, d, b, p, &o, &fs);
	if (rc != 0) { /* refused: the refusal is the report */
		sb_adds(out, "refused");
		return;
	}
	if (strcmp(t->backend, "plan") == 0) {
		plan_argvs(f, &fs, out);
		return;
	}
	for (size_t i = 0; i < fs.n; i++) {
		assert_non_null(fs.files[i].data);
		sb_addf(out, "== %s\n", fs.files[i].path);
		add_read(out, fs.files[i].data, fs.files[i].len);
	}
}

/* What a target does not express on purpose, and says nothing of: the
 * target (prefix of its name) and the attribute, with the reason. */
static const struct {
	const char *target, *attr, *why;
} not_applicable[] = {
	{ "systemd", "attach", "compose up's log output; the units log to the journal and never attach" },
	{ "sh", "attach", "compose up's log output; the script starts detached and shows no logs" },
	{ "plan", "attach", "compose up's log output; composec-run shows progress, not the containers' logs" },
};

static bool exempt(const char *target, const char *attr)
{
	for (size_t i = 0; i < sizeof(not_applicable) / sizeof(not_applicable[0]); i++)
		if (str_has_prefix(target, not_applicable[i].target) && strcmp(attr, not_applicable[i].attr) == 0)
			return true;
	return false;
}

/* A message held by d at line (the row's), or about the row. */
static bool reported(const struct diag *d, int line)
{
	for (size_t i = 0; i < d->held.n; i++) {
		const struct diag_record *r = d->held.v[i];
		if (r->loc.line == line && r->lvl >= DIAG_WARNING)
			return true;
	}
	return false;
}

static const struct target targets[] = {
	{ "systemd", "systemd", ENGINE_DOCKER }, { "systemd-podman", "systemd", ENGINE_PODMAN },
	{ "quadlet", "quadlet", ENGINE_PODMAN }, { "sh", "sh", ENGINE_DOCKER },
	{ "sh-podman", "sh", ENGINE_PODMAN },    { "plan", "plan", ENGINE_DOCKER },
	{ "k8s", "k8s", ENGINE_DOCKER },
};

/* What t makes of the project with ROW: VALUE and of the one without it,
 * and whether t reported the row (at its line) or had errors with it. */
struct pair {
	struct strbuf with, without;
	bool said, errors;
};

static void compile_pair(struct fx *f, const struct target *t, const char *row, const char *value, struct pair *out)
{
	struct diag d0, d1, dw, dwo;
	diag_init(&d0, &f->a);
	diag_init(&d1, &f->a);
	diag_init(&dw, &f->a);
	diag_init(&dwo, &f->a);
	dw.hold = dwo.hold = true;
	*out = (struct pair){ STRBUF_INIT, STRBUF_INIT, false, false };
	compile(f, t, load(f, &d0, row, value), &dw, &out->with);
	compile(f, t, load(f, &d1, row, NULL), &dwo, &out->without);
	out->said = reported(&dw, 5);
	out->errors = dw.errors > 0;
	diag_release(&d0);
	diag_release(&d1);
	diag_release(&dw);
	diag_release(&dwo);
}

static void pair_release(struct pair *p)
{
	sb_release(&p->with);
	sb_release(&p->without);
}

static void test_every_row_reaches_every_target(void **state)
{
	struct fx *f = *state;
	struct strbuf failures = STRBUF_INIT, lost[sizeof(targets) / sizeof(targets[0])];
	size_t rows = 0;
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		lost[t] = (struct strbuf)STRBUF_INIT;
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		const struct ir_field *fl = &ir_service_fields[i];
		const char *v = sample(fl);
		if (!v || strcmp(fl->name, "image") == 0 || strcmp(fl->name, "profiles") == 0)
			continue; /* image: the baseline's own; profiles: loading's, not the container's */
		rows++;
		for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
			struct pair p;
			compile_pair(f, &targets[t], fl->name, v, &p);
			bool carried = strcmp(p.with.buf ? p.with.buf : "", p.without.buf ? p.without.buf : "") != 0;
			if (p.said)
				sb_addf(&lost[t], " %s", fl->name);
			if (!carried && !p.said && !exempt(targets[t].name, fl->name))
				sb_addf(&failures, "  %s: %s: %s neither carried nor reported\n", targets[t].name, fl->name, v);
			pair_release(&p);
		}
	}
	assert_true(rows > 60);
	printf("%zu attributes, each through %zu targets; reported as not (fully) expressible:\n", rows,
	       sizeof(targets) / sizeof(targets[0]));
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		printf("  %s:%s\n", targets[t].name, lost[t].len ? lost[t].buf : " none");
		sb_release(&lost[t]);
	}
	printf("not applicable, on purpose:\n");
	for (size_t i = 0; i < sizeof(not_applicable) / sizeof(not_applicable[0]); i++)
		printf("  %s: %s: %s\n", not_applicable[i].target, not_applicable[i].attr, not_applicable[i].why);
	if (failures.len)
		fail_msg("lost without a word:\n%s", failures.buf);
	sb_release(&failures);
}

/* configs and secrets written inline (c2) and taken from the environment
 * (s2): every target carries each, with its value, and reports nothing. */
static void test_copied_files_reach_every_target(void **state)
{
	struct fx *f = *state;
	/* the value as it is written, and base64 (a Secret's data) */
	static const char *const rows[][4] = {
		{ "configs", "[{\"source\": \"c2\", \"target\": \"/etc/c2.conf\", \"mode\": 288}]", "inline",
		  "aW5saW5l" },
		{ "secrets", "[{\"source\": \"s2\", \"mode\": 256}]", "from-env", "ZnJvbS1lbnY=" },
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
			struct pair p;
			compile_pair(f, &targets[t], rows[r][0], rows[r][1], &p);
			if (p.said || p.errors)
				fail_msg("%s: %s: reported, not carried", targets[t].name, rows[r][0]);
			/* the value reaches the output (the plan: its copy list) */
			const char *v = p.with.buf && strstr(p.with.buf, rows[r][2]) ? rows[r][2] : rows[r][3];
			if (!p.with.buf || !strstr(p.with.buf, v) || (p.without.buf && strstr(p.without.buf, v)))
				fail_msg("%s: %s: the value \"%s\" is not carried", targets[t].name, rows[r][0], rows[r][2]);
			pair_release(&p);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_row_reaches_every_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copied_files_reach_every_target, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
