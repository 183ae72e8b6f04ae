/* SPDX-License-Identifier: MIT */
/*
 * The fabric: a packet-level simulation of the links (docs/MODEL.md). Every
 * segment crosses every link of its route as an event; a link serves one
 * segment at a time, the flows queued at it in turn, and never idles while
 * one waits. All of it lives in the flat state block (indices, no
 * pointers), so that whichever process maps the block can run it.
 *
 * The state block: the header (with the timing wheel), then per link its
 * queue state and statistics, the links' backlogs, the source links' send
 * queues and places, the send queues, the rotation pointers of the L1
 * chips, the pools of messages, segments, flow entries and FREE nodes
 * (each with a free list; index 0 is "none"), and the heap of events
 * beyond the wheel. The pools are only touched as they are used.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/common.h"
#include "common/heap.h"
#include "topology/topo_int.h"

/*
 * Events: a segment's head reaches its next link (HEAD), or a link is free
 * (FREE). Those of the next WHEEL ns wait in a timing wheel of 1 ns
 * buckets, each a FIFO, so that events of one time come out in the order
 * they were made (rule 6) at O(1) a push and a pop; later ones wait in a
 * heap by (time, seq) and join the wheel, in that order, as it turns. A
 * bucket lists the segments themselves (a segment has at most one HEAD
 * and, meanwhile, waits in no queue: its next serves both lists) and
 * nodes for the FREEs (EV_FREE | node).
 */
#define WHEEL	2048U
#define EV_FREE (1U << 31)

struct fab_node {
	uint32_t link;
	uint32_t next; /* in its bucket; free list */
};

struct fab_later {
	uint64_t time;
	uint64_t seq;
	uint32_t ref;
	uint32_t pad;
};

/* Flows with something waiting, in turn: a list of struct fab_iq. */
struct fab_ring {
	uint32_t head, tail;
};

struct fab_hdr {
	uint64_t now;	  /* time of the last event handled or send */
	uint64_t next_ns; /* of the earliest event, UINT64_MAX: none */
	uint64_t seq;	  /* events made */
	uint64_t segs;	  /* segments sent, not yet delivered */
	uint32_t nev, nlater;
	uint32_t serial;   /* messages sent */
	uint32_t timeline; /* links count busy time per bucket (fab_tl) */
	uint32_t msg_top, msg_free, seg_top, seg_free, iq_top, iq_free;
	uint32_t node_top, node_free;
	uint64_t bits[WHEEL / 64]; /* buckets that hold events */
	struct fab_ring wheel[WHEEL];
};

/*
 * One cache line: what serving a segment touches. A link's backlog for
 * the adaptive choices is apart (drain, 8 bytes a link), so that a scan of
 * a chip's 16 uplinks reads two lines, not 16.
 */
struct fab_link {
	uint64_t free_at;     /* when its last segment ended */
	struct fab_ring ring; /* flows with segments waiting */
	uint32_t last_msg;    /* serial of the last message it served */
	uint32_t wake;	      /* a FREE event is pending */
	struct topo_link_stats st;
} __attribute__((aligned(64)));

/* A link's busy time per bucket of width ns (topo_state_timeline). */
struct fab_tl {
	uint64_t width;
	uint64_t busy[TOPO_TL_BUCKETS];
};

/* A source link: its send queue and its place in rule 4's order. */
struct fab_out {
	uint32_t queue, c;
};

/* The send queue of a source (spray), or of one of its links (ecmp). */
struct fab_src {
	struct fab_ring ring; /* flows with messages to send */
	uint32_t rot;	      /* rotation pointer over its links */
	uint32_t pad;
};

/* The rotation pointers of an L1 chip's two adaptive choices. */
struct fab_chip {
	uint32_t up_rot, down_rot;
};

/* One cache line. */
struct fab_msg {
	uint64_t cookie;
	uint64_t inject;
	uint64_t arrival; /* of its segments delivered so far */
	int32_t src, dst;
	uint32_t nseg, sent, left, last; /* last: its last segment's bytes */
	uint32_t next;			 /* in its flow's queue; free list */
	uint32_t serial;
	uint32_t path; /* ecmp: the pair's path */
	uint8_t hops;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct fab_msg) == 64, "a message is one line");

