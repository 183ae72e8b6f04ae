/* SPDX-License-Identifier: MIT */
/* From a checked config to the model: counts, link classes, names. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "topology/topo_int.h"

static const char *const lc_names[TOPO_LC_NUM] = {
	[TOPO_LC_EP_UP] = "ep_l1.up",
	[TOPO_LC_EP_DOWN] = "ep_l1.down",
	[TOPO_LC_L1_UP] = "l1_l2.up",
	[TOPO_LC_L2_DOWN] = "l1_l2.down",
};

static void set_class(struct topo *t, enum topo_lc c, int count, double gbps,
		      int64_t wire_ns, int64_t hop_ns)
{
	struct topo_lclass *lc = &t->lc[c];

	lc->first = c ? t->lc[c - 1].first + t->lc[c - 1].count : 0;
	lc->count = count;
	if (!count)
		return; /* no second tier */
	lc->bw = llround(gbps * 1000);
	lc->ns_per_byte = (1000ULL << 32) / lc->bw;
	lc->ser_mtu = topo_ser_ns(lc, t->params.mtu + t->params.header);
	lc->wire_ns = wire_ns;
	lc->lat_ns = wire_ns + hop_ns;
}

static void set_div(struct topo_div *f, uint32_t d)
{
	f->d = d;
	f->m = UINT64_MAX / d + 1;
}

static int gcd(int a, int b)
{
	while (b) {
		int r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* Fill t's derived fields from t->cfg, which the reader has checked. */
static void build(struct topo *t)
{
	const struct topo_config *c = &t->cfg;
	int dies = c->endpoints.dies_as_endpoints ? 1 : c->endpoints.dies;
	int ep_links, l1_links;

	t->params = (struct topo_params){
		.send_ns = c->endpoints.send_ns,
		.recv_ns = c->endpoints.recv_ns,
		.poll_ns = c->endpoints.poll_ns,
		.issue_units = c->endpoints.issue_units,
		.mtu = c->mtu,
		.header = c->header,
		.routing = c->routing,
	};
	t->nodes = c->nodes;
	t->epn = c->endpoints.per_node * (c->endpoints.dies / dies);
	t->neps = t->nodes * t->epn;
	t->s1 = c->l1.count;
	t->global = c->l1.scope == TOPO_SCOPE_GLOBAL;
	t->lpe = dies * c->ep_l1.count;
	t->q = c->l2.per_plane * c->l1_l2.count;
	t->lcm = t->q ? t->lpe / gcd(t->lpe, t->q) * t->q : 0;
	t->paths[1] = t->s1 * t->lpe * t->lpe;
	t->paths[0] = t->q ? t->paths[1] * t->q : t->paths[1];
	set_div(&t->div_s1, t->s1);
	set_div(&t->div_lpe, t->lpe);
	set_div(&t->div_epn, t->epn);
	set_div(&t->div_paths[0], t->paths[0]);
	set_div(&t->div_paths[1], t->paths[1]);
	if (t->q) {
		set_div(&t->div_q, t->q);
		set_div(&t->div_lcm, t->lcm);
		set_div(&t->div_lpeq, t->lpe * t->q);
	}
	t->n_l1 = t->global ? t->s1 : t->nodes * t->s1;
	t->n_l2 = t->q ? t->s1 * c->l2.per_plane : 0;

	ep_links = t->neps * t->s1 * t->lpe;
	l1_links = t->q ? t->n_l1 * t->q : 0;
	set_class(t, TOPO_LC_EP_UP, ep_links, c->ep_l1.bandwidth,
		  c->ep_l1.latency, c->l1.hop_ns);
	set_class(t, TOPO_LC_EP_DOWN, ep_links, c->ep_l1.bandwidth,
		  c->ep_l1.latency, 0);
	set_class(t, TOPO_LC_L1_UP, l1_links, c->l1_l2.bandwidth,
		  c->l1_l2.latency, c->l2.hop_ns);
	set_class(t, TOPO_LC_L2_DOWN, l1_links, c->l1_l2.bandwidth,
		  c->l1_l2.latency, c->l1.hop_ns);
	t->nlinks = 2 * (ep_links + l1_links);
	topo_fabric_layout(t);
}

static int load(const char *path, const char *text, const char *origin,
		const char *defname, struct topo **out, struct topo_error *err)
{
	struct topo *t;
	int ret;

	t = calloc(1, sizeof(*t));
	if (!t) {
		if (err) {
			*err = (struct topo_error){.line = 0};
			snprintf(err->file, sizeof(err->file), "%s", origin);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		}
		return -ENOMEM;
	}
	ret = topo_config_read(path, text, origin, defname, &t->cfg, err);
	if (ret) {
		free(t);
		return ret;
	}
	build(t);
	*out = t;
	return 0;
}

int topo_load_file(const char *path, struct topo **out, struct topo_error *err)
{
	char name[TOPO_NAME_MAX];
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".cfg"))
		n -= 4;
	snprintf(name, sizeof(name), "%.*s", (int)n, base);
	return load(path, NULL, path, name, out, err);
}

