/*
 * test_runtime.c - composec-run's parts, compiled from runtime/ into this
 * test: the plan reader (fields, errors with their paths, the escaping of
 * what YAML refuses raw), a round trip from a compose file through the plan
 * backend and back with every hostile byte kept, the scheduler's decisions
 * (rt_verdict, rt_stop_verdict, rt_needs), the state file, and running
 * commands (exit statuses, the output tail, stdin, the passing on of
 * SIGTERM).  The whole runtime against a fake engine and a real podman is
 * in tests/cli/test_runtime_*.sh.
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

#include "backends/backend.h"
#include "frontend/load.h"
#include "runtime/runtime.h"

extern const struct backend backend_plan;

static const char minimal[] =
	"{\"composec_plan\": 1, \"project\": \"t\", \"engine\": \"docker\",\n"
	" \"resources\": [{\"kind\": \"network\", \"key\": \"default\", \"name\": \"t_default\",\n"
	"   \"external\": true, \"exists\": [\"docker\", \"network\", \"inspect\", \"t_default\"],\n"
	"   \"create\": [\"docker\", \"network\", \"create\", \"t_default\"], \"remove\": null}],\n"
	" \"services\": [\n"
	"  {\"name\": \"a\", \"definition\": \"d1\", \"depends_on\": [], \"build\": null, \"pre_start\": [],\n"
	"   \"containers\": [{\"name\": \"t-a\", \"status\": [\"st\"], \"create\": [\"cr\", \"x y\"],\n"
	"     \"pre_start\": [{\"label\": \"pre_start 1\", \"hash\": \"h1\", \"argv\": [\"step\"]}],\n"
	"     \"start\": [\"s\"], \"post_start\": [[\"p1\"], [\"p2\", \"\"]],\n"
	"     \"health\": {\"argv\": [\"hc\"], \"check\": \"exit_status\", \"interval_ms\": 2000,\n"
	"       \"timeout_ms\": 1000, \"retries\": 3, \"start_period_ms\": 0, \"poll_ms\": 500,\n"
	"       \"deadline_ms\": 69000},\n"
	"     \"completion\": [\"w\"], \"pre_stop\": [], \"stop\": [\"sp\"], \"remove\": [\"rm\"]}]},\n"
	"  {\"name\": \"b\", \"definition\": \"d2\",\n"
	"   \"depends_on\": [{\"service\": \"a\", \"condition\": \"service_healthy\", \"required\": true}],\n"
	"   \"build\": {\"image\": \"t-b\", \"exists\": [\"ie\"], \"argv\": [\"bd\"], \"stdin\": \"FROM x\\n\"},\n"
	"   \"pre_start\": [], \"containers\": []}]}\n";

struct fx {
	struct arena a;
	struct strbuf err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	sb_init(&f->err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sb_release(&f->err);
	arena_release(&f->a);
	free(f);
	return 0;
}

static struct rt_plan parse_ok(struct fx *f, const char *text)
{
	struct rt_plan p;
	if (rt_plan_parse(&f->a, text, strlen(text), &p, &f->err) != 0)
		fail_msg("parse failed: %s", f->err.buf);
	return p;
}

static void parse_fails(struct fx *f, const char *text, const char *msg)
{
	struct rt_plan p;
	sb_reset(&f->err);
	assert_int_equal(rt_plan_parse(&f->a, text, strlen(text), &p, &f->err), -1);
	assert_string_equal(f->err.buf, msg);
}

/* minimal with one substring replaced */
static const char *variant(struct fx *f, const char *from, const char *to)
{
	const char *at = strstr(minimal, from);
	assert_non_null(at);
	return arena_printf(&f->a, "%.*s%s%s", (int)(at - minimal), minimal, to, at + strlen(from));
}

/* ---- the reader -------------------------------------------------------------------- */

static void test_parse_fields(void **state)
{
	struct fx *f = *state;
	struct rt_plan p = parse_ok(f, minimal);
	assert_string_equal(p.project, "t");
	assert_string_equal(p.engine, "docker");
	assert_int_equal(p.n_res, 1);
	assert_string_equal(p.res[0].create.v[2], "create");
	assert_null(p.res[0].remove.v);
	assert_int_equal(p.n_svc, 2);
	const struct rt_container *c = &p.svc[0].containers[0];
	assert_int_equal(c->create.n, 2);
	assert_string_equal(c->create.v[1], "x y");
	assert_null(c->create.v[2]);
	assert_string_equal(c->pre_start.v[0].hash, "h1");
	assert_int_equal(c->post_start.n, 2);
	assert_string_equal(c->post_start.v[1].v[1], "");
	assert_true(c->health.present);
	assert_int_equal(c->health.check, RT_CHECK_EXIT_STATUS);
	assert_int_equal(c->health.deadline_ms, 69000);
	const struct rt_service *b = &p.svc[1];
	assert_int_equal(b->n_deps, 1);
	assert_int_equal(b->deps[0].index, 0);
	assert_int_equal(b->deps[0].cond, RT_COND_HEALTHY);
	assert_true(b->deps[0].required);
	assert_true(b->build.present);
	assert_string_equal(b->build.stdin_data, "FROM x\n");
	assert_int_equal(b->n_containers, 0);
}

