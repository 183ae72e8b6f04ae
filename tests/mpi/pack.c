/* SPDX-License-Identifier: MIT */
/*
 * pack: MPI_Pack of several types one after another into one buffer (an
 * indexed type of ints whose displacements go down and up, a resized
 * struct of int, double and int, MPI_DOUBLE, MPI_CHAR and an empty
 * count), the position after each the sum of the MPI_Pack_size values
 * (size * count), the packed bytes those of each type in typemap order;
 * MPI_Unpack back into buffers filled with a sentinel, every value
 * compared and the gaps left untouched; the packed buffer sent as
 * MPI_PACKED from rank 0 to every rank (to itself with MPI_Sendrecv) and
 * unpacked there; and the error classes of packing past the end of the
 * buffer, unpacking past its end and packing an uncommitted type.
 * Ranks: any N >= 1.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define NINT	8
#define NREC	2
#define NDBL	3
#define NCHR	5
#define PACKLEN 256
#define TAG	7

struct rec {
	int a;
	double d;
	int b;
};

/* What is packed: ints, recs, doubles and chars, and the types. */
struct data {
	int ints[NINT];
	struct rec recs[NREC];
	double dbls[NDBL];
	char chrs[NCHR];
};

static MPI_Datatype idx, rec;

/* indexed: ints 4, then 0, then 2 and 3 */
static const int idx_len[] = {1, 1, 2}, idx_disp[] = {4, 0, 2};
static const int idx_order[] = {4, 0, 2, 3};
#define IDX_INTS 4

static void make_types(void)
{
	static const int len[] = {1, 1, 1};
	static const MPI_Aint disp[] = {offsetof(struct rec, a),
					offsetof(struct rec, d),
					offsetof(struct rec, b)};
	MPI_Datatype types[] = {MPI_INT, MPI_DOUBLE, MPI_INT};
	MPI_Datatype st;

	MPI_Type_indexed(3, idx_len, idx_disp, MPI_INT, &idx);
	MPI_Type_commit(&idx);
	MPI_Type_create_struct(3, len, disp, types, &st);
	MPI_Type_create_resized(st, 0, sizeof(struct rec), &rec);
	MPI_Type_free(&st);
	MPI_Type_commit(&rec);
}

/* Every byte 0xff: the sentinel of what no type covers. */
static void fill_sentinel(struct data *d)
{
	memset(d, 0xff, sizeof(*d));
}

static void fill(struct data *d)
{
	fill_sentinel(d);
	for (int i = 0; i < NINT; i++)
		d->ints[i] = 100 + i;
	for (int i = 0; i < NREC; i++) {
		d->recs[i].a = 10 * i + 1;
		d->recs[i].d = i + 0.25;
		d->recs[i].b = -10 * i - 2;
	}
	for (int i = 0; i < NDBL; i++)
		d->dbls[i] = 2.5 * i;
	memcpy(d->chrs, "hello", NCHR);
}

/*
 * Pack (unpack false) or unpack all of d at buf, checking the position
 * after each call; returns the final position.
 */
static int pack_all(int rank, const char *what, struct data *d, void *buf,
		    bool unpack)
{
	const struct {
		void *at;
		int count;
		MPI_Datatype t;
	} part[] = {
		{d->ints, 1, idx},	     {d->recs, NREC, rec},
		{d->dbls, NDBL, MPI_DOUBLE}, {d->chrs, 0, MPI_CHAR},
		{d->chrs, NCHR, MPI_CHAR},
	};
	int pos = 0, want = 0;

	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		int size;

		MPI_Pack_size(part[i].count, part[i].t, MPI_COMM_WORLD, &size);
		want += size;
		if (unpack)
			MPI_Unpack(buf, PACKLEN, &pos, part[i].at,
				   part[i].count, part[i].t, MPI_COMM_WORLD);
		else
			MPI_Pack(part[i].at, part[i].count, part[i].t, buf,
				 PACKLEN, &pos, MPI_COMM_WORLD);
		CHECK(pos == want,
		      "rank %d: %s part %zu: position %d, "
		      "expected %d\n",
		      rank, what, i, pos, want);
	}
	return pos;
}

/* MPI_Pack_size of each type: size * count, worked out by hand. */
static void check_pack_size(int rank)
{
	const struct {
		MPI_Datatype t;
		int count, want;
	} sz[] = {
		{idx, 3, 3 * IDX_INTS * (int)sizeof(int)},
		{rec, NREC, NREC * (int)(2 * sizeof(int) + sizeof(double))},
		{MPI_DOUBLE, NDBL, NDBL * (int)sizeof(double)},
		{MPI_CHAR, 0, 0},
	};

	for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		int size = -1;

		MPI_Pack_size(sz[i].count, sz[i].t, MPI_COMM_WORLD, &size);
		CHECK(size == sz[i].want,
		      "rank %d: MPI_Pack_size %zu: %d, expected %d\n", rank, i,
		      size, sz[i].want);
	}
}

