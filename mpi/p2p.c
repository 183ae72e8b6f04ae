/* SPDX-License-Identifier: MIT */
/*
 * Point to point: every send mode, receives, probes and the send-receives
 * over the snemu _comm calls of the communicator's context. A blocking
 * MPI_Send / MPI_Recv of a dense type is one snemu_send_comm /
 * snemu_recv_comm, so its virtual time is the endpoint API's to the
 * nanosecond. MPI_Rsend is a standard send (a receive is already posted,
 * so nothing differs); MPI_Ssend is a snemu synchronous send.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

static struct {
	void *buf;
	size_t size, used;
} attached;

void mpi_status_empty(MPI_Status *st)
{
	*st = (MPI_Status){
		.MPI_SOURCE = MPI_ANY_SOURCE,
		.MPI_TAG = MPI_ANY_TAG,
		.MPI_ERROR = MPI_SUCCESS,
	};
}

void mpi_status_proc_null(MPI_Status *st)
{
	mpi_status_empty(st);
	st->MPI_SOURCE = MPI_PROC_NULL;
}

void mpi_status_of(MPI_Comm comm, const struct snemu_status *s, size_t cap,
		   int err, MPI_Status *st)
{
	*st = (MPI_Status){
		.MPI_SOURCE = s->cancelled ? MPI_ANY_SOURCE
					   : mpi_local(comm, s->source),
		.MPI_TAG = s->tag,
		.MPI_ERROR = err,
		.snemu_cancelled = s->cancelled,
		.snemu_bytes = (MPI_Count)MIN(s->len, cap),
	};
}

/* The arguments of a send (recv false) or receive, as an MPI class. */
static int check(MPI_Comm comm, const void *buf, int count, MPI_Datatype type,
		 int peer, int tag, bool recv)
{
	int err = mpi_check_comm(comm) ?: mpi_check_buf(buf, count, type);

	if (err)
		return err;
	if (peer != MPI_PROC_NULL && (peer < 0 || peer >= comm->size) &&
	    !(recv && peer == MPI_ANY_SOURCE))
		return MPI_ERR_RANK;
	if ((tag < 0 || tag > MPI_TAG_MAX) && !(recv && tag == MPI_ANY_TAG))
		return MPI_ERR_TAG;
	return MPI_SUCCESS;
}

/*
 * snemu_send_comm and snemu_recv_comm; while a nonblocking collective is
 * in flight, as a post and a wait that lets it run meanwhile.
 */
static int blocking_send(uint32_t ctx, int dst, int tag, const void *buf,
			 size_t len, int flags)
{
	struct snemu_req *r;
	int ret, i;

	if (!mpi_sched_running())
		return snemu_send_comm(ctx, dst, tag, buf, len, flags);
	ret = snemu_isend_comm(ctx, dst, tag, buf, len, flags, &r);
	return ret ?: mpi_sched_waitany(1, &r, &i, NULL);
}

static int blocking_recv(uint32_t ctx, int src, int tag, void *buf, size_t len,
			 struct snemu_status *st)
{
	struct snemu_req *r;
	int ret, i;

	if (!mpi_sched_running())
		return snemu_recv_comm(ctx, src, tag, buf, len, st);
	ret = snemu_irecv_comm(ctx, src, tag, buf, len, &r);
	return ret ?: mpi_sched_waitany(1, &r, &i, st);
}

/* A blocking send in mode: buffered ones wait on the orphan list. */
static int send(const void *buf, int count, MPI_Datatype type, int dest,
		int tag, MPI_Comm comm, int mode)
{
	int err = check(comm, buf, count, type, dest, tag, false);
	MPI_Request rq = NULL;
	void *bytes, *tmp;
	int ret;

	if (err || dest == MPI_PROC_NULL)
		return err;
	if (mode == MPI_MODE_BUFFERED) {
		err = mpi_req_new(MPI_RQ_SEND, mode, buf, count, type, dest,
				  tag, comm, &rq);
		if (!err)
			err = mpi_req_start(rq);
		if (!err)
			return MPI_Request_free(&rq);
		if (rq)
			mpi_req_free(rq);
		return err;
	}
	bytes = mpi_bytes(buf, count, type, true, &tmp);
	if (!bytes)
		return MPI_ERR_NO_MEM;
	ret = blocking_send(comm->ctx, mpi_world(comm, dest), tag, bytes,
			    type->size * count,
			    mode == MPI_MODE_SYNC ? SNEMU_SEND_SYNC : 0);
	free(tmp);
	return mpi_err_of(ret);
}

