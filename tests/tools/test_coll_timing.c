/* SPDX-License-Identifier: MIT */
/*
 * Timing sanity of the reference collectives on cloudmatrix384, through
 * the same benchmark frame `snemu coll` uses (real endpoints, virtual
 * time):
 * - a large ring all-reduce takes what the alpha-beta model of the ring
 *   says, within 5%, on one node; on six, its time lies between the ring
 *   priced on its mean hop and on its slowest (docs/COLL.md);
 * - the topology-aware all-reduce is not slower than the flat ring at 384;
 * - no all-to-all beats the endpoint's injection bandwidth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "topology/topo.h"
#include "tools/coll/coll.h"

static struct topo *topo;

static int setup(void **state)
{
	return topo_load_preset("cloudmatrix384", &topo, NULL);
}

static int teardown(void **state)
{
	topo_destroy(topo);
	return 0;
}

/* Virtual time of one checked run of op/algo at n ranks and size bytes. */
static struct coll_row run(enum coll_op op, const char *algo, int n,
			   uint64_t bytes)
{
	struct coll_bench b = {
		.topo = topo,
		.topo_spec = "preset:cloudmatrix384",
		.nranks = n,
		.op = op,
		.lib = coll_algo_find(algo),
		.sizes = &bytes,
		.nsizes = 1,
		.type = SNEMU_COLL_FLOAT32,
		.iters = 1,
		.check = true,
	};
	struct coll_row row = {0};

	assert_non_null(b.lib);
	assert_int_equal(coll_bench_run(&b, &row), 0);
	assert_int_equal(row.err, 0);
	assert_int_equal(row.wrong, 0);
	assert_true(row.time_ns > 0);
	return row;
}

/*
 * The ring: 2 (n - 1) steps, each moving one block of ceil(count / n)
 * elements to the next rank. Alpha-beta: a step costs alpha (the send and
 * receive overheads plus the unloaded latency of the hop) + block / beta
 * (the endpoint's injection bandwidth: spraying gives one pair all of
 * it).
 */
static double ring_alpha_beta_ns(int n, uint64_t bytes)
{
	const struct topo_params *p = topo_params(topo);
	uint64_t block = DIV_ROUND_UP(bytes / 4, n) * 4;
	double alpha =
		topo_unloaded_ns(topo, 0, 1, 0) + p->send_ns + p->recv_ns;

	return 2.0 * (n - 1) * (alpha + block / topo_endpoint_gbps(topo, 0));
}

/*
 * With hops of different latency (several nodes), the ring's time lies
 * between the steps priced on the mean hop and on the slowest hop (within
 * 5%), each hop priced by the closed form of the model for the block
 * (which adds to alpha-beta the pipeline fill of one segment per extra
 * link).
 */
static void ring_hop_bounds_ns(int n, uint64_t bytes, double *mean,
			       double *slowest)
{
	const struct topo_params *p = topo_params(topo);
	uint64_t block = DIV_ROUND_UP(bytes / 4, n) * 4;
	double sum = 0, max = 0, steps = 2.0 * (n - 1);

	for (int r = 0; r < n; r++) {
		double hop = topo_unloaded_ns(topo, r, (r + 1) % n, block) +
			     p->send_ns + p->recv_ns;

		sum += hop;
		max = MAX(max, hop);
	}
	*mean = steps * sum / n;
	*slowest = steps * max;
}

static void ring_alpha_beta_one_node(void **state)
{
	uint64_t bytes = 64 << 20;
	struct coll_row row = run(COLL_ALLREDUCE, "ring", 8, bytes);
	double want = ring_alpha_beta_ns(8, bytes);

	printf("# ring all-reduce n=8 %llu B: %.1f us, alpha-beta %.1f us\n",
	       (unsigned long long)bytes, row.time_ns / 1e3, want / 1e3);
	assert_true(row.time_ns > 0.95 * want);
	assert_true(row.time_ns < 1.05 * want);
}

static void ring_hop_bounds_six_nodes(void **state)
{
	uint64_t bytes = 8 << 20;
	struct coll_row row = run(COLL_ALLREDUCE, "ring", 48, bytes);
	double mean, slowest;

	ring_hop_bounds_ns(48, bytes, &mean, &slowest);
	printf("# ring all-reduce n=48 %llu B: %.1f us, between %.1f us "
	       "(mean hop) and %.1f us (slowest hop)\n",
	       (unsigned long long)bytes, row.time_ns / 1e3, mean / 1e3,
	       slowest / 1e3);
	assert_true(row.time_ns >= mean);
	assert_true(row.time_ns <= 1.05 * slowest);
}

static void topo_not_slower_than_ring(void **state)
{
	uint64_t bytes = 256 << 10;
	struct coll_row ring = run(COLL_ALLREDUCE, "ring", 384, bytes);
	struct coll_row two = run(COLL_ALLREDUCE, "topo", 384, bytes);

	printf("# all-reduce n=384 %llu B: ring %.1f us, topo %.1f us\n",
	       (unsigned long long)bytes, ring.time_ns / 1e3,
	       two.time_ns / 1e3);
	assert_true(two.time_ns <= ring.time_ns);
}

static void alltoall_within_injection(int n, uint64_t bytes)
{
	static const char *const algos[] = {"pairwise", "topo"};
	double beta = topo_endpoint_gbps(topo, 0);

	for (size_t i = 0; i < ARRAY_SIZE(algos); i++) {
		struct coll_row row = run(COLL_ALLTOALL, algos[i], n, bytes);
		double busbw = (double)row.bytes / row.time_ns *
			       coll_busbw_factor(COLL_ALLTOALL, n);

		printf("# alltoall %s n=%d %llu B: busbw %.2f GB/s (NPU "
		       "%.1f)\n",
		       algos[i], n, (unsigned long long)row.bytes, busbw, beta);
		assert_true(busbw <= beta);
	}
}

static void alltoall_busbw_bounded(void **state)
{
	alltoall_within_injection(8, 16 << 20);
	alltoall_within_injection(384, 384 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_alpha_beta_one_node),
		cmocka_unit_test(ring_hop_bounds_six_nodes),
		cmocka_unit_test(topo_not_slower_than_ring),
		cmocka_unit_test(alltoall_busbw_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
