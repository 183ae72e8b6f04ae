/* SPDX-License-Identifier: MIT */
/*
 * prog_daemon DIR: rank 0 starts a daemon the classic way (fork, setsid,
 * fork again, the middle process exits), so the daemon has left the run's
 * process group and lost its parent; its pid goes to DIR/0. Then every
 * rank finishes normally. The launcher must not leave the daemon behind.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

/* The middle process: new session, start the daemon, say its pid, go. */
static void daemonize(const char *dir)
{
	char path[4096];
	pid_t daemon;
	FILE *f;

	setsid();
	daemon = fork();
	if (!daemon)
		for (;;)
			pause();
	snprintf(path, sizeof(path), "%s/0", dir);
	f = fopen(path, "w");
	if (daemon < 0 || !f)
		_exit(1);
	fprintf(f, "%d\n", (int)daemon);
	_exit(fclose(f) ? 1 : 0);
}

int main(int argc, char **argv)
{
	prog_init(&argc, &argv);
	if (argc < 2)
		DIE("usage: prog_daemon DIR");
	if (snemu_rank() == 0) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			DIE("fork: cannot start the daemon");
		if (!pid)
			daemonize(argv[1]);
		if (waitpid(pid, &status, 0) != pid || status)
			DIE("the daemon's first process failed");
	}
	CHECK(snemu_barrier());
	CHECK(snemu_finalize());
	return 0;
}
