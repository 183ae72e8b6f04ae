/* SPDX-License-Identifier: MIT */
/*
 * The nonblocking collectives: each I-form gives what its sequential
 * reference says (the same data as coll_basic's), completed by MPI_Wait;
 * several in flight at once complete in any order through Waitall,
 * Waitany and a Test loop, and in different orders on different ranks;
 * one overlaps point to point traffic; a rank blocked in MPI_Recv still
 * forwards a pending Ibcast, and so does one in MPI_Barrier.
 * (test_mpi_timing.sh checks that an I-form waited for at once takes the
 * blocking form's virtual time.)
 */
#include <stdlib.h>
#include <string.h>

#include "mpi.h"
#include "mtest.h"

static int rank, size;

/* Element i of rank r's input: small, so sums of 384 ranks fit an int. */
static int val(int r, int i)
{
	return (r * 7 + i * 3) % 11 + 1;
}

static int sum_of(int i, int lo, int hi)
{
	int s = 0;

	for (int r = lo; r < hi; r++)
		s += val(r, i);
	return s;
}

#define N 5

static void wait1(MPI_Request *rq, const char *what)
{
	MPI_Status st;
	int err = MPI_Wait(rq, &st);

	CHECK(err == MPI_SUCCESS && *rq == MPI_REQUEST_NULL,
	      "%s: wait gave %d\n", what, err);
}

static void reductions(void)
{
	int in[N], out[N], scan[N], exs[N], rs[N], red[N];
	int *counts = malloc(size * sizeof(int));
	MPI_Request rq[5];

	for (int i = 0; i < N; i++)
		in[i] = val(rank, i);
	for (int r = 0; r < size; r++)
		counts[r] = N;
	MPI_Iallreduce(in, out, N, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[0]);
	MPI_Ireduce(in, red, N, MPI_INT, MPI_SUM, size - 1, MPI_COMM_WORLD,
		    &rq[1]);
	MPI_Iscan(in, scan, N, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[2]);
	MPI_Iexscan(in, exs, N, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[3]);
	{
		int *big = malloc(N * size * sizeof(int));

		for (int i = 0; i < N * size; i++)
			big[i] = val(rank, i);
		MPI_Ireduce_scatter(big, rs, counts, MPI_INT, MPI_SUM,
				    MPI_COMM_WORLD, &rq[4]);
		/* completed in reverse order of posting */
		for (int k = 4; k >= 0; k--)
			wait1(&rq[k], "reduction");
		free(big);
	}
	for (int i = 0; i < N; i++) {
		CHECK(out[i] == sum_of(i, 0, size), "Iallreduce [%d] %d\n", i,
		      out[i]);
		CHECK(rank != size - 1 || red[i] == sum_of(i, 0, size),
		      "Ireduce [%d] %d\n", i, red[i]);
		CHECK(scan[i] == sum_of(i, 0, rank + 1), "Iscan [%d] %d\n", i,
		      scan[i]);
		CHECK(rank == 0 || exs[i] == sum_of(i, 0, rank),
		      "Iexscan [%d] %d\n", i, exs[i]);
		CHECK(rs[i] == sum_of(rank * N + i, 0, size),
		      "Ireduce_scatter [%d] %d\n", i, rs[i]);
	}
	free(counts);
}

static void movers(void)
{
	int root = size / 2, mine[N], b[N];
	int *all = malloc(N * size * sizeof(int));
	int *g = malloc(N * size * sizeof(int));
	int *a2a = malloc(N * size * sizeof(int));
	int *src = malloc(N * size * sizeof(int));
	int *sc = malloc(N * sizeof(int)), idx, flag = 0, polls = 0;
	MPI_Request rq[6];

	for (int i = 0; i < N; i++)
		mine[i] = b[i] = val(rank, i);
	for (int i = 0; i < N * size; i++)
		src[i] = val(rank, i);
	MPI_Ibcast(b, N, MPI_INT, root, MPI_COMM_WORLD, &rq[0]);
	MPI_Iallgather(mine, N, MPI_INT, all, N, MPI_INT, MPI_COMM_WORLD,
		       &rq[1]);
	MPI_Igather(mine, N, MPI_INT, g, N, MPI_INT, root, MPI_COMM_WORLD,
		    &rq[2]);
	MPI_Iscatter(src, N, MPI_INT, sc, N, MPI_INT, root, MPI_COMM_WORLD,
		     &rq[3]);
	MPI_Ialltoall(src, N, MPI_INT, a2a, N, MPI_INT, MPI_COMM_WORLD, &rq[4]);
	MPI_Ibarrier(MPI_COMM_WORLD, &rq[5]);
	/* the barrier by a Test loop, two by Waitany, the rest by Waitall */
	while (!flag) {
		MPI_Test(&rq[5], &flag, MPI_STATUS_IGNORE);
		polls++;
	}
	CHECK(rq[5] == MPI_REQUEST_NULL, "Ibarrier: request not freed\n");
	for (int k = 0; k < 2; k++) {
		MPI_Waitany(5, rq, &idx, MPI_STATUS_IGNORE);
		CHECK(idx >= 0 && idx < 5 && rq[idx] == MPI_REQUEST_NULL,
		      "Waitany: index %d\n", idx);
	}
	MPI_Waitall(5, rq, MPI_STATUSES_IGNORE);
	for (int i = 0; i < N; i++) {
		CHECK(b[i] == val(root, i), "Ibcast [%d] %d\n", i, b[i]);
		CHECK(sc[i] == val(root, rank * N + i), "Iscatter [%d] %d\n", i,
		      sc[i]);
	}
	for (int r = 0; r < size; r++)
		for (int i = 0; i < N; i++) {
			CHECK(all[r * N + i] == val(r, i),
			      "Iallgather [%d][%d] %d\n", r, i, all[r * N + i]);
			CHECK(rank != root || g[r * N + i] == val(r, i),
			      "Igather [%d][%d] %d\n", r, i, g[r * N + i]);
			CHECK(a2a[r * N + i] == val(r, rank * N + i),
			      "Ialltoall [%d][%d] %d\n", r, i, a2a[r * N + i]);
		}
	free(all);
	free(g);
	free(a2a);
	free(src);
	free(sc);
}

