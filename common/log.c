/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

static int log_level = -1;
static int log_rank = -1;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

enum snemu_log_level snemu_log_level(void)
{
	if (log_level < 0) {
		const char *env = getenv("SNEMU_LOG");

		log_level = SNEMU_LOG_ERROR;
		for (int i = 0; env && i <= SNEMU_LOG_DEBUG; i++)
			if (!strcasecmp(env, level_names[i]))
				log_level = i;
	}
	return log_level;
}

void snemu_log_set_rank(int rank)
{
	log_rank = rank;
}

void snemu_log(enum snemu_log_level level, const char *fmt, ...)
{
	char line[1024];
	int n;
	va_list ap;

	if ((int)level > (int)snemu_log_level())
		return;
	if (log_rank >= 0)
		n = snprintf(line, sizeof(line), "snemu[%d]: %s: ", log_rank,
			     level_names[level]);
	else
		n = snprintf(line, sizeof(line),
			     "snemu: %s: ", level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line so lines of concurrent ranks do not interleave. */
	fprintf(stderr, "%s\n", line);
}
