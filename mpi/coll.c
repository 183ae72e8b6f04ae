/* SPDX-License-Identifier: MIT */
/*
 * The collective calls, blocking and nonblocking (the I-forms): each
 * checks its arguments, builds its algorithm's schedule (coll_algo.c) in
 * the communicator's collective context (ctx + 1) with its own tag (the
 * communicator's count of collectives), then runs it to the end, or hands
 * it out as a request that the wait and test calls advance. So the two
 * forms of a collective move the same messages at the same virtual
 * times when the I-form is waited for at once. The blocking MPI_Barrier
 * of MPI_COMM_WORLD is the endpoint API's snemu_barrier.
 */
#include <stdlib.h>

#include "mpi/impl.h"

/* ---- argument checks ---- */

static int check_root(MPI_Comm c, int root)
{
	return root < 0 || root >= c->size ? MPI_ERR_ROOT : MPI_SUCCESS;
}

/* A buffer argument that may be MPI_IN_PLACE where allowed. */
static int check_in(const void *buf, int count, MPI_Datatype t, bool may_skip)
{
	return may_skip || buf == MPI_IN_PLACE ? MPI_SUCCESS
					       : mpi_check_buf(buf, count, t);
}

static int check_counts(const int *counts, const int *displs, int n,
			MPI_Datatype t)
{
	int err = mpi_check_type(t);

	if (!err && (!counts || !displs))
		err = MPI_ERR_ARG;
	for (int r = 0; !err && r < n; r++)
		if (counts[r] < 0)
			err = MPI_ERR_COUNT;
	return err;
}

/* A new schedule for a collective on c, or NULL with *err set. */
static struct mpi_sched *sched(MPI_Comm c, int *err)
{
	struct mpi_sched *s = NULL;

	if (!*err)
		*err = mpi_sched_new(c, &s);
	return *err ? NULL : s;
}

/* Run s on c to its end (req NULL), or start it as *req. */
static int issue(struct mpi_sched *s, MPI_Comm c, MPI_Request *req)
{
	int err = mpi_sched_err(s);

	if (!err && req)
		return mpi_req_coll(s, c, req);
	if (!err) {
		mpi_sched_start(s);
		err = mpi_sched_wait(s);
	}
	mpi_sched_free(s);
	return err;
}

/*
 * The counts, byte displacements and types of one side of an all-to-all
 * (counts NULL: plain blocks of plain elements), freed with s.
 */
static void w_side(struct mpi_sched *s, int n, const int *counts,
		   const int *displs, MPI_Datatype t, int plain, int **oc,
		   MPI_Aint **od, MPI_Datatype **ot)
{
	*oc = mpi_sched_mem(s, n * sizeof(**oc));
	*od = mpi_sched_mem(s, n * sizeof(**od));
	*ot = mpi_sched_mem(s, n * sizeof(**ot));
	for (int r = 0; *oc && *od && *ot && r < n; r++) {
		(*oc)[r] = counts ? counts[r] : plain;
		(*od)[r] =
			(displs ? displs[r] : (MPI_Aint)r * plain) * t->extent;
		(*ot)[r] = t;
	}
}

/* Counts and displacements of n equal blocks of count elements. */
static int *equal_blocks(struct mpi_sched *s, int n, int count)
{
	int *cd = mpi_sched_mem(s, 2 * n * sizeof(*cd));

	for (int r = 0; cd && r < n; r++) {
		cd[r] = count;
		cd[n + r] = r * count;
	}
	return cd;
}

/* ---- each collective: req NULL runs it, else hands it out ---- */

static int barrier(MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c);
	struct mpi_sched *s;

	if (!err && !req && c == MPI_COMM_WORLD) {
		/* the engine's barrier cannot run collectives meanwhile */
		mpi_sched_wait_running();
		return mpi_err_of(snemu_barrier());
	}
	s = sched(c, &err);
	if (!s)
		return err;
	mpi_build_barrier(s);
	return issue(s, c, req);
}

static int bcast(void *buf, int count, MPI_Datatype t, int root, MPI_Comm c,
		 MPI_Request *req)
{
	int err = mpi_check_comm(c) ?: check_root(c, root) ?:
			  mpi_check_buf(buf, count, t);
	struct mpi_sched *s = sched(c, &err);

	if (!s)
		return err;
	mpi_build_bcast(s, buf, count, t, root);
	return issue(s, c, req);
}

