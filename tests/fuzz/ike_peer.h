/* SPDX-License-Identifier: ISC */
/*
 * ike_peer.h: a small scripted IKEv2 responder for tests, built from the
 * engine's own codec (ike_pld.h) and crypto (ike_keys.h, ike_sk.h,
 * crypto_sig.h), so that test_ike_engine and fuzz_ike_engine can run the
 * engine against a gateway in memory.  It plays what strongSwan plays in
 * tests/integration, and can misbehave on request: demand a COOKIE, ask
 * for another DH group, refuse every proposal, sign badly, refuse the
 * client, refuse the CHILD_SA, fragment its messages.  It answers the
 * client's rekeys (CREATE_CHILD_SA for the CHILD_SA, with or without a
 * KE, and for the IKE SA), refuses them on request, and rekeys the IKE SA
 * itself (ike_peer_rekey_ike).
 *
 * It is a test tool, not a second implementation: it assumes the engine
 * asks in order, checks what the tests need (the client's AUTH, its
 * signature or its MSK), and reports anything unexpected as an error with
 * a sentence in p->error.  No cmocka here: the fuzzer links it too.
 */
#ifndef P2S_IKE_PEER_H
#define P2S_IKE_PEER_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "caps.h"
#include "ike_keys.h"
#include "ike_pld.h"

struct cert;
struct key_ref;
struct kex;

/* The EAP server behind the peer (eap: true). */
struct ike_peer_eap {
	/* The first request (EAP-Identity). */
	int (*first)(void *arg, struct wr *out);
	/* The next packet for the client's response; *ret_done once it is
	 * EAP-Success (or EAP-Failure). */
	int (*step)(
	    void *arg, const struct rd *resp, struct wr *out, bool *ret_done);
	/* The MSK after EAP-Success. */
	int (*msk)(void *arg, struct rd *ret);
};

struct ike_peer_conf {
	const char *cert;   /* path: the gateway certificate + issuers */
	const char *issuer; /* path: one more CERT to send, or NULL */
	const char *key;    /* path: its key */
	/* Or, loaded already (borrowed; the paths are then unused). */
	const struct cert *cert_obj, *issuer_obj;
	const struct key_ref *key_obj;
	const char *id; /* IDr, an FQDN */
	bool eap;	/* EAP-TLS via eap_srv (else certificates) */
	const struct ike_peer_eap *eap_srv;
	void *eap_arg;
	bool frag;	     /* announce IKEV2_FRAGMENTATION_SUPPORTED */
	size_t frag_size;    /* fragment messages larger than this (0: never) */
	bool nat;	     /* make the client see a NAT */
	bool cookie;	     /* demand a COOKIE first */
	uint16_t want_group; /* INVALID_KE_PAYLOAD for any other (0: any) */
	bool no_proposal;    /* NO_PROPOSAL_CHOSEN */
	bool bad_auth;	     /* corrupt our AUTH signature */
	bool bad_msk_auth;   /* corrupt our AUTH from the MSK */
	bool auth_failed;    /* answer IKE_AUTH with AUTHENTICATION_FAILED */
	bool refuse_child;   /* IKE_AUTH done, N(TS_UNACCEPTABLE) */
	uint16_t refuse_rekey;	     /* answer the client's CREATE_CHILD_SA
					with this notify ... */
	unsigned refuse_rekey_times; /* ... this many times (0: always) */
	uint16_t refuse_rekey_group; /* INVALID_KE_PAYLOAD: the group */
	/* Determinism for the fuzzer (NULL: random). */
	const struct rd *nr;
	const struct rd *g_ir;
	const struct rd *kex_priv; /* our DH private value (kex test hook) */
	const uint8_t *spi_r;
	uint32_t esp_spi; /* 0: random */
	/* NAT detection: the client's address as the gateway sees it, and
	 * the gateway's. */
	struct sockaddr_storage client, gateway;
};

#define IKE_PEER_MAX_OUT IKE_MAX_FRAGMENTS

