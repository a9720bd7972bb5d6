/* SPDX-License-Identifier: ISC */
/*
 * test_nl_live.c: nl, rtnl and xfrm against the running kernel, inside a
 * private network namespace this test makes for itself (root needed, as
 * `make check` runs; nothing reaches the host's namespaces, and the
 * namespace dies with the process).
 *
 * On any kernel: a TUN link (up, MTU), addresses, monitors seeing link,
 * address and route events (and the overrun callback when they are not
 * read), batches of 1, 10, 1,000 and 10,000 routes installed and removed
 * with dumps showing exactly those (timings printed as TAP comments, never
 * asserted), per-request batch errors, route lookups, XFRM policies with
 * if_id, 768 of them in batches, and their cleanup by if_id, SPI allocation, an ACQUIRE event, the
 * IKE socket bypass, and the `datapath: auto` probe.
 *
 * Where the kernel has ESP (the kernel lab: `tests/kernel-lab/run --
 * test_nl_live --esp`; --esp makes ESP required), also: real states
 * (AES-GCM and AES-CBC + HMAC-SHA256, with and without ESP in UDP) behind
 * an XFRM interface, the ESP packets they produce read back from the TUN,
 * their counters, soft and hard EXPIRE events, and an inbound state on an
 * allocated SPI.  Where it has none (the test machines), the probe and a
 * state add must fail cleanly with the kernel's reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <net/if.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtnl.h"
#include "tun.h"
#include "xfrm.h"

#define TUN_NAME   "p2sl0"
#define XFRMI_NAME "p2sx0"
#define TABLE	   100	      /* where the batches go */
#define WAIT_MS	   20000      /* generous: the kernel lab runs under TCG */
#define ROUTE_BASE 0x64400000 /* 100.64.0.0: /32 routes from here */

static struct {
	struct nl *rt;	 /* NETLINK_ROUTE requests */
	struct nl *xf;	 /* NETLINK_XFRM requests */
	struct nl *rmon; /* links, addresses, routes */
	struct nl *xmon; /* ACQUIRE, EXPIRE */
	int tun;
	unsigned int ifindex; /* the TUN's */
	bool need_esp;	      /* --esp: the kernel must have ESP */
	struct xfrm_probe probe;
} g;

static struct nl_addr
v4(const char *s)
{
	struct nl_addr a = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &a.in), 1);
	return a;
}

static struct nl_addr
v6(const char *s)
{
	struct nl_addr a = { .family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, &a.in6), 1);
	return a;
}

static struct nl_prefix
pfx(struct nl_addr a, uint8_t len)
{
	struct nl_prefix p = { .addr = a, .len = len };

	return p;
}

static double
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
setup(void **state)
{
	unsigned int groups_x[] = { XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE };
	unsigned int lo;

	/* Everything below happens in a namespace nobody else sees. */
	if (unshare(CLONE_NEWNET) == -1) {
		print_error("unshare(CLONE_NEWNET): %s (run as root)\n",
		    strerror(errno));
		return -1;
	}
	g.rt = nl_open(NETLINK_ROUTE);
	g.xf = nl_open(NETLINK_XFRM);
	g.rmon = nl_open_monitor(
	    NETLINK_ROUTE, rtnl_monitor_groups, rtnl_monitor_n_groups);
	g.xmon = nl_open_monitor(NETLINK_XFRM, groups_x, 2);
	if (g.rt == NULL || g.xf == NULL || g.rmon == NULL || g.xmon == NULL) {
		print_error("netlink: %s\n", strerror(errno));
		return -1;
	}
	if (rtnl_link_index(g.rt, "lo", &lo) < 0 ||
	    rtnl_link_set_up(g.rt, lo, true) < 0) {
		print_error("cannot bring lo up\n");
		return -1;
	}
	/* A kernel with TUN as a module needs `modprobe tun` first. */
	g.tun = tun_open(TUN_NAME);
	if (g.tun < 0) {
		print_error("tun_open: %s\n", strerror(-g.tun));
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	nl_close(g.rt);
	nl_close(g.xf);
	nl_close(g.rmon);
	nl_close(g.xmon);
	if (g.tun >= 0)
		(void)close(g.tun);
	return 0;
}

/*
 * Monitors.
 */

struct ev_wait {
	bool (*match)(const struct rtnl_event *, void *);
	bool (*xmatch)(const struct xfrm_event *, void *);
	void *want;
	bool found;
	size_t n_bad; /* messages our parsers refused */
	size_t n_overruns;
	struct xfrm_event xev; /* the one that matched */
};

static int
ev_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ev_wait *w = arg;
	struct rtnl_event ev;
	struct xfrm_event xev;
	int r;

	if (w->match != NULL) {
		r = rtnl_event_parse(nlh, &ev);
		if (r == 0 && w->match(&ev, w->want))
			w->found = true;
	} else {
		r = xfrm_event_parse(nlh, &xev);
		if (r == 0 && !w->found && w->xmatch(&xev, w->want)) {
			w->found = true;
			w->xev = xev;
		}
	}
	if (r == -EBADMSG)
		w->n_bad++;
	return 0;
}

static void
ev_overrun(void *arg)
{
	((struct ev_wait *)arg)->n_overruns++;
}

/* Read a monitor until an event matches (or, with no matcher, until
 * nothing more arrives within quiet_ms). */
static void
ev_run(struct nl *mon, struct ev_wait *w, int quiet_ms)
{
	struct pollfd pfd = { .fd = nl_fd(mon), .events = POLLIN };
	double deadline = now_ms() + WAIT_MS;

	while (!w->found && now_ms() < deadline) {
		int n = poll(&pfd, 1, quiet_ms > 0 ? quiet_ms : WAIT_MS);

		assert_true(n >= 0);
		if (n == 0 && quiet_ms > 0)
			break;
		assert_int_equal(nl_monitor_read(mon, ev_cb, ev_overrun, w), 0);
	}
	assert_int_equal(w->n_bad, 0);
}

