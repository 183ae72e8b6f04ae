/* SPDX-License-Identifier: MIT */
/* snemu topo: inspect a topology: summary, one route, JSON, DOT, config. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/output.h"
#include "tools/cmd.h"
#include "topology/topo.h"

enum mode { MODE_SUMMARY, MODE_JSON, MODE_DOT, MODE_DUMP };

struct opts {
	const char *preset;
	const char *file;
	enum mode mode;
	bool route;
	bool links;
	int src, dst;
	uint64_t size;
	bool size_set;
};

/* The sizes of the latency/bandwidth table. */
static const uint64_t table_sizes[] = {8, 512, 4096, 65536, 1 << 20, 16 << 20};

static void usage(FILE *f)
{
	const char *const *names = topo_preset_names();

	fprintf(f,
		"usage: snemu topo [--preset NAME | --topo FILE] "
		"[--route SRC DST [--size S]]\n"
		"                  [--links] [--json | --dot | "
		"--dump-config]\n\n"
		"Describe a supernode model: counts, bandwidth, unloaded "
		"latency.\n\n"
		"  --preset NAME      a built-in model (default %s)\n"
		"  --topo FILE        a libconfig model file "
		"(see docs/TOPOLOGY.md)\n"
		"  --route SRC DST    the links of path 0 from endpoint SRC "
		"to DST,\n"
		"                     the number of parallel paths, and the "
		"unloaded time\n"
		"  --size S           message size for --route, e.g. 512, 4K, "
		"16M (default 8)\n"
		"  --links            list every directed link: id, name, "
		"GB/s, ns\n"
		"  --json             the model as JSON (keys in "
		"docs/TOPOLOGY.md)\n"
		"  --dot              a Graphviz graph (route in red with "
		"--route)\n"
		"  --dump-config      every config key with its value and "
		"help\n"
		"  -h, --help         this help\n\npresets:",
		names[0]);
	for (int i = 0; names[i]; i++)
		fprintf(f, " %s", names[i]);
	fprintf(f, "\n\nexit status: 0 ok, 2 bad arguments or a bad config "
		   "(file:line: key: message).\n");
}

static int bad_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "snemu topo: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'snemu topo --help')\n");
	return 2;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"preset", required_argument, NULL, 'p'},
		{"topo", required_argument, NULL, 't'},
		{"route", required_argument, NULL, 'r'},
		{"size", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"dot", no_argument, NULL, 'd'},
		{"dump-config", no_argument, NULL, 'c'},
		{"links", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){.size = 8};
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->preset = optarg; break;
		case 't': o->file = optarg; break;
		case 'r':
			if (optind >= argc)
				return bad_usage("--route needs SRC and DST");
			if (snemu_parse_int(optarg, 0, INT_MAX, &o->src))
				return bad_usage("bad --route SRC '%s'",
						 optarg);
			if (snemu_parse_int(argv[optind], 0, INT_MAX, &o->dst))
				return bad_usage("bad --route DST '%s'",
						 argv[optind]);
			optind++;
			o->route = true;
			break;
		case 's':
			if (snemu_parse_size(optarg, &o->size))
				return bad_usage("bad --size '%s' (a size like "
						 "8, 4K, 16M)",
						 optarg);
			o->size_set = true;
			break;
		case 'l': o->links = true; break;
		case 'j':
		case 'd':
		case 'c':
			if (o->mode != MODE_SUMMARY)
				return bad_usage("--json, --dot and "
						 "--dump-config exclude each "
						 "other");
			o->mode = c == 'j'   ? MODE_JSON
				  : c == 'd' ? MODE_DOT
					     : MODE_DUMP;
			break;
		case 'h': usage(stdout); return 0;
		case ':':
			return bad_usage("option '%s' needs a value",
					 argv[optind - 1]);
		default:
			return bad_usage("unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (o->preset && o->file)
		return bad_usage("--preset and --topo exclude each other");
	if (o->size_set && !o->route)
		return bad_usage("--size goes with --route");
	if (o->links && (o->mode == MODE_DOT || o->mode == MODE_DUMP))
		return bad_usage("--links goes with the summary or --json");
	return -1;
}

