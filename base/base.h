/*
 * base.h - the bottom layer: arena, string builder, vectors, diagnostics,
 * hashing.  Depends on libc only.  Everything above (ir/, frontend/,
 * backends/, cli/) builds on these few types.
 *
 * Invariants:
 *  - An arena owns every object of one compilation; nothing in it is freed
 *    one by one.  Allocation failure aborts (there is no recovery path that
 *    would be worth its code in a compiler).
 *  - A strbuf's buf is never NULL: it points at "" until something is added,
 *    and is always NUL-terminated.
 *  - Library code never prints: diagnostics go to a struct diag sink, which
 *    the driver flushes to a FILE.
 */
#ifndef COMPOSEC_BASE_H
#define COMPOSEC_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* ---- arena ------------------------------------------------------------- */

struct arena_chunk;
struct arena_owned;
struct arena {
	struct arena_chunk *head;
	size_t used_total; /* bytes handed out, for limits and benchmarks */
	unsigned char *cur, *end; /* the free part of head */
	struct arena_owned *owned; /* malloc'd blocks freed with the arena */
	/* Where objects that die before the arena may go (the frontend's YAML
	 * trees, released once lowered): see arena_aux.  NULL: none. */
	struct arena *aux;
};

void arena_init(struct arena *a);
/* Frees every chunk and every adopted block; aux is not touched. */
void arena_release(struct arena *a);
/* The arena for short-lived objects: a->aux when set, else a. */
static inline struct arena *arena_aux(struct arena *a)
{
	return a->aux ? a->aux : a;
}
/* Make p (from malloc) the arena's: it is freed by arena_release. */
void arena_adopt(struct arena *a, void *p);
/* A malloc'd block of size bytes the caller is done with (a file's text
 * once parsed): the arena allocates from it next, since its pages are
 * already in place, and frees it with the rest.  A small block is freed. */
void arena_donate(struct arena *a, void *p, size_t size);
/* A point to come back to: arena_rewind(a, m) forgets everything
 * allocated since arena_mark(a) returned m (none of it may be used
 * after), for scratch work done piece by piece in one arena. */
struct arena_mark {
	struct arena_chunk *head;
	unsigned char *cur, *end;
	size_t used_total;
	struct arena_owned *owned;
};
struct arena_mark arena_mark(const struct arena *a);
void arena_rewind(struct arena *a, struct arena_mark m);
void *arena_alloc_slow(struct arena *a, size_t n);
/* Objects are 8-byte aligned: nothing we keep needs more (no long double),
 * and millions of 40-byte YAML nodes would waste a sixth of their memory
 * at 16. */
#define ARENA_ALIGN 8
/* Zeroed, ARENA_ALIGN-aligned memory that lives as long as the arena.  The
 * common case is inline: a bump of a pointer (chunks are zeroed when
 * they are made, and memory is never reused). */
static inline void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need >= n && need <= (size_t)(a->end - a->cur)) {
		void *p = a->cur;
		a->cur += need;
		a->used_total += need;
		return p;
	}
	return arena_alloc_slow(a, n);
}
/* Grow an arena array: returns a copy with room for new_cap elements. */
void *arena_grow(struct arena *a, void *old, size_t old_bytes, size_t new_bytes);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The strings up to a NULL, one after the other: arena_printf("%s%s%s")
 * without the format. */
char *arena_concat(struct arena *a, ...);

/* ---- string builder (malloc-backed, like git's strbuf) ------------------ */

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_reset(struct strbuf *sb); /* len = 0, keeps memory */
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add_slow(struct strbuf *sb, const void *data, size_t n);
/* n bytes; inline while there is room (the backends append millions of
 * short pieces). */
