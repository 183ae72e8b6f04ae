/* SPDX-License-Identifier: MIT */
/*
 * The barrier: dissemination (Hensgen, Finkel, Manber). In round k each
 * rank sends a 0-byte internal message to rank + 2^k and waits for the one
 * from rank - 2^k: ceil(log2 n) rounds of real fabric traffic. Messages of
 * one pair and round arrive in order, so successive barriers cannot mix.
 */
#include "emu/ep.h"

int ep_barrier(struct emu_ep *ep)
{
	int n = ep->size, ret = 0;

	for (int k = 1, round = 0; k < n && !ret; k <<= 1, round++) {
		struct snemu_req *r[2];

		ep_lock(ep);
		ret = p2p_isend_locked(ep, (ep->rank + k) % n, round,
				       EMU_CTX_INTERNAL, NULL, 0, &r[0]);
		if (ret) {
			ep_unlock(ep);
			break;
		}
		ret = p2p_irecv_locked(ep, (ep->rank - k + n) % n, round,
				       EMU_CTX_INTERNAL, NULL, 0, &r[1]);
		if (ret) {
			/* The send is eager and done: only its request. */
			ep_req_free(ep, r[0]);
			ep_unlock(ep);
			break;
		}
		ret = ep_wait_locked(ep, r, 2, EMU_WAIT_BARRIER, NULL);
	}
	return ret;
}

int snemu_barrier(void)
{
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	return ep_barrier(ep);
}
