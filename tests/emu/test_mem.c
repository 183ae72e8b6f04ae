/* SPDX-License-Identifier: MIT */
/*
 * Device memory (snemu_mem_alloc, snemu_mem_free) and the copy rules of
 * rendezvous messages: a buffer in the arena is reached with memcpy, a
 * private one with CMA. shm_cma_read and shm_cma_write are wrapped at link
 * time (-Wl,--wrap) to count, in each rank, the CMA copies it makes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "emu/ep.h"
#include "tests/emu/harness.h"

#define MIB	(1UL << 20)
#define BIG_MAX (3 * MIB + 17)
#define LATER	1000000000ULL /* 1 s of virtual time: far ahead */

/* CMA copies made by this process (each rank counts its own). */
static unsigned long cma_reads, cma_writes;

int __real_shm_cma_read(pid_t pid, void *dst, uint64_t remote, size_t len);
int __real_shm_cma_write(pid_t pid, uint64_t remote, const void *src,
			 size_t len);
int __wrap_shm_cma_read(pid_t pid, void *dst, uint64_t remote, size_t len);
int __wrap_shm_cma_write(pid_t pid, uint64_t remote, const void *src,
			 size_t len);

int __wrap_shm_cma_read(pid_t pid, void *dst, uint64_t remote, size_t len)
{
	cma_reads++;
	return __real_shm_cma_read(pid, dst, remote, len);
}

int __wrap_shm_cma_write(pid_t pid, uint64_t remote, const void *src,
			 size_t len)
{
	cma_writes++;
	return __real_shm_cma_write(pid, remote, src, len);
}

/*
 * Flags the two ranks pass outside snemu, so that one of them can stay out
 * of the library while the other copies a whole message.
 */
struct flags {
	uint32_t posted; /* the receiver posted transfer k */
	uint32_t done;	 /* transfer k is over on the side that copied */
};

static struct flags *flags;

static void await(uint32_t *word, uint32_t v)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != v)
		usleep(100);
}

static void raise_flag(uint32_t *word, uint32_t v)
{
	__atomic_store_n(word, v, __ATOMIC_RELEASE);
}

static unsigned char byte_of(unsigned k, size_t i)
{
	return (unsigned char)(i * 7 + (i >> 8) + k * 29);
}

static void fill(unsigned char *p, size_t len, unsigned k)
{
	for (size_t i = 0; i < len; i++)
		p[i] = byte_of(k, i);
}

/* Every byte of p is transfer k's, and the byte after it untouched. */
static void check(const unsigned char *p, size_t len, unsigned k)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != byte_of(k, i)) {
			fprintf(stderr, "transfer %u: byte %zu of %zu wrong\n",
				k, i, len);
			H_CHECK(0);
		}
	H_CHECK(p[len] == 0xee);
}

static struct harness *run(int nranks, int (*fn)(void *), void *arg)
{
	struct harness_opts o = {.nranks = nranks};
	struct harness *h;

	memset(flags, 0, sizeof(*flags));
	assert_int_equal(harness_run(&o, fn, arg, &h), 0);
	assert_false(h->timed_out);
	assert_false(h->deadlock);
	assert_int_equal(harness_failures(h), 0);
	return h;
}

/* --- allocation --- */

static const size_t sizes[] = {1, 63, 64, 100, 4095, 4096, 5000, MIB + 3};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Allocate every size: aligned, zeroed, disjoint. */
static void alloc_all(unsigned char **p, unsigned k)
{
	for (size_t i = 0; i < NSIZES; i++) {
		H_OK(snemu_mem_alloc(sizes[i], (void **)&p[i]));
		H_CHECK((uintptr_t)p[i] % 64 == 0);
		H_CHECK(sizes[i] < 4096 || (uintptr_t)p[i] % 4096 == 0);
		for (size_t j = 0; j < sizes[i]; j++)
			H_CHECK(p[i][j] == 0);
		fill(p[i], sizes[i], k + (unsigned)i);
	}
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t j = 0; j < sizes[i]; j++)
			H_CHECK(p[i][j] == byte_of(k + (unsigned)i, j));
}