struct ike_peer {
	struct ike_peer_conf conf;
	struct cert *cert_own;	   /* owned, when loaded from a path */
	struct cert *issuer_own;   /* owned, or NULL */
	struct key_ref *key_own;   /* owned */
	const struct cert *cert;   /* the ones in use */
	const struct cert *issuer; /* or NULL */
	const struct key_ref *key;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	struct kex *kex;	/* owned */
	struct buf *ni, *nr;	/* owned */
	struct buf *init_req;	/* owned: RealMessage1 as received */
	struct buf *init_resp;	/* owned: RealMessage2 as sent */
	struct buf *idi;	/* owned: the client's IDi body */
	struct buf *idr;	/* owned: our IDr body */
	struct ike_keys *keys;	/* owned, responder's view */
	uint32_t client_hashes; /* its SIGNATURE_HASH_ALGORITHMS */
	uint32_t next_msgid;	/* of the client's next request */
	uint32_t my_msgid;	/* of our next request */
	uint32_t client_spi;	/* ESP, host order */
	uint32_t my_spi;
	struct ike_proposal client_esp; /* its first ESP proposal */
	struct ike_suite esp;
	struct ike_child_keys child; /* responder's view of the ESP keys */
	bool have_child;
	unsigned n_init;      /* IKE_SA_INIT requests seen */
	unsigned n_requests;  /* encrypted requests answered */
	unsigned n_fragments; /* fragments received */
	bool client_auth_ok;  /* its signature or MSK AUTH verified */
	bool deleted;	      /* it sent D(IKE) */
	struct buf *reasm[IKE_MAX_FRAGMENTS]; /* owned */
	uint16_t reasm_total;
	uint8_t reasm_inner;
	struct buf *last_resp; /* owned: inner chain of its last response */
	uint8_t last_resp_first;
	struct buf *last_inner; /* owned: the inner chain we sealed last */
	uint8_t last_hdr[4];	/* its exchange, response, message ID, first */
	struct buf *out[IKE_PEER_MAX_OUT]; /* owned: datagrams for the client */
	size_t n_out;
	char error[256]; /* why the last input failed */

	/* Rekeys. */
	bool initiator;		    /* we rekeyed the IKE SA: we are its
				     original initiator now (I flag) */
	struct ike_suite suite;	    /* the IKE SA's */
	uint16_t dh;		    /* the IKE SA's group */
	unsigned n_child_rekeys;    /* the client's CHILD_SA rekeys answered */
	unsigned n_ike_rekeys;	    /* IKE SA rekeys done, either side's */
	unsigned n_refused;	    /* CREATE_CHILD_SAs refused on request */
	bool child_pfs;		    /* the last CHILD_SA rekey had a KE */
	uint32_t deleted_esp;	    /* the last ESP SPI the client deleted */
	struct ike_keys *next_keys; /* owned: the rekeyed IKE SA's, until
				       the old one is deleted */
	uint8_t next_spi_i[IKE_SPI_LEN], next_spi_r[IKE_SPI_LEN];
	struct ike_suite next_suite;
	uint16_t next_dh;
	bool next_initiator;
	bool rekeying_ike;  /* our CREATE_CHILD_SA for the IKE SA is out */
	bool deleting_old;  /* our D(IKE) of the old IKE SA is out */
	struct buf *rk_ni;  /* owned: its nonce */
	struct kex *rk_kex; /* owned: its KE */
};

int ike_peer_new(const struct ike_peer_conf *, struct ike_peer **ret);
void ike_peer_free(struct ike_peer *);

/* One datagram from the client (no marker); answers land in p->out.
 * 0, or -errno with a reason in p->error. */
int ike_peer_input(struct ike_peer *, const struct rd *dgram);

/* Our own request (INFORMATIONAL, CREATE_CHILD_SA): inner chain sealed,
 * fragmented above conf.frag_size, into p->out. */
int ike_peer_request(
    struct ike_peer *, uint8_t exchange, const struct rd *inner, uint8_t first);

/* Any message under our keys, into p->out (the fuzzer's way in). */
int ike_peer_seal(struct ike_peer *, uint8_t exchange, bool response,
    uint32_t msgid, const struct rd *inner, uint8_t first);

/* We rekey the IKE SA: CREATE_CHILD_SA{SA, Ni, KEi} into p->out; on
 * the client's answer, our DELETE of the old SA; on its answer, the new
 * SA is ours (p->n_ike_rekeys). */
int ike_peer_rekey_ike(struct ike_peer *);
/* The rekeyed IKE SA takes over now (2.18: keys, SPIs, message IDs from
 * 0), as it does by itself once the old one is deleted. */
void ike_peer_switch(struct ike_peer *);

/* One SKF fragment numbered num of total as given, past the caps too
 * (a hostile gateway's), into p->out. */
int ike_peer_seal_frag(struct ike_peer *, uint8_t exchange, bool response,
    uint32_t msgid, uint16_t num, uint16_t total, const struct rd *inner,
    uint8_t first);

/* Drops the datagrams in p->out. */
void ike_peer_out_clear(struct ike_peer *);

#endif /* P2S_IKE_PEER_H */
