/*
 * test_runargs.c - engine command lines from the model (backends/runargs.c):
 * `run` flags for every attribute that has one, the image/entrypoint/command
 * tail, pre_start steps, exec hooks, build, network and volume creation, and
 * the pre_start definition hash.  Projects are written as compose YAML and
 * loaded through the real frontend (load_project), so what is checked is
 * what a user's file produces.
 *
 * The docker argv of the big service was also fed to the real docker CLI
 * 28.2 (talking to a stub daemon that records the Engine API request) and
 * the podman argv to podman 4.3.1 `create`, to check that both engines
 * parse every flag as intended; the expectations below are those argv.
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

#include "backends/runargs.h"
#include "frontend/load.h"

struct fx {
	struct arena a;
	struct diag d;
	char dir[64];
	int version; /* of the engine plan_of plans for; 0: its default */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	arena_init(&f->a);
	diag_init(&f->d, &f->a);
	strcpy(f->dir, "/tmp/test_runargs.XXXXXX");
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
	diag_release(&f->d);
	arena_release(&f->a);
	free(f);
	return 0;
}

static const struct project *load(struct fx *f, const char *yaml)
{
	char *path = arena_printf(&f->a, "%s/compose.yaml", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(yaml, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	static char *env[] = { "HOME=/home/u", "TAG=1.27", NULL };
	struct load_options o = { 0 };
	strvec_push(&o.files, &f->a, path);
	o.environ = env;
	o.cwd = f->dir;
	struct project *p = load_project(&f->a, &f->d, &o);
	if (!p)
		fail_msg("load failed:\n%s", f->d.out.buf);
	return p;
}

/* The plan of p, as the engine targets have it. */
static const struct plan *plan_at(struct fx *f, const struct project *p, enum engine e, int version, int *rc)
{
	struct plan *pl = arena_alloc(&f->a, sizeof(*pl));
	struct plan_options o = { .engine = e, .engine_version = version, .one_host = true };
	*rc = plan_build(&f->a, &f->d, p, &o, pl);
	return pl;
}

/* The plan of p for engine e at f->version, else its default version. */
static const struct plan *plan_of(struct fx *f, const struct project *p, enum engine e)
{
	int rc;
	int version = e == ENGINE_PODMAN ? PLAN_PODMAN_VERSION_DEFAULT : PLAN_DOCKER_VERSION_DEFAULT;
	if (f->version)
		version = f->version;
	const struct plan *pl = plan_at(f, p, e, version, &rc);
	assert_int_equal(rc, 0);
	return pl;
}

static const struct service *svc(const struct project *p, const char *name)
{
	const struct service *s = project_service(p, name);
	assert_non_null(s);
	return s;
}

/* Compare an argv with the expected words, one per line. */
static void expect_argv(const struct strvec *v, const char *want)
{
	struct strbuf got = STRBUF_INIT;
	for (size_t i = 0; i < v->n; i++)
		sb_addf(&got, "%s%s", i ? "\n" : "", v->v[i]);
	assert_string_equal(got.buf, want);
	sb_release(&got);
}

/* The flags of service name's first container but compose's own labels
 * (the plan's, checked by test_decide.c; here, that they come out: the
 * project and service labels are counted), then the image and command. */
static void run_args(struct fx *f, const struct project *p, const char *name, enum engine e, bool warn,
		     const char *want_flags, const char *want_tail)
{
	struct strvec flags = { 0 }, tail = { 0 }, own = { 0 };
	run_args_service(&f->a, &f->d, plan_of(f, p, e), svc(p, name), 1, warn, &flags, &tail);
	int compose = 0;
	for (size_t i = 0; i < flags.n; i++) {
		if (!run_args_compose_label(flags.v[i]))
			strvec_push(&own, &f->a, flags.v[i]);
		compose += strcmp(flags.v[i], arena_printf(&f->a, "--label=" LABEL_PROJECT "=%s", p->name)) == 0;
		compose += strcmp(flags.v[i], arena_printf(&f->a, "--label=" LABEL_SERVICE "=%s", name)) == 0;
	}
	assert_int_equal(compose, 2);
	expect_argv(&own, want_flags);
	expect_argv(&tail, want_tail);
}

static void expect_warning(struct fx *f, const char *needle)
{
	if (!strstr(f->d.out.buf, needle))
		fail_msg("no warning [%s] in:\n%s", needle, f->d.out.buf);
}

/* ---- names --------------------------------------------------------------------- */

static void test_names(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  web: {image: nginx}\n"
					  "  api: {build: ., deploy: {replicas: 3}}\n"
					  "  db: {image: pg, container_name: the-db}\n");
	assert_string_equal(plan_container_name(&f->a, p, svc(p, "web"), 1), "demo-web-1");
	assert_string_equal(plan_container_name(&f->a, p, svc(p, "api"), 1), "demo-api-1");
	assert_string_equal(plan_container_name(&f->a, p, svc(p, "api"), 3), "demo-api-3");
	assert_string_equal(plan_container_name(&f->a, p, svc(p, "db"), 1), "the-db");
	assert_string_equal(plan_image_name(&f->a, p, svc(p, "web")), "nginx");
	assert_string_equal(plan_image_name(&f->a, p, svc(p, "api")), "demo-api");
}

/* ---- a service with most attributes ------------------------------------------------- */

static const char big_yaml[] =
	"name: demo\n"
	"services:\n"
	"  web:\n"
	"    image: nginx:${TAG}\n"
	"    hostname: web1\n"
	"    domainname: example.org\n"
	"    user: \"1000:1000\"\n"
	"    working_dir: /app\n"
	"    environment:\n"
	"      B: two words\n"
	"      A: \"1\"\n"
	"      UNRESOLVED:\n"
	"    labels:\n"
	"      z.last: \"1\"\n"
	"      a.first: \"x,y\"\n"
	"      com.docker.compose.project: spoofed\n"
	"    annotations: {org.opencontainers.x: y}\n"
	"    expose: [\"9100\"]\n"
	"    networks:\n"
	"      front: {aliases: [www, web], ipv4_address: 172.20.0.5, priority: 10}\n"
	"      back: {mac_address: \"02:42:ac:11:00:02\"}\n"
	"    extra_hosts: [\"somehost=162.242.195.82\", \"v6host=::1\"]\n"
	"    dns: [8.8.8.8]\n"
	"    dns_opt: [use-vc]\n"
	"    dns_search: [example.org]\n"
	"    volumes: [\"./rel:/rel\"]\n"
	"    tmpfs: [\"/run:size=10m\"]\n"
	"    secrets: [token]\n"
	"    configs: [{source: conf, target: /etc/app.conf}, inline]\n"
	"    cap_add: [NET_ADMIN]\n"
	"    cap_drop: [ALL]\n"
	"    privileged: true\n"
	"    security_opt: [\"no-new-privileges:true\"]\n"
	"    read_only: true\n"
	"    init: true\n"
	"    restart: always\n"
	"    stop_signal: SIGINT\n"
	"    stop_grace_period: 1m30s\n"
	"    logging: {driver: json-file, options: {max-size: 10m}}\n"
	"    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}\n"
	"    sysctls: {net.core.somaxconn: 1024}\n"
	"    pids_limit: 100\n"
	"    shm_size: 64m\n"
	"    mem_limit: 1g\n"
	"    mem_reservation: 512m\n"
	"    memswap_limit: 2g\n"
	"    mem_swappiness: 10\n"
	"    oom_kill_disable: true\n"
	"    oom_score_adj: -500\n"
	"    cpus: 1.5\n"
	"    cpu_shares: 512\n"
	"    cpuset: \"0-1\"\n"
	"    devices: [\"/dev/ttyUSB0:/dev/ttyS0:rwm\", \"/dev/sda\"]\n"
	"    device_cgroup_rules: [\"c 1:3 mr\"]\n"
	"    group_add: [audio]\n"
	"    ipc: shareable\n"
	"    pid: \"service:db\"\n"
	"    userns_mode: host\n"
	"    cgroup: private\n"
	"    cgroup_parent: my.slice\n"
	"    platform: linux/amd64\n"
	"    pull_policy: if_not_present\n"
	"    stdin_open: true\n"
	"    tty: true\n"
	"    mac_address: \"02:42:ac:11:00:03\"\n"
	"    links: [\"db:database\", db]\n"
	"    external_links: [\"legacy:old\"]\n"
	"    volumes_from: [\"db:ro\", \"container:other\"]\n"
	"    storage_opt: {size: 1G}\n"
	"    gpus: all\n"
	"    develop: {watch: [{path: ., action: rebuild}]}\n"
	"  db:\n"
	"    image: postgres:18\n"
	"    deploy:\n"
	"      resources:\n"
	"        limits: {cpus: \"0.5\", memory: 256m, pids: 50}\n"
	"        reservations: {memory: 128m}\n"
	"      restart_policy: {condition: on-failure}\n"
	"networks:\n"
	"  front: {}\n"
	"  back: {name: shared-back}\n"
	"secrets:\n"
	"  token: {file: ./token.txt}\n"
	"configs:\n"
	"  conf: {file: /etc/demo/app.conf}\n"
	"  inline: {content: hello}\n";

static void test_service_docker(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, big_yaml);
	char *want = arena_printf(&f->a,
		"--hostname=web1\n--domainname=example.org\n--user=1000:1000\n--workdir=/app\n"
		"--env=A=1\n--env=B=two words\n"
		"--label=a.first=x,y\n--label=z.last=1\n"
		"--annotation=org.opencontainers.x=y\n"
		"--expose=9100\n"
		"--network=name=demo_front,alias=demo-web-1,alias=web,alias=www,ip=172.20.0.5\n"
		"--network=name=shared-back,alias=demo-web-1,alias=web,mac-address=02:42:ac:11:00:02\n"
		"--link=demo-db-1:database\n--link=demo-db-1:db\n--link=legacy:old\n"
		"--add-host=somehost:162.242.195.82\n--add-host=v6host:::1\n"
		"--dns=8.8.8.8\n--dns-option=use-vc\n--dns-search=example.org\n"
		"--volume=%s/rel:/rel\n"
		"--volumes-from=demo-db-1:ro\n--volumes-from=other\n"
		"--tmpfs=/run:size=10m\n"
		"--volume=%s/token.txt:/run/secrets/token:ro\n"
		"--volume=/etc/demo/app.conf:/etc/app.conf:ro\n"
		"--cap-add=NET_ADMIN\n--cap-drop=ALL\n--privileged\n--security-opt=no-new-privileges:true\n"
		"--read-only\n--init\n--stop-signal=SIGINT\n--stop-timeout=90\n"
		"--log-driver=json-file\n--log-opt=max-size=10m\n"
		"--ulimit=nofile=20000:40000\n--ulimit=nproc=65535\n"
		"--sysctl=net.core.somaxconn=1024\n"
		"--storage-opt=size=1G\n"
		"--pids-limit=100\n--shm-size=67108864\n--memory=1073741824\n--memory-reservation=536870912\n"
		"--memory-swap=2147483648\n--memory-swappiness=10\n--oom-kill-disable\n--oom-score-adj=-500\n"
		"--cpus=1.5\n--cpu-shares=512\n--cpuset-cpus=0-1\n"
		"--device=/dev/ttyUSB0:/dev/ttyS0:rwm\n--device=/dev/sda:/dev/sda:rwm\n"
		"--device-cgroup-rule=c 1:3 mr\n--group-add=audio\n"
		"--ipc=shareable\n--pid=container:demo-db-1\n--userns=host\n--cgroupns=private\n"
		"--cgroup-parent=my.slice\n--platform=linux/amd64\n--pull=missing\n"
		"--interactive\n--tty\n--mac-address=02:42:ac:11:00:03",
		f->dir, f->dir);
	run_args(f, p, "web", ENGINE_DOCKER, true, want, "nginx:1.27");
	/* what no flag carries is reported at its location, and only that */
	expect_warning(f, "compose.yaml:29:54: warning: service \"web\": config \"inline\"");
	expect_warning(f, "service \"web\": config \"inline\" (not from a file) cannot be expressed by `docker run`, "
			  "ignoring");
	expect_warning(f, "service \"web\": gpus cannot be expressed by `docker run`, ignoring");
	expect_warning(f, "service \"web\": develop cannot be expressed by `docker run`, ignoring");
	assert_int_equal(f->d.warnings, 3);
	assert_int_equal(f->d.errors, 0);

	/* deploy.resources stand in for the unset top-level limits; no --restart */
	run_args(f, p, "db", ENGINE_DOCKER, true,
		 "--network=name=demo_default,alias=demo-db-1,alias=db\n"
		 "--pids-limit=50\n--memory=268435456\n--memory-reservation=134217728\n--cpus=0.5",
		 "postgres:18");
	assert_int_equal(f->d.warnings, 3); /* db adds none */
}

