/*
 * syntax.c - the small languages hidden inside compose strings: durations
 * ("1m30s"), byte sizes ("512m"), short port specs ("127.0.0.1:80:80/udp"),
 * short volume specs ("./data:/data:ro"), shell words, device mappings and
 * extra_hosts entries.  Each parser mirrors the Go code compose-go relies on
 * (str2duration, go-units RAMInBytes, go-connections nat.ParsePortSpec
 * v0.4.0, format.ParseVolume, go-shellwords v1.0.12) so that the lowered IR
 * is what `docker compose config` would print.  Pure functions: results and
 * error messages live in the caller's arena, locations are the caller's job.
 */
#include "frontend/syntax.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(const char **err, const char *msg)
{
	*err = msg;
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- durations ------------------------------------------------------------ */

struct dur_unit {
	const char *name;
	int64_t ns;
};

static const struct dur_unit dur_units[] = {
	{ "ns", 1LL },
	{ "us", 1000LL },
	{ "\xc2\xb5s", 1000LL }, /* U+00B5 micro sign */
	{ "\xce\xbcs", 1000LL }, /* U+03BC greek mu */
	{ "ms", 1000000LL },
	{ "s", 1000000000LL },
	{ "m", 60LL * 1000000000LL },
	{ "h", 3600LL * 1000000000LL },
	{ "d", 24LL * 3600LL * 1000000000LL },
	{ "w", 168LL * 3600LL * 1000000000LL },
};

static int64_t dur_unit_ns(const char *u, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(dur_units); i++)
		if (strlen(dur_units[i].name) == n && memcmp(dur_units[i].name, u, n) == 0)
			return dur_units[i].ns;
	return 0;
}

