/* SPDX-License-Identifier: MIT */
/*
 * The run's shared segment: one memfd, no name in /dev/shm, so nothing can
 * outlive the processes that hold it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "transport/transport.h"

static int seg_map(int fd, uint64_t size, struct shm_seg **out)
{
	struct shm_seg *seg;
	void *base;

	seg = calloc(1, sizeof(*seg));
	if (!seg)
		return -ENOMEM;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int ret = -errno;

		log_err("shm: cannot map a %llu-byte segment: %s",
			(unsigned long long)size, strerror(errno));
		free(seg);
		return ret;
	}
	seg->fd = -1;
	seg->base = base;
	seg->size = size;
	*out = seg;
	return 0;
}

int shm_seg_create(const char *name, uint64_t size, struct shm_seg **out)
{
	struct shm_seg *seg;
	int fd, ret;

	if (!size || size % (uint64_t)sysconf(_SC_PAGESIZE))
		return -EINVAL;
	/* No MFD_CLOEXEC: children started with exec must inherit it. */
	fd = memfd_create(name, 0);
	if (fd < 0) {
		ret = -errno;
		log_err("shm: memfd_create: %s", strerror(errno));
		return ret;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		ret = -errno;
		log_err("shm: cannot size the segment: %s", strerror(errno));
		goto err_close;
	}
	ret = seg_map(fd, size, &seg);
	if (ret)
		goto err_close;
	seg->fd = fd;
	*out = seg;
	return 0;

err_close:
	close(fd);
	return ret;
}

int shm_seg_attach(int fd, struct shm_seg **out)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return -EINVAL;
	return seg_map(fd, (uint64_t)st.st_size, out);
}

void shm_seg_destroy(struct shm_seg *seg)
{
	if (!seg)
		return;
	munmap(seg->base, seg->size);
	if (seg->fd >= 0)
		close(seg->fd);
	free(seg);
}
