/* SPDX-License-Identifier: MIT */
/*
 * Tagged point-to-point messages. A send of at most the eager limit copies
 * its payload into the arena and completes when injected; a larger one,
 * or a synchronous one, leaves the payload where it is (rendezvous) until
 * the receiver reads it. Each names a communicator (0 for the calls
 * without _comm), and only receives of that communicator match it.
 */
#include <errno.h>
#include <string.h>

#include "common/common.h"
#include "emu/ep.h"
#include "emu/host.h"

/* What a send or a receive names besides its buffer. */
struct p2p_to {
	uint32_t comm;
	int peer, tag;
	bool sync; /* send: synchronous */
};

/*
 * The request of a send of len bytes, with its status set; the lock is
 * needed only when the rank has no spare request.
 */
static int send_request(struct emu_ep *ep, const struct p2p_to *to, size_t len,
			struct snemu_req **out)
{
	int tag = to->tag;
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_SEND, EMU_CTX_USER, to->peer, tag, &r);
	if (ret)
		return ret;
	r->comm = to->comm;
	r->sync = to->sync;
	r->st = (struct emu_status){
		.source = ep->rank,
		.tag = tag,
		.len = len,
	};
	*out = r;
	return 0;
}

/*
 * Make m, a new message (stage_message) of buf, the message of send r,
 * with trace flow id flow (0: none). A rendezvous message leaves its
 * payload in buf, for the receiver.
 */
static void send_bind(struct emu_ep *ep, struct emu_msg *m, struct snemu_req *r,
		      const void *buf, uint64_t flow)
{
	struct emu_eng *e = &ep->eng;

	m->ctx = EMU_CTX_USER;
	m->trace_id = flow;
	m->tag = r->tag;
	m->comm = r->comm;
	if (!m->data && (m->len || r->sync)) {
		m->rndv = 1;
		m->src_pid = ep->pid;
		m->src_addr = (uintptr_t)buf;
		/* Window or device memory: the receiver reads it, no CMA. */
		m->src_seg = emu_arena_off(e, buf, m->len);
		m->sreq = emu_off(e, r);
		m->refs = 2;
		r->rndv = 1;
		r->msg = emu_off(e, m);
	}
}

/*
 * Post the send of m with its request r, under the lock: m leaves at the
 * caller's clock plus send_ns, and an eager send completes then. When the
 * fabric cannot take it (its event queue is full, or m is NULL: there
 * was no memory to stage it, r->result says why), r completes at once
 * with the error, which the wait returns.
 */
static void send_post_locked(struct emu_ep *ep, struct emu_msg *m,
			     struct snemu_req *r)
{
	struct emu_eng *e = &ep->eng;
	int ret;

	ret = m ? ep_inject(ep, m) : 0;
	if (ret) {
		emu_msg_free(e, m, true);
		r->rndv = 0;
		r->msg = 0;
		r->result = ret;
	}
	if (!r->rndv)
		emu_req_complete(e, r, ep->me->clock);
}

/* The request of a receive, not posted yet (the lock as for sends). */
static int recv_request(struct emu_ep *ep, const struct p2p_to *from, void *buf,
			size_t len, struct snemu_req **out)
{
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_RECV, EMU_CTX_USER, from->peer, from->tag,
			 &r);
	if (ret)
		return ret;
	r->comm = from->comm;
	r->buf = (uintptr_t)buf;
	/*
	 * Found here, in the owner's mapping: the match that hands it to
	 * the sender may run in any process.
	 */
	r->buf_seg = emu_arena_off(&ep->eng, buf, len);
	r->cap = len;
	*out = r;
	return 0;
}

/* Post receive r at the caller's clock, under the lock. */
static void recv_post_locked(struct emu_ep *ep, struct snemu_req *r)
{
	r->post_ns = ep->me->clock;
	ep->me->recv_open++;
	emu_match_post(&ep->eng, r);
}