/* The packed bytes: each type's in typemap order, one after another. */
static void check_packed(int rank, const struct data *d,
			 const unsigned char *buf)
{
	unsigned char want[PACKLEN], *w = want;

	for (int i = 0; i < IDX_INTS; i++, w += sizeof(int))
		memcpy(w, &d->ints[idx_order[i]], sizeof(int));
	for (int i = 0; i < NREC; i++) {
		memcpy(w, &d->recs[i].a, sizeof(int));
		memcpy(w + sizeof(int), &d->recs[i].d, sizeof(double));
		memcpy(w + sizeof(int) + sizeof(double), &d->recs[i].b,
		       sizeof(int));
		w += 2 * sizeof(int) + sizeof(double);
	}
	memcpy(w, d->dbls, sizeof(d->dbls));
	w += sizeof(d->dbls);
	memcpy(w, d->chrs, NCHR);
	w += NCHR;
	CHECK(memcmp(buf, want, w - want) == 0,
	      "rank %d: MPI_Pack: the packed bytes differ\n", rank);
}

/*
 * Check unpacked data: what the types cover equals src, every other
 * byte is still the sentinel.
 */
static void check_unpacked(int rank, const char *what, const struct data *got,
			   const struct data *src)
{
	struct data want;

	fill_sentinel(&want);
	for (int i = 0; i < IDX_INTS; i++)
		want.ints[idx_order[i]] = src->ints[idx_order[i]];
	for (int i = 0; i < NREC; i++) {
		want.recs[i].a = src->recs[i].a;
		want.recs[i].d = src->recs[i].d;
		want.recs[i].b = src->recs[i].b;
	}
	memcpy(want.dbls, src->dbls, sizeof(want.dbls));
	memcpy(want.chrs, src->chrs, NCHR);
	CHECK(memcmp(got, &want, sizeof(want)) == 0,
	      "rank %d: %s: unpacked data differ\n", rank, what);
}

static int class_of(int code)
{
	int cls = -1;

	MPI_Error_class(code, &cls);
	return cls;
}

/* Past the end of the buffer, and an uncommitted type, ERRORS_RETURN. */
static void check_errors(int rank)
{
	unsigned char buf[16];
	double dbls[NDBL] = {0};
	MPI_Datatype t;
	int pos = 8, rc;

	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	rc = MPI_Pack(dbls, 2, MPI_DOUBLE, buf, sizeof(buf), &pos,
		      MPI_COMM_WORLD);
	CHECK(class_of(rc) == MPI_ERR_TRUNCATE && pos == 8,
	      "rank %d: MPI_Pack past the end: class %d, position %d\n", rank,
	      class_of(rc), pos);
	rc = MPI_Unpack(buf, sizeof(buf), &pos, dbls, 2, MPI_DOUBLE,
			MPI_COMM_WORLD);
	CHECK(class_of(rc) == MPI_ERR_TRUNCATE && pos == 8,
	      "rank %d: MPI_Unpack past the end: class %d, position %d\n", rank,
	      class_of(rc), pos);
	MPI_Type_contiguous(2, MPI_DOUBLE, &t);
	rc = MPI_Pack(dbls, 1, t, buf, sizeof(buf), &pos, MPI_COMM_WORLD);
	CHECK(class_of(rc) == MPI_ERR_TYPE,
	      "rank %d: MPI_Pack of an uncommitted type: class %d\n", rank,
	      class_of(rc));
	MPI_Type_free(&t);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char **argv)
{
	unsigned char packed[PACKLEN], got[PACKLEN];
	struct data src, dst;
	int rank, size, len, n = -1;
	MPI_Status st;

	mtest_init(&argc, &argv, 1, &rank, &size);
	make_types();
	check_pack_size(rank);

	fill(&src);
	len = pack_all(rank, "MPI_Pack", &src, packed, false);
	check_packed(rank, &src, packed);
	fill_sentinel(&dst);
	pack_all(rank, "MPI_Unpack", &dst, packed, true);
	check_unpacked(rank, "MPI_Unpack", &dst, &src);

	/* rank 0's packed buffer to every rank */
	memset(got, 0, sizeof(got));
	if (rank == 0) {
		for (int r = 1; r < size; r++)
			MPI_Send(packed, len, MPI_PACKED, r, TAG,
				 MPI_COMM_WORLD);
		MPI_Sendrecv(packed, len, MPI_PACKED, 0, TAG, got, PACKLEN,
			     MPI_PACKED, 0, TAG, MPI_COMM_WORLD, &st);
	} else {
		MPI_Recv(got, PACKLEN, MPI_PACKED, 0, TAG, MPI_COMM_WORLD, &st);
	}
	MPI_Get_count(&st, MPI_PACKED, &n);
	CHECK(n == len, "rank %d: MPI_PACKED received: count %d, expected %d\n",
	      rank, n, len);
	fill_sentinel(&dst);
	pack_all(rank, "MPI_Unpack of MPI_PACKED", &dst, got, true);
	check_unpacked(rank, "MPI_Unpack of MPI_PACKED", &dst, &src);

	check_errors(rank);
	MPI_Type_free(&idx);
	MPI_Type_free(&rec);
	return mtest_finish();
}
