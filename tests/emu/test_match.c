/* SPDX-License-Identifier: MIT */
/* Matching: tags, wildcards, order, and internal vs user traffic. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tests/emu/fx.h"

static struct emu_msg *arrive(struct fx *f, int src, int tag, enum emu_ctx ctx,
			      uint64_t len, uint64_t t)
{
	struct emu_msg *m = fx_msg(f, src, 0, tag, ctx, len);
	struct emu_event ev = emu_msg_event(&f->e, m, t, EMU_EV_ARRIVE);

	emu_match_arrive(&f->e, &ev);
	return m;
}

static struct snemu_req *post(struct fx *f, int src, int tag, enum emu_ctx ctx)
{
	struct snemu_req *r = fx_recv(f, 0, src, tag, ctx, 64);

	emu_match_post(&f->e, r);
	return r;
}

static struct emu_msg *msg_of(struct fx *f, const struct snemu_req *r)
{
	return r->done ? emu_ptr(&f->e, r->msg) : NULL;
}

static void posted_receives_match_in_posting_order(void **state)
{
	struct fx *f = *state;
	struct snemu_req *a = post(f, 1, 5, EMU_CTX_USER);
	struct snemu_req *any =
		post(f, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, EMU_CTX_USER);
	struct snemu_req *b = post(f, 1, 5, EMU_CTX_USER);
	struct emu_msg *m1, *m2, *m3;

	m1 = arrive(f, 2, 5, EMU_CTX_USER, 8, 10); /* only any fits */
	m2 = arrive(f, 1, 5, EMU_CTX_USER, 8, 20); /* a, first posted */
	m3 = arrive(f, 1, 5, EMU_CTX_USER, 8, 30);
	assert_ptr_equal(msg_of(f, any), m1);
	assert_ptr_equal(msg_of(f, a), m2);
	assert_ptr_equal(msg_of(f, b), m3);
	assert_int_equal(a->st.source, 1);
	assert_int_equal(a->st.tag, 5);
	assert_int_equal(a->done_ns, 20);
	assert_int_equal(f->e.ctl[0].posted.head, 0);
}

/* A wildcard posted before a specific receive is tried first. */
static void wildcard_and_specific_keep_posting_order(void **state)
{
	struct fx *f = *state;
	struct snemu_req *any = post(f, SNEMU_ANY_SOURCE, 5, EMU_CTX_USER);
	struct snemu_req *a = post(f, 1, 5, EMU_CTX_USER);
	struct snemu_req *b = post(f, 1, SNEMU_ANY_TAG, EMU_CTX_USER);
	struct emu_msg *m1, *m2, *m3;

	m1 = arrive(f, 1, 5, EMU_CTX_USER, 8, 10);
	m2 = arrive(f, 1, 6, EMU_CTX_USER, 8, 20); /* only b takes tag 6 */
	m3 = arrive(f, 1, 5, EMU_CTX_USER, 8, 30);
	assert_ptr_equal(msg_of(f, any), m1);
	assert_ptr_equal(msg_of(f, b), m2);
	assert_ptr_equal(msg_of(f, a), m3);
}

/* Unexpected messages leave both queues (their source's and the all). */
static void unexpected_messages_leave_both_queues(void **state)
{
	struct fx *f = *state;
	struct emu_msg *m[6];
	struct snemu_req *r;

	for (int i = 0; i < 6; i++)
		m[i] = arrive(f, 1 + i % 3, i, EMU_CTX_USER, 8, 10 * i);
	/* From source 2, then anyone with tag 4 (source 2 too), then all. */
	r = post(f, 2, SNEMU_ANY_TAG, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m[1]);
	r = post(f, SNEMU_ANY_SOURCE, 4, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m[4]);
	for (int i = 0; i < 6; i++) {
		if (i == 1 || i == 4)
			continue;
		r = post(f, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, EMU_CTX_USER);
		assert_ptr_equal(msg_of(f, r), m[i]);
	}
	for (int s = 1; s <= 3; s++) {
		assert_int_equal(f->e.pairq[s].unexp.head, 0);
		assert_int_equal(f->e.pairq[s].unexp.tail, 0);
	}
	r = post(f, 2, SNEMU_ANY_TAG, EMU_CTX_USER);
	assert_false(r->done);
}

static void unexpected_messages_match_in_arrival_order(void **state)
{
	struct fx *f = *state;
	struct emu_msg *m17, *m28, *m18, *m38;
	struct snemu_req *r;

	m17 = arrive(f, 1, 7, EMU_CTX_USER, 8, 10);
	m28 = arrive(f, 2, 8, EMU_CTX_USER, 8, 20);
	m18 = arrive(f, 1, 8, EMU_CTX_USER, 8, 30);
	m38 = arrive(f, 3, 8, EMU_CTX_USER, 8, 40);
	r = post(f, 1, 8, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m18);
	r = post(f, SNEMU_ANY_SOURCE, 8, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m28);
	r = post(f, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m17);
	r = post(f, 3, SNEMU_ANY_TAG, EMU_CTX_USER);
	assert_ptr_equal(msg_of(f, r), m38);
	assert_int_equal(f->e.ctl[0].unexp.head, 0);
	assert_int_equal(f->e.ctl[0].unexp.tail, 0);
	/* Nothing left: the next receive waits. */
	r = post(f, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, EMU_CTX_USER);
	assert_false(r->done);
}

static void internal_traffic_never_matches_user_receives(void **state)
{
	struct fx *f = *state;
	struct snemu_req *user =
		post(f, SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, EMU_CTX_USER);
	struct snemu_req *internal;
	struct emu_msg *mi, *mu;

	mi = arrive(f, 1, 0, EMU_CTX_INTERNAL, 0, 10);
	assert_false(user->done);
	mu = arrive(f, 1, 0, EMU_CTX_USER, 0, 20);
	assert_ptr_equal(msg_of(f, user), mu);
	internal = post(f, 1, 0, EMU_CTX_INTERNAL);
	assert_ptr_equal(msg_of(f, internal), mi);
}

static void receives_complete_at_match_time(void **state)
{
	struct fx *f = *state;
	struct snemu_req *r;

	/* Arrived before the receive was posted (at clock 500): 500. */
	emu_eng_run(&f->e, 0, 500);
	arrive(f, 1, 1, EMU_CTX_USER, 8, 10);
	r = post(f, 1, 1, EMU_CTX_USER);
	assert_int_equal(r->done_ns, 500);
	assert_int_equal(r->st.arrival_ns, 10);
	/* Arrives after: its arrival. */
	r = post(f, 1, 1, EMU_CTX_USER);
	arrive(f, 1, 1, EMU_CTX_USER, 8, 900);
	assert_int_equal(r->done_ns, 900);
}

static void truncated_messages_report_emsgsize(void **state)
{
	struct fx *f = *state;
	struct snemu_req *r = post(f, 1, 1, EMU_CTX_USER);

	arrive(f, 1, 1, EMU_CTX_USER, 100, 10);
	assert_true(r->done);
	assert_int_equal(r->result, -EMSGSIZE);
	assert_int_equal(r->st.len, 100);
	r = post(f, 1, 1, EMU_CTX_USER);
	arrive(f, 1, 1, EMU_CTX_USER, 64, 10);
	assert_int_equal(r->result, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(posted_receives_match_in_posting_order),
		T(wildcard_and_specific_keep_posting_order),
		T(unexpected_messages_leave_both_queues),
		T(unexpected_messages_match_in_arrival_order),
		T(internal_traffic_never_matches_user_receives),
		T(receives_complete_at_match_time),
		T(truncated_messages_report_emsgsize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
