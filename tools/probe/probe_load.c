/* SPDX-License-Identifier: MIT */
/*
 * snemu probe incast and alltoall: loaded patterns. A pattern is a list of
 * flows (src -> dst, msgs messages each). Every endpoint posts all its
 * receives, then all its sends at once (message-major, so flows take turns),
 * and waits for everything. Each message's send-call time and arrival time
 * (from its receive status) are recorded, so contention shows as the
 * spread of per-flow bandwidth and of message latency.
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

struct flow {
	int src, dst;
};

struct load_plan {
	struct flow *flows; /* each source's flows in the order it sends */
	int nflows, msgs, nranks;
	uint64_t size;
	/* Shared: */
	uint64_t *post;		/* [flow * msgs + m] sender clock at isend */
	uint64_t *arrival;	/* [flow * msgs + m] arrival of the last byte */
	uint64_t *start, *done; /* [rank] clock before posting, after waitall */
	uint64_t *wall;		/* [rank] wall ns */
	void *shm;
	size_t shm_len;
};

static int load_worker(struct probe_ctx *ctx, int rank)
{
	const struct load_plan *p = ctx->priv;
	struct snemu_status *sts = NULL;
	struct snemu_req **reqs = NULL;
	uint8_t *sbuf = NULL, *rbuf = NULL;
	int nin = 0, nout = 0, nreq = 0, ret = -ENOMEM;
	uint64_t w0 = snemu_wall_ns();

	for (int f = 0; f < p->nflows; f++) {
		nin += p->flows[f].dst == rank;
		nout += p->flows[f].src == rank;
	}
	if (!nin && !nout)
		return 0;
	reqs = calloc((size_t)(nin + nout) * p->msgs, sizeof(*reqs));
	sts = calloc((size_t)(nin + nout) * p->msgs, sizeof(*sts));
	sbuf = malloc(p->size);
	rbuf = malloc(p->size);
	if (!reqs || !sts || !sbuf || !rbuf)
		goto out;
	memset(sbuf, probe_fill_byte(p->size), p->size);
	p->start[rank] = snemu_now();
	for (int f = 0; f < p->nflows; f++) {
		if (p->flows[f].dst != rank)
			continue;
		for (int m = 0; m < p->msgs; m++) {
			ret = snemu_irecv(p->flows[f].src, PROBE_TAG, rbuf,
					  p->size, &reqs[nreq++]);
			if (ret)
				goto out;
		}
	}
	for (int m = 0; m < p->msgs; m++) {
		for (int f = 0; f < p->nflows; f++) {
			if (p->flows[f].src != rank)
				continue;
			p->post[f * p->msgs + m] = snemu_now();
			ret = snemu_isend(p->flows[f].dst, PROBE_TAG, sbuf,
					  p->size, &reqs[nreq++]);
			if (ret)
				goto out;
		}
	}
	ret = snemu_waitall(nreq, reqs, sts);
	if (ret)
		goto out;
	p->done[rank] = snemu_now();
	/* Receives were posted flow by flow, in message order. */
	nreq = 0;
	for (int f = 0; f < p->nflows; f++) {
		if (p->flows[f].dst != rank)
			continue;
		for (int m = 0; m < p->msgs; m++)
			p->arrival[f * p->msgs + m] = sts[nreq++].arrival_ns;
	}
	if (nin && (rbuf[0] != probe_fill_byte(p->size) ||
		    rbuf[p->size - 1] != probe_fill_byte(p->size)))
		ret = -EBADMSG;
	p->wall[rank] = snemu_wall_ns() - w0;
out:
	free(reqs);
	free(sts);
	free(sbuf);
	free(rbuf);
	return ret;
}

/* incast: the senders, --ranks or the first ranks but dst, -> dst. */
static int incast_flows(const struct probe_opts *o, struct load_plan *p)
{
	p->flows = calloc(o->senders, sizeof(*p->flows));
	if (!p->flows)
		return -ENOMEM;
	for (int i = 0, r = 0; i < o->senders; i++, r++) {
		if (!o->ranks && r == o->dst)
			r++;
		p->flows[i] = (struct flow){o->ranks ? o->ranks[i] : r, o->dst};
		p->nranks = MAX(p->nranks, p->flows[i].src + 1);
	}
	p->nflows = o->senders;
	p->nranks = MAX(p->nranks, o->dst + 1);
	return 0;
}

