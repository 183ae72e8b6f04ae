/* SPDX-License-Identifier: MIT */
/*
 * win_req: request-based RMA in passive target epochs. MPI_Rput completed
 * by MPI_Wait frees the origin buffer (overwriting it then does not change
 * what lands once the epoch ends); MPI_Rget completed by MPI_Wait, by
 * MPI_Waitall over several, and by an MPI_Test loop holds the target's
 * data; several MPI_Rput under MPI_Win_lock_all completed by MPI_Waitall
 * and then MPI_Win_flush are read back; one MPI_Waitall over an MPI_Irecv,
 * an MPI_Isend, an MPI_Rget and an MPI_Rput returns MPI_SUCCESS, the
 * receive's status has the right source, tag and count and every request
 * comes back as MPI_REQUEST_NULL.
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	8
#define NSLOT	4
#define UNTOUCH -1
#define TAG	17

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

static void check_null(int rank, MPI_Request *req, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK(req[i] == MPI_REQUEST_NULL,
		      "rank %d: %s request %d: expected MPI_REQUEST_NULL after "
		      "completion, got another handle\n",
		      rank, what, i);
}

static void check_vals(int rank, const int *got, const int *want, int n,
		       const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK(got[i] == want[i],
		      "rank %d: %s [%d]: expected %d, got %d\n", rank, what, i,
		      want[i], got[i]);
}

/* Slot s (CNT ints) of the right neighbour's window: only this rank. */
static void check_wait(int rank, int right, MPI_Win win)
{
	int o[CNT], keep[CNT], g[CNT], i, rc, flag;
	MPI_Request req;
	long polls;

	for (i = 0; i < CNT; i++) {
		o[i] = val(rank, right, i);
		keep[i] = o[i];
		g[i] = UNTOUCH;
	}
	MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
	MPI_Rput(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win, &req);
	rc = MPI_Wait(&req, MPI_STATUS_IGNORE);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Wait on an MPI_Rput: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	check_null(rank, &req, 1, "MPI_Rput after MPI_Wait");
	for (i = 0; i < CNT; i++)
		o[i] = -5;
	MPI_Win_unlock(right, win);

	MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
	MPI_Rget(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win, &req);
	rc = MPI_Wait(&req, MPI_STATUS_IGNORE);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Wait on an MPI_Rget: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	check_null(rank, &req, 1, "MPI_Rget after MPI_Wait");
	/* Valid at completion, before the epoch ends. */
	check_vals(rank, g, keep, CNT,
		   "MPI_Rget after MPI_Rput, MPI_Wait and reuse of its buffer");
	MPI_Win_unlock(right, win);

	/* Poll an MPI_Rget with MPI_Test. */
	for (i = 0; i < CNT; i++)
		g[i] = UNTOUCH;
	MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
	MPI_Rget(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win, &req);
	polls = 0;
	do {
		flag = -1;
		rc = MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
		polls++;
	} while (rc == MPI_SUCCESS && flag == 0);
	CHECK(rc == MPI_SUCCESS && flag == 1,
	      "rank %d: MPI_Test on an MPI_Rget (poll %ld): expected %d and "
	      "flag 1, got %d and %d\n",
	      rank, polls, MPI_SUCCESS, rc, flag);
	check_null(rank, &req, 1, "MPI_Rget after MPI_Test");
	check_vals(rank, g, keep, CNT, "MPI_Rget completed by MPI_Test");
	/* A completed request tests true again with MPI_REQUEST_NULL. */
	flag = -1;
	rc = MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
	CHECK(rc == MPI_SUCCESS && flag == 1,
	      "rank %d: MPI_Test on MPI_REQUEST_NULL: expected %d and flag 1, "
	      "got %d and %d\n",
	      rank, MPI_SUCCESS, rc, flag);
	MPI_Win_unlock(right, win);
}

