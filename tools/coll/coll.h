/* SPDX-License-Identifier: MIT */
/*
 * tools/coll/: the reference collective library of `snemu coll`, built on
 * the public endpoint API only (include/snemu.h), and the benchmark that
 * runs it or a plugin (snemu_coll.h) and checks every element.
 *
 * The reference algorithms are offered as plugin tables, one per family
 * ("ring", "rhd", "topo", ...), so the benchmark runs them exactly as it
 * runs a user's library.
 */
#ifndef SNEMU_TOOLS_COLL_H
#define SNEMU_TOOLS_COLL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "tools/coll/snemu_coll.h"

struct topo;

/* Tags of the reference algorithms (plugins may use any). */
enum coll_tag {
	COLL_TAG_RING = 0x10000,
	COLL_TAG_RHD,
	COLL_TAG_BCAST,
	COLL_TAG_ALLTOALL,
	COLL_TAG_MOE_META,
	COLL_TAG_MOE_DATA,
	COLL_TAG_MOE_BACK,
};

/* ---- element types (coll_types.c) ---- */

/* "float", "bfloat16", "int32", "int8"; parse also takes float32, bf16, int. */
const char *coll_type_name(enum snemu_coll_type t);
int coll_type_parse(const char *s, enum snemu_coll_type *out);

/* bfloat16 <-> float; to bf16 rounds to nearest even. Inline: the MoE
 * combine and its checker convert every element. */
static inline float coll_bf16_to_float(uint16_t b)
{
	union {
		uint32_t u;
		float f;
	} v = {.u = (uint32_t)b << 16};

	return v.f;
}

static inline uint16_t coll_float_to_bf16(float f)
{
	union {
		float f;
		uint32_t u;
	} v = {.f = f};

	if ((v.u & 0x7fffffff) > 0x7f800000) /* NaN: keep it quiet */
		return (uint16_t)((v.u >> 16) | 0x40);
	/* round to nearest, ties to even */
	v.u += 0x7fff + ((v.u >> 16) & 1);
	return (uint16_t)(v.u >> 16);
}

/* dst[i] += src[i] for n elements of type t, as snemu_coll.h defines sums. */
void coll_reduce(void *dst, const void *src, size_t n, enum snemu_coll_type t);

/* ---- groups of ranks (coll_group.c) ---- */

struct coll_group {
	int n;	    /* members */
	int me;	    /* this rank's index in ranks[] */
	int *ranks; /* world rank of each member, in ring order */
};

/* All ranks, in rank order. */
int coll_group_world(struct coll_group *g);

/*
 * Split the world by node (snemu_node_of), nodes in order of their first
 * rank: *local gets this rank's node, *cross the ranks with this rank's
 * index inside their node, one per node; *grid (if not NULL) a malloc'd
 * table of cross->n * local->n ranks, grid[b * local->n + j] = rank j of
 * node b. -EXDEV when the nodes do not all hold the same number of ranks
 * (two-level algorithms then fall back to a flat one).
 */
int coll_group_split(struct coll_group *local, struct coll_group *cross,
		     int **grid);

/* Free a group's members (accepts a zeroed group). */
void coll_group_free(struct coll_group *g);

/* ---- batches of requests (coll_reqs.c) ---- */

/*
 * A batch of nonblocking requests completed by one waitall. The first
 * error is kept; posts after it are skipped. Zero-length transfers are not
 * posted: every algorithm derives lengths the same way on both sides.
 */
struct coll_reqs {
	int n, cap, err;
	struct snemu_req **r;
};

int coll_reqs_init(struct coll_reqs *q, int cap);
void coll_reqs_fini(struct coll_reqs *q);
void coll_reqs_send(struct coll_reqs *q, int dst, int tag, const void *buf,
		    size_t len);
void coll_reqs_recv(struct coll_reqs *q, int src, int tag, void *buf,
		    size_t len);
/* Wait for every posted request; returns the first error, then resets. */
int coll_reqs_wait(struct coll_reqs *q);

/* ---- the ring (coll_ring.c) ---- */

