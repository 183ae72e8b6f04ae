/* SPDX-License-Identifier: MIT */
/* Output helpers shared by the report and the tools. */
#ifndef SNEMU_OUTPUT_H
#define SNEMU_OUTPUT_H

#include <stdio.h>

/* Write s to f as a JSON string literal: quoted, with '"', '\\' and
 * control characters escaped. */
void snemu_json_str(FILE *f, const char *s);

/*
 * A file that appears whole or not at all: it is written as PATH.tmp and
 * renamed to PATH only when closed with ok set and no write failed.
 */
struct snemu_outfile {
	FILE *f;
	char *path;
	char *tmp;
};

/* Open PATH.tmp for writing into o->f. Returns 0 or -errno. */
int snemu_outfile_open(const char *path, struct snemu_outfile *o);

/*
 * Close o: with ok, flush and rename into place; otherwise, or when any
 * write failed, remove the temporary file. Returns 0 or -errno (-EIO for a
 * failed write, -ECANCELED when !ok).
 */
int snemu_outfile_close(struct snemu_outfile *o, int ok);

#endif
