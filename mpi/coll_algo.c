/* SPDX-License-Identifier: MIT */
/*
 * The collective algorithms, each written once as a schedule (sched.c)
 * that the blocking call runs at once and the nonblocking one hands out.
 * Data travels packed; a non-dense user buffer is packed when the
 * schedule is built (the call) and unpacked by its last steps.
 *
 *   Barrier        dissemination
 *   Bcast          binomial tree
 *   Reduce         binomial tree (a non-commutative op: in rank order at
 *                  the root)
 *   Gather(v), Scatter(v)   every transfer in one round
 *   Alltoall(v, w) pairwise, every transfer in one round
 *   Allgather(v)   ring
 *   Scan, Exscan   a chain in rank order
 *
 * Allreduce and Reduce_scatter, which have several, are in coll_reduce.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

/* ---- blocks: count elements of a type at a place of a user buffer ---- */

static void *at(const void *base, MPI_Aint disp, MPI_Datatype t)
{
	return (char *)base + disp * t->extent;
}

/* The packed bytes of count elements of t at p: p itself when dense. */
static const void *packed(struct mpi_sched *s, const void *p, int count,
			  MPI_Datatype t)
{
	void *b;

	if (mpi_type_dense(t))
		return p;
	b = mpi_sched_mem(s, t->size * count);
	if (b)
		mpi_pack(p, count, t, b);
	return b;
}

/* Where count elements of t for p are received: p when dense. */
static void *landing(struct mpi_sched *s, void *p, int count, MPI_Datatype t)
{
	return mpi_type_dense(t) ? p : mpi_sched_mem(s, t->size * count);
}

/* The step that moves a block received at bytes to p, if it was apart. */
static void land(struct mpi_sched *s, void *bytes, void *p, int count,
		 MPI_Datatype t)
{
	if (bytes != p)
		mpi_sched_unpack(s, bytes, t->size * count, p, count, t);
}

/* A local copy of a packed block into count of t at p (unpacked). */
static void copy_in(struct mpi_sched *s, const void *from, size_t len, void *p,
		    int count, MPI_Datatype t)
{
	void *to = landing(s, p, count, t);

	if (!to || !from)
		return;
	mpi_sched_copy(s, to, from, MIN(len, t->size * count));
	land(s, to, p, count, t);
}

/* ---- the algorithms on packed bytes ---- */

void mpi_build_barrier(struct mpi_sched *s)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, me = c->rank;

	for (int k = 1; k < n; k *= 2) {
		mpi_sched_send(s, (me + k) % n, NULL, 0);
		mpi_sched_recv(s, (me - k + n) % n, NULL, 0);
		mpi_sched_round(s);
	}
}

void mpi_build_bcast_bytes(struct mpi_sched *s, void *buf, size_t len, int root)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, vr = (c->rank - root + n) % n, mask = 1;

	while (mask < n) {
		if (vr & mask) {
			mpi_sched_recv(s, (vr - mask + root) % n, buf, len);
			mpi_sched_round(s);
			break;
		}
		mask <<= 1;
	}
	for (mask >>= 1; mask > 0; mask >>= 1)
		if (vr + mask < n)
			mpi_sched_send(s, (vr + mask + root) % n, buf, len);
	mpi_sched_round(s);
}

/*
 * A non-commutative reduction: every rank sends to root, which forms
 * x0 op (x1 op (... op x(n-1))), from the last rank down, into acc.
 */
static void reduce_in_order(struct mpi_sched *s, void *acc, void *tmp,
			    int count, MPI_Datatype t, MPI_Op op, int root)
{
	MPI_Comm c = mpi_sched_comm(s);
	size_t len = t->size * count;
	void *res;

	if (c->rank != root) {
		mpi_sched_send(s, root, acc, len);
		mpi_sched_round(s);
		return;
	}
	res = mpi_sched_mem(s, len);
	for (int r = c->size - 1; res && r >= 0; r--) {
		const void *x = acc;

		if (r != root) {
			mpi_sched_recv(s, r, tmp, len);
			mpi_sched_round(s);
			x = tmp;
		}
		if (r == c->size - 1)
			mpi_sched_copy(s, res, x, len);
		else
			mpi_sched_reduce(s, x, res, count, t, op);
	}
	if (res)
		mpi_sched_copy(s, acc, res, len);
}