/* Consume [0-9]* into *v; false on int64 overflow (Go's leadingInt). */
static bool dur_leading_int(const char **pp, int64_t *v)
{
	const char *p = *pp;
	for (*v = 0; is_digit(*p); p++) {
		int d = *p - '0';
		if (*v > (INT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	*pp = p;
	return true;
}

/* Consume [0-9]* after the point; precision stops growing on overflow. */
static void dur_fraction(const char **pp, int64_t *f, double *scale)
{
	const char *p = *pp;
	bool overflow = false;
	for (*f = 0, *scale = 1; is_digit(*p); p++) {
		int d = *p - '0';
		if (overflow || *f > (INT64_MAX - d) / 10) {
			overflow = true;
			continue;
		}
		*f = *f * 10 + d;
		*scale *= 10;
	}
	*pp = p;
}

/* One "<digits>[.<digits>]<unit>" group in nanoseconds, computed as Go's
 * time.ParseDuration does (the fraction goes through a double).  Returns
 * NULL, or the reason the group is invalid ("" for a plain syntax error). */
static const char *dur_group(const char **pp, int64_t *ns)
{
	const char *p = *pp, *start = *pp, *unit;
	int64_t v, f = 0, mul;
	double scale = 1;
	bool post = false;

	if (!(*p == '.' || is_digit(*p)))
		return "";
	if (!dur_leading_int(&p, &v))
		return "overflow";
	bool pre = p != start;
	if (*p == '.') {
		const char *fs = ++p;
		dur_fraction(&p, &f, &scale);
		post = p != fs;
	}
	if (!pre && !post)
		return "";
	for (unit = p; *p && *p != '.' && !is_digit(*p); p++)
		;
	if (p == unit)
		return "missing unit";
	mul = dur_unit_ns(unit, (size_t)(p - unit));
	if (mul == 0)
		return "unknown unit";
	if (v > INT64_MAX / mul)
		return "overflow";
	v *= mul;
	if (f > 0) {
		int64_t add = (int64_t)((double)f * ((double)mul / scale));
		if (v > INT64_MAX - add)
			return "overflow";
		v += add;
	}
	*ns = v;
	*pp = p;
	return NULL;
}

static int dur_fail(struct arena *a, const char *s, const char *why, const char **err)
{
	if (!why || !*why)
		return fail(err, arena_printf(a, "invalid duration \"%s\"", s));
	return fail(err, arena_printf(a, "invalid duration \"%s\": %s", s, why));
}

int parse_duration(struct arena *a, const char *s, int64_t *usec, const char **err)
{
	const char *p = s;
	bool neg = false;
	int64_t total = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*usec = 0;
		return 0;
	}
	if (!*p)
		return dur_fail(a, s, NULL, err);
	while (*p) {
		int64_t ns;
		const char *why = dur_group(&p, &ns);
		if (why)
			return dur_fail(a, s, why, err);
		if (total > INT64_MAX - ns)
			return dur_fail(a, s, "overflow", err);
		total += ns;
	}
	if (neg && total)
		return dur_fail(a, s, "negative", err);
	*usec = total / 1000;
	return 0;
}

/* ---- byte sizes ----------------------------------------------------------- */

/* strconv.ParseInt(s, 10, 64): optional sign, at least one digit. */
static bool go_parse_int(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, lim;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		if (!is_digit(*s))
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static int64_t size_multiplier(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k': return 1LL << 10;
	case 'm': return 1LL << 20;
	case 'g': return 1LL << 30;
	case 't': return 1LL << 40;
	case 'p': return 1LL << 50;
	}
	return 0;
}

/* go-units: ^(\d+(\.\d+)*) ?([kmgtp])?i?b?$ case-insensitively, then
 * ParseFloat of the number (which rejects a second point). */
static bool ram_in_bytes(struct arena *a, const char *s, int64_t *out)
{
	const char *p = s;
	int dots = 0;
	int64_t mul = 1;

	while (is_digit(*p) || (*p == '.' && p > s && is_digit(p[-1]) && is_digit(p[1])))
		dots += *p++ == '.';
	if (p == s || dots > 1)
		return false;
	const char *num_end = p;
	if (*p == ' ')
		p++;
	if (size_multiplier(*p))
		mul = size_multiplier(*p++);
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return false;
	/* strtod rounds correctly like ParseFloat; the multiplier is a power
	 * of two, so the product is exact before Go's int64() truncation */
	double size = strtod(arena_strndup(a, s, (size_t)(num_end - s)), NULL) * (double)mul;
	if (!(size < 9223372036854775808.0))
		return false;
	*out = (int64_t)size;
	return true;
}

int parse_bytes(struct arena *a, const char *s, int64_t *bytes, const char **err)
{
	if (go_parse_int(s, bytes) || ram_in_bytes(a, s, bytes))
		return 0;
	return fail(err, arena_printf(a, "invalid size \"%s\"", s));
}

/* ---- ports ---------------------------------------------------------------- */

static const char *const proto_names[PROTO__MAX] = { "tcp", "udp", "sctp" };

/* strconv.ParseUint(s[0:n], 10, 16). */
static bool parse_u16(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > 65535)
			return false;
	}
	*out = v;
	return true;
}

/* nat.ParsePortRange (v0.4.0): "p" or "lo-hi"; text after a second '-' is
 * ignored, as there. */
static bool parse_port_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *dash = strchr(s, '-');
	if (!dash) {
		*hi = 0;
		if (!parse_u16(s, strlen(s), lo))
			return false;
		*hi = *lo;
		return true;
	}
	const char *end = strchr(dash + 1, '-');
	size_t n2 = end ? (size_t)(end - dash - 1) : strlen(dash + 1);
	return parse_u16(s, (size_t)(dash - s), lo) && parse_u16(dash + 1, n2, hi) && *hi >= *lo;
}

/* The pieces of "[ip:][host:]container[/proto]" before validation. */
struct port_parts {
	const char *ip, *host, *container, *proto;
};

/* nat.splitParts + SplitProtoPort: the container part is after the last
 * colon, the host part before it, the ip everything before that. */
