/* SPDX-License-Identifier: MIT */
/*
 * Requests: an MPI request holds what its operation moves and, while it is
 * in flight, the snemu request (r). The wait and test calls hand the snemu
 * requests to their snemu twins (snemu_waitall, _waitany, _testany,
 * _testall), so that virtual times are those of the endpoint API, and then
 * finish each: status in comm ranks, unpack of a non-dense receive, free
 * (or back to inactive, when persistent).
 *
 * A request completed without the fabric (MPI_PROC_NULL) is done: the
 * calls take it first. A request freed while active, and every buffered
 * send, waits on the orphan list; MPI_Finalize and MPI_Buffer_detach
 * complete them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

#define LOCAL_REQS 64

static MPI_Request orphans;

int mpi_req_new(int kind, int mode, const void *buf, int count,
		MPI_Datatype type, int peer, int tag, MPI_Comm comm,
		MPI_Request *out)
{
	MPI_Request rq = calloc(1, sizeof(*rq));

	if (!rq)
		return MPI_ERR_NO_MEM;
	*rq = (struct snemu_mpi_request){
		.kind = kind,
		.mode = mode,
		.buf = (void *)buf,
		.count = count,
		.peer = peer,
		.tag = tag,
		.type = mpi_type_get(type),
		.comm = comm,
	};
	*out = rq;
	return MPI_SUCCESS;
}

void mpi_req_free(MPI_Request rq)
{
	free(rq->tmp);
	mpi_type_put(rq->type);
	free(rq);
}

static size_t req_len(MPI_Request rq)
{
	return rq->type ? rq->type->size * rq->count : 0;
}

int mpi_req_start(MPI_Request rq)
{
	uint32_t ctx = rq->comm->ctx;
	int w = mpi_world(rq->comm, rq->peer), ret;
	size_t len = req_len(rq);
	void *bytes;

	rq->active = true;
	rq->done = false;
	if (rq->peer == MPI_PROC_NULL) {
		rq->done = true;
		mpi_status_proc_null(&rq->st);
		return MPI_SUCCESS;
	}
	if (rq->kind == MPI_RQ_RECV) {
		bytes = mpi_bytes(rq->buf, rq->count, rq->type, false,
				  &rq->tmp);
		ret = bytes ? snemu_irecv_comm(ctx, w, rq->tag, bytes, len,
					       &rq->r)
			    : -ENOMEM;
	} else {
		/* A buffered send owns a copy: the buffer is free at once. */
		bool copy = rq->mode == MPI_MODE_BUFFERED;

		if (copy && mpi_bsend_take(len)) {
			rq->active = false;
			return MPI_ERR_BUFFER;
		}
		bytes = copy ? (rq->tmp = malloc(len + 1))
			     : mpi_bytes(rq->buf, rq->count, rq->type, true,
					 &rq->tmp);
		if (copy && bytes)
			mpi_pack(rq->buf, rq->count, rq->type, bytes);
		ret = bytes ? snemu_isend_comm(ctx, w, rq->tag, bytes, len,
					       rq->mode == MPI_MODE_SYNC
						       ? SNEMU_SEND_SYNC
						       : 0,
					       &rq->r)
			    : -ENOMEM;
		if (ret && copy)
			mpi_bsend_give(len);
	}
	if (ret) {
		free(rq->tmp);
		rq->tmp = NULL;
		rq->active = false;
	}
	return mpi_err_of(ret);
}

/* A collective whose schedule has ended is done, with its error. */
static void coll_update(MPI_Request rq)
{
	if (!rq->sched || !mpi_sched_complete(rq->sched))
		return;
	mpi_status_empty(&rq->st);
	rq->st.MPI_ERROR = mpi_sched_err(rq->sched);
	mpi_sched_free(rq->sched);
	rq->sched = NULL;
	rq->done = true;
}

int mpi_req_coll(struct mpi_sched *s, MPI_Comm comm, MPI_Request *out)
{
	MPI_Request rq = calloc(1, sizeof(*rq));

	if (!rq) {
		mpi_sched_free(s);
		return MPI_ERR_NO_MEM;
	}
	*rq = (struct snemu_mpi_request){
		.kind = MPI_RQ_COLL, .active = true, .comm = comm, .sched = s};
	mpi_sched_start(s);
	coll_update(rq);
	*out = rq;
	return MPI_SUCCESS;
}

