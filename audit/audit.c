/*
 * audit.c - the audit rules: one table entry per rule (id, default
 * severity, title, description, fix hint, CWE/CIS/OWASP references) and
 * its check, which looks at one service of the IR and adds findings.
 *
 * What a rule flags follows the CIS Docker Benchmark 1.6 section 5, the
 * OWASP Docker cheat sheet and what KICS, compose-lint and dclint agree on
 * (see reference/audit.md); the severities separate what gives a container
 * the host (critical, high) from exposure (medium) and from missing
 * hardening (low, info), so that a file that merely lacks limits never
 * fails a `--fail-on medium` gate.  Every value is judged from the IR; the
 * source text is read only to place the finding on its key and to tell a
 * literal from an interpolated or a relative value as written.
 */
#include "audit/audit_internal.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ----------------------------------------------------------- */

static bool is_root_user(const char *u)
{
	return u && (strcmp(u, "root") == 0 || strcmp(u, "0") == 0 || str_has_prefix(u, "root:") ||
		     str_has_prefix(u, "0:"));
}

/* The location of list item i of l, or of the list's key. */
static struct loc item_loc(const struct service *s, const struct strlist *l, size_t i, const char *key)
{
	if (l->locs && l->locs[i].file)
		return l->locs[i];
	return audit_key(s, key);
}

/* "SYS_ADMIN" for "cap_sys_admin", "CAP_SYS_ADMIN", "sys_admin". */
static const char *cap_name(struct audit_ctx *c, const char *cap)
{
	if (strncasecmp(cap, "CAP_", 4) == 0)
		cap += 4;
	char *u = arena_strdup(c->a, cap);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* A security_opt entry "key=value" or "key:value". */
static bool opt_is(const char *opt, const char *key, const char *value)
{
	size_t n = strlen(key);
	return strncmp(opt, key, n) == 0 && (opt[n] == '=' || opt[n] == ':') && strcmp(opt + n + 1, value) == 0;
}

/* ---- host privileges and namespaces -------------------------------------------- */

static void check_privileged(struct audit_ctx *c, const struct service *s)
{
	if (s->privileged == TRI_TRUE)
		audit_add(c, s, audit_key(s, "privileged"), "privileged", "true",
			  "service %s runs privileged: every capability, every host device, no seccomp or AppArmor "
			  "confinement",
			  audit_q(c, s->name));
}

struct host_ns {
	const char *rule, *key;
	size_t off;
	const char *gives;
};
static const struct host_ns host_ns[] = {
	{ "host-network", "network_mode", offsetof(struct service, network_mode),
	  "the host's network stack: every host port and interface, services bound to localhost" },
	{ "host-pid", "pid", offsetof(struct service, pid),
	  "the host's process table: it sees, signals and (with ptrace) enters host processes" },
	{ "host-ipc", "ipc", offsetof(struct service, ipc), "the host's shared memory and semaphores" },
	{ "host-uts", "uts", offsetof(struct service, uts), "the host's hostname, which it can change" },
	{ "host-userns", "userns_mode", offsetof(struct service, userns_mode),
	  "the host's user namespace: root in the container is root on the host" },
};

static void check_host_ns(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++) {
		const struct host_ns *h = &host_ns[i];
		const char *v = *(const char *const *)((const char *)s + h->off);
		if (strcmp(c->rule->id, h->rule) != 0 || !v || strcmp(v, "host") != 0)
			continue;
		audit_add(c, s, audit_key(s, h->key), h->key, "host", "service %s shares %s", audit_q(c, s->name),
			  h->gives);
	}
}

static void check_cgroup_parent(struct audit_ctx *c, const struct service *s)
{
	if (s->cgroup_parent)
		audit_add(c, s, audit_key(s, "cgroup_parent"), "cgroup_parent", s->cgroup_parent,
			  "service %s runs under the cgroup %s instead of the engine's: its limits and accounting are "
			  "those of that cgroup",
			  audit_q(c, s->name), audit_q(c, s->cgroup_parent));
}

static void check_user_root(struct audit_ctx *c, const struct service *s)
{
	if (is_root_user(s->user))
		audit_add(c, s, audit_key(s, "user"), "user", s->user, "service %s runs as root (user %s)",
			  audit_q(c, s->name), audit_q(c, s->user));
}

static void check_read_only(struct audit_ctx *c, const struct service *s)
{
	if (s->read_only == TRI_TRUE)
		return;
	audit_add(c, s, audit_key(s, "read_only"), "read_only", "",
		  "service %s has a writable root filesystem: a compromised process can change its binaries and "
		  "configuration",
		  audit_q(c, s->name));
}

/* Raw memory, I/O ports and whole disks. */
static bool device_is_raw(const char *dev)
{
	static const char *const raw[] = { "/dev/mem", "/dev/kmem", "/dev/port", NULL };
	static const char *const disks[] = { "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme",
					     "/dev/mmcblk", "/dev/dm-", "/dev/mapper/", "/dev/md", NULL };
	if (in_list(dev, raw))
		return true;
	for (const char *const *d = disks; *d; d++)
		if (str_has_prefix(dev, *d))
			return true;
	return false;
}

static void check_devices(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct device *d = &s->devices[i];
		bool raw = device_is_raw(d->source);
		struct audit_finding *f = audit_add(c, s, d->loc, "devices", d->source, "service %s gets the host device %s%s",
						    audit_q(c, s->name), audit_q(c, d->source),
						    raw ? ": raw disk or memory access, past every file permission" : "");
		if (raw)
			f->severity = SEV_CRITICAL;
	}
}

/* ---- mounts -------------------------------------------------------------------------- */

struct bind_src {
	const char *path; /* absolute host path */
	bool read_only;
	const char *volume; /* set when a named volume binds the path */
};

/* A named volume of the local driver that binds a host directory
 * (driver_opts type: none / o: bind, device: /path). */
static bool volume_binds(const struct resource *v, struct bind_src *b)
{
	const struct kv *dev = kvlist_get(&v->driver_opts, "device");
	const struct kv *type = kvlist_get(&v->driver_opts, "type");
	const struct kv *o = kvlist_get(&v->driver_opts, "o");
	if (v->external || (v->driver && strcmp(v->driver, "local") != 0) || !dev || !dev->value || dev->value[0] != '/')
		return false;
	bool bind = (type && type->value && strcmp(type->value, "none") == 0) ||
		    (o && o->value && (strstr(o->value, "bind") != NULL));
	if (!bind)
		return false;
	b->path = dev->value;
	b->read_only = o && o->value && (strcmp(o->value, "ro") == 0 || str_has_prefix(o->value, "ro,") ||
					 strstr(o->value, ",ro,") || str_has_suffix(o->value, ",ro"));
	b->volume = v->key;
	return true;
}

