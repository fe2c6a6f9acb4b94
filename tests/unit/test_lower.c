/*
 * test_lower.c - lowering of the merged YAML tree to the IR
 * (frontend/lower.c, frontend/lower_service.c): short syntaxes, env_file
 * precedence, normalization, profiles, validation messages and pre_start
 * inheritance.  Models are written as YAML and parsed with yaml.c, which
 * only builds the generic tree; everything checked here is lowering.
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

#include "frontend/lower.h"
#include "frontend/yaml.h"

struct fx {
	struct arena a;
	struct diag d;
	struct env env;
	struct lower_input in;
	char tmpdir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	env_init(&f->env, &f->a);
	env_set(&f->env, "HOME", "/home/u");
	env_set(&f->env, "FOO", "bar");
	strcpy(f->tmpdir, "/tmp/test_lower.XXXXXX");
	assert_non_null(mkdtemp(f->tmpdir));
	f->in.arena = &f->a;
	f->in.diag = &f->d;
	f->in.project_name = "demo";
	f->in.working_dir = "/proj";
	f->in.env = &f->env;
	f->in.unknown = UNKNOWN_WARN;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->tmpdir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

static struct project *lower_yaml(struct fx *f, const char *yaml)
{
	struct ptrvec docs = { 0 };
	assert_int_equal(yaml_parse(&f->a, &f->d, "compose.yaml", yaml, strlen(yaml), NULL, &docs), 0);
	assert_int_equal(docs.n, 1);
	f->in.model = docs.v[0];
	return lower_project(&f->in);
}

static void set_profiles(struct fx *f, const char *const *v, size_t n)
{
	f->in.profiles.v = (const char **)v;
	f->in.profiles.n = n;
}

static const char *out(struct fx *f)
{
	return f->d.out.buf;
}

static void assert_out_has(struct fx *f, const char *s)
{
	if (!strstr(out(f), s))
		fail_msg("diagnostics lack \"%s\":\n%s", s, out(f));
}

static struct service *svc(struct project *p, const char *name)
{
	struct service *s = project_service(p, name);
	assert_non_null(s);
	return s;
}

static const char *kv(const struct kvlist *l, const char *key)
{
	const struct kv *e = kvlist_get(l, key);
	assert_non_null(e);
	return e->value;
}

static const char *write_file(struct fx *f, const char *name, const char *text)
{
	char *path = arena_printf(&f->a, "%s/%s", f->tmpdir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* ---- ports ------------------------------------------------------------------ */

static void test_ports(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    ports:\n"
					  "      - \"8080:80\"\n"
					  "      - 127.0.0.1:9000:9000/udp\n"
					  "      - 3000\n"
					  "      - target: 443\n"
					  "        published: 8443\n"
					  "        protocol: TCP\n"
					  "        mode: host\n"
					  "        name: https\n"
					  "      - target: \"53\"\n"
					  "        published: 5300-5310\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->n_ports, 5);
	assert_int_equal(s->ports[0].target, 80);
	assert_string_equal(s->ports[0].published, "8080");
	assert_int_equal(s->ports[0].published_lo, 8080);
	assert_int_equal(s->ports[1].protocol, PROTO_UDP);
	assert_string_equal(s->ports[1].host_ip, "127.0.0.1");
	assert_int_equal(s->ports[2].target, 3000);
	assert_null(s->ports[2].published);
	assert_int_equal(s->ports[3].target, 443);
	assert_string_equal(s->ports[3].published, "8443");
	assert_int_equal(s->ports[3].protocol, PROTO_TCP);
	assert_int_equal(s->ports[3].mode, PORT_HOST);
	assert_string_equal(s->ports[3].name, "https");
	assert_int_equal(s->ports[3].loc.line, 8);
	assert_int_equal(s->ports[4].target, 53);
	assert_int_equal(s->ports[4].published_lo, 5300);
	assert_int_equal(s->ports[4].published_hi, 5310);
}

static void test_port_errors(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    ports:\n"
					  "      - published: 80\n"
					  "      - target: 80\n"
					  "        host_ip: not-an-ip\n"
					  "      - target: 80\n"
					  "        protocol: icmp\n");
	assert_null(p);
	assert_out_has(f, "\"services.web.ports[0].target\" is required");
	assert_out_has(f, "compose.yaml:7:18: error: \"services.web.ports[1].host_ip\": invalid ip address");
	assert_out_has(f, "invalid protocol \"icmp\"");
	assert_int_equal(f->d.errors, 3);
}

/* ---- volumes --------------------------------------------------------------- */

