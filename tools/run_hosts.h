/* SPDX-License-Identifier: MIT */
/* snemu run over several hosts: its options and the join (run_hosts.c). */
#ifndef SNEMU_TOOLS_RUN_HOSTS_H
#define SNEMU_TOOLS_RUN_HOSTS_H

#include "transport/tp.h"

struct emu_job;
struct emu_hosts;

/* The options as given (NULL: not given). */
struct run_hosts_opts {
	const char *hosts, *index, *rendezvous, *token, *net;
	unsigned join_timeout_s;    /* 0: the mesh's default */
	struct tp_verbs_opts verbs; /* --rdma-dev, --gid-index (-1: none) */
};

/*
 * Check the options: 0 with *nhosts (1 without --hosts) and *self, or
 * -EINVAL after saying what is wrong on stderr.
 */
int run_hosts_check(const struct run_hosts_opts *o, int *nhosts, int *self);

/*
 * Split job's ranks over the hosts and join them (every host must run
 * the same model, -n, program and arguments). 0 and *h, or -errno after
 * saying why on stderr.
 */
int run_hosts_join(const struct run_hosts_opts *o, int nhosts, int self,
		   const struct emu_job *job, struct emu_hosts *h);

/* Close the connections and free what the join made. */
void run_hosts_leave(struct emu_hosts *h);

#endif
