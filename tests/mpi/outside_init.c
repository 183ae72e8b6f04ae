/* SPDX-License-Identifier: MIT */
/*
 * outside_init: MPI_Comm_rank called before MPI_Init ("before") or after
 * MPI_Finalize ("after"), under the default MPI_ERRORS_ARE_FATAL. The
 * call must not return: the run aborts with a message that says when the
 * call was made (test_mpi_programs.sh checks the exit status and the
 * message). Ranks: any N >= 1.
 */
#include <stdio.h>
#include <string.h>

#include <mpi.h>

int main(int argc, char **argv)
{
	int before = argc > 1 && !strcmp(argv[1], "before"), rank = -1;

	if (!before) {
		MPI_Init(&argc, &argv);
		MPI_Finalize();
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	fprintf(stderr, "MPI_Comm_rank %s returned (rank %d)\n",
		before ? "before MPI_Init" : "after MPI_Finalize", rank);
	return 0;
}
