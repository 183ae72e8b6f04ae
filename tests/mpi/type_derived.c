/* SPDX-License-Identifier: MIT */
/*
 * type_derived: every derived datatype constructor (contiguous, vector,
 * hvector, indexed, hindexed, indexed_block, hindexed_block, struct,
 * resized, subarray in C and Fortran order, dup), each type's size,
 * extent and true extent checked against values worked out by hand
 * (negative and decreasing displacements, zero counts and block lengths,
 * a struct of mixed types, a resized type that interleaves); then data of
 * each type sent from rank 0 to every rank (to itself with MPI_Sendrecv),
 * every received element checked and every byte outside the type (gaps)
 * left as it was. Types of ints are also received as MPI_INT (the packed
 * order is the typemap's) and received from a message of MPI_INT one int
 * short (MPI_Get_count undefined, MPI_Get_elements the ints). MPI_Allreduce
 * with MPI_SUM over a vector of ints (count 2), MPI_Bcast of a struct, and
 * the error classes of bad constructor arguments and of sending with an
 * uncommitted type.
 * Ranks: any N >= 1.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define LEN	 256 /* ints of every buffer */
#define ORG	 64  /* where in it the data of a type starts */
#define SENT	 (-1)
#define MAXSLOT	 16
#define TAG_TYPE 1
#define TAG_INTS 2
#define TAG_PART 3
#define NREC	 3

/*
 * A type and what it must be: size and bounds in bytes; its n ints in
 * typemap order, as offsets in ints from the start of an element (every
 * extent is a multiple of an int); ints: every basic element an MPI_INT,
 * else basic: the basic elements of one element.
 */
struct expect {
	const char *name;
	MPI_Datatype t;
	int size;
	MPI_Aint lb, extent, true_lb, true_extent;
	int count; /* elements sent */
	int n;
	int slot[MAXSLOT];
	bool ints;
	int basic;
};

/* A record with a gap (the padding after b) where nothing may be written. */
struct rec {
	int a[2];
	double d;
	int b;
};

static int value(int pos)
{
	return 1000 + pos;
}

/* The buffer index of int j (typemap order) of element e of x. */
static int pos_of(const struct expect *x, int e, int j)
{
	return ORG + e * (int)(x->extent / (MPI_Aint)sizeof(int)) + x->slot[j];
}

static void fill_sent(int *buf)
{
	for (int i = 0; i < LEN; i++)
		buf[i] = SENT;
}

static void check_bounds(int rank, const struct expect *x)
{
	MPI_Aint lb, ext, tlb, text;
	int size;

	MPI_Type_size(x->t, &size);
	MPI_Type_get_extent(x->t, &lb, &ext);
	MPI_Type_get_true_extent(x->t, &tlb, &text);
	CHECK(size == x->size, "rank %d: %s: size %d, expected %d\n", rank,
	      x->name, size, x->size);
	CHECK(lb == x->lb && ext == x->extent,
	      "rank %d: %s: lb %ld extent %ld, expected %ld %ld\n", rank,
	      x->name, (long)lb, (long)ext, (long)x->lb, (long)x->extent);
	CHECK(tlb == x->true_lb && text == x->true_extent,
	      "rank %d: %s: true lb %ld extent %ld, expected %ld %ld\n", rank,
	      x->name, (long)tlb, (long)text, (long)x->true_lb,
	      (long)x->true_extent);
}

/*
 * Check buf after the first k ints (typemap order) of x's elements came
 * in: those hold value(their index), everything else is still SENT.
 */
static void check_data(int rank, const char *what, const struct expect *x,
		       const int *buf, int k)
{
	int want[LEN];

	fill_sent(want);
	for (int i = 0; i < k; i++) {
		int p = pos_of(x, i / x->n, i % x->n);

		want[p] = value(p);
	}
	for (int i = 0; i < LEN; i++) {
		if (buf[i] != want[i]) {
			CHECK(0, "rank %d: %s of %s: [%d] = %d, expected %d\n",
			      rank, what, x->name, i - ORG, buf[i], want[i]);
			return;
		}
	}
}

