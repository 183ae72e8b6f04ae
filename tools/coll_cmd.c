/* SPDX-License-Identifier: MIT */
/*
 * snemu coll: benchmark and check collectives and MoE dispatch/combine on
 * the emulated fabric, printing nccl-tests style lines. The library and
 * the benchmark live in tools/coll/; docs/COLL.md explains the output.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"
#include "emu/emu.h"
#include "topology/topo.h"
#include "tools/cmd.h"
#include "tools/coll/coll.h"

#define MAX_SIZES 64
/* Memory: what a rank costs besides its buffers, and the share of the
 * host's memory a run may take. */
#define COLL_RANK_OVERHEAD (2 << 20)
#define COLL_MEM_SHARE	   0.85

struct coll_opts {
	const char *preset, *topo_file, *algo, *plugin, *json, *report;
	struct emu_trace_opts trace; /* --trace (path NULL: none) */
	int nranks, root, iters, check, summary;
	uint64_t min, max, factor;
	enum coll_op op;
	enum snemu_coll_type type;
	struct coll_moe_cfg moe;
};

/* What the printing callbacks need (rank 0 prints each row as it ends). */
struct coll_out {
	const struct coll_opts *o;
	const char *algo;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: snemu coll --op OP [options]\n"
		"\n"
		"Run a collective on N emulated endpoints, check every element "
		"and print\nnccl-tests style lines (times are virtual).\n"
		"\n"
		"  --op OP           allreduce, allgather, reduce_scatter, "
		"broadcast,\n"
		"                    alltoall, dispatch, combine (MoE)\n"
		"  --algo A          allreduce: ring (default), rhd, topo; "
		"broadcast: tree\n"
		"                    (default), chain; alltoall: pairwise "
		"(default), topo\n"
		"  --plugin LIB.so   run a library implementing snemu_coll.h "
		"instead\n"
		"  -p, --preset NAME built-in topology (default "
		"cloudmatrix384)\n"
		"  -t, --topo FILE   topology config file\n"
		"  -n, --ranks N     endpoints 0..N-1 (default: all)\n"
		"  -b, --minbytes S  smallest size (default 1M; K, M, G "
		"suffixes)\n"
		"  -e, --maxbytes S  largest size (default: the smallest)\n"
		"  -f, --stepfactor F  multiply the size by F (default 2)\n"
		"  -d, --datatype T  float (default), bfloat16, int32, int8\n"
		"  -r, --root R      broadcast root (default 0)\n"
		"  -i, --iters I     timed runs per size (default 1: virtual "
		"time repeats)\n"
		"  -c, --check / --no-check  verify every element (default "
		"on)\n"
		"  --json FILE       results as JSON\n"
		"  --report FILE     the run's JSON report (per-link "
		"utilization)\n"
		"  --summary         the launcher's summary, with wall time "
		"and engine rate\n"
		"  --trace FILE.json a timeline for Perfetto (docs/TRACE.md), "
		"with\n"
		"                    --trace-ranks, --trace-window, "
		"--trace-links\n"
		"MoE (dispatch, combine):\n"
		"  --tokens T (128 per rank) --hidden H (7168) --topk K (8)\n"
		"  --experts E (N: one per rank) --seed S (1) --skew X (0: "
		"uniform; Zipf)\n"
		"  --algo direct (default) or onesided (put_signal, "
		"wait_until)\n"
		"  --quant-ns Q, --sum-ns W   onesided's modeled compute: ns "
		"per token\n"
		"                    quantized, per weighted row added "
		"(defaults: calibrated)\n");
}

enum {
	OPT_OP = 256,
	OPT_ALGO,
	OPT_PLUGIN,
	OPT_JSON,
	OPT_REPORT,
	OPT_NOCHECK,
	OPT_SUMMARY,
	OPT_TOKENS,
	OPT_HIDDEN,
	OPT_TOPK,
	OPT_EXPERTS,
	OPT_SEED,
	OPT_SKEW,
	OPT_QUANT_NS,
	OPT_SUM_NS,
	OPT_TRACE,
	OPT_TRACE_RANKS,
	OPT_TRACE_WINDOW,
	OPT_TRACE_LINKS,
};