static void test_volumes(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    volumes:\n"
					  "      - ./data:/data:ro\n"
					  "      - ~/cache:/cache\n"
					  "      - db:/var/lib/db\n"
					  "      - /anon/\n"
					  "      - type: bind\n"
					  "        source: ../conf\n"
					  "        target: /etc/conf/\n"
					  "        read_only: true\n"
					  "        bind:\n"
					  "          create_host_path: false\n"
					  "          propagation: rshared\n"
					  "      - type: tmpfs\n"
					  "        target: /run\n"
					  "        tmpfs:\n"
					  "          size: 64m\n"
					  "          mode: 01777\n"
					  "      - type: volume\n"
					  "        source: db\n"
					  "        target: /backup\n"
					  "        volume:\n"
					  "          nocopy: true\n"
					  "          subpath: sub\n"
					  "volumes:\n"
					  "  db:\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->n_volumes, 7);
	assert_int_equal(s->volumes[0].type, MOUNT_BIND);
	assert_string_equal(s->volumes[0].source, "/proj/data");
	assert_string_equal(s->volumes[0].target, "/data");
	assert_true(s->volumes[0].read_only);
	assert_string_equal(s->volumes[1].source, "/home/u/cache");
	assert_int_equal(s->volumes[2].type, MOUNT_VOLUME);
	assert_string_equal(s->volumes[2].source, "db");
	assert_int_equal(s->volumes[3].type, MOUNT_VOLUME);
	assert_null(s->volumes[3].source);
	assert_string_equal(s->volumes[3].target, "/anon");
	assert_string_equal(s->volumes[4].source, "/conf");
	assert_string_equal(s->volumes[4].target, "/etc/conf");
	assert_true(s->volumes[4].read_only);
	assert_true(s->volumes[4].has_bind);
	assert_int_equal(s->volumes[4].bind.create_host_path, TRI_FALSE);
	assert_int_equal(s->volumes[4].bind.propagation, PROP_RSHARED);
	assert_int_equal(s->volumes[5].type, MOUNT_TMPFS);
	assert_int_equal(s->volumes[5].tmpfs.size, 64 << 20);
	assert_int_equal(s->volumes[5].tmpfs.mode, 01777);
	assert_true(s->volumes[6].volume.nocopy);
	assert_string_equal(s->volumes[6].volume.subpath, "sub");
	assert_int_equal(s->volumes[6].loc.line, 21);
}

static void test_volume_errors(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    image: busybox\n"
					  "    volumes:\n"
					  "      - data:/data\n"
					  "      - type: bind\n"
					  "        target: /x\n"
					  "      - source: foo\n"
					  "        target: /y\n"
					  "      - /data\n");
	assert_null(p);
	assert_out_has(f, "compose.yaml:5:9: error: service \"a\" refers to undefined volume \"data\"");
	assert_out_has(f, "\"services.a.volumes[1]\": a bind mount needs a \"source\"");
	assert_out_has(f, "\"services.a.volumes[2].type\" is required");
	assert_out_has(f, "service \"a\": target /data is mounted more than once");
}

/* ---- environment ------------------------------------------------------------ */

static void test_env_file_precedence(void **state)
{
	struct fx *f = *state;
	write_file(f, "one.env", "A=file1\nB=file1\nC=file1\nD=${FOO}-x\n");
	write_file(f, "two.env", "B=file2\n");
	write_file(f, "raw.env", "R=\"quoted ${FOO}\"\n");
	f->in.working_dir = f->tmpdir;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    env_file:\n"
					  "      - one.env\n"
					  "      - path: two.env\n"
					  "      - path: missing.env\n"
					  "        required: false\n"
					  "      - path: raw.env\n"
					  "        format: raw\n"
					  "    environment:\n"
					  "      - A=env\n"
					  "      - C\n"
					  "      - FOO\n"
					  "      - E=\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_string_equal(kv(&s->environment, "A"), "env");   /* environment wins */
	assert_string_equal(kv(&s->environment, "B"), "file2"); /* later file wins */
	assert_null(kv(&s->environment, "C"));                  /* unresolved bare key */
	assert_string_equal(kv(&s->environment, "D"), "bar-x");
	assert_string_equal(kv(&s->environment, "E"), "");
	assert_string_equal(kv(&s->environment, "FOO"), "bar"); /* bare key from env */
	assert_string_equal(kv(&s->environment, "R"), "\"quoted ${FOO}\"");
	assert_int_equal(s->environment.n, 7);
	/* sorted */
	for (size_t i = 1; i < s->environment.n; i++)
		assert_true(strcmp(s->environment.v[i - 1].key, s->environment.v[i].key) < 0);
}

/* A list longer than the insertion-sort cut-off, keys out of order and
 * repeated: sorted, one entry per key, the last value and place win. */
static void test_environment_long_list_repeats(void **state)
{
	struct fx *f = *state;
	struct strbuf y = STRBUF_INIT;
	sb_adds(&y, "services:\n  web:\n    image: nginx\n    environment:\n");
	for (int i = 39; i >= 0; i--)
		sb_addf(&y, "      - K%02d=first%d\n", i, i);
	for (int i = 0; i < 40; i += 7)
		sb_addf(&y, "      - K%02d=second%d\n", i, i);
	sb_adds(&y, "      - K07=third\n");
	struct project *p = lower_yaml(f, y.buf);
	sb_release(&y);
	if (!p)
		fail_msg("%s", out(f));
	const struct kvlist *e = &svc(p, "web")->environment;
	assert_int_equal(e->n, 40);
	for (size_t i = 0; i < e->n; i++) {
		char key[32], want[32];
		snprintf(key, sizeof(key), "K%02zu", i);
		assert_string_equal(e->v[i].key, key);
		if (i == 7)
			snprintf(want, sizeof(want), "third");
		else
			snprintf(want, sizeof(want), i % 7 == 0 ? "second%zu" : "first%zu", i);
		assert_string_equal(e->v[i].value, want);
	}
	assert_int_equal(e->v[7].loc.line, 4 + 40 + 6 + 1); /* the K07=third line */
	assert_int_equal(e->v[14].loc.line, 4 + 40 + 3);     /* K14=second14 */
}

