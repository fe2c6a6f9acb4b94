/*
 * k8s.c - the Kubernetes backend (DESIGN.md §6 "Kubernetes", §7): one file
 * per object, `<NN>-<kind>-<name>.yaml` (or .json with --format json);
 * without -o the driver prints them as one multi-document YAML stream
 * ("# FileName=" comments between "---" separators).  NN puts them in
 * dependency order, by name as every consumer reads a directory: 00 the
 * namespace, 01 what the pods use (claims, ConfigMaps, Secrets, the
 * waiter's account, the networks' policies), then each service's objects
 * at 02 + its level (1 + its dependencies' highest), so that a consumer
 * that runs a stream in order (`podman kube play`, which runs a pod's
 * init containers before it reads the next document) meets every
 * dependency before the services that wait for it.
 *
 * Requires a validated project (dependency targets resolved, services in
 * dependency order).  Provides a sorted file set; every compose string
 * reaches it through the emitter's escapers (base/emit.h), and container
 * command, args and env values also through k8s_expand_escape, because the
 * kubelet expands $(VAR) and $$ there.  Choices, and why:
 *  - One workload per service: a Deployment; a Job for one-shot services
 *    (restart "no" or on-failure, or deploy.restart_policy none/on-failure,
 *    or a *-job deploy mode), which is what compose runs them as; a
 *    DaemonSet for deploy.mode global.
 *  - Names: a service's objects and its Service carry its name made a
 *    DNS-1035 label (lowercase, [^a-z0-9] -> '-'), which is what other
 *    containers resolve; a name that had to change is reported, and a
 *    collision gets a hash suffix.  Objects live in --namespace, which is
 *    also emitted (as 00-namespace-NS so that `kubectl apply -f DIR` and
 *    the printed stream create it first).
 *  - A ClusterIP Service for ports and expose: its ports are the container
 *    ports (what compose's service DNS reaches) plus the published ports
 *    that differ; a headless Service for every other service, so that its
 *    name resolves as in compose (a service that is nobody's depends_on
 *    target is still reached by name), and one per network alias (the same
 *    selector and ports) so that the alias resolves too.  Both only reach Ready pods, and a
 *    healthcheck becomes the readiness probe: a wait init container per
 *    dependency (nc -z on the first port, else nslookup of the headless
 *    name) thus waits for health.  service_completed_successfully on a
 *    Job waits with `kubectl wait --for=condition=complete` under a
 *    ServiceAccount allowed to read Jobs.
 *  - Networks: with more than one, or an internal one, each is a
 *    NetworkPolicy that lets its pods (labelled composec.network/<name>)
 *    admit only each other, an internal one's reach only each other and
 *    DNS; a port published beyond the host admits every client (its own
 *    policy).  One plain network is the namespace: no policy.
 *  - pre_start steps are init containers after the waits, in order, with
 *    the step's image (default the service's), command as args (the image
 *    ENTRYPOINT stays, as compose runs it), merged environment, the pod's
 *    volume mounts, user and privileged as securityContext.  Init
 *    containers run per pod, so per_replica: false with several replicas
 *    is reported.
 *  - Named volumes are PersistentVolumeClaims (ReadWriteOnce, 1Gi);
 *    anonymous volumes emptyDir; tmpfs emptyDir in memory; bind mounts
 *    hostPath (reported: the path must exist on the node); configs and
 *    secrets ConfigMaps and Secrets holding the file's or the value's
 *    bytes, mounted with subPath at the spec's targets.
 *  - compose labels are annotations (any value is allowed there, as
 *    kompose does); the objects' labels are app.kubernetes.io/managed-by
 *    and com.docker.compose.project/service, the selector the latter two.
 *  - kompose's labels, as people migrating from kompose have them, where
 *    they mean something here (kompose_labels): the Service's type
 *    (default --service-type for what compose publishes), its node port
 *    and traffic policy; kompose.service.expose as an Ingress;
 *    kompose.controller.type (default --controller): a StatefulSet's own
 *    volumes are claim templates and its Service headless; claim size and
 *    class (default --pvc-size); pull policy and secret, ServiceAccount,
 *    fsGroup, host ports; an HTTP or TCP readiness or liveness probe (a
 *    liveness probe only so: docker never kills an unhealthy container).
 *    Any other kompose.* label is reported.
 *  - --format helm: a chart: the same objects as templates/ (every "{{"
 *    of a user's string escaped for Go's templates), Chart.yaml, and
 *    values.yaml with what people change per environment (emit_values);
 *    with its values as they are the chart renders the plain objects.
 *  - Whatever has no Kubernetes equivalent is reported with its location.
 */
#include "backends/backend.h"
#include "backends/escape.h"
#include "backends/runargs.h"
#include "base/emit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LABEL 63      /* DNS-1123 / DNS-1035 label */
#define NAME_MAX_SUBDOMAIN 253 /* DNS-1123 subdomain */
#define PVC_SIZE "1Gi" /* the default of --pvc-size */
/* The defaults of --wait-image and --kubectl-image: images the compose
 * file does not name, which a cluster that cannot pull them (air-gapped)
 * must be given its own of. */
#define WAIT_IMAGE "busybox:1.36"
#define KUBECTL_IMAGE "registry.k8s.io/kubectl:v1.34.0"
#define FILE_DATA_MAX (1u << 20) /* a ConfigMap or Secret holds at most 1 MiB */
#define EXPOSE_RANGE_MAX 100
#define JOB_BACKOFF_DEFAULT 6

/* Docker's healthcheck defaults: the probes say them explicitly. */

#define LABEL_MANAGED "app.kubernetes.io/managed-by"
#define LABEL_PROJECT "com.docker.compose.project"
#define LABEL_SERVICE "com.docker.compose.service"
#define POD_LABEL_NETWORK "composec.network/" /* + the network's policy name: "true" on its pods */
#define DNS_PORT 53

/* The file name prefixes that put the objects in dependency order. */
enum { RANK_NAMESPACE, RANK_SHARED, RANK_SERVICE /* + the service's level */ };

enum wl_kind { WL_DEPLOYMENT, WL_JOB, WL_DAEMONSET, WL_STATEFULSET, WL__MAX };

/* A Service's type: --service-type or kompose.service.type. */
enum svc_type { ST_CLUSTERIP, ST_NODEPORT, ST_LOADBALANCER, ST_HEADLESS, ST__MAX };
static const char *const svc_type_names[ST__MAX] = { "clusterip", "nodeport", "loadbalancer", "headless" };
static const char *const svc_type_k8s[ST__MAX] = { "ClusterIP", "NodePort", "LoadBalancer", "ClusterIP" };

/* A probe kompose's labels ask for: HTTP GET of path at port, or a TCP
 * connect to port. */
struct probe_ask {
	bool set, disable;
	const char *path;
	long port, tcp;
	struct loc loc;
};

/* What kompose's labels (kompose.*) ask of a service, where composec has
 * a meaning for them; the others are reported. */
struct kompose {
	int type; /* enum svc_type, or -1: not asked */
	long node_port;
	uint32_t node_port_of; /* the Service port (the published one) it is for */
	const char *traffic_policy;
	const char *expose, *tls_secret, *ingress_class;
	struct loc expose_loc;
	bool host_port;
	const char *pull_policy, *pull_secret, *account;
	long long fs_group; /* or -1 */
	struct probe_ask liveness, readiness;
	const char *volume_size, *storage_class; /* for the volumes it mounts */
};

/* A volume of the pod, and where the containers mount it. */
enum pvol_type { PV_CLAIM, PV_TEMPLATE, PV_EMPTY, PV_MEMORY, PV_HOST, PV_CONFIG, PV_SECRET };
struct pvol {
	enum pvol_type type;
	const char *name; /* pod volume name */
	const char *ref;  /* claim, host path, ConfigMap or Secret name */
	const struct resource *r; /* claim, template: the volume */
	const char *key;  /* config/secret: the data key */
	int64_t size;     /* memory: sizeLimit bytes or IR_UNSET */
	int64_t mode;     /* config/secret item mode or IR_UNSET */
};
struct pmount {
	const char *vol, *path, *sub_path;
	bool read_only;
	const char *propagation; /* mountPropagation, or NULL */
};

struct cport { /* a container port */
	uint32_t port;
	enum port_proto proto;
};
struct sport { /* a Service port */
	const char *name, *app_protocol;
	uint32_t port, target;
	enum port_proto proto;
};

/* One service, analysed before anything is written. */
struct svc {
	const struct service *s;
	const char *name; /* DNS-1035 label: objects, Service, container */
	enum wl_kind kind;
	const char *restart_policy; /* Job pods: Never / OnFailure */
	int64_t backoff;            /* Job: backoffLimit */
	struct cport *cports;
	size_t n_cports;
	struct sport *sports;
	size_t n_sports;
	bool uses_claim; /* Deployment strategy Recreate */
	bool waits_job;  /* a kubectl wait: runs under the waiter ServiceAccount */
	struct pvol *vols;
	size_t n_vols;
	struct pmount *mounts;
	size_t n_mounts;
	struct strvec aliases; /* its network aliases' Services (DNS-1035 labels) */
	int level;             /* 0 without dependencies, else 1 + its dependencies' highest */
	struct cport *open;    /* ports published beyond the host: open to every pod */
	size_t n_open;
	const char *open_policy; /* its NetworkPolicy for them, when there are policies */
	struct kompose ko;
	enum svc_type type; /* its Service's */
};

/* A compose network, as a NetworkPolicy and a pod label. */
struct knet {
	const struct resource *r;
	const char *name; /* the policy's name and its pod label's name part */
	size_t members;   /* services on it */
};

struct k8s {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct plan *plan;
	const struct backend_options *o;
	struct fileset *out;
	enum emit_format fmt;
	const char *project_label; /* the project name as a label value */
	const char *waiter;        /* ServiceAccount/Role name for kubectl wait */
	struct svc *svcs;          /* parallel to p->services */
	struct strmap used;        /* object names in use per kind: "kind/name" */
	bool failed;
	size_t *vol_users;         /* per volume: see volume_users; NULL until asked */
	int64_t *vol_replicas;
	struct knet *nets;         /* parallel to p->res[RES_NETWORK] */
	bool policies;             /* NetworkPolicies isolate the networks */
	bool internal;             /* some network used is internal */
	int rank;                  /* the file name prefix of the next object */
	int service_type;          /* --service-type: enum svc_type */
	int controller;            /* --controller: enum wl_kind, or -1 */
	const char *pvc_size;      /* --pvc-size */
	bool *templated;           /* per volume: a StatefulSet's claim template, no claim of its own */
	const char **claim_size;   /* per volume: its claim's request */
	const char **claim_class;  /* per volume: its claim's storage class, or NULL */
	bool helm;                 /* --format helm: a chart, templates/ the objects */
	int rank_width;
};

static size_t volume_users(struct k8s *k, const struct resource *r, int64_t *replicas);

/* ---- names ----------------------------------------------------------------------- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* s made a DNS-1123 label (dns1035: starting with a letter) of at most max
 * bytes: lowercase, other bytes '-', runs of '-' squeezed, trimmed. */
static const char *dns_label(struct arena *a, const char *s, size_t max, bool dns1035)
{
	struct strbuf sb = STRBUF_INIT;
	if (dns1035 && !(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z'))
		sb_adds(&sb, "x-");
	for (const char *c = s; *c; c++) {
		char ch = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
		if (!is_lower_alnum(ch))
			ch = '-';
		if (ch == '-' && (sb.len == 0 || sb.buf[sb.len - 1] == '-'))
			continue;
		sb_addc(&sb, ch);
	}
	if (sb.len > max)
		sb.len = max, sb.buf[max] = '\0';
	while (sb.len && sb.buf[sb.len - 1] == '-')
		sb.buf[--sb.len] = '\0';
	if (!sb.len)
		sb_adds(&sb, "x");
	const char *r = sb_to_arena(&sb, a);
	sb_release(&sb);
	return r;
}

/* A name for an object of `kind` made from `raw`, unique per kind: the
 * label form, with "-<hash>" when that is taken (or too long). */
static const char *name_alloc(struct k8s *k, const char *kind, const char *raw, size_t max, bool dns1035)
{
	const char *n = dns_label(k->a, raw, max, dns1035);
	const char *key = arena_printf(k->a, "%s/%s", kind, n);
	if (strmap_has(&k->used, key) || strlen(raw) > max) {
		const char *base = dns_label(k->a, raw, max - 7, dns1035);
		n = arena_printf(k->a, "%s-%06llx", base,
				 (unsigned long long)(hash_fnv1a(raw, strlen(raw)) & 0xffffff));
		key = arena_printf(k->a, "%s/%s", kind, n);
	}
	strmap_put(&k->used, key, (void *)raw);
	return n;
}

/* "<prefix>-<name>" as a label of at most 63 bytes (container and pod
 * volume names, which need only be unique within a pod). */
static const char *sub_name(struct k8s *k, const char *prefix, const char *name)
{
	const char *full = arena_printf(k->a, "%s-%s", prefix, name);
	if (strlen(full) <= NAME_MAX_LABEL)
		return dns_label(k->a, full, NAME_MAX_LABEL, false);
	return arena_printf(k->a, "%s-%06llx", dns_label(k->a, full, NAME_MAX_LABEL - 7, false),
			    (unsigned long long)(hash_fnv1a(full, strlen(full)) & 0xffffff));
}

/* A label value: at most 63 bytes of [A-Za-z0-9._-], alphanumeric at both
 * ends (or empty). */
static bool label_value_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return true;
	if (n > NAME_MAX_LABEL || !is_alnum(v[0]) || !is_alnum(v[n - 1]))
		return false;
	for (const char *c = v; *c; c++)
		if (!is_alnum(*c) && !strchr("-_.", *c))
			return false;
	return true;
}

/* A DNS-1123 subdomain (lowercase labels separated by dots). */
static bool subdomain_ok(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX_SUBDOMAIN || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (const char *c = s; c < s + n; c++)
		if (!is_lower_alnum(*c) && *c != '-' && *c != '.')
			return false;
	return true;
}

/* A label or annotation key: [prefix/]name, prefix a DNS subdomain, name
 * a label value that is not empty. */
static bool qualified_name_ok(const char *key)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;
	if (slash && !subdomain_ok(key, (size_t)(slash - key)))
		return false;
	return *name && label_value_ok(name);
}

static bool dns_label_ok(const char *s)
{
	size_t n = strlen(s);
	return n <= NAME_MAX_LABEL && subdomain_ok(s, n) && !strchr(s, '.');
}

/* ---- escapers --------------------------------------------------------------------- */

/* The kubelet expands $(VAR) in a container's command, args and env
 * values and turns $$ into $; an unresolved reference stays as written.
 * So a '$' followed by '$' or '(' is doubled, and the container receives
 * the compose string byte for byte.  Other '$' pass unchanged (which
 * keeps "$HOME" readable, and right for runtimes that do not expand). */
static const char *k8s_expand_escape(struct arena *a, const char *s)
{
	const char *dollar = strchr(s, '$'); /* most values have none */
	if (!dollar || (!strstr(dollar, "$$") && !strstr(dollar, "$(")))
		return s;
	struct strbuf sb = STRBUF_INIT;
	for (const char *c = s; *c; c++) {
		sb_addc(&sb, *c);
		if (*c == '$' && (c[1] == '$' || c[1] == '('))
			sb_addc(&sb, '$');
	}
	const char *r = sb_to_arena(&sb, a);
	sb_release(&sb);
	return r;
}

/* Text inside a YAML comment line: control bytes as \xNN, so that a file
 * name cannot end the comment. */
static void yaml_comment_text(struct strbuf *sb, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			sb_addf(sb, "\\x%02x", *c);
		else
			sb_addc(sb, (char)*c);
	}
}

static void base64_encode(struct strbuf *sb, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		sb_addc(sb, tab[v >> 18 & 63]);
		sb_addc(sb, tab[v >> 12 & 63]);
		sb_addc(sb, i + 1 < n ? tab[v >> 6 & 63] : '=');
		sb_addc(sb, i + 2 < n ? tab[v & 63] : '=');
	}
}

/* Valid UTF-8 without NUL: a ConfigMap's data may hold it; else binaryData. */
static bool utf8_text(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
		if (c == 0 || len == 0 || i + len > n)
			return false;
		for (size_t j = 1; j < len; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += len;
	}
	return true;
}

