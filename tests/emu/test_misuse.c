/* SPDX-License-Identifier: MIT */
/*
 * A buggy endpoint gets a clear error at the call that is wrong, and the
 * run goes on: a window freed twice, a request twice in one array, a
 * length the model cannot carry, a call from a second thread or a forked
 * child, a rendezvous send from memory that is not mapped.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

#define BIG (1 << 20) /* above the eager limit: rendezvous */

static void run(int nranks, int (*fn)(void *))
{
	harness_destroy(harness_run_clean(
		&(struct harness_opts){.nranks = nranks}, fn, NULL));
}

static int win_twice_rank(void *arg)
{
	struct snemu_win *w, *w2;
	void *base;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_win_allocate(64, &base, &w));
	H_OK(snemu_win_free(w));
	H_EXPECT(snemu_win_free(w), -EINVAL);
	/* Its id serves a new window: the old handle is still refused. */
	H_OK(snemu_win_allocate(64, &base, &w2));
	H_EXPECT(snemu_put(w, 0, 0, &base, 8), -EINVAL);
	H_OK(snemu_win_free(w2));
	H_OK(snemu_finalize());
	return 0;
}

static void window_freed_twice(void **state)
{
	run(2, win_twice_rank);
}

static int twins_rank(void *arg)
{
	struct snemu_req *reqs[3];
	uint64_t v = 1, got[2];
	int me, peer, index, done;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	peer = 1 - me;
	H_OK(snemu_irecv(peer, 0, &got[0], 8, &reqs[0]));
	reqs[1] = NULL;
	reqs[2] = reqs[0];
	H_EXPECT(snemu_waitall(3, reqs, NULL), -EINVAL);
	H_EXPECT(snemu_testall(3, reqs, &done, NULL), -EINVAL);
	H_EXPECT(snemu_waitany(3, reqs, &index, NULL), -EINVAL);
	H_EXPECT(snemu_testany(3, reqs, &index, &done, NULL), -EINVAL);
	/* Nothing changed: the request is still there to complete. */
	H_CHECK(reqs[0] && reqs[2] == reqs[0]);
	H_OK(snemu_send(peer, 0, &v, 8));
	H_OK(snemu_waitall(1, reqs, NULL));
	H_CHECK(got[0] == 1);
	H_OK(snemu_finalize());
	return 0;
}

static void request_twice_in_an_array(void **state)
{
	run(2, twins_rank);
}

static int huge_rank(void *arg)
{
	struct snemu_win *aw;
	uint64_t t0;
	char c = 0;

	H_OK(snemu_init(NULL, NULL));
	aw = snemu_win_address_space();
	/* The peer's address space exists once it has called snemu_init. */
	H_OK(snemu_barrier());
	t0 = snemu_now();
	H_EXPECT(snemu_send(1 - snemu_rank(), 0, &c, SIZE_MAX), -EMSGSIZE);
	H_EXPECT(snemu_send(1 - snemu_rank(), 0, &c, (size_t)1 << 50),
		 -EMSGSIZE);
	H_EXPECT(snemu_put(aw, 1 - snemu_rank(), 0, &c, SIZE_MAX), -EMSGSIZE);
	H_EXPECT(snemu_get(aw, 1 - snemu_rank(), 0, &c, (size_t)1 << 50),
		 -EMSGSIZE);
	H_CHECK(snemu_now() == t0);
	H_OK(snemu_finalize());
	return 0;
}

static void length_the_model_cannot_carry(void **state)
{
	run(2, huge_rank);
}

static void *other_thread(void *arg)
{
	uint64_t v = 0;

	*(int *)arg = snemu_send(0, 0, &v, 8);
	return NULL;
}

static int intruder_rank(void *arg)
{
	pthread_t th;
	int ret = 0, status;
	pid_t pid;

	H_OK(snemu_init(NULL, NULL));
	H_CHECK(!pthread_create(&th, NULL, other_thread, &ret));
	H_CHECK(!pthread_join(th, NULL));
	H_EXPECT(ret, -EPERM);
	pid = fork();
	if (pid == 0)
		_exit(snemu_barrier() == -EPERM ? 0 : 1);
	H_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	H_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The endpoint itself goes on. */
	H_OK(snemu_barrier());
	H_OK(snemu_finalize());
	return 0;
}

static void call_from_a_thread_or_a_child(void **state)
{
	run(2, intruder_rank);
}

static int unmapped_rank(void *arg)
{
	char *buf = malloc(BIG);
	void *hole;

	H_OK(snemu_init(NULL, NULL));
	if (snemu_rank() == 0) {
		hole = mmap(NULL, BIG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		H_CHECK(hole != MAP_FAILED && !munmap(hole, BIG));
		H_EXPECT(snemu_send(1, 0, hole, BIG), -EFAULT);
	} else {
		H_EXPECT(snemu_recv(0, 0, buf, BIG, NULL), -EFAULT);
	}
	H_OK(snemu_barrier());
	free(buf);
	H_OK(snemu_finalize());
	return 0;
}

static void rendezvous_from_unmapped_memory(void **state)
{
	run(2, unmapped_rank);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_freed_twice),
		cmocka_unit_test(request_twice_in_an_array),
		cmocka_unit_test(length_the_model_cannot_carry),
		cmocka_unit_test(call_from_a_thread_or_a_child),
		cmocka_unit_test(rendezvous_from_unmapped_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
