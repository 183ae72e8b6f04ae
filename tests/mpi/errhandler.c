/* SPDX-License-Identifier: MIT */
/*
 * errhandler: with MPI_ERRORS_RETURN set on MPI_COMM_WORLD (and read back
 * with MPI_Comm_get_errhandler) erroneous calls return an error code of the
 * right class instead of aborting: a send to or receive from rank N gives
 * MPI_ERR_RANK, a negative tag (not MPI_ANY_TAG) MPI_ERR_TAG, a negative
 * count MPI_ERR_COUNT, and a receive into a too-small buffer
 * MPI_ERR_TRUNCATE, both as the return code of MPI_Recv and, through
 * MPI_Waitall, in the MPI_ERROR field of the status. After the errors the
 * communicator still works.
 * Ranks: any N >= 2.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define TAG_TRUNC 3
#define TAG_AFTER 5
#define BIG	  10
#define SMALL	  4

static int class_of(int code)
{
	int cls = -1;

	MPI_Error_class(code, &cls);
	return cls;
}

/* Check that rc is an error of class want; what names the call. */
static void check_class(int rank, const char *what, int rc, int want)
{
	char str[MPI_MAX_ERROR_STRING];
	int len;

	if (rc == MPI_SUCCESS) {
		CHECK(0, "rank %d: %s: expected class %d, got MPI_SUCCESS\n",
		      rank, what, want);
		return;
	}
	if (class_of(rc) != want) {
		MPI_Error_string(rc, str, &len);
		CHECK(0, "rank %d: %s: expected class %d, got %d (%s)\n", rank,
		      what, want, class_of(rc), str);
	}
}

static void check_handler(int rank)
{
	MPI_Errhandler eh;

	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
	CHECK(eh == MPI_ERRORS_RETURN,
	      "rank %d: MPI_Comm_get_errhandler: expected MPI_ERRORS_RETURN, "
	      "got another handle\n",
	      rank);
	MPI_Errhandler_free(&eh);
}

static void check_args(int rank, int size)
{
	int bad_tag = -7;
	int buf[BIG] = {0};
	int rc;

	if (bad_tag == MPI_ANY_TAG)
		bad_tag = -8;

	rc = MPI_Send(buf, 1, MPI_INT, size, 0, MPI_COMM_WORLD);
	check_class(rank, "MPI_Send to rank N", rc, MPI_ERR_RANK);
	rc = MPI_Send(buf, 1, MPI_INT, size + 1, 0, MPI_COMM_WORLD);
	check_class(rank, "MPI_Send to rank N+1", rc, MPI_ERR_RANK);
	rc = MPI_Recv(buf, 1, MPI_INT, size, 0, MPI_COMM_WORLD,
		      MPI_STATUS_IGNORE);
	check_class(rank, "MPI_Recv from rank N", rc, MPI_ERR_RANK);

	rc = MPI_Send(buf, 1, MPI_INT, (rank + 1) % size, bad_tag,
		      MPI_COMM_WORLD);
	check_class(rank, "MPI_Send with negative tag", rc, MPI_ERR_TAG);
	rc = MPI_Recv(buf, 1, MPI_INT, (rank + 1) % size, bad_tag,
		      MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	check_class(rank, "MPI_Recv with negative tag", rc, MPI_ERR_TAG);

	rc = MPI_Send(buf, -1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
	check_class(rank, "MPI_Send with count -1", rc, MPI_ERR_COUNT);
	rc = MPI_Recv(buf, -1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD,
		      MPI_STATUS_IGNORE);
	check_class(rank, "MPI_Recv with count -1", rc, MPI_ERR_COUNT);
}

/*
 * Rank 0 sends BIG ints to rank 1 twice; rank 1 receives SMALL ints.
 * The first truncation shows in the return code of MPI_Recv. The second
 * goes through MPI_Waitall, which must fail and leave the class in the
 * MPI_ERROR field of the status (MPI_Recv need not set that field).
 */
static void check_truncate(int rank)
{
	MPI_Request req;
	MPI_Status st;
	int buf[BIG], i, rc;

	for (i = 0; i < BIG; i++)
		buf[i] = 100 + i;
	if (rank == 0) {
		MPI_Send(buf, BIG, MPI_INT, 1, TAG_TRUNC, MPI_COMM_WORLD);
		MPI_Send(buf, BIG, MPI_INT, 1, TAG_TRUNC, MPI_COMM_WORLD);
		return;
	}
	if (rank != 1)
		return;

	for (i = 0; i < BIG; i++)
		buf[i] = -1;
	rc = MPI_Recv(buf, SMALL, MPI_INT, 0, TAG_TRUNC, MPI_COMM_WORLD,
		      MPI_STATUS_IGNORE);
	check_class(rank, "MPI_Recv into a small buffer", rc, MPI_ERR_TRUNCATE);
	for (i = SMALL; i < BIG; i++)
		CHECK(buf[i] == -1,
		      "rank %d: truncated receive wrote past its buffer: "
		      "buf[%d] expected -1, got %d\n",
		      rank, i, buf[i]);

	MPI_Irecv(buf, SMALL, MPI_INT, 0, TAG_TRUNC, MPI_COMM_WORLD, &req);
	st.MPI_ERROR = MPI_SUCCESS;
	rc = MPI_Waitall(1, &req, &st);
	CHECK(rc != MPI_SUCCESS,
	      "rank %d: MPI_Waitall of a truncated receive: expected an error, "
	      "got MPI_SUCCESS\n",
	      rank);
	check_class(rank, "status.MPI_ERROR of a truncated receive",
		    st.MPI_ERROR, MPI_ERR_TRUNCATE);
}

/* A ring exchange after the errors: the communicator is still usable. */
static void check_after(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int out = rank * 3 + 1, in = -1, rc;

	rc = MPI_Sendrecv(&out, 1, MPI_INT, right, TAG_AFTER, &in, 1, MPI_INT,
			  left, TAG_AFTER, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Sendrecv after errors: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	CHECK(in == left * 3 + 1,
	      "rank %d: MPI_Sendrecv after errors: expected %d, got %d\n", rank,
	      left * 3 + 1, in);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_handler(rank);
	check_args(rank, size);
	check_truncate(rank);
	check_after(rank, size);
	return mtest_finish();
}
