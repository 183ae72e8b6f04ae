/* SPDX-License-Identifier: MIT */
/* The hosts' streams over the mesh's own TCP sockets (transport/tp.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "transport/tcp.h"
#include "transport/tp.h"

static int tcp_progress(struct tp_net *n)
{
	(void)n;
	return 0;
}

static ssize_t tcp_io(int fd, void *buf, size_t len, bool out)
{
	for (;;) {
		ssize_t k = out ? write(fd, buf, len) : read(fd, buf, len);

		if (k >= 0)
			return k || out ? k : -EPIPE;
		if (errno == EAGAIN)
			return 0;
		if (errno != EINTR)
			return errno == ECONNRESET ? -EPIPE : -errno;
	}
}

static ssize_t tcp_send(struct tp_net *n, int h, const void *buf, size_t len)
{
	return tcp_io(n->mesh->fd[h], (void *)buf, len, true);
}

static ssize_t tcp_recv(struct tp_net *n, int h, void *buf, size_t len)
{
	return tcp_io(n->mesh->fd[h], buf, len, false);
}

static void tcp_close(struct tp_net *n)
{
	free(n->fds);
	free(n->fd_host);
	free(n);
}

static const struct tp_ops tcp_ops = {
	.name = "tcp",
	.progress = tcp_progress,
	.send = tcp_send,
	.recv = tcp_recv,
	.close = tcp_close,
};

int tp_tcp_open(struct tp_mesh *m, struct tp_net **out)
{
	struct tp_net *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->ops = &tcp_ops;
	n->mesh = m;
	n->fds = malloc(m->nhosts * sizeof(*n->fds));
	n->fd_host = malloc(m->nhosts * sizeof(*n->fd_host));
	if (!n->fds || !n->fd_host) {
		tcp_close(n);
		return -ENOMEM;
	}
	for (int h = 0; h < m->nhosts; h++) {
		if (h == m->self)
			continue;
		n->fds[n->nfds] = m->fd[h];
		n->fd_host[n->nfds++] = h;
	}
	*out = n;
	return 0;
}
