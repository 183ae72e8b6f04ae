/* SPDX-License-Identifier: MIT */
/* The fabric model: closed form, sharing, incast, spray vs ecmp, stats. */
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

#define MIB (1ULL << 20)

static struct topo *load(const char *name)
{
	struct topo_error err;
	struct topo *t = NULL;

	assert_int_equal(topo_load_preset(name, &t, &err), 0);
	return t;
}

/* A preset's text with one line replaced, e.g. routing. */
static struct topo *load_edited(const char *name, const char *from,
				const char *to)
{
	const char *text = topo_preset_text(name);
	const char *at = strstr(text, from);
	struct topo_error err;
	struct topo *t = NULL;
	char *buf;

	assert_non_null(at);
	buf = malloc(strlen(text) + strlen(to) + 1);
	assert_non_null(buf);
	sprintf(buf, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	assert_int_equal(topo_load_string(buf, "edited", &t, &err), 0);
	free(buf);
	return t;
}

static void *new_state(const struct topo *t)
{
	void *s = topo_state_new(t);

	assert_non_null(s);
	return s;
}

/* Arrival of one message sent at inject_ns on the fabric in state s. */
static uint64_t send_one(const struct topo *t, void *s, int src, int dst,
			 uint64_t bytes, uint64_t inject_ns)
{
	struct topo_msg m = {src, dst, bytes, inject_ns};
	uint64_t at = 0;

	assert_int_equal(topo_run(t, s, &m, 1, &at), 0);
	return at;
}

/* Time of one message on a fresh fabric, injected at 1000 ns. */
static uint64_t price_alone(const struct topo *t, int src, int dst,
			    uint64_t bytes)
{
	void *s = new_state(t);
	uint64_t at = send_one(t, s, src, dst, bytes, 1000) - 1000;

	topo_state_free(t, s);
	return at;
}

static void closed_form_matches_model(void **state)
{
	static const uint64_t sizes[] = {
		0,    1,     8,	    512, 4095,	  4096,	    4097,
		8192, 57344, 65536, MIB, MIB + 1, 16 * MIB, 16 * MIB + 5};
	const char *const *names = topo_preset_names();

	for (int p = 0; names[p]; p++) {
		struct topo *t = load(names[p]);
		int epn = topo_num_endpoints(t) / topo_num_nodes(t);
		int pairs[][2] = {{0, 1}, {3, epn + 5}, {epn, 0}};

		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]);
			     j++) {
				int a = pairs[i][0], b = pairs[i][1];

				assert_int_equal(
					price_alone(t, a, b, sizes[j]),
					topo_unloaded_ns(t, a, b, sizes[j]));
			}
		topo_destroy(t);
	}
}

/*
 * Small random two-tier models: the closed form is exact when the route
 * is non-blocking with one link speed, and a lower bound otherwise.
 */
static void closed_form_on_random_models(void **state)
{
	unsigned x = 1;

	for (int it = 0; it < 400; it++) {
		int v[9];
		char cfg[512];
		struct topo_error err;
		struct topo *t;

		for (int i = 0; i < 9; i++) {
			x = x * 1103515245 + 12345;
			v[i] = (x >> 8) % 4;
		}
		/* nodes, per_node, dies, l1.count, per_plane, counts, ... */
		snprintf(cfg, sizeof(cfg),
			 "nodes = %d; mtu = %d; routing = \"%s\";\n"
			 "endpoints = { per_node = %d; dies = %d; };\n"
			 "switches = { l1 = { count = %d; hop_ns = 30; };\n"
			 "  l2 = { per_plane = %d; hop_ns = 40; }; };\n"
			 "links = { ep_l1 = { count = %d; bandwidth = 10.0;\n"
			 "  latency = 20; }; l1_l2 = { count = %d;\n"
			 "  bandwidth = %s; latency = 25; }; };\n",
			 v[0] + 1, 256 << v[1], v[2] ? "spray" : "ecmp",
			 v[3] + 2, v[4] % 3 + 1, v[5] + 1, v[6] + 1,
			 v[7] % 2 + 1, v[8] % 2 + 1,
			 v[8] == 3 ? "7.0" : "10.0");
		assert_int_equal(topo_load_string(cfg, "random", &t, &err), 0);
		for (int k = 0; k < 8; k++) {
			int n = topo_num_endpoints(t), a, b, lpe, q;
			uint64_t bytes, priced, closed;

			x = x * 1103515245 + 12345;
			a = (x >> 4) % n;
			b = (a + 1 + (x >> 12) % (n - 1)) % n;
			bytes = (x >> 16) % 100000;
			priced = price_alone(t, a, b, bytes);
			closed = topo_unloaded_ns(t, a, b, bytes);
			lpe = (v[4] % 3 + 1) * (v[7] % 2 + 1);
			q = (v[6] + 1) * (v[8] % 2 + 1);
			if (topo_node_of(t, a) == topo_node_of(t, b) ||
			    (q >= lpe && v[8] != 3))
				assert_int_equal(priced, closed);
			else
				assert_true(priced >= closed);
		}
		topo_destroy(t);
	}
}

