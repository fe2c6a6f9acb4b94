/*
 * ir.h - the model IR: every type the backends, audit and config see.
 *
 * The frontend (frontend/) builds it; nothing below frontend/ parses a
 * compose string again.  Conventions:
 *  - Every entity carries the source location of its key or list item.
 *  - Short syntax is already lowered to the long form.
 *  - Durations are int64 microseconds, sizes int64 bytes; IR_UNSET
 *    (INT64_MIN) marks an absent integer, NAN an absent float, TRI_UNSET an
 *    absent boolean, NULL an absent string.
 *  - Maps (environment, labels, ...) are kv lists sorted by key with unique
 *    keys, except extra_hosts which may repeat a host.
 *  - Services, networks, volumes, secrets and configs are sorted by name.
 *  - Attributes that are valid compose but that no backend needs typed are
 *    kept as generic values (struct ir_value) in `extra`, so that `config`
 *    prints them and backends can report them as not expressed.
 *  - One arena owns it all.
 */
#ifndef COMPOSEC_IR_H
#define COMPOSEC_IR_H

#include "base/base.h"

#include <math.h>

#define IR_UNSET INT64_MIN
#define IR_USEC_PER_SEC 1000000LL

enum tri { TRI_UNSET = 0, TRI_FALSE, TRI_TRUE };

/* ---- generic values ------------------------------------------------------ */

enum value_kind { VAL_NULL, VAL_BOOL, VAL_INT, VAL_FLOAT, VAL_STR, VAL_LIST, VAL_MAP };

struct ir_value;
struct ir_member {
	const char *key;
	struct ir_value *value;
};
struct ir_value {
	enum value_kind kind;
	struct loc loc;
	union {
		bool b;
		long long i;
		double f;
		const char *s;
		struct {
			struct ir_value **items;
			size_t n;
		} list;
		struct {
			struct ir_member *members; /* sorted by key */
			size_t n;
		} map;
	};
};

/* ---- small building blocks ---------------------------------------------- */

struct strlist {
	const char **v;
	struct loc *locs; /* parallel to v; may be NULL */
	size_t n;
};

struct kv {
	const char *key;
	const char *value; /* NULL: no value (environment: unresolved) */
	struct loc loc;
	/* the compose file wrote the value itself, without a '$' (no
	 * interpolation): not from the environment, an env_file or a default */
	bool literal;
	/* not literal, and the loader asked for locations (the audit): the value
	 * with every variable unset, defaults and the text around references
	 * kept: what the compose file itself ships ("" when nothing); else NULL */
	const char *shipped;
};
struct kvlist {
	struct kv *v;
	size_t n;
};

/* command, entrypoint, hook command, healthcheck arguments.
 * CMD_UNSET: keep the image's default.  Otherwise argv holds the words;
 * argv.n == 0 means "override to nothing" ([] or "").  CMD_SHELL keeps the
 * string as written in `shell`; argv is its shell-words split, which is
 * what the engine receives (compose-go semantics). */
enum cmd_kind { CMD_UNSET = 0, CMD_EXEC, CMD_SHELL };
struct command {
	enum cmd_kind kind;
	struct strlist argv;
	const char *shell;
	struct loc loc;
};

/* ---- service parts ------------------------------------------------------- */

enum port_proto { PROTO_TCP = 0, PROTO_UDP, PROTO_SCTP, PROTO__MAX };
enum port_mode { PORT_INGRESS = 0, PORT_HOST, PORT_MODE__MAX };
struct port {
	const char *name;
	enum port_mode mode;
	const char *host_ip;   /* NULL: all interfaces */
	uint32_t target;
	const char *published; /* NULL: engine picks; "8080" or "8000-8010" */
	uint32_t published_lo, published_hi; /* parsed published; 0 when NULL */
	enum port_proto protocol;
	const char *app_protocol;
	struct loc loc;
};

