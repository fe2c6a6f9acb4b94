/*
 * fuzz_yamldiff.c - libFuzzer target: the fast YAML scanner against
 * libfyaml (yaml_diff).  An input the fast scanner accepts must give
 * libfyaml's event stream, field by field and mark by mark; a difference
 * aborts, and so is a finding.  Inputs yaml_parse would refuse before
 * parsing (not printable UTF-8) are skipped, as yaml_parse skips them.
 */
#include "frontend/yaml_events.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	if (!yaml_text_ok(text, size))
		return 0;
	struct strbuf why = STRBUF_INIT;
	if (yaml_diff(text, size, &why) < 0) {
		fprintf(stderr, "fuzz_yamldiff: the fast scanner differs from libfyaml:\n%s", why.buf);
		abort();
	}
	sb_release(&why);
	return 0;
}
