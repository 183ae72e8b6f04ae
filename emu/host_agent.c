/* SPDX-License-Identifier: MIT */
/*
 * A host's agent (emu/host.h): one epoll loop that moves records from the
 * feeds of this host's ranks to the other hosts, and from the other hosts
 * to the feeds of their ghosts here. Every fd is non-blocking and
 * edge-triggered: each wake-up reads all there is and writes all that
 * fits, so a batch of calls travels in one write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "common/log.h"
#include "emu/host.h"
#include "transport/tcp.h"
#include "transport/tp.h"

/* Bytes waiting: [head, tail) of p. */
struct hbuf {
	char *p;
	size_t head, tail, cap;
};

enum { EV_CTL, EV_PEER, EV_FEED, EV_GHOST };

struct agent {
	const struct host_agent *a;
	int self, nhosts, epfd;
	struct hbuf *feed_in;  /* [rank]: read from a local rank's feed */
	struct hbuf *ghost;    /* [rank]: for a ghost's feed */
	struct hbuf *peer_in;  /* [host] */
	struct hbuf *peer_out; /* [host] */
	bool *bye;	       /* [host]: all of its ranks ended */
	int nlocal, nexited, nbye;
	int failed_host;      /* -1: none */
	uint64_t recs, bytes; /* records of our ranks, bytes sent for them */
};

static size_t hbuf_len(const struct hbuf *b)
{
	return b->tail - b->head;
}

/* Room for n more bytes at the tail. */
static int hbuf_room(struct hbuf *b, size_t n)
{
	if (b->head == b->tail)
		b->head = b->tail = 0;
	if (b->cap - b->tail >= n)
		return 0;
	/* Move the bytes down only when that frees half of the buffer. */
	if (b->head && b->head >= b->cap / 2) {
		memmove(b->p, b->p + b->head, b->tail - b->head);
		b->tail -= b->head;
		b->head = 0;
	}
	if (b->cap - b->tail < n) {
		size_t cap = MAX(2 * b->cap, b->tail + n);
		char *p = realloc(b->p, MAX(cap, 4096));

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = MAX(cap, 4096);
	}
	return 0;
}

static int hbuf_put(struct hbuf *b, const void *d, size_t n)
{
	int ret = hbuf_room(b, n);

	if (!ret && n) {
		memcpy(b->p + b->tail, d, n);
		b->tail += n;
	}
	return ret;
}

/* Write what fits to fd; -EPIPE (or -errno) when fd is gone. */
static int hbuf_flush(struct hbuf *b, int fd)
{
	while (hbuf_len(b)) {
		ssize_t n = write(fd, b->p + b->head, hbuf_len(b));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		b->head += n;
	}
	return 0;
}

/* Send what host h takes now; -errno when it is gone. */
static int hbuf_send(struct hbuf *b, struct tp_net *n, int h)
{
	while (hbuf_len(b)) {
		ssize_t k = n->ops->send(n, h, b->p + b->head, hbuf_len(b));

		if (k <= 0)
			return k;
		b->head += k;
	}
	return 0;
}

/* Receive all host h has now; 1 at its end, 0, or -errno. */
static int hbuf_recv(struct hbuf *b, struct tp_net *n, int h)
{
	for (;;) {
		int ret = hbuf_room(b, 64 << 10);
		ssize_t k;

		if (ret)
			return ret;
		k = n->ops->recv(n, h, b->p + b->tail, b->cap - b->tail);
		if (k == -EPIPE)
			return 1;
		if (k <= 0)
			return k;
		b->tail += k;
	}
}

/* Read all there is from fd; 1 at end of file, 0, or -errno. */
static int hbuf_fill(struct hbuf *b, int fd)
{
	for (;;) {
		ssize_t n;
		int ret = hbuf_room(b, 64 << 10);

		if (ret)
			return ret;
		n = read(fd, b->p + b->tail, b->cap - b->tail);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (!n)
			return 1;
		b->tail += n;
	}
}

