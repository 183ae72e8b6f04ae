/* SPDX-License-Identifier: MIT */
/* Windows, one-sided put/get/flush, remote atomics, and the barrier. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emu/ep.h"
#include "tests/emu/harness.h"

#define NRANKS	16 /* two nodes of cloudmatrix384 */
#define WIN_LEN 4096

static struct harness *run(int nranks, int (*fn)(void *))
{
	return harness_run_clean(&(struct harness_opts){.nranks = nranks}, fn,
				 NULL);
}

/* Each rank puts to, gets from and updates the rank on the other node. */
static int onesided_rank(void *arg)
{
	const struct topo *t = harness_topo(NULL);
	const struct topo_params *par = topo_params(t);
	int me, n, peer;
	uint64_t *mem, v, old, t0;
	struct snemu_win *win;
	struct snemu_status st;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	peer = (me + n / 2) % n;
	H_OK(snemu_win_allocate(WIN_LEN, (void **)&mem, &win));
	for (int i = 0; i < WIN_LEN / 8; i++)
		H_CHECK(mem[i] == 0);

	/*
	 * put, flush: the put leaves send_ns later from one of the idle
	 * issue units (the caller goes on at once), and the flush returns
	 * at its arrival.
	 */
	v = 1000 + me;
	t0 = snemu_now();
	H_OK(snemu_put(win, peer, 8 * me, &v, sizeof(v)));
	H_CHECK(par->issue_units > 1 && snemu_now() == t0);
	H_OK(snemu_flush(win, peer));
	H_CHECK(snemu_now() ==
		t0 + par->send_ns + topo_unloaded_ns(t, me, peer, 8));
	H_OK(snemu_flush(win, SNEMU_ANY_SOURCE));
	H_OK(snemu_barrier());
	H_CHECK(mem[peer] == 1000 + (uint64_t)peer);

	/* get: the value the peer put into our window... of the peer. */
	t0 = snemu_now();
	H_OK(snemu_get(win, peer, 8 * me, &v, sizeof(v)));
	H_CHECK(v == 1000 + (uint64_t)me);
	H_CHECK(snemu_now() == t0 + par->send_ns +
				       topo_unloaded_ns(t, me, peer, 0) +
				       topo_unloaded_ns(t, peer, me, 8));

	/* fadd: everyone increments rank 0's counter once. */
	H_OK(snemu_atomic_fadd(win, 0, WIN_LEN - 8, 1, &old));
	H_CHECK(old < (uint64_t)n);
	/* Collect the old values at rank 0: a permutation of 0..n-1. */
	if (me) {
		H_OK(snemu_send(0, 1, &old, sizeof(old)));
	} else {
		uint64_t seen = 1ULL << old;

		for (int i = 1; i < n; i++) {
			H_OK(snemu_recv(SNEMU_ANY_SOURCE, 1, &v, sizeof(v),
					&st));
			seen |= 1ULL << v;
		}
		H_CHECK(seen == (1ULL << n) - 1);
	}
	H_OK(snemu_barrier());
	if (!me)
		H_CHECK(mem[WIN_LEN / 8 - 1] == (uint64_t)n);

	/* cas: one winner on rank 3's word; the others see its value. */
	H_OK(snemu_atomic_cas(win, 3, 64, 0, 100 + me, &old));
	H_CHECK(old == 0 || (old >= 100 && old < 100 + (uint64_t)n &&
			     old != 100 + (uint64_t)me));
	H_OK(snemu_get(win, 3, 64, &v, sizeof(v)));
	H_CHECK(v >= 100 && v < 100 + (uint64_t)n);
	H_CHECK((old == 0) == (v == 100 + (uint64_t)me));
	H_OK(snemu_barrier());
	/* fadd with old NULL, cas that fails. */
	H_OK(snemu_atomic_fadd(win, 3, 64, 1000, NULL));
	H_OK(snemu_barrier());
	H_OK(snemu_atomic_cas(win, 3, 64, 7, 8, &old));
	H_CHECK(old == v + 1000 * (uint64_t)n);

	/* Bad arguments change nothing. */
	t0 = snemu_now();
	H_EXPECT(snemu_put(win, peer, WIN_LEN - 4, &v, 8), -EINVAL);
	H_EXPECT(snemu_put(win, peer, SIZE_MAX, &v, 8), -EINVAL);
	H_EXPECT(snemu_put(win, n, 0, &v, 8), -EINVAL);
	H_EXPECT(snemu_put(NULL, peer, 0, &v, 8), -EINVAL);
	H_EXPECT(snemu_get(win, -1, 0, &v, 8), -EINVAL);
	H_EXPECT(snemu_get(win, peer, WIN_LEN, &v, 1), -EINVAL);
	H_EXPECT(snemu_atomic_fadd(win, peer, 4, 1, NULL), -EINVAL);
	H_EXPECT(snemu_atomic_cas(win, peer, WIN_LEN, 0, 1, NULL), -EINVAL);
	H_EXPECT(snemu_flush(win, n), -EINVAL);
	H_CHECK(snemu_now() == t0);
	H_OK(snemu_get(win, peer, WIN_LEN, &v, 0));

	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void put_get_atomics_across_nodes(void **state)
{
	struct harness *h = run(NRANKS, onesided_rank);

	/* Window traffic shows in the traffic matrix: 8 bytes each way. */
	assert_true(emu_fabric_traffic(h->fab, 0, NRANKS / 2) >= 8);
	harness_destroy(h);
}

/* Windows of different sizes per rank, reused ids, put to self. */
static int windows_rank(void *arg)
{
	int me, n;
	unsigned char *mem, *big;
	struct snemu_win *w1, *w2;
	uint64_t v = 42, got;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	for (int round = 0; round < 3; round++) {
		H_OK(snemu_win_allocate((size_t)me * 100, (void **)&mem, &w1));
		H_CHECK(me ? mem != NULL : mem == NULL);
		H_OK(snemu_win_allocate(1 << 20, (void **)&big, &w2));
		for (int i = 0; i < (1 << 20); i += 4096)
			H_CHECK(big[i] == 0);
		/* Leave a mark the next round must not see. */
		memset(big, 0xab, 1 << 20);
		if (me)
			H_OK(snemu_put(w1, me, 0, &v, sizeof(v)));
		H_EXPECT(snemu_put(w1, 0, 0, &v, 1), -EINVAL);
		H_OK(snemu_put(w2, (me + 1) % n, 8, &v, sizeof(v)));
		H_OK(snemu_flush(w1, SNEMU_ANY_SOURCE));
		H_OK(snemu_barrier());
		if (me) {
			H_OK(snemu_get(w1, me, 0, &got, sizeof(got)));
			H_CHECK(got == 42);
		}
		H_CHECK(((uint64_t *)big)[1] == 42);
		H_OK(snemu_win_free(w1));
		H_OK(snemu_win_free(w2));
	}
	H_OK(snemu_finalize());
	return 0;
}

/*
 * A large send from window memory (the receiver reads the segment, no
 * CMA) and into it; a large send to self from a window.
 */
#define BIG (300 << 10)

static int from_window_rank(void *arg)
{
	unsigned char *mem, *buf = malloc(BIG);
	struct snemu_win *win;
	struct snemu_req *req;
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_win_allocate(2 * BIG, (void **)&mem, &win));
	for (size_t i = 0; i < BIG; i++)
		mem[i] = (unsigned char)(i * 11 + me);
	if (me == 0) {
		H_OK(snemu_send(1, 1, mem, BIG));
		H_OK(snemu_recv(1, 2, buf, BIG, NULL));
		for (size_t i = 0; i < BIG; i++)
			H_CHECK(buf[i] == (unsigned char)(i * 11 + 1));
		H_OK(snemu_isend(0, 3, mem, BIG, &req));
		H_OK(snemu_recv(0, 3, mem + BIG, BIG, NULL));
		H_OK(snemu_wait(req, NULL));
		H_CHECK(!memcmp(mem, mem + BIG, BIG));
	} else {
		H_OK(snemu_recv(0, 1, mem + BIG, BIG, NULL));
		for (size_t i = 0; i < BIG; i++)
			H_CHECK(mem[BIG + i] == (unsigned char)(i * 11));
		H_OK(snemu_send(0, 2, mem, BIG));
	}
	H_OK(snemu_win_free(win));
	free(buf);
	H_OK(snemu_finalize());
	return 0;
}

