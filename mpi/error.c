/* SPDX-License-Identifier: MIT */
/*
 * Errors: classes and their text, error handlers, and the checks every
 * call makes of its communicator and buffer. A call that fails raises its
 * error on its communicator (MPI_COMM_WORLD for calls without one): the
 * default handler, MPI_ERRORS_ARE_FATAL, prints the call and the error and
 * aborts the whole run; MPI_ERRORS_RETURN returns the class.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

struct snemu_mpi_errhandler snemu_mpi_errors_are_fatal = {
	.fatal = true,
	.predefined = true,
};
struct snemu_mpi_errhandler snemu_mpi_errors_return = {.predefined = true};

static const char *const err_text[MPI_ERR_LASTCODE] = {
	[MPI_SUCCESS] = "no error",
	[MPI_ERR_BUFFER] = "invalid buffer pointer",
	[MPI_ERR_COUNT] = "invalid count",
	[MPI_ERR_TYPE] = "invalid datatype",
	[MPI_ERR_TAG] = "invalid tag",
	[MPI_ERR_COMM] = "invalid communicator",
	[MPI_ERR_RANK] = "invalid rank",
	[MPI_ERR_REQUEST] = "invalid request",
	[MPI_ERR_ROOT] = "invalid root",
	[MPI_ERR_GROUP] = "invalid group",
	[MPI_ERR_OP] = "invalid reduction operation",
	[MPI_ERR_TOPOLOGY] = "invalid topology",
	[MPI_ERR_DIMS] = "invalid dimensions",
	[MPI_ERR_ARG] = "invalid argument",
	[MPI_ERR_UNKNOWN] = "unknown error",
	[MPI_ERR_TRUNCATE] = "message truncated",
	[MPI_ERR_OTHER] = "other error",
	[MPI_ERR_INTERN] = "internal error",
	[MPI_ERR_IN_STATUS] = "error code in status",
	[MPI_ERR_PENDING] = "pending request",
	[MPI_ERR_NO_MEM] = "out of memory",
	[MPI_ERR_INFO] = "invalid info object",
	[MPI_ERR_INFO_KEY] = "invalid info key",
	[MPI_ERR_INFO_VALUE] = "invalid info value",
	[MPI_ERR_INFO_NOKEY] = "no such info key",
	[MPI_ERR_KEYVAL] = "invalid attribute key",
	[MPI_ERR_NOT_SAME] = "arguments differ between ranks",
	[MPI_ERR_UNSUPPORTED_OPERATION] = "unsupported operation",
	[MPI_ERR_WIN] = "invalid window",
	[MPI_ERR_BASE] = "invalid base address",
	[MPI_ERR_SIZE] = "invalid size",
	[MPI_ERR_DISP] = "invalid displacement",
	[MPI_ERR_LOCKTYPE] = "invalid lock type",
	[MPI_ERR_ASSERT] = "invalid assertion",
	[MPI_ERR_RMA_CONFLICT] = "conflicting accesses to a window",
	[MPI_ERR_RMA_SYNC] = "wrong synchronization of one-sided calls",
	[MPI_ERR_RMA_RANGE] = "target memory outside the window",
	[MPI_ERR_RMA_ATTACH] = "memory cannot be attached",
	[MPI_ERR_RMA_SHARED] = "memory cannot be shared",
	[MPI_ERR_RMA_FLAVOR] = "wrong window flavor",
};

int mpi_err_of(int snemu_err)
{
	switch (snemu_err) {
	case 0: return MPI_SUCCESS;
	case -EMSGSIZE: return MPI_ERR_TRUNCATE;
	case -ENOMEM: return MPI_ERR_NO_MEM;
	case -EINVAL: return MPI_ERR_ARG;
	default: return MPI_ERR_OTHER;
	}
}

const char *mpi_who(void)
{
	static char who[32];

	/* no rank before MPI_Init; after MPI_Finalize, the one it had */
	if (mpi_state == 0)
		return "";
	snprintf(who, sizeof(who), "rank %d: ", MPI_COMM_WORLD->rank);
	return who;
}

