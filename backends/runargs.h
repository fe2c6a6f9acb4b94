/*
 * runargs.h - the engine command lines of a service, shared by the
 * targets that drive the docker/podman CLI (systemd, sh, plan): compose
 * attributes to `run`/`create` flags (reference/compose_semantics.md §5),
 * and the argv of pre_start steps, hooks, builds, networks and volumes.
 *
 * Argument vectors hold raw strings; escaping is the emitting backend's
 * job (escape.h).
 */
#ifndef COMPOSEC_RUNARGS_H
#define COMPOSEC_RUNARGS_H

#include "backends/backend.h"

/* The flags of `<engine> run` / `<engine> create` for a service
 * container (everything between the subcommand and the image), then the
 * image and the command, with the plan's labels and network aliases of
 * container `replica`.  Does not include --rm, -d or --name: the caller
 * adds what its lifecycle needs.  Warnings for attributes that have no
 * flag go to d (once per project: pass warn=false on repeated calls).
 * replica 0 is any replica (a systemd template): its number label is
 * RUN_ARGS_INSTANCE_LABEL, whose RUN_ARGS_INSTANCE the caller replaces,
 * and its name, the first alias on each network, is
 * <project>-<service>-RUN_ARGS_INSTANCE in the --network flags. */
#define RUN_ARGS_INSTANCE "\x01"
#define RUN_ARGS_INSTANCE_LABEL "--label=" LABEL_NUMBER "=" RUN_ARGS_INSTANCE
void run_args_service(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
		      int replica, bool warn, struct strvec *flags, struct strvec *image_and_cmd);

/* An engine that takes one network at create (docker before 25.0, whose
 * daemon refuses more: API 1.44) gets the first of a service's networks
 * from run_args_service (by priority, then name, as docker compose orders
 * them) and is connected to the others after the create and before the
 * start, as docker compose does on such a daemon: the `network connect`
 * argv (without the engine) of each further network of container cname
 * (its last word), *n of them (none on engines that take them all).
 * Warnings (what connect cannot set) go to d. */
struct strvec *run_args_connects(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
				 const char *cname, size_t *n);

/* The values of the run option table's rows that have a Quadlet key
 * (its Quadlet column) and plain values, in the table's order: *out gets
 * one per value, the key, the flag it stands for (where the key is newer
 * than the podman asked for), the value as the flag takes it ("true" for
 * a boolean), where the attribute is written.  Returns their number. */
struct run_opt {
	const char *key, *flag, *value;
	struct loc loc;
};
size_t run_args_quadlet(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			struct run_opt **out);

/* The flags of run_args_service for the attributes Quadlet has no key for
 * (the run option table's Quadlet column), for its PodmanArgs=: what
 * podman has of them at the plan's version, and warnings to d for the
 * rest.  The plan's engine is podman. */
void run_args_podman_args(struct arena *a, struct diag *d, const struct plan *pl, const struct service *s,
			  struct strvec *words);

/* --label=com.docker.compose.config-hash=<h as 16 hex digits> */
const char *run_args_hash_label(struct arena *a, uint64_t h);
/* hash_fnv1a_more of text and a terminating NUL, with every occurrence of
 * dir (the project directory; NULL: none) hashed as "." instead: a
 * target's config hash that does not depend on where the project lives
 * (compose's config-hash is informational for units, which run a new
 * container at each start). */
uint64_t run_args_hash_text(uint64_t h, const char *text, const char *dir);

/* Whether an argv word is one of compose's own labels (--label=
 * com.docker.compose.*): a definition hash leaves them out, as docker
 * compose's config hash leaves out its labels, so that where the project
 * lives does not change what a container is. */
bool run_args_compose_label(const char *word);

/* --restart=<policy>[:N] for a detached container, as the plan decided
 * it (restart: "no" is --restart=no, as docker compose sends it); NULL
 * for no policy. */
const char *run_arg_restart(struct arena *a, const struct plan_restart *r);

/* `<engine> run --rm` argv (without the engine) of pre_start step i:
 * the step's image, user, working dir, privileged, environment (merged),
 * command, and the service's networks (its first only on an engine that
 * takes one at create: a step's `run --rm` cannot be connected to more)
 * and volume mounts. */
void run_args_pre_start(struct arena *a, const struct plan *pl, const struct service *s, size_t i, const char *name,
			struct strvec *argv);
/* The flags of that argv alone (between `run --rm [--name N]` and the
 * image): what Quadlet's PodmanArgs= takes for a step it runs as a
 * container of its own. */
void run_args_pre_start_flags(struct arena *a, const struct plan *pl, const struct service *s, size_t i,
			      struct strvec *flags);

/* `<engine> exec` argv (without the engine) of a post_start / pre_stop hook. */
void run_args_exec_hook(struct arena *a, const struct hook *h, const char *container, struct strvec *argv);

/* `<engine> build` argv (without the engine) of a service with build. */
void run_args_build(struct arena *a, const struct plan *pl, const struct service *s, struct strvec *argv);

/* `<engine> network create` / `volume create` argv (without the engine). */
void run_args_network_create(struct arena *a, const struct project *p, const struct resource *r, enum engine e,
			     struct strvec *argv);
/* A network driver option as the engine knows it: docker's
 * com.docker.network.driver.mtu is podman's mtu (podman refuses the
 * former: "unsupported bridge network option"); others as written. */
const char *run_args_network_opt(const char *key, enum engine e);
void run_args_volume_create(struct arena *a, const struct project *p, const struct resource *r, struct strvec *argv);

/* A content hash of a pre_start step's definition (image, command, user,
 * privileged, working_dir, environment), stable across runs. */
uint64_t pre_start_hash(const struct hook *h);
/* What pre_start_hash hashes, appended to sb (for hashing several side
 * by side: hash_fnv1a_many). */
void pre_start_serialize(const struct hook *h, struct strbuf *sb);

#endif
