/* SPDX-License-Identifier: MIT */
/*
 * The fabric segment and the engine that runs in it (internal to emu/).
 *
 * Layout of the segment (offsets in struct emu_hdr, all 64-byte aligned):
 *
 *     emu_hdr        magic, the model's config text, engine globals, the
 *                    lock, heap
 *     emu_ctl[n]     one control block per rank
 *     run heap       int32 heap[n] and int32 pos[n]: RUNNING ranks by clock
 *     pair queues    struct emu_pairq [n][n]: matching by source
 *     traffic        uint64 [n][n] bytes sent src -> dst
 *     pair order     struct emu_pair_order [n][n]: each pair's messages
 *                    arrive in the order they were sent
 *     spares         uint64 [ctx][n][n] atomic: a free message block per
 *                    pair and context
 *     puts out       uint32 [n][n] puts issued and not yet arrived
 *     windows        struct emu_win_ent [EMU_MAX_WINS][n]
 *     topo state     topo_state_size() bytes (link state and counters)
 *     traces         struct emu_trace_buf per rank, with --trace only
 *     inject queues  struct emu_event [n][EMU_INJQ]: each source's INJECTs
 *     events         struct emu_event [EMU_MAX_EVENTS], a binary heap
 *     flights        struct emu_flight [EMU_MAX_EVENTS]: the messages in
 *                    the topology's fabric, with what their ARRIVE needs
 *     arena          shm_heap: messages, requests, payloads, window memory,
 *                    device memory (snemu_mem_alloc)
 *
 * The segment is sized from the run (each region for n ranks of the
 * model, then an arena of EMU_ARENA_SIZE; emu_fabric_plan refuses a run
 * that does not fit) and sparse: untouched pages of the big arrays cost
 * nothing.
 * Everything mutable is changed under hdr->lock, except the words marked
 * "atomic", which are read by processes that do not hold it.
 */
#ifndef SNEMU_EMU_FABRIC_H
#define SNEMU_EMU_FABRIC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/common.h"
#include "emu/emu.h"
#include "snemu.h"
#include "topology/topo.h"
#include "transport/transport.h"

#define EMU_MAGIC	  0x534e454d55464142ULL /* "SNEMUFAB" */
#define EMU_VERSION	  12
#define EMU_TABLES_MAX	  (64ULL << 30) /* the segment before its arena */
#define EMU_ARENA_SIZE	  (64ULL << 30)
#define EMU_SEG_ALIGN	  (2ULL << 20)
#define EMU_MAX_EVENTS	  (1U << 24)
#define EMU_INJQ	  1024 /* a source's queued INJECT events */
#define EMU_MAX_WINS	  256
#define EMU_EAGER_DEFAULT (64ULL << 10)
#define EMU_CLOCK_MAX	  (1ULL << 62) /* about 146 years of virtual time */
#define EMU_SPARE_BUDGET  (1ULL << 30) /* bytes kept in per-pair spares */

/*
 * Matching contexts: internal traffic (barriers) never matches a user
 * receive, whatever its tag.
 */
enum emu_ctx {
	EMU_CTX_USER,
	EMU_CTX_INTERNAL,
	EMU_NCTX,
};

enum emu_ev_kind {
	EMU_EV_INJECT, /* a message leaves its source: price it */
	EMU_EV_ARRIVE, /* its last byte reaches the destination */
};

enum emu_msg_kind {
	EMU_MSG_SEND,	 /* tagged message, eager or rendezvous */
	EMU_MSG_PUT,	 /* payload for a window */
	EMU_MSG_GET_REQ, /* read request, executed at the target */
	EMU_MSG_GET_REP, /* the data read, back to the origin */
	EMU_MSG_AMO_REQ, /* atomic, executed at the target */
	EMU_MSG_AMO_REP, /* the old value, back to the origin */
};

