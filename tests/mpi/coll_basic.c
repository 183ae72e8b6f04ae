/* SPDX-License-Identifier: MIT */
/*
 * coll_basic: the blocking collectives on MPI_COMM_WORLD, every result
 * checked against a reference computed locally from what each rank
 * contributes, a formula of (rank, index). MPI_Barrier (no rank gets a
 * message sent after the barrier before it enters it); MPI_Bcast and
 * MPI_Reduce from every root; MPI_Allreduce with SUM / PROD / MIN / MAX on
 * int and double, LAND / LOR / LXOR on int, BAND / BOR / BXOR on unsigned,
 * SUM and MAX on the other integer types and float, LAND / LOR on
 * MPI_C_BOOL, BAND / BOR / BXOR on MPI_BYTE, and with MPI_IN_PLACE;
 * MPI_Gather and MPI_Scatter from every root, MPI_Allgather and
 * MPI_Alltoall, all with counts > 1. Floating-point values are small
 * integers and halves, so every sum and product is exact; a product has
 * at most 16 factors of -2 (the other ranks give -1 or 1), so it fits an
 * int at any N.
 * Ranks: any N >= 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	5
#define TAG_BAR 31
#define NBAR	3

enum op_id { SUM, PROD, MIN, MAX, LAND, LOR, LXOR, BAND, BOR, BXOR, NOPS };

static const char *const op_names[NOPS] = {
	"MPI_SUM", "MPI_PROD", "MPI_MIN",  "MPI_MAX", "MPI_LAND",
	"MPI_LOR", "MPI_LXOR", "MPI_BAND", "MPI_BOR", "MPI_BXOR",
};

static MPI_Op mpi_op(enum op_id op)
{
	switch (op) {
	case SUM: return MPI_SUM;
	case PROD: return MPI_PROD;
	case MIN: return MPI_MIN;
	case MAX: return MPI_MAX;
	case LAND: return MPI_LAND;
	case LOR: return MPI_LOR;
	case LXOR: return MPI_LXOR;
	case BAND: return MPI_BAND;
	case BOR: return MPI_BOR;
	default: return MPI_BXOR;
	}
}

/* What rank r contributes at index i to an int or double reduction. */
static int contrib(enum op_id op, int r, int i)
{
	switch (op) {
	case SUM: return r * 3 + i - 5;
	case PROD: return r % 3 == i % 3 ? (r < 48 ? -2 : -1) : 1;
	case MIN:
	case MAX: return (r * 7 + i * 3) % 11 - 5;
	case LAND: return (r + i) % 5;
	case LOR: return r == i ? 3 : 0;
	case LXOR: return (r + 2 * i) % 3 == 0 ? 5 : 0;
	default: return 0;
	}
}

static long long fold(enum op_id op, long long a, long long b)
{
	switch (op) {
	case SUM: return a + b;
	case PROD: return a * b;
	case MIN: return a < b ? a : b;
	case MAX: return a > b ? a : b;
	case LAND: return a && b;
	case LOR: return a || b;
	case LXOR: return !a != !b;
	case BAND: return a & b;
	case BOR: return a | b;
	default: return a ^ b;
	}
}

static long long int_ref(enum op_id op, int size, int i)
{
	long long acc = contrib(op, 0, i);
	int r;

	for (r = 1; r < size; r++)
		acc = fold(op, acc, contrib(op, r, i));
	if (op == LAND || op == LOR || op == LXOR)
		acc = acc != 0;
	return acc;
}

/*
 * A logical op with one process may hand back the contribution itself, so
 * only the truth value of a logical result is checked.
 */
static int int_ok(enum op_id op, int got, long long want)
{
	if (op == LAND || op == LOR || op == LXOR)
		return !got == !want;
	return got == want;
}

static unsigned int ucontrib(enum op_id op, int r, int i)
{
	switch (op) {
	case BAND: return ~(1u << ((r + i) % 32));
	case BOR: return 1u << ((r * 3 + i) % 32);
	default: return (r + 1) * 0x9e3779b1u ^ (i + 1) * 0x85ebca6bu;
	}
}

static unsigned int uint_ref(enum op_id op, int size, int i)
{
	unsigned int acc = ucontrib(op, 0, i);
	int r;

	for (r = 1; r < size; r++)
		acc = (unsigned int)fold(op, acc, ucontrib(op, r, i));
	return acc;
}

/* Doubles: the int contributions plus 0.5 for SUM, MIN and MAX. */
static double dcontrib(enum op_id op, int r, int i)
{
	return contrib(op, r, i) + (op == PROD ? 0.0 : 0.5);
}

