/* SPDX-License-Identifier: MIT */
/*
 * The built-in demonstration: the traffic of a training step in miniature.
 * A ring inside each node, an all-to-all between the NPUs of the same index
 * on every node (the "rail"), a hierarchical all-reduce (node, rail, node),
 * barriers, and one-sided puts, gets and an atomic incast. Every rank checks
 * what it received; rank 0 gathers the checks and byte counts and prints one
 * line per phase. Only the public API is used, as a user program would.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snemu.h"
#include "common/common.h"
#include "emu/demo.h"

#define RING_BYTES   (256u << 10)
#define RAIL_BYTES   (16u << 10)
#define REDUCE_WORDS (128u << 10) /* 1 MiB of uint64_t */
#define BARRIERS     10
#define PUT_BYTES    4096u

enum { TAG_RING = 1, TAG_RAIL, TAG_REDUCE, TAG_GATHER };

struct demo {
	int rank, size;
	int nnodes, node;
	int *node_first;     /* first rank of each node; [nnodes] = size */
	int local, per_node; /* index in this node, ranks on this node */
	uint64_t bytes;	     /* payload this rank moved in this phase */
	uint64_t errors;     /* wrong words this rank saw in this phase */
	uint64_t *a, *b;     /* the phases' buffers, allocated once */
};

/* Ranks that talk in a ring; this rank is ranks[me]. */
struct group {
	int n, me;
	int *ranks;
};

/* The value of word i of what src sends dst in a phase. */
static uint64_t pattern(int phase, int src, int dst, size_t i)
{
	return ((uint64_t)phase << 56) ^ ((uint64_t)src << 36) ^
	       ((uint64_t)dst << 16) ^ i;
}

static void fill(uint64_t *w, size_t n, int phase, int src, int dst)
{
	for (size_t i = 0; i < n; i++)
		w[i] = pattern(phase, src, dst, i);
}

static uint64_t check(const uint64_t *w, size_t n, int phase, int src, int dst)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += w[i] != pattern(phase, src, dst, i);
	return bad;
}

static int node_size(const struct demo *d, int node)
{
	return d->node_first[node + 1] - d->node_first[node];
}

/* Send out to dst while receiving in from src; both complete on return. */
static int sendrecv(int tag, int dst, const void *out, size_t olen, int src,
		    void *in, size_t ilen)
{
	struct snemu_req *req;
	int ret, ret2;

	ret = snemu_isend(dst, tag, out, olen, &req);
	if (ret)
		return ret;
	ret = snemu_recv(src, tag, in, ilen, NULL);
	ret2 = snemu_wait(req, NULL);
	return ret ? ret : ret2;
}

static int ring_phase(struct demo *d)
{
	size_t nw = RING_BYTES / 8;
	int first = d->node_first[d->node], n = d->per_node;
	int right = first + (d->local + 1) % n;
	int left = first + (d->local + n - 1) % n;
	int ret;

	if (n < 2)
		return 0;
	fill(d->a, nw, 1, d->rank, right);
	ret = sendrecv(TAG_RING, right, d->a, RING_BYTES, left, d->b,
		       RING_BYTES);
	if (ret)
		return ret;
	d->bytes += RING_BYTES;
	d->errors += check(d->b, nw, 1, left, d->rank);
	return 0;
}

/* The ranks with this rank's index on every node that has one. */
static int rail_group(const struct demo *d, struct group *g)
{
	g->ranks = malloc(d->nnodes * sizeof(*g->ranks));
	if (!g->ranks)
		return -ENOMEM;
	g->n = 0;
	for (int k = 0; k < d->nnodes; k++) {
		if (d->local >= node_size(d, k))
			continue;
		if (k == d->node)
			g->me = g->n;
		g->ranks[g->n++] = d->node_first[k] + d->local;
	}
	return 0;
}

