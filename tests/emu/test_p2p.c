/* SPDX-License-Identifier: MIT */
/* Tagged point-to-point messages between forked ranks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "emu/ep.h"
#include "tests/emu/harness.h"

static struct harness *run(int nranks, int (*fn)(void *), void *arg)
{
	return harness_run_clean(&(struct harness_opts){.nranks = nranks}, fn,
				 arg);
}

static unsigned char pattern(int src, int iter, size_t i)
{
	return (unsigned char)(src * 31 + iter * 7 + i * 13);
}

static void fill(unsigned char *buf, size_t len, int src, int iter)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(src, iter, i);
}

static int check(const unsigned char *buf, size_t len, int src, int iter)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(src, iter, i))
			return 0;
	return 1;
}

/* --- ping-pong: exact virtual time --- */

struct pingpong {
	int peer;
	size_t len;
	int iters;
	uint64_t one_way; /* send_ns + unloaded + recv_ns */
	uint64_t unloaded;
	bool rndv;
};

static int pingpong_rank(void *arg)
{
	const struct pingpong *p = arg;
	unsigned char *buf = malloc(p->len ? p->len : 1);
	const struct topo_params *par = topo_params(harness_topo(NULL));
	struct snemu_status st;
	int me, other;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	other = me ? 0 : p->peer;
	if (me && me != p->peer)
		goto out;
	for (int i = 0; i < p->iters; i++) {
		/* Rank 0 sends first; times are multiples of one_way. */
		uint64_t t0 = (uint64_t)(2 * i + (me ? 1 : 0)) * p->one_way;

		if (me) {
			H_OK(snemu_recv(other, i, buf, p->len, &st));
			H_CHECK(snemu_now() == t0);
			H_CHECK(st.arrival_ns == t0 - par->recv_ns);
			H_CHECK(st.source == other && st.tag == i &&
				st.len == p->len);
			H_CHECK(check(buf, p->len, other, i));
		}
		fill(buf, p->len, me, i);
		H_OK(snemu_send(other, i, buf, p->len));
		/* A rendezvous send returns when the receiver has it. */
		H_CHECK(snemu_now() ==
			t0 + par->send_ns + (p->rndv ? p->unloaded : 0));
		if (!me) {
			memset(buf, 0, p->len);
			H_OK(snemu_recv(other, i, buf, p->len, &st));
			H_CHECK(snemu_now() == t0 + 2 * p->one_way);
			H_CHECK(st.arrival_ns == snemu_now() - par->recv_ns);
			H_CHECK(st.source == other && st.tag == i &&
				st.len == p->len);
			H_CHECK(check(buf, p->len, other, i));
		}
	}
out:
	free(buf);
	H_OK(snemu_finalize());
	return 0;
}

static void pingpong(int peer, size_t len)
{
	const struct topo *t = harness_topo(NULL);
	const struct topo_params *par = topo_params(t);
	struct pingpong p = {
		.peer = peer,
		.len = len,
		.iters = 20,
		.unloaded = topo_unloaded_ns(t, 0, peer, len),
		.rndv = len > (64 << 10),
	};
	struct harness *h;
	struct emu_rank_info info;

	p.one_way = par->send_ns + p.unloaded + par->recv_ns;
	h = run(peer + 1, pingpong_rank, &p);
	emu_fabric_rank_info(h->fab, 0, &info);
	assert_int_equal(info.state, EMU_RANK_DONE);
	assert_int_equal(info.clock_ns, 2 * p.iters * p.one_way);
	assert_int_equal(info.msgs_sent, p.iters);
	assert_int_equal(info.bytes_recv, p.iters * len);
	assert_int_equal(emu_fabric_traffic(h->fab, 0, peer), p.iters * len);
	harness_destroy(h);
}

static void pingpong_intra_node_eager(void **state)
{
	pingpong(1, 8);
	pingpong(1, 64 << 10);
}

static void pingpong_inter_node_eager(void **state)
{
	pingpong(8, 8);
	pingpong(8, 4096);
}

