/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/common.h"

static void parse_size_units(void **state)
{
	uint64_t v;

	assert_int_equal(snemu_parse_size("8", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(snemu_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(snemu_parse_size("16M", &v), 0);
	assert_int_equal(v, 16ULL << 20);
	assert_int_equal(snemu_parse_size("1GB", &v), 0);
	assert_int_equal(v, 1ULL << 30);
}

static void parse_size_rejects(void **state)
{
	uint64_t v = 7;

	assert_int_equal(snemu_parse_size("", &v), -EINVAL);
	assert_int_equal(snemu_parse_size("-1", &v), -EINVAL);
	assert_int_equal(snemu_parse_size("4X", &v), -EINVAL);
	assert_int_equal(snemu_parse_size("99999999999999999999G", &v),
			 -EINVAL);
	assert_int_equal(v, 7);
}

static void format_size_round_units(void **state)
{
	char buf[32];

	snemu_format_size(4096, buf, sizeof(buf));
	assert_string_equal(buf, "4K");
	snemu_format_size(3 << 20, buf, sizeof(buf));
	assert_string_equal(buf, "3M");
	snemu_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_size_units),
		cmocka_unit_test(parse_size_rejects),
		cmocka_unit_test(format_size_round_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
