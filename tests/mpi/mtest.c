/* SPDX-License-Identifier: MIT */
/* The shared ending of the MPI test programs (mtest.h). */
#include <mpi.h>

#include "tests/mpi/mtest.h"

int mtest_errs;

void mtest_init(int *argc, char ***argv, int min_ranks, int *rank, int *size)
{
	MPI_Init(argc, argv);
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	MPI_Comm_size(MPI_COMM_WORLD, size);
	if (*size < min_ranks) {
		fprintf(stderr, "%s: needs at least %d ranks\n", (*argv)[0],
			min_ranks);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
}

int mtest_finish(void)
{
	int rank, total = 0;

	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Allreduce(&mtest_errs, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	if (rank == 0) {
		if (total == 0)
			printf("No Errors\n");
		else
			printf(" Found %d errors\n", total);
		fflush(stdout);
	}
	MPI_Finalize();
	return total ? 1 : 0;
}