static int reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		  MPI_Op op, int root, MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c) ?: check_root(c, root);
	struct mpi_sched *s;

	if (!err)
		err = mpi_check_buf(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf,
				    count, t)
			      ?: mpi_check_op(op, t);
	if (!err && sendbuf == MPI_IN_PLACE && c->rank != root)
		err = MPI_ERR_BUFFER;
	s = sched(c, &err);
	if (!s)
		return err;
	mpi_build_reduce(s, sendbuf, recvbuf, count, t, op, root);
	return issue(s, c, req);
}

static int allreduce(const void *sendbuf, void *recvbuf, int count,
		     MPI_Datatype t, MPI_Op op, MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c);
	struct mpi_sched *s;

	if (!err)
		err = mpi_check_buf(recvbuf, count, t) ?:
			      check_in(sendbuf, count, t, false) ?:
			      mpi_check_op(op, t);
	s = sched(c, &err);
	if (!s)
		return err;
	mpi_build_allreduce(s, sendbuf, recvbuf, count, t, op);
	return issue(s, c, req);
}

/*
 * Gather(v): v false for the plain form (recvcount elements each, read
 * only at the root) without counts and displs.
 */
static int gatherv(const void *sendbuf, int sendcount, MPI_Datatype st,
		   void *recvbuf, bool v, const int *counts, const int *displs,
		   int recvcount, MPI_Datatype rt, int root, MPI_Comm c,
		   MPI_Request *req)
{
	int err = mpi_check_comm(c) ?: check_root(c, root);
	bool is_root = !err && c->rank == root;
	struct mpi_sched *s;
	int *cd;

	if (!err)
		err = check_in(sendbuf, sendcount, st,
			       is_root && sendbuf == MPI_IN_PLACE);
	if (!err && is_root && v)
		err = check_counts(counts, displs, c->size, rt);
	else if (!err && is_root)
		err = mpi_check_buf(recvbuf, recvcount, rt);
	s = sched(c, &err);
	if (!s)
		return err;
	if (!v && (cd = equal_blocks(s, c->size, recvcount))) {
		counts = cd;
		displs = cd + c->size;
	}
	if (!mpi_sched_err(s))
		mpi_build_gatherv(s, sendbuf, sendcount, st, recvbuf, counts,
				  displs, rt, root);
	return issue(s, c, req);
}

/* Scatter(v): v false for the plain form (sendcount each). */
static int scatterv(const void *sendbuf, bool v, const int *counts,
		    const int *displs, int sendcount, MPI_Datatype st,
		    void *recvbuf, int recvcount, MPI_Datatype rt, int root,
		    MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c) ?: check_root(c, root);
	bool is_root = !err && c->rank == root;
	struct mpi_sched *s;
	int *cd;

	if (!err)
		err = check_in(recvbuf, recvcount, rt,
			       is_root && recvbuf == MPI_IN_PLACE);
	if (!err && is_root && v)
		err = check_counts(counts, displs, c->size, st);
	else if (!err && is_root)
		err = mpi_check_buf(sendbuf, sendcount, st);
	s = sched(c, &err);
	if (!s)
		return err;
	if (!v && (cd = equal_blocks(s, c->size, sendcount))) {
		counts = cd;
		displs = cd + c->size;
	}
	if (!mpi_sched_err(s))
		mpi_build_scatterv(s, sendbuf, counts, displs, st, recvbuf,
				   recvcount, rt, root);
	return issue(s, c, req);
}

/* Allgather(v): v false for the plain form (recvcount each). */
static int allgatherv(const void *sendbuf, int sendcount, MPI_Datatype st,
		      void *recvbuf, bool v, const int *counts,
		      const int *displs, int recvcount, MPI_Datatype rt,
		      MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c);
	struct mpi_sched *s;
	int *cd;

	if (!err)
		err = check_in(sendbuf, sendcount, st, false);
	if (!err)
		err = v ? check_counts(counts, displs, c->size, rt)
			: mpi_check_buf(recvbuf, recvcount, rt);
	s = sched(c, &err);
	if (!s)
		return err;
	if (!v && (cd = equal_blocks(s, c->size, recvcount))) {
		counts = cd;
		displs = cd + c->size;
	}
	if (!mpi_sched_err(s))
		mpi_build_allgatherv(s, sendbuf, sendcount, st, recvbuf, counts,
				     displs, rt);
	return issue(s, c, req);
}

/*
 * Alltoall and Alltoallv: counts[0] (send) and counts[1] (receive) NULL
 * for the plain form of plain[] elements per block.
 */
