/* SPDX-License-Identifier: MIT */
/*
 * Collectives on intra-communicators, over point to point in the
 * communicator's collective context (ctx + 1), each call with its own tag
 * (the communicator's count of collectives), so they never meet the
 * program's messages. Data travels packed. The algorithms:
 *
 *   Barrier        MPI_COMM_WORLD: snemu_barrier; else dissemination
 *   Bcast          binomial tree
 *   Reduce         binomial tree (a non-commutative op: in rank order at
 *                  the root)
 *   Allreduce      Reduce to rank 0, then Bcast
 *   Gather(v), Scatter(v), Alltoall(v, w)   every transfer posted at once
 *   Allgather(v)   ring
 *   Reduce_scatter(_block)   Reduce to rank 0, then Scatterv
 *   Scan, Exscan   a chain in rank order
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

/* ---- blocks: count elements of a type at a place of a user buffer ---- */

struct blk {
	void *bytes; /* packed (or the user's dense) bytes */
	void *tmp;   /* our packed copy, or NULL */
	void *user;  /* where a received block is unpacked */
	size_t len;
	int count;
	MPI_Datatype t;
};

/* Block of count elements at element disp of base: pack to send it. */
static int blk_send(struct blk *b, const void *base, MPI_Aint disp, int count,
		    MPI_Datatype t)
{
	const char *at = (const char *)base + disp * t->extent;

	*b = (struct blk){.count = count, .t = t, .len = t->size * count};
	b->bytes = mpi_bytes(at, count, t, true, &b->tmp);
	return b->bytes ? MPI_SUCCESS : MPI_ERR_NO_MEM;
}

/* Block to receive into; blk_end unpacks it. */
static int blk_recv(struct blk *b, void *base, MPI_Aint disp, int count,
		    MPI_Datatype t)
{
	char *at = (char *)base + disp * t->extent;

	*b = (struct blk){
		.count = count, .t = t, .len = t->size * count, .user = at};
	b->bytes = mpi_bytes(at, count, t, false, &b->tmp);
	return b->bytes ? MPI_SUCCESS : MPI_ERR_NO_MEM;
}

static void blk_end(struct blk *b)
{
	if (b->tmp && b->user)
		mpi_unpack(b->tmp, b->len, b->user, b->count, b->t);
	free(b->tmp);
	b->tmp = NULL;
}

/* ---- a batch of transfers completed by one snemu_waitall ---- */

struct batch {
	MPI_Comm c;
	uint32_t tag;
	int n, err;
	struct snemu_req **r;
	struct blk *b;
};

static int batch_init(struct batch *q, MPI_Comm c, int cap)
{
	*q = (struct batch){.c = c, .tag = mpi_coll_tag(c)};
	q->r = calloc(cap + 1, sizeof(*q->r));
	q->b = calloc(cap + 1, sizeof(*q->b));
	return q->r && q->b ? MPI_SUCCESS : MPI_ERR_NO_MEM;
}

/* Post a send (recv false) or receive of block b with rank peer. */
static void batch_post(struct batch *q, int peer, struct blk *b, bool recv)
{
	uint32_t ctx = mpi_coll_ctx(q->c);
	int w = mpi_world(q->c, peer), ret;

	if (q->err) {
		free(b->tmp);
		return;
	}
	q->b[q->n] = *b;
	ret = recv ? snemu_irecv_comm(ctx, w, (int)q->tag, b->bytes, b->len,
				      &q->r[q->n])
		   : snemu_isend_comm(ctx, w, (int)q->tag, b->bytes, b->len, 0,
				      &q->r[q->n]);
	q->n++;
	q->err = mpi_err_of(ret);
}

/* Wait for all, unpack what was received, free; the first error. */
static int batch_end(struct batch *q)
{
	int ret = q->n && q->r ? snemu_waitall(q->n, q->r, NULL) : 0;

	for (int i = 0; i < q->n; i++)
		blk_end(&q->b[i]);
	free(q->r);
	free(q->b);
	return q->err ?: mpi_err_of(ret);
}

