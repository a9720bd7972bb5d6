/* SPDX-License-Identifier: ISC */
/*
 * ike_sa.h: one IKEv2 SA as the initiator, and the CHILD_SA it carries.
 * This is the engine's face to the daemon: the daemon owns the loop, the
 * UDP paths (sock.h) and the datapath; the engine owns the protocol.
 *
 *   daemon                                   engine
 *   ike_sa_new(conf, creds, sock, cbs) -->
 *   ike_sa_connect()                   -->   IKE_SA_INIT, IKE_AUTH, EAP...
 *   ike_sa_input(datagram)             -->   (every IKE datagram read)
 *                                      <--   cbs->established(child)
 *                                      <--   cbs->down(err, reason)
 *   ike_sa_delete()                    -->   INFORMATIONAL{D}, then down
 *   ike_sa_rekey_child()               -->   CREATE_CHILD_SA{N(REKEY_SA)}
 *                                      <--   cbs->established(rekey)
 *                                      <--   cbs->child_gone(old SPIs)
 *
 * The engine never touches the kernel or the TUN device: it hands the
 * negotiated CHILD_SA (SPIs, ESP transform and keys, traffic selectors,
 * virtual IP, DNS) to the daemon through the established callback.
 */
#ifndef P2S_IKE_SA_H
#define P2S_IKE_SA_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "caps.h"
#include "compat.h"
#include "ike.h"
#include "ike_keys.h"
#include "wire.h"

struct cert;
struct conf;
struct key_ref;
struct loop;
struct sock;
struct trust;
struct tls_ctx;
struct tls_session;

enum ike_sa_state {
	IKE_SA_IDLE,	    /* nothing sent yet */
	IKE_SA_INIT_SENT,   /* IKE_SA_INIT request out */
	IKE_SA_AUTH_SENT,   /* first IKE_AUTH request out */
	IKE_SA_EAP,	    /* EAP rounds in IKE_AUTH */
	IKE_SA_AUTH_FINAL,  /* AUTH from the MSK sent */
	IKE_SA_ESTABLISHED, /* IKE SA and CHILD_SA up */
	IKE_SA_REKEYING,    /* CREATE_CHILD_SA of ours in flight */
	IKE_SA_DELETING,    /* our DELETE in flight */
	IKE_SA_DEAD,	    /* over: the down callback ran */
	_IKE_SA_STATE_MAX,
};

/* The credentials the engine authenticates with and trusts; borrowed,
 * they outlive the SA. */
struct ike_creds {
	const struct cert *cert;   /* client certificate (chain behind it) */
	const struct key_ref *key; /* its private key */
	const struct trust *roots; /* the profile's gateway roots */
	const char *id;		   /* IDi and EAP identity */
	const char *gateway_id;	   /* must match the gateway certificate */
	bool send_idr;		   /* gateway.send_id */
	bool eap;		   /* auth: eap-tls (else pubkey) */
	bool force_encap;	   /* the datapath needs ESP in UDP: make the
				      gateway see NAT (fake NAT-D), as
				      strongSwan's kernel-libipsec does */
	/* EAP-TLS resumption across connects (design.md 7), optional:
	 * both NULL and the engine makes a TLS context per SA. */
	struct tls_ctx *tls;		  /* borrowed: kept by the daemon */
	struct tls_session **tls_session; /* in: offered; out: replaced by
					     the new one once IKE_AUTH
					     succeeded (the caller frees) */
};

/* A traffic selector pair element, IPv4 or IPv6, in network order. */
struct ike_child_ts {
	int family;	   /* AF_INET or AF_INET6 */
	uint8_t start[16]; /* first 4 bytes for IPv4 */
	uint8_t end[16];
	uint8_t ip_proto; /* 0: any */
	uint16_t start_port, end_port;
};

#define IKE_CHILD_MAX_TS  IKE_MAX_TS
#define IKE_CHILD_MAX_DNS 8

/* What the daemon needs to install a CHILD_SA, valid during the
 * callback only (copy what you keep; keys are wiped afterwards). */
struct ike_child {
	uint32_t spi_in, spi_out;	   /* ESP SPIs, host order */
	struct ike_suite esp;		   /* ESP transform */
	const struct ike_child_keys *keys; /* inbound and outbound keys */
	bool udp_encap;			   /* ESP in UDP on the 4500 path */
	size_t n_ts_local, n_ts_remote;	   /* used entries below */
	struct ike_child_ts ts_local[IKE_CHILD_MAX_TS];	 /* narrowed TSi */
	struct ike_child_ts ts_remote[IKE_CHILD_MAX_TS]; /* narrowed TSr */
	struct sockaddr_storage vip4, vip6; /* virtual IPs; AF_UNSPEC: none */
	size_t n_dns;			    /* used entries of dns */
	struct sockaddr_storage dns[IKE_CHILD_MAX_DNS]; /* pushed servers */
	bool rekey; /* replaces the previous CHILD_SA (make before break) */
};

