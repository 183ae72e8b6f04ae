/* SPDX-License-Identifier: MIT */
/*
 * p2p_nonblocking: MPI_Isend / MPI_Irecv and their completion calls. A ring
 * in both directions completed by MPI_Waitall; an all-to-all exchange of
 * requests completed by MPI_Waitany (each index once, then MPI_UNDEFINED
 * and an empty status when all are MPI_REQUEST_NULL), by MPI_Waitsome
 * (until outcount is MPI_UNDEFINED), by MPI_Testall, MPI_Testany and
 * MPI_Test polling loops; MPI_Request_free on an MPI_Isend whose receive
 * is posted later; MPI_REQUEST_NULL in MPI_Wait / MPI_Test and the
 * array calls returns at once with an empty status; MPI_STATUSES_IGNORE.
 * Ranks: any N >= 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	     8
#define FREE_CNT     2048
#define TAG_RIGHT    1
#define TAG_LEFT     2
#define TAG_WAITANY  3
#define TAG_WAITSOME 4
#define TAG_TESTALL  5
#define TAG_TESTANY  6
#define TAG_TEST     7
#define TAG_FREE     8

static int value(int src, int dst, int tag, int i)
{
	return src * 1000000 + dst * 1000 + tag * 10 + i;
}

static void fill(int *buf, int src, int dst, int tag)
{
	int i;

	for (i = 0; i < CNT; i++)
		buf[i] = value(src, dst, tag, i);
}

static void check_buf(int rank, const char *what, const int *buf, int src,
		      int tag)
{
	int i;

	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == value(src, rank, tag, i),
		      "rank %d: %s from %d [%d]: expected %d, got %d\n", rank,
		      what, src, i, value(src, rank, tag, i), buf[i]);
}

static void check_status(int rank, const char *what, const MPI_Status *st,
			 int src, int tag)
{
	int cnt = -1;

	CHECK(st->MPI_SOURCE == src,
	      "rank %d: %s: expected source %d, got %d\n", rank, what, src,
	      st->MPI_SOURCE);
	CHECK(st->MPI_TAG == tag, "rank %d: %s: expected tag %d, got %d\n",
	      rank, what, tag, st->MPI_TAG);
	MPI_Get_count(st, MPI_INT, &cnt);
	CHECK(cnt == CNT, "rank %d: %s: expected count %d, got %d\n", rank,
	      what, CNT, cnt);
}

static void check_empty(int rank, const char *what, const MPI_Status *st)
{
	int cnt = -1;

	CHECK(st->MPI_SOURCE == MPI_ANY_SOURCE,
	      "rank %d: %s: expected empty status source %d, got %d\n", rank,
	      what, MPI_ANY_SOURCE, st->MPI_SOURCE);
	CHECK(st->MPI_TAG == MPI_ANY_TAG,
	      "rank %d: %s: expected empty status tag %d, got %d\n", rank, what,
	      MPI_ANY_TAG, st->MPI_TAG);
	MPI_Get_count(st, MPI_INT, &cnt);
	CHECK(cnt == 0, "rank %d: %s: expected empty status count 0, got %d\n",
	      rank, what, cnt);
}

static void check_all_null(int rank, const char *what, const MPI_Request *req,
			   int n)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK(req[i] == MPI_REQUEST_NULL,
		      "rank %d: %s: request %d expected MPI_REQUEST_NULL after "
		      "completion\n",
		      rank, what, i);
}

static void check_ring_waitall(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int rbuf[2][CNT], sbuf[2][CNT];
	MPI_Request req[4];
	MPI_Status st[4];

	memset(rbuf, 0xff, sizeof(rbuf));
	fill(sbuf[0], rank, right, TAG_RIGHT);
	fill(sbuf[1], rank, left, TAG_LEFT);
	MPI_Irecv(rbuf[0], CNT, MPI_INT, left, TAG_RIGHT, MPI_COMM_WORLD,
		  &req[0]);
	MPI_Irecv(rbuf[1], CNT, MPI_INT, right, TAG_LEFT, MPI_COMM_WORLD,
		  &req[1]);
	MPI_Isend(sbuf[0], CNT, MPI_INT, right, TAG_RIGHT, MPI_COMM_WORLD,
		  &req[2]);
	MPI_Isend(sbuf[1], CNT, MPI_INT, left, TAG_LEFT, MPI_COMM_WORLD,
		  &req[3]);
	MPI_Waitall(4, req, st);
	check_all_null(rank, "ring MPI_Waitall", req, 4);
	check_status(rank, "ring from left", &st[0], left, TAG_RIGHT);
	check_status(rank, "ring from right", &st[1], right, TAG_LEFT);
	check_buf(rank, "ring", rbuf[0], left, TAG_RIGHT);
	check_buf(rank, "ring", rbuf[1], right, TAG_LEFT);

	/* Once more, ignoring the statuses. */
	memset(rbuf, 0xff, sizeof(rbuf));
	MPI_Irecv(rbuf[0], CNT, MPI_INT, left, TAG_RIGHT, MPI_COMM_WORLD,
		  &req[0]);
	MPI_Irecv(rbuf[1], CNT, MPI_INT, right, TAG_LEFT, MPI_COMM_WORLD,
		  &req[1]);
	MPI_Isend(sbuf[0], CNT, MPI_INT, right, TAG_RIGHT, MPI_COMM_WORLD,
		  &req[2]);
	MPI_Isend(sbuf[1], CNT, MPI_INT, left, TAG_LEFT, MPI_COMM_WORLD,
		  &req[3]);
	MPI_Waitall(4, req, MPI_STATUSES_IGNORE);
	check_all_null(rank, "ring MPI_Waitall", req, 4);
	check_buf(rank, "ring (statuses ignored)", rbuf[0], left, TAG_RIGHT);
	check_buf(rank, "ring (statuses ignored)", rbuf[1], right, TAG_LEFT);
}

