/* SPDX-License-Identifier: ISC */
/*
 * netwatch.c: the path to the gateway and the clocks, watched (see
 * netwatch.h).  The monitor and the route lookups go through nl.h and
 * rtnl.h; nothing here touches a netlink socket directly.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"
#include "netwatch.h"
#include "nl.h"
#include "rtnl.h"

struct netwatch {
	struct loop *loop; /* borrowed */
	netwatch_cb cb;
	void *cb_arg;
	struct nl *mon;		     /* owned: the rtnetlink monitor */
	struct nl *req;		     /* owned: route lookups */
	struct io *io;		     /* owned: mon's fd */
	struct timer *t_check;	     /* owned: the debounce */
	struct timer *t_clock;	     /* owned: the suspend watch */
	struct netwatch_clock clock; /* the last reading */
	bool following;		     /* a gateway is followed */
	struct nl_addr gw;	     /* its address */
	unsigned int tun;	     /* our tunnel's ifindex; 0: none */
	struct netwatch_path path;   /* the reference path */
	bool lost;		     /* no route to gw at the last check */
};

/* ---- Pure parts ---- */

bool
netwatch_path_eq(const struct netwatch_path *a, const struct netwatch_path *b)
{
	if (a->valid != b->valid)
		return false;
	if (!a->valid)
		return true;
	return a->oif == b->oif && nl_addr_eq(&a->src, &b->src);
}

static uint64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
netwatch_clock_now(struct netwatch_clock *ret)
{
	ret->boot = clock_ms(CLOCK_BOOTTIME);
	ret->mono = clock_ms(CLOCK_MONOTONIC);
}

uint64_t
netwatch_suspend_gap(
    const struct netwatch_clock *before, const struct netwatch_clock *after)
{
	uint64_t d_boot, d_mono;

	if (after->boot < before->boot || after->mono < before->mono)
		return 0;
	d_boot = after->boot - before->boot;
	d_mono = after->mono - before->mono;
	if (d_boot < d_mono || d_boot - d_mono < NETWATCH_SUSPEND_MIN_MS)
		return 0;
	return d_boot - d_mono;
}

/* ---- The path ---- */

static void
path_str(const struct netwatch_path *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (!p->valid) {
		(void)snprintf(buf, len, "no route");
		return;
	}
	(void)inet_ntop(p->src.family, p->src.bytes, a, sizeof(a));
	(void)snprintf(buf, len, "from %s on ifindex %u", a, p->oif);
}

static int
path_lookup(struct netwatch *nw, struct netwatch_path *ret)
{
	struct rtnl_route rt;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = rtnl_route_lookup(nw->req, &nw->gw, &rt);
	if (r == -ENETUNREACH || r == -EHOSTUNREACH || r == -ENETDOWN)
		return 0; /* no route: a path of its own kind */
	if (r < 0)
		return r;
	/* Through our own tunnel is no way to the gateway. */
	if (nw->tun != 0 && rt.oif == nw->tun)
		return 0;
	ret->valid = true;
	ret->oif = rt.oif;
	ret->src = rt.prefsrc;
	return 0;
}

static void
check(struct netwatch *nw)
{
	char was[96], now[96];
	struct netwatch_path p;
	int r;

	if (!nw->following) {
		nw->cb(nw->cb_arg, NETWATCH_NET, 0);
		return;
	}
	r = path_lookup(nw, &p);
	if (r < 0) {
		log_warn("cannot look up the route to the gateway: %s",
		    strerror(-r));
		return;
	}
	if (!p.valid) {
		if (!nw->lost)
			log_warn("no route to the gateway any more; waiting "
				 "for one (the liveness checks decide)");
		nw->lost = true;
		return;
	}
	nw->lost = false;
	if (netwatch_path_eq(&p, &nw->path))
		return;
	path_str(&nw->path, was, sizeof(was));
	path_str(&p, now, sizeof(now));
	log_info("the path to the gateway changed: %s, was %s", now, was);
	nw->path = p;
	nw->cb(nw->cb_arg, NETWATCH_PATH, 0);
}

static void
on_check(void *arg)
{
	check(arg);
}

static void
check_soon(struct netwatch *nw)
{
	if (!timer_pending(nw->t_check))
		(void)timer_set(nw->t_check, NETWATCH_DEBOUNCE_MS);
}

/* Our own interface and routes change when the tunnel comes and goes:
 * not a network change. */
