/* SPDX-License-Identifier: MIT */
/*
 * A rank's side of a MoE run. Dispatch: time it, then check that this rank
 * got exactly the (token, slot) pairs whose expert it owns, each once,
 * with the sender's bytes. Combine: dispatch untimed, make each received
 * token's expert output from its origin, time the combine, and check
 * every element of the weighted sums back at the source.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

struct moe_run {
	const struct coll_bench *b;
	struct snemu_coll_moe m;
	int me, n;
	void *x, *recv;
	struct snemu_coll_moe_entry *entries;
	size_t cap, nrecv;
	uint16_t *rows, *out;
};

static const int32_t *route_of(const struct coll_bench *b, int rank)
{
	return b->moe_idx + (size_t)rank * b->moe.tokens * b->moe.topk;
}

/* (token, slot) pairs rank sends to dst, over all of its tokens. */
static size_t pairs_to(const struct coll_bench *b, int rank, int dst, int n)
{
	const int32_t *idx = route_of(b, rank);
	size_t sel = (size_t)b->moe.tokens * b->moe.topk, cnt = 0;

	for (size_t i = 0; i < sel; i++)
		cnt += snemu_coll_moe_owner(idx[i], b->moe.experts, n) == dst;
	return cnt;
}

/*
 * Payload bytes each rank sends to other ranks: the mean and, over send
 * and receive sides, the busiest rank. unit: bytes per (token, slot).
 */
static void traffic(const struct coll_bench *b, int n, size_t unit,
		    struct coll_row *row)
{
	double *sent = calloc(2 * n, sizeof(*sent)), sum = 0, max = 0;
	size_t sel = (size_t)b->moe.tokens * b->moe.topk;

	if (!sent)
		return;
	for (int r = 0; r < n; r++) {
		const int32_t *idx = route_of(b, r);

		for (size_t i = 0; i < sel; i++) {
			int d = snemu_coll_moe_owner(idx[i], b->moe.experts, n);

			if (d != r) {
				sent[r] += unit;
				sent[n + d] += unit;
			}
		}
	}
	for (int r = 0; r < n; r++) {
		sum += sent[r];
		max = MAX(max, MAX(sent[r], sent[n + r]));
	}
	row->moe_mean_bytes = sum / n;
	row->moe_max_bytes = max;
	free(sent);
}

static int run_dispatch(void *arg)
{
	struct moe_run *w = arg;

	return w->b->lib->moe_dispatch(&w->m, w->x, w->recv, w->entries, w->cap,
				       &w->nrecv);
}

static int run_combine(void *arg)
{
	struct moe_run *w = arg;

	return w->b->lib->moe_combine(&w->m, w->entries, w->nrecv, w->rows,
				      w->out);
}

static uint64_t check_dispatch(const struct moe_run *w)
{
	size_t tb = snemu_coll_moe_token_bytes(w->m.hidden);
	size_t per = w->m.tokens * w->m.topk, good = 0, want;
	uint8_t *seen = calloc(per * w->n, 1);
	const uint8_t *p = w->recv;
	uint64_t wrong = 0;

	if (!seen)
		return UINT64_MAX;
	for (size_t i = 0; i < w->nrecv && i < w->cap; i++) {
		const struct snemu_coll_moe_entry *e = &w->entries[i];
		size_t at = (size_t)e->src * per +
			    (size_t)e->token * w->m.topk + e->slot;

		if (e->src < 0 || e->src >= w->n || e->token < 0 ||
		    (size_t)e->token >= w->m.tokens || e->slot < 0 ||
		    e->slot >= w->m.topk || seen[at] ||
		    route_of(w->b, e->src)[at - (size_t)e->src * per] !=
			    e->expert ||
		    snemu_coll_moe_owner(e->expert, w->m.experts, w->n) !=
			    w->me) {
			wrong += tb;
			continue;
		}
		seen[at] = 1;
		good++;
		for (size_t h = 0; h < tb; h++)
			wrong += p[i * tb + h] !=
				 coll_moe_x_byte(e->src, e->token, h);
	}
	want = w->cap;
	wrong += (want - MIN(good, want)) * tb; /* never arrived */
	free(seen);
	return wrong;
}

