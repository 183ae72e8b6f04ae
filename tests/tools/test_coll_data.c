/* SPDX-License-Identifier: MIT */
/* Deterministic inputs, exact expected sums, checks and block splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tools/coll/coll.h"

static const enum snemu_coll_type types[] = {
	SNEMU_COLL_FLOAT32,
	SNEMU_COLL_BF16,
	SNEMU_COLL_INT32,
	SNEMU_COLL_INT8,
};

static void block_split(void **state)
{
	/* 10 in 3: the first 10 % 3 blocks hold one more */
	assert_int_equal(coll_block_off(10, 3, 0), 0);
	assert_int_equal(coll_block_off(10, 3, 1), 4);
	assert_int_equal(coll_block_off(10, 3, 2), 7);
	assert_int_equal(coll_block_off(10, 3, 3), 10);
	/* fewer elements than blocks: empty blocks at the end */
	assert_int_equal(coll_block_off(2, 4, 2), 2);
	assert_int_equal(coll_block_off(2, 4, 4), 2);
	/* a multiple: equal blocks */
	assert_int_equal(coll_block_off(384 * 5, 384, 100), 500);
}

/*
 * Sum n ranks' sum values in three orders (forward, backward, and the
 * pairwise tree of recursive halving), stored in the type after every
 * addition as a collective does: all must equal the table, bit for bit.
 */
static void sums_exact(enum snemu_coll_type t, int n)
{
	size_t count = 2 * COLL_SUM_PERIOD + 7, ts = snemu_coll_type_size(t);
	char *in = malloc(n * count * ts), *fwd = malloc(count * ts);
	char *bwd = malloc(count * ts), *table = malloc(COLL_SUM_PERIOD * ts);

	assert_non_null(in);
	assert_non_null(fwd);
	assert_non_null(bwd);
	assert_non_null(table);
	for (int r = 0; r < n; r++)
		coll_fill_sum(in + r * count * ts, count, t, n, r, 0);
	coll_sum_table(table, t, n);
	memcpy(fwd, in, count * ts);
	for (int r = 1; r < n; r++)
		coll_reduce(fwd, in + r * count * ts, count, t);
	memcpy(bwd, in + (n - 1) * count * ts, count * ts);
	for (int r = n - 2; r >= 0; r--)
		coll_reduce(bwd, in + r * count * ts, count, t);
	for (int step = 1; step < n; step *= 2) /* tree, in place */
		for (int r = 0; r + step < n; r += 2 * step)
			coll_reduce(in + r * count * ts,
				    in + (r + step) * count * ts, count, t);
	assert_int_equal(coll_check_sum(fwd, count, t, table, 0), 0);
	assert_int_equal(coll_check_sum(bwd, count, t, table, 0), 0);
	assert_int_equal(coll_check_sum(in, count, t, table, 0), 0);
	/* an offset window checks against the right residues */
	assert_int_equal(coll_check_sum(fwd + 100 * ts, 50, t, table, 100), 0);
	free(table);
	free(bwd);
	free(fwd);
	free(in);
}

static void sum_values_exact_in_any_order(void **state)
{
	static const int ns[] = {1, 2, 3, 8, 48, 257, 384, 768};

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		for (size_t j = 0; j < ARRAY_SIZE(ns); j++)
			sums_exact(types[i], ns[j]);
}

static void bf16_sum_values_bounded(void **state)
{
	/* at most 256 ranks hold +-1 per index, so partial sums stay exact */
	for (int n = 1; n <= 1024; n = n * 2 + 1) {
		uint16_t v;

		for (uint64_t j = 0; j < COLL_SUM_PERIOD; j++) {
			int nonzero = 0;

			for (int r = 0; r < n; r++) {
				coll_fill_sum(&v, 1, SNEMU_COLL_BF16, n, r, j);
				nonzero += coll_bf16_to_float(v) != 0;
			}
			assert_true(nonzero <= 256);
			assert_true(nonzero > 0 || n > 256);
		}
	}
}

static void unique_values_check(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		enum snemu_coll_type t = types[i];
		size_t ts = snemu_coll_type_size(t), count = 1000;
		char *buf = malloc(count * ts), *other = malloc(count * ts);

		assert_non_null(buf);
		assert_non_null(other);
		coll_fill_unique(buf, count, t, 5, 77);
		assert_int_equal(coll_check_unique(buf, count, t, 5, 77), 0);
		/* another rank, another offset: (nearly) everything differs */
		assert_true(coll_check_unique(buf, count, t, 6, 77) >
			    count * 9 / 10);
		assert_true(coll_check_unique(buf, count, t, 5, 78) >
			    count * 9 / 10);
		/* one changed element is one mismatch */
		buf[3 * ts] ^= 1;
		assert_int_equal(coll_check_unique(buf, count, t, 5, 77), 1);
		/* poison is not a valid result */
		coll_fill_poison(other, count, t);
		assert_true(coll_check_unique(other, count, t, 5, 77) >
			    count * 9 / 10);
		free(other);
		free(buf);
	}
}

static void float_values_are_integers(void **state)
{
	float f[256];
	uint16_t b[256];

	coll_fill_unique(f, 256, SNEMU_COLL_FLOAT32, 3, 0);
	coll_fill_unique(b, 256, SNEMU_COLL_BF16, 3, 0);
	for (int i = 0; i < 256; i++) {
		float x = coll_bf16_to_float(b[i]);

		assert_true(f[i] == (float)(int32_t)f[i]);
		assert_true(x == x && x - x == 0); /* finite, not NaN */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_split),
		cmocka_unit_test(sum_values_exact_in_any_order),
		cmocka_unit_test(bf16_sum_values_bounded),
		cmocka_unit_test(unique_values_check),
		cmocka_unit_test(float_values_are_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
