/* SPDX-License-Identifier: MIT */
/* Element types of the collective library: names, bfloat16, sums. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tools/coll/coll.h"

static void type_names_round_trip(void **state)
{
	static const char *const names[] = {"float", "bfloat16", "int32",
					    "int8"};
	enum snemu_coll_type t;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(coll_type_parse(names[i], &t), 0);
		assert_string_equal(coll_type_name(t), names[i]);
	}
	assert_int_equal(coll_type_parse("bf16", &t), 0);
	assert_int_equal(t, SNEMU_COLL_BF16);
	assert_int_equal(coll_type_parse("double", &t), -EINVAL);
	assert_int_equal(snemu_coll_type_size(SNEMU_COLL_FLOAT32), 4);
	assert_int_equal(snemu_coll_type_size(SNEMU_COLL_BF16), 2);
	assert_int_equal(snemu_coll_type_size(SNEMU_COLL_INT8), 1);
}

static void bf16_exact_values(void **state)
{
	/* bf16 holds every integer up to 256 and powers of two exactly */
	for (int v = -256; v <= 256; v++)
		assert_true(coll_bf16_to_float(coll_float_to_bf16(v)) == v);
	assert_int_equal(coll_float_to_bf16(1.0f), 0x3f80);
	assert_int_equal(coll_float_to_bf16(-2.0f), 0xc000);
	assert_int_equal(coll_float_to_bf16(0.25f), 0x3e80);
	assert_true(coll_bf16_to_float(0x3f80) == 1.0f);
}

static void bf16_rounds_to_nearest_even(void **state)
{
	/* 257 lies halfway between 256 and 258: ties go to even (256) */
	assert_true(coll_bf16_to_float(coll_float_to_bf16(257.0f)) == 256.0f);
	/* 259 is halfway between 258 and 260: 260 has the even mantissa */
	assert_true(coll_bf16_to_float(coll_float_to_bf16(259.0f)) == 260.0f);
	/* just above halfway rounds up */
	assert_true(coll_bf16_to_float(coll_float_to_bf16(257.5f)) == 258.0f);
	/* the largest finite float overflows to infinity */
	assert_true(isinf(coll_bf16_to_float(coll_float_to_bf16(3.4e38f))));
	/* NaN stays NaN */
	assert_true(isnan(coll_bf16_to_float(coll_float_to_bf16(NAN))));
}

static void reduce_each_type(void **state)
{
	float f[3] = {1.5f, -2, 1e6f}, fs[3] = {0.5f, 2, 1};
	uint16_t b[2] = {coll_float_to_bf16(255), coll_float_to_bf16(1)};
	uint16_t bs[2] = {coll_float_to_bf16(1), coll_float_to_bf16(-3)};
	int32_t i[2] = {INT32_MAX, -5}, is[2] = {1, 5};
	int8_t c[2] = {127, -100}, cs[2] = {1, -100};

	coll_reduce(f, fs, 3, SNEMU_COLL_FLOAT32);
	assert_true(f[0] == 2.0f && f[1] == 0.0f && f[2] == 1000001.0f);
	coll_reduce(b, bs, 2, SNEMU_COLL_BF16);
	assert_true(coll_bf16_to_float(b[0]) == 256.0f);
	assert_true(coll_bf16_to_float(b[1]) == -2.0f);
	/* integers wrap, two's complement */
	coll_reduce(i, is, 2, SNEMU_COLL_INT32);
	assert_int_equal(i[0], INT32_MIN);
	assert_int_equal(i[1], 0);
	coll_reduce(c, cs, 2, SNEMU_COLL_INT8);
	assert_int_equal(c[0], -128);
	assert_int_equal(c[1], 56);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_names_round_trip),
		cmocka_unit_test(bf16_exact_values),
		cmocka_unit_test(bf16_rounds_to_nearest_even),
		cmocka_unit_test(reduce_each_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
