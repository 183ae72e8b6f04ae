/* SPDX-License-Identifier: MIT */
/* What every transport's net shares (transport/tp.h). */
#include <stddef.h>

#include "transport/tp.h"

void tp_net_close(struct tp_net *n)
{
	if (n)
		n->ops->close(n);
}
