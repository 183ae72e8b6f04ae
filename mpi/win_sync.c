/* SPDX-License-Identifier: MIT */
/*
 * One-sided synchronization: fence, passive target locks, PSCW, flushes.
 *
 * - A fence ends our operations (gets answered, puts landed) and then
 *   barriers on the window's communicator.
 * - A lock is a word in the target's device memory: the exclusive bit, or
 *   a count of shared holders, taken with the fabric's atomics and retried
 *   after a doubling pause of modeled compute (1 us to 64 us) while it is
 *   held. The accumulate mutex (win_rma.c) is the word after it.
 * - PSCW is messages on the window's communicator: post tells each origin
 *   that the target is exposed, complete tells each target that the
 *   origin's operations have landed.
 */
#include <stdlib.h>

#include "mpi/impl.h"

#define LOCK_EXCLUSIVE (1ULL << 62)
#define TAG_POST       1
#define TAG_COMPLETE   2

enum { WORD_LOCK, WORD_MUTEX };

static uint64_t word(MPI_Win win, int target, int which)
{
	return win->rank[target].sync + which * sizeof(uint64_t);
}

static void backoff(uint64_t *ns)
{
	snemu_compute(*ns);
	*ns = MIN(*ns * 2, 64000);
}

static int amo(MPI_Win win, int target, int which, int op, uint64_t operand,
	       uint64_t *old)
{
	return snemu_atomic_fetch_op(
		mpi_win_fabric(), mpi_world(win->comm, target),
		word(win, target, which), op, operand, old);
}

/* Swap 0 for desired in the word; retried while someone else holds it. */
static int take(MPI_Win win, int target, int which, uint64_t desired)
{
	uint64_t old, pause = 1000;
	int ret;

	for (;;) {
		ret = snemu_atomic_cas(
			mpi_win_fabric(), mpi_world(win->comm, target),
			word(win, target, which), 0, desired, &old);
		if (ret || !old)
			return ret;
		backoff(&pause);
	}
}

/* A shared lock: one more holder, unless an exclusive one is there. */
static int take_shared(MPI_Win win, int target)
{
	uint64_t old, pause = 1000;
	int ret;

	for (;;) {
		ret = amo(win, target, WORD_LOCK, SNEMU_AMO_ADD, 1, &old);
		if (ret || !(old & LOCK_EXCLUSIVE))
			return ret;
		ret = amo(win, target, WORD_LOCK, SNEMU_AMO_ADD, -1ULL, NULL);
		if (ret)
			return ret;
		backoff(&pause);
	}
}

int mpi_win_mutex(MPI_Win win, int target, bool on)
{
	int ret = on ? take(win, target, WORD_MUTEX, 1)
		     : amo(win, target, WORD_MUTEX, SNEMU_AMO_SWAP, 0, NULL);

	return mpi_err_of(ret);
}

static int lock(MPI_Win win, int target, uint8_t how)
{
	int ret = 0;

	if (!(how & MPI_WIN_LOCKED_NOCHECK))
		ret = how & MPI_WIN_LOCKED_EXCLUSIVE
			      ? take(win, target, WORD_LOCK, LOCK_EXCLUSIVE)
			      : take_shared(win, target);
	if (!ret)
		win->locked[target] = how;
	return mpi_err_of(ret);
}

/*
 * The fabric's flush only waits for puts (as snemu_wait did for the gets) or,
 * with neither, is the poll that lets a loop of flushes move in time.
 */
int mpi_win_end_ops(MPI_Win win, int target)
{
	int gets = 0, dirty = 0, err, ret = 0;

	for (int i = 0; i < win->ngets; i++)
		gets += target < 0 || win->gets[i].target == target;
	for (int r = 0; r < win->comm->size; r++) {
		if (target < 0 || r == target) {
			dirty += win->dirty[r];
			win->dirty[r] = 0;
		}
	}
	err = mpi_win_complete_gets(win, target);
	if (dirty || !gets)
		ret = snemu_flush(mpi_win_fabric(),
				  target < 0 ? SNEMU_ANY_SOURCE
					     : mpi_world(win->comm, target));
	return err ? err : mpi_err_of(ret);
}

static int unlock(MPI_Win win, int target)
{
	uint8_t how = win->locked[target];
	int err = mpi_win_end_ops(win, target), ret = 0;

	if (!(how & MPI_WIN_LOCKED_NOCHECK))
		ret = amo(win, target, WORD_LOCK, SNEMU_AMO_ADD,
			  how & MPI_WIN_LOCKED_EXCLUSIVE ? -LOCK_EXCLUSIVE
							 : -1ULL,
			  NULL);
	win->locked[target] = 0;
	return err ? err : mpi_err_of(ret);
}

static int check_rank(MPI_Win win, int rank)
{
	return rank >= 0 && rank < win->comm->size ? MPI_SUCCESS : MPI_ERR_RANK;
}