/* Paths in messages: list indexes of two and more digits, and ports that
 * are one after canonicalisation kept once, the later in the earlier's place. */
static void test_port_paths_and_dedupe(void **state)
{
	struct fx *f = *state;
	struct strbuf y = STRBUF_INIT;
	sb_adds(&y, "services:\n  web:\n    image: nginx\n    ports:\n");
	for (int i = 0; i < 12; i++)
		sb_addf(&y, "      - \"%d:80\"\n", 8000 + i);
	sb_adds(&y, "      - {target: 80, published: \"8003\", protocol: tcp}\n");
	sb_adds(&y, "      - \"8003:80/udp\"\n");
	struct project *p = lower_yaml(f, y.buf);
	if (!p)
		fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->n_ports, 13);
	assert_string_equal(s->ports[3].published, "8003");
	assert_int_equal(s->ports[3].loc.line, 4 + 13); /* the mapping took its place */
	assert_int_equal(s->ports[12].protocol, PROTO_UDP);
	sb_reset(&y);
	sb_adds(&y, "services:\n  web:\n    image: nginx\n    ports:\n");
	for (int i = 0; i < 12; i++)
		sb_addf(&y, "      - \"%d:80\"\n", 8000 + i);
	sb_adds(&y, "      - [1]\n");
	assert_null(lower_yaml(f, y.buf));
	sb_release(&y);
	assert_out_has(f, "compose.yaml:17:9: error: \"services.web.ports[12]\" must be a string, a number or a mapping");
}

static void test_env_file_missing(void **state)
{
	struct fx *f = *state;
	f->in.working_dir = f->tmpdir;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    env_file: nope.env\n");
	assert_null(p);
	char *want = arena_printf(&f->a, "compose.yaml:4:15: error: env file \"%s/nope.env\" not found", f->tmpdir);
	assert_out_has(f, want);
}

static void test_environment_map_and_labels(void **state)
{
	struct fx *f = *state;
	write_file(f, "l.labels", "a=from-file\nb=from-file\n");
	f->in.working_dir = f->tmpdir;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    environment:\n"
					  "      N: 1.0\n"
					  "      B: true\n"
					  "      FOO:\n"
					  "      UNSET:\n"
					  "      O: 010\n"
					  "    labels: [\"b=explicit\", c]\n"
					  "    label_file: l.labels\n"
					  "    sysctls:\n"
					  "      net.core.somaxconn: 1024\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_string_equal(kv(&s->environment, "N"), "1");
	assert_string_equal(kv(&s->environment, "B"), "true");
	assert_string_equal(kv(&s->environment, "FOO"), "bar");
	assert_null(kv(&s->environment, "UNSET"));
	assert_string_equal(kv(&s->environment, "O"), "8");
	assert_string_equal(kv(&s->labels, "a"), "from-file");
	assert_string_equal(kv(&s->labels, "b"), "explicit");
	assert_string_equal(kv(&s->labels, "c"), "");
	assert_string_equal(kv(&s->sysctls, "net.core.somaxconn"), "1024");
}

/* ---- networks and resources ----------------------------------------------- */

static void test_default_network_only_when_used(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    image: x\n"
					  "    network_mode: host\n"
					  "  b:\n"
					  "    image: x\n"
					  "    networks: [front]\n"
					  "networks:\n"
					  "  front:\n");
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(p->n_res[RES_NETWORK], 1);
	assert_null(project_resource(p, RES_NETWORK, "default"));
	assert_int_equal(svc(p, "a")->n_networks, 0);
	assert_int_equal(svc(p, "b")->n_networks, 1);
	assert_ptr_equal(svc(p, "b")->networks[0].def, project_resource(p, RES_NETWORK, "front"));

	p = lower_yaml(f, "services:\n"
			  "  a:\n"
			  "    image: x\n");
	if (!p) fail_msg("%s", out(f));
	struct resource *def = project_resource(p, RES_NETWORK, "default");
	assert_non_null(def);
	assert_string_equal(def->name, "demo_default");
	struct service *s = svc(p, "a");
	assert_int_equal(s->n_networks, 1);
	assert_string_equal(s->networks[0].name, "default");
	assert_ptr_equal(s->networks[0].def, def);
}