/* The host path a mount exposes, if any. */
static bool mount_host_path(struct audit_ctx *c, const struct mount *m, struct bind_src *b)
{
	memset(b, 0, sizeof(*b));
	if (m->type == MOUNT_BIND && m->source) {
		b->path = audit_abs_path(c, m->source);
		b->read_only = m->read_only;
		return true;
	}
	const struct resource *v = m->type == MOUNT_VOLUME && m->source ? project_resource(c->p, RES_VOLUME, m->source)
									: NULL;
	if (!v || !volume_binds(v, b))
		return false;
	b->path = audit_abs_path(c, b->path);
	b->read_only = b->read_only || m->read_only;
	return true;
}

/* path equals dir or lies below it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static const char *const engine_sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock", "/var/run/podman/podman.sock",
	"/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/run/crio/crio.sock",
	"/var/run/crio/crio.sock", "/run/systemd/private", NULL,
};

/* The control socket a host path is, or contains; NULL when none (the
 * whole root is sensitive-mount's). */
static const char *exposed_socket(const char *path)
{
	static const char *const names[] = { "docker.sock", "podman.sock", "containerd.sock", "crio.sock",
					     "cri-dockerd.sock", "buildkitd.sock", NULL };
	const char *base = strrchr(path, '/');
	if (strcmp(path, "/") == 0)
		return NULL;
	if (base && in_list(base + 1, names))
		return path;
	for (const char *const *s = engine_sockets; *s; s++)
		if (path_under(*s, path))
			return *s;
	return NULL;
}

static void check_engine_socket(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		struct bind_src b;
		const char *sock;
		if (!mount_host_path(c, &s->volumes[i], &b) || !(sock = exposed_socket(b.path)))
			continue;
		audit_add(c, s, s->volumes[i].loc, "volumes", b.path,
			  strcmp(sock, b.path) == 0 ? "service %s mounts the engine socket %s%s: control of the engine is "
						      "root on the host, read-only or not"
						    : "service %s mounts %s, which holds the engine socket %s: control of "
						      "the engine is root on the host, read-only or not",
			  audit_q(c, s->name), audit_q(c, b.path), strcmp(sock, b.path) == 0 ? "" : audit_q(c, sock));
	}
}

/* Host paths that give the host away when written; read-only they still
 * disclose it. */
static const char *const root_equivalent[] = {
	"/etc", "/root", "/boot", "/proc", "/sys", "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers",
	"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin", "/lib/modules",
	"/usr/lib/modules", NULL,
};
/* Sensitive at and below. */
static const char *const sensitive_tree[] = { "/dev", "/var/lib/kubelet", NULL };
/* Sensitive only as a whole: what they contain, not every directory below
 * (/home/me/project is ordinary data; below /var/lib a program's state,
 * reported low by check_sensitive_mount). */
static const char *const root_equivalent_exact[] = { "/", "/var", "/var/lib", "/usr", "/usr/lib", "/lib", "/lib64", NULL };
static const char *const sensitive_exact[] = { "/home", "/run", "/var/run", NULL };
/* Read-only files under /etc that only tell the time or trust anchors. */
static const char *const benign_read_only[] = { "/etc/localtime", "/etc/timezone", "/etc/ssl/certs",
						"/etc/ca-certificates", "/etc/pki/ca-trust", NULL };

/* Whether a host path is sensitive: at or below a root-equivalent or
 * sensitive tree, or exactly one of the directories sensitive as a whole. */
static bool path_sensitive(const char *path)
{
	if (in_list(path, root_equivalent_exact) || in_list(path, sensitive_exact))
		return true;
	for (const char *const *p = root_equivalent; *p; p++)
		if (path_under(path, *p))
			return true;
	for (const char *const *p = sensitive_tree; *p; p++)
		if (path_under(path, *p))
			return true;
	return false;
}

/* One of the directories themselves, not something below them: writable,
 * these are root on the host (a subdirectory such as /etc/pihole is an
 * application's, sensitive but not the host). */
static bool root_equivalent_top(const char *path)
{
	return in_list(path, root_equivalent) || in_list(path, root_equivalent_exact);
}

static bool sensitive_top(const char *path)
{
	return root_equivalent_top(path) || in_list(path, sensitive_tree) || in_list(path, sensitive_exact);
}

static bool benign(const struct bind_src *b)
{
	for (const char *const *p = benign_read_only; *p; p++)
		if (path_under(b->path, *p))
			return b->read_only;
	return false;
}

/* "./data" or "~/data" as written (the frontend made it absolute). */
static bool written_relative(const struct mount *m)
{
	const char *w = m->type == MOUNT_BIND ? m->source_written : NULL;
	return w && (w[0] == '.' || w[0] == '~');
}

/* The project's own files (wherever the project lives) and data below a
 * home or project directory written relatively are not the host's. */
static bool own_data(struct audit_ctx *c, const struct mount *m, const struct bind_src *b)
{
	if (strcmp(c->p->working_dir, "/") != 0 && path_under(b->path, c->p->working_dir))
		return true;
	return written_relative(m) && !sensitive_top(b->path);
}

static void check_sensitive_mount(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		struct bind_src b;
		if (!mount_host_path(c, m, &b) || exposed_socket(b.path) || benign(&b) || own_data(c, m, &b))
			continue;
		if (!path_sensitive(b.path)) {
			/* below /var/lib: a program's state on the host, which the
			 * container can read and (writable) change under it */
			if (path_under(b.path, "/var/lib"))
				audit_add(c, s, m->loc, "volumes", b.path,
					  "service %s mounts the host path %s%s: the state of a program on the host",
					  audit_q(c, s->name), audit_q(c, b.path), b.read_only ? " read-only" : " writable")
					->severity = SEV_LOW;
			continue;
		}
		bool root = strcmp(b.path, "/") == 0;
		bool critical = root || (!b.read_only && root_equivalent_top(b.path));
		struct audit_finding *f = audit_add(
			c, s, m->loc, "volumes", b.path, "service %s mounts the host path %s%s%s", audit_q(c, s->name),
			audit_q(c, b.path), b.read_only ? " read-only" : " writable",
			root ? ": the whole host, engine socket included, which is root on the host"
			     : critical ? ": that is root on the host" : "");
		if (critical)
			f->severity = SEV_CRITICAL;
	}
}

static void check_propagation(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		enum propagation pr = m->bind.propagation;
		if (m->type != MOUNT_BIND || (pr != PROP_SHARED && pr != PROP_RSHARED && pr != PROP_SLAVE &&
					      pr != PROP_RSLAVE))
			continue;
		struct loc at = m->loc;
		AUDIT_LOCATE_IN_ITEM(c, m->loc, &at, "bind", "propagation");
		bool shared = pr == PROP_SHARED || pr == PROP_RSHARED;
		struct audit_finding *f = audit_add(
			c, s, at, "volumes", propagation_names[pr], "service %s mounts %s with %s propagation: %s",
			audit_q(c, s->name), audit_q(c, m->source ? m->source : ""), propagation_names[pr],
			shared ? "mounts made in the container appear on the host and the other way round"
			       : "mounts made on the host appear in the container");
		if (!shared)
			f->severity = SEV_LOW;
	}
}

