/* SPDX-License-Identifier: ISC */
/*
 * log.c: logging to stderr or the systemd journal (see log.h).  The only
 * global state in p2s: who we are, where messages go, and how verbose.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "log.h"

#define LOG_LINE_MAX 1024 /* bytes of one formatted message */

static const char *log_ident = "p2s";
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_prio = LOG_INFO;

static const char *const prio_names[] = {
	[LOG_EMERG] = "emergency",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "critical",
	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void
log_init(const char *ident, enum log_target target, int max_prio)
{
	log_ident = ident;
	log_target = target;
	log_max_prio = max_prio;
}

void
log_set_max_prio(int prio)
{
	log_max_prio = prio;
}

bool
log_would_emit(int prio)
{
	return prio <= log_max_prio;
}

void
log_emit(int prio, const char *func, int err, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!log_would_emit(prio))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (err != 0 && (size_t)n < sizeof(line))
		(void)snprintf(
		    line + n, sizeof(line) - (size_t)n, ": %s", strerror(-err));

	if (log_target == LOG_TARGET_JOURNAL) {
		(void)sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", prio,
		    "SYSLOG_IDENTIFIER=%s", log_ident, "CODE_FUNC=%s", func,
		    NULL);
		return;
	}
	if (prio < 0 || prio > LOG_DEBUG)
		prio = LOG_ERR;
	if (prio == LOG_DEBUG)
		(void)fprintf(stderr, "%s: %s: %s: %s\n", log_ident,
		    prio_names[prio], func, line);
	else
		(void)fprintf(
		    stderr, "%s: %s: %s\n", log_ident, prio_names[prio], line);
}
