/* SPDX-License-Identifier: MIT */
/*
 * snemu.h: the endpoint API of snemu, the supernode interconnect emulator.
 *
 * A program linked with libsnemu (pkg-config snemu) is started N times by
 * `snemu run -n N -- PROGRAM`. Each copy is one endpoint (an NPU of the
 * modeled supernode) with a rank in [0, N). Messages carry real bytes between
 * the processes; the topology model decides when they arrive, in virtual time
 * (nanoseconds) by default.
 *
 * Conventions:
 * - Every int-returning call returns 0 on success or a negative errno value;
 *   no call sets errno. snemu_strerror() turns a code into text.
 * - A bad argument (rank out of range, unknown window, offset past a
 *   window's end) returns -EINVAL and changes nothing.
 * - Only the thread that called snemu_init, in its process, calls the
 *   API: a call from another thread, or from a child forked after
 *   snemu_init, fails with -EPERM (said once on stderr).
 * - A message, put or get of more than the model's segment limit (mtu x
 *   2^24 bytes, 64 GiB at the presets' 4 KiB mtu) fails with -EMSGSIZE.
 * - A handle used after it was freed (a window after snemu_win_free; a
 *   request listed twice in one array call) gets -EINVAL. A request
 *   handle used after its completion may alias a newer request.
 *
 * Virtual time:
 * - Each endpoint has a clock (snemu_now). API calls add the modeled CPU
 *   overheads of the topology config (send, receive, poll); program code
 *   between calls costs nothing unless the program says so with
 *   snemu_compute().
 * - A receive completes at max(receiver clock, arrival time of the last
 *   byte). A send of at most the eager limit completes once the message has
 *   left the sender; a larger send completes when the receiver has it.
 * - Each completed receive costs the receive overhead once, as a CPU that
 *   handles completions as they come: in arrival order, by the wait or
 *   test running at its arrival (whether or not that call names it), else
 *   by the next one. A waitall, and a loop of waits in any order, over
 *   the same requests end at the same clock.
 * - Polling (snemu_test) costs the poll overhead, so a polling loop always
 *   moves forward in virtual time.
 * - The same program with the same config and N gives the same results and
 *   timings on every run.
 * - Window memory written by remote puts and atomics becomes visible at the
 *   modeled arrival time, and only to a program that synchronizes through
 *   the API (snemu_wait_until for a flag; snemu_test, snemu_wait,
 *   snemu_flush, snemu_barrier, a receive).
 */
#ifndef SNEMU_H
#define SNEMU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Receive from any rank / with any tag (receive calls only). */
#define SNEMU_ANY_SOURCE (-1)
#define SNEMU_ANY_TAG	 (-1)

/* Largest tag a program may use; tags are in [0, SNEMU_TAG_MAX]. */
#define SNEMU_TAG_MAX 0x3fffffff

/* What a completed receive got. For sends only len is set (bytes sent). */
struct snemu_status {
	int source;	     /* rank the message came from */
	int tag;	     /* its tag */
	size_t len;	     /* its full length (even when truncated) */
	uint64_t arrival_ns; /* virtual time its last byte arrived */
	int cancelled;	     /* 1: a receive withdrawn by snemu_cancel */
};

/* A nonblocking operation in flight; freed by wait, or by test once done. */
struct snemu_req;
/* A window of memory that other ranks can put to, get from and update. */
struct snemu_win;

/*
 * Attach to the fabric set up by `snemu run`. Call once, before any other
 * call. argc/argv may be NULL; they are not changed today.
 * Returns -ENXIO when the process was not started by `snemu run`.
 */
int snemu_init(int *argc, char ***argv);

/*
 * Detach. Call once at the end, after every request has completed. A process
 * that exits without it is reported as failed by the launcher.
 */
int snemu_finalize(void);

/* This endpoint's rank, and the number of ranks. */
int snemu_rank(void);
int snemu_size(void);

/* Node (host board) index of a rank; -EINVAL for a bad rank. */
int snemu_node_of(int rank);

/* This endpoint's clock in virtual nanoseconds. */
uint64_t snemu_now(void);

/* Charge ns of modeled compute to this endpoint's clock. */
int snemu_compute(uint64_t ns);

/*
 * Blocking tagged send of len bytes to rank dst with tag in
 * [0, SNEMU_TAG_MAX]. Returns when buf may be reused.
 */
int snemu_send(int dst, int tag, const void *buf, size_t len);

/*
 * Blocking tagged receive into buf (capacity len) from src (or
 * SNEMU_ANY_SOURCE) with tag (or SNEMU_ANY_TAG). Messages from one sender
 * with one tag arrive in order; a wildcard receive matches the message that
 * arrived first in virtual time. st may be NULL. A longer message is cut to
 * len bytes and -EMSGSIZE returned, with st filled in.
 */