static bool
rtnl_wait(bool (*match)(const struct rtnl_event *, void *), void *want)
{
	struct ev_wait w = { .match = match, .want = want };

	ev_run(g.rmon, &w, 0);
	return w.found;
}

static bool
match_none(const struct rtnl_event *ev, void *want)
{
	return false;
}

/* Read everything queued on the route monitor; returns the overruns. */
static size_t
rtnl_drain(void)
{
	struct ev_wait w = { .match = match_none };

	ev_run(g.rmon, &w, 200);
	return w.n_overruns;
}

static bool
xfrm_wait(bool (*xmatch)(const struct xfrm_event *, void *), void *want,
    struct xfrm_event *ret)
{
	struct ev_wait w = { .xmatch = xmatch, .want = want };

	ev_run(g.xmon, &w, 0);
	*ret = w.xev;
	return w.found;
}

/*
 * Links and addresses.
 */

static bool
match_tun_up(const struct rtnl_event *ev, void *want)
{
	return ev->type == RTNL_EV_LINK_NEW && ev->link.ifindex == g.ifindex &&
	    (ev->link.flags & IFF_UP) && ev->link.mtu == 1400 &&
	    strcmp(ev->link.name, TUN_NAME) == 0;
}

static int
find_link_cb(const struct rtnl_link *link, void *arg)
{
	struct rtnl_link *want = arg;

	if (strcmp(link->name, want->name) == 0)
		*want = *link;
	return 0;
}

static void
test_link(void **state)
{
	struct rtnl_link link = { .name = TUN_NAME };
	unsigned int idx;

	assert_int_equal(rtnl_link_index(g.rt, TUN_NAME, &g.ifindex), 0);
	assert_int_equal(rtnl_link_set_mtu(g.rt, g.ifindex, 1400), 0);
	assert_int_equal(rtnl_link_set_up(g.rt, g.ifindex, true), 0);
	assert_int_equal(rtnl_link_get(g.rt, TUN_NAME, &link), 0);
	assert_int_equal(link.ifindex, g.ifindex);
	assert_int_equal(link.mtu, 1400);
	assert_true(link.flags & IFF_UP);
	assert_string_equal(link.kind, "tun");

	memset(&link, 0, sizeof(link));
	strcpy(link.name, TUN_NAME);
	assert_int_equal(rtnl_link_dump(g.rt, find_link_cb, &link), 0);
	assert_int_equal(link.ifindex, g.ifindex);

	idx = 12345;
	assert_int_equal(rtnl_link_index(g.rt, "p2s-nosuch", &idx), -ENODEV);
	assert_int_equal(idx, 12345); /* untouched on failure */
	assert_int_equal(rtnl_link_set_mtu(g.rt, 999999, 1400), -ENODEV);
	/* The monitor saw the link come up with its MTU. */
	assert_true(rtnl_wait(match_tun_up, NULL));
}

struct addr_seen {
	struct nl_prefix want[2];
	bool seen[2];
	size_t n;	/* on the TUN */
	size_t n_other; /* on other links */
};

static int
addr_cb(const struct rtnl_addr *a, void *arg)
{
	struct addr_seen *s = arg;

	if (a->ifindex != g.ifindex) {
		s->n_other++;
		return 0;
	}
	s->n++;
	for (size_t i = 0; i < 2; i++)
		if (nl_addr_eq(&a->prefix.addr, &s->want[i].addr) &&
		    a->prefix.len == s->want[i].len)
			s->seen[i] = true;
	return 0;
}

/* One datagram may hold several events: match them all in one wait. */
static bool
match_addrs_new(const struct rtnl_event *ev, void *want)
{
	struct addr_seen *s = want;

	if (ev->type == RTNL_EV_ADDR_NEW)
		(void)addr_cb(&ev->addr, s);
	return s->seen[0] && s->seen[1];
}

static void
test_addr(void **state)
{
	struct nl_prefix a4 = pfx(v4("10.99.0.1"), 24);
	struct nl_prefix a6 = pfx(v6("fd00:99::1"), 64);
	struct addr_seen s = { .want = { a4, a6 } };

	assert_int_equal(rtnl_addr_add(g.rt, g.ifindex, &a4), 0);
	assert_int_equal(rtnl_addr_add(g.rt, g.ifindex, &a6), 0);
	assert_int_equal(rtnl_addr_add(g.rt, g.ifindex, &a4), -EEXIST);
	assert_true(rtnl_wait(match_addrs_new, &s));
	memset(&s, 0, sizeof(s));
	s.want[0] = a4;
	s.want[1] = a6;

	assert_int_equal(
	    rtnl_addr_dump(g.rt, AF_UNSPEC, g.ifindex, addr_cb, &s), 0);
	assert_true(s.seen[0] && s.seen[1]);
	/* The kernel's own link-local fe80:: address may be there too. */
	assert_true(s.n >= 2);
	assert_int_equal(s.n_other, 0);

	assert_int_equal(rtnl_addr_del(g.rt, g.ifindex, &a6), 0);
	assert_int_equal(rtnl_addr_del(g.rt, g.ifindex, &a6), -EADDRNOTAVAIL);
	memset(&s, 0, sizeof(s));
	s.want[0] = a4;
	s.want[1] = a6;
	assert_int_equal(rtnl_addr_dump(g.rt, AF_INET, 0, addr_cb, &s), 0);
	assert_true(s.seen[0]);
	assert_false(s.seen[1]);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.n_other, 1); /* lo's 127.0.0.1 */
}

/*
 * Routes.
 */

