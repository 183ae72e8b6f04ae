/* SPDX-License-Identifier: MIT */
/*
 * The fabric engine: a discrete-event simulator whose state lives in the
 * shared segment and which any endpoint runs, under the lock, when it is
 * in the library (docs/ARCHITECTURE.md).
 *
 * Conservative rule: an event is processed only when its time is below the
 * clock of every RUNNING rank (NEW ranks count as running at 0), since a
 * running rank can create events at its clock or later only. Events come
 * out in (time, kind, src, seq) order; seq breaks ties between events of
 * one source, which that source creates in its program order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/common.h"
#include "common/heap.h"
#include "common/log.h"
#include "emu/fabric.h"

/* --- the heap of RUNNING ranks, by (clock, rank) --- */

static inline uint64_t clock_of(const struct emu_eng *e, int rank)
{
	return __atomic_load_n(&e->ctl[rank].clock, __ATOMIC_RELAXED);
}

static bool run_less(const struct emu_eng *e, int a, int b)
{
	uint64_t ca = clock_of(e, a), cb = clock_of(e, b);

	return ca < cb || (ca == cb && a < b);
}

static void run_place(struct emu_eng *e, int i, int rank)
{
	e->run_heap[i] = rank;
	e->run_pos[rank] = i;
}

static void run_up(struct emu_eng *e, int i)
{
	int rank = e->run_heap[i];

	while (i > 0) {
		int parent = (i - 1) / 2;

		if (!run_less(e, rank, e->run_heap[parent]))
			break;
		run_place(e, i, e->run_heap[parent]);
		i = parent;
	}
	run_place(e, i, rank);
}

static void run_down(struct emu_eng *e, int i)
{
	int n = e->hdr->nrun, rank = e->run_heap[i];

	for (;;) {
		int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n &&
		    run_less(e, e->run_heap[c + 1], e->run_heap[c]))
			c++;
		if (!run_less(e, e->run_heap[c], rank))
			break;
		run_place(e, i, e->run_heap[c]);
		i = c;
	}
	run_place(e, i, rank);
}

static void run_insert(struct emu_eng *e, int rank)
{
	int i = e->hdr->nrun++;

	run_place(e, i, rank);
	run_up(e, i);
}

static void run_remove(struct emu_eng *e, int rank)
{
	int i = e->run_pos[rank], last;

	if (i < 0)
		return;
	e->run_pos[rank] = -1;
	last = e->run_heap[--e->hdr->nrun];
	if (last == rank)
		return;
	run_place(e, i, last);
	run_up(e, i);
	run_down(e, e->run_pos[last]);
}

uint64_t emu_eng_horizon(const struct emu_eng *e)
{
	return e->hdr->nrun ? clock_of(e, e->run_heap[0]) : UINT64_MAX;
}

/* --- rank states --- */

void emu_eng_set_clock(struct emu_eng *e, int rank, uint64_t clock)
{
	__atomic_store_n(&e->ctl[rank].clock, clock, __ATOMIC_RELAXED);
	if (e->run_pos[rank] >= 0)
		run_down(e, e->run_pos[rank]);
}

void emu_eng_run(struct emu_eng *e, int rank, uint64_t clock)
{
	struct emu_ctl *c = &e->ctl[rank];

	if (c->state == EMU_RANK_BLOCKED)
		e->hdr->nblocked--;
	c->wait_op = EMU_WAIT_NONE;
	c->wait_count = 0;
	__atomic_store_n(&c->clock, clock, __ATOMIC_RELAXED);
	/* Release: what completed the wait is visible before the state. */
	__atomic_store_n(&c->state, EMU_RANK_RUNNING, __ATOMIC_RELEASE);
	if (e->run_pos[rank] < 0)
		run_insert(e, rank);
	else
		run_down(e, e->run_pos[rank]);
}