static double double_ref(enum op_id op, int size, int i)
{
	double acc = dcontrib(op, 0, i), v;
	int r;

	for (r = 1; r < size; r++) {
		v = dcontrib(op, r, i);
		if (op == SUM)
			acc += v;
		else if (op == PROD)
			acc *= v;
		else if (op == MIN)
			acc = v < acc ? v : acc;
		else
			acc = v > acc ? v : acc;
	}
	return acc;
}

static void check_barrier(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int k, flag, out, in;

	for (k = 0; k < NBAR; k++) {
		flag = -1;
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_BAR, MPI_COMM_WORLD, &flag,
			   MPI_STATUS_IGNORE);
		CHECK(flag == 0,
		      "rank %d: barrier %d: expected no message before it, got "
		      "one\n",
		      rank, k);
		MPI_Barrier(MPI_COMM_WORLD);
		out = k * 1000 + rank;
		in = -1;
		MPI_Sendrecv(&out, 1, MPI_INT, right, TAG_BAR, &in, 1, MPI_INT,
			     left, TAG_BAR, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		CHECK(in == k * 1000 + left,
		      "rank %d: after barrier %d: expected %d, got %d\n", rank,
		      k, k * 1000 + left, in);
	}
}

static void check_bcast(int rank, int size)
{
	double dbuf[CNT];
	int ibuf[CNT];
	int root, i;

	for (root = 0; root < size; root++) {
		for (i = 0; i < CNT; i++) {
			ibuf[i] = rank == root ? root * 100 + i + 1 : -1;
			dbuf[i] = rank == root ? root + i * 0.25 : -1.0;
		}
		MPI_Bcast(ibuf, CNT, MPI_INT, root, MPI_COMM_WORLD);
		MPI_Bcast(dbuf, CNT, MPI_DOUBLE, root, MPI_COMM_WORLD);
		for (i = 0; i < CNT; i++) {
			CHECK(ibuf[i] == root * 100 + i + 1,
			      "rank %d: MPI_Bcast int from %d [%d]: expected "
			      "%d, got %d\n",
			      rank, root, i, root * 100 + i + 1, ibuf[i]);
			CHECK(dbuf[i] == root + i * 0.25,
			      "rank %d: MPI_Bcast double from %d [%d]: "
			      "expected %g, got %g\n",
			      rank, root, i, root + i * 0.25, dbuf[i]);
		}
	}
}

static void check_reduce(int rank, int size)
{
	static const enum op_id ops[] = {SUM, MAX, LXOR};
	int in[CNT], out[CNT];
	double din[CNT], dout[CNT];
	unsigned int k;
	int root, i;

	for (root = 0; root < size; root++) {
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			for (i = 0; i < CNT; i++) {
				in[i] = contrib(ops[k], rank, i);
				out[i] = -99;
			}
			MPI_Reduce(in, out, CNT, MPI_INT, mpi_op(ops[k]), root,
				   MPI_COMM_WORLD);
			if (rank != root)
				continue;
			for (i = 0; i < CNT; i++)
				CHECK(int_ok(ops[k], out[i],
					     int_ref(ops[k], size, i)),
				      "rank %d: MPI_Reduce int %s to %d [%d]: "
				      "expected %lld, got %d\n",
				      rank, op_names[ops[k]], root, i,
				      int_ref(ops[k], size, i), out[i]);
		}
		for (i = 0; i < CNT; i++) {
			din[i] = dcontrib(SUM, rank, i);
			dout[i] = -99.0;
		}
		MPI_Reduce(din, dout, CNT, MPI_DOUBLE, MPI_SUM, root,
			   MPI_COMM_WORLD);
		if (rank != root)
			continue;
		for (i = 0; i < CNT; i++)
			CHECK(dout[i] == double_ref(SUM, size, i),
			      "rank %d: MPI_Reduce double MPI_SUM to %d [%d]: "
			      "expected %g, got %g\n",
			      rank, root, i, double_ref(SUM, size, i), dout[i]);
	}
}

