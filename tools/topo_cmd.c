/* SPDX-License-Identifier: MIT */
/* Placeholder until the topo command lands; its owner replaces this file. */
#include <stdio.h>

#include "tools/cmd.h"

int cmd_topo(int argc, char **argv)
{
	fprintf(stderr, "snemu topo: not built yet\n");
	return 2;
}
