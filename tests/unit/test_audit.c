/*
 * test_audit.c - the audit (audit/audit*.c): compose files go through the
 * real frontend (load_project on temporary files) and audit_run.  The
 * tests pin what the golden cases cannot show one by one: that locations
 * are those of the original file after merge and extends, that the source
 * locator copes with odd indentation, quoting and flow style, every
 * suppression path (comment on the line, comment line above, ignore file
 * by rule, service and file:line, and its warnings), fingerprints that do
 * not move with the lines, the secret and host-path heuristics, the
 * severity gate, the JSON and SARIF envelopes, and the backend losses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "frontend/load.h"

struct fx {
	struct arena a;
	struct diag d;
	char dir[64];
	struct audit_report r;
	struct audit_options o;
	struct strvec files;
	struct strvec written;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	strcpy(f->dir, "/tmp/test_audit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->o.cwd = f->dir;
	f->o.backend = (struct backend_options){ .engine = ENGINE_DOCKER, .podman_version = PLAN_PODMAN_VERSION_DEFAULT, .docker_version = PLAN_DOCKER_VERSION_DEFAULT };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (size_t i = f->written.n; i-- > 0;)
		if (unlink(f->written.v[i]) != 0)
			rmdir(f->written.v[i]);
	rmdir(f->dir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Write name (relative to the case directory; "sub/x" creates sub). */
static void write_file(struct fx *f, const char *name, const char *text)
{
	const char *slash = strrchr(name, '/');
	if (slash) {
		char *dir = arena_printf(&f->a, "%s/%.*s", f->dir, (int)(slash - name), name);
		if (mkdir(dir, 0755) == 0)
			strvec_push(&f->written, &f->a, dir);
	}
	char *path = arena_printf(&f->a, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	strvec_push(&f->written, &f->a, path);
}

/* Load the files given with add_file (default compose.yaml) with lo's
 * flags, in the case's directory and an empty environment. */
static struct project *load_case(struct fx *f, struct load_options lo)
{
	static char *const no_env[] = { NULL };
	lo.cwd = f->dir;
	lo.environ = no_env;
	if (f->files.n == 0)
		strvec_push(&lo.files, &f->a, arena_printf(&f->a, "%s/compose.yaml", f->dir));
	for (size_t i = 0; i < f->files.n; i++)
		strvec_push(&lo.files, &f->a, arena_printf(&f->a, "%s/%s", f->dir, f->files.v[i]));
	struct project *p = load_project(&f->a, &f->d, &lo);
	if (!p)
		fail_msg("load failed:\n%s", f->d.out.buf);
	return p;
}

/* Load as the audit loads, and audit. */
static void audit(struct fx *f)
{
	struct project *p = load_case(f, (struct load_options){ .keep_sources = true, .key_locs = true });
	assert_int_equal(audit_run(&f->a, &f->d, p, &f->o, &f->r), 0);
}

/* The model's key locations (ir_key_at), as the audit reads them: a
 * service's keys, keys below them, a list item's keys, a key in flow
 * style; and none recorded unless the loader is asked. */
static void test_key_locations(void **state)
{
	struct fx *f = *state;
	write_file(f, "compose.yaml",
		   "services:\n"
		   "  web:\n"
		   "    image: nginx\n"
		   "    deploy:\n"
		   "      resources:\n"
		   "        limits: {cpus: '0.5'}\n"
		   "    volumes:\n"
		   "      - type: bind\n"
		   "        source: /srv\n"
		   "        target: /srv\n"
		   "        bind:\n"
		   "          propagation: rshared\n");
	for (int asked = 1; asked >= 0; asked--) {
		struct project *p = load_case(f, (struct load_options){ .key_locs = asked });
		const struct service *s = p->services[0];
		struct ir_key_loc k;
		if (!asked) {
			assert_false(ir_key_at(p, s->body, "deploy", &k));
			continue;
		}
		assert_true(ir_key_at(p, s->body, "deploy", &k));
		assert_int_equal(k.key.line, 4);
		assert_true(ir_key_at(p, k.value, "resources", &k));
		assert_int_equal(k.key.line, 5);
		assert_true(ir_key_at(p, k.value, "limits", &k));
		assert_int_equal(k.key.line, 6);
		assert_true(ir_key_at(p, k.value, "cpus", &k)); /* flow style */
		assert_int_equal(k.key.line, 6);
		assert_int_equal(k.key.col, 18);
		assert_false(ir_key_at(p, k.value, "memory", &k));
		assert_true(ir_key_at(p, s->volumes[0].loc, "bind", &k));
		assert_int_equal(k.key.line, 11);
		assert_true(ir_key_at(p, k.value, "propagation", &k));
		assert_int_equal(k.key.line, 12);
		assert_int_equal(k.key.col, 11);
	}
}

static void audit_yaml(struct fx *f, const char *yaml)
{
	write_file(f, "compose.yaml", yaml);
	audit(f);
}

/* The finding of rule for service (the first), or NULL. */
static const struct audit_finding *find(struct fx *f, const char *rule, const char *service)
{
	for (size_t i = 0; i < f->r.n_findings; i++) {
		const struct audit_finding *x = &f->r.findings[i];
		if (strcmp(x->rule->id, rule) == 0 && (!service || (x->service && strcmp(x->service, service) == 0)))
			return x;
	}
	return NULL;
}

static const struct audit_finding *must_find(struct fx *f, const char *rule, const char *service)
{
	const struct audit_finding *x = find(f, rule, service);
	if (!x)
		fail_msg("no %s finding for %s", rule, service ? service : "(any)");
	return x;
}

/* The finding of rule whose evidence is what (an environment key, a path). */
static const struct audit_finding *must_find_evidence(struct fx *f, const char *rule, const char *what)
{
	for (size_t i = 0; i < f->r.n_findings; i++)
		if (strcmp(f->r.findings[i].rule->id, rule) == 0 && strcmp(f->r.findings[i].evidence, what) == 0)
			return &f->r.findings[i];
	fail_msg("no %s finding on %s", rule, what);
	return NULL;
}

static size_t count(struct fx *f, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < f->r.n_findings; i++)
		n += strcmp(f->r.findings[i].rule->id, rule) == 0;
	return n;
}