static void check_allreduce_int(int rank, int size)
{
	static const enum op_id ops[] = {SUM, PROD, MIN, MAX, LAND, LOR, LXOR};
	int in[CNT], out[CNT];
	unsigned int k;
	int i;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		for (i = 0; i < CNT; i++) {
			in[i] = contrib(ops[k], rank, i);
			out[i] = -99;
		}
		MPI_Allreduce(in, out, CNT, MPI_INT, mpi_op(ops[k]),
			      MPI_COMM_WORLD);
		for (i = 0; i < CNT; i++) {
			CHECK(int_ok(ops[k], out[i], int_ref(ops[k], size, i)),
			      "rank %d: MPI_Allreduce int %s [%d]: expected "
			      "%lld, got %d\n",
			      rank, op_names[ops[k]], i,
			      int_ref(ops[k], size, i), out[i]);
			CHECK(in[i] == contrib(ops[k], rank, i),
			      "rank %d: MPI_Allreduce int %s changed sendbuf "
			      "[%d]: expected %d, got %d\n",
			      rank, op_names[ops[k]], i,
			      contrib(ops[k], rank, i), in[i]);
		}
	}
}

static void check_allreduce_double(int rank, int size)
{
	static const enum op_id ops[] = {SUM, PROD, MIN, MAX};
	double in[CNT], out[CNT];
	unsigned int k;
	int i;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		for (i = 0; i < CNT; i++) {
			in[i] = dcontrib(ops[k], rank, i);
			out[i] = -99.0;
		}
		MPI_Allreduce(in, out, CNT, MPI_DOUBLE, mpi_op(ops[k]),
			      MPI_COMM_WORLD);
		for (i = 0; i < CNT; i++)
			CHECK(out[i] == double_ref(ops[k], size, i),
			      "rank %d: MPI_Allreduce double %s [%d]: expected "
			      "%g, got %g\n",
			      rank, op_names[ops[k]], i,
			      double_ref(ops[k], size, i), out[i]);
	}
}

static void check_allreduce_unsigned(int rank, int size)
{
	static const enum op_id ops[] = {BAND, BOR, BXOR};
	unsigned int in[CNT], out[CNT];
	unsigned char bin[CNT], bout[CNT];
	unsigned int k;
	int i;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		for (i = 0; i < CNT; i++) {
			in[i] = ucontrib(ops[k], rank, i);
			out[i] = 0x5a5a5a5a;
			bin[i] = (unsigned char)in[i];
			bout[i] = 0x5a;
		}
		MPI_Allreduce(in, out, CNT, MPI_UNSIGNED, mpi_op(ops[k]),
			      MPI_COMM_WORLD);
		MPI_Allreduce(bin, bout, CNT, MPI_BYTE, mpi_op(ops[k]),
			      MPI_COMM_WORLD);
		for (i = 0; i < CNT; i++) {
			CHECK(out[i] == uint_ref(ops[k], size, i),
			      "rank %d: MPI_Allreduce unsigned %s [%d]: "
			      "expected %#x, got %#x\n",
			      rank, op_names[ops[k]], i,
			      uint_ref(ops[k], size, i), out[i]);
			CHECK(bout[i] ==
				      (unsigned char)uint_ref(ops[k], size, i),
			      "rank %d: MPI_Allreduce MPI_BYTE %s [%d]: "
			      "expected %#x, got %#x\n",
			      rank, op_names[ops[k]], i,
			      (unsigned char)uint_ref(ops[k], size, i),
			      bout[i]);
		}
	}
}

/*
 * SUM of (r + i) % 2 and MAX of (5 r + i) % 7. The MAX fits every integer
 * type; the SUM is compared in the type itself, so that it wraps as the
 * reduction does (modulo 2^bits: exact for unsigned types by C, and for
 * signed ones the library's two's complement wrap) at any N.
 */
#define SUM_MAX_TEST(ctype, mpitype)                                           \
	do {                                                                   \
		ctype in_[CNT], sum_[CNT], max_[CNT];                          \
		long long want_sum_, want_max_, v_;                            \
		int i_, r_;                                                    \
		for (i_ = 0; i_ < CNT; i_++) {                                 \
			in_[i_] = (ctype)((rank + i_) % 2);                    \
			sum_[i_] = (ctype)99;                                  \
		}                                                              \
		MPI_Allreduce(in_, sum_, CNT, mpitype, MPI_SUM,                \
			      MPI_COMM_WORLD);                                 \
		for (i_ = 0; i_ < CNT; i_++) {                                 \
			in_[i_] = (ctype)((5 * rank + i_) % 7);                \
			max_[i_] = (ctype)99;                                  \
		}                                                              \
		MPI_Allreduce(in_, max_, CNT, mpitype, MPI_MAX,                \
			      MPI_COMM_WORLD);                                 \
		for (i_ = 0; i_ < CNT; i_++) {                                 \
			want_sum_ = 0;                                         \
			want_max_ = 0;                                         \
			for (r_ = 0; r_ < size; r_++) {                        \
				want_sum_ += (r_ + i_) % 2;                    \
				v_ = (5 * r_ + i_) % 7;                        \
				if (v_ > want_max_)                            \
					want_max_ = v_;                        \
			}                                                      \
			CHECK(sum_[i_] == (ctype)want_sum_,                    \
			      "rank %d: MPI_Allreduce %s MPI_SUM [%d]: "       \
			      "expected %lld, got %lld\n",                     \
			      rank, #mpitype, i_, (long long)(ctype)want_sum_, \
			      (long long)sum_[i_]);                            \
			CHECK((long long)max_[i_] == want_max_,                \
			      "rank %d: MPI_Allreduce %s MPI_MAX [%d]: "       \
			      "expected %lld, got %lld\n",                     \
			      rank, #mpitype, i_, want_max_,                   \
			      (long long)max_[i_]);                            \
		}                                                              \
	} while (0)