/* An atomic's operation; the first five are snemu.h's SNEMU_AMO_*. */
enum emu_amo_op {
	EMU_AMO_FADD,
	EMU_AMO_AND,
	EMU_AMO_OR,
	EMU_AMO_XOR,
	EMU_AMO_SWAP,
	EMU_AMO_CAS,
};

/* What a put does to its signal word after its data (msg op, arg0, arg1). */
enum emu_put_signal {
	EMU_SIGNAL_NONE,
	EMU_SIGNAL_SET,
	EMU_SIGNAL_ADD,
};

/*
 * Rendezvous payloads are copied in chunks that the receiver and, while it
 * waits for the copy, the sender claim in turn: two cores copy at once.
 */
#define EMU_CHUNK (256ULL << 10)

/* Links of a doubly linked queue (offsets; 0: none). */
struct emu_link {
	uint64_t next, prev;
};

/*
 * A message in flight; lives in the arena from send to its consumer (for
 * a rendezvous message: until both sides are done with it, see refs).
 */
struct emu_msg {
	struct emu_link any;  /* unexpected: all sources, arrival order */
	struct emu_link from; /* unexpected: this source, arrival order */
	uint8_t kind;	      /* enum emu_msg_kind */
	uint8_t ctx;	      /* enum emu_ctx */
	uint8_t rndv;	      /* payload still in the sender's memory */
	uint8_t op;	      /* enum emu_amo_op; put: enum emu_put_signal */
	int32_t src, dst, tag;
	uint32_t win;  /* window ops: window id */
	uint32_t comm; /* send: its communicator */
	uint64_t len;  /* payload bytes (priced bytes) */
	uint64_t data; /* eager payload in the arena, 0: none */
	union {
		uint64_t off;	   /* window ops: offset in the target window */
		uint64_t trace_id; /* send: its trace flow id, 0: none */
	};
	uint64_t arg0, arg1; /* atomics: operands; replies: the value;
				put: signal value, signal offset */
	uint64_t sreq;	     /* the origin's request (rndv send, get, amo) */
	uint64_t arrive_ns;  /* unexpected: when its last byte arrived */

	/* Rendezvous: where the bytes are and go, and the shared copy. */
	uint64_t src_addr; /* in the sender's address space */
	uint64_t src_seg;  /* or in the segment at this offset, 0: no */
	int32_t src_pid, dst_pid;
	uint64_t dst_addr;   /* in the receiver's address space */
	uint64_t dst_seg;    /* or in the segment at this offset, 0: no */
	uint64_t copy_len;   /* min(len, receive capacity) */
	uint64_t rreq;	     /* the receive it matched */
	uint32_t chunks;     /* copy_len in EMU_CHUNK pieces */
	uint32_t chunk_next; /* atomic: next chunk to claim */
	uint32_t chunk_done; /* atomic: chunks copied */
	int32_t copy_err;    /* atomic: first failed chunk's error */
	uint32_t refs;	     /* atomic: sides still using it (2, 1, 0) */
};

enum emu_req_kind {
	EMU_REQ_SEND,
	EMU_REQ_RECV,
	EMU_REQ_GET,
	EMU_REQ_AMO,
	EMU_REQ_FLUSH,
	EMU_REQ_BARRIER, /* a barrier's receive, reused for every round */
	EMU_REQ_WORD,	 /* snemu_wait_until: the watched word came true */
	EMU_REQ_PROBE,	 /* snemu_probe: a message it fits arrived */
};

#define EMU_REQ_MAGIC 0x72657131U

/* A request's status: struct snemu_status less what the request says. */
struct emu_status {
	int32_t source, tag;
	uint64_t len, arrival_ns;
};

/*
 * A request in the arena; the handle a program holds is its address in
 * the program's own mapping. The owner creates and frees it; the engine,
 * in any process, completes it. Two cache lines: the engine matches with
 * the first and completes with both (docs/PERFORMANCE.md).
 */
