/* SPDX-License-Identifier: MIT */
/*
 * emu/: the fabric engine and the runtime around it.
 *
 * A run has one fabric: a shared-memory segment (transport/shm) holding the
 * engine state for all ranks. The launcher creates it before forking; each
 * endpoint process attaches to it in snemu_init() through the environment
 * (SNEMU_FD, SNEMU_RANK). The engine has no process of its own: whichever
 * endpoint enters the library advances it under the segment's lock
 * (docs/ARCHITECTURE.md explains why).
 *
 * This header is the contract between the engine (emu/fabric*.c, emu/ep*.c)
 * and the launcher and reports (emu/launch*.c, emu/report*.c).
 */
#ifndef SNEMU_EMU_H
#define SNEMU_EMU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct topo;
struct emu_fabric;
struct tp_mesh;
struct tp_net;

/* Environment variables the launcher sets for each endpoint. */
#define EMU_ENV_FD   "SNEMU_FD"	  /* fd of the fabric's memfd */
#define EMU_ENV_RANK "SNEMU_RANK" /* this endpoint's rank */
#define EMU_ENV_SIZE "SNEMU_SIZE" /* number of ranks (informative) */
#define EMU_ENV_TOPO "SNEMU_TOPO" /* "preset:NAME" or "file:PATH" */

struct emu_fabric_opts {
	int nranks;	      /* endpoints 0..nranks-1 of the topology */
	uint64_t eager_limit; /* 0: default (64 KiB) */
	double compute_scale; /* --compute measured: SCALE; 0: none */
	uint64_t trace_cap;   /* --trace: records per rank; 0: no trace */
	/*
	 * Several hosts: how many, and the ranks of this one, [local_lo,
	 * local_hi); nhosts 0 or 1: one host, every rank local.
	 */
	int nhosts, local_lo, local_hi;
};

/*
 * Launcher side: create the segment for a run of o->nranks endpoints of
 * topo. The memfd is inheritable (no CLOEXEC) so children find it. The
 * header holds topo as config text, the model every rank loads.
 */
int emu_fabric_create(const struct topo *topo, const struct emu_fabric_opts *o,
		      struct emu_fabric **out);

/*
 * Whether a run of nranks endpoints of topo fits, before anything is made:
 * the segment's tables (everything but the arena) within EMU_TABLES_MAX
 * (64 GiB), and what the launcher writes at start within mem_limit bytes
 * (emu_fabric_create: half the host's memory). Returns 0, or -ENOMEM with
 * why (what is too big, by how much, the limit) filled.
 */
int emu_fabric_plan(const struct topo *topo, int nranks, uint64_t mem_limit,
		    char *why, size_t len);
void emu_fabric_destroy(struct emu_fabric *fab);
int emu_fabric_fd(const struct emu_fabric *fab);

/*
 * An fd that becomes readable (eventfd) when the engine wants the
 * launcher's attention: a deadlock was found. Poll it, then read it.
 */
int emu_fabric_notify_fd(const struct emu_fabric *fab);

/* Record the pid of rank's process (the engine uses it for copies). */
void emu_fabric_set_pid(struct emu_fabric *fab, int rank, pid_t pid);

/*
 * Stop the run: every blocked endpoint is woken and its pending call
 * returns -ECANCELED (used on deadlock and failures before killing).
 */
void emu_fabric_abort(struct emu_fabric *fab);

enum emu_rank_state {
	EMU_RANK_NEW,	  /* not attached yet */
	EMU_RANK_RUNNING, /* in program code or in a call that runs */
	EMU_RANK_BLOCKED, /* waiting for the fabric */
	EMU_RANK_DONE,	  /* called snemu_finalize */
};

/* What a blocked rank waits for (for deadlock reports). */
enum emu_wait_op {
	EMU_WAIT_NONE,
	EMU_WAIT_RECV,
	EMU_WAIT_SEND, /* a large send waiting for its receiver */
	EMU_WAIT_BARRIER,
	EMU_WAIT_WIN, /* get, flush or atomic */
	EMU_WAIT_WAITALL,
	EMU_WAIT_WORD, /* snemu_wait_until */
	EMU_WAIT_PROBE,
	EMU_WAIT_WAITANY,
};

struct emu_rank_info {
	enum emu_rank_state state;
	uint64_t clock_ns;
	uint64_t msgs_sent, bytes_sent;
	uint64_t msgs_recv, bytes_recv;
	enum emu_wait_op wait_op; /* when BLOCKED */
	int wait_src;		  /* rank or SNEMU_ANY_SOURCE */
	int wait_tag;		  /* tag or SNEMU_ANY_TAG */
	int wait_count;		  /* requests still pending */
	int finalize_busy; /* snemu_finalize refused: requests not completed */
	/* EMU_WAIT_WORD: the window, offset, comparison and value. */
	unsigned wait_win, wait_cmp;
	uint64_t wait_off, wait_value;
};

/* Snapshot of one rank's state and counters. */
void emu_fabric_rank_info(struct emu_fabric *fab, int rank,
			  struct emu_rank_info *info);