static void port_split(struct arena *a, const char *spec, struct port_parts *pp)
{
	const char *c2 = strrchr(spec, ':'), *c1 = NULL;
	for (const char *p = spec; c2 && p < c2; p++)
		if (*p == ':')
			c1 = p;
	const char *cont = c2 ? c2 + 1 : spec;
	const char *host = c1 ? c1 + 1 : spec;
	pp->ip = c1 ? arena_strndup(a, spec, (size_t)(c1 - spec)) : "";
	pp->host = c2 ? arena_strndup(a, host, (size_t)(c2 - host)) : "";
	size_t n = strcspn(cont, "/");
	pp->container = arena_strndup(a, cont, n);
	pp->proto = "";
	if (n == 0)
		return;
	const char *proto = cont[n] ? cont + n + 1 : "";
	pp->proto = arena_strndup(a, proto, strcspn(proto, "/"));
	if (!*pp->proto)
		pp->proto = "tcp";
}

/* Strip [] as net.SplitHostPort(ip + ":") does, then net.ParseIP. */
static bool port_host_ip(struct arena *a, const char **ipp)
{
	const char *ip = *ipp;
	size_t n = strlen(ip);
	if (ip[0] == '[') {
		const char *close = strchr(ip, ']');
		if (!close || close != ip + n - 1)
			return false;
		ip = arena_strndup(a, ip + 1, n - 2);
		*ipp = ip;
	}
	unsigned char buf[16];
	return !*ip || inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

static int port_proto(const char *s, enum port_proto *out)
{
	for (int i = 0; i < PROTO__MAX; i++) {
		if (strcasecmp(s, proto_names[i]) == 0) {
			*out = (enum port_proto)i;
			return 0;
		}
	}
	return -1;
}

/* Order of compose-go's sort.Strings over "<target>/<proto>" keys. */
static int port_key_cmp(const void *x, const void *y)
{
	const struct port *p = x, *q = y;
	char kp[32], kq[32];
	snprintf(kp, sizeof(kp), "%u/%s", (unsigned)p->target, proto_names[p->protocol]);
	snprintf(kq, sizeof(kq), "%u/%s", (unsigned)q->target, proto_names[q->protocol]);
	return strcmp(kp, kq);
}

/* Validated pieces of one spec, ready for expansion. */
struct port_spec {
	const char *ip;
	uint32_t clo, chi, hlo, hhi;
	bool has_host;
	enum port_proto proto;
};

static int port_validate(struct arena *a, const char *spec, struct port_spec *ps, const char **err)
{
	struct port_parts pp;
	port_split(a, spec, &pp);
	ps->ip = pp.ip;
	if (!port_host_ip(a, &ps->ip))
		return fail(err, arena_printf(a, "invalid ip address \"%s\"", pp.ip));
	if (!*pp.container)
		return fail(err, arena_printf(a, "no port specified in \"%s\"", spec));
	if (!parse_port_range(pp.container, &ps->clo, &ps->chi))
		return fail(err, arena_printf(a, "invalid container port \"%s\"", pp.container));
	ps->has_host = *pp.host != '\0';
	ps->hlo = ps->hhi = 0;
	if (ps->has_host && !parse_port_range(pp.host, &ps->hlo, &ps->hhi))
		return fail(err, arena_printf(a, "invalid host port \"%s\"", pp.host));
	if (ps->has_host && ps->chi - ps->clo != ps->hhi - ps->hlo && ps->chi != ps->clo)
		return fail(err, arena_printf(a, "invalid ranges for container and host ports \"%s\" and \"%s\"",
					      pp.container, pp.host));
	if (port_proto(pp.proto, &ps->proto) < 0)
		return fail(err, arena_printf(a, "invalid protocol \"%s\"", pp.proto));
	return 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 1;
	while (c < n)
		c <<= 1;
	return c;
}

void *ir_array_grow(struct arena *a, void *v, size_t n, size_t add, size_t sz)
{
	size_t cap = n ? pow2_at_least(n) : 0;
	if (n + add <= cap)
		return v;
	return arena_grow(a, v, n * sz, pow2_at_least(n + add) * sz);
}

int parse_port_short(struct arena *a, const char *spec, struct loc loc, struct port **ports, size_t *n,
		     const char **err)
{
	struct port_spec ps;
	if (port_validate(a, spec, &ps, err) < 0)
		return -1;
	size_t count = ps.chi - ps.clo + 1;
	struct port *v = ir_array_grow(a, *ports, *n, count, sizeof(**ports));
	struct port *out = v + *n;
	for (size_t i = 0; i < count; i++) {
		struct port *p = &out[i];
		p->mode = PORT_INGRESS;
		p->host_ip = *ps.ip ? ps.ip : NULL;
		p->target = ps.clo + (uint32_t)i;
		p->protocol = ps.proto;
		p->loc = loc;
		if (!ps.has_host)
			continue;
		p->published_lo = p->published_hi = ps.hlo + (uint32_t)i;
		if (count == 1 && ps.hlo != ps.hhi)
			p->published_hi = ps.hhi;
		if (p->published_lo == p->published_hi)
			p->published = arena_printf(a, "%u", (unsigned)p->published_lo);
		else
			p->published = arena_printf(a, "%u-%u", (unsigned)p->published_lo,
						    (unsigned)p->published_hi);
	}
	qsort(out, count, sizeof(*out), port_key_cmp);
	*ports = v;
	*n += count;
	return 0;
}

/* ---- volumes -------------------------------------------------------------- */

static const char *const propagation_words[PROP__MAX] = {
	NULL, "rprivate", "private", "rshared", "shared", "rslave", "slave",
};

/* ParseVolume's notion of a host path: ./ / ~ \\ or a drive letter. */
static bool volume_is_path(const char *s)
{
	if (!s || !*s)
		return false;
	if (s[0] == '.' || s[0] == '/' || s[0] == '~')
		return true;
	if (s[0] == '\\' && s[1] == '\\')
		return true;
	return is_alpha(s[0]) && s[1] == ':';
}

static void volume_option(struct mount *m, const char *opt, size_t n)
{
	char word[16];
	if (n >= sizeof(word))
		return;
	memcpy(word, opt, n);
	word[n] = '\0';
	if (strcmp(word, "ro") == 0 || strcmp(word, "rw") == 0) {
		m->read_only = word[1] == 'o';
	} else if (strcmp(word, "nocopy") == 0) {
		m->volume.nocopy = true;
		m->has_volume = true;
	} else if (strcmp(word, "z") == 0 || strcmp(word, "Z") == 0) {
		m->bind.selinux = word[0] == 'z' ? "z" : "Z";
		m->has_bind = true;
	} else {
		for (int i = 1; i < PROP__MAX; i++) {
			if (strcmp(word, propagation_words[i]) == 0) {
				m->bind.propagation = (enum propagation)i;
				m->has_bind = true;
			}
		}
	}
	/* anything else (cached, delegated, ...) is dropped, as compose-go does */
}

/* populateFieldFromBuffer: the section [s, s+n) ends at a colon or (last)
 * at the end of the spec.  Returns NULL or the reason for an error. */
static const char *volume_section(struct arena *a, struct mount *m, const char *s, size_t n, bool last)
{
	if (n == 0)
		return "empty section between colons";
	if (!m->source && last) {
		m->target = arena_strndup(a, s, n);
	} else if (!m->source) {
		m->source = arena_strndup(a, s, n);
	} else if (!m->target) {
		m->target = arena_strndup(a, s, n);
	} else if (!last) {
		return "too many colons";
	} else {
		for (size_t i = 0; i < n;) {
			size_t len = strcspn(s + i, ",");
			volume_option(m, s + i, len < n - i ? len : n - i);
			i += len + 1;
		}
	}
	return NULL;
}

/* Split on ':' except inside ${...} (nested) and after a drive letter.  An
 * unterminated ${ swallows the rest, whose section is then dropped. */
static const char *volume_split(struct arena *a, struct mount *m, const char *spec)
{
	size_t start = 0, len = strlen(spec);
	int depth = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = spec[i];
		if (c == '$' && i + 1 < len && spec[i + 1] == '{') {
			depth++;
		} else if (c == '}' && depth > 0) {
			depth--;
		} else if (c == ':' && i - start == 1 && is_alpha(spec[start])) {
			continue; /* Windows drive "C:" */
		} else if ((c == ':' || c == '\0') && depth == 0) {
			const char *why = volume_section(a, m, spec + start, i - start, c == '\0');
			if (why)
				return why;
			start = i + 1;
		}
	}
	return NULL;
}