static uint64_t check_combine(const struct moe_run *w)
{
	size_t h = w->m.hidden;
	int k = w->m.topk;
	float *acc = malloc(h * sizeof(*acc) + 1);
	uint64_t wrong = 0;

	if (!acc)
		return UINT64_MAX;
	/* the sums in the combine's order: slot by slot, left to right */
	for (size_t t = 0; t < w->m.tokens; t++) {
		for (size_t i = 0; i < h; i++)
			acc[i] = 0;
		for (int s = 0; s < k; s++) {
			uint32_t seed = coll_moe_row_seed(w->me, (int)t, s);
			float wt = w->m.topk_weight[t * k + s];

			for (size_t i = 0; i < h; i++)
				acc[i] += wt *
					  coll_bf16_to_float(
						  coll_moe_row_elem(seed, i));
		}
		for (size_t i = 0; i < h; i++)
			wrong +=
				w->out[t * h + i] != coll_float_to_bf16(acc[i]);
	}
	free(acc);
	return wrong;
}

static void make_rows(struct moe_run *w)
{
	size_t h = w->m.hidden;

	for (size_t i = 0; i < w->nrecv; i++) {
		const struct snemu_coll_moe_entry *e = &w->entries[i];
		uint32_t seed = coll_moe_row_seed(e->src, e->token, e->slot);

		for (size_t j = 0; j < h; j++)
			w->rows[i * h + j] = coll_moe_row_elem(seed, j);
	}
}

int coll_bench_moe_rank(struct coll_bench_rank *c)
{
	const struct coll_bench *b = c->b;
	size_t tb = snemu_coll_moe_token_bytes(b->moe.hidden);
	size_t base = (size_t)c->rank * b->moe.tokens * b->moe.topk;
	struct moe_run w = {
		.b = b,
		.m = {b->moe.tokens, b->moe.hidden, b->moe.topk, b->moe.experts,
		      b->moe_idx + base, b->moe_weight + base},
		.me = c->rank,
		.n = c->n,
	};
	struct coll_row tmpl = {.count = b->moe.tokens};
	uint64_t wrong = 0;
	int ret = -ENOMEM, err;

	/* the exact number this rank must receive: its receive capacity */
	for (int r = 0; r < c->n; r++)
		w.cap += pairs_to(b, r, c->rank, c->n);
	w.x = malloc(w.m.tokens * tb + 1);
	w.recv = malloc(w.cap * tb + 1);
	w.entries = malloc(w.cap * sizeof(*w.entries) + 1);
	if (!w.x || !w.recv || !w.entries)
		goto out;
	for (size_t t = 0; t < w.m.tokens; t++)
		for (size_t i = 0; i < tb; i++)
			((uint8_t *)w.x)[t * tb + i] =
				coll_moe_x_byte(c->rank, t, i);
	err = b->lib->moe_setup ? b->lib->moe_setup(&w.m, w.cap) : 0;
	if (err)
		goto publish;
	if (b->op == COLL_DISPATCH) {
		err = coll_bench_time(c, run_dispatch, &w);
		if (b->check)
			wrong = check_dispatch(&w);
		if (!c->rank)
			traffic(b, c->n, tb, &tmpl);
	} else {
		err = run_dispatch(&w);
		/*
		 * Only the entries matter from here: the tokens and the
		 * library's dispatch state go back before the combine's
		 * buffers are touched (a fresh set-up takes no memory that
		 * the combine does not fill).
		 */
		free(w.recv);
		free(w.x);
		w.recv = w.x = NULL;
		if (b->lib->moe_teardown && !err)
			err = b->lib->moe_teardown();
		if (b->lib->moe_setup && !err)
			err = b->lib->moe_setup(&w.m, w.cap);
		w.nrecv = MIN(w.nrecv, w.cap);
		w.rows = malloc(w.nrecv * w.m.hidden * sizeof(*w.rows) + 1);
		w.out = malloc(w.m.tokens * w.m.hidden * sizeof(*w.out) + 1);
		if (!w.rows || !w.out)
			goto out;
		make_rows(&w);
		coll_fill_poison(w.out, w.m.tokens * w.m.hidden,
				 SNEMU_COLL_BF16);
		/* every rank times the combine, so barriers stay paired */
		ret = coll_bench_time(c, run_combine, &w);
		if (!err)
			err = ret;
		if (b->check)
			wrong = check_combine(&w);
		if (!c->rank)
			traffic(b, c->n, w.m.hidden * sizeof(uint16_t), &tmpl);
	}
	ret = b->lib->moe_teardown ? b->lib->moe_teardown() : 0;
	if (!err)
		err = ret;
publish:
	tmpl.bytes = (uint64_t)tmpl.moe_mean_bytes;
	ret = coll_bench_publish(c, 0, &tmpl, wrong, err);
out:
	free(w.out);
	free(w.rows);
	free(w.entries);
	free(w.recv);
	free(w.x);
	return ret;
}
