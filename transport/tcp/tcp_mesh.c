/* SPDX-License-Identifier: MIT */
/*
 * The hosts' TCP mesh (tcp.h). Every socket is non-blocking from the
 * start; every wait is a poll() bounded by the join's deadline. What a
 * host reads during the join is exactly the protocol's bytes, so anything
 * a peer sends after its own join returned stays in the socket for the
 * caller.
 *
 * The wire (integers big-endian):
 *   hello   i -> 0 and i -> j < i   struct tp_hello
 *   reply   answer to every hello   struct tp_reply
 *   table   0 -> i, all joined      nhosts struct tp_entry
 *   ready   i -> 0, i's mesh is up  one byte TP_READY
 *   go      0 -> i, all are ready   one byte TP_GO
 * A host that fails closes its sockets; its peers see that as the end of
 * the join.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/tcp.h"

#define TP_MAGIC     0x534e4d48u /* "SNMH" */
#define TP_VERSION   1u
#define TP_TOKEN_MAX 64
#define TP_MAX_HOSTS 4096
#define TP_HELLO_MS  5000 /* a connection's time to say hello */
#define TP_RETRY_MS  100  /* between connects to a host 0 not up yet */
#define TP_PENDING   32	  /* connections accepted, hello not read yet */
#define TP_READY     'R'
#define TP_GO	     'G'

struct tp_hello {
	uint32_t magic, version;
	int32_t index, nhosts;
	uint64_t digest;
	uint32_t port, zero;
	char token[TP_TOKEN_MAX]; /* NUL-padded */
};
_Static_assert(sizeof(struct tp_hello) == 96, "tp_hello has no padding");

enum tp_status {
	TP_OK,
	TP_EPROTO, /* magic or version */
	TP_ETOKEN,
	TP_EINDEX,
	TP_ENHOSTS,
	TP_EDIGEST,
};

struct tp_reply {
	uint32_t status;
	char reason[92]; /* NUL-terminated */
};
_Static_assert(sizeof(struct tp_reply) == 96, "tp_reply has no padding");

struct tp_entry {
	uint32_t family; /* 4 or 6; 0 for host 0, whom nobody dials again */
	uint32_t port;
	uint8_t addr[16];
};
_Static_assert(sizeof(struct tp_entry) == 24, "tp_entry has no padding");

/* A connection accepted, its hello being read. */
struct tp_pending {
	int fd;
	size_t got;
	int64_t deadline;
	struct sockaddr_storage peer;
	struct tp_hello h;
};

struct tp_join {
	const struct tp_mesh_opts *o;
	struct tp_mesh *m;
	char token[TP_TOKEN_MAX]; /* NUL-padded, as in a hello */
	unsigned timeout_s;
	int64_t deadline;
	struct addrinfo *ai;	/* the rendezvous' addresses */
	int lfd;		/* our listening socket, or -1 */
	int lport;		/* its port */
	struct tp_entry *tab;	/* host 0 fills it, the others read it */
	int refused;		/* hellos refused */
	char last_refusal[192]; /* whose the last one was, and why */
	char *err;
	size_t errlen;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline, for poll(): 0 once past. */
static int left_ms(int64_t deadline)
{
	int64_t d = deadline - now_ms();

	if (d < 0)
		return 0;
	return d > INT32_MAX ? INT32_MAX : (int)d;
}

static int fail(struct tp_join *j, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Say why in err; returns ret (-errno). */
static int fail(struct tp_join *j, int ret, const char *fmt, ...)
{
	va_list ap;

	if (j->err && j->errlen) {
		va_start(ap, fmt);
		vsnprintf(j->err, j->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* "1.2.3.4:80" or "[::1]:80". */
static void addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%d", a, ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%d", a, ntohs(s6->sin6_port));
	}
}

static uint64_t be64(uint64_t x)
{
	return ((uint64_t)htonl((uint32_t)x) << 32) |
	       htonl((uint32_t)(x >> 32));
}

/*
 * Split "ADDR:PORT" or "[ADDR]:PORT" into host and port. An empty ADDR is
 * 127.0.0.1; PORT is decimal, 0 .. 65535.
 */
static int parse_rendezvous(const char *s, char *host, size_t hostlen,
			    char *port, size_t portlen)
{
	const char *colon, *p;
	size_t n;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || end == s + 1)
			return -EINVAL;
		n = (size_t)(end - s - 1);
		if (n >= hostlen)
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = end + 1;
	} else {
		colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -EINVAL;
		n = (size_t)(colon - s);
		if (n >= hostlen)
			return -EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
		if (!n)
			snprintf(host, hostlen, "127.0.0.1");
	}
	p = colon + 1;
	n = strlen(p);
	if (!n || n >= portlen || n > 5 || strspn(p, "0123456789") != n ||
	    atoi(p) > 65535)
		return -EINVAL;
	memcpy(port, p, n + 1);
	return 0;
}

