/*
 * test_ir.c - the ir/ module and the emitter under it: Go duration text,
 * string tables and sorted lookups, the dependency order and cycle
 * reports, the YAML/JSON escapers on hostile strings, the emitter's
 * layout, and `config` dumps of a hand-built project compared to exact
 * expected text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/emit.h"
#include "ir/ir.h"

struct fx {
	struct arena a;
	struct diag d;
	struct strbuf sb;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	sb_init(&f->sb);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sb_release(&f->sb);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* ---- durations ------------------------------------------------------------ */

static void check_duration(int64_t usec, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	ir_format_duration(usec, &sb);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void test_duration(void **state)
{
	(void)state;
	check_duration(0, "0s");
	check_duration(1, "1\xc2\xb5s");
	check_duration(999, "999\xc2\xb5s");
	check_duration(1000, "1ms");
	check_duration(1500, "1.5ms");
	check_duration(100001, "100.001ms");
	check_duration(500000, "500ms");
	check_duration(1000000, "1s");
	check_duration(1000001, "1.000001s");
	check_duration(1500000, "1.5s");
	check_duration(10 * IR_USEC_PER_SEC, "10s");
	check_duration(60 * IR_USEC_PER_SEC, "1m0s");
	check_duration(90 * IR_USEC_PER_SEC, "1m30s");
	check_duration(3600 * IR_USEC_PER_SEC, "1h0m0s");
	check_duration(7200 * IR_USEC_PER_SEC, "2h0m0s");
	check_duration(3661 * IR_USEC_PER_SEC + 500000, "1h1m1.5s");
	check_duration(-1500000, "-1.5s");
	check_duration(-5, "-5\xc2\xb5s");
	check_duration(INT64_MAX, "2562047788h0m54.775807s");
}

/* ---- tables and lookups -------------------------------------------------- */

static void test_tables(void **state)
{
	(void)state;
	assert_int_equal(ir_lookup(port_proto_names, PROTO__MAX, "udp"), PROTO_UDP);
	assert_int_equal(ir_lookup(port_proto_names, PROTO__MAX, "UDP"), -1);
	assert_int_equal(ir_lookup(port_proto_names, PROTO__MAX, NULL), -1);
	assert_int_equal(ir_lookup(mount_type_names, MOUNT__MAX, "cluster"), MOUNT_CLUSTER);
	assert_int_equal(ir_lookup(propagation_names, PROP__MAX, "rslave"), PROP_RSLAVE);
	assert_int_equal(ir_lookup(restart_policy_names, RESTART__MAX, "unless-stopped"), RESTART_UNLESS_STOPPED);
	assert_int_equal(ir_lookup(restart_policy_names, RESTART__MAX, ""), -1);
	assert_int_equal(ir_lookup(restart_condition_names, RCOND__MAX, "any"), RCOND_ANY);
	assert_int_equal(ir_lookup(dep_condition_names, DEP__MAX, "service_completed_successfully"), DEP_COMPLETED);
	assert_int_equal(ir_lookup(deploy_mode_names, DEPLOY__MAX, "global-job"), DEPLOY_GLOBAL_JOB);
	assert_int_equal(ir_lookup(port_mode_names, PORT_MODE__MAX, "host"), PORT_HOST);
	assert_string_equal(resource_kind_names[RES_SECRET], "secrets");
	assert_null(propagation_names[PROP_UNSET]);
	assert_null(restart_condition_names[RCOND_UNSET]);
}

static void test_kvlist_get(void **state)
{
	(void)state;
	struct kv v[] = { { "A", "1" }, { "B", NULL }, { "C", "3" }, { "D", "4" }, { "E", "5" } };
	struct kvlist l = { v, ARRAY_SIZE(v) };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		assert_ptr_equal(kvlist_get(&l, v[i].key), &v[i]);
	assert_null(kvlist_get(&l, "0"));
	assert_null(kvlist_get(&l, "BB"));
	assert_null(kvlist_get(&l, "F"));
	struct kvlist empty = { 0 };
	assert_null(kvlist_get(&empty, "A"));
}

/* ---- hand-built projects ------------------------------------------------- */

static void resource_spec_unset(struct resource_spec *r)
{
	r->cpus = NAN;
	r->memory = r->pids = IR_UNSET;
}

/* A service as the frontend leaves it when the file only names it. */
static struct service *svc_new(struct arena *a, const char *name)
{
	struct service *s = arena_alloc(a, sizeof(*s));
	s->name = name;
	s->restart_max_retries = s->stop_grace_period = s->scale = IR_UNSET;
	s->mem_limit = s->mem_reservation = s->memswap_limit = s->shm_size = IR_UNSET;
	s->mem_swappiness = s->oom_score_adj = s->pids_limit = IR_UNSET;
	s->cpu_shares = s->cpu_period = s->cpu_quota = IR_UNSET;
	s->cpu_rt_period = s->cpu_rt_runtime = s->cpu_count = IR_UNSET;
	s->cpus = s->cpu_percent = NAN;
	s->healthcheck.interval = s->healthcheck.timeout = IR_UNSET;
	s->healthcheck.start_period = s->healthcheck.start_interval = IR_UNSET;
	s->healthcheck.retries = IR_UNSET;
	s->build.shm_size = IR_UNSET;
	s->deploy.replicas = IR_UNSET;
	resource_spec_unset(&s->deploy.limits);
	resource_spec_unset(&s->deploy.reservations);
	s->deploy.restart_policy.delay = s->deploy.restart_policy.window = IR_UNSET;
	s->deploy.restart_policy.max_attempts = IR_UNSET;
	s->replicas = 1;
	return s;
}

/* Services given sorted by name; deps "a:b,c" means a depends on b and c
 * (matched by name, target left NULL). */
static void project_build(struct project *p, struct arena *a, const char *const *names, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->name = "demo";
	p->services = arena_alloc(a, n * sizeof(*p->services));
	p->n_services = n;
	for (size_t i = 0; i < n; i++)
		p->services[i] = svc_new(a, names[i]);
}

static void add_dep(struct arena *a, struct service *s, const char *target, int line)
{
	struct dependency *d = arena_grow(a, s->depends_on, s->n_depends_on * sizeof(*d),
					  (s->n_depends_on + 1) * sizeof(*d));
	d[s->n_depends_on] = (struct dependency){
		.service = target, .required = true, .loc = { "compose.yaml", line, 7 },
	};
	s->depends_on = d;
	s->n_depends_on++;
}

static void order_text(const struct project *p, struct strbuf *sb)
{
	sb_reset(sb);
	for (size_t i = 0; i < p->n_services; i++) {
		sb_addf(sb, "%s%s", i ? " " : "", p->order[i]->name);
		assert_int_equal(p->order[i]->order, i);
	}
}

static void test_project_lookup(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "api", "db", "web" };
	struct project p;
	project_build(&p, &f->a, names, 3);
	assert_ptr_equal(project_service(&p, "api"), p.services[0]);
	assert_ptr_equal(project_service(&p, "web"), p.services[2]);
	assert_null(project_service(&p, "cache"));
	struct resource r[3] = { { .key = "a" }, { .key = "b" }, { .key = "c" } };
	struct resource *rp[3] = { &r[0], &r[1], &r[2] };
	p.res[RES_VOLUME] = rp;
	p.n_res[RES_VOLUME] = 3;
	assert_ptr_equal(project_resource(&p, RES_VOLUME, "b"), &r[1]);
	assert_ptr_equal(project_resource(&p, RES_VOLUME, "c"), &r[2]);
	assert_null(project_resource(&p, RES_VOLUME, "d"));
	assert_null(project_resource(&p, RES_NETWORK, "a"));
}

