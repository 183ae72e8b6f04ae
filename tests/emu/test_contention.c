/* SPDX-License-Identifier: MIT */
/*
 * Flows that overlap, end to end: 16 real ranks (2 nodes of the
 * CloudMatrix384 preset) move real bytes from device memory while the
 * fabric model shares the links (docs/MODEL.md). Each check compares the
 * virtual arrival the receiver sees with what the model must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

#define MIB	(1ULL << 20)
#define BIG	(16 * MIB)
#define SEGMENT 147 /* a 4 KiB segment and its header at 28 GB/s, ns */
#define NRANKS	16

static const struct topo_params *par(void)
{
	return topo_params(harness_topo(NULL));
}

static uint64_t unloaded(int src, int dst, uint64_t bytes)
{
	return topo_unloaded_ns(harness_topo(NULL), src, dst, bytes);
}

/* Send len bytes of device memory to dst at virtual time at. */
static void send_at(int dst, uint64_t len, uint64_t at)
{
	void *buf;

	H_OK(snemu_mem_alloc(len, &buf));
	memset(buf, dst, len);
	H_OK(snemu_compute(at - snemu_now()));
	H_OK(snemu_send(dst, 0, buf, len));
	H_OK(snemu_mem_free(buf));
}

/* Receive len bytes from src; check them; their arrival time. */
static uint64_t recv_from(int src, uint64_t len)
{
	struct snemu_status st;
	unsigned char *buf;

	H_OK(snemu_mem_alloc(len, (void **)&buf));
	H_OK(snemu_recv(src, 0, buf, len, &st));
	H_CHECK(st.len == len && buf[0] == snemu_rank() &&
		buf[len - 1] == snemu_rank());
	H_OK(snemu_mem_free(buf));
	return st.arrival_ns;
}

/*
 * A small message of another NPU does not queue behind a big one: rank 0
 * sends 16 MiB to rank 8, rank 1 sends 8 B to rank 9 1 us later; the 8 B
 * arrives within a segment time of its unloaded time.
 */
static int small_beside_big_rank(void *arg)
{
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	if (me == 0)
		send_at(8, BIG, 0);
	if (me == 1)
		send_at(9, 8, 1000);
	if (me == 8)
		recv_from(0, BIG);
	if (me == 9) {
		uint64_t alone = 1000 + par()->send_ns + unloaded(1, 9, 8);
		uint64_t at = recv_from(1, 8);

		H_CHECK(at >= alone && at <= alone + SEGMENT);
	}
	H_OK(snemu_finalize());
	return 0;
}

/*
 * Sprays of different sources do not move in lockstep: ranks 0..7 each
 * send 4 KiB to rank + 8 at once; all arrive together, at the unloaded
 * time. Each receiver checks its own; they all check the same figure.
 */
static int simultaneous_rank(void *arg)
{
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	if (me < 8) {
		send_at(me + 8, 4096, 0);
	} else {
		uint64_t alone = par()->send_ns + unloaded(me - 8, me, 4096);
		uint64_t at = recv_from(me - 8, 4096);

		H_CHECK(at >= alone && at <= alone + 60);
	}
	H_OK(snemu_finalize());
	return 0;
}

/*
 * Two flows into one NPU share its ejection: ranks 0 and 1 each send 16
 * MiB to rank 8, rank 1 10 us later. From then on each gets half: the
 * first ends near 76 us, the second near 86 us (within 10%), where one
 * alone takes 44 us.
 */
static int fair_pair_rank(void *arg)
{
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	if (me == 0)
		send_at(8, BIG, 0);
	if (me == 1)
		send_at(8, BIG, 10000);
	if (me == 8) {
		struct snemu_req *reqs[2];
		struct snemu_status sts[2];
		unsigned char *buf[2];

		for (int i = 0; i < 2; i++) {
			H_OK(snemu_mem_alloc(BIG, (void **)&buf[i]));
			H_OK(snemu_irecv(i, 0, buf[i], BIG, &reqs[i]));
		}
		H_OK(snemu_waitall(2, reqs, sts));
		for (int i = 0; i < 2; i++) {
			H_CHECK(buf[i][0] == 8 && buf[i][BIG - 1] == 8);
			H_OK(snemu_mem_free(buf[i]));
		}
		H_CHECK(sts[0].arrival_ns > 0.9 * 76000 &&
			sts[0].arrival_ns < 1.1 * 76000);
		H_CHECK(sts[1].arrival_ns > 0.9 * 86000 &&
			sts[1].arrival_ns < 1.1 * 86000);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void run(int (*fn)(void *))
{
	struct harness_opts o = {.nranks = NRANKS};
	struct harness *h;

	assert_int_equal(harness_run(&o, fn, NULL, &h), 0);
	assert_false(h->timed_out);
	assert_false(h->deadlock);
	assert_int_equal(harness_failures(h), 0);
	harness_destroy(h);
}

static void a_small_message_beside_a_big_one(void **state)
{
	run(small_beside_big_rank);
}

static void simultaneous_sprays_do_not_collide(void **state)
{
	run(simultaneous_rank);
}

static void two_flows_share_an_npu_fairly(void **state)
{
	run(fair_pair_rank);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_small_message_beside_a_big_one),
		cmocka_unit_test(simultaneous_sprays_do_not_collide),
		cmocka_unit_test(two_flows_share_an_npu_fairly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