static void test_parse_errors(void **state)
{
	struct fx *f = *state;
	parse_fails(f, variant(f, "\"composec_plan\": 1", "\"composec_plan\": 2"),
		    "composec_plan: unsupported plan version (this composec-run reads version 1)");
	parse_fails(f, variant(f, "\"project\": \"t\"", "\"project\": \"../t\""), "project: not a valid project name");
	parse_fails(f, variant(f, "\"create\": [\"cr\", \"x y\"]", "\"create\": []"),
		    "services[0].containers[0].create: expected a non-empty array of strings");
	parse_fails(f, variant(f, "\"start\": [\"s\"]", "\"start\": [\"s\", 1]"),
		    "services[0].containers[0].start[1]: expected a string");
	parse_fails(f, variant(f, "\"service\": \"a\"", "\"service\": \"b\""),
		    "services[1].depends_on[0].service: not a service listed before this one");
	parse_fails(f, variant(f, "service_healthy", "service_ready"),
		    "services[1].depends_on[0].condition: expected service_started, service_healthy or "
		    "service_completed_successfully");
	parse_fails(f, variant(f, "\"check\": \"exit_status\"", "\"check\": \"maybe\""),
		    "services[0].containers[0].health.check: expected exit_status or health_status");
	parse_fails(f, variant(f, "\"retries\": 3", "\"retries\": -3"),
		    "services[0].containers[0].health.retries: expected a non-negative integer");
	parse_fails(f, variant(f, "\"remove\": [\"rm\"]", "\"remove\": null"),
		    "services[0].containers[0].remove: missing");
	parse_fails(f, "[1, 2]", "plan: expected a JSON object");
	parse_fails(f, "{\"composec_plan\": 1, \"a\": [}", "line 1: did not find expected node content");
}

/* What JSON allows raw in a string and YAML 1.1 does not: DEL, C1
 * controls (NEL among them), U+2028/2029, U+FEFF, U+FFFE. */
static void test_parse_refused_raw_characters(void **state)
{
	struct fx *f = *state;
	static const char odd[] = "a\x7f" "b\xc2\x85" "c\xc2\x9f" "d\xe2\x80\xa8" "e\xef\xbb\xbf" "f\xef\xbf\xbe";
	struct rt_plan p = parse_ok(f, variant(f, "\"x y\"", arena_printf(&f->a, "\"%s\"", odd)));
	assert_string_equal(p.svc[0].containers[0].create.v[1], odd);
}

/* ---- compose -> plan -> runtime: every byte kept ------------------------------------------ */

static struct project *load_compose(struct arena *a, struct diag *d, const char *dir, const char *yaml)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char *path = arena_printf(a, "%s/compose.yaml", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(yaml, fp);
	fclose(fp);
	struct load_options lo = { .environ = env, .cwd = dir };
	strvec_push(&lo.files, a, path);
	struct project *p = load_project(a, d, &lo);
	unlink(path);
	if (!p)
		fail_msg("load failed:\n%s", d->out.buf);
	return p;
}

static const char hostile_yaml[] =
	"name: h\n"
	"services:\n"
	"  s:\n"
	"    image: img\n"
	"    network_mode: none\n"
	"    command: [\"a b\", \"it's\", \"say \\\"hi\\\"\", \"$$HOME\", \"$${X}\", \"%h\", 'back\\slash',\n"
	"              \"new\\nline\", \"tab\\there\", \";\", \"`id`\", \"$$(id)\", \"ünïcödé ✓ 日本\",\n"
	"              \"-leading\", \"\", \"del\\x7f\", \"nel\\x85\", \"ls\\u2028\", \"bom\\ufeff\"]\n"
	"    environment:\n"
	"      K: \"v w $$x\\n\"\n"
	"    pre_start:\n"
	"      - command: [\"it's\", \"\"]\n";

