/*
 * test_syntax.c - vectors for the short-syntax parsers of frontend/syntax.c,
 * taken from the compose spec and from compose-go's own tests (ParseVolume,
 * HostsList, nat.ParsePortSpec, str2duration, go-units, go-shellwords).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/syntax.h"

static int setup(void **state)
{
	struct arena *a = malloc(sizeof(*a));
	assert_non_null(a);
	arena_init(a);
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_release(*state);
	free(*state);
	return 0;
}

/* ---- durations ------------------------------------------------------------ */

static int64_t dur_ok(struct arena *a, const char *s)
{
	int64_t v = -42;
	const char *err = NULL;
	assert_int_equal(parse_duration(a, s, &v, &err), 0);
	assert_null(err);
	return v;
}

static const char *dur_bad(struct arena *a, const char *s)
{
	int64_t v = -42;
	const char *err = NULL;
	assert_int_equal(parse_duration(a, s, &v, &err), -1);
	assert_non_null(err);
	assert_int_equal(v, -42);
	return err;
}

static void test_duration_valid(void **state)
{
	struct arena *a = *state;
	assert_int_equal(dur_ok(a, "10s"), 10000000);
	assert_int_equal(dur_ok(a, "1m30s"), 90000000);
	assert_int_equal(dur_ok(a, "2h"), 7200000000LL);
	assert_int_equal(dur_ok(a, "1.5s"), 1500000);
	assert_int_equal(dur_ok(a, "500ms"), 500000);
	assert_int_equal(dur_ok(a, "10us"), 10);
	assert_int_equal(dur_ok(a, "10\xc2\xb5s"), 10);
	assert_int_equal(dur_ok(a, "10\xce\xbcs"), 10);
	assert_int_equal(dur_ok(a, "1d"), 86400000000LL);
	assert_int_equal(dur_ok(a, "1w"), 604800000000LL);
	assert_int_equal(dur_ok(a, "0"), 0);
	assert_int_equal(dur_ok(a, "-0"), 0);
	assert_int_equal(dur_ok(a, "1h30m"), 5400000000LL);
	assert_int_equal(dur_ok(a, "1.5h"), 5400000000LL);
	assert_int_equal(dur_ok(a, "1h5m30s20ms"), 3930020000LL);
	assert_int_equal(dur_ok(a, ".5s"), 500000);
	assert_int_equal(dur_ok(a, "1.s"), 1000000);
	assert_int_equal(dur_ok(a, "+5s"), 5000000);
	assert_int_equal(dur_ok(a, "1500ns"), 1);  /* truncated to microseconds */
	assert_int_equal(dur_ok(a, "999ns"), 0);
	assert_int_equal(dur_ok(a, "2d12h"), 216000000000LL);
	assert_int_equal(dur_ok(a, "2562047h"), 2562047LL * 3600 * 1000000);
}

static void test_duration_invalid(void **state)
{
	struct arena *a = *state;
	assert_string_equal(dur_bad(a, "10"), "invalid duration \"10\": missing unit");
	assert_string_equal(dur_bad(a, "5x"), "invalid duration \"5x\": unknown unit");
	assert_string_equal(dur_bad(a, ""), "invalid duration \"\"");
	assert_string_equal(dur_bad(a, "-1s"), "invalid duration \"-1s\": negative");
	dur_bad(a, "00");
	dur_bad(a, "s");
	dur_bad(a, ".s");
	dur_bad(a, "+");
	dur_bad(a, "1h 30m");
	dur_bad(a, " 1s");
	dur_bad(a, "1S");
	dur_bad(a, "1sec");
	dur_bad(a, "2562048h"); /* beyond int64 nanoseconds */
	dur_bad(a, "99999999999999999999s");
	assert_string_equal(dur_bad(a, "9223372036s1s"), "invalid duration \"9223372036s1s\": overflow");
}

/* ---- bytes ---------------------------------------------------------------- */

static int64_t bytes_ok(struct arena *a, const char *s)
{
	int64_t v = -42;
	const char *err = NULL;
	assert_int_equal(parse_bytes(a, s, &v, &err), 0);
	return v;
}

static const char *bytes_bad(struct arena *a, const char *s)
{
	int64_t v = 0;
	const char *err = NULL;
	assert_int_equal(parse_bytes(a, s, &v, &err), -1);
	assert_non_null(err);
	return err;
}

