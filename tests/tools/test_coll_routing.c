/* SPDX-License-Identifier: MIT */
/* The PRNG, MoE routing and payloads: deterministic, valid, skewable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tools/coll/coll.h"

static void splitmix64_known_answer(void **state)
{
	/* the reference sequence of splitmix64 from seed 0 */
	uint64_t s = 0;

	assert_true(coll_splitmix64(&s) == 0xe220a8397b1dcdafULL);
	assert_true(coll_splitmix64(&s) == 0x6e789e6aa1b965f4ULL);
	assert_true(coll_splitmix64(&s) == 0x06c45d188009454fULL);
}

static void xoshiro_deterministic(void **state)
{
	struct coll_rng a, b, c;
	int same = 0;

	coll_rng_seed(&a, 42);
	coll_rng_seed(&b, 42);
	coll_rng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = coll_rng_next(&a);

		assert_true(x == coll_rng_next(&b));
		same += x == coll_rng_next(&c);
	}
	assert_int_equal(same, 0);
}

struct routing {
	struct coll_moe_cfg cfg;
	int n;
	int32_t *idx;
	float *w;
};

static void route(struct routing *r, int n, int tokens, int topk, int experts,
		  uint64_t seed, double skew)
{
	size_t sel = (size_t)n * tokens * topk;

	r->cfg = (struct coll_moe_cfg){tokens, 7168, topk, experts, seed, skew};
	r->n = n;
	r->idx = malloc(sel * sizeof(*r->idx));
	r->w = malloc(sel * sizeof(*r->w));
	assert_non_null(r->idx);
	assert_non_null(r->w);
	assert_int_equal(coll_moe_route(&r->cfg, n, r->idx, r->w), 0);
}

static void routing_free(struct routing *r)
{
	free(r->idx);
	free(r->w);
}

/* Largest expert load over the mean load. */
static double imbalance(const struct routing *r)
{
	size_t sel = (size_t)r->n * r->cfg.tokens * r->cfg.topk;
	int *load = calloc(r->cfg.experts, sizeof(*load)), max = 0;

	assert_non_null(load);
	for (size_t i = 0; i < sel; i++) {
		int l = ++load[r->idx[i]];

		max = MAX(max, l);
	}
	free(load);
	return max / ((double)sel / r->cfg.experts);
}

static void routing_valid(void **state)
{
	static const double skews[] = {0, 1, 3, 50};

	for (size_t s = 0; s < ARRAY_SIZE(skews); s++) {
		struct routing r;
		int k = 8;

		route(&r, 16, 64, k, 16, 7, skews[s]);
		for (size_t t = 0; t < (size_t)16 * 64; t++)
			for (int i = 0; i < k; i++) {
				int32_t e = r.idx[t * k + i];
				float w = r.w[t * k + i];

				assert_true(e >= 0 && e < 16);
				for (int j = 0; j < i; j++)
					assert_true(r.idx[t * k + j] != e);
				assert_true(w == 0.25f || w == 0.5f ||
					    w == 0.75f || w == 1.0f);
			}
		routing_free(&r);
	}
	/* every expert of a token: top-k == experts */
	{
		struct routing r;

		route(&r, 2, 10, 8, 8, 1, 5);
		for (int t = 0; t < 20; t++) {
			int seen = 0;

			for (int i = 0; i < 8; i++)
				seen |= 1 << r.idx[t * 8 + i];
			assert_int_equal(seen, 0xff);
		}
		routing_free(&r);
	}
}

static void routing_deterministic(void **state)
{
	struct routing a, b, c;
	size_t sel = (size_t)8 * 128 * 8;

	route(&a, 8, 128, 8, 64, 1, 0);
	route(&b, 8, 128, 8, 64, 1, 0);
	route(&c, 8, 128, 8, 64, 2, 0);
	assert_memory_equal(a.idx, b.idx, sel * sizeof(*a.idx));
	assert_memory_equal(a.w, b.w, sel * sizeof(*a.w));
	assert_memory_not_equal(a.idx, c.idx, sel * sizeof(*a.idx));
	routing_free(&a);
	routing_free(&b);
	routing_free(&c);
}

static void routing_skew_shows(void **state)
{
	struct routing u, z;

	route(&u, 48, 128, 8, 384, 1, 0);
	route(&z, 48, 128, 8, 384, 1, 1.2);
	/* uniform: 128 choices per expert on average, a few dozen off */
	assert_true(imbalance(&u) < 1.5);
	/* Zipf 1.2: the hottest expert carries many times the mean */
	assert_true(imbalance(&z) > 5);
	routing_free(&u);
	routing_free(&z);
}

static void routing_rejects_bad_shapes(void **state)
{
	struct coll_moe_cfg bad = {4, 16, 9, 8, 1, 0}; /* topk > E */
	int32_t idx[64];
	float w[64];

	assert_int_equal(coll_moe_route(&bad, 1, idx, w), -EINVAL);
	bad.topk = 0;
	assert_int_equal(coll_moe_route(&bad, 1, idx, w), -EINVAL);
	bad.topk = 2;
	bad.skew = -1;
	assert_int_equal(coll_moe_route(&bad, 1, idx, w), -EINVAL);
}

static void owners_spread_evenly(void **state)
{
	int count[7] = {0};

	/* 384 experts on 384 ranks: one each */
	for (int e = 0; e < 384; e++)
		assert_int_equal(snemu_coll_moe_owner(e, 384, 384), e);
	/* 10 on 7: contiguous groups of 1 or 2 */
	for (int e = 0; e < 10; e++)
		count[snemu_coll_moe_owner(e, 10, 7)]++;
	for (int r = 0; r < 7; r++)
		assert_true(count[r] == 1 || count[r] == 2);
	assert_int_equal(snemu_coll_moe_owner(9, 10, 7), 6);
}

static void payload_shapes(void **state)
{
	/* DeepSeek decode: 7168 int8 values and 56 float scales */
	assert_int_equal(snemu_coll_moe_token_bytes(7168), 7392);
	assert_int_equal(snemu_coll_moe_token_bytes(100), 104);
	/* token payloads differ between ranks and between tokens */
	{
		int diff_rank = 0, diff_token = 0;

		for (int h = 0; h < 64; h++) {
			diff_rank += coll_moe_x_byte(3, 4, h) !=
				     coll_moe_x_byte(4, 4, h);
			diff_token += coll_moe_x_byte(3, 4, h) !=
				      coll_moe_x_byte(3, 5, h);
		}
		assert_true(diff_rank > 50 && diff_token > 50);
	}
	/* expert outputs are small integers, and differ between rows */
	for (int h = 0, diff = 0; h < 100; h++) {
		uint32_t seed = coll_moe_row_seed(1, 2, 3);
		float v = coll_bf16_to_float(coll_moe_row_elem(seed, h));

		assert_true(v == (int)v && v >= -2 && v <= 2);
		diff += coll_moe_row_elem(seed, h) !=
			coll_moe_row_elem(coll_moe_row_seed(1, 2, 4), h);
		if (h == 99)
			assert_true(diff > 30);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splitmix64_known_answer),
		cmocka_unit_test(xoshiro_deterministic),
		cmocka_unit_test(routing_valid),
		cmocka_unit_test(routing_deterministic),
		cmocka_unit_test(routing_skew_shows),
		cmocka_unit_test(routing_rejects_bad_shapes),
		cmocka_unit_test(owners_spread_evenly),
		cmocka_unit_test(payload_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