static void assert_at(const struct audit_finding *x, const char *file, int line, int col)
{
	if (strcmp(x->loc.file, file) != 0 || x->loc.line != line || x->loc.col != col)
		fail_msg("%s at %s:%d:%d, expected %s:%d:%d", x->rule->id, x->loc.file, x->loc.line, x->loc.col, file,
			 line, col);
}

/* ---- locations ----------------------------------------------------------------------- */

static void test_locations_merge_and_extends(void **state)
{
	struct fx *f = *state;
	write_file(f, "compose.yaml",
		   "services:\n"
		   "  web:\n"
		   "    image: nginx:1.27\n"
		   "  worker:\n"
		   "    extends:\n"
		   "      file: base/common.yaml\n"
		   "      service: base\n"
		   "  local:\n"
		   "    extends: web\n");
	write_file(f, "override.yaml",
		   "services:\n"
		   "  web:\n"
		   "    # set here, not in compose.yaml\n"
		   "    privileged: true\n"
		   "    ports:\n"
		   "      - \"8080:80\"\n");
	write_file(f, "base/common.yaml",
		   "services:\n"
		   "  base:\n"
		   "    image: alpine\n"
		   "    network_mode: host\n"
		   "    cap_add: [SYS_ADMIN]\n");
	strvec_push(&f->files, &f->a, "compose.yaml");
	strvec_push(&f->files, &f->a, "override.yaml");
	audit(f);
	assert_at(must_find(f, "privileged", "web"), "override.yaml", 4, 5);
	assert_at(must_find(f, "port-all-interfaces", "web"), "override.yaml", 6, 9);
	assert_at(must_find(f, "host-network", "worker"), "base/common.yaml", 4, 5);
	assert_at(must_find(f, "image-unpinned", "worker"), "base/common.yaml", 3, 5);
	assert_at(must_find(f, "dangerous-capability", "worker"), "base/common.yaml", 5, 15);
	/* a missing attribute points at the service key of the first file */
	assert_at(must_find(f, "no-memory-limit", "worker"), "compose.yaml", 4, 3);
	assert_string_equal(must_find(f, "privileged", "web")->file, "override.yaml");
	assert_string_equal(must_find(f, "host-network", "worker")->file, "base/common.yaml");
}

