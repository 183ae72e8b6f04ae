/* SPDX-License-Identifier: MIT */
/* The built-in demonstration workload of `snemu run` without a program. */
#ifndef SNEMU_EMU_DEMO_H
#define SNEMU_EMU_DEMO_H

/*
 * Body of one demo endpoint, for emu_job.fn (arg: the topology's name,
 * for the header): a few phases of typical supernode traffic, each timed
 * in virtual time and its data checked; rank 0 prints one line per
 * phase. Returns 0 when every check passed, 1 otherwise.
 */
int emu_demo_main(void *arg);

#endif