struct ike_sa_cbs {
	/* The CHILD_SA is negotiated (first time, or a rekey): install it.
	 * Returning a negative errno makes the engine delete the SA. */
	int (*established)(void *arg, const struct ike_child *);
	/* A CHILD_SA the daemon installed is gone (rekeyed away or deleted)
	 * and may be removed: its SPIs. */
	void (*child_gone)(void *arg, uint32_t spi_in, uint32_t spi_out);
	/* The SA is over.  err is 0 after our own delete, else a negative
	 * errno; permanent says whether retrying can help (a certificate or
	 * identity problem cannot be fixed by retrying); reason is a
	 * sentence for the user ("gateway certificate not trusted: ...").
	 * The engine logs the reason at debug only: the daemon reports it,
	 * once, at the level it deserves. */
	void (*down)(void *arg, int err, bool permanent, const char *reason);
};

struct ike_sa;

int ike_sa_new(struct loop *, const struct conf *, const struct ike_creds *,
    struct sock *, const struct ike_sa_cbs *, void *cb_arg,
    struct ike_sa **ret) P2S_WUR;
void ike_sa_free(struct ike_sa *);

/* Start IKE_SA_INIT.  group: the DH group to offer first (0: the
 * profile's first); remember ike_sa_group() for the next connect. */
int ike_sa_connect(struct ike_sa *, uint16_t group) P2S_WUR;

/* One IKE message from the gateway (marker already stripped). */
void ike_sa_input(struct ike_sa *, const struct rd *msg);

/* Delete the SA: INFORMATIONAL{D} to the gateway, then the down callback
 * (err 0).  Safe in any state. */
void ike_sa_delete(struct ike_sa *);

/*
 * Rekey the CHILD_SA now, make before break: CREATE_CHILD_SA with
 * N(REKEY_SA) (and KEi when the profile's ESP proposals name a DH
 * group), the new SA through cbs->established with rekey set, then the
 * old one deleted and handed to cbs->child_gone once the gateway answered
 * that DELETE.  The engine calls it itself when conf->lifetime.child
 * (jittered) runs out; the daemon calls it on an XFRM soft expire.
 * 0: started, under way, or waiting for the exchange in flight (it
 * starts within a second of that ending); -ENOTCONN: the SA is not up.
 */
int ike_sa_rekey_child(struct ike_sa *) P2S_WUR;
/* Rekey the IKE SA now (RFC 7296 2.18); the same answers.  The engine
 * calls it itself when conf->lifetime.ike (jittered) runs out. */
int ike_sa_rekey_ike(struct ike_sa *) P2S_WUR;
/* Check now that the gateway is there (after a suspend, or when the
 * network changed): an empty INFORMATIONAL unless a request of ours is
 * out already; no answer after the retransmissions and the SA goes down
 * (cbs->down).  why goes to the debug log.  False when the SA is not
 * established (nothing to check). */
bool ike_sa_check_liveness(struct ike_sa *, const char *why);

/* MOBIKE (RFC 4555): both sides announced it in IKE_AUTH, the SA is on
 * the 4500 path and no request of ours is in flight. */
bool ike_sa_can_move(const struct ike_sa *);
/* Our address changed: use sock from now on (the daemon opened it to the
 * same gateway and floated it) and tell the gateway with
 * UPDATE_SA_ADDRESSES and NAT-D from there (3.5).  No answer after the
 * retransmissions and the SA goes down (cbs->down).  -EOPNOTSUPP when
 * !ike_sa_can_move(). */
int ike_sa_move(struct ike_sa *, struct sock *) P2S_WUR;

/* For status and logs. */
enum ike_sa_state ike_sa_state(const struct ike_sa *);
const char *ike_sa_state_name(enum ike_sa_state);
uint16_t ike_sa_group(const struct ike_sa *); /* DH group in use */
void ike_sa_spis(const struct ike_sa *, uint64_t *ret_i, uint64_t *ret_r);
unsigned ike_sa_round_trips(const struct ike_sa *); /* requests answered */
uint64_t ike_sa_connect_ms(const struct ike_sa *);  /* connect -> up */
const char *ike_sa_proposal(const struct ike_sa *); /* "AES_GCM_16_256/..." */
int64_t ike_sa_rekey_in_s(const struct ike_sa *);   /* our next IKE SA
						       rekey; -1: none */
/* CHILD_SA rekeys done, either side's; *ret_ike: IKE SA rekeys. */
unsigned ike_sa_rekeys(const struct ike_sa *, unsigned *ret_ike);

#endif /* P2S_IKE_SA_H */
