/* SPDX-License-Identifier: MIT */
/*
 * bench_pingpong [-i ITERS] [-s BYTES] [-r REPS]: wall time per one-way
 * message of a 2-rank ping-pong through snemu (launcher, engine, API),
 * against the floor for any design that sleeps while waiting: a raw
 * ping-pong between two processes on shared memory, one plain futex wake
 * and wait per one-way message. Both are measured REPS times (default 5),
 * alternating, and the medians are compared.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snemu.h"
#include "common/common.h"
#include "tools/bench/bench_args.h"
#include "emu/emu.h"
#include "topology/topo.h"
#include "transport/transport.h"

#define WARMUP 200

struct shared {
	uint32_t turn;	  /* raw baseline: the futex word */
	uint64_t wall_ns; /* what rank 0 measured */
	uint64_t virt_ns; /* its virtual one-way time */
	int failed;
};

struct bench {
	int iters;
	size_t len;
	struct shared *sh;
};

/* Rounds [from, to) of one side of the raw ping-pong: turn 2i is side
 * 0's, 2i+1 side 1's; each side waits for its turn, passes it, wakes. */
static void raw_side(uint32_t *turn, int side, int from, int to)
{
	for (int i = from; i < to; i++) {
		uint32_t mine = 2 * i + side, v;

		while ((v = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != mine)
			shm_futex_wait(turn, v, NULL);
		__atomic_store_n(turn, mine + 1, __ATOMIC_RELEASE);
		shm_futex_wake(turn, 1);
	}
}

/* ns per one-way message of the raw futex ping-pong. */
static double raw_pingpong(struct bench *b)
{
	uint32_t *turn = &b->sh->turn;
	uint64_t t0;
	pid_t pid;

	*turn = 0;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		raw_side(turn, 1, 0, WARMUP + b->iters);
		_exit(0);
	}
	raw_side(turn, 0, 0, WARMUP);
	t0 = snemu_wall_ns();
	/* Side 0 returns after its last turn; wait for the reply too. */
	raw_side(turn, 0, WARMUP, WARMUP + b->iters);
	while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) !=
	       2 * (uint32_t)(WARMUP + b->iters))
		shm_futex_wait(turn, 2 * (WARMUP + b->iters) - 1, NULL);
	t0 = snemu_wall_ns() - t0;
	waitpid(pid, NULL, 0);
	return (double)t0 / (2.0 * b->iters);
}

static int rank_main(void *arg)
{
	struct bench *b = arg;
	char *buf = calloc(1, b->len ? b->len : 1);
	int me, other, ret = 0;
	uint64_t t0 = 0, v0 = 0;

	if (!buf || snemu_init(NULL, NULL))
		goto fail;
	me = snemu_rank();
	other = 1 - me;
	for (int i = 0; i < WARMUP + b->iters && !ret; i++) {
		if (i == WARMUP) {
			t0 = snemu_wall_ns();
			v0 = snemu_now();
		}
		if (me) {
			ret = snemu_recv(other, 0, buf, b->len, NULL)
				      ?: snemu_send(other, 0, buf, b->len);
		} else {
			ret = snemu_send(other, 0, buf, b->len)
				      ?: snemu_recv(other, 0, buf, b->len,
						    NULL);
		}
	}
	if (!me) {
		b->sh->wall_ns = snemu_wall_ns() - t0;
		b->sh->virt_ns = (snemu_now() - v0) / (2 * b->iters);
	}
	if (ret || snemu_finalize())
		goto fail;
	free(buf);
	return 0;
fail:
	b->sh->failed = 1;
	free(buf);
	return 1;
}

/* ns per one-way message of the snemu ping-pong. */
static double snemu_pingpong(struct bench *b, const struct topo *t)
{
	struct emu_job job = {
		.topo = t,
		.topo_spec = "preset:cloudmatrix384",
		.nranks = 2,
		.fn = rank_main,
		.arg = b,
		.quiet = 1,
	};

	if (emu_run_job(&job) || b->sh->failed) {
		fprintf(stderr, "bench_pingpong: the snemu run failed\n");
		exit(1);
	}
	return (double)b->sh->wall_ns / (2.0 * b->iters);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	struct bench b = {.iters = 20000, .len = 8};
	double raw[32], emu[32];
	struct topo *t;
	int reps = 5, opt;

	while ((opt = getopt(argc, argv, "i:s:r:")) != -1) {
		switch (opt) {
		/* At most 1e9: the futex turn, 2 * (WARMUP + ITERS), fits. */
		case 'i': b.iters = bench_int_arg(opt, 1, 1000000000); break;
		case 's': b.len = bench_size_arg(opt, 0, 1 << 30); break;
		case 'r': reps = bench_int_arg(opt, 1, ARRAY_SIZE(raw)); break;
		default:
			fprintf(stderr, "usage: bench_pingpong [-i ITERS] "
					"[-s BYTES] [-r REPS]\n");
			return 2;
		}
	}
	b.sh = mmap(NULL, sizeof(*b.sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b.sh == MAP_FAILED || topo_load_preset("cloudmatrix384", &t, NULL))
		return 1;
	for (int r = 0; r < reps; r++) {
		raw[r] = raw_pingpong(&b);
		emu[r] = snemu_pingpong(&b, t);
	}
	printf("bench_pingpong: %zu-byte ping-pong, 2 processes, %d round "
	       "trips x %d runs (medians)\n",
	       b.len, b.iters, reps);
	printf("  raw futex ping-pong   %8.2f us per one-way message\n",
	       median(raw, reps) / 1000);
	printf("  snemu ping-pong       %8.2f us per one-way message "
	       "(virtual: %" PRIu64 " ns)\n",
	       median(emu, reps) / 1000, b.sh->virt_ns);
	printf("  ratio snemu / raw     %8.2f (goal: at most 2)\n",
	       median(emu, reps) / median(raw, reps));
	topo_destroy(t);
	return 0;
}
