/* SPDX-License-Identifier: MIT */
/*
 * A real rank's side of a multi-host run: its calls, recorded into its
 * feed for its ghosts on the other hosts (emu/host.h). The write blocks
 * while the pipe is full: the agent always drains it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/log.h"
#include "emu/ep.h"
#include "emu/host.h"

/* Write all of iov, whatever the pipe takes at a time. */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		while (n && (size_t)w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= w;
		}
	}
	return 0;
}

void ep_rec(struct emu_ep *ep, struct host_rec *rec, struct snemu_req **reqs,
	    int n, const void *payload)
{
	uint64_t local[16], *h = n <= 16 ? local : malloc(n * sizeof(*h));
	bool data = rec->flags & HOST_REC_PAYLOAD;
	struct iovec iov[3];
	int ret;

	if (ep->feed < 0)
		return;
	if (!h) {
		ret = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++)
		h[i] = (uintptr_t)reqs[i];
	rec->rank = ep->rank;
	rec->nreq = n;
	rec->size = sizeof(*rec) + n * sizeof(*h) + (data ? rec->len : 0);
	iov[0] = (struct iovec){rec, sizeof(*rec)};
	iov[1] = (struct iovec){h, n * sizeof(*h)};
	iov[2] = (struct iovec){(void *)payload, data ? rec->len : 0};
	ret = write_all(ep->feed, iov, 3);
	if (h != local)
		free(h);
	if (!ret)
		return;
fail:
	/*
	 * The ghosts cannot follow this rank any more: the other hosts'
	 * virtual time would be wrong. Stop here; the launcher reports it.
	 */
	log_err("rank %d: cannot record a call for the other hosts: %s",
		ep->rank, strerror(-ret));
	_exit(70);
}

void ep_rec_op(struct emu_ep *ep, enum host_op op)
{
	struct host_rec rec = {.op = op};

	ep_rec(ep, &rec, NULL, 0, NULL);
}
