/* SPDX-License-Identifier: MIT */
/* Groups of ranks: the world, a node, the same index across nodes. */
#include <stdlib.h>

#include "tools/coll/coll.h"

static int group_alloc(struct coll_group *g, int n)
{
	g->ranks = calloc(n, sizeof(*g->ranks));
	if (!g->ranks)
		return -ENOMEM;
	g->n = n;
	g->me = -1;
	return 0;
}

int coll_group_world(struct coll_group *g)
{
	int n = snemu_size(), ret;

	ret = group_alloc(g, n);
	if (ret)
		return ret;
	for (int i = 0; i < n; i++)
		g->ranks[i] = i;
	g->me = snemu_rank();
	return 0;
}

void coll_group_free(struct coll_group *g)
{
	free(g->ranks);
	g->ranks = NULL;
	g->n = 0;
}

/*
 * Dense node numbers in order of first rank: slot[r] = index of rank r in
 * its node, node[r] = dense node of r. Returns the number of nodes, or
 * -EXDEV when they differ in size.
 */
static int node_layout(int n, int *node, int *slot, int *per_node)
{
	int *dense, *fill, nnodes = 0, max_id = -1, ret;

	for (int r = 0; r < n; r++) {
		node[r] = snemu_node_of(r);
		if (node[r] < 0)
			return node[r];
		max_id = MAX(max_id, node[r]);
	}
	dense = malloc(2 * (max_id + 1) * sizeof(*dense));
	if (!dense)
		return -ENOMEM;
	fill = dense + max_id + 1;
	for (int i = 0; i <= max_id; i++)
		dense[i] = -1;
	for (int r = 0; r < n; r++) {
		int id = node[r];

		if (dense[id] < 0) {
			dense[id] = nnodes++;
			fill[id] = 0;
		}
		slot[r] = fill[id]++;
		node[r] = dense[id];
	}
	*per_node = n / nnodes;
	ret = nnodes;
	for (int i = 0; i <= max_id; i++)
		if (dense[i] >= 0 && fill[i] != *per_node)
			ret = -EXDEV;
	free(dense);
	return ret;
}

int coll_group_split(struct coll_group *local, struct coll_group *cross,
		     int **grid)
{
	int n = snemu_size(), me = snemu_rank(), per_node, nnodes, ret;
	int *node = malloc(2 * n * sizeof(*node)), *slot;

	if (!node)
		return -ENOMEM;
	slot = node + n;
	nnodes = node_layout(n, node, slot, &per_node);
	if (nnodes < 0) {
		ret = nnodes;
		goto out;
	}
	ret = group_alloc(local, per_node);
	if (ret)
		goto out;
	ret = group_alloc(cross, nnodes);
	if (ret) {
		coll_group_free(local);
		goto out;
	}
	if (grid) {
		*grid = malloc(n * sizeof(**grid));
		if (!*grid) {
			coll_group_free(local);
			coll_group_free(cross);
			ret = -ENOMEM;
			goto out;
		}
		for (int r = 0; r < n; r++)
			(*grid)[node[r] * per_node + slot[r]] = r;
	}
	for (int r = 0; r < n; r++) {
		if (node[r] == node[me])
			local->ranks[slot[r]] = r;
		if (slot[r] == slot[me])
			cross->ranks[node[r]] = r;
	}
	local->me = slot[me];
	cross->me = node[me];
out:
	free(node);
	return ret;
}
