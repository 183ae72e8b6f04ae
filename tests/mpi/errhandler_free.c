/* SPDX-License-Identifier: MIT */
/*
 * errhandler_free: error handlers live while something refers to them
 * (MPI-3.1 8.3.4). A handler of MPI_Comm_create_errhandler set on a
 * duplicate of MPI_COMM_WORLD and then freed still runs for errors there,
 * and in a duplicate of that communicator after the first is freed;
 * MPI_Comm_get_errhandler hands out a reference that MPI_Errhandler_free
 * releases; a handler replaced by MPI_Comm_set_errhandler, or never set,
 * is freed with its handle. MPI_Errhandler_free of a predefined handler
 * only nulls the handle: MPI_ERRORS_RETURN still works. Whether the user
 * handlers are really freed is what the ASan build's leak check sees.
 * Ranks: any N >= 1.
 */
#include <mpi.h>

#include "tests/mpi/mtest.h"

static int calls;

static void count_calls(MPI_Comm *comm, int *code, ...)
{
	(void)comm;
	(void)code;
	calls++;
}

/* An error raised on c reaches the counting handler (once more). */
static void check_runs(int rank, MPI_Comm c, const char *what)
{
	int before = calls;

	MPI_Comm_call_errhandler(c, MPI_ERR_OTHER);
	CHECK(calls == before + 1,
	      "rank %d: %s: the handler ran %d times, expected once\n", rank,
	      what, calls - before);
}

static void check_held(int rank)
{
	MPI_Errhandler eh, got;
	MPI_Comm c, d;

	MPI_Comm_create_errhandler(count_calls, &eh);
	MPI_Comm_dup(MPI_COMM_WORLD, &c);
	MPI_Comm_set_errhandler(c, eh);
	MPI_Errhandler_free(&eh);
	CHECK(eh == MPI_ERRHANDLER_NULL,
	      "rank %d: MPI_Errhandler_free left the handle\n", rank);
	check_runs(rank, c, "freed handler set on a communicator");
	MPI_Comm_get_errhandler(c, &got);
	MPI_Errhandler_free(&got);
	check_runs(rank, c, "after freeing the handle of get_errhandler");
	MPI_Comm_dup(c, &d);
	MPI_Comm_free(&c);
	check_runs(rank, d, "inherited handler, its first communicator freed");
	MPI_Comm_free(&d);
}

static void check_replaced(int rank)
{
	MPI_Errhandler eh, unused;
	MPI_Comm c;

	MPI_Comm_create_errhandler(count_calls, &eh);
	MPI_Comm_create_errhandler(count_calls, &unused);
	MPI_Errhandler_free(&unused);
	MPI_Comm_dup(MPI_COMM_WORLD, &c);
	MPI_Comm_set_errhandler(c, eh);
	MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN);
	MPI_Errhandler_free(&eh);
	CHECK(MPI_Send(NULL, -1, MPI_INT, 0, 0, c) != MPI_SUCCESS,
	      "rank %d: MPI_ERRORS_RETURN after a replaced handler: no error\n",
	      rank);
	MPI_Comm_free(&c);
}

static void check_predefined(int rank)
{
	MPI_Errhandler eh = MPI_ERRORS_RETURN;
	int err = MPI_Errhandler_free(&eh);

	CHECK(err == MPI_SUCCESS && eh == MPI_ERRHANDLER_NULL,
	      "rank %d: MPI_Errhandler_free(MPI_ERRORS_RETURN): error %d, "
	      "handle %s\n",
	      rank, err, eh == MPI_ERRHANDLER_NULL ? "null" : "kept");
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	CHECK(MPI_Send(NULL, -1, MPI_INT, 0, 0, MPI_COMM_WORLD) != MPI_SUCCESS,
	      "rank %d: MPI_ERRORS_RETURN after freeing a handle of it: no "
	      "error\n",
	      rank);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);
	check_held(rank);
	check_replaced(rank);
	check_predefined(rank);
	return mtest_finish();
}
