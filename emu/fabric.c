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

static uint64_t align64(uint64_t x)
{
	return (x + 63) & ~63ULL;
}

/* Place the regions after the header; returns the start of the arena. */
static uint64_t layout(struct emu_hdr *h, size_t topo_size)
{
	uint64_t n = (uint64_t)h->nranks, at = align64(sizeof(*h));

	h->ctl_off = at;
	at = align64(at + n * sizeof(struct emu_ctl));
	h->run_off = at;
	at = align64(at + 2 * n * sizeof(int32_t));
	h->pairq_off = at;
	at = align64(at + n * n * sizeof(struct emu_pairq));
	h->traffic_off = at;
	at = align64(at + n * n * sizeof(uint64_t));
	h->order_off = at;
	at = align64(at + n * n * sizeof(struct emu_pair_order));
	h->spare_off = at;
	at = align64(at + EMU_NCTX * n * n * sizeof(uint64_t));
	h->putout_off = at;
	at = align64(at + n * n * sizeof(uint32_t));
	h->wins_off = at;
	at = align64(at + EMU_MAX_WINS * n * sizeof(struct emu_win_ent));
	h->topo_off = at;
	at = align64(at + topo_size);
	h->injq_off = at;
	at = align64(at + n * EMU_INJQ * sizeof(struct emu_event));
	h->ev_off = at;
	at = align64(at + (uint64_t)EMU_MAX_EVENTS * sizeof(struct emu_event));
	h->flight_off = at;
	return align64(at +
		       (uint64_t)EMU_MAX_EVENTS * sizeof(struct emu_flight));
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
		     const struct emu_fabric_opts *o, int efd)
{
	struct emu_ctl *ctl;
	int32_t *heap, *pos;
	uint64_t arena;

	h->magic = EMU_MAGIC;
	h->version = EMU_VERSION;
	h->nranks = o->nranks;
	h->seg_size = EMU_SEG_SIZE;
	h->eager_limit = o->eager_limit ? o->eager_limit : EMU_EAGER_DEFAULT;
	h->compute_scale = o->compute_scale;
	h->spare_budget = EMU_SPARE_BUDGET;
	topo_config_text(topo, false, h->topo_text, sizeof(h->topo_text));
	h->topo_state_size = topo_state_size(topo);
	h->topo_endpoints = topo_num_endpoints(topo);
	h->topo_links = topo_num_links(topo);
	h->notify_fd = efd;
	arena = layout(h, h->topo_state_size);

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
	shm_heap_init(&h->heap, arena, EMU_SEG_SIZE);
}

int emu_fabric_create(const struct topo *topo, const struct emu_fabric_opts *o,
		      struct emu_fabric **out)
{
	struct emu_fabric *fab;
	int ret;

	if (!topo || !o || o->nranks < 1 ||
	    o->nranks > topo_num_endpoints(topo) || !(o->compute_scale >= 0))
		return -EINVAL;
	fab = calloc(1, sizeof(*fab));
	if (!fab)
		return -ENOMEM;
	ret = shm_seg_create("snemu-fabric", EMU_SEG_SIZE, &fab->seg);
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
	hdr_init(fab->hdr, topo, o, fab->efd);
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
	struct emu_ctl *ctl =
		(struct emu_ctl *)((char *)fab->hdr + fab->hdr->ctl_off);

	return rank >= 0 && rank < fab->hdr->nranks ? &ctl[rank] : NULL;
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
	for (int r = 0; r < fab->hdr->nranks; r++)
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
	info->clock_ns = __atomic_load_n(&c->clock, __ATOMIC_RELAXED);
	info->msgs_sent = c->msgs_sent;
	info->bytes_sent = c->bytes_sent;
	info->msgs_recv = c->msgs_recv;
	info->bytes_recv = c->bytes_recv;
	if (info->state != EMU_RANK_BLOCKED)
		return;
	info->wait_op = c->wait_op;
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
	const uint64_t *m =
		(uint64_t *)((char *)fab->hdr + fab->hdr->traffic_off);
	int n = fab->hdr->nranks;

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
		topo_state_links(fab->topo,
				 (char *)fab->hdr + fab->hdr->topo_off,
				 fab->links);
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