enum mount_type { MOUNT_BIND = 0, MOUNT_VOLUME, MOUNT_TMPFS, MOUNT_IMAGE, MOUNT_NPIPE, MOUNT_CLUSTER, MOUNT__MAX };
enum propagation {
	PROP_UNSET = 0, PROP_RPRIVATE, PROP_PRIVATE, PROP_RSHARED, PROP_SHARED, PROP_RSLAVE, PROP_SLAVE,
	PROP__MAX
};
struct mount {
	enum mount_type type;
	const char *source; /* bind: absolute host path; volume: key of a
			       top-level volume, NULL for anonymous */
	const char *source_written; /* bind: the source as written ("./data", "~/x") */
	const char *target;
	bool read_only;
	const char *consistency;
	bool has_bind, has_volume, has_tmpfs, has_image; /* sub-mapping present */
	struct {
		enum propagation propagation;
		enum tri create_host_path;
		const char *selinux; /* "z", "Z" or NULL */
		const char *recursive;
	} bind;
	struct {
		bool nocopy;
		const char *subpath;
		struct kvlist labels;
	} volume;
	struct {
		int64_t size; /* bytes or IR_UNSET */
		int64_t mode; /* or IR_UNSET */
	} tmpfs;
	struct {
		const char *subpath;
	} image;
	struct loc loc;
};

enum dep_condition { DEP_STARTED = 0, DEP_HEALTHY, DEP_COMPLETED, DEP__MAX };
struct dependency {
	const char *service;
	enum dep_condition condition;
	bool required;
	bool restart;
	bool implicit; /* from links, volumes_from, network_mode/ipc/pid: service:X */
	struct loc loc;
	struct service *target; /* resolved; NULL when the target is disabled and not required */
};

enum hc_test { HC_TEST_UNSET = 0, HC_TEST_CMD, HC_TEST_CMD_SHELL, HC_TEST_NONE };
struct healthcheck {
	bool present;
	bool disable;
	enum hc_test test_kind;
	struct strlist test_args; /* after the CMD / CMD-SHELL word */
	int64_t interval, timeout, start_period, start_interval; /* usec or IR_UNSET */
	int64_t retries;                                         /* or IR_UNSET */
	struct loc loc;
};

/* pre_start, post_start, pre_stop steps. */
struct hook {
	struct command command;
	const char *image;   /* pre_start: defaults to the service image */
	bool image_inherited;
	const char *user;
	enum tri privileged;
	const char *working_dir;
	struct kvlist own_environment; /* as written on the step */
	struct kvlist environment;     /* pre_start: service environment with the step's on top */
	enum tri per_replica;
	struct ir_value *extensions;
	struct loc loc;
};

struct service_network {
	const char *name; /* key of the top-level network */
	bool has_config;  /* written as a mapping (not null / list form) */
	struct strlist aliases;
	const char *ipv4_address, *ipv6_address, *mac_address, *interface_name;
	struct strlist link_local_ips;
	struct kvlist driver_opts;
	int64_t priority, gw_priority; /* or IR_UNSET */
	struct loc loc;
	struct resource *def; /* resolved */
};

struct file_ref { /* service secrets: and configs: entries */
	const char *source;
	const char *target; /* secrets: /run/secrets/<source> by default;
			       configs: NULL means /<source> */
	const char *uid, *gid;
	int64_t mode; /* or IR_UNSET */
	struct loc loc;
	struct resource *def; /* resolved */
};

struct device {
	const char *source, *target, *permissions;
	struct loc loc;
};

struct ulimit {
	const char *name;
	int64_t soft, hard;
	bool single; /* written as one number */
	struct loc loc;
};

enum restart_policy { RESTART_UNSET = 0, RESTART_NO, RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_UNLESS_STOPPED, RESTART__MAX };

struct build {
	bool present;
	const char *context;    /* absolute, or a URL */
	const char *dockerfile; /* default "Dockerfile" unless dockerfile_inline */
	const char *dockerfile_inline;
	struct kvlist args;
	const char *target;
	struct kvlist labels;
	const char *network;
	struct strlist tags, cache_from, cache_to, platforms;
	enum tri no_cache, pull, privileged;
	int64_t shm_size;
	struct ir_value *extra; /* ssh, secrets, ulimits, additional_contexts, ... */
	struct loc loc;
};

enum deploy_mode { DEPLOY_REPLICATED = 0, DEPLOY_GLOBAL, DEPLOY_REPLICATED_JOB, DEPLOY_GLOBAL_JOB, DEPLOY__MAX };
/* deploy.restart_policy.condition: the spec's none, on-failure, any, and
 * what docker compose also maps (no, always, unless-stopped); any other word
 * is RCOND_OTHER, kept in condition_other and passed to the engine as is, as
 * docker compose does (the engine refuses it). */