int topo_load_string(const char *text, const char *origin, struct topo **out,
		     struct topo_error *err)
{
	return load(NULL, text, origin, origin, out, err);
}

void topo_destroy(struct topo *t)
{
	free(t);
}

void topo_error_format(const struct topo_error *err, char *buf, size_t len)
{
	char line[16] = "";

	if (err->line > 0)
		snprintf(line, sizeof(line), ":%d", err->line);
	snprintf(buf, len, "%s%s: %s%s%s", err->file, line, err->key,
		 err->key[0] ? ": " : "", err->msg);
}

const char *topo_name(const struct topo *t)
{
	return t->cfg.name;
}

const struct topo_params *topo_params(const struct topo *t)
{
	return &t->params;
}

int topo_num_endpoints(const struct topo *t)
{
	return t->neps;
}

int topo_num_nodes(const struct topo *t)
{
	return t->nodes;
}

int topo_node_of(const struct topo *t, int ep)
{
	if (ep < 0 || ep >= t->neps)
		return -EINVAL;
	return ep / t->epn;
}

int topo_num_switches(const struct topo *t)
{
	return t->n_l1 + t->n_l2;
}

int topo_num_tiers(const struct topo *t)
{
	return t->n_l2 ? 2 : 1;
}

int topo_tier_switches(const struct topo *t, int tier)
{
	if (tier == 0)
		return t->n_l1;
	if (tier == 1 && t->n_l2)
		return t->n_l2;
	return -EINVAL;
}

uint64_t topo_tier_hop_ns(const struct topo *t, int tier)
{
	if (topo_tier_switches(t, tier) < 0)
		return 0;
	return tier ? t->cfg.l2.hop_ns : t->cfg.l1.hop_ns;
}

int topo_num_links(const struct topo *t)
{
	return t->nlinks;
}

int topo_link_class(const struct topo *t, int c, const char **name, int *first,
		    int *count)
{
	if (c < 0 || c >= TOPO_LC_NUM || (c >= TOPO_LC_L1_UP && !t->q))
		return -EINVAL;
	*name = lc_names[c];
	*first = t->lc[c].first;
	*count = t->lc[c].count;
	return 0;
}

static const struct topo_lclass *class_of(const struct topo *t, int link,
					  int *index)
{
	for (int c = 0; c < TOPO_LC_NUM; c++) {
		const struct topo_lclass *lc = &t->lc[c];

		if (link >= lc->first && link < lc->first + lc->count) {
			*index = link - lc->first;
			return lc;
		}
	}
	return NULL;
}

double topo_link_gbps(const struct topo *t, int link)
{
	int i;
	const struct topo_lclass *lc = class_of(t, link, &i);

	return lc ? lc->bw / 1000.0 : 0;
}

uint64_t topo_link_latency_ns(const struct topo *t, int link)
{
	int i;
	const struct topo_lclass *lc = class_of(t, link, &i);

	return lc ? lc->wire_ns : 0;
}

double topo_endpoint_gbps(const struct topo *t, int ep)
{
	if (ep < 0 || ep >= t->neps)
		return 0;
	return t->s1 * t->lpe * (t->lc[TOPO_LC_EP_UP].bw / 1000.0);
}

double topo_bisection_gbps(const struct topo *t)
{
	double ep = topo_endpoint_gbps(t, 0) * (t->neps / 2);
	double up;

	if (!t->q)
		return ep;
	/* Half the nodes, through their L1 uplinks. */
	up = (t->nodes / 2) * (double)t->s1 * t->q *
	     (t->lc[TOPO_LC_L1_UP].bw / 1000.0);
	return MIN(ep, up);
}

