/* SPDX-License-Identifier: MIT */
/* Small helpers every layer may use. No project dependencies. */
#ifndef SNEMU_COMMON_H
#define SNEMU_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))
#define likely(x)	   __builtin_expect(!!(x), 1)
#define unlikely(x)	   __builtin_expect(!!(x), 0)
#define MIN(a, b)	   ((a) < (b) ? (a) : (b))
#define MAX(a, b)	   ((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_SEC  1000000000ULL

/* Monotonic wall clock in ns (for benchmarks and wall-mode pacing). */
uint64_t snemu_wall_ns(void);

/*
 * Parse a size with an optional K/M/G suffix (powers of 1024), e.g. "4K".
 * Returns 0 and sets *out, or -EINVAL.
 */
int snemu_parse_size(const char *s, uint64_t *out);

/*
 * Parse a whole decimal number in [min, max]: optional '-', then digits,
 * and nothing else (no spaces, '+', base prefix or suffix). Returns 0 and
 * sets *out; -EINVAL if s is not such a number (NULL, empty, junk), or
 * -ERANGE if it is one outside [min, max]; *out is then left alone.
 */
int snemu_parse_int(const char *s, int min, int max, int *out);

/* "s" unless n is 1, for counts in text: "%d node%s", n, snemu_s(n). */
static inline const char *snemu_s(long n)
{
	return n == 1 ? "" : "s";
}

/*
 * Parse a whole decimal number >= min that fits 64 bits: digits only (no
 * sign, spaces or suffix). Returns 0 and sets *out, -EINVAL for junk or
 * -ERANGE; *out is then left alone.
 */
int snemu_parse_u64(const char *s, uint64_t min, uint64_t *out);

/* Format bytes as "4K", "16M", or plain bytes when not a round unit. */
void snemu_format_size(uint64_t bytes, char *buf, size_t len);

#endif
