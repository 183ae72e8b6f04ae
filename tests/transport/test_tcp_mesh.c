/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/tcp.h"

#define DIGEST 0x1234abcd5678ef00ull
#define MSGLEN 16

/* What one host is started with. */
struct spec {
	int nhosts, self;
	char rendezvous[64];
	const char *token; /* NULL: host 0 makes one */
	uint64_t digest;
	unsigned timeout_s;
};

/* What it reports. */
struct result {
	int ret;
	bool data_ok; /* it exchanged bytes with every other host */
	char err[256];
};

/* Host 0 tells the test its port and token from its callback. */
struct listen_info {
	int port;
	char token[65];
};

struct host {
	pid_t pid;
	int rfd; /* its result */
};

/* The hosts started and not reaped yet, for a test that failed midway. */
static pid_t running[16];

static void running_set(pid_t old, pid_t pid)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (running[i] == old) {
			running[i] = pid;
			return;
		}
	}
	fail_msg("too many hosts");
}

/* Teardown: no host outlives its test. */
static int reap_all(void **state)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (running[i] > 0) {
			kill(running[i], SIGKILL);
			waitpid(running[i], NULL, 0);
			running[i] = 0;
		}
	}
	return 0;
}

static void on_listening(const struct tp_mesh *m, void *arg)
{
	struct listen_info li = {.port = m->port};
	int fd = *(int *)arg;

	snprintf(li.token, sizeof(li.token), "%s", m->token);
	if (write(fd, &li, sizeof(li)) != sizeof(li))
		_exit(3);
	close(fd);
}

static bool read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 5000) != 1)
			return false;
		n = read(fd, p, len);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* The sockets are as tcp.h says; every pair swaps a message each way. */
static bool exchange(const struct tp_mesh *m)
{
	char msg[MSGLEN], want[MSGLEN];

	if (m->fd[m->self] != -1)
		return false;
	for (int h = 0; h < m->nhosts; h++) {
		int fd = m->fd[h], one = 0;
		socklen_t len = sizeof(one);

		if (h == m->self)
			continue;
		if (fd < 0 || !(fcntl(fd, F_GETFL) & O_NONBLOCK) ||
		    !(fcntl(fd, F_GETFD) & FD_CLOEXEC) ||
		    getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len) ||
		    !one)
			return false;
		memset(msg, 0, sizeof(msg));
		snprintf(msg, sizeof(msg), "%d>%d", m->self, h);
		if (write(fd, msg, sizeof(msg)) != sizeof(msg))
			return false;
	}
	for (int h = 0; h < m->nhosts; h++) {
		if (h == m->self)
			continue;
		memset(want, 0, sizeof(want));
		snprintf(want, sizeof(want), "%d>%d", h, m->self);
		if (!read_full(m->fd[h], msg, sizeof(msg)) ||
		    memcmp(msg, want, sizeof(msg)))
			return false;
	}
	return true;
}

/*
 * Start a host in a child. Host 0 writes its struct listen_info to
 * *listen_fd if listen_fd is not NULL (and sets it to the read end).
 */