static void orphan(MPI_Request rq)
{
	rq->freed = true;
	rq->next = orphans;
	orphans = rq;
}

/*
 * Finish active rq from its snemu result (ns, ret; ignored when done):
 * fill st, unpack, then free rq and null *h, or deactivate a persistent
 * one. Returns the operation's MPI error class.
 */
static int finish(MPI_Request *h, const struct snemu_status *ns, int ret,
		  MPI_Status *st)
{
	MPI_Request rq = *h;
	size_t len = req_len(rq);
	MPI_Status s;
	int err;

	if (rq->done) {
		s = rq->st;
	} else if (rq->kind == MPI_RQ_RECV) {
		err = ret == -EMSGSIZE || ns->len > len ? MPI_ERR_TRUNCATE
							: mpi_err_of(ret);
		mpi_status_of(rq->comm, ns, len, err, &s);
		if (rq->tmp && !ns->cancelled)
			mpi_unpack(rq->tmp, s.snemu_bytes, rq->buf, rq->count,
				   rq->type);
	} else {
		mpi_status_empty(&s);
		s.MPI_ERROR = mpi_err_of(ret);
		s.snemu_bytes = (MPI_Count)len;
		if (rq->mode == MPI_MODE_BUFFERED)
			mpi_bsend_give(len);
	}
	err = s.MPI_ERROR;
	if (st)
		*st = s;
	free(rq->tmp);
	rq->tmp = NULL;
	rq->r = NULL;
	rq->active = rq->done = false;
	if (!rq->persistent) {
		mpi_req_free(rq);
		*h = MPI_REQUEST_NULL;
	}
	return err;
}

/* rq is waiting on the fabric (not null, active, not done). */
static bool in_flight(MPI_Request rq)
{
	return rq && rq->active && !rq->done;
}

/* The snemu request rq (in flight) waits for. */
static struct snemu_req *native(MPI_Request rq)
{
	return rq->sched ? *mpi_sched_pending(rq->sched) : rq->r;
}

/* Complete active rq, blocking; the snemu result (ns: its status). */
static int complete(MPI_Request rq, struct snemu_status *ns)
{
	int i;

	if (rq->done)
		return 0;
	if (!rq->sched)
		return mpi_sched_waitany(1, &rq->r, &i, ns);
	mpi_sched_wait(rq->sched);
	coll_update(rq);
	return 0;
}

/*
 * Let every collective of reqs in flight run (test: a test each) before
 * an array call; whether all of them are done.
 */
static bool colls_run(int n, MPI_Request *reqs, bool test)
{
	bool all = true;

	for (int i = 0; i < n; i++) {
		if (!in_flight(reqs[i]) || !reqs[i]->sched)
			continue;
		if (test)
			mpi_sched_test(reqs[i]->sched);
		else
			mpi_sched_wait(reqs[i]->sched);
		coll_update(reqs[i]);
		all = all && reqs[i]->done;
	}
	return all;
}

/* First index of a done request among n, or -1. */
static int first_done(int n, MPI_Request *reqs)
{
	for (int i = 0; i < n; i++)
		if (reqs[i] && reqs[i]->active && reqs[i]->done)
			return i;
	return -1;
}

static bool any_active(int n, MPI_Request *reqs)
{
	for (int i = 0; i < n; i++)
		if (reqs[i] && reqs[i]->active)
			return true;
	return false;
}

/* The snemu requests of reqs (NULL where none), in a[] or malloc'd. */
static struct snemu_req **natives(int n, MPI_Request *reqs,
				  struct snemu_req **a)
{
	struct snemu_req **nat =
		n <= LOCAL_REQS ? a : malloc(n * sizeof(*nat) + 1);

	for (int i = 0; nat && i < n; i++) {
		if (reqs[i])
			coll_update(reqs[i]);
		nat[i] = in_flight(reqs[i]) ? native(reqs[i]) : NULL;
	}
	return nat;
}

static void natives_free(struct snemu_req **nat, struct snemu_req **a)
{
	if (nat != a)
		free(nat);
}

