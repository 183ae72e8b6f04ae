/* SPDX-License-Identifier: MIT */
/*
 * Multi-process engine tests: create a fabric, fork N ranks that find it
 * through the environment as under `snemu run`, run fn in each, and wait
 * for all of them with a timeout. No process outlives the harness: ranks
 * die with their parent, and stragglers are killed.
 */
#ifndef SNEMU_TESTS_HARNESS_H
#define SNEMU_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "emu/emu.h"
#include "snemu.h"
#include "topology/topo.h"

struct harness_opts {
	int nranks;
	const char *preset;   /* NULL: cloudmatrix384 */
	uint64_t eager_limit; /* 0: default */
	int timeout_s;	      /* 0: 120 */
};

struct harness {
	struct topo *topo;
	struct emu_fabric *fab;
	int nranks;
	int *status;		    /* waitpid status of each rank */
	struct emu_rank_info *info; /* at the deadlock, if deadlock */
	bool deadlock; /* the engine found one; the run was aborted */
	bool timed_out;
};

/* Load a preset (once per process, cached): for expected values. */
const struct topo *harness_topo(const char *preset);

/*
 * Run fn(arg) in o->nranks forked ranks; its return value is the rank's
 * exit status. Returns 0 once every rank is gone (whatever their status)
 * with *out to inspect, or -errno if the run could not start.
 */
int harness_run(const struct harness_opts *o, int (*fn)(void *), void *arg,
		struct harness **out);

/* Ranks that did not exit with status 0. */
int harness_failures(const struct harness *h);

/*
 * harness_run in a cmocka test that fails unless the run started, and
 * every rank exited 0 with no deadlock and no timeout.
 */
struct harness *harness_run_clean(const struct harness_opts *o,
				  int (*fn)(void *), void *arg);

void harness_destroy(struct harness *h);

/* In a rank: print where a check failed and exit 1. */
#define H_CHECK(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: rank %d: check failed: %s\n",  \
				__FILE__, __LINE__, snemu_rank(), #cond);      \
			_exit(1);                                              \
		}                                                              \
	} while (0)

/* In a rank: a call that must return want. */
#define H_EXPECT(call, want)                                                   \
	do {                                                                   \
		int ret_ = (call);                                             \
		if (ret_ != (want)) {                                          \
			fprintf(stderr,                                        \
				"%s:%d: rank %d: %s = %d (%s), "               \
				"want %d\n",                                   \
				__FILE__, __LINE__, snemu_rank(), #call, ret_, \
				snemu_strerror(ret_), (int)(want));            \
			_exit(1);                                              \
		}                                                              \
	} while (0)

#define H_OK(call) H_EXPECT(call, 0)

#endif
