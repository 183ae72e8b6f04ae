/* SPDX-License-Identifier: MIT */
/*
 * A complete, deliberately simple collective library for `snemu coll
 * --plugin`: every operation talks to every peer directly (n - 1 messages
 * each way), which is correct and easy to read, not fast. Build one like
 * it outside the tree with
 *
 *	cc -shared -fPIC -o myplugin.so myplugin.c $(pkg-config --cflags snemu)
 *
 * (no -lsnemu: the snemu tool provides the endpoint API) and run
 *
 *	snemu coll --plugin ./myplugin.so --op allreduce -n 8
 *
 * It implements all-reduce, all-gather, broadcast and all-to-all;
 * reduce-scatter and MoE are left out (NULL) to show "unsupported".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snemu_coll.h>

#define TAG 77

static float bf16_to_float(uint16_t b)
{
	uint32_t u = (uint32_t)b << 16;
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static uint16_t float_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	u += 0x7fff + ((u >> 16) & 1); /* nearest even; no NaN here */
	return (uint16_t)(u >> 16);
}

static void add(void *dst, const void *src, size_t n, enum snemu_coll_type t)
{
	for (size_t i = 0; i < n; i++) {
		switch (t) {
		case SNEMU_COLL_FLOAT32:
			((float *)dst)[i] += ((const float *)src)[i];
			break;
		case SNEMU_COLL_BF16:
			((uint16_t *)dst)[i] = float_to_bf16(
				bf16_to_float(((uint16_t *)dst)[i]) +
				bf16_to_float(((const uint16_t *)src)[i]));
			break;
		case SNEMU_COLL_INT32:
			((uint32_t *)dst)[i] += ((const uint32_t *)src)[i];
			break;
		case SNEMU_COLL_INT8:
			((uint8_t *)dst)[i] += ((const uint8_t *)src)[i];
			break;
		}
	}
}

/*
 * Send block j of sbuf (blen bytes, or all of sbuf when stride is 0) to
 * every rank j and receive rank j's into block j of rbuf, all at once.
 */
static int exchange(const char *sbuf, size_t stride, char *rbuf, size_t blen)
{
	int n = snemu_size(), me = snemu_rank(), nreq = 0, ret = 0;
	struct snemu_req **reqs = calloc(2 * n, sizeof(*reqs));

	if (!reqs)
		return -ENOMEM;
	memcpy(rbuf + me * blen, sbuf + me * stride, blen);
	for (int j = 0; j < n && !ret && blen; j++)
		if (j != me)
			ret = snemu_irecv(j, TAG, rbuf + j * blen, blen,
					  &reqs[nreq++]);
	for (int j = 0; j < n && !ret && blen; j++)
		if (j != me)
			ret = snemu_isend(j, TAG, sbuf + j * stride, blen,
					  &reqs[nreq++]);
	if (ret) /* the failed post made no request */
		nreq--;
	if (nreq) {
		int wret = snemu_waitall(nreq, reqs, NULL);

		if (!ret)
			ret = wret;
	}
	free(reqs);
	return ret;
}

static int ex_allreduce(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type type)
{
	size_t len = count * snemu_coll_type_size(type);
	int n = snemu_size(), ret;
	char *all = malloc(n * len + 1);

	if (!all)
		return -ENOMEM;
	/* everyone gets everyone's vector, then sums in rank order */
	ret = exchange(sendbuf, 0, all, len);
	if (!ret) {
		memcpy(recvbuf, all, len);
		for (int j = 1; j < n; j++)
			add(recvbuf, all + j * len, count, type);
	}
	free(all);
	return ret;
}

static int ex_allgather(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type type)
{
	return exchange(sendbuf, 0, recvbuf,
			count * snemu_coll_type_size(type));
}

static int ex_alltoall(const void *sendbuf, void *recvbuf, size_t count,
		       enum snemu_coll_type type)
{
	size_t len = count * snemu_coll_type_size(type);

	return exchange(sendbuf, len, recvbuf, len);
}

static int ex_bcast(void *buf, size_t count, enum snemu_coll_type type,
		    int root)
{
	size_t len = count * snemu_coll_type_size(type);
	int n = snemu_size(), me = snemu_rank();

	if (root < 0 || root >= n)
		return -EINVAL;
	if (!len)
		return 0;
	if (me != root)
		return snemu_recv(root, TAG, buf, len, NULL);
	for (int j = 0; j < n; j++) {
		int ret = j == root ? 0 : snemu_send(j, TAG, buf, len);

		if (ret)
			return ret;
	}
	return 0;
}

static const struct snemu_coll_plugin example = {
	.abi_version = SNEMU_COLL_ABI_VERSION,
	.name = "example",
	.allreduce = ex_allreduce,
	.allgather = ex_allgather,
	.bcast = ex_bcast,
	.alltoall = ex_alltoall,
};

const struct snemu_coll_plugin *snemu_coll_plugin(void)
{
	return &example;
}
