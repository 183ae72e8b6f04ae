/* SPDX-License-Identifier: MIT */
/* Unit tests of snemu probe's command line: lists, modes, bad input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tools/probe/probe.h"

static void sizes_ranges_and_lists(void **state)
{
	uint64_t *v;
	char msg[256];
	int n;

	assert_int_equal(probe_parse_sizes("8:64", &v, &n, msg, sizeof(msg)),
			 0);
	assert_int_equal(n, 4);
	assert_true(v[0] == 8 && v[1] == 16 && v[2] == 32 && v[3] == 64);
	free(v);
	assert_int_equal(probe_parse_sizes("8,512,4K,1K:4K,16M", &v, &n, msg,
					   sizeof(msg)),
			 0);
	assert_int_equal(n, 7);
	assert_true(v[2] == 4096 && v[3] == 1024 && v[5] == 4096);
	assert_true(v[6] == 16ULL << 20);
	free(v);
	assert_int_equal(probe_parse_sizes("1G", &v, &n, msg, sizeof(msg)), 0);
	assert_true(n == 1 && v[0] == PROBE_MAX_SIZE);
	free(v);
}

/* Each bad list fails and the message names the bad element. */
static void sizes_rejected_with_the_value_named(void **state)
{
	static const struct {
		const char *in, *named;
	} bad[] = {
		{"0", "0"},	    {"8:0", "0"},  {"2G", "2G"},
		{"abc", "abc"},	    {"8,,16", ""}, {"64:8", "64:8"},
		{"", ""},	    {"8,", "8,"},  {"4K:16X", "16X"},
		{"1025M", "1025M"},
	};
	char msg[256];
	uint64_t *v;
	int n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = 0;
		assert_int_equal(
			probe_parse_sizes(bad[i].in, &v, &n, msg, sizeof(msg)),
			-EINVAL);
		assert_non_null(strstr(msg, bad[i].named));
	}
}

static void ranks_ranges_steps_sorted(void **state)
{
	char msg[256];
	int *v, n;

	assert_int_equal(probe_parse_ranks("8,0-3", &v, &n, msg, sizeof(msg)),
			 0);
	assert_int_equal(n, 5);
	assert_true(v[0] == 0 && v[3] == 3 && v[4] == 8);
	free(v);
	assert_int_equal(
		probe_parse_ranks("0-15,16-383:8", &v, &n, msg, sizeof(msg)),
		0);
	assert_int_equal(n, 16 + 46);
	assert_true(v[16] == 16 && v[17] == 24 && v[n - 1] == 376);
	free(v);
}

static void ranks_rejected(void **state)
{
	static const char *const bad[] = {"",	   "a",	    "1-",  "5-2",
					  "3,3",   "0-4,2", "1:2", "-1",
					  "0-8:0", "1,,2"};
	char msg[256];
	int *v, n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
			probe_parse_ranks(bad[i], &v, &n, msg, sizeof(msg)),
			-EINVAL);
	probe_parse_ranks("0-4,2", &v, &n, msg, sizeof(msg));
	assert_non_null(strstr(msg, "rank 2 is listed twice"));
}

static char *argbuf; /* the parsed options point into it */

/* Parse a command line given as one string; capture the error text. */
static int parse(const char *line, struct probe_opts *o, char **err)
{
	char *argv[32], *save = NULL;
	size_t len;
	int argc = 0, ret;
	FILE *f = open_memstream(err, &len);

	argbuf = strdup(line);
	argv[argc++] = "probe";
	for (char *t = strtok_r(argbuf, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	ret = probe_opts_parse(argc, argv, o, f);
	fclose(f);
	return ret;
}

static void done(struct probe_opts *o, char *err)
{
	probe_opts_free(o);
	free(err);
	free(argbuf);
}

static void modes_and_defaults(void **state)
{
	struct probe_opts o;
	char *err;

	assert_int_equal(parse("", &o, &err), 0);
	assert_int_equal(o.mode, PROBE_SUMMARY);
	assert_int_equal(o.nsizes, 6);
	assert_true(o.sizes[5] == 16ULL << 20);
	done(&o, err);

	/* Options on both sides of the mode word. */
	assert_int_equal(parse("--preset cloudmatrix384 lat --src 0 --dst 8 "
			       "--sizes 8:4M --iters 5 --format osu",
			       &o, &err),
			 0);
	assert_int_equal(o.mode, PROBE_LAT);
	assert_true(o.src == 0 && o.dst == 8 && o.iters == 5);
	assert_int_equal(o.nsizes, 20);
	assert_int_equal(o.format, PROBE_FMT_OSU);
	assert_string_equal(o.preset, "cloudmatrix384");
	done(&o, err);

	assert_int_equal(parse("matrix --ranks 0-15", &o, &err), 0);
	assert_string_equal(o.csv, "probe-matrix.csv");
	assert_string_equal(o.image, "probe-matrix.png");
	assert_true(o.size == 8 && o.nranks == 16);
	done(&o, err);

	assert_int_equal(parse("incast --dst 3", &o, &err), 0);
	assert_true(o.senders == 8 && o.size == 1 << 20);
	done(&o, err);
}

static void bad_command_lines(void **state)
{
	static const struct {
		const char *line, *named;
	} bad[] = {
		{"foo", "unknown mode 'foo'"},
		{"lat bw", "unexpected argument 'bw'"},
		{"lat --window 4", "--window does not apply to mode lat"},
		{"matrix --iters 3", "--iters does not apply to mode matrix"},
		{"bw --size 8", "--size does not apply to mode bw"},
		{"lat --sizes 0", "size 0"},
		{"lat --sizes 2G", "2G"},
		{"lat --src x", "--src 'x'"},
		{"lat --iters 0", "--iters '0'"},
		{"matrix --image m.jpg", "m.jpg"},
		{"matrix --csv /nonexistent/dir/m.csv", "/nonexistent/dir"},
		{"lat --bogus", "--bogus"},
		{"lat --src", "needs a value"},
		{"--preset a --topo b", "one topology"},
		{"alltoall -n 1", "-n '1'"},
		{"matrix --ranks 1,1", "listed twice"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct probe_opts o;
		char *err;

		assert_int_equal(parse(bad[i].line, &o, &err), -EINVAL);
		if (!strstr(err, bad[i].named))
			fail_msg("'%s': got '%s'", bad[i].line, err);
		done(&o, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_ranges_and_lists),
		cmocka_unit_test(sizes_rejected_with_the_value_named),
		cmocka_unit_test(ranks_ranges_steps_sorted),
		cmocka_unit_test(ranks_rejected),
		cmocka_unit_test(modes_and_defaults),
		cmocka_unit_test(bad_command_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
