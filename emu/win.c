/* SPDX-License-Identifier: MIT */
/*
 * One-sided windows. Window memory lives in the arena, so the engine can
 * read and write any rank's window from whatever process runs it: a put's
 * data lands when its ARRIVE event is processed, and gets and atomics
 * execute at the target in arrival order, then travel back as replies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "emu/ep.h"

#define EMU_WIN_MAGIC 0x77696e31U

/*
 * A freed handle keeps its memory, with magic EMU_WIN_FREED, until
 * snemu_finalize: a call with it fails (-EINVAL) even once its id serves
 * another window.
 */
#define EMU_WIN_FREED 0x66726565U

struct snemu_win {
	uint32_t magic;
	int id;
	bool allocated;		/* its memory is the arena's, freed with it */
	struct snemu_win *next; /* freed: the next freed handle */
};

/* --- engine side --- */

/*
 * The target's part of the window of message m if [m->off, m->off + len)
 * lies in it, else NULL (only if the program freed it while messages
 * flew).
 */
static const struct emu_win_ent *
target(struct emu_eng *e, const struct emu_msg *m, uint64_t off, uint64_t len)
{
	const struct emu_win_ent *w = emu_win_ent(e, m->win, m->dst);

	return off > w->len || len > w->len - off ? NULL : w;
}

static void put_failed(const struct emu_msg *m, const char *what, int err)
{
	log_err("engine: put of rank %d to %d: cannot %s: %s", m->src, m->dst,
		what, strerror(-err));
}

/* A put's signal, after its data (checked in range when it was sent). */
static void signal_apply(struct emu_eng *e, const struct emu_msg *m)
{
	const struct emu_win_ent *w = target(e, m, m->arg1, sizeof(uint64_t));
	uint64_t old;
	int ret;

	if (!w)
		return;
	ret = emu_win_amo(e, w, m->arg1,
			  m->op == EMU_SIGNAL_SET ? EMU_AMO_SWAP : EMU_AMO_FADD,
			  m->arg0, 0, &old);
	if (ret)
		put_failed(m, "update the signal", ret);
}

/*
 * The bytes of a put into w: its payload, or, for a put_nbi, the origin's
 * buffer as it is now (in the arena, or in the origin process by CMA,
 * through a bounce buffer when the target is a process too).
 */
static void put_copy(struct emu_eng *e, const struct emu_msg *m,
		     const struct emu_win_ent *w)
{
	uint64_t seg = m->data ? m->data : m->src_seg;
	void *bounce;
	int ret;

	if (seg) {
		ret = emu_win_write(e, w, m->off, emu_ptr(e, seg), m->len);
	} else if (w->off) {
		ret = shm_cma_read(m->src_pid, emu_ptr(e, w->off + m->off),
				   m->src_addr, m->len);
	} else {
		bounce = malloc(m->len);
		ret = bounce ? shm_cma_read(m->src_pid, bounce, m->src_addr,
					    m->len)
			     : -ENOMEM;
		if (!ret)
			ret = emu_win_write(e, w, m->off, bounce, m->len);
		free(bounce);
	}
	if (ret)
		put_failed(m, "copy the data", ret);
}

static void put_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t)
{
	struct emu_ctl *c = &e->ctl[m->src];
	uint32_t *pair = &e->puts_out[(size_t)m->src * e->n + m->dst];
	const struct emu_win_ent *w = target(e, m, m->off, m->len);

	if (m->len && w) {
		put_copy(e, m, w);
		emu_watch_written(e, m->dst, m->win, m->off, m->len, t);
	}
	if (m->op != EMU_SIGNAL_NONE) {
		signal_apply(e, m);
		emu_watch_written(e, m->dst, m->win, m->arg1, sizeof(uint64_t),
				  t);
	}
	--*pair;
	c->puts_out--;
	if (c->flush_req && (c->flush_target == SNEMU_ANY_SOURCE
				     ? !c->puts_out
				     : c->flush_target == m->dst && !*pair)) {
		struct snemu_req *r = emu_ptr(e, c->flush_req);

		c->flush_req = 0;
		emu_req_complete(e, r, t);
	}
	emu_msg_free(e, m, true);
}

