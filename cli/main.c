/*
 * main.c - the composec driver.  It reads as the list of passes: parse the
 * command line (option table), load the compose files (frontend), run the
 * subcommand (subcommand table), write or compare the output, flush the
 * diagnostics.  compose2systemd, compose2quadlet, compose2k8s and
 * compose2sh are links to this binary; argv[0] picks the subcommand.
 */
#include "cli/cli.h"
#include "frontend/load.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int cmd_config(struct cli *cli, const struct subcommand *sub, struct project *p);
static int cmd_backend(struct cli *cli, const struct subcommand *sub, struct project *p);

static const struct subcommand subcommands[] = {
	{ "config", cmd_config, false, "print the resolved model (--format yaml|json)" },
	{ "systemd", cmd_backend, true, "systemd units (compose2systemd)" },
	{ "quadlet", cmd_backend, true, "Podman Quadlet files (compose2quadlet)" },
	{ "k8s", cmd_backend, true, "Kubernetes manifests, or a Helm chart (compose2k8s)" },
	{ "sh", cmd_backend, true, "a POSIX shell script (compose2sh)" },
	{ "plan", cmd_backend, true, "the JSON plan that composec-run executes" },
	{ "audit", cmd_audit, false, "what the compose file will actually do (--format text|json|sarif)" },
};

static bool subcommand_built(const struct subcommand *sub)
{
	return sub->run && (!sub->backend || backend_find(sub->name));
}

enum opt_id {
	OPT_PROJECT_DIR = 256, OPT_ENV_FILE, OPT_PROFILE, OPT_ENGINE, OPT_STRICT, OPT_LOOSE, OPT_FORMAT,
	OPT_FAIL_ON, OPT_CHECK, OPT_FORCE, OPT_VERSION, OPT_PODMAN_VERSION, OPT_DOCKER_VERSION, OPT_NAMESPACE,
	OPT_IGNORE_FILE, OPT_LIST_RULES, OPT_POD, OPT_WAIT_IMAGE, OPT_KUBECTL_IMAGE, OPT_SERVICE_TYPE, OPT_CONTROLLER,
	OPT_PVC_SIZE, OPT_ENGINE_PATH,
};

static const struct option options[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "project-name", required_argument, NULL, 'p' },
	{ "project-directory", required_argument, NULL, OPT_PROJECT_DIR },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "engine-path", required_argument, NULL, OPT_ENGINE_PATH },
	{ "podman-version", required_argument, NULL, OPT_PODMAN_VERSION },
	{ "docker-version", required_argument, NULL, OPT_DOCKER_VERSION },
	{ "namespace", required_argument, NULL, OPT_NAMESPACE },
	{ "pod", no_argument, NULL, OPT_POD },
	{ "wait-image", required_argument, NULL, OPT_WAIT_IMAGE },
	{ "kubectl-image", required_argument, NULL, OPT_KUBECTL_IMAGE },
	{ "service-type", required_argument, NULL, OPT_SERVICE_TYPE },
	{ "controller", required_argument, NULL, OPT_CONTROLLER },
	{ "pvc-size", required_argument, NULL, OPT_PVC_SIZE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "loose", no_argument, NULL, OPT_LOOSE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "ignore-file", required_argument, NULL, OPT_IGNORE_FILE },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *fp)
{
	fputs("usage: composec <command> [options] [FILE...]\n\ncommands:\n", fp);
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(fp, "  %-8s %s%s\n", subcommands[i].name, subcommands[i].summary,
			subcommand_built(&subcommands[i]) ? "" : " (not built yet)");
	fputs("\noptions:\n"
	      "  -f, --file FILE          compose file, repeatable; '-' is stdin\n"
	      "  -o, --output PATH        output directory or file (default: stdout)\n"
	      "  -p, --project-name NAME  project name\n"
	      "      --project-directory DIR\n"
	      "      --env-file FILE      repeatable; default <project dir>/.env\n"
	      "      --profile NAME       repeatable; also COMPOSE_PROFILES\n"
	      "      --engine docker|podman   systemd, sh, plan (default docker)\n"
	      "      --engine-path PATH   systemd, quadlet, plan: the engine's command: an absolute\n"
	      "                           path, or a name systemd finds in its search path\n"
	      "                           (default /usr/bin/docker or /usr/bin/podman)\n"
	      "      --podman-version X.Y the oldest podman to support (default 5.0)\n"
	      "      --docker-version X.Y the oldest docker to support (default 26.0)\n"
	      "      --strict | --loose   unknown attributes: error | ignore (default: warn)\n"
	      "      --namespace NS       k8s: the namespace of every object (emitted too)\n"
	      "      --wait-image IMAGE   k8s: the wait init containers' image (default busybox:1.36)\n"
	      "      --kubectl-image IMAGE\n"
	      "                           k8s: the image that waits for a completed Job\n"
	      "                           (default registry.k8s.io/kubectl:v1.34.0)\n"
	      "      --service-type TYPE  k8s: the Service of a service that publishes ports:\n"
	      "                           clusterip|nodeport|loadbalancer|headless (default\n"
	      "                           clusterip; label kompose.service.type)\n"
	      "      --controller KIND    k8s: the workload of a long-running service:\n"
	      "                           deployment|statefulset|daemonset (default deployment;\n"
	      "                           label kompose.controller.type)\n"
	      "      --pvc-size SIZE      k8s: a volume's claim (default 1Gi; label\n"
	      "                           kompose.volume.size)\n"
	      "      --pod                quadlet: the project's containers in one <project>.pod\n"
	      "                           (podman 5.0), its unit starting and stopping them all\n"
	      "      --format FORMAT      config: yaml|json; k8s: yaml|json|helm (a chart);\n"
	      "                           audit: text|json|sarif\n"
	      "      --fail-on LEVEL      audit: exit 1 on a finding at or above LEVEL\n"
	      "                           (info|low|medium|high|critical; default: never)\n"
	      "      --ignore-file FILE   audit: suppressions (default <project dir>/.composec-ignore)\n"
	      "      --list-rules         audit: print the rule table\n"
	      "      --check              compare with what -o holds; write nothing\n"
	      "      --force              overwrite files composec did not generate\n"
	      "  -q, --quiet  -v, --verbose  --version  -h, --help\n",
	      fp);
}

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

