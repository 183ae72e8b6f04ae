/* SPDX-License-Identifier: MIT */
/* snemu probe: the command line, shared by every mode. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "common/output.h"
#include "tools/probe/probe.h"

#define M_SUMMARY  (1u << PROBE_SUMMARY)
#define M_LAT	   (1u << PROBE_LAT)
#define M_BW	   (1u << PROBE_BW)
#define M_MATRIX   (1u << PROBE_MATRIX)
#define M_INCAST   (1u << PROBE_INCAST)
#define M_ALLTOALL (1u << PROBE_ALLTOALL)
#define M_ALL	   0xffu

static const char *const mode_names[] = {
	[PROBE_SUMMARY] = "(none)", [PROBE_LAT] = "lat",
	[PROBE_BW] = "bw",	    [PROBE_MATRIX] = "matrix",
	[PROBE_INCAST] = "incast",  [PROBE_ALLTOALL] = "alltoall",
};

enum {
	OPT_PRESET = 256,
	OPT_TOPO,
	OPT_SRC,
	OPT_DST,
	OPT_SIZES,
	OPT_SIZE,
	OPT_ITERS,
	OPT_WINDOW,
	OPT_RANKS,
	OPT_SENDERS,
	OPT_FORMAT,
	OPT_JSON,
	OPT_CSV,
	OPT_IMAGE,
	OPT_TRACE,
	OPT_TRACE_RANKS,
	OPT_TRACE_WINDOW,
	OPT_TRACE_LINKS,
	OPT_WALL,
	OPT_NPROCS = 'n',
	OPT_HELP = 'h',
};

/* Which modes take each option (an option a mode ignores is an error). */
static const struct {
	int id;
	unsigned modes;
} opt_modes[] = {
	{OPT_SRC, M_LAT | M_BW},
	{OPT_DST, M_LAT | M_BW | M_INCAST},
	{OPT_SIZES, M_SUMMARY | M_LAT | M_BW},
	{OPT_SIZE, M_MATRIX | M_INCAST | M_ALLTOALL},
	{OPT_ITERS, M_ALL & ~M_MATRIX},
	{OPT_WINDOW, M_SUMMARY | M_BW},
	{OPT_RANKS, M_MATRIX | M_INCAST},
	{OPT_SENDERS, M_INCAST},
	{OPT_NPROCS, M_ALLTOALL},
	{OPT_FORMAT, M_LAT | M_BW},
	{OPT_CSV, M_MATRIX},
	{OPT_IMAGE, M_MATRIX},
};

static const struct option long_opts[] = {
	{"preset", required_argument, NULL, OPT_PRESET},
	{"topo", required_argument, NULL, OPT_TOPO},
	{"src", required_argument, NULL, OPT_SRC},
	{"dst", required_argument, NULL, OPT_DST},
	{"sizes", required_argument, NULL, OPT_SIZES},
	{"size", required_argument, NULL, OPT_SIZE},
	{"iters", required_argument, NULL, OPT_ITERS},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"ranks", required_argument, NULL, OPT_RANKS},
	{"senders", required_argument, NULL, OPT_SENDERS},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"json", required_argument, NULL, OPT_JSON},
	{"csv", required_argument, NULL, OPT_CSV},
	{"image", required_argument, NULL, OPT_IMAGE},
	{"trace", required_argument, NULL, OPT_TRACE},
	{"trace-ranks", required_argument, NULL, OPT_TRACE_RANKS},
	{"trace-window", required_argument, NULL, OPT_TRACE_WINDOW},
	{"trace-links", required_argument, NULL, OPT_TRACE_LINKS},
	{"wall", no_argument, NULL, OPT_WALL},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* One source line per line of help. */
