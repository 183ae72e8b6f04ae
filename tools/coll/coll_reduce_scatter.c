/* SPDX-License-Identifier: MIT */
/* Reduce-scatter: ring, on a copy of the input (the pass adds in place). */
#include <stdlib.h>
#include <string.h>

#include "tools/coll/coll.h"

int coll_reduce_scatter_ring(const void *sendbuf, void *recvbuf, size_t count,
			     enum snemu_coll_type t)
{
	size_t ts = snemu_coll_type_size(t);
	struct coll_group g;
	char *work;
	int ret = coll_group_world(&g);

	if (ret)
		return ret;
	work = malloc(g.n * count * ts + 1);
	if (!work) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(work, sendbuf, g.n * count * ts);
	ret = coll_ring_pass(&g, work, g.n * count, t, g.me - 1, true);
	if (!ret)
		memcpy(recvbuf, work + g.me * count * ts, count * ts);
	free(work);
out:
	coll_group_free(&g);
	return ret;
}
