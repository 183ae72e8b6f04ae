/* SPDX-License-Identifier: MIT */
/*
 * win_attr: window attributes, groups, names and error handlers.
 * MPI_Win_get_attr gives MPI_WIN_BASE, MPI_WIN_SIZE, MPI_WIN_DISP_UNIT,
 * MPI_WIN_CREATE_FLAVOR and MPI_WIN_MODEL (MPI_WIN_UNIFIED) for windows
 * made by MPI_Win_create, MPI_Win_allocate and MPI_Win_create_dynamic
 * (base MPI_BOTTOM, size 0, disp_unit 1), sizes and units differing by
 * rank; MPI_Win_get_group is MPI_IDENT to the group of the window's
 * communicator (MPI_COMM_WORLD, and a half of it from MPI_Comm_split);
 * MPI_Win_get_name is empty before MPI_Win_set_name and gives the name
 * and its length after; the default error handler of a window is
 * MPI_ERRORS_ARE_FATAL; with MPI_ERRORS_RETURN set (and read back), a Put
 * to rank N returns an error of class MPI_ERR_RANK, a Put at a negative
 * target_disp one of class MPI_ERR_DISP (what MPICH 4.0.2 reports) or
 * MPI_ERR_RMA_RANGE, and a Put across or past the end of the target's
 * window one of class MPI_ERR_RMA_RANGE or MPI_ERR_ARG, without crashing;
 * the window is unchanged by them and works after them. MPICH 4.0.2 does
 * not detect a Put past the end at all (it returns MPI_SUCCESS and writes
 * beyond the window), so that check is left out when built against MPICH.
 * MPI_Win_allocate sizes are multiples of 16 bytes: MPICH 4.0.2 over UCX
 * rounds an unaligned window base down (fixed by MPICH PR 6140).
 * Ranks: any N >= 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define CNT	4
#define UNTOUCH -1

static int class_of(int code)
{
	int cls = -1;

	MPI_Error_class(code, &cls);
	return cls;
}

static void check_attrs(int rank, MPI_Win win, const char *what, void *base,
			MPI_Aint size, int unit, int flavor)
{
	MPI_Aint *sizep;
	int *unitp, *flavorp, *modelp, flag;
	void *basep;

	flag = 0;
	basep = (void *)&flag;
	MPI_Win_get_attr(win, MPI_WIN_BASE, &basep, &flag);
	CHECK(flag && basep == base,
	      "rank %d: %s MPI_WIN_BASE: expected flag 1 and %p, got flag %d "
	      "and %p\n",
	      rank, what, base, flag, basep);
	flag = 0;
	sizep = NULL;
	MPI_Win_get_attr(win, MPI_WIN_SIZE, &sizep, &flag);
	CHECK(flag && sizep && *sizep == size,
	      "rank %d: %s MPI_WIN_SIZE: expected flag 1 and %ld, got flag %d "
	      "and %ld\n",
	      rank, what, (long)size, flag, sizep ? (long)*sizep : -1L);
	flag = 0;
	unitp = NULL;
	MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &unitp, &flag);
	CHECK(flag && unitp && *unitp == unit,
	      "rank %d: %s MPI_WIN_DISP_UNIT: expected flag 1 and %d, got flag "
	      "%d and %d\n",
	      rank, what, unit, flag, unitp ? *unitp : -1);
	flag = 0;
	flavorp = NULL;
	MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavorp, &flag);
	CHECK(flag && flavorp && *flavorp == flavor,
	      "rank %d: %s MPI_WIN_CREATE_FLAVOR: expected flag 1 and %d, got "
	      "flag %d and %d\n",
	      rank, what, flavor, flag, flavorp ? *flavorp : -1);
	flag = 0;
	modelp = NULL;
	MPI_Win_get_attr(win, MPI_WIN_MODEL, &modelp, &flag);
	CHECK(flag && modelp && *modelp == MPI_WIN_UNIFIED,
	      "rank %d: %s MPI_WIN_MODEL: expected flag 1 and MPI_WIN_UNIFIED "
	      "(%d), got flag %d and %d\n",
	      rank, what, MPI_WIN_UNIFIED, flag, modelp ? *modelp : -1);
}

static void check_flavors(int rank)
{
	MPI_Aint size = 16 * (rank + 1);
	char *mem, *abase = NULL;
	MPI_Win win;

	mem = malloc(size);
	MPI_Win_create(mem, size, 4, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	check_attrs(rank, win, "MPI_Win_create", mem, size, 4,
		    MPI_WIN_FLAVOR_CREATE);
	MPI_Win_free(&win);
	free(mem);

	MPI_Win_allocate(size * 2, 8 + rank, MPI_INFO_NULL, MPI_COMM_WORLD,
			 &abase, &win);
	check_attrs(rank, win, "MPI_Win_allocate", abase, size * 2, 8 + rank,
		    MPI_WIN_FLAVOR_ALLOCATE);
	MPI_Win_free(&win);

	MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	check_attrs(rank, win, "MPI_Win_create_dynamic", MPI_BOTTOM, 0, 1,
		    MPI_WIN_FLAVOR_DYNAMIC);
	MPI_Win_free(&win);
}

static void check_group_of(int rank, MPI_Comm comm, const char *what)
{
	MPI_Group wg, cg;
	MPI_Win win;
	int res = -1, n = -1, r = -1, cr, cs;
	int buf[CNT];

	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL, comm,
		       &win);
	MPI_Win_get_group(win, &wg);
	MPI_Comm_group(comm, &cg);
	MPI_Group_compare(wg, cg, &res);
	CHECK(res == MPI_IDENT,
	      "rank %d: MPI_Group_compare of MPI_Win_get_group and the group "
	      "of %s: expected MPI_IDENT (%d), got %d\n",
	      rank, what, MPI_IDENT, res);
	MPI_Group_size(wg, &n);
	MPI_Group_rank(wg, &r);
	MPI_Comm_rank(comm, &cr);
	MPI_Comm_size(comm, &cs);
	CHECK(n == cs,
	      "rank %d: size of the group of a window over %s: expected %d, "
	      "got %d\n",
	      rank, what, cs, n);
	CHECK(r == cr,
	      "rank %d: rank in the group of a window over %s: expected %d, "
	      "got %d\n",
	      rank, what, cr, r);
	MPI_Group_free(&wg);
	MPI_Group_free(&cg);
	MPI_Win_free(&win);
}

static void check_groups(int rank, int size)
{
	MPI_Comm half;

	check_group_of(rank, MPI_COMM_WORLD, "MPI_COMM_WORLD");
	MPI_Comm_split(MPI_COMM_WORLD, rank % 2, size - rank, &half);
	check_group_of(rank, half, "a reversed half of MPI_COMM_WORLD");
	MPI_Comm_free(&half);
}

static void check_names(int rank)
{
	char name[MPI_MAX_OBJECT_NAME], want[MPI_MAX_OBJECT_NAME];
	int buf[CNT], len;
	MPI_Win win;

	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	len = -1;
	strcpy(name, "junk");
	MPI_Win_get_name(win, name, &len);
	CHECK(len == 0 && name[0] == '\0',
	      "rank %d: MPI_Win_get_name before a name is set: expected \"\" "
	      "and length 0, got \"%s\" and %d\n",
	      rank, name, len);
	snprintf(want, sizeof(want), "rma window of rank %d", rank);
	MPI_Win_set_name(win, want);
	len = -1;
	MPI_Win_get_name(win, name, &len);
	CHECK(strcmp(name, want) == 0 && len == (int)strlen(want),
	      "rank %d: MPI_Win_get_name: expected \"%s\" and length %d, got "
	      "\"%s\" and %d\n",
	      rank, want, (int)strlen(want), name, len);
	MPI_Win_set_name(win, "renamed");
	MPI_Win_get_name(win, name, &len);
	CHECK(strcmp(name, "renamed") == 0 && len == 7,
	      "rank %d: MPI_Win_get_name after a second MPI_Win_set_name: "
	      "expected \"renamed\" and length 7, got \"%s\" and %d\n",
	      rank, name, len);
	MPI_Win_free(&win);
}

static void check_err(int rank, const char *what, int rc, int want, int alt)
{
	char str[MPI_MAX_ERROR_STRING];
	int len, cls;

	if (rc == MPI_SUCCESS) {
		CHECK(0,
		      "rank %d: %s: expected an error of class %d, got "
		      "MPI_SUCCESS\n",
		      rank, what, want);
		return;
	}
	cls = class_of(rc);
	if (cls != want && cls != alt) {
		MPI_Error_string(rc, str, &len);
		CHECK(0, "rank %d: %s: expected class %d, got %d (%s)\n", rank,
		      what, want, cls, str);
	}
}

static void check_errhandler(int rank, int size)
{
	int right = (rank + 1) % size;
	int left = (rank + size - 1) % size;
	_Alignas(16) int buf[CNT];
	int o[CNT], i, rc;
	MPI_Errhandler eh;
	MPI_Win win;

	for (i = 0; i < CNT; i++) {
		buf[i] = UNTOUCH;
		o[i] = rank * 100 + i;
	}
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL,
		       MPI_COMM_WORLD, &win);
	MPI_Win_get_errhandler(win, &eh);
	CHECK(eh == MPI_ERRORS_ARE_FATAL,
	      "rank %d: default window error handler: expected "
	      "MPI_ERRORS_ARE_FATAL, got another handle\n",
	      rank);
	MPI_Errhandler_free(&eh);
	rc = MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Win_set_errhandler: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	MPI_Win_get_errhandler(win, &eh);
	CHECK(eh == MPI_ERRORS_RETURN,
	      "rank %d: MPI_Win_get_errhandler after setting it: expected "
	      "MPI_ERRORS_RETURN, got another handle\n",
	      rank);
	MPI_Errhandler_free(&eh);

	MPI_Win_fence(0, win);
	rc = MPI_Put(o, 1, MPI_INT, size, 0, 1, MPI_INT, win);
	check_err(rank, "MPI_Put to rank N", rc, MPI_ERR_RANK, MPI_ERR_RANK);
	rc = MPI_Put(o, 1, MPI_INT, size + 3, 0, 1, MPI_INT, win);
	check_err(rank, "MPI_Put to rank N + 3", rc, MPI_ERR_RANK,
		  MPI_ERR_RANK);
	rc = MPI_Put(o, 1, MPI_INT, right, -1, 1, MPI_INT, win);
	check_err(rank, "MPI_Put at target_disp -1", rc, MPI_ERR_DISP,
		  MPI_ERR_RMA_RANGE);
#ifndef MPICH_VERSION
	rc = MPI_Put(o, 2, MPI_INT, right, CNT - 1, 2, MPI_INT, win);
	check_err(rank, "MPI_Put across the end of the window", rc,
		  MPI_ERR_RMA_RANGE, MPI_ERR_ARG);
	rc = MPI_Put(o, 1, MPI_INT, right, CNT + 10, 1, MPI_INT, win);
	check_err(rank, "MPI_Put past the end of the window", rc,
		  MPI_ERR_RMA_RANGE, MPI_ERR_ARG);
#endif
	MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == UNTOUCH,
		      "rank %d: failed MPI_Puts changed the window [%d]: "
		      "expected %d, got %d\n",
		      rank, i, UNTOUCH, buf[i]);

	/* Still usable. */
	MPI_Win_fence(MPI_MODE_NOSTORE, win);
	rc = MPI_Put(o, CNT, MPI_INT, right, 0, CNT, MPI_INT, win);
	CHECK(rc == MPI_SUCCESS,
	      "rank %d: MPI_Put after the errors: expected %d, got %d\n", rank,
	      MPI_SUCCESS, rc);
	MPI_Win_fence(0, win);
	for (i = 0; i < CNT; i++)
		CHECK(buf[i] == left * 100 + i,
		      "rank %d: MPI_Put after the errors [%d]: expected %d, "
		      "got %d\n",
		      rank, i, left * 100 + i, buf[i]);
	MPI_Win_free(&win);
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 1, &rank, &size);

	check_flavors(rank);
	check_groups(rank, size);
	check_names(rank);
	check_errhandler(rank, size);
	return mtest_finish();
}
