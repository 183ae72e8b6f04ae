/* SPDX-License-Identifier: MIT */
/* Unit tests of snemu probe's statistics, matrix schedule and JSON writer. */
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tools/probe/probe.h"

static void percentiles_nearest_rank(void **state)
{
	double v[100];
	struct probe_stats st;

	/* Shuffled 1..100: compute must sort. */
	for (int i = 0; i < 100; i++)
		v[i] = (double)((i * 37) % 100 + 1);
	probe_stats_compute(v, 100, &st);
	assert_int_equal(st.n, 100);
	assert_true(st.min == 1 && st.max == 100);
	assert_true(st.p50 == 50);
	assert_true(st.p99 == 99);
	assert_true(st.p999 == 100);
	assert_true(st.median == 50.5); /* even count: mean of the middle */
	assert_true(fabs(st.avg - 50.5) < 1e-12);
	assert_false(st.identical);
}

static void mean_and_population_stdev(void **state)
{
	double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct probe_stats st;

	probe_stats_compute(v, 8, &st);
	assert_true(fabs(st.avg - 5) < 1e-12);
	assert_true(fabs(st.stdev - 2) < 1e-12);
}

static void identical_samples_give_no_noise(void **state)
{
	double *v = malloc(1000 * sizeof(*v));
	struct probe_stats st;

	for (int i = 0; i < 1000; i++)
		v[i] = 1234.5;
	probe_stats_compute(v, 1000, &st);
	assert_true(st.identical);
	assert_true(st.stdev == 0);
	assert_true(st.avg == 1234.5 && st.p999 == 1234.5);
	free(v);
}

static void one_and_zero_samples(void **state)
{
	double v = 7;
	struct probe_stats st;

	probe_stats_compute(&v, 1, &st);
	assert_true(st.p99 == 7 && st.median == 7 && st.identical);
	probe_stats_compute(NULL, 0, &st);
	assert_int_equal(st.n, 0);
}

/* Every round is a perfect matching and every pair meets exactly once. */
static void round_robin_meets_each_pair_once(void **state)
{
	static const int ps[] = {2, 4, 6, 16, 50, 384};

	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		int p = ps[k];
		unsigned char *met = calloc((size_t)p * p, 1);

		for (int r = 0; r < p - 1; r++) {
			for (int i = 0; i < p; i++) {
				int q = probe_rr_partner(p, r, i);

				assert_true(q >= 0 && q < p && q != i);
				assert_int_equal(probe_rr_partner(p, r, q), i);
				met[i * p + q]++;
			}
		}
		for (int i = 0; i < p; i++)
			for (int j = 0; j < p; j++)
				assert_int_equal(met[i * p + j], i != j);
		free(met);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	assert_non_null(f);
	assert_true(fread(buf, 1, 4095, f) > 0);
	fclose(f);
	return buf;
}

static void json_nesting_units_and_atomic_rename(void **state)
{
	char path[] = "/tmp/test_probe_json.XXXXXX", tmp[64], *text;
	glob_t g;
	struct probe_stats st = {.n = 1,
				 .min = 1500,
				 .max = 1500,
				 .median = 1500,
				 .avg = 1500,
				 .p50 = 1500,
				 .p99 = 1500,
				 .p999 = 1500};
	struct probe_json *j;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(probe_json_open(path, &j), 0);
	assert_int_equal(access(path, F_OK), -1); /* only the temporary */
	snprintf(tmp, sizeof(tmp), "%s.*", path);
	assert_int_equal(glob(tmp, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	probe_json_obj(j, NULL);
	probe_json_str(j, "name", "a\"b");
	probe_json_arr(j, "list");
	probe_json_int(j, NULL, 1);
	probe_json_num(j, NULL, NAN, 2);
	probe_json_end(j);
	probe_json_arr(j, "empty");
	probe_json_end(j);
	probe_json_stats_usec(j, "t", &st);
	probe_json_bool(j, "ok", 1);
	probe_json_end(j);
	assert_int_equal(probe_json_close(j), 0);
	assert_int_equal(access(g.gl_pathv[0], F_OK), -1);
	globfree(&g);
	text = slurp(path);
	assert_non_null(strstr(text, "\"name\": \"a\\\"b\""));
	assert_non_null(strstr(text, "\"list\": [\n    1,\n    null\n  ]"));
	assert_non_null(strstr(text, "\"empty\": []"));
	assert_non_null(strstr(text, "\"t_min_usec\": 1.5000"));
	assert_non_null(strstr(text, "\"t_p99_9_usec\": 1.5000"));
	assert_non_null(strstr(text, "\"ok\": true\n}"));
	free(text);
	unlink(path);
}

static void json_unbalanced_leaves_no_file(void **state)
{
	char path[] = "/tmp/test_probe_json.XXXXXX", tmp[64];
	struct probe_json *j;
	glob_t g;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(probe_json_open(path, &j), 0);
	probe_json_obj(j, NULL);
	assert_int_equal(probe_json_close(j), -EINVAL);
	snprintf(tmp, sizeof(tmp), "%s.*", path);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(glob(tmp, 0, NULL, &g), GLOB_NOMATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_nearest_rank),
		cmocka_unit_test(mean_and_population_stdev),
		cmocka_unit_test(identical_samples_give_no_noise),
		cmocka_unit_test(one_and_zero_samples),
		cmocka_unit_test(round_robin_meets_each_pair_once),
		cmocka_unit_test(json_nesting_units_and_atomic_rename),
		cmocka_unit_test(json_unbalanced_leaves_no_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
