/* SPDX-License-Identifier: MIT */
/*
 * The key table and the libconfig reader. Every key is read through the
 * table, so a key cannot be parsed one way and dumped another; whatever the
 * table does not name is an unknown key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "topology/topo_config.h"

enum key_type {
	KEY_INT,
	KEY_FLOAT,
	KEY_BOOL,
	KEY_STRING,
	KEY_ENUM,
};

enum key_need {
	NEED_NONE,   /* has a default */
	NEED_ALWAYS, /* required */
	NEED_TIER2,  /* required when there is an l2 tier */
};

struct topo_key {
	const char *name; /* dotted path in the file */
	enum key_type type;
	const char *def; /* default as config text; NULL when needed */
	enum key_need need;
	size_t offset;	     /* into struct topo_config */
	size_t size;	     /* KEY_STRING: room in the struct */
	int64_t min, max;    /* KEY_INT: the values allowed */
	double fmin, fmax;   /* KEY_FLOAT: the values allowed (> 0) */
	const char *choices; /* KEY_ENUM: "a|b|c", stored as the index */
	const char *help;
};

/*
 * Physical ranges (docs/TOPOLOGY.md): times up to a second and link
 * speeds up to 100 TB/s keep every sum and product of the model far
 * inside 64 bits; the counts are those of a machine room.
 */
#define TOPO_MAX_NODES (1 << 20)
#define TOPO_MAX_NS    1000000000LL
#define TOPO_MIN_GBPS  0.001 /* the resolution: 1 MB/s */
#define TOPO_MAX_GBPS  100000.0

#define LABEL_CHARS                                                            \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
#define OFF(f)	offsetof(struct topo_config, f)
#define ROOM(f) sizeof(((struct topo_config *)0)->f)