/* A get or an atomic, executed at the target; the reply leaves at t. */
static void exec_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t)
{
	bool get = m->kind == EMU_MSG_GET_REQ;
	uint64_t len = get ? m->arg0 : sizeof(uint64_t);
	const struct emu_win_ent *w;
	struct emu_msg *rep;
	int ret;

	ret = emu_msg_new(e, get ? EMU_MSG_GET_REP : EMU_MSG_AMO_REP,
			  EMU_CTX_USER, m->dst, m->src, len, get, &rep);
	if (ret) {
		struct snemu_req *r = emu_ptr(e, m->sreq);

		r->result = ret;
		emu_req_complete(e, r, t);
	} else {
		/* The reply carries an error in arg1, or the data. */
		w = target(e, m, m->off, len);
		if (!w)
			ret = -EINVAL;
		else if (get && len)
			ret = emu_win_read(e, w, m->off, emu_ptr(e, rep->data),
					   len);
		else if (!get)
			ret = emu_win_amo(e, w, m->off, m->op, m->arg0, m->arg1,
					  &rep->arg0);
		if (!get && !ret)
			emu_watch_written(e, m->dst, m->win, m->off,
					  sizeof(uint64_t), t);
		rep->arg1 = (uint64_t)(int64_t)ret;
		rep->sreq = m->sreq;
		/* Cannot fail: the request's ARRIVE just left the heap. */
		emu_eng_inject(e, rep, t);
	}
	emu_msg_free(e, m, true);
}

static void reply_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t)
{
	struct snemu_req *r = emu_ptr(e, m->sreq);

	r->result = (int)(int64_t)m->arg1;
	if (m->kind == EMU_MSG_GET_REP && !r->result) {
		/* The origin copies the data out in its own process. */
		r->msg = emu_off(e, m);
	} else {
		r->value = m->arg0;
		emu_msg_free(e, m, true);
	}
	emu_req_complete(e, r, t);
}

void emu_win_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t)
{
	switch (m->kind) {
	case EMU_MSG_PUT: put_arrive(e, m, t); break;
	case EMU_MSG_GET_REQ:
	case EMU_MSG_AMO_REQ: exec_arrive(e, m, t); break;
	default: reply_arrive(e, m, t); break;
	}
}

/* --- endpoint side --- */

/* [off, off + len) lies in rank's part of window w (a valid one). */
static bool in_window(const struct emu_ep *ep, const struct snemu_win *w,
		      int rank, size_t off, size_t len)
{
	/* Written before the allocation's barrier: stable, no lock needed. */
	const struct emu_win_ent *we =
		emu_win_ent(&ep->eng, (uint32_t)w->id, rank);

	return off <= we->len && len <= we->len - off;
}

/*
 * Start a one-sided call on [off, off + len) of rank's window: -EINVAL
 * for a bad window, rank or range (nothing done), else 0 and the endpoint.
 */
static int win_enter(const struct snemu_win *w, int rank, size_t off,
		     size_t len, struct emu_ep **out)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!w || w->magic != EMU_WIN_MAGIC || rank < 0 || rank >= ep->size ||
	    !in_window(ep, w, rank, off, len))
		return -EINVAL;
	ret = ep_len_check(ep, len, rank);
	if (ret)
		return ret;
	*out = ep;
	return 0;
}

/*
 * A request to rank (a get or an atomic): send m, whose reply completes a
 * new request, and wait for it; or, with out, hand the request to the
 * program. Called under the lock, returns without it.
 */
static int win_call(struct emu_ep *ep, struct emu_msg *m, uint64_t buf,
		    uint64_t cap, struct snemu_req **out)
{
	struct emu_eng *e = &ep->eng;
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep,
			 m->kind == EMU_MSG_GET_REQ ? EMU_REQ_GET : EMU_REQ_AMO,
			 out ? EMU_CTX_USER : EMU_CTX_INTERNAL, m->dst,
			 SNEMU_ANY_TAG, &r);
	if (ret)
		goto err_msg;
	r->buf = buf;
	r->cap = cap;
	r->st.len = m->kind == EMU_MSG_GET_REQ ? cap : sizeof(uint64_t);
	m->sreq = emu_off(e, r);
	ret = ep_issue(ep, m);
	if (ret)
		goto err_req;
	if (!out)
		return ep_wait_locked(ep, &r, 1, EMU_WAIT_WIN, NULL);
	ep->nreqs++;
	*out = r;
	ep_unlock(ep);
	return 0;

