/*
 * yamldiff.c - the test yaml-diff: the fast YAML scanner against libfyaml
 * (yaml_diff) on every YAML file under the directories given, inputs of
 * error cases included (expected/ directories are outputs: skipped).
 *
 *   yamldiff MIN_ACCEPTED MIN_CORPUS DIR...
 *
 * Fails on any difference, and when the fast scanner accepted fewer than
 * MIN_ACCEPTED files, or fewer than MIN_CORPUS of the golden/corpus-*
 * inputs (real compose files): a scanner that gave up on everything would
 * otherwise pass.  Prints each file it gave up on, and the counts.
 */
#include "frontend/yaml_events.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct counts {
	int files, accepted, corpus, corpus_accepted, differ;
};

static bool is_yaml(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static void check_file(const char *path, struct counts *c)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		die("cannot open %s", path);
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sb_add(&text, chunk, n);
	fclose(fp);
	bool corpus = strstr(path, "/corpus-") != NULL;
	c->files++;
	c->corpus += corpus;
	int rc = yaml_text_ok(text.buf ? text.buf : "", text.len) ? yaml_diff(text.buf ? text.buf : "", text.len, &why) : 0;
	if (rc < 0) {
		printf("DIFFERS %s\n%s", path, why.buf);
		c->differ++;
	} else if (rc > 0) {
		c->accepted++;
		c->corpus_accepted += corpus;
	} else {
		printf("fallback %s\n", path);
	}
	sb_release(&text);
	sb_release(&why);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk(const char *dir, struct counts *c)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, by_name);
	if (n < 0)
		die("cannot read %s", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct strbuf path = STRBUF_INIT;
		sb_addf(&path, "%s/%s", dir, name);
		struct stat st;
		if (name[0] != '.' && strcmp(name, "expected") != 0 && stat(path.buf, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk(path.buf, c);
			else if (S_ISREG(st.st_mode) && is_yaml(name))
				check_file(path.buf, c);
		}
		sb_release(&path);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: yamldiff MIN_ACCEPTED MIN_CORPUS DIR...\n");
		return 2;
	}
	struct counts c = { 0 };
	for (int i = 3; i < argc; i++)
		walk(argv[i], &c);
	int min_accepted = atoi(argv[1]), min_corpus = atoi(argv[2]);
	printf("yamldiff: %d files, fast path accepted %d (minimum %d), corpus %d/%d (minimum %d), %d differ\n",
	       c.files, c.accepted, min_accepted, c.corpus_accepted, c.corpus, min_corpus, c.differ);
	return c.differ || c.accepted < min_accepted || c.corpus_accepted < min_corpus ? 1 : 0;
}
