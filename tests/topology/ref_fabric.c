/* SPDX-License-Identifier: MIT */
/*
 * The reference fabric (ref_fabric.h). Every segment-hop is an event and
 * every link an output queue with a ring of flows, as docs/MODEL.md says;
 * the links, their latencies and the paths come from topology/topo.h.
 * Plain lists and linear scans: it is the yardstick, not the engine.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/topology/ref_fabric.h"

/* A segment of a message, waiting at or crossing a link. */
struct seg {
	struct seg *next; /* in its flow's queue */
	size_t msg;	  /* index in the run's messages */
	uint64_t wire;	  /* payload + header bytes */
	uint64_t tail;	  /* u: when its tail is at the input it is at */
	struct node *at;  /* the links it has taken */
};

/* A flow (src, dst) with segments waiting at one queue, oldest first. */
struct flow {
	struct flow *next; /* in the ring */
	int src, dst;
	struct seg *first, *last;
};

/* The flows with segments waiting, in the order they became active. */
struct ring {
	struct flow *first, *last;
};

/* A send queue (rule 4): its links in order, its rotation pointer. */
struct sendq {
	struct ring ring;
	int nlinks, ptr;
	int *links;
};

/*
 * A switch's rotation pointer for one direction of its choices (rule 5):
 * an index into whichever candidates the choice has.
 */
struct choice {
	int ptr;
};

/* A prefix of a pair's paths, and the links those paths offer next. */
struct node {
	int link; /* the prefix's last link, -1 at the root */
	int nkids;
	struct node **kids;    /* at the root in path order, else by link */
	struct choice *choice; /* below the root when nkids > 1 */
};

struct link {
	uint64_t lat;	  /* wire latency + hop of the switch it enters */
	double gbps;	  /* bytes per ns */
	uint64_t end;	  /* when its last segment ended */
	uint64_t drain;	  /* rule 5: its backlog at t is max(0, drain - t) */
	struct ring ring; /* segments waiting at its input */
	struct sendq *q;  /* a source link: the send queue it serves */
};

/* Serve link (seg NULL), or seg's head reached the end of its link. */
struct ev {
	uint64_t t, seq;
	int link;
	struct seg *seg;
};

struct ref {
	const struct topo *t;
	const struct topo_msg *msgs;
	uint64_t *arrival;
	int n; /* endpoints */
	uint64_t mtu, header;
	int spray;
	int nlinks;
	struct link *links;
	/* Rule 4: each endpoint's ejection links (count, one of them), and
	 * its booking B in ns x count. */
	int *ej_count, *ej_link;
	uint64_t *booked;
	struct node **tries;	/* by src * n + dst, built when first used */
	struct choice *choices; /* by 2 * switch vertex + (down ? 1 : 0) */
	struct ev *heap;	/* by (t, seq): rule 6 */
	size_t nev, cap;
	uint64_t seq;
};

/* p, or abort: the reference has no use for running out of memory. */
static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "ref_fabric: out of memory\n");
		abort();
	}
	return p;
}

static void *zalloc(size_t size)
{
	return must(calloc(1, size ? size : 1));
}

/*
 * x / B to the nearest ns as docs/MODEL.md defines it: B in whole bytes
 * per us, its inverse in 32.32 fixed point.
 */
static uint64_t ser(const struct link *l, uint64_t wire)
{
	uint64_t bw = (uint64_t)llround(l->gbps * 1000);
	uint64_t ns_per_byte = (1000ULL << 32) / bw;

	return ((unsigned __int128)wire * ns_per_byte + (1ULL << 31)) >> 32;
}

static int before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct ref *r, uint64_t t, int link, struct seg *seg)
{
	struct ev ev = {t, r->seq++, link, seg};
	size_t i;

	if (r->nev == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->heap = must(realloc(r->heap, r->cap * sizeof(*r->heap)));
	}
	for (i = r->nev++; i && before(&ev, &r->heap[(i - 1) / 2]);
	     i = (i - 1) / 2)
		r->heap[i] = r->heap[(i - 1) / 2];
	r->heap[i] = ev;
}

static struct ev pop(struct ref *r)
{
	struct ev top = r->heap[0], last = r->heap[--r->nev];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < r->nev) {
		if (c + 1 < r->nev && before(&r->heap[c + 1], &r->heap[c]))
			c++;
		if (!before(&r->heap[c], &last))
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	r->heap[i] = last;
	return top;
}

static void ring_append(struct ring *g, struct flow *f)
{
	f->next = NULL;
	if (g->last)
		g->last->next = f;
	else
		g->first = f;
	g->last = f;
}

