/* SPDX-License-Identifier: MIT */
/* emu_compute_parse: the modes of `snemu run --compute`. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "emu/emu.h"

static void parse_modes(void **state)
{
	double v = -1;

	assert_int_equal(emu_compute_parse("none", &v), 0);
	assert_true(v == 0);
	assert_int_equal(emu_compute_parse("measured", &v), 0);
	assert_true(v == 1);
	assert_int_equal(emu_compute_parse("measured:2", &v), 0);
	assert_true(v == 2);
	assert_int_equal(emu_compute_parse("measured:0.5", &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(emu_compute_parse("measured:10", &v), 0);
	assert_true(v == 10);
	/* One '.' anywhere, and leading zeros, are fine. */
	assert_int_equal(emu_compute_parse("measured:.25", &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(emu_compute_parse("measured:3.", &v), 0);
	assert_true(v == 3);
	assert_int_equal(emu_compute_parse("measured:007.5", &v), 0);
	assert_true(v == 7.5);
}

static void parse_rejects(void **state)
{
	static const char *const bad[] = {
		NULL,
		"",
		"bogus",
		"None",
		"none:1",
		"measure",
		"measuredx",
		"measured:",
		"measured:0",
		"measured:0.0",
		"measured:.",
		"measured:-1",
		"measured:+1",
		"measured:abc",
		"measured:1x",
		"measured:1.2.3",
		"measured:1e3",
		"measured:inf",
		"measured:nan",
		"measured: 1",
		"measured:0x10",
	};
	char huge[400];
	double v = 7;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (emu_compute_parse(bad[i], &v) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i] ? bad[i] : "NULL");
	}
	/* Out of a double's range. */
	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge, "measured:", 9);
	assert_int_equal(emu_compute_parse(huge, &v), -EINVAL);
	assert_true(v == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_modes),
		cmocka_unit_test(parse_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
