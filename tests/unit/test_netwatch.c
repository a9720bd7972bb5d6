/* SPDX-License-Identifier: ISC */
/*
 * test_netwatch.c: the suspend detection fed clock readings (no suspend
 * needed), path comparison, and, in a private network namespace this
 * test makes for itself (root needed: it fails, not skips, without), a
 * real rtnetlink monitor: the route to the "gateway" moves to another
 * link and netwatch reports the new path (interface and source address);
 * our own routes (RTPROT_P2S) and the tunnel's link are not a change.
 * Order only: the safety timer is far beyond the debounce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "netwatch.h"
#include "nl.h"
#include "rtnl.h"
#include "tun.h"

#define SAFETY_MS (50 * NETWATCH_DEBOUNCE_MS) /* a failure, not a wait */

/* ---- Clocks ---- */

static void
test_gap_none(void **state)
{
	struct netwatch_clock a = { 1000, 500 }, b = { 11000, 10500 };

	(void)state;
	assert_int_equal(netwatch_suspend_gap(&a, &b), 0);
}

static void
test_gap_suspend(void **state)
{
	/* 10 s passed on MONOTONIC, 1 h 10 s on BOOTTIME: 1 h suspended. */
	struct netwatch_clock a = { 1000, 500 },
			      b = { 1000 + 3610000, 500 + 10000 };

	(void)state;
	assert_int_equal(netwatch_suspend_gap(&a, &b), 3600000);
}

static void
test_gap_threshold(void **state)
{
	struct netwatch_clock a = { 0, 0 },
			      below = { NETWATCH_SUSPEND_MIN_MS - 1, 0 },
			      at = { NETWATCH_SUSPEND_MIN_MS, 0 };

	(void)state;
	assert_int_equal(netwatch_suspend_gap(&a, &below), 0);
	assert_int_equal(
	    netwatch_suspend_gap(&a, &at), NETWATCH_SUSPEND_MIN_MS);
}

static void
test_gap_backwards(void **state)
{
	struct netwatch_clock a = { 5000, 5000 }, b = { 4000, 9000 },
			      c = { 90000, 4000 };

	(void)state;
	assert_int_equal(netwatch_suspend_gap(&a, &b), 0);
	assert_int_equal(netwatch_suspend_gap(&a, &c), 0);
	/* MONOTONIC ahead of BOOTTIME: impossible, not a suspend. */
	b = (struct netwatch_clock){ 6000, 9000 };
	assert_int_equal(netwatch_suspend_gap(&a, &b), 0);
}

static void
test_clock_now(void **state)
{
	struct netwatch_clock a, b;

	(void)state;
	netwatch_clock_now(&a);
	netwatch_clock_now(&b);
	assert_true(a.boot >= a.mono); /* BOOTTIME never lags */
	assert_int_equal(netwatch_suspend_gap(&a, &b), 0);
}

/* ---- Paths ---- */

static struct nl_addr
v4(const char *s)
{
	struct nl_addr a = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &a.in), 1);
	return a;
}

static void
test_path_eq(void **state)
{
	struct netwatch_path none1 = { 0 }, none2 = { .oif = 7 },
			     p = { true, 2, v4("192.0.2.2") },
			     q = { true, 3, v4("192.0.2.2") },
			     r = { true, 2, v4("192.0.2.3") };

	(void)state;
	assert_true(netwatch_path_eq(&none1, &none2));
	assert_true(netwatch_path_eq(&p, &p));
	assert_false(netwatch_path_eq(&p, &none1));
	assert_false(netwatch_path_eq(&p, &q));
	assert_false(netwatch_path_eq(&p, &r));
}

/* ---- Live, in a private namespace ---- */

struct live {
	struct loop *loop;
	struct nl *rt;
	int tun[3];
	unsigned int ifx[3];
	unsigned n_path, n_resume, n_net;
	bool safety; /* the safety timer fired */
	struct timer *t_safety;
	struct timer *t_quiet;
};

static const char *const link_names[3] = { "nwa0", "nwb0", "p2s-nwt" };
static const char *const link_addrs[3] = { "192.0.2.2", "198.51.100.2",
	"172.16.201.2" };
#define GW "203.0.113.1"

static void
on_nw(void *arg, enum netwatch_event ev, uint64_t gap)
{
	struct live *l = arg;

	(void)gap;
	if (ev == NETWATCH_PATH)
		l->n_path++;
	else if (ev == NETWATCH_NET)
		l->n_net++;
	else
		l->n_resume++;
	loop_exit(l->loop);
}

static void
on_safety(void *arg)
{
	struct live *l = arg;

	l->safety = true;
	loop_exit(l->loop);
}

static void
route_via(struct live *l, int i, enum rtnl_route_op op, uint8_t protocol,
    const char *dst, uint8_t len)
{
	struct rtnl_route rt = { .table = RT_TABLE_MAIN, .protocol = protocol };
	int r;

	rt.dst.addr = v4(dst);
	rt.dst.len = len;
	rt.oif = l->ifx[i];
	r = rtnl_route_apply(l->rt, op, &rt);
	if (r != 0)
		print_error("route op %d to %s/%u via %s: %s\n", (int)op, dst,
		    len, link_names[i], strerror(-r));
	assert_int_equal(r, 0);
}

