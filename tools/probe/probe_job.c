/* SPDX-License-Identifier: MIT */
/* snemu probe: launching the endpoints, and what every mode measures with. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/common.h"
#include "emu/emu.h"
#include "snemu.h"
#include "topology/topo.h"
#include "tools/probe/probe.h"

/* Without --iters, one size moves at most this many bytes. */
#define PROBE_BUDGET (64ULL << 20)

void *probe_shared_alloc(size_t len)
{
	void *p = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void probe_shared_free(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}

/* The forked endpoint: attach, run the mode's worker, detach. */
static int endpoint_main(void *arg)
{
	struct probe_ctx *ctx = arg;
	int rank, ret;

	ret = snemu_init(NULL, NULL);
	if (ret) {
		fprintf(stderr, "snemu probe: cannot attach: %s\n",
			snemu_strerror(ret));
		return 1;
	}
	rank = snemu_rank();
	ret = ctx->worker(ctx, rank);
	if (ret) {
		fprintf(stderr, "snemu probe: rank %d: %s\n", rank,
			ret == -EBADMSG
				? "received bytes differ from those sent"
				: snemu_strerror(ret));
		return 1;
	}
	ret = snemu_finalize();
	if (ret) {
		fprintf(stderr, "snemu probe: rank %d: finalize: %s\n", rank,
			snemu_strerror(ret));
		return 1;
	}
	return 0;
}

int probe_job_run(struct probe_ctx *ctx, int nranks)
{
	struct emu_job job = {
		.watchdog_s = EMU_DEFAULT_WATCHDOG_S,
		.topo = ctx->topo,
		.topo_spec = ctx->topo_spec,
		.nranks = nranks,
		.fn = endpoint_main,
		.arg = ctx,
		.quiet = 1,
		.trace = ctx->o->trace.path ? &ctx->o->trace : NULL,
	};
	uint64_t t0;
	int ret;

	/* Children must not inherit unwritten output. */
	fflush(stdout);
	fflush(stderr);
	t0 = snemu_wall_ns();
	ret = emu_run_job(&job);
	ctx->job_wall_ns = snemu_wall_ns() - t0;
	if (ret < 0) {
		fprintf(stderr, "snemu probe: cannot start %d endpoints: %s\n",
			nranks, strerror(-ret));
		return 1;
	}
	if (ret) {
		fprintf(stderr,
			"snemu probe: the measurement job failed (status %d); "
			"no results\n",
			ret);
		return 1;
	}
	return 0;
}

int probe_iters(const struct probe_opts *o, int def, int min,
		uint64_t bytes_per_iter)
{
	uint64_t n = PROBE_BUDGET / bytes_per_iter;

	if (o->iters)
		return o->iters;
	return n < (uint64_t)min ? min : n > (uint64_t)def ? def : (int)n;
}

void probe_advance_to(uint64_t t)
{
	uint64_t now = snemu_now();

	if (now < t)
		snemu_compute(t - now);
}

int probe_ping(int peer, void *buf, size_t len, uint64_t t[2], int *late)
{
	struct snemu_status st;
	uint64_t post;
	int ret;

	t[0] = snemu_now();
	ret = snemu_send(peer, PROBE_TAG, buf, len);
	if (ret)
		return ret;
	post = snemu_now();
	ret = snemu_recv(peer, PROBE_TAG, buf, len, &st);
	if (ret)
		return ret;
	t[1] = snemu_now();
	*late = post > st.arrival_ns;
	return 0;
}

int probe_pong(int peer, void *buf, size_t len, uint64_t reply_at,
	       uint64_t t[2], int *late)
{
	struct snemu_status st;
	uint8_t *b = buf;
	uint64_t post;
	int ret;

	/* Poison the ends so that a message that moved no bytes shows. */
	b[0] = b[len - 1] = ~probe_fill_byte(len);
	post = snemu_now();
	ret = snemu_recv(peer, PROBE_TAG, buf, len, &st);
	if (ret)
		return ret;
	t[0] = snemu_now();
	*late = post > st.arrival_ns;
	if (b[0] != probe_fill_byte(len) || b[len - 1] != probe_fill_byte(len))
		return -EBADMSG;
	if (reply_at)
		probe_advance_to(reply_at);
	t[1] = snemu_now();
	return snemu_send(peer, PROBE_TAG, buf, len);
}

uint8_t probe_fill_byte(size_t len)
{
	return (uint8_t)(0xa5 ^ len ^ (len >> 8) ^ (len >> 16));
}

uint64_t probe_model_ns(const struct topo *t, int src, int dst, uint64_t bytes)
{
	const struct topo_params *p = topo_params(t);

	return p->send_ns + topo_unloaded_ns(t, src, dst, bytes) + p->recv_ns;
}

double probe_ejection_gbps(const struct topo *t, int src, int dst)
{
	int np = topo_num_paths(t, src, dst), nlast = 0, *last, links[64];
	double sum = 0;

	if (np <= 0)
		return 0;
	last = calloc(np, sizeof(*last));
	if (!last)
		return topo_endpoint_gbps(t, dst);
	for (int i = 0; i < np; i++) {
		int hops = topo_path(t, src, dst, i, links, ARRAY_SIZE(links));
		int k;

		if (hops <= 0)
			continue;
		for (k = 0; k < nlast && last[k] != links[hops - 1]; k++)
			;
		if (k == nlast) {
			last[nlast++] = links[hops - 1];
			sum += topo_link_gbps(t, links[hops - 1]);
		}
	}
	free(last);
	return sum;
}

double probe_peak_gbps(const struct topo *t, int src, int dst)
{
	return MIN(topo_endpoint_gbps(t, src),
		   probe_ejection_gbps(t, src, dst));
}

const char *probe_scope(const struct topo *t, int src, int dst)
{
	return topo_node_of(t, src) == topo_node_of(t, dst) ? "intra-node"
							    : "inter-node";
}

void probe_route_desc(const struct topo *t, int src, int dst, char *buf,
		      size_t len)
{
	int links[64];
	int hops = topo_path(t, src, dst, 0, links, ARRAY_SIZE(links));

	snprintf(buf, len, "%s, node %d -> node %d, %d links, %d paths",
		 probe_scope(t, src, dst), topo_node_of(t, src),
		 topo_node_of(t, dst), hops, topo_num_paths(t, src, dst));
}

int probe_written(const char *path, int ret)
{
	if (!ret)
		return 0;
	fprintf(stderr, "snemu probe: cannot write %s: %s\n", path,
		strerror(-ret));
	return 1;
}

int probe_nomem(void)
{
	fprintf(stderr, "snemu probe: out of memory\n");
	return 1;
}

void probe_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB"};
	int u = 0;

	while (u < 3 && bytes >= 1024 && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
}

void probe_print_identical(FILE *f, size_t n)
{
	if (n < 2)
		return;
	fprintf(f,
		"# (all %zu samples identical: virtual time is "
		"deterministic)\n",
		n);
}
