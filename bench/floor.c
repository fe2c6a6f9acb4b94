/*
 * floor.c - the two libfyaml floors that `make bench` compares composec
 * with (bench/run.sh):
 *
 *   floor doc FILE        parse FILE into libfyaml documents (the tree a
 *                         tree-based frontend starts from), without resolving
 *                         aliases or `<<` merge keys; libfyaml's default
 *                         duplicate-key check included
 *   floor doc-nodup FILE  the same with FYPCF_ALLOW_DUPLICATE_KEYS: that
 *                         check is quadratic in the keys of a mapping, so
 *                         this is the lower floor for big files
 *   floor events FILE     run libfyaml's parser over FILE and drop every
 *                         event: the cost of reading the input at all
 *
 * Each reads the file the way composec does (into memory, then parses the
 * string), with the parse flags composec uses, and exits 1 on a YAML error.
 * Built by bench/run.sh with cc and pkg-config libfyaml; not part of the
 * compiler.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(2);
	}
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(fp)) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(fp);
	*len = n;
	return buf;
}

/* composec's flags (frontend/yaml.c); no FYPCF_RESOLVE_DOCUMENT */
#define FLAGS (FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE)

static int doc_floor(const char *text, size_t len, unsigned extra)
{
	struct fy_parse_cfg cfg = { .flags = FLAGS | extra };
	struct fy_parser *p = fy_parser_create(&cfg);
	if (!p || fy_parser_set_string(p, text, len) != 0)
		return 1;
	size_t docs = 0, nodes = 0;
	struct fy_document *fyd;
	while ((fyd = fy_parse_load_document(p)) != NULL) {
		struct fy_node *root = fy_document_root(fyd);
		void *it = NULL;
		/* touch the top level so that nothing is optimised away */
		if (root && fy_node_is_mapping(root))
			while (fy_node_mapping_iterate(root, &it))
				nodes++;
		docs++;
		fy_parse_document_destroy(p, fyd);
	}
	int rc = fy_parser_get_stream_error(p) ? 1 : 0;
	fy_parser_destroy(p);
	return rc || !docs || !nodes;
}

static int event_floor(const char *text, size_t len)
{
	struct fy_parse_cfg cfg = { .flags = FLAGS };
	struct fy_parser *p = fy_parser_create(&cfg);
	if (!p || fy_parser_set_string(p, text, len) != 0)
		return 1;
	size_t events = 0;
	struct fy_event *e;
	while ((e = fy_parser_parse(p)) != NULL) {
		events++;
		fy_parser_event_free(p, e);
	}
	int rc = fy_parser_get_stream_error(p) ? 1 : 0;
	fy_parser_destroy(p);
	return rc || !events;
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : "";
	if (strcmp(mode, "doc") != 0 && strcmp(mode, "doc-nodup") != 0 && strcmp(mode, "events") != 0) {
		fputs("usage: floor doc|doc-nodup|events FILE\n", stderr);
		return 2;
	}
	size_t len;
	char *text = slurp(argv[2], &len);
	int rc = strcmp(mode, "events") == 0 ? event_floor(text, len)
		 : doc_floor(text, len, strcmp(mode, "doc-nodup") == 0 ? FYPCF_ALLOW_DUPLICATE_KEYS : 0);
	if (rc)
		fprintf(stderr, "floor: %s: YAML error\n", argv[2]);
	free(text);
	return rc;
}
