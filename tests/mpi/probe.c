/* SPDX-License-Identifier: MIT */
/*
 * probe: MPI_Probe / MPI_Iprobe. Every rank sends rank 0 a message whose
 * length rank 0 does not know; rank 0 probes with MPI_ANY_SOURCE, sizes
 * the buffer with MPI_Get_count, and receives exactly that message.
 * MPI_Iprobe for a tag nobody sends gives flag 0; an MPI_Iprobe loop ends
 * with the status of a message that is then received. A probe for a
 * specific tag skips an earlier message with another tag, and a probe
 * with MPI_ANY_TAG finds the earliest one.
 * Ranks: any N >= 2. Relies on standard-mode sends of messages of at most
 * 256 bytes completing before they are matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define TAG_SIZE   5
#define TAG_IPROBE 6
#define TAG_FIRST  7
#define TAG_SECOND 8
#define TAG_UNUSED 99
#define FIRST_CNT  3
#define SECOND_CNT 5

/* The length rank src uses: 0 to 50 ints, different for nearby ranks. */
static int msg_len(int src)
{
	return (src * 37) % 51;
}

static int value(int src, int tag, int i)
{
	return src * 100000 + tag * 1000 + i;
}

static void send_vals(int rank, int tag, int cnt)
{
	int buf[64], i;

	for (i = 0; i < cnt; i++)
		buf[i] = value(rank, tag, i);
	MPI_Send(buf, cnt, MPI_INT, 0, tag, MPI_COMM_WORLD);
}

static void recv_check(int src, int tag, int cnt, const char *what)
{
	MPI_Status st;
	int *buf, i, got = -1;

	buf = malloc((cnt + 1) * sizeof(int));
	buf[cnt] = -1;
	MPI_Recv(buf, cnt, MPI_INT, src, tag, MPI_COMM_WORLD, &st);
	MPI_Get_count(&st, MPI_INT, &got);
	CHECK(got == cnt, "rank 0: %s from %d: expected count %d, got %d\n",
	      what, src, cnt, got);
	for (i = 0; i < cnt && i < got; i++)
		CHECK(buf[i] == value(src, tag, i),
		      "rank 0: %s from %d [%d]: expected %d, got %d\n", what,
		      src, i, value(src, tag, i), buf[i]);
	CHECK(buf[cnt] == -1,
	      "rank 0: %s from %d wrote past count %d: got %d\n", what, src,
	      cnt, buf[cnt]);
	free(buf);
}

static void check_unknown_sizes(int rank, int size)
{
	MPI_Status st;
	char *seen;
	int i, src, cnt;

	if (rank != 0) {
		send_vals(rank, TAG_SIZE, msg_len(rank));
		return;
	}
	seen = calloc(size, 1);
	for (i = 1; i < size; i++) {
		st.MPI_SOURCE = -1;
		st.MPI_TAG = -1;
		MPI_Probe(MPI_ANY_SOURCE, TAG_SIZE, MPI_COMM_WORLD, &st);
		src = st.MPI_SOURCE;
		if (src < 1 || src >= size || seen[src]) {
			CHECK(0,
			      "rank 0: MPI_Probe %d: expected a new source in "
			      "[1, %d), got %d\n",
			      i, size, src);
			break;
		}
		seen[src] = 1;
		CHECK(st.MPI_TAG == TAG_SIZE,
		      "rank 0: MPI_Probe from %d: expected tag %d, got %d\n",
		      src, TAG_SIZE, st.MPI_TAG);
		cnt = -1;
		MPI_Get_count(&st, MPI_INT, &cnt);
		CHECK(cnt == msg_len(src),
		      "rank 0: MPI_Probe from %d: expected count %d, got %d\n",
		      src, msg_len(src), cnt);
		if (cnt < 0)
			break;
		recv_check(src, st.MPI_TAG, cnt, "probed receive");
	}
	free(seen);
}

static void check_iprobe(int rank, int size)
{
	MPI_Status st;
	int src, flag, cnt;

	if (rank != 0) {
		send_vals(rank, TAG_IPROBE, rank % 4 + 1);
		return;
	}

	flag = -1;
	MPI_Iprobe(MPI_ANY_SOURCE, TAG_UNUSED, MPI_COMM_WORLD, &flag,
		   MPI_STATUS_IGNORE);
	CHECK(flag == 0,
	      "rank 0: MPI_Iprobe for an unused tag: expected flag 0, got %d\n",
	      flag);

	for (src = size - 1; src >= 1; src--) {
		flag = 0;
		while (!flag)
			MPI_Iprobe(src, TAG_IPROBE, MPI_COMM_WORLD, &flag, &st);
		CHECK(st.MPI_SOURCE == src && st.MPI_TAG == TAG_IPROBE,
		      "rank 0: MPI_Iprobe: expected source %d tag %d, got "
		      "source %d tag %d\n",
		      src, TAG_IPROBE, st.MPI_SOURCE, st.MPI_TAG);
		cnt = -1;
		MPI_Get_count(&st, MPI_INT, &cnt);
		CHECK(cnt == src % 4 + 1,
		      "rank 0: MPI_Iprobe from %d: expected count %d, got %d\n",
		      src, src % 4 + 1, cnt);
		/* A second probe still sees the same, unreceived message. */
		flag = 0;
		MPI_Iprobe(src, TAG_IPROBE, MPI_COMM_WORLD, &flag, &st);
		CHECK(flag,
		      "rank 0: repeated MPI_Iprobe from %d: expected flag 1, "
		      "got %d\n",
		      src, flag);
		recv_check(src, TAG_IPROBE, src % 4 + 1, "iprobed receive");
	}
}

/*
 * Each rank sends rank 0 FIRST_CNT ints with TAG_FIRST, then SECOND_CNT
 * ints with TAG_SECOND. Rank 0 probes for TAG_SECOND first: it must see
 * the second message. Then MPI_ANY_TAG must see the first one.
 */
static void check_tag_skip(int rank, int size)
{
	MPI_Status st;
	int src, cnt;

	if (rank != 0) {
		send_vals(rank, TAG_FIRST, FIRST_CNT);
		send_vals(rank, TAG_SECOND, SECOND_CNT);
		return;
	}
	for (src = 1; src < size; src++) {
		MPI_Probe(src, TAG_SECOND, MPI_COMM_WORLD, &st);
		cnt = -1;
		MPI_Get_count(&st, MPI_INT, &cnt);
		CHECK(st.MPI_TAG == TAG_SECOND && cnt == SECOND_CNT,
		      "rank 0: MPI_Probe for tag %d from %d: expected tag %d "
		      "count %d, got tag %d count %d\n",
		      TAG_SECOND, src, TAG_SECOND, SECOND_CNT, st.MPI_TAG, cnt);
		recv_check(src, TAG_SECOND, SECOND_CNT, "tag-skip receive");

		MPI_Probe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
		cnt = -1;
		MPI_Get_count(&st, MPI_INT, &cnt);
		CHECK(st.MPI_TAG == TAG_FIRST && cnt == FIRST_CNT,
		      "rank 0: MPI_Probe for any tag from %d: expected tag %d "
		      "count %d, got tag %d count %d\n",
		      src, TAG_FIRST, FIRST_CNT, st.MPI_TAG, cnt);
		recv_check(src, TAG_FIRST, FIRST_CNT, "any-tag receive");
	}
}

int main(int argc, char **argv)
{
	int rank, size;

	mtest_init(&argc, &argv, 2, &rank, &size);

	check_unknown_sizes(rank, size);
	check_iprobe(rank, size);
	check_tag_skip(rank, size);
	return mtest_finish();
}
