/* SPDX-License-Identifier: MIT */
/*
 * The launcher: create the fabric, fork one process per rank, supervise
 * them from one io_uring loop (a poll on each rank's pidfd, on a signalfd
 * for SIGINT/SIGTERM/SIGHUP/SIGTSTP/SIGCONT, on the engine's deadlock
 * eventfd, and a timer for the progress line), stop everything on the
 * first failure, then report.
 *
 * The ranks run in a process group of their own so that a Ctrl-C reaches
 * only the launcher, which then stops them in order, and so that a rank's
 * own children die with the run; those that left the group are swept
 * after it (strays.c). PR_SET_PDEATHSIG covers the launcher itself being
 * killed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "emu/emu.h"
#include "emu/host.h"
#include "emu/report.h"
#include "emu/strays.h"
#include "emu/trace.h"
#include "topology/topo.h"

#define UD_SIGNAL	 (UINT64_MAX - 1)
#define UD_NOTIFY	 (UINT64_MAX - 2)
#define UD_TICK		 (UINT64_MAX - 3)
#define UD_WATCH	 (UINT64_MAX - 4)
#define UD_AGENT	 (UINT64_MAX - 5)
#define UD_HOST_WAIT	 (UINT64_MAX - 6)
#define HOST_WAIT_S	 5
#define PROGRESS_AFTER_S 5
#define PROGRESS_EVERY_S 10
#define RING_MAX_ENTRIES 1024

/* What a child whose exec failed tells the launcher through errpipe. */
struct exec_failure {
	int rank;
	int err;
};

struct launch {
	const struct emu_job *job;
	struct emu_fabric *fab;
	struct emu_trace *trace; /* --trace, NULL: none */
	char *path;		 /* resolved program (exec jobs) */
	pid_t parent;
	pid_t pgid; /* the ranks' process group */
	pid_t *pid;
	int *pidfd; /* -1 once reaped */
	int nstarted;
	int nlive; /* started and not reaped */
	int stopping;
	int sigfd;
	int errpipe[2];
	int progress; /* status lines on the terminal (stderr) */
	uint64_t t0;
	struct __kernel_timespec tick, watch_tick, host_wait;
	uint64_t mark, marked_ns; /* the last change of progress_mark */
	sigset_t oldmask;
	struct io_uring ring;
	struct emu_run run;
	struct host_side hs; /* several hosts (emu/host.h) */
};

static int exec_check(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || access(path, X_OK))
		return -EACCES;
	return 0;
}

/* Find name as execvp would, once, so that each child only calls execv. */
static int find_program(const char *name, char **out)
{
	const char *dir, *end;
	int err = -ENOENT;
	char *cand;
	int ret;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		ret = exec_check(name);
		if (ret)
			return ret;
		*out = strdup(name);
		return *out ? 0 : -ENOMEM;
	}
	dir = getenv("PATH");
	if (!dir)
		dir = "/usr/local/bin:/usr/bin:/bin";
	for (;; dir = end + 1) {
		end = strchrnul(dir, ':');
		if (end == dir)
			ret = asprintf(&cand, "./%s", name);
		else
			ret = asprintf(&cand, "%.*s/%s", (int)(end - dir), dir,
				       name);
		if (ret < 0)
			return -ENOMEM;
		ret = exec_check(cand);
		if (!ret) {
			*out = cand;
			return 0;
		}
		free(cand);
		if (ret == -EACCES)
			err = ret;
		if (!*end)
			return err;
	}
}

static void set_env_int(const char *name, int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	setenv(name, buf, 1);
}

/*
 * In the forked child: join the group, die with the launcher, get the
 * environment, then exec or call fn. The launcher is single-threaded, so
 * setenv and stdio are safe here.
 */
