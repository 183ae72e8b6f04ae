/* SPDX-License-Identifier: MIT */
/* The config reader: presets parse; each kind of mistake names file:line. */
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

#include "topology/topo.h"

/* A small valid two-tier model; the cases below break one line of it. */
static const char good[] = "nodes = 2;\n"		     /* 1 */
			   "endpoints = {\n"		     /* 2 */
			   "	per_node = 2;\n"	     /* 3 */
			   "};\n"			     /* 4 */
			   "switches = {\n"		     /* 5 */
			   "	l1 = { count = 2; };\n"	     /* 6 */
			   "	l2 = { per_plane = 2; };\n"  /* 7 */
			   "};\n"			     /* 8 */
			   "links = {\n"		     /* 9 */
			   "	ep_l1 = {\n"		     /* 10 */
			   "		bandwidth = 10.0;\n" /* 11 */
			   "	};\n"			     /* 12 */
			   "	l1_l2 = {\n"		     /* 13 */
			   "		bandwidth = 10;\n"   /* 14 */
			   "		count = 1;\n"	     /* 15 */
			   "	};\n"			     /* 16 */
			   "};\n";			     /* 17 */

/* good with line `line` (1-based) replaced by `repl`. */
static char *edit(int line, const char *repl)
{
	char *out = malloc(sizeof(good) + strlen(repl) + 2);
	const char *p = good;

	assert_non_null(out);
	out[0] = '\0';
	for (int l = 1; *p; l++) {
		const char *nl = strchr(p, '\n');

		if (l == line) {
			strcat(out, repl);
			strcat(out, "\n");
		} else {
			strncat(out, p, nl - p + 1);
		}
		p = nl + 1;
	}
	return out;
}

/* Loading text must fail with ret at line and key, msg containing what. */
static void expect_error(const char *text, int ret, int line, const char *key,
			 const char *what)
{
	struct topo_error err;
	struct topo *t = (struct topo *)&err; /* must stay untouched */

	memset(&err, 0, sizeof(err));
	assert_int_equal(topo_load_string(text, "case.cfg", &t, &err), ret);
	assert_ptr_equal(t, (struct topo *)&err);
	if (strcmp(err.file, "case.cfg") || err.line != line ||
	    strcmp(err.key, key) || !strstr(err.msg, what))
		fail_msg("got %s:%d: %s: %s; want line %d, key %s, '%s'",
			 err.file, err.line, err.key, err.msg, line, key, what);
}

static void expect_edit_error(int line, const char *repl, int at,
			      const char *key, const char *what)
{
	char *text = edit(line, repl);

	expect_error(text, -EINVAL, at, key, what);
	free(text);
}

static void presets_parse(void **state)
{
	const char *const *names = topo_preset_names();
	struct topo_error err;
	struct topo *t;
	int n = 0;

	assert_string_equal(names[0], "cloudmatrix384");
	for (; names[n]; n++) {
		assert_int_equal(topo_load_preset(names[n], &t, &err), 0);
		assert_string_equal(topo_name(t), names[n]);
		assert_true(topo_params(t)->poll_ns >= 1);
		topo_destroy(t);
	}
	assert_true(n >= 2);
	assert_int_equal(topo_load_preset("nosuch", &t, &err), -ENOENT);
	assert_string_equal(err.file, "<preset nosuch>");
}

static void good_parses_with_defaults(void **state)
{
	struct topo_error err;
	struct topo *t;

	assert_int_equal(topo_load_string(good, "good", &t, &err), 0);
	assert_string_equal(topo_name(t), "good");
	assert_int_equal(topo_params(t)->mtu, 4096);
	assert_int_equal(topo_params(t)->poll_ns, 1);
	assert_int_equal(topo_params(t)->routing, TOPO_ROUTING_SPRAY);
	assert_int_equal(topo_num_endpoints(t), 4);
	topo_destroy(t);
}

static void syntax_error(void **state)
{
	expect_edit_error(6, "	l1 = { count = 2 ;;", 6, "", "syntax error");
}

static void unknown_key(void **state)
{
	expect_edit_error(3, "	per_nod = 2;", 3, "endpoints.per_nod",
			  "unknown key");
	expect_edit_error(1, "nodes = 2; colour = \"red\";", 1, "colour",
			  "unknown key");
	expect_edit_error(7, "	l3 = { per_plane = 2; };", 7, "switches.l3",
			  "unknown key");
}

