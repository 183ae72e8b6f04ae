/* SPDX-License-Identifier: MIT */
/* The graph: counts as wired, names, link ends, file == built-in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topology/topo.h"

static struct topo *load(const char *name)
{
	struct topo_error err;
	struct topo *t = NULL;

	assert_int_equal(topo_load_preset(name, &t, &err), 0);
	return t;
}

static void cloudmatrix384_counts(void **state)
{
	struct topo *t = load("cloudmatrix384");
	const struct topo_params *p = topo_params(t);

	assert_string_equal(topo_name(t), "cloudmatrix384");
	assert_int_equal(topo_num_endpoints(t), 384);
	assert_int_equal(topo_num_nodes(t), 48);
	assert_int_equal(topo_num_tiers(t), 2);
	assert_int_equal(topo_tier_switches(t, 0), 336); /* 48 x 7 */
	assert_int_equal(topo_tier_switches(t, 1), 112); /* 7 x 16 */
	assert_int_equal(topo_tier_switches(t, 2), -EINVAL);
	assert_int_equal(topo_num_switches(t), 448);
	/*
	 * Each NPU: 2 dies x 7 L1 chips = 14 links; each L1 chip 16 uplinks;
	 * every link in both directions.
	 */
	assert_int_equal(topo_num_links(t), (384 * 14 + 336 * 16) * 2);
	assert_true(topo_endpoint_gbps(t, 0) > 391.99 &&
		    topo_endpoint_gbps(t, 383) < 392.01);
	/* Non-blocking: half the nodes' uplinks carry half the NPUs. */
	assert_true(topo_bisection_gbps(t) > 192 * 392 - 1 &&
		    topo_bisection_gbps(t) < 192 * 392 + 1);
	assert_int_equal(p->routing, TOPO_ROUTING_SPRAY);
	assert_int_equal(p->mtu, 4096);
	assert_true(p->poll_ns >= 1);
	assert_int_equal(topo_node_of(t, 0), 0);
	assert_int_equal(topo_node_of(t, 7), 0);
	assert_int_equal(topo_node_of(t, 8), 1);
	assert_int_equal(topo_node_of(t, 383), 47);
	assert_int_equal(topo_node_of(t, 384), -EINVAL);
	topo_destroy(t);
}

static void nvl72_counts(void **state)
{
	struct topo *t = load("nvl72");

	assert_int_equal(topo_num_endpoints(t), 72);
	assert_int_equal(topo_num_nodes(t), 18);
	assert_int_equal(topo_num_tiers(t), 1);
	assert_int_equal(topo_num_switches(t), 18);
	/* 72 GPUs x 18 links, both directions. */
	assert_int_equal(topo_num_links(t), 72 * 18 * 2);
	assert_true(topo_endpoint_gbps(t, 0) > 899.99 &&
		    topo_endpoint_gbps(t, 0) < 900.01);
	assert_true(topo_link_gbps(t, 0) > 49.99 &&
		    topo_link_gbps(t, 0) < 50.01);
	assert_int_equal(topo_vertex_node(t, 72), -1); /* shared switch */
	topo_destroy(t);
}

/* Every NPU die as an endpoint: 768 endpoints with 7 links each. */
static void dies_as_endpoints(void **state)
{
	const char *text = topo_preset_text("cloudmatrix384");
	const char *from = "dies_as_endpoints = false";
	const char *at = strstr(text, from);
	char *buf = malloc(strlen(text) + 8);
	struct topo_error err;
	struct topo *t;
	char name[64];

	assert_non_null(at);
	sprintf(buf, "%.*sdies_as_endpoints = true%s", (int)(at - text), text,
		at + strlen(from));
	assert_int_equal(topo_load_string(buf, "dies", &t, &err), 0);
	assert_int_equal(topo_num_endpoints(t), 768);
	assert_int_equal(topo_num_links(t), (768 * 7 + 336 * 16) * 2);
	assert_true(topo_endpoint_gbps(t, 0) > 195.99 &&
		    topo_endpoint_gbps(t, 0) < 196.01);
	assert_int_equal(topo_node_of(t, 16), 1);
	topo_vertex_name(t, 3, name, sizeof(name));
	assert_string_equal(name, "npu1.d1");
	assert_int_equal(topo_num_paths(t, 0, 1), 7);
	topo_destroy(t);
	free(buf);
}

static void names(void **state)
{
	struct topo *t = load("cloudmatrix384");
	int links[4];
	char buf[96];

	topo_vertex_name(t, 3, buf, sizeof(buf));
	assert_string_equal(buf, "npu3");
	topo_vertex_name(t, 384 + 9, buf, sizeof(buf));
	assert_string_equal(buf, "n1.l1.2");
	topo_vertex_name(t, 384 + 336 + 111, buf, sizeof(buf));
	assert_string_equal(buf, "l2.6.15");
	assert_int_equal(topo_path(t, 3, 12, 0, links, 4), 4);
	topo_link_name(t, links[0], buf, sizeof(buf));
	assert_string_equal(buf, "npu3.d0->n0.l1.0");
	topo_link_name(t, links[1], buf, sizeof(buf));
	assert_string_equal(buf, "n0.l1.0->l2.0.0");
	topo_link_name(t, links[2], buf, sizeof(buf));
	assert_string_equal(buf, "l2.0.0->n1.l1.0");
	topo_link_name(t, links[3], buf, sizeof(buf));
	assert_string_equal(buf, "n1.l1.0->npu12.d0");
	topo_link_name(t, -1, buf, sizeof(buf));
	assert_string_equal(buf, "?");
	topo_destroy(t);
}

