/* SPDX-License-Identifier: MIT */
/*
 * snemu probe: latency and bandwidth measured with real messages on the
 * emulated fabric.
 *
 * The tool launches its own endpoints (emu_run_job with a worker function).
 * Workers only record raw virtual timestamps (snemu_now, arrival times) into
 * a shared anonymous mapping made before the fork; the tool process turns
 * them into statistics and output once the job is over. So collecting
 * results costs no fabric traffic and cannot disturb what is measured.
 *
 * Pure helpers (options, statistics, JSON, PNG, heatmap) have no runtime
 * dependency and are unit-tested on their own.
 */
#ifndef SNEMU_TOOLS_PROBE_H
#define SNEMU_TOOLS_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/emu.h"

struct topo;

/* Largest message the tool accepts. */
#define PROBE_MAX_SIZE (1ULL << 30)
/* The one tag of all probe traffic. */
#define PROBE_TAG 7

enum probe_mode {
	PROBE_SUMMARY, /* no mode word: intra vs inter-node table */
	PROBE_LAT,
	PROBE_BW,
	PROBE_MATRIX,
	PROBE_INCAST,
	PROBE_ALLTOALL,
};

enum probe_format {
	PROBE_FMT_PERFTEST,
	PROBE_FMT_OSU,
};

/* The parsed command line; lists are malloc'd (probe_opts_free). */
struct probe_opts {
	enum probe_mode mode;
	const char *preset; /* NULL: the default preset */
	const char *topo_file;
	int src, dst;
	uint64_t *sizes; /* --sizes (lat, bw, summary) */
	int nsizes;
	uint64_t size; /* --size (matrix, incast, alltoall) */
	int iters;     /* 0: the mode's default */
	int window;
	int *ranks; /* --ranks, sorted, no duplicates */
	int nranks;
	int senders; /* incast */
	int nprocs;  /* alltoall -n */
	enum probe_format format;
	const char *json;
	const char *csv;
	const char *image;
	struct emu_trace_opts trace; /* --trace (path NULL: none) */
	int wall;
};

/*
 * Parse argv (argv[0] is "probe"). Returns 0, 1 when --help was printed,
 * or -EINVAL after printing what is wrong to err. Nothing is checked
 * against the topology here (probe_opts_check does that).
 */
int probe_opts_parse(int argc, char **argv, struct probe_opts *o, FILE *err);

/*
 * Check ranks and memory needs against topo; print what is wrong to err.
 * Returns 0 or -EINVAL.
 */
int probe_opts_check(const struct probe_opts *o, const struct topo *topo,
		     FILE *err);
void probe_opts_free(struct probe_opts *o);
void probe_usage(FILE *f);

/* Print "snemu probe: MESSAGE" on err; returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int probe_fail(FILE *err, const char *fmt,
						     ...);

/*
 * "8:4M" (doubling from 8 to 4M), "8,512,4K", or a mix. Sizes in
 * [1, PROBE_MAX_SIZE]. Returns 0 and a malloc'd array, or -EINVAL with a
 * message naming the bad element in msg.
 */
int probe_parse_sizes(const char *s, uint64_t **out, int *n, char *msg,
		      size_t msglen);

/*
 * "0-15,24,32-383:8" (a-b:step) into a sorted array without duplicates.
 * Returns 0 or -EINVAL with a message in msg.
 */
int probe_parse_ranks(const char *s, int **out, int *n, char *msg,
		      size_t msglen);

/* --- statistics (probe_stats.c) --- */

struct probe_stats {
	size_t n;
	double min, max, avg, stdev;
	double median;	       /* t_typical */
	double p50, p99, p999; /* nearest-rank percentiles */
	int identical;	       /* every sample equal */
};

/* Sort samples in place and fill *st. n may be 0 (all zero). */
void probe_stats_compute(double *samples, size_t n, struct probe_stats *st);

/* Nearest-rank percentile p (0 < p <= 100) of n >= 1 sorted samples. */
double probe_percentile(const double *sorted, size_t n, double p);

/* --- JSON writer (probe_json.c) --- */

struct probe_json;

/*
 * Start writing JSON to path.tmp; probe_json_close renames it to path on
 * success. Returns 0 or -errno.
 */
int probe_json_open(const char *path, struct probe_json **out);
/* Finish; returns 0 or -errno (path is then left untouched). */
int probe_json_close(struct probe_json *j);

/* Open an object or array; key is NULL inside arrays and at the top. */
void probe_json_obj(struct probe_json *j, const char *key);
void probe_json_arr(struct probe_json *j, const char *key);
void probe_json_end(struct probe_json *j);
void probe_json_str(struct probe_json *j, const char *key, const char *v);
void probe_json_int(struct probe_json *j, const char *key, int64_t v);
/* A number with prec decimals (nan and inf become null). */
void probe_json_num(struct probe_json *j, const char *key, double v, int prec);
void probe_json_bool(struct probe_json *j, const char *key, int v);
/* Fill the fields of st (in ns) as "NAME_usec" keys. */
void probe_json_stats_usec(struct probe_json *j, const char *name,
			   const struct probe_stats *st);

/* --- PNG (probe_png.c) --- */