static void wrong_type(void **state)
{
	expect_edit_error(1, "nodes = \"two\";", 1, "nodes",
			  "expected an integer");
	expect_edit_error(1, "nodes = 2.5;", 1, "nodes", "expected an integer");
	expect_edit_error(11, "		bandwidth = \"fast\";", 11,
			  "links.ep_l1.bandwidth", "expected a number");
	expect_edit_error(3, "	per_node = 2; dies_as_endpoints = 1;", 3,
			  "endpoints.dies_as_endpoints",
			  "expected true or false");
	expect_edit_error(6, "	l1 = 7;", 6, "switches.l1", "expected a group");
	expect_edit_error(1, "nodes = { n = 2; };", 1, "nodes", "not a group");
	expect_edit_error(1, "nodes = [2, 3];", 1, "nodes",
			  "expected an integer");
	expect_edit_error(1, "nodes = 2; routing = \"random\";", 1, "routing",
			  "not one of spray|ecmp");
}

static void missing_value(void **state)
{
	expect_edit_error(1, "", 0, "nodes", "missing required value");
	expect_edit_error(11, "", 10, "links.ep_l1.bandwidth",
			  "missing required value");
	/* Only a model with an l2 tier needs L1-L2 links. */
	expect_edit_error(14, "", 13, "links.l1_l2.bandwidth",
			  "needed by the l2 tier");
}

static void bad_values(void **state)
{
	expect_edit_error(11, "		bandwidth = -28.0;", 11,
			  "links.ep_l1.bandwidth", "must be > 0");
	expect_edit_error(14, "		bandwidth = 0;", 14,
			  "links.l1_l2.bandwidth", "must be > 0");
	expect_edit_error(1, "nodes = 0;", 1, "nodes", "must be >= 1");
	expect_edit_error(3, "	per_node = 2; poll_ns = 0;", 3,
			  "endpoints.poll_ns", "must be >= 1");
	expect_edit_error(3, "	per_node = 2; send_ns = -5;", 3,
			  "endpoints.send_ns", "must be >= 0");
}

/* libconfig keeps integers without L in 32 bits: say what was written. */
static void past_32_bits(void **state)
{
	expect_edit_error(1, "nodes = 4294967298;", 1, "nodes",
			  "4294967298 does not fit in 32 bits (libconfig reads "
			  "2): a 64-bit integer needs an L suffix, "
			  "4294967298L");
	expect_edit_error(1, "nodes = 2; mtu = 2147483648;", 1, "mtu",
			  "2147483648 does not fit in 32 bits");
	expect_edit_error(3,
			  "	per_node = 2; dies = 1; "
			  "send_ns = 0x100000001;",
			  3, "endpoints.send_ns",
			  "0x100000001 does not fit in 32 bits");
	expect_edit_error(11, "		bandwidth = 4294967306;", 11,
			  "links.ep_l1.bandwidth",
			  "4294967306 does not fit in 32 bits");
	expect_edit_error(1, "nodes = 9223372036854775808L;", 1, "nodes",
			  "9223372036854775808 does not fit in 64 bits");
}

/* Every key has a physical upper bound; no product of them overflows. */
static void upper_bounds(void **state)
{
	expect_edit_error(3,
			  "	per_node = 2; "
			  "send_ns = 9223372036854775807L;",
			  3, "endpoints.send_ns", "must be <= 1000000000");
	expect_edit_error(3,
			  "	per_node = 2; "
			  "send_ns = 5000000000000000000L;",
			  3, "endpoints.send_ns", "must be <= 1000000000");
	expect_edit_error(11,
			  "		bandwidth = 10.0; "
			  "latency = 9223372036854775000L;",
			  11, "links.ep_l1.latency", "must be <= 1000000000");
	expect_edit_error(6,
			  "	l1 = { count = 2; "
			  "hop_ns = 4611686018427387904L; };",
			  6, "switches.l1.hop_ns", "must be <= 1000000000");
	expect_edit_error(11, "		bandwidth = 1e16;", 11,
			  "links.ep_l1.bandwidth", "must be 0.001 to 100000");
	expect_edit_error(11, "		bandwidth = 0.0001;", 11,
			  "links.ep_l1.bandwidth", "must be 0.001 to 100000");
	expect_edit_error(1, "nodes = 100000000;", 1, "nodes",
			  "must be <= 1048576");
	expect_edit_error(7, "	l2 = { per_plane = 3037000500L; };", 7,
			  "switches.l2.per_plane", "must be <= 65536");
	/* In range each, too large together: no product overflows. */
	expect_error("nodes = 1048576; endpoints = { per_node = 4096; "
		     "dies = 64; }; switches = { l1 = { count = 4096; }; "
		     "l2 = { per_plane = 65536; }; }; links = { "
		     "ep_l1 = { bandwidth = 1.0; count = 1024; }; l1_l2 "
		     "= { bandwidth = 1.0; count = 1024; }; };",
		     -EINVAL, 1, "nodes", "model too large");
}

