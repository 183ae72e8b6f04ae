/* SPDX-License-Identifier: MIT */
/*
 * prog_ring [ROUNDS]: a token goes around the ring of all ranks ROUNDS
 * times (default 3); each rank adds its number, rank 0 checks the sum.
 */
#include <inttypes.h>
#include <stdint.h>

#include "prog.h"

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	int rank, n;
	uint64_t token, want;

	prog_init(&argc, &argv);
	rank = snemu_rank();
	n = snemu_size();
	want = (uint64_t)n * (n - 1) / 2;
	for (int r = 0; r < rounds && n > 1; r++) {
		if (rank == 0) {
			token = 1000 * (uint64_t)r;
			CHECK(snemu_send(1, r, &token, sizeof(token)));
			CHECK(snemu_recv(n - 1, r, &token, sizeof(token),
					 NULL));
			if (token != 1000 * (uint64_t)r + want)
				DIE("round %d: token %" PRIu64
				    ", want %" PRIu64,
				    r, token, 1000 * (uint64_t)r + want);
		} else {
			CHECK(snemu_recv(rank - 1, r, &token, sizeof(token),
					 NULL));
			token += rank;
			CHECK(snemu_send((rank + 1) % n, r, &token,
					 sizeof(token)));
		}
	}
	if (rank == 0)
		printf("ring: %d ranks, %d rounds ok, %.3f us\n", n, rounds,
		       snemu_now() / 1e3);
	CHECK(snemu_finalize());
	return 0;
}
