/* SPDX-License-Identifier: MIT */
/*
 * All-reduce: ring; recursive halving/doubling (Rabenseifner) with the
 * extra ranks of a non-power-of-two count folded in; and the two-level
 * topology-aware ring (reduce-scatter in the node, all-reduce of each
 * rank's slice across nodes, all-gather in the node).
 */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

static void copy_in(const void *sendbuf, void *recvbuf, size_t count,
		    enum snemu_coll_type t)
{
	if (sendbuf != recvbuf)
		memcpy(recvbuf, sendbuf, count * snemu_coll_type_size(t));
}

int coll_allreduce_ring(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t)
{
	struct coll_group g;
	int ret = coll_group_world(&g);

	if (ret)
		return ret;
	copy_in(sendbuf, recvbuf, count, t);
	ret = coll_ring_allreduce(&g, recvbuf, count, t);
	coll_group_free(&g);
	return ret;
}

/* The world rank of rank nr of the power-of-two core. */
static int rhd_real(int nr, int rem)
{
	return nr < rem ? 2 * nr + 1 : nr + rem;
}

/* Swap blocks [slo, shi) for the peer's [rlo, rhi) of p blocks of buf. */
static int rhd_exchange(struct coll_reqs *q, int peer, char *buf, size_t count,
			int p, size_t ts, int slo, int shi, int rlo, int rhi,
			void *into)
{
	size_t soff = coll_block_off(count, p, slo);
	size_t roff = coll_block_off(count, p, rlo);

	coll_reqs_recv(q, peer, COLL_TAG_RHD, into ? into : buf + roff * ts,
		       (coll_block_off(count, p, rhi) - roff) * ts);
	coll_reqs_send(q, peer, COLL_TAG_RHD, buf + soff * ts,
		       (coll_block_off(count, p, shi) - soff) * ts);
	return coll_reqs_wait(q);
}

static int rhd(struct coll_reqs *q, char *buf, char *tmp, size_t count,
	       enum snemu_coll_type t, int me, int n)
{
	size_t ts = snemu_coll_type_size(t), all = count * ts;
	int p = 1, rem, nr, lo = 0, hi, ret = 0;

	while (p * 2 <= n)
		p *= 2;
	rem = n - p;
	hi = p;
	/* fold: among the first 2 * rem ranks, evens hand over to odds */
	nr = me < 2 * rem ? (me % 2 ? me / 2 : -1) : me - rem;
	if (me < 2 * rem) {
		if (nr < 0)
			coll_reqs_send(q, me + 1, COLL_TAG_RHD, buf, all);
		else
			coll_reqs_recv(q, me - 1, COLL_TAG_RHD, tmp, all);
		ret = coll_reqs_wait(q);
		if (!ret && nr >= 0)
			coll_reduce(buf, tmp, count, t);
	}
	/* reduce-scatter by recursive halving: keep my half, send the other */
	for (int mask = p / 2; nr >= 0 && !ret && mask; mask /= 2) {
		int mid = (lo + hi) / 2, up = nr & mask;
		int klo = up ? mid : lo, khi = up ? hi : mid;
		int peer = rhd_real(nr ^ mask, rem);

		ret = rhd_exchange(q, peer, buf, count, p, ts, up ? lo : mid,
				   up ? mid : hi, klo, khi, tmp);
		if (!ret)
			coll_reduce(buf + coll_block_off(count, p, klo) * ts,
				    tmp,
				    coll_block_off(count, p, khi) -
					    coll_block_off(count, p, klo),
				    t);
		lo = klo;
		hi = khi;
	}
	/* all-gather by recursive doubling: swap my range for the sibling */
	for (int mask = 1; nr >= 0 && !ret && mask < p; mask *= 2) {
		int size = hi - lo, up = nr & mask;
		int olo = up ? lo - size : hi;
		int peer = rhd_real(nr ^ mask, rem);

		ret = rhd_exchange(q, peer, buf, count, p, ts, lo, hi, olo,
				   olo + size, NULL);
		lo = MIN(lo, olo);
		hi = lo + 2 * size;
	}
	/* unfold: odds hand the result back */
	if (!ret && me < 2 * rem) {
		if (nr >= 0)
			coll_reqs_send(q, me - 1, COLL_TAG_RHD, buf, all);
		else
			coll_reqs_recv(q, me + 1, COLL_TAG_RHD, buf, all);
		ret = coll_reqs_wait(q);
	}
	return ret;
}

int coll_allreduce_rhd(const void *sendbuf, void *recvbuf, size_t count,
		       enum snemu_coll_type t)
{
	struct coll_reqs q;
	char *tmp = malloc(count * snemu_coll_type_size(t) + 1);
	int ret = -ENOMEM;

	if (!tmp)
		return ret;
	ret = coll_reqs_init(&q, 2);
	if (!ret) {
		copy_in(sendbuf, recvbuf, count, t);
		ret = rhd(&q, recvbuf, tmp, count, t, snemu_rank(),
			  snemu_size());
	}
	coll_reqs_fini(&q);
	free(tmp);
	return ret;
}

int coll_allreduce_topo(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t)
{
	struct coll_group local, cross;
	size_t ts = snemu_coll_type_size(t), off, len;
	int ret = coll_group_split(&local, &cross, NULL);

	if (ret == -EXDEV) /* uneven nodes: no common slicing */
		return coll_allreduce_ring(sendbuf, recvbuf, count, t);
	if (ret)
		return ret;
	copy_in(sendbuf, recvbuf, count, t);
	off = coll_block_off(count, local.n, local.me);
	len = coll_block_off(count, local.n, local.me + 1) - off;
	ret = coll_ring_pass(&local, recvbuf, count, t, local.me - 1, true);
	if (!ret)
		ret = coll_ring_allreduce(&cross, (char *)recvbuf + off * ts,
					  len, t);
	if (!ret)
		ret = coll_ring_pass(&local, recvbuf, count, t, local.me,
				     false);
	coll_group_free(&local);
	coll_group_free(&cross);
	return ret;
}
