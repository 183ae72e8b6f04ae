/* SPDX-License-Identifier: MIT */
/*
 * Matching of tagged messages: per rank, the receives it posted (in
 * posting order) and the messages that arrived before a receive wanted
 * them (in arrival order). A message matches a receive of the same
 * context whose source and tag are equal or wildcards.
 *
 * Matching at post time (against the unexpected queue) and at arrival
 * (against the posted queue) agree, because no unprocessed arrival can be
 * earlier than the clock of the rank that posts.
 */
#include <errno.h>
#include <stddef.h>

#include "common/common.h"
#include "emu/fabric.h"

#define MSG_LINK offsetof(struct emu_msg, next)
#define REQ_LINK offsetof(struct snemu_req, next)

static inline uint64_t *link_at(struct emu_eng *e, uint64_t node, size_t link)
{
	return emu_ptr(e, node + link);
}

static void queue_append(struct emu_eng *e, struct emu_queue *q, uint64_t node,
			 size_t link)
{
	*link_at(e, node, link) = 0;
	if (q->tail)
		*link_at(e, q->tail, link) = node;
	else
		q->head = node;
	q->tail = node;
}

static void queue_unlink(struct emu_eng *e, struct emu_queue *q, uint64_t prev,
			 uint64_t node, size_t link)
{
	uint64_t next = *link_at(e, node, link);

	if (prev)
		*link_at(e, prev, link) = next;
	else
		q->head = next;
	if (q->tail == node)
		q->tail = prev;
}

static bool matches(const struct snemu_req *r, const struct emu_msg *m)
{
	return r->ctx == m->ctx &&
	       (r->peer == SNEMU_ANY_SOURCE || r->peer == m->src) &&
	       (r->tag == SNEMU_ANY_TAG || r->tag == m->tag);
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
	m->dst_pid = e->ctl[r->owner].pid;
	m->copy_len = MIN(m->len, r->cap);
	m->chunks = (uint32_t)DIV_ROUND_UP(m->copy_len, EMU_CHUNK);
	if (!m->chunks) {
		__atomic_store_n(&r->copied, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->released, 1, __ATOMIC_RELEASE);
		return;
	}
	copy_push(e, r);
	emu_eng_poke(e, m->src);
}

/* Receive r takes message m at virtual time t. */
static void deliver(struct emu_eng *e, struct snemu_req *r, struct emu_msg *m,
		    uint64_t t)
{
	r->msg = emu_off(e, m);
	r->rndv = m->rndv;
	r->result = m->len > r->cap ? -EMSGSIZE : 0;
	r->st = (struct snemu_status){
		.source = m->src,
		.tag = m->tag,
		.len = m->len,
		.arrival_ns = m->arrive_ns,
	};
	if (m->rndv) {
		rndv_start(e, r, m);
		/* The send completes at the match, as a synchronous send. */
		emu_req_complete(e, emu_ptr(e, m->sreq), t);
	}
	emu_req_complete(e, r, t);
}

void emu_match_post(struct emu_eng *e, struct snemu_req *r)
{
	struct emu_queue *q = &e->ctl[r->owner].unexp;
	uint64_t prev = 0;

	for (uint64_t off = q->head; off;
	     prev = off, off = *link_at(e, off, MSG_LINK)) {
		struct emu_msg *m = emu_ptr(e, off);

		if (matches(r, m)) {
			queue_unlink(e, q, prev, off, MSG_LINK);
			deliver(e, r, m, MAX(r->post_ns, m->arrive_ns));
			return;
		}
	}
	queue_append(e, &e->ctl[r->owner].posted, emu_off(e, r), REQ_LINK);
}

void emu_match_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t)
{
	struct emu_queue *q = &e->ctl[m->dst].posted;
	uint64_t prev = 0;

	for (uint64_t off = q->head; off;
	     prev = off, off = *link_at(e, off, REQ_LINK)) {
		struct snemu_req *r = emu_ptr(e, off);

		if (matches(r, m)) {
			queue_unlink(e, q, prev, off, REQ_LINK);
			deliver(e, r, m, MAX(r->post_ns, t));
			return;
		}
	}
	queue_append(e, &e->ctl[m->dst].unexp, emu_off(e, m), MSG_LINK);
}
