/*
 * test_quadlet.c - the Quadlet backend (backends/quadlet.c): compose files
 * go through the real frontend (load_project on a temporary file) and
 * backend_quadlet.emit; the tests compare whole file texts for the cases
 * that matter: pre_start steps in a unit of their own, the dependent's
 * waits for its dependencies, version gates (4.4, 4.7, 5.0, 5.2), escaping of hostile
 * strings, networks and volumes (created, external, before 4.7), builds,
 * one-shot dependencies and the errors.  That the Quadlet generator and
 * systemd accept the output is checked by the golden cases and
 * tests/validate/quadlet.sh.
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

extern const struct backend backend_quadlet;

struct fx {
	struct arena a;
	struct diag d;
	struct fileset out;
	char dir[64];
	int rc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	fileset_init(&f->out, &f->a);
	strcpy(f->dir, "/tmp/test_quadlet.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/compose.yaml", f->dir);
	unlink(path);
	rmdir(f->dir);
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Load yaml as <tmp>/compose.yaml and emit it for podman `version`
 * (major*100+minor); f->rc is emit's result. */
static void emit_pod(struct fx *f, const char *yaml, int version, bool pod);

static void emit(struct fx *f, const char *yaml, int version)
{
	emit_pod(f, yaml, version, false);
}

static void emit_pod(struct fx *f, const char *yaml, int version, bool pod)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/compose.yaml", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(yaml, fp);
	fclose(fp);
	static char *const no_env[] = { NULL };
	struct load_options o = { .cwd = f->dir, .environ = no_env };
	strvec_push(&o.files, &f->a, path);
	struct project *p = load_project(&f->a, &f->d, &o);
	if (!p)
		fail_msg("load failed:\n%s", f->d.out.buf);
	struct backend_options bo = { .engine = ENGINE_DOCKER, .podman_version = version,
				      .docker_version = PLAN_DOCKER_VERSION_DEFAULT, .pod = pod };
	f->rc = backend_run(&f->a, &f->d, &backend_quadlet, p, &bo, &f->out);
}

/* Whether a compose label key (after "com.docker.compose.") is one of
 * those the tests here still expect: the project, the service, a step's
 * hook.  The
 * others the plan adds (number, oneoff, depends_on, the project's files)
 * are test_decide.c's and the golden cases' to check, and hold the
 * fixture's temporary directory. */
static bool label_kept(const char *key)
{
	return strncmp(key, "project=", 8) == 0 || strncmp(key, "service=", 8) == 0 || strncmp(key, "hook=", 5) == 0 ||
	       strncmp(key, "network=", 8) == 0 || strncmp(key, "volume=", 7) == 0;
}

/* File name of the output, without the Label= lines of compose's labels
 * but project and service (label_kept). */
static const char *file(struct fx *f, const char *name)
{
	static const char mark[] = "Label=\"com.docker.compose.";
	for (size_t i = 0; i < f->out.n; i++) {
		if (strcmp(f->out.files[i].path, name) != 0)
			continue;
		struct strbuf sb = STRBUF_INIT;
		for (const char *l = f->out.files[i].data; *l;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);
			if (strncmp(l, mark, sizeof(mark) - 1) != 0 || label_kept(l + sizeof(mark) - 1))
				sb_add(&sb, l, n);
			l += n;
		}
		const char *r = sb_to_arena(&sb, &f->a);
		sb_release(&sb);
		return r;
	}
	fail_msg("no file %s", name);
	return NULL;
}

static bool has_file(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->out.n; i++)
		if (strcmp(f->out.files[i].path, name) == 0)
			return true;
	return false;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected\n%s\nin\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect\n%s\nin\n%s", needle, hay);
}

/* ---- the seed example ------------------------------------------------------------- */

static const char seed[] = "name: demo\n"
			   "services:\n"
			   "  app:\n"
			   "    image: myapp:latest\n"
			   "    user: \"1000:1000\"\n"
			   "    environment: {MODE: prod}\n"
			   "    volumes: [data:/data]\n"
			   "    depends_on:\n"
			   "      db: {condition: service_healthy}\n"
			   "    pre_start:\n"
			   "      - command: [\"./manage.py\", \"migrate\"]\n"
			   "      - image: busybox\n"
			   "        user: root\n"
			   "        command: sh -c 'chown -R 1000:1000 /data'\n"
			   "    post_start:\n"
			   "      - command: [/hooks/ready]\n"
			   "    pre_stop:\n"
			   "      - command: ./drain.sh\n"
			   "  db:\n"
			   "    image: postgres:18\n"
			   "    healthcheck:\n"
			   "      test: [\"CMD-SHELL\", \"pg_isready -U $${POSTGRES_USER}\"]\n"
			   "      interval: 10s\n"
			   "      retries: 5\n"
			   "volumes:\n"
			   "  data:\n";

