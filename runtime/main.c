/*
 * main.c - composec-run's command line: an option table, a command
 * table, then the plan is loaded and the command runs (sched.c).  The
 * contract is runtime/PLAN.md; `composec-run --help` summarises it.
 */
#include "runtime/runtime.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef COMPOSEC_VERSION
#define COMPOSEC_VERSION "dev"
#endif
#define JOBS_DEFAULT 8
#define JOBS_MAX 256

static const char usage_text[] =
	"usage: composec-run [OPTIONS] PLAN COMMAND\n"
	"Run a plan written by `composec plan` with the docker or podman CLI.\n"
	"\n"
	"commands:\n"
	"  up      create the resources, then bring the services up in dependency\n"
	"          order, independent ones at the same time; stays in the foreground\n"
	"          until SIGINT/SIGTERM, which stops the services in reverse order\n"
	"  down    stop and remove the containers (pre_stop hooks first) and the\n"
	"          networks, dependents before their dependencies, independent ones at\n"
	"          the same time; volumes only with --volumes\n"
	"  ps      the state of every container and of its pre_start steps\n"
	"\n"
	"options:\n"
	"  -d, --detach          up: return once everything started\n"
	"      --build           up: build images even when present\n"
	"      --force-recreate  up: recreate containers (pre_start steps run again)\n"
	"  -v, --volumes         down: remove the named volumes too\n"
	"  -j, --jobs N          services brought up (or stopped) and resources\n"
	"                        created (or removed) at the same time (default 8)\n"
	"      --state-dir DIR   where pre_start results are kept (default\n"
	"                        $XDG_STATE_HOME/composec, /var/lib/composec as root,\n"
	"                        else ~/.local/state/composec)\n"
	"  -h, --help, --version\n"
	"\n"
	"Exit status: 0 ok, 1 a service or command failed, 2 usage or a bad plan,\n"
	"128+N when signal N interrupted up.\n";

enum { OPT_BUILD = 256, OPT_FORCE_RECREATE, OPT_STATE_DIR, OPT_VERSION };

static const struct option options[] = {
	{ "detach", no_argument, NULL, 'd' },
	{ "build", no_argument, NULL, OPT_BUILD },
	{ "force-recreate", no_argument, NULL, OPT_FORCE_RECREATE },
	{ "volumes", no_argument, NULL, 'v' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const struct command {
	const char *name;
	int (*run)(const struct rt_plan *p, const struct rt_opts *o);
} commands[] = {
	{ "up", rt_up },
	{ "down", rt_down },
	{ "ps", rt_ps },
};

struct args {
	struct rt_opts o;
	const char *state_base;
	bool help, version;
};

static int usage_error(const char *msg)
{
	fprintf(stderr, "composec-run: %s\n%s", msg, usage_text);
	return 2;
}

/* Returns 0, or 2 after a message. */
static int parse_options(int argc, char **argv, struct args *a)
{
	int c;
	while ((c = getopt_long(argc, argv, "dvj:h", options, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': a->o.detach = true; break;
		case OPT_BUILD: a->o.build = true; break;
		case OPT_FORCE_RECREATE: a->o.force_recreate = true; break;
		case 'v': a->o.volumes = true; break;
		case OPT_STATE_DIR: a->state_base = optarg; break;
		case 'h': a->help = true; break;
		case OPT_VERSION: a->version = true; break;
		case 'j':
			a->o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || a->o.jobs < 1 || a->o.jobs > JOBS_MAX)
				return usage_error("--jobs takes a number from 1 to 256");
			break;
		default: return 2;
		}
	}
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Options that belong to another command are a usage error. */
static const char *misplaced(const struct args *a, const char *cmd)
{
	bool up = strcmp(cmd, "up") == 0;
	if (!up && (a->o.detach || a->o.build || a->o.force_recreate))
		return "--detach, --build and --force-recreate are options of up";
	if (strcmp(cmd, "down") != 0 && a->o.volumes)
		return "--volumes is an option of down";
	return NULL;
}

static int run(const struct command *cmd, const char *file, struct args *a)
{
	struct arena arena;
	struct strbuf err = STRBUF_INIT;
	struct rt_plan plan;
	arena_init(&arena);
	int rc = 2;
	if (rt_plan_load(&arena, file, &plan, &err) != 0) {
		fprintf(stderr, "composec-run: %s: %s\n", file, err.buf);
	} else {
		a->o.state_dir = rt_state_dir(&arena, a->state_base, plan.project);
		if (!a->o.state_dir)
			rt_say(true, "warning: no state directory (set --state-dir or HOME): pre_start steps always "
				     "run");
		rc = cmd->run(&plan, &a->o);
	}
	sb_release(&err);
	arena_release(&arena);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = { .o = { .jobs = JOBS_DEFAULT } };
	rt_now(); /* the clock of the progress lines starts here */
	if (parse_options(argc, argv, &a) != 0)
		return 2;
	if (a.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (a.version) {
		puts("composec-run " COMPOSEC_VERSION);
		return 0;
	}
	if (argc - optind != 2)
		return usage_error("expected a plan file and a command");
	const struct command *cmd = find_command(argv[optind + 1]);
	if (!cmd)
		return usage_error("the command is up, down or ps");
	const char *bad = misplaced(&a, cmd->name);
	if (bad)
		return usage_error(bad);
	fflush(stdout);
	rt_signals_install();
	return run(cmd, argv[optind], &a);
}
