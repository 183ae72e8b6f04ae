/* SPDX-License-Identifier: MIT */
/*
 * What every MPI test program shares (as MPICH's mtest): the start, an
 * error count, CHECK to count and report a failed check, and the ending that sums the
 * count over the ranks and prints "No Errors" or " Found N errors".
 */
#ifndef SNEMU_TESTS_MPI_MTEST_H
#define SNEMU_TESTS_MPI_MTEST_H

#include <stdio.h>

extern int mtest_errs;

/* Count a failed check and print its message (printf format). */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			mtest_errs++;                                          \
			fprintf(stderr, __VA_ARGS__);                          \
		}                                                              \
	} while (0)

/*
 * MPI_Init, this rank and the size of MPI_COMM_WORLD; a run of fewer
 * than min_ranks says so and aborts.
 */
void mtest_init(int *argc, char ***argv, int min_ranks, int *rank, int *size);

/*
 * Sum the errors over MPI_COMM_WORLD, rank 0 prints the verdict, then
 * MPI_Finalize; the exit status for main: 1 if any rank failed a check.
 */
int mtest_finish(void);

#endif
