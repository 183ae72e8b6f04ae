/* SPDX-License-Identifier: MIT */
/*
 * p2p_order: point-to-point matching with blocking MPI_Send / MPI_Recv.
 * Many small messages from one sender with one tag arrive in order, also
 * when two tags are interleaved and the receiver takes one tag first;
 * MPI_ANY_SOURCE / MPI_ANY_TAG receives report the real source and tag in
 * the status; send to and receive from MPI_PROC_NULL complete at once
 * and the receive status has source MPI_PROC_NULL, tag MPI_ANY_TAG and
 * count 0; MPI_Get_count gives the element count for several types and
 * MPI_UNDEFINED when the bytes received are not a whole number of
 * elements (6 bytes counted as MPI_INT).
 * Ranks: any N >= 2. Relies on standard-mode sends of messages of at most
 * 64 bytes (up to 64 pending per pair of ranks) completing before they are
 * matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define NMSG	     64
#define TAG_A	     11
#define TAG_B	     12
#define TAG_ANY_BASE 100
#define TAG_COUNT    20

static int value(int src, int tag, int i)
{
	return src * 100000 + tag * 1000 + i;
}

/*
 * Every rank sends NMSG one-int messages to its right neighbour with one
 * tag, then receives NMSG from its left neighbour: they must come in the
 * order sent.
 */
static void check_one_tag(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	MPI_Status st;
	int i, v;

	for (i = 0; i < NMSG; i++) {
		v = value(rank, TAG_A, i);
		MPI_Send(&v, 1, MPI_INT, right, TAG_A, MPI_COMM_WORLD);
	}
	for (i = 0; i < NMSG; i++) {
		v = -1;
		MPI_Recv(&v, 1, MPI_INT, left, TAG_A, MPI_COMM_WORLD, &st);
		CHECK(v == value(left, TAG_A, i),
		      "rank %d: one-tag message %d: expected %d, got %d\n",
		      rank, i, value(left, TAG_A, i), v);
	}
}

/*
 * Tags A and B interleaved; the receiver takes all of B first (with a
 * specific tag), then all of A with MPI_ANY_TAG: each tag stays in order.
 */
static void check_two_tags(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	MPI_Status st;
	int i, v, tag;

	for (i = 0; i < NMSG; i++) {
		tag = i % 2 ? TAG_B : TAG_A;
		v = value(rank, tag, i);
		MPI_Send(&v, 1, MPI_INT, right, tag, MPI_COMM_WORLD);
	}
	for (i = 1; i < NMSG; i += 2) {
		v = -1;
		MPI_Recv(&v, 1, MPI_INT, left, TAG_B, MPI_COMM_WORLD, &st);
		CHECK(v == value(left, TAG_B, i),
		      "rank %d: tag B message %d: expected %d, got %d\n", rank,
		      i, value(left, TAG_B, i), v);
	}
	for (i = 0; i < NMSG; i += 2) {
		v = -1;
		MPI_Recv(&v, 1, MPI_INT, left, MPI_ANY_TAG, MPI_COMM_WORLD,
			 &st);
		CHECK(v == value(left, TAG_A, i),
		      "rank %d: tag A message %d: expected %d, got %d\n", rank,
		      i, value(left, TAG_A, i), v);
		CHECK(st.MPI_TAG == TAG_A,
		      "rank %d: tag A message %d: expected tag %d, got %d\n",
		      rank, i, TAG_A, st.MPI_TAG);
	}
}

/*
 * Every rank but 0 sends two messages to rank 0 with tag
 * TAG_ANY_BASE + rank, the second after a barrier. Rank 0 receives the
 * first of each with MPI_ANY_SOURCE and MPI_ANY_TAG before the barrier,
 * the second with MPI_ANY_SOURCE and the specific tag, in reverse order.
 */