/* Queue s behind its flow's segments; a new flow joins at the end. */
static void ring_push(struct ring *g, int src, int dst, struct seg *s)
{
	struct flow *f = g->first;

	while (f && (f->src != src || f->dst != dst))
		f = f->next;
	if (!f) {
		f = zalloc(sizeof(*f));
		f->src = src;
		f->dst = dst;
		ring_append(g, f);
	}
	s->next = NULL;
	if (f->last)
		f->last->next = s;
	else
		f->first = s;
	f->last = s;
}

/*
 * Rule 4: of the send queue's first FLOW_WINDOW flows, the one whose
 * destination is least booked at now (the first on ties) gives its oldest
 * segment and goes to the end; the segment books its destination.
 */
#define FLOW_WINDOW 4

static uint64_t booked(const struct ref *r, int dst, uint64_t now)
{
	uint64_t at = now * (uint64_t)r->ej_count[dst];

	return r->booked[dst] > at ? r->booked[dst] - at : 0;
}

static struct seg *sendq_pop(struct ref *r, struct ring *g, uint64_t now)
{
	struct flow *best = g->first, *prev = NULL, *bprev = NULL;
	struct seg *s;
	uint64_t at;
	int k = 0;

	for (struct flow *f = g->first; f && k < FLOW_WINDOW;
	     prev = f, f = f->next, k++)
		if (booked(r, f->dst, now) < booked(r, best->dst, now)) {
			best = f;
			bprev = prev;
		}
	s = best->first;
	if (bprev)
		bprev->next = best->next;
	else
		g->first = best->next;
	if (g->last == best)
		g->last = bprev;
	best->first = s->next;
	if (best->first)
		ring_append(g, best);
	at = now * (uint64_t)r->ej_count[best->dst];
	r->booked[best->dst] =
		(r->booked[best->dst] > at ? r->booked[best->dst] : at) +
		ser(&r->links[r->ej_link[best->dst]], s->wire);
	if (!best->first)
		free(best);
	return s;
}

/* Rule 3: the first flow's oldest segment; the flow goes to the end. */
static struct seg *ring_pop(struct ring *g)
{
	struct flow *f = g->first;
	struct seg *s = f->first;

	g->first = f->next;
	if (!g->first)
		g->last = NULL;
	f->first = s->next;
	if (f->first)
		ring_append(g, f);
	else
		free(f);
	return s;
}

static void ring_free(struct ring *g)
{
	while (g->first)
		free(ring_pop(g));
}

static struct node *kid(const struct node *p, int link)
{
	for (int i = 0; i < p->nkids; i++)
		if (p->kids[i]->link == link)
			return p->kids[i];
	return NULL;
}

static struct node *add_kid(struct node *p, int link)
{
	struct node *k = kid(p, link);

	if (k)
		return k;
	k = zalloc(sizeof(*k));
	k->link = link;
	p->kids = must(realloc(p->kids, (p->nkids + 1) * sizeof(*p->kids)));
	p->kids[p->nkids++] = k;
	return k;
}

static void free_node(struct node *p)
{
	for (int i = 0; p && i < p->nkids; i++)
		free_node(p->kids[i]);
	if (p)
		free(p->kids);
	free(p);
}

static int by_link(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a;
	const struct node *y = *(struct node *const *)b;

	return (x->link > y->link) - (x->link < y->link);
}

/*
 * Below the root, order each prefix's next links by id (a switch's port
 * order) and give a choice the pointer of its switch for that direction:
 * up (to another switch) or down (to an endpoint).
 */
static int attach_choices(struct ref *r, struct node *p, int root)
{
	if (!root && p->nkids > 1) {
		int from, to;

		qsort(p->kids, p->nkids, sizeof(*p->kids), by_link);
		topo_link_ends(r->t, p->kids[0]->link, &from, &to);
		p->choice = &r->choices[2 * from + (to < r->n)];
	}
	for (int i = 0; i < p->nkids; i++) {
		int ret = attach_choices(r, p->kids[i], 0);

		if (ret)
			return ret;
	}
	return 0;
}

