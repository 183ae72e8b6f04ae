/* SPDX-License-Identifier: MIT */
/*
 * snemu probe matrix: one-way latency of every ordered pair of endpoints.
 *
 * Schedule: a round-robin tournament, p - 1 rounds of disjoint pairs, all
 * pairs of a round measured at once. Round r owns the virtual-time window
 * [T, T + 2H) with T = (2r + 1) H. Pair slot k (its smaller index) sends
 * a -> b at T + k * gap and b -> a at T + H + k * gap: every measured
 * message starts at an absolute virtual time, so no timing drifts from one
 * message to the next. gap is the longest a message of this size can hold
 * a link, so two messages of a round that share a switch-to-switch link
 * (endpoint links are never shared inside a round) reach it one after the
 * other: each pair sees an otherwise idle fabric. H leaves room for the
 * whole stagger plus twice the slowest expected latency.
 *
 * Virtual clocks are global, so one-way latency is measured directly as
 * (receiver clock when the receive completed) - (sender clock before the
 * send), for each direction separately; no round-trip halving.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/output.h"
#include "common/common.h"
#include "snemu.h"
#include "topology/topo.h"
#include "tools/probe/probe.h"

struct matrix_plan {
	int n;		  /* endpoints measured */
	const int *ranks; /* their ranks, ascending */
	int *index;	  /* rank -> index, or -1 */
	int nranks;	  /* endpoints launched */
	int players;	  /* n rounded up to even */
	uint64_t size, gap_ns, half_ns;
	uint64_t *model; /* [n * n] expectation, ns (private) */
	/* Shared, [a * n + b] for the message a -> b: */
	uint64_t *tsend; /* a's clock before the send */
	uint64_t *trecv; /* b's clock when the receive completed */
	uint64_t *late;	 /* b posted its receive after the arrival */
	uint64_t *wall;	 /* [n] wall ns of each endpoint's rounds */
	void *shm;
	size_t shm_len;
};

static int matrix_worker(struct probe_ctx *ctx, int rank)
{
	const struct matrix_plan *p = ctx->priv;
	int me = p->index[rank], n = p->n, ret = 0, late;
	uint64_t t[2], w0 = snemu_wall_ns();
	uint8_t *buf;

	if (me < 0)
		return 0;
	buf = malloc(p->size);
	if (!buf)
		return -ENOMEM;
	memset(buf, probe_fill_byte(p->size), p->size);
	for (int r = 0; r < p->players - 1 && !ret; r++) {
		int q = probe_rr_partner(p->players, r, me);
		uint64_t at = (2 * (uint64_t)r + 1) * p->half_ns;
		uint64_t slot = (uint64_t)MIN(me, q) * p->gap_ns;

		if (q >= n) /* the bye of an odd count */
			continue;
		if (me < q) {
			probe_advance_to(at + slot);
			ret = probe_ping(p->ranks[q], buf, p->size, t, &late);
			if (ret)
				break;
			p->tsend[me * n + q] = t[0];
			p->trecv[q * n + me] = t[1];
		} else {
			probe_advance_to(at);
			ret = probe_pong(p->ranks[q], buf, p->size,
					 at + p->half_ns + slot, t, &late);
			if (ret)
				break;
			p->trecv[q * n + me] = t[0];
			p->tsend[me * n + q] = t[1];
		}
		p->late[q * n + me] = late;
	}
	p->wall[me] = snemu_wall_ns() - w0;
	free(buf);
	return ret;
}

