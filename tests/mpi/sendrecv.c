/* SPDX-License-Identifier: MIT */
/*
 * sendrecv: MPI_Sendrecv around the ring in both directions (also with a
 * larger receive buffer, MPI_ANY_SOURCE / MPI_ANY_TAG, a message over
 * 64 KiB, and along a chain ended by MPI_PROC_NULL), MPI_Sendrecv_replace
 * likewise, and MPI_Ssend paired with MPI_Recv between rank 0 and every
 * other rank (short, empty and 64 KiB messages).
 * Ranks: any N >= 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	  16
#define BIG_CNT	  20000
#define TAG_RIGHT 1
#define TAG_LEFT  2
#define TAG_ANY	  3
#define TAG_BIG	  4
#define TAG_CHAIN 5
#define TAG_SSEND 6

static int value(int src, int tag, int i)
{
	return src * 1000000 + tag * 100000 + i;
}

static void fill(int *buf, int n, int src, int tag)
{
	int i;

	for (i = 0; i < n; i++)
		buf[i] = value(src, tag, i);
}

/* Check n values from src with tag, then that buf[n .. len) is still -1. */
static void check_buf(int rank, const char *what, const int *buf, int n,
		      int len, int src, int tag)
{
	int i;

	for (i = 0; i < n; i++) {
		if (buf[i] != value(src, tag, i)) {
			CHECK(0, "rank %d: %s [%d]: expected %d, got %d\n",
			      rank, what, i, value(src, tag, i), buf[i]);
			return;
		}
	}
	for (i = n; i < len; i++) {
		if (buf[i] != -1) {
			CHECK(0, "rank %d: %s [%d]: expected -1, got %d\n",
			      rank, what, i, buf[i]);
			return;
		}
	}
}

static void check_status(int rank, const char *what, const MPI_Status *st,
			 int src, int tag, int cnt)
{
	int got = -1;

	CHECK(st->MPI_SOURCE == src,
	      "rank %d: %s: expected source %d, got %d\n", rank, what, src,
	      st->MPI_SOURCE);
	CHECK(st->MPI_TAG == tag, "rank %d: %s: expected tag %d, got %d\n",
	      rank, what, tag, st->MPI_TAG);
	MPI_Get_count(st, MPI_INT, &got);
	CHECK(got == cnt, "rank %d: %s: expected count %d, got %d\n", rank,
	      what, cnt, got);
}

