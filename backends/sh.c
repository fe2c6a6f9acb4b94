/*
 * sh.c - the POSIX shell script backend (DESIGN.md §6 "POSIX shell script"
 * and §7): one script, `up.sh`, whose first argument picks `up` (the
 * default), `down` or `ps`, and which drives the engine CLI with the
 * argument vectors of runargs.c.
 *
 * Requires a validated project with its dependency order.  Provides a file
 * set of one file in which every compose string is one single-quoted shell
 * word (escape.h sh_quote): no compose value is ever evaluated by a shell.
 * The shape of the script, and why:
 *  - The engine is "$ENGINE", ${COMPOSEC_ENGINE:-docker|podman}, found
 *    through PATH; --engine picks the flags (they differ) and the default.
 *  - up: networks and volumes are created unless they exist, then each
 *    service in dependency order (a function up_<service>): wait for its
 *    dependencies' conditions, build its image when missing, make sure its
 *    container exists, run the pre_start steps (`run --rm`, with the
 *    service's networks and mounts) in a container never started yet, start
 *    it, exec its post_start hooks.  A failed command stops the script with
 *    a message naming the service and the step.
 *  - Idempotency: each container carries compose's label
 *    com.docker.compose.config-hash, with a hash computed here of its
 *    create argv and of its service's pre_start step definitions (docker
 *    compose manages only containers that have the label; its own hash
 *    differs, so its up recreates them, and this script recreates what
 *    docker compose made).  A container that is
 *    missing or carries another hash is removed and created again; one
 *    created but never started (a previous up stopped in its steps) runs
 *    the steps; one that ran before but stopped is started again without
 *    its steps (they succeeded for this definition, the spec's rerun rule);
 *    a running one is left alone.  So a second up leaves the app as it was.
 *  - compose's `restart` policy becomes --restart on the container: no
 *    process manager runs the script's containers.
 *  - Waits: service_healthy polls the health status once a second (podman
 *    runs the check itself with `healthcheck run`: without systemd it runs
 *    no health timers), bounded by the healthcheck's own timing;
 *    service_completed_successfully polls for the exit, bounded by an hour.
 *  - Replicas: containers <project>-<service>-<i>; pre_start steps without
 *    per_replica run once, before any replica's own steps, when a replica
 *    was never started.
 *  - down: pre_stop hooks, stop and removal in reverse dependency order,
 *    then the project's networks; volumes and images are kept, as
 *    `compose down` keeps them.  ps: the engine's ps of the project label.
 */
#include "backends/backend.h"
#include "backends/escape.h"
#include "backends/parallel.h"
#include "backends/runargs.h"

#include <stdio.h>
#include <string.h>

#define SCRIPT_NAME "up.sh"
#define HASH_LABEL LABEL_CONFIG_HASH /* compose manages only containers that have one */
#define PROJECT_LABEL "com.docker.compose.project"
#define WRAP_COLUMN 100         /* a command line goes on with " \" past this column */
#define STOP_TIMEOUT_DEFAULT 10 /* seconds, the engines' default for stop -t */

/* Docker's healthcheck defaults, for the length of a health wait. */

struct sh {
	struct arena *a;
	struct diag *d;
	const struct project *p;
	const struct plan *plan;
	enum engine e;
	const char **fn; /* per p->services index: the up_ function's name */
	struct strbuf *out;
};

/* ---- the fixed part of the script ------------------------------------------------- */

/* put_file, in scripts that copy configs or secrets into containers
 * (plan_files): the archive's owner is the file's uid:gid (0:0 unless
 * given), and the engine's cp option (plan_file.cp_option) gives docker
 * compose's ownership. */
static const char put_file_fn[] =
	"# put_file WHAT NAME PATH MODE UID GID CONTENT [CP-OPTION]: copy CONTENT into the created\n"
	"# container NAME as the file PATH, with MODE and owner UID:GID, as docker compose copies a\n"
	"# config or secret written inline or taken from the environment: an archive of the one\n"
	"# file, whose missing directories the engine creates\n"
	"put_file() {\n"
	"\tsay \"$1\"\n"
	"\td=$(mktemp -d) || die \"$1: cannot make a temporary directory\"\n"
	"\tf=${3#/}\n"
	"\tif mkdir -p \"$d/$(dirname \"$f\")\" && (umask 077 && printf '%s' \"$7\" >\"$d/$f\") &&\n"
	"\t\ttar -C \"$d\" -cf \"$d/.archive\" --numeric-owner --owner=\"$5\" --group=\"$6\" --mode=\"$4\" \"$f\" &&\n"
	"\t\t\"$ENGINE\" cp ${8:+\"$8\"} - \"$2:/\" <\"$d/.archive\"; then\n"
	"\t\trm -rf \"$d\"\n"
	"\telse\n"
	"\t\trm -rf \"$d\"\n"
	"\t\tdie \"$1 failed\"\n"
	"\tfi\n"
	"}\n\n";

