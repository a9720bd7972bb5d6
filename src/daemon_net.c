/* SPDX-License-Identifier: ISC */
/*
 * daemon_net.c: what p2sd does when the network changes under it or the
 * machine wakes from a suspend (netwatch.h tells it).
 *
 *   path to the gateway changed   established: move the SA to the new
 *                                 path with MOBIKE (RFC 4555) when both
 *                                 sides announced it and the datapath is
 *                                 userspace (the kernel's states hold the
 *                                 old addresses); else reconnect on it;
 *                                 connecting: start again on the new path;
 *                                 waiting to reconnect: try now
 *   the network changed, no       waiting to reconnect: try now (keeping
 *   gateway address known yet     the backoff, in case it fails again)
 *   resumed from a suspend        established: a liveness check at once;
 *                                 waiting to reconnect: try now
 *
 * p2sd notices a suspend by itself (netwatch's clock watch); SIGUSR1
 * tells it the same way, for a system-sleep hook that knows first.
 *
 * While it reconnects the tunnel interface and the VNet routes stay, so
 * VNet traffic is dropped there, never sent in clear (fail closed).
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "daemon_int.h"
#include "datapath.h"
#include "ike_sa.h"
#include "log.h"
#include "loop.h"
#include "netwatch.h"
#include "sock.h"

/* Drop the SA without a DELETE (its path is gone) and connect again at
 * once; the datapath keeps the interface and routes: fail closed. */
void
p2sd_reconnect(struct p2sd *d, const char *why)
{
	if (d->held_down || d->state == P2SD_STOPPING || d->state == P2SD_DOWN)
		return;
	if (d->sa != NULL) {
		datapath_clear(d->dp);
		ike_sa_free(d->sa_dead);
		d->sa_dead = d->sa;
		d->sa = NULL;
		(void)timer_set(d->t_reap, 0);
	}
	(void)snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	d->attempt = 0;
	p2sd_set_state(d, P2SD_RECONNECTING, why);
	(void)timer_set(d->t_retry, 0);
}

/* MOBIKE: same SA, same CHILD_SA, new socket. */
static int
move(struct p2sd *d)
{
	struct sockaddr_storage gw;
	int r;

	if (!ike_sa_can_move(d->sa) ||
	    datapath_kind(d->dp) != DATAPATH_USERSPACE)
		return -EOPNOTSUPP;
	r = p2sd_paths_renew(d);
	if (r == 0)
		r = ike_sa_move(d->sa, d->sock);
	if (r < 0) {
		log_errno(r, "cannot move the SA to the new path");
		return r;
	}
	sock_remote(d->sock, &gw);
	p2sd_net_follow(d, &gw);
	return 0;
}

static void
on_path(struct p2sd *d)
{
	switch (d->state) {
	case P2SD_ESTABLISHED:
		if (move(d) < 0)
			p2sd_reconnect(d, "the path to the gateway changed");
		break;
	case P2SD_CONNECTING:
		p2sd_reconnect(d, "the path to the gateway changed");
		break;
	case P2SD_RECONNECTING:
		if (!d->held_down) {
			log_info("the path to the gateway changed: trying now");
			d->attempt = 0;
			(void)timer_set(d->t_retry, 0);
		}
		break;
	case P2SD_DOWN:
	case P2SD_STOPPING:
		break;
	}
}

/* The network changed before any gateway address was known (its name
 * did not resolve): try now, keeping the backoff for the failures. */
static void
on_net(struct p2sd *d)
{
	if (d->state == P2SD_RECONNECTING && !d->held_down) {
		log_info("the network changed: trying now");
		(void)timer_set(d->t_retry, 0);
	}
}

static void
on_resume(struct p2sd *d)
{
	if (ike_sa_check_liveness(d->sa, "resumed from a suspend"))
		return;
	if (d->state == P2SD_RECONNECTING && !d->held_down) {
		log_info("resumed from a suspend: trying to connect now");
		d->attempt = 0;
		(void)timer_set(d->t_retry, 0);
	}
}

static void
on_netwatch(void *arg, enum netwatch_event ev, uint64_t gap_ms)
{
	struct p2sd *d = arg;

	(void)gap_ms; /* netwatch logged it */
	if (ev == NETWATCH_PATH)
		on_path(d);
	else if (ev == NETWATCH_RESUME)
		on_resume(d);
	else if (ev == NETWATCH_NET)
		on_net(d);
}

static void
on_sigusr1(int signo, void *arg)
{
	struct p2sd *d = arg;

	(void)signo;
	netwatch_resumed(d->nw, 0);
}

int
p2sd_net_new(struct p2sd *d)
{
	int r = netwatch_new(d->loop, on_netwatch, d, &d->nw);

	if (r == 0)
		r = sig_new(d->loop, SIGUSR1, on_sigusr1, d, &d->sig_resume);
	return r;
}

void
p2sd_net_free(struct p2sd *d)
{
	sig_free(d->sig_resume);
	netwatch_free(d->nw);
	d->sig_resume = NULL;
	d->nw = NULL;
}

/* The gateway an attempt's sockets go to: the path to it now (or none:
 * the network may come later) is the reference from now on. */
void
p2sd_net_follow(struct p2sd *d, const struct sockaddr_storage *gw)
{
	int r = netwatch_follow(
	    d->nw, gw, d->dp != NULL ? datapath_ifname(d->dp) : NULL);

	if (r < 0)
		log_errno(r, "cannot follow the path to the gateway");
}