static const struct option longopts[] = {
	{"op", required_argument, NULL, OPT_OP},
	{"algo", required_argument, NULL, OPT_ALGO},
	{"plugin", required_argument, NULL, OPT_PLUGIN},
	{"preset", required_argument, NULL, 'p'},
	{"topo", required_argument, NULL, 't'},
	{"ranks", required_argument, NULL, 'n'},
	{"minbytes", required_argument, NULL, 'b'},
	{"maxbytes", required_argument, NULL, 'e'},
	{"stepfactor", required_argument, NULL, 'f'},
	{"datatype", required_argument, NULL, 'd'},
	{"root", required_argument, NULL, 'r'},
	{"iters", required_argument, NULL, 'i'},
	{"check", no_argument, NULL, 'c'},
	{"no-check", no_argument, NULL, OPT_NOCHECK},
	{"json", required_argument, NULL, OPT_JSON},
	{"report", required_argument, NULL, OPT_REPORT},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"tokens", required_argument, NULL, OPT_TOKENS},
	{"hidden", required_argument, NULL, OPT_HIDDEN},
	{"topk", required_argument, NULL, OPT_TOPK},
	{"experts", required_argument, NULL, OPT_EXPERTS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"skew", required_argument, NULL, OPT_SKEW},
	{"quant-ns", required_argument, NULL, OPT_QUANT_NS},
	{"sum-ns", required_argument, NULL, OPT_SUM_NS},
	{"trace", required_argument, NULL, OPT_TRACE},
	{"trace-ranks", required_argument, NULL, OPT_TRACE_RANKS},
	{"trace-window", required_argument, NULL, OPT_TRACE_WINDOW},
	{"trace-links", required_argument, NULL, OPT_TRACE_LINKS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int bad(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "snemu coll: %s '%s': expected %s\n", opt, arg, want);
	return -EINVAL;
}

