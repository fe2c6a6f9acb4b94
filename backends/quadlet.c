/*
 * quadlet.c - the Podman Quadlet target: <project>-<service>.container per
 * service, <project>-<net>.network and <project>-<vol>.volume per network
 * and volume the project creates, <project>-<service>.build per built image
 * (podman >= 5.2).  The Quadlet generator turns them into
 * <project>-<service>.service, <project>-<net>-network.service,
 * <project>-<vol>-volume.service and <project>-<service>-build.service:
 * the project's name keeps two projects apart in one directory and off a
 * host unit's name, as the systemd target's units.
 *
 * Rules (reference/quadlet_systemd.md §2, checked against the podman 5.4.2
 * generator):
 *  - Quadlet rejects unknown keys, so every key comes from qkeys[] with the
 *    podman release that introduced it.  For an older --podman-version the
 *    value goes to PodmanArgs= as the equivalent `podman` flag.
 *  - Quadlet reads a key in one of two ways.  Word keys (Exec, Environment,
 *    Label, PodmanArgs, ...) are split into words with systemd's unquoting
 *    and C unescaping, so each value is one systemd_exec_arg.  Raw keys
 *    (Image, Volume, HealthCmd, ...) are taken as written, trimmed.  Both
 *    end up in ExecStart=, where systemd resolves % specifiers and $
 *    variables and Quadlet escapes neither: raw values get %% and $$
 *    (quadlet_raw), and a raw value Quadlet cannot carry (controls, a
 *    backslash, edge blanks, surrounding quotes) goes to PodmanArgs= as a
 *    word.  An empty word ends Quadlet's word list and a lone ";" becomes
 *    a command separator in ExecStart=: those two cannot be expressed.
 *  - [Unit], [Service] and [Install] pass through to systemd: post_start
 *    ExecStartPost= and pre_stop ExecStop= `podman exec` lines (Quadlet
 *    appends its own ExecStop= after them).
 *  - Run-time semantics are the plan layer's, as systemd's units have them
 *    (backends/unitplan.h, DESIGN.md §6a), not Quadlet's defaults:
 *    depends_on is Wants= and After= on <project>-<dep>.service, PartOf= for
 *    restart: true, never Requires= (which restarts the dependent with a
 *    crashed dependency); the dependent waits itself in ExecStartPre= for
 *    its dependency to run, be healthy (no Notify=healthy: a dependency
 *    that never gets healthy would be failed and removed when its start
 *    times out, where compose keeps it running) or have completed
 *    (service_completed_successfully makes the dependency Type=oneshot);
 *    Restart= with RestartSec= and no start limit where the engines never
 *    give up (systemd's default, 5 starts in 10 s, ends a crash loop).
 *  - pre_start steps run in <project>-<service>-pre-start.container, a
 *    oneshot whose container is the last step and whose ExecStartPre=
 *    `podman run --rm` lines the others (repeating the service's networks
 *    and mounts, as the container does not exist yet), and which the
 *    service requires: Restart= of the service does not run them again, as
 *    the engine's restart does not in docker compose.  It also holds the
 *    service's waits for its dependencies, which come before the steps.
 *  - Podman objects keep compose's names: ContainerName=, and from 4.7
 *    NetworkName=/VolumeName=.  Before 4.7 a .network/.volume file would
 *    create "systemd-<key>", so services create their networks and volumes
 *    with `podman network|volume create --ignore` ExecStartPre= lines.
 *  - build: a .build file from 5.2; before, an ExecStartPre= `podman build`
 *    (Quadlet converts only its own file types, so a plain oneshot .service
 *    beside the .container would never be loaded).
 *  - configs and secrets written inline or taken from the environment
 *    (plan_files): `podman run` cannot be split into create, copy and
 *    start, so the unit's ExecStartPre= runs <project>-<service>.files.sh
 *    beside the .container, which writes them into %t/composec/<container>
 *    with their modes and owners, and the container binds each (U where
 *    docker compose's copy gives the file to the container's user).
 *  - [Install] WantedBy=default.target: Quadlet has no type for compose's
 *    project target.  With --pod (podman 5.0), <project>.pod is the
 *    project's one unit, <project>-pod.service, which Quadlet makes want
 *    every container of the pod (they bind to it): the pod publishes every
 *    service's ports, joins every network a service uses under every name
 *    a service is reached by, and takes their DNS settings and extra
 *    hosts; its exit policy is continue, as a compose project goes on when
 *    a container has exited.  What a container in a pod cannot set (its
 *    hostname, addresses, expose) is reported; network_mode and a host
 *    port published twice are errors.
 */
#include "backends/backend.h"
#include "backends/escape.h"
#include "backends/runargs.h"
#include "backends/unitplan.h"
#include "base/emit.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define V(major, minor) ((major) * 100 + (minor))
#define TIMEOUT_MARGIN 60 /* seconds: TimeoutStopSec= above StopTimeout=, as podman generate systemd */
#define TIMEOUT_START_DEFAULT 90
#define TIMEOUT_START_LONG 900

/* ---- the key table ------------------------------------------------------------- */

enum qkind { QK_RAW, QK_WORD };

enum qkey {
	/* [Container] */
	C_ADD_CAPABILITY, C_ADD_DEVICE, C_ADD_HOST, C_ANNOTATION, C_APP_ARMOR, C_CONTAINER_NAME, C_DNS, C_DNS_OPTION,
	C_DNS_SEARCH, C_DROP_CAPABILITY, C_ENTRYPOINT, C_ENVIRONMENT, C_EXEC, C_EXPOSE_HOST_PORT, C_GLOBAL_ARGS, C_GROUP,
	C_GROUP_ADD, C_HEALTH_CMD, C_HEALTH_INTERVAL, C_HEALTH_RETRIES, C_HEALTH_START_PERIOD, C_HEALTH_TIMEOUT,
	C_HOST_NAME, C_IMAGE, C_LABEL, C_LOG_DRIVER, C_LOG_OPT, C_MASK, C_MEMORY, C_MOUNT, C_NETWORK, C_NETWORK_ALIAS,
	C_NO_NEW_PRIVILEGES, C_PIDS_LIMIT, C_POD, C_PODMAN_ARGS, C_PUBLISH_PORT, C_PULL, C_READ_ONLY, C_RUN_INIT,
	C_SECCOMP_PROFILE, C_SECRET, C_SECURITY_LABEL_DISABLE, C_SECURITY_LABEL_FILE_TYPE, C_SECURITY_LABEL_LEVEL,
	C_SECURITY_LABEL_NESTED, C_SECURITY_LABEL_TYPE, C_SHM_SIZE, C_STOP_SIGNAL, C_STOP_TIMEOUT, C_SYSCTL, C_TMPFS,
	C_ULIMIT, C_UNMASK, C_USER, C_USER_NS, C_VOLUME, C_WORKING_DIR,
	/* [Network] */
	N_DRIVER, N_GATEWAY, N_INTERNAL, N_IP_RANGE, N_IPAM_DRIVER, N_IPV6, N_LABEL, N_NETWORK_NAME, N_OPTIONS,
	N_PODMAN_ARGS, N_SUBNET,
	/* [Volume] */
	V_DEVICE, V_DRIVER, V_LABEL, V_OPTIONS, V_PODMAN_ARGS, V_TYPE, V_VOLUME_NAME,
	/* [Build] */
	B_FILE, B_IMAGE_TAG, B_LABEL, B_NETWORK, B_PODMAN_ARGS, B_PULL, B_SET_WORKING_DIRECTORY, B_TARGET,
	/* [Pod] */
	P_NETWORK, P_NETWORK_ALIAS, P_POD_NAME, P_PODMAN_ARGS, P_PUBLISH_PORT,
	Q__MAX
};

struct qkey_info {
	const char *name;
	int since;        /* the podman release that introduced the key */
	enum qkind kind;
	const char *flag; /* the equivalent podman flag (--flag=value), or NULL */
};

/* Releases from podman's RELEASE_NOTES.md and the generator sources:
 * 4.4 is the first Quadlet.  Ulimit= is listed at 5.0, the release that
 * allows it more than once.  The [Volume] keys other than Label= are not
 * in 4.4's generator; they are only used from 4.7 on (VolumeName=). */
