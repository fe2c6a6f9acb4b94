/*
 * fields.c - the field table: compose's service attributes, one row each
 * (ir.h).  Lowering reads the plain ones by their type, `config` prints
 * them by it, the merge of override files and the loader's check of
 * repeated list items read their columns, and every attribute's key has
 * its location in the model (service->field_locs).
 *
 * Adding an attribute that maps to an engine flag: its member in struct
 * service (ir.h), its row here, its flag in backends/runargs.c.
 */
#include "ir/ir.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define OFF(member) offsetof(struct service, member)

/* In name order (bsearch).  The merge kinds and uniqueness follow
 * compose-go (override.go's merge specials; the schema's uniqueItems). */
const struct ir_field ir_service_fields[] = {
	{ "annotations", IR_FT_MAP, OFF(annotations), IR_MERGE_MAP, IR_UNIQUE },
	{ "attach", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "blkio_config", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "build", IR_FT_TYPED, OFF(build), IR_MERGE_OWN, 0 },
	{ "cap_add", IR_FT_LIST, OFF(cap_add), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "cap_drop", IR_FT_LIST, OFF(cap_drop), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "cgroup", IR_FT_STR, OFF(cgroup), IR_MERGE_PLAIN, 0 },
	{ "cgroup_parent", IR_FT_STR, OFF(cgroup_parent), IR_MERGE_PLAIN, 0 },
	{ "command", IR_FT_COMMAND, OFF(command), IR_MERGE_REPLACE, 0 },
	{ "configs", IR_FT_TYPED, 0, IR_MERGE_OWN, 0 },
	{ "container_name", IR_FT_STR, OFF(container_name), IR_MERGE_PLAIN, 0 },
	{ "cpu_count", IR_FT_INT, OFF(cpu_count), IR_MERGE_PLAIN, 0 },
	{ "cpu_percent", IR_FT_FLOAT, OFF(cpu_percent), IR_MERGE_PLAIN, 0 },
	{ "cpu_period", IR_FT_INT, OFF(cpu_period), IR_MERGE_PLAIN, 0 },
	{ "cpu_quota", IR_FT_INT, OFF(cpu_quota), IR_MERGE_PLAIN, 0 },
	{ "cpu_rt_period", IR_FT_USEC, OFF(cpu_rt_period), IR_MERGE_PLAIN, 0 },
	{ "cpu_rt_runtime", IR_FT_USEC, OFF(cpu_rt_runtime), IR_MERGE_PLAIN, 0 },
	{ "cpu_shares", IR_FT_INT, OFF(cpu_shares), IR_MERGE_PLAIN, 0 },
	{ "cpus", IR_FT_FLOAT, OFF(cpus), IR_MERGE_PLAIN, 0 },
	{ "cpuset", IR_FT_STR, OFF(cpuset), IR_MERGE_PLAIN, 0 },
	{ "credential_spec", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "depends_on", IR_FT_TYPED, OFF(depends_on), IR_MERGE_NAMES, IR_UNIQUE },
	{ "deploy", IR_FT_TYPED, OFF(deploy), IR_MERGE_OWN, 0 },
	{ "develop", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "device_cgroup_rules", IR_FT_LIST, OFF(device_cgroup_rules), IR_MERGE_PLAIN, IR_UNIQUE },
	{ "devices", IR_FT_TYPED, OFF(devices), IR_MERGE_OWN, 0 },
	{ "dns", IR_FT_STR_OR_LIST, OFF(dns), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "dns_opt", IR_FT_LIST, OFF(dns_opt), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "dns_search", IR_FT_STR_OR_LIST, OFF(dns_search), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "domainname", IR_FT_STR, OFF(domainname), IR_MERGE_PLAIN, 0 },
	{ "entrypoint", IR_FT_COMMAND, OFF(entrypoint), IR_MERGE_REPLACE, 0 },
	{ "env_file", IR_FT_LOADER, 0, IR_MERGE_OWN, 0 },
	{ "environment", IR_FT_ENV, OFF(environment), IR_MERGE_MAP, IR_UNIQUE },
	{ "expose", IR_FT_LIST_NUM, OFF(expose), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "extends", IR_FT_LOADER, 0, IR_MERGE_PLAIN, 0 },
	{ "external_links", IR_FT_LIST, OFF(external_links), IR_MERGE_PLAIN, IR_UNIQUE },
	{ "extra_hosts", IR_FT_TYPED, OFF(extra_hosts), IR_MERGE_OWN, IR_UNIQUE },
	{ "gpus", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "group_add", IR_FT_LIST_NUM, OFF(group_add), IR_MERGE_PLAIN, IR_UNIQUE },
	{ "healthcheck", IR_FT_TYPED, OFF(healthcheck), IR_MERGE_OWN, 0 },
	{ "hostname", IR_FT_STR, OFF(hostname), IR_MERGE_PLAIN, 0 },
	{ "image", IR_FT_STR, OFF(image), IR_MERGE_PLAIN, 0 },
	{ "init", IR_FT_BOOL, OFF(init), IR_MERGE_PLAIN, 0 },
	{ "ipc", IR_FT_STR, OFF(ipc), IR_MERGE_PLAIN, 0 },
	{ "isolation", IR_FT_STR, OFF(isolation), IR_MERGE_PLAIN, 0 },
	{ "label_file", IR_FT_LOADER, 0, IR_MERGE_UNIQUE, 0 },
	{ "labels", IR_FT_MAP, OFF(labels), IR_MERGE_MAP, IR_UNIQUE },
	{ "links", IR_FT_LIST, OFF(links), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "logging", IR_FT_TYPED, OFF(logging), IR_MERGE_OWN, 0 },
	{ "mac_address", IR_FT_STR, OFF(mac_address), IR_MERGE_PLAIN, 0 },
	{ "mem_limit", IR_FT_BYTES, OFF(mem_limit), IR_MERGE_PLAIN, 0 },
	{ "mem_reservation", IR_FT_BYTES, OFF(mem_reservation), IR_MERGE_PLAIN, 0 },
	{ "mem_swappiness", IR_FT_INT, OFF(mem_swappiness), IR_MERGE_PLAIN, 0 },
	{ "memswap_limit", IR_FT_BYTES, OFF(memswap_limit), IR_MERGE_PLAIN, 0 },
	{ "models", IR_FT_EXTRA, 0, IR_MERGE_NAMES, 0 },
	{ "network_mode", IR_FT_STR, OFF(network_mode), IR_MERGE_PLAIN, 0 },
	{ "networks", IR_FT_TYPED, OFF(networks), IR_MERGE_NAMES, IR_UNIQUE },
	{ "oom_kill_disable", IR_FT_BOOL, OFF(oom_kill_disable), IR_MERGE_PLAIN, 0 },
	{ "oom_score_adj", IR_FT_INT, OFF(oom_score_adj), IR_MERGE_PLAIN, 0 },
	{ "pid", IR_FT_STR, OFF(pid), IR_MERGE_PLAIN, 0 },
	{ "pids_limit", IR_FT_INT, OFF(pids_limit), IR_MERGE_PLAIN, 0 },
	{ "platform", IR_FT_STR, OFF(platform), IR_MERGE_PLAIN, 0 },
	{ "ports", IR_FT_TYPED, OFF(ports), IR_MERGE_OWN, IR_UNIQUE },
	{ "post_start", IR_FT_TYPED, 0, IR_MERGE_PLAIN, 0 },
	{ "pre_start", IR_FT_TYPED, 0, IR_MERGE_PLAIN, 0 },
	{ "pre_stop", IR_FT_TYPED, 0, IR_MERGE_PLAIN, 0 },
	{ "privileged", IR_FT_BOOL, OFF(privileged), IR_MERGE_PLAIN, 0 },
	{ "profiles", IR_FT_LIST, OFF(profiles), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "provider", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "pull_policy", IR_FT_STR, OFF(pull_policy), IR_MERGE_PLAIN, 0 },
	{ "pull_refresh_after", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "read_only", IR_FT_BOOL, OFF(read_only), IR_MERGE_PLAIN, 0 },
	{ "restart", IR_FT_TYPED, OFF(restart), IR_MERGE_PLAIN, 0 },
	{ "runtime", IR_FT_STR, OFF(runtime), IR_MERGE_PLAIN, 0 },
	{ "scale", IR_FT_INT, OFF(scale), IR_MERGE_PLAIN, 0 },
	{ "secrets", IR_FT_TYPED, 0, IR_MERGE_OWN, 0 },
	{ "security_opt", IR_FT_LIST, OFF(security_opt), IR_MERGE_PLAIN, IR_UNIQUE },
	{ "shm_size", IR_FT_BYTES, OFF(shm_size), IR_MERGE_PLAIN, 0 },
	{ "stdin_open", IR_FT_BOOL, OFF(stdin_open), IR_MERGE_PLAIN, 0 },
	{ "stop_grace_period", IR_FT_DURATION, OFF(stop_grace_period), IR_MERGE_PLAIN, 0 },
	{ "stop_signal", IR_FT_STR, OFF(stop_signal), IR_MERGE_PLAIN, 0 },
	{ "storage_opt", IR_FT_OPTS, OFF(storage_opt), IR_MERGE_PLAIN, 0 },
	{ "sysctls", IR_FT_MAP, OFF(sysctls), IR_MERGE_MAP, IR_UNIQUE },
	{ "tmpfs", IR_FT_STR_OR_LIST, OFF(tmpfs), IR_MERGE_UNIQUE, IR_UNIQUE },
	{ "tty", IR_FT_BOOL, OFF(tty), IR_MERGE_PLAIN, 0 },
	{ "ulimits", IR_FT_TYPED, OFF(ulimits), IR_MERGE_OWN, 0 },
	{ "use_api_socket", IR_FT_EXTRA, 0, IR_MERGE_PLAIN, 0 },
	{ "user", IR_FT_STR, OFF(user), IR_MERGE_PLAIN, 0 },
	{ "userns_mode", IR_FT_STR, OFF(userns_mode), IR_MERGE_PLAIN, 0 },
	{ "uts", IR_FT_STR, OFF(uts), IR_MERGE_PLAIN, 0 },
	{ "volume_driver", IR_FT_STR, OFF(volume_driver), IR_MERGE_PLAIN, 0 },
	{ "volumes", IR_FT_TYPED, OFF(volumes), IR_MERGE_OWN, IR_UNIQUE },
	{ "volumes_from", IR_FT_LIST, OFF(volumes_from), IR_MERGE_PLAIN, IR_UNIQUE },
	{ "working_dir", IR_FT_STR, OFF(working_dir), IR_MERGE_PLAIN, 0 },
};
const size_t ir_n_service_fields = sizeof(ir_service_fields) / sizeof(ir_service_fields[0]);

