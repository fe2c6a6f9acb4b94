/*
 * test_decide.c - the plan layer (plan/plan.c): what it decides for every
 * target, on compose files read by the real frontend.  Each expectation is
 * what docker compose 2.40 gives the engine for the same file (its
 * create.go, and what test_reference_created.sh observes on a Docker
 * Engine).
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

#include "frontend/load.h"
#include "plan/plan.h"

struct fx {
	struct arena a;
	struct diag d;
	struct project *p;
	struct plan pl;
	char tmpdir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	strcpy(f->tmpdir, "/tmp/test_decide.XXXXXX");
	assert_non_null(mkdtemp(f->tmpdir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unlink(arena_printf(&f->a, "%s/compose.yaml", f->tmpdir));
	rmdir(f->tmpdir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Load yaml as project "p" and build its plan for one host; returns
 * plan_build's result. */
static int decide(struct fx *f, const char *yaml)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char *path = arena_printf(&f->a, "%s/compose.yaml", f->tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(yaml, fp);
	fclose(fp);
	struct load_options lo = { .environ = env, .cwd = f->tmpdir, .project_name = "p" };
	strvec_push(&lo.files, &f->a, path);
	f->p = load_project(&f->a, &f->d, &lo);
	if (!f->p)
		fail_msg("load failed:\n%s", f->d.out.buf);
	struct plan_options o = { .engine = ENGINE_DOCKER, .engine_version = PLAN_DOCKER_VERSION_DEFAULT, .one_host = true };
	return plan_build(&f->a, &f->d, f->p, &o, &f->pl);
}

static const struct plan_service *svc(struct fx *f, const char *name)
{
	const struct service *s = project_service(f->p, name);
	assert_non_null(s);
	return plan_service(&f->pl, s);
}

/* The restart word the engine gets, "" for none, with :N for a count. */
static const char *restart(struct fx *f, const char *name)
{
	const struct plan_restart *r = &svc(f, name)->restart;
	const char *w = plan_restart_word(r);
	if (!w)
		return "";
	if (r->max_retries != IR_UNSET && r->max_retries != 0)
		return arena_printf(&f->a, "%s:%lld", w, (long long)r->max_retries);
	return w;
}

/* docker compose's getRestartPolicy: deploy.restart_policy replaces
 * restart as a whole; its absent condition is no policy (the spec's text
 * says any); none/no, any/always map; another word passes through. */
static void test_restart_policy(void **state)
{
	struct fx *f = *state;
	assert_int_equal(decide(f, "services:\n"
				   "  unset: {image: x}\n"
				   "  always: {image: x, restart: always}\n"
				   "  onfail3: {image: x, restart: \"on-failure:3\"}\n"
				   "  delay:\n"
				   "    image: x\n"
				   "    deploy: {restart_policy: {delay: 5s}}\n"
				   "  over:\n"
				   "    image: x\n"
				   "    restart: always\n"
				   "    deploy: {restart_policy: {condition: on-failure, max_attempts: 2}}\n"
				   "  overnone:\n"
				   "    image: x\n"
				   "    restart: always\n"
				   "    deploy: {restart_policy: {window: 1m}}\n"
				   "  any: {image: x, deploy: {restart_policy: {condition: any}}}\n"
				   "  none: {image: x, deploy: {restart_policy: {condition: none}}}\n"
				   "  typo: {image: x, deploy: {restart_policy: {condition: on-falure}}}\n"),
			 0);
	assert_string_equal(restart(f, "unset"), "");
	assert_string_equal(restart(f, "always"), "always");
	assert_string_equal(restart(f, "onfail3"), "on-failure:3");
	assert_string_equal(restart(f, "delay"), "");
	assert_string_equal(restart(f, "over"), "on-failure:2");
	assert_string_equal(restart(f, "overnone"), "");
	assert_string_equal(restart(f, "any"), "always");
	assert_string_equal(restart(f, "none"), "no");
	assert_string_equal(restart(f, "typo"), "on-falure");
}

/* The engine refuses a retry count beside any policy but on-failure:
 * docker compose up fails at create; the plan says so for one host. */
static void test_restart_count_refused(void **state)
{
	struct fx *f = *state;
	assert_int_equal(decide(f, "services:\n"
				   "  w:\n"
				   "    image: x\n"
				   "    deploy: {restart_policy: {condition: any, max_attempts: 3}}\n"),
			 -1);
	assert_non_null(strstr(f->d.out.buf, "compose.yaml:4:14: error: service \"w\": a maximum number of restarts "
					     "goes with on-failure only"));
}

/* A fixed published port shared by replicas cannot run on one host; a
 * range (a port per replica) can. */
