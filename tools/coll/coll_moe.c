/* SPDX-License-Identifier: MIT */
/*
 * MoE expert-parallel dispatch and combine, direct: every rank exchanges
 * with every other rank at once (pairwise order), one message per peer
 * and direction, as the fused kernels of DeepEP-style libraries do.
 *
 * Dispatch: first every peer gets a small routing message, the count and
 * the (token, slot, expert) of each record (the receiver must size the
 * payload receives: this is the "notify" step of DeepEP); then the
 * payloads, which land straight in the caller's recv buffer, ordered by
 * source rank, then token, then slot. Combine sends the rows back in that
 * order; each source knows which of its (token, slot) pairs to expect from
 * whom, so rows carry no header on the way back. The reference combine
 * therefore takes the entries of the reference dispatch only (in order).
 */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

struct moe_meta {
	int32_t token, slot, expert;
};

/* Per-peer record counts and their prefix offsets. */
struct moe_counts {
	size_t *cnt, *off; /* n + 1 offsets: off[n] is the total */
};

static int counts_alloc(struct moe_counts *c, int n)
{
	c->cnt = calloc(2 * n + 1, sizeof(*c->cnt));
	c->off = c->cnt ? c->cnt + n : NULL;
	return c->cnt ? 0 : -ENOMEM;
}

static void counts_sum(struct moe_counts *c, int n)
{
	c->off[0] = 0;
	for (int j = 0; j < n; j++)
		c->off[j + 1] = c->off[j] + c->cnt[j];
}

/* Records this rank sends to each peer: one per (token, slot). */
static int route_counts(const struct snemu_coll_moe *m, int n,
			struct moe_counts *c)
{
	size_t nsel = m->tokens * m->topk;

	if (m->topk <= 0 || m->experts <= 0)
		return -EINVAL;
	for (size_t i = 0; i < nsel; i++) {
		if (m->topk_idx[i] < 0 || m->topk_idx[i] >= m->experts)
			return -EINVAL;
		c->cnt[snemu_coll_moe_owner(m->topk_idx[i], m->experts, n)]++;
	}
	counts_sum(c, n);
	return 0;
}

/*
 * Exchange per-peer blocks in pairwise order: send sbuf[soff[j] * unit]
 * (scnt[j] units) to j and receive rcnt[j] units into rbuf[roff[j] * unit];
 * this rank's own block is copied.
 */
static int exchange(const struct moe_counts *sc, const struct moe_counts *rc,
		    int n, int me, int tag, const void *sbuf, void *rbuf,
		    size_t unit)
{
	const char *s = sbuf;
	char *r = rbuf;
	struct coll_reqs q;
	int ret = coll_reqs_init(&q, 2 * n);

	if (ret)
		return ret;
	memcpy(r + rc->off[me] * unit, s + sc->off[me] * unit,
	       MIN(sc->cnt[me], rc->cnt[me]) * unit);
	for (int k = 1; k < n; k++) {
		int j = (me - k + n) % n;

		coll_reqs_recv(&q, j, tag, r + rc->off[j] * unit,
			       rc->cnt[j] * unit);
	}
	for (int k = 1; k < n; k++) {
		int j = (me + k) % n;

		coll_reqs_send(&q, j, tag, s + sc->off[j] * unit,
			       sc->cnt[j] * unit);
	}
	ret = coll_reqs_wait(&q);
	coll_reqs_fini(&q);
	return ret;
}

/*
 * The routing messages: to each peer a header record (count in token)
 * and its records' metadata. Sent from smeta laid out by hs; received in
 * slots of cap records per peer, laid out by hr.
 */
static int route_messages(const struct snemu_coll_moe *m, int n,
			  const struct moe_counts *sc, struct moe_counts *hs,
			  struct moe_counts *hr, struct moe_meta **smeta,
			  size_t cap)
{
	size_t *cur = calloc(n, sizeof(*cur));
	int k = m->topk;

	for (int j = 0; j < n; j++) {
		hs->cnt[j] = sc->cnt[j] + 1;
		hr->cnt[j] = cap;
	}
	counts_sum(hs, n);
	counts_sum(hr, n);
	*smeta = malloc(hs->off[n] * sizeof(**smeta));
	if (!cur || !*smeta) {
		free(cur);
		return -ENOMEM;
	}
	for (int j = 0; j < n; j++)
		(*smeta)[hs->off[j]] = (struct moe_meta){sc->cnt[j], 0, 0};
	for (size_t t = 0; t < m->tokens; t++)
		for (int s = 0; s < k; s++) {
			int e = m->topk_idx[t * k + s];
			int d = snemu_coll_moe_owner(e, m->experts, n);

			(*smeta)[hs->off[d] + 1 + cur[d]++] =
				(struct moe_meta){t, s, e};
		}
	free(cur);
	return 0;
}

