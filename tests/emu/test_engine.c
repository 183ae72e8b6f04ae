/* SPDX-License-Identifier: MIT */
/* The engine alone: event order, the safe-time rule, wake-ups, deadlock. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/emu/fx.h"

static struct emu_msg *send_at(struct fx *f, int src, int dst, uint64_t len,
			       uint64_t t)
{
	struct emu_msg *m = fx_msg(f, src, dst, 0, EMU_CTX_USER, len);

	assert_int_equal(emu_eng_inject(&f->e, m, t), 0);
	return m;
}

/* Sources of the messages in rank's unexpected queue, in order. */
static int unexpected(struct fx *f, int rank, int *src, int max)
{
	int n = 0;

	for (uint64_t off = f->e.ctl[rank].unexp.head; off && n < max;
	     off = ((struct emu_msg *)emu_ptr(&f->e, off))->any.next)
		src[n++] = ((struct emu_msg *)emu_ptr(&f->e, off))->src;
	return n;
}

static void events_wait_for_the_slowest_running_rank(void **state)
{
	struct fx *f = *state;
	const int four[] = {0, 1, 2, 3};
	struct emu_eng *e = &f->e;
	uint64_t junk, arrival = 100 + topo_unloaded_ns(f->topo, 0, 1, 8);
	struct emu_msg *m;
	int src[4];

	fx_only(f, four, 4);
	for (int r = 0; r < 4; r++)
		emu_eng_run(e, r, 100 * (uint64_t)(r + 1));
	assert_int_equal(emu_eng_horizon(e), 100);
	m = send_at(f, 0, 1, 8, 100);
	/* Not below the horizon: rank 0 could still send at 100. */
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 0);
	emu_eng_set_clock(e, 0, 150);
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 1);
	/* In the fabric: its ARRIVE waits in a flight for the delivery. */
	assert_int_equal(e->hdr->nev, 0);
	assert_int_equal(e->hdr->nflight, 1);
	assert_true(arrival > 300);
	/* Blocked ranks do not hold it back; rank 2 at 300 does. */
	emu_eng_block(e, 0, EMU_WAIT_RECV, 1, 0, 1);
	emu_eng_block(e, 1, EMU_WAIT_RECV, 0, 0, 1);
	assert_int_equal(emu_eng_horizon(e), 300);
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 1);
	emu_eng_done(e, 2);
	emu_eng_set_clock(e, 3, arrival);
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 1);
	/* Delivered: its ARRIVE is queued at the unloaded arrival time. */
	assert_int_equal(e->hdr->nflight, 0);
	assert_int_equal(e->hdr->nev, 1);
	assert_int_equal(e->ev[0].time, arrival);
	emu_eng_set_clock(e, 3, arrival + 1);
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 2);
	assert_int_equal(unexpected(f, 1, src, 4), 1);
	assert_int_equal(m->arrive_ns, arrival);
	assert_false(emu_fabric_deadlocked(f->fab));

	/* Only blocked ranks left, nothing pending: a deadlock. */
	emu_eng_lock(e);
	emu_eng_done(e, 3);
	emu_eng_unlock(e);
	assert_true(emu_fabric_deadlocked(f->fab));
	assert_int_equal(
		read(emu_fabric_notify_fd(f->fab), &junk, sizeof(junk)),
		sizeof(junk));
	assert_int_equal(junk, 1);
}

static void events_come_out_by_time_then_source(void **state)
{
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	int src[8], n;

	/* Nobody runs: everything is processed. */
	fx_only(f, NULL, 0);
	/* Equal times (0 bytes: the headers alone, 1 ns on a link). */
	send_at(f, 3, 0, 0, 10);
	send_at(f, 1, 0, 0, 10);
	send_at(f, 2, 0, 0, 10);
	/* Later injected first; and one from another node. */
	send_at(f, 5, 0, 0, 50);
	send_at(f, 4, 0, 0, 20);
	send_at(f, 9, 0, 0, 12);
	emu_eng_advance(e);
	n = unexpected(f, 0, src, 8);
	assert_int_equal(n, 6);
	assert_int_equal(src[0], 1);
	assert_int_equal(src[1], 2);
	assert_int_equal(src[2], 3);
	assert_int_equal(src[3], 4);
	assert_int_equal(src[4], 5);
	/* Inter-node: 800 ns more, it arrives last. */
	assert_int_equal(src[5], 9);
	assert_int_equal(emu_fabric_events(f->fab), 12);
}

/*
 * A source's INJECT events wait in its queue with only the head in the
 * heap; past the queue's capacity they go to the heap. Either way they
 * come out in (time, source) order with the other sources' events.
 */
