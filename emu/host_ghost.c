/* SPDX-License-Identifier: MIT */
/*
 * A ghost: the stand-in of a rank of another host (emu/host.h). It reads
 * the rank's calls from its feed and makes them, with the same arguments
 * and in the same order, so that this host's engine sees what the rank
 * does. It has no data of its own: its receives land nowhere (the engine
 * copies nothing into a rank of another host) and its sends carry the
 * payload that came with them, when it is for a rank of this host.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "common/log.h"
#include "emu/host.h"
#include "snemu.h"

/* The rank's live requests: its handle -> ours, and the payload we sent. */
struct ghost_ent {
	uint64_t key; /* 0: empty */
	struct snemu_req *r;
	void *payload;
};

struct ghost {
	int rank, feed;
	char *buf; /* what was read from the feed and not parsed yet */
	size_t head, tail, cap;
	struct ghost_ent *ent;
	size_t nent, capent; /* capent: a power of two */
	struct snemu_req **reqs;
	uint64_t *handles;
	int *idx;
	int capreqs;
};

#define GHOST_READ (256 << 10)

/* Any non-NULL address: a ghost's receive buffer is never written. */
static char ghost_sink;

/* Fill dst with len bytes of the feed; -EPIPE when it ended. */
static int feed_read(struct ghost *g, void *dst, size_t len)
{
	char *d = dst;

	while (len) {
		ssize_t n;

		if (g->head < g->tail) {
			size_t k = MIN(len, g->tail - g->head);

			memcpy(d, g->buf + g->head, k);
			g->head += k;
			d += k;
			len -= k;
			continue;
		}
		/* Large payloads go straight to where they belong. */
		if (len >= g->cap)
			n = read(g->feed, d, len);
		else
			n = read(g->feed, g->buf, g->cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		if (len >= g->cap) {
			d += n;
			len -= n;
		} else {
			g->head = 0;
			g->tail = n;
		}
	}
	return 0;
}

static size_t slot_of(const struct ghost *g, uint64_t key)
{
	return (key >> 6) * 0x9e3779b97f4a7c15ULL >> 20 & (g->capent - 1);
}

static struct ghost_ent *ent_find(struct ghost *g, uint64_t key)
{
	for (size_t i = slot_of(g, key);; i = (i + 1) & (g->capent - 1))
		if (g->ent[i].key == key || !g->ent[i].key)
			return &g->ent[i];
}

static int ent_grow(struct ghost *g)
{
	struct ghost_ent *old = g->ent;
	size_t oldcap = g->capent;

	g->capent = oldcap ? 2 * oldcap : 1024;
	g->ent = calloc(g->capent, sizeof(*g->ent));
	if (!g->ent)
		return -ENOMEM;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*ent_find(g, old[i].key) = old[i];
	free(old);
	return 0;
}

/* The rank made request key: ours is r (a send of payload, or NULL). */
static int ent_put(struct ghost *g, uint64_t key, struct snemu_req *r,
		   void *payload)
{
	struct ghost_ent *e;

	if (2 * (g->nent + 1) > g->capent && ent_grow(g))
		return -ENOMEM;
	e = ent_find(g, key);
	if (e->key)
		free(e->payload); /* a handle the rank reused: it completed */
	else
		g->nent++;
	*e = (struct ghost_ent){key, r, payload};
	return 0;
}

/* Request key completed: forget it (backward-shift deletion). */
static void ent_del(struct ghost *g, uint64_t key)
{
	size_t mask = g->capent - 1, i, j;
	struct ghost_ent *e = ent_find(g, key);

	if (!e->key)
		return;
	free(e->payload);
	i = e - g->ent;
	for (j = (i + 1) & mask; g->ent[j].key; j = (j + 1) & mask) {
		size_t home = slot_of(g, g->ent[j].key);

		/* Move j into the hole at i if its home is not in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			g->ent[i] = g->ent[j];
			i = j;
		}
	}
	g->ent[i].key = 0;
	g->nent--;
}

/* Our requests for the rank's n handles (0 stays NULL). */
static int map_reqs(struct ghost *g, int n)
{
	for (int i = 0; i < n; i++) {
		struct ghost_ent *e = NULL;

		if (g->handles[i]) {
			e = ent_find(g, g->handles[i]);
			if (!e->key) {
				log_err("ghost of rank %d: a request it never "
					"made",
					g->rank);
				return -EPROTO;
			}
		}
		g->reqs[i] = e ? e->r : NULL;
	}
	return 0;
}

static int grow_reqs(struct ghost *g, int n)
{
	if (n <= g->capreqs)
		return 0;
	free(g->reqs);
	free(g->handles);
	free(g->idx);
	g->reqs = malloc(n * sizeof(*g->reqs));
	g->handles = malloc(n * sizeof(*g->handles));
	g->idx = malloc(n * sizeof(*g->idx));
	if (!g->reqs || !g->handles || !g->idx)
		return -ENOMEM;
	g->capreqs = n;
	return 0;
}

/* The calls on requests; those that completed are forgotten. */
static int replay_reqs(struct ghost *g, const struct host_rec *rec)
{
	int n = rec->nreq, done = 0, idx = -1, count = 0, ret;

	ret = map_reqs(g, n);
	if (ret)
		return ret;
	switch (rec->op) {
	case HOST_WAIT:
		ret = snemu_wait(g->reqs[0], NULL);
		done = 1;
		break;
	case HOST_TEST: ret = snemu_test(g->reqs[0], &done, NULL); break;
	case HOST_WAITALL:
		ret = snemu_waitall(n, g->reqs, NULL);
		done = 1;
		break;
	case HOST_TESTALL: ret = snemu_testall(n, g->reqs, &done, NULL); break;
	case HOST_WAITANY: ret = snemu_waitany(n, g->reqs, &idx, NULL); break;
	case HOST_TESTANY:
		ret = snemu_testany(n, g->reqs, &idx, &done, NULL);
		break;
	case HOST_TESTSOME:
		ret = snemu_testsome(n, g->reqs, &count, g->idx, NULL);
		break;
	case HOST_CANCEL: return snemu_cancel(g->reqs[0]);
	}
	if (done && idx < 0)
		for (int i = 0; i < n; i++)
			if (g->handles[i])
				ent_del(g, g->handles[i]);
	if (idx >= 0)
		ent_del(g, g->handles[idx]);
	for (int j = 0; j < count; j++)
		ent_del(g, g->handles[g->idx[j]]);
	return ret;
}

/* A send or a receive; payload is the send's, or NULL. */
static int replay_p2p(struct ghost *g, const struct host_rec *rec,
		      void *payload)
{
	const void *src = payload ? payload : &ghost_sink;
	struct snemu_req *r = NULL;
	int ret;

	switch (rec->op) {
	case HOST_SEND:
		ret = snemu_send_comm(rec->comm, rec->peer, rec->tag, src,
				      rec->len, rec->arg);
		free(payload);
		return ret;
	case HOST_RECV:
		return snemu_recv_comm(rec->comm, rec->peer, rec->tag,
				       &ghost_sink, rec->len, NULL);
	case HOST_ISEND:
		ret = snemu_isend_comm(rec->comm, rec->peer, rec->tag, src,
				       rec->len, rec->arg, &r);
		break;
	default:
		ret = snemu_irecv_comm(rec->comm, rec->peer, rec->tag,
				       &ghost_sink, rec->len, &r);
		break;
	}
	if (ret) {
		free(payload);
		return ret;
	}
	return ent_put(g, rec->req, r, payload);
}

/* The rank's clock as it finalized there, against ours. */
static int replay_finalize(struct ghost *g, const struct host_rec *rec)
{
	if (snemu_now() != rec->len) {
		log_err("ghost of rank %d: the hosts diverged: its clock is "
			"%" PRIu64 " ns on its host and %" PRIu64 " ns here",
			g->rank, rec->len, snemu_now());
		return -EPROTO;
	}
	return snemu_finalize();
}

static int replay(struct ghost *g, const struct host_rec *rec, void *payload)
{
	int flag;

	switch (rec->op) {
	case HOST_INIT:
		/* Without it every later call would differ from the rank's. */
		return snemu_init(NULL, NULL) ? -EPROTO : 0;
	case HOST_FINALIZE: return replay_finalize(g, rec);
	case HOST_COMPUTE: return snemu_compute(rec->len);
	case HOST_SEND:
	case HOST_RECV:
	case HOST_ISEND:
	case HOST_IRECV: return replay_p2p(g, rec, payload);
	case HOST_PROBE:
		return snemu_probe_comm(rec->comm, rec->peer, rec->tag, NULL);
	case HOST_IPROBE:
		return snemu_iprobe_comm(rec->comm, rec->peer, rec->tag, &flag,
					 NULL);
	case HOST_BARRIER: return snemu_barrier();
	default: return replay_reqs(g, rec);
	}
}

/* End as the rank's process did: its exit code, or its signal. */
static int __attribute__((noreturn)) end_as(int status)
{
	if (WIFSIGNALED(status)) {
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none);
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* Read the next record and its payload; a protocol error ends the ghost. */
static int next_record(struct ghost *g, struct host_rec *rec, void **payload)
{
	uint64_t want;
	int ret;

	*payload = NULL;
	ret = feed_read(g, rec, sizeof(*rec));
	if (ret)
		return ret;
	want = sizeof(*rec) + (uint64_t)rec->nreq * sizeof(uint64_t) +
	       (rec->flags & HOST_REC_PAYLOAD ? rec->len : 0);
	if (rec->op < HOST_INIT || rec->op >= HOST_NOPS || rec->nreq < 0 ||
	    rec->nreq > HOST_REC_MAX_REQS || rec->size != want ||
	    rec->rank != g->rank)
		return -EPROTO;
	ret = grow_reqs(g, rec->nreq)
		      ?: feed_read(g, g->handles, rec->nreq * sizeof(uint64_t));
	if (ret || !(rec->flags & HOST_REC_PAYLOAD))
		return ret;
	*payload = malloc(MAX(rec->len, 1));
	if (!*payload)
		return -ENOMEM;
	ret = feed_read(g, *payload, rec->len);
	if (ret) {
		free(*payload);
		*payload = NULL;
	}
	return ret;
}

int host_ghost_main(int rank, int feed)
{
	struct ghost g = {.rank = rank, .feed = feed, .cap = GHOST_READ};
	struct host_rec rec;
	void *payload;
	int ret;

	snemu_log_set_rank(rank);
	g.buf = malloc(g.cap);
	ret = g.buf ? ent_grow(&g) : -ENOMEM;
	while (!ret) {
		ret = next_record(&g, &rec, &payload);
		if (ret)
			break;
		if (rec.op == HOST_EXIT)
			end_as(rec.arg);
		ret = replay(&g, &rec, payload);
		/* The rank got the same answer there: only a stop ends us. */
		if (ret == -ECANCELED || ret == -EPROTO || ret == -ENOMEM)
			break;
		ret = 0;
	}
	if (ret != -ECANCELED)
		log_err("ghost of rank %d: %s", rank,
			ret == -EPIPE	 ? "its feed ended early"
			: ret == -EPROTO ? "a broken record"
					 : strerror(-ret));
	return 70;
}