static void check_any(int rank, int size)
{
	MPI_Status st;
	int i, v, src, tag, cnt;
	char *seen;

	if (rank != 0) {
		tag = TAG_ANY_BASE + rank;
		v = value(rank, tag, 0);
		MPI_Send(&v, 1, MPI_INT, 0, tag, MPI_COMM_WORLD);
		MPI_Barrier(MPI_COMM_WORLD);
		v = value(rank, tag, 1);
		MPI_Send(&v, 1, MPI_INT, 0, tag, MPI_COMM_WORLD);
		return;
	}

	seen = calloc(size, 1);
	for (i = 1; i < size; i++) {
		v = -1;
		st.MPI_SOURCE = -1;
		st.MPI_TAG = -1;
		MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
			 MPI_COMM_WORLD, &st);
		src = st.MPI_SOURCE;
		if (src < 1 || src >= size || seen[src]) {
			CHECK(0,
			      "rank 0: ANY_SOURCE receive %d: expected a new "
			      "source in [1, %d), got %d\n",
			      i, size, src);
			continue;
		}
		seen[src] = 1;
		CHECK(st.MPI_TAG == TAG_ANY_BASE + src,
		      "rank 0: ANY_TAG receive from %d: expected tag %d, got "
		      "%d\n",
		      src, TAG_ANY_BASE + src, st.MPI_TAG);
		CHECK(v == value(src, TAG_ANY_BASE + src, 0),
		      "rank 0: ANY_SOURCE receive from %d: expected %d, got "
		      "%d\n",
		      src, value(src, TAG_ANY_BASE + src, 0), v);
		MPI_Get_count(&st, MPI_INT, &cnt);
		CHECK(cnt == 1,
		      "rank 0: ANY_SOURCE receive from %d: expected count 1, "
		      "got %d\n",
		      src, cnt);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	for (i = size - 1; i >= 1; i--) {
		tag = TAG_ANY_BASE + i;
		v = -1;
		st.MPI_SOURCE = -1;
		MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD,
			 &st);
		CHECK(st.MPI_SOURCE == i,
		      "rank 0: ANY_SOURCE receive with tag %d: expected source "
		      "%d, got %d\n",
		      tag, i, st.MPI_SOURCE);
		CHECK(st.MPI_TAG == tag,
		      "rank 0: ANY_SOURCE receive with tag %d: expected tag "
		      "%d, got %d\n",
		      tag, tag, st.MPI_TAG);
		CHECK(v == value(i, tag, 1),
		      "rank 0: ANY_SOURCE receive with tag %d: expected %d, "
		      "got %d\n",
		      tag, value(i, tag, 1), v);
	}
	free(seen);
}

static void check_proc_null(int rank)
{
	MPI_Status st;
	int buf[4] = {7, 7, 7, 7};
	int i, rc, cnt;

	rc = MPI_Send(buf, 4, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Send to MPI_PROC_NULL: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);

	st.MPI_SOURCE = -12345;
	st.MPI_TAG = -12345;
	rc = MPI_Recv(buf, 4, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD, &st);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Recv from MPI_PROC_NULL: expected %d, got %d\n",
	      rank, MPI_SUCCESS, rc);
	CHECK(st.MPI_SOURCE == MPI_PROC_NULL,
	      "rank %d: MPI_PROC_NULL receive: expected source %d, got %d\n",
	      rank, MPI_PROC_NULL, st.MPI_SOURCE);
	CHECK(st.MPI_TAG == MPI_ANY_TAG,
	      "rank %d: MPI_PROC_NULL receive: expected tag %d, got %d\n", rank,
	      MPI_ANY_TAG, st.MPI_TAG);
	cnt = -1;
	MPI_Get_count(&st, MPI_INT, &cnt);
	CHECK(cnt == 0,
	      "rank %d: MPI_PROC_NULL receive: expected count 0, got %d\n",
	      rank, cnt);
	for (i = 0; i < 4; i++)
		CHECK(buf[i] == 7,
		      "rank %d: MPI_PROC_NULL receive changed buf[%d]: "
		      "expected 7, got %d\n",
		      rank, i, buf[i]);
}

static void check_count(int rank, const char *what, MPI_Status *st,
			MPI_Datatype type, int want)
{
	int cnt = -2;

	MPI_Get_count(st, type, &cnt);
	CHECK(cnt == want, "rank %d: MPI_Get_count %s: expected %d, got %d\n",
	      rank, what, want, cnt);
}