/* Example pairs: first two endpoints of node 0, and node 0 -> node 1. */
static void example_pairs(const struct topo *t, int intra[2], int inter[2])
{
	int epn = topo_num_endpoints(t) / topo_num_nodes(t);

	intra[0] = epn > 1 ? 0 : -1;
	intra[1] = 1;
	inter[0] = topo_num_nodes(t) > 1 ? 0 : -1;
	inter[1] = epn;
}

static double gbps_of(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / ns : 0;
}

static const char *routing_name(const struct topo *t)
{
	return topo_params(t)->routing == TOPO_ROUTING_ECMP ? "ecmp" : "spray";
}

static void print_summary(const struct topo *t)
{
	const struct topo_params *p = topo_params(t);
	int n = topo_num_endpoints(t), first, count, intra[2], inter[2];
	const char *name;
	char a[48], b[48];

	example_pairs(t, intra, inter);
	printf("%s: %d nodes, %d endpoints (%d per node)\n", topo_name(t),
	       topo_num_nodes(t), n, n / topo_num_nodes(t));
	printf("switches: %d (", topo_num_switches(t));
	for (int i = 0; i < topo_num_tiers(t); i++)
		printf("%sl%d: %d x %" PRIu64 " ns hop", i ? ", " : "", i + 1,
		       topo_tier_switches(t, i), topo_tier_hop_ns(t, i));
	printf(")\ndirected links: %d\n", topo_num_links(t));
	for (int c = 0; !topo_link_class(t, c, &name, &first, &count); c++)
		printf("  %-11s %6d x %.1f GB/s, %" PRIu64 " ns\n", name, count,
		       topo_link_gbps(t, first),
		       topo_link_latency_ns(t, first));
	topo_link_class(t, 0, &name, &first, &count);
	printf("endpoint bandwidth: %.1f GB/s per direction (%d links)\n",
	       topo_endpoint_gbps(t, 0), count / n);
	printf("bisection bandwidth: %.1f GB/s per direction\n",
	       topo_bisection_gbps(t));
	printf("routing: %s, mtu %" PRIu64 " B + %" PRIu64
	       " B header; overheads: send %" PRIu64 " ns, recv %" PRIu64
	       " ns, poll %" PRIu64 " ns; one-sided issue units %" PRIu64 "\n",
	       routing_name(t), p->mtu, p->header, p->send_ns, p->recv_ns,
	       p->poll_ns, p->issue_units);

	printf("\nunloaded, network only (end to end adds send + recv = "
	       "%" PRIu64 " ns):\n",
	       p->send_ns + p->recv_ns);
	for (int k = 0; k < 2; k++) {
		int *pair = k ? inter : intra;

		if (pair[0] < 0)
			continue;
		topo_vertex_name(t, pair[0], a, sizeof(a));
		topo_vertex_name(t, pair[1], b, sizeof(b));
		printf("  %s-node %s -> %s: %d paths\n", k ? "inter" : "intra",
		       a, b, topo_num_paths(t, pair[0], pair[1]));
	}
	printf("  %8s %12s %12s %12s %12s\n", "size", "intra us", "intra GB/s",
	       "inter us", "inter GB/s");
	for (size_t i = 0; i < ARRAY_SIZE(table_sizes); i++) {
		uint64_t s = table_sizes[i];

		snemu_format_size(s, a, sizeof(a));
		printf("  %8s", a);
		for (int k = 0; k < 2; k++) {
			int *pair = k ? inter : intra;
			uint64_t ns;

			if (pair[0] < 0) {
				printf(" %12s %12s", "-", "-");
				continue;
			}
			ns = topo_unloaded_ns(t, pair[0], pair[1], s);
			printf(" %12.3f %12.2f", ns / 1e3, gbps_of(s, ns));
		}
		printf("\n");
	}
}

static int check_pair(const struct topo *t, const struct opts *o)
{
	int n = topo_num_endpoints(t);

	if (o->src >= n || o->dst >= n || o->src == o->dst) {
		fprintf(stderr,
			"snemu topo: --route %d %d: need two different "
			"endpoints in 0..%d\n",
			o->src, o->dst, n - 1);
		return 2;
	}
	return 0;
}