static const struct topo_key keys[] = {
	{.name = "name",
	 .type = KEY_STRING,
	 .def = "\"\"",
	 .offset = OFF(name),
	 .size = ROOM(name),
	 .help = "model name (default: file name)"},
	{.name = "nodes",
	 .type = KEY_INT,
	 .need = NEED_ALWAYS,
	 .offset = OFF(nodes),
	 .min = 1,
	 .max = TOPO_MAX_NODES,
	 .help = "nodes (boards/trays); endpoints are numbered node by node"},
	{.name = "mtu",
	 .type = KEY_INT,
	 .def = "4096",
	 .offset = OFF(mtu),
	 .min = 1,
	 .max = 1 << 30,
	 .help = "model segment size in bytes; messages are cut into "
		 "segments"},
	{.name = "header",
	 .type = KEY_INT,
	 .def = "32",
	 .offset = OFF(header),
	 .min = 0,
	 .max = 1 << 20,
	 .help = "bytes every segment adds on the wire (headers, framing), "
		 "so even an empty message occupies the links"},
	{.name = "routing",
	 .type = KEY_ENUM,
	 .def = "\"spray\"",
	 .offset = OFF(routing),
	 .choices = "spray|ecmp",
	 .help = "spray: each segment takes the least loaded of the "
		 "parallel paths; ecmp: one path per (src, dst)"},
	{.name = "endpoints.label",
	 .type = KEY_STRING,
	 .def = "\"ep\"",
	 .offset = OFF(endpoints.label),
	 .size = ROOM(endpoints.label),
	 .help = "endpoint kind in names, e.g. npu, gpu"},
	{.name = "endpoints.per_node",
	 .type = KEY_INT,
	 .need = NEED_ALWAYS,
	 .offset = OFF(endpoints.per_node),
	 .min = 1,
	 .max = 4096,
	 .help = "accelerators (NPUs/GPUs) per node"},
	{.name = "endpoints.dies",
	 .type = KEY_INT,
	 .def = "1",
	 .offset = OFF(endpoints.dies),
	 .min = 1,
	 .max = 64,
	 .help = "dies per accelerator; each die has its own links"},
	{.name = "endpoints.dies_as_endpoints",
	 .type = KEY_BOOL,
	 .def = "false",
	 .offset = OFF(endpoints.dies_as_endpoints),
	 .help = "expose every die as an endpoint of its own"},
	{.name = "endpoints.send_ns",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(endpoints.send_ns),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "CPU overhead charged to the sender per "
		 "send/put/get/atomic, ns"},
	{.name = "endpoints.recv_ns",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(endpoints.recv_ns),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "CPU overhead charged to the receiver per completed "
		 "receive, ns"},
	{.name = "endpoints.poll_ns",
	 .type = KEY_INT,
	 .def = "1",
	 .offset = OFF(endpoints.poll_ns),
	 .min = 1,
	 .max = TOPO_MAX_NS,
	 .help = "CPU overhead per test/poll, ns (>= 1 so polling loops "
		 "advance)"},
	{.name = "endpoints.issue_units",
	 .type = KEY_INT,
	 .def = "1",
	 .offset = OFF(endpoints.issue_units),
	 .min = 1,
	 .max = TOPO_MAX_ISSUE_UNITS,
	 .help = "one-sided operations an endpoint issues in parallel, each "
		 "taking send_ns of its unit (vector cores of an NPU die)"},
	{.name = "switches.l1.scope",
	 .type = KEY_ENUM,
	 .def = "\"node\"",
	 .offset = OFF(l1.scope),
	 .choices = "node|global",
	 .help = "node: every node has its own L1 chips; global: one set of "
		 "chips shared by all nodes"},
	{.name = "switches.l1.count",
	 .type = KEY_INT,
	 .need = NEED_ALWAYS,
	 .offset = OFF(l1.count),
	 .min = 1,
	 .max = 4096,
	 .help = "L1 switch chips per node (scope node) or in all (global)"},
	{.name = "switches.l1.hop_ns",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(l1.hop_ns),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "latency of one pass through an L1 chip, ns"},
	{.name = "switches.l2.per_plane",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(l2.per_plane),
	 .min = 0,
	 .max = 65536,
	 .help = "L2 chips per plane; plane k serves L1 chip k of every "
		 "node (0: no l2 tier)"},
	{.name = "switches.l2.hop_ns",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(l2.hop_ns),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "latency of one pass through an L2 chip, ns"},
	{.name = "links.ep_l1.count",
	 .type = KEY_INT,
	 .def = "1",
	 .offset = OFF(ep_l1.count),
	 .min = 0,
	 .max = 1024,
	 .help = "parallel links from each die to each L1 chip it reaches"},
	{.name = "links.ep_l1.bandwidth",
	 .type = KEY_FLOAT,
	 .need = NEED_ALWAYS,
	 .offset = OFF(ep_l1.bandwidth),
	 .fmin = TOPO_MIN_GBPS,
	 .fmax = TOPO_MAX_GBPS,
	 .help = "endpoint<->L1 link bandwidth, GB/s (1e9 B/s) per "
		 "direction"},
	{.name = "links.ep_l1.latency",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(ep_l1.latency),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "endpoint<->L1 link latency (wire, PHY, FEC), ns"},
	{.name = "links.l1_l2.count",
	 .type = KEY_INT,
	 .def = "1",
	 .offset = OFF(l1_l2.count),
	 .min = 0,
	 .max = 1024,
	 .help = "parallel links from each L1 chip to each L2 chip of its "
		 "plane"},
	{.name = "links.l1_l2.bandwidth",
	 .type = KEY_FLOAT,
	 .need = NEED_TIER2,
	 .offset = OFF(l1_l2.bandwidth),
	 .fmin = TOPO_MIN_GBPS,
	 .fmax = TOPO_MAX_GBPS,
	 .help = "L1<->L2 link bandwidth, GB/s (1e9 B/s) per direction"},
	{.name = "links.l1_l2.latency",
	 .type = KEY_INT,
	 .def = "0",
	 .offset = OFF(l1_l2.latency),
	 .min = 0,
	 .max = TOPO_MAX_NS,
	 .help = "L1<->L2 link latency (wire, PHY, FEC), ns"},
};