/* Point to point around a ring while an Iallreduce is in flight. */
static void overlap(void)
{
	int in = rank + 1, out = 0, from = -1, to = rank;
	MPI_Request rq;

	MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq);
	MPI_Sendrecv(&to, 1, MPI_INT, (rank + 1) % size, 0, &from, 1, MPI_INT,
		     (rank - 1 + size) % size, 0, MPI_COMM_WORLD,
		     MPI_STATUS_IGNORE);
	wait1(&rq, "overlapped Iallreduce");
	CHECK(from == (rank - 1 + size) % size, "ring: got %d\n", from);
	CHECK(out == size * (size + 1) / 2, "overlapped Iallreduce: %d\n", out);
}

/*
 * Every rank first receives from its children in the Ibcast's binomial
 * tree (root 0), which send only once their Ibcast is done: that needs
 * this rank to forward the data while it blocks in MPI_Recv.
 */
static void progress(void)
{
	int v = rank == 0 ? 77 : 0, low = rank ? rank & -rank : size, got;
	MPI_Request rq;

	MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &rq);
	for (int m = 1; m < low && rank + m < size; m <<= 1) {
		got = -1;
		MPI_Recv(&got, 1, MPI_INT, rank + m, 9, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		CHECK(got == 77, "child %d had %d\n", rank + m, got);
	}
	wait1(&rq, "Ibcast waited for after receives");
	if (rank)
		MPI_Send(&v, 1, MPI_INT, rank - low, 9, MPI_COMM_WORLD);
}

/*
 * The even ranks (the inner nodes of the Ibcast's tree) enter a barrier
 * before they wait for it; the odd ones (leaves) wait for it first.
 */
static void barrier_first(void)
{
	int v = rank == 0 ? 5 : 0;
	MPI_Request rq;

	MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &rq);
	if (rank % 2 == 0)
		MPI_Barrier(MPI_COMM_WORLD);
	wait1(&rq, "Ibcast and a barrier");
	if (rank % 2)
		MPI_Barrier(MPI_COMM_WORLD);
	CHECK(v == 5, "Ibcast and a barrier: %d\n", v);
}

/* Two in flight, waited for in opposite orders by odd and even ranks. */
static void orders(void)
{
	int a = rank, b = 2 * rank, sa = 0, sb = 0;
	MPI_Request rq[2];

	MPI_Iallreduce(&a, &sa, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[0]);
	MPI_Iallreduce(&b, &sb, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[1]);
	wait1(&rq[rank % 2], "first of two");
	wait1(&rq[1 - rank % 2], "second of two");
	CHECK(sa == size * (size - 1) / 2 && sb == size * (size - 1),
	      "two in flight: %d %d\n", sa, sb);
}

/* Vector types: the data is unpacked as the type says. */
static void derived(void)
{
	int buf[2 * N], root = 0;
	MPI_Datatype every2;
	MPI_Request rq;

	MPI_Type_vector(N, 1, 2, MPI_INT, &every2);
	MPI_Type_commit(&every2);
	for (int i = 0; i < 2 * N; i++)
		buf[i] = rank == root ? i : -1;
	MPI_Ibcast(buf, 1, every2, root, MPI_COMM_WORLD, &rq);
	wait1(&rq, "Ibcast of a vector");
	for (int i = 0; i < 2 * N; i++)
		CHECK(buf[i] == (i % 2 == 0 || rank == root ? i : -1),
		      "Ibcast vector [%d] %d\n", i, buf[i]);
	MPI_Type_free(&every2);
}

int main(int argc, char **argv)
{
	mtest_init(&argc, &argv, 1, &rank, &size);
	reductions();
	movers();
	overlap();
	progress();
	barrier_first();
	orders();
	derived();
	return mtest_finish();
}