/* ---- blocking steps of the trees and chains ---- */

static int csend(MPI_Comm c, uint32_t tag, int to, const void *buf, size_t len)
{
	return mpi_err_of(snemu_send_comm(mpi_coll_ctx(c), mpi_world(c, to),
					  (int)tag, buf, len, 0));
}

static int crecv(MPI_Comm c, uint32_t tag, int from, void *buf, size_t len)
{
	return mpi_err_of(snemu_recv_comm(mpi_coll_ctx(c), mpi_world(c, from),
					  (int)tag, buf, len, NULL));
}

/* ---- the algorithms, on packed bytes ---- */

int mpi_barrier(MPI_Comm c)
{
	uint32_t tag;
	int err = MPI_SUCCESS;

	if (c == MPI_COMM_WORLD)
		return mpi_err_of(snemu_barrier());
	tag = mpi_coll_tag(c);
	for (int k = 1; !err && k < c->size; k *= 2) {
		struct snemu_req *r;
		int ret = snemu_isend_comm(
			mpi_coll_ctx(c), mpi_world(c, (c->rank + k) % c->size),
			(int)tag, NULL, 0, 0, &r);

		err = mpi_err_of(ret);
		if (!err)
			err = crecv(c, tag, (c->rank - k + c->size) % c->size,
				    NULL, 0);
		if (!ret)
			err = err ?: mpi_err_of(snemu_wait(r, NULL));
	}
	return err;
}

static int bcast_bytes(void *buf, size_t len, int root, MPI_Comm c)
{
	int n = c->size, vr = (c->rank - root + n) % n, mask = 1;
	uint32_t tag = mpi_coll_tag(c);
	int err = MPI_SUCCESS;

	while (mask < n) {
		if (vr & mask) {
			err = crecv(c, tag, (vr - mask + root) % n, buf, len);
			break;
		}
		mask <<= 1;
	}
	for (mask >>= 1; !err && mask > 0; mask >>= 1)
		if (vr + mask < n)
			err = csend(c, tag, (vr + mask + root) % n, buf, len);
	return err;
}

/*
 * A non-commutative reduction: every rank sends to root, which forms
 * x0 op (x1 op (... op x(n-1))), from the last rank down, into acc.
 */
static int reduce_in_order(void *acc, void *tmp, int count, MPI_Datatype t,
			   MPI_Op op, int root, MPI_Comm c, uint32_t tag)
{
	size_t len = t->size * count;
	int err = MPI_SUCCESS;
	void *res;

	if (c->rank != root)
		return csend(c, tag, root, acc, len);
	res = malloc(len + 1);
	if (!res)
		return MPI_ERR_NO_MEM;
	for (int r = c->size - 1; !err && r >= 0; r--) {
		const void *x = acc;

		if (r != root) {
			err = crecv(c, tag, r, tmp, len);
			x = tmp;
		}
		if (!err && r == c->size - 1)
			memcpy(res, x, len);
		else if (!err)
			err = mpi_reduce_local(x, res, count, t, op);
	}
	if (!err)
		memcpy(acc, res, len);
	free(res);
	return err;
}

/*
 * Reduce packed acc (count of type, this rank's input) to root, where acc
 * ends with the result. tmp: scratch of the same size.
 */
static int reduce_bytes(void *acc, void *tmp, int count, MPI_Datatype t,
			MPI_Op op, int root, MPI_Comm c)
{
	int n = c->size, vr = (c->rank - root + n) % n, err = MPI_SUCCESS;
	uint32_t tag = mpi_coll_tag(c);
	size_t len = t->size * count;

	if (!op->commute)
		return reduce_in_order(acc, tmp, count, t, op, root, c, tag);
	for (int mask = 1; !err && mask < n; mask <<= 1) {
		if (vr & mask)
			return csend(c, tag, (vr - mask + root) % n, acc, len);
		if (vr + mask < n) {
			err = crecv(c, tag, (vr + mask + root) % n, tmp, len);
			if (!err)
				err = mpi_reduce_local(tmp, acc, count, t, op);
		}
	}
	return err;
}