static int plan_init(struct matrix_plan *p, const struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->o;
	const struct topo *t = ctx->topo;
	int nep = topo_num_endpoints(t), n;
	double min_gbps = INFINITY;
	uint64_t maxlat = 0, mtu = topo_params(t)->mtu;

	p->size = o->size;
	if (o->ranks) {
		p->ranks = o->ranks;
		p->n = o->nranks;
	} else {
		int *all = malloc(nep * sizeof(*all));

		if (!all)
			return -ENOMEM;
		for (int i = 0; i < nep; i++)
			all[i] = i;
		p->ranks = all;
		p->n = nep;
	}
	n = p->n;
	p->nranks = p->ranks[n - 1] + 1;
	p->players = n + (n & 1);
	p->index = malloc(p->nranks * sizeof(*p->index));
	p->model = malloc((size_t)n * n * sizeof(*p->model));
	if (!p->index || !p->model)
		return -ENOMEM;
	for (int i = 0; i < p->nranks; i++)
		p->index[i] = -1;
	for (int i = 0; i < n; i++)
		p->index[p->ranks[i]] = i;
	for (int a = 0; a < n; a++) {
		for (int b = 0; b < n; b++) {
			uint64_t m =
				a == b ? 0
				       : probe_model_ns(t, p->ranks[a],
							p->ranks[b], p->size);

			p->model[a * n + b] = m;
			maxlat = MAX(maxlat, m);
		}
	}
	for (int l = 0; l < topo_num_links(t); l++)
		min_gbps = fmin(min_gbps, topo_link_gbps(t, l));
	/* GB/s is bytes per ns; one ns more per segment for rounding. */
	p->gap_ns = (uint64_t)ceil(p->size / min_gbps) +
		    DIV_ROUND_UP(p->size, mtu ? mtu : p->size) + 1;
	p->half_ns = (uint64_t)n * p->gap_ns + 2 * maxlat + 1000;

	p->shm_len = (3 * (size_t)n * n + n) * sizeof(uint64_t);
	p->shm = probe_shared_alloc(p->shm_len);
	if (!p->shm)
		return -ENOMEM;
	p->tsend = p->shm;
	p->trecv = p->tsend + (size_t)n * n;
	p->late = p->trecv + (size_t)n * n;
	p->wall = p->late + (size_t)n * n;
	return 0;
}

static void plan_fini(struct matrix_plan *p, const struct probe_opts *o)
{
	probe_shared_free(p->shm, p->shm_len);
	if (p->ranks != o->ranks)
		free((void *)p->ranks);
	free(p->index);
	free(p->model);
}

struct pair_ref {
	int a, b;
	uint64_t ns;
};

/* Slowest first; ties in (src, dst) order. */
static int cmp_slowest(const void *x, const void *y)
{
	const struct pair_ref *p = x, *q = y;

	if (p->ns != q->ns)
		return p->ns < q->ns ? 1 : -1;
	if (p->a != q->a)
		return p->a - q->a;
	return p->b - q->b;
}

struct scope_sum {
	const char *name;
	size_t pairs, off_model;
	uint64_t min, max, model_min, model_max;
};

static int write_csv(const struct matrix_plan *p, const double *usec,
		     const char *path)
{
	struct snemu_outfile out;
	int n = p->n, ret;
	FILE *f;

	ret = snemu_outfile_open(path, &out);
	if (ret)
		return ret;
	f = out.f;
	fprintf(f, "src\\dst");
	for (int b = 0; b < n; b++)
		fprintf(f, ",%d", p->ranks[b]);
	fputc('\n', f);
	for (int a = 0; a < n; a++) {
		fprintf(f, "%d", p->ranks[a]);
		for (int b = 0; b < n; b++)
			fprintf(f, ",%.3f", a == b ? 0.0 : usec[a * n + b]);
		fputc('\n', f);
	}
	return snemu_outfile_close(&out, 1);
}

