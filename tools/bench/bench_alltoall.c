/* SPDX-License-Identifier: MIT */
/*
 * bench_alltoall [-n N] [-s BYTES] [-r REPS]: all-to-all of N ranks
 * (default: every endpoint of the default preset) with BYTES (default 4096)
 * per pair, data checked, through the launcher. Each of the REPS launches
 * runs ROUNDS all-to-alls: the first (cold: every payload block is new
 * memory), then the next ones (warm: the steady state of a program that
 * communicates repeatedly, as OSU and nccl-tests time it after warm-up).
 * Each is timed from the first rank entering it to the last rank leaving
 * the barrier that closes it; a second barrier keeps every rank idle until
 * all have left, so no rank's checking or teardown runs inside the window.
 * The host's noise moves one round's time by tens of percent, so the next
 * all-to-all is given as the best and the median of all warm rounds.
 *
 * The events of one all-to-all are those of a launch with the rounds minus
 * those of a launch without them (the same launch, barriers and teardown),
 * divided by ROUNDS; both come from the runs' JSON reports. Receive
 * buffers are touched before the timing, as the baselines' are.
 *
 * Two baselines, measured in the same run on one core:
 *  - memcpy of the same bytes between per-rank buffers in one process,
 *    for the next all-to-all. An eager message is copied twice (into the
 *    arena and out), so on 2 cores this is also a floor for snemu.
 *  - the first touch of as many bytes of fresh shared memory, for the
 *    first all-to-all: every eager payload of a cold run lands in arena
 *    pages nobody has used yet, and this VM pays a few us for each.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "snemu.h"
#include "common/common.h"
#include "tools/bench/bench_args.h"
#include "emu/emu.h"
#include "topology/topo.h"

#define ROUNDS 5 /* one cold, then warm */

/* Shared with the forked ranks (MAP_SHARED): what each one measured. */
struct rank_times {
	uint64_t wall_start[ROUNDS], wall_end[ROUNDS];
	uint64_t virt_ns; /* of the first warm round, barriers included */
	uint64_t bad;
};

struct bench {
	size_t len;
	int with_alltoall;
	struct rank_times *times;
};

static unsigned char byte_of(int src, int dst, size_t i)
{
	return (unsigned char)(src * 131 + dst * 7 + i * 13 + (i >> 8));
}

static int alltoall(int rank, int n, size_t len, unsigned char *out,
		    unsigned char *in, struct snemu_req **reqs)
{
	int nreq = 0, ret = 0;

	for (int s = 1; s < n && !ret; s++) {
		int peer = (rank + s) % n;

		ret = snemu_irecv(peer, 1, in + peer * len, len, &reqs[nreq]);
		if (ret)
			break;
		nreq++;
		ret = snemu_isend(peer, 1, out + peer * len, len, &reqs[nreq]);
		if (!ret)
			nreq++;
	}
	return snemu_waitall(nreq, reqs, NULL) ?: ret;
}

/* Count the bytes of in that are not what peer s sent us. */
static uint64_t check(int rank, int n, size_t len, const unsigned char *in)
{
	uint64_t bad = 0;

	for (int s = 0; s < n; s++)
		for (size_t i = 0; s != rank && i < len; i++)
			bad += in[s * len + i] != byte_of(s, rank, i);
	return bad;
}

/* One timed round: barrier, all-to-all, barrier, then wait for everyone. */
static int round_trip(const struct bench *b, int rank, int n, int k,
		      unsigned char *out, unsigned char *in,
		      struct snemu_req **reqs)
{
	struct rank_times *rt = &b->times[rank];
	uint64_t v0;
	int ret;

	memset(in, 0, b->len * n);
	ret = snemu_barrier();
	rt->wall_start[k] = snemu_wall_ns();
	v0 = snemu_now();
	if (!ret && b->with_alltoall)
		ret = alltoall(rank, n, b->len, out, in, reqs);
	if (!ret)
		ret = snemu_barrier();
	rt->wall_end[k] = snemu_wall_ns();
	if (k == 1)
		rt->virt_ns = snemu_now() - v0;
	if (!ret)
		ret = snemu_barrier();
	if (!ret && b->with_alltoall)
		rt->bad += check(rank, n, b->len, in);
	return ret;
}

