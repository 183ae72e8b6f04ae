/* SPDX-License-Identifier: MIT */
/*
 * The inside of libsnemu-mpi: its objects and what its files share. The
 * library uses only the public endpoint API (snemu.h).
 *
 * Each communicator owns two snemu communicators: ctx for its point to
 * point traffic and ctx + 1 for its collectives, so neither ever matches
 * the other's messages nor a program's native snemu calls (which use 0).
 * Ranks on the wire are the run's (world) ranks.
 */
#ifndef SNEMU_MPI_IMPL_H
#define SNEMU_MPI_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpi/mpi.h"
#include "snemu.h"

#define MPI_CTX_BASE  0x40000000u
#define MPI_MAX_COMMS 16384 /* communicators alive at once, per rank */
#define MPI_TAG_MAX   SNEMU_TAG_MAX

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct snemu_mpi_comm {
	uint32_t ctx;	/* snemu communicator of point to point; +1: coll */
	int id;		/* slot of ctx among MPI_MAX_COMMS */
	int size, rank; /* this rank's rank in it */
	int *world;	/* comm rank -> world rank; NULL: the identity */
	int *local;	/* world rank -> comm rank or -1; NULL: identity */
	uint32_t seq;	/* collectives so far: the tag of the next one */
	MPI_Errhandler eh;
	char name[MPI_MAX_OBJECT_NAME];
	bool predefined;
};

struct snemu_mpi_group {
	int size, rank; /* rank: this process's, or MPI_UNDEFINED */
	int *world;	/* member -> world rank */
	bool predefined;
};

struct snemu_mpi_errhandler {
	MPI_Comm_errhandler_function *fn; /* NULL: fatal or return */
	int refs; /* its handles and the communicators that hold it */
	bool fatal, predefined;
};

/* A contiguous piece of a datatype: len bytes at off from its start. */
struct mpi_seg {
	MPI_Aint off;
	size_t len;
};

/* n basic elements of size bytes each, one after the other. */
struct mpi_run {
	size_t size, n;
};

/* Basic element kinds, for reductions; MPI_KIND_MIXED: several. */
enum mpi_kind {
	MPI_KIND_MIXED,
#define MPI_KIND_ENUM(name, id) MPI_KIND_##id,
	SNEMU_MPI_TYPES(MPI_KIND_ENUM)
#undef MPI_KIND_ENUM
		MPI_KIND_NUM,
};

struct snemu_mpi_type {
	size_t size; /* bytes of data in one element */
	MPI_Aint lb, extent, true_lb, true_extent;
	int kind;      /* enum mpi_kind of every basic element */
	size_t nbasic; /* basic elements in one element */
	int nseg;      /* its layout, in order */
	struct mpi_seg *seg;
	int nrun; /* its basic elements, in order: their sizes */
	struct mpi_run *run;
	int refs; /* its handle until MPI_Type_free, and each user of it */
	bool predefined, committed;
};

/* The pair types of MPI_MINLOC and MPI_MAXLOC, as C lays them out. */
struct mpi_float_int {
	float v;
	int i;
};
struct mpi_double_int {
	double v;
	int i;
};
struct mpi_long_int {
	long v;
	int i;
};
struct mpi_2int {
	int v, i;
};
struct mpi_short_int {
	short v;
	int i;
};
struct mpi_long_double_int {
	long double v;
	int i;
};

struct snemu_mpi_op {
	MPI_User_function *fn; /* NULL: predefined */
	int id;		       /* predefined: index in SNEMU_MPI_OPS order */
	bool commute, predefined;
};

enum mpi_req_kind { MPI_RQ_SEND, MPI_RQ_RECV, MPI_RQ_COLL };
enum mpi_send_mode { MPI_MODE_STD, MPI_MODE_SYNC, MPI_MODE_BUFFERED };

struct mpi_sched; /* sched.c */