static int rail_phase(struct demo *d)
{
	size_t nw = RAIL_BYTES / 8;
	uint64_t *out = d->a, *in = d->b;
	struct snemu_req **reqs;
	struct group g;
	int ret, ret2, nreq = 0;

	ret = rail_group(d, &g);
	if (ret)
		return ret;
	ret = -ENOMEM;
	reqs = malloc(2 * g.n * sizeof(*reqs));
	if (!reqs)
		goto out;
	ret = 0;
	/* Start with the next node, so that no node is everyone's first. */
	for (int s = 1; s < g.n && !ret; s++) {
		int j = (g.me + s) % g.n, peer = g.ranks[j];

		ret = snemu_irecv(peer, TAG_RAIL, in + j * nw, RAIL_BYTES,
				  &reqs[nreq]);
		if (ret)
			break;
		nreq++;
		fill(out + j * nw, nw, 2, d->rank, peer);
		ret = snemu_isend(peer, TAG_RAIL, out + j * nw, RAIL_BYTES,
				  &reqs[nreq]);
		if (!ret)
			nreq++;
	}
	ret2 = snemu_waitall(nreq, reqs, NULL);
	if (!ret)
		ret = ret2;
	for (int j = 0; !ret && j < g.n; j++) {
		if (j == g.me)
			continue;
		d->bytes += RAIL_BYTES;
		d->errors += check(in + j * nw, nw, 2, g.ranks[j], d->rank);
	}
	free(reqs);
out:
	free(g.ranks);
	return ret;
}

/* Words [lo, hi) of a vector of len words cut into n ring blocks. */
static void block(size_t len, int n, int b, size_t *lo, size_t *hi)
{
	b = (b % n + n) % n;
	*lo = len * b / n;
	*hi = len * (b + 1) / n;
}

/* One ring step: send block sb to the right, receive block rb from the
 * left into in (or straight into v when in is NULL), add when reducing. */
static int ring_step(struct demo *d, const struct group *g, uint64_t *v,
		     size_t len, int sb, int rb, uint64_t *in)
{
	int right = g->ranks[(g->me + 1) % g->n];
	int left = g->ranks[(g->me + g->n - 1) % g->n];
	size_t slo, shi, rlo, rhi;
	int ret;

	block(len, g->n, sb, &slo, &shi);
	block(len, g->n, rb, &rlo, &rhi);
	ret = sendrecv(TAG_REDUCE, right, v + slo, (shi - slo) * 8, left,
		       in ? in : v + rlo, (rhi - rlo) * 8);
	if (ret)
		return ret;
	d->bytes += (shi - slo) * 8;
	for (size_t i = 0; in && i < rhi - rlo; i++)
		v[rlo + i] += in[i];
	return 0;
}

/* Ring reduce-scatter: afterwards member me owns block me + 1, summed. */
static int reduce_scatter(struct demo *d, const struct group *g, uint64_t *v,
			  size_t len, uint64_t *tmp)
{
	int ret = 0;

	for (int s = 0; s < g->n - 1 && !ret; s++)
		ret = ring_step(d, g, v, len, g->me - s, g->me - s - 1, tmp);
	return ret;
}

/* Ring all-gather of the blocks that reduce_scatter left in place. */
static int all_gather(struct demo *d, const struct group *g, uint64_t *v,
		      size_t len)
{
	int ret = 0;

	for (int s = 0; s < g->n - 1 && !ret; s++)
		ret = ring_step(d, g, v, len, g->me + 1 - s, g->me - s, NULL);
	return ret;
}

static int all_reduce(struct demo *d, const struct group *g, uint64_t *v,
		      size_t len, uint64_t *tmp)
{
	int ret = reduce_scatter(d, g, v, len, tmp);

	return ret ? ret : all_gather(d, g, v, len);
}

static int uniform_nodes(const struct demo *d)
{
	for (int k = 0; k < d->nnodes; k++)
		if (node_size(d, k) != d->per_node)
			return 0;
	return 1;
}

/*
 * Sum a vector over all ranks. With nodes of equal size: reduce-scatter
 * inside the node, all-reduce each block along the rail, all-gather inside
 * the node, as topology-aware libraries do; else one flat ring.
 */