static int rank_main(void *arg)
{
	const struct bench *b = arg;
	struct snemu_req **reqs = NULL;
	unsigned char *out = NULL, *in = NULL;
	int ret, rank, n;

	ret = snemu_init(NULL, NULL);
	if (ret)
		goto out;
	rank = snemu_rank();
	n = snemu_size();
	out = malloc(b->len * n);
	in = malloc(b->len * n);
	reqs = malloc(2 * n * sizeof(*reqs));
	ret = -ENOMEM;
	if (!out || !in || !reqs)
		goto out;
	for (int d = 0; d < n; d++)
		for (size_t i = 0; i < b->len; i++)
			out[d * b->len + i] = byte_of(rank, d, i);
	ret = 0;
	for (int k = 0; k < ROUNDS && !ret; k++)
		ret = round_trip(b, rank, n, k, out, in, reqs);
	if (!ret)
		ret = snemu_finalize();
out:
	free(reqs);
	free(in);
	free(out);
	if (ret)
		fprintf(stderr, "rank: %s\n", snemu_strerror(ret));
	return ret ? 1 : 0;
}

/* The "events" of a report's "run" object. */
static uint64_t report_events(const char *path)
{
	char buf[4096], *p;
	size_t len;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strstr(buf, "\"events\": ");
	return p ? strtoull(p + 10, NULL, 10) : 0;
}

/* Run the job; return its engine events, and each round's span. */
static uint64_t run(struct emu_job *job, struct bench *b, uint64_t wall[ROUNDS])
{
	uint64_t bad = 0, events;
	int failed;

	memset(b->times, 0, job->nranks * sizeof(*b->times));
	failed = emu_run_job(job);
	/* A failed run may have written its report too: leave nothing. */
	events = failed ? 0 : report_events(job->report_path);
	unlink(job->report_path);
	if (failed) {
		fprintf(stderr, "bench_alltoall: the run failed\n");
		exit(1);
	}
	for (int k = 0; k < ROUNDS; k++) {
		uint64_t first = UINT64_MAX, last = 0;

		for (int r = 0; r < job->nranks; r++) {
			first = MIN(first, b->times[r].wall_start[k]);
			last = MAX(last, b->times[r].wall_end[k]);
		}
		wall[k] = last - first;
	}
	for (int r = 0; r < job->nranks; r++)
		bad += b->times[r].bad;
	if (bad || !events) {
		fprintf(stderr,
			"bench_alltoall: %" PRIu64 " wrong bytes, "
			"%" PRIu64 " events\n",
			bad, events);
		exit(1);
	}
	return events;
}

/* The same bytes moved by memcpy in one process, rank buffer to buffer. */
static uint64_t memcpy_baseline(int n, size_t len)
{
	size_t per = (size_t)n * len;
	unsigned char *out = malloc(per * n), *in = malloc(per * n);
	uint64_t t0, ns;

	if (!out || !in) {
		fprintf(stderr, "bench_alltoall: no memory for the baseline\n");
		exit(1);
	}
	/*
	 * Not zero: malloc and memset to zero become calloc, which leaves a
	 * fresh mapping untouched, and the first pass over in would time its
	 * page faults instead of the copies.
	 */
	memset(out, 1, per * n);
	memset(in, 2, per * n);
	t0 = snemu_wall_ns();
	for (int s = 0; s < n; s++)
		for (int d = 0; d < n; d++)
			if (s != d)
				memcpy(in + d * per + s * len,
				       out + s * per + d * len, len);
	ns = snemu_wall_ns() - t0;
	/* Rank 0's own slot is never copied; its slot from rank 1 is. */
	if (in[0] != 2 || (n > 1 && in[len] != 1))
		exit(1);
	free(in);
	free(out);
	return ns;
}

/* The first write of bytes of fresh shared memory (a memfd, as the arena). */
static uint64_t first_touch_baseline(size_t bytes)
{
	int fd = memfd_create("bench_alltoall", MFD_CLOEXEC);
	unsigned char *p = MAP_FAILED;
	uint64_t t0, ns;

	if (fd >= 0 && !ftruncate(fd, (off_t)bytes))
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "bench_alltoall: no memory for the baseline\n");
		exit(1);
	}
	t0 = snemu_wall_ns();
	memset(p, 1, bytes);
	ns = snemu_wall_ns() - t0;
	munmap(p, bytes);
	close(fd);
	return ns;
}

