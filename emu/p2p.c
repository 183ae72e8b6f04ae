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

int p2p_isend_locked(struct emu_ep *ep, int dst, int tag, enum emu_ctx ctx,
		     const void *buf, size_t len, struct snemu_req **out)
{
	struct emu_eng *e = &ep->eng;
	bool rndv = len > e->hdr->eager_limit;
	struct snemu_req *r;
	struct emu_msg *m;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_SEND, ctx, dst, tag, &r);
	if (ret)
		return ret;
	ret = emu_msg_new(e, EMU_MSG_SEND, ep->rank, dst, len, !rndv, &m);
	if (ret)
		goto err_req;
	m->ctx = ctx;
	m->tag = tag;
	if (rndv) {
		const char *p = buf;

		m->rndv = 1;
		m->src_pid = ep->pid;
		m->src_addr = (uintptr_t)buf;
		/* Window memory: the receiver can read it without CMA. */
		if (p >= e->base + e->hdr->heap.start &&
		    p + len <= e->base + e->hdr->heap.end)
			m->src_seg = emu_off(e, p);
		m->sreq = emu_off(e, r);
		m->refs = 2;
		r->rndv = 1;
		r->msg = emu_off(e, m);
	} else if (len) {
		memcpy(emu_ptr(e, m->data), buf, len);
	}
	ret = ep_inject(ep, m);
	if (ret)
		goto err_msg;
	r->st = (struct snemu_status){
		.source = ep->rank,
		.tag = tag,
		.len = len,
	};
	if (!rndv)
		emu_req_complete(e, r, ep->me->clock);
	*out = r;
	return 0;

err_msg:
	emu_msg_free(e, m, true);
err_req:
	emu_eng_free(e, emu_off(e, r), sizeof(*r));
	return ret;
}

int p2p_irecv_locked(struct emu_ep *ep, int src, int tag, enum emu_ctx ctx,
		     void *buf, size_t len, struct snemu_req **out)
{
	struct snemu_req *r;
	int ret;

	ret = ep_req_new(ep, EMU_REQ_RECV, ctx, src, tag, &r);
	if (ret)
		return ret;
	r->buf = (uintptr_t)buf;
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
	ep_lock(ep);
	if (recv)
		ret = p2p_irecv_locked(ep, peer, tag, EMU_CTX_USER, (void *)buf,
				       len, out);
	else
		ret = p2p_isend_locked(ep, peer, tag, EMU_CTX_USER, buf, len,
				       out);
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