/* Nothing of the audit reads a compose file after loading: with the file
 * overwritten between the load and the audit, the findings, their
 * locations (nested keys, items) and the suppression comments are the
 * same. */
static void test_no_text_after_load(void **state)
{
	struct fx *f = *state;
	write_file(f, "compose.yaml",
		   "services:\n"
		   "  web:\n"
		   "    image: nginx\n"
		   "    privileged: true # composec-ignore: privileged\n"
		   "    pid: host\n"
		   "    deploy:\n"
		   "      resources:\n"
		   "        limits: {cpus: '0.5'}\n"
		   "    environment:\n"
		   "      DB_PASSWORD: hunter2\n"
		   "      API_TOKEN: ${TOKEN:-x}\n"
		   "      SESSION_SECRET: ${SESSION}\n");
	struct project *p = load_case(f, (struct load_options){ .key_locs = true, .lenient = true });
	write_file(f, "compose.yaml", "# overwritten\n\n\n\n\n\n\n\n\n\n\n\n");
	assert_int_equal(audit_run(&f->a, &f->d, p, &f->o, &f->r), 0);
	assert_at(must_find(f, "host-pid", "web"), "compose.yaml", 5, 5);
	assert_at(must_find(f, "no-memory-limit", "web"), "compose.yaml", 8, 9);
	assert_at(must_find(f, "secret-in-env", "web"), "compose.yaml", 10, 7);
	/* API_TOKEN's default is the file's own ("x"), recorded at load;
	 * SESSION_SECRET is all the environment's */
	assert_int_equal(count(f, "secret-in-env"), 2);
	assert_at(must_find_evidence(f, "secret-in-env", "API_TOKEN"), "compose.yaml", 11, 7);
	const struct audit_finding *pr = must_find(f, "privileged", "web");
	assert_true(pr->suppressed);
}

/* shared-volume: at each mount of a volume or host path more than one
 * service mounts; medium when more than one writes it; a bind and a
 * volume that binds the same directory are the same data. */
/* host-port-conflict: a fixed host port with replicas (which the one-host
 * targets refuse, so no golden case holds it), at the port; none for a
 * range or a random host port. */
static void test_port_replicas(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services:\n"
		      "  workers:\n"
		      "    image: a:1\n"
		      "    deploy: {replicas: 3}\n"
		      "    ports:\n"
		      "      - \"127.0.0.1:9090:9090\"\n"
		      "      - \"127.0.0.1:9100-9102:80\"\n"
		      "      - \"8080\"\n");
	assert_int_equal(count(f, "host-port-conflict"), 1);
	const struct audit_finding *x = must_find(f, "host-port-conflict", "workers");
	assert_at(x, "compose.yaml", 6, 9);
	assert_non_null(strstr(x->message, "3 replicas"));
}

static void test_shared_volume(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services:\n"
		      "  a:\n    image: x\n    volumes: [both:/d, solo:/s, /srv/x:/x]\n"
		      "  b:\n    image: x\n    volumes: [both:/d, 'ro:/r:ro']\n"
		      "  c:\n    image: x\n    volumes: [ro:/r, hostx:/x:ro]\n"
		      "volumes:\n  both:\n  solo:\n  ro:\n"
		      "  hostx:\n    driver_opts: {type: none, o: bind, device: /srv/x}\n");
	assert_int_equal(count(f, "shared-volume"), 6);
	for (size_t i = 0; i < f->r.n_findings; i++) {
		const struct audit_finding *x = &f->r.findings[i];
		if (strcmp(x->rule->id, "shared-volume") != 0)
			continue;
		assert_int_equal(x->severity, strcmp(x->evidence, "both") == 0 ? SEV_MEDIUM : SEV_LOW);
		assert_true(strcmp(x->evidence, "solo") != 0);
	}
	assert_at(must_find(f, "shared-volume", "c"), "compose.yaml", 10, 15); /* the item */
}

