/*
 * sched.c - the scheduler of `up`, `down` and the stop, and the `ps`
 * command.
 *
 * Each service is brought up by a worker process (fork, then
 * rt_service_up), so that independent services proceed at the same time
 * while each one's commands stay a plain sequence.  A worker reports its
 * milestones on a pipe, one byte each (created, started, healthy,
 * completed) and exits 0, 1 (failed) or 3 (interrupted).  The parent
 * polls the pipes; a closed pipe means the worker ended, and waitpid gives
 * its status.  After every event it walks the services in plan order (which
 * is dependency order, so a failure reaches every dependent in one walk):
 * a pending service whose dependencies reached their conditions starts
 * when fewer than --jobs workers run; one with a required dependency that
 * can no longer get there is not started, nor one with a dependency that
 * did not start at all (required: false or not).  rt_verdict is that decision and
 * nothing else, so that it can be tested alone.
 *
 * `down` and the stop after `up` use the same machinery the other way
 * round: a service's worker (pre_stop, stop, then remove for down) starts
 * once every service that depends on it has stopped (rt_stop_verdict), so
 * that a dependency never stops under a running dependent, while
 * independent chains stop at the same time.  The resources have no order
 * among themselves: rt_each runs them all at once.
 *
 * SIGINT/SIGTERM: no more launches, SIGTERM to the workers (which pass it
 * to the command they run), and once all ended, the created services are
 * stopped as above: pre_stop hooks, then stop.  The stops run with
 * the signal cleared, so that they are not cut short themselves; a second
 * signal does cut them short.
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EVENT_POLL_MS 200

unsigned rt_needs(const struct rt_plan *p, size_t i)
{
	unsigned needs = 0;
	for (size_t j = 0; j < p->n_svc; j++)
		for (size_t d = 0; d < p->svc[j].n_deps; d++)
			if (p->svc[j].deps[d].index == i)
				needs |= 1u << p->svc[j].deps[d].cond;
	return needs & ~(1u << RT_COND_STARTED);
}

void rt_reach(struct rt_svc_state *s, char milestone)
{
	switch (milestone) {
	case RT_MS_CREATED: s->reached |= RT_REACHED_CREATED; break;
	case RT_MS_STARTED: s->reached |= 1u << RT_COND_STARTED; break;
	case RT_MS_HEALTHY: s->reached |= 1u << RT_COND_HEALTHY; break;
	case RT_MS_COMPLETED: s->reached |= 1u << RT_COND_COMPLETED; break;
	case RT_MS_STOPPED: s->reached |= RT_REACHED_STOPPED; break;
	default: break;
	}
}

static bool ended(enum rt_status s)
{
	return s == RT_DONE || s == RT_FAILED || s == RT_BLOCKED || s == RT_INTERRUPTED;
}

enum rt_verdict rt_verdict(const struct rt_plan *p, const struct rt_svc_state *st, size_t i, size_t *blocker)
{
	const struct rt_service *s = &p->svc[i];
	enum rt_verdict v = RT_READY;
	for (size_t d = 0; d < s->n_deps; d++) {
		const struct rt_dep *dep = &s->deps[d];
		const struct rt_svc_state *ds = &st[dep->index];
		if (ds->reached & (1u << dep->cond))
			continue;
		if (!ended(ds->status))
			v = RT_WAIT;
		else if (dep->required || !(ds->reached & (1u << RT_COND_STARTED))) {
			/* required: false lets the condition fail, not the
			 * start: docker compose's up stops at a start that
			 * fails, and its dependents do not start */
			*blocker = dep->index;
			return RT_NOT_STARTED;
		}
	}
	return v;
}

enum rt_verdict rt_stop_verdict(const struct rt_plan *p, const struct rt_svc_state *st, size_t i, size_t *blocker)
{
	(void)blocker;
	for (size_t j = i + 1; j < p->n_svc; j++) /* dependents come later */
		for (size_t d = 0; d < p->svc[j].n_deps; d++)
			if (p->svc[j].deps[d].index == i && !(st[j].reached & RT_REACHED_STOPPED) &&
			    !ended(st[j].status))
				return RT_WAIT;
	return RT_READY;
}