static void injects_wait_in_their_source_queue(void **state)
{
	enum { N1 = EMU_INJQ + 5, N2 = 3 };
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	static int src[N1 + N2];
	int n;

	fx_only(f, NULL, 0);
	/* 0 bytes, one node: arrival = injection + the same latency. */
	for (int i = 0; i < N1; i++)
		send_at(f, 1, 0, 0, 10 * (uint64_t)i);
	assert_int_equal(e->hdr->nev, 1 + (N1 - EMU_INJQ));
	for (int i = 0; i < N2; i++)
		send_at(f, 2, 0, 0, 10 * (uint64_t)i + 5);
	assert_int_equal(e->hdr->nev, 2 + (N1 - EMU_INJQ));
	emu_eng_advance(e);
	assert_int_equal(emu_fabric_events(f->fab), 2 * (N1 + N2));
	assert_int_equal(e->hdr->nev, 0);
	n = unexpected(f, 0, src, N1 + N2);
	assert_int_equal(n, N1 + N2);
	for (int i = 0; i < n; i++)
		assert_int_equal(src[i], i < 2 * N2 && i % 2 ? 2 : 1);
}

static void one_pair_stays_in_order(void **state)
{
	struct fx *f = *state;
	struct emu_msg *big, *small;

	fx_only(f, NULL, 0);
	big = send_at(f, 1, 2, 1 << 20, 0);
	small = send_at(f, 1, 2, 8, 1);
	emu_eng_advance(&f->e);
	assert_true(small->arrive_ns >= big->arrive_ns);
	assert_int_equal(emu_fabric_traffic(f->fab, 1, 2), (1 << 20) + 8);
}

static void completion_wakes_the_blocked_owner_once(void **state)
{
	struct fx *f = *state;
	const int two[] = {0, 1};
	struct emu_eng *e = &f->e;
	struct snemu_req *r;
	uint32_t futex;

	fx_only(f, two, 2);
	emu_eng_run(e, 0, 0);
	emu_eng_run(e, 1, 5000);
	r = fx_recv(f, 1, 0, 0, EMU_CTX_USER, 64);
	emu_match_post(e, r);
	r->waited = 1;
	emu_eng_lock(e);
	emu_eng_block(e, 1, EMU_WAIT_RECV, 0, 0, 1);
	send_at(f, 0, 1, 8, 100);
	emu_eng_done(e, 0);
	futex = f->e.ctl[1].futex;
	emu_eng_unlock(e);
	assert_int_equal(f->e.ctl[1].futex, futex + 1);
	assert_int_equal(f->e.ctl[1].state, EMU_RANK_RUNNING);
	assert_true(r->done);
	/* Completion after the owner's clock: clock = max(...) + recv_ns. */
	assert_int_equal(r->st.arrival_ns,
			 100 + topo_unloaded_ns(f->topo, 0, 1, 8));
	assert_true(r->st.arrival_ns < 5000);
	assert_int_equal(f->e.ctl[1].clock,
			 5000 + topo_params(f->topo)->recv_ns);
	assert_int_equal(r->st.source, 0);
	assert_int_equal(emu_eng_horizon(e), f->e.ctl[1].clock);
}

static void sync_waiters_wake_at_the_horizon(void **state)
{
	struct fx *f = *state;
	const int two[] = {0, 1};
	struct emu_eng *e = &f->e;
	uint32_t futex = f->e.ctl[0].futex;

	fx_only(f, two, 2);
	emu_eng_run(e, 0, 100);
	emu_eng_run(e, 1, 50);
	f->e.ctl[0].sync = 1;
	f->e.hdr->nsync = 1;
	emu_eng_lock(e);
	emu_eng_unlock(e);
	assert_int_equal(f->e.ctl[0].sync, 1);
	assert_int_equal(f->e.ctl[0].futex, futex);
	emu_eng_lock(e);
	emu_eng_set_clock(e, 1, 100);
	emu_eng_unlock(e);
	assert_int_equal(f->e.ctl[0].sync, 0);
	assert_int_equal(f->e.hdr->nsync, 0);
	assert_int_equal(f->e.ctl[0].futex, futex + 1);
}

/* The horizon is the least running clock through any sequence. */
static void running_heap_tracks_the_minimum(void **state)
{
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	unsigned seed = 7;

	assert_int_equal(emu_eng_horizon(e), 0); /* all NEW, at 0 */
	for (int i = 0; i < 5000; i++) {
		int r = rand_r(&seed) % e->n;
		uint64_t min = UINT64_MAX;

		switch (rand_r(&seed) % 3) {
		case 0:
			if (f->e.ctl[r].state == EMU_RANK_RUNNING ||
			    f->e.ctl[r].state == EMU_RANK_NEW)
				emu_eng_set_clock(e, r,
						  f->e.ctl[r].clock +
							  rand_r(&seed) % 100);
			break;
		case 1:
			if (f->e.ctl[r].state != EMU_RANK_BLOCKED)
				emu_eng_block(e, r, EMU_WAIT_RECV, 0, 0, 1);
			break;
		default:
			emu_eng_run(e, r,
				    f->e.ctl[r].clock + rand_r(&seed) % 100);
			break;
		}
		for (int k = 0; k < e->n; k++)
			if (f->e.ctl[k].state != EMU_RANK_BLOCKED &&
			    f->e.ctl[k].clock < min)
				min = f->e.ctl[k].clock;
		assert_int_equal(emu_eng_horizon(e), min);
	}
}

/*
 * A sent message's block (header and payload together) waits for the next
 * message of the same pair and size class; anything else goes back to the
 * heap.
 */