static void test_service_podman(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, big_yaml);
	struct strvec flags = { 0 }, tail = { 0 };
	run_args_service(&f->a, &f->d, plan_of(f, p, ENGINE_PODMAN), svc(p, "web"), 1, true, &flags, &tail);
	struct strbuf got = STRBUF_INIT;
	for (size_t i = 0; i < flags.n; i++)
		sb_addf(&got, "%s\n", flags.v[i]);
	/* podman's network syntax, no --domainname and no --link */
	assert_non_null(strstr(got.buf, "\n--network=demo_front:alias=demo-web-1,alias=web,alias=www,ip=172.20.0.5\n"
					"--network=shared-back:alias=demo-web-1,alias=web,mac=02:42:ac:11:00:02\n"
					"--add-host=somehost:162.242.195.82\n"));
	assert_null(strstr(got.buf, "--domainname"));
	assert_null(strstr(got.buf, "--link"));
	assert_non_null(strstr(got.buf, "--hostname=web1\n--user=1000:1000\n"));
	assert_non_null(strstr(got.buf, "\n--storage-opt=size=1G\n"));
	sb_release(&got);
	expect_warning(f, "service \"web\": domainname cannot be expressed by `podman run`, ignoring");
	expect_warning(f, "service \"web\": links cannot be expressed by `podman run`, ignoring");
	expect_warning(f, "service \"web\": external_links cannot be expressed by `podman run`, ignoring");
	expect_warning(f, "service \"web\": develop cannot be expressed by `podman run`, ignoring");
	assert_int_equal(f->d.warnings, 6);

	/* warn=false: the same argv, nothing reported */
	struct strvec again = { 0 }, tail2 = { 0 };
	run_args_service(&f->a, &f->d, plan_of(f, p, ENGINE_PODMAN), svc(p, "web"), 1, false, &again, &tail2);
	assert_int_equal(again.n, flags.n);
	assert_int_equal(f->d.warnings, 6);
}