/* CRC-32 (ISO 3309, as PNG) and Adler-32 (as zlib), chainable. */
uint32_t probe_crc32(uint32_t crc, const void *buf, size_t len);
uint32_t probe_adler32(uint32_t adler, const void *buf, size_t len);

/*
 * Write an 8-bit palette image (w x h indices, row-major) as PNG to f:
 * zlib stream of stored deflate blocks. pal has ncolors RGB triples.
 * Returns 0 or -errno.
 */
int probe_png_write(FILE *f, const uint8_t *px, int w, int h,
		    const uint8_t *pal, int ncolors);

/* --- heatmap (probe_heatmap.c) --- */

struct probe_heatmap {
	int n;		   /* n x n values, row = source */
	const double *val; /* usec; NaN on the diagonal: drawn grey */
	const int *label;  /* per row/column: axis label (node) */
	const char *title; /* upper case, e.g. "ONE-WAY LATENCY 8 B" */
	const char *axis;  /* e.g. "NODE" */
	const char *unit;  /* e.g. "USEC" */
};

/*
 * Write the heatmap to path: PNG or SVG by the extension (.png, .svg).
 * Returns 0, -EINVAL for another extension, or -errno.
 */
int probe_heatmap_write(const struct probe_heatmap *hm, const char *path);

/* --- the job (probe_job.c) --- */

struct probe_ctx;

/* What a mode runs in each endpoint; returns 0 or -errno. */
typedef int (*probe_worker_fn)(struct probe_ctx *ctx, int rank);

struct probe_ctx {
	const struct probe_opts *o;
	const struct topo *topo;
	const char *topo_spec; /* "preset:NAME" or "file:PATH" */
	probe_worker_fn worker;
	void *priv;	      /* the mode's plan (read-only in workers) */
	uint64_t job_wall_ns; /* set by probe_job_run */
};

/*
 * Shared memory for results: zeroed, MAP_SHARED, so writes of the
 * endpoints are seen by the tool. NULL on failure.
 */
void *probe_shared_alloc(size_t len);
void probe_shared_free(void *p, size_t len);

/*
 * Launch nranks endpoints running ctx->worker, wait for them. Returns 0
 * or prints why the job failed and returns 1.
 */
int probe_job_run(struct probe_ctx *ctx, int nranks);

/*
 * Iterations for one size: o->iters when given, else def, reduced so that
 * one size moves at most 64 MiB, but at least min.
 */
int probe_iters(const struct probe_opts *o, int def, int min,
		uint64_t bytes_per_iter);

/* The byte every probe message is filled with (receivers check it). */
uint8_t probe_fill_byte(size_t len);

/* Advance this endpoint's virtual clock to t (no-op when already past). */
void probe_advance_to(uint64_t t);

/*
 * The ping-pong shared by lat, the summary and matrix: the pinger sends
 * len bytes to peer and waits for the echo. t[0] = its clock before the
 * send, t[1] = its clock when the echo completed. The ponger receives,
 * advances its clock to reply_at (0: answer at once) and echoes:
 * t[0] = its clock when the receive completed, t[1] = its clock before the
 * answer. *late is set when the receive was posted after the message had
 * arrived (the sample then includes waiting for the receiver).
 */
int probe_ping(int peer, void *buf, size_t len, uint64_t t[2], int *late);
int probe_pong(int peer, void *buf, size_t len, uint64_t reply_at,
	       uint64_t t[2], int *late);

/* One-way model expectation: send + recv overhead + topo_unloaded_ns. */
uint64_t probe_model_ns(const struct topo *t, int src, int dst, uint64_t bytes);

/*
 * Ejection capacity of dst as src reaches it (its distinct last links over
 * all paths), and the peak of the route: the smaller of src's injection
 * and that, GB/s.
 */
double probe_ejection_gbps(const struct topo *t, int src, int dst);
double probe_peak_gbps(const struct topo *t, int src, int dst);

/* "intra-node" or "inter-node", and a route description into buf. */
const char *probe_scope(const struct topo *t, int src, int dst);
void probe_route_desc(const struct topo *t, int src, int dst, char *buf,
		      size_t len);

/*
 * Exit status after writing an output file: 0 when ret is 0, else print
 * why path could not be written and return 1.
 */
int probe_written(const char *path, int ret);

/* Print "out of memory" and return exit status 1. */
int probe_nomem(void);

/* "8 B", "4 KiB", "16 MiB": a size for prose. */
void probe_size_str(uint64_t bytes, char *buf, size_t len);

/* Note printed when every sample of a series is equal. */
void probe_print_identical(FILE *f, size_t n);

/* --- modes --- */

/*
 * Run a mode on base->o with base->topo: launch, measure, print, write the
 * files asked for. Return the exit status: 0, or 1 after printing why.
 */
int probe_pair_main(const struct probe_ctx *base);   /* lat, bw, summary */
int probe_matrix_main(const struct probe_ctx *base); /* matrix */
int probe_load_main(const struct probe_ctx *base);   /* incast, alltoall */

/*
 * Round-robin tournament: partner of player i in round r of p (even)
 * players, p - 1 rounds; every pair meets exactly once.
 */
int probe_rr_partner(int p, int r, int i);

#endif
