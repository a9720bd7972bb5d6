/* SPDX-License-Identifier: ISC */
/*
 * notify.h: telling systemd how p2sd is doing (sd_notify(3)): READY=1
 * once the daemon is up and working (the tunnel may still be connecting:
 * `systemctl start` does not wait for a gateway that may be away), STATUS=
 * lines that say what it is doing, WATCHDOG=1 from the event loop when the
 * unit has WatchdogSec=, STOPPING=1 on the way out.  Without NOTIFY_SOCKET
 * every call does nothing.
 */
#ifndef P2S_NOTIFY_H
#define P2S_NOTIFY_H

#include "compat.h"

struct loop;
struct notify;

/* Starts the watchdog timer when systemd asked for one. */
int notify_new(struct loop *, struct notify **ret) P2S_WUR;
void notify_free(struct notify *);

void notify_ready(struct notify *);
void notify_status(struct notify *, const char *fmt, ...) P2S_PRINTF(2, 3);
void notify_stopping(struct notify *);

#endif /* P2S_NOTIFY_H */
