/* SPDX-License-Identifier: MIT */
/*
 * win_accumulate: accumulate operations. MPI_Accumulate from every rank
 * into every rank between fences with each predefined operation that
 * applies (MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX, MPI_BAND, MPI_BOR,
 * MPI_BXOR, MPI_LAND, MPI_LOR, MPI_LXOR on MPI_INT, those of them defined
 * for MPI_DOUBLE, and MPI_REPLACE from one origin), each checked against a
 * sequential reference (values chosen so that the order of the origins
 * does not change a double result); MPI_MINLOC and MPI_MAXLOC on
 * MPI_DOUBLE_INT and MPI_2INT with ties (the lower index wins);
 * MPI_Get_accumulate with MPI_SUM (old values back, sum in place),
 * MPI_NO_OP (a fetch, target unchanged) and MPI_REPLACE (a swap);
 * atomicity: all ranks add 1 to the same NATOM ints of rank 0, NREP times
 * each, at once under MPI_Win_lock_all, and the sums are exact;
 * MPI_Fetch_and_op with MPI_NO_OP and MPI_REPLACE; MPI_Compare_and_swap
 * that matches (swaps, returns the old value) and that does not (leaves
 * the target, returns its value), on MPI_INT and MPI_LONG_LONG.
 * MPI_Win_allocate sizes are multiples of 16 bytes: MPICH 4.0.2 over UCX
 * rounds an unaligned window base down (fixed by MPICH PR 6140), and it
 * carves the windows of one node out of one segment, so the base of rank
 * r > 0 is aligned only as far as the sizes before it are.
 * Ranks: any N >= 1 (meant for N >= 2).
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	8
#define NIOP	11
#define NDOP	5
#define NATOM	1000
#define NREP	20
#define UNTOUCH -1

static const char *const iop_name[NIOP] = {
	"MPI_SUM",  "MPI_PROD", "MPI_MIN", "MPI_MAX",  "MPI_BAND",   "MPI_BOR",
	"MPI_BXOR", "MPI_LAND", "MPI_LOR", "MPI_LXOR", "MPI_REPLACE"};

static MPI_Op iop(int k)
{
	MPI_Op ops[NIOP] = {MPI_SUM,  MPI_PROD, MPI_MIN,    MPI_MAX,
			    MPI_BAND, MPI_BOR,	MPI_BXOR,   MPI_LAND,
			    MPI_LOR,  MPI_LXOR, MPI_REPLACE};

	return ops[k];
}

/* Op k's operand from src at index i (dst's initial value: src = -1). */
static int ival(int k, int src, int i)
{
	static const int prod[3] = {1, -1, 2};

	switch (k) {
	case 0: return src < 0 ? 100 * i : src * 3 + i - 5;
	case 1: return src < 0 ? i + 1 : prod[(src + i) % 3];
	case 2:
	case 3: return src < 0 ? 2 * i - 5 : (src * 7 + i * 3) % 11 - 5;
	case 4: return src < 0 ? 0xffff : ~(1 << ((src + i) % 16)) & 0xffff;
	case 5: return src < 0 ? 1 << 25 : 1 << ((src * 3 + i) % 20);
	case 6: return src < 0 ? i * 17 : (src * 40503 ^ i * 977) & 0xffffff;
	case 7:
		if (src < 0)
			return i % 3 ? 3 : 0;
		return i % 2 == 0 ? src + 1 : (src == i % 3 ? 0 : 5);
	case 8:
		if (src < 0)
			return 0;
		return i % 3 == 0 ? 0 : (src == i % 2 ? 7 : 0);
	case 9:
		if (src < 0)
			return i % 2;
		return (src + i) % 3 == 0 ? 3 : 0;
	default: return src < 0 ? -9 : src * 100 + i;
	}
}

static int iapply(int k, int a, int b)
{
	switch (k) {
	case 0: return a + b;
	case 1: return a * b;
	case 2: return a < b ? a : b;
	case 3: return a > b ? a : b;
	case 4: return a & b;
	case 5: return a | b;
	case 6: return a ^ b;
	case 7: return a && b;
	case 8: return a || b;
	case 9: return !a != !b;
	default: return b;
	}
}

static const char *const dop_name[NDOP] = {"MPI_SUM", "MPI_PROD", "MPI_MIN",
					   "MPI_MAX", "MPI_REPLACE"};