static const struct qkey_info qkeys[Q__MAX] = {
	[C_ADD_CAPABILITY] = { "AddCapability", V(4, 4), QK_WORD, "--cap-add" },
	[C_ADD_DEVICE] = { "AddDevice", V(4, 4), QK_WORD, "--device" },
	[C_ADD_HOST] = { "AddHost", V(5, 3), QK_RAW, "--add-host" },
	[C_ANNOTATION] = { "Annotation", V(4, 4), QK_WORD, "--annotation" },
	[C_APP_ARMOR] = { "AppArmor", V(5, 8), QK_RAW, NULL },
	[C_CONTAINER_NAME] = { "ContainerName", V(4, 4), QK_RAW, NULL },
	[C_DNS] = { "DNS", V(4, 7), QK_RAW, "--dns" },
	[C_DNS_OPTION] = { "DNSOption", V(4, 7), QK_RAW, "--dns-option" },
	[C_DNS_SEARCH] = { "DNSSearch", V(4, 7), QK_RAW, "--dns-search" },
	[C_DROP_CAPABILITY] = { "DropCapability", V(4, 4), QK_WORD, "--cap-drop" },
	[C_ENTRYPOINT] = { "Entrypoint", V(5, 0), QK_RAW, "--entrypoint" },
	[C_ENVIRONMENT] = { "Environment", V(4, 4), QK_WORD, "--env" },
	[C_EXEC] = { "Exec", V(4, 4), QK_WORD, NULL },
	[C_EXPOSE_HOST_PORT] = { "ExposeHostPort", V(4, 4), QK_RAW, "--expose" },
	[C_GLOBAL_ARGS] = { "GlobalArgs", V(4, 8), QK_WORD, NULL },
	[C_GROUP] = { "Group", V(4, 4), QK_RAW, NULL },
	[C_GROUP_ADD] = { "GroupAdd", V(5, 1), QK_RAW, "--group-add" },
	[C_HEALTH_CMD] = { "HealthCmd", V(4, 5), QK_RAW, "--health-cmd" },
	[C_HEALTH_INTERVAL] = { "HealthInterval", V(4, 5), QK_RAW, "--health-interval" },
	[C_HEALTH_RETRIES] = { "HealthRetries", V(4, 5), QK_RAW, "--health-retries" },
	[C_HEALTH_START_PERIOD] = { "HealthStartPeriod", V(4, 5), QK_RAW, "--health-start-period" },
	[C_HEALTH_TIMEOUT] = { "HealthTimeout", V(4, 5), QK_RAW, "--health-timeout" },
	[C_HOST_NAME] = { "HostName", V(4, 6), QK_RAW, "--hostname" },
	[C_IMAGE] = { "Image", V(4, 4), QK_RAW, NULL },
	[C_LABEL] = { "Label", V(4, 4), QK_WORD, "--label" },
	[C_LOG_DRIVER] = { "LogDriver", V(4, 5), QK_RAW, "--log-driver" },
	[C_LOG_OPT] = { "LogOpt", V(5, 2), QK_RAW, "--log-opt" },
	[C_MASK] = { "Mask", V(4, 6), QK_RAW, NULL },
	[C_MEMORY] = { "Memory", V(5, 5), QK_RAW, "--memory" },
	[C_MOUNT] = { "Mount", V(4, 5), QK_WORD, "--mount" },
	[C_NETWORK] = { "Network", V(4, 4), QK_RAW, "--network" },
	[C_NETWORK_ALIAS] = { "NetworkAlias", V(5, 2), QK_RAW, "--network-alias" },
	[C_NO_NEW_PRIVILEGES] = { "NoNewPrivileges", V(4, 4), QK_RAW, NULL },
	[C_PIDS_LIMIT] = { "PidsLimit", V(4, 7), QK_RAW, "--pids-limit" },
	[C_POD] = { "Pod", V(5, 0), QK_RAW, NULL },
	[C_PODMAN_ARGS] = { "PodmanArgs", V(4, 4), QK_WORD, NULL },
	[C_PUBLISH_PORT] = { "PublishPort", V(4, 4), QK_RAW, "--publish" },
	[C_PULL] = { "Pull", V(4, 6), QK_RAW, "--pull" },
	[C_READ_ONLY] = { "ReadOnly", V(4, 4), QK_RAW, "--read-only" },
	[C_RUN_INIT] = { "RunInit", V(4, 4), QK_RAW, "--init" },
	[C_SECCOMP_PROFILE] = { "SeccompProfile", V(4, 4), QK_RAW, NULL },
	[C_SECRET] = { "Secret", V(4, 5), QK_WORD, "--secret" },
	[C_SECURITY_LABEL_DISABLE] = { "SecurityLabelDisable", V(4, 4), QK_RAW, NULL },
	[C_SECURITY_LABEL_FILE_TYPE] = { "SecurityLabelFileType", V(4, 4), QK_RAW, NULL },
	[C_SECURITY_LABEL_LEVEL] = { "SecurityLabelLevel", V(4, 4), QK_RAW, NULL },
	[C_SECURITY_LABEL_NESTED] = { "SecurityLabelNested", V(4, 6), QK_RAW, NULL },
	[C_SECURITY_LABEL_TYPE] = { "SecurityLabelType", V(4, 4), QK_RAW, NULL },
	[C_SHM_SIZE] = { "ShmSize", V(4, 7), QK_RAW, "--shm-size" },
	[C_STOP_SIGNAL] = { "StopSignal", V(5, 2), QK_RAW, "--stop-signal" },
	[C_STOP_TIMEOUT] = { "StopTimeout", V(5, 0), QK_RAW, "--stop-timeout" },
	[C_SYSCTL] = { "Sysctl", V(4, 6), QK_WORD, "--sysctl" },
	[C_TMPFS] = { "Tmpfs", V(4, 5), QK_RAW, "--tmpfs" },
	[C_ULIMIT] = { "Ulimit", V(5, 0), QK_RAW, "--ulimit" },
	[C_UNMASK] = { "Unmask", V(4, 6), QK_RAW, NULL },
	[C_USER] = { "User", V(4, 4), QK_RAW, NULL },
	[C_USER_NS] = { "UserNS", V(4, 5), QK_RAW, "--userns" },
	[C_VOLUME] = { "Volume", V(4, 4), QK_RAW, "--volume" },
	[C_WORKING_DIR] = { "WorkingDir", V(4, 6), QK_RAW, "--workdir" },
	[N_DRIVER] = { "Driver", V(4, 4), QK_RAW, "--driver" },
	[N_GATEWAY] = { "Gateway", V(4, 4), QK_RAW, "--gateway" },
	[N_INTERNAL] = { "Internal", V(4, 4), QK_RAW, "--internal" },
	[N_IP_RANGE] = { "IPRange", V(4, 4), QK_RAW, "--ip-range" },
	[N_IPAM_DRIVER] = { "IPAMDriver", V(4, 4), QK_RAW, "--ipam-driver" },
	[N_IPV6] = { "IPv6", V(4, 4), QK_RAW, "--ipv6" },
	[N_LABEL] = { "Label", V(4, 4), QK_WORD, "--label" },
	[N_NETWORK_NAME] = { "NetworkName", V(4, 7), QK_RAW, NULL },
	[N_OPTIONS] = { "Options", V(4, 4), QK_WORD, "--opt" },
	[N_PODMAN_ARGS] = { "PodmanArgs", V(4, 6), QK_WORD, NULL },
	[N_SUBNET] = { "Subnet", V(4, 4), QK_RAW, "--subnet" },
	[V_DEVICE] = { "Device", V(4, 7), QK_RAW, "--opt=device" },
	[V_DRIVER] = { "Driver", V(4, 8), QK_RAW, "--driver" },
	[V_LABEL] = { "Label", V(4, 4), QK_WORD, "--label" },
	[V_OPTIONS] = { "Options", V(4, 7), QK_RAW, "--opt=o" },
	[V_PODMAN_ARGS] = { "PodmanArgs", V(4, 6), QK_WORD, NULL },
	[V_TYPE] = { "Type", V(4, 7), QK_RAW, "--opt=type" },
	[V_VOLUME_NAME] = { "VolumeName", V(4, 7), QK_RAW, NULL },
	[B_FILE] = { "File", V(5, 2), QK_RAW, "--file" },
	[B_IMAGE_TAG] = { "ImageTag", V(5, 2), QK_RAW, NULL },
	[B_LABEL] = { "Label", V(5, 2), QK_WORD, "--label" },
	[B_NETWORK] = { "Network", V(5, 2), QK_RAW, "--network" },
	[B_PODMAN_ARGS] = { "PodmanArgs", V(5, 2), QK_WORD, NULL },
	[B_PULL] = { "Pull", V(5, 2), QK_RAW, "--pull" },
	[B_SET_WORKING_DIRECTORY] = { "SetWorkingDirectory", V(5, 2), QK_RAW, NULL },
	[B_TARGET] = { "Target", V(5, 2), QK_RAW, "--target" },
	/* .pod files are 5.0's; NetworkAlias= came in 5.2 */
	[P_NETWORK] = { "Network", V(5, 0), QK_RAW, "--network" },
	[P_NETWORK_ALIAS] = { "NetworkAlias", V(5, 2), QK_RAW, "--network-alias" },
	[P_POD_NAME] = { "PodName", V(5, 0), QK_RAW, NULL },
	[P_PODMAN_ARGS] = { "PodmanArgs", V(5, 0), QK_WORD, NULL },
	[P_PUBLISH_PORT] = { "PublishPort", V(5, 0), QK_RAW, "--publish" },
};

int quadlet_key_since(const char *group, const char *key)
{
	static const struct {
		const char *group;
		int from, to; /* the group's keys in enum qkey */
	} groups[] = {
		{ "Container", 0, C_WORKING_DIR },
		{ "Network", N_DRIVER, N_SUBNET },
		{ "Volume", V_DEVICE, V_VOLUME_NAME },
		{ "Build", B_FILE, B_TARGET },
		{ "Pod", P_NETWORK, P_PUBLISH_PORT },
	};
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (strcmp(groups[g].group, group) != 0)
			continue;
		for (int i = groups[g].from; i <= groups[g].to; i++)
			if (strcmp(qkeys[i].name, key) == 0)
				return qkeys[i].since;
		return -1;
	}
	return -1;
}

/* ---- context ---------------------------------------------------------------------- */

struct qctx {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct plan *plan;
	int ver;             /* --podman-version, major*100+minor */
	bool named;          /* NetworkName=/VolumeName= exist: .network/.volume files */
	bool pod;            /* --pod: the containers join <project>.pod */
	/* --pod: the containers' flags the pod takes (DNS, extra hosts),
	 * unique, in the order written, in the map's (run-long) arena */
	struct strvec pod_flags;
	const char *podman;  /* program of our own Exec*= lines */
	struct strmap units;          /* generated systemd unit name -> what made it */
	const char *output_dir; /* -o DIR, absolute; NULL when printed */
	int errors;
};

/* Where values for one Quadlet group go: Key=value lines, and the words
 * of the group's PodmanArgs= for values no key of this podman can take. */
struct sink {
	struct strbuf *keys;
	struct strvec args;
	enum qkey podman_args; /* the group's PodmanArgs key */
};

/* A .container file under construction, one buffer per section. */
struct cfile {
	const struct service *s;
	const char *cname;   /* the container name */
	struct strbuf unit, service, install;
	struct strbuf container;
	struct sink k;
	/* configs and secrets written inline or from the environment, which
	 * the container binds from files its unit writes (plan_files) */
	struct plan_file *files;
	size_t n_files;
};

/* ---- escaping ---------------------------------------------------------------------- */

/* Whether Quadlet reads v back unchanged from a raw key.  It trims blanks,
 * joins a line that ends in '\', strips surrounding quotes (from 5.0),
 * unescapes octal sequences in some releases, and a control character
 * breaks the line: so none of these may occur. */
static bool raw_fits(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || v[0] == ' ' || v[n - 1] == ' ')
		return false;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		return false;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

/* An empty word ends Quadlet's word list; a lone ";" separates commands
 * in the ExecStart= Quadlet writes (its escapeWords leaves it bare). */
static bool word_fits(const char *v)
{
	return v[0] && strcmp(v, ";") != 0;
}

/* A raw Quadlet value (raw_fits is true): systemd resolves specifiers and
 * variables in the ExecStart= Quadlet copies it into. */
static void quadlet_raw(struct strbuf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '%' || *v == '$')
			sb_addc(out, *v);
		sb_addc(out, *v);
	}
}

static bool key_fits(enum qkey k, const char *v)
{
	return qkeys[k].kind == QK_RAW ? raw_fits(v) : word_fits(v);
}

/* ---- writing keys -------------------------------------------------------------------- */

static void key_line(struct strbuf *out, const char *name, const char *raw_value)
{
	sb_adds(out, name);
	sb_addc(out, '=');
	sb_adds(out, raw_value);
	sb_addc(out, '\n');
}

static void write_key(struct strbuf *out, enum qkey k, const char *v)
{
	sb_adds(out, qkeys[k].name);
	sb_addc(out, '=');
	if (qkeys[k].kind == QK_RAW)
		quadlet_raw(out, v);
	else
		systemd_exec_arg(out, v);
	sb_addc(out, '\n');
}

static void sink_arg(struct qctx *c, struct sink *k, const char *word)
{
	strvec_push(&k->args, c->a, word);
}

/* Key=value when this podman has the key and the key can carry v, else
 * the key's flag as a PodmanArgs= word; what neither can take is reported
 * at loc. */
static void put(struct qctx *c, struct sink *k, enum qkey id, const char *v, struct loc loc)
{
	const struct qkey_info *q = &qkeys[id];
	if (c->ver >= q->since && key_fits(id, v)) {
		write_key(k->keys, id, v);
		return;
	}
	if (q->flag && c->ver >= qkeys[k->podman_args].since) {
		sink_arg(c, k, arena_concat(c->a, q->flag, "=", v, (const char *)NULL));
		return;
	}
	diag_warning(c->d, loc, "%s=%s cannot be expressed for podman %d.%d, ignoring", q->name, v, c->ver / 100,
		     c->ver % 100);
}

/* put, with the flag of the run option the key stands for. */
static void put_option(struct qctx *c, struct sink *k, enum qkey id, const char *flag, const char *v, struct loc loc)
{
	const struct qkey_info *q = &qkeys[id];
	if (c->ver >= q->since && key_fits(id, v))
		write_key(k->keys, id, v);
	else if (c->ver >= qkeys[k->podman_args].since)
		sink_arg(c, k, arena_concat(c->a, flag, "=", v, (const char *)NULL));
	else
		diag_warning(c->d, loc, "%s=%s cannot be expressed for podman %d.%d, ignoring", q->name, v,
			     c->ver / 100, c->ver % 100);
}

/* A flag that has no Quadlet key (--privileged, --cpus=2). */
static void put_arg(struct qctx *c, struct sink *k, const char *word, struct loc loc)
{
	if (c->ver < qkeys[k->podman_args].since) {
		diag_warning(c->d, loc, "\"%s\" needs %s= (podman %d.%d), ignoring", word,
			     qkeys[k->podman_args].name, qkeys[k->podman_args].since / 100,
			     qkeys[k->podman_args].since % 100);
		return;
	}
	sink_arg(c, k, word);
}

static void put_kv(struct qctx *c, struct sink *k, enum qkey id, const char *key, const char *v, struct loc loc)
{
	put(c, k, id, arena_concat(c->a, key, "=", v, (const char *)NULL), loc);
}

static void put_kvlist(struct qctx *c, struct sink *k, enum qkey id, const struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].value)
			put_kv(c, k, id, l->v[i].key, l->v[i].value, l->v[i].loc);
}

/* The PodmanArgs= line of a group, one word per value, in order. */
static void flush_podman_args(struct qctx *c, struct sink *k, struct loc loc)
{
	if (!k->args.n)
		return;
	sb_adds(k->keys, qkeys[k->podman_args].name);
	sb_addc(k->keys, '=');
	bool first = true;
	for (size_t i = 0; i < k->args.n; i++) {
		if (!word_fits(k->args.v[i])) {
			diag_warning(c->d, loc, "the argument \"%s\" cannot be passed through Quadlet, ignoring",
				     k->args.v[i]);
			continue;
		}
		if (!first)
			sb_addc(k->keys, ' ');
		systemd_exec_arg(k->keys, k->args.v[i]);
		first = false;
	}
	sb_addc(k->keys, '\n');
}

