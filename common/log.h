/* SPDX-License-Identifier: MIT */
/*
 * One small logger. SNEMU_LOG=error|warn|info|debug (default: error) picks
 * what reaches stderr; the library prints nothing else.
 */
#ifndef SNEMU_LOG_H
#define SNEMU_LOG_H

enum snemu_log_level {
	SNEMU_LOG_ERROR,
	SNEMU_LOG_WARN,
	SNEMU_LOG_INFO,
	SNEMU_LOG_DEBUG,
};

/* Current threshold, read once from SNEMU_LOG. */
enum snemu_log_level snemu_log_level(void);

/* Print one line "snemu[rank]: LEVEL: msg" if level passes the threshold. */
void snemu_log(enum snemu_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Tag log lines of this process with its rank (-1: launcher). */
void snemu_log_set_rank(int rank);

#define log_err(...)  snemu_log(SNEMU_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) snemu_log(SNEMU_LOG_WARN, __VA_ARGS__)
#define log_info(...) snemu_log(SNEMU_LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (snemu_log_level() >= SNEMU_LOG_DEBUG)                      \
			snemu_log(SNEMU_LOG_DEBUG, __VA_ARGS__);               \
	} while (0)

#endif
