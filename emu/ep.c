/* SPDX-License-Identifier: MIT */
/*
 * The endpoint's life: attach to the run's fabric, identity and clock,
 * detach. Plus the frame every API call runs in (emu/ep.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/log.h"
#include "emu/ep.h"
#include "emu/host.h"

struct emu_ep *emu_ep;

/*
 * Only the thread that called snemu_init, in its process, is the endpoint:
 * a second thread, or a child forked after snemu_init, would corrupt the
 * rank's state in the shared engine.
 */
static __thread bool ep_thread;
static bool ep_forked, atfork_set;

static void ep_atfork_child(void)
{
	ep_forked = true;
}

int ep_len_check(const struct emu_ep *ep, uint64_t len, int peer)
{
	uint64_t mtu = ep->eng.par->mtu;

	if (len / mtu < TOPO_MAX_SEGS)
		return 0;
	log_err("rank %d: %" PRIu64 " B to rank %d: more than %u segments of "
		"%" PRIu64 " B (the config's mtu), the most one message can "
		"be in the model",
		ep->rank, len, peer, TOPO_MAX_SEGS, mtu);
	return -EMSGSIZE;
}

/* A call from elsewhere fails: said once, and -EPERM. */
static int ep_intruder(const struct emu_ep *ep)
{
	static bool said;

	if (!said)
		log_err("rank %d: an API call from %s: only the thread that "
			"called snemu_init, in its process, may call the API",
			ep->rank,
			ep_forked ? "a child forked after snemu_init"
				  : "another thread");
	said = true;
	return -EPERM;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void ep_cpu_mark(struct emu_ep *ep)
{
	ep->cpu_mark = thread_cpu_ns();
}

/*
 * What reading the clock costs (a system call: 0.3 to 0.5 us on the
 * development VM), the least of a few back-to-back reads: between the
 * read as a call returns and the one as the next enters, the end of the
 * first and the start of the second count, about one read in all.
 */
static uint64_t cpu_read_ns(void)
{
	uint64_t least = UINT64_MAX, t = thread_cpu_ns(), u;

	for (int i = 0; i < 16; i++) {
		u = thread_cpu_ns();
		least = MIN(least, u - t);
		t = u;
	}
	return least;
}

/* Charge ns to the caller's clock, posting what it held back first. */
static void ep_compute(struct emu_ep *ep, uint64_t ns)
{
	ep_lock(ep);
	ep_charge(ep, ns);
	ep_unlock(ep);
}

/*
 * --compute measured: charge the program's CPU time since it left the
 * library, less the cost of the reads, times the scale, rounded to whole
 * ns; the clock stops short of EMU_CLOCK_MAX, as with snemu_compute. A
 * thread other than the last caller's may come with a smaller CPU time:
 * nothing is charged then.
 */
static void ep_cpu_charge(struct emu_ep *ep)
{
	uint64_t now = thread_cpu_ns(), spent = 0, ns;
	double d;

	if (now > ep->cpu_mark + ep->cpu_read_ns)
		spent = now - ep->cpu_mark - ep->cpu_read_ns;
	ep->cpu_mark = now;
	d = spent * ep->cpu_scale;
	ns = d < EMU_CLOCK_MAX ? (uint64_t)llround(d) : EMU_CLOCK_MAX;
	ns = MIN(ns, EMU_CLOCK_MAX - ep_clock(ep));
	if (ns)
		ep_compute(ep, ns);
}

int ep_enter(struct emu_ep **out)
{
	struct emu_ep *ep = emu_ep;

	if (!ep)
		return -ENXIO;
	if (!ep_thread || ep_forked)
		return ep_intruder(ep);
	if (__atomic_load_n(&ep->eng.hdr->aborted, __ATOMIC_ACQUIRE))
		return -ECANCELED;
	if (ep->cpu_scale > 0)
		ep_cpu_charge(ep);
	if (unlikely(ep->tr.buf))
		ep_trace_enter(ep);
	ep_copies(ep);
	*out = ep;
	return 0;
}

void ep_lock(struct emu_ep *ep)
{
	if (ep->nposts)
		ep_posts_stage(ep);
	emu_eng_lock(&ep->eng);
	if (ep->nposts)
		ep_posts_flush_locked(ep);
}

void ep_unlock(struct emu_ep *ep)
{
	emu_eng_unlock(&ep->eng);
	/* A receive we just matched may hold a sender: free it at once. */
	ep_copies(ep);
}

uint64_t ep_clock(const struct emu_ep *ep)
{
	return __atomic_load_n(&ep->me->clock, __ATOMIC_RELAXED) + ep->posts_ns;
}

void ep_charge(struct emu_ep *ep, uint64_t ns)
{
	emu_eng_set_clock(&ep->eng, ep->rank, ep->me->clock + ns);
}

int ep_inject(struct emu_ep *ep, struct emu_msg *m)
{
	uint64_t t = ep->me->clock + ep->eng.par->send_ns;
	int ret;

	ret = emu_eng_inject(&ep->eng, m, t);
	if (!ret)
		emu_eng_set_clock(&ep->eng, ep->rank, t);
	return ret;
}

/*
 * Each call leaves no earlier than the one before (the clock never goes
 * back, and the unit free first only later), so the unit free first is
 * the one used longest ago: the units take turns.
 */
int ep_issue(struct emu_ep *ep, struct emu_msg *m)
{
	unsigned units = (unsigned)ep->eng.par->issue_units, u = ep->unit_next;
	uint64_t clock = ep->me->clock, t;
	int ret;

	t = MAX(clock, ep->unit_free[u]) + ep->eng.par->send_ns;
	ret = emu_eng_inject(&ep->eng, m, t);
	if (ret)
		return ret;
	ep->unit_free[u] = t;
	ep->unit_next = u + 1 == units ? 0 : u + 1;
	emu_eng_set_clock(&ep->eng, ep->rank,
			  MAX(clock, ep->unit_free[ep->unit_next]));
	return 0;
}

/* A non-negative int from the environment, or -1. */
static int env_int(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

/* Build the launcher's model from its config text in the segment. */
static int topo_from_text(const char *text, struct topo **out)
{
	struct topo_error err;
	char msg[1024];
	int ret;

	ret = topo_load_string(text, "<the launcher's model>", out, &err);
	if (ret) {
		topo_error_format(&err, msg, sizeof(msg));
		log_err("snemu_init: topology: %s", msg);
	}
	return ret;
}

static void ep_free(struct emu_ep *ep)
{
	emu_win_fini(ep);
	emu_eng_fini(&ep->eng);
	topo_destroy(ep->topo);
	shm_seg_destroy(ep->seg);
	free(ep);
}

static int ep_attach(struct emu_ep *ep, int fd, int rank)
{
	struct emu_hdr *h;
	int ret;

	ret = shm_seg_attach(fd, &ep->seg);
	if (ret || emu_hdr_check(ep->seg->base, ep->seg->size)) {
		log_err("snemu_init: fd %d (%s) is not a snemu fabric", fd,
			EMU_ENV_FD);
		return -ENXIO;
	}
	h = ep->seg->base;
	if (rank >= h->nranks) {
		log_err("snemu_init: rank %d out of range: the run has %d",
			rank, h->nranks);
		return -ENXIO;
	}
	ret = topo_from_text(h->topo_text, &ep->topo);
	if (ret)
		return ret;
	ret = emu_eng_init(&ep->eng, ep->seg->base, ep->topo);
	if (ret) {
		log_err("snemu_init: topology %s differs from the launcher's",
			topo_name(ep->topo));
		return ret;
	}
	ep->rank = rank;
	ep->size = h->nranks;
	ep->cpu_scale = h->compute_scale;
	ep->me = &ep->eng.ctl[rank];
	ep->pid = getpid();
	ep->feed = h->nhosts > 1 && emu_rank_local(&ep->eng, rank)
			   ? env_int(HOST_ENV_FEED)
			   : -1;
	ep_trace_attach(ep);
	return 0;
}

int snemu_init(int *argc, char ***argv)
{
	struct emu_ep *ep;
	int fd, rank, ret;

	if (emu_ep)
		return -EALREADY;
	fd = env_int(EMU_ENV_FD);
	rank = env_int(EMU_ENV_RANK);
	if (fd < 0 || rank < 0) {
		log_err("snemu_init: %s and %s are not set: start the program "
			"with `snemu run -n N -- PROGRAM`",
			EMU_ENV_FD, EMU_ENV_RANK);
		return -ENXIO;
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ret = ep_attach(ep, fd, rank);
	if (ret) {
		ep_free(ep);
		return ret;
	}
	/* Large receives read our buffers; Yama must let them. */
	ret = shm_cma_allow();
	if (ret)
		log_warn("snemu_init: PR_SET_PTRACER: %s", strerror(-ret));
	snemu_log_set_rank(rank);
	ep_lock(ep);
	__atomic_store_n(&ep->me->pid, ep->pid, __ATOMIC_RELAXED);
	emu_win_address_space_init(ep);
	emu_eng_run(&ep->eng, rank, ep->me->clock);
	ep_unlock(ep);
	if (!atfork_set && !pthread_atfork(NULL, NULL, ep_atfork_child))
		atfork_set = true;
	ep_thread = true;
	emu_ep = ep;
	ep_rec_op(ep, HOST_INIT);
	if (ep->cpu_scale > 0) {
		ep->cpu_read_ns = cpu_read_ns();
		ep_cpu_mark(ep);
	}
	return 0;
}

int snemu_finalize(void)
{
	EP_CALL();
	struct emu_ep *ep = emu_ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret == -ENXIO)
		return ret;
	if (!ret)
		ep_rec(ep,
		       &(struct host_rec){.op = HOST_FINALIZE,
					  .len = ep_clock(ep)},
		       NULL, 0, NULL);
	if (!ret && ep->nreqs) {
		/* For the launcher, should the program exit anyway. */
		ep->me->finalize_busy = ep->nreqs;
		return -EBUSY;
	}
	if (!ret) {
		ep_lock(ep);
		emu_eng_done(&ep->eng, ep->rank);
		ep_unlock(ep);
	}
	emu_ep = NULL;
	ep_free(ep);
	return ret;
}

int snemu_rank(void)
{
	return emu_ep ? emu_ep->rank : -ENXIO;
}

int snemu_size(void)
{
	return emu_ep ? emu_ep->size : -ENXIO;
}

int snemu_node_of(int rank)
{
	if (!emu_ep)
		return -ENXIO;
	if (rank < 0 || rank >= emu_ep->size)
		return -EINVAL;
	return topo_node_of(emu_ep->topo, rank);
}

uint64_t snemu_now(void)
{
	EP_CALL();
	struct emu_ep *ep;

	/* The clock includes the measured compute up to this call. */
	if (emu_ep && emu_ep->cpu_scale > 0)
		(void)ep_enter(&ep);
	return emu_ep ? ep_clock(emu_ep) : 0;
}

int snemu_compute(uint64_t ns)
{
	EP_CALL();
	struct emu_ep *ep;
	int ret;

	ret = ep_enter(&ep);
	if (ret)
		return ret;
	EP_TRACE_ARGS(ep, "compute", -1, -1, UINT64_MAX, false);
	/* Far from UINT64_MAX, which means "no running rank". */
	if (ns > EMU_CLOCK_MAX - ep_clock(ep))
		return -EINVAL;
	ep_rec(ep, &(struct host_rec){.op = HOST_COMPUTE, .len = ns}, NULL, 0,
	       NULL);
	ep_compute(ep, ns);
	return 0;
}

const char *snemu_strerror(int err)
{
	const char *s;

	switch (err) {
	case 0: return "success";
	case -ENXIO:
		return "no fabric: not started by `snemu run`, or snemu_init "
		       "not called";
	case -ECANCELED:
		return "the run was stopped (deadlock or a failed rank)";
	case -EMSGSIZE:
		return "message too long: truncated by the receive buffer, or "
		       "more than the model carries";
	case -EBUSY: return "requests are still pending";
	case -EALREADY: return "snemu_init was already called";
	}
	s = err < 0 ? strerrordesc_np(-err) : NULL;
	return s ? s : "unknown error";
}