struct snemu_mpi_request {
	int kind;	     /* enum mpi_req_kind */
	int mode;	     /* send: enum mpi_send_mode */
	struct snemu_req *r; /* in flight, or NULL */
	bool persistent, active;
	bool done;     /* completed without r (MPI_PROC_NULL, error) */
	bool freed;    /* MPI_Request_free while active */
	MPI_Status st; /* of a done request */
	/* What it was started with (kept for MPI_Start and the unpack). */
	void *buf;
	int count, peer, tag;
	MPI_Datatype type;
	MPI_Comm comm;
	void *tmp; /* packed copy, or NULL: buf is used directly */
	struct mpi_sched *sched;	/* a collective's, until it completes */
	struct snemu_mpi_request *next; /* freed or buffered, in flight */
};

/* What a rank of a window exposes: its memory and its sync words. */
struct mpi_win_rank {
	uint64_t base, size; /* address in the rank's process; bytes */
	uint64_t disp_unit;
	uint64_t sync; /* address of its lock word and accumulate mutex */
};

/* A get (or fetching atomic) in flight; unpack: its last piece. */
struct mpi_win_get {
	struct snemu_req *r;
	int target; /* comm rank */
	void *tmp;  /* packed result to unpack into buf, or NULL */
	void *buf;
	int count;
	MPI_Datatype type;
};

/*
 * A window: every operation goes through snemu's address-space window to
 * the addresses its ranks exchanged at creation. comm is a private
 * duplicate: its messages are PSCW's, its barriers the fences', and its
 * handler (the window's) raises the window's errors.
 */
struct snemu_mpi_win {
	MPI_Comm comm;
	struct mpi_win_rank *rank; /* per comm rank */
	void *base;
	MPI_Aint size;
	int disp_unit, flavor;
	uint64_t *sync;	 /* ours, in device memory: lock word, mutex */
	void *alloc;	 /* MPI_Win_allocate's memory, or NULL */
	uint8_t *locked; /* per comm rank: MPI_WIN_LOCKED_* bits */
	uint8_t *dirty;	 /* per comm rank: puts since its last flush */
	bool lock_all, fence_epoch;
	int *access, naccess;	  /* MPI_Win_start's group (comm ranks) */
	int *exposure, nexpose;	  /* MPI_Win_post's group */
	bool *completed;	  /* exposure members that completed */
	struct mpi_win_get *gets; /* in flight */
	int ngets, capgets;
	struct mpi_win_region *regions; /* dynamic: attached memory */
	char name[MPI_MAX_OBJECT_NAME];
};

#define MPI_WIN_LOCKED_SHARED	 1
#define MPI_WIN_LOCKED_EXCLUSIVE 2
#define MPI_WIN_LOCKED_NOCHECK	 4

/* ---- env.c ---- */

/* 0 before MPI_Init, 1 inside, 2 after MPI_Finalize. */
extern int mpi_state;

/* ---- error.c ---- */

/*
 * "rank R: ", this process's rank for the start of a message (kept after
 * MPI_Finalize), or "" before MPI_Init, when it has none yet.
 */
const char *mpi_who(void);

/* The MPI class of a snemu error (-errno). */
int mpi_err_of(int snemu_err);

/*
 * Raise err (an MPI error class, MPI_SUCCESS passes) on comm (or on
 * MPI_COMM_WORLD when NULL) from the call named fn: a fatal handler prints
 * and aborts the run, MPI_ERRORS_RETURN returns err.
 */
int mpi_raise(MPI_Comm comm, int err, const char *fn);

/*
 * Take a reference on eh (NULL or predefined: nothing to count); put
 * drops one, and frees a user handler when none is left.
 */
MPI_Errhandler mpi_eh_get(MPI_Errhandler eh);
void mpi_eh_put(MPI_Errhandler eh);

/* Checks of arguments, as MPI error classes. */
int mpi_check_comm(MPI_Comm comm);
int mpi_check_buf(const void *buf, int count, MPI_Datatype type);

/* ---- comm.c ---- */

/* World rank of rank r of comm (r may be MPI_ANY_SOURCE). */
static inline int mpi_world(MPI_Comm c, int r)
{
	return r < 0 || !c->world ? r : c->world[r];
}