void emu_eng_block(struct emu_eng *e, int rank, enum emu_wait_op op, int src,
		   int tag, int count)
{
	struct emu_ctl *c = &e->ctl[rank];

	run_remove(e, rank);
	c->wait_op = op;
	c->wait_src = src;
	c->wait_tag = tag;
	c->wait_count = count;
	__atomic_store_n(&c->state, EMU_RANK_BLOCKED, __ATOMIC_RELEASE);
	e->hdr->nblocked++;
}

void emu_eng_done(struct emu_eng *e, int rank)
{
	run_remove(e, rank);
	__atomic_store_n(&e->ctl[rank].state, EMU_RANK_DONE, __ATOMIC_RELEASE);
}

/* --- wake-ups --- */

void emu_ctl_poke(struct emu_ctl *c)
{
	/*
	 * Pairs with the sleeper, which sets sleeping and then rereads futex:
	 * either it sees the bump, or we see it sleeping and wake it.
	 */
	__atomic_fetch_add(&c->futex, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->sleeping, __ATOMIC_SEQ_CST))
		shm_futex_wake(&c->futex, 1);
}

void emu_eng_poke(struct emu_eng *e, int rank)
{
	if (e->poked[rank])
		return;
	e->poked[rank] = 1;
	e->pokes[e->npokes++] = rank;
}

void emu_eng_flush_pokes(struct emu_eng *e)
{
	for (int i = 0; i < e->npokes; i++) {
		e->poked[e->pokes[i]] = 0;
		emu_ctl_poke(&e->ctl[e->pokes[i]]);
	}
	e->npokes = 0;
}

/* --- arena objects --- */

int emu_eng_alloc(struct emu_eng *e, uint64_t len, uint64_t *off)
{
	return shm_heap_alloc(&e->hdr->heap, e->base, len, off);
}

void emu_eng_free(struct emu_eng *e, uint64_t off, uint64_t len)
{
	shm_heap_free(&e->hdr->heap, e->base, off, len);
}

/*
 * Give the whole pages of [off, off + len) back to the host (they read as
 * zero from then on); *from and *to bound them. False if there are none
 * or the kernel refused.
 */
static bool pages_remove(struct emu_eng *e, uint64_t off, uint64_t len,
			 uint64_t *from, uint64_t *to)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	*from = (off + page - 1) & ~(page - 1);
	*to = (off + len) & ~(page - 1);
	return *to > *from &&
	       !madvise(e->base + *from, *to - *from, MADV_REMOVE);
}

void emu_eng_trim(struct emu_eng *e, uint64_t off, uint64_t len)
{
	uint64_t from, to;

	/*
	 * Best effort: the memory is only kept if this fails. The block's
	 * first bytes will hold its free-list link.
	 */
	if (len >= EMU_TRIM_MIN)
		pages_remove(e, off + 64, len - 64, &from, &to);
}

void emu_eng_zero(struct emu_eng *e, uint64_t off, uint64_t len)
{
	uint64_t from, to;

	if (len < EMU_TRIM_MIN || !pages_remove(e, off, len, &from, &to)) {
		memset(e->base + off, 0, len);
		return;
	}
	/* Only the partial pages at the two ends are left to clear. */
	memset(e->base + off, 0, from - off);
	memset(e->base + to, 0, off + len - to);
}

void emu_eng_free_later(struct emu_eng *e, uint64_t off, uint64_t len)
{
	if (e->nfrees == e->capfrees) {
		size_t cap = e->capfrees ? 2 * e->capfrees : 256;
		struct emu_free *f = realloc(e->frees, cap * sizeof(*f));

		if (!f) {
			/* Lost to the run, not to the host: the arena dies. */
			log_warn("engine: out of memory, %llu arena bytes leak",
				 (unsigned long long)len);
			return;
		}
		e->frees = f;
		e->capfrees = cap;
	}
	e->frees[e->nfrees++] = (struct emu_free){off, len};
}