/*
 * An exchange with every other rank: req[p] receives from p into
 * rbuf + p * CNT, req[size + p] sends to p. The slots for this rank stay
 * MPI_REQUEST_NULL.
 */
struct xchg {
	int size;
	int tag;
	MPI_Request *req;
	int *rbuf;
	int *sbuf;
	char *done;
};

static void xchg_start(struct xchg *x, int rank, int size, int tag)
{
	int p;

	x->size = size;
	x->tag = tag;
	x->req = malloc(2 * size * sizeof(*x->req));
	x->rbuf = malloc(size * CNT * sizeof(int));
	x->sbuf = malloc(size * CNT * sizeof(int));
	x->done = calloc(2 * size, 1);
	memset(x->rbuf, 0xff, size * CNT * sizeof(int));
	for (p = 0; p < size; p++) {
		x->req[p] = MPI_REQUEST_NULL;
		x->req[size + p] = MPI_REQUEST_NULL;
		if (p == rank)
			continue;
		fill(x->sbuf + p * CNT, rank, p, tag);
		MPI_Irecv(x->rbuf + p * CNT, CNT, MPI_INT, p, tag,
			  MPI_COMM_WORLD, &x->req[p]);
	}
	for (p = 0; p < size; p++) {
		if (p == rank)
			continue;
		MPI_Isend(x->sbuf + p * CNT, CNT, MPI_INT, p, tag,
			  MPI_COMM_WORLD, &x->req[size + p]);
	}
}

