/* SPDX-License-Identifier: ISC */
/*
 * netwatch.h: what the daemon must hear about the machine's network and
 * clock.  Owns a rtnetlink monitor (links, IPv4/IPv6 addresses and
 * routes: rtnl_monitor_groups), the path to the gateway it follows, and
 * the clock watch that notices a suspend.
 *
 * The path is what RTM_GETROUTE says about the gateway's address: the
 * output interface and the source address the kernel picks.  A burst of
 * netlink events (an address and its routes come and go together) is
 * looked at once, NETWATCH_DEBOUNCE_MS after its first event; events
 * about our own tunnel interface and our own routes (RTPROT_P2S) are
 * ignored.  When the path differs from the one the current sockets were
 * opened on, or there is a path again after none, the owner hears
 * NETWATCH_PATH; losing every route to the gateway is only logged (a
 * reconnect could not go anywhere; the liveness checks decide).
 *
 * A suspend is a jump of CLOCK_BOOTTIME over CLOCK_MONOTONIC (the first
 * counts the time suspended, the second does not).  A BOOTTIME timer
 * every NETWATCH_CLOCK_MS compares the two; since a BOOTTIME timer whose
 * time passed during the suspend fires at resume, the owner hears
 * NETWATCH_RESUME at once, with the time suspended.
 */
#ifndef P2S_NETWATCH_H
#define P2S_NETWATCH_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "nl.h"

#define NETWATCH_DEBOUNCE_MS	300   /* a burst of events, looked at once */
#define NETWATCH_CLOCK_MS	10000 /* how often the clocks are compared */
#define NETWATCH_SUSPEND_MIN_MS 2000  /* a smaller gap is not a suspend */

struct loop;
struct netwatch;

enum netwatch_event {
	NETWATCH_PATH = 1, /* the path to the gateway changed */
	NETWATCH_RESUME,   /* back from a suspend of gap_ms */
	NETWATCH_NET,	   /* the network changed, and no gateway is
			      followed (its name did not resolve yet) */
};

/* The path to the gateway: valid false when there is no route. */
struct netwatch_path {
	bool valid;
	unsigned int oif;   /* output interface */
	struct nl_addr src; /* the source address the kernel picks */
};

/* Both clocks at one moment, in ms. */
struct netwatch_clock {
	uint64_t boot; /* CLOCK_BOOTTIME: counts a suspend */
	uint64_t mono; /* CLOCK_MONOTONIC: does not */
};

typedef void (*netwatch_cb)(void *arg, enum netwatch_event, uint64_t gap_ms);

int netwatch_new(
    struct loop *, netwatch_cb, void *arg, struct netwatch **ret) P2S_WUR;
void netwatch_free(struct netwatch *);

/* Follow the path to gw (the address the sockets are about to use or
 * use; its port is ignored) from now on: the path now, or none, is the
 * reference.  ifname is the tunnel interface, whose events are ignored
 * ("" or NULL: none).  gw NULL stops following: changes are then told as
 * NETWATCH_NET. */
int netwatch_follow(struct netwatch *, const struct sockaddr_storage *gw,
    const char *ifname) P2S_WUR;
/* The machine resumed from a suspend of gap_ms (0: unknown): what the
 * clock watch does when it sees one, and what a system's resume hook
 * asks for (p2sd's SIGUSR1): log it, look at the path again soon, and
 * tell the owner (NETWATCH_RESUME). */
void netwatch_resumed(struct netwatch *, uint64_t gap_ms);
/* The path followed now (valid false when none is followed). */
void netwatch_path(const struct netwatch *, struct netwatch_path *ret);

/* Pure, for the loop and for tests. */
bool netwatch_path_eq(
    const struct netwatch_path *, const struct netwatch_path *);
void netwatch_clock_now(struct netwatch_clock *ret);
/* The time suspended between two readings (ms), 0 when less than
 * NETWATCH_SUSPEND_MIN_MS or when the readings are out of order. */
uint64_t netwatch_suspend_gap(
    const struct netwatch_clock *before, const struct netwatch_clock *after);

#endif /* P2S_NETWATCH_H */
