/* SPDX-License-Identifier: ISC */
/*
 * route_scale.c: how long p2s takes to install N route prefixes.
 *
 * Owns nothing but its own measurement.  In a private network namespace
 * (unshare(CLONE_NEWNET), so the host's routes are never touched) it makes
 * a TUN link, brings it up, and installs N distinct /24 prefixes through
 * it exactly the way the userspace datapath does (src/datapath_user.c,
 * routes_apply: one nl_batch of RTNL_ROUTE_REPLACE requests in the main
 * table with protocol RTPROT_P2S, sent with nl_batch_send, which waits
 * for every ACK).  The clock covers building the batch, sending it and
 * collecting the kernel's answers.  Then it checks every request was
 * accepted, dumps the table to prove the N routes are there, deletes them
 * in one batch (timed too), and repeats for the next round.
 *
 * Usage: route_scale ROUNDS N...   (root; prints one line per N:
 *   "N add_median_ms add_min_ms add_max_ms del_median_ms")
 * Exit status 0 when every batch succeeded and every dump matched; it
 * never judges the times.
 */
#define _GNU_SOURCE /* unshare() */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"
#include "rtnl.h"
#include "tun.h"

#define TUN_NAME   "p2sbench0"
#define MAX_ROUNDS 50
#define PFX_BASE   0x0a000000 /* 10.0.0.0: prefixes i -> 10.x.y.0/24 */

struct bench {
	struct nl *rt;	      /* NETLINK_ROUTE requests */
	unsigned int ifindex; /* the TUN's */
};

static double
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct rtnl_route
route_nth(const struct bench *b, uint32_t i)
{
	struct rtnl_route rt = { 0 };

	rt.dst.addr.family = AF_INET;
	rt.dst.addr.in.s_addr = htonl(PFX_BASE + (i << 8));
	rt.dst.len = 24;
	rt.oif = b->ifindex;
	rt.table = RT_TABLE_MAIN;
	rt.protocol = RTPROT_P2S;
	return rt;
}

/* One batch of n requests; *ret_ms is the time to build, send and collect
 * every answer.  Fails when any request was refused. */
static int
batch_run(struct bench *b, size_t n, enum rtnl_route_op op, double *ret_ms)
{
	struct nl_batch *batch = nl_batch_new();
	double t0 = now_ms();
	int r = 0;

	if (batch == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && r == 0; i++) {
		struct rtnl_route rt = route_nth(b, i);

		r = rtnl_route_batch(batch, op, &rt);
	}
	if (r == 0)
		r = nl_batch_send(b->rt, batch);
	t0 = now_ms() - t0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = nl_batch_result(batch, i);
	nl_batch_free(batch);
	if (r == 0)
		*ret_ms = t0;
	return r;
}

static int
count_cb(const struct rtnl_route *rt, void *arg)
{
	size_t *n = arg;

	if (rt->dst.addr.family == AF_INET && rt->dst.len == 24)
		(*n)++;
	return 0;
}

/* How many of our /24 routes the main table holds. */
static int
routes_count(struct bench *b, size_t *ret_n)
{
	size_t n = 0;
	int r = rtnl_route_dump(
	    b->rt, AF_INET, RT_TABLE_MAIN, RTPROT_P2S, count_cb, &n);

	if (r == 0)
		*ret_n = n;
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
bench_setup(struct bench *b)
{
	unsigned int lo;
	int tun;

	if (unshare(CLONE_NEWNET) == -1)
		return -errno;
	b->rt = nl_open(NETLINK_ROUTE);
	if (b->rt == NULL)
		return -errno;
	if (rtnl_link_index(b->rt, "lo", &lo) < 0 ||
	    rtnl_link_set_up(b->rt, lo, true) < 0)
		return -EIO;
	tun = tun_open(TUN_NAME);
	if (tun < 0)
		return tun;
	if (rtnl_link_index(b->rt, TUN_NAME, &b->ifindex) < 0 ||
	    rtnl_link_set_up(b->rt, b->ifindex, true) < 0)
		return -EIO;
	return 0; /* the TUN descriptor lives until exit */
}

/* ROUNDS rounds of add + check + delete for n prefixes; prints a line. */
static int
bench_size(struct bench *b, size_t n, int rounds)
{
	double add[MAX_ROUNDS], del[MAX_ROUNDS];
	size_t have;
	int r;

	for (int k = 0; k < rounds; k++) {
		r = batch_run(b, n, RTNL_ROUTE_REPLACE, &add[k]);
		if (r == 0)
			r = routes_count(b, &have);
		if (r == 0 && have != n)
			r = -EPROTO;
		if (r == 0)
			r = batch_run(b, n, RTNL_ROUTE_DEL, &del[k]);
		if (r == 0)
			r = routes_count(b, &have);
		if (r == 0 && have != 0)
			r = -EPROTO;
		if (r < 0) {
			fprintf(stderr, "route_scale: %zu routes: %s\n", n,
			    strerror(-r));
			return r;
		}
	}
	qsort(add, (size_t)rounds, sizeof(add[0]), cmp_double);
	qsort(del, (size_t)rounds, sizeof(del[0]), cmp_double);
	printf("%zu %.2f %.2f %.2f %.2f\n", n, add[rounds / 2], add[0],
	    add[rounds - 1], del[rounds / 2]);
	(void)fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	int rounds, r;

	if (argc < 3 || (rounds = atoi(argv[1])) < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: route_scale ROUNDS(1-%d) N...\n",
		    MAX_ROUNDS);
		return 2;
	}
	r = bench_setup(&b);
	if (r < 0) {
		fprintf(stderr, "route_scale: setup: %s (root needed)\n",
		    strerror(-r));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		long n = atol(argv[i]);

		if (n < 1 || n > 65536 || bench_size(&b, (size_t)n, rounds) < 0)
			return 1;
	}
	nl_close(b.rt);
	return 0;
}