static void test_replica_port_one_host(void **state)
{
	struct fx *f = *state;
	assert_int_equal(decide(f, "services:\n"
				   "  web:\n"
				   "    image: x\n"
				   "    ports: [\"8080:80\", \"9000-9010:90\"]\n"
				   "    deploy:\n"
				   "      replicas: 3\n"
				   "  one:\n"
				   "    image: x\n"
				   "    ports: [\"8081:80\"]\n"),
			 -1);
	assert_non_null(strstr(f->d.out.buf, "service \"web\": published port 8080 cannot be shared by 3 replicas "
					     "on one host"));
	assert_int_equal(f->d.errors, 1);
}

/* compose's labels: what `docker compose -p P ps|logs|down` select by. */
static void test_labels(void **state)
{
	struct fx *f = *state;
	assert_int_equal(decide(f, "services:\n"
				   "  db: {image: x}\n"
				   "  app:\n"
				   "    image: x\n"
				   "    links: [db]\n"
				   "    depends_on: {cache: {condition: service_healthy, restart: true}}\n"
				   "  cache: {image: x}\n"),
			 0);
	struct kvlist l = plan_container_labels(&f->a, &f->pl, project_service(f->p, "app"), 2);
	const char *want[][2] = {
		{ LABEL_NUMBER, "2" },
		{ LABEL_DEPENDS_ON, "cache:service_healthy:true,db:service_started:true" },
		{ LABEL_ONEOFF, "False" },
		{ LABEL_PROJECT, "p" },
		{ LABEL_CONFIG_FILES, arena_printf(&f->a, "%s/compose.yaml", f->tmpdir) },
		{ LABEL_WORKING_DIR, f->tmpdir },
		{ LABEL_SERVICE, "app" },
	};
	assert_int_equal(l.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.v[i].key, want[i][0]);
		assert_string_equal(l.v[i].value, want[i][1]);
	}
}

/* Namespace, volumes_from and links references, typed once: a service is
 * its first container, a disabled one by the name compose would give it. */
static void test_references(void **state)
{
	struct fx *f = *state;
	assert_int_equal(decide(f, "services:\n"
				   "  vpn: {image: x}\n"
				   "  db: {image: x, container_name: the-db}\n"
				   "  off: {image: x, profiles: [debug]}\n"
				   "  app:\n"
				   "    image: x\n"
				   "    network_mode: service:vpn\n"
				   "    ipc: host\n"
				   "    links: [\"db:database\"]\n"
				   "    volumes_from: [\"db:ro\", \"container:legacy:rw\", \"service:vpn\"]\n"
				   "    depends_on: {off: {condition: service_started, required: false}}\n"),
			 0);
	struct arena *a = &f->a;
	struct plan_ref r = plan_ref(a, f->p, "service:vpn", REF_NAMESPACE);
	assert_int_equal(r.kind, REF_SERVICE);
	assert_string_equal(plan_ref_namespace(a, &r), "container:p-vpn-1");
	r = plan_ref(a, f->p, "host", REF_NAMESPACE);
	assert_string_equal(plan_ref_namespace(a, &r), "host");
	r = plan_ref(a, f->p, "container:abc", REF_NAMESPACE);
	assert_int_equal(r.kind, REF_CONTAINER);
	assert_string_equal(plan_ref_namespace(a, &r), "container:abc");
	r = plan_ref(a, f->p, "db:ro", REF_VOLUMES_FROM);
	assert_string_equal(r.container, "the-db");
	assert_string_equal(r.rest, ":ro");
	r = plan_ref(a, f->p, "container:legacy:rw", REF_VOLUMES_FROM);
	assert_string_equal(r.container, "legacy");
	assert_string_equal(r.rest, ":rw");
	r = plan_ref(a, f->p, "db:database", REF_LINK);
	assert_string_equal(r.container, "the-db");
	assert_string_equal(r.rest, ":database");
	r = plan_ref(a, f->p, "service:off", REF_NAMESPACE);
	assert_string_equal(plan_ref_namespace(a, &r), "container:p-off-1");
}

/* Image references as docker resolves a short one, for a podman that cannot
 * ask (Quadlet units): one component is library/, a path without a
 * registry is docker.io's, a registry (a '.' or ':' in the first
 * component, or localhost) is kept. */
static void test_image_qualified(void **state)
{
	struct fx *f = *state;
	static const char *const cases[][2] = {
		{ "busybox", "docker.io/library/busybox" },
		{ "busybox:1.36", "docker.io/library/busybox:1.36" },
		{ "img@sha256:0123", "docker.io/library/img@sha256:0123" },
		{ "org/app:2", "docker.io/org/app:2" },
		{ "library/x", "docker.io/library/x" },
		{ "localhostx/y", "docker.io/localhostx/y" },
		{ "ghcr.io/a/b:1", "ghcr.io/a/b:1" },
		{ "localhost/x", "localhost/x" },
		{ "localhost:5000/x", "localhost:5000/x" },
		{ "registry:5000/x", "registry:5000/x" },
		{ "docker.io/library/busybox", "docker.io/library/busybox" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(plan_image_qualified(&f->a, cases[i][0]), cases[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_restart_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_count_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replica_port_one_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_references, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_qualified, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
