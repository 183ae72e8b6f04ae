/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/output.h"

static mode_t current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

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

int snemu_outfile_check(const char *path)
{
	struct stat st;
	char *dir, *slash;
	int ret = 0;

	if (!path || !*path)
		return -ENOENT;
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st))
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	else if (access(dir, W_OK | X_OK))
		ret = -errno;
	free(dir);
	return ret;
}

const char *snemu_outfile_why(int err)
{
	switch (err) {
	case -ENOENT: return "no file name, or its folder does not exist";
	case -EISDIR: return "it is a folder";
	case -ENOTDIR: return "its folder is not a folder";
	case -EACCES: return "its folder is not writable";
	default: return strerror(-err);
	}
}

int snemu_outfile_open(const char *path, struct snemu_outfile *o)
{
	int fd, ret;

	memset(o, 0, sizeof(*o));
	ret = snemu_outfile_check(path);
	if (ret)
		return ret;
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.XXXXXX", path) < 0) {
		free(o->path);
		memset(o, 0, sizeof(*o));
		return -ENOMEM;
	}
	/* A new file of our own: O_CREAT | O_EXCL, never through a link. */
	fd = mkostemp(o->tmp, O_CLOEXEC);
	o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o->f) {
		ret = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return ret;
	}
	/* mkostemp makes it 0600; give it what a new file would have. */
	fchmod(fd, 0666 & ~current_umask());
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