/* Resolve the rendezvous into j->ai. */
static int resolve(struct tp_join *j)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV};
	const char *rv = j->o->rendezvous;
	char host[256], port[8];
	int ret;

	if (parse_rendezvous(rv, host, sizeof(host), port, sizeof(port)))
		return fail(j, -EINVAL,
			    "bad rendezvous \"%s\": ADDR:PORT or [ADDR]:PORT",
			    rv);
	ret = getaddrinfo(host, port, &hints, &j->ai);
	if (ret) {
		int e = ret == EAI_SYSTEM   ? -errno
			: ret == EAI_AGAIN  ? -EAGAIN
			: ret == EAI_MEMORY ? -ENOMEM
					    : -ENOENT;

		return fail(j, e, "cannot resolve %s: %s", host,
			    gai_strerror(ret));
	}
	return 0;
}

/* A listening socket on sa (its port may be 0); its port in *port. */
static int sock_listen(const struct sockaddr *sa, socklen_t salen, int *port)
{
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	int fd, one = 1, ret;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, sa, salen) || listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&got, &len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*port = ntohs(got.ss_family == AF_INET
			      ? ((struct sockaddr_in *)&got)->sin_port
			      : ((struct sockaddr_in6 *)&got)->sin6_port);
	return fd;
}

/* Wait for events on one fd until deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do {
		n = poll(&p, 1, left_ms(deadline));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

/*
 * Connect to sa before deadline: the socket, or -errno (-ECONNREFUSED
 * when nobody listens there, -ETIMEDOUT).
 */
static int sock_connect(const struct sockaddr *sa, socklen_t salen,
			int64_t deadline)
{
	struct sockaddr_storage me, peer;
	socklen_t mlen = sizeof(me), plen = sizeof(peer);
	socklen_t elen = sizeof(int);
	int fd, ret, e = 0;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, salen) && errno != EINPROGRESS) {
		ret = -errno;
		goto err;
	}
	ret = wait_fd(fd, POLLOUT, deadline);
	if (ret)
		goto err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) || e) {
		ret = e ? -e : -errno;
		goto err;
	}
	/*
	 * Connecting to a port of our own machine that nobody listens on can
	 * rarely connect the socket to itself (TCP simultaneous open).
	 */
	ret = -ECONNREFUSED;
	if (getsockname(fd, (struct sockaddr *)&me, &mlen) ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen))
		goto err;
	if (mlen == plen && !memcmp(&me, &peer, mlen))
		goto err;
	return fd;

err:
	close(fd);
	return ret;
}