static inline void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	if (sb->len < sb->alloc && n < sb->alloc - sb->len) { /* room for n and the NUL */
		memcpy(sb->buf + sb->len, data, n);
		sb->len += n;
		sb->buf[sb->len] = '\0';
	} else {
		sb_add_slow(sb, data, n);
	}
}
static inline void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}
void sb_addc_slow(struct strbuf *sb, char c);
/* One byte; inline while there is room. */
static inline void sb_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 <= sb->alloc) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
	} else {
		sb_addc_slow(sb, c);
	}
}
/* v in decimal, as "%llu" would write it. */
void sb_addu(struct strbuf *sb, unsigned long long v);
/* The same into buf (room for 21 bytes), NUL-terminated; returns buf. */
char *decimal(char *buf, unsigned long long v);
void sb_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* vsnprintf, done here for the conversions composec uses most (%s %c %d
 * %u %x with l, ll, z and zero padding; libc's does the rest): the
 * formatting of sb_addf and arena_printf. */
int sb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Copy the contents into the arena (NUL-terminated). */
char *sb_to_arena(const struct strbuf *sb, struct arena *a);
/* Hand the malloc'd buffer to the caller; sb is re-initialised. */
char *sb_detach(struct strbuf *sb, size_t *len);

/* ---- vectors ------------------------------------------------------------ */

/* A vector of pointers, arena-backed. */
struct ptrvec {
	void **v;
	size_t n, cap;
};
void ptrvec_push(struct ptrvec *pv, struct arena *a, void *p);

/* A NULL-terminated argv of strings, arena-backed. */
struct strvec {
	const char **v; /* v[n] == NULL once anything was pushed */
	size_t n, cap;
};
void strvec_push(struct strvec *sv, struct arena *a, const char *s);

/* ---- source locations and diagnostics ----------------------------------- */

struct loc {
	const char *file; /* as the user named it; NULL: no location */
	int line;         /* 1-based; 0: whole file */
	int col;          /* 1-based */
};

enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

/* A source registered so that messages can show the offending line. */
struct diag_source {
	const char *name;
	const char *text; /* NULL once dropped (diag_drop_text): lines are read back from path */
	size_t len;
	uint32_t *line_start; /* offset of each line, built when first quoted */
	size_t n_lines;
	/* the file text came from (NULL: stdin, memory), as it was when read:
	 * a file that changed since is not quoted */
	const char *path;
	long long size, mtime_s, mtime_ns;
	int fd; /* path opened for reading lines back; -1: not (yet) */
	bool unreadable; /* it could not be, or is not what was read */
};

struct diag {
	struct arena *arena;
	struct ptrvec sources; /* struct diag_source * */
	struct strbuf out;     /* formatted messages, in the order reported */
	int errors, warnings;
	bool warnings_as_errors; /* --strict for the "unknown attribute" class */
	bool quiet;               /* drop warnings */
	/* Where messages go once more than a chunk of them is held (thousands
	 * of warnings about a big project), before the driver's flush; NULL:
	 * all are held. */
	FILE *overflow;
	/* Set for a thread whose messages another thread prints: each message
	 * is kept as reported, for diag_replay (where the sources are), and
	 * neither formatted nor dropped here. */
	bool hold;
	struct ptrvec held;
};

void diag_init(struct diag *d, struct arena *a);
void diag_release(struct diag *d);
/* Register the text of a file so that messages about it can quote it.
 * The text must live as long as the diag (arena or static). */
void diag_add_source(struct diag *d, const char *name, const char *text, size_t len);
/* The same for the text of the file at path, read when it had this size
 * and modification time: its text may then be dropped (diag_drop_text),
 * and messages read their line back from the file, as compilers do, so
 * that a big input is not held in memory for the few lines shown. */
void diag_add_file_source(struct diag *d, const char *name, const char *text, size_t len, const char *path,
			  long long mtime_s, long long mtime_ns);
/* text (registered with diag_add_file_source) is about to be freed. */
void diag_drop_text(struct diag *d, const char *text);
void diag_error(struct diag *d, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
void diag_warning(struct diag *d, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
void diag_note(struct diag *d, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
void diag_report(struct diag *d, enum diag_level lvl, struct loc loc, const char *fmt, va_list ap);
/* Write what was collected and clear the buffer. */
void diag_flush(struct diag *d, FILE *fp);
/* Report to d the messages held by `held` (a diag with hold set), in
 * their order, as if they had been reported to d; then forget them. */
void diag_replay(struct diag *d, struct diag *held);
/* A message a diag with hold set keeps (d->held), as reported: its text
 * unformatted. */
struct diag_record {
	enum diag_level lvl;
	struct loc loc;
	const char *text;
};
/* Append text with its control bytes as \xNN, as a printed message has
 * them. */
void diag_escape_text(struct strbuf *out, const char *text);

/* ---- hashing and a string map ------------------------------------------- */

#define FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t hash_fnv1a(const void *data, size_t n);
/* FNV-1a of more bytes: hash_fnv1a_more(hash_fnv1a(a), b) is the hash of
 * a followed by b. */
uint64_t hash_fnv1a_more(uint64_t h, const void *data, size_t n);
/* out[i] = hash_fnv1a(data[i], len[i]) for i < k, computed side by side. */
void hash_fnv1a_many(const void *const *data, const size_t *len, uint64_t *out, size_t k);
/* v as 16 lowercase hex digits and a NUL (out has room for 17): "%016llx". */
void hex16(char *out, uint64_t v);

/* Open-addressing map from NUL-terminated string to pointer, arena-backed.
 * Keys are not copied. */
struct strmap_entry {
	const char *key;
	void *value;
	uint64_t hash; /* of key: compared before the key, kept for growing */
};
struct strmap {
	struct strmap_entry *slots;
	size_t n, cap;
	struct arena *arena;
};
void strmap_init(struct strmap *m, struct arena *a);
void *strmap_get(const struct strmap *m, const char *key);
bool strmap_has(const struct strmap *m, const char *key);
/* Insert or replace. */
void strmap_put(struct strmap *m, const char *key, void *value);

/* ---- small string helpers ----------------------------------------------- */

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
int str_cmp_ptr(const void *a, const void *b); /* qsort on const char * */

/* ---- stable sort by a string key ---------------------------------------- */

/* DEFINE_SORT_BY_KEY(name, T) defines
 *   static void name(T *v, T *tmp, size_t n)
 * a stable sort of v by strcmp on its member `key` (so elements of one key
 * keep their order): insertion sort up to 16 elements, a merge sort above,
 * through tmp (room for n / 2 elements; unused, may be NULL, up to 16).
 * A macro, so that the comparisons and moves are the element type's own. */
#define DEFINE_SORT_BY_KEY(name, T)                                                   \
	static void name(T *v, T *tmp, size_t n)                                      \
	{                                                                              \
		if (n <= 16) {                                                         \
			for (size_t i = 1; i < n; i++) {                               \
				T x = v[i];                                            \
				size_t j = i;                                          \
				for (; j > 0 && strcmp(v[j - 1].key, x.key) > 0; j--) \
					v[j] = v[j - 1];                               \
				v[j] = x;                                              \
			}                                                              \
			return;                                                        \
		}                                                                      \
		size_t h = n / 2, i = 0, j = h, o = 0;                                 \
		name(v, tmp, h);                                                       \
		name(v + h, tmp, n - h);                                               \
		if (strcmp(v[h - 1].key, v[h].key) <= 0)                               \
			return;                                                        \
		memcpy(tmp, v, h * sizeof(*v));                                        \
		while (i < h && j < n)                                                 \
			v[o++] = strcmp(v[j].key, tmp[i].key) < 0 ? v[j++] : tmp[i++]; \
		while (i < h)                                                          \
			v[o++] = tmp[i++];                                             \
	}

#endif
