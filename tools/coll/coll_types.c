/* SPDX-License-Identifier: MIT */
/* Element types: names, bfloat16 conversions, the sum reduction. */
#include <string.h>

#include "tools/coll/coll.h"

static const struct {
	const char *name;
	enum snemu_coll_type type;
} type_names[] = {
	/* the first name of each type is the one printed */
	{"float", SNEMU_COLL_FLOAT32},	 {"bfloat16", SNEMU_COLL_BF16},
	{"int32", SNEMU_COLL_INT32},	 {"int8", SNEMU_COLL_INT8},
	{"float32", SNEMU_COLL_FLOAT32}, {"bf16", SNEMU_COLL_BF16},
	{"int", SNEMU_COLL_INT32},
};

const char *coll_type_name(enum snemu_coll_type t)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	return "?";
}

int coll_type_parse(const char *s, enum snemu_coll_type *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (!strcmp(s, type_names[i].name)) {
			*out = type_names[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

void coll_reduce(void *dst, const void *src, size_t n, enum snemu_coll_type t)
{
	switch (t) {
	case SNEMU_COLL_FLOAT32: {
		float *d = dst;
		const float *s = src;

		for (size_t i = 0; i < n; i++)
			d[i] += s[i];
		break;
	}
	case SNEMU_COLL_BF16: {
		uint16_t *d = dst;
		const uint16_t *s = src;

		for (size_t i = 0; i < n; i++)
			d[i] = coll_float_to_bf16(coll_bf16_to_float(d[i]) +
						  coll_bf16_to_float(s[i]));
		break;
	}
	case SNEMU_COLL_INT32: {
		uint32_t *d = dst; /* unsigned: wraps without UB */
		const uint32_t *s = src;

		for (size_t i = 0; i < n; i++)
			d[i] += s[i];
		break;
	}
	case SNEMU_COLL_INT8: {
		uint8_t *d = dst;
		const uint8_t *s = src;

		for (size_t i = 0; i < n; i++)
			d[i] += s[i];
		break;
	}
	}
}
