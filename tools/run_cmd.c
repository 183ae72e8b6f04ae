/* SPDX-License-Identifier: MIT */
/* snemu run: start a program on N emulated endpoints (docs/RUN.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/output.h"
#include "emu/demo.h"
#include "emu/emu.h"
#include "tools/cmd.h"
#include "tools/run_hosts.h"
#include "topology/topo.h"

/* Exit status of a run that did not start: usage, config or program. */
#define EXIT_USAGE 2

/* The long options without a letter. */
enum {
	OPT_TRACE = 256,
	OPT_TRACE_RANKS,
	OPT_TRACE_WINDOW,
	OPT_TRACE_LINKS,
	OPT_HOSTS,
	OPT_HOST_INDEX,
	OPT_RENDEZVOUS,
	OPT_TOKEN,
	OPT_NET,
	OPT_RDMA_DEV,
	OPT_GID_INDEX,
};

static void usage(FILE *f)
{
	const char *const *p = topo_preset_names();

	fprintf(f,
		"usage: snemu run [-n N] [--preset NAME | --topo FILE]\n"
		"                 [--report FILE.json] [--quiet] "
		"[--compute MODE]\n"
		"                 [--timeout S] [--watchdog S]\n"
		"                 [--trace FILE.json [--trace-ranks LIST]\n"
		"                  [--trace-window T0:T1] [--trace-links "
		"LIST]]\n"
		"                 [--hosts H --host-index I --rendezvous "
		"ADDR:PORT\n"
		"                  [--token T] [--net tcp|verbs [--rdma-dev "
		"NAME]\n"
		"                  [--gid-index K]]]\n"
		"                 [-- PROGRAM [ARGS...]]\n\n"
		"Start PROGRAM as N endpoints of the modeled fabric, supervise "
		"them and print\na summary. Without PROGRAM, run the built-in "
		"demonstration workload.\n\n"
		"  -n, -np, --ranks N   endpoints 0..N-1 (default: all of the "
		"topology)\n"
		"  -p, --preset NAME    built-in topology (default: %s)\n"
		"  -t, --topo FILE      topology from a libconfig file\n"
		"  -r, --report FILE    write the JSON report "
		"(docs/REPORT.md)\n"
		"  -q, --quiet          no summary on stdout\n"
		"      --compute MODE   what program code between calls costs: "
		"none (default:\n"
		"                       nothing, deterministic) or "
		"measured[:SCALE] (SCALE\n"
		"                       times its thread CPU time, default 1; "
		"not deterministic)\n"
		"      --timeout S      stop the run after S seconds of wall "
		"time (exit 4)\n"
		"      --watchdog S     stop it when for S seconds no event "
		"happens and no rank\n"
		"                       moves (exit 5; default 300, 0: never)\n"
		"      --trace FILE     write a timeline for Perfetto "
		"(docs/TRACE.md)\n"
		"      --trace-ranks LIST   only these ranks, e.g. 0-7,12\n"
		"      --trace-window T0:T1 only this virtual time, e.g. "
		"10us:2ms (no unit: us)\n"
		"      --trace-links LIST   these links' utilization "
		"(default: the 8 busiest)\n"
		"      --hosts H        run over H hosts, each with `snemu "
		"run` "
		"and the same\n"
		"                       arguments but --host-index "
		"(docs/MULTIHOST.md)\n"
		"      --host-index I   this host, 0..H-1; host I runs the "
		"I-th "
		"block of nodes\n"
		"      --rendezvous ADDR:PORT   host 0 listens there (ADDR "
		"empty: 127.0.0.1),\n"
		"                       the others connect to it\n"
		"      --token T        the secret of the run: host 0 makes "
		"one "
		"and prints it\n"
		"                       when not given; the others must give "
		"it\n"
		"      --net tcp|verbs  how hosts talk: TCP (default), or RDMA "
		"verbs (RoCE,\n"
		"                       InfiniBand, soft-RoCE) on --rdma-dev "
		"NAME (default: the\n"
		"                       first with the GID), GID --gid-index K "
		"(default: the\n"
		"                       first RoCE v2 IPv4 GID)\n"
		"  -h, --help           this text\n\n"
		"presets:",
		p[0]);
	for (; *p; p++)
		fprintf(f, " %s", *p);
	fprintf(f,
		"\n\nexit status: 0 ok, 1 a rank failed, 2 the run did "
		"not start (usage, config,\nprogram), 3 deadlock, 4 timeout, 5 "
		"stalled, 6 another host went away or stopped\nthe run, "
		"128+SIG interrupted by signal SIG (see docs/RUN.md).\n");
}