/* The closed form by hand for the CloudMatrix384 preset's figures. */
static void closed_form_by_hand(void **state)
{
	struct topo *t = load("cloudmatrix384");
	/*
	 * Every segment adds a 32 B header: 0 B is 32 B on the wire at 28
	 * GB/s = 1.1 ns; 512 B is 544 B = 19.4 ns; 4 KiB is 147.4 ns.
	 */
	uint64_t intra = 150 + 200 + 150, inter = intra + 2 * (200 + 200);

	assert_int_equal(topo_unloaded_ns(t, 0, 1, 0), intra + 1);
	assert_int_equal(topo_unloaded_ns(t, 0, 1, 512), intra + 19);
	assert_int_equal(topo_unloaded_ns(t, 0, 8, 512), inter + 19);
	/* 16 MiB = 4096 segments over 14 lanes: 293 rounds of 147 ns. */
	assert_int_equal(topo_unloaded_ns(t, 0, 1, 16 * MIB),
			 intra + 293 * 147);
	/* 15 segments: a round of 14, then 1 B + 32 B alone, 1 ns. */
	assert_int_equal(topo_unloaded_ns(t, 0, 1, 4096 * 14 + 1),
			 intra + 147 + 1);
	assert_int_equal(topo_unloaded_ns(t, 0, 1, 4096 * 28), intra + 2 * 147);
	assert_int_equal(topo_unloaded_ns(t, 5, 5, 4096), 0);
	topo_destroy(t);
}

static void same_endpoint_is_free(void **state)
{
	struct topo *t = load("cloudmatrix384");
	void *s = new_state(t);

	assert_int_equal(send_one(t, s, 7, 7, 16 * MIB, 1234), 1234);
	assert_int_equal(topo_send(t, s, 7, 7, 8, 1234, 0), -EINVAL);
	assert_int_equal(topo_next_ns(s), UINT64_MAX);
	topo_state_free(t, s);
	topo_destroy(t);
}

/* One link per endpoint, one switch: every message to dst shares its link. */
static const char single_link_cfg[] =
	"nodes = 1;\n"
	"endpoints = { per_node = 4; };\n"
	"switches = { l1 = { count = 1; hop_ns = 100; }; };\n"
	"links = { ep_l1 = { bandwidth = 10.0; latency = 50; }; };\n";