static int reduce_phase(struct demo *d)
{
	uint64_t *v = d->a, *tmp = d->b;
	uint64_t n = d->size, want;
	struct group node, rail = {0};
	size_t lo, hi;
	int ret = -ENOMEM;

	node.n = d->per_node;
	node.me = d->local;
	node.ranks = malloc(d->size * sizeof(*node.ranks));
	if (!node.ranks)
		goto out;
	for (size_t i = 0; i < REDUCE_WORDS; i++)
		v[i] = (uint64_t)d->rank * 1000003 + i;
	if (uniform_nodes(d)) {
		for (int i = 0; i < node.n; i++)
			node.ranks[i] = d->node_first[d->node] + i;
		ret = rail_group(d, &rail);
		if (!ret)
			ret = reduce_scatter(d, &node, v, REDUCE_WORDS, tmp);
		block(REDUCE_WORDS, node.n, node.me + 1, &lo, &hi);
		if (!ret)
			ret = all_reduce(d, &rail, v + lo, hi - lo, tmp);
		if (!ret)
			ret = all_gather(d, &node, v, REDUCE_WORDS);
	} else {
		node.n = d->size;
		node.me = d->rank;
		for (int i = 0; i < d->size; i++)
			node.ranks[i] = i;
		ret = all_reduce(d, &node, v, REDUCE_WORDS, tmp);
	}
	for (size_t i = 0; !ret && i < REDUCE_WORDS; i++) {
		want = 1000003 * (n * (n - 1) / 2) + n * i;
		d->errors += v[i] != want;
	}
out:
	free(rail.ranks);
	free(node.ranks);
	return ret;
}

static int barrier_phase(struct demo *d)
{
	int ret = 0;

	for (int i = 0; i < BARRIERS && !ret; i++)
		ret = snemu_barrier();
	return ret;
}

/*
 * Each rank puts a block into the window of the same NPU on the next node,
 * flushes, reads it back with a get, and adds 1 to a counter on rank 0
 * (an incast of atomics). After a barrier each checks what landed in its
 * own window, and rank 0 its counter.
 */
static int onesided_phase(struct demo *d)
{
	size_t nw = PUT_BYTES / 8, cnt_off = PUT_BYTES;
	int off = node_size(d, 0) < d->size ? node_size(d, 0) : 1 % d->size;
	int dst = (d->rank + off) % d->size;
	int src = (d->rank - off + d->size) % d->size;
	uint64_t *out = d->a, *back = d->b, *base;
	struct snemu_win *win;
	int ret, ret2;

	ret = snemu_win_allocate(PUT_BYTES + 8, (void **)&base, &win);
	if (ret)
		return ret;
	fill(out, nw, 5, d->rank, dst);
	ret = snemu_put(win, dst, 0, out, PUT_BYTES);
	if (!ret)
		ret = snemu_flush(win, dst);
	if (!ret)
		ret = snemu_get(win, dst, 0, back, PUT_BYTES);
	if (!ret)
		ret = snemu_atomic_fadd(win, 0, cnt_off, 1, NULL);
	if (!ret)
		ret = snemu_barrier();
	if (!ret) {
		d->bytes += 2 * PUT_BYTES + 8;
		d->errors += check(back, nw, 5, d->rank, dst);
		d->errors += check(base, nw, 5, src, d->rank);
		if (d->rank == 0)
			d->errors += base[nw] != (uint64_t)d->size;
	}
	ret2 = snemu_win_free(win);
	return ret ? ret : ret2;
}

static const struct {
	const char *name;
	int (*run)(struct demo *d);
} phases[] = {
	{"ring inside each node, 256 KiB", ring_phase},
	{"all-to-all along each rail, 16 KiB", rail_phase},
	{"all-reduce 1 MiB", reduce_phase},
	{"10 barriers", barrier_phase},
	{"put+get 4 KiB next node, atomic", onesided_phase},
};

#define NPHASES (sizeof(phases) / sizeof(phases[0]))