static const char prelude[] =
	"# say MESSAGE: progress, on standard error\n"
	"say() {\n"
	"\tprintf '%s\\n' \"$1\" >&2\n"
	"}\n\n"
	"# die MESSAGE: report and stop\n"
	"die() {\n"
	"\tprintf '%s: %s\\n' \"${0##*/}\" \"$1\" >&2\n"
	"\texit 1\n"
	"}\n\n"
	"# must WHAT COMMAND...: say WHAT, run COMMAND; stop the script when it fails\n"
	"must() {\n"
	"\tsay \"$1\"\n"
	"\twhat=$1\n"
	"\tshift\n"
	"\trc=0\n"
	"\t\"$@\" || rc=$?\n"
	"\tif [ \"$rc\" -ne 0 ]; then\n"
	"\t\tdie \"$what failed (exit $rc)\"\n"
	"\tfi\n"
	"}\n\n"
	"# quiet WHAT COMMAND...: must, without COMMAND's standard output (ids, names)\n"
	"quiet() {\n"
	"\tmust \"$@\" >/dev/null\n"
	"}\n\n"
	"# try WHAT COMMAND...: must, but a failure is reported and the script goes on\n"
	"try() {\n"
	"\tsay \"$1\"\n"
	"\twhat=$1\n"
	"\tshift\n"
	"\trc=0\n"
	"\t\"$@\" || rc=$?\n"
	"\tif [ \"$rc\" -ne 0 ]; then\n"
	"\t\tsay \"$what failed (exit $rc), going on\"\n"
	"\tfi\n"
	"}\n\n"
	"# have KIND NAME: true when the engine has the network, volume, image or container NAME\n"
	"have() {\n"
	"\t\"$ENGINE\" \"$1\" inspect \"$2\" >/dev/null 2>&1\n"
	"}\n\n"
	"# status NAME: the state of container NAME (created, running, exited...), empty when absent\n"
	"status() {\n"
	"\t\"$ENGINE\" container inspect -f '{{.State.Status}}' \"$1\" 2>/dev/null || :\n"
	"}\n\n"
	"# config_hash NAME: the definition hash composec gave container NAME\n"
	"config_hash() {\n"
	"\t\"$ENGINE\" container inspect -f '{{index .Config.Labels \"" HASH_LABEL "\"}}' \"$1\" 2>/dev/null || :\n"
	"}\n\n"
	"# fresh NAME: true when container NAME was created and never started\n"
	"fresh() {\n"
	"\tcase $(status \"$1\") in\n"
	"\tcreated | configured | initialized) return 0 ;;\n"
	"\tesac\n"
	"\treturn 1\n"
	"}\n\n"
	"# running NAME: true when container NAME runs\n"
	"running() {\n"
	"\tcase $(status \"$1\") in\n"
	"\trunning | paused | restarting) return 0 ;;\n"
	"\tesac\n"
	"\treturn 1\n"
	"}\n\n"
	"# remove NAME: remove container NAME when there is one (down --volumes: with\n"
	"# its anonymous volumes, as docker compose down -v)\n"
	"remove() {\n"
	"\tif [ -z \"$(status \"$1\")\" ]; then\n"
	"\t\treturn 0\n"
	"\telif [ -n \"$VOLUMES\" ]; then\n"
	"\t\tquiet \"container $1: remove\" \"$ENGINE\" rm -f -v \"$1\"\n"
	"\telse\n"
	"\t\tquiet \"container $1: remove\" \"$ENGINE\" rm -f \"$1\"\n"
	"\tfi\n"
	"}\n\n"
	"# ensure WHAT NAME HASH COMMAND...: keep container NAME when it carries HASH,\n"
	"# else stop it (within its own stop timeout), remove it and create it with COMMAND\n"
	"ensure() {\n"
	"\tif [ \"$(config_hash \"$2\")\" = \"$3\" ]; then\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif running \"$2\"; then\n"
	"\t\tquiet \"container $2: stop, its definition changed\" \"$ENGINE\" stop \"$2\"\n"
	"\tfi\n"
	"\tremove \"$2\"\n"
	"\twhat=$1\n"
	"\tshift 3\n"
	"\tquiet \"$what\" \"$@\"\n"
	"}\n\n"
	"# wait_completed WHAT NAME TRIES: wait until container NAME exited; stop unless it exited 0\n"
	"# (TRIES 0: as long as it runs)\n"
	"wait_completed() {\n"
	"\tsay \"$1\"\n"
	"\tn=0\n"
	"\twhile :; do\n"
	"\t\ts=$(\"$ENGINE\" container inspect -f '{{.State.ExitCode}} {{.State.Status}}' \"$2\" 2>/dev/null) || s=\n"
	"\t\tcase $s in\n"
	"\t\t'0 exited' | '0 stopped') return 0 ;;\n"
	"\t\t*' exited' | *' stopped' | *' dead') die \"$1: $2 exited with status ${s%% *}\" ;;\n"
	"\t\t'') die \"$1: there is no container $2\" ;;\n"
	"\t\tesac\n"
	"\t\tn=$((n + 1))\n"
	"\t\tif [ \"$3\" -gt 0 ] && [ \"$n\" -ge \"$3\" ]; then\n"
	"\t\t\tdie \"$1: $2 still runs after $3 checks\"\n"
	"\t\tfi\n"
	"\t\tsleep 1\n"
	"\tdone\n"
	"}\n\n";

/* How each engine tells that a container is healthy. */
static const char *const wait_healthy_fn[ENGINE__MAX] = {
	[ENGINE_DOCKER] =
		"# wait_healthy WHAT NAME TRIES: wait until container NAME is healthy, checking once a second\n"
		"wait_healthy() {\n"
		"\tsay \"$1\"\n"
		"\tn=0\n"
		"\twhile :; do\n"
		"\t\th=$(\"$ENGINE\" container inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "
		"\"$2\" 2>/dev/null) || h=\n"
		"\t\tcase $h in\n"
		"\t\thealthy) return 0 ;;\n"
		"\t\tunhealthy) die \"$1: $2 is unhealthy\" ;;\n"
		"\t\tesac\n"
		"\t\tif ! running \"$2\"; then\n"
		"\t\t\tdie \"$1: $2 is not running\"\n"
		"\t\tfi\n"
		"\t\tn=$((n + 1))\n"
		"\t\tif [ \"$n\" -ge \"$3\" ]; then\n"
		"\t\t\tdie \"$1: $2 is not healthy after $3 checks\"\n"
		"\t\tfi\n"
		"\t\tsleep 1\n"
		"\tdone\n"
		"}\n\n",
	[ENGINE_PODMAN] =
		"# wait_healthy WHAT NAME TRIES: run the healthcheck of container NAME once a second\n"
		"# until it passes (without systemd, podman runs no health timers), or until\n"
		"# its failures make it unhealthy\n"
		"wait_healthy() {\n"
		"\tsay \"$1\"\n"
		"\tn=0\n"
		"\tuntil \"$ENGINE\" healthcheck run \"$2\" >/dev/null 2>&1; do\n"
		"\t\th=$(\"$ENGINE\" container inspect -f '{{.State.Health.Status}}' \"$2\" 2>/dev/null) || h=\n"
		"\t\tif [ \"$h\" = unhealthy ]; then\n"
		"\t\t\tdie \"$1: $2 is unhealthy\"\n"
		"\t\tfi\n"
		"\t\tif ! running \"$2\"; then\n"
		"\t\t\tdie \"$1: $2 is not running\"\n"
		"\t\tfi\n"
		"\t\tn=$((n + 1))\n"
		"\t\tif [ \"$n\" -ge \"$3\" ]; then\n"
		"\t\t\tdie \"$1: $2 is not healthy after $3 checks\"\n"
		"\t\tfi\n"
		"\t\tsleep 1\n"
		"\tdone\n"
		"}\n\n",
};

