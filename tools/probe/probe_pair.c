/* SPDX-License-Identifier: MIT */
/*
 * snemu probe lat, bw and the default summary: tests between two endpoints.
 * A plan is a list of tests (ping-pong or stream, src -> dst) run one after
 * the other over the same sizes; the endpoints that take part record raw
 * virtual times, the tool reduces and prints them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "snemu.h"
#include "topology/topo.h"
#include "tools/probe/probe.h"

#define PAIR_MAX_TESTS 4
#define ACK_LEN	       4 /* as osu_bw */

enum pair_kind { PAIR_LAT, PAIR_BW };

struct pair_test {
	enum pair_kind kind;
	int src, dst;
};

struct pair_plan {
	const uint64_t *sizes;
	int nsizes;
	int window;
	int nranks; /* endpoints launched */
	int ntests;
	struct pair_test test[PAIR_MAX_TESTS];
	/* [test * nsizes + size]; the pointed-to values are shared. */
	int *iters;
	uint64_t **samples; /* lat: round trips; bw: window times (ns) */
	uint64_t *wall_ns;
	uint64_t *late; /* receives posted after the arrival */
	void *shm;
	size_t shm_len;
};

/* What a test at one size gave. */
struct pair_result {
	int iters;
	struct probe_stats st; /* lat: one-way ns; bw: ns per window */
	uint64_t model_ns;     /* lat: the one-way expectation */
	double bw_peak_mbs, bw_avg_mbs, mpps;
	double peak_gbps; /* bw: the route's bottleneck */
	double wall_us_per_msg;
	uint64_t late;
};

static int run_lat(const struct pair_plan *p, int k, int peer, int pinger,
		   uint8_t *buf, uint64_t len)
{
	uint64_t t[2], w0 = snemu_wall_ns();
	int late, ret;

	memset(buf, probe_fill_byte(len), len);
	for (int i = 0; i < p->iters[k]; i++) {
		ret = pinger ? probe_ping(peer, buf, len, t, &late)
			     : probe_pong(peer, buf, len, 0, t, &late);
		if (ret)
			return ret;
		if (pinger)
			p->samples[k][i] = t[1] - t[0];
		/* Both endpoints count into one shared word. */
		__atomic_fetch_add(&p->late[k], late, __ATOMIC_RELAXED);
	}
	if (pinger)
		p->wall_ns[k] = snemu_wall_ns() - w0;
	return 0;
}

/* Stream: window sends in flight, then a small ack, per iteration. */
static int run_bw(const struct pair_plan *p, int k, int peer, int sender,
		  uint8_t *buf, uint64_t len, struct snemu_req **reqs)
{
	uint64_t t0, w0 = snemu_wall_ns();
	uint8_t ack[ACK_LEN] = {0};
	int ret;

	if (sender)
		memset(buf, probe_fill_byte(len), len);
	for (int i = 0; i < p->iters[k]; i++) {
		t0 = snemu_now();
		for (int w = 0; w < p->window; w++) {
			ret = sender ? snemu_isend(peer, PROBE_TAG, buf, len,
						   &reqs[w])
				     : snemu_irecv(peer, PROBE_TAG, buf, len,
						   &reqs[w]);
			if (ret)
				return ret;
		}
		ret = snemu_waitall(p->window, reqs, NULL);
		if (ret)
			return ret;
		if (!sender) {
			if (buf[0] != probe_fill_byte(len) ||
			    buf[len - 1] != probe_fill_byte(len))
				return -EBADMSG;
			buf[0] = buf[len - 1] = ~probe_fill_byte(len);
			ret = snemu_send(peer, PROBE_TAG, ack, ACK_LEN);
			if (ret)
				return ret;
			continue;
		}
		ret = snemu_recv(peer, PROBE_TAG, ack, ACK_LEN, NULL);
		if (ret)
			return ret;
		p->samples[k][i] = snemu_now() - t0;
	}
	if (sender)
		p->wall_ns[k] = snemu_wall_ns() - w0;
	return 0;
}

