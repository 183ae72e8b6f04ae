/* SPDX-License-Identifier: MIT */
/*
 * Built-in presets. Their text is topology/presets/NAME.cfg, embedded at
 * build time (topo_preset_text.c), so file and built-in cannot drift.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topology/topo_int.h"

const char *const *topo_preset_names(void)
{
	return topo_preset_list;
}

const char *topo_preset_text(const char *name)
{
	for (int i = 0; name && topo_preset_list[i]; i++)
		if (!strcmp(topo_preset_list[i], name))
			return topo_preset_cfg[i];
	return NULL;
}

int topo_load_preset(const char *name, struct topo **out,
		     struct topo_error *err)
{
	const char *text = topo_preset_text(name);
	char origin[sizeof(err->file)];

	if (!text) {
		if (err) {
			*err = (struct topo_error){.line = 0};
			snprintf(err->file, sizeof(err->file), "<preset %s>",
				 name ? name : "(null)");
			snprintf(err->msg, sizeof(err->msg),
				 "no such preset (snemu topo --help lists "
				 "them)");
		}
		return -ENOENT;
	}
	snprintf(origin, sizeof(origin), "<preset %s>", name);
	return topo_load_string(text, origin, out, err);
}