/* What a mount shares with other services' mounts: the named volume's key,
 * or the host path a bind (or a volume that binds one) reaches. */
static const char *shared_key(struct audit_ctx *c, const struct mount *m)
{
	struct bind_src b;
	if (mount_host_path(c, m, &b))
		return b.path;
	return m->type == MOUNT_VOLUME && m->source ? m->source : NULL;
}

/* A volume or host directory more than one service mounts: what one
 * writes the others read (and run, if it is code); written by more than
 * one, each can corrupt or plant what another reads.  Each mount is the
 * finding's place. */
static void check_shared_volume(struct audit_ctx *c, const struct service *s)
{
	const struct project *p = c->p;
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		const char *key = shared_key(c, m);
		if (!key)
			continue;
		size_t users = 0, writers = 0;
		const char *other = NULL;
		for (size_t j = 0; j < p->n_services; j++) {
			const struct service *t = p->services[j];
			bool uses = false, writes = false;
			for (size_t k = 0; k < t->n_volumes; k++) {
				const char *tk = shared_key(c, &t->volumes[k]);
				if (tk && strcmp(tk, key) == 0) {
					uses = true;
					writes = writes || !t->volumes[k].read_only;
				}
			}
			users += uses;
			writers += writes;
			if (uses && t != s && !other)
				other = t->name;
		}
		if (users < 2)
			continue;
		struct audit_finding *f = audit_add(
			c, s, m->loc, "volumes", key, "service %s shares %s %s with %s%s (%zu services, %zu of them write it)",
			audit_q(c, s->name), m->type == MOUNT_VOLUME && key == m->source ? "the volume" : "the host path",
			audit_q(c, key), audit_q(c, other), users > 2 ? " and others" : "", users, writers);
		if (writers > 1)
			f->severity = SEV_MEDIUM;
	}
}

static void check_relative_bind(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct mount *m = &s->volumes[i];
		const char *w = m->type == MOUNT_BIND ? m->source_written : NULL;
		if (!w || (w[0] != '.' && w[0] != '~'))
			continue;
		size_t n = strcspn(w, ":");
		const char *as_written = arena_strndup(c->a, w, n);
		audit_add(c, s, m->loc, "volumes", as_written,
			  "service %s binds %s, fixed at compile time as %s: the generated files mount that path on "
			  "whichever host runs them",
			  audit_q(c, s->name), audit_q(c, as_written), audit_q(c, m->source));
	}
}

/* ---- capabilities and confinement ----------------------------------------------- */

static void check_cap_add(struct audit_ctx *c, const struct service *s)
{
	static const char *const critical[] = { "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", NULL };
	static const char *const dangerous[] = {
		"SYS_PTRACE", "DAC_READ_SEARCH", "NET_ADMIN", "SYS_BOOT", "SYS_TIME", "BPF", "PERFMON",
		"MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG", "LINUX_IMMUTABLE", "SYS_RESOURCE", "IPC_LOCK", "IPC_OWNER",
		"SYS_NICE", "LEASE", "AUDIT_CONTROL", "AUDIT_READ", "BLOCK_SUSPEND", "WAKE_ALARM",
		"CHECKPOINT_RESTORE", "SYS_PACCT", "SYS_TTY_CONFIG", NULL,
	};
	for (size_t i = 0; i < s->cap_add.n; i++) {
		const char *cap = cap_name(c, s->cap_add.v[i]);
		bool crit = in_list(cap, critical);
		if (!crit && !in_list(cap, dangerous))
			continue;
		struct audit_finding *f = audit_add(c, s, item_loc(s, &s->cap_add, i, "cap_add"), "cap_add", cap,
						    "service %s adds the capability %s", audit_q(c, s->name),
						    audit_q(c, cap));
		if (crit)
			f->severity = SEV_CRITICAL;
	}
}

static void check_cap_drop(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->cap_drop.n; i++)
		if (strcmp(cap_name(c, s->cap_drop.v[i]), "ALL") == 0)
			return;
	audit_add(c, s, audit_key(s, "cap_drop"), "cap_drop", "",
		  s->cap_drop.n ? "service %s drops some capabilities but not ALL: it keeps the rest of the engine's "
				  "default set"
				: "service %s keeps the engine's default capabilities (no cap_drop: [ALL])",
		  audit_q(c, s->name));
}

struct confinement {
	const char *rule, *key, *value, *what;
};
static const struct confinement confinements[] = {
	{ "seccomp-disabled", "seccomp", "unconfined", "turns off the seccomp system-call filter" },
	{ "apparmor-disabled", "apparmor", "unconfined", "turns off AppArmor confinement" },
	{ "selinux-disabled", "label", "disable", "turns off SELinux separation" },
	{ "selinux-disabled", "label", "type:spc_t", "runs as the SELinux super-privileged type spc_t" },
	{ "systempaths-unconfined", "systempaths", "unconfined",
	  "unmasks /proc and /sys paths the engine hides (kcore, sysrq-trigger, ...)" },
};

static void check_confinement(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->security_opt.n; i++) {
		const char *opt = s->security_opt.v[i];
		for (size_t k = 0; k < ARRAY_SIZE(confinements); k++) {
			const struct confinement *x = &confinements[k];
			if (strcmp(x->rule, c->rule->id) != 0 || !opt_is(opt, x->key, x->value))
				continue;
			audit_add(c, s, item_loc(s, &s->security_opt, i, "security_opt"), "security_opt", opt,
				  "service %s %s (security_opt %s)", audit_q(c, s->name), x->what, audit_q(c, opt));
		}
	}
}

static void check_no_new_privileges(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->security_opt.n; i++) {
		const char *opt = s->security_opt.v[i];
		if (strcmp(opt, "no-new-privileges") == 0 || opt_is(opt, "no-new-privileges", "true"))
			return;
		if (opt_is(opt, "no-new-privileges", "false")) {
			struct audit_finding *f =
				audit_add(c, s, item_loc(s, &s->security_opt, i, "security_opt"), "security_opt", opt,
					  "service %s explicitly allows gaining privileges through setuid binaries",
					  audit_q(c, s->name));
			f->severity = SEV_MEDIUM; /* weakened on purpose, not merely missing */
			return;
		}
	}
	audit_add(c, s, audit_key(s, "security_opt"), "security_opt", "",
		  "service %s does not set no-new-privileges: setuid binaries in the image can gain privileges",
		  audit_q(c, s->name));
}

/* ---- ports --------------------------------------------------------------------------- */

static const char *port_text(struct audit_ctx *c, const struct port *p)
{
	return arena_printf(c->a, "%s:%u/%s", p->published ? p->published : "", (unsigned)p->target,
			    port_proto_names[p->protocol]);
}

static bool all_interfaces(const char *ip)
{
	return !ip || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0 || strcmp(ip, "[::]") == 0;
}