static struct rtnl_route
host_route(uint32_t i)
{
	struct rtnl_route rt = { 0 };

	rt.dst.addr.family = AF_INET;
	rt.dst.addr.in.s_addr = htonl(ROUTE_BASE + i);
	rt.dst.len = 32;
	rt.oif = g.ifindex;
	rt.table = TABLE;
	rt.protocol = RTPROT_P2S;
	return rt;
}

struct route_seen {
	uint8_t *seen; /* one byte per route index */
	size_t n;      /* how many may be ours */
	size_t ours;
	size_t others; /* routes not in the range */
};

static int
route_cb(const struct rtnl_route *rt, void *arg)
{
	struct route_seen *s = arg;
	uint32_t i = ntohl(rt->dst.addr.in.s_addr) - ROUTE_BASE;

	assert_int_equal(rt->table, TABLE);
	if (rt->dst.addr.family == AF_INET && rt->dst.len == 32 && i < s->n) {
		assert_int_equal(rt->protocol, RTPROT_P2S);
		assert_int_equal(rt->oif, g.ifindex);
		s->seen[i]++;
		s->ours++;
	} else
		s->others++;
	return 0;
}

/* Our routes in TABLE are exactly 0..n_present-1 (of n checked). */
static void
routes_expect(size_t n, size_t n_present)
{
	struct route_seen s = { .n = n };

	s.seen = calloc(n, 1);
	assert_non_null(s.seen);
	assert_int_equal(
	    rtnl_route_dump(g.rt, AF_INET, TABLE, RTPROT_P2S, route_cb, &s), 0);
	assert_int_equal(s.ours, n_present);
	assert_int_equal(s.others, 0);
	for (size_t i = 0; i < n_present; i++)
		assert_int_equal(s.seen[i], 1);
	free(s.seen);
}

/* Build and send one batch of n route requests; returns the time. */
static double
routes_batch(size_t n, enum rtnl_route_op op)
{
	struct nl_batch *b = nl_batch_new();
	double t0 = now_ms();

	assert_non_null(b);
	for (uint32_t i = 0; i < n; i++) {
		struct rtnl_route rt = host_route(i);

		assert_int_equal(rtnl_route_batch(b, op, &rt), 0);
	}
	assert_int_equal(nl_batch_send(g.rt, b), 0);
	t0 = now_ms() - t0;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(nl_batch_result(b, i), 0);
	nl_batch_free(b);
	return t0;
}

static void
routes_round(size_t n)
{
	double t_add, t_del;

	t_add = routes_batch(n, RTNL_ROUTE_ADD);
	routes_expect(n + 1, n);
	t_del = routes_batch(n, RTNL_ROUTE_DEL);
	routes_expect(n + 1, 0);
	printf("# %zu route%s in one batch: installed in %.1f ms "
	       "(%.1f us each), deleted in %.1f ms\n",
	    n, n == 1 ? "" : "s", t_add, t_add * 1e3 / (double)n, t_del);
	(void)fflush(stdout);
}

static bool
match_our_route(const struct rtnl_event *ev, void *want)
{
	const struct rtnl_route *rt = want;

	return ev->type == RTNL_EV_ROUTE_NEW && ev->route.table == TABLE &&
	    ev->route.protocol == RTPROT_P2S &&
	    nl_addr_eq(&ev->route.dst.addr, &rt->dst.addr);
}

static void
test_routes_batches(void **state)
{
	struct rtnl_route other = host_route(0), first = host_route(0);

	/* Someone else's route in the same table: never in our dumps, never
	 * removed by our deletes (they match on protocol). */
	other.dst.addr.in.s_addr = htonl(ROUTE_BASE - 1);
	other.protocol = RTPROT_STATIC;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &other), 0);

	(void)rtnl_drain();
	routes_round(1);
	/* The monitor reported the one route with our protocol. */
	assert_true(rtnl_wait(match_our_route, &first));
	routes_round(10);
	routes_round(1000);
	other.protocol = RTPROT_P2S; /* a delete of ours cannot take it */
	assert_int_equal(
	    rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &other), -ESRCH);
	other.protocol = RTPROT_STATIC;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &other), 0);
}

/* For comparison: the same 1,000 routes, one request at a time. */
static void
test_routes_one_by_one(void **state)
{
	double t0 = now_ms(), t;

	for (uint32_t i = 0; i < 1000; i++) {
		struct rtnl_route rt = host_route(i);

		assert_int_equal(
		    rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &rt), 0);
	}
	t = now_ms() - t0;
	routes_expect(1001, 1000);
	printf("# 1000 routes one request each: installed in %.1f ms\n", t);
	(void)routes_batch(1000, RTNL_ROUTE_DEL);
	routes_expect(1001, 0);
}

/* 10,000 routes; nobody reads the monitor meanwhile, so it overruns and
 * says so. */
static void
test_routes_10000(void **state)
{
	(void)rtnl_drain();
	routes_round(10000);
	assert_true(rtnl_drain() > 0);
	/* After an overrun the monitor still works. */
	routes_round(1);
	assert_true(rtnl_wait(
	    match_our_route, &(struct rtnl_route){ .dst = host_route(0).dst }));
}