/* alltoall: rank s sends to s + 1, s + 2, ... (mod n), the usual shift. */
static int alltoall_flows(const struct probe_opts *o, struct load_plan *p)
{
	int n = o->nprocs;

	p->flows = calloc((size_t)n * (n - 1), sizeof(*p->flows));
	if (!p->flows)
		return -ENOMEM;
	for (int s = 0; s < n; s++)
		for (int d = 1; d < n; d++)
			p->flows[p->nflows++] = (struct flow){s, (s + d) % n};
	p->nranks = n;
	return 0;
}

static int plan_init(struct load_plan *p, const struct probe_opts *o)
{
	size_t nm;
	int ret;

	p->size = o->size;
	ret = o->mode == PROBE_INCAST ? incast_flows(o, p)
				      : alltoall_flows(o, p);
	if (ret)
		return ret;
	p->msgs = o->iters ? o->iters : o->mode == PROBE_INCAST ? 32 : 1;
	nm = (size_t)p->nflows * p->msgs;
	p->shm_len = (2 * nm + 3 * (size_t)p->nranks) * sizeof(uint64_t);
	p->shm = probe_shared_alloc(p->shm_len);
	if (!p->shm)
		return -ENOMEM;
	p->post = p->shm;
	p->arrival = p->post + nm;
	p->start = p->arrival + nm;
	p->done = p->start + p->nranks;
	p->wall = p->done + p->nranks;
	return 0;
}

static void plan_fini(struct load_plan *p)
{
	probe_shared_free(p->shm, p->shm_len);
	free(p->flows);
}

/* Per-flow bandwidth: bytes / (last arrival - first send call), GB/s. */
static double flow_gbps(const struct load_plan *p, int f)
{
	uint64_t first = p->post[f * p->msgs], last = 0;

	for (int m = 0; m < p->msgs; m++)
		last = MAX(last, p->arrival[f * p->msgs + m]);
	return (double)p->size * p->msgs / (double)(last - first);
}

struct load_result {
	double *gbps;		      /* per flow */
	struct probe_stats bw;	      /* over flows, GB/s */
	struct probe_stats lat;	      /* over messages, ns */
	struct probe_stats rank_time; /* alltoall: per rank, ns */
	double aggregate_gbps;	      /* all bytes / whole span */
	double expect_gbps;	      /* the fair share each flow can get */
	double ref_gbps;	      /* incast: ejection; alltoall: inject */
	double wall_us_per_msg;
};

static int reduce(const struct probe_ctx *ctx, const struct load_plan *p,
		  struct load_result *r)
{
	size_t nm = (size_t)p->nflows * p->msgs;
	double *lat = malloc(nm * sizeof(*lat));
	double *bw = malloc(p->nflows * sizeof(*bw));
	double *rt = malloc(p->nranks * sizeof(*rt));
	uint64_t first = UINT64_MAX, last = 0, wall = 0;
	int nrt = 0;

	r->gbps = malloc(p->nflows * sizeof(*r->gbps));
	if (!lat || !bw || !rt || !r->gbps) {
		free(lat);
		free(bw);
		free(rt);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nm; i++) {
		lat[i] = (double)(p->arrival[i] - p->post[i]);
		first = MIN(first, p->post[i]);
		last = MAX(last, p->arrival[i]);
	}
	for (int f = 0; f < p->nflows; f++)
		r->gbps[f] = bw[f] = flow_gbps(p, f);
	for (int k = 0; k < p->nranks; k++) {
		if (!p->done[k])
			continue;
		rt[nrt++] = (double)(p->done[k] - p->start[k]);
		wall = MAX(wall, p->wall[k]);
	}
	probe_stats_compute(lat, nm, &r->lat);
	probe_stats_compute(bw, p->nflows, &r->bw);
	probe_stats_compute(rt, nrt, &r->rank_time);
	r->aggregate_gbps = (double)p->size * nm / (double)(last - first);
	r->wall_us_per_msg = wall / 1e3 / nm;
	if (ctx->o->mode == PROBE_INCAST) {
		r->ref_gbps = probe_ejection_gbps(ctx->topo, p->flows[0].src,
						  p->flows[0].dst);
		r->expect_gbps =
			MIN(r->ref_gbps / p->nflows,
			    topo_endpoint_gbps(ctx->topo, p->flows[0].src));
	} else {
		int n = p->nranks;

		r->ref_gbps = topo_endpoint_gbps(ctx->topo, 0);
		r->expect_gbps = r->ref_gbps / (n - 1);
	}
	free(lat);
	free(bw);
	free(rt);
	return 0;
}

