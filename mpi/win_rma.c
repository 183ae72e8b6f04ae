/* SPDX-License-Identifier: MIT */
/*
 * One-sided operations. The target's datatype is cut into contiguous
 * pieces (adjacent ones merged), each one snemu call on the address-space
 * window; the origin's data moves packed.
 *
 * - MPI_Put: a copying put per piece, or, for a piece over 64 KiB of a
 *   dense origin buffer (which MPI forbids changing until the operation
 *   completes), a put_nbi, which reads it when it arrives. Small ones
 *   copy as eager messages do: a program that reuses the buffer early,
 *   as many MPIs let it, still works.
 * - MPI_Get: an iget per piece, completed (and unpacked) by the call that
 *   ends the epoch or flushes.
 * - Accumulates are atomic per basic element, as MPI requires for
 *   concurrent ones with the same datatype and op (or MPI_NO_OP, the
 *   default accumulate_ops): on 8-byte integers, SUM, BAND, BOR, BXOR,
 *   REPLACE and NO_OP are the fabric's remote atomics, one per element
 *   and nonblocking like a get; any other type or op holds the target's
 *   accumulate mutex (not needed under an exclusive lock) around a get,
 *   the reduction at the origin, and a put, within the call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

/* Contiguous pieces of count elements of t at base, adjacent merged. */
struct pieces {
	MPI_Datatype t;
	int count, i, s;
	uint64_t base;
};

static bool piece_next(struct pieces *p, uint64_t *addr, size_t *len)
{
	*len = 0;
	while (p->i < p->count && p->t->nseg) {
		const struct mpi_seg *g = &p->t->seg[p->s];
		uint64_t a = p->base + (uint64_t)(p->i * p->t->extent + g->off);

		if (*len && a != *addr + *len)
			return true;
		if (!*len)
			*addr = a;
		*len += g->len;
		if (++p->s == p->t->nseg) {
			p->s = 0;
			p->i++;
		}
	}
	return *len > 0;
}

/* A target: comm rank, the address of its displacement, its pieces. */
struct target {
	int rank, world;
	struct pieces pc;
};

static bool in_epoch(MPI_Win win, int rank)
{
	if (win->fence_epoch || win->lock_all || win->locked[rank])
		return true;
	for (int i = 0; i < win->naccess; i++)
		if (win->access[i] == rank)
			return true;
	return false;
}

/*
 * Check an operation's target side and find it: MPI_SUCCESS and *t,
 * MPI_PROC_NULL (nothing to do), or an error class.
 */
static int target_of(MPI_Win win, int rank, MPI_Aint disp, int count,
		     MPI_Datatype type, struct target *t)
{
	const struct mpi_win_rank *wr;
	MPI_Aint lo, hi, off;
	int err;

	if (rank == MPI_PROC_NULL)
		return MPI_PROC_NULL;
	err = mpi_check_type(type);
	if (err)
		return err;
	if (count < 0)
		return MPI_ERR_COUNT;
	if (rank < 0 || rank >= win->comm->size)
		return MPI_ERR_RANK;
	if (!in_epoch(win, rank))
		return MPI_ERR_RMA_SYNC;
	wr = &win->rank[rank];
	mpi_type_span(count, type, &lo, &hi);
	if (win->flavor == MPI_WIN_FLAVOR_DYNAMIC) {
		off = disp;
	} else if (disp < 0 ||
		   __builtin_mul_overflow(disp, (MPI_Aint)wr->disp_unit,
					  &off) ||
		   (lo < hi &&
		    (off + lo < 0 || off + hi > (MPI_Aint)wr->size))) {
		return MPI_ERR_RMA_RANGE;
	}
	*t = (struct target){
		.rank = rank,
		.world = mpi_world(win->comm, rank),
		.pc = {.t = type, .count = count, .base = wr->base + off},
	};
	return MPI_SUCCESS;
}

/* The origin side agrees in size with the target's (MPI_ERR_TYPE). */
static int origin_check(const void *buf, int count, MPI_Datatype type,
			int tcount, MPI_Datatype ttype)
{
	int err = mpi_check_buf(buf, count, type);

	if (!err && mpi_check_type(ttype))
		err = MPI_ERR_TYPE;
	if (!err && type->size * count != ttype->size * (size_t)MAX(tcount, 0))
		err = MPI_ERR_TYPE;
	return err;
}