static void check_ring(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int sbuf[CNT], rbuf[2 * CNT];
	MPI_Status st;
	int *big_s, *big_r;

	fill(sbuf, CNT, rank, TAG_RIGHT);
	memset(rbuf, 0xff, sizeof(rbuf));
	MPI_Sendrecv(sbuf, CNT, MPI_INT, right, TAG_RIGHT, rbuf, 2 * CNT,
		     MPI_INT, left, TAG_RIGHT, MPI_COMM_WORLD, &st);
	check_status(rank, "MPI_Sendrecv to the right", &st, left, TAG_RIGHT,
		     CNT);
	check_buf(rank, "MPI_Sendrecv to the right", rbuf, CNT, 2 * CNT, left,
		  TAG_RIGHT);

	fill(sbuf, CNT, rank, TAG_LEFT);
	memset(rbuf, 0xff, sizeof(rbuf));
	MPI_Sendrecv(sbuf, CNT / 2, MPI_INT, left, TAG_LEFT, rbuf, CNT, MPI_INT,
		     right, TAG_LEFT, MPI_COMM_WORLD, &st);
	check_status(rank, "MPI_Sendrecv to the left", &st, right, TAG_LEFT,
		     CNT / 2);
	check_buf(rank, "MPI_Sendrecv to the left", rbuf, CNT / 2, 2 * CNT,
		  right, TAG_LEFT);

	fill(sbuf, CNT, rank, TAG_ANY);
	memset(rbuf, 0xff, sizeof(rbuf));
	MPI_Sendrecv(sbuf, CNT, MPI_INT, right, TAG_ANY, rbuf, CNT, MPI_INT,
		     MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
	check_status(rank, "MPI_Sendrecv from any source", &st, left, TAG_ANY,
		     CNT);
	check_buf(rank, "MPI_Sendrecv from any source", rbuf, CNT, 2 * CNT,
		  left, TAG_ANY);
	/* No later message may reach the wildcard receive above. */
	MPI_Barrier(MPI_COMM_WORLD);

	big_s = malloc(BIG_CNT * sizeof(int));
	big_r = malloc(BIG_CNT * sizeof(int));
	fill(big_s, BIG_CNT, rank, TAG_BIG);
	memset(big_r, 0xff, BIG_CNT * sizeof(int));
	MPI_Sendrecv(big_s, BIG_CNT, MPI_INT, left, TAG_BIG, big_r, BIG_CNT,
		     MPI_INT, right, TAG_BIG, MPI_COMM_WORLD, &st);
	check_status(rank, "large MPI_Sendrecv", &st, right, TAG_BIG, BIG_CNT);
	check_buf(rank, "large MPI_Sendrecv", big_r, BIG_CNT, BIG_CNT, right,
		  TAG_BIG);
	free(big_s);
	free(big_r);
}

/* A chain 0 -> 1 -> ... -> N-1 with MPI_PROC_NULL beyond both ends. */
static void check_chain(int rank, int size)
{
	int right = rank == size - 1 ? MPI_PROC_NULL : rank + 1;
	int left = rank == 0 ? MPI_PROC_NULL : rank - 1;
	int sbuf[CNT], rbuf[CNT];
	MPI_Status st;

	fill(sbuf, CNT, rank, TAG_CHAIN);
	memset(rbuf, 0xff, sizeof(rbuf));
	MPI_Sendrecv(sbuf, CNT, MPI_INT, right, TAG_CHAIN, rbuf, CNT, MPI_INT,
		     left, TAG_CHAIN, MPI_COMM_WORLD, &st);
	if (left == MPI_PROC_NULL) {
		check_status(rank, "MPI_Sendrecv from MPI_PROC_NULL", &st,
			     MPI_PROC_NULL, MPI_ANY_TAG, 0);
		check_buf(rank, "MPI_Sendrecv from MPI_PROC_NULL", rbuf, 0, CNT,
			  0, 0);
	} else {
		check_status(rank, "chain MPI_Sendrecv", &st, left, TAG_CHAIN,
			     CNT);
		check_buf(rank, "chain MPI_Sendrecv", rbuf, CNT, CNT, left,
			  TAG_CHAIN);
	}

	fill(rbuf, CNT, rank, TAG_CHAIN);
	MPI_Sendrecv_replace(rbuf, CNT, MPI_INT, left, TAG_CHAIN, right,
			     TAG_CHAIN, MPI_COMM_WORLD, &st);
	if (right == MPI_PROC_NULL) {
		check_status(rank, "MPI_Sendrecv_replace from MPI_PROC_NULL",
			     &st, MPI_PROC_NULL, MPI_ANY_TAG, 0);
		check_buf(rank, "MPI_Sendrecv_replace from MPI_PROC_NULL", rbuf,
			  CNT, CNT, rank, TAG_CHAIN);
	} else {
		check_status(rank, "chain MPI_Sendrecv_replace", &st, right,
			     TAG_CHAIN, CNT);
		check_buf(rank, "chain MPI_Sendrecv_replace", rbuf, CNT, CNT,
			  right, TAG_CHAIN);
	}
}

static void check_replace(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int buf[CNT];
	MPI_Status st;
	int *big;

	fill(buf, CNT, rank, TAG_RIGHT);
	MPI_Sendrecv_replace(buf, CNT, MPI_INT, right, TAG_RIGHT, left,
			     TAG_RIGHT, MPI_COMM_WORLD, &st);
	check_status(rank, "MPI_Sendrecv_replace to the right", &st, left,
		     TAG_RIGHT, CNT);
	check_buf(rank, "MPI_Sendrecv_replace to the right", buf, CNT, CNT,
		  left, TAG_RIGHT);

	fill(buf, CNT, rank, TAG_LEFT);
	MPI_Sendrecv_replace(buf, CNT, MPI_INT, left, TAG_LEFT, MPI_ANY_SOURCE,
			     MPI_ANY_TAG, MPI_COMM_WORLD, &st);
	check_status(rank, "MPI_Sendrecv_replace to the left", &st, right,
		     TAG_LEFT, CNT);
	check_buf(rank, "MPI_Sendrecv_replace to the left", buf, CNT, CNT,
		  right, TAG_LEFT);
	MPI_Barrier(MPI_COMM_WORLD);

	big = malloc(BIG_CNT * sizeof(int));
	fill(big, BIG_CNT, rank, TAG_BIG);
	MPI_Sendrecv_replace(big, BIG_CNT, MPI_INT, right, TAG_BIG, left,
			     TAG_BIG, MPI_COMM_WORLD, &st);
	check_status(rank, "large MPI_Sendrecv_replace", &st, left, TAG_BIG,
		     BIG_CNT);
	check_buf(rank, "large MPI_Sendrecv_replace", big, BIG_CNT, BIG_CNT,
		  left, TAG_BIG);
	free(big);
}

/*
 * Rank 0 MPI_Ssends a short, an empty and a large message to each rank in
 * turn, which receives them with MPI_Recv; then every rank MPI_Ssends a
 * short message back and rank 0 receives them in rank order.
 */
static void check_ssend(int rank, int size)
{
	int buf[CNT], *big;
	MPI_Status st;
	int r;

	big = malloc(BIG_CNT * sizeof(int));
	if (rank == 0) {
		fill(buf, CNT, 0, TAG_SSEND);
		fill(big, BIG_CNT, 0, TAG_BIG);
		for (r = 1; r < size; r++) {
			MPI_Ssend(buf, CNT, MPI_INT, r, TAG_SSEND,
				  MPI_COMM_WORLD);
			MPI_Ssend(buf, 0, MPI_INT, r, TAG_SSEND,
				  MPI_COMM_WORLD);
			MPI_Ssend(big, BIG_CNT, MPI_INT, r, TAG_BIG,
				  MPI_COMM_WORLD);
		}
		for (r = 1; r < size; r++) {
			memset(buf, 0xff, sizeof(buf));
			MPI_Recv(buf, CNT, MPI_INT, r, TAG_SSEND,
				 MPI_COMM_WORLD, &st);
			check_status(rank, "MPI_Recv of MPI_Ssend", &st, r,
				     TAG_SSEND, CNT);
			check_buf(rank, "MPI_Recv of MPI_Ssend", buf, CNT, CNT,
				  r, TAG_SSEND);
		}
	} else {
		memset(buf, 0xff, sizeof(buf));
		MPI_Recv(buf, CNT, MPI_INT, 0, TAG_SSEND, MPI_COMM_WORLD, &st);
		check_status(rank, "MPI_Recv of MPI_Ssend", &st, 0, TAG_SSEND,
			     CNT);
		check_buf(rank, "MPI_Recv of MPI_Ssend", buf, CNT, CNT, 0,
			  TAG_SSEND);
		memset(buf, 0xff, sizeof(buf));
		MPI_Recv(buf, CNT, MPI_INT, 0, TAG_SSEND, MPI_COMM_WORLD, &st);
		check_status(rank, "MPI_Recv of empty MPI_Ssend", &st, 0,
			     TAG_SSEND, 0);
		check_buf(rank, "MPI_Recv of empty MPI_Ssend", buf, 0, CNT, 0,
			  TAG_SSEND);
		memset(big, 0xff, BIG_CNT * sizeof(int));
		MPI_Recv(big, BIG_CNT, MPI_INT, 0, TAG_BIG, MPI_COMM_WORLD,
			 &st);
		check_status(rank, "MPI_Recv of large MPI_Ssend", &st, 0,
			     TAG_BIG, BIG_CNT);
		check_buf(rank, "MPI_Recv of large MPI_Ssend", big, BIG_CNT,
			  BIG_CNT, 0, TAG_BIG);
		fill(buf, CNT, rank, TAG_SSEND);
		MPI_Ssend(buf, CNT, MPI_INT, 0, TAG_SSEND, MPI_COMM_WORLD);
	}
	free(big);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_ring(rank, size);
	check_chain(rank, size);
	check_replace(rank, size);
	check_ssend(rank, size);
	return mtest_finish();
}
