/* SPDX-License-Identifier: MIT */
/* Output helpers shared by the report and the tools. */
#ifndef SNEMU_OUTPUT_H
#define SNEMU_OUTPUT_H

#include <stdio.h>

/* Write s to f as a JSON string literal: quoted, with '"', '\\' and
 * control characters escaped. */
void snemu_json_str(FILE *f, const char *s);

/*
 * A file that appears whole or not at all: it is written as a new file
 * PATH.XXXXXX (created with O_EXCL, so never through a symlink another
 * user planted) and renamed to PATH only when closed with ok set and no
 * write failed; PATH itself, even a symlink, is replaced, never written
 * through.
 */
struct snemu_outfile {
	FILE *f;
	char *path;
	char *tmp;
};

/*
 * Can path be written as an outfile? 0, or -ENOENT (empty, or its folder
 * does not exist), -EISDIR, -ENOTDIR, -EACCES: for checks before a run.
 */
int snemu_outfile_check(const char *path);

/* What an error of snemu_outfile_check means, as text. */
const char *snemu_outfile_why(int err);

/* Open a new temporary next to path into o->f. Returns 0 or -errno. */
int snemu_outfile_open(const char *path, struct snemu_outfile *o);

/*
 * Close o: with ok, flush and rename into place; otherwise, or when any
 * write failed, remove the temporary file. Returns 0 or -errno (-EIO for a
 * failed write, -ECANCELED when !ok).
 */
int snemu_outfile_close(struct snemu_outfile *o, int ok);

#endif