/* Send or receive exactly len bytes before deadline: 0 or -errno. */
static int xfer(int fd, void *buf, size_t len, bool out, int64_t deadline)
{
	char *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		if (out)
			n = send(fd, p, len, MSG_NOSIGNAL);
		else
			n = recv(fd, p, len, 0);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (!n)
			return -ECONNRESET; /* the peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = wait_fd(fd, out ? POLLOUT : POLLIN, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

static void hello_make(const struct tp_join *j, struct tp_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = htonl(TP_MAGIC);
	h->version = htonl(TP_VERSION);
	h->index = (int32_t)htonl((uint32_t)j->m->self);
	h->nhosts = (int32_t)htonl((uint32_t)j->m->nhosts);
	h->digest = be64(j->o->digest);
	h->port = htonl((uint32_t)j->lport);
	memcpy(h->token, j->token, sizeof(h->token));
}

/* Whether a and b hold the same token, in a time that does not say. */
static bool token_equal(const char *a, const char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < TP_TOKEN_MAX; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/*
 * Judge a hello from a host we expect one of lo .. hi from. The token
 * comes before the details, so that a stranger learns none of them.
 */
static enum tp_status hello_check(const struct tp_join *j,
				  const struct tp_hello *h, int lo, int hi,
				  struct tp_reply *r)
{
	int index = (int)ntohl((uint32_t)h->index);
	int nhosts = (int)ntohl((uint32_t)h->nhosts);
	enum tp_status st = TP_OK;

	memset(r, 0, sizeof(*r));
	if (ntohl(h->magic) != TP_MAGIC || ntohl(h->version) != TP_VERSION) {
		st = TP_EPROTO;
		snprintf(r->reason, sizeof(r->reason),
			 "not a snemu mesh hello of version %u", TP_VERSION);
	} else if (!token_equal(h->token, j->token)) {
		st = TP_ETOKEN;
		snprintf(r->reason, sizeof(r->reason), "wrong token");
	} else if (nhosts != j->m->nhosts) {
		st = TP_ENHOSTS;
		snprintf(r->reason, sizeof(r->reason),
			 "another number of hosts: %d here, %d in the hello",
			 j->m->nhosts, nhosts);
	} else if (be64(h->digest) != j->o->digest) {
		st = TP_EDIGEST;
		snprintf(r->reason, sizeof(r->reason),
			 "another digest: the hosts run another config, -n "
			 "or options");
	} else if (index < lo || index > hi) {
		st = TP_EINDEX;
		snprintf(r->reason, sizeof(r->reason),
			 "index %d, not one of %d .. %d", index, lo, hi);
	} else if (j->m->fd[index] >= 0) {
		st = TP_EINDEX;
		snprintf(r->reason, sizeof(r->reason),
			 "index %d joined already", index);
	} else {
		snprintf(r->reason, sizeof(r->reason), "ok");
	}
	r->status = htonl(st);
	return st;
}

/*
 * Host 0's table entry for a host at peer, listening on port (big-endian).
 * An IPv4 host that reached an IPv6 host 0 is in it as IPv4.
 */
static void entry_set(struct tp_entry *e, const struct sockaddr_storage *peer,
		      uint32_t port)
{
	const struct in6_addr *a6 = &((struct sockaddr_in6 *)peer)->sin6_addr;

	e->port = port;
	if (peer->ss_family == AF_INET) {
		e->family = htonl(4);
		memcpy(e->addr, &((struct sockaddr_in *)peer)->sin_addr, 4);
	} else if (IN6_IS_ADDR_V4MAPPED(a6)) {
		e->family = htonl(4);
		memcpy(e->addr, &a6->s6_addr[12], 4);
	} else {
		e->family = htonl(6);
		memcpy(e->addr, a6, 16);
	}
}

/*
 * A pending connection's hello is in: answer it, and keep the connection
 * as host index's if it is right. Closes p->fd either way.
 */
static void pending_done(struct tp_join *j, struct tp_pending *p, int lo,
			 int hi)
{
	struct tp_reply r;
	enum tp_status st = hello_check(j, &p->h, lo, hi, &r);
	int index = (int)ntohl((uint32_t)p->h.index);
	char who[64];

	/* A fresh socket takes 96 bytes at once: no wait. */
	if (send(p->fd, &r, sizeof(r), MSG_NOSIGNAL) != sizeof(r)) {
		close_fd(&p->fd);
		return;
	}
	if (st != TP_OK) {
		addr_str((struct sockaddr *)&p->peer, who, sizeof(who));
		j->refused++;
		snprintf(j->last_refusal, sizeof(j->last_refusal),
			 "from %s: %s", who, r.reason);
		close_fd(&p->fd);
		return;
	}
	j->m->fd[index] = p->fd;
	p->fd = -1;
	if (!j->m->self)
		entry_set(&j->tab[index], &p->peer, p->h.port);
}

/* Read what a pending connection has of its hello; close it on error. */
static void pending_read(struct tp_join *j, struct tp_pending *p, int lo,
			 int hi)
{
	ssize_t n =
		recv(p->fd, (char *)&p->h + p->got, sizeof(p->h) - p->got, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(&p->fd);
		return;
	}
	p->got += (size_t)n;
	if (p->got == sizeof(p->h))
		pending_done(j, p, lo, hi);
}

/* The first of lo .. hi without a connection, or -1. */
static int missing(const struct tp_join *j, int lo, int hi)
{
	for (int h = lo; h <= hi; h++)
		if (j->m->fd[h] < 0)
			return h;
	return -1;
}

/* Host miss is not there at the deadline: -ETIMEDOUT, and whom we refused. */
static int timed_out(struct tp_join *j, int miss)
{
	const char *what = j->m->self ? "connect to us" : "join";

	if (j->refused)
		return fail(j, -ETIMEDOUT,
			    "host %d did not %s within %u s (%d refused, the "
			    "last %s)",
			    miss, what, j->timeout_s, j->refused,
			    j->last_refusal);
	return fail(j, -ETIMEDOUT, "host %d did not %s within %u s", miss, what,
		    j->timeout_s);
}

/*
 * Accept hosts lo .. hi on j->lfd until each has said a right hello. A
 * host that joined and closes before the end can join again. watch, if
 * not -1, is a connection whose end ends the wait (host 0's, for the
 * others).
 */
static int accept_hosts(struct tp_join *j, int lo, int hi, int watch)
{
	struct tp_pending pend[TP_PENDING];
	int npfd = 2 + TP_PENDING + (hi - lo + 1);
	struct pollfd *pfd = calloc((size_t)npfd, sizeof(*pfd));
	int ret = 0, miss;

	if (!pfd)
		return fail(j, -ENOMEM, "out of memory");
	for (int i = 0; i < TP_PENDING; i++)
		pend[i].fd = -1;
	while ((miss = missing(j, lo, hi)) >= 0) {
		int64_t wake = j->deadline;
		int free_slot = -1, n = 0, got;

		for (int i = 0; i < TP_PENDING; i++) {
			if (pend[i].fd >= 0 && now_ms() >= pend[i].deadline)
				close_fd(&pend[i].fd); /* no hello in time */
			if (pend[i].fd < 0) {
				free_slot = i;
				continue;
			}
			if (pend[i].deadline < wake)
				wake = pend[i].deadline;
			pfd[n++] = (struct pollfd){.fd = pend[i].fd,
						   .events = POLLIN};
		}
		for (int h = lo; h <= hi; h++)
			pfd[n++] = (struct pollfd){.fd = j->m->fd[h],
						   .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = watch, .events = POLLIN};
		/* With no free slot, the backlog holds new connections. */
		pfd[n++] = (struct pollfd){.fd = free_slot >= 0 ? j->lfd : -1,
					   .events = POLLIN};
		if (now_ms() >= j->deadline) {
			ret = timed_out(j, miss);
			goto out;
		}
		got = poll(pfd, (nfds_t)n, left_ms(wake));
		if (got < 0 && errno != EINTR) {
			ret = fail(j, -errno, "poll: %s", strerror(errno));
			goto out;
		}
		if (got <= 0)
			continue;
		for (int i = 0, k = 0; i < TP_PENDING; i++)
			if (pend[i].fd >= 0 && pfd[k++].revents)
				pending_read(j, &pend[i], lo, hi);
		n = n - 2 - (hi - lo + 1);
		for (int h = lo; h <= hi; h++, n++) {
			/* Nothing comes from a host that joined: it left. */
			if (pfd[n].fd >= 0 && pfd[n].revents)
				close_fd(&j->m->fd[h]);
		}
		if (pfd[n].revents) {
			ret = fail(j, -ECONNRESET,
				   "host 0 ended the join: another host failed "
				   "or it timed out");
			goto out;
		}
		if (pfd[n + 1].revents) {
			struct tp_pending *p = &pend[free_slot];
			socklen_t len = sizeof(p->peer);

			p->fd = accept4(j->lfd, (struct sockaddr *)&p->peer,
					&len, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (p->fd < 0 && errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				ret = fail(j, -errno, "cannot accept: %s",
					   strerror(errno));
				goto out;
			}
			p->got = 0;
			p->deadline = now_ms() + TP_HELLO_MS;
		}
	}
out:
	for (int i = 0; i < TP_PENDING; i++)
		close_fd(&pend[i].fd);
	free(pfd);
	return ret;
}

/*
 * Say hello on fd, connected to host peer (at where), and read the
 * answer: 0, or -errno with why.
 */
static int say_hello(struct tp_join *j, int fd, int peer, const char *where)
{
	struct tp_hello h;
	struct tp_reply r;
	int ret;

	hello_make(j, &h);
	ret = xfer(fd, &h, sizeof(h), true, j->deadline);
	if (!ret)
		ret = xfer(fd, &r, sizeof(r), false, j->deadline);
	if (ret == -ETIMEDOUT)
		return fail(j, ret, "no answer from host %d at %s within %u s",
			    peer, where, j->timeout_s);
	if (ret)
		return fail(j, ret, "host %d at %s: %s", peer, where,
			    strerror(-ret));
	r.reason[sizeof(r.reason) - 1] = '\0';
	switch (ntohl(r.status)) {
	case TP_OK: return 0;
	case TP_ETOKEN: ret = -EACCES; break;
	case TP_EPROTO: ret = -EPROTO; break;
	default: ret = -ECONNREFUSED; break;
	}
	return fail(j, ret, "host %d refused us: %s", peer, r.reason);
}

/*
 * Host 0: wait for every host's TP_READY. The first that closes instead
 * ends the wait, so that the others learn it at once.
 */
static int wait_ready(struct tp_join *j)
{
	struct tp_mesh *m = j->m;
	struct pollfd *pfd = calloc((size_t)m->nhosts, sizeof(*pfd));
	int left = m->nhosts - 1, ret = 0, n;
	ssize_t got;
	char c;

	if (!pfd)
		return fail(j, -ENOMEM, "out of memory");
	pfd[0].fd = -1;
	for (int h = 1; h < m->nhosts; h++)
		pfd[h] = (struct pollfd){.fd = m->fd[h], .events = POLLIN};
	while (left && !ret) {
		n = poll(pfd, (nfds_t)m->nhosts, left_ms(j->deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(j, -errno, "poll: %s", strerror(errno));
			break;
		}
		for (int h = 1; h < m->nhosts && !ret; h++) {
			if (pfd[h].fd < 0)
				continue;
			if (!n) {
				ret = fail(j, -ETIMEDOUT,
					   "host %d did not connect to the "
					   "others within %u s",
					   h, j->timeout_s);
				break;
			}
			if (!pfd[h].revents)
				continue;
			got = recv(pfd[h].fd, &c, 1, 0);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got != 1 || c != TP_READY)
				ret = fail(j, -ECONNRESET,
					   "host %d failed to connect to the "
					   "others",
					   h);
			pfd[h].fd = -1;
			left--;
		}
	}
	free(pfd);
	return ret;
}

/* Host 0: listen, take the others' hellos, send the table, wait ready. */
static int join_host0(struct tp_join *j)
{
	struct tp_mesh *m = j->m;
	char c;
	int ret;

	ret = resolve(j);
	if (ret)
		return ret;
	/* The first of the addresses we can listen on. */
	for (struct addrinfo *a = j->ai; a && j->lfd < 0; a = a->ai_next)
		j->lfd = sock_listen(a->ai_addr, a->ai_addrlen, &j->lport);
	if (j->lfd < 0)
		return fail(j, j->lfd, "cannot listen on %s: %s",
			    j->o->rendezvous, strerror(-j->lfd));
	m->port = j->lport;
	j->tab = calloc((size_t)m->nhosts, sizeof(*j->tab));
	if (!j->tab)
		return fail(j, -ENOMEM, "out of memory");
	if (j->o->listening)
		j->o->listening(m, j->o->arg);
	ret = accept_hosts(j, 1, m->nhosts - 1, -1);
	if (ret)
		return ret;
	close_fd(&j->lfd);
	for (int h = 1; h < m->nhosts; h++) {
		ret = xfer(m->fd[h], j->tab,
			   (size_t)m->nhosts * sizeof(*j->tab), true,
			   j->deadline);
		if (ret)
			return fail(j, ret, "host %d left during the join: %s",
				    h, strerror(-ret));
	}
	ret = wait_ready(j);
	if (ret)
		return ret;
	c = TP_GO;
	for (int h = 1; h < m->nhosts; h++) {
		ret = xfer(m->fd[h], &c, 1, true, j->deadline);
		if (ret)
			return fail(j, ret, "host %d left during the join: %s",
				    h, strerror(-ret));
	}
	return 0;
}

/*
 * Connect to host 0 at one of the rendezvous' addresses, retrying while
 * nobody listens on any yet.
 */
static int dial_host0(struct tp_join *j)
{
	const char *rv = j->o->rendezvous;
	int fd = -ECONNREFUSED, wait;
	bool refused;

	for (;;) {
		refused = false;
		for (struct addrinfo *a = j->ai; a; a = a->ai_next) {
			fd = sock_connect(a->ai_addr, a->ai_addrlen,
					  j->deadline);
			if (fd >= 0)
				return fd;
			refused |= fd == -ECONNREFUSED;
		}
		if (refused)
			fd = -ECONNREFUSED;
		if (!refused || now_ms() >= j->deadline)
			break;
		wait = left_ms(j->deadline);
		poll(NULL, 0, wait < TP_RETRY_MS ? wait : TP_RETRY_MS);
	}
	if (fd == -ECONNREFUSED || fd == -ETIMEDOUT)
		return fail(j, -ETIMEDOUT,
			    "no answer from host 0 at %s within %u s", rv,
			    j->timeout_s);
	return fail(j, fd, "cannot connect to host 0 at %s: %s", rv,
		    strerror(-fd));
}

/* Connect to host h < self at the table's e, and say hello. */
static int dial_host(struct tp_join *j, int h, const struct tp_entry *e)
{
	struct sockaddr_storage sa = {0};
	socklen_t salen;
	char where[64];
	int fd;

	if (e->family == htonl(4)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)ntohl(e->port));
		memcpy(&s4->sin_addr, e->addr, 4);
		salen = sizeof(*s4);
	} else if (e->family == htonl(6)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)ntohl(e->port));
		memcpy(&s6->sin6_addr, e->addr, 16);
		salen = sizeof(*s6);
	} else {
		return fail(j, -EPROTO, "host 0 sent a bad table");
	}
	addr_str((struct sockaddr *)&sa, where, sizeof(where));
	fd = sock_connect((struct sockaddr *)&sa, salen, j->deadline);
	if (fd < 0)
		return fail(j, fd, "cannot connect to host %d at %s: %s", h,
			    where, strerror(-fd));
	j->m->fd[h] = fd;
	return say_hello(j, fd, h, where);
}