/* An output file must be writable there before anything runs. */
static int out_check(const char *opt, const char *path)
{
	int ret = path ? snemu_outfile_check(path) : 0;

	if (ret)
		fprintf(stderr, "snemu coll: %s '%s': cannot write it: %s\n",
			opt, path, snemu_outfile_why(ret));
	return ret ? -EINVAL : 0;
}

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int parse(int argc, char **argv, struct coll_opts *o)
{
	bool have_op = false, have_min = false, have_max = false;
	uint64_t u;
	char *end;
	int c;

	*o = (struct coll_opts){
		.root = 0,
		.iters = 1,
		.check = 1,
		.min = 1 << 20,
		.factor = 2,
		.type = SNEMU_COLL_FLOAT32,
		.moe = {.tokens = 128, .hidden = 7168, .topk = 8, .seed = 1},
	};
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:n:b:e:f:d:r:i:ch", longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_OP:
			if (coll_op_parse(optarg, &o->op))
				return bad("--op", optarg,
					   "allreduce, allgather, "
					   "reduce_scatter, broadcast, "
					   "alltoall, dispatch or combine");
			have_op = true;
			break;
		case OPT_ALGO: o->algo = optarg; break;
		case OPT_PLUGIN: o->plugin = optarg; break;
		case 'p': o->preset = optarg; break;
		case 't': o->topo_file = optarg; break;
		case 'n':
			if (snemu_parse_int(optarg, 1, INT_MAX, &o->nranks))
				return bad("-n", optarg, "a rank count >= 1");
			break;
		case 'b':
		case 'e':
			if (snemu_parse_size(optarg, &u))
				return bad(c == 'b' ? "-b" : "-e", optarg,
					   "a size like 4096, 64K, 1M or 1G");
			if (c == 'b')
				o->min = u;
			else
				o->max = u;
			have_min |= c == 'b';
			have_max |= c == 'e';
			break;
		case 'f':
			if (snemu_parse_u64(optarg, 2, &u))
				return bad("-f", optarg, "an integer >= 2");
			o->factor = u;
			break;
		case 'd':
			if (coll_type_parse(optarg, &o->type))
				return bad("-d", optarg,
					   "float, bfloat16, int32 or int8");
			break;
		case 'r':
			if (snemu_parse_int(optarg, 0, INT_MAX, &o->root))
				return bad("--root", optarg, "a rank");
			break;
		case 'i':
			if (snemu_parse_int(optarg, 1, 1000000, &o->iters))
				return bad("--iters", optarg, "a count >= 1");
			break;
		case 'c': o->check = 1; break;
		case OPT_NOCHECK: o->check = 0; break;
		case OPT_JSON: o->json = optarg; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_SUMMARY: o->summary = 1; break;
		case OPT_TRACE: o->trace.path = optarg; break;
		case OPT_TRACE_RANKS: o->trace.ranks = optarg; break;
		case OPT_TRACE_WINDOW: o->trace.window = optarg; break;
		case OPT_TRACE_LINKS: o->trace.links = optarg; break;
		case OPT_TOKENS:
			if (snemu_parse_int(optarg, 0, 1 << 24, &o->moe.tokens))
				return bad("--tokens", optarg, "a count >= 0");
			break;
		case OPT_HIDDEN:
			if (snemu_parse_int(optarg, 1, 1 << 24, &o->moe.hidden))
				return bad("--hidden", optarg, "a width >= 1");
			break;
		case OPT_TOPK:
			if (snemu_parse_int(optarg, 1, 32, &o->moe.topk))
				return bad("--topk", optarg, "1 to 32");
			break;
		case OPT_EXPERTS:
			if (snemu_parse_int(optarg, 1, 1 << 24,
					    &o->moe.experts))
				return bad("--experts", optarg, "a count >= 1");
			break;
		case OPT_SEED:
			if (snemu_parse_u64(optarg, 0, &o->moe.seed))
				return bad("--seed", optarg,
					   "an integer from 0 to 2^64 - 1");
			break;
		case OPT_SKEW:
			errno = 0;
			o->moe.skew = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(o->moe.skew >= 0 && o->moe.skew <= 100))
				return bad("--skew", optarg,
					   "an exponent in [0, 100]");
			break;
		case OPT_QUANT_NS:
		case OPT_SUM_NS: {
			int v;

			if (snemu_parse_int(optarg, 0, 1000000, &v))
				return bad(c == OPT_QUANT_NS ? "--quant-ns"
							     : "--sum-ns",
					   optarg, "ns, 0 to 1000000");
			/* The ranks are forked from here: they inherit it. */
			if (c == OPT_QUANT_NS)
				coll_moe_compute.quant_ns = v;
			else
				coll_moe_compute.sum_ns = v;
			break;
		}
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "snemu coll: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!have_op) {
		fprintf(stderr, "snemu coll: --op is required (see --help)\n");
		return -EINVAL;
	}
	if (o->preset && o->topo_file) {
		fprintf(stderr,
			"snemu coll: --preset and --topo exclude each other\n");
		return -EINVAL;
	}
	if (o->algo && o->plugin) {
		fprintf(stderr, "snemu coll: --algo picks a reference "
				"algorithm; a --plugin chooses its own\n");
		return -EINVAL;
	}
	if (!have_max)
		o->max = o->min;
	if (!have_min && o->max < o->min)
		o->min = o->max;
	if (o->max < o->min) {
		fprintf(stderr, "snemu coll: -e is below -b\n");
		return -EINVAL;
	}
	if (!o->trace.path &&
	    (o->trace.ranks || o->trace.window || o->trace.links)) {
		fprintf(stderr, "snemu coll: --trace-ranks, --trace-window and "
				"--trace-links need --trace FILE\n");
		return -EINVAL;
	}
	return out_check("--json", o->json) ?: out_check("--report", o->report)
						 ?: out_check("--trace", o->trace.path);
}