static void
test_routes_errors(void **state)
{
	struct nl_batch *b = nl_batch_new();
	struct rtnl_route rt = host_route(1);
	struct route_seen s = { .n = 4 };
	uint8_t seen[4] = { 0 };

	assert_non_null(b);
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &rt), 0);
	/* Three adds, the middle one exists: the others still go in. */
	for (uint32_t i = 0; i < 3; i++) {
		rt = host_route(i);
		assert_int_equal(rtnl_route_batch(b, RTNL_ROUTE_ADD, &rt), 0);
	}
	assert_int_equal(nl_batch_send(g.rt, b), -EEXIST);
	assert_int_equal(nl_batch_result(b, 0), 0);
	assert_int_equal(nl_batch_result(b, 1), -EEXIST);
	assert_int_equal(nl_batch_result(b, 2), 0);
	routes_expect(4, 3);
	/* Only a chunk's last request asks for an ACK: its failure must be
	 * told apart from its success. */
	nl_batch_reset(b);
	rt = host_route(3);
	assert_int_equal(rtnl_route_batch(b, RTNL_ROUTE_ADD, &rt), 0);
	rt = host_route(2);
	assert_int_equal(rtnl_route_batch(b, RTNL_ROUTE_ADD, &rt), 0);
	assert_int_equal(nl_batch_send(g.rt, b), -EEXIST);
	assert_int_equal(nl_batch_result(b, 0), 0);
	assert_int_equal(nl_batch_result(b, 1), -EEXIST);
	assert_true(strlen(nl_errmsg(g.rt)) < NL_ERRMSG_MAX);
	routes_expect(5, 4);
	rt = host_route(3);
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &rt), 0);

	/* Replace takes an existing prefix; add does not. */
	rt = host_route(1);
	rt.metric = 77;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &rt), 0);
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_REPLACE, &rt), 0);
	s.seen = seen;
	assert_int_equal(
	    rtnl_route_dump(g.rt, AF_INET, TABLE, RTPROT_P2S, route_cb, &s), 0);
	assert_int_equal(s.ours, 4); /* two routes for .1, metrics 0, 77 */

	/* Delete .0, .1, .2 and .1 with metric 77. */
	nl_batch_reset(b);
	for (uint32_t i = 0; i < 3; i++) {
		rt = host_route(i);
		assert_int_equal(rtnl_route_batch(b, RTNL_ROUTE_DEL, &rt), 0);
	}
	rt = host_route(1);
	rt.metric = 77;
	assert_int_equal(rtnl_route_batch(b, RTNL_ROUTE_DEL, &rt), 0);
	assert_int_equal(nl_batch_send(g.rt, b), 0);
	routes_expect(4, 0);
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &rt), -ESRCH);
	nl_batch_free(b);
}

static void
test_route_lookup(void **state)
{
	struct rtnl_route gw = { 0 }, got = { 0 }, keep;
	struct nl_addr a4 = v4("10.99.0.1");

	assert_int_equal(
	    rtnl_route_lookup(g.rt,
		&(struct nl_addr){ .family = AF_INET,
		    .in.s_addr = htonl(0x0a630042) }, /* 10.99.0.66 */
		&got),
	    0);
	assert_int_equal(got.oif, g.ifindex);
	assert_true(nl_addr_eq(&got.prefsrc, &a4));
	assert_int_equal(got.gateway.family, AF_UNSPEC);

	/* Through a gateway: what the daemon asks for the IKE peer. */
	gw.dst = pfx(v4("203.0.113.0"), 24);
	gw.gateway = v4("10.99.0.254");
	gw.table = RT_TABLE_MAIN;
	gw.protocol = RTPROT_P2S;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &gw), 0);
	assert_int_equal(rtnl_route_lookup(g.rt,
			     &(struct nl_addr){ .family = AF_INET,
				 .in.s_addr = htonl(0xcb007109) }, /* .113.9 */
			     &got),
	    0);
	assert_int_equal(got.oif, g.ifindex);
	assert_true(nl_addr_eq(&got.gateway, &gw.gateway));
	assert_true(nl_addr_eq(&got.prefsrc, &a4));
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &gw), 0);

	/* No default route in this namespace. */
	keep = got;
	assert_int_equal(
	    rtnl_route_lookup(g.rt,
		&(struct nl_addr){ .family = AF_INET,
		    .in.s_addr = htonl(0xc6120001) }, /* 198.18.0.1 */
		&got),
	    -ENETUNREACH);
	assert_memory_equal(&got, &keep, sizeof(got)); /* untouched */
}

/*
 * XFRM policies, SPIs, ACQUIRE and the socket bypass.
 */

static struct xfrm_sp
policy(const char *src, uint8_t slen, const char *dst, uint8_t dlen,
    enum xfrm_sp_dir dir, uint32_t if_id)
{
	struct xfrm_sp sp = { 0 };
	bool six = strchr(src, ':') != NULL;

	sp.src = pfx(six ? v6(src) : v4(src), slen);
	sp.dst = pfx(six ? v6(dst) : v4(dst), dlen);
	sp.dir = dir;
	sp.priority = 2000;
	sp.if_id = if_id;
	sp.reqid = 5;
	sp.tmpl_src = v4(dir == XFRM_SP_OUT ? "192.0.2.1" : "192.0.2.2");
	sp.tmpl_dst = v4(dir == XFRM_SP_OUT ? "192.0.2.2" : "192.0.2.1");
	return sp;
}

struct sp_count {
	size_t if_id_42;
	size_t if_id_43;
	size_t others;
};

static int
sp_cb(const struct xfrm_sp *sp, void *arg)
{
	struct sp_count *c = arg;

	if (sp->if_id == 42) {
		c->if_id_42++;
		assert_int_equal(sp->reqid, 5);
		assert_int_equal(sp->priority, 2000);
		assert_int_equal(sp->tmpl_src.family, AF_INET);
	} else if (sp->if_id == 43)
		c->if_id_43++;
	else
		c->others++;
	return 0;
}

