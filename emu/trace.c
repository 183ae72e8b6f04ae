/* SPDX-License-Identifier: MIT */
/*
 * Timelines, the launcher side: the buffers it lays out for the ranks,
 * and the Chrome trace-event JSON it makes of their records after the run
 * (docs/TRACE.md, emu/trace.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/output.h"
#include "emu/ep.h"
#include "emu/report.h"
#include "emu/trace.h"

#define TRACE_BUDGET	 (8ULL << 30) /* bytes of records, all ranks */
#define TRACE_CAP_MAX	 (1ULL << 20) /* records per rank */
#define TRACE_LINKS	 8	      /* links shown by default */
#define TRACE_LINKS_MAX	 64
#define TRACE_LINK_TRACK 1 /* the pid of the links' counters */

struct emu_trace {
	const struct emu_trace_opts *o;
	const struct topo *topo;
	int nranks;
	uint8_t *ranks; /* traced or not, per rank */
	uint64_t w0, w1;
	int links[TRACE_LINKS_MAX], nlinks; /* --trace-links; 0: busiest */
	struct snemu_outfile out; /* the file, out.f NULL once closed */
	/*
	 * The fabric's base, and where the buffers and the topology state
	 * are, as the launcher laid them out: a rank may overwrite the header.
	 */
	char *base;
	uint64_t buf_off, cap, topo_off;
	/* What was written. */
	uint64_t events, bytes, wall_ns, dropped;
};

static int trace_err(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "snemu: %s '%s': %s\n", opt, val, what);
	return -EINVAL;
}

/* Resolve the comma-separated link names of list. */
static int find_links(struct emu_trace *tr, const char *list)
{
	int nl = topo_num_links(tr->topo);
	const char *p = list;
	char name[128];

	while (*p) {
		size_t len = strcspn(p, ",");
		int l;

		if (tr->nlinks == TRACE_LINKS_MAX)
			return trace_err("--trace-links", list,
					 "at most 64 links");
		for (l = 0; l < nl; l++) {
			topo_link_name(tr->topo, l, name, sizeof(name));
			if (strlen(name) == len && !strncmp(name, p, len))
				break;
		}
		if (l == nl) {
			fprintf(stderr,
				"snemu: --trace-links: no link '%.*s' in %s "
				"(`snemu topo --json` lists them)\n",
				(int)len, p, topo_name(tr->topo));
			return -EINVAL;
		}
		tr->links[tr->nlinks++] = l;
		p += len;
		if (*p && !*++p)
			return trace_err("--trace-links", list, "empty name");
	}
	return tr->nlinks ? 0 : trace_err("--trace-links", list, "no link");
}

int emu_trace_open(const struct emu_trace_opts *o, const struct topo *topo,
		   int nranks, struct emu_trace **out)
{
	struct emu_trace *tr = calloc(1, sizeof(*tr));
	int ret;

	if (!tr)
		return -ENOMEM;
	*tr = (struct emu_trace){
		.o = o,
		.topo = topo,
		.nranks = nranks,
		.w1 = UINT64_MAX,
	};
	tr->ranks = malloc((size_t)nranks);
	ret = -ENOMEM;
	if (!tr->ranks)
		goto err;
	memset(tr->ranks, 1, (size_t)nranks);
	ret = o->ranks ? emu_trace_parse_ranks(o->ranks, nranks, tr->ranks) : 0;
	if (ret == -ERANGE) {
		fprintf(stderr,
			"snemu: --trace-ranks '%s': a rank out of range (the "
			"run has ranks 0-%d)\n",
			o->ranks, nranks - 1);
		goto err;
	}
	if (ret) {
		ret = trace_err("--trace-ranks", o->ranks,
				"want ranks and ranges A-B separated by "
				"commas, such as 0-7,12");
		goto err;
	}
	ret = o->window ? emu_trace_parse_window(o->window, &tr->w0, &tr->w1)
			: 0;
	if (ret) {
		ret = trace_err("--trace-window", o->window,
				"want T0:T1 in virtual time, T1 > T0, each a "
				"decimal with a unit ns, us (the default), ms "
				"or s");
		goto err;
	}
	ret = o->links ? find_links(tr, o->links) : 0;
	if (ret)
		goto err;
	/* The temporary file now: a path that cannot be written fails here. */
	ret = snemu_outfile_open(o->path, &tr->out);
	if (ret) {
		fprintf(stderr, "snemu: --trace: cannot write %s: %s\n",
			o->path, snemu_outfile_why(ret));
		goto err;
	}
	*out = tr;
	return 0;
err:
	emu_trace_close(tr);
	return ret;
}

