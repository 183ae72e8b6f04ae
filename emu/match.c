/* SPDX-License-Identifier: MIT */
/*
 * Matching of tagged messages. A message matches a receive of the same
 * context and communicator whose source and tag are equal or wildcards; receives are tried
 * in posting order, messages in arrival order.
 *
 * Each rank keeps its receives from a given source in that pair's queue,
 * its SNEMU_ANY_SOURCE receives in one queue, and its unexpected messages
 * both in their pair's queue and in one queue of all sources (doubly
 * linked, so a message leaves both at once). An arrival looks at the
 * head of two short queues instead of every posted receive: the first
 * match in its pair's queue and in the wildcard queue, the earlier posted
 * wins. A receive from a given source looks at that source's messages
 * only; a wildcard receive at all of them in arrival order.
 *
 * Matching at post time (against the unexpected messages) and at arrival
 * (against the posted receives) agree, because every message in the
 * unexpected queues arrived before every message still in flight.
 */
#include <errno.h>
#include <stddef.h>

#include "common/common.h"
#include "emu/fabric.h"

#define ANY_LINK  offsetof(struct emu_msg, any)
#define FROM_LINK offsetof(struct emu_msg, from)

static inline struct emu_link *link_of(struct emu_eng *e, uint64_t node,
				       size_t link)
{
	return emu_ptr(e, node + link);
}

/* Doubly linked queues of messages: append, and unlink from anywhere. */
static void dq_append(struct emu_eng *e, struct emu_queue *q, uint64_t node,
		      size_t link)
{
	*link_of(e, node, link) = (struct emu_link){.prev = q->tail};
	if (q->tail)
		link_of(e, q->tail, link)->next = node;
	else
		q->head = node;
	q->tail = node;
}

static void dq_unlink(struct emu_eng *e, struct emu_queue *q, uint64_t node,
		      size_t link)
{
	struct emu_link *l = link_of(e, node, link);

	if (l->prev)
		link_of(e, l->prev, link)->next = l->next;
	else
		q->head = l->next;
	if (l->next)
		link_of(e, l->next, link)->prev = l->prev;
	else
		q->tail = l->prev;
}

/* Singly linked queues of receives (always scanned from the head). */
static void rq_append(struct emu_eng *e, struct emu_queue *q,
		      struct snemu_req *r)
{
	uint64_t node = emu_off(e, r);

	r->next = 0;
	if (q->tail)
		((struct snemu_req *)emu_ptr(e, q->tail))->next = node;
	else
		q->head = node;
	q->tail = node;
}

/*
 * A receive of ctx and comm from src with tag (or wildcards) takes ev's
 * message.
 */
static bool fits(int ctx, uint32_t comm, int src, int tag,
		 const struct emu_event *ev)
{
	return ctx == ev->ctx && comm == ev->comm &&
	       (src == SNEMU_ANY_SOURCE || src == ev->src) &&
	       (tag == SNEMU_ANY_TAG || tag == ev->tag);
}

static bool matches(const struct snemu_req *r, const struct emu_event *ev)
{
	return fits(r->ctx, r->comm, r->peer, r->tag, ev);
}

static struct emu_status status_of(const struct emu_event *ev)
{
	return (struct emu_status){
		.source = ev->src,
		.tag = ev->tag,
		.len = ev->len,
		.arrival_ns = ev->time,
	};
}

/*
 * The first receive of q that matches ev, and the one before it in q (0
 * when it is the head), or NULL.
 */
static struct snemu_req *rq_find(struct emu_eng *e, struct emu_queue *q,
				 const struct emu_event *ev, uint64_t *prev)
{
	*prev = 0;
	for (uint64_t off = q->head; off;) {
		struct snemu_req *r = emu_ptr(e, off);

		if (matches(r, ev))
			return r;
		*prev = off;
		off = r->next;
	}
	return NULL;
}

static void rq_unlink(struct emu_eng *e, struct emu_queue *q, uint64_t prev,
		      struct snemu_req *r)
{
	if (prev)
		((struct snemu_req *)emu_ptr(e, prev))->next = r->next;
	else
		q->head = r->next;
	if (q->tail == emu_off(e, r))
		q->tail = prev;
}