static MPI_Op dop(int k)
{
	MPI_Op ops[NDOP] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX, MPI_REPLACE};

	return ops[k];
}

/* Exact in binary, so sums and products do not depend on the order. */
static double dval(int k, int src, int i)
{
	static const double prod[4] = {2.0, 0.5, -1.0, 1.0};

	switch (k) {
	case 0: return src < 0 ? i * 0.75 : src * 1.5 + i - 3.25;
	case 1: return src < 0 ? i + 0.5 : prod[(src + i) % 4];
	case 2:
	case 3: return src < 0 ? i - 2.5 : (src * 7 + i * 3) % 11 - 4.5;
	default: return src < 0 ? -9.0 : src * 0.25 + i;
	}
}

static double dapply(int k, double a, double b)
{
	switch (k) {
	case 0: return a + b;
	case 1: return a * b;
	case 2: return a < b ? a : b;
	case 3: return a > b ? a : b;
	default: return b;
	}
}

/*
 * Slot k (CNT elements) of the int window for int op k, of the double
 * window for double op k. Every rank accumulates into every rank; only
 * the left neighbour uses MPI_REPLACE.
 */
static void check_ops(int rank, int size)
{
	int left = (rank + size - 1) % size;
	int *ib, (*io)[CNT];
	double *db, (*dor)[CNT];
	MPI_Win iwin, dwin;
	int k, i, t, s, want;
	double dwant;

	MPI_Win_allocate(NIOP * CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
			 MPI_COMM_WORLD, &ib, &iwin);
	MPI_Win_allocate(NDOP * CNT * sizeof(double), sizeof(double),
			 MPI_INFO_NULL, MPI_COMM_WORLD, &db, &dwin);
	io = malloc(size * NIOP * sizeof(*io));
	dor = malloc(size * NDOP * sizeof(*dor));
	for (k = 0; k < NIOP; k++)
		for (i = 0; i < CNT; i++)
			ib[k * CNT + i] = ival(k, -1, i);
	for (k = 0; k < NDOP; k++)
		for (i = 0; i < CNT; i++)
			db[k * CNT + i] = dval(k, -1, i);

	MPI_Win_fence(0, iwin);
	MPI_Win_fence(0, dwin);
	for (t = 0; t < size; t++) {
		for (k = 0; k < NIOP; k++) {
			if (k == NIOP - 1 && t != (rank + 1) % size)
				continue;
			for (i = 0; i < CNT; i++)
				io[t * NIOP + k][i] = ival(k, rank, i);
			MPI_Accumulate(io[t * NIOP + k], CNT, MPI_INT, t,
				       k * CNT, CNT, MPI_INT, iop(k), iwin);
		}
		for (k = 0; k < NDOP; k++) {
			if (k == NDOP - 1 && t != (rank + 1) % size)
				continue;
			for (i = 0; i < CNT; i++)
				dor[t * NDOP + k][i] = dval(k, rank, i);
			MPI_Accumulate(dor[t * NDOP + k], CNT, MPI_DOUBLE, t,
				       k * CNT, CNT, MPI_DOUBLE, dop(k), dwin);
		}
	}
	MPI_Win_fence(MPI_MODE_NOSUCCEED, iwin);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, dwin);

	for (k = 0; k < NIOP; k++)
		for (i = 0; i < CNT; i++) {
			want = ival(k, -1, i);
			for (s = 0; s < size; s++)
				if (k < NIOP - 1 || s == left)
					want = iapply(k, want, ival(k, s, i));
			CHECK(ib[k * CNT + i] == want,
			      "rank %d: MPI_Accumulate %s on MPI_INT [%d]: "
			      "expected %d (%#x), got %d (%#x)\n",
			      rank, iop_name[k], i, want, want, ib[k * CNT + i],
			      ib[k * CNT + i]);
		}
	for (k = 0; k < NDOP; k++)
		for (i = 0; i < CNT; i++) {
			dwant = dval(k, -1, i);
			for (s = 0; s < size; s++)
				if (k < NDOP - 1 || s == left)
					dwant = dapply(k, dwant, dval(k, s, i));
			CHECK(db[k * CNT + i] == dwant,
			      "rank %d: MPI_Accumulate %s on MPI_DOUBLE [%d]: "
			      "expected %g, got %g\n",
			      rank, dop_name[k], i, dwant, db[k * CNT + i]);
		}
	MPI_Win_free(&iwin);
	MPI_Win_free(&dwin);
	free(io);
	free(dor);
}

