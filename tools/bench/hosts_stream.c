/* SPDX-License-Identifier: MIT */
/*
 * hosts_stream [MIB [COUNT]]: for tools/bench/bench_hosts.sh. Rank r of
 * the first half sends COUNT (default 64) messages of MIB MiB (default 1)
 * to rank r + n/2, from device memory into device memory, as a library
 * would; on 2 hosts every byte crosses. Rank 0 prints the wall time from
 * the barrier before to the barrier after, and the bytes moved. The first
 * and last word of every message are checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "snemu.h"

int main(int argc, char **argv)
{
	size_t len = (argc > 1 ? strtoull(argv[1], NULL, 0) : 1) << 20;
	int count = argc > 2 ? atoi(argv[2]) : 64, rank, n, half;
	uint64_t *buf, t0;

	if (snemu_init(&argc, &argv) || snemu_mem_alloc(len, (void **)&buf))
		return 1;
	rank = snemu_rank();
	n = snemu_size();
	half = n / 2;
	memset(buf, rank, len);
	snemu_barrier();
	t0 = snemu_wall_ns();
	for (int i = 0; i < count && rank < 2 * half; i++) {
		if (rank < half) {
			buf[0] = buf[len / 8 - 1] = i;
			if (snemu_send(rank + half, i, buf, len))
				return 1;
		} else if (snemu_recv(rank - half, i, buf, len, NULL) ||
			   buf[0] != (uint64_t)i ||
			   buf[len / 8 - 1] != (uint64_t)i) {
			fprintf(stderr,
				"hosts_stream: rank %d: message %d "
				"wrong\n",
				rank, i);
			return 1;
		}
	}
	snemu_barrier();
	if (!rank)
		printf("hosts_stream: %" PRIu64 " bytes in %" PRIu64 " ns\n",
		       (uint64_t)half * count * len, snemu_wall_ns() - t0);
	snemu_mem_free(buf);
	return snemu_finalize() ? 1 : 0;
}