int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest,
	     int tag, MPI_Comm comm)
{
	return mpi_raise(
		comm, send(buf, count, datatype, dest, tag, comm, MPI_MODE_STD),
		__func__);
}

int MPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm)
{
	return mpi_raise(
		comm, send(buf, count, datatype, dest, tag, comm, MPI_MODE_STD),
		__func__);
}

int MPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		send(buf, count, datatype, dest, tag, comm, MPI_MODE_SYNC),
		__func__);
}

int MPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		send(buf, count, datatype, dest, tag, comm, MPI_MODE_BUFFERED),
		__func__);
}

static int recv(void *buf, int count, MPI_Datatype type, int source, int tag,
		MPI_Comm comm, MPI_Status *status)
{
	int err = check(comm, buf, count, type, source, tag, true), ret;
	size_t cap = type->size * count;
	struct snemu_status ns;
	void *bytes, *tmp;
	MPI_Status s;

	if (err)
		return err;
	if (source == MPI_PROC_NULL) {
		if (status)
			mpi_status_proc_null(status);
		return MPI_SUCCESS;
	}
	bytes = mpi_bytes(buf, count, type, false, &tmp);
	if (!bytes)
		return MPI_ERR_NO_MEM;
	ret = blocking_recv(comm->ctx, mpi_world(comm, source), tag, bytes, cap,
			    &ns);
	mpi_status_of(comm, &ns, cap,
		      ret == -EMSGSIZE ? MPI_ERR_TRUNCATE : mpi_err_of(ret),
		      &s);
	if (tmp && (!ret || ret == -EMSGSIZE))
		mpi_unpack(tmp, s.snemu_bytes, buf, count, type);
	free(tmp);
	if (status)
		*status = s;
	return s.MPI_ERROR;
}

int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
	     MPI_Comm comm, MPI_Status *status)
{
	return mpi_raise(comm,
			 recv(buf, count, datatype, source, tag, comm, status),
			 __func__);
}

/* A request of kind and mode, started now (start) or persistent. */
static int request(int kind, int mode, const void *buf, int count,
		   MPI_Datatype type, int peer, int tag, MPI_Comm comm,
		   bool start, MPI_Request *out)
{
	int err = check(comm, buf, count, type, peer, tag, kind == MPI_RQ_RECV);
	MPI_Request rq;

	if (!err && !out)
		err = MPI_ERR_ARG;
	if (!err)
		err = mpi_req_new(kind, mode, buf, count, type, peer, tag, comm,
				  &rq);
	if (err)
		return mpi_raise(comm, err, __func__);
	rq->persistent = !start;
	err = start ? mpi_req_start(rq) : MPI_SUCCESS;
	if (err) {
		mpi_req_free(rq);
		return mpi_raise(comm, err, __func__);
	}
	*out = rq;
	return MPI_SUCCESS;
}

int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_STD, buf, count, datatype, dest,
		       tag, comm, true, request_);
}

int MPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_STD, buf, count, datatype, dest,
		       tag, comm, true, request_);
}

int MPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_SYNC, buf, count, datatype, dest,
		       tag, comm, true, request_);
}

int MPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_BUFFERED, buf, count, datatype,
		       dest, tag, comm, true, request_);
}

int MPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
	      MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_RECV, MPI_MODE_STD, buf, count, datatype, source,
		       tag, comm, true, request_);
}

int MPI_Send_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		  int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_STD, buf, count, datatype, dest,
		       tag, comm, false, request_);
}

int MPI_Rsend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_STD, buf, count, datatype, dest,
		       tag, comm, false, request_);
}

int MPI_Ssend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_SYNC, buf, count, datatype, dest,
		       tag, comm, false, request_);
}

int MPI_Bsend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_SEND, MPI_MODE_BUFFERED, buf, count, datatype,
		       dest, tag, comm, false, request_);
}

int MPI_Recv_init(void *buf, int count, MPI_Datatype datatype, int source,
		  int tag, MPI_Comm comm, MPI_Request *request_)
{
	return request(MPI_RQ_RECV, MPI_MODE_STD, buf, count, datatype, source,
		       tag, comm, false, request_);
}

