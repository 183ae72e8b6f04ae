/* SPDX-License-Identifier: MIT */
/* Timelines: the --trace-ranks and --trace-window options (emu/trace.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "emu/trace.h"

static int parse_rank(const char **s, int nranks, int *out)
{
	char *end;
	long v;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(*s, &end, 10);
	*s = end;
	if (errno || v >= nranks)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int emu_trace_parse_ranks(const char *s, int nranks, uint8_t *set)
{
	int lo, hi, ret;

	if (!s || !*s)
		return -EINVAL;
	memset(set, 0, (size_t)nranks);
	for (;;) {
		ret = parse_rank(&s, nranks, &lo);
		if (ret)
			return ret;
		hi = lo;
		if (*s == '-') {
			s++;
			ret = parse_rank(&s, nranks, &hi);
			if (ret)
				return ret;
			if (hi < lo)
				return -EINVAL;
		}
		memset(set + lo, 1, (size_t)(hi - lo + 1));
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

/* One bound of a window, [s, end): 0, -EINVAL or -ERANGE. */
static int parse_time(const char *s, const char *end, uint64_t *out)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	uint64_t whole = 0, frac = 0, div = 1, unit = 1000;
	const char *p = s;
	bool dot = false, digits = false;
	size_t len;

	for (; p < end && ((*p >= '0' && *p <= '9') || (*p == '.' && !dot));
	     p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		digits = true;
		if (!dot) {
			if (whole > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			whole = whole * 10 + (uint64_t)(*p - '0');
		} else if (div < 1000000000) {
			frac = frac * 10 + (uint64_t)(*p - '0');
			div *= 10;
		}
	}
	if (!digits)
		return -EINVAL;
	len = (size_t)(end - p);
	if (len) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (strlen(units[i].name) == len &&
			    !strncmp(p, units[i].name, len))
				break;
		if (i == ARRAY_SIZE(units))
			return -EINVAL;
		unit = units[i].ns;
	}
	if (whole > UINT64_MAX / unit / 2)
		return -ERANGE;
	*out = whole * unit + frac * unit / div;
	return 0;
}

int emu_trace_parse_window(const char *s, uint64_t *t0, uint64_t *t1)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	uint64_t a = 0, b = UINT64_MAX;
	int ret;

	if (!colon)
		return -EINVAL;
	if (colon > s) {
		ret = parse_time(s, colon, &a);
		if (ret)
			return ret;
	}
	if (colon[1]) {
		ret = parse_time(colon + 1, colon + strlen(colon), &b);
		if (ret)
			return ret;
	}
	if (b <= a)
		return -EINVAL;
	*t0 = a;
	*t1 = b;
	return 0;
}