static void test_resource_naming(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    image: x\n"
					  "    networks:\n"
					  "      back:\n"
					  "        aliases: [db]\n"
					  "        ipv4_address: 10.0.0.2\n"
					  "        priority: 100\n"
					  "      front:\n"
					  "networks:\n"
					  "  front: {}\n"
					  "  back:\n"
					  "    name: custom\n"
					  "    internal: true\n"
					  "  ext:\n"
					  "    external: true\n"
					  "  legacy:\n"
					  "    external:\n"
					  "      name: real\n"
					  "volumes:\n"
					  "  data:\n"
					  "    driver_opts:\n"
					  "      type: none\n"
					  "      o: bind\n"
					  "      device: ./data\n"
					  "  ext:\n"
					  "    external: true\n"
					  "    name: other\n");
	if (!p) fail_msg("%s", out(f));
	assert_string_equal(project_resource(p, RES_NETWORK, "front")->name, "demo_front");
	assert_string_equal(project_resource(p, RES_NETWORK, "back")->name, "custom");
	assert_int_equal(project_resource(p, RES_NETWORK, "back")->internal, TRI_TRUE);
	assert_string_equal(project_resource(p, RES_NETWORK, "ext")->name, "ext");
	struct resource *legacy = project_resource(p, RES_NETWORK, "legacy");
	assert_true(legacy->external);
	assert_string_equal(legacy->name, "real");
	assert_out_has(f, "external.name is deprecated");
	assert_string_equal(project_resource(p, RES_VOLUME, "data")->name, "demo_data");
	assert_string_equal(kv(&project_resource(p, RES_VOLUME, "data")->driver_opts, "device"), "/proj/data");
	assert_string_equal(project_resource(p, RES_VOLUME, "ext")->name, "other");
	/* sorted by key */
	assert_string_equal(p->res[RES_NETWORK][0]->key, "back");
	struct service *s = svc(p, "a");
	assert_int_equal(s->n_networks, 2);
	assert_string_equal(s->networks[0].name, "back");
	assert_true(s->networks[0].has_config);
	assert_string_equal(s->networks[0].aliases.v[0], "db");
	assert_string_equal(s->networks[0].ipv4_address, "10.0.0.2");
	assert_int_equal(s->networks[0].priority, 100);
	assert_false(s->networks[1].has_config);
	assert_int_equal(s->networks[1].gw_priority, IR_UNSET);
}

static void test_resource_errors(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    image: x\n"
					  "    secrets: [nope]\n"
					  "    networks: [missing]\n"
					  "volumes:\n"
					  "  v:\n"
					  "    external: true\n"
					  "    driver: local\n"
					  "secrets:\n"
					  "  s:\n"
					  "    labels: {a: b}\n"
					  "configs:\n"
					  "  c:\n"
					  "    file: ./c\n"
					  "    content: x\n");
	assert_null(p);
	assert_out_has(f, "volumes.v: conflicting parameters \"external\" and \"driver\" specified");
	assert_out_has(f, "secret \"s\" must declare either \"file\" or \"environment\"");
	assert_out_has(f, "config \"c\": \"file\", \"environment\" and \"content\" are mutually exclusive");
	assert_out_has(f, "service \"a\" refers to undefined secret \"nope\"");
	assert_out_has(f, "service \"a\" refers to undefined network \"missing\"");
	assert_int_equal(f->d.errors, 5);
}

static void test_secrets_configs(void **state)
{
	struct fx *f = *state;
	env_set(&f->env, "TOKEN", "s3cr3t");
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    image: x\n"
					  "    secrets:\n"
					  "      - tok\n"
					  "      - source: key\n"
					  "        target: k.pem\n"
					  "        mode: \"0440\"\n"
					  "        uid: 103\n"
					  "    configs:\n"
					  "      - source: conf\n"
					  "        mode: 0400\n"
					  "secrets:\n"
					  "  tok:\n"
					  "    environment: TOKEN\n"
					  "  key:\n"
					  "    file: ./key.pem\n"
					  "  gone:\n"
					  "    environment: NOPE\n"
					  "configs:\n"
					  "  conf:\n"
					  "    content: hello\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "a");
	assert_int_equal(s->n_secrets, 2);
	assert_string_equal(s->secrets[0].source, "tok");
	assert_int_equal(s->secrets[0].mode, IR_UNSET);
	assert_ptr_equal(s->secrets[0].def, project_resource(p, RES_SECRET, "tok"));
	assert_string_equal(s->secrets[1].target, "k.pem");
	assert_int_equal(s->secrets[1].mode, 0440);
	assert_string_equal(s->secrets[1].uid, "103");
	assert_int_equal(s->configs[0].mode, 0400);
	assert_string_equal(project_resource(p, RES_SECRET, "tok")->content, "s3cr3t");
	assert_string_equal(project_resource(p, RES_SECRET, "key")->file, "/proj/key.pem");
	assert_string_equal(project_resource(p, RES_CONFIG, "conf")->content, "hello");
	assert_string_equal(project_resource(p, RES_CONFIG, "conf")->name, "demo_conf");
	assert_null(project_resource(p, RES_SECRET, "gone")->content);
	assert_out_has(f, "compose.yaml:18:3: warning: secret \"gone\": environment variable \"NOPE\" is not set");
	assert_int_equal(f->d.warnings, 1);
}

/* ---- dependencies --------------------------------------------------------- */

