/* SPDX-License-Identifier: MIT */
/*
 * The all-reductions, with the algorithms of `snemu coll` as schedules
 * (the same messages in the same order, so the same virtual times),
 * chosen by environment variables read at MPI_Init:
 *
 *   SNEMU_MPI_ALLREDUCE       rhd (default), ring, topo, tree
 *   SNEMU_MPI_REDUCE_SCATTER  ring (default), tree
 *
 * ring: reduce-scatter then all-gather around the ring of ranks; rhd:
 * recursive halving then doubling (Rabenseifner), the ranks beyond a
 * power of two folded in; topo: a ring inside each node, a ring across
 * nodes on each rank's slice, a ring inside the node again (a plain
 * ring when nodes hold different numbers of the communicator's ranks);
 * tree: a binomial Reduce to rank 0, then Bcast (or Scatterv). A
 * non-commutative operation always takes tree, which keeps rank order.
 * Zero-length transfers are not sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

enum { ALGO_TREE, ALGO_RING, ALGO_RHD, ALGO_TOPO };

static const char *const algo_names[] = {"tree", "ring", "rhd", "topo"};

static int allreduce_algo = ALGO_RHD, reduce_scatter_algo = ALGO_RING;

/* Set *algo from the variable var, one of the first nalgo names. */
static int algo_from_env(const char *var, int nalgo, int *algo)
{
	const char *v = getenv(var);
	char line[256], *p = line, *end = line + sizeof(line);

	if (!v || !*v)
		return 0;
	for (int a = 0; a < nalgo; a++)
		if (!strcmp(v, algo_names[a])) {
			*algo = a;
			return 0;
		}
	/* One write: every rank says it, at once, on the same stderr. */
	p += snprintf(p, end - p, "snemu-mpi: %s=%.100s: not an algorithm (",
		      var, v);
	for (int a = 0; a < nalgo; a++)
		p += snprintf(p, end - p, "%s%s", a ? ", " : "", algo_names[a]);
	snprintf(p, end - p, ")\n");
	fputs(line, stderr);
	return -1;
}

int mpi_coll_algo_init(void)
{
	if (algo_from_env("SNEMU_MPI_ALLREDUCE", 4, &allreduce_algo) ||
	    algo_from_env("SNEMU_MPI_REDUCE_SCATTER", 2, &reduce_scatter_algo))
		return MPI_ERR_ARG;
	return MPI_SUCCESS;
}

/* ---- rings of ranks ---- */

/* Members of a ring: comm ranks (ranks NULL: 0..n-1); me: mine. */
struct ring {
	int n, me;
	const int *ranks;
};

static int member(const struct ring *g, int i)
{
	i = (i % g->n + g->n) % g->n;
	return g->ranks ? g->ranks[i] : i;
}

/* Element offset of block b of count elements cut into n blocks. */
static size_t block_off(size_t count, int n, int b)
{
	return (size_t)b * (count / n) + MIN((size_t)b, count % n);
}

/* The n + 1 block offsets of count elements into n blocks, freed with s. */
static size_t *even_blocks(struct mpi_sched *s, size_t count, int n)
{
	size_t *off = mpi_sched_mem(s, (n + 1) * sizeof(*off));

	for (int b = 0; off && b <= n; b++)
		off[b] = block_off(count, n, b);
	return off;
}

static void xfer(struct mpi_sched *s, int peer, void *buf, size_t len,
		 bool recv)
{
	if (len && recv)
		mpi_sched_recv(s, peer, buf, len);
	else if (len)
		mpi_sched_send(s, peer, buf, len);
}

/*
 * One pass around ring g over blocks [off[b], off[b + 1]) of packed buf:
 * at step k send block first - k to the right and receive block
 * first - k - 1 from the left, reduced into ours (reduce) or stored.
 * A reducing pass with first = me - 1 leaves this rank with its own
 * block reduced; a storing one with first = me spreads each rank's.
 */
static void ring_pass(struct mpi_sched *s, const struct ring *g, char *buf,
		      const size_t *off, MPI_Datatype t, MPI_Op op, int first,
		      bool reduce)
{
	size_t ts = t->size, max = 0;
	int n = g->n;
	char *tmp = NULL;

	if (n == 1)
		return;
	for (int b = 0; reduce && b < n; b++)
		max = MAX(max, off[b + 1] - off[b]);
	if (reduce && !(tmp = mpi_sched_mem(s, max * ts)))
		return;
	for (int k = 0; k < n - 1; k++) {
		int sb = ((first - k) % n + n) % n;
		int rb = ((first - k - 1) % n + n) % n;
		size_t rlen = off[rb + 1] - off[rb];

		xfer(s, member(g, g->me - 1), reduce ? tmp : buf + off[rb] * ts,
		     rlen * ts, true);
		xfer(s, member(g, g->me + 1), buf + off[sb] * ts,
		     (off[sb + 1] - off[sb]) * ts, false);
		mpi_sched_round(s);
		if (reduce && rlen)
			mpi_sched_reduce(s, tmp, buf + off[rb] * ts, (int)rlen,
					 t, op);
	}
}

