/* SPDX-License-Identifier: MIT */
/* snemu probe: options checked against the topology, before anything runs. */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "common/common.h"
#include "topology/topo.h"
#include "tools/probe/probe.h"

static int check_rank(const struct topo *t, const char *what, int r, FILE *err)
{
	int n = topo_num_endpoints(t);

	if (r < n)
		return 0;
	return probe_fail(
		err, "%s: rank %d is not an endpoint of %s (ranks 0 .. %d)",
		what, r, topo_name(t), n - 1);
}

/* How many endpoints hold buffers, and the largest message. */
static int footprint(const struct probe_opts *o, const struct topo *t,
		     uint64_t *bytes)
{
	uint64_t max = o->size;

	for (int i = 0; i < o->nsizes; i++)
		max = MAX(max, o->sizes[i]);
	*bytes = max;
	switch (o->mode) {
	case PROBE_MATRIX: return o->ranks ? o->nranks : topo_num_endpoints(t);
	case PROBE_INCAST: return o->senders + 1;
	case PROBE_ALLTOALL: return o->nprocs;
	default: return 2;
	}
}

int probe_opts_check(const struct probe_opts *o, const struct topo *t,
		     FILE *err)
{
	int n = topo_num_endpoints(t), users;
	uint64_t max, need, avail;
	char a[16], b[16], c[16];

	switch (o->mode) {
	case PROBE_SUMMARY:
		if (n < 2)
			return probe_fail(err, "%s has fewer than 2 endpoints",
					  topo_name(t));
		break;
	case PROBE_LAT:
	case PROBE_BW:
		if (check_rank(t, "--src", o->src, err) ||
		    check_rank(t, "--dst", o->dst, err))
			return -EINVAL;
		if (o->src == o->dst)
			return probe_fail(
				err,
				"--src and --dst are both rank %d: give "
				"two endpoints",
				o->src);
		break;
	case PROBE_MATRIX:
		/* Sorted: the last rank is the one that can be too large. */
		if (o->ranks &&
		    check_rank(t, "--ranks", o->ranks[o->nranks - 1], err))
			return -EINVAL;
		if (o->ranks && o->nranks < 2)
			return probe_fail(err,
					  "--ranks: a matrix needs at least 2 "
					  "endpoints");
		break;
	case PROBE_INCAST:
		if (check_rank(t, "--dst", o->dst, err))
			return -EINVAL;
		if (o->ranks &&
		    check_rank(t, "--ranks", o->ranks[o->nranks - 1], err))
			return -EINVAL;
		for (int i = 0; i < o->nranks; i++) {
			if (o->ranks[i] == o->dst)
				return probe_fail(
					err,
					"--ranks: rank %d is the receiver "
					"(--dst)",
					o->dst);
		}
		if (o->ranks && o->senders != o->nranks)
			return probe_fail(
				err, "--senders %d: --ranks lists %d ranks",
				o->senders, o->nranks);
		if (!o->ranks && o->senders > n - 1)
			return probe_fail(err,
					  "--senders %d: %s has only %d other "
					  "endpoints",
					  o->senders, topo_name(t), n - 1);
		break;
	case PROBE_ALLTOALL:
		if (o->nprocs > n)
			return probe_fail(err,
					  "-n %d: %s has only %d endpoints",
					  o->nprocs, topo_name(t), n);
		break;
	}
	users = footprint(o, t, &max);
	need = (uint64_t)users * 2 * max;
	avail = (uint64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / 2;
	if (need > avail) {
		snemu_format_size(max, a, sizeof(a));
		snemu_format_size(need >> 20 << 20, b, sizeof(b));
		snemu_format_size(avail >> 20 << 20, c, sizeof(c));
		return probe_fail(
			err,
			"size %s: %d endpoints x 2 buffers need %s, more "
			"than half of this host's memory (%s)",
			a, users, b, c);
	}
	return 0;
}