static void test_implicit_depends_on(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    links: [\"db:database\", cache]\n"
					  "    volumes_from: [\"store:ro\", \"container:foreign\"]\n"
					  "    ipc: service:shm\n"
					  "    depends_on:\n"
					  "      db:\n"
					  "        condition: service_healthy\n"
					  "  db: {image: x}\n"
					  "  cache: {image: x}\n"
					  "  store: {image: x}\n"
					  "  shm: {image: x}\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->n_depends_on, 4);
	/* sorted: cache, db, shm, store */
	const struct dependency *d = s->depends_on;
	assert_string_equal(d[0].service, "cache");
	assert_true(d[0].implicit);
	assert_true(d[0].restart);
	assert_true(d[0].required);
	assert_int_equal(d[0].condition, DEP_STARTED);
	assert_ptr_equal(d[0].target, svc(p, "cache"));
	assert_string_equal(d[1].service, "db");
	assert_int_equal(d[1].condition, DEP_HEALTHY); /* explicit entry kept */
	assert_false(d[1].implicit);
	assert_false(d[1].restart);
	assert_ptr_equal(d[1].target, svc(p, "db"));
	assert_string_equal(d[2].service, "shm");
	assert_true(d[2].restart);
	assert_string_equal(d[3].service, "store");
	assert_true(d[3].implicit);
	assert_false(d[3].restart);
	/* dependency order: dependencies first */
	assert_ptr_equal(p->order[p->n_services - 1], s);
}

static void test_depends_on_errors(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    depends_on:\n"
					  "      - db\n"
					  "      - debug\n"
					  "  opt:\n"
					  "    image: x\n"
					  "    depends_on:\n"
					  "      debug:\n"
					  "        required: false\n"
					  "        condition: service_started\n"
					  "  debug:\n"
					  "    image: x\n"
					  "    profiles: [debug]\n");
	assert_null(p);
	assert_out_has(f, "compose.yaml:5:9: error: service \"web\" depends on undefined service \"db\"");
	assert_out_has(f, "compose.yaml:6:9: error: service \"web\" depends on undefined service \"debug\"");
	assert_int_equal(f->d.errors, 2);
}

static void test_depends_on_not_required(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  opt:\n"
					  "    image: x\n"
					  "    depends_on:\n"
					  "      debug:\n"
					  "        required: false\n"
					  "        restart: true\n"
					  "  debug:\n"
					  "    image: x\n"
					  "    profiles: [debug]\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "opt");
	assert_int_equal(s->n_depends_on, 1);
	assert_false(s->depends_on[0].required);
	assert_true(s->depends_on[0].restart);
	assert_null(s->depends_on[0].target);
	assert_int_equal(p->n_services, 1);
	assert_int_equal(p->n_disabled, 1);
	assert_string_equal(p->disabled[0]->name, "debug");
}

/* ---- profiles ------------------------------------------------------------------ */

static const char *const yaml_profiles = "services:\n"
					 "  web: {image: x}\n"
					 "  debug: {image: x, profiles: [debug]}\n"
					 "  tools: {image: x, profiles: [tools, ops]}\n";

static void test_profiles(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, yaml_profiles);
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(p->n_services, 1);
	assert_string_equal(p->services[0]->name, "web");
	assert_int_equal(p->n_disabled, 2);
	assert_string_equal(p->disabled[0]->name, "debug");
	assert_string_equal(p->disabled[1]->name, "tools");

	static const char *const ops[] = { "ops" };
	set_profiles(f, ops, 1);
	p = lower_yaml(f, yaml_profiles);
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(p->n_services, 2);
	assert_string_equal(p->services[1]->name, "web");
	assert_string_equal(p->services[0]->name, "tools");

	static const char *const all[] = { "*" };
	set_profiles(f, all, 1);
	p = lower_yaml(f, yaml_profiles);
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(p->n_services, 3);
	assert_int_equal(p->n_disabled, 0);
}

static void test_disabled_service_not_checked(void **state)
{
	struct fx *f = *state;
	/* a disabled service without image is fine; an enabled one is not */
	struct project *p = lower_yaml(f, "services:\n"
					  "  web: {image: x}\n"
					  "  debug:\n"
					  "    profiles: [debug]\n");
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(f->d.errors, 0);
	p = lower_yaml(f, "services:\n"
			  "  web:\n"
			  "    restart: always\n");
	assert_null(p);
	assert_out_has(f, "compose.yaml:2:3: error: service \"web\" has neither an image nor a build context "
			  "specified");
}

/* ---- validation --------------------------------------------------------------- */

static void test_type_errors_all_reported(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: 123\n"
					  "    tty: maybe\n"
					  "    ports: \"80\"\n"
					  "    environment: 5\n"
					  "    deploy:\n"
					  "      replicas: two\n"
					  "    mem_limit: lots\n"
					  "    stop_grace_period: 10\n");
	assert_null(p);
	assert_out_has(f, "compose.yaml:3:12: error: \"services.web.image\" must be a string");
	assert_out_has(f, "\"services.web.tty\" must be a boolean");
	assert_out_has(f, "\"services.web.ports\" must be a list");
	assert_out_has(f, "\"services.web.environment\" must be a list or a mapping");
	assert_out_has(f, "\"services.web.deploy.replicas\" must be an integer");
	assert_out_has(f, "\"services.web.mem_limit\"");
	assert_out_has(f, "\"services.web.stop_grace_period\"");
	/* the image type error also leaves the service without an image */
	assert_int_equal(f->d.errors, 8);
}

static void test_network_mode_and_networks(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    networks: [front]\n"
					  "    network_mode: host\n"
					  "networks:\n"
					  "  front:\n");
	assert_null(p);
	assert_out_has(f, "compose.yaml:5:5: error: service \"web\" declares mutually exclusive \"network_mode\" and "
			  "\"networks\"");
}

