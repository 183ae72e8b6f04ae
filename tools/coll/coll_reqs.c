/* SPDX-License-Identifier: MIT */
/*
 * Batches of nonblocking requests completed by one waitall, with the first
 * error kept, so algorithms post without checking each call.
 */
#include <stdlib.h>

#include "tools/coll/coll.h"

int coll_reqs_init(struct coll_reqs *q, int cap)
{
	q->r = calloc(cap, sizeof(*q->r));
	if (!q->r)
		return -ENOMEM;
	q->n = 0;
	q->cap = cap;
	q->err = 0;
	return 0;
}

void coll_reqs_fini(struct coll_reqs *q)
{
	free(q->r);
	q->r = NULL;
}

static bool reqs_room(struct coll_reqs *q, size_t len)
{
	if (!len || q->err)
		return false;
	if (q->n == q->cap) {
		q->err = -ENOBUFS;
		return false;
	}
	return true;
}

void coll_reqs_send(struct coll_reqs *q, int dst, int tag, const void *buf,
		    size_t len)
{
	if (!reqs_room(q, len))
		return;
	q->err = snemu_isend(dst, tag, buf, len, &q->r[q->n]);
	if (!q->err)
		q->n++;
}

void coll_reqs_recv(struct coll_reqs *q, int src, int tag, void *buf,
		    size_t len)
{
	if (!reqs_room(q, len))
		return;
	q->err = snemu_irecv(src, tag, buf, len, &q->r[q->n]);
	if (!q->err)
		q->n++;
}

int coll_reqs_wait(struct coll_reqs *q)
{
	int ret = q->n ? snemu_waitall(q->n, q->r, NULL) : 0;

	if (q->err)
		ret = q->err;
	q->n = 0;
	q->err = 0;
	return ret;
}