/* ---- ports -------------------------------------------------------------------- */

static void test_ports(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  web:\n"
					  "    image: nginx\n"
					  "    network_mode: host\n"
					  "    ports:\n"
					  "      - \"8080:80\"\n"
					  "      - \"127.0.0.1:5000:5000/udp\"\n"
					  "      - \"[::1]:6000:6000\"\n"
					  "      - \"9000\"\n"
					  "      - \"3001-3002:4001-4002\"\n"
					  "      - {target: 7000, host_ip: 10.0.0.1, protocol: sctp}\n"
					  "      - {target: 7001, host_ip: \"fe80::1\", published: \"17001\", mode: host}\n");
	run_args(f, p, "web", ENGINE_DOCKER, true,
		 "--publish=8080:80/tcp\n--publish=127.0.0.1:5000:5000/udp\n--publish=[::1]:6000:6000/tcp\n"
		 "--publish=9000/tcp\n--publish=3001:4001/tcp\n--publish=3002:4002/tcp\n"
		 "--publish=10.0.0.1::7000/sctp\n--publish=[fe80::1]:17001:7001/tcp\n"
		 "--network=host",
		 "nginx");
	assert_int_equal(f->d.warnings, 0);
}

/* ---- mounts ------------------------------------------------------------------- */

static const char mounts_yaml[] =
	"name: demo\n"
	"services:\n"
	"  app:\n"
	"    image: app\n"
	"    volumes:\n"
	"      - /srv/data:/data:ro,z\n"
	"      - data:/named\n"
	"      - data:/named-ro:ro,nocopy\n"
	"      - /anon\n"
	"      - type: tmpfs\n"
	"        target: /scratch\n"
	"        tmpfs: {size: 64m, mode: 0o1777}\n"
	"      - type: bind\n"
	"        source: /srv/x\n"
	"        target: /x\n"
	"        bind: {create_host_path: false, propagation: rshared}\n"
	"      - {type: bind, source: /srv/rs, target: /rs, bind: {propagation: rslave}}\n"
	"      - {type: volume, source: data, target: /sub, volume: {subpath: a/b}}\n"
	"      - {type: volume, target: /anon-ro, read_only: true}\n"
	"      - {type: image, source: \"busybox:1\", target: /img}\n"
	"      - /srv/odd,name:/odd\n"
	"      - {type: bind, source: \"/srv/co:lon\", target: /colon}\n"
	"      - ext:/ext\n"
	"volumes:\n"
	"  data: {}\n"
	"  ext: {external: true, name: prod-data}\n";

static void test_mounts_docker(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, mounts_yaml);
	f->version = 2800; /* an image mount: docker 28.0 */
	run_args(f, p, "app", ENGINE_DOCKER, true,
		 "--network=name=demo_default,alias=demo-app-1,alias=app\n"
		 "--volume=/srv/data:/data:ro,z\n"
		 "--volume=demo_data:/named\n"
		 "--volume=demo_data:/named-ro:ro,nocopy\n"
		 "--volume=/anon\n"
		 "--mount=type=tmpfs,dst=/scratch,tmpfs-size=67108864,tmpfs-mode=01777\n"
		 "--mount=type=bind,src=/srv/x,dst=/x,bind-propagation=rshared\n"
		 "--volume=/srv/rs:/rs:rslave\n"
		 "--mount=type=volume,src=demo_data,dst=/sub,volume-subpath=a/b\n"
		 "--mount=type=volume,dst=/anon-ro,ro\n"
		 "--mount=type=image,src=busybox:1,dst=/img\n"
		 "--volume=/srv/odd,name:/odd\n"
		 "--mount=type=bind,src=/srv/co:lon,dst=/colon\n"
		 "--volume=prod-data:/ext",
		 "app");
	assert_int_equal(f->d.warnings, 0);
}

static void test_mounts_podman(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, mounts_yaml);
	struct strvec flags = { 0 }, tail = { 0 };
	int rc;
	const struct plan *pl = plan_at(f, p, ENGINE_PODMAN, 504, &rc); /* a volume's subpath: 5.4 */
	assert_int_equal(rc, 0);
	run_args_service(&f->a, &f->d, pl, svc(p, "app"), 1, true, &flags, &tail);
	struct strbuf got = STRBUF_INIT;
	for (size_t i = 0; i < flags.n; i++)
		sb_addf(&got, "%s\n", flags.v[i]);
	assert_non_null(strstr(got.buf, "--network=demo_default:alias=demo-app-1,alias=app\n"));
	assert_non_null(strstr(got.buf, "--mount=type=volume,src=demo_data,dst=/sub,subpath=a/b\n"));
	assert_non_null(strstr(got.buf, "--mount=type=volume,dst=/anon-ro,ro\n"));
	assert_int_equal(f->d.warnings, 0);
	sb_release(&got);
}

