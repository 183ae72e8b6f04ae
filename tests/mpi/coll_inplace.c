/* SPDX-License-Identifier: MIT */
/*
 * coll_inplace: MPI_IN_PLACE. MPI_Reduce with MPI_IN_PLACE as the root's
 * send buffer, MPI_Gather with MPI_IN_PLACE as the root's send buffer
 * (its own block stays where it is), MPI_Scatter with MPI_IN_PLACE as the
 * root's receive buffer (the root's send buffer is left unchanged), and
 * MPI_Allgather and MPI_Allreduce with MPI_IN_PLACE on every rank; every
 * root is used, results are checked against a locally computed reference.
 * Ranks: any N >= 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT 4

/* Rank r's contribution at index i. */
static int val(int r, int i)
{
	return (r * 13 + i * 5) % 17 - 8;
}

static int sum_ref(int size, int i)
{
	int r, acc = 0;

	for (r = 0; r < size; r++)
		acc += val(r, i);
	return acc;
}

static int max_ref(int size, int i)
{
	int r, acc = val(0, i);

	for (r = 1; r < size; r++)
		if (val(r, i) > acc)
			acc = val(r, i);
	return acc;
}

static void check_reduce(int rank, int size)
{
	int buf[CNT], sbuf[CNT];
	double dbuf[CNT], dsbuf[CNT];
	int root, i;

	for (root = 0; root < size; root++) {
		for (i = 0; i < CNT; i++) {
			buf[i] = val(rank, i);
			sbuf[i] = val(rank, i);
			dbuf[i] = val(rank, i) + 0.5;
			dsbuf[i] = val(rank, i) + 0.5;
		}
		if (rank == root) {
			MPI_Reduce(MPI_IN_PLACE, buf, CNT, MPI_INT, MPI_SUM,
				   root, MPI_COMM_WORLD);
			MPI_Reduce(MPI_IN_PLACE, dbuf, CNT, MPI_DOUBLE, MPI_MAX,
				   root, MPI_COMM_WORLD);
		} else {
			MPI_Reduce(sbuf, NULL, CNT, MPI_INT, MPI_SUM, root,
				   MPI_COMM_WORLD);
			MPI_Reduce(dsbuf, NULL, CNT, MPI_DOUBLE, MPI_MAX, root,
				   MPI_COMM_WORLD);
		}
		if (rank != root)
			continue;
		for (i = 0; i < CNT; i++) {
			CHECK(buf[i] == sum_ref(size, i),
			      "rank %d: MPI_Reduce in place MPI_SUM at %d "
			      "[%d]: expected %d, got %d\n",
			      rank, root, i, sum_ref(size, i), buf[i]);
			CHECK(dbuf[i] == max_ref(size, i) + 0.5,
			      "rank %d: MPI_Reduce in place MPI_MAX at %d "
			      "[%d]: expected %g, got %g\n",
			      rank, root, i, max_ref(size, i) + 0.5, dbuf[i]);
		}
	}
}

static void check_gather(int rank, int size)
{
	int sbuf[CNT], *rbuf;
	int root, r, i;

	rbuf = malloc(size * CNT * sizeof(int));
	for (i = 0; i < CNT; i++)
		sbuf[i] = val(rank, i);
	for (root = 0; root < size; root++) {
		if (rank != root) {
			MPI_Gather(sbuf, CNT, MPI_INT, NULL, 0, MPI_INT, root,
				   MPI_COMM_WORLD);
			continue;
		}
		for (i = 0; i < size * CNT; i++)
			rbuf[i] = -100;
		for (i = 0; i < CNT; i++)
			rbuf[rank * CNT + i] = val(rank, i);
		MPI_Gather(MPI_IN_PLACE, 0, MPI_INT, rbuf, CNT, MPI_INT, root,
			   MPI_COMM_WORLD);
		for (r = 0; r < size; r++)
			for (i = 0; i < CNT; i++)
				CHECK(rbuf[r * CNT + i] == val(r, i),
				      "rank %d: MPI_Gather in place at %d from "
				      "%d [%d]: expected %d, got %d\n",
				      rank, root, r, i, val(r, i),
				      rbuf[r * CNT + i]);
	}
	free(rbuf);
}