/*
 * Host i > 0: dial host 0 and join, listen for the hosts after us, then
 * dial the hosts before us and accept those after.
 */
static int join_other(struct tp_join *j)
{
	struct tp_mesh *m = j->m;
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	char c;
	int ret, fd;

	ret = resolve(j);
	if (ret)
		return ret;
	fd = dial_host0(j);
	if (fd < 0)
		return fd;
	m->fd[0] = fd;
	if (m->self < m->nhosts - 1) {
		/* Listen where the others can reach us: where we reach 0. */
		if (getsockname(fd, (struct sockaddr *)&me, &melen))
			return fail(j, -errno, "getsockname: %s",
				    strerror(errno));
		if (me.ss_family == AF_INET)
			((struct sockaddr_in *)&me)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&me)->sin6_port = 0;
		j->lfd = sock_listen((struct sockaddr *)&me, melen, &j->lport);
		if (j->lfd < 0)
			return fail(j, j->lfd, "cannot listen: %s",
				    strerror(-j->lfd));
		m->port = j->lport;
	}
	ret = say_hello(j, fd, 0, j->o->rendezvous);
	if (ret)
		return ret;
	j->tab = calloc((size_t)m->nhosts, sizeof(*j->tab));
	if (!j->tab)
		return fail(j, -ENOMEM, "out of memory");
	ret = xfer(fd, j->tab, (size_t)m->nhosts * sizeof(*j->tab), false,
		   j->deadline);
	if (ret == -ETIMEDOUT)
		return fail(j, ret,
			    "host 0 at %s did not see all hosts join within "
			    "%u s",
			    j->o->rendezvous, j->timeout_s);
	if (ret)
		return fail(j, ret,
			    "host 0 ended the join: another host failed or "
			    "it timed out");
	for (int h = 1; h < m->self; h++) {
		ret = dial_host(j, h, &j->tab[h]);
		if (ret)
			return ret;
	}
	if (m->self < m->nhosts - 1) {
		ret = accept_hosts(j, m->self + 1, m->nhosts - 1, fd);
		if (ret)
			return ret;
		close_fd(&j->lfd);
	}
	c = TP_READY;
	ret = xfer(fd, &c, 1, true, j->deadline);
	if (!ret)
		ret = xfer(fd, &c, 1, false, j->deadline);
	if (ret == -ETIMEDOUT)
		return fail(j, ret,
			    "host 0 did not see all hosts connected within "
			    "%u s",
			    j->timeout_s);
	if (ret || c != TP_GO)
		return fail(j, ret ? ret : -EPROTO,
			    "host 0 ended the join: another host failed or "
			    "it timed out");
	return 0;
}