/* Record that index idx completed with status st (NULL: ignored). */
static void xchg_done(struct xchg *x, int rank, const char *what, int idx,
		      const MPI_Status *st)
{
	int size = x->size;

	if (idx < 0 || idx >= 2 * size || idx == rank || idx == size + rank ||
	    x->done[idx]) {
		CHECK(0,
		      "rank %d: %s: expected a new index in [0, %d) other than "
		      "%d and %d, got %d\n",
		      rank, what, 2 * size, rank, size + rank, idx);
		return;
	}
	x->done[idx] = 1;
	if (x->req[idx] != MPI_REQUEST_NULL)
		CHECK(0,
		      "rank %d: %s: request %d expected MPI_REQUEST_NULL after "
		      "completion\n",
		      rank, what, idx);
	if (idx >= size)
		return;
	if (st)
		check_status(rank, what, st, idx, x->tag);
	check_buf(rank, what, x->rbuf + idx * CNT, idx, x->tag);
}

static void xchg_end(struct xchg *x, int rank, const char *what)
{
	int i, n = 0;

	for (i = 0; i < 2 * x->size; i++)
		n += x->done[i];
	CHECK(n == 2 * (x->size - 1),
	      "rank %d: %s: expected %d completions, got %d\n", rank, what,
	      2 * (x->size - 1), n);
	check_all_null(rank, what, x->req, 2 * x->size);
	free(x->req);
	free(x->rbuf);
	free(x->sbuf);
	free(x->done);
}

static void check_waitany(int rank, int size)
{
	struct xchg x;
	MPI_Status st;
	int i, idx;

	xchg_start(&x, rank, size, TAG_WAITANY);
	for (i = 0; i < 2 * (size - 1); i++) {
		idx = -1;
		MPI_Waitany(2 * size, x.req, &idx, &st);
		xchg_done(&x, rank, "MPI_Waitany", idx, &st);
	}
	idx = -1;
	st.MPI_SOURCE = -12345;
	st.MPI_TAG = -12345;
	MPI_Waitany(2 * size, x.req, &idx, &st);
	CHECK(idx == MPI_UNDEFINED,
	      "rank %d: MPI_Waitany on null requests: expected index %d, got "
	      "%d\n",
	      rank, MPI_UNDEFINED, idx);
	check_empty(rank, "MPI_Waitany on null requests", &st);
	xchg_end(&x, rank, "MPI_Waitany");
}

static void check_waitsome(int rank, int size)
{
	struct xchg x;
	MPI_Status *st;
	int *idx;
	int i, out, calls = 0;

	st = malloc(2 * size * sizeof(*st));
	idx = malloc(2 * size * sizeof(*idx));
	xchg_start(&x, rank, size, TAG_WAITSOME);
	for (;;) {
		out = -1;
		MPI_Waitsome(2 * size, x.req, &out, idx, st);
		if (out == MPI_UNDEFINED)
			break;
		if (out < 1 || out > 2 * size) {
			CHECK(0,
			      "rank %d: MPI_Waitsome: expected outcount in [1, "
			      "%d], got %d\n",
			      rank, 2 * size, out);
			break;
		}
		for (i = 0; i < out; i++)
			xchg_done(&x, rank, "MPI_Waitsome", idx[i], &st[i]);
		if (++calls > 2 * size) {
			CHECK(0,
			      "rank %d: MPI_Waitsome: expected MPI_UNDEFINED "
			      "after all completed, got %d\n",
			      rank, out);
			break;
		}
	}
	xchg_end(&x, rank, "MPI_Waitsome");

	/* Again, with the statuses ignored. */
	xchg_start(&x, rank, size, TAG_WAITSOME);
	calls = 0;
	for (;;) {
		out = -1;
		MPI_Waitsome(2 * size, x.req, &out, idx, MPI_STATUSES_IGNORE);
		if (out == MPI_UNDEFINED || out < 1 || ++calls > 2 * size)
			break;
		for (i = 0; i < out; i++)
			xchg_done(&x, rank, "MPI_Waitsome (statuses ignored)",
				  idx[i], NULL);
	}
	CHECK(out == MPI_UNDEFINED,
	      "rank %d: MPI_Waitsome (statuses ignored): expected outcount %d, "
	      "got %d\n",
	      rank, MPI_UNDEFINED, out);
	xchg_end(&x, rank, "MPI_Waitsome (statuses ignored)");
	free(st);
	free(idx);
}

