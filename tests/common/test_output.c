/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/output.h"

static void json_str_escapes(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	snemu_json_str(f, "a\"b\\c\nd");
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\u000ad\"");
	free(buf);
}

static void outfile_appears_whole_or_not_at_all(void **state)
{
	char dir[] = "/tmp/snemu-test-XXXXXX", path[64], tmp[80];
	struct snemu_outfile o;
	char line[16] = "";
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);

	/* Not ok: nothing at PATH, no temporary left. */
	assert_int_equal(snemu_outfile_open(path, &o), 0);
	snprintf(tmp, sizeof(tmp), "%s", o.tmp);
	/* A new file next to PATH: PATH.XXXXXX */
	assert_int_equal(strncmp(tmp, path, strlen(path)), 0);
	assert_int_equal(tmp[strlen(path)], '.');
	fputs("half", o.f);
	assert_int_equal(access(tmp, F_OK), 0);
	assert_int_equal(snemu_outfile_close(&o, 0), -ECANCELED);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_not_equal(access(tmp, F_OK), 0);

	/* Ok: renamed into place, also over a symlink planted there. */
	assert_int_equal(symlink("/nonexistent/victim", path), 0);
	assert_int_equal(snemu_outfile_open(path, &o), 0);
	snprintf(tmp, sizeof(tmp), "%s", o.tmp);
	fputs("whole", o.f);
	assert_int_equal(snemu_outfile_close(&o, 1), 0);
	assert_int_not_equal(access(tmp, F_OK), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "whole");
	unlink(path);
	rmdir(dir);

	/* A folder that does not exist: an error, nothing opened. */
	assert_int_equal(snemu_outfile_open("/nonexistent/x.json", &o),
			 -ENOENT);
	assert_int_equal(snemu_outfile_check(""), -ENOENT);
	assert_int_equal(snemu_outfile_check("/tmp"), -EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_str_escapes),
		cmocka_unit_test(outfile_appears_whole_or_not_at_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
