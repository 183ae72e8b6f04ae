/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "transport/transport.h"

#define MAX_LEN 9000

/*
 * Copy len bytes to dst + doff from src + soff and check that exactly
 * those bytes changed: the streamed body, the tail after it, and the
 * bytes on either side of the range.
 */
static void check_copy(size_t doff, size_t soff, size_t len)
{
	static _Alignas(64) unsigned char src[MAX_LEN + 64], dst[MAX_LEN + 128];
	static unsigned char want[sizeof(dst)];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	memset(dst, 0xee, sizeof(dst));
	memcpy(want, dst, sizeof(dst));
	memcpy(want + doff, src + soff, len);
	shm_copy_stream(dst + doff, src + soff, len);
	shm_copy_stream_end();
	assert_memory_equal(dst, want, sizeof(dst));
}

static void copies_every_length(void **state)
{
	static const size_t lens[] = {0,  1,   15,  16,	  63,	64,
				      65, 127, 128, 4096, 4097, MAX_LEN};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_copy(64, 0, lens[i]);
}

/* Unaligned sources stream too; unaligned destinations fall back. */
static void copies_any_alignment(void **state)
{
	for (size_t doff = 0; doff < 64; doff += 7)
		for (size_t soff = 0; soff < 32; soff += 5)
			check_copy(doff, soff, 4096 + doff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_every_length),
		cmocka_unit_test(copies_any_alignment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
