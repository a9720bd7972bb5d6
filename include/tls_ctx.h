/* SPDX-License-Identifier: ISC */
/*
 * tls_ctx.h: the TLS client configuration for EAP-TLS, without OpenSSL
 * types.  One struct tls_ctx per profile: our client certificate (with the
 * issuers that came with it) and key, the trust anchors (the profile's
 * gateway roots, never the system store), TLS 1.2 as the minimum version,
 * and the check of the gateway's identity: gateway.id against the server
 * certificate's SAN dNSName (RFC 6125 left-most wildcard) or else its CN,
 * by cert.h's cert_match_id(), the same rule the IKE certificate meets.
 *
 * struct tls_session is a TLS session kept from a successful handshake, to
 * be offered on a reconnect.  It is bound to the tls_ctx it came from and
 * is only offered through that one: a reloaded profile (new roots, new
 * gateway.id) starts with a full handshake.
 */
#ifndef P2S_TLS_CTX_H
#define P2S_TLS_CTX_H

struct cert;
struct key_ref;
struct trust;

enum tls_version {
	TLS_VERSION_1_2 = 0, /* RFC 5216 */
	TLS_VERSION_1_3 = 1, /* RFC 9190 */
};

struct tls_ctx_conf {
	const struct cert *cert; /* borrowed: our certificate and its issuers */
	const struct key_ref *key;    /* borrowed: its private key */
	const struct trust *roots;    /* borrowed: the gateway roots */
	const char *server_id;	      /* borrowed: gateway.id */
	enum tls_version max_version; /* highest version offered */
};

struct tls_ctx;
struct tls_session;

/*
 * The objects in conf are only borrowed for the call; the context takes
 * its own references.  -EINVAL for a missing field or an empty server_id,
 * -EKEYREJECTED when the key is not the certificate's, -ENOMEM.
 */
int tls_ctx_new(const struct tls_ctx_conf *, struct tls_ctx **ret);
void tls_ctx_free(struct tls_ctx *);

void tls_session_free(struct tls_session *);

#endif /* P2S_TLS_CTX_H */
