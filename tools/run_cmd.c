/* SPDX-License-Identifier: MIT */
/* Placeholder until the run command lands; its owner replaces this file. */
#include <stdio.h>

#include "tools/cmd.h"

int cmd_run(int argc, char **argv)
{
	fprintf(stderr, "snemu run: not built yet\n");
	return 2;
}