static int load_topo(const struct coll_opts *o, struct topo **topo, char *spec,
		     size_t len)
{
	struct topo_error err = {0};
	char msg[1024];
	int ret;

	if (o->topo_file) {
		char *abs = realpath(o->topo_file, NULL);

		/* the endpoints may load it again: give them a full path */
		snprintf(spec, len, "file:%s", abs ? abs : o->topo_file);
		free(abs);
		ret = topo_load_file(o->topo_file, topo, &err);
	} else {
		const char *name =
			o->preset ? o->preset : topo_preset_names()[0];

		snprintf(spec, len, "preset:%s", name);
		ret = topo_load_preset(name, topo, &err);
	}
	if (ret) {
		topo_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "snemu coll: %s\n", msg);
	}
	return ret;
}

/* Nodes spanned by ranks 0..n-1. */
static int nodes_of(const struct topo *t, int n)
{
	int nodes = 0, last = -1;

	for (int r = 0; r < n; r++) {
		int node = topo_node_of(t, r);

		if (node > last) {
			nodes++;
			last = node;
		}
	}
	return nodes;
}

static bool is_moe(enum coll_op op)
{
	return op == COLL_DISPATCH || op == COLL_COMBINE;
}

/*
 * Refuse runs that cannot fit in memory, before forking N processes: a
 * rank holds its buffers, and the messages in flight hold one more copy
 * (small messages wait in the fabric's shared heap).
 */
static int check_memory(const struct coll_bench *b)
{
	double need,
		have = (double)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	const struct coll_moe_cfg *m = &b->moe;

	if (is_moe(b->op)) {
		double pairs = (double)m->tokens * m->topk;
		double unit = b->op == COLL_DISPATCH
				      ? snemu_coll_moe_token_bytes(m->hidden)
				      : 2.0 * m->hidden;

		bool onesided = !strcmp(b->lib->name, "onesided");

		/* sent, in flight, received; the tokens, the output */
		need = 3 * pairs * unit +
		       m->tokens * (snemu_coll_moe_token_bytes(m->hidden) +
				    2.0 * m->hidden);
		/*
		 * onesided: the dispatch window of records (token and
		 * header); combine's rows travel without a copy in flight.
		 */
		if (onesided)
			need += pairs * (snemu_coll_moe_token_bytes(m->hidden) +
					 16) -
				(b->op == COLL_COMBINE ? pairs * unit : 0);
	} else {
		need = (double)coll_op_desc(b->op)->mem *
		       b->sizes[b->nsizes - 1];
	}
	need = (need + COLL_RANK_OVERHEAD) * b->nranks;
	if (have > 0 && need > COLL_MEM_SHARE * have) {
		fprintf(stderr,
			"snemu coll: this run needs about %.1f GiB of memory "
			"(%d ranks); this host has %.1f GiB: lower -e, "
			"--tokens or -n\n",
			need / (1 << 30), b->nranks, have / (1 << 30));
		return -ENOMEM;
	}
	return 0;
}

static void fmt_time(char *buf, size_t len, double us)
{
	snprintf(buf, len,
		 us >= 10000 ? "%7.0f"
		 : us >= 100 ? "%7.1f"
			     : "%7.2f",
		 us);
}

static double row_busbw(const struct coll_bench *b, const struct coll_row *r)
{
	if (!r->time_ns)
		return 0;
	if (is_moe(b->op))
		return r->moe_max_bytes / r->time_ns;
	return (double)r->bytes / r->time_ns *
	       coll_busbw_factor(b->op, b->nranks);
}