static int alloc_rank(void *arg)
{
	unsigned char *p[NSIZES], *q, *win_mem, *priv = malloc(64);
	struct snemu_win *win;
	uint64_t off;
	void *v = &v;
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();

	/* Twice: the second round reuses the blocks, zeroed again. */
	for (unsigned round = 0; round < 2; round++) {
		alloc_all(p, 10 * round);
		for (size_t i = 0; i < NSIZES; i++)
			H_OK(snemu_mem_free(p[i]));
	}

	/* Bad arguments. */
	H_EXPECT(snemu_mem_alloc(0, &v), -EINVAL);
	H_CHECK(v == &v);
	H_EXPECT(snemu_mem_alloc(64, NULL), -EINVAL);
	H_EXPECT(snemu_mem_alloc(SIZE_MAX, &v), -ENOMEM);
	H_EXPECT(snemu_mem_alloc((size_t)1 << 40, &v), -ENOMEM);
	H_CHECK(v == &v);

	/* Pointers that are not ours to free. */
	H_OK(snemu_mem_alloc(8192, (void **)&q));
	H_EXPECT(snemu_mem_free(NULL), -EINVAL);
	H_EXPECT(snemu_mem_free(priv), -EINVAL);
	H_EXPECT(snemu_mem_free(&me), -EINVAL);
	H_EXPECT(snemu_mem_free(q + 64), -EINVAL);
	H_EXPECT(snemu_mem_free(q + 4096), -EINVAL);
	H_EXPECT(snemu_mem_free(q + 1), -EINVAL);
	H_OK(snemu_win_allocate(4096, (void **)&win_mem, &win));
	H_EXPECT(snemu_mem_free(win_mem), -EINVAL);
	H_OK(snemu_win_free(win));

	/* Another rank's block, at its address in our mapping. */
	off = emu_off(&emu_ep->eng, q);
	H_OK(snemu_send(1 - me, 1, &off, sizeof(off)));
	H_OK(snemu_recv(1 - me, 1, &off, sizeof(off), NULL));
	H_EXPECT(snemu_mem_free(emu_ptr(&emu_ep->eng, off)), -EINVAL);
	H_OK(snemu_barrier());

	H_OK(snemu_mem_free(q));
	H_EXPECT(snemu_mem_free(q), -EINVAL);

	/* Left allocated: reclaimed with the segment. */
	H_OK(snemu_mem_alloc(100, (void **)&q));
	H_OK(snemu_finalize());
	H_EXPECT(snemu_mem_alloc(64, &v), -ENXIO);
	H_EXPECT(snemu_mem_free(q), -ENXIO);
	free(priv);
	return 0;
}

static void alloc_and_free(void **state)
{
	harness_destroy(run(2, alloc_rank, NULL));
}

static void outside_a_run_is_enxio(void **state)
{
	void *p = &p;

	assert_int_equal(snemu_mem_alloc(64, &p), -ENXIO);
	assert_ptr_equal(p, &p);
	assert_int_equal(snemu_mem_free(&p), -ENXIO);
}

/* --- rendezvous copies --- */

/* Who copies the chunks of a rendezvous message. */
enum mode {
	BOTH,	  /* blocking send and receive: both sides claim chunks */
	SENDER,	  /* the receiver stays out of the library meanwhile */
	RECEIVER, /* the sender stays out of the library meanwhile */
};

struct combo {
	bool send_dev, recv_dev; /* device memory, else malloc */
};