/* The config text and what it includes, as read (NUL-terminated). */
#define MAX_SOURCES 16
#define MAX_TEXT    (1 << 20)

struct source {
	char *name; /* as libconfig names it; NULL: the main text */
	char *text;
};

struct reader {
	config_t lc;
	const char *origin;
	const char *file; /* what errors name: origin, or an included file */
	struct source src[MAX_SOURCES];
	int nsrc;
	struct topo_config *cfg;
	struct topo_error *err;
	int line[ARRAY_SIZE(keys)];		/* 0: default used */
	int group_line[ARRAY_SIZE(keys)];	/* nearest enclosing group */
	const char *key_file[ARRAY_SIZE(keys)]; /* of line, NULL: origin */
};

static int fail(struct reader *r, int line, const char *key, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, int line, const char *key, const char *fmt,
		...)
{
	va_list ap;

	if (!r->err)
		return -EINVAL;
	snprintf(r->err->file, sizeof(r->err->file), "%s",
		 r->file ? r->file : r->origin);
	r->err->line = line;
	snprintf(r->err->key, sizeof(r->err->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct topo_key *find_key(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].name, path))
			return &keys[i];
	return NULL;
}

/* Fail naming key name where it was set, else where it belongs. */
static int fail_key(struct reader *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_key(struct reader *r, const char *name, const char *fmt, ...)
{
	size_t k = find_key(name) - keys;
	char msg[sizeof(r->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->file = r->key_file[k];
	return fail(r, r->line[k] ? r->line[k] : r->group_line[k], name, "%s",
		    msg);
}

/* Whether path names a group, i.e. is a proper prefix of some key. */
static bool is_group(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strncmp(keys[i].name, path, n) && keys[i].name[n] == '.')
			return true;
	return false;
}

/* Index of choice s in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *s)
{
	size_t n = strlen(s);
	int i = 0;

	for (const char *c = choices; c; c = strchr(c, '|'), i++) {
		if (*c == '|')
			c++;
		if (!strncmp(c, s, n) && (c[n] == '|' || !c[n]))
			return i;
	}
	return -1;
}

static const char *type_name(const struct topo_key *k)
{
	static const char *const names[] = {
		[KEY_INT] = "an integer",     [KEY_FLOAT] = "a number",
		[KEY_BOOL] = "true or false", [KEY_STRING] = "a string",
		[KEY_ENUM] = "a string",
	};

	return names[k->type];
}

/* Store one value of key k, from setting s (NULL: the default). */
static int store(struct reader *r, const struct topo_key *k,
		 const config_setting_t *s)
{
	void *field = (char *)r->cfg + k->offset;
	int line = s ? config_setting_source_line(s) : 0;
	int type = s ? config_setting_type(s) : 0;
	config_t dc;
	int ret;

	r->file = s ? config_setting_source_file(s) : NULL;
	if (!s) {
		/* Defaults are config text too, parsed by the same code. */
		char text[160];

		config_init(&dc);
		snprintf(text, sizeof(text), "v = %s;", k->def);
		if (config_read_string(&dc, text) != CONFIG_TRUE) {
			config_destroy(&dc);
			return fail(r, 0, k->name, "bad built-in default");
		}
		ret = store(r, k, config_lookup(&dc, "v"));
		config_destroy(&dc);
		return ret;
	}

	switch (k->type) {
	case KEY_INT: {
		long long v;

		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			break;
		v = config_setting_get_int64(s);
		if (v < k->min)
			return fail(r, line, k->name,
				    "%lld is out of range: must be >= %" PRId64,
				    v, k->min);
		if (v > k->max)
			return fail(r, line, k->name,
				    "%lld is out of range: must be <= %" PRId64,
				    v, k->max);
		*(int64_t *)field = v;
		return 0;
	}
	case KEY_FLOAT: {
		double v;

		if (type != CONFIG_TYPE_FLOAT && type != CONFIG_TYPE_INT &&
		    type != CONFIG_TYPE_INT64)
			break;
		v = type == CONFIG_TYPE_FLOAT
			    ? config_setting_get_float(s)
			    : (double)config_setting_get_int64(s);
		if (!(v > 0))
			return fail(r, line, k->name,
				    "%g is out of range: must be > 0", v);
		if (!(v >= k->fmin && v <= k->fmax))
			return fail(r, line, k->name,
				    "%g is out of range: must be %g to %g", v,
				    k->fmin, k->fmax);
		*(double *)field = v;
		return 0;
	}
	case KEY_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			break;
		*(bool *)field = config_setting_get_bool(s);
		return 0;
	case KEY_STRING: {
		const char *v;

		if (type != CONFIG_TYPE_STRING)
			break;
		v = config_setting_get_string(s);
		if (strlen(v) >= k->size)
			return fail(
				r, line, k->name,
				"\"%s\" is too long (at most %zu characters)",
				v, k->size - 1);
		memcpy(field, v, strlen(v) + 1);
		return 0;
	}
	case KEY_ENUM: {
		int i;

		if (type != CONFIG_TYPE_STRING)
			break;
		i = choice_index(k->choices, config_setting_get_string(s));
		if (i < 0)
			return fail(r, line, k->name, "\"%s\" is not one of %s",
				    config_setting_get_string(s), k->choices);
		*(int64_t *)field = i;
		return 0;
	}
	}
	if (k->type == KEY_ENUM)
		return fail(r, line, k->name, "wrong type: expected one of %s",
			    k->choices);
	return fail(r, line, k->name, "wrong type: expected %s", type_name(k));
}

/* Every setting in group must be a key or a group of keys. */
static int check_known(struct reader *r, const config_setting_t *group,
		       const char *prefix)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		int line = config_setting_source_line(s);
		char path[128];
		int ret;

		r->file = config_setting_source_file(s);
		snprintf(path, sizeof(path), "%s%s%s", prefix,
			 *prefix ? "." : "", config_setting_name(s));
		if (config_setting_is_group(s)) {
			if (find_key(path))
				return fail(r, line, path,
					    "wrong type: expected %s, not a "
					    "group",
					    type_name(find_key(path)));
			if (!is_group(path))
				return fail(r, line, path, "unknown key");
			ret = check_known(r, s, path);
			if (ret)
				return ret;
		} else if (is_group(path)) {
			return fail(r, line, path,
				    "wrong type: expected a group { ... }");
		} else if (!find_key(path)) {
			return fail(r, line, path, "unknown key");
		}
	}
	return 0;
}

