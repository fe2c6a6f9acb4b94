/*
 * dump_config.c - the resolved model as `docker compose config` prints
 * it, in YAML or JSON.
 *
 * Two steps.  First the typed model is turned into a generic value tree
 * (struct ir_value) in a scratch arena: unset fields are left out, enums
 * become their names, durations Go duration strings, byte sizes decimal
 * strings, and the untyped `extra` / `extensions` members are merged in.
 * Every mapping below the top level is then sorted by key (our chosen
 * order, simpler than Go's struct order); the top level keeps name,
 * services, networks, volumes, secrets, configs, then the x-* keys.
 * Second, the tree is printed through the emitter with every `$` doubled,
 * as docker compose does, so that loading the output gives the same model.
 * Plain fields are described by tables (key, offset, kind); only the
 * parts with structure have their own function.
 */
#include "base/emit.h"
#include "ir/ir.h"

#include <stddef.h>
#include <string.h>

struct dump {
	struct arena *a;
	enum dump_format fmt;
};

/* ---- value constructors: each returns NULL for "leave the key out" -------- */

static struct ir_value *val_new(struct dump *d, enum value_kind kind)
{
	struct ir_value *v = arena_alloc(d->a, sizeof(*v));
	v->kind = kind;
	return v;
}

static struct ir_value *val_str(struct dump *d, const char *s)
{
	if (!s)
		return NULL;
	struct ir_value *v = val_new(d, VAL_STR);
	v->s = s;
	return v;
}

/* A scalar field of a compose-go struct: its tags say omitempty, so an
 * empty string is left out like an unset one (`platform: ${X:-}`).
 * Map values and list items keep "" and go through val_str. */
static struct ir_value *val_field(struct dump *d, const char *s)
{
	return s && *s ? val_str(d, s) : NULL;
}

static struct ir_value *val_int(struct dump *d, int64_t i)
{
	if (i == IR_UNSET)
		return NULL;
	struct ir_value *v = val_new(d, VAL_INT);
	v->i = i;
	return v;
}

static struct ir_value *val_bool(struct dump *d, bool b)
{
	struct ir_value *v = val_new(d, VAL_BOOL);
	v->b = b;
	return v;
}

static struct ir_value *val_true(struct dump *d, bool b)
{
	return b ? val_bool(d, true) : NULL;
}

static struct ir_value *val_tri(struct dump *d, enum tri t)
{
	return t == TRI_UNSET ? NULL : val_bool(d, t == TRI_TRUE);
}

static struct ir_value *val_float(struct dump *d, double f)
{
	if (isnan(f))
		return NULL;
	struct ir_value *v = val_new(d, VAL_FLOAT);
	v->f = f;
	return v;
}

static struct ir_value *val_duration(struct dump *d, int64_t usec)
{
	if (usec == IR_UNSET)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	ir_format_duration(usec, &sb);
	struct ir_value *v = val_str(d, sb_to_arena(&sb, d->a));
	sb_release(&sb);
	return v;
}

static struct ir_value *val_bytes(struct dump *d, int64_t n)
{
	if (n == IR_UNSET)
		return NULL;
	return val_str(d, arena_printf(d->a, "%lld", (long long)n));
}

/* A file mode as docker compose writes it: "0440". */
static struct ir_value *val_mode(struct dump *d, int64_t mode)
{
	if (mode == IR_UNSET)
		return NULL;
	return val_str(d, mode ? arena_printf(d->a, "0%llo", (unsigned long long)mode) : "0");
}

static struct ir_value *val_name(struct dump *d, const char *const *table, int n, int i)
{
	return i >= 0 && i < n ? val_str(d, table[i]) : NULL;
}

/* Arrays grow to 4, 8, 16, ...: a new block is due when n is 0 or a power
 * of two from 4 on, so no capacity needs to be stored. */