static void print_dist(const char *what, const struct probe_stats *st,
		       double scale, const char *unit)
{
	printf("%s [%s]: min %.3f  p50 %.3f  p99 %.3f  max %.3f  (%zu "
	       "samples)\n",
	       what, unit, st->min * scale, st->p50 * scale, st->p99 * scale,
	       st->max * scale, st->n);
}

/* The lines every load report ends with: distributions, costs. */
static void print_tail(const struct probe_ctx *ctx, const struct load_plan *p,
		       const struct load_result *r)
{
	print_dist("per-flow bandwidth", &r->bw, 1, "GB/s");
	print_dist("message latency", &r->lat, 1e-3, "usec");
	if (ctx->o->wall)
		printf("wall-clock cost per message: %.2f usec\n",
		       r->wall_us_per_msg);
	printf("job: %d endpoints, %.2f s wall\n", p->nranks,
	       ctx->job_wall_ns / 1e9);
}

static void print_incast(const struct probe_ctx *ctx, const struct load_plan *p,
			 const struct load_result *r)
{
	const struct topo *t = ctx->topo;
	int dst = p->flows[0].dst;
	char sz[16];

	snemu_format_size(p->size, sz, sizeof(sz));
	printf("# snemu probe incast: %d senders -> rank %d (node %d) on %s, "
	       "%d messages of %s per sender, all posted at once, virtual "
	       "time\n",
	       p->nflows, dst, topo_node_of(t, dst), topo_name(t), p->msgs, sz);
	printf("# flow bandwidth = bytes / (last arrival - first send call); "
	       "message latency = arrival of the last byte - send call\n");
	printf("  sender  node  scope          GB/s   vs fair share\n");
	for (int f = 0; f < p->nflows; f++) {
		int s = p->flows[f].src;

		printf("  %6d  %4d  %-10s  %8.2f   %+6.1f%%\n", s,
		       topo_node_of(t, s), probe_scope(t, s, dst), r->gbps[f],
		       100 * (r->gbps[f] / r->expect_gbps - 1));
	}
	printf("receiver ejection (model) %.1f GB/s: fair share %.2f GB/s "
	       "per sender; aggregate achieved %.2f GB/s\n",
	       r->ref_gbps, r->expect_gbps, r->aggregate_gbps);
	print_tail(ctx, p, r);
}

static void print_alltoall(const struct probe_ctx *ctx,
			   const struct load_plan *p,
			   const struct load_result *r)
{
	char sz[16];

	snemu_format_size(p->size, sz, sizeof(sz));
	printf("# snemu probe alltoall: ranks 0..%d on %s, %d message(s) of "
	       "%s per ordered pair, all posted at once, virtual time\n",
	       p->nranks - 1, topo_name(ctx->topo), p->msgs, sz);
	printf("# Avg Latency = time from a rank's first post to the end of "
	       "its waitall, averaged over ranks (as osu_alltoall)\n");
	printf("# Size       Avg Latency(us)\n%-10" PRIu64 "%18.2f\n", p->size,
	       r->rank_time.avg / 1e3);
	printf("per-rank time [usec]: min %.3f  max %.3f\n",
	       r->rank_time.min / 1e3, r->rank_time.max / 1e3);
	printf("injection (model) %.1f GB/s per endpoint: fair share %.2f "
	       "GB/s per flow; aggregate achieved %.2f GB/s\n",
	       r->ref_gbps, r->expect_gbps, r->aggregate_gbps);
	print_tail(ctx, p, r);
}

