/* SPDX-License-Identifier: MIT */
/*
 * win_create: window creation. MPI_Win_create over malloc'd memory, over
 * a stack array and over MPI_Alloc_mem memory, each used for a Put to the
 * right neighbour and a Get back between fences; a window over a range
 * inside a bigger buffer (disp_unit 1): Puts to its first and last bytes
 * and over all of it land inside, the guard bytes around it stay as they
 * were, and a Get of the whole window reads just it; MPI_Win_allocate
 * returns a usable base that the owner writes and others read; 64 windows
 * alive at once (created with MPI_Win_create and MPI_Win_allocate in
 * turn), each with its own data (Puts under MPI_Win_lock), freed in an
 * order other than the one they were created in, those left still working
 * after half are freed.
 * Window memory is 16-byte aligned: MPICH 4.0.2 over UCX rounds an
 * unaligned window base down (fixed by MPICH PR 6140), and these programs
 * are checked with it; MPI_Win_allocate sizes are multiples of 16 bytes
 * for the same reason (MPICH carves a node's windows out of one segment).
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	16
#define UNTOUCH -1
#define NWIN	64
#define BIG	256
#define OFF	48
#define WLEN	64
#define GUARD	0xa5

static int val(int src, int dst, int i)
{
	return src * 10000 + dst * 100 + i;
}

/*
 * buf holds CNT ints; rank puts CNT ints into its right neighbour's
 * window, then gets them back from there.
 */
static void put_get(int rank, int size, int *buf, const char *what)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int o[CNT], g[CNT];
	MPI_Win win;
	int i, rc;

	for (i = 0; i < CNT; i++) {
		buf[i] = UNTOUCH;
		o[i] = val(rank, right, i);
		g[i] = UNTOUCH;
	}
	rc = MPI_Win_create(buf, CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
			    MPI_COMM_WORLD, &win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_create over %s: expected %d, got %d\n", rank,
	      what, MPI_SUCCESS, rc);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Put(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == val(left, rank, i),
		      "rank %d: MPI_Put into a window over %s [%d]: expected "
		      "%d, got %d\n",
		      rank, what, i, val(left, rank, i), buf[i]);
	MPI_Get(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == o[i],
		      "rank %d: MPI_Get from a window over %s [%d]: expected "
		      "%d, got %d\n",
		      rank, what, i, o[i], g[i]);
	rc = MPI_Win_free(&win);
	CHECK(rc == MPI_SUCCESS && win == MPI_WIN_NULL,
	      "rank %d: MPI_Win_free of a window over %s: expected %d and "
	      "MPI_WIN_NULL, got %d and %s\n",
	      rank, what, MPI_SUCCESS, rc,
	      win == MPI_WIN_NULL ? "MPI_WIN_NULL" : "another handle");
}

static void check_memory_kinds(int rank, int size)
{
	_Alignas(16) int stack[CNT];
	int *heap, *mem = NULL;
	int rc;

	heap = malloc(CNT * sizeof(int));
	put_get(rank, size, heap, "malloc'd memory");
	free(heap);
	put_get(rank, size, stack, "a stack array");
	rc = MPI_Alloc_mem(CNT * sizeof(int), MPI_INFO_NULL, &mem);
	CHECK(rc == MPI_SUCCESS && mem != NULL,
	      "rank %d: MPI_Alloc_mem: expected %d and memory, got %d and "
	      "%p\n",
	      rank, MPI_SUCCESS, rc, (void *)mem);
	if (rc == MPI_SUCCESS && mem != NULL) {
		put_get(rank, size, mem, "MPI_Alloc_mem memory");
		MPI_Free_mem(mem);
	}
}

static unsigned char pat(int src, int i)
{
	return (unsigned char)(src * 31 + i * 7 + 1);
}

/*
 * The window is bytes [OFF, OFF + WLEN) of a BIG-byte buffer. The left
 * neighbour puts a byte at window offsets 0 and WLEN - 1, then all
 * WLEN bytes; the guards around it must not change.
 */
static void check_guard(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	unsigned char *big, o[WLEN], g[WLEN], b;
	MPI_Win win;
	int i, want;

	big = malloc(BIG);
	memset(big, GUARD, BIG);
	for (i = 0; i < WLEN; i++) {
		o[i] = pat(rank, i);
		g[i] = 0;
	}
	MPI_Win_create(big + OFF, WLEN, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	b = 0x11;
	MPI_Put(&b, 1, MPI_BYTE, right, 0, 1, MPI_BYTE, win);
	b = 0x22;
	MPI_Put(&b, 1, MPI_BYTE, right, WLEN - 1, 1, MPI_BYTE, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < BIG; i++) {
		want = i == OFF ? 0x11 : i == OFF + WLEN - 1 ? 0x22 : GUARD;
		CHECK(big[i] == want,
		      "rank %d: MPI_Put to the first and last byte of a window "
		      "at offset %d: byte %d of the buffer: expected %#x, got "
		      "%#x\n",
		      rank, OFF, i, want, big[i]);
	}
	MPI_Win_fence(MPI_MODE_NOSTORE, win);
	MPI_Put(o, WLEN, MPI_BYTE, right, 0, WLEN, MPI_BYTE, win);
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < BIG; i++) {
		want = i >= OFF && i < OFF + WLEN ? pat(left, i - OFF) : GUARD;
		CHECK(big[i] == want,
		      "rank %d: MPI_Put over a window at offset %d: byte %d of "
		      "the buffer: expected %#x, got %#x\n",
		      rank, OFF, i, want, big[i]);
	}
	MPI_Get(g, WLEN, MPI_BYTE, right, 0, WLEN, MPI_BYTE, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < WLEN; i++)
		CHECK(g[i] == o[i],
		      "rank %d: MPI_Get of a window at offset %d [%d]: "
		      "expected "
		      "%#x, got %#x\n",
		      rank, OFF, i, o[i], g[i]);
	MPI_Win_free(&win);
	free(big);
}

