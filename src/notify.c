/* SPDX-License-Identifier: ISC */
/*
 * notify.c: sd_notify for p2sd (see notify.h).  The watchdog is kicked
 * from a loop timer at half the interval systemd asked for, so a loop
 * that stops turning is what the watchdog catches.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "loop.h"
#include "notify.h"

#define NOTIFY_STATUS_MAX 256 /* bytes of one STATUS= line */

struct notify {
	struct timer *watchdog; /* owned, or NULL without WatchdogSec= */
	uint64_t interval_ms;	/* half of WATCHDOG_USEC */
};

static void
on_watchdog(void *arg)
{
	struct notify *n = arg;

	(void)sd_notify(0, "WATCHDOG=1");
	(void)timer_set(n->watchdog, n->interval_ms);
}

int
notify_new(struct loop *loop, struct notify **ret)
{
	struct notify *n = calloc(1, sizeof(*n));
	uint64_t usec = 0;
	int r;

	if (n == NULL)
		return -ENOMEM;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) {
		n->interval_ms = usec / 2000;
		r = timer_new(loop, on_watchdog, n, &n->watchdog);
		if (r == 0)
			r = timer_set(n->watchdog, n->interval_ms);
		if (r < 0) {
			notify_free(n);
			return r;
		}
		log_debug("watchdog every %llu ms",
		    (unsigned long long)n->interval_ms);
	}
	*ret = n;
	return 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	timer_free(n->watchdog);
	free(n);
}

void
notify_ready(struct notify *n)
{
	(void)sd_notify(0, "READY=1");
}

void
notify_status(struct notify *n, const char *fmt, ...)
{
	char line[NOTIFY_STATUS_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)sd_notifyf(0, "STATUS=%s", line);
}

void
notify_stopping(struct notify *n)
{
	(void)sd_notify(0, "STOPPING=1");
}
