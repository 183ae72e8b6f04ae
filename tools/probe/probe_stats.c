/* SPDX-License-Identifier: MIT */
/* snemu probe: statistics over all samples (no sampling, no outlier cut). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/probe/probe.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double probe_percentile(const double *sorted, size_t n, double p)
{
	/* Nearest rank: the smallest sample with at least p% at or below. */
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

void probe_stats_compute(double *samples, size_t n, struct probe_stats *st)
{
	double sum = 0, sq = 0;

	memset(st, 0, sizeof(*st));
	st->n = n;
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += samples[i];
	st->avg = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (samples[i] - st->avg) * (samples[i] - st->avg);
	st->stdev = sqrt(sq / (double)n);
	st->min = samples[0];
	st->max = samples[n - 1];
	/* t_typical as perftest: the median (mean of the middle two). */
	st->median = n & 1 ? samples[n / 2]
			   : (samples[n / 2 - 1] + samples[n / 2]) / 2;
	st->p50 = probe_percentile(samples, n, 50);
	st->p99 = probe_percentile(samples, n, 99);
	st->p999 = probe_percentile(samples, n, 99.9);
	st->identical = st->min == st->max;
	if (st->identical) /* no rounding noise in avg and stdev */
		st->avg = st->min, st->stdev = 0;
}