void ep_posts_flush_locked(struct emu_ep *ep)
{
	for (int i = 0; i < ep->nposts; i++) {
		struct ep_post *p = &ep->posts[i];

		if (p->r->kind == EMU_REQ_SEND)
			send_post_locked(ep, p->m, p->r);
		else
			recv_post_locked(ep, p->r);
	}
	ep->nposts = 0;
	ep->posts_ns = 0;
}

static bool is_eager(const struct emu_ep *ep, size_t len)
{
	return len <= ep->eng.hdr->eager_limit;
}

/*
 * A new send message of len bytes to dst, its payload still to be copied
 * in (m->data, when eager: small and not sync), made without the lock: writing a new block
 * faults its pages in, and other ranks must not wait for that. Only a new
 * block from the heap takes the lock, to allocate it (without posting the
 * held posts: ep_lock stages them first); the pair's last block, when it
 * fits, needs none.
 */
static int stage_message(struct emu_ep *ep, int dst, size_t len, bool sync,
			 struct emu_msg **out)
{
	bool eager = !sync && is_eager(ep, len);
	uint64_t off;
	int ret;

	off = emu_msg_spare(&ep->eng, EMU_CTX_USER, ep->rank, dst, len, eager);
	if (!off) {
		emu_eng_lock(&ep->eng);
		ret = emu_msg_alloc(&ep->eng, len, eager, &off);
		emu_eng_unlock(&ep->eng);
		if (ret)
			return ret;
	}
	*out = emu_msg_init(&ep->eng, off, EMU_MSG_SEND, ep->rank, dst, len,
			    eager);
	return 0;
}

/*
 * Staging a send waits on address translation: the pair's spare slot and
 * its block lie in pages this process touched last a round ago, and each
 * page walk (two-dimensional under a hypervisor) costs about as much as
 * the copy. Walks started together overlap: the loop that takes the
 * blocks starts the slot loads of the batch of STAGE_BATCH posts after
 * next, and the block loads of the next batch, while it takes one.
 *
 * The payloads are copied afterwards, in a loop of their own, and
 * streamed past the cache (their receivers read them only after the
 * engine has run over the batch): taking a block is an atomic exchange,
 * which would wait for the streamed stores before it to reach memory.
 */
#define STAGE_BATCH 8

static void prefetch_sends(struct emu_ep *ep, int from, int to, bool block)
{
	for (int i = from; i < MIN(to, ep->nposts); i++) {
		const struct snemu_req *r = ep->posts[i].r;

		if (r->kind == EMU_REQ_SEND)
			emu_msg_spare_prefetch(&ep->eng, EMU_CTX_USER, ep->rank,
					       r->peer, r->st.len, block);
	}
}

void ep_posts_stage(struct emu_ep *ep)
{
	const int b = STAGE_BATCH;

	prefetch_sends(ep, 0, 2 * b, false);
	prefetch_sends(ep, 0, b, true);
	for (int i = 0; i < ep->nposts; i++) {
		struct ep_post *p = &ep->posts[i];
		int ret;

		if (i % b == 0) {
			prefetch_sends(ep, i + 2 * b, i + 3 * b, false);
			prefetch_sends(ep, i + b, i + 2 * b, true);
		}
		if (p->r->kind != EMU_REQ_SEND)
			continue;
		/* On failure p->m stays NULL: the flush fails the send. */
		ret = stage_message(ep, p->r->peer, p->r->st.len, false, &p->m);
		if (ret)
			p->r->result = ret;
		else
			send_bind(ep, p->m, p->r, p->buf, p->flow);
	}
	for (int i = 0; i < ep->nposts; i++) {
		const struct emu_msg *m = ep->posts[i].m;

		if (m && m->data && emu_rank_local(&ep->eng, m->dst))
			shm_copy_stream(emu_ptr(&ep->eng, m->data),
					ep->posts[i].buf, m->len);
	}
	shm_copy_stream_end();
}

