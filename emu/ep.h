/* SPDX-License-Identifier: MIT */
/*
 * The endpoint: this process's side of libsnemu (internal to emu/).
 *
 * Every API call runs as: ep_enter (copies owed to senders), ep_lock,
 * charge the call's overhead, change the shared state, then ep_unlock,
 * which advances the engine, drops the lock and wakes whoever the engine
 * completed. A call that must wait for the fabric does it in
 * ep_wait_locked: it blocks the rank (so it does not hold back virtual
 * time) and sleeps on its futex until the engine makes it RUNNING again.
 * Small isend and irecv calls take no lock: they are held here and posted
 * by the next ep_lock (p2p.c).
 *
 * With --compute measured, ep_enter first charges the thread CPU time the
 * program spent since it last left the library (times the run's scale),
 * and EP_CALL marks where it leaves: when the call returns.
 */
#ifndef SNEMU_EMU_EP_H
#define SNEMU_EMU_EP_H

#include "emu/fabric.h"
#include "emu/trace.h"

#define EP_REQ_SPARES 1024
#define EP_REQ_SLAB   512 /* requests carved from one block (64 KiB) */
#define EP_POSTS      512 /* nonblocking posts held until the next lock */

/* A nonblocking send or receive the engine has not seen yet (p2p.c). */
struct ep_post {
	struct snemu_req *r;
	const void *buf; /* a send's payload */
	uint64_t flow;	 /* a send's trace flow id, 0: none */
	/* A send's message once staged; NULL before, or if staging failed. */
	struct emu_msg *m;
};

struct emu_ep {
	struct shm_seg *seg;
	struct topo *topo;
	struct emu_eng eng;
	struct emu_ctl *me;
	int rank, size;
	pid_t pid;
	int nreqs; /* requests the program has not completed */
	/*
	 * Free request blocks, for this rank's next requests: their pages
	 * are mapped here already (req.c).
	 */
	uint64_t req_spare[EP_REQ_SPARES];
	int nreq_spare;
	/*
	 * isend and irecv calls held back, in program order: ep_lock stages
	 * the sends' payloads and then posts them all before anything else
	 * (p2p.c). Until then me->clock lags the program's clock by
	 * posts_ns.
	 */
	struct ep_post posts[EP_POSTS];
	int nposts;
	uint64_t posts_ns;
	uint8_t win_used[EMU_MAX_WINS];
	struct snemu_win *freed_wins; /* win.c: kept until snemu_finalize */
	/* When each one-sided issue unit is free again, and the next one. */
	uint64_t unit_free[TOPO_MAX_ISSUE_UNITS];
	unsigned unit_next;
	/*
	 * --compute measured: the scale (0: none), the thread CPU time (ns)
	 * when the program last left the library, and what one read of it
	 * costs.
	 */
	double cpu_scale;
	uint64_t cpu_mark, cpu_read_ns;
	struct ep_trace tr; /* --trace (emu/trace.h) */
	/* Several hosts (emu/host.h): a real rank's feed, -1: none. */
	int feed;
};

/* This process's endpoint, NULL before snemu_init. */
extern struct emu_ep *emu_ep;

/* ep.c: --compute measured: the program leaves the library now. */
void ep_cpu_mark(struct emu_ep *ep);

/* EP_CALL's cleanup, as the call (function *func) returns. */
static inline void ep_leave(const char *const *func)
{
	if (unlikely(emu_ep && (emu_ep->cpu_scale > 0 || emu_ep->tr.buf))) {
		if (emu_ep->tr.buf)
			ep_trace_leave(emu_ep, *func);
		if (emu_ep->cpu_scale > 0)
			ep_cpu_mark(emu_ep);
	}
}

/*
 * The first declaration of every public function that calls ep_enter
 * (or a helper that does; not of wrappers that only call another public
 * function): however the call returns, the program's measured compute
 * starts again then, so the library's own time is never charged, and a
 * traced call is recorded, under the function's name (or the one
 * EP_TRACE_ARGS gave).
 */
#define EP_CALL()                                                              \
	const char *ep_call_ __attribute__((cleanup(ep_leave), unused)) =      \
		__func__

/*
 * ep.c: start an API call: -ENXIO before snemu_init, -ECANCELED once the
 * run is stopped; otherwise charge the measured compute (if any), do the
 * copies senders wait for and return 0.
 */
int ep_enter(struct emu_ep **out);

/* ep.c: take the lock, and post what this rank held back. */
void ep_lock(struct emu_ep *ep);
void ep_unlock(struct emu_ep *ep);

/* ep.c: the caller's clock, with what its held posts will add. */
uint64_t ep_clock(const struct emu_ep *ep);

/*
 * p2p.c: copy the held sends' payloads into the arena (without the lock),
 * then post the held sends and receives, in order (under the lock).
 */
void ep_posts_stage(struct emu_ep *ep);
void ep_posts_flush_locked(struct emu_ep *ep);

/* ep.c: charge ns of CPU time to the caller's clock (under the lock). */
void ep_charge(struct emu_ep *ep, uint64_t ns);

/*
 * ep.c: the caller sends m: it leaves at clock + send_ns (the INJECT
 * event), and the clock moves there (under the lock).
 */
int ep_inject(struct emu_ep *ep, struct emu_msg *m);

