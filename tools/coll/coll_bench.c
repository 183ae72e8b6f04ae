/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's frame: launch one forked endpoint per rank through
 * emu_run_job, time each operation on the virtual clocks, and gather the
 * per-rank results in a shared anonymous mapping made before the fork
 * (so collecting them sends nothing over the modeled fabric and leaves
 * the report's traffic to the operations and barriers).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "emu/emu.h"
#include "tools/coll/coll.h"

struct coll_shm {
	const struct coll_bench *b; /* the launcher's (fork keeps it) */
	int nrows, iters;
	struct coll_row *rows; /* nrows, written by rank 0 */
	uint64_t *dur;	       /* [rank][iter] durations, ns */
	uint64_t *wrong;       /* [rank] */
	int *err;	       /* [rank] */
	size_t len;	       /* of the mapping */
};

int coll_bench_rows(const struct coll_bench *b)
{
	return b->op == COLL_DISPATCH || b->op == COLL_COMBINE ? 1 : b->nsizes;
}

void coll_bench_count(const struct coll_bench *b, uint64_t bytes,
		      uint64_t *count, uint64_t *shown)
{
	uint64_t unit = snemu_coll_type_size(b->type);

	if (coll_op_desc(b->op)->per_rank)
		unit *= b->nranks;
	*count = bytes / unit;
	*shown = *count * unit;
}

int coll_bench_time(struct coll_bench_rank *c, int (*op)(void *arg), void *arg)
{
	int iters = c->shm->iters, first = 0;

	for (int it = 0; it < iters; it++) {
		uint64_t t0;
		int ret = snemu_barrier();

		if (ret)
			return ret;
		t0 = snemu_now();
		ret = op(arg);
		c->shm->dur[(size_t)c->rank * iters + it] = snemu_now() - t0;
		if (ret && !first) {
			first = ret;
			/* Now: the others may never get to hear of it. */
			c->shm->err[c->rank] = ret;
		}
	}
	return first;
}

int coll_bench_publish(struct coll_bench_rank *c, int row,
		       const struct coll_row *tmpl, uint64_t wrong, int err)
{
	struct coll_shm *shm = c->shm;
	struct coll_row r = *tmpl;
	double total = 0;
	int ret;

	shm->wrong[c->rank] = wrong;
	shm->err[c->rank] = err;
	ret = snemu_barrier();
	if (ret || c->rank)
		return ret;
	r.wrong = 0;
	r.err = 0;
	r.err_rank = -1;
	for (int q = 0; q < c->n; q++) {
		r.wrong += shm->wrong[q];
		if (shm->err[q] && !r.err) {
			r.err = shm->err[q];
			r.err_rank = q;
		}
	}
	/* time: the slowest rank of each iteration, averaged */
	for (int it = 0; it < shm->iters; it++) {
		uint64_t max = 0;

		for (int q = 0; q < c->n; q++)
			max = MAX(max, shm->dur[(size_t)q * shm->iters + it]);
		total += max;
	}
	r.time_ns = (uint64_t)(total / shm->iters + 0.5);
	shm->rows[row] = r;
	if (c->b->on_row)
		c->b->on_row(c->b, &r, c->b->arg);
	return 0;
}

static int bench_rank_main(void *arg)
{
	struct coll_bench_rank c = {.shm = arg};
	const struct coll_bench *b;
	int ret, fin;

	ret = snemu_init(NULL, NULL);
	if (ret) {
		fprintf(stderr, "snemu coll: snemu_init: %s\n",
			snemu_strerror(ret));
		return 1;
	}
	b = c.b = c.shm->b;
	c.rank = snemu_rank();
	c.n = snemu_size();
	if (b->op == COLL_DISPATCH || b->op == COLL_COMBINE)
		ret = coll_bench_moe_rank(&c);
	else
		ret = coll_bench_sizes_rank(&c);
	if (ret)
		fprintf(stderr, "snemu coll: rank %d: %s\n", c.rank,
			snemu_strerror(ret));
	fin = snemu_finalize();
	return ret || fin ? 1 : 0;
}

static struct coll_shm *shm_create(const struct coll_bench *b)
{
	int nrows = coll_bench_rows(b), n = b->nranks, iters = b->iters;
	size_t len = sizeof(struct coll_shm) + nrows * sizeof(struct coll_row) +
		     (size_t)n * iters * sizeof(uint64_t) +
		     n * (sizeof(uint64_t) + sizeof(int));
	struct coll_shm *shm;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	shm = (struct coll_shm *)p;
	p += sizeof(*shm);
	shm->b = b;
	shm->nrows = nrows;
	shm->iters = iters;
	shm->len = len;
	shm->rows = (struct coll_row *)p;
	p += nrows * sizeof(struct coll_row);
	shm->dur = (uint64_t *)p;
	p += (size_t)n * iters * sizeof(uint64_t);
	shm->wrong = (uint64_t *)p;
	p += n * sizeof(uint64_t);
	shm->err = (int *)p;
	for (int i = 0; i < nrows; i++)
		shm->rows[i] =
			(struct coll_row){.err = -ECANCELED, .err_rank = -1};
	return shm;
}

/*
 * The first row that did not finish gets the first real error a rank
 * recorded (not the -ECANCELED of the ranks the stop woke).
 */
static void stopped_by(const struct coll_shm *shm, struct coll_row *rows)
{
	for (int i = 0; i < shm->nrows; i++) {
		if (rows[i].err != -ECANCELED)
			continue;
		for (int q = 0; q < shm->b->nranks; q++) {
			if (shm->err[q] && shm->err[q] != -ECANCELED) {
				rows[i].stop_err = shm->err[q];
				rows[i].stop_rank = q;
				break;
			}
		}
		return;
	}
}

int coll_bench_run(const struct coll_bench *b, struct coll_row *rows)
{
	struct coll_shm *shm;
	struct emu_job job = {
		.watchdog_s = EMU_DEFAULT_WATCHDOG_S,
		.topo = b->topo,
		.topo_spec = b->topo_spec,
		.nranks = b->nranks,
		.fn = bench_rank_main,
		.report_path = b->report_path,
		.trace = b->trace,
		.quiet = !b->summary,
	};
	int ret;

	if (b->iters < 1 || b->nranks < 1)
		return -EINVAL;
	shm = shm_create(b);
	if (!shm)
		return -ENOMEM;
	job.arg = shm;
	fflush(NULL); /* the children inherit stdio buffers */
	ret = emu_run_job(&job);
	memcpy(rows, shm->rows, shm->nrows * sizeof(*rows));
	stopped_by(shm, rows);
	munmap(shm, shm->len);
	return ret;
}
