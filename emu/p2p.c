/* SPDX-License-Identifier: MIT */
/*
 * Tagged point-to-point messages. A send of at most the eager limit copies
 * its payload into the arena and completes when injected; a larger one
 * leaves the payload where it is (rendezvous) until the receiver reads it.
 */
#include <errno.h>
#include <string.h>

#include "emu/ep.h"

static bool rank_ok(const struct emu_ep *ep, int rank, bool any)
{
	return (rank >= 0 && rank < ep->size) ||
	       (any && rank == SNEMU_ANY_SOURCE);
}

static bool tag_ok(int tag, bool any)
{
	return (tag >= 0 && tag <= SNEMU_TAG_MAX) ||
	       (any && tag == SNEMU_ANY_TAG);
}

/*
 * Post the send of m, a new message whose eager payload (if any) is in
 * place, under the lock. On failure m is freed.
 */
static int post_send_locked(struct emu_ep *ep, struct emu_msg *m, int tag,
			    const void *buf, struct snemu_req **out)
{
	struct emu_eng *e = &ep->eng;
	bool rndv = !m->data && m->len;
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_SEND, EMU_CTX_USER, m->dst, tag, &r);
	if (ret) {
		emu_msg_free(e, m, true);
		return ret;
	}
	m->ctx = EMU_CTX_USER;
	m->tag = tag;
	if (rndv) {
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
	ret = ep_inject(ep, m);
	if (ret) {
		emu_msg_free(e, m, true);
		ep_req_free(ep, r);
		return ret;
	}
	r->st = (struct snemu_status){
		.source = ep->rank,
		.tag = tag,
		.len = m->len,
	};
	if (!rndv)
		emu_req_complete(e, r, ep->me->clock);
	*out = r;
	return 0;
}

static bool is_eager(const struct emu_ep *ep, size_t len)
{
	return len <= ep->eng.hdr->eager_limit;
}

/*
 * A new send message to dst with its eager payload in place, made without
 * the lock: writing a new block faults its pages in, and other ranks must
 * not wait for that. Only a new block from the heap takes the lock, to
 * allocate it; the pair's last block, when it fits, needs none.
 */
static int stage_send(struct emu_ep *ep, int dst, const void *buf, size_t len,
		      struct emu_msg **out)
{
	bool eager = is_eager(ep, len);
	struct emu_msg *m;
	uint64_t off;
	int ret;

	off = emu_msg_spare(&ep->eng, ep->rank, dst, len, eager);
	if (!off) {
		ep_lock(ep);
		ret = emu_msg_alloc(&ep->eng, len, eager, &off);
		ep_unlock(ep);
		if (ret)
			return ret;
	}
	m = emu_msg_init(&ep->eng, off, EMU_MSG_SEND, ep->rank, dst, len,
			 eager);
	if (m->data)
		memcpy(emu_ptr(&ep->eng, m->data), buf, len);
	*out = m;
	return 0;
}

static int irecv_locked(struct emu_ep *ep, int src, int tag, void *buf,
			size_t len, struct snemu_req **out)
{
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_RECV, EMU_CTX_USER, src, tag, &r);
	if (ret)
		return ret;
	r->buf = (uintptr_t)buf;
	/*
	 * Found here, in the owner's mapping: the match that hands it to
	 * the sender may run in any process.
	 */
	r->buf_seg = emu_arena_off(&ep->eng, buf, len);
	r->cap = len;
	emu_match_post(&ep->eng, r);
	*out = r;
	return 0;
}

/*
 * Check a user send (recv false) or receive (recv true: peer and tag may be
 * wildcards) and post it. Returns 0 with the endpoint locked and *out set,
 * or -EINVAL / -ENXIO with nothing posted and nothing locked.
 */
static int p2p_start(int peer, int tag, const void *buf, size_t len, bool recv,
		     struct emu_ep **epp, struct snemu_req **out)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!rank_ok(ep, peer, recv) || !tag_ok(tag, recv) || (!buf && len))
		return -EINVAL;
	if (recv) {
		ep_lock(ep);
		ret = irecv_locked(ep, peer, tag, (void *)buf, len, out);
	} else {
		struct emu_msg *m;

		ret = stage_send(ep, peer, buf, len, &m);
		if (ret)
			return ret;
		ep_lock(ep);
		ret = post_send_locked(ep, m, tag, buf, out);
	}
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	*epp = ep;
	return 0;
}

/* Post a nonblocking send or receive and hand its request to the caller. */
static int p2p_start_nb(int peer, int tag, const void *buf, size_t len,
			bool recv, struct snemu_req **req)
{
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	if (!req)
		return -EINVAL;
	ret = p2p_start(peer, tag, buf, len, recv, &ep, &r);
	if (ret)
		return ret;
	ep_unlock(ep);
	ep->nreqs++;
	*req = r;
	return 0;
}

int snemu_send(int dst, int tag, const void *buf, size_t len)
{
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	ret = p2p_start(dst, tag, buf, len, false, &ep, &r);
	if (ret)
		return ret;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_SEND, NULL);
}

int snemu_recv(int src, int tag, void *buf, size_t len, struct snemu_status *st)
{
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	ret = p2p_start(src, tag, buf, len, true, &ep, &r);
	if (ret)
		return ret;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_RECV, st);
}

int snemu_isend(int dst, int tag, const void *buf, size_t len,
		struct snemu_req **req)
{
	return p2p_start_nb(dst, tag, buf, len, false, req);
}

int snemu_irecv(int src, int tag, void *buf, size_t len, struct snemu_req **req)
{
	return p2p_start_nb(src, tag, buf, len, true, req);
}

int snemu_wait(struct snemu_req *req, struct snemu_status *st)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_req_valid(ep, req))
		return -EINVAL;
	ep->nreqs--;
	ep_lock(ep);
	return ep_wait_locked(
		ep, &req, 1,
		req->kind == EMU_REQ_SEND ? EMU_WAIT_SEND : EMU_WAIT_RECV, st);
}

int snemu_test(struct snemu_req *req, int *done, struct snemu_status *st)
{
	struct emu_ep *ep;
	int ret, d = 0;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_req_valid(ep, req) || !done)
		return -EINVAL;
	ep_lock(ep);
	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_test_locked(ep, req, &d, st);
	if (d)
		ep->nreqs--;
	*done = d;
	return ret;
}

int snemu_waitall(int n, struct snemu_req **reqs, struct snemu_status *sts)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (n < 0 || (n && !reqs))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (!ep_req_valid(ep, reqs[i]))
			return -EINVAL;
	ep->nreqs -= n;
	ep_lock(ep);
	ret = ep_wait_locked(ep, reqs, n, EMU_WAIT_WAITALL, sts);
	for (int i = 0; i < n; i++)
		reqs[i] = NULL;
	return ret;
}
