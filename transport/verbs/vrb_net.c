/* SPDX-License-Identifier: MIT */
/*
 * The hosts' streams over RDMA verbs (transport/tp.h): one RC queue pair
 * per pair of hosts, whatever the number of ranks. Each side registers a
 * receive ring of VRB_SLOTS slots of VRB_SLOT bytes per peer; a sender
 * copies up to a slot of the stream into a staging slot of its own and
 * RDMA WRITEs it, with an immediate value, into the peer's next slot. The
 * immediate says how many bytes, and hands back the slots its sender has
 * emptied since (credits): a sender never writes into a slot the reader
 * has not emptied. A reader with credits to give and nothing to send
 * gives them in a write of no bytes.
 *
 * The queue pairs are set up as perftest does by default: addresses,
 * queue pair numbers and ring keys go over the hosts' TCP connections
 * (the mesh, which checked the token), so --gid-index picks the GID and
 * no librdmacm is needed. Those connections stay open: their end tells
 * that a host went away, sooner than a queue pair's retries would.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "transport/tcp.h"
#include "transport/tp.h"

#define VRB_SLOTS    64
#define VRB_SLOT     (64U << 10)
#define VRB_LEN_BITS 17 /* the immediate: bytes, then credits */
#define VRB_RQ	     (2 * VRB_SLOTS + 8)
#define VRB_SQ	     (VRB_SLOTS + 8)

/* What each side tells the other about its end of their queue pair. */
struct vrb_wire {
	uint32_t magic, qpn, psn, rkey;
	uint64_t ring; /* our receive ring for the peer */
	uint16_t lid;
	uint8_t gid[16];
	uint8_t pad[2];
};

#define VRB_MAGIC 0x56524231U /* "VRB1" */

struct vrb_peer {
	struct ibv_qp *qp;
	char *rx, *tx; /* VRB_SLOTS slots each, in the net's MR */
	uint32_t rx_len[VRB_SLOTS];
	uint32_t rx_head, rx_filled; /* next slot to read; slots written */
	uint32_t rx_off;	     /* bytes read of the head slot */
	uint32_t credits_due;	     /* emptied slots not handed back */
	uint32_t tx_next, tx_credits, tx_inflight;
	uint64_t remote;
	uint32_t rkey;
	bool dead;
};

struct vrb_net {
	struct tp_net base;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_comp_channel *ch;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	char *mem;
	uint8_t port;
	int gid_index;
	union ibv_gid gid;
	uint16_t lid;
	enum ibv_mtu mtu;
	struct vrb_peer *peer; /* [host] */
};

static struct vrb_net *vrb(struct tp_net *n)
{
	return container_of(n, struct vrb_net, base);
}

/* --- choosing the device and the GID --- */

static bool gid_is_v4(const union ibv_gid *g)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0,	  0,
					0, 0, 0, 0, 0xff, 0xff};

	return !memcmp(g->raw, pre, sizeof(pre));
}

static void gid_text(const union ibv_gid *g, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, g->raw, a, sizeof(a));
	snprintf(buf, len, "%s", a);
}

/*
 * The GID to use on port p of ctx: the one asked for if it is set, else
 * the first RoCE v2 IPv4 GID (on InfiniBand, index 0). -1: none. Adds
 * what it saw to the err list.
 */
static int pick_gid(struct ibv_context *ctx, uint8_t p,
		    const struct ibv_port_attr *pa, int want, char *err,
		    size_t errlen)
{
	size_t used = strlen(err);

	for (int i = 0; i < pa->gid_tbl_len; i++) {
		struct ibv_gid_entry e;
		union ibv_gid g;
		uint32_t type;
		char text[64];

		if (ibv_query_gid_ex(ctx, p, i, &e, 0))
			continue;
		g = e.gid;
		type = e.gid_type;
		if (!memcmp(g.raw, (uint8_t[16]){0}, 16))
			continue;
		if (want == i)
			return i;
		if (want < 0 &&
		    (pa->link_layer == IBV_LINK_LAYER_INFINIBAND ||
		     (type == IBV_GID_TYPE_ROCE_V2 && gid_is_v4(&g))))
			return i;
		gid_text(&g, text, sizeof(text));
		if (used < errlen)
			used += snprintf(
				err + used, errlen - used, " %s:%u[%d] %s%s;",
				ibv_get_device_name(ctx->device), p, i, text,
				type == IBV_GID_TYPE_ROCE_V2 ? " (v2)" : "");
	}
	return -1;
}

