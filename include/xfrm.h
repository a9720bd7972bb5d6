/* SPDX-License-Identifier: ISC */
/*
 * xfrm.h: the kernel IPsec datapath over NETLINK_XFRM (Linux's
 * include/uapi/linux/xfrm.h): SPI allocation, ESP tunnel-mode states
 * (RFC 4303) with AES-GCM (RFC 4106), AES-CBC (RFC 3602) + HMAC-SHA1/SHA2
 * (RFC 2404, RFC 4868) or ChaCha20-Poly1305 (RFC 7634), UDP encapsulation
 * (RFC 3948), anti-replay windows with or without ESN (RFC 4303 3.3.3),
 * lifetimes, counters, policies with templates and if_id (the XFRM
 * interface model), cleanup of our own leftovers by if_id, typed EXPIRE
 * and ACQUIRE events, the probe behind `datapath: auto`, and the per-socket
 * policy bypass for the IKE sockets.
 *
 * Algorithms are named in IKE terms (enum ike_encr, enum ike_integ) and
 * translated to kernel names here.  Keys are borrowed; every request
 * buffer that carried one is wiped after sending, and replies that carry
 * keys (GETSA, dumps) are wiped by nl.c.  Builders (_build) touch no
 * socket, so unit tests compare their bytes.  SPIs are in host order in
 * this API.
 */
#ifndef P2S_XFRM_H
#define P2S_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "ike.h"
#include "nl.h"
#include "wire.h"

#define XFRM_REQ_MAX	      2048	 /* bytes: any request built here */
#define XFRM_REPLAY_MAX	      4096	 /* packets: largest replay window */
#define XFRM_SPI_MIN	      0x00000100 /* 1..255 are reserved (RFC 4303 2.1) */
#define XFRM_SPI_MAX	      0xffffffff
#define XFRM_PROBE_REASON_MAX 192 /* bytes of xfrm_probe's reason */

/* Lifetimes of a state; 0 means "no limit". */
struct xfrm_sa_lifetime {
	uint64_t soft_bytes; /* EXPIRE soft: time to rekey */
	uint64_t hard_bytes; /* EXPIRE hard: the state is gone */
	uint64_t soft_packets;
	uint64_t hard_packets;
	uint64_t soft_seconds; /* seconds after install */
	uint64_t hard_seconds;
};

/* An ESP tunnel-mode state to install. */
struct xfrm_sa {
	struct nl_addr src;	/* outer source address */
	struct nl_addr dst;	/* outer destination: the SPI's owner */
	uint32_t spi;		/* host order */
	uint32_t reqid;		/* ties the state to policy templates */
	uint32_t if_id;		/* XFRM interface id; 0 = none */
	enum ike_encr encr;	/* AES_CBC, AES_GCM_8/12/16, CHACHA20 */
	struct rd encr_key;	/* borrowed, secret; AEAD: key + salt */
	enum ike_integ integ;	/* IKE_INTEG_NONE with an AEAD */
	struct rd integ_key;	/* borrowed, secret */
	uint16_t encap_sport;	/* ESP in UDP (RFC 3948); 0 = none */
	uint16_t encap_dport;	/* host order */
	uint32_t replay_window; /* packets; 0 = none (outbound) */
	bool esn;		/* 64-bit sequence numbers; needs a window */
	struct xfrm_sa_lifetime lifetime;
};

/* A state as the kernel reports it, without its keys. */
struct xfrm_sa_info {
	struct nl_addr src;
	struct nl_addr dst;
	uint32_t spi;  /* host order */
	uint8_t proto; /* IPPROTO_ESP */
	uint8_t mode;  /* XFRM_MODE_TUNNEL */
	uint32_t reqid;
	uint32_t if_id;	      /* 0 = none */
	uint16_t encap_sport; /* 0 = no UDP encapsulation */
	uint16_t encap_dport;
	uint64_t bytes; /* through the state so far */
	uint64_t packets;
	uint64_t add_time;	      /* seconds since the epoch */
	uint64_t use_time;	      /* first use; 0 = never used */
	uint32_t replay_drops;	      /* packets dropped as replays */
	uint32_t replay_window_drops; /* too old: behind the window */
	uint32_t integrity_failed;    /* ICV failures */
};

