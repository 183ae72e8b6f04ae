/* SPDX-License-Identifier: MIT */
/*
 * MoE dispatch and combine, one-sided, as the fused AIV-direct kernels of
 * CloudMatrix384 move tokens: every (token, slot) is one put_signal of its
 * own straight into a slot of the destination's receive window, issued
 * over the endpoint's issue units, and the receiver waits for its signal
 * word to count them (wait_until). The windows are allocated once, in
 * moe_setup, as the real kernels preallocate their receive buffers.
 *
 * Dispatch first tells each rank how many records it will get (one
 * put_signal of the count to each peer), and each receiver answers each
 * source with where its records start in the receive window; then every
 * record goes to its slot: a header (token, slot, expert) and the token's
 * bytes. Combine writes each expert output row back into the (token,
 * slot) row of its source's window (put_signal_nbi: the rows are read at
 * their arrival, so no copy of them waits in flight); the source forms
 * the weighted sums.
 *
 * Modeled compute (snemu_compute): quantizing a token before dispatch and
 * adding one weighted row in combine, constants calibrated on the
 * published EP8 kernels (docs/COLL.md, "Fidelity").
 */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

/*
 * The meta window: its signal words, then count[n], then start[n]. The
 * data and back windows: their signal word (a put's signal is in its
 * window), then the records or rows from HEAD on.
 */
enum { SIG_COUNT, SIG_OFFSET, SIG_WORDS };
#define HEAD 64

#define NO_ROOM UINT64_MAX

struct rec_hdr {
	int32_t token, slot, expert, pad;
};

static struct {
	struct snemu_win *meta, *data, *back;
	uint64_t *meta_base;
	unsigned char *data_base, *back_base; /* from HEAD on */
	size_t data_cap; /* records the data window holds */
	uint64_t rounds; /* dispatches (and combines) done: signal epochs */
	uint64_t got, back_got; /* records the data, back signals counted */
} os;

struct coll_moe_compute coll_moe_compute = {
	.quant_ns = COLL_MOE_QUANT_NS,
	.sum_ns = COLL_MOE_SUM_NS,
};

/* A record's stride in the window: header and token, 16-byte aligned. */
static size_t rec_bytes(const struct snemu_coll_moe *m)
{
	size_t len =
		sizeof(struct rec_hdr) + snemu_coll_moe_token_bytes(m->hidden);

	return (len + 15) & ~(size_t)15;
}

int coll_moe_onesided_setup(const struct snemu_coll_moe *m, size_t max_recv)
{
	int n = snemu_size(), ret;
	size_t back = m->tokens * m->topk * m->hidden * sizeof(uint16_t);

	memset(&os, 0, sizeof(os));
	os.data_cap = max_recv;
	ret = snemu_win_allocate((SIG_WORDS + 2 * (size_t)n) * sizeof(uint64_t),
				 (void **)&os.meta_base, &os.meta);
	if (!ret)
		ret = snemu_win_allocate(HEAD + max_recv * rec_bytes(m),
					 (void **)&os.data_base, &os.data);
	if (!ret)
		ret = snemu_win_allocate(HEAD + back, (void **)&os.back_base,
					 &os.back);
	os.data_base += HEAD;
	os.back_base += HEAD;
	return ret;
}

int coll_moe_onesided_teardown(void)
{
	int ret = 0;

	if (os.back)
		ret = snemu_win_free(os.back);
	if (os.data && !ret)
		ret = snemu_win_free(os.data);
	if (os.meta && !ret)
		ret = snemu_win_free(os.meta);
	memset(&os, 0, sizeof(os));
	return ret;
}

static size_t meta_off(int word)
{
	return (size_t)word * sizeof(uint64_t);
}

/* Offset of count[j] (what j sends me) and start[j] (where mine go at j). */
static size_t count_off(int j)
{
	return meta_off(SIG_WORDS + j);
}

static size_t start_off(int j, int n)
{
	return meta_off(SIG_WORDS + n + j);
}

/*
 * Every other rank puts value[j] at off_of(me) of rank j's meta window and
 * adds 1 to its signal word sig; wait until all n - 1 of ours came.
 */
static int meta_exchange(const uint64_t *value, int sig, bool starts)
{
	int n = snemu_size(), me = snemu_rank(), ret = 0;

	for (int k = 1; k < n && !ret; k++) {
		int j = (me + k) % n;

		ret = snemu_put_signal(
			os.meta, j, starts ? start_off(me, n) : count_off(me),
			&value[j], sizeof(value[j]), meta_off(sig), 1,
			SNEMU_SIGNAL_ADD);
	}
	if (!ret)
		ret = snemu_wait_until(os.meta, meta_off(sig), SNEMU_CMP_GE,
				       (os.rounds + 1) * (n - 1), NULL);
	return ret;
}