static int open_device(struct vrb_net *v, const struct tp_verbs_opts *o,
		       char *err, size_t errlen)
{
	struct ibv_device **list;
	int n = 0, ret = -ENODEV;

	list = ibv_get_device_list(&n);
	if (!list || !n) {
		snprintf(
			err, errlen,
			"no RDMA device (is rdma_rxe loaded and `rdma link add "
			"rxe0 type rxe netdev eth0` done? docs/MULTIHOST.md)");
		if (list)
			ibv_free_device_list(list);
		return -ENODEV;
	}
	snprintf(err, errlen,
		 "no device%s%s has %s; GIDs found:", o->dev ? " named " : "",
		 o->dev ? o->dev : "",
		 o->gid_index >= 0 ? "that GID index" : "a RoCE v2 IPv4 GID");
	for (int d = 0; d < n && ret; d++) {
		struct ibv_device_attr da;
		struct ibv_context *ctx;

		if (o->dev && strcmp(ibv_get_device_name(list[d]), o->dev))
			continue;
		ctx = ibv_open_device(list[d]);
		if (!ctx)
			continue;
		if (!ibv_query_device(ctx, &da))
			for (uint8_t p = 1; p <= da.phys_port_cnt && ret; p++) {
				struct ibv_port_attr pa;
				int g;

				if (ibv_query_port(ctx, p, &pa) ||
				    pa.state != IBV_PORT_ACTIVE)
					continue;
				g = pick_gid(ctx, p, &pa, o->gid_index, err,
					     errlen);
				if (g < 0)
					continue;
				v->port = p;
				v->gid_index = g;
				v->lid = pa.lid;
				v->mtu = pa.active_mtu;
				ibv_query_gid(ctx, p, g, &v->gid);
				ret = 0;
			}
		if (ret)
			ibv_close_device(ctx);
		else
			v->ctx = ctx;
	}
	ibv_free_device_list(list);
	return ret;
}

/* --- the queue pairs --- */

static int post_recv(struct vrb_peer *p)
{
	struct ibv_recv_wr wr = {.wr_id = 0}, *bad;

	return ibv_post_recv(p->qp, &wr, &bad) ? -EIO : 0;
}

static int make_qp(struct vrb_net *v, struct vrb_peer *p, uint32_t host)
{
	struct ibv_qp_init_attr ia = {
		.send_cq = v->cq,
		.recv_cq = v->cq,
		.cap = {.max_send_wr = VRB_SQ,
			.max_recv_wr = VRB_RQ,
			.max_send_sge = 1,
			.max_recv_sge = 1},
		.qp_type = IBV_QPT_RC,
		.sq_sig_all = 1,
	};
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = v->port,
		.qp_access_flags =
			IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE,
	};

	p->qp = ibv_create_qp(v->pd, &ia);
	if (!p->qp)
		return -errno ?: -ENOMEM;
	p->qp->qp_context = (void *)(uintptr_t)host;
	if (ibv_modify_qp(p->qp, &a,
			  IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				  IBV_QP_ACCESS_FLAGS))
		return -EIO;
	for (int i = 0; i < VRB_RQ; i++)
		if (post_recv(p))
			return -EIO;
	return 0;
}

static int connect_qp(struct vrb_net *v, struct vrb_peer *p,
		      const struct vrb_wire *mine, const struct vrb_wire *w)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR,
		.path_mtu = v->mtu,
		.dest_qp_num = w->qpn,
		.rq_psn = w->psn,
		.max_dest_rd_atomic = 1,
		.min_rnr_timer = 12,
		.ah_attr = {.dlid = w->lid,
			    .port_num = v->port,
			    .is_global = 1,
			    .grh = {.hop_limit = 64,
				    .sgid_index = (uint8_t)v->gid_index}},
	};

	memcpy(a.ah_attr.grh.dgid.raw, w->gid, 16);
	p->remote = w->ring;
	p->rkey = w->rkey;
	p->tx_credits = VRB_SLOTS;
	if (ibv_modify_qp(p->qp, &a,
			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
				  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
				  IBV_QP_MAX_DEST_RD_ATOMIC |
				  IBV_QP_MIN_RNR_TIMER))
		return -EIO;
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTS,
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.sq_psn = mine->psn,
		.max_rd_atomic = 1,
	};
	if (ibv_modify_qp(p->qp, &a,
			  IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				  IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
				  IBV_QP_MAX_QP_RD_ATOMIC))
		return -EIO;
	return 0;
}

