/* SPDX-License-Identifier: MIT */
/* Groups: ordered sets of the run's ranks, and their algebra. */
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

struct snemu_mpi_group snemu_mpi_group_empty = {
	.rank = MPI_UNDEFINED,
	.predefined = true,
};

int mpi_group_new(const int *world, int n, MPI_Group *out)
{
	MPI_Group g = calloc(1, sizeof(*g));

	if (!g || !(g->world = malloc(n * sizeof(*world) + 1))) {
		free(g);
		return MPI_ERR_NO_MEM;
	}
	memcpy(g->world, world, n * sizeof(*world));
	g->size = n;
	g->rank = MPI_UNDEFINED;
	for (int i = 0; i < n; i++)
		if (world[i] == snemu_rank())
			g->rank = i;
	*out = g;
	return MPI_SUCCESS;
}

/* Index of world rank w in g, or MPI_UNDEFINED. */
static int index_of(MPI_Group g, int w)
{
	for (int i = 0; i < g->size; i++)
		if (g->world[i] == w)
			return i;
	return MPI_UNDEFINED;
}

static int group_check(MPI_Group g)
{
	return mpi_state != 1 ? MPI_ERR_OTHER : g ? MPI_SUCCESS : MPI_ERR_GROUP;
}

int MPI_Group_size(MPI_Group group, int *size)
{
	int err = group_check(group);

	if (!err && !size)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(NULL, err, __func__);
	*size = group->size;
	return MPI_SUCCESS;
}

int MPI_Group_rank(MPI_Group group, int *rank)
{
	int err = group_check(group);

	if (!err && !rank)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(NULL, err, __func__);
	*rank = group->rank;
	return MPI_SUCCESS;
}

/*
 * The members of g that keep says to keep (keep[i] for member i), in
 * order; or, with pick, the members pick[0..n) in that order.
 */
static int subgroup(MPI_Group g, const bool *keep, const int *pick, int n,
		    MPI_Group *out)
{
	int *world = malloc(g->size * sizeof(*world) + 1), k = 0, err;

	if (!world)
		return MPI_ERR_NO_MEM;
	if (pick)
		for (int i = 0; i < n; i++)
			world[k++] = g->world[pick[i]];
	else
		for (int i = 0; i < g->size; i++)
			if (keep[i])
				world[k++] = g->world[i];
	err = mpi_group_new(world, k, out);
	free(world);
	return err;
}

/* Ranks of g, each at most once: else MPI_ERR_RANK. */
static int check_ranks(MPI_Group g, int n, const int *ranks, bool *seen)
{
	memset(seen, 0, g->size);
	for (int i = 0; i < n; i++) {
		if (ranks[i] < 0 || ranks[i] >= g->size || seen[ranks[i]])
			return MPI_ERR_RANK;
		seen[ranks[i]] = true;
	}
	return MPI_SUCCESS;
}

static int incl_excl(MPI_Group g, int n, const int *ranks, bool incl,
		     MPI_Group *out)
{
	int err = group_check(g);
	bool *seen;

	if (!err && (n < 0 || (n && !ranks) || !out || n > g->size))
		err = MPI_ERR_ARG;
	if (err)
		return err;
	seen = malloc(g->size + 1);
	if (!seen)
		return MPI_ERR_NO_MEM;
	err = check_ranks(g, n, ranks, seen);
	if (!err && incl) {
		err = subgroup(g, NULL, ranks, n, out);
	} else if (!err) {
		for (int i = 0; i < g->size; i++)
			seen[i] = !seen[i];
		err = subgroup(g, seen, NULL, 0, out);
	}
	free(seen);
	return err;
}

int MPI_Group_incl(MPI_Group group, int n, const int ranks[],
		   MPI_Group *newgroup)
{
	return mpi_raise(NULL, incl_excl(group, n, ranks, true, newgroup),
			 __func__);
}

int MPI_Group_excl(MPI_Group group, int n, const int ranks[],
		   MPI_Group *newgroup)
{
	return mpi_raise(NULL, incl_excl(group, n, ranks, false, newgroup),
			 __func__);
}

/* The ranks of n (first, last, stride) triplets, in order; or -errclass. */
static int expand_ranges(MPI_Group g, int n, int ranges[][3], int **out)
{
	int total = 0, *r, k = 0;

	for (int i = 0; i < n; i++) {
		int f = ranges[i][0], l = ranges[i][1], s = ranges[i][2];

		if (!s || f < 0 || f >= g->size || l < 0 || l >= g->size ||
		    (s > 0 && f > l) || (s < 0 && f < l))
			return -MPI_ERR_RANK;
		total += (l - f) / s + 1;
		if (total > g->size)
			return -MPI_ERR_RANK;
	}
	r = malloc(total * sizeof(*r) + 1);
	if (!r)
		return -MPI_ERR_NO_MEM;
	for (int i = 0; i < n; i++)
		for (int x = ranges[i][0];
		     ranges[i][2] > 0 ? x <= ranges[i][1] : x >= ranges[i][1];
		     x += ranges[i][2])
			r[k++] = x;
	*out = r;
	return k;
}

