/* SPDX-License-Identifier: MIT */
/*
 * Reports of a run: the JSON file (docs/REPORT.md), the summary and the
 * failure diagnosis. The JSON holds virtual-time figures only, so a run
 * repeated with the same program, config and N gives the same bytes; wall
 * figures appear only in the summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snemu.h"
#include "common/common.h"
#include "common/output.h"
#include "emu/emu.h"
#include "emu/report.h"
#include "topology/topo.h"

#define SUMMARY_LINKS	   5
#define SUMMARY_WAIT_LINES 12

static const char *const status_names[] = {
	[EMU_RUN_OK] = "ok",
	[EMU_RUN_FAILED] = "failed",
	[EMU_RUN_DEADLOCK] = "deadlock",
	[EMU_RUN_INTERRUPTED] = "interrupted",
	[EMU_RUN_TIMEOUT] = "timeout",
	[EMU_RUN_STALLED] = "stalled",
	[EMU_RUN_CORRUPT] = "corrupt",
	[EMU_RUN_HOST] = "host",
};

static const char *const state_names[] = {
	[EMU_RANK_NEW] = "new",
	[EMU_RANK_RUNNING] = "running",
	[EMU_RANK_BLOCKED] = "blocked",
	[EMU_RANK_DONE] = "done",
};

static const char *const op_names[] = {
	[EMU_WAIT_NONE] = "none",	[EMU_WAIT_RECV] = "recv",
	[EMU_WAIT_SEND] = "send",	[EMU_WAIT_BARRIER] = "barrier",
	[EMU_WAIT_WIN] = "window",	[EMU_WAIT_WAITALL] = "waitall",
	[EMU_WAIT_WORD] = "wait_until", [EMU_WAIT_PROBE] = "probe",
	[EMU_WAIT_WAITANY] = "waitany",
};

/* snemu.h's SNEMU_CMP_* in order. */
static const char *const cmp_names[] = {"==", "!=", ">", ">=", "<", "<="};

static const char *state_name(enum emu_rank_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static const char *op_name(enum emu_wait_op op)
{
	return (unsigned)op < ARRAY_SIZE(op_names) ? op_names[op] : "?";
}

static void sig_name(int signo, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(signo);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", signo);
}

static uint64_t makespan_ns(const struct emu_run *run)
{
	uint64_t m = 0;

	for (int r = 0; r < run->job->nranks; r++)
		m = MAX(m, run->info[r].clock_ns);
	return m;
}

static int nodes_used(const struct emu_run *run)
{
	return topo_node_of(run->job->topo, run->job->nranks - 1) + 1;
}

/* Why rank r failed, in a few words, e.g. "killed by SIGSEGV". */
static void cause_text(const struct emu_run *run, int r, char *buf, size_t len)
{
	const struct emu_rank_exit *ex = &run->exit[r];
	char sig[32];

	if (ex->exec_err) {
		snprintf(buf, len, "cannot run %s: %s", run->job->argv[0],
			 strerror(ex->exec_err));
	} else if (ex->signo) {
		sig_name(ex->signo, sig, sizeof(sig));
		snprintf(buf, len, "killed by %s", sig);
	} else if (ex->code) {
		snprintf(buf, len, "exited with status %d", ex->code);
	} else if (run->info[r].finalize_busy) {
		snprintf(buf, len,
			 "exited after snemu_finalize refused (-EBUSY): %d "
			 "request%s not completed",
			 run->info[r].finalize_busy,
			 snemu_s(run->info[r].finalize_busy));
	} else {
		snprintf(buf, len, "exited without calling snemu_finalize");
	}
}

/* A rank or tag as text; a negative one is a wildcard: "any". */
static void peer_text(int v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "any");
	else
		snprintf(buf, len, "%d", v);
}

/* ---- JSON ---- */

static void json_wait(FILE *f, const struct emu_rank_info *in)
{
	fprintf(f,
		"{\"op\": \"%s\", \"src\": %d, \"tag\": %d, \"pending\": %d}",
		op_name(in->wait_op), in->wait_src, in->wait_tag,
		in->wait_count);
}