/* Rendezvous receives go on the owner's copy list; it may be asleep. */
static void copy_push(struct emu_eng *e, struct snemu_req *r)
{
	uint64_t *head = &e->ctl[r->owner].copy_head;
	uint64_t old = __atomic_load_n(head, __ATOMIC_RELAXED);

	do
		r->copy_next = old;
	while (!__atomic_compare_exchange_n(head, &old, emu_off(e, r), true,
					    __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
	emu_eng_poke(e, r->owner);
}

/*
 * A rendezvous message is matched: its copy can start. The receiver does
 * it when it runs; the sender is woken to share the work if it waits.
 */
static void rndv_start(struct emu_eng *e, struct snemu_req *r,
		       struct emu_msg *m)
{
	struct snemu_req *s = emu_ptr(e, m->sreq);

	m->rreq = emu_off(e, r);
	m->dst_addr = r->buf;
	m->dst_seg = r->buf_seg;
	m->dst_pid = e->ctl[r->owner].pid;
	m->copy_len = MIN(m->len, r->cap);
	m->chunks = (uint32_t)DIV_ROUND_UP(m->copy_len, EMU_CHUNK);
	if (!m->chunks) {
		__atomic_store_n(&r->copied, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->copied, 1, __ATOMIC_RELEASE);
		return;
	}
	copy_push(e, r);
	emu_eng_poke(e, m->src);
}

/*
 * Receive r takes the message of ev, which arrived at ev->time, at virtual
 * time t. Only a rendezvous message's header is touched.
 */
static void deliver(struct emu_eng *e, struct snemu_req *r,
		    const struct emu_event *ev, uint64_t t)
{
	r->msg = ev->msg;
	r->rndv = !!(ev->flags & EMU_EV_RNDV);
	r->result = ev->len > r->cap ? -EMSGSIZE : 0;
	r->st = status_of(ev);
	if (ev->flags & EMU_EV_RNDV) {
		struct emu_msg *m = emu_ptr(e, ev->msg);

		rndv_start(e, r, m);
		/* The send completes at the match, as a synchronous send. */
		emu_req_complete(e, emu_ptr(e, m->sreq), t);
	}
	emu_req_complete(e, r, t);
}

/*
 * The first unexpected message of rank that a receive of ctx and comm from
 * src with tag would take, in arrival order (its event in *ev), or 0.
 */
static uint64_t unexp_find(struct emu_eng *e, int rank, int ctx, uint32_t comm,
			   int src, int tag, struct emu_event *ev)
{
	bool any = src == SNEMU_ANY_SOURCE;
	struct emu_queue *q = any ? &e->ctl[rank].unexp
				  : &e->pairq[(size_t)rank * e->n + src].unexp;
	size_t link = any ? ANY_LINK : FROM_LINK;

	for (uint64_t off = q->head; off; off = link_of(e, off, link)->next) {
		struct emu_msg *m = emu_ptr(e, off);

		*ev = emu_msg_event(e, m, m->arrive_ns, EMU_EV_ARRIVE);
		if (fits(ctx, comm, src, tag, ev))
			return off;
	}
	return 0;
}

void emu_match_post(struct emu_eng *e, struct snemu_req *r)
{
	struct emu_ctl *c = &e->ctl[r->owner];
	bool any = r->peer == SNEMU_ANY_SOURCE;
	struct emu_pairq *pq =
		any ? NULL : &e->pairq[(size_t)r->owner * e->n + r->peer];
	struct emu_event ev;
	uint64_t off;

	r->post_seq = c->post_seq++;
	off = unexp_find(e, r->owner, r->ctx, r->comm, r->peer, r->tag, &ev);
	if (!off) {
		rq_append(e, any ? &c->posted : &pq->posted, r);
		return;
	}
	dq_unlink(e, &c->unexp, off, ANY_LINK);
	dq_unlink(e, &e->pairq[(size_t)r->owner * e->n + ev.src].unexp, off,
		  FROM_LINK);
	deliver(e, r, &ev, MAX(r->post_ns, ev.time));
}

bool emu_match_probe(struct emu_eng *e, int rank, uint32_t comm, int src,
		     int tag, struct emu_status *st)
{
	struct emu_event ev;

	if (!unexp_find(e, rank, EMU_CTX_USER, comm, src, tag, &ev))
		return false;
	*st = status_of(&ev);
	return true;
}

bool emu_match_cancel(struct emu_eng *e, struct snemu_req *r)
{
	struct emu_queue *q =
		r->peer == SNEMU_ANY_SOURCE
			? &e->ctl[r->owner].posted
			: &e->pairq[(size_t)r->owner * e->n + r->peer].posted;
	uint64_t prev = 0, node = emu_off(e, r);

	for (uint64_t off = q->head; off;
	     prev = off, off = ((struct snemu_req *)emu_ptr(e, off))->next) {
		if (off == node) {
			rq_unlink(e, q, prev, r);
			return true;
		}
	}
	return false;
}

/* An unexpected message arrived: it ends rank's probe if it fits. */
static void probe_arrive(struct emu_eng *e, struct emu_ctl *c,
			 const struct emu_event *ev)
{
	struct snemu_req *r = emu_ptr(e, c->probe_req);

	if (!fits(EMU_CTX_USER, r->comm, r->peer, r->tag, ev))
		return;
	r->st = status_of(ev);
	c->probe_req = 0;
	emu_req_complete(e, r, ev->time);
}

void emu_match_arrive(struct emu_eng *e, const struct emu_event *ev)
{
	struct emu_ctl *c = &e->ctl[ev->dst];
	struct emu_pairq *pq = &e->pairq[(size_t)ev->dst * e->n + ev->src];
	uint64_t prev_from, prev_any, t = ev->time;
	struct snemu_req *from = rq_find(e, &pq->posted, ev, &prev_from);
	struct snemu_req *any = rq_find(e, &c->posted, ev, &prev_any);

	/* Of the two candidates, the receive posted first. */
	if (from && (!any || from->post_seq < any->post_seq)) {
		rq_unlink(e, &pq->posted, prev_from, from);
		deliver(e, from, ev, MAX(from->post_ns, t));
	} else if (any) {
		rq_unlink(e, &c->posted, prev_any, any);
		deliver(e, any, ev, MAX(any->post_ns, t));
	} else {
		/* Unexpected: the header keeps what a later post needs. */
		((struct emu_msg *)emu_ptr(e, ev->msg))->arrive_ns = t;
		dq_append(e, &c->unexp, ev->msg, ANY_LINK);
		dq_append(e, &pq->unexp, ev->msg, FROM_LINK);
		if (c->probe_req)
			probe_arrive(e, c, ev);
	}
}
