/* SPDX-License-Identifier: MIT */
/*
 * Completing requests: wait, test, and their forms over arrays (all, any,
 * some).
 * In an array, NULL entries are skipped (they stand for requests completed
 * before), and a completed request's entry is set to NULL.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "emu/ep.h"
#include "emu/host.h"

/* What a wait for r alone is, in a deadlock report. */
static enum emu_wait_op wait_op(const struct snemu_req *r)
{
	switch (r->kind) {
	case EMU_REQ_SEND: return EMU_WAIT_SEND;
	case EMU_REQ_RECV: return EMU_WAIT_RECV;
	default: return EMU_WAIT_WIN;
	}
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x > y) - (x < y);
}

/* -EINVAL if one of the live (non-NULL) requests of reqs is there twice. */
static int has_twins(struct snemu_req **reqs, int n, int live)
{
	uintptr_t local[64],
		*a = live <= 64 ? local : malloc(live * sizeof(*a));
	int k = 0, ret = 0;

	if (live < 2)
		return 0;
	if (!a)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (reqs[i])
			a[k++] = (uintptr_t)reqs[i];
	qsort(a, k, sizeof(*a), by_address);
	for (int i = 1; i < k && !ret; i++)
		if (a[i] == a[i - 1])
			ret = -EINVAL;
	if (a != local)
		free(a);
	return ret;
}

/* Enter for n requests (entries may be NULL): *live gets the others. */
static int reqs_enter(int n, struct snemu_req **reqs, struct emu_ep **out,
		      int *live)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (n < 0 || (n && !reqs))
		return -EINVAL;
	*live = 0;
	for (int i = 0; i < n; i++) {
		if (!reqs[i])
			continue;
		if (!ep_req_valid(ep, reqs[i]))
			return -EINVAL;
		++*live;
	}
	/* A request twice in one array could never complete twice. */
	ret = has_twins(reqs, n, *live);
	if (ret)
		return ret;
	*out = ep;
	return 0;
}

/* Record a call on requests (emu/host.h). */
static void reqs_rec(struct emu_ep *ep, enum host_op op,
		     struct snemu_req **reqs, int n)
{
	if (unlikely(ep->feed >= 0))
		ep_rec(ep, &(struct host_rec){.op = op}, reqs, n, NULL);
}

/* All live requests of reqs were completed: forget them. */
static void reqs_done(struct emu_ep *ep, struct snemu_req **reqs, int n,
		      int live)
{
	ep->nreqs -= live;
	for (int i = 0; i < n; i++)
		reqs[i] = NULL;
}

int snemu_wait(struct snemu_req *req, struct snemu_status *st)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_req_valid(ep, req))
		return -EINVAL;
	reqs_rec(ep, HOST_WAIT, &req, 1);
	ep->nreqs--;
	ep_lock(ep);
	return ep_wait_locked(ep, &req, 1, wait_op(req), st);
}

int snemu_test(struct snemu_req *req, int *done, struct snemu_status *st)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret, found;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	if (!ep_req_valid(ep, req) || !done)
		return -EINVAL;
	reqs_rec(ep, HOST_TEST, &req, 1);
	ep_lock(ep);
	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_test_locked(ep, &req, 1, false, &found, st);
	*done = found == 0;
	ep->nreqs -= *done;
	return ret;
}

int snemu_waitall(int n, struct snemu_req **reqs, struct snemu_status *sts)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret, live;

	ret = reqs_enter(n, reqs, &ep, &live);
	if (ret)
		return ret;
	reqs_rec(ep, HOST_WAITALL, reqs, n);
	ep_lock(ep);
	ret = ep_wait_locked(ep, reqs, n, EMU_WAIT_WAITALL, sts);
	reqs_done(ep, reqs, n, live);
	return ret;
}

int snemu_testall(int n, struct snemu_req **reqs, int *done,
		  struct snemu_status *sts)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret, live, found;

	ret = reqs_enter(n, reqs, &ep, &live);
	if (ret)
		return ret;
	if (!done)
		return -EINVAL;
	reqs_rec(ep, HOST_TESTALL, reqs, n);
	ep_lock(ep);
	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_test_locked(ep, reqs, n, true, &found, sts);
	*done = found == 0;
	if (*done)
		reqs_done(ep, reqs, n, live);
	return ret;
}

/* waitany (done NULL) and testany: one request of reqs completed. */
static int any(int n, struct snemu_req **reqs, int *index, int *done,
	       struct snemu_status *st, bool wait)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret, live;

	ret = reqs_enter(n, reqs, &ep, &live);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, wait ? "snemu_waitany" : "snemu_testany", -1, -1,
		      UINT64_MAX, false);
	if (!index || (!wait && !done))
		return -EINVAL;
	reqs_rec(ep, wait ? HOST_WAITANY : HOST_TESTANY, reqs, n);
	*index = -1;
	/* Nothing to complete: testany is done, as MPI_Testany says. */
	if (!wait)
		*done = !live;
	if (!live)
		return 0;
	ep_lock(ep);
	if (wait) {
		ret = ep_waitany_locked(ep, reqs, n, index, st);
	} else {
		ep_charge(ep, ep->eng.par->poll_ns);
		ret = ep_test_locked(ep, reqs, n, false, index, st);
		*done = *index >= 0;
	}
	if (*index >= 0) {
		ep->nreqs--;
		reqs[*index] = NULL;
	}
	return ret;
}

int snemu_testsome(int n, struct snemu_req **reqs, int *count, int *indices,
		   struct snemu_status *sts)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret, live;

	ret = reqs_enter(n, reqs, &ep, &live);
	if (ret)
		return ret;
	if (!count || (n && !indices))
		return -EINVAL;
	reqs_rec(ep, HOST_TESTSOME, reqs, n);
	*count = 0;
	if (!live)
		return 0;
	ep_lock(ep);
	ep_charge(ep, ep->eng.par->poll_ns);
	ret = ep_testsome_locked(ep, reqs, n, count, indices, sts);
	ep->nreqs -= *count;
	for (int j = 0; j < *count; j++)
		reqs[indices[j]] = NULL;
	return ret;
}

int snemu_waitany(int n, struct snemu_req **reqs, int *index,
		  struct snemu_status *st)
{
	return any(n, reqs, index, NULL, st, true);
}

int snemu_testany(int n, struct snemu_req **reqs, int *index, int *done,
		  struct snemu_status *st)
{
	return any(n, reqs, index, done, st, false);
}