/* The prefix tree of src -> dst: all paths under spray, one under ecmp. */
static int trie(struct ref *r, int src, int dst, struct node **out)
{
	struct node **root = &r->tries[(size_t)src * r->n + dst];
	int np = topo_num_paths(r->t, src, dst), first = 0;
	int links[16];

	if (*root) {
		*out = *root;
		return 0;
	}
	if (np <= 0)
		return -EINVAL;
	if (!r->spray) {
		first = topo_ecmp_path(r->t, src, dst);
		if (first < 0 || first >= np)
			return -EINVAL;
		np = first + 1;
	}
	*root = zalloc(sizeof(**root));
	(*root)->link = -1;
	for (int i = first; i < np; i++) {
		int h = topo_path(r->t, src, dst, i, links, 16);
		struct node *p = *root;

		if (h <= 0 || h > 16)
			return -EINVAL;
		for (int j = 0; j < h; j++)
			p = add_kid(p, links[j]);
	}
	*out = *root;
	return attach_choices(r, *root, 1);
}

/*
 * Rule 4: the send queue that serves the pair of root, over the first
 * links of its paths 0, 1, 2, ...: one per source under spray (the same
 * links for every dst, else -EINVAL), one per source link under ecmp.
 */
static int sendq_of(struct ref *r, const struct node *root, struct sendq **out)
{
	struct sendq *q = r->links[root->kids[0]->link].q;

	if (!q) {
		for (int i = 0; i < root->nkids; i++)
			if (r->links[root->kids[i]->link].q)
				return -EINVAL;
		q = zalloc(sizeof(*q));
		q->nlinks = root->nkids;
		q->links = zalloc(q->nlinks * sizeof(int));
		for (int i = 0; i < q->nlinks; i++) {
			q->links[i] = root->kids[i]->link;
			r->links[q->links[i]].q = q;
		}
	}
	if (q->nlinks != root->nkids)
		return -EINVAL;
	for (int i = 0; i < q->nlinks; i++)
		if (q->links[i] != root->kids[i]->link)
			return -EINVAL;
	*out = q;
	return 0;
}

/* Rule 1: seg holds link from s; head on at s + L, tail at e + L. */
static void grant(struct ref *r, struct seg *seg, int link, uint64_t s)
{
	struct link *l = &r->links[link];
	uint64_t e = s + ser(l, seg->wire);

	if (e < seg->tail)
		e = seg->tail;
	l->end = e;
	seg->at = kid(seg->at, link);
	if (seg->at->nkids) {
		seg->tail = e + l->lat;
		push(r, s + l->lat, -1, seg);
	} else {
		if (r->arrival[seg->msg] < e + l->lat)
			r->arrival[seg->msg] = e + l->lat;
		free(seg);
	}
	push(r, e, link, NULL);
}

/*
 * Rule 2: while link is free (its last segment ended at or before now)
 * and segments wait, serve them. A source link serves its send queue,
 * which hands its next segment to the first of its free links at or after
 * its pointer (rule 4).
 */
static void serve(struct ref *r, int link, uint64_t now)
{
	struct link *l = &r->links[link];
	struct sendq *q = l->q;

	if (!q) {
		while (l->ring.first && l->end <= now)
			grant(r, ring_pop(&l->ring), link, now);
		return;
	}
	while (q->ring.first) {
		int c = -1;

		for (int k = 0; k < q->nlinks && c < 0; k++) {
			int j = (q->ptr + k) % q->nlinks;

			if (r->links[q->links[j]].end <= now)
				c = j;
		}
		if (c < 0)
			return;
		q->ptr = (c + 1) % q->nlinks;
		grant(r, sendq_pop(r, &q->ring, now), q->links[c], now);
	}
}

static uint64_t backlog(const struct link *l, uint64_t now)
{
	return l->drain > now ? l->drain - now : 0;
}

/* Rule 5: the least backlog, ties to the first at or after the pointer. */
static int pick(struct ref *r, const struct node *p, uint64_t now)
{
	struct choice *c = p->choice;
	uint64_t best = UINT64_MAX;
	int j = c->ptr < p->nkids ? c->ptr : 0;

	for (int i = 0; i < p->nkids; i++)
		if (backlog(&r->links[p->kids[i]->link], now) < best)
			best = backlog(&r->links[p->kids[i]->link], now);
	while (backlog(&r->links[p->kids[j]->link], now) != best)
		j = (j + 1) % p->nkids;
	c->ptr = (j + 1) % p->nkids;
	return p->kids[j]->link;
}

/* seg's head is at a switch: it takes its next link and queues there. */
static void head(struct ref *r, struct seg *seg, uint64_t now)
{
	const struct topo_msg *m = &r->msgs[seg->msg];
	struct node *p = seg->at;
	int link = p->nkids > 1 ? pick(r, p, now) : p->kids[0]->link;
	struct link *l = &r->links[link];

	l->drain = (l->drain > now ? l->drain : now) + ser(l, seg->wire);
	ring_push(&l->ring, m->src, m->dst, seg);
	serve(r, link, now);
}