void mpi_build_reduce_bytes(struct mpi_sched *s, void *acc, void *tmp,
			    int count, MPI_Datatype t, MPI_Op op, int root)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, vr = (c->rank - root + n) % n;
	size_t len = t->size * count;

	if (!op->commute) {
		reduce_in_order(s, acc, tmp, count, t, op, root);
		return;
	}
	for (int mask = 1; mask < n; mask <<= 1) {
		if (vr & mask) {
			mpi_sched_send(s, (vr - mask + root) % n, acc, len);
			mpi_sched_round(s);
			return;
		}
		if (vr + mask < n) {
			mpi_sched_recv(s, (vr + mask + root) % n, tmp, len);
			mpi_sched_round(s);
			mpi_sched_reduce(s, tmp, acc, count, t, op);
		}
	}
}

void *mpi_build_input(struct mpi_sched *s, const void *sendbuf,
		      const void *recvbuf, int count, MPI_Datatype t)
{
	const void *in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
	void *acc = mpi_sched_mem(s, 2 * t->size * count);

	if (acc)
		mpi_pack(in, count, t, acc);
	return acc;
}

void mpi_build_bcast(struct mpi_sched *s, void *buf, int count, MPI_Datatype t,
		     int root)
{
	bool is_root = mpi_sched_comm(s)->rank == root;
	void *bytes = is_root ? (void *)packed(s, buf, count, t)
			      : landing(s, buf, count, t);

	if (!bytes)
		return;
	mpi_build_bcast_bytes(s, bytes, t->size * count, root);
	if (!is_root)
		land(s, bytes, buf, count, t);
}

void mpi_build_reduce(struct mpi_sched *s, const void *sendbuf, void *recvbuf,
		      int count, MPI_Datatype t, MPI_Op op, int root)
{
	void *acc = mpi_build_input(s, sendbuf, recvbuf, count, t);
	size_t len = t->size * count;

	if (!acc)
		return;
	mpi_build_reduce_bytes(s, acc, (char *)acc + len, count, t, op, root);
	if (mpi_sched_comm(s)->rank == root)
		mpi_sched_unpack(s, acc, len, recvbuf, count, t);
}

/*
 * Gather (to root) or scatter (from root) of block r: counts[r] elements
 * at element displs[r] of the root's buffer (of rt); this rank's block is
 * mine (count of mt) unless in_place.
 */
static void root_xfer(struct mpi_sched *s, void *mine, int count,
		      MPI_Datatype mt, void *rootbuf, const int *counts,
		      const int *displs, MPI_Datatype rt, int root, bool gather,
		      bool in_place)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size;
	void *b, **land_at;

	if (c->rank != root) {
		b = gather ? (void *)packed(s, mine, count, mt)
			   : landing(s, mine, count, mt);
		if (gather)
			mpi_sched_send(s, root, b, mt->size * count);
		else
			mpi_sched_recv(s, root, b, mt->size * count);
		mpi_sched_round(s);
		if (b && !gather)
			land(s, b, mine, count, mt);
		return;
	}
	land_at = mpi_sched_mem(s, n * sizeof(*land_at));
	for (int r = 0; land_at && r < n; r++) {
		void *p = at(rootbuf, displs[r], rt);
		size_t len = rt->size * counts[r];

		land_at[r] = NULL;
		if (r == root && in_place)
			continue;
		if (r == root && gather)
			copy_in(s, packed(s, mine, count, mt), mt->size * count,
				p, counts[r], rt);
		else if (r == root)
			copy_in(s, packed(s, p, counts[r], rt), len, mine,
				count, mt);
		else if (gather && (land_at[r] = landing(s, p, counts[r], rt)))
			mpi_sched_recv(s, r, land_at[r], len);
		else if (!gather)
			mpi_sched_send(s, r, packed(s, p, counts[r], rt), len);
	}
	mpi_sched_round(s);
	for (int r = 0; land_at && r < n; r++)
		if (land_at[r])
			land(s, land_at[r], at(rootbuf, displs[r], rt),
			     counts[r], rt);
}