static int pair_worker(struct probe_ctx *ctx, int rank)
{
	const struct pair_plan *p = ctx->priv;
	struct snemu_req **reqs = NULL;
	uint64_t max = 0;
	uint8_t *buf = NULL;
	int ret = 0;

	for (int s = 0; s < p->nsizes; s++)
		max = MAX(max, p->sizes[s]);
	for (int t = 0; t < p->ntests && !ret; t++) {
		const struct pair_test *pt = &p->test[t];
		int peer = rank == pt->src ? pt->dst : pt->src;

		if (rank != pt->src && rank != pt->dst)
			continue;
		if (!buf) {
			buf = malloc(max);
			reqs = calloc(p->window, sizeof(*reqs));
			if (!buf || !reqs) {
				ret = -ENOMEM;
				break;
			}
		}
		for (int s = 0; s < p->nsizes && !ret; s++) {
			int k = t * p->nsizes + s;

			if (pt->kind == PAIR_LAT)
				ret = run_lat(p, k, peer, rank == pt->src, buf,
					      p->sizes[s]);
			else
				ret = run_bw(p, k, peer, rank == pt->src, buf,
					     p->sizes[s], reqs);
		}
	}
	free(buf);
	free(reqs);
	return ret;
}

static int plan_init(struct pair_plan *p, const struct probe_opts *o)
{
	int n;
	size_t samples = 0;
	uint64_t *pool;

	p->sizes = o->sizes;
	p->nsizes = o->nsizes;
	p->window = o->window;
	n = p->ntests * p->nsizes;
	p->iters = calloc(n, sizeof(*p->iters));
	p->samples = calloc(n, sizeof(*p->samples));
	if (!p->iters || !p->samples)
		return -ENOMEM;
	for (int t = 0; t < p->ntests; t++) {
		for (int s = 0; s < p->nsizes; s++) {
			uint64_t len = p->sizes[s];
			int k = t * p->nsizes + s;

			p->iters[k] = p->test[t].kind == PAIR_LAT
					      ? probe_iters(o, 1000, 2, 2 * len)
					      : probe_iters(o, 100, 1,
							    p->window * len);
			samples += p->iters[k];
		}
	}
	p->shm_len = (samples + 2 * n) * sizeof(uint64_t);
	p->shm = probe_shared_alloc(p->shm_len);
	if (!p->shm)
		return -ENOMEM;
	p->wall_ns = p->shm;
	p->late = p->wall_ns + n;
	pool = p->late + n;
	for (int k = 0; k < n; k++) {
		p->samples[k] = pool;
		pool += p->iters[k];
	}
	return 0;
}

static void plan_fini(struct pair_plan *p)
{
	probe_shared_free(p->shm, p->shm_len);
	free(p->iters);
	free(p->samples);
}

static int reduce(const struct probe_ctx *ctx, const struct pair_plan *p, int t,
		  int s, struct pair_result *r)
{
	const struct pair_test *pt = &p->test[t];
	int k = t * p->nsizes + s, n = p->iters[k];
	uint64_t len = p->sizes[s];
	double *v = malloc(n * sizeof(*v)), sum = 0;

	if (!v)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->iters = n;
	r->late = p->late[k];
	for (int i = 0; i < n; i++) {
		v[i] = pt->kind == PAIR_LAT ? p->samples[k][i] / 2.0
					    : (double)p->samples[k][i];
		sum += p->samples[k][i];
	}
	probe_stats_compute(v, n, &r->st);
	free(v);
	if (pt->kind == PAIR_LAT) {
		r->model_ns = probe_model_ns(ctx->topo, pt->src, pt->dst, len);
		r->wall_us_per_msg = p->wall_ns[k] / 1e3 / (2.0 * n);
	} else {
		double bytes = (double)p->window * len;

		/* MB = 1e6 B as perftest: bytes per ns * 1e3 = MB/s. */
		r->bw_peak_mbs = bytes * 1e3 / r->st.min;
		r->bw_avg_mbs = bytes * n * 1e3 / sum;
		r->mpps = r->bw_avg_mbs / len;
		r->peak_gbps = probe_peak_gbps(ctx->topo, pt->src, pt->dst);
		r->wall_us_per_msg =
			p->wall_ns[k] / 1e3 / ((double)n * (p->window + 1));
	}
	return 0;
}