err_req:
	ep_req_free(ep, r);
err_msg:
	emu_msg_free(e, m, true);
	ep_unlock(ep);
	return ret;
}

/*
 * A window message of the caller to rank, for win (under the lock); data:
 * with room for len bytes of payload.
 */
static int win_msg(struct emu_ep *ep, enum emu_msg_kind kind,
		   const struct snemu_win *w, int rank, size_t off,
		   uint64_t len, bool data, struct emu_msg **out)
{
	struct emu_msg *m;
	int ret;

	ret = emu_msg_new(&ep->eng, kind, EMU_CTX_USER, ep->rank, rank, len,
			  data, &m);
	if (ret)
		return ret;
	m->win = (uint32_t)w->id;
	m->off = off;
	*out = m;
	return 0;
}

/*
 * A put, with a signal (sig_op EMU_SIGNAL_*) after its data; nbi: the
 * bytes are read from src at the arrival, not copied now.
 */
static int put(struct snemu_win *win, int dst, size_t off, const void *src,
	       size_t len, enum emu_put_signal sig_op, size_t sig_off,
	       uint64_t sig_value, bool nbi)
{
	EP_CALL();
	struct emu_ep *ep;
	struct emu_msg *m;
	int ret;

	ret = win_enter(win, dst, off, len, &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(
		ep,
		sig_op == EMU_SIGNAL_NONE
			? (nbi ? "snemu_put_nbi" : "snemu_put")
			: (nbi ? "snemu_put_signal_nbi" : "snemu_put_signal"),
		dst, -1, len, false);
	if ((!src && len) ||
	    (sig_op != EMU_SIGNAL_NONE &&
	     (sig_off % sizeof(uint64_t) ||
	      !in_window(ep, win, dst, sig_off, sizeof(uint64_t)))))
		return -EINVAL;
	ep_lock(ep);
	ret = win_msg(ep, EMU_MSG_PUT, win, dst, off, len, !nbi, &m);
	if (ret)
		goto out;
	if (len && !nbi) {
		memcpy(emu_ptr(&ep->eng, m->data), src, len);
	} else if (len) {
		m->src_pid = ep->pid;
		m->src_addr = (uintptr_t)src;
		m->src_seg = emu_arena_off(&ep->eng, src, len);
	}
	m->op = sig_op;
	m->arg0 = sig_value;
	m->arg1 = sig_off;
	ret = ep_issue(ep, m);
	if (ret) {
		emu_msg_free(&ep->eng, m, true);
		goto out;
	}
	ep->eng.puts_out[(size_t)ep->rank * ep->size + dst]++;
	ep->me->puts_out++;
out:
	ep_unlock(ep);
	return ret;
}

int snemu_put(struct snemu_win *win, int dst, size_t off, const void *src,
	      size_t len)
{
	return put(win, dst, off, src, len, EMU_SIGNAL_NONE, 0, 0, false);
}

int snemu_put_nbi(struct snemu_win *win, int dst, size_t off, const void *src,
		  size_t len)
{
	return put(win, dst, off, src, len, EMU_SIGNAL_NONE, 0, 0, true);
}

static int put_signal(struct snemu_win *win, int dst, size_t off,
		      const void *src, size_t len, size_t sig_off,
		      uint64_t sig_value, int sig_op, bool nbi)
{
	if (sig_op != SNEMU_SIGNAL_SET && sig_op != SNEMU_SIGNAL_ADD)
		return -EINVAL;
	return put(win, dst, off, src, len,
		   sig_op == SNEMU_SIGNAL_SET ? EMU_SIGNAL_SET : EMU_SIGNAL_ADD,
		   sig_off, sig_value, nbi);
}

int snemu_put_signal(struct snemu_win *win, int dst, size_t off,
		     const void *src, size_t len, size_t sig_off,
		     uint64_t sig_value, int sig_op)
{
	return put_signal(win, dst, off, src, len, sig_off, sig_value, sig_op,
			  false);
}

int snemu_put_signal_nbi(struct snemu_win *win, int dst, size_t off,
			 const void *src, size_t len, size_t sig_off,
			 uint64_t sig_value, int sig_op)
{
	return put_signal(win, dst, off, src, len, sig_off, sig_value, sig_op,
			  true);
}

static int get(struct snemu_win *win, int src, size_t off, void *dst,
	       size_t len, struct snemu_req **req)
{
	EP_CALL();
	struct emu_ep *ep;
	struct emu_msg *m;
	int ret;

	ret = win_enter(win, src, off, len, &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, req ? "snemu_iget" : "snemu_get", src, -1, len,
		      false);
	if (!dst && len)
		return -EINVAL;
	ep_lock(ep);
	/* The request carries no payload; its reply carries len bytes. */
	ret = win_msg(ep, EMU_MSG_GET_REQ, win, src, off, 0, false, &m);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	m->arg0 = len;
	return win_call(ep, m, (uintptr_t)dst, len, req);
}

int snemu_get(struct snemu_win *win, int src, size_t off, void *dst, size_t len)
{
	return get(win, src, off, dst, len, NULL);
}

int snemu_iget(struct snemu_win *win, int src, size_t off, void *dst,
	       size_t len, struct snemu_req **req)
{
	if (!req)
		return -EINVAL;
	return get(win, src, off, dst, len, req);
}

static int atomic(struct snemu_win *win, int rank, size_t off,
		  enum emu_amo_op op, uint64_t a, uint64_t b, uint64_t *old,
		  struct snemu_req **req)
{
	EP_CALL();
	struct emu_ep *ep;
	struct emu_msg *m;
	int ret;

	ret = win_enter(win, rank, off, sizeof(uint64_t), &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, req ? "snemu_iatomic" : "snemu_atomic", rank, -1,
		      sizeof(uint64_t), false);
	if (off % sizeof(uint64_t))
		return -EINVAL;
	ep_lock(ep);
	ret = win_msg(ep, EMU_MSG_AMO_REQ, win, rank, off, sizeof(uint64_t),
		      false, &m);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	m->op = op;
	m->arg0 = a;
	m->arg1 = b;
	return win_call(ep, m, (uintptr_t)old, sizeof(uint64_t), req);
}

int snemu_atomic_fadd(struct snemu_win *win, int rank, size_t off, uint64_t add,
		      uint64_t *old)
{
	return atomic(win, rank, off, EMU_AMO_FADD, add, 0, old, NULL);
}

int snemu_atomic_cas(struct snemu_win *win, int rank, size_t off,
		     uint64_t expect, uint64_t desired, uint64_t *old)
{
	return atomic(win, rank, off, EMU_AMO_CAS, expect, desired, old, NULL);
}

/* snemu.h's SNEMU_AMO_* are the first emu_amo_op values. */
_Static_assert(SNEMU_AMO_ADD == (int)EMU_AMO_FADD &&
		       SNEMU_AMO_SWAP == (int)EMU_AMO_SWAP,
	       "SNEMU_AMO_* match enum emu_amo_op");

int snemu_atomic_fetch_op(struct snemu_win *win, int rank, size_t off, int op,
			  uint64_t operand, uint64_t *old)
{
	if (op < SNEMU_AMO_ADD || op > SNEMU_AMO_SWAP)
		return -EINVAL;
	return atomic(win, rank, off, (enum emu_amo_op)op, operand, 0, old,
		      NULL);
}

int snemu_iatomic_fetch_op(struct snemu_win *win, int rank, size_t off, int op,
			   uint64_t operand, uint64_t *old,
			   struct snemu_req **req)
{
	if (op < SNEMU_AMO_ADD || op > SNEMU_AMO_SWAP || !req)
		return -EINVAL;
	return atomic(win, rank, off, (enum emu_amo_op)op, operand, 0, old,
		      req);
}

int snemu_wait_until(struct snemu_win *win, size_t off, int cmp, uint64_t value,
		     uint64_t *seen)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = win_enter(win, emu_ep ? emu_ep->rank : 0, off, sizeof(uint64_t),
			&ep);
	if (ret)
		return ret;
	if (off % sizeof(uint64_t) || cmp < SNEMU_CMP_EQ || cmp > SNEMU_CMP_LE)
		return -EINVAL;
	return ep_wait_word(ep, (uint32_t)win->id, off, cmp, value, seen);
}