struct dint {
	double v;
	int i;
};

struct iint {
	int v;
	int i;
};

/* Value of src at element e: ties between ranks on purpose. */
static int loc_val(int src, int e)
{
	return (src * 5 + e) % 3;
}

/*
 * Elements [0, CNT) MPI_MINLOC, [CNT, 2 CNT) MPI_MAXLOC, from every rank
 * into every rank with index = the source rank.
 */
static void check_loc(int rank, int size)
{
	struct dint *db, *dorg;
	struct iint *ib, *iorg;
	MPI_Win dwin, iwin;
	int e, t, s, wv, wi, v, mx;

	MPI_Win_allocate(2 * CNT * sizeof(struct dint), sizeof(struct dint),
			 MPI_INFO_NULL, MPI_COMM_WORLD, &db, &dwin);
	MPI_Win_allocate(2 * CNT * sizeof(struct iint), sizeof(struct iint),
			 MPI_INFO_NULL, MPI_COMM_WORLD, &ib, &iwin);
	dorg = malloc(2 * CNT * sizeof(struct dint));
	iorg = malloc(2 * CNT * sizeof(struct iint));
	for (e = 0; e < 2 * CNT; e++) {
		db[e].v = e < CNT ? 100.0 : -100.0;
		db[e].i = 9999;
		ib[e].v = e < CNT ? 100 : -100;
		ib[e].i = 9999;
		dorg[e].v = loc_val(rank, e) + 0.5;
		dorg[e].i = rank;
		iorg[e].v = loc_val(rank, e);
		iorg[e].i = rank;
	}
	MPI_Win_fence(0, dwin);
	MPI_Win_fence(0, iwin);
	for (t = 0; t < size; t++) {
		MPI_Accumulate(dorg, CNT, MPI_DOUBLE_INT, t, 0, CNT,
			       MPI_DOUBLE_INT, MPI_MINLOC, dwin);
		MPI_Accumulate(dorg + CNT, CNT, MPI_DOUBLE_INT, t, CNT, CNT,
			       MPI_DOUBLE_INT, MPI_MAXLOC, dwin);
		MPI_Accumulate(iorg, CNT, MPI_2INT, t, 0, CNT, MPI_2INT,
			       MPI_MINLOC, iwin);
		MPI_Accumulate(iorg + CNT, CNT, MPI_2INT, t, CNT, CNT, MPI_2INT,
			       MPI_MAXLOC, iwin);
	}
	MPI_Win_fence(MPI_MODE_NOSUCCEED, dwin);
	MPI_Win_fence(MPI_MODE_NOSUCCEED, iwin);
	for (e = 0; e < 2 * CNT; e++) {
		mx = e >= CNT;
		wv = loc_val(0, e);
		wi = 0;
		for (s = 1; s < size; s++) {
			v = loc_val(s, e);
			if (mx ? v > wv : v < wv) {
				wv = v;
				wi = s;
			}
		}
		CHECK(db[e].v == wv + 0.5 && db[e].i == wi,
		      "rank %d: MPI_Accumulate %s on MPI_DOUBLE_INT [%d]: "
		      "expected {%g, %d}, got {%g, %d}\n",
		      rank, mx ? "MPI_MAXLOC" : "MPI_MINLOC", e % CNT, wv + 0.5,
		      wi, db[e].v, db[e].i);
		CHECK(ib[e].v == wv && ib[e].i == wi,
		      "rank %d: MPI_Accumulate %s on MPI_2INT [%d]: expected "
		      "{%d, %d}, got {%d, %d}\n",
		      rank, mx ? "MPI_MAXLOC" : "MPI_MINLOC", e % CNT, wv, wi,
		      ib[e].v, ib[e].i);
	}
	MPI_Win_free(&dwin);
	MPI_Win_free(&iwin);
	free(dorg);
	free(iorg);
}

/*
 * MPI_Get_accumulate to the right neighbour under an exclusive lock:
 * MPI_SUM, then MPI_NO_OP, then MPI_REPLACE, each checked by its result
 * and by the values left at the target.
 */
