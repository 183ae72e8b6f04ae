/* SPDX-License-Identifier: MIT */
/* emu_fabric_plan: a run that cannot fit is refused before it starts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "emu/emu.h"
#include "topology/topo.h"

/* 40000 endpoints: -n 32000 needs 86 GiB of per-pair tables. */
static const char wide[] =
	"nodes = 5000; endpoints = { per_node = 8; };"
	"switches = { l1 = { count = 2; }; l2 = { per_plane = 1; }; };"
	"links = { ep_l1 = { bandwidth = 10.0; }; l1_l2 = { bandwidth = 10.0; "
	"}; };";

static void fits(void **state)
{
	struct topo *t;
	char why[512] = "";

	assert_int_equal(topo_load_preset("cloudmatrix384", &t, NULL), 0);
	assert_int_equal(emu_fabric_plan(t, 384, UINT64_MAX, why, sizeof(why)),
			 0);
	assert_int_equal(emu_fabric_plan(t, 1, 1ULL << 30, why, sizeof(why)),
			 0);
	topo_destroy(t);
}

static void tables_too_big(void **state)
{
	struct topo *t;
	char why[512] = "";

	assert_int_equal(topo_load_string(wide, "wide", &t, NULL), 0);
	assert_int_equal(
		emu_fabric_plan(t, 27180, UINT64_MAX, why, sizeof(why)), 0);
	assert_int_equal(
		emu_fabric_plan(t, 32000, UINT64_MAX, why, sizeof(why)),
		-ENOMEM);
	assert_string_equal(why,
			    "-n 32000 on wide does not fit: the fabric's "
			    "tables need 86.6 GiB (the largest: pair queues, "
			    "30.5 GiB), 22.6 GiB over the limit of 64 GiB; at "
			    "most -n 27180 fit");
	/* The largest -n that exists, and nothing overflows. */
	assert_int_equal(emu_fabric_plan(t, topo_num_endpoints(t), UINT64_MAX,
					 why, sizeof(why)),
			 -ENOMEM);
	assert_non_null(strstr(why, "at most -n 27180 fit"));
	topo_destroy(t);
}

static void start_too_big(void **state)
{
	struct topo *t;
	char why[512] = "";

	assert_int_equal(topo_load_preset("cloudmatrix384", &t, NULL), 0);
	assert_int_equal(emu_fabric_plan(t, 1, 1 << 20, why, sizeof(why)),
			 -ENOMEM);
	assert_non_null(strstr(why, "-n 1 on cloudmatrix384 does not fit: "
				    "the launcher would write "));
	assert_non_null(strstr(why, "over the limit of 0.0 GiB"));
	topo_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fits),
		cmocka_unit_test(tables_too_big),
		cmocka_unit_test(start_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