/*
 * Wait until the caller's puts to rank (or all) have landed. snemu_flush
 * (poll) is also a poll: it costs poll_ns whether or not puts are in
 * flight (which of the two it is depends on the host's timing when they
 * arrived before the clock; the clock it returns at does not), and with
 * none it lets the engine catch up with the clock, so that a polling loop
 * moves in virtual time and does not run ahead of the others on the host.
 */
static int flush(struct emu_ep *ep, int rank, bool poll)
{
	struct emu_ctl *me = ep->me;
	struct snemu_req *r;
	uint64_t left;
	int ret;

	ep_lock(ep);
	if (poll)
		ep_charge(ep, ep->eng.par->poll_ns);
	left = rank == SNEMU_ANY_SOURCE
		       ? me->puts_out
		       : ep->eng.puts_out[(size_t)ep->rank * ep->size + rank];
	if (!left) {
		ret = poll ? ep_catch_up_locked(ep) : 0;
		if (ret)
			return ret;
		ep_handle_locked(ep);
		ep_unlock(ep);
		return 0;
	}
	ret = ep_req_new(ep, EMU_REQ_FLUSH, EMU_CTX_INTERNAL, rank,
			 SNEMU_ANY_TAG, &r);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	me->flush_req = emu_off(&ep->eng, r);
	me->flush_target = rank;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_WIN, NULL);
}