/* ---- the workers ------------------------------------------------------------------------- */

struct sched {
	const struct rt_plan *p;
	const struct rt_opts *o;
	struct rt_svc_state *st;
	/* rt_verdict for up, rt_stop_verdict for stop and down */
	enum rt_verdict (*verdict)(const struct rt_plan *p, const struct rt_svc_state *st, size_t i, size_t *blocker);
	/* in the worker: returns its exit code */
	int (*work)(const struct sched *sc, size_t i, int notify_fd);
	int running;
	bool forwarded; /* SIGTERM passed on to the workers */
};

/* Dependencies with required: false that will not get there. */
static void warn_optional(const struct sched *sc, size_t i)
{
	const struct rt_service *s = &sc->p->svc[i];
	for (size_t d = 0; d < s->n_deps; d++) {
		const struct rt_dep *dep = &s->deps[d];
		if (!(sc->st[dep->index].reached & (1u << dep->cond)))
			rt_say(false, "[%8.3fs] %s: starting without %s (%s not reached; required: false)", rt_now(),
			       s->name, dep->service, rt_cond_names[dep->cond]);
	}
}

static int up_work(const struct sched *sc, size_t i, int notify_fd)
{
	warn_optional(sc, i);
	return rt_service_up(sc->p, i, sc->o, rt_needs(sc->p, i), notify_fd);
}

static int stop_work(const struct sched *sc, size_t i, int notify_fd)
{
	return rt_service_stop(sc->p, sc->o, i, notify_fd);
}

static int down_work(const struct sched *sc, size_t i, int notify_fd)
{
	return rt_service_down(sc->p, sc->o, i, notify_fd);
}

static void launch(struct sched *sc, size_t i)
{
	int fds[2];
	struct rt_svc_state *s = &sc->st[i];
	pid_t pid = pipe2(fds, O_CLOEXEC) == 0 ? fork() : -1;
	if (pid == 0) {
		close(fds[0]);
		_exit(sc->work(sc, i, fds[1]));
	}
	if (pid < 0) {
		rt_say(true, "%s: cannot start a worker: %s", sc->p->svc[i].name, strerror(errno));
		s->status = RT_FAILED;
		return;
	}
	close(fds[1]);
	s->pid = pid;
	s->fd = fds[0];
	s->status = RT_RUNNING;
	sc->running++;
}

/* One walk in dependency order: launch what may start, give up on what
 * cannot.  Returns the number of launches. */
static int schedule(struct sched *sc)
{
	int launched = 0;
	for (size_t i = 0; i < sc->p->n_svc && !rt_interrupted; i++) {
		size_t blocker = 0;
		if (sc->st[i].status != RT_PENDING)
			continue;
		enum rt_verdict v = sc->verdict(sc->p, sc->st, i, &blocker);
		if (v == RT_NOT_STARTED) {
			sc->st[i].status = RT_BLOCKED;
			rt_say(false, "[%8.3fs] %s: not started (it requires %s, which %s)", rt_now(),
			       sc->p->svc[i].name, sc->p->svc[blocker].name,
			       sc->st[blocker].status == RT_FAILED ? "failed" : "was not started");
		} else if (v == RT_READY && sc->running < sc->o->jobs) {
			launch(sc, i);
			launched++;
		}
	}
	return launched;
}

static void finish(struct sched *sc, size_t i)
{
	struct rt_svc_state *s = &sc->st[i];
	int status = 0;
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(s->fd);
	s->fd = -1;
	sc->running--;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : RT_WORKER_FAILED;
	s->status = code == RT_WORKER_OK ? RT_DONE : code == RT_WORKER_INTERRUPTED ? RT_INTERRUPTED : RT_FAILED;
}

