/* SPDX-License-Identifier: MIT */
/*
 * The launcher's side of a run over several hosts (emu/host.h): the feeds
 * (a pipe per rank), the agent's process and the messages to and from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "emu/emu.h"
#include "emu/host.h"
#include "topology/topo.h"
#include "transport/tcp.h"
#include "transport/tp.h"

int emu_hosts_split(const struct topo *topo, int nranks, int nhosts,
		    int *host_lo)
{
	int nodes = topo_node_of(topo, nranks - 1) + 1, r = 0;

	if (nhosts < 2 || nodes < nhosts)
		return -EINVAL;
	for (int h = 0; h < nhosts; h++) {
		int first = (int)((int64_t)h * nodes / nhosts);

		while (r < nranks && topo_node_of(topo, r) < first)
			r++;
		host_lo[h] = r;
	}
	host_lo[nhosts] = nranks;
	return 0;
}

static bool is_local(const struct host_side *hs, int r)
{
	const struct emu_hosts *h = hs->hosts;

	return r >= h->host_lo[h->self] && r < h->host_lo[h->self + 1];
}

static void close_feeds(struct host_side *hs)
{
	for (int r = 0; r < hs->nranks; r++) {
		if (hs->rd[r] >= 0)
			close(hs->rd[r]);
		if (hs->wr[r] >= 0)
			close(hs->wr[r]);
		hs->rd[r] = hs->wr[r] = -1;
	}
}

/* In the agent's process: keep only the ends it uses, and run it. */
static void __attribute__((noreturn))
agent_child(struct host_side *hs, int ctl, pid_t parent)
{
	struct host_agent a = {
		.net = hs->hosts->net,
		.nranks = hs->nranks,
		.host_lo = hs->hosts->host_lo,
		.ctl = ctl,
	};
	int *feed = malloc(hs->nranks * sizeof(*feed)), ret;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent || !feed)
		_exit(1);
	for (int r = 0; r < hs->nranks; r++) {
		bool local = is_local(hs, r);

		feed[r] = local ? hs->rd[r] : hs->wr[r];
		close(local ? hs->wr[r] : hs->rd[r]);
	}
	a.feed = feed;
	ret = host_agent_main(&a);
	/* Its last writes land before the queue pairs go. */
	tp_net_close(a.net);
	_exit(ret);
}

int host_side_start(struct host_side *hs, const struct emu_hosts *hosts,
		    int nranks)
{
	int sv[2], ret = -ENOMEM;
	pid_t parent = getpid();

	*hs = (struct host_side){.hosts = hosts, .nranks = nranks, .ctl = -1};
	hs->rd = malloc(nranks * sizeof(*hs->rd));
	hs->wr = malloc(nranks * sizeof(*hs->wr));
	if (!hs->rd || !hs->wr)
		goto err;
	for (int r = 0; r < nranks; r++)
		hs->rd[r] = hs->wr[r] = -1;
	for (int r = 0; r < nranks; r++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC)) {
			ret = -errno;
			goto err;
		}
		hs->rd[r] = p[0];
		hs->wr[r] = p[1];
		/* Fewer wake-ups for large payloads (best effort: 1 MiB). */
		fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		goto err;
	}
	fflush(NULL);
	hs->agent = fork();
	if (hs->agent < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		goto err;
	}
	if (!hs->agent) {
		close(sv[0]);
		agent_child(hs, sv[1], parent);
	}
	close(sv[1]);
	hs->ctl = sv[0];
	return 0;
err:
	host_side_end(hs);
	return ret;
}

void host_side_child(const struct host_side *hs, int rank)
{
	char buf[16];

	if (!is_local(hs, rank)) {
		close(hs->ctl);
		_exit(host_ghost_main(rank, hs->rd[rank]));
	}
	/* The rank's own feed outlives its exec; every other fd does not. */
	fcntl(hs->wr[rank], F_SETFD, 0);
	snprintf(buf, sizeof(buf), "%d", hs->wr[rank]);
	setenv(HOST_ENV_FEED, buf, 1);
}

void host_side_started(struct host_side *hs)
{
	close_feeds(hs);
}

static void tell_agent(struct host_side *hs, int kind, int who, int arg)
{
	struct host_ctl m = {kind, who, arg};

	/* An agent that is gone ends the run through its pidfd. */
	if (hs->ctl >= 0)
		(void)!send(hs->ctl, &m, sizeof(m),
			    MSG_NOSIGNAL | MSG_DONTWAIT);
}

void host_side_rank_ended(struct host_side *hs, int rank, int status)
{
	if (is_local(hs, rank))
		tell_agent(hs, HOST_CTL_EXIT, rank, status);
}

void host_side_stop(struct host_side *hs, int why)
{
	tell_agent(hs, HOST_CTL_STOP, -1, why);
}

int host_side_read(struct host_side *hs, struct host_ctl *m)
{
	ssize_t n = recv(hs->ctl, m, sizeof(*m), MSG_DONTWAIT);

	if (n == sizeof(*m))
		return 1;
	return n < 0 && errno == EAGAIN ? 0 : -EPIPE;
}

int host_side_end(struct host_side *hs)
{
	int status = 0;

	if (hs->rd && hs->wr)
		close_feeds(hs);
	if (hs->ctl >= 0)
		close(hs->ctl);
	hs->ctl = -1;
	if (hs->agent > 0) {
		/* Done or told to stop, it leaves within 2 s; then it dies. */
		for (int i = 0; i < 50; i++) {
			if (waitpid(hs->agent, &status, WNOHANG) == hs->agent)
				goto reaped;
			usleep(50000);
		}
		kill(hs->agent, SIGKILL);
		waitpid(hs->agent, &status, 0);
	}
reaped:
	hs->agent = 0;
	free(hs->rd);
	free(hs->wr);
	hs->rd = hs->wr = NULL;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