/* --- output --- */

static void print_header(const struct probe_ctx *ctx, const char *what,
			 const struct pair_test *pt)
{
	const struct topo_params *tp = topo_params(ctx->topo);
	char route[160];

	probe_route_desc(ctx->topo, pt->src, pt->dst, route, sizeof(route));
	printf("# snemu probe %s: %d -> %d (%s) on %s, virtual time\n", what,
	       pt->src, pt->dst, route, topo_name(ctx->topo));
	if (pt->kind == PAIR_LAT)
		printf("# one-way latency = round trip / 2; model = send "
		       "%" PRIu64 " ns + topo_unloaded_ns + recv %" PRIu64
		       " ns; diff = t_min - model\n",
		       tp->send_ns, tp->recv_ns);
}

static void print_identical(const struct pair_result *r, int n)
{
	int all = 1, same_n = 1;

	for (int s = 0; s < n; s++) {
		all &= r[s].st.identical;
		same_n &= r[s].st.n == r[0].st.n;
	}
	if (all && same_n)
		probe_print_identical(stdout, r[0].st.n);
	else if (all)
		printf("# (all samples of each size identical: virtual time "
		       "is deterministic)\n");
}

static void print_lat(const struct probe_ctx *ctx, const struct pair_plan *p,
		      const struct pair_result *r)
{
	const char *dashes = "-------------------------------------------------"
			     "--------------------------------------\n";
	int wall = ctx->o->wall;

	print_header(ctx, "lat", &p->test[0]);
	if (ctx->o->format == PROBE_FMT_OSU) {
		printf("# Size          Latency (us)%s\n",
		       wall ? "   Wall (us/msg)" : "");
		for (int s = 0; s < p->nsizes; s++) {
			printf("%-10" PRIu64 "%18.2f", p->sizes[s],
			       r[s].st.avg / 1e3);
			if (wall)
				printf("%16.2f", r[s].wall_us_per_msg);
			printf("\n");
		}
		print_identical(r, p->nsizes);
		return;
	}
	printf("%s #bytes #iterations    t_min[usec]    t_max[usec]  "
	       "t_typical[usec]    t_avg[usec]    t_stdev[usec]   99%% "
	       "percentile[usec]   99.9%% percentile[usec]   model[usec]  "
	       "diff[usec]%s\n",
	       dashes, wall ? "  wall[usec/msg]" : "");
	for (int s = 0; s < p->nsizes; s++) {
		const struct probe_stats *st = &r[s].st;

		printf(" %-7" PRIu64 " %-10d     %-7.3f        %-7.3f      "
		       "%-7.3f            %-7.3f        %-7.3f         "
		       "%-7.3f                %-7.3f                  "
		       "%-7.3f      %+.3f",
		       p->sizes[s], r[s].iters, st->min / 1e3, st->max / 1e3,
		       st->median / 1e3, st->avg / 1e3, st->stdev / 1e3,
		       st->p99 / 1e3, st->p999 / 1e3, r[s].model_ns / 1e3,
		       (st->min - (double)r[s].model_ns) / 1e3);
		if (wall)
			printf("      %.2f", r[s].wall_us_per_msg);
		printf("\n");
	}
	printf("%s", dashes);
	print_identical(r, p->nsizes);
}

