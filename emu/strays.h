/* SPDX-License-Identifier: MIT */
/*
 * A run's strays: processes a program started that left the ranks'
 * process group (setsid, setpgid), which a kill of the group misses.
 * Between strays_begin and strays_end the caller is a child subreaper
 * (PR_SET_CHILD_SUBREAPER): a descendant whose parent dies becomes its
 * child. strays_end, once every rank is reaped, kills and reaps the
 * children the caller did not have at strays_begin, and theirs in turn.
 * Best effort: without /proc/PID/task/TID/children nothing is swept.
 * (internal to emu/)
 */
#ifndef SNEMU_EMU_STRAYS_H
#define SNEMU_EMU_STRAYS_H

#include <sys/types.h>

struct strays {
	pid_t *before; /* the caller's children at strays_begin */
	int nbefore;
	int was_subreaper;
};

void strays_begin(struct strays *s);

/* Returns how many strays it killed. */
int strays_end(struct strays *s);

#endif