static void pingpong_rendezvous(void **state)
{
	pingpong(1, (64 << 10) + 1);
	pingpong(8, 1 << 20);
}

/* --- wildcards: arrival order, whatever the wall-clock order --- */

static int wildcard_rank(void *arg)
{
	/* Ranks 1..3 send at virtual times in reverse rank order. */
	static const uint64_t delay[] = {0, 3000, 2000, 1000};
	int me, v;
	struct snemu_status st;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	if (me) {
		H_OK(snemu_compute(delay[me]));
		H_OK(snemu_send(0, 10 + me, &me, sizeof(me)));
		/* A second round, all at once: equal arrival, src order. */
		H_OK(snemu_compute(5000 - snemu_now()));
		H_OK(snemu_send(0, 20, &me, sizeof(me)));
	} else {
		/* Posted before anything arrived. */
		for (int i = 3; i >= 1; i--) {
			H_OK(snemu_recv(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, &v,
					sizeof(v), &st));
			H_CHECK(v == i && st.source == i && st.tag == 10 + i);
		}
		/* Posted after everything arrived (unexpected queue). */
		H_OK(snemu_compute(100000));
		for (int i = 1; i <= 3; i++) {
			H_OK(snemu_recv(SNEMU_ANY_SOURCE, 20, &v, sizeof(v),
					&st));
			H_CHECK(v == i && st.source == i);
		}
	}
	H_OK(snemu_finalize());
	return 0;
}

static void wildcard_receives_follow_arrival(void **state)
{
	harness_destroy(run(4, wildcard_rank, NULL));
}

/* Tags select; one sender's messages with one tag stay in order. */
static int tags_rank(void *arg)
{
	int v;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 1) {
		for (int i = 0; i < 8; i++) {
			v = i;
			H_OK(snemu_send(0, i % 2, &v, sizeof(v)));
		}
	} else {
		H_OK(snemu_compute(1000000));
		for (int i = 1; i < 8; i += 2) {
			H_OK(snemu_recv(1, 1, &v, sizeof(v), NULL));
			H_CHECK(v == i);
		}
		for (int i = 0; i < 8; i += 2) {
			H_OK(snemu_recv(1, SNEMU_ANY_TAG, &v, sizeof(v), NULL));
			H_CHECK(v == i);
		}
	}
	H_OK(snemu_finalize());
	return 0;
}

static void tags_select_and_keep_order(void **state)
{
	harness_destroy(run(2, tags_rank, NULL));
}

/* --- communicators and synchronous sends --- */

/*
 * Rank 1 sends one message on each of three communicators, with the same
 * tag, and two more to receives rank 0 posted first; rank 0 takes them in
 * another order, each only from its own communicator, wildcards too.
 */
