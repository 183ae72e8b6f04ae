/* SPDX-License-Identifier: MIT */
/*
 * win_lock: passive target communication. MPI_Put and MPI_Get to the right
 * neighbour under MPI_LOCK_EXCLUSIVE; every rank reading every window
 * (rank 0's at the same time) under MPI_LOCK_SHARED, with and without
 * MPI_MODE_NOCHECK; under MPI_Win_lock_all, MPI_Win_flush and
 * MPI_Win_flush_all complete Puts at the target (a Get after them reads
 * what was put), MPI_Win_flush_local and MPI_Win_flush_local_all free the
 * origin buffer (overwriting it after them does not change what lands); a
 * counter on rank 0 incremented with MPI_Fetch_and_op (MPI_SUM) by every
 * rank many times, as MPI_LONG and as MPI_INT64_T: the final value is
 * exact and every old value fetched is seen once; a mutex built with
 * MPI_Compare_and_swap on rank 0 guarding a non-atomic Get, +1, Put, flush
 * under MPI_Win_lock_all: the count is exact and every release finds the
 * mutex held by the releasing rank; in the unified model (under
 * MPI_Win_lock_all with MPI_MODE_NOCHECK), a target reads a Put into its
 * own memory after the origin's flush, a barrier and MPI_Win_sync, and an
 * origin Gets what the target stored before MPI_Win_sync and a barrier
 * (MPI-3.1 11.7).
 * MPI_Win_allocate sizes are multiples of 16 bytes: MPICH 4.0.2 over UCX
 * rounds an unaligned window base down (fixed by MPICH PR 6140), and it
 * carves the windows of one node out of one segment, so the base of rank
 * r > 0 is aligned only as far as the sizes before it are.
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	  8
#define UNTOUCH	  -1
#define NCOUNT	  100
#define NMUTEX	  10
#define MAX_SPINS 1000000

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

static int rank_of_world(void)
{
	int rank;

	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	return rank;
}

/* A window of n ints set to UNTOUCH by its owner, visible to all. */
static MPI_Win make_win(int **buf, int n)
{
	MPI_Win win;
	int i;

	MPI_Win_allocate(n * sizeof(int), sizeof(int), MPI_INFO_NULL,
			 MPI_COMM_WORLD, buf, &win);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank_of_world(), 0, win);
	for (i = 0; i < n; i++)
		(*buf)[i] = UNTOUCH;
	MPI_Win_unlock(rank_of_world(), win);
	MPI_Barrier(MPI_COMM_WORLD);
	return win;
}