static void check_port_all(struct audit_ctx *c, const struct service *s)
{
	if (s->network_mode && strcmp(s->network_mode, "host") == 0)
		return; /* ports do not apply; host-network says more */
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct port *p = &s->ports[i];
		if (!all_interfaces(p->host_ip))
			continue;
		const char *what = p->published ? arena_printf(c->a, "host port %s", audit_q(c, p->published))
						: "a random host port";
		audit_add(c, s, p->loc, "ports", port_text(c, p), "service %s publishes %s (to %u/%s) on every host interface%s",
			  audit_q(c, s->name), what, (unsigned)p->target, port_proto_names[p->protocol],
			  p->host_ip ? "" : " (no host_ip): reachable from the network, past the host firewall");
	}
}

/* Two publications that the engine cannot both bind: the same protocol and
 * host port, on the same address or with one on every interface (measured
 * on Docker: 0.0.0.0:8080 then 127.0.0.1:8080 fails "address already in
 * use"; 127.0.0.2:8080 and 127.0.0.1:8080 both start). */
static bool ports_collide(const struct port *p, const struct port *q)
{
	if (!p->published || !q->published || p->published_lo != p->published_hi ||
	    q->published_lo != q->published_hi || p->published_lo != q->published_lo || p->protocol != q->protocol)
		return false;
	return all_interfaces(p->host_ip) || all_interfaces(q->host_ip) || strcmp(p->host_ip, q->host_ip) == 0;
}

/* A fixed host port that another publication (of this service or of one
 * before it by name) or another replica also binds: one container does not
 * start.  Reported once, at the later of the two. */
static void check_port_conflict(struct audit_ctx *c, const struct service *s)
{
	if (s->network_mode && strcmp(s->network_mode, "host") == 0)
		return;
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct port *p = &s->ports[i];
		const struct service *other = NULL;
		for (size_t j = 0; j < c->p->n_services && !other; j++) {
			const struct service *t = c->p->services[j];
			if (t->network_mode && strcmp(t->network_mode, "host") == 0)
				continue;
			size_t n = t == s ? i : t->n_ports;
			for (size_t k = 0; k < n && !other; k++)
				if (ports_collide(p, &t->ports[k]))
					other = t;
			if (t == s)
				break;
		}
		if (other)
			audit_add(c, s, p->loc, "ports", port_text(c, p),
				  "service %s publishes host port %s/%s, which %s also publishes%s: the engine binds one and "
				  "the other container does not start (address already in use)",
				  audit_q(c, s->name), p->published, port_proto_names[p->protocol],
				  other == s ? "the service" : arena_printf(c->a, "service %s", audit_q(c, other->name)),
				  all_interfaces(p->host_ip) ? " (this one on every interface)" : "");
		else if (p->published && p->published_lo == p->published_hi && s->replicas > 1)
			audit_add(c, s, p->loc, "ports", port_text(c, p),
				  "service %s publishes the fixed host port %s/%s with %lld replicas: only the first "
				  "binds it, the others do not start",
				  audit_q(c, s->name), p->published, port_proto_names[p->protocol], (long long)s->replicas);
	}
}

/* The engine's rule for a container name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (moby's
 * validContainerNamePattern: two characters at least). */
static void check_container_name(struct audit_ctx *c, const struct service *s)
{
	const char *n = s->container_name;
	if (!n)
		return;
	bool ok = isalnum((unsigned char)n[0]) && n[1];
	for (size_t i = 1; ok && n[i]; i++)
		ok = isalnum((unsigned char)n[i]) || strchr("_.-", n[i]);
	if (!ok)
		audit_add(c, s, audit_key(s, "container_name"), "container_name", n,
			  "service %s is named %s, which the engine refuses (a letter or digit, then letters, digits, "
			  "_ . or -, two characters at least): the container is never created",
			  audit_q(c, s->name), audit_q(c, n));
}

static void check_port_privileged(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct port *p = &s->ports[i];
		if (!p->published || p->published_lo == 0 || p->published_lo >= 1024)
			continue;
		audit_add(c, s, p->loc, "ports", port_text(c, p),
			  "service %s publishes the privileged host port %u: binding it needs root on the host "
			  "(rootless Podman cannot)",
			  audit_q(c, s->name), (unsigned)p->published_lo);
	}
}

/* ---- secrets in the environment ------------------------------------------------ */

static bool credential_key(const char *key)
{
	static const char *const parts[] = { "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY",
					     "PRIVATE_KEY", "ACCESS_KEY", "ENCRYPTION_KEY", "CREDENTIAL", "AUTH_KEY",
					     NULL };
	static const char *const suffixes[] = { "_PASS", "_PWD", "_SALT", "_DSN", NULL };
	/* Toggles, lengths, lifetimes and where-to-find-it, not the secret. */
	static const char *const exempt[] = { "_FILE", "_PATH", "ALLOW_EMPTY", "RANDOM_", "_LENGTH", "_EXPIR", "_TTL",
					      "_TIMEOUT", "_LIFETIME", "_URL", "_URI", "_ENDPOINT", "_HOST", "_PORT",
					      "_USER", "_NAME", "_ALGORITHM", "_TYPE", "_ENABLED", "_HEADER", NULL };
	char up[256];
	size_t n = strlen(key) < sizeof(up) - 1 ? strlen(key) : sizeof(up) - 1;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)key[i]);
	up[n] = '\0';
	for (const char *const *e = exempt; *e; e++)
		if (strstr(up, *e))
			return false;
	for (const char *const *p = parts; *p; p++)
		if (strstr(up, *p))
			return true;
	for (const char *const *p = suffixes; *p; p++)
		if (str_has_suffix(up, *p))
			return true;
	return false;
}

/* user:password@ in a URL, the password not empty. */
static bool url_with_password(const char *v)
{
	const char *s = strstr(v, "://");
	if (!s)
		return false;
	s += 3;
	size_t auth = strcspn(s, "@/");
	if (s[auth] != '@')
		return false;
	const char *colon = memchr(s, ':', auth);
	return colon && colon + 1 < s + auth;
}

/* Values whose shape is a credential whatever the variable is called. */
static bool looks_like_key(const char *v)
{
	static const char *const prefixes[] = { "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
						"xoxb-", "xoxp-", "xoxa-", "xoxs-", "sk_live_", "AKIA", NULL };
	if (strstr(v, "-----BEGIN ") && strstr(v, "PRIVATE KEY"))
		return true;
	if (url_with_password(v))
		return true;
	for (const char *const *p = prefixes; *p; p++)
		if (str_has_prefix(v, *p) && strlen(v) >= strlen(*p) + 16)
			return true;
	return false;
}

static bool toggle_value(const char *v)
{
	static const char *const words[] = { "yes", "no", "true", "false", "on", "off", "0", "1", NULL };
	for (const char *const *w = words; *w; w++)
		if (strcasecmp(v, *w) == 0)
			return true;
	return false;
}

/* A credential the compose file itself holds for kv: written as the value,
 * or the part of an interpolated value that is the file's own (a default,
 * the text around a reference); not one from the environment or an
 * env_file. */