static void
test_xfrm_policies(void **state)
{
	struct xfrm_sp sps[] = {
		policy("172.16.201.5", 32, "10.1.0.0", 16, XFRM_SP_OUT, 42),
		policy("10.1.0.0", 16, "172.16.201.5", 32, XFRM_SP_IN, 42),
		policy("10.1.0.0", 16, "172.16.201.5", 32, XFRM_SP_FWD, 42),
		policy("fd00:201::5", 128, "fd00:1::", 48, XFRM_SP_OUT, 42),
		policy("fd00:1::", 48, "fd00:201::5", 128, XFRM_SP_IN, 42),
		policy("fd00:1::", 48, "fd00:201::5", 128, XFRM_SP_FWD, 42),
	};
	struct xfrm_sp other =
	    policy("172.16.201.5", 32, "10.1.0.0", 16, XFRM_SP_OUT, 43);
	struct sp_count c = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sps); i++)
		assert_int_equal(xfrm_policy_add(g.xf, &sps[i]), 0);
	/* Same selector and dir, another if_id: another policy. */
	assert_int_equal(xfrm_policy_add(g.xf, &other), 0);
	assert_int_equal(xfrm_policy_add(g.xf, &sps[0]), -EEXIST);
	sps[0].priority = 2000; /* update replaces in place */
	assert_int_equal(xfrm_policy_update(g.xf, &sps[0]), 0);
	assert_int_equal(xfrm_policy_dump(g.xf, sp_cb, &c), 0);
	assert_int_equal(c.if_id_42, 6);
	assert_int_equal(c.if_id_43, 1);
	assert_int_equal(c.others, 0);

	assert_int_equal(xfrm_policy_del(g.xf, &sps[1]), 0);
	assert_int_equal(xfrm_policy_del(g.xf, &sps[1]), -ENOENT);
	/* Cleanup by if_id removes ours and leaves if_id 43 alone. */
	assert_int_equal(xfrm_flush_if_id(g.xf, 42, &n), 0);
	assert_int_equal(n, 5);
	memset(&c, 0, sizeof(c));
	assert_int_equal(xfrm_policy_dump(g.xf, sp_cb, &c), 0);
	assert_int_equal(c.if_id_42, 0);
	assert_int_equal(c.if_id_43, 1);
	assert_int_equal(xfrm_flush_if_id(g.xf, 42, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(xfrm_flush_if_id(g.xf, 0, &n), -EINVAL);
	assert_int_equal(xfrm_policy_del(g.xf, &other), 0);
}

/* 256 remote prefixes, out/in/fwd each: the most a CHILD_SA installs
 * (the kernel datapath's DP_KERNEL_MAX_POLICIES). */
#define N_BATCH_SEL 256

static struct xfrm_sp
batch_policy(size_t i)
{
	struct xfrm_sp sp = policy(
	    "172.16.201.5", 32, "10.0.0.0", 24, (enum xfrm_sp_dir)(i % 3), 44);

	sp.dst.addr.in.s_addr = htonl(0x0a000000 | (uint32_t)(i / 3) << 8);
	if (sp.dir != XFRM_SP_OUT) {
		struct nl_prefix t = sp.src;

		sp.src = sp.dst;
		sp.dst = t;
	}
	return sp;
}

static double
policies_batch(bool del)
{
	struct nl_batch *b = nl_batch_new();
	double t = now_ms();

	assert_non_null(b);
	for (size_t i = 0; i < 3 * N_BATCH_SEL; i++) {
		struct xfrm_sp sp = batch_policy(i);

		if (del)
			assert_int_equal(xfrm_policy_del_batch(b, &sp), 0);
		else
			assert_int_equal(xfrm_policy_batch(b, &sp, true), 0);
	}
	assert_int_equal(nl_batch_send(g.xf, b), 0);
	t = now_ms() - t;
	for (size_t i = 0; i < 3 * N_BATCH_SEL; i++)
		assert_int_equal(nl_batch_result(b, i), 0);
	nl_batch_free(b);
	return t;
}

static size_t
policies_44(void)
{
	struct sp_count c = { 0 };

	assert_int_equal(xfrm_policy_dump(g.xf, sp_cb, &c), 0);
	return c.others; /* if_id 44 is neither 42 nor 43 */
}

/* The same, one request each: 0 install, 1 update, 2 delete. */
static double
policies_one_by_one(int what)
{
	double t = now_ms();

	for (size_t i = 0; i < 3 * N_BATCH_SEL; i++) {
		struct xfrm_sp sp = batch_policy(i);

		if (what == 2)
			assert_int_equal(xfrm_policy_del(g.xf, &sp), 0);
		else
			assert_int_equal(xfrm_policy_update(g.xf, &sp), 0);
	}
	return now_ms() - t;
}

/* A failed request in a batch is its own: the rest go in. */
static void
policies_batch_error(void)
{
	struct nl_batch *b = nl_batch_new();
	struct xfrm_sp sp = batch_policy(1);
	size_t n = 0;

	assert_non_null(b);
	assert_int_equal(xfrm_policy_add(g.xf, &sp), 0);
	for (size_t i = 0; i < 3; i++) {
		sp = batch_policy(i);
		assert_int_equal(xfrm_policy_batch(b, &sp, false), 0);
	}
	assert_int_equal(nl_batch_send(g.xf, b), -EEXIST);
	assert_int_equal(nl_batch_result(b, 0), 0);
	assert_int_equal(nl_batch_result(b, 1), -EEXIST);
	assert_int_equal(nl_batch_result(b, 2), 0);
	nl_batch_free(b);
	assert_int_equal(xfrm_flush_if_id(g.xf, 44, &n), 0);
	assert_int_equal(n, 3);
}

/* The kernel datapath's policies in one batch, against one request
 * each (timings printed, never asserted); the dump sees exactly them,
 * and a second batch of updates replaces them in place. */
static void
test_xfrm_policies_batch(void **state)
{
	double b[3], one[3];

	b[0] = policies_batch(false);
	assert_int_equal(policies_44(), 3 * N_BATCH_SEL);
	b[1] = policies_batch(false);
	assert_int_equal(policies_44(), 3 * N_BATCH_SEL);
	b[2] = policies_batch(true);
	assert_int_equal(policies_44(), 0);
	one[0] = policies_one_by_one(0);
	assert_int_equal(policies_44(), 3 * N_BATCH_SEL);
	one[1] = policies_one_by_one(1);
	one[2] = policies_one_by_one(2);
	assert_int_equal(policies_44(), 0);
	policies_batch_error();
	printf("# %d XFRM policies, install/update/delete: one batch "
	       "%.1f/%.1f/%.1f ms, one request each %.1f/%.1f/%.1f ms\n",
	    3 * N_BATCH_SEL, b[0], b[1], b[2], one[0], one[1], one[2]);
	(void)fflush(stdout);
}

struct sa_find {
	uint32_t spi;
	bool found;
	struct xfrm_sa_info info;
};

static int
sa_find_cb(const struct xfrm_sa_info *info, void *arg)
{
	struct sa_find *f = arg;

	if (info->spi == f->spi) {
		f->found = true;
		f->info = *info;
	}
	return 0;
}

static void
test_xfrm_spi_alloc(void **state)
{
	struct nl_addr peer = v4("192.0.2.2"), me = v4("192.0.2.1");
	struct sa_find f = { 0 };
	uint32_t spi = 0, spi2 = 0;

	assert_int_equal(xfrm_spi_alloc(g.xf, &peer, &me, 5, 42, &spi), 0);
	assert_true(spi >= XFRM_SPI_MIN);
	assert_int_equal(xfrm_spi_alloc(g.xf, &peer, &me, 6, 42, &spi2), 0);
	assert_true(spi2 != spi);
	f.spi = spi;
	assert_int_equal(xfrm_state_dump(g.xf, sa_find_cb, &f), 0);
	assert_true(f.found);
	assert_true(nl_addr_eq(&f.info.dst, &me));
	assert_int_equal(f.info.reqid, 5);
	assert_int_equal(xfrm_state_del(g.xf, &me, spi), 0);
	assert_int_equal(xfrm_state_del(g.xf, &me, spi), -ESRCH);
	assert_int_equal(xfrm_state_del(g.xf, &me, spi2), 0);
	f.found = false;
	assert_int_equal(xfrm_state_dump(g.xf, sa_find_cb, &f), 0);
	assert_false(f.found);
}

static bool
match_acquire(const struct xfrm_event *ev, void *want)
{
	const struct xfrm_sp *sp = want;

	return ev->type == XFRM_EV_ACQUIRE &&
	    nl_addr_eq(&ev->acquire.policy.dst.addr, &sp->dst.addr);
}

/* The next UDP/IPv4 packet on the TUN to port 9; returns its source port,
 * or 0 if none came. */
static unsigned
tun_next_udp9(void)
{
	uint8_t pkt[TUN_MAX_PACKET];
	struct pollfd pfd = { .fd = g.tun, .events = POLLIN };
	double deadline = now_ms() + WAIT_MS;

	while (now_ms() < deadline) {
		ssize_t n = tun_read(g.tun, pkt, sizeof(pkt));

		if (n == 0) {
			(void)poll(&pfd, 1, 100);
			continue;
		}
		assert_true(n > 0);
		if (n >= 28 && pkt[0] == 0x45 && pkt[9] == IPPROTO_UDP &&
		    pkt[22] == 0 && pkt[23] == 9)
			return (unsigned)(pkt[20] << 8 | pkt[21]);
	}
	return 0;
}

static int
udp_socket(uint16_t *ret_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	*ret_port = ntohs(sin.sin_port);
	return s;
}

static void
udp_send9(int s, const char *dst)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
		.sin_port = htons(9) };

	assert_int_equal(inet_pton(AF_INET, dst, &sin.sin_addr), 1);
	/* Into a policy without a state the kernel drops the packet (EAGAIN
	 * from larval_drop) and asks an IKE daemon for one: ACQUIRE. */
	(void)sendto(s, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin));
}