/* ---- writing words and command lines ---------------------------------------------- */

/* The column after text[0..n) written at column col: counted from its
 * last newline when it has one (a tab counts 8). */
static size_t column_after(size_t col, const char *text, size_t n)
{
	const char *nl = memrchr(text, '\n', n);
	size_t i = nl ? (size_t)(nl - text) + 1 : 0;
	col = (nl ? 0 : col) + (n - i);
	for (const char *t = text + i; (t = memchr(t, '\t', n - (size_t)(t - text))); t++)
		col += 7;
	return col;
}

/* Columns since the last newline. */
static size_t column(const struct strbuf *sb)
{
	return column_after(0, sb->buf, sb->len);
}

static void add_indent(struct strbuf *sb, int indent)
{
	for (int i = 0; i < indent; i++)
		sb_addc(sb, '\t');
}

/* " word", or " \" and a continuation line when the line grew too long;
 * *col is where the line is, kept by the caller from one word to the next
 * rather than counted again from the line's start for every word. */
static void add_wrapped(struct strbuf *sb, int indent, const char *word, size_t len, size_t *col)
{
	bool simple = !strpbrk(word, "\n\t"); /* nearly every word: one byte, one column */
	const char *nl = simple ? NULL : memchr(word, '\n', len);
	if (*col + 1 + (nl ? (size_t)(nl - word) : len) > WRAP_COLUMN) {
		sb_adds(sb, " \\\n");
		add_indent(sb, indent + 1);
		*col = 8 * (size_t)(indent + 1);
	} else {
		sb_addc(sb, ' ');
		*col += 1;
	}
	sb_add(sb, word, len);
	*col = simple ? *col + len : column_after(*col, word, len);
}

/* A word runargs wrote that is a fixed part of the command (run, --rm,
 * exec, build, network create): lower-case letters and '-' only. */
static bool is_keyword(const char *w)
{
	return *w && strspn(w, "abcdefghijklmnopqrstuvwxyz-") == strlen(w);
}

/* The words of argv after the line so far: the first n_fixed as written
 * when they are keywords, every other one single-quoted.  A word on one
 * line (nearly all) is measured quoted and written once, straight into
 * sb; one with a newline or a tab is quoted aside first, its columns
 * counted from its text. */
static void add_argv(struct strbuf *sb, int indent, const struct strvec *argv, size_t n_fixed)
{
	struct strbuf q = STRBUF_INIT;
	size_t col = column(sb);
	for (size_t i = 0; i < argv->n; i++) {
		const char *w = argv->v[i];
		size_t len = strcspn(w, "'\n\t"); /* the whole word, nearly always */
		bool plain = !w[len];
		if (!plain)
			len += strlen(w + len);
		bool keyword = i < n_fixed && is_keyword(w);
		if (!plain && (memchr(w, '\n', len) || memchr(w, '\t', len))) {
			sb_reset(&q);
			if (keyword)
				sb_add(&q, w, len);
			else
				sh_quote(&q, w);
			add_wrapped(sb, indent, q.buf, q.len, &col);
			continue;
		}
		size_t quotes = 0;
		for (const char *p = w; !plain && (p = memchr(p, '\'', len - (size_t)(p - w))) != NULL; p++)
			quotes++;
		size_t width = keyword ? len : len + 2 + 3 * quotes; /* ' becomes '\'' */
		if (col + 1 + width > WRAP_COLUMN) {
			sb_adds(sb, " \\\n");
			add_indent(sb, indent + 1);
			col = 8 * (size_t)(indent + 1);
		} else {
			sb_addc(sb, ' ');
			col++;
		}
		if (keyword) {
			sb_add(sb, w, len);
		} else if (!quotes) {
			sb_grow(sb, len + 2);
			sb_addc(sb, '\'');
			sb_add(sb, w, len);
			sb_addc(sb, '\'');
		} else {
			sh_quote(sb, w);
		}
		col += width;
	}
	sb_release(&q);
}

/* <indent><helper> 'WHAT' "$ENGINE"<words> */
static void add_engine_call(struct strbuf *sb, int indent, const char *helper, const char *what)
{
	add_indent(sb, indent);
	sb_adds(sb, helper);
	sb_addc(sb, ' ');
	sh_quote(sb, what);
	sb_adds(sb, " \"$ENGINE\"");
}

/* <indent><helper> 'arg' 'arg'...: a call of a script function; the
 * caller ends the line. */
static void add_call(struct strbuf *sb, int indent, const char *helper, const char *const *args, size_t n)
{
	add_indent(sb, indent);
	sb_adds(sb, helper);
	for (size_t i = 0; i < n; i++) {
		sb_addc(sb, ' ');
		sh_quote(sb, args[i]);
	}
}

static void add_call_line(struct strbuf *sb, int indent, const char *helper, const char *const *args, size_t n)
{
	add_call(sb, indent, helper, args, n);
	sb_addc(sb, '\n');
}