static bool literal_secret(const struct kv *kv)
{
	const char *v = kv->literal ? kv->value : kv->shipped;
	if (!v || !v[0])
		return false;
	if (toggle_value(v) || str_has_prefix(v, "/run/secrets/"))
		return false;
	return looks_like_key(v) || credential_key(kv->key);
}

static void check_env_list(struct audit_ctx *c, const struct service *s, const struct kvlist *l, const char *attr,
			   const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (literal_secret(&l->v[i]))
			audit_add(c, s, l->v[i].loc, attr, l->v[i].key,
				  l->v[i].literal ? "service %s %s %s as a literal value"
						  : "service %s %s %s with a value the file itself holds (a default, or "
						    "text around a variable)",
				  audit_q(c, s->name), what, audit_q(c, l->v[i].key));
}

static void check_secret_env(struct audit_ctx *c, const struct service *s)
{
	check_env_list(c, s, &s->environment, "environment", "passes the credential");
	check_env_list(c, s, &s->build.args, "build.args",
		       "bakes into the image history the build argument");
	const struct hook *lists[] = { s->pre_start, s->post_start, s->pre_stop };
	const size_t ns[] = { s->n_pre_start, s->n_post_start, s->n_pre_stop };
	static const char *const attrs[] = { "pre_start.environment", "post_start.environment", "pre_stop.environment" };
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < ns[k]; i++)
			check_env_list(c, s, &lists[k][i].own_environment, attrs[k], "passes to a lifecycle step the credential");
}

/* ---- images --------------------------------------------------------------------------- */

/* The tag of an image reference ("" when none) and whether it has a digest. */
static const char *image_tag(struct audit_ctx *c, const char *image, bool *digest)
{
	const char *at = strchr(image, '@');
	*digest = at != NULL;
	const char *end = at ? at : image + strlen(image);
	const char *colon = NULL; /* the last one after the last '/' (not a registry port) */
	for (const char *p = image; p < end; p++) {
		if (*p == '/')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	return colon ? arena_strndup(c->a, colon + 1, (size_t)(end - colon - 1)) : "";
}

/* Tags that name a channel rather than a release: whatever was pushed last
 * ("latest" is also what no tag means). */
static bool moving_tag(const char *tag)
{
	static const char *const moving[] = { "latest", "stable", "edge", "nightly", "dev", "test", "beta", "canary",
					      NULL };
	return !tag[0] || in_list(tag, moving);
}

static void check_image_unpinned(struct audit_ctx *c, const struct service *s)
{
	bool digest;
	if (!s->image || s->build.present)
		return; /* the image is what the build produces */
	const char *tag = image_tag(c, s->image, &digest);
	if (digest || !moving_tag(tag))
		return;
	audit_add(c, s, audit_key(s, "image"), "image", s->image,
		  tag[0] ? "service %s uses the image %s with the moving tag %s: every pull may run different code"
			 : "service %s uses the image %s without a tag (that is %s): every pull may run different code",
		  audit_q(c, s->name), audit_q(c, s->image), audit_q(c, tag[0] ? tag : "latest"));
}

static void check_image_digest(struct audit_ctx *c, const struct service *s)
{
	bool digest;
	if (!s->image || s->build.present)
		return;
	const char *tag = image_tag(c, s->image, &digest);
	if (digest || moving_tag(tag))
		return;
	audit_add(c, s, audit_key(s, "image"), "image", s->image,
		  "service %s pins the image %s by tag only: a tag can be moved to other content", audit_q(c, s->name),
		  audit_q(c, s->image));
}

/* ---- resources, health, restarts -------------------------------------------------- */

static struct loc limits_loc(struct audit_ctx *c, const struct service *s)
{
	return AUDIT_LOCATE(c, s, "deploy", "resources", "limits");
}

static void check_memory(struct audit_ctx *c, const struct service *s)
{
	if (s->mem_limit > 0 || s->deploy.limits.memory > 0)
		return;
	audit_add(c, s, limits_loc(c, s), "deploy.resources.limits.memory", "",
		  "service %s has no memory limit: it can take all of the host's memory", audit_q(c, s->name));
}

static void check_cpu(struct audit_ctx *c, const struct service *s)
{
	if ((!isnan(s->cpus) && s->cpus > 0) || (!isnan(s->deploy.limits.cpus) && s->deploy.limits.cpus > 0) ||
	    s->cpu_quota > 0 || (!isnan(s->cpu_percent) && s->cpu_percent > 0) || s->cpu_count > 0)
		return;
	audit_add(c, s, limits_loc(c, s), "deploy.resources.limits.cpus", "",
		  "service %s has no CPU limit: it can starve the host and the other services", audit_q(c, s->name));
}

static void check_pids(struct audit_ctx *c, const struct service *s)
{
	if (s->pids_limit > 0 || s->deploy.limits.pids > 0)
		return;
	bool unlimited = s->pids_limit != IR_UNSET;
	audit_add(c, s, unlimited ? audit_key(s, "pids_limit") : limits_loc(c, s), "deploy.resources.limits.pids",
		  "", "service %s has %s: a fork bomb in it exhausts the host's processes", audit_q(c, s->name),
		  unlimited ? "an unlimited pids_limit" : "no pids limit");
}

static bool healthcheck_disabled(const struct service *s)
{
	return s->healthcheck.present && (s->healthcheck.disable || s->healthcheck.test_kind == HC_TEST_NONE);
}

/* Some service waits for s to complete: a one-shot job, not a daemon. */
static bool is_job(const struct project *p, const struct service *s)
{
	for (size_t i = 0; i < p->n_services; i++)
		for (size_t j = 0; j < p->services[i]->n_depends_on; j++) {
			const struct dependency *d = &p->services[i]->depends_on[j];
			if (d->target == s && d->condition == DEP_COMPLETED)
				return true;
		}
	return false;
}

static void check_healthcheck(struct audit_ctx *c, const struct service *s)
{
	if (healthcheck_disabled(s)) {
		struct loc at = AUDIT_LOCATE(c, s, "healthcheck", s->healthcheck.disable ? "disable" : "test");
		audit_add(c, s, at, "healthcheck", "disabled", "service %s disables its healthcheck", audit_q(c, s->name));
	} else if (!s->healthcheck.present && !is_job(c->p, s)) {
		audit_add(c, s, s->loc, "healthcheck", "",
			  "service %s defines no healthcheck: a hung process is not noticed (unless the image has a "
			  "HEALTHCHECK)",
			  audit_q(c, s->name));
	}
}

static void check_healthy_dependency(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *d = &s->depends_on[i];
		const struct service *t = d->target;
		if (d->condition != DEP_HEALTHY || !t || (t->healthcheck.present && !healthcheck_disabled(t)))
			continue;
		audit_add(c, s, d->loc, "depends_on", d->service,
			  healthcheck_disabled(t) ? "service %s waits for %s to be healthy, but %s disables its "
						    "healthcheck: the start always fails"
						  : "service %s waits for %s to be healthy, but %s defines no "
						    "healthcheck: the start fails unless its image has a HEALTHCHECK",
			  audit_q(c, s->name), audit_q(c, t->name), audit_q(c, t->name));
	}
}

