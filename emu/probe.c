/* SPDX-License-Identifier: MIT */
/*
 * Looking at receives before taking them: probe and iprobe see the message
 * a receive with the same arguments would take (the first that arrived,
 * among those no posted receive took), without taking it; cancel withdraws
 * a receive that nothing matched yet. All three first let the engine
 * process every event earlier than the caller's clock, so their answers
 * depend on virtual time only.
 */
#include <errno.h>

#include "emu/ep.h"
#include "emu/host.h"

static int probe_enter(int src, int tag, struct emu_ep **out)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_rank_ok(ep, src, true) || !ep_tag_ok(tag, true))
		return -EINVAL;
	EP_TRACE_ARGS(ep, NULL, src, tag, UINT64_MAX, false);
	*out = ep;
	return 0;
}

/* Record a probe or an iprobe (emu/host.h). */
static void probe_rec(struct emu_ep *ep, enum host_op op, uint32_t comm,
		      int src, int tag)
{
	if (unlikely(ep->feed >= 0))
		ep_rec(ep,
		       &(struct host_rec){
			       .op = op, .peer = src, .tag = tag, .comm = comm},
		       NULL, 0, NULL);
}

/*
 * Under the lock: charge a poll, catch up, and look. Returns 1 (found, *st
 * set), 0 with the lock held, or -errno without it.
 */
static int probe_locked(struct emu_ep *ep, uint32_t comm, int src, int tag,
			struct emu_status *st)
{
	int ret;

	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_catch_up_locked(ep);
	if (ret)
		return ret;
	ep_handle_locked(ep);
	return emu_match_probe(&ep->eng, ep->rank, comm, src, tag, st);
}

int snemu_iprobe_comm(uint32_t comm, int src, int tag, int *flag,
		      struct snemu_status *st)
{
	EP_CALL();
	struct emu_status s;
	struct emu_ep *ep;
	int ret;

	ret = probe_enter(src, tag, &ep);
	if (ret)
		return ret;
	if (!flag)
		return -EINVAL;
	probe_rec(ep, HOST_IPROBE, comm, src, tag);
	ep_lock(ep);
	ret = probe_locked(ep, comm, src, tag, &s);
	if (ret < 0)
		return ret;
	ep_unlock(ep);
	*flag = ret;
	if (ret && st)
		*st = ep_status(&s, false);
	return 0;
}

int snemu_probe_comm(uint32_t comm, int src, int tag, struct snemu_status *st)
{
	EP_CALL();
	struct emu_status s;
	struct snemu_req *r;
	struct emu_ep *ep;
	int ret;

	ret = probe_enter(src, tag, &ep);
	if (ret)
		return ret;
	probe_rec(ep, HOST_PROBE, comm, src, tag);
	ep_lock(ep);
	ret = probe_locked(ep, comm, src, tag, &s);
	if (ret < 0)
		return ret;
	if (ret) {
		ep_unlock(ep);
		if (st)
			*st = ep_status(&s, false);
		return 0;
	}
	/* Nothing yet: the engine ends the wait at the first that fits. */
	ret = ep_req_new(ep, EMU_REQ_PROBE, EMU_CTX_INTERNAL, src, tag, &r);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	r->comm = comm;
	ep->me->probe_req = emu_off(&ep->eng, r);
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_PROBE, st);
}

int snemu_iprobe(int src, int tag, int *flag, struct snemu_status *st)
{
	return snemu_iprobe_comm(0, src, tag, flag, st);
}

int snemu_probe(int src, int tag, struct snemu_status *st)
{
	return snemu_probe_comm(0, src, tag, st);
}

int snemu_cancel(struct snemu_req *req)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_req_valid(ep, req) || req->kind != EMU_REQ_RECV)
		return -EINVAL;
	if (unlikely(ep->feed >= 0))
		ep_rec(ep, &(struct host_rec){.op = HOST_CANCEL}, &req, 1,
		       NULL);
	ep_lock(ep);
	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_catch_up_locked(ep);
	if (ret)
		return ret;
	if (__atomic_load_n(&req->done, __ATOMIC_RELAXED) ||
	    !emu_match_cancel(&ep->eng, req)) {
		ep_unlock(ep);
		return -EBUSY;
	}
	/* Done now, and nothing to handle: not on the unhandled list. */
	req->st = (struct emu_status){.source = SNEMU_ANY_SOURCE,
				      .tag = SNEMU_ANY_TAG};
	req->cancelled = 1;
	req->done_ns = ep->me->clock;
	ep->me->recv_open--;
	__atomic_store_n(&req->done, 1, __ATOMIC_RELEASE);
	ep_unlock(ep);
	return 0;
}