static void a_pair_keeps_its_message_block(void **state)
{
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	struct emu_msg *m = fx_msg(f, 0, 1, 0, EMU_CTX_USER, 4096), *m2;
	uint64_t off = emu_off(e, m), hdr = m->data - off, in_use;

	assert_true(m->data > off && hdr % 64 == 0 && hdr <= 256);
	in_use = e->hdr->heap.in_use;
	emu_msg_free(e, m, true);
	assert_int_equal(e->hdr->heap.in_use, in_use);
	/* Another pair, then the same pair with another size class. */
	m2 = fx_msg(f, 1, 0, 0, EMU_CTX_USER, 4096);
	assert_int_not_equal(emu_off(e, m2), off);
	emu_msg_free(e, m2, true);
	m = fx_msg(f, 0, 1, 7, EMU_CTX_USER, 4000);
	assert_int_equal(emu_off(e, m), off);
	assert_int_equal(m->len, 4000);
	assert_int_equal(m->tag, 7);
	assert_int_equal(m->arrive_ns, 0);
	emu_msg_free(e, m, true);
	m = fx_msg(f, 0, 1, 0, EMU_CTX_USER, 8);
	assert_int_not_equal(emu_off(e, m), off);
	/*
	 * The 4 KiB block goes back at this process's next lock: then only
	 * the other pair's spare and m remain.
	 */
	emu_eng_lock(e);
	emu_eng_unlock(e);
	assert_int_equal(e->hdr->heap.in_use,
			 shm_heap_block_size(hdr + 4096) +
				 shm_heap_block_size(hdr + 8));
	/* A pair keeps one block: a second free returns the first. */
	emu_msg_free(e, fx_msg(f, 2, 3, 0, EMU_CTX_USER, 64), true);
	emu_msg_free(e, fx_msg(f, 2, 3, 0, EMU_CTX_USER, 64 << 10), true);
	emu_eng_lock(e);
	emu_eng_unlock(e);
	assert_int_equal(e->hdr->heap.in_use,
			 shm_heap_block_size(hdr + 4096) +
				 shm_heap_block_size(hdr + 8) +
				 shm_heap_block_size(hdr + (64 << 10)));
}

/*
 * Internal traffic (the barrier's 0-byte messages) keeps its own spares:
 * it does not displace the block of the program's messages on that pair.
 */
static void internal_messages_keep_their_own_spares(void **state)
{
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	struct emu_msg *m = fx_msg(f, 0, 1, 0, EMU_CTX_USER, 4096);
	struct emu_msg *bar = fx_msg(f, 0, 1, 0, EMU_CTX_INTERNAL, 0);
	uint64_t off = emu_off(e, m), bar_off = emu_off(e, bar);
	uint64_t in_use = e->hdr->heap.in_use;

	emu_msg_free(e, m, true);
	emu_msg_free(e, bar, true);
	/* Both kept: neither displaced the other. */
	assert_int_equal(e->hdr->heap.in_use, in_use);
	bar = fx_msg(f, 0, 1, 0, EMU_CTX_INTERNAL, 0);
	m = fx_msg(f, 0, 1, 0, EMU_CTX_USER, 4096);
	assert_int_equal(emu_off(e, bar), bar_off);
	assert_int_equal(emu_off(e, m), off);
	assert_int_equal(bar->ctx, EMU_CTX_INTERNAL);
	assert_int_equal(m->ctx, EMU_CTX_USER);
}

/* Spares hold no more than the budget; the rest goes back to the heap. */
static void spares_stay_within_their_budget(void **state)
{
	struct fx *f = *state;
	struct emu_eng *e = &f->e;
	struct emu_msg *m[3];
	uint64_t block, in_use;

	for (int i = 0; i < 3; i++)
		m[i] = fx_msg(f, i, 3, 0, EMU_CTX_USER, 1000);
	block = m[0]->data + 1000 - emu_off(e, m[0]);
	e->hdr->spare_budget = 2 * block;
	in_use = e->hdr->heap.in_use;
	for (int i = 0; i < 3; i++)
		emu_msg_free(e, m[i], true);
	assert_int_equal(e->hdr->spare_bytes, 2 * block);
	assert_int_equal(e->hdr->heap.in_use,
			 in_use - shm_heap_block_size(block));
	/* Taking a spare gives its bytes back to the budget. */
	m[0] = fx_msg(f, 0, 3, 0, EMU_CTX_USER, 1000);
	assert_int_equal(e->hdr->spare_bytes, block);
	emu_msg_free(e, m[0], true);
	assert_int_equal(e->hdr->spare_bytes, 2 * block);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(events_wait_for_the_slowest_running_rank),
		T(events_come_out_by_time_then_source),
		T(injects_wait_in_their_source_queue),
		T(one_pair_stays_in_order),
		T(completion_wakes_the_blocked_owner_once),
		T(sync_waiters_wake_at_the_horizon),
		T(running_heap_tracks_the_minimum),
		T(a_pair_keeps_its_message_block),
		T(internal_messages_keep_their_own_spares),
		T(spares_stay_within_their_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
