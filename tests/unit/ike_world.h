/* SPDX-License-Identifier: ISC */
/*
 * ike_world.h: an IKE engine and what it talks to, in memory, for
 * test_ike_engine.c: a profile, credentials from tests/data/certs, the
 * engine with its test hooks (no socket: every datagram it sends is kept
 * here), the daemon's callbacks recorded, and the scripted responder
 * (tests/fuzz/ike_peer.h) with an EAP-TLS server behind it (eap_test.h).
 * Include after cmocka.h.
 */
#ifndef P2S_IKE_WORLD_H
#define P2S_IKE_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eap_test.h"
#include "ike_int.h"
#include "ike_peer.h"

#define WORLD_MAX_SENT	256
#define WORLD_CLIENT_ID "P2SChildCert"

struct world_opts {
	bool pubkey;	   /* auth: pubkey (else eap-tls) */
	const char *ike;   /* proposals.ike, YAML list body; NULL: Azure's */
	const char *esp;   /* proposals.esp; NULL: Azure's */
	const char *roots; /* gateway root file; NULL: root-a.pem */
	const char *gw_id; /* gateway.id; NULL: EAPT_GW_ID */
	const char
	    *client_ca;	     /* root the EAP server trusts; NULL: client-root */
	bool no_force_encap; /* the datapath does not need UDP */
	bool no_peer;	     /* nobody answers */
};

struct world {
	struct loop *loop;
	struct conf *conf;
	struct cert *cert;
	struct key_ref *key;
	struct trust *roots;
	struct ike_creds creds;
	struct ike_sa_hooks hooks;
	struct ike_sa *sa;
	struct ike_peer_conf
	    pc;		       /* filled by world_new; change before connect */
	struct ike_peer *peer; /* made by world_connect */
	struct eapt_srv srv;
	bool have_srv;

	struct buf *sent[WORLD_MAX_SENT]; /* every datagram the engine sent */
	bool sent_natt[WORLD_MAX_SENT];
	size_t n_sent;
	size_t n_fed; /* of them, handed to the peer */

	/* Pump options: how the peer's datagrams reach the engine. */
	bool reverse; /* each batch in reverse order */
	bool dup;     /* each datagram twice */
	int peer_err; /* first error the peer reported */

	/* The daemon's side. */
	int est_ret; /* what established() returns */
	unsigned n_established;
	struct ike_child child; /* copy; keys below */
	struct buf *encr_out, *encr_in, *integ_out, *integ_in;
	unsigned n_child_gone;
	uint32_t gone_in, gone_out;
	unsigned n_down;
	int down_err;
	bool down_permanent;
	char down_reason[IKE_REASON_LEN];
};

struct world *world_new(const struct world_opts *);
void world_free(struct world *);
/* Replaces the engine by one with this profile and credentials (they
 * must outlive the world's engine). */
void world_engine(
    struct world *, const struct conf *, const struct ike_creds *);
/* Makes the peer from w->pc and connects. */
void world_connect(struct world *);
/* Engine to peer and back until neither has anything to say. */
void world_pump(struct world *);
/* The peer's pending datagrams to the engine (what pump does). */
void world_deliver(struct world *);
/* Exchange type and message ID of a datagram the engine sent. */
uint8_t world_exchange(const struct world *, size_t i);
uint32_t world_msgid(const struct world *, size_t i);

#endif /* P2S_IKE_WORLD_H */
