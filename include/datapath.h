/* SPDX-License-Identifier: ISC */
/*
 * datapath.h: where the tunnel's packets go.  The datapath owns the
 * tunnel interface (named by the profile's `interface:`), the virtual IP
 * on it, the routes for the VNet prefixes, and the ESP SAs.
 *
 * Two implementations behind one interface, chosen by the profile's
 * `datapath:` (datapath.c):
 *
 * - kernel (datapath_kernel.c): an XFRM interface (Linux 4.19) and XFRM
 *   states and policies carrying its if_id; the kernel does ESP (RFC 4303)
 *   and its UDP encapsulation (RFC 3948).  p2sd only moves keys.
 * - userspace (datapath_user.c): a TUN interface, ESP done in the daemon,
 *   carried in UDP on the IKE socket's 4500 path (RFC 3948).
 *
 * `auto` probes the kernel by trying (xfrm_probe) and takes userspace,
 * saying why, when the kernel cannot.  Either way the interface and the
 * profile's routes exist from start to stop, SA or not: while no CHILD_SA
 * is installed, packets to the VNet go into the interface and are dropped
 * there, never sent in clear (fail closed).
 */
#ifndef P2S_DATAPATH_H
#define P2S_DATAPATH_H

#include <stdint.h>

#include "caps.h" /* IKE_MAX_TS, which ike_sa.h uses */
#include "compat.h"
#include "esp.h"
#include "ike_sa.h"
#include "wire.h"

#define DATAPATH_MAX_ROUTES 10000 /* prefixes: profile routes and TSr */
#define DATAPATH_BURST	    64	  /* packets read per wakeup */

struct conf;
struct loop;
struct sock;
struct datapath;

enum datapath_kind {
	DATAPATH_KERNEL = 0,	/* XFRM interface and states */
	DATAPATH_USERSPACE = 1, /* TUN and ESP in p2sd */
};

/* Counters of a kind the datapath cannot see are DATAPATH_UNKNOWN. */
#define DATAPATH_UNKNOWN UINT64_MAX

struct datapath_stats {
	struct esp_counters in, out; /* of the current CHILD_SA */
	uint64_t dropped_no_sa;	     /* outbound while no SA */
	uint64_t dropped_policy;     /* inbound outside the selectors */
	uint64_t dropped_send;	     /* socket queue full */
};

/*
 * What the kernel says of the CHILD_SA's ESP states (kernel datapath;
 * the userspace one rekeys on the engine's timers alone):
 *
 *   DATAPATH_EV_REKEY  a soft limit (time, bytes or packets) was hit on
 *                      one of the current states: rekey the CHILD_SA now.
 *   DATAPATH_EV_GONE   a hard limit was hit: the kernel deleted the
 *                      state, and the tunnel drops what it carried until
 *                      a new CHILD_SA is installed.
 *
 * spi_in and spi_out name the CHILD_SA (host order).
 */
enum datapath_event {
	DATAPATH_EV_REKEY = 1,
	DATAPATH_EV_GONE,
};

typedef void (*datapath_event_cb)(
    void *arg, enum datapath_event, uint32_t spi_in, uint32_t spi_out);

/* Choose the datapath (conf->datapath; `auto` probes the kernel), then
 * create its interface, MTU and the profile's routes.  -EOPNOTSUPP when
 * `datapath: kernel` and the kernel cannot (the probe's reason logged). */
int datapath_new(struct loop *, const struct conf *, struct sock *,
    struct datapath **ret) P2S_WUR;
void datapath_free(struct datapath *);
/* Each connection attempt has its own UDP paths (NULL: none now). */
void datapath_set_sock(struct datapath *, struct sock *);
/* Who hears of datapath_events (one listener; NULL: nobody). */
void datapath_set_event_cb(struct datapath *, datapath_event_cb, void *arg);

/* The IKE engine's CHILD_SA: virtual IP, routes for the narrowed remote
 * selectors, ESP SAs.  A rekey keeps the old inbound SA until gone. */
int datapath_install(struct datapath *, const struct ike_child *) P2S_WUR;
void datapath_child_gone(struct datapath *, uint32_t spi_in, uint32_t spi_out);
/* The IKE SA is down: drop the SAs, keep interface and routes. */
void datapath_clear(struct datapath *);

/* A datagram that sock.h classified as ESP. */
void datapath_esp_input(struct datapath *, const struct rd *esp);

void datapath_stats(const struct datapath *, struct datapath_stats *ret);
enum datapath_kind datapath_kind(const struct datapath *);
const char *datapath_kind_name(enum datapath_kind);
const char *datapath_ifname(const struct datapath *);
size_t datapath_n_routes(const struct datapath *);

#endif /* P2S_DATAPATH_H */