static int write_json(const struct probe_ctx *ctx, const struct matrix_plan *p,
		      const double *usec, const struct probe_stats *all,
		      const struct scope_sum *sc, const struct pair_ref *worst,
		      int nworst, uint64_t late, double rounds_wall)
{
	struct probe_json *j;
	int n = p->n, ret = probe_json_open(ctx->o->json, &j);

	if (ret)
		return ret;
	probe_json_obj(j, NULL);
	probe_json_str(j, "tool", "snemu probe");
	probe_json_str(j, "mode", "matrix");
	probe_json_str(j, "topology", topo_name(ctx->topo));
	probe_json_str(j, "clock", "virtual");
	probe_json_int(j, "bytes", p->size);
	probe_json_int(j, "endpoints", n);
	probe_json_int(j, "rounds", p->players - 1);
	probe_json_int(j, "stagger_ns", p->gap_ns);
	probe_json_num(j, "job_wall_sec", ctx->job_wall_ns / 1e9, 3);
	probe_json_num(j, "rounds_wall_sec", rounds_wall, 3);
	probe_json_int(j, "late_receives", late);
	probe_json_stats_usec(j, "latency", all);
	probe_json_arr(j, "scopes");
	for (int s = 0; s < 2; s++) {
		if (!sc[s].pairs)
			continue;
		probe_json_obj(j, NULL);
		probe_json_str(j, "scope", sc[s].name);
		probe_json_int(j, "pairs", sc[s].pairs);
		probe_json_num(j, "min_usec", sc[s].min / 1e3, 3);
		probe_json_num(j, "max_usec", sc[s].max / 1e3, 3);
		probe_json_num(j, "model_min_usec", sc[s].model_min / 1e3, 3);
		probe_json_num(j, "model_max_usec", sc[s].model_max / 1e3, 3);
		probe_json_int(j, "pairs_off_model", sc[s].off_model);
		probe_json_end(j);
	}
	probe_json_end(j);
	probe_json_arr(j, "slowest");
	for (int i = 0; i < nworst; i++) {
		const struct pair_ref *w = &worst[i];

		probe_json_obj(j, NULL);
		probe_json_int(j, "src", p->ranks[w->a]);
		probe_json_int(j, "dst", p->ranks[w->b]);
		probe_json_num(j, "latency_usec", w->ns / 1e3, 3);
		probe_json_num(j, "model_usec", p->model[w->a * n + w->b] / 1e3,
			       3);
		probe_json_end(j);
	}
	probe_json_end(j);
	probe_json_arr(j, "ranks");
	for (int i = 0; i < n; i++)
		probe_json_int(j, NULL, p->ranks[i]);
	probe_json_end(j);
	probe_json_arr(j, "latency_usec");
	for (int a = 0; a < n; a++) {
		probe_json_arr(j, NULL);
		for (int b = 0; b < n; b++)
			probe_json_num(j, NULL, a == b ? 0 : usec[a * n + b],
				       3);
		probe_json_end(j);
	}
	probe_json_end(j);
	probe_json_end(j);
	return probe_json_close(j);
}

