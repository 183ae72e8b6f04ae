/* SPDX-License-Identifier: MIT */
/*
 * comm_split: communicator management. MPI_Comm_compare gives MPI_IDENT
 * for a communicator and itself, MPI_CONGRUENT for MPI_Comm_dup of
 * MPI_COMM_WORLD and for a split that keeps every rank in order,
 * MPI_SIMILAR for one that reverses the order and MPI_UNEQUAL for
 * MPI_COMM_SELF vs MPI_COMM_WORLD (N > 1); MPI_Comm_split by parity with
 * key = -rank gives the expected size, reversed ranks and members;
 * color MPI_UNDEFINED gives MPI_COMM_NULL; a message on a dup is received
 * only on the dup even when one with the same source and tag is sent on
 * MPI_COMM_WORLD (receives posted, or issued, in the opposite order of
 * the sends); MPI_Comm_set_name / MPI_Comm_get_name; MPI_Comm_free sets
 * MPI_COMM_NULL; 4096 dups created and freed holding 64 at a time; 4096
 * dups alive at once, used, then freed.
 * Ranks: any N >= 2 (N = 1 works too). Relies on standard-mode sends of
 * one int completing before they are matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define TAG_ISO 9
#define NCHURN	4096
#define NSLOT	64
#define NHOLD	4096

static const char *cmp_name(int res)
{
	if (res == MPI_IDENT)
		return "MPI_IDENT";
	if (res == MPI_CONGRUENT)
		return "MPI_CONGRUENT";
	if (res == MPI_SIMILAR)
		return "MPI_SIMILAR";
	if (res == MPI_UNEQUAL)
		return "MPI_UNEQUAL";
	return "(not a comparison result)";
}

static void check_compare(int rank, const char *what, MPI_Comm a, MPI_Comm b,
			  int want)
{
	int res = -1;

	MPI_Comm_compare(a, b, &res);
	CHECK(res == want,
	      "rank %d: MPI_Comm_compare %s: expected %s, got %s\n", rank, what,
	      cmp_name(want), cmp_name(res));
}

static void check_size_rank(int rank, const char *what, MPI_Comm comm,
			    int want_size, int want_rank)
{
	int s = -1, r = -1;

	MPI_Comm_size(comm, &s);
	MPI_Comm_rank(comm, &r);
	CHECK(s == want_size, "rank %d: %s: expected size %d, got %d\n", rank,
	      what, want_size, s);
	CHECK(r == want_rank, "rank %d: %s: expected rank %d, got %d\n", rank,
	      what, want_rank, r);
}

static void free_comm(int rank, const char *what, MPI_Comm *comm)
{
	MPI_Comm_free(comm);
	CHECK(*comm == MPI_COMM_NULL,
	      "rank %d: MPI_Comm_free of %s: expected MPI_COMM_NULL "
	      "afterwards\n",
	      rank, what);
}

static void check_dup_compare(int rank, int size)
{
	MPI_Comm dup;

	MPI_Comm_dup(MPI_COMM_WORLD, &dup);
	check_size_rank(rank, "dup of MPI_COMM_WORLD", dup, size, rank);
	check_compare(rank, "(WORLD, WORLD)", MPI_COMM_WORLD, MPI_COMM_WORLD,
		      MPI_IDENT);
	check_compare(rank, "(WORLD, dup)", MPI_COMM_WORLD, dup, MPI_CONGRUENT);
	check_compare(rank, "(dup, WORLD)", dup, MPI_COMM_WORLD, MPI_CONGRUENT);
	check_compare(rank, "(dup, dup)", dup, dup, MPI_IDENT);
	check_compare(rank, "(SELF, SELF)", MPI_COMM_SELF, MPI_COMM_SELF,
		      MPI_IDENT);
	if (size > 1)
		check_compare(rank, "(SELF, WORLD)", MPI_COMM_SELF,
			      MPI_COMM_WORLD, MPI_UNEQUAL);
	free_comm(rank, "dup", &dup);
}

static void check_split_parity(int rank, int size)
{
	int color = rank % 2;
	int want_size = 0, want_rank = 0, r, j;
	MPI_Comm comm;
	int *members;

	/* Members have this parity; key -r orders them by falling rank. */
	for (r = 0; r < size; r++) {
		if (r % 2 != color)
			continue;
		want_size++;
		if (r > rank)
			want_rank++;
	}
	MPI_Comm_split(MPI_COMM_WORLD, color, -rank, &comm);
	check_size_rank(rank, "parity split", comm, want_size, want_rank);
	if (size > 1)
		check_compare(rank, "(parity split, WORLD)", comm,
			      MPI_COMM_WORLD, MPI_UNEQUAL);

	members = malloc(size * sizeof(int));
	for (j = 0; j < size; j++)
		members[j] = -1;
	MPI_Allgather(&rank, 1, MPI_INT, members, 1, MPI_INT, comm);
	/* New rank j is the j-th largest world rank of this parity. */
	j = 0;
	for (r = size - 1; r >= 0; r--) {
		if (r % 2 != color)
			continue;
		CHECK(members[j] == r,
		      "rank %d: parity split member %d: expected world rank "
		      "%d, got %d\n",
		      rank, j, r, members[j]);
		j++;
	}
	free(members);
	free_comm(rank, "parity split", &comm);
}

