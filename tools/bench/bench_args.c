/* SPDX-License-Identifier: MIT */
#include <errno.h> /* program_invocation_short_name */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/common.h"
#include "tools/bench/bench_args.h"

int bench_int_arg(int opt, int min, int max)
{
	int v;

	if (snemu_parse_int(optarg, min, max, &v)) {
		fprintf(stderr,
			"%s: -%c: \"%s\" is not a whole number from %d to %d\n",
			program_invocation_short_name, opt, optarg, min, max);
		exit(2);
	}
	return v;
}

uint64_t bench_size_arg(int opt, uint64_t min, uint64_t max)
{
	char lo[32], hi[32];
	uint64_t v;

	if (!snemu_parse_size(optarg, &v) && v >= min && v <= max)
		return v;
	snemu_format_size(min, lo, sizeof(lo));
	snemu_format_size(max, hi, sizeof(hi));
	fprintf(stderr,
		"%s: -%c: \"%s\" is not a size from %s to %s (bytes, or with "
		"a K, M or G suffix)\n",
		program_invocation_short_name, opt, optarg, lo, hi);
	exit(2);
}
