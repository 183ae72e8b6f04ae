/* SPDX-License-Identifier: MIT */
/* All-gather: ring, each rank's block travelling n - 1 hops. */
#include <string.h>

#include "tools/coll/coll.h"

int coll_allgather_ring(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type t)
{
	size_t ts = snemu_coll_type_size(t);
	struct coll_group g;
	int ret = coll_group_world(&g);

	if (ret)
		return ret;
	memcpy((char *)recvbuf + g.me * count * ts, sendbuf, count * ts);
	ret = coll_ring_pass(&g, recvbuf, count * g.n, t, g.me, false);
	coll_group_free(&g);
	return ret;
}