static void check_split_order(int rank, int size)
{
	MPI_Comm comm;

	MPI_Comm_split(MPI_COMM_WORLD, 7, 0, &comm);
	check_size_rank(rank, "split with equal keys", comm, size, rank);
	check_compare(rank, "(split with equal keys, WORLD)", comm,
		      MPI_COMM_WORLD, MPI_CONGRUENT);
	free_comm(rank, "split with equal keys", &comm);

	MPI_Comm_split(MPI_COMM_WORLD, 0, -rank, &comm);
	check_size_rank(rank, "reversing split", comm, size, size - 1 - rank);
	check_compare(rank, "(reversing split, WORLD)", comm, MPI_COMM_WORLD,
		      size > 1 ? MPI_SIMILAR : MPI_CONGRUENT);
	free_comm(rank, "reversing split", &comm);
}

static int left_out(int r, int size)
{
	return r % 3 == 2 || r == size - 1;
}

static void check_split_undefined(int rank, int size)
{
	int want_size = 0, want_rank = 0, r;
	MPI_Comm comm;

	for (r = 0; r < size; r++) {
		if (left_out(r, size))
			continue;
		want_size++;
		if (r < rank)
			want_rank++;
	}
	MPI_Comm_split(MPI_COMM_WORLD, left_out(rank, size) ? MPI_UNDEFINED : 0,
		       rank, &comm);
	if (left_out(rank, size)) {
		CHECK(comm == MPI_COMM_NULL,
		      "rank %d: split with MPI_UNDEFINED: expected "
		      "MPI_COMM_NULL\n",
		      rank);
		if (comm != MPI_COMM_NULL)
			MPI_Comm_free(&comm);
		return;
	}
	if (comm == MPI_COMM_NULL) {
		CHECK(0,
		      "rank %d: split with color 0: expected a communicator, "
		      "got MPI_COMM_NULL\n",
		      rank);
		return;
	}
	check_size_rank(rank, "split leaving ranks out", comm, want_size,
			want_rank);
	free_comm(rank, "split leaving ranks out", &comm);
}

static void check_iso_value(int rank, const char *what, int got, int want,
			    const MPI_Status *st, int src)
{
	CHECK(got == want, "rank %d: %s: expected %d, got %d\n", rank, what,
	      want, got);
	CHECK(st->MPI_SOURCE == src && st->MPI_TAG == TAG_ISO,
	      "rank %d: %s: expected source %d tag %d, got source %d tag %d\n",
	      rank, what, src, TAG_ISO, st->MPI_SOURCE, st->MPI_TAG);
}

/*
 * Each rank sends its right neighbour one int on MPI_COMM_WORLD, then one
 * with the same tag on the dup; the neighbour receives in the opposite
 * order. First with the receives issued after the sends (the dup receive
 * uses wildcards), then with them posted before.
 */
static void check_isolation(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int v_world = 1000 + rank, v_dup = 2000 + rank, in;
	MPI_Request req[2];
	MPI_Status st[2];
	MPI_Comm dup;
	int a, b;

	MPI_Comm_dup(MPI_COMM_WORLD, &dup);

	MPI_Send(&v_world, 1, MPI_INT, right, TAG_ISO, MPI_COMM_WORLD);
	MPI_Send(&v_dup, 1, MPI_INT, right, TAG_ISO, dup);
	in = -1;
	MPI_Recv(&in, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, dup, &st[0]);
	check_iso_value(rank, "wildcard receive on dup", in, 2000 + left,
			&st[0], left);
	in = -1;
	MPI_Recv(&in, 1, MPI_INT, left, TAG_ISO, MPI_COMM_WORLD, &st[0]);
	check_iso_value(rank, "receive on WORLD", in, 1000 + left, &st[0],
			left);

	a = -1;
	b = -1;
	MPI_Irecv(&b, 1, MPI_INT, left, TAG_ISO, dup, &req[0]);
	MPI_Irecv(&a, 1, MPI_INT, left, TAG_ISO, MPI_COMM_WORLD, &req[1]);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Send(&v_world, 1, MPI_INT, right, TAG_ISO, MPI_COMM_WORLD);
	MPI_Send(&v_dup, 1, MPI_INT, right, TAG_ISO, dup);
	MPI_Waitall(2, req, st);
	check_iso_value(rank, "posted receive on dup", b, 2000 + left, &st[0],
			left);
	check_iso_value(rank, "posted receive on WORLD", a, 1000 + left, &st[1],
			left);

	free_comm(rank, "isolation dup", &dup);
}