/* clang-format off */
void probe_usage(FILE *f)
{
	fprintf(f,
"usage: snemu probe [--preset NAME | --topo FILE] [MODE] [OPTIONS]\n"
"\n"
"Measure latency and bandwidth by sending real messages through the\n"
"emulated fabric and reading virtual clocks. The model's closed-form\n"
"expectation is printed beside each figure; it is never the figure.\n"
"\n"
"modes:\n"
"  (none)    intra-node (0->1) vs inter-node (0->first rank of node 1):\n"
"            one-way latency and streaming bandwidth, 8 B .. 16 MiB\n"
"  lat       ping-pong; one-way latency = round trip / 2 (ib_send_lat)\n"
"  bw        streaming: WINDOW sends in flight, then an ack (ib_write_bw)\n"
"  matrix    one-way latency of every ordered pair; CSV and heatmap\n"
"  incast    K senders stream to one receiver at once\n"
"  alltoall  every rank sends to every other rank at once\n"
"\n"
"options:\n"
"  --preset NAME      built-in topology (default: the first preset)\n"
"  --topo FILE        topology config file\n"
"  --src A, --dst B   endpoints (lat, bw: default 0 and 1; incast: dst 0)\n"
"  --sizes LIST       message sizes: A:B doubles from A to B, or A,B,C\n"
"                     (K, M, G suffixes; lat, bw: 8:4M)\n"
"  --size S           message size (matrix: 8; incast, alltoall: 1M)\n"
"  --iters N          lat: ping-pongs per size (1000); bw: windows per\n"
"                     size (100); incast, alltoall: messages per flow\n"
"                     (32, 1). Without --iters, large sizes run fewer\n"
"                     so that each size moves at most 64 MiB\n"
"  --window W         bw: sends in flight (64)\n"
"  --ranks LIST       matrix: endpoints (default all), e.g. 0-15,16-383:8\n"
"                     incast: the senders\n"
"  --senders K        incast: K senders, the first ranks but dst (8)\n"
"  -n N               alltoall: ranks 0..N-1 (16)\n"
"  --format F         lat, bw: perftest (default) or osu\n"
"  --csv FILE         matrix: CSV in usec (probe-matrix.csv)\n"
"  --image FILE       matrix: heatmap, .png or .svg (probe-matrix.png)\n"
"  --json FILE        also write the results as JSON (FILE.tmp, renamed)\n"
"  --trace FILE.json  a timeline of the job for Perfetto (docs/TRACE.md),\n"
"                     with --trace-ranks, --trace-window, --trace-links\n"
"  --wall             also report the host's wall-clock cost per message\n"
"  -h, --help         this help\n"
"\n"
"Exit status: 0 measured, 1 the job failed, 2 bad input (nothing ran).\n");
}
/* clang-format on */

int probe_fail(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(err, "snemu probe: ");
	vfprintf(err, fmt, ap);
	fputc('\n', err);
	va_end(ap);
	return -EINVAL;
}

static int parse_one_size(const char *s, uint64_t *v, char *msg, size_t len)
{
	char lim[16];

	if (snemu_parse_size(s, v)) {
		snprintf(msg, len, "'%s' is not a size (e.g. 8, 4K, 16M)", s);
		return -EINVAL;
	}
	if (*v == 0 || *v > PROBE_MAX_SIZE) {
		snemu_format_size(PROBE_MAX_SIZE, lim, sizeof(lim));
		snprintf(msg, len, "size %s is out of range (1 .. %s)", s, lim);
		return -EINVAL;
	}
	return 0;
}

static int push(void **arr, int *n, int *cap, size_t elem, const void *v)
{
	if (*n == *cap) {
		int ncap = *cap ? 2 * *cap : 16;
		void *p = realloc(*arr, ncap * elem);

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = ncap;
	}
	memcpy((char *)*arr + *n * elem, v, elem);
	(*n)++;
	return 0;
}