/* What an engine has from some version on (plan_features): below it a
 * flag is left out with a warning naming the version, or, where leaving
 * it out would change what the container sees, the plan refuses. */
static void test_engine_versions(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app:\n"
					  "    image: app\n"
					  "    extra_hosts: [\"host.docker.internal:host-gateway\", \"db:10.0.0.2\"]\n"
					  "    healthcheck: {test: [\"CMD\", \"true\"], start_interval: 2s}\n"
					  "  sub:\n"
					  "    image: app\n"
					  "    volumes: [{type: volume, source: data, target: /d, volume: {subpath: a}}]\n"
					  "volumes: {data: {}}\n");
	static const struct {
		enum engine e;
		int version;
		bool gateway, start_interval, subpath;
	} cases[] = {
		{ ENGINE_DOCKER, 1903, false, false, false }, { ENGINE_DOCKER, 2010, true, false, false },
		{ ENGINE_DOCKER, 2500, true, true, false },   { ENGINE_DOCKER, 2600, true, true, true },
		{ ENGINE_PODMAN, 403, false, false, false },  { ENGINE_PODMAN, 407, true, false, false },
		{ ENGINE_PODMAN, 504, true, false, true },    { ENGINE_PODMAN, 508, true, false, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc, errors = f->d.errors, warnings = f->d.warnings;
		size_t out = f->d.out.len;
		const struct plan *pl = plan_at(f, p, cases[i].e, cases[i].version, &rc);
		assert_int_equal(rc, cases[i].subpath ? 0 : -1);
		assert_int_equal(f->d.errors - errors, cases[i].subpath ? 0 : 1);
		if (!cases[i].subpath)
			assert_non_null(strstr(f->d.out.buf + out, "volume.subpath needs"));
		struct strvec flags = { 0 }, tail = { 0 };
		run_args_service(&f->a, &f->d, pl, svc(p, "app"), 1, true, &flags, &tail);
		bool gateway = false, start_interval = false, db = false;
		for (size_t k = 0; k < flags.n; k++) {
			gateway |= strcmp(flags.v[k], "--add-host=host.docker.internal:host-gateway") == 0;
			db |= strcmp(flags.v[k], "--add-host=db:10.0.0.2") == 0;
			start_interval |= strcmp(flags.v[k], "--health-start-interval=2s") == 0;
		}
		assert_true(db);
		assert_int_equal(gateway, cases[i].gateway);
		assert_int_equal(start_interval, cases[i].start_interval);
		assert_int_equal(f->d.warnings - warnings,
				 !cases[i].gateway + !cases[i].start_interval + (cases[i].e == ENGINE_DOCKER ? 1 : 0));
		if (!cases[i].gateway)
			assert_non_null(strstr(f->d.out.buf + out, cases[i].e == ENGINE_DOCKER
									? "needs docker 20.10 (this output is for 19.3"
									: "needs podman 4.7 (this output is for 4.3: --podman-version)"));
	}
}

/* A network's MAC address and gateway priority by docker version: before
 * 25.0 the container's one network at create takes the MAC address as the
 * container's own (--mac-address); gw-priority came with 28.0. */
static void test_endpoint_versions(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app:\n"
					  "    image: app\n"
					  "    networks:\n"
					  "      front: {mac_address: \"02:42:ac:11:00:02\", gw_priority: 5}\n"
					  "networks: {front: {}}\n");
	static const struct {
		int version;
		const char *net, *mac;
		int warnings;
	} cases[] = {
		{ 2010, "--network=name=demo_front,alias=demo-app-1,alias=app", "--mac-address=02:42:ac:11:00:02", 1 },
		{ 2500, "--network=name=demo_front,alias=demo-app-1,alias=app,mac-address=02:42:ac:11:00:02", NULL, 1 },
		{ 2800,
		  "--network=name=demo_front,alias=demo-app-1,alias=app,mac-address=02:42:ac:11:00:02,gw-priority=5",
		  NULL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc, warnings = f->d.warnings;
		const struct plan *pl = plan_at(f, p, ENGINE_DOCKER, cases[i].version, &rc);
		assert_int_equal(rc, 0);
		struct strvec flags = { 0 }, tail = { 0 };
		run_args_service(&f->a, &f->d, pl, svc(p, "app"), 1, true, &flags, &tail);
		bool net = false, mac = false;
		for (size_t k = 0; k < flags.n; k++) {
			net |= strcmp(flags.v[k], cases[i].net) == 0;
			mac |= cases[i].mac && strcmp(flags.v[k], cases[i].mac) == 0;
			assert_true(cases[i].mac || !str_has_prefix(flags.v[k], "--mac-address="));
		}
		assert_true(net);
		assert_int_equal(mac, cases[i].mac != NULL);
		assert_int_equal(f->d.warnings - warnings, cases[i].warnings);
	}
	expect_warning(f, "service \"app\": networks.gw_priority needs docker 28.0 (this output is for 25.0");
}

/* The other options docker has from some version on: --annotation (24.0),
 * bind-recursive= (25.0; podman has none), an image mount (28.0: refused
 * below, the container would lack its files); and a pre_start step, whose
 * `run --rm` cannot be connected later, joins the first network only below
 * 25.0. */
