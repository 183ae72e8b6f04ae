/* SPDX-License-Identifier: MIT */
/*
 * bench_bandwidth [-s BYTES] [-w WINDOW] [-n WINDOWS] [-r REPS]: payload
 * bandwidth (wall clock) of BYTES-byte messages (default 1 MiB) from rank
 * 0 to rank 1, osu_bw style: WINDOW (default 64) nonblocking sends in
 * flight, all from one buffer into one buffer, then a 0-byte
 * acknowledgement; WINDOWS (default 16) of them are timed. Baseline,
 * measured in the same run: one thread memcpy-ing the same bytes between
 * two BYTES-byte buffers, and process_vm_readv alone. snemu is measured
 * twice: with private buffers (page-aligned malloc) on both ranks, which
 * the ranks can only reach in each other with CMA, and with device memory
 * (snemu_mem_alloc) on both, which they copy with memcpy. Each is measured
 * REPS times (default 5), alternating; medians are compared.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
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

struct shared {
	uint64_t wall_ns; /* rank 0: the timed windows */
	uint64_t virt_ns; /* rank 0: their virtual time */
	uint64_t bad;	  /* bytes rank 1 found wrong */
	int failed;
};

struct bench {
	size_t len;
	int window, windows;
	bool device; /* device memory on both ranks, else private buffers */
	struct shared *sh;
};

/* The byte at i of message k. */
static unsigned char byte_of(int k, size_t i)
{
	return (unsigned char)(k * 37 + i * 13 + (i >> 12));
}

/* One window: rank 0 sends w messages, rank 1 takes them and acks. */
static int window(const struct bench *b, int me, unsigned char *buf,
		  struct snemu_req **reqs)
{
	int ret = 0, n = 0;

	for (int k = 0; k < b->window && !ret; k++, n += !ret)
		ret = me ? snemu_irecv(0, 1, buf, b->len, &reqs[k])
			 : snemu_isend(1, 1, buf, b->len, &reqs[k]);
	ret = snemu_waitall(n, reqs, NULL) ?: ret;
	if (ret)
		return ret;
	return me ? snemu_send(0, 2, NULL, 0) : snemu_recv(1, 2, NULL, 0, NULL);
}

static int rank_main(void *arg)
{
	struct bench *b = arg;
	int me, ret;
	unsigned char *buf = NULL, *dev = NULL;
	struct snemu_req **reqs = calloc(b->window, sizeof(*reqs));
	uint64_t t0, v0;

	ret = snemu_init(NULL, NULL);
	if (ret || !reqs)
		goto out;
	me = snemu_rank();
	/* Device memory is in the fabric's segment: memcpy, no CMA. */
	if (b->device) {
		ret = snemu_mem_alloc(b->len, (void **)&dev);
		buf = dev;
	} else {
		/* Page-aligned, as device memory is: see cma_bw. */
		buf = aligned_alloc(4096, b->len);
		ret = buf ? 0 : -ENOMEM;
		if (buf)
			memset(buf, 0, b->len);
	}
	if (ret)
		goto out;
	for (size_t i = 0; !me && i < b->len; i++)
		buf[i] = byte_of(1, i);
	/* The first window faults the pages in; it is not timed. */
	ret = window(b, me, buf, reqs);
	t0 = snemu_wall_ns();
	v0 = snemu_now();
	for (int w = 0; w < b->windows && !ret; w++)
		ret = window(b, me, buf, reqs);
	if (!me) {
		b->sh->wall_ns = snemu_wall_ns() - t0;
		b->sh->virt_ns = snemu_now() - v0;
	}
	for (size_t i = 0; me && !ret && i < b->len; i++)
		b->sh->bad += buf[i] != byte_of(1, i);
	if (!ret && dev)
		ret = snemu_mem_free(dev);
	if (!ret)
		ret = snemu_finalize();
out:
	if (ret)
		b->sh->failed = 1;
	if (!b->device)
		free(buf);
	free(reqs);
	return ret ? 1 : 0;
}

/* Payload bytes per second through snemu. */
static double snemu_bw(struct bench *b, const struct topo *t)
{
	struct emu_job job = {
		.topo = t,
		.topo_spec = "preset:cloudmatrix384",
		.nranks = 2,
		.fn = rank_main,
		.arg = b,
		.quiet = 1,
	};

	memset(b->sh, 0, sizeof(*b->sh));
	if (emu_run_job(&job) || b->sh->failed || b->sh->bad) {
		fprintf(stderr,
			"bench_bandwidth: the snemu run failed (%" PRIu64
			" wrong bytes)\n",
			b->sh->bad);
		exit(1);
	}
	return (double)b->len * b->window * b->windows * 1e9 / b->sh->wall_ns;
}