struct snemu_req {
	uint32_t magic;
	uint8_t kind;	/* enum emu_req_kind */
	uint8_t ctx;	/* enum emu_ctx */
	uint8_t rndv;	/* a rendezvous send or receive */
	uint8_t waited; /* the owner is blocked on it */
	uint32_t comm;	/* send, receive, probe: its communicator */
	int32_t owner;
	int32_t peer;	   /* send: dst; receive: source filter */
	int32_t tag;	   /* send: tag; receive: tag filter */
	int32_t result;	   /* 0 or -errno */
	uint8_t copied;	   /* atomic: rndv: the payload has been copied */
	uint8_t cancelled; /* a receive withdrawn by snemu_cancel */
	uint8_t done;	   /* atomic: completed in virtual time */
	uint8_t sync;	   /* send: completes at its match (rendezvous) */
	uint64_t next;	   /* posted queue link; done: the unhandled list */
	uint64_t post_seq; /* owner's posting order */
	uint64_t post_ns;  /* owner's clock when posted */
	uint64_t cap;	   /* receive, get: its buffer's capacity */

	uint64_t done_ns; /* virtual completion time */
	uint64_t msg;	  /* receive, get: the message; rndv send: its */
	struct emu_status st;
	uint64_t buf;	  /* receive, get: owner's buffer address */
	uint64_t buf_seg; /* receive: buf's offset in the arena, 0: none */
	union {
		uint64_t copy_next; /* rndv receive: owner's copy list */
		uint64_t value;	    /* atomics: the old value */
	};
};

/* A FIFO of messages or requests, linked by offsets. */
struct emu_queue {
	uint64_t head, tail;
};

/* Per (receiver, source) pair: its specific receives and its messages. */
struct emu_pairq {
	struct emu_queue posted; /* receives from this source, posted order */
	struct emu_queue unexp;	 /* messages from it, arrival order */
};

/* A rank's control block. */
struct emu_ctl {
	/* Written by whoever wakes the rank: a cache line of its own. */
	uint32_t futex;	    /* atomic: bumped on every poke */
	uint32_t sleeping;  /* atomic: the rank sleeps on futex */
	uint64_t copy_head; /* atomic: matched rndv receives to copy */
	uint8_t pad0[48];

	uint32_t state; /* atomic: enum emu_rank_state */
	int32_t pid;
	uint64_t clock;	  /* virtual ns; atomic reads by the owner */
	uint32_t sync;	  /* waits for the horizon to reach clock */
	uint32_t wait_op; /* enum emu_wait_op while BLOCKED */
	int32_t wait_src, wait_tag, wait_count;
	int32_t flush_target;  /* rank or SNEMU_ANY_SOURCE */
	int32_t finalize_busy; /* snemu_finalize refused: requests pending */
	/*
	 * What the blocked wait has reached: the clock of the receives it
	 * handled one after another as they came (max(wait_clock, done) +
	 * recv_ns each), and the latest of its other completions; unhandled
	 * lists the receives that completed while the rank was not in a
	 * wait, which its next wait or test handles (docs/ARCHITECTURE.md).
	 */
	uint64_t wait_clock, wait_until;
	uint64_t unhandled;
	uint64_t wait_last; /* the request that ended the last wait */
	/*
	 * Receives posted and not complete yet: while there are some, one
	 * may complete before the clock and be processed later (emu/req.c).
	 */
	uint32_t recv_open;
	/* snemu_wait_until: its request (0: none) and the word it watches. */
	uint64_t watch_req, watch_off, watch_value;
	uint32_t watch_win, watch_cmp;
	uint64_t probe_req;	 /* snemu_probe's request, 0: none */
	uint64_t flush_req;	 /* pending flush request, 0: none */
	uint64_t puts_out;	 /* puts issued, not arrived */
	struct emu_queue posted; /* SNEMU_ANY_SOURCE receives, posted order */
	struct emu_queue unexp;	 /* messages from anyone, arrival order */
	uint64_t post_seq;	 /* receives posted so far */
	uint64_t msgs_sent, bytes_sent, msgs_recv, bytes_recv;
	int32_t bar_round, bar_rounds; /* the barrier being run */
	uint32_t injq_head, injq_len;  /* this rank's inject queue */
} __attribute__((aligned(64)));

