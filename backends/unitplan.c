/*
 * unitplan.c - unitplan.h.  Every name reaches a wait script through
 * sh_quote (escape.h); the caller puts the script into an Exec*= line
 * with its own escaper.
 */
#include "backends/unitplan.h"
#include "backends/escape.h"
#include "backends/backend.h"

#include <string.h>

void unit_wait_loop(struct strbuf *sb, const char *body, const char *what, int64_t limit)
{
	sb_adds(sb, "n=0; while :; do ");
	sb_adds(sb, body);
	sb_addf(sb, " n=$((n+1)); if [ \"$n\" -ge %lld ]; then echo ", (long long)limit);
	sh_quote(sb, what);
	sb_adds(sb, " >&2; exit 1; fi; sleep 1; done");
}

/* The loop's body for one container: exit 0 once it is running or
 * healthy; exit 1 when it is unhealthy or its unit did not start. */
static void wait_body(struct arena *a, struct strbuf *body, const char *engine, enum engine kind,
		      enum dep_condition cond, const char *container, const char *unit)
{
	if (cond == DEP_HEALTHY && kind == ENGINE_PODMAN) {
		/* podman runs the check itself, without its timers */
		sb_adds(body, "if ");
		sh_quote(body, engine);
		sb_adds(body, " healthcheck run ");
		sh_quote(body, container);
		sb_adds(body, " >/dev/null 2>&1; then exit 0; fi; ");
	}
	if (cond == DEP_HEALTHY) {
		/* unhealthy (retries checks failed) ends the wait, as in compose */
		sb_adds(body, "s=$(");
		sh_quote(body, engine);
		sb_adds(body, " inspect -f '{{.State.Health.Status}}' ");
		sh_quote(body, container);
		sb_adds(body, " 2>/dev/null); if [ \"$s\" = healthy ]; then exit 0; fi; if [ \"$s\" = unhealthy ]; then echo ");
		sh_quote(body, arena_printf(a, "dependency failed to start: container %s is unhealthy", container));
		sb_adds(body, " >&2; exit 1; fi;");
	} else {
		sb_adds(body, "if [ \"$(");
		sh_quote(body, engine);
		sb_adds(body, " inspect -f '{{.State.Running}}' ");
		sh_quote(body, container);
		sb_adds(body, " 2>/dev/null)\" = true ]; then exit 0; fi;");
	}
	/* its start job is over (After=): inactive or failed, it did not start */
	sb_adds(body, " case $(" UNIT_SYSTEMCTL " is-active ");
	sh_quote(body, unit);
	sb_adds(body, ") in inactive|failed) echo ");
	sh_quote(body, arena_printf(a, "dependency failed to start: %s did not start", unit));
	sb_adds(body, " >&2; exit 1;; esac;");
}

void unit_wait_script(struct arena *a, struct strbuf *script, const char *engine, enum engine kind,
		    enum dep_condition cond, int64_t bound, const char *container, const char *unit)
{
	if (cond == DEP_COMPLETED) {
		sb_adds(script, "exec " UNIT_SYSTEMCTL " is-active --quiet ");
		sh_quote(script, unit);
		return;
	}
	struct strbuf body = STRBUF_INIT;
	int64_t limit = (bound + IR_USEC_PER_SEC - 1) / IR_USEC_PER_SEC;
	wait_body(a, &body, engine, kind, cond, container, unit);
	const char *what = arena_printf(a, "dependency failed to start: %s is not %s after %lld seconds", container,
					cond == DEP_HEALTHY ? "healthy" : "running", (long long)limit);
	unit_wait_loop(script, body.buf, what, limit);
	sb_release(&body);
}

/* ---- restart ------------------------------------------------------------------------ */

void unit_timespan(struct strbuf *sb, const char *key, int64_t usec)
{
	if (usec % IR_USEC_PER_SEC == 0)
		sb_addf(sb, "%s=%llds\n", key, (long long)(usec / IR_USEC_PER_SEC));
	else if (usec % 1000 == 0)
		sb_addf(sb, "%s=%lldms\n", key, (long long)(usec / 1000));
	else
		sb_addf(sb, "%s=%lldus\n", key, (long long)usec);
}

