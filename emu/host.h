/* SPDX-License-Identifier: MIT */
/*
 * Runs over several hosts (internal to emu/; docs/MULTIHOST.md).
 *
 * Every host runs the whole engine, for all N ranks, in its own segment.
 * Its own ranks are real processes; every other rank is a ghost, a
 * process of the library that makes the same API calls as the real rank
 * on its host, in the same order, at the same clocks: each real rank
 * records its calls into a pipe (its feed), the host's agent sends them to
 * every other host, and there the agent hands them to the rank's ghost,
 * which replays them (host_ghost.c). The engine's results do not depend
 * on when ranks call, only on what they call (docs/ARCHITECTURE.md), so
 * every host's engine computes the same virtual times as one host would,
 * and a ghost whose next call has not come yet holds its host's virtual
 * time back exactly as a slow rank does.
 *
 * Bytes go only where they are read: a send to a rank of another host
 * carries its payload in its record (for that host only); the engine
 * never copies into a rank that is not on this host (emu_rank_local).
 *
 * A call is recorded before it can wait for the fabric (a ghost that had
 * not seen it would hold virtual time back while its rank waits), and one
 * that makes a request is recorded as it returns, with the handle, which
 * the ghost maps to its own request.
 */
#ifndef SNEMU_EMU_HOST_H
#define SNEMU_EMU_HOST_H

#include <stdint.h>
#include <sys/types.h>

#define HOST_ENV_FEED "SNEMU_FEED_FD" /* a real rank's feed (write end) */

enum host_op {
	HOST_INIT = 1,
	HOST_FINALIZE, /* len: the rank's clock, for the ghost to compare */
	HOST_COMPUTE,  /* len: ns */
	HOST_SEND,     /* peer, tag, comm, arg: flags, len; payload */
	HOST_RECV,
	HOST_ISEND, /* as HOST_SEND, req: the handle */
	HOST_IRECV,
	HOST_WAIT, /* the requests after the record */
	HOST_WAITALL,
	HOST_WAITANY,
	HOST_TEST,
	HOST_TESTALL,
	HOST_TESTANY,
	HOST_TESTSOME,
	HOST_PROBE, /* peer, tag, comm */
	HOST_IPROBE,
	HOST_CANCEL,
	HOST_BARRIER,
	/* Not calls: from the agents. */
	HOST_EXIT,  /* rank's process ended; arg: its wait status */
	HOST_BYE,   /* every rank of the sending host ended */
	HOST_ABORT, /* the sending host stopped the run; arg: why */
	HOST_NOPS
};

#define HOST_REC_PAYLOAD 1 /* len bytes of payload follow the requests */

/*
 * One record: this header, nreq request handles (uint64), then the
 * payload when flagged. size counts all of it.
 */
struct host_rec {
	uint64_t size;
	uint16_t op;
	uint16_t flags;
	int32_t rank;
	int32_t peer, tag;
	uint32_t comm;
	int32_t nreq;
	int32_t arg;
	uint32_t pad;
	uint64_t len;
	uint64_t req;
};

#define HOST_REC_MAX_REQS (1 << 20)

struct emu_ep;
struct snemu_req;

/*
 * host_rec.c: record a call of this rank (nothing on one host): rec's
 * fields but size, then n handles of reqs (NULL: none) and, when
 * HOST_REC_PAYLOAD is set, rec->len bytes of payload.
 */
void ep_rec(struct emu_ep *ep, struct host_rec *rec, struct snemu_req **reqs,
	    int n, const void *payload);

/* Record a call with no arguments but rank (INIT, BARRIER). */
void ep_rec_op(struct emu_ep *ep, enum host_op op);

/*
 * host_ghost.c: the body of rank's ghost, in a forked child of the
 * launcher (its environment set as for a rank): replay the calls read
 * from feed until the rank's process ended, then end as it did. Returns
 * the exit status when it does not end by a signal.
 */
int host_ghost_main(int rank, int feed);

/*
 * Messages between a launcher and its agent, over a SOCK_SEQPACKET pair.
 * Launcher to agent: EXIT (rank's process ended with wait status arg),
 * STOP (the run stops here: tell the other hosts). Agent to launcher:
 * LOST (host went away: its connection broke or it sent garbage), ABORTED
 * (host stopped the run), DONE (every rank of every host ended; it leaves).
 */
enum host_ctl_kind {
	HOST_CTL_EXIT,
	HOST_CTL_STOP,
	HOST_CTL_LOST,
	HOST_CTL_ABORTED,
	HOST_CTL_DONE, /* every host's ranks ended: the agent leaves */
};

struct host_ctl {
	int32_t kind;
	int32_t who; /* a rank, or a host */
	int32_t arg;
};

struct tp_net;

struct host_agent {
	struct tp_net *net; /* the other hosts (transport/tp.h) */
	int nranks;
	const int *host_lo; /* host h runs [host_lo[h], host_lo[h + 1]) */
	/* feed[r]: a rank of this host: its feed's read end; else the
	 * write end of its ghost's feed. */
	const int *feed;
	int ctl; /* the launcher's socket */
};

/*
 * host_agent.c: the body of a host's agent, in a forked child of the
 * launcher: carry the calls of this host's ranks to every other host, and
 * theirs to their ghosts here, until every rank of every host ended (exit
 * 0) or the run stops (exit 1). Never blocks on one peer or ghost: what
 * one cannot take yet waits in memory.
 */
int host_agent_main(const struct host_agent *a);

/* host_launch.c: the launcher's side of a run over several hosts. */
struct emu_hosts;

struct host_side {
	const struct emu_hosts *hosts;
	int nranks;
	int *rd, *wr; /* [rank]: its feed's pipe, until the ranks started */
	int ctl;      /* the agent's socket */
	pid_t agent;
};

/*
 * Make the feeds and start the agent (before the ranks: it inherits the
 * pipes and the mesh). 0 or -errno with nothing left.
 */
int host_side_start(struct host_side *hs, const struct emu_hosts *hosts,
		    int nranks);

/*
 * In rank's forked child, its environment set: a rank of another host
 * becomes its ghost here (never returns); one of ours gets its feed.
 */
void host_side_child(const struct host_side *hs, int rank);

/* Every rank started: the launcher closes its ends of the feeds. */
void host_side_started(struct host_side *hs);

/* rank's process ended with wait status: its agent tells the others. */
void host_side_rank_ended(struct host_side *hs, int rank, int status);

/* The run stops here (why: enum emu_run_status): tell the other hosts. */
void host_side_stop(struct host_side *hs, int why);

/* A message from the agent: 1 and *m, 0 when none, -EPIPE once it left. */
int host_side_read(struct host_side *hs, struct host_ctl *m);

/*
 * The end: wait up to 2.5 s for the agent to finish (then kill it), free
 * everything; the agent's exit status. Also after a failed start.
 */
int host_side_end(struct host_side *hs);

#endif