static void print_bw(const struct probe_ctx *ctx, const struct pair_plan *p,
		     const struct pair_result *r)
{
	const char *dashes = "-------------------------------------------------"
			     "--------------------------------------\n";
	int wall = ctx->o->wall;

	print_header(ctx, "bw", &p->test[0]);
	printf("# window %d messages in flight, then a %d B ack; MB = 10^6 B; "
	       "peak = bottleneck of the two ends\n",
	       p->window, ACK_LEN);
	if (ctx->o->format == PROBE_FMT_OSU) {
		printf("# Size      Bandwidth (MB/s)%s\n",
		       wall ? "   Wall (us/msg)" : "");
		for (int s = 0; s < p->nsizes; s++) {
			printf("%-10" PRIu64 "%18.2f", p->sizes[s],
			       r[s].bw_avg_mbs);
			if (wall)
				printf("%16.2f", r[s].wall_us_per_msg);
			printf("\n");
		}
		return;
	}
	printf("%s #bytes     #iterations    BW peak[MB/sec]    BW "
	       "average[MB/sec]   MsgRate[Mpps]   model peak[MB/sec]   "
	       "of peak%s\n",
	       dashes, wall ? "   wall[usec/msg]" : "");
	for (int s = 0; s < p->nsizes; s++) {
		printf(" %-10" PRIu64 " %-10d     %-14.2f     %-14.2f     "
		       "%-10.6f      %-14.2f       %5.1f%%",
		       p->sizes[s], r[s].iters, r[s].bw_peak_mbs,
		       r[s].bw_avg_mbs, r[s].mpps, r[s].peak_gbps * 1e3,
		       100 * r[s].bw_avg_mbs / (r[s].peak_gbps * 1e3));
		if (wall)
			printf("      %.2f", r[s].wall_us_per_msg);
		printf("\n");
	}
	printf("%s", dashes);
}

static void print_summary(const struct probe_ctx *ctx,
			  const struct pair_plan *p,
			  const struct pair_result *r)
{
	const struct topo_params *tp = topo_params(ctx->topo);
	int nsc = p->ntests / 2, wall = ctx->o->wall, last = p->nsizes - 1;
	char route[160], sz[16];

	printf("snemu probe: %s (%d endpoint%s, %d node%s), virtual time\n",
	       topo_name(ctx->topo), topo_num_endpoints(ctx->topo),
	       snemu_s(topo_num_endpoints(ctx->topo)),
	       topo_num_nodes(ctx->topo), snemu_s(topo_num_nodes(ctx->topo)));
	for (int t = 0; t < nsc; t++) {
		probe_route_desc(ctx->topo, p->test[t].src, p->test[t].dst,
				 route, sizeof(route));
		printf("  %d -> %d: %s\n", p->test[t].src, p->test[t].dst,
		       route);
	}
	printf("  latency: one-way = ping-pong round trip / 2, min and max "
	       "over the iterations;\n"
	       "    model = send %" PRIu64 " ns + topo_unloaded_ns + recv "
	       "%" PRIu64 " ns; diff = min - model\n"
	       "  bandwidth: %d messages in flight, then an ack (as osu_bw); "
	       "peak = bottleneck of the two ends\n\n",
	       tp->send_ns, tp->recv_ns, p->window);
	printf("                     one-way latency [usec]                "
	       "bandwidth [GB/s]%s\n",
	       wall ? "        wall [usec/msg]" : "");
	printf("   bytes  path        min       max     model     diff    "
	       "measured     peak  of peak%s\n",
	       wall ? "      lat       bw" : "");
	for (int s = 0; s < p->nsizes; s++) {
		for (int t = 0; t < nsc; t++) {
			const struct pair_result *l = &r[t * p->nsizes + s];
			const struct pair_result *b =
				&r[(t + nsc) * p->nsizes + s];

			snemu_format_size(p->sizes[s], sz, sizeof(sz));
			printf("  %6s  %-5.5s  %9.3f %9.3f %9.3f %+8.3f  "
			       "%10.3f "
			       "%8.1f  %6.1f%%",
			       t ? "" : sz,
			       probe_scope(ctx->topo, p->test[t].src,
					   p->test[t].dst),
			       l->st.min / 1e3, l->st.max / 1e3,
			       l->model_ns / 1e3,
			       (l->st.min - (double)l->model_ns) / 1e3,
			       b->bw_avg_mbs / 1e3, b->peak_gbps,
			       b->bw_avg_mbs / 1e1 / b->peak_gbps);
			if (wall)
				printf("  %7.2f  %7.2f", l->wall_us_per_msg,
				       b->wall_us_per_msg);
			printf("\n");
		}
	}
	if (nsc == 2) {
		const struct pair_result *l0 = &r[0], *l1 = &r[p->nsizes];
		const struct pair_result *b0 = &r[2 * p->nsizes + last];
		const struct pair_result *b1 = &r[3 * p->nsizes + last];

		probe_size_str(p->sizes[0], sz, sizeof(sz));
		printf("\ninter-node minus intra-node latency at %s: %+.3f "
		       "usec\n",
		       sz, (l1->st.min - l0->st.min) / 1e3);
		probe_size_str(p->sizes[last], sz, sizeof(sz));
		printf("inter-node / intra-node bandwidth at %s: %.1f%%\n", sz,
		       100 * b1->bw_avg_mbs / b0->bw_avg_mbs);
	}
	print_identical(r, p->ntests * p->nsizes);
	printf("job: %d endpoints, %.2f s wall\n", p->nranks,
	       ctx->job_wall_ns / 1e9);
}