static bool
event_ours(const struct netwatch *nw, const struct rtnl_event *ev)
{
	switch (ev->type) {
	case RTNL_EV_LINK_NEW:
	case RTNL_EV_LINK_DEL:
		return nw->tun != 0 && ev->link.ifindex == nw->tun;
	case RTNL_EV_ADDR_NEW:
	case RTNL_EV_ADDR_DEL:
		return nw->tun != 0 && ev->addr.ifindex == nw->tun;
	case RTNL_EV_ROUTE_NEW:
	case RTNL_EV_ROUTE_DEL:
		return ev->route.protocol == RTPROT_P2S ||
		    (nw->tun != 0 && ev->route.oif == nw->tun);
	}
	return false;
}

static int
on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct netwatch *nw = arg;
	struct rtnl_event ev;

	if (rtnl_event_parse(nlh, &ev) < 0)
		return 0; /* another family or type: not ours to judge */
	if (!event_ours(nw, &ev))
		check_soon(nw);
	return 0;
}

static void
on_overrun(void *arg)
{
	check_soon(arg);
}

static void
on_readable(int fd, void *arg)
{
	struct netwatch *nw = arg;
	int r;

	(void)fd;
	r = nl_monitor_read(nw->mon, on_event, on_overrun, nw);
	if (r < 0)
		log_debug("rtnetlink monitor: %s", strerror(-r));
}

/* ---- The clocks ---- */

static void
on_clock(void *arg)
{
	struct netwatch *nw = arg;
	struct netwatch_clock now;
	uint64_t gap;

	netwatch_clock_now(&now);
	gap = netwatch_suspend_gap(&nw->clock, &now);
	nw->clock = now;
	(void)timer_set(nw->t_clock, NETWATCH_CLOCK_MS);
	if (gap != 0)
		netwatch_resumed(nw, gap);
}

void
netwatch_resumed(struct netwatch *nw, uint64_t gap_ms)
{
	if (gap_ms != 0)
		log_info("resumed after %llu s suspended",
		    (unsigned long long)gap_ms / 1000);
	else
		log_info("resumed from a suspend (told)");
	check_soon(nw);
	nw->cb(nw->cb_arg, NETWATCH_RESUME, gap_ms);
}

/* ---- Life ---- */

int
netwatch_new(
    struct loop *loop, netwatch_cb cb, void *arg, struct netwatch **ret)
{
	struct netwatch *nw = calloc(1, sizeof(*nw));
	int r;

	if (nw == NULL)
		return -ENOMEM;
	nw->loop = loop;
	nw->cb = cb;
	nw->cb_arg = arg;
	nw->mon = nl_open_monitor(
	    NETLINK_ROUTE, rtnl_monitor_groups, rtnl_monitor_n_groups);
	nw->req = nw->mon != NULL ? nl_open(NETLINK_ROUTE) : NULL;
	r = nw->req != NULL ? 0 : -errno;
	if (r < 0)
		log_errno(r, "cannot open rtnetlink to watch the network");
	if (r == 0)
		r = io_new(loop, nl_fd(nw->mon), on_readable, nw, &nw->io);
	if (r == 0)
		r = timer_new(loop, on_check, nw, &nw->t_check);
	if (r == 0)
		r = timer_new(loop, on_clock, nw, &nw->t_clock);
	if (r < 0) {
		netwatch_free(nw);
		return r;
	}
	netwatch_clock_now(&nw->clock);
	(void)timer_set(nw->t_clock, NETWATCH_CLOCK_MS);
	*ret = nw;
	return 0;
}

void
netwatch_free(struct netwatch *nw)
{
	if (nw == NULL)
		return;
	timer_free(nw->t_check);
	timer_free(nw->t_clock);
	io_free(nw->io);
	nl_close(nw->mon);
	nl_close(nw->req);
	free(nw);
}

static int
gw_addr(const struct sockaddr_storage *ss, struct nl_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET)
		ret->in = ((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		ret->in6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return -EAFNOSUPPORT;
	return 0;
}

int
netwatch_follow(
    struct netwatch *nw, const struct sockaddr_storage *gw, const char *ifname)
{
	int r;

	nw->following = false;
	timer_stop(nw->t_check);
	if (gw == NULL)
		return 0;
	r = gw_addr(gw, &nw->gw);
	if (r < 0)
		return r;
	nw->tun = 0;
	if (ifname != NULL && ifname[0] != '\0' &&
	    rtnl_link_index(nw->req, ifname, &nw->tun) < 0)
		nw->tun = 0;
	r = path_lookup(nw, &nw->path);
	if (r < 0)
		return r;
	nw->lost = !nw->path.valid;
	nw->following = true;
	return 0;
}

void
netwatch_path(const struct netwatch *nw, struct netwatch_path *ret)
{
	if (nw->following)
		*ret = nw->path;
	else
		memset(ret, 0, sizeof(*ret));
}