static void ring_allreduce(struct mpi_sched *s, const struct ring *g, char *buf,
			   size_t count, MPI_Datatype t, MPI_Op op)
{
	size_t *off = even_blocks(s, count, g->n);

	if (!off)
		return;
	ring_pass(s, g, buf, off, t, op, g->me - 1, true);
	ring_pass(s, g, buf, off, t, op, g->me, false);
}

/* ---- recursive halving and doubling ---- */

/* Comm rank of rank nr of the power-of-two core. */
static int rhd_real(int nr, int rem)
{
	return nr < rem ? 2 * nr + 1 : nr + rem;
}

/* Swap blocks [slo, shi) for the peer's [rlo, rhi) (into: or in place). */
static void rhd_exchange(struct mpi_sched *s, int peer, char *buf,
			 const size_t *off, size_t ts, int slo, int shi,
			 int rlo, int rhi, char *into)
{
	xfer(s, peer, into ? into : buf + off[rlo] * ts,
	     (off[rhi] - off[rlo]) * ts, true);
	xfer(s, peer, buf + off[slo] * ts, (off[shi] - off[slo]) * ts, false);
	mpi_sched_round(s);
}

static void rhd_allreduce(struct mpi_sched *s, char *buf, size_t count,
			  MPI_Datatype t, MPI_Op op)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, me = c->rank, p = 1, rem, nr, lo = 0, hi;
	size_t ts = t->size, *off;
	char *tmp = mpi_sched_mem(s, count * ts);

	while (p * 2 <= n)
		p *= 2;
	off = even_blocks(s, count, p);
	if (!tmp || !off)
		return;
	rem = n - p;
	hi = p;
	/* fold: among the first 2 * rem ranks, evens hand over to odds */
	nr = me < 2 * rem ? (me % 2 ? me / 2 : -1) : me - rem;
	if (me < 2 * rem) {
		xfer(s, nr < 0 ? me + 1 : me - 1, nr < 0 ? buf : tmp,
		     count * ts, nr >= 0);
		mpi_sched_round(s);
		if (nr >= 0 && count)
			mpi_sched_reduce(s, tmp, buf, (int)count, t, op);
	}
	/* reduce-scatter by halving: keep my half, send the other */
	for (int mask = p / 2; nr >= 0 && mask; mask /= 2) {
		int mid = (lo + hi) / 2, up = nr & mask;
		int klo = up ? mid : lo, khi = up ? hi : mid;

		rhd_exchange(s, rhd_real(nr ^ mask, rem), buf, off, ts,
			     up ? lo : mid, up ? mid : hi, klo, khi, tmp);
		if (off[khi] > off[klo])
			mpi_sched_reduce(s, tmp, buf + off[klo] * ts,
					 (int)(off[khi] - off[klo]), t, op);
		lo = klo;
		hi = khi;
	}
	/* all-gather by doubling: swap my range for the sibling's */
	for (int mask = 1; nr >= 0 && mask < p; mask *= 2) {
		int size = hi - lo, olo = nr & mask ? lo - size : hi;

		rhd_exchange(s, rhd_real(nr ^ mask, rem), buf, off, ts, lo, hi,
			     olo, olo + size, NULL);
		lo = MIN(lo, olo);
		hi = lo + 2 * size;
	}
	/* unfold: odds hand the result back */
	if (me < 2 * rem) {
		xfer(s, nr >= 0 ? me - 1 : me + 1, buf, count * ts, nr < 0);
		mpi_sched_round(s);
	}
}

/* ---- two levels: the node, then across nodes ---- */

/*
 * The ring of this rank's node (local) and that of the ranks with its
 * index in their nodes (cross), nodes in order of their first rank;
 * false when nodes hold different numbers of the communicator's ranks.
 */
static bool node_rings(struct mpi_sched *s, struct ring *local,
		       struct ring *cross)
{
	MPI_Comm c = mpi_sched_comm(s);
	int n = c->size, nodes = 0, per, *node, *slot, *first, *fill, *lr, *cr;

