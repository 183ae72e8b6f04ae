// SPDX-License-Identifier: MIT
// mpi.h from C++: snemu-mpicxx compiles and links this.
#include <mpi.h>

#include <cstdio>

int main(int argc, char **argv)
{
	int me;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	MPI_Barrier(MPI_COMM_WORLD);
	if (me == 0)
		std::printf("hello from C++\n");
	MPI_Finalize();
	return 0;
}