static void test_replica_checks(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    container_name: web1\n"
					  "    ports: [\"8080:80\", \"9000-9010:90\"]\n"
					  "    deploy:\n"
					  "      replicas: 3\n"
					  "  w2:\n"
					  "    image: x\n"
					  "    scale: 2\n"
					  "    cpus: 2\n"
					  "    deploy: {replicas: 4, resources: {limits: {cpus: 1}}}\n");
	assert_null(p);
	assert_out_has(f, "container_name \"web1\" cannot be used with 3 replicas");
	assert_out_has(f, "service \"w2\": \"scale\" (2) and \"deploy.replicas\" (4) disagree");
	assert_out_has(f, "service \"w2\": \"cpus\" and \"deploy.resources.limits.cpus\" disagree");
	/* the fixed port shared by replicas is not the loader's to refuse */
	assert_int_equal(f->d.errors, 3);
}

static void test_unknown_attributes(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "x-common: {a: 1}\n"
					  "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    foo: 1\n"
					  "    x-mine: yes\n"
					  "    develop: {watch: []}\n"
					  "    healthcheck:\n"
					  "      bogus: 1\n");
	if (!p) fail_msg("%s", out(f));
	assert_out_has(f, "compose.yaml:5:5: warning: unknown attribute \"services.web.foo\", ignoring");
	assert_out_has(f, "unknown attribute \"services.web.healthcheck.bogus\", ignoring");
	assert_int_equal(f->d.warnings, 2);
	struct service *s = svc(p, "web");
	assert_non_null(s->extensions);
	assert_int_equal(s->extensions->map.n, 1);
	assert_string_equal(s->extensions->map.members[0].key, "x-mine");
	assert_string_equal(s->extensions->map.members[0].value->s, "yes");
	assert_non_null(s->extra);
	assert_string_equal(s->extra->map.members[0].key, "develop");
	assert_non_null(p->extensions);
	assert_string_equal(p->extensions->map.members[0].key, "x-common");

	f->in.unknown = UNKNOWN_ERROR;
	p = lower_yaml(f, "services:\n  web:\n    image: x\n    foo: 1\n");
	assert_null(p);
	assert_out_has(f, "error: unknown attribute \"services.web.foo\"");

	f->in.unknown = UNKNOWN_IGNORE;
	int w0 = f->d.warnings, e0 = f->d.errors;
	p = lower_yaml(f, "services:\n  web:\n    image: x\n    foo: 1\n");
	if (!p) fail_msg("%s", out(f));
	assert_int_equal(f->d.warnings, w0);
	assert_int_equal(f->d.errors, e0);
}

static void test_bool_cast(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    tty: yes\n"
					  "    init: \"TRUE\"\n"
					  "    privileged: Off\n"
					  "    read_only: false\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->tty, TRI_TRUE);
	assert_int_equal(s->init, TRI_TRUE);
	assert_int_equal(s->privileged, TRI_FALSE);
	assert_int_equal(s->read_only, TRI_FALSE);
	assert_int_equal(s->stdin_open, TRI_UNSET);
	assert_out_has(f, "\"services.web.tty\": \"yes\" for boolean is not supported by YAML 1.2");
	assert_int_equal(f->d.warnings, 2);
}

/* ---- commands, healthcheck, restart, deploy ------------------------------------------- */

static void test_commands_and_healthcheck(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    command: echo \"a b\" c\n"
					  "    entrypoint: [\"/bin/sh\", \"-c\"]\n"
					  "    healthcheck:\n"
					  "      test: curl -f http://localhost\n"
					  "      interval: 1m30s\n"
					  "      retries: 3\n"
					  "      start_period: 40s\n"
					  "  db:\n"
					  "    image: x\n"
					  "    command: null\n"
					  "    entrypoint: []\n"
					  "    healthcheck:\n"
					  "      test: [\"CMD\", \"pg_isready\", \"-U\", \"pg\"]\n"
					  "      disable: false\n"
					  "  off:\n"
					  "    image: x\n"
					  "    healthcheck:\n"
					  "      test: [NONE]\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->command.kind, CMD_SHELL);
	assert_string_equal(s->command.shell, "echo \"a b\" c");
	assert_int_equal(s->command.argv.n, 3);
	assert_string_equal(s->command.argv.v[1], "a b");
	assert_int_equal(s->entrypoint.kind, CMD_EXEC);
	assert_int_equal(s->entrypoint.argv.n, 2);
	assert_string_equal(s->entrypoint.argv.v[1], "-c");
	assert_true(s->healthcheck.present);
	assert_int_equal(s->healthcheck.test_kind, HC_TEST_CMD_SHELL);
	assert_int_equal(s->healthcheck.test_args.n, 1);
	assert_string_equal(s->healthcheck.test_args.v[0], "curl -f http://localhost");
	assert_int_equal(s->healthcheck.interval, 90 * IR_USEC_PER_SEC);
	assert_int_equal(s->healthcheck.retries, 3);
	assert_int_equal(s->healthcheck.start_period, 40 * IR_USEC_PER_SEC);
	assert_int_equal(s->healthcheck.timeout, IR_UNSET);

	s = svc(p, "db");
	assert_int_equal(s->command.kind, CMD_UNSET);
	assert_int_equal(s->entrypoint.kind, CMD_EXEC);
	assert_int_equal(s->entrypoint.argv.n, 0);
	assert_int_equal(s->healthcheck.test_kind, HC_TEST_CMD);
	assert_int_equal(s->healthcheck.test_args.n, 3);
	assert_string_equal(s->healthcheck.test_args.v[0], "pg_isready");
	assert_false(s->healthcheck.disable);

	s = svc(p, "off");
	assert_int_equal(s->healthcheck.test_kind, HC_TEST_NONE);
	assert_int_equal(s->healthcheck.test_args.n, 0);
}

