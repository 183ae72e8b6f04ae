/* SPDX-License-Identifier: MIT */
/*
 * The MPI environment: start and end (over snemu_init / snemu_finalize),
 * abort, the clock (the rank's virtual time), versions, the processor
 * name (the emulated node), device memory (MPI_Alloc_mem).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi/impl.h"

int mpi_state;

int MPI_Init(int *argc, char ***argv)
{
	int ret;

	if (mpi_state) {
		fprintf(stderr, "snemu-mpi: MPI_Init called %s\n",
			mpi_state == 1 ? "twice" : "after MPI_Finalize");
		exit(1);
	}
	if (mpi_coll_algo_init())
		exit(1);
	ret = snemu_init(argc, argv);
	if (ret) {
		fprintf(stderr, "snemu-mpi: MPI_Init: %s%s\n",
			snemu_strerror(ret),
			ret == -ENXIO ? " (start the program with snemu run)"
				      : "");
		exit(1);
	}
	mpi_state = 1;
	ret = mpi_comm_init_predefined();
	if (ret)
		return mpi_raise(NULL, ret, __func__);
	return MPI_SUCCESS;
}

/* One thread calls the endpoint API: MPI_THREAD_SINGLE is provided. */
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
	int err;

	if (required < MPI_THREAD_SINGLE || required > MPI_THREAD_MULTIPLE ||
	    !provided)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	err = MPI_Init(argc, argv);
	*provided = MPI_THREAD_SINGLE;
	return err;
}

int MPI_Query_thread(int *provided)
{
	if (!provided)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	*provided = MPI_THREAD_SINGLE;
	return MPI_SUCCESS;
}

int MPI_Is_thread_main(int *flag)
{
	if (!flag)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	*flag = 1;
	return MPI_SUCCESS;
}

int MPI_Initialized(int *flag)
{
	if (!flag)
		return MPI_ERR_ARG;
	*flag = mpi_state != 0;
	return MPI_SUCCESS;
}

int MPI_Finalized(int *flag)
{
	if (!flag)
		return MPI_ERR_ARG;
	*flag = mpi_state == 2;
	return MPI_SUCCESS;
}

int MPI_Finalize(void)
{
	int err, ret;

	if (mpi_state != 1)
		return mpi_raise(NULL, MPI_ERR_OTHER, __func__);
	err = mpi_req_drain();
	mpi_comm_fini();
	ret = snemu_finalize();
	mpi_state = 2;
	if (!err && ret)
		err = mpi_err_of(ret);
	return err ? mpi_raise(NULL, err, __func__) : MPI_SUCCESS;
}

/*
 * Every rank of the run stops: this one exits with errorcode (1 for 0 or
 * a code that is not an exit status), and `snemu run` kills the others
 * and names this rank in its report.
 */
int MPI_Abort(MPI_Comm comm, int errorcode)
{
	int code = errorcode > 0 && errorcode < 256 ? errorcode : 1;

	fprintf(stderr, "snemu-mpi: %sMPI_Abort(%s, %d)\n", mpi_who(),
		comm && comm->name[0] ? comm->name : "MPI_COMM_WORLD",
		errorcode);
	fflush(NULL);
	_exit(code);
}

double MPI_Wtime(void)
{
	return snemu_now() / 1e9;
}

double MPI_Wtick(void)
{
	return 1e-9;
}

int MPI_Get_processor_name(char *name, int *resultlen)
{
	int node;

	if (!name || !resultlen)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	node = snemu_node_of(snemu_rank());
	*resultlen = snprintf(name, MPI_MAX_PROCESSOR_NAME, "snemu-node%d",
			      node < 0 ? 0 : node);
	return MPI_SUCCESS;
}

int MPI_Get_version(int *version, int *subversion)
{
	if (!version || !subversion)
		return MPI_ERR_ARG;
	*version = MPI_VERSION;
	*subversion = MPI_SUBVERSION;
	return MPI_SUCCESS;
}

int MPI_Get_library_version(char *version, int *resultlen)
{
	if (!version || !resultlen)
		return MPI_ERR_ARG;
	*resultlen = snprintf(version, MPI_MAX_LIBRARY_VERSION_STRING,
			      "snemu-mpi %s (MPI %d.%d subset over snemu)",
			      PACKAGE_VERSION, MPI_VERSION, MPI_SUBVERSION);
	return MPI_SUCCESS;
}

/* Profiling levels change nothing here (MPI lets it do nothing). */
int MPI_Pcontrol(const int level, ...)
{
	(void)level;
	return MPI_SUCCESS;
}

/* Device memory (snemu_mem_alloc): large messages from it copy once. */
int MPI_Alloc_mem(MPI_Aint size, MPI_Info info, void *baseptr)
{
	int ret;

	(void)info;
	if (size < 0 || !baseptr)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	if (!size) {
		*(void **)baseptr = NULL;
		return MPI_SUCCESS;
	}
	ret = snemu_mem_alloc((size_t)size, (void **)baseptr);
	return ret ? mpi_raise(NULL, MPI_ERR_NO_MEM, __func__) : MPI_SUCCESS;
}

int MPI_Free_mem(void *base)
{
	if (!base)
		return MPI_SUCCESS;
	return snemu_mem_free(base) ? mpi_raise(NULL, MPI_ERR_ARG, __func__)
				    : MPI_SUCCESS;
}
