/* SPDX-License-Identifier: MIT */
/*
 * Waiting on a word of one's own window (snemu_wait_until). The caller
 * first lets the engine process every event before its clock; if the word
 * compares true then, it is done. Otherwise it blocks and leaves a watch in
 * its control block, and the engine, whenever a put, signal or atomic
 * lands on that word, checks it and completes the wait at the arrival
 * that made it true. Both depend on virtual time only.
 */
#include <errno.h>

#include "emu/ep.h"
#include "snemu.h"

/* word cmp value (SNEMU_CMP_*). */
static bool emu_watch_true(uint64_t word, uint32_t cmp, uint64_t value)
{
	switch (cmp) {
	case SNEMU_CMP_EQ: return word == value;
	case SNEMU_CMP_NE: return word != value;
	case SNEMU_CMP_GT: return word > value;
	case SNEMU_CMP_GE: return word >= value;
	case SNEMU_CMP_LT: return word < value;
	default: return word <= value;
	}
}

/* The watched word now: 0, or -errno if its memory cannot be read. */
static int watched(const struct emu_eng *e, int rank, uint32_t win,
		   uint64_t off, uint64_t *v)
{
	return emu_win_read(e, emu_win_ent(e, win, rank), off, v, sizeof(*v));
}

void emu_watch_written(struct emu_eng *e, int rank, uint32_t win, uint64_t off,
		       uint64_t len, uint64_t t)
{
	struct emu_ctl *c = &e->ctl[rank];
	struct snemu_req *r;
	uint64_t v;

	if (!c->watch_req || c->watch_win != win ||
	    c->watch_off + sizeof(v) <= off || c->watch_off >= off + len)
		return;
	if (watched(e, rank, win, c->watch_off, &v) ||
	    !emu_watch_true(v, c->watch_cmp, c->watch_value))
		return;
	r = emu_ptr(e, c->watch_req);
	r->value = v;
	c->watch_req = 0;
	emu_req_complete(e, r, t);
}

int ep_wait_word(struct emu_ep *ep, uint32_t win, size_t off, int cmp,
		 uint64_t value, uint64_t *seen)
{
	struct emu_eng *e = &ep->eng;
	struct emu_ctl *me = ep->me;
	struct snemu_req *r;
	uint64_t v;
	int ret;

	ep_lock(ep);
	ret = ep_catch_up_locked(ep);
	if (ret)
		return ret;
	ret = watched(e, ep->rank, win, off, &v);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	if (emu_watch_true(v, (uint32_t)cmp, value)) {
		ep_handle_locked(ep);
		ep_charge(ep, e->par->recv_ns);
		ep_unlock(ep);
		if (seen)
			*seen = v;
		return 0;
	}
	ret = ep_req_new(ep, EMU_REQ_WORD, EMU_CTX_INTERNAL, (int)win, cmp, &r);
	if (ret) {
		ep_unlock(ep);
		return ret;
	}
	r->buf = (uintptr_t)seen;
	me->watch_req = emu_off(e, r);
	me->watch_win = win;
	me->watch_off = off;
	me->watch_cmp = (uint32_t)cmp;
	me->watch_value = value;
	return ep_wait_locked(ep, &r, 1, EMU_WAIT_WORD, NULL);
}