/* Check MPI_Get_count and MPI_Get_elements of st with type t. */
static void check_counts(int rank, const char *what, const struct expect *x,
			 const MPI_Status *st, MPI_Datatype t, int count,
			 int elements)
{
	int c = -1, e = -1;

	MPI_Get_count(st, t, &c);
	MPI_Get_elements(st, t, &e);
	CHECK(c == count && e == elements,
	      "rank %d: %s of %s: count %d elements %d, expected %d %d\n", rank,
	      what, x->name, c, e, count, elements);
}

/*
 * Rank 0 sends scount of stype from sbuf to every rank (to itself with
 * MPI_Sendrecv); every rank receives rcount of rtype into rbuf.
 */
static void spread(int rank, int size, const void *sbuf, int scount,
		   MPI_Datatype stype, void *rbuf, int rcount,
		   MPI_Datatype rtype, int tag, MPI_Status *st)
{
	if (rank != 0) {
		MPI_Recv(rbuf, rcount, rtype, 0, tag, MPI_COMM_WORLD, st);
		return;
	}
	for (int r = 1; r < size; r++)
		MPI_Send(sbuf, scount, stype, r, tag, MPI_COMM_WORLD);
	MPI_Sendrecv(sbuf, scount, stype, 0, tag, rbuf, rcount, rtype, 0, tag,
		     MPI_COMM_WORLD, st);
}

/*
 * x's type to every rank: as itself; for ints also as MPI_INT (the
 * packed order), and one int short of whole elements into the type.
 */
static void check_sends(int rank, int size, const struct expect *x)
{
	int src[LEN], buf[LEN], seq[LEN], all = x->count * x->n;
	MPI_Status st;

	for (int i = 0; i < LEN; i++)
		src[i] = value(i);
	fill_sent(buf);
	spread(rank, size, src + ORG, x->count, x->t, buf + ORG, x->count, x->t,
	       TAG_TYPE, &st);
	check_data(rank, "send", x, buf, all);
	check_counts(rank, "send", x, &st, x->t, x->size ? x->count : 0,
		     x->count * (x->ints ? x->n : x->basic));
	if (!x->ints)
		return;

	fill_sent(buf);
	spread(rank, size, src + ORG, x->count, x->t, buf, LEN, MPI_INT,
	       TAG_INTS, &st);
	for (int i = 0; i < LEN; i++) {
		int want =
			i < all ? value(pos_of(x, i / x->n, i % x->n)) : SENT;

		if (buf[i] != want) {
			CHECK(0,
			      "rank %d: %s as MPI_INT: [%d] = %d, "
			      "expected %d\n",
			      rank, x->name, i, buf[i], want);
			break;
		}
	}
	check_counts(rank, "receive as MPI_INT", x, &st, MPI_INT, all, all);
	check_counts(rank, "receive as MPI_INT", x, &st, x->t, x->count, all);

	for (int i = 0; i < all; i++)
		seq[i] = value(pos_of(x, i / x->n, i % x->n));
	fill_sent(buf);
	spread(rank, size, seq, all - 1, MPI_INT, buf + ORG, x->count, x->t,
	       TAG_PART, &st);
	check_data(rank, "short send", x, buf, all - 1);
	check_counts(rank, "short send", x, &st, x->t,
		     (all - 1) % x->n ? MPI_UNDEFINED : (all - 1) / x->n,
		     all - 1);
}

/* Check x's bounds, commit it, send it, free it. */
static void check_type(int rank, int size, struct expect *x)
{
	check_bounds(rank, x);
	MPI_Type_commit(&x->t);
	check_sends(rank, size, x);
	MPI_Type_free(&x->t);
}

static void check_contiguous(int rank, int size)
{
	struct expect x = {.name = "contiguous(3, int)",
			   .size = 12,
			   .extent = 12,
			   .true_extent = 12,
			   .count = 2,
			   .n = 3,
			   .slot = {0, 1, 2},
			   .ints = true};

	MPI_Type_contiguous(3, MPI_INT, &x.t);
	check_type(rank, size, &x);
}

