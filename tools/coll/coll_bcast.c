/* SPDX-License-Identifier: MIT */
/*
 * Broadcast: binomial tree (log2 n rounds of the whole message, for small
 * messages) and pipelined chain (the message cut in chunks that stream
 * down root -> root+1 -> ..., for large ones).
 */
#include "tools/coll/coll.h"

/* Chunks of the chain: at least 64 KiB, at most COLL_CHAIN_CHUNKS. */
#define COLL_CHAIN_MIN	  (64 * 1024)
#define COLL_CHAIN_CHUNKS 32

int coll_bcast_tree(void *buf, size_t count, enum snemu_coll_type t, int root)
{
	int n = snemu_size(), me = snemu_rank(), vr, mask = 1, ret;
	size_t len = count * snemu_coll_type_size(t);
	struct coll_reqs q;

	if (root < 0 || root >= n)
		return -EINVAL;
	ret = coll_reqs_init(&q, 32);
	if (ret)
		return ret;
	vr = (me - root + n) % n;
	/* receive from the parent: vr with its lowest set bit cleared */
	for (; mask < n; mask *= 2) {
		if (vr & mask) {
			coll_reqs_recv(&q, (vr - mask + root) % n,
				       COLL_TAG_BCAST, buf, len);
			ret = coll_reqs_wait(&q);
			break;
		}
	}
	/* send to the children vr + mask for every mask below that bit */
	for (mask /= 2; !ret && mask > 0; mask /= 2)
		if (vr + mask < n)
			coll_reqs_send(&q, (vr + mask + root) % n,
				       COLL_TAG_BCAST, buf, len);
	if (!ret)
		ret = coll_reqs_wait(&q);
	coll_reqs_fini(&q);
	return ret;
}

int coll_bcast_chain(void *buf, size_t count, enum snemu_coll_type t, int root)
{
	int n = snemu_size(), me = snemu_rank(), vr, nchunks, ret, sret;
	int waited = 0;
	size_t ts = snemu_coll_type_size(t), chunk;
	struct coll_reqs rq, sq;
	char *p = buf;

	if (root < 0 || root >= n)
		return -EINVAL;
	vr = (me - root + n) % n;
	chunk = MAX(DIV_ROUND_UP(count, COLL_CHAIN_CHUNKS),
		    DIV_ROUND_UP(COLL_CHAIN_MIN, ts));
	nchunks = count ? DIV_ROUND_UP(count, chunk) : 0;
	ret = coll_reqs_init(&rq, nchunks + 1);
	if (ret)
		return ret;
	ret = coll_reqs_init(&sq, nchunks + 1);
	if (ret) {
		coll_reqs_fini(&rq);
		return ret;
	}
	/* post every receive at once, then forward each chunk as it lands */
	for (int c = 0; vr > 0 && c < nchunks; c++)
		coll_reqs_recv(&rq, (me - 1 + n) % n, COLL_TAG_BCAST,
			       p + c * chunk * ts,
			       (MIN(count, (c + 1) * chunk) - c * chunk) * ts);
	ret = rq.err;
	for (int c = 0; !ret && c < nchunks; c++) {
		if (vr > 0)
			ret = snemu_wait(rq.r[waited++], NULL);
		if (!ret && vr + 1 < n)
			coll_reqs_send(
				&sq, (me + 1) % n, COLL_TAG_BCAST,
				p + c * chunk * ts,
				(MIN(count, (c + 1) * chunk) - c * chunk) * ts);
	}
	if (waited < rq.n) /* after an error: complete what is posted */
		snemu_waitall(rq.n - waited, rq.r + waited, NULL);
	sret = coll_reqs_wait(&sq);
	if (!ret)
		ret = sret;
	coll_reqs_fini(&sq);
	coll_reqs_fini(&rq);
	return ret;
}
