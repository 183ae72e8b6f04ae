/* SPDX-License-Identifier: MIT */
/*
 * The barrier: dissemination (Hensgen, Finkel, Manber). In round k each
 * rank sends a 0-byte internal message to rank + 2^k and waits for the one
 * from rank - 2^k: ceil(log2 n) rounds of real fabric traffic. Messages of
 * one pair and round arrive in order, so successive barriers cannot mix.
 *
 * The engine runs the rounds. A rank whose round message has not arrived
 * sleeps; whoever delivers it posts the rank's next round in its place,
 * at the clock the rank itself would have: max(clock, arrival) + recv_ns,
 * then send_ns for the next send. The rank wakes once, when the barrier is
 * over, instead of once per round (each wake-up of a sleeping process
 * costs 20 to 45 us across the two vCPUs).
 */
#include "common/common.h"
#include "emu/ep.h"
#include "emu/host.h"

static int rounds_of(int n)
{
	int k = 0;

	while ((1LL << k) < n)
		k++;
	return k;
}

/* A rank's clock: through the run heap if it runs, as is if it sleeps. */
static void set_clock(struct emu_eng *e, int rank, uint64_t t)
{
	if (e->ctl[rank].state == EMU_RANK_RUNNING)
		emu_eng_set_clock(e, rank, t);
	else
		__atomic_store_n(&e->ctl[rank].clock, t, __ATOMIC_RELAXED);
}

/* Post the rank's current round with its receive r (under the lock). */
static int round_post(struct emu_eng *e, int rank, struct snemu_req *r)
{
	struct emu_ctl *c = &e->ctl[rank];
	int n = e->n, dist = 1 << c->bar_round;
	uint64_t t = c->clock + e->par->send_ns;
	struct emu_msg *m;
	int ret;

	ret = emu_msg_new(e, EMU_MSG_SEND, EMU_CTX_INTERNAL, rank,
			  (rank + dist) % n, 0, false, &m);
	if (ret)
		return ret;
	m->tag = c->bar_round;
	ret = emu_eng_inject(e, m, t);
	if (ret) {
		emu_msg_free(e, m, true);
		return ret;
	}
	set_clock(e, rank, t);
	*r = (struct snemu_req){
		.magic = EMU_REQ_MAGIC,
		.kind = EMU_REQ_BARRIER,
		.ctx = EMU_CTX_INTERNAL,
		.owner = rank,
		.peer = (rank - dist + n) % n,
		.tag = c->bar_round,
		.post_ns = t,
	};
	emu_match_post(e, r);
	return 0;
}

/* The round's message is in: take it, and move to the next round. */
static void round_done(struct emu_eng *e, int rank, struct snemu_req *r)
{
	struct emu_ctl *c = &e->ctl[rank];

	set_clock(e, rank, MAX(c->clock, r->done_ns) + e->par->recv_ns);
	emu_msg_free(e, emu_ptr(e, r->msg), true);
	r->msg = 0;
	c->bar_round++;
}

/*
 * Go through the rank's rounds as far as the messages that arrived allow
 * (under the lock). Returns 1 when the barrier is over, 0 when the rank
 * waits for a message (r->waited is then set), or -errno.
 */
static int rounds_go(struct emu_eng *e, int rank, struct snemu_req *r)
{
	struct emu_ctl *c = &e->ctl[rank];
	int ret;

	while (c->bar_round < c->bar_rounds) {
		ret = round_post(e, rank, r);
		if (ret)
			return ret;
		if (!r->done) {
			r->waited = 1;
			c->wait_src = r->peer;
			c->wait_tag = r->tag;
			return 0;
		}
		round_done(e, rank, r);
	}
	return 1;
}

void emu_barrier_arrive(struct emu_eng *e, struct snemu_req *r)
{
	int rank = r->owner, ret;

	round_done(e, rank, r);
	ret = rounds_go(e, rank, r);
	if (!ret)
		return;
	r->result = ret < 0 ? ret : 0;
	emu_eng_run(e, rank, e->ctl[rank].clock);
	emu_eng_poke(e, rank);
}

int ep_barrier(struct emu_ep *ep)
{
	struct emu_eng *e = &ep->eng;
	struct snemu_req *r;
	int ret;

	if (ep->size == 1)
		return 0;
	ep_lock(ep);
	ret = ep_req_new(ep, EMU_REQ_BARRIER, EMU_CTX_INTERNAL, 0, 0, &r);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	ep->me->bar_round = 0;
	ep->me->bar_rounds = rounds_of(ep->size);
	ret = rounds_go(e, ep->rank, r);
	if (!ret) {
		emu_eng_block(e, ep->rank, EMU_WAIT_BARRIER, r->peer, r->tag,
			      1);
		ep_unlock(ep);
		ret = ep_sleep_blocked(ep) ?: r->result;
	} else {
		ep_unlock(ep);
		ret = ret < 0 ? ret : 0;
	}
	if (unlikely(ep->tr.buf) && !ret)
		ep_trace_waited(ep, EMU_WAIT_BARRIER, &r, 1, ep->tr.t0);
	ep_req_free(ep, r);
	return ret;
}

int snemu_barrier(void)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	ep_rec_op(ep, HOST_BARRIER);
	return ep_barrier(ep);
}