static bool any_lock(MPI_Win win)
{
	for (int r = 0; r < win->comm->size; r++)
		if (win->locked[r])
			return true;
	return win->lock_all;
}

/* In a passive target epoch with target (-1: any), else RMA_SYNC. */
static int passive(MPI_Win win, int target)
{
	bool in = target < 0 ? any_lock(win)
			     : win->lock_all || win->locked[target];

	return in ? MPI_SUCCESS : MPI_ERR_RMA_SYNC;
}

int MPI_Win_fence(int assert, MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err && (assert & ~(MPI_MODE_NOSTORE | MPI_MODE_NOPUT |
				MPI_MODE_NOPRECEDE | MPI_MODE_NOSUCCEED)))
		err = MPI_ERR_ASSERT;
	else if (!err && (any_lock(win) || win->access || win->exposure))
		err = MPI_ERR_RMA_SYNC;
	if (!err)
		err = mpi_win_end_ops(win, -1);
	if (!err)
		err = mpi_barrier(win->comm);
	if (!err)
		win->fence_epoch = !(assert &MPI_MODE_NOSUCCEED);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_lock(int lock_type, int rank, int assert, MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err && lock_type != MPI_LOCK_EXCLUSIVE &&
	    lock_type != MPI_LOCK_SHARED)
		err = MPI_ERR_LOCKTYPE;
	else if (!err && (assert & ~MPI_MODE_NOCHECK))
		err = MPI_ERR_ASSERT;
	if (err || rank == MPI_PROC_NULL)
		return mpi_win_raise(win, err, __func__);
	err = check_rank(win, rank);
	if (!err && (win->locked[rank] || win->lock_all))
		err = MPI_ERR_RMA_SYNC;
	if (!err)
		err = lock(win, rank,
			   (lock_type == MPI_LOCK_EXCLUSIVE
				    ? MPI_WIN_LOCKED_EXCLUSIVE
				    : MPI_WIN_LOCKED_SHARED) |
				   (assert &MPI_MODE_NOCHECK
					    ? MPI_WIN_LOCKED_NOCHECK
					    : 0));
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_unlock(int rank, MPI_Win win)
{
	int err = mpi_win_check(win);

	if (err || rank == MPI_PROC_NULL)
		return mpi_win_raise(win, err, __func__);
	err = check_rank(win, rank);
	if (!err && !win->locked[rank])
		err = MPI_ERR_RMA_SYNC;
	if (!err)
		err = unlock(win, rank);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_lock_all(int assert, MPI_Win win)
{
	int err = mpi_win_check(win);
	uint8_t how = MPI_WIN_LOCKED_SHARED;

	if (!err && (assert & ~MPI_MODE_NOCHECK))
		err = MPI_ERR_ASSERT;
	else if (!err && any_lock(win))
		err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(win, err, __func__);
	if (assert & MPI_MODE_NOCHECK)
		how |= MPI_WIN_LOCKED_NOCHECK;
	for (int r = 0; r < win->comm->size && !err; r++)
		err = lock(win, r, how);
	/* All or none: a lock left held would stop every other rank. */
	for (int r = 0; err && r < win->comm->size; r++)
		if (win->locked[r])
			unlock(win, r);
	win->lock_all = !err;
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_unlock_all(MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err && !win->lock_all)
		err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(win, err, __func__);
	err = mpi_win_end_ops(win, -1);
	for (int r = 0; r < win->comm->size; r++)
		if (win->locked[r]) {
			int e = unlock(win, r);

			err = err ? err : e;
		}
	win->lock_all = false;
	return mpi_win_raise(win, err, __func__);
}

/* The flushes: our operations to rank (all) end; local is the same. */
static int flush(MPI_Win win, int rank, bool all, const char *fn)
{
	int err = mpi_win_check(win);

	if (err || (!all && rank == MPI_PROC_NULL))
		return mpi_win_raise(win, err, fn);
	if (!all)
		err = check_rank(win, rank);
	if (!err)
		err = passive(win, all ? -1 : rank);
	if (!err)
		err = mpi_win_end_ops(win, all ? -1 : rank);
	return mpi_win_raise(win, err, fn);
}

int MPI_Win_flush(int rank, MPI_Win win)
{
	return flush(win, rank, false, __func__);
}

int MPI_Win_flush_all(MPI_Win win)
{
	return flush(win, 0, true, __func__);
}

int MPI_Win_flush_local(int rank, MPI_Win win)
{
	return flush(win, rank, false, __func__);
}

int MPI_Win_flush_local_all(MPI_Win win)
{
	return flush(win, 0, true, __func__);
}

/*
 * The unified model needs no copy between public and private memory: a
 * poll of the fabric (what lets remote writes that arrived be seen).
 */
int MPI_Win_sync(MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err)
		err = mpi_err_of(
			snemu_flush(mpi_win_fabric(), SNEMU_ANY_SOURCE));
	return mpi_win_raise(win, err, __func__);
}