static void add_loc_comment(struct strbuf *sb, const char *what, struct loc loc)
{
	sb_adds(sb, "# ");
	sb_adds(sb, what);
	if (loc.file) {
		sb_adds(sb, " (");
		sh_comment_text(sb, loc.file);
		if (loc.line)
			sb_addf(sb, ":%d:%d", loc.line, loc.col);
		sb_addc(sb, ')');
	}
	sb_addc(sb, '\n');
}

/* ---- names and numbers ------------------------------------------------------------- */

static size_t service_index(const struct project *p, const struct service *s)
{
	return project_service_index(p, s);
}

/* up_<service>, with every byte a shell name cannot hold as '_', and '_'
 * appended until no other service has the name. */
static void name_functions(struct sh *sh)
{
	struct strmap used;
	strmap_init(&used, sh->a);
	sh->fn = arena_alloc(sh->a, (sh->p->n_services + 1) * sizeof(*sh->fn));
	for (size_t i = 0; i < sh->p->n_services; i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, "up_");
		for (const char *c = sh->p->services[i]->name; *c; c++)
			sb_addc(&sb, strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", *c) ? *c : '_');
		while (strmap_has(&used, sb.buf))
			sb_addc(&sb, '_');
		sh->fn[i] = sb_to_arena(&sb, sh->a);
		strmap_put(&used, sh->fn[i], (void *)sh->fn[i]);
		sb_release(&sb);
	}
}

/* The name of a service's pre_start step i: per replica, or once for the
 * service (replica 0). */
static const char *step_name(struct sh *sh, const struct service *s, int replica, size_t i)
{
	const char *base = replica ? plan_container_name(sh->a, sh->p, s, replica)
			   : s->replicas == 1 ? plan_container_name(sh->a, sh->p, s, 1)
					      : arena_concat(sh->a, sh->p->name, "-", s->name, (char *)NULL);
	char n[24];
	return arena_concat(sh->a, base, "-pre-start-", decimal(n, i + 1), (char *)NULL);
}

/* A step runs once for all replicas unless per_replica: true, or when
 * there is one replica anyway. */
static bool step_shared(const struct service *s, size_t i)
{
	return s->replicas == 1 || s->pre_start[i].per_replica != TRI_TRUE;
}

/* Checks a second apart until compose would call the service unhealthy,
 * plus a margin. */
/* The checks a second apart that a wait on edge e may take: its bound in
 * whole seconds; 0 (a completion) is no limit. */
static long long edge_tries(const struct plan_edge *e)
{
	return (long long)((e->bound + IR_USEC_PER_SEC - 1) / IR_USEC_PER_SEC);
}

static long long stop_seconds(const struct service *s)
{
	return s->stop_grace_period == IR_UNSET ? STOP_TIMEOUT_DEFAULT
						: (long long)(s->stop_grace_period / IR_USEC_PER_SEC);
}

/* Whether a dependent waits for s with service_completed_successfully. */
static bool waited_to_complete(const struct sh *sh, const struct service *s)
{
	return plan_service(sh->plan, s)->waited & PLAN_WAITED_COMPLETED;
}

/* --restart=<policy> of the plan.  A one-shot service that the engine
 * restarts whenever it exits would never be seen completed: its restart
 * policy is dropped, with a warning. */
static const char *restart_flag(struct sh *sh, const struct service *s, bool warn)
{
	const struct plan_restart *r = &plan_service(sh->plan, s)->restart;
	if ((r->policy == RESTART_ALWAYS || r->policy == RESTART_UNLESS_STOPPED) && waited_to_complete(sh, s)) {
		if (warn)
			diag_warning(sh->d, r->loc,
				     "service \"%s\": restart is ignored: a service waited for with "
				     "service_completed_successfully runs once",
				     s->name);
		return NULL;
	}
	return run_arg_restart(sh->a, r);
}

/* ---- a service's containers --------------------------------------------------------- */

/* Length-prefixed, so that no two lists of words serialize alike;
 * without compose's labels (run_args_compose_label). */
static void ser_words(struct strbuf *sb, const struct strvec *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += !run_args_compose_label(v->v[i]);
	sb_addc(sb, 'W');
	sb_addu(sb, n);
	sb_addc(sb, ';');
	for (size_t i = 0; i < v->n; i++) {
		if (run_args_compose_label(v->v[i]))
			continue;
		size_t len = strlen(v->v[i]);
		sb_addc(sb, 'S');
		sb_addu(sb, len);
		sb_addc(sb, ':');
		sb_add(sb, v->v[i], len);
		sb_addc(sb, ';');
	}
}

/* The definition hash of a service's containers: their create argv (but
 * the name) and the definitions of the service's pre_start steps.  The
 * argv and the steps are hashed side by side, then the steps' hashes are
 * appended to the argv's. */
static const char *config_hash(struct sh *sh, const struct service *s, const struct strvec *create)
{
	size_t k = 1 + s->n_pre_start;
	struct strbuf *sb = arena_alloc(sh->a, k * sizeof(*sb));
	const void **data = arena_alloc(sh->a, k * sizeof(*data));
	size_t *len = arena_alloc(sh->a, k * sizeof(*len));
	uint64_t *h = arena_alloc(sh->a, k * sizeof(*h));
	for (size_t i = 0; i < k; i++)
		sb[i] = (struct strbuf)STRBUF_INIT;
	sb_adds(&sb[0], "composec sh container v1;");
	ser_words(&sb[0], create);
	for (size_t i = 0; i < s->n_pre_start; i++)
		pre_start_serialize(&s->pre_start[i], &sb[1 + i]);
	for (size_t i = 0; i < k; i++) {
		data[i] = sb[i].buf;
		len[i] = sb[i].len;
	}
	hash_fnv1a_many(data, len, h, k);
	for (size_t i = 1; i < k; i++) {
		char step[20];
		step[0] = 'P';
		hex16(step + 1, h[i]);
		step[17] = ';';
		h[0] = hash_fnv1a_more(h[0], step, 18);
	}
	for (size_t i = 0; i < k; i++)
		sb_release(&sb[i]);
	char *hex = arena_alloc(sh->a, 17);
	hex16(hex, h[0]);
	return hex;
}

