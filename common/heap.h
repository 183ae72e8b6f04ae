/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap over an array of any element type, as inline functions
 * generated per type: HEAP_DEFINE(name, type, less) defines
 *
 *   void name_push(type *h, uint32_t *n, const type *x);   room for one more
 *   type name_pop(type *h, uint32_t *n);                   *n > 0
 *
 * where less(const type *a, const type *b) orders the elements. The pop is
 * Floyd's: the hole goes down along the smaller children to a leaf, then
 * the last element goes up from there; it came from the bottom, so it
 * rarely climbs far, and this takes one comparison per level, not two.
 */
#ifndef SNEMU_COMMON_HEAP_H
#define SNEMU_COMMON_HEAP_H

#include <stdint.h>

#define HEAP_DEFINE(name, type, less)                                          \
	/* Put x in the hole at i, moving it up past later parents. */         \
	static inline void name##_up(type *h, uint32_t i, const type *x)       \
	{                                                                      \
		type v = *x;                                                   \
                                                                               \
		while (i > 0) {                                                \
			uint32_t parent = (i - 1) / 2;                         \
                                                                               \
			if (!less(&v, &h[parent]))                             \
				break;                                         \
			h[i] = h[parent];                                      \
			i = parent;                                            \
		}                                                              \
		h[i] = v;                                                      \
	}                                                                      \
                                                                               \
	static inline void name##_push(type *h, uint32_t *n, const type *x)    \
	{                                                                      \
		name##_up(h, (*n)++, x);                                       \
	}                                                                      \
                                                                               \
	static inline type name##_pop(type *h, uint32_t *n)                    \
	{                                                                      \
		type top = h[0], last = h[--*n];                               \
		uint32_t i = 0;                                                \
                                                                               \
		if (!*n)                                                       \
			return top;                                            \
		for (uint32_t c = 1; c < *n; c = 2 * i + 1) {                  \
			if (c + 1 < *n && less(&h[c + 1], &h[c]))              \
				c++;                                           \
			h[i] = h[c];                                           \
			i = c;                                                 \
		}                                                              \
		name##_up(h, i, &last);                                        \
		return top;                                                    \
	}

#endif
