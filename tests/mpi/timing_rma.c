/* SPDX-License-Identifier: MIT */
/*
 * One-sided MPI costs no virtual time of its own either: rank 0's
 * MPI_Put + MPI_Win_flush, MPI_Get + MPI_Win_flush and an MPI_INT64_T
 * MPI_Fetch_and_op + MPI_Win_flush to the last rank take exactly the
 * virtual time of the same snemu calls on the address-space window
 * (snemu_put + snemu_flush, snemu_get, snemu_atomic_fetch_op), for 8 B,
 * 64 KiB and 1 MiB. Any N >= 2 (at 16 the two ranks are on different
 * nodes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <snemu.h>

#define ITERS 10

enum op { PUT, GET, FOP };

static const char *const names[] = {"put", "get", "fetch_and_op"};

/* Virtual ns of ITERS operations (each flushed) by MPI or natively. */
static uint64_t timed(enum op op, char *buf, int len, uint64_t remote, int peer,
		      MPI_Win win, int mpi)
{
	struct snemu_win *aw = snemu_win_address_space();
	int64_t one = 1, old;
	uint64_t t0 = snemu_now();

	for (int i = 0; i < ITERS; i++) {
		if (op == PUT && mpi) {
			MPI_Put(buf, len, MPI_BYTE, peer, 0, len, MPI_BYTE,
				win);
			MPI_Win_flush(peer, win);
		} else if (op == PUT) {
			snemu_put(aw, peer, remote, buf, len);
			snemu_flush(aw, peer);
		} else if (op == GET && mpi) {
			MPI_Get(buf, len, MPI_BYTE, peer, 0, len, MPI_BYTE,
				win);
			MPI_Win_flush(peer, win);
		} else if (op == GET) {
			snemu_get(aw, peer, remote, buf, len);
		} else if (mpi) {
			MPI_Fetch_and_op(&one, &old, MPI_INT64_T, peer, 0,
					 MPI_SUM, win);
			MPI_Win_flush(peer, win);
		} else {
			snemu_atomic_fetch_op(aw, peer, remote, SNEMU_AMO_ADD,
					      1, (uint64_t *)&old);
		}
	}
	return snemu_now() - t0;
}

int main(int argc, char **argv)
{
	static const int sizes[] = {8, 65536, 1 << 20};
	int me, n, errs = 0, all;
	char *buf = malloc(1 << 20), *base;
	uint64_t remote;
	MPI_Win win;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	MPI_Comm_size(MPI_COMM_WORLD, &n);
	memset(buf, me, 1 << 20);
	MPI_Win_allocate(1 << 20, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &base,
			 &win);
	/* The native calls address the last rank's window memory. */
	remote = (uintptr_t)base;
	MPI_Bcast(&remote, 1, MPI_UINT64_T, n - 1, MPI_COMM_WORLD);
	MPI_Win_lock_all(0, win);
	for (int op = PUT; op <= FOP; op++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint64_t t_mpi, t_native;

			if (me != 0 || (op == FOP && i))
				continue;
			t_mpi = timed(op, buf, sizes[i], remote, n - 1, win, 1);
			t_native =
				timed(op, buf, sizes[i], remote, n - 1, win, 0);
			if (t_mpi != t_native || !t_mpi) {
				printf("%s of %d B: MPI %llu ns, native %llu "
				       "ns\n",
				       names[op], sizes[i],
				       (unsigned long long)t_mpi,
				       (unsigned long long)t_native);
				errs++;
			}
		}
	}
	MPI_Win_unlock_all(win);
	MPI_Win_free(&win);
	MPI_Allreduce(&errs, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	if (me == 0) {
		if (all)
			printf(" Found %d errors\n", all);
		else
			printf("No Errors\n");
	}
	free(buf);
	MPI_Finalize();
	return me == 0 && all != 0;
}
