/* SPDX-License-Identifier: MIT */
/*
 * type_free: MPI_Type_free while operations still use the type: MPI-3.1
 * 4.1.9 marks it for deallocation, and they complete normally. Rank 0
 * posts an MPI_Irecv of a vector type, frees the type and builds another
 * of a different layout (which takes the memory of a type freed at once),
 * and only then lets rank 1 send: the data land where the vector says.
 * The same for a persistent receive (MPI_Recv_init, free, then two rounds
 * of MPI_Start and MPI_Wait), and for an MPI_Ibcast of a vector from
 * rank 0, freed on every rank before the MPI_Wait.
 * Ranks: any N >= 2.
 */
#include <stdio.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define NBLK	4 /* the vector: NBLK blocks of BLEN ints, STRIDE apart */
#define BLEN	2
#define STRIDE	3
#define NDATA	(NBLK * BLEN)
#define SPAN	(NBLK * STRIDE)
#define TAG_GO	1
#define TAG_IN	2
#define TAG_PER 3
#define ROUNDS	2

static MPI_Datatype vector(void)
{
	MPI_Datatype t;

	MPI_Type_vector(NBLK, BLEN, STRIDE, MPI_INT, &t);
	MPI_Type_commit(&t);
	return t;
}

/* Free t, then build a type of another layout, as a program goes on. */
static MPI_Datatype free_and_build(MPI_Datatype *t)
{
	MPI_Datatype other;

	CHECK(MPI_Type_free(t) == MPI_SUCCESS && *t == MPI_DATATYPE_NULL,
	      "MPI_Type_free of a type in use failed\n");
	MPI_Type_contiguous(3, MPI_CHAR, &other);
	MPI_Type_commit(&other);
	return other;
}

static int value(int round, int k)
{
	return round * 100 + k + 1;
}

/* buf holds the NDATA values of round where the vector lays them out. */
static void check_vector(const char *what, const int *buf, int round)
{
	for (int i = 0, k = 0; i < SPAN; i++) {
		int want = i % STRIDE < BLEN ? value(round, k++) : -1;

		CHECK(buf[i] == want, "%s [%d]: expected %d, got %d\n", what, i,
		      want, buf[i]);
	}
}

static void fill(int *buf, int n, int v)
{
	for (int i = 0; i < n; i++)
		buf[i] = v;
}

/* Rank 1: for each round, wait for the go, then send the data. */
static void sender(int tag, int rounds)
{
	int data[NDATA];

	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NDATA; k++)
			data[k] = value(r, k);
		MPI_Recv(NULL, 0, MPI_INT, 0, TAG_GO, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		MPI_Send(data, NDATA, MPI_INT, 0, tag, MPI_COMM_WORLD);
	}
}

static void check_irecv(int rank)
{
	MPI_Datatype t, other;
	MPI_Request rq;
	int buf[SPAN], err;

	if (rank == 1)
		sender(TAG_IN, 1);
	if (rank != 0)
		return;
	fill(buf, SPAN, -1);
	t = vector();
	MPI_Irecv(buf, 1, t, 1, TAG_IN, MPI_COMM_WORLD, &rq);
	other = free_and_build(&t);
	MPI_Send(NULL, 0, MPI_INT, 1, TAG_GO, MPI_COMM_WORLD);
	err = MPI_Wait(&rq, MPI_STATUS_IGNORE);
	CHECK(err == MPI_SUCCESS, "MPI_Irecv of a freed type: error %d\n", err);
	check_vector("MPI_Irecv of a freed type", buf, 0);
	MPI_Type_free(&other);
}

static void check_persistent(int rank)
{
	MPI_Datatype t, other;
	MPI_Request rq;
	int buf[SPAN], err;

	if (rank == 1)
		sender(TAG_PER, ROUNDS);
	if (rank != 0)
		return;
	t = vector();
	MPI_Recv_init(buf, 1, t, 1, TAG_PER, MPI_COMM_WORLD, &rq);
	other = free_and_build(&t);
	for (int r = 0; r < ROUNDS; r++) {
		fill(buf, SPAN, -1);
		MPI_Start(&rq);
		MPI_Send(NULL, 0, MPI_INT, 1, TAG_GO, MPI_COMM_WORLD);
		err = MPI_Wait(&rq, MPI_STATUS_IGNORE);
		CHECK(err == MPI_SUCCESS,
		      "MPI_Recv_init of a freed type, round %d: error %d\n", r,
		      err);
		check_vector("MPI_Recv_init of a freed type", buf, r);
	}
	MPI_Request_free(&rq);
	MPI_Type_free(&other);
}

static void check_ibcast(int rank)
{
	MPI_Datatype t = vector(), other;
	MPI_Request rq;
	int buf[SPAN], err;

	fill(buf, SPAN, -1);
	for (int i = 0, k = 0; rank == 0 && i < SPAN; i++)
		if (i % STRIDE < BLEN)
			buf[i] = value(0, k++);
	MPI_Ibcast(buf, 1, t, 0, MPI_COMM_WORLD, &rq);
	other = free_and_build(&t);
	err = MPI_Wait(&rq, MPI_STATUS_IGNORE);
	CHECK(err == MPI_SUCCESS, "rank %d: MPI_Ibcast of a freed type: %d\n",
	      rank, err);
	check_vector("MPI_Ibcast of a freed type", buf, 0);
	MPI_Type_free(&other);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	check_irecv(rank);
	check_persistent(rank);
	check_ibcast(rank);
	return mtest_finish();
}