static void test_locator_odd_yaml(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "version: '2.1'\n"
		      "\n"
		      "services:\n"
		      " odd:\n"
		      "    build: ./\n"
		      "    image: odd-service\n"
		      "\n"
		      "    # a comment at the key's indentation\n"
		      "    \"privileged\": true   # quoted key\n"
		      "    deploy:\n"
		      "      resources:\n"
		      "\n"
		      "        limits:\n"
		      "          cpus: '0.3'\n"
		      "    healthcheck:\n"
		      "      test: [\"NONE\"]\n"
		      " flow: {image: \"alpine:3\", pid: host}\n");
	assert_at(must_find(f, "privileged", "odd"), "compose.yaml", 9, 5);
	assert_at(must_find(f, "no-memory-limit", "odd"), "compose.yaml", 13, 9);
	assert_at(must_find(f, "no-healthcheck", "odd"), "compose.yaml", 16, 7);
	/* a key in flow style: the model has its location too */
	assert_at(must_find(f, "host-pid", "flow"), "compose.yaml", 17, 28);
	assert_null(find(f, "image-unpinned", "odd")); /* built */
}

static void test_locator_anchors_and_bom(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "\xef\xbb\xbfx-base: &base\n"
		      "  privileged: true\n"
		      "  read_only: false\n"
		      "x-more: &more\n"
		      "  pid: host\n"
		      "services:\n"
		      "  app:\n"
		      "    <<: [*more, *base]\n"
		      "    image: a:1\n"
		      "    read_only: true\n"
		      "  bom:\n"
		      "    image: b:1\n"
		      "    ipc: host\n");
	assert_at(must_find(f, "privileged", "app"), "compose.yaml", 2, 3);
	assert_at(must_find(f, "host-pid", "app"), "compose.yaml", 5, 3);
	assert_null(find(f, "writable-root-fs", "app")); /* the service's own key wins */
	assert_at(must_find(f, "host-ipc", "bom"), "compose.yaml", 13, 5);
}

static void test_locator_list_items(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services:\n"
		      "  app:\n"
		      "    image: alpine:3\n"
		      "    volumes:\n"
		      "    - type: bind\n"
		      "      source: /srv/x\n"
		      "      target: /x\n"
		      "      bind:\n"
		      "        propagation: shared\n"
		      "    pre_start:\n"
		      "    - image: busybox:1\n"
		      "      command: [\"true\"]\n"
		      "      privileged: true\n");
	assert_at(must_find(f, "shared-propagation", "app"), "compose.yaml", 9, 9);
	assert_at(must_find(f, "hook-privileged", "app"), "compose.yaml", 13, 7);
	assert_at(must_find(f, "pre-start-user-unset", "app"), "compose.yaml", 11, 7);
}

/* ---- suppression ------------------------------------------------------------------------ */

static const char suppressed_yaml[] = "services:\n"
				      "  a:\n"
				      "    image: alpine:3\n"
				      "    privileged: true # composec-ignore: privileged\n"
				      "    # composec-ignore: host-pid, host-ipc -- reviewed\n"
				      "    pid: host\n"
				      "    ipc: host\n"
				      "    uts: host # composec-ignore: host-pid\n"
				      "    network_mode: host  # a note\n"
				      "    # composec-ignore: host-userns\n"
				      "    cgroup_parent: x\n"
				      "    userns_mode: host\n";