/* The steps run in a oneshot unit of their own, which the service
 * requires: a restart of the service by Restart= does not run them again.
 * The waits for the dependencies come before the steps, in that unit. */
static void test_pre_start(void **state)
{
	struct fx *f = *state;
	emit(f, seed, 500);
	assert_int_equal(f->rc, 0);
	assert_string_equal(
		file(f, "demo-app.container"),
		"# generated by composec for project \"demo\"\n"
		"\n[Unit]\n"
		"Description=demo: service app\n"
		"Wants=demo-db.service\n"
		"After=demo-db.service\n"
		"Requires=demo-app-pre-start.service\n"
		"After=demo-app-pre-start.service\n"
		"\n[Container]\n"
		"ContainerName=demo-app-1\n"
		"Image=docker.io/library/myapp:latest\n"
		"User=1000\n"
		"Group=1000\n"
		"Environment=\"MODE=prod\"\n"
		"Network=demo-default.network:alias=app\n"
		"Volume=demo-data.volume:/data\n"
		"Label=\"com.docker.compose.project=demo\"\n"
		"Label=\"com.docker.compose.service=app\"\n"
		"\n[Service]\nSuccessExitStatus=143\n"
		"ExecStartPost=/usr/bin/podman \"exec\" \"demo-app-1\" \"/hooks/ready\"\n"
		"ExecStop=-/usr/bin/podman \"exec\" \"demo-app-1\" \"./drain.sh\"\n"
		"\n[Install]\n"
		"WantedBy=default.target\n");
	assert_string_equal(
		file(f, "demo-app-pre-start.container"),
		"# generated by composec for project \"demo\"\n"
		"\n[Unit]\n"
		"Description=demo: pre_start steps of service app\n"
		"Wants=demo-db.service\n"
		"After=demo-db.service\n"
		"Requires=demo-default-network.service\n"
		"After=demo-default-network.service\n"
		"Requires=demo-data-volume.service\n"
		"After=demo-data-volume.service\n"
		"\n[Container]\n"
		"ContainerName=demo-app-1-pre-start-2\n"
		"Image=docker.io/library/busybox\n"
		"Exec=\"sh\" \"-c\" \"chown -R 1000:1000 /data\"\n"
		"PodmanArgs=\"--user=root\" \"--env=MODE=prod\" \"--label=com.docker.compose.project=demo\" "
		"\"--label=com.docker.compose.service=app\" \"--label=com.docker.compose.hook=pre_start\" "
		"\"--network=demo_default\" \"--volume=demo_data:/data\"\n"
		"\n[Service]\n"
		"Type=oneshot\n"
		"RemainAfterExit=yes\n"
		"TimeoutStartSec=infinity\n"
		"ExecStartPre=\"/bin/sh\" \"-c\" \"n=0; while :; do if '/usr/bin/podman' healthcheck run 'demo-db-1' "
		">/dev/null 2>&1; then exit 0; fi; s=$$('/usr/bin/podman' inspect -f '{{.State.Health.Status}}' "
		"'demo-db-1' 2>/dev/null); if [ \\\"$$s\\\" = healthy ]; then exit 0; fi; if [ \\\"$$s\\\" = "
		"unhealthy ]; then echo 'dependency failed to start: container demo-db-1 is unhealthy' >&2; exit 1; "
		"fi; case $$(systemctl $${XDG_RUNTIME_DIR:+--user} is-active "
		"'demo-db.service') in inactive|failed) echo 'dependency failed to start: demo-db.service did not "
		"start' >&2; exit 1;; esac; n=$$((n+1)); if [ \\\"$$n\\\" -ge 320 ]; then echo 'dependency failed to "
		"start: demo-db-1 is not healthy after 320 seconds' >&2; exit 1; fi; sleep 1; done\"\n"
		"ExecStartPre=/usr/bin/podman \"run\" \"--rm\" \"--name=demo-app-1-pre-start-1\" \"--user=1000:1000\" "
		"\"--env=MODE=prod\" \"--label=com.docker.compose.project=demo\" "
		"\"--label=com.docker.compose.service=app\" \"--label=com.docker.compose.hook=pre_start\" "
		"\"--network=demo_default\" \"--volume=demo_data:/data\" \"docker.io/library/myapp:latest\" "
		"\"./manage.py\" \"migrate\"\n");
	assert_string_equal(file(f, "demo-data.volume"), "# generated by composec for project \"demo\"\n"
						    "\n[Unit]\n"
						    "Description=demo: volume data\n"
						    "\n[Volume]\n"
						    "VolumeName=demo_data\n"
						    "Label=\"com.docker.compose.project=demo\"\n"
						    "Label=\"com.docker.compose.volume=data\"\n");
	assert_int_equal(f->out.n, 5); /* app, app-pre-start, data, db, default */
}