/* Bytes per second of memcpy between two len-byte buffers. */
static double memcpy_bw(const struct bench *b)
{
	size_t n = (size_t)b->window * b->windows;
	char *src = aligned_alloc(4096, b->len);
	char *dst = aligned_alloc(4096, b->len);
	uint64_t t0;

	if (!src || !dst)
		exit(1);
	memset(src, 1, b->len);
	memset(dst, 2, b->len);
	t0 = snemu_wall_ns();
	for (size_t i = 0; i < n; i++) {
		memcpy(dst, src, b->len);
		/* Keep the copy: the compiler may not drop it. */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	t0 = snemu_wall_ns() - t0;
	free(src);
	free(dst);
	return (double)b->len * n * 1e9 / t0;
}

/*
 * Bytes per second of process_vm_readv alone, one process reading a
 * len-byte buffer of another: what one core gets from the kernel's
 * single-copy path, for reference.
 */
static double cma_bw(const struct bench *b)
{
	size_t n = (size_t)b->window * b->windows;
	/*
	 * Page-aligned, as the ranks' buffers are alike (1 MiB calloc: a
	 * fresh mapping, 16 bytes in): a destination a few bytes ahead of
	 * the source in its page runs five times slower on AMD Zen (4K
	 * aliasing in the kernel's rep movsb).
	 */
	char *src = aligned_alloc(4096, b->len), *x = &(char){0};
	char *dst = aligned_alloc(4096, b->len);
	int ready[2], done[2];
	uint64_t t0;
	pid_t pid;

	if (!src || !dst || pipe(ready) || pipe(done))
		exit(1);
	memset(dst, 2, b->len);
	pid = fork();
	if (pid < 0)
		exit(1);
	if (!pid) {
		/* src is at the same address here: fill it (its own pages),
		 * say so, and wait to be read. */
		memset(src, 1, b->len);
		close(done[1]);
		if (write(ready[1], x, 1) != 1)
			_exit(1);
		_exit(read(done[0], x, 1) < 0);
	}
	if (read(ready[0], x, 1) != 1)
		exit(1);
	t0 = snemu_wall_ns();
	for (size_t i = 0; i < n; i++)
		if (shm_cma_read(pid, dst, (uintptr_t)src, b->len))
			exit(1);
	t0 = snemu_wall_ns() - t0;
	close(done[1]);
	waitpid(pid, NULL, 0);
	close(done[0]);
	close(ready[0]);
	close(ready[1]);
	free(src);
	free(dst);
	return (double)b->len * n * 1e9 / t0;
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
	struct bench b = {.len = 1 << 20, .window = 64, .windows = 16};
	double base[32], cma[32], priv[32], dev[32], mb, cb, pb, db;
	struct topo *t;
	int reps = 5, opt;

	while ((opt = getopt(argc, argv, "s:w:n:r:")) != -1) {
		switch (opt) {
		case 's': b.len = bench_size_arg(opt, 1, 1 << 30); break;
		case 'w': b.window = bench_int_arg(opt, 1, 1000000); break;
		case 'n': b.windows = bench_int_arg(opt, 1, 1000000000); break;
		case 'r': reps = bench_int_arg(opt, 1, ARRAY_SIZE(base)); break;
		default:
			fprintf(stderr, "usage: bench_bandwidth [-s BYTES] "
					"[-w WINDOW] [-n WINDOWS] [-r REPS]\n");
			return 2;
		}
	}
	b.sh = mmap(NULL, sizeof(*b.sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b.sh == MAP_FAILED || topo_load_preset("cloudmatrix384", &t, NULL))
		return 1;
	for (int r = 0; r < reps; r++) {
		base[r] = memcpy_bw(&b);
		cma[r] = cma_bw(&b);
		b.device = false;
		priv[r] = snemu_bw(&b, t);
		b.device = true;
		dev[r] = snemu_bw(&b, t);
	}
	mb = median(base, reps);
	cb = median(cma, reps);
	pb = median(priv, reps);
	db = median(dev, reps);
	printf("bench_bandwidth: %zu-byte messages, rank 0 -> 1, window %d, "
	       "%d windows x %d runs (medians)\n",
	       b.len, b.window, b.windows, reps);
	printf("  memcpy, one thread          %8.2f GB/s\n", mb / 1e9);
	printf("  process_vm_readv alone      %8.2f GB/s (one core)\n",
	       cb / 1e9);
	printf("  snemu, private buffers      %8.2f GB/s (virtual: %.2f "
	       "GB/s)\n",
	       pb / 1e9, (double)b.len * b.window * b.windows / b.sh->virt_ns);
	printf("  snemu, device memory        %8.2f GB/s\n", db / 1e9);
	printf("  ratio device memory / memcpy   %5.2f (goal: at least 0.5)\n",
	       db / mb);
	/* Private buffers cannot beat CMA, on at most two cores at once. */
	printf("  ratio private buffers / memcpy %5.2f (bounded by the "
	       "process_vm_readv figure above: 2 x %.2f = %.2f)\n",
	       pb / mb, cb / mb, 2 * cb / mb);
	topo_destroy(t);
	return 0;
}