/* One of our own Exec*= lines in [Service]: the podman program
 * bare (a prefix such as '-' must precede it unquoted), the arguments
 * quoted by systemd_exec_line. */
static void exec_line(struct qctx *c, struct strbuf *out, const char *key, const char *prefix,
		      const struct strvec *argv)
{
	sb_adds(out, key);
	sb_addc(out, '=');
	sb_adds(out, prefix);
	if (c->podman[strspn(c->podman, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-")])
		systemd_exec_line(out, &c->podman, 1); /* --engine-path with a space, a quote, a '%' */
	else
		sb_adds(out, c->podman);
	if (argv->n) {
		sb_addc(out, ' ');
		systemd_exec_line(out, argv->v, argv->n);
	}
	sb_addc(out, '\n');
}

/* ---- small value helpers ---------------------------------------------------------------- */

static const char *fmt_int(struct qctx *c, long long v)
{
	return arena_printf(c->a, "%lld", v);
}

static const char *fmt_duration(struct qctx *c, int64_t usec)
{
	struct strbuf sb = STRBUF_INIT;
	ir_format_duration(usec, &sb);
	const char *s = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return s;
}

/* Bytes with the largest exact unit podman accepts (no unit: bytes). */
static const char *fmt_bytes(struct qctx *c, int64_t n)
{
	static const struct { const char *unit; int64_t size; } units[] = {
		{ "g", 1LL << 30 }, { "m", 1LL << 20 }, { "k", 1LL << 10 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (n > 0 && n % units[i].size == 0)
			return arena_printf(c->a, "%lld%s", (long long)(n / units[i].size), units[i].unit);
	return fmt_int(c, n);
}

static const char *fmt_secs(struct qctx *c, int64_t usec)
{
	return fmt_int(c, (long long)(usec / IR_USEC_PER_SEC));
}

static void warn_attr(struct qctx *c, const struct service *s, struct loc loc, const char *attr)
{
	diag_warning(c->d, loc, "service \"%s\": %s cannot be expressed in a Quadlet file, ignoring", s->name, attr);
}

static const struct ir_value *value_get(const struct ir_value *v, const char *key)
{
	if (!v || v->kind != VAL_MAP)
		return NULL;
	for (size_t i = 0; i < v->map.n; i++)
		if (strcmp(v->map.members[i].key, key) == 0)
			return v->map.members[i].value;
	return NULL;
}

static const char *value_str(const struct ir_value *v, const char *key)
{
	const struct ir_value *m = value_get(v, key);
	return m && m->kind == VAL_STR ? m->s : NULL;
}

/* ---- [Container]: identity, command, environment ---------------------------------------------- */

/* A file's or a unit's name: "<project>-<name><suffix>", as the systemd
 * target names its units, so that two projects' files live side by side in
 * one Quadlet directory and never take a host unit's name such as
 * db.service (escape.h). */
static const char *qname(const struct qctx *c, const char *name, const char *suffix)
{
	return unit_base_name(c->a, c->p->name, name, suffix);
}

/* <project>.pod, and its unit <project>-pod.service. */
static const char *pod_name(const struct qctx *c, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	unit_name_component(&sb, c->p->name);
	sb_adds(&sb, suffix);
	const char *r = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return r;
}

/* ---- --pod --------------------------------------------------------------------------------- */

/* What a container in a pod cannot set: the pod's network and UTS
 * namespaces and its /etc/hosts are shared, and podman refuses these
 * flags on a container that joins one.  moved: the pod takes every
 * service's values (pod_file); the others are reported. */
static const struct {
	const char *flag;
	bool moved;
} pod_flags[] = {
	{ "--add-host", true }, { "--dns", true },	   { "--dns-option", true }, { "--dns-search", true },
	{ "--domainname", false }, { "--hostname", false }, { "--mac-address", false }, { "--uts", false },
};

/* The pod_flags entry of a flag word ("--dns" or "--dns=1.1.1.1"), or -1. */
static int pod_flag(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(pod_flags); i++) {
		size_t n = strlen(pod_flags[i].flag);
		if (strncmp(word, pod_flags[i].flag, n) == 0 && (word[n] == '\0' || word[n] == '='))
			return (int)i;
	}
	return -1;
}

/* word into v unless v has it, copied into arena a */
static void push_once(struct arena *a, struct strvec *v, const char *word)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], word) == 0)
			return;
	strvec_push(v, a, arena_strdup(a, word));
}

/* In a pod, whether a container's flag (the word "--flag" with its value
 * apart, or "--flag=value" with value NULL) is the pod's: then it is left
 * out of the container, and the pod takes it (pod_flags) or it is
 * reported. */
static bool pod_level(struct qctx *c, const struct service *s, const char *flag, const char *value,
		      struct loc loc)
{
	int k = c->pod ? pod_flag(flag) : -1;
	if (k < 0)
		return false;
	if (pod_flags[k].moved)
		push_once(c->units.arena, &c->pod_flags,
			  value ? arena_concat(c->a, flag, "=", value, (const char *)NULL) : flag);
	else
		diag_warning(c->d, loc, "service \"%s\": %s cannot be set on a container in a pod (its network and UTS "
			     "namespaces are the pod's), ignoring", s->name, pod_flags[k].flag);
	return true;
}

static bool has_build_file(const struct qctx *c, const struct service *s)
{
	return s->build.present && c->ver >= V(5, 2);
}

static void container_image(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	const char *image = has_build_file(c, s) ? qname(c, s->name, ".build") : plan_image(c->a, c->plan, s);
	if (!raw_fits(image)) {
		diag_error(c->d, s->loc, "service \"%s\": the image \"%s\" cannot be written to a Quadlet file",
			   s->name, image);
		c->errors++;
		return;
	}
	write_key(&f->container, C_IMAGE, image);
}

/* Exec=: a command after the image (the service's, or a pre_start
 * step's), one line of words. */
static void write_exec(struct qctx *c, struct strbuf *out, const struct service *s, const struct command *cmd)
{
	if (cmd->kind == CMD_UNSET)
		return;
	if (!cmd->argv.n) {
		warn_attr(c, s, cmd->loc, "an empty \"command\" (clearing the image's CMD)");
		return;
	}
	sb_adds(out, "Exec=");
	bool first = true;
	for (size_t i = 0; i < cmd->argv.n; i++) {
		const char *w = cmd->argv.v[i];
		if (!word_fits(w)) {
			diag_warning(c->d, cmd->argv.locs ? cmd->argv.locs[i] : cmd->loc, "service \"%s\": the "
				     "command argument \"%s\" cannot be passed through Quadlet's Exec=, ignoring it",
				     s->name, w);
			continue;
		}
		if (!first)
			sb_addc(out, ' ');
		systemd_exec_arg(out, w);
		first = false;
	}
	sb_addc(out, '\n');
}

/* Entrypoint=: one word as is, several as the JSON array podman takes. */
static void container_entrypoint(struct qctx *c, struct cfile *f)
{
	const struct command *ep = &f->s->entrypoint;
	if (ep->kind == CMD_UNSET)
		return;
	if (!ep->argv.n) {
		sink_arg(c, &f->k, "--entrypoint=");
		return;
	}
	if (ep->argv.n == 1) {
		put(c, &f->k, C_ENTRYPOINT, ep->argv.v[0], ep->loc);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	for (size_t i = 0; i < ep->argv.n; i++) {
		if (i)
			sb_addc(&sb, ',');
		json_escape_string(&sb, ep->argv.v[i]);
	}
	sb_addc(&sb, ']');
	put(c, &f->k, C_ENTRYPOINT, sb_to_arena(&sb, c->a), ep->loc);
	sb_release(&sb);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* User=/Group=: names are accepted from 4.8; before, the generator reads
 * them as numbers, so a name goes to --user. */
static void container_user(struct qctx *c, struct cfile *f)
{
	const char *u = f->s->user;
	if (!u)
		return;
	const char *colon = strchr(u, ':');
	const char *user = colon ? arena_strndup(c->a, u, (size_t)(colon - u)) : u;
	const char *group = colon ? colon + 1 : NULL;
	bool numeric = all_digits(user) && (!group || all_digits(group));
	if (!raw_fits(user) || (group && !raw_fits(group)) || (!numeric && c->ver < V(4, 8))) {
		put_arg(c, &f->k, arena_printf(c->a, "--user=%s", u), f->s->loc);
		return;
	}
	write_key(&f->container, C_USER, user);
	if (group)
		write_key(&f->container, C_GROUP, group);
}

static void container_identity(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	write_key(&f->container, C_CONTAINER_NAME, f->cname);
	container_image(c, f);
	write_exec(c, &f->container, f->s, &f->s->command);
	container_entrypoint(c, f);
	container_user(c, f);
	put_kvlist(c, &f->k, C_LABEL, &s->labels);
}

/* ---- [Container]: ports ------------------------------------------------------------------------- */

static const char *port_spec(struct qctx *c, const struct port *pt)
{
	struct strbuf sb = STRBUF_INIT;
	if (pt->host_ip)
		sb_addf(&sb, strchr(pt->host_ip, ':') ? "[%s]:" : "%s:", pt->host_ip);
	if (pt->published)
		sb_addf(&sb, "%s:", pt->published);
	else if (pt->host_ip)
		sb_addc(&sb, ':');
	sb_addf(&sb, "%u", pt->target);
	if (pt->protocol != PROTO_TCP)
		sb_addf(&sb, "/%s", port_proto_names[pt->protocol]);
	const char *s = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return s;
}

/* What the generator's isPortRange accepts: N[-N][/tcp|/udp]. */
static bool port_range_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");
	if (!n)
		return false;
	s += n;
	if (*s == '-') {
		n = strspn(++s, "0123456789");
		if (!n)
			return false;
		s += n;
	}
	return !*s || strcmp(s, "/tcp") == 0 || strcmp(s, "/udp") == 0;
}

static void container_ports(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (c->pod) { /* published by the pod (pod_file); expose has no pod form */
		if (s->expose.n)
			diag_warning(c->d, s->expose.locs ? s->expose.locs[0] : s->loc, "service \"%s\": expose "
				     "cannot be set on a container in a pod (its ports are the pod's), ignoring", s->name);
		return;
	}
	for (size_t i = 0; i < s->n_ports; i++) {
		const char *spec = port_spec(c, &s->ports[i]);
		/* 4.x checks the protocol against tcp|udp */
		if (s->ports[i].protocol == PROTO_SCTP && c->ver < V(5, 3))
			put_arg(c, &f->k, arena_printf(c->a, "--publish=%s", spec), s->ports[i].loc);
		else
			put(c, &f->k, C_PUBLISH_PORT, spec, s->ports[i].loc);
	}
	for (size_t i = 0; i < s->expose.n; i++) {
		struct loc loc = s->expose.locs ? s->expose.locs[i] : s->loc;
		if (port_range_ok(s->expose.v[i]))
			put(c, &f->k, C_EXPOSE_HOST_PORT, s->expose.v[i], loc);
		else
			put_arg(c, &f->k, arena_printf(c->a, "--expose=%s", s->expose.v[i]), loc);
	}
}

/* ---- [Container]: mounts ------------------------------------------------------------------------- */

/* Volume= source of a named volume: the .volume file when there is one. */
static const char *volume_source(struct qctx *c, const struct resource *r)
{
	if (c->named && !r->external)
		return qname(c, r->key, ".volume");
	return r->name;
}

static void add_opt(struct strbuf *opts, const char *o)
{
	sb_addc(opts, opts->len ? ',' : ':');
	sb_adds(opts, o);
}

/* Quadlet copies an absolute Volume= source into RequiresMountsFor=,
 * which splits on blanks, unquotes and does not expand $$: such a path
 * goes to --volume. */
static bool mount_path_fits(const char *path)
{
	return raw_fits(path) && !strpbrk(path, ": \t\"'$");
}

static void put_volume(struct qctx *c, struct cfile *f, const char *src, const struct mount *m, const char *opts)
{
	if (strchr(m->target, ':') || (src && strchr(src, ':'))) {
		warn_attr(c, f->s, m->loc, "a mount path with ':'");
		return;
	}
	const char *v = src ? arena_printf(c->a, "%s:%s%s", src, m->target, opts) : m->target;
	if (mount_path_fits(m->target) && (!src || mount_path_fits(src)))
		put(c, &f->k, C_VOLUME, v, m->loc);
	else
		put_arg(c, &f->k, arena_printf(c->a, "--volume=%s", v), m->loc);
}

static void bind_mount(struct qctx *c, struct cfile *f, const struct mount *m)
{
	struct strbuf opts = STRBUF_INIT;
	if (m->read_only)
		add_opt(&opts, "ro");
	if (m->bind.selinux)
		add_opt(&opts, m->bind.selinux);
	if (m->bind.propagation != PROP_UNSET)
		add_opt(&opts, propagation_names[m->bind.propagation]);
	if (m->bind.recursive)
		warn_attr(c, f->s, m->loc, "\"bind.recursive\"");
	put_volume(c, f, m->source, m, sb_to_arena(&opts, c->a));
	sb_release(&opts);
}

static void volume_mount(struct qctx *c, struct cfile *f, const struct mount *m)
{
	const struct resource *r = m->source ? project_resource(c->p, RES_VOLUME, m->source) : NULL;
	struct strbuf opts = STRBUF_INIT;
	if (m->read_only)
		add_opt(&opts, "ro");
	if (m->volume.nocopy)
		add_opt(&opts, "nocopy");
	if (m->volume.subpath) { /* the plan refused it below podman 5.4 */
		if (m->volume.nocopy || !r)
			warn_attr(c, f->s, m->loc, "\"volume.nocopy\" beside \"volume.subpath\"");
		const char *v = arena_printf(c->a, "type=volume,source=%s,destination=%s%s,subpath=%s",
					     r ? volume_source(c, r) : m->source, m->target, m->read_only ? ",ro" : "",
					     m->volume.subpath);
		put(c, &f->k, C_MOUNT, v, m->loc);
	} else {
		put_volume(c, f, r ? volume_source(c, r) : NULL, m, sb_to_arena(&opts, c->a));
	}
	sb_release(&opts);
}

static void tmpfs_mount(struct qctx *c, struct cfile *f, const struct mount *m)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, m->target);
	const char *sep = ":";
	if (m->read_only) {
		sb_addf(&sb, "%sro", sep);
		sep = ",";
	}
	if (m->tmpfs.size != IR_UNSET) {
		sb_addf(&sb, "%ssize=%s", sep, fmt_bytes(c, m->tmpfs.size));
		sep = ",";
	}
	if (m->tmpfs.mode != IR_UNSET)
		sb_addf(&sb, "%smode=%llo", sep, (long long)m->tmpfs.mode);
	put(c, &f->k, C_TMPFS, sb_to_arena(&sb, c->a), m->loc);
	sb_release(&sb);
}