static void volume_reset(struct mount *m)
{
	struct loc loc = m->loc;
	memset(m, 0, sizeof(*m));
	m->loc = loc;
	m->tmpfs.size = IR_UNSET;
	m->tmpfs.mode = IR_UNSET;
	m->type = MOUNT_VOLUME;
}

int parse_volume_short(struct arena *a, const char *spec, struct mount *m, const char **err)
{
	volume_reset(m);
	size_t len = strlen(spec);
	if (len == 0)
		return fail(err, "invalid empty volume spec");
	if (len <= 2) { /* compose-go: an anonymous volume, without volume: {} */
		m->target = path_clean(a, spec);
		return 0;
	}
	const char *why = volume_split(a, m, spec);
	if (why)
		return fail(err, arena_printf(a, "invalid volume spec \"%s\": %s", spec, why));
	if (volume_is_path(m->source)) {
		m->type = MOUNT_BIND;
		m->has_bind = true;
		m->bind.create_host_path = TRI_TRUE;
	} else {
		m->has_volume = true;
	}
	m->target = m->target && *m->target ? path_clean(a, m->target) : "";
	return 0;
}

/* ---- shell words (go-shellwords v1.0.12, no env, no backticks) ------------ */

enum { ARG_NO, ARG_SINGLE, ARG_QUOTED };