/* ---- small writers ------------------------------------------------------------------ */

static void kv_str(struct emit *e, const char *k, const char *v)
{
	emit_key(e, k);
	emit_str(e, v);
}

static void kv_int(struct emit *e, const char *k, long long v)
{
	emit_key(e, k);
	emit_int(e, v);
}

static void kv_bool(struct emit *e, const char *k, bool v)
{
	emit_key(e, k);
	emit_bool(e, v);
}

static void key_map(struct emit *e, const char *k)
{
	emit_key(e, k);
	emit_map_begin(e);
}

static void key_seq(struct emit *e, const char *k)
{
	emit_key(e, k);
	emit_seq_begin(e);
}

/* A sequence of strings; `expand`: through k8s_expand_escape. */
static void kv_strs(struct k8s *k, struct emit *e, const char *key, const char *const *v, size_t n, bool expand)
{
	key_seq(e, key);
	for (size_t i = 0; i < n; i++)
		emit_str(e, expand ? k8s_expand_escape(k->a, v[i]) : v[i]);
	emit_seq_end(e);
}

/* Whole seconds, rounded up, at least `min`. */
static long long secs(int64_t usec, long long min)
{
	long long s = (long long)((usec + IR_USEC_PER_SEC - 1) / IR_USEC_PER_SEC);
	return s < min ? min : s;
}

static int64_t or_default(int64_t v, int64_t def)
{
	return v == IR_UNSET ? def : v;
}

/* ---- documents ---------------------------------------------------------------------- */

struct doc {
	struct strbuf sb;
	struct emit e;
	const char *file;
};

/* Begin an object: the header comment (YAML), apiVersion, kind, and
 * metadata's name and namespace; the caller adds labels and ends
 * metadata with doc_meta_end. */
static struct emit *doc_begin(struct k8s *k, struct doc *d, const char *api, const char *kind, const char *name,
			      struct loc loc, const char *what)
{
	sb_init(&d->sb);
	struct strbuf lower = STRBUF_INIT;
	for (const char *c = kind; *c; c++)
		sb_addc(&lower, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
	d->file = arena_printf(k->a, "%s%0*d-%s-%s.%s", k->helm ? "templates/" : "", k->rank_width, k->rank, lower.buf,
			       name, k->fmt == EMIT_JSON ? "json" : "yaml");
	sb_release(&lower);
	if (k->fmt == EMIT_YAML) {
		sb_addf(&d->sb, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n", k->p->name);
		struct strbuf c = STRBUF_INIT;
		sb_adds(&c, "# ");
		if (loc.file) {
			yaml_comment_text(&c, loc.file);
			if (loc.line)
				sb_addf(&c, ":%d:%d", loc.line, loc.col);
			sb_adds(&c, ": ");
		}
		yaml_comment_text(&c, what);
		sb_addc(&c, '\n');
		if (k->helm) /* a template: the comment is rendered too */
			go_template_text(&d->sb, c.buf, c.len);
		else
			sb_add(&d->sb, c.buf, c.len);
		sb_release(&c);
	}
	emit_init(&d->e, &d->sb, k->fmt);
	d->e.template_text = k->helm;
	emit_map_begin(&d->e);
	kv_str(&d->e, "apiVersion", api);
	kv_str(&d->e, "kind", kind);
	key_map(&d->e, "metadata");
	kv_str(&d->e, "name", name);
	if (k->o->namespace && strcmp(kind, "Namespace") != 0)
		kv_str(&d->e, "namespace", k->o->namespace);
	return &d->e;
}

static void doc_end(struct k8s *k, struct doc *d)
{
	emit_map_end(&d->e);
	emit_release(&d->e);
	if (fileset_add(k->out, d->file, 0644, &d->sb) != 0) {
		diag_error(k->d, (struct loc){ 0 }, "cannot write the object \"%s\": its name is not a safe file name",
			   d->file);
		k->failed = true;
	}
	sb_release(&d->sb);
}

/* ---- a chart's templates (--format helm) ------------------------------------------- */

/* A service's values, as a template expression: (index .Values.services
 * "NAME") followed by path (".image", ...). */
static const char *svc_values(struct k8s *k, const char *name, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "(index .Values.services ");
	go_string_literal(&sb, name);
	sb_addf(&sb, ")%s", path);
	const char *r = sb_to_arena(&sb, k->a);
	sb_release(&sb);
	return r;
}

/* key: {{ EXPR | toJson }}: a value of the chart's, written as JSON (which
 * YAML reads as the same string or number). */
static void kv_value(struct k8s *k, struct emit *e, const char *key, const char *expr)
{
	emit_key(e, key);
	emit_raw(e, arena_printf(k->a, "{{ %s | toJson }}", expr));
}

/* The identity labels: managed-by and project, plus service when sv. */
static void emit_labels(struct k8s *k, struct emit *e, const struct svc *sv, bool with_managed)
{
	key_map(e, "labels");
	if (with_managed)
		kv_str(e, LABEL_MANAGED, "composec");
	kv_str(e, LABEL_PROJECT, k->project_label);
	if (sv)
		kv_str(e, LABEL_SERVICE, sv->name);
	emit_map_end(e);
}

/* compose labels (and annotations) as annotations; keys Kubernetes would
 * refuse are reported once, at the service's workload. */
static void emit_annotations(struct k8s *k, struct emit *e, const struct kvlist *a, const struct kvlist *b,
			     bool warn)
{
	const struct kvlist *lists[] = { a, b };
	size_t n = 0;
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
			n += qualified_name_ok(lists[l]->v[i].key);
	if (n)
		key_map(e, "annotations");
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && i < lists[l]->n; i++) {
			const struct kv *kv = &lists[l]->v[i];
			if (qualified_name_ok(kv->key))
				kv_str(e, kv->key, kv->value ? kv->value : "");
			else if (warn)
				diag_warning(k->d, kv->loc,
					     "label \"%s\" is not a valid Kubernetes annotation key "
					     "([prefix/]name of [A-Za-z0-9._-]), ignoring",
					     kv->key);
		}
	}
	if (n)
		emit_map_end(e);
}

static void meta_end(struct emit *e)
{
	emit_map_end(e);
}

static void emit_selector(struct k8s *k, struct emit *e, const struct svc *sv)
{
	kv_str(e, LABEL_PROJECT, k->project_label);
	kv_str(e, LABEL_SERVICE, sv->name);
}

/* ---- analysis: workload kind ------------------------------------------------------- */

/* The plan's restart policy and deploy.mode choose the workload; Job pods
 * get the restart policy compose's restart implies. */
static const struct kv *label_of(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

/* The index of v in names, ignoring case, or -1. */
static int lookup_nocase(const char *const *names, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcasecmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

static const char *const controller_names[WL__MAX] = {
	[WL_DEPLOYMENT] = "deployment", [WL_JOB] = NULL, [WL_DAEMONSET] = "daemonset", [WL_STATEFULSET] = "statefulset",
};

static int controller_of(const char *v)
{
	for (int i = 0; i < WL__MAX; i++)
		if (controller_names[i] && v && strcasecmp(controller_names[i], v) == 0)
			return i;
	return -1;
}

static void choose_kind(struct k8s *k, struct svc *sv)
{
	const struct service *s = sv->s;
	const struct plan_restart *pr = &plan_service(k->plan, s)->restart;
	enum restart_policy r = pr->other ? RESTART_UNSET : pr->policy;
	int64_t retries = pr->max_retries;
	sv->kind = WL_DEPLOYMENT;
	if (s->deploy.mode == DEPLOY_GLOBAL)
		sv->kind = WL_DAEMONSET;
	else if (r == RESTART_NO || r == RESTART_ON_FAILURE || s->deploy.mode == DEPLOY_REPLICATED_JOB ||
		 s->deploy.mode == DEPLOY_GLOBAL_JOB)
		sv->kind = WL_JOB;
	sv->restart_policy = r == RESTART_ON_FAILURE ? "OnFailure" : "Never";
	sv->backoff = r == RESTART_ON_FAILURE ? or_default(retries, JOB_BACKOFF_DEFAULT) : 0;
	/* a long-running service: kompose.controller.type, else deploy.mode
	 * global, else --controller */
	const struct kv *l = label_of(&s->labels, "kompose.controller.type");
	int want = l ? controller_of(l->value) : -1;
	if (l && want < 0)
		diag_warning(k->d, l->loc,
			     "service \"%s\": kompose.controller.type \"%s\" is not deployment, statefulset or "
			     "daemonset, ignoring",
			     s->name, l->value ? l->value : "");
	if (sv->kind == WL_JOB) {
		if (want >= 0)
			diag_warning(k->d, l->loc,
				     "service \"%s\": kompose.controller.type is ignored: the service runs once (its "
				     "restart policy), as a Job",
				     s->name);
		return;
	}
	if (want < 0 && sv->kind != WL_DAEMONSET)
		want = k->controller;
	if (want >= 0)
		sv->kind = (enum wl_kind)want;
}

/* ---- analysis: ports ---------------------------------------------------------------- */

static const char *const proto_upper[PROTO__MAX] = { "TCP", "UDP", "SCTP" };

static void add_cport(struct k8s *k, struct svc *sv, uint32_t port, enum port_proto proto)
{
	for (size_t i = 0; i < sv->n_cports; i++)
		if (sv->cports[i].port == port && sv->cports[i].proto == proto)
			return;
	sv->cports = arena_grow(k->a, sv->cports, sv->n_cports * sizeof(*sv->cports),
				(sv->n_cports + 1) * sizeof(*sv->cports));
	sv->cports[sv->n_cports++] = (struct cport){ port, proto };
}

/* A container port published beyond the host: compose lets every client
 * reach it (through the host), whatever its networks. */
static void add_open(struct k8s *k, struct svc *sv, uint32_t port, enum port_proto proto)
{
	for (size_t i = 0; i < sv->n_open; i++)
		if (sv->open[i].port == port && sv->open[i].proto == proto)
			return;
	sv->open = arena_grow(k->a, sv->open, sv->n_open * sizeof(*sv->open), (sv->n_open + 1) * sizeof(*sv->open));
	sv->open[sv->n_open++] = (struct cport){ port, proto };
}

/* A Service port; the name is the compose port's name when it is a valid
 * IANA service name, else <proto>-<port>. */
static void add_sport(struct k8s *k, struct svc *sv, uint32_t port, uint32_t target, enum port_proto proto,
		      const struct port *from)
{
	for (size_t i = 0; i < sv->n_sports; i++)
		if (sv->sports[i].port == port && sv->sports[i].proto == proto)
			return;
	const char *name = arena_printf(k->a, "%s-%u", port_proto_names[proto], port);
	if (from && from->name && strlen(from->name) <= 15 && dns_label_ok(from->name) && !strstr(from->name, "--") &&
	    strpbrk(from->name, "abcdefghijklmnopqrstuvwxyz") && port == target)
		name = from->name;
	sv->sports = arena_grow(k->a, sv->sports, sv->n_sports * sizeof(*sv->sports),
				(sv->n_sports + 1) * sizeof(*sv->sports));
	sv->sports[sv->n_sports++] = (struct sport){ name, from ? from->app_protocol : NULL, port, target, proto };
}

/* "3000", "3000-3005", "3000/udp" */
static void add_expose(struct k8s *k, struct svc *sv, const char *v, struct loc loc)
{
	char *end;
	unsigned long lo = strtoul(v, &end, 10), hi = lo;
	if (*end == '-')
		hi = strtoul(end + 1, &end, 10);
	int proto = *end == '/' ? ir_lookup(port_proto_names, PROTO__MAX, end + 1) : (*end ? -1 : PROTO_TCP);
	if (proto < 0 || lo == 0 || hi > 65535 || hi < lo || hi - lo >= EXPOSE_RANGE_MAX) {
		diag_warning(k->d, loc, "service \"%s\": expose \"%s\" is not a port or a short range, ignoring",
			     sv->s->name, v);
		return;
	}
	for (unsigned long p = lo; p <= hi; p++) {
		add_cport(k, sv, (uint32_t)p, (enum port_proto)proto);
		add_sport(k, sv, (uint32_t)p, (uint32_t)p, (enum port_proto)proto, NULL);
	}
}

/* A host address that only the host itself reaches. */
static bool loopback(const char *ip)
{
	return ip && (str_has_prefix(ip, "127.") || strcmp(ip, "::1") == 0 || strcmp(ip, "localhost") == 0);
}

/* Container ports; Service ports: the container port (what compose's
 * service DNS reaches) and, when it differs, the published one.  A port
 * published on the loopback only is reached from the host alone in
 * compose: its published port stays off the Service, which would offer it
 * to the whole cluster (the container port stays: the other services
 * reach it over the network in compose too). */
static void collect_ports(struct k8s *k, struct svc *sv)
{
	const struct service *s = sv->s;
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct port *pt = &s->ports[i];
		add_cport(k, sv, pt->target, pt->protocol);
		add_sport(k, sv, pt->target, pt->target, pt->protocol, pt);
		if (pt->published && loopback(pt->host_ip)) {
			diag_warning(k->d, pt->loc,
				     "service \"%s\": port %s is published on %s only, reached from the host alone: "
				     "kept off the Service (kubectl port-forward reaches it)",
				     s->name, pt->published, pt->host_ip);
			continue;
		}
		if (pt->published && pt->published_lo == pt->published_hi && pt->published_lo != pt->target)
			add_sport(k, sv, pt->published_lo, pt->target, pt->protocol, pt);
		if (pt->published)
			add_open(k, sv, pt->target, pt->protocol);
	}
	for (size_t i = 0; i < s->expose.n; i++)
		add_expose(k, sv, s->expose.v[i], s->expose.locs ? s->expose.locs[i] : s->loc);
}

/* ---- analysis: kompose's labels ------------------------------------------------------ */

/* A Kubernetes quantity for a claim: digits, a fraction, a suffix. */
static bool quantity_ok(const char *v)
{
	static const char *const suffixes[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E" };
	const char *c = v;
	while (*c >= '0' && *c <= '9')
		c++;
	if (c == v)
		return false;
	if (*c == '.') {
		const char *f = ++c;
		while (*c >= '0' && *c <= '9')
			c++;
		if (c == f)
			return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (strcmp(c, suffixes[i]) == 0)
			return true;
	return false;
}

static bool port_value(const char *v, long *out)
{
	char *end;
	long n = v && *v ? strtol(v, &end, 10) : 0;
	if (!v || !*v || *end || n < 1 || n > 65535)
		return false;
	*out = n;
	return true;
}

/* The labels kompose reads that mean something here, in name order; the
 * controller's is read by choose_kind. */
static const char *const kompose_labels[] = {
	"kompose.controller.port.expose",
	"kompose.controller.type",
	"kompose.image-pull-policy",
	"kompose.image-pull-secret",
	"kompose.security-context.fsgroup",
	"kompose.service.expose",
	"kompose.service.expose.ingress-class-name",
	"kompose.service.expose.tls-secret",
	"kompose.service.external-traffic-policy",
	"kompose.service.healthcheck.liveness.http_get_path",
	"kompose.service.healthcheck.liveness.http_get_port",
	"kompose.service.healthcheck.liveness.tcp_port",
	"kompose.service.healthcheck.readiness.disable",
	"kompose.service.healthcheck.readiness.http_get_path",
	"kompose.service.healthcheck.readiness.http_get_port",
	"kompose.service.healthcheck.readiness.tcp_port",
	"kompose.service.nodeport.port",
	"kompose.service.type",
	"kompose.serviceaccount-name",
	"kompose.volume.size",
	"kompose.volume.storage-class-name",
};

#define KOMPOSE_PREFIX "kompose."
#define HEALTH_PREFIX "kompose.service.healthcheck."

/* One probe label: liveness.X or readiness.X. */
static bool probe_label(struct k8s *k, const struct service *s, struct probe_ask *a, const char *what,
			const struct kv *kv)
{
	const char *v = kv->value ? kv->value : "";
	a->set = true;
	a->loc = kv->loc;
	if (strcmp(what, "disable") == 0)
		a->disable = strcmp(v, "true") == 0;
	else if (strcmp(what, "http_get_path") == 0 && v[0] == '/')
		a->path = v;
	else if (strcmp(what, "http_get_port") == 0 && port_value(v, &a->port))
		;
	else if (strcmp(what, "tcp_port") == 0 && port_value(v, &a->tcp))
		;
	else {
		diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not a %s, ignoring", s->name, kv->key, v,
			     strcmp(what, "http_get_path") == 0 ? "path (/...)" : "port");
		return false;
	}
	return true;
}

/* A name another object must have (a Secret, a ServiceAccount, a class). */
static const char *object_name_value(struct k8s *k, const struct service *s, const struct kv *kv)
{
	const char *v = kv->value ? kv->value : "";
	if (subdomain_ok(v, strlen(v)))
		return v;
	diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not a Kubernetes object name, ignoring", s->name,
		     kv->key, v);
	return NULL;
}

static void kompose_label(struct k8s *k, struct svc *sv, const struct kv *kv)
{
	const struct service *s = sv->s;
	struct kompose *ko = &sv->ko;
	const char *key = kv->key, *v = kv->value ? kv->value : "";
	if (ir_lookup(kompose_labels, ARRAY_SIZE(kompose_labels), key) < 0) {
		diag_warning(k->d, kv->loc, "service \"%s\": label %s is kompose's, which composec does not support, "
					    "ignoring",
			     s->name, key);
		return;
	}
	if (str_has_prefix(key, HEALTH_PREFIX "liveness."))
		probe_label(k, s, &ko->liveness, key + strlen(HEALTH_PREFIX "liveness."), kv);
	else if (str_has_prefix(key, HEALTH_PREFIX "readiness."))
		probe_label(k, s, &ko->readiness, key + strlen(HEALTH_PREFIX "readiness."), kv);
	else if (strcmp(key, "kompose.service.type") == 0) {
		ko->type = lookup_nocase(svc_type_names, ST__MAX, v);
		if (ko->type < 0)
			diag_warning(k->d, kv->loc,
				     "service \"%s\": kompose.service.type \"%s\" is not clusterip, nodeport, "
				     "loadbalancer or headless, ignoring",
				     s->name, v);
	} else if (strcmp(key, "kompose.service.nodeport.port") == 0) {
		if (!port_value(v, &ko->node_port))
			diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not a port, ignoring", s->name, key, v);
	} else if (strcmp(key, "kompose.service.external-traffic-policy") == 0) {
		static const char *const policies[] = { "Cluster", "Local" };
		int i = lookup_nocase(policies, 2, v);
		ko->traffic_policy = i < 0 ? NULL : policies[i];
		if (i < 0)
			diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not cluster or local, ignoring",
				     s->name, key, v);
	} else if (strcmp(key, "kompose.service.expose") == 0) {
		ko->expose = *v ? v : NULL;
		ko->expose_loc = kv->loc;
	} else if (strcmp(key, "kompose.service.expose.tls-secret") == 0) {
		ko->tls_secret = object_name_value(k, s, kv);
	} else if (strcmp(key, "kompose.service.expose.ingress-class-name") == 0) {
		ko->ingress_class = object_name_value(k, s, kv);
	} else if (strcmp(key, "kompose.controller.port.expose") == 0) {
		ko->host_port = strcmp(v, "true") == 0;
	} else if (strcmp(key, "kompose.image-pull-policy") == 0) {
		static const char *const policies[] = { "Always", "IfNotPresent", "Never" };
		int i = lookup_nocase(policies, 3, v);
		ko->pull_policy = i < 0 ? NULL : policies[i];
		if (i < 0)
			diag_warning(k->d, kv->loc,
				     "service \"%s\": %s \"%s\" is not Always, IfNotPresent or Never, ignoring", s->name,
				     key, v);
	} else if (strcmp(key, "kompose.image-pull-secret") == 0) {
		ko->pull_secret = object_name_value(k, s, kv);
	} else if (strcmp(key, "kompose.serviceaccount-name") == 0) {
		ko->account = object_name_value(k, s, kv);
	} else if (strcmp(key, "kompose.security-context.fsgroup") == 0) {
		char *end;
		long long g = strtoll(v, &end, 10);
		ko->fs_group = *v && !*end && g >= 0 ? g : -1;
		if (ko->fs_group < 0)
			diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not a group id, ignoring", s->name,
				     key, v);
	} else if (strcmp(key, "kompose.volume.size") == 0) {
		ko->volume_size = quantity_ok(v) ? v : NULL;
		if (!ko->volume_size)
			diag_warning(k->d, kv->loc, "service \"%s\": %s \"%s\" is not a quantity (10Gi), ignoring",
				     s->name, key, v);
	} else if (strcmp(key, "kompose.volume.storage-class-name") == 0) {
		ko->storage_class = object_name_value(k, s, kv);
	}
}