enum restart_condition {
	RCOND_UNSET = 0, RCOND_NONE, RCOND_ON_FAILURE, RCOND_ANY, RCOND_NO, RCOND_ALWAYS, RCOND_UNLESS_STOPPED,
	RCOND_OTHER, RCOND__MAX
};
struct resource_spec {
	bool present;   /* the mapping was written (even empty) */
	double cpus;    /* NAN: unset */
	int64_t memory; /* bytes or IR_UNSET */
	int64_t pids;   /* or IR_UNSET */
};
struct deploy {
	bool present;
	bool has_mode;
	enum deploy_mode mode;
	int64_t replicas; /* or IR_UNSET */
	struct resource_spec limits, reservations;
	struct {
		bool present;
		enum restart_condition condition;
		const char *condition_other; /* the word of RCOND_OTHER */
		int64_t delay, window;  /* usec or IR_UNSET */
		int64_t max_attempts;   /* or IR_UNSET */
		struct loc loc;         /* of the restart_policy key */
	} restart_policy;
	struct kvlist labels;
	struct ir_value *extra; /* update_config, placement, devices, ... */
	struct loc loc;
};

struct logging {
	bool present;
	const char *driver;
	struct kvlist options;
};

struct service {
	const char *name;
	struct loc loc;  /* its key */
	struct loc body; /* its mapping (ir_key_at looks in it) */
	const char *image;
	struct build build;
	struct command command, entrypoint;
	struct kvlist environment, labels, annotations, sysctls;
	struct port *ports;
	size_t n_ports;
	struct strlist expose;
	struct mount *volumes;
	size_t n_volumes;
	struct strlist tmpfs, volumes_from;
	struct service_network *networks; /* sorted by name */
	size_t n_networks;
	const char *network_mode;
	struct dependency *depends_on; /* sorted by service */
	size_t n_depends_on;
	struct healthcheck healthcheck;
	struct hook *pre_start, *post_start, *pre_stop;
	size_t n_pre_start, n_post_start, n_pre_stop;
	enum restart_policy restart;
	int64_t restart_max_retries; /* on-failure:N, or IR_UNSET */
	struct loc restart_loc;
	const char *container_name, *hostname, *domainname, *user, *working_dir;
	const char *stop_signal, *ipc, *pid, *uts, *userns_mode, *cgroup, *cgroup_parent;
	const char *isolation, *runtime, *platform, *pull_policy, *mac_address, *volume_driver, *cpuset;
	int64_t stop_grace_period; /* usec or IR_UNSET */
	struct strlist cap_add, cap_drop, security_opt, dns, dns_opt, dns_search, group_add;
	struct strlist links, external_links, profiles, device_cgroup_rules;
	struct device *devices;
	size_t n_devices;
	struct ulimit *ulimits; /* sorted by name */
	size_t n_ulimits;
	struct kvlist extra_hosts; /* host -> ip, sorted, host may repeat */
	struct kvlist storage_opt; /* the storage driver's options for the container's root filesystem */
	struct logging logging;
	struct file_ref *secrets, *configs;
	size_t n_secrets, n_configs;
	struct deploy deploy;
	int64_t scale; /* or IR_UNSET */
	enum tri privileged, read_only, init, tty, stdin_open, oom_kill_disable;
	int64_t mem_limit, mem_reservation, memswap_limit, shm_size; /* bytes or IR_UNSET */
	int64_t mem_swappiness, oom_score_adj, pids_limit;            /* or IR_UNSET */
	double cpus, cpu_percent;                                     /* NAN: unset */
	int64_t cpu_shares, cpu_period, cpu_quota, cpu_rt_period, cpu_rt_runtime, cpu_count;
	struct ir_value *extra;      /* known attributes kept untyped (develop, gpus, blkio_config, ...) */
	struct ir_value *extensions; /* x-* keys */
	/* where each attribute's key is, by its row in ir_service_fields (a
	 * zero loc: not written); NULL for a service made without lowering */
	struct loc *field_locs;
	/* derived */
	int64_t replicas;    /* deploy.replicas / scale, default 1 */
	size_t order;        /* index in project->order */
};