/* Rank 0 sends messages of several types and lengths to rank 1. */
static void check_get_count(int rank)
{
	unsigned char bytes[16];
	short shorts[16];
	long long lls[16];
	double dbls[16];
	int ints[16];
	MPI_Status st;
	int i;

	if (rank == 0) {
		for (i = 0; i < 16; i++) {
			bytes[i] = (unsigned char)i;
			shorts[i] = (short)i;
			lls[i] = i;
			dbls[i] = i;
			ints[i] = i;
		}
		MPI_Send(bytes, 6, MPI_BYTE, 1, TAG_COUNT, MPI_COMM_WORLD);
		MPI_Send(shorts, 7, MPI_SHORT, 1, TAG_COUNT, MPI_COMM_WORLD);
		MPI_Send(lls, 3, MPI_LONG_LONG, 1, TAG_COUNT, MPI_COMM_WORLD);
		MPI_Send(dbls, 5, MPI_DOUBLE, 1, TAG_COUNT, MPI_COMM_WORLD);
		MPI_Send(ints, 0, MPI_INT, 1, TAG_COUNT, MPI_COMM_WORLD);
		return;
	}
	if (rank != 1)
		return;

	memset(bytes, 0xff, sizeof(bytes));
	MPI_Recv(bytes, 16, MPI_BYTE, 0, TAG_COUNT, MPI_COMM_WORLD, &st);
	check_count(rank, "6 bytes as MPI_BYTE", &st, MPI_BYTE, 6);
	check_count(rank, "6 bytes as MPI_CHAR", &st, MPI_CHAR, 6);
	check_count(rank, "6 bytes as MPI_INT", &st, MPI_INT, MPI_UNDEFINED);
	for (i = 0; i < 16; i++)
		CHECK(bytes[i] == (i < 6 ? i : 0xff),
		      "rank %d: byte message [%d]: expected %d, got %d\n", rank,
		      i, i < 6 ? i : 0xff, bytes[i]);

	MPI_Recv(shorts, 16, MPI_SHORT, 0, TAG_COUNT, MPI_COMM_WORLD, &st);
	check_count(rank, "7 MPI_SHORT", &st, MPI_SHORT, 7);
	for (i = 0; i < 7; i++)
		CHECK(shorts[i] == i,
		      "rank %d: short message [%d]: expected %d, got %d\n",
		      rank, i, i, shorts[i]);

	MPI_Recv(lls, 16, MPI_LONG_LONG, 0, TAG_COUNT, MPI_COMM_WORLD, &st);
	check_count(rank, "3 MPI_LONG_LONG", &st, MPI_LONG_LONG, 3);
	for (i = 0; i < 3; i++)
		CHECK(lls[i] == i,
		      "rank %d: long long message [%d]: expected %d, got "
		      "%lld\n",
		      rank, i, i, lls[i]);

	MPI_Recv(dbls, 16, MPI_DOUBLE, 0, TAG_COUNT, MPI_COMM_WORLD, &st);
	check_count(rank, "5 MPI_DOUBLE", &st, MPI_DOUBLE, 5);
	for (i = 0; i < 5; i++)
		CHECK(dbls[i] == i,
		      "rank %d: double message [%d]: expected %d, got %g\n",
		      rank, i, i, dbls[i]);

	MPI_Recv(ints, 16, MPI_INT, 0, TAG_COUNT, MPI_COMM_WORLD, &st);
	check_count(rank, "0 MPI_INT", &st, MPI_INT, 0);
	CHECK(st.MPI_SOURCE == 0 && st.MPI_TAG == TAG_COUNT,
	      "rank %d: empty message: expected source 0 tag %d, got source %d "
	      "tag %d\n",
	      rank, TAG_COUNT, st.MPI_SOURCE, st.MPI_TAG);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_one_tag(rank, size);
	check_two_tags(rank, size);
	check_any(rank, size);
	check_proc_null(rank);
	check_get_count(rank);
	return mtest_finish();
}