/*
 * Load the topology; on error say where the config is wrong. *spec tells
 * the ranks where it came from, with an absolute path for a file.
 */
static int load_topo(const char *preset, const char *file, struct topo **t,
		     char **spec)
{
	struct topo_error err = {0};
	char msg[768], *path = NULL;
	int ret;

	if (file)
		ret = topo_load_file(file, t, &err);
	else
		ret = topo_load_preset(preset, t, &err);
	if (ret) {
		topo_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "snemu run: %s\n", msg);
		return ret;
	}
	if (file)
		path = realpath(file, NULL);
	ret = asprintf(spec, "%s:%s", file ? "file" : "preset",
		       file ? (path ? path : file) : preset);
	free(path);
	if (ret < 0) {
		topo_destroy(*t);
		return -ENOMEM;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ranks", required_argument, NULL, 'n'},
		{"np", required_argument, NULL, 'n'}, /* as mpirun */
		{"preset", required_argument, NULL, 'p'},
		{"topo", required_argument, NULL, 't'},
		{"report", required_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"compute", required_argument, NULL, 'C'},
		{"timeout", required_argument, NULL, 'T'},
		{"watchdog", required_argument, NULL, 'W'},
		{"trace", required_argument, NULL, OPT_TRACE},
		{"trace-ranks", required_argument, NULL, OPT_TRACE_RANKS},
		{"trace-window", required_argument, NULL, OPT_TRACE_WINDOW},
		{"trace-links", required_argument, NULL, OPT_TRACE_LINKS},
		{"hosts", required_argument, NULL, OPT_HOSTS},
		{"host-index", required_argument, NULL, OPT_HOST_INDEX},
		{"rendezvous", required_argument, NULL, OPT_RENDEZVOUS},
		{"token", required_argument, NULL, OPT_TOKEN},
		{"net", required_argument, NULL, OPT_NET},
		{"rdma-dev", required_argument, NULL, OPT_RDMA_DEV},
		{"gid-index", required_argument, NULL, OPT_GID_INDEX},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct emu_trace_opts trace = {0};
	struct run_hosts_opts ho = {.verbs.gid_index = -1};
	struct emu_hosts hosts = {0};
	int nhosts, self;
	struct emu_job job = {.watchdog_s = EMU_DEFAULT_WATCHDOG_S};
	const char *preset = NULL, *file = NULL;
	struct topo *t;
	char *spec;
	int n = 0, c, ret, secs;

	argv[0] = "snemu run"; /* for getopt's messages */
	/*
	 * '+': options end at PROGRAM, whose own options are its own. Long
	 * options may have one dash (mpirun's -np); one letter stays short.
	 */
	while ((c = getopt_long_only(argc, argv, "+n:p:t:r:qh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'n':
			if (snemu_parse_int(optarg, 1, INT_MAX, &n)) {
				fprintf(stderr,
					"snemu run: -n wants a number "
					"of ranks >= 1, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p': preset = optarg; break;
		case 't': file = optarg; break;
		case 'r': job.report_path = optarg; break;
		case 'q': job.quiet = 1; break;
		case 'C':
			if (emu_compute_parse(optarg, &job.compute_scale)) {
				fprintf(stderr,
					"snemu run: --compute wants none, "
					"measured or measured:SCALE (SCALE a "
					"positive decimal), not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
		case 'W':
			if (snemu_parse_int(optarg, c == 'T' ? 1 : 0, INT_MAX,
					    &secs)) {
				fprintf(stderr,
					"snemu run: --%s wants whole seconds "
					"(%s), not '%s'\n",
					c == 'T' ? "timeout" : "watchdog",
					c == 'T' ? ">= 1" : ">= 0, 0: never",
					optarg);
				return EXIT_USAGE;
			}
			*(c == 'T' ? &job.timeout_s : &job.watchdog_s) =
				(unsigned)secs;
			break;
		case OPT_TRACE: trace.path = optarg; break;
		case OPT_TRACE_RANKS: trace.ranks = optarg; break;
		case OPT_TRACE_WINDOW: trace.window = optarg; break;
		case OPT_TRACE_LINKS: trace.links = optarg; break;
		case OPT_HOSTS: ho.hosts = optarg; break;
		case OPT_HOST_INDEX: ho.index = optarg; break;
		case OPT_RENDEZVOUS: ho.rendezvous = optarg; break;
		case OPT_TOKEN: ho.token = optarg; break;
		case OPT_NET: ho.net = optarg; break;
		case OPT_RDMA_DEV: ho.verbs.dev = optarg; break;
		case OPT_GID_INDEX:
			if (snemu_parse_int(optarg, 0, 65535,
					    &ho.verbs.gid_index)) {
				fprintf(stderr,
					"snemu run: --gid-index wants a GID "
					"table index >= 0, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "see 'snemu run --help'\n");
			return EXIT_USAGE;
		}
	}
	if (job.report_path && (ret = snemu_outfile_check(job.report_path))) {
		fprintf(stderr,
			"snemu run: --report '%s': cannot write it: %s\n",
			job.report_path, snemu_outfile_why(ret));
		return EXIT_USAGE;
	}
	if (preset && file) {
		fprintf(stderr, "snemu run: --preset and --topo exclude each "
				"other\n");
		return EXIT_USAGE;
	}
	if (!trace.path && (trace.ranks || trace.window || trace.links)) {
		fprintf(stderr, "snemu run: --trace-ranks, --trace-window and "
				"--trace-links need --trace FILE\n");
		return EXIT_USAGE;
	}
	if (trace.path)
		job.trace = &trace;
	if (run_hosts_check(&ho, &nhosts, &self))
		return EXIT_USAGE;
	if (nhosts > 1 && (trace.path || job.compute_scale > 0)) {
		fprintf(stderr, "snemu run: --trace and --compute measured do "
				"not work with --hosts yet\n");
		return EXIT_USAGE;
	}
	if (!preset)
		preset = topo_preset_names()[0];
	if (load_topo(preset, file, &t, &spec))
		return EXIT_USAGE;
	if (!n)
		n = topo_num_endpoints(t);
	if (n > topo_num_endpoints(t)) {
		fprintf(stderr,
			"snemu run: -n %d: topology %s has only %d "
			"endpoints\n",
			n, topo_name(t), topo_num_endpoints(t));
		ret = EXIT_USAGE;
		goto out;
	}
	job.topo = t;
	job.topo_spec = spec;
	job.nranks = n;
	if (optind < argc)
		job.argv = argv + optind;
	else {
		job.fn = emu_demo_main;
		/* The demo's header names the model as the summary does. */
		job.arg = (void *)topo_name(t);
	}
	if (nhosts > 1) {
		ret = run_hosts_join(&ho, nhosts, self, &job, &hosts);
		if (ret) {
			ret = EXIT_USAGE;
			goto out;
		}
		job.hosts = &hosts;
	}
	ret = emu_run_job(&job);
	if (ret < 0)
		ret = EXIT_USAGE;
	if (job.hosts)
		run_hosts_leave(&hosts);
out:
	free(spec);
	topo_destroy(t);
	return ret;
}