/* kompose's labels of a service, then what they need of each other; the
 * Service's type. */
static void read_kompose(struct k8s *k, struct svc *sv)
{
	const struct service *s = sv->s;
	struct kompose *ko = &sv->ko;
	ko->type = -1;
	ko->fs_group = -1;
	for (size_t i = 0; i < s->labels.n; i++)
		if (str_has_prefix(s->labels.v[i].key, KOMPOSE_PREFIX))
			kompose_label(k, sv, &s->labels.v[i]);
	/* the label; else --service-type for what compose publishes; else a
	 * StatefulSet's governing Service is headless (its pods' names) */
	sv->type = ko->type >= 0				? (enum svc_type)ko->type
		   : sv->n_open && k->o->service_type	? (enum svc_type)k->service_type
		   : sv->kind == WL_STATEFULSET		? ST_HEADLESS
							: ST_CLUSTERIP;
	if ((sv->type == ST_NODEPORT || sv->type == ST_LOADBALANCER) && !sv->n_sports) {
		diag_warning(k->d, s->loc, "service \"%s\": a %s Service needs ports, and it has none: headless", s->name,
			     svc_type_k8s[sv->type]);
		sv->type = ST_HEADLESS;
	}
	/* a fixed node port is for the one published port, as kompose has it */
	const struct kv *l = label_of(&s->labels, "kompose.service.nodeport.port");
	size_t published = 0;
	for (size_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].published && !loopback(s->ports[i].host_ip)) {
			published++;
			ko->node_port_of = s->ports[i].published_lo;
		}
	if (ko->node_port && (sv->type != ST_NODEPORT || published != 1)) {
		diag_warning(k->d, l->loc,
			     "service \"%s\": kompose.service.nodeport.port needs a NodePort Service and one published "
			     "port, ignoring",
			     s->name);
		ko->node_port = 0;
	}
	l = label_of(&s->labels, "kompose.service.external-traffic-policy");
	if (ko->traffic_policy && sv->type != ST_NODEPORT && sv->type != ST_LOADBALANCER) {
		diag_warning(k->d, l->loc,
			     "service \"%s\": kompose.service.external-traffic-policy needs a NodePort or LoadBalancer "
			     "Service, ignoring",
			     s->name);
		ko->traffic_policy = NULL;
	}
	if (ko->expose && !sv->n_sports) {
		diag_warning(k->d, ko->expose_loc,
			     "service \"%s\": kompose.service.expose needs a port for the Ingress, and it has none, "
			     "ignoring",
			     s->name);
		ko->expose = NULL;
	}
	if (ko->expose) /* the Ingress controller reaches it from anywhere */
		add_open(k, sv, sv->sports[0].target, sv->sports[0].proto);
	if (!ko->expose && (ko->tls_secret || ko->ingress_class))
		diag_warning(k->d, s->loc,
			     "service \"%s\": kompose.service.expose.tls-secret and .ingress-class-name need "
			     "kompose.service.expose, ignoring",
			     s->name);
	struct probe_ask *asks[] = { &ko->liveness, &ko->readiness };
	for (size_t i = 0; i < 2; i++)
		if (asks[i]->set && !asks[i]->disable && !asks[i]->tcp && (!asks[i]->path) != (!asks[i]->port)) {
			diag_warning(k->d, asks[i]->loc,
				     "service \"%s\": an HTTP probe needs both http_get_path and http_get_port, "
				     "ignoring",
				     s->name);
			asks[i]->path = NULL, asks[i]->port = 0;
		}
	if (ko->account && sv->waits_job)
		diag_warning(k->d, label_of(&s->labels, "kompose.serviceaccount-name")->loc,
			     "service \"%s\": its kubectl wait runs under the ServiceAccount \"%s\", which must be "
			     "allowed to read Jobs",
			     s->name, ko->account);
	for (size_t i = 0; i < s->n_ports && !ko->host_port; i++)
		if (s->ports[i].mode == PORT_HOST)
			diag_warning(k->d, s->ports[i].loc,
				     "service \"%s\": port mode host is a hostPort only when the label "
				     "kompose.controller.port.expose asks (it binds the port on the node), ignoring",
				     s->name);
	if (sv->n_open && sv->type == ST_CLUSTERIP && ko->type < 0 && !k->o->service_type && !ko->expose)
		diag_warning(k->d, s->ports[0].loc,
			     "service \"%s\": published ports become a ClusterIP Service, reachable inside the "
			     "cluster only (--service-type, or the labels kompose.service.type or "
			     "kompose.service.expose, publish them)",
			     s->name);
}

/* Each volume's claim size and class: kompose's labels on the volume, else
 * on the first service that mounts it, else --pvc-size; the volume's other
 * kompose labels are reported. */
static void resolve_claims(struct k8s *k)
{
	const struct project *p = k->p;
	size_t nv = p->n_res[RES_VOLUME];
	k->claim_size = arena_alloc(k->a, (nv + 1) * sizeof(*k->claim_size));
	k->claim_class = arena_alloc(k->a, (nv + 1) * sizeof(*k->claim_class));
	for (size_t v = 0; v < nv; v++) {
		const struct resource *r = p->res[RES_VOLUME][v];
		for (size_t i = 0; i < r->labels.n; i++) {
			const struct kv *kv = &r->labels.v[i];
			const char *val = kv->value ? kv->value : "";
			if (strcmp(kv->key, "kompose.volume.size") == 0 && quantity_ok(val))
				k->claim_size[v] = val;
			else if (strcmp(kv->key, "kompose.volume.storage-class-name") == 0 && subdomain_ok(val, strlen(val)))
				k->claim_class[v] = val;
			else if (strcmp(kv->key, "kompose.volume.size") == 0 ||
				 strcmp(kv->key, "kompose.volume.storage-class-name") == 0)
				diag_warning(k->d, kv->loc, "volume \"%s\": %s \"%s\" is not a %s, ignoring", r->key, kv->key,
					     val, strstr(kv->key, "size") ? "quantity (10Gi)" : "Kubernetes object name");
			else if (str_has_prefix(kv->key, KOMPOSE_PREFIX))
				diag_warning(k->d, kv->loc,
					     "volume \"%s\": label %s is kompose's, which composec does not support, "
					     "ignoring",
					     r->key, kv->key);
		}
		for (size_t i = 0; i < p->n_services && (!k->claim_size[v] || !k->claim_class[v]); i++) {
			const struct svc *sv = &k->svcs[i];
			bool mounts = false;
			for (size_t j = 0; j < sv->s->n_volumes && !mounts; j++)
				mounts = sv->s->volumes[j].type == MOUNT_VOLUME && sv->s->volumes[j].source &&
					 strcmp(sv->s->volumes[j].source, r->key) == 0;
			if (!mounts)
				continue;
			if (!k->claim_size[v])
				k->claim_size[v] = sv->ko.volume_size;
			if (!k->claim_class[v])
				k->claim_class[v] = sv->ko.storage_class;
		}
		if (!k->claim_size[v])
			k->claim_size[v] = k->pvc_size;
	}
}

/* ---- analysis: volumes -------------------------------------------------------------- */

static const char *add_vol(struct k8s *k, struct svc *sv, struct pvol v)
{
	for (size_t i = 0; i < sv->n_vols; i++)
		if (strcmp(sv->vols[i].name, v.name) == 0)
			return v.name;
	sv->vols = arena_grow(k->a, sv->vols, sv->n_vols * sizeof(*sv->vols), (sv->n_vols + 1) * sizeof(*sv->vols));
	sv->vols[sv->n_vols++] = v;
	sv->uses_claim = sv->uses_claim || v.type == PV_CLAIM || v.type == PV_TEMPLATE;
	return v.name;
}

static void add_mount(struct k8s *k, struct svc *sv, const char *vol, const char *path, const char *sub, bool ro)
{
	sv->mounts = arena_grow(k->a, sv->mounts, sv->n_mounts * sizeof(*sv->mounts),
				(sv->n_mounts + 1) * sizeof(*sv->mounts));
	sv->mounts[sv->n_mounts++] = (struct pmount){ vol, path, sub, ro };
}

/* The claim of a named volume: its key, or its `name:` when one was
 * given (or it is external). */
static const char *claim_name(struct k8s *k, const struct resource *r)
{
	const char *dflt = arena_printf(k->a, "%s_%s", k->p->name, r->key);
	return dns_label(k->a, strcmp(r->name, dflt) == 0 ? r->key : r->name, NAME_MAX_LABEL, false);
}

/* A bind's propagation as the mount's mountPropagation (slave: HostToContainer,
 * which is rslave; shared: Bidirectional, which Kubernetes allows only in a
 * privileged container); its SELinux relabelling (:z, :Z), which a mount
 * cannot ask for, said. */
static void bind_semantics(struct k8s *k, struct svc *sv, const struct mount *m, struct pmount *pm)
{
	enum propagation pr = m->bind.propagation;
	if (pr == PROP_RSLAVE || pr == PROP_SLAVE) {
		pm->propagation = "HostToContainer";
		if (pr == PROP_SLAVE)
			diag_warning(k->d, m->loc,
				     "service \"%s\": propagation slave of \"%s\" becomes HostToContainer, which is "
				     "rslave (mounts below it propagate too)",
				     sv->s->name, m->target);
	} else if (pr == PROP_RSHARED || pr == PROP_SHARED) {
		if (sv->s->privileged == TRI_TRUE)
			pm->propagation = "Bidirectional";
		else
			diag_warning(k->d, m->loc,
				     "service \"%s\": propagation %s of \"%s\" cannot be expressed: Kubernetes allows "
				     "Bidirectional only in a privileged container, ignoring",
				     sv->s->name, propagation_names[pr], m->target);
	}
	if (m->bind.selinux)
		diag_warning(k->d, m->loc,
			     "service \"%s\": the SELinux relabelling :%s of \"%s\" cannot be expressed in a volume "
			     "mount (the pod's securityContext.seLinuxOptions sets the label), ignoring",
			     sv->s->name, m->bind.selinux, m->source);
}

static void collect_mount(struct k8s *k, struct svc *sv, const struct mount *m, size_t i)
{
	struct pvol v = { .size = IR_UNSET, .mode = IR_UNSET };
	if (m->type == MOUNT_VOLUME && m->source) {
		const struct resource *r = project_resource(k->p, RES_VOLUME, m->source);
		v.type = PV_CLAIM;
		v.r = r;
		v.ref = r ? claim_name(k, r) : dns_label(k->a, m->source, NAME_MAX_LABEL, false);
		v.name = v.ref;
		int64_t replicas;
		/* a StatefulSet's own volume: a claim per replica */
		if (r && !r->external && sv->kind == WL_STATEFULSET && volume_users(k, r, &replicas) == 1) {
			v.type = PV_TEMPLATE;
			k->templated[project_resource_index(k->p, RES_VOLUME, r->key)] = true;
		}
	} else if (m->type == MOUNT_VOLUME) {
		v.type = PV_EMPTY;
		v.name = arena_printf(k->a, "anon-%zu", i + 1);
	} else if (m->type == MOUNT_TMPFS) {
		v.type = PV_MEMORY;
		v.name = arena_printf(k->a, "tmpfs-%zu", i + 1);
		v.size = m->tmpfs.size;
	} else if (m->type == MOUNT_BIND) {
		v.type = PV_HOST;
		v.ref = m->source;
		v.name = arena_printf(k->a, "bind-%zu", i + 1);
		diag_warning(k->d, m->loc,
			     "service \"%s\": the bind mount of \"%s\" becomes a hostPath volume: the path must exist "
			     "on the node that runs the pod",
			     sv->s->name, m->source);
	} else {
		diag_warning(k->d, m->loc, "service \"%s\": a volume of type %s cannot be expressed in Kubernetes, ignoring",
			     sv->s->name, mount_type_names[m->type]);
		return;
	}
	const char *sub = m->type == MOUNT_VOLUME ? m->volume.subpath : NULL;
	add_mount(k, sv, add_vol(k, sv, v), m->target, sub, m->read_only);
	if (m->type == MOUNT_BIND)
		bind_semantics(k, sv, m, &sv->mounts[sv->n_mounts - 1]);
}