enum xfrm_sp_dir {
	XFRM_SP_IN = 0,	 /* XFRM_POLICY_IN */
	XFRM_SP_OUT = 1, /* XFRM_POLICY_OUT */
	XFRM_SP_FWD = 2, /* XFRM_POLICY_FWD */
};

/* A policy: traffic selector, direction, and one ESP tunnel template. */
struct xfrm_sp {
	struct nl_prefix src; /* inner source selector */
	struct nl_prefix dst; /* inner destination selector */
	uint8_t ip_proto;     /* 0 = any */
	enum xfrm_sp_dir dir;
	uint32_t priority;	 /* lower wins */
	uint32_t if_id;		 /* 0 = none */
	uint32_t reqid;		 /* the states this template takes */
	struct nl_addr tmpl_src; /* outer source of the tunnel */
	struct nl_addr tmpl_dst; /* outer destination */
	uint32_t index;		 /* parsed: the kernel's id; ignored on add */
};

enum xfrm_event_type {
	XFRM_EV_EXPIRE_SOFT = 1, /* a soft limit hit: rekey now */
	XFRM_EV_EXPIRE_HARD,	 /* the state is gone */
	XFRM_EV_ACQUIRE,	 /* traffic matched a policy, no state */
};

struct xfrm_event {
	enum xfrm_event_type type;
	union {
		struct xfrm_sa_info sa; /* EXPIRE_*: the state */
		struct {
			struct xfrm_sp policy; /* its selector, dir, if_id */
			struct nl_addr src;    /* outer, from the template */
			struct nl_addr dst;
			uint32_t seq; /* the kernel's acquire seq */
		} acquire;
	};
};

/* What xfrm_probe found this kernel can do. */
struct xfrm_probe {
	bool esp;      /* an ESP tunnel state installs (cbc + hmac) */
	bool cbc_hmac; /* cbc(aes) + hmac(sha256) */
	bool gcm;      /* rfc4106(gcm(aes)) */
	bool espinudp; /* UDP encapsulation */
	bool xfrmi;    /* XFRM interface links */
	char reason[XFRM_PROBE_REASON_MAX]; /* the first missing piece */
};

/*
 * The groups a datapath's monitor joins: EXPIRE only.  Not ACQUIRE: p2s
 * negotiates its CHILD_SA when it connects, never on demand, and while
 * anyone listens to ACQUIRE the kernel parks a larval state (SPI 0,
 * net.core.xfrm_acq_expires seconds) for each packet that meets a policy
 * without a state, which XFRM_MSG_DELSA cannot name to remove.  With no
 * listener the packet is dropped and counted (XfrmOutNoStates), nothing
 * more.  xfrm_event_parse() still reads ACQUIRE, for tools and tests.
 */
extern const unsigned int xfrm_monitor_groups[];
extern const size_t xfrm_monitor_n_groups;

/* Reserve an SPI for an inbound state from src to dst (a larval state the
 * kernel drops after net.core.xfrm_acq_expires seconds unless
 * xfrm_state_update completes it). */
int xfrm_spi_alloc(struct nl *, const struct nl_addr *src,
    const struct nl_addr *dst, uint32_t reqid, uint32_t if_id,
    uint32_t *ret_spi) P2S_WUR;
/* A new state (-EEXIST if the SPI is taken). */
int xfrm_state_add(struct nl *, const struct xfrm_sa *) P2S_WUR;
/* Complete the state of an SPI from xfrm_spi_alloc. */
int xfrm_state_update(struct nl *, const struct xfrm_sa *) P2S_WUR;
/* Not P2S_WUR, as the other deletes: teardown may (void) them. */
int xfrm_state_del(struct nl *, const struct nl_addr *dst, uint32_t spi);
int xfrm_state_get(struct nl *, const struct nl_addr *dst, uint32_t spi,
    struct xfrm_sa_info *ret) P2S_WUR;