/* Check the options; the token, NUL-padded, into j->token. */
static int check_opts(struct tp_join *j)
{
	const struct tp_mesh_opts *o = j->o;
	size_t len;

	if (o->nhosts < 2 || o->nhosts > TP_MAX_HOSTS)
		return fail(j, -EINVAL, "%d hosts: from 2 to %d", o->nhosts,
			    TP_MAX_HOSTS);
	if (o->self < 0 || o->self >= o->nhosts)
		return fail(j, -EINVAL, "host %d of %d: from 0 to %d", o->self,
			    o->nhosts, o->nhosts - 1);
	if (!o->rendezvous)
		return fail(j, -EINVAL, "no rendezvous address");
	if (!o->token) {
		if (o->self)
			return fail(j, -EINVAL, "host %d needs host 0's token",
				    o->self);
		return 0;
	}
	len = strnlen(o->token, TP_TOKEN_MAX + 1);
	if (!len || len > TP_TOKEN_MAX)
		return fail(j, -EINVAL,
			    "the token must have 1 to %d characters",
			    TP_TOKEN_MAX);
	for (size_t i = 0; i < len; i++)
		if (o->token[i] < 0x20 || o->token[i] > 0x7e)
			return fail(j, -EINVAL,
				    "the token must be printable ASCII");
	memcpy(j->token, o->token, len);
	return 0;
}