static int gets_add(MPI_Win win, struct snemu_req *r, int target)
{
	struct mpi_win_get *g;

	if (win->ngets == win->capgets) {
		int cap = win->capgets ? 2 * win->capgets : 16;

		g = realloc(win->gets, cap * sizeof(*g));
		if (!g)
			return MPI_ERR_NO_MEM;
		win->gets = g;
		win->capgets = cap;
	}
	win->gets[win->ngets++] =
		(struct mpi_win_get){.r = r, .target = target};
	return MPI_SUCCESS;
}

/* The last get added unpacks tmp into count of type at buf when done. */
static void gets_unpack(MPI_Win win, void *tmp, void *buf, int count,
			MPI_Datatype type)
{
	struct mpi_win_get *g = &win->gets[win->ngets - 1];

	g->tmp = tmp;
	g->buf = buf;
	g->count = count;
	g->type = type;
}

int mpi_win_complete_gets(MPI_Win win, int target)
{
	struct snemu_req **r;
	int n = 0, k = 0, ret = 0;

	r = malloc(win->ngets * sizeof(*r) + 1);
	if (!r)
		return MPI_ERR_NO_MEM;
	for (int i = 0; i < win->ngets; i++)
		if (target < 0 || win->gets[i].target == target)
			r[n++] = win->gets[i].r;
	for (int i = 0; i < n; i++) {
		int idx, e = mpi_sched_waitany(n, r, &idx, NULL);

		ret = ret ? ret : e;
	}
	free(r);
	for (int i = 0; i < win->ngets; i++) {
		struct mpi_win_get *g = &win->gets[i];

		if (target >= 0 && g->target != target) {
			win->gets[k++] = *g;
			continue;
		}
		if (g->tmp) {
			if (!ret)
				mpi_unpack(g->tmp, g->type->size * g->count,
					   g->buf, g->count, g->type);
			free(g->tmp);
		}
	}
	win->ngets = k;
	return mpi_err_of(ret);
}

#define PUT_COPY_MAX (64 << 10)

/* Write packed bytes at src to t's pieces; copy: never put_nbi. */
static int put_pieces(MPI_Win win, struct target *t, const char *src, bool copy)
{
	struct snemu_win *aw = mpi_win_fabric();
	uint64_t a;
	size_t len;
	int ret = 0;

	win->dirty[t->rank] = 1;
	while (!ret && piece_next(&t->pc, &a, &len)) {
		ret = copy || len <= PUT_COPY_MAX
			      ? snemu_put(aw, t->world, a, src, len)
			      : snemu_put_nbi(aw, t->world, a, src, len);
		src += len;
	}
	return mpi_err_of(ret);
}

/* Read t's pieces into dst (packed), as gets in flight of win. */
static int get_pieces(MPI_Win win, struct target *t, char *dst, int *n)
{
	struct snemu_req *r;
	uint64_t a;
	size_t len;
	int err = MPI_SUCCESS, ret;

	*n = 0;
	while (!err && piece_next(&t->pc, &a, &len)) {
		ret = snemu_iget(mpi_win_fabric(), t->world, a, dst, len, &r);
		err = ret ? mpi_err_of(ret) : gets_add(win, r, t->rank);
		if (err && !ret)
			snemu_wait(r, NULL);
		*n += !err;
		dst += len;
	}
	return err;
}

/*
 * The checks of a put or get, and its target: MPI_SUCCESS and *t, or
 * MPI_PROC_NULL (nothing to do), or an error class.
 */
static int rma_start(MPI_Win win, const void *origin, int ocount,
		     MPI_Datatype otype, int rank, MPI_Aint disp, int tcount,
		     MPI_Datatype ttype, struct target *t)
{
	int err = mpi_win_check(win);

	if (!err)
		err = origin_check(origin, ocount, otype, tcount, ttype);
	return err ? err : target_of(win, rank, disp, tcount, ttype, t);
}

static int put(const void *origin, int ocount, MPI_Datatype otype, int rank,
	       MPI_Aint disp, int tcount, MPI_Datatype ttype, MPI_Win win,
	       bool copy)
{
	struct target t;
	void *tmp;
	const void *bytes;
	int err = rma_start(win, origin, ocount, otype, rank, disp, tcount,
			    ttype, &t);

	if (err)
		return err == MPI_PROC_NULL ? MPI_SUCCESS : err;
	bytes = mpi_bytes(origin, ocount, otype, true, &tmp);
	if (!bytes)
		return MPI_ERR_NO_MEM;
	err = put_pieces(win, &t, bytes, copy || tmp);
	free(tmp);
	return err;
}