/* Print, and write the CSV, image and JSON; returns the exit status. */
static int report(const struct probe_ctx *ctx, const struct matrix_plan *p)
{
	const struct topo *t = ctx->topo;
	int n = p->n, np = n * (n - 1), k = 0, nodes = 0, nworst, status = 1;
	struct scope_sum sc[2] = {
		{"intra-node", 0, 0, UINT64_MAX, 0, UINT64_MAX, 0},
		{"inter-node", 0, 0, UINT64_MAX, 0, UINT64_MAX, 0},
	};
	struct pair_ref *ref = malloc(np * sizeof(*ref));
	double *usec = calloc((size_t)n * n, sizeof(*usec));
	double *v = malloc(np * sizeof(*v));
	int *labels = malloc(n * sizeof(*labels));
	uint64_t late = 0;
	double rounds_wall = 0;
	char sz[16], title[128];
	struct probe_heatmap hm = {n, usec, labels, title, "NODE", "USEC"};
	struct probe_stats all;

	if (!ref || !usec || !v || !labels) {
		status = probe_nomem();
		goto out;
	}
	for (int a = 0; a < n; a++) {
		labels[a] = topo_node_of(t, p->ranks[a]);
		rounds_wall = fmax(rounds_wall, p->wall[a] / 1e9);
		for (int b = 0; b < n; b++) {
			size_t i = (size_t)a * n + b;
			uint64_t ns = p->trecv[i] - p->tsend[i];
			struct scope_sum *s;

			if (a == b) {
				usec[i] = NAN;
				continue;
			}
			s = &sc[labels[a] != topo_node_of(t, p->ranks[b])];
			usec[i] = ns / 1e3;
			v[k] = ns;
			ref[k++] = (struct pair_ref){a, b, ns};
			late += p->late[i];
			s->pairs++;
			s->min = MIN(s->min, ns);
			s->max = MAX(s->max, ns);
			s->model_min = MIN(s->model_min, p->model[i]);
			s->model_max = MAX(s->model_max, p->model[i]);
			s->off_model += ns != p->model[i];
		}
	}
	for (int a = 0; a < n; a++)
		nodes += !a || labels[a] != labels[a - 1];
	probe_stats_compute(v, np, &all);
	qsort(ref, np, sizeof(*ref), cmp_slowest);
	nworst = MIN(np, 5);

	probe_size_str(p->size, sz, sizeof(sz));
	printf("# snemu probe matrix: %d endpoint%s (%d node%s) of %s, %s "
	       "messages, virtual time\n",
	       n, snemu_s(n), nodes, snemu_s(nodes), topo_name(t), sz);
	printf("# one-way latency per ordered pair = receiver clock at "
	       "completion - sender clock before the send\n"
	       "# %d rounds of disjoint pairs (round robin), pairs of a "
	       "round staggered by %" PRIu64 " ns\n",
	       p->players - 1, p->gap_ns);
	printf("%d ordered pairs: min %.3f  median %.3f  max %.3f usec\n", np,
	       all.min / 1e3, all.median / 1e3, all.max / 1e3);
	for (int s = 0; s < 2; s++) {
		if (!sc[s].pairs)
			continue;
		printf("  %s: %zu pairs, %.3f .. %.3f usec (model %.3f .. "
		       "%.3f), %zu off the model\n",
		       sc[s].name, sc[s].pairs, sc[s].min / 1e3,
		       sc[s].max / 1e3, sc[s].model_min / 1e3,
		       sc[s].model_max / 1e3, sc[s].off_model);
	}
	if (late)
		printf("warning: %" PRIu64 " receives were posted after their "
		       "message arrived: those pairs include waiting\n",
		       late);
	printf("%d slowest pairs:\n   src   dst  nodes      measured     "
	       "model      diff [usec]\n",
	       nworst);
	for (int i = 0; i < nworst; i++) {
		const struct pair_ref *w = &ref[i];
		uint64_t m = p->model[w->a * n + w->b];

		printf("  %4d  %4d  %3d->%-3d  %9.3f %9.3f %+9.3f\n",
		       p->ranks[w->a], p->ranks[w->b], labels[w->a],
		       labels[w->b], w->ns / 1e3, m / 1e3,
		       ((double)w->ns - (double)m) / 1e3);
	}
	if (all.identical)
		probe_print_identical(stdout, all.n);

	status = probe_written(ctx->o->csv, write_csv(p, usec, ctx->o->csv));
	if (status)
		goto out;
	/* A 3x5 "B" reads like an "8": spell the unit out. */
	snemu_format_size(p->size, title, sizeof(title));
	snprintf(title + strlen(title), sizeof(title) - strlen(title),
		 " BYTES, %s", topo_name(t));
	memmove(title + 17, title, strlen(title) + 1);
	memcpy(title, "ONE-WAY LATENCY, ", 17);
	for (char *c = title; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	status = probe_written(ctx->o->image,
			       probe_heatmap_write(&hm, ctx->o->image));
	if (status)
		goto out;
	printf("wrote %s (%d x %d, usec) and %s\n", ctx->o->csv, n, n,
	       ctx->o->image);
	printf("wall: %.2f s for the job, %.2f s in the rounds (%d "
	       "messages)\n",
	       ctx->job_wall_ns / 1e9, rounds_wall, np);
	if (ctx->o->wall)
		printf("wall-clock cost per message: %.2f usec\n",
		       rounds_wall * 1e6 / np);
	if (ctx->o->json)
		status = probe_written(ctx->o->json,
				       write_json(ctx, p, usec, &all, sc, ref,
						  nworst, late, rounds_wall));
out:
	free(ref);
	free(usec);
	free(v);
	free(labels);
	return status;
}

int probe_matrix_main(const struct probe_ctx *base)
{
	struct probe_ctx ctx = *base;
	struct matrix_plan p = {0};
	int status = 1;

	if (plan_init(&p, &ctx)) {
		status = probe_nomem();
		goto out;
	}
	ctx.worker = matrix_worker;
	ctx.priv = &p;
	if (!probe_job_run(&ctx, p.nranks))
		status = report(&ctx, &p);
out:
	plan_fini(&p, ctx.o);
	return status;
}