int snemu_recv(int src, int tag, void *buf, size_t len,
	       struct snemu_status *st);

/*
 * Nonblocking send and receive: as above, but return at once with *req;
 * complete them with snemu_wait, snemu_test or snemu_waitall. buf must stay
 * valid (and, for isend, unchanged) until then. Virtual times are those of
 * posting at the call. On the host, a post of at most the eager limit
 * (64 KiB) reaches the fabric at this rank's next call that is not an
 * isend or irecv; other ranks may wait for it in wall time, never in
 * virtual time. A failure of the fabric itself (out of memory) is
 * returned by the wait.
 */
int snemu_isend(int dst, int tag, const void *buf, size_t len,
		struct snemu_req **req);
int snemu_irecv(int src, int tag, void *buf, size_t len,
		struct snemu_req **req);

/*
 * Wait for req to complete, fill st (may be NULL) and free req. Returns the
 * operation's result (for example -EMSGSIZE for a truncated receive). A
 * request of a one-sided call (snemu_iget, snemu_iatomic_fetch_op) works
 * with every wait and test call; its status has only len set.
 */
int snemu_wait(struct snemu_req *req, struct snemu_status *st);

/*
 * Check req once, charging the poll overhead. Sets *done to 1 and frees req
 * (returning the operation's result) when it has completed, else sets *done
 * to 0 and returns 0.
 */
int snemu_test(struct snemu_req *req, int *done, struct snemu_status *st);

/*
 * Wait for all n requests; sts may be NULL, else it has n entries. The
 * endpoint is woken once, when the last one completes. Returns 0, or the
 * first error among the operations (all are completed and freed anyway).
 *
 * In the array calls (waitall, testall, waitany, testany) NULL entries are
 * skipped (their status is empty: source SNEMU_ANY_SOURCE, tag
 * SNEMU_ANY_TAG, len 0), and each request the call completes is freed and
 * its entry set to NULL.
 */
int snemu_waitall(int n, struct snemu_req **reqs, struct snemu_status *sts);

/*
 * Check all n requests once, charging the poll overhead: if every one has
 * completed, complete them as snemu_waitall does and set *done to 1; else
 * set *done to 0 and leave them all pending.
 */
int snemu_testall(int n, struct snemu_req **reqs, int *done,
		  struct snemu_status *sts);

/*
 * Wait until one of the n requests completes, complete it as snemu_wait
 * does and store its index in *index: the one that completed first in
 * virtual time (among equal times: the lowest index of those done when
 * the call began, else the first the engine completed; either way the
 * same on every run). *index is -1 when every entry is NULL (nothing to
 * wait for).
 */
int snemu_waitany(int n, struct snemu_req **reqs, int *index,
		  struct snemu_status *st);

/*
 * Check the n requests once, charging the poll overhead: if one has
 * completed, complete the first (as snemu_waitany chooses), set *index and
 * *done to 1; else *index -1 and *done 0. With every entry NULL, *done is 1
 * and *index -1.
 */
int snemu_testany(int n, struct snemu_req **reqs, int *index, int *done,
		  struct snemu_status *st);

/*
 * Check the n requests once, charging the poll overhead: complete every
 * one done by the caller's clock (as snemu_waitall does), store their
 * indices in increasing order in indices[0, *count) and, when sts is not
 * NULL, their statuses in sts[0, *count). *count is 0 when none is done;
 * with every entry NULL it is 0 without cost. indices (and sts) have
 * room for n. Returns 0 or the first error among those completed.
 */
int snemu_testsome(int n, struct snemu_req **reqs, int *count, int *indices,
		   struct snemu_status *sts);

/*
 * Wait until a message that snemu_recv(src, tag) would take has arrived and
 * fill st (may be NULL) with its source, tag, length and arrival, without
 * receiving it: the next such receive gets that message, unless another
 * receive posted meanwhile takes it first. Messages are seen in arrival
 * order, as receives see them. Costs the poll overhead, and returns at
 * max(clock + poll, the message's arrival). snemu_iprobe looks once: *flag
 * 1 and st filled if there is such a message, else *flag 0; a loop of it
 * moves in virtual time.
 */
int snemu_probe(int src, int tag, struct snemu_status *st);
int snemu_iprobe(int src, int tag, int *flag, struct snemu_status *st);

/*
 * Withdraw a receive that no message has matched yet (by the caller's
 * clock): returns 0, and its wait or test then completes at once with
 * status .cancelled 1 and returns 0. -EBUSY when it has matched (complete
 * it as usual), -EINVAL for a request that is not a receive. Costs the
 * poll overhead.
 */
int snemu_cancel(struct snemu_req *req);