static int comms_rank(void *arg)
{
	const uint32_t big = UINT32_MAX;
	struct snemu_req *r0, *r9;
	struct snemu_status st;
	int v, w, flag;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 1) {
		v = 70;
		H_OK(snemu_send_comm(7, 0, 3, &v, sizeof(v), 0));
		v = 0;
		H_OK(snemu_send(0, 3, &v, sizeof(v)));
		v = 99;
		H_OK(snemu_send_comm(big, 0, 3, &v, sizeof(v), 0));
		H_OK(snemu_barrier());
		v = 10;
		H_OK(snemu_send(0, 4, &v, sizeof(v)));
		v = 90;
		H_OK(snemu_send_comm(9, 0, 4, &v, sizeof(v), 0));
	} else {
		H_OK(snemu_compute(1000000));
		H_OK(snemu_iprobe_comm(5, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG,
				       &flag, NULL));
		H_CHECK(!flag);
		H_OK(snemu_probe_comm(big, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG,
				      &st));
		H_CHECK(st.source == 1 && st.tag == 3 && st.len == sizeof(v));
		H_OK(snemu_recv(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, &v, sizeof(v),
				NULL));
		H_CHECK(v == 0);
		H_OK(snemu_recv_comm(big, 1, 3, &v, sizeof(v), NULL));
		H_CHECK(v == 99);
		H_OK(snemu_recv_comm(7, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, &v,
				     sizeof(v), NULL));
		H_CHECK(v == 70);
		/* Posted receives: the one of comm 9 first, then comm 0. */
		H_OK(snemu_irecv_comm(9, 1, 4, &w, sizeof(w), &r9));
		H_OK(snemu_irecv(1, 4, &v, sizeof(v), &r0));
		H_OK(snemu_barrier());
		H_OK(snemu_wait(r9, NULL));
		H_OK(snemu_wait(r0, NULL));
		H_CHECK(v == 10 && w == 90);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void communicators_isolate_matching(void **state)
{
	harness_destroy(run(2, comms_rank, NULL));
}

/*
 * A synchronous send of 4 bytes completes when rank 0 receives it, 1 ms
 * later in virtual time; a standard one of the same size at once.
 */
static int sync_rank(void *arg)
{
	struct snemu_req *r;
	int v = 5;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 1) {
		H_EXPECT(snemu_send_comm(0, 0, 1, &v, sizeof(v), 2), -EINVAL);
		H_EXPECT(snemu_isend_comm(0, 0, 1, &v, sizeof(v), -1, &r),
			 -EINVAL);
		H_OK(snemu_send(0, 1, &v, sizeof(v)));
		H_CHECK(snemu_now() < 100000);
		H_OK(snemu_send_comm(0, 0, 1, &v, sizeof(v), SNEMU_SEND_SYNC));
		H_CHECK(snemu_now() >= 1000000);
		H_OK(snemu_isend_comm(3, 0, 1, NULL, 0, SNEMU_SEND_SYNC, &r));
		H_OK(snemu_wait(r, NULL));
		H_CHECK(snemu_now() >= 2000000);
	} else {
		H_OK(snemu_recv(1, 1, &v, sizeof(v), NULL));
		H_OK(snemu_compute(1000000));
		H_OK(snemu_recv(1, 1, &v, sizeof(v), NULL));
		H_CHECK(v == 5);
		H_OK(snemu_compute(1000000));
		H_OK(snemu_recv_comm(3, 1, 1, NULL, 0, NULL));
	}
	H_OK(snemu_finalize());
	return 0;
}

static void synchronous_sends_complete_at_the_match(void **state)
{
	harness_destroy(run(2, sync_rank, NULL));
}

/* --- truncation --- */

static int truncate_rank(void *arg)
{
	const size_t lens[] = {100, 200 << 10};
	struct snemu_status st;
	unsigned char *buf = malloc(lens[1]);

	H_OK(snemu_init(NULL, NULL));
	for (int k = 0; k < 2; k++) {
		size_t len = lens[k], cap = len / 2;

		if (snemu_rank() == 1) {
			fill(buf, len, 1, k);
			H_OK(snemu_send(0, k, buf, len));
			continue;
		}
		memset(buf, 0xee, len);
		H_EXPECT(snemu_recv(1, k, buf, cap, &st), -EMSGSIZE);
		H_CHECK(st.len == len && st.source == 1 && st.tag == k);
		H_CHECK(check(buf, cap, 1, k));
		H_CHECK(buf[cap] == 0xee);
	}
	free(buf);
	H_OK(snemu_finalize());
	return 0;
}

static void truncation_is_emsgsize(void **state)
{
	harness_destroy(run(2, truncate_rank, NULL));
}

/* --- bad arguments change nothing --- */