static void test_healthcheck_bad_word(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    healthcheck:\n"
					  "      test: [\"curl\", \"-f\", \"x\"]\n");
	assert_null(p);
	assert_out_has(f, "\"services.web.healthcheck.test\": the first word must be \"CMD\", \"CMD-SHELL\" or "
			  "\"NONE\"");
}

static void test_restart_deploy_sizes(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  web:\n"
					  "    image: x\n"
					  "    restart: on-failure:3\n"
					  "    stop_grace_period: 1m\n"
					  "    pull_policy: if_not_present\n"
					  "    deploy:\n"
					  "      mode: replicated\n"
					  "      replicas: 2\n"
					  "      resources:\n"
					  "        limits: {cpus: '0.5', memory: 50M, pids: 100}\n"
					  "        reservations:\n"
					  "          memory: 20M\n"
					  "          devices: [{capabilities: [gpu]}]\n"
					  "      restart_policy:\n"
					  "        condition: on-failure\n"
					  "        max_attempts: 5\n"
					  "        delay: 5s\n"
					  "      placement: {constraints: [\"node.role==manager\"]}\n"
					  "  db:\n"
					  "    image: x\n"
					  "    restart: \"no\"\n"
					  "    scale: 2\n"
					  "    mem_limit: 512m\n"
					  "    shm_size: 1gb\n"
					  "    cpus: \"1.5\"\n"
					  "    ulimits:\n"
					  "      nproc: 65535\n"
					  "      nofile: {soft: 20000, hard: 40000}\n"
					  "    extra_hosts:\n"
					  "      - somehost=162.242.195.82\n"
					  "      - \"otherhost:50.31.209.229\"\n"
					  "    devices:\n"
					  "      - /dev/ttyUSB0:/dev/ttyUSB1\n"
					  "      - source: /dev/sda\n"
					  "        permissions: r\n"
					  "    dns: 8.8.8.8\n"
					  "    tmpfs: /run\n"
					  "    expose: [3000, \"8000\"]\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "web");
	assert_int_equal(s->restart, RESTART_ON_FAILURE);
	assert_int_equal(s->restart_max_retries, 3);
	assert_int_equal(s->mem_limit, IR_UNSET);
	assert_true(isnan(s->cpus));
	assert_int_equal(s->stop_grace_period, 60 * IR_USEC_PER_SEC);
	assert_string_equal(s->pull_policy, "missing");
	assert_true(s->deploy.present);
	assert_true(s->deploy.has_mode);
	assert_int_equal(s->deploy.mode, DEPLOY_REPLICATED);
	assert_int_equal(s->deploy.replicas, 2);
	assert_int_equal(s->replicas, 2);
	assert_true(s->deploy.limits.cpus == 0.5);
	assert_int_equal(s->deploy.limits.memory, 50LL << 20);
	assert_int_equal(s->deploy.limits.pids, 100);
	assert_int_equal(s->deploy.reservations.memory, 20LL << 20);
	assert_true(isnan(s->deploy.reservations.cpus));
	assert_true(s->deploy.restart_policy.present);
	assert_int_equal(s->deploy.restart_policy.condition, RCOND_ON_FAILURE);
	assert_int_equal(s->deploy.restart_policy.max_attempts, 5);
	assert_int_equal(s->deploy.restart_policy.delay, 5 * IR_USEC_PER_SEC);
	assert_int_equal(s->deploy.restart_policy.window, IR_UNSET);
	assert_non_null(s->deploy.extra);
	assert_int_equal(s->deploy.extra->map.n, 2); /* placement, resources */
	assert_string_equal(s->deploy.extra->map.members[0].key, "placement");
	assert_string_equal(s->deploy.extra->map.members[1].key, "resources");

	s = svc(p, "db");
	assert_int_equal(s->restart, RESTART_NO);
	assert_int_equal(s->restart_max_retries, IR_UNSET);
	assert_int_equal(s->mem_limit, 512LL << 20);
	assert_int_equal(s->shm_size, 1LL << 30);
	assert_true(s->cpus == 1.5);
	assert_int_equal(s->replicas, 2);
	assert_int_equal(s->n_ulimits, 2);
	assert_string_equal(s->ulimits[0].name, "nofile");
	assert_int_equal(s->ulimits[0].soft, 20000);
	assert_int_equal(s->ulimits[0].hard, 40000);
	assert_false(s->ulimits[0].single);
	assert_true(s->ulimits[1].single);
	assert_int_equal(s->ulimits[1].hard, 65535);
	assert_int_equal(s->extra_hosts.n, 2);
	assert_string_equal(s->extra_hosts.v[0].key, "otherhost");
	assert_string_equal(s->extra_hosts.v[0].value, "50.31.209.229");
	assert_int_equal(s->n_devices, 2);
	assert_string_equal(s->devices[0].target, "/dev/ttyUSB1");
	assert_string_equal(s->devices[0].permissions, "rwm");
	assert_string_equal(s->devices[1].target, "/dev/sda");
	assert_string_equal(s->devices[1].permissions, "r");
	assert_int_equal(s->dns.n, 1);
	assert_string_equal(s->dns.v[0], "8.8.8.8");
	assert_int_equal(s->tmpfs.n, 1);
	assert_int_equal(s->expose.n, 2);
	assert_string_equal(s->expose.v[0], "3000");
}