/* Exclusive lock: Put to the right, Get it back in a second epoch. */
static void check_exclusive(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int *buf, o[CNT], g[CNT];
	MPI_Win win;
	int i;

	win = make_win(&buf, CNT);
	for (i = 0; i < CNT; i++) {
		o[i] = val(rank, right, i);
		g[i] = UNTOUCH;
	}
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	MPI_Put(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_unlock(right, win);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	MPI_Get(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_unlock(right, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == o[i],
		      "rank %d: exclusive lock MPI_Get from %d after MPI_Put "
		      "[%d]: expected %d, got %d\n",
		      rank, right, i, o[i], g[i]);
	MPI_Barrier(MPI_COMM_WORLD);
	/* Local loads of the own window inside an own lock epoch. */
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == val(left, rank, i),
		      "rank %d: exclusive lock MPI_Put from %d [%d]: expected "
		      "%d, got %d\n",
		      rank, left, i, val(left, rank, i), buf[i]);
	MPI_Win_unlock(rank, win);
	MPI_Win_free(&win);
}

/* Shared locks: every rank reads rank 0, then every window in turn. */
static void check_shared(int rank, int size)
{
	int *buf, *g;
	MPI_Win win;
	int i, r, t;

	win = make_win(&buf, CNT);
	g = malloc(CNT * sizeof(int));
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
	for (i = 0; i < CNT; i++)
		buf[i] = val(rank, 0, i);
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);
	for (r = 0; r <= size; r++) {
		t = r == 0 ? 0 : (rank + r) % size;
		for (i = 0; i < CNT; i++)
			g[i] = UNTOUCH;
		/* Only shared locks now: MPI_MODE_NOCHECK holds. */
		MPI_Win_lock(MPI_LOCK_SHARED, t, r % 2 ? MPI_MODE_NOCHECK : 0,
			     win);
		MPI_Get(g, CNT, MPI_INT, t, 0, CNT, MPI_INT, win);
		MPI_Win_unlock(t, win);
		for (i = 0; i < CNT; i++)
			CHECK(g[i] == val(t, 0, i),
			      "rank %d: shared lock MPI_Get from %d [%d]: "
			      "expected %d, got %d\n",
			      rank, t, i, val(t, 0, i), g[i]);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	free(g);
	MPI_Win_free(&win);
}

/*
 * Under lock_all. Slot s (CNT ints) of every window belongs to origin s.
 * MPI_Win_flush(right) after a Put, then a Get of it; Puts to every rank,
 * MPI_Win_flush_all, Gets of them; MPI_Win_flush_local then overwriting
 * the origin buffer; MPI_Win_flush_local_all the same for every rank.
 */
static void check_flush(int rank, int size)
{
	int right = (rank + 1) % size;
	int *buf, *o, *g;
	MPI_Win win;
	int i, r, want;

	win = make_win(&buf, size * CNT);
	o = malloc(size * CNT * sizeof(int));
	g = malloc(size * CNT * sizeof(int));
	MPI_Win_lock_all(0, win);

	for (i = 0; i < CNT; i++) {
		o[i] = val(rank, right, i);
		g[i] = UNTOUCH;
	}
	MPI_Put(o, CNT, MPI_INT, right, rank * CNT, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	MPI_Get(g, CNT, MPI_INT, right, rank * CNT, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == o[i],
		      "rank %d: MPI_Get after MPI_Put and MPI_Win_flush to %d "
		      "[%d]: expected %d, got %d\n",
		      rank, right, i, o[i], g[i]);

	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++) {
			o[r * CNT + i] = val(rank, r, i + 20);
			g[r * CNT + i] = UNTOUCH;
		}
	for (r = 0; r < size; r++)
		MPI_Put(o + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT, MPI_INT,
			win);
	MPI_Win_flush_all(win);
	for (r = 0; r < size; r++)
		MPI_Get(g + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT, MPI_INT,
			win);
	MPI_Win_flush_all(win);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(g[r * CNT + i] == val(rank, r, i + 20),
			      "rank %d: MPI_Get after MPI_Put and "
			      "MPI_Win_flush_all from %d [%d]: expected %d, "
			      "got %d\n",
			      rank, r, i, val(rank, r, i + 20), g[r * CNT + i]);

	/* flush_local: the origin buffer may be reused at once. */
	for (i = 0; i < CNT; i++)
		o[i] = val(rank, right, i + 40);
	MPI_Put(o, CNT, MPI_INT, right, rank * CNT, CNT, MPI_INT, win);
	MPI_Win_flush_local(right, win);
	for (i = 0; i < CNT; i++) {
		o[i] = -5;
		g[i] = UNTOUCH;
	}
	MPI_Win_flush(right, win);
	MPI_Get(g, CNT, MPI_INT, right, rank * CNT, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == val(rank, right, i + 40),
		      "rank %d: MPI_Put to %d then MPI_Win_flush_local and the "
		      "origin overwritten [%d]: expected %d, got %d\n",
		      rank, right, i, val(rank, right, i + 40), g[i]);

	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			o[r * CNT + i] = val(rank, r, i + 60);
	for (r = 0; r < size; r++)
		MPI_Put(o + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT, MPI_INT,
			win);
	MPI_Win_flush_local_all(win);
	for (i = 0; i < size * CNT; i++) {
		o[i] = -5;
		g[i] = UNTOUCH;
	}
	MPI_Win_flush_all(win);
	for (r = 0; r < size; r++)
		MPI_Get(g + r * CNT, CNT, MPI_INT, r, rank * CNT, CNT, MPI_INT,
			win);
	MPI_Win_flush_all(win);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(g[r * CNT + i] == val(rank, r, i + 60),
			      "rank %d: MPI_Put to %d then "
			      "MPI_Win_flush_local_all and the origin "
			      "overwritten [%d]: expected %d, got %d\n",
			      rank, r, i, val(rank, r, i + 60), g[r * CNT + i]);
	MPI_Win_unlock_all(win);

	/* After unlock_all and a barrier the last values are in place. */
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++) {
			want = val(r, rank, i + 60);
			CHECK(buf[r * CNT + i] == want,
			      "rank %d: own window after MPI_Win_unlock_all, "
			      "slot %d [%d]: expected %d, got %d\n",
			      rank, r, i, want, buf[r * CNT + i]);
		}
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);
	free(o);
	free(g);
	MPI_Win_free(&win);
}

