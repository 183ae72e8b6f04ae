/* SPDX-License-Identifier: MIT */
/*
 * The fabric segment: layout, creation by the launcher, the engine's view
 * of it in each process, and the launcher's accessors (emu/emu.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/common.h"
#include "common/log.h"
#include "emu/fabric.h"
#include "emu/trace.h"

/* x rounded up to 64, UINT64_MAX when that overflows. */
static uint64_t align64(uint64_t x)
{
	return x > UINT64_MAX - 63 ? UINT64_MAX : (x + 63) & ~63ULL;
}

/* The regions of the segment after the header, in order. */
enum region {
	R_CTL,
	R_RUN,
	R_PAIRQ,
	R_TRAFFIC,
	R_ORDER,
	R_SPARE,
	R_PUTOUT,
	R_WINS,
	R_TOPO,
	R_TRACE,
	R_INJQ,
	R_EV,
	R_FLIGHT,
	R_NUM,
};

static const char *const region_names[R_NUM] = {
	[R_CTL] = "rank control blocks", [R_RUN] = "run heap",
	[R_PAIRQ] = "pair queues",	 [R_TRAFFIC] = "traffic matrix",
	[R_ORDER] = "pair order",	 [R_SPARE] = "spare blocks",
	[R_PUTOUT] = "puts out",	 [R_WINS] = "window table",
	[R_TOPO] = "topology state",	 [R_TRACE] = "trace buffers",
	[R_INJQ] = "inject queues",	 [R_EV] = "event heap",
	[R_FLIGHT] = "flights",
};

/* Where the regions of a run go; off[R_NUM] is the arena. */
struct layout {
	uint64_t len[R_NUM];
	uint64_t off[R_NUM + 1];
	uint64_t size;	  /* of the segment */
	uint64_t written; /* bytes hdr_init writes (the rest stays sparse) */
};

/* a * b * c, UINT64_MAX when it overflows. */
static uint64_t mul3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t p;

	if (__builtin_mul_overflow(a, b, &p) ||
	    __builtin_mul_overflow(p, c, &p))
		return UINT64_MAX;
	return p;
}

/* a + b, UINT64_MAX when it overflows. */
static uint64_t add(uint64_t a, uint64_t b)
{
	uint64_t p;

	return __builtin_add_overflow(a, b, &p) ? UINT64_MAX : p;
}

/*
 * Lay out a run of n ranks of topo, with trace_cap records per rank for
 * --trace (0: none): every region at the size the run needs, then the
 * arena of EMU_ARENA_SIZE, so the segment is sized from the run. Sizes
 * that overflow come out as UINT64_MAX.
 */
static void layout(struct layout *lo, const struct topo *topo, uint64_t n,
		   uint64_t trace_cap)
{
	uint64_t at = align64(sizeof(struct emu_hdr));

	*lo = (struct layout){
		.len = {
			[R_CTL] = mul3(n, sizeof(struct emu_ctl), 1),
			[R_RUN] = mul3(2, n, sizeof(int32_t)),
			[R_PAIRQ] = mul3(n, n, sizeof(struct emu_pairq)),
			[R_TRAFFIC] = mul3(n, n, sizeof(uint64_t)),
			[R_ORDER] = mul3(n, n, sizeof(struct emu_pair_order)),
			[R_SPARE] = mul3(EMU_NCTX * sizeof(uint64_t), n, n),
			[R_PUTOUT] = mul3(n, n, sizeof(uint32_t)),
			[R_WINS] = mul3(EMU_MAX_WINS, n,
					sizeof(struct emu_win_ent)),
			[R_TOPO] = topo_state_size(topo),
			[R_TRACE] =
				trace_cap
					? mul3(n, emu_trace_buf_size(trace_cap),
					       1)
					: 0,
			[R_INJQ] = mul3(n, EMU_INJQ, sizeof(struct emu_event)),
			[R_EV] = mul3(EMU_MAX_EVENTS, sizeof(struct emu_event),
				      1),
			[R_FLIGHT] = mul3(EMU_MAX_EVENTS,
					  sizeof(struct emu_flight), 1),
		}};
	for (int r = 0; r < R_NUM; r++) {
		lo->off[r] = at;
		at = align64(add(at, lo->len[r]));
	}
	lo->off[R_NUM] = at;
	lo->size = add(at, EMU_ARENA_SIZE) & ~(EMU_SEG_ALIGN - 1);
	lo->written = add(lo->off[R_RUN] + lo->len[R_RUN],
			  topo_state_init_size(topo));
}