/* The ConfigMap or Secret of a config or secret: its key, or for an
 * external one the name it has. */
static const char *file_object_name(struct k8s *k, const struct resource *r)
{
	return dns_label(k->a, r->external ? r->name : r->key, NAME_MAX_LABEL, false);
}

/* configs and secrets: one pod volume each, mounted with subPath. */
static void collect_file_refs(struct k8s *k, struct svc *sv, const struct file_ref *refs, size_t n, bool secret)
{
	for (size_t i = 0; i < n; i++) {
		const struct file_ref *f = &refs[i];
		const struct resource *r = f->def;
		if (!r)
			continue;
		struct pvol v = { .type = secret ? PV_SECRET : PV_CONFIG, .size = IR_UNSET, .mode = f->mode };
		v.ref = file_object_name(k, r);
		v.key = r->external ? r->name : r->key;
		v.name = sub_name(k, secret ? "secret" : "config", r->key);
		const char *target = f->target ? f->target : arena_printf(k->a, "/%s", f->source);
		if (f->uid || f->gid)
			diag_warning(k->d, f->loc, "service \"%s\": %s \"%s\": uid and gid cannot be expressed, ignoring",
				     sv->s->name, secret ? "secret" : "config", f->source);
		add_mount(k, sv, add_vol(k, sv, v), target, v.key, true);
	}
}

static void collect_volumes(struct k8s *k, struct svc *sv)
{
	const struct service *s = sv->s;
	for (size_t i = 0; i < s->n_volumes; i++)
		collect_mount(k, sv, &s->volumes[i], i);
	for (size_t i = 0; i < s->tmpfs.n; i++) {
		const char *t = s->tmpfs.v[i];
		const char *colon = strchr(t, ':');
		struct pvol v = { .type = PV_MEMORY, .size = IR_UNSET, .mode = IR_UNSET };
		v.name = arena_printf(k->a, "tmpfs-%zu", s->n_volumes + i + 1);
		add_mount(k, sv, add_vol(k, sv, v), colon ? arena_strndup(k->a, t, (size_t)(colon - t)) : t, NULL,
			  false);
		if (colon)
			diag_warning(k->d, s->tmpfs.locs ? s->tmpfs.locs[i] : s->loc,
				     "service \"%s\": tmpfs options \"%s\" cannot be expressed, ignoring", s->name,
				     colon + 1);
	}
	collect_file_refs(k, sv, s->configs, s->n_configs, false);
	collect_file_refs(k, sv, s->secrets, s->n_secrets, true);
}

/* ---- container parts ---------------------------------------------------------------- */

/* env; the main container's values from the chart's values (tmpl: its
 * Kubernetes name). */
static void emit_env(struct k8s *k, struct emit *e, const struct kvlist *env, const struct service *s, bool warn,
		     const char *tmpl)
{
	size_t n = 0;
	for (size_t i = 0; i < env->n; i++)
		n += env->v[i].value != NULL;
	for (size_t i = 0; warn && i < env->n; i++)
		if (!env->v[i].value)
			diag_warning(k->d, env->v[i].loc,
				     "service \"%s\": environment variable \"%s\" has no value and is not set, ignoring",
				     s->name, env->v[i].key);
	if (!n)
		return;
	key_seq(e, "env");
	for (size_t i = 0; i < env->n; i++) {
		if (!env->v[i].value)
			continue;
		emit_map_begin(e);
		kv_str(e, "name", env->v[i].key);
		if (tmpl && k->helm) {
			struct strbuf x = STRBUF_INIT;
			sb_addf(&x, "index %s ", svc_values(k, tmpl, ".env"));
			go_string_literal(&x, env->v[i].key);
			kv_value(k, e, "value", sb_to_arena(&x, k->a));
			sb_release(&x);
		} else {
			kv_str(e, "value", k8s_expand_escape(k->a, env->v[i].value));
		}
		emit_map_end(e);
	}
	emit_seq_end(e);
}

static void emit_mounts(struct emit *e, const struct svc *sv)
{
	if (!sv->n_mounts)
		return;
	key_seq(e, "volumeMounts");
	for (size_t i = 0; i < sv->n_mounts; i++) {
		const struct pmount *m = &sv->mounts[i];
		emit_map_begin(e);
		kv_str(e, "name", m->vol);
		kv_str(e, "mountPath", m->path);
		if (m->sub_path)
			kv_str(e, "subPath", m->sub_path);
		if (m->read_only)
			kv_bool(e, "readOnly", true);
		if (m->propagation)
			kv_str(e, "mountPropagation", m->propagation);
		emit_map_end(e);
	}
	emit_seq_end(e);
}

/* "uid" or "uid:gid", numeric; false for names. */
static bool parse_user(const char *u, long long *uid, long long *gid)
{
	char *end;
	*gid = -1;
	*uid = strtoll(u, &end, 10);
	if (end == u || *uid < 0)
		return false;
	if (*end == ':') {
		const char *g = end + 1;
		*gid = strtoll(g, &end, 10);
		if (end == g || *gid < 0)
			return false;
	}
	return *end == '\0';
}

/* What a container's securityContext says. */
struct secctx {
	bool no_new_privs, seccomp_unconfined, apparmor_unconfined, privileged, read_only;
	long long uid, gid; /* -1: unset */
	const struct strlist *cap_add, *cap_drop;
};

static void sec_user(struct k8s *k, struct secctx *c, const char *user, struct loc loc, const char *who)
{
	c->uid = c->gid = -1;
	if (user && !parse_user(user, &c->uid, &c->gid)) {
		c->uid = c->gid = -1;
		diag_warning(k->d, loc, "%s: user \"%s\" is not numeric: Kubernetes takes a uid[:gid], ignoring", who,
			     user);
	}
}

/* security_opt: no-new-privileges, seccomp and apparmor "unconfined". */
static void sec_opts(struct k8s *k, struct secctx *c, const struct service *s)
{
	for (size_t i = 0; i < s->security_opt.n; i++) {
		const char *o = s->security_opt.v[i];
		size_t n = strcspn(o, ":=");
		const char *val = o[n] ? o + n + 1 : "true";
		if (n == strlen("no-new-privileges") && strncmp(o, "no-new-privileges", n) == 0)
			c->no_new_privs = strcmp(val, "false") != 0;
		else if (strncmp(o, "seccomp", n) == 0 && n == 7 && strcmp(val, "unconfined") == 0)
			c->seccomp_unconfined = true;
		else if (strncmp(o, "apparmor", n) == 0 && n == 8 && strcmp(val, "unconfined") == 0)
			c->apparmor_unconfined = true;
		else
			diag_warning(k->d, s->security_opt.locs ? s->security_opt.locs[i] : s->loc,
				     "service \"%s\": security_opt \"%s\" cannot be expressed in Kubernetes, ignoring",
				     s->name, o);
	}
}

static void emit_caps(struct emit *e, const char *key, const struct strlist *l)
{
	if (!l || !l->n)
		return;
	key_seq(e, key);
	for (size_t i = 0; i < l->n; i++)
		emit_str(e, str_has_prefix(l->v[i], "CAP_") ? l->v[i] + 4 : l->v[i]);
	emit_seq_end(e);
}

static void emit_secctx(struct emit *e, const struct secctx *c)
{
	bool caps = (c->cap_add && c->cap_add->n) || (c->cap_drop && c->cap_drop->n);
	if (!c->no_new_privs && !c->seccomp_unconfined && !c->apparmor_unconfined && !c->privileged &&
	    !c->read_only && c->uid < 0 && !caps)
		return;
	key_map(e, "securityContext");
	if (c->no_new_privs)
		kv_bool(e, "allowPrivilegeEscalation", false);
	if (c->apparmor_unconfined) {
		key_map(e, "appArmorProfile");
		kv_str(e, "type", "Unconfined");
		emit_map_end(e);
	}
	if (caps) {
		key_map(e, "capabilities");
		emit_caps(e, "add", c->cap_add);
		emit_caps(e, "drop", c->cap_drop);
		emit_map_end(e);
	}
	if (c->privileged)
		kv_bool(e, "privileged", true);
	if (c->read_only)
		kv_bool(e, "readOnlyRootFilesystem", true);
	if (c->gid >= 0)
		kv_int(e, "runAsGroup", c->gid);
	if (c->uid >= 0)
		kv_int(e, "runAsUser", c->uid);
	if (c->seccomp_unconfined) {
		key_map(e, "seccompProfile");
		kv_str(e, "type", "Unconfined");
		emit_map_end(e);
	}
	emit_map_end(e);
}

/* A CPU quantity: whole cores, else millicores. */
static const char *cpu_quantity(struct k8s *k, double cpus)
{
	long long m = llround(cpus * 1000);
	return m % 1000 == 0 ? arena_printf(k->a, "%lld", m / 1000) : arena_printf(k->a, "%lldm", m);
}

/* A memory quantity with the largest binary suffix that divides it. */
static const char *mem_quantity(struct k8s *k, int64_t bytes)
{
	static const char *const suffix[] = { "", "Ki", "Mi", "Gi", "Ti" };
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(suffix) && bytes && bytes % 1024 == 0)
		bytes /= 1024, i++;
	return arena_printf(k->a, "%lld%s", (long long)bytes, suffix[i]);
}

static void emit_quantities(struct k8s *k, struct emit *e, const char *key, double cpus, int64_t mem)
{
	if (isnan(cpus) && mem == IR_UNSET)
		return;
	key_map(e, key);
	if (!isnan(cpus))
		kv_str(e, "cpu", cpu_quantity(k, cpus));
	if (mem != IR_UNSET)
		kv_str(e, "memory", mem_quantity(k, mem));
	emit_map_end(e);
}

/* deploy.resources (or cpus, mem_limit, mem_reservation) -> resources. */
static void emit_resources(struct k8s *k, struct emit *e, const struct service *s, bool warn)
{
	const struct deploy *d = &s->deploy;
	double lcpu = !isnan(d->limits.cpus) ? d->limits.cpus : s->cpus;
	int64_t lmem = d->limits.memory != IR_UNSET ? d->limits.memory : s->mem_limit;
	double rcpu = d->reservations.cpus;
	int64_t rmem = d->reservations.memory != IR_UNSET ? d->reservations.memory : s->mem_reservation;
	if (warn && (d->limits.pids != IR_UNSET || d->reservations.pids != IR_UNSET))
		diag_warning(k->d, d->loc, "service \"%s\": deploy.resources pids cannot be expressed, ignoring",
			     s->name);
	if (!e || (isnan(lcpu) && lmem == IR_UNSET && isnan(rcpu) && rmem == IR_UNSET))
		return;
	key_map(e, "resources");
	emit_quantities(k, e, "limits", lcpu, lmem);
	emit_quantities(k, e, "requests", rcpu, rmem);
	emit_map_end(e);
}

/* ---- probes and hooks --------------------------------------------------------------- */

/* The healthcheck's command: CMD as is, CMD-SHELL through /bin/sh -c. */
static void emit_probe_exec(struct k8s *k, struct emit *e, const struct healthcheck *h)
{
	key_map(e, "exec");
	key_seq(e, "command");
	if (h->test_kind == HC_TEST_CMD_SHELL) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < h->test_args.n; i++) {
			if (i)
				sb_addc(&sb, ' ');
			sb_adds(&sb, h->test_args.v[i]);
		}
		emit_str(e, "/bin/sh");
		emit_str(e, "-c");
		emit_str(e, sb_to_arena(&sb, k->a));
		sb_release(&sb);
	} else {
		for (size_t i = 0; i < h->test_args.n; i++)
			emit_str(e, h->test_args.v[i]);
	}
	emit_seq_end(e);
	emit_map_end(e);
}

/* A probe: kompose's HTTP GET or TCP connect when its labels ask (a),
 * else the healthcheck's test; the healthcheck's timing when there is
 * one (ph), else the kubelet's. */
static void emit_probe(struct k8s *k, struct emit *e, const char *key, const struct healthcheck *h,
		       const struct plan_health *ph, int64_t period, long long failures, const struct probe_ask *a)
{
	key_map(e, key);
	if (a && a->path) {
		key_map(e, "httpGet");
		kv_str(e, "path", a->path);
		kv_int(e, "port", a->port);
		emit_map_end(e);
	} else if (a && a->tcp) {
		key_map(e, "tcpSocket");
		kv_int(e, "port", a->tcp);
		emit_map_end(e);
	} else {
		emit_probe_exec(k, e, h);
	}
	if (ph) {
		kv_int(e, "periodSeconds", secs(period, 1));
		kv_int(e, "timeoutSeconds", secs(ph->timeout, 1));
		kv_int(e, "failureThreshold", failures < 1 ? 1 : failures);
	}
	emit_map_end(e);
}

static bool asks_handler(const struct probe_ask *a)
{
	return a->set && !a->disable && (a->path || a->tcp);
}

/* healthcheck -> a readiness probe (docker only marks a failing
 * container unhealthy: it is taken out of its Service's endpoints, as a
 * compose dependent stops waiting for it, and never killed, which a
 * liveness probe would do); start_period -> a startup probe that allows
 * the start period plus the retries. */
static void emit_probes(struct k8s *k, struct emit *e, const struct svc *sv)
{
	const struct service *s = sv->s;
	const struct healthcheck *h = &s->healthcheck;
	const struct probe_ask *live = &sv->ko.liveness, *ready = &sv->ko.readiness;
	bool test = h->present && !h->disable && h->test_kind != HC_TEST_NONE;
	if (test && h->test_kind == HC_TEST_UNSET) {
		if (!asks_handler(ready) && !asks_handler(live))
			diag_warning(k->d, h->loc,
				     "service \"%s\": a healthcheck without test relies on the image's HEALTHCHECK, "
				     "which Kubernetes does not run, ignoring",
				     s->name);
		test = false;
	}
	const struct plan_health *ph = test || h->present ? &plan_service(k->plan, s)->health : NULL;
	if (ready->disable) {
		test = false;
	} else if (test || asks_handler(ready)) {
		emit_probe(k, e, "readinessProbe", h, ph, ph ? ph->interval : 0, ph ? ph->retries : 0, ready);
		if (ph && ph->start_period > 0) {
			/* probed every start interval, or every interval when
			 * only that is written */
			int64_t sp =
				h->start_interval == IR_UNSET && h->interval != IR_UNSET ? ph->interval : ph->start_interval;
			emit_probe(k, e, "startupProbe", h, ph, sp, secs(ph->start_period, 0) / secs(sp, 1) + 1 + ph->retries,
				   ready);
		}
	}
	/* asked for: docker never kills an unhealthy container */
	if (asks_handler(live))
		emit_probe(k, e, "livenessProbe", h, ph, ph ? ph->interval : 0, ph ? ph->retries : 0, live);
}

/* Several hooks run as one `sh -c` line of shell-quoted words. */
static void emit_hook(struct k8s *k, struct emit *e, const char *key, const struct hook *h, size_t n,
		      const struct service *s)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i].user || h[i].privileged == TRI_TRUE || h[i].working_dir || h[i].own_environment.n)
			diag_warning(k->d, h[i].loc,
				     "service \"%s\": %s: user, privileged, working_dir and environment of a hook "
				     "cannot be expressed (it runs in the container as it is), ignoring",
				     s->name, key);
		used += h[i].command.kind != CMD_UNSET && h[i].command.argv.n;
	}
	if (!used)
		return;
	key_map(e, key);
	key_map(e, "exec");
	if (n == 1) {
		kv_strs(k, e, "command", h[0].command.argv.v, h[0].command.argv.n, false);
	} else {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < h[i].command.argv.n; j++) {
				sb_adds(&sb, j ? " " : (sb.len ? " && " : ""));
				sh_quote(&sb, h[i].command.argv.v[j]);
			}
		}
		const char *argv[] = { "/bin/sh", "-c", sb_to_arena(&sb, k->a) };
		sb_release(&sb);
		kv_strs(k, e, "command", argv, 3, false);
	}
	emit_map_end(e);
	emit_map_end(e);
}

static bool hooks_run(const struct hook *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].command.kind != CMD_UNSET && h[i].command.argv.n)
			return true;
	return false;
}