static void test_bytes_valid(void **state)
{
	struct arena *a = *state;
	assert_int_equal(bytes_ok(a, "1024"), 1024);
	assert_int_equal(bytes_ok(a, "512m"), 536870912);
	assert_int_equal(bytes_ok(a, "1gb"), 1073741824);
	assert_int_equal(bytes_ok(a, "1GiB"), 1073741824);
	assert_int_equal(bytes_ok(a, "2 g"), 2147483648LL);
	assert_int_equal(bytes_ok(a, "1.5g"), 1610612736);
	assert_int_equal(bytes_ok(a, "-1"), -1);
	assert_int_equal(bytes_ok(a, "+7"), 7);
	assert_int_equal(bytes_ok(a, "2b"), 2);
	assert_int_equal(bytes_ok(a, "1024kb"), 1048576);
	assert_int_equal(bytes_ok(a, "2048k"), 2097152);
	assert_int_equal(bytes_ok(a, "300M"), 314572800);
	assert_int_equal(bytes_ok(a, "1Ki"), 1024);
	assert_int_equal(bytes_ok(a, "1t"), 1099511627776LL);
	assert_int_equal(bytes_ok(a, "2p"), 2251799813685248LL);
	assert_int_equal(bytes_ok(a, "1.9"), 1);  /* decimals truncated */
	assert_int_equal(bytes_ok(a, "0.5k"), 512);
	assert_int_equal(bytes_ok(a, "1ib"), 1);
	assert_int_equal(bytes_ok(a, "9223372036854775807"), INT64_MAX);
}

static void test_bytes_invalid(void **state)
{
	struct arena *a = *state;
	assert_string_equal(bytes_bad(a, "abc"), "invalid size \"abc\"");
	assert_string_equal(bytes_bad(a, "12q"), "invalid size \"12q\"");
	bytes_bad(a, "");
	bytes_bad(a, "-1k");
	bytes_bad(a, "1.2.3g");
	bytes_bad(a, ".5g");
	bytes_bad(a, "1  g");
	bytes_bad(a, "1gbb");
	bytes_bad(a, "1bi");
	bytes_bad(a, " 1g");
	bytes_bad(a, "8192p");                /* 2^63: overflow */
	bytes_bad(a, "99999999999999999999"); /* beyond int64 */
}

/* ---- ports ---------------------------------------------------------------- */

static struct port *ports_ok(struct arena *a, const char *spec, size_t *n)
{
	struct port *p = NULL;
	const char *err = NULL;
	struct loc loc = { "compose.yaml", 7, 9 };
	*n = 0;
	assert_int_equal(parse_port_short(a, spec, loc, &p, n, &err), 0);
	assert_null(err);
	assert_non_null(p);
	for (size_t i = 0; i < *n; i++) {
		assert_int_equal(p[i].mode, PORT_INGRESS);
		assert_int_equal(p[i].loc.line, 7);
		assert_int_equal(p[i].loc.col, 9);
		assert_null(p[i].name);
	}
	return p;
}

static const char *ports_bad(struct arena *a, const char *spec)
{
	struct port *p = NULL;
	size_t n = 0;
	const char *err = NULL;
	assert_int_equal(parse_port_short(a, spec, (struct loc){ 0 }, &p, &n, &err), -1);
	assert_non_null(err);
	assert_int_equal(n, 0);
	return err;
}

static void assert_port(const struct port *p, uint32_t target, const char *published, const char *ip,
			enum port_proto proto)
{
	assert_int_equal(p->target, target);
	if (published)
		assert_string_equal(p->published, published);
	else
		assert_null(p->published);
	if (ip)
		assert_string_equal(p->host_ip, ip);
	else
		assert_null(p->host_ip);
	assert_int_equal(p->protocol, proto);
}