static void test_suppression_comments(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, suppressed_yaml);
	const struct audit_finding *x = must_find(f, "privileged", "a");
	assert_true(x->suppressed);
	assert_string_equal(x->suppressed_by, "comment at compose.yaml:4");
	assert_true(must_find(f, "host-pid", "a")->suppressed);
	assert_string_equal(must_find(f, "host-pid", "a")->suppressed_by, "comment at compose.yaml:5");
	assert_false(must_find(f, "host-ipc", "a")->suppressed); /* two lines below the comment */
	assert_false(must_find(f, "host-uts", "a")->suppressed);  /* names another rule */
	assert_false(must_find(f, "host-network", "a")->suppressed);
	assert_false(must_find(f, "host-userns", "a")->suppressed);
	assert_int_equal(f->r.n_suppressed, 2);
	assert_int_equal(audit_max_severity(&f->r), SEV_HIGH);
}

static void test_ignore_file(void **state)
{
	struct fx *f = *state;
	static const char ignore[] = "# reviewed\n"
				     "host-ipc\n"
				     "host-uts a\n"
				     "host-network compose.yaml:9\n"
				     "cgroup-parent b\n"
				     "frobnicate\n"
				     "host-userns a b\n"
				     "\n";
	f->o.ignore_name = ".composec-ignore";
	f->o.ignore_text = ignore;
	f->o.ignore_len = strlen(ignore);
	diag_add_source(&f->d, f->o.ignore_name, ignore, strlen(ignore));
	audit_yaml(f, suppressed_yaml);
	assert_string_equal(must_find(f, "host-ipc", "a")->suppressed_by, ".composec-ignore:2");
	assert_string_equal(must_find(f, "host-uts", "a")->suppressed_by, ".composec-ignore:3");
	assert_string_equal(must_find(f, "host-network", "a")->suppressed_by, ".composec-ignore:4");
	assert_false(must_find(f, "cgroup-parent", "a")->suppressed); /* another service */
	assert_false(must_find(f, "host-userns", "a")->suppressed);   /* malformed line */
	assert_int_equal(f->d.warnings, 2);
	assert_non_null(strstr(f->d.out.buf, ".composec-ignore:6:1: warning: unknown audit rule \"frobnicate\", "
					     "ignoring the line"));
	assert_non_null(strstr(f->d.out.buf, ".composec-ignore:7:1: warning: expected"));
}

/* ---- fingerprints and severities ------------------------------------------------------ */

static uint64_t fingerprint_of(struct fx *f, const char *yaml, const char *rule)
{
	audit_yaml(f, yaml);
	return must_find(f, rule, "web")->fingerprint;
}

static void test_fingerprint_ignores_lines(void **state)
{
	struct fx *f = *state;
	uint64_t a = fingerprint_of(f, "services:\n  web:\n    image: a:1\n    cap_add: [SYS_ADMIN]\n", "dangerous-capability");
	uint64_t b = fingerprint_of(f,
				    "# moved down\n\nservices:\n  web:\n    image: a:1\n\n    cap_add:\n      - CAP_SYS_ADMIN\n",
				    "dangerous-capability");
	uint64_t c = fingerprint_of(f, "services:\n  web:\n    image: a:1\n    cap_add: [SYS_PTRACE]\n", "dangerous-capability");
	assert_true(a == b);
	assert_true(a != c);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_int_equal(audit_severity_parse("info"), SEV_INFO);
	assert_int_equal(audit_severity_parse("critical"), SEV_CRITICAL);
	assert_int_equal(audit_severity_parse("HIGH"), -1);
	assert_int_equal(audit_severity_parse(NULL), -1);
	size_t n;
	const struct audit_rule *rules = audit_rules(&n);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(audit_rule_find(rules[i].id), &rules[i]);
		assert_non_null(rules[i].check);
		assert_true(strlen(rules[i].title) > 0 && strlen(rules[i].hint) > 0);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(rules[k].id, rules[i].id);
	}
	assert_null(audit_rule_find("nope"));
}

static void test_no_findings_gate(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services: {}\n");
	assert_int_equal(f->r.n_findings, 0);
	assert_int_equal(audit_max_severity(&f->r), -1);
}

/* ---- heuristics ------------------------------------------------------------------------ */

