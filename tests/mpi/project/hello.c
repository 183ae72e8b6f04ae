/* SPDX-License-Identifier: MIT */
/* Each rank says where it runs; rank 0 checks the sum of the ranks. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char name[MPI_MAX_PROCESSOR_NAME];
	int me, n, len, sum;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	MPI_Comm_size(MPI_COMM_WORLD, &n);
	MPI_Get_processor_name(name, &len);
	MPI_Allreduce(&me, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	if (me == 0)
		printf("hello from %d ranks, first on %s, sum %s\n", n, name,
		       sum == n * (n - 1) / 2 ? "ok" : "WRONG");
	MPI_Finalize();
	return 0;
}
