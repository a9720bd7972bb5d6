/* SPDX-License-Identifier: ISC */
/*
 * daemon.h: p2sd's top level.  One struct p2sd per profile, passed
 * explicitly (no globals): the loaded profile and credentials, the event
 * loop, the UDP paths to the gateway, the IKE SA, the datapath, and the
 * connection's life: connect, established, down, reconnect with backoff
 * and jitter, stop.
 */
#ifndef P2S_DAEMON_H
#define P2S_DAEMON_H

#include "compat.h"

struct conf;
struct p2sd;

enum p2sd_state {
	P2SD_DOWN,	   /* not connected, not trying */
	P2SD_CONNECTING,   /* IKE in progress */
	P2SD_ESTABLISHED,  /* tunnel up */
	P2SD_RECONNECTING, /* waiting to try again */
	P2SD_STOPPING,	   /* deleting the SA on the way out */
};

#define P2SD_BACKOFF_MIN_MS	  1000 /* first retry after a transient error */
#define P2SD_BACKOFF_MAX_MS	  300000 /* retries never wait longer */
#define P2SD_BACKOFF_PERMANENT_MS 60000	 /* first retry after a permanent one */
#define P2SD_STOP_TIMEOUT_MS	  5000	 /* a DELETE gets this long */

/* Takes the profile; loads the credentials it names. */
int p2sd_new(struct conf *, struct p2sd **ret) P2S_WUR;
void p2sd_free(struct p2sd *);

/* Connect and run until stopped: 0 after SIGTERM/SIGINT, 1 when the
 * tunnel failed and the profile says `reconnect: never`. */
int p2sd_run(struct p2sd *);

enum p2sd_state p2sd_state(const struct p2sd *);
const char *p2sd_state_name(enum p2sd_state);

#endif /* P2S_DAEMON_H */