/* TP_TOKEN_LEN random hex characters into j->token. */
static int make_token(struct tp_join *j)
{
	unsigned char r[TP_TOKEN_LEN / 2];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(r)) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(j, -errno, "getrandom: %s",
				    strerror(errno));
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(j->token + 2 * i, 3, "%02x", r[i]);
	return 0;
}

int tp_mesh_join(const struct tp_mesh_opts *o, struct tp_mesh **out, char *err,
		 size_t errlen)
{
	struct tp_join j = {.o = o, .lfd = -1, .err = err, .errlen = errlen};
	struct tp_mesh *m = NULL;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!o || !out)
		return fail(&j, -EINVAL, "no options or no result");
	ret = check_opts(&j);
	if (ret)
		return ret;
	if (!o->token) {
		ret = make_token(&j);
		if (ret)
			return ret;
	}
	j.timeout_s = o->timeout_s ? o->timeout_s : 30;
	j.deadline = now_ms() + (int64_t)j.timeout_s * 1000;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->fd = malloc((size_t)o->nhosts * sizeof(*m->fd)))) {
		ret = fail(&j, -ENOMEM, "out of memory");
		goto out;
	}
	m->nhosts = o->nhosts;
	m->self = o->self;
	for (int h = 0; h < m->nhosts; h++)
		m->fd[h] = -1;
	memcpy(m->token, j.token, TP_TOKEN_MAX);
	j.m = m;
	ret = o->self ? join_other(&j) : join_host0(&j);
	if (ret)
		goto out;
	for (int h = 0; h < m->nhosts; h++) {
		int one = 1;

		if (m->fd[h] >= 0 &&
		    setsockopt(m->fd[h], IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one))) {
			ret = fail(&j, -errno, "TCP_NODELAY: %s",
				   strerror(errno));
			goto out;
		}
	}
	*out = m;
	m = NULL;
out:
	close_fd(&j.lfd);
	if (j.ai)
		freeaddrinfo(j.ai);
	free(j.tab);
	tp_mesh_close(m);
	return ret;
}

void tp_mesh_close(struct tp_mesh *m)
{
	if (!m)
		return;
	if (m->fd)
		for (int h = 0; h < m->nhosts; h++)
			close_fd(&m->fd[h]);
	free(m->fd);
	free(m);
}