/* Bytes as GiB for messages. */
static double gib(uint64_t b)
{
	return b / (double)(1ULL << 30);
}

/* The largest run of at most n ranks of topo whose tables fit the limit. */
static int max_ranks(const struct topo *topo, int n)
{
	struct layout lo;
	int lo_n = 0;

	while (lo_n < n) {
		int mid = lo_n + (n - lo_n + 1) / 2;

		layout(&lo, topo, mid, 0);
		if (lo.off[R_NUM] <= EMU_TABLES_MAX)
			lo_n = mid;
		else
			n = mid - 1;
	}
	return lo_n;
}

int emu_fabric_plan(const struct topo *topo, int nranks, uint64_t mem_limit,
		    char *why, size_t len)
{
	struct layout lo;
	int big = 0;

	layout(&lo, topo, nranks, 0);
	for (int r = 1; r < R_NUM; r++)
		if (lo.len[r] > lo.len[big])
			big = r;
	if (lo.off[R_NUM] > EMU_TABLES_MAX) {
		snprintf(why, len,
			 "-n %d on %s does not fit: the fabric's tables need "
			 "%.1f GiB (the largest: %s, %.1f GiB), %.1f GiB over "
			 "the limit of %.0f GiB; at most -n %d fit",
			 nranks, topo_name(topo), gib(lo.off[R_NUM]),
			 region_names[big], gib(lo.len[big]),
			 gib(lo.off[R_NUM] - EMU_TABLES_MAX),
			 gib(EMU_TABLES_MAX), max_ranks(topo, nranks));
		return -ENOMEM;
	}
	if (lo.written > mem_limit) {
		snprintf(why, len,
			 "-n %d on %s does not fit: the launcher would write "
			 "%.1f GiB at start (the topology state of %d links "
			 "and %d endpoints), %.1f GiB over the limit of %.1f "
			 "GiB, half of this host's memory",
			 nranks, topo_name(topo), gib(lo.written),
			 topo_num_links(topo), topo_num_endpoints(topo),
			 gib(lo.written - mem_limit), gib(mem_limit));
		return -ENOMEM;
	}
	return 0;
}

int emu_hdr_check(const void *base, uint64_t size)
{
	const struct emu_hdr *h = base;

	if (size < sizeof(*h) || h->magic != EMU_MAGIC ||
	    h->version != EMU_VERSION || h->seg_size != size)
		return -EPROTO;
	return 0;
}

int emu_eng_init(struct emu_eng *e, void *base, const struct topo *topo)
{
	struct emu_hdr *h = base;
	char *b = base;

	if ((size_t)topo_state_size(topo) != h->topo_state_size ||
	    topo_num_links(topo) != h->topo_links ||
	    topo_num_endpoints(topo) != h->topo_endpoints)
		return -EPROTO;
	*e = (struct emu_eng){
		.base = b,
		.hdr = h,
		.ctl = (struct emu_ctl *)(b + h->ctl_off),
		.run_heap = (int32_t *)(b + h->run_off),
		.run_pos = (int32_t *)(b + h->run_off) + h->nranks,
		.pairq = (struct emu_pairq *)(b + h->pairq_off),
		.traffic = (uint64_t *)(b + h->traffic_off),
		.order = (struct emu_pair_order *)(b + h->order_off),
		.spare = (uint64_t *)(b + h->spare_off),
		.puts_out = (uint32_t *)(b + h->putout_off),
		.wins = (struct emu_win_ent *)(b + h->wins_off),
		.topo_state = b + h->topo_off,
		.injq = (struct emu_event *)(b + h->injq_off),
		.ev = (struct emu_event *)(b + h->ev_off),
		.flight = (struct emu_flight *)(b + h->flight_off),
		.topo = topo,
		.par = topo_params(topo),
		.n = h->nranks,
	};
	e->pokes = calloc((size_t)e->n, sizeof(*e->pokes));
	e->poked = calloc((size_t)e->n, sizeof(*e->poked));
	if (!e->pokes || !e->poked) {
		emu_eng_fini(e);
		return -ENOMEM;
	}
	return 0;
}

void emu_eng_fini(struct emu_eng *e)
{
	free(e->pokes);
	free(e->poked);
	free(e->frees);
	e->pokes = NULL;
	e->poked = NULL;
	e->frees = NULL;
}

