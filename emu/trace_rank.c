/* SPDX-License-Identifier: MIT */
/*
 * Timelines, the rank side: each call, wait and message of this rank as
 * 64-byte records in its own buffer of the segment, without the lock
 * (docs/TRACE.md, emu/trace.h). The launcher reads them after the run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "emu/ep.h"
#include "emu/trace.h"

void ep_trace_attach(struct emu_ep *ep)
{
	const struct emu_hdr *h = ep->eng.hdr;
	struct emu_trace_buf *b;

	if (!h->trace_off)
		return;
	b = emu_ptr(&ep->eng,
		    h->trace_off + (uint64_t)ep->rank *
					   emu_trace_buf_size(h->trace_cap));
	if (!b->on)
		return;
	ep->tr = (struct ep_trace){
		.buf = b,
		.cap = h->trace_cap,
		.w0 = h->trace_w0,
		.w1 = h->trace_w1,
	};
}

/*
 * Append r if there is room. Slices are kept when they overlap the
 * window; a receive when the call it ends in may (done by the window's
 * end: that call ends after it).
 */
static void put_rec(struct ep_trace *tr, const struct emu_trace_rec *r)
{
	struct emu_trace_buf *b = tr->buf;
	uint64_t n = b->count;

	if (r->t0 > tr->w1 || (r->kind != EMU_TR_RECV && r->t1 < tr->w0))
		return;
	if (n == tr->cap) {
		b->dropped++;
		return;
	}
	b->rec[n] = *r;
	__atomic_store_n(&b->count, n + 1, __ATOMIC_RELEASE);
}

void ep_trace_enter(struct emu_ep *ep)
{
	struct ep_trace *tr = &ep->tr;

	tr->t0 = ep_clock(ep);
	tr->bytes = UINT64_MAX;
	tr->flow = 0;
	tr->name = NULL;
	tr->peer = -1;
	tr->tag = -1;
	tr->call++;
	tr->in = true;
}

void ep_trace_args(struct emu_ep *ep, const char *name, int peer, int tag,
		   uint64_t bytes, bool send)
{
	struct ep_trace *tr = &ep->tr;

	if (name)
		tr->name = name;
	tr->peer = peer;
	tr->tag = tag;
	tr->bytes = bytes;
	if (send)
		tr->flow = ((uint64_t)ep->rank << 32 | ++tr->sends);
}

void ep_trace_leave(struct emu_ep *ep, const char *func)
{
	struct ep_trace *tr = &ep->tr;
	const char *name = tr->name ? tr->name : func;
	struct emu_trace_rec r = {
		.t0 = tr->t0,
		.t1 = ep_clock(ep),
		.bytes = tr->bytes,
		.flow = tr->flow,
		.peer = tr->peer,
		.tag = tr->tag,
		.call = tr->call,
		.kind = EMU_TR_CALL,
	};

	if (!tr->in)
		return;
	tr->in = false;
	tr->flow = 0;
	/* op 1: the name is not a function's, print it as it is. */
	if (!strncmp(name, EMU_TRACE_PREFIX, strlen(EMU_TRACE_PREFIX)))
		name += strlen(EMU_TRACE_PREFIX);
	else
		r.op = 1;
	memcpy(r.name, name, MIN(strlen(name), sizeof(r.name)));
	put_rec(tr, &r);
}

void ep_trace_waited(struct emu_ep *ep, int op, struct snemu_req *const *reqs,
		     int n, uint64_t from)
{
	const struct snemu_req *last = NULL;
	bool barrier = op == EMU_WAIT_BARRIER;
	int count = 0;

	for (int i = 0; i < n; i++) {
		if (!reqs[i])
			continue;
		count++;
		if (!last || reqs[i]->done_ns > last->done_ns)
			last = reqs[i];
	}
	if (!last || last->done_ns <= from)
		return;
	put_rec(&ep->tr, &(struct emu_trace_rec){
				 .t0 = from,
				 .t1 = last->done_ns,
				 .bytes = UINT64_MAX,
				 .peer = barrier ? -1 : last->peer,
				 .tag = barrier ? -1 : last->tag,
				 .call = ep->tr.call,
				 .count = (uint16_t)MIN(count, UINT16_MAX),
				 .kind = EMU_TR_WAIT,
				 .op = (uint8_t)op,
			 });
}

void ep_trace_recv(struct emu_ep *ep, uint64_t flow, int src, int tag,
		   uint64_t len, uint64_t done_ns)
{
	struct emu_trace_rec r = {
		.t0 = done_ns,
		.t1 = done_ns,
		.bytes = len,
		.flow = flow,
		.peer = src,
		.tag = tag,
		.call = ep->tr.call,
		.kind = EMU_TR_RECV,
	};

	if (flow)
		put_rec(&ep->tr, &r);
}
