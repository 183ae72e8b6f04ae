/* SPDX-License-Identifier: MIT */
/*
 * Inside struct topo. The graph is never stored link by link: link ids,
 * their ends and every route are arithmetic on the wiring counts, so a
 * 384-endpoint model is a few hundred bytes and a route costs a few
 * divisions.
 *
 * Link ids, class by class (see topo_build.c):
 *   ep_l1.up    (ep * s1 + k) * lpe + l    endpoint -> its k-th L1 chip
 *   ep_l1.down  same index                 L1 chip -> endpoint
 *   l1_l2.up    g1 * q + j                 L1 chip g1 -> L2 port j of plane k
 *   l1_l2.down  same index                 L2 -> L1 chip g1
 * where l is one of the lpe parallel links (die * ep_l1.count + c), g1 the
 * L1 chip's global number (node * s1 + k) and j = c * per_plane + chip.
 */
#ifndef SNEMU_TOPO_INT_H
#define SNEMU_TOPO_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "topology/topo.h"
#include "topology/topo_config.h"

enum topo_lc {
	TOPO_LC_EP_UP,
	TOPO_LC_EP_DOWN,
	TOPO_LC_L1_UP,
	TOPO_LC_L2_DOWN,
	TOPO_LC_NUM,
};

/*
 * Division by a number fixed at build time, as a multiply (Lemire, Kaser,
 * Kurz, "Faster remainder by direct computation", 2019): exact for any
 * 32-bit dividend. Routing divides by wiring counts several times per
 * segment, and a hardware divide costs more than the rest of a hop.
 */
struct topo_div {
	uint64_t m; /* ceil(2^64 / d); 0 for d = 1 */
	uint32_t d;
};

static inline uint32_t topo_div(uint32_t n, const struct topo_div *f)
{
	return f->m ? (uint32_t)(((unsigned __int128)f->m * n) >> 64) : n;
}

static inline uint32_t topo_mod(uint32_t n, const struct topo_div *f)
{
	return n - topo_div(n, f) * f->d;
}

/* One class of links: all share bandwidth and latency. */
struct topo_lclass {
	int first; /* first link id */
	int count;
	uint64_t bw;	      /* bytes per microsecond */
	uint64_t ns_per_byte; /* 1000 / bw, 32.32 fixed point */
	uint64_t ser_mtu;     /* serialization of an mtu segment, ns */
	uint64_t lat_ns;      /* wire_ns + hop of the switch it enters */
	uint64_t wire_ns;     /* link latency alone */
};

struct topo {
	struct topo_config cfg;
	struct topo_params params;
	int nodes;
	int epn; /* endpoints per node */
	int neps;
	int s1;	      /* L1 chips an endpoint links to */
	bool global;  /* L1 chips shared by all nodes */
	int lpe;      /* parallel links endpoint <-> one L1 chip */
	int q;	      /* uplinks of an L1 chip (0: one tier) */
	int lcm;      /* lcm(lpe, q) */
	int paths[2]; /* parallel paths: [0] across nodes, [1] within */
	struct topo_div div_s1, div_lpe, div_q, div_lcm, div_lpeq, div_epn;
	struct topo_div div_paths[2];
	int n_l1;
	int n_l2;
	int nlinks;
	struct topo_lclass lc[TOPO_LC_NUM];
	int groups; /* send queues per source: 1 (spray), s1 * lpe (ecmp) */
	struct {
		size_t links, drain, booked, outs, srcs, chips, msgs, segs, iqs,
			nodes;
		size_t later, timeline;
		size_t size;
	} st; /* where the parts of the state block are (topo_fabric.c) */
};

/* Lay out the state block of t, whose counts and classes are set. */
void topo_fabric_layout(struct topo *t);

/* The generated presets: names (NULL-terminated) and their config text. */
extern const char *const topo_preset_list[];
extern const char *const topo_preset_cfg[];

/* Whether src and dst talk through one L1 chip (2 hops) or through L2. */
static inline bool topo_is_local(const struct topo *t, int src, int dst)
{
	return t->global ||
	       topo_div(src, &t->div_epn) == topo_div(dst, &t->div_epn);
}

/*
 * Path p (0 <= p < t->paths[local]) from src to dst as link ids; returns hops.
 * p picks the L1 chip k first, then t, the segment's turn at that chip:
 * source link t % lpe, L1 uplink j = t % q (shifted by one every lcm(lpe,
 * q) turns so that every (source link, uplink) pair comes up) and a
 * destination link that turns with the source link. A message sprayed
 * from p = 0 thus deals its segments round-robin over the s1 * lpe source
 * links, the s1 * q uplinks and the s1 * lpe destination links, and a
 * non-blocking fabric of one link speed carries it without
 * self-contention (docs/TOPOLOGY.md).
 */
static inline int topo_route(const struct topo *t, int src, int dst, unsigned p,
			     int *links)
{
	unsigned s1 = t->s1, lpe = t->lpe, q = t->q;
	unsigned turn = topo_div(p, &t->div_s1), k = p - turn * s1;
	unsigned ls = topo_mod(turn, &t->div_lpe), j, ld;

	links[0] = t->lc[TOPO_LC_EP_UP].first + (src * s1 + k) * lpe + ls;
	if (topo_is_local(t, src, dst)) {
		ld = topo_mod(ls + topo_div(turn, &t->div_lpe), &t->div_lpe);
		links[1] = t->lc[TOPO_LC_EP_DOWN].first + (dst * s1 + k) * lpe +
			   ld;
		return 2;
	}
	j = topo_mod(turn + topo_div(turn, &t->div_lcm), &t->div_q);
	ld = topo_mod(ls + topo_div(turn, &t->div_lpeq), &t->div_lpe);
	links[1] = t->lc[TOPO_LC_L1_UP].first +
		   (topo_div(src, &t->div_epn) * s1 + k) * q + j;
	links[2] = t->lc[TOPO_LC_L2_DOWN].first +
		   (topo_div(dst, &t->div_epn) * s1 + k) * q + j;
	links[3] = t->lc[TOPO_LC_EP_DOWN].first + (dst * s1 + k) * lpe + ld;
	return 4;
}

/* Serialization of bytes on a class of links, to the nearest ns. */
static inline uint64_t topo_ser_ns(const struct topo_lclass *lc, uint64_t bytes)
{
	return ((unsigned __int128)bytes * lc->ns_per_byte + (1ULL << 31)) >>
	       32;
}

/* Link classes of the hops of a local (2) or remote (4) route. */
static inline const enum topo_lc *topo_route_classes(bool local)
{
	static const enum topo_lc two[] = {TOPO_LC_EP_UP, TOPO_LC_EP_DOWN};
	static const enum topo_lc four[] = {TOPO_LC_EP_UP, TOPO_LC_L1_UP,
					    TOPO_LC_L2_DOWN, TOPO_LC_EP_DOWN};

	return local ? two : four;
}

#endif