static int badargs_rank(void *arg)
{
	int n, v = 0;
	uint64_t now;
	struct snemu_req *req = NULL, *fake;
	_Alignas(64) unsigned char junk[256];
	int done;

	H_OK(snemu_init(NULL, NULL));
	n = snemu_size();
	now = snemu_now();
	H_EXPECT(snemu_send(-1, 0, &v, sizeof(v)), -EINVAL);
	H_EXPECT(snemu_send(n, 0, &v, sizeof(v)), -EINVAL);
	H_EXPECT(snemu_send(SNEMU_ANY_SOURCE, 0, &v, sizeof(v)), -EINVAL);
	H_EXPECT(snemu_send(0, -1, &v, sizeof(v)), -EINVAL);
	H_EXPECT(snemu_send(0, SNEMU_TAG_MAX + 1, &v, sizeof(v)), -EINVAL);
	H_EXPECT(snemu_send(0, 0, NULL, 4), -EINVAL);
	H_EXPECT(snemu_recv(n, 0, &v, sizeof(v), NULL), -EINVAL);
	H_EXPECT(snemu_recv(-2, 0, &v, sizeof(v), NULL), -EINVAL);
	H_EXPECT(snemu_recv(0, -2, &v, sizeof(v), NULL), -EINVAL);
	H_EXPECT(snemu_isend(0, 0, &v, sizeof(v), NULL), -EINVAL);
	H_EXPECT(snemu_irecv(0, 0, &v, sizeof(v), NULL), -EINVAL);
	H_EXPECT(snemu_wait(NULL, NULL), -EINVAL);
	memset(junk, 0, sizeof(junk));
	fake = (struct snemu_req *)junk;
	H_EXPECT(snemu_wait(fake, NULL), -EINVAL);
	H_EXPECT(snemu_test(fake, &done, NULL), -EINVAL);
	H_EXPECT(snemu_waitall(-1, &req, NULL), -EINVAL);
	H_EXPECT(snemu_waitall(1, &fake, NULL), -EINVAL);
	H_EXPECT(snemu_node_of(n), -EINVAL);
	H_EXPECT(snemu_node_of(-1), -EINVAL);
	H_CHECK(snemu_node_of(n - 1) == (n - 1) / 8);
	H_EXPECT(snemu_compute(UINT64_MAX), -EINVAL);
	H_CHECK(snemu_now() == now);
	H_EXPECT(snemu_init(NULL, NULL), -EALREADY);
	/* Pending requests: finalize refuses. */
	H_OK(snemu_irecv(snemu_rank(), 3, &v, sizeof(v), &req));
	H_EXPECT(snemu_finalize(), -EBUSY);
	H_OK(snemu_send(snemu_rank(), 3, &n, sizeof(n)));
	H_OK(snemu_wait(req, NULL));
	H_CHECK(v == n);
	H_EXPECT(snemu_wait(req, NULL), -EINVAL);
	H_OK(snemu_finalize());
	H_EXPECT(snemu_finalize(), -ENXIO);
	return 0;
}

static void bad_arguments_are_einval(void **state)
{
	harness_destroy(run(9, badargs_rank, NULL));
}

/* --- nonblocking --- */

#define NB_LEN (100 << 10)

static int nonblocking_rank(void *arg)
{
	const struct topo_params *par = topo_params(harness_topo(NULL));
	int me, n, polls = 0, done = 0;
	unsigned char *bufs[4];
	struct snemu_req *reqs[4];
	struct snemu_status sts[4];

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	for (int i = 0; i < 4; i++)
		bufs[i] = malloc(NB_LEN);
	if (me == 0) {
		/* Small and large from every other rank, in one waitall. */
		for (int s = 1; s < n; s++)
			H_OK(snemu_irecv(s, 7, bufs[s], s == 1 ? 8 : NB_LEN,
					 &reqs[s - 1]));
		H_OK(snemu_irecv(SNEMU_ANY_SOURCE, 8, bufs[0], 8, &reqs[3]));
		H_OK(snemu_waitall(4, reqs, sts));
		for (int s = 1; s < n; s++) {
			H_CHECK(sts[s - 1].source == s);
			H_CHECK(check(bufs[s], sts[s - 1].len, s, 0));
		}
		H_CHECK(reqs[0] == NULL && reqs[3] == NULL);
		H_CHECK(sts[3].source == 3 && sts[3].len == 8);
		/* Polling: each test costs poll_ns. */
		H_OK(snemu_irecv(2, 9, bufs[0], 8, &reqs[0]));
		while (!done) {
			uint64_t t = snemu_now();

			H_OK(snemu_test(reqs[0], &done, &sts[0]));
			H_CHECK(snemu_now() >= t + par->poll_ns);
			polls++;
		}
		H_CHECK(polls > 1 && check(bufs[0], 8, 2, 1));
		H_CHECK(sts[0].arrival_ns >= 1000000);
	} else {
		size_t len = me == 1 ? 8 : NB_LEN;

		fill(bufs[0], len, me, 0);
		H_OK(snemu_isend(0, 7, bufs[0], len, &reqs[0]));
		H_OK(snemu_wait(reqs[0], &sts[0]));
		H_CHECK(sts[0].len == len);
		if (me == 3)
			H_OK(snemu_send(0, 8, bufs[0], 8));
		if (me == 2) {
			H_OK(snemu_compute(1000000));
			fill(bufs[1], 8, 2, 1);
			H_OK(snemu_send(0, 9, bufs[1], 8));
		}
	}
	for (int i = 0; i < 4; i++)
		free(bufs[i]);
	H_OK(snemu_finalize());
	return 0;
}

