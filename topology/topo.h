/* SPDX-License-Identifier: MIT */
/*
 * topology/: the model of a supernode. Pure: given a config it builds
 * endpoints, switches and directed links, computes deterministic routes and
 * prices a message on the current link state. No I/O but reading the config,
 * no clocks, no processes.
 *
 * A built struct topo is read-only and may be shared by threads. Everything
 * that changes while messages are priced lives in a separate flat state
 * block (topo_state_size bytes, no pointers) so that it can sit in shared
 * memory and be used by whichever process runs the fabric engine.
 */
#ifndef SNEMU_TOPO_H
#define SNEMU_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct topo;

/* Where a config went wrong: file:line, key, what was expected. */
struct topo_error {
	char file[256]; /* "<preset NAME>" for a built-in */
	int line;	/* 0 when unknown */
	char key[128];	/* dotted path, e.g. "links.l1_l2.bandwidth" */
	char msg[256];	/* what is wrong / what was expected */
};

/* Format err as "file:line: key: msg" into buf. */
void topo_error_format(const struct topo_error *err, char *buf, size_t len);

enum topo_routing {
	TOPO_ROUTING_SPRAY, /* segments over all parallel paths, adaptive */
	TOPO_ROUTING_ECMP,  /* one path per (src, dst) by hash */
};

#define TOPO_MAX_ISSUE_UNITS 1024

/* Per-endpoint CPU overheads and model knobs from the config. */
struct topo_params {
	uint64_t send_ns; /* charged to the sender per send/put/get/atomic */
	uint64_t recv_ns; /* charged to the receiver per completed receive */
	uint64_t poll_ns; /* charged per test/poll */
	/* one-sided calls issued in parallel, send_ns each (docs/ARCHITECTURE.md) */
	uint64_t issue_units;
	uint64_t mtu;	 /* model segment size, bytes */
	uint64_t header; /* bytes every segment adds on the wire */
	enum topo_routing routing;
};

/* What one directed link did, kept in the state block (docs/MODEL.md). */
struct topo_link_stats {
	uint64_t bytes;	       /* payload bytes carried */
	uint64_t segments;     /* segments carried */
	uint64_t busy_ns;      /* time spent serializing wire bytes */
	uint64_t queue_ns;     /* time segments waited for another message's */
	uint64_t max_queue_ns; /* the worst such wait of one segment */
};

/* Names of the built-in presets, NULL-terminated; the first is the default. */
const char *const *topo_preset_names(void);

/*
 * Build a model from a libconfig file, or from a built-in preset by name.
 * On error return -EINVAL (or -ENOENT, -ENOMEM) and fill *err if not NULL.
 */
int topo_load_file(const char *path, struct topo **out, struct topo_error *err);
int topo_load_preset(const char *name, struct topo **out,
		     struct topo_error *err);
void topo_destroy(struct topo *t);

/* The config's name (preset name or file basename) and params. */
const char *topo_name(const struct topo *t);
const struct topo_params *topo_params(const struct topo *t);

/* Endpoints are 0..n-1, numbered node by node. */
int topo_num_endpoints(const struct topo *t);
int topo_num_nodes(const struct topo *t);
int topo_node_of(const struct topo *t, int ep);
int topo_num_switches(const struct topo *t);
int topo_num_links(const struct topo *t);

/* A short stable name of a directed link, e.g. "npu3.d0->n0.l1.2". */
void topo_link_name(const struct topo *t, int link, char *buf, size_t len);
double topo_link_gbps(const struct topo *t, int link); /* GB/s, 1e9 B/s */
uint64_t topo_link_latency_ns(const struct topo *t, int link);

/* Injection bandwidth of one endpoint (sum of its out-links), GB/s. */
double topo_endpoint_gbps(const struct topo *t, int ep);

/*
 * Parallel paths from src to dst (src != dst), and path i as directed link
 * ids in order; returns the hop count or a negative errno. Deterministic.
 */
int topo_num_paths(const struct topo *t, int src, int dst);
int topo_path(const struct topo *t, int src, int dst, int i, int *links,
	      int max_links);

/* Time for bytes from src to dst on an idle fabric (the closed form). */
uint64_t topo_unloaded_ns(const struct topo *t, int src, int dst,
			  uint64_t bytes);

/*
 * The mutable state: size in bytes, and reset to an idle fabric at t=0.
 * The block is large (pools for TOPO_MAX_SEGS segments in flight) but only
 * touched as it is used: reserve it zeroed (calloc, a fresh mmap, a sparse
 * memfd) and topo_state_init writes its first pages only.
 */
size_t topo_state_size(const struct topo *t);
void topo_state_init(const struct topo *t, void *state);

/* The bytes at the start of the block that topo_state_init writes. */
size_t topo_state_init_size(const struct topo *t);

/*
 * A state block of its own, initialized, backed by memory only where the
 * model touches it (an anonymous mapping, not the heap: under a sanitizer
 * a heap block this size is costly to hand out); NULL without memory.
 * Free it with topo_state_free.
 */
void *topo_state_new(const struct topo *t);
void topo_state_free(const struct topo *t, void *state);

/* Copy the statistics of the topo_num_links() links into out. */
void topo_state_links(const struct topo *t, const void *state,
		      struct topo_link_stats *out);