static void test_more_versions(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app:\n"
					  "    image: app\n"
					  "    annotations: {a.b: c}\n"
					  "    volumes: [{type: bind, source: /srv, target: /srv, bind: {recursive: readonly}}]\n"
					  "    networks: [back, front]\n"
					  "    pre_start: [{command: [\"true\"]}]\n"
					  "  img:\n"
					  "    image: app\n"
					  "    volumes: [{type: image, source: busybox, target: /img}]\n"
					  "networks: {back: {}, front: {}}\n");
	static const struct {
		int version;
		bool annotation, recursive, image, step_networks;
	} cases[] = {
		{ 2010, false, false, false, false },
		{ 2400, true, false, false, false },
		{ 2500, true, true, false, true },
		{ 2800, true, true, true, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc, errors = f->d.errors;
		const struct plan *pl = plan_at(f, p, ENGINE_DOCKER, cases[i].version, &rc);
		assert_int_equal(rc, cases[i].image ? 0 : -1);
		assert_int_equal(f->d.errors - errors, cases[i].image ? 0 : 1);
		struct strvec flags = { 0 }, tail = { 0 }, step = { 0 };
		run_args_service(&f->a, &f->d, pl, svc(p, "app"), 1, true, &flags, &tail);
		bool annotation = false, recursive = false;
		for (size_t k = 0; k < flags.n; k++) {
			annotation |= strcmp(flags.v[k], "--annotation=a.b=c") == 0;
			recursive |= strstr(flags.v[k], "bind-recursive=readonly") != NULL;
		}
		assert_int_equal(annotation, cases[i].annotation);
		assert_int_equal(recursive, cases[i].recursive);
		run_args_pre_start(&f->a, pl, svc(p, "app"), 0, NULL, &step);
		int nets = 0;
		for (size_t k = 0; k < step.n; k++)
			nets += str_has_prefix(step.v[k], "--network=");
		assert_int_equal(nets, cases[i].step_networks ? 2 : 1);
	}
	expect_warning(f, "service \"app\": annotations needs docker 24.0 (this output is for 20.10");
	expect_warning(f, "service \"app\": volumes.bind.recursive needs docker 25.0 (this output is for 24.0");
	expect_warning(f, "service \"img\": a volume of type image needs docker 28.0 (this output is for 25.0");
}

/* Paths and aliases that would break a CSV record or the -v syntax. */
static void test_hostile_mount_and_alias(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app:\n"
					  "    image: app\n"
					  "    environment: {\"K\": \"$$HOME 100% it's \\\"q\\\" a,b\"}\n"
					  "    networks: {default: {aliases: [\"a,b\"]}}\n"
					  "    volumes:\n"
					  "      - {type: bind, source: \"/srv/we\\\"ird:x,y\", target: /t, read_only: true}\n");
	run_args(f, p, "app", ENGINE_DOCKER, true,
		 "--env=K=$HOME 100% it's \"q\" a,b\n"
		 "--network=name=demo_default,alias=demo-app-1,alias=app,\"alias=a,b\"\n"
		 "--mount=type=bind,\"src=/srv/we\"\"ird:x,y\",dst=/t,ro",
		 "app");
	assert_int_equal(f->d.warnings, 0);
	/* podman's NAME:opts has no quoting: the alias is reported, not mangled */
	struct strvec flags = { 0 }, tail = { 0 };
	run_args_service(&f->a, &f->d, plan_of(f, p, ENGINE_PODMAN), svc(p, "app"), 1, true, &flags, &tail);
	const char *net = NULL;
	for (size_t i = 0; i < flags.n; i++)
		if (str_has_prefix(flags.v[i], "--network="))
			net = flags.v[i];
	assert_string_equal(net, "--network=demo_default:alias=demo-app-1,alias=app");
	expect_warning(f, "network option alias=\"a,b\" (a comma) cannot be expressed by `podman run`");
	assert_int_equal(f->d.warnings, 1);
}

/* ---- network_mode, ipc, volumes_from with service: ----------------------------------- */

static void test_service_references(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  vpn: {image: vpn, container_name: the-vpn}\n"
					  "  app:\n"
					  "    image: app\n"
					  "    network_mode: \"service:vpn\"\n"
					  "    ipc: \"service:db\"\n"
					  "    uts: host\n"
					  "    volumes_from: [\"service:db:rw\"]\n"
					  "  db: {image: pg, scale: 2}\n"
					  "  side: {image: side, network_mode: \"container:abc\"}\n");
	run_args(f, p, "app", ENGINE_DOCKER, true,
		 "--network=container:the-vpn\n"
		 "--volumes-from=demo-db-1:rw\n"
		 "--ipc=container:demo-db-1\n--uts=host",
		 "app");
	run_args(f, p, "side", ENGINE_PODMAN, true,
		 "--network=container:abc",
		 "side");
	assert_int_equal(f->d.warnings, 0);
}

/* ---- healthchecks -------------------------------------------------------------- */

static const char health_yaml[] =
	"name: demo\n"
	"services:\n"
	"  exec:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck:\n"
	"      test: [\"CMD\", \"curl\", \"-f\", \"http://x/it's\"]\n"
	"      interval: 1m30s\n"
	"      timeout: 500ms\n"
	"      start_period: 40s\n"
	"      start_interval: 5s\n"
	"      retries: 3\n"
	"  shell:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {test: [\"CMD-SHELL\", \"pg_isready -U $${USER} || exit 1\"]}\n"
	"  string:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {test: \"cmd /c check\"}\n"
	"  none:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {test: [\"NONE\"]}\n"
	"  disabled:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {test: [\"CMD\", \"true\"], disable: true}\n"
	"  single:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {test: [\"CMD\", \"/bin/check\"]}\n"
	"  timing:\n"
	"    image: a\n"
	"    network_mode: none\n"
	"    healthcheck: {interval: 10s}\n";

#define LABELS(s) "" /* compose's labels are left out by run_args */

static void test_healthcheck_docker(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, health_yaml);
	run_args(f, p, "exec", ENGINE_DOCKER, true,
		 LABELS("exec") "--network=none\n"
				"--health-cmd='curl' '-f' 'http://x/it'\\''s'\n"
				"--health-interval=1m30s\n--health-timeout=500ms\n--health-start-period=40s\n"
				"--health-start-interval=5s\n--health-retries=3",
		 "a");
	run_args(f, p, "shell", ENGINE_DOCKER, true,
		 LABELS("shell") "--network=none\n--health-cmd=pg_isready -U ${USER} || exit 1", "a");
	run_args(f, p, "string", ENGINE_DOCKER, true,
		 LABELS("string") "--network=none\n--health-cmd=cmd /c check", "a");
	run_args(f, p, "none", ENGINE_DOCKER, true, LABELS("none") "--network=none\n--no-healthcheck", "a");
	run_args(f, p, "disabled", ENGINE_DOCKER, true, LABELS("disabled") "--network=none\n--no-healthcheck", "a");
	run_args(f, p, "single", ENGINE_DOCKER, true,
		 LABELS("single") "--network=none\n--health-cmd='/bin/check'", "a");
	run_args(f, p, "timing", ENGINE_DOCKER, true, LABELS("timing") "--network=none\n--health-interval=10s", "a");
	/* the exec forms (exec, single) run through /bin/sh: said, once each */
	expect_warning(f, "service \"exec\": the exec form of healthcheck.test (CMD) cannot be given to `docker run`");
	expect_warning(f, "service \"single\": the exec form of healthcheck.test (CMD) cannot be given to `docker run`");
	assert_int_equal(f->d.warnings, 2);
}