/* Offset of block b when count elements are split in n nearly equal blocks
 * (the first count % n blocks hold one more); b == n gives count. */
size_t coll_block_off(size_t count, int n, int b);

/*
 * One pass around the ring of g over buf (count elements in g->n blocks):
 * at step s = 0..n-2 send block (first - s) to the right neighbour and
 * receive block (first - s - 1) from the left, added in when reduce is set
 * (a reduce-scatter with first = me - 1 leaves block me complete) or
 * stored (an all-gather with first = me).
 */
int coll_ring_pass(const struct coll_group *g, void *buf, size_t count,
		   enum snemu_coll_type t, int first, bool reduce);

/* In-place ring all-reduce of buf over the members of g. */
int coll_ring_allreduce(const struct coll_group *g, void *buf, size_t count,
			enum snemu_coll_type t);

/* ---- reference algorithms (coll_<family>.c), snemu_coll.h semantics ---- */

int coll_allreduce_ring(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t);
int coll_allreduce_rhd(const void *sendbuf, void *recvbuf, size_t count,
		       enum snemu_coll_type t);
int coll_allreduce_topo(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t);
int coll_allgather_ring(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t);
int coll_reduce_scatter_ring(const void *sendbuf, void *recvbuf, size_t count,
			     enum snemu_coll_type t);
int coll_bcast_tree(void *buf, size_t count, enum snemu_coll_type t, int root);
int coll_bcast_chain(void *buf, size_t count, enum snemu_coll_type t, int root);
int coll_alltoall_pairwise(const void *sendbuf, void *recvbuf, size_t count,
			   enum snemu_coll_type t);
int coll_alltoall_topo(const void *sendbuf, void *recvbuf, size_t count,
		       enum snemu_coll_type t);
int coll_moe_dispatch(const struct snemu_coll_moe *moe, const void *x,
		      void *recv, struct snemu_coll_moe_entry *entries,
		      size_t max_recv, size_t *nrecv);
int coll_moe_combine(const struct snemu_coll_moe *moe,
		     const struct snemu_coll_moe_entry *entries, size_t nrecv,
		     const uint16_t *rows, uint16_t *out);

/*
 * coll_moe_onesided.c: dispatch and combine with put_signal and
 * wait_until, and their modeled compute: ns per token quantized before
 * dispatch, per weighted row added in combine. The defaults are the
 * constants calibrated on the published EP8 kernels (docs/COLL.md,
 * "Fidelity"; tests/tools/moe_fidelity.sh recomputes them).
 */
#define COLL_MOE_QUANT_NS 726
#define COLL_MOE_SUM_NS	  78
struct coll_moe_compute {
	uint64_t quant_ns, sum_ns;
};
extern struct coll_moe_compute coll_moe_compute;
int coll_moe_onesided_setup(const struct snemu_coll_moe *m, size_t max_recv);
int coll_moe_onesided_teardown(void);
int coll_moe_onesided_dispatch(const struct snemu_coll_moe *m, const void *x,
			       void *recv, struct snemu_coll_moe_entry *entries,
			       size_t max_recv, size_t *nrecv);
int coll_moe_onesided_combine(const struct snemu_coll_moe *m,
			      const struct snemu_coll_moe_entry *entries,
			      size_t nrecv, const uint16_t *rows,
			      uint16_t *out);

/* ---- operations and algorithm tables (coll_ops.c) ---- */

enum coll_op {
	COLL_ALLREDUCE,
	COLL_ALLGATHER,
	COLL_REDUCE_SCATTER,
	COLL_BCAST,
	COLL_ALLTOALL,
	COLL_DISPATCH,
	COLL_COMBINE,
	COLL_NUM_OPS,
};

struct coll_op_desc {
	const char *name;     /* as given to --op */
	const char *algos[4]; /* reference families, default first */
	bool per_rank;	      /* count is per rank: size = n * count */
	bool reduces;	      /* a sum: inputs are sum-safe values */
	int mem;	      /* buffers of the size column a rank holds */
};

const struct coll_op_desc *coll_op_desc(enum coll_op op);
int coll_op_parse(const char *s, enum coll_op *out);