uint64_t emu_trace_cap(const struct emu_trace *tr)
{
	uint64_t cap = TRACE_BUDGET / sizeof(struct emu_trace_rec) /
		       (uint64_t)tr->nranks;

	return MIN(cap, TRACE_CAP_MAX);
}

static struct emu_trace_buf *rank_buf(const struct emu_trace *tr, int rank)
{
	return (struct emu_trace_buf *)(tr->base + tr->buf_off +
					(uint64_t)rank *
						emu_trace_buf_size(tr->cap));
}

void emu_trace_arm(struct emu_trace *tr, struct emu_fabric *fab)
{
	struct emu_hdr *h = fab->hdr;

	tr->base = (char *)h;
	tr->buf_off = h->trace_off;
	tr->cap = h->trace_cap;
	tr->topo_off = h->topo_off;
	h->trace_w0 = tr->w0;
	h->trace_w1 = tr->w1;
	for (int r = 0; r < tr->nranks; r++)
		rank_buf(tr, r)->on = tr->ranks[r];
	topo_state_timeline_on(tr->topo, tr->base + tr->topo_off);
}

/* An event of the file, sorted by (ts, track, order, seq). */
struct tev {
	uint64_t ts;
	uint32_t track; /* the rank; links after the ranks */
	uint32_t seq;	/* its record in the rank's buffer */
	uint64_t order; /* slices: longest first, then flows, counters */
	const struct emu_trace_rec *rec;
	uint64_t val; /* flows: the id; counters: the value x 10^4 */
	uint8_t ph;   /* 'X', 's', 'f', 'C' */
};

static int tev_cmp(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->track != y->track)
		return x->track < y->track ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	/* A call before its wait, when they span the same time. */
	if (x->rec && y->rec && x->rec->kind != y->rec->kind)
		return x->rec->kind < y->rec->kind ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->ph - y->ph;
}

/* A flow's end: (id, its event). */
struct flow_end {
	uint64_t id;
	struct tev ev;
};

static int flow_cmp(const void *a, const void *b)
{
	const struct flow_end *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct evs {
	struct tev *v;
	size_t n, cap;
};

/* Room for one more of size bytes at *v, which holds n of *cap. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? 2 * *cap : 4096;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* qsort, which must not be given NULL even for nothing to sort. */
static void sort(void *v, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n)
		qsort(v, n, size, cmp);
}

static int evs_add(struct evs *e, struct tev t)
{
	int ret = grow((void **)&e->v, &e->cap, e->n, sizeof(*e->v));

	if (!ret)
		e->v[e->n++] = t;
	return ret;
}

/*
 * Where in call c an arrow starts or ends: at t, if it lies inside, else
 * in the middle, so that it binds to c and not to an instant call at one
 * of its ends.
 */
static uint64_t inside(const struct emu_trace_rec *c, uint64_t t)
{
	return t > c->t0 && t < c->t1 ? t : c->t0 + (c->t1 - c->t0) / 2;
}

/*
 * Slices of every traced rank, and the two ends of every flow whose send
 * and receive were both recorded. A send's arrow starts in the middle of
 * its call; a receive's ends in the call that handed it to the program,
 * where it completed (or in the middle, if it completed before).
 */