static void large_sends_from_window_memory(void **state)
{
	harness_destroy(run(2, from_window_rank));
}

static void windows_allocate_and_free(void **state)
{
	harness_destroy(run(5, windows_rank));
}

/*
 * Windows over the program's own memory: private (malloc, with guard
 * words around it; reached by CMA), device memory, and the whole address
 * space. The same calls work on each, with the timings of an allocated
 * window, and the guards stay untouched.
 */
#define PRIV_WORDS 64

static int created_rank(void *arg)
{
	const struct topo *t = harness_topo(NULL);
	const struct topo_params *par = topo_params(t);
	uint64_t *priv = calloc(PRIV_WORDS + 2, sizeof(*priv)), *dev, *all;
	uint64_t v, old, t0, src[4] = {1, 2, 3, 4}, addrs[4], bad = 8;
	struct snemu_win *w, *wd, *wa;
	struct snemu_req *req;
	int me, n, peer;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	peer = (me + 1) % n;
	priv[0] = priv[PRIV_WORDS + 1] = 0xdead;
	H_EXPECT(snemu_win_create(NULL, 8, &w), -EINVAL);
	H_EXPECT(snemu_win_create((void *)(UINTPTR_MAX - 7), 16, &w), -EINVAL);
	H_OK(snemu_win_create(priv + 1, PRIV_WORDS * 8, &w));
	H_OK(snemu_mem_alloc(PRIV_WORDS * 8, (void **)&dev));
	H_OK(snemu_win_create(dev, PRIV_WORDS * 8, &wd));

	/* put and flush: the timing of an allocated window. */
	v = 500 + me;
	t0 = snemu_now();
	H_OK(snemu_put(w, peer, 8, &v, sizeof(v)));
	H_OK(snemu_flush(w, peer));
	H_CHECK(snemu_now() ==
		t0 + par->send_ns + topo_unloaded_ns(t, me, peer, 8));
	/* put_nbi from private memory into private memory; a signal. */
	H_OK(snemu_put_signal_nbi(w, peer, 16, src, sizeof(src), 0, 7,
				  SNEMU_SIGNAL_ADD));
	H_OK(snemu_put(wd, peer, 0, src, sizeof(src)));
	H_OK(snemu_flush(w, SNEMU_ANY_SOURCE));
	H_OK(snemu_wait_until(w, 0, SNEMU_CMP_EQ, 7, &v));
	H_OK(snemu_barrier());
	H_CHECK(priv[2] == 500 + (uint64_t)(me + n - 1) % n);
	H_CHECK(priv[1] == 7 && !memcmp(priv + 3, src, sizeof(src)));
	H_CHECK(!memcmp(dev, src, sizeof(src)));

	/* Atomics and gets; a wait on a private word ended by a put. */
	H_OK(snemu_atomic_fadd(w, 0, 8 * (PRIV_WORDS - 1), 1, &old));
	H_CHECK(old < (uint64_t)n);
	H_OK(snemu_iatomic_fetch_op(w, peer, 8, SNEMU_AMO_ADD, 1, &old, &req));
	H_OK(snemu_wait(req, NULL));
	H_CHECK(old == 500 + (uint64_t)me);
	H_OK(snemu_atomic_cas(w, peer, 8, 501 + me, 9, &old));
	H_CHECK(old == 501 + (uint64_t)me);
	H_OK(snemu_get(w, peer, 8, &v, sizeof(v)));
	H_CHECK(v == 9);
	H_OK(snemu_barrier());
	if (me == 0)
		H_CHECK(priv[PRIV_WORDS] == (uint64_t)n);
	v = 1;
	H_OK(snemu_put_signal(w, peer, 0, NULL, 0, 8 * 8, 1, SNEMU_SIGNAL_SET));
	H_OK(snemu_wait_until(w, 8 * 8, SNEMU_CMP_EQ, 1, NULL));
	H_CHECK(priv[0] == 0xdead && priv[PRIV_WORDS + 1] == 0xdead);

	/* The whole address space: offsets are addresses. */
	wa = snemu_win_address_space();
	H_CHECK(wa != NULL);
	H_EXPECT(snemu_win_free(wa), -EINVAL);
	all = calloc(2, sizeof(*all));
	addrs[0] = (uintptr_t)all;
	addrs[1] = (uintptr_t)dev;
	H_OK(snemu_send(peer, 5, addrs, 2 * sizeof(addrs[0])));
	H_OK(snemu_recv((me + n - 1) % n, 5, addrs + 2, 2 * sizeof(addrs[0]),
			NULL));
	/* Into malloc'd memory, and into device memory (no CMA). */
	v = 70 + me;
	H_OK(snemu_put(wa, (me + n - 1) % n, addrs[2] + 8, &v, sizeof(v)));
	H_OK(snemu_put(wa, (me + n - 1) % n, addrs[3] + 40, &v, sizeof(v)));
	H_OK(snemu_flush(wa, SNEMU_ANY_SOURCE));
	H_OK(snemu_barrier());
	H_CHECK(all[1] == 70 + (uint64_t)peer);
	H_CHECK(dev[5] == 70 + (uint64_t)peer);
	H_OK(snemu_barrier());
	H_OK(snemu_atomic_fadd(wa, (me + n - 1) % n, addrs[3] + 40, 1, &old));
	H_CHECK(old == 70 + (uint64_t)me);
	H_EXPECT(snemu_get(wa, peer, bad, &v, sizeof(v)), -EFAULT);
	H_EXPECT(snemu_atomic_fadd(wa, peer, bad, 1, NULL), -EFAULT);
	H_OK(snemu_win_free(wd));
	H_OK(snemu_win_free(w));
	H_OK(snemu_mem_free(dev));
	free(all);
	free(priv);
	H_OK(snemu_finalize());
	return 0;
}

