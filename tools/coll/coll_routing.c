/* SPDX-License-Identifier: MIT */
/*
 * MoE routing drawn from a seeded PRNG (splitmix64 seeding xoshiro256**,
 * no libc rand); the payloads are inline in coll.h.
 *
 * Expert popularity follows a Zipf law of exponent skew over a seeded
 * permutation of the experts (skew 0: uniform), so hot experts land on
 * arbitrary ranks. Each token takes topk distinct experts: draws repeat
 * on a duplicate, and after a few misses (a very skewed law) the next
 * expert is taken from the remaining ones by an exact linear draw.
 */
#include <math.h>
#include <stdlib.h>

#include "tools/coll/coll.h"

#define ROUTE_TRIES 16

uint64_t coll_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void coll_rng_seed(struct coll_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = coll_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t coll_rng_next(struct coll_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform double in [0, 1). */
static double rng_unit(struct coll_rng *r)
{
	return (coll_rng_next(r) >> 11) * 0x1.0p-53;
}

struct router {
	int experts;
	int *perm;   /* popularity rank -> expert id */
	double *cdf; /* cumulative weight of ranks 0..i, cdf[E-1] = 1 */
	double *w;   /* weight of each rank */
};

static int router_init(struct router *rt, const struct coll_moe_cfg *cfg)
{
	struct coll_rng rng;
	int e = cfg->experts;
	double sum = 0;

	rt->experts = e;
	rt->perm = malloc(e * sizeof(*rt->perm));
	rt->cdf = malloc(2 * e * sizeof(*rt->cdf));
	if (!rt->perm || !rt->cdf) {
		free(rt->perm);
		free(rt->cdf);
		return -ENOMEM;
	}
	rt->w = rt->cdf + e;
	coll_rng_seed(&rng, cfg->seed ^ 0x5eed5eed5eed5eedULL);
	for (int i = 0; i < e; i++)
		rt->perm[i] = i;
	for (int i = e - 1; i > 0; i--) { /* Fisher-Yates */
		int j = coll_rng_next(&rng) % (i + 1), x = rt->perm[i];

		rt->perm[i] = rt->perm[j];
		rt->perm[j] = x;
	}
	for (int i = 0; i < e; i++) {
		rt->w[i] = cfg->skew > 0 ? pow(i + 1, -cfg->skew) : 1.0;
		sum += rt->w[i];
		rt->cdf[i] = sum;
	}
	for (int i = 0; i < e; i++) {
		rt->w[i] /= sum;
		rt->cdf[i] /= sum;
	}
	return 0;
}

/* Popularity rank of a uniform draw u (first cdf entry above u). */
static int router_pick(const struct router *rt, double u)
{
	int lo = 0, hi = rt->experts - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (rt->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool taken(const int32_t *sel, int k, int e)
{
	for (int i = 0; i < k; i++)
		if (sel[i] == e)
			return true;
	return false;
}

/* Exact draw among the experts not in sel[0..k). */
static int router_rest(const struct router *rt, struct coll_rng *rng,
		       const int32_t *sel, int k)
{
	double left = 0, u;
	int last = -1;

	for (int i = 0; i < rt->experts; i++)
		if (!taken(sel, k, rt->perm[i]))
			left += rt->w[i];
	u = rng_unit(rng) * left;
	for (int i = 0; i < rt->experts; i++) {
		if (taken(sel, k, rt->perm[i]))
			continue;
		last = rt->perm[i];
		if (u < rt->w[i])
			break;
		u -= rt->w[i];
	}
	return last;
}

static void route_token(const struct router *rt, struct coll_rng *rng, int topk,
			int32_t *sel, float *weight)
{
	for (int s = 0; s < topk; s++) {
		int e = -1;

		for (int i = 0; i < ROUTE_TRIES && e < 0; i++) {
			e = rt->perm[router_pick(rt, rng_unit(rng))];
			if (taken(sel, s, e))
				e = -1;
		}
		if (e < 0)
			e = router_rest(rt, rng, sel, s);
		sel[s] = e;
		weight[s] = (float)(1 + coll_rng_next(rng) % 4) / 4;
	}
}

int coll_moe_route(const struct coll_moe_cfg *cfg, int nranks, int32_t *idx,
		   float *weight)
{
	struct router rt;
	int ret;

	if (cfg->tokens < 0 || cfg->topk < 1 || cfg->experts < 1 ||
	    cfg->topk > cfg->experts || cfg->skew < 0)
		return -EINVAL;
	ret = router_init(&rt, cfg);
	if (ret)
		return ret;
	for (int r = 0; r < nranks; r++) {
		struct coll_rng rng;
		size_t base = (size_t)r * cfg->tokens * cfg->topk;

		coll_rng_seed(&rng, cfg->seed + 0x9e3779b97f4a7c15ULL * r);
		for (int t = 0; t < cfg->tokens; t++)
			route_token(&rt, &rng, cfg->topk,
				    idx + base + (size_t)t * cfg->topk,
				    weight + base + (size_t)t * cfg->topk);
	}
	free(rt.perm);
	free(rt.cdf);
	return 0;
}
