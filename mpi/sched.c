/* SPDX-License-Identifier: MIT */
/*
 * Schedules: a collective as a list of steps that runs by itself, so that
 * one description serves the blocking call (run to the end at once) and
 * the nonblocking one (advanced by the wait and test calls on its
 * request), as libNBC does.
 *
 * Steps run in order. A send or receive is posted when reached; a local
 * step (reduce, copy, unpack) runs when reached; a round step waits until
 * every transfer posted before it has completed. Steps after an error are
 * skipped, but the transfers already posted are still completed, so a
 * failed schedule leaves nothing in flight.
 *
 * Progress: a started schedule is on the running list until it ends, and
 * a rank that blocks in a point to point wait runs every schedule on it
 * meanwhile (mpi_sched_waitany), as a progress engine does: a rank in
 * MPI_Recv still forwards the data of a pending MPI_Ibcast.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

enum step_kind {
	STEP_SEND,
	STEP_RECV,
	STEP_ROUND,
	STEP_REDUCE,
	STEP_COPY,
	STEP_UNPACK
};

struct step {
	int kind;
	int peer; /* send, recv: comm rank */
	const void *in;
	void *out;
	size_t len;
	int count; /* reduce, unpack: elements of t */
	MPI_Datatype t;
	MPI_Op op;
};

struct mpi_sched {
	MPI_Comm c;
	uint32_t tag;
	int err;
	int nstep, cap, pos; /* pos: the next step to run */
	struct step *step;
	int first, nreq, reqcap; /* req[first, nreq): in flight */
	struct snemu_req **req;
	int nkeep, keepcap;
	void **keep;		       /* freed with the schedule */
	struct mpi_sched *prev, *next; /* on the running list */
	bool running;
};

static struct mpi_sched *running;

static void running_add(struct mpi_sched *s)
{
	s->next = running;
	s->prev = NULL;
	if (running)
		running->prev = s;
	running = s;
	s->running = true;
}

static void running_del(struct mpi_sched *s)
{
	if (!s->running)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		running = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->running = false;
}

int mpi_sched_new(MPI_Comm c, struct mpi_sched **out)
{
	struct mpi_sched *s = calloc(1, sizeof(*s));

	if (!s)
		return MPI_ERR_NO_MEM;
	s->c = c;
	s->tag = mpi_coll_tag(c);
	*out = s;
	return MPI_SUCCESS;
}

/* Grow *a (of *cap elements of size) to hold n + 1; false if out of memory. */
static bool grow(void **a, int *cap, int n, size_t size)
{
	int ncap = *cap ? 2 * *cap : 8;
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*a, ncap * size);
	if (!p)
		return false;
	*a = p;
	*cap = ncap;
	return true;
}

static void add(struct mpi_sched *s, struct step st)
{
	if (s->err)
		return;
	if (!grow((void **)&s->step, &s->cap, s->nstep, sizeof(*s->step))) {
		s->err = MPI_ERR_NO_MEM;
		return;
	}
	s->step[s->nstep++] = st;
	mpi_type_get(st.t);
}

void mpi_sched_send(struct mpi_sched *s, int peer, const void *buf, size_t len)
{
	add(s, (struct step){
		       .kind = STEP_SEND, .peer = peer, .in = buf, .len = len});
}

void mpi_sched_recv(struct mpi_sched *s, int peer, void *buf, size_t len)
{
	add(s,
	    (struct step){
		    .kind = STEP_RECV, .peer = peer, .out = buf, .len = len});
}

void mpi_sched_round(struct mpi_sched *s)
{
	add(s, (struct step){.kind = STEP_ROUND});
}

void mpi_sched_reduce(struct mpi_sched *s, const void *in, void *inout,
		      int count, MPI_Datatype t, MPI_Op op)
{
	add(s, (struct step){.kind = STEP_REDUCE,
			     .in = in,
			     .out = inout,
			     .count = count,
			     .t = t,
			     .op = op});
}

void mpi_sched_copy(struct mpi_sched *s, void *dst, const void *src, size_t len)
{
	add(s, (struct step){
		       .kind = STEP_COPY, .in = src, .out = dst, .len = len});
}

void mpi_sched_unpack(struct mpi_sched *s, const void *packed, size_t len,
		      void *buf, int count, MPI_Datatype t)
{
	add(s, (struct step){.kind = STEP_UNPACK,
			     .in = packed,
			     .out = buf,
			     .len = len,
			     .count = count,
			     .t = t});
}

void mpi_sched_keep(struct mpi_sched *s, void *p)
{
	if (!p)
		return;
	if (!grow((void **)&s->keep, &s->keepcap, s->nkeep, sizeof(*s->keep))) {
		free(p);
		s->err = s->err ?: MPI_ERR_NO_MEM;
		return;
	}
	s->keep[s->nkeep++] = p;
}

void *mpi_sched_mem(struct mpi_sched *s, size_t len)
{
	void *p = malloc(len + 1);

	if (!p)
		s->err = s->err ?: MPI_ERR_NO_MEM;
	mpi_sched_keep(s, p);
	return s->err ? NULL : p;
}

MPI_Comm mpi_sched_comm(const struct mpi_sched *s)
{
	return s->c;
}

int mpi_sched_err(const struct mpi_sched *s)
{
	return s->err;
}

