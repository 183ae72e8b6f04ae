/* SPDX-License-Identifier: MIT */
/* Deadlocks: found, reported (who waits for what), and stopped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

static struct harness *run_deadlock(int nranks, int (*fn)(void *))
{
	struct harness_opts o = {.nranks = nranks, .timeout_s = 60};
	struct harness *h;

	assert_int_equal(harness_run(&o, fn, NULL, &h), 0);
	assert_false(h->timed_out);
	assert_true(h->deadlock);
	assert_true(emu_fabric_deadlocked(h->fab));
	/* The ranks saw -ECANCELED and exited cleanly. */
	assert_int_equal(harness_failures(h), 0);
	return h;
}

/* Both ranks receive first: neither ever sends. */
static int recv_recv_rank(void *arg)
{
	int me, v;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_compute(1000 * (uint64_t)(me + 1)));
	H_EXPECT(snemu_recv(1 - me, 5 + me, &v, sizeof(v), NULL), -ECANCELED);
	/* Every call of a stopped run says so. */
	H_EXPECT(snemu_send(1 - me, 0, &v, sizeof(v)), -ECANCELED);
	H_EXPECT(snemu_finalize(), -ECANCELED);
	return 0;
}

static void two_receivers_deadlock(void **state)
{
	struct harness *h = run_deadlock(2, recv_recv_rank);

	for (int r = 0; r < 2; r++) {
		const struct emu_rank_info *in = &h->info[r];

		assert_int_equal(in->state, EMU_RANK_BLOCKED);
		assert_int_equal(in->wait_op, EMU_WAIT_RECV);
		assert_int_equal(in->wait_src, 1 - r);
		assert_int_equal(in->wait_tag, 5 + r);
		assert_int_equal(in->wait_count, 1);
		assert_int_equal(in->clock_ns, 1000 * (uint64_t)(r + 1));
	}
	harness_destroy(h);
}

/*
 * Rank 2 leaves without the barrier; a large send to a rank that never
 * receives; a wildcard waitall. The report shows each.
 */
static int mixed_rank(void *arg)
{
	static char big[1 << 20];
	struct snemu_req *reqs[2];
	int me, v;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	switch (me) {
	case 0: H_EXPECT(snemu_barrier(), -ECANCELED); break;
	case 1: H_EXPECT(snemu_send(3, 9, big, sizeof(big)), -ECANCELED); break;
	case 2: H_OK(snemu_finalize()); return 0;
	case 3:
		H_OK(snemu_irecv(SNEMU_ANY_SOURCE, 4, &v, sizeof(v), &reqs[0]));
		H_OK(snemu_irecv(0, SNEMU_ANY_TAG, &v, sizeof(v), &reqs[1]));
		H_EXPECT(snemu_waitall(2, reqs, NULL), -ECANCELED);
		break;
	}
	return 0;
}

static void deadlock_report_names_each_wait(void **state)
{
	struct harness *h = run_deadlock(4, mixed_rank);
	const struct emu_rank_info *in = h->info;

	assert_int_equal(in[0].wait_op, EMU_WAIT_BARRIER);
	assert_int_equal(in[1].wait_op, EMU_WAIT_SEND);
	assert_int_equal(in[1].wait_src, 3);
	assert_int_equal(in[1].wait_tag, 9);
	assert_int_equal(in[2].state, EMU_RANK_DONE);
	assert_int_equal(in[2].wait_op, EMU_WAIT_NONE);
	assert_int_equal(in[3].wait_op, EMU_WAIT_WAITALL);
	assert_int_equal(in[3].wait_count, 2);
	assert_int_equal(in[3].wait_src, SNEMU_ANY_SOURCE);
	assert_int_equal(in[3].wait_tag, 4);
	harness_destroy(h);
}

/* Rank 1 waits for a word nobody writes; rank 0 waits in a barrier. */
static int word_rank(void *arg)
{
	struct snemu_win *win;
	uint64_t *mem;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	if (snemu_rank() == 1)
		H_EXPECT(snemu_wait_until(win, 24, SNEMU_CMP_GT, 7, NULL),
			 -ECANCELED);
	else
		H_EXPECT(snemu_barrier(), -ECANCELED);
	return 0;
}

static void a_wait_until_nobody_ends(void **state)
{
	struct harness *h = run_deadlock(2, word_rank);
	const struct emu_rank_info *in = &h->info[1];

	assert_int_equal(in->wait_op, EMU_WAIT_WORD);
	assert_int_equal(in->wait_win, 0);
	assert_int_equal(in->wait_off, 24);
	assert_int_equal(in->wait_cmp, SNEMU_CMP_GT);
	assert_int_equal(in->wait_value, 7);
	harness_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_receivers_deadlock),
		cmocka_unit_test(deadlock_report_names_each_wait),
		cmocka_unit_test(a_wait_until_nobody_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