static void __attribute__((noreturn)) child_main(struct launch *l, int rank)
{
	const struct emu_job *job = l->job;
	struct exec_failure ef = {.rank = rank};
	ssize_t n;
	int ret;

	setpgid(0, l->pgid);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != l->parent)
		_exit(127);
	sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	close(l->sigfd);
	close(l->errpipe[0]);
	set_env_int(EMU_ENV_FD, emu_fabric_fd(l->fab));
	set_env_int(EMU_ENV_RANK, rank);
	set_env_int(EMU_ENV_SIZE, job->nranks);
	setenv(EMU_ENV_TOPO, job->topo_spec, 1);
	if (job->hosts)
		host_side_child(&l->hs, rank);
	if (job->fn) {
		ret = job->fn(job->arg);
		fflush(NULL);
		_exit(!ret ? 0 : (ret & 0xff) ?: 1); /* never 0 for an error */
	}
	execv(l->path, job->argv);
	ef.err = errno;
	/* If even this fails, the status 127 still says the exec did. */
	n = write(l->errpipe[1], &ef, sizeof(ef));
	(void)n;
	_exit(127);
}

static int sys_pidfd_open(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

static int sys_pidfd_kill(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/*
 * Fork every rank, then open the pidfds: opened inside the loop, each one
 * would be inherited by every later child (N^2 / 2 fds to copy and close).
 * Unreaped children keep their pids, so the late pidfd_open is safe.
 */
static int start_ranks(struct launch *l)
{
	int n = l->job->nranks;
	pid_t pid;
	int fd;

	fflush(NULL); /* or children would print the launcher's buffers */
	for (int r = 0; r < n; r++) {
		pid = fork();
		if (pid < 0)
			return -errno;
		if (!pid)
			child_main(l, r);
		if (!l->pgid)
			l->pgid = pid;
		setpgid(pid, l->pgid); /* also here: no race with exec */
		l->pid[r] = pid;
		l->nstarted++;
		l->nlive++;
		emu_fabric_set_pid(l->fab, r, pid);
	}
	if (l->job->hosts)
		host_side_started(&l->hs);
	for (int r = 0; r < n; r++) {
		fd = sys_pidfd_open(l->pid[r]);
		if (fd < 0)
			return fd;
		l->pidfd[r] = fd;
	}
	return 0;
}

/* An SQE, submitting the queue first when it is full. */
static struct io_uring_sqe *get_sqe(struct launch *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe;
}

static void arm_poll(struct launch *l, int fd, uint64_t ud)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, ud);
}

static void arm_tick(struct launch *l, int seconds)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	l->tick.tv_sec = seconds;
	io_uring_prep_timeout(sqe, &l->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_TICK);
}

static void arm_watch(struct launch *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	l->watch_tick.tv_sec = 1;
	io_uring_prep_timeout(sqe, &l->watch_tick, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_WATCH);
}

/* Changes whenever the engine handles an event or a rank moves. */
static uint64_t progress_mark(struct launch *l)
{
	uint64_t h = emu_fabric_events(l->fab);
	struct emu_rank_info in;

	for (int r = 0; r < l->job->nranks; r++) {
		emu_fabric_rank_info(l->fab, r, &in);
		h = (h * 31 + in.state) * 31 + in.clock_ns;
	}
	return h;
}

/*
 * A whole status line on stderr, in one write: how far the ranks have
 * got. Never redrawn in place, so the ranks' own output (they share the
 * terminal) is never glued to it.
 */
static void show_progress(struct launch *l)
{
	char line[160];
	int len;

	uint64_t lo = UINT64_MAX, hi = 0;
	struct emu_rank_info in;
	int live = 0;

	for (int r = 0; r < l->job->nranks; r++) {
		emu_fabric_rank_info(l->fab, r, &in);
		if (in.state == EMU_RANK_DONE)
			continue;
		live++;
		lo = MIN(lo, in.clock_ns);
		hi = MAX(hi, in.clock_ns);
	}
	len = snprintf(line, sizeof(line),
		       "snemu: [%.0f s] %d rank%s running, virtual clocks "
		       "%.3f-%.3f us, %" PRIu64 " events\n",
		       (snemu_wall_ns() - l->t0) / 1e9, live, snemu_s(live),
		       live ? lo / 1e3 : 0.0, hi / 1e3,
		       emu_fabric_events(l->fab));
	if (write(STDERR_FILENO, line, MIN((size_t)len, sizeof(line) - 1)) < 0)
		l->progress = 0;
	arm_tick(l, PROGRESS_EVERY_S);
}