/*
 * Link timelines, for traces: once topo_state_timeline_on is called, each
 * link also counts its busy time (serializing wire bytes) per time bucket:
 * TOPO_TL_BUCKETS buckets of a width that starts at TOPO_TL_WIDTH ns and
 * doubles (neighbouring buckets merged) whenever a segment ends past the
 * last one, so they always cover the run so far. topo_state_timeline
 * copies link's buckets into busy and returns their width in ns (0: the
 * link never carried anything since).
 */
#define TOPO_TL_BUCKETS 255
#define TOPO_TL_WIDTH	64
void topo_state_timeline_on(const struct topo *t, void *state);
uint64_t topo_state_timeline(const struct topo *t, const void *state, int link,
			     uint64_t busy[TOPO_TL_BUCKETS]);

/* Segments that may be in the fabric at once (sent, not yet delivered). */
#define TOPO_MAX_SEGS (1U << 24)

/*
 * The fabric is a packet-level simulation (docs/MODEL.md): messages go in
 * with topo_send, the caller runs its events in time order with
 * topo_step, and each message comes out once, as a delivery, when its
 * last byte reaches dst.
 */
struct topo_delivery {
	uint64_t cookie;     /* as given to topo_send */
	uint64_t arrival_ns; /* when the last byte reached dst */
};

/*
 * Send bytes (0 allowed) from src to dst at inject_ns, which must not be
 * earlier than the last event topo_step handled. Returns 0, -EINVAL for a
 * bad pair (src == dst crosses no link: the caller delivers it itself) or
 * time, -ENOSPC when its segments would exceed TOPO_MAX_SEGS in flight.
 */
int topo_send(const struct topo *t, void *state, int src, int dst,
	      uint64_t bytes, uint64_t inject_ns, uint64_t cookie);

/* The time of the fabric's next event, UINT64_MAX when it is idle. */
uint64_t topo_next_ns(const void *state);

/*
 * Handle the fabric's next event (at topo_next_ns). Returns 1 and fills
 * *out when it delivered a message (its arrival_ns is at or after the
 * event's time), 0 when not, -EAGAIN when the fabric is idle.
 */
int topo_step(const struct topo *t, void *state, struct topo_delivery *out);

/* One message for topo_run. */
struct topo_msg {
	int src, dst;
	uint64_t bytes;
	uint64_t inject_ns;
};

/*
 * Run n messages, sorted by inject_ns, through the fabric from its state
 * (sends at t go in before the fabric's events at t), until it is idle;
 * arrival[i] gets message i's arrival (its inject_ns when src == dst).
 * Returns 0, or the first error of topo_send (-EINVAL for unsorted).
 */
int topo_run(const struct topo *t, void *state, const struct topo_msg *msgs,
	     size_t n, uint64_t *arrival);

/* The path index (for topo_path) that ecmp routing gives src -> dst. */
int topo_ecmp_path(const struct topo *t, int src, int dst);

/*
 * Additions beyond the core interface above: config text, introspection for
 * `snemu topo` (summary, --json, --dot, --dump-config).
 */

/*
 * Build a model from libconfig text; origin names it in errors and is the
 * model's name when the text has no "name". Errors as topo_load_file.
 */
int topo_load_string(const char *text, const char *origin, struct topo **out,
		     struct topo_error *err);

/* The config text of a built-in preset (topology/presets/NAME.cfg), or NULL. */
const char *topo_preset_text(const char *name);

/*
 * Switch tiers (1 or 2): tier 0 is "l1", tier 1 "l2". The number of
 * switches of a tier (-EINVAL past the last) and the latency of one pass
 * through one of them.
 */
int topo_num_tiers(const struct topo *t);
int topo_tier_switches(const struct topo *t, int tier);
uint64_t topo_tier_hop_ns(const struct topo *t, int tier);

/*
 * The graph's vertices are the endpoints 0..n-1 then the switches
 * n..n+topo_num_switches()-1, L1 before L2. Names like "npu3", "n0.l1.2",
 * "l2.6.15". A directed link goes from vertex *from to vertex *to.
 */
void topo_vertex_name(const struct topo *t, int v, char *buf, size_t len);
void topo_link_ends(const struct topo *t, int link, int *from, int *to);

/* The node of vertex v (endpoint or per-node switch); -1 if shared. */
int topo_vertex_node(const struct topo *t, int v);

/*
 * Link classes, e.g. "ep_l1.up": links first..first+count-1 share one
 * bandwidth and latency. Returns 0, or -EINVAL past the last class.
 */
int topo_link_class(const struct topo *t, int c, const char **name, int *first,
		    int *count);

/*
 * Per-direction bandwidth across a cut of the endpoints into two halves by
 * number (node-aligned), GB/s.
 */
double topo_bisection_gbps(const struct topo *t);

/*
 * The config keys, for --dump-config: i in 0..topo_config_num_keys()-1.
 * topo_config_key returns 0 or -EINVAL; type is "int", "float", "bool",
 * "string" or a choice like "spray|ecmp". topo_config_value formats the
 * value t was built with, as libconfig text.
 */
int topo_config_num_keys(void);
int topo_config_key(int i, const char **name, const char **type,
		    const char **help);
void topo_config_value(const struct topo *t, int i, char *buf, size_t len);

/*
 * The model's config as libconfig text that loads back to the same model
 * (name included; no @include); with help, every key's type, range and
 * help as comments, as --dump-config prints it. Returns the length, or
 * -ENOSPC when len is too small (TOPO_CONFIG_TEXT_MAX always does).
 */
#define TOPO_CONFIG_TEXT_MAX 8192
int topo_config_text(const struct topo *t, bool help, char *buf, size_t len);

#endif