/* ---- service_healthy --------------------------------------------------------------- */

/* The dependent waits for health itself (unitplan.h), at every version:
 * the dependency's unit is started once its container runs, with no
 * Notify=healthy, which would fail and remove a container that never gets
 * healthy (docker compose keeps it running). */
static void test_health_waited_by_dependent(void **state)
{
	struct fx *f = *state;
	static const char both[] = "name: h\n"
				   "services:\n"
				   "  app: {image: app, depends_on: {db: {condition: service_healthy}}}\n"
				   "  db:\n"
				   "    image: postgres:18\n"
				   "    healthcheck: {test: [CMD, pg_isready], interval: 10s, retries: 5}\n";
	const int versions[] = { 404, 407, 500, 508 };
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		emit(f, both, versions[i]);
		assert_int_equal(f->rc, 0);
		const char *db = file(f, "h-db.container");
		assert_lacks(db, "Notify=");
		assert_lacks(db, "sdnotify");
		assert_lacks(db, "TimeoutStartSec=");
		const char *app = file(f, "h-app.container");
		assert_contains(app, "Wants=h-db.service\nAfter=h-db.service\n");
		assert_lacks(app, "Requires=");
		/* 5 x (10 s + 30 s) + 120 s, and a margin of 60 s */
		assert_contains(app, "TimeoutStartSec=380\n");
		assert_contains(app, "ExecStartPre=\"/bin/sh\" \"-c\" \"n=0; while :; do if '/usr/bin/podman' "
				     "healthcheck run 'h-db-1' >/dev/null 2>&1; then exit 0; fi;");
		assert_contains(app, "-ge 320 ]");
		teardown((void **)&f);
		setup((void **)&f);
		*state = f;
	}
}

static void test_healthy_but_disabled(void **state)
{
	struct fx *f = *state;
	emit(f,
	     "name: t\n"
	     "services:\n"
	     "  a: {image: a, depends_on: {b: {condition: service_healthy}}}\n"
	     "  b: {image: b, healthcheck: {disable: true}}\n",
	     500);
	const char *b = file(f, "t-b.container");
	assert_lacks(b, "Notify=");
	assert_contains(b, "HealthCmd=none\n");
	assert_contains(f->d.out.buf, "its healthcheck is disabled");
}

/* ---- --pod -------------------------------------------------------------------------- */

static const char podded[] = "name: pp\n"
			     "services:\n"
			     "  web:\n"
			     "    image: web\n"
			     "    ports: [\"8080:80\"]\n"
			     "    hostname: w1\n"
			     "    dns: [10.0.0.53]\n"
			     "    extra_hosts: [\"h:10.0.0.2\"]\n"
			     "    networks: {front: {aliases: [www]}, back: {}}\n"
			     "  db:\n"
			     "    image: db\n"
			     "    ports: [\"5432\"]\n"
			     "    networks: [back]\n"
			     "networks: {front: {}, back: {}}\n";

/* One <project>.pod: the project's unit (the containers have no [Install]
 * of their own), every network a service uses, every name a service is
 * reached by, every published port, the DNS settings and extra hosts;
 * what a container in a pod cannot set is reported. */
