/* SPDX-License-Identifier: MIT */
/*
 * NPU-style one-sided calls: put with signal, waiting on a window word,
 * the fetch-and-op atomics, the nonblocking get and atomic, and flush as
 * a poll. Times are checked to the ns against the closed form.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

#define NRANKS	 16 /* two nodes of cloudmatrix384 */
#define WIN_LEN	 (64 << 10)
#define DATA_LEN (32 << 10)

static struct harness *run(int nranks, int (*fn)(void *))
{
	return harness_run_clean(&(struct harness_opts){.nranks = nranks}, fn,
				 NULL);
}

static const struct topo_params *params(void)
{
	return topo_params(harness_topo(NULL));
}

/*
 * Rank 0 writes DATA_LEN bytes to rank 8 (the other node) with a signal,
 * five times, each a new pattern and signal value. Rank 8 waits for each
 * value: it returns at the put's arrival plus recv_ns, and the data is
 * there.
 */
static int signal_rank(void *arg)
{
	const struct topo *t = harness_topo(NULL);
	uint64_t *mem, seen, at = 0, now;
	struct snemu_win *win;
	unsigned char *data;
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_win_allocate(WIN_LEN, (void **)&mem, &win));
	data = (unsigned char *)mem + 64;
	H_OK(snemu_barrier());
	for (uint64_t k = 1; k <= 5; k++) {
		if (me == 0) {
			static unsigned char buf[DATA_LEN];

			memset(buf, (int)k, sizeof(buf));
			H_OK(snemu_compute(1000));
			at = snemu_now() + params()->send_ns +
			     topo_unloaded_ns(t, 0, 8, DATA_LEN);
			H_OK(snemu_put_signal(win, 8, 64, buf, DATA_LEN, 0, k,
					      SNEMU_SIGNAL_SET));
			H_OK(snemu_send(8, 0, &at, sizeof(at)));
		} else if (me == 8) {
			H_OK(snemu_wait_until(win, 0, SNEMU_CMP_EQ, k, &seen));
			now = snemu_now();
			H_CHECK(seen == k);
			for (int i = 0; i < DATA_LEN; i++)
				H_CHECK(data[i] == k);
			/* It waited from before the arrival. */
			H_OK(snemu_recv(0, 0, &at, sizeof(at), NULL));
			H_CHECK(now == at + params()->recv_ns);
		}
	}
	H_OK(snemu_flush(win, SNEMU_ANY_SOURCE));
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void put_signal_then_wait_until(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(NRANKS, signal_rank));
}

/*
 * Every other rank adds 1 to rank 0's counter with its slot's data; rank
 * 0 waits for the count. A word already true costs recv_ns only.
 */
static int count_rank(void *arg)
{
	uint64_t *mem, seen, v, t0;
	struct snemu_win *win;
	int me, n;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	H_OK(snemu_win_allocate(8 * (n + 1), (void **)&mem, &win));
	if (me) {
		v = 100 + me;
		H_OK(snemu_compute(97 * (uint64_t)me));
		H_OK(snemu_put_signal(win, 0, 8 * (me + 1), &v, 8, 0, 1,
				      SNEMU_SIGNAL_ADD));
	} else {
		H_OK(snemu_wait_until(win, 0, SNEMU_CMP_GE, n - 1, &seen));
		H_CHECK(seen == (uint64_t)n - 1);
		for (int r = 1; r < n; r++)
			H_CHECK(mem[r + 1] == 100 + (uint64_t)r);
		t0 = snemu_now();
		H_OK(snemu_wait_until(win, 0, SNEMU_CMP_NE, 0, NULL));
		H_CHECK(snemu_now() == t0 + params()->recv_ns);
	}
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void signals_add_up(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(NRANKS, count_rank));
}