struct unit_restart unit_restart_of(const struct plan *pl, const struct service *s)
{
	static const char *const by_policy[RESTART__MAX] = {
		[RESTART_UNSET] = "no", [RESTART_NO] = "no", [RESTART_ALWAYS] = "always",
		[RESTART_ON_FAILURE] = "on-failure", [RESTART_UNLESS_STOPPED] = "always",
	};
	const struct plan_restart *r = &plan_service(pl, s)->restart;
	const struct deploy *dp = &s->deploy;
	struct unit_restart out = { r->other ? "no" : by_policy[r->policy], r->max_retries, IR_UNSET, IR_UNSET };
	if (dp->restart_policy.present) {
		out.delay = dp->restart_policy.delay;
		out.window = dp->restart_policy.window;
	}
	return out;
}

bool unit_restarts(const struct unit_restart *r)
{
	return strcmp(r->policy, "no") != 0;
}

void unit_restart_sec(struct strbuf *sb, const struct unit_restart *r)
{
	unit_timespan(sb, "RestartSec", r->delay != IR_UNSET ? r->delay : IR_USEC_PER_SEC);
}

void unit_start_limit(struct strbuf *sb, const struct unit_restart *r, bool step_retries)
{
	if (!unit_restarts(r))
		return;
	if ((r->retries == IR_UNSET || r->retries <= 0) && step_retries) {
		sb_addf(sb, "StartLimitIntervalSec=60s\nStartLimitBurst=%d\n", UNIT_STEP_START_LIMIT);
		return;
	}
	if (r->retries == IR_UNSET || r->retries <= 0) {
		sb_adds(sb, "StartLimitIntervalSec=0\n");
		return;
	}
	if (r->window != IR_UNSET && r->window > 0)
		unit_timespan(sb, "StartLimitIntervalSec", r->window);
	else
		sb_adds(sb, "StartLimitIntervalSec=infinity\n");
	sb_addf(sb, "StartLimitBurst=%lld\n", (long long)r->retries + 1);
}

/* ---- configs and secrets written inline or from the environment ---- */

const char *unit_files_script_name(struct arena *a, const struct project *p, const struct service *s)
{
	return unit_base_name(a, p->name, s->name, ".files.sh");
}

/* The fixed part of each script: how one file is put in place. */
static const char copy_fn[] =
	"# Every compose value is one single-quoted word: '$', '`' and '\\' in it are meant literally.\n"
	"# shellcheck disable=SC2016,SC1003\n"
	"set -eu\n"
	"engine=$1\n"
	"container=$2\n"
	"d=$(mktemp -d)\n"
	"trap 'rm -rf \"$d\"' EXIT\n\n"
	"# put PATH MODE UID GID CONTENT [CP-OPTION]: copy CONTENT into the container as the\n"
	"# file PATH, with MODE and owner UID:GID: an archive of the one file, whose missing\n"
	"# directories the engine creates\n"
	"put() {\n"
	"\trm -rf \"$d/root\" \"$d/archive\"\n"
	"\tf=${1#/}\n"
	"\tmkdir -p \"$d/root/$(dirname \"$f\")\"\n"
	"\t(umask 077 && printf '%s' \"$5\" >\"$d/root/$f\")\n"
	"\ttar -C \"$d/root\" -cf \"$d/archive\" --numeric-owner --owner=\"$3\" --group=\"$4\" --mode=\"$2\" \"$f\"\n"
	"\t\"$engine\" cp ${6:+\"$6\"} - \"$container:/\" <\"$d/archive\"\n"
	"}\n\n";

