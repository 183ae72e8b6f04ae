/* SPDX-License-Identifier: MIT */
/*
 * Deterministic inputs and their exact expected results.
 *
 * Unique values (data-moving operations) are a hash of (rank, index) cut
 * to the type: any misplaced or stale element shows. Sum values must add
 * up exactly in any order and grouping: float32, int32 and int8 take
 * integers in [-8, 8] (|sum| <= 8 n, exact in float32 up to 2^21 ranks;
 * integer sums wrap identically in any order); bfloat16, which holds
 * integers exactly only up to 256, takes +-1 on at most 256 ranks per
 * index and 0 elsewhere, so every partial sum is an integer of magnitude
 * at most 256.
 */
#include <string.h>

#include "tools/coll/coll.h"

static uint64_t mix(int rank, uint64_t index)
{
	uint64_t z = ((uint64_t)rank + 1) * 0x9e3779b97f4a7c15ULL ^ index;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void store(void *buf, size_t i, enum snemu_coll_type t, int64_t v)
{
	switch (t) {
	case SNEMU_COLL_FLOAT32: ((float *)buf)[i] = (float)v; break;
	case SNEMU_COLL_BF16:
		((uint16_t *)buf)[i] = coll_float_to_bf16((float)v);
		break;
	case SNEMU_COLL_INT32: ((uint32_t *)buf)[i] = (uint32_t)v; break;
	case SNEMU_COLL_INT8: ((uint8_t *)buf)[i] = (uint8_t)v; break;
	}
}

static void unique_value(void *buf, size_t i, enum snemu_coll_type t, int rank,
			 uint64_t index)
{
	uint64_t h = mix(rank, index);
	uint16_t b;

	switch (t) {
	case SNEMU_COLL_FLOAT32:
		store(buf, i, t, (int64_t)(h & 0xffffff) - 0x800000);
		break;
	case SNEMU_COLL_BF16:
		b = (uint16_t)h;
		if ((b & 0x7f80) == 0x7f80) /* no Inf or NaN */
			b ^= 0x4000;
		((uint16_t *)buf)[i] = b;
		break;
	default: store(buf, i, t, (int64_t)h); break;
	}
}

static int64_t sum_value(enum snemu_coll_type t, int n, int rank,
			 uint64_t index)
{
	uint64_t j = index % COLL_SUM_PERIOD, h = mix(rank, j);
	int m;

	if (t != SNEMU_COLL_BF16)
		return (int64_t)(h % 17) - 8;
	m = DIV_ROUND_UP(n, 256);
	if ((rank + j) % m)
		return 0;
	return h & 1 ? 1 : -1;
}

void coll_fill_unique(void *buf, size_t count, enum snemu_coll_type t, int rank,
		      uint64_t first)
{
	for (size_t i = 0; i < count; i++)
		unique_value(buf, i, t, rank, first + i);
}

void coll_fill_sum(void *buf, size_t count, enum snemu_coll_type t, int n,
		   int rank, uint64_t first)
{
	for (size_t i = 0; i < count; i++)
		store(buf, i, t, sum_value(t, n, rank, first + i));
}

void coll_fill_poison(void *buf, size_t count, enum snemu_coll_type t)
{
	memset(buf, 0xa5, count * snemu_coll_type_size(t));
}

void coll_sum_table(void *table, enum snemu_coll_type t, int n)
{
	for (uint64_t j = 0; j < COLL_SUM_PERIOD; j++) {
		int64_t sum = 0;

		for (int r = 0; r < n; r++)
			sum += sum_value(t, n, r, j);
		store(table, j, t, sum);
	}
}

uint64_t coll_check_unique(const void *buf, size_t count,
			   enum snemu_coll_type t, int rank, uint64_t first)
{
	size_t ts = snemu_coll_type_size(t);
	uint64_t wrong = 0;
	uint32_t want;

	for (size_t i = 0; i < count; i++) {
		unique_value(&want, 0, t, rank, first + i);
		wrong += memcmp((const char *)buf + i * ts, &want, ts) != 0;
	}
	return wrong;
}

uint64_t coll_check_sum(const void *buf, size_t count, enum snemu_coll_type t,
			const void *table, uint64_t first)
{
	size_t ts = snemu_coll_type_size(t);
	uint64_t wrong = 0;

	for (size_t i = 0; i < count; i++) {
		const char *want = (const char *)table +
				   (first + i) % COLL_SUM_PERIOD * ts;

		wrong += memcmp((const char *)buf + i * ts, want, ts) != 0;
	}
	return wrong;
}