/* The fetch-and-op atomics, blocking and not, and iget. */
static int fetch_op_rank(void *arg)
{
	static const struct {
		int op;
		uint64_t operand, want_old, want_new;
	} steps[] = {
		{SNEMU_AMO_ADD, 5, 0xf0, 0xf5},
		{SNEMU_AMO_AND, 0x3c, 0xf5, 0x34},
		{SNEMU_AMO_OR, 0x101, 0x34, 0x135},
		{SNEMU_AMO_XOR, 0xff, 0x135, 0x1ca},
		{SNEMU_AMO_SWAP, 7, 0x1ca, 7},
	};
	uint64_t *mem, old, olds[4], got[2];
	struct snemu_req *reqs[6];
	struct snemu_win *win;
	int me, done = 0;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	mem[0] = 0xf0;
	mem[1] = 1000 + me;
	H_OK(snemu_barrier());
	if (me == 1) {
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			H_OK(snemu_atomic_fetch_op(win, 9, 0, steps[i].op,
						   steps[i].operand, &old));
			H_CHECK(old == steps[i].want_old);
			H_OK(snemu_get(win, 9, 0, &old, 8));
			H_CHECK(old == steps[i].want_new);
		}
		/* Four adds and two gets in flight at once. */
		for (int i = 0; i < 4; i++)
			H_OK(snemu_iatomic_fetch_op(win, 9, 16, SNEMU_AMO_ADD,
						    1, &olds[i], &reqs[i]));
		H_OK(snemu_iget(win, 9, 8, &got[0], 8, &reqs[4]));
		H_OK(snemu_iget(win, 10, 8, &got[1], 8, &reqs[5]));
		H_OK(snemu_waitall(4, reqs, NULL));
		for (int i = 0; i < 4; i++)
			H_CHECK(olds[i] == (uint64_t)i);
		H_OK(snemu_wait(reqs[4], NULL));
		while (!done)
			H_OK(snemu_test(reqs[5], &done, NULL));
		H_CHECK(got[0] == 1009 && got[1] == 1010);
	}
	H_OK(snemu_barrier());
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void fetch_ops_and_nonblocking_calls(void **state)
{
	harness_destroy(run(NRANKS, fetch_op_rank));
}

/*
 * Flush with nothing outstanding is a poll: poll_ns each, so a loop of
 * them reaches a flag's arrival in virtual time and ends.
 */