/*
 * An event carries what pricing and matching need of its message, so that
 * the engine does not read the header: another process wrote it, and the
 * process that runs the engine would take a page fault and cache misses
 * for it (docs/PERFORMANCE.md).
 */
struct emu_event {
	uint64_t time;
	uint64_t seq;
	uint64_t msg;
	uint64_t len;
	int32_t src, dst, tag;
	uint32_t comm; /* send: its communicator */
	uint8_t kind;  /* enum emu_ev_kind */
	uint8_t mkind; /* enum emu_msg_kind */
	uint8_t ctx;   /* enum emu_ctx */
	uint8_t flags; /* EMU_EV_* */
};

/*
 * A message in the fabric: its ARRIVE event, waiting for its time. Its
 * number is the cookie the fabric hands back at delivery; next links the
 * free list and the held list (ARRIVEs waiting for an earlier message of
 * their pair).
 */
struct emu_flight {
	struct emu_event ev;
	uint32_t pair_seq; /* its place among its pair's messages */
	uint32_t next;
};

/*
 * Messages of a pair handed to the fabric, those arrived, those held
 * (delivered before an earlier one of the pair), and when the last one
 * arrived.
 */
struct emu_pair_order {
	uint32_t sent, arrived, held, pad;
	uint64_t last_ns;
};

#define EMU_EV_RNDV   1 /* a rendezvous message */
#define EMU_EV_QUEUED 2 /* the head of its source's inject queue */

/*
 * A rank's part of a window: memory in the arena at off (an allocated
 * window), or at addr in the owner's process (pid; snemu_win_create and
 * the address-space window), which maps the arena at seg_addr. len 0: no
 * memory.
 */
struct emu_win_ent {
	uint64_t off; /* in the arena; 0: at addr */
	uint64_t len;
	uint64_t addr;
	uint64_t seg_addr;
	int32_t pid;
	uint32_t pad;
};

/* The id of snemu_win_address_space(), never handed out by the others. */
#define EMU_WIN_ADDRESS_SPACE (EMU_MAX_WINS - 1)

struct emu_hdr {
	uint64_t magic;
	uint32_t version;
	int32_t nranks;
	uint64_t seg_size;
	uint64_t eager_limit;
	double compute_scale; /* --compute measured: SCALE; 0: none */
	/*
	 * The launcher's model as config text (topo_config_text), which every
	 * rank loads: no rank reads the config file again. Then what every
	 * process must rebuild identically.
	 */
	char topo_text[TOPO_CONFIG_TEXT_MAX];
	uint64_t topo_state_size;
	int32_t topo_endpoints, topo_links;

	uint64_t ctl_off, run_off, pairq_off, traffic_off, order_off, spare_off;
	uint64_t putout_off;
	uint64_t wins_off, topo_off, injq_off, ev_off, flight_off;
	/* --trace: the rank buffers (emu/trace.h; 0: none) and the window. */
	uint64_t trace_off, trace_cap, trace_w0, trace_w1;

	/*
	 * Several hosts (emu/host.h): the ranks whose processes run on this
	 * host, [local_lo, local_hi); the others are ghosts. One host: all.
	 */
	int32_t nhosts, local_lo, local_hi;
	int32_t notify_fd;   /* eventfd written on deadlock */
	uint32_t aborted;    /* atomic */
	uint32_t deadlocked; /* atomic */

