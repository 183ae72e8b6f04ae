/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tests/emu/fx.h"

int fx_setup(void **state)
{
	struct emu_fabric_opts o = {
		.nranks = 16,
	};
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || topo_load_preset("cloudmatrix384", &f->topo, NULL) ||
	    emu_fabric_create(f->topo, &o, &f->fab) ||
	    emu_eng_init(&f->e, f->fab->hdr, f->topo))
		return -1;
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	emu_eng_fini(&f->e);
	emu_fabric_destroy(f->fab);
	topo_destroy(f->topo);
	free(f);
	return 0;
}

struct emu_msg *fx_msg(struct fx *f, int src, int dst, int tag,
		       enum emu_ctx ctx, uint64_t len)
{
	struct emu_msg *m;

	assert_int_equal(
		emu_msg_new(&f->e, EMU_MSG_SEND, ctx, src, dst, len, true, &m),
		0);
	m->tag = tag;
	return m;
}

struct snemu_req *fx_recv(struct fx *f, int owner, int src, int tag,
			  enum emu_ctx ctx, uint64_t cap)
{
	struct snemu_req *r;
	uint64_t off;

	assert_int_equal(emu_eng_alloc(&f->e, sizeof(*r), &off), 0);
	r = emu_ptr(&f->e, off);
	*r = (struct snemu_req){
		.magic = EMU_REQ_MAGIC,
		.kind = EMU_REQ_RECV,
		.ctx = ctx,
		.owner = owner,
		.peer = src,
		.tag = tag,
		.cap = cap,
		.post_ns = f->e.ctl[owner].clock,
	};
	return r;
}

void fx_only(struct fx *f, const int *ranks, int n)
{
	for (int r = 0; r < f->e.n; r++) {
		bool keep = false;

		for (int i = 0; i < n; i++)
			keep |= ranks[i] == r;
		if (!keep)
			emu_eng_done(&f->e, r);
	}
}