/* Rank 0 adds up every rank's (errors, bytes) per phase. */
static int gather_stats(struct demo *d, uint64_t st[NPHASES][2])
{
	uint64_t other[NPHASES][2];
	int ret;

	if (d->rank)
		return snemu_send(0, TAG_GATHER, st, sizeof(other));
	for (int r = 1; r < d->size; r++) {
		ret = snemu_recv(r, TAG_GATHER, other, sizeof(other), NULL);
		if (ret)
			return ret;
		for (size_t p = 0; p < NPHASES; p++) {
			st[p][0] += other[p][0];
			st[p][1] += other[p][1];
		}
	}
	return 0;
}

static void print_table(const struct demo *d, uint64_t st[NPHASES][2],
			const uint64_t *ns, const char *topo)
{
	char bytes[32], rate[32], ok[48];

	printf("snemu demo: %d rank%s on %d node%s of %s, all data checked\n",
	       d->size, snemu_s(d->size), d->nnodes, snemu_s(d->nnodes), topo);
	printf("  %-36s %10s %13s %12s  %s\n", "phase", "bytes", "virtual time",
	       "aggregate", "check");
	for (size_t p = 0; p < NPHASES; p++) {
		if (st[p][1]) {
			snprintf(bytes, sizeof(bytes), "%.1f MiB",
				 st[p][1] / 1048576.0);
			snprintf(rate, sizeof(rate), "%.0f GB/s",
				 ns[p] ? (double)st[p][1] / ns[p] : 0.0);
		} else {
			snprintf(bytes, sizeof(bytes), "-");
			snprintf(rate, sizeof(rate), "-");
		}
		if (st[p][0])
			snprintf(ok, sizeof(ok), "FAILED (%" PRIu64 " wrong)",
				 st[p][0]);
		else
			snprintf(ok, sizeof(ok), "ok");
		printf("  %-36s %10s %10.3f us %12s  %s\n", phases[p].name,
		       bytes, ns[p] / 1e3, rate, ok);
	}
	fflush(stdout);
}

static int demo_setup(struct demo *d)
{
	size_t buf;

	d->rank = snemu_rank();
	d->size = snemu_size();
	d->nnodes = snemu_node_of(d->size - 1) + 1;
	d->node = snemu_node_of(d->rank);
	buf = MAX(REDUCE_WORDS * 8, (size_t)d->nnodes * RAIL_BYTES);
	d->node_first = malloc((d->nnodes + 1) * sizeof(*d->node_first));
	d->a = malloc(buf);
	d->b = malloc(buf);
	if (!d->node_first || !d->a || !d->b)
		return -ENOMEM;
	/* Ranks are numbered node by node. */
	for (int r = d->size - 1; r >= 0; r--)
		d->node_first[snemu_node_of(r)] = r;
	d->node_first[d->nnodes] = d->size;
	d->local = d->rank - d->node_first[d->node];
	d->per_node = node_size(d, d->node);
	return 0;
}

int emu_demo_main(void *arg)
{
	uint64_t st[NPHASES][2] = {{0}}, ns[NPHASES], bad = 0, t0;
	struct demo d = {0};
	const char *what = "snemu_init";
	int ret;

	ret = snemu_init(NULL, NULL);
	if (ret)
		goto out;
	what = "setup";
	ret = demo_setup(&d);
	for (size_t p = 0; p < NPHASES && !ret; p++) {
		what = phases[p].name;
		d.bytes = d.errors = 0;
		ret = snemu_barrier();
		t0 = snemu_now();
		if (!ret)
			ret = phases[p].run(&d);
		if (!ret)
			ret = snemu_barrier();
		ns[p] = snemu_now() - t0;
		st[p][0] = d.errors;
		st[p][1] = d.bytes;
	}
	if (!ret) {
		what = "gathering the checks";
		ret = gather_stats(&d, st);
	}
	if (!ret && d.rank == 0) {
		print_table(&d, st, ns, arg ? (const char *)arg : "?");
		for (size_t p = 0; p < NPHASES; p++)
			bad += st[p][0];
	}
	if (!ret) {
		what = "snemu_finalize";
		ret = snemu_finalize();
	}
out:
	free(d.b);
	free(d.a);
	free(d.node_first);
	if (ret)
		fprintf(stderr, "snemu demo: rank %d: %s: %s\n", d.rank, what,
			snemu_strerror(ret));
	return ret || bad ? 1 : 0;
}
