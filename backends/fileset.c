/*
 * fileset.c - the in-memory output of a backend: {relative path, mode,
 * contents}, arena-owned.  The driver writes it; a backend never touches
 * the file system.
 *
 * Paths are checked here, once, so that no name derived from a compose file
 * can escape the output directory or surprise a terminal: a path must be
 * relative, '/'-separated, without empty, "." or ".." components, without
 * backslashes or control bytes, with components of at most 255 bytes and at
 * most 1024 bytes in all, and unique within the set.
 */
#include "backends/backend.h"

#include <stdlib.h>
#include <string.h>

#define FILESET_MAX_PATH 1024
#define FILESET_MAX_COMPONENT 255

void fileset_init(struct fileset *fs, struct arena *a)
{
	fs->arena = a;
	fs->files = NULL;
	fs->n = 0;
	fs->cap = 0;
	strmap_init(&fs->paths, a);
	fs->stream = NULL;
}

static bool component_ok(const char *c, size_t len)
{
	if (len == 0 || len > FILESET_MAX_COMPONENT)
		return false;
	if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
		return false;
	return true;
}

static bool path_ok(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || len > FILESET_MAX_PATH || path[0] == '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	const char *c = path;
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t clen = slash ? (size_t)(slash - c) : strlen(c);
		if (!component_ok(c, clen))
			return false;
		if (!slash)
			return true;
		c = slash + 1;
	}
}

/* A scan while the set is small; past FILESET_INDEX_AT files, a map of
 * the paths (filled on the way, so it holds every path once started). */
#define FILESET_INDEX_AT 16

static bool fileset_has(struct fileset *fs, const char *path)
{
	if (fs->n < FILESET_INDEX_AT) {
		for (size_t i = 0; i < fs->n; i++)
			if (strcmp(fs->files[i].path, path) == 0)
				return true;
		return false;
	}
	if (!fs->paths.cap) {
		strmap_init(&fs->paths, fs->arena);
		for (size_t i = 0; i < fs->n; i++)
			strmap_put(&fs->paths, fs->files[i].path, (void *)1);
	}
	return strmap_has(&fs->paths, path);
}

int fileset_add(struct fileset *fs, const char *path, unsigned mode, const struct strbuf *contents)
{
	if (!path || !path_ok(path) || fileset_has(fs, path))
		return -1;
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		fs->files = arena_grow(fs->arena, fs->files, fs->cap * sizeof(*fs->files), cap * sizeof(*fs->files));
		fs->cap = cap;
	}
	fs->files[fs->n++] = (struct out_file){
		.path = arena_strdup(fs->arena, path),
		.mode = mode,
		.data = arena_strndup(fs->arena, contents->buf, contents->len),
		.len = contents->len,
	};
	if (fs->paths.cap)
		strmap_put(&fs->paths, fs->files[fs->n - 1].path, (void *)1);
	return 0;
}

/* Big enough that a write costs little per byte, small enough to stay
 * in the cache: the output of a big project is never held whole. */
#define FILESET_STREAM_CHUNK (64 * 1024)

void fileset_stream(struct fileset *fs, struct strbuf *contents)
{
	if (!fs->stream || contents->len < FILESET_STREAM_CHUNK)
		return;
	fwrite(contents->buf, 1, contents->len, fs->stream);
	sb_reset(contents);
}

int fileset_take(struct fileset *fs, const char *path, unsigned mode, struct strbuf *contents)
{
	if (!path || !path_ok(path) || fileset_has(fs, path)) {
		sb_release(contents);
		return -1;
	}
	if (fs->stream) { /* the rest of a streamed file: written, not kept */
		fwrite(contents->buf, 1, contents->len, fs->stream);
		sb_release(contents);
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		fs->files = arena_grow(fs->arena, fs->files, fs->cap * sizeof(*fs->files), cap * sizeof(*fs->files));
		fs->cap = cap;
	}
	size_t len;
	char *data = sb_detach(contents, &len);
	arena_adopt(fs->arena, data);
	fs->files[fs->n++] = (struct out_file){
		.path = arena_strdup(fs->arena, path),
		.mode = mode,
		.data = data,
		.len = len,
	};
	if (fs->paths.cap)
		strmap_put(&fs->paths, fs->files[fs->n - 1].path, (void *)1);
	return 0;
}

static int out_file_cmp(const void *a, const void *b)
{
	const struct out_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

void fileset_sort(struct fileset *fs)
{
	if (fs->n > 1)
		qsort(fs->files, fs->n, sizeof(*fs->files), out_file_cmp);
}
