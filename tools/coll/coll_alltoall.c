/* SPDX-License-Identifier: MIT */
/*
 * All-to-all: pairwise exchange (step s sends to me + s and receives from
 * me - s, all steps in flight at once, so no two senders start on the
 * same receiver), and two-level: blocks are first gathered inside the
 * node by destination index, then exchanged between nodes, so each rank
 * sends (per_node - 1) + (nodes - 1) messages instead of n - 1.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

/* Post block exchanges with every other member of g, in pairwise order:
 * send sbuf block of member j (blen bytes each), receive into rbuf's. */
static int pairwise(const struct coll_group *g, const char *sbuf, char *rbuf,
		    size_t blen)
{
	struct coll_reqs q;
	int n = g->n, ret;

	memcpy(rbuf + g->me * blen, sbuf + g->me * blen, blen);
	ret = coll_reqs_init(&q, 2 * n);
	if (ret)
		return ret;
	for (int s = 1; s < n; s++) {
		int j = (g->me - s + n) % n;

		coll_reqs_recv(&q, g->ranks[j], COLL_TAG_ALLTOALL,
			       rbuf + j * blen, blen);
	}
	for (int s = 1; s < n; s++) {
		int j = (g->me + s) % n;

		coll_reqs_send(&q, g->ranks[j], COLL_TAG_ALLTOALL,
			       sbuf + j * blen, blen);
	}
	ret = coll_reqs_wait(&q);
	coll_reqs_fini(&q);
	return ret;
}

int coll_alltoall_pairwise(const void *sendbuf, void *recvbuf, size_t count,
			   enum snemu_coll_type t)
{
	struct coll_group g;
	int ret = coll_group_world(&g);

	if (ret)
		return ret;
	ret = pairwise(&g, sendbuf, recvbuf, count * snemu_coll_type_size(t));
	coll_group_free(&g);
	return ret;
}

/*
 * Ranks are (node a, index i); nl ranks per node, nn nodes. Phase 1 (in the
 * node): (a, i) sends to (a, j) its blocks for (b, j), every b, and gets
 * stage[j][b] = block of (a, j) for (b, i). Phase 2 (across nodes): to
 * (b, i) goes stage[j][b] for every j; from (b, i) come the blocks of
 * (b, j) for me, which are the result.
 */
static int two_level(const struct coll_group *local,
		     const struct coll_group *cross, const int *grid,
		     const char *sbuf, char *rbuf, size_t blen)
{
	int nl = local->n, nn = cross->n, ret = -ENOMEM;
	size_t plane = (size_t)nl * nn * blen;
	char *pack = malloc(2 * plane + 1), *stage;

	if (!pack)
		return ret;
	stage = pack + plane;
	/* phase 1: pack[j][b] = my block for (b, j) */
	for (int j = 0; j < nl; j++)
		for (int b = 0; b < nn; b++)
			memcpy(pack + ((size_t)j * nn + b) * blen,
			       sbuf + (size_t)grid[b * nl + j] * blen, blen);
	ret = pairwise(local, pack, stage, nn * blen);
	if (ret)
		goto out;
	/* phase 2: pack[b][j] = stage[j][b] */
	for (int b = 0; b < nn; b++)
		for (int j = 0; j < nl; j++)
			memcpy(pack + ((size_t)b * nl + j) * blen,
			       stage + ((size_t)j * nn + b) * blen, blen);
	ret = pairwise(cross, pack, stage, nl * blen);
	if (ret)
		goto out;
	/* stage[b][j] = block of (b, j) for me */
	for (int b = 0; b < nn; b++)
		for (int j = 0; j < nl; j++)
			memcpy(rbuf + (size_t)grid[b * nl + j] * blen,
			       stage + ((size_t)b * nl + j) * blen, blen);
out:
	free(pack);
	return ret;
}

int coll_alltoall_topo(const void *sendbuf, void *recvbuf, size_t count,
		       enum snemu_coll_type t)
{
	struct coll_group local, cross;
	int *grid, ret = coll_group_split(&local, &cross, &grid);

	if (ret == -EXDEV)
		return coll_alltoall_pairwise(sendbuf, recvbuf, count, t);
	if (ret)
		return ret;
	ret = two_level(&local, &cross, grid, sendbuf, recvbuf,
			count * snemu_coll_type_size(t));
	free(grid);
	coll_group_free(&local);
	coll_group_free(&cross);
	return ret;
}