static int alltoallv(const void *sendbuf, const int *const counts[2],
		     const int *const displs[2], const MPI_Datatype t[2],
		     const int plain[2], void *recvbuf, MPI_Comm c,
		     MPI_Request *req)
{
	bool in_place = sendbuf == MPI_IN_PLACE;
	int err = mpi_check_comm(c), *sc = NULL, *rc;
	MPI_Aint *sd = NULL, *rd;
	MPI_Datatype *stv = NULL, *rtv;
	struct mpi_sched *s;

	for (int k = in_place; !err && k < 2; k++)
		err = counts[k] ? check_counts(counts[k], displs[k], c->size,
					       t[k])
				: check_in(k ? recvbuf : sendbuf, plain[k],
					   t[k], false);
	s = sched(c, &err);
	if (!s)
		return err;
	if (!in_place)
		w_side(s, c->size, counts[0], displs[0], t[0], plain[0], &sc,
		       &sd, &stv);
	w_side(s, c->size, counts[1], displs[1], t[1], plain[1], &rc, &rd,
	       &rtv);
	if (!mpi_sched_err(s))
		mpi_build_alltoallw(s, sendbuf, sc, sd, stv, recvbuf, rc, rd,
				    rtv);
	return issue(s, c, req);
}

static int alltoallw(const void *sendbuf, const int *scounts,
		     const int *sdispls, const MPI_Datatype *stypes,
		     void *recvbuf, const int *rcounts, const int *rdispls,
		     const MPI_Datatype *rtypes, MPI_Comm c, MPI_Request *req)
{
	bool in_place = sendbuf == MPI_IN_PLACE;
	int err = mpi_check_comm(c), n = err ? 0 : c->size;
	MPI_Aint *d = NULL;
	struct mpi_sched *s;

	if (!err && (!rcounts || !rdispls || !rtypes ||
		     (!in_place && (!scounts || !sdispls || !stypes))))
		err = MPI_ERR_ARG;
	for (int r = 0; !err && r < n; r++)
		err = mpi_check_type(rtypes[r])
			      ?: (!in_place ? mpi_check_type(stypes[r]) : 0);
	s = sched(c, &err);
	if (!s)
		return err;
	d = mpi_sched_mem(s, 2 * n * sizeof(*d));
	for (int r = 0; d && r < n; r++) {
		d[r] = in_place ? 0 : sdispls[r];
		d[n + r] = rdispls[r];
	}
	if (d)
		mpi_build_alltoallw(s, sendbuf, scounts, d, stypes, recvbuf,
				    rcounts, d + n, rtypes);
	return issue(s, c, req);
}

/* Reduce_scatter(_block): v false for the block form (count each). */
static int reduce_scatter(const void *sendbuf, void *recvbuf, bool v,
			  const int *counts, int count, MPI_Datatype t,
			  MPI_Op op, MPI_Comm c, MPI_Request *req)
{
	int err = mpi_check_comm(c), *cd;
	struct mpi_sched *s;

	if (!err && v && !counts)
		err = MPI_ERR_ARG;
	for (int r = 0; !err && v && r < c->size; r++)
		if (counts[r] < 0)
			err = MPI_ERR_COUNT;
	if (!err && !v)
		err = mpi_check_buf(recvbuf, count, t);
	if (!err)
		err = mpi_check_type(t) ?: mpi_check_op(op, t);
	s = sched(c, &err);
	if (!s)
		return err;
	if (!v && (cd = equal_blocks(s, c->size, count)))
		counts = cd;
	if (!mpi_sched_err(s))
		mpi_build_reduce_scatter(s, sendbuf, recvbuf, counts, t, op);
	return issue(s, c, req);
}

static int scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		MPI_Op op, MPI_Comm c, bool exclusive, MPI_Request *req)
{
	int err = mpi_check_comm(c);
	struct mpi_sched *s;

	if (!err)
		err = mpi_check_buf(recvbuf, count, t) ?: mpi_check_op(op, t);
	s = sched(c, &err);
	if (!s)
		return err;
	mpi_build_scan(s, sendbuf, recvbuf, count, t, op, exclusive);
	return issue(s, c, req);
}

/* ---- for the layer itself ---- */

int mpi_barrier(MPI_Comm comm)
{
	return barrier(comm, NULL);
}

int mpi_allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype t,
		  MPI_Op op, MPI_Comm c)
{
	return allreduce(sendbuf, recvbuf, count, t, op, c, NULL);
}

int mpi_allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm c)
{
	return allgatherv(sendbuf, sendcount, sendtype, recvbuf, false, NULL,
			  NULL, recvcount, recvtype, c, NULL);
}

/* ---- the MPI calls ---- */

#define NB(call) (request ? (call) : MPI_ERR_ARG)

int MPI_Barrier(MPI_Comm comm)
{
	return mpi_raise(comm, barrier(comm, NULL), __func__);
}

int MPI_Ibarrier(MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(comm, NB(barrier(comm, request)), __func__);
}