static void test_ports_simple(void **state)
{
	struct arena *a = *state;
	size_t n;
	struct port *p = ports_ok(a, "80", &n);
	assert_int_equal(n, 1);
	assert_port(&p[0], 80, NULL, NULL, PROTO_TCP);
	assert_int_equal(p[0].published_lo, 0);
	p = ports_ok(a, "8080:80", &n);
	assert_int_equal(n, 1);
	assert_port(&p[0], 80, "8080", NULL, PROTO_TCP);
	assert_int_equal(p[0].published_lo, 8080);
	assert_int_equal(p[0].published_hi, 8080);
	p = ports_ok(a, "127.0.0.1:8080:80", &n);
	assert_port(&p[0], 80, "8080", "127.0.0.1", PROTO_TCP);
	p = ports_ok(a, "49100:22", &n);
	assert_port(&p[0], 22, "49100", NULL, PROTO_TCP);
	p = ports_ok(a, "127.0.0.1::5000", &n);
	assert_int_equal(n, 1);
	assert_port(&p[0], 5000, NULL, "127.0.0.1", PROTO_TCP);
	p = ports_ok(a, "6060:6060/udp", &n);
	assert_port(&p[0], 6060, "6060", NULL, PROTO_UDP);
	p = ports_ok(a, "80/UDP", &n);
	assert_port(&p[0], 80, NULL, NULL, PROTO_UDP);
	p = ports_ok(a, "5000/sctp", &n);
	assert_port(&p[0], 5000, NULL, NULL, PROTO_SCTP);
	p = ports_ok(a, "80/", &n);
	assert_port(&p[0], 80, NULL, NULL, PROTO_TCP);
	p = ports_ok(a, ":80", &n);
	assert_port(&p[0], 80, NULL, NULL, PROTO_TCP);
}

static void test_ports_ipv6(void **state)
{
	struct arena *a = *state;
	size_t n;
	struct port *p = ports_ok(a, "[::1]:6000:6000/udp", &n);
	assert_int_equal(n, 1);
	assert_port(&p[0], 6000, "6000", "::1", PROTO_UDP);
	p = ports_ok(a, "::1:6001:6001", &n);
	assert_port(&p[0], 6001, "6001", "::1", PROTO_TCP);
	p = ports_ok(a, "[fe80::1:2]::53/udp", &n);
	assert_port(&p[0], 53, NULL, "fe80::1:2", PROTO_UDP);
}

static void test_ports_ranges(void **state)
{
	struct arena *a = *state;
	size_t n;
	struct port *p = ports_ok(a, "8000-8001:80-81", &n);
	assert_int_equal(n, 2);
	assert_port(&p[0], 80, "8000", NULL, PROTO_TCP);
	assert_port(&p[1], 81, "8001", NULL, PROTO_TCP);
	p = ports_ok(a, "9090-9091:8080-8081", &n);
	assert_int_equal(n, 2);
	assert_port(&p[0], 8080, "9090", NULL, PROTO_TCP);
	assert_port(&p[1], 8081, "9091", NULL, PROTO_TCP);
	p = ports_ok(a, "3000-3005", &n);
	assert_int_equal(n, 6);
	assert_port(&p[0], 3000, NULL, NULL, PROTO_TCP);
	assert_port(&p[5], 3005, NULL, NULL, PROTO_TCP);
	p = ports_ok(a, "127.0.0.1:5000-5010:5000-5010", &n);
	assert_int_equal(n, 11);
	assert_port(&p[10], 5010, "5010", "127.0.0.1", PROTO_TCP);
	p = ports_ok(a, "8000-8010:80", &n);
	assert_int_equal(n, 1);
	assert_port(&p[0], 80, "8000-8010", NULL, PROTO_TCP);
	assert_int_equal(p[0].published_lo, 8000);
	assert_int_equal(p[0].published_hi, 8010);
}

static void test_ports_string_order(void **state)
{
	struct arena *a = *state;
	size_t n;
	/* "100/tcp" < "99/tcp": compose-go sorts the keys as strings */
	struct port *p = ports_ok(a, "8099-8100:99-100", &n);
	assert_int_equal(n, 2);
	assert_port(&p[0], 100, "8100", NULL, PROTO_TCP);
	assert_port(&p[1], 99, "8099", NULL, PROTO_TCP);
	p = ports_ok(a, "8-10/udp", &n);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].target, 10);
	assert_int_equal(p[1].target, 8);
	assert_int_equal(p[2].target, 9);
}

static void test_ports_append(void **state)
{
	struct arena *a = *state;
	struct port *p = NULL;
	size_t n = 0;
	const char *err = NULL;
	struct loc l1 = { "f", 1, 1 }, l2 = { "f", 2, 3 };
	assert_int_equal(parse_port_short(a, "80", l1, &p, &n, &err), 0);
	assert_int_equal(parse_port_short(a, "90-91:90-91", l2, &p, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].target, 80);
	assert_int_equal(p[0].loc.line, 1);
	assert_int_equal(p[1].target, 90);
	assert_int_equal(p[2].target, 91);
	assert_int_equal(p[2].loc.line, 2);
	assert_int_equal(parse_port_short(a, "x", l2, &p, &n, &err), -1);
	assert_int_equal(n, 3);
}