/* ensure 'WHAT' 'NAME' 'HASH' "$ENGINE" create --name=NAME --label=HASH ... */
static void add_ensure(struct sh *sh, struct strbuf *sb, const struct service *s, int replica)
{
	struct strvec flags = { 0 }, image = { 0 }, create = { 0 }, head = { 0 };
	const char *name = plan_container_name(sh->a, sh->p, s, replica);
	run_args_service(sh->a, sh->d, sh->plan, s, replica, replica == 1, &flags, &image);
	const char *restart = restart_flag(sh, s, replica == 1);
	if (restart)
		strvec_push(&create, sh->a, restart);
	for (size_t i = 0; i < flags.n; i++)
		strvec_push(&create, sh->a, flags.v[i]);
	for (size_t i = 0; i < image.n; i++)
		strvec_push(&create, sh->a, image.v[i]);
	size_t nfiles;
	struct plan_file *files = plan_files(sh->a, replica == 1 ? sh->d : NULL, sh->plan, s, &nfiles);
	/* the files are part of the definition: a changed one makes a new container */
	struct strvec hashed = { 0 };
	for (size_t i = 0; nfiles && i < create.n; i++)
		strvec_push(&hashed, sh->a, create.v[i]);
	for (size_t i = 0; i < nfiles; i++)
		strvec_push(&hashed, sh->a,
			    arena_printf(sh->a, "file %s %04llo %s:%s %s", files[i].path, (unsigned long long)files[i].mode,
					 files[i].uid ? files[i].uid : "0", files[i].gid ? files[i].gid : "0",
					 files[i].content));
	const char *hash = config_hash(sh, s, nfiles ? &hashed : &create);
	const char *args[] = { arena_concat(sh->a, "service \"", s->name, "\": create ", name, (char *)NULL), name, hash };
	add_call(sb, 1, "ensure", args, ARRAY_SIZE(args));
	sb_adds(sb, " \"$ENGINE\" create");
	strvec_push(&head, sh->a, arena_concat(sh->a, "--name=", name, (char *)NULL));
	strvec_push(&head, sh->a, arena_concat(sh->a, "--label=" HASH_LABEL "=", hash, (char *)NULL));
	add_argv(sb, 1, &head, 0);
	add_argv(sb, 1, &create, 0);
	sb_addc(sb, '\n');
	if (nfiles) {
		add_call(sb, 1, "if fresh", &name, 1);
		sb_adds(sb, "; then\n");
		for (size_t i = 0; i < nfiles; i++) {
			const struct plan_file *f = &files[i];
			const char *put[] = {
				arena_printf(sh->a, "service \"%s\": %s \"%s\" into %s", s->name, f->what, f->name, name),
				name, f->path, arena_printf(sh->a, "%04llo", (unsigned long long)f->mode),
				f->uid ? f->uid : "0", f->gid ? f->gid : "0", f->content,
				f->cp_option,
			};
			add_call_line(sb, 2, "put_file", put, ARRAY_SIZE(put) - !put[7]);
		}
		sb_adds(sb, "\tfi\n");
	}
	/* an engine that takes one network at create: the others before the
	 * first start (run_args_connects) */
	size_t n;
	struct strvec *connects = run_args_connects(sh->a, replica == 1 ? sh->d : NULL, sh->plan, s, name, &n);
	if (!n)
		return;
	add_call(sb, 1, "if fresh", &name, 1);
	sb_adds(sb, "; then\n");
	for (size_t i = 0; i < n; i++) {
		const char *net = connects[i].v[connects[i].n - 2];
		add_engine_call(sb, 2, "must",
				arena_concat(sh->a, "service \"", s->name, "\": connect ", name, " to ", net, (char *)NULL));
		add_argv(sb, 2, &connects[i], 2);
		sb_addc(sb, '\n');
	}
	sb_adds(sb, "\tfi\n");
}

/* remove 'STEP'; must 'WHAT' "$ENGINE" run --rm --name=STEP ... */
static void add_step(struct sh *sh, struct strbuf *sb, const struct service *s, int replica, size_t i)
{
	struct strvec argv = { 0 };
	const char *name = step_name(sh, s, replica, i);
	run_args_pre_start(sh->a, sh->plan, s, i, name, &argv);
	add_call_line(sb, 2, "remove", &name, 1);
	const char *what = replica ? arena_printf(sh->a, "service \"%s\": replica %d: pre_start step %zu", s->name,
						  replica, i + 1)
				   : arena_printf(sh->a, "service \"%s\": pre_start step %zu", s->name, i + 1);
	add_engine_call(sb, 2, "must", what);
	add_argv(sb, 2, &argv, 2);
	sb_addc(sb, '\n');
}

/* if fresh 'NAME' [|| fresh 'NAME'...]; then */
static void add_if_fresh(struct sh *sh, struct strbuf *sb, const struct service *s, int replica)
{
	sb_adds(sb, "\tif");
	int from = replica ? replica : 1, to = replica ? replica : (int)s->replicas;
	for (int r = from; r <= to; r++) {
		sb_adds(sb, r > from ? " || fresh " : " fresh ");
		sh_quote(sb, plan_container_name(sh->a, sh->p, s, r));
	}
	sb_adds(sb, "; then\n");
}