/* compose2systemd -> systemd, ... */
static const struct subcommand *subcommand_from_argv0(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	return str_has_prefix(base, "compose2") ? find_subcommand(base + strlen("compose2")) : NULL;
}

static int set_option(struct cli *cli, int id, const char *arg)
{
	switch (id) {
	case 'f': strvec_push(&cli->load.files, cli->arena, arg); break;
	case 'o': cli->output = arg; break;
	case 'p': cli->load.project_name = arg; break;
	case OPT_PROJECT_DIR: cli->load.project_dir = arg; break;
	case OPT_ENV_FILE: strvec_push(&cli->load.env_files, cli->arena, arg); break;
	case OPT_PROFILE: strvec_push(&cli->load.profiles, cli->arena, arg); break;
	case OPT_ENGINE: cli->engine = arg; break;
	case OPT_ENGINE_PATH: cli->engine_path = arg; break;
	case OPT_PODMAN_VERSION: cli->podman_version = arg; break;
	case OPT_DOCKER_VERSION: cli->docker_version = arg; break;
	case OPT_NAMESPACE: cli->namespace = arg; break;
	case OPT_POD: cli->pod = true; break;
	case OPT_WAIT_IMAGE: cli->wait_image = arg; break;
	case OPT_KUBECTL_IMAGE: cli->kubectl_image = arg; break;
	case OPT_SERVICE_TYPE: cli->service_type = arg; break;
	case OPT_CONTROLLER: cli->controller = arg; break;
	case OPT_PVC_SIZE: cli->pvc_size = arg; break;
	case OPT_STRICT: cli->load.unknown = UNKNOWN_ERROR; break;
	case OPT_LOOSE: cli->load.unknown = UNKNOWN_IGNORE; break;
	case OPT_FORMAT: cli->format = arg; break;
	case OPT_FAIL_ON: cli->fail_on = arg; break;
	case OPT_IGNORE_FILE: cli->ignore_file = arg; break;
	case OPT_LIST_RULES: cli->list_rules = true; break;
	case OPT_CHECK: cli->check = true; break;
	case OPT_FORCE: cli->force = true; break;
	case 'q': cli->quiet = true; break;
	case 'v': cli->verbose = true; break;
	case OPT_VERSION: cli->show_version = true; break;
	case 'h': cli->show_help = true; break;
	default: return -1;
	}
	return 0;
}

/* GNU getopt permutes argv: options may come before or after the
 * subcommand and the files, which are left in order at the end. */
static int parse_args(struct cli *cli, int argc, char **argv)
{
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:p:qvh", options, NULL)) != -1) {
		if (c == '?' || c == ':' || set_option(cli, c, optarg) != 0) {
			fprintf(stderr, "composec: %s \"%s\"\n",
				c == ':' ? "missing argument for option" : "unknown option", argv[optind - 1]);
			return -1;
		}
	}
	for (int i = optind; i < argc; i++)
		strvec_push(&cli->args, cli->arena, argv[i]);
	return 0;
}

