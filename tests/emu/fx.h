/* SPDX-License-Identifier: MIT */
/*
 * Single-process engine tests: a fabric on cloudmatrix384 and an engine
 * view of it that belongs to no rank, driven directly: states, clocks,
 * messages and receives are made by hand.
 */
#ifndef SNEMU_TESTS_FX_H
#define SNEMU_TESTS_FX_H

#include "emu/fabric.h"

struct fx {
	struct topo *topo;
	struct emu_fabric *fab;
	struct emu_eng e;
};

/* cmocka setup/teardown: *state is a struct fx of 16 ranks, all NEW. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* A message src -> dst (tag, ctx, len bytes of payload), not injected. */
struct emu_msg *fx_msg(struct fx *f, int src, int dst, int tag,
		       enum emu_ctx ctx, uint64_t len);

/* A receive of owner, posted at its current clock, not yet matched. */
struct snemu_req *fx_recv(struct fx *f, int owner, int src, int tag,
			  enum emu_ctx ctx, uint64_t cap);

/* Make every rank but the listed ones DONE; the others stay as they are. */
void fx_only(struct fx *f, const int *ranks, int n);

#endif