static void test_order_chain(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "a", "b", "c" };
	struct project p;
	project_build(&p, &f->a, names, 3);
	add_dep(&f->a, p.services[0], "b", 1); /* a -> b -> c */
	add_dep(&f->a, p.services[1], "c", 2);
	assert_int_equal(project_order(&p, &f->a, &f->d), 0);
	order_text(&p, &f->sb);
	assert_string_equal(f->sb.buf, "c b a");
	assert_int_equal(f->d.errors, 0);
}

static void test_order_diamond(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "app", "base", "left", "right" };
	struct project p;
	project_build(&p, &f->a, names, 4);
	add_dep(&f->a, p.services[0], "left", 1);
	add_dep(&f->a, p.services[0], "right", 2);
	add_dep(&f->a, p.services[2], "base", 3);
	add_dep(&f->a, p.services[3], "base", 4);
	/* target pointers win over names when set */
	p.services[3]->depends_on[0].target = p.services[1];
	assert_int_equal(project_order(&p, &f->a, &f->d), 0);
	order_text(&p, &f->sb);
	assert_string_equal(f->sb.buf, "base left right app");
}

static void test_order_ties(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "a", "b", "x", "z" };
	struct project p;
	project_build(&p, &f->a, names, 4);
	add_dep(&f->a, p.services[0], "z", 1);
	add_dep(&f->a, p.services[1], "gone", 2); /* not an enabled service: ignored */
	assert_int_equal(project_order(&p, &f->a, &f->d), 0);
	order_text(&p, &f->sb);
	assert_string_equal(f->sb.buf, "b x z a");
	assert_int_equal(f->d.errors, 0);
	assert_string_equal(f->d.out.buf, "");
}