static void image_mount(struct qctx *c, struct cfile *f, const struct mount *m)
{
	const char *v = arena_printf(c->a, "type=image,source=%s,destination=%s%s%s", m->source, m->target,
				     m->image.subpath ? ",subpath=" : "", m->image.subpath ? m->image.subpath : "");
	put(c, &f->k, C_MOUNT, v, m->loc);
}

static void container_mounts(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		switch (m->type) {
		case MOUNT_BIND: bind_mount(c, f, m); break;
		case MOUNT_VOLUME: volume_mount(c, f, m); break;
		case MOUNT_TMPFS: tmpfs_mount(c, f, m); break;
		case MOUNT_IMAGE: image_mount(c, f, m); break;
		default: warn_attr(c, s, m->loc, arena_printf(c->a, "a \"%s\" mount", mount_type_names[m->type]));
		}
	}
}

/* Secrets and configs from files are read-only binds, as compose mounts
 * them; external secrets are podman secrets (`podman secret create` first). */
static void file_ref_mount(struct qctx *c, struct cfile *f, const struct file_ref *r, const char *target,
			   const char *what)
{
	const struct resource *def = r->def;
	if (plan_file_copied(def))
		return; /* copied_files */
	if (def && def->external && def->kind == RES_SECRET) {
		const char *v = arena_printf(c->a, "%s,type=mount,target=%s", def->name, target);
		if (r->uid)
			v = arena_printf(c->a, "%s,uid=%s", v, r->uid);
		if (r->gid)
			v = arena_printf(c->a, "%s,gid=%s", v, r->gid);
		if (r->mode != IR_UNSET)
			v = arena_printf(c->a, "%s,mode=%llo", v, (long long)r->mode);
		put(c, &f->k, C_SECRET, v, r->loc);
		return;
	}
	if (!def || !def->file) {
		warn_attr(c, f->s, r->loc, arena_printf(c->a, "%s \"%s\" (not from a file)", what, r->source));
		return;
	}
	if (r->uid || r->gid || r->mode != IR_UNSET)
		warn_attr(c, f->s, r->loc, arena_printf(c->a, "uid, gid and mode of %s \"%s\"", what, r->source));
	struct mount m = { .type = MOUNT_BIND, .source = def->file, .target = target, .read_only = true,
			   .loc = r->loc };
	put_volume(c, f, def->file, &m, ":ro");
}

/* %t/composec/<container> as a raw Quadlet value: where the unit writes the
 * container's copied files (unitplan.h, UNIT_FILES_WRITE), in systemd's
 * runtime directory (/run, or $XDG_RUNTIME_DIR under a user manager). */
static const char *files_runtime_dir(struct qctx *c, const struct cfile *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "%t/composec/");
	quadlet_raw(&sb, f->cname);
	const char *r = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return r;
}

/* Volume=%t/composec/<container>/<n>:PATH[:U] of each copied file: a bind
 * of the file the unit writes with its mode and owner; U when it goes to
 * the container's user, which podman then gives it. */
static void copied_files(struct qctx *c, struct cfile *f)
{
	f->files = plan_files(c->a, c->d, c->plan, f->s, &f->n_files);
	for (size_t i = 0; i < f->n_files; i++) {
		const struct plan_file *pf = &f->files[i];
		if (!mount_path_fits(pf->path)) {
			warn_attr(c, f->s, pf->loc, arena_printf(c->a, "%s \"%s\" at a path with ':', a blank, a quote "
								     "or '$'", pf->what, pf->name));
			continue;
		}
		struct strbuf v = STRBUF_INIT;
		sb_addf(&v, "%s/%zu:", files_runtime_dir(c, f), i + 1);
		quadlet_raw(&v, pf->path);
		if (pf->to_user)
			sb_adds(&v, ":U");
		key_line(&f->container, qkeys[C_VOLUME].name, v.buf);
		sb_release(&v);
	}
}

static void container_files(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	copied_files(c, f);
	for (size_t i = 0; i < s->n_secrets; i++) {
		const struct file_ref *r = &s->secrets[i];
		const char *t = r->target[0] == '/' ? r->target : arena_printf(c->a, "/run/secrets/%s", r->target);
		file_ref_mount(c, f, r, t, "secret");
	}
	for (size_t i = 0; i < s->n_configs; i++) {
		const struct file_ref *r = &s->configs[i];
		const char *t = r->target ? r->target : arena_printf(c->a, "/%s", r->source);
		file_ref_mount(c, f, r, t, "config");
	}
}

/* ---- [Container]: networks ------------------------------------------------------------------------- */

/* The top-level network of a service network (ir.h declares
 * service_network.def with a type that does not exist: look it up). */
static const struct resource *network_def(const struct qctx *c, const struct service_network *n)
{
	return project_resource(c->p, RES_NETWORK, n->name);
}

static const char *network_ref(struct qctx *c, const struct resource *r)
{
	if (c->named && !r->external)
		return qname(c, r->key, ".network");
	return r->name;
}

/* Per-network options (alias=, ip=, ...), as `podman run --network
 * name:opt=v,...`.  The service name is an alias everywhere, as compose
 * makes it; with one network and NetworkAlias= the aliases go there. */
static void network_opts(struct qctx *c, struct cfile *f, const struct service_network *n, struct strbuf *o,
			 bool alias_key)
{
	const char *sep = ":";
	for (size_t i = 0; !alias_key && i <= n->aliases.n; i++) {
		sb_addf(o, "%salias=%s", sep, i == 0 ? f->s->name : n->aliases.v[i - 1]);
		sep = ",";
	}
	const struct { const char *opt, *v; } kv[] = {
		{ "ip", n->ipv4_address }, { "ip6", n->ipv6_address },
		{ "mac", n->mac_address }, { "interface_name", n->interface_name },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kv); i++) {
		if (kv[i].v) {
			sb_addf(o, "%s%s=%s", sep, kv[i].opt, kv[i].v);
			sep = ",";
		}
	}
	if (n->link_local_ips.n || n->driver_opts.n || n->priority != IR_UNSET || n->gw_priority != IR_UNSET)
		warn_attr(c, f->s, n->loc, arena_printf(c->a, "link_local_ips, driver_opts and priorities on "
							       "network \"%s\"", n->name));
}

static void network_aliases(struct qctx *c, struct cfile *f, const struct service_network *n)
{
	put(c, &f->k, C_NETWORK_ALIAS, f->s->name, n->loc);
	for (size_t i = 0; i < n->aliases.n; i++)
		put(c, &f->k, C_NETWORK_ALIAS, n->aliases.v[i], n->loc);
}

static void network_mode(struct qctx *c, struct cfile *f)
{
	struct plan_ref ref = plan_ref(c->a, c->p, f->s->network_mode, REF_NAMESPACE);
	put(c, &f->k, C_NETWORK, plan_ref_namespace(c->a, &ref), f->s->loc);
}

/* In a pod: the container joins the pod, whose networks and aliases are
 * every service's (pod_file); what is one container's on a network (its
 * address, MAC, interface) cannot be kept. */
static void container_pod(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (s->network_mode) {
		diag_error(c->d, s->loc, "service \"%s\": network_mode \"%s\" cannot be expressed with --pod (the "
			   "pod's containers share its network)", s->name, s->network_mode);
		c->errors++;
		return;
	}
	write_key(&f->container, C_POD, pod_name(c, ".pod"));
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct service_network *n = &s->networks[i];
		if (n->ipv4_address || n->ipv6_address || n->mac_address || n->interface_name)
			diag_warning(c->d, n->loc, "service \"%s\": an address, MAC or interface name on network \"%s\" "
				     "cannot be set on a container in a pod, ignoring", s->name, n->name);
	}
	if (s->links.n)
		warn_attr(c, s, ir_field_loc(s, ir_service_field("links")),
			  "\"links\" (service names resolve through the pod's network aliases)");
	if (s->external_links.n)
		warn_attr(c, s, ir_field_loc(s, ir_service_field("external_links")), "\"external_links\"");
}

/* extra_hosts: AddHost=, or in a pod the pod's --add-host. */
static void container_hosts(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	for (size_t i = 0; i < s->extra_hosts.n; i++) {
		const struct kv *h = &s->extra_hosts.v[i];
		const char *v = arena_printf(c->a, "%s:%s", h->key, h->value);
		if (h->value && strcmp(h->value, "host-gateway") == 0 && !plan_has(c->plan, FEAT_HOST_GATEWAY))
			plan_feature_missing(c->d, c->plan, FEAT_HOST_GATEWAY, s, h->loc, NULL);
		else if (!pod_level(c, s, "--add-host", v, h->loc))
			put(c, &f->k, C_ADD_HOST, v, h->loc);
	}
}

static void container_networks(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (c->pod) {
		container_pod(c, f);
		if (!s->network_mode)
			container_hosts(c, f);
		return;
	}
	if (s->network_mode) {
		network_mode(c, f);
		return;
	}
	bool alias_key = s->n_networks == 1 && c->ver >= qkeys[C_NETWORK_ALIAS].since;
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct service_network *n = &s->networks[i];
		const struct resource *r = network_def(c, n);
		if (!r)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, network_ref(c, r));
		network_opts(c, f, n, &sb, alias_key);
		put(c, &f->k, C_NETWORK, sb_to_arena(&sb, c->a), n->loc);
		sb_release(&sb);
		if (alias_key)
			network_aliases(c, f, n);
	}
	if (s->links.n)
		warn_attr(c, s, ir_field_loc(s, ir_service_field("links")),
			  "\"links\" (service names resolve through network aliases)");
	if (s->external_links.n)
		warn_attr(c, s, ir_field_loc(s, ir_service_field("external_links")), "\"external_links\"");
	container_hosts(c, f);
}

/* ---- [Container]: health ------------------------------------------------------------------------- */