int probe_parse_sizes(const char *s, uint64_t **out, int *n, char *msg,
		      size_t msglen)
{
	char *copy = strdup(s), *save, *tok;
	uint64_t *arr = NULL;
	int cnt = 0, cap = 0, ret = -ENOMEM;

	if (!copy)
		goto err;
	ret = -EINVAL;
	for (save = copy; (tok = strsep(&save, ","));) {
		char *colon = strchr(tok, ':');
		uint64_t a, b;

		if (!*tok) {
			snprintf(msg, msglen, "'%s' has an empty element", s);
			goto err;
		}
		if (colon)
			*colon = '\0';
		if (parse_one_size(tok, &a, msg, msglen))
			goto err;
		b = a;
		if (colon) {
			if (parse_one_size(colon + 1, &b, msg, msglen))
				goto err;
			if (b < a) {
				snprintf(msg, msglen,
					 "range '%s:%s' ends below its start",
					 tok, colon + 1);
				goto err;
			}
		}
		for (uint64_t v = a; v <= b; v *= 2) {
			if (push((void **)&arr, &cnt, &cap, sizeof(*arr), &v)) {
				ret = -ENOMEM;
				goto err;
			}
		}
	}
	free(copy);
	*out = arr;
	*n = cnt;
	return 0;
err:
	if (ret == -ENOMEM)
		snprintf(msg, msglen, "out of memory");
	free(arr);
	free(copy);
	return ret;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int probe_parse_ranks(const char *s, int **out, int *n, char *msg,
		      size_t msglen)
{
	char *copy = strdup(s), *save, *tok;
	int *arr = NULL;
	int cnt = 0, cap = 0, ret = -ENOMEM;

	if (!copy)
		goto err;
	ret = -EINVAL;
	for (save = copy; (tok = strsep(&save, ","));) {
		char *dash = strchr(tok, '-'), *colon = strchr(tok, ':');
		int a, b, step = 1;

		if (!*tok) {
			snprintf(msg, msglen, "'%s' has an empty element", s);
			goto err;
		}
		if (colon)
			*colon = '\0';
		if (dash)
			*dash = '\0';
		if (snemu_parse_int(tok, 0, 1 << 24, &a) ||
		    (dash && snemu_parse_int(dash + 1, 0, 1 << 24, &b)) ||
		    (colon && (!dash || snemu_parse_int(colon + 1, 1, 1 << 24,
							&step)))) {
			if (dash)
				*dash = '-';
			if (colon)
				*colon = ':';
			snprintf(msg, msglen,
				 "'%s' is not a rank, A-B or A-B:STEP", tok);
			goto err;
		}
		if (!dash)
			b = a;
		if (b < a) {
			snprintf(msg, msglen,
				 "range '%d-%d' ends below its start", a, b);
			goto err;
		}
		for (long v = a; v <= b; v += step) {
			int r = (int)v;

			if (push((void **)&arr, &cnt, &cap, sizeof(*arr), &r)) {
				ret = -ENOMEM;
				goto err;
			}
		}
	}
	qsort(arr, cnt, sizeof(*arr), cmp_int);
	for (int i = 1; i < cnt; i++) {
		if (arr[i] == arr[i - 1]) {
			snprintf(msg, msglen, "rank %d is listed twice",
				 arr[i]);
			goto err;
		}
	}
	free(copy);
	*out = arr;
	*n = cnt;
	return 0;
err:
	if (ret == -ENOMEM)
		snprintf(msg, msglen, "out of memory");
	free(arr);
	free(copy);
	return ret;
}

static const char *opt_name(int id)
{
	if (id == OPT_NPROCS)
		return "n";
	for (size_t i = 0; i < ARRAY_SIZE(long_opts) - 1; i++)
		if (long_opts[i].val == id)
			return long_opts[i].name;
	return "?";
}

/* An output file's folder must exist and be writable before anything runs. */
static int check_out_path(const char *opt, const char *path, FILE *err)
{
	int ret = snemu_outfile_check(path);

	if (!*path)
		fprintf(err, "snemu probe: --%s: empty file name\n", opt);
	else if (ret)
		fprintf(err, "snemu probe: --%s '%s': cannot write it: %s\n",
			opt, path, snemu_outfile_why(ret));
	return ret ? -EINVAL : 0;
}

static int parse_mode(const char *s, enum probe_mode *mode, FILE *err)
{
	for (size_t i = PROBE_LAT; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	fprintf(err,
		"snemu probe: unknown mode '%s' (expected lat, bw, matrix, "
		"incast or alltoall)\n",
		s);
	return -EINVAL;
}

/* Reject an option the chosen mode does not use. */
static int check_modes(const struct probe_opts *o, const unsigned char *seen,
		       FILE *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_modes); i++) {
		int id = opt_modes[i].id;

		if (!seen[id] || (opt_modes[i].modes & (1u << o->mode)))
			continue;
		fprintf(err,
			"snemu probe: %s%s does not apply to mode %s (see "
			"'snemu probe --help')\n",
			id == OPT_NPROCS ? "-" : "--", opt_name(id),
			mode_names[o->mode]);
		return -EINVAL;
	}
	return 0;
}