int xfrm_state_dump(struct nl *, int (*cb)(const struct xfrm_sa_info *, void *),
    void *arg) P2S_WUR;

int xfrm_policy_add(struct nl *, const struct xfrm_sp *) P2S_WUR;
/* Add, or replace the policy with the same selector, dir and if_id. */
int xfrm_policy_update(struct nl *, const struct xfrm_sp *) P2S_WUR;
/* Delete by selector, dir and if_id (the other fields are ignored). */
int xfrm_policy_del(struct nl *, const struct xfrm_sp *);
/* The same requests, added to a batch (nl_batch_send sends them all):
 * hundreds of policies cost one sendmsg() and one ACK per chunk. */
int xfrm_policy_batch(
    struct nl_batch *, const struct xfrm_sp *, bool update) P2S_WUR;
int xfrm_policy_del_batch(struct nl_batch *, const struct xfrm_sp *) P2S_WUR;
int xfrm_policy_dump(
    struct nl *, int (*cb)(const struct xfrm_sp *, void *), void *arg) P2S_WUR;

/* Delete every state and policy with this if_id (non-zero) and nothing
 * else: a crashed daemon's leftovers.  *ret_n (may be NULL) counts what
 * was deleted. */
int xfrm_flush_if_id(struct nl *, uint32_t if_id, size_t *ret_n) P2S_WUR;

/* Try, and undo, what the kernel datapath needs: ESP states (CBC+HMAC,
 * GCM, with UDP encapsulation) on a kernel-allocated SPI to 127.0.0.1,
 * and an XFRM interface.  Returns 0 with *ret filled (reason names the
 * first thing missing, "" when nothing is), or -errno when the probe
 * itself could not run (no CAP_NET_ADMIN, ...). */
int xfrm_probe(
    struct nl *xfrm, struct nl *route, struct xfrm_probe *ret) P2S_WUR;
/* Everything `datapath: kernel` needs is there. */
bool xfrm_probe_kernel_ok(const struct xfrm_probe *);

/* Exempt an IKE socket from every XFRM policy in both directions
 * (IP_XFRM_POLICY / IPV6_XFRM_POLICY, a plain setsockopt): IKE and its
 * NAT keepalives must never be sent into the tunnel they negotiate. */
int xfrm_socket_bypass(int fd, int family) P2S_WUR;

/* Builders, into buf (8-byte aligned, cap bytes): 0, -EINVAL (bad
 * arguments), -EOPNOTSUPP (algorithm) or -ENOSPC. */
int xfrm_spi_alloc_build(void *buf, size_t cap, const struct nl_addr *src,
    const struct nl_addr *dst, uint32_t reqid, uint32_t if_id, uint32_t min,
    uint32_t max) P2S_WUR;
int xfrm_state_build(
    void *buf, size_t cap, const struct xfrm_sa *, bool update) P2S_WUR;
/* XFRM_MSG_DELSA or XFRM_MSG_GETSA for (dst, spi, ESP). */
int xfrm_state_id_build(void *buf, size_t cap, uint16_t type,
    const struct nl_addr *dst, uint32_t spi) P2S_WUR;
int xfrm_policy_build(
    void *buf, size_t cap, const struct xfrm_sp *, bool update) P2S_WUR;
int xfrm_policy_del_build(
    void *buf, size_t cap, const struct xfrm_sp *) P2S_WUR;

/* Parsers: 0, -EBADMSG when malformed, -EOPNOTSUPP for another message
 * type or an address family other than IPv4/IPv6. */
int xfrm_state_parse(const struct nlmsghdr *, struct xfrm_sa_info *ret) P2S_WUR;
int xfrm_policy_parse(const struct nlmsghdr *, struct xfrm_sp *ret) P2S_WUR;
int xfrm_event_parse(const struct nlmsghdr *, struct xfrm_event *ret) P2S_WUR;

/* The kernel's names for an IKE algorithm, NULL when unsupported. */
const char *xfrm_encr_name(enum ike_encr);
const char *xfrm_integ_name(enum ike_integ);

#endif /* P2S_XFRM_H */
