/* SPDX-License-Identifier: MIT */
/*
 * Windows: creation, attributes, names, handlers, attached memory, free.
 *
 * Every window lies in snemu's address-space window, which needs no
 * collective call: creation only duplicates the communicator (a window may
 * live on any communicator) and gathers what each rank exposes (address,
 * size, displacement unit, and the address of its two sync words, in
 * device memory so that atomics on them are the fabric's). A window of
 * MPI_Win_allocate is device memory too; one of MPI_Win_create is reached
 * where the program put it (by the kernel unless it is device memory).
 * The memory model is MPI_WIN_UNIFIED: a put lands in the target's memory
 * itself, at its modeled arrival.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

struct mpi_win_region {
	void *base;
	MPI_Aint size;
	struct mpi_win_region *next;
};

static int model = MPI_WIN_UNIFIED;

struct snemu_win *mpi_win_fabric(void)
{
	return snemu_win_address_space();
}

int mpi_win_check(MPI_Win win)
{
	if (mpi_state != 1)
		return MPI_ERR_OTHER;
	return win ? MPI_SUCCESS : MPI_ERR_WIN;
}

int mpi_win_raise(MPI_Win win, int err, const char *fn)
{
	return mpi_raise(win ? win->comm : NULL, err, fn);
}

/* The name fatal errors give the window: its own, or "a window". */
static void name_comm(MPI_Win win)
{
	snprintf(win->comm->name, sizeof(win->comm->name), "%s",
		 win->name[0] ? win->name : "a window");
}

static void win_free(MPI_Win win)
{
	struct mpi_win_region *g;

	while ((g = win->regions)) {
		win->regions = g->next;
		free(g);
	}
	if (win->sync)
		snemu_mem_free(win->sync);
	if (win->alloc)
		snemu_mem_free(win->alloc);
	if (win->comm)
		MPI_Comm_free(&win->comm);
	free(win->rank);
	free(win->locked);
	free(win->dirty);
	free(win->access);
	free(win->exposure);
	free(win->completed);
	free(win->gets);
	free(win);
}

/*
 * Collective over comm: a window of flavor whose memory here is [base,
 * base + size) (alloc: device memory it owns), and every rank's part.
 */
static int win_new(MPI_Comm comm, int flavor, void *base, MPI_Aint size,
		   int disp_unit, void *alloc, MPI_Win *out)
{
	struct mpi_win_rank me;
	MPI_Win win;
	int err, ret;

	win = calloc(1, sizeof(*win));
	if (!win)
		return MPI_ERR_NO_MEM;
	*win = (struct snemu_mpi_win){.base = base,
				      .size = size,
				      .disp_unit = disp_unit,
				      .flavor = flavor,
				      .alloc = alloc};
	err = MPI_Comm_dup(comm, &win->comm);
	if (err) {
		win->comm = NULL;
		goto err;
	}
	/* A window's handler is its own, MPI_ERRORS_ARE_FATAL at first. */
	mpi_eh_put(win->comm->eh);
	win->comm->eh = MPI_ERRORS_ARE_FATAL;
	name_comm(win);
	ret = snemu_mem_alloc(2 * sizeof(uint64_t), (void **)&win->sync);
	win->rank = calloc(win->comm->size, sizeof(*win->rank));
	win->locked = calloc(win->comm->size, 1);
	win->dirty = calloc(win->comm->size, 1);
	if (ret || !win->rank || !win->locked || !win->dirty) {
		err = MPI_ERR_NO_MEM;
		goto err;
	}
	me = (struct mpi_win_rank){.base = (uintptr_t)base,
				   .size = (uint64_t)size,
				   .disp_unit = (uint64_t)disp_unit,
				   .sync = (uintptr_t)win->sync};
	err = mpi_allgather(&me, 4, MPI_UINT64_T, win->rank, 4, MPI_UINT64_T,
			    win->comm);
	if (err)
		goto err;
	*out = win;
	return MPI_SUCCESS;

err:
	win->alloc = NULL; /* the caller's to free */
	win_free(win);
	return err;
}

static int check_new(MPI_Comm comm, MPI_Aint size, int disp_unit,
		     const MPI_Win *win)
{
	int err = mpi_check_comm(comm);

	if (err)
		return err;
	if (size < 0)
		return MPI_ERR_SIZE;
	if (disp_unit <= 0)
		return MPI_ERR_DISP;
	return win ? MPI_SUCCESS : MPI_ERR_ARG;
}

int MPI_Win_create(void *base, MPI_Aint size, int disp_unit, MPI_Info info,
		   MPI_Comm comm, MPI_Win *win)
{
	int err = check_new(comm, size, disp_unit, win);

	(void)info;
	if (!err && !base && size)
		err = MPI_ERR_BASE;
	if (!err)
		err = win_new(comm, MPI_WIN_FLAVOR_CREATE, base, size,
			      disp_unit, NULL, win);
	return mpi_raise(comm, err, __func__);
}

int MPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
		     void *baseptr, MPI_Win *win)
{
	int err = check_new(comm, size, disp_unit, win);
	void *base = NULL;

	(void)info;
	if (!err && !baseptr)
		err = MPI_ERR_ARG;
	/* Device memory, zeroed: a run never depends on what it held. */
	if (!err && size && snemu_mem_alloc((size_t)size, &base))
		err = MPI_ERR_NO_MEM;
	if (!err)
		err = win_new(comm, MPI_WIN_FLAVOR_ALLOCATE, base, size,
			      disp_unit, base, win);
	if (err && base)
		snemu_mem_free(base);
	if (!err)
		*(void **)baseptr = base;
	return mpi_raise(comm, err, __func__);
}

int MPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win *win)
{
	int err = check_new(comm, 0, 1, win);

	(void)info;
	if (!err)
		err = win_new(comm, MPI_WIN_FLAVOR_DYNAMIC, MPI_BOTTOM, 0, 1,
			      NULL, win);
	return mpi_raise(comm, err, __func__);
}

/*
 * Attached memory is only listed: targets are addressed by the addresses
 * the program sends, and an access to memory not attached is the
 * program's error (one to an unmapped address fails in the fabric).
 */
int MPI_Win_attach(MPI_Win win, void *base, MPI_Aint size)
{
	int err = mpi_win_check(win);
	struct mpi_win_region *g;

	if (!err && win->flavor != MPI_WIN_FLAVOR_DYNAMIC)
		err = MPI_ERR_RMA_FLAVOR;
	else if (!err && size < 0)
		err = MPI_ERR_SIZE;
	else if (!err && !base && size)
		err = MPI_ERR_BASE;
	if (err)
		return mpi_win_raise(win, err, __func__);
	g = malloc(sizeof(*g));
	if (!g)
		return mpi_win_raise(win, MPI_ERR_NO_MEM, __func__);
	*g = (struct mpi_win_region){base, size, win->regions};
	win->regions = g;
	return MPI_SUCCESS;
}

int MPI_Win_detach(MPI_Win win, const void *base)
{
	int err = mpi_win_check(win);
	struct mpi_win_region **p, *g;

	if (!err && win->flavor != MPI_WIN_FLAVOR_DYNAMIC)
		err = MPI_ERR_RMA_FLAVOR;
	if (err)
		return mpi_win_raise(win, err, __func__);
	for (p = &win->regions; *p && (*p)->base != base; p = &(*p)->next)
		;
	if (!*p)
		return mpi_win_raise(win, MPI_ERR_BASE, __func__);
	/* Our own operations on it end first; others' are theirs to end. */
	err = mpi_win_end_ops(win, -1);
	g = *p;
	*p = g->next;
	free(g);
	return mpi_win_raise(win, err, __func__);
}

int MPI_Win_free(MPI_Win *win)
{
	MPI_Win w = win ? *win : NULL;
	int err = mpi_win_check(w);

	if (!err && (w->lock_all || w->access || w->exposure))
		err = MPI_ERR_RMA_SYNC;
	for (int r = 0; !err && r < w->comm->size; r++)
		if (w->locked[r])
			err = MPI_ERR_RMA_SYNC;
	if (err)
		return mpi_win_raise(w, err, __func__);
	/*
	 * Our operations have ended, then the barrier: nobody touches our
	 * memory after it.
	 */
	err = mpi_win_end_ops(w, -1);
	if (!err)
		err = mpi_barrier(w->comm);
	if (err)
		return mpi_win_raise(w, err, __func__);
	win_free(w);
	*win = MPI_WIN_NULL;
	return MPI_SUCCESS;
}

int MPI_Win_get_attr(MPI_Win win, int keyval, void *attribute_val, int *flag)
{
	int err = mpi_win_check(win);

	if (!err && (!attribute_val || !flag))
		err = MPI_ERR_ARG;
	if (err)
		return mpi_win_raise(win, err, __func__);
	*flag = 1;
	switch (keyval) {
	case MPI_WIN_BASE: *(void **)attribute_val = win->base; break;
	case MPI_WIN_SIZE: *(MPI_Aint **)attribute_val = &win->size; break;
	case MPI_WIN_DISP_UNIT: *(int **)attribute_val = &win->disp_unit; break;
	case MPI_WIN_CREATE_FLAVOR:
		*(int **)attribute_val = &win->flavor;
		break;
	case MPI_WIN_MODEL: *(int **)attribute_val = &model; break;
	default: *flag = 0; break;
	}
	return MPI_SUCCESS;
}

int MPI_Win_get_group(MPI_Win win, MPI_Group *group)
{
	int err = mpi_win_check(win);

	if (err)
		return mpi_win_raise(win, err, __func__);
	return mpi_win_raise(win, MPI_Comm_group(win->comm, group), __func__);
}

int MPI_Win_set_name(MPI_Win win, const char *win_name)
{
	int err = mpi_win_check(win);

	if (!err && !win_name)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_win_raise(win, err, __func__);
	snprintf(win->name, sizeof(win->name), "%s", win_name);
	name_comm(win);
	return MPI_SUCCESS;
}

int MPI_Win_get_name(MPI_Win win, char *win_name, int *resultlen)
{
	int err = mpi_win_check(win);

	if (!err && (!win_name || !resultlen))
		err = MPI_ERR_ARG;
	if (err)
		return mpi_win_raise(win, err, __func__);
	*resultlen = snprintf(win_name, MPI_MAX_OBJECT_NAME, "%s", win->name);
	return MPI_SUCCESS;
}

int MPI_Win_set_errhandler(MPI_Win win, MPI_Errhandler errhandler)
{
	int err = mpi_win_check(win);

	if (err)
		return mpi_win_raise(win, err, __func__);
	return MPI_Comm_set_errhandler(win->comm, errhandler);
}

int MPI_Win_get_errhandler(MPI_Win win, MPI_Errhandler *errhandler)
{
	int err = mpi_win_check(win);

	if (err)
		return mpi_win_raise(win, err, __func__);
	return MPI_Comm_get_errhandler(win->comm, errhandler);
}