/* The owner writes its MPI_Win_allocate memory, the left neighbour reads. */
static void check_allocate(int rank, int size)
{
	int right = (rank + 1) % size;
	int *base = NULL, g[CNT];
	MPI_Win win;
	int i, rc;

	rc = MPI_Win_allocate(CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
			      MPI_COMM_WORLD, &base, &win);
	CHECK(rc == MPI_SUCCESS && base != NULL,
	      "rank %d: MPI_Win_allocate: expected %d and a base, got %d and "
	      "%p\n",
	      rank, MPI_SUCCESS, rc, (void *)base);
	if (rc != MPI_SUCCESS || base == NULL)
		MPI_Abort(MPI_COMM_WORLD, 1);
	for (i = 0; i < CNT; i++) {
		base[i] = val(rank, 0, i);
		g[i] = UNTOUCH;
	}
	MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
	MPI_Get(g, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
	for (i = 0; i < CNT; i++)
		CHECK(g[i] == val(right, 0, i),
		      "rank %d: MPI_Get from MPI_Win_allocate memory of %d "
		      "[%d]: expected %d, got %d\n",
		      rank, right, i, val(right, 0, i), g[i]);
	MPI_Win_free(&win);
}

/* The k-th window freed is window k * 37 % NWIN. */
static int free_order(int k)
{
	return k * 37 % NWIN;
}

/*
 * Every live window w gets val(left, rank, w + round) from the left
 * neighbour at int w % 4 of its 4, under an exclusive lock; after a
 * barrier each rank checks its windows under a lock of its own and
 * stores the starting values back.
 */
static void round_trip(int rank, int size, MPI_Win *win, int **mem, int round)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int o[NWIN], w, i, want;

	for (w = 0; w < NWIN; w++) {
		if (win[w] == MPI_WIN_NULL)
			continue;
		o[w] = val(rank, right, w + round);
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win[w]);
		MPI_Put(&o[w], 1, MPI_INT, right, w % 4, 1, MPI_INT, win[w]);
		MPI_Win_unlock(right, win[w]);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	for (w = 0; w < NWIN; w++) {
		if (win[w] == MPI_WIN_NULL)
			continue;
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win[w]);
		for (i = 0; i < 4; i++) {
			want = i == w % 4 ? val(left, rank, w + round)
					  : val(rank, w, i);
			CHECK(mem[w][i] == want,
			      "rank %d: round %d, window %d of %d alive [%d]: "
			      "expected %d, got %d\n",
			      rank, round, w, NWIN, i, want, mem[w][i]);
			mem[w][i] = val(rank, w, i);
		}
		MPI_Win_unlock(rank, win[w]);
	}
	MPI_Barrier(MPI_COMM_WORLD);
}

static void check_many(int rank, int size)
{
	MPI_Win win[NWIN];
	int *mem[NWIN], *heap[NWIN];
	int w, k, i;

	for (w = 0; w < NWIN; w++) {
		heap[w] = NULL;
		if (w % 2) {
			MPI_Win_allocate(4 * sizeof(int), sizeof(int),
					 MPI_INFO_NULL, MPI_COMM_WORLD, &mem[w],
					 &win[w]);
		} else {
			heap[w] = malloc(4 * sizeof(int));
			mem[w] = heap[w];
			MPI_Win_create(mem[w], 4 * sizeof(int), sizeof(int),
				       MPI_INFO_NULL, MPI_COMM_WORLD, &win[w]);
		}
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win[w]);
		for (i = 0; i < 4; i++)
			mem[w][i] = val(rank, w, i);
		MPI_Win_unlock(rank, win[w]);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	round_trip(rank, size, win, mem, 0);
	/* Free the first half of the order, use the rest, free them. */
	for (k = 0; k < NWIN; k++) {
		if (k == NWIN / 2)
			round_trip(rank, size, win, mem, 1);
		w = free_order(k);
		MPI_Win_free(&win[w]);
		CHECK(win[w] == MPI_WIN_NULL,
		      "rank %d: MPI_Win_free of window %d (%d-th freed): "
		      "expected MPI_WIN_NULL, got another handle\n",
		      rank, w, k);
		free(heap[w]);
	}
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_memory_kinds(rank, size);
	check_guard(rank, size);
	check_allocate(rank, size);
	check_many(rank, size);
	return mtest_finish();
}
