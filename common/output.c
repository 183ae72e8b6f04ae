/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"

void snemu_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int snemu_outfile_open(const char *path, struct snemu_outfile *o)
{
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.tmp", path) < 0) {
		free(o->path);
		o->path = NULL;
		o->tmp = NULL;
		return -ENOMEM;
	}
	o->f = fopen(o->tmp, "w");
	if (!o->f) {
		int ret = -errno;

		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return ret;
	}
	return 0;
}

int snemu_outfile_close(struct snemu_outfile *o, int ok)
{
	int ret = ok ? 0 : -ECANCELED;

	if (!o->f)
		return -EBADF;
	if (fflush(o->f) || ferror(o->f))
		ret = ret ?: (errno ? -errno : -EIO);
	if (fclose(o->f) && !ret)
		ret = -errno;
	if (!ret && rename(o->tmp, o->path))
		ret = -errno;
	if (ret)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return ret;
}