static void test_ports_invalid(void **state)
{
	struct arena *a = *state;
	assert_string_equal(ports_bad(a, "1.2.3.x:80:80"), "invalid ip address \"1.2.3.x\"");
	assert_string_equal(ports_bad(a, "80:80:80:80"), "invalid ip address \"80:80\"");
	assert_string_equal(ports_bad(a, "abc"), "invalid container port \"abc\"");
	assert_string_equal(ports_bad(a, "0-"), "invalid container port \"0-\"");
	assert_string_equal(ports_bad(a, "x:80"), "invalid host port \"x\"");
	assert_string_equal(ports_bad(a, "80/xyz"), "invalid protocol \"xyz\"");
	assert_string_equal(ports_bad(a, ""), "no port specified in \"\"");
	assert_string_equal(ports_bad(a, "8000-8002:80-81"),
			    "invalid ranges for container and host ports \"80-81\" and \"8000-8002\"");
	ports_bad(a, "8000:80-81");
	ports_bad(a, "/udp");
	ports_bad(a, "65536");
	ports_bad(a, "80-79");
	ports_bad(a, "-80");
	ports_bad(a, "+80");
	ports_bad(a, "[::1:80:80");
	ports_bad(a, "[::1]x:80:80");
	ports_bad(a, "01.2.3.4:80:80");
	ports_bad(a, "1.2.3.4.5:80:80");
}

/* ---- volumes -------------------------------------------------------------- */

static struct mount vol_ok(struct arena *a, const char *spec)
{
	struct mount m;
	const char *err = NULL;
	memset(&m, 0xa5, sizeof(m));
	m.loc = (struct loc){ "c.yaml", 4, 5 };
	assert_int_equal(parse_volume_short(a, spec, &m, &err), 0);
	assert_null(err);
	assert_int_equal(m.loc.line, 4);
	assert_false(m.has_tmpfs);
	assert_false(m.has_image);
	assert_int_equal(m.tmpfs.size, IR_UNSET);
	assert_null(m.consistency);
	return m;
}

static const char *vol_bad(struct arena *a, const char *spec)
{
	struct mount m = { 0 };
	const char *err = NULL;
	assert_int_equal(parse_volume_short(a, spec, &m, &err), -1);
	assert_non_null(err);
	return err;
}

static void test_volume_anonymous(void **state)
{
	struct arena *a = *state;
	struct mount m = vol_ok(a, "/var/lib/mysql");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_null(m.source);
	assert_string_equal(m.target, "/var/lib/mysql");
	assert_true(m.has_volume);
	assert_false(m.has_bind);
	assert_false(m.read_only);
	m = vol_ok(a, "/a"); /* a spec of 1 or 2 bytes skips the volume: {} */
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_string_equal(m.target, "/a");
	assert_false(m.has_volume);
	m = vol_ok(a, "C:\\path");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_null(m.source);
	assert_string_equal(m.target, "C:\\path");
	m = vol_ok(a, "/a/b/../c/");
	assert_string_equal(m.target, "/a/c");
}

static void test_volume_bind(void **state)
{
	struct arena *a = *state;
	struct mount m = vol_ok(a, "/opt/data:/var/lib/mysql");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "/opt/data");
	assert_string_equal(m.target, "/var/lib/mysql");
	assert_true(m.has_bind);
	assert_false(m.has_volume);
	assert_int_equal(m.bind.create_host_path, TRI_TRUE);
	assert_int_equal(m.bind.propagation, PROP_UNSET);
	assert_null(m.bind.selinux);
	m = vol_ok(a, "./cache:/tmp/cache");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "./cache");
	m = vol_ok(a, "~/configs:/etc/configs/:ro");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "~/configs");
	assert_string_equal(m.target, "/etc/configs");
	assert_true(m.read_only);
	m = vol_ok(a, "../other:/target");
	assert_int_equal(m.type, MOUNT_BIND);
	m = vol_ok(a, "\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\inside");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "\\\\.\\pipe\\docker_engine");
	m = vol_ok(a, "C:\\source\\foo:D:\\target:ro,rprivate");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "C:\\source\\foo");
	assert_string_equal(m.target, "D:\\target");
	assert_int_equal(m.bind.propagation, PROP_RPRIVATE);
	assert_true(m.read_only);
	m = vol_ok(a, "./x:/a/b/../c/");
	assert_string_equal(m.target, "/a/c");
}

