/* SPDX-License-Identifier: MIT */
/*
 * MPI costs no virtual time of its own: a ping-pong between rank 0 and the
 * last rank with MPI_Send / MPI_Recv takes exactly the virtual time of the
 * same ping-pong with snemu_send / snemu_recv, to the nanosecond, for an
 * eager size, the eager limit and a rendezvous size. Any N >= 2 (at 16 the
 * two ranks are on different nodes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <snemu.h>

#define ITERS 10

/*
 * Virtual ns of ITERS round trips of len bytes, by MPI or natively, after
 * one untimed round trip (so that how far apart the two ranks left the
 * barrier does not count).
 */
static uint64_t pingpong(char *buf, int len, int me, int peer, int mpi)
{
	uint64_t t0 = 0;

	MPI_Barrier(MPI_COMM_WORLD);
	for (int i = -1; i < ITERS; i++) {
		if (i == 0)
			t0 = snemu_now();
		if (me == 0 && mpi) {
			MPI_Send(buf, len, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
			MPI_Recv(buf, len, MPI_BYTE, peer, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
		} else if (me == 0) {
			snemu_send(peer, 1, buf, len);
			snemu_recv(peer, 1, buf, len, NULL);
		} else if (mpi) {
			MPI_Recv(buf, len, MPI_BYTE, 0, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			MPI_Send(buf, len, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
		} else {
			snemu_recv(0, 1, buf, len, NULL);
			snemu_send(0, 1, buf, len);
		}
	}
	return snemu_now() - t0;
}

int main(int argc, char **argv)
{
	static const int sizes[] = {8, 65536, 1 << 20};
	int me, n, errs = 0, all;
	char *buf = malloc(1 << 20);

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	MPI_Comm_size(MPI_COMM_WORLD, &n);
	memset(buf, me, 1 << 20);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int active = me == 0 || me == n - 1;
		uint64_t t_mpi = 0, t_native = 0;

		if (active) {
			t_mpi = pingpong(buf, sizes[i], me, n - 1, 1);
			t_native = pingpong(buf, sizes[i], me, n - 1, 0);
		} else {
			MPI_Barrier(MPI_COMM_WORLD);
			MPI_Barrier(MPI_COMM_WORLD);
		}
		if (me == 0 && t_mpi != t_native) {
			printf("%d B: MPI %llu ns, native %llu ns\n", sizes[i],
			       (unsigned long long)t_mpi,
			       (unsigned long long)t_native);
			errs++;
		}
	}
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