/* NSLOT Rputs, MPI_Waitall, flush, NSLOT Rgets, MPI_Waitall. */
static void check_waitall(int rank, int right, MPI_Win win)
{
	int o[NSLOT * CNT], g[NSLOT * CNT], i, s, rc;
	MPI_Request req[NSLOT];
	MPI_Status st[NSLOT];

	for (i = 0; i < NSLOT * CNT; i++) {
		o[i] = val(rank, right, 20 + i);
		g[i] = UNTOUCH;
	}
	MPI_Win_lock_all(0, win);
	for (s = 0; s < NSLOT; s++)
		MPI_Rput(o + s * CNT, CNT, MPI_INT, right, s * CNT, CNT,
			 MPI_INT, win, &req[s]);
	rc = MPI_Waitall(NSLOT, req, st);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Waitall on %d MPI_Rput: expected %d, got %d\n",
	      rank, NSLOT, MPI_SUCCESS, rc);
	check_null(rank, req, NSLOT, "MPI_Rput after MPI_Waitall");
	MPI_Win_flush(right, win);
	for (s = NSLOT - 1; s >= 0; s--)
		MPI_Rget(g + s * CNT, CNT, MPI_INT, right, s * CNT, CNT,
			 MPI_INT, win, &req[s]);
	rc = MPI_Waitall(NSLOT, req, st);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Waitall on %d MPI_Rget: expected %d, got %d\n",
	      rank, NSLOT, MPI_SUCCESS, rc);
	check_null(rank, req, NSLOT, "MPI_Rget after MPI_Waitall");
	check_vals(rank, g, o, NSLOT * CNT,
		   "MPI_Rget after MPI_Rput, MPI_Waitall and MPI_Win_flush");
	MPI_Win_unlock_all(win);
}

/*
 * One MPI_Waitall: receive from the left, send to the right, Rget slot 0
 * of the right (written by check_waitall), Rput slot 1 of the right.
 */
static void check_mixed(int rank, int left, int right, MPI_Win win)
{
	int sbuf[CNT], rbuf[CNT], g[CNT], o[CNT], want[CNT], i, rc, cnt;
	MPI_Status st[4];
	MPI_Request req[4];

	for (i = 0; i < CNT; i++) {
		sbuf[i] = val(rank, right, 70 + i);
		rbuf[i] = UNTOUCH;
		g[i] = UNTOUCH;
		o[i] = val(rank, right, 90 + i);
	}
	MPI_Win_lock_all(0, win);
	MPI_Irecv(rbuf, CNT, MPI_INT, left, TAG, MPI_COMM_WORLD, &req[0]);
	MPI_Isend(sbuf, CNT, MPI_INT, right, TAG, MPI_COMM_WORLD, &req[1]);
	MPI_Rget(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win, &req[2]);
	MPI_Rput(o, CNT, MPI_INT, right, CNT, CNT, MPI_INT, win, &req[3]);
	st[0].MPI_SOURCE = -9;
	st[0].MPI_TAG = -9;
	rc = MPI_Waitall(4, req, st);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Waitall on MPI_Irecv, MPI_Isend, MPI_Rget and "
	      "MPI_Rput: expected %d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	check_null(rank, req, 4, "mixed MPI_Waitall");
	CHECK(st[0].MPI_SOURCE == left && st[0].MPI_TAG == TAG,
	      "rank %d: mixed MPI_Waitall receive status: expected source %d "
	      "tag %d, got source %d tag %d\n",
	      rank, left, TAG, st[0].MPI_SOURCE, st[0].MPI_TAG);
	cnt = -1;
	MPI_Get_count(&st[0], MPI_INT, &cnt);
	CHECK(cnt == CNT,
	      "rank %d: mixed MPI_Waitall receive count: expected %d, got %d\n",
	      rank, CNT, cnt);
	for (i = 0; i < CNT; i++)
		want[i] = val(left, rank, 70 + i);
	check_vals(rank, rbuf, want, CNT, "MPI_Irecv in a mixed MPI_Waitall");
	for (i = 0; i < CNT; i++)
		want[i] = val(rank, right, 20 + i);
	check_vals(rank, g, want, CNT, "MPI_Rget in a mixed MPI_Waitall");
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++)
		g[i] = UNTOUCH;
	MPI_Get(g, CNT, MPI_INT, right, CNT, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	check_vals(rank, g, o, CNT, "MPI_Rput in a mixed MPI_Waitall");
	MPI_Win_unlock_all(win);
}

int main(int argc, char **argv)
{
	int rank, size, right, left, *buf;
	MPI_Win win;

	mtest_init(&argc, &argv, 1, &rank, &size);
	right = (rank + 1) % size;
	left = (rank + size - 1) % size;
	MPI_Win_allocate(NSLOT * CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
			 MPI_COMM_WORLD, &buf, &win);
	MPI_Barrier(MPI_COMM_WORLD);

	check_wait(rank, right, win);
	check_waitall(rank, right, win);
	check_mixed(rank, left, right, win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_free(&win);
	return mtest_finish();
}