static const uint64_t summary_sizes[] = {8,	   512,	    4096,
					 64 << 10, 1 << 20, 16 << 20};

/* Fill in what the mode defaults to. */
static int set_defaults(struct probe_opts *o)
{
	switch (o->mode) {
	case PROBE_SUMMARY:
		if (!o->sizes) {
			o->sizes = malloc(sizeof(summary_sizes));
			if (!o->sizes)
				return -ENOMEM;
			memcpy(o->sizes, summary_sizes, sizeof(summary_sizes));
			o->nsizes = ARRAY_SIZE(summary_sizes);
		}
		break;
	case PROBE_LAT:
	case PROBE_BW:
		if (o->src < 0)
			o->src = 0;
		if (o->dst < 0)
			o->dst = 1;
		if (!o->sizes) {
			char msg[64];

			if (probe_parse_sizes("8:4M", &o->sizes, &o->nsizes,
					      msg, sizeof(msg)))
				return -ENOMEM;
		}
		break;
	case PROBE_MATRIX:
		if (!o->size)
			o->size = 8;
		if (!o->csv)
			o->csv = "probe-matrix.csv";
		if (!o->image)
			o->image = "probe-matrix.png";
		break;
	case PROBE_INCAST:
		if (o->dst < 0)
			o->dst = 0;
		if (!o->size)
			o->size = 1 << 20;
		if (!o->senders)
			o->senders = o->ranks ? o->nranks : 8;
		break;
	case PROBE_ALLTOALL:
		if (!o->nprocs)
			o->nprocs = 16;
		if (!o->size)
			o->size = 1 << 20;
		break;
	}
	if (!o->window)
		o->window = 64;
	return 0;
}