/* Whether table p implements op. */
bool coll_op_supported(const struct snemu_coll_plugin *p, enum coll_op op);

/* The reference table of algorithm family name, or NULL. */
const struct snemu_coll_plugin *coll_algo_find(const char *name);

/* Bus bandwidth factor of op at n ranks, as nccl-tests defines it. */
double coll_busbw_factor(enum coll_op op, int n);

/* ---- plugins (coll_plugin.c) ---- */

/*
 * dlopen() path and fetch its table; checks the ABI version. *err gets a
 * message on failure. Unload with coll_plugin_close (accepts NULL).
 */
int coll_plugin_open(const char *path, void **handle,
		     const struct snemu_coll_plugin **out, char *err,
		     size_t errlen);
void coll_plugin_close(void *handle);

/* ---- deterministic data and checks (coll_data.c) ---- */

/*
 * Inputs are functions of (rank, index). "Unique" values differ between
 * elements for the data-moving operations; "sum" values are small so that
 * any order of summation over up to n ranks is exact in every type (see
 * docs/COLL.md), and repeat with period COLL_SUM_PERIOD in the index.
 */
#define COLL_SUM_PERIOD 509

void coll_fill_unique(void *buf, size_t count, enum snemu_coll_type t, int rank,
		      uint64_t first);
void coll_fill_sum(void *buf, size_t count, enum snemu_coll_type t, int n,
		   int rank, uint64_t first);

/* Fill with a pattern no correct result equals everywhere (0xa5 bytes). */
void coll_fill_poison(void *buf, size_t count, enum snemu_coll_type t);

/*
 * The exact sums over ranks 0..n-1 of the sum values, for index residues
 * 0..COLL_SUM_PERIOD-1 (table of COLL_SUM_PERIOD elements of type t).
 */
void coll_sum_table(void *table, enum snemu_coll_type t, int n);

/* Mismatches of buf against unique values of rank from index first. */
uint64_t coll_check_unique(const void *buf, size_t count,
			   enum snemu_coll_type t, int rank, uint64_t first);

/* Mismatches of buf against the sum table from index first. */
uint64_t coll_check_sum(const void *buf, size_t count, enum snemu_coll_type t,
			const void *table, uint64_t first);

/* ---- MoE routing (coll_routing.c) ---- */

/* splitmix64 step and a xoshiro256** generator seeded from it. */
uint64_t coll_splitmix64(uint64_t *state);

struct coll_rng {
	uint64_t s[4];
};

void coll_rng_seed(struct coll_rng *r, uint64_t seed);
uint64_t coll_rng_next(struct coll_rng *r);

struct coll_moe_cfg {
	int tokens, hidden, topk, experts;
	uint64_t seed;
	double skew; /* 0: uniform; else Zipf exponent */
};

/*
 * The routing of every rank: idx[(r * tokens + t) * topk + s] and the
 * matching weights, drawn from cfg->seed and cfg->skew alone. Distinct
 * experts per token; weights in {1/4, 1/2, 3/4, 1}. Returns 0, -EINVAL for
 * a bad shape or -ENOMEM.
 */
int coll_moe_route(const struct coll_moe_cfg *cfg, int nranks, int32_t *idx,
		   float *weight);

/*
 * Value of byte h of rank src's token payload: a Weyl step, inline so that
 * filling and checking every byte of every token vectorizes.
 */
static inline uint8_t coll_moe_x_byte(int src, int token, size_t h)
{
	uint64_t key = ((uint64_t)src << 48) ^ ((uint64_t)token << 24) ^ h;

	return (uint8_t)((key + 1) * 0xbf58476d1ce4e5b9ULL >> 56);
}

/*
 * Expert output rows: element h of the row of rank src's (token, slot) is
 * coll_moe_row_elem(coll_moe_row_seed(src, token, slot), h), the bf16 of
 * -2, -1, 0, 1 or 2, so weighted sums stay exact (docs/COLL.md). The seed
 * mixes once per row; along the row a 32-bit Weyl step picks the value,
 * cheap enough to make and check every element of every row.
 */