static void check_vector(int rank, int size)
{
	struct expect x = {.name = "vector(3, 2, 4, int)",
			   .size = 24,
			   .extent = 40,
			   .true_extent = 40,
			   .count = 2,
			   .n = 6,
			   .slot = {0, 1, 4, 5, 8, 9},
			   .ints = true};
	/* blocks at 0, -8, -16 bytes: packed in that order */
	struct expect neg = {.name = "vector(3, 1, -2, int)",
			     .size = 12,
			     .lb = -16,
			     .extent = 20,
			     .true_lb = -16,
			     .true_extent = 20,
			     .count = 2,
			     .n = 3,
			     .slot = {0, -2, -4},
			     .ints = true};
	struct expect none = {.name = "vector(0, 2, 3, int)", .count = 2};
	struct expect empty = {.name = "vector(3, 0, 2, int)", .count = 2};

	MPI_Type_vector(3, 2, 4, MPI_INT, &x.t);
	check_type(rank, size, &x);
	MPI_Type_vector(3, 1, -2, MPI_INT, &neg.t);
	check_type(rank, size, &neg);
	MPI_Type_vector(0, 2, 3, MPI_INT, &none.t);
	check_type(rank, size, &none);
	MPI_Type_vector(3, 0, 2, MPI_INT, &empty.t);
	check_type(rank, size, &empty);
}

static void check_hvector(int rank, int size)
{
	struct expect x = {.name = "hvector(2, 3, 20 bytes, int)",
			   .size = 24,
			   .extent = 32,
			   .true_extent = 32,
			   .count = 2,
			   .n = 6,
			   .slot = {0, 1, 2, 5, 6, 7},
			   .ints = true};
	/* two vector(3, 2, 4, int) (extent 40) 48 bytes apart */
	struct expect nest = {
		.name = "hvector(2, 1, 48 bytes, vector)",
		.size = 48,
		.extent = 88,
		.true_extent = 88,
		.count = 2,
		.n = 12,
		.slot = {0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21},
		.ints = true};
	MPI_Datatype vec;

	MPI_Type_create_hvector(2, 3, 20, MPI_INT, &x.t);
	check_type(rank, size, &x);
	MPI_Type_vector(3, 2, 4, MPI_INT, &vec);
	MPI_Type_create_hvector(2, 1, 48, vec, &nest.t);
	MPI_Type_free(&vec);
	check_type(rank, size, &nest);
}

static void check_indexed(int rank, int size)
{
	static const int len[] = {2, 1, 3}, disp[] = {4, 0, 7};
	/* a zero-length block far out adds nothing, not even to the bounds */
	static const int nlen[] = {1, 0, 2, 1}, ndisp[] = {3, 100, -2, 0};
	struct expect x = {.name = "indexed({2, 1, 3}, {4, 0, 7}, int)",
			   .size = 24,
			   .extent = 40,
			   .true_extent = 40,
			   .count = 2,
			   .n = 6,
			   .slot = {4, 5, 0, 7, 8, 9},
			   .ints = true};
	struct expect neg = {
		.name = "indexed({1, 0, 2, 1}, {3, 100, -2, 0}, int)",
		.size = 16,
		.lb = -8,
		.extent = 24,
		.true_lb = -8,
		.true_extent = 24,
		.count = 2,
		.n = 4,
		.slot = {3, -2, -1, 0},
		.ints = true};
	struct expect dup = neg;
	MPI_Datatype t;

	MPI_Type_indexed(3, len, disp, MPI_INT, &x.t);
	check_type(rank, size, &x);
	MPI_Type_indexed(4, nlen, ndisp, MPI_INT, &neg.t);
	dup.name = "dup of indexed({1, 0, 2, 1}, ...)";
	MPI_Type_indexed(4, nlen, ndisp, MPI_INT, &t);
	MPI_Type_dup(t, &dup.t);
	MPI_Type_free(&t);
	check_type(rank, size, &neg);
	check_type(rank, size, &dup);
}

static void check_hindexed(int rank, int size)
{
	static const int len[] = {2, 1};
	static const MPI_Aint disp[] = {12, -4};
	struct expect x = {.name = "hindexed({2, 1}, {12, -4 bytes}, int)",
			   .size = 12,
			   .lb = -4,
			   .extent = 24,
			   .true_lb = -4,
			   .true_extent = 24,
			   .count = 2,
			   .n = 3,
			   .slot = {3, 4, -1},
			   .ints = true};

	MPI_Type_create_hindexed(2, len, disp, MPI_INT, &x.t);
	check_type(rank, size, &x);
}