static void emit_lifecycle(struct k8s *k, struct emit *e, const struct service *s)
{
	if (!hooks_run(s->post_start, s->n_post_start) && !hooks_run(s->pre_stop, s->n_pre_stop))
		return;
	key_map(e, "lifecycle");
	if (s->n_post_start)
		emit_hook(k, e, "postStart", s->post_start, s->n_post_start, s);
	if (s->n_pre_stop)
		emit_hook(k, e, "preStop", s->pre_stop, s->n_pre_stop, s);
	emit_map_end(e);
}

/* ---- containers --------------------------------------------------------------------- */

static const struct {
	const char *compose, *k8s;
} pull_policies[] = {
	{ "always", "Always" }, { "never", "Never" }, { "missing", "IfNotPresent" }, { "if_not_present", "IfNotPresent" },
};

/* The image; the service's own image from the chart's values (tmpl). */
static void emit_image(struct k8s *k, struct emit *e, const char *image, const struct svc *sv, bool warn, bool tmpl)
{
	const struct service *s = sv->s;
	if (tmpl && k->helm)
		kv_value(k, e, "image",
			 arena_printf(k->a, "include \"composec.image\" %s", svc_values(k, sv->name, ".image")));
	else
		kv_str(e, "image", image);
	if (sv->ko.pull_policy) {
		kv_str(e, "imagePullPolicy", sv->ko.pull_policy);
		return;
	}
	if (!s->pull_policy)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(pull_policies); i++) {
		if (strcmp(s->pull_policy, pull_policies[i].compose) == 0) {
			kv_str(e, "imagePullPolicy", pull_policies[i].k8s);
			return;
		}
	}
	if (warn)
		diag_warning(k->d, s->loc, "service \"%s\": pull_policy \"%s\" cannot be expressed in Kubernetes, ignoring",
			     s->name, s->pull_policy);
}

/* entrypoint -> command, command -> args; an override to nothing means
 * "the image's" in Kubernetes. */
static void emit_command(struct k8s *k, struct emit *e, const struct service *s)
{
	if (s->entrypoint.kind != CMD_UNSET && !s->entrypoint.argv.n)
		diag_warning(k->d, s->entrypoint.loc,
			     "service \"%s\": an empty entrypoint cannot be expressed: the image's is used", s->name);
	else if (s->entrypoint.kind != CMD_UNSET)
		kv_strs(k, e, "command", s->entrypoint.argv.v, s->entrypoint.argv.n, true);
	if (s->command.kind != CMD_UNSET && !s->command.argv.n && s->entrypoint.kind == CMD_UNSET)
		diag_warning(k->d, s->command.loc,
			     "service \"%s\": an empty command cannot be expressed: the image's is used", s->name);
	else if (s->command.kind != CMD_UNSET && s->command.argv.n)
		kv_strs(k, e, "args", s->command.argv.v, s->command.argv.n, true);
}

/* A busybox loop until the target's Service answers: a TCP connect to a
 * ClusterIP Service (only Ready pods accept it), a DNS answer for a
 * headless one (only Ready pods are listed).  For a Job waited for with
 * service_completed_successfully, `kubectl wait` on its condition. */
static void emit_wait(struct k8s *k, struct emit *e, const struct dependency *dep, const struct svc *t)
{
	emit_map_begin(e);
	kv_str(e, "name", sub_name(k, "wait-for", t->name));
	if (dep->condition == DEP_COMPLETED && t->kind == WL_JOB) {
		kv_str(e, "image", k->o->kubectl_image ? k->o->kubectl_image : KUBECTL_IMAGE);
		const char *argv[] = { "wait", "--for=condition=complete", "--timeout=-1s",
				       arena_printf(k->a, "job/%s", t->name) };
		kv_strs(k, e, "args", argv, ARRAY_SIZE(argv), true);
		emit_map_end(e);
		return;
	}
	const struct sport *tcp = NULL;
	for (size_t i = 0; i < t->n_sports && !tcp; i++)
		if (t->sports[i].proto == PROTO_TCP)
			tcp = &t->sports[i];
	const char *check = tcp ? arena_printf(k->a, "nc -z -w 2 %s %u", t->name, tcp->port)
				: arena_printf(k->a, "nslookup %s >/dev/null 2>&1", t->name);
	const char *argv[] = { "sh", "-c",
			       arena_printf(k->a, "until %s; do echo waiting for %s; sleep 2; done", check, t->name) };
	kv_str(e, "image", k->o->wait_image ? k->o->wait_image : WAIT_IMAGE);
	kv_strs(k, e, "command", argv, ARRAY_SIZE(argv), true);
	emit_map_end(e);
}

static const struct svc *svc_of(const struct k8s *k, const struct service *s)
{
	size_t i = project_service_index(k->p, s);
	return i < k->p->n_services ? &k->svcs[i] : NULL;
}

static void emit_pre_start(struct k8s *k, struct emit *e, const struct svc *sv, size_t i)
{
	const struct service *s = sv->s;
	const struct hook *h = &s->pre_start[i];
	emit_map_begin(e);
	kv_str(e, "name", arena_printf(k->a, "pre-start-%zu", i + 1));
	emit_image(k, e, h->image ? h->image : plan_image_name(k->a, k->p, s), sv, false, !h->image);
	if (h->command.kind != CMD_UNSET && h->command.argv.n)
		kv_strs(k, e, "args", h->command.argv.v, h->command.argv.n, true);
	if (h->working_dir)
		kv_str(e, "workingDir", h->working_dir);
	emit_env(k, e, &h->environment, s, false, NULL);
	emit_mounts(e, sv);
	struct secctx c = { .privileged = h->privileged == TRI_TRUE };
	sec_user(k, &c, h->user, h->loc, arena_printf(k->a, "service \"%s\": pre_start step %zu", s->name, i + 1));
	emit_secctx(e, &c);
	emit_map_end(e);
	if (h->per_replica != TRI_TRUE && (s->replicas > 1 || sv->kind == WL_DAEMONSET))
		diag_warning(k->d, h->loc,
			     "service \"%s\": pre_start step %zu has per_replica: false, but Kubernetes runs init "
			     "containers in every pod (%s): the step must be safe to run more than once",
			     s->name, i + 1, sv->kind == WL_DAEMONSET ? "one per node" : "one per replica");
}

/* Waits for the dependencies (in depends_on order), then pre_start. */
static void emit_init_containers(struct k8s *k, struct emit *e, const struct svc *sv)
{
	const struct service *s = sv->s;
	size_t waits = 0;
	for (size_t i = 0; i < s->n_depends_on; i++)
		waits += s->depends_on[i].target && s->depends_on[i].required;
	if (!waits && !s->n_pre_start)
		return;
	key_seq(e, "initContainers");
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		if (dep->target && dep->required)
			emit_wait(k, e, dep, svc_of(k, dep->target));
	}
	for (size_t i = 0; i < s->n_pre_start; i++)
		emit_pre_start(k, e, sv, i);
	emit_seq_end(e);
}

/* The port a container port is published on, when kompose's
 * controller.port.expose label makes it a hostPort, or 0. */
static uint32_t host_port(const struct svc *sv, const struct cport *c)
{
	for (size_t i = 0; sv->ko.host_port && i < sv->s->n_ports; i++) {
		const struct port *pt = &sv->s->ports[i];
		if (pt->target == c->port && pt->protocol == c->proto && pt->published_lo)
			return pt->published_lo;
	}
	return 0;
}

static void emit_ports(struct emit *e, const struct svc *sv)
{
	if (!sv->n_cports)
		return;
	key_seq(e, "ports");
	for (size_t i = 0; i < sv->n_cports; i++) {
		emit_map_begin(e);
		kv_int(e, "containerPort", sv->cports[i].port);
		if (host_port(sv, &sv->cports[i]))
			kv_int(e, "hostPort", host_port(sv, &sv->cports[i]));
		kv_str(e, "protocol", proto_upper[sv->cports[i].proto]);
		emit_map_end(e);
	}
	emit_seq_end(e);
}

static void emit_container(struct k8s *k, struct emit *e, const struct svc *sv)
{
	const struct service *s = sv->s;
	key_seq(e, "containers");
	emit_map_begin(e);
	kv_str(e, "name", sv->name);
	emit_image(k, e, plan_image_name(k->a, k->p, s), sv, true, true);
	emit_command(k, e, s);
	if (s->working_dir)
		kv_str(e, "workingDir", s->working_dir);
	emit_env(k, e, &s->environment, s, true, sv->name);
	emit_ports(e, sv);
	if (k->helm) {
		/* the chart's values hold them (or {}: none) */
		emit_resources(k, NULL, s, true);
		const char *r = svc_values(k, sv->name, ".resources");
		emit_directive(e, arena_printf(k->a, "{{- with %s }}", r));
		emit_key(e, "resources");
		emit_raw(e, "{{ toJson . }}");
		emit_directive(e, "{{- end }}");
	} else {
		emit_resources(k, e, s, true);
	}
	emit_mounts(e, sv);
	struct secctx c = { .privileged = s->privileged == TRI_TRUE, .read_only = s->read_only == TRI_TRUE,
			    .cap_add = &s->cap_add, .cap_drop = &s->cap_drop };
	sec_user(k, &c, s->user, s->loc, arena_printf(k->a, "service \"%s\"", s->name));
	sec_opts(k, &c, s);
	emit_secctx(e, &c);
	emit_probes(k, e, sv);
	emit_lifecycle(k, e, s);
	if (s->stdin_open == TRI_TRUE)
		kv_bool(e, "stdin", true);
	if (s->tty == TRI_TRUE)
		kv_bool(e, "tty", true);
	emit_map_end(e);
	emit_seq_end(e);
}

/* ---- the pod ------------------------------------------------------------------------ */

/* network_mode, pid, ipc: "host" shares the node's namespace; what
 * Kubernetes has no field for is reported. */
static void emit_host_namespaces(struct k8s *k, struct emit *e, const struct service *s)
{
	static const struct {
		const char *attr, *field;
		size_t off;
		const char *const ok[3]; /* values that need nothing */
	} ns[] = {
		{ "network_mode", "hostNetwork", offsetof(struct service, network_mode), { "bridge", "default" } },
		{ "pid", "hostPID", offsetof(struct service, pid), { "private" } },
		{ "ipc", "hostIPC", offsetof(struct service, ipc), { "private", "shareable" } },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		const char *v = *(const char *const *)((const char *)s + ns[i].off);
		if (!v || ir_lookup(ns[i].ok, 3, v) >= 0)
			continue;
		if (strcmp(v, "host") == 0)
			kv_bool(e, ns[i].field, true);
		else
			diag_warning(k->d, ir_field_loc(s, ir_service_field(ns[i].attr)),
				     "service \"%s\": %s \"%s\" cannot be expressed in Kubernetes, ignoring", s->name,
				     ns[i].attr, v);
	}
}

/* The sysctls Kubernetes counts as safe (namespaced, isolated per pod):
 * the kubelet admits them; any other needs the node's kubelet to allow it
 * (--allowed-unsafe-sysctls), else the pod is rejected. */
static bool safe_sysctl(const char *name)
{
	static const char *const safe[] = {
		"kernel.shm_rmid_forced",	   "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range",	   "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",	   "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_rmem",		   "net.ipv4.tcp_syncookies",	   "net.ipv4.tcp_wmem",
	};
	for (size_t i = 0; i < ARRAY_SIZE(safe); i++)
		if (strcmp(name, safe[i]) == 0)
			return true;
	return false;
}

static void emit_pod_security(struct k8s *k, struct emit *e, const struct svc *sv)
{
	const struct service *s = sv->s;
	for (size_t i = 0; i < s->sysctls.n; i++)
		if (!safe_sysctl(s->sysctls.v[i].key))
			diag_warning(k->d, s->sysctls.v[i].loc,
				     "service \"%s\": sysctl %s is not one Kubernetes counts as safe: the kubelet "
				     "rejects the pod unless the node allows it (--allowed-unsafe-sysctls)",
				     s->name, s->sysctls.v[i].key);
	size_t groups = 0;
	for (size_t i = 0; i < s->group_add.n; i++) {
		long long g, unused;
		if (parse_user(s->group_add.v[i], &g, &unused) && unused < 0)
			groups++;
		else
			diag_warning(k->d, s->group_add.locs ? s->group_add.locs[i] : s->loc,
				     "service \"%s\": group_add \"%s\" is not numeric, ignoring", s->name,
				     s->group_add.v[i]);
	}
	if (!groups && !s->sysctls.n && sv->ko.fs_group < 0)
		return;
	key_map(e, "securityContext");
	if (sv->ko.fs_group >= 0)
		kv_int(e, "fsGroup", sv->ko.fs_group);
	if (groups) {
		key_seq(e, "supplementalGroups");
		for (size_t i = 0; i < s->group_add.n; i++) {
			long long g, unused;
			if (parse_user(s->group_add.v[i], &g, &unused) && unused < 0)
				emit_int(e, g);
		}
		emit_seq_end(e);
	}
	if (s->sysctls.n) {
		key_seq(e, "sysctls");
		for (size_t i = 0; i < s->sysctls.n; i++) {
			emit_map_begin(e);
			kv_str(e, "name", s->sysctls.v[i].key);
			kv_str(e, "value", s->sysctls.v[i].value ? s->sysctls.v[i].value : "");
			emit_map_end(e);
		}
		emit_seq_end(e);
	}
	emit_map_end(e);
}

static void emit_dns(struct k8s *k, struct emit *e, const struct service *s)
{
	if (!s->dns.n && !s->dns_search.n && !s->dns_opt.n)
		return;
	key_map(e, "dnsConfig");
	if (s->dns.n)
		kv_strs(k, e, "nameservers", s->dns.v, s->dns.n, false);
	if (s->dns_opt.n) {
		key_seq(e, "options");
		for (size_t i = 0; i < s->dns_opt.n; i++) {
			const char *o = s->dns_opt.v[i], *colon = strchr(o, ':');
			emit_map_begin(e);
			kv_str(e, "name", colon ? arena_strndup(k->a, o, (size_t)(colon - o)) : o);
			if (colon)
				kv_str(e, "value", colon + 1);
			emit_map_end(e);
		}
		emit_seq_end(e);
	}
	if (s->dns_search.n)
		kv_strs(k, e, "searches", s->dns_search.v, s->dns_search.n, false);
	emit_map_end(e);
}

/* extra_hosts -> hostAliases, one entry per address in order of first
 * appearance; host-gateway has no Kubernetes equivalent. */
static void emit_host_aliases(struct k8s *k, struct emit *e, const struct service *s)
{
	const struct kvlist *x = &s->extra_hosts;
	bool any = false;
	for (size_t i = 0; i < x->n; i++) {
		const char *ip = x->v[i].value ? x->v[i].value : "";
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = !x->v[j].value || strcmp(x->v[j].value, ip) != 0;
		if (strcmp(ip, "host-gateway") == 0 && first)
			diag_warning(k->d, x->v[i].loc, "service \"%s\": extra_hosts \"host-gateway\" cannot be expressed, ignoring",
				     s->name);
		if (!first || strcmp(ip, "host-gateway") == 0)
			continue;
		if (!any)
			key_seq(e, "hostAliases");
		any = true;
		emit_map_begin(e);
		key_seq(e, "hostnames");
		for (size_t j = i; j < x->n; j++)
			if (x->v[j].value && strcmp(x->v[j].value, ip) == 0)
				emit_str(e, x->v[j].key);
		emit_seq_end(e);
		size_t n = strlen(ip);
		kv_str(e, "ip", n > 2 && ip[0] == '[' && ip[n - 1] == ']' ? arena_strndup(k->a, ip + 1, n - 2) : ip);
		emit_map_end(e);
	}
	if (any)
		emit_seq_end(e);
}

static void emit_items(struct emit *e, const struct pvol *v)
{
	key_seq(e, "items");
	emit_map_begin(e);
	kv_str(e, "key", v->key);
	kv_str(e, "path", v->key);
	if (v->mode != IR_UNSET)
		kv_int(e, "mode", v->mode);
	emit_map_end(e);
	emit_seq_end(e);
}

