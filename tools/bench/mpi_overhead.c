/* SPDX-License-Identifier: MIT */
/*
 * mpi_overhead API WORK: one program in two spellings, for the MPI
 * layer's host cost (tools/bench/bench_mpi.sh times whole runs of it).
 *   API   mpi: MPI_Init, MPI_Alltoall, MPI_Barrier, MPI_Finalize
 *         native: snemu_init, isend/irecv + waitall, snemu_barrier, ...
 *   WORK  init: start, one barrier, end
 *         alltoall: six all-to-alls of 4 KiB per pair, every byte checked
 * Exits 1 when a byte is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <snemu.h>

#define LEN    4096
#define ROUNDS 6

static unsigned char byte_of(int src, int dst, int round, size_t i)
{
	return (unsigned char)(src * 131 + dst * 7 + round * 29 + i * 13);
}

/* One all-to-all of the native API: every pair at once, one waitall. */
static int native_alltoall(const unsigned char *out, unsigned char *in, int me,
			   int n, struct snemu_req **reqs)
{
	int k = 0;

	for (int j = 0; j < n; j++)
		if (snemu_irecv(j, 0, in + (size_t)j * LEN, LEN, &reqs[k++]))
			return -1;
	for (int j = 0; j < n; j++)
		if (snemu_isend(j, 0, out + (size_t)j * LEN, LEN, &reqs[k++]))
			return -1;
	return snemu_waitall(k, reqs, NULL);
}

int main(int argc, char **argv)
{
	int mpi = argc > 1 && !strcmp(argv[1], "mpi");
	int a2a = argc > 2 && !strcmp(argv[2], "alltoall");
	unsigned char *out, *in;
	struct snemu_req **reqs;
	int me, n, wrong = 0;

	if (argc != 3) {
		fprintf(stderr,
			"usage: mpi_overhead mpi|native init|alltoall\n");
		return 2;
	}
	if (mpi) {
		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &me);
		MPI_Comm_size(MPI_COMM_WORLD, &n);
	} else if (snemu_init(&argc, &argv)) {
		return 2;
	} else {
		me = snemu_rank();
		n = snemu_size();
	}
	out = malloc((size_t)n * LEN);
	in = malloc((size_t)n * LEN);
	reqs = malloc(2 * n * sizeof(*reqs));
	if (!out || !in || !reqs)
		return 2;
	for (int r = 0; a2a && r < ROUNDS; r++) {
		for (int j = 0; j < n; j++)
			for (size_t i = 0; i < LEN; i++)
				out[(size_t)j * LEN + i] = byte_of(me, j, r, i);
		if (mpi)
			MPI_Alltoall(out, LEN, MPI_BYTE, in, LEN, MPI_BYTE,
				     MPI_COMM_WORLD);
		else if (native_alltoall(out, in, me, n, reqs))
			return 2;
		for (int j = 0; j < n; j++)
			for (size_t i = 0; i < LEN; i++)
				wrong += in[(size_t)j * LEN + i] !=
					 byte_of(j, me, r, i);
	}
	if (mpi) {
		MPI_Barrier(MPI_COMM_WORLD);
		MPI_Finalize();
	} else {
		snemu_barrier();
		snemu_finalize();
	}
	free(reqs);
	free(in);
	free(out);
	if (wrong)
		fprintf(stderr, "mpi_overhead: rank %d: %d wrong bytes\n", me,
			wrong);
	return wrong != 0;
}
