/* SPDX-License-Identifier: ISC */
/*
 * daemon_ctl.c: what `p2sctl status`, `up` and `down` ask of a running
 * p2sd (the control socket is ctl.c's; this fills its hooks from the
 * daemon's state).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "daemon_int.h"
#include "datapath.h"
#include "dns.h"
#include "ike_sa.h"
#include "log.h"
#include "loop.h"
#include "sock.h"

static enum ctl_state
ctl_state_of(enum p2sd_state s)
{
	switch (s) {
	case P2SD_CONNECTING:
		return CTL_STATE_CONNECTING;
	case P2SD_ESTABLISHED:
		return CTL_STATE_ESTABLISHED;
	case P2SD_RECONNECTING:
		return CTL_STATE_RECONNECTING;
	case P2SD_DOWN:
	case P2SD_STOPPING:
		break; /* the contract has four states */
	}
	return CTL_STATE_DOWN;
}

static void
status_gateway(const struct p2sd *d, struct ctl_status *st)
{
	struct sockaddr_storage ss;
	const void *a;

	(void)snprintf(st->gateway.host, sizeof(st->gateway.host), "%s",
	    d->conf->gateway.host);
	if (d->sock == NULL)
		return;
	sock_remote(d->sock, &ss);
	a = ss.ss_family == AF_INET6
	    ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
	    : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	(void)inet_ntop(
	    ss.ss_family, a, st->gateway.address, sizeof(st->gateway.address));
	st->gateway.port = ntohs(ss.ss_family == AF_INET6
		? ((struct sockaddr_in6 *)&ss)->sin6_port
		: ((struct sockaddr_in *)&ss)->sin_port);
}

/* The profile's routes; the datapath adds the narrowed selectors. */
static int
status_routes(const struct p2sd *d, struct ctl_status *st)
{
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 4];
	int r = 0;

	for (size_t i = 0; i < d->conf->n_routes && r == 0; i++) {
		const struct ip_prefix *c = &d->conf->routes[i];

		if (inet_ntop(c->ip.family, &c->ip.in6, a, sizeof(a)) == NULL)
			continue;
		(void)snprintf(p, sizeof(p), "%s/%u", a, c->len);
		r = ctl_status_add_route(st, p);
	}
	return r == -E2BIG ? 0 : r;
}

/* What dns.c was given (the gateway's servers, then the profile's), and
 * how it went. */
static int
status_dns(const struct p2sd *d, struct ctl_status *st)
{
	static const enum ctl_dns_via via[] = {
		[DNS_VIA_NONE] = CTL_DNS_VIA_NONE,
		[DNS_VIA_RESOLVED] = CTL_DNS_VIA_RESOLVED,
		[DNS_VIA_RESOLVCONF] = CTL_DNS_VIA_RESOLVCONF,
	};
	const struct dns_config *cfg =
	    d->dns != NULL ? dns_applied(d->dns) : NULL;
	char a[DNS_ADDR_LEN];
	int r = 0;

	if (cfg == NULL)
		return 0;
	st->dns_via = via[dns_via(d->dns)];
	for (size_t i = 0; i < cfg->n_servers && r == 0; i++)
		r = ctl_status_add_dns(st, dns_server_str(&cfg->servers[i], a));
	return r == -E2BIG ? 0 : r;
}

static void
status_sa(const struct p2sd *d, struct ctl_status *st)
{
	const struct p2sd_tunnel *t = &d->tun;
	struct datapath_stats ds;
	struct ctl_child *c;

	st->ike.present = d->sa != NULL;
	st->ike.rekey_in_s = -1;
	if (d->sa != NULL) {
		ike_sa_spis(d->sa, &st->ike.spi_i, &st->ike.spi_r);
		st->ike.rekey_in_s = ike_sa_rekey_in_s(d->sa);
		(void)snprintf(st->ike.proposal, sizeof(st->ike.proposal), "%s",
		    ike_sa_proposal(d->sa));
		st->ike.established_at = t->established_at;
	}
	if (d->state != P2SD_ESTABLISHED || d->dp == NULL)
		return;
	datapath_stats(d->dp, &ds);
	c = &st->children[st->n_children++];
	c->spi_in = t->spi_in;
	c->spi_out = t->spi_out;
	(void)snprintf(c->proposal, sizeof(c->proposal), "%s", t->esp);
	c->bytes_in = ds.in.bytes;
	c->bytes_out = ds.out.bytes;
	c->packets_in = ds.in.packets;
	c->packets_out = ds.out.packets;
	c->drops.replay = ds.in.replay;
	c->drops.integrity = ds.in.integrity;
	c->drops.no_sa = ds.dropped_no_sa;
	c->drops.policy = ds.dropped_policy;
	c->drops.send = ds.dropped_send;
}

static int
on_status(void *arg, struct ctl_status *st)
{
	struct p2sd *d = arg;
	int r = 0;

	(void)snprintf(st->name, sizeof(st->name), "%s", d->conf->name);
	st->state = ctl_state_of(d->state);
	/* The datapath keeps interface and routes from start to stop: with
	 * no tunnel, VNet traffic goes in there and is dropped. */
	st->fail_closed = d->dp != NULL && d->state != P2SD_ESTABLISHED;
	status_gateway(d, st);
	if (d->dp != NULL) {
		(void)snprintf(st->interface, sizeof(st->interface), "%s",
		    datapath_ifname(d->dp));
		st->datapath = datapath_kind(d->dp) == DATAPATH_KERNEL
		    ? CTL_DATAPATH_KERNEL
		    : CTL_DATAPATH_USERSPACE;
	}
	if (d->state == P2SD_ESTABLISHED) {
		(void)snprintf(
		    st->virtual_ip, sizeof(st->virtual_ip), "%s", d->tun.vip);
		r = status_dns(d, st);
	}
	if (r == 0)
		r = status_routes(d, st);
	status_sa(d, st);
	st->handshake.present = d->tun.up_once;
	st->handshake.round_trips = d->tun.round_trips;
	st->handshake.ms = d->tun.connect_ms;
	(void)snprintf(
	    st->last_error, sizeof(st->last_error), "%s", d->last_error);
	return r;
}

static int
on_up(void *arg)
{
	struct p2sd *d = arg;

	if (d->state == P2SD_DOWN || d->state == P2SD_RECONNECTING) {
		log_info("p2sctl up: connecting now");
		p2sd_retry_now(d);
	}
	return 0;
}

static int
on_down(void *arg)
{
	struct p2sd *d = arg;

	if (d->state == P2SD_STOPPING || d->held_down)
		return 0;
	log_info("p2sctl down: deleting the SA; `p2sctl up` reconnects");
	d->held_down = true;
	timer_stop(d->t_retry);
	if (d->sa != NULL)
		ike_sa_delete(d->sa); /* on_down in daemon.c ends in DOWN */
	else
		p2sd_set_state(d, P2SD_DOWN, "down by p2sctl");
	return 0;
}

static const struct ctl_ops p2sd_ctl_ops = {
	.status = on_status,
	.up = on_up,
	.down = on_down,
};

int
p2sd_ctl_new(struct p2sd *d)
{
	return ctl_new(d->loop, d->conf->name, &p2sd_ctl_ops, d, &d->ctl);
}
