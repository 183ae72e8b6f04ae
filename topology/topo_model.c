/* SPDX-License-Identifier: MIT */
/*
 * The link-level timing model. A message is cut into mtu segments; each
 * segment crosses its route cut-through: on every link it starts once its
 * head is there and the link is free, holds the link for its
 * serialization time, and its head moves on after the link latency plus
 * the hop latency of the switch it enters.
 *
 * The state block: the spray counter of every source, then the stats of
 * every link. Flat, so it can live in shared memory.
 */
#include <string.h>

#include "common/common.h"
#include "topology/topo_int.h"

/* The ECMP path of a pair: a fixed mix of (src, dst). */
static inline uint32_t pair_hash(int src, int dst)
{
	uint64_t x = (uint64_t)src << 32 | (uint32_t)dst;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x >> 33;
}

size_t topo_state_size(const struct topo *t)
{
	return t->stats_off + t->nlinks * sizeof(struct topo_link_stats);
}

void topo_state_init(const struct topo *t, void *state)
{
	memset(state, 0, topo_state_size(t));
}

struct topo_link_stats *topo_state_links(const struct topo *t, void *state)
{
	return (struct topo_link_stats *)((char *)state + t->stats_off);
}

/* A message from src to dst uses links: two different endpoints. */
static inline bool crosses_fabric(const struct topo *t, int src, int dst)
{
	return src != dst && (unsigned)src < (unsigned)t->neps &&
	       (unsigned)dst < (unsigned)t->neps;
}

/* The path of a pair's next segment: fixed (ecmp) or the source's next. */
static unsigned first_path(const struct topo *t, const void *state, int src,
			   int dst, bool local)
{
	const uint64_t *spray = state;

	if (t->params.routing == TOPO_ROUTING_ECMP)
		return topo_mod(pair_hash(src, dst), &t->div_paths[local]);
	return topo_mod(spray[src], &t->div_paths[local]);
}

void topo_prefetch(const struct topo *t, void *state, int src, int dst)
{
	struct topo_link_stats *stats = topo_state_links(t, state);
	int hops, links[4];
	bool local;

	if (!crosses_fabric(t, src, dst))
		return;
	local = topo_is_local(t, src, dst);
	hops = local ? 2 : 4;
	topo_route(t, src, dst, first_path(t, state, src, dst, local), links);
	for (int h = 0; h < hops; h++)
		__builtin_prefetch(&stats[links[h]], 1);
}

uint64_t topo_price(const struct topo *t, void *state, int src, int dst,
		    uint64_t bytes, uint64_t inject_ns)
{
	struct topo_link_stats *stats = topo_state_links(t, state);
	uint64_t *spray = state;
	uint64_t mtu = t->params.mtu;
	uint64_t nseg = bytes <= mtu ? 1 : (bytes - 1) / mtu + 1;
	uint64_t last = bytes - (nseg - 1) * mtu;
	uint64_t ser_full[4], ser_last[4], lat[4];
	uint64_t arrival = inject_ns;
	const enum topo_lc *cls;
	unsigned npaths, p;
	int hops, links[4];
	bool local;

	if (!crosses_fabric(t, src, dst))
		return inject_ns;
	local = topo_is_local(t, src, dst);
	hops = local ? 2 : 4;
	cls = topo_route_classes(local);
	for (int h = 0; h < hops; h++) {
		const struct topo_lclass *lc = &t->lc[cls[h]];

		ser_full[h] = lc->ser_mtu;
		ser_last[h] = topo_ser_ns(lc, last);
		lat[h] = lc->lat_ns;
	}
	npaths = t->paths[local];
	p = first_path(t, state, src, dst, local);

	for (uint64_t i = 0; i < nseg; i++) {
		uint64_t seg = i + 1 < nseg ? mtu : last;
		const uint64_t *ser = i + 1 < nseg ? ser_full : ser_last;
		uint64_t head = inject_ns, tail = inject_ns;

		topo_route(t, src, dst, p, links);
		for (int h = 0; h < hops; h++) {
			struct topo_link_stats *ls = &stats[links[h]];
			uint64_t start = MAX(head, ls->free_at_ns);
			/* The tail cannot leave before it has arrived. */
			uint64_t end = MAX(start + ser[h], tail);

			if (start - head > ls->max_queue_ns)
				ls->max_queue_ns = start - head;
			ls->free_at_ns = end;
			ls->bytes += seg;
			ls->busy_ns += end - start;
			ls->segments++;
			head = start + lat[h];
			tail = end + lat[h];
		}
		arrival = MAX(arrival, tail);
		if (t->params.routing == TOPO_ROUTING_SPRAY && ++p == npaths)
			p = 0;
	}
	if (t->params.routing == TOPO_ROUTING_SPRAY) {
		/* Modulo the larger path count, which the smaller divides. */
		spray[src] += nseg;
		if (spray[src] >= (uint64_t)t->paths[0])
			spray[src] %= t->paths[0];
	}
	return arrival;
}

uint64_t topo_unloaded_ns(const struct topo *t, int src, int dst,
			  uint64_t bytes)
{
	uint64_t mtu = t->params.mtu;
	uint64_t nseg = bytes <= mtu ? 1 : (bytes - 1) / mtu + 1;
	uint64_t last = bytes - (nseg - 1) * mtu;
	uint64_t lat = 0, ser = 0;
	const enum topo_lc *cls;
	bool local;
	int hops;

	if (!crosses_fabric(t, src, dst))
		return 0;
	local = topo_is_local(t, src, dst);
	hops = local ? 2 : 4;
	cls = topo_route_classes(local);
	for (int h = 0; h < hops; h++) {
		const struct topo_lclass *lc = &t->lc[cls[h]];
		/*
		 * Segments are dealt round-robin over the lanes of a stage
		 * (one lane under ECMP): the last round starts after
		 * rounds - 1 full segments, and ends with a full segment
		 * unless the short last one is alone in it.
		 */
		bool ep = cls[h] == TOPO_LC_EP_UP || cls[h] == TOPO_LC_EP_DOWN;
		uint64_t lanes = t->s1 * (ep ? t->lpe : t->q);
		uint64_t rounds, in_last, s;

		if (t->params.routing == TOPO_ROUTING_ECMP)
			lanes = 1;
		rounds = (nseg - 1) / lanes + 1;
		in_last = nseg - (rounds - 1) * lanes;
		s = (rounds - 1) * lc->ser_mtu +
		    (in_last > 1 ? lc->ser_mtu : topo_ser_ns(lc, last));
		lat += lc->lat_ns;
		ser = MAX(ser, s);
	}
	return lat + ser;
}
