/* SPDX-License-Identifier: MIT */
/* The option parsers of `snemu run --trace`: rank lists and windows. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "emu/emu.h"

static void ranks_good(void **state)
{
	uint8_t set[16];
	uint8_t want[16] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0};

	memset(set, 7, sizeof(set));
	assert_int_equal(emu_trace_parse_ranks("0-7,12", 16, set), 0);
	assert_memory_equal(set, want, sizeof(set));
	assert_int_equal(emu_trace_parse_ranks("15", 16, set), 0);
	for (int r = 0; r < 16; r++)
		assert_int_equal(set[r], r == 15);
	/* Overlaps, repeats, one-rank ranges, any order. */
	assert_int_equal(emu_trace_parse_ranks("3,1-2,2-3,5-5,0", 16, set), 0);
	for (int r = 0; r < 16; r++)
		assert_int_equal(set[r], r <= 3 || r == 5);
}

static void ranks_bad(void **state)
{
	static const char *const bad[] = {
		NULL,  "",	",",  "1,", ",1", "1,,2", "a",	 "1-",	"-1",
		"3-1", "1-2-3", " 1", "1 ", "+1", "1;2",  "0x1", "1.5",
	};
	uint8_t set[16];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (emu_trace_parse_ranks(bad[i], 16, set) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i] ? bad[i] : "NULL");
	assert_int_equal(emu_trace_parse_ranks("16", 16, set), -ERANGE);
	assert_int_equal(emu_trace_parse_ranks("0-16", 16, set), -ERANGE);
	assert_int_equal(emu_trace_parse_ranks("99999999999999999999", 16, set),
			 -ERANGE);
}

static void window(const char *s, uint64_t t0, uint64_t t1)
{
	uint64_t a = 1, b = 2;

	if (emu_trace_parse_window(s, &a, &b))
		fail_msg("'%s' was refused", s);
	assert_int_equal(a, t0);
	assert_int_equal(b, t1);
}

static void window_good(void **state)
{
	window("10:20", 10000, 20000); /* us by default */
	window("10us:2ms", 10000, 2000000);
	window("1.5:2.5ms", 1500, 2500000);
	window("100ns:1s", 100, 1000000000);
	window(":5", 0, 5000);
	window("5:", 5000, UINT64_MAX);
	window(":", 0, UINT64_MAX);
	window(".25us:1.", 250, 1000);
	window("0.0005:1", 0, 1000); /* fractions of a ns dropped */
	window("1.0000000001ms:2ms", 1000000, 2000000);
}

static void window_bad(void **state)
{
	static const char *const bad[] = {
		NULL,	"",	"::",	  "5",	   "a:b",     "5:2",
		"1:1",	"1us",	"1..2:3", "1:2xs", "-1:2",    " 1:2",
		"1:2 ", "us:1", "1:.",	  "1:2:3", "1e3:2e3", "1:0x10",
	};
	uint64_t a = 1, b = 2;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (emu_trace_parse_window(bad[i], &a, &b) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i] ? bad[i] : "NULL");
	assert_int_equal(
		emu_trace_parse_window("99999999999999999999:", &a, &b),
		-ERANGE);
	assert_int_equal(emu_trace_parse_window(":20000000000s", &a, &b),
			 -ERANGE);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranks_good),
		cmocka_unit_test(ranks_bad),
		cmocka_unit_test(window_good),
		cmocka_unit_test(window_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
