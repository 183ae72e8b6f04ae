/* SPDX-License-Identifier: MIT */
/*
 * Times one MPI_Allreduce of COUNT floats (MPI_Iallreduce and MPI_Wait
 * with "nonblocking") as `snemu coll` times its all-reduce: a barrier,
 * then each rank's virtual time for the call; rank 0 prints the slowest
 * rank's as "time_us T" (ns precision), the figure `snemu coll --json`
 * gives. The algorithm is SNEMU_MPI_ALLREDUCE's.
 *
 * usage: timing_allreduce COUNT [nonblocking]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi.h"

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 0, rank;
	int nb = argc > 2 && !strcmp(argv[2], "nonblocking");
	float *x = malloc(count * sizeof(float) + 1);
	float *y = malloc(count * sizeof(float) + 1);
	long long t0, dur, max;
	MPI_Request rq;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (count <= 0 || !x || !y) {
		fprintf(stderr,
			"usage: timing_allreduce COUNT [nonblocking]\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	for (int i = 0; i < count; i++)
		x[i] = (float)((rank + i) % 7);
	MPI_Barrier(MPI_COMM_WORLD);
	t0 = llround(MPI_Wtime() * 1e9);
	if (nb) {
		MPI_Iallreduce(x, y, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
			       &rq);
		MPI_Wait(&rq, MPI_STATUS_IGNORE);
	} else {
		MPI_Allreduce(x, y, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
	}
	dur = llround(MPI_Wtime() * 1e9) - t0;
	MPI_Reduce(&dur, &max, 1, MPI_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
	if (!rank)
		printf("time_us %.3f\n", max / 1000.0);
	free(x);
	free(y);
	return MPI_Finalize();
}
