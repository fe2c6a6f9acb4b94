/*
 * field_samples.h - a value of each type of the field table (ir/fields.c),
 * as a compose file writes it, for the unit tests that run every row
 * (test_fields.c, test_field_targets.c); each adds the values of the rows
 * whose value must name something.  NULL for the types whose rows are not
 * read by their type alone (typed, untyped, the loader's).
 */
#ifndef COMPOSEC_TESTS_FIELD_SAMPLES_H
#define COMPOSEC_TESTS_FIELD_SAMPLES_H

#include "ir/ir.h"

static inline const char *field_sample_of_type(enum ir_ftype type)
{
	switch (type) {
	case IR_FT_STR: return "\"x\"";
	case IR_FT_INT: return "3";
	case IR_FT_USEC: return "1000";
	case IR_FT_BYTES: return "\"1m\"";
	case IR_FT_DURATION: return "\"7s\"";
	case IR_FT_BOOL: return "true";
	case IR_FT_FLOAT: return "0.5";
	case IR_FT_LIST: return "[\"a\"]";
	case IR_FT_LIST_NUM: return "[1]";
	case IR_FT_STR_OR_LIST: return "\"a\"";
	case IR_FT_MAP:
	case IR_FT_OPTS:
	case IR_FT_ENV: return "{\"K\": \"v\"}";
	case IR_FT_COMMAND: return "[\"a\"]";
	case IR_FT_TYPED:
	case IR_FT_EXTRA:
	case IR_FT_LOADER: break;
	}
	return NULL;
}

#endif
