/* SPDX-License-Identifier: MIT */
/*
 * cancel: MPI_Cancel of receives. An MPI_Irecv nothing will match
 * (MPI_ANY_SOURCE / MPI_ANY_TAG, or a specific source and tag) is
 * cancelled, completed by MPI_Wait, MPI_Test or MPI_Waitall, and
 * MPI_Test_cancelled says so; a cancelled receive does not take a later
 * message with its source and tag. A receive that has been matched (its
 * sender's MPI_Ssend returned) is not cancelled by MPI_Cancel and gets its
 * data, and a normally completed receive is not cancelled. Afterwards
 * every rank finalizes cleanly.
 * Ranks: any N >= 2.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define TAG_NEVER 40
#define TAG_LATE  22
#define TAG_MATCH 23
#define TAG_NOTE  24
#define NREQ	  4

static void check_cancelled(int rank, const char *what, MPI_Status *st,
			    int want)
{
	int flag = -1;

	MPI_Test_cancelled(st, &flag);
	CHECK(!!flag == want,
	      "rank %d: MPI_Test_cancelled %s: expected %d, got %d\n", rank,
	      what, want, flag);
}

/*
 * Runs before any message is sent, so a wildcard receive cannot match;
 * the barrier keeps every later send behind the cancellations.
 */
static void check_unmatched(int rank, int size)
{
	int left = (rank + size - 1) % size;
	MPI_Request req, reqs[NREQ];
	MPI_Status st, sts[NREQ];
	int buf[NREQ + 1], i, flag;

	MPI_Irecv(&buf[0], 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
		  MPI_COMM_WORLD, &req);
	MPI_Cancel(&req);
	MPI_Wait(&req, &st);
	CHECK(req == MPI_REQUEST_NULL,
	      "rank %d: MPI_Wait of a cancelled receive: expected "
	      "MPI_REQUEST_NULL afterwards\n",
	      rank);
	check_cancelled(rank, "wildcard receive, MPI_Wait", &st, 1);

	MPI_Irecv(&buf[0], 1, MPI_INT, left, TAG_NEVER, MPI_COMM_WORLD, &req);
	MPI_Cancel(&req);
	flag = 0;
	while (!flag)
		MPI_Test(&req, &flag, &st);
	check_cancelled(rank, "specific receive, MPI_Test", &st, 1);

	for (i = 0; i < NREQ; i++)
		MPI_Irecv(&buf[i], 1, MPI_INT, left, TAG_NEVER + i,
			  MPI_COMM_WORLD, &reqs[i]);
	for (i = NREQ - 1; i >= 0; i--)
		MPI_Cancel(&reqs[i]);
	MPI_Waitall(NREQ, reqs, sts);
	for (i = 0; i < NREQ; i++)
		check_cancelled(rank, "receive, MPI_Waitall", &sts[i], 1);

	/* This one is cancelled before its message is sent. */
	MPI_Irecv(&buf[NREQ], 1, MPI_INT, left, TAG_LATE, MPI_COMM_WORLD, &req);
	MPI_Cancel(&req);
	MPI_Wait(&req, &st);
	check_cancelled(rank, "receive before its send", &st, 1);

	MPI_Barrier(MPI_COMM_WORLD);
}

/* The message meant for the cancelled TAG_LATE receive is still there. */
static void check_late(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int out = rank + 500, in = -1;
	MPI_Status st;

	MPI_Sendrecv(&out, 1, MPI_INT, right, TAG_LATE, &in, 1, MPI_INT, left,
		     TAG_LATE, MPI_COMM_WORLD, &st);
	CHECK(in == left + 500,
	      "rank %d: message after a cancelled receive: expected %d, got "
	      "%d\n",
	      rank, left + 500, in);
	check_cancelled(rank, "completed MPI_Sendrecv", &st, 0);
}

/*
 * Each rank posts a receive from its left neighbour, then (after a
 * barrier) MPI_Ssends to its right neighbour and tells it, by a second
 * message, that the MPI_Ssend returned. The receive is then matched, so
 * MPI_Cancel must fail and the data must arrive.
 */
static void check_matched(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int out = rank * 7 + 3, in = -1, note_out = 1, note_in = 0;
	MPI_Request req;
	MPI_Status st;

	MPI_Irecv(&in, 1, MPI_INT, left, TAG_MATCH, MPI_COMM_WORLD, &req);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Ssend(&out, 1, MPI_INT, right, TAG_MATCH, MPI_COMM_WORLD);
	MPI_Sendrecv(&note_out, 1, MPI_INT, right, TAG_NOTE, &note_in, 1,
		     MPI_INT, left, TAG_NOTE, MPI_COMM_WORLD,
		     MPI_STATUS_IGNORE);
	MPI_Cancel(&req);
	MPI_Wait(&req, &st);
	check_cancelled(rank, "matched receive", &st, 0);
	CHECK(in == left * 7 + 3,
	      "rank %d: matched receive: expected %d, got %d\n", rank,
	      left * 7 + 3, in);
	CHECK(st.MPI_SOURCE == left && st.MPI_TAG == TAG_MATCH,
	      "rank %d: matched receive: expected source %d tag %d, got source "
	      "%d tag %d\n",
	      rank, left, TAG_MATCH, st.MPI_SOURCE, st.MPI_TAG);

	/* A plain completed receive is not cancelled either. */
	in = -1;
	MPI_Irecv(&in, 1, MPI_INT, left, TAG_MATCH, MPI_COMM_WORLD, &req);
	MPI_Send(&out, 1, MPI_INT, right, TAG_MATCH, MPI_COMM_WORLD);
	MPI_Wait(&req, &st);
	check_cancelled(rank, "completed receive", &st, 0);
	CHECK(in == left * 7 + 3,
	      "rank %d: completed receive: expected %d, got %d\n", rank,
	      left * 7 + 3, in);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_unmatched(rank, size);
	check_late(rank, size);
	check_matched(rank, size);
	return mtest_finish();
}
