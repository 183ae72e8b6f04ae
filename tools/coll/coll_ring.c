/* SPDX-License-Identifier: MIT */
/*
 * The ring pass shared by ring all-reduce, all-gather and reduce-scatter
 * (and by the levels of the two-level all-reduce).
 */
#include <stdlib.h>

#include "tools/coll/coll.h"

size_t coll_block_off(size_t count, int n, int b)
{
	return (size_t)b * (count / n) + MIN((size_t)b, count % n);
}

static int mod(int a, int n)
{
	return ((a % n) + n) % n;
}

int coll_ring_pass(const struct coll_group *g, void *buf, size_t count,
		   enum snemu_coll_type t, int first, bool reduce)
{
	size_t ts = snemu_coll_type_size(t);
	int n = g->n, right, left, ret;
	struct coll_reqs q;
	char *p = buf, *tmp = NULL;

	if (n == 1)
		return 0;
	right = g->ranks[mod(g->me + 1, n)];
	left = g->ranks[mod(g->me - 1, n)];
	if (reduce) {
		tmp = malloc((count / n + 1) * ts);
		if (!tmp)
			return -ENOMEM;
	}
	ret = coll_reqs_init(&q, 2);
	for (int s = 0; !ret && s < n - 1; s++) {
		int sb = mod(first - s, n), rb = mod(first - s - 1, n);
		size_t soff = coll_block_off(count, n, sb);
		size_t roff = coll_block_off(count, n, rb);
		size_t slen = coll_block_off(count, n, sb + 1) - soff;
		size_t rlen = coll_block_off(count, n, rb + 1) - roff;

		coll_reqs_recv(&q, left, COLL_TAG_RING,
			       reduce ? tmp : p + roff * ts, rlen * ts);
		coll_reqs_send(&q, right, COLL_TAG_RING, p + soff * ts,
			       slen * ts);
		ret = coll_reqs_wait(&q);
		if (!ret && reduce)
			coll_reduce(p + roff * ts, tmp, rlen, t);
	}
	coll_reqs_fini(&q);
	free(tmp);
	return ret;
}

int coll_ring_allreduce(const struct coll_group *g, void *buf, size_t count,
			enum snemu_coll_type t)
{
	int ret = coll_ring_pass(g, buf, count, t, g->me - 1, true);

	return ret ? ret : coll_ring_pass(g, buf, count, t, g->me, false);
}