static void check_indexed_block(int rank, int size)
{
	static const int disp[] = {6, 0, 3};
	static const MPI_Aint hdisp[] = {8, 24};
	struct expect x = {.name = "indexed_block(2, {6, 0, 3}, int)",
			   .size = 24,
			   .extent = 32,
			   .true_extent = 32,
			   .count = 2,
			   .n = 6,
			   .slot = {6, 7, 0, 1, 3, 4},
			   .ints = true};
	/* nothing below 8 bytes: lb 8 */
	struct expect h = {.name = "hindexed_block(2, {8, 24 bytes}, int)",
			   .size = 16,
			   .lb = 8,
			   .extent = 24,
			   .true_lb = 8,
			   .true_extent = 24,
			   .count = 2,
			   .n = 4,
			   .slot = {2, 3, 6, 7},
			   .ints = true};

	MPI_Type_create_indexed_block(3, 2, disp, MPI_INT, &x.t);
	check_type(rank, size, &x);
	MPI_Type_create_hindexed_block(2, 2, hdisp, MPI_INT, &h.t);
	check_type(rank, size, &h);
}

/*
 * The struct of struct rec (extent: to the end of b) and, resized, its
 * array type (extent sizeof(struct rec)).
 */
static void rec_types(MPI_Datatype *st, MPI_Datatype *arr)
{
	static const int len[] = {2, 1, 1};
	static const MPI_Aint disp[] = {offsetof(struct rec, a),
					offsetof(struct rec, d),
					offsetof(struct rec, b)};
	MPI_Datatype types[] = {MPI_INT, MPI_DOUBLE, MPI_INT};

	MPI_Type_create_struct(3, len, disp, types, st);
	MPI_Type_create_resized(*st, 0, sizeof(struct rec), arr);
}

#define REC_SLOT(f) (int)(offsetof(struct rec, f) / sizeof(int))

static void check_struct(int rank, int size)
{
	static const int len[] = {2, 0};
	static const MPI_Aint disp[] = {0, 100};
	MPI_Datatype types[] = {MPI_INT, MPI_DOUBLE};
	struct expect st = {
		.name = "struct {int[2], double, int}",
		.size = 3 * sizeof(int) + sizeof(double),
		.extent = offsetof(struct rec, b) + sizeof(int),
		.true_extent = offsetof(struct rec, b) + sizeof(int),
		.count = 2,
		.n = 5,
		.slot = {0, 1, REC_SLOT(d), REC_SLOT(d) + 1, REC_SLOT(b)},
		.basic = 4};
	struct expect arr = st;
	/* no double in it (its block is empty): a type of ints */
	struct expect ints = {.name = "struct {int[2], double[0]}",
			      .size = 8,
			      .extent = 8,
			      .true_extent = 8,
			      .count = 2,
			      .n = 2,
			      .slot = {0, 1},
			      .ints = true};
	struct expect none = {.name = "struct of no blocks", .count = 2};

	arr.name = "struct {int[2], double, int} resized to its C size";
	arr.extent = sizeof(struct rec);
	rec_types(&st.t, &arr.t);
	check_type(rank, size, &st);
	check_type(rank, size, &arr);
	MPI_Type_create_struct(2, len, disp, types, &ints.t);
	check_type(rank, size, &ints);
	MPI_Type_create_struct(0, NULL, NULL, NULL, &none.t);
	check_type(rank, size, &none);
}

static void check_resized(int rank, int size)
{
	/*
	 * vector(2, 1, 3, int) at a stride of 2 ints (extent 8, lb -8):
	 * elements {0, 3}, {2, 5}, {4, 7} interleave
	 */
	struct expect x = {.name = "resized(vector(2, 1, 3, int), -8, 8)",
			   .size = 8,
			   .lb = -8,
			   .extent = 8,
			   .true_lb = 0,
			   .true_extent = 16,
			   .count = 3,
			   .n = 2,
			   .slot = {0, 3},
			   .ints = true};
	struct expect empty = {.name = "resized(vector(0, ...), 0, 8)",
			       .extent = 8,
			       .count = 2};
	MPI_Datatype vec;

	MPI_Type_vector(2, 1, 3, MPI_INT, &vec);
	MPI_Type_create_resized(vec, -8, 8, &x.t);
	MPI_Type_free(&vec);
	check_type(rank, size, &x);
	MPI_Type_vector(0, 1, 3, MPI_INT, &vec);
	MPI_Type_create_resized(vec, 0, 8, &empty.t);
	MPI_Type_free(&vec);
	check_type(rank, size, &empty);
}