int coll_moe_onesided_dispatch(const struct snemu_coll_moe *m, const void *x,
			       void *recv, struct snemu_coll_moe_entry *entries,
			       size_t max_recv, size_t *nrecv)
{
	int n = snemu_size(), me = snemu_rank(), k = m->topk, ret;
	size_t tb = snemu_coll_moe_token_bytes(m->hidden), rb = rec_bytes(m);
	const uint64_t *from, *told; /* counts to me, starts for me */
	uint64_t *cnt, *start, *cur, total = 0, expect = 0;
	uint64_t cap = MIN(os.data_cap, max_recv);
	unsigned char *rec;

	if (!os.data)
		return -EINVAL; /* moe_setup was not called */
	from = os.meta_base + SIG_WORDS;
	told = from + n;
	cnt = calloc(3 * (size_t)n, sizeof(*cnt));
	rec = malloc(rb);
	if (!cnt || !rec) {
		free(rec);
		free(cnt);
		return -ENOMEM;
	}
	start = cnt + n;
	cur = cnt + 2 * n;
	ret = 0;
	for (size_t i = 0; !ret && i < m->tokens * k; i++) {
		if (m->topk_idx[i] < 0 || m->topk_idx[i] >= m->experts)
			ret = -EINVAL;
		else
			cnt[snemu_coll_moe_owner(m->topk_idx[i], m->experts,
						 n)]++;
	}
	/*
	 * Counts out; where each source's records start here, back
	 * (NO_ROOM to a source whose records would not all fit: it sends
	 * none, and the call fails with -ENOSPC everywhere it did).
	 */
	if (!ret)
		ret = meta_exchange(cnt, SIG_COUNT, false);
	if (!ret) {
		for (int j = 0; j < n; j++) {
			uint64_t c = j == me ? cnt[me] : from[j];

			start[j] = total + c <= cap ? total : NO_ROOM;
			expect += j != me && start[j] != NO_ROOM ? c : 0;
			total += c;
		}
		ret = meta_exchange(start, SIG_OFFSET, true);
	}
	if (ret)
		goto out;
	/* Our own start at each destination, as it told us. */
	for (int j = 0; j < n; j++)
		cur[j] = j == me ? start[me] : told[j];
	ret = snemu_compute(m->tokens * coll_moe_compute.quant_ns);
	for (size_t t = 0; !ret && t < m->tokens; t++)
		for (int s = 0; !ret && s < k; s++) {
			int e = m->topk_idx[t * k + s];
			int d = snemu_coll_moe_owner(e, m->experts, n);
			unsigned char *to;

			if (cur[d] == NO_ROOM)
				continue;
			to = d == me ? os.data_base + cur[d] * rb : rec;
			*(struct rec_hdr *)to = (struct rec_hdr){t, s, e, 0};
			memcpy(to + sizeof(struct rec_hdr),
			       (const char *)x + t * tb, tb);
			if (d != me)
				ret = snemu_put_signal(
					os.data, d, HEAD + cur[d] * rb, rec,
					sizeof(struct rec_hdr) + tb, 0, 1,
					SNEMU_SIGNAL_ADD);
			cur[d]++;
		}
	/* Wait for every record of the others, then hand them out. */
	os.got += expect;
	if (!ret)
		ret = snemu_wait_until(os.data, 0, SNEMU_CMP_GE, os.got, NULL);
	for (int j = 0; !ret && j < n; j++) {
		uint64_t c = j == me ? cnt[me] : from[j];

		for (uint64_t i = start[j];
		     start[j] != NO_ROOM && i < start[j] + c; i++) {
			const unsigned char *r = os.data_base + i * rb;
			const struct rec_hdr *h = (const void *)r;

			entries[i] = (struct snemu_coll_moe_entry){
				j, h->token, h->slot, h->expert};
			memcpy((char *)recv + i * tb, r + sizeof(*h), tb);
		}
	}
	*nrecv = total;
	if (!ret && total > max_recv)
		ret = -ENOSPC;
out:
	os.rounds++;
	free(rec);
	free(cnt);
	return ret;
}

int coll_moe_onesided_combine(const struct snemu_coll_moe *m,
			      const struct snemu_coll_moe_entry *entries,
			      size_t nrecv, const uint16_t *rows, uint16_t *out)
{
	int n = snemu_size(), me = snemu_rank(), k = m->topk, ret = 0;
	size_t h = m->hidden, rowb = h * sizeof(uint16_t), remote = 0;
	float *acc = malloc(h * sizeof(*acc) + 1);

	if (!os.back)
		return -EINVAL; /* moe_setup was not called */
	if (!acc)
		return -ENOMEM;
	for (size_t i = 0; i < nrecv; i++) {
		const struct snemu_coll_moe_entry *e = &entries[i];

		if (e->src < 0 || e->src >= n || e->token < 0 ||
		    (size_t)e->token >= m->tokens || e->slot < 0 ||
		    e->slot >= k)
			ret = -EINVAL;
	}
	/* Each row into its (token, slot) row of its source's window. */
	for (size_t i = 0; !ret && i < nrecv; i++) {
		const struct snemu_coll_moe_entry *e = &entries[i];
		size_t off = ((size_t)e->token * k + e->slot) * rowb;

		if (e->src == me)
			memcpy(os.back_base + off, rows + i * h, rowb);
		else
			ret = snemu_put_signal_nbi(os.back, e->src, HEAD + off,
						   rows + i * h, rowb, 0, 1,
						   SNEMU_SIGNAL_ADD);
	}
	for (size_t i = 0; i < m->tokens * k; i++)
		remote += snemu_coll_moe_owner(m->topk_idx[i], m->experts, n) !=
			  me;
	os.back_got += remote;
	if (!ret)
		ret = snemu_wait_until(os.back, 0, SNEMU_CMP_GE, os.back_got,
				       NULL);
	/* Our rows are read at their arrival: keep them until then. */
	if (!ret)
		ret = snemu_flush(os.back, SNEMU_ANY_SOURCE);
	if (!ret)
		ret = snemu_compute(m->tokens * k * coll_moe_compute.sum_ns);
	for (size_t t = 0; !ret && t < m->tokens; t++) {
		const uint16_t *row =
			(const uint16_t *)os.back_base + t * k * h;

		for (size_t i = 0; i < h; i++)
			acc[i] = 0;
		for (int s = 0; s < k; s++) {
			float w = m->topk_weight[t * k + s];

			for (size_t i = 0; i < h; i++)
				acc[i] +=
					w * coll_bf16_to_float(row[s * h + i]);
		}
		for (size_t i = 0; i < h; i++)
			out[t * h + i] = coll_float_to_bf16(acc[i]);
	}
	free(acc);
	return ret;
}
