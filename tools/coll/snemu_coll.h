/* SPDX-License-Identifier: MIT */
/*
 * snemu_coll.h: the interface of a collective library that `snemu coll`
 * can benchmark and check (`snemu coll --plugin lib.so`). docs/COLL.md has
 * a worked example; tools/coll/example_plugin.c is a complete plugin.
 *
 * A plugin is a shared object that exports
 *
 *	const struct snemu_coll_plugin *snemu_coll_plugin(void);
 *
 * returning a table with one function per operation. Every rank of the run
 * calls the same operation with the same arguments (but its own buffers),
 * as in MPI and NCCL; the communicator is always all ranks of the run. An
 * operation may use any call of snemu.h (the plugin is loaded into the
 * `snemu` tool, which provides them: build it without linking libsnemu).
 * A NULL entry means "not supported"; snemu coll says so and runs nothing.
 *
 * Conventions, the same as snemu.h: every function returns 0 or a negative
 * errno and never sets errno; counts are in elements, not bytes; send and
 * receive buffers do not overlap unless stated. Reductions are sums:
 * integers wrap (two's complement), float32 is added in float, bfloat16 is
 * converted to float, added and rounded back to nearest-even.
 */
#ifndef SNEMU_COLL_H
#define SNEMU_COLL_H

#include <stddef.h>
#include <stdint.h>

#include <snemu.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump when struct snemu_coll_plugin or a signature changes. */
#define SNEMU_COLL_ABI_VERSION 2

/* The symbol snemu coll looks up in a plugin. */
#define SNEMU_COLL_PLUGIN_SYMBOL "snemu_coll_plugin"

/* Element types. bfloat16 travels as uint16_t (the top half of a float). */
enum snemu_coll_type {
	SNEMU_COLL_FLOAT32,
	SNEMU_COLL_BF16,
	SNEMU_COLL_INT32,
	SNEMU_COLL_INT8,
};

/* Bytes of one element of type t (0 for an unknown type). */
static inline size_t snemu_coll_type_size(enum snemu_coll_type t)
{
	switch (t) {
	case SNEMU_COLL_FLOAT32: return 4;
	case SNEMU_COLL_BF16: return 2;
	case SNEMU_COLL_INT32: return 4;
	case SNEMU_COLL_INT8: return 1;
	}
	return 0;
}

/*
 * MoE expert parallelism: experts 0..experts-1 are spread evenly over the
 * ranks in contiguous groups; expert e lives on this rank.
 */
static inline int snemu_coll_moe_owner(int expert, int experts, int nranks)
{
	return (int)((int64_t)expert * nranks / experts);
}

/* Int8 elements per dispatch scale factor (one float32 per group). */
#define SNEMU_COLL_MOE_GROUP 128

/*
 * Bytes of one dispatched token: hidden int8 values, then one float32
 * scale per SNEMU_COLL_MOE_GROUP values (7168 -> 7168 + 56 * 4 = 7392).
 * The payload is opaque to dispatch: it moves the bytes unchanged.
 */
static inline size_t snemu_coll_moe_token_bytes(size_t hidden)
{
	return hidden +
	       4 * ((hidden + SNEMU_COLL_MOE_GROUP - 1) / SNEMU_COLL_MOE_GROUP);
}

/* One MoE layer's routing on this rank (the same shape on every rank). */
struct snemu_coll_moe {
	size_t tokens;		  /* tokens held by this rank */
	size_t hidden;		  /* model width (elements per token) */
	int topk;		  /* experts chosen per token */
	int experts;		  /* experts in all, see snemu_coll_moe_owner */
	const int32_t *topk_idx;  /* [tokens][topk], distinct per token */
	const float *topk_weight; /* [tokens][topk], used by combine */
};

/* One token received by dispatch: which (token, slot) of which rank. */
struct snemu_coll_moe_entry {
	int32_t src;	/* rank that sent it */
	int32_t token;	/* its index on that rank */
	int32_t slot;	/* which of its topk choices, 0..topk-1 */
	int32_t expert; /* topk_idx[token][slot] on src */
};

struct snemu_coll_plugin {
	unsigned int abi_version; /* SNEMU_COLL_ABI_VERSION */
	const char *name;	  /* shown in the report header */

	/* recvbuf[i] = sum over ranks of sendbuf[i], i < count. */
	int (*allreduce)(const void *sendbuf, void *recvbuf, size_t count,
			 enum snemu_coll_type type);
	/* recvbuf[r * count + i] = sendbuf[i] of rank r. */
	int (*allgather)(const void *sendbuf, void *recvbuf, size_t count,
			 enum snemu_coll_type type);
	/*
	 * recvbuf[i] = sum over ranks of sendbuf[me * count + i], where me
	 * is this rank; sendbuf holds nranks * count elements.
	 */
	int (*reduce_scatter)(const void *sendbuf, void *recvbuf, size_t count,
			      enum snemu_coll_type type);
	/* buf of every rank = buf of root (in place). */
	int (*bcast)(void *buf, size_t count, enum snemu_coll_type type,
		     int root);
	/*
	 * recvbuf[r * count + i] = sendbuf[me * count + i] of rank r: block
	 * r of sendbuf goes to rank r; both hold nranks * count elements.
	 */
	int (*alltoall)(const void *sendbuf, void *recvbuf, size_t count,
			enum snemu_coll_type type);
	/*
	 * Dispatch: send token t of x ([tokens][token_bytes]) to the owner
	 * of each expert in topk_idx[t]. This rank receives one entry per
	 * (token, slot) of any rank whose expert it owns, in any order: the
	 * payload into recv ([max_recv][token_bytes]) and its origin into
	 * entries (max_recv). Sets *nrecv; -ENOSPC when more than max_recv
	 * arrive (every rank still takes part to the end).
	 */
	int (*moe_dispatch)(const struct snemu_coll_moe *moe, const void *x,
			    void *recv, struct snemu_coll_moe_entry *entries,
			    size_t max_recv, size_t *nrecv);
	/*
	 * Combine: rows[i] ([nrecv][hidden] bf16) is the expert output for
	 * entries[i] (as dispatch returned them, in any order). Sends each
	 * row back to its source, where out[t] ([tokens][hidden] bf16) =
	 * sum over slots s of topk_weight[t][s] * row(t, s), in float,
	 * rounded once to bf16.
	 */
	int (*moe_combine)(const struct snemu_coll_moe *moe,
			   const struct snemu_coll_moe_entry *entries,
			   size_t nrecv, const uint16_t *rows, uint16_t *out);
	/*
	 * Optional (NULL: nothing to do): called by every rank, untimed,
	 * before its first moe_dispatch of a run, with the shapes and the
	 * max_recv its calls will pass, and after its last moe_dispatch or
	 * moe_combine. Where a library allocates its windows, as real MoE
	 * kernels preallocate their receive buffers.
	 */
	int (*moe_setup)(const struct snemu_coll_moe *moe, size_t max_recv);
	int (*moe_teardown)(void);
};

/* What a plugin exports. The table must stay valid until unload. */
const struct snemu_coll_plugin *snemu_coll_plugin(void);

#ifdef __cplusplus
}
#endif
#endif