static void windows_over_program_memory(void **state)
{
	harness_destroy(run(NRANKS, created_rank));
}

/* After a barrier every clock is past every clock before it. */
static int barrier_rank(void *arg)
{
	int me, n;
	uint64_t v, max = 0;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	for (int round = 0; round < 5; round++) {
		uint64_t before;

		H_OK(snemu_compute((uint64_t)((me * 7 + round * 3) % n) *
				   1000));
		before = snemu_now();
		H_OK(snemu_barrier());
		/* Everyone's entry time, to check against. */
		for (int r = 0; r < n; r++) {
			if (r == me)
				continue;
			H_OK(snemu_send(r, round, &before, sizeof(before)));
		}
		max = before;
		for (int r = 1; r < n; r++) {
			H_OK(snemu_recv(SNEMU_ANY_SOURCE, round, &v, sizeof(v),
					NULL));
			max = v > max ? v : max;
		}
		H_CHECK(snemu_now() > max);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void barrier_waits_for_everyone(void **state)
{
	/* 24 ranks: not a power of two, three nodes. */
	struct harness *h = run(24, barrier_rank);
	struct emu_rank_info info;

	emu_fabric_rank_info(h->fab, 0, &info);
	assert_true(info.msgs_sent >= 5 * 5);
	harness_destroy(h);
}

/*
 * The engine runs a barrier's rounds for a rank that waits: the rank is
 * woken once per barrier, not once per round it waited in. Rank 0 comes
 * late to each barrier, so every other rank waits.
 */
static int wake_rank(void *arg)
{
	uint32_t before;

	H_OK(snemu_init(NULL, NULL));
	before = __atomic_load_n(&emu_ep->me->futex, __ATOMIC_RELAXED);
	for (int i = 0; i < 10; i++) {
		if (snemu_rank() == 0)
			H_OK(snemu_compute(100000));
		H_OK(snemu_barrier());
	}
	H_CHECK(__atomic_load_n(&emu_ep->me->futex, __ATOMIC_RELAXED) -
			before <=
		10);
	H_OK(snemu_finalize());
	return 0;
}

static void barrier_wakes_a_rank_once(void **state)
{
	harness_destroy(run(48, wake_rank));
}

/*
 * k one-sided calls back to back on u issue units: the caller goes on
 * after floor(k / u) issue overheads, and the last leaves ceil(k / u)
 * overheads after the first call.
 */
static int units_rank(void *arg)
{
	const struct topo_params *par = topo_params(harness_topo(NULL));
	uint64_t u = par->issue_units, k = 2 * u + 3, *mem, v = 7, t0, t1;
	struct snemu_win *win;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	if (snemu_rank() == 0) {
		t0 = snemu_now();
		for (uint64_t i = 0; i < k; i++)
			H_OK(snemu_put(win, 1, 0, &v, sizeof(v)));
		t1 = snemu_now();
		H_CHECK(t1 == t0 + k / u * par->send_ns);
		/* A blocking get behind them starts when a unit is free. */
		H_OK(snemu_get(win, 1, 0, &v, sizeof(v)));
		H_CHECK(snemu_now() >= t1 + par->send_ns);
		H_OK(snemu_flush(win, 1));
	}
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

static void issue_units_share_the_overheads(void **state)
{
	harness_destroy(run(2, units_rank));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(issue_units_share_the_overheads),
		cmocka_unit_test(put_get_atomics_across_nodes),
		cmocka_unit_test(windows_allocate_and_free),
		cmocka_unit_test(windows_over_program_memory),
		cmocka_unit_test(large_sends_from_window_memory),
		cmocka_unit_test(barrier_waits_for_everyone),
		cmocka_unit_test(barrier_wakes_a_rank_once),
	};

	assert_non_null(harness_topo(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