static void print_row(const struct coll_bench *b, const struct coll_row *r,
		      void *arg)
{
	const struct coll_out *out = arg;
	double algbw = r->time_ns ? (double)r->bytes / r->time_ns : 0;
	char t[32], wrong[32];

	fmt_time(t, sizeof(t), r->time_ns / 1e3);
	if (out->o->check)
		snprintf(wrong, sizeof(wrong), "%" PRIu64, r->wrong);
	else
		snprintf(wrong, sizeof(wrong), "N/A");
	if (is_moe(b->op))
		printf("%9" PRIu64 " %7d %5d %8d %12" PRIu64 " %8s %7.2f "
		       "%7.2f %6s\n",
		       r->count, b->moe.hidden, b->moe.topk, b->moe.experts,
		       r->bytes, t, algbw, row_busbw(b, r), wrong);
	else
		printf("%12" PRIu64 "  %12" PRIu64 "  %8s  %6s  %6d  %7s  "
		       "%6.2f  %6.2f  %5s\n",
		       r->bytes, r->count, coll_type_name(b->type),
		       coll_op_desc(b->op)->reduces ? "sum" : "none",
		       b->op == COLL_BCAST ? b->root : -1, t, algbw,
		       row_busbw(b, r), wrong);
	if (r->err)
		printf("# error: rank %d: %s\n", r->err_rank,
		       snemu_strerror(r->err));
	fflush(stdout);
}

/*
 * Seconds memcpy takes here to copy bytes, through two warm 64 MiB
 * buffers: the floor under any emulator that moves those bytes once.
 */
static double copy_baseline(uint64_t bytes)
{
	size_t chunk = 64 << 20;
	char *src = malloc(chunk), *dst = malloc(chunk);
	uint64_t t0, done;

	if (!src || !dst) {
		free(dst);
		free(src);
		return 0;
	}
	memset(src, 1, chunk);
	memset(dst, 0, chunk);
	t0 = snemu_wall_ns();
	for (done = 0; done < bytes; done += chunk) {
		memcpy(dst, src, MIN(chunk, bytes - done));
		src[done / chunk % chunk] = dst[0]; /* no copy is dead */
	}
	t0 = snemu_wall_ns() - t0;
	free(dst);
	free(src);
	return t0 / 1e9;
}

/*
 * The host's cost of a MoE run (stderr: wall time is not part of the
 * deterministic report): the bytes moved between ranks, this command's
 * wall time so far and memcpy's time for those bytes.
 */
static void moe_host_cost(const struct coll_bench *b, const struct coll_row *r,
			  uint64_t start_ns)
{
	double moved = r->moe_mean_bytes * b->nranks;
	double wall = (snemu_wall_ns() - start_ns) / 1e9;
	double copy = copy_baseline((uint64_t)moved);

	fprintf(stderr,
		"snemu coll: host: %.2f GB moved between ranks in %.1f s of "
		"wall time; memcpy of them here %.3f s (%.1f GB/s): %.0fx\n",
		moved / 1e9, wall, copy, copy > 0 ? moved / 1e9 / copy : 0,
		copy > 0 ? wall / copy : 0);
}

/* Expert loads (token choices per expert) over all ranks. */
static void moe_loads(const struct coll_bench *b, int *max, double *mean)
{
	size_t sel = (size_t)b->nranks * b->moe.tokens * b->moe.topk;
	int *load = calloc(b->moe.experts, sizeof(*load));

	*max = 0;
	*mean = (double)sel / b->moe.experts;
	if (!load)
		return;
	for (size_t i = 0; i < sel; i++)
		load[b->moe_idx[i]]++;
	for (int e = 0; e < b->moe.experts; e++)
		*max = MAX(*max, load[e]);
	free(load);
}

/*
 * What the topology-aware algorithms run instead when the ranks do not
 * fill their nodes evenly (they need equal nodes to slice), or NULL.
 */
static const char *topo_fallback(const struct coll_bench *b, const char *algo)
{
	int per_node = topo_num_endpoints(b->topo) / topo_num_nodes(b->topo);

	if (strcmp(algo, "topo") || nodes_of(b->topo, b->nranks) == 1 ||
	    b->nranks % per_node == 0)
		return NULL;
	return b->op == COLL_ALLTOALL ? "pairwise" : "ring";
}