/*
 * A rank overwrote the fabric's header (its layout no longer is what the
 * launcher wrote): the run cannot be trusted. The launcher's own view
 * never depends on it.
 */
bool emu_fabric_corrupted(const struct emu_fabric *fab);

/* Bytes sent from src to dst over the run (the traffic matrix). */
uint64_t emu_fabric_traffic(struct emu_fabric *fab, int src, int dst);

/*
 * Per-link counters as they are now, topo_num_links() entries (see
 * topology/topo.h), in a copy the fabric keeps; NULL when out of memory.
 */
const struct topo_link_stats *emu_fabric_links(struct emu_fabric *fab);

/* Engine events processed, and whether the engine found a deadlock. */
uint64_t emu_fabric_events(struct emu_fabric *fab);
int emu_fabric_deadlocked(struct emu_fabric *fab);

/* The topology the fabric was made with. */
const struct topo *emu_fabric_topo(struct emu_fabric *fab);

/*
 * A run over several hosts (docs/MULTIHOST.md): the hosts joined, and
 * which ranks each runs: host h runs [host_lo[h], host_lo[h + 1]).
 */
struct emu_hosts {
	struct tp_mesh *mesh;
	struct tp_net *net; /* the streams between them (transport/tp.h) */
	int nhosts, self;
	int *host_lo; /* nhosts + 1 entries */
};

/*
 * Split ranks 0..nranks-1 of topo over nhosts hosts by whole nodes, as
 * evenly as they go: fills host_lo (nhosts + 1 entries). -EINVAL when
 * the ranks span fewer nodes than there are hosts.
 */
int emu_hosts_split(const struct topo *topo, int nranks, int nhosts,
		    int *host_lo);

/*
 * Launcher: run a job. Used by `snemu run`, and by `snemu probe` and
 * `snemu coll` to launch their own endpoints.
 */
struct emu_job {
	const struct topo *topo;
	const char *topo_spec; /* "preset:NAME" or "file:PATH" */
	int nranks;
	/* Either exec argv[0] (PATH searched) in each child ... */
	char *const *argv;
	/* ... or, when fn is set, call fn(arg) in the forked child after
	 * setting its environment; its return value is the exit status. */
	int (*fn)(void *arg);
	void *arg;
	const char *report_path; /* JSON report, or NULL */
	int quiet;		 /* no summary on stdout */
	/*
	 * --compute measured:SCALE: each rank charges SCALE times the thread
	 * CPU time its program spends between calls; 0: none (docs/RUN.md).
	 */
	double compute_scale;
	/*
	 * Wall seconds after which the run is stopped (--timeout), and
	 * without any engine event or change of a rank's state or clock
	 * (--watchdog); 0: never.
	 */
	unsigned timeout_s, watchdog_s;
	const struct emu_trace_opts *trace; /* --trace, NULL: none */
	const struct emu_hosts *hosts;	    /* several hosts, NULL: one */
};

/* The watchdog of snemu run, probe and coll: minutes without progress. */
#define EMU_DEFAULT_WATCHDOG_S 300

/* `--trace FILE.json` and its limits, as given (docs/TRACE.md). */
struct emu_trace_opts {
	const char *path;   /* the Chrome trace-event JSON to write */
	const char *ranks;  /* --trace-ranks LIST, NULL: every rank */
	const char *window; /* --trace-window T0:T1, NULL: the whole run */
	const char *links;  /* --trace-links LIST, NULL: the 8 busiest */
};

/*
 * Parse a --trace-ranks list, such as "0-7,12": ranks and ranges A-B
 * (A <= B) separated by commas. Sets set[r] to 1 for the ranks it names
 * and 0 for the others (nranks entries). Returns 0, -EINVAL for bad
 * syntax, or -ERANGE for a rank not below nranks.
 */
int emu_trace_parse_ranks(const char *s, int nranks, uint8_t *set);

/*
 * Parse a --trace-window T0:T1 into virtual ns [*t0, *t1]: each a decimal
 * (digits with at most one '.') with an optional unit ns, us, ms or s (no
 * unit: us), fractions of a ns dropped; an empty T0 is 0, an empty T1 the
 * end of the run (UINT64_MAX). Returns 0, -EINVAL (bad syntax, T1 <= T0)
 * or -ERANGE (too large), leaving *t0 and *t1 alone on error.
 */
int emu_trace_parse_window(const char *s, uint64_t *t0, uint64_t *t1);

/*
 * Parse a --compute mode: "none" (*scale 0: program code costs no virtual
 * time), "measured" (*scale 1) or "measured:SCALE", SCALE a positive
 * decimal (digits with at most one '.', such as 0.5 or 10). Returns 0 and
 * sets *scale, or -EINVAL and leaves it alone.
 */
int emu_compute_parse(const char *s, double *scale);

/*
 * Run the job to the end: create the fabric, start the ranks, supervise
 * them, write the report and print the summary. Returns the exit status for
 * the tool (0 when every rank finalized and exited 0), or a negative errno
 * when nothing could be started. Leaves no process, memory or file behind.
 */
int emu_run_job(const struct emu_job *job);

#endif