static int sval(int root, int dst, int i)
{
	return root * 1000 + dst * 10 + i;
}

static void check_scatter(int rank, int size)
{
	int *sbuf, rbuf[CNT];
	int root, d, i;

	sbuf = malloc(size * CNT * sizeof(int));
	for (root = 0; root < size; root++) {
		if (rank != root) {
			for (i = 0; i < CNT; i++)
				rbuf[i] = -100;
			MPI_Scatter(NULL, 0, MPI_INT, rbuf, CNT, MPI_INT, root,
				    MPI_COMM_WORLD);
			for (i = 0; i < CNT; i++)
				CHECK(rbuf[i] == sval(root, rank, i),
				      "rank %d: MPI_Scatter from in-place root "
				      "%d [%d]: expected %d, got %d\n",
				      rank, root, i, sval(root, rank, i),
				      rbuf[i]);
			continue;
		}
		for (d = 0; d < size; d++)
			for (i = 0; i < CNT; i++)
				sbuf[d * CNT + i] = sval(root, d, i);
		MPI_Scatter(sbuf, CNT, MPI_INT, MPI_IN_PLACE, 0, MPI_INT, root,
			    MPI_COMM_WORLD);
		for (d = 0; d < size; d++)
			for (i = 0; i < CNT; i++)
				CHECK(sbuf[d * CNT + i] == sval(root, d, i),
				      "rank %d: MPI_Scatter in place changed "
				      "the root's sendbuf [%d]: expected %d, "
				      "got %d\n",
				      rank, d * CNT + i, sval(root, d, i),
				      sbuf[d * CNT + i]);
	}
	free(sbuf);
}

static void check_allgather(int rank, int size)
{
	int *buf;
	int r, i;

	buf = malloc(size * CNT * sizeof(int));
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			buf[r * CNT + i] = r == rank ? val(rank, i) : -100;
	MPI_Allgather(MPI_IN_PLACE, 0, MPI_INT, buf, CNT, MPI_INT,
		      MPI_COMM_WORLD);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(buf[r * CNT + i] == val(r, i),
			      "rank %d: MPI_Allgather in place from %d [%d]: "
			      "expected %d, got %d\n",
			      rank, r, i, val(r, i), buf[r * CNT + i]);
	free(buf);
}

static void check_allreduce(int rank, int size)
{
	int sum[CNT], max[CNT];
	double dsum[CNT];
	int i;

	for (i = 0; i < CNT; i++) {
		sum[i] = val(rank, i);
		max[i] = val(rank, i);
		dsum[i] = val(rank, i) + 0.5;
	}
	MPI_Allreduce(MPI_IN_PLACE, sum, CNT, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Allreduce(MPI_IN_PLACE, max, CNT, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	MPI_Allreduce(MPI_IN_PLACE, dsum, CNT, MPI_DOUBLE, MPI_SUM,
		      MPI_COMM_WORLD);
	for (i = 0; i < CNT; i++) {
		CHECK(sum[i] == sum_ref(size, i),
		      "rank %d: MPI_Allreduce in place MPI_SUM [%d]: expected "
		      "%d, got %d\n",
		      rank, i, sum_ref(size, i), sum[i]);
		CHECK(max[i] == max_ref(size, i),
		      "rank %d: MPI_Allreduce in place MPI_MAX [%d]: expected "
		      "%d, got %d\n",
		      rank, i, max_ref(size, i), max[i]);
		CHECK(dsum[i] == sum_ref(size, i) + 0.5 * size,
		      "rank %d: MPI_Allreduce in place double MPI_SUM [%d]: "
		      "expected %g, got %g\n",
		      rank, i, sum_ref(size, i) + 0.5 * size, dsum[i]);
	}
}

int main(int argc, char **argv)
{
	int rank, size;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	check_reduce(rank, size);
	check_gather(rank, size);
	check_scatter(rank, size);
	check_allgather(rank, size);
	check_allreduce(rank, size);
	return mtest_finish();
}
