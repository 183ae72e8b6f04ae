/* SPDX-License-Identifier: MIT */
/* Routes: hop counts, path counts, determinism, every pair reachable. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topology/topo.h"

static struct topo *load(const char *name)
{
	struct topo_error err;
	struct topo *t = NULL;

	assert_int_equal(topo_load_preset(name, &t, &err), 0);
	return t;
}

/* Path i from src to dst is a chain of links from src to dst. */
static int check_path(const struct topo *t, int src, int dst, int i)
{
	int links[8], hops, at = src;

	hops = topo_path(t, src, dst, i, links, 8);
	assert_true(hops >= 2);
	for (int h = 0; h < hops; h++) {
		int from, to;

		assert_true(links[h] >= 0 && links[h] < topo_num_links(t));
		topo_link_ends(t, links[h], &from, &to);
		assert_int_equal(from, at);
		/* Only the ends of the route are endpoints. */
		assert_true((to < topo_num_endpoints(t)) == (h == hops - 1));
		at = to;
	}
	assert_int_equal(at, dst);
	return hops;
}

static void cloudmatrix384_hops_and_paths(void **state)
{
	struct topo *t = load("cloudmatrix384");
	int links[4];

	/* dies x L1 chips x dies inside a node; x 16 L2 chips across. */
	assert_int_equal(topo_num_paths(t, 0, 1), 2 * 7 * 2);
	assert_int_equal(topo_num_paths(t, 0, 8), 2 * 7 * 16 * 2);
	assert_int_equal(check_path(t, 0, 7, 0), 2);
	assert_int_equal(check_path(t, 0, 8, 0), 4);
	assert_int_equal(check_path(t, 383, 0, 447), 4);
	assert_int_equal(topo_num_paths(t, 3, 3), -EINVAL);
	assert_int_equal(topo_num_paths(t, 0, 384), -EINVAL);
	assert_int_equal(topo_path(t, 0, 8, 448, links, 4), -EINVAL);
	assert_int_equal(topo_path(t, 0, 8, 0, links, 3), -ENOSPC);
	topo_destroy(t);
}

static void nvl72_one_switch_hop(void **state)
{
	struct topo *t = load("nvl72");

	assert_int_equal(topo_num_paths(t, 0, 71), 18);
	assert_int_equal(topo_num_paths(t, 0, 1), 18);
	for (int i = 0; i < 18; i++)
		assert_int_equal(check_path(t, 0, 71, i), 2);
	topo_destroy(t);
}

static int cmp_path(const void *a, const void *b)
{
	return memcmp(a, b, 4 * sizeof(int));
}

/* The paths of a pair are all different, and the same every time. */
static void paths_distinct_and_deterministic(void **state)
{
	struct topo *t = load("cloudmatrix384");
	int pairs[][2] = {{0, 1}, {0, 8}, {100, 383}};
	int(*all)[4] = calloc(448, sizeof(*all));

	for (size_t p = 0; p < 3; p++) {
		int a = pairs[p][0], b = pairs[p][1];
		int n = topo_num_paths(t, a, b);

		for (int i = 0; i < n; i++) {
			int again[4] = {0};

			check_path(t, a, b, i);
			memset(all[i], 0, sizeof(all[i]));
			topo_path(t, a, b, i, all[i], 4);
			topo_path(t, a, b, i, again, 4);
			assert_memory_equal(all[i], again, sizeof(again));
		}
		qsort(all, n, sizeof(*all), cmp_path);
		for (int i = 1; i < n; i++)
			assert_true(cmp_path(all[i - 1], all[i]) < 0);
	}
	free(all);
	topo_destroy(t);
}

/* All 384 x 383 ordered pairs: connected routes with the right hops. */
static void every_pair_reachable(void **state)
{
	struct topo *t = load("cloudmatrix384");
	int n = topo_num_endpoints(t);

	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			int paths, local;

			if (a == b)
				continue;
			local = topo_node_of(t, a) == topo_node_of(t, b);
			paths = topo_num_paths(t, a, b);
			assert_int_equal(paths, local ? 28 : 448);
			assert_int_equal(check_path(t, a, b, (a + b) % paths),
					 local ? 2 : 4);
		}
	topo_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cloudmatrix384_hops_and_paths),
		cmocka_unit_test(nvl72_one_switch_hop),
		cmocka_unit_test(paths_distinct_and_deterministic),
		cmocka_unit_test(every_pair_reachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