/* The packed input of a reduction: sendbuf, or recvbuf for IN_PLACE. */
static void *reduce_input(const void *sendbuf, const void *recvbuf, int count,
			  MPI_Datatype t)
{
	const void *in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
	void *acc = malloc(2 * t->size * count + 1);

	if (acc)
		mpi_pack(in, count, t, acc);
	return acc;
}

static int reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		  MPI_Op op, int root, MPI_Comm c)
{
	void *acc = reduce_input(sendbuf, recvbuf, count, t);
	int err;

	if (!acc)
		return MPI_ERR_NO_MEM;
	err = reduce_bytes(acc, (char *)acc + t->size * count, count, t, op,
			   root, c);
	if (!err && c->rank == root)
		mpi_unpack(acc, t->size * count, recvbuf, count, t);
	free(acc);
	return err;
}

int mpi_allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		  MPI_Op op, MPI_Comm c)
{
	void *acc = reduce_input(sendbuf, recvbuf, count, t);
	size_t len = t->size * count;
	int err;

	if (!acc)
		return MPI_ERR_NO_MEM;
	err = reduce_bytes(acc, (char *)acc + len, count, t, op, 0, c);
	if (!err)
		err = bcast_bytes(acc, len, 0, c);
	if (!err)
		mpi_unpack(acc, len, recvbuf, count, t);
	free(acc);
	return err;
}

/*
 * Gather (to root) or scatter (from root) of block r: rcounts[r] elements
 * at element displs[r] of the root's buffer; this rank's block is mine
 * (count of its type) unless in_place.
 */
static int root_xfer(void *mine, int count, MPI_Datatype mt, void *rootbuf,
		     const int *counts, const int *displs, MPI_Datatype rt,
		     int root, MPI_Comm c, bool gather, bool in_place)
{
	struct batch q;
	struct blk b;
	int err = batch_init(&q, c, c->size), ret;

	if (!err && c->rank != root) {
		err = gather ? blk_send(&b, mine, 0, count, mt)
			     : blk_recv(&b, mine, 0, count, mt);
		if (!err)
			batch_post(&q, root, &b, !gather);
	}
	for (int r = 0; !err && c->rank == root && r < c->size; r++) {
		if (r == root && in_place)
			continue;
		if (r == root) {
			/* our own block: a local copy, packed on the way */
			struct blk from, to;

			err = gather ? blk_send(&from, mine, 0, count, mt)
				     : blk_send(&from, rootbuf, displs[r],
						counts[r], rt);
			if (err)
				break;
			err = gather ? blk_recv(&to, rootbuf, displs[r],
						counts[r], rt)
				     : blk_recv(&to, mine, 0, count, mt);
			if (!err)
				memcpy(to.bytes, from.bytes,
				       MIN(from.len, to.len));
			free(from.tmp);
			if (!err)
				blk_end(&to);
			continue;
		}
		err = gather ? blk_recv(&b, rootbuf, displs[r], counts[r], rt)
			     : blk_send(&b, rootbuf, displs[r], counts[r], rt);
		if (!err)
			batch_post(&q, r, &b, gather);
	}
	ret = batch_end(&q);
	return err ?: ret;
}

/* Counts and displacements of n equal blocks of count elements. */
static int *equal_blocks(int n, int count)
{
	int *cd = malloc(2 * n * sizeof(*cd) + 1);

	for (int r = 0; cd && r < n; r++) {
		cd[r] = count;
		cd[n + r] = r * count;
	}
	return cd;
}

