/* SPDX-License-Identifier: MIT */
/*
 * Same program, same config, same N: the same virtual times and link
 * counters, whatever the host's scheduling. A mixed workload (wildcards,
 * polling, eager and rendezvous, one-sided, barriers) runs twice.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

#define N      32 /* four nodes */
#define ROUNDS 12

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int mixed_rank(void *arg)
{
	static const size_t sizes[] = {8, 4096, 70000, 300000};
	static unsigned char sbuf[300000], rbuf[2][300000];
	uint64_t seed, digest = 0, *mem;
	struct snemu_win *win;
	int me, n;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	n = snemu_size();
	seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(me + 1);
	H_OK(snemu_win_allocate(4096, (void **)&mem, &win));
	memset(sbuf, me, sizeof(sbuf));
	for (int round = 0; round < ROUNDS; round++) {
		/* Two senders per rank and round, both wildcards. */
		int d1 = (me + round + 1) % n, d2 = (me + 3 * round + 2) % n;
		size_t len = sizes[(me + round) % 4];
		struct snemu_req *rr[2], *sr[2], *rest[3];
		struct snemu_status st, sts[3];
		int done = 0;

		H_OK(snemu_compute(next(&seed) % 3000));
		for (int i = 0; i < 2; i++)
			H_OK(snemu_irecv(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG,
					 rbuf[i], sizeof(rbuf[i]), &rr[i]));
		H_OK(snemu_isend(d1, round, sbuf, len, &sr[0]));
		H_OK(snemu_compute(next(&seed) % 500));
		H_OK(snemu_isend(d2, round + 100, sbuf, len / 2, &sr[1]));
		/* Poll the first, wait for the rest. */
		while (!done) {
			H_OK(snemu_test(rr[0], &done, &st));
			if (!done)
				H_OK(snemu_compute(next(&seed) % 200));
		}
		digest = digest * 31 + (uint64_t)st.source * 7 + st.tag;
		/* The rest at once: a receive and the two sends. */
		rest[0] = rr[1];
		rest[1] = sr[0];
		rest[2] = sr[1];
		H_OK(snemu_waitall(3, rest, sts));
		digest = digest * 31 + (uint64_t)sts[0].source * 7 + sts[0].tag;

		/* One-sided traffic to random ranks. */
		H_OK(snemu_put(win, (int)(next(&seed) % n), 8 * (me % 64),
			       &seed, sizeof(seed)));
		H_OK(snemu_atomic_fadd(win, (int)(next(&seed) % n), 4088, 1,
				       NULL));
		if (round % 4 == 3) {
			H_OK(snemu_flush(win, SNEMU_ANY_SOURCE));
			H_OK(snemu_barrier());
		}
	}
	/* The digest of the matching order shows in the final clock. */
	H_OK(snemu_compute(digest % 1000003));
	H_OK(snemu_win_free(win));
	H_OK(snemu_finalize());
	return 0;
}

struct outcome {
	uint64_t clock[N], sent[N], recv[N];
	uint64_t traffic[N][N];
	uint64_t events;
	struct topo_link_stats *links;
	int nlinks;
};

/* A process that keeps a core busy while a run goes on. */
static pid_t hog_start(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			;
	}
	return pid;
}

static void run(struct outcome *o, bool busy)
{
	struct harness_opts opts = {.nranks = N};
	struct harness *h;
	struct emu_rank_info info;
	pid_t hog = busy ? hog_start() : 0;

	assert_int_equal(harness_run(&opts, mixed_rank, NULL, &h), 0);
	if (hog) {
		kill(hog, SIGKILL);
		waitpid(hog, NULL, 0);
	}
	assert_false(h->timed_out);
	assert_false(h->deadlock);
	assert_int_equal(harness_failures(h), 0);
	for (int r = 0; r < N; r++) {
		emu_fabric_rank_info(h->fab, r, &info);
		o->clock[r] = info.clock_ns;
		o->sent[r] = info.bytes_sent;
		o->recv[r] = info.msgs_recv;
		for (int d = 0; d < N; d++)
			o->traffic[r][d] = emu_fabric_traffic(h->fab, r, d);
	}
	o->events = emu_fabric_events(h->fab);
	o->nlinks = topo_num_links(h->topo);
	o->links = malloc(o->nlinks * sizeof(*o->links));
	assert_non_null(o->links);
	memcpy(o->links, emu_fabric_links(h->fab),
	       o->nlinks * sizeof(*o->links));
	harness_destroy(h);
}

static void same_run_twice(void **state)
{
	static struct outcome a, b;

	/* The second time sharing the host with a busy process. */
	run(&a, false);
	run(&b, true);
	for (int r = 0; r < N; r++) {
		assert_int_equal(a.clock[r], b.clock[r]);
		assert_int_equal(a.sent[r], b.sent[r]);
		assert_int_equal(a.recv[r], b.recv[r]);
	}
	assert_memory_equal(a.traffic, b.traffic, sizeof(a.traffic));
	assert_int_equal(a.events, b.events);
	assert_int_equal(a.nlinks, b.nlinks);
	assert_memory_equal(a.links, b.links, a.nlinks * sizeof(*a.links));
	free(a.links);
	free(b.links);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_run_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
