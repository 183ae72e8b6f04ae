/* SPDX-License-Identifier: MIT */
/*
 * prog_compute [MS]: each rank burns MS (default 20) ms of thread CPU time
 * between two calls, and prints the CPU time it measured itself and how
 * far its virtual clock moved meanwhile, less the 1000 ns it charges with
 * snemu_compute: 0 unless `snemu run --compute measured` charges the loop.
 */
#include <inttypes.h>
#include <stdint.h>
#include <time.h>

#include "prog.h"

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t burn_ns = 20000000, t0, c0, c1, t1;
	volatile uint64_t sink = 0;

	prog_init(&argc, &argv);
	if (argc > 1)
		burn_ns = strtoull(argv[1], NULL, 10) * 1000000;
	CHECK(snemu_barrier());
	t0 = snemu_now();
	c0 = cpu_ns();
	do
		sink++;
	while ((c1 = cpu_ns()) - c0 < burn_ns);
	CHECK(snemu_compute(1000));
	t1 = snemu_now();
	printf("rank %d: cpu %" PRIu64 " ns, virtual %" PRIu64 " ns\n",
	       snemu_rank(), c1 - c0, t1 - t0 - 1000);
	CHECK(snemu_barrier());
	CHECK(snemu_finalize());
	return 0;
}