/* podman 4.3 and 5: a JSON array is an exact exec form; a string whose
 * first word is CMD/NONE/CMD-SHELL (any case) would be re-split, so it goes
 * as ["CMD-SHELL", ...].  Checked with `podman create` + inspect. */
static void test_healthcheck_podman(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, health_yaml);
	run_args(f, p, "exec", ENGINE_PODMAN, true,
		 LABELS("exec") "--network=none\n"
				"--health-cmd=[\"curl\",\"-f\",\"http://x/it's\"]\n"
				"--health-interval=1m30s\n--health-timeout=500ms\n--health-start-period=40s\n"
				"--health-retries=3",
		 "a");
	expect_warning(f, "service \"exec\": healthcheck.start_interval cannot be expressed by `podman run`");
	run_args(f, p, "shell", ENGINE_PODMAN, true,
		 LABELS("shell") "--network=none\n--health-cmd=pg_isready -U ${USER} || exit 1", "a");
	run_args(f, p, "string", ENGINE_PODMAN, true,
		 LABELS("string") "--network=none\n--health-cmd=[\"CMD-SHELL\",\"cmd /c check\"]", "a");
	/* one word: podman 4.3.1 reads ["/bin/check"] as CMD-SHELL anyway */
	run_args(f, p, "single", ENGINE_PODMAN, true,
		 LABELS("single") "--network=none\n--health-cmd='/bin/check'", "a");
	run_args(f, p, "none", ENGINE_PODMAN, true, LABELS("none") "--network=none\n--no-healthcheck", "a");
	assert_int_equal(f->d.warnings, 1);
}

/* ---- entrypoint and command ------------------------------------------------------ */

static void test_entrypoint_command(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  list:\n"
					  "    image: app\n"
					  "    network_mode: none\n"
					  "    entrypoint: [\"/entry.sh\", \"--flag\", \"-x\"]\n"
					  "    command: [\"serve\", \"--port\", \"80\"]\n"
					  "  shell:\n"
					  "    image: app\n"
					  "    network_mode: none\n"
					  "    entrypoint: /entry.sh \"a b\"\n"
					  "    command: echo 'hi there'\n"
					  "  reset:\n"
					  "    image: app\n"
					  "    network_mode: none\n"
					  "    entrypoint: []\n"
					  "  cleared:\n"
					  "    image: app\n"
					  "    network_mode: none\n"
					  "    command: []\n"
					  "  built:\n"
					  "    build: .\n"
					  "    network_mode: none\n"
					  "    command: [\"-leading\", \"\"]\n");
	run_args(f, p, "list", ENGINE_DOCKER, true, LABELS("list") "--network=none\n--entrypoint=/entry.sh",
		 "app\n--flag\n-x\nserve\n--port\n80");
	run_args(f, p, "shell", ENGINE_DOCKER, true, LABELS("shell") "--network=none\n--entrypoint=/entry.sh",
		 "app\na b\necho\nhi there");
	run_args(f, p, "reset", ENGINE_DOCKER, true, LABELS("reset") "--network=none\n--entrypoint=", "app");
	assert_int_equal(f->d.warnings, 0);
	run_args(f, p, "cleared", ENGINE_DOCKER, true, LABELS("cleared") "--network=none", "app");
	expect_warning(f, "service \"cleared\": an empty command (clearing the image's CMD) cannot be expressed");
	assert_int_equal(f->d.warnings, 1);
	run_args(f, p, "built", ENGINE_DOCKER, true, LABELS("built") "--network=none", "demo-built\n-leading\n");
	/* podman: the entrypoint whole, as a JSON array; one word as it is */
	run_args(f, p, "list", ENGINE_PODMAN, true,
		 LABELS("list") "--network=none\n--entrypoint=[\"/entry.sh\",\"--flag\",\"-x\"]", "app\nserve\n--port\n80");
	run_args(f, p, "shell", ENGINE_PODMAN, true,
		 LABELS("shell") "--network=none\n--entrypoint=[\"/entry.sh\",\"a b\"]", "app\necho\nhi there");
	run_args(f, p, "reset", ENGINE_PODMAN, true, LABELS("reset") "--network=none\n--entrypoint=", "app");
}

/* ---- pre_start, hooks ------------------------------------------------------------ */

static const char hooks_yaml[] =
	"name: demo\n"
	"services:\n"
	"  app:\n"
	"    image: myapp:latest\n"
	"    user: \"1000:1000\"\n"
	"    working_dir: /srv\n"
	"    environment: {DATABASE_URL: \"postgres://db/app\", MODE: prod, EMPTY: \"\"}\n"
	"    networks: {back: {aliases: [api], ipv4_address: 10.1.0.5}, front: {priority: 5}}\n"
	"    volumes:\n"
	"      - data:/data\n"
	"      - /srv/conf:/conf:ro\n"
	"      - /anon\n"
	"      - {type: tmpfs, target: /tmp}\n"
	"    tmpfs: [/run]\n"
	"    secrets: [token]\n"
	"    pre_start:\n"
	"      - command: [\"./manage.py\", \"migrate\"]\n"
	"      - image: busybox\n"
	"        user: root\n"
	"        command: sh -c 'chown -R 1000:1000 /data'\n"
	"        environment: {MODE: setup}\n"
	"        privileged: true\n"
	"        working_dir: /data\n"
	"    post_start:\n"
	"      - command: [\"/hooks/ready\", \"--now\"]\n"
	"        user: root\n"
	"        privileged: true\n"
	"        working_dir: /hooks\n"
	"        environment: {X: \"1\"}\n"
	"    pre_stop:\n"
	"      - command: ./drain.sh\n"
	"  vpn:\n"
	"    image: vpn\n"
	"  side:\n"
	"    build: .\n"
	"    network_mode: \"service:vpn\"\n"
	"    pre_start:\n"
	"      - {}\n"
	"networks: {back: {}, front: {}}\n"
	"volumes: {data: {}}\n"
	"secrets: {token: {file: /run/keys/token}}\n";

