/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/transport.h"

#define BIG   (64ULL << 30)
#define MAGIC 0x5eedf00dcafe1234ULL

/* Exec'd by seg_survives_exec: attach to the inherited fd, write MAGIC. */
static int child_main(const char *fdstr, const char *offstr)
{
	struct shm_seg *seg;
	uint64_t off = strtoull(offstr, NULL, 0);

	if (shm_seg_attach(atoi(fdstr), &seg))
		return 1;
	*(uint64_t *)((char *)seg->base + off) = MAGIC;
	shm_seg_destroy(seg);
	return 0;
}

static void seg_is_sparse_and_shared(void **state)
{
	struct shm_seg *seg;
	uint64_t *first, *last;

	assert_int_equal(shm_seg_create("test", BIG, &seg), 0);
	assert_int_equal(seg->size, BIG);
	first = seg->base;
	last = (uint64_t *)((char *)seg->base + BIG - 8);
	*first = 1;
	*last = 2;
	assert_int_equal(*first + *last, 3);
	shm_seg_destroy(seg);
}

static void seg_fd_is_inheritable(void **state)
{
	struct shm_seg *seg;

	assert_int_equal(shm_seg_create("test", 1 << 20, &seg), 0);
	assert_true(seg->fd >= 0);
	assert_int_equal(fcntl(seg->fd, F_GETFD) & FD_CLOEXEC, 0);
	shm_seg_destroy(seg);
}

static void seg_attach_after_fork(void **state)
{
	struct shm_seg *seg;
	volatile uint64_t *word;
	pid_t pid;
	int st;

	assert_int_equal(shm_seg_create("test", 1 << 20, &seg), 0);
	word = (uint64_t *)((char *)seg->base + 4096);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct shm_seg *mine;

		if (shm_seg_attach(seg->fd, &mine))
			_exit(1);
		/* A second mapping of the same pages, at another address. */
		*(uint64_t *)((char *)mine->base + 4096) = MAGIC;
		shm_seg_destroy(mine);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(*word, MAGIC);
	shm_seg_destroy(seg);
}

static void seg_survives_exec(void **state)
{
	struct shm_seg *seg;
	char fdstr[16];
	pid_t pid;
	int st;

	assert_int_equal(shm_seg_create("test", BIG, &seg), 0);
	snprintf(fdstr, sizeof(fdstr), "%d", seg->fd);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		execl("/proc/self/exe", "test_shm_seg", "--child", fdstr,
		      "0xff0000000", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(*(uint64_t *)((char *)seg->base + 0xff0000000ULL),
			 MAGIC);
	shm_seg_destroy(seg);
}

static void seg_rejects_bad_args(void **state)
{
	struct shm_seg *seg = NULL;
	int p[2];

	assert_int_equal(shm_seg_create("test", 0, &seg), -EINVAL);
	assert_int_equal(shm_seg_create("test", 100, &seg), -EINVAL);
	assert_int_equal(shm_seg_attach(-1, &seg), -EBADF);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(shm_seg_attach(p[0], &seg), -EINVAL);
	close(p[0]);
	close(p[1]);
	assert_null(seg);
	shm_seg_destroy(NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seg_is_sparse_and_shared),
		cmocka_unit_test(seg_fd_is_inheritable),
		cmocka_unit_test(seg_attach_after_fork),
		cmocka_unit_test(seg_survives_exec),
		cmocka_unit_test(seg_rejects_bad_args),
	};

	if (argc == 4 && !strcmp(argv[1], "--child"))
		return child_main(argv[2], argv[3]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