static void shared_link_doubles_time(void **state)
{
	struct topo_error err;
	struct topo *t;
	void *s;
	/* 4 KiB + the 32 B header at 10 GB/s, to the nearest ns. */
	uint64_t at[2], ser = 413, alone;
	struct topo_link_stats ls[8];
	struct topo_msg two[] = {{1, 0, 4096, 0}, {2, 0, 4096, 0}};

	assert_int_equal(topo_load_string(single_link_cfg, "one", &t, &err), 0);
	s = new_state(t);
	/* Two senders, one receiver: the second waits for the first. */
	assert_int_equal(topo_run(t, s, two, 2, at), 0);
	assert_int_equal(at[0], 50 + 100 + 50 + ser);
	assert_int_equal(at[1] - at[0], ser);
	/* Link 4 is the switch -> endpoint 0 link, after the 4 uplinks. */
	topo_state_links(t, s, ls);
	assert_int_equal(ls[4].max_queue_ns, ser);
	assert_int_equal(ls[4].queue_ns, ser);

	/* Large messages share the link: both end at twice one alone. */
	alone = topo_unloaded_ns(t, 1, 0, 16 * MIB) - 200;
	two[0].bytes = two[1].bytes = 16 * MIB;
	topo_state_init(t, s);
	assert_int_equal(topo_run(t, s, two, 2, at), 0);
	for (int i = 0; i < 2; i++)
		assert_true(at[i] - 200 >= 2 * alone - 2 * ser &&
			    at[i] - 200 <= 2 * alone + ser);
	topo_state_free(t, s);
	topo_destroy(t);
}

/* k senders on other nodes stream to rank 0: each gets 1/k of its port. */
static void incast_shares_ejection(void **state)
{
	struct topo *t = load("cloudmatrix384");
	void *s = new_state(t);
	const uint64_t msg = 256 * 1024, count = 32;
	const double gbps = topo_endpoint_gbps(t, 0);

	for (int k = 1; k <= 8; k *= 2) {
		struct topo_msg ms[8 * 32];
		uint64_t at[8 * 32];
		double ideal = k * count * msg / gbps; /* ns */

		for (uint64_t m = 0; m < count; m++)
			for (int i = 0; i < k; i++)
				ms[m * k + i] = (struct topo_msg){
					8 * (i + 1) + i, 0, msg, 0};
		topo_state_init(t, s);
		assert_int_equal(topo_run(t, s, ms, count * k, at), 0);
		/* Each sender's last message ends with the others'. */
		for (int i = 0; i < k; i++) {
			uint64_t done = at[(count - 1) * k + i];

			assert_true(done > 0.95 * ideal);
			assert_true(done < 1.05 * ideal + 2000);
		}
	}
	topo_state_free(t, s);
	topo_destroy(t);
}

static void intra_vs_inter_node(void **state)
{
	struct topo *t = load("cloudmatrix384");
	const struct topo_params *p = topo_params(t);
	uint64_t intra = topo_unloaded_ns(t, 0, 1, 512);
	uint64_t inter = topo_unloaded_ns(t, 0, 8, 512);
	double bw_intra = 16.0 * MIB / topo_unloaded_ns(t, 0, 1, 16 * MIB);
	double bw_inter = 16.0 * MIB / topo_unloaded_ns(t, 0, 8, 16 * MIB);
	uint64_t e2e = p->send_ns + intra + p->recv_ns;

	/* Published: < 1 us extra, < 3% bandwidth loss, ~1.2 us at 512 B. */
	assert_true(inter > intra && inter - intra < 1000);
	assert_true(bw_inter > 0.97 * bw_intra);
	assert_true(e2e > 1150 && e2e < 1250);
	/* 392 GB/s per NPU less the headers (32 B a segment), and rounding. */
	assert_true(bw_intra > 0.985 * 392 * 4096 / 4128 && bw_intra < 392.5);
	topo_destroy(t);
}

static void ecmp_pins_spray_spreads(void **state)
{
	struct topo *spray = load("cloudmatrix384");
	struct topo *ecmp =
		load_edited("cloudmatrix384", "\"spray\"", "\"ecmp\"");
	uint64_t lat = topo_unloaded_ns(spray, 0, 9, 0);
	double bw_spray =
		16.0 * MIB / (price_alone(spray, 0, 9, 16 * MIB) - lat);
	double bw_ecmp = 16.0 * MIB / (price_alone(ecmp, 0, 9, 16 * MIB) - lat);

	assert_int_equal(topo_params(ecmp)->routing, TOPO_ROUTING_ECMP);
	assert_true(bw_spray > 0.99 * 392 && bw_spray < 392.5);
	assert_true(bw_ecmp > 0.99 * 28 && bw_ecmp < 28.1);
	assert_int_equal(price_alone(ecmp, 0, 9, 16 * MIB),
			 topo_unloaded_ns(ecmp, 0, 9, 16 * MIB));
	topo_destroy(ecmp);
	topo_destroy(spray);
}