	node = mpi_sched_mem(s, 4 * n * sizeof(int));
	if (!node)
		return false;
	slot = node + n;
	first = slot + n; /* dense node -> its first rank */
	fill = first + n; /* dense node -> ranks so far */
	for (int r = 0; r < n; r++) {
		int id = snemu_node_of(mpi_world(c, r)), d = 0;

		while (d < nodes && snemu_node_of(mpi_world(c, first[d])) != id)
			d++;
		if (d == nodes) {
			first[nodes] = r;
			fill[nodes++] = 0;
		}
		node[r] = d;
		slot[r] = fill[d]++;
	}
	per = n / nodes;
	for (int d = 0; d < nodes; d++)
		if (fill[d] != per)
			return false;
	lr = mpi_sched_mem(s, per * sizeof(int));
	cr = mpi_sched_mem(s, nodes * sizeof(int));
	if (!lr || !cr)
		return false;
	for (int r = 0; r < n; r++) {
		if (node[r] == node[c->rank])
			lr[slot[r]] = r;
		if (slot[r] == slot[c->rank])
			cr[node[r]] = r;
	}
	*local = (struct ring){.n = per, .me = slot[c->rank], .ranks = lr};
	*cross = (struct ring){.n = nodes, .me = node[c->rank], .ranks = cr};
	return true;
}

static void topo_allreduce(struct mpi_sched *s, char *buf, size_t count,
			   MPI_Datatype t, MPI_Op op)
{
	MPI_Comm c = mpi_sched_comm(s);
	struct ring world = {.n = c->size, .me = c->rank}, local, cross;
	size_t *off;

	if (!node_rings(s, &local, &cross)) {
		if (!mpi_sched_err(s))
			ring_allreduce(s, &world, buf, count, t, op);
		return;
	}
	off = even_blocks(s, count, local.n);
	if (!off)
		return;
	ring_pass(s, &local, buf, off, t, op, local.me - 1, true);
	ring_allreduce(s, &cross, buf + off[local.me] * t->size,
		       off[local.me + 1] - off[local.me], t, op);
	ring_pass(s, &local, buf, off, t, op, local.me, false);
}

/* ---- the calls ---- */

void mpi_build_allreduce(struct mpi_sched *s, const void *sendbuf,
			 void *recvbuf, int count, MPI_Datatype t, MPI_Op op)
{
	MPI_Comm c = mpi_sched_comm(s);
	struct ring world = {.n = c->size, .me = c->rank};
	char *acc = mpi_build_input(s, sendbuf, recvbuf, count, t);
	size_t len = t->size * count;

	if (!acc)
		return;
	switch (op->commute ? allreduce_algo : ALGO_TREE) {
	case ALGO_RING: ring_allreduce(s, &world, acc, count, t, op); break;
	case ALGO_RHD: rhd_allreduce(s, acc, count, t, op); break;
	case ALGO_TOPO: topo_allreduce(s, acc, count, t, op); break;
	default:
		mpi_build_reduce_bytes(s, acc, acc + len, count, t, op, 0);
		mpi_build_bcast_bytes(s, acc, len, 0);
	}
	mpi_sched_unpack(s, acc, len, recvbuf, count, t);
}

void mpi_build_reduce_scatter(struct mpi_sched *s, const void *sendbuf,
			      void *recvbuf, const int *counts, MPI_Datatype t,
			      MPI_Op op)
{
	MPI_Comm c = mpi_sched_comm(s);
	struct ring world = {.n = c->size, .me = c->rank};
	int n = c->size, me = c->rank;
	size_t ts = t->size, *off = mpi_sched_mem(s, (n + 1) * sizeof(*off));
	char *acc;

	if (off)
		off[0] = 0;
	for (int r = 0; off && r < n; r++)
		off[r + 1] = off[r] + counts[r];
	acc = off ? mpi_build_input(s, sendbuf, recvbuf, (int)off[n], t) : NULL;
	if (!acc)
		return;
	if (op->commute && reduce_scatter_algo == ALGO_RING) {
		ring_pass(s, &world, acc, off, t, op, me - 1, true);
	} else {
		mpi_build_reduce_bytes(s, acc, acc + off[n] * ts, (int)off[n],
				       t, op, 0);
		/* rank 0 sends each rank its block */
		for (int r = 1; !me && r < n; r++)
			xfer(s, r, acc + off[r] * ts, counts[r] * ts, false);
		xfer(s, 0, acc + off[me] * ts, me ? counts[me] * ts : 0, true);
		mpi_sched_round(s);
	}
	mpi_sched_unpack(s, acc + off[me] * ts, counts[me] * ts, recvbuf,
			 counts[me], t);
}