void mpi_build_gatherv(struct mpi_sched *s, const void *sendbuf, int sendcount,
		       MPI_Datatype st, void *recvbuf, const int *counts,
		       const int *displs, MPI_Datatype rt, int root)
{
	root_xfer(s, (void *)sendbuf, sendcount, st, recvbuf, counts, displs,
		  rt, root, true, sendbuf == MPI_IN_PLACE);
}

void mpi_build_scatterv(struct mpi_sched *s, const void *sendbuf,
			const int *counts, const int *displs, MPI_Datatype st,
			void *recvbuf, int recvcount, MPI_Datatype rt, int root)
{
	root_xfer(s, recvbuf, recvcount, rt, (void *)sendbuf, counts, displs,
		  st, root, false, recvbuf == MPI_IN_PLACE);
}

/*
 * Ring all-gather of blocks r (counts[r] elements at displs[r] of
 * recvbuf): at step k send block me - k to the right, receive block
 * me - k - 1 from the left. A non-dense type goes round in a packed
 * copy of the whole buffer, unpacked at the end.
 */
void mpi_build_allgatherv(struct mpi_sched *s, const void *sendbuf,
			  int sendcount, MPI_Datatype st, void *recvbuf,
			  const int *counts, const int *displs, MPI_Datatype rt)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, me = c->rank;
	bool dense = mpi_type_dense(rt);
	size_t total = 0, *off = mpi_sched_mem(s, n * sizeof(*off));
	char *base;

	for (int r = 0; off && r < n; r++) {
		off[r] = dense ? (size_t)(displs[r] * rt->extent) : total;
		total += rt->size * counts[r];
	}
	base = dense ? recvbuf : mpi_sched_mem(s, total);
	if (!off || !base)
		return;
	if (sendbuf != MPI_IN_PLACE) {
		const void *in = packed(s, sendbuf, sendcount, st);

		if (in)
			mpi_sched_copy(s, base + off[me], in,
				       MIN(st->size * sendcount,
					   rt->size * counts[me]));
	} else if (!dense) {
		mpi_pack(at(recvbuf, displs[me], rt), counts[me], rt,
			 base + off[me]);
	}
	for (int k = 0; k < n - 1; k++) {
		int out = (me - k + n) % n, in = (me - k - 1 + n) % n;

		mpi_sched_recv(s, (me - 1 + n) % n, base + off[in],
			       rt->size * counts[in]);
		mpi_sched_send(s, (me + 1) % n, base + off[out],
			       rt->size * counts[out]);
		mpi_sched_round(s);
	}
	for (int r = 0; !dense && r < n; r++)
		mpi_sched_unpack(s, base + off[r], rt->size * counts[r],
				 at(recvbuf, displs[r], rt), counts[r], rt);
}

/*
 * For MPI_IN_PLACE: a copy of the bytes of buf that n blocks (counts[r] of
 * types[r] at byte displacement displs[r]) cover, freed with s; returns
 * the copy's stand-in for buf.
 */
