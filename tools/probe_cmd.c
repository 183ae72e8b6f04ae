/* SPDX-License-Identifier: MIT */
/* Placeholder until the probe command lands; its owner replaces this file. */
#include <stdio.h>

#include "tools/cmd.h"

int cmd_probe(int argc, char **argv)
{
	fprintf(stderr, "snemu probe: not built yet\n");
	return 2;
}
