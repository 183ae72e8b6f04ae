/* SPDX-License-Identifier: MIT */
/* snemu: the command-line front end; dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "tools/cmd.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{"run", cmd_run, "run a program on N emulated endpoints"},
	{"topo", cmd_topo, "inspect a topology: summary, routes, JSON, DOT"},
	{"probe", cmd_probe, "measure latency and bandwidth on the fabric"},
	{"coll", cmd_coll,
	 "benchmark and check collectives and MoE all-to-all"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: snemu COMMAND [OPTIONS]\n\n"
		   "snemu emulates a supernode interconnect (by default the "
		   "384 NPUs of a\nCloudMatrix384) for real programs on one "
		   "workstation.\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-7s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'snemu COMMAND --help' describes a command. "
		   "Version " PACKAGE_VERSION ".\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("snemu " PACKAGE_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].main(argc - 1, argv + 1);
	fprintf(stderr, "snemu: unknown command '%s' (see 'snemu --help')\n",
		argv[1]);
	return 2;
}