/* One transfer k of len bytes from rank 0's sbuf to rank 1's rbuf. */
static void transfer(const struct combo *c, int me, unsigned char *sbuf,
		     unsigned char *rbuf, size_t len, enum mode mode,
		     unsigned k)
{
	unsigned long chunks = (len + EMU_CHUNK - 1) / EMU_CHUNK;
	unsigned long reads = cma_reads, writes = cma_writes;
	struct snemu_req *req;

	if (me == 0) {
		fill(sbuf, len, k);
		if (mode == SENDER)
			await(&flags->posted, k);
		if (mode == RECEIVER) {
			H_OK(snemu_isend(1, 0, sbuf, len, &req));
			/* Ahead in virtual time: the match need not wait. */
			H_OK(snemu_compute(LATER));
			await(&flags->done, k);
			H_OK(snemu_wait(req, NULL));
		} else {
			H_OK(snemu_send(1, 0, sbuf, len));
		}
		if (mode == SENDER)
			raise_flag(&flags->done, k);
		/* The sender writes only into a private receive buffer. */
		H_CHECK(cma_reads == reads);
		if (c->recv_dev || mode == RECEIVER)
			H_CHECK(cma_writes == writes);
		if (!c->recv_dev && mode == SENDER)
			H_CHECK(cma_writes == writes + chunks);
	} else {
		memset(rbuf, 0xee, len + 1);
		if (mode == SENDER) {
			H_OK(snemu_compute(LATER));
			H_OK(snemu_irecv(0, 0, rbuf, len, &req));
			raise_flag(&flags->posted, k);
			await(&flags->done, k);
			H_OK(snemu_wait(req, NULL));
		} else {
			H_OK(snemu_recv(0, 0, rbuf, len, NULL));
		}
		if (mode == RECEIVER)
			raise_flag(&flags->done, k);
		check(rbuf, len, k);
		/* The receiver reads only from a private send buffer. */
		H_CHECK(cma_writes == writes);
		if (c->send_dev || mode == SENDER)
			H_CHECK(cma_reads == reads);
		if (!c->send_dev && mode == RECEIVER)
			H_CHECK(cma_reads == reads + chunks);
	}
}

static int combo_rank(void *arg)
{
	const struct combo *c = arg;
	const size_t lens[] = {MIB, BIG_MAX};
	bool dev;
	unsigned char *buf;
	unsigned k = 0;
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	/* One more byte: the receiver checks that nothing lands past len. */
	dev = me ? c->recv_dev : c->send_dev;
	if (dev)
		H_OK(snemu_mem_alloc(BIG_MAX + 1, (void **)&buf));
	else
		H_CHECK((buf = malloc(BIG_MAX + 1)) != NULL);
	for (int l = 0; l < 2; l++)
		for (enum mode m = BOTH; m <= RECEIVER; m++)
			transfer(c, me, buf, buf, lens[l], m, ++k);
	H_OK(snemu_barrier());
	if (dev)
		H_OK(snemu_mem_free(buf));
	else
		free(buf);
	H_OK(snemu_finalize());
	return 0;
}

static void private_to_private(void **state)
{
	struct combo c = {.send_dev = false, .recv_dev = false};

	harness_destroy(run(2, combo_rank, &c));
}

static void private_to_device(void **state)
{
	struct combo c = {.send_dev = false, .recv_dev = true};

	harness_destroy(run(2, combo_rank, &c));
}

static void device_to_private(void **state)
{
	struct combo c = {.send_dev = true, .recv_dev = false};

	harness_destroy(run(2, combo_rank, &c));
}

static void device_to_device(void **state)
{
	struct combo c = {.send_dev = true, .recv_dev = true};

	harness_destroy(run(2, combo_rank, &c));
}

/*
 * Eager messages from device memory (copied through the arena, no CMA
 * whatever the receive buffer), and a large one to self between two
 * device-memory buffers.
 */
