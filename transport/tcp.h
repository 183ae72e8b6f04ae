/* SPDX-License-Identifier: MIT */
/*
 * transport/tcp: the hosts of a multi-host run, joined by TCP. Knows
 * nothing of the topology, of ranks or of virtual time: it connects every
 * pair of hosts once (H hosts: H (H - 1) / 2 connections) and hands the
 * caller connected sockets; what flows over them is the caller's.
 *
 * The join: host 0 listens on the rendezvous address; every other host
 * connects to it and says who it is (its index, the token, the run's
 * digest, the port it listens on for the hosts after it). Host 0 checks
 * each, and once all H - 1 joined, sends every host the table of
 * addresses; then host i connects to each host 0 < j < i, and says who it
 * is again. A peer with the wrong token, or another digest, is refused
 * with why (it learns it and fails); host 0 keeps waiting for the right
 * one until the deadline.
 */
#ifndef SNEMU_TRANSPORT_TCP_H
#define SNEMU_TRANSPORT_TCP_H

#include <stddef.h>
#include <stdint.h>

#define TP_TOKEN_LEN 32 /* hex characters of a token host 0 makes */

struct tp_mesh;

struct tp_mesh_opts {
	int nhosts; /* H >= 2 */
	int self;   /* this host's index, 0 .. H - 1 */
	/*
	 * "ADDR:PORT" (IPv6 as "[ADDR]:PORT"); ADDR a numeric address or a
	 * name. Host 0 listens there (an empty ADDR: 127.0.0.1; PORT 0: one
	 * the kernel picks, see tp_mesh.port); the others connect to it.
	 */
	const char *rendezvous;
	/*
	 * The secret every host must present: printable, 1..64 characters.
	 * Host 0 may pass NULL to have one made (TP_TOKEN_LEN random hex
	 * characters, in tp_mesh.token); the others must pass it.
	 */
	const char *token;
	/* What every host must agree on (config, ranks, options): a digest. */
	uint64_t digest;
	unsigned timeout_s; /* the whole join, 0: 30 s */
	/*
	 * Host 0 only, may be NULL: called once the listening socket is
	 * bound, before anyone joins (to print the port and the token).
	 */
	void (*listening)(const struct tp_mesh *m, void *arg);
	void *arg;
};

struct tp_mesh {
	int nhosts, self;
	/*
	 * fd[h]: the connected socket to host h (-1 for self): TCP_NODELAY,
	 * non-blocking, close-on-exec.
	 */
	int *fd;
	char token[65]; /* the token in use, NUL-terminated */
	/*
	 * host 0: the port it listens on; the others: the one they listened
	 * on for the hosts after them (0 for the last).
	 */
	int port;
};

/*
 * Join the run's hosts. Returns 0 and *out, or -errno with why in err
 * (such as "host 0 refused us: wrong token", "host 2 did not join within
 * 30 s", "cannot listen on 10.0.0.1:7000: Address already in use", "host
 * 0 refused us: another digest: the hosts run another config, -n or
 * options"); nothing is left open.
 *
 * Blocks (in poll, never longer than the timeout) until the whole mesh is
 * up: every host returns 0 only once every host has its connections, and
 * a host that fails ends the join of the others early (they see its
 * sockets close). -EINVAL: bad
 * options; -ETIMEDOUT: a host missing; -EACCES: our token was refused;
 * -ECONNREFUSED: another refusal (digest, number of hosts, index);
 * -ECONNRESET: another host failed. Nothing is read from a socket past
 * the join's own bytes. No global state, no signals (its sends use
 * MSG_NOSIGNAL; the caller's own sends may want it too).
 */
int tp_mesh_join(const struct tp_mesh_opts *o, struct tp_mesh **out, char *err,
		 size_t errlen);

/* Close every connection and free the mesh. NULL is fine. */
void tp_mesh_close(struct tp_mesh *m);

#endif