static void check_subarray(int rank, int size)
{
	static const int sizes[] = {4, 5}, subsizes[] = {2, 3};
	static const int starts[] = {1, 2};
	static const int sizes3[] = {2, 3, 4}, subsizes3[] = {1, 2, 2};
	static const int starts3[] = {1, 1, 1};
	/* rows 1..2, columns 2..4 of 4 x 5 ints: index 5 * row + column */
	struct expect c = {.name = "subarray C {4, 5} {2, 3} {1, 2}",
			   .size = 24,
			   .extent = 80,
			   .true_lb = 28,
			   .true_extent = 32,
			   .count = 2,
			   .n = 6,
			   .slot = {7, 8, 9, 12, 13, 14},
			   .ints = true};
	/* the first dimension varies fastest: index i0 + 4 * i1 */
	struct expect f = {.name = "subarray Fortran {4, 5} {2, 3} {1, 2}",
			   .size = 24,
			   .extent = 80,
			   .true_lb = 36,
			   .true_extent = 40,
			   .count = 2,
			   .n = 6,
			   .slot = {9, 10, 13, 14, 17, 18},
			   .ints = true};
	/* index 12 * i + 4 * j + k */
	struct expect c3 = {.name = "subarray C {2, 3, 4} {1, 2, 2} {1, 1, 1}",
			    .size = 16,
			    .extent = 96,
			    .true_lb = 68,
			    .true_extent = 24,
			    .count = 2,
			    .n = 4,
			    .slot = {17, 18, 21, 22},
			    .ints = true};

	MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_C,
				 MPI_INT, &c.t);
	check_type(rank, size, &c);
	MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_FORTRAN,
				 MPI_INT, &f.t);
	check_type(rank, size, &f);
	MPI_Type_create_subarray(3, sizes3, subsizes3, starts3, MPI_ORDER_C,
				 MPI_INT, &c3.t);
	check_type(rank, size, &c3);
}

/*
 * MPI_Allreduce SUM of 2 vector(2, 2, 3, int): ints {0, 1, 3, 4} and
 * {5, 6, 8, 9}; rank r gives 100 * r + index; the gaps stay SENT.
 */
static void check_allreduce(int rank, int size)
{
	static const int slots[] = {0, 1, 3, 4, 5, 6, 8, 9};
	int in[LEN], out[LEN], want[LEN];
	MPI_Datatype vec;

	fill_sent(in);
	fill_sent(out);
	fill_sent(want);
	for (int i = 0; i < 8; i++) {
		int p = ORG + slots[i];

		in[p] = 100 * rank + p;
		want[p] = 100 * size * (size - 1) / 2 + size * p;
	}
	MPI_Type_vector(2, 2, 3, MPI_INT, &vec);
	MPI_Type_commit(&vec);
	MPI_Allreduce(in + ORG, out + ORG, 2, vec, MPI_SUM, MPI_COMM_WORLD);
	MPI_Type_free(&vec);
	for (int i = 0; i < LEN; i++) {
		if (out[i] != want[i]) {
			CHECK(0,
			      "rank %d: MPI_Allreduce of vector: [%d] = %d, "
			      "expected %d\n",
			      rank, i - ORG, out[i], want[i]);
			break;
		}
	}
}