static void print_route(const struct topo *t, const struct opts *o)
{
	const struct topo_params *p = topo_params(t);
	uint64_t ns = topo_unloaded_ns(t, o->src, o->dst, o->size);
	int n = topo_num_endpoints(t), links[8], hops;
	char a[48], b[48];

	hops = topo_path(t, o->src, o->dst, 0, links, ARRAY_SIZE(links));
	topo_vertex_name(t, o->src, a, sizeof(a));
	topo_vertex_name(t, o->dst, b, sizeof(b));
	printf("route %s -> %s: %d parallel paths (%s), %d hops; path 0:\n", a,
	       b, topo_num_paths(t, o->src, o->dst), routing_name(t), hops);
	for (int h = 0; h < hops; h++) {
		int from, to, tier;
		char name[96];

		topo_link_name(t, links[h], name, sizeof(name));
		topo_link_ends(t, links[h], &from, &to);
		printf("  link %-6d %-28s %6.1f GB/s %5" PRIu64 " ns", links[h],
		       name, topo_link_gbps(t, links[h]),
		       topo_link_latency_ns(t, links[h]));
		tier = to < n ? -1 : to < n + topo_tier_switches(t, 0) ? 0 : 1;
		if (tier >= 0)
			printf(", then l%d hop %" PRIu64 " ns", tier + 1,
			       topo_tier_hop_ns(t, tier));
		printf("\n");
	}
	printf("unloaded time for %" PRIu64 " B: %.3f us network, %.3f us "
	       "with send and recv overheads\n",
	       o->size, ns / 1e3, (ns + p->send_ns + p->recv_ns) / 1e3);
}

static void print_json(const struct topo *t, const struct opts *o)
{
	const struct topo_params *p = topo_params(t);
	int intra[2], inter[2], first, count;
	const char *name;

	example_pairs(t, intra, inter);
	printf("{\n  \"name\": ");
	snemu_json_str(stdout, topo_name(t));
	printf(",\n  \"nodes\": %d,\n  \"endpoints\": %d,\n"
	       "  \"endpoints_per_node\": %d,\n  \"switches\": %d,\n"
	       "  \"tiers\": [",
	       topo_num_nodes(t), topo_num_endpoints(t),
	       topo_num_endpoints(t) / topo_num_nodes(t), topo_num_switches(t));
	for (int i = 0; i < topo_num_tiers(t); i++)
		printf("%s{\"name\": \"l%d\", \"switches\": %d, "
		       "\"hop_ns\": %" PRIu64 "}",
		       i ? ", " : "", i + 1, topo_tier_switches(t, i),
		       topo_tier_hop_ns(t, i));
	printf("],\n  \"links\": %d,\n  \"link_classes\": [\n",
	       topo_num_links(t));
	for (int c = 0; !topo_link_class(t, c, &name, &first, &count); c++)
		printf("%s    {\"name\": \"%s\", \"first\": %d, \"count\": %d, "
		       "\"gbps\": %.3f, \"latency_ns\": %" PRIu64 "}",
		       c ? ",\n" : "", name, first, count,
		       topo_link_gbps(t, first),
		       topo_link_latency_ns(t, first));
	printf("\n  ],\n  \"endpoint_gbps\": %.3f,\n"
	       "  \"bisection_gbps\": %.3f,\n",
	       topo_endpoint_gbps(t, 0), topo_bisection_gbps(t));
	printf("  \"params\": {\"send_ns\": %" PRIu64 ", \"recv_ns\": %" PRIu64
	       ", \"poll_ns\": %" PRIu64 ", \"issue_units\": %" PRIu64
	       ", \"mtu\": %" PRIu64 ", \"header\": %" PRIu64
	       ", \"routing\": \"%s\"},\n",
	       p->send_ns, p->recv_ns, p->poll_ns, p->issue_units, p->mtu,
	       p->header, routing_name(t));
	printf("  \"pairs\": {");
	for (int k = 0; k < 2; k++) {
		int *pair = k ? inter : intra;

		printf("%s\"%s\": ", k ? ", " : "", k ? "inter" : "intra");
		if (pair[0] < 0)
			printf("null");
		else
			printf("{\"src\": %d, \"dst\": %d, \"paths\": %d}",
			       pair[0], pair[1],
			       topo_num_paths(t, pair[0], pair[1]));
	}
	printf("},\n  \"unloaded\": [\n");
	for (size_t i = 0; i < ARRAY_SIZE(table_sizes); i++) {
		printf("    {\"bytes\": %" PRIu64, table_sizes[i]);
		for (int k = 0; k < 2; k++) {
			int *pair = k ? inter : intra;

			printf(", \"%s_ns\": ", k ? "inter" : "intra");
			if (pair[0] < 0)
				printf("null");
			else
				printf("%" PRIu64,
				       topo_unloaded_ns(t, pair[0], pair[1],
							table_sizes[i]));
		}
		printf("}%s\n", i + 1 < ARRAY_SIZE(table_sizes) ? "," : "");
	}
	printf("  ]");
	if (o->route) {
		int links[8];
		int hops = topo_path(t, o->src, o->dst, 0, links,
				     ARRAY_SIZE(links));

		printf(",\n  \"route\": {\"src\": %d, \"dst\": %d, "
		       "\"paths\": %d, \"bytes\": %" PRIu64
		       ", \"unloaded_ns\": %" PRIu64 ", \"links\": [",
		       o->src, o->dst, topo_num_paths(t, o->src, o->dst),
		       o->size, topo_unloaded_ns(t, o->src, o->dst, o->size));
		for (int h = 0; h < hops; h++) {
			char lname[96];

			topo_link_name(t, links[h], lname, sizeof(lname));
			printf("%s{\"id\": %d, \"name\": ", h ? ", " : "",
			       links[h]);
			snemu_json_str(stdout, lname);
			printf(", \"gbps\": %.3f, \"latency_ns\": %" PRIu64 "}",
			       topo_link_gbps(t, links[h]),
			       topo_link_latency_ns(t, links[h]));
		}
		printf("]}");
	}
	if (o->links) {
		printf(",\n  \"link_list\": [\n");
		for (int l = 0; l < topo_num_links(t); l++) {
			char lname[96];

			topo_link_name(t, l, lname, sizeof(lname));
			printf("    {\"id\": %d, \"name\": ", l);
			snemu_json_str(stdout, lname);
			printf(", \"gbps\": %.3f, \"latency_ns\": %" PRIu64
			       "}%s\n",
			       topo_link_gbps(t, l), topo_link_latency_ns(t, l),
			       l + 1 < topo_num_links(t) ? "," : "");
		}
		printf("  ]");
	}
	printf("\n}\n");
}