/*
 * Ring all-gather of blocks r (counts[r] elements at displs[r] of buf):
 * at step s send block me - s to the right, receive block me - s - 1.
 */
static int ring_allgather(void *buf, const int *counts, const int *displs,
			  MPI_Datatype t, MPI_Comm c)
{
	int n = c->size, me = c->rank, err = MPI_SUCCESS, ret;

	for (int s = 0; !err && s < n - 1; s++) {
		int out = (me - s + n) % n, in = (me - s - 1 + n) % n;
		struct batch q;
		struct blk b;

		err = batch_init(&q, c, 2);
		if (!err)
			err = blk_recv(&b, buf, displs[in], counts[in], t);
		if (!err)
			batch_post(&q, (me - 1 + n) % n, &b, true);
		if (!err)
			err = blk_send(&b, buf, displs[out], counts[out], t);
		if (!err)
			batch_post(&q, (me + 1) % n, &b, false);
		ret = batch_end(&q);
		err = err ?: ret;
	}
	return err;
}

static int allgatherv(const void *sendbuf, int sendcount, MPI_Datatype st,
		      void *recvbuf, const int *counts, const int *displs,
		      MPI_Datatype rt, MPI_Comm c)
{
	int err = MPI_SUCCESS, me = c->rank;

	if (sendbuf != MPI_IN_PLACE) {
		struct blk from, to;

		err = blk_send(&from, sendbuf, 0, sendcount, st);
		if (!err)
			err = blk_recv(&to, recvbuf, displs[me], counts[me],
				       rt);
		if (!err) {
			memcpy(to.bytes, from.bytes, MIN(from.len, to.len));
			blk_end(&to);
		}
		free(from.tmp);
	}
	return err ?: ring_allgather(recvbuf, counts, displs, rt, c);
}

int mpi_allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm c)
{
	int *cd = equal_blocks(c->size, recvcount), err;

	if (!cd)
		return MPI_ERR_NO_MEM;
	err = allgatherv(sendbuf, sendcount, sendtype, recvbuf, cd,
			 cd + c->size, recvtype, c);
	free(cd);
	return err;
}

/*
 * All-to-all of blocks: to rank r scounts[r] of stypes[r] at byte offset
 * sdispls[r] (in bytes: the w form's unit) of sendbuf, from it into
 * rdispls[r] of recvbuf. Every transfer is posted at once.
 */
static int alltoallw(const void *sendbuf, const int *scounts,
		     const MPI_Aint *sdispls, const MPI_Datatype *stypes,
		     void *recvbuf, const int *rcounts, const MPI_Aint *rdispls,
		     const MPI_Datatype *rtypes, MPI_Comm c)
{
	int n = c->size, me = c->rank, err, ret;
	struct batch q;
	struct blk b;

	err = batch_init(&q, c, 2 * n);
	for (int k = 0; !err && k < n; k++) {
		int r = (me - k + n) % n;

		err = blk_recv(&b, (char *)recvbuf + rdispls[r], 0, rcounts[r],
			       rtypes[r]);
		if (!err)
			batch_post(&q, r, &b, true);
	}
	for (int k = 0; !err && k < n; k++) {
		int r = (me + k) % n;

		err = blk_send(&b, (const char *)sendbuf + sdispls[r], 0,
			       scounts[r], stypes[r]);
		if (!err)
			batch_post(&q, r, &b, false);
	}
	ret = batch_end(&q);
	return err ?: ret;
}

/* The v and plain forms in the w form's terms (byte displacements). */
struct wargs {
	int *counts[2];
	MPI_Aint *displs[2];
	MPI_Datatype *types[2];
};

