/*
 * plan.h - the plan layer (DESIGN.md §3, §6a): how a project behaves at run
 * time, decided once for every target.
 *
 * The frontend gives a model of what the compose file says; this layer says
 * what docker compose does with it: which restart policy the engine gets,
 * what the containers are called, which labels they carry so that
 * `docker compose -p P ps|logs|down` sees them, the healthcheck with its
 * defaults, and what a single host cannot run.  Backends read these
 * decisions and format them; they do not work them out again.
 *
 * Every rule here follows docker compose (2.40) as observed on a Docker
 * Engine (tests/cli/test_reference_created.sh compares what each target
 * creates with what docker compose creates).
 */
#ifndef COMPOSEC_PLAN_H
#define COMPOSEC_PLAN_H

#include "ir/ir.h"

enum engine { ENGINE_DOCKER = 0, ENGINE_PODMAN, ENGINE__MAX };
extern const char *const engine_names[ENGINE__MAX]; /* "docker", "podman" */

/* The restart policy the engine gets, as docker compose computes it
 * (create.go getRestartPolicy): `restart`, replaced as a whole by
 * deploy.restart_policy when that is written, whose condition maps
 * none/no, on-failure, unless-stopped, any/always to the engine's
 * policies, passes any other word through, and an absent condition to no
 * policy at all (the spec's text says `any`; docker compose gives none).
 * delay and window are not used by docker compose (the engine backs off on
 * its own: 100 ms doubling to 1 min). */
struct plan_restart {
	enum restart_policy policy; /* RESTART_UNSET: no policy (the engine's "no") */
	const char *other;          /* a condition passed through as written (the engine refuses it) */
	int64_t max_retries;        /* on-failure:N / max_attempts, or IR_UNSET */
	struct loc loc;             /* of what decided it */
};

/* The healthcheck as the engine runs it: what is written, the engine's
 * defaults for the rest (docker's and podman's: interval 30s, timeout
 * 30s, start period 0, start interval 5s, retries 3).  Whether a check
 * runs at all also depends on the image (a service without a written
 * test runs the image's HEALTHCHECK, if it has one). */
struct plan_health {
	bool disabled; /* disable: true or test NONE */
	bool written;  /* a test is written */
	int64_t interval, timeout, start_period, start_interval; /* usec */
	int64_t retries;
};
#define PLAN_HEALTH_INTERVAL (30 * IR_USEC_PER_SEC)
#define PLAN_HEALTH_TIMEOUT (30 * IR_USEC_PER_SEC)
#define PLAN_HEALTH_START_INTERVAL (5 * IR_USEC_PER_SEC)
#define PLAN_HEALTH_RETRIES 3

/* How long the engine may take to call a container unhealthy: start
 * period + retries x (interval + timeout), in usec. */
static inline int64_t plan_health_bound(const struct plan_health *h)
{
	return h->start_period + h->retries * (h->interval + h->timeout);
}

/* Engine features that exist from some engine version on (docker's and
 * podman's run options and their values): the one table of them.  A
 * target that runs on an engine asks plan_has before it writes one, and
 * below the version reports what it leaves out (plan_feature_missing) or,
 * where leaving it out would change what the container sees, refuses
 * (plan_build). */
enum plan_feature {
	FEAT_DOMAINNAME,             /* --domainname */
	FEAT_LINK,                   /* --link (links, external_links) */
	FEAT_VOLUME_DRIVER,          /* --volume-driver */
	FEAT_ISOLATION,              /* --isolation */
	FEAT_RUNTIME,                /* --runtime (a run option) */
	FEAT_CPU_COUNT,              /* --cpu-count */
	FEAT_CPU_PERCENT,            /* --cpu-percent */
	FEAT_HEALTH_START_INTERVAL,  /* --health-start-interval */
	FEAT_HOST_GATEWAY,           /* --add-host=NAME:host-gateway */
	FEAT_VOLUME_SUBPATH,         /* --mount type=volume,(volume-)subpath= */
	FEAT_NETWORKS_AT_CREATE,     /* more than one --network at create (API 1.44) */
	FEAT_ENDPOINT_MAC,           /* a MAC address per network (--network ...,mac-address=) */
	FEAT_GW_PRIORITY,            /* --network ...,gw-priority= */
	FEAT_ANNOTATIONS,            /* --annotation (API 1.43) */
	FEAT_BIND_RECURSIVE,         /* --mount type=bind,bind-recursive= */
	FEAT_IMAGE_MOUNT,            /* --mount type=image */
	FEAT__MAX
};
struct plan_feature_info {
	const char *what;               /* the compose attribute, for messages */
	int since[ENGINE__MAX];         /* major*100+minor; 0: no version has it */
};
extern const struct plan_feature_info plan_features[FEAT__MAX];
/* The engine versions a target is for when none is given: docker 26.0
 * (Debian 13's docker.io), podman 5.0. */
#define PLAN_DOCKER_VERSION_DEFAULT 2600
#define PLAN_PODMAN_VERSION_DEFAULT 500