/* A message and its payload are one block: the header, then the bytes. */
#define MSG_HDR ((sizeof(struct emu_msg) + 63) & ~(size_t)63)

static uint64_t block_len(uint64_t len, bool data)
{
	return MSG_HDR + (data ? len : 0);
}

static uint64_t msg_block_len(const struct emu_msg *m)
{
	return block_len(m->len, m->data != 0);
}

/* The slot of the pair (src, dst): a receiver frees into its own row. */
static uint64_t *spare_slot(struct emu_eng *e, enum emu_ctx ctx, int src,
			    int dst)
{
	return &e->spare[((size_t)ctx * e->n + dst) * e->n + src];
}

/*
 * Keep m's block as its pair's spare (lock-free). Returns the block to
 * free instead, 0: none: the spare it displaced, or m's own when the
 * spares already hold spare_budget bytes (pairs that talk once must not
 * keep the heap from recycling their memory).
 */
static uint64_t spare_put(struct emu_eng *e, struct emu_msg *m)
{
	uint64_t len = msg_block_len(m), *bytes = &e->hdr->spare_bytes, off;

	if (__atomic_add_fetch(bytes, len, __ATOMIC_RELAXED) >
	    e->hdr->spare_budget) {
		__atomic_sub_fetch(bytes, len, __ATOMIC_RELAXED);
		return emu_off(e, m);
	}
	off = __atomic_exchange_n(spare_slot(e, m->ctx, m->src, m->dst),
				  emu_off(e, m), __ATOMIC_ACQ_REL);
	if (off)
		__atomic_sub_fetch(bytes, msg_block_len(emu_ptr(e, off)),
				   __ATOMIC_RELAXED);
	return off;
}

struct emu_msg *emu_msg_init(struct emu_eng *e, uint64_t off,
			     enum emu_msg_kind kind, int src, int dst,
			     uint64_t len, bool data)
{
	struct emu_msg *m = emu_ptr(e, off);

	*m = (struct emu_msg){
		.kind = kind,
		.src = src,
		.dst = dst,
		.len = len,
		.data = data && len ? off + MSG_HDR : 0,
	};
	return m;
}

uint64_t emu_msg_spare(struct emu_eng *e, enum emu_ctx ctx, int src, int dst,
		       uint64_t len, bool data)
{
	uint64_t *slot = spare_slot(e, ctx, src, dst), off, have;

	/* Look before writing: a read maps 16 pages of the array at once. */
	if (!__atomic_load_n(slot, __ATOMIC_RELAXED))
		return 0;
	off = __atomic_exchange_n(slot, 0, __ATOMIC_ACQUIRE);
	if (!off)
		return 0;
	have = msg_block_len(emu_ptr(e, off));
	__atomic_sub_fetch(&e->hdr->spare_bytes, have, __ATOMIC_RELAXED);
	if (shm_heap_block_size(have) !=
	    shm_heap_block_size(block_len(len, data))) {
		emu_eng_free_later(e, off, have);
		return 0;
	}
	return off;
}

int emu_msg_alloc(struct emu_eng *e, uint64_t len, bool data, uint64_t *off)
{
	return emu_eng_alloc(e, block_len(len, data), off);
}

int emu_msg_new(struct emu_eng *e, enum emu_msg_kind kind, enum emu_ctx ctx,
		int src, int dst, uint64_t len, bool data, struct emu_msg **out)
{
	uint64_t off = 0;
	int ret;

	if (kind == EMU_MSG_SEND)
		off = emu_msg_spare(e, ctx, src, dst, len, data);
	if (!off) {
		ret = emu_msg_alloc(e, len, data, &off);
		if (ret)
			return ret;
	}
	*out = emu_msg_init(e, off, kind, src, dst, len, data);
	(*out)->ctx = ctx;
	return 0;
}