/* The text setting s was read from, or NULL. */
static const char *source_text(const struct reader *r,
			       const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);

	for (int i = 0; i < r->nsrc; i++)
		if (file ? r->src[i].name && !strcmp(r->src[i].name, file)
			 : !r->src[i].name)
			return r->src[i].text;
	return NULL;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*';
}

/*
 * libconfig keeps an integer without an L suffix in 32 bits (4294967298 is
 * read as 2) and saturates one past 64 bits: find what was written for
 * integer setting s on its line, and fail when libconfig did not read it
 * as written. Nothing to say when the token cannot be found.
 */
static int check_written(struct reader *r, const struct topo_key *k,
			 const config_setting_t *s)
{
	const char *text = source_text(r, s), *name = config_setting_name(s);
	int type = config_setting_type(s), line = config_setting_source_line(s);
	long long v = config_setting_get_int64(s);
	const char *p = text, *end, *tok = NULL, *tok_end = NULL;
	size_t n = strlen(name);
	bool past64 = false;

	if (!text || (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64))
		return 0;
	for (int l = 1; l < line && p; l++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p)
		return 0;
	end = strchrnul(p, '\n');
	for (const char *q = p; (q = memmem(q, end - q, name, n)); q += n) {
		const char *a = q + n;
		char *e;
		bool hex;
		long long w;

		if ((q > p && is_name_char(q[-1])) || is_name_char(*a))
			continue;
		a += strspn(a, " \t");
		if (*a != '=' && *a != ':')
			continue;
		a++;
		a += strspn(a, " \t");
		hex = !strncasecmp(a + (*a == '-' || *a == '+'), "0x", 2);
		errno = 0;
		w = strtoll(a, &e, hex ? 16 : 10);
		if (e == a)
			continue;
		if (!errno && w == v)
			return 0; /* read as written */
		tok = a;
		tok_end = e;
		past64 = errno == ERANGE;
	}
	if (!tok)
		return 0;
	r->file = config_setting_source_file(s);
	if (!past64)
		return fail(r, line, k->name,
			    "%.*s does not fit in 32 bits (libconfig reads "
			    "%lld): a 64-bit integer needs an L suffix, "
			    "%.*sL",
			    (int)(tok_end - tok), tok, v, (int)(tok_end - tok),
			    tok);
	return fail(r, line, k->name, "%.*s does not fit in 64 bits",
		    (int)(tok_end - tok), tok);
}

