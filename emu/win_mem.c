/* SPDX-License-Identifier: MIT */
/*
 * Window memory as the engine reaches it: the arena is mapped in every
 * process, so its windows are plain memory; a window over a process's own
 * memory (snemu_win_create, snemu_win_address_space) is reached by CMA,
 * whichever process runs the engine, even the owner: an address it has not
 * mapped is then an error (-EFAULT), never a crash of the engine. Device
 * memory is plain memory either way.
 */
#include <errno.h>
#include <string.h>

#include "emu/fabric.h"

/*
 * [off, off + len) of w as a pointer into this process's mapping of the
 * arena, or NULL when it lies elsewhere: an allocated window, or memory
 * of the owner that is device memory (found by the owner's own mapping).
 */
static void *in_arena(const struct emu_eng *e, const struct emu_win_ent *w,
		      uint64_t off, uint64_t len)
{
	const struct shm_heap *h = &e->hdr->heap;
	uint64_t a = w->addr + off;

	if (w->off)
		return emu_ptr(e, w->off + off);
	if (a < w->seg_addr + h->start || a - w->seg_addr > h->end ||
	    len > h->end - (a - w->seg_addr))
		return NULL;
	return emu_ptr(e, a - w->seg_addr);
}

int emu_win_write(const struct emu_eng *e, const struct emu_win_ent *w,
		  uint64_t off, const void *src, uint64_t len)
{
	void *p = in_arena(e, w, off, len);

	if (p) {
		memcpy(p, src, len);
		return 0;
	}
	return shm_cma_write(w->pid, w->addr + off, src, len);
}

int emu_win_read(const struct emu_eng *e, const struct emu_win_ent *w,
		 uint64_t off, void *dst, uint64_t len)
{
	const void *p = in_arena(e, w, off, len);

	if (p) {
		memcpy(dst, p, len);
		return 0;
	}
	return shm_cma_read(w->pid, dst, w->addr + off, len);
}

static uint64_t amo(uint64_t *p, enum emu_amo_op op, uint64_t a, uint64_t b)
{
	/* The owner may touch its window meanwhile: really atomic. */
	switch (op) {
	case EMU_AMO_FADD: return __atomic_fetch_add(p, a, __ATOMIC_SEQ_CST);
	case EMU_AMO_AND: return __atomic_fetch_and(p, a, __ATOMIC_SEQ_CST);
	case EMU_AMO_OR: return __atomic_fetch_or(p, a, __ATOMIC_SEQ_CST);
	case EMU_AMO_XOR: return __atomic_fetch_xor(p, a, __ATOMIC_SEQ_CST);
	case EMU_AMO_SWAP: return __atomic_exchange_n(p, a, __ATOMIC_SEQ_CST);
	default:
		__atomic_compare_exchange_n(p, &a, b, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		return a;
	}
}

int emu_win_amo(const struct emu_eng *e, const struct emu_win_ent *w,
		uint64_t off, enum emu_amo_op op, uint64_t a, uint64_t b,
		uint64_t *old)
{
	uint64_t *p = in_arena(e, w, off, sizeof(*p)), v;
	int ret;

	if (p) {
		*old = amo(p, op, a, b);
		return 0;
	}
	/* The engine runs one event at a time: atomic among window calls. */
	ret = shm_cma_read(w->pid, &v, w->addr + off, sizeof(v));
	if (ret)
		return ret;
	*old = amo(&v, op, a, b);
	if (v == *old)
		return 0;
	return shm_cma_write(w->pid, w->addr + off, &v, sizeof(v));
}