int mpi_raise(MPI_Comm comm, int err, const char *fn)
{
	MPI_Errhandler eh;

	if (err == MPI_SUCCESS)
		return err;
	if (!comm)
		comm = MPI_COMM_WORLD;
	eh = comm->eh ? comm->eh : MPI_ERRORS_ARE_FATAL;
	if (eh->fn) {
		eh->fn(&comm, &err);
	} else if (eh->fatal) {
		/* A call outside MPI_Init..MPI_Finalize says so. */
		const char *why = mpi_state == 0   ? "called before MPI_Init"
				  : mpi_state == 2 ? "called after MPI_Finalize"
				  : err > 0 && err < MPI_ERR_LASTCODE
					  ? err_text[err]
					  : "?";

		fprintf(stderr,
			"snemu-mpi: %s%s on %s: %s "
			"(MPI_ERRORS_ARE_FATAL: aborting the run)\n",
			mpi_who(), fn, comm->name[0] ? comm->name : "a comm",
			why);
		MPI_Abort(comm, err);
	}
	return err;
}

MPI_Errhandler mpi_eh_get(MPI_Errhandler eh)
{
	if (eh && !eh->predefined)
		eh->refs++;
	return eh;
}

void mpi_eh_put(MPI_Errhandler eh)
{
	if (eh && !eh->predefined && !--eh->refs)
		free(eh);
}

int mpi_check_comm(MPI_Comm comm)
{
	if (mpi_state != 1)
		return MPI_ERR_OTHER;
	return comm ? MPI_SUCCESS : MPI_ERR_COMM;
}

int mpi_check_buf(const void *buf, int count, MPI_Datatype type)
{
	int err = mpi_check_type(type);

	if (err)
		return err;
	if (count < 0)
		return MPI_ERR_COUNT;
	if (!buf && count && type->size && mpi_type_dense(type))
		return MPI_ERR_BUFFER;
	return MPI_SUCCESS;
}

int MPI_Error_string(int errorcode, char *string, int *resultlen)
{
	if (errorcode < 0 || errorcode >= MPI_ERR_LASTCODE || !string ||
	    !resultlen)
		return MPI_ERR_ARG;
	*resultlen = snprintf(string, MPI_MAX_ERROR_STRING, "MPI: %s",
			      err_text[errorcode]);
	return MPI_SUCCESS;
}

int MPI_Error_class(int errorcode, int *errorclass)
{
	if (errorcode < 0 || errorcode >= MPI_ERR_LASTCODE || !errorclass)
		return MPI_ERR_ARG;
	*errorclass = errorcode;
	return MPI_SUCCESS;
}

int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
{
	int err = mpi_check_comm(comm);

	if (!err && !errhandler)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	mpi_eh_get(errhandler);
	mpi_eh_put(comm->eh);
	comm->eh = errhandler;
	return MPI_SUCCESS;
}

int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler)
{
	int err = mpi_check_comm(comm);

	if (!err && !errhandler)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	/* a new handle, for MPI_Errhandler_free */
	*errhandler = mpi_eh_get(comm->eh ? comm->eh : MPI_ERRORS_ARE_FATAL);
	return MPI_SUCCESS;
}

int MPI_Comm_create_errhandler(MPI_Comm_errhandler_function *fn,
			       MPI_Errhandler *errhandler)
{
	MPI_Errhandler eh;

	if (!fn || !errhandler)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	eh = calloc(1, sizeof(*eh));
	if (!eh)
		return mpi_raise(NULL, MPI_ERR_NO_MEM, __func__);
	eh->fn = fn;
	eh->refs = 1;
	*errhandler = eh;
	return MPI_SUCCESS;
}

int MPI_Comm_call_errhandler(MPI_Comm comm, int errorcode)
{
	int err = mpi_check_comm(comm);

	if (err)
		return mpi_raise(comm, err, __func__);
	mpi_raise(comm, errorcode, __func__);
	return MPI_SUCCESS;
}

/*
 * A user handler is freed once no handle or communicator refers to it;
 * a predefined one is never freed (only the handle is nulled).
 */
int MPI_Errhandler_free(MPI_Errhandler *errhandler)
{
	if (!errhandler || !*errhandler)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	mpi_eh_put(*errhandler);
	*errhandler = MPI_ERRHANDLER_NULL;
	return MPI_SUCCESS;
}