/* Read every key of the table, recording where each came from. */
static int read_keys(struct reader *r)
{
	config_setting_t *root = config_root_setting(&r->lc);

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct topo_key *k = &keys[i];
		config_setting_t *s = config_lookup(&r->lc, k->name);
		char parent[128];
		char *dot;
		int ret;

		/* The nearest enclosing group that exists, for errors. */
		snprintf(parent, sizeof(parent), "%s", k->name);
		r->group_line[i] = config_setting_source_line(root);
		while ((dot = strrchr(parent, '.'))) {
			config_setting_t *g;

			*dot = '\0';
			g = config_lookup(&r->lc, parent);
			if (g) {
				r->key_file[i] = config_setting_source_file(g);
				r->group_line[i] =
					config_setting_source_line(g);
				break;
			}
		}
		if (s) {
			r->key_file[i] = config_setting_source_file(s);
			r->line[i] = config_setting_source_line(s);
			ret = check_written(r, k, s);
			if (!ret)
				ret = store(r, k, s);
		} else if (k->def) {
			ret = store(r, k, NULL);
		} else {
			ret = 0; /* checked in check_model() */
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* a * b and a + b of non-negative values, INT64_MAX when they overflow. */
static int64_t mul(int64_t a, int64_t b)
{
	int64_t p;

	return __builtin_mul_overflow(a, b, &p) ? INT64_MAX : p;
}

static int64_t add(int64_t a, int64_t b)
{
	int64_t p;

	return __builtin_add_overflow(a, b, &p) ? INT64_MAX : p;
}

/* Cross-key checks: whatever makes a model that cannot carry traffic. */
static int check_model(struct reader *r)
{
	struct topo_config *c = r->cfg;
	bool tier2 = c->l2.per_plane > 0;
	int64_t eps, links, paths;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (r->line[i])
			continue;
		if (keys[i].need == NEED_ALWAYS)
			return fail_key(r, keys[i].name,
					"missing required value (%s)",
					type_name(&keys[i]));
		if (keys[i].need == NEED_TIER2 && tier2)
			return fail_key(r, keys[i].name,
					"missing required value (%s), needed "
					"by the l2 tier",
					type_name(&keys[i]));
	}
	if (c->endpoints.label[strspn(c->endpoints.label, LABEL_CHARS)])
		return fail_key(r, "endpoints.label",
				"\"%s\": use letters, digits and _ only",
				c->endpoints.label);
	if (tier2 && c->l1.scope == TOPO_SCOPE_GLOBAL)
		return fail_key(r, "switches.l2.per_plane",
				"an l2 tier needs switches.l1.scope = "
				"\"node\"");
	if (!c->ep_l1.count)
		return fail_key(r, "links.ep_l1.count",
				"switch tier l1 is wired to nothing: every "
				"endpoint is unreachable (needs >= 1)");
	if (tier2 && !c->l1_l2.count)
		return fail_key(r, "links.l1_l2.count",
				"switch tier l2 is wired to nothing (needs "
				">= 1)");
	if (!tier2 && c->l1.scope == TOPO_SCOPE_NODE && c->nodes > 1)
		return fail_key(r, "switches.l2.per_plane",
				"endpoints of different nodes are unreachable "
				"from each other: per-node L1 chips need an "
				"l2 tier (per_plane >= 1)");
	/*
	 * Link ids and path numbers are ints: refuse models that would not
	 * fit. The key ranges keep each factor small, not their products.
	 */
	eps = mul(mul(c->nodes, c->endpoints.per_node), c->endpoints.dies);
	links = add(
		mul(mul(eps, c->l1.count), c->ep_l1.count),
		tier2 ? mul(mul(mul(c->nodes, c->l1.count), c->l2.per_plane),
			    c->l1_l2.count)
		      : 0);
	paths = mul(mul(mul(c->l1.count, c->endpoints.dies), c->ep_l1.count),
		    mul(mul(c->endpoints.dies, c->ep_l1.count),
			tier2 ? mul(c->l2.per_plane, c->l1_l2.count) : 1));
	if (eps > INT_MAX / 4 || links > INT_MAX / 4 || paths > INT_MAX / 4)
		return fail_key(
			r, "nodes",
			"model too large: %" PRId64
			" endpoint dies (nodes x per_node x dies), %" PRId64
			" links, %" PRId64 " paths per pair (limit %d each)",
			eps, links, paths, INT_MAX / 4);
	return 0;
}

/*
 * Read the file at path into a new source named name, without blocking on
 * a FIFO or a device and without handing libconfig's scanner a directory
 * (a failed read makes it exit the process). Errors name what as the file
 * and line. Returns 0 or -errno.
 */
static int read_source(struct reader *r, const char *path, const char *name,
		       int line, const char *what)
{
	struct source *src = &r->src[r->nsrc];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t got = 0;
	ssize_t k;
	int ret;

	if (fd < 0) {
		ret = -errno;
		fail(r, line, "", "%scannot open: %s", what, strerror(errno));
		return ret;
	}
	ret = -EINVAL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fail(r, line, "", "%scannot open: not a regular file", what);
		goto out;
	}
	if (st.st_size > MAX_TEXT) {
		fail(r, line, "", "%stoo large (more than %d bytes)", what,
		     MAX_TEXT);
		goto out;
	}
	if (r->nsrc == MAX_SOURCES) {
		fail(r, line, "", "%smore than %d files included", what,
		     MAX_SOURCES - 1);
		goto out;
	}
	ret = -ENOMEM;
	src->text = malloc(st.st_size + 1);
	src->name = name ? strdup(name) : NULL;
	if (!src->text || (name && !src->name)) {
		fail(r, line, "", "out of memory");
		goto out_free;
	}
	while (got < (size_t)st.st_size &&
	       (k = read(fd, src->text + got, st.st_size - got)) > 0)
		got += k;
	if (got < (size_t)st.st_size) {
		ret = -EIO;
		fail(r, line, "", "%scannot read", what);
		goto out_free;
	}
	src->text[got] = '\0';
	r->nsrc++;
	close(fd);
	return 0;

out_free:
	free(src->text);
	free(src->name);
	*src = (struct source){0};
out:
	close(fd);
	return ret;
}