static int wargs_make(struct wargs *w, int n, const int *const counts[2],
		      const int *const displs[2], const MPI_Datatype t[2],
		      const int plain[2])
{
	for (int s = 0; s < 2; s++) {
		w->counts[s] = malloc(n * sizeof(int) + 1);
		w->displs[s] = malloc(n * sizeof(MPI_Aint) + 1);
		w->types[s] = malloc(n * sizeof(MPI_Datatype) + 1);
		if (!w->counts[s] || !w->displs[s] || !w->types[s])
			return MPI_ERR_NO_MEM;
		for (int r = 0; r < n; r++) {
			w->counts[s][r] = counts[s] ? counts[s][r] : plain[s];
			w->displs[s][r] = (displs[s] ? displs[s][r]
						     : (MPI_Aint)r * plain[s]) *
					  t[s]->extent;
			w->types[s][r] = t[s];
		}
	}
	return MPI_SUCCESS;
}

static void wargs_free(struct wargs *w)
{
	for (int s = 0; s < 2; s++) {
		free(w->counts[s]);
		free(w->displs[s]);
		free(w->types[s]);
	}
}

/*
 * For MPI_IN_PLACE: a copy of the bytes of buf that n blocks (counts[r] of
 * types[r] at byte displacement displs[r]) cover, in *copy (to free), and
 * *base, the copy's stand-in for buf.
 */
static int span_copy(const void *buf, int n, const int *counts,
		     const MPI_Aint *displs, const MPI_Datatype *types,
		     void **copy, const void **base)
{
	MPI_Aint lo = 0, hi = 0, l, h;
	bool any = false;

	for (int r = 0; r < n; r++) {
		if (!counts[r])
			continue;
		mpi_type_span(counts[r], types[r], &l, &h);
		lo = any ? MIN(lo, displs[r] + l) : displs[r] + l;
		hi = any ? MAX(hi, displs[r] + h) : displs[r] + h;
		any = true;
	}
	*copy = malloc(hi - lo + 1);
	if (!*copy)
		return MPI_ERR_NO_MEM;
	memcpy(*copy, (const char *)buf + lo, hi - lo);
	*base = (char *)*copy - lo;
	return MPI_SUCCESS;
}

/*
 * MPI_IN_PLACE all-to-all: the receive layout is also the send one; send
 * from a copy of the buffer's span.
 */
static int alltoall_any(const void *sendbuf, const int *const counts[2],
			const int *const displs[2], const MPI_Datatype t[2],
			const int plain[2], void *recvbuf, MPI_Comm c)
{
	int n = c->size, err;
	struct wargs w = {0};
	void *copy = NULL;

	err = wargs_make(&w, n, counts, displs, t, plain);
	if (!err && sendbuf == MPI_IN_PLACE) {
		for (int r = 0; r < n; r++) {
			w.counts[0][r] = w.counts[1][r];
			w.displs[0][r] = w.displs[1][r];
			w.types[0][r] = t[1];
		}
		err = span_copy(recvbuf, n, w.counts[1], w.displs[1],
				w.types[1], &copy, &sendbuf);
	}
	if (!err)
		err = alltoallw(sendbuf, w.counts[0], w.displs[0], w.types[0],
				recvbuf, w.counts[1], w.displs[1], w.types[1],
				c);
	free(copy);
	wargs_free(&w);
	return err;
}

/* ---- argument checks ---- */

static int check_root(MPI_Comm c, int root)
{
	return root < 0 || root >= c->size ? MPI_ERR_ROOT : MPI_SUCCESS;
}

/* A buffer argument that may be MPI_IN_PLACE where allowed. */
static int check_in(const void *buf, int count, MPI_Datatype t, bool may_skip)
{
	return may_skip || buf == MPI_IN_PLACE ? MPI_SUCCESS
					       : mpi_check_buf(buf, count, t);
}

static int check_counts(const int *counts, const int *displs, int n,
			MPI_Datatype t)
{
	int err = mpi_check_type(t);

	if (!err && (!counts || !displs))
		err = MPI_ERR_ARG;
	for (int r = 0; !err && r < n; r++)
		if (counts[r] < 0)
			err = MPI_ERR_COUNT;
	return err;
}

/* ---- the MPI calls ---- */

