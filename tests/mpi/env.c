/* SPDX-License-Identifier: MIT */
/*
 * env: the environment calls. MPI_Initialized / MPI_Finalized before Init,
 * after Init and after Finalize; MPI_Init_thread(MPI_THREAD_SINGLE) and
 * MPI_Query_thread agree; MPI_Get_version >= 3; library version and
 * processor name are non-empty; MPI_TAG_UB >= 1048575 and
 * MPI_WTIME_IS_GLOBAL are present on MPI_COMM_WORLD; MPI_Wtime never goes
 * backwards and MPI_Wtick > 0; MPI_Error_class maps each error class to
 * itself; MPI_Error_string gives non-empty text.
 * Ranks: any N >= 1. The checks made after MPI_Finalize cannot be summed,
 * so a rank failing one prints the error and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

static void check_flags(int rank, const char *when, int want_init,
			int want_fini)
{
	int flag;

	flag = -1;
	MPI_Initialized(&flag);
	CHECK(flag == want_init,
	      "rank %d: MPI_Initialized %s: expected %d, got %d\n", rank, when,
	      want_init, flag);
	flag = -1;
	MPI_Finalized(&flag);
	CHECK(flag == want_fini,
	      "rank %d: MPI_Finalized %s: expected %d, got %d\n", rank, when,
	      want_fini, flag);
}

static void check_attrs(int rank)
{
	int *val = NULL;
	int flag = 0;

	MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &val, &flag);
	CHECK(flag, "rank %d: MPI_TAG_UB: expected flag 1, got %d\n", rank,
	      flag);
	if (flag)
		CHECK(*val >= 1048575,
		      "rank %d: MPI_TAG_UB: expected >= 1048575, got %d\n",
		      rank, *val);

	val = NULL;
	flag = 0;
	MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &val, &flag);
	CHECK(flag, "rank %d: MPI_WTIME_IS_GLOBAL: expected flag 1, got %d\n",
	      rank, flag);
	if (flag)
		CHECK(*val == 0 || *val == 1,
		      "rank %d: MPI_WTIME_IS_GLOBAL: expected 0 or 1, got %d\n",
		      rank, *val);
}

static void check_strings(int rank)
{
	char lib[MPI_MAX_LIBRARY_VERSION_STRING];
	char name[MPI_MAX_PROCESSOR_NAME];
	int len;

	memset(lib, 0, sizeof(lib));
	len = -1;
	MPI_Get_library_version(lib, &len);
	CHECK(len > 0 && len < MPI_MAX_LIBRARY_VERSION_STRING,
	      "rank %d: MPI_Get_library_version: expected length in [1, %d), "
	      "got %d\n",
	      rank, MPI_MAX_LIBRARY_VERSION_STRING, len);
	CHECK(lib[0] != '\0',
	      "rank %d: MPI_Get_library_version: expected non-empty, got "
	      "\"\"\n",
	      rank);

	memset(name, 0, sizeof(name));
	len = -1;
	MPI_Get_processor_name(name, &len);
	CHECK(len > 0 && len < MPI_MAX_PROCESSOR_NAME,
	      "rank %d: MPI_Get_processor_name: expected length in [1, %d), "
	      "got %d\n",
	      rank, MPI_MAX_PROCESSOR_NAME, len);
	CHECK(name[0] != '\0',
	      "rank %d: MPI_Get_processor_name: expected non-empty, got \"\"\n",
	      rank);
}

static void check_time(int rank)
{
	double t0, t1, tick;
	int i;

	tick = MPI_Wtick();
	CHECK(tick > 0.0, "rank %d: MPI_Wtick: expected > 0, got %g\n", rank,
	      tick);
	t0 = MPI_Wtime();
	for (i = 0; i < 1000; i++) {
		t1 = MPI_Wtime();
		if (t1 < t0) {
			CHECK(0,
			      "rank %d: MPI_Wtime: expected >= %.9f, got "
			      "%.9f\n",
			      rank, t0, t1);
			break;
		}
		t0 = t1;
	}
}

static void check_errors(int rank)
{
	static const int classes[] = {MPI_SUCCESS,	MPI_ERR_RANK,
				      MPI_ERR_TAG,	MPI_ERR_COUNT,
				      MPI_ERR_TRUNCATE, MPI_ERR_COMM};
	static const int codes[] = {MPI_SUCCESS, MPI_ERR_RANK};
	char str[MPI_MAX_ERROR_STRING];
	unsigned int i;
	int cls, len;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		cls = -1;
		MPI_Error_class(classes[i], &cls);
		CHECK(cls == classes[i],
		      "rank %d: MPI_Error_class(%d): expected %d, got %d\n",
		      rank, classes[i], classes[i], cls);
	}
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		memset(str, 0, sizeof(str));
		len = -1;
		MPI_Error_string(codes[i], str, &len);
		CHECK(len > 0 && len < MPI_MAX_ERROR_STRING,
		      "rank %d: MPI_Error_string(%d): expected length in [1, "
		      "%d), got %d\n",
		      rank, codes[i], MPI_MAX_ERROR_STRING, len);
		CHECK(str[0] != '\0',
		      "rank %d: MPI_Error_string(%d): expected non-empty, got "
		      "\"\"\n",
		      rank, codes[i]);
	}
}

int main(int argc, char **argv)
{
	int provided = -1, queried = -1;
	int version = -1, subversion = -1;
	int rank = -1, total = 0, before;

	check_flags(rank, "before MPI_Init_thread", 0, 0);

	MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);

	check_flags(rank, "after MPI_Init_thread", 1, 0);

	CHECK(provided == MPI_THREAD_SINGLE ||
		      provided == MPI_THREAD_FUNNELED ||
		      provided == MPI_THREAD_SERIALIZED ||
		      provided == MPI_THREAD_MULTIPLE,
	      "rank %d: MPI_Init_thread: expected a thread level, got %d\n",
	      rank, provided);
	MPI_Query_thread(&queried);
	CHECK(queried == provided,
	      "rank %d: MPI_Query_thread: expected %d, got %d\n", rank,
	      provided, queried);

	MPI_Get_version(&version, &subversion);
	CHECK(version >= 3, "rank %d: MPI_Get_version: expected >= 3, got %d\n",
	      rank, version);
	CHECK(subversion >= 0,
	      "rank %d: MPI_Get_version: expected subversion >= 0, got %d\n",
	      rank, subversion);

	check_strings(rank);
	check_attrs(rank);
	check_time(rank);
	check_errors(rank);

	MPI_Allreduce(&mtest_errs, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	before = mtest_errs;
	MPI_Finalize();

	/* Initialized stays true after Finalize. */
	check_flags(rank, "after MPI_Finalize", 1, 1);
	total += mtest_errs - before;
	if (rank == 0) {
		if (total == 0)
			printf("No Errors\n");
		else
			printf(" Found %d errors\n", total);
		fflush(stdout);
	}
	return total ? 1 : 0;
}