static int eager_rank(void *arg)
{
	const size_t lens[] = {1, 1000, EMU_EAGER_DEFAULT};
	unsigned char *dev, *dev2, *priv = malloc(EMU_EAGER_DEFAULT + 1);
	struct snemu_req *req;
	unsigned k = 0;
	int me;

	H_OK(snemu_init(NULL, NULL));
	me = snemu_rank();
	H_OK(snemu_mem_alloc(BIG_MAX + 1, (void **)&dev));
	H_OK(snemu_mem_alloc(BIG_MAX + 1, (void **)&dev2));
	for (int l = 0; l < 3; l++)
		for (int to_dev = 0; to_dev < 2; to_dev++) {
			unsigned char *rbuf = to_dev ? dev : priv;

			k++;
			if (me == 0) {
				fill(dev, lens[l], k);
				H_OK(snemu_send(1, 0, dev, lens[l]));
			} else {
				memset(rbuf, 0xee, lens[l] + 1);
				H_OK(snemu_recv(0, 0, rbuf, lens[l], NULL));
				check(rbuf, lens[l], k);
			}
		}
	fill(dev, BIG_MAX, ++k);
	memset(dev2, 0xee, BIG_MAX + 1);
	H_OK(snemu_isend(me, 1, dev, BIG_MAX, &req));
	H_OK(snemu_recv(me, 1, dev2, BIG_MAX, NULL));
	H_OK(snemu_wait(req, NULL));
	check(dev2, BIG_MAX, k);
	H_CHECK(cma_reads == 0 && cma_writes == 0);
	H_OK(snemu_mem_free(dev));
	H_OK(snemu_mem_free(dev2));
	free(priv);
	H_OK(snemu_finalize());
	return 0;
}

static void eager_from_device_memory(void **state)
{
	harness_destroy(run(2, eager_rank, NULL));
}

/* Whole pages inside [p, p + len) that are in the segment's memory. */
static size_t resident(const void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + len) & ~(page - 1);
	size_t pages = to > from ? (to - from) / page : 0, n = 0;
	unsigned char *vec = calloc(pages + 1, 1);

	if (!vec || mincore((void *)from, pages * page, vec)) {
		free(vec);
		return (size_t)-1;
	}
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

/*
 * A large block goes back to the host when freed (device memory and
 * windows alike); a small one stays, for reuse.
 */
static int trim_rank(void *arg)
{
	size_t big = 8 * MIB, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p, *q, *wbase;
	struct snemu_win *win;

	H_OK(snemu_init(NULL, NULL));
	H_OK(snemu_mem_alloc(big, (void **)&p));
	H_OK(snemu_mem_alloc(4 * page, (void **)&q));
	memset(p, 1, big);
	memset(q, 1, 4 * page);
	H_CHECK(resident(p, big) == big / page);
	H_OK(snemu_mem_free(p));
	H_OK(snemu_mem_free(q));
	H_CHECK(resident(p + page, big - 2 * page) == 0);
	H_CHECK(resident(q, 4 * page) == 4);
	H_OK(snemu_win_allocate(big, (void **)&wbase, &win));
	memset(wbase, 1, big);
	H_OK(snemu_win_free(win));
	H_CHECK(resident(wbase + page, big - 2 * page) == 0);
	/* What comes back is zero, as ever. */
	H_OK(snemu_mem_alloc(big, (void **)&p));
	for (size_t i = 0; i < big; i += page / 2)
		H_CHECK(p[i] == 0);
	H_OK(snemu_mem_free(p));
	H_OK(snemu_finalize());
	return 0;
}

static void large_blocks_go_back_to_the_host(void **state)
{
	harness_destroy(run(1, trim_rank, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(outside_a_run_is_enxio),
		cmocka_unit_test(alloc_and_free),
		cmocka_unit_test(private_to_private),
		cmocka_unit_test(private_to_device),
		cmocka_unit_test(device_to_private),
		cmocka_unit_test(device_to_device),
		cmocka_unit_test(eager_from_device_memory),
		cmocka_unit_test(large_blocks_go_back_to_the_host),
	};

	flags = mmap(NULL, sizeof(*flags), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (flags == MAP_FAILED)
		return 1;
	assert_non_null(harness_topo(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