/* Rank in comm of world rank w (w may be SNEMU_ANY_SOURCE). */
static inline int mpi_local(MPI_Comm c, int w)
{
	return w < 0 || !c->local ? w : c->local[w];
}

/* The snemu communicator and tag of comm's next collective. */
static inline uint32_t mpi_coll_ctx(MPI_Comm c)
{
	return c->ctx + 1;
}

uint32_t mpi_coll_tag(MPI_Comm c);

int mpi_comm_init_predefined(void);
void mpi_comm_fini(void);

/* ---- group.c ---- */

/* A new group of n members (world ranks, copied). */
int mpi_group_new(const int *world, int n, MPI_Group *out);

/* ---- type.c ---- */

/* One element of type is laid out densely (no gaps, lb 0). */
static inline bool mpi_type_dense(MPI_Datatype t)
{
	return t->nseg <= 1 && t->lb == 0 && (MPI_Aint)t->size == t->extent &&
	       (!t->nseg || t->seg[0].off == 0);
}

/* Pack count elements of type at buf into out (size * count bytes). */
void mpi_pack(const void *buf, int count, MPI_Datatype type, void *out);
/* Unpack len bytes (whole basic elements) of packed into count of type. */
void mpi_unpack(const void *packed, size_t len, void *buf, int count,
		MPI_Datatype type);
int mpi_check_type(MPI_Datatype type);
/*
 * Take a reference on type (NULL or predefined: nothing to count), for a
 * request or schedule that uses it after the call that named it; put
 * drops it, and frees a type whose handle MPI_Type_free has released.
 */
MPI_Datatype mpi_type_get(MPI_Datatype type);
void mpi_type_put(MPI_Datatype type);

/*
 * Storage for count elements of type in its own layout: the base address
 * they are laid out from (bytes may lie before it), the block to free in
 * *alloc; NULL when out of memory.
 */
void *mpi_type_buf(int count, MPI_Datatype type, void **alloc);

/* Bytes [*lo, *hi) from the base that count elements of type touch. */
void mpi_type_span(int count, MPI_Datatype type, MPI_Aint *lo, MPI_Aint *hi);

/*
 * A buffer of count elements as contiguous bytes: buf itself when dense,
 * else a malloc'd packed copy (pack: filled from buf) in *tmp. Returns the
 * bytes, or NULL (*tmp NULL too) when out of memory.
 */
void *mpi_bytes(const void *buf, int count, MPI_Datatype type, bool pack,
		void **tmp);

/* ---- op.c ---- */

/*
 * inout[i] = in[i] op inout[i] for count elements of type (dense or
 * packed: the packed layout is what is reduced). MPI_ERR_OP when op does
 * not apply to the type.
 */
int mpi_reduce_local(const void *in, void *inout, int count, MPI_Datatype type,
		     MPI_Op op);
int mpi_check_op(MPI_Op op, MPI_Datatype type);

/* ---- request.c ---- */

/*
 * A new inactive request of kind on comm, with what it moves (it takes a
 * reference on type); mpi_req_free frees an inactive one.
 */
int mpi_req_new(int kind, int mode, const void *buf, int count,
		MPI_Datatype type, int peer, int tag, MPI_Comm comm,
		MPI_Request *out);
void mpi_req_free(MPI_Request rq);
/* Start rq (new or persistent, inactive): post its snemu operation. */
int mpi_req_start(MPI_Request rq);
/*
 * An active request of the collective schedule s on comm, started now;
 * it owns s (freed, on failure too).
 */
int mpi_req_coll(struct mpi_sched *s, MPI_Comm comm, MPI_Request *out);
/* Complete every freed or buffered request still in flight. */
int mpi_req_drain(void);

/* ---- p2p.c ---- */

/*
 * The MPI status of a snemu receive on comm into cap bytes; err its MPI
 * error class.
 */
void mpi_status_of(MPI_Comm comm, const struct snemu_status *s, size_t cap,
		   int err, MPI_Status *st);
