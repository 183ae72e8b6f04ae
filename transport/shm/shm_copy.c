/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "transport/transport.h"

void shm_copy_stream(void *dst, const void *src, size_t len)
{
	size_t done = 0;
#if defined(__SSE2__)
	char *d = dst;
	const char *s = src;

	/* Non-temporal stores need 16-byte aligned destinations. */
	if (!((uintptr_t)d & 15))
		for (; done + 16 <= len; done += 16)
			_mm_stream_si128(
				(void *)(d + done),
				_mm_loadu_si128((const void *)(s + done)));
#endif
	memcpy((char *)dst + done, (const char *)src + done, len - done);
}

void shm_copy_stream_end(void)
{
#if defined(__SSE2__)
	/* Non-temporal stores are weakly ordered. */
	_mm_sfence();
#endif
}