static int range(MPI_Group g, int n, int ranges[][3], bool incl, MPI_Group *out)
{
	int err = group_check(g), k, *r;

	if (!err && (n < 0 || (n && !ranges) || !out))
		err = MPI_ERR_ARG;
	if (err)
		return err;
	k = expand_ranges(g, n, ranges, &r);
	if (k < 0)
		return -k;
	err = incl_excl(g, k, r, incl, out);
	free(r);
	return err;
}

int MPI_Group_range_incl(MPI_Group group, int n, int ranges[][3],
			 MPI_Group *newgroup)
{
	return mpi_raise(NULL, range(group, n, ranges, true, newgroup),
			 __func__);
}

int MPI_Group_range_excl(MPI_Group group, int n, int ranges[][3],
			 MPI_Group *newgroup)
{
	return mpi_raise(NULL, range(group, n, ranges, false, newgroup),
			 __func__);
}

enum set_op { SET_UNION, SET_INTERSECTION, SET_DIFFERENCE };

/* g1's members the op keeps, in g1's order; for a union, then g2's new. */
static int set_op(MPI_Group g1, MPI_Group g2, enum set_op op, MPI_Group *out)
{
	int err = group_check(g1) ?: group_check(g2), k = 0;
	int *world;

	if (!err && !out)
		err = MPI_ERR_ARG;
	if (err)
		return err;
	world = malloc((g1->size + g2->size) * sizeof(*world) + 1);
	if (!world)
		return MPI_ERR_NO_MEM;
	for (int i = 0; i < g1->size; i++) {
		bool in2 = index_of(g2, g1->world[i]) != MPI_UNDEFINED;

		if (op == SET_UNION || (op == SET_INTERSECTION) == in2)
			world[k++] = g1->world[i];
	}
	for (int i = 0; op == SET_UNION && i < g2->size; i++)
		if (index_of(g1, g2->world[i]) == MPI_UNDEFINED)
			world[k++] = g2->world[i];
	err = mpi_group_new(world, k, out);
	free(world);
	return err;
}

int MPI_Group_union(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup)
{
	return mpi_raise(NULL, set_op(group1, group2, SET_UNION, newgroup),
			 __func__);
}

int MPI_Group_intersection(MPI_Group group1, MPI_Group group2,
			   MPI_Group *newgroup)
{
	return mpi_raise(NULL,
			 set_op(group1, group2, SET_INTERSECTION, newgroup),
			 __func__);
}

int MPI_Group_difference(MPI_Group group1, MPI_Group group2,
			 MPI_Group *newgroup)
{
	return mpi_raise(NULL, set_op(group1, group2, SET_DIFFERENCE, newgroup),
			 __func__);
}

int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[],
			      MPI_Group group2, int ranks2[])
{
	int err = group_check(group1) ?: group_check(group2);

	if (!err && (n < 0 || (n && (!ranks1 || !ranks2))))
		err = MPI_ERR_ARG;
	for (int i = 0; !err && i < n; i++) {
		if (ranks1[i] == MPI_PROC_NULL)
			ranks2[i] = MPI_PROC_NULL;
		else if (ranks1[i] < 0 || ranks1[i] >= group1->size)
			err = MPI_ERR_RANK;
		else
			ranks2[i] = index_of(group2, group1->world[ranks1[i]]);
	}
	return mpi_raise(NULL, err, __func__);
}

int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result)
{
	int err = group_check(group1) ?: group_check(group2);
	bool order = true, set = true;

	if (!err && !result)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(NULL, err, __func__);
	if (group1->size != group2->size) {
		*result = MPI_UNEQUAL;
		return MPI_SUCCESS;
	}
	for (int i = 0; i < group1->size; i++) {
		order &= group1->world[i] == group2->world[i];
		set &= index_of(group2, group1->world[i]) != MPI_UNDEFINED;
	}
	*result = order ? MPI_IDENT : set ? MPI_SIMILAR : MPI_UNEQUAL;
	return MPI_SUCCESS;
}

int MPI_Group_free(MPI_Group *group)
{
	int err = group ? group_check(*group) : MPI_ERR_ARG;

	if (!err && (*group)->predefined)
		err = MPI_ERR_GROUP;
	if (err)
		return mpi_raise(NULL, err, __func__);
	free((*group)->world);
	free(*group);
	*group = MPI_GROUP_NULL;
	return MPI_SUCCESS;
}