static void test_pod(void **state)
{
	struct fx *f = *state;
	emit_pod(f, podded, 504, true);
	assert_int_equal(f->rc, 0);
	assert_string_equal(file(f, "pp.pod"), "# generated by composec for project \"pp\"\n"
					       "\n[Unit]\n"
					       "Description=pp: the project's pod\n"
					       "\n[Pod]\n"
					       "PodName=pp\n"
					       "Network=pp-back.network\n"
					       "Network=pp-front.network\n"
					       "NetworkAlias=db\n"
					       "NetworkAlias=pp-db-1\n"
					       "NetworkAlias=pp-web-1\n"
					       "NetworkAlias=web\n"
					       "NetworkAlias=www\n"
					       "PublishPort=5432\n"
					       "PublishPort=8080:80\n"
					       "PodmanArgs=\"--exit-policy=continue\" \"--dns=10.0.0.53\" "
					       "\"--add-host=h:10.0.0.2\"\n"
					       "\n[Install]\n"
					       "WantedBy=default.target\n");
	const char *web = file(f, "pp-web.container");
	assert_contains(web, "Pod=pp.pod\n");
	assert_lacks(web, "Network=");
	assert_lacks(web, "PublishPort=");
	assert_lacks(web, "HostName=");
	assert_lacks(web, "DNS=");
	assert_lacks(web, "AddHost=");
	assert_lacks(web, "[Install]");
	assert_contains(f->d.out.buf, "service \"web\": --hostname cannot be set on a container in a pod");
	assert_contains(f->d.out.buf, "service \"web\" is on networks \"back,front\", \"db\" on \"back\"");
	/* below 5.2 the aliases are the pod's flags */
	teardown((void **)&f);
	setup((void **)&f);
	*state = f;
	emit_pod(f, podded, 500, true);
	assert_int_equal(f->rc, 0);
	assert_contains(file(f, "pp.pod"), "PodmanArgs=\"--network-alias=db\" \"--network-alias=pp-db-1\"");
	assert_contains(file(f, "pp.pod"), "\"--exit-policy=continue\"");
}

static void test_pod_refused(void **state)
{
	struct fx *f = *state;
	emit_pod(f, podded, 408, true); /* no .pod files before 5.0 */
	assert_int_equal(f->rc, -1);
	assert_contains(f->d.out.buf, "--pod needs podman 5.0");
	teardown((void **)&f);
	setup((void **)&f);
	*state = f;
	emit_pod(f,
		 "name: pr\n"
		 "services:\n"
		 "  a: {image: a, ports: [\"80:80\"]}\n"
		 "  b: {image: b, ports: [\"80:8080\", \"9000:80\"]}\n"
		 "  c: {image: c, network_mode: host}\n",
		 508, true);
	assert_int_equal(f->rc, -1);
	assert_contains(f->d.out.buf, "--pod: services \"a\" and \"b\" both publish host port 80/tcp");
	assert_contains(f->d.out.buf, "--pod: services \"a\" and \"b\" both listen on port 80/tcp");
	assert_contains(f->d.out.buf, "network_mode \"host\" cannot be expressed with --pod");
	/* service "pod" and the pod would both be pr-pod.service */
	teardown((void **)&f);
	setup((void **)&f);
	*state = f;
	emit_pod(f, "name: pr\nservices:\n  pod: {image: d}\n", 508, true);
	assert_int_equal(f->rc, -1);
	assert_contains(f->d.out.buf, "would both become the systemd unit \"pr-pod.service\"");
}

/* ---- version gates ----------------------------------------------------------------- */

static const char gated[] = "name: g\n"
			    "services:\n"
			    "  web:\n"
			    "    image: web:1\n"
			    "    entrypoint: [/entry.sh, --flag]\n"
			    "    stop_signal: SIGQUIT\n"
			    "    stop_grace_period: 30s\n"
			    "    working_dir: /srv\n"
			    "    user: www-data\n"
			    "    ulimits: {nofile: 1024}\n"
			    "    volumes: [cache:/cache]\n"
			    "volumes:\n"
			    "  cache: {}\n";

