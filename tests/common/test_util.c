/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
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

static void parse_int_valid(void **state)
{
	int v;

	assert_int_equal(snemu_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(snemu_parse_int("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(snemu_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	/* Decimal only: a leading zero is not octal. */
	assert_int_equal(snemu_parse_int("010", 0, 100, &v), 0);
	assert_int_equal(v, 10);
	/* The bounds themselves are allowed. */
	assert_int_equal(snemu_parse_int("1", 1, 32, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(snemu_parse_int("32", 1, 32, &v), 0);
	assert_int_equal(v, 32);
	assert_int_equal(snemu_parse_int("2147483647", 0, INT_MAX, &v), 0);
	assert_int_equal(v, INT_MAX);
}

static void parse_int_not_a_number(void **state)
{
	int v = 7;

	assert_int_equal(snemu_parse_int(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("abc", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("12x", 0, 100, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("4K", 0, 10000, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("1.5", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("3 ", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int(" 3", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("+3", 0, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("-", -10, 10, &v), -EINVAL);
	assert_int_equal(snemu_parse_int("0x10", 0, 100, &v), -EINVAL);
	/* Junk after an overflowing number is still junk. */
	assert_int_equal(snemu_parse_int("99999999999999999999x", 0, 10, &v),
			 -EINVAL);
	assert_int_equal(v, 7);
}

static void parse_int_out_of_range(void **state)
{
	int v = 7;

	/* Negative when the minimum is not. */
	assert_int_equal(snemu_parse_int("-3", 0, 10, &v), -ERANGE);
	assert_int_equal(snemu_parse_int("-1", 1, 10, &v), -ERANGE);
	/* Below the minimum, above the maximum. */
	assert_int_equal(snemu_parse_int("0", 1, 32, &v), -ERANGE);
	assert_int_equal(snemu_parse_int("33", 1, 32, &v), -ERANGE);
	/* Beyond an int, and beyond a long, either way. */
	assert_int_equal(snemu_parse_int("2147483648", 0, INT_MAX, &v),
			 -ERANGE);
	assert_int_equal(snemu_parse_int("-2147483649", INT_MIN, 0, &v),
			 -ERANGE);
	assert_int_equal(
		snemu_parse_int("99999999999999999999", 0, INT_MAX, &v),
		-ERANGE);
	assert_int_equal(
		snemu_parse_int("-99999999999999999999", INT_MIN, 0, &v),
		-ERANGE);
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
		cmocka_unit_test(parse_int_valid),
		cmocka_unit_test(parse_int_not_a_number),
		cmocka_unit_test(parse_int_out_of_range),
		cmocka_unit_test(format_size_round_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