void emu_msg_free(struct emu_eng *e, struct emu_msg *m, bool locked)
{
	/*
	 * A sent message's block waits for the pair's next message: its
	 * pages are already mapped in both processes, and a new block's
	 * first touch costs a page fault in each (docs/PERFORMANCE.md).
	 */
	uint64_t off =
		m->kind == EMU_MSG_SEND ? spare_put(e, m) : emu_off(e, m);

	if (!off)
		return;
	m = emu_ptr(e, off);
	if (locked)
		emu_eng_free(e, off, msg_block_len(m));
	else
		emu_eng_free_later(e, off, msg_block_len(m));
}

void emu_msg_prefetch(const struct emu_eng *e, uint64_t msg, uint64_t len)
{
	const char *m = emu_ptr(e, msg);

	__builtin_prefetch(m);
	__builtin_prefetch(m + MSG_HDR + len - 1);
}

void emu_msg_spare_prefetch(struct emu_eng *e, enum emu_ctx ctx, int src,
			    int dst, uint64_t len, bool block)
{
	uint64_t *slot = spare_slot(e, ctx, src, dst), off;
	char *m;

	if (!block) {
		__builtin_prefetch(slot);
		return;
	}
	off = __atomic_load_n(slot, __ATOMIC_RELAXED);
	if (!off)
		return;
	m = emu_ptr(e, off);
	for (size_t i = 0; i < MSG_HDR; i += 64)
		__builtin_prefetch(m + i, 1);
	__builtin_prefetch(m + MSG_HDR + len - 1, 1);
}

/* --- the event heap --- */

static bool ev_less(const struct emu_event *a, const struct emu_event *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	if (a->src != b->src)
		return a->src < b->src;
	return a->seq < b->seq;
}

HEAP_DEFINE(ev_heap, struct emu_event, ev_less)

/* Put ev, numbered already, in the heap; flights count against it. */
static int ev_insert(struct emu_eng *e, struct emu_event ev)
{
	if (e->hdr->nev + e->hdr->nflight >= EMU_MAX_EVENTS)
		return -ENOMEM;
	ev_heap_push(e->ev, &e->hdr->nev, &ev);
	return 0;
}

/* Queue ev, numbered after every event queued before it. */
static int ev_push(struct emu_eng *e, struct emu_event ev)
{
	ev.seq = e->hdr->ev_seq++;
	return ev_insert(e, ev);
}

static struct emu_event ev_pop(struct emu_eng *e)
{
	return ev_heap_pop(e->ev, &e->hdr->nev);
}

struct emu_event emu_msg_event(const struct emu_eng *e, const struct emu_msg *m,
			       uint64_t time, enum emu_ev_kind kind)
{
	return (struct emu_event){
		.time = time,
		.msg = emu_off(e, m),
		.len = m->len,
		.src = m->src,
		.dst = m->dst,
		.tag = m->tag,
		.comm = m->comm,
		.kind = kind,
		.mkind = m->kind,
		.ctx = m->ctx,
		.flags = m->rndv ? EMU_EV_RNDV : 0,
	};
}

/*
 * A source's INJECT events wait in its queue, in the order it made them,
 * which is their order in the heap too (times and seq only grow); the
 * heap holds only the queue's head. So the heap stays small (the queue
 * heads and the messages in flight) and cache-resident, where it would
 * otherwise hold every send a rank posted (docs/PERFORMANCE.md). Replies
 * (get, atomic) are made at the target's arrival time, not at the
 * source's clock, so they go to the heap, as do sends that find the
 * queue full.
 */
static struct emu_event *injq_at(struct emu_eng *e, int src, uint32_t i)
{
	return &e->injq[(size_t)src * EMU_INJQ + i % EMU_INJQ];
}

