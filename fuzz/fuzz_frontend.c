/*
 * fuzz_frontend.c - libFuzzer target: bytes -> the whole frontend (YAML,
 * interpolation, include/extends, merge, lowering, validation, ordering)
 * -> the IR, then both dumps of the IR.  Any crash, sanitizer report,
 * leak or timeout is a finding.
 */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d, &a);
	struct project *p = fuzz_load(&a, &d, data, size);
	if (p) {
		struct strbuf out = STRBUF_INIT;
		dump_config(p, DUMP_YAML, &out);
		sb_reset(&out);
		dump_config(p, DUMP_JSON, &out);
		sb_release(&out);
	}
	diag_flush(&d, fuzz_null);
	diag_release(&d);
	arena_release(&a);
	return 0;
}