static void post(struct mpi_sched *s, const struct step *p)
{
	uint32_t ctx = mpi_coll_ctx(s->c);
	int w = mpi_world(s->c, p->peer), ret;
	struct snemu_req **r;

	if (!grow((void **)&s->req, &s->reqcap, s->nreq, sizeof(*s->req))) {
		s->err = MPI_ERR_NO_MEM;
		return;
	}
	r = &s->req[s->nreq];
	ret = p->kind == STEP_RECV
		      ? snemu_irecv_comm(ctx, w, (int)s->tag, p->out, p->len, r)
		      : snemu_isend_comm(ctx, w, (int)s->tag, p->in, p->len, 0,
					 r);
	if (ret)
		s->err = mpi_err_of(ret);
	else
		s->nreq++;
}

static void exec(struct mpi_sched *s, const struct step *p)
{
	switch (p->kind) {
	case STEP_SEND:
	case STEP_RECV: post(s, p); break;
	case STEP_REDUCE:
		s->err = mpi_reduce_local(p->in, p->out, p->count, p->t, p->op);
		break;
	case STEP_COPY: memcpy(p->out, p->in, p->len); break;
	case STEP_UNPACK:
		mpi_unpack(p->in, p->len, p->out, p->count, p->t);
		break;
	}
}

bool mpi_sched_complete(const struct mpi_sched *s)
{
	return s->pos == s->nstep && s->first == s->nreq;
}

/* Run steps until a round must wait for transfers, or the end. */
static void run(struct mpi_sched *s)
{
	while (s->pos < s->nstep) {
		const struct step *p = &s->step[s->pos];

		if (p->kind == STEP_ROUND) {
			if (s->first < s->nreq)
				return;
			s->first = s->nreq = 0;
		} else if (!s->err) {
			exec(s, p);
		}
		s->pos++;
	}
	if (mpi_sched_complete(s))
		running_del(s);
}

void mpi_sched_start(struct mpi_sched *s)
{
	running_add(s);
	run(s);
}

struct snemu_req **mpi_sched_pending(struct mpi_sched *s)
{
	return s->first < s->nreq ? &s->req[s->first] : NULL;
}

void mpi_sched_advance(struct mpi_sched *s, int ret)
{
	s->req[s->first++] = NULL;
	if (ret && !s->err)
		s->err = mpi_err_of(ret);
	run(s);
}

bool mpi_sched_running(void)
{
	return running;
}

void mpi_sched_wait_running(void)
{
	while (running)
		mpi_sched_wait(running);
}

int mpi_sched_wait(struct mpi_sched *s)
{
	while (!mpi_sched_complete(s)) {
		bool alone = !running || (running == s && !s->next);
		int ret, i;

		if (alone) {
			ret = snemu_waitall(s->nreq - s->first,
					    s->req + s->first, NULL);
			s->first = s->nreq;
			if (ret && !s->err)
				s->err = mpi_err_of(ret);
			run(s);
		} else {
			/* one at a time, running the others meanwhile */
			ret = mpi_sched_waitany(1, mpi_sched_pending(s), &i,
						NULL);
			mpi_sched_advance(s, ret);
		}
	}
	return s->err;
}

void mpi_sched_test(struct mpi_sched *s)
{
	int done = 1, ret = 0;

	if (s->first < s->nreq)
		ret = snemu_testall(s->nreq - s->first, s->req + s->first,
				    &done, NULL);
	if (!done)
		return;
	s->first = s->nreq;
	if (ret && !s->err)
		s->err = mpi_err_of(ret);
	run(s);
}

/* s is pending in one of the n requests. */
static bool among(struct mpi_sched *s, int n, struct snemu_req **reqs)
{
	struct snemu_req **p = mpi_sched_pending(s);

	for (int i = 0; p && i < n; i++)
		if (reqs[i] == *p)
			return true;
	return false;
}

int mpi_sched_waitany(int n, struct snemu_req **reqs, int *index,
		      struct snemu_status *st)
{
	for (;;) {
		struct snemu_req **all;
		struct mpi_sched **who, *s;
		int k = n, cap = n, i, ret;

		for (s = running; s; s = s->next)
			cap++;
		if (cap == n)
			return snemu_waitany(n, reqs, index, st);
		all = malloc(cap * (sizeof(*all) + sizeof(*who)));
		if (!all)
			return -ENOMEM;
		who = (struct mpi_sched **)(all + cap);
		memcpy(all, reqs, n * sizeof(*all));
		for (s = running; s; s = s->next) {
			if (!mpi_sched_pending(s) || among(s, n, reqs))
				continue;
			who[k] = s;
			all[k++] = *mpi_sched_pending(s);
		}
		ret = snemu_waitany(k, all, &i, st);
		memcpy(reqs, all, n * sizeof(*all));
		s = i < n ? NULL : who[i];
		free(all);
		if (!s) {
			*index = i;
			return ret;
		}
		mpi_sched_advance(s, ret);
	}
}

void mpi_sched_free(struct mpi_sched *s)
{
	if (!s)
		return;
	running_del(s);
	for (int i = 0; i < s->nstep; i++)
		mpi_type_put(s->step[i].t);
	for (int i = 0; i < s->nkeep; i++)
		free(s->keep[i]);
	free(s->keep);
	free(s->req);
	free(s->step);
	free(s);
}