static void check_get_accumulate(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	int *buf, o[CNT], res[CNT], i, want;
	MPI_Win win;

	MPI_Win_allocate(CNT * sizeof(int), sizeof(int), MPI_INFO_NULL,
			 MPI_COMM_WORLD, &buf, &win);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
	for (i = 0; i < CNT; i++)
		buf[i] = rank * 1000 + i;
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);

	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	for (i = 0; i < CNT; i++) {
		o[i] = 10 * i + 1;
		res[i] = UNTOUCH;
	}
	MPI_Get_accumulate(o, CNT, MPI_INT, res, CNT, MPI_INT, right, 0, CNT,
			   MPI_INT, MPI_SUM, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++)
		CHECK(res[i] == right * 1000 + i,
		      "rank %d: MPI_Get_accumulate MPI_SUM result [%d]: "
		      "expected %d, got %d\n",
		      rank, i, right * 1000 + i, res[i]);

	for (i = 0; i < CNT; i++) {
		o[i] = -77;
		res[i] = UNTOUCH;
	}
	MPI_Get_accumulate(o, CNT, MPI_INT, res, CNT, MPI_INT, right, 0, CNT,
			   MPI_INT, MPI_NO_OP, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++) {
		want = right * 1000 + i + 10 * i + 1;
		CHECK(res[i] == want,
		      "rank %d: MPI_Get_accumulate MPI_NO_OP result after "
		      "MPI_SUM [%d]: expected %d, got %d\n",
		      rank, i, want, res[i]);
	}

	for (i = 0; i < CNT; i++) {
		o[i] = rank * 7 + i;
		res[i] = UNTOUCH;
	}
	MPI_Get_accumulate(o, CNT, MPI_INT, res, CNT, MPI_INT, right, 0, CNT,
			   MPI_INT, MPI_REPLACE, win);
	MPI_Win_flush(right, win);
	for (i = 0; i < CNT; i++) {
		want = right * 1000 + i + 10 * i + 1;
		CHECK(res[i] == want,
		      "rank %d: MPI_Get_accumulate MPI_REPLACE result [%d]: "
		      "expected %d, got %d\n",
		      rank, i, want, res[i]);
	}
	MPI_Win_unlock(right, win);
	MPI_Barrier(MPI_COMM_WORLD);

	MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == left * 7 + i,
		      "rank %d: target after MPI_Get_accumulate MPI_REPLACE "
		      "from %d [%d]: expected %d, got %d\n",
		      rank, left, i, left * 7 + i, buf[i]);
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_free(&win);
}

/* Everyone adds 1 to the same NATOM ints of rank 0, NREP times each. */
static void check_atomic(int rank, int size)
{
	int *buf, *one, i, k;
	MPI_Win win;

	MPI_Win_allocate(rank == 0 ? NATOM * sizeof(int) : 0, sizeof(int),
			 MPI_INFO_NULL, MPI_COMM_WORLD, &buf, &win);
	if (rank == 0) {
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
		for (i = 0; i < NATOM; i++)
			buf[i] = i;
		MPI_Win_unlock(0, win);
	}
	one = malloc(NATOM * sizeof(int));
	for (i = 0; i < NATOM; i++)
		one[i] = 1;
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_lock_all(0, win);
	for (k = 0; k < NREP; k++) {
		MPI_Accumulate(one, NATOM, MPI_INT, 0, 0, NATOM, MPI_INT,
			       MPI_SUM, win);
		if (k % 4 == 3)
			MPI_Win_flush(0, win);
	}
	MPI_Win_unlock_all(win);
	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		for (i = 0; i < NATOM; i++)
			CHECK(buf[i] == i + size * NREP,
			      "rank 0: %d concurrent MPI_Accumulate MPI_SUM of "
			      "1 [%d]: expected %d, got %d\n",
			      size * NREP, i, i + size * NREP, buf[i]);
		MPI_Win_unlock(0, win);
	}
	free(one);
	MPI_Win_free(&win);
}

/*
 * To the right neighbour under an exclusive lock: Fetch_and_op MPI_NO_OP
 * and MPI_REPLACE; Compare_and_swap that matches and that does not, on
 * MPI_INT (int 0) and MPI_LONG_LONG (at byte 8).
 */
