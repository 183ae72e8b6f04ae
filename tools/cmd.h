/* SPDX-License-Identifier: MIT */
/* The subcommands of the snemu tool; each returns the process exit status. */
#ifndef SNEMU_TOOLS_CMD_H
#define SNEMU_TOOLS_CMD_H

int cmd_run(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_coll(int argc, char **argv);

#endif