static void test_gates_4_4(void **state)
{
	struct fx *f = *state;
	emit(f, gated, 404);
	assert_int_equal(f->rc, 0);
	assert_false(has_file(f, "g-cache.volume"));
	assert_false(has_file(f, "g-default.network"));
	assert_string_equal(
		file(f, "g-web.container"),
		"# generated by composec for project \"g\"\n"
		"\n[Unit]\n"
		"Description=g: service web\n"
		"\n[Container]\n"
		"ContainerName=g-web-1\n"
		"Image=docker.io/library/web:1\n"
		"Network=g_default:alias=web\n"
		"Volume=g_cache:/cache\n"
		"Label=\"com.docker.compose.project=g\"\n"
		"Label=\"com.docker.compose.service=web\"\n"
		"PodmanArgs=\"--entrypoint=[\\\"/entry.sh\\\",\\\"--flag\\\"]\" \"--user=www-data\" \"--workdir=/srv\" "
		"\"--stop-signal=SIGQUIT\" \"--ulimit=nofile=1024\" \"--stop-timeout=30\"\n"
		"\n[Service]\nSuccessExitStatus=143\n"
		"TimeoutStopSec=90\n"
		"ExecStartPre=/usr/bin/podman \"network\" \"create\" \"--ignore\" "
		"\"--label=com.docker.compose.project=g\" \"--label=com.docker.compose.network=default\" "
		"\"g_default\"\n"
		"ExecStartPre=/usr/bin/podman \"volume\" \"create\" \"--ignore\" "
		"\"--label=com.docker.compose.project=g\" \"--label=com.docker.compose.volume=cache\" \"g_cache\"\n"
		"\n[Install]\n"
		"WantedBy=default.target\n");
}

static void test_gates_5_0(void **state)
{
	struct fx *f = *state;
	emit(f, gated, 500);
	const char *web = file(f, "g-web.container");
	assert_contains(web, "Entrypoint=[\"/entry.sh\",\"--flag\"]\n"
			     "User=www-data\n"
			     "WorkingDir=/srv\n"
			     "Network=g-default.network:alias=web\n"
			     "Volume=g-cache.volume:/cache\n"
			     "Ulimit=nofile=1024\n"
			     "StopTimeout=30\n");
	assert_contains(web, "PodmanArgs=\"--stop-signal=SIGQUIT\"\n");
	assert_lacks(web, "ExecStartPre=");
	assert_true(has_file(f, "g-cache.volume"));
}

static void test_gates_5_2(void **state)
{
	struct fx *f = *state;
	emit(f, gated, 502);
	const char *web = file(f, "g-web.container");
	assert_contains(web, "Network=g-default.network\n"
			     "NetworkAlias=web\n");
	assert_contains(web, "StopSignal=SIGQUIT\n");
	assert_contains(web, "StopTimeout=30\n");
	assert_lacks(web, "PodmanArgs=");
}

static const char built[] = "name: b\n"
			    "services:\n"
			    "  api:\n"
			    "    build:\n"
			    "      context: /src/api\n"
			    "      dockerfile: Containerfile\n"
			    "      target: prod\n"
			    "      args: {V: \"1\"}\n";

static void test_build_5_2(void **state)
{
	struct fx *f = *state;
	emit(f, built, 502);
	assert_contains(file(f, "b-api.container"), "Image=b-api.build\n");
	assert_string_equal(file(f, "b-api.build"), "# generated by composec for project \"b\"\n"
						  "\n[Unit]\n"
						  "Description=b: build of service api\n"
						  "\n[Build]\n"
						  "ImageTag=localhost/b-api\n"
						  "SetWorkingDirectory=/src/api\n"
						  "File=/src/api/Containerfile\n"
						  "Target=prod\n"
						  "PodmanArgs=\"--build-arg=V=1\"\n");
}

static void test_build_5_0(void **state)
{
	struct fx *f = *state;
	emit(f, built, 500);
	assert_false(has_file(f, "b-api.build"));
	const char *api = file(f, "b-api.container");
	assert_contains(api, "Image=localhost/b-api\n");
	assert_contains(api, "[Service]\nSuccessExitStatus=143\n"
			     "TimeoutStartSec=900\n"
			     "ExecStartPre=/usr/bin/podman \"build\" \"--tag=localhost/b-api\" \"--file=/src/api/Containerfile\" "
			     "\"--build-arg=V=1\" \"--target=prod\" \"/src/api\"\n");
}

/* ---- escaping ---------------------------------------------------------------------- */

