/* SPDX-License-Identifier: ISC */
/*
 * log.c: logging to stderr or the systemd journal (see log.h).  The only
 * global state in p2s: who we are, where messages go, how verbose, and
 * the context the journal's fields come from.
 */
#include <sys/uio.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Our CODE_FUNC is the caller's, not log.c's: no automatic location. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "log.h"

#define LOG_LINE_MAX 1024 /* bytes of one formatted message */

static const char *log_ident = "p2s";
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_prio = LOG_INFO;

/* The journal's fields, formatted once when set: "" is unset. */
static struct {
	char profile[sizeof("P2S_PROFILE=") + LOG_FIELD_MAX];
	char state[sizeof("P2S_STATE=") + LOG_FIELD_MAX];
	char spi_i[sizeof("P2S_IKE_SPI_I=") + 16];
	char spi_r[sizeof("P2S_IKE_SPI_R=") + 16];
} log_ctx;

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

/* "KEY=value" into field, or "" when value is NULL or empty.  Cut at
 * LOG_FIELD_MAX bytes of value (the field has room for them). */
static void
field_set(char *field, size_t len, const char *key, const char *value)
{
	field[0] = '\0';
	if (value != NULL && value[0] != '\0')
		(void)snprintf(
		    field, len, "%s=%.*s", key, LOG_FIELD_MAX, value);
}

void
log_set_profile(const char *name)
{
	field_set(
	    log_ctx.profile, sizeof(log_ctx.profile), "P2S_PROFILE", name);
}

void
log_set_state(const char *state)
{
	field_set(log_ctx.state, sizeof(log_ctx.state), "P2S_STATE", state);
}

void
log_set_ike_spis(uint64_t spi_i, uint64_t spi_r)
{
	log_ctx.spi_i[0] = log_ctx.spi_r[0] = '\0';
	if (spi_i != 0)
		(void)snprintf(log_ctx.spi_i, sizeof(log_ctx.spi_i),
		    "P2S_IKE_SPI_I=%016" PRIx64, spi_i);
	if (spi_r != 0)
		(void)snprintf(log_ctx.spi_r, sizeof(log_ctx.spi_r),
		    "P2S_IKE_SPI_R=%016" PRIx64, spi_r);
}

/* One message to the journal: the fixed fields, then the context's. */
static void
journal_send(int prio, const char *func, const char *line)
{
	char msg[sizeof("MESSAGE=") + LOG_LINE_MAX], pri[sizeof("PRIORITY=N")],
	    ident[sizeof("SYSLOG_IDENTIFIER=") + LOG_FIELD_MAX],
	    cfunc[sizeof("CODE_FUNC=") + LOG_FIELD_MAX];
	const char *ctx[] = { log_ctx.profile, log_ctx.state, log_ctx.spi_i,
		log_ctx.spi_r };
	struct iovec iov[4 + ARRAY_SIZE(ctx)];
	size_t n = 0;

	(void)snprintf(msg, sizeof(msg), "MESSAGE=%s", line);
	(void)snprintf(pri, sizeof(pri), "PRIORITY=%d", prio & LOG_PRIMASK);
	(void)snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%.*s",
	    LOG_FIELD_MAX, log_ident);
	(void)snprintf(
	    cfunc, sizeof(cfunc), "CODE_FUNC=%.*s", LOG_FIELD_MAX, func);
	iov[n++] = (struct iovec){ msg, strlen(msg) };
	iov[n++] = (struct iovec){ pri, strlen(pri) };
	iov[n++] = (struct iovec){ ident, strlen(ident) };
	iov[n++] = (struct iovec){ cfunc, strlen(cfunc) };
	for (size_t i = 0; i < ARRAY_SIZE(ctx); i++)
		if (ctx[i][0] != '\0')
			iov[n++] =
			    (struct iovec){ (void *)ctx[i], strlen(ctx[i]) };
	(void)sd_journal_sendv(iov, (int)n);
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
		journal_send(prio, func, line);
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