int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root,
	      MPI_Comm comm)
{
	return mpi_raise(comm, bcast(buffer, count, datatype, root, comm, NULL),
			 __func__);
}

int MPI_Ibcast(void *buffer, int count, MPI_Datatype datatype, int root,
	       MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(
		comm, NB(bcast(buffer, count, datatype, root, comm, request)),
		__func__);
}

int MPI_Reduce(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		reduce(sendbuf, recvbuf, count, datatype, op, root, comm, NULL),
		__func__);
}

int MPI_Ireduce(const void *sendbuf, void *recvbuf, int count,
		MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm,
		MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(reduce(sendbuf, recvbuf, count, datatype, op, root,
				   comm, request)),
			 __func__);
}

int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count,
		  MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		allreduce(sendbuf, recvbuf, count, datatype, op, comm, NULL),
		__func__);
}

int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count,
		   MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
		   MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(allreduce(sendbuf, recvbuf, count, datatype, op,
				      comm, request)),
			 __func__);
}

int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
	       void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
	       MPI_Comm comm)
{
	return mpi_raise(comm,
			 gatherv(sendbuf, sendcount, sendtype, recvbuf, false,
				 NULL, NULL, recvcount, recvtype, root, comm,
				 NULL),
			 __func__);
}

int MPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(gatherv(sendbuf, sendcount, sendtype, recvbuf, false, NULL,
			   NULL, recvcount, recvtype, root, comm, request)),
		__func__);
}

int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, const int recvcounts[], const int displs[],
		MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	return mpi_raise(comm,
			 gatherv(sendbuf, sendcount, sendtype, recvbuf, true,
				 recvcounts, displs, 0, recvtype, root, comm,
				 NULL),
			 __func__);
}

int MPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, const int recvcounts[], const int displs[],
		 MPI_Datatype recvtype, int root, MPI_Comm comm,
		 MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(gatherv(sendbuf, sendcount, sendtype, recvbuf, true,
				    recvcounts, displs, 0, recvtype, root, comm,
				    request)),
			 __func__);
}

int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		MPI_Comm comm)
{
	return mpi_raise(comm,
			 scatterv(sendbuf, false, NULL, NULL, sendcount,
				  sendtype, recvbuf, recvcount, recvtype, root,
				  comm, NULL),
			 __func__);
}

int MPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		 MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(scatterv(sendbuf, false, NULL, NULL, sendcount, sendtype,
			    recvbuf, recvcount, recvtype, root, comm, request)),
		__func__);
}

int MPI_Scatterv(const void *sendbuf, const int sendcounts[],
		 const int displs[], MPI_Datatype sendtype, void *recvbuf,
		 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
	return mpi_raise(comm,
			 scatterv(sendbuf, true, sendcounts, displs, 0,
				  sendtype, recvbuf, recvcount, recvtype, root,
				  comm, NULL),
			 __func__);
}

int MPI_Iscatterv(const void *sendbuf, const int sendcounts[],
		  const int displs[], MPI_Datatype sendtype, void *recvbuf,
		  int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm,
		  MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(scatterv(sendbuf, true, sendcounts, displs, 0, sendtype,
			    recvbuf, recvcount, recvtype, root, comm, request)),
		__func__);
}

int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm)
{
	return mpi_raise(comm,
			 allgatherv(sendbuf, sendcount, sendtype, recvbuf,
				    false, NULL, NULL, recvcount, recvtype,
				    comm, NULL),
			 __func__);
}

int MPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, int recvcount, MPI_Datatype recvtype,
		   MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(allgatherv(sendbuf, sendcount, sendtype, recvbuf, false,
			      NULL, NULL, recvcount, recvtype, comm, request)),
		__func__);
}

int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, const int recvcounts[], const int displs[],
		   MPI_Datatype recvtype, MPI_Comm comm)
{
	return mpi_raise(comm,
			 allgatherv(sendbuf, sendcount, sendtype, recvbuf, true,
				    recvcounts, displs, 0, recvtype, comm,
				    NULL),
			 __func__);
}

int MPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		    void *recvbuf, const int recvcounts[], const int displs[],
		    MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(allgatherv(sendbuf, sendcount, sendtype, recvbuf, true,
			      recvcounts, displs, 0, recvtype, comm, request)),
		__func__);
}