static void test_secret_heuristics(void **state)
{
	struct fx *f = *state;
	write_file(f, "app.env", "DB_PASSWORD=in-a-file\n");
	audit_yaml(f, "services:\n"
		      "  web:\n"
		      "    image: a:1\n"
		      "    env_file: app.env\n"
		      "    environment:\n"
		      "      - MYSQL_PASSWORD=secret\n"
		      "      - API_TOKEN=${TOKEN:-dev}\n"
		      "      - DB_PASSWORD=${DB_PW}\n"
		      "      - DATABASE_URL=postgres://${DB_USER}:literalpw@db/app\n"
		      "      - OTHER_URL=postgres://app:${DB_PW}@db/app\n"
		      "      - SESSION_SALT=somesalt\n"
		      "      - PASSWORD_FILE=/run/secrets/p\n"
		      "      - SESSION_TOKEN_TTL=3600\n"
		      "      - ALLOW_EMPTY_PASSWORD=yes\n"
		      "      - REDIS_URL=redis://:pw@cache:6379\n"
		      "      - PLAIN_URL=https://example.com/x\n"
		      "      - ENABLE_SECRET=true\n");
	/* MYSQL_PASSWORD, REDIS_URL; API_TOKEN and DATABASE_URL, whose default
	 * and text around the references are the file's own; SESSION_SALT (not
	 * DB_PASSWORD nor OTHER_URL: their secret is the environment's) */
	assert_int_equal(count(f, "secret-in-env"), 5);
	must_find_evidence(f, "secret-in-env", "REDIS_URL");
	assert_string_equal(must_find(f, "secret-in-env", "web")->evidence, "MYSQL_PASSWORD");
	must_find_evidence(f, "secret-in-env", "API_TOKEN");
	must_find_evidence(f, "secret-in-env", "DATABASE_URL");
	must_find_evidence(f, "secret-in-env", "SESSION_SALT");
	for (size_t i = 0; i < f->r.n_findings; i++)
		if (strcmp(f->r.findings[i].rule->id, "secret-in-env") == 0)
			assert_null(strstr(f->r.findings[i].message, "secret\"")); /* the value is never shown */
}

static void test_host_paths(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services:\n"
		      "  web:\n"
		      "    image: a:1\n"
		      "    volumes:\n"
		      "      - /etc/localtime:/etc/localtime:ro\n"
		      "      - /etc/localtime:/host/localtime\n"
		      "      - /etc/app:/etc/app\n"
		      "      - /boot:/boot\n"
		      "      - /var/lib/mysql:/var/lib/mysql\n"
		      "      - ./etc:/etc/app2\n"
		      "      - /run/user/1000/podman/podman.sock:/var/run/docker.sock\n"
		      "      - /run/myapp:/run/myapp\n"
		      "      - sockdir:/sock\n"
		      "volumes:\n"
		      "  sockdir:\n"
		      "    driver_opts: {type: none, o: bind, device: /run/containerd}\n");
	assert_int_equal(count(f, "sensitive-mount"), 4);
	assert_int_equal(count(f, "engine-socket"), 2);
	for (size_t i = 0; i < f->r.n_findings; i++) {
		const struct audit_finding *x = &f->r.findings[i];
		if (strcmp(x->rule->id, "sensitive-mount") != 0)
			continue;
		if (strcmp(x->evidence, "/boot") == 0)
			assert_int_equal(x->severity, SEV_CRITICAL);
		else if (strcmp(x->evidence, "/var/lib/mysql") == 0) /* a program's state: low */
			assert_int_equal(x->severity, SEV_LOW);
		else
			assert_int_equal(x->severity, SEV_HIGH);
	}
}

/* ---- output ------------------------------------------------------------------------------ */

