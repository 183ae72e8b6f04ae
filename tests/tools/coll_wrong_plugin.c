/* SPDX-License-Identifier: MIT */
/*
 * A collective library with bugs, for the tests: snemu coll must catch
 * them (#wrong > 0 or a failed run, non-zero exit). Its all-reduce reduces
 * to rank 0 and sends the result back, but drops the last rank's
 * contribution (float and int32 only); its all-gather puts every block
 * one slot off, and for int8 fails (-EIO) on rank 1 alone, so the others
 * wait for it forever; its broadcast forgets to send, so the others wait
 * forever.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <snemu_coll.h>

#define TAG 99

static int bad_allreduce(const void *sendbuf, void *recvbuf, size_t count,
			 enum snemu_coll_type type)
{
	size_t len = count * snemu_coll_type_size(type);
	int n = snemu_size(), me = snemu_rank(), ret = 0;
	int32_t *in;

	if (type != SNEMU_COLL_FLOAT32 && type != SNEMU_COLL_INT32)
		return -EOPNOTSUPP;
	memcpy(recvbuf, sendbuf, len);
	if (me) {
		ret = snemu_send(0, TAG, sendbuf, len);
		return ret ? ret : snemu_recv(0, TAG, recvbuf, len, NULL);
	}
	in = malloc(len + 1);
	if (!in)
		return -ENOMEM;
	for (int j = 1; j < n && !ret; j++) {
		ret = snemu_recv(j, TAG, in, len, NULL);
		for (size_t i = 0; j < n - 1 && i < count; i++) {
			if (type == SNEMU_COLL_FLOAT32)
				((float *)recvbuf)[i] += ((float *)in)[i];
			else
				((int32_t *)recvbuf)[i] += in[i];
		}
	}
	free(in);
	for (int j = 1; j < n && !ret; j++)
		ret = snemu_send(j, TAG, recvbuf, len);
	return ret;
}

static int bad_allgather(const void *sendbuf, void *recvbuf, size_t count,
			 enum snemu_coll_type type)
{
	size_t len = count * snemu_coll_type_size(type);
	int n = snemu_size(), me = snemu_rank(), ret = 0;
	char *r = recvbuf;

	if (type == SNEMU_COLL_INT8 && me == 1)
		return -EIO;
	/* rank j's block lands in slot j + 1: off by one */
	memcpy(r + (me + 1) % n * len, sendbuf, len);
	for (int s = 1; s < n && !ret; s++) {
		int to = (me + s) % n, from = (me - s + n) % n;
		struct snemu_req *req[2];

		ret = snemu_irecv(from, TAG, r + (from + 1) % n * len, len,
				  &req[0]);
		if (ret)
			break;
		ret = snemu_isend(to, TAG, sendbuf, len, &req[1]);
		ret = ret ? snemu_wait(req[0], NULL)
			  : snemu_waitall(2, req, NULL);
	}
	return ret;
}

static int bad_bcast(void *buf, size_t count, enum snemu_coll_type type,
		     int root)
{
	if (snemu_rank() == root)
		return 0;
	return snemu_recv(root, TAG, buf, count * snemu_coll_type_size(type),
			  NULL);
}

static const struct snemu_coll_plugin wrong = {
	.abi_version = SNEMU_COLL_ABI_VERSION,
	.name = "wrong",
	.allreduce = bad_allreduce,
	.allgather = bad_allgather,
	.bcast = bad_bcast,
};

const struct snemu_coll_plugin *snemu_coll_plugin(void)
{
	return &wrong;
}