/* Half a cache line. */
struct fab_seg {
	uint64_t head, tail; /* at the input of its link */
	uint32_t msg, next;  /* next: in its input queue; free list */
	uint8_t hop, last;   /* last: the message's last segment */
	uint16_t k;	     /* its L1 chip (plane) */
	uint32_t j;	     /* its uplink at that chip */
};

/*
 * A flow with something waiting, in a ring: segments at a link, messages
 * in a send queue.
 */
struct fab_iq {
	uint64_t flow; /* src * endpoints + dst */
	uint32_t head, tail;
	uint32_t next; /* in the ring; free list */
	uint32_t dst;  /* the flow's destination (rule 4's booking) */
};

#define POOL (TOPO_MAX_SEGS + 1ULL) /* entry 0 is never used */

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

void topo_fabric_layout(struct topo *t)
{
	size_t at = align64(sizeof(struct fab_hdr));

	t->groups = t->params.routing == TOPO_ROUTING_ECMP ? t->s1 * t->lpe : 1;
	t->st.links = at;
	at = align64(at + t->nlinks * sizeof(struct fab_link));
	t->st.drain = at;
	at = align64(at + t->nlinks * sizeof(uint64_t));
	t->st.booked = at;
	at = align64(at + t->neps * sizeof(uint64_t));
	t->st.outs = at;
	at = align64(at + t->lc[TOPO_LC_EP_UP].count * sizeof(struct fab_out));
	t->st.srcs = at;
	at = align64(at + (size_t)t->neps * t->groups * sizeof(struct fab_src));
	t->st.chips = at;
	at = align64(at + t->n_l1 * sizeof(struct fab_chip));
	t->st.msgs = at;
	at = align64(at + POOL * sizeof(struct fab_msg));
	t->st.segs = at;
	at = align64(at + POOL * sizeof(struct fab_seg));
	t->st.iqs = at;
	at = align64(at + POOL * sizeof(struct fab_iq));
	t->st.nodes = at;
	at = align64(at + (t->nlinks + 1ULL) * sizeof(struct fab_node));
	t->st.later = at;
	at = align64(at +
		     (TOPO_MAX_SEGS + t->nlinks) * sizeof(struct fab_later));
	t->st.timeline = at;
	at = align64(at + t->nlinks * sizeof(struct fab_tl));
	t->st.size = at;
}

size_t topo_state_size(const struct topo *t)
{
	return t->st.size;
}

size_t topo_state_init_size(const struct topo *t)
{
	return t->st.msgs;
}

/* The state block seen through its parts; made per call, on the stack. */
struct fab {
	const struct topo *t;
	struct fab_hdr *h;
	struct fab_link *lk;
	uint64_t *drain;  /* rule 5: when a link's backlog would be gone */
	uint64_t *booked; /* rule 4: each endpoint's booking, ns x links */
	struct fab_out *out_of;
	struct fab_src *src;
	struct fab_chip *chip;
	struct fab_msg *msg;
	struct fab_seg *seg;
	struct fab_iq *iq;
	struct fab_node *node;
	struct fab_later *later;
	struct topo_delivery *out;
	int nout;
};

static inline __attribute__((always_inline)) struct fab
view(const struct topo *t, void *state)
{
	char *b = state;

	return (struct fab){
		.t = t,
		.h = state,
		.lk = (struct fab_link *)(b + t->st.links),
		.drain = (uint64_t *)(b + t->st.drain),
		.booked = (uint64_t *)(b + t->st.booked),
		.out_of = (struct fab_out *)(b + t->st.outs),
		.src = (struct fab_src *)(b + t->st.srcs),
		.chip = (struct fab_chip *)(b + t->st.chips),
		.msg = (struct fab_msg *)(b + t->st.msgs),
		.seg = (struct fab_seg *)(b + t->st.segs),
		.iq = (struct fab_iq *)(b + t->st.iqs),
		.node = (struct fab_node *)(b + t->st.nodes),
		.later = (struct fab_later *)(b + t->st.later),
	};
}