/* Has rank r's process ended (it may not be reaped yet)? */
static int exited(const struct launch *l, int r)
{
	siginfo_t si = {0};

	return !waitid(P_PID, l->pid[r], &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid;
}

/*
 * Stop the run: remember how every rank stood (before the abort wakes the
 * blocked ones), kill every live rank and anything in their group, and
 * wake whoever is left inside the engine. Only the first cause counts.
 */
static void stop_run(struct launch *l, enum emu_run_status status, int rank,
		     int signo)
{
	if (l->stopping)
		return;
	l->stopping = 1;
	if (l->job->hosts)
		host_side_stop(&l->hs, status);
	l->run.status = status;
	l->run.cause_rank = rank;
	l->run.signo = signo;
	for (int r = 0; r < l->job->nranks; r++)
		emu_fabric_rank_info(l->fab, r, &l->run.info[r]);
	for (int r = 0; r < l->nstarted; r++)
		if (l->pidfd[r] >= 0 && r != rank)
			l->run.exit[r].stopped = !exited(l, r);
	/* Only while a member (maybe a zombie) holds the group's number. */
	if (l->nlive)
		kill(-l->pgid, SIGKILL);
	for (int r = 0; r < l->nstarted; r++)
		if (l->pidfd[r] >= 0)
			sys_pidfd_kill(l->pidfd[r], SIGKILL);
	emu_fabric_abort(l->fab);
}

static void read_exec_failures(struct launch *l)
{
	struct exec_failure ef;

	while (read(l->errpipe[0], &ef, sizeof(ef)) == sizeof(ef))
		if (ef.rank >= 0 && ef.rank < l->job->nranks)
			l->run.exit[ef.rank].exec_err = ef.err;
}

/* A rank's pidfd is readable: judge how it ended, then reap it. */
static void rank_ended(struct launch *l, int r)
{
	struct emu_rank_exit *ex = &l->run.exit[r];
	struct emu_rank_info info;
	siginfo_t si = {0};

	/* Peek first: the zombie keeps the group alive for stop_run's kill. */
	if (waitid(P_PID, l->pid[r], &si, WEXITED | WNOHANG | WNOWAIT) ||
	    !si.si_pid) {
		arm_poll(l, l->pidfd[r], r);
		return;
	}
	if (si.si_code == CLD_EXITED) {
		ex->code = si.si_status;
		ex->signo = 0;
	} else {
		ex->code = -1;
		ex->signo = si.si_status;
	}
	if (l->job->hosts)
		host_side_rank_ended(&l->hs, r,
				     ex->signo ? ex->signo : ex->code << 8);
	if (!l->stopping) {
		if (ex->code == 127)
			read_exec_failures(l);
		emu_fabric_rank_info(l->fab, r, &info);
		if (emu_fabric_corrupted(l->fab))
			stop_run(l, EMU_RUN_CORRUPT, r, 0);
		else if (ex->code || info.state != EMU_RANK_DONE)
			stop_run(l, EMU_RUN_FAILED, r, 0);
		else if (l->nlive == 1)
			kill(-l->pgid, SIGKILL); /* strays of a good run */
	}
	waitid(P_PID, l->pid[r], &si, WEXITED);
	close(l->pidfd[r]);
	l->pidfd[r] = -1;
	l->pid[r] = 0;
	l->nlive--;
}

/*
 * Ctrl-Z stops the ranks with the launcher (they are not in the terminal's
 * foreground group), and fg continues them; the other signals stop the run.
 */
static void signal_arrived(struct launch *l)
{
	struct signalfd_siginfo ssi;

	while (read(l->sigfd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
		if (ssi.ssi_signo == SIGTSTP) {
			if (l->nlive)
				kill(-l->pgid, SIGSTOP);
			raise(SIGSTOP);
		} else if (ssi.ssi_signo == SIGCONT) {
			if (l->nlive)
				kill(-l->pgid, SIGCONT);
			/* Suspended is not stalled. */
			l->marked_ns = snemu_wall_ns();
		} else {
			stop_run(l, EMU_RUN_INTERRUPTED, -1, ssi.ssi_signo);
		}
	}
	arm_poll(l, l->sigfd, UD_SIGNAL);
}

static void arm_host_wait(struct launch *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	l->host_wait.tv_sec = HOST_WAIT_S;
	io_uring_prep_timeout(sqe, &l->host_wait, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_HOST_WAIT);
}

/* Stop because of another host, unless the run stopped already. */
static void host_stopped(struct launch *l, int host, int why)
{
	if (l->stopping)
		return;
	l->run.cause_host = host;
	l->run.host_why = why;
	stop_run(l, EMU_RUN_HOST, -1, 0);
}

/*
 * The agent says another host went away or stopped, or it is gone. A
 * deadlock found there is one here too, where the engine runs the same
 * events: wait a while for it to find it, so that the report says the
 * same (the agent still hands the ghosts their last calls).
 */
static void agent_said(struct launch *l)
{
	struct host_ctl m;
	int ret;

	while ((ret = host_side_read(&l->hs, &m)) > 0) {
		if (m.kind == HOST_CTL_DONE)
			return;
		if (m.kind == HOST_CTL_ABORTED && m.arg == EMU_RUN_DEADLOCK) {
			if (l->run.cause_host < 0) {
				l->run.cause_host = m.who;
				arm_host_wait(l);
			}
			continue;
		}
		host_stopped(l, m.who, m.kind == HOST_CTL_LOST ? -1 : m.arg);
	}
	if (!ret) {
		arm_poll(l, l->hs.ctl, UD_AGENT);
	} else if (!l->stopping) {
		l->run.cause_host = l->job->hosts->self;
		l->run.host_why = -1;
		stop_run(l, EMU_RUN_HOST, -1, 0);
	}
}

static void engine_notified(struct launch *l)
{
	int fd = emu_fabric_notify_fd(l->fab);
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	if (emu_fabric_deadlocked(l->fab))
		stop_run(l, EMU_RUN_DEADLOCK, -1, 0);
	arm_poll(l, fd, UD_NOTIFY);
}

/* Once a second: stop a run past --timeout, or stalled for --watchdog. */
static void watch(struct launch *l)
{
	const struct emu_job *job = l->job;
	uint64_t now = snemu_wall_ns(), mark;

	if (l->stopping)
		return;
	if (emu_fabric_corrupted(l->fab)) {
		stop_run(l, EMU_RUN_CORRUPT, -1, 0);
		return;
	}
	if (job->timeout_s && now - l->t0 >= job->timeout_s * 1000000000ULL) {
		stop_run(l, EMU_RUN_TIMEOUT, -1, 0);
		return;
	}
	mark = progress_mark(l);
	if (mark != l->mark) {
		l->mark = mark;
		l->marked_ns = now;
	} else if (job->watchdog_s &&
		   now - l->marked_ns >= job->watchdog_s * 1000000000ULL) {
		stop_run(l, EMU_RUN_STALLED, -1, 0);
		return;
	}
	arm_watch(l);
}

static int supervise(struct launch *l)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen;
	int ret;

	for (int r = 0; r < l->nstarted; r++)
		arm_poll(l, l->pidfd[r], r);
	arm_poll(l, l->sigfd, UD_SIGNAL);
	arm_poll(l, emu_fabric_notify_fd(l->fab), UD_NOTIFY);
	if (l->job->hosts)
		arm_poll(l, l->hs.ctl, UD_AGENT);
	/* Short runs print no progress, so it rarely mixes with theirs. */
	if (l->progress)
		arm_tick(l, PROGRESS_AFTER_S);
	if (l->job->timeout_s || l->job->watchdog_s) {
		l->marked_ns = snemu_wall_ns();
		arm_watch(l);
	}
	while (l->nlive) {
		ret = io_uring_submit_and_wait(&l->ring, 1);
		if (ret < 0 && ret != -EINTR)
			return ret;
		seen = 0;
		io_uring_for_each_cqe(&l->ring, head, cqe)
		{
			uint64_t ud = io_uring_cqe_get_data64(cqe);

			if (ud == UD_SIGNAL)
				signal_arrived(l);
			else if (ud == UD_NOTIFY)
				engine_notified(l);
			else if (ud == UD_TICK)
				show_progress(l);
			else if (ud == UD_WATCH)
				watch(l);
			else if (ud == UD_AGENT)
				agent_said(l);
			else if (ud == UD_HOST_WAIT)
				host_stopped(l, l->run.cause_host,
					     EMU_RUN_DEADLOCK);
			else
				rank_ended(l, (int)ud);
			seen++;
		}
		io_uring_cq_advance(&l->ring, seen);
	}
	/* A signal that came with the last exits still interrupts the run. */
	signal_arrived(l);
	return 0;
}

/* Kill and reap whatever started, without the ring (error paths). */
static void kill_all(struct launch *l)
{
	if (l->nlive)
		kill(-l->pgid, SIGKILL);
	for (int r = 0; r < l->nstarted; r++) {
		if (l->pid[r] <= 0)
			continue;
		kill(l->pid[r], SIGKILL); /* unreaped: the pid is still ours */
		waitpid(l->pid[r], NULL, 0);
		if (l->pidfd[r] >= 0)
			close(l->pidfd[r]);
		l->pidfd[r] = -1;
		l->pid[r] = 0;
	}
	l->nlive = 0;
}

static int exit_status(const struct launch *l)
{
	switch (l->run.status) {
	case EMU_RUN_OK: return 0;
	case EMU_RUN_FAILED: return 1;
	case EMU_RUN_DEADLOCK: return 3;
	case EMU_RUN_INTERRUPTED: return 128 + l->run.signo;
	case EMU_RUN_CORRUPT: return 1;
	case EMU_RUN_TIMEOUT: return 4;
	case EMU_RUN_STALLED: return 5;
	case EMU_RUN_HOST: return 6;
	}
	return 1;
}

static int finish(struct launch *l)
{
	const struct emu_job *job = l->job;
	int status = exit_status(l);
	int ret, tret = 0;

	if (!l->stopping && emu_fabric_corrupted(l->fab)) {
		l->run.status = EMU_RUN_CORRUPT;
		l->run.cause_rank = -1;
	}
	if (!l->stopping)
		for (int r = 0; r < job->nranks; r++)
			emu_fabric_rank_info(l->fab, r, &l->run.info[r]);
	if (job->report_path) {
		ret = emu_report_write(&l->run, job->report_path);
		if (ret) {
			fprintf(stderr, "snemu: cannot write report %s: %s\n",
				job->report_path, strerror(-ret));
			if (!status)
				status = 1;
		}
	}
	if (l->trace) {
		tret = emu_trace_write(l->trace, &l->run);
		if (tret) {
			fprintf(stderr, "snemu: cannot write trace %s: %s\n",
				job->trace->path, strerror(-tret));
			if (!status)
				status = 1;
		}
	}
	if (!job->quiet)
		emu_report_summary(&l->run, stdout);
	if (!job->quiet && l->trace && !tret)
		emu_trace_summary(l->trace, stdout);
	fflush(stdout); /* the summary, then what went wrong */
	emu_report_failure(&l->run, stderr);
	return status;
}

static int alloc_ranks(struct launch *l, int n)
{
	l->pid = calloc(n, sizeof(*l->pid));
	l->pidfd = malloc(n * sizeof(*l->pidfd));
	l->run.info = calloc(n, sizeof(*l->run.info));
	l->run.exit = calloc(n, sizeof(*l->run.exit));
	if (!l->pid || !l->pidfd || !l->run.info || !l->run.exit)
		return -ENOMEM;
	for (int r = 0; r < n; r++)
		l->pidfd[r] = -1;
	return 0;
}

static void free_ranks(struct launch *l)
{
	free(l->run.exit);
	free(l->run.info);
	free(l->pidfd);
	free(l->pid);
}

/* A pidfd per rank: raise the soft limit on open files if it is short. */
static void fit_fd_limit(int nranks)
{
	struct rlimit rl;
	rlim_t want = 3 * (rlim_t)nranks + 64; /* several hosts: 2 per feed */

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = MIN(want, rl.rlim_max);
	setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * Block the signals the loop handles (children restore the old mask) and
 * watch them through a signalfd.
 */
static int open_signals(struct launch *l)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	sigprocmask(SIG_BLOCK, &set, &l->oldmask);
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sigfd < 0) {
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
		return -errno;
	}
	return 0;
}