/* The empty status (of null requests), and that of MPI_PROC_NULL. */
void mpi_status_empty(MPI_Status *st);
void mpi_status_proc_null(MPI_Status *st);
/* Space of the attached buffer a buffered send of len bytes takes. */
int mpi_bsend_take(size_t len);
void mpi_bsend_give(size_t len);

/* ---- sched.c: a collective as steps that run by themselves ---- */

/* A new empty schedule on comm, with the tag of comm's next collective. */
int mpi_sched_new(MPI_Comm comm, struct mpi_sched **out);
/*
 * Steps, run in order: a send or receive of len packed bytes with comm
 * rank peer is posted when reached; a round waits for every transfer
 * posted before it; reduce (in into inout, as mpi_reduce_local), copy
 * and unpack (as mpi_unpack) run when reached. The buffers must live
 * until the schedule is freed; it holds a reference on the types. An
 * error (out of memory) is kept, and later steps are not added.
 */
void mpi_sched_send(struct mpi_sched *s, int peer, const void *buf, size_t len);
void mpi_sched_recv(struct mpi_sched *s, int peer, void *buf, size_t len);
void mpi_sched_round(struct mpi_sched *s);
void mpi_sched_reduce(struct mpi_sched *s, const void *in, void *inout,
		      int count, MPI_Datatype t, MPI_Op op);
void mpi_sched_copy(struct mpi_sched *s, void *dst, const void *src,
		    size_t len);
void mpi_sched_unpack(struct mpi_sched *s, const void *packed, size_t len,
		      void *buf, int count, MPI_Datatype t);
/* Free p (malloc'd; may be NULL) with s. */
void mpi_sched_keep(struct mpi_sched *s, void *p);
/* len bytes of scratch freed with s; NULL (and s failed) if out of memory. */
void *mpi_sched_mem(struct mpi_sched *s, size_t len);
/* The communicator of s. */
MPI_Comm mpi_sched_comm(const struct mpi_sched *s);
/* The schedule's first error (MPI class), or MPI_SUCCESS. */
int mpi_sched_err(const struct mpi_sched *s);

/* Run s until it waits for a transfer. */
void mpi_sched_start(struct mpi_sched *s);
/* s has run every step and nothing of it is in flight. */
bool mpi_sched_complete(const struct mpi_sched *s);
/*
 * The first transfer s waits for (the wait calls include it in theirs),
 * NULL when complete. Once the caller has completed it (its slot NULL),
 * mpi_sched_advance records its result ret and runs on.
 */
struct snemu_req **mpi_sched_pending(struct mpi_sched *s);
void mpi_sched_advance(struct mpi_sched *s, int ret);
/* Run s to its end (and the other started ones meanwhile); its error. */
int mpi_sched_wait(struct mpi_sched *s);
/* Some started schedule has not ended. */
bool mpi_sched_running(void);
/*
 * Run every started schedule to its end (their errors stay theirs): for
 * a blocking call that cannot run them meanwhile. Since each rank does
 * so before such a call, that call never holds back a peer's schedule.
 */
void mpi_sched_wait_running(void);
/* Test what s waits for once (the poll overhead) and run on if done. */
void mpi_sched_test(struct mpi_sched *s);
void mpi_sched_free(struct mpi_sched *s);
/*
 * snemu_waitany over reqs that meanwhile runs every started schedule
 * still in flight (those pending in reqs excepted): the progress of a
 * rank that blocks in point to point.
 */
int mpi_sched_waitany(int n, struct snemu_req **reqs, int *index,
		      struct snemu_status *st);

/*
 * ---- coll_algo.c: the collective algorithms, as steps added to s ----
 * Arguments as the MPI calls take them (checked); MPI_IN_PLACE where
 * the call allows it. Byte displacements for alltoallw.
 */
void mpi_build_barrier(struct mpi_sched *s);
/* Binomial broadcast of len packed bytes at buf from root. */
void mpi_build_bcast_bytes(struct mpi_sched *s, void *buf, size_t len,
			   int root);