/* The shared steps when any replica is new, then each replica's own. */
static void add_steps(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	bool shared = false, own = false;
	for (size_t i = 0; i < s->n_pre_start; i++) {
		shared |= step_shared(s, i);
		own |= !step_shared(s, i);
	}
	if (shared) {
		add_if_fresh(sh, sb, s, 0);
		for (size_t i = 0; i < s->n_pre_start; i++)
			if (step_shared(s, i))
				add_step(sh, sb, s, 0, i);
		sb_adds(sb, "\tfi\n");
	}
	for (int r = 1; own && r <= (int)s->replicas; r++) {
		add_if_fresh(sh, sb, s, r);
		for (size_t i = 0; i < s->n_pre_start; i++)
			if (!step_shared(s, i))
				add_step(sh, sb, s, r, i);
		sb_adds(sb, "\tfi\n");
	}
}

/* One must/try line per hook: <engine> exec ... */
static void add_hooks(struct sh *sh, struct strbuf *sb, const struct service *s, const char *name,
		      const char *helper, const char *kind, const struct hook *hooks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strvec argv = { 0 };
		run_args_exec_hook(sh->a, &hooks[i], name, &argv);
		add_engine_call(sb, 2, helper,
				arena_printf(sh->a, "service \"%s\": %s hook %zu in %s", s->name, kind, i + 1, name));
		add_argv(sb, 2, &argv, 1);
		sb_addc(sb, '\n');
	}
}

/* Start the container unless it runs, then its post_start hooks. */
static void add_start(struct sh *sh, struct strbuf *sb, const struct service *s, int replica)
{
	const char *name = plan_container_name(sh->a, sh->p, s, replica);
	sb_adds(sb, "\tif running ");
	sh_quote(sb, name);
	sb_adds(sb, "; then\n");
	const char *up_to_date = arena_concat(sh->a, "service \"", s->name, "\": ", name, " runs, up to date", (char *)NULL);
	add_call_line(sb, 2, "say", &up_to_date, 1);
	sb_adds(sb, "\telse\n");
	add_engine_call(sb, 2, "quiet", arena_concat(sh->a, "service \"", s->name, "\": start ", name, (char *)NULL));
	sb_adds(sb, " start");
	struct strvec argv = { 0 };
	strvec_push(&argv, sh->a, name);
	add_argv(sb, 2, &argv, 0);
	sb_addc(sb, '\n');
	add_hooks(sh, sb, s, name, "must", "post_start", s->post_start, s->n_post_start);
	sb_adds(sb, "\tfi\n");
}

/* ---- dependencies and builds --------------------------------------------------------- */

/* wait_healthy / wait_completed for every replica of one dependency. */
static void add_wait(struct sh *sh, struct strbuf *sb, const struct service *s, const struct plan_edge *e)
{
	const struct service *t = e->target;
	bool healthy = e->wait == DEP_HEALTHY;
	const char *what = arena_printf(sh->a, "service \"%s\": wait until \"%s\" %s", s->name, t->name,
					healthy ? "is healthy" : "completed successfully");
	for (int r = 1; r <= (int)t->replicas; r++) {
		const char *args[] = { what, plan_container_name(sh->a, sh->p, t, r) };
		if (e->required) {
			add_call(sb, 1, healthy ? "wait_healthy" : "wait_completed", args, ARRAY_SIZE(args));
			sb_addf(sb, " %lld\n", edge_tries(e));
			continue;
		}
		/* required: false: the condition may fail, in a subshell,
		 * and the service starts without it (plan.h) */
		sb_adds(sb, "\tif ! (");
		add_call(sb, 0, healthy ? "wait_healthy" : "wait_completed", args, ARRAY_SIZE(args));
		sb_addf(sb, " %lld); then\n", edge_tries(e));
		const char *without = arena_printf(sh->a, "service \"%s\": starting without \"%s\" (required: false)",
						   s->name, t->name);
		add_call_line(sb, 2, "say", &without, 1);
		sb_adds(sb, "\tfi\n");
	}
}

static void add_waits(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	const struct plan_service *ps = plan_service(sh->plan, s);
	for (size_t i = 0; i < ps->n_edges; i++) {
		const struct plan_edge *e = &ps->edges[i];
		if (e->restart && !e->dep->implicit)
			diag_warning(sh->d, e->dep->loc,
				     "service \"%s\": depends_on.restart cannot be expressed by the sh script (it "
				     "does not restart \"%s\" when \"%s\" is recreated), ignoring",
				     s->name, s->name, e->target->name);
		if (e->wait != DEP_STARTED)
			add_wait(sh, sb, s, e);
	}
}

/* have image 'IMAGE' || must 'WHAT' "$ENGINE" build ... ; a
 * dockerfile_inline comes on standard input (--file=-, before the context,
 * which runargs writes last). */
static void add_build(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	struct strvec built = { 0 }, argv = { 0 };
	run_args_build(sh->a, sh->plan, s, &built);
	for (size_t i = 0; i < built.n; i++) {
		if (i + 1 == built.n && s->build.dockerfile_inline)
			strvec_push(&argv, sh->a, "--file=-");
		strvec_push(&argv, sh->a, built.v[i]);
	}
	const char *image = plan_image_name(sh->a, sh->p, s);
	add_call(sb, 1, "have image", &image, 1);
	sb_adds(sb, " ||\n");
	if (s->build.dockerfile_inline) {
		sb_adds(sb, "\t\tprintf '%s' ");
		sh_quote(sb, s->build.dockerfile_inline);
		sb_adds(sb, " |\n");
	}
	add_engine_call(sb, 2, "must", arena_printf(sh->a, "service \"%s\": build %s", s->name, image));
	add_argv(sb, 2, &argv, 1);
	sb_addc(sb, '\n');
}

/* up_<service>() { ... } */
/* [ -e 'DIR' ] || must '...' mkdir -p 'DIR': the bind sources docker
 * compose creates when missing (plan.h). */