static void test_order_cycle(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "a", "b", "c", "d", "e" };
	struct project p;
	project_build(&p, &f->a, names, 5);
	add_dep(&f->a, p.services[0], "b", 10); /* a -> b -> a */
	add_dep(&f->a, p.services[1], "a", 20);
	add_dep(&f->a, p.services[2], "d", 30); /* c depends on d, d -> e -> d */
	add_dep(&f->a, p.services[3], "e", 40);
	add_dep(&f->a, p.services[4], "d", 50);
	assert_int_equal(project_order(&p, &f->a, &f->d), -1);
	assert_int_equal(f->d.errors, 2);
	assert_string_equal(f->d.out.buf,
			    "compose.yaml:10:7: error: dependency cycle: \"a\" -> \"b\" -> \"a\"\n"
			    "compose.yaml:40:7: error: dependency cycle: \"d\" -> \"e\" -> \"d\"\n");
	/* still a full permutation */
	order_text(&p, &f->sb);
	assert_string_equal(f->sb.buf, "a b c d e");
}

/* Two cycles through one service, a self-loop, and a cycle entered away
 * from its first name: each is reported once, starting at its first name. */
static void test_order_cycles_shared(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "a", "b", "c", "m", "n", "s" };
	struct project p;
	project_build(&p, &f->a, names, 6);
	add_dep(&f->a, p.services[0], "b", 1);
	add_dep(&f->a, p.services[0], "c", 2);
	add_dep(&f->a, p.services[1], "a", 3);
	add_dep(&f->a, p.services[2], "a", 4);
	add_dep(&f->a, p.services[3], "s", 5); /* m enters n -> s -> n at s */
	add_dep(&f->a, p.services[4], "s", 6);
	add_dep(&f->a, p.services[5], "n", 7);
	add_dep(&f->a, p.services[5], "s", 8);
	assert_int_equal(project_order(&p, &f->a, &f->d), -1);
	assert_int_equal(f->d.errors, 4);
	assert_string_equal(f->d.out.buf,
			    "compose.yaml:1:7: error: dependency cycle: \"a\" -> \"b\" -> \"a\"\n"
			    "compose.yaml:2:7: error: dependency cycle: \"a\" -> \"c\" -> \"a\"\n"
			    "compose.yaml:6:7: error: dependency cycle: \"n\" -> \"s\" -> \"n\"\n"
			    "compose.yaml:8:7: error: dependency cycle: \"s\" -> \"s\"\n");
}

/* ---- escapers ------------------------------------------------------------ */

struct esc_case {
	const char *in, *yaml, *json;
};

static const struct esc_case esc_cases[] = {
	{ "a b", "a b", "\"a b\"" },
	{ "it's", "it's", "\"it's\"" },
	{ "say \"hi\"", "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "$HOME", "$HOME", "\"$HOME\"" },
	{ "%h", "\"%h\"", "\"%h\"" },
	{ "back\\slash", "back\\slash", "\"back\\\\slash\"" },
	{ "a\nb", "\"a\\nb\"", "\"a\\nb\"" },
	{ "a\tb", "\"a\\tb\"", "\"a\\tb\"" },
	{ "a\rb", "\"a\\rb\"", "\"a\\rb\"" },
	{ ": x", "\": x\"", "\": x\"" },
	{ "#x", "\"#x\"", "\"#x\"" },
	{ "- x", "\"- x\"", "\"- x\"" },
	{ "true", "\"true\"", "\"true\"" },
	{ "0755", "\"0755\"", "\"0755\"" },
	{ "1e3", "\"1e3\"", "\"1e3\"" },
	{ "null", "\"null\"", "\"null\"" },
	{ "", "\"\"", "\"\"" },
	{ "\xc3\xbcn\xc3\xaf", "\xc3\xbcn\xc3\xaf", "\"\xc3\xbcn\xc3\xaf\"" },
	{ "\xff", "\"\\xFF\"", "\"\\ufffd\"" },
	{ "a\xffz", "\"a\\xFFz\"", "\"a\\ufffdz\"" },
	{ "\xc0\xaf", "\"\\xC0\\xAF\"", "\"\\ufffd\\ufffd\"" },
	{ "\x01", "\"\\x01\"", "\"\\u0001\"" },
	{ "\x7f", "\"\\x7F\"", "\"\x7f\"" },
	{ "a\xc2\x85z", "\"a\\u0085z\"", "\"a\xc2\x85z\"" },
	{ "a\xe2\x80\xa8z", "\"a\\u2028z\"", "\"a\\u2028z\"" },
	{ "\xef\xbb\xbfx", "\"\\uFEFFx\"", "\"\xef\xbb\xbfx\"" },
};

