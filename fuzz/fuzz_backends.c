/*
 * fuzz_backends.c - libFuzzer target: bytes -> frontend -> every backend
 * (systemd, quadlet, plan, sh, k8s: every name backend_find knows) and the
 * audit, each into a fresh file set.
 *
 * Backend options (engine, podman version, namespace, k8s format) are
 * picked from a hash of the input, so one input always runs the same way.
 * Besides the sanitizers, two properties are checked: every generated
 * YAML or JSON document (k8s, plan, audit JSON and SARIF) parses back, and
 * a backend that returns 0 reported no error.
 */
#include "audit/audit.h"
#include "frontend/yaml.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const backend_names[] = { "systemd", "quadlet", "plan", "sh", "k8s" };

/* Generated text that claims to be YAML or JSON must parse as YAML 1.2. */
static void must_parse(const char *what, const char *text, size_t len)
{
	static const struct yaml_limits lim = { 1024, (size_t)-1 };
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	struct ptrvec docs = { 0 };
	if (yaml_parse(&a, &d, what, text, len, &lim, &docs) != 0) {
		diag_flush(&d, stderr);
		fprintf(stderr, "fuzz_backends: %s output does not parse:\n%.*s\n", what, (int)len, text);
		abort();
	}
	diag_release(&d);
	arena_release(&a);
}

static void run_backend(struct arena *a, struct diag *d, const struct project *p, const struct backend *b,
			const struct backend_options *o)
{
	struct fileset fs;
	fileset_init(&fs, a);
	int errors = d->errors;
	if (backend_run(a, d, b, p, o, &fs) != 0)
		return;
	if (d->errors != errors) {
		fprintf(stderr, "fuzz_backends: %s returned 0 after reporting errors\n", b->name);
		abort();
	}
	fileset_sort(&fs);
	bool structured = strcmp(b->name, "plan") == 0 || strcmp(b->name, "k8s") == 0;
	for (size_t i = 0; structured && i < fs.n; i++)
		must_parse(b->name, fs.files[i].data, fs.files[i].len);
}

static void run_audit(struct arena *a, struct diag *d, const struct project *p, const struct backend_options *bo)
{
	struct audit_options o = { .cwd = fuzz_cwd, .backend = *bo, .explain = true };
	struct audit_report r = { 0 };
	audit_run(a, d, p, &o, &r);
	struct strbuf out = STRBUF_INIT;
	audit_format_text(&r, d, &out);
	sb_reset(&out);
	audit_format_json(&r, &out);
	must_parse("audit json", out.buf, out.len);
	sb_reset(&out);
	audit_format_sarif(&r, &out);
	must_parse("audit sarif", out.buf, out.len);
	sb_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	struct project *p = fuzz_load(&a, &d, data, size);
	if (p && !d.errors) {
		uint64_t h = hash_fnv1a(data, size);
		static const int podman_versions[] = { 404, 500, 503, 407 };
		static const int docker_versions[] = { 2010, 2600, 2500, 2800 };
		struct backend_options o = {
			.engine = (h & 1) ? ENGINE_PODMAN : ENGINE_DOCKER,
			.podman_version = podman_versions[(h >> 1) & 3],
			.docker_version = docker_versions[(h >> 5) & 3],
			.namespace = (h & 8) ? "fuzz-ns" : NULL,
			.format = (h & 16) ? "json" : NULL,
			.pod = (h & 64) != 0, /* quadlet --pod (refused below 5.0) */
		};
		for (size_t i = 0; i < ARRAY_SIZE(backend_names); i++) {
			const struct backend *b = backend_find(backend_names[i]);
			if (b)
				run_backend(&a, &d, p, b, &o);
		}
		run_audit(&a, &d, p, &o);
	}
	diag_flush(&d, fuzz_null);
	diag_release(&d);
	arena_release(&a);
	return 0;
}
