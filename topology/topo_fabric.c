/* SPDX-License-Identifier: MIT */
/*
 * The fabric: a packet-level simulation of the links (docs/MODEL.md). Every
 * segment crosses every link of its route as an event; a link serves one
 * segment at a time, round-robin over its inputs, and never idles while
 * one waits. All of it lives in the flat state block (indices, no
 * pointers), so that whichever process maps the block can run it.
 *
 * The state block: the header, then per link its queue state and its
 * statistics, the send queues of the sources, the rotation pointers of
 * the L1 chips, and the pools of messages, segments and input queues (each
 * with a free list; index 0 is "none") and the event heap. The pools are
 * only touched as they are used.
 */
#include <errno.h>
#include <string.h>

#include "common/common.h"
#include "topology/topo_int.h"

enum { EV_HEAD, EV_FREE };

/* A segment's head reaches its next link (HEAD), or a link is free (FREE). */
struct fab_ev {
	uint64_t time;
	uint64_t seq; /* creation order: rule 6 */
	uint32_t ref; /* the segment, or the link */
	uint32_t kind;
};

struct fab_hdr {
	uint64_t now;  /* time of the last event handled or send */
	uint64_t seq;  /* events created */
	uint64_t segs; /* segments sent, not yet delivered */
	uint64_t ev_off;
	uint32_t nev;
	uint32_t serial; /* messages sent */
	uint32_t msg_top, msg_free, seg_top, seg_free, iq_top, iq_free;
};

/* Flows with something waiting, in turn: a list of struct fab_iq. */
struct fab_ring {
	uint32_t head, tail;
};

struct fab_link {
	uint64_t free_at;     /* when its last segment ended */
	uint64_t drain;	      /* rule 5: when its backlog would be gone */
	struct fab_ring ring; /* flows with segments waiting */
	uint32_t last_msg;    /* serial of the last message it served */
	uint16_t wake;	      /* a FREE event is pending */
	uint16_t c;	      /* a source link: its place in the order */
	uint32_t queue;	      /* a source link: its send queue */
	uint32_t pad;
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

struct fab_msg {
	uint64_t cookie;
	uint64_t inject;
	uint64_t arrival; /* of its segments delivered so far */
	int32_t src, dst;
	uint32_t nseg, sent, left, last; /* last: its last segment's bytes */
	uint32_t next;			 /* in its flow's queue; free list */
	uint32_t serial;
	uint32_t queue;
	uint8_t hops;
	int32_t route[4]; /* ecmp: the pair's path */
};

struct fab_seg {
	uint64_t head, tail; /* at the input of its link */
	uint32_t msg, next;  /* next: in its input queue; free list */
	int32_t from;	     /* the link it came from */
	uint32_t bytes;
	uint16_t hop, k; /* k: its L1 chip (plane) */
	uint32_t j;	 /* its uplink at that chip */
};

/*
 * A flow with something waiting, in a ring: segments at a link, messages
 * in a send queue.
 */
struct fab_iq {
	uint64_t flow; /* src * endpoints + dst */
	uint32_t head, tail;
	uint32_t next; /* in the ring; free list */
	uint32_t pad;
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
	t->st.stats = at;
	at = align64(at + t->nlinks * sizeof(struct topo_link_stats));
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
	t->st.events = at;
	at = align64(at + (TOPO_MAX_SEGS + t->nlinks) * sizeof(struct fab_ev));
	t->st.size = at;
}

size_t topo_state_size(const struct topo *t)
{
	return t->st.size;
}

/* The state block seen through its parts; made per call, on the stack. */
struct fab {
	const struct topo *t;
	struct fab_hdr *h;
	struct fab_link *lk;
	struct topo_link_stats *ls;
	struct fab_src *src;
	struct fab_chip *chip;
	struct fab_msg *msg;
	struct fab_seg *seg;
	struct fab_iq *iq;
	struct fab_ev *ev;
	struct topo_delivery *out;
	int nout;
};

static struct fab view(const struct topo *t, void *state)
{
	char *b = state;

