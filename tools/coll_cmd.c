/* SPDX-License-Identifier: MIT */
/* Placeholder until the coll command lands; its owner replaces this file. */
#include <stdio.h>

#include "tools/cmd.h"

int cmd_coll(int argc, char **argv)
{
	fprintf(stderr, "snemu coll: not built yet\n");
	return 2;
}
