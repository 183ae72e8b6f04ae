/* SPDX-License-Identifier: MIT */
/*
 * Looking at and choosing among receives: probe and iprobe, cancel,
 * waitany, testany, testall and testsome.
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

#define BIG (70 << 10) /* above the eager limit: rendezvous */

static struct harness *run(int nranks, int (*fn)(void *))
{
	return harness_run_clean(&(struct harness_opts){.nranks = nranks}, fn,
				 NULL);
}

static const struct topo_params *params(void)
{
	return topo_params(harness_topo(NULL));
}

static unsigned char byte_of(int tag, size_t i)
{
	return (unsigned char)(tag * 13 + i);
}

static void fill(unsigned char *b, size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		b[i] = byte_of(tag, i);
}

static int check(const unsigned char *b, size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != byte_of(tag, i))
			return 0;
	return 1;
}

/*
 * Rank 0 sends tags 5, 6, 7 (100 B, 200 B, BIG) to rank 1 after 10 us.
 * Rank 1 probes before they come (it returns at the first arrival),
 * receives each with a buffer of the probed size, and probes around a
 * posted receive, which takes its message first.
 */
static int probe_rank(void *arg)
{
	static const size_t lens[3] = {100, 200, BIG};
	static unsigned char buf[BIG];
	struct snemu_status st, st2;
	struct snemu_req *req;
	int flag = 0, polls = 0;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		H_OK(snemu_compute(10000));
		for (int k = 0; k < 3; k++) {
			fill(buf, lens[k], 5 + k);
			H_OK(snemu_send(1, 5 + k, buf, lens[k]));
		}
		for (int k = 0; k < 2; k++)
			H_OK(snemu_send(1, 9, buf, 8));
		H_OK(snemu_finalize());
		return 0;
	}
	H_OK(snemu_probe(0, SNEMU_ANY_TAG, &st));
	H_CHECK(st.source == 0 && st.tag == 5 && st.len == 100);
	H_CHECK(st.arrival_ns > 10000 && snemu_now() == st.arrival_ns);
	/* Probing again sees the same message: it is still there. */
	H_OK(snemu_probe(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, &st2));
	H_CHECK(st2.tag == 5 && st2.arrival_ns == st.arrival_ns);
	/* The receive of the probed size gets exactly that message. */
	H_OK(snemu_recv(0, SNEMU_ANY_TAG, buf, st.len, &st2));
	H_CHECK(st2.tag == 5 && check(buf, 100, 5));
	/* A specific tag: the rendezvous one, by iprobe in a loop. */
	while (!flag) {
		uint64_t t0 = snemu_now();

		H_OK(snemu_iprobe(SNEMU_ANY_SOURCE, 7, &flag, &st));
		H_CHECK(snemu_now() == t0 + params()->poll_ns);
		polls++;
	}
	H_CHECK(st.len == BIG && polls >= 1);
	H_OK(snemu_recv(0, 7, buf, st.len, NULL));
	H_CHECK(check(buf, BIG, 7));
	H_OK(snemu_recv(0, 6, buf, 200, NULL));
	H_CHECK(check(buf, 200, 6));
	/* The first tag-9 message goes to the posted receive, not to us. */
	H_OK(snemu_irecv(0, 9, buf, 8, &req));
	H_OK(snemu_probe(0, 9, &st));
	H_OK(snemu_wait(req, &st2));
	H_CHECK(st.arrival_ns > st2.arrival_ns);
	H_OK(snemu_recv(0, 9, buf, 8, &st2));
	H_CHECK(st2.arrival_ns == st.arrival_ns);
	/* Nothing left. */
	H_OK(snemu_iprobe(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, &flag, NULL));
	H_CHECK(!flag);
	H_EXPECT(snemu_probe(2, 0, NULL), -EINVAL);
	H_EXPECT(snemu_iprobe(0, -5, &flag, NULL), -EINVAL);
	H_EXPECT(snemu_iprobe(0, 0, NULL, NULL), -EINVAL);
	H_OK(snemu_finalize());
	return 0;
}

