/* SPDX-License-Identifier: MIT */
/*
 * win_fence: active target communication with MPI_Win_fence. MPI_Put,
 * MPI_Get and MPI_Accumulate (MPI_SUM) between fences in a ring (each rank
 * to its right neighbour, itself at N = 1) and all to all (every rank to
 * every rank, itself included); derived datatypes: a vector at the origin,
 * an indexed type at the target, a contiguous type of a struct, with every
 * value checked and the gaps the types skip left untouched; a disp_unit of
 * sizeof(int) times 1, 2 or 3 depending on the rank (the target's unit
 * scales target_disp); windows of size 0 (base NULL) on odd ranks, the
 * even ranks' windows next to them still reached, and count-0 Puts and
 * Gets to the empty windows no-ops; MPI_PROC_NULL as target of MPI_Put,
 * MPI_Get and MPI_Accumulate is a no-op that returns MPI_SUCCESS. Fence asserts
 * MPI_MODE_NOPRECEDE, MPI_MODE_NOSUCCEED, MPI_MODE_NOSTORE and
 * MPI_MODE_NOPUT are given where they hold. Window memory is 16-byte
 * aligned: MPICH 4.0.2 over UCX rounds an unaligned window base down
 * (fixed by MPICH PR 6140), and these programs are checked with it.
 * Ranks: any N >= 1.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	 8
#define UNTOUCH	 -1
#define VSTRIDE	 3
#define NSTRUCT	 3
#define IDX_SPAN 12

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

/* Ring: Put to the right, Get from the right, Accumulate to the right. */
static void check_ring(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int *buf, obuf[CNT], gbuf[CNT];
	MPI_Win win;
	int i, want;

	buf = malloc(2 * CNT * sizeof(int));
	for (i = 0; i < 2 * CNT; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, 2 * CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);

	for (i = 0; i < CNT; i++)
		obuf[i] = val(rank, right, i);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Put(obuf, CNT, MPI_INT, right, CNT, CNT, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < 2 * CNT; i++) {
		want = i < CNT ? UNTOUCH : val(left, rank, i - CNT);
		CHECK(buf[i] == want,
		      "rank %d: ring MPI_Put from %d [%d]: expected %d, got "
		      "%d\n",
		      rank, left, i, want, buf[i]);
	}

	/* Get back what this rank put to its right neighbour. */
	for (i = 0; i < CNT; i++)
		gbuf[i] = UNTOUCH;
	MPI_Get(gbuf, CNT, MPI_INT, right, CNT, CNT, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE, win);
	for (i = 0; i < CNT; i++)
		CHECK(gbuf[i] == val(rank, right, i),
		      "rank %d: ring MPI_Get from %d [%d]: expected %d, got "
		      "%d\n",
		      rank, right, i, val(rank, right, i), gbuf[i]);

	/* Accumulate twice in one epoch onto what is there. */
	for (i = 0; i < CNT; i++)
		obuf[i] = i + 1;
	MPI_Accumulate(obuf, CNT, MPI_INT, right, CNT, CNT, MPI_INT, MPI_SUM,
		       win);
	MPI_Accumulate(obuf, CNT, MPI_INT, right, CNT, CNT, MPI_INT, MPI_SUM,
		       win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < CNT; i++) {
		want = val(left, rank, i) + 2 * (i + 1);
		CHECK(buf[CNT + i] == want,
		      "rank %d: ring MPI_Accumulate from %d [%d]: expected %d, "
		      "got %d\n",
		      rank, left, i, want, buf[CNT + i]);
		CHECK(buf[i] == UNTOUCH,
		      "rank %d: ring MPI_Accumulate touched [%d]: expected %d, "
		      "got %d\n",
		      rank, i, UNTOUCH, buf[i]);
	}
	MPI_Win_free(&win);
	free(buf);
}

/*
 * All to all: every rank puts a block into slot src of every window,
 * gets every rank's slot dst back, then all accumulate into slot 0.
 */
