/* SPDX-License-Identifier: MIT */
/*
 * prog_mixed: a workload whose timing depends on everything the engine
 * orders: wildcard receives completed by polling, eager and rendezvous
 * sizes, all-to-alls in groups completed by waitall, an incast, atomics
 * that race (one compare-and-swap wins), puts, signals waited for with
 * wait_until, and uneven compute. Rank 0 prints a fingerprint of what
 * happened; two runs must print the same and write byte-identical reports.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "prog.h"

#define SENDS	  3
#define MAXLEN	  (96u << 10)
#define PUT_LEN	  256
#define GROUP	  8
#define GROUP_LEN 1024u
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static const size_t sizes[SENDS] = {64, 8192, MAXLEN};

static int peer_of(int r, int k, int n)
{
	int p = (int)(((int64_t)r * 37 + k * 101 + 1) % n);

	return p == r ? (p + 1) % n : p;
}

static unsigned char byte_of(int src, int tag, size_t i)
{
	return (unsigned char)(src * 7 + tag * 31 + i);
}

/* Receive what the others send with wildcards, completing by polling. */
static void wildcard_phase(int rank, int n, unsigned char *out,
			   unsigned char *in)
{
	struct snemu_req *sreq[SENDS], *rreq;
	struct snemu_status st;
	int expect = 0, done;

	for (int s = 0; s < n && n > 1; s++)
		for (int k = 0; k < SENDS; k++)
			expect += peer_of(s, k, n) == rank;
	for (int k = 0; k < SENDS && n > 1; k++) {
		for (size_t i = 0; i < sizes[k]; i++)
			out[k * MAXLEN + i] = byte_of(rank, k, i);
		CHECK(snemu_isend(peer_of(rank, k, n), k, out + k * MAXLEN,
				  sizes[k], &sreq[k]));
	}
	for (int got = 0; got < expect; got++) {
		CHECK(snemu_irecv(SNEMU_ANY_SOURCE, SNEMU_ANY_TAG, in, MAXLEN,
				  &rreq));
		do {
			CHECK(snemu_compute(50));
			CHECK(snemu_test(rreq, &done, &st));
		} while (!done);
		if (st.tag < 0 || st.tag >= SENDS || st.len != sizes[st.tag])
			DIE("message from %d: tag %d, %zu bytes", st.source,
			    st.tag, st.len);
		for (size_t i = 0; i < st.len; i++)
			if (in[i] != byte_of(st.source, st.tag, i))
				DIE("bad byte %zu from %d", i, st.source);
	}
	if (n > 1)
		CHECK(snemu_waitall(SENDS, sreq, NULL));
	/* The incast's messages must not meet these wildcards. */
	CHECK(snemu_barrier());
}

/* An all-to-all among groups of 8 ranks, completed by one waitall. */
static void group_phase(int rank, int n, unsigned char *out, unsigned char *in)
{
	struct snemu_req *reqs[2 * GROUP];
	int first = rank / GROUP * GROUP, size = MIN(GROUP, n - first);
	int nreq = 0;

	for (int i = 0; i < size; i++) {
		int peer = first + i;

		if (peer == rank)
			continue;
		for (size_t j = 0; j < GROUP_LEN; j++)
			out[i * GROUP_LEN + j] = byte_of(rank, 7, j + peer);
		CHECK(snemu_irecv(peer, 7, in + i * GROUP_LEN, GROUP_LEN,
				  &reqs[nreq++]));
		CHECK(snemu_isend(peer, 7, out + i * GROUP_LEN, GROUP_LEN,
				  &reqs[nreq++]));
	}
	CHECK(snemu_waitall(nreq, reqs, NULL));
	for (int i = 0; i < size; i++)
		for (size_t j = 0; first + i != rank && j < GROUP_LEN; j++)
			if (in[i * GROUP_LEN + j] !=
			    byte_of(first + i, 7, j + rank))
				DIE("group: bad byte %zu from %d", j,
				    first + i);
}

/* Everyone sends to rank 0, which takes them in arrival order. */
static uint64_t incast_phase(int rank, int n)
{
	struct snemu_status st;
	uint64_t order = 0;
	int v = rank;

	if (rank) {
		CHECK(snemu_compute(13 * (uint64_t)(rank % 17)));
		CHECK(snemu_send(0, 9, &v, sizeof(v)));
		return 0;
	}
	for (int i = 1; i < n; i++) {
		CHECK(snemu_recv(SNEMU_ANY_SOURCE, 9, &v, sizeof(v), &st));
		if (v != st.source)
			DIE("incast: %d from %d", v, st.source);
		order = order * 1000003 + v;
	}
	return order;
}