/* What a depends_on edge does at run time (DESIGN.md §6a), as docker
 * compose does it (convergence.go, waitDependencies):
 *  - the dependent starts once each dependency is running
 *    (service_started), healthy (service_healthy) or has exited 0
 *    (service_completed_successfully);
 *  - a required dependency that does not get there (it fails to start,
 *    exits non-zero, becomes unhealthy, or `bound` passes) fails the
 *    dependent's start, and only it: the dependency keeps running;
 *  - one that is not required is waited for the same way, and a
 *    condition it does not reach is a warning: the dependent starts
 *    anyway; but its start must have succeeded: docker compose's up stops
 *    at a start that fails, required or not (scenarios optfails,
 *    optunhealthy);
 *  - the engine restarting a dependency by its restart policy leaves the
 *    dependent alone; with restart: true an explicit restart of the
 *    dependency (compose restart, a recreation) restarts the dependent. */
struct plan_edge {
	const struct dependency *dep; /* as written (its location) */
	const struct service *target; /* the dependency, enabled */
	enum dep_condition wait;
	bool required;
	bool restart;
	/* usec a started or healthy wait may take: the dependency's own
	 * health bound (plan_health_bound) plus PLAN_WAIT_ALLOWANCE; 0 for a
	 * completion, which takes what the dependency takes */
	int64_t bound;
};
#define PLAN_WAIT_ALLOWANCE (120 * IR_USEC_PER_SEC) /* beyond the dependency's own timing: a pull, a create */
/* How dependents wait for a service (plan_service.waited). */
enum { PLAN_WAITED_HEALTHY = 1u, PLAN_WAITED_COMPLETED = 2u };

struct plan_service {
	const struct service *s;
	struct plan_restart restart;
	/* compose's labels of the service's containers, sorted by key, without
	 * the replica's number (plan_container_labels adds it) */
	struct kvlist labels;
	struct plan_health health;
	/* Bind sources docker compose creates when they are missing (short
	 * syntax, or create_host_path: true), absolute, sorted, unique: every
	 * target creates them as directories before the container, since
	 * podman refuses a missing source (statfs: no such file or
	 * directory) and docker's --mount does too. */
	struct strlist bind_dirs;
	/* its depends_on edges to enabled services, in the model's order */
	struct plan_edge *edges;
	size_t n_edges;
	unsigned waited; /* PLAN_WAITED_*: what dependents wait for of it */
};
#define PLAN_MKDIR "/bin/mkdir" /* what units run to create a bind source */

struct plan_options {
	enum engine engine;
	int engine_version; /* of that engine, major*100+minor */
	/* images as fully qualified references (plan_image): a target whose
	 * podman cannot ask which registry a short name means (Quadlet) */
	bool qualified_images;
	/* The target runs on one engine: report what one host cannot run (a
	 * fixed published port shared by replicas, a restart policy the engine
	 * refuses) as errors. */
	bool one_host;
	/* The target copies content and environment configs and secrets into
	 * each created container (plan_files); the others report them. */
	bool copy_files;
};

struct plan {
	const struct project *project;
	struct plan_options opts;
	struct plan_service *svc; /* indexed by service->order */
};

/* Decide for every enabled service of p.  Errors (what the target cannot
 * run) go to d at their locations.  Returns 0, or -1 after errors. */
int plan_build(struct arena *a, struct diag *d, const struct project *p, const struct plan_options *o,
	       struct plan *out);

static inline const struct plan_service *plan_service(const struct plan *pl, const struct service *s)
{
	return &pl->svc[s->order];
}

/* Whether the plan's engine at its version has f. */
bool plan_has(const struct plan *pl, enum plan_feature f);
/* A warning at loc that service s loses what (f's attribute when NULL)
 * on the plan's engine and version: "needs podman 4.7 (this output is for
 * 4.3), ignoring", or "podman has no ..." when no version has it. */
void plan_feature_missing(struct diag *d, const struct plan *pl, enum plan_feature f, const struct service *s,
			  struct loc loc, const char *what);

/* The engine's restart word of r: "no", "always", "on-failure",
 * "unless-stopped" or the passed-through condition; NULL for no policy. */
const char *plan_restart_word(const struct plan_restart *r);

/* Names as docker compose derives them: a container <project>-<service>-<n>
 * (n from 1) unless container_name; an image <project>-<service> for a
 * service that only builds. */
const char *plan_container_name(struct arena *a, const struct project *p, const struct service *s, int replica);
const char *plan_image_name(struct arena *a, const struct project *p, const struct service *s);
/* An image reference fully qualified as docker resolves a short one:
 * docker.io/library/NAME for a name of one component, docker.io/PATH for
 * a path whose first component is no registry (one with '.' or ':', or
 * localhost, is kept); the tag or digest as written.  What a target gives
 * podman where no one can answer its short-name prompt (a unit). */
const char *plan_image_qualified(struct arena *a, const char *name);
/* The image of s for such a target: plan_image_name qualified, and the
 * image a service only builds (no image:) as localhost/<project>-<service>,
 * where podman keeps what it builds. */