static void host_start(struct host *hs, const struct spec *s, int *listen_fd)
{
	int rp[2], lp[2] = {-1, -1};

	assert_int_equal(pipe(rp), 0);
	if (listen_fd)
		assert_int_equal(pipe(lp), 0);
	hs->pid = fork();
	assert_true(hs->pid >= 0);
	if (!hs->pid) {
		struct tp_mesh_opts o = {
			.nhosts = s->nhosts,
			.self = s->self,
			.rendezvous = s->rendezvous,
			.token = s->token,
			.digest = s->digest,
			.timeout_s = s->timeout_s,
		};
		struct result r = {0};
		struct tp_mesh *m = NULL;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(20);
		close(rp[0]);
		if (listen_fd) {
			close(lp[0]);
			o.listening = on_listening;
			o.arg = &lp[1];
		}
		r.ret = tp_mesh_join(&o, &m, r.err, sizeof(r.err));
		if (!r.ret)
			r.data_ok = exchange(m);
		tp_mesh_close(m);
		if (write(rp[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		/* exit, not _exit: a sanitizer build checks for leaks. */
		exit(0);
	}
	running_set(0, hs->pid);
	close(rp[1]);
	hs->rfd = rp[0];
	if (listen_fd) {
		close(lp[1]);
		*listen_fd = lp[0];
	}
}

/* Wait for a host's result and reap it. */
static struct result host_wait(struct host *hs)
{
	struct result r = {.ret = 1};
	int status;

	if (read(hs->rfd, &r, sizeof(r)) != sizeof(r))
		snprintf(r.err, sizeof(r.err), "host died");
	close(hs->rfd);
	assert_int_equal(waitpid(hs->pid, &status, 0), hs->pid);
	running_set(hs->pid, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("host exited with status %#x", status);
	return r;
}

/* Kill a host and reap it. */
static void host_kill(struct host *hs)
{
	kill(hs->pid, SIGKILL);
	assert_int_equal(waitpid(hs->pid, NULL, 0), hs->pid);
	running_set(hs->pid, 0);
	close(hs->rfd);
}

/* Host 0's port and token, once it listens. */
static struct listen_info host0_listening(int fd)
{
	struct listen_info li;

	assert_int_equal(read(fd, &li, sizeof(li)), sizeof(li));
	close(fd);
	return li;
}

static struct spec spec_of(int nhosts, int self, int port, const char *token)
{
	struct spec s = {.nhosts = nhosts,
			 .self = self,
			 .token = token,
			 .digest = DIGEST,
			 .timeout_s = 10};

	snprintf(s.rendezvous, sizeof(s.rendezvous), "127.0.0.1:%d", port);
	return s;
}

/* A port nobody listens on (right now). */
static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void assert_joined(struct result r)
{
	if (r.ret)
		fail_msg("join: %d: %s", r.ret, r.err);
	assert_true(r.data_ok);
}

/*
 * H hosts, host 0 first with a token of its own making, listening on
 * at0:0; the others dial at:PORT.
 */
static void mesh_at(int nhosts, const char *at0, const char *at)
{
	struct host hs[8];
	struct spec s = spec_of(nhosts, 0, 0, NULL);
	struct listen_info li;
	int lfd;

	snprintf(s.rendezvous, sizeof(s.rendezvous), "%s:0", at0);
	host_start(&hs[0], &s, &lfd);
	li = host0_listening(lfd);
	assert_true(li.port > 0);
	assert_int_equal(strlen(li.token), TP_TOKEN_LEN);
	assert_int_equal(strspn(li.token, "0123456789abcdef"), TP_TOKEN_LEN);
	for (int h = 1; h < nhosts; h++) {
		s = spec_of(nhosts, h, li.port, li.token);
		snprintf(s.rendezvous, sizeof(s.rendezvous), "%s:%d", at,
			 li.port);
		host_start(&hs[h], &s, NULL);
	}
	for (int h = 0; h < nhosts; h++)
		assert_joined(host_wait(&hs[h]));
}

static void mesh_of(int nhosts)
{
	mesh_at(nhosts, "127.0.0.1", "127.0.0.1");
}

static void mesh_of_two(void **state)
{
	mesh_of(2);
}

static void mesh_of_three_and_five(void **state)
{
	mesh_of(3);
	mesh_of(5);
}

/* Whether [::] takes IPv4 connections too (net.ipv6.bindv6only = 0). */
static bool dual_stack(void)
{
	FILE *f = fopen("/proc/sys/net/ipv6/bindv6only", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == '0';
}

/*
 * Over ::1, IPv4 to a dual-stack host 0, and to a name (localhost: maybe
 * ::1 first, then 127.0.0.1).
 */
static void mesh_over_ipv6_and_names(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6,
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool v6 = fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa));

	if (fd >= 0)
		close(fd);
	if (v6) {
		mesh_at(3, "[::1]", "[::1]");
		/* IPv4 hosts reach host 0 on [::]: they are told as IPv4. */
		if (dual_stack())
			mesh_at(3, "[::]", "127.0.0.1");
	}
	mesh_at(2, "", "localhost");
	if (!v6)
		skip();
}

static void host0_starts_last(void **state)
{
	int port = free_port();
	struct host hs[3];
	struct spec s;

	for (int h = 1; h < 3; h++) {
		s = spec_of(3, h, port, "s3cret");
		host_start(&hs[h], &s, NULL);
	}
	usleep(400 * 1000); /* they retry meanwhile */
	s = spec_of(3, 0, port, "s3cret");
	host_start(&hs[0], &s, NULL);
	for (int h = 0; h < 3; h++)
		assert_joined(host_wait(&hs[h]));
}

/*
 * Host 1 comes wrong (bad changes the spec) and is refused with a reason
 * containing why; then the right host 1 joins.
 */
static void refused_then_right(void (*bad)(struct spec *), int want_ret,
			       const char *why)
{
	struct spec s = spec_of(2, 0, 0, "tok-en");
	struct host h0, wrong, right;
	struct listen_info li;
	struct result r;
	int lfd;

	host_start(&h0, &s, &lfd);
	li = host0_listening(lfd);
	s = spec_of(2, 1, li.port, "tok-en");
	bad(&s);
	host_start(&wrong, &s, NULL);
	r = host_wait(&wrong);
	assert_int_equal(r.ret, want_ret);
	if (!strstr(r.err, why) || !strstr(r.err, "host 0 refused us"))
		fail_msg("unexpected err: %s", r.err);
	s = spec_of(2, 1, li.port, "tok-en");
	host_start(&right, &s, NULL);
	assert_joined(host_wait(&right));
	assert_joined(host_wait(&h0));
}

static void bad_token(struct spec *s)
{
	s->token = "tok-em";
}

static void bad_digest(struct spec *s)
{
	s->digest++;
}

static void bad_nhosts(struct spec *s)
{
	s->nhosts = 3;
}

static void wrong_token_refused(void **state)
{
	refused_then_right(bad_token, -EACCES, "wrong token");
}

static void other_digest_refused(void **state)
{
	refused_then_right(bad_digest, -ECONNREFUSED,
			   "another digest: the hosts run another config");
}

static void other_nhosts_refused(void **state)
{
	refused_then_right(bad_nhosts, -ECONNREFUSED, "number of hosts");
}

/* Two hosts say they are host 1: one of them is refused. */
static void index_twice_refused(void **state)
{
	struct spec s = spec_of(3, 0, 0, "tok");
	struct host hs[4];
	struct listen_info li;
	struct result r[4];
	int lfd, refused = 0;

	host_start(&hs[0], &s, &lfd);
	li = host0_listening(lfd);
	s = spec_of(3, 1, li.port, "tok");
	host_start(&hs[1], &s, NULL);
	host_start(&hs[2], &s, NULL);
	/* The refused one ends; then host 2 completes the mesh. */
	usleep(300 * 1000);
	s = spec_of(3, 2, li.port, "tok");
	host_start(&hs[3], &s, NULL);
	for (int h = 0; h < 4; h++)
		r[h] = host_wait(&hs[h]);
	assert_joined(r[0]);
	assert_joined(r[3]);
	for (int h = 1; h < 3; h++) {
		if (!r[h].ret) {
			assert_true(r[h].data_ok);
			continue;
		}
		refused++;
		assert_int_equal(r[h].ret, -ECONNREFUSED);
		assert_string_equal(
			r[h].err, "host 0 refused us: index 1 joined already");
	}
	assert_int_equal(refused, 1);
}

/* Host 0 drops a connection that says no hello within 5 s. */
static void silent_peer_dropped(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct spec s = spec_of(2, 0, 0, "tok");
	struct timespec t0, t1;
	struct host h0, h1;
	struct listen_info li;
	struct pollfd pfd;
	char c;
	int lfd;

	host_start(&h0, &s, &lfd);
	li = host0_listening(lfd);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)li.port);
	pfd.fd = socket(AF_INET, SOCK_STREAM, 0);
	pfd.events = POLLIN;
	assert_int_equal(connect(pfd.fd, (struct sockaddr *)&sa, sizeof(sa)),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(poll(&pfd, 1, 8000), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(read(pfd.fd, &c, 1), 0);
	assert_true(t1.tv_sec - t0.tv_sec >= 4);
	close(pfd.fd);
	s = spec_of(2, 1, li.port, "tok");
	host_start(&h1, &s, NULL);
	assert_joined(host_wait(&h1));
	assert_joined(host_wait(&h0));
}

/* A connection that never says hello holds up nobody. */
static void silent_peer_ignored(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct spec s = spec_of(2, 0, 0, "tok");
	struct host h0, h1;
	struct listen_info li;
	int lfd, fd;

	host_start(&h0, &s, &lfd);
	li = host0_listening(lfd);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)li.port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, "hel", 3), 3); /* a part of a hello */
	s = spec_of(2, 1, li.port, "tok");
	host_start(&h1, &s, NULL);
	assert_joined(host_wait(&h1));
	assert_joined(host_wait(&h0));
	close(fd);
}