/*
 * Vet the @include lines of source i and, depth first, of what they
 * include: libconfig opens them itself with fopen, which blocks on a FIFO
 * and hands its scanner a directory, so each must be a regular file first
 * (read here, also to check integers as written). libconfig reads an
 * @include path as written (no include directory is set). Returns 0 or
 * -errno with the includer's file:line.
 */
static int vet_includes(struct reader *r, int i, int depth)
{
	static const char directive[] = "@include";
	const char *p = r->src[i].text;

	for (int line = 1; p; line++) {
		const char *q = p + strspn(p, " \t"), *end;
		char what[PATH_MAX + 32], path[PATH_MAX];
		int ret;

		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
		if (strncmp(q, directive, sizeof(directive) - 1))
			continue;
		q += sizeof(directive) - 1;
		q += strspn(q, " \t");
		if (*q++ != '"' || !(end = strpbrk(q, "\"\\\n")) || *end != '"')
			continue; /* not an include, or escapes: libconfig's */
		r->file = r->src[i].name ? r->src[i].name : r->origin;
		if (end - q >= PATH_MAX)
			return fail(r, line, "", "@include: path too long");
		if (depth == 10)
			return fail(r, line, "", "@include: nested too deep");
		snprintf(path, sizeof(path), "%.*s", (int)(end - q), q);
		snprintf(what, sizeof(what), "@include \"%s\": ", path);
		ret = read_source(r, path, path, line, what);
		if (!ret)
			ret = vet_includes(r, r->nsrc - 1, depth + 1);
		if (ret)
			return ret;
	}
	r->file = NULL;
	return 0;
}

