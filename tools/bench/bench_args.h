/* SPDX-License-Identifier: MIT */
/*
 * Numeric options of the benchmark programs. Each returns the value of
 * the option being parsed (optarg) when it is in [min, max]; otherwise it
 * prints one line naming the program, the option, the value given and
 * what is allowed, and exits 2 before the benchmark does any work.
 */
#ifndef SNEMU_BENCH_ARGS_H
#define SNEMU_BENCH_ARGS_H

#include <stdint.h>

/* A whole decimal number. */
int bench_int_arg(int opt, int min, int max);

/* A size in bytes, with an optional K, M or G suffix (powers of 1024). */
uint64_t bench_size_arg(int opt, uint64_t min, uint64_t max);

#endif
