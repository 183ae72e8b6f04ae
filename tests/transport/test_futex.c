/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/transport.h"

struct shared {
	uint32_t turn; /* futex: whose turn in the ping-pong */
	struct shm_lock lock;
	uint64_t counter; /* protected by lock */
};

static struct shared *map_shared(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* fork, and in the child: die with the test, even one that fails. */
static pid_t fork_child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void futex_wait_checks_value(void **state)
{
	uint32_t word = 5;
	struct timespec ts = {.tv_nsec = 1000000};

	assert_int_equal(shm_futex_wait(&word, 4, NULL), -EAGAIN);
	assert_int_equal(shm_futex_wait(&word, 5, &ts), -ETIMEDOUT);
	assert_int_equal(shm_futex_wake(&word, 1), 0);
}

/* Turns alternate between the processes: 2i for the parent, 2i+1 child. */
static void wait_turn(uint32_t *turn, uint32_t mine)
{
	uint32_t v;

	while ((v = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != mine)
		shm_futex_wait(turn, v, NULL);
}

static void pass_turn(uint32_t *turn)
{
	__atomic_fetch_add(turn, 1, __ATOMIC_RELEASE);
	shm_futex_wake(turn, 1);
}

static void futex_ping_pong_across_processes(void **state)
{
	struct shared *sh = map_shared();
	const uint32_t rounds = 2000;
	pid_t pid;

	pid = fork_child();
	if (!pid) {
		for (uint32_t i = 0; i < rounds; i++) {
			wait_turn(&sh->turn, 2 * i + 1);
			pass_turn(&sh->turn);
		}
		_exit(0);
	}
	for (uint32_t i = 0; i < rounds; i++) {
		wait_turn(&sh->turn, 2 * i);
		pass_turn(&sh->turn);
	}
	reap(pid);
	assert_int_equal(sh->turn, 2 * rounds);
	munmap(sh, 4096);
}

static void lock_excludes_across_processes(void **state)
{
	struct shared *sh = map_shared();
	const int iters = 200000, nproc = 3;
	pid_t pids[3];

	shm_lock_init(&sh->lock);
	for (int p = 0; p < nproc; p++) {
		pids[p] = fork_child();
		if (!pids[p]) {
			for (int i = 0; i < iters; i++) {
				shm_lock_acquire(&sh->lock);
				/* Not atomic: only the lock protects it. */
				sh->counter = sh->counter + 1;
				shm_lock_release(&sh->lock);
			}
			_exit(0);
		}
	}
	for (int p = 0; p < nproc; p++)
		reap(pids[p]);
	assert_int_equal(sh->counter, (uint64_t)iters * nproc);
	assert_int_equal(sh->lock.word, 0);
	munmap(sh, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(futex_wait_checks_value),
		cmocka_unit_test(futex_ping_pong_across_processes),
		cmocka_unit_test(lock_excludes_across_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
