/* SPDX-License-Identifier: MIT */
/*
 * Window memory as the engine reaches it: the arena is mapped in every
 * process, so its windows are plain memory; a window over a process's own
 * memory (snemu_win_create) is reached by CMA, whichever process runs the
 * engine, even the owner: an address it has not mapped is then an error
 * (-EFAULT), never a crash of the engine.
 */
#include <errno.h>
#include <string.h>

#include "emu/fabric.h"

static bool in_arena(const struct emu_win_ent *w)
{
	return w->off != 0;
}

int emu_win_write(const struct emu_eng *e, const struct emu_win_ent *w,
		  uint64_t off, const void *src, uint64_t len)
{
	if (in_arena(w)) {
		memcpy(emu_ptr(e, w->off + off), src, len);
		return 0;
	}
	return shm_cma_write(w->pid, w->addr + off, src, len);
}

int emu_win_read(const struct emu_eng *e, const struct emu_win_ent *w,
		 uint64_t off, void *dst, uint64_t len)
{
	if (in_arena(w)) {
		memcpy(dst, emu_ptr(e, w->off + off), len);
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
	uint64_t v;
	int ret;

	if (in_arena(w)) {
		*old = amo(emu_ptr(e, w->off + off), op, a, b);
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
