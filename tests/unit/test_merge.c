/*
 * test_merge.c - merge rules as (base, override, expected) triples, in
 * the manner of compose-go's assertMergeYaml cases and the spec's merge
 * section: mappings merge, sequences append, replaced keys, unique keys,
 * !reset and !override.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/merge.h"
#include "frontend/yaml.h"

static struct node *parse1(struct arena *a, struct diag *d, const char *text)
{
	struct ptrvec docs = { 0 };
	assert_int_equal(yaml_parse(a, d, "t.yaml", text, strlen(text), NULL, &docs), 0);
	return docs.v[0];
}

/* Structural equality; mapping order is ignored, sequence order is not. */
static bool node_equal(const struct node *x, const struct node *y)
{
	if (node_is_null(x) || node_is_null(y))
		return node_is_null(x) && node_is_null(y);
	if (x->kind != y->kind)
		return false;
	if (x->kind == NODE_SCALAR)
		return strcmp(x->scalar.text, y->scalar.text) == 0;
	if (x->kind == NODE_SEQ) {
		if (x->seq.n != y->seq.n)
			return false;
		for (size_t i = 0; i < x->seq.n; i++)
			if (!node_equal(x->seq.items[i], y->seq.items[i]))
				return false;
		return true;
	}
	if (x->map.n != y->map.n)
		return false;
	for (size_t i = 0; i < x->map.n; i++) {
		struct node_pair *p = node_map_find(y, x->map.pairs[i].key->scalar.text);
		if (!p || !node_equal(x->map.pairs[i].value, p->value))
			return false;
	}
	return true;
}

static void assert_merge(const char *base, const char *over, const char *expected)
{
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	struct node *r = merge_trees(&a, &d, parse1(&a, &d, base), parse1(&a, &d, over), NULL, 0);
	struct node *e = parse1(&a, &d, expected);
	assert_int_equal(d.errors, 0);
	if (!node_equal(r, e))
		fail_msg("merge of\n%s\nwith\n%s\ndid not give\n%s", base, over, expected);
	diag_release(&d);
	arena_release(&a);
}

static void test_mappings_merge_scalars_replace(void **state)
{
	(void)state;
	assert_merge("services: {web: {image: a, user: u}}", "services: {web: {image: b, tty: true}, db: {image: p}}",
		     "services: {web: {image: b, user: u, tty: true}, db: {image: p}}");
	/* a null override keeps the base */
	assert_merge("services: {web: {image: a}}", "services: {web: {image: }}", "services: {web: {image: a}}");
}

static void test_sequences_append(void **state)
{
	(void)state;
	assert_merge("services: {web: {security_opt: [a]}}", "services: {web: {security_opt: [b, a]}}",
		     "services: {web: {security_opt: [a, b, a]}}");
}

static void test_replaced_keys(void **state)
{
	(void)state;
	assert_merge("services: {web: {command: [a, b], entrypoint: x, healthcheck: {test: [CMD, a], retries: 3}}}",
		     "services: {web: {command: [c], entrypoint: [y], healthcheck: {test: [CMD, b]}}}",
		     "services: {web: {command: [c], entrypoint: [y], healthcheck: {test: [CMD, b], retries: 3}}}");
	assert_merge("services: {web: {ulimits: {nofile: {soft: 1, hard: 2}}}}",
		     "services: {web: {ulimits: {nofile: {soft: 5}}}}",
		     "services: {web: {ulimits: {nofile: {soft: 5}}}}");
}

static void test_environment_by_key(void **state)
{
	(void)state;
	assert_merge("services: {web: {environment: {A: '1', B: '2'}}}",
		     "services: {web: {environment: ['B=3', 'C=4', 'D']}}",
		     "services: {web: {environment: {A: '1', B: '3', C: '4', D: }}}");
	assert_merge("services: {web: {labels: ['a=1']}}", "services: {web: {labels: {a: '2'}}}",
		     "services: {web: {labels: {a: '2'}}}");
}

