/* SPDX-License-Identifier: MIT */
/* Routes: parallel paths between two endpoints, as directed link ids. */
#include <errno.h>

#include "topology/topo_int.h"

static bool valid_pair(const struct topo *t, int src, int dst)
{
	return src >= 0 && src < t->neps && dst >= 0 && dst < t->neps &&
	       src != dst;
}

int topo_num_paths(const struct topo *t, int src, int dst)
{
	if (!valid_pair(t, src, dst))
		return -EINVAL;
	return t->paths[topo_is_local(t, src, dst)];
}

int topo_path(const struct topo *t, int src, int dst, int i, int *links,
	      int max_links)
{
	int hops;

	if (!valid_pair(t, src, dst) || i < 0 ||
	    i >= t->paths[topo_is_local(t, src, dst)])
		return -EINVAL;
	hops = topo_is_local(t, src, dst) ? 2 : 4;
	if (max_links < hops)
		return -ENOSPC;
	return topo_route(t, src, dst, i, links);
}