static bool needs_room(size_t n)
{
	return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

static void list_add(struct dump *d, struct ir_value *list, struct ir_value *item)
{
	size_t n = list->list.n;
	if (needs_room(n))
		list->list.items = arena_grow(d->a, list->list.items, n * sizeof(item),
					      (n ? 2 * n : 4) * sizeof(item));
	list->list.items[list->list.n++] = item;
}

static void put(struct dump *d, struct ir_value *map, const char *key, struct ir_value *v)
{
	size_t n = map->map.n;
	if (!v)
		return;
	if (needs_room(n))
		map->map.members = arena_grow(d->a, map->map.members, n * sizeof(struct ir_member),
					      (n ? 2 * n : 4) * sizeof(struct ir_member));
	map->map.members[n].key = key;
	map->map.members[n].value = v;
	map->map.n++;
}

/* Merge the members of a generic map (extra, extensions) into map. */
static void put_members(struct dump *d, struct ir_value *map, const struct ir_value *src)
{
	if (!src || src->kind != VAL_MAP)
		return;
	for (size_t i = 0; i < src->map.n; i++) {
		struct ir_value *v = src->map.members[i].value;
		put(d, map, src->map.members[i].key, v ? v : val_new(d, VAL_NULL));
	}
}

static struct ir_value *sorted(struct dump *d, struct ir_value *map);

/* Of two members with one key the first put wins, so a typed field beats
 * an extra; when both are maps (a typed deploy.resources and a generic
 * one with reservations.devices) they are merged instead. */
static struct ir_value *merged(struct dump *d, struct ir_value *first, struct ir_value *second)
{
	if (!first || !second || first->kind != VAL_MAP || second->kind != VAL_MAP)
		return first;
	struct ir_value *m = val_new(d, VAL_MAP);
	put_members(d, m, first);
	put_members(d, m, second);
	return sorted(d, m);
}

/* Stable by key; through tmp above 16 members: the services of a big
 * project would make insertion sort quadratic. */
DEFINE_SORT_BY_KEY(member_sort, struct ir_member)

/* Stable sort by key, then equal keys folded by merged(). */
static struct ir_value *sorted(struct dump *d, struct ir_value *map)
{
	struct ir_member *m = map->map.members;
	size_t n = map->map.n, out = 0;
	member_sort(m, n > 16 ? arena_alloc(d->a, (n / 2) * sizeof(*m)) : NULL, n);
	for (size_t i = 0; i < n; i++) {
		if (out && strcmp(m[out - 1].key, m[i].key) == 0)
			m[out - 1].value = merged(d, m[out - 1].value, m[i].value);
		else
			m[out++] = m[i];
	}
	map->map.n = out;
	return map;
}

static struct ir_value *nonempty(struct ir_value *map)
{
	return map->map.n ? map : NULL;
}

static struct ir_value *val_strs(struct dump *d, const struct strlist *l)
{
	struct ir_value *v = val_new(d, VAL_LIST);
	for (size_t i = 0; i < l->n; i++)
		list_add(d, v, val_str(d, l->v[i]));
	return v;
}

static struct ir_value *val_strlist(struct dump *d, const struct strlist *l)
{
	return l->n ? val_strs(d, l) : NULL;
}

/* A kv list as a mapping; a key without value is null. */
static struct ir_value *val_kvs(struct dump *d, const struct kvlist *l)
{
	struct ir_value *v = val_new(d, VAL_MAP);
	for (size_t i = 0; i < l->n; i++)
		put(d, v, l->v[i].key, l->v[i].value ? val_str(d, l->v[i].value) : val_new(d, VAL_NULL));
	return sorted(d, v);
}

static struct ir_value *val_kvmap(struct dump *d, const struct kvlist *l)
{
	return l->n ? val_kvs(d, l) : NULL;
}

/* ---- table-driven plain fields ------------------------------------------- */

enum field_kind { F_STR, F_INT, F_BYTES, F_DURATION, F_TRI, F_FLOAT, F_STRLIST, F_KVMAP, F_VALUE };
struct field {
	const char *key;
	size_t off;
	enum field_kind kind;
};
#define FIELD(type, member, kind) { #member, offsetof(type, member), kind }

static struct ir_value *field_value(struct dump *d, const void *base, const struct field *f)
{
	const void *p = (const char *)base + f->off;
	switch (f->kind) {
	case F_STR: return val_field(d, *(const char *const *)p);
	case F_INT: return val_int(d, *(const int64_t *)p);
	case F_BYTES: return val_bytes(d, *(const int64_t *)p);
	case F_DURATION: return val_duration(d, *(const int64_t *)p);
	case F_TRI: return val_tri(d, *(const enum tri *)p);
	case F_FLOAT: return val_float(d, *(const double *)p);
	case F_STRLIST: return val_strlist(d, p);
	case F_KVMAP: return val_kvmap(d, p);
	case F_VALUE: return *(struct ir_value *const *)p;
	}
	return NULL;
}

static void put_fields(struct dump *d, struct ir_value *map, const void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(d, map, f[i].key, field_value(d, base, &f[i]));
}

/* A service's plain attributes print by their type in the field table
 * (ir/fields.c); the others have their own printers below.  -1: not plain. */
static int service_field_kind(enum ir_ftype t)
{
	switch (t) {
	case IR_FT_STR: return F_STR;
	case IR_FT_INT:
	case IR_FT_USEC: return F_INT;
	case IR_FT_BYTES: return F_BYTES;
	case IR_FT_DURATION: return F_DURATION;
	case IR_FT_BOOL: return F_TRI;
	case IR_FT_FLOAT: return F_FLOAT;
	case IR_FT_LIST:
	case IR_FT_LIST_NUM:
	case IR_FT_STR_OR_LIST: return F_STRLIST;
	case IR_FT_MAP:
	case IR_FT_OPTS:
	case IR_FT_ENV: return F_KVMAP;
	case IR_FT_COMMAND:
	case IR_FT_TYPED:
	case IR_FT_EXTRA:
	case IR_FT_LOADER: break;
	}
	return -1;
}

static void put_service_fields(struct dump *d, struct ir_value *map, const struct service *s)
{
	for (size_t i = 0; i < ir_n_service_fields; i++) {
		const struct ir_field *f = &ir_service_fields[i];
		int kind = service_field_kind(f->type);
		if (kind < 0)
			continue;
		struct field one = { f->name, f->off, (enum field_kind)kind };
		put(d, map, f->name, field_value(d, s, &one));
	}
}

#define B(m, k) FIELD(struct build, m, k)
static const struct field build_fields[] = {
	B(context, F_STR), B(dockerfile, F_STR), B(dockerfile_inline, F_STR), B(args, F_KVMAP),
	B(target, F_STR), B(labels, F_KVMAP), B(network, F_STR), B(tags, F_STRLIST),
	B(cache_from, F_STRLIST), B(cache_to, F_STRLIST), B(platforms, F_STRLIST),
	B(no_cache, F_TRI), B(pull, F_TRI), B(privileged, F_TRI), B(shm_size, F_BYTES),
};
#undef B

#define N(m, k) FIELD(struct service_network, m, k)
static const struct field network_fields[] = {
	N(aliases, F_STRLIST), N(ipv4_address, F_STR), N(ipv6_address, F_STR), N(mac_address, F_STR),
	N(interface_name, F_STR), N(link_local_ips, F_STRLIST), N(driver_opts, F_KVMAP),
	N(priority, F_INT), N(gw_priority, F_INT),
};
#undef N

#define H(m, k) FIELD(struct healthcheck, m, k)
static const struct field healthcheck_fields[] = {
	H(interval, F_DURATION), H(timeout, F_DURATION), H(start_period, F_DURATION),
	H(start_interval, F_DURATION), H(retries, F_INT),
};
#undef H

#define R(m, k) FIELD(struct resource, m, k)
static const struct field resource_fields[] = {
	R(name, F_STR), R(driver, F_STR), R(driver_opts, F_KVMAP), R(labels, F_KVMAP),
	R(internal, F_TRI), R(attachable, F_TRI), R(enable_ipv4, F_TRI), R(enable_ipv6, F_TRI),
	R(ipam, F_VALUE), R(file, F_STR), R(environment, F_STR), R(template_driver, F_STR),
};
#undef R

#define F(m, k) FIELD(struct file_ref, m, k)
static const struct field file_ref_fields[] = {
	F(source, F_STR), F(target, F_STR), F(uid, F_STR), F(gid, F_STR),
};
#undef F

#define D(m, k) FIELD(struct device, m, k)
static const struct field device_fields[] = {
	D(source, F_STR), D(target, F_STR), D(permissions, F_STR),
};
#undef D

/* ---- service parts with structure ---------------------------------------- */

/* CMD_UNSET is left out of YAML and written null in JSON, as compose does;
 * an explicit empty override is []. */
static struct ir_value *val_command(struct dump *d, const struct command *c)
{
	if (c->kind == CMD_UNSET)
		return d->fmt == DUMP_JSON ? val_new(d, VAL_NULL) : NULL;
	return val_strs(d, &c->argv);
}

static struct ir_value *val_build(struct dump *d, const struct build *b)
{
	if (!b->present)
		return NULL;
	struct ir_value *m = val_new(d, VAL_MAP);
	put_fields(d, m, b, build_fields, ARRAY_SIZE(build_fields));
	put_members(d, m, b->extra);
	return sorted(d, m);
}

static struct ir_value *val_port(struct dump *d, const struct port *pt)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "app_protocol", val_field(d, pt->app_protocol));
	put(d, m, "host_ip", val_field(d, pt->host_ip));
	put(d, m, "mode", val_name(d, port_mode_names, PORT_MODE__MAX, pt->mode));
	put(d, m, "name", val_field(d, pt->name));
	put(d, m, "protocol", val_name(d, port_proto_names, PROTO__MAX, pt->protocol));
	put(d, m, "published", val_field(d, pt->published));
	put(d, m, "target", val_int(d, pt->target));
	return m;
}