/* Atomics and puts; returns the winner of the race for rank 0's word. */
static uint64_t window_phase(int rank, int n)
{
	unsigned char buf[PUT_LEN];
	struct snemu_win *win;
	uint64_t *base, want = 0, old;
	unsigned char *bytes;
	int left = (rank + n - 1) % n;

	CHECK(snemu_win_allocate(64 + PUT_LEN, (void **)&base, &win));
	bytes = (unsigned char *)base;
	CHECK(snemu_compute(7 * (uint64_t)(rank % 11)));
	CHECK(snemu_atomic_fadd(win, (int)((int64_t)rank * 7 % n), 0, rank + 1,
				NULL));
	CHECK(snemu_atomic_cas(win, 0, 8, 0, rank + 1, &old));
	for (int i = 0; i < PUT_LEN; i++)
		buf[i] = byte_of(rank, 5, i);
	CHECK(snemu_put(win, (rank + 1) % n, 64, buf, PUT_LEN));
	CHECK(snemu_flush(win, SNEMU_ANY_SOURCE));
	CHECK(snemu_barrier());
	for (int s = 0; s < n; s++)
		if ((int64_t)s * 7 % n == rank)
			want += s + 1;
	if (base[0] != want)
		DIE("fadd: %" PRIu64 ", want %" PRIu64, base[0], want);
	for (int i = 0; i < PUT_LEN; i++)
		if (bytes[64 + i] != byte_of(left, 5, i))
			DIE("put: bad byte %d from %d", i, left);
	old = base[1];
	CHECK(snemu_barrier());
	CHECK(snemu_win_free(win));
	return old;
}

/*
 * Each rank writes a slot of two others with put_signal, adding 1 to
 * their counter, and waits for its own counter to reach 2; the data must
 * be there. Returns when rank's second signal came.
 */
static uint64_t signal_phase(int rank, int n)
{
	static const int hop[2] = {1, 5};
	unsigned char buf[2][PUT_LEN];
	struct snemu_win *win;
	unsigned char *bytes;
	uint64_t *base, seen;

	CHECK(snemu_win_allocate(8 + 2 * PUT_LEN, (void **)&base, &win));
	bytes = (unsigned char *)base + 8;
	CHECK(snemu_compute(11 * (uint64_t)(rank % 13)));
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < PUT_LEN; i++)
			buf[k][i] = byte_of(rank, 11 + k, i);
		CHECK(snemu_put_signal(win, (rank + hop[k]) % n,
				       8 + k * PUT_LEN, buf[k], PUT_LEN, 0, 1,
				       SNEMU_SIGNAL_ADD));
	}
	CHECK(snemu_wait_until(win, 0, SNEMU_CMP_GE, 2, &seen));
	if (seen != 2)
		DIE("signal: counter %" PRIu64, seen);
	for (int k = 0; k < 2; k++) {
		int from = (rank + n - hop[k] % n) % n;

		for (int i = 0; i < PUT_LEN; i++)
			if (bytes[k * PUT_LEN + i] != byte_of(from, 11 + k, i))
				DIE("signal: bad byte %d from %d", i, from);
	}
	seen = snemu_now();
	CHECK(snemu_flush(win, SNEMU_ANY_SOURCE));
	CHECK(snemu_barrier());
	CHECK(snemu_win_free(win));
	return seen;
}

int main(int argc, char **argv)
{
	unsigned char *out, *in;
	uint64_t order, winner, signalled;
	int rank, n;

	prog_init(&argc, &argv);
	rank = snemu_rank();
	n = snemu_size();
	out = malloc(SENDS * MAXLEN);
	in = malloc(MAXLEN);
	if (!out || !in)
		DIE("out of memory");
	wildcard_phase(rank, n, out, in);
	group_phase(rank, n, out, in);
	order = incast_phase(rank, n);
	winner = window_phase(rank, n);
	signalled = signal_phase(rank, n);
	CHECK(snemu_compute(3 * (uint64_t)rank));
	CHECK(snemu_barrier());
	if (rank == 0)
		printf("mixed: %d ranks, incast order %016" PRIx64
		       ", cas winner %" PRIu64 ", signalled at %" PRIu64
		       " ns, clock %" PRIu64 " ns\n",
		       n, order, winner, signalled, snemu_now());
	CHECK(snemu_finalize());
	free(in);
	free(out);
	return 0;
}