static int collect_ranks(struct emu_trace *tr, struct evs *ev)
{
	struct flow_end *s = NULL, *f = NULL;
	size_t ns = 0, nf = 0, caps = 0, capf = 0;
	int ret = 0;

	for (int r = 0; r < tr->nranks && !ret; r++) {
		const struct emu_trace_buf *b = rank_buf(tr, r);
		uint64_t n = __atomic_load_n(&b->count, __ATOMIC_ACQUIRE);
		size_t first = nf;

		tr->dropped += b->dropped;
		for (uint64_t i = 0; i < n && !ret; i++) {
			const struct emu_trace_rec *c = &b->rec[i];
			struct tev t = {
				.ts = c->t0,
				.track = (uint32_t)r,
				.seq = (uint32_t)i,
				.order = ~(c->t1 - c->t0),
				.rec = c,
				.ph = 'X',
			};

			if (c->kind == EMU_TR_RECV) {
				ret = grow((void **)&f, &capf, nf, sizeof(*f));
				if (!ret)
					f[nf++] = (struct flow_end){c->flow, t};
				continue;
			}
			ret = evs_add(ev, t);
			if (c->kind != EMU_TR_CALL)
				continue;
			/* The receives of this call end in it. */
			for (size_t j = first; j < nf; j++) {
				struct tev *e = &f[j].ev;

				if (e->rec->call != c->call) {
					f[j].id = 0; /* its call was not kept */
					continue;
				}
				e->ts = inside(c, e->rec->t1);
				e->order = UINT64_MAX - 1;
				e->ph = 'f';
				e->val = f[j].id;
			}
			first = nf;
			if (!c->flow || ret)
				continue;
			ret = grow((void **)&s, &caps, ns, sizeof(*s));
			if (ret)
				break;
			t.ts = inside(c, UINT64_MAX);
			t.order = UINT64_MAX - 1;
			t.ph = 's';
			t.val = c->flow;
			s[ns++] = (struct flow_end){c->flow, t};
		}
		for (size_t j = first; j < nf; j++)
			f[j].id = 0; /* no call recorded after it */
	}
	if (!ret) {
		sort(s, ns, sizeof(*s), flow_cmp);
		sort(f, nf, sizeof(*f), flow_cmp);
	}
	for (size_t i = 0, j = 0; !ret && i < ns && j < nf;) {
		if (!f[j].id || f[j].id < s[i].id) {
			j++;
		} else if (s[i].id < f[j].id) {
			i++;
		} else {
			ret = evs_add(ev, s[i++].ev) ?: evs_add(ev, f[j++].ev);
		}
	}
	free(s);
	free(f);
	return ret;
}

/*
 * The chosen links' utilization: their buckets merged to the widest
 * width among them, one counter value per bucket where it changes, and 0
 * at the end of the last busy bucket, within the window.
 */
static int collect_links(struct emu_trace *tr, const struct emu_run *run,
			 struct evs *ev, uint64_t span)
{
	const struct topo_link_stats *ls = emu_fabric_links(run->fab);
	uint64_t(*busy)[TOPO_TL_BUCKETS], width = 0;
	int *links = tr->links, n = tr->nlinks, top[TRACE_LINKS], with;
	int ret = 0;

	if (!n) {
		if (!ls)
			return -ENOMEM;
		n = emu_report_busiest(ls, topo_num_links(tr->topo), top,
				       TRACE_LINKS, &with);
		links = top;
	}
	busy = calloc((size_t)n + 1, sizeof(*busy));
	if (!busy)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		uint64_t w = topo_state_timeline(
			tr->topo, tr->base + tr->topo_off, links[i], busy[i]);

		busy[n][i] = w;
		width = MAX(width, w);
	}
	for (int i = 0; i < n && !ret; i++) {
		uint64_t w = busy[n][i], last = UINT64_MAX;
		uint64_t k = w ? width / w : 1, b[TOPO_TL_BUCKETS] = {0};

		for (int j = 0; w && j < TOPO_TL_BUCKETS; j++)
			b[j / k] += busy[i][j];
		for (int j = 0; j <= TOPO_TL_BUCKETS && !ret; j++) {
			uint64_t t0 = j * width, v;

			if (!width || t0 >= span || t0 > tr->w1)
				break;
			v = j < TOPO_TL_BUCKETS ? b[j] * 10000 / width : 0;
			if (t0 + width <= tr->w0 || v == last)
				continue;
			last = v;
			ret = evs_add(ev,
				      (struct tev){
					      .ts = MAX(t0, tr->w0),
					      .track = (uint32_t)(tr->nranks +
								  links[i]),
					      .order = UINT64_MAX,
					      .val = v,
					      .ph = 'C',
				      });
		}
	}
	free(busy);
	return ret;
}

/* The output buffer, flushed to fd when full. */
struct out {
	FILE *f;
	char *buf;
	size_t n, cap;
	uint64_t total;
};

#define OUT_BUF	 (4U << 20)
#define OUT_ROOM 512 /* the most one event adds */

/* A failed write shows when the file is closed (snemu_outfile_close). */
static void out_flush(struct out *o)
{
	fwrite(o->buf, 1, o->n, o->f);
	o->total += o->n;
	o->n = 0;
}