static void check_restart(struct audit_ctx *c, const struct service *s)
{
	if (s->restart == RESTART_ON_FAILURE && s->restart_max_retries <= 0) {
		struct loc at = s->restart_loc.file ? s->restart_loc : audit_key(s, "restart");
		audit_add(c, s, at, "restart", "on-failure",
			  "service %s restarts on failure without a limit: a crashing container is restarted forever",
			  audit_q(c, s->name));
	}
	if (s->deploy.restart_policy.present && s->deploy.restart_policy.condition == RCOND_ON_FAILURE &&
	    s->deploy.restart_policy.max_attempts <= 0)
		audit_add(c, s, AUDIT_LOCATE(c, s, "deploy", "restart_policy", "max_attempts"), "deploy.restart_policy",
			  "on-failure",
			  "service %s restarts on failure without max_attempts: a crashing container is restarted "
			  "forever",
			  audit_q(c, s->name));
}

/* ---- lifecycle steps ------------------------------------------------------------------- */

struct hooks {
	const char *name;
	const struct hook *v;
	size_t n;
};

static void hook_lists(const struct service *s, struct hooks out[3])
{
	out[0] = (struct hooks){ "pre_start", s->pre_start, s->n_pre_start };
	out[1] = (struct hooks){ "post_start", s->post_start, s->n_post_start };
	out[2] = (struct hooks){ "pre_stop", s->pre_stop, s->n_pre_stop };
}

static struct loc hook_key(struct audit_ctx *c, const struct hook *h, const char *key)
{
	struct loc at = h->loc;
	AUDIT_LOCATE_IN_ITEM(c, h->loc, &at, key);
	return at;
}

static void check_hook_privileged(struct audit_ctx *c, const struct service *s)
{
	struct hooks hl[3];
	hook_lists(s, hl);
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < hl[k].n; i++)
			if (hl[k].v[i].privileged == TRI_TRUE)
				audit_add(c, s, hook_key(c, &hl[k].v[i], "privileged"), hl[k].name,
					  arena_printf(c->a, "%zu", i + 1), "%s step %zu of service %s runs privileged",
					  hl[k].name, i + 1, audit_q(c, s->name));
}

static void check_hook_root(struct audit_ctx *c, const struct service *s)
{
	struct hooks hl[3];
	hook_lists(s, hl);
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < hl[k].n; i++)
			if (is_root_user(hl[k].v[i].user))
				audit_add(c, s, hook_key(c, &hl[k].v[i], "user"), hl[k].name,
					  arena_printf(c->a, "%zu", i + 1), "%s step %zu of service %s runs as root (user %s)",
					  hl[k].name, i + 1, audit_q(c, s->name), audit_q(c, hl[k].v[i].user));
}

static void check_pre_start_user(struct audit_ctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->n_pre_start; i++) {
		const struct hook *h = &s->pre_start[i];
		if (h->user || (h->image_inherited && s->user))
			continue;
		audit_add(c, s, h->loc, "pre_start", arena_printf(c->a, "%zu", i + 1),
			  "pre_start step %zu of service %s runs as the default user of the image %s, which the file does "
			  "not name (often root)",
			  i + 1, audit_q(c, s->name), audit_q(c, h->image ? h->image : ""));
	}
}

/* ---- logging and tmpfs ------------------------------------------------------------- */

static void check_logging(struct audit_ctx *c, const struct service *s)
{
	if (!s->logging.present || !s->logging.driver || strcmp(s->logging.driver, "none") != 0)
		return;
	audit_add(c, s, AUDIT_LOCATE(c, s, "logging", "driver"), "logging.driver", "none",
		  "service %s keeps no logs (logging driver \"none\"): what it did is gone, for docker logs and for "
		  "whoever investigates",
		  audit_q(c, s->name));
}

/* A tmpfs entry "PATH:OPTIONS" giving back what the engine takes away from
 * every tmpfs: noexec, nosuid, nodev. */
static void check_tmpfs(struct audit_ctx *c, const struct service *s)
{
	static const char *const given[] = { "exec", "suid", "dev", NULL };
	for (size_t i = 0; i < s->tmpfs.n; i++) {
		const char *opts = strchr(s->tmpfs.v[i], ':');
		struct strbuf back = STRBUF_INIT;
		for (const char *o = opts; o && *o;) {
			o++;
			size_t n = strcspn(o, ",");
			for (const char *const *g = given; *g; g++)
				if (strlen(*g) == n && strncmp(o, *g, n) == 0)
					sb_addf(&back, "%s%s", back.len ? "," : "", *g);
			o += n;
		}
		if (back.len)
			audit_add(c, s, item_loc(s, &s->tmpfs, i, "tmpfs"), "tmpfs", s->tmpfs.v[i],
				  "service %s mounts the tmpfs %s with %s: a file dropped there %s",
				  audit_q(c, s->name), audit_q(c, s->tmpfs.v[i]), back.buf,
				  strstr(back.buf, "exec") ? "can be run" : "keeps its setuid bit or device node");
		sb_release(&back);
	}
}

/* ---- the table ---------------------------------------------------------------------- */

