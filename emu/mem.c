/* SPDX-License-Identifier: MIT */
/*
 * Device memory: blocks of the arena handed to the program, the analog of
 * an NPU runtime's HBM buffers. Being in the segment is the whole point:
 * a rendezvous copy from or into such a buffer is a memcpy (emu/req.c).
 *
 * A small header just before the returned pointer records the block, so
 * snemu_mem_free needs no table and can refuse a pointer that is not ours.
 */
#include <errno.h>
#include <string.h>

#include "emu/ep.h"

#define MEM_MAGIC 0x6d656d31U /* "mem1" */
#define MEM_HDR	  64ULL	      /* room for the header; keeps the alignment */
#define MEM_PAGE  4096ULL

struct mem_hdr {
	uint32_t magic;
	int32_t owner;	    /* the allocating rank */
	uint64_t len;	    /* the program's length */
	uint64_t block;	    /* the arena block: offset ... */
	uint64_t block_len; /* ... and the length it was allocated with */
};

_Static_assert(sizeof(struct mem_hdr) <= MEM_HDR, "header too big");

int snemu_mem_alloc(size_t len, void **ptr)
{
	EP_CALL();
	struct emu_ep *ep;
	struct emu_eng *e;
	struct mem_hdr *h;
	uint64_t fresh, block = 0, block_len, off = 0;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!len || !ptr)
		return -EINVAL;
	/* Enough for the header and for the worst page alignment. */
	block_len = len < MEM_PAGE ? MEM_HDR : MEM_PAGE;
	if (len > UINT64_MAX - block_len)
		return -ENOMEM;
	block_len += len;
	e = &ep->eng;
	ep_lock(ep);
	/* Blocks past the old break were never used: already zero. */
	fresh = e->hdr->heap.brk;
	ret = emu_eng_alloc(e, block_len, &block);
	if (!ret) {
		/* Blocks are 64-aligned, and each mapping page-aligned. */
		off = block + MEM_HDR;
		if (len >= MEM_PAGE)
			off = (off + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
		h = emu_ptr(e, off - MEM_HDR);
		*h = (struct mem_hdr){
			.magic = MEM_MAGIC,
			.owner = ep->rank,
			.len = len,
			.block = block,
			.block_len = block_len,
		};
	}
	ep_unlock(ep);
	if (ret)
		return ret;
	if (block < fresh)
		emu_eng_zero(e, off, len);
	*ptr = emu_ptr(e, off);
	return 0;
}

/* The header of p when p came from snemu_mem_alloc of ep, else NULL. */
static struct mem_hdr *mem_find(struct emu_ep *ep, const void *p)
{
	struct emu_eng *e = &ep->eng;
	uint64_t off = emu_arena_off(e, p, 1);
	struct mem_hdr *h;

	if (!off || off % MEM_HDR ||
	    !emu_arena_off(e, emu_ptr(e, off - MEM_HDR), MEM_HDR))
		return NULL;
	h = emu_ptr(e, off - MEM_HDR);
	if (h->magic != MEM_MAGIC || h->owner != ep->rank ||
	    h->block > off - MEM_HDR || off + h->len > h->block + h->block_len)
		return NULL;
	return h;
}

int snemu_mem_free(void *ptr)
{
	EP_CALL();
	uint64_t block, block_len;
	struct emu_ep *ep;
	struct mem_hdr *h;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ptr)
		return -EINVAL;
	ep_lock(ep);
	h = mem_find(ep, ptr);
	if (h)
		h->magic = 0;
	ep_unlock(ep);
	if (!h)
		return -EINVAL;
	/* Still ours: give the pages back, then the block. */
	block = h->block;
	block_len = h->block_len;
	emu_eng_trim(&ep->eng, block, block_len);
	ep_lock(ep);
	emu_eng_free(&ep->eng, block, block_len);
	ep_unlock(ep);
	return 0;
}