/* The bind / volume / tmpfs / image sub-mappings: written when the source
 * had them or when one of their fields is set. */
static struct ir_value *sub_mapping(struct dump *d, struct ir_value *m, bool present)
{
	return present || m->map.n ? sorted(d, m) : NULL;
}

static struct ir_value *val_mount_bind(struct dump *d, const struct mount *mt)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "propagation", val_name(d, propagation_names, PROP__MAX, mt->bind.propagation));
	/* written whenever set: docker compose 2.40 prints the true of a short
	 * bind (host:container) too */
	if (mt->bind.create_host_path != TRI_UNSET)
		put(d, m, "create_host_path", val_bool(d, mt->bind.create_host_path == TRI_TRUE));
	put(d, m, "selinux", val_field(d, mt->bind.selinux));
	put(d, m, "recursive", val_field(d, mt->bind.recursive));
	return sub_mapping(d, m, mt->has_bind);
}

static struct ir_value *val_mount_volume(struct dump *d, const struct mount *mt)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "nocopy", val_true(d, mt->volume.nocopy));
	put(d, m, "subpath", val_field(d, mt->volume.subpath));
	put(d, m, "labels", val_kvmap(d, &mt->volume.labels));
	return sub_mapping(d, m, mt->has_volume);
}

static struct ir_value *val_mount(struct dump *d, const struct mount *mt)
{
	struct ir_value *m = val_new(d, VAL_MAP), *tmpfs = val_new(d, VAL_MAP);
	struct ir_value *image = val_new(d, VAL_MAP);
	put(d, m, "type", val_name(d, mount_type_names, MOUNT__MAX, mt->type));
	put(d, m, "source", val_field(d, mt->source));
	put(d, m, "target", val_field(d, mt->target));
	put(d, m, "read_only", val_true(d, mt->read_only));
	put(d, m, "consistency", val_field(d, mt->consistency));
	put(d, m, "bind", val_mount_bind(d, mt));
	put(d, m, "volume", val_mount_volume(d, mt));
	put(d, tmpfs, "size", val_bytes(d, mt->tmpfs.size));
	put(d, tmpfs, "mode", val_int(d, mt->tmpfs.mode));
	put(d, m, "tmpfs", sub_mapping(d, tmpfs, mt->has_tmpfs));
	put(d, image, "subpath", val_field(d, mt->image.subpath));
	put(d, m, "image", sub_mapping(d, image, mt->has_image));
	return sorted(d, m);
}