static void check_name(int rank, const char *what, MPI_Comm comm,
		       const char *want)
{
	char name[MPI_MAX_OBJECT_NAME];
	int len = -1;

	memset(name, 0, sizeof(name));
	MPI_Comm_get_name(comm, name, &len);
	CHECK(strcmp(name, want) == 0,
	      "rank %d: MPI_Comm_get_name %s: expected \"%s\", got \"%s\"\n",
	      rank, what, want, name);
	CHECK(len == (int)strlen(want),
	      "rank %d: MPI_Comm_get_name %s: expected length %d, got %d\n",
	      rank, what, (int)strlen(want), len);
}

static void check_names(int rank)
{
	char name[MPI_MAX_OBJECT_NAME];
	MPI_Comm dup;

	check_name(rank, "of MPI_COMM_WORLD", MPI_COMM_WORLD, "MPI_COMM_WORLD");
	check_name(rank, "of MPI_COMM_SELF", MPI_COMM_SELF, "MPI_COMM_SELF");

	MPI_Comm_dup(MPI_COMM_WORLD, &dup);
	MPI_Comm_set_name(dup, "snemu test dup");
	check_name(rank, "after set_name", dup, "snemu test dup");
	snprintf(name, sizeof(name), "renamed on rank %d", rank);
	MPI_Comm_set_name(dup, name);
	check_name(rank, "after a second set_name", dup, name);
	check_name(rank, "of MPI_COMM_WORLD after naming a dup", MPI_COMM_WORLD,
		   "MPI_COMM_WORLD");
	free_comm(rank, "named dup", &dup);
}

/* Sum of world ranks over comm, which must be congruent to WORLD. */
static void check_use(int rank, int size, const char *what, MPI_Comm comm)
{
	int sum = -1;

	MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, comm);
	CHECK(sum == size * (size - 1) / 2,
	      "rank %d: MPI_Allreduce on %s: expected %d, got %d\n", rank, what,
	      size * (size - 1) / 2, sum);
}

static void check_churn(int rank, int size)
{
	MPI_Comm slot[NSLOT];
	int i;

	for (i = 0; i < NSLOT; i++)
		slot[i] = MPI_COMM_NULL;
	for (i = 0; i < NCHURN; i++) {
		if (slot[i % NSLOT] != MPI_COMM_NULL)
			MPI_Comm_free(&slot[i % NSLOT]);
		MPI_Comm_dup(MPI_COMM_WORLD, &slot[i % NSLOT]);
		if (i % 512 == 511)
			check_use(rank, size, "a churned dup", slot[i % NSLOT]);
	}
	for (i = 0; i < NSLOT; i++)
		free_comm(rank, "a churned dup", &slot[i]);
}

static void check_hold(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	MPI_Comm *comm;
	MPI_Status st;
	int i, in = -1, out = rank + 77;

	comm = malloc(NHOLD * sizeof(*comm));
	for (i = 0; i < NHOLD; i++)
		MPI_Comm_dup(MPI_COMM_WORLD, &comm[i]);
	MPI_Sendrecv(&out, 1, MPI_INT, right, TAG_ISO, &in, 1, MPI_INT,
		     MPI_ANY_SOURCE, MPI_ANY_TAG, comm[NHOLD - 1], &st);
	check_iso_value(rank, "exchange on the last held dup", in, left + 77,
			&st, left);
	check_compare(rank, "(last held dup, WORLD)", comm[NHOLD - 1],
		      MPI_COMM_WORLD, MPI_CONGRUENT);
	check_compare(rank, "(first held dup, last held dup)", comm[0],
		      comm[NHOLD - 1], MPI_CONGRUENT);
	check_use(rank, size, "the first held dup", comm[0]);
	for (i = 0; i < NHOLD; i++)
		MPI_Comm_free(&comm[i]);
	for (i = 0; i < NHOLD; i++) {
		if (comm[i] != MPI_COMM_NULL) {
			CHECK(0,
			      "rank %d: MPI_Comm_free of held dup %d: expected "
			      "MPI_COMM_NULL afterwards\n",
			      rank, i);
			break;
		}
	}
	free(comm);
}

int main(int argc, char **argv)
{
	int rank, size;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	check_dup_compare(rank, size);
	check_split_parity(rank, size);
	check_split_order(rank, size);
	check_split_undefined(rank, size);
	check_isolation(rank, size);
	check_names(rank);
	check_churn(rank, size);
	check_hold(rank, size);
	return mtest_finish();
}
