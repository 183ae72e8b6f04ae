/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "emu/strays.h"

/* Rounds of the sweep: each one reaches one more generation. */
#define SWEEP_ROUNDS 64

/* Append the pids listed in file path to *pids (*n of them, *cap room). */
static void read_pids(const char *path, pid_t **pids, int *n, int *cap)
{
	FILE *f = fopen(path, "r");
	long pid;

	if (!f)
		return;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*n == *cap) {
			int c = *cap ? 2 * *cap : 64;
			pid_t *p = realloc(*pids, c * sizeof(*p));

			if (!p)
				break;
			*pids = p;
			*cap = c;
		}
		(*pids)[(*n)++] = (pid_t)pid;
	}
	fclose(f);
}

/* The caller's children (of all its threads); *pids is malloc'd. */
static int children(pid_t **pids)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0, cap = 0;
	char path[64];

	*pids = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/children",
			 de->d_name);
		read_pids(path, pids, &n, &cap);
	}
	closedir(d);
	return n;
}

static int listed(const pid_t *pids, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

void strays_begin(struct strays *s)
{
	*s = (struct strays){0};
	prctl(PR_GET_CHILD_SUBREAPER, &s->was_subreaper);
	s->nbefore = children(&s->before);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int strays_end(struct strays *s)
{
	int killed = 0;

	for (int round = 0; round < SWEEP_ROUNDS; round++) {
		pid_t *pids;
		int n = children(&pids), found = 0;

		for (int i = 0; i < n; i++) {
			if (listed(s->before, s->nbefore, pids[i]))
				continue;
			/* Its children become ours when it dies: next round. */
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			found++;
		}
		free(pids);
		killed += found;
		if (!found)
			break;
	}
	prctl(PR_SET_CHILD_SUBREAPER, s->was_subreaper);
	free(s->before);
	s->before = NULL;
	return killed;
}