/* Host 2 never comes; then it comes with the wrong token. */
/*
 * Host 1 dies after it joined host 0, while host 2 dials it: host 0 and
 * host 2 fail at once, not at the deadline.
 */
static void host_dying_ends_the_join(void **state)
{
	struct spec s = spec_of(3, 0, 0, "tok");
	struct timespec t0, t1;
	struct host h0, h1, h2;
	struct listen_info li;
	struct result r;
	int lfd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	host_start(&h0, &s, &lfd);
	li = host0_listening(lfd);
	s = spec_of(3, 1, li.port, "tok");
	host_start(&h1, &s, NULL);
	usleep(500 * 1000); /* it joined host 0 */
	kill(h1.pid, SIGSTOP);
	s = spec_of(3, 2, li.port, "tok");
	host_start(&h2, &s, NULL);
	usleep(500 * 1000); /* host 2 waits for host 1's answer */
	host_kill(&h1);
	r = host_wait(&h0);
	assert_int_equal(r.ret, -ECONNRESET);
	if (strcmp(r.err, "host 1 failed to connect to the others") &&
	    strcmp(r.err, "host 2 failed to connect to the others"))
		fail_msg("unexpected err: %s", r.err);
	r = host_wait(&h2);
	assert_true(r.ret < 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
}

static void missing_host_times_out(void **state)
{
	static const char why[] = "host 2 did not join within 1 s";
	struct spec s = spec_of(3, 0, 0, "tok");
	struct host h0, h1, h2;
	struct listen_info li;
	struct result r;
	int lfd;

	for (int wrong = 0; wrong < 2; wrong++) {
		s = spec_of(3, 0, 0, "tok");
		s.timeout_s = 1;
		host_start(&h0, &s, &lfd);
		li = host0_listening(lfd);
		/* It outlasts host 0, which names host 2 alone. */
		s = spec_of(3, 1, li.port, "tok");
		s.timeout_s = 3;
		host_start(&h1, &s, NULL);
		if (wrong) {
			s = spec_of(3, 2, li.port, "kot");
			host_start(&h2, &s, NULL);
			assert_int_equal(host_wait(&h2).ret, -EACCES);
		}
		r = host_wait(&h0);
		assert_int_equal(r.ret, -ETIMEDOUT);
		if (!wrong)
			assert_string_equal(r.err, why);
		else if (strncmp(r.err, why, strlen(why)) ||
			 !strstr(r.err,
				 " (1 refused, the last from 127.0.0.1:") ||
			 !strstr(r.err, ": wrong token)"))
			fail_msg("unexpected err: %s", r.err);
		r = host_wait(&h1);
		assert_int_equal(r.ret, -ECONNRESET);
		assert_string_equal(r.err, "host 0 ended the join: another "
					   "host failed or it timed out");
	}
}

/* A host that joined host 0 and left (it timed out) can join again. */
static void host_that_left_can_rejoin(void **state)
{
	struct spec s = spec_of(3, 0, 0, "tok");
	struct host hs[3], quitter;
	struct listen_info li;
	int lfd;

	host_start(&hs[0], &s, &lfd);
	li = host0_listening(lfd);
	s = spec_of(3, 1, li.port, "tok");
	s.timeout_s = 1;
	host_start(&quitter, &s, NULL);
	assert_int_equal(host_wait(&quitter).ret, -ETIMEDOUT);
	for (int h = 1; h < 3; h++) {
		s = spec_of(3, h, li.port, "tok");
		host_start(&hs[h], &s, NULL);
	}
	for (int h = 0; h < 3; h++)
		assert_joined(host_wait(&hs[h]));
}

static void no_host0_times_out(void **state)
{
	int port = free_port();
	struct spec s = spec_of(2, 1, port, "tok");
	char want[128];
	struct host h1;
	struct result r;

	s.timeout_s = 1;
	host_start(&h1, &s, NULL);
	r = host_wait(&h1);
	assert_int_equal(r.ret, -ETIMEDOUT);
	snprintf(want, sizeof(want),
		 "no answer from host 0 at 127.0.0.1:%d within 1 s", port);
	assert_string_equal(r.err, want);
}

static void expect_einval(const struct tp_mesh_opts *o)
{
	struct tp_mesh *m = NULL;
	char err[256] = "";

	assert_int_equal(tp_mesh_join(o, &m, err, sizeof(err)), -EINVAL);
	assert_null(m);
	assert_true(err[0]);
	assert_null(strchr(err, '\n'));
}

static void bad_options(void **state)
{
	static const char *const bad_rv[] = {
		"127.0.0.1",	   "127.0.0.1:",
		"127.0.0.1:65536", "127.0.0.1:x80",
		"::1:80",	   "[::1:80",
		"[]:80",	   "[::1]80",
		"127.0.0.1:-1",	   "127.0.0.1:1234567",
	};
	char long_token[66];
	struct tp_mesh_opts o = {.nhosts = 2,
				 .self = 1,
				 .rendezvous = "127.0.0.1:1",
				 .token = "tok",
				 .timeout_s = 1};
	struct tp_mesh_opts b;

	memset(long_token, 'a', 65);
	long_token[65] = '\0';
	b = o, b.nhosts = 1, b.self = 0;
	expect_einval(&b);
	b = o, b.self = 2;
	expect_einval(&b);
	b = o, b.self = -1;
	expect_einval(&b);
	b = o, b.rendezvous = NULL;
	expect_einval(&b);
	for (size_t i = 0; i < sizeof(bad_rv) / sizeof(bad_rv[0]); i++) {
		b = o, b.rendezvous = bad_rv[i];
		expect_einval(&b);
	}
	b = o, b.token = NULL; /* only host 0 may */
	expect_einval(&b);
	b = o, b.token = "";
	expect_einval(&b);
	b = o, b.token = long_token;
	expect_einval(&b);
	b = o, b.token = "tab\there";
	expect_einval(&b);
	b = o, b.token = "\x80x";
	expect_einval(&b);
	assert_int_equal(tp_mesh_join(NULL, NULL, NULL, 0), -EINVAL);
	tp_mesh_close(NULL);
}

/* How many fds this process has open. */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* A join that fails leaves no fd open. */
static void failure_closes_all(void **state)
{
	struct tp_mesh_opts o = {.nhosts = 3,
				 .self = 0,
				 .rendezvous = "127.0.0.1:0",
				 .timeout_s = 1};
	struct tp_mesh *m = NULL;
	int before = open_fds();
	char err[256];

	assert_int_equal(tp_mesh_join(&o, &m, err, sizeof(err)), -ETIMEDOUT);
	assert_string_equal(err, "host 1 did not join within 1 s");
	assert_null(m);
	assert_int_equal(open_fds(), before);
	o.self = 2;
	o.token = "tok";
	o.rendezvous = "127.0.0.1:1"; /* nobody listens on port 1 */
	assert_int_equal(tp_mesh_join(&o, &m, err, sizeof(err)), -ETIMEDOUT);
	assert_string_equal(err,
			    "no answer from host 0 at 127.0.0.1:1 within 1 s");
	assert_null(m);
	assert_int_equal(open_fds(), before);
}

static void listen_fails(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct tp_mesh_opts o = {.nhosts = 2, .self = 0, .timeout_s = 1};
	struct tp_mesh *m = NULL;
	char rv[64], err[256], want[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(rv, sizeof(rv), ":%d", ntohs(sa.sin_port));
	o.rendezvous = rv;
	assert_int_equal(tp_mesh_join(&o, &m, err, sizeof(err)), -EADDRINUSE);
	assert_null(m);
	snprintf(want, sizeof(want),
		 "cannot listen on %s: Address already in use", rv);
	assert_string_equal(err, want);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(mesh_of_two, reap_all),
		cmocka_unit_test_teardown(mesh_of_three_and_five, reap_all),
		cmocka_unit_test_teardown(mesh_over_ipv6_and_names, reap_all),
		cmocka_unit_test_teardown(host0_starts_last, reap_all),
		cmocka_unit_test_teardown(wrong_token_refused, reap_all),
		cmocka_unit_test_teardown(other_digest_refused, reap_all),
		cmocka_unit_test_teardown(other_nhosts_refused, reap_all),
		cmocka_unit_test_teardown(index_twice_refused, reap_all),
		cmocka_unit_test_teardown(silent_peer_ignored, reap_all),
		cmocka_unit_test_teardown(silent_peer_dropped, reap_all),
		cmocka_unit_test_teardown(host_dying_ends_the_join, reap_all),
		cmocka_unit_test_teardown(missing_host_times_out, reap_all),
		cmocka_unit_test_teardown(host_that_left_can_rejoin, reap_all),
		cmocka_unit_test_teardown(no_host0_times_out, reap_all),
		cmocka_unit_test_teardown(bad_options, reap_all),
		cmocka_unit_test_teardown(listen_fails, reap_all),
		cmocka_unit_test_teardown(failure_closes_all, reap_all),
	};

	/* A hang fails the run instead of holding it. */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