static void json_result(struct probe_json *j, const struct pair_test *pt,
			uint64_t len, const struct pair_result *r, int wall)
{
	probe_json_obj(j, NULL);
	probe_json_int(j, "bytes", len);
	probe_json_int(j, "iterations", r->iters);
	if (pt->kind == PAIR_LAT) {
		probe_json_stats_usec(j, "t", &r->st);
		probe_json_num(j, "t_min_ns", r->st.min, 1);
		probe_json_num(j, "t_max_ns", r->st.max, 1);
		probe_json_num(j, "t_typical_ns", r->st.median, 1);
		probe_json_int(j, "model_ns", r->model_ns);
		probe_json_num(j, "model_usec", r->model_ns / 1e3, 4);
		probe_json_num(j, "diff_usec",
			       (r->st.min - (double)r->model_ns) / 1e3, 4);
		probe_json_int(j, "late_receives", r->late);
	} else {
		probe_json_num(j, "bw_peak_mb_per_sec", r->bw_peak_mbs, 3);
		probe_json_num(j, "bw_average_mb_per_sec", r->bw_avg_mbs, 3);
		probe_json_num(j, "bw_average_gb_per_sec", r->bw_avg_mbs / 1e3,
			       4);
		probe_json_num(j, "msg_rate_mpps", r->mpps, 6);
		probe_json_num(j, "model_peak_gb_per_sec", r->peak_gbps, 3);
		probe_json_num(j, "window_time_min_ns", r->st.min, 0);
	}
	probe_json_bool(j, "samples_identical", r->st.identical);
	if (wall)
		probe_json_num(j, "wall_usec_per_msg", r->wall_us_per_msg, 3);
	probe_json_end(j);
}

