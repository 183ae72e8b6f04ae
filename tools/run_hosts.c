/* SPDX-License-Identifier: MIT */
/*
 * snemu run over several hosts: check the options, split the ranks and
 * join the other hosts (docs/MULTIHOST.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "emu/emu.h"
#include "tools/run_hosts.h"
#include "topology/topo.h"
#include "transport/tcp.h"
#include "transport/tp.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

/* What every host must run alike: the model, N, the program and its args. */
static uint64_t run_digest(const struct emu_job *job, int nhosts)
{
	char text[TOPO_CONFIG_TEXT_MAX];
	uint64_t h = 0xcbf29ce484222325ULL;

	topo_config_text(job->topo, false, text, sizeof(text));
	h = fnv(h, text, strlen(text));
	h = fnv(h, &job->nranks, sizeof(job->nranks));
	h = fnv(h, &nhosts, sizeof(nhosts));
	for (char *const *a = job->argv; a && *a; a++)
		h = fnv(h, *a, strlen(*a) + 1);
	return h;
}

static void listening(const struct tp_mesh *m, void *arg)
{
	const struct run_hosts_opts *o = arg;

	fprintf(stderr,
		"snemu run: host 0 of %d waits for the others on port %d "
		"(--rendezvous %s)\n",
		m->nhosts, m->port, o->rendezvous);
	if (!o->token)
		fprintf(stderr,
			"snemu run: token %s: give it to the other hosts "
			"with --token\n",
			m->token);
}

static int bad(const char *msg, const char *arg)
{
	fprintf(stderr, "snemu run: %s%s%s\n", msg, arg ? arg : "",
		arg ? "'" : "");
	return -EINVAL;
}

int run_hosts_check(const struct run_hosts_opts *o, int *nhosts, int *self)
{
	*nhosts = 1;
	*self = 0;
	if ((o->verbs.dev || o->verbs.gid_index >= 0) &&
	    (!o->net || strcmp(o->net, "verbs")))
		return bad("--rdma-dev and --gid-index need --net verbs", NULL);
	if (!o->hosts) {
		if (o->index || o->rendezvous || o->token || o->net)
			return bad("--host-index, --rendezvous, --token and "
				   "--net need --hosts H",
				   NULL);
		return 0;
	}
	if (snemu_parse_int(o->hosts, 1, 4096, nhosts))
		return bad("--hosts wants a number of hosts from 1 to 4096, "
			   "not '",
			   o->hosts);
	if (*nhosts == 1)
		return 0;
	if (!o->index || snemu_parse_int(o->index, 0, *nhosts - 1, self))
		return bad("--hosts needs --host-index I, from 0 to H-1; got '",
			   o->index ? o->index : "");
	if (!o->rendezvous)
		return bad("--hosts needs --rendezvous ADDR:PORT (host 0 "
			   "listens there, the others connect to it)",
			   NULL);
	if (*self && !o->token)
		return bad("hosts other than 0 need --token T: the one host 0 "
			   "printed (or gave it)",
			   NULL);
	if (o->net && strcmp(o->net, "tcp") && strcmp(o->net, "verbs"))
		return bad("--net wants tcp or verbs, not '", o->net);

	return 0;
}

int run_hosts_join(const struct run_hosts_opts *o, int nhosts, int self,
		   const struct emu_job *job, struct emu_hosts *h)
{
	struct tp_mesh_opts mo = {
		.nhosts = nhosts,
		.self = self,
		.rendezvous = o->rendezvous,
		.token = o->token,
		.digest = run_digest(job, nhosts),
		.timeout_s = o->join_timeout_s,
		.listening = listening,
		.arg = (void *)o,
	};
	char err[512];
	int ret;

	*h = (struct emu_hosts){.nhosts = nhosts, .self = self};
	h->host_lo = calloc(nhosts + 1, sizeof(*h->host_lo));
	if (!h->host_lo)
		return -ENOMEM;
	ret = emu_hosts_split(job->topo, job->nranks, nhosts, h->host_lo);
	if (ret) {
		fprintf(stderr,
			"snemu run: -n %d spans %d node%s of %s: too few for "
			"%d hosts (each host runs whole nodes)\n",
			job->nranks,
			topo_node_of(job->topo, job->nranks - 1) + 1,
			snemu_s(topo_node_of(job->topo, job->nranks - 1) + 1),
			topo_name(job->topo), nhosts);
		goto err;
	}
	ret = tp_mesh_join(&mo, &h->mesh, err, sizeof(err));
	if (ret) {
		fprintf(stderr,
			"snemu run: host %d: cannot join the hosts: %s\n", self,
			err);
		goto err;
	}
	if (o->net && !strcmp(o->net, "verbs"))
		ret = tp_verbs_open(h->mesh, &o->verbs, &h->net, err,
				    sizeof(err));
	else
		ret = tp_tcp_open(h->mesh, &h->net);
	if (ret) {
		fprintf(stderr, "snemu run: host %d: --net %s: %s\n", self,
			o->net ? o->net : "tcp",
			ret == -ENOMEM ? "out of memory" : err);
		tp_mesh_close(h->mesh);
		goto err;
	}
	return 0;
err:
	free(h->host_lo);
	h->host_lo = NULL;
	return ret;
}

void run_hosts_leave(struct emu_hosts *h)
{
	tp_net_close(h->net);
	tp_mesh_close(h->mesh);
	free(h->host_lo);
	*h = (struct emu_hosts){0};
}