int emu_eng_inject(struct emu_eng *e, struct emu_msg *m, uint64_t time)
{
	struct emu_event ev = emu_msg_event(e, m, time, EMU_EV_INJECT);
	struct emu_ctl *c = &e->ctl[m->src];
	int ret;

	if (m->kind == EMU_MSG_GET_REP || m->kind == EMU_MSG_AMO_REP ||
	    c->injq_len == EMU_INJQ)
		return ev_push(e, ev);
	ev.seq = e->hdr->ev_seq++;
	ev.flags |= EMU_EV_QUEUED;
	if (!c->injq_len) {
		ret = ev_insert(e, ev);
		if (ret)
			return ret;
	}
	*injq_at(e, m->src, c->injq_head + c->injq_len++) = ev;
	return 0;
}

/* The head of src's inject queue left the heap: the next one goes in. */
static void injq_next(struct emu_eng *e, int src)
{
	struct emu_ctl *c = &e->ctl[src];

	c->injq_head = (c->injq_head + 1) % EMU_INJQ;
	/* Cannot fail: its head just left the heap. */
	if (--c->injq_len)
		ev_insert(e, *injq_at(e, src, c->injq_head));
	if (c->injq_len > 1)
		__builtin_prefetch(injq_at(e, src, c->injq_head + 1));
}

/* --- requests --- */

void emu_req_complete(struct emu_eng *e, struct snemu_req *r, uint64_t t)
{
	struct emu_ctl *c = &e->ctl[r->owner];
	bool waiting = c->state == EMU_RANK_BLOCKED;

	r->done_ns = t;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	if (r->kind == EMU_REQ_RECV)
		c->recv_open--;
	if (r->kind == EMU_REQ_BARRIER) {
		if (r->waited && waiting)
			emu_barrier_arrive(e, r);
		return;
	}
	if (c->wait_op == EMU_WAIT_BARRIER)
		waiting = false;
	/*
	 * A CPU in a wait handles every receive as it comes, the ones it
	 * waits for and the others; one that completes while the rank runs
	 * is handled by its next wait or test.
	 */
	if (r->kind == EMU_REQ_RECV && !waiting) {
		r->next = c->unhandled;
		c->unhandled = emu_off(e, r);
		return;
	}
	if (!waiting)
		return;
	/* A word that came true is noticed as a receive is. */
	if (r->kind == EMU_REQ_RECV || r->kind == EMU_REQ_WORD)
		c->wait_clock = MAX(c->wait_clock, t) + e->par->recv_ns;
	else if (r->waited)
		c->wait_until = MAX(c->wait_until, t);
	if (!r->waited || --c->wait_count)
		return;
	c->wait_last = emu_off(e, r);
	emu_eng_run(e, r->owner, MAX(c->wait_clock, c->wait_until));
	emu_eng_poke(e, r->owner);
}

/* --- processing --- */

/* The fabric refused ev's message (ret): stop the run, and say why. */
static void inject_failed(struct emu_eng *e, const struct emu_event *ev,
			  int ret)
{
	if (__atomic_exchange_n(&e->hdr->aborted, 1, __ATOMIC_SEQ_CST))
		return;
	if (ret == -ENOSPC)
		log_err("engine: rank %d -> %d, %llu B at %llu ns: more than "
			"%u segments in flight (raise the config's mtu); the "
			"run is stopped",
			ev->src, ev->dst, (unsigned long long)ev->len,
			(unsigned long long)ev->time, TOPO_MAX_SEGS);
	else
		log_err("engine: rank %d -> %d, %llu B at %llu ns: the fabric "
			"model refused it (%s); the run is stopped",
			ev->src, ev->dst, (unsigned long long)ev->len,
			(unsigned long long)ev->time, strerror(-ret));
	for (int r = 0; r < e->n; r++)
		emu_eng_poke(e, r);
}

/*
 * A message goes into the fabric with its ARRIVE event, which waits in a
 * flight until the fabric delivers the message. Cannot run out: an
 * INJECT event just left the heap, and flights count against its room.
 */
