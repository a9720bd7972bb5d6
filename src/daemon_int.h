/* SPDX-License-Identifier: ISC */
/*
 * daemon_int.h: the daemon's state, shared by daemon.c (the connection's
 * life) and daemon_ctl.c (what the control socket asks of it).  Private
 * to those two files.
 */
#ifndef P2S_DAEMON_INT_H
#define P2S_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "daemon.h"

struct conf;
struct creds;
struct ctl;
struct datapath;
struct ike_sa;
struct io;
struct loop;
struct netwatch;
struct sockaddr_storage;
struct notify;
struct sig;
struct sock;
struct timer;

#define P2SD_ADDR_LEN 46 /* INET6_ADDRSTRLEN */

/* What the last CHILD_SA brought, for status. */
struct p2sd_tunnel {
	uint32_t spi_in, spi_out; /* ESP SPIs, host order */
	char esp[64];		  /* "AES_GCM_16_256" ... */
	char vip[P2SD_ADDR_LEN];  /* "": none */
	time_t established_at;	  /* Unix time of the first CHILD_SA */
	unsigned round_trips;	  /* of the handshake */
	uint64_t connect_ms;	  /* of the handshake */
	bool up_once;		  /* a handshake completed */
};

#define REASON_LEN 256

struct p2sd {
	struct conf *conf;	/* owned: the profile in force */
	struct creds *creds;	/* owned: its credentials, loaded */
	struct loop *loop;	/* owned */
	struct sock *sock;	/* owned: this attempt's UDP paths */
	struct io *io_ike;	/* owned: the port-500 path */
	struct io *io_natt;	/* owned: the port-4500 path, once floated */
	struct ike_sa *sa;	/* owned: this attempt's IKE SA */
	struct ike_sa *sa_dead; /* owned: freed on the next turn */
	struct datapath *dp;	/* owned: from start to stop */
	struct dns *dns;	/* owned: the tunnel link's DNS, with dp */
	struct notify *notify;	/* owned: sd_notify */
	struct timer *t_retry;	/* owned: the next attempt */
	struct timer *t_reap;	/* owned: frees sa_dead */
	struct timer *t_stop;	/* owned: stop even without a DELETE answer */
	struct sig *sig[3];	/* owned: TERM, INT, HUP */
	enum p2sd_state state;	/* see daemon.h */
	unsigned attempt;	/* failed attempts in a row */
	unsigned attempt_perm;	/* of them, permanent (on_down) */
	uint16_t group;		/* DH group the gateway took last */
	int exit_code;		/* p2sd_run's result */
	char last_error[REASON_LEN]; /* for status */
	uint8_t *rx;		     /* owned: SOCK_RECV_MAX bytes */
	struct ctl *ctl;	     /* owned: the control socket */
	struct p2sd_tunnel tun;	     /* for status */
	bool held_down;		     /* `p2sctl down`: no reconnecting */
	struct conf *conf_next;	     /* owned: reloaded by SIGHUP, used from
					the next connect on */
	struct creds *creds_next;    /* owned: its credentials */
	struct netwatch *nw;	     /* owned: network changes, resumes */
	struct sig *sig_resume;	     /* owned: SIGUSR1, "resumed" */
};

void p2sd_set_state(struct p2sd *, enum p2sd_state, const char *why);
void p2sd_retry_now(struct p2sd *);
int p2sd_ctl_new(struct p2sd *);
int p2sd_paths_renew(struct p2sd *);

/* daemon_net.c: network changes and resumes. */
int p2sd_net_new(struct p2sd *);
void p2sd_net_free(struct p2sd *);
void p2sd_net_follow(struct p2sd *, const struct sockaddr_storage *gw);
void p2sd_reconnect(struct p2sd *, const char *why);

#endif /* P2S_DAEMON_INT_H */