static struct ir_value *val_depends_on(struct dump *d, const struct service *s)
{
	if (!s->n_depends_on)
		return NULL;
	struct ir_value *map = val_new(d, VAL_MAP);
	for (size_t i = 0; i < s->n_depends_on; i++) {
		const struct dependency *dep = &s->depends_on[i];
		struct ir_value *m = val_new(d, VAL_MAP);
		put(d, m, "condition", val_name(d, dep_condition_names, DEP__MAX, dep->condition));
		put(d, m, "required", val_bool(d, dep->required));
		put(d, m, "restart", val_true(d, dep->restart));
		put(d, map, dep->service, m);
	}
	return sorted(d, map);
}

static struct ir_value *val_networks(struct dump *d, const struct service *s)
{
	if (!s->n_networks)
		return NULL;
	struct ir_value *map = val_new(d, VAL_MAP);
	for (size_t i = 0; i < s->n_networks; i++) {
		const struct service_network *sn = &s->networks[i];
		struct ir_value *m = val_new(d, sn->has_config ? VAL_MAP : VAL_NULL);
		if (sn->has_config) {
			put_fields(d, m, sn, network_fields, ARRAY_SIZE(network_fields));
			sorted(d, m);
		}
		put(d, map, sn->name, m);
	}
	return sorted(d, map);
}