static void print_header(const struct coll_bench *b, const char *algo,
			 bool plugin, const char *topo_name)
{
	int nodes = nodes_of(b->topo, b->nranks);
	const char *instead = plugin ? NULL : topo_fallback(b, algo);

	printf("# snemu coll: %s, %s %s, %d ranks on %d node%s of %s, "
	       "%.1f GB/s per endpoint\n",
	       coll_op_desc(b->op)->name, plugin ? "plugin" : "algorithm", algo,
	       b->nranks, nodes, nodes == 1 ? "" : "s", topo_name,
	       topo_endpoint_gbps(b->topo, 0));
	if (instead)
		printf("# topo needs whole nodes (%d ranks do not fill them "
		       "evenly): it runs %s\n",
		       b->nranks, instead);
	printf("# check %s, %d iteration%s per size, virtual time\n",
	       b->check ? "on" : "off", b->iters, b->iters == 1 ? "" : "s");
	if (is_moe(b->op)) {
		const struct coll_moe_cfg *m = &b->moe;
		double mean;
		int max;

		moe_loads(b, &max, &mean);
		printf("# %d tokens per rank, hidden %d, top-%d of %d experts, "
		       "seed %" PRIu64 ", skew %g%s\n",
		       m->tokens, m->hidden, m->topk, m->experts, m->seed,
		       m->skew, m->skew > 0 ? " (Zipf)" : " (uniform)");
		if (!strcmp(algo, "onesided"))
			printf("# modeled compute: %" PRIu64
			       " ns per token quantized, %" PRIu64
			       " ns per weighted row\n",
			       coll_moe_compute.quant_ns,
			       coll_moe_compute.sum_ns);
		printf("# %s payload %zu B per token and expert\n",
		       b->op == COLL_DISPATCH ? "int8 + scales" : "bf16",
		       b->op == COLL_DISPATCH
			       ? snemu_coll_moe_token_bytes(m->hidden)
			       : (size_t)m->hidden * 2);
		printf("# expert load: max %d mean %.1f (max/mean %.2f)\n", max,
		       mean, mean > 0 ? max / mean : 0);
		printf("#\n#   tokens  hidden  topk  experts        bytes "
		       "    time   algbw   busbw #wrong\n"
		       "#                                         (B) "
		       "    (us)  (GB/s)  (GB/s)\n");
	} else {
		printf("#\n#       size         count      type   redop    "
		       "root     time   algbw   busbw #wrong\n"
		       "#        (B)    (elements)                        "
		       "       (us)  (GB/s)  (GB/s)\n");
	}
	fflush(stdout);
}