	struct shm_lock lock __attribute__((aligned(64)));
	int32_t nrun; /* ranks in the run heap */
	int32_t nblocked;
	int32_t nsync; /* RUNNING ranks waiting for the horizon */
	uint32_t nev;  /* events in the heap (and so pending) */
	/* Flights in use (nev + nflight <= EMU_MAX_EVENTS), the bump index
	 * and free list of the flights (0: none), the held ones. */
	uint32_t nflight, flight_top, flight_free, held;
	uint64_t ev_seq;
	uint64_t events;	/* engine events processed: INJECT, ARRIVE */
	uint64_t fabric_events; /* the fabric's: segments on links */
	uint64_t spare_bytes;	/* atomic: in per-pair spare blocks */
	uint64_t spare_budget;	/* the most spare_bytes may be */
	struct shm_heap heap;
};

/* Launcher-side handle (emu.h). */
/*
 * The launcher's handle. Ranks can write the whole segment, so the
 * launcher never takes its layout from the header it shares with them:
 * it keeps what it computed (nranks, the regions it reads, the header as
 * it wrote it, to tell a rank that overwrote it).
 */
struct emu_fabric {
	struct shm_seg *seg;
	struct emu_hdr *hdr;
	const struct topo *topo;
	struct topo_link_stats *links; /* emu_fabric_links' copy */
	int efd;
	int nranks;
	struct emu_ctl *ctl;
	uint64_t *traffic;
	void *topo_state;
	struct emu_hdr *hdr_copy; /* its fixed fields, as written */
};

/* An arena block this process frees at its next lock. */
struct emu_free {
	uint64_t off, len;
};

/*
 * A process's view of the engine: pointers into its mapping of the segment,
 * its own topology, and what it must do once it drops the lock (wake-ups,
 * the launcher's eventfd) or at its next lock (deferred frees).
 */
struct emu_eng {
	char *base;
	struct emu_hdr *hdr;
	struct emu_ctl *ctl;
	int32_t *run_heap, *run_pos;
	struct emu_pairq *pairq; /* [receiver][source] */
	uint64_t *traffic;
	struct emu_pair_order *order;
	uint64_t *spare; /* [ctx][dst][src]: a receiver frees into its row */
	uint32_t *puts_out;
	struct emu_win_ent *wins;
	void *topo_state;
	struct emu_event *injq; /* [src][EMU_INJQ] */
	struct emu_event *ev;
	struct emu_flight *flight;
	const struct topo *topo;
	const struct topo_params *par;
	int n;
	int *pokes; /* ranks to wake after the unlock */
	uint8_t *poked;
	int npokes;
	bool notify;		/* write the launcher's eventfd */
	struct emu_free *frees; /* blocks to free at the next lock */
	size_t nfrees, capfrees;
};

/* Rank r runs here, not as a ghost (emu/host.h): only it reads its data. */
static inline bool emu_rank_local(const struct emu_eng *e, int r)
{
	return r >= e->hdr->local_lo && r < e->hdr->local_hi;
}

static inline void *emu_ptr(const struct emu_eng *e, uint64_t off)
{
	return e->base + off;
}

static inline uint64_t emu_off(const struct emu_eng *e, const void *p)
{
	return (uint64_t)((const char *)p - e->base);
}

/* Rank's part of window id. */
static inline struct emu_win_ent *emu_win_ent(const struct emu_eng *e,
					      uint32_t id, int rank)
{
	return &e->wins[(size_t)id * e->n + rank];
}

/*
 * The segment offset of [p, p + len) when the whole range lies in the
 * arena, else 0 (the arena never starts at 0). Memory in the arena is
 * reachable by every process with a plain memcpy; an offset, not the
 * address, is what another process can use, since each maps the segment
 * at its own address. The arena's bounds never change: no lock needed.
 */
static inline uint64_t emu_arena_off(const struct emu_eng *e, const void *p,
				     uint64_t len)
{
	const struct shm_heap *h = &e->hdr->heap;
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)e->base;

	if (a < b + h->start || a - b > h->end || len > h->end - (a - b))
		return 0;
	return a - b;
}

/* fabric.c: attach an engine view to a mapped segment (base). */
int emu_eng_init(struct emu_eng *e, void *base, const struct topo *topo);
void emu_eng_fini(struct emu_eng *e);