static void check_fetch_cas(int rank, int size)
{
	int right = (rank + 1) % size;
	int ival0, ires, icmp, inew;
	long long lres, lcmp, lnew, lg;
	char *base;
	MPI_Win win;

	MPI_Win_allocate(16, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
	*(int *)base = rank + 500;
	*(long long *)(base + 8) = (long long)rank << 40;
	MPI_Win_unlock(rank, win);
	MPI_Barrier(MPI_COMM_WORLD);

	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
	ival0 = -3;
	ires = UNTOUCH;
	MPI_Fetch_and_op(&ival0, &ires, MPI_INT, right, 0, MPI_NO_OP, win);
	MPI_Win_flush(right, win);
	CHECK(ires == right + 500,
	      "rank %d: MPI_Fetch_and_op MPI_NO_OP: expected %d, got %d\n",
	      rank, right + 500, ires);
	ival0 = rank + 600;
	ires = UNTOUCH;
	MPI_Fetch_and_op(&ival0, &ires, MPI_INT, right, 0, MPI_REPLACE, win);
	MPI_Win_flush(right, win);
	CHECK(ires == right + 500,
	      "rank %d: MPI_Fetch_and_op MPI_REPLACE result: expected %d "
	      "(after MPI_NO_OP), got %d\n",
	      rank, right + 500, ires);
	ires = UNTOUCH;
	MPI_Fetch_and_op(NULL, &ires, MPI_INT, right, 0, MPI_NO_OP, win);
	MPI_Win_flush(right, win);
	CHECK(ires == rank + 600,
	      "rank %d: MPI_Fetch_and_op MPI_NO_OP after MPI_REPLACE: "
	      "expected %d, got %d\n",
	      rank, rank + 600, ires);

	/* int: a CAS that fails, then one that swaps. */
	icmp = rank + 601;
	inew = -42;
	ires = UNTOUCH;
	MPI_Compare_and_swap(&inew, &icmp, &ires, MPI_INT, right, 0, win);
	MPI_Win_flush(right, win);
	CHECK(ires == rank + 600,
	      "rank %d: MPI_Compare_and_swap on MPI_INT not matching: expected "
	      "result %d, got %d\n",
	      rank, rank + 600, ires);
	icmp = rank + 600;
	inew = rank + 700;
	ires = UNTOUCH;
	MPI_Compare_and_swap(&inew, &icmp, &ires, MPI_INT, right, 0, win);
	MPI_Win_flush(right, win);
	CHECK(ires == rank + 600,
	      "rank %d: MPI_Compare_and_swap on MPI_INT matching: expected "
	      "result %d (not changed by the failed one), got %d\n",
	      rank, rank + 600, ires);
	ires = UNTOUCH;
	MPI_Get(&ires, 1, MPI_INT, right, 0, 1, MPI_INT, win);
	MPI_Win_flush(right, win);
	CHECK(ires == rank + 700,
	      "rank %d: target after a matching MPI_Compare_and_swap on "
	      "MPI_INT: expected %d, got %d\n",
	      rank, rank + 700, ires);

	/* long long: one that swaps, then one that fails. */
	lcmp = (long long)right << 40;
	lnew = -((long long)rank << 33) - 5;
	lres = UNTOUCH;
	MPI_Compare_and_swap(&lnew, &lcmp, &lres, MPI_LONG_LONG, right, 8, win);
	MPI_Win_flush(right, win);
	CHECK(lres == lcmp,
	      "rank %d: MPI_Compare_and_swap on MPI_LONG_LONG matching: "
	      "expected result %lld, got %lld\n",
	      rank, lcmp, lres);
	lres = UNTOUCH;
	MPI_Compare_and_swap(&lcmp, &lcmp, &lres, MPI_LONG_LONG, right, 8, win);
	MPI_Win_flush(right, win);
	CHECK(lres == lnew,
	      "rank %d: MPI_Compare_and_swap on MPI_LONG_LONG not matching: "
	      "expected result %lld, got %lld\n",
	      rank, lnew, lres);
	lg = UNTOUCH;
	MPI_Get(&lg, 1, MPI_LONG_LONG, right, 8, 1, MPI_LONG_LONG, win);
	MPI_Win_unlock(right, win);
	CHECK(lg == lnew,
	      "rank %d: target after a failed MPI_Compare_and_swap on "
	      "MPI_LONG_LONG: expected %lld, got %lld\n",
	      rank, lnew, lg);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_free(&win);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_ops(rank, size);
	check_loc(rank, size);
	check_get_accumulate(rank, size);
	check_atomic(rank, size);
	check_fetch_cas(rank, size);
	return mtest_finish();
}