/* Write what fd takes now, if nothing waits before it; queue the rest. */
static int to_fd(struct hbuf *b, int fd, const char *p, size_t n)
{
	ssize_t k = 0;

	if (!hbuf_len(b) && (k = write(fd, p, n)) < 0)
		k = 0;
	return hbuf_put(b, p + k, n - k);
}

static int host_of(const struct agent *g, int rank)
{
	int h = 0;

	while (h + 1 < g->nhosts && rank >= g->a->host_lo[h + 1])
		h++;
	return h;
}

/* Queue rec (size bytes at p) for host h; its payload only if h reads it. */
static int to_peer(struct agent *g, int h, const char *p)
{
	struct host_rec rec;
	int ret;

	memcpy(&rec, p, sizeof(rec));
	if (!(rec.flags & HOST_REC_PAYLOAD) || host_of(g, rec.peer) == h) {
		struct hbuf *b = &g->peer_out[h];
		ssize_t k = 0;

		/* Nothing queued before it: what the stream takes now is
		 * not copied (a failure shows at the next flush). */
		if (!hbuf_len(b) &&
		    (k = g->a->net->ops->send(g->a->net, h, p, rec.size)) < 0)
			k = 0;
		return hbuf_put(b, p + k, rec.size - k);
	}
	rec.flags &= ~HOST_REC_PAYLOAD;
	rec.size -= rec.len;
	ret = hbuf_put(&g->peer_out[h], &rec, sizeof(rec));
	return ret
		       ?: hbuf_put(&g->peer_out[h], p + sizeof(rec),
				   rec.size - sizeof(rec));
}

static int to_peers(struct agent *g, const char *p)
{
	int ret = 0;

	g->recs++;
	for (int h = 0; h < g->nhosts; h++)
		g->bytes -= hbuf_len(&g->peer_out[h]);

	for (int h = 0; h < g->nhosts && !ret; h++)
		if (h != g->self)
			ret = to_peer(g, h, p);
	for (int h = 0; h < g->nhosts; h++)
		g->bytes += hbuf_len(&g->peer_out[h]);
	return ret;
}

static int flush_peers(struct agent *g)
{
	int ret = 0;

	for (int h = 0; h < g->nhosts; h++)
		if (h != g->self && hbuf_len(&g->peer_out[h]) &&
		    hbuf_send(&g->peer_out[h], g->a->net, h) &&
		    g->failed_host < 0)
			ret = g->failed_host = h;
	return ret ? -EPIPE : 0;
}

/*
 * The complete records at the head of b, each checked against what its
 * sender may say, handed to fn; what is left is the start of the next.
 */
static int take_records(struct agent *g, struct hbuf *b, int lo, int hi,
			int (*fn)(struct agent *, const char *))
{
	while (hbuf_len(b) >= sizeof(struct host_rec)) {
		struct host_rec rec;
		int ret;

		memcpy(&rec, b->p + b->head, sizeof(rec));
		if (rec.size < sizeof(rec) || rec.op < HOST_INIT ||
		    rec.op >= HOST_NOPS ||
		    (rec.op != HOST_BYE && rec.op != HOST_ABORT &&
		     (rec.rank < lo || rec.rank >= hi)))
			return -EPROTO;
		if (hbuf_len(b) < rec.size)
			return hbuf_room(b, rec.size - hbuf_len(b));
		ret = fn(g, b->p + b->head);
		if (ret)
			return ret;
		b->head += rec.size;
	}
	return 0;
}

static int read_feed(struct agent *g, int r)
{
	int ret = hbuf_fill(&g->feed_in[r], g->a->feed[r]);

	if (ret < 0)
		return ret;
	return take_records(g, &g->feed_in[r], r, r + 1, to_peers);
}

