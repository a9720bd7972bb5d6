/* SPDX-License-Identifier: ISC */
/*
 * eap_test.h: what test_eap.c and test_eap_tls.c share: the test PKI
 * (tests/data/certs, made by mkcerts.sh) loaded through cert.h, a peer
 * built on it, and an EAP-TLS server built from OpenSSL's server side
 * (SSL_accept over memory BIOs) wrapped in EAP-TLS framing with a
 * configurable fragment size, so that a real handshake runs peer <->
 * server in memory.
 */
#ifndef P2S_EAP_TEST_H
#define P2S_EAP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "eap.h"
#include "tls_ctx.h"
#include "wire.h"

/* The gateway of tests/data/certs/gw.pem (SAN dNSName). */
#define EAPT_GW_ID                                                             \
	"azuregateway-3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37-5a7c9e1b3d2f."      \
	"vpn.azure.com"
#define EAPT_CLIENT_ID "P2SChildCert"
#define EAPT_MSG_MAX   8192 /* bytes: the peer's EAP messages, p2s-style */

/* Path of a file in tests/data/certs (a static buffer). */
const char *eapt_cert_path(const char *name);

/* A peer-side TLS context: our client cert and key, roots from files
 * (comma-separated names in tests/data/certs), gateway.id. */
struct tls_ctx *eapt_tls_ctx(
    const char *roots, const char *server_id, enum tls_version max);

struct eap_peer *eapt_peer(
    struct tls_ctx *, const struct tls_session *, size_t max_msg_len);

struct eapt_srv_conf {
	int tls_max;	       /* TLS1_2_VERSION or TLS1_3_VERSION */
	size_t frag;	       /* bytes: the server's EAP messages */
	const char *chain;     /* cert files it sends, comma-separated */
	const char *key;       /* its key file */
	const char *client_ca; /* the root it trusts for clients */
	bool always_len;       /* L on every first fragment (strongSwan) */
	bool no_commit;	       /* TLS 1.3 without RFC 9190's 0x00 */
	bool refuse_at_end;    /* Failure after a good handshake */
	bool tickets;	       /* RFC 5077/8446 stateless tickets, which
					 * carry our certificate: a longer last
					 * flight; else session ids (strongSwan) */
};

#define EAPT_MAX_FLIGHTS 8

struct eapt_srv {
	struct eapt_srv_conf conf;
	SSL_CTX *ctx;	   /* kept across connections: resumption */
	SSL *ssl;	   /* one conversation */
	uint8_t id;	   /* Identifier of the last request */
	int phase;	   /* internal */
	bool failed;	   /* its TLS failed: Failure comes next */
	bool sent_success; /* the last packet was EAP-Success */
	bool sent_failure; /* ... EAP-Failure */
	uint8_t tx[65536]; /* a TLS message being sent */
	size_t tx_len, tx_sent;
	uint8_t rx[65536]; /* a TLS message being received */
	size_t rx_len;
	uint8_t keys[128]; /* MSK | EMSK as the server exports them */
	bool have_keys;
	uint8_t master[64]; /* TLS 1.2 master secret, for the PRF check */
	size_t master_len;
	uint8_t randoms[64];  /* client.random | server.random */
	const EVP_MD *prf_md; /* the TLS 1.2 PRF's hash */
	int version;	      /* negotiated */
	bool resumed;
	size_t flights[EAPT_MAX_FLIGHTS]; /* bytes of each TLS message sent */
	size_t n_flights;
	size_t n_frags[EAPT_MAX_FLIGHTS]; /* EAP messages for each */
};

int eapt_srv_init(struct eapt_srv *, const struct eapt_srv_conf *);
void eapt_srv_reset(struct eapt_srv *); /* new conversation, same ctx */
void eapt_srv_done(struct eapt_srv *);
/* The first request: Identity, Identifier 0 (as strongSwan). */
void eapt_srv_first(struct eapt_srv *, struct wr *out);
/* The next packet for the peer's response; -1 if the response is wrong. */
int eapt_srv_step(struct eapt_srv *, const struct rd *resp, struct wr *out);

/* What a conversation took. */
struct eapt_run {
	int result;		/* last eap_peer_process() return */
	unsigned rounds;	/* responses the peer sent */
	unsigned peer_tls_msgs; /* of them, with TLS data */
	unsigned peer_frags
	    [EAPT_MAX_FLIGHTS]; /* EAP messages per peer TLS message */
	unsigned n_peer_flights;
	bool srv_success; /* the server sent EAP-Success */
};

/* Runs peer against server until Success, Failure or an error. */
void eapt_converse(struct eap_peer *, struct eapt_srv *, struct eapt_run *);

/* Wraps bytes into an EAP packet; returns its length. */
size_t eapt_pkt(uint8_t *buf, size_t cap, uint8_t code, uint8_t id, int type,
    const void *data, size_t len);

/* The server as the scripted IKE responder's EAP server (the callbacks
 * of struct ike_peer_eap in tests/fuzz/ike_peer.h; arg: the eapt_srv). */
int eapt_ike_first(void *arg, struct wr *out);
int eapt_ike_step(
    void *arg, const struct rd *resp, struct wr *out, bool *ret_done);
int eapt_ike_msk(void *arg, struct rd *ret);

#endif /* P2S_EAP_TEST_H */