void topo_state_init(const struct topo *t, void *state)
{
	struct fab f = view(t, state);

	memset(state, 0, t->st.msgs);
	f.h->next_ns = UINT64_MAX;
	/* Source link (ep, k, d) is number c = d * s1 + k of its source. */
	for (int ep = 0; ep < t->neps; ep++) {
		for (int k = 0; k < t->s1; k++) {
			for (int d = 0; d < t->lpe; d++) {
				struct fab_out *o =
					&f.out_of[(ep * t->s1 + k) * t->lpe +
						  d];

				o->c = d * t->s1 + k;
				o->queue = ep * t->groups +
					   (t->groups > 1 ? o->c : 0);
			}
		}
	}
}

void *topo_state_new(const struct topo *t)
{
	void *s = mmap(NULL, t->st.size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (s == MAP_FAILED)
		return NULL;
	topo_state_init(t, s);
	return s;
}

void topo_state_free(const struct topo *t, void *state)
{
	if (state)
		munmap(state, t->st.size);
}

void topo_state_links(const struct topo *t, const void *state,
		      struct topo_link_stats *out)
{
	const struct fab_link *lk =
		(const struct fab_link *)((const char *)state + t->st.links);

	for (int l = 0; l < t->nlinks; l++)
		out[l] = lk[l].st;
}

void topo_state_timeline_on(const struct topo *t, void *state)
{
	((struct fab_hdr *)state)->timeline = 1;
}

uint64_t topo_state_timeline(const struct topo *t, const void *state, int link,
			     uint64_t busy[TOPO_TL_BUCKETS])
{
	const struct fab_tl *tl =
		(const struct fab_tl *)((const char *)state + t->st.timeline) +
		link;

	memcpy(busy, tl->busy, sizeof(tl->busy));
	return tl->width;
}

/* Link l was busy over [s, s + ser): count it in its buckets. */
static void timeline_add(struct fab *f, int l, uint64_t s, uint64_t ser)
{
	struct fab_tl *tl =
		(struct fab_tl *)((char *)f->h + f->t->st.timeline) + l;
	uint64_t e = s + ser, w;

	if (!tl->width)
		tl->width = TOPO_TL_WIDTH;
	while (e > tl->width * TOPO_TL_BUCKETS) {
		for (int i = 0; i < TOPO_TL_BUCKETS; i++)
			tl->busy[i] = (2 * i < TOPO_TL_BUCKETS ? tl->busy[2 * i]
							       : 0) +
				      (2 * i + 1 < TOPO_TL_BUCKETS
					       ? tl->busy[2 * i + 1]
					       : 0);
		tl->width *= 2;
	}
	w = tl->width;
	for (uint64_t i = s / w; s < e; i++) {
		uint64_t end = MIN(e, (i + 1) * w);

		tl->busy[i] += end - s;
		s = end;
	}
}

/* --- pools: a bump index, then a free list through each entry's next --- */

#define POOL_GET(f, pool, top, freel)                                          \
	({                                                                     \
		uint32_t i_ = (f)->h->freel;                                   \
		if (i_)                                                        \
			(f)->h->freel = (f)->pool[i_].next;                    \
		else                                                           \
			i_ = ++(f)->h->top;                                    \
		i_;                                                            \
	})

#define POOL_PUT(f, pool, freel, i)                                            \
	do {                                                                   \
		(f)->pool[i].next = (f)->h->freel;                             \
		(f)->h->freel = (i);                                           \
	} while (0)

/* --- events: the wheel, and the heap of later ones by (time, seq) --- */

static bool later_less(const struct fab_later *a, const struct fab_later *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

HEAP_DEFINE(later_heap, struct fab_later, later_less)

/* Cannot overflow: a segment has at most one HEAD, a link one FREE. */
static void later_push(struct fab *f, uint64_t time, uint32_t ref)
{
	struct fab_later ev = {time, f->h->seq++, ref, 0};

	later_heap_push(f->later, &f->h->nlater, &ev);
}

/* The next of a bucket's entry e. */
static uint32_t *entry_next(struct fab *f, uint32_t e)
{
	return e & EV_FREE ? &f->node[e & ~EV_FREE].next : &f->seg[e].next;
}

/* ref: a segment, or EV_FREE | a link. */
static void wheel_add(struct fab *f, uint64_t time, uint32_t ref)
{
	struct fab_hdr *h = f->h;
	uint32_t b = time & (WHEEL - 1), e = ref;

	if (ref & EV_FREE) {
		uint32_t ni = POOL_GET(f, node, node_top, node_free);

		f->node[ni] = (struct fab_node){ref & ~EV_FREE, 0};
		e = EV_FREE | ni;
	} else {
		f->seg[ref].next = 0;
	}
	if (h->wheel[b].head) {
		*entry_next(f, h->wheel[b].tail) = e;
	} else {
		h->wheel[b].head = e;
		h->bits[b / 64] |= 1ULL << (b % 64);
	}
	h->wheel[b].tail = e;
}

/* An event at time (not before now). */
static void ev_push(struct fab *f, uint64_t time, uint32_t ref)
{
	if (time - f->h->now < WHEEL)
		wheel_add(f, time, ref);
	else
		later_push(f, time, ref);
	f->h->nev++;
	f->h->next_ns = MIN(f->h->next_ns, time);
}

/*
 * Time moves on to t: the later events that now fall within the wheel
 * join it, before any event at their times can be made.
 */
static void ev_advance(struct fab *f, uint64_t t)
{
	f->h->now = t;
	while (f->h->nlater && f->later[0].time - t < WHEEL) {
		struct fab_later ev = later_heap_pop(f->later, &f->h->nlater);

		wheel_add(f, ev.time, ev.ref);
	}
}

/* The earliest event's time: the wheel's first bucket from now on. */
static uint64_t ev_first(const struct fab *f)
{
	const struct fab_hdr *h = f->h;
	uint32_t b = h->now & (WHEEL - 1), w = b / 64;
	uint64_t bits = h->bits[w] & (~0ULL << (b % 64));

	/* The last round looks at the first word again, below b. */
	for (unsigned i = 0; i <= WHEEL / 64; i++) {
		if (bits) {
			uint32_t hit = w * 64 + __builtin_ctzll(bits);

			return h->now + ((hit - b) & (WHEEL - 1));
		}
		w = (w + 1) % (WHEEL / 64);
		bits = h->bits[w];
	}
	return h->nlater ? f->later[0].time : UINT64_MAX;
}

/*
 * Take the earliest event (there is one); time moves on to it. Returns
 * its ref: a segment, or EV_FREE | a link.
 */
static uint32_t ev_pop(struct fab *f)
{
	struct fab_hdr *h = f->h;
	uint64_t t = h->next_ns;
	uint32_t b = t & (WHEEL - 1), e, next, ref;

	if (t != h->now)
		ev_advance(f, t);
	e = h->wheel[b].head;
	next = *entry_next(f, e);
	ref = e;
	if (e & EV_FREE) {
		ref = EV_FREE | f->node[e & ~EV_FREE].link;
		POOL_PUT(f, node, node_free, e & ~EV_FREE);
	}
	h->wheel[b].head = next;
	if (!next) {
		h->wheel[b].tail = 0;
		h->bits[b / 64] &= ~(1ULL << (b % 64));
	}
	h->nev--;
	h->next_ns = h->nev ? ev_first(f) : UINT64_MAX;
	return ref;
}

uint64_t topo_next_ns(const void *state)
{
	return ((const struct fab_hdr *)state)->next_ns;
}

/* --- rings of flows (rule 3) --- */

/* The entry of m's flow in ring r; a new one at the end if it has none. */
static uint32_t ring_flow(struct fab *f, struct fab_ring *r,
			  const struct fab_msg *m)
{
	uint64_t flow = (uint64_t)m->src * f->t->neps + m->dst;
	uint32_t qi;

	for (qi = r->head; qi; qi = f->iq[qi].next)
		if (f->iq[qi].flow == flow)
			return qi;
	qi = POOL_GET(f, iq, iq_top, iq_free);
	f->iq[qi] = (struct fab_iq){.flow = flow, .dst = (uint32_t)m->dst};
	if (r->head)
		f->iq[r->tail].next = qi;
	else
		r->head = qi;
	r->tail = qi;
	return qi;
}

/* The first flow of r had its turn: to the back, or out if done. */
static void ring_turn(struct fab *f, struct fab_ring *r)
{
	uint32_t qi = r->head;
	struct fab_iq *q = &f->iq[qi];

	r->head = q->next;
	if (q->head) {
		q->next = 0;
		if (r->head)
			f->iq[r->tail].next = qi;
		else
			r->head = qi;
		r->tail = qi;
	} else {
		POOL_PUT(f, iq, iq_free, qi);
		if (!r->head)
			r->tail = 0;
	}
}

/* --- links --- */

static const struct topo_lclass *class_of(const struct topo *t,
					  const struct fab_msg *m, int hop)
{
	return &t->lc[topo_route_classes(m->hops == 2)[hop]];
}

/* Whether a segment waits for link l: its send queue, or its ring. */
static bool has_waiting(const struct fab *f, int l)
{
	if (l < f->t->lc[TOPO_LC_EP_DOWN].first)
		return f->src[f->out_of[l].queue].ring.head != 0;
	return f->lk[l].ring.head != 0;
}

/* How long segment s of message m holds a link of class lc. */
static uint64_t seg_ser(const struct fab *f, const struct topo_lclass *lc,
			const struct fab_seg *s, const struct fab_msg *m,
			uint64_t *bytes)
{
	*bytes = s->last ? m->last : f->t->params.mtu;
	return *bytes == f->t->params.mtu
		       ? lc->ser_mtu
		       : topo_ser_ns(lc, *bytes + f->t->params.header);
}

static void deliver(struct fab *f, struct fab_seg *s, uint64_t at)
{
	uint32_t mi = s->msg;
	struct fab_msg *m = &f->msg[mi];

	m->arrival = MAX(m->arrival, at);
	f->h->segs--;
	if (--m->left)
		return;
	f->out[0] = (struct topo_delivery){m->cookie, m->arrival};
	f->nout = 1;
	POOL_PUT(f, msg, msg_free, mi);
}

/* Segment si starts on link l at now (rule 1), which is free. */
static void serve(struct fab *f, uint32_t si, int l, uint64_t now)
{
	struct fab_seg *s = &f->seg[si];
	const struct fab_msg *m = &f->msg[s->msg];
	const struct topo_lclass *lc = class_of(f->t, m, s->hop);
	struct fab_link *lk = &f->lk[l];
	struct topo_link_stats *ls = &lk->st;
	uint64_t bytes, ser = seg_ser(f, lc, s, m, &bytes);
	uint64_t end = MAX(now + ser, s->tail), ready = s->head;

	/* Waiting behind its own message is its serialization, not a queue. */
	if (lk->last_msg == m->serial)
		ready = MAX(ready, lk->free_at);
	if (now > ready) {
		ls->queue_ns += now - ready;
		ls->max_queue_ns = MAX(ls->max_queue_ns, now - ready);
	}
	ls->bytes += bytes;
	ls->segments++;
	ls->busy_ns += ser;
	if (unlikely(f->h->timeline))
		timeline_add(f, l, now, ser);
	lk->free_at = end;
	lk->last_msg = m->serial;
	if (s->hop + 1 == m->hops) {
		deliver(f, s, end + lc->lat_ns);
		POOL_PUT(f, seg, seg_free, si);
	} else {
		s->head = now + lc->lat_ns;
		s->tail = end + lc->lat_ns;
		s->hop++;
		ev_push(f, s->head, si);
	}
	if (has_waiting(f, l)) {
		lk->wake = 1;
		ev_push(f, end, EV_FREE | l);
	}
}

/*
 * Rule 4: of a send queue's first FLOW_WINDOW flows, the one whose
 * destination is least booked serves; each segment that leaves books its
 * destination: B = max(B, now x E) + ser on one of its E ejection links.
 */
#define FLOW_WINDOW 4

static uint64_t booked(const struct fab *f, uint32_t dst, uint64_t at)
{
	return f->booked[dst] > at ? f->booked[dst] - at : 0;
}

/* The flow that serves, and the one before it in the ring (0: none). */
static uint32_t flow_pick(struct fab *f, const struct fab_ring *r, uint64_t now,
			  uint32_t *prev)
{
	uint32_t best = r->head, qi = r->head, p = 0;
	uint64_t at = now * (uint64_t)(f->t->s1 * f->t->lpe);
	uint64_t least = booked(f, f->iq[best].dst, at);

	*prev = 0;
	/* Nothing is less booked than nothing: the common case. */
	for (int k = 1; least && k < FLOW_WINDOW && (qi = f->iq[p = qi].next);
	     k++) {
		uint64_t b = booked(f, f->iq[qi].dst, at);

		if (b < least) {
			least = b;
			best = qi;
			*prev = p;
		}
	}
	return best;
}

/* Flow qi (after prev) had its turn: to the back, or out if done. */
static void ring_turn_at(struct fab *f, struct fab_ring *r, uint32_t prev,
			 uint32_t qi)
{
	if (!prev) {
		ring_turn(f, r);
		return;
	}
	f->iq[prev].next = f->iq[qi].next;
	if (r->tail == qi)
		r->tail = prev;
	if (f->iq[qi].head) {
		f->iq[qi].next = 0;
		f->iq[r->tail].next = qi;
		r->tail = qi;
	} else {
		POOL_PUT(f, iq, iq_free, qi);
	}
}

/* Source link l (free) takes the next segment of its send queue's turn. */
static void serve_source(struct fab *f, int l, uint64_t now)
{
	const struct fab_out *o = &f->out_of[l];
	struct fab_src *q = &f->src[o->queue];
	uint32_t prev, fi = flow_pick(f, &q->ring, now, &prev);
	struct fab_iq *fq = &f->iq[fi];
	uint32_t mi = fq->head, si = POOL_GET(f, seg, seg_top, seg_free);
	struct fab_msg *m = &f->msg[mi];
	uint32_t i = m->sent++;
	uint64_t *b = &f->booked[m->dst], at, bytes;

	/* A flow's messages go one after another; flows take turns. */
	if (m->sent == m->nseg)
		fq->head = m->next;
	ring_turn_at(f, &q->ring, prev, fi);
	/* (Under ecmp a send queue has one link, and no use for it.) */
	q->rot = o->c + 1 == (uint32_t)(f->t->s1 * f->t->lpe) ? 0 : o->c + 1;
	f->seg[si] = (struct fab_seg){
		.head = m->inject,
		.tail = m->inject,
		.msg = mi,
		.last = i + 1 == m->nseg,
		.k = topo_mod(o->c, &f->t->div_s1),
	};
	at = now * (uint64_t)(f->t->s1 * f->t->lpe);
	*b = MAX(*b, at) +
	     seg_ser(f, class_of(f->t, m, m->hops - 1), &f->seg[si], m, &bytes);
	serve(f, si, l, now);
}

static uint64_t backlog(const struct fab *f, int l, uint64_t now)
{
	uint64_t d = f->drain[l];

	return d > now ? d - now : 0;
}

/*
 * Rule 5: of the n links base.., the one with the least backlog, ties to
 * the first at or after *rot, which then moves past it.
 */
static unsigned pick(const struct fab *f, int base, unsigned n, uint32_t *rot,
		     uint64_t now)
{
	unsigned best = *rot < n ? *rot : 0, c = best;
	uint64_t least = backlog(f, base + best, now);

	for (unsigned i = 1; i < n && least; i++) {
		uint64_t b;

		if (++c == n)
			c = 0;
		b = backlog(f, base + c, now);
		if (b < least) {
			least = b;
			best = c;
		}
	}
	*rot = best + 1 == n ? 0 : best + 1;
	return best;
}

/*
 * The links segment s may take at its hop: n links from base on, and the
 * rotation pointer of the choice (NULL when there is none: ecmp, or the
 * L2 chip's one link down to the destination's node).
 */
static int candidates(struct fab *f, const struct fab_seg *s, unsigned *n,
		      uint32_t **rot)
{
	const struct topo *t = f->t;
	const struct fab_msg *m = &f->msg[s->msg];
	int node_dst = topo_div(m->dst, &t->div_epn), chip;

	*n = 1;
	*rot = NULL;
	if (t->params.routing == TOPO_ROUTING_ECMP) {
		int route[4];

		topo_route(t, m->src, m->dst, m->path, route);
		return route[s->hop];
	}
	if (s->hop == 1 && m->hops == 4) {
		int g1 = topo_div(m->src, &t->div_epn) * t->s1 + s->k;

		*n = t->q;
		*rot = &f->chip[g1].up_rot;
		return t->lc[TOPO_LC_L1_UP].first + g1 * t->q;
	}
	if (s->hop == 2)
		return t->lc[TOPO_LC_L2_DOWN].first +
		       (node_dst * t->s1 + s->k) * t->q + s->j;
	chip = t->global ? s->k : node_dst * t->s1 + s->k;
	*n = t->lpe;
	*rot = &f->chip[chip].down_rot;
	return t->lc[TOPO_LC_EP_DOWN].first + (m->dst * t->s1 + s->k) * t->lpe;
}

/* Segment si waits at link l, behind its flow's earlier segments. */
static void enqueue(struct fab *f, uint32_t si, int l)
{
	struct fab_seg *s = &f->seg[si];
	uint32_t qi = ring_flow(f, &f->lk[l].ring, &f->msg[s->msg]);
	struct fab_iq *q = &f->iq[qi];

	s->next = 0;
	if (q->head)
		f->seg[q->tail].next = si;
	else
		q->head = si;
	q->tail = si;
}

/* HEAD: segment si's head is at the input of its next link. */
static void head(struct fab *f, uint32_t si, uint64_t now)
{
	struct fab_seg *s = &f->seg[si];
	uint32_t *rot;
	unsigned n;
	int l = candidates(f, s, &n, &rot);
	struct fab_link *lk;
	const struct fab_msg *m = &f->msg[s->msg];

	if (rot) {
		/* A choice (rule 5), and a backlog that later ones look at. */
		unsigned c = pick(f, l, n, rot, now);
		uint64_t bytes;

		if (s->hop == 1 && m->hops == 4)
			s->j = c;
		l += c;
		f->drain[l] =
			MAX(f->drain[l], now) +
			seg_ser(f, class_of(f->t, m, s->hop), s, m, &bytes);
	}
	lk = &f->lk[l];
	if (lk->free_at <= now && !lk->ring.head && !lk->wake) {
		serve(f, si, l, now);
		return;
	}
	enqueue(f, si, l);
	if (!lk->wake) {
		lk->wake = 1;
		ev_push(f, MAX(lk->free_at, now), EV_FREE | l);
	}
}

/* FREE: link l is free; it serves the first flow of its ring. */
static void link_free(struct fab *f, int l, uint64_t now)
{
	struct fab_link *lk = &f->lk[l];
	struct fab_iq *q;
	uint32_t si;

	lk->wake = 0;
	if (l < f->t->lc[TOPO_LC_EP_DOWN].first) {
		if (f->src[f->out_of[l].queue].ring.head)
			serve_source(f, l, now);
		return;
	}
	if (!lk->ring.head)
		return; /* cannot happen: armed only with a segment waiting */
	q = &f->iq[lk->ring.head];
	si = q->head;
	q->head = f->seg[si].next;
	ring_turn(f, &lk->ring);
	serve(f, si, l, now);
}

int topo_step(const struct topo *t, void *state, struct topo_delivery *out)
{
	struct fab f = view(t, state);
	uint32_t ref;

	if (!f.h->nev)
		return -EAGAIN;
	f.out = out;
	ref = ev_pop(&f);
	if (ref & EV_FREE)
		link_free(&f, ref & ~EV_FREE, f.h->now);
	else
		head(&f, ref, f.h->now);
	return f.nout;
}

/* The first link of source src's link number c (rule 4's order). */
static int source_link(const struct topo *t, int src, unsigned c)
{
	unsigned k = topo_mod(c, &t->div_s1), d = topo_div(c, &t->div_s1);

	return t->lc[TOPO_LC_EP_UP].first + (src * t->s1 + k) * t->lpe + d;
}

/*
 * Rule 4: the first free link of a source, from its send queue's rotation
 * pointer on; under ecmp, l_ecmp, its send queue's one link (-1 under
 * spray). -1 if none is free.
 */
static int free_link(struct fab *f, int src, int l_ecmp, uint64_t now)
{
	const struct topo *t = f->t;
	unsigned n = t->s1 * t->lpe, rot;

	if (l_ecmp >= 0)
		return f->lk[l_ecmp].free_at <= now && !f->lk[l_ecmp].wake
			       ? l_ecmp
			       : -1;
	rot = f->src[src * t->groups].rot;
	for (unsigned i = 0; i < n; i++) {
		unsigned c = rot + i < n ? rot + i : rot + i - n;
		int l = source_link(t, src, c);

		if (f->lk[l].free_at <= now && !f->lk[l].wake)
			return l;
	}
	return -1;
}

int topo_send(const struct topo *t, void *state, int src, int dst,
	      uint64_t bytes, uint64_t inject_ns, uint64_t cookie)
{
	struct fab f = view(t, state);
	uint64_t mtu = t->params.mtu;
	uint64_t nseg = bytes <= mtu ? 1 : (bytes - 1) / mtu + 1;
	bool ecmp = t->params.routing == TOPO_ROUTING_ECMP;
	unsigned nlinks = ecmp ? 1 : t->s1 * t->lpe;
	struct fab_src *q;
	struct fab_iq *fq;
	struct fab_msg *m;
	int route[4] = {-1};
	uint32_t mi;

	if (src == dst || (unsigned)src >= (unsigned)t->neps ||
	    (unsigned)dst >= (unsigned)t->neps || inject_ns < f.h->now ||
	    topo_next_ns(state) < inject_ns)
		return -EINVAL;
	if (nseg > TOPO_MAX_SEGS - f.h->segs)
		return -ENOSPC;
	f.h->segs += nseg;
	ev_advance(&f, inject_ns);
	mi = POOL_GET(&f, msg, msg_top, msg_free);
	m = &f.msg[mi];
	/* Field by field: a compound literal would zero the line first. */
	m->cookie = cookie;
	m->inject = inject_ns;
	m->arrival = 0;
	m->src = src;
	m->dst = dst;
	m->nseg = m->left = nseg;
	m->sent = 0;
	m->last = bytes - (nseg - 1) * mtu;
	m->next = 0;
	m->serial = ++f.h->serial;
	m->hops = topo_is_local(t, src, dst) ? 2 : 4;
	q = &f.src[src * t->groups];
	if (ecmp) {
		m->path = topo_ecmp_path(t, src, dst);
		topo_route(t, src, dst, m->path, route);
		q = &f.src[f.out_of[route[0]].queue];
	}
	fq = &f.iq[ring_flow(&f, &q->ring, m)];
	if (fq->head)
		f.msg[fq->tail].next = mi;
	else
		fq->head = mi;
	fq->tail = mi;
	/*
	 * Rule 4: its segments go out on the free links, from the rotation
	 * pointer on; rule 6: once every send of this time is in, so each
	 * such link gets a FREE now rather than a segment. Without enough
	 * free links, the busy ones take a turn each when they are free.
	 */
	for (uint64_t want = nseg; want; want--) {
		int l = free_link(&f, src, route[0], inject_ns);

		if (l >= 0) {
			f.lk[l].wake = 1;
			ev_push(&f, inject_ns, EV_FREE | l);
			continue;
		}
		for (unsigned c = 0; c < nlinks; c++) {
			l = ecmp ? route[0] : source_link(t, src, c);
			if (!f.lk[l].wake) {
				f.lk[l].wake = 1;
				ev_push(&f, f.lk[l].free_at, EV_FREE | l);
			}
		}
		break;
	}
	return 0;
}

/* Handle the events before t_ns, recording deliveries into arrival. */
static void run_before(const struct topo *t, void *state, uint64_t t_ns,
		       uint64_t *arrival)
{
	struct topo_delivery d;

	while (topo_next_ns(state) < t_ns)
		if (topo_step(t, state, &d) == 1)
			arrival[d.cookie] = d.arrival_ns;
}

int topo_run(const struct topo *t, void *state, const struct topo_msg *msgs,
	     size_t n, uint64_t *arrival)
{
	for (size_t i = 0; i < n; i++) {
		const struct topo_msg *m = &msgs[i];
		int ret;

		run_before(t, state, m->inject_ns, arrival);
		if (m->src == m->dst &&
		    (unsigned)m->src < (unsigned)topo_num_endpoints(t)) {
			arrival[i] = m->inject_ns;
			continue;
		}
		ret = topo_send(t, state, m->src, m->dst, m->bytes,
				m->inject_ns, i);
		if (ret)
			return ret;
	}
	run_before(t, state, UINT64_MAX, arrival);
	return 0;
}