static struct ir_value *val_healthcheck(struct dump *d, const struct healthcheck *h)
{
	static const char *const words[] = { NULL, "CMD", "CMD-SHELL", "NONE" };
	if (!h->present)
		return NULL;
	struct ir_value *m = val_new(d, VAL_MAP);
	if (h->test_kind > HC_TEST_UNSET && h->test_kind <= HC_TEST_NONE) {
		struct ir_value *test = val_new(d, VAL_LIST);
		list_add(d, test, val_str(d, words[h->test_kind]));
		for (size_t i = 0; i < h->test_args.n; i++)
			list_add(d, test, val_str(d, h->test_args.v[i]));
		put(d, m, "test", test);
	}
	put_fields(d, m, h, healthcheck_fields, ARRAY_SIZE(healthcheck_fields));
	put(d, m, "disable", val_true(d, h->disable));
	return sorted(d, m);
}

static struct ir_value *val_hook(struct dump *d, const struct hook *k)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "command", val_command(d, &k->command));
	put(d, m, "image", val_field(d, k->image)); /* inherited ones too, as compose normalizes */
	put(d, m, "user", val_field(d, k->user));
	put(d, m, "privileged", val_tri(d, k->privileged));
	put(d, m, "working_dir", val_field(d, k->working_dir));
	put(d, m, "environment", val_kvmap(d, &k->own_environment));
	put(d, m, "per_replica", val_tri(d, k->per_replica));
	put_members(d, m, k->extensions);
	return sorted(d, m);
}

static struct ir_value *val_hooks(struct dump *d, const struct hook *k, size_t n)
{
	if (!n)
		return NULL;
	struct ir_value *l = val_new(d, VAL_LIST);
	for (size_t i = 0; i < n; i++)
		list_add(d, l, val_hook(d, &k[i]));
	return l;
}