static void nonblocking_waitall_and_test(void **state)
{
	harness_destroy(run(4, nonblocking_rank, NULL));
}

/*
 * A waitall whose first receive completed before the call and whose
 * second completes during it: each is handled as it comes, the first at
 * the call, the second at its arrival, 100 us later.
 */
static int waitall_charge_rank(void *arg)
{
	const struct topo_params *par = topo_params(harness_topo(NULL));
	struct snemu_status sts[2];
	struct snemu_req *reqs[2];
	int me, v[2];

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	if (me == 1)
		H_OK(snemu_send(0, 1, &me, sizeof(me)));
	/* Rank 1's message arrives at rank 0 before its barrier message. */
	H_OK(snemu_barrier());
	if (me == 2) {
		H_OK(snemu_compute(100000));
		H_OK(snemu_send(0, 2, &me, sizeof(me)));
	}
	if (me == 0) {
		H_OK(snemu_irecv(1, 1, &v[0], sizeof(v[0]), &reqs[0]));
		H_OK(snemu_irecv(2, 2, &v[1], sizeof(v[1]), &reqs[1]));
		H_OK(snemu_waitall(2, reqs, sts));
		H_CHECK(v[0] == 1 && v[1] == 2);
		H_CHECK(sts[1].arrival_ns > sts[0].arrival_ns);
		H_CHECK(snemu_now() == sts[1].arrival_ns + par->recv_ns);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void waitall_charges_every_receive(void **state)
{
	for (int i = 0; i < 5; i++)
		harness_destroy(run(3, waitall_charge_rank, NULL));
}

/*
 * Rank 0 isends 64 x 8 B to rank 1, which irecvs them all and finishes
 * them with one waitall, then (the same again) with a loop of waits, a
 * loop of tests, and both loops in reverse order: each takes rank 1 to
 * the clock of a CPU that handles each completion as it comes, the last
 * arrival + recv_ns.
 */
#define BURST 64
#define WAYS  5

static int burst_rank(void *arg)
{
	const struct topo_params *par = topo_params(harness_topo(NULL));
	struct snemu_status sts[BURST];
	struct snemu_req *reqs[BURST];
	uint64_t v[BURST], after[WAYS];
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	for (int way = 0; way < WAYS; way++) {
		uint64_t last = 0;

		H_OK(snemu_barrier());
		if (me == 0) {
			for (int i = 0; i < BURST; i++) {
				v[i] = i;
				H_OK(snemu_isend(1, i, &v[i], 8, &reqs[i]));
			}
			H_OK(snemu_waitall(BURST, reqs, NULL));
			continue;
		}
		for (int i = 0; i < BURST; i++)
			H_OK(snemu_irecv(0, i, &v[i], 8, &reqs[i]));
		if (way == 0) {
			H_OK(snemu_waitall(BURST, reqs, sts));
		} else {
			bool reverse = way > 2, test = way % 2 == 0;

			for (int k = 0; k < BURST; k++) {
				int i = reverse ? BURST - 1 - k : k, done = 0;

				if (!test)
					H_OK(snemu_wait(reqs[i], &sts[i]));
				while (test && !done)
					H_OK(snemu_test(reqs[i], &done,
							&sts[i]));
			}
		}
		for (int i = 0; i < BURST; i++) {
			H_CHECK(v[i] == (uint64_t)i);
			last = MAX(last, sts[i].arrival_ns);
		}
		after[way] = snemu_now() - last;
	}
	if (me == 1) {
		/*
		 * Waits in any order handle each receive as it comes, as
		 * waitall does. A test loop handles them too, and costs
		 * poll_ns a test on top: up to one a message while the CPU
		 * keeps up with the arrivals, and one for each request found
		 * done afterwards (all but one, in reverse order).
		 */
		for (int way = 0; way < WAYS; way++) {
			if (way % 2 || way == 0)
				H_CHECK(after[way] == par->recv_ns);
			else
				H_CHECK(after[way] >= par->recv_ns &&
					after[way] <=
						par->recv_ns +
							2 * BURST *
								par->poll_ns);
		}
	}
	H_OK(snemu_finalize());
	return 0;
}

static void waitall_equals_a_loop_of_waits(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(2, burst_rank, NULL));
}

/*
 * Polling a large send: it completes when the receiver, far ahead in
 * virtual time, posts its receive, even if that happened early on the
 * host's clock.
 */
static int poll_rndv_rank(void *arg)
{
	static char buf[100 << 10];
	struct snemu_req *req;
	int done = 0, polls = 0;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 1) {
		H_OK(snemu_compute(1000000));
		H_OK(snemu_recv(0, 1, buf, sizeof(buf), NULL));
	} else {
		H_OK(snemu_isend(1, 1, buf, sizeof(buf), &req));
		while (!done) {
			H_OK(snemu_test(req, &done, NULL));
			if (!done)
				H_OK(snemu_compute(10000));
			polls++;
		}
		/* 340 + 20 k + 10000 (k - 1) > 1000000 first at k = 101. */
		H_CHECK(snemu_now() > 1000000);
		H_CHECK(polls == 101);
	}
	H_OK(snemu_finalize());
	return 0;
}