static void check_testall(int rank, int size)
{
	struct xchg x;
	MPI_Status *st;
	int p, flag = 0;

	st = malloc(2 * size * sizeof(*st));
	xchg_start(&x, rank, size, TAG_TESTALL);
	while (!flag)
		MPI_Testall(2 * size, x.req, &flag, st);
	for (p = 0; p < size; p++) {
		if (p == rank)
			continue;
		xchg_done(&x, rank, "MPI_Testall", p, &st[p]);
		xchg_done(&x, rank, "MPI_Testall", size + p, &st[size + p]);
	}
	xchg_end(&x, rank, "MPI_Testall");

	xchg_start(&x, rank, size, TAG_TESTALL);
	flag = 0;
	while (!flag)
		MPI_Testall(2 * size, x.req, &flag, MPI_STATUSES_IGNORE);
	for (p = 0; p < size; p++) {
		if (p == rank)
			continue;
		xchg_done(&x, rank, "MPI_Testall (statuses ignored)", p, NULL);
		xchg_done(&x, rank, "MPI_Testall (statuses ignored)", size + p,
			  NULL);
	}
	xchg_end(&x, rank, "MPI_Testall (statuses ignored)");
	free(st);
}

static void check_testany(int rank, int size)
{
	struct xchg x;
	MPI_Status st;
	int idx, flag, n = 0;

	xchg_start(&x, rank, size, TAG_TESTANY);
	for (;;) {
		idx = -1;
		flag = -1;
		st.MPI_SOURCE = -12345;
		st.MPI_TAG = -12345;
		MPI_Testany(2 * size, x.req, &idx, &flag, &st);
		if (flag && idx == MPI_UNDEFINED)
			break;
		if (!flag) {
			CHECK(idx == MPI_UNDEFINED,
			      "rank %d: MPI_Testany with flag 0: expected "
			      "index %d, got %d\n",
			      rank, MPI_UNDEFINED, idx);
			continue;
		}
		xchg_done(&x, rank, "MPI_Testany", idx, &st);
		if (++n > 2 * size)
			break;
	}
	check_empty(rank, "MPI_Testany on null requests", &st);
	xchg_end(&x, rank, "MPI_Testany");
}

static void check_test(int rank, int size)
{
	struct xchg x;
	MPI_Status st;
	int i, flag, left;

	xchg_start(&x, rank, size, TAG_TEST);
	left = 2 * (size - 1);
	while (left > 0) {
		for (i = 0; i < 2 * size; i++) {
			if (x.req[i] == MPI_REQUEST_NULL)
				continue;
			flag = 0;
			MPI_Test(&x.req[i], &flag, &st);
			if (!flag)
				continue;
			xchg_done(&x, rank, "MPI_Test", i, &st);
			left--;
		}
	}
	xchg_end(&x, rank, "MPI_Test");
}

/*
 * Each rank sends FREE_CNT ints to its right neighbour with MPI_Isend and
 * frees the request at once; the neighbour posts the receive only after a
 * barrier. The send buffer is never written again.
 */
static void check_request_free(int rank, int size)
{
	static int sbuf[FREE_CNT];
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	MPI_Request req;
	MPI_Status st;
	int *rbuf, i, cnt = -1;

	for (i = 0; i < FREE_CNT; i++)
		sbuf[i] = rank * 10000 + i;
	MPI_Isend(sbuf, FREE_CNT, MPI_INT, right, TAG_FREE, MPI_COMM_WORLD,
		  &req);
	MPI_Request_free(&req);
	CHECK(req == MPI_REQUEST_NULL,
	      "rank %d: MPI_Request_free: expected MPI_REQUEST_NULL "
	      "afterwards\n",
	      rank);
	MPI_Barrier(MPI_COMM_WORLD);

	rbuf = malloc(FREE_CNT * sizeof(int));
	memset(rbuf, 0xff, FREE_CNT * sizeof(int));
	MPI_Recv(rbuf, FREE_CNT, MPI_INT, left, TAG_FREE, MPI_COMM_WORLD, &st);
	MPI_Get_count(&st, MPI_INT, &cnt);
	CHECK(cnt == FREE_CNT,
	      "rank %d: receive of freed send: expected count %d, got %d\n",
	      rank, FREE_CNT, cnt);
	for (i = 0; i < FREE_CNT; i++) {
		if (rbuf[i] != left * 10000 + i) {
			CHECK(0,
			      "rank %d: receive of freed send [%d]: expected "
			      "%d, got %d\n",
			      rank, i, left * 10000 + i, rbuf[i]);
			break;
		}
	}
	free(rbuf);
	/* Everyone has received, so every freed send has completed. */
	MPI_Barrier(MPI_COMM_WORLD);
}

