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
#include <sys/mman.h>

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
	fs->may_spill = false;
	fs->spill = NULL;
	fs->held = 0;
	fs->spill_len = 0;
	fs->spill_buf = NULL;
	fs->spill_map = NULL;
	fs->spill_printed = 0;
}

void fileset_release(struct fileset *fs)
{
	if (fs->spill)
		fclose(fs->spill);
	fs->spill = NULL;
	free(fs->spill_buf);
	fs->spill_buf = NULL;
	if (fs->spill_map)
		munmap(fs->spill_map, fs->spill_len);
	fs->spill_map = NULL;
}

/* What a set may hold in memory before it spills: more than the output
 * of a thousand services, so that a usual project never touches the
 * disk. */
#define FILESET_HOLD (16 * 1024 * 1024)
#define SPILL_BUFFER (1024 * 1024)

/* Append contents to the spill file; its offset in *at.  -1 (and no
 * more spilling) when there is no temporary file to write: then the
 * contents stay in memory, as without spilling. */
static int spill(struct fileset *fs, const struct strbuf *contents, long long *at)
{
	if (!fs->spill) {
		fs->spill = tmpfile();
		/* big writes (glibc takes a size only with a buffer); the offset
		 * is counted here, not asked of the file */
		fs->spill_buf = fs->spill ? malloc(SPILL_BUFFER) : NULL;
		if (fs->spill_buf)
			setvbuf(fs->spill, fs->spill_buf, _IOFBF, SPILL_BUFFER);
	}
	if (!fs->spill || fwrite(contents->buf, 1, contents->len, fs->spill) != contents->len) {
		fs->may_spill = false;
		return -1;
	}
	*at = (long long)fs->spill_len;
	fs->spill_len += contents->len;
	return 0;
}

/* Spilled contents are read back through a mapping of the file: no
 * system call a file.  Printed pages would count as this process's memory
 * as long as they stay mapped, so every SPILL_BUFFER bytes printed they
 * are let go (they stay in the page cache, a later touch maps them again). */
int fileset_print_file(struct fileset *fs, const struct out_file *f, FILE *fp)
{
	if (f->data) {
		fwrite(f->data, 1, f->len, fp);
		return 0;
	}
	if (!fs->spill_map) {
		if (!fs->spill || fflush(fs->spill) != 0)
			return -1;
		void *m = mmap(NULL, fs->spill_len, PROT_READ, MAP_PRIVATE, fileno(fs->spill), 0);
		if (m == MAP_FAILED)
			return -1;
		fs->spill_map = m;
	}
	if (f->spill_at < 0 || (size_t)f->spill_at > fs->spill_len || f->len > fs->spill_len - (size_t)f->spill_at)
		return -1;
	fwrite(fs->spill_map + f->spill_at, 1, f->len, fp);
	fs->spill_printed += f->len;
	if (fs->spill_printed >= SPILL_BUFFER) {
		madvise(fs->spill_map, fs->spill_len, MADV_DONTNEED);
		fs->spill_printed = 0;
	}
	return 0;
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
	struct out_file *f = &fs->files[fs->n++];
	*f = (struct out_file){ .path = arena_strdup(fs->arena, path), .mode = mode, .len = contents->len };
	if (!(fs->may_spill && fs->held + contents->len > FILESET_HOLD && spill(fs, contents, &f->spill_at) == 0)) {
		f->data = arena_strndup(fs->arena, contents->buf, contents->len);
		fs->held += contents->len;
	}
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