/* Move len bytes over a non-blocking socket, within the deadline. */
static int sock_io(int fd, void *buf, size_t len, bool out, uint64_t end)
{
	char *b = buf;

	while (len) {
		ssize_t k = out ? send(fd, b, len, MSG_NOSIGNAL)
				: recv(fd, b, len, 0);
		struct pollfd pf = {fd, out ? POLLOUT : POLLIN, 0};
		uint64_t now = snemu_wall_ns();

		if (k > 0) {
			b += k;
			len -= k;
			continue;
		}
		if (!k)
			return -EPIPE;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now >= end)
			return -ETIMEDOUT;
		poll(&pf, 1, (int)((end - now) / 1000000) + 1);
	}
	return 0;
}

/* Our side of the queue pair to host h, for h; then connect to its side. */
static int wire_up(struct vrb_net *v, int h, uint64_t end, char *err,
		   size_t errlen)
{
	struct vrb_peer *p = &v->peer[h];
	struct vrb_wire mine = {
		.magic = VRB_MAGIC,
		.qpn = p->qp->qp_num,
		.psn = (uint32_t)(snemu_wall_ns() & 0xffffff),
		.rkey = v->mr->rkey,
		.ring = (uintptr_t)p->rx,
		.lid = v->lid,
	};
	struct vrb_wire w;
	int fd = v->base.mesh->fd[h], ret;

	memcpy(mine.gid, v->gid.raw, 16);
	ret = sock_io(fd, &mine, sizeof(mine), true, end)
		      ?: sock_io(fd, &w, sizeof(w), false, end);
	if (!ret && w.magic != VRB_MAGIC)
		ret = -EPROTO;
	ret = ret ?: connect_qp(v, p, &mine, &w);
	if (ret)
		snprintf(err, errlen,
			 "cannot connect a queue pair to host %d: "
			 "%s",
			 h, strerror(-ret));
	return ret;
}

/* --- moving bytes --- */

static int post_write(struct vrb_net *v, struct vrb_peer *p, uint32_t len)
{
	uint32_t credits = MIN(p->credits_due, 127U);
	uint32_t slot = p->tx_next % VRB_SLOTS;
	struct ibv_sge sge = {
		.addr = (uintptr_t)(p->tx + (size_t)slot * VRB_SLOT),
		.length = len,
		.lkey = v->mr->lkey,
	};
	struct ibv_send_wr wr =
				   {
					   .sg_list = &sge,
					   .num_sge = len ? 1 : 0,
					   .opcode = IBV_WR_RDMA_WRITE_WITH_IMM,
					   .imm_data = htonl(
						   len |
						   credits << VRB_LEN_BITS),
					   .wr.rdma = {.remote_addr =
							       p->remote +
							       (uint64_t)slot *
								       VRB_SLOT,
						       .rkey = p->rkey},
				   },
			   *bad;

	if (ibv_post_send(p->qp, &wr, &bad))
		return -EIO;
	p->credits_due -= credits;
	p->tx_inflight++;
	if (len) {
		p->tx_next++;
		p->tx_credits--;
	}
	return 0;
}

static ssize_t vrb_send(struct tp_net *n, int h, const void *buf, size_t len)
{
	struct vrb_net *v = vrb(n);
	struct vrb_peer *p = &v->peer[h];
	size_t done = 0;

	if (p->dead)
		return -EPIPE;
	/* A staging slot is free once its write completed (in order). */
	while (done < len && p->tx_credits && p->tx_inflight < VRB_SLOTS) {
		uint32_t k = (uint32_t)MIN(len - done, VRB_SLOT);

		memcpy(p->tx + (size_t)(p->tx_next % VRB_SLOTS) * VRB_SLOT,
		       (const char *)buf + done, k);
		if (post_write(v, p, k))
			return -EPIPE;
		done += k;
	}
	return done;
}