int topo_config_read(const char *path, const char *text, const char *origin,
		     const char *defname, struct topo_config *cfg,
		     struct topo_error *err)
{
	struct reader r = {.origin = origin, .cfg = cfg, .err = err};
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	config_init(&r.lc);
	if (text) {
		r.src[r.nsrc++] = (struct source){.text = (char *)text};
	} else {
		ret = read_source(&r, path, NULL, 0, "");
		if (ret)
			goto out;
	}
	ret = vet_includes(&r, 0, 0);
	if (ret)
		goto out;
	ret = config_read_string(&r.lc, r.src[0].text);
	if (ret != CONFIG_TRUE) {
		r.file = config_error_file(&r.lc);
		ret = fail(&r, config_error_line(&r.lc), "", "%s: %s",
			   config_error_type(&r.lc) == CONFIG_ERR_PARSE
				   ? "syntax error"
				   : "cannot read",
			   config_error_text(&r.lc));
		goto out;
	}
	ret = check_known(&r, config_root_setting(&r.lc), "");
	if (!ret)
		ret = read_keys(&r);
	if (!ret)
		ret = check_model(&r);
	if (!ret && !cfg->name[0])
		snprintf(cfg->name, sizeof(cfg->name), "%s", defname);
out:
	config_destroy(&r.lc);
	for (int i = text ? 1 : 0; i < r.nsrc; i++) {
		free(r.src[i].text);
		free(r.src[i].name);
	}
	return ret;
}

/* v with the fewest decimals (at least one) that read back as v. */
static void format_float(double v, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*f", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.17e", v);
}

/* s as a libconfig string literal. */
static void format_string(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	n += snprintf(buf, len, "\"");
	for (; *s && n < len; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			n += snprintf(buf + n, len - n, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			n += snprintf(buf + n, len - n, "\\x%02x", c);
		else
			n += snprintf(buf + n, len - n, "%c", c);
	}
	if (n < len)
		snprintf(buf + n, len - n, "\"");
}

void topo_config_format(const struct topo_config *cfg, int i, char *buf,
			size_t len)
{
	const struct topo_key *k = &keys[i];
	const void *field = (const char *)cfg + k->offset;

	switch (k->type) {
	case KEY_INT: {
		int64_t v = *(const int64_t *)field;

		snprintf(buf, len, "%" PRId64 "%s", v,
			 v > INT32_MAX || v < INT32_MIN ? "L" : "");
		break;
	}
	case KEY_FLOAT: format_float(*(const double *)field, buf, len); break;
	case KEY_BOOL:
		snprintf(buf, len, "%s",
			 *(const bool *)field ? "true" : "false");
		break;
	case KEY_STRING: format_string(field, buf, len); break;
	case KEY_ENUM: {
		const char *c = k->choices;
		size_t n;

		for (int64_t j = *(const int64_t *)field; j > 0; j--)
			c = strchr(c, '|') + 1;
		n = strcspn(c, "|");
		snprintf(buf, len, "\"%.*s\"", (int)n, c);
		break;
	}
	}
}

/* The values key k allows, e.g. "int 1..1048576", "spray|ecmp". */
static void format_range(const struct topo_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case KEY_INT:
		snprintf(buf, len, "int %" PRId64 "..%" PRId64, k->min, k->max);
		break;
	case KEY_FLOAT:
		snprintf(buf, len, "float %g..%g", k->fmin, k->fmax);
		break;
	case KEY_BOOL: snprintf(buf, len, "bool"); break;
	case KEY_STRING:
		snprintf(buf, len, "string of at most %zu", k->size - 1);
		break;
	case KEY_ENUM: snprintf(buf, len, "%s", k->choices); break;
	}
}

