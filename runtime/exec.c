/*
 * exec.c - running one engine command, and the runtime's output.
 *
 * A command is an argv from the plan; it goes to execvp as it is: no
 * shell, no word splitting, no expansion.  Its stdout and stderr share one
 * pipe whose last RT_CAPTURE_MAX bytes are kept, for the output tail of a
 * failure and for the commands whose answer is their output (status,
 * health status, wait).  Waits are bounded by polling: every 200 ms the
 * loop looks at rt_interrupted, and on the first look after SIGINT or
 * SIGTERM passes SIGTERM on to the command, then keeps waiting for it.
 * The loop also stops reading once the command has exited, in case a
 * process it left behind holds the pipe open.
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 200

volatile sig_atomic_t rt_interrupted;

static void on_signal(int sig)
{
	rt_interrupted = sig;
}

void rt_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked wait returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a build that stops reading its stdin */
}

double rt_now(void)
{
	static struct timespec t0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = t;
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

void rt_sleep_ms(long long ms)
{
	double until = rt_now() + (double)ms / 1000.0;
	while (!rt_interrupted) {
		double left = until - rt_now();
		if (left <= 0)
			return;
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/* ---- output --------------------------------------------------------------------- */

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void rt_progress(const char *who, const char *what, double began, const char *result, const struct strbuf *tail)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "[%8.3fs] %s: %s %s (%.2fs)\n", began, who, what, result, rt_now() - began);
	if (tail)
		rt_tail(tail, RT_TAIL_LINES, &sb);
	write_all(STDOUT_FILENO, sb.buf, sb.len);
	sb_release(&sb);
}

void rt_say(bool err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (err)
		sb_adds(&sb, "composec-run: ");
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sb_addc(&sb, '\n');
	write_all(err ? STDERR_FILENO : STDOUT_FILENO, sb.buf, sb.len);
	sb_release(&sb);
}

void rt_tail(const struct strbuf *out, int lines, struct strbuf *dst)
{
	size_t end = out->len;
	while (end && out->buf[end - 1] == '\n')
		end--;
	size_t start = end;
	for (int n = 0; start && n < lines; n++) {
		start--;
		while (start && out->buf[start - 1] != '\n')
			start--;
	}
	for (size_t i = start; i < end;) {
		const char *nl = memchr(out->buf + i, '\n', end - i);
		size_t len = nl ? (size_t)(nl - (out->buf + i)) : end - i;
		sb_adds(dst, "    | ");
		sb_add(dst, out->buf + i, len);
		sb_addc(dst, '\n');
		i += len + 1;
	}
}

/* ---- running ---------------------------------------------------------------------- */

/* In the child: stdin, stdout+stderr, exec; never returns. */
static NORETURN void child(const struct rt_argv *argv, int in_fd, int out_fd)
{
	signal(SIGPIPE, SIG_DFL);
	if (in_fd < 0)
		in_fd = open("/dev/null", O_RDONLY);
	if (in_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(127);
	execvp(argv->v[0], (char *const *)argv->v);
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "composec-run: cannot run \"%s\": %s\n", argv->v[0], strerror(errno));
	write_all(STDERR_FILENO, sb.buf, sb.len);
	_exit(127);
}

static void keep(struct strbuf *out, const char *buf, size_t n)
{
	sb_add(out, buf, n);
	if (out->len > RT_CAPTURE_MAX) {
		size_t drop = out->len - RT_CAPTURE_MAX / 2;
		memmove(out->buf, out->buf + drop, out->len - drop);
		out->len -= drop;
		out->buf[out->len] = '\0';
	}
}

struct io {
	int out_fd, in_fd;
	const char *in;
	size_t in_left;
};

/* One round: read what there is, write what fits.  Returns false at EOF. */
static bool pump(struct io *io, struct strbuf *out, int timeout)
{
	struct pollfd fds[2] = { { io->out_fd, POLLIN, 0 }, { io->in_fd, POLLOUT, 0 } };
	if (poll(fds, io->in_fd >= 0 ? 2 : 1, timeout) <= 0)
		return true;
	if (io->in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
		ssize_t w = write(io->in_fd, io->in, io->in_left);
		if (w > 0) {
			io->in += w;
			io->in_left -= (size_t)w;
		}
		if (w < 0 || !io->in_left) {
			close(io->in_fd);
			io->in_fd = -1;
		}
	}
	if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return true;
	char buf[4096];
	ssize_t r = read(io->out_fd, buf, sizeof(buf));
	if (r > 0)
		keep(out, buf, (size_t)r);
	return r > 0 || (r < 0 && errno == EINTR);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/* Until the child exited and its output ended (or it exited and left the
 * pipe to someone else). */
static int collect(pid_t pid, struct io *io, struct strbuf *out)
{
	bool forwarded = false, open_out = true;
	int status = 0;
	for (;;) {
		if (rt_interrupted && !forwarded) {
			kill(pid, SIGTERM);
			forwarded = true;
		}
		if (open_out)
			open_out = pump(io, out, POLL_MS);
		pid_t w = waitpid(pid, &status, open_out ? WNOHANG : 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return 1;
	}
	while (open_out) { /* what is left, without blocking */
		struct pollfd pf = { io->out_fd, POLLIN, 0 };
		if (poll(&pf, 1, 0) <= 0)
			break;
		open_out = pump(io, out, 0);
	}
	return exit_code(status);
}

int rt_run(const struct rt_argv *argv, const char *stdin_data, struct strbuf *out)
{
	return rt_run_bytes(argv, stdin_data, stdin_data ? strlen(stdin_data) : 0, out);
}

int rt_run_bytes(const struct rt_argv *argv, const char *stdin_data, size_t len, struct strbuf *out)
{
	int outp[2], inp[2] = { -1, -1 };
	if (pipe2(outp, O_CLOEXEC) < 0 || (stdin_data && pipe2(inp, O_CLOEXEC) < 0)) {
		sb_addf(out, "composec-run: pipe: %s\n", strerror(errno));
		return 127;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(argv, inp[0], outp[1]);
	close(outp[1]);
	if (inp[0] >= 0)
		close(inp[0]);
	struct io io = { outp[0], inp[1], stdin_data, stdin_data ? len : 0 };
	int rc = 127;
	if (pid < 0)
		sb_addf(out, "composec-run: fork: %s\n", strerror(errno));
	else
		rc = collect(pid, &io, out);
	close(outp[0]);
	if (io.in_fd >= 0)
		close(io.in_fd);
	return rc;
}

/* ---- one-file archives (plan "copy") ------------------------------------------------ */

/* value in octal, right-aligned in width - 1 digits and a NUL, as ustar
 * writes numbers; false when it does not fit. */
static bool tar_octal(char *field, size_t width, unsigned long long value)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%0*llo", (int)(width - 1), value);
	if (n < 0 || (size_t)n > width - 1)
		return false;
	memcpy(field, digits, width - 1);
	field[width - 1] = '\0';
	return true;
}

static bool tar_id(const char *s, unsigned long long *v)
{
	char *end;
	errno = 0;
	unsigned long long x = s && *s ? strtoull(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || s[0] == '-')
		return false;
	*v = x;
	return true;
}

int rt_tar_one(struct strbuf *out, const char *path, long long mode, const char *uid, const char *gid,
	       const char *content, size_t len, long long mtime)
{
	char h[512] = { 0 };
	unsigned long long u, g;
	size_t plen = strlen(path), split = 0;
	if (!tar_id(uid, &u) || !tar_id(gid, &g) || !plen)
		return -1;
	if (plen > 100) { /* the part before a '/' into prefix (155), the rest into name (100) */
		for (size_t i = plen; i-- > 0;)
			if (path[i] == '/' && plen - i - 1 <= 100 && i <= 155 && i > 0) {
				split = i;
				break;
			}
		if (!split)
			return -1;
		memcpy(h + 345, path, split);
		memcpy(h, path + split + 1, plen - split - 1);
	} else {
		memcpy(h, path, plen);
	}
	if (!tar_octal(h + 100, 8, (unsigned long long)mode & 07777) || !tar_octal(h + 108, 8, u) ||
	    !tar_octal(h + 116, 8, g) || !tar_octal(h + 124, 12, len) ||
	    !tar_octal(h + 136, 12, (unsigned long long)(mtime > 0 ? mtime : 0)))
		return -1;
	h[156] = '0'; /* a regular file */
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	sb_add(out, h, sizeof(h));
	sb_add(out, content, len);
	static const char zeros[1024];
	sb_add(out, zeros, (512 - len % 512) % 512);
	sb_add(out, zeros, sizeof(zeros)); /* the end: two empty blocks */
	return 0;
}