/* A get; *n: the gets it left in flight (the last one unpacks). */
static int get(void *origin, int ocount, MPI_Datatype otype, int rank,
	       MPI_Aint disp, int tcount, MPI_Datatype ttype, MPI_Win win,
	       int *n)
{
	struct target t;
	void *tmp, *bytes;
	int err = rma_start(win, origin, ocount, otype, rank, disp, tcount,
			    ttype, &t);

	*n = 0;
	if (err)
		return err == MPI_PROC_NULL ? MPI_SUCCESS : err;
	bytes = mpi_bytes(origin, ocount, otype, false, &tmp);
	if (!bytes)
		return MPI_ERR_NO_MEM;
	err = get_pieces(win, &t, bytes, n);
	if (*n && tmp)
		gets_unpack(win, tmp, origin, ocount, otype);
	else
		free(tmp);
	return err;
}

int MPI_Put(const void *origin_addr, int origin_count,
	    MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp,
	    int target_count, MPI_Datatype target_datatype, MPI_Win win)
{
	return mpi_win_raise(win,
			     put(origin_addr, origin_count, origin_datatype,
				 target_rank, target_disp, target_count,
				 target_datatype, win, false),
			     __func__);
}

int MPI_Get(void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
	    int target_rank, MPI_Aint target_disp, int target_count,
	    MPI_Datatype target_datatype, MPI_Win win)
{
	int n;

	return mpi_win_raise(win,
			     get(origin_addr, origin_count, origin_datatype,
				 target_rank, target_disp, target_count,
				 target_datatype, win, &n),
			     __func__);
}

/* A request that is complete already (status empty). */
static int done_request(MPI_Win win, MPI_Request *request)
{
	int err = mpi_req_new(MPI_RQ_SEND, MPI_MODE_STD, NULL, 0, NULL,
			      MPI_PROC_NULL, 0, win->comm, request);

	if (!err) {
		(*request)->active = (*request)->done = true;
		mpi_status_empty(&(*request)->st);
	}
	return err;
}

/* A copying put: done when the call returns, as its request says. */
int MPI_Rput(const void *origin_addr, int origin_count,
	     MPI_Datatype origin_datatype, int target_rank,
	     MPI_Aint target_disp, int target_count,
	     MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request)
{
	int err = request ? MPI_SUCCESS : MPI_ERR_ARG;

	if (!err)
		err = put(origin_addr, origin_count, origin_datatype,
			  target_rank, target_disp, target_count,
			  target_datatype, win, true);
	if (!err)
		err = done_request(win, request);
	return mpi_win_raise(win, err, __func__);
}

/*
 * A get of one piece is its request (unpacked when it completes, like a
 * receive); one of several pieces completes within the call.
 */
int MPI_Rget(void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
	     int target_rank, MPI_Aint target_disp, int target_count,
	     MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request)
{
	struct mpi_win_get g;
	MPI_Request rq;
	int err = request ? MPI_SUCCESS : MPI_ERR_ARG, n = 0;

	if (!err)
		err = get(origin_addr, origin_count, origin_datatype,
			  target_rank, target_disp, target_count,
			  target_datatype, win, &n);
	if (!err && n == 1) {
		g = win->gets[--win->ngets];
		err = mpi_req_new(MPI_RQ_RECV, MPI_MODE_STD, origin_addr,
				  origin_count, origin_datatype, target_rank, 0,
				  win->comm, &rq);
		if (err) {
			win->gets[win->ngets++] = g;
		} else {
			rq->active = true;
			rq->r = g.r;
			rq->tmp = g.tmp;
			*request = rq;
			return MPI_SUCCESS;
		}
	}
	if (!err && n > 1)
		err = mpi_win_complete_gets(win, target_rank);
	if (!err)
		err = done_request(win, request);
	return mpi_win_raise(win, err, __func__);
}

/* t is made of 8-byte integers: what the fabric's atomics act on. */
static bool words(MPI_Datatype t)
{
	switch (t->kind) {
	case MPI_KIND_long:
	case MPI_KIND_unsigned_long:
	case MPI_KIND_long_long:
	case MPI_KIND_unsigned_long_long:
	case MPI_KIND_int64_t:
	case MPI_KIND_uint64_t:
	case MPI_KIND_aint:
	case MPI_KIND_offset:
	case MPI_KIND_count: return t->size == 8 * t->nbasic;
	default: return false;
	}
}