/*
 * Communicators: every send, receive and probe above belongs to
 * communicator 0. The _comm forms name another one, any uint32_t chosen
 * by the program (a library layered on snemu, such as an MPI, gives each
 * of its communicators its own): a message matches only receives and
 * probes of its own communicator, wildcards included, and ordering holds
 * per (sender, communicator, tag). Tags stay [0, SNEMU_TAG_MAX] in each.
 * Timings are those of the calls without _comm.
 *
 * flags: 0, or SNEMU_SEND_SYNC for a synchronous send (MPI_Ssend): it
 * travels as a rendezvous whatever its length and completes only once a
 * receive has matched it. Other bits: -EINVAL.
 */
#define SNEMU_SEND_SYNC 1
int snemu_send_comm(uint32_t comm, int dst, int tag, const void *buf,
		    size_t len, int flags);
int snemu_recv_comm(uint32_t comm, int src, int tag, void *buf, size_t len,
		    struct snemu_status *st);
int snemu_isend_comm(uint32_t comm, int dst, int tag, const void *buf,
		     size_t len, int flags, struct snemu_req **req);
int snemu_irecv_comm(uint32_t comm, int src, int tag, void *buf, size_t len,
		     struct snemu_req **req);
int snemu_probe_comm(uint32_t comm, int src, int tag, struct snemu_status *st);
int snemu_iprobe_comm(uint32_t comm, int src, int tag, int *flag,
		      struct snemu_status *st);

/* Block until every rank has entered the barrier; costs fabric messages. */
int snemu_barrier(void);

/*
 * Device memory: the emulator's analog of the communication buffers an NPU
 * runtime allocates in HBM (like cudaMalloc, ncclMemAlloc or
 * MPI_Alloc_mem). It lives in the run's shared segment, which every
 * endpoint process maps, so a large message between device-memory buffers
 * moves with one plain memcpy; a private buffer (malloc, the stack) must be
 * reached through the kernel (process_vm_readv/writev), several times
 * slower. Either kind works with every call; device memory is only faster.
 *
 * snemu_mem_alloc is not collective and costs no virtual time. It stores at
 * *ptr len bytes, 64-byte aligned, page-aligned (4096) when len is at least
 * 4096, and zeroed, as window memory is: a run's results never depend on
 * what the memory held before. Returns -EINVAL for len 0 (nothing to free
 * later: snemu_mem_free refuses NULL) or ptr NULL, -ENOMEM when the
 * segment's arena is full, -ENXIO outside snemu_init..snemu_finalize. The
 * memory is valid in this process until snemu_mem_free or snemu_finalize;
 * what is not freed is reclaimed with the run's segment. Other ranks reach
 * it through messages, as any buffer.
 */
int snemu_mem_alloc(size_t len, void **ptr);

/*
 * Free device memory from snemu_mem_alloc of this rank. No message using
 * it may be in flight. Returns -EINVAL, and frees nothing, for NULL or any
 * other pointer (one freed already, inside a block, another rank's).
 */
int snemu_mem_free(void *ptr);

/*
 * Collective: every rank calls it, in the same order, with its own len
 * (which may differ per rank, and may be 0). Allocates len zeroed bytes of
 * window memory at *base that other ranks can reach through *win.
 */
int snemu_win_allocate(size_t len, void **base, struct snemu_win **win);

/*
 * Collective, like snemu_win_allocate: a window over memory the program
 * already has, [base, base + len) on this rank (verbs' ibv_reg_mr, MPI's
 * MPI_Win_create). Device memory (snemu_mem_alloc) is reached as fast as
 * an allocated window; other memory (malloc, the stack, a mapping) is
 * reached through the kernel, and remote atomics on it are atomic against
 * other window calls, not against this process's own atomic instructions.
 * The memory must stay valid until snemu_win_free; it is not zeroed.
 * Returns -EINVAL for base NULL with len not 0, or a range that wraps.
 */
int snemu_win_create(void *base, size_t len, struct snemu_win **win);

/*
 * The window over every rank's whole address space, whose offsets are
 * addresses in the target process (as an implicit on-demand-paging memory
 * region of verbs; what MPI_Win_create_dynamic needs). Not collective and
 * never freed: it exists from snemu_init on (NULL before), and a rank can
 * use it on any target whose addresses it has learned. Memory is reached
 * as by snemu_win_create; an access to an address the target has not
 * mapped fails with -EFAULT (a get, an atomic) or is logged as an error
 * (a put). snemu_win_free refuses it.
 */
struct snemu_win *snemu_win_address_space(void);

/* Collective: free a window; every rank calls it. */
int snemu_win_free(struct snemu_win *win);

/*
 * One-sided write of len bytes from src into rank dst's window at offset
 * off. Returns when src may be reused; the data lands at its modeled arrival
 * time. Use snemu_flush to know it has landed.
 */
