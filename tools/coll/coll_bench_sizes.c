/* SPDX-License-Identifier: MIT */
/*
 * A rank's side of a size sweep (all-reduce, all-gather, reduce-scatter,
 * broadcast, all-to-all): fill the inputs, time the call, check every
 * element of the output against its exact expected value.
 */
#include <stdlib.h>

#include "tools/coll/coll.h"

struct sweep {
	const struct coll_bench *b;
	int me, n;
	size_t count;
	void *s, *r; /* send and receive buffers */
	void *table; /* sums per index residue, reductions only */
};

/* Elements of the send and receive buffers at count. */
static void buf_elems(enum coll_op op, int n, size_t count, size_t *s,
		      size_t *r)
{
	*s = count;
	*r = count;
	switch (op) {
	case COLL_ALLGATHER: *r *= n; break;
	case COLL_REDUCE_SCATTER: *s *= n; break;
	case COLL_ALLTOALL:
		*s *= n;
		*r *= n;
		break;
	case COLL_BCAST: *s = 0; break;
	default: break;
	}
}

static int run_op(void *arg)
{
	const struct sweep *w = arg;
	const struct snemu_coll_plugin *lib = w->b->lib;
	enum snemu_coll_type t = w->b->type;

	switch (w->b->op) {
	case COLL_ALLREDUCE: return lib->allreduce(w->s, w->r, w->count, t);
	case COLL_ALLGATHER: return lib->allgather(w->s, w->r, w->count, t);
	case COLL_REDUCE_SCATTER:
		return lib->reduce_scatter(w->s, w->r, w->count, t);
	case COLL_BCAST: return lib->bcast(w->r, w->count, t, w->b->root);
	case COLL_ALLTOALL: return lib->alltoall(w->s, w->r, w->count, t);
	default: return -EOPNOTSUPP;
	}
}

static void fill(const struct sweep *w)
{
	enum snemu_coll_type t = w->b->type;
	size_t s, r;

	buf_elems(w->b->op, w->n, w->count, &s, &r);
	coll_fill_poison(w->r, r, t);
	switch (w->b->op) {
	case COLL_ALLREDUCE:
	case COLL_REDUCE_SCATTER:
		coll_fill_sum(w->s, s, t, w->n, w->me, 0);
		break;
	case COLL_BCAST:
		if (w->me == w->b->root)
			coll_fill_unique(w->r, r, t, w->me, 0);
		break;
	default: coll_fill_unique(w->s, s, t, w->me, 0); break;
	}
}

static uint64_t check(const struct sweep *w)
{
	enum snemu_coll_type t = w->b->type;
	size_t c = w->count, ts = snemu_coll_type_size(t);
	const char *r = w->r;
	uint64_t wrong = 0;

	switch (w->b->op) {
	case COLL_ALLREDUCE: return coll_check_sum(r, c, t, w->table, 0);
	case COLL_REDUCE_SCATTER:
		return coll_check_sum(r, c, t, w->table, (uint64_t)w->me * c);
	case COLL_BCAST: return coll_check_unique(r, c, t, w->b->root, 0);
	case COLL_ALLGATHER:
		for (int q = 0; q < w->n; q++)
			wrong += coll_check_unique(r + q * c * ts, c, t, q, 0);
		return wrong;
	case COLL_ALLTOALL:
		for (int q = 0; q < w->n; q++)
			wrong += coll_check_unique(r + q * c * ts, c, t, q,
						   (uint64_t)w->me * c);
		return wrong;
	default: return 0;
	}
}

int coll_bench_sizes_rank(struct coll_bench_rank *c)
{
	const struct coll_bench *b = c->b;
	struct sweep w = {.b = b, .me = c->rank, .n = c->n};
	size_t ts = snemu_coll_type_size(b->type), smax, rmax;
	uint64_t count, bytes = 0;
	int ret = -ENOMEM;

	for (int i = 0; i < b->nsizes; i++)
		bytes = MAX(bytes, b->sizes[i]);
	coll_bench_count(b, bytes, &count, &bytes);
	buf_elems(b->op, c->n, count, &smax, &rmax);
	w.s = malloc(smax * ts + 1);
	w.r = malloc(rmax * ts + 1);
	if (coll_op_desc(b->op)->reduces) {
		w.table = malloc(COLL_SUM_PERIOD * ts);
		if (w.table)
			coll_sum_table(w.table, b->type, c->n);
	}
	if (!w.s || !w.r || (coll_op_desc(b->op)->reduces && !w.table))
		goto out;
	for (int i = 0; i < b->nsizes; i++) {
		struct coll_row tmpl = {0};
		uint64_t wrong = 0;
		int err;

		coll_bench_count(b, b->sizes[i], &tmpl.count, &tmpl.bytes);
		w.count = tmpl.count;
		fill(&w);
		err = coll_bench_time(c, run_op, &w);
		if (b->check)
			wrong = check(&w);
		ret = coll_bench_publish(c, i, &tmpl, wrong, err);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	free(w.table);
	free(w.r);
	free(w.s);
	return ret;
}
