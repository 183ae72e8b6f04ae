/* SPDX-License-Identifier: MIT */
/*
 * win_pscw: general active target synchronization. In a ring every rank
 * exposes its window to its left neighbour (MPI_Win_post) and accesses
 * its right one (MPI_Win_start), so each is origin and target in the same
 * epoch: MPI_Put, MPI_Get and MPI_Accumulate with MPI_Win_complete and
 * MPI_Win_wait, and again with MPI_Win_test polled until its flag is true
 * (each poll returning MPI_SUCCESS and a flag of 0 or 1), some of those
 * epochs posted and started with MPI_MODE_NOCHECK, a barrier between the
 * posts and the starts; MPI_Win_post and MPI_Win_start with MPI_GROUP_EMPTY are no-ops; a
 * star, rank 0 exposing to and accessing all the others in one epoch
 * (Gets from them while they Put into it), with MPI_MODE_NOSTORE and
 * MPI_MODE_NOPUT asserted where they hold.
 * Window memory is 16-byte aligned: MPICH 4.0.2 over UCX rounds an
 * unaligned window base down (fixed by MPICH PR 6140), and these programs
 * are checked with it.
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	8
#define UNTOUCH -1
#define ROUNDS	4

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

static MPI_Group group_of(int n, const int *ranks)
{
	MPI_Group world, g;

	MPI_Comm_group(MPI_COMM_WORLD, &world);
	MPI_Group_incl(world, n, ranks, &g);
	MPI_Group_free(&world);
	return g;
}

/* End the exposure epoch with MPI_Win_wait or by polling MPI_Win_test. */
static void end_exposure(int rank, MPI_Win win, int poll)
{
	int flag = 0, rc;

	if (!poll) {
		rc = MPI_Win_wait(win);
		CHECK(rc == MPI_SUCCESS,
		      "rank %d: MPI_Win_wait: expected %d, got %d\n", rank,
		      MPI_SUCCESS, rc);
		return;
	}
	do {
		flag = -1;
		rc = MPI_Win_test(win, &flag);
		CHECK(rc == MPI_SUCCESS && (flag == 0 || flag == 1),
		      "rank %d: MPI_Win_test: expected %d and a flag 0 or 1, "
		      "got %d and %d\n",
		      rank, MPI_SUCCESS, rc, flag);
	} while (flag == 0);
}