static inline uint32_t coll_moe_row_seed(int src, int token, int slot)
{
	uint64_t key =
		((uint64_t)src << 40) ^ ((uint64_t)token << 8) ^ (uint64_t)slot;

	return (uint32_t)((key + 1) * 0x9e3779b97f4a7c15ULL >> 32);
}

static inline uint16_t coll_moe_row_elem(uint32_t seed, size_t h)
{
	static const uint16_t v[8] = {0xc000, 0xbf80, 0,      0x3f80,
				      0x4000, 0xbf80, 0x3f80, 0};

	return v[(seed + (uint32_t)h * 0x9e3779b9u) >> 29];
}

/* ---- the benchmark (coll_bench.c, coll_bench_sizes.c, coll_bench_moe.c) */

/* One printed line: a size of a sweep, or the MoE run. */
struct coll_row {
	uint64_t bytes;	  /* size column (see docs/COLL.md) */
	uint64_t count;	  /* the count argument of the call */
	uint64_t time_ns; /* mean over iterations of the slowest rank */
	uint64_t wrong;	  /* mismatching elements over all ranks */
	int err;	  /* first error an operation returned, or 0 */
	int err_rank;
	/*
	 * A row that did not finish (err -ECANCELED): the first error a rank
	 * met (for example its plugin's) that stopped the others, or 0.
	 */
	int stop_err, stop_rank;
	/* MoE only: payload bytes sent to other ranks, mean and busiest */
	double moe_mean_bytes, moe_max_bytes;
};

struct coll_bench {
	/* fabric */
	const struct topo *topo;
	const char *topo_spec;
	int nranks;
	const char *report_path;
	const struct emu_trace_opts *trace; /* --trace, NULL: none */
	bool summary; /* the launcher's summary on stdout */
	/* what to run */
	enum coll_op op;
	const struct snemu_coll_plugin *lib;
	/* collectives: the sizes to sweep */
	const uint64_t *sizes;
	int nsizes;
	enum snemu_coll_type type;
	int root;
	/* MoE */
	struct coll_moe_cfg moe;
	const int32_t *moe_idx; /* coll_moe_route of all ranks */
	const float *moe_weight;
	int iters;
	bool check;
	/* called on rank 0 as each row completes (may be NULL) */
	void (*on_row)(const struct coll_bench *b, const struct coll_row *row,
		       void *arg);
	void *arg;
};

/* Rows a run of b prints: nsizes, or 1 for MoE operations. */
int coll_bench_rows(const struct coll_bench *b);

/* Count argument and size column of b's operation at size bytes. */
void coll_bench_count(const struct coll_bench *b, uint64_t bytes,
		      uint64_t *count, uint64_t *shown);

/*
 * Run b on its fabric: emu_run_job with one forked endpoint per rank.
 * rows gets coll_bench_rows(b) entries. Returns the job's exit status (0
 * when every rank finished; the rows carry the checks) or -errno.
 */
int coll_bench_run(const struct coll_bench *b, struct coll_row *rows);

/* ---- inside a rank of the benchmark ---- */

struct coll_shm;

struct coll_bench_rank {
	const struct coll_bench *b;
	struct coll_shm *shm; /* results shared with the launcher */
	int rank, n;
};

/*
 * Run op(arg) b->iters times, each after a barrier, timing each run on
 * this rank's clock. Returns the first error of op, or of a barrier.
 */
int coll_bench_time(struct coll_bench_rank *c, int (*op)(void *arg), void *arg);

/*
 * Publish this rank's check of row (collective). Rank 0 then merges every
 * rank's into a copy of tmpl (which gives bytes, count and MoE figures),
 * stores it for the launcher and calls b->on_row.
 */
int coll_bench_publish(struct coll_bench_rank *c, int row,
		       const struct coll_row *tmpl, uint64_t wrong, int err);

/* The rank's side of a size sweep and of a MoE run. */
int coll_bench_sizes_rank(struct coll_bench_rank *c);
int coll_bench_moe_rank(struct coll_bench_rank *c);

#endif