static void test_pre_start(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, hooks_yaml);
	const struct service *app = svc(p, "app");
	struct strvec v = { 0 };
	run_args_pre_start(&f->a, plan_of(f, p, ENGINE_DOCKER), app, 0, "demo-app-pre_start-1", &v);
	expect_argv(&v, "run\n--rm\n--name=demo-app-pre_start-1\n"
			"--user=1000:1000\n--workdir=/srv\n"
			"--env=DATABASE_URL=postgres://db/app\n--env=EMPTY=\n--env=MODE=prod\n"
			"--label=com.docker.compose.project=demo\n--label=com.docker.compose.service=app\n"
			"--label=com.docker.compose.hook=pre_start\n"
			"--network=demo_front\n--network=demo_back\n"
			"--volume=demo_data:/data\n--volume=/srv/conf:/conf:ro\n"
			"--volume=/run/keys/token:/run/secrets/token:ro\n"
			"myapp:latest\n./manage.py\nmigrate");
	struct strvec w = { 0 };
	run_args_pre_start(&f->a, plan_of(f, p, ENGINE_PODMAN), app, 1, NULL, &w);
	expect_argv(&w, "run\n--rm\n--privileged\n--user=root\n--workdir=/data\n"
			"--env=DATABASE_URL=postgres://db/app\n--env=EMPTY=\n--env=MODE=setup\n"
			"--label=com.docker.compose.project=demo\n--label=com.docker.compose.service=app\n"
			"--label=com.docker.compose.hook=pre_start\n"
			"--network=demo_front\n--network=demo_back\n"
			"--volume=demo_data:/data\n--volume=/srv/conf:/conf:ro\n"
			"--volume=/run/keys/token:/run/secrets/token:ro\n"
			"busybox\nsh\n-c\nchown -R 1000:1000 /data");
	/* build-only image inherited, network_mode shared, no command: the image's */
	struct strvec x = { 0 };
	run_args_pre_start(&f->a, plan_of(f, p, ENGINE_DOCKER), svc(p, "side"), 0, "n", &x);
	expect_argv(&x, "run\n--rm\n--name=n\n"
			"--label=com.docker.compose.project=demo\n--label=com.docker.compose.service=side\n"
			"--label=com.docker.compose.hook=pre_start\n"
			"--network=container:demo-vpn-1\ndemo-side");
}

static void test_exec_hooks(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, hooks_yaml);
	const struct service *app = svc(p, "app");
	struct strvec v = { 0 }, w = { 0 };
	run_args_exec_hook(&f->a, &app->post_start[0], "demo-app", &v);
	expect_argv(&v, "exec\n--privileged\n--user=root\n--workdir=/hooks\n--env=X=1\ndemo-app\n/hooks/ready\n--now");
	run_args_exec_hook(&f->a, &app->pre_stop[0], "demo-app", &w);
	expect_argv(&w, "exec\ndemo-app\n./drain.sh");
}

static void test_pre_start_hash(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, hooks_yaml);
	const struct hook *h0 = &svc(p, "app")->pre_start[0], *h1 = &svc(p, "app")->pre_start[1];
	uint64_t a0 = pre_start_hash(h0);
	assert_true(a0 == pre_start_hash(h0));
	assert_true(a0 != pre_start_hash(h1));

	/* the same definition loaded again hashes the same; pinned (and
	 * recomputed independently, in Python, from the documented
	 * serialization) so that a change of it is a visible decision */
	struct fx g = { 0 };
	arena_init(&g.a);
	diag_init(&g.d, &g.a);
	strcpy(g.dir, f->dir);
	const struct project *q = load(&g, hooks_yaml);
	assert_true(pre_start_hash(&svc(q, "app")->pre_start[0]) == a0);
	if (a0 != UINT64_C(0xce12dd6d38d80b4b))
		fail_msg("hash %#llx", (unsigned long long)a0);

	/* every field of the definition counts */
	struct hook h = *h0;
	const char *argv2[] = { "./manage.py", "migrate", "--fake" };
	h.command.argv.v = argv2;
	h.command.argv.n = 3;
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	h.user = "root";
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	h.image = "myapp:2";
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	h.working_dir = "/x";
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	h.privileged = TRI_TRUE;
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	h.per_replica = TRI_TRUE;
	assert_true(pre_start_hash(&h) != a0);
	h = *h0;
	struct kv env[3];
	memcpy(env, h0->environment.v, sizeof(env));
	env[2].value = "staging";
	h.environment.v = env;
	assert_true(pre_start_hash(&h) != a0);
	/* NULL and "" differ; moving bytes between fields changes the hash */
	h = *h0;
	h.working_dir = "";
	uint64_t empty = pre_start_hash(&h);
	assert_true(empty != a0);
	const char *joined[] = { "./manage.pymigrate", "" };
	h = *h0;
	h.command.argv.v = joined;
	assert_true(pre_start_hash(&h) != a0);
	diag_release(&g.d);
	arena_release(&g.a);
}

/* ---- build, networks, volumes ------------------------------------------------------- */

static void test_build(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  api:\n"
					  "    build:\n"
					  "      context: ./src\n"
					  "      dockerfile: docker/Dockerfile.prod\n"
					  "      args: {VERSION: \"2\", FROM_ENV: null}\n"
					  "      target: runtime\n"
					  "      labels: {org.x: y}\n"
					  "      network: host\n"
					  "      no_cache: true\n"
					  "      pull: true\n"
					  "      tags: [\"reg/api:2\"]\n"
					  "  web:\n"
					  "    image: web:1\n"
					  "    build: {context: /abs/ctx, dockerfile: /abs/Dockerfile}\n"
					  "  inline:\n"
					  "    build: {context: ., dockerfile_inline: \"FROM busybox\"}\n"
					  "  root:\n"
					  "    build: {context: /, dockerfile: Containerfile}\n");
	struct strvec v = { 0 }, w = { 0 }, x = { 0 }, y = { 0 };
	run_args_build(&f->a, plan_of(f, p, ENGINE_DOCKER), svc(p, "api"), &v);
	char *want = arena_printf(&f->a,
				  "build\n--tag=demo-api\n--tag=reg/api:2\n--file=%s/src/docker/Dockerfile.prod\n"
				  "--build-arg=VERSION=2\n--target=runtime\n--label=org.x=y\n--network=host\n"
				  "--no-cache\n--pull\n%s/src",
				  f->dir, f->dir);
	expect_argv(&v, want);
	run_args_build(&f->a, plan_of(f, p, ENGINE_DOCKER), svc(p, "web"), &w);
	expect_argv(&w, "build\n--tag=web:1\n--file=/abs/Dockerfile\n/abs/ctx");
	run_args_build(&f->a, plan_of(f, p, ENGINE_DOCKER), svc(p, "inline"), &x);
	expect_argv(&x, arena_printf(&f->a, "build\n--tag=demo-inline\n%s", f->dir));
	run_args_build(&f->a, plan_of(f, p, ENGINE_DOCKER), svc(p, "root"), &y);
	expect_argv(&y, "build\n--tag=demo-root\n--file=/Containerfile\n/");
}