static void tell_launcher(struct agent *g, int kind, int who, int arg)
{
	struct host_ctl m = {kind, who, arg};

	if (send(g->a->ctl, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		_exit(1); /* the launcher is gone */
}

/* A record from another host: for a ghost, or about the host itself. */
static int from_peer(struct agent *g, const char *p)
{
	struct host_rec rec;

	memcpy(&rec, p, sizeof(rec));
	if (rec.op == HOST_BYE) {
		g->bye[host_of(g, rec.rank)] = true;
		g->nbye++;
		return 0;
	}
	if (rec.op == HOST_ABORT) {
		/* Ghosts still get what came before: the launcher decides. */
		int h = host_of(g, rec.rank);

		tell_launcher(g, HOST_CTL_ABORTED, h, rec.arg);
		if (!g->bye[h]) {
			g->bye[h] = true;
			g->nbye++;
		}
		return 0;
	}
	return to_fd(&g->ghost[rec.rank], g->a->feed[rec.rank], p, rec.size);
}

static void flush_ghost(struct agent *g, int r)
{
	/* A ghost that is gone was stopped: the launcher knows. */
	if (hbuf_flush(&g->ghost[r], g->a->feed[r]))
		g->ghost[r].head = g->ghost[r].tail = 0;
}

static int read_peer(struct agent *g, int h)
{
	const int *lo = g->a->host_lo;
	int end = hbuf_recv(&g->peer_in[h], g->a->net, h), ret;

	if (end < 0)
		return end;
	ret = take_records(g, &g->peer_in[h], lo[h], lo[h + 1], from_peer);
	for (int r = lo[h]; r < lo[h + 1]; r++)
		if (hbuf_len(&g->ghost[r]))
			flush_ghost(g, r);
	/* Its last record, BYE, may come with the end of the stream. */
	return ret ?: end && !g->bye[h] ? -EPIPE : 0;
}

/* A rank ended: what it recorded is all in its feed; then its EXIT. */
static int rank_exited(struct agent *g, int r, int status)
{
	struct host_rec rec = {
		.size = sizeof(rec), .op = HOST_EXIT, .rank = r, .arg = status};
	int ret = read_feed(g, r);

	ret = ret ?: to_peers(g, (const char *)&rec);
	if (ret)
		return ret;
	if (++g->nexited == g->nlocal) {
		rec = (struct host_rec){.size = sizeof(rec),
					.op = HOST_BYE,
					.rank = g->a->host_lo[g->self]};
		ret = to_peers(g, (const char *)&rec);
	}
	return ret;
}

/* Tell every other host the run stopped here, as well as we can in 2 s. */
static void abort_peers(struct agent *g, int why)
{
	struct host_rec rec = {
		.size = sizeof(rec), .op = HOST_ABORT, .rank = -1, .arg = why};
	uint64_t end = snemu_wall_ns() + 2 * NSEC_PER_SEC;

	for (int h = 0; h < g->nhosts; h++) {
		if (h == g->self || h == g->failed_host)
			continue;
		rec.rank = g->a->host_lo[g->self];
		if (to_peer(g, h, (const char *)&rec))
			continue;
		while (hbuf_len(&g->peer_out[h]) && snemu_wall_ns() < end) {
			struct pollfd p[16];
			int n = MIN(g->a->net->nfds, 16);

			for (int i = 0; i < n; i++)
				p[i] = (struct pollfd){g->a->net->fds[i],
						       POLLIN | POLLOUT, 0};
			if (g->a->net->ops->progress(g->a->net) ||
			    hbuf_send(&g->peer_out[h], g->a->net, h))
				break;
			if (hbuf_len(&g->peer_out[h]))
				poll(p, n, 10);
		}
	}
}

static int read_ctl(struct agent *g)
{
	struct host_ctl m;
	ssize_t n;
	int ret;

	while ((n = recv(g->a->ctl, &m, sizeof(m), MSG_DONTWAIT)) ==
	       sizeof(m)) {
		if (m.kind == HOST_CTL_STOP) {
			abort_peers(g, m.arg);
			return -ECANCELED;
		}
		if (m.kind != HOST_CTL_EXIT || m.who < 0 ||
		    m.who >= g->a->nranks || host_of(g, m.who) != g->self)
			return -EPROTO;
		ret = rank_exited(g, m.who, m.arg);
		if (ret)
			return ret;
	}
	if (!n)
		return -ECANCELED; /* the launcher is gone */
	return n < 0 && errno == EAGAIN ? 0 : -EPROTO;
}

static bool finished(const struct agent *g)
{
	if (g->nexited < g->nlocal || g->nbye < g->nhosts - 1)
		return false;
	for (int h = 0; h < g->nhosts; h++)
		if (hbuf_len(&g->peer_out[h]))
			return false;
	for (int r = 0; r < g->a->nranks; r++)
		if (hbuf_len(&g->ghost[r]))
			return false;
	return true;
}

static int watch(struct agent *g, int fd, int kind, int i, uint32_t events)
{
	struct epoll_event ev = {.events = events,
				 .data.u64 =
					 (uint64_t)kind << 32 | (uint32_t)i};

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int setup(struct agent *g, const struct host_agent *a)
{
	int n = a->nranks, lo, hi, ret;

	g->a = a;
	g->self = a->net->mesh->self;
	g->nhosts = a->net->mesh->nhosts;
	g->failed_host = -1;
	lo = a->host_lo[g->self];
	hi = a->host_lo[g->self + 1];
	g->nlocal = hi - lo;
	g->feed_in = calloc(n, sizeof(*g->feed_in));
	g->ghost = calloc(n, sizeof(*g->ghost));
	g->peer_in = calloc(g->nhosts, sizeof(*g->peer_in));
	g->peer_out = calloc(g->nhosts, sizeof(*g->peer_out));
	g->bye = calloc(g->nhosts, sizeof(*g->bye));
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!g->feed_in || !g->ghost || !g->peer_in || !g->peer_out ||
	    !g->bye || g->epfd < 0)
		return -ENOMEM;
	ret = watch(g, a->ctl, EV_CTL, 0, EPOLLIN);
	for (int i = 0; i < a->net->nfds && !ret; i++)
		ret = watch(g, a->net->fds[i], EV_PEER, a->net->fd_host[i],
			    EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP);
	for (int r = 0; r < n && !ret; r++)
		ret = r >= lo && r < hi ? watch(g, a->feed[r], EV_FEED, r,
						EPOLLIN | EPOLLET)
					: watch(g, a->feed[r], EV_GHOST, r,
						EPOLLOUT | EPOLLET);
	return ret;
}

static int handle(struct agent *g, const struct epoll_event *ev)
{
	int kind = ev->data.u64 >> 32, i = (int32_t)ev->data.u64, ret;

	switch (kind) {
	case EV_CTL: return read_ctl(g);
	case EV_FEED: return read_feed(g, i);
	case EV_GHOST: flush_ghost(g, i); return 0;
	}
	/* A host, or (i = -1) any of them: take what came. */
	ret = g->a->net->ops->progress(g->a->net);
	for (int h = i < 0 ? 0 : i; !ret && h < (i < 0 ? g->nhosts : i + 1);
	     h++) {
		if (h == g->self)
			continue;
		ret = read_peer(g, h);
		if (ret && g->failed_host < 0)
			g->failed_host = h;
	}
	return ret;
}

int host_agent_main(const struct host_agent *a)
{
	struct epoll_event evs[64];
	struct agent g = {0};
	int ret;

	snemu_log_set_rank(-1);
	ret = setup(&g, a);
	while (!ret) {
		if (finished(&g)) {
			log_info("agent of host %d: %" PRIu64
				 " records, %" PRIu64 " bytes sent over %s",
				 g.self, g.recs, g.bytes, a->net->ops->name);
			tell_launcher(&g, HOST_CTL_DONE, -1, 0);
			return 0;
		}
		int n = epoll_wait(g.epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		for (int i = 0; i < n && !ret; i++)
			ret = handle(&g, &evs[i]);
		ret = ret ?: flush_peers(&g);
	}
	if (g.failed_host >= 0) {
		tell_launcher(&g, HOST_CTL_LOST, g.failed_host, -ret);
		abort_peers(&g, 0);
	} else if (ret != -ECANCELED) {
		log_err("agent: %s", strerror(-ret));
		abort_peers(&g, 0);
	}
	return 1;
}
