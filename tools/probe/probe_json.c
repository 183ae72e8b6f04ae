/* SPDX-License-Identifier: MIT */
/* snemu probe: a small JSON writer; the file appears whole or not at all. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"
#include "tools/probe/probe.h"

#define JSON_DEPTH 16

struct probe_json {
	struct snemu_outfile out;
	FILE *f; /* out.f */
	int depth;
	int count[JSON_DEPTH];	/* values written at each level */
	char close[JSON_DEPTH]; /* '}' or ']' closing each level */
	int overflow;
};

int probe_json_open(const char *path, struct probe_json **out)
{
	struct probe_json *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return -ENOMEM;
	ret = snemu_outfile_open(path, &j->out);
	if (ret) {
		free(j);
		return ret;
	}
	j->f = j->out.f;
	*out = j;
	return 0;
}

int probe_json_close(struct probe_json *j)
{
	int ret;

	if (!j)
		return 0;
	fputc('\n', j->f);
	ret = snemu_outfile_close(&j->out, !j->overflow && !j->depth);
	if (ret == -ECANCELED)
		ret = -EINVAL;
	free(j);
	return ret;
}

/* Separator, indentation and key before a value. */
static void put_key(struct probe_json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (j->depth)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		snemu_json_str(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_level(struct probe_json *j, const char *key, char c)
{
	put_key(j, key);
	fputc(c, j->f);
	if (j->depth + 1 >= JSON_DEPTH) {
		j->overflow = 1;
		return;
	}
	j->count[++j->depth] = 0;
	j->close[j->depth] = c == '{' ? '}' : ']';
}

void probe_json_obj(struct probe_json *j, const char *key)
{
	open_level(j, key, '{');
}

void probe_json_arr(struct probe_json *j, const char *key)
{
	open_level(j, key, '[');
}

void probe_json_end(struct probe_json *j)
{
	char c;

	if (!j->depth) {
		j->overflow = 1;
		return;
	}
	c = j->close[j->depth];
	if (j->count[j->depth--])
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
}

void probe_json_str(struct probe_json *j, const char *key, const char *v)
{
	put_key(j, key);
	snemu_json_str(j->f, v);
}

void probe_json_int(struct probe_json *j, const char *key, int64_t v)
{
	put_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void probe_json_num(struct probe_json *j, const char *key, double v, int prec)
{
	put_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", prec, v);
	else
		fputs("null", j->f);
}

void probe_json_bool(struct probe_json *j, const char *key, int v)
{
	put_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void probe_json_stats_usec(struct probe_json *j, const char *name,
			   const struct probe_stats *st)
{
	static const struct {
		const char *suffix;
		size_t off;
	} fields[] = {
		{"min", offsetof(struct probe_stats, min)},
		{"max", offsetof(struct probe_stats, max)},
		{"typical", offsetof(struct probe_stats, median)},
		{"avg", offsetof(struct probe_stats, avg)},
		{"stdev", offsetof(struct probe_stats, stdev)},
		{"p50", offsetof(struct probe_stats, p50)},
		{"p99", offsetof(struct probe_stats, p99)},
		{"p99_9", offsetof(struct probe_stats, p999)},
	};
	char key[64];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		double v = *(const double *)((const char *)st + fields[i].off);

		snprintf(key, sizeof(key), "%s_%s_usec", name,
			 fields[i].suffix);
		probe_json_num(j, key, v / 1e3, 4);
	}
}