static void inject(struct emu_eng *e, struct emu_event ev)
{
	size_t pair = (size_t)ev.src * e->n + ev.dst;
	struct emu_hdr *h = e->hdr;
	uint32_t fi;
	int ret;

	e->ctl[ev.src].msgs_sent++;
	e->ctl[ev.src].bytes_sent += ev.len;
	e->traffic[pair] += ev.len;
	ev.kind = EMU_EV_ARRIVE;
	ev.flags &= ~EMU_EV_QUEUED;
	if (ev.src == ev.dst) {
		/* Crosses no link: arrives as sent, so in order. */
		ev_push(e, ev);
		return;
	}
	fi = h->flight_free;
	if (fi)
		h->flight_free = e->flight[fi].next;
	else
		fi = ++h->flight_top;
	h->nflight++;
	e->flight[fi] = (struct emu_flight){
		.ev = ev,
		.pair_seq = e->order[pair].sent++,
	};
	ret = topo_send(e->topo, e->topo_state, ev.src, ev.dst, ev.len, ev.time,
			fi);
	if (ret)
		inject_failed(e, &ev, ret);
}

/*
 * Flight fi, the next of its pair, leaves: its ARRIVE goes into the heap
 * at time, or with the pair's previous message if that one came later.
 */
static void land(struct emu_eng *e, uint32_t fi, uint64_t time)
{
	struct emu_flight *fl = &e->flight[fi];
	struct emu_pair_order *o =
		&e->order[(size_t)fl->ev.src * e->n + fl->ev.dst];
	struct emu_event ev = fl->ev;

	ev.time = MAX(time, o->last_ns);
	o->last_ns = ev.time;
	o->arrived++;
	fl->next = e->hdr->flight_free;
	e->hdr->flight_free = fi;
	e->hdr->nflight--;
	/* Cannot fail: the flight it leaves counted against the heap. */
	ev_push(e, ev);
}

/*
 * The fabric delivered flight fi at time. Messages of one pair arrive in
 * the order they were sent: one whose last byte comes before the last of
 * an earlier message of its pair (spraying lets a short one pass a long
 * one) arrives with that one; one delivered before it is held until it.
 */
static void delivered(struct emu_eng *e, uint32_t fi, uint64_t time)
{
	struct emu_flight *fl = &e->flight[fi];
	size_t pair = (size_t)fl->ev.src * e->n + fl->ev.dst;
	struct emu_pair_order *o = &e->order[pair];
	uint32_t *link;

	if (fl->pair_seq != o->arrived) {
		fl->ev.time = time;
		fl->next = e->hdr->held;
		e->hdr->held = fi;
		o->held++;
		return;
	}
	land(e, fi, time);
	for (link = &e->hdr->held; *link && o->held;) {
		struct emu_flight *h = &e->flight[*link];

		if ((size_t)h->ev.src * e->n + h->ev.dst != pair ||
		    h->pair_seq != o->arrived) {
			link = &h->next;
			continue;
		}
		fi = *link;
		*link = h->next;
		o->held--;
		land(e, fi, h->ev.time);
		/* An earlier held one may be next now: look again. */
		link = &e->hdr->held;
	}
}

static void arrive(struct emu_eng *e, const struct emu_event *ev)
{
	e->ctl[ev->dst].msgs_recv++;
	e->ctl[ev->dst].bytes_recv += ev->len;
	if (ev->mkind == EMU_MSG_SEND)
		emu_match_arrive(e, ev);
	else
		emu_win_arrive(e, emu_ptr(e, ev->msg), ev->time);
}

/* Wake the ranks that wait for the horizon to reach their clock. */
static void wake_sync(struct emu_eng *e, int i, uint64_t horizon)
{
	int rank;

	if (i >= e->hdr->nrun)
		return;
	rank = e->run_heap[i];
	if (clock_of(e, rank) != horizon)
		return;
	if (e->ctl[rank].sync) {
		__atomic_store_n(&e->ctl[rank].sync, 0, __ATOMIC_RELEASE);
		e->hdr->nsync--;
		emu_eng_poke(e, rank);
	}
	wake_sync(e, 2 * i + 1, horizon);
	wake_sync(e, 2 * i + 2, horizon);
}