/* CMD as the JSON array podman reads as exec form, CMD-SHELL as the
 * string; a healthcheck that only tunes timings keeps the image's test. */
static const char *health_cmd(struct qctx *c, const struct healthcheck *h)
{
	struct strbuf sb = STRBUF_INIT;
	if (h->test_kind == HC_TEST_CMD) {
		sb_addc(&sb, '[');
		for (size_t i = 0; i < h->test_args.n; i++) {
			sb_adds(&sb, i ? "," : "");
			json_escape_string(&sb, h->test_args.v[i]);
		}
		sb_addc(&sb, ']');
	} else if (h->test_kind == HC_TEST_CMD_SHELL) {
		for (size_t i = 0; i < h->test_args.n; i++)
			sb_addf(&sb, "%s%s", i ? " " : "", h->test_args.v[i]);
	} else {
		return NULL;
	}
	const char *s = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return s;
}

static void container_health(struct qctx *c, struct cfile *f)
{
	const struct healthcheck *h = &f->s->healthcheck;
	if (!h->present)
		return;
	if (h->disable || h->test_kind == HC_TEST_NONE) {
		if (c->ver >= qkeys[C_HEALTH_CMD].since)
			write_key(&f->container, C_HEALTH_CMD, "none");
		else
			put_arg(c, &f->k, "--no-healthcheck", h->loc);
		return;
	}
	const char *cmd = health_cmd(c, h);
	if (cmd)
		put(c, &f->k, C_HEALTH_CMD, cmd, h->loc);
	const struct { enum qkey k; int64_t usec; } durations[] = {
		{ C_HEALTH_INTERVAL, h->interval },
		{ C_HEALTH_TIMEOUT, h->timeout },
		{ C_HEALTH_START_PERIOD, h->start_period },
	};
	for (size_t i = 0; i < ARRAY_SIZE(durations); i++)
		if (durations[i].usec != IR_UNSET)
			put(c, &f->k, durations[i].k, fmt_duration(c, durations[i].usec), h->loc);
	if (h->retries != IR_UNSET)
		put(c, &f->k, C_HEALTH_RETRIES, fmt_int(c, h->retries), h->loc);
	/* podman's --health-startup-interval belongs to a separate startup
	 * check: not compose's start_interval (reference §1.6) */
	if (h->start_interval != IR_UNSET)
		warn_attr(c, f->s, h->loc, "\"healthcheck.start_interval\"");
}

/* ---- [Container]: security, resources, namespaces --------------------------------------------------- */

static void container_security(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct device *d = &s->devices[i];
		const char *v = d->target ? arena_printf(c->a, "%s:%s", d->source, d->target) : d->source;
		put(c, &f->k, C_ADD_DEVICE, d->permissions ? arena_printf(c->a, "%s:%s", v, d->permissions) : v,
		    d->loc);
	}
	for (size_t i = 0; i < s->n_ulimits; i++) {
		const struct ulimit *u = &s->ulimits[i];
		const char *v = u->single ? arena_printf(c->a, "%s=%lld", u->name, (long long)u->soft)
					  : arena_printf(c->a, "%s=%lld:%lld", u->name, (long long)u->soft,
							 (long long)u->hard);
		put(c, &f->k, C_ULIMIT, v, u->loc);
	}
}

static void container_namespaces(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	/* --runtime is a global podman option */
	if (s->runtime && c->ver >= qkeys[C_GLOBAL_ARGS].since)
		write_key(&f->container, C_GLOBAL_ARGS, arena_printf(c->a, "--runtime=%s", s->runtime));
	else if (s->runtime)
		warn_attr(c, s, s->loc, "\"runtime\" (GlobalArgs= needs podman 4.8)");
}

static void container_resources(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (!isnan(s->deploy.reservations.cpus))
		warn_attr(c, s, s->deploy.loc, "\"deploy.resources.reservations.cpus\"");
}