/* The comm ranks of group's members (all in win's communicator). */
static int members(MPI_Win win, MPI_Group group, int **out, int *n)
{
	int *r;

	if (!group)
		return MPI_ERR_GROUP;
	r = malloc(group->size * sizeof(*r) + 1);
	if (!r)
		return MPI_ERR_NO_MEM;
	for (int i = 0; i < group->size; i++) {
		r[i] = mpi_local(win->comm, group->world[i]);
		if (r[i] < 0) {
			free(r);
			return MPI_ERR_GROUP;
		}
	}
	*out = r;
	*n = group->size;
	return MPI_SUCCESS;
}

static int notify(MPI_Win win, const int *to, int n, int tag)
{
	int ret = 0;

	for (int i = 0; i < n && !ret; i++)
		ret = snemu_send_comm(win->comm->ctx,
				      mpi_world(win->comm, to[i]), tag, NULL, 0,
				      0);
	return mpi_err_of(ret);
}

/* Receive a tag message from each of from[n]. */
static int await(MPI_Win win, const int *from, int n, int tag)
{
	struct snemu_req **r = calloc(n + 1, sizeof(*r));
	int ret = 0;

	if (!r)
		return MPI_ERR_NO_MEM;
	for (int i = 0; i < n && !ret; i++)
		ret = snemu_irecv_comm(win->comm->ctx,
				       mpi_world(win->comm, from[i]), tag, NULL,
				       0, &r[i]);
	for (int i = 0; i < n; i++) {
		int k, e;

		e = mpi_sched_waitany(n, r, &k, NULL);
		ret = ret ? ret : e;
		if (k < 0)
			break;
	}
	free(r);
	return mpi_err_of(ret);
}

int MPI_Win_post(MPI_Group group, int assert, MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err &&
	    (assert & ~(MPI_MODE_NOCHECK | MPI_MODE_NOSTORE | MPI_MODE_NOPUT)))
		err = MPI_ERR_ASSERT;
	else if (!err && win->exposure)
		err = MPI_ERR_RMA_SYNC;
	if (!err)
		err = members(win, group, &win->exposure, &win->nexpose);
	if (!err) {
		win->completed = calloc(win->nexpose + 1, 1);
		err = win->completed ? MPI_SUCCESS : MPI_ERR_NO_MEM;
	}
	/* With NOCHECK, every matching start said so too: no message. */
	if (!err && !(assert &MPI_MODE_NOCHECK))
		err = notify(win, win->exposure, win->nexpose, TAG_POST);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_start(MPI_Group group, int assert, MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err && (assert & ~MPI_MODE_NOCHECK))
		err = MPI_ERR_ASSERT;
	else if (!err && (win->access || any_lock(win)))
		err = MPI_ERR_RMA_SYNC;
	if (!err)
		err = members(win, group, &win->access, &win->naccess);
	if (!err && !(assert &MPI_MODE_NOCHECK))
		err = await(win, win->access, win->naccess, TAG_POST);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_complete(MPI_Win win)
{
	int err = mpi_win_check(win);

	if (!err && !win->access)
		err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(win, err, __func__);
	err = mpi_win_end_ops(win, -1);
	if (!err)
		err = notify(win, win->access, win->naccess, TAG_COMPLETE);
	free(win->access);
	win->access = NULL;
	win->naccess = 0;
	return mpi_win_raise(win, err, __func__);
}

static void exposure_end(MPI_Win win)
{
	free(win->exposure);
	free(win->completed);
	win->exposure = NULL;
	win->completed = NULL;
	win->nexpose = 0;
}

int MPI_Win_wait(MPI_Win win)
{
	int err = mpi_win_check(win), n = 0, *from;

	if (!err && !win->exposure)
		err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(win, err, __func__);
	from = malloc(win->nexpose * sizeof(*from) + 1);
	if (!from)
		return mpi_win_raise(win, MPI_ERR_NO_MEM, __func__);
	for (int i = 0; i < win->nexpose; i++)
		if (!win->completed[i])
			from[n++] = win->exposure[i];
	err = await(win, from, n, TAG_COMPLETE);
	free(from);
	exposure_end(win);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_test(MPI_Win win, int *flag)
{
	int err = mpi_win_check(win), ret = 0, got, left = 0;

	if (!err && !flag)
		err = MPI_ERR_ARG;
	else if (!err && !win->exposure)
		err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(win, err, __func__);
	for (int i = 0; i < win->nexpose && !ret; i++) {
		int w = mpi_world(win->comm, win->exposure[i]);

		if (win->completed[i])
			continue;
		ret = snemu_iprobe_comm(win->comm->ctx, w, TAG_COMPLETE, &got,
					NULL);
		if (!ret && got)
			ret = snemu_recv_comm(win->comm->ctx, w, TAG_COMPLETE,
					      NULL, 0, NULL);
		if (!ret && got)
			win->completed[i] = true;
		else
			left++;
	}
	*flag = !ret && !left;
	if (*flag)
		exposure_end(win);
	return mpi_win_raise(win, mpi_err_of(ret), __func__);
}