static void json_run(FILE *f, const struct emu_run *run)
{
	const struct emu_job *job = run->job;
	uint64_t msgs = 0, bytes = 0;

	for (int r = 0; r < job->nranks; r++) {
		msgs += run->info[r].msgs_sent;
		bytes += run->info[r].bytes_sent;
	}
	fprintf(f,
		"  \"run\": {\"status\": \"%s\", \"ranks\": %d, "
		"\"topology\": ",
		status_names[run->status], job->nranks);
	snemu_json_str(f, topo_name(job->topo));
	fprintf(f, ", \"nodes\": %d, \"program\": ", nodes_used(run));
	if (job->fn) {
		fprintf(f, "null");
	} else {
		fputc('[', f);
		for (int i = 0; job->argv[i]; i++) {
			fputs(i ? ", " : "", f);
			snemu_json_str(f, job->argv[i]);
		}
		fputc(']', f);
	}
	fprintf(f,
		", \"makespan_ns\": %" PRIu64 ", \"messages\": %" PRIu64
		", \"bytes\": %" PRIu64 ", \"events\": %" PRIu64,
		makespan_ns(run), msgs, bytes, emu_fabric_events(run->fab));
	/* Only there when measured: a default report stays as it was. */
	if (job->compute_scale > 0)
		fprintf(f,
			", \"compute\": {\"mode\": \"measured\", "
			"\"scale\": %.15g, \"deterministic\": false}",
			job->compute_scale);
	fprintf(f, "},\n");
}

/* What another host did to the run (EMU_RUN_HOST). */
static void host_text(const struct emu_run *run, char *buf, size_t len)
{
	const struct emu_hosts *h = run->job->hosts;
	int lo = h->host_lo[run->cause_host],
	    hi = h->host_lo[run->cause_host + 1] - 1;

	if (run->host_why < 0)
		snprintf(buf, len,
			 "host %d (ranks %d-%d) went away: its connection "
			 "broke or its agent ended",
			 run->cause_host, lo, hi);
	else
		snprintf(buf, len, "host %d (ranks %d-%d) stopped the run: %s",
			 run->cause_host, lo, hi,
			 run->host_why < (int)ARRAY_SIZE(status_names) &&
					 status_names[run->host_why]
				 ? status_names[run->host_why]
				 : "?");
}

/*
 * Several hosts: how the ranks were split, on one line (the rest of the
 * report is the same on any number of hosts).
 */
static void json_hosts(FILE *f, const struct emu_run *run)
{
	const struct emu_hosts *h = run->job->hosts;

	if (!h)
		return;
	fprintf(f, "  \"hosts\": {\"count\": %d, \"ranks\": [", h->nhosts);
	for (int i = 0; i < h->nhosts; i++)
		fprintf(f, "%s[%d, %d]", i ? ", " : "", h->host_lo[i],
			h->host_lo[i + 1] - 1);
	fprintf(f, "]},\n");
}