static void polling_a_large_send(void **state)
{
	for (int i = 0; i < 3; i++)
		harness_destroy(run(2, poll_rndv_rank, NULL));
}

/* A large message to oneself: nonblocking send, then receive. */
static int self_rank(void *arg)
{
	size_t len = 1 << 20;
	unsigned char *a = malloc(len), *b = malloc(len);
	struct snemu_req *req;

	H_OK(snemu_init(NULL, NULL));
	fill(a, len, 0, 5);
	H_OK(snemu_isend(0, 1, a, len, &req));
	H_OK(snemu_recv(0, 1, b, len, NULL));
	H_OK(snemu_wait(req, NULL));
	H_CHECK(check(b, len, 0, 5));
	free(a);
	free(b);
	H_OK(snemu_finalize());
	return 0;
}

static void send_to_self(void **state)
{
	harness_destroy(run(1, self_rank, NULL));
}

/*
 * A rank's requests reuse the arena blocks of its own finished requests,
 * not those another rank freed meanwhile (whose pages it never touched).
 */
static int reuse_rank(void *arg)
{
	struct snemu_req *mine[3], *req;
	unsigned char buf[4096];

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		fill(buf, sizeof(buf), 0, 0);
		H_OK(snemu_isend(1, 0, buf, sizeof(buf), &mine[0]));
		H_OK(snemu_wait(mine[0], NULL));
		H_OK(snemu_irecv(1, 1, NULL, 0, &mine[1]));
		H_OK(snemu_wait(mine[1], NULL));
		H_OK(snemu_isend(1, 2, buf, sizeof(buf), &mine[2]));
		H_CHECK(mine[2] == mine[0] || mine[2] == mine[1]);
		H_OK(snemu_wait(mine[2], NULL));
	} else {
		H_OK(snemu_recv(0, 0, buf, sizeof(buf), NULL));
		H_CHECK(check(buf, sizeof(buf), 0, 0));
		/* Free many blocks of our own before rank 0 goes on. */
		for (int i = 0; i < 8; i++) {
			H_OK(snemu_isend(1, 9, buf, sizeof(buf), &req));
			H_OK(snemu_recv(1, 9, buf, sizeof(buf), NULL));
			H_OK(snemu_wait(req, NULL));
		}
		H_OK(snemu_send(0, 1, NULL, 0));
		H_OK(snemu_recv(0, 2, buf, sizeof(buf), NULL));
	}
	H_OK(snemu_finalize());
	return 0;
}