int coll_moe_dispatch(const struct snemu_coll_moe *moe, const void *x,
		      void *recv, struct snemu_coll_moe_entry *entries,
		      size_t max_recv, size_t *nrecv)
{
	int n = snemu_size(), me = snemu_rank(), k = moe->topk, ret;
	size_t tb = snemu_coll_moe_token_bytes(moe->hidden), total, i;
	size_t cap = moe->tokens * k + 1; /* records a peer may send */
	struct moe_counts sc = {0}, rc = {0}, hs = {0}, hr = {0};
	struct moe_meta *smeta = NULL, *rmeta = NULL;
	char *spay = NULL, *rpay = NULL;
	size_t *cur = NULL;

	ret = counts_alloc(&sc, n);
	if (!ret)
		ret = counts_alloc(&rc, n);
	if (!ret)
		ret = counts_alloc(&hs, n);
	if (!ret)
		ret = counts_alloc(&hr, n);
	if (!ret)
		ret = route_counts(moe, n, &sc);
	if (!ret)
		ret = route_messages(moe, n, &sc, &hs, &hr, &smeta, cap);
	if (ret)
		goto out;
	ret = -ENOMEM;
	rmeta = malloc(hr.off[n] * sizeof(*rmeta));
	spay = malloc(sc.off[n] * tb + 1);
	cur = calloc(n, sizeof(*cur));
	if (!rmeta || !spay || !cur)
		goto out;
	ret = exchange(&hs, &hr, n, me, COLL_TAG_MOE_META, smeta, rmeta,
		       sizeof(*rmeta));
	if (ret)
		goto out;
	for (int j = 0; j < n; j++)
		rc.cnt[j] = MIN((size_t)rmeta[hr.off[j]].token, cap - 1);
	counts_sum(&rc, n);
	total = rc.off[n];
	/* pack by destination, in (token, slot) order */
	for (size_t t = 0; t < moe->tokens; t++)
		for (int s = 0; s < k; s++) {
			int d = snemu_coll_moe_owner(moe->topk_idx[t * k + s],
						     moe->experts, n);

			memcpy(spay + (sc.off[d] + cur[d]++) * tb,
			       (const char *)x + t * tb, tb);
		}
	/* too many for the caller: still receive everything, then fail */
	rpay = total > max_recv ? malloc(total * tb + 1) : recv;
	ret = rpay ? exchange(&sc, &rc, n, me, COLL_TAG_MOE_DATA, spay, rpay,
			      tb)
		   : -ENOMEM;
	if (!ret && total > max_recv)
		ret = -ENOSPC;
	if (ret)
		goto out;
	i = 0;
	for (int j = 0; j < n; j++)
		for (size_t r = 0; r < rc.cnt[j]; r++, i++) {
			const struct moe_meta *mm = &rmeta[hr.off[j] + 1 + r];

			entries[i] = (struct snemu_coll_moe_entry){
				j, mm->token, mm->slot, mm->expert};
		}
	*nrecv = total;
out:
	if (rpay != recv)
		free(rpay);
	free(cur);
	free(spay);
	free(rmeta);
	free(smeta);
	free(hr.cnt);
	free(hs.cnt);
	free(rc.cnt);
	free(sc.cnt);
	return ret;
}

/* The order of dispatch's entries: source, token, slot. */
static int entry_order(const struct snemu_coll_moe_entry *x,
		       const struct snemu_coll_moe_entry *y)
{
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->token != y->token)
		return x->token < y->token ? -1 : 1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

/*
 * Per-source counts of the entries, which must be in the order dispatch
 * made them (source, token, slot): then the rows go back as they are,
 * each source knowing which of its (token, slot) pairs comes when.
 */
static int back_counts(const struct snemu_coll_moe *m,
		       const struct snemu_coll_moe_entry *entries, size_t nrecv,
		       int n, struct moe_counts *bc)
{
	for (size_t i = 0; i < nrecv; i++) {
		const struct snemu_coll_moe_entry *e = &entries[i];

		if (e->src < 0 || e->src >= n || e->token < 0 ||
		    (size_t)e->token >= m->tokens || e->slot < 0 ||
		    e->slot >= m->topk ||
		    (i && entry_order(&entries[i - 1], e) >= 0))
			return -EINVAL;
		bc->cnt[e->src]++;
	}
	counts_sum(bc, n);
	return 0;
}

int coll_moe_combine(const struct snemu_coll_moe *moe,
		     const struct snemu_coll_moe_entry *entries, size_t nrecv,
		     const uint16_t *rows, uint16_t *out)
{
	int n = snemu_size(), me = snemu_rank(), k = moe->topk, ret;
	size_t h = moe->hidden, rowb = h * sizeof(uint16_t);
	struct moe_counts sc = {0}, bc = {0};
	uint16_t *rbuf = NULL;
	size_t *cur = NULL;
	float *acc = NULL;

	ret = counts_alloc(&sc, n);
	if (!ret)
		ret = counts_alloc(&bc, n);
	if (!ret)
		ret = route_counts(moe, n, &sc);
	if (!ret)
		ret = back_counts(moe, entries, nrecv, n, &bc);
	if (ret)
		goto out;
	ret = -ENOMEM;
	rbuf = calloc(sc.off[n] * h + 1, sizeof(*rbuf));
	cur = calloc(n, sizeof(*cur));
	acc = malloc(h * sizeof(*acc) + 1);
	if (!rbuf || !cur || !acc)
		goto out;
	/* rows go back the way the tokens came: send bc, receive sc */
	ret = exchange(&bc, &sc, n, me, COLL_TAG_MOE_BACK, rows, rbuf, rowb);
	if (ret)
		goto out;
	for (size_t t = 0; t < moe->tokens; t++) {
		for (size_t i = 0; i < h; i++)
			acc[i] = 0;
		for (int s = 0; s < k; s++) {
			int d = snemu_coll_moe_owner(moe->topk_idx[t * k + s],
						     moe->experts, n);
			const uint16_t *row = rbuf + (sc.off[d] + cur[d]++) * h;
			float w = moe->topk_weight[t * k + s];

			for (size_t i = 0; i < h; i++)
				acc[i] += w * coll_bf16_to_float(row[i]);
		}
		for (size_t i = 0; i < h; i++)
			out[t * h + i] = coll_float_to_bf16(acc[i]);
	}
out:
	free(acc);
	free(cur);
	free(rbuf);
	free(bc.cnt);
	free(sc.cnt);
	return ret;
}