/* The TCP connection to h ended: h went away (or left after its BYE). */
static bool mesh_ended(struct vrb_net *v, int h)
{
	char c;

	return !recv(v->base.mesh->fd[h], &c, 1, MSG_PEEK | MSG_DONTWAIT);
}

static ssize_t vrb_recv(struct tp_net *n, int h, void *buf, size_t len)
{
	struct vrb_net *v = vrb(n);
	struct vrb_peer *p = &v->peer[h];
	size_t done = 0;

	while (done < len && p->rx_filled) {
		uint32_t slot = p->rx_head % VRB_SLOTS;
		uint32_t k = MIN((uint32_t)(len - done),
				 p->rx_len[slot] - p->rx_off);

		memcpy((char *)buf + done,
		       p->rx + (size_t)slot * VRB_SLOT + p->rx_off, k);
		done += k;
		p->rx_off += k;
		if (p->rx_off < p->rx_len[slot])
			continue;
		p->rx_off = 0;
		p->rx_head++;
		p->rx_filled--;
		p->credits_due++;
	}
	/* Hand emptied slots back when there is nothing to carry them. */
	if (p->credits_due >= VRB_SLOTS / 4 && p->tx_inflight < VRB_SLOTS &&
	    !p->dead && post_write(v, p, 0))
		p->dead = true;
	if (done)
		return done;
	return p->dead || mesh_ended(v, h) ? -EPIPE : 0;
}

static void completed(struct vrb_net *v, const struct ibv_wc *wc)
{
	struct vrb_peer *p = NULL;

	for (int h = 0; h < v->base.mesh->nhosts && !p; h++)
		if (v->peer[h].qp && v->peer[h].qp->qp_num == wc->qp_num)
			p = &v->peer[h];
	if (!p)
		return;

	if (wc->status != IBV_WC_SUCCESS) {
		p->dead = true;
		return;
	}
	if (wc->opcode == IBV_WC_RECV_RDMA_WITH_IMM) {
		uint32_t imm = ntohl(wc->imm_data);
		uint32_t len = imm & ((1U << VRB_LEN_BITS) - 1);

		p->tx_credits += imm >> VRB_LEN_BITS;
		if (len) {
			p->rx_len[(p->rx_head + p->rx_filled) % VRB_SLOTS] =
				len;
			p->rx_filled++;
		}
		if (post_recv(p))
			p->dead = true;
	} else {
		p->tx_inflight--;
	}
}

static int vrb_progress(struct tp_net *n)
{
	struct vrb_net *v = vrb(n);
	struct ibv_wc wc[32];
	struct ibv_cq *cq;
	void *cq_ctx;
	int k;

	/* The channel is non-blocking: take its events, then re-arm. */
	while (!ibv_get_cq_event(v->ch, &cq, &cq_ctx))
		ibv_ack_cq_events(cq, 1);
	if (ibv_req_notify_cq(v->cq, 0))
		return -EIO;
	while ((k = ibv_poll_cq(v->cq, ARRAY_SIZE(wc), wc)) > 0)
		for (int i = 0; i < k; i++)
			completed(v, &wc[i]);
	return k < 0 ? -EIO : 0;
}

static bool writes_pending(struct vrb_net *v)
{
	for (int h = 0; h < v->base.mesh->nhosts; h++)
		if (v->peer[h].qp && !v->peer[h].dead && v->peer[h].tx_inflight)
			return true;
	return false;
}

