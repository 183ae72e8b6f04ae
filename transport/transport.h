/* SPDX-License-Identifier: MIT */
/*
 * transport/: moves bytes between endpoint processes. Knows nothing of the
 * topology or of virtual time.
 *
 * shm (transport/shm/) is the building kit of the fabric engine: one memfd
 * segment inherited by every endpoint, futexes and a lock that work across
 * processes, an allocator for memory inside the segment, and a single-copy
 * helper that reads another process's memory (CMA, process_vm_readv).
 *
 * Everything placed in a segment is addressed by its offset from the start
 * of the segment, never by a pointer: each process maps it at its own
 * address.
 */
#ifndef SNEMU_TRANSPORT_H
#define SNEMU_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* --- segment (shm_seg.c) --- */

struct shm_seg {
	int fd;	       /* the memfd; -1 when attached (not ours to close) */
	void *base;    /* where this process mapped it */
	uint64_t size; /* bytes (sparse: pages are used only when touched) */
};

/*
 * Create a segment of size bytes (a multiple of the page size): a memfd
 * WITHOUT close-on-exec, so that children started with exec inherit it,
 * sized sparsely and mapped shared. name only shows in /proc.
 */
int shm_seg_create(const char *name, uint64_t size, struct shm_seg **out);

/*
 * Map the segment behind an inherited fd (its size is the file size). The
 * fd stays open and is not closed by shm_seg_destroy.
 */
int shm_seg_attach(int fd, struct shm_seg **out);

/* Unmap, and close the memfd if shm_seg_create made it. NULL is fine. */
void shm_seg_destroy(struct shm_seg *seg);

/* --- futexes shared between processes (shm_futex.c) --- */

/*
 * Sleep while *word == val, until woken, a signal, or timeout (relative;
 * NULL: none). Returns 0 when woken, -EAGAIN when *word != val already,
 * -EINTR or -ETIMEDOUT.
 */
int shm_futex_wait(uint32_t *word, uint32_t val,
		   const struct timespec *timeout);

/* Wake up to n sleepers on word. Returns how many woke, or -errno. */
int shm_futex_wake(uint32_t *word, int n);

/* --- a lock for processes sharing memory (shm_lock.c) --- */

/* Drepper's futex mutex: 0 free, 1 held, 2 held with sleepers. */
struct shm_lock {
	uint32_t word;
};

/* A zeroed struct shm_lock is unlocked; this says so explicitly. */
void shm_lock_init(struct shm_lock *l);
void shm_lock_acquire(struct shm_lock *l);
void shm_lock_release(struct shm_lock *l);

/* --- an allocator for memory inside a segment (shm_heap.c) --- */

/*
 * Size classes (64-byte multiples up to 256 B, then four per power of two)
 * with a free list of offsets per class; blocks are carved from a bump
 * pointer. Blocks are 64-byte aligned and carry no header, so a free must
 * give the length the block was allocated with. Not thread-safe: the
 * caller serializes (the engine lock). The struct lives in the segment.
 */
#define SHM_HEAP_CLASSES 128

struct shm_heap {
	uint64_t start;			      /* arena offset in the segment */
	uint64_t end;			      /* arena end offset */
	uint64_t brk;			      /* first never-used offset */
	uint64_t in_use;		      /* bytes in allocated blocks */
	uint64_t free_head[SHM_HEAP_CLASSES]; /* 0: empty */
};

/* Manage [start, end) of the segment mapped at base; start 64-aligned. */
void shm_heap_init(struct shm_heap *h, uint64_t start, uint64_t end);

/* Allocate len bytes (0 is taken as 1); *off is the block's offset. */
int shm_heap_alloc(struct shm_heap *h, void *base, uint64_t len, uint64_t *off);

/* Free the block at off that was allocated with len bytes. */
void shm_heap_free(struct shm_heap *h, void *base, uint64_t off, uint64_t len);

/* The block size len is rounded up to (for tests and accounting). */
uint64_t shm_heap_block_size(uint64_t len);

/* --- copies into the segment (shm_copy.c) --- */

/*
 * memcpy for a destination no one will read soon: where the CPU has
 * non-temporal stores (x86 SSE2), the bytes go to memory without reading
 * each line into the cache first and without evicting what is there;
 * elsewhere it is memcpy. Those stores are weakly ordered: after one or
 * more copies, shm_copy_stream_end makes them visible before any store
 * that follows it. For the eager payloads of held posts (emu/p2p.c,
 * docs/PERFORMANCE.md).
 */
void shm_copy_stream(void *dst, const void *src, size_t len);
void shm_copy_stream_end(void);

/* --- single copy from another process (shm_cma.c) --- */

/*
 * Copy len bytes at address remote of process pid into dst, with
 * process_vm_readv, looping on partial copies. Returns 0 or -errno
 * (-EFAULT when the remote range is not mapped).
 */
int shm_cma_read(pid_t pid, void *dst, uint64_t remote, size_t len);

/*
 * Copy len bytes from src into address remote of process pid, with
 * process_vm_writev, looping on partial copies. Returns 0 or -errno.
 */
int shm_cma_write(pid_t pid, uint64_t remote, const void *src, size_t len);

/*
 * Let any process of this user reach our memory with shm_cma_*, also
 * under the Yama LSM (ptrace_scope 1). Returns 0, also when Yama is absent.
 */
int shm_cma_allow(void);

#endif