static struct ir_value *val_file_refs(struct dump *d, const struct file_ref *r, size_t n)
{
	if (!n)
		return NULL;
	struct ir_value *l = val_new(d, VAL_LIST);
	for (size_t i = 0; i < n; i++) {
		struct ir_value *m = val_new(d, VAL_MAP);
		put_fields(d, m, &r[i], file_ref_fields, ARRAY_SIZE(file_ref_fields));
		put(d, m, "mode", val_mode(d, r[i].mode));
		list_add(d, l, sorted(d, m));
	}
	return l;
}

static struct ir_value *val_devices(struct dump *d, const struct service *s)
{
	if (!s->n_devices)
		return NULL;
	struct ir_value *l = val_new(d, VAL_LIST);
	for (size_t i = 0; i < s->n_devices; i++) {
		struct ir_value *m = val_new(d, VAL_MAP);
		put_fields(d, m, &s->devices[i], device_fields, ARRAY_SIZE(device_fields));
		list_add(d, l, sorted(d, m));
	}
	return l;
}

static struct ir_value *val_restart(struct dump *d, const struct service *s)
{
	if (s->restart == RESTART_ON_FAILURE && s->restart_max_retries != IR_UNSET)
		return val_str(d, arena_printf(d->a, "on-failure:%lld", (long long)s->restart_max_retries));
	return val_name(d, restart_policy_names, RESTART__MAX, s->restart);
}

/* A single value is written as one number, else {soft, hard}. */
static struct ir_value *val_ulimits(struct dump *d, const struct service *s)
{
	if (!s->n_ulimits)
		return NULL;
	struct ir_value *map = val_new(d, VAL_MAP);
	for (size_t i = 0; i < s->n_ulimits; i++) {
		const struct ulimit *u = &s->ulimits[i];
		struct ir_value *m = val_new(d, VAL_MAP);
		put(d, m, "hard", val_int(d, u->hard));
		put(d, m, "soft", val_int(d, u->soft));
		put(d, map, u->name, u->single ? val_int(d, u->soft) : m);
	}
	return sorted(d, map);
}

static struct ir_value *val_extra_hosts(struct dump *d, const struct kvlist *l)
{
	if (!l->n)
		return NULL;
	struct ir_value *v = val_new(d, VAL_LIST);
	for (size_t i = 0; i < l->n; i++) {
		const struct kv *kv = &l->v[i];
		list_add(d, v, val_str(d, kv->value ? arena_printf(d->a, "%s=%s", kv->key, kv->value) : kv->key));
	}
	return v;
}

static struct ir_value *val_logging(struct dump *d, const struct logging *lg)
{
	if (!lg->present)
		return NULL;
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "driver", val_field(d, lg->driver));
	put(d, m, "options", val_kvmap(d, &lg->options));
	return sorted(d, m);
}

static struct ir_value *val_resource_spec(struct dump *d, const struct resource_spec *r)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put(d, m, "cpus", val_float(d, r->cpus));
	put(d, m, "memory", val_bytes(d, r->memory));
	put(d, m, "pids", val_int(d, r->pids));
	return nonempty(sorted(d, m));
}

static struct ir_value *val_deploy(struct dump *d, const struct deploy *dp)
{
	if (!dp->present)
		return NULL;
	struct ir_value *m = val_new(d, VAL_MAP), *res = val_new(d, VAL_MAP);
	if (dp->has_mode)
		put(d, m, "mode", val_name(d, deploy_mode_names, DEPLOY__MAX, dp->mode));
	put(d, m, "replicas", val_int(d, dp->replicas));
	put(d, res, "limits", val_resource_spec(d, &dp->limits));
	put(d, res, "reservations", val_resource_spec(d, &dp->reservations));
	put(d, m, "resources", nonempty(sorted(d, res)));
	if (dp->restart_policy.present) {
		struct ir_value *rp = val_new(d, VAL_MAP);
		put(d, rp, "condition",
		    dp->restart_policy.condition == RCOND_OTHER
			    ? val_field(d, dp->restart_policy.condition_other)
			    : val_name(d, restart_condition_names, RCOND__MAX, dp->restart_policy.condition));
		put(d, rp, "delay", val_duration(d, dp->restart_policy.delay));
		put(d, rp, "max_attempts", val_int(d, dp->restart_policy.max_attempts));
		put(d, rp, "window", val_duration(d, dp->restart_policy.window));
		put(d, m, "restart_policy", sorted(d, rp));
	}
	put(d, m, "labels", val_kvmap(d, &dp->labels));
	put_members(d, m, dp->extra);
	return sorted(d, m);
}