static int poll_rank(void *arg)
{
	volatile uint64_t *mem;
	struct snemu_win *win;
	uint64_t t0, one = 1;
	int me, polls = 0;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	if (me == 1) {
		H_OK(snemu_compute(20000));
		H_OK(snemu_put(win, 0, 0, &one, 8));
	} else {
		t0 = snemu_now();
		H_OK(snemu_flush(win, SNEMU_ANY_SOURCE));
		H_CHECK(snemu_now() == t0 + params()->poll_ns);
		while (!mem[0]) {
			H_OK(snemu_flush(win, SNEMU_ANY_SOURCE));
			polls++;
		}
		H_CHECK(snemu_now() > 20000);
		H_CHECK(polls > 1);
	}
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void flush_is_a_poll(void **state)
{
	harness_destroy(run(2, poll_rank));
}

/*
 * put_nbi and put_signal_nbi read the origin's buffer at the arrival:
 * from private memory (CMA) and from device memory; same times as the
 * copying calls.
 */
static int nbi_rank(void *arg)
{
	static uint64_t priv[512];
	uint64_t *mem, *dev, seen, t_copy, t_nbi;
	struct snemu_win *win;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_win_allocate(3 * sizeof(priv) + 8, (void **)&mem, &win));
	H_OK(snemu_mem_alloc(sizeof(priv), (void **)&dev));
	for (int i = 0; i < 512; i++) {
		priv[i] = 3 * (uint64_t)i + 1;
		dev[i] = 5 * (uint64_t)i + 2;
	}
	H_OK(snemu_barrier());
	if (snemu_rank() == 0) {
		uint64_t t0 = snemu_now();

		H_OK(snemu_put(win, 9, 8, priv, sizeof(priv)));
		H_OK(snemu_flush(win, 9));
		t_copy = snemu_now() - t0;
		t0 = snemu_now();
		H_OK(snemu_put_nbi(win, 9, 8 + sizeof(priv), priv,
				   sizeof(priv)));
		H_OK(snemu_flush(win, 9));
		t_nbi = snemu_now() - t0;
		H_CHECK(t_nbi == t_copy);
		H_OK(snemu_put_signal_nbi(win, 9, 8 + 2 * sizeof(priv), dev,
					  sizeof(priv), 0, 1,
					  SNEMU_SIGNAL_SET));
		H_OK(snemu_flush(win, 9));
		/* After the flush the buffers are ours again. */
		memset(priv, 0, sizeof(priv));
		memset(dev, 0, sizeof(priv));
	} else if (snemu_rank() == 9) {
		H_OK(snemu_wait_until(win, 0, SNEMU_CMP_EQ, 1, &seen));
		for (int i = 0; i < 512; i++) {
			H_CHECK(mem[1 + i] == 3 * (uint64_t)i + 1);
			H_CHECK(mem[513 + i] == 3 * (uint64_t)i + 1);
			H_CHECK(mem[1025 + i] == 5 * (uint64_t)i + 2);
		}
	}
	H_OK(snemu_barrier());
	H_OK(snemu_mem_free(dev));
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void nbi_puts_read_at_arrival(void **state)
{
	for (int i = 0; i < 2; i++)
		harness_destroy(run(NRANKS, nbi_rank));
}

static int bad_args_rank(void *arg)
{
	struct snemu_win *win;
	struct snemu_req *req;
	uint64_t *mem, v = 0;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	H_EXPECT(snemu_put_signal(win, 1, 0, &v, 8, 8, 1, 2), -EINVAL);
	H_EXPECT(snemu_put_signal(win, 1, 0, &v, 8, 4, 1, SNEMU_SIGNAL_SET),
		 -EINVAL);
	H_EXPECT(snemu_put_signal(win, 1, 0, &v, 8, 4096, 1, SNEMU_SIGNAL_SET),
		 -EINVAL);
	H_EXPECT(snemu_put_signal(win, 1, 4090, &v, 8, 0, 1, SNEMU_SIGNAL_SET),
		 -EINVAL);
	H_EXPECT(snemu_put_signal(NULL, 1, 0, &v, 8, 0, 1, SNEMU_SIGNAL_SET),
		 -EINVAL);
	H_EXPECT(snemu_wait_until(win, 4, SNEMU_CMP_EQ, 0, NULL), -EINVAL);
	H_EXPECT(snemu_wait_until(win, 4096, SNEMU_CMP_EQ, 0, NULL), -EINVAL);
	H_EXPECT(snemu_wait_until(win, 0, 6, 0, NULL), -EINVAL);
	H_EXPECT(snemu_wait_until(win, 0, -1, 0, NULL), -EINVAL);
	H_EXPECT(snemu_wait_until(NULL, 0, SNEMU_CMP_EQ, 0, NULL), -EINVAL);
	H_EXPECT(snemu_atomic_fetch_op(win, 1, 0, 5, 1, NULL), -EINVAL);
	H_EXPECT(snemu_atomic_fetch_op(win, 1, 4, SNEMU_AMO_ADD, 1, NULL),
		 -EINVAL);
	H_EXPECT(snemu_atomic_fetch_op(win, 2, 0, SNEMU_AMO_ADD, 1, NULL),
		 -EINVAL);
	H_EXPECT(snemu_iatomic_fetch_op(win, 1, 0, SNEMU_AMO_OR, 1, NULL, NULL),
		 -EINVAL);
	H_EXPECT(snemu_iget(win, 1, 0, &v, 8, NULL), -EINVAL);
	H_EXPECT(snemu_iget(win, 1, 4090, &v, 8, &req), -EINVAL);
	/* Nothing of the above was sent: the word is still 0. */
	H_OK(snemu_barrier());
	H_CHECK(mem[0] == 0 && mem[1] == 0);
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void bad_arguments_are_einval(void **state)
{
	harness_destroy(run(2, bad_args_rank));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_signal_then_wait_until),
		cmocka_unit_test(signals_add_up),
		cmocka_unit_test(fetch_ops_and_nonblocking_calls),
		cmocka_unit_test(flush_is_a_poll),
		cmocka_unit_test(nbi_puts_read_at_arrival),
		cmocka_unit_test(bad_arguments_are_einval),
	};

	assert_non_null(harness_topo(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