/* The fabric's atomic for op on t, or -1: none. */
static int native_op(MPI_Op op, MPI_Datatype t)
{
	if (!words(t))
		return -1;
	if (op == MPI_SUM || op == MPI_NO_OP)
		return SNEMU_AMO_ADD;
	if (op == MPI_BAND)
		return SNEMU_AMO_AND;
	if (op == MPI_BOR)
		return SNEMU_AMO_OR;
	if (op == MPI_BXOR)
		return SNEMU_AMO_XOR;
	return op == MPI_REPLACE ? SNEMU_AMO_SWAP : -1;
}

/* Every piece of t is whole aligned 8-byte words. */
static bool aligned(struct target t)
{
	uint64_t a;
	size_t len;

	while (piece_next(&t.pc, &a, &len))
		if (a % 8 || len % 8)
			return false;
	return true;
}

/*
 * The native accumulate: an atomic per element, in flight until the
 * epoch ends; old values (fetch) into the packed result res.
 */
static int acc_native(MPI_Win win, struct target *t, const uint64_t *in,
		      uint64_t *res, int amo, bool no_op)
{
	struct snemu_req *r;
	uint64_t a;
	size_t len;
	int err = MPI_SUCCESS, ret, n = 0;

	while (!err && piece_next(&t->pc, &a, &len)) {
		for (size_t k = 0; !err && k < len; k += 8, n++) {
			ret = snemu_iatomic_fetch_op(
				mpi_win_fabric(), t->world, a + k, amo,
				no_op ? 0 : in[n], res ? &res[n] : NULL, &r);
			err = ret ? mpi_err_of(ret) : gets_add(win, r, t->rank);
			if (err && !ret)
				snemu_wait(r, NULL);
		}
	}
	return err;
}

/*
 * The mutex accumulate, within the call: the target's data comes to cur
 * (packed, its size; NULL for MPI_REPLACE without result), is copied to
 * res (NULL: not wanted), combined with in, and goes back.
 */
static int acc_locked(MPI_Win win, struct target *t, const void *in, void *cur,
		      void *res, MPI_Op op)
{
	bool exclusive = win->locked[t->rank] & MPI_WIN_LOCKED_EXCLUSIVE;
	size_t len = t->pc.t->size * t->pc.count;
	struct target back = *t;
	int err = MPI_SUCCESS, e, n;

	if (!exclusive)
		err = mpi_win_mutex(win, t->rank, true);
	if (err)
		return err;
	if (cur) {
		err = get_pieces(win, t, cur, &n);
		e = mpi_win_complete_gets(win, t->rank);
		err = err ? err : e;
	}
	if (!err && res)
		memcpy(res, cur, len);
	if (!err && op != MPI_NO_OP) {
		if (op != MPI_REPLACE)
			err = mpi_reduce_local(in, cur, t->pc.count, t->pc.t,
					       op);
		if (!err)
			err = put_pieces(win, &back,
					 op == MPI_REPLACE ? in : cur, true);
		if (!err)
			err = mpi_win_end_ops(win, t->rank);
	}
	if (!exclusive) {
		e = mpi_win_mutex(win, t->rank, false);
		err = err ? err : e;
	}
	return err;
}

/*
 * Accumulate origin (NULL for MPI_NO_OP) into the target with op, the old
 * target data into result (NULL: not wanted).
 */
static int accumulate(const void *origin, int ocount, MPI_Datatype otype,
		      void *result, int rcount, MPI_Datatype rtype, int rank,
		      MPI_Aint disp, int tcount, MPI_Datatype ttype, MPI_Op op,
		      MPI_Win win)
{
	void *otmp = NULL, *rtmp = NULL, *res = NULL, *cur = NULL;
	const void *in = NULL;
	struct target t;
	int err = mpi_win_check(win), amo, before;

	if (!err && op != MPI_NO_OP)
		err = origin_check(origin, ocount, otype, tcount, ttype);
	if (!err && result)
		err = origin_check(result, rcount, rtype, tcount, ttype);
	if (!err && (!op || !op->predefined))
		err = MPI_ERR_OP;
	if (!err)
		err = target_of(win, rank, disp, tcount, ttype, &t);
	if (!err)
		err = mpi_check_op(op, ttype);
	if (err)
		return err == MPI_PROC_NULL ? MPI_SUCCESS : err;
	if (op != MPI_NO_OP &&
	    !(in = mpi_bytes(origin, ocount, otype, true, &otmp)))
		return MPI_ERR_NO_MEM;
	if (result && !(res = mpi_bytes(result, rcount, rtype, false, &rtmp))) {
		free(otmp);
		return MPI_ERR_NO_MEM;
	}
	amo = native_op(op, ttype);
	if (amo >= 0 && aligned(t)) {
		before = win->ngets;
		err = acc_native(win, &t, in, res, amo, op == MPI_NO_OP);
		if (rtmp && win->ngets > before)
			gets_unpack(win, rtmp, result, rcount, rtype);
		else
			free(rtmp);
	} else {
		if (op != MPI_REPLACE || result)
			cur = malloc(ttype->size * tcount + 1);
		err = cur || (op == MPI_REPLACE && !result)
			      ? acc_locked(win, &t, in, cur, res, op)
			      : MPI_ERR_NO_MEM;
		if (rtmp && !err)
			mpi_unpack(rtmp, ttype->size * tcount, result, rcount,
				   rtype);
		free(rtmp);
		free(cur);
	}
	free(otmp);
	return err;
}

