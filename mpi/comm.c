/* SPDX-License-Identifier: MIT */
/*
 * Communicators. Each has a slot id in [0, MPI_MAX_COMMS), and its snemu
 * communicators are MPI_CTX_BASE + 2 id (point to point) and + 1 (its
 * collectives). A rank keeps the ids of the communicators it belongs to;
 * a new one takes an id free at every rank of its parent (id_agree), so
 * that no member can confuse it with another of its own. Disjoint communicators made by one split share an id: no
 * rank is in two of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

struct snemu_mpi_comm snemu_mpi_comm_world = {
	.name = "MPI_COMM_WORLD",
	.predefined = true,
};
struct snemu_mpi_comm snemu_mpi_comm_self = {
	.name = "MPI_COMM_SELF",
	.predefined = true,
};

static uint64_t used[MPI_MAX_COMMS / 64];

uint32_t mpi_coll_tag(MPI_Comm c)
{
	return c->seq++ % ((uint32_t)MPI_TAG_MAX + 1);
}

static void id_take(int id)
{
	used[id / 64] |= 1ULL << (id % 64);
}

static void id_give(int id)
{
	used[id / 64] &= ~(1ULL << (id % 64));
}

static bool id_free(int id)
{
	return !(used[id / 64] & 1ULL << (id % 64));
}

/* The lowest id from start on that this rank has free, or MPI_MAX_COMMS. */
static int id_lowest(int start)
{
	while (start < MPI_MAX_COMMS && !id_free(start))
		start++;
	return start;
}

/*
 * Collective over parent: an id free at all of its ranks. Each proposes
 * its lowest free one; the largest is taken if it is free everywhere,
 * else the search goes on after it. Ids are mostly used alike at all
 * ranks, so one round of two small all-reduces is the rule.
 */
static int id_agree(MPI_Comm parent, int *id)
{
	int start = 0, err;

	for (;;) {
		int mine = id_lowest(start), c, ok;

		err = mpi_allreduce(&mine, &c, 1, MPI_INT, MPI_MAX, parent);
		if (err)
			return err;
		if (c >= MPI_MAX_COMMS)
			return MPI_ERR_INTERN; /* MPI_MAX_COMMS at one rank */
		mine = id_free(c);
		err = mpi_allreduce(&mine, &ok, 1, MPI_INT, MPI_MIN, parent);
		if (err || ok) {
			*id = c;
			return err;
		}
		start = c + 1;
	}
}

/* Rank maps of a communicator of n members (world ranks, in order). */
static int comm_maps(MPI_Comm c, const int *world, int n)
{
	int wn = snemu_size(), me = snemu_rank();

	c->size = n;
	c->world = malloc(n * sizeof(*c->world));
	c->local = malloc(wn * sizeof(*c->local));
	if (!c->world || !c->local)
		return MPI_ERR_NO_MEM;
	memcpy(c->world, world, n * sizeof(*world));
	for (int w = 0; w < wn; w++)
		c->local[w] = -1;
	for (int r = 0; r < n; r++)
		c->local[world[r]] = r;
	c->rank = c->local[me];
	return MPI_SUCCESS;
}

static void comm_maps_free(MPI_Comm c)
{
	free(c->world);
	free(c->local);
	c->world = c->local = NULL;
}

/* A new communicator of id over world[0..n) (this rank among them). */
static int comm_new(MPI_Comm parent, const int *world, int n, int id,
		    MPI_Comm *out)
{
	MPI_Comm c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return MPI_ERR_NO_MEM;
	c->id = id;
	c->ctx = MPI_CTX_BASE + 2 * (uint32_t)id;
	c->eh = mpi_eh_get(parent->eh);
	err = comm_maps(c, world, n);
	if (err) {
		comm_maps_free(c);
		mpi_eh_put(c->eh);
		free(c);
		return err;
	}
	id_take(id);
	*out = c;
	return MPI_SUCCESS;
}

int mpi_comm_init_predefined(void)
{
	MPI_Comm w = MPI_COMM_WORLD, s = MPI_COMM_SELF;
	int me = snemu_rank();

	memset(used, 0, sizeof(used));
	w->size = snemu_size();
	w->rank = me;
	w->ctx = MPI_CTX_BASE;
	id_take(0);
	s->id = 1;
	s->ctx = MPI_CTX_BASE + 2;
	id_take(1);
	return comm_maps(s, &me, 1);
}