static void test_unique_keys(void **state)
{
	(void)state;
	/* ports: same spec once */
	assert_merge("services: {web: {ports: ['8080:80', '443:443']}}", "services: {web: {ports: ['8080:80', '9:9']}}",
		     "services: {web: {ports: ['8080:80', '443:443', '9:9']}}");
	/* volumes by target: later entry takes the earlier place */
	assert_merge("services: {web: {volumes: ['./a:/data', 'v:/x']}}",
		     "services: {web: {volumes: [{type: bind, source: ./b, target: /data}]}}",
		     "services: {web: {volumes: [{type: bind, source: ./b, target: /data}, 'v:/x']}}");
	/* secrets by target */
	assert_merge("services: {web: {secrets: [s1, {source: s2, target: /t}]}}",
		     "services: {web: {secrets: [{source: s1, target: /run/secrets/s1, mode: 0400}]}}",
		     "services: {web: {secrets: [{source: s1, target: /run/secrets/s1, mode: 0400}, {source: s2, target: /t}]}}");
	/* cap_add by value, dns by value */
	assert_merge("services: {web: {cap_add: [NET_ADMIN], dns: [1.1.1.1]}}",
		     "services: {web: {cap_add: [NET_ADMIN, SYS_TIME], dns: [1.1.1.1, 8.8.8.8]}}",
		     "services: {web: {cap_add: [NET_ADMIN, SYS_TIME], dns: [1.1.1.1, 8.8.8.8]}}");
}

/* Every attribute with a rule of its own is recognised, whatever letter
 * it starts with (merge.c looks the names up in a sorted table): each is
 * merged by its rule, where a plain list would append. */
static void test_every_named_attribute(void **state)
{
	(void)state;
	static const char *const by_value[] = { "cap_add", "cap_drop", "dns", "dns_opt", "dns_search", "expose",
						"label_file", "links", "profiles", "tmpfs", "extra_hosts", "env_file",
						"ports", "secrets", "configs" };
	char base[160], over[160], want[160];
	for (size_t i = 0; i < sizeof(by_value) / sizeof(by_value[0]); i++) {
		snprintf(base, sizeof(base), "services: {web: {%s: [a, b]}}", by_value[i]);
		snprintf(over, sizeof(over), "services: {web: {%s: [b, c]}}", by_value[i]);
		snprintf(want, sizeof(want), "services: {web: {%s: [a, b, c]}}", by_value[i]);
		assert_merge(base, over, want);
	}
	static const char *const kv[] = { "annotations", "environment", "labels", "sysctls" };
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		snprintf(base, sizeof(base), "services: {web: {%s: ['a=1', 'b=2']}}", kv[i]);
		snprintf(over, sizeof(over), "services: {web: {%s: ['a=3']}}", kv[i]);
		snprintf(want, sizeof(want), "services: {web: {%s: {a: '3', b: '2'}}}", kv[i]);
		assert_merge(base, over, want);
	}
	static const char *const names[] = { "depends_on", "models", "networks" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(base, sizeof(base), "services: {web: {%s: [a, b]}}", names[i]);
		snprintf(over, sizeof(over), "services: {web: {%s: [b, c]}}", names[i]);
		snprintf(want, sizeof(want), "services: {web: {%s: {a: , b: , c: }}}", names[i]);
		assert_merge(base, over, want);
	}
	assert_merge("services: {web: {volumes: ['./a:/x']}}", "services: {web: {volumes: ['./b:/x']}}",
		     "services: {web: {volumes: ['./b:/x']}}");
	assert_merge("services: {web: {devices: ['/dev/a:/dev/x']}}", "services: {web: {devices: ['/dev/b:/dev/x']}}",
		     "services: {web: {devices: ['/dev/b:/dev/x']}}");
	assert_merge("services: {web: {entrypoint: [a, b]}}", "services: {web: {entrypoint: [c]}}",
		     "services: {web: {entrypoint: [c]}}");
	assert_merge("services: {web: {healthcheck: {test: [CMD, a]}}}", "services: {web: {healthcheck: {test: [CMD, b]}}}",
		     "services: {web: {healthcheck: {test: [CMD, b]}}}");
	assert_merge("services: {web: {deploy: {labels: ['a=1']}}}", "services: {web: {deploy: {labels: ['a=2']}}}",
		     "services: {web: {deploy: {labels: {a: '2'}}}}");
	/* not a service: a plain list appends */
	assert_merge("x-services: {web: {dns: [a]}}", "x-services: {web: {dns: [a]}}", "x-services: {web: {dns: [a, a]}}");
}