/* Let the writes in flight land (2 s at most), then free it all. */
static void vrb_close(struct tp_net *n)
{
	struct vrb_net *v = vrb(n);
	uint64_t end = snemu_wall_ns() + 2 * NSEC_PER_SEC;

	while (v->cq && writes_pending(v) && snemu_wall_ns() < end) {
		struct pollfd pf = {v->ch->fd, POLLIN, 0};

		if (vrb_progress(n))
			break;
		if (writes_pending(v))
			poll(&pf, 1, 10);
	}
	for (int h = 0; v->peer && h < v->base.mesh->nhosts; h++)
		if (v->peer[h].qp)
			ibv_destroy_qp(v->peer[h].qp);
	if (v->mr)
		ibv_dereg_mr(v->mr);
	if (v->cq)
		ibv_destroy_cq(v->cq);
	if (v->ch)
		ibv_destroy_comp_channel(v->ch);
	if (v->pd)
		ibv_dealloc_pd(v->pd);
	if (v->ctx)
		ibv_close_device(v->ctx);
	free(v->mem);
	free(v->peer);
	free(v->base.fds);
	free(v->base.fd_host);
	free(v);
}

static const struct tp_ops vrb_ops = {
	.name = "verbs",
	.progress = vrb_progress,
	.send = vrb_send,
	.recv = vrb_recv,
	.close = vrb_close,
};

/* Rings, completion queue and a queue pair for every other host. */
static int make_resources(struct vrb_net *v, char *err, size_t errlen)
{
	int nh = v->base.mesh->nhosts, self = v->base.mesh->self, ret;
	size_t per = 2 * (size_t)VRB_SLOTS * VRB_SLOT;

	v->peer = calloc(nh, sizeof(*v->peer));
	v->mem = aligned_alloc(4096, per * nh);
	v->pd = ibv_alloc_pd(v->ctx);
	v->ch = ibv_create_comp_channel(v->ctx);
	if (!v->peer || !v->mem || !v->pd || !v->ch) {
		snprintf(err, errlen, "out of memory or RDMA resources");
		return -ENOMEM;
	}
	v->cq = ibv_create_cq(v->ctx, nh * (VRB_RQ + VRB_SQ), NULL, v->ch, 0);
	v->mr = ibv_reg_mr(v->pd, v->mem, per * nh,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	if (!v->cq || !v->mr) {
		snprintf(err, errlen, "cannot %s: %s",
			 v->cq ? "register the rings" : "create a CQ",
			 strerror(errno));
		return -ENOMEM;
	}
	fcntl(v->ch->fd, F_SETFL, fcntl(v->ch->fd, F_GETFL) | O_NONBLOCK);
	if (ibv_req_notify_cq(v->cq, 0))
		return -EIO;
	for (int h = 0; h < nh; h++) {
		if (h == self)
			continue;
		v->peer[h].rx = v->mem + h * per;
		v->peer[h].tx = v->peer[h].rx + per / 2;
		ret = make_qp(v, &v->peer[h], h);
		if (ret) {
			snprintf(err, errlen, "cannot create a queue pair: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int tp_verbs_open(struct tp_mesh *m, const struct tp_verbs_opts *o,
		  struct tp_net **out, char *err, size_t errlen)
{
	struct vrb_net *v = calloc(1, sizeof(*v));
	uint64_t end = snemu_wall_ns() +
		       (o->timeout_s ? o->timeout_s : 30) * NSEC_PER_SEC;
	int ret;

	if (!v)
		return -ENOMEM;
	v->base.ops = &vrb_ops;
	v->base.mesh = m;
	v->base.fds = malloc((m->nhosts + 1) * sizeof(int));
	v->base.fd_host = malloc((m->nhosts + 1) * sizeof(int));
	ret = v->base.fds && v->base.fd_host ? open_device(v, o, err, errlen)
					     : -ENOMEM;
	ret = ret ?: make_resources(v, err, errlen);
	for (int h = 0; h < m->nhosts && !ret; h++)
		if (h != m->self)
			ret = wire_up(v, h, end, err, errlen);
	if (ret) {
		vrb_close(&v->base);
		return ret;
	}
	/* The channel for everything; each host's socket for its end. */
	v->base.fds[0] = v->ch->fd;
	v->base.fd_host[0] = -1;
	v->base.nfds = 1;
	for (int h = 0; h < m->nhosts; h++) {
		if (h == m->self)
			continue;
		v->base.fds[v->base.nfds] = m->fd[h];
		v->base.fd_host[v->base.nfds++] = h;
	}
	*out = &v->base;
	return 0;
}