static void test_network_volume_create(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app: {image: app, networks: [back, front], volumes: [\"data:/d\", \"ext:/e\"]}\n"
					  "networks:\n"
					  "  back:\n"
					  "    driver: bridge\n"
					  "    driver_opts: {com.docker.network.bridge.name: br-demo, com.docker.network.driver.mtu: \"1400\"}\n"
					  "    internal: true\n"
					  "    enable_ipv6: true\n"
					  "    attachable: true\n"
					  "    labels: {tier: back}\n"
					  "    ipam:\n"
					  "      driver: default\n"
					  "      config:\n"
					  "        - {subnet: 172.28.0.0/16, gateway: 172.28.0.1, ip_range: 172.28.5.0/24}\n"
					  "        - {subnet: \"fd00::/64\"}\n"
					  "  front: {name: custom-front}\n"
					  "volumes:\n"
					  "  data: {driver: local, driver_opts: {type: tmpfs, device: tmpfs}, labels: [\"k=v\"]}\n"
					  "  ext: {name: given}\n");
	struct strvec v = { 0 }, w = { 0 }, x = { 0 }, y = { 0 }, z = { 0 };
	run_args_network_create(&f->a, p, project_resource(p, RES_NETWORK, "back"), ENGINE_DOCKER, &v);
	expect_argv(&v, "network\ncreate\n--driver=bridge\n--opt=com.docker.network.bridge.name=br-demo\n"
			"--opt=com.docker.network.driver.mtu=1400\n"
			"--ipam-driver=default\n--subnet=172.28.0.0/16\n--gateway=172.28.0.1\n"
			"--ip-range=172.28.5.0/24\n--subnet=fd00::/64\n--internal\n--ipv6\n--label=tier=back\n"
			"--label=com.docker.compose.project=demo\n--label=com.docker.compose.network=back\ndemo_back");
	/* podman refuses docker's mtu option and takes its own */
	run_args_network_create(&f->a, p, project_resource(p, RES_NETWORK, "back"), ENGINE_PODMAN, &z);
	assert_string_equal(z.v[4], "--opt=mtu=1400");
	run_args_network_create(&f->a, p, project_resource(p, RES_NETWORK, "front"), ENGINE_DOCKER, &w);
	expect_argv(&w, "network\ncreate\n--label=com.docker.compose.project=demo\n"
			"--label=com.docker.compose.network=front\ncustom-front");
	run_args_volume_create(&f->a, p, project_resource(p, RES_VOLUME, "data"), &x);
	expect_argv(&x, "volume\ncreate\n--driver=local\n--opt=device=tmpfs\n--opt=type=tmpfs\n--label=k=v\n"
			"--label=com.docker.compose.project=demo\n--label=com.docker.compose.volume=data\ndemo_data");
	run_args_volume_create(&f->a, p, project_resource(p, RES_VOLUME, "ext"), &y);
	expect_argv(&y, "volume\ncreate\n--label=com.docker.compose.project=demo\n"
			"--label=com.docker.compose.volume=ext\ngiven");
}

/* ---- resources and the rest of the table ---------------------------------------------- */

static void test_resources_and_runtime(void **state)
{
	struct fx *f = *state;
	const struct project *p = load(f, "name: demo\n"
					  "services:\n"
					  "  app:\n"
					  "    image: app\n"
					  "    network_mode: bridge\n"
					  "    cpu_period: 100000\n"
					  "    cpu_quota: 50000\n"
					  "    cpu_rt_period: 1000000\n"
					  "    cpu_rt_runtime: 950ms\n"
					  "    cpu_count: 2\n"
					  "    cpu_percent: 50\n"
					  "    mem_limit: 300000000\n"
					  "    memswap_limit: -1\n"
					  "    isolation: default\n"
					  "    runtime: runc\n"
					  "    volume_driver: local\n"
					  "    pull_policy: daily\n"
					  "    stop_grace_period: 2500ms\n"
					  "    blkio_config: {weight: 300}\n"
					  "    deploy:\n"
					  "      resources:\n"
					  "        limits: {cpus: \"4\", pids: 7, memory: 300000000}\n"
					  "        reservations: {devices: [{capabilities: [gpu]}]}\n");
	run_args(f, p, "app", ENGINE_DOCKER, true,
		 LABELS("app") "--network=bridge\n--volume-driver=local\n--stop-timeout=2\n"
			       "--pids-limit=7\n--memory=300000000\n--memory-swap=-1\n--cpus=4\n"
			       "--cpu-period=100000\n--cpu-quota=50000\n--cpu-rt-period=1000000\n"
			       "--cpu-rt-runtime=950000\n--cpu-count=2\n--cpu-percent=50\n"
			       "--isolation=default\n--runtime=runc",
		 "app");
	expect_warning(f, "pull_policy \"daily\" cannot be expressed by `docker run`");
	expect_warning(f, "blkio_config cannot be expressed by `docker run`");
	expect_warning(f, "compose.yaml:23:33: warning: service \"app\": deploy.resources.reservations.devices cannot "
			  "be expressed by `docker run`, ignoring");
	assert_int_equal(f->d.warnings, 3);
	run_args(f, p, "app", ENGINE_PODMAN, true,
		 LABELS("app") "--network=bridge\n--stop-timeout=2\n"
			       "--pids-limit=7\n--memory=300000000\n--memory-swap=-1\n--cpus=4\n"
			       "--cpu-period=100000\n--cpu-quota=50000\n--cpu-rt-period=1000000\n"
			       "--cpu-rt-runtime=950000",
		 "app");
	expect_warning(f, "service \"app\": volume_driver cannot be expressed by `podman run`");
	expect_warning(f, "service \"app\": cpu_count cannot be expressed by `podman run`");
	expect_warning(f, "service \"app\": cpu_percent cannot be expressed by `podman run`");
	expect_warning(f, "service \"app\": isolation cannot be expressed by `podman run`");
	expect_warning(f, "service \"app\": runtime cannot be expressed by `podman run`");
	assert_int_equal(f->d.warnings, 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_docker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_podman, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mounts_docker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mounts_podman, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_mount_and_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_references, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthcheck_docker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthcheck_podman, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entrypoint_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_start_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_volume_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resources_and_runtime, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