static void hdr_init(struct emu_hdr *h, const struct topo *topo,
		     const struct emu_fabric_opts *o, int efd,
		     const struct layout *lo)
{
	struct emu_ctl *ctl;
	int32_t *heap, *pos;

	h->magic = EMU_MAGIC;
	h->version = EMU_VERSION;
	h->nranks = o->nranks;
	h->seg_size = lo->size;
	h->eager_limit = o->eager_limit ? o->eager_limit : EMU_EAGER_DEFAULT;
	h->compute_scale = o->compute_scale;
	h->trace_cap = o->trace_cap;
	h->spare_budget = EMU_SPARE_BUDGET;
	topo_config_text(topo, false, h->topo_text, sizeof(h->topo_text));
	h->topo_state_size = topo_state_size(topo);
	h->topo_endpoints = topo_num_endpoints(topo);
	h->topo_links = topo_num_links(topo);
	h->nhosts = MAX(o->nhosts, 1);
	h->local_lo = h->nhosts > 1 ? o->local_lo : 0;
	h->local_hi = h->nhosts > 1 ? o->local_hi : o->nranks;
	h->notify_fd = efd;
	h->ctl_off = lo->off[R_CTL];
	h->run_off = lo->off[R_RUN];
	h->pairq_off = lo->off[R_PAIRQ];
	h->traffic_off = lo->off[R_TRAFFIC];
	h->order_off = lo->off[R_ORDER];
	h->spare_off = lo->off[R_SPARE];
	h->putout_off = lo->off[R_PUTOUT];
	h->wins_off = lo->off[R_WINS];
	h->topo_off = lo->off[R_TOPO];
	h->trace_off = o->trace_cap ? lo->off[R_TRACE] : 0;
	h->injq_off = lo->off[R_INJQ];
	h->ev_off = lo->off[R_EV];
	h->flight_off = lo->off[R_FLIGHT];

	ctl = (struct emu_ctl *)((char *)h + h->ctl_off);
	heap = (int32_t *)((char *)h + h->run_off);
	pos = heap + o->nranks;
	/* NEW ranks count as running at clock 0: all of them, in order. */
	for (int r = 0; r < o->nranks; r++) {
		ctl[r].state = EMU_RANK_NEW;
		ctl[r].flush_target = SNEMU_ANY_SOURCE;
		heap[r] = r;
		pos[r] = r;
	}
	h->nrun = o->nranks;
	topo_state_init(topo, (char *)h + h->topo_off);
	shm_lock_init(&h->lock);
	shm_heap_init(&h->heap, lo->off[R_NUM], lo->size);
}

int emu_fabric_create(const struct topo *topo, const struct emu_fabric_opts *o,
		      struct emu_fabric **out)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	struct emu_fabric *fab;
	struct layout lo;
	char why[512];
	int ret;

	if (!topo || !o || o->nranks < 1 ||
	    o->nranks > topo_num_endpoints(topo) || !(o->compute_scale >= 0) ||
	    (o->nhosts > 1 && (o->local_lo < 0 || o->local_lo >= o->local_hi ||
			       o->local_hi > o->nranks)))
		return -EINVAL;
	/* Before anything is made: whether the run fits at all. */
	ret = emu_fabric_plan(topo, o->nranks,
			      pages > 0 && page > 0 ? (uint64_t)pages * page / 2
						    : UINT64_MAX,
			      why, sizeof(why));
	if (ret) {
		log_err("%s", why);
		return ret;
	}
	layout(&lo, topo, o->nranks, o->trace_cap);
	fab = calloc(1, sizeof(*fab));
	if (!fab)
		return -ENOMEM;
	ret = shm_seg_create("snemu-fabric", lo.size, &fab->seg);
	if (ret)
		goto err_free;
	/* Inherited like the memfd: a child signals a deadlock through it. */
	fab->efd = eventfd(0, EFD_NONBLOCK);
	if (fab->efd < 0) {
		ret = -errno;
		log_err("fabric: eventfd: %s", strerror(errno));
		goto err_seg;
	}
	fab->hdr = fab->seg->base;
	fab->topo = topo;
	hdr_init(fab->hdr, topo, o, fab->efd, &lo);
	fab->hdr_copy = malloc(sizeof(*fab->hdr_copy));
	if (!fab->hdr_copy) {
		ret = -ENOMEM;
		close(fab->efd);
		goto err_seg;
	}
	*fab->hdr_copy = *fab->hdr;
	fab->nranks = o->nranks;
	fab->ctl = (struct emu_ctl *)((char *)fab->hdr + lo.off[R_CTL]);
	fab->traffic = (uint64_t *)((char *)fab->hdr + lo.off[R_TRAFFIC]);
	fab->topo_state = (char *)fab->hdr + lo.off[R_TOPO];
	*out = fab;
	return 0;