static struct ir_value *val_ports(struct dump *d, const struct service *s)
{
	if (!s->n_ports)
		return NULL;
	struct ir_value *l = val_new(d, VAL_LIST);
	for (size_t i = 0; i < s->n_ports; i++)
		list_add(d, l, val_port(d, &s->ports[i]));
	return l;
}

static struct ir_value *val_volumes(struct dump *d, const struct service *s)
{
	if (!s->n_volumes)
		return NULL;
	struct ir_value *l = val_new(d, VAL_LIST);
	for (size_t i = 0; i < s->n_volumes; i++)
		list_add(d, l, val_mount(d, &s->volumes[i]));
	return l;
}

static struct ir_value *val_service(struct dump *d, const struct service *s)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put_service_fields(d, m, s);
	put(d, m, "build", val_build(d, &s->build));
	put(d, m, "command", val_command(d, &s->command));
	put(d, m, "entrypoint", val_command(d, &s->entrypoint));
	put(d, m, "ports", val_ports(d, s));
	put(d, m, "volumes", val_volumes(d, s));
	put(d, m, "networks", val_networks(d, s));
	put(d, m, "depends_on", val_depends_on(d, s));
	put(d, m, "healthcheck", val_healthcheck(d, &s->healthcheck));
	put(d, m, "pre_start", val_hooks(d, s->pre_start, s->n_pre_start));
	put(d, m, "post_start", val_hooks(d, s->post_start, s->n_post_start));
	put(d, m, "pre_stop", val_hooks(d, s->pre_stop, s->n_pre_stop));
	put(d, m, "restart", val_restart(d, s));
	put(d, m, "devices", val_devices(d, s));
	put(d, m, "ulimits", val_ulimits(d, s));
	put(d, m, "extra_hosts", val_extra_hosts(d, &s->extra_hosts));
	put(d, m, "logging", val_logging(d, &s->logging));
	put(d, m, "secrets", val_file_refs(d, s->secrets, s->n_secrets));
	put(d, m, "configs", val_file_refs(d, s->configs, s->n_configs));
	put(d, m, "deploy", val_deploy(d, &s->deploy));
	put_members(d, m, s->extra);
	put_members(d, m, s->extensions);
	return sorted(d, m);
}

/* Secret content is never written, whatever its origin. */
static struct ir_value *val_resource(struct dump *d, const struct resource *r)
{
	struct ir_value *m = val_new(d, VAL_MAP);
	put_fields(d, m, r, resource_fields, ARRAY_SIZE(resource_fields));
	put(d, m, "external", val_true(d, r->external));
	if (r->kind == RES_CONFIG)
		put(d, m, "content", val_field(d, r->content));
	put_members(d, m, r->extra);
	put_members(d, m, r->extensions);
	return sorted(d, m);
}

/* Stands for a service in the services mapping that val_project makes:
 * the printer builds each service's value when it gets there, in scratch
 * memory, so that a big project is never held as values all at once. */
static struct ir_value service_to_come = { .kind = VAL_NULL };

/* The top level keeps compose's order instead of sorting.  *services is
 * the services mapping (of service_to_come values). */
