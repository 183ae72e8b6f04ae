/* SPDX-License-Identifier: MIT */
/*
 * Cross Memory Attach: the receiver of a large message copies it straight
 * out of the sender's memory, one copy, no staging buffer.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/uio.h>

#include "transport/transport.h"

/* One direction of a copy: process_vm_readv or process_vm_writev. */
typedef ssize_t (*cma_fn)(pid_t, const struct iovec *, unsigned long,
			  const struct iovec *, unsigned long, unsigned long);

static int cma(cma_fn fn, pid_t pid, char *local, uint64_t remote, size_t len)
{
	while (len) {
		struct iovec l = {.iov_base = local, .iov_len = len};
		struct iovec r = {.iov_base = (void *)(uintptr_t)remote,
				  .iov_len = len};
		ssize_t n = fn(pid, &l, 1, &r, 1, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* A partial copy stops where a page is missing: next try. */
		if (n == 0)
			return -EFAULT;
		local += n;
		remote += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int shm_cma_read(pid_t pid, void *dst, uint64_t remote, size_t len)
{
	return cma(process_vm_readv, pid, dst, remote, len);
}

int shm_cma_write(pid_t pid, uint64_t remote, const void *src, size_t len)
{
	/* process_vm_writev only reads the local side. */
	return cma(process_vm_writev, pid, (char *)src, remote, len);
}

int shm_cma_allow(void)
{
	/* Without Yama the option does not exist: nothing to allow. */
	if (prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	return 0;
}
