/* SPDX-License-Identifier: MIT */
/*
 * prog_alltoall [BYTES]: every rank sends BYTES (default 4096) to every
 * other rank at once, and checks every byte it gets.
 */
#include <stdint.h>
#include <string.h>

#include "prog.h"

static unsigned char byte_of(int src, int dst, size_t i)
{
	return (unsigned char)(src * 131 + dst * 7 + i * 13 + (i >> 8));
}

int main(int argc, char **argv)
{
	size_t len = argc > 1 ? strtoull(argv[1], NULL, 0) : 4096;
	struct snemu_req **reqs;
	unsigned char *out, *in;
	int rank, n, nreq = 0;
	size_t bad = 0;

	prog_init(&argc, &argv);
	rank = snemu_rank();
	n = snemu_size();
	out = malloc(len * n);
	in = malloc(len * n);
	reqs = malloc(2 * n * sizeof(*reqs));
	if (!out || !in || !reqs)
		DIE("out of memory");
	memset(in, 0, len * n);
	for (int s = 1; s < n; s++) {
		int peer = (rank + s) % n;

		CHECK(snemu_irecv(peer, 1, in + peer * len, len,
				  &reqs[nreq++]));
		for (size_t i = 0; i < len; i++)
			out[peer * len + i] = byte_of(rank, peer, i);
		CHECK(snemu_isend(peer, 1, out + peer * len, len,
				  &reqs[nreq++]));
	}
	CHECK(snemu_waitall(nreq, reqs, NULL));
	for (int peer = 0; peer < n; peer++)
		for (size_t i = 0; peer != rank && i < len; i++)
			bad += in[peer * len + i] != byte_of(peer, rank, i);
	if (bad)
		DIE("%zu wrong bytes", bad);
	CHECK(snemu_barrier());
	if (rank == 0)
		printf("alltoall: %d ranks x %zu bytes ok, %.3f us\n", n, len,
		       snemu_now() / 1e3);
	CHECK(snemu_finalize());
	free(reqs);
	free(in);
	free(out);
	return 0;
}