static void
test_xfrm_acquire_bypass(void **state)
{
	struct xfrm_sp sp =
	    policy("0.0.0.0", 0, "10.77.0.0", 16, XFRM_SP_OUT, 0);
	struct rtnl_route rt = { 0 };
	struct xfrm_event ev;
	uint16_t p_plain, p_ike;
	int plain, ike, s6;

	rt.dst = pfx(v4("10.77.0.0"), 16);
	rt.oif = g.ifindex;
	rt.table = RT_TABLE_MAIN;
	rt.protocol = RTPROT_P2S;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &rt), 0);
	sp.reqid = 9;
	assert_int_equal(xfrm_policy_add(g.xf, &sp), 0);

	plain = udp_socket(&p_plain);
	ike = udp_socket(&p_ike);
	assert_int_equal(xfrm_socket_bypass(ike, AF_INET), 0);
	udp_send9(plain, "10.77.0.1");
	assert_true(xfrm_wait(match_acquire, &sp, &ev));
	assert_int_equal(ev.acquire.policy.dir, XFRM_SP_OUT);
	assert_int_equal(ev.acquire.policy.dst.len, 16);
	assert_int_equal(ev.acquire.policy.reqid, 9);
	assert_true(nl_addr_eq(&ev.acquire.dst, &sp.tmpl_dst));
	assert_true(nl_addr_eq(&ev.acquire.src, &sp.tmpl_src));
	assert_true(ev.acquire.seq != 0);

	/* The bypassed socket's packet leaves in the clear, and is the first
	 * to do so: the other one never left. */
	udp_send9(ike, "10.77.0.1");
	assert_int_equal(tun_next_udp9(), p_ike);

	s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s6 >= 0);
	assert_int_equal(xfrm_socket_bypass(s6, AF_INET6), 0);
	assert_int_equal(xfrm_socket_bypass(s6, AF_PACKET), -EAFNOSUPPORT);
	(void)close(s6);
	(void)close(plain);
	(void)close(ike);
	assert_int_equal(xfrm_policy_del(g.xf, &sp), 0);
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_DEL, &rt), 0);
}