static void wired_to_nothing(void **state)
{
	expect_edit_error(15, "		count = 0;", 15, "links.l1_l2.count",
			  "l2 is wired to nothing");
	expect_edit_error(11, "		bandwidth = 10.0; count = 0;", 11,
			  "links.ep_l1.count", "unreachable");
}

static void unreachable(void **state)
{
	/* Two nodes with per-node L1 chips and no l2: nodes are islands. */
	expect_edit_error(7, "	l2 = { per_plane = 0; };", 7,
			  "switches.l2.per_plane", "unreachable");
	expect_edit_error(6, "	l1 = { count = 2; scope = \"global\"; };", 7,
			  "switches.l2.per_plane", "scope = \"node\"");
}

static void file_errors_name_the_file(void **state)
{
	char path[] = "/tmp/snemu-test-config-XXXXXX";
	char *text = edit(11, "		bandwidth = 0.0;");
	struct topo_error err;
	struct topo *t;
	char buf[512], want[600];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(topo_load_file(path, &t, &err), -EINVAL);
	topo_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want),
		 "%s:11: links.ep_l1.bandwidth: 0 is out of range: must be > 0",
		 path);
	assert_string_equal(buf, want);
	unlink(path);
	free(text);

	assert_int_equal(topo_load_file("/nonexistent/x.cfg", &t, &err),
			 -ENOENT);
	topo_error_format(&err, buf, sizeof(buf));
	assert_non_null(strstr(buf, "/nonexistent/x.cfg: cannot open"));
}

static void file_name_is_default_name(void **state)
{
	char dir[] = "/tmp/snemu-test-config-XXXXXX";
	char path[64];
	struct topo_error err;
	struct topo *t;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mini.cfg", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	assert_int_equal(topo_load_file(path, &t, &err), 0);
	assert_string_equal(topo_name(t), "mini");
	topo_destroy(t);
	unlink(path);
	rmdir(dir);
}

static void dump_every_key(void **state)
{
	struct topo_error err;
	struct topo *t;
	const char *name, *type, *help;
	char value[96];
	int n = topo_config_num_keys();

	assert_int_equal(topo_load_preset("cloudmatrix384", &t, &err), 0);
	assert_true(n >= 20);
	for (int i = 0; i < n; i++) {
		assert_int_equal(topo_config_key(i, &name, &type, &help), 0);
		assert_true(strlen(help) > 10);
		topo_config_value(t, i, value, sizeof(value));
		if (!strcmp(name, "nodes"))
			assert_string_equal(value, "48");
		if (!strcmp(name, "routing"))
			assert_string_equal(value, "\"spray\"");
		if (!strcmp(name, "links.ep_l1.bandwidth"))
			assert_string_equal(value, "28.0");
		if (!strcmp(name, "endpoints.dies_as_endpoints"))
			assert_string_equal(value, "false");
	}
	assert_int_equal(topo_config_key(n, &name, &type, &help), -EINVAL);
	topo_destroy(t);
}

/* The config text of a model loads back to the same model. */
static void config_text_round_trips(void **state)
{
	char text[TOPO_CONFIG_TEXT_MAX], again[TOPO_CONFIG_TEXT_MAX];
	struct topo_error err;
	struct topo *a, *b;
	int n;

	assert_int_equal(topo_load_string(good, "we\"ird\\name", &a, &err), 0);
	n = topo_config_text(a, false, text, sizeof(text));
	assert_true(n > 0 && n < (int)sizeof(text));
	assert_int_equal(topo_config_text(a, false, again, n), -ENOSPC);
	assert_int_equal(topo_load_string(text, "text", &b, &err), 0);
	assert_string_equal(topo_name(b), "we\"ird\\name");
	assert_true(topo_config_text(b, true, again, sizeof(again)) > n);
	assert_non_null(strstr(again, "# int 1..1048576: nodes"));
	topo_config_text(b, false, again, sizeof(again));
	assert_string_equal(text, again);
	topo_destroy(b);
	topo_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(presets_parse),
		cmocka_unit_test(good_parses_with_defaults),
		cmocka_unit_test(syntax_error),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(wrong_type),
		cmocka_unit_test(missing_value),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(past_32_bits),
		cmocka_unit_test(upper_bounds),
		cmocka_unit_test(wired_to_nothing),
		cmocka_unit_test(unreachable),
		cmocka_unit_test(file_errors_name_the_file),
		cmocka_unit_test(file_name_is_default_name),
		cmocka_unit_test(dump_every_key),
		cmocka_unit_test(config_text_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