static void test_hostile_strings(void **state)
{
	struct fx *f = *state;
	emit(f,
	     "name: h\n"
	     "services:\n"
	     "  x:\n"
	     "    image: x\n"
	     "    command: [\"a b\", \"$$HOME\", \"100%\", 'say \"hi\"', 'back\\slash', \"nl\\n\", \"\", \";\"]\n"
	     "    environment:\n"
	     "      E: \"$${X} 50% 'q' \\\"d\\\"\"\n"
	     "    labels: {l: \"%h$$\"}\n"
	     "    working_dir: \"/w/100% $$x\"\n"
	     "    hostname: 'h\\x'\n",
	     500);
	const char *x = file(f, "h-x.container");
	assert_contains(x, "Exec=\"a b\" \"$$HOME\" \"100%%\" \"say \\\"hi\\\"\" \"back\\\\slash\" \"nl\\n\"\n");
	assert_contains(x, "Environment=\"E=$${X} 50%% 'q' \\\"d\\\"\"\n");
	assert_contains(x, "Label=\"l=%%h$$\"\n");
	/* a raw key takes % and $ doubled, a backslash goes to PodmanArgs= */
	assert_contains(x, "WorkingDir=/w/100%% $$x\n");
	assert_contains(x, "PodmanArgs=\"--hostname=h\\\\x\"\n");
	/* Quadlet cannot carry an empty word or a lone ";" */
	assert_contains(f->d.out.buf, "the command argument \"\" cannot be passed");
	assert_contains(f->d.out.buf, "the command argument \";\" cannot be passed");
}

/* ---- networks and volumes ----------------------------------------------------------- */

static const char resources[] = "name: r\n"
				"services:\n"
				"  s:\n"
				"    image: s\n"
				"    networks:\n"
				"      back: {aliases: [b1], ipv4_address: 10.1.0.5}\n"
				"      ext: {}\n"
				"    volumes: [vol:/v, outside:/o:ro, /anon]\n"
				"networks:\n"
				"  back:\n"
				"    internal: true\n"
				"    driver_opts: {mtu: \"1400\"}\n"
				"    ipam:\n"
				"      config: [{subnet: 10.1.0.0/16, gateway: 10.1.0.1}]\n"
				"  ext: {external: true, name: corp}\n"
				"volumes:\n"
				"  vol:\n"
				"    driver_opts: {type: tmpfs, device: tmpfs, o: size=100m, x: y}\n"
				"  outside: {external: true}\n";

static void test_networks_volumes(void **state)
{
	struct fx *f = *state;
	emit(f, resources, 500);
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->out.n, 3); /* r-back.network, r-s.container, r-vol.volume */
	assert_contains(file(f, "r-s.container"), "Network=r-back.network:alias=s,alias=b1,ip=10.1.0.5\n"
						"Network=corp:alias=s\n"
						"Volume=r-vol.volume:/v\n"
						"Volume=outside:/o:ro\n"
						"Volume=/anon\n");
	assert_string_equal(file(f, "r-back.network"), "# generated by composec for project \"r\"\n"
						     "\n[Unit]\n"
						     "Description=r: network back\n"
						     "\n[Network]\n"
						     "NetworkName=r_back\n"
						     "Options=\"mtu=1400\"\n"
						     "Subnet=10.1.0.0/16\n"
						     "Gateway=10.1.0.1\n"
						     "Internal=true\n"
						     "Label=\"com.docker.compose.project=r\"\n"
						     "Label=\"com.docker.compose.network=back\"\n");
	assert_string_equal(file(f, "r-vol.volume"), "# generated by composec for project \"r\"\n"
						 "\n[Unit]\n"
						 "Description=r: volume vol\n"
						 "\n[Volume]\n"
						 "VolumeName=r_vol\n"
						 "Device=tmpfs\n"
						 "Options=size=100m\n"
						 "Type=tmpfs\n"
						 "Label=\"com.docker.compose.project=r\"\n"
						 "Label=\"com.docker.compose.volume=vol\"\n"
						 "PodmanArgs=\"--opt=x=y\"\n");
}

static void test_networks_volumes_4_4(void **state)
{
	struct fx *f = *state;
	emit(f, resources, 404);
	assert_int_equal(f->out.n, 1);
	const char *s = file(f, "r-s.container");
	assert_contains(s, "Network=r_back:alias=s,alias=b1,ip=10.1.0.5\n"
			   "Network=corp:alias=s\n"
			   "Volume=r_vol:/v\n");
	assert_contains(s, "ExecStartPre=/usr/bin/podman \"network\" \"create\" \"--ignore\" \"--opt=mtu=1400\" "
			   "\"--subnet=10.1.0.0/16\" \"--gateway=10.1.0.1\" \"--internal\" "
			   "\"--label=com.docker.compose.project=r\" \"--label=com.docker.compose.network=back\" "
			   "\"r_back\"\n");
	assert_contains(s, "ExecStartPre=/usr/bin/podman \"volume\" \"create\" \"--ignore\" ");
	/* external resources are never created */
	assert_lacks(s, "\"corp\"\n");
	assert_lacks(s, "\"outside\"\n");
}