/* fabric.c: the fabric's segment header, checked (magic, version). */
int emu_hdr_check(const void *base, uint64_t size);

/* engine.c: take the lock (and free what was deferred). */
void emu_eng_lock(struct emu_eng *e);

/*
 * engine.c: advance the engine, drop the lock, then wake the ranks the
 * engine completed and tell the launcher about a deadlock.
 */
void emu_eng_unlock(struct emu_eng *e);

/* engine.c: process every event that is safe, then look for deadlock. */
void emu_eng_advance(struct emu_eng *e);

/* engine.c: smallest clock of the RUNNING ranks, UINT64_MAX: none. */
uint64_t emu_eng_horizon(const struct emu_eng *e);

/*
 * engine.c: rank state changes (under the lock). set_clock moves a running
 * rank's clock forward; run makes a rank RUNNING at clock (no wake-up);
 * block takes it out of the running set with what it waits for (count
 * requests; the caller sets wait_clock and wait_until for those done).
 */
void emu_eng_set_clock(struct emu_eng *e, int rank, uint64_t clock);
void emu_eng_run(struct emu_eng *e, int rank, uint64_t clock);
void emu_eng_block(struct emu_eng *e, int rank, enum emu_wait_op op, int src,
		   int tag, int count);
void emu_eng_done(struct emu_eng *e, int rank);

/*
 * engine.c: wake-ups. emu_ctl_poke wakes a rank now (a system call only if
 * it sleeps); emu_eng_poke queues it for emu_eng_flush_pokes, which
 * emu_eng_unlock calls after dropping the lock.
 */
void emu_ctl_poke(struct emu_ctl *c);
void emu_eng_poke(struct emu_eng *e, int rank);
void emu_eng_flush_pokes(struct emu_eng *e);

/*
 * engine.c: arena blocks. alloc and free under the lock; free_later
 * without it: the block is freed at this process's next lock.
 */
int emu_eng_alloc(struct emu_eng *e, uint64_t len, uint64_t *off);

/*
 * engine.c: give the pages of a large block (EMU_TRIM_MIN or more) that
 * the caller is about to free back to the host, without the lock; its
 * owner still holds it. Device memory and windows do this: a program
 * that frees a big buffer and allocates another of another size must
 * not keep both. Smaller blocks are reused as they are.
 */
#define EMU_TRIM_MIN (1ULL << 20)
void emu_eng_trim(struct emu_eng *e, uint64_t off, uint64_t len);
/*
 * engine.c: zero a reused block, giving its whole pages back to the host
 * when it is large (they read as zero and cost nothing until touched),
 * so a big window or buffer that is never filled takes no memory.
 */
void emu_eng_zero(struct emu_eng *e, uint64_t off, uint64_t len);
void emu_eng_free(struct emu_eng *e, uint64_t off, uint64_t len);
void emu_eng_free_later(struct emu_eng *e, uint64_t off, uint64_t len);

/*
 * engine.c: messages. A message and its payload (when data) are one block
 * of the arena: the header, then len bytes. emu_msg_new makes a zeroed
 * one, under the lock. Its parts, for a sender that fills the block
 * without the lock: emu_msg_spare hands out the block the pair (src, dst)
 * left, if it has the right size, without the lock (0: none);
 * emu_msg_alloc takes a new block from the heap, under the lock;
 * emu_msg_init makes a block a zeroed message, no lock needed while no
 * one else knows of it. emu_eng_inject queues its INJECT event at time;
 * emu_msg_free releases it: a sent message's block becomes its pair's
 * spare. Internal traffic (the barrier's) keeps spares of its own, so
 * that it does not take the blocks of the program's messages.
 */
int emu_msg_new(struct emu_eng *e, enum emu_msg_kind kind, enum emu_ctx ctx,
		int src, int dst, uint64_t len, bool data,
		struct emu_msg **out);
