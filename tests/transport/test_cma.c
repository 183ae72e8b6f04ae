/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/transport.h"

#define LEN (4 << 20)

/*
 * A child with a buffer at the same address as ours (fork), but with its
 * own contents; it waits until it is killed.
 */
struct child {
	pid_t pid;
	unsigned char *buf;
};

static void child_start(struct child *c, unsigned char fill)
{
	int p[2];
	char x;

	c->buf = mmap(NULL, LEN + 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->buf != MAP_FAILED);
	/* The page after the buffer is a hole, for the partial-copy test. */
	assert_int_equal(munmap(c->buf + LEN, 4096), 0);
	assert_int_equal(pipe(p), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (!c->pid) {
		/* Never outlive the test, even one that fails. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (shm_cma_allow())
			_exit(1);
		for (size_t i = 0; i < LEN; i++)
			c->buf[i] = (unsigned char)(fill + i * 7);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &x, 1), 1);
	close(p[0]);
	memset(c->buf, 0, LEN);
}

static void child_stop(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	munmap(c->buf, LEN);
}

static void cma_reads_child_buffer(void **state)
{
	struct child c;
	unsigned char *dst = malloc(LEN);

	child_start(&c, 3);
	assert_int_equal(shm_cma_read(c.pid, dst, (uintptr_t)c.buf, LEN), 0);
	for (size_t i = 0; i < LEN; i++)
		assert_int_equal(dst[i], (unsigned char)(3 + i * 7));
	/* An unaligned piece in the middle. */
	memset(dst, 0, LEN);
	assert_int_equal(
		shm_cma_read(c.pid, dst, (uintptr_t)c.buf + 4093, 10000), 0);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(dst[i], (unsigned char)(3 + (i + 4093) * 7));
	child_stop(&c);
	free(dst);
}

static void cma_writes_child_buffer(void **state)
{
	struct child c;
	unsigned char *src = malloc(LEN), *back = malloc(LEN);

	child_start(&c, 9);
	for (size_t i = 0; i < LEN; i++)
		src[i] = (unsigned char)(i * 5 + 1);
	assert_int_equal(
		shm_cma_write(c.pid, (uintptr_t)c.buf + 1, src, LEN - 1), 0);
	assert_int_equal(shm_cma_read(c.pid, back, (uintptr_t)c.buf, LEN), 0);
	assert_int_equal(back[0], 9);
	assert_memory_equal(back + 1, src, LEN - 1);
	/* Into the hole after the buffer. */
	assert_int_equal(
		shm_cma_write(c.pid, (uintptr_t)c.buf + LEN - 10, src, 20),
		-EFAULT);
	child_stop(&c);
	free(src);
	free(back);
}

static void cma_reports_errors(void **state)
{
	struct child c;
	unsigned char *dst = malloc(LEN);

	child_start(&c, 5);
	/* Runs into the hole after the buffer: a partial copy, then EFAULT. */
	assert_int_equal(
		shm_cma_read(c.pid, dst, (uintptr_t)c.buf + LEN - 100, 200),
		-EFAULT);
	assert_int_equal(dst[0], (unsigned char)(5 + (LEN - 100) * 7));
	assert_int_equal(shm_cma_read(c.pid, dst, 0, 16), -EFAULT);
	child_stop(&c);
	assert_int_equal(shm_cma_read(c.pid, dst, (uintptr_t)c.buf, 16),
			 -ESRCH);
	assert_int_equal(shm_cma_read(getpid(), dst, (uintptr_t)dst + 64, 0),
			 0);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cma_reads_child_buffer),
		cmocka_unit_test(cma_writes_child_buffer),
		cmocka_unit_test(cma_reports_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
