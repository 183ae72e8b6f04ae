/* SPDX-License-Identifier: MIT */
/*
 * What the fabric model (topo_fabric.c) gives on an idle fabric, in closed
 * form, and the ecmp path of a pair.
 */
#include <errno.h>

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

/* A message from src to dst uses links: two different endpoints. */
static inline bool crosses_fabric(const struct topo *t, int src, int dst)
{
	return src != dst && (unsigned)src < (unsigned)t->neps &&
	       (unsigned)dst < (unsigned)t->neps;
}

int topo_ecmp_path(const struct topo *t, int src, int dst)
{
	if (!crosses_fabric(t, src, dst))
		return -EINVAL;
	return topo_mod(pair_hash(src, dst),
			&t->div_paths[topo_is_local(t, src, dst)]);
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
		    (in_last > 1 ? lc->ser_mtu
				 : topo_ser_ns(lc, last + t->params.header));
		lat += lc->lat_ns;
		ser = MAX(ser, s);
	}
	return lat + ser;
}