/*
 * Binomial reduction (in rank order for a non-commutative op) of packed
 * acc (count of t, this rank's input) to root, where acc ends with the
 * result. tmp: scratch of the same size.
 */
void mpi_build_reduce_bytes(struct mpi_sched *s, void *acc, void *tmp,
			    int count, MPI_Datatype t, MPI_Op op, int root);
/*
 * The packed input of a reduction (sendbuf, or recvbuf for IN_PLACE),
 * followed by scratch of its size, freed with s; NULL if out of memory.
 */
void *mpi_build_input(struct mpi_sched *s, const void *sendbuf,
		      const void *recvbuf, int count, MPI_Datatype t);
void mpi_build_bcast(struct mpi_sched *s, void *buf, int count, MPI_Datatype t,
		     int root);
void mpi_build_reduce(struct mpi_sched *s, const void *sendbuf, void *recvbuf,
		      int count, MPI_Datatype t, MPI_Op op, int root);
/* coll_reduce.c: the algorithm the environment chose (or tree). */
void mpi_build_allreduce(struct mpi_sched *s, const void *sendbuf,
			 void *recvbuf, int count, MPI_Datatype t, MPI_Op op);
void mpi_build_gatherv(struct mpi_sched *s, const void *sendbuf, int sendcount,
		       MPI_Datatype st, void *recvbuf, const int *counts,
		       const int *displs, MPI_Datatype rt, int root);
void mpi_build_scatterv(struct mpi_sched *s, const void *sendbuf,
			const int *counts, const int *displs, MPI_Datatype st,
			void *recvbuf, int recvcount, MPI_Datatype rt,
			int root);
void mpi_build_allgatherv(struct mpi_sched *s, const void *sendbuf,
			  int sendcount, MPI_Datatype st, void *recvbuf,
			  const int *counts, const int *displs,
			  MPI_Datatype rt);
void mpi_build_alltoallw(struct mpi_sched *s, const void *sendbuf,
			 const int *scounts, const MPI_Aint *sdispls,
			 const MPI_Datatype *stypes, void *recvbuf,
			 const int *rcounts, const MPI_Aint *rdispls,
			 const MPI_Datatype *rtypes);
void mpi_build_reduce_scatter(struct mpi_sched *s, const void *sendbuf,
			      void *recvbuf, const int *counts, MPI_Datatype t,
			      MPI_Op op);
void mpi_build_scan(struct mpi_sched *s, const void *sendbuf, void *recvbuf,
		    int count, MPI_Datatype t, MPI_Op op, bool exclusive);

/*
 * Read the algorithm choices (SNEMU_MPI_ALLREDUCE, ...); MPI_ERR_ARG,
 * said on stderr, for a value that names none.
 */
int mpi_coll_algo_init(void);

/* ---- win.c, win_sync.c, win_rma.c: one-sided ---- */

/* Raise err on win (its handler), from the call named fn. */
int mpi_win_raise(MPI_Win win, int err, const char *fn);
/* MPI_ERR_WIN unless win is a window and MPI is running. */
int mpi_win_check(MPI_Win win);
/*
 * Complete the gets and fetching atomics in flight to comm rank target
 * (-1: all), unpacking what needs it; the first error.
 */
int mpi_win_complete_gets(MPI_Win win, int target);
/*
 * End our operations to comm rank target (-1: all): gets answered, puts
 * landed (win_sync.c).
 */
int mpi_win_end_ops(MPI_Win win, int target);
/* Take and release the accumulate mutex of comm rank target. */
int mpi_win_mutex(MPI_Win win, int target, bool take);
/* The snemu window every MPI window uses (snemu_win_address_space). */
struct snemu_win *mpi_win_fabric(void);

/* ---- coll.c: collectives for the layer itself, without handlers ---- */

int mpi_allreduce(const void *sendbuf, void *recvbuf, int count,
		  MPI_Datatype type, MPI_Op op, MPI_Comm comm);
int mpi_allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm);
int mpi_barrier(MPI_Comm comm);

#endif