int snemu_flush(struct snemu_win *win, int rank)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = win_enter(win, rank == SNEMU_ANY_SOURCE ? 0 : rank, 0, 0, &ep);
	if (ret)
		return ret;
	return flush(ep, rank, true);
}

/*
 * This rank's part of a window, from the arena (under the lock); *dirty:
 * it must be zeroed (blocks past the old break were never used).
 */
static int fill_allocated(struct emu_ep *ep, struct emu_win_ent *ent,
			  size_t len, bool *dirty)
{
	uint64_t fresh = ep->eng.hdr->heap.brk, off = 0;
	int ret;

	ret = len ? emu_eng_alloc(&ep->eng, len, &off) : 0;
	if (ret)
		return ret;
	*ent = (struct emu_win_ent){.off = off, .len = len};
	*dirty = len && off < fresh;
	return 0;
}

/* This rank's part, over the program's memory (device memory or not). */
static void fill_created(struct emu_ep *ep, struct emu_win_ent *ent, void *base,
			 size_t len)
{
	*ent = (struct emu_win_ent){.len = len,
				    .addr = (uintptr_t)base,
				    .seg_addr = (uintptr_t)ep->eng.base,
				    .pid = ep->pid};
}

/*
 * Collective: a new window whose part on this rank is fresh arena memory
 * (allocated) or [base, base + len), then the barrier that makes every
 * part known. Returns the window, or -errno with nothing kept.
 */
/*
 * Windows across hosts are not there yet (docs/MULTIHOST.md): -ENOTSUP,
 * said once.
 */
static int win_one_host(const struct emu_ep *ep)
{
	static bool said;

	if (ep->eng.hdr->nhosts == 1)
		return 0;
	if (!said)
		log_err("rank %d: windows and one-sided calls do not work on "
			"several hosts yet",
			ep->rank);
	said = true;
	return -ENOTSUP;
}

static int win_new(struct emu_ep *ep, bool allocated, void *base, size_t len,
		   struct snemu_win **out)
{
	struct emu_win_ent *ent;
	struct snemu_win *w;
	bool dirty = false;
	int id, ret = 0;