void mpi_comm_fini(void)
{
	comm_maps_free(MPI_COMM_SELF);
}

int MPI_Comm_size(MPI_Comm comm, int *size)
{
	int err = mpi_check_comm(comm);

	if (!err && !size)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	*size = comm->size;
	return MPI_SUCCESS;
}

int MPI_Comm_rank(MPI_Comm comm, int *rank)
{
	int err = mpi_check_comm(comm);

	if (!err && !rank)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	*rank = comm->rank;
	return MPI_SUCCESS;
}

struct member {
	int key, rank;
};

static int by_key(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rank - y->rank;
}

/*
 * The split of comm by (color, key) of every rank: this rank's part, in
 * key order (ties: comm rank order), or MPI_COMM_NULL for MPI_UNDEFINED.
 */
static int split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm)
{
	int n = comm->size, mine = 0, id, err;
	int *ck = malloc(2 * n * sizeof(*ck)), *world = NULL;
	struct member *m = malloc(n * sizeof(*m));
	int pair[2] = {color, key};

	err = ck && m ? MPI_SUCCESS : MPI_ERR_NO_MEM;
	if (!err)
		err = mpi_allgather(pair, 2, MPI_INT, ck, 2, MPI_INT, comm);
	if (!err)
		err = id_agree(comm, &id);
	if (err || color == MPI_UNDEFINED) {
		*newcomm = MPI_COMM_NULL;
		goto out;
	}
	for (int r = 0; r < n; r++)
		if (ck[2 * r] == color)
			m[mine++] = (struct member){ck[2 * r + 1], r};
	qsort(m, mine, sizeof(*m), by_key);
	world = malloc(mine * sizeof(*world));
	if (!world) {
		err = MPI_ERR_NO_MEM;
		goto out;
	}
	for (int i = 0; i < mine; i++)
		world[i] = mpi_world(comm, m[i].rank);
	err = comm_new(comm, world, mine, id, newcomm);
out:
	free(world);
	free(m);
	free(ck);
	return err;
}

int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm)
{
	int err = mpi_check_comm(comm);

	if (!err && (!newcomm || (color < 0 && color != MPI_UNDEFINED)))
		err = MPI_ERR_ARG;
	if (!err)
		err = split(comm, color, key, newcomm);
	return mpi_raise(comm, err, __func__);
}

/* The same members in the same order: no need to gather them. */
static int dup(MPI_Comm comm, MPI_Comm *newcomm)
{
	int *world = malloc(comm->size * sizeof(*world) + 1), id, err;

	if (!world)
		return MPI_ERR_NO_MEM;
	for (int r = 0; r < comm->size; r++)
		world[r] = mpi_world(comm, r);
	err = id_agree(comm, &id);
	if (!err)
		err = comm_new(comm, world, comm->size, id, newcomm);
	free(world);
	return err;
}

int MPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm)
{
	int err = mpi_check_comm(comm);

	if (!err && !newcomm)
		err = MPI_ERR_ARG;
	if (!err)
		err = dup(comm, newcomm);
	return mpi_raise(comm, err, __func__);
}

/* MPI_COMM_TYPE_SHARED: the ranks of this rank's emulated node. */
int MPI_Comm_split_type(MPI_Comm comm, int split_type, int key, MPI_Info info,
			MPI_Comm *newcomm)
{
	int err = mpi_check_comm(comm), color = MPI_UNDEFINED;

	(void)info;
	if (!err && (!newcomm || (split_type != MPI_COMM_TYPE_SHARED &&
				  split_type != MPI_UNDEFINED)))
		err = MPI_ERR_ARG;
	if (!err && split_type == MPI_COMM_TYPE_SHARED)
		color = snemu_node_of(snemu_rank());
	if (!err)
		err = split(comm, color, key, newcomm);
	return mpi_raise(comm, err, __func__);
}

