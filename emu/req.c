/* SPDX-License-Identifier: MIT */
/*
 * Requests: creation, waiting, and completion in the owner's process.
 *
 * The engine completes a request in virtual time, in whatever process runs
 * it. The data moves afterwards, in the processes that own the memory: an
 * eager payload is copied out of the arena when the receive is finished; a
 * rendezvous payload goes straight from the sender's buffer to the
 * receiver's (memcpy for a buffer in the arena, CMA otherwise), in chunks
 * that the receiver claims as soon as it runs and that the sender, if it is
 * waiting for that send, claims too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/log.h"
#include "emu/ep.h"

/*
 * A rank's new requests come EP_REQ_SLAB at a time from one 64 KiB arena
 * block, so they share pages with each other only. The engine completes
 * them in whichever process runs it, which maps their pages on its first
 * read: the kernel maps the pages in memory of the aligned 64 KiB around a
 * read fault, so one or two faults serve a whole slab (docs/PERFORMANCE.md).
 */
_Static_assert(sizeof(struct snemu_req) == 128, "a request is two lines");

static int req_refill(struct emu_ep *ep)
{
	uint64_t size = shm_heap_block_size(sizeof(struct snemu_req)), off;
	int ret;

	ret = emu_eng_alloc(&ep->eng, EP_REQ_SLAB * size, &off);
	if (ret)
		return ret;
	/* Each piece is a block of its own: it can be freed alone. */
	for (int i = EP_REQ_SLAB - 1; i >= 0; i--)
		ep->req_spare[ep->nreq_spare++] = off + (uint64_t)i * size;
	return 0;
}

int ep_req_new(struct emu_ep *ep, enum emu_req_kind kind, enum emu_ctx ctx,
	       int peer, int tag, struct snemu_req **out)
{
	struct snemu_req *r;
	int ret;

	if (!ep->nreq_spare) {
		ret = req_refill(ep);
		if (ret)
			return ret;
	}
	r = emu_ptr(&ep->eng, ep->req_spare[--ep->nreq_spare]);
	*r = (struct snemu_req){
		.magic = EMU_REQ_MAGIC,
		.kind = kind,
		.ctx = ctx,
		.owner = ep->rank,
		.peer = peer,
		.tag = tag,
		.post_ns = ep->me->clock,
	};
	*out = r;
	return 0;
}

void ep_req_free(struct emu_ep *ep, struct snemu_req *r)
{
	r->magic = 0;
	if (ep->nreq_spare < EP_REQ_SPARES)
		ep->req_spare[ep->nreq_spare++] = emu_off(&ep->eng, r);
	else
		emu_eng_free_later(&ep->eng, emu_off(&ep->eng, r), sizeof(*r));
}

bool ep_req_valid(const struct emu_ep *ep, const struct snemu_req *r)
{
	if (!r || !emu_arena_off(&ep->eng, r, sizeof(*r)) || (uintptr_t)r % 64)
		return false;
	return r->magic == EMU_REQ_MAGIC && r->owner == ep->rank &&
	       r->ctx == EMU_CTX_USER;
}

/*
 * Copy [off, off + len) of rendezvous message m, on either side. Each side
 * reaches its own buffer by address; the other side's buffer with memcpy
 * when it is in the arena (window or device memory), else with CMA.
 */
static int copy_piece(struct emu_ep *ep, const struct emu_msg *m, bool sender,
		      uint64_t off, uint64_t len)
{
	void *dst = (void *)(uintptr_t)(m->dst_addr + off);
	const void *src = (const void *)(uintptr_t)(m->src_addr + off);

	/* A ghost's receive: its bytes go to its host by another way. */
	if (!emu_rank_local(&ep->eng, m->dst))
		return 0;
	if (sender) {
		if (m->dst_seg)
			dst = emu_ptr(&ep->eng, m->dst_seg + off);
		else if (m->dst_pid != ep->pid)
			return shm_cma_write(m->dst_pid, m->dst_addr + off, src,
					     len);
	} else if (m->src_seg) {
		src = emu_ptr(&ep->eng, m->src_seg + off);
	} else if (m->src_pid != ep->pid) {
		return shm_cma_read(m->src_pid, dst, m->src_addr + off, len);
	}
	memcpy(dst, src, len);
	return 0;
}