static void add_bind_dirs(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	const struct strlist *l = &plan_service(sh->plan, s)->bind_dirs;
	for (size_t i = 0; i < l->n; i++) {
		sb_adds(sb, "	[ -e ");
		sh_quote(sb, l->v[i]);
		sb_adds(sb, " ] ||\n");
		const char *args[] = { arena_concat(sh->a, "service \"", s->name, "\": create ", l->v[i], (char *)NULL),
				       "mkdir", "-p", l->v[i] };
		add_call_line(sb, 2, "must", args, ARRAY_SIZE(args));
	}
}

static void emit_up_service(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	add_loc_comment(sb, arena_concat(sh->a, "service \"", s->name, "\"", (char *)NULL), s->loc);
	sb_adds(sb, sh->fn[service_index(sh->p, s)]);
	sb_adds(sb, "() {\n");
	add_waits(sh, sb, s);
	if (s->build.present)
		add_build(sh, sb, s);
	add_bind_dirs(sh, sb, s);
	for (int r = 1; r <= (int)s->replicas; r++)
		add_ensure(sh, sb, s, r);
	add_steps(sh, sb, s);
	for (int r = 1; r <= (int)s->replicas; r++)
		add_start(sh, sb, s, r);
	sb_adds(sb, "}\n\n");
}

/* emit_items' item i: the function of the i-th service in order, with the
 * thread's own scratch arena and messages. */
static void up_item(void *ctx, const struct item_env *env, size_t i)
{
	struct sh sh = *(const struct sh *)ctx;
	sh.a = env->a;
	sh.d = env->d;
	if (sh.p->order[i]->replicas > 0)
		emit_up_service(&sh, env->sb, sh.p->order[i]);
}

/* ---- networks and volumes ------------------------------------------------------------ */

/* have network 'NAME' || quiet 'WHAT' "$ENGINE" network create ... ; an
 * external one must exist. */
static void add_create_resource(struct sh *sh, struct strbuf *sb, const struct resource *r)
{
	const char *kind = r->kind == RES_NETWORK ? "network" : "volume";
	sb_addf(sb, "\thave %s ", kind);
	sh_quote(sb, r->name);
	sb_adds(sb, " ||\n");
	if (r->external) {
		const char *msg = arena_printf(sh->a, "external %s \"%s\" does not exist", kind, r->name);
		add_call_line(sb, 2, "die", &msg, 1);
		return;
	}
	struct strvec argv = { 0 };
	if (r->kind == RES_NETWORK)
		run_args_network_create(sh->a, sh->p, r, sh->e, &argv);
	else
		run_args_volume_create(sh->a, sh->p, r, &argv);
	add_engine_call(sb, 2, "quiet", arena_printf(sh->a, "%s \"%s\": create %s", kind, r->key, r->name));
	add_argv(sb, 2, &argv, 2);
	sb_addc(sb, '\n');
}

static void emit_up(struct sh *sh, struct strbuf *sb)
{
	sb_adds(sb, "# up: networks and volumes, then the services in dependency order\nup() {\n");
	for (int k = RES_NETWORK; k <= RES_VOLUME; k++) {
		const bool *used = project_resources_used(sh->p, k, sh->a);
		for (size_t i = 0; i < sh->p->n_res[k]; i++)
			if (used[i])
				add_create_resource(sh, sb, sh->p->res[k][i]);
	}
	for (size_t i = 0; i < sh->p->n_services; i++)
		if (sh->p->order[i]->replicas > 0)
			sb_addf(sb, "\t%s\n", sh->fn[service_index(sh->p, sh->p->order[i])]);
	const char *done = arena_printf(sh->a, "project \"%s\" is up", sh->p->name);
	add_call_line(sb, 1, "say", &done, 1);
	sb_adds(sb, "}\n\n");
}

/* ---- down and ps --------------------------------------------------------------------- */

/* pre_stop hooks and stop while it runs, then removal; the step
 * containers a stopped script may have left too. */
static void add_down_container(struct sh *sh, struct strbuf *sb, const struct service *s, int replica)
{
	const char *name = plan_container_name(sh->a, sh->p, s, replica);
	sb_adds(sb, "\tif running ");
	sh_quote(sb, name);
	sb_adds(sb, "; then\n");
	add_hooks(sh, sb, s, name, "try", "pre_stop", s->pre_stop, s->n_pre_stop);
	add_engine_call(sb, 2, "quiet", arena_printf(sh->a, "service \"%s\": stop %s", s->name, name));
	struct strvec argv = { 0 };
	strvec_push(&argv, sh->a, name);
	sb_addf(sb, " stop -t %lld", stop_seconds(s));
	add_argv(sb, 2, &argv, 0);
	sb_adds(sb, "\n\tfi\n");
	add_call_line(sb, 1, "remove", &name, 1);
	for (size_t i = 0; i < s->n_pre_start; i++)
		if (!step_shared(s, i)) {
			const char *step = step_name(sh, s, replica, i);
			add_call_line(sb, 1, "remove", &step, 1);
		}
}

static void add_down_service(struct sh *sh, struct strbuf *sb, const struct service *s)
{
	sb_addc(sb, '\t');
	add_loc_comment(sb, arena_printf(sh->a, "service \"%s\"", s->name), (struct loc){ 0 });
	for (int r = (int)s->replicas; r >= 1; r--)
		add_down_container(sh, sb, s, r);
	for (size_t i = 0; i < s->n_pre_start; i++)
		if (step_shared(s, i)) {
			const char *step = step_name(sh, s, 0, i);
			add_call_line(sb, 1, "remove", &step, 1);
		}
}

/* `<test> NAME; then quiet ... <network|volume> rm NAME; fi` for each of
 * the project's own networks or volumes that a service uses (not an
 * external one). */