static int write_json(const struct probe_ctx *ctx, const struct pair_plan *p,
		      const struct pair_result *r)
{
	static const char *const modes[] = {[PROBE_SUMMARY] = "summary",
					    [PROBE_LAT] = "lat",
					    [PROBE_BW] = "bw"};
	const struct topo_params *tp = topo_params(ctx->topo);
	struct probe_json *j;
	int ret = probe_json_open(ctx->o->json, &j);

	if (ret)
		return ret;
	probe_json_obj(j, NULL);
	probe_json_str(j, "tool", "snemu probe");
	probe_json_str(j, "mode", modes[ctx->o->mode]);
	probe_json_str(j, "topology", topo_name(ctx->topo));
	probe_json_str(j, "clock", "virtual");
	probe_json_int(j, "send_overhead_ns", tp->send_ns);
	probe_json_int(j, "recv_overhead_ns", tp->recv_ns);
	probe_json_num(j, "job_wall_sec", ctx->job_wall_ns / 1e9, 3);
	probe_json_arr(j, "tests");
	for (int t = 0; t < p->ntests; t++) {
		const struct pair_test *pt = &p->test[t];
		int links[64];

		probe_json_obj(j, NULL);
		probe_json_str(j, "kind", pt->kind == PAIR_LAT ? "lat" : "bw");
		probe_json_int(j, "src", pt->src);
		probe_json_int(j, "dst", pt->dst);
		probe_json_str(j, "scope",
			       probe_scope(ctx->topo, pt->src, pt->dst));
		probe_json_int(j, "src_node", topo_node_of(ctx->topo, pt->src));
		probe_json_int(j, "dst_node", topo_node_of(ctx->topo, pt->dst));
		probe_json_int(j, "links",
			       topo_path(ctx->topo, pt->src, pt->dst, 0, links,
					 ARRAY_SIZE(links)));
		probe_json_int(j, "paths",
			       topo_num_paths(ctx->topo, pt->src, pt->dst));
		if (pt->kind == PAIR_BW)
			probe_json_int(j, "window", p->window);
		probe_json_arr(j, "results");
		for (int s = 0; s < p->nsizes; s++)
			json_result(j, pt, p->sizes[s], &r[t * p->nsizes + s],
				    ctx->o->wall);
		probe_json_end(j);
		probe_json_end(j);
	}
	probe_json_end(j);
	probe_json_end(j);
	return probe_json_close(j);
}

/*
 * The summary's pairs: 0 with the next rank of its node, and with the first
 * rank of another node (either may not exist in a small topology).
 */
static void summary_tests(const struct topo *t, struct pair_plan *p)
{
	int n = topo_num_endpoints(t), intra = -1, inter = -1;
	int peers[2], np = 0;

	for (int r = 1; r < n && (intra < 0 || inter < 0); r++) {
		if (topo_node_of(t, r) == topo_node_of(t, 0)) {
			if (intra < 0)
				intra = r;
		} else if (inter < 0) {
			inter = r;
		}
	}
	if (intra >= 0)
		peers[np++] = intra;
	if (inter >= 0)
		peers[np++] = inter;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < np; i++)
			p->test[p->ntests++] = (struct pair_test){
				k ? PAIR_BW : PAIR_LAT, 0, peers[i]};
}

int probe_pair_main(const struct probe_ctx *base)
{
	const struct probe_opts *o = base->o;
	struct probe_ctx ctx = *base;
	struct pair_plan p = {0};
	struct pair_result *r = NULL;
	int status = 1;

	if (o->mode == PROBE_SUMMARY)
		summary_tests(ctx.topo, &p);
	else
		p.test[p.ntests++] = (struct pair_test){
			o->mode == PROBE_LAT ? PAIR_LAT : PAIR_BW, o->src,
			o->dst};
	for (int t = 0; t < p.ntests; t++)
		p.nranks = MAX(p.nranks, MAX(p.test[t].src, p.test[t].dst) + 1);
	if (plan_init(&p, o)) {
		status = probe_nomem();
		goto out;
	}
	ctx.worker = pair_worker;
	ctx.priv = &p;
	if (probe_job_run(&ctx, p.nranks))
		goto out;
	r = calloc(p.ntests * p.nsizes, sizeof(*r));
	for (int k = 0; r && k < p.ntests * p.nsizes; k++) {
		if (reduce(&ctx, &p, k / p.nsizes, k % p.nsizes, &r[k])) {
			free(r);
			r = NULL;
		}
	}
	if (!r) {
		status = probe_nomem();
		goto out;
	}
	if (o->mode == PROBE_SUMMARY)
		print_summary(&ctx, &p, r);
	else if (o->mode == PROBE_LAT)
		print_lat(&ctx, &p, r);
	else
		print_bw(&ctx, &p, r);
	status = o->json ? probe_written(o->json, write_json(&ctx, &p, r)) : 0;
out:
	free(r);
	plan_fini(&p);
	return status;
}