	ret = win_one_host(ep);
	if (ret)
		return ret;

	/* Every rank creates in the same order: the same id everywhere. */
	for (id = 0; id < EMU_WIN_ADDRESS_SPACE && ep->win_used[id]; id++)
		;
	if (id == EMU_WIN_ADDRESS_SPACE)
		return -ENOSPC;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	ent = emu_win_ent(&ep->eng, (uint32_t)id, ep->rank);
	ep_lock(ep);
	if (allocated)
		ret = fill_allocated(ep, ent, len, &dirty);
	else
		fill_created(ep, ent, base, len);
	ep_unlock(ep);
	if (dirty)
		emu_eng_zero(&ep->eng, ent->off, len);
	if (!ret)
		ret = ep_barrier(ep);
	if (ret) {
		/* No window: its part is given back and forgotten. */
		ep_lock(ep);
		if (allocated && ent->len)
			emu_eng_free(&ep->eng, ent->off, ent->len);
		*ent = (struct emu_win_ent){0};
		ep_unlock(ep);
		free(w);
		return ret;
	}
	ep->win_used[id] = 1;
	*w = (struct snemu_win){
		.magic = EMU_WIN_MAGIC, .id = id, .allocated = allocated};
	*out = w;
	return 0;
}

int snemu_win_allocate(size_t len, void **base, struct snemu_win **win)
{
	EP_CALL();
	struct emu_win_ent *ent;
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!base || !win)
		return -EINVAL;
	ret = win_new(ep, true, NULL, len, win);
	if (ret)
		return ret;
	ent = emu_win_ent(&ep->eng, (uint32_t)(*win)->id, ep->rank);
	*base = len ? emu_ptr(&ep->eng, ent->off) : NULL;
	return 0;
}

int snemu_win_create(void *base, size_t len, struct snemu_win **win)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!win || (len && (!base || (uintptr_t)base + len < (uintptr_t)base)))
		return -EINVAL;
	return win_new(ep, false, base, len, win);
}

void emu_win_address_space_init(struct emu_ep *ep)
{
	*emu_win_ent(&ep->eng, EMU_WIN_ADDRESS_SPACE, ep->rank) =
		(struct emu_win_ent){.len = UINT64_MAX,
				     .seg_addr = (uintptr_t)ep->eng.base,
				     .pid = ep->pid};
}

struct snemu_win *snemu_win_address_space(void)
{
	static struct snemu_win w = {.magic = EMU_WIN_MAGIC,
				     .id = EMU_WIN_ADDRESS_SPACE};

	return emu_ep && !win_one_host(emu_ep) ? &w : NULL;
}

int snemu_win_free(struct snemu_win *win)
{
	EP_CALL();
	struct emu_win_ent *we;
	struct emu_ep *ep;
	bool owned;
	int ret;

	ret = win_enter(win, 0, 0, 0, &ep);
	if (ret)
		return ret;
	if (win->id == EMU_WIN_ADDRESS_SPACE)
		return -EINVAL;
	/* Every put has landed and no rank uses the window any more. */
	ret = flush(ep, SNEMU_ANY_SOURCE, false);
	if (!ret)
		ret = ep_barrier(ep);
	if (ret)
		return ret;
	/* Only this rank writes its entry: no lock needed to read it. */
	we = emu_win_ent(&ep->eng, (uint32_t)win->id, ep->rank);
	owned = we->len && win->allocated;
	if (owned)
		emu_eng_trim(&ep->eng, we->off, we->len);
	ep_lock(ep);
	if (owned)
		emu_eng_free(&ep->eng, we->off, we->len);
	*we = (struct emu_win_ent){0};
	ep_unlock(ep);
	ep->win_used[win->id] = 0;
	win->magic = EMU_WIN_FREED;
	win->next = ep->freed_wins;
	ep->freed_wins = win;
	return 0;
}

void emu_win_fini(struct emu_ep *ep)
{
	struct snemu_win *w;

	while ((w = ep->freed_wins)) {
		ep->freed_wins = w->next;
		free(w);
	}
}