/*
 * Claim and copy chunks of m until none is left. Whoever copies the last
 * one completes the copy for both sides and wakes them.
 */
static void copy_chunks(struct emu_ep *ep, struct emu_msg *m, bool sender)
{
	struct emu_eng *e = &ep->eng;
	struct snemu_req *r = emu_ptr(e, m->rreq), *s = emu_ptr(e, m->sreq);
	uint32_t c;

	while ((c = __atomic_fetch_add(&m->chunk_next, 1, __ATOMIC_RELAXED)) <
	       m->chunks) {
		uint64_t off = c * EMU_CHUNK;
		int ret = copy_piece(ep, m, sender, off,
				     MIN(EMU_CHUNK, m->copy_len - off));

		/* The first failed chunk says it; both sides get its error. */
		if (ret && __atomic_compare_exchange_n(
				   &m->copy_err, &(int){0}, ret, false,
				   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			log_err("cannot copy a message from rank %d to %d: %s",
				m->src, m->dst, strerror(-ret));
		if (__atomic_add_fetch(&m->chunk_done, 1, __ATOMIC_ACQ_REL) !=
		    m->chunks)
			continue;
		__atomic_store_n(&r->copied, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->copied, 1, __ATOMIC_RELEASE);
		emu_ctl_poke(&e->ctl[m->dst]);
		emu_ctl_poke(&e->ctl[m->src]);
	}
}

void ep_copies(struct emu_ep *ep)
{
	struct emu_eng *e = &ep->eng;
	uint64_t off;

	if (!__atomic_load_n(&ep->me->copy_head, __ATOMIC_RELAXED))
		return;
	off = __atomic_exchange_n(&ep->me->copy_head, 0, __ATOMIC_ACQUIRE);
	while (off) {
		struct snemu_req *r = emu_ptr(e, off);

		off = r->copy_next;
		copy_chunks(ep, emu_ptr(e, r->msg), false);
	}
}

/* A sender waiting for its rendezvous sends to be copied helps copy. */
static void help_copies(struct emu_ep *ep, struct snemu_req **reqs, int n)
{
	for (int i = 0; i < n; i++) {
		struct snemu_req *r = reqs[i];

		if (r && r->kind == EMU_REQ_SEND && r->rndv &&
		    __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&r->copied, __ATOMIC_ACQUIRE))
			copy_chunks(ep, emu_ptr(&ep->eng, r->msg), true);
	}
}

/*
 * Sleep on our futex until ready(); every wake-up first does the copies
 * this rank owes or may help with.
 */
static int sleep_until(struct emu_ep *ep,
		       bool (*ready)(struct emu_ep *, struct snemu_req **, int),
		       struct snemu_req **reqs, int n)
{
	struct emu_ctl *me = ep->me;

	for (;;) {
		uint32_t v = __atomic_load_n(&me->futex, __ATOMIC_SEQ_CST);

		if (__atomic_load_n(&ep->eng.hdr->aborted, __ATOMIC_ACQUIRE))
			return -ECANCELED;
		ep_copies(ep);
		help_copies(ep, reqs, n);
		if (ready(ep, reqs, n))
			return 0;
		__atomic_store_n(&me->sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&me->futex, __ATOMIC_SEQ_CST) == v)
			shm_futex_wait(&me->futex, v, NULL);
		__atomic_store_n(&me->sleeping, 0, __ATOMIC_RELAXED);
	}
}