/* Collective over comm: the members of group get a communicator. */
int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm)
{
	int err = mpi_check_comm(comm), id;

	if (!err && !group)
		err = MPI_ERR_GROUP;
	if (!err && !newcomm)
		err = MPI_ERR_ARG;
	for (int i = 0; !err && i < group->size; i++)
		if (mpi_local(comm, group->world[i]) < 0)
			err = MPI_ERR_GROUP;
	if (!err)
		err = id_agree(comm, &id);
	if (!err && group->rank == MPI_UNDEFINED)
		*newcomm = MPI_COMM_NULL;
	else if (!err)
		err = comm_new(comm, group->world, group->size, id, newcomm);
	return mpi_raise(comm, err, __func__);
}

int MPI_Comm_free(MPI_Comm *comm)
{
	int err = comm ? mpi_check_comm(*comm) : MPI_ERR_ARG;

	if (!err && (*comm)->predefined)
		err = MPI_ERR_COMM;
	if (err)
		return mpi_raise(comm ? *comm : NULL, err, __func__);
	id_give((*comm)->id);
	comm_maps_free(*comm);
	mpi_eh_put((*comm)->eh);
	free(*comm);
	*comm = MPI_COMM_NULL;
	return MPI_SUCCESS;
}

int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result)
{
	int err = mpi_check_comm(comm1) ?: mpi_check_comm(comm2);
	int n = comm1 ? comm1->size : 0, same_order = 1, same_set = 1;

	if (!err && !result)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm1, err, __func__);
	if (comm1 == comm2) {
		*result = MPI_IDENT;
		return MPI_SUCCESS;
	}
	if (comm2->size != n) {
		*result = MPI_UNEQUAL;
		return MPI_SUCCESS;
	}
	for (int r = 0; r < n; r++) {
		int w = mpi_world(comm1, r);

		same_order &= mpi_world(comm2, r) == w;
		same_set &= mpi_local(comm2, w) >= 0;
	}
	*result = same_order ? MPI_CONGRUENT
		  : same_set ? MPI_SIMILAR
			     : MPI_UNEQUAL;
	return MPI_SUCCESS;
}

int MPI_Comm_set_name(MPI_Comm comm, const char *name)
{
	int err = mpi_check_comm(comm);

	if (!err && !name)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	snprintf(comm->name, sizeof(comm->name), "%s", name);
	return MPI_SUCCESS;
}

int MPI_Comm_get_name(MPI_Comm comm, char *name, int *resultlen)
{
	int err = mpi_check_comm(comm);

	if (!err && (!name || !resultlen))
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	*resultlen = snprintf(name, MPI_MAX_OBJECT_NAME, "%s", comm->name);
	return MPI_SUCCESS;
}

int MPI_Comm_get_attr(MPI_Comm comm, int keyval, void *value, int *flag)
{
	static int tag_ub = MPI_TAG_MAX, host = MPI_PROC_NULL,
		   io = MPI_ANY_SOURCE, wtime_is_global = 1, appnum = 0;
	int err = mpi_check_comm(comm), *v = NULL;

	if (!err && (!value || !flag))
		err = MPI_ERR_ARG;
	switch (keyval) {
	case MPI_TAG_UB: v = &tag_ub; break;
	case MPI_HOST: v = &host; break;
	case MPI_IO: v = &io; break;
	case MPI_WTIME_IS_GLOBAL: v = &wtime_is_global; break;
	case MPI_APPNUM: v = &appnum; break;
	default: err = err ?: MPI_ERR_KEYVAL;
	}
	if (err)
		return mpi_raise(comm, err, __func__);
	*(int **)value = v;
	*flag = 1;
	return MPI_SUCCESS;
}

int MPI_Comm_test_inter(MPI_Comm comm, int *flag)
{
	int err = mpi_check_comm(comm);

	if (!err && !flag)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	*flag = 0;
	return MPI_SUCCESS;
}

int MPI_Comm_group(MPI_Comm comm, MPI_Group *group)
{
	int err = mpi_check_comm(comm), *world;

	if (!err && !group)
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(comm, err, __func__);
	world = malloc(comm->size * sizeof(*world) + 1);
	if (!world)
		return mpi_raise(comm, MPI_ERR_NO_MEM, __func__);
	for (int r = 0; r < comm->size; r++)
		world[r] = mpi_world(comm, r);
	err = mpi_group_new(world, comm->size, group);
	free(world);
	return mpi_raise(comm, err, __func__);
}