static void check_alltoall(int rank, int size)
{
	int *buf, *obuf, *gbuf;
	MPI_Win win;
	int r, i, want;

	buf = malloc(size * CNT * sizeof(int));
	obuf = malloc(size * CNT * sizeof(int));
	gbuf = malloc(size * CNT * sizeof(int));
	for (i = 0; i < size * CNT; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, size * CNT * sizeof(int), sizeof(int),
		       MPI_INFO_NULL, MPI_COMM_WORLD, &win);

	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	for (r = 0; r < size; r++) {
		for (i = 0; i < CNT; i++)
			obuf[r * CNT + i] = val(rank, r, i);
		MPI_Put(obuf + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT,
			MPI_INT, win);
	}
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(buf[r * CNT + i] == val(r, rank, i),
			      "rank %d: all-to-all MPI_Put from %d [%d]: "
			      "expected %d, got %d\n",
			      rank, r, i, val(r, rank, i), buf[r * CNT + i]);

	/* Slot rank of target r holds what rank put there. */
	for (i = 0; i < size * CNT; i++)
		gbuf[i] = UNTOUCH;
	for (r = 0; r < size; r++)
		MPI_Get(gbuf + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT,
			MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(gbuf[r * CNT + i] == val(rank, r, i),
			      "rank %d: all-to-all MPI_Get from %d [%d]: "
			      "expected %d, got %d\n",
			      rank, r, i, val(rank, r, i), gbuf[r * CNT + i]);

	/* Local stores, then everyone adds rank + i into slot 0. */
	for (i = 0; i < CNT; i++)
		buf[i] = 1000 * i;
	MPI_Win_fence(0, win);
	for (r = 0; r < size; r++) {
		for (i = 0; i < CNT; i++)
			obuf[r * CNT + i] = rank + i;
		MPI_Accumulate(obuf + r * CNT, CNT, MPI_INT, r, 0, CNT, MPI_INT,
			       MPI_SUM, win);
	}
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < CNT; i++) {
		want = 1000 * i + size * (size - 1) / 2 + size * i;
		CHECK(buf[i] == want,
		      "rank %d: all-to-all MPI_Accumulate [%d]: expected %d, "
		      "got %d\n",
		      rank, i, want, buf[i]);
	}
	for (r = 1; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(buf[r * CNT + i] == val(r, rank, i),
			      "rank %d: all-to-all MPI_Accumulate touched slot "
			      "%d [%d]: expected %d, got %d\n",
			      rank, r, i, val(r, rank, i), buf[r * CNT + i]);
	MPI_Win_free(&win);
	free(buf);
	free(obuf);
	free(gbuf);
}

/*
 * A vector of CNT ints with stride VSTRIDE at the origin put as CNT
 * contiguous ints; CNT contiguous ints put into an indexed target type
 * (blocks of 1, 2, 2, 3 at 0, 2, 6, 9); the same indexed type read back
 * with MPI_Get and summed into with MPI_Accumulate.
 */
static const int idx_len[4] = {1, 2, 2, 3};
static const int idx_disp[4] = {0, 2, 6, 9};

/* Index in the window of the k-th element of the indexed type, or -1. */
static int idx_pos(int k)
{
	int b, j, n = 0;

	for (b = 0; b < 4; b++)
		for (j = 0; j < idx_len[b]; j++, n++)
			if (n == k)
				return idx_disp[b] + j;
	return -1;
}

static void check_vector_indexed(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	_Alignas(16) int buf[CNT + IDX_SPAN];
	int vorig[CNT * VSTRIDE], obuf[CNT], gbuf[CNT];
	MPI_Datatype vec, idx;
	MPI_Win win;
	int i, k, want;

	MPI_Type_vector(CNT, 1, VSTRIDE, MPI_INT, &vec);
	MPI_Type_commit(&vec);
	MPI_Type_indexed(4, idx_len, idx_disp, MPI_INT, &idx);
	MPI_Type_commit(&idx);

	for (i = 0; i < CNT + IDX_SPAN; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	for (i = 0; i < CNT * VSTRIDE; i++)
		vorig[i] = i % VSTRIDE ? -7 : val(rank, right, i / VSTRIDE);
	for (i = 0; i < CNT; i++)
		obuf[i] = val(rank, right, 50 + i);

	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	/* The vector to [0, CNT), the indexed to [CNT, CNT + IDX_SPAN). */
	MPI_Put(vorig, 1, vec, right, 0, CNT, MPI_INT, win);
	MPI_Put(obuf, CNT, MPI_INT, right, CNT, 1, idx, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == val(left, rank, i),
		      "rank %d: MPI_Put of an origin vector [%d]: expected %d, "
		      "got %d\n",
		      rank, i, val(left, rank, i), buf[i]);
	for (i = 0; i < IDX_SPAN; i++) {
		want = UNTOUCH;
		for (k = 0; k < CNT; k++)
			if (idx_pos(k) == i)
				want = val(left, rank, 50 + k);
		CHECK(buf[CNT + i] == want,
		      "rank %d: MPI_Put to a target indexed type [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want, buf[CNT + i]);
	}

	/* Read the indexed elements of the right neighbour back. */
	for (i = 0; i < CNT; i++)
		gbuf[i] = UNTOUCH;
	MPI_Get(gbuf, CNT, MPI_INT, right, CNT, 1, idx, win);
	MPI_Win_fence(MPI_MODE_NOSTORE, win);
	for (i = 0; i < CNT; i++)
		CHECK(gbuf[i] == val(rank, right, 50 + i),
		      "rank %d: MPI_Get from a target indexed type [%d]: "
		      "expected %d, got %d\n",
		      rank, i, val(rank, right, 50 + i), gbuf[i]);

	/* Add k + 1 to the k-th indexed element, the gaps stay. */
	for (i = 0; i < CNT; i++)
		obuf[i] = i + 1;
	MPI_Accumulate(obuf, CNT, MPI_INT, right, CNT, 1, idx, MPI_SUM, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < IDX_SPAN; i++) {
		want = UNTOUCH;
		for (k = 0; k < CNT; k++)
			if (idx_pos(k) == i)
				want = val(left, rank, 50 + k) + k + 1;
		CHECK(buf[CNT + i] == want,
		      "rank %d: MPI_Accumulate to a target indexed type [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want, buf[CNT + i]);
	}
	MPI_Win_free(&win);
	MPI_Type_free(&vec);
	MPI_Type_free(&idx);
}

struct pair {
	int a;
	double b;
};

/* A contiguous type of NSTRUCT structs put at struct index 1. */
static void check_struct(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	_Alignas(16) struct pair buf[NSTRUCT + 2];
	struct pair obuf[NSTRUCT], gbuf[NSTRUCT];
	int blen[2] = {1, 1};
	MPI_Aint disp[2] = {offsetof(struct pair, a), offsetof(struct pair, b)};
	MPI_Datatype types[2] = {MPI_INT, MPI_DOUBLE};
	MPI_Datatype st, rs, contig;
	MPI_Win win;
	int i, wa;
	double wb;

	MPI_Type_create_struct(2, blen, disp, types, &st);
	MPI_Type_create_resized(st, 0, sizeof(struct pair), &rs);
	MPI_Type_contiguous(NSTRUCT, rs, &contig);
	MPI_Type_commit(&rs);
	MPI_Type_commit(&contig);

	for (i = 0; i < NSTRUCT + 2; i++) {
		buf[i].a = UNTOUCH;
		buf[i].b = UNTOUCH;
	}
	for (i = 0; i < NSTRUCT; i++) {
		obuf[i].a = val(rank, right, i);
		obuf[i].b = val(rank, right, i) + 0.25;
		gbuf[i].a = UNTOUCH;
		gbuf[i].b = UNTOUCH;
	}
	MPI_Win_create(buf, sizeof(buf), sizeof(struct pair), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Put(obuf, 1, contig, right, 1, NSTRUCT, rs, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < NSTRUCT + 2; i++) {
		wa = i == 0 || i > NSTRUCT ? UNTOUCH : val(left, rank, i - 1);
		wb = i == 0 || i > NSTRUCT ? UNTOUCH : wa + 0.25;
		CHECK(buf[i].a == wa && buf[i].b == wb,
		      "rank %d: MPI_Put of a contiguous struct type [%d]: "
		      "expected {%d, %g}, got {%d, %g}\n",
		      rank, i, wa, wb, buf[i].a, buf[i].b);
	}
	MPI_Get(gbuf, NSTRUCT, rs, right, 1, 1, contig, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < NSTRUCT; i++)
		CHECK(gbuf[i].a == obuf[i].a && gbuf[i].b == obuf[i].b,
		      "rank %d: MPI_Get of a contiguous struct type [%d]: "
		      "expected {%d, %g}, got {%d, %g}\n",
		      rank, i, obuf[i].a, obuf[i].b, gbuf[i].a, gbuf[i].b);
	MPI_Win_free(&win);
	MPI_Type_free(&st);
	MPI_Type_free(&rs);
	MPI_Type_free(&contig);
}

/*
 * Rank r's window has disp_unit (1 + r % 3) * sizeof(int): target_disp 2
 * lands at int 2 * (1 + r % 3) of the target, whatever the origin's unit.
 */
static void check_disp_unit(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int unit = 1 + rank % 3, runit = 1 + right % 3;
	_Alignas(16) int buf[16];
	int v[2], g[2] = {UNTOUCH, UNTOUCH};
	MPI_Win win;
	int i, want, at = 2 * unit;

	for (i = 0; i < 16; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, sizeof(buf), unit * sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	v[0] = val(rank, right, 0);
	v[1] = val(rank, right, 1);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Put(v, 2, MPI_INT, right, 2, 2, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < 16; i++) {
		want = i == at	     ? val(left, rank, 0)
		       : i == at + 1 ? val(left, rank, 1)
				     : UNTOUCH;
		CHECK(buf[i] == want,
		      "rank %d: MPI_Put with target disp_unit %d ints at disp "
		      "2 [%d]: expected %d, got %d\n",
		      rank, unit, i, want, buf[i]);
	}
	/* Disp 2 of the right neighbour is its int 2 * runit. */
	MPI_Get(g, 2, MPI_INT, right, 2, 2, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE, win);
	CHECK(g[0] == v[0] && g[1] == v[1],
	      "rank %d: MPI_Get with target disp_unit %d ints: expected {%d, "
	      "%d}, got {%d, %d}\n",
	      rank, runit, v[0], v[1], g[0], g[1]);
	/* Disp 1 of the right neighbour is its int runit. */
	MPI_Accumulate(v, 1, MPI_INT, right, 1, 1, MPI_INT, MPI_SUM, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	want = UNTOUCH + val(left, rank, 0);
	CHECK(buf[unit] == want,
	      "rank %d: MPI_Accumulate with target disp_unit %d ints at disp "
	      "1: expected %d, got %d\n",
	      rank, unit, want, buf[unit]);
	MPI_Win_free(&win);
}

/*
 * Odd ranks expose no memory (size 0, base NULL); every rank puts its
 * rank into the window of the even rank at or below it, and count-0 Puts
 * and Gets to the zero-size windows are no-ops.
 */
static void check_zero_size(int rank, int size)
{
	_Alignas(16) int buf[2] = {UNTOUCH, UNTOUCH};
	int even = rank & ~1, other = rank ^ 1;
	int v = rank + 100, g = UNTOUCH;
	MPI_Win win;
	int i, want;

	MPI_Win_create(rank % 2 ? NULL : buf, rank % 2 ? 0 : sizeof(buf),
		       sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Put(&v, 1, MPI_INT, even, rank % 2, 1, MPI_INT, win);
	if (other < size && other % 2) {
		MPI_Put(&v, 0, MPI_INT, other, 0, 0, MPI_INT, win);
		MPI_Get(&g, 0, MPI_INT, other, 0, 0, MPI_INT, win);
	}
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	CHECK(g == UNTOUCH,
	      "rank %d: MPI_Get of 0 ints from a zero-size window: expected "
	      "%d, got %d\n",
	      rank, UNTOUCH, g);
	for (i = 0; i < 2 && rank % 2 == 0; i++) {
		want = rank + i < size ? rank + i + 100 : UNTOUCH;
		CHECK(buf[i] == want,
		      "rank %d: MPI_Put next to zero-size windows [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want, buf[i]);
	}
	MPI_Win_free(&win);
}

static void check_proc_null(int rank)
{
	_Alignas(16) int buf[CNT];
	int o[CNT], g[CNT];
	MPI_Win win;
	int i, rc;

	for (i = 0; i < CNT; i++) {
		buf[i] = UNTOUCH;
		o[i] = i;
		g[i] = UNTOUCH;
	}
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	rc = MPI_Put(o, CNT, MPI_INT, MPI_PROC_NULL, 0, CNT, MPI_INT, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Put to MPI_PROC_NULL: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	rc = MPI_Get(g, CNT, MPI_INT, MPI_PROC_NULL, 0, CNT, MPI_INT, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Get from MPI_PROC_NULL: expected %d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	rc = MPI_Accumulate(o, CNT, MPI_INT, MPI_PROC_NULL, 0, CNT, MPI_INT,
			    MPI_SUM, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Accumulate to MPI_PROC_NULL: expected %d, got "
	      "%d\n",
	      rank, MPI_SUCCESS, rc);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < CNT; i++) {
		CHECK(buf[i] == UNTOUCH,
		      "rank %d: MPI_PROC_NULL target changed the window [%d]: "
		      "expected %d, got %d\n",
		      rank, i, UNTOUCH, buf[i]);
		CHECK(g[i] == UNTOUCH,
		      "rank %d: MPI_Get from MPI_PROC_NULL changed the origin "
		      "[%d]: expected %d, got %d\n",
		      rank, i, UNTOUCH, g[i]);
	}
	MPI_Win_free(&win);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_ring(rank, size);
	check_alltoall(rank, size);
	check_vector_indexed(rank, size);
	check_struct(rank, size);
	check_disp_unit(rank, size);
	check_zero_size(rank, size);
	check_proc_null(rank);
	return mtest_finish();
}
