/* SPDX-License-Identifier: MIT */
/*
 * win_dynamic: dynamic windows. MPI_Win_create_dynamic, then every rank
 * attaches two malloc'd regions (ints and doubles) with MPI_Win_attach and
 * publishes their MPI_Get_address values with MPI_Allgather (MPI_AINT);
 * under MPI_Win_lock its left neighbour Puts into both at target_disp =
 * those addresses (and one element at an address inside the region,
 * MPI_Aint_add), Gets them back, and the owner reads the values it was
 * sent; then one region is detached (MPI_Win_detach) and a new one
 * attached and published, Puts and Gets go to the new one, the region
 * still attached keeps working and the detached memory is left as it was.
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define NI	16
#define ND	8
#define UNTOUCH -1

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

/* Everyone's address of p, in rank order. */
static MPI_Aint *publish(void *p, int size)
{
	MPI_Aint a, *all = malloc(size * sizeof(MPI_Aint));

	MPI_Get_address(p, &a);
	MPI_Allgather(&a, 1, MPI_AINT, all, 1, MPI_AINT, MPI_COMM_WORLD);
	return all;
}

/*
 * Put NI ints into the right neighbour's region at address ra (tag k),
 * read them back with a Get, and one more int at ra + 4 ints.
 */
static void put_get_ints(int rank, int right, MPI_Win win, MPI_Aint ra, int k,
			 const char *what)
{
	int o[NI], g[NI], one, i;

	for (i = 0; i < NI; i++) {
		o[i] = val(rank, right, i + k);
		g[i] = UNTOUCH;
	}
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	MPI_Put(o, NI, MPI_INT, right, ra, NI, MPI_INT, win);
	MPI_Win_unlock(right, win);
	MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
	MPI_Get(g, NI, MPI_INT, right, ra, NI, MPI_INT, win);
	MPI_Win_unlock(right, win);
	for (i = 0; i < NI; i++)
		CHECK(g[i] == o[i],
		      "rank %d: MPI_Get from %s of %d [%d]: expected %d, got "
		      "%d\n",
		      rank, what, right, i, o[i], g[i]);
	one = UNTOUCH;
	MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
	MPI_Get(&one, 1, MPI_INT, right, MPI_Aint_add(ra, 4 * sizeof(int)), 1,
		MPI_INT, win);
	MPI_Win_unlock(right, win);
	CHECK(one == o[4],
	      "rank %d: MPI_Get at 4 ints inside %s of %d: expected %d, got "
	      "%d\n",
	      rank, what, right, o[4], one);
}

/* The owner's view of a region put to by its left neighbour (tag k). */
static void check_ints(int rank, int left, MPI_Win win, const int *r, int k,
		       const char *what)
{
	int i;

	MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
	for (i = 0; i < NI; i++)
		CHECK(r[i] == val(left, rank, i + k),
		      "rank %d: %s after MPI_Put from %d [%d]: expected %d, "
		      "got %d\n",
		      rank, what, left, i, val(left, rank, i + k), r[i]);
	MPI_Win_unlock(rank, win);
}

static void check_dynamic(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int *ra, *rc;
	double *rd, od[ND], gd[ND];
	MPI_Aint *aa, *ad, *ac;
	MPI_Win win;
	int i, err;

	err = MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_create_dynamic: expected %d, got %d\n", rank,
	      MPI_SUCCESS, err);
	ra = malloc(NI * sizeof(int));
	rd = malloc(ND * sizeof(double));
	rc = malloc(NI * sizeof(int));
	for (i = 0; i < NI; i++) {
		ra[i] = UNTOUCH;
		rc[i] = UNTOUCH;
	}
	for (i = 0; i < ND; i++)
		rd[i] = UNTOUCH;
	err = MPI_Win_attach(win, ra, NI * sizeof(int));
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_attach of region A: expected %d, got %d\n",
	      rank, MPI_SUCCESS, err);
	err = MPI_Win_attach(win, rd, ND * sizeof(double));
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_attach of region D: expected %d, got %d\n",
	      rank, MPI_SUCCESS, err);
	aa = publish(ra, size);
	ad = publish(rd, size);
	/* publish's Allgather: every region is attached before it is used. */

	put_get_ints(rank, right, win, aa[right], 0, "region A");
	for (i = 0; i < ND; i++) {
		od[i] = val(rank, right, i) + 0.5;
		gd[i] = UNTOUCH;
	}
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	MPI_Put(od, ND, MPI_DOUBLE, right, ad[right], ND, MPI_DOUBLE, win);
	MPI_Win_flush(right, win);
	MPI_Get(gd, ND, MPI_DOUBLE, right, ad[right], ND, MPI_DOUBLE, win);
	MPI_Win_unlock(right, win);
	for (i = 0; i < ND; i++)
		CHECK(gd[i] == od[i],
		      "rank %d: MPI_Get from region D of %d [%d]: expected %g, "
		      "got %g\n",
		      rank, right, i, od[i], gd[i]);
	MPI_Barrier(MPI_COMM_WORLD);
	check_ints(rank, left, win, ra, 0, "region A");
	MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
	for (i = 0; i < ND; i++)
		CHECK(rd[i] == val(left, rank, i) + 0.5,
		      "rank %d: region D after MPI_Put from %d [%d]: expected "
		      "%g, got %g\n",
		      rank, left, i, val(left, rank, i) + 0.5, rd[i]);
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);

	/* Swap region A for region C; D stays. */
	err = MPI_Win_detach(win, ra);
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_detach of region A: expected %d, got %d\n",
	      rank, MPI_SUCCESS, err);
	err = MPI_Win_attach(win, rc, NI * sizeof(int));
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_attach of region C: expected %d, got %d\n",
	      rank, MPI_SUCCESS, err);
	ac = publish(rc, size);
	put_get_ints(rank, right, win, ac[right], 30, "region C");
	for (i = 0; i < ND; i++)
		od[i] = -(val(rank, right, i) + 0.25);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	MPI_Accumulate(od, ND, MPI_DOUBLE, right, ad[right], ND, MPI_DOUBLE,
		       MPI_SUM, win);
	MPI_Win_unlock(right, win);
	MPI_Barrier(MPI_COMM_WORLD);
	check_ints(rank, left, win, rc, 30, "region C");
	MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
	for (i = 0; i < ND; i++)
		CHECK(rd[i] == 0.25,
		      "rank %d: region D after MPI_Accumulate from %d [%d]: "
		      "expected %g, got %g\n",
		      rank, left, i, 0.25, rd[i]);
	MPI_Win_unlock(rank, win);
	/* Detached region A keeps the values of its last epoch. */
	for (i = 0; i < NI; i++)
		CHECK(ra[i] == val(left, rank, i),
		      "rank %d: detached region A changed [%d]: expected %d, "
		      "got %d\n",
		      rank, i, val(left, rank, i), ra[i]);
	MPI_Barrier(MPI_COMM_WORLD);

	MPI_Win_detach(win, rc);
	MPI_Win_detach(win, rd);
	err = MPI_Win_free(&win);
	CHECK(err == MPI_SUCCESS,
	      "rank %d: MPI_Win_free of a dynamic window: expected %d, got "
	      "%d\n",
	      rank, MPI_SUCCESS, err);
	free(ra);
	free(rc);
	free(rd);
	free(aa);
	free(ad);
	free(ac);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_dynamic(rank, size);
	return mtest_finish();
}