/* A rank's requests are packed side by side, and not with others'. */
static int packed_rank(void *arg)
{
	size_t size = shm_heap_block_size(sizeof(struct snemu_req));
	struct snemu_req *r[3];

	H_OK(snemu_init(NULL, NULL));
	/* Whole slabs: the pieces are blocks of a class of their own. */
	H_CHECK(shm_heap_block_size(EP_REQ_SLAB * size) == EP_REQ_SLAB * size);
	for (int i = 0; i < 3; i++)
		H_OK(snemu_irecv(1 - snemu_rank(), i, NULL, 0, &r[i]));
	H_CHECK((char *)r[1] - (char *)r[0] == (ptrdiff_t)size);
	H_CHECK((char *)r[2] - (char *)r[1] == (ptrdiff_t)size);
	for (int i = 0; i < 3; i++)
		H_OK(snemu_send(1 - snemu_rank(), i, NULL, 0));
	H_OK(snemu_waitall(3, r, NULL));
	H_OK(snemu_finalize());
	return 0;
}

static void requests_are_packed(void **state)
{
	harness_destroy(run(2, packed_rank, NULL));
}

static void requests_reuse_their_blocks(void **state)
{
	harness_destroy(run(2, reuse_rank, NULL));
}

/*
 * Small nonblocking posts are held until the rank's next lock, which
 * stages the sends' payloads and posts them all first, in program order;
 * a large one is posted at once. The clock the program sees counts them
 * all along.
 */
#define HELD_BIG (256 << 10)
#define HELD_N	 (EP_POSTS + 3)

static void held_sender(struct emu_ep *ep, unsigned char *big)
{
	struct snemu_req *reqs[3];
	uint64_t c0 = ep->me->clock;
	int one = 1, v = 0;

	H_OK(snemu_isend(1, 1, &one, sizeof(one), &reqs[0]));
	H_OK(snemu_irecv(1, 5, &v, sizeof(v), &reqs[1]));
	H_CHECK(ep->nposts == 2);
	/* Not staged yet: the payload is read at the lock. */
	H_CHECK(ep->posts[0].buf == &one && !ep->posts[0].m);
	H_CHECK(ep->me->clock == c0);
	H_CHECK(snemu_now() == c0 + ep->eng.par->send_ns);
	/* Large: posted at once, after the held ones. */
	fill(big, HELD_BIG, 0, 0);
	H_OK(snemu_isend(1, 2, big, HELD_BIG, &reqs[2]));
	H_CHECK(ep->nposts == 0);
	H_CHECK(ep->me->clock == snemu_now());
	H_OK(snemu_waitall(3, reqs, NULL));
	H_CHECK(v == 55);
}

/* More receives than fit: the first EP_POSTS go when the next comes. */
static void held_receiver(struct emu_ep *ep, int round)
{
	static struct snemu_req *reqs[HELD_N];
	static int vals[HELD_N];

	for (int i = 0; i < HELD_N; i++)
		H_OK(snemu_irecv(1, 100, &vals[i], sizeof(int), &reqs[i]));
	/* The first round stocks the requests the second takes. */
	if (round)
		H_CHECK(ep->nposts == HELD_N - EP_POSTS - 1);
	H_OK(snemu_send(1, 6, NULL, 0));
	H_OK(snemu_waitall(HELD_N, reqs, NULL));
	for (int i = 0; i < HELD_N; i++)
		H_CHECK(vals[i] == i);
}