	return (struct fab){
		.t = t,
		.h = state,
		.lk = (struct fab_link *)(b + t->st.links),
		.ls = (struct topo_link_stats *)(b + t->st.stats),
		.src = (struct fab_src *)(b + t->st.srcs),
		.chip = (struct fab_chip *)(b + t->st.chips),
		.msg = (struct fab_msg *)(b + t->st.msgs),
		.seg = (struct fab_seg *)(b + t->st.segs),
		.iq = (struct fab_iq *)(b + t->st.iqs),
		.ev = (struct fab_ev *)(b + t->st.events),
	};
}

void topo_state_init(const struct topo *t, void *state)
{
	struct fab f = view(t, state);

	memset(state, 0, t->st.msgs);
	f.h->ev_off = t->st.events;
	/* Source link (ep, k, d) is number c = d * s1 + k of its source. */
	for (int ep = 0; ep < t->neps; ep++) {
		for (int k = 0; k < t->s1; k++) {
			for (int d = 0; d < t->lpe; d++) {
				struct fab_link *l =
					&f.lk[t->lc[TOPO_LC_EP_UP].first +
					      (ep * t->s1 + k) * t->lpe + d];
				int c = d * t->s1 + k;

				l->c = c;
				l->queue = ep * t->groups +
					   (t->groups > 1 ? c : 0);
			}
		}
	}
}

struct topo_link_stats *topo_state_links(const struct topo *t, void *state)
{
	return (struct topo_link_stats *)((char *)state + t->st.stats);
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

/* --- the event heap, by (time, seq) --- */

static bool ev_less(const struct fab_ev *a, const struct fab_ev *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Cannot overflow: a segment has at most one HEAD, a link one FREE. */
static void ev_push(struct fab *f, uint64_t time, uint32_t kind, uint32_t ref)
{
	struct fab_ev ev = {time, f->h->seq++, ref, kind};
	uint32_t i = f->h->nev++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!ev_less(&ev, &f->ev[parent]))
			break;
		f->ev[i] = f->ev[parent];
		i = parent;
	}
	f->ev[i] = ev;
}

static struct fab_ev ev_pop(struct fab *f)
{
	struct fab_ev top = f->ev[0], last = f->ev[--f->h->nev];
	uint32_t n = f->h->nev, i = 0;

	if (!n)
		return top;
	/* Floyd: the hole goes down to a leaf, then last goes up. */
	for (uint32_t c = 1; c < n; c = 2 * i + 1) {
		if (c + 1 < n && ev_less(&f->ev[c + 1], &f->ev[c]))
			c++;
		f->ev[i] = f->ev[c];
		i = c;
	}
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!ev_less(&last, &f->ev[parent]))
			break;
		f->ev[i] = f->ev[parent];
		i = parent;
	}
	f->ev[i] = last;
	return top;
}

uint64_t topo_next_ns(const void *state)
{
	const struct fab_hdr *h = state;
	const struct fab_ev *ev =
		(const struct fab_ev *)((const char *)state + h->ev_off);

	return h->nev ? ev[0].time : UINT64_MAX;
}

/* --- rings of flows (rule 3) --- */

static uint64_t flow_of(const struct fab *f, const struct fab_msg *m)
{
	return (uint64_t)m->src * f->t->neps + m->dst;
}