static void print_round(const char *what, uint64_t wall, uint64_t events,
			uint64_t base, const char *base_name)
{
	printf("  %-30s %7.3f s  %5.2f M events/s  %5.1fx %s\n", what,
	       wall / 1e9, events / (wall / 1e9) / 1e6, (double)wall / base,
	       base_name);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t first = UINT64_MAX, w[ROUNDS], *warm, frame, copy, touch;
	uint64_t events = 0;
	size_t nwarm = 0;
	struct bench b = {.len = 4096};
	struct emu_job job = {0};
	char spec[128], report[64];
	const char *preset;
	struct topo *t;
	int n = 0, reps = 3, c;

	while ((c = getopt(argc, argv, "n:s:r:")) != -1) {
		switch (c) {
		case 'n': n = bench_int_arg(c, 2, INT_MAX); break;
		case 's': b.len = bench_size_arg(c, 1, 1 << 30); break;
		case 'r': reps = bench_int_arg(c, 1, 1000000); break;
		default:
			fprintf(stderr, "usage: bench_alltoall [-n N] "
					"[-s BYTES] [-r REPS]\n");
			return 2;
		}
	}
	preset = topo_preset_names()[0];
	if (topo_load_preset(preset, &t, NULL))
		return 1;
	snprintf(spec, sizeof(spec), "preset:%s", preset);
	snprintf(report, sizeof(report), "/tmp/bench_alltoall.%d.json",
		 (int)getpid());
	job.topo = t;
	job.topo_spec = spec;
	job.nranks = n ? n : topo_num_endpoints(t);
	/* -n is parsed as at least 2; the default may still be fewer. */
	if (job.nranks < 2 || job.nranks > topo_num_endpoints(t)) {
		fprintf(stderr,
			"bench_alltoall: need 2 <= N <= %d ranks, the "
			"endpoints of %s (got N = %d)\n",
			topo_num_endpoints(t), preset, job.nranks);
		topo_destroy(t);
		return 2;
	}
	job.fn = rank_main;
	job.arg = &b;
	job.report_path = report;
	job.quiet = 1;
	b.times =
		mmap(NULL, job.nranks * sizeof(*b.times),
		     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	warm = malloc((size_t)reps * (ROUNDS - 1) * sizeof(*warm));
	if (b.times == MAP_FAILED || !warm) {
		fprintf(stderr, "bench_alltoall: no memory for %d launches\n",
			reps);
		return 1;
	}
	frame = run(&job, &b, w);
	b.with_alltoall = 1;
	for (int i = 0; i < reps; i++) {
		events = (run(&job, &b, w) - frame) / ROUNDS;
		first = MIN(first, w[0]);
		for (int k = 1; k < ROUNDS; k++)
			warm[nwarm++] = w[k];
	}
	qsort(warm, nwarm, sizeof(*warm), cmp_u64);
	copy = memcpy_baseline(job.nranks, b.len);
	touch = first_touch_baseline((size_t)job.nranks * (job.nranks - 1) *
				     b.len);

	printf("bench_alltoall: %d ranks x %zu B per pair = %.1f MiB on %s, "
	       "data checked, %d launches of %d all-to-alls\n",
	       job.nranks, b.len,
	       (double)job.nranks * (job.nranks - 1) * b.len / 1048576.0,
	       preset, reps, ROUNDS);
	printf("  engine events per all-to-all %" PRIu64
	       ", virtual time of the next %.3f us\n",
	       events, b.times[0].virt_ns / 1e3);
	print_round("first all-to-all, best", first, events, touch,
		    "first touch");
	print_round("next all-to-all, best", warm[0], events, copy, "memcpy");
	print_round("next all-to-all, median", warm[nwarm / 2], events, copy,
		    "memcpy");
	printf("  goal: < 1 s and > 1 M events/s\n");
	printf("  baseline: first touch          %7.3f s  fresh shared memory "
	       "for the payloads, one core\n",
	       touch / 1e9);
	printf("  baseline: memcpy               %7.3f s  the payloads, buffer "
	       "to buffer, one core\n",
	       copy / 1e9);
	free(warm);
	munmap(b.times, job.nranks * sizeof(*b.times));
	topo_destroy(t);
	return 0;
}
