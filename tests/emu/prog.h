/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the test programs that tests/emu/test_run_*.sh start under
 * `snemu run`. Like any user program they use only the public API.
 */
#ifndef SNEMU_TESTS_PROG_H
#define SNEMU_TESTS_PROG_H

#include <stdio.h>
#include <stdlib.h>

#include "snemu.h"

/* Run an API call; on an error say where and exit 1. */
#define CHECK(call)                                                            \
	do {                                                                   \
		int ret_ = (call);                                             \
		if (ret_ < 0) {                                                \
			fprintf(stderr, "%s:%d: rank %d: %s: %s (%d)\n",       \
				__FILE__, __LINE__, snemu_rank(), #call,       \
				snemu_strerror(ret_), ret_);                   \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Attach; a program not started by `snemu run` prints why and exits 1. */
static inline void prog_init(int *argc, char ***argv)
{
	int ret = snemu_init(argc, argv);

	if (ret) {
		fprintf(stderr, "snemu_init: %s (%d)\n", snemu_strerror(ret),
			ret);
		exit(1);
	}
}

/* Exit 1 with a message naming the rank. */
#define DIE(...)                                                               \
	do {                                                                   \
		fprintf(stderr, "rank %d: ", snemu_rank());                    \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		exit(1);                                                       \
	} while (0)

#endif