/* Wait for milestones and ends of workers (at most EVENT_POLL_MS). */
static void events(struct sched *sc)
{
	struct pollfd *fds = calloc(sc->p->n_svc + 1, sizeof(*fds));
	size_t *who = calloc(sc->p->n_svc + 1, sizeof(*who)), n = 0;
	if (!fds || !who)
		die("out of memory");
	for (size_t i = 0; i < sc->p->n_svc; i++)
		if (sc->st[i].status == RT_RUNNING) {
			fds[n] = (struct pollfd){ sc->st[i].fd, POLLIN, 0 };
			who[n++] = i;
		}
	int ready = poll(fds, n, EVENT_POLL_MS);
	for (size_t k = 0; ready > 0 && k < n; k++) {
		char buf[64];
		if (!fds[k].revents)
			continue;
		ssize_t r = read(fds[k].fd, buf, sizeof(buf));
		for (ssize_t b = 0; b < r; b++)
			rt_reach(&sc->st[who[k]], buf[b]);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			finish(sc, who[k]);
	}
	free(fds);
	free(who);
}

static void forward_signal(struct sched *sc)
{
	if (!rt_interrupted || sc->forwarded)
		return;
	sc->forwarded = true;
	for (size_t i = 0; i < sc->p->n_svc; i++)
		if (sc->st[i].status == RT_RUNNING)
			kill(sc->st[i].pid, SIGTERM);
}

static void run_workers(struct sched *sc)
{
	for (;;) {
		schedule(sc);
		if (!sc->running)
			return;
		events(sc);
		forward_signal(sc);
	}
}

/* 1 when a service did not get through (failed, interrupted, never launched). */
static int any_failed(const struct rt_plan *p, const struct rt_svc_state *st)
{
	for (size_t i = 0; i < p->n_svc; i++)
		if (st[i].status != RT_DONE)
			return 1;
	return 0;
}

/* Stop (pre_stop, stop) or take down (and remove) the services that are
 * pending in st, dependents first. */
static int stop_services(const struct rt_plan *p, const struct rt_opts *o, struct rt_svc_state *st, bool down)
{
	struct sched sc = { .p = p, .o = o, .st = st, .verdict = rt_stop_verdict,
			    .work = down ? down_work : stop_work };
	run_workers(&sc);
	return any_failed(p, st);
}

/* pre_stop and stop for every service that got its containers. */
static int stop_all(const struct rt_plan *p, const struct rt_opts *o, const struct rt_svc_state *up)
{
	struct rt_svc_state *st = calloc(p->n_svc + 1, sizeof(*st));
	if (!st)
		die("out of memory");
	for (size_t i = 0; i < p->n_svc; i++)
		st[i].status = up[i].reached & RT_REACHED_CREATED ? RT_PENDING : RT_DONE;
	struct arena a;
	arena_init(&a);
	struct rt_opts looked = *o; /* a fresh look: up changed everything */
	looked.seen = rt_look(&a, p, false);
	int rc = stop_services(p, &looked, st, false);
	arena_release(&a);
	free(st);
	return rc;
}

static void wait_for_signal(void)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!rt_interrupted)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* "N started, 1 failed (app), 1 not started (web)" and the exit status. */
static int summary(const struct rt_plan *p, const struct rt_svc_state *st)
{
	static const char *const words[] = { [RT_PENDING] = "not started", [RT_FAILED] = "failed",
					      [RT_BLOCKED] = "not started", [RT_INTERRUPTED] = "interrupted" };
	struct strbuf sb = STRBUF_INIT;
	size_t done = 0, bad = 0;
	for (size_t i = 0; i < p->n_svc; i++)
		done += st[i].status == RT_DONE;
	sb_addf(&sb, "up: %zu of %zu services started", done, p->n_svc);
	for (size_t i = 0; i < p->n_svc; i++)
		if (st[i].status != RT_DONE && st[i].status != RT_RUNNING) {
			sb_addf(&sb, "; %s %s", p->svc[i].name, words[st[i].status]);
			bad += st[i].status == RT_FAILED || st[i].status == RT_BLOCKED;
		}
	rt_say(bad != 0, "%s", sb.buf);
	sb_release(&sb);
	return bad ? 1 : 0;
}