/* ---- dependencies -------------------------------------------------------------------- */

static void test_completed_oneshot(void **state)
{
	struct fx *f = *state;
	emit(f,
	     "name: o\n"
	     "services:\n"
	     "  app:\n"
	     "    image: app\n"
	     "    depends_on:\n"
	     "      init: {condition: service_completed_successfully}\n"
	     "      cache: {condition: service_started, required: false, restart: true}\n"
	     "  init: {image: init, restart: always}\n"
	     "  cache: {image: cache, restart: \"on-failure:2\"}\n",
	     500);
	const char *app = file(f, "o-app.container");
	assert_contains(app, "Wants=o-cache.service\n"
			     "After=o-cache.service\n"
			     "PartOf=o-cache.service\n"
			     "Wants=o-init.service\n"
			     "After=o-init.service\n");
	assert_lacks(app, "Requires=");
	/* init completed: its oneshot unit is active; cache started */
	assert_contains(app, "ExecStartPre=\"/bin/sh\" \"-c\" \"exec systemctl $${XDG_RUNTIME_DIR:+--user} "
			     "is-active --quiet 'o-init.service'\"\n");
	assert_contains(app, "{{.State.Running}}' 'o-cache-1'");
	assert_contains(file(f, "o-init.container"), "[Service]\n"
						   "Type=oneshot\n"
						   "RemainAfterExit=yes\n"
						   "SuccessExitStatus=143\n"
						   "Restart=on-failure\n"
						   "RestartSec=1s\n");
	assert_contains(f->d.out.buf, "refuses Restart=always");
	const char *cache = file(f, "o-cache.container");
	assert_contains(cache, "StartLimitIntervalSec=infinity\nStartLimitBurst=3\n");
	assert_contains(cache, "[Service]\nSuccessExitStatus=143\nRestart=on-failure\nRestartSec=1s\n");
}

/* Restart= follows the plan, that is docker compose: deploy.restart_policy
 * replaces restart, and without a condition it is no policy at all (this
 * file once wrote Restart=always there, after the spec's text). */
static void test_restart_as_compose(void **state)
{
	struct fx *f = *state;
	emit(f,
	     "name: r\n"
	     "services:\n"
	     "  delay: {image: x, deploy: {restart_policy: {delay: 5s}}}\n"
	     "  over:\n"
	     "    image: x\n"
	     "    restart: always\n"
	     "    deploy: {restart_policy: {condition: on-failure, max_attempts: 2}}\n"
	     "  unless: {image: x, restart: unless-stopped}\n",
	     500);
	assert_int_equal(f->rc, 0);
	assert_lacks(file(f, "r-delay.container"), "Restart=");
	assert_contains(file(f, "r-over.container"), "Restart=on-failure\n");
	assert_contains(file(f, "r-over.container"), "StartLimitBurst=3\n");
	assert_contains(file(f, "r-unless.container"), "Restart=always\n");
}

static void test_unit_name_clash(void **state)
{
	struct fx *f = *state;
	emit(f,
	     "name: c\n"
	     "services:\n"
	     "  a-network: {image: x, networks: [a]}\n"
	     "networks:\n"
	     "  a: {}\n",
	     500);
	assert_int_equal(f->rc, -1);
	assert_contains(f->d.out.buf, "service \"a-network\" and network \"a\" would both become the systemd unit "
				      "\"c-a-network.service\"");
}

/* What no generator here can check (podman 4.4 to 5.3 exactly): at each
 * version, every key composec writes in a Quadlet group is in its key
 * table and no newer than the version asked for, over a project that
 * uses most of them. */