static void probe_sees_what_recv_takes(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(2, probe_rank));
}

/*
 * A receive nothing matches is withdrawn, and finalize is clean; one
 * that matched cannot be; a send is not a receive.
 */
static int cancel_rank(void *arg)
{
	struct snemu_req *r, *s;
	struct snemu_status st;
	uint64_t v = 42, got = 0;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		H_OK(snemu_send(1, 1, &v, sizeof(v)));
		H_OK(snemu_isend(1, 2, &v, sizeof(v), &s));
		H_EXPECT(snemu_cancel(s), -EINVAL);
		H_OK(snemu_wait(s, NULL));
	} else {
		H_OK(snemu_irecv(0, 3, &got, sizeof(got), &r));
		H_OK(snemu_cancel(r));
		H_OK(snemu_wait(r, &st));
		H_CHECK(st.cancelled == 1 && st.len == 0);
		H_OK(snemu_irecv(0, 1, &got, sizeof(got), &r));
		H_OK(snemu_compute(100000));
		H_EXPECT(snemu_cancel(r), -EBUSY);
		H_OK(snemu_wait(r, &st));
		H_CHECK(st.cancelled == 0 && got == 42);
		H_OK(snemu_recv(0, 2, &got, sizeof(got), NULL));
		/* Posted and withdrawn before the lock that would post it. */
		H_OK(snemu_irecv(SNEMU_ANY_SOURCE, 4, &got, sizeof(got), &r));
		H_OK(snemu_cancel(r));
		H_EXPECT(snemu_cancel(r), -EBUSY);
		H_OK(snemu_test(r, &(int){0}, &st));
		H_CHECK(st.cancelled == 1);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void cancel_withdraws_an_unmatched_receive(void **state)
{
	harness_destroy(run(2, cancel_rank));
}

/*
 * Ranks 1..4 send to rank 0 at 4000, 1000, 3000 and 2000 ns after a
 * barrier. Rank 0 takes them with waitany (rank 2 first, then 4, 3, 1),
 * then again with testany loops, in arrival order, then with a testall
 * loop.
 */
static int any_rank(void *arg)
{
	static const uint64_t when[5] = {0, 4000, 1000, 3000, 2000};
	static const int order[4] = {1, 3, 2, 0}; /* indices: ranks - 1 */
	struct snemu_req *reqs[5] = {NULL};
	struct snemu_status st, sts[5];
	uint64_t got[5];
	int me, index, done;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	for (int round = 0; round < 3; round++) {
		uint64_t v = 100 * round + me, last = 0;

		H_OK(snemu_barrier());
		if (me) {
			H_OK(snemu_compute(when[me]));
			H_OK(snemu_send(0, round, &v, sizeof(v)));
			continue;
		}
		/* reqs[4] stays NULL: skipped. */
		for (int i = 0; i < 4; i++)
			H_OK(snemu_irecv(i + 1, round, &got[i], 8, &reqs[i]));
		for (int k = 0; k < 4 && round < 2; k++) {
			done = 0;
			if (round == 0) {
				H_OK(snemu_waitany(5, reqs, &index, &st));
			} else {
				while (!done)
					H_OK(snemu_testany(5, reqs, &index,
							   &done, &st));
			}
			/* In arrival order (after round 0's barrier, the
			 * ranks leave the barrier at different times). */
			H_CHECK(index >= 0 && reqs[index] == NULL);
			H_CHECK(round || index == order[k]);
			H_CHECK(st.source == index + 1 &&
				st.arrival_ns >= last);
			last = st.arrival_ns;
			H_CHECK(got[index] ==
				100 * (uint64_t)round + st.source);
		}
		for (done = 0; round == 2 && !done;)
			H_OK(snemu_testall(5, reqs, &done, sts));
		for (int i = 0; i < 5; i++)
			H_CHECK(reqs[i] == NULL);
		if (round == 2)
			for (int i = 0; i < 4; i++)
				H_CHECK(sts[i].source == i + 1 &&
					got[i] == 200 + (uint64_t)i + 1);
		H_OK(snemu_waitany(5, reqs, &index, NULL));
		H_CHECK(index == -1);
		H_OK(snemu_testany(5, reqs, &index, &done, NULL));
		H_CHECK(index == -1 && done == 1);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void waitany_testany_testall(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(5, any_rank));
}

/*
 * Ranks 1..4 send to rank 0 at 40000, 1000, 30000 and 2000 ns after a
 * barrier; rank 0 computes 20000 ns, so one testsome (one poll, and the
 * two receives it handles) takes ranks 2 and 4, in index order; the
 * next finds none, a loop takes the others, and with every entry NULL
 * it costs nothing.
 */
static int some_rank(void *arg)
{
	static const uint64_t when[5] = {0, 40000, 1000, 30000, 2000};
	struct snemu_req *reqs[5] = {NULL};
	struct snemu_status sts[5];
	int me, idx[5], count, total;
	uint64_t got[4], t0;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_barrier());
	if (me) {
		uint64_t v = 10 + me;

		H_OK(snemu_compute(when[me]));
		H_OK(snemu_send(0, 1, &v, sizeof(v)));
		H_OK(snemu_finalize());
		return 0;
	}
	/* reqs[4] stays NULL: skipped. */
	for (int i = 0; i < 4; i++)
		H_OK(snemu_irecv(i + 1, 1, &got[i], 8, &reqs[i]));
	H_OK(snemu_compute(20000));
	t0 = snemu_now();
	H_OK(snemu_testsome(5, reqs, &count, idx, sts));
	H_CHECK(count == 2 && idx[0] == 1 && idx[1] == 3);
	H_CHECK(sts[0].source == 2 && sts[1].source == 4);
	H_CHECK(got[1] == 12 && got[3] == 14 && !reqs[1] && !reqs[3]);
	H_CHECK(snemu_now() == t0 + params()->poll_ns + 2 * params()->recv_ns);
	t0 = snemu_now();
	H_OK(snemu_testsome(5, reqs, &count, idx, sts));
	H_CHECK(count == 0 && snemu_now() == t0 + params()->poll_ns);
	for (total = 0; total < 2; total += count) {
		H_OK(snemu_testsome(5, reqs, &count, idx, NULL));
		for (int j = 0; j < count; j++)
			H_CHECK(got[idx[j]] == 11 + (uint64_t)idx[j]);
	}
	H_CHECK(total == 2 && !reqs[0] && !reqs[2]);
	t0 = snemu_now();
	H_OK(snemu_testsome(5, reqs, &count, idx, sts));
	H_CHECK(count == 0 && snemu_now() == t0);
	H_OK(snemu_finalize());
	return 0;
}

static void testsome_takes_every_done(void **state)
{
	harness_destroy(run(5, some_rank));
}

/* A probe nobody answers is a reported deadlock. */
static int lone_probe_rank(void *arg)
{
	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 1)
		H_EXPECT(snemu_probe(0, 3, NULL), -ECANCELED);
	else
		H_EXPECT(snemu_barrier(), -ECANCELED);
	return 0;
}

static void a_probe_nobody_answers(void **state)
{
	struct harness_opts o = {.nranks = 2, .timeout_s = 60};
	struct harness *h;

	assert_int_equal(harness_run(&o, lone_probe_rank, NULL, &h), 0);
	assert_true(h->deadlock);
	assert_int_equal(h->info[1].wait_op, EMU_WAIT_PROBE);
	assert_int_equal(h->info[1].wait_src, 0);
	assert_int_equal(h->info[1].wait_tag, 3);
	harness_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_sees_what_recv_takes),
		cmocka_unit_test(cancel_withdraws_an_unmatched_receive),
		cmocka_unit_test(waitany_testany_testall),
		cmocka_unit_test(testsome_takes_every_done),
		cmocka_unit_test(a_probe_nobody_answers),
	};

	assert_non_null(harness_topo(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