static void test_build(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  a:\n"
					  "    build: ./app\n"
					  "  b:\n"
					  "    build:\n"
					  "      context: https://github.com/x/y.git\n"
					  "      dockerfile_inline: FROM busybox\n"
					  "      args:\n"
					  "        - FOO\n"
					  "        - NOPE\n"
					  "        - V=1\n"
					  "      target: prod\n"
					  "      ssh: [default]\n"
					  "  c:\n"
					  "    image: x\n"
					  "    build: {dockerfile: Containerfile}\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "a");
	assert_true(s->build.present);
	assert_string_equal(s->build.context, "/proj/app");
	assert_string_equal(s->build.dockerfile, "Dockerfile");
	s = svc(p, "b");
	assert_string_equal(s->build.context, "https://github.com/x/y.git");
	assert_null(s->build.dockerfile);
	assert_string_equal(s->build.dockerfile_inline, "FROM busybox");
	assert_int_equal(s->build.args.n, 2); /* NOPE is unset: dropped */
	assert_string_equal(kv(&s->build.args, "FOO"), "bar");
	assert_string_equal(kv(&s->build.args, "V"), "1");
	assert_string_equal(s->build.target, "prod");
	assert_non_null(s->build.extra);
	assert_string_equal(s->build.extra->map.members[0].key, "ssh");
	s = svc(p, "c");
	assert_string_equal(s->build.context, "/proj");
	assert_string_equal(s->build.dockerfile, "Containerfile");
}

/* ---- hooks -------------------------------------------------------------------------- */

static void test_pre_start_inheritance(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  app:\n"
					  "    image: myapp:latest\n"
					  "    environment: {A: svc, B: svc}\n"
					  "    pre_start:\n"
					  "      - command: [\"./manage.py\", \"migrate\"]\n"
					  "        environment: [B=hook, C=hook]\n"
					  "      - image: busybox\n"
					  "        user: root\n"
					  "        privileged: true\n"
					  "        command: sh -c 'chown -R 1000 /data'\n"
					  "    post_start:\n"
					  "      - command: ./started.sh\n"
					  "        environment: {X: 1}\n"
					  "  built:\n"
					  "    build: .\n"
					  "    pre_start:\n"
					  "      - command: init\n");
	if (!p) fail_msg("%s", out(f));
	struct service *s = svc(p, "app");
	assert_int_equal(s->n_pre_start, 2);
	struct hook *h = &s->pre_start[0];
	assert_string_equal(h->image, "myapp:latest");
	assert_true(h->image_inherited);
	assert_int_equal(h->command.kind, CMD_EXEC);
	assert_int_equal(h->own_environment.n, 2);
	assert_int_equal(h->environment.n, 3);
	assert_string_equal(kv(&h->environment, "A"), "svc");
	assert_string_equal(kv(&h->environment, "B"), "hook");
	assert_string_equal(kv(&h->environment, "C"), "hook");
	h = &s->pre_start[1];
	assert_string_equal(h->image, "busybox");
	assert_false(h->image_inherited);
	assert_string_equal(h->user, "root");
	assert_int_equal(h->privileged, TRI_TRUE);
	assert_int_equal(h->command.kind, CMD_SHELL);
	assert_int_equal(h->command.argv.n, 3);
	assert_int_equal(s->n_post_start, 1);
	assert_string_equal(kv(&s->post_start[0].environment, "X"), "1");
	assert_int_equal(s->post_start[0].environment.n, 1);

	s = svc(p, "built");
	assert_string_equal(s->pre_start[0].image, "demo-built");
	assert_true(s->pre_start[0].image_inherited);
}

static void test_hook_errors(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  app:\n"
					  "    image: x\n"
					  "    pre_start:\n"
					  "      - command: a\n"
					  "        volumes: [x:/x]\n"
					  "    pre_stop:\n"
					  "      - user: root\n"
					  "    post_start:\n"
					  "      - command: b\n"
					  "        per_replica: true\n");
	assert_null(p);
	assert_out_has(f, "unknown attribute \"services.app.pre_start[0].volumes\", ignoring");
	assert_out_has(f, "\"services.app.pre_stop[0].command\" is required");
	assert_out_has(f, "unknown attribute \"services.app.post_start[0].per_replica\"");
	assert_int_equal(f->d.errors, 1);
}

static void test_invalid_names(void **state)
{
	struct fx *f = *state;
	struct project *p = lower_yaml(f, "services:\n"
					  "  \"bad name\": {image: x}\n"
					  "volumes:\n"
					  "  \"v/1\":\n");
	assert_null(p);
	assert_out_has(f, "invalid service name \"bad name\"");
	assert_out_has(f, "invalid volume name \"v/1\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_volumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_volume_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_file_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_long_list_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_paths_and_dedupe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_file_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_map_and_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_network_only_when_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resource_naming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resource_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_configs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_implicit_depends_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on_not_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_service_not_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_errors_all_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_mode_and_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replica_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool_cast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_and_healthcheck, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthcheck_bad_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_deploy_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_start_inheritance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