/*
 * Record a send (its payload goes with it to a rank of another host) or a
 * receive (emu/host.h); req: the request it made, NULL: a blocking one.
 */
static void p2p_rec(struct emu_ep *ep, enum host_op op, const struct p2p_to *to,
		    const void *buf, size_t len, struct snemu_req *req)
{
	struct host_rec rec = {
		.op = op,
		.peer = to->peer,
		.tag = to->tag,
		.comm = to->comm,
		.arg = to->sync ? SNEMU_SEND_SYNC : 0,
		.len = len,
		.req = (uintptr_t)req,
	};
	bool send = op == HOST_SEND || op == HOST_ISEND;

	if (send && len && !emu_rank_local(&ep->eng, to->peer))
		rec.flags = HOST_REC_PAYLOAD;
	ep_rec(ep, &rec, NULL, 0, buf);
}

/* Enter the library for a user send or receive, and check its arguments. */
static int p2p_enter(const struct p2p_to *to, const void *buf, size_t len,
		     bool recv, struct emu_ep **out)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_rank_ok(ep, to->peer, recv) || !ep_tag_ok(to->tag, recv) ||
	    (!buf && len))
		return -EINVAL;
	ret = recv ? 0 : ep_len_check(ep, len, to->peer);
	if (ret)
		return ret;
	*out = ep;
	return 0;
}

/*
 * Post a send (recv false) or receive (recv true: peer and tag may be
 * wildcards) now. Returns 0 with the endpoint locked and *out set, or an
 * error with nothing posted and nothing locked.
 */
static int p2p_post(struct emu_ep *ep, const struct p2p_to *to, const void *buf,
		    size_t len, bool recv, struct snemu_req **out)
{
	int ret;

	if (recv) {
		ep_lock(ep);
		ret = recv_request(ep, to, (void *)buf, len, out);
		if (!ret)
			recv_post_locked(ep, *out);
	} else {
		struct emu_msg *m;

		ret = stage_message(ep, to->peer, len, to->sync, &m);
		if (ret)
			return ret;
		/* Cached: a blocking send's receiver may read it at once. */
		if (m->data && emu_rank_local(&ep->eng, to->peer))
			memcpy(emu_ptr(&ep->eng, m->data), buf, len);
		ep_lock(ep);
		ret = send_request(ep, to, len, out);
		if (ret) {
			emu_msg_free(&ep->eng, m, true);
		} else {
			send_bind(ep, m, *out, buf, ep->tr.flow);
			send_post_locked(ep, m, *out);
		}
	}
	if (ret)
		ep_unlock(ep);
	return ret;
}

/*
 * A nonblocking send or receive of at most the eager limit is held back
 * until the rank's next lock (when there is room and a spare request),
 * and staged and posted then, in program order, before anything else:
 * the results are those of posting at once (docs/ARCHITECTURE.md),
 * without a lock per call. A larger one is posted at once, so that a
 * rendezvous sender can match it and copy while this rank is out of the
 * library. A synchronous send is a rendezvous: posted at once.
 */
static bool p2p_can_hold(const struct emu_ep *ep, const struct p2p_to *to,
			 size_t len)
{
	return !to->sync && is_eager(ep, len) && ep->nposts < EP_POSTS &&
	       ep->nreq_spare;
}

static int p2p_hold(struct emu_ep *ep, const struct p2p_to *to, const void *buf,
		    size_t len, bool recv, struct snemu_req **out)
{
	int ret;

	if (recv) {
		ret = recv_request(ep, to, (void *)buf, len, out);
	} else {
		ret = send_request(ep, to, len, out);
		if (!ret)
			ep->posts_ns += ep->eng.par->send_ns;
	}
	if (!ret)
		ep->posts[ep->nposts++] = (struct ep_post){
			.r = *out,
			.buf = recv ? NULL : buf,
			.flow = ep->tr.flow,
		};
	return ret;
}

