/* SPDX-License-Identifier: MIT */
/*
 * The topology config: one table of keys {name, type, default, help, offset}
 * read once from libconfig text into struct topo_config. Internal to
 * topology/; the tool reaches the table through topo_config_key().
 */
#ifndef SNEMU_TOPO_CONFIG_H
#define SNEMU_TOPO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology/topo.h"

#define TOPO_NAME_MAX 64

enum topo_scope {
	TOPO_SCOPE_NODE,   /* each node has its own L1 chips */
	TOPO_SCOPE_GLOBAL, /* the L1 chips are shared by every node */
};

/* Every setting of a supernode config; see docs/TOPOLOGY.md. */
struct topo_config {
	char name[TOPO_NAME_MAX];
	int64_t nodes;
	int64_t mtu;
	int64_t header;
	int64_t routing; /* enum topo_routing */
	struct {
		char label[16];
		int64_t per_node;
		int64_t dies;
		bool dies_as_endpoints;
		int64_t send_ns;
		int64_t recv_ns;
		int64_t poll_ns;
		int64_t issue_units;
	} endpoints;
	struct {
		int64_t scope; /* enum topo_scope */
		int64_t count;
		int64_t hop_ns;
	} l1;
	struct {
		int64_t per_plane;
		int64_t hop_ns;
	} l2;
	struct {
		int64_t count;
		double bandwidth; /* GB/s per direction */
		int64_t latency;  /* ns */
	} ep_l1, l1_l2;
};

/*
 * Parse libconfig text into *cfg and check it: from the file path, or from
 * text when it is not NULL. origin names the source in errors; defname is
 * the model's name when the config has no "name". Returns 0, or
 * -EINVAL/-ENOENT/-ENOMEM with *err filled.
 */
int topo_config_read(const char *path, const char *text, const char *origin,
		     const char *defname, struct topo_config *cfg,
		     struct topo_error *err);

/*
 * cfg as libconfig text that loads back to the same model (groups nested,
 * every key set but those not needed); with help, each key's range and
 * help as a comment. Returns the length, or -ENOSPC when len is short.
 */
int topo_config_write(const struct topo_config *cfg, bool help, char *buf,
		      size_t len);

/* Format key i's value in cfg as libconfig text into buf. */
void topo_config_format(const struct topo_config *cfg, int i, char *buf,
			size_t len);

#endif
