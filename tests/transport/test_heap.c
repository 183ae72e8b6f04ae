/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "transport/transport.h"

#define ARENA (64ULL << 20)

struct fixture {
	void *base;
	struct shm_heap heap;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->base = aligned_alloc(64, ARENA);
	if (!f->base)
		return -1;
	/* Offset 0 stays unused: the engine uses it as "none". */
	shm_heap_init(&f->heap, 64, ARENA);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->base);
	free(f);
	return 0;
}

static void classes_are_tight(void **state)
{
	uint64_t prev = 0;

	assert_int_equal(shm_heap_block_size(0), 64);
	assert_int_equal(shm_heap_block_size(1), 64);
	assert_int_equal(shm_heap_block_size(65), 128);
	assert_int_equal(shm_heap_block_size(257), 320);
	assert_int_equal(shm_heap_block_size(4096), 4096);
	assert_int_equal(shm_heap_block_size(4097), 5120);
	for (uint64_t n = 1; n < (1ULL << 34); n = n * 3 / 2 + 1) {
		uint64_t b = shm_heap_block_size(n);

		assert_true(b >= n);
		assert_int_equal(b % 64, 0);
		assert_true(b >= prev);
		if (n > 256)
			assert_true(b - n <= n / 4 + 1);
		prev = b;
	}
}

static void free_blocks_are_reused(void **state)
{
	struct fixture *f = *state;
	uint64_t a, b, c;

	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 100, &a), 0);
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 100, &b), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(a % 64, 0);
	assert_int_equal(f->heap.in_use, 256);
	shm_heap_free(&f->heap, f->base, a, 100);
	/* Same class, not the same length: still the freed block. */
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 120, &c), 0);
	assert_int_equal(c, a);
	shm_heap_free(&f->heap, f->base, b, 100);
	shm_heap_free(&f->heap, f->base, c, 120);
	assert_int_equal(f->heap.in_use, 0);
}

static void exhaustion_is_enomem(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 7, big;

	assert_int_equal(shm_heap_alloc(&f->heap, f->base, ARENA, &off),
			 -ENOMEM);
	assert_int_equal(off, 7);
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 40 << 20, &big), 0);
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 30 << 20, &off),
			 -ENOMEM);
	shm_heap_free(&f->heap, f->base, big, 40 << 20);
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, 40 << 20, &off), 0);
	assert_int_equal(off, big);
	assert_int_equal(shm_heap_alloc(&f->heap, f->base, UINT64_MAX, &off),
			 -ENOMEM);
}

/* Random allocations never overlap: each block is filled with its id. */
static void blocks_never_overlap(void **state)
{
	struct fixture *f = *state;
	enum { N = 512 };
	uint64_t off[N] = {0}, len[N];
	unsigned seed = 1;

	for (int round = 0; round < 20000; round++) {
		int i = rand_r(&seed) % N;

		if (off[i]) {
			unsigned char *p = (unsigned char *)f->base + off[i];

			for (uint64_t k = 0; k < len[i]; k++)
				assert_int_equal(p[k], (unsigned char)i);
			shm_heap_free(&f->heap, f->base, off[i], len[i]);
			off[i] = 0;
			continue;
		}
		len[i] = 1 + rand_r(&seed) % 20000;
		assert_int_equal(
			shm_heap_alloc(&f->heap, f->base, len[i], &off[i]), 0);
		assert_true(off[i] >= 64 && off[i] + len[i] <= ARENA);
		memset((char *)f->base + off[i], i, len[i]);
	}
	for (int i = 0; i < N; i++)
		if (off[i])
			shm_heap_free(&f->heap, f->base, off[i], len[i]);
	assert_int_equal(f->heap.in_use, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes_are_tight),
		cmocka_unit_test_setup_teardown(free_blocks_are_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exhaustion_is_enomem, setup,
						teardown),
		cmocka_unit_test_setup_teardown(blocks_never_overlap, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
