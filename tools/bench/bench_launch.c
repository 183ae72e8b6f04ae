/* SPDX-License-Identifier: MIT */
/*
 * bench_launch [-n N] [-r REPS]: wall time to launch and tear down N
 * endpoints that only call snemu_init and snemu_finalize, through the
 * launcher (emu_run_job: fabric, fork, supervise, reap, report), once with
 * the endpoint as a forked function and once as an exec'd program.
 * Baselines, measured in the same run: fork+exit and fork+exec+exit of N
 * plain processes. Prints the best of REPS (default 5) for each.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snemu.h"
#include "common/common.h"
#include "tools/bench/bench_args.h"
#include "emu/emu.h"
#include "topology/topo.h"

static int endpoint(void *arg)
{
	int ret = snemu_init(NULL, NULL);

	if (!ret)
		ret = snemu_finalize();
	if (ret)
		fprintf(stderr, "endpoint: %s\n", snemu_strerror(ret));
	return ret ? 1 : 0;
}

/* Fork n plain processes that exit (or exec argv and exit); reap them. */
static uint64_t baseline(int n, char *const *argv)
{
	pid_t *pids = calloc(n, sizeof(*pids));
	uint64_t t0 = snemu_wall_ns();

	for (int i = 0; pids && i < n; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			if (argv)
				execv(argv[0], argv);
			_exit(0);
		}
	}
	for (int i = 0; pids && i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	free(pids);
	return snemu_wall_ns() - t0;
}

static uint64_t launch(struct emu_job *job)
{
	uint64_t t0 = snemu_wall_ns();
	int ret = emu_run_job(job);

	if (ret) {
		fprintf(stderr, "bench_launch: the run failed (%d)\n", ret);
		exit(1);
	}
	return snemu_wall_ns() - t0;
}

static void line(const char *what, uint64_t ns, const char *base,
		 uint64_t base_ns)
{
	printf("  %-34s %8.1f ms   %-20s %7.1f ms   ratio %5.1fx\n", what,
	       ns / 1e6, base, base_ns / 1e6, (double)ns / base_ns);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], *ep_argv[] = {self, "--endpoint", NULL};
	char *noop_argv[] = {self, "--noop", NULL};
	uint64_t fn = UINT64_MAX, ex = UINT64_MAX, fk = UINT64_MAX;
	uint64_t fe = UINT64_MAX;
	struct emu_job job = {0};
	struct topo *t;
	const char *preset;
	char spec[128];
	int n = 0, reps = 5, c;
	ssize_t len;

	if (argc > 1 && !strcmp(argv[1], "--endpoint"))
		return endpoint(NULL);
	if (argc > 1 && !strcmp(argv[1], "--noop"))
		return 0;
	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		switch (c) {
		case 'n': n = bench_int_arg(c, 1, INT_MAX); break;
		case 'r': reps = bench_int_arg(c, 1, 1000000); break;
		default:
			fprintf(stderr,
				"usage: bench_launch [-n N] [-r REPS]\n");
			return 2;
		}
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	preset = topo_preset_names()[0];
	if (len < 0 || topo_load_preset(preset, &t, NULL)) {
		fprintf(stderr, "bench_launch: cannot set up\n");
		return 1;
	}
	/* Before the baselines fork that many processes. */
	if (n > topo_num_endpoints(t)) {
		fprintf(stderr,
			"bench_launch: need N <= %d, the endpoints of %s (got "
			"-n %d)\n",
			topo_num_endpoints(t), preset, n);
		topo_destroy(t);
		return 2;
	}
	self[len] = '\0';
	snprintf(spec, sizeof(spec), "preset:%s", preset);
	job.topo = t;
	job.topo_spec = spec;
	job.nranks = n ? n : topo_num_endpoints(t);
	job.quiet = 1;
	for (int i = 0; i < reps; i++) {
		fk = MIN(fk, baseline(job.nranks, NULL));
		fe = MIN(fe, baseline(job.nranks, noop_argv));
		job.fn = endpoint;
		job.argv = NULL;
		fn = MIN(fn, launch(&job));
		job.fn = NULL;
		job.argv = ep_argv;
		ex = MIN(ex, launch(&job));
	}
	printf("bench_launch: launch + teardown of %d endpoints doing "
	       "init/finalize on %s,\nbest of %d (goal: under 1 s)\n",
	       job.nranks, preset, reps);
	line("snemu, endpoints as forked fn", fn, "fork+exit", fk);
	line("snemu, endpoints as exec'd program", ex, "fork+exec+exit", fe);
	topo_destroy(t);
	return MAX(fn, ex) < NSEC_PER_SEC ? 0 : 1;
}