static const struct audit_rule rules[] = {
	{ "privileged", SEV_CRITICAL, "Container runs privileged",
	  "A privileged container has every capability, every host device and no seccomp, AppArmor or SELinux "
	  "confinement: escaping to the host is one mount away.",
	  "Remove `privileged: true`; add only the capabilities the service needs with cap_add, and the devices "
	  "with devices.",
	  "CWE-250 CIS-Docker-5.5 OWASP-Docker-3", check_privileged },
	{ "host-network", SEV_HIGH, "Container shares the host's network namespace",
	  "network_mode: host removes network isolation: the container can bind any host port, reach services "
	  "listening on the host's localhost and sniff host traffic with NET_RAW.",
	  "Use a bridge network and publish only the ports that must be reachable.", "CWE-653 CIS-Docker-5.10",
	  check_host_ns },
	{ "host-pid", SEV_HIGH, "Container shares the host's PID namespace",
	  "pid: host lets the container see every host process, their command lines and environment, and signal "
	  "or trace them.",
	  "Remove `pid: host`; use `pid: service:NAME` if it must see a sibling's processes.",
	  "CWE-653 CIS-Docker-5.16", check_host_ns },
	{ "host-ipc", SEV_MEDIUM, "Container shares the host's IPC namespace",
	  "ipc: host exposes the host's shared memory segments and semaphores to the container.",
	  "Remove `ipc: host`; use `ipc: shareable` and `ipc: service:NAME` between services.",
	  "CWE-653 CIS-Docker-5.17", check_host_ns },
	{ "host-uts", SEV_LOW, "Container shares the host's UTS namespace",
	  "uts: host lets the container see and change the host's hostname and domain name.", "Remove `uts: host`.",
	  "CWE-653 CIS-Docker-5.21", check_host_ns },
	{ "host-userns", SEV_MEDIUM, "Container shares the host's user namespace",
	  "userns_mode: host turns off user-namespace remapping for the container: its root is the host's root.",
	  "Remove `userns_mode: host`.", "CWE-653 CIS-Docker-5.31", check_host_ns },
	{ "engine-socket", SEV_CRITICAL, "Container engine socket mounted",
	  "Whoever talks to the Docker, Podman or containerd socket can start a privileged container with the "
	  "host's root mounted: mounting the socket, or a directory holding it, is root on the host. A read-only "
	  "mount does not help: it applies to the socket file, not to the API behind it.",
	  "Remove the mount. If the service needs the API, put a filtering socket proxy in front of it and give it "
	  "only the endpoints it uses.",
	  "CWE-250 CIS-Docker-5.32 OWASP-Docker-1", check_engine_socket },
	{ "sensitive-mount", SEV_HIGH, "Sensitive host path mounted",
	  "Binding host system directories (/, /etc, /proc, /sys, /boot, /root, /dev, /var/lib/docker, the "
	  "executable and module trees) exposes host configuration and credentials; writable, most of them are "
	  "root on the host (critical).",
	  "Remove the bind mount; copy the files the service needs into the image or a named volume, or mount the "
	  "single file it reads with :ro.",
	  "CWE-668 CIS-Docker-5.6 OWASP-Docker-8", check_sensitive_mount },
	{ "shared-propagation", SEV_MEDIUM, "Bind mount with shared propagation",
	  "With shared (or slave) propagation, mounts made on one side of a bind appear on the other: a "
	  "container can mount over host paths.",
	  "Drop the propagation option (the default is rprivate).", "CWE-668 CIS-Docker-5.20", check_propagation },
	{ "host-device", SEV_MEDIUM, "Host device passed to the container",
	  "devices gives the container a host device node; raw memory and disks (critical) bypass every file "
	  "permission on the host.",
	  "Pass only the device the service needs, read-only where it allows (\"/dev/x:/dev/x:r\").",
	  "CWE-250 CIS-Docker-5.18", check_devices },
	{ "cgroup-parent", SEV_MEDIUM, "Custom cgroup parent",
	  "cgroup_parent moves the container out of the engine's cgroup: the limits and accounting that apply "
	  "are those of that cgroup.",
	  "Remove cgroup_parent unless that cgroup is managed and limited on purpose.", "CWE-770 CIS-Docker-5.25",
	  check_cgroup_parent },
	{ "dangerous-capability", SEV_HIGH, "Dangerous capability added",
	  "cap_add of ALL, SYS_ADMIN, SYS_MODULE or SYS_RAWIO (critical) is root on the host; SYS_PTRACE, "
	  "DAC_READ_SEARCH, NET_ADMIN, BPF and the like give a container powers over the host it rarely needs.",
	  "Remove the capability, or replace it by the narrow one the service needs.",
	  "CWE-250 CIS-Docker-5.4 OWASP-Docker-3", check_cap_add },
	{ "no-cap-drop", SEV_LOW, "Default capabilities kept",
	  "Without cap_drop: [ALL] the container keeps the engine's default capabilities (CHOWN, DAC_OVERRIDE, "
	  "FOWNER, SETUID, NET_RAW, ...), which most services never use.",
	  "Add `cap_drop: [ALL]` and add back with cap_add only what the service needs.",
	  "CWE-250 CIS-Docker-5.4 OWASP-Docker-3", check_cap_drop },
	{ "seccomp-disabled", SEV_HIGH, "Seccomp filter disabled",
	  "security_opt seccomp:unconfined lets the container make every system call, including those used in "
	  "kernel exploits and escapes.",
	  "Remove seccomp:unconfined; if a call is missing, use a custom profile that adds only that call.",
	  "CWE-693 CIS-Docker-5.22 OWASP-Docker-6", check_confinement },
	{ "apparmor-disabled", SEV_HIGH, "AppArmor disabled",
	  "security_opt apparmor:unconfined removes the engine's AppArmor profile, which denies writes to /proc "
	  "and /sys and mounts.",
	  "Remove apparmor:unconfined, or load a profile made for the service.", "CWE-693 CIS-Docker-5.2 OWASP-Docker-6",
	  check_confinement },
	{ "selinux-disabled", SEV_HIGH, "SELinux separation disabled",
	  "security_opt label:disable (or type spc_t) turns off SELinux separation between the container and "
	  "the host.",
	  "Remove the label option; relabel volumes with :z or :Z instead.", "CWE-693 CIS-Docker-5.3 OWASP-Docker-6",
	  check_confinement },
	{ "systempaths-unconfined", SEV_MEDIUM, "Masked system paths exposed",
	  "security_opt systempaths=unconfined unmasks /proc and /sys paths the engine hides from containers, "
	  "such as /proc/kcore and /proc/sysrq-trigger.",
	  "Remove systempaths=unconfined.", "CWE-693", check_confinement },
	{ "no-new-privileges", SEV_LOW, "no-new-privileges not set",
	  "Without no-new-privileges a process in the container can gain privileges through setuid and setgid "
	  "binaries or file capabilities; setting it to false on purpose is medium.",
	  "Add `security_opt: [\"no-new-privileges:true\"]`.", "CWE-269 CIS-Docker-5.26 OWASP-Docker-4",
	  check_no_new_privileges },
	{ "user-root", SEV_LOW, "Service runs as root",
	  "user: root (or 0) runs the service as root in the container; together with any other weakness that is "
	  "root on the host.",
	  "Run as an unprivileged user (user: \"1000:1000\") and give it the files it needs.",
	  "CWE-250 OWASP-Docker-2", check_user_root },
	{ "writable-root-fs", SEV_LOW, "Writable root filesystem",
	  "Without read_only: true the container's root filesystem is writable: whoever gets code execution in it "
	  "can replace its binaries and configuration and keep a foothold across restarts of the process.",
	  "Set `read_only: true` and give the paths the service writes a volume or a tmpfs.",
	  "CWE-732 CIS-Docker-5.13 OWASP-Docker-8", check_read_only },
	{ "port-all-interfaces", SEV_MEDIUM, "Port published on every host interface",
	  "A published port without host_ip listens on 0.0.0.0 and ::, reachable from every network the host is "
	  "on; the engine's NAT rules also bypass host firewalls such as ufw.",
	  "Publish on the address that needs it: \"127.0.0.1:8080:80\" (or host_ip: 127.0.0.1), or a private "
	  "interface's address.",
	  "CWE-668 CIS-Docker-5.14 OWASP-Docker-5", check_port_all },
	{ "privileged-port", SEV_LOW, "Privileged host port published",
	  "Host ports below 1024 need root (or CAP_NET_BIND_SERVICE) to bind: rootless Podman cannot publish them "
	  "unless net.ipv4.ip_unprivileged_port_start is lowered.",
	  "Publish a port of 1024 or above, or put a reverse proxy in front.", "CWE-250 CIS-Docker-5.8",
	  check_port_privileged },
	{ "secret-in-env", SEV_HIGH, "Credential passed as a literal environment value",
	  "An environment variable named like a credential (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ...) "
	  "or holding something shaped like one (a private key, a cloud access key, a URL with a password) is "
	  "written in the file: it is readable by anyone who reads the file, `docker inspect` or "
	  "/proc/PID/environ. Interpolated values (${VAR}) and env_file entries are not flagged.",
	  "Use a compose secret and the image's *_FILE variable (POSTGRES_PASSWORD_FILE=/run/secrets/db), or at "
	  "least interpolate the value from an untracked .env file.",
	  "CWE-798 CWE-526 OWASP-Docker-12", check_secret_env },
	{ "image-unpinned", SEV_MEDIUM, "Image without a tag or with a moving tag",
	  "An image without a tag, or tagged latest or with another channel rather than a release (stable, edge, "
	  "nightly, dev, test, beta, canary), runs whatever was pushed last: builds are not reproducible and a "
	  "compromised or broken push is picked up silently.",
	  "Pin a version tag, better a digest: image: nginx:1.27@sha256:...", "CWE-494 OWASP-Docker-13",
	  check_image_unpinned },
	{ "image-no-digest", SEV_INFO, "Image pinned by tag only",
	  "A tag can be moved to other content; only a digest names exactly one image.",
	  "Add the digest: image: nginx:1.27@sha256:...", "CWE-494 OWASP-Docker-13", check_image_digest },
	{ "no-memory-limit", SEV_LOW, "No memory limit",
	  "Without mem_limit or deploy.resources.limits.memory one service can take all of the host's memory "
	  "and get other processes killed.",
	  "Set deploy.resources.limits.memory (or mem_limit).", "CWE-770 CIS-Docker-5.11 OWASP-Docker-7",
	  check_memory },
	{ "no-cpu-limit", SEV_LOW, "No CPU limit",
	  "Without cpus or deploy.resources.limits.cpus one service can starve the host and the other services.",
	  "Set deploy.resources.limits.cpus (or cpus).", "CWE-770 CIS-Docker-5.12 OWASP-Docker-7", check_cpu },
	{ "no-pids-limit", SEV_LOW, "No PIDs limit",
	  "Without pids_limit a fork bomb in one container exhausts the host's process table.",
	  "Set pids_limit (or deploy.resources.limits.pids), e.g. 200.", "CWE-770 CIS-Docker-5.29 OWASP-Docker-7",
	  check_pids },
	{ "no-healthcheck", SEV_LOW, "No healthcheck",
	  "Without a healthcheck a hung service looks healthy to the engine, to restart policies and to services "
	  "that depend on it. Services that others wait for with service_completed_successfully are not flagged.",
	  "Add a healthcheck that exercises the service (test, interval, retries).", "CWE-754 CIS-Docker-5.27",
	  check_healthcheck },
	{ "dependency-without-healthcheck", SEV_HIGH, "service_healthy dependency without a healthcheck",
	  "depends_on with condition service_healthy waits for a health status; if the dependency has no "
	  "healthcheck the start fails (docker compose: \"has no healthcheck configured\").",
	  "Give the dependency a healthcheck, or wait with condition service_started.", "CWE-754",
	  check_healthy_dependency },
	{ "restart-unbounded", SEV_LOW, "Restart on failure without a limit",
	  "restart: on-failure without a count (or deploy.restart_policy without max_attempts) restarts a "
	  "crashing container forever, hiding the failure and loading the host.",
	  "Bound the retries: restart: on-failure:5 (CIS), or deploy.restart_policy.max_attempts: 5.",
	  "CWE-770 CIS-Docker-5.15 OWASP-Docker-7", check_restart },
	{ "hook-privileged", SEV_HIGH, "Lifecycle step runs privileged",
	  "A pre_start, post_start or pre_stop step with privileged: true runs with every capability and device, "
	  "like a privileged container, each time the service starts or stops.",
	  "Remove privileged from the step; give it the capability it needs instead.", "CWE-250 CIS-Docker-5.5",
	  check_hook_privileged },
	{ "hook-root", SEV_LOW, "Lifecycle step runs as root",
	  "A pre_start, post_start or pre_stop step with user: root (or 0) runs as root, typically with the "
	  "service's volumes mounted.",
	  "Run the step as the service's user; if it must chown files, limit it to those paths.", "CWE-250",
	  check_hook_root },
	{ "pre-start-user-unset", SEV_INFO, "pre_start step runs as the image's default user",
	  "A pre_start step without user (and without the service's user to inherit) runs as whatever user its "
	  "image defaults to, which the compose file does not show and is often root.",
	  "Set user on the step (or on the service when the step uses the service image).", "CWE-250",
	  check_pre_start_user },
	{ "shared-volume", SEV_LOW, "Volume shared between services",
	  "A named volume or host directory that several services mount carries what one writes to the others, "
	  "which read it and may run it; written by more than one (medium), each can corrupt or plant what "
	  "another reads.",
	  "Give each service its own volume; where data must pass, let one service write and mount it read-only "
	  "(:ro) in the others.",
	  "CWE-668", check_shared_volume },
	{ "host-port-conflict", SEV_HIGH, "Host port published twice",
	  "Two publications of one host port and protocol, on the same address or one of them on every interface "
	  "(or a fixed host port with more than one replica): the engine binds the first and refuses the later "
	  "container, which does not start.",
	  "Publish each host port once; with replicas, publish a range or let the engine choose (\"80\" alone).",
	  "CWE-694", check_port_conflict },
	{ "container-name-invalid", SEV_HIGH, "Container name the engine refuses",
	  "The engine accepts container names of a letter or digit followed by letters, digits, _ . or - (two "
	  "characters at least); docker compose config passes any other name, and the container is never created.",
	  "Rename the container (or drop container_name and let compose name it).", "CWE-20",
	  check_container_name },
	{ "logging-disabled", SEV_MEDIUM, "Logging disabled",
	  "With the logging driver none the engine keeps nothing the service writes: docker logs shows nothing, "
	  "and an incident leaves no trace of what the service did.",
	  "Remove logging.driver: none, or use a driver that keeps bounded logs (json-file or local with max-size).",
	  "CWE-778 OWASP-Docker-11", check_logging },
	{ "tmpfs-exec", SEV_MEDIUM, "tmpfs mounted with exec, suid or dev",
	  "The engine mounts every tmpfs noexec, nosuid and nodev; the options exec, suid and dev give that back: a "
	  "file an attacker drops in the writable tmpfs can be run, or keep a setuid bit or a device node.",
	  "Remove exec, suid and dev from the tmpfs options; where a program must run from there, mount only that "
	  "path with exec.",
	  "CWE-732", check_tmpfs },
	{ "relative-bind", SEV_INFO, "Relative bind mount fixed at compile time",
	  "A relative bind source (./data, ~/data) is resolved when composec runs: the generated units and "
	  "scripts mount that absolute path on whichever host runs them.",
	  "Compile on the host (and in the directory) the output is for, or write the absolute path.", "",
	  check_relative_bind },
};

const struct audit_rule *audit_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

const struct audit_rule *audit_rule_find(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}