/*
 * NCOUNT Fetch_and_op(+1) per rank on a counter of type type at rank 0;
 * fetched holds the old values as long long.
 */
static void count_up(int rank, int size, MPI_Datatype type, const char *what)
{
	long long *fetched, *all = NULL, fin;
	int64_t one64 = 1, old64, *c64;
	long one = 1, old, *c;
	char *seen;
	void *base;
	MPI_Win win;
	int i, n = size * NCOUNT;

	MPI_Win_allocate(sizeof(int64_t) + sizeof(long), 1, MPI_INFO_NULL,
			 MPI_COMM_WORLD, &base, &win);
	c64 = base;
	c = (long *)(c64 + 1);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
	*c64 = 0;
	*c = 0;
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);

	fetched = malloc(NCOUNT * sizeof(long long));
	MPI_Win_lock_all(0, win);
	for (i = 0; i < NCOUNT; i++) {
		if (type == MPI_LONG) {
			old = -1;
			MPI_Fetch_and_op(&one, &old, MPI_LONG, 0,
					 sizeof(int64_t), MPI_SUM, win);
			MPI_Win_flush(0, win);
			fetched[i] = old;
		} else {
			old64 = -1;
			MPI_Fetch_and_op(&one64, &old64, MPI_INT64_T, 0, 0,
					 MPI_SUM, win);
			MPI_Win_flush(0, win);
			fetched[i] = old64;
		}
	}
	MPI_Win_unlock_all(win);
	MPI_Barrier(MPI_COMM_WORLD);

	if (rank == 0)
		all = malloc(n * sizeof(long long));
	MPI_Gather(fetched, NCOUNT, MPI_LONG_LONG, all, NCOUNT, MPI_LONG_LONG,
		   0, MPI_COMM_WORLD);
	if (rank == 0) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		fin = type == MPI_LONG ? (long long)*c : (long long)*c64;
		MPI_Win_unlock(0, win);
		CHECK(fin == n,
		      "rank 0: %s counter after %d MPI_Fetch_and_op(MPI_SUM, "
		      "1): expected %d, got %lld\n",
		      what, n, n, fin);
		seen = calloc(n, 1);
		for (i = 0; i < n; i++) {
			if (all[i] < 0 || all[i] >= n) {
				CHECK(0,
				      "rank 0: %s counter: rank %d fetched "
				      "(op %d): expected an old value in [0, "
				      "%d), got %lld\n",
				      what, i / NCOUNT, i % NCOUNT, n, all[i]);
				continue;
			}
			CHECK(!seen[all[i]],
			      "rank 0: %s counter: old value %lld fetched "
			      "twice (again by rank %d, op %d)\n",
			      what, all[i], i / NCOUNT, i % NCOUNT);
			seen[all[i]] = 1;
		}
		/* Each rank's own fetches increase. */
		for (i = 0; i < n; i++)
			if (i % NCOUNT)
				CHECK(all[i] > all[i - 1],
				      "rank 0: %s counter: rank %d op %d "
				      "fetched %lld after %lld: expected it "
				      "larger\n",
				      what, i / NCOUNT, i % NCOUNT, all[i],
				      all[i - 1]);
		free(seen);
		free(all);
	}
	free(fetched);
	MPI_Win_free(&win);
}