static const char write_fn[] =
	"# Every compose value is one single-quoted word: '$', '`' and '\\' in it are meant literally.\n"
	"# shellcheck disable=SC2016,SC1003\n"
	"set -eu\n"
	"dir=$1\n"
	"podman=$2\n"
	"rm -rf \"$dir\"\n"
	"(umask 077 && mkdir -p \"$dir\")\n\n"
	"# put N MODE UID GID CONTENT: CONTENT as the file DIR/N, with MODE and owner UID:GID\n"
	"# (- -: the container's user, which podman gives it when it binds it)\n"
	"put() {\n"
	"\t(umask 077 && printf '%s' \"$5\" >\"$dir/$1\")\n"
	"\tchmod \"$2\" \"$dir/$1\"\n"
	"\tcase $3:$4 in\n"
	"\t0:0 | -:-) ;;\n"
	"\t*) if [ \"$(id -u)\" -eq 0 ]; then chown \"$3:$4\" \"$dir/$1\"; else \"$podman\" unshare chown \"$3:$4\" \"$dir/$1\"; fi ;;\n"
	"\tesac\n"
	"}\n\n";

void unit_files_script(struct arena *a, const struct project *p, const struct service *s, const struct plan_file *f,
		       size_t n, enum unit_files_how how, const char *unit, struct strbuf *out)
{
	sb_adds(out, "# " BACKEND_GENERATED_MARK BACKEND_PROJECT_MARK);
	sb_adds(out, p->name);
	sb_adds(out, "\"\n# ");
	if (s->loc.file) {
		sh_comment_text(out, s->loc.file);
		sb_addf(out, ":%d:%d: ", s->loc.line, s->loc.col);
	}
	sb_addf(out, "service \"%s\": its configs and secrets written inline or taken from\n"
		     "# the environment.  %s runs `sh %s %s`\n",
		s->name, unit, unit_files_script_name(a, p, s),
		how == UNIT_FILES_COPY ? "ENGINE CONTAINER" : "DIR PODMAN");
	sb_adds(out, how == UNIT_FILES_COPY ? "# between creating its container and starting it: each file is copied in,\n"
					      "# as docker compose copies it.\n"
					    : "# before it starts its container, which binds each file DIR/N at its path.\n");
	sb_adds(out, how == UNIT_FILES_COPY ? copy_fn : write_fn);
	for (size_t i = 0; i < n; i++) {
		bool user = how == UNIT_FILES_WRITE && f[i].to_user;
		sb_adds(out, "put ");
		if (how == UNIT_FILES_COPY)
			sh_quote(out, f[i].path);
		else
			sb_addf(out, "%zu", i + 1);
		sb_addf(out, " %04llo ", (unsigned long long)f[i].mode);
		sh_quote(out, user ? "-" : f[i].uid ? f[i].uid : "0");
		sb_addc(out, ' ');
		sh_quote(out, user ? "-" : f[i].gid ? f[i].gid : "0");
		sb_addc(out, ' ');
		sh_quote(out, f[i].content);
		if (how == UNIT_FILES_COPY && f[i].cp_option) {
			sb_addc(out, ' ');
			sh_quote(out, f[i].cp_option);
		}
		sb_addc(out, '\n');
	}
}

void unit_exec_path_arg(struct strbuf *sb, const char *raw, const char *path)
{
	struct strbuf esc = STRBUF_INIT;
	systemd_exec_arg(&esc, path);
	sb_addc(sb, '"');
	sb_adds(sb, raw);
	sb_add(sb, esc.buf + 1, esc.len - 2); /* without its quotes */
	sb_addc(sb, '"');
	sb_release(&esc);
}

uint64_t unit_files_hash(uint64_t h, const struct plan_file *f, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "file %s %04llo %d %s:%s\n", f[i].path, (unsigned long long)f[i].mode, f[i].to_user,
			f[i].uid ? f[i].uid : "0", f[i].gid ? f[i].gid : "0");
		h = hash_fnv1a_more(h, sb.buf, sb.len);
		h = hash_fnv1a_more(h, f[i].content, strlen(f[i].content) + 1);
	}
	sb_release(&sb);
	return h;
}
