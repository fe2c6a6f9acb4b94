/*
 * replay.c - a main for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput on every file named on the command line (a
 * directory: every file in it, in name order).  The normal test build
 * links each target with this to replay tests/fuzz-regressions/<target>/,
 * the inputs that once crashed, hung or leaked; a hang is caught by an
 * alarm per input.
 */
#include "base/base.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECONDS_PER_INPUT 60

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, sb.len);
	alarm(SECONDS_PER_INPUT);
	/* a private copy, exactly size bytes long, as libFuzzer passes it */
	uint8_t *copy = malloc(sb.len ? sb.len : 1);
	if (!copy)
		die("out of memory");
	memcpy(copy, sb.buf, sb.len);
	LLVMFuzzerTestOneInput(copy, sb.len);
	alarm(0);
	free(copy);
	sb_release(&sb);
	return 0;
}

static int replay_dir(const char *dir, int *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: cannot read %s\n", dir);
		return 1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *p = NULL;
			if (asprintf(&p, "%s/%s", dir, names[i]->d_name) < 0)
				die("out of memory");
			rc |= replay_file(p);
			(*count)++;
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0, count = 0;
	/* absolute paths first: a target may change the working directory */
	char **paths = calloc((size_t)argc, sizeof(*paths));
	for (int i = 1; i < argc; i++)
		if (!paths || !(paths[i] = realpath(argv[i], NULL)))
			die("replay: cannot find %s", argv[i]);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc |= replay_dir(paths[i], &count);
		} else {
			rc |= replay_file(paths[i]);
			count++;
		}
		free(paths[i]);
	}
	free(paths);
	fprintf(stderr, "replay: %d inputs, %s\n", count, rc ? "errors" : "no findings");
	return rc;
}