/* Consecutive small messages of one source leave by different links. */
static void spray_rotates_per_source(void **state)
{
	struct topo *t = load("cloudmatrix384");
	struct topo_link_stats *ls;
	void *s = new_state(t);
	int used = 0;

	for (int i = 0; i < 14; i++)
		send_one(t, s, 0, 1, 8, i * 10000);
	ls = calloc(topo_num_links(t), sizeof(*ls));
	assert_non_null(ls);
	topo_state_links(t, s, ls);
	for (int l = 0; l < 14; l++)
		used += ls[l].segments == 1;
	assert_int_equal(used, 14);
	free(ls);
	topo_state_free(t, s);
	topo_destroy(t);
}

static void stats_account_every_hop(void **state)
{
	struct topo *t = load("cloudmatrix384");
	struct topo_link_stats *ls;
	uint64_t bytes = 0, segs = 0, busy = 0;
	void *s = new_state(t);

	send_one(t, s, 0, 200, 10000, 0); /* 3 segments, 4 hops */
	ls = calloc(topo_num_links(t), sizeof(*ls));
	assert_non_null(ls);
	topo_state_links(t, s, ls);
	for (int l = 0; l < topo_num_links(t); l++) {
		bytes += ls[l].bytes;
		segs += ls[l].segments;
		busy += ls[l].busy_ns;
	}
	assert_int_equal(bytes, 4 * 10000);
	assert_int_equal(segs, 4 * 3);
	/* With the 32 B headers: 4128 B is 147 ns, 1840 B is 66 ns. */
	assert_int_equal(busy, 4 * (147 + 147 + 66));
	free(ls);
	topo_state_free(t, s);
	topo_destroy(t);
}

/* Same messages, same arrivals and link statistics, byte for byte. */
static void deterministic(void **state)
{
	struct topo *t = load("cloudmatrix384");
	void *s[2] = {new_state(t), new_state(t)};
	struct topo_link_stats *ls[2];
	struct topo_msg ms[2000];
	uint64_t at[2][2000];
	unsigned x = 12345;

	for (int i = 0; i < 2000; i++) {
		x = x * 1103515245 + 12345;
		ms[i] = (struct topo_msg){x % 384, (x >> 10) % 384,
					  (x >> 4) % 70000, i * 100};
	}
	for (int r = 0; r < 2; r++)
		assert_int_equal(topo_run(t, s[r], ms, 2000, at[r]), 0);
	assert_memory_equal(at[0], at[1], sizeof(at[0]));
	for (int r = 0; r < 2; r++) {
		ls[r] = calloc(topo_num_links(t), sizeof(*ls[r]));
		assert_non_null(ls[r]);
		topo_state_links(t, s[r], ls[r]);
	}
	assert_memory_equal(ls[0], ls[1],
			    topo_num_links(t) * sizeof(struct topo_link_stats));
	free(ls[0]);
	free(ls[1]);
	topo_state_free(t, s[0]);
	topo_state_free(t, s[1]);
	topo_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_form_matches_model),
		cmocka_unit_test(closed_form_on_random_models),
		cmocka_unit_test(closed_form_by_hand),
		cmocka_unit_test(same_endpoint_is_free),
		cmocka_unit_test(shared_link_doubles_time),
		cmocka_unit_test(incast_shares_ejection),
		cmocka_unit_test(intra_vs_inter_node),
		cmocka_unit_test(ecmp_pins_spray_spreads),
		cmocka_unit_test(spray_rotates_per_source),
		cmocka_unit_test(stats_account_every_hop),
		cmocka_unit_test(deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