static void json_failure(FILE *f, const struct emu_run *run)
{
	char buf[512];
	int n = 0;

	fprintf(f, "  \"failure\": ");
	switch (run->status) {
	case EMU_RUN_OK: fprintf(f, "null,\n"); return;
	case EMU_RUN_FAILED:
		cause_text(run, run->cause_rank, buf, sizeof(buf));
		fprintf(f, "{\"rank\": %d, \"cause\": ", run->cause_rank);
		snemu_json_str(f, buf);
		fprintf(f, "},\n");
		return;
	case EMU_RUN_INTERRUPTED:
		sig_name(run->signo, buf, sizeof(buf));
		fprintf(f, "{\"signal\": \"%s\"},\n", buf);
		return;
	case EMU_RUN_TIMEOUT:
		fprintf(f, "{\"timeout_s\": %u, ", run->job->timeout_s);
		break;
	case EMU_RUN_STALLED:
		fprintf(f, "{\"watchdog_s\": %u, ", run->job->watchdog_s);
		break;
	case EMU_RUN_CORRUPT:
		fprintf(f, "{\"seen_at_exit_of\": %d},\n", run->cause_rank);
		return;
	case EMU_RUN_HOST:
		host_text(run, buf, sizeof(buf));
		fprintf(f, "{\"host\": %d, \"cause\": ", run->cause_host);
		snemu_json_str(f, buf);
		fprintf(f, "},\n");
		return;
	case EMU_RUN_DEADLOCK: fputc('{', f); break;
	}
	for (int r = 0; r < run->job->nranks; r++)
		n += run->info[r].state == EMU_RANK_BLOCKED;
	fprintf(f, "\"blocked\": %d, \"waits\": [", n);
	for (int r = 0, i = 0; r < run->job->nranks; r++) {
		if (run->info[r].state != EMU_RANK_BLOCKED)
			continue;
		fprintf(f, "%s\n    {\"rank\": %d, \"wait\": ", i++ ? "," : "",
			r);
		json_wait(f, &run->info[r]);
		fputc('}', f);
	}
	fprintf(f, "\n  ]},\n");
}

