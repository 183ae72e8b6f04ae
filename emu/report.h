/* SPDX-License-Identifier: MIT */
/*
 * The outcome of a run as the launcher saw it, and its renderings: the JSON
 * report (schema in docs/REPORT.md), the summary on stdout and the failure
 * diagnosis on stderr. Internal to emu/.
 */
#ifndef SNEMU_EMU_REPORT_H
#define SNEMU_EMU_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "emu/emu.h"
#include "topology/topo.h"

enum emu_run_status {
	EMU_RUN_OK,
	EMU_RUN_FAILED,	     /* a rank crashed, exited non-zero or early */
	EMU_RUN_DEADLOCK,    /* every live rank waits, nothing in flight */
	EMU_RUN_INTERRUPTED, /* the launcher got SIGINT, SIGTERM or SIGHUP */
	EMU_RUN_TIMEOUT,     /* it ran longer than --timeout (wall) */
	EMU_RUN_STALLED,     /* no event and no rank moved for --watchdog */
	EMU_RUN_CORRUPT,     /* a rank overwrote the fabric's header */
	EMU_RUN_HOST,	     /* another host went away or stopped the run */
};

/* How one rank's process ended. */
struct emu_rank_exit {
	int code;     /* exit code, or -1 when a signal killed it */
	int signo;    /* the signal that killed it, or 0 */
	int exec_err; /* errno of a failed exec, or 0 */
	int stopped;  /* still alive when the launcher stopped the run */
};

struct emu_run {
	const struct emu_job *job;
	struct emu_fabric *fab;
	enum emu_run_status status;
	int cause_rank;		    /* the rank that failed first, or -1 */
	int signo;		    /* what interrupted the launcher */
	struct emu_rank_info *info; /* per rank, when the run ended or
					 * was stopped (before the abort) */
	struct emu_rank_exit *exit; /* per rank */
	uint64_t wall_ns;	    /* first fork to last reap */
	/* EMU_RUN_HOST: which host, and what it said (-1: it went away,
	 * else the enum emu_run_status it stopped with). */
	int cause_host, host_why;
};

/*
 * Write the JSON report of run to path, through path.tmp renamed into
 * place, so a reader never sees half a report and an error leaves nothing.
 * Returns 0 or -errno.
 */
int emu_report_write(const struct emu_run *run, const char *path);

/* Print the human summary (ranks, makespan, traffic, busiest links). */
void emu_report_summary(const struct emu_run *run, FILE *f);

/*
 * The k busiest links with traffic (busy time, then bytes, then the lower
 * id) into top[], busiest first; returns how many, and sets *with_traffic
 * to the number of links that carried anything.
 */
int emu_report_busiest(const struct topo_link_stats *ls, int nlinks, int *top,
		       int k, int *with_traffic);

/* Print what went wrong (nothing for a run that succeeded). */
void emu_report_failure(const struct emu_run *run, FILE *f);

#endif