/*
 * Every directed link has ends of the right kinds, its reverse exists,
 * every switch has links, and each class has one speed.
 */
static void links_are_wired(void **state)
{
	const char *const *presets = topo_preset_names();

	for (int p = 0; presets[p]; p++) {
		struct topo *t = load(presets[p]);
		int n = topo_num_endpoints(t);
		int nv = n + topo_num_switches(t), nl = topo_num_links(t);
		int *out = calloc(nv, sizeof(int)),
		    *in = calloc(nv, sizeof(int));
		int first, count, total = 0;
		const char *name;

		for (int c = 0; !topo_link_class(t, c, &name, &first, &count);
		     c++) {
			assert_int_equal(first, total);
			total += count;
			for (int l = first; l < first + count; l++) {
				assert_true(topo_link_gbps(t, l) ==
					    topo_link_gbps(t, first));
				assert_true(topo_link_latency_ns(t, l) ==
					    topo_link_latency_ns(t, first));
			}
		}
		assert_int_equal(total, nl);
		for (int l = 0; l < nl; l++) {
			int a, b;

			topo_link_ends(t, l, &a, &b);
			assert_true(a >= 0 && a < nv && b >= 0 && b < nv);
			assert_true(a >= n || b >= n); /* no ep-ep links */
			assert_true(topo_link_gbps(t, l) > 0);
			out[a]++;
			in[b]++;
		}
		for (int v = 0; v < nv; v++) {
			assert_true(out[v] > 0);
			assert_int_equal(out[v], in[v]);
		}
		free(out);
		free(in);
		topo_destroy(t);
	}
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

/* topology/presets/NAME.cfg and the built-in give the same model. */
static void file_equals_builtin(void **state)
{
	const char *const *names = topo_preset_names();
	const char *srcdir = getenv("SNEMU_SRCDIR");

	if (!srcdir)
		skip();
	for (int p = 0; names[p]; p++) {
		struct topo *a = load(names[p]), *b;
		struct topo_error err;
		char path[512], na[96], nb[96];
		static struct topo_msg ms[500];
		struct topo_link_stats *la, *lb;
		static uint64_t at[2][500];
		void *sa, *sb;
		char *text;
		unsigned x = 7;

		snprintf(path, sizeof(path), "%s/topology/presets/%s.cfg",
			 srcdir, names[p]);
		text = read_file(path);
		assert_non_null(text);
		assert_string_equal(text, topo_preset_text(names[p]));
		free(text);
		assert_int_equal(topo_load_file(path, &b, &err), 0);
		assert_string_equal(topo_name(a), topo_name(b));
		assert_memory_equal(topo_params(a), topo_params(b),
				    sizeof(struct topo_params));
		assert_int_equal(topo_num_endpoints(a), topo_num_endpoints(b));
		assert_int_equal(topo_num_nodes(a), topo_num_nodes(b));
		assert_int_equal(topo_num_switches(a), topo_num_switches(b));
		assert_int_equal(topo_num_links(a), topo_num_links(b));
		for (int l = 0; l < topo_num_links(a); l++) {
			topo_link_name(a, l, na, sizeof(na));
			topo_link_name(b, l, nb, sizeof(nb));
			assert_string_equal(na, nb);
			assert_true(topo_link_gbps(a, l) ==
				    topo_link_gbps(b, l));
			assert_int_equal(topo_link_latency_ns(a, l),
					 topo_link_latency_ns(b, l));
		}
		for (int i = 0; i < topo_config_num_keys(); i++) {
			topo_config_value(a, i, na, sizeof(na));
			topo_config_value(b, i, nb, sizeof(nb));
			assert_string_equal(na, nb);
		}
		assert_int_equal(topo_state_size(a), topo_state_size(b));
		sa = topo_state_new(a);
		sb = topo_state_new(b);
		assert_true(sa && sb);
		for (int i = 0; i < 500; i++) {
			int n = topo_num_endpoints(a);
			uint64_t bytes = (x >> 3) % (1 << (i % 22));

			x = x * 1103515245 + 12345;
			ms[i] = (struct topo_msg){x % n, (x >> 12) % n, bytes,
						  i * 50};
		}
		assert_int_equal(topo_run(a, sa, ms, 500, at[0]), 0);
		assert_int_equal(topo_run(b, sb, ms, 500, at[1]), 0);
		assert_memory_equal(at[0], at[1], sizeof(at[0]));
		la = calloc(topo_num_links(a), sizeof(*la));
		lb = calloc(topo_num_links(b), sizeof(*lb));
		topo_state_links(a, sa, la);
		topo_state_links(b, sb, lb);
		assert_memory_equal(la, lb, topo_num_links(a) * sizeof(*la));
		free(la);
		free(lb);
		topo_state_free(a, sa);
		topo_state_free(b, sb);
		topo_destroy(a);
		topo_destroy(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cloudmatrix384_counts),
		cmocka_unit_test(nvl72_counts),
		cmocka_unit_test(dies_as_endpoints),
		cmocka_unit_test(names),
		cmocka_unit_test(links_are_wired),
		cmocka_unit_test(file_equals_builtin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
