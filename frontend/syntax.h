/*
 * syntax.h - parsers for the short syntaxes and value formats of compose
 * (no YAML involved): durations, byte sizes, ports, volumes, shell words,
 * devices, extra hosts.  Each returns 0 on success or -1 with *err set to
 * an arena message without location ("invalid duration \"5x\""); the
 * caller attaches the location.
 */
#ifndef COMPOSEC_SYNTAX_H
#define COMPOSEC_SYNTAX_H

#include "ir/ir.h"

/* Go duration syntax plus d and w: "1h30m", "10s", "1.5s", "500ms", "2d".
 * A bare number is an error except "0". Negative durations are errors. */
int parse_duration(struct arena *a, const char *s, int64_t *usec, const char **err);

/* go-units RAMInBytes after ParseInt: "1024", "-1", "512m", "1gb", "1GiB",
 * "2 g", "1.5g" (truncated); multiples of 1024, case-insensitive. */
int parse_bytes(struct arena *a, const char *s, int64_t *bytes, const char **err);

/* Room for `add` more elements of size sz after the n in v, for arrays of
 * the IR that only ever grow through here: the capacity is the smallest
 * power of two holding the elements, so that building an array of n
 * copies O(n) bytes into the arena, not O(n^2).  Returns v or a copy. */
void *ir_array_grow(struct arena *a, void *v, size_t n, size_t add, size_t sz);

/* Short port syntax "[[host_ip:]published:]target[/proto]" with ranges
 * and IPv6 "[::1]:80:80".  Appends one struct port per target port
 * (ranges expanded) to *ports, sorted by the string "<target>/<proto>" as
 * compose-go does.  loc is copied into each port.  *ports grows by
 * ir_array_grow. */
int parse_port_short(struct arena *a, const char *spec, struct loc loc, struct port **ports, size_t *n,
		     const char **err);

/* Short volume syntax "[source:]target[:opts]" (format.ParseVolume).
 * Fills type, source (as written, not resolved), target (path.Clean'ed),
 * read_only, bind.propagation, bind.selinux, bind.create_host_path (TRUE
 * for binds), volume.nocopy, has_bind/has_volume. */
int parse_volume_short(struct arena *a, const char *spec, struct mount *m, const char **err);

/* Split a command string like go-shellwords: quotes, backslashes, no
 * expansion.  "" gives an empty list. */
int shell_split(struct arena *a, const char *s, struct strlist *out, const char **err);

/* "src[:dst[:perm]]" -> device; target defaults to source, perm to "rwm". */
int parse_device_short(struct arena *a, const char *spec, struct device *dev, const char **err);

/* One extra_hosts list entry: "host=ip", "host:ip", "host=ip1,ip2",
 * "[::1]" brackets stripped.  Appends (host, ip) pairs to *out, which
 * grows by ir_array_grow. */
int parse_extra_host(struct arena *a, const char *spec, struct kv **out, size_t *n, const char **err);

/* path.Clean of a slash path. */
const char *path_clean(struct arena *a, const char *p);

#endif
