/* SPDX-License-Identifier: MIT */
/*
 * prog_deadlock: after a barrier, rank 0 enters another barrier and every
 * other rank r waits to receive from r + 1 (mod n) with tag r % 5. Nobody
 * sends: the launcher must find the deadlock and say who waits for what.
 */
#include "prog.h"

int main(int argc, char **argv)
{
	int rank, n, x;

	prog_init(&argc, &argv);
	rank = snemu_rank();
	n = snemu_size();
	CHECK(snemu_barrier());
	if (rank == 0)
		CHECK(snemu_barrier());
	else
		CHECK(snemu_recv((rank + 1) % n, rank % 5, &x, sizeof(x),
				 NULL));
	CHECK(snemu_finalize());
	return 0;
}