/* "5.0" -> 500; -1 when malformed. */
static int parse_version(const char *s)
{
	char *end;
	long major = strtol(s, &end, 10);
	long minor = 0;
	if (end == s || major < 0 || major > 99)
		return -1;
	if (*end == '.') {
		const char *m = end + 1;
		minor = strtol(m, &end, 10);
		if (end == m || minor < 0 || minor > 99)
			return -1;
	}
	return *end ? -1 : (int)(major * 100 + minor);
}

static int check_values(struct cli *cli)
{
	if (cli->podman_version && parse_version(cli->podman_version) < 0) {
		fprintf(stderr, "composec: --podman-version must look like 5.0, not \"%s\"\n", cli->podman_version);
		return -1;
	}
	if (cli->docker_version && parse_version(cli->docker_version) < 0) {
		fprintf(stderr, "composec: --docker-version must look like 26.0, not \"%s\"\n", cli->docker_version);
		return -1;
	}
	if ((cli->wait_image && !*cli->wait_image) || (cli->kubectl_image && !*cli->kubectl_image)) {
		fprintf(stderr, "composec: --wait-image and --kubectl-image take an image, not an empty string\n");
		return -1;
	}
	if (cli->engine_path && (!*cli->engine_path || (cli->engine_path[0] != '/' && strchr(cli->engine_path, '/')) ||
				 strpbrk(cli->engine_path, "\n\r"))) {
		fprintf(stderr, "composec: --engine-path must be an absolute path (/usr/local/bin/docker) or a command "
				"name systemd searches for (docker), not \"%s\"\n",
			cli->engine_path);
		return -1;
	}
	if (cli->engine && strcmp(cli->engine, "docker") != 0 && strcmp(cli->engine, "podman") != 0) {
		fprintf(stderr, "composec: --engine must be docker or podman, not \"%s\"\n", cli->engine);
		return -1;
	}
	return 0;
}

static int run(struct cli *cli, const struct subcommand *sub)
{
	if (!subcommand_built(sub)) {
		fprintf(stderr, "composec: \"%s\" is not built yet\n", sub->name);
		return 2;
	}
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "composec: cannot get the current directory\n");
		return 1;
	}
	cli->load.cwd = cwd;
	/* audit reads what docker compose would refuse, to say what is wrong */
	cli->load.lenient = strcmp(sub->name, "audit") == 0;
	cli->load.keep_sources = cli->load.lenient; /* the report quotes each finding's line */
	cli->load.key_locs = cli->load.lenient;
	cli->load.environ = environ;
	cli->diag.overflow = stderr;
	struct project *p = load_project(cli->arena, &cli->diag, &cli->load);
	int rc = p ? sub->run(cli, sub, p) : 1;
	diag_flush(&cli->diag, stderr);
	if (rc == 0 && cli->diag.errors)
		rc = 1;
	return rc;
}

/* "composec [opts] SUB [opts] [FILE...]": the first word is the
 * subcommand unless argv[0] chose one; the other words are files. */
static int parse_command_line(struct cli *cli, int argc, char **argv, const struct subcommand **sub)
{
	*sub = subcommand_from_argv0(argv[0]);
	if (parse_args(cli, argc, argv) != 0)
		return -1;
	size_t w = 0;
	if (!*sub && cli->args.n) {
		*sub = find_subcommand(cli->args.v[0]);
		if (!*sub) {
			fprintf(stderr, "composec: unknown command \"%s\"\n", cli->args.v[0]);
			return -1;
		}
		w = 1;
	}
	for (; w < cli->args.n; w++)
		strvec_push(&cli->load.files, cli->arena, cli->args.v[w]);
	return 0;
}

/* Standard output to a file or a pipe in big writes: the units of a big
 * project are tens of megabytes (a terminal keeps its line buffering). */
static char stdout_buf[64 * 1024];

int main(int argc, char **argv)
{
	struct arena arena;
	struct cli cli = { 0 };
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	arena_init(&arena);
	cli.arena = &arena;
	diag_init(&cli.diag, &arena);
	const struct subcommand *sub = NULL;
	int rc;
	if (parse_command_line(&cli, argc, argv, &sub) != 0 || check_values(&cli) != 0) {
		usage(stderr);
		rc = 2;
	} else if (cli.show_version) {
		printf("composec %s\n", COMPOSEC_VERSION);
		rc = 0;
	} else if (cli.show_help) {
		usage(stdout);
		rc = 0;
	} else if (cli.list_rules) {
		rc = cmd_audit_rules(&cli);
	} else if (!sub) {
		usage(stderr);
		rc = 2;
	} else {
		cli.diag.quiet = cli.quiet;
		rc = run(&cli, sub);
	}
	diag_release(&cli.diag);
	arena_release(&arena);
	return rc;
}