static void test_round_trip_hostile(void **state)
{
	struct fx *f = *state;
	struct diag d;
	char dir[] = "/tmp/test_runtime.XXXXXX";
	assert_non_null(mkdtemp(dir));
	diag_init(&d, &f->a);
	struct project *proj = load_compose(&f->a, &d, dir, hostile_yaml);
	rmdir(dir);
	struct fileset fs;
	fileset_init(&fs, &f->a);
	struct backend_options o = { .engine = ENGINE_DOCKER, .docker_version = PLAN_DOCKER_VERSION_DEFAULT };
	assert_int_equal(backend_run(&f->a, &d, &backend_plan, proj, &o, &fs), 0);
	struct rt_plan p;
	if (rt_plan_parse(&f->a, fs.files[0].data, fs.files[0].len, &p, &f->err) != 0)
		fail_msg("%s", f->err.buf);
	const struct service *s = proj->services[0];
	const struct rt_argv *create = &p.svc[0].containers[0].create;
	size_t n = s->command.argv.n;
	assert_true(create->n > n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(create->v[create->n - n + i], s->command.argv.v[i]);
	assert_string_equal(create->v[create->n - n + 15], "del\x7f");
	bool env_seen = false;
	for (size_t i = 0; i < create->n; i++)
		env_seen |= strcmp(create->v[i], "--env=K=v w $x\n") == 0;
	assert_true(env_seen);
	const struct rt_argv *step = &p.svc[0].containers[0].pre_start.v[0].argv;
	assert_string_equal(step->v[step->n - 2], "it's");
	assert_string_equal(step->v[step->n - 1], "");
	diag_release(&d);
}

/* ---- the scheduler's decision ------------------------------------------------------------- */

/* a; b needs a healthy; c needs a started, not required */
static const char three[] =
	"{\"composec_plan\": 1, \"project\": \"t\", \"engine\": \"podman\", \"resources\": [], \"services\": [\n"
	" {\"name\": \"a\", \"definition\": \"d\", \"depends_on\": [], \"build\": null, \"pre_start\": [],\n"
	"  \"containers\": []},\n"
	" {\"name\": \"b\", \"definition\": \"d\", \"depends_on\": [{\"service\": \"a\", \"condition\":\n"
	"  \"service_healthy\", \"required\": true}], \"build\": null, \"pre_start\": [], \"containers\": []},\n"
	" {\"name\": \"c\", \"definition\": \"d\", \"depends_on\": [{\"service\": \"a\", \"condition\":\n"
	"  \"service_started\", \"required\": false}], \"build\": null, \"pre_start\": [], \"containers\": []}]}\n";

static void test_verdict(void **state)
{
	struct fx *f = *state;
	struct rt_plan p = parse_ok(f, three);
	struct rt_svc_state st[3] = { 0 };
	size_t blocker = 99;
	assert_int_equal(rt_verdict(&p, st, 0, &blocker), RT_READY);
	assert_int_equal(rt_verdict(&p, st, 1, &blocker), RT_WAIT);
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_WAIT);
	st[0].status = RT_RUNNING;
	rt_reach(&st[0], RT_MS_CREATED);
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_WAIT);
	rt_reach(&st[0], RT_MS_STARTED);
	assert_int_equal(rt_verdict(&p, st, 1, &blocker), RT_WAIT);
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_READY);
	rt_reach(&st[0], RT_MS_HEALTHY);
	assert_int_equal(rt_verdict(&p, st, 1, &blocker), RT_READY);
	/* a failed after it started but before healthy: b cannot start, c can */
	st[0] = (struct rt_svc_state){ .status = RT_FAILED };
	rt_reach(&st[0], RT_MS_STARTED);
	assert_int_equal(rt_verdict(&p, st, 1, &blocker), RT_NOT_STARTED);
	assert_int_equal(blocker, 0);
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_READY);
	/* not required: a dependency that never started holds c back all the
	 * same (docker compose's up stops at a start that fails, scenario
	 * optfails); only its condition may fail */
	st[0] = (struct rt_svc_state){ .status = RT_BLOCKED };
	blocker = 99;
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_NOT_STARTED);
	assert_int_equal(blocker, 0);
	st[0] = (struct rt_svc_state){ .status = RT_FAILED };
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_NOT_STARTED);
	/* ... and one that started but does not get healthy does not (scenario
	 * optunhealthy) */
	const char *from = strstr(three, "\"service_started\", \"required\": false");
	assert_non_null(from);
	p = parse_ok(f, arena_printf(&f->a, "%.*s\"service_healthy\"%s", (int)(from - three), three,
				     from + strlen("\"service_started\"")));
	st[0] = (struct rt_svc_state){ .status = RT_FAILED };
	rt_reach(&st[0], RT_MS_STARTED);
	assert_int_equal(rt_verdict(&p, st, 2, &blocker), RT_READY);
	st[0].status = RT_INTERRUPTED;
	assert_int_equal(rt_verdict(&p, st, 1, &blocker), RT_NOT_STARTED);
}