int mpi_req_drain(void)
{
	int err = MPI_SUCCESS;

	while (orphans) {
		MPI_Request rq = orphans;
		struct snemu_status ns;
		int ret;

		orphans = rq->next;
		rq->persistent = false;
		ret = complete(rq, &ns);
		err = err ?: finish(&rq, &ns, ret, NULL);
	}
	return err;
}

int MPI_Wait(MPI_Request *request, MPI_Status *status)
{
	struct snemu_status ns;
	MPI_Request rq;
	MPI_Comm comm;
	int ret, err;

	if (!request)
		return mpi_raise(NULL, MPI_ERR_REQUEST, __func__);
	rq = *request;
	if (!rq || !rq->active) {
		if (status)
			mpi_status_empty(status);
		return MPI_SUCCESS;
	}
	comm = rq->comm;
	ret = complete(rq, &ns);
	err = finish(request, &ns, ret, status);
	return mpi_raise(comm, err, __func__);
}

int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status)
{
	struct snemu_status ns;
	MPI_Request rq;
	MPI_Comm comm;
	int ret = 0, done = 1;

	if (!request || !flag)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	rq = *request;
	if (!rq || !rq->active) {
		*flag = 1;
		if (status)
			mpi_status_empty(status);
		return MPI_SUCCESS;
	}
	if (rq->sched) {
		mpi_sched_test(rq->sched);
		coll_update(rq);
		done = rq->done;
	} else if (!rq->done) {
		ret = snemu_test(rq->r, &done, &ns);
	}
	*flag = done;
	comm = rq->comm;
	if (!done)
		return mpi_raise(comm, mpi_err_of(ret), __func__);
	return mpi_raise(comm, finish(request, &ns, ret, status), __func__);
}

/*
 * Finish every active request of reqs, all completed, with the snemu
 * statuses nsts; statuses into sts (may be NULL).
 * ret: the snemu array call's result, for errors the statuses cannot
 * tell. Returns MPI_ERR_IN_STATUS if any failed.
 */
static int finish_all(int n, MPI_Request *reqs, struct snemu_status *nsts,
		      int ret, MPI_Status *sts)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		MPI_Status s;
		int err;

		if (!reqs[i] || !reqs[i]->active) {
			if (sts)
				mpi_status_empty(&sts[i]);
			continue;
		}
		err = finish(&reqs[i], &nsts[i],
			     ret == -EMSGSIZE || reqs[i]->done ? 0 : ret, &s);
		failed |= err != MPI_SUCCESS;
		if (sts)
			sts[i] = s;
	}
	return failed ? MPI_ERR_IN_STATUS : MPI_SUCCESS;
}

/*
 * snemu_waitall, one request at a time so that the collectives in flight
 * run meanwhile (the same virtual times: the order of waits does not
 * change them).
 */
static int wait_each(int n, struct snemu_req **nat, struct snemu_status *nsts)
{
	int ret = 0, i;

	for (int k = 0; k < n; k++) {
		int r;

		nsts[k] = (struct snemu_status){.source = SNEMU_ANY_SOURCE,
						.tag = SNEMU_ANY_TAG};
		if (!nat[k])
			continue;
		r = mpi_sched_waitany(1, &nat[k], &i, &nsts[k]);
		ret = ret ?: r;
	}
	return ret;
}

static int array_call(int n, MPI_Request *reqs, MPI_Status *sts, bool test,
		      int *flag)
{
	struct snemu_req *a[LOCAL_REQS], **nat;
	struct snemu_status *nsts;
	int ret, done = 1, err;

	if (!colls_run(n, reqs, test)) {
		*flag = 0;
		return MPI_SUCCESS;
	}
	nat = natives(n, reqs, a);
	nsts = calloc(n + 1, sizeof(*nsts));
	if (!nat || !nsts) {
		free(nsts);
		natives_free(nat, a);
		return MPI_ERR_NO_MEM;
	}
	if (test)
		ret = snemu_testall(n, nat, &done, nsts);
	else if (!mpi_sched_running())
		ret = snemu_waitall(n, nat, nsts);
	else
		ret = wait_each(n, nat, nsts);
	if (flag)
		*flag = done;
	err = done ? finish_all(n, reqs, nsts, ret, sts) : mpi_err_of(ret);
	free(nsts);
	natives_free(nat, a);
	return err;
}