/* Ring rounds: Put, then Get, then Accumulate, each a PSCW epoch. */
static void check_ring(int rank, int size, int poll)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	_Alignas(16) int buf[CNT];
	int o[CNT], g[CNT];
	MPI_Group lgrp, rgrp;
	const char *how = poll ? "MPI_Win_test" : "MPI_Win_wait";
	MPI_Win win;
	int i, k, want;

	lgrp = group_of(1, &left);
	rgrp = group_of(1, &right);
	for (i = 0; i < CNT; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);

	for (k = 0; k < ROUNDS; k++) {
		for (i = 0; i < CNT; i++)
			o[i] = val(rank, right, i + k);
		if (poll && k % 2) {
			/*
			 * Every post before every start, as MPI_MODE_NOCHECK
			 * (on both, or on neither) requires.
			 */
			MPI_Win_post(lgrp, MPI_MODE_NOCHECK, win);
			MPI_Barrier(MPI_COMM_WORLD);
			MPI_Win_start(rgrp, MPI_MODE_NOCHECK, win);
		} else {
			MPI_Win_post(lgrp, 0, win);
			MPI_Win_start(rgrp, 0, win);
		}
		MPI_Put(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
		MPI_Win_complete(win);
		end_exposure(rank, win, poll);
		for (i = 0; i < CNT; i++)
			CHECK(buf[i] == val(left, rank, i + k),
			      "rank %d: PSCW (%s) round %d MPI_Put from %d "
			      "[%d]: expected %d, got %d\n",
			      rank, how, k, left, i, val(left, rank, i + k),
			      buf[i]);

		/* Read back what was put: no Put into this window now. */
		for (i = 0; i < CNT; i++)
			g[i] = UNTOUCH;
		MPI_Win_post(lgrp, MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
		MPI_Win_start(rgrp, 0, win);
		MPI_Get(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
		MPI_Win_complete(win);
		end_exposure(rank, win, poll);
		for (i = 0; i < CNT; i++)
			CHECK(g[i] == o[i],
			      "rank %d: PSCW (%s) round %d MPI_Get from %d "
			      "[%d]: expected %d, got %d\n",
			      rank, how, k, right, i, o[i], g[i]);

		MPI_Win_post(lgrp, MPI_MODE_NOSTORE, win);
		MPI_Win_start(rgrp, 0, win);
		MPI_Accumulate(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, MPI_SUM,
			       win);
		MPI_Win_complete(win);
		end_exposure(rank, win, poll);
		for (i = 0; i < CNT; i++) {
			want = 2 * val(left, rank, i + k);
			CHECK(buf[i] == want,
			      "rank %d: PSCW (%s) round %d MPI_Accumulate from "
			      "%d [%d]: expected %d, got %d\n",
			      rank, how, k, left, i, want, buf[i]);
		}
	}
	MPI_Win_free(&win);
	MPI_Group_free(&lgrp);
	MPI_Group_free(&rgrp);
}

/* Post and start with the empty group: nothing happens, all succeed. */
static void check_empty(int rank)
{
	_Alignas(16) int buf[CNT];
	MPI_Win win;
	int i, rc, flag;

	for (i = 0; i < CNT; i++)
		buf[i] = UNTOUCH;
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	rc = MPI_Win_post(MPI_GROUP_EMPTY, 0, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_post(MPI_GROUP_EMPTY): expected %d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	rc = MPI_Win_start(MPI_GROUP_EMPTY, 0, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_start(MPI_GROUP_EMPTY): expected %d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	rc = MPI_Win_complete(win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_complete of an empty access epoch: expected "
	      "%d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	rc = MPI_Win_wait(win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_wait of an empty exposure epoch: expected %d, "
	      "got %d\n",
	      rank, MPI_SUCCESS, rc);

	/* An empty exposure epoch is over at the first MPI_Win_test. */
	MPI_Win_post(MPI_GROUP_EMPTY, 0, win);
	flag = -1;
	rc = MPI_Win_test(win, &flag);
	CHECK(rc == MPI_SUCCESS && flag == 1,
	      "rank %d: MPI_Win_test of an empty exposure epoch: expected %d "
	      "and flag 1, got %d and %d\n",
	      rank, MPI_SUCCESS, rc, flag);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == UNTOUCH,
		      "rank %d: empty PSCW epochs changed the window [%d]: "
		      "expected %d, got %d\n",
		      rank, i, UNTOUCH, buf[i]);
	MPI_Win_free(&win);
}

/*
 * Star: rank 0 posts to and starts on all the others in one epoch and
 * Gets slot 0 of each, while each Puts into slot r of rank 0.
 */
static void check_star(int rank, int size)
{
	int *buf, *g, *others, zero = 0;
	MPI_Group grp;
	MPI_Win win;
	int i, r;

	if (size < 2)
		return;
	buf = malloc(size * CNT * sizeof(int));
	g = malloc(size * CNT * sizeof(int));
	others = malloc(size * sizeof(int));
	for (r = 1; r < size; r++)
		others[r - 1] = r;
	for (i = 0; i < size * CNT; i++) {
		buf[i] = rank == 0 ? UNTOUCH : val(rank, 0, i);
		g[i] = UNTOUCH;
	}
	MPI_Win_create(buf, size * CNT * sizeof(int), sizeof(int),
		       MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	if (rank == 0) {
		grp = group_of(size - 1, others);
		MPI_Win_post(grp, MPI_MODE_NOSTORE, win);
		MPI_Win_start(grp, 0, win);
		for (r = 1; r < size; r++)
			MPI_Get(g + r * CNT, CNT, MPI_INT, r, 0, CNT, MPI_INT,
				win);
		MPI_Win_complete(win);
		MPI_Win_wait(win);
		for (r = 1; r < size; r++)
			for (i = 0; i < CNT; i++) {
				CHECK(g[r * CNT + i] == val(r, 0, i),
				      "rank 0: star MPI_Get from %d [%d]: "
				      "expected %d, got %d\n",
				      r, i, val(r, 0, i), g[r * CNT + i]);
				CHECK(buf[r * CNT + i] == val(r, 0, 50 + i),
				      "rank 0: star MPI_Put from %d [%d]: "
				      "expected %d, got %d\n",
				      r, i, val(r, 0, 50 + i),
				      buf[r * CNT + i]);
			}
		for (i = 0; i < CNT; i++)
			CHECK(buf[i] == UNTOUCH,
			      "rank 0: star: slot 0 changed [%d]: expected %d, "
			      "got %d\n",
			      i, UNTOUCH, buf[i]);
	} else {
		grp = group_of(1, &zero);
		for (i = 0; i < CNT; i++)
			g[i] = val(rank, 0, 50 + i);
		MPI_Win_post(grp, MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
		MPI_Win_start(grp, 0, win);
		MPI_Put(g, CNT, MPI_INT, 0, rank * CNT, CNT, MPI_INT, win);
		MPI_Win_complete(win);
		MPI_Win_wait(win);
	}
	MPI_Group_free(&grp);
	MPI_Win_free(&win);
	free(buf);
	free(g);
	free(others);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_ring(rank, size, 0);
	check_ring(rank, size, 1);
	check_empty(rank);
	check_star(rank, size);
	return mtest_finish();
}