static void json_dist(struct probe_json *j, const char *key,
		      const struct probe_stats *st, double scale)
{
	probe_json_obj(j, key);
	probe_json_num(j, "min", st->min * scale, 4);
	probe_json_num(j, "p50", st->p50 * scale, 4);
	probe_json_num(j, "p99", st->p99 * scale, 4);
	probe_json_num(j, "max", st->max * scale, 4);
	probe_json_num(j, "avg", st->avg * scale, 4);
	probe_json_int(j, "samples", st->n);
	probe_json_end(j);
}

static int write_json(const struct probe_ctx *ctx, const struct load_plan *p,
		      const struct load_result *r)
{
	struct probe_json *j;
	int ret = probe_json_open(ctx->o->json, &j);

	if (ret)
		return ret;
	probe_json_obj(j, NULL);
	probe_json_str(j, "tool", "snemu probe");
	probe_json_str(j, "mode",
		       ctx->o->mode == PROBE_INCAST ? "incast" : "alltoall");
	probe_json_str(j, "topology", topo_name(ctx->topo));
	probe_json_str(j, "clock", "virtual");
	probe_json_int(j, "bytes", p->size);
	probe_json_int(j, "messages_per_flow", p->msgs);
	probe_json_int(j, "endpoints", p->nranks);
	probe_json_num(j, "job_wall_sec", ctx->job_wall_ns / 1e9, 3);
	probe_json_num(j, "fair_share_gb_per_sec", r->expect_gbps, 4);
	probe_json_num(j,
		       ctx->o->mode == PROBE_INCAST ? "ejection_gb_per_sec"
						    : "injection_gb_per_sec",
		       r->ref_gbps, 4);
	probe_json_num(j, "aggregate_gb_per_sec", r->aggregate_gbps, 4);
	json_dist(j, "flow_bw_gb_per_sec", &r->bw, 1);
	json_dist(j, "latency_usec", &r->lat, 1e-3);
	if (ctx->o->mode == PROBE_ALLTOALL) {
		probe_json_num(j, "avg_latency_usec", r->rank_time.avg / 1e3,
			       4);
		json_dist(j, "rank_time_usec", &r->rank_time, 1e-3);
	}
	if (ctx->o->wall)
		probe_json_num(j, "wall_usec_per_msg", r->wall_us_per_msg, 3);
	probe_json_arr(j, "flows");
	for (int f = 0; f < p->nflows; f++) {
		probe_json_obj(j, NULL);
		probe_json_int(j, "src", p->flows[f].src);
		probe_json_int(j, "dst", p->flows[f].dst);
		probe_json_str(j, "scope",
			       probe_scope(ctx->topo, p->flows[f].src,
					   p->flows[f].dst));
		probe_json_num(j, "bw_gb_per_sec", r->gbps[f], 4);
		probe_json_end(j);
	}
	probe_json_end(j);
	probe_json_end(j);
	return probe_json_close(j);
}

int probe_load_main(const struct probe_ctx *base)
{
	struct probe_ctx ctx = *base;
	struct load_plan p = {0};
	struct load_result r = {0};
	int status = 1;

	if (plan_init(&p, ctx.o)) {
		status = probe_nomem();
		goto out;
	}
	ctx.worker = load_worker;
	ctx.priv = &p;
	if (probe_job_run(&ctx, p.nranks))
		goto out;
	if (reduce(&ctx, &p, &r)) {
		status = probe_nomem();
		goto out;
	}
	if (ctx.o->mode == PROBE_INCAST)
		print_incast(&ctx, &p, &r);
	else
		print_alltoall(&ctx, &p, &r);
	status = ctx.o->json
			 ? probe_written(ctx.o->json, write_json(&ctx, &p, &r))
			 : 0;
out:
	free(r.gbps);
	plan_fini(&p);
	return status;
}