int mpi_bsend_take(size_t len)
{
	size_t need = len + MPI_BSEND_OVERHEAD;

	if (attached.size - attached.used < need)
		return MPI_ERR_BUFFER;
	attached.used += need;
	return MPI_SUCCESS;
}

void mpi_bsend_give(size_t len)
{
	attached.used -= len + MPI_BSEND_OVERHEAD;
}

/*
 * The attached buffer bounds what buffered sends may hold at once; their
 * copies live in the library's own memory.
 */
int MPI_Buffer_attach(void *buffer, int size)
{
	if (size < 0 || (size && !buffer) || attached.buf)
		return mpi_raise(NULL, MPI_ERR_BUFFER, __func__);
	attached.buf = buffer;
	attached.size = (size_t)size;
	return MPI_SUCCESS;
}

/* Completes every buffered send first, as MPI requires. */
int MPI_Buffer_detach(void *buffer_addr, int *size)
{
	int err;

	if (!buffer_addr || !size)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	err = mpi_req_drain();
	*(void **)buffer_addr = attached.buf;
	*size = (int)attached.size;
	attached.buf = NULL;
	attached.size = 0;
	return mpi_raise(NULL, err, __func__);
}

int MPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 int dest, int sendtag, void *recvbuf, int recvcount,
		 MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
		 MPI_Status *status)
{
	MPI_Request rq[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
	MPI_Status st[2];
	int err;

	err = check(comm, recvbuf, recvcount, recvtype, source, recvtag, true)
		      ?: check(comm, sendbuf, sendcount, sendtype, dest,
			       sendtag, false);
	if (err)
		return mpi_raise(comm, err, __func__);
	err = MPI_Irecv(recvbuf, recvcount, recvtype, source, recvtag, comm,
			&rq[0]);
	if (!err)
		err = MPI_Isend(sendbuf, sendcount, sendtype, dest, sendtag,
				comm, &rq[1]);
	if (!err)
		err = MPI_Waitall(2, rq, st);
	if (err == MPI_ERR_IN_STATUS)
		err = st[0].MPI_ERROR ?: st[1].MPI_ERROR;
	if (status && !err)
		*status = st[0];
	return mpi_raise(comm, err, __func__);
}

int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest,
			 int sendtag, int source, int recvtag, MPI_Comm comm,
			 MPI_Status *status)
{
	int err = check(comm, buf, count, datatype, dest, sendtag, false)
			  ?: check(comm, buf, count, datatype, source, recvtag,
				   true);
	size_t len = datatype ? datatype->size * count : 0;
	void *packed;

	if (err)
		return mpi_raise(comm, err, __func__);
	packed = malloc(len + 1);
	if (!packed)
		return mpi_raise(comm, MPI_ERR_NO_MEM, __func__);
	mpi_pack(buf, count, datatype, packed);
	err = MPI_Sendrecv(packed, (int)len, MPI_BYTE, dest, sendtag, buf,
			   count, datatype, source, recvtag, comm, status);
	free(packed);
	return err;
}

static int probe(int source, int tag, MPI_Comm comm, int *flag,
		 MPI_Status *status)
{
	int err = check(comm, NULL, 0, MPI_BYTE, source, tag, true), ret;
	struct snemu_status ns;

	if (err)
		return err;
	if (source == MPI_PROC_NULL) {
		if (flag)
			*flag = 1;
		if (status)
			mpi_status_proc_null(status);
		return MPI_SUCCESS;
	}
	/* a blocking probe cannot run collectives meanwhile: ends them first */
	if (!flag)
		mpi_sched_wait_running();
	ret = flag ? snemu_iprobe_comm(comm->ctx, mpi_world(comm, source), tag,
				       flag, &ns)
		   : snemu_probe_comm(comm->ctx, mpi_world(comm, source), tag,
				      &ns);
	if (!ret && status && (!flag || *flag))
		mpi_status_of(comm, &ns, ns.len, MPI_SUCCESS, status);
	return mpi_err_of(ret);
}

int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status)
{
	return mpi_raise(comm, probe(source, tag, comm, NULL, status),
			 __func__);
}

int MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag,
	       MPI_Status *status)
{
	if (!flag)
		return mpi_raise(comm, MPI_ERR_ARG, __func__);
	return mpi_raise(comm, probe(source, tag, comm, flag, status),
			 __func__);
}
