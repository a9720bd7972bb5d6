/* SPDX-License-Identifier: ISC */
/*
 * rtnl.h: rtnetlink for the tunnel interface (RFC 3549; Linux's
 * include/uapi/linux/rtnetlink.h): links (look up, XFRM interface
 * create/delete, up/down, MTU), addresses, routes (add, replace, delete
 * in batches; route lookup for the path to the gateway; dumps of our own
 * leftovers), and typed link/address/route events from a monitor.
 *
 * Every route p2s installs carries protocol RTPROT_P2S, so a restarted
 * daemon finds and removes what a crashed one left (`ip route show proto
 * 162 table all` shows them), and never touches anybody else's routes.
 *
 * Builders (_build) write one message into a caller's buffer and touch no
 * socket, so unit tests compare their bytes; the other calls build, send
 * over a NETLINK_ROUTE request socket from nl.h and wait for the ACK.
 * Parsers (_parse) check every attribute against a policy table and log
 * at debug only.  The TUN device itself is created by tun.c (ioctl).
 */
#ifndef P2S_RTNL_H
#define P2S_RTNL_H

#include <net/if.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "nl.h"

/* Our route protocol tag: not in the kernel's or iproute2's list. */
#define RTPROT_P2S    162
#define RTNL_MSG_MAX  512 /* bytes: any request built here */
#define RTNL_KIND_MAX 16  /* bytes of IFLA_INFO_KIND with NUL */

struct rtnl_link {
	unsigned int ifindex;
	char name[IFNAMSIZ];	  /* NUL-terminated */
	char kind[RTNL_KIND_MAX]; /* "xfrm", "tun", ... or "" */
	unsigned int flags;	  /* IFF_UP, IFF_RUNNING, ... */
	uint32_t mtu;		  /* bytes; 0 when not reported */
	uint32_t xfrm_if_id;	  /* kind "xfrm": its if_id, else 0 */
};

struct rtnl_addr {
	unsigned int ifindex;
	struct nl_prefix prefix; /* the address and its prefix length */
};

struct rtnl_route {
	struct nl_prefix dst;	/* 0.0.0.0/0 or ::/0 for a default route */
	unsigned int oif;	/* output interface; 0 = none */
	struct nl_addr gateway; /* AF_UNSPEC: directly connected */
	struct nl_addr prefsrc; /* AF_UNSPEC: kernel's choice */
	uint32_t table;		/* RT_TABLE_MAIN, or ours */
	uint32_t metric;	/* RTA_PRIORITY; 0 = default */
	uint8_t protocol;	/* RTPROT_P2S for ours */
	uint8_t type;		/* RTN_UNICAST, ...; 0 means unicast */
};

enum rtnl_route_op {
	RTNL_ROUTE_ADD,	    /* fails with -EEXIST if present */
	RTNL_ROUTE_REPLACE, /* add, or replace the same prefix */
	RTNL_ROUTE_DEL,	    /* -ESRCH if absent */
};

enum rtnl_event_type {
	RTNL_EV_LINK_NEW = 1, /* also "changed": flags, MTU, name */
	RTNL_EV_LINK_DEL,
	RTNL_EV_ADDR_NEW,
	RTNL_EV_ADDR_DEL,
	RTNL_EV_ROUTE_NEW,
	RTNL_EV_ROUTE_DEL,
};

struct rtnl_event {
	enum rtnl_event_type type;
	union {
		struct rtnl_link link;	 /* LINK_* */
		struct rtnl_addr addr;	 /* ADDR_* */
		struct rtnl_route route; /* ROUTE_* */
	};
};

/* The groups a monitor joins to follow links, IPv4/IPv6 addresses and
 * IPv4/IPv6 routes (for nl_open_monitor). */
extern const unsigned int rtnl_monitor_groups[];
extern const size_t rtnl_monitor_n_groups;

/* Links. */
int rtnl_link_get(struct nl *, const char *name, struct rtnl_link *ret) P2S_WUR;
int rtnl_link_index(struct nl *, const char *name, unsigned int *ret) P2S_WUR;
/* An XFRM interface (Linux 4.19): packets routed into it go through the
 * XFRM policies and states with this if_id (non-zero).  underlying is the
 * ifindex of the interface for outer packets, or 0 for none. */