static void emit_volume(struct k8s *k, struct emit *e, const struct pvol *v)
{
	emit_map_begin(e);
	kv_str(e, "name", v->name);
	if (v->type == PV_CLAIM) {
		key_map(e, "persistentVolumeClaim");
		kv_str(e, "claimName", v->ref);
	} else if (v->type == PV_EMPTY || v->type == PV_MEMORY) {
		key_map(e, "emptyDir");
		if (v->type == PV_MEMORY)
			kv_str(e, "medium", "Memory");
		if (v->size != IR_UNSET)
			kv_str(e, "sizeLimit", mem_quantity(k, v->size));
	} else if (v->type == PV_HOST) {
		key_map(e, "hostPath");
		kv_str(e, "path", v->ref);
	} else {
		key_map(e, v->type == PV_CONFIG ? "configMap" : "secret");
		kv_str(e, v->type == PV_CONFIG ? "name" : "secretName", v->ref);
		emit_items(e, v);
	}
	emit_map_end(e);
	emit_map_end(e);
}

static void emit_pod_spec(struct k8s *k, struct emit *e, const struct svc *sv)
{
	const struct service *s = sv->s;
	key_map(e, "spec");
	if (s->hostname && dns_label_ok(s->hostname))
		kv_str(e, "hostname", s->hostname);
	else if (s->hostname)
		diag_warning(k->d, s->loc, "service \"%s\": hostname \"%s\" is not a DNS label, ignoring", s->name,
			     s->hostname);
	if (s->domainname && dns_label_ok(s->domainname))
		kv_str(e, "subdomain", s->domainname);
	else if (s->domainname)
		diag_warning(k->d, s->loc, "service \"%s\": domainname \"%s\" is not a DNS label, ignoring", s->name,
			     s->domainname);
	emit_host_namespaces(k, e, s);
	if (sv->kind == WL_JOB)
		kv_str(e, "restartPolicy", sv->restart_policy);
	if (sv->ko.account)
		kv_str(e, "serviceAccountName", sv->ko.account);
	else if (sv->waits_job)
		kv_str(e, "serviceAccountName", k->waiter);
	if (sv->ko.pull_secret) {
		key_seq(e, "imagePullSecrets");
		emit_map_begin(e);
		kv_str(e, "name", sv->ko.pull_secret);
		emit_map_end(e);
		emit_seq_end(e);
	}
	if (s->stop_grace_period != IR_UNSET)
		kv_int(e, "terminationGracePeriodSeconds", secs(s->stop_grace_period, 0));
	emit_pod_security(k, e, sv);
	emit_dns(k, e, s);
	emit_host_aliases(k, e, s);
	emit_init_containers(k, e, sv);
	emit_container(k, e, sv);
	size_t pod_vols = 0; /* claim templates are the StatefulSet's */
	for (size_t i = 0; i < sv->n_vols; i++)
		pod_vols += sv->vols[i].type != PV_TEMPLATE;
	if (pod_vols) {
		key_seq(e, "volumes");
		for (size_t i = 0; i < sv->n_vols; i++)
			if (sv->vols[i].type != PV_TEMPLATE)
				emit_volume(k, e, &sv->vols[i]);
		emit_seq_end(e);
	}
	emit_map_end(e);
}

/* The pod's labels: the selector's, and one per network its policies
 * select it by. */
static void emit_pod_labels(struct k8s *k, struct emit *e, const struct svc *sv)
{
	key_map(e, "labels");
	emit_selector(k, e, sv);
	for (size_t i = 0; k->policies && i < sv->s->n_networks; i++) {
		size_t n = project_resource_index(k->p, RES_NETWORK, sv->s->networks[i].name);
		if (n < k->p->n_res[RES_NETWORK] && k->nets[n].name)
			kv_str(e, arena_printf(k->a, POD_LABEL_NETWORK "%s", k->nets[n].name), "true");
	}
	emit_map_end(e);
}

static void emit_template(struct k8s *k, struct emit *e, const struct svc *sv)
{
	key_map(e, "template");
	key_map(e, "metadata");
	emit_pod_labels(k, e, sv);
	emit_annotations(k, e, &sv->s->labels, &sv->s->annotations, false);
	emit_map_end(e);
	emit_pod_spec(k, e, sv);
	emit_map_end(e);
}

/* ---- workloads ---------------------------------------------------------------------- */

static void emit_match_labels(struct k8s *k, struct emit *e, const struct svc *sv)
{
	key_map(e, "selector");
	key_map(e, "matchLabels");
	emit_selector(k, e, sv);
	emit_map_end(e);
	emit_map_end(e);
}

/* A claim is ReadWriteOnce: a rolling update would start the new pod
 * before the old one lets go of it. */
static void emit_replicas(struct k8s *k, struct emit *e, const struct svc *sv)
{
	if (k->helm) {
		emit_key(e, "replicas");
		emit_raw(e, arena_printf(k->a, "{{ %s }}", svc_values(k, sv->name, ".replicas")));
	} else {
		kv_int(e, "replicas", sv->s->replicas);
	}
}

static void spec_deployment(struct k8s *k, struct emit *e, const struct svc *sv)
{
	emit_replicas(k, e, sv);
	emit_match_labels(k, e, sv);
	if (sv->uses_claim) {
		key_map(e, "strategy");
		kv_str(e, "type", "Recreate");
		emit_map_end(e);
	}
	emit_template(k, e, sv);
}

static void spec_job(struct k8s *k, struct emit *e, const struct svc *sv)
{
	kv_int(e, "backoffLimit", sv->backoff);
	if (sv->s->replicas != 1) {
		kv_int(e, "completions", sv->s->replicas);
		kv_int(e, "parallelism", sv->s->replicas);
	}
	emit_template(k, e, sv);
}

static void spec_daemonset(struct k8s *k, struct emit *e, const struct svc *sv)
{
	emit_match_labels(k, e, sv);
	emit_template(k, e, sv);
}

static void emit_claim_spec(struct k8s *k, struct emit *e, const struct resource *r);

/* Its Service governs its pods' names; its own volumes are claim
 * templates, one claim per replica. */
static void spec_statefulset(struct k8s *k, struct emit *e, const struct svc *sv)
{
	kv_str(e, "serviceName", sv->name);
	emit_replicas(k, e, sv);
	emit_match_labels(k, e, sv);
	emit_template(k, e, sv);
	bool any = false;
	for (size_t i = 0; i < sv->n_vols; i++) {
		const struct pvol *v = &sv->vols[i];
		if (v->type != PV_TEMPLATE)
			continue;
		if (!any)
			key_seq(e, "volumeClaimTemplates");
		any = true;
		emit_map_begin(e);
		key_map(e, "metadata");
		kv_str(e, "name", v->name);
		emit_labels(k, e, NULL, true);
		emit_map_end(e);
		emit_claim_spec(k, e, v->r);
		emit_map_end(e);
	}
	if (any)
		emit_seq_end(e);
}

static const struct workload {
	const char *api, *kind;
	void (*spec)(struct k8s *k, struct emit *e, const struct svc *sv);
} workloads[WL__MAX] = {
	[WL_DEPLOYMENT] = { "apps/v1", "Deployment", spec_deployment },
	[WL_JOB] = { "batch/v1", "Job", spec_job },
	[WL_DAEMONSET] = { "apps/v1", "DaemonSet", spec_daemonset },
	[WL_STATEFULSET] = { "apps/v1", "StatefulSet", spec_statefulset },
};

static const char *what_service(struct k8s *k, const struct service *s)
{
	return arena_printf(k->a, "service \"%s\"", s->name);
}

static void emit_workload(struct k8s *k, const struct svc *sv)
{
	const struct workload *w = &workloads[sv->kind];
	struct doc d;
	struct emit *e = doc_begin(k, &d, w->api, w->kind, sv->name, sv->s->loc, what_service(k, sv->s));
	emit_labels(k, e, sv, true);
	emit_annotations(k, e, &sv->s->labels, &sv->s->deploy.labels, true);
	meta_end(e);
	key_map(e, "spec");
	w->spec(k, e, sv);
	emit_map_end(e);
	doc_end(k, &d);
}

/* ---- Services, claims, ConfigMaps, Secrets ------------------------------------------ */

/* The Service named `name` for sv: its own, or one of its aliases'. */
static void emit_service(struct k8s *k, const struct svc *sv, const char *name)
{
	struct doc d;
	const char *what = arena_printf(k->a, "service \"%s\": %s%s", sv->s->name,
					sv->n_sports ? "ports" : "without ports, headless so that its name resolves",
					name == sv->name ? "" : arena_printf(k->a, "; its alias %s", name));
	struct emit *e = doc_begin(k, &d, "v1", "Service", name, sv->s->loc, what);
	emit_labels(k, e, sv, true);
	emit_annotations(k, e, &sv->s->labels, NULL, false);
	meta_end(e);
	key_map(e, "spec");
	/* the type applies to its own name; an alias is another way in */
	enum svc_type type = name == sv->name || sv->type == ST_HEADLESS ? sv->type : ST_CLUSTERIP;
	if (!sv->n_sports || type == ST_HEADLESS) {
		kv_str(e, "clusterIP", "None");
	} else if (k->helm && name == sv->name) {
		/* the chart's value; ClusterIP, the default, left unwritten */
		const char *t = svc_values(k, sv->name, ".service.type");
		emit_directive(e, arena_printf(k->a, "{{- if ne %s \"ClusterIP\" }}", t));
		kv_value(k, e, "type", t);
		emit_directive(e, "{{- end }}");
	} else if (type != ST_CLUSTERIP) {
		kv_str(e, "type", svc_type_k8s[type]);
	}
	if (type == sv->type && sv->ko.traffic_policy)
		kv_str(e, "externalTrafficPolicy", sv->ko.traffic_policy);
	key_map(e, "selector");
	emit_selector(k, e, sv);
	emit_map_end(e);
	if (sv->n_sports)
		key_seq(e, "ports");
	for (size_t i = 0; i < sv->n_sports; i++) {
		const struct sport *p = &sv->sports[i];
		emit_map_begin(e);
		kv_str(e, "name", p->name);
		if (p->app_protocol)
			kv_str(e, "appProtocol", p->app_protocol);
		if (type == ST_NODEPORT && sv->ko.node_port && p->port == sv->ko.node_port_of)
			kv_int(e, "nodePort", sv->ko.node_port);
		kv_int(e, "port", p->port);
		kv_str(e, "protocol", proto_upper[p->proto]);
		kv_int(e, "targetPort", p->target);
		emit_map_end(e);
	}
	if (sv->n_sports)
		emit_seq_end(e);
	emit_map_end(e);
	doc_end(k, &d);
}

/* kompose.service.expose's rules: "true" (any host: none) or
 * "host[/path],...". */
static struct strvec expose_rules(struct k8s *k, const struct kompose *ko)
{
	struct strvec rules = { 0 };
	if (strcmp(ko->expose, "true") != 0) {
		const char *c = ko->expose;
		while (*c) {
			size_t n = strcspn(c, ",");
			if (n)
				strvec_push(&rules, k->a, arena_strndup(k->a, c, n));
			c += n + (c[n] == ',');
		}
	}
	return rules;
}

/* The host of a rule, or NULL ("/path", or none). */
static const char *rule_host(struct k8s *k, const char *rule)
{
	size_t n = rule ? strcspn(rule, "/") : 0;
	return n ? arena_strndup(k->a, rule, n) : NULL;
}

/* A host of the Ingress: the chart's value (the n-th host) or the rule's. */
static void emit_host(struct k8s *k, struct emit *e, const struct svc *sv, const char *host, size_t n)
{
	if (k->helm) {
		emit_raw(e, arena_printf(k->a, "{{ index %s %zu | toJson }}", svc_values(k, sv->name, ".ingress.hosts"), n));
	} else {
		emit_str(e, host);
	}
}

/* kompose.service.expose: an Ingress to the Service's first port, with
 * .tls-secret and .ingress-class-name. */
static void emit_ingress(struct k8s *k, const struct svc *sv)
{
	const struct kompose *ko = &sv->ko;
	struct strvec rules = expose_rules(k, ko);
	struct doc d;
	struct emit *e = doc_begin(k, &d, "networking.k8s.io/v1", "Ingress", sv->name, ko->expose_loc,
				   arena_printf(k->a, "service \"%s\": kompose.service.expose", sv->s->name));
	emit_labels(k, e, sv, true);
	meta_end(e);
	key_map(e, "spec");
	if (ko->ingress_class)
		kv_str(e, "ingressClassName", ko->ingress_class);
	if (ko->tls_secret) {
		key_seq(e, "tls");
		emit_map_begin(e);
		size_t hosts = 0;
		for (size_t i = 0; i < rules.n; i++)
			if (rule_host(k, rules.v[i])) {
				if (!hosts)
					key_seq(e, "hosts");
				emit_host(k, e, sv, rule_host(k, rules.v[i]), hosts++);
			}
		if (hosts)
			emit_seq_end(e);
		kv_str(e, "secretName", ko->tls_secret);
		emit_map_end(e);
		emit_seq_end(e);
	}
	key_seq(e, "rules");
	size_t hosts = 0;
	for (size_t i = 0; i < (rules.n ? rules.n : 1); i++) {
		const char *rule = rules.n ? rules.v[i] : NULL, *slash = rule ? strchr(rule, '/') : NULL;
		const char *host = rule_host(k, rule);
		emit_map_begin(e);
		if (host) {
			emit_key(e, "host");
			emit_host(k, e, sv, host, hosts++);
		}
		key_map(e, "http");
		key_seq(e, "paths");
		emit_map_begin(e);
		kv_str(e, "path", slash ? slash : "/");
		kv_str(e, "pathType", "Prefix");
		key_map(e, "backend");
		key_map(e, "service");
		kv_str(e, "name", sv->name);
		key_map(e, "port");
		kv_int(e, "number", sv->sports[0].port);
		emit_map_end(e);
		emit_map_end(e);
		emit_map_end(e);
		emit_map_end(e);
		emit_seq_end(e);
		emit_map_end(e);
		emit_map_end(e);
	}
	emit_seq_end(e);
	emit_map_end(e);
	doc_end(k, &d);
}

/* Services that mount volume r, for the sharing warning: counted for
 * every volume in one pass over the services the first time. */
static size_t volume_users(struct k8s *k, const struct resource *r, int64_t *replicas)
{
	const struct project *p = k->p;
	size_t nv = p->n_res[RES_VOLUME];
	if (!k->vol_users) {
		size_t *last = arena_alloc(k->a, (nv + 1) * sizeof(*last)); /* service index + 1 that counted it */
		k->vol_users = arena_alloc(k->a, (nv + 1) * sizeof(*k->vol_users));
		k->vol_replicas = arena_alloc(k->a, (nv + 1) * sizeof(*k->vol_replicas));
		for (size_t i = 0; i < p->n_services; i++) {
			const struct service *s = p->services[i];
			for (size_t j = 0; j < s->n_volumes; j++) {
				if (s->volumes[j].type != MOUNT_VOLUME || !s->volumes[j].source)
					continue;
				size_t v = project_resource_index(p, RES_VOLUME, s->volumes[j].source);
				if (v == nv || last[v] == i + 1)
					continue;
				last[v] = i + 1;
				k->vol_users[v]++;
				k->vol_replicas[v] += k->svcs[i].kind == WL_DAEMONSET ? 2 : s->replicas;
			}
		}
	}
	size_t v = project_resource_index(p, RES_VOLUME, r->key);
	if (v < nv && p->res[RES_VOLUME][v] == r) {
		*replicas = k->vol_replicas[v];
		return k->vol_users[v];
	}
	size_t n = 0; /* not one of the project's volumes: look */
	*replicas = 0;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		for (size_t j = 0; j < s->n_volumes; j++) {
			if (s->volumes[j].type == MOUNT_VOLUME && s->volumes[j].source &&
			    strcmp(s->volumes[j].source, r->key) == 0) {
				n++;
				*replicas += k->svcs[i].kind == WL_DAEMONSET ? 2 : s->replicas;
				break;
			}
		}
	}
	return n;
}

static void emit_claim(struct k8s *k, const struct resource *r)
{
	int64_t replicas;
	size_t users = volume_users(k, r, &replicas);
	if (users > 1 || replicas > 1)
		diag_warning(k->d, r->loc,
			     "volume \"%s\" is mounted by %zu services (%lld pods): a ReadWriteOnce claim lets only "
			     "pods on one node use it",
			     r->key, users, (long long)replicas);
	if (r->driver || r->driver_opts.n)
		diag_warning(k->d, r->loc, "volume \"%s\": driver and driver_opts cannot be expressed, ignoring", r->key);
	struct doc d;
	struct emit *e = doc_begin(k, &d, "v1", "PersistentVolumeClaim", claim_name(k, r), r->loc,
				   arena_printf(k->a, "volume \"%s\"", r->key));
	emit_labels(k, e, NULL, true);
	emit_annotations(k, e, &r->labels, NULL, true);
	meta_end(e);
	emit_claim_spec(k, e, r);
	doc_end(k, &d);
}