static const void *span_copy(struct mpi_sched *s, const void *buf, int n,
			     const int *counts, const MPI_Aint *displs,
			     const MPI_Datatype *types)
{
	MPI_Aint lo = 0, hi = 0, l, h;
	bool any = false;
	char *copy;

	for (int r = 0; r < n; r++) {
		if (!counts[r])
			continue;
		mpi_type_span(counts[r], types[r], &l, &h);
		lo = any ? MIN(lo, displs[r] + l) : displs[r] + l;
		hi = any ? MAX(hi, displs[r] + h) : displs[r] + h;
		any = true;
	}
	copy = mpi_sched_mem(s, hi - lo);
	if (!copy)
		return NULL;
	memcpy(copy, (const char *)buf + lo, hi - lo);
	return copy - lo;
}

/*
 * All-to-all of blocks: to rank r scounts[r] of stypes[r] at byte offset
 * sdispls[r] of sendbuf, from it into rdispls[r] of recvbuf; with
 * sendbuf MPI_IN_PLACE the receive layout is also the send one, sent
 * from a copy. Pairwise order (receives from me - k, sends to me + k,
 * all at once: no two senders start on one receiver), as `snemu coll`'s
 * pairwise all-to-all; this rank's own block is a local copy.
 */
void mpi_build_alltoallw(struct mpi_sched *s, const void *sendbuf,
			 const int *scounts, const MPI_Aint *sdispls,
			 const MPI_Datatype *stypes, void *recvbuf,
			 const int *rcounts, const MPI_Aint *rdispls,
			 const MPI_Datatype *rtypes)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, me = c->rank;
	void **land_at = mpi_sched_mem(s, n * sizeof(*land_at));

	if (sendbuf == MPI_IN_PLACE) {
		sendbuf = span_copy(s, recvbuf, n, rcounts, rdispls, rtypes);
		scounts = rcounts;
		sdispls = rdispls;
		stypes = rtypes;
	}
	if (!land_at || !sendbuf)
		return;
	copy_in(s,
		packed(s, (const char *)sendbuf + sdispls[me], scounts[me],
		       stypes[me]),
		stypes[me]->size * scounts[me], (char *)recvbuf + rdispls[me],
		rcounts[me], rtypes[me]);
	land_at[me] = NULL;
	for (int k = 1; k < n; k++) {
		int r = (me - k + n) % n;
		void *p = (char *)recvbuf + rdispls[r];

		land_at[r] = landing(s, p, rcounts[r], rtypes[r]);
		mpi_sched_recv(s, r, land_at[r], rtypes[r]->size * rcounts[r]);
	}
	for (int k = 1; k < n; k++) {
		int r = (me + k) % n;

		mpi_sched_send(s, r,
			       packed(s, (const char *)sendbuf + sdispls[r],
				      scounts[r], stypes[r]),
			       stypes[r]->size * scounts[r]);
	}
	mpi_sched_round(s);
	for (int r = 0; r < n; r++)
		if (land_at[r])
			land(s, land_at[r], (char *)recvbuf + rdispls[r],
			     rcounts[r], rtypes[r]);
}

/*
 * The chain of Scan (inclusive) and Exscan: rank r gets the reduction of
 * ranks 0..r (0..r-1), from r - 1, and passes 0..r on to r + 1.
 */
void mpi_build_scan(struct mpi_sched *s, const void *sendbuf, void *recvbuf,
		    int count, MPI_Datatype t, MPI_Op op, bool exclusive)
{
	MPI_Comm c = mpi_sched_comm(s);
	size_t len = t->size * count;
	char *acc = mpi_build_input(s, sendbuf, recvbuf, count, t);

	if (!acc)
		return;
	if (c->rank > 0) {
		mpi_sched_recv(s, c->rank - 1, acc + len, len);
		mpi_sched_round(s);
		if (exclusive)
			mpi_sched_unpack(s, acc + len, len, recvbuf, count, t);
		mpi_sched_reduce(s, acc + len, acc, count, t, op);
	}
	if (!exclusive)
		mpi_sched_unpack(s, acc, len, recvbuf, count, t);
	if (c->rank < c->size - 1) {
		mpi_sched_send(s, c->rank + 1, acc, len);
		mpi_sched_round(s);
	}
}
