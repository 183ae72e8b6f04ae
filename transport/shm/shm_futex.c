/* SPDX-License-Identifier: MIT */
/*
 * Futex wait and wake on a word in shared memory. Not FUTEX_PRIVATE: the
 * sleepers and wakers are different processes mapping the same pages.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "transport/transport.h"

static long futex(uint32_t *word, int op, uint32_t val,
		  const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

int shm_futex_wait(uint32_t *word, uint32_t val, const struct timespec *timeout)
{
	if (futex(word, FUTEX_WAIT, val, timeout) < 0)
		return -errno;
	return 0;
}

int shm_futex_wake(uint32_t *word, int n)
{
	long ret = futex(word, FUTEX_WAKE, (uint32_t)n, NULL);

	return ret < 0 ? -errno : (int)ret;
}
