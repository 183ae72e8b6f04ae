/* SPDX-License-Identifier: MIT */
/*
 * The mutex of "Futexes Are Tricky" (Drepper), mutex3: the word is 0 when
 * free, 1 when held, 2 when held and someone may sleep on it. Release
 * makes a system call only in the last case.
 */
#include "transport/transport.h"

/*
 * Spin a little before sleeping: the holder usually runs on the other core
 * and is done within a microsecond, far less than a sleep and a wake-up.
 */
#define LOCK_SPINS 100

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

static inline uint32_t cas(uint32_t *w, uint32_t expect, uint32_t desired)
{
	__atomic_compare_exchange_n(w, &expect, desired, 0, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return expect;
}

void shm_lock_init(struct shm_lock *l)
{
	__atomic_store_n(&l->word, 0, __ATOMIC_RELEASE);
}

void shm_lock_acquire(struct shm_lock *l)
{
	uint32_t c;

	for (int i = 0; i < LOCK_SPINS; i++) {
		c = cas(&l->word, 0, 1);
		if (!c)
			return;
		if (c == 2)
			break;
		cpu_relax();
	}
	c = cas(&l->word, 0, 1);
	if (!c)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
	while (c) {
		shm_futex_wait(&l->word, 2, NULL);
		c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
	}
}

void shm_lock_release(struct shm_lock *l)
{
	if (__atomic_fetch_sub(&l->word, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&l->word, 0, __ATOMIC_RELEASE);
		shm_futex_wake(&l->word, 1);
	}
}