/* stop and down: a service stops once its dependents stopped or ended */
static void test_stop_verdict(void **state)
{
	struct fx *f = *state;
	struct rt_plan p = parse_ok(f, three);
	struct rt_svc_state st[3] = { 0 };
	size_t blocker = 99;
	assert_int_equal(rt_stop_verdict(&p, st, 0, &blocker), RT_WAIT); /* b and c depend on a */
	assert_int_equal(rt_stop_verdict(&p, st, 1, &blocker), RT_READY);
	assert_int_equal(rt_stop_verdict(&p, st, 2, &blocker), RT_READY);
	st[1].status = RT_RUNNING;
	rt_reach(&st[1], RT_MS_STOPPED); /* b stopped, removing its containers */
	assert_int_equal(rt_stop_verdict(&p, st, 0, &blocker), RT_WAIT);
	st[2].status = RT_FAILED; /* c's stop failed: a does not wait forever */
	assert_int_equal(rt_stop_verdict(&p, st, 0, &blocker), RT_READY);
	assert_int_equal(blocker, 99);
}

static void test_needs(void **state)
{
	struct fx *f = *state;
	struct rt_plan p = parse_ok(f, three);
	assert_int_equal(rt_needs(&p, 0), 1u << RT_COND_HEALTHY); /* started needs no wait */
	assert_int_equal(rt_needs(&p, 1), 0);
	p = parse_ok(f, variant(f, "service_healthy", "service_completed_successfully"));
	assert_int_equal(rt_needs(&p, 0), 1u << RT_COND_COMPLETED); /* b waits for a to complete */
}

/* ---- the state file ------------------------------------------------------------------------- */

static void test_state_round_trip(void **state)
{
	struct fx *f = *state;
	char base[] = "/tmp/test_runtime_state.XXXXXX";
	assert_non_null(mkdtemp(base));
	const char *dir = rt_state_dir(&f->a, base, "proj");
	assert_string_equal(dir, arena_printf(&f->a, "%s/proj", base));
	struct rt_state st, again;
	rt_state_load(&st, &f->a, dir, "odd.name_-x");
	assert_null(st.definition);
	st.definition = "abc";
	rt_state_set(&st, "c-1", "h1", RT_STEP_OK);
	rt_state_set(&st, "-", "h2", RT_STEP_FAILED);
	rt_state_set(&st, "c-1", "h1", RT_STEP_FAILED);
	rt_state_set(&st, "c-1", "h1", RT_STEP_OK);
	assert_int_equal(rt_state_save(&st), 0);
	rt_state_load(&again, &f->a, dir, "odd.name_-x");
	assert_string_equal(again.definition, "abc");
	assert_int_equal(again.n, 2);
	assert_int_equal(rt_state_get(&again, "c-1", "h1"), RT_STEP_OK);
	assert_int_equal(rt_state_get(&again, "-", "h2"), RT_STEP_FAILED);
	assert_int_equal(rt_state_get(&again, "c-2", "h1"), RT_STEP_NONE);
	rt_state_forget(&again);
	assert_int_equal(rt_state_get(&again, "c-1", "h1"), RT_STEP_NONE);
	rt_state_remove_project(&f->a, dir);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(rmdir(base), 0);
}

/* ---- running commands -------------------------------------------------------------------------- */

static int run(struct strbuf *out, const char *const *words, const char *in)
{
	struct rt_argv v = { (const char **)words, 0 };
	while (words[v.n])
		v.n++;
	sb_reset(out);
	return rt_run(&v, in, out);
}