/* The vertex number of L1 chip k of node (or global chip k). */
static int l1_vertex(const struct topo *t, int node, int k)
{
	return t->neps + (t->global ? k : node * t->s1 + k);
}

void topo_link_ends(const struct topo *t, int link, int *from, int *to)
{
	const struct topo_lclass *lc = class_of(t, link, &link);
	int a, b;

	*from = *to = -1;
	if (!lc)
		return;
	if (lc - t->lc <= TOPO_LC_EP_DOWN) {
		int ep = link / (t->s1 * t->lpe);

		a = ep;
		b = l1_vertex(t, ep / t->epn, link / t->lpe % t->s1);
	} else {
		int g1 = link / t->q;
		int k = g1 % t->s1;

		a = t->neps + g1;
		b = t->neps + t->n_l1 + k * (int)t->cfg.l2.per_plane +
		    link % t->q % (int)t->cfg.l2.per_plane;
	}
	*from = lc == &t->lc[TOPO_LC_EP_UP] || lc == &t->lc[TOPO_LC_L1_UP] ? a
									   : b;
	*to = *from == a ? b : a;
}

int topo_vertex_node(const struct topo *t, int v)
{
	if (v >= 0 && v < t->neps)
		return v / t->epn;
	if (v >= t->neps && v < t->neps + t->n_l1 && !t->global)
		return (v - t->neps) / t->s1;
	return -1;
}

void topo_vertex_name(const struct topo *t, int v, char *buf, size_t len)
{
	const struct topo_config *c = &t->cfg;

	if (v < 0 || v >= t->neps + t->n_l1 + t->n_l2) {
		snprintf(buf, len, "?");
	} else if (v < t->neps && c->endpoints.dies_as_endpoints) {
		snprintf(buf, len, "%s%d.d%d", c->endpoints.label,
			 v / (int)c->endpoints.dies,
			 v % (int)c->endpoints.dies);
	} else if (v < t->neps) {
		snprintf(buf, len, "%s%d", c->endpoints.label, v);
	} else if (v < t->neps + t->n_l1 && t->global) {
		snprintf(buf, len, "l1.%d", v - t->neps);
	} else if (v < t->neps + t->n_l1) {
		snprintf(buf, len, "n%d.l1.%d", (v - t->neps) / t->s1,
			 (v - t->neps) % t->s1);
	} else {
		v -= t->neps + t->n_l1;
		snprintf(buf, len, "l2.%d.%d", v / (int)c->l2.per_plane,
			 v % (int)c->l2.per_plane);
	}
}

void topo_link_name(const struct topo *t, int link, char *buf, size_t len)
{
	const struct topo_config *c = &t->cfg;
	char a[48], b[48], port[24] = "";
	int from, to, i;
	const struct topo_lclass *lc = class_of(t, link, &i);

	if (!lc) {
		snprintf(buf, len, "?");
		return;
	}
	topo_link_ends(t, link, &from, &to);
	topo_vertex_name(t, from, a, sizeof(a));
	topo_vertex_name(t, to, b, sizeof(b));
	/* Name the die and the parallel link when there is a choice. */
	if (lc - t->lc <= TOPO_LC_EP_DOWN) {
		int l = i % t->lpe;
		int die = l / (int)c->ep_l1.count;
		int n = l % (int)c->ep_l1.count;
		char *ep = lc == &t->lc[TOPO_LC_EP_UP] ? a : b;
		size_t used = strlen(ep);

		if (t->lpe / c->ep_l1.count > 1)
			snprintf(ep + used, sizeof(a) - used, ".d%d", die);
		if (c->ep_l1.count > 1)
			snprintf(port, sizeof(port), "#%d", n);
	} else if (c->l1_l2.count > 1) {
		snprintf(port, sizeof(port), "#%d",
			 (int)(i % t->q / c->l2.per_plane));
	}
	snprintf(buf, len, "%s->%s%s", a, b, port);
}

void topo_config_value(const struct topo *t, int i, char *buf, size_t len)
{
	if (i < 0 || i >= topo_config_num_keys())
		snprintf(buf, len, "?");
	else
		topo_config_format(&t->cfg, i, buf, len);
}

int topo_config_text(const struct topo *t, bool help, char *buf, size_t len)
{
	return topo_config_write(&t->cfg, help, buf, len);
}
