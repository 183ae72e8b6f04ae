/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "common/common.h"
#include "tests/emu/harness.h"

#define SPEC_PREFIX "preset:"

const struct topo *harness_topo(const char *preset)
{
	static struct topo *t;
	static char name[64];

	if (!preset)
		preset = "cloudmatrix384";
	if (t && !strcmp(name, preset))
		return t;
	topo_destroy(t);
	t = NULL;
	if (topo_load_preset(preset, &t, NULL))
		return NULL;
	snprintf(name, sizeof(name), "%s", preset);
	return t;
}

static void set_env_int(const char *name, int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	setenv(name, buf, 1);
}

static void child(struct harness *h, const char *spec, int rank, pid_t parent,
		  int (*fn)(void *), void *arg)
{
	/* Die with the test, even if it fails before reaping us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(99);
	set_env_int(EMU_ENV_FD, emu_fabric_fd(h->fab));
	set_env_int(EMU_ENV_RANK, rank);
	set_env_int(EMU_ENV_SIZE, h->nranks);
	setenv(EMU_ENV_TOPO, spec, 1);
	_exit(fn(arg));
}

static void kill_all(const pid_t *pids, int n)
{
	for (int r = 0; r < n; r++)
		if (pids[r] > 0)
			kill(pids[r], SIGKILL);
}

/* Reap what has exited; returns how many ranks are still alive. */
static int reap(struct harness *h, pid_t *pids, int alive, bool *failed)
{
	pid_t pid;
	int st;

	while (alive && (pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int r = 0; r < h->nranks; r++) {
			if (pids[r] != pid)
				continue;
			pids[r] = 0;
			h->status[r] = st;
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				*failed = true;
		}
	}
	return alive;
}

static void snapshot(struct harness *h)
{
	for (int r = 0; r < h->nranks; r++)
		emu_fabric_rank_info(h->fab, r, &h->info[r]);
}

/* Supervise until every rank is gone. */
static void supervise(struct harness *h, pid_t *pids, int timeout_s)
{
	uint64_t deadline = snemu_wall_ns() + timeout_s * NSEC_PER_SEC;
	struct pollfd pfd = {.fd = emu_fabric_notify_fd(h->fab),
			     .events = POLLIN};
	bool failed = false, stopped = false;
	int alive = h->nranks;

	while ((alive = reap(h, pids, alive, &failed))) {
		uint64_t junk;

		if (poll(&pfd, 1, 5) > 0 &&
		    read(pfd.fd, &junk, sizeof(junk)) > 0 &&
		    emu_fabric_deadlocked(h->fab) && !h->deadlock) {
			h->deadlock = true;
			snapshot(h);
			/* The blocked calls return -ECANCELED. */
			emu_fabric_abort(h->fab);
		}
		if (!stopped && failed) {
			emu_fabric_abort(h->fab);
			kill_all(pids, h->nranks);
			stopped = true;
		}
		if (snemu_wall_ns() > deadline && !h->timed_out) {
			fprintf(stderr, "harness: timeout, %d ranks left\n",
				alive);
			h->timed_out = true;
			kill_all(pids, h->nranks);
		}
	}
}

int harness_run(const struct harness_opts *o, int (*fn)(void *), void *arg,
		struct harness **out)
{
	const char *preset = o->preset ? o->preset : "cloudmatrix384";
	char spec[128];
	struct emu_fabric_opts fo = {
		.nranks = o->nranks,
		.eager_limit = o->eager_limit,
	};
	struct harness *h;
	pid_t *pids, parent = getpid();
	int ret = -ENOMEM;

	snprintf(spec, sizeof(spec), SPEC_PREFIX "%s", preset);
	h = calloc(1, sizeof(*h));
	pids = calloc((size_t)o->nranks, sizeof(*pids));
	if (!h || !pids)
		goto err;
	h->nranks = o->nranks;
	h->status = calloc((size_t)o->nranks, sizeof(*h->status));
	h->info = calloc((size_t)o->nranks, sizeof(*h->info));
	if (!h->status || !h->info)
		goto err;
	ret = topo_load_preset(preset, &h->topo, NULL);
	if (ret)
		goto err;
	ret = emu_fabric_create(h->topo, &fo, &h->fab);
	if (ret)
		goto err;
	fflush(NULL);
	for (int r = 0; r < o->nranks; r++) {
		pids[r] = fork();
		if (pids[r] < 0) {
			ret = -errno;
			kill_all(pids, r);
			while (wait(NULL) > 0)
				;
			goto err;
		}
		if (!pids[r])
			child(h, spec, r, parent, fn, arg);
		emu_fabric_set_pid(h->fab, r, pids[r]);
	}
	supervise(h, pids, o->timeout_s ? o->timeout_s : 120);
	free(pids);
	*out = h;
	return 0;

err:
	free(pids);
	harness_destroy(h);
	return ret;
}

int harness_failures(const struct harness *h)
{
	int n = 0;

	for (int r = 0; r < h->nranks; r++)
		if (!WIFEXITED(h->status[r]) || WEXITSTATUS(h->status[r]))
			n++;
	return n;
}

struct harness *harness_run_clean(const struct harness_opts *o,
				  int (*fn)(void *), void *arg)
{
	struct harness *h;

	assert_int_equal(harness_run(o, fn, arg, &h), 0);
	assert_false(h->timed_out);
	assert_false(h->deadlock);
	assert_int_equal(harness_failures(h), 0);
	return h;
}

void harness_destroy(struct harness *h)
{
	if (!h)
		return;
	emu_fabric_destroy(h->fab);
	topo_destroy(h->topo);
	free(h->status);
	free(h->info);
	free(h);
}
