/* SPDX-License-Identifier: ISC */
/*
 * datapath_int.h: the two datapaths behind datapath.h, for datapath.c
 * only.  Each has the same calls as datapath.h, prefixed dp_user_ or
 * dp_kernel_, on its own struct; datapath.c chooses one and forwards.
 */
#ifndef P2S_DATAPATH_INT_H
#define P2S_DATAPATH_INT_H

#include "datapath.h"

struct dp_user;
struct dp_kernel;
struct nl;
struct xfrm_event;
struct xfrm_sa_lifetime;

/* datapath_user.c */
int dp_user_new(struct loop *, const struct conf *, struct sock *,
    struct dp_user **ret) P2S_WUR;
void dp_user_free(struct dp_user *);
void dp_user_set_sock(struct dp_user *, struct sock *);
int dp_user_install(struct dp_user *, const struct ike_child *) P2S_WUR;
void dp_user_child_gone(struct dp_user *, uint32_t spi_in, uint32_t spi_out);
void dp_user_clear(struct dp_user *);
void dp_user_esp_input(struct dp_user *, const struct rd *esp);
void dp_user_stats(const struct dp_user *, struct datapath_stats *ret);
const char *dp_user_ifname(const struct dp_user *);
size_t dp_user_n_routes(const struct dp_user *);

/* datapath_kernel.c; takes over route (NETLINK_ROUTE) and xfrm
 * (NETLINK_XFRM), the sockets the probe used, also on failure. */
int dp_kernel_new(struct loop *, const struct conf *, struct sock *,
    struct nl *route, struct nl *xfrm, struct dp_kernel **ret) P2S_WUR;
void dp_kernel_free(struct dp_kernel *);
void dp_kernel_set_sock(struct dp_kernel *, struct sock *);
void dp_kernel_set_event_cb(struct dp_kernel *, datapath_event_cb, void *arg);
int dp_kernel_install(struct dp_kernel *, const struct ike_child *) P2S_WUR;
void dp_kernel_child_gone(
    struct dp_kernel *, uint32_t spi_in, uint32_t spi_out);
void dp_kernel_clear(struct dp_kernel *);
void dp_kernel_stats(const struct dp_kernel *, struct datapath_stats *ret);
const char *dp_kernel_ifname(const struct dp_kernel *);
size_t dp_kernel_n_routes(const struct dp_kernel *);

/* The if_id of a profile's XFRM interface: FNV-1a of its name, never 0. */
uint32_t dp_kernel_if_id(const char *ifname);

/* The lifetimes the kernel datapath gives each ESP state it adds, for
 * a profile whose lifetime.child is child_s seconds (0: no time limit). */
void dp_kernel_lifetime(uint32_t child_s, struct xfrm_sa_lifetime *ret);

/*
 * What an XFRM event means for the CHILD_SA whose states are `ids` (SPIs
 * 0 where there is none): only EXPIREs of its states count (an ACQUIRE,
 * which the datapath does not subscribe to, is ignored: see
 * xfrm_monitor_groups).  Pure, for the tests.
 */
struct dp_kernel_ids {
	uint32_t if_id;
	uint32_t spi_in, spi_out; /* the current CHILD_SA */
	uint32_t spi_in_old;	  /* inbound state kept across a rekey */
};

enum dp_kernel_verdict {
	DP_KV_IGNORE = 0, /* not one of ours, or nothing to do */
	DP_KV_REKEY,	  /* soft expire of a current state */
	DP_KV_GONE,	  /* hard expire of a current state */
	DP_KV_OLD_GONE,	  /* hard expire of the rekeyed-away inbound */
};

enum dp_kernel_verdict dp_kernel_event_verdict(
    const struct dp_kernel_ids *, const struct xfrm_event *);

#endif /* P2S_DATAPATH_INT_H */