int rt_up(const struct rt_plan *p, const struct rt_opts *o)
{
	struct rt_svc_state *st = calloc(p->n_svc + 1, sizeof(*st));
	if (!st)
		die("out of memory");
	struct arena a;
	arena_init(&a);
	struct rt_opts looked = *o;
	looked.seen = rt_look(&a, p, true);
	struct sched sc = { .p = p, .o = &looked, .st = st, .verdict = rt_verdict, .work = up_work };
	int rc = rt_resources_up(p, &looked);
	if (rc)
		rt_say(true, "up: a resource is missing; no service was started");
	else
		run_workers(&sc);
	int sig = rt_interrupted;
	if (!rc)
		rc = summary(p, st);
	if (sig) {
		rt_interrupted = 0; /* the stops run to their end; another signal cuts them short */
		stop_all(p, o, st);
		rc = rc ? rc : 128 + sig;
	} else if (!o->detach) {
		if (!rc) {
			rt_say(false, "[%8.3fs] up: running; SIGINT or SIGTERM stops the services", rt_now());
			wait_for_signal();
			rt_interrupted = 0;
		}
		rc |= stop_all(p, o, st);
	}
	free(st);
	arena_release(&a);
	return rc;
}

/* ---- independent items ------------------------------------------------------------------ */

/* Wait for one of the n workers in pids (0: none there); returns 1 when it failed. */
static int reap(pid_t *pids, size_t n, int *running)
{
	int status = 0;
	pid_t w = waitpid(-1, &status, 0);
	if (w < 0) {
		bool signalled = errno == EINTR;
		if (!signalled) /* no child left: nothing to wait for */
			*running = 0;
		for (size_t i = 0; rt_interrupted && i < n; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
		return signalled ? 0 : 1;
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] == w) {
			pids[i] = 0;
			(*running)--;
		}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int rt_each(const struct rt_plan *p, const struct rt_opts *o, size_t n,
	    int (*fn)(const struct rt_plan *p, const struct rt_opts *o, size_t i))
{
	pid_t *pids = calloc(n + 1, sizeof(*pids));
	size_t next = 0;
	int running = 0, rc = 0;
	if (!pids)
		die("out of memory");
	while (running || (next < n && !rt_interrupted)) {
		while (next < n && running < o->jobs && !rt_interrupted) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(fn(p, o, next) ? 1 : 0);
			if (pid < 0) {
				rt_say(true, "cannot start a worker: %s", strerror(errno));
				rc = 1;
				next = n;
				break;
			}
			pids[next++] = pid;
			running++;
		}
		if (running)
			rc |= reap(pids, next, &running);
	}
	free(pids);
	return rc;
}

/* ---- down, ps ---------------------------------------------------------------------------- */

int rt_down(const struct rt_plan *p, const struct rt_opts *o)
{
	struct arena a;
	struct rt_svc_state *st = calloc(p->n_svc + 1, sizeof(*st));
	if (!st)
		die("out of memory");
	arena_init(&a);
	struct rt_opts looked = *o;
	looked.seen = rt_look(&a, p, true);
	int rc = stop_services(p, &looked, st, true);
	free(st);
	rc |= rt_resources_down(p, &looked);
	if (!rc)
		rt_state_remove_project(&a, o->state_dir);
	arena_release(&a);
	return rc ? 1 : 0;
}

int rt_ps(const struct rt_plan *p, const struct rt_opts *o)
{
	struct arena a;
	arena_init(&a);
	struct rt_opts looked = *o;
	looked.seen = rt_look(&a, p, false);
	rt_say(false, "%-20s %-32s %-10s %s", "SERVICE", "CONTAINER", "STATE", "PRE_START");
	for (size_t i = 0; i < p->n_svc; i++)
		rt_service_ps(p, i, &looked);
	arena_release(&a);
	return 0;
}