static struct ir_value *val_project(struct dump *d, const struct project *p, const struct ir_value **services_out)
{
	struct ir_value *top = val_new(d, VAL_MAP), *services = val_new(d, VAL_MAP);
	put(d, top, "name", val_str(d, p->name));
	for (size_t i = 0; i < p->n_services; i++)
		put(d, services, p->services[i]->name, &service_to_come);
	put(d, top, "services", sorted(d, services));
	*services_out = services;
	for (int k = 0; k < RES__MAX; k++) {
		struct ir_value *map = val_new(d, VAL_MAP);
		for (size_t i = 0; i < p->n_res[k]; i++)
			put(d, map, p->res[k][i]->key, val_resource(d, p->res[k][i]));
		put(d, top, resource_kind_names[k], nonempty(sorted(d, map)));
	}
	put_members(d, top, p->extra);
	put_members(d, top, p->extensions);
	return top;
}

/* ---- printing ------------------------------------------------------------ */

struct printer {
	struct emit e;
	struct strbuf tmp;
	struct dump *d;
	const struct project *p;
	const struct ir_value *services; /* see service_to_come */
	FILE *stream;                    /* see dump_config_stream */
};

/* Past this, the output goes to the stream between two services. */
#define DUMP_CHUNK (64 * 1024)

/* `$` becomes `$$` so that interpolation on reload gives s back. */
static const char *dollars(struct printer *pr, const char *s)
{
	if (!strchr(s, '$'))
		return s;
	sb_reset(&pr->tmp);
	for (; *s; s++) {
		if (*s == '$')
			sb_addc(&pr->tmp, '$');
		sb_addc(&pr->tmp, *s);
	}
	return pr->tmp.buf;
}

static void print_value(struct printer *pr, const struct ir_value *v);

static void print_map(struct printer *pr, const struct ir_value *v)
{
	emit_map_begin(&pr->e);
	for (size_t i = 0; i < v->map.n; i++) {
		emit_key(&pr->e, dollars(pr, v->map.members[i].key));
		if (v == pr->services && v->map.members[i].value == &service_to_come) {
			struct arena_mark m = arena_mark(pr->d->a);
			print_value(pr, val_service(pr->d, project_service(pr->p, v->map.members[i].key)));
			arena_rewind(pr->d->a, m);
			if (pr->stream && pr->e.out->len > DUMP_CHUNK) {
				fwrite(pr->e.out->buf, 1, pr->e.out->len, pr->stream);
				sb_reset(pr->e.out);
			}
			continue;
		}
		print_value(pr, v->map.members[i].value);
	}
	emit_map_end(&pr->e);
}

static void print_list(struct printer *pr, const struct ir_value *v)
{
	emit_seq_begin(&pr->e);
	for (size_t i = 0; i < v->list.n; i++)
		print_value(pr, v->list.items[i]);
	emit_seq_end(&pr->e);
}

static void print_value(struct printer *pr, const struct ir_value *v)
{
	switch (v ? v->kind : VAL_NULL) {
	case VAL_NULL: emit_null(&pr->e); break;
	case VAL_BOOL: emit_bool(&pr->e, v->b); break;
	case VAL_INT: emit_int(&pr->e, v->i); break;
	case VAL_FLOAT: emit_float(&pr->e, v->f); break;
	case VAL_STR: emit_str(&pr->e, dollars(pr, v->s)); break;
	case VAL_LIST: print_list(pr, v); break;
	case VAL_MAP: print_map(pr, v); break;
	}
}

void dump_config(const struct project *p, enum dump_format fmt, struct strbuf *out)
{
	dump_config_stream(p, fmt, out, NULL);
}

void dump_config_stream(const struct project *p, enum dump_format fmt, struct strbuf *out, FILE *stream)
{
	struct arena a;
	arena_init(&a);
	struct dump d = { .a = &a, .fmt = fmt };
	struct printer pr = { .d = &d, .p = p, .stream = stream };
	emit_init(&pr.e, out, fmt == DUMP_JSON ? EMIT_JSON : EMIT_YAML);
	sb_init(&pr.tmp);
	const struct ir_value *top = val_project(&d, p, &pr.services);
	print_value(&pr, top);
	sb_release(&pr.tmp);
	emit_release(&pr.e);
	arena_release(&a);
}
