/* SPDX-License-Identifier: MIT */
/* Built without rdma-core: --net verbs says so (transport/tp.h). */
#include <errno.h>
#include <stdio.h>

#include "transport/tp.h"

int tp_verbs_open(struct tp_mesh *m, const struct tp_verbs_opts *o,
		  struct tp_net **out, char *err, size_t errlen)
{
	(void)m;
	(void)o;
	(void)out;
	snprintf(err, errlen,
		 "this snemu was built without rdma-core (libibverbs-dev)");
	return -ENOTSUP;
}
