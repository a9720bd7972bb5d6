/* SPDX-License-Identifier: ISC */
/*
 * route_set.h: the routes a datapath sends into its tunnel interface: the
 * profile's routes and the gateway's narrowed remote selectors, without
 * repeats, capped at DATAPATH_MAX_ROUTES, and never a prefix that holds
 * the gateway's own address (its packets must keep their own path).
 * Installed in batches into the main table with protocol RTPROT_P2S, so
 * that p2s's routes are recognisable; the interface's removal takes them.
 */
#ifndef P2S_ROUTE_SET_H
#define P2S_ROUTE_SET_H

#include <stddef.h>

#include "compat.h"
#include "nl.h"

struct conf;

struct route_set {
	struct nl_prefix *v; /* owned: room for DATAPATH_MAX_ROUTES */
	size_t n;	     /* used entries of v */
	struct nl_addr gw;   /* the gateway: never routed into the tunnel */
};

int route_set_init(struct route_set *, const struct nl_addr *gw) P2S_WUR;
void route_set_done(struct route_set *);
/* Add p unless it is there already or holds the gateway (a warning). */
int route_set_add(struct route_set *, const struct nl_prefix *) P2S_WUR;
int route_set_add_conf(struct route_set *, const struct conf *) P2S_WUR;
/* Replace-install the entries from index `from` on via ifindex. */
int route_set_install(const struct route_set *, struct nl *route,
    unsigned int ifindex, size_t from) P2S_WUR;

#endif /* P2S_ROUTE_SET_H */