static void test_sarif_envelope(void **state)
{
	struct fx *f = *state;
	audit_yaml(f, "services:\n"
		      "  web:\n"
		      "    image: a:1\n"
		      "    privileged: true # composec-ignore: privileged\n"
		      "    pid: host\n");
	struct strbuf out = STRBUF_INIT;
	audit_format_sarif(&f->r, &out);
	assert_non_null(strstr(out.buf, "\"version\": \"2.1.0\""));
	assert_non_null(strstr(out.buf, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\""));
	assert_non_null(strstr(out.buf, "\"id\": \"relative-bind\"")); /* every rule declared */
	assert_null(strstr(out.buf, "\"ruleId\": \"privileged\""));   /* suppressed: left out */
	assert_non_null(strstr(out.buf, "\"ruleId\": \"host-pid\""));
	assert_non_null(strstr(out.buf, "\"security-severity\": \"8.0\""));
	assert_non_null(strstr(out.buf, "\"composecFingerprint/v1\""));
	assert_non_null(strstr(out.buf, "\"uri\": \"compose.yaml\""));
	sb_release(&out);
}

static void test_json_and_text(void **state)
{
	struct fx *f = *state;
	f->o.explain = true;
	audit_yaml(f, "services:\n"
		      "  web:\n"
		      "    image: a:1\n"
		      "    ports: [\"8080:80\"]\n"
		      "    privileged: true # composec-ignore: privileged\n"
		      "    gpus: all\n"
		      "    configs: [inline]\n"
		      "    depends_on:\n"
		      "      db: {condition: service_healthy}\n"
		      "  db:\n"
		      "    image: b:2\n"
		      "    healthcheck: {test: [CMD, \"true\"]}\n"
		      "configs:\n"
		      "  inline: {content: hello}\n");
	struct strbuf out = STRBUF_INIT;
	audit_format_json(&f->r, &out);
	assert_non_null(strstr(out.buf, "\"version\": \"1\""));
	assert_non_null(strstr(out.buf, "\"suppressed_by\": \"comment at compose.yaml:5\""));
	assert_non_null(strstr(out.buf, "\"start_order\""));
	assert_non_null(strstr(out.buf, "\"all_interfaces\": true"));
	sb_reset(&out);
	audit_format_text(&f->r, &f->d, &out);
	assert_non_null(strstr(out.buf, "(1 suppressed)"));
	assert_non_null(strstr(out.buf, "  1. db\n"));
	assert_non_null(strstr(out.buf, "       wait: \"db\" to be healthy\n"));
	assert_non_null(strstr(out.buf, "  all interfaces:8080 -> web:80/tcp\n"));
	assert_non_null(strstr(out.buf, "  config inline as "));
	assert_null(strstr(out.buf, "[privileged]"));
	/* every built backend is asked; systemd cannot give the container gpus
	 * (line 6), and carries the inline config (line 7) */
	assert_true(f->r.explain.n_backends >= 1);
	if (backend_find("systemd")) {
		const struct explain_backend *b = &f->r.explain.backends[0];
		assert_string_equal(b->name, "systemd");
		assert_true(b->n_losses >= 1);
		size_t k = 0;
		while (k + 1 < b->n_losses && b->losses[k].loc.line != 6)
			k++;
		assert_int_equal(b->losses[k].level, DIAG_WARNING);
		assert_string_equal(b->losses[k].file, "compose.yaml");
		assert_int_equal(b->losses[k].loc.line, 6);
		for (k = 0; k < b->n_losses; k++)
			assert_int_not_equal(b->losses[k].loc.line, 7);
	}
	sb_release(&out);
}

static void test_rule_table_output(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	audit_format_rules(false, &out);
	assert_true(str_has_prefix(out.buf, "RULE "));
	assert_non_null(strstr(out.buf, "\nengine-socket "));
	sb_reset(&out);
	audit_format_rules(true, &out);
	assert_true(str_has_prefix(out.buf, "[\n"));
	assert_non_null(strstr(out.buf, "\"id\": \"secret-in-env\""));
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_locations_merge_and_extends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_text_after_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_volume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_replicas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locator_odd_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locator_anchors_and_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locator_list_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppression_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_ignores_lines, setup, teardown),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test_setup_teardown(test_no_findings_gate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_heuristics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif_envelope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_and_text, setup, teardown),
		cmocka_unit_test(test_rule_table_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