static void json_ranks(FILE *f, const struct emu_run *run)
{
	char sig[32];

	fprintf(f, "  \"ranks\": [");
	for (int r = 0; r < run->job->nranks; r++) {
		const struct emu_rank_info *in = &run->info[r];
		const struct emu_rank_exit *ex = &run->exit[r];

		fprintf(f,
			"%s\n    {\"rank\": %d, \"node\": %d, "
			"\"state\": \"%s\", \"clock_ns\": %" PRIu64
			", \"msgs_sent\": %" PRIu64 ", \"bytes_sent\": %" PRIu64
			", \"msgs_recv\": %" PRIu64
			", \"bytes_recv\": %" PRIu64,
			r ? "," : "", r, topo_node_of(run->job->topo, r),
			state_name(in->state), in->clock_ns, in->msgs_sent,
			in->bytes_sent, in->msgs_recv, in->bytes_recv);
		if (ex->signo) {
			sig_name(ex->signo, sig, sizeof(sig));
			fprintf(f, ", \"exit_code\": null, \"signal\": \"%s\"",
				sig);
		} else {
			fprintf(f, ", \"exit_code\": %d, \"signal\": null",
				ex->code);
		}
		fprintf(f, ", \"stopped\": %s, \"wait\": ",
			ex->stopped ? "true" : "false");
		if (in->state == EMU_RANK_BLOCKED)
			json_wait(f, in);
		else
			fprintf(f, "null");
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n");
}

static void json_links(FILE *f, const struct emu_run *run)
{
	const struct topo *t = run->job->topo;
	const struct topo_link_stats *ls = emu_fabric_links(run->fab);
	uint64_t span = makespan_ns(run);
	char name[128];
	int first = 1;

	fprintf(f, "  \"links\": [");
	if (!ls) {
		fprintf(f, "],\n");
		return;
	}
	for (int l = 0; l < topo_num_links(t); l++) {
		if (!ls[l].bytes && !ls[l].segments)
			continue;
		topo_link_name(t, l, name, sizeof(name));
		fprintf(f, "%s\n    {\"id\": %d, \"name\": ", first ? "" : ",",
			l);
		snemu_json_str(f, name);
		fprintf(f,
			", \"bytes\": %" PRIu64 ", \"busy_ns\": %" PRIu64
			", \"utilization\": %.6f, \"queue_ns\": %" PRIu64
			", \"max_queue_ns\": %" PRIu64
			", \"segments\": %" PRIu64 "}",
			ls[l].bytes, ls[l].busy_ns,
			span ? (double)ls[l].busy_ns / span : 0.0,
			ls[l].queue_ns, ls[l].max_queue_ns, ls[l].segments);
		first = 0;
	}
	fprintf(f, "\n  ],\n");
}

static int json_traffic(FILE *f, const struct emu_run *run)
{
	const struct topo *t = run->job->topo;
	int n = run->job->nranks, nn = nodes_used(run);
	uint64_t *m = calloc((size_t)nn * nn, sizeof(*m));
	uint64_t b;
	int first = 1;

	if (!m)
		return -ENOMEM;
	for (int s = 0; s < n; s++)
		for (int d = 0; d < n; d++)
			m[topo_node_of(t, s) * nn + topo_node_of(t, d)] +=
				emu_fabric_traffic(run->fab, s, d);
	fprintf(f, "  \"traffic\": {\n    \"node_matrix\": [");
	for (int i = 0; i < nn; i++) {
		fprintf(f, "%s\n      [", i ? "," : "");
		for (int j = 0; j < nn; j++)
			fprintf(f, "%s%" PRIu64, j ? ", " : "", m[i * nn + j]);
		fputc(']', f);
	}
	fprintf(f, "\n    ],\n    \"pairs\": [");
	for (int s = 0; s < n; s++) {
		for (int d = 0; d < n; d++) {
			b = emu_fabric_traffic(run->fab, s, d);
			if (!b)
				continue;
			fprintf(f, "%s\n      [%d, %d, %" PRIu64 "]",
				first ? "" : ",", s, d, b);
			first = 0;
		}
	}
	fprintf(f, "\n    ]\n  }\n");
	free(m);
	return 0;
}

static int json_write(FILE *f, const struct emu_run *run)
{
	fprintf(f, "{\n  \"format\": \"snemu-report\", \"version\": 1,\n");
	json_run(f, run);
	json_hosts(f, run);
	json_failure(f, run);
	json_ranks(f, run);
	json_links(f, run);
	if (json_traffic(f, run))
		return -ENOMEM;
	fprintf(f, "}\n");
	return 0;
}

int emu_report_write(const struct emu_run *run, const char *path)
{
	struct snemu_outfile out;
	int ret;

	ret = snemu_outfile_open(path, &out);
	if (ret)
		return ret;
	ret = json_write(out.f, run);
	return snemu_outfile_close(&out, !ret) ?: ret;
}

/* ---- summary ---- */

static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = b;
	int u = -1;

	while (v >= 1024 && u + 1 < (int)ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* Is link a busier than link b? Ties go to the lower id: deterministic. */
static int busier(const struct topo_link_stats *ls, int a, int b)
{
	if (ls[a].busy_ns != ls[b].busy_ns)
		return ls[a].busy_ns > ls[b].busy_ns;
	if (ls[a].bytes != ls[b].bytes)
		return ls[a].bytes > ls[b].bytes;
	return a < b;
}

int emu_report_busiest(const struct topo_link_stats *ls, int nlinks, int *top,
		       int k, int *with_traffic)
{
	int n = 0, i;

	*with_traffic = 0;
	for (int l = 0; l < nlinks; l++) {
		if (!ls[l].bytes)
			continue;
		(*with_traffic)++;
		if (n == k && !busier(ls, l, top[k - 1]))
			continue;
		i = n < k ? n++ : k - 1;
		for (; i > 0 && busier(ls, l, top[i - 1]); i--)
			top[i] = top[i - 1];
		top[i] = l;
	}
	return n;
}

static void summary_links(const struct emu_run *run, FILE *f, uint64_t span)
{
	const struct topo *t = run->job->topo;
	const struct topo_link_stats *ls = emu_fabric_links(run->fab);
	int top[SUMMARY_LINKS], n, with;
	char name[128], bytes[32];

	if (!ls)
		return;
	n = emu_report_busiest(ls, topo_num_links(t), top, SUMMARY_LINKS,
			       &with);
	if (!n)
		return;
	fprintf(f, "  busiest links (%d of %d links carried traffic):\n", with,
		topo_num_links(t));
	fprintf(f, "    %-28s %10s %6s %13s\n", "link", "bytes", "util",
		"worst queue");
	for (int i = 0; i < n; i++) {
		const struct topo_link_stats *s = &ls[top[i]];

		topo_link_name(t, top[i], name, sizeof(name));
		fmt_bytes(s->bytes, bytes, sizeof(bytes));
		fprintf(f, "    %-28s %10s %5.1f%% %10.3f us\n", name, bytes,
			span ? 100.0 * s->busy_ns / span : 0.0,
			s->max_queue_ns / 1e3);
	}
}

/* The --compute line: SCALE with a decimal point, "x1.0" for 1. */
static void summary_compute(double scale, FILE *f)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.15g", scale);
	fprintf(f,
		"  compute          measured x%s%s (not deterministic: "
		"timings depend on this host)\n",
		buf, strpbrk(buf, ".e") ? "" : ".0");
}

void emu_report_summary(const struct emu_run *run, FILE *f)
{
	const struct emu_job *job = run->job;
	uint64_t span = makespan_ns(run), msgs = 0, b = 0;
	uint64_t events = emu_fabric_events(run->fab);
	double wall = run->wall_ns / 1e9;
	char bytes[32];

	for (int r = 0; r < job->nranks; r++) {
		msgs += run->info[r].msgs_sent;
		b += run->info[r].bytes_sent;
	}
	fmt_bytes(b, bytes, sizeof(bytes));
	fprintf(f, "snemu: %d rank%s on %s (%d node%s): %s\n", job->nranks,
		snemu_s(job->nranks), topo_name(job->topo), nodes_used(run),
		snemu_s(nodes_used(run)), status_names[run->status]);
	fprintf(f, "  virtual makespan %.3f us\n", span / 1e3);
	if (job->compute_scale > 0)
		summary_compute(job->compute_scale, f);
	fprintf(f, "  traffic          %" PRIu64 " messages, %s\n", msgs,
		bytes);
	fprintf(f,
		"  engine           %" PRIu64 " events in %.3f s wall "
		"(%.2f M events/s)\n",
		events, wall, wall > 0 ? events / wall / 1e6 : 0.0);
	summary_links(run, f, span);
}

/* ---- failure ---- */

static void wait_text(const struct emu_rank_info *in, const char *peer,
		      const char *tag, char *buf, size_t len)
{
	switch (in->wait_op) {
	case EMU_WAIT_RECV:
		snprintf(buf, len, "recv from %s, tag %s", peer, tag);
		break;
	case EMU_WAIT_SEND:
		snprintf(buf, len, "send to %s, tag %s (receiver not there)",
			 peer, tag);
		break;
	case EMU_WAIT_BARRIER: snprintf(buf, len, "barrier"); break;
	case EMU_WAIT_WIN:
		snprintf(buf, len, "window get/flush/atomic on rank %s", peer);
		break;
	case EMU_WAIT_WAITALL:
		snprintf(buf, len,
			 "waitall, %d pending (first: from %s, tag %s)",
			 in->wait_count, peer, tag);
		break;
	case EMU_WAIT_PROBE:
		snprintf(buf, len, "probe from %s, tag %s", peer, tag);
		break;
	case EMU_WAIT_WAITANY:
		snprintf(buf, len, "waitany (first: %s, tag %s)", peer, tag);
		break;
	case EMU_WAIT_WORD:
		snprintf(buf, len,
			 "wait_until on window %u, offset %" PRIu64
			 ", word %s %" PRIu64,
			 in->wait_win, in->wait_off,
			 cmp_names[in->wait_cmp % 6], in->wait_value);
		break;
	default: snprintf(buf, len, "%s", op_name(in->wait_op)); break;
	}
}

/* Can rank b join the line of a? Tags may differ: the line gives their
 * range. A barrier's source is the algorithm's, not the program's. */
static int same_wait(const struct emu_rank_info *a,
		     const struct emu_rank_info *b)
{
	if (a->wait_op == EMU_WAIT_WORD &&
	    (a->wait_win != b->wait_win || a->wait_off != b->wait_off ||
	     a->wait_cmp != b->wait_cmp || a->wait_value != b->wait_value))
		return 0;
	return b->state == EMU_RANK_BLOCKED && a->wait_op == b->wait_op &&
	       a->wait_count == b->wait_count;
}

/* rel: 0 when every rank of the line waits for the same source, 1 when
 * each waits for the same offset from itself (mod n), -1 undecided. */
static int src_fits(const struct emu_rank_info *in, int end, int n, int *rel)
{
	int s0 = in[end].wait_src, s1 = in[end + 1].wait_src;
	int d0 = (s0 - end + n) % n, d1 = (s1 - end - 1 + n) % n;

	if (in[end].wait_op == EMU_WAIT_BARRIER)
		return 1;
	if (s0 == s1 && *rel <= 0)
		*rel = 0;
	else if (s0 >= 0 && s1 >= 0 && d0 == d1 && *rel != 0)
		*rel = 1;
	else
		return 0;
	return 1;
}

static void rel_text(int src, int rank, int n, char *buf, size_t len)
{
	int d = (src - rank + n) % n;

	if (d > n / 2)
		snprintf(buf, len, "rank-%d (mod %d)", n - d, n);
	else
		snprintf(buf, len, "rank+%d (mod %d)", d, n);
}

/*
 * Print the blocked ranks as lines of consecutive ranks in the same kind
 * of wait whose sources follow one rule (one rank for all, or the same
 * offset from each: a ring that waits on its left neighbour is one line).
 * Returns the number of lines it would take in all; prints the first
 * SUMMARY_WAIT_LINES.
 */
static int print_waits(const struct emu_run *run, FILE *f)
{
	const struct emu_rank_info *in = run->info;
	int n = run->job->nranks, lines = 0;
	char peer[48], tag[32], what[192];

	for (int r = 0, end; r < n; r = end + 1) {
		int rel = -1, tmin, tmax;

		end = r;
		if (in[r].state != EMU_RANK_BLOCKED)
			continue;
		tmin = tmax = in[r].wait_tag;
		while (end + 1 < n && same_wait(&in[r], &in[end + 1]) &&
		       src_fits(in, end, n, &rel)) {
			end++;
			tmin = MIN(tmin, in[end].wait_tag);
			tmax = MAX(tmax, in[end].wait_tag);
		}
		if (++lines > SUMMARY_WAIT_LINES)
			continue;
		if (rel == 1)
			rel_text(in[r].wait_src, r, n, peer, sizeof(peer));
		else
			peer_text(in[r].wait_src, peer, sizeof(peer));
		if (tmin == tmax)
			peer_text(tmin, tag, sizeof(tag));
		else if (tmin < 0)
			snprintf(tag, sizeof(tag), "various");
		else
			snprintf(tag, sizeof(tag), "%d..%d", tmin, tmax);
		wait_text(&in[r], peer, tag, what, sizeof(what));
		if (end > r)
			fprintf(f, "  ranks %d-%d: %s\n", r, end, what);
		else
			fprintf(f, "  rank %d: %s\n", r, what);
	}
	return lines;
}

static void print_deadlock(const struct emu_run *run, FILE *f)
{
	int blocked = 0, done = 0, lines;

	for (int r = 0; r < run->job->nranks; r++) {
		blocked += run->info[r].state == EMU_RANK_BLOCKED;
		done += run->info[r].state == EMU_RANK_DONE;
	}
	fprintf(f,
		"snemu: DEADLOCK: %d rank%s blocked, %d finished, "
		"no message in flight; they wait for:\n",
		blocked, snemu_s(blocked), done);
	lines = print_waits(run, f);
	if (lines > SUMMARY_WAIT_LINES)
		fprintf(f, "  ... %d more lines; the report lists every rank\n",
			lines - SUMMARY_WAIT_LINES);
}

/*
 * A run stopped by the launcher's clock: how long, then what every rank
 * was doing (runs of consecutive ranks in the same state; waits as for a
 * deadlock).
 */
static void print_stopped(const struct emu_run *run, FILE *f)
{
	int n = run->job->nranks, lines;
	const char *what;

	if (run->status == EMU_RUN_TIMEOUT)
		fprintf(f,
			"snemu: TIMEOUT: still running after --timeout %u s "
			"(wall); the ranks were:\n",
			run->job->timeout_s);
	else
		fprintf(f,
			"snemu: STALLED: no event and no rank moved for "
			"--watchdog %u s (wall); the ranks were:\n",
			run->job->watchdog_s);
	for (int r = 0, end; r < n; r = end + 1) {
		const struct emu_rank_info *in = &run->info[r];

		for (end = r; end + 1 < n && in->state != EMU_RANK_BLOCKED &&
			      run->info[end + 1].state == in->state;
		     end++)
			;
		if (in->state == EMU_RANK_BLOCKED)
			continue;
		what = in->state == EMU_RANK_NEW ? "had not called snemu_init"
		       : in->state == EMU_RANK_RUNNING ? "running, not waiting"
						       : "finished";
		if (end > r)
			fprintf(f, "  ranks %d-%d: %s\n", r, end, what);
		else
			fprintf(f, "  rank %d: %s\n", r, what);
	}
	lines = print_waits(run, f);
	if (lines > SUMMARY_WAIT_LINES)
		fprintf(f, "  ... %d more lines; the report lists every rank\n",
			lines - SUMMARY_WAIT_LINES);
}

static void print_rank_failure(const struct emu_run *run, FILE *f)
{
	int r = run->cause_rank;
	const struct emu_rank_info *in = &run->info[r];
	char cause[512], peer[16], tag[16], what[192];

	cause_text(run, r, cause, sizeof(cause));
	fprintf(f, "snemu: FAILED: rank %d (node %d) %s\n", r,
		topo_node_of(run->job->topo, r), cause);
	if (in->state == EMU_RANK_NEW) {
		fprintf(f, "  it had not called snemu_init\n");
	} else if (in->state == EMU_RANK_BLOCKED) {
		peer_text(in->wait_src, peer, sizeof(peer));
		peer_text(in->wait_tag, tag, sizeof(tag));
		wait_text(in, peer, tag, what, sizeof(what));
		fprintf(f, "  it was blocked at %.3f us (virtual) in %s\n",
			in->clock_ns / 1e3, what);
	} else {
		fprintf(f, "  it was %s at %.3f us (virtual)\n",
			state_name(in->state), in->clock_ns / 1e3);
	}
}

void emu_report_failure(const struct emu_run *run, FILE *f)
{
	char sig[32], what[256];
	int stopped = 0;

	if (run->status == EMU_RUN_OK)
		return;
	for (int r = 0; r < run->job->nranks; r++)
		stopped += run->exit[r].stopped;
	switch (run->status) {
	case EMU_RUN_FAILED: print_rank_failure(run, f); break;
	case EMU_RUN_DEADLOCK: print_deadlock(run, f); break;
	case EMU_RUN_TIMEOUT:
	case EMU_RUN_STALLED: print_stopped(run, f); break;
	case EMU_RUN_CORRUPT:
		fprintf(f,
			"snemu: FAILED: a rank overwrote the fabric's shared "
			"header (a stray write into the segment); the run "
			"cannot be trusted\n");
		if (run->cause_rank >= 0)
			fprintf(f, "  the launcher saw it when rank %d ended\n",
				run->cause_rank);
		break;
	case EMU_RUN_INTERRUPTED:
		sig_name(run->signo, sig, sizeof(sig));
		fprintf(f, "snemu: interrupted by %s\n", sig);
		break;
	case EMU_RUN_HOST:
		host_text(run, what, sizeof(what));
		fprintf(f, "snemu: FAILED: %s\n", what);
		break;
	case EMU_RUN_OK: break;
	}
	fprintf(f, "  the launcher killed %d rank%s still alive\n", stopped,
		stopped == 1 ? "" : "s");
}