/*
 * The probe, and ESP where the kernel has it.
 */

static int
probe_link_cb(const struct rtnl_link *link, void *arg)
{
	if (strncmp(link->name, "p2sprobe", 8) == 0 ||
	    strcmp(link->kind, "xfrm") == 0)
		(*(size_t *)arg)++;
	return 0;
}

static int
count_sa_cb(const struct xfrm_sa_info *info, void *arg)
{
	if (info->spi != 0) /* not the larval ACQUIRE state */
		(*(size_t *)arg)++;
	return 0;
}

static void
test_probe(void **state)
{
	size_t n_links = 0, n_sas = 0;

	assert_int_equal(xfrm_probe(g.xf, g.rt, &g.probe), 0);
	printf("# probe: esp %d cbc_hmac %d gcm %d espinudp %d xfrmi %d; "
	       "kernel datapath %s%s%s\n",
	    g.probe.esp, g.probe.cbc_hmac, g.probe.gcm, g.probe.espinudp,
	    g.probe.xfrmi, xfrm_probe_kernel_ok(&g.probe) ? "ok" : "no",
	    g.probe.reason[0] != '\0' ? ": " : "", g.probe.reason);
	(void)fflush(stdout);
	if (xfrm_probe_kernel_ok(&g.probe))
		assert_string_equal(g.probe.reason, "");
	else
		assert_true(strncmp(g.probe.reason, "kernel has no ", 14) == 0);
	/* Without ESP that is the reason given, whatever else is missing. */
	if (!g.probe.esp)
		assert_true(
		    strncmp(g.probe.reason, "kernel has no ESP", 17) == 0);
	if (g.need_esp)
		assert_true(xfrm_probe_kernel_ok(&g.probe));
	/* A throwaway probe: nothing of it stays. */
	assert_int_equal(rtnl_link_dump(g.rt, probe_link_cb, &n_links), 0);
	assert_int_equal(n_links, 0);
	assert_int_equal(xfrm_state_dump(g.xf, count_sa_cb, &n_sas), 0);
	assert_int_equal(n_sas, 0);
}

static uint8_t test_key[64];

static struct xfrm_sa
out_sa(uint32_t spi, bool gcm, bool encap)
{
	struct xfrm_sa sa = { 0 };

	sa.src = v4("192.0.2.1");
	sa.dst = v4("192.0.2.2");
	sa.spi = spi;
	sa.reqid = 5;
	sa.if_id = 77;
	sa.encr = gcm ? IKE_ENCR_AES_GCM_16 : IKE_ENCR_AES_CBC;
	sa.encr_key = rd_make(test_key, gcm ? 36 : 32);
	sa.integ = gcm ? IKE_INTEG_NONE : IKE_INTEG_HMAC_SHA2_256_128;
	sa.integ_key = rd_make(test_key + 7, gcm ? 0 : 32);
	if (encap)
		sa.encap_sport = sa.encap_dport = IKE_NATT_PORT;
	return sa;
}

/* Where the kernel has no ESP, adding a state fails with its reason. */
static void
test_state_without_esp(void **state)
{
	struct xfrm_sa sa = out_sa(0x1001, true, false);
	int r;

	if (g.probe.esp) {
		printf("# this kernel has ESP: test_esp covers it\n");
		return;
	}
	r = xfrm_state_add(g.xf, &sa);
	printf("# state add without ESP: %s (%s)\n", nl_errmsg(g.xf),
	    strerror(-r));
	assert_true(r < 0);
	assert_true(nl_errmsg(g.xf)[0] != '\0');
}

/* The next ESP packet on the TUN: its SPI, and whether it was in UDP. */
static uint32_t
tun_next_esp(bool *ret_udp)
{
	uint8_t pkt[TUN_MAX_PACKET];
	struct pollfd pfd = { .fd = g.tun, .events = POLLIN };
	double deadline = now_ms() + WAIT_MS;

	while (now_ms() < deadline) {
		ssize_t n = tun_read(g.tun, pkt, sizeof(pkt));

		if (n == 0) {
			(void)poll(&pfd, 1, 100);
			continue;
		}
		assert_true(n > 0);
		if (n < 36 || pkt[0] != 0x45)
			continue;
		*ret_udp = pkt[9] == IPPROTO_UDP;
		if (pkt[9] == IPPROTO_ESP)
			return (uint32_t)pkt[20] << 24 | pkt[21] << 16 |
			    pkt[22] << 8 | pkt[23];
		if (*ret_udp && pkt[22] == 0x11 && pkt[23] == 0x94) /* 4500 */
			return (uint32_t)pkt[28] << 24 | pkt[29] << 16 |
			    pkt[30] << 8 | pkt[31];
	}
	return 0;
}

static bool
match_expire(const struct xfrm_event *ev, void *want)
{
	const struct xfrm_event *w = want;

	return ev->type == w->type && ev->sa.spi == w->sa.spi;
}

static void
esp_variant(int s, uint32_t spi, bool gcm, bool encap)
{
	struct xfrm_sa sa = out_sa(spi, gcm, encap);
	struct xfrm_sa_info info;
	bool udp = false;

	assert_int_equal(xfrm_state_add(g.xf, &sa), 0);
	udp_send9(s, "10.60.0.9");
	assert_int_equal(tun_next_esp(&udp), spi);
	assert_int_equal(udp, encap);
	assert_int_equal(xfrm_state_get(g.xf, &sa.dst, spi, &info), 0);
	assert_int_equal(info.packets, 1);
	assert_true(info.bytes > 0);
	assert_int_equal(info.if_id, 77);
	assert_int_equal(info.reqid, 5);
	assert_int_equal(info.encap_dport, encap ? IKE_NATT_PORT : 0);
	printf("# ESP %s%s: spi 0x%08x, %llu bytes in %llu packets\n",
	    gcm ? "aes-gcm-16" : "aes-cbc + hmac-sha256-128",
	    encap ? " in UDP 4500" : "", spi, (unsigned long long)info.bytes,
	    (unsigned long long)info.packets);
	assert_int_equal(xfrm_state_del(g.xf, &sa.dst, spi), 0);
}