/* Top-level networks, volumes, secrets, configs. */
enum resource_kind { RES_NETWORK = 0, RES_VOLUME, RES_SECRET, RES_CONFIG, RES__MAX };
struct resource {
	enum resource_kind kind;
	const char *key;  /* name in the file */
	const char *name; /* real name: `name:`, or <project>_<key>, or key when external */
	struct loc loc;
	bool external;
	const char *driver;
	struct kvlist driver_opts, labels;
	/* networks */
	enum tri internal, attachable, enable_ipv4, enable_ipv6;
	struct ir_value *ipam;
	/* secrets and configs */
	const char *file;        /* absolute */
	const char *environment; /* variable name */
	const char *content;     /* configs: inline; secrets/configs from environment: resolved */
	const char *template_driver;
	struct ir_value *extra;
	struct ir_value *extensions;
};

struct project {
	const char *name;
	const char *working_dir; /* absolute project directory */
	struct strlist config_files;
	struct service **services; /* enabled, sorted by name */
	size_t n_services;
	struct service **disabled; /* disabled by profiles, sorted */
	size_t n_disabled;
	struct resource **res[RES__MAX]; /* each sorted by key */
	size_t n_res[RES__MAX];
	struct ir_value *extra;      /* known top-level keys kept untyped (models) */
	struct ir_value *extensions; /* x-* keys */
	struct service **order; /* dependency order: dependencies first; ties by name */
	/* The "# composec-ignore:" comments of the files read, when the loader
	 * was asked (load_options.key_locs), in the order read */
	struct ir_ignore_comment **ignore_comments;
	size_t n_ignore_comments;
	/* Where each key the frontend lowered is (ir_key_at), when the loader
	 * was asked (load_options.key_locs: the audit): so that nothing reads
	 * a compose file's text again to find a key. */
	struct strmap key_locs;
};

/* A "# composec-ignore: RULE[,RULE...]" comment (the audit's
 * suppressions). */
struct ir_ignore_comment {
	const char *file; /* as messages name it */
	int line;
	bool alone;        /* the line holds only the comment */
	const char *rules; /* what follows the marker, as written */
};

/* A key of the compose file, as the frontend lowered it. */
struct ir_key_loc {
	struct loc key;   /* the key */
	struct loc value; /* its value: the mapping to look in for a key below it */
};
/* Record the key `key` of the mapping at map (the frontend, as it lowers). */
void ir_key_record(struct project *p, struct arena *a, struct loc map, const char *key, struct loc key_loc,
		   struct loc value_loc);
/* The key `key` of the mapping at map; false when that mapping has none. */
bool ir_key_at(const struct project *p, struct loc map, const char *key, struct ir_key_loc *out);

/* ---- string tables shared by parser and printer ------------------------ */
extern const char *const port_proto_names[PROTO__MAX];
extern const char *const port_mode_names[PORT_MODE__MAX];
extern const char *const mount_type_names[MOUNT__MAX];
extern const char *const propagation_names[PROP__MAX];
extern const char *const dep_condition_names[DEP__MAX];
extern const char *const restart_policy_names[RESTART__MAX];
extern const char *const deploy_mode_names[DEPLOY__MAX];
extern const char *const restart_condition_names[RCOND__MAX];
extern const char *const resource_kind_names[RES__MAX]; /* "networks", ... */
/* Index of s in table[0..n), or -1. NULL entries never match. */
int ir_lookup(const char *const *table, int n, const char *s);

/* ---- the field table (ir/fields.c) --------------------------------------- */

/* How a service attribute is written in a compose file and kept in the
 * model. */