/* The flow's entry in ring r; a new one at the end if it has none. */
static uint32_t ring_flow(struct fab *f, struct fab_ring *r, uint64_t flow)
{
	uint32_t qi;

	for (qi = r->head; qi; qi = f->iq[qi].next)
		if (f->iq[qi].flow == flow)
			return qi;
	qi = POOL_GET(f, iq, iq_top, iq_free);
	f->iq[qi] = (struct fab_iq){.flow = flow};
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
		return f->src[f->lk[l].queue].ring.head != 0;
	return f->lk[l].ring.head != 0;
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
	struct topo_link_stats *ls = &f->ls[l];
	uint64_t ser = topo_ser_ns(lc, s->bytes + f->t->params.header);
	uint64_t end = MAX(now + ser, s->tail), ready = s->head;

	/* Waiting behind its own message is its serialization, not a queue. */
	if (lk->last_msg == m->serial)
		ready = MAX(ready, lk->free_at);
	if (now > ready) {
		ls->queue_ns += now - ready;
		ls->max_queue_ns = MAX(ls->max_queue_ns, now - ready);
	}
	ls->bytes += s->bytes;
	ls->segments++;
	ls->busy_ns += ser;
	lk->free_at = end;
	lk->last_msg = m->serial;
	if (s->hop + 1 == m->hops) {
		deliver(f, s, end + lc->lat_ns);
		POOL_PUT(f, seg, seg_free, si);
	} else {
		s->head = now + lc->lat_ns;
		s->tail = end + lc->lat_ns;
		s->from = l;
		s->hop++;
		ev_push(f, s->head, EV_HEAD, si);
	}
	if (has_waiting(f, l)) {
		lk->wake = 1;
		ev_push(f, end, EV_FREE, l);
	}
}

/* Source link l (free) takes the next segment of its send queue's turn. */
static void serve_source(struct fab *f, int l, uint64_t now)
{
	struct fab_link *lk = &f->lk[l];
	struct fab_src *q = &f->src[lk->queue];
	struct fab_iq *fq = &f->iq[q->ring.head];
	uint32_t mi = fq->head, si;
	struct fab_msg *m = &f->msg[mi];
	uint32_t i = m->sent++;

	/* A flow's messages go one after another; flows take turns. */
	if (m->sent == m->nseg)
		fq->head = m->next;
	ring_turn(f, &q->ring);
	if (f->t->params.routing == TOPO_ROUTING_SPRAY)
		q->rot = lk->c + 1 == f->t->s1 * f->t->lpe ? 0 : lk->c + 1;
	si = POOL_GET(f, seg, seg_top, seg_free);
	f->seg[si] = (struct fab_seg){
		.head = m->inject,
		.tail = m->inject,
		.msg = mi,
		.bytes = i + 1 == m->nseg ? m->last : f->t->params.mtu,
		.k = topo_mod(lk->c, &f->t->div_s1),
	};
	serve(f, si, l, now);
}