/*
 * Cut message i into its send queue, whole at its inject_ns (rule 1), and
 * serve the queue in an event at inject_ns: the messages of that ns are
 * all in before a link serves any (rule 6).
 */
static int inject(struct ref *r, size_t i)
{
	const struct topo_msg *m = &r->msgs[i];
	uint64_t nseg = m->bytes ? (m->bytes + r->mtu - 1) / r->mtu : 1;
	struct sendq *q;
	struct node *root;
	int ret;

	if (m->src < 0 || m->src >= r->n || m->dst < 0 || m->dst >= r->n ||
	    m->src == m->dst)
		return -EINVAL;
	ret = trie(r, m->src, m->dst, &root);
	if (!ret)
		ret = sendq_of(r, root, &q);
	if (ret)
		return ret;
	for (uint64_t k = 0; k < nseg; k++) {
		struct seg *s = zalloc(sizeof(*s));
		uint64_t left = m->bytes - k * r->mtu;

		s->msg = i;
		s->wire = (left < r->mtu ? left : r->mtu) + r->header;
		s->tail = m->inject_ns;
		s->at = root;
		ring_push(&q->ring, m->src, m->dst, s);
	}
	push(r, m->inject_ns, q->links[0], NULL);
	return 0;
}

static void init_links(struct ref *r)
{
	int l1 = topo_tier_switches(r->t, 0);

	r->links = zalloc(r->nlinks * sizeof(*r->links));
	for (int i = 0; i < r->nlinks; i++) {
		int from, to;

		topo_link_ends(r->t, i, &from, &to);
		r->links[i].lat = topo_link_latency_ns(r->t, i);
		if (to >= r->n)
			r->links[i].lat +=
				topo_tier_hop_ns(r->t, to - r->n < l1 ? 0 : 1);
		r->links[i].gbps = topo_link_gbps(r->t, i);
	}
}

static void release(struct ref *r)
{
	for (size_t i = 0; i < r->nev; i++)
		free(r->heap[i].seg);
	free(r->heap);
	for (int i = 0; i < r->nlinks; i++) {
		struct sendq *q = r->links[i].q;

		ring_free(&r->links[i].ring);
		if (q) { /* freed at the first of its links, forgotten by all */
			for (int k = 0; k < q->nlinks; k++)
				r->links[q->links[k]].q = NULL;
			ring_free(&q->ring);
			free(q->links);
			free(q);
		}
	}
	for (size_t i = 0; i < (size_t)r->n * r->n; i++)
		free_node(r->tries[i]);
	free(r->tries);
	free(r->choices);
	free(r->links);
	free(r->ej_count);
	free(r->ej_link);
	free(r->booked);
}

int ref_fabric_run(const struct topo *t, const struct topo_msg *msgs, size_t n,
		   uint64_t *arrival)
{
	const struct topo_params *p = topo_params(t);
	struct ref r = {
		.t = t,
		.msgs = msgs,
		.arrival = arrival,
		.n = topo_num_endpoints(t),
		.mtu = p->mtu,
		.header = p->header,
		.spray = p->routing == TOPO_ROUTING_SPRAY,
		.nlinks = topo_num_links(t),
	};
	size_t i = 0;
	int ret = 0;

	init_links(&r);
	r.ej_count = zalloc(r.n * sizeof(int));
	r.ej_link = zalloc(r.n * sizeof(int));
	r.booked = zalloc(r.n * sizeof(uint64_t));
	for (int l = 0; l < r.nlinks; l++) {
		int from, to;

		topo_link_ends(t, l, &from, &to);
		if (to < r.n) {
			r.ej_count[to]++;
			r.ej_link[to] = l;
		}
	}
	r.tries = zalloc((size_t)r.n * r.n * sizeof(*r.tries));
	r.choices = zalloc(2 * (size_t)(r.n + topo_num_switches(t)) *
			   sizeof(*r.choices));
	memset(arrival, 0, n * sizeof(*arrival));
	/* Rule 6: a message injected at t goes in before the events at t. */
	while (!ret && (i < n || r.nev)) {
		struct ev ev;

		if (i < n && (!r.nev || msgs[i].inject_ns <= r.heap[0].t)) {
			if (i && msgs[i].inject_ns < msgs[i - 1].inject_ns)
				ret = -EINVAL;
			else
				ret = inject(&r, i++);
			continue;
		}
		ev = pop(&r);
		if (ev.seg)
			head(&r, ev.seg, ev.t);
		else
			serve(&r, ev.link, ev.t);
	}
	release(&r);
	return ret;
}