int probe_opts_parse(int argc, char **argv, struct probe_opts *o, FILE *err)
{
	unsigned char seen[OPT_WALL + 1] = {0};
	const char *ext;
	char msg[256];
	int v, c;

	memset(o, 0, sizeof(*o));
	o->src = -1;
	o->dst = -1;
	o->format = PROBE_FMT_PERFTEST;
	opterr = 0;
	optind = 0; /* full reset; GNU getopt then permutes the mode word */
	while ((c = getopt_long(argc, argv, ":hn:", long_opts, NULL)) != -1) {
		const char *a = optarg;

		if (c > 0 && c <= OPT_WALL)
			seen[c] = 1;
		switch (c) {
		case OPT_HELP: probe_usage(stdout); return 1;
		case OPT_PRESET: o->preset = a; break;
		case OPT_TOPO: o->topo_file = a; break;
		case OPT_SRC:
		case OPT_DST:
			if (snemu_parse_int(a, 0, 1 << 24, &v)) {
				fprintf(err,
					"snemu probe: --%s '%s': expected a "
					"rank (a number >= 0)\n",
					opt_name(c), a);
				return -EINVAL;
			}
			*(c == OPT_SRC ? &o->src : &o->dst) = v;
			break;
		case OPT_SIZES:
			free(o->sizes);
			o->sizes = NULL;
			if (probe_parse_sizes(a, &o->sizes, &o->nsizes, msg,
					      sizeof(msg)))
				return probe_fail(err, "--sizes '%s': %s", a,
						  msg);
			break;
		case OPT_SIZE:
			if (parse_one_size(a, &o->size, msg, sizeof(msg)))
				return probe_fail(err, "--size '%s': %s", a,
						  msg);
			break;
		case OPT_ITERS:
			if (snemu_parse_int(a, 1, 10000000, &v))
				return probe_fail(
					err,
					"--iters '%s': expected 1 .. 10000000",
					a);
			o->iters = v;
			break;
		case OPT_WINDOW:
			if (snemu_parse_int(a, 1, 4096, &v))
				return probe_fail(
					err,
					"--window '%s': expected 1 .. 4096", a);
			o->window = v;
			break;
		case OPT_RANKS:
			free(o->ranks);
			o->ranks = NULL;
			if (probe_parse_ranks(a, &o->ranks, &o->nranks, msg,
					      sizeof(msg)))
				return probe_fail(err, "--ranks '%s': %s", a,
						  msg);
			break;
		case OPT_SENDERS:
			if (snemu_parse_int(a, 1, 1 << 24, &v))
				return probe_fail(
					err,
					"--senders '%s': expected a count >= 1",
					a);
			o->senders = v;
			break;
		case OPT_NPROCS:
			if (snemu_parse_int(a, 2, 1 << 24, &v))
				return probe_fail(
					err, "-n '%s': expected a count >= 2",
					a);
			o->nprocs = v;
			break;
		case OPT_FORMAT:
			if (!strcmp(a, "perftest"))
				o->format = PROBE_FMT_PERFTEST;
			else if (!strcmp(a, "osu"))
				o->format = PROBE_FMT_OSU;
			else
				return probe_fail(
					err,
					"--format '%s': expected perftest "
					"or osu",
					a);
			break;
		case OPT_JSON: o->json = a; break;
		case OPT_CSV: o->csv = a; break;
		case OPT_IMAGE: o->image = a; break;
		case OPT_TRACE: o->trace.path = a; break;
		case OPT_TRACE_RANKS: o->trace.ranks = a; break;
		case OPT_TRACE_WINDOW: o->trace.window = a; break;
		case OPT_TRACE_LINKS: o->trace.links = a; break;
		case OPT_WALL: o->wall = 1; break;
		case ':':
			return probe_fail(err, "option '%s' needs a value",
					  argv[optind - 1]);
		default:
			return probe_fail(
				err,
				"unknown option '%s' (see 'snemu probe "
				"--help')",
				argv[optind - 1]);
		}
	}
	if (optind < argc && parse_mode(argv[optind++], &o->mode, err))
		return -EINVAL;
	if (optind < argc)
		return probe_fail(
			err, "unexpected argument '%s': give one mode at most",
			argv[optind]);
	if (o->preset && o->topo_file)
		return probe_fail(
			err, "--preset and --topo: give one topology at most");
	if (check_modes(o, seen, err))
		return -EINVAL;
	if (set_defaults(o))
		return probe_fail(err, "out of memory");
	ext = o->image ? strrchr(o->image, '.') : NULL;
	if (o->image && (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg"))))
		return probe_fail(
			err, "--image '%s': the name must end in .png or .svg",
			o->image);
	if (!o->trace.path &&
	    (o->trace.ranks || o->trace.window || o->trace.links))
		return probe_fail(err, "--trace-ranks, --trace-window and "
				       "--trace-links need --trace FILE");
	if ((o->json && check_out_path("json", o->json, err)) ||
	    (o->csv && check_out_path("csv", o->csv, err)) ||
	    (o->image && check_out_path("image", o->image, err)) ||
	    (o->trace.path && check_out_path("trace", o->trace.path, err)))
		return -EINVAL;
	return 0;
}

void probe_opts_free(struct probe_opts *o)
{
	free(o->sizes);
	free(o->ranks);
	o->sizes = NULL;
	o->ranks = NULL;
}