int MPI_Barrier(MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	return mpi_raise(comm, err ?: mpi_barrier(comm), __func__);
}

int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root,
	      MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root) ?:
			  mpi_check_buf(buffer, count, datatype);
	void *bytes, *tmp;

	if (err)
		return mpi_raise(comm, err, __func__);
	bytes = mpi_bytes(buffer, count, datatype, comm->rank == root, &tmp);
	if (!bytes)
		return mpi_raise(comm, MPI_ERR_NO_MEM, __func__);
	err = bcast_bytes(bytes, datatype->size * count, root, comm);
	if (!err && tmp && comm->rank != root)
		mpi_unpack(tmp, datatype->size * count, buffer, count,
			   datatype);
	free(tmp);
	return mpi_raise(comm, err, __func__);
}

int MPI_Reduce(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root);

	if (!err)
		err = mpi_check_buf(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf,
				    count, datatype)
			      ?: mpi_check_op(op, datatype);
	if (!err && sendbuf == MPI_IN_PLACE && comm->rank != root)
		err = MPI_ERR_BUFFER;
	if (!err)
		err = reduce(sendbuf, recvbuf, count, datatype, op, root, comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count,
		  MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err)
		err = mpi_check_buf(recvbuf, count, datatype) ?:
			      check_in(sendbuf, count, datatype, false) ?:
			      mpi_check_op(op, datatype);
	if (!err)
		err = mpi_allreduce(sendbuf, recvbuf, count, datatype, op,
				    comm);
	return mpi_raise(comm, err, __func__);
}

static int gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, const int *counts, const int *displs,
		   MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	bool is_root = comm->rank == root;
	bool in_place = is_root && sendbuf == MPI_IN_PLACE;
	int err = check_in(sendbuf, sendcount, sendtype, in_place);

	if (!err && is_root)
		err = check_counts(counts, displs, comm->size, recvtype);
	if (!err)
		err = root_xfer((void *)sendbuf, sendcount, sendtype, recvbuf,
				counts, displs, recvtype, root, comm, true,
				in_place);
	return err;
}

int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, const int recvcounts[], const int displs[],
		MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root);

	if (!err)
		err = gatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts,
			      displs, recvtype, root, comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
	       void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
	       MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root), *cd;

	if (err)
		return mpi_raise(comm, err, __func__);
	cd = equal_blocks(comm->size, recvcount);
	err = cd ? gatherv(sendbuf, sendcount, sendtype, recvbuf, cd,
			   cd + comm->size, recvtype, root, comm)
		 : MPI_ERR_NO_MEM;
	free(cd);
	return mpi_raise(comm, err, __func__);
}

static int scatterv(const void *sendbuf, const int *counts, const int *displs,
		    MPI_Datatype sendtype, void *recvbuf, int recvcount,
		    MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	bool is_root = comm->rank == root;
	bool in_place = is_root && recvbuf == MPI_IN_PLACE;
	int err = check_in(recvbuf, recvcount, recvtype, in_place);

	if (!err && is_root)
		err = check_counts(counts, displs, comm->size, sendtype);
	if (!err)
		err = root_xfer(recvbuf, recvcount, recvtype, (void *)sendbuf,
				counts, displs, sendtype, root, comm, false,
				in_place);
	return err;
}

int MPI_Scatterv(const void *sendbuf, const int sendcounts[],
		 const int displs[], MPI_Datatype sendtype, void *recvbuf,
		 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root);

	if (!err)
		err = scatterv(sendbuf, sendcounts, displs, sendtype, recvbuf,
			       recvcount, recvtype, root, comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		MPI_Comm comm)
{
	int err = mpi_check_comm(comm) ?: check_root(comm, root), *cd;

	if (err)
		return mpi_raise(comm, err, __func__);
	cd = equal_blocks(comm->size, sendcount);
	err = cd ? scatterv(sendbuf, cd, cd + comm->size, sendtype, recvbuf,
			    recvcount, recvtype, root, comm)
		 : MPI_ERR_NO_MEM;
	free(cd);
	return mpi_raise(comm, err, __func__);
}