static void check_null_requests(int rank)
{
	MPI_Request req[3] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL,
			      MPI_REQUEST_NULL};
	MPI_Status st, sts[3];
	int flag, idx, out, i;
	int idxs[3];

	st.MPI_SOURCE = -12345;
	st.MPI_TAG = -12345;
	MPI_Wait(&req[0], &st);
	check_empty(rank, "MPI_Wait on MPI_REQUEST_NULL", &st);

	st.MPI_SOURCE = -12345;
	st.MPI_TAG = -12345;
	flag = 0;
	MPI_Test(&req[0], &flag, &st);
	CHECK(flag,
	      "rank %d: MPI_Test on MPI_REQUEST_NULL: expected flag 1, got "
	      "%d\n",
	      rank, flag);
	check_empty(rank, "MPI_Test on MPI_REQUEST_NULL", &st);

	for (i = 0; i < 3; i++) {
		sts[i].MPI_SOURCE = -12345;
		sts[i].MPI_TAG = -12345;
	}
	MPI_Waitall(3, req, sts);
	for (i = 0; i < 3; i++)
		check_empty(rank, "MPI_Waitall on MPI_REQUEST_NULL", &sts[i]);

	flag = 0;
	MPI_Testall(3, req, &flag, sts);
	CHECK(flag,
	      "rank %d: MPI_Testall on MPI_REQUEST_NULL: expected flag 1, got "
	      "%d\n",
	      rank, flag);

	idx = -1;
	flag = 0;
	MPI_Testany(3, req, &idx, &flag, MPI_STATUS_IGNORE);
	CHECK(flag && idx == MPI_UNDEFINED,
	      "rank %d: MPI_Testany on MPI_REQUEST_NULL: expected flag 1 index "
	      "%d, got flag %d index %d\n",
	      rank, MPI_UNDEFINED, flag, idx);

	idx = -1;
	MPI_Waitany(3, req, &idx, MPI_STATUS_IGNORE);
	CHECK(idx == MPI_UNDEFINED,
	      "rank %d: MPI_Waitany on MPI_REQUEST_NULL: expected index %d, "
	      "got %d\n",
	      rank, MPI_UNDEFINED, idx);

	out = -1;
	MPI_Waitsome(3, req, &out, idxs, sts);
	CHECK(out == MPI_UNDEFINED,
	      "rank %d: MPI_Waitsome on MPI_REQUEST_NULL: expected outcount "
	      "%d, got %d\n",
	      rank, MPI_UNDEFINED, out);

	/* Zero-length arrays are allowed too. */
	MPI_Waitall(0, req, MPI_STATUSES_IGNORE);
	flag = 0;
	MPI_Testall(0, req, &flag, MPI_STATUSES_IGNORE);
	CHECK(flag,
	      "rank %d: MPI_Testall of 0 requests: expected flag 1, got %d\n",
	      rank, flag);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_null_requests(rank);
	check_ring_waitall(rank, size);
	check_waitany(rank, size);
	check_waitsome(rank, size);
	check_testall(rank, size);
	check_testany(rank, size);
	check_test(rank, size);
	check_request_free(rank, size);
	return mtest_finish();
}