static void out_str(struct out *o, const char *s)
{
	size_t len = strlen(s);

	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static void out_u64(struct out *o, uint64_t v)
{
	char d[20];
	int i = 0;

	do {
		d[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		o->buf[o->n++] = d[--i];
}

static void out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		o->buf[o->n++] = '-';
		out_u64(o, (uint64_t)-v);
	} else {
		out_u64(o, (uint64_t)v);
	}
}

/* ns as microseconds with 3 decimals (exact), or v / 10^4 with 4. */
static void out_fixed(struct out *o, uint64_t v, uint64_t scale, int digits)
{
	uint64_t f = v % scale;

	out_u64(o, v / scale);
	o->buf[o->n++] = '.';
	for (uint64_t d = scale / 10; digits--; d /= 10)
		o->buf[o->n++] = (char)('0' + f / d % 10);
}

/* JSON string contents: link names and call names need no escapes. */
static void out_name(struct out *o, const char *s, size_t max)
{
	size_t len = strnlen(s, max);

	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static const char *const wait_names[] = {
	[EMU_WAIT_NONE] = "test",	[EMU_WAIT_RECV] = "recv",
	[EMU_WAIT_SEND] = "send",	[EMU_WAIT_BARRIER] = "barrier",
	[EMU_WAIT_WIN] = "window",	[EMU_WAIT_WAITALL] = "waitall",
	[EMU_WAIT_WORD] = "wait_until", [EMU_WAIT_PROBE] = "probe",
	[EMU_WAIT_WAITANY] = "waitany",
};

static void out_head(struct out *o, const char *ph, uint64_t ts, int pid,
		     uint32_t tid)
{
	out_str(o, "\",\"ph\":\"");
	out_str(o, ph);
	out_str(o, "\",\"ts\":");
	out_fixed(o, ts, 1000, 3);
	out_str(o, ",\"pid\":");
	out_u64(o, (uint64_t)pid);
	out_str(o, ",\"tid\":");
	out_u64(o, tid);
}

static void out_args(struct out *o, const struct emu_trace_rec *c)
{
	const char *sep = "";

	out_str(o, ",\"args\":{");
	if (c->kind == EMU_TR_WAIT) {
		out_str(o, "\"for\":\"");
		out_str(o, c->op < ARRAY_SIZE(wait_names) ? wait_names[c->op]
							  : "?");
		out_str(o, "\",\"requests\":");
		out_u64(o, c->count);
		sep = ",";
	}
	if (c->peer >= 0 || c->kind == EMU_TR_WAIT) {
		out_str(o, sep);
		out_str(o, "\"peer\":");
		out_i64(o, c->peer);
		sep = ",";
	}
	if (c->tag >= 0 || c->kind == EMU_TR_WAIT) {
		out_str(o, sep);
		out_str(o, "\"tag\":");
		out_i64(o, c->tag);
		sep = ",";
	}
	if (c->bytes != UINT64_MAX) {
		out_str(o, sep);
		out_str(o, "\"bytes\":");
		out_u64(o, c->bytes);
	}
	out_str(o, "}");
}

static void out_event(struct emu_trace *tr, struct out *o, const struct tev *t)
{
	const struct emu_trace_rec *c = t->rec;
	char name[128];

	out_str(o, ",\n{\"name\":\"");
	switch (t->ph) {
	case 'X':
		if (c->kind == EMU_TR_WAIT) {
			out_str(o, "wait ");
			out_str(o, c->op < ARRAY_SIZE(wait_names)
					   ? wait_names[c->op]
					   : "?");
			out_str(o, "\",\"cat\":\"wait");
		} else {
			if (!c->op)
				out_str(o, EMU_TRACE_PREFIX);
			out_name(o, c->name, sizeof(c->name));
			out_str(o, "\",\"cat\":\"call");
		}
		out_head(o, "X", t->ts, 0, t->track);
		out_str(o, ",\"dur\":");
		out_fixed(o, c->t1 - c->t0, 1000, 3);
		out_args(o, c);
		break;
	case 's':
	case 'f':
		out_str(o, "message\",\"cat\":\"message");
		out_head(o, t->ph == 's' ? "s" : "f", t->ts, 0, t->track);
		out_str(o, ",\"id\":");
		out_u64(o, t->val);
		if (t->ph == 'f')
			out_str(o, ",\"bp\":\"e\"");
		break;
	case 'C':
		topo_link_name(tr->topo, (int)(t->track - tr->nranks), name,
			       sizeof(name));
		out_name(o, name, sizeof(name));
		out_str(o, "\",\"cat\":\"link");
		out_head(o, "C", t->ts, TRACE_LINK_TRACK, 0);
		out_str(o, ",\"args\":{\"utilization\":");
		out_fixed(o, t->val, 10000, 4);
		out_str(o, "}");
		break;
	}
	out_str(o, "}");
}

/* The metadata: process and thread names, in rank order. */
static void out_meta(struct emu_trace *tr, struct out *o)
{
	out_str(o, "{\"traceEvents\":[\n{\"name\":\"process_name\",\"ph\":"
		   "\"M\",\"pid\":0,\"args\":{\"name\":\"snemu run\"}},\n"
		   "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,"
		   "\"args\":{\"name\":\"links\"}}");
	for (int r = 0; r < tr->nranks; r++) {
		if (!tr->ranks[r])
			continue;
		if (o->n + OUT_ROOM > o->cap)
			out_flush(o);
		out_str(o, ",\n{\"name\":\"thread_name\",\"ph\":\"M\","
			   "\"pid\":0,\"tid\":");
		out_u64(o, (uint64_t)r);
		out_str(o, ",\"args\":{\"name\":\"rank ");
		out_u64(o, (uint64_t)r);
		out_str(o, " (node ");
		out_u64(o, (uint64_t)topo_node_of(tr->topo, r));
		out_str(o, ")\"}},\n{\"name\":\"thread_sort_index\",\"ph\":"
			   "\"M\",\"pid\":0,\"tid\":");
		out_u64(o, (uint64_t)r);
		out_str(o, ",\"args\":{\"sort_index\":");
		out_u64(o, (uint64_t)r);
		out_str(o, "}}");
	}
}

static int write_file(struct emu_trace *tr, const struct evs *ev)
{
	struct out o = {.f = tr->out.f, .cap = OUT_BUF};

	o.buf = malloc(o.cap);
	if (!o.buf)
		return -ENOMEM;
	out_meta(tr, &o);
	for (size_t i = 0; i < ev->n; i++) {
		if (o.n + OUT_ROOM > o.cap)
			out_flush(&o);
		out_event(tr, &o, &ev->v[i]);
	}
	if (o.n + OUT_ROOM > o.cap)
		out_flush(&o);
	out_str(&o, "\n],\"displayTimeUnit\":\"ns\"}\n");
	out_flush(&o);
	free(o.buf);
	tr->bytes = o.total;
	return 0;
}

static uint64_t makespan(const struct emu_run *run)
{
	uint64_t span = 0;

	for (int r = 0; r < run->job->nranks; r++)
		span = MAX(span, run->info[r].clock_ns);
	return span;
}

int emu_trace_write(struct emu_trace *tr, const struct emu_run *run)
{
	uint64_t t0 = snemu_wall_ns();
	struct evs ev = {0};
	int ret, cret;

	ret = collect_ranks(tr, &ev)
		      ?: collect_links(tr, run, &ev, makespan(run));
	if (!ret) {
		sort(ev.v, ev.n, sizeof(*ev.v), tev_cmp);
		tr->events = ev.n;
		ret = write_file(tr, &ev);
	}
	free(ev.v);
	cret = snemu_outfile_close(&tr->out, !ret);
	ret = ret ?: cret;
	tr->wall_ns = snemu_wall_ns() - t0;
	if (tr->dropped)
		fprintf(stderr,
			"snemu: trace: %" PRIu64 " records dropped (a "
			"rank's buffer holds %" PRIu64 "): narrow it with "
			"--trace-ranks or --trace-window\n",
			tr->dropped, tr->cap);
	return ret;
}

void emu_trace_summary(const struct emu_trace *tr, FILE *f)
{
	double s = tr->wall_ns / 1e9;

	fprintf(f,
		"  trace            %s: %" PRIu64 " events, %.1f MB in %.3f s "
		"wall (%.0f MB/s)\n",
		tr->o->path, tr->events, tr->bytes / 1e6, s,
		s > 0 ? tr->bytes / 1e6 / s : 0.0);
}

void emu_trace_close(struct emu_trace *tr)
{
	if (!tr)
		return;
	if (tr->out.f)
		snemu_outfile_close(&tr->out, 0);
	free(tr->ranks);
	free(tr);
}