int MPI_Waitall(int count, MPI_Request array_of_requests[],
		MPI_Status array_of_statuses[])
{
	if (count < 0 || (count && !array_of_requests))
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return mpi_raise(NULL,
			 array_call(count, array_of_requests, array_of_statuses,
				    false, NULL),
			 __func__);
}

int MPI_Testall(int count, MPI_Request array_of_requests[], int *flag,
		MPI_Status array_of_statuses[])
{
	if (count < 0 || (count && !array_of_requests) || !flag)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return mpi_raise(NULL,
			 array_call(count, array_of_requests, array_of_statuses,
				    true, flag),
			 __func__);
}

/*
 * One request of reqs: a done one first, else the one the snemu call
 * completes (waitany, or testany when test). *index is MPI_UNDEFINED when
 * none is active, or (testing) none completed.
 */
static int one_of(int n, MPI_Request *reqs, int *index, MPI_Status *st,
		  bool test, int *flag)
{
	struct snemu_req *a[LOCAL_REQS], **nat;
	struct snemu_status ns;
	int i = first_done(n, reqs), ret = 0, done = 1;

	*index = MPI_UNDEFINED;
	if (flag)
		*flag = 1;
	if (i < 0 && !any_active(n, reqs)) {
		if (st)
			mpi_status_empty(st);
		return MPI_SUCCESS;
	}
	while (i < 0) {
		nat = natives(n, reqs, a);
		if (!nat)
			return MPI_ERR_NO_MEM;
		ret = test ? snemu_testany(n, nat, &i, &done, &ns)
			   : mpi_sched_waitany(n, nat, &i, &ns);
		natives_free(nat, a);
		if (flag)
			*flag = done;
		if (!done || i < 0)
			return mpi_err_of(ret);
		if (!reqs[i]->sched)
			break;
		/* a step of a collective: done when its schedule is */
		mpi_sched_advance(reqs[i]->sched, ret);
		coll_update(reqs[i]);
		ret = 0;
		if (!reqs[i]->done && test) {
			*flag = 0;
			return MPI_SUCCESS;
		}
		if (!reqs[i]->done)
			i = -1;
	}
	*index = i;
	return finish(&reqs[i], &ns, ret, st);
}

int MPI_Waitany(int count, MPI_Request array_of_requests[], int *index,
		MPI_Status *status)
{
	if (count < 0 || (count && !array_of_requests) || !index)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return mpi_raise(
		NULL,
		one_of(count, array_of_requests, index, status, false, NULL),
		__func__);
}

int MPI_Testany(int count, MPI_Request array_of_requests[], int *index,
		int *flag, MPI_Status *status)
{
	if (count < 0 || (count && !array_of_requests) || !index || !flag)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return mpi_raise(
		NULL,
		one_of(count, array_of_requests, index, status, true, flag),
		__func__);
}

/* Finish reqs[i] (as finish) as the next of some's results. */
static int some_take(MPI_Request *reqs, int i, const struct snemu_status *ns,
		     int ret, int *k, int *indices, MPI_Status *sts)
{
	MPI_Status s;
	int err = finish(&reqs[i], ns, ret, &s);

	indices[*k] = i;
	if (sts)
		sts[*k] = s;
	++*k;
	return err;
}

/*
 * Take every request of reqs completed by now, after the k results
 * already in indices and sts: the done ones, then by one snemu_testsome
 * (one poll overhead, none when nothing is in flight) the others, a
 * collective when its schedule ends. The first error, or MPI_SUCCESS.
 */
