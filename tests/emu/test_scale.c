/* SPDX-License-Identifier: MIT */
/* The whole CloudMatrix384: 384 processes on one host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

#define N	384
#define A2A_LEN 4096

static struct harness *run(int (*fn)(void *))
{
	struct harness_opts o = {.nranks = N, .timeout_s = 600};
	struct harness *h;

	assert_int_equal(harness_run(&o, fn, NULL, &h), 0);
	assert_false(h->timed_out);
	assert_false(h->deadlock);
	assert_int_equal(harness_failures(h), 0);
	return h;
}

/* A token goes around the ring twice; each rank adds its rank. */
static int ring_rank(void *arg)
{
	int me, n;
	uint64_t token = 0;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	for (int lap = 0; lap < 2; lap++) {
		if (me)
			H_OK(snemu_recv(me - 1, lap, &token, sizeof(token),
					NULL));
		else if (lap)
			H_OK(snemu_recv(n - 1, lap - 1, &token, sizeof(token),
					NULL));
		token += (uint64_t)me;
		H_OK(snemu_send((me + 1) % n, lap, &token, sizeof(token)));
	}
	if (!me) {
		H_OK(snemu_recv(n - 1, 1, &token, sizeof(token), NULL));
		H_CHECK(token == (uint64_t)n * (n - 1));
	}
	H_OK(snemu_finalize());
	return 0;
}

static void ring_384(void **state)
{
	struct harness *h = run(ring_rank);
	struct emu_rank_info a, b;

	/* Rank 0 finishes last, after 2 n hops. */
	emu_fabric_rank_info(h->fab, 0, &a);
	emu_fabric_rank_info(h->fab, N - 1, &b);
	assert_true(a.clock_ns > b.clock_ns);
	assert_int_equal(a.msgs_sent, 2);
	assert_int_equal(emu_fabric_events(h->fab), 2 * 2 * N);
	harness_destroy(h);
}

/* Word i of the block src sends to dst (every byte differs by pair). */
static uint64_t a2a_word(int src, int dst, size_t i)
{
	return ((uint64_t)src << 48 | (uint64_t)dst << 32 | i) *
	       0x9e3779b97f4a7c15ULL;
}

/* Everyone sends 4 KiB to everyone (itself included); all checked. */
static int alltoall_rank(void *arg)
{
	const size_t words = A2A_LEN / sizeof(uint64_t);
	int me, n;
	uint64_t *sbuf, *rbuf;
	struct snemu_req **reqs;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	sbuf = malloc((size_t)n * A2A_LEN);
	rbuf = calloc((size_t)n, A2A_LEN);
	reqs = calloc(2 * (size_t)n, sizeof(*reqs));
	H_CHECK(sbuf && rbuf && reqs);
	for (int d = 0; d < n; d++)
		for (size_t i = 0; i < words; i++)
			sbuf[d * words + i] = a2a_word(me, d, i);
	for (int k = 0; k < n; k++) {
		int s = (me - k + n) % n;

		H_OK(snemu_irecv(s, 3, rbuf + s * words, A2A_LEN, &reqs[k]));
	}
	for (int k = 0; k < n; k++) {
		int d = (me + k) % n;

		H_OK(snemu_isend(d, 3, sbuf + d * words, A2A_LEN,
				 &reqs[n + k]));
	}
	H_OK(snemu_waitall(2 * n, reqs, NULL));
	for (int s = 0; s < n; s++)
		for (size_t i = 0; i < words; i++)
			H_CHECK(rbuf[s * words + i] == a2a_word(s, me, i));
	H_OK(snemu_barrier());
	free(sbuf);
	free(rbuf);
	free(reqs);
	H_OK(snemu_finalize());
	return 0;
}

static void alltoall_384(void **state)
{
	struct harness *h = run(alltoall_rank);
	const struct topo_link_stats *links = emu_fabric_links(h->fab);
	uint64_t bytes = 0;

	for (int s = 0; s < N; s++)
		for (int d = 0; d < N; d++)
			assert_int_equal(emu_fabric_traffic(h->fab, s, d),
					 A2A_LEN);
	/* Every byte crossed 2 (intra-node) or 4 links, self-sends none. */
	for (int l = 0; l < topo_num_links(h->topo); l++)
		bytes += links[l].bytes;
	assert_int_equal(bytes, (uint64_t)N * A2A_LEN * (7 * 2 + 376 * 4));
	harness_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_384),
		cmocka_unit_test(alltoall_384),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