/*
 * The edge the graph draws for link: itself, or for a link of an X.down
 * class the X.up link at the same index (the classes share a layout).
 */
static int undirected(const struct topo *t, int link)
{
	const char *name, *up;
	int first, count, ufirst, ucount;

	for (int c = 0; !topo_link_class(t, c, &name, &first, &count); c++) {
		if (link < first || link >= first + count)
			continue;
		if (!strstr(name, ".down"))
			return link;
		for (int u = 0; !topo_link_class(t, u, &up, &ufirst, &ucount);
		     u++)
			if (!strncmp(up, name, strcspn(name, ".")) &&
			    strstr(up, ".up") && ucount == count)
				return ufirst + (link - first);
	}
	return link;
}

/*
 * The vertices ordered by node, shared ones (node -1) first: a counting
 * sort, so that the graph takes time linear in its size. NULL without
 * memory.
 */
static int *vertices_by_node(const struct topo *t, int nv)
{
	int nn = topo_num_nodes(t) + 1;
	int *order = malloc(nv * sizeof(*order));
	int *at = calloc(nn + 1, sizeof(*at));

	if (order && at) {
		for (int v = 0; v < nv; v++)
			at[topo_vertex_node(t, v) + 2]++;
		for (int n = 1; n <= nn; n++)
			at[n] += at[n - 1];
		for (int v = 0; v < nv; v++)
			order[at[topo_vertex_node(t, v) + 1]++] = v;
	} else {
		free(order);
		order = NULL;
	}
	free(at);
	return order;
}

/*
 * One undirected edge per pair of directed links (the up link), so parallel
 * links (dies) show as parallel edges; each node is a cluster. Time and
 * output are linear in the model's vertices and links.
 */
