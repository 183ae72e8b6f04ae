/* SPDX-License-Identifier: MIT */
/*
 * prog_fail MODE RANK [CODE]: after a barrier, RANK fails while the others
 * wait in a second barrier. MODE: "nofinalize" (return 0 without
 * snemu_finalize), "busy" (return 0 after snemu_finalize refused, a
 * receive pending), "exit" (exit CODE), "abort" (die by SIGABRT).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "prog.h"

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};
	int target;

	prog_init(&argc, &argv);
	if (argc < 3)
		DIE("usage: prog_fail nofinalize|busy|exit|abort RANK [CODE]");
	target = atoi(argv[2]);
	CHECK(snemu_barrier());
	if (snemu_rank() == target) {
		if (!strcmp(argv[1], "nofinalize"))
			return 0;
		if (!strcmp(argv[1], "busy")) {
			struct snemu_req *r;
			char c;

			CHECK(snemu_irecv(SNEMU_ANY_SOURCE, 0, &c, 1, &r));
			return snemu_finalize() == -EBUSY ? 0 : 9;
		}
		if (!strcmp(argv[1], "exit"))
			exit(argc > 3 ? atoi(argv[3]) : 1);
		setrlimit(RLIMIT_CORE, &no_core);
		abort();
	}
	CHECK(snemu_barrier());
	CHECK(snemu_finalize());
	return 0;
}