uint64_t emu_msg_spare(struct emu_eng *e, enum emu_ctx ctx, int src, int dst,
		       uint64_t len, bool data);
int emu_msg_alloc(struct emu_eng *e, uint64_t len, bool data, uint64_t *off);
struct emu_msg *emu_msg_init(struct emu_eng *e, uint64_t off,
			     enum emu_msg_kind kind, int src, int dst,
			     uint64_t len, bool data);
int emu_eng_inject(struct emu_eng *e, struct emu_msg *m, uint64_t time);

/* engine.c: m's event of kind at time (seq 0: the heap numbers it). */
struct emu_event emu_msg_event(const struct emu_eng *e, const struct emu_msg *m,
			       uint64_t time, enum emu_ev_kind kind);
void emu_msg_free(struct emu_eng *e, struct emu_msg *m, bool locked);
/*
 * engine.c: start loading eager message msg's header and last byte; or
 * what emu_msg_spare(e, ctx, src, dst, len, true) will use: the pair's
 * slot (block false), or the block in the slot now, to write it (block
 * true, once the slot is loaded).
 */
void emu_msg_prefetch(const struct emu_eng *e, uint64_t msg, uint64_t len);
void emu_msg_spare_prefetch(struct emu_eng *e, enum emu_ctx ctx, int src,
			    int dst, uint64_t len, bool block);

/*
 * engine.c: r completed at virtual time t; wakes its blocked owner when it
 * was the last thing the owner waited for.
 */
void emu_req_complete(struct emu_eng *e, struct snemu_req *r, uint64_t t);

/*
 * barrier.c: the message a rank waited for in its barrier arrived: run
 * its next rounds, and wake it when the barrier is over.
 */
void emu_barrier_arrive(struct emu_eng *e, struct snemu_req *r);

/* match.c: post a receive: match an unexpected message or queue it. */
void emu_match_post(struct emu_eng *e, struct snemu_req *r);

/*
 * match.c: the first unexpected message of rank that a user receive of
 * comm from src with tag would take: true, its status in *st; else false.
 */
bool emu_match_probe(struct emu_eng *e, int rank, uint32_t comm, int src,
		     int tag, struct emu_status *st);

/* match.c: take posted receive r out of its queue: false if not there. */
bool emu_match_cancel(struct emu_eng *e, struct snemu_req *r);

/*
 * match.c: the message of ev arrived at ev->time: match a posted receive,
 * or queue it as unexpected (and end the rank's probe if it fits).
 */
void emu_match_arrive(struct emu_eng *e, const struct emu_event *ev);

/* win.c: execute a window message at its arrival time t. */
void emu_win_arrive(struct emu_eng *e, struct emu_msg *m, uint64_t t);

/*
 * win_mem.c: window memory, in the arena or another process. [off, off +
 * len) of w, in range: copy in or out (0, or -errno of a process that
 * cannot be reached, such as -EFAULT for an address it has not mapped), or
 * apply atomic op (operands a, b) to the uint64_t at off and store the old
 * value in *old. Atomics on arena memory are atomic also against the
 * owner's CPU; on private memory only against other window calls.
 */
int emu_win_write(const struct emu_eng *e, const struct emu_win_ent *w,
		  uint64_t off, const void *src, uint64_t len);
int emu_win_read(const struct emu_eng *e, const struct emu_win_ent *w,
		 uint64_t off, void *dst, uint64_t len);
int emu_win_amo(const struct emu_eng *e, const struct emu_win_ent *w,
		uint64_t off, enum emu_amo_op op, uint64_t a, uint64_t b,
		uint64_t *old);

/*
 * watch.c: [off, off + len) of rank's window win changed at t: complete the
 * rank's snemu_wait_until if it watches a word there that now compares
 * true.
 */
void emu_watch_written(struct emu_eng *e, int rank, uint32_t win, uint64_t off,
		       uint64_t len, uint64_t t);

#endif