static int print_dot(const struct topo *t, const struct opts *o)
{
	int nv = topo_num_endpoints(t) + topo_num_switches(t);
	int links[8], hops = 0, first, count;
	int *order = vertices_by_node(t, nv);
	const char *name;
	char a[48], b[48];

	if (!order) {
		fprintf(stderr, "snemu topo: --dot: out of memory\n");
		return 1;
	}

	if (o->route)
		hops = topo_path(t, o->src, o->dst, 0, links,
				 ARRAY_SIZE(links));
	printf("graph ");
	snemu_json_str(stdout, topo_name(t));
	printf(" {\n  // %d endpoints, %d switches, %d directed links\n",
	       topo_num_endpoints(t), topo_num_switches(t), topo_num_links(t));
	printf("  node [shape=box, fontsize=10];\n");
	for (int i = 0; i < nv; i++) {
		int v = order[i], n = topo_vertex_node(t, v);

		if (n >= 0 && (!i || topo_vertex_node(t, order[i - 1]) != n))
			printf("  subgraph cluster_n%d {\n    label=\"node "
			       "%d\";\n",
			       n, n);
		topo_vertex_name(t, v, a, sizeof(a));
		printf("    \"%s\"%s;\n", a,
		       v < topo_num_endpoints(t) ? " [shape=ellipse]" : "");
		if (n >= 0 &&
		    (i + 1 == nv || topo_vertex_node(t, order[i + 1]) != n))
			printf("  }\n");
	}
	free(order);
	for (int c = 0; !topo_link_class(t, c, &name, &first, &count); c++) {
		if (strstr(name, ".down"))
			continue;
		printf("  // %s: %.1f GB/s, %" PRIu64 " ns\n", name,
		       topo_link_gbps(t, first),
		       topo_link_latency_ns(t, first));
		for (int l = first; l < first + count; l++) {
			bool red = false;
			int from, to;

			topo_link_ends(t, l, &from, &to);
			/* The link itself: parallel ones (dies) stay black. */
			for (int h = 0; h < hops; h++)
				red |= undirected(t, links[h]) == l;
			topo_vertex_name(t, from, a, sizeof(a));
			topo_vertex_name(t, to, b, sizeof(b));
			printf("  \"%s\" -- \"%s\"%s;\n", a, b,
			       red ? " [color=red, penwidth=3]" : "");
		}
	}
	printf("}\n");
	return 0;
}

static void print_links(const struct topo *t)
{
	printf("\n%6s  %-28s %8s %8s\n", "id", "link", "GB/s", "ns");
	for (int l = 0; l < topo_num_links(t); l++) {
		char name[96];

		topo_link_name(t, l, name, sizeof(name));
		printf("%6d  %-28s %8.1f %8" PRIu64 "\n", l, name,
		       topo_link_gbps(t, l), topo_link_latency_ns(t, l));
	}
}

static void print_dump(const struct topo *t)
{
	static char text[TOPO_CONFIG_TEXT_MAX];

	printf("# %s: every config key with its value; a config to load "
	       "with --topo\n# (comments: type and range, and help)\n",
	       topo_name(t));
	if (topo_config_text(t, true, text, sizeof(text)) >= 0)
		fputs(text, stdout);
}

int cmd_topo(int argc, char **argv)
{
	struct topo_error err;
	struct topo *t;
	struct opts o;
	char msg[768];
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.file)
		ret = topo_load_file(o.file, &t, &err);
	else
		ret = topo_load_preset(
			o.preset ? o.preset : topo_preset_names()[0], &t, &err);
	if (ret) {
		topo_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "snemu topo: %s\n", msg);
		/* As every command: 2 for a run that could not start. */
		return 2;
	}
	ret = o.route ? check_pair(t, &o) : 0;
	if (!ret) {
		switch (o.mode) {
		case MODE_SUMMARY:
			if (o.route)
				print_route(t, &o);
			else
				print_summary(t);
			if (o.links)
				print_links(t);
			break;
		case MODE_JSON: print_json(t, &o); break;
		case MODE_DOT: ret = print_dot(t, &o); break;
		case MODE_DUMP: print_dump(t); break;
		}
	}
	topo_destroy(t);
	return ret;
}