err_seg:
	shm_seg_destroy(fab->seg);
err_free:
	free(fab);
	return ret;
}

void emu_fabric_destroy(struct emu_fabric *fab)
{
	if (!fab)
		return;
	close(fab->efd);
	shm_seg_destroy(fab->seg);
	free(fab->links);
	free(fab->hdr_copy);
	free(fab);
}

int emu_fabric_fd(const struct emu_fabric *fab)
{
	return fab->seg->fd;
}

int emu_fabric_notify_fd(const struct emu_fabric *fab)
{
	return fab->efd;
}

static struct emu_ctl *ctl_of(struct emu_fabric *fab, int rank)
{
	return rank >= 0 && rank < fab->nranks ? &fab->ctl[rank] : NULL;
}

bool emu_fabric_corrupted(const struct emu_fabric *fab)
{
	const struct emu_hdr *h = fab->hdr, *c = fab->hdr_copy;

	return h->magic != c->magic || h->version != c->version ||
	       h->nranks != c->nranks || h->ctl_off != c->ctl_off ||
	       h->run_off != c->run_off || h->pairq_off != c->pairq_off ||
	       h->traffic_off != c->traffic_off || h->topo_off != c->topo_off ||
	       h->wins_off != c->wins_off || h->ev_off != c->ev_off;
}

void emu_fabric_set_pid(struct emu_fabric *fab, int rank, pid_t pid)
{
	struct emu_ctl *c = ctl_of(fab, rank);

	if (c)
		__atomic_store_n(&c->pid, pid, __ATOMIC_RELAXED);
}

void emu_fabric_abort(struct emu_fabric *fab)
{
	/* No lock: the run may be stuck with a dead process holding it. */
	__atomic_store_n(&fab->hdr->aborted, 1, __ATOMIC_SEQ_CST);
	for (int r = 0; r < fab->nranks; r++)
		emu_ctl_poke(ctl_of(fab, r));
}

void emu_fabric_rank_info(struct emu_fabric *fab, int rank,
			  struct emu_rank_info *info)
{
	const struct emu_ctl *c = ctl_of(fab, rank);

	*info = (struct emu_rank_info){.wait_src = SNEMU_ANY_SOURCE,
				       .wait_tag = SNEMU_ANY_TAG};
	if (!c)
		return;
	info->state = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
	/* Anything a buggy rank may have written there must print. */
	if (info->state > EMU_RANK_DONE)
		info->state = EMU_RANK_RUNNING;
	info->clock_ns = __atomic_load_n(&c->clock, __ATOMIC_RELAXED);
	info->msgs_sent = c->msgs_sent;
	info->bytes_sent = c->bytes_sent;
	info->msgs_recv = c->msgs_recv;
	info->bytes_recv = c->bytes_recv;
	info->finalize_busy = c->finalize_busy;
	if (info->state != EMU_RANK_BLOCKED)
		return;
	info->wait_op =
		c->wait_op <= EMU_WAIT_WAITANY ? c->wait_op : EMU_WAIT_NONE;
	info->wait_src = c->wait_src;
	info->wait_tag = c->wait_tag;
	info->wait_count = c->wait_count;
	info->wait_win = c->watch_win;
	info->wait_cmp = c->watch_cmp;
	info->wait_off = c->watch_off;
	info->wait_value = c->watch_value;
}

uint64_t emu_fabric_traffic(struct emu_fabric *fab, int src, int dst)
{
	const uint64_t *m = fab->traffic;
	int n = fab->nranks;

	if (src < 0 || src >= n || dst < 0 || dst >= n)
		return 0;
	return m[(size_t)src * n + dst];
}

const struct topo_link_stats *emu_fabric_links(struct emu_fabric *fab)
{
	if (!fab->links)
		fab->links =
			malloc(topo_num_links(fab->topo) * sizeof(*fab->links));
	if (fab->links)
		topo_state_links(fab->topo, fab->topo_state, fab->links);
	return fab->links;
}

uint64_t emu_fabric_events(struct emu_fabric *fab)
{
	return __atomic_load_n(&fab->hdr->events, __ATOMIC_RELAXED);
}

int emu_fabric_deadlocked(struct emu_fabric *fab)
{
	return (int)__atomic_load_n(&fab->hdr->deadlocked, __ATOMIC_ACQUIRE);
}

const struct topo *emu_fabric_topo(struct emu_fabric *fab)
{
	return fab->topo;
}