/* The arguments of Alltoall (v false) or Alltoallv as two sides. */
static int alltoall_any(const void *sendbuf, bool v, const int *scounts,
			const int *sdispls, int sendcount,
			MPI_Datatype sendtype, void *recvbuf,
			const int *rcounts, const int *rdispls, int recvcount,
			MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *req)
{
	const int *counts[2] = {v ? scounts : NULL, v ? rcounts : NULL};
	const int *displs[2] = {v ? sdispls : NULL, v ? rdispls : NULL};
	const MPI_Datatype t[2] = {sendtype, recvtype};
	const int plain[2] = {sendcount, recvcount};

	if (v && (!rcounts || (sendbuf != MPI_IN_PLACE && !scounts)))
		return MPI_ERR_ARG;
	return alltoallv(sendbuf, counts, displs, t, plain, recvbuf, comm, req);
}

int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, int recvcount, MPI_Datatype recvtype,
		 MPI_Comm comm)
{
	return mpi_raise(comm,
			 alltoall_any(sendbuf, false, NULL, NULL, sendcount,
				      sendtype, recvbuf, NULL, NULL, recvcount,
				      recvtype, comm, NULL),
			 __func__);
}

int MPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(alltoall_any(sendbuf, false, NULL, NULL, sendcount,
					 sendtype, recvbuf, NULL, NULL,
					 recvcount, recvtype, comm, request)),
			 __func__);
}

int MPI_Alltoallv(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
		  const int recvcounts[], const int rdispls[],
		  MPI_Datatype recvtype, MPI_Comm comm)
{
	return mpi_raise(comm,
			 alltoall_any(sendbuf, true, sendcounts, sdispls, 0,
				      sendtype, recvbuf, recvcounts, rdispls, 0,
				      recvtype, comm, NULL),
			 __func__);
}

int MPI_Ialltoallv(const void *sendbuf, const int sendcounts[],
		   const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
		   const int recvcounts[], const int rdispls[],
		   MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(alltoall_any(sendbuf, true, sendcounts, sdispls, 0,
					 sendtype, recvbuf, recvcounts, rdispls,
					 0, recvtype, comm, request)),
			 __func__);
}

int MPI_Alltoallw(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], const MPI_Datatype sendtypes[],
		  void *recvbuf, const int recvcounts[], const int rdispls[],
		  const MPI_Datatype recvtypes[], MPI_Comm comm)
{
	return mpi_raise(comm,
			 alltoallw(sendbuf, sendcounts, sdispls, sendtypes,
				   recvbuf, recvcounts, rdispls, recvtypes,
				   comm, NULL),
			 __func__);
}

int MPI_Ialltoallw(const void *sendbuf, const int sendcounts[],
		   const int sdispls[], const MPI_Datatype sendtypes[],
		   void *recvbuf, const int recvcounts[], const int rdispls[],
		   const MPI_Datatype recvtypes[], MPI_Comm comm,
		   MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(alltoallw(sendbuf, sendcounts, sdispls, sendtypes, recvbuf,
			     recvcounts, rdispls, recvtypes, comm, request)),
		__func__);
}

int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf,
		       const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
		       MPI_Comm comm)
{
	return mpi_raise(comm,
			 reduce_scatter(sendbuf, recvbuf, true, recvcounts, 0,
					datatype, op, comm, NULL),
			 __func__);
}

int MPI_Ireduce_scatter(const void *sendbuf, void *recvbuf,
			const int recvcounts[], MPI_Datatype datatype,
			MPI_Op op, MPI_Comm comm, MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(reduce_scatter(sendbuf, recvbuf, true, recvcounts,
					   0, datatype, op, comm, request)),
			 __func__);
}

int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
			     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	return mpi_raise(comm,
			 reduce_scatter(sendbuf, recvbuf, false, NULL,
					recvcount, datatype, op, comm, NULL),
			 __func__);
}

int MPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
			      MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
			      MPI_Request *request)
{
	return mpi_raise(
		comm,
		NB(reduce_scatter(sendbuf, recvbuf, false, NULL, recvcount,
				  datatype, op, comm, request)),
		__func__);
}

int MPI_Scan(const void *sendbuf, void *recvbuf, int count,
	     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		scan(sendbuf, recvbuf, count, datatype, op, comm, false, NULL),
		__func__);
}

int MPI_Iscan(const void *sendbuf, void *recvbuf, int count,
	      MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
	      MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(scan(sendbuf, recvbuf, count, datatype, op, comm,
				 false, request)),
			 __func__);
}

int MPI_Exscan(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
	return mpi_raise(
		comm,
		scan(sendbuf, recvbuf, count, datatype, op, comm, true, NULL),
		__func__);
}

int MPI_Iexscan(const void *sendbuf, void *recvbuf, int count,
		MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
		MPI_Request *request)
{
	return mpi_raise(comm,
			 NB(scan(sendbuf, recvbuf, count, datatype, op, comm,
				 true, request)),
			 __func__);
}