/*
 * Rank 0's window: int 0 the mutex (0 free, r + 1 held by r), int 1 the
 * count. Acquire by Compare_and_swap(0 -> rank + 1) until it returns 0,
 * release by Compare_and_swap(rank + 1 -> 0), which must return rank + 1.
 */
static void check_mutex(int rank, int size)
{
	int *buf, zero = 0, me = rank + 1, res, cnt, k;
	long spins;
	MPI_Win win;

	win = make_win(&buf, 4);
	if (rank == 0) {
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
		buf[0] = 0;
		buf[1] = 0;
		MPI_Win_unlock(0, win);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_lock_all(0, win);
	for (k = 0; k < NMUTEX; k++) {
		spins = 0;
		do {
			res = -1;
			MPI_Compare_and_swap(&me, &zero, &res, MPI_INT, 0, 0,
					     win);
			MPI_Win_flush(0, win);
		} while (res != 0 && ++spins < MAX_SPINS);
		CHECK(res == 0,
		      "rank %d: mutex never acquired after %d spins: last "
		      "MPI_Compare_and_swap returned %d\n",
		      rank, MAX_SPINS, res);
		if (res != 0)
			break;
		cnt = -1;
		MPI_Get(&cnt, 1, MPI_INT, 0, 1, 1, MPI_INT, win);
		MPI_Win_flush(0, win);
		cnt++;
		MPI_Put(&cnt, 1, MPI_INT, 0, 1, 1, MPI_INT, win);
		MPI_Win_flush(0, win);
		res = -1;
		MPI_Compare_and_swap(&zero, &me, &res, MPI_INT, 0, 0, win);
		MPI_Win_flush(0, win);
		CHECK(res == me,
		      "rank %d: mutex release: expected it held by %d, got "
		      "%d\n",
		      rank, me, res);
	}
	MPI_Win_unlock_all(win);
	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		CHECK(buf[1] == size * NMUTEX,
		      "rank 0: count guarded by the MPI_Compare_and_swap "
		      "mutex: "
		      "expected %d, got %d\n",
		      size * NMUTEX, buf[1]);
		CHECK(buf[0] == 0,
		      "rank 0: mutex after all released: expected 0, got %d\n",
		      buf[0]);
		MPI_Win_unlock(0, win);
	}
	MPI_Win_free(&win);
}

/*
 * Unified model under lock_all: the left neighbour puts and flushes,
 * a barrier, MPI_Win_sync, then a plain load here; a plain store here,
 * MPI_Win_sync, a barrier, then the left neighbour's Get reads it.
 */
static void check_sync(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int *buf, o[CNT], g[CNT];
	MPI_Win win;
	int i;

	win = make_win(&buf, CNT);
	for (i = 0; i < CNT; i++) {
		o[i] = val(rank, right, i);
		g[i] = UNTOUCH;
	}
	MPI_Win_lock_all(MPI_MODE_NOCHECK, win);
	MPI_Put(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_sync(win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == val(left, rank, i),
		      "rank %d: load after a Put from %d, flush, barrier and "
		      "MPI_Win_sync [%d]: expected %d, got %d\n",
		      rank, left, i, val(left, rank, i), buf[i]);
	MPI_Barrier(MPI_COMM_WORLD);

	for (i = 0; i < CNT; i++)
		buf[i] = val(rank, rank, i + 50);
	MPI_Win_sync(win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Get(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == val(right, right, i + 50),
		      "rank %d: MPI_Get from %d after its store, MPI_Win_sync "
		      "and a barrier [%d]: expected %d, got %d\n",
		      rank, right, i, val(right, right, i + 50), g[i]);
	MPI_Win_unlock_all(win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_free(&win);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_exclusive(rank, size);
	check_shared(rank, size);
	check_flush(rank, size);
	count_up(rank, size, MPI_LONG, "MPI_LONG");
	count_up(rank, size, MPI_INT64_T, "MPI_INT64_T");
	check_mutex(rank, size);
	check_sync(rank, size);
	return mtest_finish();
}