/* MPI_Bcast of NREC struct rec from the last rank; padding untouched. */
static void check_bcast(int rank, int size)
{
	struct rec recs[NREC];
	MPI_Datatype st, arr;
	int root = size - 1;
	unsigned char pad[sizeof(struct rec)];

	memset(recs, 0xff, sizeof(recs));
	memset(pad, 0xff, sizeof(pad));
	for (int i = 0; rank == root && i < NREC; i++) {
		recs[i].a[0] = 10 * i;
		recs[i].a[1] = 10 * i + 1;
		recs[i].d = i + 0.5;
		recs[i].b = -7 * i;
	}
	rec_types(&st, &arr);
	MPI_Type_commit(&arr);
	MPI_Bcast(recs, NREC, arr, root, MPI_COMM_WORLD);
	MPI_Type_free(&arr);
	MPI_Type_free(&st);
	for (int i = 0; i < NREC; i++) {
		const unsigned char *after_b =
			(const unsigned char *)&recs[i].b + sizeof(int);
		size_t tail = sizeof(struct rec) - offsetof(struct rec, b) -
			      sizeof(int);

		CHECK(recs[i].a[0] == 10 * i && recs[i].a[1] == 10 * i + 1 &&
			      recs[i].d == i + 0.5 && recs[i].b == -7 * i,
		      "rank %d: MPI_Bcast of struct: record %d: %d %d %g %d\n",
		      rank, i, recs[i].a[0], recs[i].a[1], recs[i].d,
		      recs[i].b);
		CHECK(memcmp(after_b, pad, tail) == 0,
		      "rank %d: MPI_Bcast of struct: record %d: padding "
		      "written\n",
		      rank, i);
	}
}

static int class_of(int code)
{
	int cls = -1;

	MPI_Error_class(code, &cls);
	return cls;
}

static void check_class(int rank, const char *what, int rc, int want)
{
	CHECK(class_of(rc) == want, "rank %d: %s: class %d, expected %d\n",
	      rank, what, class_of(rc), want);
}

/* Bad arguments, and a send of an uncommitted type, under ERRORS_RETURN. */
static void check_errors(int rank)
{
	static const int one[] = {1}, sizes[] = {4}, sub[] = {2}, bad[] = {3};
	MPI_Datatype null_type[] = {MPI_DATATYPE_NULL};
	static const MPI_Aint zero[] = {0};
	MPI_Datatype t;
	int x[4] = {0};

	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	check_class(rank, "MPI_Type_vector, count -1",
		    MPI_Type_vector(-1, 1, 1, MPI_INT, &t), MPI_ERR_COUNT);
	check_class(rank, "MPI_Type_vector, blocklength -1",
		    MPI_Type_vector(2, -1, 1, MPI_INT, &t), MPI_ERR_ARG);
	check_class(rank, "MPI_Type_contiguous of MPI_DATATYPE_NULL",
		    MPI_Type_contiguous(2, MPI_DATATYPE_NULL, &t),
		    MPI_ERR_TYPE);
	check_class(rank, "MPI_Type_indexed, NULL displacements",
		    MPI_Type_indexed(1, one, NULL, MPI_INT, &t), MPI_ERR_ARG);
	check_class(rank, "MPI_Type_create_struct of MPI_DATATYPE_NULL",
		    MPI_Type_create_struct(1, one, zero, null_type, &t),
		    MPI_ERR_TYPE);
	check_class(rank, "MPI_Type_create_resized, NULL newtype",
		    MPI_Type_create_resized(MPI_INT, 0, 8, NULL), MPI_ERR_ARG);
	check_class(rank, "MPI_Type_create_subarray, start past the end",
		    MPI_Type_create_subarray(1, sizes, sub, bad, MPI_ORDER_C,
					     MPI_INT, &t),
		    MPI_ERR_ARG);
	check_class(
		rank, "MPI_Type_create_subarray, bad order",
		MPI_Type_create_subarray(1, sizes, sub, one, 7, MPI_INT, &t),
		MPI_ERR_ARG);
	MPI_Type_vector(2, 1, 2, MPI_INT, &t);
	check_class(rank, "MPI_Send of an uncommitted type",
		    MPI_Send(x, 1, t, rank, TAG_TYPE, MPI_COMM_WORLD),
		    MPI_ERR_TYPE);
	MPI_Type_free(&t);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_contiguous(rank, size);
	check_vector(rank, size);
	check_hvector(rank, size);
	check_indexed(rank, size);
	check_hindexed(rank, size);
	check_indexed_block(rank, size);
	check_struct(rank, size);
	check_resized(rank, size);
	check_subarray(rank, size);
	check_allreduce(rank, size);
	check_bcast(rank, size);
	check_errors(rank);
	return mtest_finish();
}