static void test_short_forms_merge_as_maps(void **state)
{
	(void)state;
	assert_merge("services: {web: {depends_on: [db]}}",
		     "services: {web: {depends_on: {cache: {condition: service_healthy}}}}",
		     "services: {web: {depends_on: {db: , cache: {condition: service_healthy}}}}");
	assert_merge("services: {web: {networks: [front]}}", "services: {web: {networks: {back: {aliases: [x]}}}}",
		     "services: {web: {networks: {front: , back: {aliases: [x]}}}}");
	assert_merge("services: {web: {build: ./dir}}", "services: {web: {build: {dockerfile: D}}}",
		     "services: {web: {build: {context: ./dir, dockerfile: D}}}");
}

static void test_logging(void **state)
{
	(void)state;
	assert_merge("services: {web: {logging: {driver: json-file, options: {a: '1'}}}}",
		     "services: {web: {logging: {options: {b: '2'}}}}",
		     "services: {web: {logging: {driver: json-file, options: {a: '1', b: '2'}}}}");
	assert_merge("services: {web: {logging: {driver: json-file, options: {a: '1'}}}}",
		     "services: {web: {logging: {driver: syslog, options: {b: '2'}}}}",
		     "services: {web: {logging: {driver: syslog, options: {b: '2'}}}}");
}

static void test_reset_and_override(void **state)
{
	(void)state;
	assert_merge("services: {web: {image: a, ports: ['80:80'], environment: {A: '1'}}}",
		     "services: {web: {ports: !reset [], environment: !override {B: '2'}}}",
		     "services: {web: {image: a, environment: {B: '2'}}}");
	/* !reset with nothing to reset, and in the first file */
	assert_merge("services: {}", "services: {web: {image: a, build: !reset null}}",
		     "services: {web: {image: a}}");
	assert_merge("services: {web: {command: [a]}}", "services: {web: !override {image: b}}",
		     "services: {web: {image: b}}");
}

static void test_type_mismatch_is_an_error(void **state)
{
	(void)state;
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	merge_trees(&a, &d, parse1(&a, &d, "services: {web: {tmpfs: {a: 1}}}"),
		    parse1(&a, &d, "services: {web: {tmpfs: x}}"), NULL, 0);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.out.buf, "cannot override \"services.web.tmpfs\""));
	diag_release(&d);
	arena_release(&a);
}

static void test_prefix_for_extends(void **state)
{
	(void)state;
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	const char *prefix[] = { "services", "web" };
	struct node *r = merge_trees(&a, &d, parse1(&a, &d, "{command: [a], ports: ['1:1']}"),
				     parse1(&a, &d, "{command: [b], ports: ['2:2']}"), prefix, 2);
	assert_true(node_equal(r, parse1(&a, &d, "{command: [b], ports: ['1:1', '2:2']}")));
	diag_release(&d);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mappings_merge_scalars_replace),
		cmocka_unit_test(test_sequences_append),
		cmocka_unit_test(test_replaced_keys),
		cmocka_unit_test(test_environment_by_key),
		cmocka_unit_test(test_unique_keys),
		cmocka_unit_test(test_every_named_attribute),
		cmocka_unit_test(test_short_forms_merge_as_maps),
		cmocka_unit_test(test_logging),
		cmocka_unit_test(test_reset_and_override),
		cmocka_unit_test(test_type_mismatch_is_an_error),
		cmocka_unit_test(test_prefix_for_extends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