static void test_volume_named(void **state)
{
	struct arena *a = *state;
	struct mount m = vol_ok(a, "datavolume:/var/lib/mysql");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_string_equal(m.source, "datavolume");
	assert_true(m.has_volume);
	assert_false(m.has_bind);
	assert_int_equal(m.bind.create_host_path, TRI_UNSET);
	m = vol_ok(a, "data:/d:rw,nocopy");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_false(m.read_only);
	assert_true(m.volume.nocopy);
	m = vol_ok(a, "data:/d:ro,rw");
	assert_false(m.read_only);
	m = vol_ok(a, "foo/bar:/x");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_string_equal(m.source, "foo/bar");
	m = vol_ok(a, "${VAR:-a:b}:/c");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_string_equal(m.source, "${VAR:-a:b}");
	assert_string_equal(m.target, "/c");
	m = vol_ok(a, "${A:-${B:-x:y}}:/c:ro");
	assert_string_equal(m.source, "${A:-${B:-x:y}}");
	assert_true(m.read_only);
	/* compose-go reads a lone letter before ':' as a drive letter */
	m = vol_ok(a, "a:b:c:d");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "a:b");
	assert_string_equal(m.target, "c:d");
	m = vol_ok(a, "a::b");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "a:");
	assert_string_equal(m.target, "b");
	m = vol_ok(a, "x:/y:cached");
	assert_int_equal(m.type, MOUNT_BIND);
	assert_string_equal(m.source, "x:/y");
	assert_string_equal(m.target, "cached");
}

static void test_volume_options(void **state)
{
	struct arena *a = *state;
	struct mount m = vol_ok(a, "./x:/y:z");
	assert_string_equal(m.bind.selinux, "z");
	m = vol_ok(a, "/source:/target:ro,Z");
	assert_string_equal(m.bind.selinux, "Z");
	assert_true(m.read_only);
	m = vol_ok(a, "./x:/y:rshared");
	assert_int_equal(m.bind.propagation, PROP_RSHARED);
	m = vol_ok(a, "/source:/target:slave");
	assert_int_equal(m.bind.propagation, PROP_SLAVE);
	m = vol_ok(a, "xy:/y:cached");
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_string_equal(m.target, "/y");
	assert_false(m.read_only);
	assert_false(m.has_bind);
	assert_false(m.volume.nocopy);
	assert_null(m.consistency);
	m = vol_ok(a, "name:/target:nocopy,subpath=etc");
	assert_true(m.volume.nocopy);
	assert_null(m.volume.subpath);
	m = vol_ok(a, "data:/d:shared"); /* bind option on a volume keeps bind: */
	assert_int_equal(m.type, MOUNT_VOLUME);
	assert_true(m.has_bind);
	assert_int_equal(m.bind.propagation, PROP_SHARED);
	m = vol_ok(a, "./x:/y:nocopy"); /* and the reverse */
	assert_int_equal(m.type, MOUNT_BIND);
	assert_true(m.has_volume);
	assert_true(m.volume.nocopy);
}

static void test_volume_invalid(void **state)
{
	struct arena *a = *state;
	assert_string_equal(vol_bad(a, "/foo:/foo:ro:foo"), "invalid volume spec \"/foo:/foo:ro:foo\": too many colons");
	assert_string_equal(vol_bad(a, "ab::c"), "invalid volume spec \"ab::c\": empty section between colons");
	assert_string_equal(vol_bad(a, ""), "invalid empty volume spec");
	vol_bad(a, ":foo");
	vol_bad(a, "/foo::ro");
	vol_bad(a, "/foo:/bar:");
	vol_bad(a, "/a:/b:ro:x");
	/* colons in device paths need the long syntax (no "/dev" special case) */
	vol_bad(a, "/dev/usb-0:1.3:1.0-port0:/dev/usb-0:1.3:1.0-port0");
}

/* ---- shell words ---------------------------------------------------------- */