/* Start loading the pair state that ev will use. */
static void prefetch_pair(struct emu_eng *e, const struct emu_event *ev)
{
	if (ev->kind == EMU_EV_ARRIVE) {
		__builtin_prefetch(&e->pairq[(size_t)ev->dst * e->n + ev->src]);
	} else {
		size_t pair = (size_t)ev->src * e->n + ev->dst;

		__builtin_prefetch(&e->order[pair], 1);
		__builtin_prefetch(&e->traffic[pair], 1);
	}
}

/*
 * The engine waits on cache and TLB misses, one event after another:
 * start the loads of the next events while this one runs. The next one
 * is the heap's top, and the one after is likely one of its children. The
 * top's pair state was prefetched an event ago, when it was a child, so
 * the first receive its arrival will look at can be loaded now.
 */
static void prefetch_next(struct emu_eng *e)
{
	const struct emu_event *top = &e->ev[0];
	uint32_t nev = e->hdr->nev;
	uint64_t head;

	if (!nev)
		return;
	for (uint32_t i = 1; i < 3 && i < nev; i++)
		prefetch_pair(e, &e->ev[i]);
	if (top->kind != EMU_EV_ARRIVE) {
		prefetch_pair(e, top);
		return;
	}
	head = e->pairq[(size_t)top->dst * e->n + top->src].posted.head;
	if (head) {
		__builtin_prefetch(emu_ptr(e, head), 1);
		__builtin_prefetch(emu_ptr(e, head + 64), 1);
	}
}

/*
 * Engine events and fabric events, in time order, below the horizon. At
 * equal times the engine's go first: a message injected at t is in the
 * fabric before the fabric's events at t (docs/MODEL.md, rule 6).
 */
void emu_eng_advance(struct emu_eng *e)
{
	struct emu_hdr *h = e->hdr;

	for (;;) {
		uint64_t horizon = emu_eng_horizon(e);
		uint64_t fab = topo_next_ns(e->topo_state);
		struct topo_delivery d;

		if (h->nev && e->ev[0].time <= fab && e->ev[0].time < horizon) {
			struct emu_event ev = ev_pop(e);

			prefetch_next(e);
			if (ev.flags & EMU_EV_QUEUED)
				injq_next(e, ev.src);
			if (ev.kind == EMU_EV_INJECT)
				inject(e, ev);
			else
				arrive(e, &ev);
			h->events++;
		} else if (fab < horizon) {
			if (topo_step(e->topo, e->topo_state, &d) == 1)
				delivered(e, (uint32_t)d.cookie, d.arrival_ns);
			h->fabric_events++;
		} else {
			break;
		}
	}
	if (h->nsync)
		wake_sync(e, 0, emu_eng_horizon(e));
	if (!h->nrun && !h->nev && !h->nflight && h->nblocked &&
	    !__atomic_load_n(&h->deadlocked, __ATOMIC_RELAXED)) {
		__atomic_store_n(&h->deadlocked, 1, __ATOMIC_RELEASE);
		e->notify = true;
	}
}

/* --- the lock --- */

void emu_eng_lock(struct emu_eng *e)
{
	shm_lock_acquire(&e->hdr->lock);
	for (size_t i = 0; i < e->nfrees; i++)
		emu_eng_free(e, e->frees[i].off, e->frees[i].len);
	e->nfrees = 0;
}

void emu_eng_unlock(struct emu_eng *e)
{
	emu_eng_advance(e);
	shm_lock_release(&e->hdr->lock);
	emu_eng_flush_pokes(e);
	if (e->notify) {
		uint64_t one = 1;

		e->notify = false;
		if (write(e->hdr->notify_fd, &one, sizeof(one)) < 0)
			log_err("engine: cannot signal the deadlock: %s",
				strerror(errno));
	}
}
