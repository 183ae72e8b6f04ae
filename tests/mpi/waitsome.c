/* SPDX-License-Identifier: MIT */
/*
 * waitsome: MPI_Waitsome and MPI_Testsome over many receives. Rank 0
 * posts NREQ MPI_Irecvs, from the other ranks in turn (tag: the index),
 * with two MPI_PROC_NULL receives among them. A MPI_Waitsome loop takes
 * them as they arrive: each outcount >= 1, every index once and in
 * range, each status (source, tag, count) and value that of its request,
 * then outcount MPI_UNDEFINED. Then the cost: with every message
 * arrived (rank 0 computes 1 ms of virtual time first), one MPI_Waitsome
 * or MPI_Testsome takes all NREQ and costs what an MPI_Waitall of them
 * does plus at most one poll overhead (an MPI_Iprobe's cost), not one
 * poll per request.
 * Ranks: any N >= 2.
 */
#include <math.h>
#include <stdint.h>

#include <mpi.h>
#include <snemu.h>

#include "tests/mpi/mtest.h"

#define NREQ	 64
#define NULL_AT1 5 /* the indices of the MPI_PROC_NULL receives */
#define NULL_AT2 40
#define TAG_NONE (NREQ * 8)

enum round { LOOP, WAITALL, WAITSOME, TESTSOME, NROUNDS };

static const char *const round_names[] = {
	"MPI_Waitsome loop",
	"MPI_Waitall",
	"MPI_Waitsome",
	"MPI_Testsome",
};

static int source(int j, int size)
{
	return j == NULL_AT1 || j == NULL_AT2 ? MPI_PROC_NULL
					      : 1 + j % (size - 1);
}

static int value(int round, int j)
{
	return round * 10000 + j * 7 + 1;
}

/* The virtual ns from t0 (an MPI_Wtime) to now. */
static int64_t since(double t0)
{
	return llround((MPI_Wtime() - t0) * 1e9);
}

/* Ranks past 0: the messages of round, after the round's barrier. */
static void send_round(int rank, int size, int round)
{
	MPI_Barrier(MPI_COMM_WORLD);
	for (int j = 0; j < NREQ; j++) {
		int v = value(round, j);

		if (source(j, size) == rank)
			MPI_Send(&v, 1, MPI_INT, 0, round * NREQ + j,
				 MPI_COMM_WORLD);
	}
}

/* Check the result of request j of round: its status and value. */
static void check_one(int round, int size, int j, const MPI_Status *st,
		      const int *buf, int *seen)
{
	int src = source(j, size), n = -1;

	CHECK(j >= 0 && j < NREQ && !seen[j],
	      "%s: index %d out of range or twice\n", round_names[round], j);
	if (j < 0 || j >= NREQ || seen[j]++)
		return;
	MPI_Get_count(st, MPI_INT, &n);
	if (src == MPI_PROC_NULL) {
		CHECK(st->MPI_SOURCE == MPI_PROC_NULL &&
			      st->MPI_TAG == MPI_ANY_TAG && n == 0,
		      "%s: [%d] MPI_PROC_NULL: source %d tag %d count %d\n",
		      round_names[round], j, st->MPI_SOURCE, st->MPI_TAG, n);
		return;
	}
	CHECK(st->MPI_SOURCE == src && st->MPI_TAG == round * NREQ + j &&
		      n == 1 && buf[j] == value(round, j),
	      "%s: [%d]: source %d tag %d count %d value %d, expected %d %d 1 "
	      "%d\n",
	      round_names[round], j, st->MPI_SOURCE, st->MPI_TAG, n, buf[j],
	      src, round * NREQ + j, value(round, j));
}

/*
 * Rank 0: post the receives of round, then complete them: a Waitsome
 * loop (LOOP), or with every message arrived one call. Returns the
 * virtual ns the completing calls took.
 */
static int64_t recv_round(int size, int round)
{
	MPI_Request req[NREQ];
	MPI_Status st[NREQ];
	int buf[NREQ], idx[NREQ], seen[NREQ] = {0}, out = 0, calls = 0;
	double t0;

	for (int j = 0; j < NREQ; j++) {
		buf[j] = -1;
		MPI_Irecv(&buf[j], 1, MPI_INT, source(j, size),
			  round * NREQ + j, MPI_COMM_WORLD, &req[j]);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	if (round != LOOP)
		snemu_compute(1000000);
	t0 = MPI_Wtime();
	if (round == WAITALL) {
		MPI_Waitall(NREQ, req, st);
		for (int j = 0; j < NREQ; j++)
			check_one(round, size, j, &st[j], buf, seen);
		return since(t0);
	}
	while (calls++ <= NREQ) {
		out = -1;
		if (round == TESTSOME)
			MPI_Testsome(NREQ, req, &out, idx, st);
		else
			MPI_Waitsome(NREQ, req, &out, idx, st);
		if (out == MPI_UNDEFINED || round != LOOP)
			break;
		CHECK(out >= 1 && out <= NREQ, "%s: outcount %d\n",
		      round_names[round], out);
		for (int i = 0; i < out; i++)
			check_one(round, size, idx[i], &st[i], buf, seen);
	}
	if (round == LOOP) {
		CHECK(out == MPI_UNDEFINED,
		      "%s: outcount %d after all completed, expected "
		      "MPI_UNDEFINED\n",
		      round_names[round], out);
		return since(t0);
	}
	CHECK(out == NREQ, "%s of %d arrived messages: outcount %d\n",
	      round_names[round], NREQ, out);
	for (int i = 0; i < out && i < NREQ; i++)
		check_one(round, size, idx[i], &st[i], buf, seen);
	return since(t0);
}

int main(int argc, char **argv)
{
	int64_t took[NROUNDS], poll;
	int rank, size, flag;
	double t0;

	mtest_init(&argc, &argv, 2, &rank, &size);
	t0 = MPI_Wtime();
	MPI_Iprobe(MPI_ANY_SOURCE, TAG_NONE, MPI_COMM_WORLD, &flag,
		   MPI_STATUS_IGNORE);
	poll = since(t0);
	for (int round = 0; round < NROUNDS; round++) {
		if (rank)
			send_round(rank, size, round);
		else
			took[round] = recv_round(size, round);
	}
	for (int round = WAITSOME; rank == 0 && round < NROUNDS; round++)
		CHECK(took[round] <= took[WAITALL] + poll,
		      "%s of %d arrived messages took %lld ns, MPI_Waitall "
		      "%lld ns: more than one poll (%lld ns) over\n",
		      round_names[round], NREQ, (long long)took[round],
		      (long long)took[WAITALL], (long long)poll);
	return mtest_finish();
}