static void test_keys_by_version(void **state)
{
	struct fx *f = *state;
	static const char yaml[] =
		"name: k\n"
		"services:\n"
		"  db:\n"
		"    image: postgres:18\n"
		"    healthcheck: {test: [CMD, true], interval: 5s, timeout: 2s, retries: 3, start_period: 1s}\n"
		"    volumes: [data:/var/lib/postgresql/data]\n"
		"    networks: {back: {aliases: [database], ipv4_address: 10.9.0.5}}\n"
		"    shm_size: 128m\n"
		"    stop_signal: SIGINT\n"
		"    stop_grace_period: 30s\n"
		"    logging: {driver: journald, options: {tag: db}}\n"
		"    ulimits: {nofile: 1024}\n"
		"  web:\n"
		"    build: {context: ., dockerfile: Containerfile, target: prod}\n"
		"    depends_on: {db: {condition: service_healthy}}\n"
		"    ports: [\"8080:80\", \"53:53/udp\"]\n"
		"    expose: [\"9000\"]\n"
		"    hostname: web\n"
		"    working_dir: /srv\n"
		"    user: \"1000:1000\"\n"
		"    environment: {A: \"1\"}\n"
		"    annotations: {a.b: c}\n"
		"    labels: {x: y}\n"
		"    cap_add: [NET_ADMIN]\n"
		"    cap_drop: [ALL]\n"
		"    security_opt: [\"no-new-privileges:true\", seccomp=unconfined, \"label=type:spc_t\", label=nested,\n"
		"                   apparmor=unconfined, \"mask=/proc/acpi\", \"unmask=/proc/kcore\"]\n"
		"    read_only: true\n"
		"    init: true\n"
		"    dns: [10.0.0.1]\n"
		"    dns_search: [example.org]\n"
		"    dns_opt: [ndots:2]\n"
		"    extra_hosts: [\"h:10.0.0.2\"]\n"
		"    sysctls: {net.core.somaxconn: 1024}\n"
		"    tmpfs: [/run]\n"
		"    devices: [/dev/null:/dev/n]\n"
		"    group_add: [audio]\n"
		"    userns_mode: keep-id\n"
		"    pids_limit: 100\n"
		"    mem_limit: 512m\n"
		"    pull_policy: always\n"
		"    entrypoint: [/entry, -x]\n"
		"    command: [serve]\n"
		"    secrets: [token]\n"
		"    networks: [back]\n"
		"networks:\n"
		"  back: {driver: bridge, internal: true, ipam: {config: [{subnet: 10.9.0.0/24, gateway: 10.9.0.1}]}}\n"
		"volumes:\n"
		"  data: {driver: local, labels: {k: v}}\n"
		"secrets:\n"
		"  token: {file: ./token}\n";
	static const int versions[] = { 404, 405, 406, 407, 408, 500, 501, 502, 503, 504, 505, 508 };
	/* each version, and from 5.0 with --pod too (a .pod file) */
	for (size_t run = 0; run < 2 * ARRAY_SIZE(versions); run++) {
		size_t v = run / 2;
		bool pod = run % 2;
		if (pod && versions[v] < 500)
			continue;
		fileset_init(&f->out, &f->a);
		emit_pod(f, yaml, versions[v], pod);
		assert_int_equal(f->rc, 0);
		size_t keys = 0;
		for (size_t i = 0; i < f->out.n; i++) {
			const char *group = NULL;
			char *text = arena_strndup(&f->a, f->out.files[i].data, f->out.files[i].len);
			for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
				if (line[0] == '[') {
					static const char *const groups[] = { "[Container]", "[Network]", "[Volume]", "[Build]",
									      "[Pod]" };
					group = NULL;
					for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
						if (strcmp(line, groups[g]) == 0)
							group = arena_strndup(&f->a, groups[g] + 1, strlen(groups[g]) - 2);
					continue;
				}
				char *eq = strchr(line, '=');
				if (!group || line[0] == '#' || !eq)
					continue;
				*eq = '\0';
				int since = quadlet_key_since(group, line);
				if (since < 0 || since > versions[v])
					fail_msg("%s: [%s] %s= (since %d) at podman %d.%d", f->out.files[i].path, group, line,
						 since, versions[v] / 100, versions[v] % 100);
				keys++;
			}
		}
		assert_true(keys >= 40); /* 40 at 4.4, 83 from 5.3 */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pre_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_waited_by_dependent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_but_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gates_4_4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gates_5_0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gates_5_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_5_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_5_0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks_volumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks_volumes_4_4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_completed_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_as_compose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_name_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_by_version, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
