/* SPDX-License-Identifier: MIT */
/*
 * transport/: byte streams between the hosts of a run, whatever carries
 * them. The hosts first join over TCP (tcp.h: the mesh checks the token
 * and gives every pair a connection); a struct tp_net then carries one
 * ordered, reliable stream each way between every pair of hosts:
 *
 *   tcp    the mesh's own sockets (tcp_net.c);
 *   verbs  an RC queue pair per pair of hosts, RDMA WRITEs into the
 *          peer's registered ring (verbs/vrb_net.c); the mesh stays as the
 *          channel that set it up, and tells when a host goes away.
 *
 * Progress is driven by the caller's epoll: it waits on the fds of
 * tp_net_fds (readable: something may have moved), calls ops->progress,
 * then sends and receives until they take or give nothing. Never blocks.
 */
#ifndef SNEMU_TRANSPORT_TP_H
#define SNEMU_TRANSPORT_TP_H

#include <stddef.h>
#include <sys/types.h>

struct tp_mesh;
struct tp_net;

struct tp_ops {
	const char *name;
	/* Do what completed (acknowledge completions, re-arm). 0 or -errno. */
	int (*progress)(struct tp_net *n);
	/*
	 * Queue up to len bytes for host h: how many it took (0: no room
	 * now, wait for an fd), or -errno (-EPIPE: h is gone).
	 */
	ssize_t (*send)(struct tp_net *n, int h, const void *buf, size_t len);
	/* Up to len bytes from host h: how many, 0: none now, -EPIPE: end. */
	ssize_t (*recv)(struct tp_net *n, int h, void *buf, size_t len);
	void (*close)(struct tp_net *n);
};

/* What every transport's net starts with. */
struct tp_net {
	const struct tp_ops *ops;
	struct tp_mesh *mesh; /* the hosts, and their TCP connections */
	int nfds;
	int *fds;     /* poll these for progress (readable and writable) */
	int *fd_host; /* the host fds[i] serves, -1: all of them */
};

/* The mesh's sockets as the streams (tcp_net.c). */
int tp_tcp_open(struct tp_mesh *m, struct tp_net **out);

/* What --net verbs asks for. */
struct tp_verbs_opts {
	const char *dev; /* device name, NULL: the first that has the GID */
	int gid_index;	 /* -1: the first RoCE v2 IPv4 GID */
	unsigned timeout_s;
};

/*
 * Queue pairs to every other host, set up over the mesh's sockets
 * (verbs/vrb_net.c). -ENODEV with why in err (the devices and GIDs found)
 * when none fits; -ENOTSUP when built without rdma-core.
 */
int tp_verbs_open(struct tp_mesh *m, const struct tp_verbs_opts *o,
		  struct tp_net **out, char *err, size_t errlen);

/* Close n (not its mesh). NULL is fine. */
void tp_net_close(struct tp_net *n);

#endif