int rtnl_xfrmi_add(struct nl *, const char *name, uint32_t if_id,
    unsigned int underlying, unsigned int *ret_ifindex) P2S_WUR;
/* Deletes are not P2S_WUR: teardown may ignore them with (void). */
int rtnl_link_del(struct nl *, unsigned int ifindex);
int rtnl_link_set_up(struct nl *, unsigned int ifindex, bool up) P2S_WUR;
int rtnl_link_set_mtu(struct nl *, unsigned int ifindex, uint32_t mtu) P2S_WUR;
/* Call cb for every link (crash cleanup: find our interfaces by name). */
int rtnl_link_dump(struct nl *, int (*cb)(const struct rtnl_link *, void *),
    void *arg) P2S_WUR;

/* Addresses (IFA_F_NODAD for IPv6: the address is ours alone). */
int rtnl_addr_add(
    struct nl *, unsigned int ifindex, const struct nl_prefix *) P2S_WUR;
int rtnl_addr_del(struct nl *, unsigned int ifindex, const struct nl_prefix *);
/* Addresses of one family (AF_UNSPEC: all) on ifindex (0: all links). */
int rtnl_addr_dump(struct nl *, int family, unsigned int ifindex,
    int (*cb)(const struct rtnl_addr *, void *), void *arg) P2S_WUR;

/* Routes. */
int rtnl_route_apply(
    struct nl *, enum rtnl_route_op, const struct rtnl_route *) P2S_WUR;
/* Add one route request to a batch (nl_batch_send sends them all). */
int rtnl_route_batch(
    struct nl_batch *, enum rtnl_route_op, const struct rtnl_route *) P2S_WUR;
/* The route the kernel would use to reach dst (RTM_GETROUTE): oif,
 * prefsrc, and gateway when there is one. */
int rtnl_route_lookup(
    struct nl *, const struct nl_addr *dst, struct rtnl_route *ret) P2S_WUR;
/* Call cb for every route of this family in table (0: all tables) whose
 * protocol is `protocol` (0: any). */
int rtnl_route_dump(struct nl *, int family, uint32_t table, uint8_t protocol,
    int (*cb)(const struct rtnl_route *, void *), void *arg) P2S_WUR;

/* Builders, into buf (4-byte aligned, cap bytes): 0 or -ENOSPC/-EINVAL. */
int rtnl_link_get_build(void *buf, size_t cap, const char *name) P2S_WUR;
int rtnl_xfrmi_add_build(void *buf, size_t cap, const char *name,
    uint32_t if_id, unsigned int underlying) P2S_WUR;
int rtnl_link_del_build(void *buf, size_t cap, unsigned int ifindex) P2S_WUR;
int rtnl_link_set_build(void *buf, size_t cap, unsigned int ifindex,
    unsigned int flags, unsigned int change, uint32_t mtu) P2S_WUR;
int rtnl_addr_build(void *buf, size_t cap, bool add, unsigned int ifindex,
    const struct nl_prefix *) P2S_WUR;
int rtnl_route_build(void *buf, size_t cap, enum rtnl_route_op,
    const struct rtnl_route *) P2S_WUR;
int rtnl_route_get_build(
    void *buf, size_t cap, const struct nl_addr *dst) P2S_WUR;

/* Parsers of RTM_NEWLINK/DELLINK, NEWADDR/DELADDR, NEWROUTE/DELROUTE:
 * 0, -EBADMSG when malformed, -EOPNOTSUPP for another message type or an
 * address family other than IPv4/IPv6. */
int rtnl_link_parse(const struct nlmsghdr *, struct rtnl_link *ret) P2S_WUR;
int rtnl_addr_parse(const struct nlmsghdr *, struct rtnl_addr *ret) P2S_WUR;
int rtnl_route_parse(const struct nlmsghdr *, struct rtnl_route *ret) P2S_WUR;
/* Any of the three, typed by the message type. */
int rtnl_event_parse(const struct nlmsghdr *, struct rtnl_event *ret) P2S_WUR;

#endif /* P2S_RTNL_H */