struct shsplit {
	char *buf; /* current word; never longer than the input */
	size_t len;
	struct strvec words;
	bool escaped, dquote, squote, bquote, dollar;
	int got;
};

static void sh_flush(struct shsplit *st, struct arena *a)
{
	strvec_push(&st->words, a, arena_strndup(a, st->buf, st->len));
	st->len = 0;
	st->got = ARG_NO;
}

static bool sh_quoted(const struct shsplit *st)
{
	return st->squote || st->dquote || st->bquote || st->dollar;
}

/* The characters that change state.  Returns 1 to add c to the word, 0
 * when c was consumed, 2 to stop parsing (an operator), -1 on error. */
static int sh_special(struct shsplit *st, char c)
{
	switch (c) {
	case '`':
		if (!st->squote && !st->dquote && !st->dollar)
			st->bquote = !st->bquote;
		return 1;
	case ')':
		if (!st->squote && !st->dquote && !st->bquote)
			st->dollar = !st->dollar;
		return 1;
	case '(':
		if (st->squote || st->dquote || st->bquote)
			return 1;
		if (st->dollar || st->len == 0 || st->buf[st->len - 1] != '$')
			return -1;
		st->dollar = true;
		st->buf[st->len++] = '(';
		return 0;
	case '"':
		if (st->squote || st->dollar)
			return 1;
		if (st->dquote)
			st->got = ARG_QUOTED;
		st->dquote = !st->dquote;
		return 0;
	case '\'':
		if (st->dquote || st->dollar)
			return 1;
		if (st->squote)
			st->got = ARG_QUOTED;
		st->squote = !st->squote;
		return 0;
	}
	return 1;
}