enum ir_ftype {
	IR_FT_STR,         /* a string: const char * */
	IR_FT_INT,         /* an integer: int64_t, IR_UNSET */
	IR_FT_USEC,        /* microseconds as an integer or a duration: int64_t */
	IR_FT_BYTES,       /* a byte size, "1g" or a number: int64_t */
	IR_FT_DURATION,    /* a duration, "1m30s": int64_t usec */
	IR_FT_BOOL,        /* a boolean: enum tri */
	IR_FT_FLOAT,       /* a number: double, NAN */
	IR_FT_LIST,        /* a list of strings: struct strlist */
	IR_FT_LIST_NUM,    /* a list of strings or numbers: struct strlist */
	IR_FT_STR_OR_LIST, /* a string or a list of strings: struct strlist */
	IR_FT_MAP,         /* a mapping or a list of KEY=VALUE: struct kvlist */
	IR_FT_OPTS,        /* a mapping of strings: struct kvlist */
	IR_FT_ENV,         /* the same, a bare KEY taken from the environment */
	IR_FT_COMMAND,     /* a string (split like a shell) or a list: struct command */
	IR_FT_TYPED,       /* a structure of its own, lowered by its own code */
	IR_FT_EXTRA,       /* kept untyped in service->extra */
	IR_FT_LOADER,      /* read by the loader (extends, env_file, label_file) */
};
/* How override files merge an attribute (compose-go's rules). */
enum ir_merge {
	IR_MERGE_PLAIN,   /* the later file's value replaces; mappings merge, lists append */
	IR_MERGE_MAP,     /* a map, in either form, merged by key */
	IR_MERGE_UNIQUE,  /* a list appended without repeating an item */
	IR_MERGE_REPLACE, /* replaced whole (command, entrypoint) */
	IR_MERGE_NAMES,   /* a list of names or a mapping by name, merged by name */
	IR_MERGE_OWN,     /* a rule of its own (frontend/merge.c) */
};
#define IR_UNIQUE 1u /* the schema says uniqueItems: a repeat in one file is an error */

struct ir_field {
	const char *name;   /* compose's key */
	enum ir_ftype type;
	size_t off;         /* of the value in struct service; 0 for EXTRA, LOADER, and TYPED values kept apart */
	enum ir_merge merge;
	unsigned flags;     /* IR_UNIQUE */
};
/* Every service attribute compose knows, by name. */
extern const struct ir_field ir_service_fields[];
extern const size_t ir_n_service_fields;
/* The row of name, or NULL (not a service attribute). */
const struct ir_field *ir_service_field(const char *name);
/* Whether s has a value for f: written, or for EXTRA and LOADER rows, kept
 * in s->extra or read (its key located); TYPED rows by their key's
 * location. */
bool ir_field_set(const struct service *s, const struct ir_field *f);
/* The location of attribute f's key in s, or s->loc when it is not written. */
static inline struct loc ir_field_loc(const struct service *s, const struct ir_field *f)
{
	return s->field_locs && s->field_locs[f - ir_service_fields].file ? s->field_locs[f - ir_service_fields] : s->loc;
}

/* ---- lookups and the dependency graph (ir/graph.c) ---------------------- */
struct service *project_service(const struct project *p, const char *name);
struct resource *project_resource(const struct project *p, enum resource_kind k, const char *key);
/* Fill project->order (Kahn, ties broken by name) and every service's
 * order; report each dependency cycle as an error.  Returns 0 or -1. */
int project_order(struct project *p, struct arena *a, struct diag *d);
/* The index of s in p->services (sorted by name), or p->n_services when s
 * is not an enabled service of p.  O(log n). */
size_t project_service_index(const struct project *p, const struct service *s);
/* The index in p->res[k] (sorted by key) of the resource key, or
 * p->n_res[k].  O(log n). */
size_t project_resource_index(const struct project *p, enum resource_kind k, const char *key);
/* used[i] for each top-level resource p->res[k][i]: whether an enabled
 * service uses it (a network by name, a volume as the source of a volume
 * mount).  One pass over the services, for backends that would otherwise
 * scan every service per resource. */
bool *project_resources_used(const struct project *p, enum resource_kind k, struct arena *a);
/* Look up a key in a sorted kvlist; NULL if absent. */
const struct kv *kvlist_get(const struct kvlist *l, const char *key);

/* ---- dumps (ir/dump_config.c) ------------------------------------------ */
enum dump_format { DUMP_YAML, DUMP_JSON };
/* The resolved model as `docker compose config` prints it. */
void dump_config(const struct project *p, enum dump_format fmt, struct strbuf *out);
/* dump_config, with what is in out written to stream and out emptied
 * after each service once it holds more than a chunk: a big project's
 * model is never held whole.  stream NULL: dump_config. */
void dump_config_stream(const struct project *p, enum dump_format fmt, struct strbuf *out, FILE *stream);

/* Format a duration (usec) as Go's time.Duration.String() does: 1m30s. */
void ir_format_duration(int64_t usec, struct strbuf *out);

#endif