static void check_allreduce_types(int rank, int size)
{
	bool bin[CNT], band[CNT], bor[CNT];
	int i, r, want_and, want_or;

	SUM_MAX_TEST(signed char, MPI_SIGNED_CHAR);
	SUM_MAX_TEST(unsigned char, MPI_UNSIGNED_CHAR);
	SUM_MAX_TEST(short, MPI_SHORT);
	SUM_MAX_TEST(unsigned short, MPI_UNSIGNED_SHORT);
	SUM_MAX_TEST(unsigned int, MPI_UNSIGNED);
	SUM_MAX_TEST(long, MPI_LONG);
	SUM_MAX_TEST(unsigned long, MPI_UNSIGNED_LONG);
	SUM_MAX_TEST(long long, MPI_LONG_LONG);
	SUM_MAX_TEST(unsigned long long, MPI_UNSIGNED_LONG_LONG);
	SUM_MAX_TEST(int8_t, MPI_INT8_T);
	SUM_MAX_TEST(uint8_t, MPI_UINT8_T);
	SUM_MAX_TEST(int16_t, MPI_INT16_T);
	SUM_MAX_TEST(uint16_t, MPI_UINT16_T);
	SUM_MAX_TEST(int32_t, MPI_INT32_T);
	SUM_MAX_TEST(uint32_t, MPI_UINT32_T);
	SUM_MAX_TEST(int64_t, MPI_INT64_T);
	SUM_MAX_TEST(uint64_t, MPI_UINT64_T);
	SUM_MAX_TEST(float, MPI_FLOAT);

	for (i = 0; i < CNT; i++) {
		bin[i] = (rank + i) % 3 != 0;
		band[i] = !bin[i];
	}
	MPI_Allreduce(bin, band, CNT, MPI_C_BOOL, MPI_LAND, MPI_COMM_WORLD);
	for (i = 0; i < CNT; i++) {
		bin[i] = rank == i;
		bor[i] = !bin[i];
	}
	MPI_Allreduce(bin, bor, CNT, MPI_C_BOOL, MPI_LOR, MPI_COMM_WORLD);
	for (i = 0; i < CNT; i++) {
		want_and = 1;
		want_or = 0;
		for (r = 0; r < size; r++) {
			want_and = want_and && (r + i) % 3 != 0;
			want_or = want_or || r == i;
		}
		CHECK(band[i] == want_and,
		      "rank %d: MPI_Allreduce MPI_C_BOOL MPI_LAND [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want_and, band[i]);
		CHECK(bor[i] == want_or,
		      "rank %d: MPI_Allreduce MPI_C_BOOL MPI_LOR [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want_or, bor[i]);
	}
}

static void check_allreduce_in_place(int rank, int size)
{
	double dbuf[CNT];
	int ibuf[CNT];
	int i;

	for (i = 0; i < CNT; i++) {
		ibuf[i] = contrib(SUM, rank, i);
		dbuf[i] = dcontrib(MAX, rank, i);
	}
	MPI_Allreduce(MPI_IN_PLACE, ibuf, CNT, MPI_INT, MPI_SUM,
		      MPI_COMM_WORLD);
	MPI_Allreduce(MPI_IN_PLACE, dbuf, CNT, MPI_DOUBLE, MPI_MAX,
		      MPI_COMM_WORLD);
	for (i = 0; i < CNT; i++) {
		CHECK(ibuf[i] == int_ref(SUM, size, i),
		      "rank %d: MPI_Allreduce in place int MPI_SUM [%d]: "
		      "expected %lld, got %d\n",
		      rank, i, int_ref(SUM, size, i), ibuf[i]);
		CHECK(dbuf[i] == double_ref(MAX, size, i),
		      "rank %d: MPI_Allreduce in place double MPI_MAX [%d]: "
		      "expected %g, got %g\n",
		      rank, i, double_ref(MAX, size, i), dbuf[i]);
	}
}

static int gval(int r, int i)
{
	return r * 100 + i + 7;
}

static void check_gather(int rank, int size)
{
	int sbuf[CNT], *rbuf;
	int root, r, i;

	rbuf = malloc(size * CNT * sizeof(int));
	for (i = 0; i < CNT; i++)
		sbuf[i] = gval(rank, i);
	for (root = 0; root < size; root++) {
		for (i = 0; i < size * CNT; i++)
			rbuf[i] = -1;
		MPI_Gather(sbuf, CNT, MPI_INT, rbuf, CNT, MPI_INT, root,
			   MPI_COMM_WORLD);
		if (rank != root)
			continue;
		for (r = 0; r < size; r++)
			for (i = 0; i < CNT; i++)
				CHECK(rbuf[r * CNT + i] == gval(r, i),
				      "rank %d: MPI_Gather to %d from %d [%d]: "
				      "expected %d, got %d\n",
				      rank, root, r, i, gval(r, i),
				      rbuf[r * CNT + i]);
	}
	free(rbuf);
}

static int sval(int root, int dst, int i)
{
	return root * 10000 + dst * 10 + i;
}

static void check_scatter(int rank, int size)
{
	int *sbuf, rbuf[CNT];
	int root, d, i;

	sbuf = malloc(size * CNT * sizeof(int));
	for (root = 0; root < size; root++) {
		for (d = 0; d < size; d++)
			for (i = 0; i < CNT; i++)
				sbuf[d * CNT + i] =
					rank == root ? sval(root, d, i) : -2;
		for (i = 0; i < CNT; i++)
			rbuf[i] = -1;
		MPI_Scatter(sbuf, CNT, MPI_INT, rbuf, CNT, MPI_INT, root,
			    MPI_COMM_WORLD);
		for (i = 0; i < CNT; i++)
			CHECK(rbuf[i] == sval(root, rank, i),
			      "rank %d: MPI_Scatter from %d [%d]: expected %d, "
			      "got %d\n",
			      rank, root, i, sval(root, rank, i), rbuf[i]);
	}
	free(sbuf);
}

static void check_allgather(int rank, int size)
{
	int sbuf[CNT], *rbuf;
	int r, i;

	rbuf = malloc(size * CNT * sizeof(int));
	for (i = 0; i < CNT; i++)
		sbuf[i] = gval(rank, i);
	for (i = 0; i < size * CNT; i++)
		rbuf[i] = -1;
	MPI_Allgather(sbuf, CNT, MPI_INT, rbuf, CNT, MPI_INT, MPI_COMM_WORLD);
	for (r = 0; r < size; r++)
		for (i = 0; i < CNT; i++)
			CHECK(rbuf[r * CNT + i] == gval(r, i),
			      "rank %d: MPI_Allgather from %d [%d]: expected "
			      "%d, got %d\n",
			      rank, r, i, gval(r, i), rbuf[r * CNT + i]);
	free(rbuf);
}

static void check_alltoall(int rank, int size)
{
	int *sbuf, *rbuf;
	int p, i;

	sbuf = malloc(size * CNT * sizeof(int));
	rbuf = malloc(size * CNT * sizeof(int));
	for (p = 0; p < size; p++) {
		for (i = 0; i < CNT; i++) {
			sbuf[p * CNT + i] = sval(rank, p, i);
			rbuf[p * CNT + i] = -1;
		}
	}
	MPI_Alltoall(sbuf, CNT, MPI_INT, rbuf, CNT, MPI_INT, MPI_COMM_WORLD);
	for (p = 0; p < size; p++)
		for (i = 0; i < CNT; i++)
			CHECK(rbuf[p * CNT + i] == sval(p, rank, i),
			      "rank %d: MPI_Alltoall from %d [%d]: expected "
			      "%d, got %d\n",
			      rank, p, i, sval(p, rank, i), rbuf[p * CNT + i]);
	free(sbuf);
	free(rbuf);
}

int main(int argc, char **argv)
{
	int rank, size;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	check_barrier(rank, size);
	check_bcast(rank, size);
	check_reduce(rank, size);
	check_allreduce_int(rank, size);
	check_allreduce_double(rank, size);
	check_allreduce_unsigned(rank, size);
	check_allreduce_types(rank, size);
	check_allreduce_in_place(rank, size);
	check_gather(rank, size);
	check_scatter(rank, size);
	check_allgather(rank, size);
	check_alltoall(rank, size);
	return mtest_finish();
}