/* Soft EXPIRE at the second packet, hard at the third. */
static void
esp_expire(int s)
{
	struct xfrm_sa sa = out_sa(0x3001, true, true);
	struct xfrm_event want = { .type = XFRM_EV_EXPIRE_SOFT };
	struct xfrm_event ev;
	struct xfrm_sa_info info;
	bool udp;

	sa.lifetime.soft_packets = 1;
	sa.lifetime.hard_packets = 2;
	want.sa.spi = sa.spi;
	assert_int_equal(xfrm_state_add(g.xf, &sa), 0);
	for (int i = 0; i < 2; i++) {
		udp_send9(s, "10.60.0.9");
		assert_int_equal(tun_next_esp(&udp), sa.spi);
	}
	assert_true(xfrm_wait(match_expire, &want, &ev));
	assert_int_equal(ev.sa.if_id, 77);
	assert_true(nl_addr_eq(&ev.sa.dst, &sa.dst));
	udp_send9(s, "10.60.0.9");
	want.type = XFRM_EV_EXPIRE_HARD;
	assert_true(xfrm_wait(match_expire, &want, &ev));
	assert_int_equal(ev.sa.packets, 2);
	assert_int_equal(xfrm_state_get(g.xf, &sa.dst, sa.spi, &info), -ESRCH);
}

static void
esp_inbound(unsigned int xfrmi)
{
	struct xfrm_sa sa = out_sa(0, true, true);
	struct xfrm_sa_info info;

	/* Inbound: 192.0.2.2 -> 192.0.2.1 on an SPI the kernel picked. */
	sa.src = v4("192.0.2.2");
	sa.dst = v4("192.0.2.1");
	sa.replay_window = 128;
	sa.esn = true;
	assert_int_equal(
	    xfrm_spi_alloc(g.xf, &sa.src, &sa.dst, sa.reqid, sa.if_id, &sa.spi),
	    0);
	assert_int_equal(xfrm_state_add(g.xf, &sa), -EEXIST);
	assert_int_equal(xfrm_state_update(g.xf, &sa), 0);
	assert_int_equal(xfrm_state_get(g.xf, &sa.dst, sa.spi, &info), 0);
	assert_int_equal(info.if_id, 77);
	assert_int_equal(info.encap_sport, IKE_NATT_PORT);
	assert_int_equal(info.packets, 0);
}

static void
esp_setup(unsigned int *ret_xfrmi, int *ret_s)
{
	struct nl_prefix outer = pfx(v4("192.0.2.1"), 24);
	struct xfrm_sp sp =
	    policy("0.0.0.0", 0, "10.60.0.0", 24, XFRM_SP_OUT, 77);
	struct rtnl_route rt = { 0 };
	uint16_t port;

	assert_int_equal(rtnl_addr_add(g.rt, g.ifindex, &outer), 0);
	assert_int_equal(
	    rtnl_xfrmi_add(g.rt, XFRMI_NAME, 77, g.ifindex, ret_xfrmi), 0);
	assert_int_equal(rtnl_link_set_up(g.rt, *ret_xfrmi, true), 0);
	rt.dst = pfx(v4("10.60.0.0"), 24);
	rt.oif = *ret_xfrmi;
	rt.table = RT_TABLE_MAIN;
	rt.protocol = RTPROT_P2S;
	assert_int_equal(rtnl_route_apply(g.rt, RTNL_ROUTE_ADD, &rt), 0);
	assert_int_equal(xfrm_policy_add(g.xf, &sp), 0);
	*ret_s = udp_socket(&port);
}

static void
test_esp(void **state)
{
	struct rtnl_link link;
	unsigned int xfrmi;
	size_t n = 0;
	int s;

	if (!g.probe.esp) {
		assert_false(g.need_esp);
		printf("# this kernel has no ESP: real states are tested in "
		       "the kernel lab (tests/kernel/test_nl_live_lab.sh)\n");
		return;
	}
	esp_setup(&xfrmi, &s);
	assert_int_equal(rtnl_link_get(g.rt, XFRMI_NAME, &link), 0);
	assert_string_equal(link.kind, "xfrm");
	assert_int_equal(link.xfrm_if_id, 77);
	esp_variant(s, 0x2001, true, false);
	esp_variant(s, 0x2002, true, true);
	esp_variant(s, 0x2003, false, false);
	esp_variant(s, 0x2004, false, true);
	esp_expire(s);
	esp_inbound(xfrmi);
	/* Crash cleanup: the policy and the inbound state, nothing else. */
	assert_int_equal(xfrm_flush_if_id(g.xf, 77, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rtnl_link_del(g.rt, xfrmi), 0);
	(void)close(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_routes_batches),
		cmocka_unit_test(test_routes_one_by_one),
		cmocka_unit_test(test_routes_10000),
		cmocka_unit_test(test_routes_errors),
		cmocka_unit_test(test_route_lookup),
		cmocka_unit_test(test_xfrm_policies),
		cmocka_unit_test(test_xfrm_policies_batch),
		cmocka_unit_test(test_xfrm_spi_alloc),
		cmocka_unit_test(test_xfrm_acquire_bypass),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_state_without_esp),
		cmocka_unit_test(test_esp),
	};

	g.tun = -1;
	g.need_esp = argc > 1 && strcmp(argv[1], "--esp") == 0;
	for (size_t i = 0; i < sizeof(test_key); i++)
		test_key[i] = (uint8_t)(0x42 ^ i);
	return cmocka_run_group_tests(tests, setup, teardown);
}
