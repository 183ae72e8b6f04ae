/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/common.h"

uint64_t snemu_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int snemu_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case '\0': break;
	default: return -EINVAL;
	}
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int snemu_parse_int(const char *s, int min, int max, int *out)
{
	const char *digits = s && *s == '-' ? s + 1 : s;
	char *end;
	long v;

	if (!digits || !isdigit((unsigned char)*digits))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v < min || v > max)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int snemu_parse_u64(const char *s, uint64_t min, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull takes "-1" as 2^64 - 1: digits only. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v < min)
		return -ERANGE;
	*out = v;
	return 0;
}

void snemu_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMG";

	for (int i = 2; i >= 0; i--) {
		uint64_t unit = 1ULL << (10 * (i + 1));

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes / unit,
				 units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
}