static void test_escapers(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(esc_cases); i++) {
		const struct esc_case *c = &esc_cases[i];
		sb_reset(&f->sb);
		yaml_quote_scalar(&f->sb, c->in);
		assert_string_equal(f->sb.buf, c->yaml);
		sb_reset(&f->sb);
		json_escape_string(&f->sb, c->in);
		assert_string_equal(f->sb.buf, c->json);
	}
}

static void test_yaml_plain(void **state)
{
	(void)state;
	static const char *const quoted[] = {
		"a: b", "a #b", "key:", " lead", "trail ", "~", "Null", "NULL", "False", "TRUE",
		"yes", "No", "on", "OFF", "y", "-1", "+1", "1.5", ".5", "5.", "1_000", "_1",
		"0x1F", "0X1f", "0o17", "0b101", "1e+3", "-.inf", ".NaN", "1:20", "190:20:30",
		"2024-01-01", "2024-1-2T10:00:00Z", "<<", "=", "...", "---", "?x", "*a", "&a",
		"!tag", "|x", ">x", "'q", "\"q", "@x", "`x", "{x", "[x", ",x", "]x", "}x",
		"99999999999999999999999", "-0",
	};
	static const char *const plain[] = {
		"a", "a#b", "a:b", "nginx:1.25", "80:80", "8080:80/udp", "1:60", "1.2.3", "v1.0",
		"0x", "0xZZ", "1e", "e3", "inf", "nan", "Yes!", "true1", "null_", "yes no",
		"~x", "a-b", "a?", "/srv/data", "curl -f http://localhost", "2024-01", "12-34-56",
		"on-failure:3", "1m30s", "x=y", "a<<b", "\xc3\xbcn\xc3\xaf", "\xc2\xa0x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(quoted); i++)
		if (yaml_plain_ok(quoted[i]))
			fail_msg("%s should be quoted", quoted[i]);
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (!yaml_plain_ok(plain[i]))
			fail_msg("%s should be plain", plain[i]);
}

/* ---- emitter ------------------------------------------------------------- */

static void emit_sample(struct strbuf *out, enum emit_format fmt)
{
	struct emit e;
	emit_init(&e, out, fmt);
	emit_map_begin(&e);
	emit_key(&e, "a");
	emit_map_begin(&e);
	emit_map_end(&e);
	emit_key(&e, "b");
	emit_seq_begin(&e);
	emit_seq_end(&e);
	emit_key(&e, "c d");
	emit_seq_begin(&e);
	emit_map_begin(&e);
	emit_key(&e, "x");
	emit_int(&e, -1);
	emit_key(&e, "y");
	emit_seq_begin(&e);
	emit_seq_end(&e);
	emit_map_end(&e);
	emit_seq_begin(&e);
	emit_bool(&e, true);
	emit_null(&e);
	emit_seq_end(&e);
	emit_map_begin(&e);
	emit_map_end(&e);
	emit_str(&e, "s");
	emit_seq_end(&e);
	emit_key(&e, "true");
	emit_float(&e, 0.5);
	emit_map_end(&e);
	emit_release(&e);
}

static void test_emit_layout(void **state)
{
	struct fx *f = *state;
	emit_sample(&f->sb, EMIT_YAML);
	assert_string_equal(f->sb.buf,
			    "a: {}\n"
			    "b: []\n"
			    "c d:\n"
			    "  - x: -1\n"
			    "    \"y\": []\n"
			    "  - - true\n"
			    "    - null\n"
			    "  - {}\n"
			    "  - s\n"
			    "\"true\": 0.5\n");
	sb_reset(&f->sb);
	emit_sample(&f->sb, EMIT_JSON);
	assert_string_equal(f->sb.buf,
			    "{\n"
			    "  \"a\": {},\n"
			    "  \"b\": [],\n"
			    "  \"c d\": [\n"
			    "    {\n"
			    "      \"x\": -1,\n"
			    "      \"y\": []\n"
			    "    },\n"
			    "    [\n"
			    "      true,\n"
			    "      null\n"
			    "    ],\n"
			    "    {},\n"
			    "    \"s\"\n"
			    "  ],\n"
			    "  \"true\": 0.5\n"
			    "}\n");
}

static void test_emit_roots(void **state)
{
	struct fx *f = *state;
	struct emit e;
	emit_init(&e, &f->sb, EMIT_YAML);
	emit_seq_begin(&e);
	emit_str(&e, "a");
	emit_map_begin(&e);
	emit_key(&e, "k");
	emit_map_begin(&e);
	emit_key(&e, "n");
	emit_str(&e, "v");
	emit_map_end(&e);
	emit_map_end(&e);
	emit_seq_end(&e);
	emit_release(&e);
	assert_string_equal(f->sb.buf, "- a\n- k:\n    \"n\": v\n");
	sb_reset(&f->sb);
	emit_init(&e, &f->sb, EMIT_JSON);
	emit_map_begin(&e);
	emit_map_end(&e);
	emit_release(&e);
	assert_string_equal(f->sb.buf, "{}\n");
	sb_reset(&f->sb);
	emit_init(&e, &f->sb, EMIT_YAML);
	emit_str(&e, "0");
	emit_release(&e);
	assert_string_equal(f->sb.buf, "\"0\"\n");
}

static void check_float(double v, const char *yaml, const char *json)
{
	struct strbuf sb = STRBUF_INIT;
	emit_format_float(&sb, v, EMIT_YAML);
	assert_string_equal(sb.buf, yaml);
	sb_reset(&sb);
	emit_format_float(&sb, v, EMIT_JSON);
	assert_string_equal(sb.buf, json);
	sb_release(&sb);
}

static void test_emit_float(void **state)
{
	(void)state;
	check_float(0, "0", "0");
	check_float(0.5, "0.5", "0.5");
	check_float(1.0, "1", "1");
	check_float(-2.25, "-2.25", "-2.25");
	check_float(0.1, "0.1", "0.1");
	check_float(100000, "100000", "100000");
	check_float(1e6, "1e+06", "1000000");
	check_float(123456789, "1.23456789e+08", "123456789");
	check_float(0.0001, "0.0001", "0.0001");
	check_float(0.00001, "1e-05", "0.00001");
	check_float(1e-7, "1e-07", "1e-7");
	check_float(1e21, "1e+21", "1e+21");
	check_float(NAN, ".nan", "null");
	check_float(INFINITY, ".inf", "null");
	check_float(-INFINITY, "-.inf", "null");
}

/* ---- config dump --------------------------------------------------------- */

static struct strlist strs(struct arena *a, size_t n, ...)
{
	struct strlist l = { arena_alloc(a, (n + 1) * sizeof(char *)), NULL, n };
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		l.v[i] = va_arg(ap, const char *);
	va_end(ap);
	return l;
}

static struct ir_value *gen_str(struct arena *a, const char *s)
{
	struct ir_value *v = arena_alloc(a, sizeof(*v));
	v->kind = VAL_STR;
	v->s = s;
	return v;
}

/* {key: value} as a generic map. */
static struct ir_value *gen_map1(struct arena *a, const char *key, struct ir_value *value)
{
	struct ir_value *v = arena_alloc(a, sizeof(*v));
	v->kind = VAL_MAP;
	v->map.members = arena_alloc(a, sizeof(struct ir_member));
	v->map.members[0] = (struct ir_member){ key, value };
	v->map.n = 1;
	return v;
}

static void web_fill(struct arena *a, struct service *s)
{
	static struct kv env[] = { { "A", "x$y" }, { "B", NULL } };
	static struct kv labels[] = { { "com.example", "1" } };
	s->image = "nginx:1.25";
	s->command = (struct command){ .kind = CMD_EXEC, .argv = strs(a, 3, "nginx", "-g", "daemon off;") };
	s->environment = (struct kvlist){ env, 2 };
	s->labels = (struct kvlist){ labels, 1 };
	s->ports = arena_alloc(a, sizeof(struct port));
	s->ports[0] = (struct port){ .target = 80, .published = "8080", .protocol = PROTO_TCP };
	s->n_ports = 1;
	s->volumes = arena_alloc(a, sizeof(struct mount));
	s->volumes[0] = (struct mount){ .type = MOUNT_BIND, .source = "/srv/data", .target = "/data",
					.read_only = true, .has_bind = true };
	s->volumes[0].bind.create_host_path = TRI_TRUE;
	s->volumes[0].tmpfs.size = s->volumes[0].tmpfs.mode = IR_UNSET;
	s->n_volumes = 1;
	add_dep(a, s, "db", 1);
	s->depends_on[0].condition = DEP_HEALTHY;
	s->networks = arena_alloc(a, sizeof(struct service_network));
	s->networks[0] = (struct service_network){ .name = "default", .priority = IR_UNSET, .gw_priority = IR_UNSET };
	s->n_networks = 1;
	s->healthcheck.present = true;
	s->healthcheck.test_kind = HC_TEST_CMD_SHELL;
	s->healthcheck.test_args = strs(a, 1, "curl -f http://localhost");
	s->healthcheck.interval = 30 * IR_USEC_PER_SEC;
	s->healthcheck.retries = 3;
	s->restart = RESTART_ON_FAILURE;
	s->restart_max_retries = 3;
	s->stop_grace_period = 90 * IR_USEC_PER_SEC;
	s->mem_limit = 52428800;
	s->cpus = 0.5;
	s->secrets = arena_alloc(a, sizeof(struct file_ref));
	s->secrets[0] = (struct file_ref){ .source = "token", .mode = 0440 };
	s->n_secrets = 1;
	s->extensions = gen_map1(a, "x-foo", gen_str(a, "bar"));
}

static void db_fill(struct arena *a, struct service *s)
{
	s->image = "postgres:16";
	s->entrypoint = (struct command){ .kind = CMD_EXEC };
	s->tty = TRI_TRUE;
	s->deploy.present = true;
	s->deploy.replicas = 2;
	s->deploy.restart_policy.present = true;
	s->deploy.restart_policy.condition = RCOND_ON_FAILURE;
	s->deploy.restart_policy.delay = 5 * IR_USEC_PER_SEC;
	s->deploy.restart_policy.max_attempts = 3;
	s->ulimits = arena_alloc(a, 2 * sizeof(struct ulimit));
	s->ulimits[0] = (struct ulimit){ .name = "nofile", .soft = 20000, .hard = 40000 };
	s->ulimits[1] = (struct ulimit){ .name = "nproc", .soft = 65535, .hard = 65535, .single = true };
	s->n_ulimits = 2;
	s->extra = gen_map1(a, "gpus", gen_str(a, "all"));
}

static struct resource **res1(struct arena *a, enum resource_kind k, const char *key, const char *name)
{
	struct resource **v = arena_alloc(a, sizeof(*v));
	v[0] = arena_alloc(a, sizeof(**v));
	v[0]->kind = k;
	v[0]->key = key;
	v[0]->name = name;
	return v;
}

static void demo_project(struct project *p, struct arena *a)
{
	static const char *const names[] = { "db", "web" };
	project_build(p, a, names, 2);
	db_fill(a, p->services[0]);
	web_fill(a, p->services[1]);
	p->disabled = arena_alloc(a, sizeof(*p->disabled));
	p->disabled[0] = svc_new(a, "off");
	p->n_disabled = 1;
	p->res[RES_NETWORK] = res1(a, RES_NETWORK, "default", "demo_default");
	p->res[RES_VOLUME] = res1(a, RES_VOLUME, "data", "demo_data");
	p->res[RES_SECRET] = res1(a, RES_SECRET, "token", "demo_token");
	p->res[RES_SECRET][0]->file = "/abs/token";
	p->res[RES_SECRET][0]->content = "s3cret";
	p->res[RES_CONFIG] = res1(a, RES_CONFIG, "cfg", "demo_cfg");
	p->res[RES_CONFIG][0]->content = "hello $x";
	p->res[RES_CONFIG][0]->external = true;
	for (int k = 0; k < RES__MAX; k++)
		p->n_res[k] = 1;
	p->extensions = gen_map1(a, "x-top", gen_map1(a, "a$", gen_str(a, "1")));
}

static const char demo_yaml[] =
	"name: demo\n"
	"services:\n"
	"  db:\n"
	"    deploy:\n"
	"      replicas: 2\n"
	"      restart_policy:\n"
	"        condition: on-failure\n"
	"        delay: 5s\n"
	"        max_attempts: 3\n"
	"    entrypoint: []\n"
	"    gpus: all\n"
	"    image: postgres:16\n"
	"    tty: true\n"
	"    ulimits:\n"
	"      nofile:\n"
	"        hard: 40000\n"
	"        soft: 20000\n"
	"      nproc: 65535\n"
	"  web:\n"
	"    command:\n"
	"      - nginx\n"
	"      - \"-g\"\n"
	"      - daemon off;\n"
	"    cpus: 0.5\n"
	"    depends_on:\n"
	"      db:\n"
	"        condition: service_healthy\n"
	"        required: true\n"
	"    environment:\n"
	"      A: x$$y\n"
	"      B: null\n"
	"    healthcheck:\n"
	"      interval: 30s\n"
	"      retries: 3\n"
	"      test:\n"
	"        - CMD-SHELL\n"
	"        - curl -f http://localhost\n"
	"    image: nginx:1.25\n"
	"    labels:\n"
	"      com.example: \"1\"\n"
	"    mem_limit: \"52428800\"\n"
	"    networks:\n"
	"      default: null\n"
	"    ports:\n"
	"      - mode: ingress\n"
	"        protocol: tcp\n"
	"        published: \"8080\"\n"
	"        target: 80\n"
	"    restart: on-failure:3\n"
	"    secrets:\n"
	"      - mode: \"0440\"\n"
	"        source: token\n"
	"    stop_grace_period: 1m30s\n"
	"    volumes:\n"
	"      - bind:\n"
	"          create_host_path: true\n"
	"        read_only: true\n"
	"        source: /srv/data\n"
	"        target: /data\n"
	"        type: bind\n"
	"    x-foo: bar\n"
	"networks:\n"
	"  default:\n"
	"    name: demo_default\n"
	"volumes:\n"
	"  data:\n"
	"    name: demo_data\n"
	"secrets:\n"
	"  token:\n"
	"    file: /abs/token\n"
	"    name: demo_token\n"
	"configs:\n"
	"  cfg:\n"
	"    content: hello $$x\n"
	"    external: true\n"
	"    name: demo_cfg\n"
	"x-top:\n"
	"  a$$: \"1\"\n";

static void test_dump_yaml(void **state)
{
	struct fx *f = *state;
	struct project p;
	demo_project(&p, &f->a);
	dump_config(&p, DUMP_YAML, &f->sb);
	assert_string_equal(f->sb.buf, demo_yaml);
}

static const char demo_json[] =
	"{\n"
	"  \"name\": \"demo\",\n"
	"  \"services\": {\n"
	"    \"db\": {\n"
	"      \"command\": null,\n"
	"      \"deploy\": {\n"
	"        \"replicas\": 2,\n"
	"        \"restart_policy\": {\n"
	"          \"condition\": \"on-failure\",\n"
	"          \"delay\": \"5s\",\n"
	"          \"max_attempts\": 3\n"
	"        }\n"
	"      },\n"
	"      \"entrypoint\": [],\n"
	"      \"gpus\": \"all\",\n"
	"      \"image\": \"postgres:16\",\n"
	"      \"tty\": true,\n"
	"      \"ulimits\": {\n"
	"        \"nofile\": {\n"
	"          \"hard\": 40000,\n"
	"          \"soft\": 20000\n"
	"        },\n"
	"        \"nproc\": 65535\n"
	"      }\n"
	"    },\n"
	"    \"web\": {\n"
	"      \"command\": [\n"
	"        \"nginx\",\n"
	"        \"-g\",\n"
	"        \"daemon off;\"\n"
	"      ],\n"
	"      \"cpus\": 0.5,\n"
	"      \"depends_on\": {\n"
	"        \"db\": {\n"
	"          \"condition\": \"service_healthy\",\n"
	"          \"required\": true\n"
	"        }\n"
	"      },\n"
	"      \"entrypoint\": null,\n"
	"      \"environment\": {\n"
	"        \"A\": \"x$$y\",\n"
	"        \"B\": null\n"
	"      },\n"
	"      \"healthcheck\": {\n"
	"        \"interval\": \"30s\",\n"
	"        \"retries\": 3,\n"
	"        \"test\": [\n"
	"          \"CMD-SHELL\",\n"
	"          \"curl -f http://localhost\"\n"
	"        ]\n"
	"      },\n"
	"      \"image\": \"nginx:1.25\",\n"
	"      \"labels\": {\n"
	"        \"com.example\": \"1\"\n"
	"      },\n"
	"      \"mem_limit\": \"52428800\",\n"
	"      \"networks\": {\n"
	"        \"default\": null\n"
	"      },\n"
	"      \"ports\": [\n"
	"        {\n"
	"          \"mode\": \"ingress\",\n"
	"          \"protocol\": \"tcp\",\n"
	"          \"published\": \"8080\",\n"
	"          \"target\": 80\n"
	"        }\n"
	"      ],\n"
	"      \"restart\": \"on-failure:3\",\n"
	"      \"secrets\": [\n"
	"        {\n"
	"          \"mode\": \"0440\",\n"
	"          \"source\": \"token\"\n"
	"        }\n"
	"      ],\n"
	"      \"stop_grace_period\": \"1m30s\",\n"
	"      \"volumes\": [\n"
	"        {\n"
	"          \"bind\": {\n"
	"            \"create_host_path\": true\n"
	"          },\n"
	"          \"read_only\": true,\n"
	"          \"source\": \"/srv/data\",\n"
	"          \"target\": \"/data\",\n"
	"          \"type\": \"bind\"\n"
	"        }\n"
	"      ],\n"
	"      \"x-foo\": \"bar\"\n"
	"    }\n"
	"  },\n"
	"  \"networks\": {\n"
	"    \"default\": {\n"
	"      \"name\": \"demo_default\"\n"
	"    }\n"
	"  },\n"
	"  \"volumes\": {\n"
	"    \"data\": {\n"
	"      \"name\": \"demo_data\"\n"
	"    }\n"
	"  },\n"
	"  \"secrets\": {\n"
	"    \"token\": {\n"
	"      \"file\": \"/abs/token\",\n"
	"      \"name\": \"demo_token\"\n"
	"    }\n"
	"  },\n"
	"  \"configs\": {\n"
	"    \"cfg\": {\n"
	"      \"content\": \"hello $$x\",\n"
	"      \"external\": true,\n"
	"      \"name\": \"demo_cfg\"\n"
	"    }\n"
	"  },\n"
	"  \"x-top\": {\n"
	"    \"a$$\": \"1\"\n"
	"  }\n"
	"}\n";

static void test_dump_json(void **state)
{
	struct fx *f = *state;
	struct project p;
	demo_project(&p, &f->a);
	dump_config(&p, DUMP_JSON, &f->sb);
	assert_string_equal(f->sb.buf, demo_json);
}

/* A service with a tmpfs mount, a pre_start hook and deploy resources,
 * part of them typed and part generic. */
static void job_fill(struct arena *a, struct service *s)
{
	s->volumes = arena_alloc(a, sizeof(struct mount));
	s->volumes[0] = (struct mount){ .type = MOUNT_TMPFS, .target = "/run" };
	s->volumes[0].tmpfs.size = 65536;
	s->volumes[0].tmpfs.mode = IR_UNSET;
	s->volumes[0].bind.create_host_path = TRI_FALSE;
	s->n_volumes = 1;
	s->pre_start = arena_alloc(a, sizeof(struct hook));
	s->pre_start[0] = (struct hook){ .command = { .kind = CMD_SHELL, .shell = "echo $X",
						      .argv = strs(a, 2, "echo", "$X") },
					 .image = "alpine", .image_inherited = true, .per_replica = TRI_FALSE };
	s->n_pre_start = 1;
	s->deploy.present = true;
	s->deploy.has_mode = true;
	s->deploy.mode = DEPLOY_GLOBAL;
	s->deploy.limits.memory = 1024;
	s->deploy.limits.cpus = 1.5;
	s->deploy.extra = gen_map1(a, "resources", gen_map1(a, "reservations",
							    gen_map1(a, "generic", gen_str(a, "gpu"))));
}

static void test_dump_details(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "job" };
	struct project p;
	project_build(&p, &f->a, names, 1);
	p.name = NULL;
	job_fill(&f->a, p.services[0]);
	dump_config(&p, DUMP_YAML, &f->sb);
	assert_string_equal(f->sb.buf,
			    "services:\n"
			    "  job:\n"
			    "    deploy:\n"
			    "      mode: global\n"
			    "      resources:\n"
			    "        limits:\n"
			    "          cpus: 1.5\n"
			    "          memory: \"1024\"\n"
			    "        reservations:\n"
			    "          generic: gpu\n"
			    "    pre_start:\n"
			    "      - command:\n"
			    "          - echo\n"
			    "          - $$X\n"
			    "        image: alpine\n"
			    "        per_replica: false\n"
			    "    volumes:\n"
			    "      - bind:\n"
			    "          create_host_path: false\n"
			    "        target: /run\n"
			    "        tmpfs:\n"
			    "          size: \"65536\"\n"
			    "        type: tmpfs\n");
}

static void test_dump_empty(void **state)
{
	struct fx *f = *state;
	struct project p;
	project_build(&p, &f->a, NULL, 0);
	p.name = NULL;
	dump_config(&p, DUMP_YAML, &f->sb);
	assert_string_equal(f->sb.buf, "services: {}\n");
	sb_reset(&f->sb);
	dump_config(&p, DUMP_JSON, &f->sb);
	assert_string_equal(f->sb.buf, "{\n  \"services\": {}\n}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_kvlist_get),
		cmocka_unit_test_setup_teardown(test_project_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_diamond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_ties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_cycles_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapers, setup, teardown),
		cmocka_unit_test(test_yaml_plain),
		cmocka_unit_test_setup_teardown(test_emit_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_roots, setup, teardown),
		cmocka_unit_test(test_emit_float),
		cmocka_unit_test_setup_teardown(test_dump_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_empty, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