/* A claim's spec: its size and class from kompose's labels (the volume's,
 * else those of the first service that mounts it), else --pvc-size. */
static void emit_claim_spec(struct k8s *k, struct emit *e, const struct resource *r)
{
	size_t v = project_resource_index(k->p, RES_VOLUME, r->key);
	bool ours = v < k->p->n_res[RES_VOLUME] && k->p->res[RES_VOLUME][v] == r;
	key_map(e, "spec");
	key_seq(e, "accessModes");
	emit_str(e, "ReadWriteOnce");
	emit_seq_end(e);
	key_map(e, "resources");
	key_map(e, "requests");
	if (ours && k->helm) {
		struct strbuf x = STRBUF_INIT;
		sb_adds(&x, "(index .Values.volumes ");
		go_string_literal(&x, claim_name(k, r));
		sb_adds(&x, ").size");
		kv_value(k, e, "storage", sb_to_arena(&x, k->a));
		sb_release(&x);
	} else {
		kv_str(e, "storage", ours ? k->claim_size[v] : k->pvc_size);
	}
	emit_map_end(e);
	emit_map_end(e);
	if (ours && k->claim_class[v])
		kv_str(e, "storageClassName", k->claim_class[v]);
	emit_map_end(e);
}

/* The bytes of a config or secret: inline content, a resolved variable,
 * or the file (at most 1 MiB, the limit of a ConfigMap or Secret). */
static bool file_data(struct k8s *k, const struct resource *r, struct strbuf *sb)
{
	if (r->content) {
		sb_adds(sb, r->content);
		return true;
	}
	FILE *fp = r->file ? fopen(r->file, "rb") : NULL;
	if (!fp) {
		diag_warning(k->d, r->loc, "%s \"%s\": %s, its object is left empty",
			     r->kind == RES_SECRET ? "secret" : "config", r->key,
			     r->file ? arena_printf(k->a, "cannot read \"%s\"", r->file) : "no value is set");
		return false;
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && sb->len <= FILE_DATA_MAX)
		sb_add(sb, buf, n);
	fclose(fp);
	if (sb->len > FILE_DATA_MAX) {
		diag_warning(k->d, r->loc, "%s \"%s\": \"%s\" is larger than 1 MiB, its object is left empty",
			     r->kind == RES_SECRET ? "secret" : "config", r->key, r->file);
		return false;
	}
	return true;
}

/* A ConfigMap keeps UTF-8 text in data, other bytes in binaryData; a
 * Secret keeps everything base64-encoded in data. */
static void emit_file_object(struct k8s *k, const struct resource *r)
{
	bool secret = r->kind == RES_SECRET;
	struct strbuf raw = STRBUF_INIT, b64 = STRBUF_INIT;
	bool have = file_data(k, r, &raw);
	bool text = !secret && utf8_text((const unsigned char *)raw.buf, raw.len);
	struct doc d;
	struct emit *e = doc_begin(k, &d, "v1", secret ? "Secret" : "ConfigMap", file_object_name(k, r), r->loc,
				   arena_printf(k->a, "%s \"%s\"", secret ? "secret" : "config", r->key));
	emit_labels(k, e, NULL, true);
	emit_annotations(k, e, &r->labels, NULL, true);
	meta_end(e);
	if (have) {
		key_map(e, text ? "data" : secret ? "data" : "binaryData");
		if (text) {
			kv_str(e, r->key, raw.buf);
		} else {
			base64_encode(&b64, (const unsigned char *)raw.buf, raw.len);
			kv_str(e, r->key, b64.buf);
		}
		emit_map_end(e);
	}
	if (secret)
		kv_str(e, "type", "Opaque");
	doc_end(k, &d);
	sb_release(&raw);
	sb_release(&b64);
}

/* ---- NetworkPolicies ----------------------------------------------------------------- */

/* The pods on network n: its label, and the project's unless the network
 * is external (shared with other projects, as in compose). */
static void emit_net_match(struct k8s *k, struct emit *e, const struct knet *n)
{
	key_map(e, "podSelector");
	key_map(e, "matchLabels");
	if (!n->r->external)
		kv_str(e, LABEL_PROJECT, k->project_label);
	kv_str(e, arena_printf(k->a, POD_LABEL_NETWORK "%s", n->name), "true");
	emit_map_end(e);
	emit_map_end(e);
}

static void emit_port_rule(struct emit *e, uint32_t port, enum port_proto proto)
{
	emit_map_begin(e);
	kv_int(e, "port", port);
	kv_str(e, "protocol", proto_upper[proto]);
	emit_map_end(e);
}

/* Network n isolates its pods as compose's network does: they admit
 * traffic from the pods on it (a pod on several networks is selected by
 * each one's policy, and Kubernetes admits what any of them admits).  An
 * internal network's pods reach only each other, and DNS (port 53 at any
 * address: the cluster's resolver is kube-dns or a node-local cache);
 * once one network restricts egress, the others say that theirs may
 * reach anything, so that a pod on both keeps its way out. */
static void emit_network_policy(struct k8s *k, const struct knet *n)
{
	bool internal = n->r->internal == TRI_TRUE;
	struct doc d;
	const char *what = arena_printf(k->a, "network \"%s\": its services admit only each other%s", n->r->key,
					internal ? "; internal: they reach only each other and DNS" : "");
	struct emit *e = doc_begin(k, &d, "networking.k8s.io/v1", "NetworkPolicy", n->name, n->r->loc, what);
	emit_labels(k, e, NULL, true);
	meta_end(e);
	key_map(e, "spec");
	emit_net_match(k, e, n);
	key_seq(e, "policyTypes");
	emit_str(e, "Ingress");
	if (k->internal)
		emit_str(e, "Egress");
	emit_seq_end(e);
	key_seq(e, "ingress");
	emit_map_begin(e);
	key_seq(e, "from");
	emit_map_begin(e);
	emit_net_match(k, e, n);
	emit_map_end(e);
	emit_seq_end(e);
	emit_map_end(e);
	emit_seq_end(e);
	if (k->internal) {
		key_seq(e, "egress");
		emit_map_begin(e);
		if (internal) {
			key_seq(e, "to");
			emit_map_begin(e);
			emit_net_match(k, e, n);
			emit_map_end(e);
			emit_seq_end(e);
			emit_map_end(e);
			emit_map_begin(e);
			key_seq(e, "ports");
			emit_port_rule(e, DNS_PORT, PROTO_UDP);
			emit_port_rule(e, DNS_PORT, PROTO_TCP);
			emit_seq_end(e);
		}
		emit_map_end(e);
		emit_seq_end(e);
	}
	emit_map_end(e);
	doc_end(k, &d);
}

/* A published port is reached from anywhere in compose (through the
 * host), whatever the client's networks: its service's pods admit it from
 * every source. */
static void emit_open_policy(struct k8s *k, const struct svc *sv)
{
	struct doc d;
	struct emit *e = doc_begin(k, &d, "networking.k8s.io/v1", "NetworkPolicy", sv->open_policy, sv->s->loc,
				   arena_printf(k->a, "service \"%s\": its published ports admit every client",
						sv->s->name));
	emit_labels(k, e, sv, true);
	meta_end(e);
	key_map(e, "spec");
	key_map(e, "podSelector");
	key_map(e, "matchLabels");
	emit_selector(k, e, sv);
	emit_map_end(e);
	emit_map_end(e);
	key_seq(e, "policyTypes");
	emit_str(e, "Ingress");
	emit_seq_end(e);
	key_seq(e, "ingress");
	emit_map_begin(e);
	key_seq(e, "ports");
	for (size_t i = 0; i < sv->n_open; i++)
		emit_port_rule(e, sv->open[i].port, sv->open[i].proto);
	emit_seq_end(e);
	emit_map_end(e);
	emit_seq_end(e);
	emit_map_end(e);
	doc_end(k, &d);
}

#define WAITER_WHAT "the ServiceAccount of init containers that wait for Jobs to complete"

static void emit_waiter_role(struct k8s *k)
{
	static const char *const verbs[] = { "get", "list", "watch" };
	static const char *const batch[] = { "batch" }, *const jobs[] = { "jobs" };
	struct doc d;
	struct emit *e = doc_begin(k, &d, "rbac.authorization.k8s.io/v1", "Role", k->waiter, (struct loc){ 0 },
				   WAITER_WHAT);
	emit_labels(k, e, NULL, true);
	meta_end(e);
	key_seq(e, "rules");
	emit_map_begin(e);
	kv_strs(k, e, "apiGroups", batch, 1, false);
	kv_strs(k, e, "resources", jobs, 1, false);
	kv_strs(k, e, "verbs", verbs, ARRAY_SIZE(verbs), false);
	emit_map_end(e);
	emit_seq_end(e);
	doc_end(k, &d);
}

static void emit_waiter_binding(struct k8s *k)
{
	struct doc d;
	struct emit *e = doc_begin(k, &d, "rbac.authorization.k8s.io/v1", "RoleBinding", k->waiter,
				   (struct loc){ 0 }, WAITER_WHAT);
	emit_labels(k, e, NULL, true);
	meta_end(e);
	key_map(e, "roleRef");
	kv_str(e, "apiGroup", "rbac.authorization.k8s.io");
	kv_str(e, "kind", "Role");
	kv_str(e, "name", k->waiter);
	emit_map_end(e);
	key_seq(e, "subjects");
	emit_map_begin(e);
	kv_str(e, "kind", "ServiceAccount");
	kv_str(e, "name", k->waiter);
	if (k->o->namespace)
		kv_str(e, "namespace", k->o->namespace);
	emit_map_end(e);
	emit_seq_end(e);
	doc_end(k, &d);
}

/* The ServiceAccount that `kubectl wait` runs under: it may read Jobs. */
static void emit_waiter(struct k8s *k)
{
	struct doc d;
	struct emit *e = doc_begin(k, &d, "v1", "ServiceAccount", k->waiter, (struct loc){ 0 }, WAITER_WHAT);
	emit_labels(k, e, NULL, true);
	meta_end(e);
	doc_end(k, &d);
	emit_waiter_role(k);
	emit_waiter_binding(k);
}

static void emit_namespace(struct k8s *k)
{
	struct doc d;
	struct emit *e = doc_begin(k, &d, "v1", "Namespace", k->o->namespace, (struct loc){ 0 },
				   "the namespace of every object (--namespace)");
	emit_labels(k, e, NULL, true);
	meta_end(e);
	doc_end(k, &d);
}

/* ---- the chart (--format helm) ------------------------------------------------------- */

/* "repo[:tag]": the tag after the last ':' past the last '/'; with a
 * digest the whole reference is the repository. */
static void split_image(struct k8s *k, const char *img, const char **repo, const char **tag)
{
	const char *slash = strrchr(img, '/'), *colon = strrchr(img, ':');
	*repo = img;
	*tag = "";
	if (!strchr(img, '@') && colon && (!slash || colon > slash)) {
		*repo = arena_strndup(k->a, img, (size_t)(colon - img));
		*tag = colon + 1;
	}
}

static void chart_file(struct k8s *k, const char *path, struct strbuf *sb)
{
	if (fileset_add(k->out, path, 0644, sb) != 0) {
		diag_error(k->d, (struct loc){ 0 }, "cannot write the chart's \"%s\"", path);
		k->failed = true;
	}
	sb_release(sb);
}

/* values.yaml: what people change per environment, each as the plain
 * manifests have it, so that the templates render them unchanged: per
 * service its image (repository, tag), replicas, resources, environment
 * values (the main container's), its Service's type, its Ingress hosts;
 * per volume its claim's size.  Secrets stay in their Secret objects. */
static void emit_values(struct k8s *k)
{
	const struct project *p = k->p;
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n", p->name);
	sb_adds(&sb, "# What changes per environment.  With these values as they are, the templates render\n"
		     "# what `composec k8s` writes.\n");
	struct emit e;
	emit_init(&e, &sb, EMIT_YAML);
	emit_map_begin(&e);
	key_map(&e, "services");
	for (size_t i = 0; i < p->n_services; i++) {
		const struct svc *sv = &k->svcs[i];
		const struct service *s = sv->s;
		key_map(&e, sv->name);
		const char *repo, *tag;
		split_image(k, plan_image_name(k->a, p, s), &repo, &tag);
		key_map(&e, "image");
		kv_str(&e, "repository", repo);
		kv_str(&e, "tag", tag);
		emit_map_end(&e);
		if (sv->kind == WL_DEPLOYMENT || sv->kind == WL_STATEFULSET)
			kv_int(&e, "replicas", s->replicas);
		size_t before = sb.len;
		emit_resources(k, &e, s, false);
		if (sb.len == before) {
			key_map(&e, "resources");
			emit_map_end(&e);
		}
		key_map(&e, "env");
		for (size_t j = 0; j < s->environment.n; j++)
			if (s->environment.v[j].value)
				kv_str(&e, s->environment.v[j].key, k8s_expand_escape(k->a, s->environment.v[j].value));
		emit_map_end(&e);
		if (sv->n_sports && sv->type != ST_HEADLESS) {
			key_map(&e, "service");
			kv_str(&e, "type", svc_type_k8s[sv->type]);
			emit_map_end(&e);
		}
		if (sv->ko.expose) {
			struct strvec rules = expose_rules(k, &sv->ko);
			key_map(&e, "ingress");
			key_seq(&e, "hosts");
			for (size_t j = 0; j < rules.n; j++)
				if (rule_host(k, rules.v[j]))
					emit_str(&e, rule_host(k, rules.v[j]));
			emit_seq_end(&e);
			emit_map_end(&e);
		}
		emit_map_end(&e);
	}
	emit_map_end(&e);
	key_map(&e, "volumes");
	for (size_t v = 0; v < p->n_res[RES_VOLUME]; v++) {
		const struct resource *r = p->res[RES_VOLUME][v];
		if (r->external)
			continue;
		key_map(&e, claim_name(k, r));
		kv_str(&e, "size", k->claim_size[v]);
		emit_map_end(&e);
	}
	emit_map_end(&e);
	emit_map_end(&e);
	emit_release(&e);
	chart_file(k, "values.yaml", &sb);
}

/* Chart.yaml, the helpers, values.yaml; the objects are templates/. */
static void emit_chart(struct k8s *k)
{
	const struct project *p = k->p;
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n", p->name);
	struct emit e;
	emit_init(&e, &sb, EMIT_YAML);
	emit_map_begin(&e);
	kv_str(&e, "apiVersion", "v2");
	kv_str(&e, "name", dns_label(k->a, p->name, NAME_MAX_LABEL, false));
	kv_str(&e, "description", arena_printf(k->a, "The compose project %s, compiled by composec", p->name));
	kv_str(&e, "type", "application");
	kv_str(&e, "version", "0.1.0");
	emit_map_end(&e);
	emit_release(&e);
	chart_file(k, "Chart.yaml", &sb);
	sb_addf(&sb, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK "%s\"\n", p->name);
	sb_adds(&sb, "{{/* A service's image from its values: repository, and :tag unless empty. */}}\n"
		     "{{- define \"composec.image\" -}}\n"
		     "{{- .repository -}}\n"
		     "{{- with .tag -}}:{{ . }}{{- end -}}\n"
		     "{{- end -}}\n");
	chart_file(k, "templates/_helpers.tpl", &sb);
	emit_values(k);
}

/* ---- what Kubernetes cannot express -------------------------------------------------- */

/* The service attributes this target expresses, or deals with itself
 * (with a warning of its own where it loses part of one), in name order;
 * every other one that a file writes is reported (the field table), so an
 * attribute added to the model later is never dropped without a word.
 * Those kept untyped (service->extra) are reported by warn_members. */