static struct strlist sh_ok(struct arena *a, const char *s)
{
	struct strlist l = { 0 };
	const char *err = NULL;
	assert_int_equal(shell_split(a, s, &l, &err), 0);
	assert_null(err);
	return l;
}

static void sh_expect(struct arena *a, const char *s, size_t n, ...)
{
	struct strlist l = sh_ok(a, s);
	va_list ap;
	assert_int_equal(l.n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l.v[i], va_arg(ap, const char *));
	va_end(ap);
}

static void sh_bad(struct arena *a, const char *s)
{
	struct strlist l = { 0 };
	const char *err = NULL;
	assert_int_equal(shell_split(a, s, &l, &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, "invalid command line string", 27) == 0);
}

static void test_shell_words(void **state)
{
	struct arena *a = *state;
	sh_expect(a, "", 0);
	sh_expect(a, " \t\n ", 0);
	sh_expect(a, "echo hello world", 3, "echo", "hello", "world");
	sh_expect(a, "  a \t b\r\nc  ", 3, "a", "b", "c");
	sh_expect(a, "echo \"hello world\"", 2, "echo", "hello world");
	sh_expect(a, "echo 'a b' \"c d\"", 3, "echo", "a b", "c d");
	sh_expect(a, "a\\ b", 1, "a b");
	sh_expect(a, "\"a\\\"b\"", 1, "a\"b");
	sh_expect(a, "'a\\b'", 1, "a\\b");
	sh_expect(a, "\"a\\b\"", 1, "ab");
	sh_expect(a, "\"\"", 1, "");
	sh_expect(a, "a '' b", 3, "a", "", "b");
	sh_expect(a, "a\"\"b", 1, "ab");
	sh_expect(a, "x'y'\"z\"", 1, "xyz");
	sh_expect(a, "echo $HOME ${X:-y}", 3, "echo", "$HOME", "${X:-y}");
	sh_expect(a, "sh -c 'echo $((1+2))'", 3, "sh", "-c", "echo $((1+2))");
	sh_expect(a, "echo $(date +%s) x", 3, "echo", "$(date +%s)", "x");
	sh_expect(a, "echo `date +%s`", 2, "echo", "`date +%s`");
	sh_expect(a, "\"it's\" 'say \"hi\"'", 2, "it's", "say \"hi\"");
}

static void test_shell_operators(void **state)
{
	struct arena *a = *state;
	/* go-shellwords stops at an unquoted operator and drops the rest */
	sh_expect(a, "echo a; echo b", 2, "echo", "a");
	sh_expect(a, "echo a && echo b", 2, "echo", "a");
	sh_expect(a, "cat x | grep y", 2, "cat", "x");
	sh_expect(a, "echo a 2>/dev/null", 2, "echo", "a");
	sh_expect(a, "echo a>/dev/null", 2, "echo", "a");
	sh_expect(a, "sh -c 'a; b | c > d'", 3, "sh", "-c", "a; b | c > d");
	sh_expect(a, "echo a\\;b", 2, "echo", "a;b");
}

static void test_shell_invalid(void **state)
{
	struct arena *a = *state;
	sh_bad(a, "echo 'a");
	sh_bad(a, "echo \"a");
	sh_bad(a, "echo \\");
	sh_bad(a, "echo (x)");
	sh_bad(a, "echo `date");
	sh_bad(a, "echo )");
	sh_bad(a, "echo $(date");
}

/* ---- devices -------------------------------------------------------------- */

static struct device dev_ok(struct arena *a, const char *spec)
{
	struct device d = { 0 };
	const char *err = NULL;
	assert_int_equal(parse_device_short(a, spec, &d, &err), 0);
	assert_null(err);
	return d;
}