/* Post a nonblocking send or receive and hand its request to the caller. */
static int p2p_start_nb(const struct p2p_to *to, const void *buf, size_t len,
			bool recv, struct snemu_req **req)
{
	EP_CALL();
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	if (!req)
		return -EINVAL;
	ret = p2p_enter(to, buf, len, recv, &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, recv ? "snemu_irecv" : "snemu_isend", to->peer,
		      to->tag, len, !recv);
	if (p2p_can_hold(ep, to, len)) {
		ret = p2p_hold(ep, to, buf, len, recv, &r);
	} else {
		ret = p2p_post(ep, to, buf, len, recv, &r);
		if (!ret)
			ep_unlock(ep);
	}
	if (ret)
		return ret;
	if (unlikely(ep->feed >= 0))
		p2p_rec(ep, recv ? HOST_IRECV : HOST_ISEND, to, buf, len, r);
	ep->nreqs++;
	*req = r;
	return 0;
}

/* A send's destination: -EINVAL for flags other than SNEMU_SEND_SYNC. */
static int send_to(uint32_t comm, int dst, int tag, int flags,
		   struct p2p_to *to)
{
	*to = (struct p2p_to){comm, dst, tag, flags & SNEMU_SEND_SYNC};
	return flags & ~SNEMU_SEND_SYNC ? -EINVAL : 0;
}

int snemu_send_comm(uint32_t comm, int dst, int tag, const void *buf,
		    size_t len, int flags)
{
	EP_CALL();
	struct snemu_req *r;
	struct emu_ep *ep;
	struct p2p_to to;
	int ret;

	ret = send_to(comm, dst, tag, flags, &to)
		      ?: p2p_enter(&to, buf, len, false, &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, "snemu_send", dst, tag, len, true);
	if (unlikely(ep->feed >= 0))
		p2p_rec(ep, HOST_SEND, &to, buf, len, NULL);
	ret = p2p_post(ep, &to, buf, len, false, &r);
	if (ret)
		return ret;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_SEND, NULL);
}

int snemu_recv_comm(uint32_t comm, int src, int tag, void *buf, size_t len,
		    struct snemu_status *st)
{
	EP_CALL();
	struct p2p_to from = {comm, src, tag, false};
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	ret = p2p_enter(&from, buf, len, true, &ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, "snemu_recv", src, tag, len, false);
	if (unlikely(ep->feed >= 0))
		p2p_rec(ep, HOST_RECV, &from, buf, len, NULL);
	ret = p2p_post(ep, &from, buf, len, true, &r);
	if (ret)
		return ret;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_RECV, st);
}

int snemu_isend_comm(uint32_t comm, int dst, int tag, const void *buf,
		     size_t len, int flags, struct snemu_req **req)
{
	struct p2p_to to;

	return send_to(comm, dst, tag, flags, &to)
		       ?: p2p_start_nb(&to, buf, len, false, req);
}

int snemu_irecv_comm(uint32_t comm, int src, int tag, void *buf, size_t len,
		     struct snemu_req **req)
{
	struct p2p_to from = {comm, src, tag, false};

	return p2p_start_nb(&from, buf, len, true, req);
}

int snemu_send(int dst, int tag, const void *buf, size_t len)
{
	return snemu_send_comm(0, dst, tag, buf, len, 0);
}

int snemu_recv(int src, int tag, void *buf, size_t len, struct snemu_status *st)
{
	return snemu_recv_comm(0, src, tag, buf, len, st);
}

int snemu_isend(int dst, int tag, const void *buf, size_t len,
		struct snemu_req **req)
{
	return snemu_isend_comm(0, dst, tag, buf, len, 0, req);
}

int snemu_irecv(int src, int tag, void *buf, size_t len, struct snemu_req **req)
{
	return snemu_irecv_comm(0, src, tag, buf, len, req);
}