const char *plan_image_podman(struct arena *a, const struct project *p, const struct service *s);
/* The image the engine gets for s, and for its pre_start step h:
 * qualified when the plan says so (plan_options.qualified_images). */
const char *plan_image(struct arena *a, const struct plan *pl, const struct service *s);
const char *plan_step_image(struct arena *a, const struct plan *pl, const struct service *s, const struct hook *h);

/* A reference to another container's namespaces or volumes, typed:
 * network_mode, ipc, pid (`service:X`, `container:C`, or a mode such as
 * host), volumes_from (`service:X[:mode]`, `X[:mode]`, `container:C[:mode]`)
 * and links (`X[:alias]`).  A service is named by its first container, as
 * docker compose resolves it. */
enum plan_ref_kind { REF_MODE = 0, REF_SERVICE, REF_CONTAINER };
struct plan_ref {
	enum plan_ref_kind kind;
	const char *mode;      /* REF_MODE: the word as written (host, none, private, ...) */
	const char *container; /* REF_SERVICE, REF_CONTAINER: the container's name */
	const char *rest;      /* volumes_from ":ro"/":rw", links ":alias"; "" when absent */
};
enum plan_ref_syntax {
	REF_NAMESPACE,    /* service:X, container:C, or a mode */
	REF_VOLUMES_FROM, /* service:X[:m], container:C[:m], X[:m] */
	REF_LINK,         /* X[:alias] */
};
struct plan_ref plan_ref(struct arena *a, const struct project *p, const char *v, enum plan_ref_syntax syntax);
/* As the engines' --network/--ipc/--pid take it: container:<name>, or the
 * mode. */
const char *plan_ref_namespace(struct arena *a, const struct plan_ref *r);

/* The labels of container `replica` of s: the service's compose labels
 * and its number, sorted by key. */
struct kvlist plan_container_labels(struct arena *a, const struct plan *pl, const struct service *s, int replica);
/* compose's config-hash label: docker compose looks only at containers
 * that have one (getDefaultFilters), and recreates a container whose hash
 * is not its own hash of the service.  Its hash is sha256 of Go's JSON of
 * compose-go's ServiceConfig, which composec does not reproduce: each
 * target writes its own hash of the container's definition (16 hex digits)
 * there, so docker compose manages the container and an `up` of docker
 * compose recreates it. */

/* The labels docker compose puts on a network or a volume it creates. */
struct kvlist plan_resource_labels(struct arena *a, const struct project *p, const struct resource *r);

/* Whether an output of p may hold a value the project keeps from other
 * users: an environment value of a service or of a pre_start step (from
 * the file, .env, --env-file or env_file), a build argument, or a secret
 * (Kubernetes writes a file secret's contents into a Secret), or a config
 * taken from the environment that a target copies in.  Every file
 * composec writes for such a project is then readable by its owner only. */
bool plan_holds_values(const struct project *p);

/* A config or secret written inline (content:) or taken from the
 * environment (environment:), which docker compose copies into the created
 * container before it starts it: a file at path (absolute) with mode and
 * owner uid:gid (NULL: root), holding content. */
struct plan_file {
	const char *what; /* "config" or "secret" */
	const char *name; /* the config's or secret's key */
	const char *path;
	int64_t mode; /* 0444 unless given */
	const char *uid, *gid;
	const char *content;
	/* The option of `<engine> cp` that gives docker compose's ownership, or
	 * NULL: docker compose asks the engine to keep the archive's owner, or
	 * when uid or gid is given (CopyUIDGID) to give the file to the
	 * container's user if it has one; docker's cp keeps it unless -a, and
	 * podman's gives it to the container's user unless --archive=false
	 * (measured on docker 20.10 with docker compose 2.40, and podman 4.3). */
	const char *cp_option;
	/* The file ends up owned by the container's user (uid or gid given,
	 * and the service has a user), not by uid:gid: what both engines' cp
	 * does under docker compose's options (measured as above). */
	bool to_user;
	struct loc loc;
};
/* The files of s, its secrets first, as docker compose copies them (a
 * secret's relative target is below /run/secrets).  A read-only service
 * cannot have them: an error, as in docker compose.  n in *n; NULL when
 * none. */
struct plan_file *plan_files(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			     size_t *n);
/* Whether r, a config or secret, is one docker compose copies in (inline or
 * from the environment) rather than binds (a file). */
bool plan_file_copied(const struct resource *r);

/* compose's label keys */
#define LABEL_PROJECT "com.docker.compose.project"
#define LABEL_SERVICE "com.docker.compose.service"
#define LABEL_NUMBER "com.docker.compose.container-number"
#define LABEL_ONEOFF "com.docker.compose.oneoff"
#define LABEL_DEPENDS_ON "com.docker.compose.depends_on"
#define LABEL_WORKING_DIR "com.docker.compose.project.working_dir"
#define LABEL_CONFIG_HASH "com.docker.compose.config-hash"
#define LABEL_CONFIG_FILES "com.docker.compose.project.config_files"
#define LABEL_NETWORK "com.docker.compose.network"
#define LABEL_VOLUME "com.docker.compose.volume"

#endif