static int held_rank(void *arg)
{
	static unsigned char big[HELD_BIG];
	int v = 0;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		/* Warm up: requests in stock, the pair's message block back. */
		H_OK(snemu_send(1, 0, &v, sizeof(v)));
		H_OK(snemu_recv(1, 0, &v, sizeof(v), NULL));
		held_sender(emu_ep, big);
		for (int round = 0; round < 2; round++)
			held_receiver(emu_ep, round);
	} else {
		H_OK(snemu_recv(0, 0, &v, sizeof(v), NULL));
		H_OK(snemu_send(0, 0, &v, sizeof(v)));
		H_OK(snemu_recv(0, 1, &v, sizeof(v), NULL));
		H_CHECK(v == 1);
		H_OK(snemu_recv(0, 2, big, HELD_BIG, NULL));
		H_CHECK(check(big, HELD_BIG, 0, 0));
		v = 55;
		H_OK(snemu_send(0, 5, &v, sizeof(v)));
		for (int round = 0; round < 2; round++) {
			H_OK(snemu_recv(0, 6, NULL, 0, NULL));
			for (int i = 0; i < HELD_N; i++)
				H_OK(snemu_send(0, 100, &i, sizeof(i)));
		}
	}
	H_OK(snemu_finalize());
	return 0;
}

static void small_posts_wait_for_the_next_lock(void **state)
{
	harness_destroy(run(2, held_rank, NULL));
}

/*
 * A held send that finds no arena memory when it is staged completes with
 * -ENOMEM, which its wait returns; the rank and the run go on.
 */
#define FULL_MAX 256

static int full_rank(void *arg)
{
	static void *taken[FULL_MAX];
	struct snemu_req *r;
	int n = 0, v = 3;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		/* Requests in stock; the pair 0 -> 1 has no spare block. */
		H_OK(snemu_recv(1, 0, &v, sizeof(v), NULL));
		for (size_t len = (size_t)1 << 30; len >= 64; len /= 2)
			while (n < FULL_MAX && !snemu_mem_alloc(len, &taken[n]))
				n++;
		H_CHECK(n < FULL_MAX);
		H_OK(snemu_isend(1, 1, &v, sizeof(v), &r));
		H_EXPECT(snemu_wait(r, NULL), -ENOMEM);
		while (n)
			H_OK(snemu_mem_free(taken[--n]));
	} else {
		H_OK(snemu_send(0, 0, &v, sizeof(v)));
	}
	H_OK(snemu_finalize());
	return 0;
}

static void a_held_send_without_memory_fails_in_its_wait(void **state)
{
	harness_destroy(run(2, full_rank, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pingpong_intra_node_eager),
		cmocka_unit_test(pingpong_inter_node_eager),
		cmocka_unit_test(pingpong_rendezvous),
		cmocka_unit_test(wildcard_receives_follow_arrival),
		cmocka_unit_test(tags_select_and_keep_order),
		cmocka_unit_test(communicators_isolate_matching),
		cmocka_unit_test(synchronous_sends_complete_at_the_match),
		cmocka_unit_test(truncation_is_emsgsize),
		cmocka_unit_test(bad_arguments_are_einval),
		cmocka_unit_test(nonblocking_waitall_and_test),
		cmocka_unit_test(waitall_charges_every_receive),
		cmocka_unit_test(waitall_equals_a_loop_of_waits),
		cmocka_unit_test(polling_a_large_send),
		cmocka_unit_test(send_to_self),
		cmocka_unit_test(requests_reuse_their_blocks),
		cmocka_unit_test(requests_are_packed),
		cmocka_unit_test(small_posts_wait_for_the_next_lock),
		cmocka_unit_test(a_held_send_without_memory_fails_in_its_wait),
	};

	assert_non_null(harness_topo(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