/* compose pull_policy -> podman --pull; build, daily, ... have no value. */
static const char *pull_value(const char *policy)
{
	static const char *const map[][2] = {
		{ "always", "always" }, { "never", "never" }, { "missing", "missing" },
		{ "if_not_present", "missing" }, { "newer", "newer" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(policy, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static void container_lifecycle(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (s->pull_policy && pull_value(s->pull_policy))
		put(c, &f->k, C_PULL, pull_value(s->pull_policy), s->loc);
	else if (s->pull_policy && strcmp(s->pull_policy, "build") != 0)
		warn_attr(c, s, s->loc, arena_printf(c->a, "pull_policy \"%s\"", s->pull_policy));
	if (s->logging.present && s->logging.driver)
		put(c, &f->k, C_LOG_DRIVER, s->logging.driver, s->loc);
	if (s->logging.present)
		put_kvlist(c, &f->k, C_LOG_OPT, &s->logging.options);
	if (s->stop_grace_period != IR_UNSET)
		put(c, &f->k, C_STOP_TIMEOUT, fmt_secs(c, s->stop_grace_period), s->loc);
}

/* The [Container] key named by the run option table's Quadlet column. */
static enum qkey container_key(const char *name)
{
	for (int i = 0; i <= C_WORKING_DIR; i++)
		if (strcmp(qkeys[i].name, name) == 0)
			return (enum qkey)i;
	return Q__MAX;
}

/* The attributes whose `podman run` flag has a Quadlet key, from the run
 * option table (backends/runargs.c, its Quadlet column): Key=value, or
 * the flag in PodmanArgs= where this podman has no such key. */
static void container_keys(struct qctx *c, struct cfile *f)
{
	struct run_opt *opts;
	size_t n = run_args_quadlet(c->a, c->d, c->plan, f->s, &opts);
	for (size_t i = 0; i < n; i++) {
		if (pod_level(c, f->s, opts[i].flag, opts[i].value, opts[i].loc))
			continue;
		enum qkey id = container_key(opts[i].key);
		if (id == Q__MAX) /* a name the table and this file disagree on: a bug, said */
			diag_error(c->d, opts[i].loc, "internal: no Quadlet key %s", opts[i].key);
		else
			put_option(c, &f->k, id, opts[i].flag, opts[i].value, opts[i].loc);
	}
}

/* security_opt: each entry podman takes as --security-opt that Quadlet has a
 * key for (at the podman version asked for) as that key, the rest as
 * --security-opt= in PodmanArgs=.  Entries are NAME=VALUE or NAME:VALUE, as
 * in docker compose. */
static void container_security_opt(struct qctx *c, struct cfile *f)
{
	static const struct {
		const char *name, *value; /* value NULL: any, the key takes it */
		enum qkey id;
		const char *keyval; /* what the key is set to when value is fixed */
	} map[] = {
		{ "no-new-privileges", "", C_NO_NEW_PRIVILEGES, "true" },
		{ "no-new-privileges", "true", C_NO_NEW_PRIVILEGES, "true" },
		{ "no-new-privileges", "false", C_NO_NEW_PRIVILEGES, "false" },
		{ "seccomp", NULL, C_SECCOMP_PROFILE, NULL },
		{ "apparmor", NULL, C_APP_ARMOR, NULL },
		{ "mask", NULL, C_MASK, NULL },
		{ "unmask", NULL, C_UNMASK, NULL },
		{ "label", "disable", C_SECURITY_LABEL_DISABLE, "true" },
		{ "label", "nested", C_SECURITY_LABEL_NESTED, "true" },
		{ "label", "type:", C_SECURITY_LABEL_TYPE, NULL },
		{ "label", "level:", C_SECURITY_LABEL_LEVEL, NULL },
		{ "label", "filetype:", C_SECURITY_LABEL_FILE_TYPE, NULL },
	};
	const struct strlist *l = &f->s->security_opt;
	for (size_t i = 0; i < l->n; i++) {
		const char *opt = l->v[i];
		size_t nl = strcspn(opt, "=:");
		const char *val = opt[nl] ? opt + nl + 1 : "";
		struct loc loc = l->locs ? l->locs[i] : f->s->loc;
		const char *keyval = NULL;
		enum qkey id = Q__MAX;
		for (size_t m = 0; m < ARRAY_SIZE(map) && id == Q__MAX; m++) {
			if (strlen(map[m].name) != nl || strncmp(opt, map[m].name, nl) != 0)
				continue;
			if (!map[m].value) /* the key takes the value as it is */
				keyval = val;
			else if (str_has_suffix(map[m].value, ":") && str_has_prefix(val, map[m].value))
				keyval = val + strlen(map[m].value); /* label=type:T: SecurityLabelType=T */
			else if (strcmp(val, map[m].value) == 0)
				keyval = map[m].keyval;
			else
				continue;
			id = map[m].id;
		}
		if (id != Q__MAX && *keyval && c->ver >= qkeys[id].since && key_fits(id, keyval))
			write_key(f->k.keys, id, keyval);
		else
			put_arg(c, &f->k, arena_concat(c->a, "--security-opt=", opt, (const char *)NULL), loc);
	}
}

/* The attributes Quadlet has no key for, as the run option table's
 * `podman run` flags (backends/runargs.c, its Quadlet column), into
 * PodmanArgs=. */
static void container_podman_args(struct qctx *c, struct cfile *f)
{
	struct strvec words = { 0 };
	run_args_podman_args(c->a, c->d, c->plan, f->s, &words);
	for (size_t i = 0; i < words.n; i++)
		if (!pod_level(c, f->s, words.v[i], NULL, f->s->loc))
			put_arg(c, &f->k, words.v[i], f->s->loc);
}

/* Attributes kept untyped in the IR (gpus, blkio_config, ...): none has a
 * Quadlet form here. */
static void container_extra(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	const struct ir_value *x = s->extra;
	for (size_t i = 0; x && x->kind == VAL_MAP && i < x->map.n; i++)
		warn_attr(c, s, x->map.members[i].value->loc, arena_printf(c->a, "\"%s\"", x->map.members[i].key));
	if (s->replicas > 1) {
		const struct ir_field *scale = ir_service_field("scale");
		struct loc at = ir_field_set(s, scale) ? ir_field_loc(s, scale) : s->deploy.loc.file ? s->deploy.loc : s->loc;
		warn_attr(c, s, at, arena_printf(c->a, "%lld replicas (one .container runs one container)",
						 (long long)s->replicas));
	}
	if (s->deploy.present && s->deploy.has_mode && s->deploy.mode != DEPLOY_REPLICATED)
		warn_attr(c, s, s->deploy.loc, arena_printf(c->a, "deploy.mode \"%s\"",
							    deploy_mode_names[s->deploy.mode]));
}

/* ---- [Unit] and [Service] ------------------------------------------------------------------------- */

/* The unit of a service's pre_start steps (runs_steps). */
static const char *steps_unit(const struct qctx *c, const struct service *s)
{
	return qname(c, s->name, "-pre-start.service");
}

/* depends_on as the plan decided it (plan_edge): Wants= and After=,
 * PartOf= with restart: true, never Requires= (unitplan.h). */
static void dependency_keys(struct qctx *c, struct strbuf *u, const struct service *s, bool part_of)
{
	const struct plan_service *ps = plan_service(c->plan, s);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		const char *unit = qname(c, e->target->name, ".service");
		key_line(u, "Wants", unit);
		key_line(u, "After", unit);
		if (e->restart && part_of)
			key_line(u, "PartOf", unit);
	}
}

static void unit_section(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	struct strbuf *u = &f->unit;
	sb_adds(u, "Description=");
	systemd_value(u, arena_printf(c->a, "%s: service %s", c->p->name, s->name));
	sb_addc(u, '\n');
	dependency_keys(c, u, s, true);
	if (s->n_pre_start) {
		key_line(u, "Requires", steps_unit(c, s));
		key_line(u, "After", steps_unit(c, s));
	}
}

/* The plan's restart policy as the systemd units have it (unitplan.h):
 * Restart=, RestartSec=, and no start limit unless on-failure:N.  A
 * oneshot (a dependency that must complete) cannot restart always. */
static void service_restart(struct qctx *c, struct cfile *f, bool oneshot)
{
	const struct service *s = f->s;
	/* `podman stop` makes the container exit 143 (128+SIGTERM): not a
	 * failure of the unit (podman#16726). */
	key_line(&f->service, "SuccessExitStatus", "143");
	struct unit_restart r = unit_restart_of(c->plan, s);
	if (!unit_restarts(&r))
		return;
	if (oneshot && strcmp(r.policy, "always") == 0) {
		diag_warning(c->d, plan_service(c->plan, s)->restart.loc,
			     "service \"%s\" runs to completion for a dependent (Type=oneshot), where systemd refuses "
			     "Restart=always; using Restart=on-failure", s->name);
		r.policy = "on-failure";
	}
	key_line(&f->service, "Restart", r.policy);
	unit_restart_sec(&f->service, &r);
	unit_start_limit(&f->unit, &r, false);
}

static void add_create_line(struct qctx *c, struct cfile *f, const struct resource *r)
{
	if (!r || r->external)
		return;
	struct strvec argv = { 0 }, full = { 0 };
	if (r->kind == RES_NETWORK)
		run_args_network_create(c->a, c->p, r, ENGINE_PODMAN, &argv);
	else
		run_args_volume_create(c->a, c->p, r, &argv);
	/* "network create ..." -> "network create --ignore ...": idempotent */
	for (size_t i = 0; i < argv.n; i++) {
		strvec_push(&full, c->a, argv.v[i]);
		if (i == 1)
			strvec_push(&full, c->a, "--ignore");
	}
	exec_line(c, &f->service, "ExecStartPre", "", &full);
}

/* The i-th mount names a volume no earlier mount of s names. */
static const struct resource *new_volume(const struct qctx *c, const struct service *s, size_t i)
{
	const struct mount *m = &s->volumes[i];
	if (m->type != MOUNT_VOLUME || !m->source)
		return NULL;
	for (size_t j = 0; j < i; j++)
		if (s->volumes[j].type == MOUNT_VOLUME && s->volumes[j].source &&
		    strcmp(s->volumes[j].source, m->source) == 0)
			return NULL;
	return project_resource(c->p, RES_VOLUME, m->source);
}

/* Before podman 4.7 (no NetworkName=/VolumeName=), the service creates
 * the networks and named volumes it uses, under compose's names. */
static void service_create_resources(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (c->named)
		return;
	for (size_t i = 0; i < s->n_networks; i++)
		add_create_line(c, f, network_def(c, &s->networks[i]));
	for (size_t i = 0; i < s->n_volumes; i++)
		add_create_line(c, f, new_volume(c, s, i));
}

/* ExecStartPre=-/bin/mkdir -p DIR: the bind sources docker compose
 * creates when missing, which podman refuses (plan.h). */
static void service_bind_dirs(struct qctx *c, struct cfile *f)
{
	const struct strlist *l = &plan_service(c->plan, f->s)->bind_dirs;
	for (size_t i = 0; i < l->n; i++) {
		const char *argv[] = { PLAN_MKDIR, "-p", l->v[i] };
		sb_adds(&f->service, "ExecStartPre=-");
		systemd_exec_line(&f->service, argv, ARRAY_SIZE(argv));
		sb_addc(&f->service, '\n');
	}
}

static void service_build(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	if (!s->build.present || has_build_file(c, s))
		return;
	if (s->build.dockerfile_inline)
		warn_attr(c, s, s->build.loc, "\"build.dockerfile_inline\"");
	struct strvec argv = { 0 };
	run_args_build(c->a, c->plan, s, &argv);
	exec_line(c, &f->service, "ExecStartPre", "", &argv);
}

/* ExecStartPre=<prefix>/bin/sh -c '<wait>' for one dependency
 * (unitplan.h); prefix "-": its failure does not fail the unit. */
static void wait_line(struct qctx *c, struct strbuf *out, enum dep_condition cond, int64_t bound,
		      const struct service *dep, const char *prefix)
{
	struct strbuf script = STRBUF_INIT;
	unit_wait_script(c->a, &script, c->podman, ENGINE_PODMAN, cond, bound, plan_container_name(c->a, c->p, dep, 1),
			 qname(c, dep->name, ".service"));
	const char *argv[] = { "/bin/sh", "-c", sb_to_arena(&script, c->a) };
	sb_adds(out, "ExecStartPre=");
	sb_adds(out, prefix);
	systemd_exec_line(out, argv, ARRAY_SIZE(argv));
	sb_addc(out, '\n');
	sb_release(&script);
}

/* The waits that hold s back until each dependency is what its condition
 * asks, as the systemd target's (plan_edge): running, healthy, or its
 * oneshot unit active (exited 0).  A failed wait fails this unit only.  A
 * dependency that is not required must have started all the same; only
 * its condition may fail ("-"). */
static void dependency_waits(struct qctx *c, struct strbuf *out, const struct service *s)
{
	const struct plan_service *ps = plan_service(c->plan, s);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		if (!e->required && e->wait == DEP_HEALTHY)
			wait_line(c, out, DEP_STARTED, PLAN_WAIT_ALLOWANCE, e->target, "");
		wait_line(c, out, e->wait, e->bound, e->target, e->required || e->wait == DEP_STARTED ? "" : "-");
	}
}

/* Seconds the waits may take at most (a completion takes what the
 * dependency takes: it is ordered before, not waited for). */
static int64_t wait_seconds(const struct qctx *c, const struct service *s)
{
	const struct plan_service *ps = plan_service(c->plan, s);
	int64_t max = 0;
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		int64_t secs = (e->bound + IR_USEC_PER_SEC - 1) / IR_USEC_PER_SEC;
		if (e->wait != DEP_COMPLETED && secs > max)
			max = secs;
	}
	return max ? max + TIMEOUT_MARGIN : 0;
}

static void service_hooks(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	for (size_t i = 0; i < s->n_post_start; i++) {
		struct strvec argv = { 0 };
		run_args_exec_hook(c->a, &s->post_start[i], f->cname, &argv);
		exec_line(c, &f->service, "ExecStartPost", "", &argv);
	}
	/* '-': a failing pre_stop hook must not keep the container running */
	for (size_t i = 0; i < s->n_pre_stop; i++) {
		struct strvec argv = { 0 };
		run_args_exec_hook(c->a, &s->pre_stop[i], f->cname, &argv);
		exec_line(c, &f->service, "ExecStop", "-", &argv);
	}
}

/* podman's defaults for what the healthcheck leaves unset */

/* TimeoutStartSec= covers ExecStartPre= and the wait for READY.  systemd's
 * default, 90 s, is short for a build (the figure podman's documentation
 * suggests for long starts, 900 s, is used) and for the waits for
 * dependencies (their bounds, plus a margin).  Returns seconds, 0 to keep
 * the default.  The steps' unit has none: a step runs to completion, as
 * compose runs it. */
static int64_t start_timeout(const struct qctx *c, const struct service *s, bool builds, bool waits)
{
	int64_t secs = 0;
	if (builds && s->build.present && !has_build_file(c, s))
		secs += TIMEOUT_START_LONG;
	if (waits)
		secs += wait_seconds(c, s);
	return secs > TIMEOUT_START_DEFAULT ? secs : 0;
}

/* A dependency that must complete runs once, as a oneshot (plan.h). */
static bool runs_once(const struct qctx *c, const struct service *s)
{
	return plan_service(c->plan, s)->waited & PLAN_WAITED_COMPLETED;
}

static void service_section(struct qctx *c, struct cfile *f)
{
	const struct service *s = f->s;
	bool oneshot = runs_once(c, s), steps = s->n_pre_start > 0;
	if (oneshot) {
		key_line(&f->service, "Type", "oneshot");
		key_line(&f->service, "RemainAfterExit", "yes");
	}
	service_restart(c, f, oneshot);
	/* with steps, their unit builds and waits (the service is after it) */
	int64_t start = start_timeout(c, s, !steps, !steps);
	if (start)
		key_line(&f->service, "TimeoutStartSec", fmt_int(c, start));
	if (s->stop_grace_period != IR_UNSET)
		key_line(&f->service, "TimeoutStopSec",
			 fmt_int(c, s->stop_grace_period / IR_USEC_PER_SEC + TIMEOUT_MARGIN));
	service_bind_dirs(c, f);
	service_create_resources(c, f);
	if (!steps) {
		service_build(c, f);
		dependency_waits(c, &f->service, s);
	}
	service_hooks(c, f);
	/* in a pod, the pod's unit is the project's: it starts them all */
	if (!c->pod)
		key_line(&f->install, "WantedBy", "default.target");
}

/* ---- files ------------------------------------------------------------------------------ */

static void file_header(const struct qctx *c, struct strbuf *out)
{
	sb_addf(out, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n", c->p->name);
}

static void section(struct strbuf *out, const char *name, const struct strbuf *body)
{
	if (!body->len)
		return;
	sb_addf(out, "\n[%s]\n", name);
	sb_add(out, body->buf, body->len);
}

/* A systemd unit the generator will write, checked for clashes such as
 * service "a-network" and network "a". */
static bool claim_unit(struct qctx *c, const char *unit, const char *what, struct loc loc)
{
	const char *prev = strmap_get(&c->units, unit);
	if (prev) {
		diag_error(c->d, loc, "%s and %s would both become the systemd unit \"%s\"", prev, what, unit);
		c->errors++;
		return false;
	}
	/* kept for the whole run, in the map's own arena: c->a may be the
	 * scratch of one service (quadlet_emit) */
	strmap_put(&c->units, arena_strdup(c->units.arena, unit), arena_strdup(c->units.arena, what));
	return true;
}

static void add_file(struct qctx *c, struct fileset *out, const char *path, const struct strbuf *text,
		     struct loc loc)
{
	if (fileset_add(out, path, 0644, text) < 0) {
		diag_error(c->d, loc, "\"%s\" is not a safe file name for the output directory", path);
		c->errors++;
	}
}

/* [Service] of a container with copied files: ExecStartPre= runs the
 * script beside the .container that writes them, ExecStopPost= removes
 * them; and the script itself. */
static void service_copied_files(struct qctx *c, struct cfile *f, struct fileset *out)
{
	if (!f->n_files)
		return;
	const char *script = unit_files_script_name(c->a, c->p, f->s);
	sb_adds(&f->service, "ExecStartPre=");
	systemd_exec_arg(&f->service, "/bin/sh");
	sb_addc(&f->service, ' ');
	/* beside the .container: in -o DIR, or where Quadlet looks first */
	if (c->output_dir)
		unit_exec_path_arg(&f->service, "", arena_concat(c->a, c->output_dir, "/", script, (char *)NULL));
	else
		unit_exec_path_arg(&f->service, "%E/containers/systemd/", script);
	sb_addc(&f->service, ' ');
	unit_exec_path_arg(&f->service, "%t/composec/", f->cname);
	sb_addc(&f->service, ' ');
	systemd_exec_arg(&f->service, c->podman);
	sb_adds(&f->service, "\nExecStopPost=-/bin/rm -rf ");
	unit_exec_path_arg(&f->service, "%t/composec/", f->cname);
	sb_addc(&f->service, '\n');
	struct strbuf text = STRBUF_INIT;
	unit_files_script(c->a, c->p, f->s, f->files, f->n_files, UNIT_FILES_WRITE, qname(c, f->s->name, ".service"),
			  &text);
	add_file(c, out, script, &text, f->s->loc);
	sb_release(&text);
}

static void container_body(struct qctx *c, struct cfile *f)
{
	container_identity(c, f);
	container_keys(c, f);
	container_ports(c, f);
	container_networks(c, f);
	container_mounts(c, f);
	container_files(c, f);
	container_health(c, f);
	container_security(c, f);
	container_namespaces(c, f);
	container_resources(c, f);
	container_lifecycle(c, f);
	container_security_opt(c, f);
	container_podman_args(c, f);
	container_extra(c, f);
	/* compose's config-hash (plan.h): of the keys and arguments above */
	uint64_t h = run_args_hash_text(hash_fnv1a("composec container v1", 21), f->container.buf, c->p->working_dir);
	for (size_t i = 0; i < f->k.args.n; i++)
		h = run_args_hash_text(h, f->k.args.v[i], c->p->working_dir);
	h = unit_files_hash(h, f->files, f->n_files);
	struct kvlist labels = plan_container_labels(c->a, c->plan, f->s, 1);
	put_kv(c, &f->k, C_LABEL, LABEL_CONFIG_HASH, arena_printf(c->a, "%016llx", (unsigned long long)h), f->s->loc);
	put_kvlist(c, &f->k, C_LABEL, &labels); /* after the file's: compose's win */
	flush_podman_args(c, &f->k, f->s->loc);
}

/* The .container file of f (its [Install] when it has one), named name;
 * f's buffers are released. */
static void add_container_file(struct qctx *c, struct fileset *out, struct cfile *f, const char *name,
			       struct loc loc)
{
	struct strbuf text = STRBUF_INIT;
	file_header(c, &text);
	section(&text, "Unit", &f->unit);
	section(&text, "Container", &f->container);
	section(&text, "Service", &f->service);
	section(&text, "Install", &f->install);
	add_file(c, out, name, &text, loc);
	sb_release(&text);
	sb_release(&f->unit);
	sb_release(&f->container);
	sb_release(&f->service);
	sb_release(&f->install);
}

static void emit_container(struct qctx *c, const struct service *s, struct fileset *out)
{
	struct cfile f = { .s = s, .cname = plan_container_name(c->a, c->p, s, 1) };
	f.k = (struct sink){ .keys = &f.container, .podman_args = C_PODMAN_ARGS };
	if (!claim_unit(c, qname(c, s->name, ".service"), arena_printf(c->a, "service \"%s\"", s->name),
			s->loc))
		return;
	unit_section(c, &f);
	container_body(c, &f);
	service_section(c, &f);
	service_copied_files(c, &f, out);
	add_container_file(c, out, &f, qname(c, s->name, ".container"), s->loc);
}

/* ---- the pre_start steps' unit ---------------------------------------------------------------- */

/* Requires= and After= on the units that create what the steps' container
 * uses (its networks and volumes from .network/.volume files, its image
 * from a .build file): the container takes them in PodmanArgs= and by
 * image name, where the generator does not see the files. */
static void step_resource_keys(struct qctx *c, struct strbuf *u, const struct service *s)
{
	struct strvec units = { 0 };
	for (size_t i = 0; c->named && !s->network_mode && i < s->n_networks; i++) {
		const struct resource *r = network_def(c, &s->networks[i]);
		if (r && !r->external)
			strvec_push(&units, c->a, qname(c, r->key, "-network.service"));
	}
	for (size_t i = 0; c->named && i < s->n_volumes; i++) {
		const struct resource *r = new_volume(c, s, i);
		if (r && !r->external)
			strvec_push(&units, c->a, qname(c, r->key, "-volume.service"));
	}
	if (has_build_file(c, s))
		strvec_push(&units, c->a, qname(c, s->name, "-build.service"));
	for (size_t i = 0; i < units.n; i++) {
		key_line(u, "Requires", units.v[i]);
		key_line(u, "After", units.v[i]);
	}
}

/* <project>-<service>-pre-start.container: a oneshot that runs the steps
 * once, the last as its container, the others before it, after the
 * service's waits for its dependencies; the service requires it. */
static void emit_steps(struct qctx *c, const struct service *s, struct fileset *out)
{
	if (!s->n_pre_start ||
	    !claim_unit(c, steps_unit(c, s), arena_printf(c->a, "the pre_start steps of service \"%s\"", s->name),
			s->loc))
		return;
	size_t last = s->n_pre_start - 1;
	const struct hook *h = &s->pre_start[last];
	const char *image = plan_step_image(c->a, c->plan, s, h);
	if (!raw_fits(image)) {
		diag_error(c->d, h->loc, "service \"%s\": the image \"%s\" cannot be written to a Quadlet file",
			   s->name, image);
		c->errors++;
		return;
	}
	const char *cname = plan_container_name(c->a, c->p, s, 1);
	struct cfile f = { .s = s, .cname = arena_printf(c->a, "%s-pre-start-%zu", cname, last + 1) };
	f.k = (struct sink){ .keys = &f.container, .podman_args = C_PODMAN_ARGS };

	sb_adds(&f.unit, "Description=");
	systemd_value(&f.unit, arena_printf(c->a, "%s: pre_start steps of service %s", c->p->name, s->name));
	sb_addc(&f.unit, '\n');
	dependency_keys(c, &f.unit, s, false);
	step_resource_keys(c, &f.unit, s);

	write_key(&f.container, C_CONTAINER_NAME, f.cname);
	write_key(&f.container, C_IMAGE, image);
	write_exec(c, &f.container, s, &h->command);
	struct strvec flags = { 0 };
	run_args_pre_start_flags(c->a, c->plan, s, last, &flags);
	for (size_t i = 0; i < flags.n; i++)
		put_arg(c, &f.k, flags.v[i], h->loc);
	flush_podman_args(c, &f.k, h->loc);

	key_line(&f.service, "Type", "oneshot");
	key_line(&f.service, "RemainAfterExit", "yes");
	key_line(&f.service, "TimeoutStartSec", "infinity");
	service_bind_dirs(c, &f);
	service_create_resources(c, &f);
	service_build(c, &f);
	dependency_waits(c, &f.service, s);
	for (size_t i = 0; i < last; i++) {
		struct strvec argv = { 0 };
		run_args_pre_start(c->a, c->plan, s, i, arena_printf(c->a, "%s-pre-start-%zu", cname, i + 1), &argv);
		exec_line(c, &f.service, "ExecStartPre", "", &argv);
	}
	for (size_t i = 0; i <= last; i++)
		if (s->pre_start[i].per_replica == TRI_TRUE && s->replicas > 1)
			warn_attr(c, s, s->pre_start[i].loc, "\"per_replica\"");
	add_container_file(c, out, &f, qname(c, s->name, "-pre-start.container"), h->loc);
}

/* ---- <project>.pod ------------------------------------------------------------------------------ */

/* The networks of s, as a sorted, comma-separated text. */
static const char *network_set(struct qctx *c, const struct service *s)
{
	struct strvec v = { 0 };
	for (size_t i = 0; i < s->n_networks; i++)
		strvec_push(&v, c->a, s->networks[i].name);
	if (v.n > 1)
		qsort((void *)v.v, v.n, sizeof(*v.v), str_cmp_ptr);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < v.n; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", v.v[i]);
	const char *r = sb_to_arena(&sb, c->a);
	sb_release(&sb);
	return r;
}

/* The pod's ports: every service's published ports.  A host port taken
 * twice cannot be published (error); a container port that two services
 * publish would be bound twice in the pod's one network namespace
 * (warning: one of them will fail to bind). */
static void pod_ports(struct qctx *c, struct sink *k)
{
	struct strmap hosts, targets;
	strmap_init(&hosts, c->a);
	strmap_init(&targets, c->a);
	for (size_t i = 0; i < c->p->n_services; i++) {
		const struct service *s = c->p->services[i];
		for (size_t j = 0; j < s->n_ports; j++) {
			const struct port *pt = &s->ports[j];
			const char *spec = port_spec(c, pt);
			const char *proto = port_proto_names[pt->protocol];
			if (pt->published) {
				const char *key = arena_printf(c->a, "%s:%s/%s", pt->host_ip ? pt->host_ip : "",
							       pt->published, proto);
				const char *prev = strmap_get(&hosts, key);
				if (prev) {
					diag_error(c->d, pt->loc, "--pod: services \"%s\" and \"%s\" both publish host port "
						   "%s/%s", prev, s->name, pt->published, proto);
					c->errors++;
					continue;
				}
				strmap_put(&hosts, key, (void *)s->name);
			}
			const char *tkey = arena_printf(c->a, "%u/%s", pt->target, proto);
			const char *tprev = strmap_get(&targets, tkey);
			if (tprev && strcmp(tprev, s->name) != 0)
				diag_warning(c->d, pt->loc, "--pod: services \"%s\" and \"%s\" both listen on port %s in "
					     "the pod's one network namespace: one of them cannot bind it", tprev, s->name,
					     tkey);
			else if (!tprev)
				strmap_put(&targets, tkey, (void *)s->name);
			if (pt->protocol == PROTO_SCTP && c->ver < V(5, 3))
				put_arg(c, k, arena_printf(c->a, "--publish=%s", spec), pt->loc);
			else
				put(c, k, P_PUBLISH_PORT, spec, pt->loc);
		}
	}
}

/* <project>.pod (--pod): the project's one unit, <project>-pod.service,
 * which Quadlet makes want every container of the pod and the containers
 * bind to.  It joins every network a service uses, under every name a
 * service is reached by (service names, container names, aliases), so
 * that the services still reach each other by their compose names; it
 * publishes their ports and takes their DNS settings and extra hosts
 * (pod_flags, collected while the containers were written). */
static void emit_pod(struct qctx *c, struct fileset *out)
{
	const char *unit = pod_name(c, "-pod.service");
	if (!claim_unit(c, unit, "the project's pod", (struct loc){ 0 }))
		return;
	struct strbuf body = STRBUF_INIT;
	struct sink k = { .keys = &body, .podman_args = P_PODMAN_ARGS };
	write_key(&body, P_POD_NAME, c->p->name);
	const char *first_set = NULL, *first_svc = NULL;
	struct strvec aliases = { 0 };
	for (size_t i = 0; i < c->p->n_services; i++) {
		const struct service *s = c->p->services[i];
		if (s->network_mode)
			continue;
		const char *set = network_set(c, s);
		if (!first_set) {
			first_set = set, first_svc = s->name;
		} else if (strcmp(set, first_set) != 0) {
			diag_warning(c->d, s->loc, "--pod: service \"%s\" is on networks \"%s\", \"%s\" on \"%s\"; in the "
				     "pod both are on every network of the project: compose's isolation between "
				     "them is lost", s->name, set, first_svc, first_set);
		}
		push_once(c->a, &aliases, s->name);
		push_once(c->a, &aliases, plan_container_name(c->a, c->p, s, 1));
		for (size_t j = 0; j < s->n_networks; j++)
			for (size_t a = 0; a < s->networks[j].aliases.n; a++)
				push_once(c->a, &aliases, s->networks[j].aliases.v[a]);
	}
	for (size_t i = 0; i < c->p->n_res[RES_NETWORK]; i++) {
		const struct resource *r = c->p->res[RES_NETWORK][i];
		bool used = false;
		for (size_t j = 0; !used && j < c->p->n_services; j++)
			for (size_t n = 0; !used && !c->p->services[j]->network_mode && n < c->p->services[j]->n_networks;
			     n++)
				used = strcmp(c->p->services[j]->networks[n].name, r->key) == 0;
		if (used)
			put(c, &k, P_NETWORK, network_ref(c, r), r->loc);
	}
	if (aliases.n > 1)
		qsort((void *)aliases.v, aliases.n, sizeof(*aliases.v), str_cmp_ptr);
	for (size_t i = 0; i < aliases.n; i++)
		put(c, &k, P_NETWORK_ALIAS, aliases.v[i], (struct loc){ 0 });
	pod_ports(c, &k);
	/* A compose project goes on when its containers have exited (a
	 * completed one-shot, a crash before its restart); the pod's default
	 * exit policy, stop, would stop the pod and with it every container's
	 * unit (BindsTo=).  Quadlet writes its own --exit-policy before
	 * PodmanArgs=: the last one counts. */
	put_arg(c, &k, "--exit-policy=continue", (struct loc){ 0 });
	/* the DNS settings and extra hosts the containers left to the pod */
	for (size_t i = 0; i < c->pod_flags.n; i++)
		put_arg(c, &k, c->pod_flags.v[i], (struct loc){ 0 });
	flush_podman_args(c, &k, (struct loc){ 0 });

	struct strbuf text = STRBUF_INIT;
	file_header(c, &text);
	sb_adds(&text, "\n[Unit]\nDescription=");
	systemd_value(&text, arena_printf(c->a, "%s: the project's pod", c->p->name));
	sb_adds(&text, "\n\n[Pod]\n");
	sb_add(&text, body.buf, body.len);
	sb_adds(&text, "\n[Install]\nWantedBy=default.target\n");
	add_file(c, out, pod_name(c, ".pod"), &text, (struct loc){ 0 });
	sb_release(&text);
	sb_release(&body);
}

/* ---- .network, .volume, .build ----------------------------------------------------------------- */

/* Quadlet pairs the i-th Gateway=/IPRange= with the i-th Subnet=, so one
 * can only follow when every earlier subnet had one too. */
static void network_ipam(struct qctx *c, struct sink *k, const struct resource *r)
{
	const char *driver = value_str(r->ipam, "driver");
	if (driver)
		put(c, k, N_IPAM_DRIVER, driver, r->loc);
	const struct ir_value *cfg = value_get(r->ipam, "config");
	size_t n = 0, gateways = 0, ranges = 0;
	for (size_t i = 0; cfg && cfg->kind == VAL_LIST && i < cfg->list.n; i++) {
		const struct ir_value *e = cfg->list.items[i];
		const char *subnet = value_str(e, "subnet"), *gw = value_str(e, "gateway");
		const char *range = value_str(e, "ip_range");
		if (!subnet || value_get(e, "aux_addresses")) {
			diag_warning(c->d, e->loc, "network \"%s\": an ipam config without subnet or with "
				     "aux_addresses cannot be expressed in a Quadlet file, ignoring", r->key);
			continue;
		}
		put(c, k, N_SUBNET, subnet, e->loc);
		if (gw && gateways++ == n)
			put(c, k, N_GATEWAY, gw, e->loc);
		if (range && ranges++ == n)
			put(c, k, N_IP_RANGE, range, e->loc);
		if ((gw && gateways != n + 1) || (range && ranges != n + 1))
			diag_warning(c->d, e->loc, "network \"%s\": a gateway or ip_range after a subnet without one "
				     "cannot be expressed in a Quadlet file, ignoring", r->key);
		n++;
	}
	if (value_get(r->ipam, "options"))
		diag_warning(c->d, r->loc, "network \"%s\": ipam options cannot be expressed in a Quadlet file, "
			     "ignoring", r->key);
}

static void resource_file(struct qctx *c, struct fileset *out, const struct resource *r, const char *group,
			  const char *ext, struct strbuf *body)
{
	struct strbuf text = STRBUF_INIT;
	file_header(c, &text);
	sb_adds(&text, "\n[Unit]\nDescription=");
	systemd_value(&text, arena_printf(c->a, "%s: %s %s", c->p->name, ext, r->key));
	sb_addf(&text, "\n\n[%s]\n", group);
	sb_add(&text, body->buf, body->len);
	add_file(c, out, qname(c, r->key, arena_printf(c->a, ".%s", ext)), &text, r->loc);
	sb_release(&text);
}

static bool name_fits(struct qctx *c, const char *name, struct loc loc)
{
	if (raw_fits(name))
		return true;
	diag_error(c->d, loc, "the name \"%s\" cannot be written to a Quadlet file", name);
	c->errors++;
	return false;
}

static void emit_network(struct qctx *c, const struct resource *r, struct fileset *out)
{
	if (!name_fits(c, r->name, r->loc) ||
	    !claim_unit(c, qname(c, r->key, "-network.service"),
			arena_printf(c->a, "network \"%s\"", r->key), r->loc))
		return;
	struct strbuf body = STRBUF_INIT;
	struct sink k = { .keys = &body, .podman_args = N_PODMAN_ARGS };
	write_key(&body, N_NETWORK_NAME, r->name);
	if (r->driver)
		put(c, &k, N_DRIVER, r->driver, r->loc);
	for (size_t i = 0; i < r->driver_opts.n; i++)
		if (r->driver_opts.v[i].value)
			put_kv(c, &k, N_OPTIONS, run_args_network_opt(r->driver_opts.v[i].key, ENGINE_PODMAN),
			       r->driver_opts.v[i].value, r->driver_opts.v[i].loc);
	network_ipam(c, &k, r);
	if (r->internal == TRI_TRUE)
		put(c, &k, N_INTERNAL, "true", r->loc);
	if (r->enable_ipv6 == TRI_TRUE)
		put(c, &k, N_IPV6, "true", r->loc);
	if (r->enable_ipv4 == TRI_FALSE)
		diag_warning(c->d, r->loc, "network \"%s\": enable_ipv4: false cannot be expressed in a Quadlet "
			     "file, ignoring", r->key);
	put_kvlist(c, &k, N_LABEL, &r->labels);
	put_kv(c, &k, N_LABEL, "com.docker.compose.project", c->p->name, r->loc);
	put_kv(c, &k, N_LABEL, "com.docker.compose.network", r->key, r->loc);
	flush_podman_args(c, &k, r->loc);
	resource_file(c, out, r, "Network", "network", &body);
	sb_release(&body);
}

/* driver_opts: device, type and o are Device=, Type=, Options= (the
 * generator takes the last two only with a Device=); others --opt. */
static void volume_opts(struct qctx *c, struct sink *k, const struct resource *r)
{
	bool device = kvlist_get(&r->driver_opts, "device") != NULL;
	static const struct { const char *opt; enum qkey key; } keyed[] = {
		{ "device", V_DEVICE }, { "type", V_TYPE }, { "o", V_OPTIONS },
	};
	for (size_t i = 0; i < r->driver_opts.n; i++) {
		const struct kv *o = &r->driver_opts.v[i];
		if (!o->value)
			continue;
		size_t j = 0;
		while (j < ARRAY_SIZE(keyed) && strcmp(keyed[j].opt, o->key) != 0)
			j++;
		if (j < ARRAY_SIZE(keyed) && device)
			put(c, k, keyed[j].key, o->value, o->loc);
		else
			put_arg(c, k, arena_printf(c->a, "--opt=%s=%s", o->key, o->value), o->loc);
	}
}

static void emit_volume(struct qctx *c, const struct resource *r, struct fileset *out)
{
	if (!name_fits(c, r->name, r->loc) ||
	    !claim_unit(c, qname(c, r->key, "-volume.service"),
			arena_printf(c->a, "volume \"%s\"", r->key), r->loc))
		return;
	struct strbuf body = STRBUF_INIT;
	struct sink k = { .keys = &body, .podman_args = V_PODMAN_ARGS };
	write_key(&body, V_VOLUME_NAME, r->name);
	if (r->driver)
		put(c, &k, V_DRIVER, r->driver, r->loc);
	volume_opts(c, &k, r);
	put_kvlist(c, &k, V_LABEL, &r->labels);
	put_kv(c, &k, V_LABEL, "com.docker.compose.project", c->p->name, r->loc);
	put_kv(c, &k, V_LABEL, "com.docker.compose.volume", r->key, r->loc);
	flush_podman_args(c, &k, r->loc);
	resource_file(c, out, r, "Volume", "volume", &body);
	sb_release(&body);
}

/* The Containerfile: absolute against a local context (podman build reads
 * a relative --file against its working directory). */
static const char *build_file(struct qctx *c, const struct build *b)
{
	if (!b->dockerfile || b->dockerfile[0] == '/' || b->context[0] != '/')
		return b->dockerfile;
	size_t n = strlen(b->context);
	return arena_printf(c->a, "%s%s%s", b->context, n && b->context[n - 1] == '/' ? "" : "/", b->dockerfile);
}

static void build_args(struct qctx *c, struct sink *k, const struct build *b)
{
	for (size_t i = 0; i < b->tags.n; i++)
		put_arg(c, k, arena_printf(c->a, "--tag=%s", b->tags.v[i]), b->loc);
	for (size_t i = 0; i < b->args.n; i++)
		if (b->args.v[i].value)
			put_arg(c, k, arena_printf(c->a, "--build-arg=%s=%s", b->args.v[i].key, b->args.v[i].value),
				b->args.v[i].loc);
	if (b->no_cache == TRI_TRUE)
		put_arg(c, k, "--no-cache", b->loc);
	if (b->shm_size != IR_UNSET)
		put_arg(c, k, arena_printf(c->a, "--shm-size=%s", fmt_bytes(c, b->shm_size)), b->loc);
	const struct { const char *flag; const struct strlist *l; } lists[] = {
		{ "--cache-from", &b->cache_from }, { "--cache-to", &b->cache_to }, { "--platform", &b->platforms },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		for (size_t j = 0; j < lists[i].l->n; j++)
			put_arg(c, k, arena_printf(c->a, "%s=%s", lists[i].flag, lists[i].l->v[j]), b->loc);
}

static void emit_build(struct qctx *c, const struct service *s, struct fileset *out)
{
	const struct build *b = &s->build;
	const char *tag = plan_image(c->a, c->plan, s);
	if (!name_fits(c, tag, b->loc) || !name_fits(c, b->context, b->loc) ||
	    !claim_unit(c, qname(c, s->name, "-build.service"),
			arena_printf(c->a, "the build of service \"%s\"", s->name), b->loc))
		return;
	struct strbuf body = STRBUF_INIT;
	struct sink k = { .keys = &body, .podman_args = B_PODMAN_ARGS };
	write_key(&body, B_IMAGE_TAG, tag);
	write_key(&body, B_SET_WORKING_DIRECTORY, b->context);
	if (b->dockerfile_inline)
		warn_attr(c, s, b->loc, "\"build.dockerfile_inline\"");
	else if (build_file(c, b))
		put(c, &k, B_FILE, build_file(c, b), b->loc);
	if (b->target)
		put(c, &k, B_TARGET, b->target, b->loc);
	if (b->network)
		put(c, &k, B_NETWORK, b->network, b->loc);
	if (b->pull == TRI_TRUE)
		put(c, &k, B_PULL, "always", b->loc);
	put_kvlist(c, &k, B_LABEL, &b->labels);
	build_args(c, &k, b);
	if (b->privileged == TRI_TRUE)
		warn_attr(c, s, b->loc, "\"build.privileged\"");
	flush_podman_args(c, &k, b->loc);
	struct strbuf text = STRBUF_INIT;
	file_header(c, &text);
	sb_adds(&text, "\n[Unit]\nDescription=");
	systemd_value(&text, arena_printf(c->a, "%s: build of service %s", c->p->name, s->name));
	sb_adds(&text, "\n\n[Build]\n");
	sb_add(&text, body.buf, body.len);
	add_file(c, out, qname(c, s->name, ".build"), &text, b->loc);
	sb_release(&text);
	sb_release(&body);
}

/* ---- the backend ------------------------------------------------------------------------------ */

static void qctx_init(struct qctx *c, struct arena *a, struct diag *d, const struct project *p,
		      const struct backend_options *o)
{
	*c = (struct qctx){ .a = a, .d = d, .p = p, .ver = o->podman_version };
	if (c->ver < V(4, 4)) {
		diag_warning(d, (struct loc){ 0 }, "Quadlet first shipped with podman 4.4; writing files for 4.4");
		c->ver = V(4, 4);
	}
	c->named = c->ver >= qkeys[N_NETWORK_NAME].since;
	c->pod = o->pod;
	if (c->pod && c->ver < qkeys[C_POD].since) {
		diag_error(d, (struct loc){ 0 }, "--pod needs podman 5.0 (.pod files); this output is for %d.%d",
			   c->ver / 100, c->ver % 100);
		c->errors++;
		c->pod = false;
	}
	c->podman = o->engine_path ? o->engine_path : "/usr/bin/podman";
	c->output_dir = o->output_dir;
	strmap_init(&c->units, a);
}

static int quadlet_emit(struct arena *a, struct diag *d, const struct plan *plan,
			const struct backend_options *o, struct fileset *out)
{
	const struct project *p = plan->project;
	struct qctx c;
	qctx_init(&c, a, d, p, o);
	c.plan = plan;
	/* what a service's file needs while it is written is scratch, reused
	 * from one service to the next (files are copied into the set) */
	struct arena scratch;
	arena_init(&scratch);
	arena_alloc(&scratch, 1);
	struct arena_mark mark = arena_mark(&scratch);
	c.a = &scratch;
	for (size_t i = 0; i < p->n_services; i++) {
		emit_container(&c, p->services[i], out);
		arena_rewind(&scratch, mark);
		emit_steps(&c, p->services[i], out);
		arena_rewind(&scratch, mark);
	}
	c.a = a;
	arena_release(&scratch);
	if (c.pod)
		emit_pod(&c, out);
	for (size_t i = 0; i < p->n_services; i++)
		if (has_build_file(&c, p->services[i]))
			emit_build(&c, p->services[i], out);
	for (size_t i = 0; c.named && i < p->n_res[RES_NETWORK]; i++)
		if (!p->res[RES_NETWORK][i]->external)
			emit_network(&c, p->res[RES_NETWORK][i], out);
	for (size_t i = 0; c.named && i < p->n_res[RES_VOLUME]; i++)
		if (!p->res[RES_VOLUME][i]->external)
			emit_volume(&c, p->res[RES_VOLUME][i], out);
	fileset_sort(out);
	return c.errors ? -1 : 0;
}

const struct backend backend_quadlet = {
	.name = "quadlet",
	.output = OUTPUT_DIR,
	.emit = quadlet_emit,
	.one_host = true,
	.podman_only = true,
	.copies_files = true,
};