int snemu_put(struct snemu_win *win, int dst, size_t off, const void *src,
	      size_t len);

/*
 * snemu_put, then an update of the 8-byte-aligned uint64_t signal word at
 * sig_off of dst's window: SNEMU_SIGNAL_SET stores sig_value, _ADD adds it
 * (atomically). Both happen at the put's arrival, the data first: a rank
 * that sees the signal (snemu_wait_until) sees the data. The word may lie
 * inside the data's range; the signal is applied after the data.
 */
#define SNEMU_SIGNAL_SET 0
#define SNEMU_SIGNAL_ADD 1
int snemu_put_signal(struct snemu_win *win, int dst, size_t off,
		     const void *src, size_t len, size_t sig_off,
		     uint64_t sig_value, int sig_op);

/*
 * snemu_put and snemu_put_signal without the copy (NVSHMEM's _nbi): they
 * return at once, and the bytes are read from src when the put arrives,
 * so src must stay valid and unchanged until a snemu_flush of this rank
 * to dst (or to SNEMU_ANY_SOURCE) returns. Virtual times are those of the
 * copying calls; the host copies each byte once instead of twice and
 * keeps no copy in flight.
 */
int snemu_put_nbi(struct snemu_win *win, int dst, size_t off, const void *src,
		  size_t len);
int snemu_put_signal_nbi(struct snemu_win *win, int dst, size_t off,
			 const void *src, size_t len, size_t sig_off,
			 uint64_t sig_value, int sig_op);

/*
 * One-sided read of len bytes from rank src's window at offset off into dst.
 * dst is filled when the call returns (a get is blocking); snemu_iget
 * returns at once with *req, and dst is filled when the request completes
 * (snemu_wait, snemu_test and their relatives).
 */
int snemu_get(struct snemu_win *win, int src, size_t off, void *dst,
	      size_t len);
int snemu_iget(struct snemu_win *win, int src, size_t off, void *dst,
	       size_t len, struct snemu_req **req);

/*
 * Complete every put of this caller to rank (SNEMU_ANY_SOURCE: all ranks).
 * With nothing outstanding it is a poll: it costs the poll overhead and
 * returns once no event earlier than the caller's clock can still come.
 */
int snemu_flush(struct snemu_win *win, int rank);

/*
 * Remote atomics on an 8-byte-aligned uint64_t in rank's window, executed at
 * the target in arrival order. fadd adds and returns the old value in *old
 * (old may be NULL); cas stores desired if the value equals expect and
 * always returns the old value. Blocking.
 */
int snemu_atomic_fadd(struct snemu_win *win, int rank, size_t off, uint64_t add,
		      uint64_t *old);
int snemu_atomic_cas(struct snemu_win *win, int rank, size_t off,
		     uint64_t expect, uint64_t desired, uint64_t *old);

/*
 * The same for op (SNEMU_AMO_*) with operand: add, and, or, xor, or swap
 * (store operand). *old (may be NULL) gets the value before. The i form
 * returns at once with *req; *old is written when it completes.
 */
enum {
	SNEMU_AMO_ADD,
	SNEMU_AMO_AND,
	SNEMU_AMO_OR,
	SNEMU_AMO_XOR,
	SNEMU_AMO_SWAP
};
int snemu_atomic_fetch_op(struct snemu_win *win, int rank, size_t off, int op,
			  uint64_t operand, uint64_t *old);
int snemu_iatomic_fetch_op(struct snemu_win *win, int rank, size_t off, int op,
			   uint64_t operand, uint64_t *old,
			   struct snemu_req **req);

/*
 * Block until the 8-byte-aligned uint64_t at off of this rank's own window
 * compares true (word CMP value, SNEMU_CMP_*) with value; *seen (may be
 * NULL) gets the word's value that made it true. The word is what the
 * puts, signals and atomics that arrived before the caller's clock made
 * it; if that is true the call returns at once, else at the first later
 * arrival that makes it true. Either way it costs the receive overhead:
 * the clock becomes max(clock, that arrival) + recv_ns. A wait that no
 * write can end is reported as a deadlock, with the window, offset and
 * comparison.
 *
 * This is how to wait for a flag. A plain load of window memory is not
 * synchronized with the fabric: when it sees a remote write depends on the
 * host, so a loop of loads and snemu_compute is not deterministic.
 */
enum {
	SNEMU_CMP_EQ,
	SNEMU_CMP_NE,
	SNEMU_CMP_GT,
	SNEMU_CMP_GE,
	SNEMU_CMP_LT,
	SNEMU_CMP_LE
};
int snemu_wait_until(struct snemu_win *win, size_t off, int cmp, uint64_t value,
		     uint64_t *seen);

/* Text for a code returned by any call (negative errno). Never NULL. */
const char *snemu_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