/* Length of the group part of a dotted name ("a.b" of "a.b.c"), 0: none. */
static size_t group_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

/* Groups (dot-separated parts) of the first n bytes of name. */
static int depth_of(const char *name, size_t n)
{
	int d = n > 0;

	for (size_t i = 0; i < n; i++)
		d += name[i] == '.';
	return d;
}

/* Common leading groups of the first n bytes of a and of b. */
static int shared_groups(const char *a, size_t na, const char *b, size_t nb)
{
	int d = 0;
	size_t i = 0;

	while (i < na && i < nb) {
		size_t la = strcspn(a + i, "."), lb = strcspn(b + i, ".");

		la = MIN(la, na - i);
		lb = MIN(lb, nb - i);
		if (la != lb || strncmp(a + i, b + i, la))
			break;
		d++;
		i += la + 1;
	}
	return d;
}

/* Append to buf at *at; past len only counts. */
static void out(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void out(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + MIN(*at, len), len - MIN(*at, len), fmt, ap);
	va_end(ap);
	*at += n > 0 ? n : 0;
}

int topo_config_write(const struct topo_config *cfg, bool help, char *buf,
		      size_t len)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t";
	const char *prev = "";
	size_t at = 0, nprev = 0;

	for (size_t i = 0; i <= ARRAY_SIZE(keys); i++) {
		const struct topo_key *k =
			i < ARRAY_SIZE(keys) ? &keys[i] : NULL;
		const char *name = k ? k->name : "", *c = name;
		size_t n = group_len(name);
		int keep = shared_groups(prev, nprev, name, n);
		int d = depth_of(prev, nprev), depth = depth_of(name, n);
		char value[160], range[48];

		for (; d > keep; d--)
			out(buf, len, &at, "%.*s};\n", d - 1, tabs);
		for (int g = 0; g < depth; g++, c += strcspn(c, ".") + 1)
			if (g >= keep)
				out(buf, len, &at, "%.*s%.*s = {\n", g, tabs,
				    (int)strcspn(c, "."), c);
		prev = name;
		nprev = n;
		if (!k)
			break;
		topo_config_format(cfg, i, value, sizeof(value));
		/* Not set, and not needed: a 0 would not load back. */
		if (k->need == NEED_TIER2 && cfg->l2.per_plane == 0)
			out(buf, len, &at, "%.*s# %s: not set (no l2 tier);",
			    depth, tabs, c);
		else
			out(buf, len, &at, "%.*s%s = %s;", depth, tabs, c,
			    value);
		if (help) {
			format_range(k, range, sizeof(range));
			out(buf, len, &at, " # %s: %s", range, k->help);
		}
		out(buf, len, &at, "\n");
	}
	return at < len ? (int)at : -ENOSPC;
}

int topo_config_num_keys(void)
{
	return ARRAY_SIZE(keys);
}

int topo_config_key(int i, const char **name, const char **type,
		    const char **help)
{
	static const char *const types[] = {
		[KEY_INT] = "int",
		[KEY_FLOAT] = "float",
		[KEY_BOOL] = "bool",
		[KEY_STRING] = "string",
	};

	if (i < 0 || i >= (int)ARRAY_SIZE(keys))
		return -EINVAL;
	*name = keys[i].name;
	*type = keys[i].type == KEY_ENUM ? keys[i].choices
					 : types[keys[i].type];
	*help = keys[i].help;
	return 0;
}