const struct ir_field *ir_service_field(const char *name)
{
	size_t lo = 0, hi = ir_n_service_fields;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ir_service_fields[mid].name, name);
		if (c == 0)
			return &ir_service_fields[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool ir_field_set(const struct service *s, const struct ir_field *f)
{
	const char *v = (const char *)s + f->off;
	switch (f->type) {
	case IR_FT_STR: return *(const char *const *)(const void *)v != NULL;
	case IR_FT_INT:
	case IR_FT_USEC:
	case IR_FT_BYTES:
	case IR_FT_DURATION: return *(const int64_t *)(const void *)v != IR_UNSET;
	case IR_FT_BOOL: return *(const enum tri *)(const void *)v != TRI_UNSET;
	case IR_FT_FLOAT: return !isnan(*(const double *)(const void *)v);
	case IR_FT_LIST:
	case IR_FT_LIST_NUM:
	case IR_FT_STR_OR_LIST: return ((const struct strlist *)(const void *)v)->n > 0;
	case IR_FT_MAP:
	case IR_FT_OPTS:
	case IR_FT_ENV: return ((const struct kvlist *)(const void *)v)->n > 0;
	case IR_FT_COMMAND: return ((const struct command *)(const void *)v)->kind != CMD_UNSET;
	case IR_FT_TYPED:
	case IR_FT_EXTRA:
	case IR_FT_LOADER: break;
	}
	return s->field_locs && s->field_locs[f - ir_service_fields].file;
}
