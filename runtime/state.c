/*
 * state.c - what the runtime remembers between runs: per service, the
 * definition its containers were created from and the result of each
 * pre_start step it ran, by scope (container name, "-" for the steps
 * shared by all replicas) and definition hash.  The rule that uses it is
 * in runtime/PLAN.md ("pre_start state").
 *
 * One text file per service, <state dir>/<project>/service-<name>.state
 * (the prefix keeps a service named ".." a plain file name):
 *
 *     composec-run state 1
 *     definition 0123456789abcdef
 *     step demo-app 89abcdef01234567 ok
 *
 * Each worker writes only its own service's file, atomically (a temporary
 * file renamed), so concurrent services never race on it.  Unreadable
 * lines are ignored: the worst a damaged file does is run steps again.
 */
#include "runtime/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "composec-run state 1"

const char *rt_state_dir(struct arena *a, const char *dir, const char *project)
{
	if (dir && *dir)
		return arena_printf(a, "%s/%s", dir, project);
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && *xdg == '/')
		return arena_printf(a, "%s/composec/%s", xdg, project);
	if (geteuid() == 0)
		return arena_printf(a, "/var/lib/composec/%s", project);
	const char *home = getenv("HOME");
	if (home && *home == '/')
		return arena_printf(a, "%s/.local/state/composec/%s", home, project);
	return NULL;
}

static void parse_line(struct rt_state *st, char *line)
{
	char *words[4] = { 0 };
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(line, " \n", &save); w && n < 4; w = strtok_r(NULL, " \n", &save))
		words[n++] = w;
	if (n == 2 && strcmp(words[0], "definition") == 0)
		st->definition = arena_strdup(st->a, words[1]);
	else if (n == 4 && strcmp(words[0], "step") == 0)
		rt_state_set(st, arena_strdup(st->a, words[1]), arena_strdup(st->a, words[2]),
			     strcmp(words[3], "ok") == 0 ? RT_STEP_OK : RT_STEP_FAILED);
}

void rt_state_load(struct rt_state *st, struct arena *a, const char *dir, const char *service)
{
	memset(st, 0, sizeof(*st));
	st->a = a;
	if (!dir)
		return;
	st->path = arena_printf(a, "%s/service-%s.state", dir, service);
	FILE *fp = fopen(st->path, "r");
	if (!fp)
		return;
	char line[1024];
	bool first = true;
	while (fgets(line, sizeof(line), fp)) {
		if (first && strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)) != 0)
			break;
		if (!first)
			parse_line(st, line);
		first = false;
	}
	fclose(fp);
}

static struct rt_record *find(const struct rt_state *st, const char *scope, const char *hash)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->rec[i].scope, scope) == 0 && strcmp(st->rec[i].hash, hash) == 0)
			return &st->rec[i];
	return NULL;
}

enum rt_step_result rt_state_get(const struct rt_state *st, const char *scope, const char *hash)
{
	const struct rt_record *r = find(st, scope, hash);
	return r ? r->result : RT_STEP_NONE;
}

void rt_state_set(struct rt_state *st, const char *scope, const char *hash, enum rt_step_result res)
{
	struct rt_record *r = find(st, scope, hash);
	if (r) {
		r->result = res;
		return;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		st->rec = arena_grow(st->a, st->rec, st->n * sizeof(*st->rec), cap * sizeof(*st->rec));
		st->cap = cap;
	}
	st->rec[st->n++] = (struct rt_record){ scope, hash, res };
}

void rt_state_forget(struct rt_state *st)
{
	st->n = 0;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int rt_state_save(const struct rt_state *st)
{
	if (!st->path)
		return 0;
	char *dir = arena_strdup(st->a, st->path);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir) < 0)
		return -1;
	char *tmp = arena_printf(st->a, "%s.tmp-XXXXXX", st->path);
	int fd = mkstemp(tmp);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "w");
	if (!fp)
		return -1;
	fprintf(fp, "%s\n", STATE_MAGIC);
	if (st->definition)
		fprintf(fp, "definition %s\n", st->definition);
	for (size_t i = 0; i < st->n; i++)
		fprintf(fp, "step %s %s %s\n", st->rec[i].scope, st->rec[i].hash,
			st->rec[i].result == RT_STEP_OK ? "ok" : "failed");
	if (fclose(fp) != 0 || rename(tmp, st->path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void rt_state_remove_project(struct arena *a, const char *dir)
{
	DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "service-", 8) == 0)
			unlink(arena_printf(a, "%s/%s", dir, e->d_name));
	closedir(d);
	rmdir(dir);
}