static int
live_setup(void **state)
{
	static struct live l;
	unsigned int lo;

	if (unshare(CLONE_NEWNET) == -1) {
		print_error("unshare(CLONE_NEWNET): %s (run as root)\n",
		    strerror(errno));
		return -1;
	}
	l.rt = nl_open(NETLINK_ROUTE);
	if (l.rt == NULL || loop_new(&l.loop) < 0 ||
	    rtnl_link_index(l.rt, "lo", &lo) < 0 ||
	    rtnl_link_set_up(l.rt, lo, true) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		struct nl_prefix p = { v4(link_addrs[i]), 24 };

		l.tun[i] = tun_open(link_names[i]);
		if (l.tun[i] < 0 ||
		    rtnl_link_index(l.rt, link_names[i], &l.ifx[i]) < 0 ||
		    rtnl_link_set_up(l.rt, l.ifx[i], true) < 0 ||
		    rtnl_addr_add(l.rt, l.ifx[i], &p) < 0) {
			print_error("cannot set up %s\n", link_names[i]);
			return -1;
		}
	}
	if (timer_new(l.loop, on_safety, &l, &l.t_safety) < 0)
		return -1;
	*state = &l;
	return 0;
}

static int
live_teardown(void **state)
{
	struct live *l = *state;

	for (int i = 0; i < 3; i++)
		if (l->tun[i] >= 0)
			(void)close(l->tun[i]);
	timer_free(l->t_safety);
	loop_free(l->loop);
	nl_close(l->rt);
	return 0;
}

static void
run(struct live *l)
{
	l->safety = false;
	(void)timer_set(l->t_safety, SAFETY_MS);
	assert_int_equal(loop_run(l->loop), 0);
	timer_stop(l->t_safety);
	assert_false(l->safety); /* a report came, not the safety timer */
}

static void
test_live_path_change(void **state)
{
	struct live *l = *state;
	struct sockaddr_storage gw = { .ss_family = AF_INET };
	struct sockaddr_in *gw4 = (struct sockaddr_in *)&gw;
	struct netwatch_path p;
	struct netwatch *nw;
	struct nl_addr want;

	assert_int_equal(inet_pton(AF_INET, GW, &gw4->sin_addr), 1);
	route_via(l, 0, RTNL_ROUTE_REPLACE, RTPROT_STATIC, GW, 32);
	assert_int_equal(netwatch_new(l->loop, on_nw, l, &nw), 0);
	assert_int_equal(netwatch_follow(nw, &gw, link_names[2]), 0);
	netwatch_path(nw, &p);
	want = v4(link_addrs[0]);
	assert_true(p.valid);
	assert_int_equal(p.oif, l->ifx[0]);
	assert_true(nl_addr_eq(&p.src, &want));

	/* Our own routes, even to the gateway, through our own tunnel:
	 * not a change.  Then the real move, which must be the one seen. */
	route_via(l, 2, RTNL_ROUTE_REPLACE, RTPROT_P2S, "10.1.0.0", 16);
	route_via(l, 1, RTNL_ROUTE_REPLACE, RTPROT_STATIC, GW, 32);
	run(l);
	assert_int_equal(l->n_path, 1);
	netwatch_path(nw, &p);
	want = v4(link_addrs[1]);
	assert_int_equal(p.oif, l->ifx[1]);
	assert_true(nl_addr_eq(&p.src, &want));

	/* No route at all: logged, not reported; the same path back: no
	 * change either; then the first link again: reported. */
	route_via(l, 1, RTNL_ROUTE_DEL, RTPROT_STATIC, GW, 32);
	route_via(l, 1, RTNL_ROUTE_ADD, RTPROT_STATIC, GW, 32);
	route_via(l, 0, RTNL_ROUTE_REPLACE, RTPROT_STATIC, GW, 32);
	run(l);
	assert_int_equal(l->n_path, 2);
	netwatch_path(nw, &p);
	assert_int_equal(p.oif, l->ifx[0]);
	assert_int_equal(l->n_resume, 0);

	/* Not following (the gateway's name did not resolve): a change is
	 * the network's, not a path's. */
	assert_int_equal(netwatch_follow(nw, NULL, NULL), 0);
	netwatch_path(nw, &p);
	assert_false(p.valid);
	route_via(l, 1, RTNL_ROUTE_REPLACE, RTPROT_STATIC, GW, 32);
	run(l);
	assert_int_equal(l->n_net, 1);
	assert_int_equal(l->n_path, 2);

	/* A gateway with no route yet: the first route to it is a change. */
	route_via(l, 1, RTNL_ROUTE_DEL, RTPROT_STATIC, GW, 32);
	assert_int_equal(netwatch_follow(nw, &gw, link_names[2]), 0);
	netwatch_path(nw, &p);
	assert_false(p.valid);
	route_via(l, 0, RTNL_ROUTE_ADD, RTPROT_STATIC, GW, 32);
	run(l);
	assert_int_equal(l->n_path, 3);
	netwatch_path(nw, &p);
	assert_true(p.valid);
	assert_int_equal(p.oif, l->ifx[0]);
	netwatch_free(nw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_none),
		cmocka_unit_test(test_gap_suspend),
		cmocka_unit_test(test_gap_threshold),
		cmocka_unit_test(test_gap_backwards),
		cmocka_unit_test(test_clock_now),
		cmocka_unit_test(test_path_eq),
		cmocka_unit_test_setup_teardown(
		    test_live_path_change, live_setup, live_teardown),
	};

	return cmocka_run_group_tests_name("netwatch", tests, NULL, NULL);
}