/* RUNNING again, and every rendezvous message copied. */
static bool wait_ready(struct emu_ep *ep, struct snemu_req **reqs, int n)
{
	if (__atomic_load_n(&ep->me->state, __ATOMIC_ACQUIRE) !=
	    EMU_RANK_RUNNING)
		return false;
	for (int i = 0; i < n; i++)
		if (reqs[i] && reqs[i]->rndv &&
		    !__atomic_load_n(&reqs[i]->copied, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

int ep_sleep_blocked(struct emu_ep *ep)
{
	return sleep_until(ep, wait_ready, NULL, 0);
}

/* The engine cleared our sync flag: the horizon reached our clock. */
static bool sync_ready(struct emu_ep *ep, struct snemu_req **reqs, int n)
{
	return !__atomic_load_n(&ep->me->sync, __ATOMIC_ACQUIRE);
}

/* Take a completed request's data, fill st, free it; its result. */
static int finish(struct emu_ep *ep, struct snemu_req *r,
		  struct snemu_status *st)
{
	struct emu_eng *e = &ep->eng;
	struct emu_msg *m = r->msg ? emu_ptr(e, r->msg) : NULL;
	void *buf = (void *)(uintptr_t)r->buf;
	int ret = r->result;

	if (unlikely(ep->tr.buf) && m && r->kind == EMU_REQ_RECV)
		ep_trace_recv(ep, m->trace_id, r->st.source, r->st.tag,
			      r->st.len, r->done_ns);
	if ((r->kind == EMU_REQ_AMO || r->kind == EMU_REQ_WORD) && buf && !ret)
		*(uint64_t *)buf = r->value;
	if (m && m->rndv) {
		/* Sender and receiver both use it: the last one frees it. */
		ret = __atomic_load_n(&m->copy_err, __ATOMIC_RELAXED) ?: ret;
		if (!__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
			emu_msg_free(e, m, false);
	} else if (m) {
		if (m->data && emu_rank_local(e, ep->rank))
			memcpy(buf, emu_ptr(e, m->data), MIN(m->len, r->cap));
		emu_msg_free(e, m, false);
	}
	if (st)
		*st = ep_status(&r->st, r->cancelled);
	ep_req_free(ep, r);
	return ret;
}

/*
 * An eager payload lies in pages of the arena that its receiver touched
 * last a round ago, if ever, and the walk of the page tables that finds
 * them (two-dimensional under a hypervisor) takes as long as the copy.
 * Walks started together overlap: the finish loop starts those of a
 * batch of FINISH_BATCH requests' messages while it finishes the batch
 * before.
 */
#define FINISH_BATCH 8

/* The status of a NULL request in an array. */
#define EMPTY_STATUS                                                           \
	((struct snemu_status){.source = SNEMU_ANY_SOURCE,                     \
			       .tag = SNEMU_ANY_TAG})

static void prefetch_messages(struct emu_ep *ep, struct snemu_req **reqs,
			      int from, int to)
{
	for (int i = from; i < to; i++) {
		const struct snemu_req *r = reqs[i];

		if (r && r->kind == EMU_REQ_RECV && r->msg && !r->rndv)
			emu_msg_prefetch(&ep->eng, r->msg, r->st.len);
	}
}

/*
 * Handle the receives that completed since the last wait or test, as a
 * CPU that looks at its completions now: each is done by the clock (the
 * engine processes no event past a running rank's clock), so in any
 * order they cost recv_ns each. Returns the clock after them.
 */
static uint64_t handle_completed(struct emu_ep *ep)
{
	struct emu_eng *e = &ep->eng;
	struct emu_ctl *me = ep->me;
	uint64_t clock = me->clock;

	for (uint64_t off = me->unhandled; off;) {
		const struct snemu_req *r = emu_ptr(e, off);

		clock = MAX(clock, r->done_ns) + e->par->recv_ns;
		off = r->next;
	}
	me->unhandled = 0;
	return clock;
}

void ep_handle_locked(struct emu_ep *ep)
{
	emu_eng_set_clock(&ep->eng, ep->rank, handle_completed(ep));
}

/*
 * Catch up, and handle every receive completed before the clock, which
 * handling moves on: 0 with the lock held, or -errno without it.
 */
static int settle_locked(struct emu_ep *ep)
{
	for (;;) {
		int ret = ep_catch_up_locked(ep);

		if (ret || !ep->me->unhandled)
			return ret;
		ep_handle_locked(ep);
	}
}

static bool all_done(struct snemu_req **reqs, int n)
{
	for (int i = 0; i < n; i++)
		if (reqs[i] &&
		    !__atomic_load_n(&reqs[i]->done, __ATOMIC_RELAXED))
			return false;
	return true;
}

int ep_wait_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		   enum emu_wait_op op, struct snemu_status *sts)
{
	struct emu_eng *e = &ep->eng;
	struct emu_ctl *me = ep->me;
	struct snemu_req *first = NULL;
	uint64_t from = me->clock, clock, until = 0;
	int pending = 0, ret;

	/*
	 * Done already, it will not block, so the engine will not handle
	 * for it the receives that complete before its clock but are
	 * processed later: while one of ours is open, settle first, so that
	 * this call handles all of them, whatever the host's timing.
	 */
	if (me->recv_open && all_done(reqs, n)) {
		ret = settle_locked(ep);
		if (ret)
			return ret;
	}
	clock = handle_completed(ep);

	/*
	 * The clock after the wait is that of a CPU that handles each
	 * receive as it comes, one after another, max(clock, done) + recv_ns
	 * each, and no earlier than the other completions it waits for
	 * (sends, gets, atomics). A receive done before the call was handled
	 * by now; the engine handles the others as it completes them, in
	 * time order, whether the wait names them or not. Which of the two
	 * a receive is depends on the host's timing: the result does not.
	 */
	for (int i = 0; i < n; i++) {
		struct snemu_req *r = reqs[i];

		if (!r)
			continue;
		if (__atomic_load_n(&r->done, __ATOMIC_RELAXED)) {
			if (r->kind != EMU_REQ_RECV)
				until = MAX(until, r->done_ns);
			continue;
		}
		r->waited = 1;
		if (!pending++)
			first = r;
	}
	if (pending) {
		me->wait_clock = clock;
		me->wait_until = until;
		emu_eng_block(e, ep->rank, op, first->peer, first->tag,
			      pending);
	} else {
		emu_eng_set_clock(e, ep->rank, MAX(clock, until));
	}
	ep_unlock(ep);
	ret = sleep_until(ep, wait_ready, reqs, n);
	if (ret)
		return ret;
	if (unlikely(ep->tr.buf) && op != EMU_WAIT_NONE)
		ep_trace_waited(ep, op, reqs, n, from);
	prefetch_messages(ep, reqs, 0, MIN(n, FINISH_BATCH));
	for (int i = 0; i < n; i++) {
		int r;

		if (i % FINISH_BATCH == 0)
			prefetch_messages(ep, reqs, i + FINISH_BATCH,
					  MIN(n, i + 2 * FINISH_BATCH));
		if (!reqs[i]) {
			if (sts)
				sts[i] = EMPTY_STATUS;
			continue;
		}
		r = finish(ep, reqs[i], sts ? &sts[i] : NULL);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

/*
 * r is done at the caller's clock. Only a rendezvous send can complete
 * later than its owner's clock: at its match, which a receiver ahead in
 * virtual time may already have made. It counts from the next clock on,
 * so a tie with the receiver's post cannot depend on who ran first.
 */
static bool done_by(const struct snemu_req *r, uint64_t clock)
{
	if (!__atomic_load_n(&r->done, __ATOMIC_RELAXED))
		return false;
	return r->kind != EMU_REQ_SEND || !r->rndv || r->done_ns < clock;
}

/* Sleep, still RUNNING, until the horizon reaches the caller's clock. */
static int sync_sleep(struct emu_ep *ep)
{
	int ret;

	__atomic_store_n(&ep->me->sync, 1, __ATOMIC_RELAXED);
	ep->eng.hdr->nsync++;
	ep_unlock(ep);
	ret = sleep_until(ep, sync_ready, NULL, 0);
	if (!ret)
		ep_lock(ep);
	return ret;
}

int ep_catch_up_locked(struct emu_ep *ep)
{
	struct emu_eng *e = &ep->eng;
	int ret;

	for (;;) {
		emu_eng_advance(e);
		if (ep->me->clock <= emu_eng_horizon(e))
			return 0;
		ret = sync_sleep(ep);
		if (ret)
			return ret;
	}
}

/*
 * The request of reqs (NULL entries skipped) that completed first, by
 * clock: the earliest completion, the lowest index among equal ones; -1
 * when none did. With all, the answer is 0 if every one did, else -1.
 */
static int first_done(struct snemu_req **reqs, int n, uint64_t clock, bool all)
{
	int first = -1;

	for (int i = 0; i < n; i++) {
		if (!reqs[i])
			continue;
		if (!done_by(reqs[i], clock)) {
			if (all)
				return -1;
			continue;
		}
		if (first < 0 || reqs[i]->done_ns < reqs[first]->done_ns)
			first = i;
	}
	return all ? 0 : first;
}

/*
 * A poll at the caller's clock, under the lock: once no event earlier
 * than that clock can be pending, first_done's answer in *found, with the
 * receives completed meanwhile handled. Earlier only when neither can
 * change any more: no receive of the caller is still open (one that
 * completes before the clock, but is processed later, would be handled
 * by a later call), and every request is done (all) or one is done
 * before the horizon, so that no event still to come can complete
 * another one earlier (a send completes at its post, which may lie past
 * the horizon, and an arrival before it may not be processed yet).
 * Returns 0 with the lock held, or -errno without it.
 */
static int poll_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		       bool all, int *found)
{
	struct emu_eng *e = &ep->eng;
	int ret;

	for (;;) {
		emu_eng_advance(e);
		/* handling moves the clock: more may be due before it */
		if (ep->me->unhandled) {
			ep_handle_locked(ep);
			continue;
		}
		*found = first_done(reqs, n, ep->me->clock, all);
		if (ep->me->clock <= emu_eng_horizon(e) ||
		    (*found >= 0 && !ep->me->recv_open &&
		     (all || reqs[*found]->done_ns < emu_eng_horizon(e))))
			return 0;
		/*
		 * Ranks behind us may still send something that arrives
		 * before our clock: sleep until the horizon reaches us, and
		 * look again.
		 */
		ret = sync_sleep(ep);
		if (ret)
			return ret;
	}
}

int ep_test_locked(struct emu_ep *ep, struct snemu_req **reqs, int n, bool all,
		   int *found, struct snemu_status *sts)
{
	int ret = poll_locked(ep, reqs, n, all, found);

	if (ret) {
		*found = -1;
		return ret;
	}
	if (*found < 0) {
		ep_unlock(ep);
		return 0;
	}
	if (all)
		return ep_wait_locked(ep, reqs, n, EMU_WAIT_NONE, sts);
	return ep_wait_locked(ep, &reqs[*found], 1, EMU_WAIT_NONE, sts);
}

int ep_testsome_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		       int *count, int *indices, struct snemu_status *sts)
{
	struct snemu_req **done;
	int all, k = 0, ret = poll_locked(ep, reqs, n, true, &all);

	*count = 0;
	if (ret)
		return ret;
	/* the horizon has reached the clock, unless every one is done */
	for (int i = 0; i < n; i++)
		if (reqs[i] && done_by(reqs[i], ep->me->clock))
			indices[k++] = i;
	done = k ? malloc(k * sizeof(*done)) : NULL;
	if (!done) {
		ep_unlock(ep);
		return k ? -ENOMEM : 0;
	}
	for (int j = 0; j < k; j++)
		done[j] = reqs[indices[j]];
	*count = k;
	ret = ep_wait_locked(ep, done, k, EMU_WAIT_NONE, sts);
	free(done);
	return ret;
}

int ep_waitany_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		      int *index, struct snemu_status *st)
{
	struct emu_eng *e = &ep->eng;
	struct snemu_req *first = NULL;
	uint64_t from;
	int i, ret = poll_locked(ep, reqs, n, false, index);

	if (ret) {
		*index = -1;
		return ret;
	}
	if (*index >= 0)
		return ep_wait_locked(ep, &reqs[*index], 1, EMU_WAIT_NONE, st);
	/* None is done: block until the first completes. */
	for (i = 0; i < n; i++) {
		if (!reqs[i])
			continue;
		reqs[i]->waited = 1;
		first = first ? first : reqs[i];
	}
	from = ep->me->clock;
	ep->me->wait_clock = from;
	ep->me->wait_until = 0;
	emu_eng_block(e, ep->rank, EMU_WAIT_WAITANY, first->peer, first->tag,
		      1);
	ep_unlock(ep);
	ret = sleep_until(ep, wait_ready, NULL, 0);
	if (ret)
		return ret;
	/*
	 * The one that ended the wait is it (others may have completed at
	 * the same time since, or not yet: host timing); the others are no
	 * longer waited for.
	 */
	ep_lock(ep);
	for (i = 0; i < n; i++) {
		if (!reqs[i])
			continue;
		reqs[i]->waited = 0;
		if (emu_off(e, reqs[i]) == ep->me->wait_last)
			*index = i;
	}
	ep_unlock(ep);
	ret = sleep_until(ep, wait_ready, &reqs[*index], 1);
	if (ret)
		return ret;
	if (unlikely(ep->tr.buf))
		ep_trace_waited(ep, EMU_WAIT_WAITANY, &reqs[*index], 1, from);
	return finish(ep, reqs[*index], st);
}
