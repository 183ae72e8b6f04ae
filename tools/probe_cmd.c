/* SPDX-License-Identifier: MIT */
/*
 * snemu probe: measure latency and bandwidth on the emulated fabric.
 * The modes live in tools/probe/ (docs/PROBE.md explains the output).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "topology/topo.h"
#include "tools/cmd.h"
#include "tools/probe/probe.h"

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o;
	struct probe_ctx ctx = {0};
	struct topo_error err = {0};
	struct topo *topo = NULL;
	char spec[PATH_MAX + 16], msg[1024];
	int ret, status = 2;

	ret = probe_opts_parse(argc, argv, &o, stderr);
	if (ret) {
		status = ret > 0 ? 0 : 2;
		goto out;
	}
	if (o.topo_file) {
		char *abs = realpath(o.topo_file, NULL);

		/* The endpoints may load it again: give them a full path. */
		snprintf(spec, sizeof(spec), "file:%s",
			 abs ? abs : o.topo_file);
		free(abs);
		ret = topo_load_file(o.topo_file, &topo, &err);
	} else {
		const char *name = o.preset ? o.preset : topo_preset_names()[0];

		snprintf(spec, sizeof(spec), "preset:%s", name);
		ret = topo_load_preset(name, &topo, &err);
	}
	if (ret) {
		topo_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "snemu probe: %s\n", msg);
		goto out;
	}
	if (probe_opts_check(&o, topo, stderr))
		goto out;
	ctx.o = &o;
	ctx.topo = topo;
	ctx.topo_spec = spec;
	switch (o.mode) {
	case PROBE_MATRIX: status = probe_matrix_main(&ctx); break;
	case PROBE_INCAST:
	case PROBE_ALLTOALL: status = probe_load_main(&ctx); break;
	default: status = probe_pair_main(&ctx); break;
	}
out:
	topo_destroy(topo);
	probe_opts_free(&o);
	return status;
}
