/* SPDX-License-Identifier: MIT */
/*
 * An allocator for memory inside the segment, used under the engine lock.
 * Size classes keep the waste under 25% above 256 bytes; a freed block goes
 * to its class's free list (its first 8 bytes hold the next offset) and is
 * reused by the next allocation of that class. Freed memory stays mapped:
 * the segment is sparse, and reused pages are already faulted in.
 */
#include <errno.h>

#include "transport/transport.h"

#define HEAP_ALIGN 64ULL

/* Class of a block of n bytes, n >= 1. */
static unsigned size_class(uint64_t n)
{
	unsigned k;

	if (n <= 4 * HEAP_ALIGN)
		return (unsigned)((n - 1) / HEAP_ALIGN);
	k = 63 - (unsigned)__builtin_clzll(n - 1); /* 2^k < n <= 2^(k+1) */
	return 4 + (k - 8) * 4 + (unsigned)(((n - 1) >> (k - 2)) & 3);
}

static uint64_t class_size(unsigned c)
{
	unsigned k;

	if (c < 4)
		return (c + 1) * HEAP_ALIGN;
	k = (c - 4) / 4 + 8;
	return (1ULL << k) + ((uint64_t)((c - 4) % 4 + 1) << (k - 2));
}

static inline uint64_t *link_of(void *base, uint64_t off)
{
	return (uint64_t *)((char *)base + off);
}

uint64_t shm_heap_block_size(uint64_t len)
{
	return class_size(size_class(len ? len : 1));
}

void shm_heap_init(struct shm_heap *h, uint64_t start, uint64_t end)
{
	*h = (struct shm_heap){
		.start = start,
		.end = end,
		.brk = start,
	};
}

int shm_heap_alloc(struct shm_heap *h, void *base, uint64_t len, uint64_t *off)
{
	unsigned c;
	uint64_t size;

	if (len > h->end - h->start)
		return -ENOMEM;
	c = size_class(len ? len : 1);
	if (c >= SHM_HEAP_CLASSES)
		return -ENOMEM;
	size = class_size(c);
	if (h->free_head[c]) {
		*off = h->free_head[c];
		h->free_head[c] = *link_of(base, *off);
	} else {
		if (size > h->end - h->brk)
			return -ENOMEM;
		*off = h->brk;
		h->brk += size;
	}
	h->in_use += size;
	return 0;
}

void shm_heap_free(struct shm_heap *h, void *base, uint64_t off, uint64_t len)
{
	unsigned c = size_class(len ? len : 1);

	*link_of(base, off) = h->free_head[c];
	h->free_head[c] = off;
	h->in_use -= class_size(c);
}