static const char *const expressed[] = {
	"annotations", "build", "cap_add", "cap_drop", "command", "configs", "cpus", "depends_on", "deploy",
	"dns", "dns_opt", "dns_search", "entrypoint", "env_file", "environment", "expose",
	"extends", "extra_hosts", "group_add", "healthcheck", "hostname", "image", "ipc", "label_file",
	"labels", "links", "mem_limit", "mem_reservation", "network_mode", "networks", "pid", "ports",
	"post_start", "pre_start", "pre_stop", "privileged", "profiles", "pull_policy", "read_only", "restart",
	"scale", "secrets", "security_opt", "stdin_open", "stop_grace_period", "sysctls", "tmpfs", "tty",
	"user", "volumes", "working_dir",
};

static bool is_expressed(const char *name)
{
	size_t lo = 0, hi = ARRAY_SIZE(expressed);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(expressed[mid], name);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Written and meaningful: a boolean only when true (false is the default
 * everywhere). */
static bool field_set(const struct service *s, const struct ir_field *f)
{
	if (f->type == IR_FT_BOOL)
		return *(const enum tri *)(const void *)((const char *)s + f->off) == TRI_TRUE;
	return ir_field_set(s, f);
}

static void warn_members(struct k8s *k, const struct service *s, const struct ir_value *v, const char *prefix)
{
	for (size_t i = 0; v && v->kind == VAL_MAP && i < v->map.n; i++)
		diag_warning(k->d, v->map.members[i].value->loc,
			     "service \"%s\": %s%s cannot be expressed in Kubernetes, ignoring", s->name, prefix,
			     v->map.members[i].key);
}

static void warn_unexpressed(struct k8s *k, const struct service *s)
{
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		const struct ir_field *f = &ir_service_fields[i];
		if (f->type != IR_FT_EXTRA && !is_expressed(f->name) && field_set(s, f))
			diag_warning(k->d, ir_field_loc(s, f),
				     "service \"%s\": %s cannot be expressed in Kubernetes, ignoring", s->name, f->name);
	}
	warn_members(k, s, s->extra, "");
	warn_members(k, s, s->deploy.extra, "deploy.");
	if (s->build.present)
		diag_warning(k->d, s->build.loc,
			     "service \"%s\": Kubernetes cannot build: the pod runs the image \"%s\", which must be "
			     "pushed where the cluster pulls from",
			     s->name, plan_image_name(k->a, k->p, s));
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct service_network *n = &s->networks[i];
		if (n->ipv4_address || n->ipv6_address || n->mac_address)
			diag_warning(k->d, n->loc,
				     "service \"%s\": addresses on network \"%s\" cannot be expressed (pods get the "
				     "cluster's), ignoring",
				     s->name, n->name);
	}
	for (size_t i = 0; i < s->links.n; i++)
		if (strchr(s->links.v[i], ':'))
			diag_warning(k->d, s->links.locs ? s->links.locs[i] : s->loc,
				     "service \"%s\": the alias of link \"%s\" cannot be expressed (the Service name is "
				     "the only DNS name), ignoring",
				     s->name, s->links.v[i]);
	if (s->deploy.mode == DEPLOY_GLOBAL && s->deploy.replicas != IR_UNSET)
		diag_warning(k->d, s->deploy.loc, "service \"%s\": replicas is ignored by a global (DaemonSet) service",
			     s->name);
}

static bool on_network(const struct service *s, const char *net)
{
	for (size_t i = 0; i < s->n_networks; i++)
		if (strcmp(s->networks[i].name, net) == 0)
			return true;
	return false;
}

/* A wait init container connects to its dependency's Service (when it
 * has a TCP port; else it asks DNS): the policies let it only where the
 * two share a network (compose's
 * depends_on needs none); `kubectl wait` needs the API server, which an
 * internal network does not reach. */
static void check_isolated_waits(struct k8s *k, const struct svc *sv)
{
	const struct service *s = sv->s;
	bool out = !s->n_networks;
	for (size_t i = 0; i < s->n_networks && !out; i++)
		out = !s->networks[i].def || s->networks[i].def->internal != TRI_TRUE;
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		if (!dep->target || !dep->required)
			continue;
		const struct svc *t = svc_of(k, dep->target);
		if (dep->condition == DEP_COMPLETED && t->kind == WL_JOB) {
			if (!out)
				diag_warning(k->d, dep->loc,
					     "service \"%s\" waits for \"%s\" with kubectl, but its networks are internal: "
					     "the NetworkPolicies keep it from the API server, the wait never ends",
					     s->name, dep->service);
			continue;
		}
		bool shared = false, tcp = false; /* without a TCP port it asks DNS, which is allowed */
		for (size_t j = 0; j < s->n_networks && !shared; j++)
			shared = on_network(dep->target, s->networks[j].name);
		for (size_t j = 0; j < t->n_sports && !tcp; j++)
			tcp = t->sports[j].proto == PROTO_TCP;
		if (!shared && tcp && dep->target->n_networks)
			diag_warning(k->d, dep->loc,
				     "service \"%s\" waits for \"%s\", but they share no network: the NetworkPolicies "
				     "keep its wait container from reaching \"%s\", the wait never ends",
				     s->name, dep->service, dep->service);
	}
}

/* The networks services join, named; policies when there is isolation
 * to express: more than one network, or an internal one (one network
 * admits every pod of the project, as the namespace does). */
static void analyse_networks(struct k8s *k)
{
	const struct project *p = k->p;
	size_t nn = p->n_res[RES_NETWORK], used = 0;
	k->nets = arena_alloc(k->a, (nn + 1) * sizeof(*k->nets));
	for (size_t i = 0; i < p->n_services; i++)
		for (size_t j = 0; j < p->services[i]->n_networks; j++) {
			size_t n = project_resource_index(p, RES_NETWORK, p->services[i]->networks[j].name);
			if (n < nn)
				k->nets[n].members++;
		}
	for (size_t n = 0; n < nn; n++) {
		const struct resource *r = p->res[RES_NETWORK][n];
		k->nets[n].r = r;
		if (!k->nets[n].members)
			continue;
		used++;
		k->internal = k->internal || r->internal == TRI_TRUE;
		k->nets[n].name = name_alloc(k, "networkpolicy", r->external && r->name ? r->name : r->key,
					     NAME_MAX_LABEL, false);
	}
	k->policies = used > 1 || k->internal;
	for (size_t i = 0; k->policies && i < p->n_services; i++)
		check_isolated_waits(k, &k->svcs[i]);
	for (size_t i = 0; k->policies && i < p->n_services; i++)
		if (k->svcs[i].n_open)
			k->svcs[i].open_policy = name_alloc(k, "networkpolicy",
							    arena_printf(k->a, "%s-published", k->svcs[i].name),
							    NAME_MAX_LABEL, false);
}

/* ---- analysis ---------------------------------------------------------------------- */

/* Each network alias of a service gets a Service of its own (the same
 * selector and ports), so that the alias resolves as in compose; after the
 * services' names, which win: an alias whose name is taken, or made equal
 * to a taken one, is reported and left out. */
static void name_aliases(struct k8s *k)
{
	const struct project *p = k->p;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		struct svc *sv = &k->svcs[i];
		for (size_t j = 0; j < s->n_networks; j++) {
			const struct service_network *sn = &s->networks[j];
			for (size_t a = 0; a < sn->aliases.n; a++) {
				const char *raw = sn->aliases.v[a];
				const char *n = dns_label(k->a, raw, NAME_MAX_LABEL, true);
				const char *key = arena_printf(k->a, "service/%s", n);
				/* the owners are services' names */
				const char *owner = strmap_get(&k->used, key);
				if (owner && strcmp(owner, s->name) == 0)
					continue; /* its own name, or this alias on another network */
				if (owner) {
					diag_warning(k->d, sn->loc,
						     "service \"%s\": the alias \"%s\" would be the Service \"%s\", a name "
						     "taken by \"%s\": not reachable by that alias",
						     s->name, raw, n, owner);
					continue;
				}
				strmap_put(&k->used, key, (void *)s->name);
				strvec_push(&sv->aliases, k->a, n);
				if (strcmp(n, raw) != 0)
					diag_warning(k->d, sn->loc,
						     "service \"%s\": the alias \"%s\" is named \"%s\" in Kubernetes (a "
						     "DNS-1035 label): other containers must use that name to reach it",
						     s->name, raw, n);
			}
		}
	}
}

/* DNS-1035 names, valid ones first so that a changed name never takes
 * a name that a service has as written. */
static void name_services(struct k8s *k)
{
	const struct project *p = k->p;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->n_services; i++) {
			const char *n = p->services[i]->name;
			bool valid = dns_label_ok(n) && n[0] >= 'a' && n[0] <= 'z';
			if (valid != (pass == 0))
				continue;
			k->svcs[i].name = name_alloc(k, "service", n, NAME_MAX_LABEL, true);
			if (!valid)
				diag_warning(k->d, p->services[i]->loc,
					     "service \"%s\" is named \"%s\" in Kubernetes (a DNS-1035 label): other "
					     "containers must use that name to reach it",
					     n, k->svcs[i].name);
		}
	}
}

static void check_dependency(struct k8s *k, struct svc *sv, const struct dependency *dep)
{
	const struct service *s = sv->s;
	const struct svc *t = svc_of(k, dep->target);
	if (!dep->required)
		diag_warning(k->d, dep->loc, "service \"%s\": the optional dependency on \"%s\" is not waited for",
			     s->name, dep->service);
	if (dep->restart)
		diag_warning(k->d, dep->loc,
			     "service \"%s\": restart: true on \"%s\" cannot be expressed (pods restart on their own), "
			     "ignoring",
			     s->name, dep->service);
	if (dep->condition == DEP_COMPLETED && t->kind == WL_JOB && dep->required)
		sv->waits_job = true;
	else if (dep->condition == DEP_COMPLETED)
		diag_warning(k->d, dep->loc,
			     "service \"%s\" waits for \"%s\" to complete, but \"%s\" is a %s that restarts: the init "
			     "container waits until it is ready",
			     s->name, dep->service, dep->service, workloads[t->kind].kind);
	if (dep->condition == DEP_HEALTHY && (!dep->target->healthcheck.present || dep->target->healthcheck.test_kind == HC_TEST_UNSET))
		diag_warning(k->d, dep->loc,
			     "service \"%s\" waits for \"%s\" to be healthy, but \"%s\" has no healthcheck: it is "
			     "ready as soon as it runs",
			     s->name, dep->service, dep->service);
}

static void analyse(struct k8s *k)
{
	const struct project *p = k->p;
	k->svcs = arena_alloc(k->a, (p->n_services + 1) * sizeof(*k->svcs));
	for (size_t i = 0; i < p->n_services; i++) {
		k->svcs[i].s = p->services[i];
		choose_kind(k, &k->svcs[i]);
	}
	name_services(k);
	name_aliases(k);
	k->templated = arena_alloc(k->a, (p->n_res[RES_VOLUME] + 1) * sizeof(*k->templated));
	for (size_t i = 0; i < p->n_services; i++) {
		collect_ports(k, &k->svcs[i]);
		collect_volumes(k, &k->svcs[i]);
		read_kompose(k, &k->svcs[i]);
	}
	resolve_claims(k);
	/* in dependency order: a level is known before its dependents ask */
	int top = 0;
	for (size_t i = 0; i < p->n_services; i++) {
		struct svc *sv = &k->svcs[project_service_index(p, p->order[i])];
		for (size_t j = 0; j < sv->s->n_depends_on; j++) {
			const struct dependency *dep = &sv->s->depends_on[j];
			if (!dep->target)
				continue;
			check_dependency(k, sv, dep);
			const struct svc *t = svc_of(k, dep->target);
			if (t && t->level + 1 > sv->level)
				sv->level = t->level + 1;
		}
		top = sv->level > top ? sv->level : top;
	}
	k->rank_width = 2;
	for (int r = RANK_SERVICE + top; r >= 100; r /= 10)
		k->rank_width++;
	analyse_networks(k);
}

/* ---- the backend --------------------------------------------------------------------- */

static int check_options(struct k8s *k)
{
	const char *f = k->o->format;
	if (f && strcmp(f, "json") == 0)
		k->fmt = EMIT_JSON;
	else if (f && strcmp(f, "helm") == 0)
		k->helm = true;
	else if (f && strcmp(f, "yaml") != 0)
		diag_error(k->d, (struct loc){ 0 }, "k8s: --format must be yaml, json or helm, not \"%s\"", f);
	k->service_type = ST_CLUSTERIP;
	if (k->o->service_type) {
		k->service_type = lookup_nocase(svc_type_names, ST__MAX, k->o->service_type);
		if (k->service_type < 0)
			diag_error(k->d, (struct loc){ 0 },
				   "k8s: --service-type must be clusterip, nodeport, loadbalancer or headless, not \"%s\"",
				   k->o->service_type);
	}
	k->controller = k->o->controller ? controller_of(k->o->controller) : -1;
	if (k->o->controller && k->controller < 0)
		diag_error(k->d, (struct loc){ 0 },
			   "k8s: --controller must be deployment, statefulset or daemonset, not \"%s\"", k->o->controller);
	k->pvc_size = k->o->pvc_size ? k->o->pvc_size : PVC_SIZE;
	if (!quantity_ok(k->pvc_size))
		diag_error(k->d, (struct loc){ 0 }, "k8s: --pvc-size must be a quantity such as 10Gi, not \"%s\"",
			   k->pvc_size);
	const char *ns = k->o->namespace;
	if (ns && !dns_label_ok(ns))
		diag_error(k->d, (struct loc){ 0 },
			   "k8s: --namespace \"%s\" is not a DNS-1123 label (lowercase letters, digits and '-', "
			   "at most 63)",
			   ns);
	return k->d->errors ? -1 : 0;
}

static void emit_resources_of_project(struct k8s *k)
{
	const struct project *p = k->p;
	k->rank = RANK_SHARED;
	for (size_t i = 0; k->policies && i < p->n_res[RES_NETWORK]; i++)
		if (k->nets[i].name)
			emit_network_policy(k, &k->nets[i]);
	for (size_t i = 0; i < p->n_res[RES_VOLUME]; i++)
		if (!p->res[RES_VOLUME][i]->external && !k->templated[i])
			emit_claim(k, p->res[RES_VOLUME][i]);
	for (int kind = RES_SECRET; kind <= RES_CONFIG; kind++)
		for (size_t i = 0; i < p->n_res[kind]; i++)
			if (!p->res[kind][i]->external)
				emit_file_object(k, p->res[kind][i]);
	bool waiter = false;
	for (size_t i = 0; i < p->n_services; i++)
		waiter = waiter || k->svcs[i].waits_job;
	if (waiter)
		emit_waiter(k);
	k->rank = RANK_NAMESPACE;
	if (k->o->namespace)
		emit_namespace(k);
}

static int k8s_emit(struct arena *a, struct diag *d, const struct plan *plan,
			const struct backend_options *o, struct fileset *out)
{
	const struct project *p = plan->project;
	struct k8s k = { .a = a, .d = d, .p = p, .plan = plan, .o = o, .out = out, .fmt = EMIT_YAML };
	strmap_init(&k.used, a);
	if (check_options(&k) != 0)
		return -1;
	k.project_label = label_value_ok(p->name) ? p->name : dns_label(a, p->name, NAME_MAX_LABEL, false);
	k.waiter = sub_name(&k, p->name, "wait");
	analyse(&k);
	/* what a service's documents need while they are written is scratch,
	 * reused from one service to the next (names and the per-service
	 * tables were made by analyse, in the arena; documents go to the
	 * file set) */
	struct arena scratch;
	arena_init(&scratch);
	arena_alloc(&scratch, 1);
	struct arena_mark mark = arena_mark(&scratch);
	k.a = &scratch;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct svc *sv = &k.svcs[i];
		k.rank = RANK_SERVICE + sv->level;
		warn_unexpressed(&k, sv->s);
		emit_workload(&k, sv);
		/* every service, so that its name resolves as in compose, and
		 * each of its aliases */
		emit_service(&k, sv, sv->name);
		for (size_t j = 0; j < sv->aliases.n; j++)
			emit_service(&k, sv, sv->aliases.v[j]);
		if (sv->open_policy)
			emit_open_policy(&k, sv);
		if (sv->ko.expose)
			emit_ingress(&k, sv);
		arena_rewind(&scratch, mark);
	}
	k.a = a;
	arena_release(&scratch);
	emit_resources_of_project(&k);
	if (k.helm)
		emit_chart(&k);
	return k.failed ? -1 : 0;
}

const struct backend backend_k8s = { .name = "k8s", .output = OUTPUT_DIR, .emit = k8s_emit };