static int sh_step(struct shsplit *st, struct arena *a, char c)
{
	if (st->escaped) {
		st->escaped = false;
	} else if (c == '\\' && !st->squote) {
		st->escaped = true;
		return 0;
	} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
		if (!sh_quoted(st)) {
			if (st->got != ARG_NO)
				sh_flush(st, a);
			return 0;
		}
	} else if (strchr(";&|<>", c) && !sh_quoted(st)) {
		/* go-shellwords stops at an operator and drops the rest; a
		 * word of digits before '>' is a redirection, dropped too */
		if (c == '>' && st->len > 0 && is_digit(st->buf[0]))
			st->got = ARG_NO;
		return 2;
	} else if (c != '\\') {
		int r = sh_special(st, c);
		if (r <= 0)
			return r;
	}
	st->got = ARG_SINGLE;
	st->buf[st->len++] = c;
	return 0;
}

int shell_split(struct arena *a, const char *s, struct strlist *out, const char **err)
{
	struct shsplit st = { .buf = arena_alloc(a, strlen(s) + 1) };
	int r = 0;
	for (const char *p = s; *p && r == 0; p++)
		r = sh_step(&st, a, *p);
	if (r >= 0 && st.got != ARG_NO)
		sh_flush(&st, a);
	if (r < 0 || st.escaped || sh_quoted(&st))
		return fail(err, arena_printf(a, "invalid command line string \"%s\"", s));
	out->v = st.words.v;
	out->locs = NULL;
	out->n = st.words.n;
	return 0;
}

/* ---- devices -------------------------------------------------------------- */

int parse_device_short(struct arena *a, const char *spec, struct device *dev, const char **err)
{
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 && strchr(c2 + 1, ':'))
		return fail(err, arena_printf(a, "confusing device mapping \"%s\", please use long syntax", spec));
	dev->source = c1 ? arena_strndup(a, spec, (size_t)(c1 - spec)) : arena_strdup(a, spec);
	dev->target = NULL;
	if (c1)
		dev->target = c2 ? arena_strndup(a, c1 + 1, (size_t)(c2 - c1 - 1)) : arena_strdup(a, c1 + 1);
	if (!dev->target || !*dev->target)
		dev->target = dev->source;
	dev->permissions = c2 ? arena_strdup(a, c2 + 1) : "rwm";
	return 0;
}

/* ---- extra hosts ---------------------------------------------------------- */

static void host_push(struct arena *a, struct kv **out, size_t *n, const char *host, const char *ip, size_t len)
{
	if (len > 2 && ip[0] == '[' && ip[len - 1] == ']') {
		ip++;
		len -= 2;
	}
	*out = ir_array_grow(a, *out, *n, 1, sizeof(**out));
	(*out)[*n].key = host;
	(*out)[*n].value = arena_strndup(a, ip, len);
	(*n)++;
}

int parse_extra_host(struct arena *a, const char *spec, struct kv **out, size_t *n, const char **err)
{
	const char *sep = strchr(spec, '=');
	if (!sep)
		sep = strchr(spec, ':');
	if (!sep)
		return fail(err, arena_printf(a, "invalid extra host \"%s\": missing ip", spec));
	const char *host = arena_strndup(a, spec, (size_t)(sep - spec));
	if (!*host || strpbrk(host, ":="))
		return fail(err, arena_printf(a, "bad host name \"%s\"", host));
	const char *ip = sep + 1;
	for (;;) {
		size_t len = strcspn(ip, ",");
		host_push(a, out, n, host, ip, len);
		if (!ip[len])
			break;
		ip += len + 1;
	}
	return 0;
}

/* ---- paths ---------------------------------------------------------------- */

/* Go's path.Clean: the shortest equivalent slash path, lexically. */
const char *path_clean(struct arena *a, const char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n > 0 && p[0] == '/';
	char *out = arena_alloc(a, n + 2);

	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				for (w--; w > dotdot && out[w] != '/'; w--)
					;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < n && p[r] != '/')
				out[w++] = p[r++];
		}
	}
	if (w == 0)
		return ".";
	out[w] = '\0';
	return out;
}