static void add_down_resources(struct sh *sh, struct strbuf *sb, enum resource_kind k, const char *test)
{
	const char *what = k == RES_NETWORK ? "network" : "volume";
	const bool *used = project_resources_used(sh->p, k, sh->a);
	for (size_t i = 0; i < sh->p->n_res[k]; i++) {
		const struct resource *r = sh->p->res[k][i];
		if (r->external || !used[i])
			continue;
		sb_adds(sb, test);
		sh_quote(sb, r->name);
		sb_adds(sb, "; then\n");
		add_engine_call(sb, 2, "quiet", arena_printf(sh->a, "%s \"%s\": remove %s", what, r->key, r->name));
		sb_addf(sb, " %s rm", what);
		struct strvec argv = { 0 };
		strvec_push(&argv, sh->a, r->name);
		add_argv(sb, 2, &argv, 0);
		sb_adds(sb, "\n\tfi\n");
	}
}

static void emit_down(struct sh *sh, struct strbuf *sb)
{
	sb_adds(sb, "# down: the services in reverse dependency order, then the networks; the volumes\n"
		    "# stay unless --volumes\ndown() {\n");
	for (size_t i = sh->p->n_services; i-- > 0;)
		if (sh->p->order[i]->replicas > 0)
			add_down_service(sh, sb, sh->p->order[i]);
	add_down_resources(sh, sb, RES_NETWORK, "\tif have network ");
	add_down_resources(sh, sb, RES_VOLUME, "\tif [ -n \"$VOLUMES\" ] && have volume ");
	const char *done = arena_printf(sh->a, "project \"%s\" is down", sh->p->name);
	add_call_line(sb, 1, "say", &done, 1);
	sb_adds(sb, "}\n\n");
}

static void emit_ps(struct sh *sh, struct strbuf *sb)
{
	sb_adds(sb, "# ps: the project's containers\nps() {\n\t\"$ENGINE\" ps -a --filter ");
	sh_quote(sb, arena_printf(sh->a, "label=%s=%s", PROJECT_LABEL, sh->p->name));
	sb_adds(sb, "\n}\n\n");
}

/* ---- the script ---------------------------------------------------------------------- */

static void emit_header(struct sh *sh, struct strbuf *sb, const struct backend_options *o)
{
	sb_adds(sb, "#!/bin/sh\n# " BACKEND_GENERATED_MARK "\n# compose project \"");
	sh_comment_text(sb, sh->p->name);
	sb_addf(sb, "\"\n# usage: sh " SCRIPT_NAME " [up|down [-v|--volumes]|ps]   (default: up)\n"
		    "# engine: $COMPOSEC_ENGINE, else %s, found on PATH\n",
		engine_names[sh->e]);
	sb_adds(sb,
		"#\n"
		"# up is idempotent.  Each container carries the label " HASH_LABEL ", a hash of\n"
		"# its definition and of its service's pre_start steps.  A container that is missing or\n"
		"# carries another hash is (re)created, a running one stopped first; one created but\n"
		"# never started runs the pre_start steps, then starts; one stopped is started again\n"
		"# (its steps succeeded before); one running is left alone.\n"
		"#\n"
		"# Every compose value is one single-quoted word: '$', '`' and '\\' in it are meant literally.\n"
		"# shellcheck disable=SC2016,SC1003\n"
		"set -eu\n\n");
	sb_adds(sb, "ENGINE=${COMPOSEC_ENGINE:-");
	if (o->engine_path)
		sh_quote(sb, o->engine_path);
	else
		sb_adds(sb, engine_names[sh->e]);
	sb_adds(sb, "}\nVOLUMES=\n\n");
}

static void emit_dispatch(struct strbuf *sb)
{
	sb_adds(sb, "case ${1:-up} in\n"
		    "up) up ;;\n"
		    "down)\n"
		    "\tcase ${2-} in\n"
		    "\t-v | --volumes) VOLUMES=1 ;;\n"
		    "\t'') ;;\n"
		    "\t*)\n"
		    "\t\techo \"usage: ${0##*/} down [-v|--volumes]\" >&2\n"
		    "\t\texit 2\n"
		    "\t\t;;\n"
		    "\tesac\n"
		    "\tdown\n"
		    "\t;;\n"
		    "ps) ps ;;\n"
		    "*)\n"
		    "\techo \"usage: ${0##*/} [up|down [-v|--volumes]|ps]\" >&2\n"
		    "\texit 2\n"
		    "\t;;\n"
		    "esac\n");
}

/* Whether some service has a file to copy in (plan_files). */
static bool project_copies_files(const struct plan *pl)
{
	const struct project *p = pl->project;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		for (size_t k = 0; k < s->n_secrets; k++)
			if (plan_file_copied(s->secrets[k].def))
				return true;
		for (size_t k = 0; k < s->n_configs; k++)
			if (plan_file_copied(s->configs[k].def))
				return true;
	}
	return false;
}

static int emit_sh(struct arena *a, struct diag *d, const struct plan *plan,
			const struct backend_options *o, struct fileset *out)
{
	const struct project *p = plan->project;
	struct sh sh = { .a = a, .d = d, .p = p, .plan = plan, .e = o->engine };
	struct strbuf sb = STRBUF_INIT;
	name_functions(&sh);
	emit_header(&sh, &sb, o);
	sb_adds(&sb, prelude);
	sb_adds(&sb, wait_healthy_fn[sh.e]);
	if (project_copies_files(plan))
		sb_adds(&sb, put_file_fn);
	/* the services are written on two threads (parallel.h), each with
	 * scratch memory of its own for what a service needs while it is
	 * written (argv, names, hashes); what they share is made before and
	 * only read: the function names, the plan */
	emit_items(p->n_services, up_item, &sh, d, &sb, out);
	emit_up(&sh, &sb);
	emit_down(&sh, &sb);
	emit_ps(&sh, &sb);
	emit_dispatch(&sb);
	return fileset_take(out, SCRIPT_NAME, 0755, &sb);
}

const struct backend backend_sh = {
	.name = "sh",
	.output = OUTPUT_FILE,
	.emit = emit_sh,
	.one_host = true,
	.copies_files = true,
};
