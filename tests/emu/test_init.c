/* SPDX-License-Identifier: MIT */
/* snemu_init outside a run, and with a broken environment. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/emu/harness.h"

static void set_env(const char *fd, const char *rank)
{
	if (fd)
		setenv(EMU_ENV_FD, fd, 1);
	else
		unsetenv(EMU_ENV_FD);
	if (rank)
		setenv(EMU_ENV_RANK, rank, 1);
	else
		unsetenv(EMU_ENV_RANK);
}

static void init_outside_a_run_is_enxio(void **state)
{
	int v = 0;

	set_env(NULL, NULL);
	assert_int_equal(snemu_init(NULL, NULL), -ENXIO);
	set_env("3", NULL);
	assert_int_equal(snemu_init(NULL, NULL), -ENXIO);
	set_env("x", "0");
	assert_int_equal(snemu_init(NULL, NULL), -ENXIO);
	/* Every call before a successful init says the same. */
	assert_int_equal(snemu_rank(), -ENXIO);
	assert_int_equal(snemu_size(), -ENXIO);
	assert_int_equal(snemu_node_of(0), -ENXIO);
	assert_int_equal(snemu_now(), 0);
	assert_int_equal(snemu_send(0, 0, &v, sizeof(v)), -ENXIO);
	assert_int_equal(snemu_barrier(), -ENXIO);
	assert_int_equal(snemu_compute(5), -ENXIO);
	assert_int_equal(snemu_finalize(), -ENXIO);
	assert_string_equal(snemu_strerror(-ENXIO),
			    "no fabric: not started by `snemu run`, or "
			    "snemu_init not called");
}

static void init_with_a_bad_fd_is_enxio(void **state)
{
	char buf[16];
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	snprintf(buf, sizeof(buf), "%d", fd);
	set_env(buf, "0");
	assert_int_equal(snemu_init(NULL, NULL), -ENXIO);
	set_env("999", "0");
	assert_int_equal(snemu_init(NULL, NULL), -ENXIO);
	close(fd);
	set_env(NULL, NULL);
}

static int bad_rank(void *arg)
{
	setenv(EMU_ENV_RANK, "2", 1);
	H_EXPECT(snemu_init(NULL, NULL), -ENXIO);
	return 0;
}

static int good_rank(void *arg)
{
	H_OK(snemu_init(NULL, NULL));
	H_CHECK(snemu_size() == 2);
	H_OK(snemu_finalize());
	return 0;
}

static int rank_out_of_range(void *arg)
{
	return getenv(EMU_ENV_RANK)[0] == '0' ? good_rank(arg) : bad_rank(arg);
}

static void init_with_a_bad_rank_is_enxio(void **state)
{
	struct harness_opts o = {.nranks = 2, .timeout_s = 30};
	struct harness *h;

	/* Rank 1 claims rank 2 of 2: it fails, and rank 1 never runs. */
	assert_int_equal(harness_run(&o, rank_out_of_range, NULL, &h), 0);
	assert_int_equal(harness_failures(h), 0);
	harness_destroy(h);
}

static void strerror_never_null(void **state)
{
	assert_string_equal(snemu_strerror(0), "success");
	assert_string_equal(snemu_strerror(-EINVAL), "Invalid argument");
	assert_non_null(snemu_strerror(-100000));
	assert_non_null(snemu_strerror(12345));
	assert_non_null(snemu_strerror(-EMSGSIZE));
	assert_non_null(snemu_strerror(-ECANCELED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_outside_a_run_is_enxio),
		cmocka_unit_test(init_with_a_bad_fd_is_enxio),
		cmocka_unit_test(init_with_a_bad_rank_is_enxio),
		cmocka_unit_test(strerror_never_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
