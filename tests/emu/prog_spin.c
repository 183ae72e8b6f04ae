/* SPDX-License-Identifier: MIT */
/*
 * prog_spin DIR [busy]: each rank writes its pid to DIR/RANK (rank 0 also
 * the launcher's pid to DIR/launcher), then passes messages around the
 * ring forever, for tests that kill or stop a rank or the launcher
 * mid-run. With "busy", rank 1 instead spins in program code forever.
 */
#include <string.h>
#include <stdint.h>
#include <unistd.h>

#include "prog.h"

static void write_pid(const char *dir, const char *name, pid_t pid)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) ||
	    rename(tmp, path))
		DIE("cannot write %s", path);
}

int main(int argc, char **argv)
{
	uint64_t token = 0;
	char name[16];
	int rank, n;

	prog_init(&argc, &argv);
	if (argc < 2)
		DIE("usage: prog_spin DIR");
	rank = snemu_rank();
	n = snemu_size();
	snprintf(name, sizeof(name), "%d", rank);
	if (rank == 0)
		write_pid(argv[1], "launcher", getppid());
	write_pid(argv[1], name, getpid());
	if (rank == 1 && argc > 2 && !strcmp(argv[2], "busy"))
		for (volatile int spin = 0;; spin++)
			;
	for (;;) {
		CHECK(snemu_compute(100));
		CHECK(snemu_send((rank + 1) % n, 0, &token, sizeof(token)));
		CHECK(snemu_recv((rank + n - 1) % n, 0, &token, sizeof(token),
				 NULL));
	}
}