int MPI_Accumulate(const void *origin_addr, int origin_count,
		   MPI_Datatype origin_datatype, int target_rank,
		   MPI_Aint target_disp, int target_count,
		   MPI_Datatype target_datatype, MPI_Op op, MPI_Win win)
{
	int err = op == MPI_NO_OP ? MPI_ERR_OP : MPI_SUCCESS;

	if (!err)
		err = accumulate(origin_addr, origin_count, origin_datatype,
				 NULL, 0, NULL, target_rank, target_disp,
				 target_count, target_datatype, op, win);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Get_accumulate(const void *origin_addr, int origin_count,
		       MPI_Datatype origin_datatype, void *result_addr,
		       int result_count, MPI_Datatype result_datatype,
		       int target_rank, MPI_Aint target_disp, int target_count,
		       MPI_Datatype target_datatype, MPI_Op op, MPI_Win win)
{
	int err = result_addr || !result_count ? MPI_SUCCESS : MPI_ERR_BUFFER;

	if (!err)
		err = accumulate(origin_addr, origin_count, origin_datatype,
				 result_addr, result_count, result_datatype,
				 target_rank, target_disp, target_count,
				 target_datatype, op, win);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Fetch_and_op(const void *origin_addr, void *result_addr,
		     MPI_Datatype datatype, int target_rank,
		     MPI_Aint target_disp, MPI_Op op, MPI_Win win)
{
	int err = result_addr ? MPI_SUCCESS : MPI_ERR_BUFFER;

	if (!err)
		err = accumulate(origin_addr, 1, datatype, result_addr, 1,
				 datatype, target_rank, target_disp, 1,
				 datatype, op, win);
	return mpi_win_raise(win, err, __func__);
}

/* Compare and swap under the mutex, for types the fabric cannot. */
static int cas_locked(MPI_Win win, struct target *t, const void *origin,
		      const void *compare, void *result)
{
	size_t size = t->pc.t->size;
	struct target back = *t;
	int err, e, n;

	err = mpi_win_mutex(win, t->rank, true);
	if (err)
		return err;
	err = get_pieces(win, t, result, &n);
	e = mpi_win_complete_gets(win, t->rank);
	err = err ? err : e;
	if (!err && !memcmp(result, compare, size)) {
		err = put_pieces(win, &back, origin, true);
		if (!err)
			err = mpi_win_end_ops(win, t->rank);
	}
	e = mpi_win_mutex(win, t->rank, false);
	return err ? err : e;
}

int MPI_Compare_and_swap(const void *origin_addr, const void *compare_addr,
			 void *result_addr, MPI_Datatype datatype,
			 int target_rank, MPI_Aint target_disp, MPI_Win win)
{
	int err = mpi_win_check(win);
	struct target t;
	uint64_t o, c, old;

	if (!err)
		err = mpi_check_type(datatype);
	if (!err && (!datatype->predefined || datatype->nbasic != 1 ||
		     datatype->kind == MPI_KIND_MIXED))
		err = MPI_ERR_TYPE;
	if (!err && (!origin_addr || !compare_addr || !result_addr))
		err = MPI_ERR_BUFFER;
	if (!err)
		err = target_of(win, target_rank, target_disp, 1, datatype, &t);
	if (err == MPI_PROC_NULL)
		return MPI_SUCCESS;
	if (err)
		return mpi_win_raise(win, err, __func__);
	if (words(datatype) && aligned(t)) {
		memcpy(&o, origin_addr, 8);
		memcpy(&c, compare_addr, 8);
		err = mpi_err_of(snemu_atomic_cas(mpi_win_fabric(), t.world,
						  t.pc.base, c, o, &old));
		if (!err)
			memcpy(result_addr, &old, 8);
	} else {
		err = cas_locked(win, &t, origin_addr, compare_addr,
				 result_addr);
	}
	return mpi_win_raise(win, err, __func__);
}