static int take_done(int n, MPI_Request *reqs, int *k, int *indices,
		     MPI_Status *sts)
{
	struct snemu_req *a[LOCAL_REQS], **nat = natives(n, reqs, a);
	int *idx = malloc((n + 1) * sizeof(*idx)), m = 0, ret, e;
	struct snemu_status *nsts = malloc((n + 1) * sizeof(*nsts));
	int err = MPI_ERR_NO_MEM;

	if (!nat || !idx || !nsts)
		goto out;
	err = MPI_SUCCESS;
	for (int i = 0; i < n; i++) {
		if (!reqs[i] || !reqs[i]->active || !reqs[i]->done)
			continue;
		e = some_take(reqs, i, NULL, 0, k, indices, sts);
		err = err ?: e;
	}
	ret = snemu_testsome(n, nat, &m, idx, nsts);
	for (int j = 0; j < m; j++) {
		MPI_Request rq = reqs[idx[j]];
		int r = ret == -EMSGSIZE ? 0 : ret;

		if (rq->sched) {
			mpi_sched_advance(rq->sched, r);
			coll_update(rq);
			if (!rq->done)
				continue;
		}
		e = some_take(reqs, idx[j], &nsts[j], r, k, indices, sts);
		err = err ?: e;
	}
	err = err ?: mpi_err_of(m ? 0 : ret);
out:
	free(nsts);
	free(idx);
	natives_free(nat, a);
	return err;
}

/*
 * Waitsome and Testsome: Waitsome first waits for one (as Waitany), then
 * both take every other one completed by now (take_done).
 */
static int some(int n, MPI_Request *reqs, int *outcount, int *indices,
		MPI_Status *sts, bool test)
{
	int k = 0, i, err = MPI_SUCCESS, e;
	MPI_Status s;

	if (n < 0 || (n && (!reqs || !indices)) || !outcount)
		return MPI_ERR_ARG;
	if (!any_active(n, reqs)) {
		*outcount = MPI_UNDEFINED;
		return MPI_SUCCESS;
	}
	if (!test) {
		err = one_of(n, reqs, &i, &s, false, NULL);
		if (i == MPI_UNDEFINED) {
			*outcount = 0;
			return err;
		}
		indices[k] = i;
		if (sts)
			sts[k] = s;
		k++;
	}
	e = take_done(n, reqs, &k, indices, sts);
	err = err ?: e;
	*outcount = k;
	return err && k > 1 ? MPI_ERR_IN_STATUS : err;
}

int MPI_Waitsome(int incount, MPI_Request array_of_requests[], int *outcount,
		 int array_of_indices[], MPI_Status array_of_statuses[])
{
	return mpi_raise(NULL,
			 some(incount, array_of_requests, outcount,
			      array_of_indices, array_of_statuses, false),
			 __func__);
}

int MPI_Testsome(int incount, MPI_Request array_of_requests[], int *outcount,
		 int array_of_indices[], MPI_Status array_of_statuses[])
{
	return mpi_raise(NULL,
			 some(incount, array_of_requests, outcount,
			      array_of_indices, array_of_statuses, true),
			 __func__);
}

int MPI_Request_free(MPI_Request *request)
{
	MPI_Request rq;

	if (!request || !*request)
		return mpi_raise(NULL, MPI_ERR_REQUEST, __func__);
	rq = *request;
	*request = MPI_REQUEST_NULL;
	if (rq->active) {
		orphan(rq);
		return MPI_SUCCESS;
	}
	mpi_req_free(rq);
	return MPI_SUCCESS;
}

/* A receive nothing matched yet is withdrawn; anything else completes. */
int MPI_Cancel(MPI_Request *request)
{
	MPI_Request rq;
	int ret;

	if (!request || !*request)
		return mpi_raise(NULL, MPI_ERR_REQUEST, __func__);
	rq = *request;
	if (!in_flight(rq) || rq->kind != MPI_RQ_RECV)
		return MPI_SUCCESS;
	ret = snemu_cancel(rq->r);
	return ret == -EBUSY ? MPI_SUCCESS
			     : mpi_raise(rq->comm, mpi_err_of(ret), __func__);
}

int MPI_Test_cancelled(const MPI_Status *status, int *flag)
{
	if (!status || !flag)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	*flag = status->snemu_cancelled;
	return MPI_SUCCESS;
}

int MPI_Start(MPI_Request *request)
{
	if (!request || !*request || !(*request)->persistent ||
	    (*request)->active)
		return mpi_raise(NULL, MPI_ERR_REQUEST, __func__);
	return mpi_raise((*request)->comm, mpi_req_start(*request), __func__);
}

int MPI_Startall(int count, MPI_Request array_of_requests[])
{
	int err = MPI_SUCCESS;

	if (count < 0 || (count && !array_of_requests))
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	for (int i = 0; !err && i < count; i++)
		err = MPI_Start(&array_of_requests[i]);
	return err;
}