static void close_signals(struct launch *l)
{
	close(l->sigfd);
	sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
}

int emu_run_job(const struct emu_job *job)
{
	const struct emu_hosts *hosts = job->hosts;
	struct emu_fabric_opts fo = {
		.nranks = job->nranks,
		.compute_scale = job->compute_scale,
		.nhosts = hosts ? hosts->nhosts : 1,
		.local_lo = hosts ? hosts->host_lo[hosts->self] : 0,
		.local_hi = hosts ? hosts->host_lo[hosts->self + 1] : 0,
	};
	struct launch l = {
		.job = job,
		.parent = getpid(),
		.run = {.job = job, .cause_rank = -1, .cause_host = -1},
	};
	struct strays strays;
	const char *what;
	int ret;

	if (job->nranks < 1 || job->nranks > topo_num_endpoints(job->topo))
		return -EINVAL;
	if (!job->fn) {
		ret = find_program(job->argv[0], &l.path);
		if (ret) {
			fprintf(stderr, "snemu: cannot run %s: %s\n",
				job->argv[0], strerror(-ret));
			return ret;
		}
	}
	if (job->trace) {
		ret = emu_trace_open(job->trace, job->topo, job->nranks,
				     &l.trace);
		if (ret) {
			free(l.path);
			return ret;
		}
		fo.trace_cap = emu_trace_cap(l.trace);
	}
	fit_fd_limit(job->nranks);
	what = "memory";
	ret = alloc_ranks(&l, job->nranks);
	if (ret)
		goto err_ranks;
	what = "the fabric";
	ret = emu_fabric_create(job->topo, &fo, &l.fab);
	if (ret)
		goto err_ranks;
	l.run.fab = l.fab;
	if (l.trace)
		emu_trace_arm(l.trace, l.fab);
	what = "a pipe";
	if (pipe2(l.errpipe, O_CLOEXEC | O_NONBLOCK)) {
		ret = -errno;
		goto err_pipe;
	}
	what = "a signalfd";
	ret = open_signals(&l);
	if (ret)
		goto err_signals;
	what = "an io_uring";
	ret = io_uring_queue_init(MIN(job->nranks + 3, RING_MAX_ENTRIES),
				  &l.ring, 0);
	if (ret)
		goto err_ring;
	what = "the host's agent";
	if (hosts) {
		ret = host_side_start(&l.hs, hosts, job->nranks);
		if (ret)
			goto err_agent;
	}
	what = "the ranks";
	l.progress = !job->quiet && isatty(STDERR_FILENO);
	l.t0 = snemu_wall_ns();
	strays_begin(&strays);
	ret = start_ranks(&l);
	if (!ret) {
		what = "supervising the ranks";
		ret = supervise(&l);
	}
	if (ret)
		kill_all(&l);
	strays_end(&strays);
	if (ret)
		goto err_run;
	l.run.wall_ns = snemu_wall_ns() - l.t0;
	ret = finish(&l);
err_run:
	if (hosts)
		host_side_end(&l.hs);
err_agent:
	io_uring_queue_exit(&l.ring);
err_ring:
	close_signals(&l);
err_signals:
	close(l.errpipe[0]);
	close(l.errpipe[1]);
err_pipe:
	emu_fabric_destroy(l.fab);
err_ranks:
	if (ret < 0)
		fprintf(stderr, "snemu: cannot start: %s: %s\n", what,
			strerror(-ret));
	free_ranks(&l);
	free(l.path);
	emu_trace_close(l.trace);
	return ret;
}

int emu_compute_parse(const char *s, double *scale)
{
	static const char measured[] = "measured";
	const char *num;
	int digits = 0, dots = 0;
	char *end;
	double v;

	if (s && !strcmp(s, "none")) {
		*scale = 0;
		return 0;
	}
	if (!s || strncmp(s, measured, sizeof(measured) - 1))
		return -EINVAL;
	num = s + sizeof(measured) - 1;
	if (!*num) {
		*scale = 1;
		return 0;
	}
	if (*num++ != ':')
		return -EINVAL;
	for (const char *p = num; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p == '.')
			dots++;
		else
			return -EINVAL;
	}
	if (!digits || dots > 1)
		return -EINVAL;
	errno = 0;
	v = strtod(num, &end);
	if (errno || *end || !(v > 0) || !isfinite(v))
		return -EINVAL;
	*scale = v;
	return 0;
}