static int write_json(const char *path, const struct coll_bench *b,
		      const char *algo, const char *topo_name,
		      const struct coll_row *rows, int nrows, double avg)
{
	struct snemu_outfile out;
	FILE *f;
	int ret;

	ret = snemu_outfile_open(path, &out);
	if (ret) {
		fprintf(stderr, "snemu coll: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	f = out.f;
	fprintf(f, "{\n  \"op\": ");
	snemu_json_str(f, coll_op_desc(b->op)->name);
	fprintf(f, ",\n  \"algo\": ");
	snemu_json_str(f, algo);
	fprintf(f, ",\n  \"topology\": ");
	snemu_json_str(f, topo_name);
	fprintf(f,
		",\n  \"nranks\": %d,\n  \"type\": \"%s\",\n"
		"  \"iters\": %d,\n  \"check\": %s,\n",
		b->nranks,
		/* dispatch and combine move bf16 token rows, whatever -d */
		is_moe(b->op) ? "bfloat16" : coll_type_name(b->type), b->iters,
		b->check ? "true" : "false");
	if (is_moe(b->op))
		fprintf(f,
			"  \"moe\": {\"tokens\": %d, \"hidden\": %d, "
			"\"topk\": %d, \"experts\": %d, \"seed\": %" PRIu64
			", \"skew\": %g},\n",
			b->moe.tokens, b->moe.hidden, b->moe.topk,
			b->moe.experts, b->moe.seed, b->moe.skew);
	fprintf(f, "  \"rows\": [");
	for (int i = 0; i < nrows; i++) {
		const struct coll_row *r = &rows[i];

		fprintf(f,
			"%s\n    {\"size\": %" PRIu64 ", \"count\": %" PRIu64
			", \"time_us\": %.3f, \"algbw\": %.4f, "
			"\"busbw\": %.4f, \"wrong\": %" PRIu64 ", \"error\": ",
			i ? "," : "", r->bytes, r->count, r->time_ns / 1e3,
			r->time_ns ? (double)r->bytes / r->time_ns : 0,
			row_busbw(b, r), r->wrong);
		if (r->err)
			snemu_json_str(f, snemu_strerror(r->err));
		else
			fprintf(f, "null");
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"avg_busbw\": %.4f\n}\n", avg);
	ret = snemu_outfile_close(&out, 1);
	if (ret)
		fprintf(stderr, "snemu coll: %s: %s\n", path, strerror(-ret));
	return ret;
}

/* The sizes min, min*f, ... up to max (max itself always included). */
static int make_sizes(const struct coll_opts *o, uint64_t *sizes)
{
	int n = 0;

	for (uint64_t s = o->min; n < MAX_SIZES; s = s ? s * o->factor : 1) {
		sizes[n++] = MIN(s, o->max);
		if (s >= o->max || s > UINT64_MAX / o->factor)
			break;
	}
	return n;
}

/* Check the choices against the topology and the library; 0 or -EINVAL. */
static int resolve(struct coll_opts *o, const struct topo *topo,
		   const struct snemu_coll_plugin *plugin,
		   const struct snemu_coll_plugin **lib, const char **algo)
{
	int eps = topo_num_endpoints(topo);

	if (!o->nranks)
		o->nranks = eps;
	if (o->nranks > eps) {
		fprintf(stderr,
			"snemu coll: -n %d: the topology has %d "
			"endpoints\n",
			o->nranks, eps);
		return -EINVAL;
	}
	if (o->root >= o->nranks) {
		fprintf(stderr, "snemu coll: --root %d: ranks are 0..%d\n",
			o->root, o->nranks - 1);
		return -EINVAL;
	}
	if (!o->moe.experts)
		o->moe.experts = o->nranks;
	if (is_moe(o->op) && o->moe.topk > o->moe.experts) {
		fprintf(stderr, "snemu coll: --topk %d exceeds --experts %d\n",
			o->moe.topk, o->moe.experts);
		return -EINVAL;
	}
	if (plugin) {
		*lib = plugin;
		*algo = plugin->name ? plugin->name : o->plugin;
		if (!coll_op_supported(plugin, o->op)) {
			fprintf(stderr,
				"snemu coll: plugin %s does not "
				"support %s%s\n",
				*algo, coll_op_desc(o->op)->name,
				o->op == COLL_COMBINE
					? " (combine needs dispatch too)"
					: "");
			return -EOPNOTSUPP;
		}
		return 0;
	}
	*algo = o->algo ? o->algo : coll_op_desc(o->op)->algos[0];
	*lib = coll_algo_find(*algo);
	if (!*lib || !coll_op_supported(*lib, o->op)) {
		const char *const *a = coll_op_desc(o->op)->algos;

		fprintf(stderr, "snemu coll: --algo %s: %s offers", *algo,
			coll_op_desc(o->op)->name);
		for (int i = 0; i < 4 && a[i]; i++)
			fprintf(stderr, " %s", a[i]);
		fprintf(stderr, "\n");
		return -EINVAL;
	}
	return 0;
}

int cmd_coll(int argc, char **argv)
{
	const struct snemu_coll_plugin *lib = NULL, *plugin = NULL;
	uint64_t sizes[MAX_SIZES];
	struct coll_row *rows = NULL;
	struct topo *topo = NULL;
	struct coll_bench b = {0};
	struct coll_opts o;
	struct coll_out out = {.o = &o};
	uint64_t wrong = 0;
	char spec[PATH_MAX + 16], err[512];
	void *handle = NULL;
	int32_t *idx = NULL;
	float *weight = NULL;
	int ret, status = 2, done = 0, failed = 0;
	uint64_t start_ns = snemu_wall_ns();
	double avg = 0;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (load_topo(&o, &topo, spec, sizeof(spec)))
		goto out;
	if (o.plugin &&
	    coll_plugin_open(o.plugin, &handle, &plugin, err, sizeof(err))) {
		fprintf(stderr, "snemu coll: --plugin: %s\n", err);
		goto out;
	}
	if (resolve(&o, topo, plugin, &lib, &out.algo))
		goto out;
	b = (struct coll_bench){
		.topo = topo,
		.topo_spec = spec,
		.nranks = o.nranks,
		.report_path = o.report,
		.trace = o.trace.path ? &o.trace : NULL,
		.summary = o.summary,
		.op = o.op,
		.lib = lib,
		.sizes = sizes,
		.nsizes = make_sizes(&o, sizes),
		.type = o.type,
		.root = o.root,
		.moe = o.moe,
		.iters = o.iters,
		.check = o.check,
		.on_row = print_row,
		.arg = &out,
	};
	if (is_moe(o.op)) {
		size_t sel = (size_t)o.nranks * o.moe.tokens * o.moe.topk;

		idx = malloc(sel * sizeof(*idx) + 1);
		weight = malloc(sel * sizeof(*weight) + 1);
		if (!idx || !weight ||
		    coll_moe_route(&o.moe, o.nranks, idx, weight)) {
			fprintf(stderr,
				"snemu coll: cannot draw the routing\n");
			goto out;
		}
		b.moe_idx = idx;
		b.moe_weight = weight;
	}
	if (check_memory(&b))
		goto out;
	rows = calloc(coll_bench_rows(&b), sizeof(*rows));
	if (!rows)
		goto out;
	print_header(&b, out.algo, plugin, topo_name(topo));
	ret = coll_bench_run(&b, rows);
	for (int i = 0; i < coll_bench_rows(&b); i++) {
		if (rows[i].err == -ECANCELED) {
			if (rows[i].stop_err)
				printf("# error: rank %d: %s (the others "
				       "waited "
				       "for it: the run was stopped)\n",
				       rows[i].stop_rank,
				       snemu_strerror(rows[i].stop_err));
			break;
		}
		done++;
		wrong += rows[i].wrong;
		failed |= rows[i].err != 0;
		avg += row_busbw(&b, &rows[i]);
	}
	avg = done ? avg / done : 0;
	if (done < coll_bench_rows(&b))
		printf("# %d of %d sizes did not finish\n",
		       coll_bench_rows(&b) - done, coll_bench_rows(&b));
	/* Never OK for a run that failed, whatever it could check. */
	printf("# Out of bounds values : %" PRIu64 " %s\n", wrong,
	       wrong || failed || ret || done < coll_bench_rows(&b) ? "FAILED"
								    : "OK");
	printf("# Avg bus bandwidth    : %g\n#\n", avg);
	fflush(stdout);
	if (is_moe(b.op) && done)
		moe_host_cost(&b, &rows[0], start_ns);
	if (o.json &&
	    write_json(o.json, &b, out.algo, topo_name(topo), rows, done, avg))
		ret = ret ? ret : 1;
	if (ret < 0)
		fprintf(stderr, "snemu coll: cannot run: %s\n",
			snemu_strerror(ret));
	else if (ret)
		fprintf(stderr, "snemu coll: the run failed (status %d)\n",
			ret);
	status = ret || wrong || failed || done < coll_bench_rows(&b);
out:
	free(rows);
	free(weight);
	free(idx);
	coll_plugin_close(handle);
	topo_destroy(topo);
	return status;
}