static void test_devices(void **state)
{
	struct arena *a = *state;
	struct device d = dev_ok(a, "/dev/ttyUSB0");
	assert_string_equal(d.source, "/dev/ttyUSB0");
	assert_string_equal(d.target, "/dev/ttyUSB0");
	assert_string_equal(d.permissions, "rwm");
	d = dev_ok(a, "/dev/ttyUSB0:/dev/ttyUSB1");
	assert_string_equal(d.source, "/dev/ttyUSB0");
	assert_string_equal(d.target, "/dev/ttyUSB1");
	assert_string_equal(d.permissions, "rwm");
	d = dev_ok(a, "/dev/sda:/dev/xvda:r");
	assert_string_equal(d.source, "/dev/sda");
	assert_string_equal(d.target, "/dev/xvda");
	assert_string_equal(d.permissions, "r");
	d = dev_ok(a, "vendor1.com/device=gpu");
	assert_string_equal(d.source, "vendor1.com/device=gpu");
	assert_string_equal(d.target, "vendor1.com/device=gpu");
	d = dev_ok(a, "/dev/a::rw");
	assert_string_equal(d.target, "/dev/a");
	assert_string_equal(d.permissions, "rw");

	const char *err = NULL;
	assert_int_equal(parse_device_short(a, "/dev/a:1:2:/dev/b", &d, &err), -1);
	assert_string_equal(err, "confusing device mapping \"/dev/a:1:2:/dev/b\", please use long syntax");
}

/* ---- extra hosts ---------------------------------------------------------- */

static void test_extra_hosts(void **state)
{
	struct arena *a = *state;
	struct kv *v = NULL;
	size_t n = 0;
	const char *err = NULL;
	assert_int_equal(parse_extra_host(a, "somehost=162.242.195.82", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "otherhost:50.31.209.229", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "myhostv6=::1", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "ipv6local:::1", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "h6=[2003:ab34:e::1]", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "foo=127.0.0.2,[::2]", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "host.docker.internal:host-gateway", &v, &n, &err), 0);
	assert_int_equal(parse_extra_host(a, "empty=", &v, &n, &err), 0); /* compose-go keeps "" */
	assert_int_equal(n, 9);
	assert_string_equal(v[8].key, "empty");
	assert_string_equal(v[8].value, "");
	const char *want[][2] = {
		{ "somehost", "162.242.195.82" }, { "otherhost", "50.31.209.229" },
		{ "myhostv6", "::1" },            { "ipv6local", "::1" },
		{ "h6", "2003:ab34:e::1" },       { "foo", "127.0.0.2" },
		{ "foo", "::2" },                 { "host.docker.internal", "host-gateway" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_string_equal(v[i].key, want[i][0]);
		assert_string_equal(v[i].value, want[i][1]);
	}
}

static void test_extra_hosts_invalid(void **state)
{
	struct arena *a = *state;
	struct kv *v = NULL;
	size_t n = 0;
	const char *err = NULL;
	assert_int_equal(parse_extra_host(a, "::::1", &v, &n, &err), -1);
	assert_string_equal(err, "bad host name \"\"");
	assert_int_equal(parse_extra_host(a, "=::1", &v, &n, &err), -1);
	assert_int_equal(parse_extra_host(a, "a:b=1.2.3.4", &v, &n, &err), -1);
	assert_string_equal(err, "bad host name \"a:b\"");
	assert_int_equal(parse_extra_host(a, "nohost", &v, &n, &err), -1);
	assert_string_equal(err, "invalid extra host \"nohost\": missing ip");
	assert_int_equal(n, 0);
}

/* ---- path_clean ----------------------------------------------------------- */

static void test_path_clean(void **state)
{
	struct arena *a = *state;
	static const char *const cases[][2] = {
		{ "", "." },           { "/", "/" },          { "abc", "abc" },
		{ "a/b/../c", "a/c" }, { "/../a", "/a" },     { "../../a", "../../a" },
		{ "a/..", "." },       { "//a//b/", "/a/b" }, { "./a", "a" },
		{ "/a/b/../c/", "/a/c" }, { "a/../../b", "../b" }, { "/a/./b/.", "/a/b" },
		{ "abc/def/../../..", ".." }, { "/abc/../../x", "/x" }, { "a/b/c/../../d", "a/d" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(path_clean(a, cases[i][0]), cases[i][1]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_duration_valid),    T(test_duration_invalid), T(test_bytes_valid),
		T(test_bytes_invalid),     T(test_ports_simple),     T(test_ports_ipv6),
		T(test_ports_ranges),      T(test_ports_string_order), T(test_ports_append),
		T(test_ports_invalid),     T(test_volume_anonymous), T(test_volume_bind),
		T(test_volume_named),      T(test_volume_options),   T(test_volume_invalid),
		T(test_shell_words),       T(test_shell_operators),  T(test_shell_invalid),
		T(test_devices),           T(test_extra_hosts),      T(test_extra_hosts_invalid),
		T(test_path_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