static uint64_t backlog(const struct fab *f, int l, uint64_t now)
{
	uint64_t d = f->lk[l].drain;

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

/* The link segment s takes at its hop (ecmp: its pair's path). */
static int next_link(struct fab *f, struct fab_seg *s, uint64_t now)
{
	const struct topo *t = f->t;
	const struct fab_msg *m = &f->msg[s->msg];
	int node_dst, chip;

	if (t->params.routing == TOPO_ROUTING_ECMP)
		return m->route[s->hop];
	node_dst = topo_div(m->dst, &t->div_epn);
	if (s->hop == 1 && m->hops == 4) {
		int g1 = topo_div(m->src, &t->div_epn) * t->s1 + s->k;
		int base = t->lc[TOPO_LC_L1_UP].first + g1 * t->q;

		s->j = pick(f, base, t->q, &f->chip[g1].up_rot, now);
		return base + s->j;
	}
	if (s->hop == 2)
		return t->lc[TOPO_LC_L2_DOWN].first +
		       (node_dst * t->s1 + s->k) * t->q + s->j;
	chip = t->global ? s->k : node_dst * t->s1 + s->k;
	return t->lc[TOPO_LC_EP_DOWN].first + (m->dst * t->s1 + s->k) * t->lpe +
	       pick(f,
		    t->lc[TOPO_LC_EP_DOWN].first +
			    (m->dst * t->s1 + s->k) * t->lpe,
		    t->lpe, &f->chip[chip].down_rot, now);
}

/* Segment si waits at link l, behind its flow's earlier segments. */
static void enqueue(struct fab *f, uint32_t si, int l)
{
	struct fab_seg *s = &f->seg[si];
	uint32_t qi = ring_flow(f, &f->lk[l].ring, flow_of(f, &f->msg[s->msg]));
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
	int l = next_link(f, s, now);
	struct fab_link *lk = &f->lk[l];
	const struct topo_lclass *lc = class_of(f->t, &f->msg[s->msg], s->hop);

	lk->drain = MAX(lk->drain, now) +
		    topo_ser_ns(lc, s->bytes + f->t->params.header);
	if (lk->free_at <= now && !lk->ring.head && !lk->wake) {
		serve(f, si, l, now);
		return;
	}
	enqueue(f, si, l);
	if (!lk->wake) {
		lk->wake = 1;
		ev_push(f, MAX(lk->free_at, now), EV_FREE, l);
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
		if (f->src[lk->queue].ring.head)
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
	struct fab_ev ev;

	if (!f.h->nev)
		return -EAGAIN;
	f.out = out;
	ev = ev_pop(&f);
	f.h->now = ev.time;
	if (ev.kind == EV_HEAD)
		head(&f, ev.ref, ev.time);
	else
		link_free(&f, ev.ref, ev.time);
	return f.nout;
}

/* The first link of source src's link number c (rule 4's order). */
static int source_link(const struct topo *t, int src, unsigned c)
{
	unsigned k = topo_mod(c, &t->div_s1), d = topo_div(c, &t->div_s1);

	return t->lc[TOPO_LC_EP_UP].first + (src * t->s1 + k) * t->lpe + d;
}

int topo_send(const struct topo *t, void *state, int src, int dst,
	      uint64_t bytes, uint64_t inject_ns, uint64_t cookie)
{
	struct fab f = view(t, state);
	uint64_t mtu = t->params.mtu;
	uint64_t nseg = bytes <= mtu ? 1 : (bytes - 1) / mtu + 1;
	bool ecmp = t->params.routing == TOPO_ROUTING_ECMP;
	unsigned nlinks = ecmp ? 1 : t->s1 * t->lpe, rot;
	struct fab_src *q;
	struct fab_iq *fq;
	struct fab_msg *m;
	uint32_t mi;

	if (src == dst || (unsigned)src >= (unsigned)t->neps ||
	    (unsigned)dst >= (unsigned)t->neps || inject_ns < f.h->now ||
	    topo_next_ns(state) < inject_ns)
		return -EINVAL;
	if (nseg > TOPO_MAX_SEGS - f.h->segs)
		return -ENOSPC;
	f.h->segs += nseg;
	f.h->now = inject_ns;
	mi = POOL_GET(&f, msg, msg_top, msg_free);
	m = &f.msg[mi];
	*m = (struct fab_msg){
		.cookie = cookie,
		.inject = inject_ns,
		.src = src,
		.dst = dst,
		.nseg = nseg,
		.left = nseg,
		.last = bytes - (nseg - 1) * mtu,
		.serial = ++f.h->serial,
		.hops = topo_is_local(t, src, dst) ? 2 : 4,
	};
	m->queue = src * t->groups;
	if (ecmp) {
		topo_route(t, src, dst, topo_ecmp_path(t, src, dst), m->route);
		m->queue = f.lk[m->route[0]].queue;
	}
	q = &f.src[m->queue];
	fq = &f.iq[ring_flow(&f, &q->ring, flow_of(&f, m))];
	if (fq->head)
		f.msg[fq->tail].next = mi;
	else
		fq->head = mi;
	fq->tail = mi;
	/* Rule 4: the free links, from the rotation pointer on, take turns. */
	rot = q->rot;
	for (unsigned i = 0; i < nlinks && q->ring.head; i++) {
		unsigned c = rot + i < nlinks ? rot + i : rot + i - nlinks;
		int l = ecmp ? m->route[0] : source_link(t, src, c);

		if (f.lk[l].wake)
			continue;
		if (f.lk[l].free_at <= inject_ns) {
			serve_source(&f, l, inject_ns);
		} else {
			/* Busy with nothing after: it takes a turn when free. */
			f.lk[l].wake = 1;
			ev_push(&f, f.lk[l].free_at, EV_FREE, l);
		}
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