/*
 * ep.c: the caller issues one-sided message m on the issue unit free
 * first: it leaves at max(clock, unit free) + send_ns, which the unit is
 * busy until; the clock moves to when a unit is free for the next one.
 * With one unit this is ep_inject (under the lock).
 */
int ep_issue(struct emu_ep *ep, struct emu_msg *m);

/*
 * req.c: a new request of the caller, posted at its clock. Under the lock,
 * or without it while the rank has spare requests (nreq_spare).
 */
int ep_req_new(struct emu_ep *ep, enum emu_req_kind kind, enum emu_ctx ctx,
	       int peer, int tag, struct snemu_req **out);

/* req.c: free a request of this rank (with or without the lock). */
void ep_req_free(struct emu_ep *ep, struct snemu_req *r);

/* req.c: r is a live user request of this process. */
bool ep_req_valid(const struct emu_ep *ep, const struct snemu_req *r);

/* req.c: copy the rendezvous messages matched to us, release senders. */
void ep_copies(struct emu_ep *ep);

/*
 * req.c: called under the lock, returns without it. Wait for the n
 * requests (one wake-up, when the last completes; the rank is BLOCKED on
 * op meanwhile), take their data, fill sts (NULL, or n entries) and free
 * them. Returns 0 or the first error among them.
 */
int ep_wait_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		   enum emu_wait_op op, struct snemu_status *sts);

/*
 * req.c: the caller is BLOCKED: sleep until the engine makes it RUNNING
 * again (doing the copies it owes meanwhile). 0 or -ECANCELED.
 */
int ep_sleep_blocked(struct emu_ep *ep);

/*
 * req.c: called under the lock, return without it. NULL entries of reqs
 * are skipped. ep_test_locked polls at the caller's clock: once no event
 * earlier than that clock can be pending, *found is the index of the
 * request done first (all: 0 when every one is done), or -1; what it
 * found is completed as a wait would, the others are left alone.
 * ep_waitany_locked blocks until one is done (at least one entry is not
 * NULL), completes the first in *index.
 */
int ep_test_locked(struct emu_ep *ep, struct snemu_req **reqs, int n, bool all,
		   int *found, struct snemu_status *sts);
int ep_waitany_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		      int *index, struct snemu_status *st);
/*
 * req.c: called under the lock, returns without it. A poll at the
 * caller's clock that, once no event earlier than it can be pending (or
 * every request is done), completes every request of reqs done by then:
 * their indices, increasing, in indices[0, *count), their statuses in
 * sts[0, *count) (sts may be NULL).
 */
int ep_testsome_locked(struct emu_ep *ep, struct snemu_req **reqs, int n,
		       int *count, int *indices, struct snemu_status *sts);

/*
 * req.c: under the lock, handle the receives completed since the caller's
 * last wait or test (recv_ns each, docs/ARCHITECTURE.md): every call that
 * may return without waiting where it could have waited does this, so
 * that the clock it returns at does not depend on which of the two it
 * did.
 */
void ep_handle_locked(struct emu_ep *ep);

/*
 * req.c: under the lock, let the engine process every event earlier than
 * the caller's clock, sleeping (still RUNNING) while ranks behind it may
 * still make some. Returns 0 under the lock, or -errno without it.
 */
int ep_catch_up_locked(struct emu_ep *ep);

/* win.c: free the handles of freed windows (at snemu_finalize). */
void emu_win_fini(struct emu_ep *ep);

/*
 * win.c: make this rank's part of the address-space window (its whole
 * memory); before any address of it can reach another rank.
 */
void emu_win_address_space_init(struct emu_ep *ep);

/*
 * watch.c: snemu_wait_until on the caller's own part of window win (off
 * checked by the caller). Takes the lock, returns without it.
 */
int ep_wait_word(struct emu_ep *ep, uint32_t win, size_t off, int cmp,
		 uint64_t value, uint64_t *seen);

/* The program's view of a request's status. */
static inline struct snemu_status ep_status(const struct emu_status *s,
					    bool cancelled)
{
	return (struct snemu_status){
		.source = s->source,
		.tag = s->tag,
		.len = s->len,
		.arrival_ns = s->arrival_ns,
		.cancelled = cancelled,
	};
}

/* A rank, or SNEMU_ANY_SOURCE when any; a tag, or SNEMU_ANY_TAG. */
static inline bool ep_rank_ok(const struct emu_ep *ep, int rank, bool any)
{
	return (rank >= 0 && rank < ep->size) ||
	       (any && rank == SNEMU_ANY_SOURCE);
}

/*
 * A message of len bytes to peer fits the model: at most TOPO_MAX_SEGS
 * segments (mtu x 2^24 bytes, 64 GiB at a 4 KiB mtu), what the fabric can
 * hold in flight at once. A larger one is refused at the call: -EMSGSIZE,
 * said on stderr.
 */
int ep_len_check(const struct emu_ep *ep, uint64_t len, int peer);

static inline bool ep_tag_ok(int tag, bool any)
{
	return (tag >= 0 && tag <= SNEMU_TAG_MAX) ||
	       (any && tag == SNEMU_ANY_TAG);
}

/* barrier.c: the dissemination barrier, over internal messages. */
int ep_barrier(struct emu_ep *ep);

#endif
