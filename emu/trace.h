/* SPDX-License-Identifier: MIT */
/*
 * Timelines (`snemu run --trace FILE.json`, docs/TRACE.md), internal to
 * emu/.
 *
 * Each traced rank appends fixed-size records to its own buffer in the
 * fabric segment, without the lock (only it writes there): one per API
 * call (when it returns), one per wait in virtual time, one per
 * receive it got (the message's flow id, for the arrow). A send's message
 * carries the flow id its sender gave it (struct emu_msg's trace_id). The
 * launcher reads every buffer after the run, adds the link timelines the
 * fabric model kept (topo_state_timeline) and writes the Chrome
 * trace-event JSON, sorted, so the same run gives the same file.
 */
#ifndef SNEMU_EMU_TRACE_H
#define SNEMU_EMU_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/emu.h"

struct emu_ep;
struct snemu_req;
struct emu_run;

enum emu_trace_kind {
	EMU_TR_CALL, /* an API call, [t0, t1] */
	EMU_TR_WAIT, /* call `call` waiting for its requests */
	EMU_TR_RECV, /* call `call` got message flow, done at t0 */
};

#define EMU_TR_NAME 16 /* the call's name less "snemu_", maybe no NUL */

/* One record: a cache line. */
struct emu_trace_rec {
	uint64_t t0, t1;
	uint64_t bytes; /* UINT64_MAX: no such argument */
	uint64_t flow;	/* a send's or receive's message id, 0: none */
	int32_t peer, tag;
	uint32_t call; /* the rank's call number */
	uint16_t count;
	uint8_t kind; /* enum emu_trace_kind */
	uint8_t op;   /* EMU_TR_WAIT: enum emu_wait_op */
	char name[EMU_TR_NAME];
};

_Static_assert(sizeof(struct emu_trace_rec) == 64, "a record is a line");

/* A rank's buffer in the segment: a header line, then cap records. */
struct emu_trace_buf {
	uint32_t on; /* the launcher traces this rank */
	uint32_t pad;
	uint64_t count;	  /* records written (release) */
	uint64_t dropped; /* records that found the buffer full */
	uint64_t pad2[5];
	struct emu_trace_rec rec[];
};

/* The bytes of a rank's buffer of cap records. */
static inline uint64_t emu_trace_buf_size(uint64_t cap)
{
	return sizeof(struct emu_trace_buf) +
	       cap * sizeof(struct emu_trace_rec);
}

/* The endpoint's side: what the call being traced said (emu/ep.h). */
struct ep_trace {
	struct emu_trace_buf *buf; /* NULL: this rank is not traced */
	uint64_t cap, w0, w1;	   /* records; the window (virtual ns) */
	uint64_t t0;		   /* clock as the call entered */
	uint64_t bytes, flow;
	const char *name; /* instead of the function's, NULL: its own */
	int32_t peer, tag;
	uint32_t call;	/* calls so far */
	uint32_t sends; /* messages this rank gave a flow id */
	bool in;	/* in a call that ep_trace_enter saw */
};

/*
 * A call's record holds its function's name without this prefix (op 0),
 * or another name as it is (op 1).
 */
#define EMU_TRACE_PREFIX "snemu_"

/* trace_rank.c: find this rank's buffer (after the attach). */
void ep_trace_attach(struct emu_ep *ep);

/* trace_rank.c: a call entered (ep_enter) and returns (EP_CALL's cleanup). */
void ep_trace_enter(struct emu_ep *ep);
void ep_trace_leave(struct emu_ep *ep, const char *func);

/*
 * trace_rank.c: the call's arguments; name replaces the function's (NULL:
 * keep it). A send (send true) gets the next flow id in ep->tr.flow,
 * which its message carries.
 */
void ep_trace_args(struct emu_ep *ep, const char *name, int peer, int tag,
		   uint64_t bytes, bool send);

/*
 * trace_rank.c: the call waited (op) from clock from for the n requests of reqs
 * (NULL entries skipped), all complete now: if the last of them completed
 * after from, it waited in virtual time from then to that completion.
 * This depends on virtual times only, not on whether the host blocked.
 */
void ep_trace_waited(struct emu_ep *ep, int op, struct snemu_req *const *reqs,
		     int n, uint64_t from);

/* trace_rank.c: the call got message flow from src, done at done_ns. */
void ep_trace_recv(struct emu_ep *ep, uint64_t flow, int src, int tag,
		   uint64_t len, uint64_t done_ns);

#define EP_TRACE_ARGS(ep, name, peer, tag, bytes, send)                        \
	do {                                                                   \
		if (unlikely((ep)->tr.buf))                                    \
			ep_trace_args(ep, name, peer, tag, bytes, send);       \
	} while (0)

/* Launcher side. */
struct emu_trace;

/*
 * Check o against the run (ranks, window, link names) and create the
 * temporary file next to o->path, so that a path that cannot be written
 * fails before any rank starts. Errors are printed, naming what is wrong:
 * -EINVAL (bad option) or the -errno of the file.
 */
int emu_trace_open(const struct emu_trace_opts *o, const struct topo *topo,
		   int nranks, struct emu_trace **out);

/* Records each rank's buffer holds (struct emu_fabric_opts.trace_cap). */
uint64_t emu_trace_cap(const struct emu_trace *tr);

/* Before the ranks start: mark the traced ranks, the window, timelines. */
void emu_trace_arm(struct emu_trace *tr, struct emu_fabric *fab);

/*
 * After the run: merge the buffers and the busiest links' timelines and
 * write the file (the temporary one, then renamed). 0 or -errno.
 */
int emu_trace_write(struct emu_trace *tr, const struct emu_run *run);

/* The summary's line: the file, its events and size, the write rate. */
void emu_trace_summary(const struct emu_trace *tr, FILE *f);

/* Free tr; removes the temporary file if it was not renamed. */
void emu_trace_close(struct emu_trace *tr);

#endif