static void test_run_status_and_output(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(&f->err, (const char *const[]){ "printf", "%s|%s", "a b", "", NULL }, NULL), 0);
	assert_string_equal(f->err.buf, "a b|");
	assert_int_equal(run(&f->err, (const char *const[]){ "false", NULL }, NULL), 1);
	/* under a PATH of its own: a directory of PATH that the user may not
	 * search (root's ~/.cargo/bin after su) turns ENOENT into EACCES */
	char *path = strdup(getenv("PATH") ? getenv("PATH") : "");
	assert_int_equal(setenv("PATH", "/usr/bin:/bin", 1), 0);
	assert_int_equal(run(&f->err, (const char *const[]){ "no-such-program-xyz", NULL }, NULL), 127);
	assert_int_equal(setenv("PATH", path, 1), 0);
	free(path);
	assert_string_equal(f->err.buf, "composec-run: cannot run \"no-such-program-xyz\": No such file or directory\n");
	assert_int_equal(run(&f->err, (const char *const[]){ "cat", NULL }, "FROM x\n"), 0);
	assert_string_equal(f->err.buf, "FROM x\n");
	/* stderr is captured too; stdin is /dev/null without stdin data */
	assert_int_equal(run(&f->err, (const char *const[]){ "ls", "/no/such/dir", NULL }, NULL), 2);
	assert_non_null(strstr(f->err.buf, "/no/such/dir"));
	assert_int_equal(run(&f->err, (const char *const[]){ "cat", NULL }, NULL), 0);
	assert_string_equal(f->err.buf, "");
}

/* tar (GNU tar, as every Debian has) reads rt_tar_one's archives back: the
 * name (split into prefix and name past 100 bytes), mode, owner, size and
 * content; a path too long or an owner that is no number is refused. */
static void test_tar_one(void **state)
{
	struct fx *f = *state;
	struct strbuf tar = STRBUF_INIT;
	assert_int_equal(rt_tar_one(&tar, "run/secrets/tok", 0440, "1234", "5678", "s3cr'et\n", 8, 1700000000), 0);
	assert_int_equal(tar.len % 512, 0);
	struct rt_argv list = { (const char *[]){ "tar", "-tvf", "-", "--numeric-owner", NULL }, 4 };
	sb_reset(&f->err);
	assert_int_equal(rt_run_bytes(&list, tar.buf, tar.len, &f->err), 0);
	assert_true(str_has_prefix(f->err.buf, "-r--r----- 1234/5678         8 "));
	assert_true(str_has_suffix(f->err.buf, " run/secrets/tok\n"));
	struct rt_argv cat = { (const char *[]){ "tar", "-xOf", "-", NULL }, 3 };
	sb_reset(&f->err);
	assert_int_equal(rt_run_bytes(&cat, tar.buf, tar.len, &f->err), 0);
	assert_string_equal(f->err.buf, "s3cr'et\n");
	/* a path of 150 bytes: prefix "a/.../b" and name */
	char longp[151];
	memset(longp, 'd', 150);
	longp[150] = '\0';
	longp[70] = '/';
	sb_reset(&tar);
	assert_int_equal(rt_tar_one(&tar, longp, 0644, "0", "0", "", 0, 0), 0);
	struct rt_argv names = { (const char *[]){ "tar", "-tf", "-", NULL }, 3 };
	sb_reset(&f->err);
	assert_int_equal(rt_run_bytes(&names, tar.buf, tar.len, &f->err), 0);
	assert_int_equal(strlen(f->err.buf), 151);
	assert_memory_equal(f->err.buf, longp, 150);
	sb_reset(&tar);
	memset(longp, 'd', 150); /* no '/' to split at */
	assert_int_equal(rt_tar_one(&tar, longp, 0644, "0", "0", "", 0, 0), -1);
	assert_int_equal(rt_tar_one(&tar, "a", 0644, "nobody", "0", "", 0, 0), -1);
	assert_int_equal(rt_tar_one(&tar, "a", 0644, "0", "-1", "", 0, 0), -1);
	sb_release(&tar);
}

static void test_tail(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(&f->err, (const char *const[]){ "seq", "1", "25", NULL }, NULL), 0);
	struct strbuf tail = STRBUF_INIT;
	rt_tail(&f->err, RT_TAIL_LINES, &tail);
	assert_true(str_has_prefix(tail.buf, "    | 6\n    | 7\n"));
	assert_true(str_has_suffix(tail.buf, "    | 24\n    | 25\n"));
	sb_reset(&tail);
	struct strbuf two = STRBUF_INIT;
	sb_adds(&two, "x\n\ny");
	rt_tail(&two, 20, &tail);
	assert_string_equal(tail.buf, "    | x\n    | \n    | y\n");
	sb_release(&two);
	sb_release(&tail);
}

static void test_interrupt_passes_sigterm(void **state)
{
	struct fx *f = *state;
	rt_interrupted = SIGTERM;
	double began = rt_now();
	int rc = run(&f->err, (const char *const[]){ "sleep", "5", NULL }, NULL);
	rt_interrupted = 0;
	assert_int_equal(rc, 128 + SIGTERM);
	assert_true(rt_now() - began < 2.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_refused_raw_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_status_and_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tar_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_passes_sigterm, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