int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err)
		err = check_in(sendbuf, sendcount, sendtype, false)
			      ?: mpi_check_buf(recvbuf, recvcount, recvtype);
	if (!err)
		err = mpi_allgather(sendbuf, sendcount, sendtype, recvbuf,
				    recvcount, recvtype, comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, const int recvcounts[], const int displs[],
		   MPI_Datatype recvtype, MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err)
		err = check_in(sendbuf, sendcount, sendtype, false)
			      ?: check_counts(recvcounts, displs, comm->size,
					      recvtype);
	if (!err)
		err = allgatherv(sendbuf, sendcount, sendtype, recvbuf,
				 recvcounts, displs, recvtype, comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, int recvcount, MPI_Datatype recvtype,
		 MPI_Comm comm)
{
	const int *none[2] = {NULL, NULL};
	const MPI_Datatype t[2] = {
		sendbuf == MPI_IN_PLACE ? recvtype : sendtype, recvtype};
	const int plain[2] = {sendbuf == MPI_IN_PLACE ? recvcount : sendcount,
			      recvcount};
	int err = mpi_check_comm(comm);

	if (!err)
		err = check_in(sendbuf, sendcount, sendtype, false)
			      ?: mpi_check_buf(recvbuf, recvcount, recvtype);
	if (!err)
		err = alltoall_any(sendbuf, none, none, t, plain, recvbuf,
				   comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Alltoallv(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
		  const int recvcounts[], const int rdispls[],
		  MPI_Datatype recvtype, MPI_Comm comm)
{
	bool in_place = sendbuf == MPI_IN_PLACE;
	const int *counts[2] = {in_place ? recvcounts : sendcounts, recvcounts};
	const int *displs[2] = {in_place ? rdispls : sdispls, rdispls};
	const MPI_Datatype t[2] = {in_place ? recvtype : sendtype, recvtype};
	const int plain[2] = {0, 0};
	int err = mpi_check_comm(comm);

	if (!err)
		err = check_counts(counts[0], displs[0], comm->size, t[0])
			      ?: check_counts(recvcounts, rdispls, comm->size,
					      recvtype);
	if (!err)
		err = alltoall_any(sendbuf, counts, displs, t, plain, recvbuf,
				   comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Alltoallw(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], const MPI_Datatype sendtypes[],
		  void *recvbuf, const int recvcounts[], const int rdispls[],
		  const MPI_Datatype recvtypes[], MPI_Comm comm)
{
	int err = mpi_check_comm(comm), n = comm ? comm->size : 0;
	MPI_Aint *d = NULL;
	void *copy = NULL;
	bool in_place = sendbuf == MPI_IN_PLACE;

	if (!err && (!recvcounts || !rdispls || !recvtypes ||
		     (!in_place && (!sendcounts || !sdispls || !sendtypes))))
		err = MPI_ERR_ARG;
	for (int r = 0; !err && r < n; r++)
		err = mpi_check_type(recvtypes[r])
			      ?: (!in_place ? mpi_check_type(sendtypes[r]) : 0);
	if (!err) {
		d = malloc(2 * n * sizeof(*d) + 1);
		err = d ? MPI_SUCCESS : MPI_ERR_NO_MEM;
	}
	for (int r = 0; !err && r < n; r++) {
		d[r] = in_place ? rdispls[r] : sdispls[r];
		d[n + r] = rdispls[r];
	}
	if (!err && in_place)
		err = span_copy(recvbuf, n, recvcounts, d + n, recvtypes, &copy,
				&sendbuf);
	if (!err)
		err = alltoallw(sendbuf, in_place ? recvcounts : sendcounts, d,
				in_place ? recvtypes : sendtypes, recvbuf,
				recvcounts, d + n, recvtypes, comm);
	free(copy);
	free(d);
	return mpi_raise(comm, err, __func__);
}

/* Reduce the whole vector to rank 0, then scatter its blocks. */
static int reduce_scatter(const void *sendbuf, void *recvbuf, const int *counts,
			  MPI_Datatype t, MPI_Op op, MPI_Comm c)
{
	int n = c->size, total = 0, *displs = malloc(n * sizeof(int) + 1), err;
	void *full = NULL, *alloc = NULL;

	for (int r = 0; displs && r < n; r++) {
		displs[r] = total;
		total += counts[r];
	}
	if (displs)
		full = mpi_type_buf(total, t, &alloc);
	if (!displs || !full) {
		free(displs);
		free(alloc);
		return MPI_ERR_NO_MEM;
	}
	err = reduce(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf, full, total,
		     t, op, 0, c);
	if (!err)
		err = root_xfer(recvbuf, counts[c->rank], t, full, counts,
				displs, t, 0, c, false, false);
	free(alloc);
	free(displs);
	return err;
}

int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf,
		       const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
		       MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err && !recvcounts)
		err = MPI_ERR_ARG;
	for (int r = 0; !err && r < comm->size; r++)
		if (recvcounts[r] < 0)
			err = MPI_ERR_COUNT;
	if (!err)
		err = mpi_check_type(datatype) ?: mpi_check_op(op, datatype);
	if (!err)
		err = reduce_scatter(sendbuf, recvbuf, recvcounts, datatype, op,
				     comm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
			     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	int err = mpi_check_comm(comm), *cd = NULL;

	if (!err)
		err = mpi_check_buf(recvbuf, recvcount, datatype)
			      ?: mpi_check_op(op, datatype);
	if (!err) {
		cd = equal_blocks(comm->size, recvcount);
		err = cd ? reduce_scatter(sendbuf, recvbuf, cd, datatype, op,
					  comm)
			 : MPI_ERR_NO_MEM;
	}
	free(cd);
	return mpi_raise(comm, err, __func__);
}

/*
 * The chain of Scan (inclusive) and Exscan: rank r gets the reduction of
 * ranks 0..r (0..r-1), from r - 1, and passes 0..r on to r + 1.
 */
static int scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		MPI_Op op, MPI_Comm c, bool exclusive)
{
	size_t len = t->size * count;
	void *acc = reduce_input(sendbuf, recvbuf, count, t), *prev;
	uint32_t tag = mpi_coll_tag(c);
	int err = MPI_SUCCESS;

	if (!acc)
		return MPI_ERR_NO_MEM;
	prev = (char *)acc + len;
	if (c->rank > 0) {
		err = crecv(c, tag, c->rank - 1, prev, len);
		if (!err && exclusive)
			mpi_unpack(prev, len, recvbuf, count, t);
		if (!err)
			err = mpi_reduce_local(prev, acc, count, t, op);
	}
	if (!err && !exclusive)
		mpi_unpack(acc, len, recvbuf, count, t);
	if (!err && c->rank < c->size - 1)
		err = csend(c, tag, c->rank + 1, acc, len);
	free(acc);
	return err;
}

int MPI_Scan(const void *sendbuf, void *recvbuf, int count,
	     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err)
		err = mpi_check_buf(recvbuf, count, datatype)
			      ?: mpi_check_op(op, datatype);
	if (!err)
		err = scan(sendbuf, recvbuf, count, datatype, op, comm, false);
	return mpi_raise(comm, err, __func__);
}

int MPI_Exscan(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	int err = mpi_check_comm(comm);

	if (!err)
		err = mpi_check_buf(recvbuf, count, datatype)
			      ?: mpi_check_op(op, datatype);
	if (!err)
		err = scan(sendbuf, recvbuf, count, datatype, op, comm, true);
	return mpi_raise(comm, err, __func__);
}
