/* SPDX-License-Identifier: MIT */
/* The operations, and the reference algorithms as plugin tables. */
#include <string.h>

#include "tools/coll/coll.h"

static const struct coll_op_desc ops[COLL_NUM_OPS] = {
	[COLL_ALLREDUCE] =
		{"allreduce", {"ring", "rhd", "topo"}, false, true, 3},
	[COLL_ALLGATHER] = {"allgather", {"ring"}, true, false, 2},
	[COLL_REDUCE_SCATTER] = {"reduce_scatter", {"ring"}, true, true, 3},
	[COLL_BCAST] = {"broadcast", {"tree", "chain"}, false, false, 1},
	[COLL_ALLTOALL] = {"alltoall", {"pairwise", "topo"}, true, false, 4},
	[COLL_DISPATCH] = {"dispatch", {"direct", "onesided"}, false, false, 0},
	[COLL_COMBINE] = {"combine", {"direct", "onesided"}, false, false, 0},
};

static const struct snemu_coll_plugin algos[] = {
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "ring",
		.allreduce = coll_allreduce_ring,
		.allgather = coll_allgather_ring,
		.reduce_scatter = coll_reduce_scatter_ring,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "rhd",
		.allreduce = coll_allreduce_rhd,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "topo",
		.allreduce = coll_allreduce_topo,
		.alltoall = coll_alltoall_topo,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "tree",
		.bcast = coll_bcast_tree,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "chain",
		.bcast = coll_bcast_chain,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "pairwise",
		.alltoall = coll_alltoall_pairwise,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "direct",
		.moe_dispatch = coll_moe_dispatch,
		.moe_combine = coll_moe_combine,
	},
	{
		.abi_version = SNEMU_COLL_ABI_VERSION,
		.name = "onesided",
		.moe_dispatch = coll_moe_onesided_dispatch,
		.moe_combine = coll_moe_onesided_combine,
		.moe_setup = coll_moe_onesided_setup,
		.moe_teardown = coll_moe_onesided_teardown,
	},
};

const struct coll_op_desc *coll_op_desc(enum coll_op op)
{
	return &ops[op];
}

int coll_op_parse(const char *s, enum coll_op *out)
{
	static const struct {
		const char *alias;
		enum coll_op op;
	} aliases[] = {
		{"all_reduce", COLL_ALLREDUCE},
		{"all_gather", COLL_ALLGATHER},
		{"reducescatter", COLL_REDUCE_SCATTER},
		{"bcast", COLL_BCAST},
		{"all_to_all", COLL_ALLTOALL},
	};

	for (int i = 0; i < COLL_NUM_OPS; i++) {
		if (!strcmp(s, ops[i].name)) {
			*out = i;
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (!strcmp(s, aliases[i].alias)) {
			*out = aliases[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

bool coll_op_supported(const struct snemu_coll_plugin *p, enum coll_op op)
{
	switch (op) {
	case COLL_ALLREDUCE: return p->allreduce;
	case COLL_ALLGATHER: return p->allgather;
	case COLL_REDUCE_SCATTER: return p->reduce_scatter;
	case COLL_BCAST: return p->bcast;
	case COLL_ALLTOALL: return p->alltoall;
	case COLL_DISPATCH: return p->moe_dispatch;
	case COLL_COMBINE: return p->moe_dispatch && p->moe_combine;
	case COLL_NUM_OPS: break;
	}
	return false;
}

const struct snemu_coll_plugin *coll_algo_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(algos); i++)
		if (!strcmp(name, algos[i].name))
			return &algos[i];
	return NULL;
}

double coll_busbw_factor(enum coll_op op, int n)
{
	switch (op) {
	case COLL_ALLREDUCE: return 2.0 * (n - 1) / n;
	case COLL_ALLGATHER:
	case COLL_REDUCE_SCATTER:
	case COLL_ALLTOALL: return (double)(n - 1) / n;
	default: return 1.0;
	}
}