static int cmd_config(struct cli *cli, const struct subcommand *sub, struct project *p)
{
	(void)sub;
	enum dump_format fmt = DUMP_YAML;
	if (cli->format && strcmp(cli->format, "json") == 0)
		fmt = DUMP_JSON;
	else if (cli->format && strcmp(cli->format, "yaml") != 0) {
		fprintf(stderr, "composec: config: --format must be yaml or json, not \"%s\"\n", cli->format);
		return 2;
	}
	struct strbuf out = STRBUF_INIT;
	bool to_stdout = !cli->output || strcmp(cli->output, "-") == 0;
	/* A file gets the mark that lets a later run replace it; JSON has no
	 * comments, so an existing JSON file is only replaced with --force. */
	if (!to_stdout && fmt == DUMP_YAML)
		sb_adds(&out, "# " GENERATED_MARK " config; do not edit\n");
	/* printed whole, it need not be held whole */
	dump_config_stream(p, fmt, &out, to_stdout && !cli->check ? stdout : NULL);
	int rc = output_single(cli, &out, plan_holds_values(p) ? 0600 : 0644);
	sb_release(&out);
	return rc;
}

/* Run the backend and write what it made. */
static int emit_and_write(struct cli *cli, const struct backend *b, struct project *p,
			  const struct backend_options *o, struct fileset *fs)
{
	if (backend_run(cli->arena, &cli->diag, b, p, o, fs) != 0 || cli->diag.errors)
		return 1; /* nothing is written when the input had errors */
	if (plan_holds_values(p)) /* values others must not read: owner only */
		for (size_t i = 0; i < fs->n; i++)
			fs->files[i].mode &= 0700;
	if (fs->stream)
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	fileset_sort(fs);
	if (b->output == OUTPUT_FILE && fs->n == 1) {
		struct strbuf one = { (char *)fs->files[0].data, fs->files[0].len, 0 };
		return output_single(cli, &one, fs->files[0].mode);
	}
	return output_fileset(cli, fs);
}

/* dir as an absolute path without a trailing '/' (nor "./" in front),
 * from the working directory when it is relative; NULL when that cannot be
 * known. */
static const char *absolute_dir(struct cli *cli, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	if (dir[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		sb_adds(&sb, cwd);
		free(cwd);
		while (dir[0] == '.' && dir[1] == '/')
			for (dir += 2; *dir == '/'; dir++)
				;
		if (strcmp(dir, ".") != 0 && *dir)
			sb_addc(&sb, '/');
		else
			dir = "";
	}
	sb_adds(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	const char *r = sb_to_arena(&sb, cli->arena);
	sb_release(&sb);
	return r;
}

static int cmd_backend(struct cli *cli, const struct subcommand *sub, struct project *p)
{
	const struct backend *b = backend_find(sub->name);
	if (cli->pod && strcmp(sub->name, "quadlet") != 0 && !cli->quiet)
		fprintf(stderr, "composec: warning: --pod is an option of quadlet; %s ignores it\n", sub->name);
	struct backend_options o = { .engine = ENGINE_DOCKER, .podman_version = PLAN_PODMAN_VERSION_DEFAULT,
				     .docker_version = PLAN_DOCKER_VERSION_DEFAULT, .namespace = cli->namespace,
				     .format = cli->format, .pod = cli->pod,
				     .wait_image = cli->wait_image, .kubectl_image = cli->kubectl_image,
				     .service_type = cli->service_type, .controller = cli->controller,
				     .pvc_size = cli->pvc_size, .engine_path = cli->engine_path };
	if (cli->engine && strcmp(cli->engine, "podman") == 0)
		o.engine = ENGINE_PODMAN;
	if (cli->podman_version)
		o.podman_version = parse_version(cli->podman_version);
	if (cli->docker_version)
		o.docker_version = parse_version(cli->docker_version);
	bool to_stdout = !cli->output || strcmp(cli->output, "-") == 0;
	if (b->output == OUTPUT_DIR && !to_stdout)
		o.output_dir = absolute_dir(cli, cli->output);
	struct fileset fs;
	fileset_init(&fs, cli->arena);
	fs.project = p->name;
	/* What is printed whole need not be held whole: one file is streamed
	 * by the backend (errors come from the input, which was loaded by
	 * now), a set of files printed in order of their names may spill to
	 * a temporary file.  -o and --check keep everything for the
	 * comparison and the atomic writes. */
	if (b->output == OUTPUT_FILE && to_stdout && !cli->check && !cli->diag.errors)
		fs.stream = stdout;
	fs.may_spill = b->output == OUTPUT_DIR && to_stdout && !cli->check;
	int rc = emit_and_write(cli, b, p, &o, &fs);
	fileset_release(&fs);
	return rc;
}
